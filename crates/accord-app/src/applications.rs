//! Licence applications: drafted and submitted by exporters; on submit the parties are screened, the transaction is
//! determined for every jurisdiction, and one case is opened, with its risk score and review path, at each authority
//! of this node whose jurisdiction needs a licence — all in one transaction.

use crate::authz::{Action, require};
use crate::{App, DetermineOptions, Scope, event, scope_of, to_json, user_principal};
use accord_controls::{
    ControlCode, Determination, EndUse, JurisdictionAnswer, Outcome, Party, ReviewPath, RiskInput, Transaction,
    TrustTier, assess,
};
use accord_core::audit::EventKind;
use accord_core::cases::{
    Application, ApplicationStatus, Case, CaseStatus, Decision, DecisionKind, JurisdictionOutcome, LicensedItem,
    NewApplication,
};
use accord_core::decimal::Decimal;
use accord_core::ids::{ApplicationId, CaseId, OrgId};
use accord_core::licences::{LicenceKind, LicenceRequest};
use accord_core::model::{Authority, Role};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::{Mutation, NewEvent, UserScope};
use serde_json::json;

/// Working days an authority aims to decide a case in, unless it says otherwise.
pub const DEFAULT_SLA_WORKING_DAYS: u32 = 20;

/// What creating (and maybe submitting) an application did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The application as stored.
    pub application: Application,
    /// False when the idempotency key found an application created earlier (nothing new was stored).
    pub created: bool,
}

fn check_key(key: Option<&str>) -> Result<Option<String>> {
    match key.map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) if k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_owned())),
        Some(_) => Err(Error::validation("idempotency_key", "an Idempotency-Key is 1-200 visible ASCII characters")),
    }
}

/// The transaction as stored: country and currency codes in upper case, whatever case they were sent in.
fn normalised(mut tx: Transaction) -> Transaction {
    fn upper(v: &mut String) {
        *v = v.trim().to_ascii_uppercase();
    }
    upper(&mut tx.origin);
    upper(&mut tx.destination);
    for item in &mut tx.items {
        item.origin.iter_mut().chain(item.currency.iter_mut()).for_each(upper);
    }
    for party in &mut tx.parties {
        party.country.iter_mut().for_each(upper);
    }
    tx
}

/// The application an idempotency key created, when the retried request is the same one; a key reused for another
/// transaction is refused rather than silently answered with the first.
fn same_request(existing: Application, transaction: &Transaction) -> Result<Applied> {
    if &existing.transaction == transaction {
        Ok(Applied { application: existing, created: false })
    } else {
        Err(Error::new(
            ErrorCode::Conflict,
            format!("this Idempotency-Key already created application {} for another transaction", existing.id),
        )
        .with_details(json!({ "field": "idempotency_key", "application_id": existing.id })))
    }
}

fn scope_filter(scope: &Scope) -> Result<UserScope> {
    match scope {
        Scope::All => Ok(UserScope::All),
        Scope::Authority(a) => Ok(UserScope::Authority(a.clone())),
        Scope::Organisation(o) => Ok(UserScope::Organisation(o.clone())),
        Scope::OnlySelf => Err(Error::forbidden("this role has no access to applications or cases")),
    }
}

/// The normalised names of the consignees of a transaction.
fn consignees(tx: &Transaction) -> Vec<String> {
    tx.parties.iter().filter(|p| p.role == "consignee").map(|p| accord_screen::normalize(&p.name)).collect()
}

/// The transactions an application reaches: the one applied for and, for a global licence, the same transaction to
/// each further destination. A joint-development project's participants join the first as end users, so their
/// screening and the transfer of technology to their countries (a deemed export) are determined with it.
fn legs(request: &LicenceRequest, tx: &Transaction) -> Result<Vec<Transaction>> {
    let mut first = tx.clone();
    if let Some(project) = &request.project {
        if tx.parties.len() + project.participants.len() > accord_controls::MAX_PARTIES {
            return Err(Error::validation(
                "licence.project.participants",
                format!("parties and participants together are at most {}", accord_controls::MAX_PARTIES),
            ));
        }
        first.parties.extend(project.participants.iter().map(|p| Party {
            role: "end_user".into(),
            name: p.name.clone(),
            country: Some(p.nationality.clone()),
            r#type: Some(p.r#type.clone().unwrap_or_else(|| "organization".into())),
        }));
    }
    let mut legs = vec![first];
    for d in &request.destinations {
        if legs.iter().any(|l| l.destination.trim().eq_ignore_ascii_case(d.trim())) {
            return Err(Error::validation("licence.destinations", format!("destination '{d}' is named twice")));
        }
        legs.push(Transaction { destination: d.clone(), ..tx.clone() });
    }
    Ok(legs)
}

