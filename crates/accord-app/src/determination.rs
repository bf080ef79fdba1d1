//! Policies as stored versions, and determinations over the control list, the policies and the lists in force.

use crate::authz::{Action, require};
use crate::controls::in_force;
use crate::screening::fingerprint;
use crate::{App, ControlsImport, event, scope_of};
use accord_controls::{
    CheckTransaction, CheckedTransaction, Determination, FactSource, PartyHit, PolicyInfo, PolicySet, PolicySource,
    Screening, Transaction,
};
use accord_core::audit::EventKind;
use accord_core::audit::hex;
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::listed::EntityKind;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_screen::{DEFAULT_THRESHOLD, Query};
use accord_store::Mutation;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa::ToSchema;

/// Most hits kept per party: enough that a listing a rule needs is not crowded out by other lists' namesakes.
const HITS_PER_PARTY: usize = 50;

/// A policy-set version with what each of its files says about itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyVersionInfo {
    /// The stored version.
    pub version: ControlVersion,
    /// Each policy file: jurisdiction, version, effective date, rule counts.
    pub policies: Vec<PolicyInfo>,
    /// Where each file's facts come from (document, issue date, URL), and whether they are generated from a
    /// primary source or hand-encoded and unverified.
    pub sources: Vec<FactSource>,
}

/// What to call a policy import.
#[derive(Debug, Clone, Default)]
pub struct PolicyImport {
    /// The version label; by default `policies-` and the effective date.
    pub label: Option<String>,
    /// The day it takes effect; by default the day of the import.
    pub effective_date: Option<String>,
    /// Why it was published.
    pub rationale: String,
    /// Where the files came from (a folder, or `built-in`).
    pub source: String,
}

/// Options of one determination.
#[derive(Debug, Clone)]
pub struct DetermineOptions {
    /// Use the control list and policies in force on this day instead of the transaction date.
    pub at: Option<String>,
    /// The screening threshold for party checks.
    pub threshold: f64,
}

impl Default for DetermineOptions {
    fn default() -> Self {
        DetermineOptions { at: None, threshold: DEFAULT_THRESHOLD }
    }
}

