//! Evasion networks: a party that is on no list but shares an identifier (a registration, tax or vessel number), a
//! telephone number or a street address with a listed party — a front company taking its place — scored and
//! explained. Pure: the listed entities are given; identifiers and telephone numbers are read from their remarks
//! as the lists write them (`Registration Number 26740 (Iran)`, `Telephone No. 009613679153`).

use accord_core::listed::{EntityKind, ListedEntity};
use std::collections::{BTreeMap, HashMap};

/// The labels under which the lists' remarks give identifiers, longest first (so `Business Registration Number` is
/// not read as `Registration Number`).
const IDENTIFIER_LABELS: [&str; 17] = [
    "Business Registration Number",
    "Unified Social Credit Code",
    "Government Gazette Number",
    "Legal Entity Number",
    "Registration Number",
    "Identification Number",
    "D-U-N-S Number",
    "Registration ID",
    "Company Number",
    "National ID No.",
    "Tax ID No.",
    "SWIFT/BIC",
    "Passport",
    "IMO",
    "INN",
    "MMSI",
    "LEI",
];

/// The labels of telephone numbers.
const PHONE_LABELS: [&str; 2] = ["Telephone No.", "Phone"];

/// Fewest letters and digits an identifier or telephone number has to be compared (shorter ones collide).
const LEAST_SIGNIFICANT: usize = 5;

/// An identifier or a number as compared: its letters and digits, in upper case.
pub fn normalise(value: &str) -> String {
    value.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// The keys a party's identifier or telephone number is looked up by: all its letters and digits, and the same
/// without the words before the number as people write them (`Reg. no. 26-740`, `Tel: +98 21 …`).
fn keys(value: &str) -> Vec<String> {
    let mut out = vec![normalise(value)];
    let tokens: Vec<&str> = value.split_whitespace().collect();
    let label = |t: &&&str| {
        !t.chars().any(|c| c.is_ascii_digit())
            && (t.ends_with('.') || t.ends_with(':') || t.chars().all(char::is_alphabetic))
    };
    let lead = tokens.iter().take_while(label).count();
    if lead > 0 && lead < tokens.len() {
        out.push(normalise(&tokens[lead..].join(" ")));
    }
    out.retain(|k| k.len() >= LEAST_SIGNIFICANT);
    out.dedup();
    out
}

/// The `(label, value)` pairs of `labels` in remarks (`Label value (Country)`), each value as written.
fn labelled<'a>(remarks: &'a str, labels: &[&'static str]) -> Vec<(&'static str, &'a str)> {
    let mut out = Vec::new();
    for part in remarks.split(';') {
        let part = part.trim().trim_end_matches('.');
        let Some(label) = labels.iter().find(|l| part.starts_with(**l)) else { continue };
        let value = part[label.len()..].split(" (").next().unwrap_or_default().split(',').next().unwrap_or_default();
        let value = value.trim();
        if normalise(value).len() >= LEAST_SIGNIFICANT {
            out.push((*label, value));
        }
    }
    out
}

/// The identifiers a listed entity's remarks give, as `(label, value)`.
pub fn identifiers_in(remarks: &str) -> Vec<(&'static str, &str)> {
    labelled(remarks, &IDENTIFIER_LABELS)
}

/// The telephone numbers a listed entity's remarks give.
pub fn phones_in(remarks: &str) -> Vec<&str> {
    labelled(remarks, &PHONE_LABELS).into_iter().map(|(_, v)| v).collect()
}

/// An address as words: letters and digits, lower case.
fn words(address: &str) -> Vec<String> {
    address.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a listed address is specific enough to match on: three words or more, one of them with a digit (a street
/// and number, not a city alone).
fn specific(listed: &[String]) -> bool {
    listed.len() >= 3 && listed.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// What a party gives to be compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Street addresses, one line each.
    pub addresses: Vec<String>,
    /// Identifiers (registration, tax, vessel numbers …), as written.
    pub identifiers: Vec<String>,
    /// Telephone numbers, as written.
    pub phones: Vec<String>,
}

/// What is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SharedAttribute {
    /// The same identifier.
    Identifier,
    /// The same telephone number.
    Phone,
    /// The listed party's street address, found word for word in the party's.
    Address,
    /// The party's name is one a listed party's remarks say it is linked to (`Linked To: …`).
    LinkedName,
}

impl SharedAttribute {
    /// How much sharing it weighs: an identifier names one legal person, a telephone number one line, an address a
    /// building (where several firms may sit).
    pub fn weight(self) -> f64 {
        match self {
            SharedAttribute::Identifier => 0.95,
            SharedAttribute::Phone => 0.8,
            SharedAttribute::Address => 0.7,
            SharedAttribute::LinkedName => 0.9,
        }
    }
}

/// A listed party the party is connected to, with what they share.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Connection {
    /// The list.
    pub list_id: String,
    /// The entity on it.
    pub entity_id: String,
    /// Its primary name.
    pub listed_name: String,
    /// What they share (the strongest when several).
    pub shared: SharedAttribute,
    /// Every shared value, as the list writes it (`Registration Number 26740`, an address).
    pub values: Vec<String>,
    /// How strong the connection is, 0 to 1: the strongest shared attribute, raised a little by each further one.
    pub score: f64,
    /// In words: `shares the Registration Number 26740 with IRAN AIRCRAFT … (us_ofac_sdn)`.
    pub explanation: String,
}

struct Entry {
    list_id: String,
    entity_id: String,
    name: String,
}

/// A name listed parties' remarks say they are linked to, and those parties.
struct Linked {
    name: String,
    by: Vec<usize>,
}

/// The names listed parties' remarks say they are linked to (`Linked To: …`).
fn links_in(remarks: &str) -> impl Iterator<Item = &str> {
    remarks
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("Linked To:"))
        .map(|name| name.trim().trim_end_matches('.').trim())
        .filter(|name| !name.is_empty())
}

