//! Export declarations in Accord's documented CSV format, read strictly, and the indicators computed over them:
//! structuring under a value cap, new consignees receiving sensitive items, and general authorisations used for new
//! destinations. A seeded generator makes declarations with these patterns injected, so each indicator's precision
//! and recall can be measured.

use accord_core::{Error, ErrorCode, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

/// The header of a declarations file, in order.
pub const HEADER: [&str; 11] = [
    "date",
    "exporter",
    "consignee",
    "end_user",
    "destination",
    "hs_code",
    "control_code",
    "quantity",
    "value_eur",
    "authorisation",
    "reference",
];

pub use accord_core::warning::{Declaration, DeclarationSettings};

/// The optional columns after [`HEADER`]: the addresses of the consignee and the end user.
pub const ADDRESS_COLUMNS: [&str; 2] = ["consignee_address", "end_user_address"];

/// Most bad rows named in one error.
const MAX_REPORTED: usize = 50;

/// Reads a declarations file (`name` for messages), in Accord's CSV format or as Parquet (recognised by its first
/// bytes, with columns of the same names). One bad row refuses the file, with every bad row named by its line or row
/// (the first 50), so that nothing is half-read.
pub fn read_declarations(name: &str, bytes: &[u8]) -> Result<Vec<Declaration>> {
    if bytes.starts_with(crate::parquet::MAGIC) {
        return crate::parquet::read(name, bytes);
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::new(ErrorCode::MalformedFile, format!("{name}: the header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let with_addresses = header.len() == HEADER.len() + ADDRESS_COLUMNS.len()
        && header[..HEADER.len()] == HEADER
        && header[HEADER.len()..] == ADDRESS_COLUMNS;
    if header != HEADER && !with_addresses {
        return Err(Error::new(
            ErrorCode::MalformedFile,
            format!(
                "{name}: the header must be {}, optionally followed by ,{} (found {})",
                HEADER.join(","),
                ADDRESS_COLUMNS.join(","),
                header.join(",")
            ),
        ));
    }
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, record)| (format!("{name}:{}", i + 2), record.map_err(|e| e.to_string())));
    checked(rows)
}

/// Each row checked (its place in the file, and its fields in the order of [`HEADER`] then [`ADDRESS_COLUMNS`]):
/// the declarations, or every bad row named by its place.
pub(crate) fn checked(
    rows: impl Iterator<Item = (String, std::result::Result<csv::StringRecord, String>)>,
) -> Result<Vec<Declaration>> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut references = BTreeSet::new();
    for (place, record) in rows {
        match record.and_then(|r| declaration(&r)) {
            Ok(d) if !references.insert(d.reference.clone()) => {
                bad.push(format!("{place}: reference '{}' appears twice", d.reference))
            }
            Ok(d) => out.push(d),
            Err(why) => bad.push(format!("{place}: {why}")),
        }
    }
    if !bad.is_empty() {
        let total = bad.len();
        bad.truncate(MAX_REPORTED);
        return Err(Error::new(
            ErrorCode::MalformedFile,
            format!("{total} bad rows; nothing was read: {}", bad.join("; ")),
        )
        .with_details(serde_json::json!({ "bad_rows": total, "rows": bad })));
    }
    Ok(out)
}

fn declaration(r: &csv::StringRecord) -> std::result::Result<Declaration, String> {
    let get = |i: usize| r.get(i).map(str::trim).unwrap_or_default();
    let text = |i: usize, what: &str| -> std::result::Result<String, String> {
        let v = get(i);
        if v.is_empty() || v.chars().count() > 300 || v.chars().any(char::is_control) {
            return Err(format!("{what} must be 1 to 300 characters without control characters"));
        }
        Ok(v.to_owned())
    };
    let date: Date = get(0).parse().map_err(|_| format!("date '{}' is not YYYY-MM-DD", get(0)))?;
    let destination = get(4);
    if destination.len() != 2 || !destination.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!("destination '{destination}' is not an ISO alpha-2 code"));
    }
    let hs = get(5);
    if !(4..=10).contains(&hs.len()) || !hs.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("hs_code '{hs}' is not 4 to 10 digits"));
    }
    let number = |i: usize, what: &str| -> std::result::Result<f64, String> {
        get(i)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("{what} '{}' is not a number of zero or more", get(i)))
    };
    let optional = |i: usize, what: &str| -> std::result::Result<Option<String>, String> {
        if get(i).is_empty() { Ok(None) } else { text(i, what).map(Some) }
    };
    Ok(Declaration {
        reference: text(10, "reference")?,
        date,
        exporter: text(1, "exporter")?,
        consignee: text(2, "consignee")?,
        end_user: optional(3, "end_user")?.unwrap_or_default(),
        destination: destination.to_owned(),
        hs_code: hs.to_owned(),
        control_code: optional(6, "control_code")?,
        quantity: number(7, "quantity")?,
        value_eur: number(8, "value_eur")?,
        authorisation: optional(9, "authorisation")?,
        consignee_address: optional(11, "consignee_address")?.unwrap_or_default(),
        end_user_address: optional(12, "end_user_address")?.unwrap_or_default(),
    })
}