/// A leg's error, naming the further destination it came from.
fn leg_error(i: usize, e: Error) -> Error {
    if i == 0 {
        return e;
    }
    let field = format!("licence.destinations[{}]", i - 1);
    let message = format!("{field}: {}", e.message);
    Error::new(e.code, message).with_details(json!({ "field": field }))
}

/// The worst of a jurisdiction's answers over every leg: prohibited before licence required before the rest.
fn worst<'a>(answers: &[(&'a str, &'a JurisdictionAnswer)]) -> (Outcome, Vec<String>) {
    for o in [Outcome::Prohibited, Outcome::LicenceRequired] {
        let places: Vec<String> =
            answers.iter().filter(|(_, a)| a.outcome == o).map(|(d, _)| (*d).to_owned()).collect();
        if !places.is_empty() {
            return (o, places);
        }
    }
    (answers.first().map_or(Outcome::NoLicenceRequired, |(_, a)| a.outcome), Vec::new())
}

impl App {
    /// Checks what a licence request depends on beyond its shape: a global licence needs a trusted exporter.
    async fn check_eligible(&self, org: &OrgId, request: &LicenceRequest) -> Result<()> {
        if request.kind == LicenceKind::Global && self.trust_tier(org).await? != accord_core::cases::Tier::Trusted {
            return Err(Error::new(
                ErrorCode::NotEligible,
                format!(
                    "organisation {org} is not a trusted exporter (a certified internal compliance programme in force); \
                     only trusted exporters may apply for a global licence"
                ),
            )
            .with_details(json!({ "field": "licence.kind", "organisation_id": org })));
        }
        Ok(())
    }

    /// Drafts an application (exporters for their own organisation; officers of its authority and admins for any),
    /// and submits it at once when `submit` is set. A repeated `idempotency_key` of the organisation returns the
    /// application it created, and stores nothing.
    pub async fn create_application(
        &self,
        p: &Principal,
        input: NewApplication,
        idempotency_key: Option<&str>,
        submit: bool,
    ) -> Result<Applied> {
        self.create(p, input, idempotency_key, submit, Vec::new()).await
    }

    /// Creates an application with its files, declared and stored in the same commit, and submits it when
    /// `submit`: a file that is refused leaves nothing behind.
    pub async fn apply_with_files(
        &self,
        p: &Principal,
        input: NewApplication,
        files: Vec<crate::documents::NewFile>,
        submit: bool,
    ) -> Result<Applied> {
        if !files.is_empty() {
            require(p, Action::UploadDocuments)?;
        }
        self.create(p, input, None, submit, files).await
    }

