//! Continuous monitoring: when a new list version lands, the parties of every open case and every active licence are
//! screened again, and a hit that was not there before raises an alert on that case or licence. An exporter with
//! open alerts gets no automatic fast-track approval until they are dealt with.

use crate::{App, event, to_json};
use accord_core::Result;
use accord_core::audit::EventKind;
use accord_core::cases::{Alert, Application};
use accord_core::ids::OrgId;
use accord_core::licences::LicenceStatus;
use accord_core::listed::EntityKind;
use accord_core::principal::Principal;
use accord_screen::{DEFAULT_THRESHOLD, Index, Query};
use accord_store::{Mutation, UserScope};
use std::collections::HashSet;

/// The (list, entity) pairs already known for an application: its hits at submission.
fn known_hits(a: &Application) -> HashSet<(String, String)> {
    a.determination.iter().flat_map(|d| &d.party_hits).map(|h| (h.list_id.clone(), h.entity_id.clone())).collect()
}

/// The new hits on an application's parties that are neither known nor alerted yet.
fn new_alerts(index: &Index, a: &Application, already: &[Alert]) -> Result<Vec<Alert>> {
    let mut seen = known_hits(a);
    seen.extend(already.iter().map(|x| (x.list_id.clone(), x.entity_id.clone())));
    let mut out = Vec::new();
    for party in &a.transaction.parties {
        let query = Query {
            name: party.name.clone(),
            kind: party.r#type.as_deref().and_then(EntityKind::parse),
            country: party.country.as_deref().map(|c| c.split('-').next().unwrap_or(c).to_owned()),
            birth_year: None,
        };
        for hit in index.screen(&query, 10, DEFAULT_THRESHOLD)? {
            if seen.insert((hit.list_id.clone(), hit.entity_id.clone())) {
                out.push(Alert {
                    at: accord_core::now(),
                    party: party.name.clone(),
                    list_id: hit.list_id,
                    entity_id: hit.entity_id,
                    matched_name: hit.matched_name,
                    score: hit.score,
                });
            }
        }
    }
    Ok(out)
}

impl App {
    /// Screens the parties of every open case and active licence again; returns how many alerts it raised.
    pub async fn rescreen(&self, p: &Principal) -> Result<usize> {
        let cases: Vec<_> =
            self.store.cases(&UserScope::All).await?.into_iter().filter(|c| !c.status.is_closed()).collect();
        let licences: Vec<_> = self
            .store
            .licences(&UserScope::All)
            .await?
            .into_iter()
            .filter(|l| matches!(l.status, LicenceStatus::Active | LicenceStatus::Suspended))
            .collect();
        if cases.is_empty() && licences.is_empty() {
            return Ok(0);
        }
        self.refresh_screening().await?;
        let index = self.screening_index().await?;
        let mut raised = 0;
        for mut case in cases {
            let Some(a) = self.store.application(&case.application_id).await? else { continue };
            let alerts = new_alerts(&index, &a, &case.alerts)?;
            if alerts.is_empty() {
                continue;
            }
            raised += alerts.len();
            let expected_version = case.version;
            case.version += 1;
            case.alerts.extend(alerts.iter().cloned());
            let authority = case.authority_id.clone();
            let e = event(p, Some(&authority), EventKind::CaseAlert, case.id.as_str(), to_json(&alerts));
            if let Err(err) = self.store.commit(vec![Mutation::UpdateCase { case, expected_version }], vec![e]).await {
                // An officer changed the case meanwhile; the next list update screens it again.
                tracing::warn!(error = %err, "could not record an alert on a case");
            }
        }
        for mut licence in licences {
            let Some(a) = self.store.application(&licence.application_id).await? else { continue };
            let alerts = new_alerts(&index, &a, &licence.alerts)?;
            if alerts.is_empty() {
                continue;
            }
            raised += alerts.len();
            let expected_version = licence.version;
            licence.version += 1;
            licence.alerts.extend(alerts.iter().cloned());
            let authority = licence.authority_id.clone();
            let e = event(p, Some(&authority), EventKind::LicenceAlert, licence.id.as_str(), to_json(&alerts));
            if let Err(err) =
                self.store.commit(vec![Mutation::UpdateLicence { licence, expected_version }], vec![e]).await
            {
                tracing::warn!(error = %err, "could not record an alert on a licence");
            }
        }
        Ok(raised)
    }

    /// Whether an organisation has an open case or a licence in use that carries alerts.
    pub(crate) async fn has_alerts(&self, org: &OrgId) -> Result<bool> {
        let scope = UserScope::Organisation(org.clone());
        let cases = self.store.cases(&scope).await?;
        let licences = self.store.licences(&scope).await?;
        Ok(cases.iter().any(|c| !c.status.is_closed() && !c.alerts.is_empty())
            || licences.iter().any(|l| l.status == LicenceStatus::Active && !l.alerts.is_empty()))
    }
}
