//! No-undercut consultations between allies: opening one, answering it, the check before an approval, and the
//! notices of approvals that went ahead.

use super::*;
use accord_core::audit::EventKind;
use accord_core::denials::{Circumstance, ConsultationStatus};
use accord_core::shared::SharedKind;

impl App {
    /// The consultation views of a case.
    pub(super) async fn consultations_of(&self, case_id: &str, authority: &str) -> Result<Vec<ConsultationView>> {
        let mut views = Vec::new();
        for v in self.store.shared(SharedKind::Consultation.as_str()).await? {
            let c: Consultation = parse(v, "consultation")?;
            // Only the case's own authority consults on its cases; a record claiming otherwise counts for nothing.
            if c.case_id == case_id && c.from_authority == authority {
                views.push(self.view(c).await?);
            }
        }
        Ok(views)
    }

    pub(crate) async fn view(&self, c: Consultation) -> Result<ConsultationView> {
        // An answer is keyed by the consulting authority and the consultation id (ids are unique per authority only);
        // answers recorded before that were keyed by the consultation and the answering authority.
        let mut stored = self
            .store
            .shared_record(
                SharedKind::ConsultationAnswer.as_str(),
                &c.to_authority,
                &format!("{}:{}", c.from_authority, c.id),
            )
            .await?;
        if stored.is_none() {
            let legacy = format!("{}:{}", c.id, c.to_authority);
            stored =
                self.store.shared_record(SharedKind::ConsultationAnswer.as_str(), &c.to_authority, &legacy).await?;
        }
        let answer = match stored {
            Some(v) => Some(parse::<ConsultationAnswer>(v, "consultation answer")?),
            None => None,
        }
        // Only the consulted authority's answer counts, whoever else sent one.
        .filter(|a| a.from_authority == c.to_authority && a.to_authority == c.from_authority);
        let status = match (&answer, crate::controls::day() > c.deadline) {
            (Some(_), _) => ConsultationStatus::Answered,
            (None, true) => ConsultationStatus::Expired,
            (None, false) => ConsultationStatus::Open,
        };
        Ok(ConsultationView { consultation: c, status, answer })
    }

    /// Checks that an approval may go ahead: every active allied denial the case matches has been consulted on and
    /// answered, or its deadline has passed. Returns the notice to send to all allies when the approval follows an
    /// objection or goes ahead without an answer.
    pub(crate) async fn approval_check(&self, case: &Case, reasons: &str) -> Result<Option<ApprovalNotice>> {
        let application = self
            .store
            .application(&case.application_id)
            .await?
            .ok_or_else(|| Error::internal(format!("case '{}' without its application", case.id)))?;
        let matches = self.matching_denials(case.authority_id.as_str(), &application.transaction).await?;
        if matches.is_empty() {
            return Ok(None);
        }
        let consultations = self.consultations_of(case.id.as_str(), case.authority_id.as_str()).await?;
        let mut circumstances = Vec::new();
        let mut used = Vec::new();
        for d in &matches {
            let Some(c) = consultations.iter().find(|c| {
                c.consultation.denial_id == d.id.as_str() && c.consultation.to_authority == d.authority_id.as_str()
            }) else {
                return Err(Error::new(
                    ErrorCode::ConsultationRequired,
                    format!(
                        "case {} matches denial {} of {} ({}): consult {} before approving",
                        case.id, d.id, d.authority_id, d.reference, d.authority_id
                    ),
                )
                .with_details(json!({ "denial_id": d.id, "authority_id": d.authority_id })));
            };
            match (&c.answer, c.status) {
                (Some(a), _) if a.kind == AnswerKind::Objection => circumstances.push(Circumstance::Objection),
                (Some(_), _) => {}
                (None, ConsultationStatus::Expired) => circumstances.push(Circumstance::NoAnswer),
                (None, _) => {
                    return Err(Error::new(
                        ErrorCode::ConsultationRequired,
                        format!(
                            "consultation {} with {} is open until {}; approve after its answer or the deadline",
                            c.consultation.id, c.consultation.to_authority, c.consultation.deadline
                        ),
                    )
                    .with_details(
                        json!({ "consultation_id": c.consultation.id, "deadline": c.consultation.deadline }),
                    ));
                }
            }
            used.push(c.consultation.id.clone());
        }
        if circumstances.is_empty() {
            return Ok(None);
        }
        // An objection outweighs a missing answer (`Objection` is declared first, so it is the least).
        let circumstance = circumstances.into_iter().min().unwrap_or(Circumstance::NoAnswer);
        Ok(Some(ApprovalNotice {
            id: accord_core::ids::generate_id("ntc"),
            authority_id: case.authority_id.to_string(),
            case_id: case.id.to_string(),
            denial_ids: matches.iter().map(|d| d.id.to_string()).collect(),
            consultation_ids: used,
            circumstance,
            reasons: reasons.to_owned(),
            approved_at: accord_core::now(),
            version: 1,
        }))
    }

    /// The mutations that store an approval notice and send it to every ally.
    pub(crate) fn notice_mutations(&self, n: &ApprovalNotice) -> Vec<Mutation> {
        let mut m = vec![crate::federation::kept(n, true)];
        m.extend(self.publication(n));
        m
    }

