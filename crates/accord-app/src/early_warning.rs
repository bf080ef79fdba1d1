//! Early warning on trade flows: official trade statistics imported as versions, the indicators computed over the
//! latest version with each authority's thresholds, and the alerts an indicator over its threshold raises (once per
//! indicator, partner and period), assigned to an analyst, shared with the allies when marked so, and closed with
//! an outcome.

use crate::allied::acting_authority;
use crate::authz::{Action, require};
use crate::{App, ControlsImport, event};
use accord_core::audit::{EventKind, hex};
use accord_core::cases::{Case, NewTask};
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::ids::{AuthorityId, CaseId};
use accord_core::principal::Principal;
use accord_core::warning::{Alert, AlertOutcome, AlertStatus, EvidencePoint, Thresholds, WarningSettings};
use accord_core::warning::{Declaration, DeclarationImport};
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;
use accord_trade::declarations::{DeclarationIndicator, DeclarationSettings, Finding};
use accord_trade::indicators::{ProductMonth, Series};
use accord_trade::patterns::{RefusalPattern, Request};
use accord_trade::{Period, SourceFile, TradeSet};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use utoipa::ToSchema;

/// How to name a trade-statistics import.
#[derive(Debug, Clone, Default)]
pub struct TradeImport {
    /// The version label; by default `trade-` and the day.
    pub label: Option<String>,
    /// Where the files came from.
    pub source: String,
}

/// Who an alert goes to.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertAssignment {
    /// The analyst's user id (default: the caller).
    #[serde(default)]
    pub analyst: Option<String>,
}

/// How an alert is closed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertClosing {
    /// What it came to.
    pub outcome: AlertOutcome,
    /// Why (1 to 4,000 characters).
    pub note: String,
}

/// How an alert opens a verification task on a case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertVerification {
    /// The case to verify (default: the caller's authority's case of the application the alert names).
    #[serde(default)]
    pub case_id: Option<String>,
    /// What the task checks.
    pub kind: accord_core::cases::TaskKind,
    /// Who carries it out.
    pub assignee: String,
    /// When it is due (`YYYY-MM-DD`).
    pub due_date: String,
}

/// What the declaration indicators found in a file.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct DeclarationAnalysis {
    /// Declarations read.
    pub declarations: usize,
    /// What the indicators found, each with the references of the declarations that show it.
    pub findings: Vec<accord_trade::declarations::Finding>,
    /// The settings used.
    pub settings: DeclarationSettings,
    /// Whether the parties were screened against the lists in force (none are stored: no `listed_party` finding).
    pub screened: bool,
}

/// Most periods of evidence an alert carries.
const EVIDENCE_PERIODS: usize = 36;

/// Declarations read from the database per page when an import is copied for the columnar engine.
const COPY_PAGE: i64 = 100_000;

/// The monthly totals (month, destination, HS code, euro), the declaration findings, and the declarations (at least
/// those the findings name).
type Indicated = (Vec<(String, String, String, f64)>, Vec<Finding>, Vec<Declaration>);

/// Runs CPU- or disk-bound work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::internal(format!("a columnar task failed: {e}")))?
}

/// Most declaration references an alert names.
const ALERT_REFERENCES: usize = 100;

/// What an import of declarations did.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct DeclarationsImported {
    /// True when the same file was imported before (nothing changed).
    pub unchanged: bool,
    /// The import, with what it added and skipped.
    pub import: DeclarationImport,
}

/// The alerts of an indicator series' signals, each with the series up to its period as evidence.
fn signal_alerts(series: &Series, base: Alert) -> Vec<Alert> {
    series
        .signals
        .iter()
        .map(|signal| {
            let period = signal.period.to_string();
            let about = match &signal.product {
                Some(product) => format!("{}-{product}", signal.partner),
                None => signal.partner.clone(),
            };
            let upto: Vec<EvidencePoint> = series
                .points
                .iter()
                .filter(|pt| pt.period <= signal.period)
                .map(|pt| EvidencePoint {
                    period: pt.period.to_string(),
                    value: pt.value,
                    baseline: pt.baseline,
                    ratio: pt.ratio,
                })
                .collect();
            Alert {
                id: Alert::id_for(signal.indicator.as_str(), &about, &period),
                indicator: signal.indicator.as_str().to_owned(),
                partner: signal.partner.clone(),
                product: signal.product.clone(),
                period,
                ratio: signal.ratio,
                threshold: signal.threshold,
                summary: signal.summary.clone(),
                method: series.method.clone(),
                citation: series.citation.clone(),
                evidence: upto[upto.len().saturating_sub(EVIDENCE_PERIODS)..].to_vec(),
                ..base.clone()
            }
        })
        .collect()
}

