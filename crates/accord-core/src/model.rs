//! Domain records: authorities, organisations, users, API keys, and the inputs that create them.
//!
//! Inputs are parsed, not merely validated: a `New*` value that passed `parse` can be stored as is.

use crate::error::{Error, Result};
use crate::ids::{AuthorityId, KeyId, OrgId, UserId, truncate};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// ISO 3166-1 alpha-2 codes, plus `XK` (Kosovo) as used by sanctions lists.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// Whether `s` is an ISO 3166-1 alpha-2 country code (upper case): a binary search over the sorted table.
pub fn is_country(s: &str) -> bool {
    let table = COUNTRIES.as_bytes();
    let (mut lo, mut hi) = (0, table.len().div_ceil(3));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match table[mid * 3..mid * 3 + 2].cmp(s.as_bytes()) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
        }
    }
    false
}

/// Checks an ISO 3166-1 alpha-2 country code (upper case).
pub fn parse_country(field: &str, s: &str) -> Result<String> {
    if s.len() == 2 && is_country(s) {
        Ok(s.to_owned())
    } else {
        Err(Error::validation(
            field,
            format!("'{}' is not an ISO 3166-1 alpha-2 country code (e.g. DE, US)", truncate(s)),
        ))
    }
}

/// Whether `c` reorders text invisibly (bidirectional embedding, override or isolate), a spoofing vector.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A day (`YYYY-MM-DD`); `validation_failed` naming the field otherwise.
pub fn parse_day(field: &str, s: &str) -> Result<jiff::civil::Date> {
    s.parse::<jiff::civil::Date>()
        .map_err(|_| Error::validation(field, format!("'{}' is not a date (YYYY-MM-DD)", crate::ids::truncate(s))))
}

/// Trimmed free text of at most `max` characters without control characters (newlines allowed).
pub fn parse_text(field: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::validation(field, format!("{field} must be 1-{max} characters without control characters")));
    }
    Ok(t.to_owned())
}

/// Checks a display name: trimmed, 1–200 characters, no control or bidirectional-override characters.
pub fn parse_name(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::validation(field, format!("{field} must not be empty")));
    }
    if t.chars().count() > 200 {
        return Err(Error::validation(field, format!("{field} must be at most 200 characters")));
    }
    if t.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(Error::validation(
            field,
            format!("{field} must not contain control or bidirectional-override characters"),
        ));
    }
    Ok(t.to_owned())
}

/// The roles a user can hold; each grants a fixed set of actions (see the application services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works for an organisation; sees only that organisation's records.
    Exporter,
    /// Licensing officer of one authority.
    Officer,
    /// Senior licensing officer of one authority (countersigns).
    SeniorOfficer,
    /// Coalition coordinator (denials, consultations, proposals).
    Coordinator,
    /// Member of a technical expert panel.
    PanelMember,
    /// Early-warning and statistics analyst.
    Analyst,
    /// Read-only access to records and the audit trail.
    Auditor,
    /// Administers the node: authorities, organisations, users and keys.
    Admin,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 8] = [
        Role::Exporter,
        Role::Officer,
        Role::SeniorOfficer,
        Role::Coordinator,
        Role::PanelMember,
        Role::Analyst,
        Role::Auditor,
        Role::Admin,
    ];

    /// The snake_case name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Exporter => "exporter",
            Role::Officer => "officer",
            Role::SeniorOfficer => "senior_officer",
            Role::Coordinator => "coordinator",
            Role::PanelMember => "panel_member",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
            Error::validation("role", format!("unknown role '{}' (one of: {})", truncate(s), names.join(", ")))
        })
    }

    /// Whether users of this role must belong to an authority.
    pub fn needs_authority(self) -> bool {
        matches!(self, Role::Officer | Role::SeniorOfficer)
    }

    /// Whether users of this role may be attached to an authority at all.
    pub fn may_have_authority(self) -> bool {
        !matches!(self, Role::Exporter | Role::Admin)
    }
}

/// How big an organisation is; drives SME statistics and proportionality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// Fewer than 10 staff.
    Micro,
    /// Fewer than 50 staff.
    Small,
    /// Fewer than 250 staff.
    Medium,
    /// 250 staff or more.
    Large,
}