/// The listed parties' identifiers, telephone numbers, street addresses and the names they are linked to, indexed
/// to find who shares one.
#[derive(Default)]
pub struct Network {
    entries: Vec<Entry>,
    linked: Vec<Linked>,
    linked_index: Option<crate::Index>,
    identifiers: HashMap<String, Vec<(usize, String)>>,
    phones: HashMap<String, Vec<(usize, String)>>,
    /// Each specific listed address by its first word with a digit: (entry, its words, as listed).
    addresses: HashMap<String, Vec<(usize, Vec<String>, String)>>,
}

impl Network {
    /// Indexes the listed entities' attributes.
    pub fn build(listed: &[ListedEntity]) -> Network {
        let mut n = Network::default();
        let primary: std::collections::HashSet<String> =
            listed.iter().filter_map(|e| e.names.first()).map(|x| x.name.trim().to_uppercase()).collect();
        let mut linked: BTreeMap<String, usize> = BTreeMap::new();
        for e in listed {
            let i = n.entries.len();
            n.entries.push(Entry {
                list_id: e.list_id.clone(),
                entity_id: e.entity_id.clone(),
                name: e.names.first().map(|x| x.name.clone()).unwrap_or_default(),
            });
            for (label, value) in identifiers_in(&e.remarks) {
                n.identifiers.entry(normalise(value)).or_default().push((i, format!("{label} {value}")));
            }
            for value in phones_in(&e.remarks) {
                n.phones.entry(normalise(value)).or_default().push((i, format!("telephone {value}")));
            }
            // A linked name that is itself a listed party's name is found by screening it; the others are kept.
            for name in links_in(&e.remarks).filter(|name| !primary.contains(&name.to_uppercase())) {
                let at = *linked.entry(name.to_uppercase()).or_insert_with(|| {
                    n.linked.push(Linked { name: name.to_owned(), by: Vec::new() });
                    n.linked.len() - 1
                });
                if !n.linked[at].by.contains(&i) {
                    n.linked[at].by.push(i);
                }
            }
            for address in &e.addresses {
                let w = words(address);
                if specific(&w)
                    && let Some(key) = w.iter().find(|x| x.chars().any(|c| c.is_ascii_digit()))
                {
                    n.addresses.entry(key.clone()).or_default().push((i, w.clone(), address.clone()));
                }
            }
        }
        let names: Vec<ListedEntity> = n
            .linked
            .iter()
            .enumerate()
            .map(|(i, l)| ListedEntity::new("linked_to", &i.to_string(), EntityKind::Unknown, &l.name))
            .collect();
        n.linked_index = (!names.is_empty()).then(|| crate::Index::build(&names, None));
        n
    }

