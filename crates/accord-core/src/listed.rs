//! Restricted-party list entities as Accord keeps them, whatever the source format.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of party a listed entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A natural person.
    Person,
    /// A company, organisation, government body or group.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The source does not say.
    Unknown,
}

impl EntityKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Unknown => "unknown",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Option<EntityKind> {
        Some(match s {
            "person" => EntityKind::Person,
            "organization" => EntityKind::Organization,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            "unknown" => EntityKind::Unknown,
            _ => return None,
        })
    }
}

/// How a name belongs to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The main name.
    Primary,
    /// A strong alias ("a.k.a.", good-quality alias).
    Alias,
    /// A weak or low-quality alias: shown, but weighed less.
    WeakAlias,
    /// A former name ("f.k.a.").
    Former,
    /// The name in its original script.
    OriginalScript,
}

/// One name of a listed entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct ListedName {
    /// The name as the source writes it.
    pub name: String,
    /// How it belongs to the entity.
    pub kind: NameKind,
}

/// One entity of a restricted-party list, with the attributes screening uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListedEntity {
    /// The list, e.g. `us_ofac_sdn`.
    pub list_id: String,
    /// The id the source gives the entity (or one derived from stable fields, per list).
    pub entity_id: String,
    /// Person, organisation, vessel …
    pub kind: EntityKind,
    /// Every name; the primary name first.
    pub names: Vec<ListedName>,
    /// ISO 3166-1 alpha-2 countries linked to the entity (nationality, citizenship, address).
    pub countries: Vec<String>,
    /// Dates of birth or incorporation as given (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub birth_dates: Vec<String>,
    /// Postal addresses, one line each.
    pub addresses: Vec<String>,
    /// Sanctions programmes or legal bases.
    pub programs: Vec<String>,
    /// Free remarks from the source.
    pub remarks: String,
    /// The day the listing took effect, `YYYY-MM-DD`, when the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub listed_from: Option<jiff::civil::Date>,
    /// The day the listing ends (exclusive; e.g. a denial order's expiry), `YYYY-MM-DD`, when the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub listed_until: Option<jiff::civil::Date>,
}

impl ListedEntity {
    /// A new entity with one primary name and nothing else.
    pub fn new(list_id: &str, entity_id: &str, kind: EntityKind, primary: &str) -> ListedEntity {
        ListedEntity {
            list_id: list_id.to_owned(),
            entity_id: entity_id.to_owned(),
            kind,
            names: vec![ListedName { name: primary.to_owned(), kind: NameKind::Primary }],
            countries: Vec::new(),
            birth_dates: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            remarks: String::new(),
            listed_from: None,
            listed_until: None,
        }
    }

    /// Whether the listing is in force on `day` (`from <= day < until`; a missing bound is open).
    pub fn listed_on(&self, day: jiff::civil::Date) -> bool {
        self.listed_from.is_none_or(|from| from <= day) && self.listed_until.is_none_or(|until| day < until)
    }