fn canonical_files(sources: &[PolicySource]) -> Vec<PolicySource> {
    let mut files = sources.to_vec();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// What a determination rests on: the versions in force and the transaction checked against them.
pub(crate) struct InForce {
    pub(crate) list_version: ControlVersion,
    pub(crate) list: Arc<accord_controls::ControlList>,
    pub(crate) policy_version: ControlVersion,
    pub(crate) policies: Arc<PolicySet>,
    pub(crate) checked: CheckedTransaction,
}

impl App {
    /// Stores a new policy-set version (admin) after parsing and cross-checking every file; a file with an error
    /// is refused with `invalid_policy` naming file and line, and the version in force stays. Identical content
    /// changes nothing.
    pub async fn import_policies(
        &self,
        p: &Principal,
        sources: &[PolicySource],
        how: PolicyImport,
    ) -> Result<ControlsImport> {
        require(p, Action::ImportPolicies)?;
        let set = PolicySet::parse(sources)?;
        let effective_date = match &how.effective_date {
            Some(d) => crate::controls::check_day("effective_date", d)?,
            None => crate::controls::day(),
        };
        let files = canonical_files(sources);
        let data = serde_json::to_string(&files).map_err(|e| Error::internal(e.to_string()))?;
        let content_hash = hex(&Sha256::digest(data.as_bytes()));
        let versions = self.store.versions(VersionKind::Policies).await?;
        // The same files again change nothing, unless they are given another effective date on purpose.
        if let Some(latest) = versions.last()
            && latest.content_hash == content_hash
            && how.effective_date.as_ref().is_none_or(|_| latest.effective_date == effective_date)
        {
            return Ok(ControlsImport { unchanged: true, version: latest.clone() });
        }
        if let Some(latest) = versions.last() {
            let (_, previous) = self.policies_at_version(latest).await?;
            let kept = set.jurisdictions();
            if let Some(dropped) = previous.jurisdictions().into_iter().find(|j| !kept.contains(j)) {
                return Err(Error::new(
                    ErrorCode::InvalidPolicy,
                    format!(
                        "the files drop the {dropped} policy that version {} has; a jurisdiction may not go missing",
                        latest.seq
                    ),
                )
                .with_details(json!({ "jurisdiction": dropped, "version": latest.seq })));
            }
        }
        let label = how.label.clone().unwrap_or_else(|| format!("policies-{effective_date}"));
        let label = accord_core::model::parse_name("label", &label)?;
        let how = PolicyImport { label: Some(label), ..how };
        let (version, stored) = self.new_policy_version(&files, &how, effective_date, &versions)?;
        self.store.commit(vec![stored], vec![self.policies_event(p, &version, &set)]).await?;
        self.policies.insert(version.seq, Arc::new(set))?;
        Ok(ControlsImport { unchanged: false, version })
    }

    /// The next policy-set version after `versions`, made of `files` (sorted by name), and the mutation that
    /// stores it.
    pub(crate) fn new_policy_version(
        &self,
        files: &[PolicySource],
        how: &PolicyImport,
        effective_date: jiff::civil::Date,
        versions: &[ControlVersion],
    ) -> Result<(ControlVersion, Mutation)> {
        let files = canonical_files(files);
        let data = serde_json::to_string(&files).map_err(|e| Error::internal(e.to_string()))?;
        let version = ControlVersion {
            seq: versions.last().map_or(1, |v| v.seq + 1),
            label: how.label.clone().unwrap_or_else(|| format!("policies-{effective_date}")),
            effective_date,
            rationale: how.rationale.clone(),
            content_hash: hex(&Sha256::digest(data.as_bytes())),
            source: how.source.clone(),
            imported_at: accord_core::now(),
            entries: files.len() as i64,
        };
        Ok((version.clone(), Mutation::InsertVersion { kind: VersionKind::Policies, version, data }))
    }

    /// The audit event of a stored policy-set version.
    pub(crate) fn policies_event(
        &self,
        p: &Principal,
        version: &ControlVersion,
        set: &PolicySet,
    ) -> accord_store::NewEvent {
        let mut payload = serde_json::to_value(version).unwrap_or_default();
        payload["policies"] = serde_json::to_value(set.info()).unwrap_or_default();
        event(p, None, EventKind::PoliciesImported, &format!("policies@{}", version.seq), payload)
    }

    /// The policy files in force on `day`, with their version.
    pub(crate) async fn policy_files_on(&self, day: jiff::civil::Date) -> Result<(ControlVersion, Vec<PolicySource>)> {
        let (version, _) = self.policies_on(day).await?;
        let data = self
            .store
            .version_data(VersionKind::Policies, version.seq)
            .await?
            .ok_or_else(|| Error::internal(format!("policy version {} without data", version.seq)))?;
        let files = serde_json::from_str(&data).map_err(|e| Error::internal(format!("stored policy files: {e}")))?;
        Ok((version, files))
    }

    /// Stores the project's built-in policy set when the node has none yet; returns whether it did.
    pub async fn ensure_policies(&self, p: &Principal) -> Result<bool> {
        if !self.store.versions(VersionKind::Policies).await?.is_empty() {
            return Ok(false);
        }
        let files = accord_controls::builtin_policies();
        // The first version takes effect when its files say, so past transactions can be determined.
        let effective_date = PolicySet::parse(&files)?.latest_effective_date();
        let how = PolicyImport {
            rationale: "the policies built into this Accord release".into(),
            source: "built-in".into(),
            effective_date: effective_date.map(|d| d.to_string()),
            ..PolicyImport::default()
        };
        match self.import_policies(p, &files, how).await {
            Ok(_) => Ok(true),
            // Another process stored one meanwhile.
            Err(e) if e.code == ErrorCode::Conflict => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every stored policy-set version, oldest first (public).
    pub async fn policy_versions(&self) -> Result<Vec<ControlVersion>> {
        self.store.versions(VersionKind::Policies).await
    }

    /// The policy set in force on `day`: the latest stored version that took effect by then.
    pub(crate) async fn policies_on(&self, day: jiff::civil::Date) -> Result<(ControlVersion, Arc<PolicySet>)> {
        let versions = self.store.versions(VersionKind::Policies).await?;
        let version = in_force(&versions, day).ok_or_else(|| {
                let hint = if versions.is_empty() {
                    "no policy set is stored; run `accord policies import policies` (a running node stores the built-in set)".to_owned()
                } else {
                    format!("the first one takes effect on {}", versions[0].effective_date)
                };
                Error::new(ErrorCode::NotFound, format!("no policy set was in force on {day}: {hint}"))
                    .with_details(json!({ "at": day, "versions": versions.len() }))
            })?;
        self.policies_at_version(&version).await
    }

    /// One stored policy-set version, parsed (cached by sequence number).
    async fn policies_at_version(&self, version: &ControlVersion) -> Result<(ControlVersion, Arc<PolicySet>)> {
        let parse = |data: &str| {
            let files: Vec<PolicySource> =
                serde_json::from_str(data).map_err(|e| Error::internal(format!("stored policy files: {e}")))?;
            PolicySet::parse(&files)
        };
        let set = self.policies.load(self.store.as_ref(), VersionKind::Policies, version.seq, parse).await?;
        Ok((version.clone(), set))
    }

    /// The policy set in force on `at` (today when None), with each file's own facts (public).
    pub async fn policy_version_info(&self, at: Option<&str>) -> Result<PolicyVersionInfo> {
        let (version, set) = self.policies_on(crate::controls::at_day(at)?).await?;
        Ok(PolicyVersionInfo { version, policies: set.info(), sources: set.sources().to_vec() })
    }

    /// Determines a transaction for every jurisdiction that applies (any authenticated user): the control list and
    /// policies in force on the transaction date (or `at`), and its parties screened against the lists in force.
    pub async fn determine(&self, p: &Principal, tx: &Transaction, opts: &DetermineOptions) -> Result<Determination> {
        Ok(self.determine_in_force(p, tx, opts).await?.0)
    }

    /// A determination and the versions it rests on.
    pub(crate) async fn determine_in_force(
        &self,
        p: &Principal,
        tx: &Transaction,
        opts: &DetermineOptions,
    ) -> Result<(Determination, InForce)> {
        scope_of(p)?;
        let threshold = crate::check_threshold(opts.threshold)?;
        // A higher threshold hides hits: only officers and the operator may raise it.
        let may_raise = require(p, Action::RaiseTheScreeningThreshold).is_ok();
        if threshold > DEFAULT_THRESHOLD && !may_raise {
            return Err(Error::forbidden(format!(
                "only officers may screen parties above the default threshold {DEFAULT_THRESHOLD}"
            ))
            .with_details(json!({ "field": "threshold" })));
        }
        let f = self.in_force_for(tx, opts.at.as_deref()).await?;
        let (screening, lists) = self.party_hits(&f.checked, threshold).await?;
        let mut d = accord_controls::determine(&f.policies, &f.list, &f.checked, screening)?;
        d.versions.control_list = format!("{}@{}", f.list_version.label, f.list_version.seq);
        d.versions.policies = format!("{}@{} ({})", f.policy_version.label, f.policy_version.seq, d.versions.policies);
        d.versions.lists = lists;
        Ok((d, f))
    }

    /// The control list and policy set in force on `at` (the transaction date by default), and the transaction
    /// checked against them.
    pub(crate) async fn in_force_for(&self, tx: &Transaction, at: Option<&str>) -> Result<InForce> {
        let day = match at {
            Some(d) => crate::controls::check_day("at", d)?,
            None => crate::controls::check_day("date", &tx.date)?,
        };
        crate::controls::within_facts(if at.is_some() { "at" } else { "date" }, day)?;
        let (list_version, list) = self.control_list_on(day).await?;
        let (policy_version, policies) = self.policies_on(day).await?;
        let checked = tx.check(&list, &policies)?;
        Ok(InForce { list_version, list, policy_version, policies, checked })
    }

    /// Screens the parties: `None` when there are parties and no list is in force.
    async fn party_hits(&self, tx: &CheckedTransaction, threshold: f64) -> Result<(Option<Screening>, String)> {
        if tx.parties().is_empty() {
            return Ok((Some(Screening { threshold, ..Screening::default() }), String::new()));
        }
        let stored = self.store.lists().await?;
        if stored.is_empty() {
            return Ok((None, String::new()));
        }
        let lists = &stored;
        let (index, entities) = self.index_and_versions().await?;
        let mut hits = Vec::new();
        for (i, party) in tx.parties().iter().enumerate() {
            let query = Query {
                name: party.name.clone(),
                kind: party.kind.as_deref().and_then(EntityKind::parse),
                country: party.country.clone(),
                birth_year: None,
            };
            for hit in index.screen(&query, HITS_PER_PARTY, threshold)? {
                let info = entities.get(&(hit.list_id.clone(), hit.entity_id.clone()));
                hits.push(PartyHit {
                    party: i,
                    list_id: hit.list_id,
                    entity_id: hit.entity_id,
                    matched_name: hit.matched_name,
                    score: hit.score,
                    programs: info.map(|e| e.programs.clone()).unwrap_or_default(),
                    listed_from: info.and_then(|e| e.listed_from),
                    listed_until: info.and_then(|e| e.listed_until),
                    in_force: false,
                });
            }
        }
        // Parties an ownership rule covers or cannot decide, as hits on the list `ownership` (`<rule>:<party>` and
        // `undetermined:<rule>:<party>`), which the policies' party rules read like any list.
        let owned = self.ownership_cached(tx.date()).await?;
        for (i, party) in tx.parties().iter().enumerate() {
            for h in self.ownership_hits(&owned, &party.name, threshold) {
                let f = &h.finding;
                let prefix = match f.status {
                    accord_core::ownership::OwnershipStatus::Covered => "",
                    accord_core::ownership::OwnershipStatus::Undetermined => "undetermined:",
                    accord_core::ownership::OwnershipStatus::ControlReview => "control:",
                };
                hits.push(PartyHit {
                    party: i,
                    list_id: accord_controls::OWNERSHIP_LIST.into(),
                    entity_id: format!("{prefix}{}:{}", f.rule_id, f.party.key()),
                    matched_name: f.party.name.clone(),
                    score: h.score,
                    programs: vec![f.explanation.clone()],
                    listed_from: None,
                    listed_until: None,
                    in_force: false,
                });
            }
        }
        let mut lists: Vec<String> = lists.iter().map(|l| l.list_id.clone()).collect();
        lists.push(accord_controls::OWNERSHIP_LIST.into());
        let screening = Screening { hits, lists, threshold };
        Ok((Some(screening), fingerprint(&stored)))
    }
}
