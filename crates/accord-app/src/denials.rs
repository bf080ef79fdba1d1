//! Denial notifications: a refusal records one in the same transaction as the decision, so allies can be told of it;
//! every authority's users can list and read them.

use crate::controls::today;
use crate::{App, require};
use accord_core::cases::{Application, Case, Decision};
use accord_core::denials::{Denial, DenialParty, DenialStatus, expiry_of};
use accord_core::ids::DenialId;
use accord_core::model::Role;
use accord_core::principal::Principal;
use accord_core::{Error, Result};

/// Who may read denial notifications: the users of an authority, auditors and admins (not exporters).
const READERS: &[Role] = &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin];

/// The denial as it stands today: an active one past its expiry reads as expired.
fn as_of(mut d: Denial, day: &str) -> Denial {
    if d.status == DenialStatus::Active && day > d.expires_on.as_str() {
        d.status = DenialStatus::Expired;
    }
    d
}

/// The denial notification a refusal creates, from the application it refused.
pub(crate) fn of_refusal(case: &Case, decision: &Decision, application: &Application, actor: &str) -> Denial {
    let tx = &application.transaction;
    let items = tx["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    let control_codes =
        items.iter().filter_map(|i| i["code"].as_str()).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let item_description =
        items.iter().filter_map(|i| i["description"].as_str()).filter(|d| !d.is_empty()).collect::<Vec<_>>().join("; ");
    let parties = tx["parties"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| DenialParty {
            role: p["role"].as_str().unwrap_or_default().to_owned(),
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            address: p["address"].as_str().map(str::to_owned),
            country: p["country"].as_str().map(str::to_owned),
        })
        .collect();
    let end_use = match (tx["end_use"]["category"].as_str(), tx["end_use"]["statement"].as_str()) {
        (Some(c), Some(s)) if !s.trim().is_empty() => format!("{c}: {}", s.trim()),
        (Some(c), _) => c.to_owned(),
        _ => application.end_use_statement.clone(),
    };
    let day = jiff::Zoned::now().date();
    Denial {
        id: DenialId::generate(),
        authority_id: case.authority_id.clone(),
        reference: case.id.to_string(),
        date: day.to_string(),
        control_codes,
        item_description,
        destination: tx["destination"].as_str().unwrap_or_default().to_owned(),
        end_use,
        refusal_criteria: decision.refusal_criteria.clone(),
        parties,
        status: DenialStatus::Active,
        expires_on: expiry_of(day),
        case_id: Some(case.id.to_string()),
        created_by: actor.to_owned(),
        created_at: accord_core::now(),
        version: 1,
    }
}

impl App {
    /// Every denial notification as it stands today, newest first.
    pub async fn denials(&self, p: &Principal) -> Result<Vec<Denial>> {
        require(p, READERS, "read denial notifications")?;
        let day = today();
        Ok(self.store.denials().await?.into_iter().map(|d| as_of(d, &day)).collect())
    }

    /// One denial notification as it stands today.
    pub async fn denial(&self, p: &Principal, id: &str) -> Result<Denial> {
        require(p, READERS, "read denial notifications")?;
        let id = DenialId::parse(id)?;
        let d = self.store.denial(&id).await?.ok_or_else(|| Error::not_found("denial", id.as_str()))?;
        Ok(as_of(d, &today()))
    }
}