    /// The primary name (the first name).
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.name.as_str()).unwrap_or("")
    }

    /// Adds a name unless the entity already has it (same text).
    pub fn add_name(&mut self, name: &str, kind: NameKind) {
        let name = name.trim();
        if !name.is_empty() && !self.names.iter().any(|n| n.name == name) {
            self.names.push(ListedName { name: name.to_owned(), kind });
        }
    }

    /// Adds a value to a list field unless it is empty or already there.
    pub fn push_unique(field: &mut Vec<String>, value: &str) {
        let value = value.trim();
        if !value.is_empty() && !field.iter().any(|v| v == value) {
            field.push(value.to_owned());
        }
    }

    /// Puts every list field in a canonical order, so equal content compares and hashes equal.
    pub fn canonicalize(&mut self) {
        if self.names.len() > 1 {
            self.names[1..].sort();
        }
        self.countries.sort();
        self.birth_dates.sort();
        self.addresses.sort();
        self.programs.sort();
    }

    /// Names of the fields that differ between two versions of an entity.
    pub fn changed_fields(&self, newer: &ListedEntity) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.kind != newer.kind {
            changed.push("kind");
        }
        if self.names != newer.names {
            changed.push("names");
        }
        if self.countries != newer.countries {
            changed.push("countries");
        }
        if self.birth_dates != newer.birth_dates {
            changed.push("birth_dates");
        }
        if self.addresses != newer.addresses {
            changed.push("addresses");
        }
        if self.programs != newer.programs {
            changed.push("programs");
        }
        if self.remarks != newer.remarks {
            changed.push("remarks");
        }
        if self.listed_from != newer.listed_from {
            changed.push("listed_from");
        }
        if self.listed_until != newer.listed_until {
            changed.push("listed_until");
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> jiff::civil::Date {
        d.parse().expect("a day")
    }

    #[test]
    fn changed_fields_name_exactly_what_differs() {
        let mut a = ListedEntity::new("l", "1", EntityKind::Person, "John SMITH");
        a.add_name("Johnny Smith", NameKind::Alias);
        let mut b = a.clone();
        assert!(a.changed_fields(&b).is_empty());
        ListedEntity::push_unique(&mut b.countries, "IR");
        b.remarks = "DOB 1970".into();
        assert_eq!(a.changed_fields(&b), vec!["countries", "remarks"]);
    }

    #[test]
    fn changed_listing_dates_are_reported_as_their_own_fields() {
        let a = ListedEntity::new("l", "1", EntityKind::Person, "John SMITH");
        let mut b = a.clone();
        b.listed_from = Some(day("2017-10-16"));
        assert_eq!(a.changed_fields(&b), vec!["listed_from"]);
        let mut c = b.clone();
        c.listed_until = Some(day("2020-10-13"));
        assert_eq!(b.changed_fields(&c), vec!["listed_until"]);
        assert_eq!(a.changed_fields(&c), vec!["listed_from", "listed_until"]);
    }

    #[test]
    fn a_listing_is_in_force_from_its_first_day_until_the_day_before_its_end() {
        let mut e = ListedEntity::new("l", "1", EntityKind::Person, "John SMITH");
        e.listed_from = Some(day("2017-10-16"));
        e.listed_until = Some(day("2020-10-13"));
        assert!(!e.listed_on(day("2017-10-15")), "not yet listed the day before it took effect");
        assert!(e.listed_on(day("2017-10-16")), "listed on the day it took effect");
        assert!(e.listed_on(day("2020-10-12")), "listed on the last day before the end");
        assert!(!e.listed_on(day("2020-10-13")), "the end day is exclusive");
        assert!(!e.listed_on(day("2024-01-01")), "expired");
    }

    #[test]
    fn missing_listing_bounds_are_open() {
        let mut e = ListedEntity::new("l", "1", EntityKind::Person, "John SMITH");
        assert!(e.listed_on(day("1900-01-01")) && e.listed_on(day("2999-12-31")));
        e.listed_from = Some(day("2017-10-16"));
        assert!(!e.listed_on(day("2017-10-15")));
        assert!(e.listed_on(day("2999-12-31")), "no end date: listed ever after");
        e.listed_from = None;
        e.listed_until = Some(day("2020-10-13"));
        assert!(e.listed_on(day("1900-01-01")), "no start date: listed since ever");
        assert!(!e.listed_on(day("2020-10-13")));
    }

    #[test]
    fn entities_without_listing_dates_serialize_as_before() {
        let a = ListedEntity::new("l", "1", EntityKind::Person, "John SMITH");
        let old = concat!(
            r#"{"list_id":"l","entity_id":"1","kind":"person","names":[{"name":"John SMITH","kind":"primary"}],"#,
            r#""countries":[],"birth_dates":[],"addresses":[],"programs":[],"remarks":""}"#
        );
        assert_eq!(serde_json::to_string(&a).unwrap(), old);
        assert_eq!(serde_json::from_str::<ListedEntity>(old).unwrap(), a);
        let mut dated = a.clone();
        dated.listed_until = Some(day("2020-10-13"));
        assert_eq!(serde_json::to_value(&dated).unwrap()["listed_until"], "2020-10-13");
        assert_ne!(entity_hash(&dated), entity_hash(&a));
    }

    #[test]
    fn duplicate_and_empty_names_are_not_added() {
        let mut a = ListedEntity::new("l", "1", EntityKind::Organization, "ACME LLC");
        a.add_name("ACME LLC", NameKind::Alias);
        a.add_name("  ", NameKind::Alias);
        assert_eq!(a.names.len(), 1);
    }

    #[test]
    fn canonical_order_keeps_the_primary_name_first() {
        let mut a = ListedEntity::new("l", "1", EntityKind::Person, "Zed");
        a.add_name("Bob", NameKind::Alias);
        a.add_name("Al", NameKind::Alias);
        a.canonicalize();
        let names: Vec<_> = a.names.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["Zed", "Al", "Bob"]);
    }
}

/// One imported version of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListVersion {
    /// The list, e.g. `us_ofac_sdn`.
    pub list_id: String,
    /// 1 for the first import, then one more for each import that changed the content.
    pub version: i64,
    /// Source format, e.g. `ofac_sdn`.
    pub format: String,
    /// SHA-256 over the canonical content; re-importing the same content changes nothing.
    pub content_hash: String,
    /// Where it was read from (files or URL).
    pub source: String,
    /// When it was imported.
    pub imported_at: crate::Timestamp,
    /// Entities in this version.
    pub entities: i64,
    /// Entities new in this version.
    pub added: i64,
    /// Entities whose content changed.
    pub changed: i64,
    /// Entities no longer listed.
    pub removed: i64,
    /// Rows skipped as malformed (reported at import).
    pub problems: i64,
}

/// How an entity changed between two versions of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Newly listed.
    Added,
    /// Still listed, with different content.
    Changed,
    /// No longer listed.
    Removed,
}

