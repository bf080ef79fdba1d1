//! Restricted-party screening over every list in force, with officers' adjudications applied.
//!
//! The index lives in memory, built from the store and swapped atomically when a new list version
//! lands (in this process, or in another process sharing the database: see [`App::refresh_screening`]).

use crate::authz::{Action, require};
use crate::{App, event, scope_of, user_principal};
use accord_core::audit::EventKind;
use accord_core::ids::AdjudicationId;
use accord_core::listed::{Adjudication, EntityKind, Verdict};
use accord_core::model::parse_country;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_screen::{Hit, Index, InputWarning, NameVariants, Query};
use accord_store::Mutation;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use utoipa::ToSchema;

/// Most queries in one screening request.
pub const MAX_BATCH: usize = 1000;
/// Most hits returned per query.
pub const MAX_LIMIT: usize = 100;
/// Most work one screening request may ask for: queries × limit (1,000 parties at 10 hits, 200 at 100).
pub const SCREEN_BUDGET: usize = 10_000;
/// Largest screening answer, in bytes of JSON (estimated as the hits are gathered).
pub const MAX_RESPONSE_BYTES: usize = 8 << 20;

/// What the app keeps of each listed entity besides the index: its content version and listing facts.
#[derive(Debug, Clone)]
pub(crate) struct EntityInfo {
    /// The list version its current content appeared in.
    pub(crate) version: i64,
    /// Programmes or legal bases.
    pub(crate) programs: Vec<String>,
    /// The day the listing took effect, when known.
    pub(crate) listed_from: Option<jiff::civil::Date>,
    /// The day the listing ends, when known.
    pub(crate) listed_until: Option<jiff::civil::Date>,
    /// Its primary name.
    pub(crate) name: String,
    /// Its addresses as listed.
    pub(crate) addresses: Vec<String>,
}

/// Entity facts by (list, entity).
pub(crate) type EntityVersions = HashMap<(String, String), EntityInfo>;

/// The index in force and what it was built from.
pub(crate) struct Loaded {
    index: Arc<Index>,
    /// `list_id@version` of every list, sorted: tells whether the store has moved on.
    fingerprint: String,
    /// The version each entity's current content appeared in, by (list, entity).
    versions: Arc<EntityVersions>,
    /// The listed parties' identifiers, telephone numbers and street addresses.
    network: Arc<accord_screen::network::Network>,
}

/// Screening state shared by every clone of the [`App`].
pub(crate) struct Screening {
    pub(crate) variants: Option<Arc<NameVariants>>,
    pub(crate) loaded: RwLock<Option<Loaded>>,
    /// Serialises rebuilds so two refreshes do not build the same index twice.
    pub(crate) rebuild: tokio::sync::Mutex<()>,
    /// One permit per core: screening requests run on the blocking pool, at most this many at once, so
    /// that a flood of batches neither starves the request workers nor piles up threads.
    pub(crate) running: Arc<tokio::sync::Semaphore>,
}

impl Screening {
    pub(crate) fn new(variants: Option<Arc<NameVariants>>) -> Screening {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Screening {
            variants,
            loaded: RwLock::new(None),
            rebuild: tokio::sync::Mutex::new(()),
            running: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

/// One party to screen.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenQuery {
    /// The name as written, in any script.
    pub name: String,
    /// `person`, `organization`, `vessel`, `aircraft` or `any` (default).
    #[serde(default)]
    pub r#type: Option<String>,
    /// ISO country code linked to the party, when known.
    #[serde(default)]
    pub country: Option<String>,
    /// Year of birth or incorporation, when known.
    #[serde(default)]
    pub birth_year: Option<i32>,
    /// A stable key for the party (e.g. a customer id) that adjudications attach to; the normalised name otherwise.
    #[serde(default)]
    pub subject: Option<String>,
    /// The party's street address, when known: a listed party's street address found in it is a connection.
    #[serde(default)]
    pub address: Option<String>,
    /// The party's identifiers (registration, tax, vessel numbers), when known (at most 20).
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The party's telephone number, when known.
    #[serde(default)]
    pub phone: Option<String>,
}

/// One hit, with the adjudication that applies to it, if any.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenHit {
    /// The match and its explanation.
    #[serde(flatten)]
    pub hit: Hit,
    /// The version of the listed entity's current content.
    pub entity_version: i64,
    /// True when an officer of the caller's authority judged this hit a false positive and the entity has not changed since.
    pub suppressed: bool,
    /// The adjudication in force for this subject and entity, if any.
    pub adjudication: Option<Adjudication>,
}

/// The answer for one party.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenResult {
    /// The subject key adjudications use for this party.
    pub subject: String,
    /// Hits, best first.
    pub hits: Vec<ScreenHit>,
    /// Red flags in how the name is written (invisible characters, text-direction controls, mixed alphabets):
    /// it was screened as if written plainly, but an officer should see them.
    pub warnings: Vec<InputWarning>,
    /// Parties matching the name that an ownership rule covers (owned by listed parties), cannot decide (a share
    /// is unknown) or flags (controlled by one), each with its path: "no hit, but owned by …".
    pub ownership: Vec<crate::OwnershipHit>,
    /// Listed parties this one shares an identifier, a telephone number or a street address with (when the query
    /// gave them), strongest first: "no hit, but shares an address with …".
    pub connections: Vec<accord_screen::network::Connection>,
}