/// The alert of a licence pattern: the application and the refusals before it as its references.
fn pattern_alert(x: &RefusalPattern, request: Option<&Request>, least: usize, base: Alert) -> Alert {
    let period = request.map(|r| format!("{:04}-{:02}", r.date.year(), r.date.month())).unwrap_or_default();
    let about = hex(&Sha256::digest(format!("{}\u{0}{}\u{0}{}", x.application, x.party, x.code).as_bytes()));
    let mut references = vec![x.application.clone()];
    references.extend(x.refusals.iter().take(ALERT_REFERENCES - 1).cloned());
    Alert {
        id: Alert::id_for("refused_then_elsewhere", &about[..12], &period),
        indicator: "refused_then_elsewhere".into(),
        partner: request.map(|r| r.destination.clone()).unwrap_or_default(),
        subject: vec![x.party.clone(), x.code.clone()],
        references,
        period,
        ratio: x.refusals.len() as f64,
        threshold: least as f64,
        summary: x.summary.clone(),
        method: accord_trade::patterns::METHOD.into(),
        citation: accord_trade::patterns::CITATION.into(),
        ..base
    }
}

/// The match of a party bearing a name listed parties are linked to (the best such name), naming those parties.
fn linked_match(
    network: &accord_screen::network::Network,
    query: &accord_screen::Query,
    role: &'static str,
) -> Result<Option<accord_trade::declarations::PartyMatch>> {
    let connections = network.linked_to(query, accord_screen::DEFAULT_THRESHOLD)?;
    let Some(best) = connections.iter().max_by(|a, b| a.score.total_cmp(&b.score)) else { return Ok(None) };
    let name = best.values.first().map(|v| v.trim_start_matches("Linked To: ").to_owned()).unwrap_or_default();
    let by: Vec<&accord_screen::network::Connection> = connections.iter().filter(|c| c.values == best.values).collect();
    Ok(Some(accord_trade::declarations::PartyMatch {
        party: query.name.clone(),
        role,
        list_id: best.list_id.clone(),
        matched_name: name,
        score: best.score / accord_screen::network::SharedAttribute::LinkedName.weight(),
        listed_from: None,
        linked_by: by.iter().map(|c| format!("{} ({})", c.listed_name, c.list_id)).collect(),
    }))
}

/// The alert of a declaration finding: its declarations as evidence (day and value), its destination (the most
/// frequent), and the month of its last declaration as its period.
fn finding_alert(f: &Finding, by_reference: &HashMap<&str, &Declaration>, least: f64, base: Alert) -> Alert {
    let mut ds: Vec<&Declaration> = f.references.iter().filter_map(|r| by_reference.get(r.as_str()).copied()).collect();
    ds.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)));
    let mut destinations: HashMap<&str, usize> = HashMap::new();
    for d in &ds {
        *destinations.entry(d.destination.as_str()).or_default() += 1;
    }
    let partner = destinations.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(d, _)| d);
    let period = ds.last().map(|d| format!("{:04}-{:02}", d.date.year(), d.date.month())).unwrap_or_default();
    let about = hex(&Sha256::digest(f.subject.as_bytes()))[..12].to_owned();
    let evidence: Vec<EvidencePoint> = ds
        .iter()
        .map(|d| EvidencePoint { period: d.date.to_string(), value: d.value_eur, baseline: None, ratio: None })
        .collect();
    Alert {
        id: Alert::id_for(f.indicator.as_str(), &about, &period),
        indicator: f.indicator.as_str().to_owned(),
        partner: partner.unwrap_or_default().to_owned(),
        subject: vec![f.subject.clone()],
        references: f.references.iter().take(ALERT_REFERENCES).cloned().collect(),
        period,
        ratio: f.references.len() as f64,
        threshold: least,
        summary: f.summary.clone(),
        method: f.indicator.method().to_owned(),
        citation: f.indicator.citation().to_owned(),
        evidence: evidence[evidence.len().saturating_sub(EVIDENCE_PERIODS)..].to_vec(),
        ..base
    }
}

