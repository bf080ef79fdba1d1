//! Dashboards of how the controls work and what they cost industry (officials: their authority's cases; admins and
//! auditors: every authority of the node), and the public transparency report (every decision, aggregated, with
//! small counts suppressed).

use crate::authz::{Action, require};
use crate::{App, Scope, scope_of};
use accord_core::cases::{Case, CaseStatus};
use accord_core::denials::{AnswerKind, ConsultationStatus, DenialStatus};
use accord_core::licences::LicenceKind;
use accord_core::principal::Principal;
use accord_core::shared::SharedKind;
use accord_core::stats::{
    CaseFacts, ConsultationFact, Dashboard, DenialFact, ReportPeriod, TransparencyReport, UseFacts,
};
use accord_core::{Error, Result};
use accord_store::UserScope;
use std::collections::HashMap;

impl App {
    /// The facts of `cases` that the statistics need, with their applicants' sizes and, when given, their
    /// applications (documents, kind of licence).
    async fn case_facts(
        &self,
        cases: Vec<Case>,
        applications: &HashMap<String, accord_core::cases::Application>,
    ) -> Result<Vec<CaseFacts>> {
        let sizes: HashMap<String, accord_core::model::SizeClass> =
            self.store.organisations(None).await?.into_iter().map(|o| (o.id.to_string(), o.size_class)).collect();
        Ok(cases
            .into_iter()
            .filter_map(|c| {
                let size = *sizes.get(c.organisation_id.as_str())?;
                let application = applications.get(c.application_id.as_str());
                Some(CaseFacts {
                    authority: c.authority_id.to_string(),
                    jurisdiction: c.jurisdiction.clone(),
                    review_path: c.review_path,
                    size,
                    opened: c.opened_at.utc_date(),
                    due: c.due_date,
                    // A refusal waiting for its countersignature is not decided yet.
                    decided: c
                        .decision
                        .as_ref()
                        .filter(|_| {
                            matches!(c.status, CaseStatus::Approved | CaseStatus::Refused | CaseStatus::Returned)
                        })
                        .map(|d| (d.kind, d.at.utc_date())),
                    info_requests: c.info_requests.len(),
                    documents: application.map_or(0, |a| a.documents.len()),
                    joint_development: application.is_some_and(|a| a.licence.kind == LicenceKind::JointDevelopment),
                })
            })
            .collect())
    }

    /// The dashboard of the cases the caller may see (officials of an authority: its cases; admins and auditors:
    /// every authority's, the coalition view of this node). Computed again once anything changed on the node (a
    /// new audit event) or a minute passed.
    pub async fn dashboard(&self, p: &Principal) -> Result<Dashboard> {
        require(p, Action::ReadGovernanceDesk)?;
        let scope = match scope_of(p)? {
            Scope::Authority(a) => UserScope::Authority(a),
            Scope::All => UserScope::All,
            _ => return Err(Error::forbidden("the dashboards are for officials")),
        };
        let key = format!("{scope:?}");
        let head = self.store.audit_head().await?.0;
        if let Some(d) = self.stats.dashboard(&key, head) {
            return Ok(d);
        }
        let d = self.compute_dashboard(&scope).await?;
        self.stats.keep_dashboard(key, head, d.clone());
        Ok(d)
    }

