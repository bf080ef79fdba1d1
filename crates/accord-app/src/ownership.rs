//! Ownership and control: the relations an authority's officials record (shared with the allies, who may record
//! their own), and what the ownership rules of the policies in force conclude from them and from the lists in force
//! on a day — each conclusion with its path, the listed owners at its roots, and the data that is missing.

use crate::allied::acting_authority;
use crate::authz::{Action, require};
use crate::{App, event};
use accord_core::audit::EventKind;
use accord_core::ownership::{OwnershipFinding, OwnershipRule, PartyRef, Relation, RelationKind};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A relation to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelation {
    /// The owner, controller, director, or first party.
    pub from: PartyRef,
    /// The owned or controlled party, or the second party.
    pub to: PartyRef,
    /// How they relate: `owns`, `controls`, `director_of`, `linked_to`, `shares_address`, `shares_identifier`,
    /// `shares_phone`.
    pub kind: RelationKind,
    /// For `owns`: the share in percent (more than 0, at most 100); leave it out when unknown.
    #[serde(default)]
    pub share_percent: Option<f64>,
    /// The first day it holds (`YYYY-MM-DD`), when known.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// The day it ended (exclusive), when it has.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Where the fact comes from.
    pub source: String,
}

/// Why a relation is revoked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRevocation {
    /// The reason, in words.
    pub reason: String,
}

/// What the ownership rules conclude on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnershipReport {
    /// The day.
    #[schema(value_type = String, format = Date)]
    pub day: jiff::civil::Date,
    /// The rules of the policies in force, each cited.
    pub rules: Vec<OwnershipRule>,
    /// The rules that do not apply on the day, and why (not yet in force, suspended).
    pub not_applying: Vec<String>,
    /// The conclusions, rule by rule.
    pub findings: Vec<OwnershipFinding>,
    /// Relations naming a listed party that is on no list in force (its shares count for nothing).
    pub unknown_listed: Vec<String>,
}

fn date(field: &str, s: &Option<String>) -> Result<Option<jiff::civil::Date>> {
    s.as_deref()
        .map(|d| d.parse().map_err(|_| Error::validation(field, format!("{field}: '{d}' is not a date (YYYY-MM-DD)"))))
        .transpose()
}

/// A party of the ownership conclusions whose name matches a screened one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnershipHit {
    /// How well the screened name matches the party's, 0 to 1.
    pub score: f64,
    /// The conclusion about the party, with its path.
    pub finding: OwnershipFinding,
}

/// The conclusions of a day with a screening index of their parties' names (entity `i` is finding `i`).
pub(crate) struct Concluded {
    pub(crate) report: OwnershipReport,
    index: accord_screen::Index,
}

/// The ownership conclusions of a day, computed at an audit head (each change to relations, lists or policies
/// moves the head).
#[derive(Default)]
pub(crate) struct OwnershipCache {
    kept: std::sync::Mutex<Option<(i64, jiff::civil::Date, std::sync::Arc<Concluded>)>>,
}

/// The relations that count: of several records of the same relation (same parties and kind, by this authority
/// or by allies) not revoked, the latest recorded (a new share of the same owner replaces the old one).
fn effective(relations: &[Relation]) -> Vec<&Relation> {
    let mut latest: std::collections::BTreeMap<(String, String, &str), &Relation> = std::collections::BTreeMap::new();
    for r in relations.iter().filter(|r| r.revoked_at.is_none()) {
        let key = (r.from.key(), r.to.key(), r.kind.as_str());
        match latest.get(&key) {
            Some(kept) if kept.recorded_at >= r.recorded_at => {}
            _ => {
                latest.insert(key, r);
            }
        }
    }
    latest.into_values().collect()
}

/// Most relations a node keeps in force for one authority (a bound on what one authority's officials may enter).
const MAX_RELATIONS: usize = 100_000;