accord_core::named_enum! {
    /// An indicator over declarations.
    DeclarationIndicator {
        /// Many shipments of the same goods to the same consignee just under a value cap.
        Structuring = "structuring",
        /// A consignee first seen lately, receiving listed or high-priority goods.
        NewConsignee = "new_consignee",
        /// A general authorisation used for a destination it was not used for before.
        GaNewDestination = "ga_new_destination",
        /// A consignee or end user resembling a listed party (the more so when it appeared just after the listing).
        ListedParty = "listed_party",
        /// A consignee or end user declared at the address of a listed party.
        SharedAddress = "shared_address",
        /// A consignee or end user bearing a name that listed parties' entries say they are linked to.
        LinkedName = "linked_name",
    }
}

/// The red-flag guidance the declaration indicators follow.
const RED_FLAGS: &str = "red flags of export-control evasion in the FinCEN and BIS Joint Alert FIN-2022-Alert003 (28 June \
                         2022) and its supplement of 19 May 2023 (unverified: cited from public descriptions of the \
                         alerts, whose own text was not at hand)";

impl DeclarationIndicator {
    /// How the indicator is computed, in words.
    pub fn method(self) -> &'static str {
        match self {
            DeclarationIndicator::Structuring => {
                "Declarations of the same goods (control code, else HS code) from one exporter to one consignee whose \
                 value lies just under the authority's value cap (within the set percentage) are grouped; the \
                 longest run within the set window of days is counted, and a run of the set number of shipments or \
                 more is a finding."
            }
            DeclarationIndicator::NewConsignee => {
                "A consignee whose first declaration lies within the set number of days before the last day of the \
                 data, and who received listed goods (a control code) or goods under a high-priority HS prefix, is \
                 a finding, with those shipments."
            }
            DeclarationIndicator::GaNewDestination => {
                "For each general authorisation (not a licence), the destinations it was used for in the set number \
                 of recent days are compared with those before; a destination new to an authorisation that has a \
                 history is a finding."
            }
            DeclarationIndicator::ListedParty => {
                "Each consignee and end user is screened against the lists in force (the screening's fuzzy name \
                 match, with the destination as country); a hit is a finding, and said to appear just after the \
                 listing when the party's first declaration lies within 180 days after the listing took effect."
            }
            DeclarationIndicator::LinkedName => {
                "Each consignee and end user is compared (the screening's fuzzy name match) with the names that the \
                 entries of listed parties say they are linked to (OFAC's `Linked To:`) and that are not listed \
                 themselves; a match is a finding naming those entries."
            }
            DeclarationIndicator::SharedAddress => {
                "The consignee's and end user's declared addresses are compared with the addresses of the parties on \
                 the lists in force, both as words (letters and digits, without case or punctuation): a listed \
                 address of three words or more, one of them with a digit (a street and number, not a city alone), \
                 found in a declared address is a finding, whatever name the party declares."
            }
        }
    }

    /// The source the method follows.
    pub fn citation(self) -> &'static str {
        RED_FLAGS
    }
}

/// What an indicator found, with the declarations that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    /// The indicator.
    pub indicator: DeclarationIndicator,
    /// What it found, in one sentence.
    pub summary: String,
    /// Who or what it is about: `exporter → consignee`, a consignee, or `authorisation → destination`.
    pub subject: String,
    /// The references of the declarations that show it.
    pub references: Vec<String>,
}

fn days(from: Date, to: Date) -> i64 {
    to.since(from).map_or(0, |s| i64::from(s.get_days()))
}

