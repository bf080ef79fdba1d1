//! What allies share through the federation: denial notifications (from refusals, or entered by hand), the
//! consultations a matching case requires before approval, the notices of approvals that undercut an ally's denial,
//! risk assessments and their endorsements, and verification results.

mod assessments;
mod consultations;

use crate::authz::{Action, require};
use crate::{App, event, to_json, user_principal};
use accord_core::audit::EventKind;
use accord_core::cases::{Application, Case, Decision};
use accord_core::denials::{
    AnswerKind, ApprovalNotice, Consultation, ConsultationAnswer, ConsultationView, Denial, DenialChange, DenialParty,
    DenialStatus, Endorsement, NewAssessment, NewDenial, RiskAssessment, SharedVerification, expiry_of,
};
use accord_core::determination::Transaction;
use accord_core::ids::{AuthorityId, DenialId};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A denial found by a party-name search, with the best score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DenialMatch {
    /// The denial.
    #[serde(flatten)]
    pub denial: Denial,
    /// The best match score of a party name, 0..=1.
    pub score: f64,
    /// The party name that matched.
    pub party: String,
}

/// A risk assessment with its endorsements.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssessmentView {
    /// The assessment.
    #[serde(flatten)]
    pub assessment: RiskAssessment,
    /// Allies' endorsements.
    pub endorsements: Vec<Endorsement>,
}

/// Whether two control codes are the same entry or one is the parent of the other (`3A001` and `3A001.a.1`).
pub fn related_codes(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_uppercase(), b.trim().to_ascii_uppercase());
    let child_of = |child: &str, parent: &str| child.strip_prefix(parent).is_some_and(|rest| rest.starts_with('.'));
    !a.is_empty() && (a == b || child_of(&a, &b) || child_of(&b, &a))
}

/// A denial's parties with their countries checked and in upper case.
fn party_countries(
    mut parties: Vec<accord_core::denials::DenialParty>,
) -> Result<Vec<accord_core::denials::DenialParty>> {
    for (i, party) in parties.iter_mut().enumerate() {
        if let Some(c) = party.country.as_deref().filter(|c| !c.trim().is_empty()) {
            party.country = Some(crate::controls::check_country(&format!("parties[{i}].country"), c)?);
        }
    }
    Ok(parties)
}

/// The denial as it stands today: an active one past its expiry reads as expired.
pub(crate) fn as_of(mut d: Denial, day: jiff::civil::Date) -> Denial {
    if d.status == DenialStatus::Active && day > d.expires_on {
        d.status = DenialStatus::Expired;
    }
    let reminder = day.checked_add(jiff::Span::new().days(accord_core::denials::REVIEW_REMINDER_DAYS)).ok();
    d.review_due = d.status == DenialStatus::Active && reminder.is_some_and(|r| r >= d.expires_on);
    d
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::internal(format!("a stored {what} does not parse: {e}")))
}

/// Splits an id that may name its owner (`DE-BAFA:den_…`) into the owner and the bare id: ids are unique per
/// authority only, so two authorities' records may carry the same one.
fn qualified(id: &str) -> (Option<&str>, &str) {
    match id.split_once(':') {
        Some((owner, bare)) if AuthorityId::parse(owner).is_ok() => (Some(owner), bare),
        _ => (None, id),
    }
}

/// The one record meant among those that carry an id: the named owner's, the only one, or else the only one the
/// caller is party to; several are a `conflict` that asks for the owner to be named.
fn one_of<T>(
    what: &str,
    id: &str,
    found: Vec<T>,
    owner_of: impl Fn(&T) -> &str,
    named: Option<&str>,
    preferred: impl Fn(&T) -> bool,
) -> Result<T> {
    let mut found: Vec<T> = match named {
        Some(owner) => found.into_iter().filter(|x| owner_of(x) == owner).collect(),
        None => found,
    };
    if found.len() > 1 {
        let mine: Vec<usize> = (0..found.len()).filter(|i| preferred(&found[*i])).collect();
        if let [i] = mine[..] {
            return Ok(found.swap_remove(i));
        }
    }
    match found.len() {
        0 => Err(Error::not_found(what, id)),
        1 => Ok(found.remove(0)),
        _ => {
            let owners: Vec<String> = found.iter().map(|x| owner_of(x).to_owned()).collect();
            Err(Error::new(
                ErrorCode::Conflict,
                format!("{what} {id} is held by {}; name the one meant as AUTHORITY:{id}", owners.join(", ")),
            )
            .with_details(json!({ "id": id, "authorities": owners })))
        }
    }
}