    async fn create(
        &self,
        p: &Principal,
        mut input: NewApplication,
        idempotency_key: Option<&str>,
        submit: bool,
        files: Vec<crate::documents::NewFile>,
    ) -> Result<Applied> {
        require(p, Action::ApplyForLicences)?;
        let key = check_key(idempotency_key)?;
        let org_id = match (user_principal(p), &input.organisation_id) {
            (Some(u), None) if u.role == Role::Exporter => {
                u.organisation_id.clone().ok_or_else(|| Error::forbidden("this exporter belongs to no organisation"))?
            }
            (_, Some(o)) => OrgId::parse(o)?,
            (_, None) => return Err(Error::validation("organisation_id", "name the applying organisation")),
        };
        // Visibility decides: an exporter of another organisation, or an officer of another authority, sees none.
        let org = self.organisation(p, org_id.as_str()).await.map_err(|e| match e.code {
            ErrorCode::NotFound => Error::new(ErrorCode::UnknownOrganisation, format!("no organisation '{org_id}'"))
                .with_details(json!({ "field": "organisation_id" })),
            _ => e,
        })?;
        let files = crate::documents::declare_files(&mut input.documents, files)?;
        input.check()?;
        if !files.is_empty() {
            self.check_quota(&org.id, files.iter().map(|f| f.bytes.len() as u64).sum()).await?;
        }
        // Checked as sent (a country in lower case is refused, as in a determination), stored in upper case.
        let legs = legs(&input.licence, &input.transaction)?;
        input.transaction = normalised(input.transaction);
        self.check_eligible(&org.id, &input.licence).await?;
        if let Some(k) = &key
            && let Some(existing) = self.store.application_by_key(&org.id, k).await?
        {
            return same_request(existing, &input.transaction);
        }
        let application = Application {
            id: ApplicationId::generate(),
            organisation_id: org.id.clone(),
            authority_id: org.authority_id.clone(),
            status: ApplicationStatus::Draft,
            transaction: input.transaction,
            end_use_statement: input.end_use_statement.trim().to_owned(),
            declarations: input.declarations,
            documents: input.documents,
            licence: input.licence,
            determination: None,
            outcomes: Vec::new(),
            created_by: p.actor(),
            created_at: accord_core::now(),
            submitted_at: None,
        };
        let mut events = vec![event(
            p,
            Some(&org.authority_id),
            EventKind::ApplicationCreated,
            application.id.as_str(),
            json!({ "organisation_id": org.id, "idempotency_key": key }),
        )];
        let mut mutations = Vec::new();
        let stored = if submit {
            let (submitted, cases, more_events) = self.submission(p, application, &legs).await?;
            mutations.extend(cases);
            events.extend(more_events);
            submitted
        } else {
            // Checked now so a draft never holds a transaction that cannot be determined.
            for (i, leg) in legs.iter().enumerate() {
                self.in_force_for(leg, None).await.map_err(|e| leg_error(i, e))?;
            }
            application
        };
        let (file_mutations, file_events) = App::store_files(p, &stored, files);
        mutations.insert(0, Mutation::InsertApplication { application: stored.clone(), idempotency_key: key.clone() });
        mutations.extend(file_mutations);
        events.extend(file_events);
        match self.store.commit(mutations, events).await {
            Ok(_) => Ok(Applied { application: stored, created: true }),
            Err(e) if e.code == ErrorCode::AlreadyExists => {
                // Another request with the same key won the race: answer with its application.
                let k = key.as_deref().unwrap_or_default();
                let existing = self.store.application_by_key(&org.id, k).await?.ok_or(e)?;
                same_request(existing, &stored.transaction)
            }
            Err(e) => Err(e),
        }
    }

    /// Submits a draft; submitting a submitted application again returns it unchanged.
    pub async fn submit_application(&self, p: &Principal, id: &str) -> Result<Application> {
        require(p, Action::SubmitApplications)?;
        let application = self.application(p, id).await?;
        if application.status == ApplicationStatus::Submitted {
            return Ok(application);
        }
        let legs = legs(&application.licence, &application.transaction)?;
        self.check_eligible(&application.organisation_id, &application.licence).await?;
        let (submitted, mut mutations, events) = self.submission(p, application, &legs).await?;
        mutations
            .insert(0, Mutation::UpdateApplication { application: submitted.clone(), from: ApplicationStatus::Draft });
        self.store.commit(mutations, events).await?;
        Ok(submitted)
    }