    /// How many names listed parties are linked to (and are not themselves listed names).
    pub fn linked_names(&self) -> usize {
        self.linked.len()
    }

    /// The listed parties whose remarks say they are linked to a name matching `query`'s at `threshold` or above:
    /// one connection per listed party, scored 0.9 times the name's match.
    pub fn linked_to(&self, query: &crate::Query, threshold: f64) -> accord_core::Result<Vec<Connection>> {
        let Some(index) = &self.linked_index else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for hit in index.screen(query, 5, threshold)? {
            let Some(l) = hit.entity_id.parse::<usize>().ok().and_then(|i| self.linked.get(i)) else { continue };
            for &i in &l.by {
                let e = &self.entries[i];
                out.push(Connection {
                    list_id: e.list_id.clone(),
                    entity_id: e.entity_id.clone(),
                    listed_name: e.name.clone(),
                    shared: SharedAttribute::LinkedName,
                    values: vec![format!("Linked To: {}", l.name)],
                    score: SharedAttribute::LinkedName.weight() * hit.score,
                    explanation: format!(
                        "{} ({}) is listed as linked to '{}' (name match {:.2})",
                        e.name, e.list_id, l.name, hit.score
                    ),
                });
            }
        }
        Ok(out)
    }

    /// How many listed identifiers, telephone numbers and street addresses are indexed.
    pub fn size(&self) -> (usize, usize, usize) {
        (self.identifiers.len(), self.phones.len(), self.addresses.values().map(Vec::len).sum())
    }