impl App {
    /// Stores the trade statistics of `files` as the next version (admins and analysts). Every file is read and
    /// checked first: one bad row refuses them all (`malformed_file`, each bad row named by file and line) and
    /// nothing is stored. The same files again change nothing.
    pub async fn import_trade(&self, p: &Principal, files: &[SourceFile], how: TradeImport) -> Result<ControlsImport> {
        require(p, Action::ImportTradeStatistics)?;
        if files.is_empty() {
            return Err(Error::validation("files", "give at least one file of trade statistics"));
        }
        let set = accord_trade::read_files(files)?;
        let data = serde_json::to_string(&set).map_err(|e| Error::internal(e.to_string()))?;
        let content_hash = hex(&Sha256::digest(data.as_bytes()));
        let versions = self.store.versions(VersionKind::Trade).await?;
        if let Some(latest) = versions.last().filter(|v| v.content_hash == content_hash) {
            return Ok(ControlsImport { unchanged: true, version: latest.clone() });
        }
        let today = crate::controls::day();
        let label = accord_core::model::parse_name("label", &how.label.unwrap_or_else(|| format!("trade-{today}")))?;
        let version = ControlVersion {
            seq: versions.last().map_or(1, |v| v.seq + 1),
            label,
            effective_date: today,
            rationale: format!("{} files, {} observations", set.files.len(), set.observations.len()),
            content_hash,
            source: how.source,
            imported_at: accord_core::now(),
            entries: set.observations.len() as i64,
        };
        let mut payload = serde_json::to_value(&version).unwrap_or_default();
        payload["files"] = serde_json::to_value(&set.files).unwrap_or_default();
        let subject = format!("trade@{}", version.seq);
        self.store
            .commit(
                vec![Mutation::InsertVersion { kind: VersionKind::Trade, version: version.clone(), data }],
                vec![event(p, None, EventKind::TradeImported, &subject, payload)],
            )
            .await?;
        self.trade.insert(version.seq, Arc::new(set))?;
        Ok(ControlsImport { unchanged: false, version })
    }

    /// Every stored trade-statistics version, oldest first (officials).
    pub async fn trade_versions(&self, p: &Principal) -> Result<Vec<ControlVersion>> {
        require(p, Action::ReadGovernanceDesk)?;
        self.store.versions(VersionKind::Trade).await
    }

    /// The latest trade-statistics version, parsed; `not_found` when none is stored.
    async fn trade_latest(&self) -> Result<(ControlVersion, Arc<TradeSet>)> {
        let version = self.store.versions(VersionKind::Trade).await?.pop().ok_or_else(|| {
            Error::new(ErrorCode::NotFound, "no trade statistics are stored; run `accord trade import FOLDER`")
        })?;
        let parse = |data: &str| {
            serde_json::from_str::<TradeSet>(data).map_err(|e| Error::internal(format!("stored trade statistics: {e}")))
        };
        let set = self.trade.load(self.store.as_ref(), VersionKind::Trade, version.seq, parse).await?;
        Ok((version, set))
    }

    /// The thresholds of the caller's authority (the defaults until it sets its own; officials).
    pub async fn warning_thresholds(&self, p: &Principal) -> Result<Thresholds> {
        require(p, Action::ReadGovernanceDesk)?;
        let authority = crate::user_principal(p).and_then(|u| u.authority_id.as_ref().map(|a| a.to_string()));
        Ok(self.settings_of(authority.as_deref()).await?.map(|s| s.thresholds).unwrap_or_default())
    }

    async fn settings_of(&self, authority: Option<&str>) -> Result<Option<WarningSettings>> {
        match authority {
            Some(a) => self.one_shared(a, a).await,
            None => Ok(None),
        }
    }

    /// Sets the caller's authority's thresholds (analysts and officers); shared with the allies.
    pub async fn set_warning_thresholds(&self, p: &Principal, thresholds: Thresholds) -> Result<WarningSettings> {
        let authority = acting_authority(p, Action::WorkOnAlerts)?;
        thresholds.check()?;
        let previous = self.settings_of(Some(authority.as_str())).await?;
        let s = WarningSettings {
            authority_id: authority.to_string(),
            thresholds,
            updated_by: p.actor(),
            version: previous.map_or(1, |s| s.version + 1),
        };
        let payload = json!({ "thresholds": s.thresholds });
        self.keep_shared(p, &s, EventKind::WarningSettingsChanged, authority.as_str(), payload).await?;
        Ok(s)
    }

    /// Every indicator over the latest trade statistics with the caller's thresholds, for one partner (ISO alpha-2)
    /// or all (officials).
    pub async fn indicators(&self, p: &Principal, partner: Option<&str>) -> Result<Vec<Series>> {
        let thresholds = self.warning_thresholds(p).await?;
        let (_, set) = self.trade_latest().await?;
        let mut all = accord_trade::indicators::all(&set, &thresholds);
        if let Some(partner) = partner.map(|x| x.trim().to_ascii_uppercase()) {
            all.retain(|s| s.partner == partner);
            if all.is_empty() {
                return Err(Error::not_found("partner", &partner));
            }
        }
        Ok(all)
    }