    /// Screens, determines and opens the cases of a submission; returns the submitted application, the cases to
    /// insert and the events to append (the caller stores the application itself).
    async fn submission(
        &self,
        p: &Principal,
        mut application: Application,
        legs: &[Transaction],
    ) -> Result<(Application, Vec<Mutation>, Vec<NewEvent>)> {
        let tx = &legs[0];
        let (d, in_force) = self.determine_in_force(p, tx, &DetermineOptions::default()).await?;
        let list = in_force.list;
        let mut further = Vec::new();
        for (i, leg) in legs.iter().enumerate().skip(1) {
            let (dl, _) =
                self.determine_in_force(p, leg, &DetermineOptions::default()).await.map_err(|e| leg_error(i, e))?;
            further.push((leg.destination.as_str(), dl));
        }
        let authorities = self.store.authorities().await?;
        let now_consignees = consignees(&application.transaction);
        let first_shipment = !self.store.known_consignee(&application.organisation_id, &now_consignees).await?;
        let end_use = EndUse::parse(tx.end_use.category.trim()).unwrap_or(EndUse::Unknown);
        let trust_tier = match self.trust_tier(&application.organisation_id).await? {
            accord_core::cases::Tier::Trusted => TrustTier::Trusted,
            accord_core::cases::Tier::Standard => TrustTier::Standard,
            accord_core::cases::Tier::Watch => TrustTier::Watch,
        };
        let regimes: Vec<_> = d
            .items
            .iter()
            .filter_map(|i| i.entry.as_deref())
            .filter_map(|c| ControlCode::parse(c).ok())
            .filter_map(|c| list.get(&c))
            .flat_map(|e| e.regimes.iter().copied())
            .collect();
        let listed_items = d.items.iter().filter(|i| i.code.is_some()).count();
        let total_value = tx.items.iter().map(|i| i.value).sum::<Option<Decimal>>();
        let mut mutations = vec![Mutation::RecordConsignees {
            organisation_id: application.organisation_id.clone(),
            names: now_consignees.clone(),
        }];
        let mut events = Vec::new();
        let mut outcomes = Vec::new();
        for first in &d.jurisdictions {
            // Every leg's answer for this jurisdiction; the case rests on the riskiest one that needs a licence.
            let mut answers = vec![(tx.destination.as_str(), first)];
            for (dest, dl) in &further {
                if let Some(a) = dl.jurisdictions.iter().find(|a| a.jurisdiction == first.jurisdiction) {
                    answers.push((*dest, a));
                }
            }
            let (worst_outcome, places) = worst(&answers);
            let mut outcome = JurisdictionOutcome {
                jurisdiction: first.jurisdiction.clone(),
                outcome: worst_outcome,
                case_id: None,
                note: String::new(),
                destinations: if legs.len() > 1 { places.clone() } else { Vec::new() },
            };
            if worst_outcome != Outcome::LicenceRequired {
                let answer = answers.iter().find(|(_, a)| a.outcome == worst_outcome).map_or(first, |(_, a)| *a);
                outcome.note = match worst_outcome {
                    Outcome::Prohibited if legs.len() > 1 => {
                        format!("prohibited for {}: no licence can be applied for; leave it out", places.join(", "))
                    }
                    Outcome::Prohibited => "prohibited: no licence can be applied for".to_owned(),
                    Outcome::GeneralAuthorisation => {
                        format!("covered by {}", answer.general_authorisations.join(", "))
                    }
                    _ => "no licence is required".to_owned(),
                };
                outcomes.push(outcome);
                continue;
            }
            let Some(authority) = reviewing_authority(&authorities, &first.jurisdiction, &application) else {
                outcome.note = format!("no authority for {} on this node; apply there", first.jurisdiction);
                outcomes.push(outcome);
                continue;
            };
            let matches = self.matching_denials(authority.id.as_str(), &application.transaction).await?;
            let risk = answers
                .iter()
                .filter(|(_, a)| a.outcome == Outcome::LicenceRequired)
                .map(|(_, answer)| {
                    assess(&RiskInput {
                        answer,
                        hits: &d.party_hits,
                        end_use,
                        regimes: &regimes,
                        listed_items,
                        trust_tier,
                        first_shipment,
                        total_value,
                        allied_denials: matches.len(),
                    })
                })
                .max_by_key(|r| r.score)
                .ok_or_else(|| Error::internal("a licence is required but no leg requires it"))?;
            let today = jiff::Zoned::now()
                .with_time_zone(jiff::tz::TimeZone::get(&authority.time_zone).unwrap_or(jiff::tz::TimeZone::UTC))
                .date();
            let fast = risk.review_path == ReviewPath::FastTrack;
            let settings =
                if fast { self.store.fast_track(&authority.id).await?.unwrap_or_default() } else { Default::default() };
            let sla_target = if fast { settings.target_working_days } else { DEFAULT_SLA_WORKING_DAYS };
            let case = Case {
                id: CaseId::generate(),
                application_id: application.id.clone(),
                organisation_id: application.organisation_id.clone(),
                authority_id: authority.id.clone(),
                jurisdiction: first.jurisdiction.clone(),
                status: CaseStatus::Open,
                risk_score: risk.score,
                risk_factors: risk.factors,
                review_path: risk.review_path,
                version: 1,
                opened_at: accord_core::now(),
                due_date: authority.calendar.add_working_days(today, sla_target),
                assigned_to: None,
                info_requests: Vec::new(),
                advice: Vec::new(),
                decision: None,
                licence_id: None,
                tasks: Vec::new(),
                sla_target,
                alerts: Vec::new(),
                denial_id: None,
                denial_matches: matches.iter().map(|d| d.id.to_string()).collect(),
            };
            let mut case = case;
            if risk.review_path == ReviewPath::EnhancedDueDiligence {
                // Enhanced due diligence starts with a pre-licence check of the end user.
                case.tasks.push(accord_core::cases::VerificationTask {
                    kind: accord_core::cases::TaskKind::PreLicenceCheck,
                    assignee: format!("{} (to be assigned)", authority.id),
                    due_date: authority.calendar.add_working_days(today, 10),
                    opened_at: accord_core::now(),
                    outcome: None,
                    report: None,
                    closed_at: None,
                });
            }
            outcome.case_id = Some(case.id.to_string());
            outcome.note = format!("case opened at {}", authority.id);
            let mut licence = None;
            let suspended = fast && settings.auto_approve && self.has_alerts(&application.organisation_id).await?;
            if suspended {
                outcome.note = format!(
                    "case opened at {}; automatic fast-track approval is suspended while the exporter has open alerts",
                    authority.id
                );
            }
            if fast && settings.auto_approve && !suspended {
                // The authority approves clean fast-track cases at once, with its standard conditions.
                let until =
                    today.checked_add(jiff::Span::new().days(i64::from(settings.validity_days))).unwrap_or(today);
                let items = tx
                    .items
                    .iter()
                    .enumerate()
                    .map(|(item, i)| LicensedItem {
                        item,
                        quantity: i.quantity.unwrap_or_default(),
                        value: i.value.unwrap_or_default(),
                    })
                    .collect();
                let decision = Decision {
                    kind: DecisionKind::Approve,
                    by: format!("fast-track:{}", authority.id),
                    at: accord_core::now(),
                    reason: "trusted exporter, low risk, no screening hits: approved on the fast track".into(),
                    conditions: settings.conditions.clone(),
                    valid_from: Some(today),
                    valid_until: Some(until),
                    items,
                    refusal_criteria: Vec::new(),
                    countersigned_by: None,
                    countersigned_at: None,
                };
                let issued = crate::licences::issue(&case, &decision, &application);
                case.status = CaseStatus::Approved;
                case.licence_id = Some(issued.id.to_string());
                case.decision = Some(decision);
                outcome.note = format!("approved on the fast track at {}: licence {}", authority.id, issued.id);
                licence = Some(issued);
            }
            events.push(event(p, Some(&authority.id), EventKind::CaseOpened, case.id.as_str(), to_json(&case)));
            mutations.push(Mutation::InsertCase(case));
            if let Some(l) = licence {
                events.push(event(p, Some(&authority.id), EventKind::LicenceIssued, l.id.as_str(), to_json(&l)));
                mutations.push(Mutation::InsertLicence(l));
            }
            outcomes.push(outcome);
        }
        application.status = ApplicationStatus::Submitted;
        application.submitted_at = Some(accord_core::now());
        application.outcomes = outcomes;
        application.determination = Some(d.clone());
        events.insert(
            0,
            event(
                p,
                Some(&application.authority_id),
                EventKind::ApplicationSubmitted,
                application.id.as_str(),
                json!({ "outcomes": application.outcomes, "versions": d.versions }),
            ),
        );
        Ok((application, mutations, events))
    }

