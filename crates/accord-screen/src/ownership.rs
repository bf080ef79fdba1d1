//! Ownership rules applied to a graph of relations: the parties a rule covers because listed parties own them (or
//! control them, where control counts) directly, in aggregate, or through chains of covered entities, each with the
//! path that leads there; the parties it cannot decide because a share is unknown; those controlled without a
//! qualifying share, for an official to assess. Pure: the listed owners, the relations and the day are given.
//!
//! Chains follow OFAC's reading of "indirectly" (FAQ 401): an entity's stake counts only when that entity is itself
//! covered, and then in full — a listed owner holding 50 % of A and of B, which each hold 25 % of C, covers C
//! (25 % + 25 %); holding 25 % of A and of B, which each hold 50 % of C, covers none of them.

use accord_core::ownership::{
    ControlEffect, OwnershipFinding, OwnershipRule, OwnershipStatus, PartyRef, Relation, RelationKind,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why a party is covered.
enum Why {
    Listed,
    Owned { parts: Vec<(String, f64, String)>, total: f64 },
    Controlled { by: String, relation: String },
}

/// A share in words: `30`, `33.33`.
fn percent(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

struct Graph<'a> {
    rule: &'a OwnershipRule,
    parties: HashMap<String, &'a PartyRef>,
    why: HashMap<String, Why>,
}

impl Graph<'_> {
    fn name(&self, key: &str) -> String {
        self.parties.get(key).map_or_else(|| key.to_owned(), |p| p.describe())
    }

    /// How `key` came to be covered, in words, following the path to the listed parties (at most `depth` steps).
    fn explain(&self, key: &str, depth: usize) -> String {
        match self.why.get(key) {
            Some(Why::Listed) | None => format!("listed {}", self.name(key)),
            Some(_) if depth == 0 => format!("{} (covered further up)", self.name(key)),
            Some(Why::Owned { parts, total }) => {
                let each: Vec<String> = parts
                    .iter()
                    .map(|(owner, share, _)| format!("{} % by {}", percent(*share), self.owner(owner, depth - 1)))
                    .collect();
                let sum = if parts.len() > 1 { format!(" = {} %", percent(*total)) } else { String::new() };
                let cmp = if self.rule.at_least { "≥" } else { ">" };
                format!("owned {}{sum} {cmp} {} %", each.join(" + "), percent(self.rule.threshold_percent))
            }
            Some(Why::Controlled { by, .. }) => format!("controlled by {}", self.owner(by, depth - 1)),
        }
    }

    fn owner(&self, key: &str, depth: usize) -> String {
        match self.why.get(key) {
            Some(Why::Listed) | None => self.name(key),
            Some(_) => format!("{} (itself covered: {})", self.name(key), self.explain(key, depth)),
        }
    }

    /// The listed parties at the roots of `key`'s path, and the relations on it.
    fn roots(&self, key: &str, listed: &mut BTreeSet<String>, relations: &mut BTreeSet<String>, depth: usize) {
        match self.why.get(key) {
            Some(Why::Listed) => {
                listed.insert(key.to_owned());
            }
            _ if depth == 0 => {}
            Some(Why::Owned { parts, .. }) => {
                for (owner, _, relation) in parts {
                    relations.insert(relation.clone());
                    self.roots(owner, listed, relations, depth - 1);
                }
            }
            Some(Why::Controlled { by, relation }) => {
                relations.insert(relation.clone());
                self.roots(by, listed, relations, depth - 1);
            }
            None => {}
        }
    }

    fn finding(&self, key: &str, status: OwnershipStatus, percent: f64, explanation: String) -> OwnershipFinding {
        let (mut listed, mut relations) = (BTreeSet::new(), BTreeSet::new());
        self.roots(key, &mut listed, &mut relations, MAX_DEPTH);
        OwnershipFinding {
            rule_id: self.rule.id.clone(),
            party: self.parties[key].clone(),
            status,
            percent,
            explanation,
            listed_owners: listed.iter().filter_map(|k| self.parties.get(k).map(|p| (*p).clone())).collect(),
            missing: Vec::new(),
            relations: relations.into_iter().collect(),
            citation: self.rule.citation.clone(),
            unverified: self.rule.unverified.clone(),
        }
    }
}