/// Request to record an adjudication.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdjudication {
    /// The subject key of the screened party (as returned by screening).
    pub subject: String,
    /// The hit's list.
    pub list_id: String,
    /// The hit's entity.
    pub entity_id: String,
    /// `true_positive` or `false_positive`.
    pub verdict: Verdict,
    /// Why (required, shown to auditors).
    pub reason: String,
}

/// Parses an entity type filter; `any` or nothing means every type.
pub fn parse_kind(s: Option<&str>) -> Result<Option<EntityKind>> {
    match s.map(str::trim) {
        None | Some("") | Some("any") => Ok(None),
        Some(k) => match EntityKind::parse(k) {
            Some(kind) => Ok(Some(kind)),
            None => Err(Error::validation(
                "type",
                format!(
                    "unknown type '{}' (person, organization, vessel, aircraft or any)",
                    accord_core::ids::truncate(k)
                ),
            )),
        },
    }
}

/// Checks a screening threshold.
pub fn check_threshold(t: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(Error::validation("threshold", format!("threshold must be between 0 and 1, got {t}")))
    }
}

/// Most identifiers one screened party may carry.
pub const MAX_IDENTIFIERS: usize = 20;

impl ScreenQuery {
    /// The attributes compared with the listed parties' (address, identifiers, telephone), each checked.
    pub fn attributes(&self) -> Result<accord_screen::network::Attributes> {
        if self.identifiers.len() > MAX_IDENTIFIERS {
            return Err(Error::validation("identifiers", format!("at most {MAX_IDENTIFIERS} identifiers")));
        }
        let given = |field: &str, v: &Option<String>| -> Result<Vec<String>> {
            v.iter().filter(|x| !x.trim().is_empty()).map(|x| accord_core::model::parse_name(field, x)).collect()
        };
        Ok(accord_screen::network::Attributes {
            addresses: given("address", &self.address)?,
            identifiers: self
                .identifiers
                .iter()
                .enumerate()
                .map(|(i, x)| accord_core::model::parse_name(&format!("identifiers[{i}]"), x))
                .collect::<Result<_>>()?,
            phones: given("phone", &self.phone)?,
        })
    }

    /// The engine's query; fails on a bad type, country or birth year.
    pub fn to_query(&self) -> Result<Query> {
        let country = self
            .country
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(|c| parse_country("country", &c.trim().to_uppercase()))
            .transpose()?;
        if let Some(y) = self.birth_year
            && !(1800..=2100).contains(&y)
        {
            return Err(Error::validation("birth_year", format!("birth_year {y} is not a plausible year")));
        }
        Ok(Query {
            name: self.name.clone(),
            kind: parse_kind(self.r#type.as_deref())?,
            country,
            birth_year: self.birth_year,
        })
    }
}

pub(crate) fn fingerprint(lists: &[accord_core::listed::ListVersion]) -> String {
    let mut parts: Vec<String> = lists.iter().map(|l| format!("{}@{}", l.list_id, l.version)).collect();
    parts.sort();
    parts.join(",")
}

impl App {
    /// Uses a name-variant table (e.g. Mohammed / Muhammad / Мухаммад / محمد) for screening.
    pub fn with_name_variants(self, variants: Arc<NameVariants>) -> App {
        App { screening: Arc::new(Screening::new(Some(variants))), ..self }
    }