    /// One application, if visible to the caller.
    pub async fn application(&self, p: &Principal, id: &str) -> Result<Application> {
        let scope = scope_of(p)?;
        let id = ApplicationId::parse(id)?;
        let a = self.store.application(&id).await?.ok_or_else(|| Error::not_found("application", id.as_str()))?;
        let visible = match &scope {
            Scope::All => true,
            Scope::Authority(auth) => &a.authority_id == auth || self.store.has_case_for(&a.id, auth).await?,
            Scope::Organisation(o) => &a.organisation_id == o,
            Scope::OnlySelf => false,
        };
        if visible { Ok(a) } else { Err(Error::not_found("application", id.as_str())) }
    }

    /// Applications visible to the caller, newest first.
    pub async fn applications(&self, p: &Principal) -> Result<Vec<Application>> {
        let scope = scope_filter(&scope_of(p)?)?;
        self.store.applications(&scope).await
    }

    /// Cases visible to the caller: an authority's queue (highest risk first, then the earliest due), an
    /// organisation's own cases, or all.
    pub async fn cases(&self, p: &Principal) -> Result<Vec<Case>> {
        let scope = scope_filter(&scope_of(p)?)?;
        self.store.cases(&scope).await
    }

    /// One page of the cases visible to the caller (`per_page` of them, from page 1), in the queue's order, and how
    /// many there are in all.
    pub async fn cases_page(&self, p: &Principal, page: u64, per_page: u64) -> Result<(Vec<Case>, u64)> {
        let scope = scope_filter(&scope_of(p)?)?;
        let per_page = per_page.clamp(1, 500);
        self.store.cases_page(&scope, page.max(1).saturating_sub(1).saturating_mul(per_page), per_page).await
    }