    /// Opens a consultation of the denying authority about a case of the caller's authority that matches its denial.
    pub async fn open_consultation(
        &self,
        p: &Principal,
        case_id: &str,
        denial_id: &str,
        question: &str,
    ) -> Result<ConsultationView> {
        let authority = acting_authority(p, Action::ConsultAllies)?;
        let case = self.case(p, case_id).await?;
        if case.authority_id != authority {
            return Err(Error::not_found("case", case_id));
        }
        // The denial consulted on is another authority's: among those carrying the id, the caller's own is left out.
        let (named, bare) = qualified(denial_id);
        let found = self.store.denials_with_id(&DenialId::parse(bare)?).await?;
        let own = found.iter().any(|d| d.authority_id == authority);
        let others: Vec<Denial> = found.into_iter().filter(|d| d.authority_id != authority).collect();
        if own && (others.is_empty() || named == Some(authority.as_str())) {
            return Err(Error::validation("denial_id", "an authority does not consult itself"));
        }
        let denial = one_of("denial", bare, others, |d| d.authority_id.as_str(), named, |_| false)?;
        let question = crate::review::text("question", question, 4000)?;
        if self.consultations_of(case_id, authority.as_str()).await?.iter().any(|c| {
            c.consultation.denial_id == denial.id.as_str()
                && c.consultation.to_authority == denial.authority_id.as_str()
        }) {
            return Err(Error::new(
                ErrorCode::AlreadyExists,
                format!("case {case_id} already consulted {} on {}", denial.authority_id, denial.id),
            ));
        }
        let deadline_days = self.federation.as_ref().map_or(30, |f| f.consultation_days);
        let deadline = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(deadline_days))
            .map_err(|e| Error::internal(e.to_string()))?;
        let c = Consultation {
            id: accord_core::ids::generate_id("con"),
            from_authority: authority.to_string(),
            to_authority: denial.authority_id.to_string(),
            case_id: case.id.to_string(),
            denial_id: denial.id.to_string(),
            question,
            opened_by: p.actor(),
            opened_at: accord_core::now(),
            deadline,
            version: 1,
        };
        let mut mutations = vec![crate::federation::kept(&c, true)];
        // Only the consulted authority receives it (the case's authority is this node); other allies are served a
        // stub that shows nothing of the case.
        let to = [c.to_authority.as_str()];
        mutations.extend(self.publication_to(&c, &to));
        self.commit_and_notify(
            mutations,
            vec![event(p, Some(&authority), EventKind::ConsultationOpened, &c.id, to_json(&c))],
        )
        .await?;
        self.view(c).await
    }

    /// Every consultation this node knows, newest first.
    pub async fn consultations(&self, p: &Principal) -> Result<Vec<ConsultationView>> {
        require(p, Action::ReadConsultations)?;
        let mut views = Vec::new();
        for v in self.store.shared(SharedKind::Consultation.as_str()).await? {
            views.push(self.view(parse(v, "consultation")?).await?);
        }
        views.sort_by_key(|v| std::cmp::Reverse(v.consultation.opened_at));
        Ok(views)
    }

    /// One consultation, by its id or by `AUTHORITY:id` (the consulting authority's; the one the caller's authority
    /// is party to when several carry the id and none is named).
    pub async fn consultation(&self, p: &Principal, id: &str) -> Result<ConsultationView> {
        require(p, Action::ReadConsultations)?;
        let (named, bare) = qualified(id);
        let found: Vec<Consultation> = self
            .store
            .shared_with_id(SharedKind::Consultation.as_str(), bare)
            .await?
            .into_iter()
            .map(|v| parse(v, "consultation"))
            .collect::<Result<_>>()?;
        let caller = caller_authority(p);
        let party =
            |c: &Consultation| caller.as_deref().is_some_and(|me| c.from_authority == me || c.to_authority == me);
        let c = one_of("consultation", bare, found, |c| c.from_authority.as_str(), named, party)?;
        self.view(c).await
    }

    /// Answers a consultation addressed to the caller's authority: no objection, objection (with reasons) or
    /// information. It is answered once.
    pub async fn answer_consultation(
        &self,
        p: &Principal,
        id: &str,
        kind: AnswerKind,
        reasons: &str,
    ) -> Result<ConsultationView> {
        let authority = acting_authority(p, Action::AnswerConsultations)?;
        let view = self.consultation(p, id).await?;
        let id = view.consultation.id.as_str();
        if view.consultation.to_authority != authority.as_str() {
            return Err(Error::forbidden(format!(
                "consultation {id} is addressed to {}",
                view.consultation.to_authority
            )));
        }
        if view.answer.is_some() {
            return Err(Error::new(ErrorCode::Conflict, format!("consultation {id} is answered already")));
        }
        let reasons = crate::review::text("reasons", reasons, 4000)?;
        let answer = ConsultationAnswer {
            consultation_id: id.to_owned(),
            from_authority: authority.to_string(),
            to_authority: view.consultation.from_authority.clone(),
            kind,
            reasons,
            answered_by: p.actor(),
            answered_at: accord_core::now(),
            version: 1,
        };
        let mut mutations = vec![crate::federation::kept(&answer, true)];
        let to = [answer.to_authority.as_str()];
        mutations.extend(self.publication_to(&answer, &to));
        self.commit_and_notify(
            mutations,
            vec![event(p, Some(&authority), EventKind::ConsultationAnswered, id, to_json(&answer))],
        )
        .await?;
        self.view(view.consultation).await
    }

    /// Notices of approvals that went ahead after an objection or without an answer, newest first.
    pub async fn notices(&self, p: &Principal) -> Result<Vec<ApprovalNotice>> {
        require(p, Action::ReadApprovalNotices)?;
        let mut all: Vec<ApprovalNotice> = self
            .store
            .shared(SharedKind::ApprovalNotice.as_str())
            .await?
            .into_iter()
            .map(|v| parse(v, "notice"))
            .collect::<Result<_>>()?;
        all.sort_by_key(|n| std::cmp::Reverse(n.approved_at));
        Ok(all)
    }
}
