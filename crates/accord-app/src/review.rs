//! Officers review cases: assign, ask the exporter for information (the SLA clock pauses), record advice, decide,
//! and countersign. Every change names the case version it was made on, so two officers deciding the same case
//! cannot both win: the second gets `case_changed`.

use crate::authz::{Action, require};
use crate::{App, event, to_json, user_principal};
use accord_core::audit::EventKind;
use accord_core::cases::{
    Advice, Case, CaseSla, CaseStatus, Decision, DecisionKind, InfoRequest, LicensedItem, NewDecision, NewTask,
    TaskOutcome, TaskResult, VerificationTask,
};
use accord_core::decimal::Decimal;
use accord_core::model::{Authority, Role};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A case with its SLA clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// Its clock.
    pub sla: CaseSla,
}

/// The clock of a case on `today`, in its authority's working days.
pub fn sla(case: &Case, authority: &Authority, today: Date) -> CaseSla {
    case.sla(&authority.calendar, today)
}

/// Trimmed free text of at most `max` characters without control characters (newlines allowed).
pub(crate) fn text(field: &str, s: &str, max: usize) -> Result<String> {
    accord_core::model::parse_text(field, s, max)
}

impl App {
    /// A case with its SLA clock, if visible to the caller.
    pub async fn case_view(&self, p: &Principal, id: &str) -> Result<CaseView> {
        let case = self.case(p, id).await?;
        let authority = self.authority(case.authority_id.as_str()).await?;
        let sla = sla(&case, &authority, jiff::Zoned::now().date());
        Ok(CaseView { case, sla })
    }

    /// What happened to a case, its application and its licence, oldest first (the latest 200 events), to whoever
    /// may see the case.
    pub async fn case_history(&self, p: &Principal, id: &str) -> Result<Vec<accord_core::audit::AuditEvent>> {
        let case = self.case(p, id).await?;
        let mut subjects = vec![case.id.as_str(), case.application_id.as_str()];
        subjects.extend(case.licence_id.as_deref());
        self.store.events_about(&subjects, 200).await
    }

    /// A case an officer of its authority may work on, at the version the officer saw.
    async fn case_to_work(&self, p: &Principal, id: &str, version: i64, action: Action) -> Result<Case> {
        require(p, action)?;
        let case = self.case(p, id).await?;
        if let Some(u) = user_principal(p)
            && u.authority_id.as_ref() != Some(&case.authority_id)
        {
            return Err(Error::not_found("case", id));
        }
        if case.version != version {
            return Err(Error::new(
                ErrorCode::CaseChanged,
                format!("case '{id}' is at version {}, not {version}; read it again", case.version),
            )
            .with_details(json!({ "case_id": id, "version": case.version })));
        }
        Ok(case)
    }

    async fn save_case(&self, p: &Principal, case: Case, kind: EventKind, payload: serde_json::Value) -> Result<Case> {
        self.save_case_with(p, case, kind, payload, Vec::new()).await
    }

    /// Stores a changed case with further mutations in the same transaction (a notice, a shared result). An approval
    /// issues its licence, and a refusal records its denial and sends it to the allies.
    async fn save_case_with(
        &self,
        p: &Principal,
        mut case: Case,
        kind: EventKind,
        payload: serde_json::Value,
        extra: Vec<Mutation>,
    ) -> Result<Case> {
        let expected_version = case.version;
        case.version += 1;
        let authority = case.authority_id.clone();
        let mut mutations = extra;
        let mut events = vec![event(p, Some(&authority), kind, case.id.as_str(), payload)];
        // An approval issues its licence, and a refusal records its denial, in the same transaction.
        let issues_licence = case.status == CaseStatus::Approved && case.licence_id.is_none();
        let records_denial = case.status == CaseStatus::Refused && case.denial_id.is_none();
        if (issues_licence || records_denial)
            && let Some(decision) = case.decision.clone()
        {
            let application = self
                .store
                .application(&case.application_id)
                .await?
                .ok_or_else(|| Error::internal(format!("case '{}' without its application", case.id)))?;
            if issues_licence {
                let licence = crate::licences::issue(&case, &decision, &application);
                case.licence_id = Some(licence.id.to_string());
                events.push(event(
                    p,
                    Some(&authority),
                    EventKind::LicenceIssued,
                    licence.id.as_str(),
                    to_json(&licence),
                ));
                mutations.push(Mutation::InsertLicence(licence));
            } else {
                let denial = crate::allied::of_refusal(&case, &decision, &application, &p.actor());
                case.denial_id = Some(denial.id.to_string());
                events.push(event(
                    p,
                    Some(&authority),
                    EventKind::DenialRecorded,
                    denial.id.as_str(),
                    to_json(&denial),
                ));
                mutations.extend(self.publication(&denial));
                mutations.push(Mutation::InsertDenial(denial));
            }
        }
        mutations.insert(0, Mutation::UpdateCase { case: case.clone(), expected_version });
        self.commit_and_notify(mutations, events).await?;
        Ok(case)
    }