    /// One case, if visible to the caller.
    pub async fn case(&self, p: &Principal, id: &str) -> Result<Case> {
        let scope = scope_of(p)?;
        let id = CaseId::parse(id)?;
        let c = self.store.case(&id).await?.ok_or_else(|| Error::not_found("case", id.as_str()))?;
        let visible = match &scope {
            Scope::All => true,
            Scope::Authority(a) => &c.authority_id == a,
            Scope::Organisation(o) => &c.organisation_id == o,
            Scope::OnlySelf => false,
        };
        if visible { Ok(c) } else { Err(Error::not_found("case", id.as_str())) }
    }
}

impl App {
    /// Sets how an authority handles fast-track cases (admins, and senior officers of that authority).
    pub async fn set_fast_track(
        &self,
        p: &Principal,
        authority: &str,
        settings: accord_core::cases::FastTrackSettings,
    ) -> Result<accord_core::cases::FastTrackSettings> {
        require(p, Action::ConfigureTheFastTrack)?;
        let a = self.authority(authority).await?;
        if let Some(u) = user_principal(p)
            && u.role == Role::SeniorOfficer
            && u.authority_id.as_ref() != Some(&a.id)
        {
            return Err(Error::forbidden("senior officers configure their own authority's fast track only"));
        }
        if !(1..=60).contains(&settings.target_working_days) || !(1..=1825).contains(&settings.validity_days) {
            return Err(Error::validation(
                "target_working_days",
                "the fast-track target is 1-60 working days and the validity 1-1825 days",
            ));
        }
        self.store
            .commit(
                vec![Mutation::PutFastTrack { authority_id: a.id.clone(), settings: settings.clone() }],
                vec![event(p, Some(&a.id), EventKind::AuthorityFastTrackSet, a.id.as_str(), to_json(&settings))],
            )
            .await?;
        Ok(settings)
    }
}

/// The authority that reviews a jurisdiction's case: the applicant's own when it applies that jurisdiction, else the
/// first authority of the node (by id) that does.
fn reviewing_authority<'a>(authorities: &'a [Authority], jurisdiction: &str, a: &Application) -> Option<&'a Authority> {
    authorities
        .iter()
        .find(|x| x.id == a.authority_id && x.jurisdiction == jurisdiction)
        .or_else(|| authorities.iter().filter(|x| x.jurisdiction == jurisdiction).min_by(|x, y| x.id.cmp(&y.id)))
}

/// The determination an application was submitted with, if any.
pub fn determination_of(a: &Application) -> Option<Determination> {
    a.determination.clone()
}