impl SizeClass {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SizeClass::Micro => "micro",
            SizeClass::Small => "small",
            SizeClass::Medium => "medium",
            SizeClass::Large => "large",
        }
    }

    /// Parses a size class name.
    pub fn parse(s: &str) -> Result<SizeClass> {
        match s {
            "micro" => Ok(SizeClass::Micro),
            "small" => Ok(SizeClass::Small),
            "medium" => Ok(SizeClass::Medium),
            "large" => Ok(SizeClass::Large),
            _ => Err(Error::validation(
                "size_class",
                format!("unknown size class '{}' (micro, small, medium or large)", truncate(s)),
            )),
        }
    }
}

/// A day of the week as written in calendars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Day {
    fn weekday(self) -> Weekday {
        match self {
            Day::Monday => Weekday::Monday,
            Day::Tuesday => Weekday::Tuesday,
            Day::Wednesday => Weekday::Wednesday,
            Day::Thursday => Weekday::Thursday,
            Day::Friday => Weekday::Friday,
            Day::Saturday => Weekday::Saturday,
            Day::Sunday => Weekday::Sunday,
        }
    }
}

/// An authority's working-day calendar: which weekdays are off and which dates are public holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingCalendar {
    /// Days of the week that are not working days.
    #[serde(default = "default_weekend")]
    pub weekend: Vec<Day>,
    /// Public holidays (ISO dates).
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["2026-12-25"]))]
    pub holidays: Vec<Date>,
}

fn default_weekend() -> Vec<Day> {
    vec![Day::Saturday, Day::Sunday]
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        WorkingCalendar { weekend: default_weekend(), holidays: Vec::new() }
    }
}

impl WorkingCalendar {
    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.weekend.iter().any(|d| d.weekday() == date.weekday()) && !self.holidays.contains(&date)
    }

    /// The date `n` working days after `start` (SLA deadlines count this way).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.tomorrow().unwrap_or(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to` (none when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = match d.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    fn check(mut self) -> Result<Self> {
        if self.weekend.len() >= 7 {
            return Err(Error::validation("calendar.weekend", "a calendar needs at least one working weekday"));
        }
        self.holidays.sort();
        self.holidays.dedup();
        Ok(self)
    }
}

/// A national licensing authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Authority {
    /// Stable id, e.g. `DE-BAFA`.
    #[schema(value_type = String, example = "DE-BAFA")]
    pub id: AuthorityId,
    /// Full name.
    pub name: String,
    /// Legal regime applied, e.g. `EU`, `US`.
    pub jurisdiction: String,
    /// ISO country code.
    pub country: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Working days and holidays.
    pub calendar: WorkingCalendar,
    /// When it was registered on this node.
    pub created_at: crate::Timestamp,
}

/// Request to register an authority.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAuthority {
    /// Stable id, e.g. `DE-BAFA`.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Legal regime, e.g. `EU`.
    pub jurisdiction: String,
    /// ISO country code.
    pub country: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Working-day calendar; Saturday and Sunday off when omitted.
    #[serde(default)]
    pub calendar: Option<WorkingCalendar>,
}

impl NewAuthority {
    /// Checks every field and returns the authority to store.
    pub fn parse(self, created_at: crate::Timestamp) -> Result<Authority> {
        let id = AuthorityId::parse(&self.id)?;
        let jurisdiction = self.jurisdiction.trim().to_owned();
        if !(2..=8).contains(&jurisdiction.len()) || !jurisdiction.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::validation(
                "jurisdiction",
                format!(
                    "'{}' is not a jurisdiction code (2-8 upper-case letters, e.g. EU, US)",
                    truncate(&jurisdiction)
                ),
            ));
        }
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() || self.time_zone.len() > 64 {
            return Err(Error::validation(
                "time_zone",
                format!("'{}' is not a known IANA time zone (e.g. Europe/Berlin)", truncate(&self.time_zone)),
            ));
        }
        Ok(Authority {
            id,
            name: parse_name("name", &self.name)?,
            jurisdiction,
            country: parse_country("country", &self.country)?,
            time_zone: self.time_zone,
            calendar: self.calendar.unwrap_or_default().check()?,
            created_at,
        })
    }
}

/// An organisation that exports, researches or forwards goods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    /// Generated id (`org_…`).
    #[schema(value_type = String)]
    pub id: OrgId,
    /// Legal name.
    pub name: String,
    /// ISO country code of establishment.
    pub country: String,
    /// Size class.
    pub size_class: SizeClass,
    /// Registration ids by scheme, e.g. `{"EORI": "DE123456789012345"}`.
    pub registration_ids: BTreeMap<String, String>,
    /// The authority the organisation is registered with.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// When it was registered.
    pub created_at: crate::Timestamp,
}