    /// Assigns a case to an officer of its authority (by default the caller).
    pub async fn assign_case(&self, p: &Principal, id: &str, version: i64, officer: Option<&str>) -> Result<Case> {
        let mut case = self.case_to_work(p, id, version, Action::AssignCases).await?;
        let officer = match (officer, user_principal(p)) {
            (Some(o), _) => {
                let u = self.user(p, o).await?;
                if !matches!(u.role, Role::Officer | Role::SeniorOfficer)
                    || u.authority_id.as_ref() != Some(&case.authority_id)
                {
                    return Err(Error::validation(
                        "officer",
                        format!("'{}' is not an officer of {}", u.id, case.authority_id),
                    ));
                }
                u.id.to_string()
            }
            (None, Some(me)) => me.user_id.to_string(),
            (None, None) => return Err(Error::validation("officer", "name the officer to assign")),
        };
        case.assigned_to = Some(officer.clone());
        self.save_case(p, case, EventKind::CaseAssigned, json!({ "officer": officer })).await
    }

    /// Asks the exporter for information; the SLA clock pauses until the answer.
    pub async fn request_information(&self, p: &Principal, id: &str, version: i64, question: &str) -> Result<Case> {
        let mut case = self.case_to_work(p, id, version, Action::AskForInformation).await?;
        if case.status != CaseStatus::Open {
            return Err(Error::new(ErrorCode::Conflict, format!("case '{id}' is {}, not open", case.status.as_str())));
        }
        let question = text("question", question, 4000)?;
        case.info_requests.push(InfoRequest {
            asked_by: p.actor(),
            asked_at: accord_core::now(),
            question: question.clone(),
            answered_at: None,
            answer: None,
        });
        case.status = CaseStatus::AwaitingInformation;
        self.save_case(p, case, EventKind::CaseInformationRequested, json!({ "question": question })).await
    }

    /// The exporter answers the open question; the clock runs again and the due date moves by the pause.
    pub async fn answer_information(&self, p: &Principal, id: &str, answer: &str) -> Result<Case> {
        require(p, Action::AnswerAnAuthorityQuestions)?;
        let mut case = self.case(p, id).await?;
        if case.status != CaseStatus::AwaitingInformation {
            return Err(Error::new(ErrorCode::Conflict, format!("case '{id}' is not waiting for information")));
        }
        let answer = text("answer", answer, 8000)?;
        if let Some(open) = case.info_requests.iter_mut().rev().find(|r| r.answered_at.is_none()) {
            open.answered_at = Some(accord_core::now());
            open.answer = Some(answer.clone());
        }
        case.status = CaseStatus::Open;
        let authority = self.authority(case.authority_id.as_str()).await?;
        case.due_date = sla(&case, &authority, jiff::Zoned::now().date()).due_date;
        self.save_case(p, case, EventKind::CaseInformationAnswered, json!({ "answer": answer })).await
    }

    /// Records advice on an open case.
    pub async fn advise(&self, p: &Principal, id: &str, version: i64, advice: &str) -> Result<Case> {
        let mut case = self.case_to_work(p, id, version, Action::RecordAdvice).await?;
        if case.status.is_closed() {
            return Err(Error::new(ErrorCode::Conflict, format!("case '{id}' is closed")));
        }
        let advice = text("advice", advice, 8000)?;
        case.advice.push(Advice { by: p.actor(), at: accord_core::now(), text: advice.clone() });
        self.save_case(p, case, EventKind::CaseAdviceRecorded, json!({ "advice": advice })).await
    }