/// The authority of the caller, when it has one.
fn caller_authority(p: &Principal) -> Option<String> {
    user_principal(p).and_then(|u| u.authority_id.as_ref().map(ToString::to_string))
}

/// The authority the caller acts for (officers and senior officers of an authority).
pub(crate) fn acting_authority(p: &Principal, action: Action) -> Result<AuthorityId> {
    require(p, action)?;
    user_principal(p)
        .and_then(|u| u.authority_id.clone())
        .ok_or_else(|| Error::forbidden(format!("only officers of an authority may {}", action.describe())))
}

/// The denial notification a refusal creates, from the application it refused.
pub(crate) fn of_refusal(case: &Case, decision: &Decision, application: &Application, actor: &str) -> Denial {
    let tx = &application.transaction;
    let control_codes =
        tx.items.iter().filter_map(|i| i.code.as_deref()).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let item_description =
        tx.items.iter().map(|i| i.description.as_str()).filter(|d| !d.is_empty()).collect::<Vec<_>>().join("; ");
    let parties = tx
        .parties
        .iter()
        .map(|p| DenialParty { role: p.role.clone(), name: p.name.clone(), address: None, country: p.country.clone() })
        .collect();
    let statement = tx.end_use.statement.trim();
    let end_use = match tx.end_use.category.as_str() {
        "" => application.end_use_statement.clone(),
        c if !statement.is_empty() => format!("{c}: {statement}"),
        c => c.to_owned(),
    };
    let day = jiff::Zoned::now().date();
    Denial {
        id: DenialId::generate(),
        authority_id: case.authority_id.clone(),
        reference: case.id.to_string(),
        date: day,
        control_codes,
        item_description,
        destination: tx.destination.clone(),
        end_use,
        refusal_criteria: decision.refusal_criteria.clone(),
        parties,
        status: DenialStatus::Active,
        expires_on: expiry_of(day),
        case_id: Some(case.id.to_string()),
        created_by: actor.to_owned(),
        created_at: accord_core::now(),
        version: 1,
        review_due: false,
    }
}