/// Request to register an organisation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Legal name.
    pub name: String,
    /// ISO country code.
    pub country: String,
    /// `micro`, `small`, `medium` or `large`.
    pub size_class: SizeClass,
    /// Registration ids by scheme.
    #[serde(default)]
    pub registration_ids: BTreeMap<String, String>,
    /// The authority it registers with.
    pub authority_id: String,
}

impl NewOrganisation {
    /// Checks every field and returns the organisation to store (the authority's existence is checked by the store).
    pub fn parse(self, created_at: crate::Timestamp) -> Result<Organisation> {
        let authority_id =
            AuthorityId::parse(&self.authority_id).map_err(|e| Error::validation("authority_id", e.message))?;
        if self.registration_ids.len() > 20 {
            return Err(Error::validation("registration_ids", "at most 20 registration ids"));
        }
        for (scheme, value) in &self.registration_ids {
            let scheme_ok = !scheme.is_empty()
                && scheme.len() <= 32
                && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !scheme_ok {
                return Err(Error::validation(
                    "registration_ids",
                    format!("'{}' is not a registration scheme (letters, digits, _ or -)", truncate(scheme)),
                ));
            }
            parse_name("registration_ids", value)?;
        }
        Ok(Organisation {
            id: OrgId::generate(),
            name: parse_name("name", &self.name)?,
            country: parse_country("country", &self.country)?,
            size_class: self.size_class,
            registration_ids: self.registration_ids,
            authority_id,
            created_at,
        })
    }
}

/// A person who uses Accord.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Generated id (`usr_…`).
    #[schema(value_type = String)]
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// E-mail address (unique on the node).
    pub email: String,
    /// Role.
    pub role: Role,
    /// Authority of an officer (or of a coordinator, analyst, panel member, auditor attached to one).
    #[schema(value_type = Option<String>)]
    pub authority_id: Option<AuthorityId>,
    /// Organisation of an exporter.
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<OrgId>,
    /// Disabled users cannot authenticate.
    pub disabled: bool,
    /// When the user was created.
    pub created_at: crate::Timestamp,
}

/// Request to create a user.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Required for officers and senior officers; optional for coordinators, panel members, analysts and auditors.
    #[serde(default)]
    pub authority_id: Option<String>,
    /// Required for exporters.
    #[serde(default)]
    pub organisation_id: Option<String>,
}

impl NewUser {
    /// Checks every field and the role's attachments; returns the user to store.
    pub fn parse(self, created_at: crate::Timestamp) -> Result<User> {
        let email = self.email.trim().to_lowercase();
        let email_ok = email.len() <= 254
            && !email.chars().any(|c| c.is_control() || c.is_whitespace())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
        if !email_ok {
            return Err(Error::validation("email", format!("'{}' is not an e-mail address", truncate(&self.email))));
        }
        let authority_id = self
            .authority_id
            .as_deref()
            .map(|a| AuthorityId::parse(a).map_err(|e| Error::validation("authority_id", e.message)))
            .transpose()?;
        let organisation_id = self
            .organisation_id
            .as_deref()
            .map(|o| OrgId::parse(o).map_err(|e| Error::validation("organisation_id", e.message)))
            .transpose()?;
        let role = self.role;
        if role == Role::Exporter && organisation_id.is_none() {
            return Err(Error::validation("organisation_id", "an exporter must belong to an organisation"));
        }
        if role != Role::Exporter && organisation_id.is_some() {
            return Err(Error::validation(
                "organisation_id",
                format!("a user with role {} does not belong to an organisation", role.as_str()),
            ));
        }
        if role.needs_authority() && authority_id.is_none() {
            return Err(Error::validation(
                "authority_id",
                format!("a user with role {} must belong to an authority", role.as_str()),
            ));
        }
        if !role.may_have_authority() && authority_id.is_some() {
            return Err(Error::validation(
                "authority_id",
                format!("a user with role {} does not belong to an authority", role.as_str()),
            ));
        }
        Ok(User {
            id: UserId::generate(),
            name: parse_name("name", &self.name)?,
            email,
            role,
            authority_id,
            organisation_id,
            disabled: false,
            created_at,
        })
    }
}