/// Many shipments of the same goods from one exporter to one consignee, each just under the cap, within a window.
pub fn structuring(ds: &[Declaration], s: &DeclarationSettings) -> Vec<Finding> {
    let floor = under_cap_floor(s);
    let mut groups: BTreeMap<(String, String, String), Vec<&Declaration>> = BTreeMap::new();
    for d in ds.iter().filter(|d| d.value_eur >= floor && d.value_eur < s.value_cap_eur) {
        let goods = d.control_code.clone().unwrap_or_else(|| d.hs_code.clone());
        groups.entry((d.exporter.clone(), d.consignee.clone(), goods)).or_default().push(d);
    }
    let mut out = Vec::new();
    for ((exporter, consignee, goods), mut g) in groups {
        g.sort_by_key(|d| d.date);
        // The largest run within the window, from each shipment.
        let best = (0..g.len())
            .map(|i| g[i..].iter().take_while(|d| days(g[i].date, d.date) <= i64::from(s.structuring_days)).count())
            .enumerate()
            .max_by_key(|(_, n)| *n);
        if let Some((start, n)) = best.filter(|(_, n)| *n >= s.structuring_shipments) {
            out.push(structuring_finding(&exporter, &consignee, &goods, &g[start..start + n], s));
        }
    }
    out
}

/// The lower bound of the values just under the cap.
pub fn under_cap_floor(s: &DeclarationSettings) -> f64 {
    s.value_cap_eur * (1.0 - s.under_cap_percent / 100.0)
}

/// The structuring finding of one run of shipments of `goods` from `exporter` to `consignee`.
pub fn structuring_finding(
    exporter: &str,
    consignee: &str,
    goods: &str,
    run: &[&Declaration],
    s: &DeclarationSettings,
) -> Finding {
    Finding {
        indicator: DeclarationIndicator::Structuring,
        summary: format!(
            "{} shipments of {goods} from {exporter} to {consignee} within {} days, each between {:.0} and {:.0} EUR",
            run.len(),
            s.structuring_days,
            under_cap_floor(s),
            s.value_cap_eur
        ),
        subject: format!("{exporter} → {consignee}"),
        references: run.iter().map(|d| d.reference.clone()).collect(),
    }
}

fn sensitive(d: &Declaration, s: &DeclarationSettings) -> bool {
    d.control_code.is_some() || s.high_priority_hs.iter().any(|p| d.hs_code.starts_with(p.as_str()))
}

/// Consignees first seen within the last days of the data, receiving listed or high-priority goods.
pub fn new_consignees(ds: &[Declaration], s: &DeclarationSettings) -> Vec<Finding> {
    let Some(last) = ds.iter().map(|d| d.date).max() else { return Vec::new() };
    let mut first: HashMap<&str, Date> = HashMap::new();
    for d in ds {
        let e = first.entry(d.consignee.as_str()).or_insert(d.date);
        *e = (*e).min(d.date);
    }
    let mut by_consignee: BTreeMap<&str, Vec<&Declaration>> = BTreeMap::new();
    for d in ds.iter().filter(|d| days(first[d.consignee.as_str()], last) <= i64::from(s.new_within_days)) {
        if sensitive(d, s) {
            by_consignee.entry(d.consignee.as_str()).or_default().push(d);
        }
    }
    by_consignee.into_iter().map(|(consignee, g)| new_consignee_finding(consignee, first[consignee], &g)).collect()
}

/// The finding of a new consignee first seen on `first`, with its shipments of sensitive goods.
pub fn new_consignee_finding(consignee: &str, first: Date, shipments: &[&Declaration]) -> Finding {
    Finding {
        indicator: DeclarationIndicator::NewConsignee,
        summary: format!(
            "{consignee}, first seen on {first}, received {} shipments of listed or high-priority goods",
            shipments.len()
        ),
        subject: consignee.to_owned(),
        references: shipments.iter().map(|d| d.reference.clone()).collect(),
    }
}

/// General authorisations (not licences, `lic_…`) used in the recent days for a destination they were not used for
/// before.
pub fn ga_new_destinations(ds: &[Declaration], s: &DeclarationSettings) -> Vec<Finding> {
    let Some(last) = ds.iter().map(|d| d.date).max() else { return Vec::new() };
    let recent = |d: &Declaration| days(d.date, last) <= i64::from(s.ga_recent_days);
    let mut before: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut now: BTreeMap<(&str, &str), Vec<&Declaration>> = BTreeMap::new();
    for d in ds {
        let Some(ga) = d.authorisation.as_deref().filter(|a| !a.starts_with("lic_")) else { continue };
        if recent(d) {
            now.entry((ga, d.destination.as_str())).or_default().push(d);
        } else {
            before.insert((ga, d.destination.as_str()));
        }
    }
    let used_before: BTreeSet<&str> = before.iter().map(|(ga, _)| *ga).collect();
    now.into_iter()
        // Only an authorisation with a history can move: one first used lately has no "before".
        .filter(|((ga, dest), _)| used_before.contains(ga) && !before.contains(&(*ga, *dest)))
        .map(|((ga, dest), g)| ga_new_destination_finding(ga, dest, &g))
        .collect()
}