impl ChangeKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Option<ChangeKind> {
        Some(match s {
            "added" => ChangeKind::Added,
            "changed" => ChangeKind::Changed,
            "removed" => ChangeKind::Removed,
            _ => return None,
        })
    }
}

/// One entity's change in a list version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntityChange {
    /// The entity.
    pub entity_id: String,
    /// Added, changed or removed.
    pub change: ChangeKind,
    /// For changes: which fields differ.
    pub fields: Vec<String>,
    /// The entity's primary name (the newer one for changes).
    pub name: String,
}

/// SHA-256 (hex) of an entity's canonical JSON: equal content, equal hash.
pub fn entity_hash(e: &ListedEntity) -> String {
    use sha2::{Digest, Sha256};
    let value = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
    let mut text = String::new();
    crate::audit::canonical_json(&value, &mut text);
    crate::audit::hex(&Sha256::digest(text.as_bytes()))
}

/// The changes from `old` to `new` (both sorted by entity id), in entity-id order.
pub fn diff(old: &[ListedEntity], new: &[ListedEntity]) -> Vec<EntityChange> {
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let change = |e: &ListedEntity, change: ChangeKind, fields: Vec<String>| EntityChange {
        entity_id: e.entity_id.clone(),
        change,
        fields,
        name: e.primary_name().to_owned(),
    };
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => a.entity_id.cmp(&b.entity_id),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                out.push(change(&old[i], ChangeKind::Removed, Vec::new()));
                i += 1;
            }
            Ordering::Greater => {
                out.push(change(&new[j], ChangeKind::Added, Vec::new()));
                j += 1;
            }
            Ordering::Equal => {
                let fields = old[i].changed_fields(&new[j]);
                if !fields.is_empty() {
                    out.push(change(&new[j], ChangeKind::Changed, fields.into_iter().map(str::to_owned).collect()));
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    fn e(id: &str, name: &str) -> ListedEntity {
        ListedEntity::new("l", id, EntityKind::Person, name)
    }

    #[test]
    fn diff_finds_added_changed_and_removed_entities() {
        let old = vec![e("1", "A"), e("2", "B"), e("3", "C")];
        let mut changed = e("2", "B");
        changed.programs.push("SDGT".into());
        let new = vec![e("1", "A"), changed, e("4", "D")];
        let d = diff(&old, &new);
        let summary: Vec<(&str, ChangeKind, Vec<String>)> =
            d.iter().map(|c| (c.entity_id.as_str(), c.change, c.fields.clone())).collect();
        assert_eq!(
            summary,
            vec![
                ("2", ChangeKind::Changed, vec!["programs".to_owned()]),
                ("3", ChangeKind::Removed, vec![]),
                ("4", ChangeKind::Added, vec![]),
            ]
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn entity_hash_depends_on_content_only() {
        let a = e("1", "A");
        assert_eq!(entity_hash(&a), entity_hash(&a.clone()));
        assert_ne!(entity_hash(&a), entity_hash(&e("1", "B")));
    }
}

crate::named_enum! {
    /// How a list's last download ended.
    SyncOutcome {
        /// A new version was imported.
        Updated = "updated",
        /// The publisher had nothing new (or the same content again).
        Unchanged = "unchanged",
        /// The download or import failed; the version in force stays.
        Failed = "failed",
    }
}

/// How the last download of a list went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncState {
    /// The list.
    pub list_id: String,
    /// Where it is downloaded from.
    pub source: String,
    /// HTTP validators per URL (`etag`, `last_modified`) for conditional requests.
    #[schema(value_type = Object)]
    pub validators: serde_json::Value,
    /// When the publisher was last asked.
    pub checked_at: crate::Timestamp,
    /// `updated`, `unchanged` or `failed`.
    pub outcome: SyncOutcome,
    /// What happened, e.g. the failure; the version in force stays when a download fails.
    pub message: String,
}

/// An officer's verdict on a screening hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The party is the listed entity.
    TruePositive,
    /// The party is not the listed entity; the hit is suppressed until the entity changes.
    FalsePositive,
}

impl Verdict {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::TruePositive => "true_positive",
            Verdict::FalsePositive => "false_positive",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "true_positive" => Some(Verdict::TruePositive),
            "false_positive" => Some(Verdict::FalsePositive),
            _ => None,
        }
    }
}

/// A recorded adjudication of one hit for one screened subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Adjudication {
    /// Generated id (`adj_…`).
    pub id: String,
    /// The authority whose officer decided.
    pub authority_id: String,
    /// The screened party, as its normalised name (or a caller-chosen subject key).
    pub subject: String,
    /// The list of the hit.
    pub list_id: String,
    /// The listed entity of the hit.
    pub entity_id: String,
    /// The entity's version when decided; a later change makes the hit alert again.
    pub entity_version: i64,
    /// True or false positive.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// The deciding officer.
    pub officer_id: String,
    /// When.
    pub created_at: crate::Timestamp,
}
