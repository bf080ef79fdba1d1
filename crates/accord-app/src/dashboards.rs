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
use accord_core::stats::{CaseFacts, ConsultationFact, Dashboard, DenialFact, TransparencyReport, UseFacts};
use accord_core::{Error, Result};
use accord_store::UserScope;
use std::collections::HashMap;

impl App {
    /// The facts of `cases` that the statistics need, with their applicants' sizes and applications.
    async fn case_facts(&self, cases: Vec<Case>) -> Result<Vec<CaseFacts>> {
        let sizes: HashMap<String, accord_core::model::SizeClass> =
            self.store.organisations(None).await?.into_iter().map(|o| (o.id.to_string(), o.size_class)).collect();
        let applications: HashMap<String, accord_core::cases::Application> =
            self.store.applications(&UserScope::All).await?.into_iter().map(|a| (a.id.to_string(), a)).collect();
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
    /// every authority's, the coalition view of this node).
    pub async fn dashboard(&self, p: &Principal) -> Result<Dashboard> {
        require(p, Action::ReadGovernanceDesk)?;
        let scope = match scope_of(p)? {
            Scope::Authority(a) => UserScope::Authority(a),
            Scope::All => UserScope::All,
            _ => return Err(Error::forbidden("the dashboards are for officials")),
        };
        let cases = self.store.cases(&scope).await?;
        let approved: std::collections::HashSet<String> =
            cases.iter().filter(|c| c.status == CaseStatus::Approved).map(|c| c.id.to_string()).collect();
        let uses =
            self.store.applications(&scope).await?.into_iter().flat_map(|a| uses_of(&a, &approved)).collect::<Vec<_>>();
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
        let facts = self.case_facts(cases).await?;
        Ok(accord_core::stats::dashboard_with(&facts, &uses, &denials, &consultations, today))
    }

    /// The public transparency report: every decision of this node, by year, jurisdiction, size class and outcome,
    /// counts from 1 to `min_cell - 1` suppressed (at least the default; anyone may read it).
    pub async fn transparency_report(&self, min_cell: Option<u64>) -> Result<TransparencyReport> {
        let k = min_cell.unwrap_or(accord_core::stats::DEFAULT_MIN_CELL);
        if !(accord_core::stats::DEFAULT_MIN_CELL..=1000).contains(&k) {
            return Err(Error::validation(
                "min_cell",
                format!("the smallest published count is {} to 1000", accord_core::stats::DEFAULT_MIN_CELL),
            ));
        }
        let facts = self.case_facts(self.store.cases(&UserScope::All).await?).await?;
        Ok(accord_core::stats::transparency(&facts, k))
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