    /// Computes every indicator with the caller's authority's thresholds and raises an alert for each signal or
    /// finding it has not raised before (analysts and officers): growth and mirror gaps over the latest trade
    /// statistics, per-product growth over every stored month of the authority's declarations, the declaration
    /// indicators over their last 365 days, and the licence patterns over the refusals known and the authority's
    /// submitted applications. Returns the alerts raised now.
    pub async fn run_early_warning(&self, p: &Principal) -> Result<Vec<Alert>> {
        let authority = acting_authority(p, Action::WorkOnAlerts)?;
        let thresholds = self.warning_thresholds(p).await?;
        let trade = match self.trade_latest().await {
            Ok(t) => Some(t),
            Err(e) if e.code == ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        };
        let imports = self.store.declaration_imports(&authority).await?;
        let refusals = self.known_refusals().await?;
        if trade.is_none() && imports.is_empty() && refusals.is_empty() {
            return Err(Error::new(
                ErrorCode::NotFound,
                "no trade statistics, declarations or refusals are stored; run `accord trade import FOLDER` or \
                 `accord declarations import FILE`",
            ));
        }
        let base = |data_version: i64| Alert::blank(authority.as_str(), data_version, accord_core::now());
        let mut candidates = Vec::new();
        if let Some((version, set)) = &trade {
            for series in accord_trade::indicators::all(set, &thresholds) {
                candidates.extend(signal_alerts(&series, base(version.seq)));
            }
        }
        if let (Some(import), (_, Some(last))) = (imports.last(), self.store.declaration_span(&authority).await?) {
            let from = last.checked_sub(jiff::Span::new().days(365)).unwrap_or(last);
            let (totals, findings, ds) = match &self.columnar {
                Some(engine) => {
                    self.indicators_columnar(engine, &authority, &imports, (from, last), &thresholds).await?
                }
                None => self.indicators_stored(&authority, (from, last), &thresholds).await?,
            };
            let months: Vec<ProductMonth> = totals
                .into_iter()
                .filter_map(|(month, destination, hs_code, value_eur)| {
                    Some(ProductMonth { period: Period::parse(&month)?, destination, hs_code, value_eur })
                })
                .collect();
            for series in accord_trade::indicators::product_growth(&months, &thresholds) {
                candidates.extend(signal_alerts(&series, base(import.seq)));
            }
            let by_reference: HashMap<&str, &Declaration> = ds.iter().map(|d| (d.reference.as_str(), d)).collect();
            let least = |f: &Finding| match f.indicator {
                DeclarationIndicator::Structuring => thresholds.declarations.structuring_shipments as f64,
                _ => 1.0,
            };
            candidates.extend(findings.iter().map(|f| finding_alert(f, &by_reference, least(f), base(import.seq))));
        }
        let requests = self.submitted_requests(&authority).await?;
        let least = thresholds.declarations.repeat_refusals;
        for x in accord_trade::patterns::refused_then_elsewhere(&refusals, &requests, least) {
            let request = requests.iter().find(|r| r.id == x.application);
            candidates.push(pattern_alert(&x, request, least, base(0)));
        }
        let known: HashSet<String> = self
            .all_shared::<Alert>()
            .await?
            .into_iter()
            .filter(|a| a.authority_id == authority.as_str())
            .map(|a| a.id)
            .collect();
        let mut raised = Vec::new();
        for alert in candidates {
            if known.contains(&alert.id) || raised.iter().any(|a: &Alert| a.id == alert.id) {
                continue;
            }
            self.keep_alert(p, &alert, EventKind::AlertRaised).await?;
            raised.push(alert);
        }
        Ok(raised)
    }

    /// The monthly totals, the declaration findings and the declarations they name, read from the database: every
    /// declaration of the days `from` to `last` is read back and the rules run over them.
    async fn indicators_stored(
        &self,
        authority: &AuthorityId,
        (from, last): (jiff::civil::Date, jiff::civil::Date),
        thresholds: &Thresholds,
    ) -> Result<Indicated> {
        let totals = self.store.declaration_totals(authority).await?;
        let ds = self.store.declarations(authority, from, last).await?;
        let mut findings = accord_trade::declarations::all(&ds, &thresholds.declarations);
        if let Some(matches) = self.listed_party_matches(accord_trade::declarations::parties_of(&ds)).await? {
            findings.extend(accord_trade::declarations::listed_parties(&ds, &matches));
        }
        findings.extend(accord_trade::declarations::shared_addresses(&ds, &self.listed_addresses().await?));
        Ok((totals, findings, ds))
    }