    /// Rebuilds the screening index when the lists in force changed since it was built; returns
    /// whether it rebuilt. Cheap when nothing changed (one small query).
    pub async fn refresh_screening(&self) -> Result<bool> {
        let _guard = self.screening.rebuild.lock().await;
        let lists = self.store.lists().await?;
        let wanted = fingerprint(&lists);
        if self
            .screening
            .loaded
            .read()
            .map_err(|_| Error::internal("screening state poisoned"))?
            .as_ref()
            .is_some_and(|l| l.fingerprint == wanted)
        {
            return Ok(false);
        }
        let entities = self.store.list_entities(None).await?;
        let variants = self.screening.variants.clone();
        let started = std::time::Instant::now();
        let (index, versions, network) = tokio::task::spawn_blocking(move || {
            let versions: EntityVersions = entities
                .iter()
                .map(|(e, v)| {
                    let info = EntityInfo {
                        version: *v,
                        programs: e.programs.clone(),
                        listed_from: e.listed_from,
                        listed_until: e.listed_until,
                        name: e.names.first().map(|n| n.name.clone()).unwrap_or_default(),
                        addresses: e.addresses.clone(),
                    };
                    ((e.list_id.clone(), e.entity_id.clone()), info)
                })
                .collect();
            let listed: Vec<_> = entities.into_iter().map(|(e, _)| e).collect();
            let network = accord_screen::network::Network::build(&listed);
            (Index::build(&listed, variants.as_deref()), versions, network)
        })
        .await
        .map_err(|e| Error::internal(format!("index build failed: {e}")))?;
        tracing::info!(entities = index.len(), names = index.names(), lists = %wanted, elapsed_ms = started.elapsed().as_millis() as u64, "screening index built");
        let (identifiers, phones, addresses) = network.size();
        let linked = network.linked_names();
        tracing::info!(identifiers, phones, addresses, linked, "screening network of shared attributes built");
        let loaded = Loaded {
            index: Arc::new(index),
            fingerprint: wanted,
            versions: Arc::new(versions),
            network: Arc::new(network),
        };
        *self.screening.loaded.write().map_err(|_| Error::internal("screening state poisoned"))? = Some(loaded);
        Ok(true)
    }

    /// The name-variant table in use, if any.
    pub fn name_variants(&self) -> Option<Arc<NameVariants>> {
        self.screening.variants.clone()
    }

    /// The screening index in force (built on first use).
    pub async fn screening_index(&self) -> Result<Arc<Index>> {
        Ok(self.index_and_versions().await?.0)
    }

    /// The listed parties' shared attributes in force (built with the index).
    pub(crate) async fn screening_network(&self) -> Result<Arc<accord_screen::network::Network>> {
        self.index_and_versions().await?;
        let guard = self.screening.loaded.read().map_err(|_| Error::internal("screening state poisoned"))?;
        guard.as_ref().map(|l| l.network.clone()).ok_or_else(|| Error::internal("screening network missing"))
    }

    pub(crate) async fn index_and_versions(&self) -> Result<(Arc<Index>, Arc<EntityVersions>)> {
        let current = |app: &App| -> Result<Option<(Arc<Index>, Arc<EntityVersions>)>> {
            let guard = app.screening.loaded.read().map_err(|_| Error::internal("screening state poisoned"))?;
            Ok(guard.as_ref().map(|l| (l.index.clone(), l.versions.clone())))
        };
        if let Some(found) = current(self)? {
            return Ok(found);
        }
        self.refresh_screening().await?;
        current(self)?.ok_or_else(|| Error::internal("screening index missing after a rebuild"))
    }