/// Longest path explained (a chain of covered entities this long is reported as covered further up).
const MAX_DEPTH: usize = 12;

/// What `rule` concludes on `day` about the parties of `relations`, given the listed parties whose shares count
/// (`listed`: those of the rule's owner lists in force on `day`). Listed parties themselves are not reported. A
/// rule that does not apply on `day` (not yet in force, suspended) concludes nothing.
pub fn apply(
    rule: &OwnershipRule,
    day: jiff::civil::Date,
    listed: &[PartyRef],
    relations: &[Relation],
) -> Vec<OwnershipFinding> {
    if rule.applies_on(day).is_err() {
        return Vec::new();
    }
    let holding: Vec<&Relation> = relations
        .iter()
        .filter(|r| r.holds_on(day) && matches!(r.kind, RelationKind::Owns | RelationKind::Controls))
        .collect();
    let mut g = Graph { rule, parties: HashMap::new(), why: HashMap::new() };
    for p in listed {
        g.parties.insert(p.key(), p);
        g.why.insert(p.key(), Why::Listed);
    }
    let mut owned: BTreeMap<String, Vec<&Relation>> = BTreeMap::new();
    let mut controlled: BTreeMap<String, Vec<&Relation>> = BTreeMap::new();
    for r in &holding {
        g.parties.entry(r.from.key()).or_insert(&r.from);
        g.parties.entry(r.to.key()).or_insert(&r.to);
        let into = if r.kind == RelationKind::Owns { &mut owned } else { &mut controlled };
        into.entry(r.to.key()).or_default().push(r);
    }
    // Covered parties, in the order they were found: each only from owners covered before it, so paths end.
    let mut covered: Vec<String> = Vec::new();
    loop {
        let mut found: Vec<(String, Why)> = Vec::new();
        for (target, rels) in &owned {
            if g.why.contains_key(target) {
                continue;
            }
            let parts: Vec<(String, f64, String)> = rels
                .iter()
                .filter(|r| g.why.contains_key(&r.from.key()))
                .filter_map(|r| Some((r.from.key(), r.share_percent?, r.id.clone())))
                .collect();
            let total = if rule.aggregate {
                parts.iter().map(|p| p.1).sum()
            } else {
                parts.iter().map(|p| p.1).fold(0.0, f64::max)
            };
            if !parts.is_empty() && rule.reaches(total) {
                let parts =
                    if rule.aggregate { parts } else { parts.into_iter().filter(|p| p.1 == total).take(1).collect() };
                found.push((target.clone(), Why::Owned { parts, total }));
            }
        }
        if rule.control == ControlEffect::Covers {
            for (target, rels) in &controlled {
                if g.why.contains_key(target) || found.iter().any(|(t, _)| t == target) {
                    continue;
                }
                if let Some(r) = rels.iter().find(|r| g.why.contains_key(&r.from.key())) {
                    found.push((target.clone(), Why::Controlled { by: r.from.key(), relation: r.id.clone() }));
                }
            }
        }
        if found.is_empty() {
            break;
        }
        for (target, why) in found {
            covered.push(target.clone());
            g.why.insert(target, why);
        }
    }
    let mut out: Vec<OwnershipFinding> = covered
        .iter()
        .map(|key| {
            let total = match &g.why[key] {
                Why::Owned { total, .. } => *total,
                _ => 0.0,
            };
            let explanation = format!("{}: {} → {}", g.name(key), g.explain(key, MAX_DEPTH), rule.effect);
            g.finding(key, OwnershipStatus::Covered, total, explanation)
        })
        .collect();
    // Not covered on the shares known, but a covered owner's share is unknown.
    for (target, rels) in &owned {
        if g.why.contains_key(target) {
            continue;
        }
        let of_covered: Vec<&&Relation> = rels.iter().filter(|r| g.why.contains_key(&r.from.key())).collect();
        let unknown: Vec<&&Relation> = of_covered.iter().copied().filter(|r| r.share_percent.is_none()).collect();
        if unknown.is_empty() {
            continue;
        }
        let known: f64 = of_covered.iter().filter_map(|r| r.share_percent).sum();
        let missing: Vec<String> = unknown
            .iter()
            .map(|r| format!("the share of {} owned by {}", g.name(target), g.owner(&r.from.key(), MAX_DEPTH)))
            .collect();
        let explanation = format!(
            "{}: owned by {} in shares not all known ({} % known) — undetermined under {} until {} known",
            g.name(target),
            of_covered.iter().map(|r| g.name(&r.from.key())).collect::<Vec<_>>().join(" and "),
            percent(known),
            rule.id,
            if missing.len() == 1 { "it is" } else { "they are" }
        );
        let mut f = g.finding(target, OwnershipStatus::Undetermined, known, explanation);
        for r in &of_covered {
            f.relations.push(r.id.clone());
            let (mut roots, mut rels) = (BTreeSet::new(), BTreeSet::new());
            g.roots(&r.from.key(), &mut roots, &mut rels, MAX_DEPTH);
            f.listed_owners.extend(roots.iter().filter_map(|k| g.parties.get(k).map(|p| (*p).clone())));
            f.relations.extend(rels);
        }
        f.relations.sort();
        f.relations.dedup();
        f.listed_owners.dedup();
        f.missing = missing;
        out.push(f);
    }
    if rule.control == ControlEffect::Review {
        for (target, rels) in &controlled {
            if g.why.contains_key(target) {
                continue;
            }
            if let Some(r) = rels.iter().find(|r| g.why.contains_key(&r.from.key())) {
                let explanation = format!(
                    "{}: controlled by {} without a qualifying share — for an official to assess under {}",
                    g.name(target),
                    g.owner(&r.from.key(), MAX_DEPTH),
                    rule.id
                );
                let mut f = g.finding(target, OwnershipStatus::ControlReview, 0.0, explanation);
                f.relations.push(r.id.clone());
                let (mut roots, mut rels) = (BTreeSet::new(), BTreeSet::new());
                g.roots(&r.from.key(), &mut roots, &mut rels, MAX_DEPTH);
                f.listed_owners = roots.iter().filter_map(|k| g.parties.get(k).map(|p| (*p).clone())).collect();
                f.relations.extend(rels);
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::ownership::Suspension;
    use jiff::civil::date;

    fn ofac() -> OwnershipRule {
        OwnershipRule {
            id: "us.ofac_50_percent".into(),
            jurisdiction: "US".into(),
            effect: "blocked".into(),
            owner_lists: vec!["us_ofac_sdn".into()],
            owner_id_prefixes: vec![],
            threshold_percent: 50.0,
            at_least: true,
            aggregate: true,
            control: ControlEffect::Ignored,
            in_force_from: None,
            suspensions: vec![],
            citation: "OFAC FAQ 401".into(),
            unverified: None,
        }
    }

    fn sdn(name: &str) -> PartyRef {
        PartyRef { list_id: Some("us_ofac_sdn".into()), entity_id: Some(name.into()), name: name.into(), country: None }
    }

    fn firm(name: &str) -> PartyRef {
        PartyRef { list_id: None, entity_id: None, name: name.into(), country: Some("AE".into()) }
    }

    fn rel(id: &str, from: PartyRef, to: PartyRef, kind: RelationKind, share: Option<f64>) -> Relation {
        Relation {
            id: id.into(),
            authority_id: "US-BIS".into(),
            version: 1,
            from,
            to,
            kind,
            share_percent: share,
            valid_from: None,
            valid_until: None,
            source: "registry".into(),
            recorded_by: "user:test".into(),
            recorded_at: accord_core::now(),
            revoked_at: None,
            revoked_because: None,
        }
    }

    fn owns(id: &str, from: PartyRef, to: &str, share: Option<f64>) -> Relation {
        rel(id, from, firm(to), RelationKind::Owns, share)
    }

    const DAY: jiff::civil::Date = date(2026, 6, 1);

    fn covered(findings: &[OwnershipFinding]) -> Vec<(&str, OwnershipStatus)> {
        findings.iter().map(|f| (f.party.name.as_str(), f.status)).collect()
    }

    #[test]
    fn shares_of_several_listed_owners_add_up_and_the_path_says_so() {
        let rels = [owns("r1", sdn("X"), "A", Some(30.0)), owns("r2", sdn("Y"), "A", Some(25.0))];
        let f = apply(&ofac(), DAY, &[sdn("X"), sdn("Y")], &rels);
        assert_eq!(covered(&f), [("A", OwnershipStatus::Covered)]);
        assert_eq!(
            f[0].explanation,
            "A: owned 30 % by X (us_ofac_sdn) + 25 % by Y (us_ofac_sdn) = 55 % ≥ 50 % → blocked"
        );
        assert_eq!((f[0].percent, f[0].listed_owners.len(), f[0].relations.len()), (55.0, 2, 2));
        // Without aggregation (a rule counting one owner at a time) neither share is enough.
        let single = OwnershipRule { aggregate: false, ..ofac() };
        assert!(apply(&single, DAY, &[sdn("X"), sdn("Y")], &rels).is_empty());
        // 50 % exactly covers under "50 percent or more", not under "more than 50 percent".
        let half = [owns("r1", sdn("X"), "B", Some(50.0))];
        assert_eq!(covered(&apply(&ofac(), DAY, &[sdn("X")], &half)), [("B", OwnershipStatus::Covered)]);
        let more_than = OwnershipRule { at_least: false, ..ofac() };
        assert!(apply(&more_than, DAY, &[sdn("X")], &half).is_empty());
    }

    #[test]
    fn chains_count_a_covered_entitys_stake_in_full_and_an_uncovered_ones_not_at_all() {
        // FAQ 401, example 2: X holds 50 % of A and of B; A and B each hold 25 % of C.
        let rels = [
            owns("r1", sdn("X"), "A", Some(50.0)),
            owns("r2", sdn("X"), "B", Some(50.0)),
            owns("r3", firm("A"), "C", Some(25.0)),
            owns("r4", firm("B"), "C", Some(25.0)),
        ];
        let f = apply(&ofac(), DAY, &[sdn("X")], &rels);
        assert_eq!(
            covered(&f),
            [("A", OwnershipStatus::Covered), ("B", OwnershipStatus::Covered), ("C", OwnershipStatus::Covered)]
        );
        let c = &f[2];
        assert!(c.explanation.starts_with("C: owned 25 % by A (itself covered: owned 50 % by X (us_ofac_sdn) ≥ 50 %)"));
        assert_eq!(c.listed_owners, [sdn("X")]);
        assert_eq!(c.relations, ["r1", "r2", "r3", "r4"]);
        // X holds 25 % of A and of B, which each hold 50 % of C: none is covered.
        let thin = [
            owns("r1", sdn("X"), "A", Some(25.0)),
            owns("r2", sdn("X"), "B", Some(25.0)),
            owns("r3", firm("A"), "C", Some(50.0)),
            owns("r4", firm("B"), "C", Some(50.0)),
        ];
        assert!(apply(&ofac(), DAY, &[sdn("X")], &thin).is_empty());
    }

    #[test]
    fn control_without_a_majority_is_ignored_flagged_or_covering_as_the_rule_says() {
        let rels = [rel("r1", sdn("X"), firm("D"), RelationKind::Controls, None)];
        assert!(apply(&ofac(), DAY, &[sdn("X")], &rels).is_empty(), "OFAC: ownership only (FAQ 398)");
        let review = OwnershipRule { control: ControlEffect::Review, ..ofac() };
        let f = apply(&review, DAY, &[sdn("X")], &rels);
        assert_eq!(covered(&f), [("D", OwnershipStatus::ControlReview)]);
        assert!(f[0].explanation.contains("controlled by X (us_ofac_sdn)"), "{}", f[0].explanation);
        let covers = OwnershipRule { control: ControlEffect::Covers, ..ofac() };
        let f = apply(&covers, DAY, &[sdn("X")], &rels);
        assert_eq!(covered(&f), [("D", OwnershipStatus::Covered)]);
    }

    #[test]
    fn an_unknown_share_leaves_the_party_undetermined_and_names_the_missing_data() {
        let rels = [owns("r1", sdn("X"), "E", Some(20.0)), owns("r2", sdn("Y"), "E", None)];
        let f = apply(&ofac(), DAY, &[sdn("X"), sdn("Y")], &rels);
        assert_eq!(covered(&f), [("E", OwnershipStatus::Undetermined)]);
        assert_eq!(f[0].percent, 20.0);
        assert_eq!(f[0].missing, ["the share of E owned by Y (us_ofac_sdn)"]);
        assert!(f[0].explanation.contains("undetermined"), "{}", f[0].explanation);
        // Known shares enough on their own: covered, whatever the unknown one is.
        let enough = [owns("r1", sdn("X"), "E", Some(60.0)), owns("r2", sdn("Y"), "E", None)];
        assert_eq!(covered(&apply(&ofac(), DAY, &[sdn("X"), sdn("Y")], &enough)), [("E", OwnershipStatus::Covered)]);
    }

    #[test]
    fn a_listing_that_ended_a_relation_revoked_or_over_and_a_suspended_rule_cover_nothing() {
        let rels = [owns("r1", sdn("X"), "A", Some(60.0))];
        assert!(apply(&ofac(), DAY, &[], &rels).is_empty(), "X no longer listed on the day");
        let mut revoked = rels[0].clone();
        revoked.revoked_at = Some(accord_core::now());
        assert!(apply(&ofac(), DAY, &[sdn("X")], &[revoked]).is_empty());
        let mut over = rels[0].clone();
        over.valid_until = Some(date(2026, 1, 1));
        assert!(apply(&ofac(), DAY, &[sdn("X")], std::slice::from_ref(&over)).is_empty());
        assert_eq!(apply(&ofac(), date(2025, 12, 31), &[sdn("X")], &[over]).len(), 1, "it held then");
        let suspension = Suspension {
            from: date(2025, 11, 10),
            through: date(2026, 11, 9),
            citation: "suspension rule".into(),
            unverified: None,
        };
        let suspended = OwnershipRule { suspensions: vec![suspension], ..ofac() };
        assert!(apply(&suspended, date(2026, 6, 1), &[sdn("X")], &rels).is_empty());
        assert_eq!(apply(&suspended, date(2026, 11, 10), &[sdn("X")], &rels).len(), 1, "back in force");
        let later = OwnershipRule { in_force_from: Some(date(2027, 1, 1)), ..ofac() };
        assert!(apply(&later, DAY, &[sdn("X")], &rels).is_empty());
    }

    #[test]
    fn cycles_of_ownership_end() {
        let rels = [
            owns("r1", sdn("X"), "A", Some(60.0)),
            owns("r2", firm("A"), "B", Some(60.0)),
            owns("r3", firm("B"), "A", Some(40.0)),
        ];
        let f = apply(&ofac(), DAY, &[sdn("X")], &rels);
        assert_eq!(covered(&f), [("A", OwnershipStatus::Covered), ("B", OwnershipStatus::Covered)]);
    }
}