impl App {
    /// Records a relation between two parties for the caller's authority (its analysts and officers), shared with
    /// the allies. A listed party must be on a list stored here; the known shares owned in one party may not add up
    /// to more than 100 %.
    pub async fn record_relation(&self, p: &Principal, input: NewRelation) -> Result<Relation> {
        let authority = acting_authority(p, Action::RecordRelations)?;
        let listed = input.from.list_id.is_some() || input.to.list_id.is_some();
        let entities = if listed { self.index_and_versions().await?.1 } else { Default::default() };
        // A listed party is named as its list names it.
        let (mut from, mut to) = (input.from, input.to);
        for (field, party) in [("from", &mut from), ("to", &mut to)] {
            party.country = party.country.as_deref().map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty());
            if let (Some(list), Some(id)) = (&party.list_id, &party.entity_id) {
                let entity = entities.get(&(list.clone(), id.clone())).ok_or_else(|| {
                    Error::new(ErrorCode::NotFound, format!("{field}: no entity '{id}' on a list '{list}' stored here"))
                })?;
                party.name = entity.name.clone();
            }
        }
        let relation = Relation {
            id: accord_core::ids::generate_id("rel"),
            authority_id: authority.to_string(),
            version: 1,
            from,
            to,
            kind: input.kind,
            share_percent: input.share_percent,
            valid_from: date("valid_from", &input.valid_from)?,
            valid_until: date("valid_until", &input.valid_until)?,
            source: input.source,
            recorded_by: p.actor(),
            recorded_at: accord_core::now(),
            revoked_at: None,
            revoked_because: None,
        };
        relation.check()?;
        let existing = self.relations_all().await?;
        if existing.iter().filter(|r| r.authority_id == relation.authority_id).count() >= MAX_RELATIONS {
            return Err(Error::validation(
                "relations",
                format!("an authority keeps at most {MAX_RELATIONS} relations"),
            ));
        }
        let today = crate::controls::day();
        let (from_key, to_key) = (relation.from.key(), relation.to.key());
        let same = |r: &&Relation| r.kind == relation.kind && r.from.key() == from_key && r.to.key() == to_key;
        if let Some(twin) = existing.iter().filter(same).find(|r| {
            r.authority_id == relation.authority_id
                && r.revoked_at.is_none()
                && r.share_percent == relation.share_percent
        }) {
            return Err(Error::new(ErrorCode::Conflict, format!("this relation is already recorded as {}", twin.id)));
        }
        if let Some(share) = relation.share_percent {
            // Another record of the same owner's share (an older one, an ally's) is the same share, not more.
            let held: f64 = effective(&existing)
                .into_iter()
                .filter(|r| r.kind == RelationKind::Owns && r.to.key() == to_key && r.holds_on(today))
                .filter(|r| r.from.key() != from_key)
                .filter_map(|r| r.share_percent)
                .sum();
            if held + share > 100.0 + 1e-9 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!(
                        "the shares recorded in {} would add up to {} % (more than 100 %): revoke the relation it \
                         replaces first",
                        relation.to.name,
                        held + share
                    ),
                ));
            }
        }
        self.keep_relation(p, &relation, EventKind::RelationRecorded).await?;
        Ok(relation)
    }

    /// Revokes a relation the caller's authority recorded (it then counts for nothing; it stays, marked so).
    pub async fn revoke_relation(&self, p: &Principal, id: &str, input: RelationRevocation) -> Result<Relation> {
        let authority = acting_authority(p, Action::RecordRelations)?;
        let reason = accord_core::model::parse_name("reason", &input.reason)?;
        let mut relation = self
            .relations_all()
            .await?
            .into_iter()
            .find(|r| r.id == id && r.authority_id == authority.as_str())
            .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no relation '{id}' of {authority}")))?;
        if relation.revoked_at.is_some() {
            return Err(Error::new(ErrorCode::Conflict, format!("relation '{id}' is already revoked")));
        }
        relation.version += 1;
        relation.revoked_at = Some(accord_core::now());
        relation.revoked_because = Some(reason);
        self.keep_relation(p, &relation, EventKind::RelationRevoked).await?;
        Ok(relation)
    }

    async fn keep_relation(&self, p: &Principal, r: &Relation, kind: EventKind) -> Result<()> {
        let authority = accord_core::ids::AuthorityId::parse(&r.authority_id)?;
        let mut mutations = vec![crate::federation::kept(r, true)];
        mutations.extend(self.publication(r));
        let payload = json!({
            "kind": r.kind.as_str(), "from": r.from.key(), "to": r.to.key(), "share_percent": r.share_percent,
            "version": r.version, "revoked": r.revoked_at.is_some(),
        });
        self.commit_and_notify(mutations, vec![event(p, Some(&authority), kind, &r.id, payload)]).await
    }

    async fn relations_all(&self) -> Result<Vec<Relation>> {
        self.all_shared::<Relation>().await
    }

    /// Every relation this node holds: its authorities' and those the allies shared (officials), newest first.
    pub async fn relations(&self, p: &Principal) -> Result<Vec<Relation>> {
        require(p, Action::ReadOwnership)?;
        let mut all = self.relations_all().await?;
        all.sort_by(|a, b| b.recorded_at.cmp(&a.recorded_at).then_with(|| a.id.cmp(&b.id)));
        Ok(all)
    }

    /// What every ownership rule of the policies in force on `day` (default today) concludes from the relations
    /// and the lists in force (officials).
    pub async fn ownership(&self, p: &Principal, day: Option<jiff::civil::Date>) -> Result<OwnershipReport> {
        require(p, Action::ReadOwnership)?;
        self.ownership_on(day.unwrap_or_else(crate::controls::day)).await
    }

    /// The conclusions of `day`, computed once per audit head, with their parties' names indexed for screening.
    pub(crate) async fn ownership_cached(&self, day: jiff::civil::Date) -> Result<std::sync::Arc<Concluded>> {
        let head = self.store.audit_head().await?.0;
        let poisoned = || Error::internal("the ownership cache is poisoned");
        if let Some((h, d, r)) = self.ownership.kept.lock().map_err(|_| poisoned())?.as_ref()
            && *h == head
            && *d == day
        {
            return Ok(r.clone());
        }
        let report = self.ownership_on(day).await?;
        let parties: Vec<accord_core::listed::ListedEntity> = report
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let kind = accord_core::listed::EntityKind::Organization;
                accord_core::listed::ListedEntity::new("ownership", &i.to_string(), kind, &f.party.name)
            })
            .collect();
        let index = accord_screen::Index::build(&parties, self.name_variants().as_deref());
        let concluded = std::sync::Arc::new(Concluded { report, index });
        *self.ownership.kept.lock().map_err(|_| poisoned())? = Some((head, day, concluded.clone()));
        Ok(concluded)
    }

    /// The parties of the conclusions whose names match `name` at `threshold` or above, best first (every
    /// conclusion about a matching party: one per rule).
    pub(crate) fn ownership_hits(&self, concluded: &Concluded, name: &str, threshold: f64) -> Vec<OwnershipHit> {
        if concluded.report.findings.is_empty() {
            return Vec::new();
        }
        let query = accord_screen::Query { name: name.to_owned(), kind: None, country: None, birth_year: None };
        let limit = concluded.report.findings.len().min(50);
        let Ok(hits) = concluded.index.screen(&query, limit, threshold) else { return Vec::new() };
        hits.into_iter()
            .filter_map(|h| {
                let finding = concluded.report.findings.get(h.entity_id.parse::<usize>().ok()?)?.clone();
                Some(OwnershipHit { score: h.score, finding })
            })
            .collect()
    }

    /// [`App::ownership`] without the permission check (screening and determinations read it too).
    pub(crate) async fn ownership_on(&self, day: jiff::civil::Date) -> Result<OwnershipReport> {
        // Without a policy set there is no ownership rule (screening still answers).
        let rules: Vec<OwnershipRule> = match self.policies_on(day).await {
            Ok((_, policies)) => policies.ownership_rules().into_iter().cloned().collect(),
            Err(e) if e.code == ErrorCode::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let relations = self.relations_all().await?;
        let entities =
            if self.store.lists().await?.is_empty() { Default::default() } else { self.index_and_versions().await?.1 };
        let mut report =
            OwnershipReport { day, rules, not_applying: Vec::new(), findings: Vec::new(), unknown_listed: Vec::new() };
        for r in &relations {
            if let (Some(list), Some(id)) = (&r.from.list_id, &r.from.entity_id)
                && r.holds_on(day)
                && !entities.contains_key(&(list.clone(), id.clone()))
            {
                report.unknown_listed.push(format!("{} names {list}:{id}, on no list in force", r.id));
            }
        }
        let counted: Vec<Relation> = effective(&relations).into_iter().cloned().collect();
        for rule in &report.rules {
            if let Err(why) = rule.applies_on(day) {
                report.not_applying.push(why);
                continue;
            }
            // The listed owners this rule counts: the relations' listed parties on its lists, in force on the day.
            let mut listed: Vec<PartyRef> = Vec::new();
            for party in relations.iter().flat_map(|r| [&r.from, &r.to]) {
                let (Some(list), Some(id)) = (&party.list_id, &party.entity_id) else { continue };
                let counts = rule.owner_lists.contains(list)
                    && (rule.owner_id_prefixes.is_empty() || rule.owner_id_prefixes.iter().any(|x| id.starts_with(x)));
                let in_force = entities
                    .get(&(list.clone(), id.clone()))
                    .is_some_and(|e| e.listed_from.is_none_or(|f| f <= day) && e.listed_until.is_none_or(|u| day < u));
                if counts && in_force && !listed.iter().any(|l| l.key() == party.key()) {
                    listed.push(party.clone());
                }
            }
            report.findings.extend(accord_screen::ownership::apply(rule, day, &listed, &counted));
        }
        Ok(report)
    }
}