    /// Screens up to [`MAX_BATCH`] parties against every list in force (any authenticated user).
    /// Adjudications of the caller's authority mark hits as suppressed or confirmed.
    pub async fn screen(
        &self,
        p: &Principal,
        queries: &[ScreenQuery],
        limit: usize,
        threshold: f64,
    ) -> Result<Vec<ScreenResult>> {
        scope_of(p)?;
        if queries.is_empty() || queries.len() > MAX_BATCH {
            return Err(Error::validation(
                "queries",
                format!("send between 1 and {MAX_BATCH} queries, not {}", queries.len()),
            ));
        }
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::validation("limit", format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let threshold = check_threshold(threshold)?;
        let parsed: Vec<Query> = queries
            .iter()
            .enumerate()
            .map(|(i, q)| q.to_query().map_err(|e| with_index(e, i, queries.len())))
            .collect::<Result<_>>()?;
        let attributes: Vec<accord_screen::network::Attributes> = queries
            .iter()
            .enumerate()
            .map(|(i, q)| q.attributes().map_err(|e| with_index(e, i, queries.len())))
            .collect::<Result<_>>()?;
        if queries.len() * limit > SCREEN_BUDGET {
            return Err(Error::new(
                ErrorCode::ScreeningBudgetExceeded,
                format!(
                    "{} queries × limit {limit} asks for more than {SCREEN_BUDGET} hits in one request; lower the limit or split the batch",
                    queries.len()
                ),
            )
            .with_details(json!({ "queries": queries.len(), "limit": limit, "budget": SCREEN_BUDGET })));
        }
        let (index, versions) = self.index_and_versions().await?;
        let network = self.screening_network().await?;
        let authority = user_principal(p).and_then(|u| u.authority_id.clone());
        // Matching is CPU work: it runs on the blocking pool, one request per core at a time.
        let permit = self
            .screening
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("screening is shutting down"))?;
        let names: Vec<(Query, String)> = parsed.into_iter().zip(queries.iter().map(|q| q.name.clone())).collect();
        let total = queries.len();
        type Screened = (Vec<Hit>, Vec<InputWarning>, Vec<accord_screen::network::Connection>);
        let screened = tokio::task::spawn_blocking(move || -> Result<Vec<Screened>> {
            let _permit = permit;
            let mut bytes = 0usize;
            let mut out = Vec::with_capacity(names.len());
            for (i, (q, name)) in names.iter().enumerate() {
                let hits = index.screen(q, limit, threshold).map_err(|e| with_index(e, i, total))?;
                bytes += hits.iter().map(estimated_json_bytes).sum::<usize>() + 64;
                if bytes > MAX_RESPONSE_BYTES {
                    return Err(Error::new(
                        ErrorCode::ScreeningResponseTooLarge,
                        format!(
                            "the answer would exceed {} MiB by query {i}; raise the threshold, lower the limit or split the batch",
                            MAX_RESPONSE_BYTES >> 20
                        ),
                    )
                    .with_details(json!({ "index": i, "max_bytes": MAX_RESPONSE_BYTES })));
                }
                let mut connections = network.connections(&attributes[i]);
                connections.extend(network.linked_to(q, threshold).map_err(|e| with_index(e, i, total))?);
                connections.sort_by(|a, b| b.score.total_cmp(&a.score));
                out.push((hits, accord_screen::inspect(name), connections));
            }
            Ok(out)
        })
        .await
        .map_err(|e| Error::internal(format!("screening failed: {e}")))??;
        let owned = self.ownership_cached(crate::controls::day()).await?;
        let mut results = Vec::with_capacity(queries.len());
        for (raw, (hits, warnings, connections)) in queries.iter().zip(screened) {
            let subject = subject_key(raw);
            let adjudications = match &authority {
                Some(a) if !hits.is_empty() => self.store.adjudications(a.as_str(), &subject).await?,
                _ => Vec::new(),
            };
            let hits = hits
                .into_iter()
                .map(|hit| {
                    let entity_version =
                        versions.get(&(hit.list_id.clone(), hit.entity_id.clone())).map_or(0, |i| i.version);
                    // The latest decision on this entity, if it was taken on the entity's current content.
                    let adjudication = adjudications
                        .iter()
                        .rev()
                        .find(|a| {
                            a.list_id == hit.list_id
                                && a.entity_id == hit.entity_id
                                && a.entity_version == entity_version
                        })
                        .cloned();
                    let suppressed = adjudication.as_ref().is_some_and(|a| a.verdict == Verdict::FalsePositive);
                    ScreenHit { hit, entity_version, suppressed, adjudication }
                })
                .collect();
            let ownership = self.ownership_hits(&owned, &raw.name, threshold);
            results.push(ScreenResult { subject, hits, warnings, ownership, connections });
        }
        Ok(results)
    }