/// The finding of general authorisation `ga` used lately for `destination`, new to it.
pub fn ga_new_destination_finding(ga: &str, destination: &str, uses: &[&Declaration]) -> Finding {
    Finding {
        indicator: DeclarationIndicator::GaNewDestination,
        summary: format!("{ga} was used for {destination} {} times lately and never before", uses.len()),
        subject: format!("{ga} → {destination}"),
        references: uses.iter().map(|d| d.reference.clone()).collect(),
    }
}

/// A party of the declarations that resembles a listed one, as the screening found it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyMatch {
    /// The party's name as declared.
    pub party: String,
    /// `consignee` or `end user`.
    pub role: &'static str,
    /// The list.
    pub list_id: String,
    /// The listed name that matched.
    pub matched_name: String,
    /// The match score, 0 to 1.
    pub score: f64,
    /// The day the listing took effect, when known.
    pub listed_from: Option<Date>,
    /// For a name listed parties are linked to (not itself listed): those parties, as `NAME (list)`; empty for a
    /// party resembling a listed one.
    pub linked_by: Vec<String>,
}

/// The parties of the declarations as the listed-party indicator screens them: each consignee, and each end user
/// declared, with the destination, as `(role, name, destination)`, in order, once each.
pub fn parties_of(ds: &[Declaration]) -> Vec<(&'static str, String, String)> {
    let mut parties: BTreeSet<(&'static str, &str, &str)> = BTreeSet::new();
    for d in ds {
        parties.insert(("consignee", d.consignee.as_str(), d.destination.as_str()));
        if !d.end_user.is_empty() {
            parties.insert(("end user", d.end_user.as_str(), d.destination.as_str()));
        }
    }
    parties.into_iter().map(|(role, name, country)| (role, name.to_owned(), country.to_owned())).collect()
}

/// Days after a listing within which a party that resembles the listed one counts as appearing just after it.
pub const AFTER_LISTING_DAYS: i64 = 180;

/// Findings for the parties that resemble listed ones: each names the listing and, when the party first appeared
/// within [`AFTER_LISTING_DAYS`] after it, says so (a front company taking the listed one's place); and for the
/// parties bearing a name listed parties are linked to, naming them.
pub fn listed_parties(ds: &[Declaration], matches: &[PartyMatch]) -> Vec<Finding> {
    matches
        .iter()
        .filter_map(|m| {
            let of_party: Vec<&Declaration> = ds
                .iter()
                .filter(|d| if m.role == "consignee" { d.consignee == m.party } else { d.end_user == m.party })
                .collect();
            let first = of_party.iter().map(|d| d.date).min()?;
            let after = m.listed_from.map(|l| days(l, first)).filter(|n| (0..=AFTER_LISTING_DAYS).contains(n));
            let (indicator, mut summary) = if m.linked_by.is_empty() {
                let s = format!(
                    "{} {} resembles '{}' on {} (score {:.2})",
                    m.role, m.party, m.matched_name, m.list_id, m.score
                );
                (DeclarationIndicator::ListedParty, s)
            } else {
                let s = format!(
                    "{} {} bears the name '{}' that {} {} linked to (score {:.2})",
                    m.role,
                    m.party,
                    m.matched_name,
                    m.linked_by.join(", "),
                    if m.linked_by.len() == 1 { "is listed as" } else { "are listed as" },
                    m.score
                );
                (DeclarationIndicator::LinkedName, s)
            };
            if let (Some(n), Some(l)) = (after, m.listed_from) {
                summary.push_str(&format!("; it first appeared on {first}, {n} days after that listing ({l})"));
            }
            Some(Finding {
                indicator,
                summary,
                subject: m.party.clone(),
                references: of_party.iter().map(|d| d.reference.clone()).collect(),
            })
        })
        .collect()
}

/// A listed party's address, as the shared-address indicator compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedAddress {
    /// The list.
    pub list_id: String,
    /// The listed party's name.
    pub name: String,
    /// The address as listed.
    pub address: String,
}