    async fn compute_dashboard(&self, scope: &UserScope) -> Result<Dashboard> {
        let cases = self.store.cases(scope).await?;
        let approved: std::collections::HashSet<String> =
            cases.iter().filter(|c| c.status == CaseStatus::Approved).map(|c| c.id.to_string()).collect();
        let applications: HashMap<String, accord_core::cases::Application> =
            self.store.applications(scope).await?.into_iter().map(|a| (a.id.to_string(), a)).collect();
        let uses: Vec<UseFacts> = applications.values().flat_map(|a| uses_of(a, &approved)).collect();
        let today = crate::controls::day();
        let denials: Vec<DenialFact> = self
            .store
            .denials()
            .await?
            .into_iter()
            .map(|d| (d.authority_id.to_string(), d.status == DenialStatus::Active && d.expires_on >= today))
            .collect();
        let mut consultations = Vec::new();
        for v in self.store.shared(SharedKind::Consultation.as_str()).await? {
            let view = self.view(crate::allied::parse(v, "consultation")?).await?;
            consultations.push(ConsultationFact {
                from: view.consultation.from_authority.clone(),
                to: view.consultation.to_authority.clone(),
                answered: view.status == ConsultationStatus::Answered,
                objection: view.answer.as_ref().is_some_and(|a| a.kind == AnswerKind::Objection),
                expired: view.status == ConsultationStatus::Expired,
            });
        }
        let facts = self.case_facts(cases, &applications).await?;
        let mut d = accord_core::stats::dashboard_with(&facts, &uses, &denials, &consultations, today);
        d.computed_at = Some(accord_core::now());
        Ok(d)
    }

    /// Computes again the dashboards of every authority and of the whole node, and the default transparency report,
    /// when anything changed on the node since they were last computed (a new audit event); returns whether it did.
    /// Once it has run, the pages serve what it computed last (at most [`STATS_STALE`] old) instead of computing on
    /// a request: `accord serve` runs it every few seconds, so a page answers at once and is seconds behind at most.
    pub async fn refresh_statistics(&self) -> Result<bool> {
        let head = self.store.audit_head().await?.0;
        if self.stats.refreshed_at() == Some(head) {
            self.stats.touch();
            return Ok(false);
        }
        let mut scopes = vec![UserScope::All];
        scopes.extend(self.store.authorities().await?.into_iter().map(|a| UserScope::Authority(a.id)));
        for scope in scopes {
            let d = self.compute_dashboard(&scope).await?;
            self.stats.keep_dashboard(format!("{scope:?}"), head, d);
        }
        for &period in ReportPeriod::ALL {
            let r = self.compute_report(accord_core::stats::DEFAULT_MIN_CELL, period).await?;
            self.stats.keep_report((accord_core::stats::DEFAULT_MIN_CELL, period), head, r);
        }
        self.stats.refreshed(head);
        Ok(true)
    }

    async fn compute_report(&self, k: u64, period: ReportPeriod) -> Result<TransparencyReport> {
        // The report counts decisions by jurisdiction and size: it needs no application.
        let facts = self.case_facts(self.store.cases(&UserScope::All).await?, &HashMap::new()).await?;
        let mut r = accord_core::stats::transparency_by(&facts, k, period);
        r.computed_at = Some(accord_core::now());
        Ok(r)
    }

    /// The public transparency report: every decision of this node, by year, jurisdiction, size class and outcome,
    /// counts from 1 to `min_cell - 1` suppressed (at least the default; anyone may read it).
    pub async fn transparency_report(&self, min_cell: Option<u64>) -> Result<TransparencyReport> {
        self.transparency_report_by(min_cell, ReportPeriod::Year).await
    }

    /// The transparency report with its rows by year or by quarter.
    pub async fn transparency_report_by(
        &self,
        min_cell: Option<u64>,
        period: ReportPeriod,
    ) -> Result<TransparencyReport> {
        let k = min_cell.unwrap_or(accord_core::stats::DEFAULT_MIN_CELL);
        if !(accord_core::stats::DEFAULT_MIN_CELL..=1000).contains(&k) {
            return Err(Error::validation(
                "min_cell",
                format!("the smallest published count is {} to 1000", accord_core::stats::DEFAULT_MIN_CELL),
            ));
        }
        let head = self.store.audit_head().await?.0;
        if let Some(r) = self.stats.report((k, period), head) {
            return Ok(r);
        }
        let r = self.compute_report(k, period).await?;
        self.stats.keep_report((k, period), head, r.clone());
        Ok(r)
    }
}