    /// The same as [`App::indicators_stored`], computed by the columnar engine over the copies of the imports (made
    /// first for any import without a complete one): the core indicators in SQL, then the parties and addresses the
    /// engine lists screened here, and the rules run over the declarations of those that resemble listed ones.
    async fn indicators_columnar(
        &self,
        engine: &accord_columnar::Columnar,
        authority: &AuthorityId,
        imports: &[DeclarationImport],
        (from, last): (jiff::civil::Date, jiff::civil::Date),
        thresholds: &Thresholds,
    ) -> Result<Indicated> {
        let files = self.columnar_files(engine, authority, imports).await?;
        let screened = !self.store.lists().await?.is_empty();
        let listed = self.listed_addresses().await?;
        let (e, settings) = (engine.clone(), thresholds.declarations.clone());
        let (mut session, totals, core, parties, addresses) = blocking(move || {
            let mut session = e.session(&files, from, last)?;
            let totals = session.totals()?;
            let core = session.core_findings(&settings)?;
            let parties = if screened { session.parties()? } else { Vec::new() };
            let addresses = session.addresses()?;
            Ok((session, totals, core, parties, addresses))
        })
        .await?;
        let matches = if screened { self.listed_party_matches(parties).await? } else { None };
        let at_listed: Vec<String> =
            accord_trade::declarations::addresses_at_listed(&addresses, &listed).into_iter().cloned().collect();
        let wanted: Vec<(&'static str, String)> = matches.iter().flatten().map(|m| (m.role, m.party.clone())).collect();
        let of = blocking(move || {
            let parties: Vec<(&str, &str)> = wanted.iter().map(|(r, n)| (*r, n.as_str())).collect();
            let addresses: Vec<&str> = at_listed.iter().map(String::as_str).collect();
            session.of(&parties, &addresses)
        })
        .await?;
        let mut findings = core.findings;
        if let Some(matches) = &matches {
            findings.extend(accord_trade::declarations::listed_parties(&of, matches));
        }
        findings.extend(accord_trade::declarations::shared_addresses(&of, &listed));
        let mut ds = core.declarations;
        ds.extend(of);
        Ok((totals, findings, ds))
    }

    /// The copies of an authority's imports (those that added declarations), each made from the database when it is
    /// missing, cut short or damaged: the copies are derived, the database is the record.
    async fn columnar_files(
        &self,
        engine: &accord_columnar::Columnar,
        authority: &AuthorityId,
        imports: &[DeclarationImport],
    ) -> Result<Vec<std::path::PathBuf>> {
        let mut files = Vec::new();
        for import in imports.iter().filter(|i| i.added > 0) {
            let (e, a, seq, rows) = (engine.clone(), authority.to_string(), import.seq, import.added);
            if !blocking(move || Ok(e.is_complete(&a, seq, rows))).await? {
                self.copy_import(engine, authority, seq).await?;
            }
            files.push(engine.file(authority.as_str(), import.seq));
        }
        Ok(files)
    }

    /// Copies the declarations import `seq` added into its Parquet file, a page at a time.
    async fn copy_import(&self, engine: &accord_columnar::Columnar, authority: &AuthorityId, seq: i64) -> Result<()> {
        let mut writer = engine.copy_writer(authority.as_str(), seq)?;
        let mut after: Option<String> = None;
        loop {
            let page = self.store.imported_declarations(authority, seq, after.as_deref(), COPY_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.reference.clone());
            writer = blocking(move || writer.write(&page).map(|()| writer)).await?;
        }
        blocking(move || writer.finish()).await
    }

    /// Every refusal this node knows (its authorities' and those the allies notified), each with the exporter
    /// refused when the refusal came from a case here.
    async fn known_refusals(&self) -> Result<Vec<accord_trade::patterns::Refusal>> {
        let mut out = Vec::new();
        for d in self.store.denials().await? {
            let case = match d.case_id.as_deref().map(accord_core::ids::CaseId::parse) {
                Some(Ok(id)) => self.store.case(&id).await?,
                _ => None,
            };
            out.push(accord_trade::patterns::Refusal {
                authority: d.authority_id.to_string(),
                id: d.id.to_string(),
                recorded: d.created_at.jiff(),
                codes: d.control_codes.clone(),
                parties: d.parties.iter().map(|p| p.name.clone()).collect(),
                exporter: case.map(|c| c.organisation_id.to_string()),
            });
        }
        Ok(out)
    }

    /// The applications submitted to an authority, as the licence patterns read them.
    async fn submitted_requests(&self, authority: &AuthorityId) -> Result<Vec<accord_trade::patterns::Request>> {
        let scope = accord_store::UserScope::Authority(authority.clone());
        Ok(self
            .store
            .applications(&scope)
            .await?
            .into_iter()
            .filter_map(|a| {
                let submitted = a.submitted_at?;
                let tx = &a.transaction;
                Some(accord_trade::patterns::Request {
                    authority: a.authority_id.to_string(),
                    id: a.id.to_string(),
                    at: submitted.jiff(),
                    date: submitted.utc_date(),
                    codes: tx.items.iter().filter_map(|i| i.code.clone()).filter(|c| !c.is_empty()).collect(),
                    parties: tx.parties.iter().map(|p| p.name.clone()).collect(),
                    exporter: a.organisation_id.to_string(),
                    destination: tx.destination.clone(),
                })
            })
            .collect())
    }

    /// Stores export declarations from a file (`name` for messages) as the authority's next import (its analysts).
    /// The file is read strictly (one bad row refuses it, named by line). A declaration already stored with the
    /// same facts is skipped, one with other facts refuses the import (`conflict`); the same file again changes
    /// nothing.
    pub async fn import_declarations(
        &self,
        p: &Principal,
        name: &str,
        bytes: &[u8],
        label: Option<String>,
    ) -> Result<DeclarationsImported> {
        let authority = acting_authority(p, Action::ImportTradeStatistics)?;
        let content_hash = hex(&Sha256::digest(bytes));
        let imports = self.store.declaration_imports(&authority).await?;
        if let Some(same) = imports.iter().find(|i| i.content_hash == content_hash) {
            return Ok(DeclarationsImported { unchanged: true, import: same.clone() });
        }
        let rows = accord_trade::declarations::read_declarations(name, bytes)?;
        if rows.is_empty() {
            return Err(Error::new(ErrorCode::MalformedFile, format!("{name}: the file has no declarations")));
        }
        let today = crate::controls::day();
        let label = accord_core::model::parse_name("label", &label.unwrap_or_else(|| format!("declarations-{today}")))?;
        let source = accord_core::model::parse_name("name", name)?;
        let seq = imports.last().map_or(1, |i| i.seq + 1);
        let import = DeclarationImport {
            authority_id: authority.to_string(),
            seq,
            label,
            source,
            content_hash,
            rows: rows.len() as i64,
            added: 0,
            skipped: 0,
            first_date: rows.iter().map(|d| d.date).min(),
            last_date: rows.iter().map(|d| d.date).max(),
            imported_at: accord_core::now(),
            imported_by: p.actor(),
        };
        let payload = json!({
            "label": import.label, "source": import.source, "content_hash": import.content_hash, "rows": import.rows,
            "first_date": import.first_date, "last_date": import.last_date,
        });
        let subject = format!("declarations@{seq}");
        // The columnar copy is written from the rows in hand while they are stored; it is kept when every row was
        // added, else made from the database (it must hold only what this import added).
        let (rows, draft) = match self.columnar.clone() {
            Some(engine) => {
                let a = authority.to_string();
                let drafted = tokio::task::spawn_blocking(move || {
                    let draft = engine.copy_writer(&a, seq).and_then(|mut w| w.write(&rows).map(|()| w));
                    (rows, Some(draft))
                });
                drafted.await.map_err(|e| Error::internal(format!("a columnar task failed: {e}")))?
            }
            None => (rows, None),
        };
        self.store
            .commit(
                vec![Mutation::ImportDeclarations { import, rows }],
                vec![event(p, Some(&authority), EventKind::DeclarationsImported, &subject, payload)],
            )
            .await?;
        let stored = self.store.declaration_imports(&authority).await?.into_iter().find(|i| i.seq == seq);
        let import = stored.ok_or_else(|| Error::internal("a stored import of declarations is missing"))?;
        let copied = match (&self.columnar, draft) {
            (Some(_), Some(Ok(draft))) if import.added == import.rows => blocking(move || draft.finish()).await,
            (Some(engine), _) if import.added > 0 => self.copy_import(engine, &authority, seq).await,
            _ => Ok(()),
        };
        if let Err(e) = copied {
            // The import is stored; its copy is made again by the next run of the indicators.
            tracing::warn!(error = %e, authority = %authority, seq, "the columnar copy of an import failed");
        }
        Ok(DeclarationsImported { unchanged: false, import })
    }

    /// The caller's authority's imports of declarations, oldest first (its officials).
    pub async fn declaration_imports(&self, p: &Principal) -> Result<Vec<DeclarationImport>> {
        let authority = acting_authority(p, Action::ReadGovernanceDesk)?;
        self.store.declaration_imports(&authority).await
    }

    /// Computes the declaration indicators over a file of export declarations (officials): structuring under a
    /// value cap, new consignees of sensitive goods, general authorisations used for new destinations. The file is
    /// read strictly (one bad row refuses it, named by line); nothing is stored.
    pub async fn analyse_declarations(
        &self,
        p: &Principal,
        name: &str,
        bytes: &[u8],
        settings: Option<DeclarationSettings>,
    ) -> Result<DeclarationAnalysis> {
        let settings = match settings {
            Some(s) => s,
            None => self.warning_thresholds(p).await?.declarations,
        };
        settings.check()?;
        let declarations = accord_trade::declarations::read_declarations(name, bytes)?;
        let mut findings = accord_trade::declarations::all(&declarations, &settings);
        let matches = self.listed_party_matches(accord_trade::declarations::parties_of(&declarations)).await?;
        let screened = matches.is_some();
        findings.extend(accord_trade::declarations::listed_parties(&declarations, &matches.unwrap_or_default()));
        findings.extend(accord_trade::declarations::shared_addresses(&declarations, &self.listed_addresses().await?));
        Ok(DeclarationAnalysis { declarations: declarations.len(), findings, settings, screened })
    }

    /// The consignees and end users of `ds` that resemble a listed party, each with its best hit; `None` when no
    /// list is stored to screen them against.
    async fn listed_party_matches(
        &self,
        parties: Vec<(&'static str, String, String)>,
    ) -> Result<Option<Vec<accord_trade::declarations::PartyMatch>>> {
        if self.store.lists().await?.is_empty() {
            return Ok(None);
        }
        let (index, entities) = self.index_and_versions().await?;
        let network = self.screening_network().await?;
        let mut matches: Vec<accord_trade::declarations::PartyMatch> = Vec::new();
        let mut linked: Vec<accord_trade::declarations::PartyMatch> = Vec::new();
        for (role, name, country) in parties {
            let query =
                accord_screen::Query { name: name.clone(), kind: None, country: Some(country), birth_year: None };
            if !linked.iter().any(|m| m.role == role && m.party == name) {
                linked.extend(linked_match(&network, &query, role)?);
            }
            if matches.iter().any(|m| m.role == role && m.party == name) {
                continue;
            }
            let Some(hit) = index.screen(&query, 1, accord_screen::DEFAULT_THRESHOLD)?.into_iter().next() else {
                continue;
            };
            let listed_from = entities.get(&(hit.list_id.clone(), hit.entity_id.clone())).and_then(|e| e.listed_from);
            matches.push(accord_trade::declarations::PartyMatch {
                party: name,
                role,
                list_id: hit.list_id,
                matched_name: hit.matched_name,
                score: hit.score,
                listed_from,
                linked_by: Vec::new(),
            });
        }
        matches.extend(linked);
        Ok(Some(matches))
    }

    /// The addresses of every party on the lists in force, with its primary name (from the screening's entities,
    /// loaded once per list version).
    async fn listed_addresses(&self) -> Result<Vec<accord_trade::declarations::ListedAddress>> {
        if self.store.lists().await?.is_empty() {
            return Ok(Vec::new());
        }
        let (_, entities) = self.index_and_versions().await?;
        let mut out: Vec<accord_trade::declarations::ListedAddress> = entities
            .iter()
            .flat_map(|((list_id, _), e)| {
                e.addresses.iter().map(|address| accord_trade::declarations::ListedAddress {
                    list_id: list_id.clone(),
                    name: e.name.clone(),
                    address: address.clone(),
                })
            })
            .collect();
        // In the same order each time, so the same findings come out in the same order.
        out.sort_by(|a, b| (&a.list_id, &a.name, &a.address).cmp(&(&b.list_id, &b.name, &b.address)));
        Ok(out)
    }

    /// Stores an alert (published to the allies only once it is marked shared), with its event.
    async fn keep_alert(&self, p: &Principal, a: &Alert, kind: EventKind) -> Result<()> {
        let authority = accord_core::ids::AuthorityId::parse(&a.authority_id)?;
        let mut mutations = vec![crate::federation::kept(a, true)];
        if a.shared {
            mutations.extend(self.publication(a));
        }
        let payload =
            json!({ "indicator": a.indicator, "partner": a.partner, "period": a.period, "status": a.status.as_str() });
        self.commit_and_notify(mutations, vec![event(p, Some(&authority), kind, &a.id, payload)]).await
    }

    /// The alerts the caller may see (officials): their authority's, and those the allies shared. Newest first.
    pub async fn alerts(&self, p: &Principal) -> Result<Vec<Alert>> {
        require(p, Action::ReadGovernanceDesk)?;
        let mine = crate::user_principal(p).and_then(|u| u.authority_id.as_ref().map(|a| a.to_string()));
        let mut all: Vec<Alert> = self.all_shared().await?;
        if let Some(a) = mine {
            all.retain(|x| x.authority_id == a || x.shared);
        }
        all.sort_by(|a, b| b.raised_at.cmp(&a.raised_at).then_with(|| a.id.cmp(&b.id)));
        Ok(all)
    }

    /// One of the caller's authority's alerts, for a change.
    async fn own_alert(&self, p: &Principal, id: &str) -> Result<(accord_core::ids::AuthorityId, Alert)> {
        let authority = acting_authority(p, Action::WorkOnAlerts)?;
        let alert = self.one_shared(authority.as_str(), id).await?.ok_or_else(|| Error::not_found("alert", id))?;
        Ok((authority, alert))
    }

    /// Assigns an alert of the caller's authority to one of its analysts or officers (the caller by default).
    pub async fn assign_alert(&self, p: &Principal, id: &str, input: AlertAssignment) -> Result<Alert> {
        let (authority, mut a) = self.own_alert(p, id).await?;
        if a.status == AlertStatus::Closed {
            return Err(Error::new(ErrorCode::Conflict, format!("alert {id} is closed")));
        }
        let analyst = match input.analyst.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => crate::user_principal(p).map(|u| u.user_id.to_string()).unwrap_or_else(|| p.actor()),
            Some(user) => {
                let u = self
                    .user(p, user)
                    .await
                    .map_err(|_| Error::validation("analyst", format!("{user} is not a user of {authority}")))?;
                use accord_core::model::Role;
                let works = matches!(u.role, Role::Analyst | Role::Officer | Role::SeniorOfficer);
                if !works || u.authority_id.as_ref() != Some(&authority) {
                    return Err(Error::validation(
                        "analyst",
                        format!("{user} is not an analyst or officer of {authority}"),
                    ));
                }
                u.id.to_string()
            }
        };
        a.assigned_to = Some(analyst);
        a.status = AlertStatus::Assigned;
        a.version += 1;
        self.keep_alert(p, &a, EventKind::AlertAssigned).await?;
        Ok(a)
    }

    /// Shares an alert of the caller's authority with the allies, with its evidence.
    pub async fn share_alert(&self, p: &Principal, id: &str) -> Result<Alert> {
        let (_, mut a) = self.own_alert(p, id).await?;
        if a.shared {
            return Err(Error::new(ErrorCode::Conflict, format!("alert {id} is shared already")));
        }
        a.shared = true;
        a.version += 1;
        self.keep_alert(p, &a, EventKind::AlertShared).await?;
        Ok(a)
    }

    /// Opens a draft proposal from an alert of the caller's authority (its officers):
    /// the proposal names the alert as its origin and the alert the proposal, in one commit; once per alert.
    pub async fn propose_from_alert(
        &self,
        p: &Principal,
        id: &str,
        input: crate::NewProposal,
    ) -> Result<accord_core::governance::Proposal> {
        require(p, Action::DraftProposals)?;
        let (authority, mut a) = self.own_alert(p, id).await?;
        if let Some(x) = &a.proposal {
            return Err(Error::new(ErrorCode::AlreadyExists, format!("alert {id} opened proposal {x} already")));
        }
        let x = self.draft_proposal(p, authority.as_str(), input, Some(format!("alert {authority}:{}", a.id))).await?;
        a.proposal = Some(x.key());
        a.version += 1;
        let mut more = vec![crate::federation::kept(&a, true)];
        if a.shared {
            more.extend(self.publication(&a));
        }
        self.save_shared(p, &x, EventKind::ProposalCreated, &x.key(), crate::to_json(&x), more).await?;
        Ok(x)
    }

    /// Opens a verification task on a case of the caller's authority from one of its alerts (officers), once per
    /// alert and in one commit: the task's event names the alert, and the alert the task (`case_id#index`). The case
    /// is the one given, or that of the application the alert names (a licence pattern).
    pub async fn verify_from_alert(&self, p: &Principal, id: &str, input: AlertVerification) -> Result<Case> {
        require(p, Action::OpenVerificationTasks)?;
        let (authority, mut a) = self.own_alert(p, id).await?;
        if let Some(task) = &a.task {
            return Err(Error::new(ErrorCode::AlreadyExists, format!("alert {id} opened task {task} already")));
        }
        if a.status == AlertStatus::Closed {
            return Err(Error::new(ErrorCode::Conflict, format!("alert {id} is closed")));
        }
        let case = match input.case_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => self
                .store
                .case(&CaseId::parse(c).map_err(|_| Error::not_found("case", c))?)
                .await?
                .filter(|x| x.authority_id == authority)
                .ok_or_else(|| Error::not_found("case", c))?,
            None => {
                let application = a.references.iter().find(|r| r.starts_with("app_")).ok_or_else(|| {
                    Error::validation("case_id", "this alert names no application: give the case to verify")
                })?;
                let cases = self.store.cases(&accord_store::UserScope::Authority(authority.clone())).await?;
                cases.into_iter().find(|c| c.application_id.as_str() == application).ok_or_else(|| {
                    Error::validation("case_id", format!("{authority} has no case of {application}: give the case"))
                })?
            }
        };
        let task =
            NewTask { kind: input.kind, assignee: input.assignee, due_date: input.due_date, version: case.version };
        a.task = Some(format!("{}#{}", case.id, case.tasks.len()));
        a.version += 1;
        let mut more = vec![crate::federation::kept(&a, true)];
        if a.shared {
            more.extend(self.publication(&a));
        }
        let origin = format!("alert {authority}:{}", a.id);
        self.open_task_with(p, case.id.as_str(), task, more, Some(&origin)).await
    }

    /// Closes an alert of the caller's authority with its outcome and a note.
    pub async fn close_alert(&self, p: &Principal, id: &str, input: AlertClosing) -> Result<Alert> {
        let (_, mut a) = self.own_alert(p, id).await?;
        a.check_close(&input.note)?;
        a.status = AlertStatus::Closed;
        a.outcome = Some(input.outcome);
        a.note = Some(input.note.trim().to_owned());
        a.version += 1;
        self.keep_alert(p, &a, EventKind::AlertClosed).await?;
        Ok(a)
    }
}