    /// Records an officer's verdict on a hit; a false positive is suppressed for this subject until the entity changes.
    pub async fn adjudicate(&self, p: &Principal, input: NewAdjudication) -> Result<Adjudication> {
        require(p, Action::AdjudicateScreeningHits)?;
        let officer = user_principal(p)
            .ok_or_else(|| Error::forbidden("adjudications are recorded by officers, with their API key"))?;
        let authority = officer
            .authority_id
            .clone()
            .ok_or_else(|| Error::forbidden("officers adjudicate for their authority; this officer has none"))?;
        let subject = input.subject.trim();
        if subject.is_empty() || subject.chars().count() > 500 || subject.chars().any(char::is_control) {
            return Err(Error::validation("subject", "subject must be 1-500 characters without control characters"));
        }
        let reason = accord_core::model::parse_name("reason", &input.reason)?;
        let (_, versions) = self.index_and_versions().await?;
        let entity_version =
            versions.get(&(input.list_id.clone(), input.entity_id.clone())).map(|i| i.version).ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "no entity '{}' is in force on list '{}'",
                        accord_core::ids::truncate(&input.entity_id),
                        accord_core::ids::truncate(&input.list_id)
                    ),
                )
                .with_details(json!({ "field": "entity_id" }))
            })?;
        let a = Adjudication {
            id: AdjudicationId::generate().to_string(),
            authority_id: authority.as_str().to_owned(),
            subject: subject.to_owned(),
            list_id: input.list_id,
            entity_id: input.entity_id,
            entity_version,
            verdict: input.verdict,
            reason,
            officer_id: officer.user_id.to_string(),
            created_at: accord_core::now(),
        };
        self.store
            .commit(
                vec![Mutation::InsertAdjudication(a.clone())],
                vec![event(
                    p,
                    Some(&authority),
                    EventKind::ScreeningAdjudicated,
                    &a.id,
                    serde_json::to_value(&a).unwrap_or_default(),
                )],
            )
            .await?;
        Ok(a)
    }
}

/// The key adjudications attach to: the caller's subject, or the normalised name.
fn subject_key(q: &ScreenQuery) -> String {
    match q.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_owned(),
        None => accord_screen::normalize(&q.name),
    }
}

/// About how many bytes a hit takes in the JSON answer (names, explanation parts and penalties, fields).
fn estimated_json_bytes(h: &Hit) -> usize {
    let e = &h.explanation;
    let parts: usize = e.parts.iter().map(|p| p.query.len() + p.listed.len() + 60).sum();
    let penalties: usize = e.penalties.iter().map(|p| p.reason.len() + 30).sum();
    let left: usize = e.unmatched_query.iter().chain(&e.unmatched_listed).map(|s| s.len() + 3).sum();
    let warnings: usize = e.warnings.iter().map(|w| w.message.len() + 40).sum();
    300 + h.list_id.len() + h.entity_id.len() + h.matched_name.len() + parts + penalties + left + warnings
}

/// Names the failing query of a batch in the error.
fn with_index(e: Error, i: usize, n: usize) -> Error {
    if n == 1 {
        return e;
    }
    let field = e.details.as_ref().and_then(|d| d.get("field")).cloned().unwrap_or_default();
    Error { message: format!("query {i}: {}", e.message), details: Some(json!({ "index": i, "field": field })), ..e }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::listed::NameKind;
    use accord_screen::{Explanation, MatchKind, PartMatch, Penalty};

    #[test]
    fn the_response_estimate_is_never_below_the_json_it_stands_for() {
        let part =
            |q: &str, l: &str| PartMatch { query: q.into(), listed: l.into(), how: MatchKind::Fuzzy, score: 0.912 };
        let hit = Hit {
            list_id: "us_ofac_sdn".into(),
            entity_id: "12345".into(),
            kind: EntityKind::Organization,
            matched_name: "ROSOBORONEXPORT OAO \"quoted\" name".into(),
            name_kind: NameKind::Alias,
            score: 0.8123,
            explanation: Explanation {
                parts: vec![part("rosoboronexport", "rosoboronexport"), part("оао", "oao")],
                unmatched_query: vec!["moscow".into()],
                unmatched_listed: vec!["federal".into(), "state".into()],
                penalties: vec![Penalty { reason: "unmatched listed 'federal'".into(), amount: 0.051 }],
                warnings: accord_screen::inspect("Ro\u{200B}soboron\u{202E}export"),
            },
        };
        let adjudication = None;
        let screened = ScreenHit { hit: hit.clone(), entity_version: 12, suppressed: false, adjudication };
        let json = serde_json::to_vec(&screened).unwrap_or_default().len();
        assert!(estimated_json_bytes(&hit) >= json, "estimate {} < {json}", estimated_json_bytes(&hit));
    }
}