    /// Decides an open case. A refusal, or an approval on the enhanced-due-diligence path, waits for the
    /// countersignature of a different senior officer.
    pub async fn decide(&self, p: &Principal, id: &str, input: NewDecision) -> Result<Case> {
        let mut case = self.case_to_work(p, id, input.version, Action::DecideCases).await?;
        if case.status != CaseStatus::Open {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("case '{id}' is {}; only an open case can be decided", case.status.as_str()),
            ));
        }
        let reason = text("reason", &input.reason, 4000)?;
        let mut decision = Decision {
            kind: input.kind,
            by: p.actor(),
            at: accord_core::now(),
            reason,
            conditions: Vec::new(),
            valid_from: None,
            valid_until: None,
            items: Vec::new(),
            refusal_criteria: Vec::new(),
            countersigned_by: None,
            countersigned_at: None,
        };
        let needs_countersignature = match input.kind {
            DecisionKind::Approve => {
                decision.conditions = input
                    .conditions
                    .iter()
                    .enumerate()
                    .map(|(i, c)| text(&format!("conditions[{i}]"), c, 1000))
                    .collect::<Result<_>>()?;
                let from = match &input.valid_from {
                    Some(d) => crate::controls::check_day("valid_from", d)?,
                    None => crate::controls::day(),
                };
                let until = crate::controls::check_day(
                    "valid_until",
                    input
                        .valid_until
                        .as_deref()
                        .ok_or_else(|| Error::validation("valid_until", "an approval needs valid_until"))?,
                )?;
                crate::controls::licence_days(from, until)?;
                if let Some((i, t)) = case.tasks.iter().enumerate().find(|(_, t)| t.outcome.is_none()) {
                    return Err(Error::new(
                        ErrorCode::Conflict,
                        format!("verification task {i} ({:?}) is still open; record its outcome first", t.kind),
                    ));
                }
                if let Some((i, _)) =
                    case.tasks.iter().enumerate().find(|(_, t)| t.outcome == Some(TaskOutcome::Unfavourable))
                {
                    return Err(Error::new(
                        ErrorCode::Conflict,
                        format!("verification task {i} was unfavourable; the case cannot be approved"),
                    ));
                }
                decision.items = self.licensed_items(&case, &input.items).await?;
                decision.valid_from = Some(from);
                decision.valid_until = Some(until);
                case.review_path == accord_core::determination::ReviewPath::EnhancedDueDiligence
            }
            DecisionKind::Refuse => {
                if input.refusal_criteria.is_empty() {
                    return Err(Error::validation(
                        "refusal_criteria",
                        "a refusal names at least one refusal criterion",
                    ));
                }
                decision.refusal_criteria = input
                    .refusal_criteria
                    .iter()
                    .enumerate()
                    .map(|(i, c)| text(&format!("refusal_criteria[{i}]"), c, 100))
                    .collect::<Result<_>>()?;
                true
            }
            DecisionKind::Return => false,
        };
        case.status = match (input.kind, needs_countersignature) {
            (_, true) => CaseStatus::AwaitingCountersignature,
            (DecisionKind::Approve, false) => CaseStatus::Approved,
            (DecisionKind::Refuse, false) => CaseStatus::Refused,
            (DecisionKind::Return, false) => CaseStatus::Returned,
        };
        let mut extra = Vec::new();
        if input.kind == DecisionKind::Approve {
            // An approval that matches an ally's denial needs the consultation first.
            let notice = self.approval_check(&case, &decision.reason).await?;
            if case.status == CaseStatus::Approved
                && let Some(n) = notice
            {
                extra = self.notice_mutations(&n);
            }
        }
        case.decision = Some(decision.clone());
        self.save_case_with(p, case, EventKind::CaseDecided, to_json(&decision), extra).await
    }

    /// Opens a verification task on an open case.
    pub async fn open_task(&self, p: &Principal, id: &str, input: NewTask) -> Result<Case> {
        self.open_task_with(p, id, input, Vec::new(), None).await
    }

    /// Opens a verification task with further mutations in the same transaction, and the record that asked for it
    /// (an alert) named in the event.
    pub(crate) async fn open_task_with(
        &self,
        p: &Principal,
        id: &str,
        input: NewTask,
        extra: Vec<Mutation>,
        origin: Option<&str>,
    ) -> Result<Case> {
        let mut case = self.case_to_work(p, id, input.version, Action::OpenVerificationTasks).await?;
        if case.status.is_closed() {
            return Err(Error::new(ErrorCode::Conflict, format!("case '{id}' is closed")));
        }
        let assignee = text("assignee", &input.assignee, 200)?;
        let due_date = crate::controls::check_day("due_date", &input.due_date)?;
        let task = VerificationTask {
            kind: input.kind,
            assignee,
            due_date,
            opened_at: accord_core::now(),
            outcome: None,
            report: None,
            closed_at: None,
        };
        case.tasks.push(task.clone());
        let mut payload = to_json(&task);
        if let Some(origin) = origin {
            payload["origin"] = serde_json::json!(origin);
        }
        self.save_case_with(p, case, EventKind::CaseTaskOpened, payload, extra).await
    }

    /// Records the outcome and report of a verification task.
    pub async fn close_task(&self, p: &Principal, id: &str, task: usize, input: TaskResult) -> Result<Case> {
        let mut case = self.case_to_work(p, id, input.version, Action::RecordVerificationOutcomes).await?;
        let report = text("report", &input.report, 8000)?;
        let Some(t) = case.tasks.get_mut(task) else {
            return Err(Error::not_found("verification task", &task.to_string()));
        };
        if t.outcome.is_some() {
            return Err(Error::new(ErrorCode::Conflict, format!("verification task {task} already has its outcome")));
        }
        t.outcome = Some(input.outcome);
        t.report = Some(report.clone());
        t.closed_at = Some(accord_core::now());
        let kind = t.kind;
        let payload = json!({ "task": task, "outcome": input.outcome });
        // The result is shared with the allies, so they need not repeat the check.
        let application = self.store.application(&case.application_id).await?;
        let party = application.as_ref().and_then(|a| {
            let parties = &a.transaction.parties;
            parties.iter().find(|x| x.role == "end_user").or_else(|| parties.first()).cloned()
        });
        let shared = accord_core::denials::SharedVerification {
            id: format!("ver_{}_{task}", case.id.as_str().trim_start_matches("case_")),
            authority_id: case.authority_id.to_string(),
            kind: kind.into(),
            subject: party.as_ref().map_or_else(|| "(no party named)".to_owned(), |x| x.name.clone()),
            country: party.as_ref().and_then(|x| x.country.clone()),
            outcome: input.outcome.into(),
            report,
            date: crate::controls::day(),
            version: 1,
        };
        let extra = self.verification_mutations(&shared);
        self.save_case_with(p, case, EventKind::CaseTaskClosed, payload, extra).await
    }

    /// Countersigns a decision waiting for it: a senior officer of the case's authority other than the decider.
    pub async fn countersign(&self, p: &Principal, id: &str, version: i64) -> Result<Case> {
        let mut case = self.case_to_work(p, id, version, Action::CountersignDecisions).await?;
        if case.status != CaseStatus::AwaitingCountersignature {
            return Err(Error::new(ErrorCode::Conflict, format!("case '{id}' is not waiting for a countersignature")));
        }
        let Some(decision) = case.decision.as_mut() else {
            return Err(Error::internal("a case waiting for a countersignature has no decision"));
        };
        if decision.by == p.actor() {
            return Err(Error::forbidden(
                "the countersignature must come from another senior officer than the decider",
            ));
        }
        decision.countersigned_by = Some(p.actor());
        decision.countersigned_at = Some(accord_core::now());
        case.status = match decision.kind {
            DecisionKind::Approve => CaseStatus::Approved,
            DecisionKind::Refuse => CaseStatus::Refused,
            DecisionKind::Return => CaseStatus::Returned,
        };
        let payload = json!({ "kind": decision.kind, "decided_by": decision.by });
        let (kind, reason) = (decision.kind, decision.reason.clone());
        let mut extra = Vec::new();
        if kind == DecisionKind::Approve
            && let Some(n) = self.approval_check(&case, &reason).await?
        {
            extra = self.notice_mutations(&n);
        }
        self.save_case_with(p, case, EventKind::CaseCountersigned, payload, extra).await
    }

    /// The licensed items of an approval: as given (never more than applied for), or everything applied for.
    async fn licensed_items(&self, case: &Case, given: &[LicensedItem]) -> Result<Vec<LicensedItem>> {
        let application = self
            .store
            .application(&case.application_id)
            .await?
            .ok_or_else(|| Error::internal(format!("case '{}' without its application", case.id)))?;
        let applied: Vec<(Decimal, Decimal, Option<String>)> = application
            .transaction
            .items
            .iter()
            .map(|i| (i.quantity.unwrap_or_default(), i.value.unwrap_or_default(), i.currency.clone()))
            .collect();
        if given.is_empty() {
            return Ok(applied
                .iter()
                .enumerate()
                .map(|(item, (quantity, value, _))| LicensedItem { item, quantity: *quantity, value: *value })
                .collect());
        }
        for (i, l) in given.iter().enumerate() {
            let Some((q, v, currency)) = applied.get(l.item) else {
                return Err(Error::validation(
                    &format!("items[{i}].item"),
                    format!("the application has no item {}", l.item),
                ));
            };
            let ok = |x: Decimal, max: Decimal| !x.is_negative() && x <= max;
            if !ok(l.quantity, *q) || !ok(l.value, *v) {
                return Err(Error::validation(
                    &format!("items[{i}]"),
                    format!("item {} may be licensed for at most quantity {q} and value {v} (as applied for)", l.item),
                ));
            }
            if let Some(c) = currency {
                accord_core::currency::check_minor_units(l.value, c)
                    .map_err(|e| Error::validation(&format!("items[{i}].value"), format!("items[{i}].value: {e}")))?;
            }
        }
        Ok(given.to_vec())
    }
}