/// Each jurisdiction's answer to an application: its destination and categories, and whether a licence was granted
/// (its case approved) or a general authorisation covered it.
fn uses_of(a: &accord_core::cases::Application, approved: &std::collections::HashSet<String>) -> Vec<UseFacts> {
    let categories: Vec<String> = a
        .transaction
        .items
        .iter()
        .map(|i| {
            i.code
                .as_deref()
                .and_then(|c| c.trim().chars().next())
                .filter(char::is_ascii_digit)
                .map_or_else(|| "unlisted".to_owned(), String::from)
        })
        .collect();
    a.outcomes
        .iter()
        .map(|o| UseFacts {
            destination: a.transaction.destination.clone(),
            categories: categories.clone(),
            licence: o.case_id.as_ref().is_some_and(|c| approved.contains(c)),
            general_authorisation: o.outcome == accord_core::determination::Outcome::GeneralAuthorisation,
        })
        .collect()
}

/// How long a computed dashboard or report is served again while nothing changes on the node.
const STATS_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// While [`App::refresh_statistics`] keeps running, how old a dashboard or report may be and still be served.
pub const STATS_STALE: std::time::Duration = std::time::Duration::from_secs(120);

/// A computed value with the audit head it was computed at, and when.
type Cached<T> = (i64, std::time::Instant, T);

/// Dashboards and reports computed lately, each with the audit head it was computed at.
#[derive(Default)]
pub(crate) struct StatsCache {
    dashboards: std::sync::Mutex<HashMap<String, Cached<Dashboard>>>,
    reports: std::sync::Mutex<HashMap<(u64, ReportPeriod), Cached<TransparencyReport>>>,
    /// The audit head of the last refresh, and when the refresher last ran.
    refresher: std::sync::Mutex<Option<(i64, std::time::Instant)>>,
}

impl StatsCache {
    /// Whether a refresher ran lately, so that what it computed may be served although the node moved on.
    fn kept(&self) -> bool {
        self.refresher.lock().ok().and_then(|r| *r).is_some_and(|(_, at)| at.elapsed() < STATS_STALE)
    }

    fn refreshed_at(&self) -> Option<i64> {
        self.refresher.lock().ok().and_then(|r| r.map(|(h, _)| h))
    }

    fn refreshed(&self, head: i64) {
        if let Ok(mut r) = self.refresher.lock() {
            *r = Some((head, std::time::Instant::now()));
        }
    }

    fn touch(&self) {
        if let Ok(mut r) = self.refresher.lock()
            && let Some((_, at)) = r.as_mut()
        {
            *at = std::time::Instant::now();
        }
    }

    /// A cached value still good: computed at the same audit head within the time to live, or, while a refresher
    /// keeps it, computed within [`STATS_STALE`].
    fn fresh<T: Clone>(&self, entry: Option<&Cached<T>>, head: i64) -> Option<T> {
        let kept = self.kept();
        entry
            .filter(|(h, at, _)| (*h == head && at.elapsed() < STATS_TTL) || (kept && at.elapsed() < STATS_STALE))
            .map(|(_, _, v)| v.clone())
    }

    fn dashboard(&self, key: &str, head: i64) -> Option<Dashboard> {
        let map = self.dashboards.lock().ok()?;
        self.fresh(map.get(key), head)
    }

    fn keep_dashboard(&self, key: String, head: i64, d: Dashboard) {
        if let Ok(mut m) = self.dashboards.lock() {
            m.insert(key, (head, std::time::Instant::now(), d));
        }
    }

    fn report(&self, k: (u64, ReportPeriod), head: i64) -> Option<TransparencyReport> {
        let map = self.reports.lock().ok()?;
        self.fresh(map.get(&k), head)
    }

    fn keep_report(&self, k: (u64, ReportPeriod), head: i64, r: TransparencyReport) {
        if let Ok(mut m) = self.reports.lock() {
            m.insert(k, (head, std::time::Instant::now(), r));
        }
    }
}