/// What is known about an API key; the secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyInfo {
    /// Public id of the key (also its prefix in the token).
    #[schema(value_type = String)]
    pub id: KeyId,
    /// Owner.
    #[schema(value_type = String)]
    pub user_id: UserId,
    /// Free label, e.g. `ci` or `laptop`.
    pub label: String,
    /// When it was created.
    pub created_at: crate::Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<crate::Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<crate::Timestamp>,
    /// Last successful use (updated at most once a minute).
    pub last_used_at: Option<crate::Timestamp>,
    /// The key it was minted with, when a key minted it: it never outlives that key and is revoked with it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub parent_key_id: Option<KeyId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_table_is_sorted_and_searched_exactly() {
        let codes: Vec<&str> = COUNTRIES.split(' ').collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]) && codes.iter().all(|c| c.len() == 2),
            "sorted, two letters each"
        );
        assert!(codes.iter().all(|c| is_country(c)));
        for bad in ["", "A", "XX", "de", "DEU", "ZZ", "AA"] {
            assert!(!is_country(bad), "{bad}");
        }
    }
    use jiff::civil::date;

    #[test]
    fn country_list_has_every_iso_code_once() {
        let codes: Vec<_> = COUNTRIES.split(' ').collect();
        assert_eq!(codes.len(), 250);
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, codes, "list must be sorted and unique");
        assert!(parse_country("c", "DE").is_ok());
        assert!(parse_country("c", "de").is_err());
        assert!(parse_country("c", "UK").is_err());
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = WorkingCalendar { weekend: default_weekend(), holidays: vec![date(2026, 12, 25)] };
        // Thursday 24 Dec 2026 + 1 working day skips Christmas (Fri) and the weekend.
        assert_eq!(cal.add_working_days(date(2026, 12, 24), 1), date(2026, 12, 28));
        assert!(!cal.is_working_day(date(2026, 12, 26)));
        assert!(cal.is_working_day(date(2026, 12, 28)));
    }

    #[test]
    fn calendar_without_working_days_is_refused() {
        let all =
            vec![Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday, Day::Saturday, Day::Sunday];
        let err = WorkingCalendar { weekend: all, holidays: vec![] }.check().unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::ValidationFailed);
    }

    fn new_authority() -> NewAuthority {
        NewAuthority {
            id: "DE-BAFA".into(),
            name: "Federal Office for Economic Affairs and Export Control".into(),
            jurisdiction: "EU".into(),
            country: "DE".into(),
            time_zone: "Europe/Berlin".into(),
            calendar: None,
        }
    }

    #[test]
    fn authority_with_unknown_time_zone_is_refused() {
        let mut a = new_authority();
        a.time_zone = "Europe/Atlantis".into();
        let err = a.parse(crate::now()).unwrap_err();
        assert_eq!(err.details.unwrap()["field"], "time_zone");
        assert!(new_authority().parse(crate::now()).is_ok());
    }

    #[test]
    fn exporter_needs_organisation_and_officer_needs_authority() {
        let base = NewUser {
            name: "A".into(),
            email: "a@example.org".into(),
            role: Role::Exporter,
            authority_id: None,
            organisation_id: None,
        };
        assert_eq!(base.clone().parse(crate::now()).unwrap_err().details.unwrap()["field"], "organisation_id");
        let officer = NewUser { role: Role::Officer, ..base.clone() };
        assert_eq!(officer.parse(crate::now()).unwrap_err().details.unwrap()["field"], "authority_id");
        let admin_with_authority = NewUser { role: Role::Admin, authority_id: Some("DE-BAFA".into()), ..base.clone() };
        assert!(admin_with_authority.parse(crate::now()).is_err());
        let exporter = NewUser { organisation_id: Some(OrgId::generate().to_string()), ..base };
        let user = exporter.parse(crate::now()).unwrap();
        assert_eq!(user.email, "a@example.org");
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        assert!(parse_name("name", "Acme\u{0}GmbH").is_err());
        assert!(parse_name("name", "   ").is_err());
        assert_eq!(parse_name("name", "  Acme GmbH ").unwrap(), "Acme GmbH");
        assert!(parse_name("name", "Acme\u{202E}HbmG").is_err(), "right-to-left override");
        let hostile = "O'Brien & Söhne \"Ltd\"; DROP TABLE users;-- ООО «Ромашка» شركة";
        assert_eq!(parse_name("name", hostile).unwrap(), hostile, "quotes and other scripts are kept verbatim");
    }

    #[test]
    fn malformed_email_is_refused() {
        for bad in ["", "a", "a@b", "@x.org", "a b@x.org", "a@.org"] {
            let u = NewUser {
                name: "A".into(),
                email: bad.into(),
                role: Role::Admin,
                authority_id: None,
                organisation_id: None,
            };
            assert!(u.parse(crate::now()).is_err(), "{bad}");
        }
    }
}