impl App {
    /// Every denial notification as it stands today, newest first; with `party`, only those with a party whose name
    /// matches it above the screening threshold, best first.
    pub async fn denials(&self, p: &Principal, party: Option<&str>) -> Result<Vec<DenialMatch>> {
        require(p, Action::ReadDenialNotifications)?;
        let day = crate::controls::day();
        let all = self.store.denials().await?.into_iter().map(|d| as_of(d, day));
        let Some(name) = party else {
            return Ok(all.map(|denial| DenialMatch { denial, score: 1.0, party: String::new() }).collect());
        };
        accord_core::model::parse_name("party", name)?;
        let mut found = Vec::new();
        for denial in all {
            if let Some((score, party)) = self.best_party_match(&denial, &[name.to_owned()]) {
                found.push(DenialMatch { denial, score, party });
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(found)
    }

    /// The best match of any of `names` against a denial's parties, above the default screening threshold.
    fn best_party_match(&self, d: &Denial, names: &[String]) -> Option<(f64, String)> {
        let variants = self.screening.variants.clone();
        let mut best: Option<(f64, String)> = None;
        for party in &d.parties {
            for name in names {
                let Ok((score, _)) = accord_screen::compare(name, &party.name, None, variants.as_deref()) else {
                    continue;
                };
                if score >= accord_screen::DEFAULT_THRESHOLD && best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, party.name.clone()));
                }
            }
        }
        best
    }

    /// One denial notification as it stands today, by its id or by `AUTHORITY:id` (the caller's own authority's
    /// when several authorities' denials carry the id and none is named).
    pub async fn denial(&self, p: &Principal, id: &str) -> Result<Denial> {
        require(p, Action::ReadDenialNotifications)?;
        let (named, bare) = qualified(id);
        let found = self.store.denials_with_id(&DenialId::parse(bare)?).await?;
        let caller = caller_authority(p);
        let mine = |d: &Denial| caller.as_deref() == Some(d.authority_id.as_str());
        let d = one_of("denial", bare, found, |d| d.authority_id.as_str(), named, mine)?;
        Ok(as_of(d, crate::controls::day()))
    }

    /// Records a denial by hand (an officer, for their authority): a legacy denial or one refused outside Accord.
    pub async fn create_denial(&self, p: &Principal, input: NewDenial) -> Result<Denial> {
        let authority = acting_authority(p, Action::RecordDenials)?;
        input.check()?;
        let day = match &input.date {
            Some(d) => crate::controls::check_day("date", d)?,
            None => crate::controls::day(),
        };
        if day > crate::controls::day() {
            return Err(Error::validation("date", format!("a denial is not dated in the future ({day})")));
        }
        let destination = crate::controls::check_country("destination", &input.destination)?;
        let parties = party_countries(input.parties.clone())?;
        let denial = Denial {
            id: DenialId::generate(),
            authority_id: authority.clone(),
            reference: input.reference.trim().to_owned(),
            date: day,
            control_codes: input.control_codes.iter().map(|c| c.trim().to_owned()).collect(),
            item_description: input.item_description.trim().to_owned(),
            destination,
            end_use: input.end_use.trim().to_owned(),
            refusal_criteria: input.refusal_criteria.clone(),
            parties,
            status: DenialStatus::Active,
            expires_on: expiry_of(day),
            case_id: None,
            created_by: p.actor(),
            created_at: accord_core::now(),
            version: 1,
            review_due: false,
        };
        let mut mutations = vec![Mutation::InsertDenial(denial.clone())];
        mutations.extend(self.publication(&denial));
        let events = vec![event(p, Some(&authority), EventKind::DenialRecorded, denial.id.as_str(), to_json(&denial))];
        self.commit_and_notify(mutations, events).await?;
        // The answer shows what a read shows (a legacy denial past its term reads as expired).
        Ok(as_of(denial, crate::controls::day()))
    }

    /// Amends, revokes or renews a denial (an officer of the notifying authority); allies receive the new version.
    pub async fn change_denial(&self, p: &Principal, id: &str, change: DenialChange) -> Result<Denial> {
        let authority = acting_authority(p, Action::ChangeDenials)?;
        let mut d = self.denial(p, id).await?;
        if d.authority_id != authority {
            return Err(Error::forbidden(format!("denial {id} belongs to {}; only it may change it", d.authority_id)));
        }
        let (version, kind) = match &change {
            DenialChange::Amend { version, .. } => (*version, EventKind::DenialAmended),
            DenialChange::Revoke { version, .. } => (*version, EventKind::DenialRevoked),
            DenialChange::Renew { version } => (*version, EventKind::DenialRenewed),
        };
        if d.version != version {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("denial {id} is at version {}, not {version}; read it again", d.version),
            ));
        }
        if d.status == DenialStatus::Revoked {
            return Err(Error::new(ErrorCode::Conflict, format!("denial {id} is revoked")));
        }
        match change {
            DenialChange::Amend { denial: input, .. } => {
                input.check()?;
                d.destination = crate::controls::check_country("destination", &input.destination)?;
                d.reference = input.reference.trim().to_owned();
                d.control_codes = input.control_codes;
                d.item_description = input.item_description.trim().to_owned();
                d.end_use = input.end_use.trim().to_owned();
                d.refusal_criteria = input.refusal_criteria;
                d.parties = party_countries(input.parties)?;
            }
            DenialChange::Revoke { reason, .. } => {
                accord_core::model::parse_name("reason", &reason)?;
                d.status = DenialStatus::Revoked;
            }
            DenialChange::Renew { .. } => {
                d.status = DenialStatus::Active;
                d.expires_on = expiry_of(jiff::Zoned::now().date());
            }
        }
        d.version += 1;
        let mut mutations = vec![Mutation::UpdateDenial { denial: d.clone(), expected_version: version }];
        mutations.extend(self.publication(&d));
        self.commit_and_notify(mutations, vec![event(p, Some(&authority), kind, d.id.as_str(), to_json(&d))]).await?;
        Ok(as_of(d, crate::controls::day()))
    }

    /// The active denials of other authorities that a case matches: a related control code, the same destination,
    /// and a consignee or end user whose name matches a denial party above the screening threshold.
    pub(crate) async fn matching_denials(&self, authority: &str, transaction: &Transaction) -> Result<Vec<Denial>> {
        let day = crate::controls::day();
        let codes: Vec<&str> = transaction.items.iter().filter_map(|i| i.code.as_deref()).collect();
        let destination = transaction.destination.to_ascii_uppercase();
        let names: Vec<String> = transaction
            .parties
            .iter()
            .filter(|p| matches!(p.role.as_str(), "consignee" | "end_user" | "ultimate_end_user"))
            .map(|p| p.name.clone())
            .collect();
        if codes.is_empty() || names.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for d in self.store.active_denials_to(&destination).await? {
            let d = as_of(d, day);
            let candidate = d.status == DenialStatus::Active
                && d.authority_id.as_str() != authority
                && d.destination.eq_ignore_ascii_case(&destination)
                && d.control_codes.iter().any(|c| codes.iter().any(|x| related_codes(c, x)));
            if candidate && self.best_party_match(&d, &names).is_some() {
                found.push(d);
            }
        }
        Ok(found)
    }
}