/// An address as words: letters and digits, lower case.
pub fn address_words(address: &str) -> Vec<String> {
    address.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a listed address is specific enough (three words or more, one with a digit) and found, word for word, in
/// a declared one.
fn at_listed_address(declared: &[String], listed: &[String]) -> bool {
    listed.len() >= 3
        && listed.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
        && declared.windows(listed.len()).any(|w| w == listed)
}

/// The declared addresses (of `addresses`) at which a listed party is found, as [`shared_addresses`] finds them.
pub fn addresses_at_listed<'a>(addresses: &'a [String], listed: &[ListedAddress]) -> Vec<&'a String> {
    let listed: Vec<Vec<String>> = listed.iter().map(|l| address_words(&l.address)).collect();
    addresses
        .iter()
        .filter(|a| {
            let words = address_words(a);
            listed.iter().any(|l| at_listed_address(&words, l))
        })
        .collect()
}

/// Consignees and end users declared at the address of a listed party: one finding per party, address and listing.
pub fn shared_addresses(ds: &[Declaration], listed: &[ListedAddress]) -> Vec<Finding> {
    let listed: Vec<(&ListedAddress, Vec<String>)> = listed.iter().map(|l| (l, address_words(&l.address))).collect();
    let mut groups: BTreeMap<(&str, &str, &str, usize), Vec<&Declaration>> = BTreeMap::new();
    let mut checked: HashMap<&str, Vec<usize>> = HashMap::new();
    for d in ds {
        for (role, party, address) in
            [("consignee", &d.consignee, &d.consignee_address), ("end user", &d.end_user, &d.end_user_address)]
        {
            if address.is_empty() {
                continue;
            }
            let hits = checked.entry(address.as_str()).or_insert_with(|| {
                let words = address_words(address);
                listed.iter().enumerate().filter(|(_, (_, l))| at_listed_address(&words, l)).map(|(i, _)| i).collect()
            });
            for &i in hits.iter() {
                groups.entry((role, party.as_str(), address.as_str(), i)).or_default().push(d);
            }
        }
    }
    groups
        .into_iter()
        .map(|((role, party, address, i), g)| {
            let l = listed[i].0;
            Finding {
                indicator: DeclarationIndicator::SharedAddress,
                summary: format!(
                    "{role} {party} is declared at '{address}', the address of {} on {} ('{}'), in {} declarations",
                    l.name,
                    l.list_id,
                    l.address,
                    g.len()
                ),
                subject: party.to_owned(),
                references: g.iter().map(|d| d.reference.clone()).collect(),
            }
        })
        .collect()
}

/// Every declaration indicator.
pub fn all(ds: &[Declaration], s: &DeclarationSettings) -> Vec<Finding> {
    let mut out = structuring(ds, s);
    out.extend(new_consignees(ds, s));
    out.extend(ga_new_destinations(ds, s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(reference: &str, consignee: &str, address: &str) -> Declaration {
        Declaration {
            reference: reference.into(),
            date: jiff::civil::date(2025, 5, 1),
            exporter: "Acme".into(),
            consignee: consignee.into(),
            end_user: String::new(),
            destination: "AE".into(),
            hs_code: "854231".into(),
            control_code: None,
            quantity: 1.0,
            value_eur: 900.0,
            authorisation: None,
            consignee_address: address.into(),
            end_user_address: String::new(),
        }
    }

    #[test]
    fn a_party_at_a_listed_street_address_is_found_and_a_city_alone_is_not() {
        let listed = [
            ListedAddress {
                list_id: "test".into(),
                name: "Blocked Trading FZE".into(),
                address: "Office 12, Al Maktoum Road, Dubai".into(),
            },
            ListedAddress { list_id: "test".into(), name: "Somewhere Ltd".into(), address: "Dubai, UAE".into() },
        ];
        let ds = [
            at("D-1", "New Horizon LLC", "office 12 - AL MAKTOUM road, Dubai, United Arab Emirates"),
            at("D-2", "New Horizon LLC", "Office 12, Al Maktoum Road, Dubai"),
            at("D-3", "Honest Imports", "Dubai, UAE"),
            at("D-4", "Other LLC", "Office 120, Al Maktoum Road, Dubai"),
        ];
        let found = shared_addresses(&ds, &listed);
        let subjects: Vec<(&str, &[String])> =
            found.iter().map(|f| (f.subject.as_str(), f.references.as_slice())).collect();
        assert_eq!(subjects.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.subject == "New Horizon LLC" && f.summary.contains("Blocked Trading FZE")));
        assert!(found.iter().all(|f| f.indicator == DeclarationIndicator::SharedAddress));
    }
}