    /// The listed parties `party` shares an identifier, a telephone number or a street address with, strongest
    /// first.
    pub fn connections(&self, party: &Attributes) -> Vec<Connection> {
        let mut found: BTreeMap<usize, Vec<(SharedAttribute, String)>> = BTreeMap::new();
        for (values, index, kind) in [
            (&party.identifiers, &self.identifiers, SharedAttribute::Identifier),
            (&party.phones, &self.phones, SharedAttribute::Phone),
        ] {
            for v in values {
                for key in keys(v) {
                    for (i, written) in index.get(&key).into_iter().flatten() {
                        found.entry(*i).or_default().push((kind, written.clone()));
                    }
                }
            }
        }
        for address in &party.addresses {
            let w = words(address);
            for key in w.iter().filter(|x| x.chars().any(|c| c.is_ascii_digit())) {
                for (i, listed, written) in self.addresses.get(key).into_iter().flatten() {
                    if w.windows(listed.len()).any(|run| run == listed.as_slice()) {
                        found.entry(*i).or_default().push((SharedAttribute::Address, written.clone()));
                    }
                }
            }
        }
        let mut out: Vec<Connection> = found
            .into_iter()
            .map(|(i, mut shared)| {
                shared.sort();
                shared.dedup();
                let e = &self.entries[i];
                let strongest = shared[0].0;
                let score = (strongest.weight() + 0.05 * (shared.len() - 1) as f64).min(1.0);
                let values: Vec<String> = shared.iter().map(|(_, v)| v.clone()).collect();
                let what: Vec<String> = shared
                    .iter()
                    .map(|(k, v)| match k {
                        SharedAttribute::Address => format!("the address '{v}'"),
                        _ => format!("the {v}"),
                    })
                    .collect();
                Connection {
                    list_id: e.list_id.clone(),
                    entity_id: e.entity_id.clone(),
                    listed_name: e.name.clone(),
                    shared: strongest,
                    values,
                    score,
                    explanation: format!("shares {} with {} ({})", what.join(" and "), e.name, e.list_id),
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entity_id.cmp(&b.entity_id)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::listed::{EntityKind, ListedName, NameKind};

    fn entity(id: &str, name: &str, remarks: &str, addresses: &[&str]) -> ListedEntity {
        ListedEntity {
            list_id: "us_ofac_sdn".into(),
            entity_id: id.into(),
            kind: EntityKind::Organization,
            names: vec![ListedName { name: name.into(), kind: NameKind::Primary }],
            countries: vec![],
            birth_dates: vec![],
            addresses: addresses.iter().map(|a| (*a).to_owned()).collect(),
            programs: vec![],
            remarks: remarks.into(),
            listed_from: None,
            listed_until: None,
        }
    }

    #[test]
    fn identifiers_and_telephone_numbers_are_read_from_remarks_as_the_lists_write_them() {
        let remarks = "Website www.nipc.net; Registration Number 02696754 (United Kingdom); Telephone No. \
                       009613679153; Business Registration Number 0105548035451 (Thailand); Registration Number \
                       467323, Doc. 694710 (Panama); IMO 12; Tax ID No. AABA 670850 Y.";
        assert_eq!(
            identifiers_in(remarks),
            [
                ("Registration Number", "02696754"),
                ("Business Registration Number", "0105548035451"),
                ("Registration Number", "467323"),
                ("Tax ID No.", "AABA 670850 Y"),
            ]
        );
        assert_eq!(phones_in(remarks), ["009613679153"]);
        assert_eq!(normalise("aaba-670 850/y"), "AABA670850Y");
        assert_eq!(keys("Reg. no. 26-740"), ["REGNO26740", "26740"]);
        assert_eq!(keys("Tel: +98 21 1234567"), ["TEL98211234567", "98211234567"]);
        assert_eq!(keys("AABA 670850 Y"), ["AABA670850Y", "670850Y"]);
        assert_eq!(keys("No. 12"), Vec::<String>::new(), "too short to compare");
    }

    #[test]
    fn planted_front_companies_are_found_with_what_they_share_and_ordinary_parties_are_not() {
        // 2,000 listed firms, each with its own registration number, telephone number and street address.
        let listed: Vec<ListedEntity> = (0..2_000)
            .map(|i| {
                entity(
                    &i.to_string(),
                    &format!("LISTED FIRM {i}"),
                    &format!("Registration Number R{i:07} (Iran); Telephone No. 0098 21 {i:07}"),
                    &[&format!("{} Enghelab Street, Tehran", 100 + i)],
                )
            })
            .collect();
        let network = Network::build(&listed);
        assert_eq!(network.size(), (2_000, 2_000, 2_000));
        // 5,000 ordinary parties (their own numbers and streets, some in the same city) and 150 front companies,
        // each sharing one attribute with one listed firm, written its own way.
        let mut parties: Vec<(Attributes, Option<(SharedAttribute, usize)>)> = (0..5_000)
            .map(|j| {
                let a = Attributes {
                    identifiers: vec![format!("C{j:07}")],
                    phones: vec![format!("+98 31 {j:07}")],
                    addresses: vec![if j % 3 == 0 {
                        "Tehran, Iran".to_owned()
                    } else {
                        format!("{} Market Road, Isfahan", 100 + j)
                    }],
                };
                (a, None)
            })
            .collect();
        for k in 0..150 {
            let target = (k * 13) % 2_000;
            let kind = [SharedAttribute::Identifier, SharedAttribute::Phone, SharedAttribute::Address][k % 3];
            let mut a = Attributes {
                identifiers: vec![format!("F{k:07}")],
                phones: vec![format!("+971 4 {k:07}")],
                addresses: vec![format!("{} Sheikh Zayed Road, Dubai", 100 + k)],
            };
            match kind {
                SharedAttribute::Identifier => a.identifiers.push(format!("r-{target:07}")),
                SharedAttribute::Phone => a.phones = vec![format!("0098-21-{target:07}")],
                _ => a.addresses = vec![format!("Office 4, {} ENGHELAB STREET, TEHRAN, Iran", 100 + target)],
            }
            parties.push((a, Some((kind, target))));
        }
        let (mut true_pos, mut false_pos, mut false_neg) = (0, 0, 0);
        for (a, planted) in &parties {
            let found = network.connections(a);
            match planted {
                Some((kind, target)) => {
                    let hit = found.iter().find(|c| c.entity_id == target.to_string());
                    match hit {
                        Some(c) if c.shared == *kind => {
                            true_pos += 1;
                            assert!(c.explanation.contains(&format!("LISTED FIRM {target} (us_ofac_sdn)")));
                        }
                        _ => false_neg += 1,
                    }
                    false_pos += found.iter().filter(|c| c.entity_id != target.to_string()).count();
                }
                None => false_pos += found.len(),
            }
        }
        let precision = f64::from(true_pos) / f64::from(true_pos + false_pos as u32);
        eprintln!(
            "planted front companies: precision {precision:.3}, recall {:.3}",
            f64::from(true_pos) / f64::from(true_pos + false_neg)
        );
        let recall = f64::from(true_pos) / f64::from(true_pos + false_neg);
        assert!(precision >= 0.95 && recall >= 0.95, "precision {precision:.3}, recall {recall:.3}");
        let c = &network.connections(&parties[5_000].0)[0];
        assert_eq!(c.explanation, "shares the Registration Number R0000000 with LISTED FIRM 0 (us_ofac_sdn)");
        let both = Attributes {
            identifiers: vec!["R0000007".into()],
            phones: vec!["0098 21 0000007".into()],
            ..Attributes::default()
        };
        let c = &network.connections(&both)[0];
        assert_eq!((c.shared, c.values.len()), (SharedAttribute::Identifier, 2));
        assert!((c.score - 1.0).abs() < 1e-9, "a second shared attribute raises the score: {}", c.score);
    }

    #[test]
    fn a_name_listed_parties_are_linked_to_connects_whoever_bears_it() {
        let n = Network::build(&[
            entity("1", "NPC INTERNATIONAL", "Website x; Linked To: PERSIAN GULF TRADING HOUSE.", &[]),
            entity("2", "OTHER FIRM", "Linked To: PERSIAN GULF TRADING HOUSE; Linked To: NPC INTERNATIONAL", &[]),
        ]);
        assert_eq!(n.linked_names(), 1, "a link to a listed name is found by screening that name");
        let q = crate::Query { name: "persian gulf trading-house".into(), kind: None, country: None, birth_year: None };
        let found = n.linked_to(&q, crate::DEFAULT_THRESHOLD).expect("screen");
        assert_eq!(found.iter().map(|c| c.entity_id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert!(
            found[0]
                .explanation
                .starts_with("NPC INTERNATIONAL (us_ofac_sdn) is listed as linked to 'PERSIAN GULF TRADING HOUSE'")
        );
        let other = crate::Query { name: "Baltic Timber Export".into(), kind: None, country: None, birth_year: None };
        assert!(n.linked_to(&other, crate::DEFAULT_THRESHOLD).expect("screen").is_empty());
    }

    #[test]
    fn a_city_alone_or_a_short_number_connects_no_one() {
        let n =
            Network::build(&[entity("1", "X", "IMO 1234; Registration Number 12 (Iran)", &["Tehran", "7 Main St"])]);
        let a = Attributes {
            addresses: vec!["Tehran".into(), "17 Main St".into()],
            identifiers: vec!["12".into(), "1234".into()],
            phones: vec![],
        };
        assert!(n.connections(&a).is_empty());
    }
}
