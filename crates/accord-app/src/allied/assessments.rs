//! Risk assessments allies publish and endorse, and the verification results they share.

use super::*;
use accord_core::audit::EventKind;
use accord_core::shared::SharedKind;

impl App {
    /// Publishes a risk assessment of an end user, a destination or a technology (officers, for their authority).
    pub async fn publish_assessment(&self, p: &Principal, input: NewAssessment) -> Result<AssessmentView> {
        let authority = acting_authority(p, Action::PublishRiskAssessments)?;
        let (subject_kind, level) = input.check()?;
        let valid_until = crate::controls::check_day("valid_until", &input.valid_until)?;
        let a = RiskAssessment {
            id: accord_core::ids::generate_id("ras"),
            authority_id: authority.to_string(),
            subject_kind,
            subject: input.subject.trim().to_owned(),
            level,
            summary: input.summary.trim().to_owned(),
            evidence: input.evidence,
            valid_until,
            published_at: accord_core::now(),
            version: 1,
        };
        let mut mutations = vec![crate::federation::kept(&a, true)];
        mutations.extend(self.publication(&a));
        self.commit_and_notify(
            mutations,
            vec![event(p, Some(&authority), EventKind::AssessmentPublished, &a.id, to_json(&a))],
        )
        .await?;
        Ok(AssessmentView { assessment: a, endorsements: Vec::new() })
    }

    /// Every risk assessment with its endorsements.
    pub async fn assessments(&self, p: &Principal) -> Result<Vec<AssessmentView>> {
        require(p, Action::ReadRiskAssessments)?;
        let endorsements: Vec<Endorsement> = self
            .store
            .shared(SharedKind::Endorsement.as_str())
            .await?
            .into_iter()
            .map(|v| parse(v, "endorsement"))
            .collect::<Result<_>>()?;
        let mut all = Vec::new();
        for v in self.store.shared(SharedKind::RiskAssessment.as_str()).await? {
            let assessment: RiskAssessment = parse(v, "assessment")?;
            let mine = endorsements
                .iter()
                .filter(|e| {
                    e.assessment_id == assessment.id
                        && e.assessment_authority.as_ref().is_none_or(|a| *a == assessment.authority_id)
                })
                .cloned()
                .collect();
            all.push(AssessmentView { assessment, endorsements: mine });
        }
        Ok(all)
    }

    /// Endorses an ally's risk assessment (officers, once per authority).
    pub async fn endorse_assessment(&self, p: &Principal, id: &str, comment: &str) -> Result<AssessmentView> {
        let authority = acting_authority(p, Action::EndorseRiskAssessments)?;
        let (named, bare) = qualified(id);
        let found: Vec<AssessmentView> =
            self.assessments(p).await?.into_iter().filter(|a| a.assessment.id == bare).collect();
        let view = one_of("risk assessment", bare, found, |a| a.assessment.authority_id.as_str(), named, |_| false)?;
        let id = bare;
        if view.assessment.authority_id == authority.as_str() {
            return Err(Error::validation("id", "an authority does not endorse its own assessment"));
        }
        if view.endorsements.iter().any(|e| e.authority_id == authority.as_str()) {
            return Err(Error::new(ErrorCode::AlreadyExists, format!("{authority} endorsed {id} already")));
        }
        let e = Endorsement {
            assessment_id: id.to_owned(),
            assessment_authority: Some(view.assessment.authority_id.clone()),
            authority_id: authority.to_string(),
            comment: crate::review::text("comment", comment, 2000)?,
            by: p.actor(),
            at: accord_core::now(),
            version: 1,
        };
        let mut mutations = vec![crate::federation::kept(&e, true)];
        mutations.extend(self.publication(&e));
        self.commit_and_notify(
            mutations,
            vec![event(p, Some(&authority), EventKind::AssessmentEndorsed, id, to_json(&e))],
        )
        .await?;
        let mut view = view;
        view.endorsements.push(e);
        Ok(view)
    }

    /// The mutations that record and share a verification result.
    pub(crate) fn verification_mutations(&self, v: &SharedVerification) -> Vec<Mutation> {
        let mut m = vec![crate::federation::kept(v, false)];
        m.extend(self.publication(v));
        m
    }

    /// Every verification and audit result shared by any authority, newest first.
    pub async fn verifications(&self, p: &Principal) -> Result<Vec<SharedVerification>> {
        require(p, Action::ReadVerificationResults)?;
        let mut all: Vec<SharedVerification> = self
            .store
            .shared(SharedKind::Verification.as_str())
            .await?
            .into_iter()
            .map(|v| parse(v, "verification"))
            .collect::<Result<_>>()?;
        all.sort_by_key(|v| std::cmp::Reverse(v.date));
        Ok(all)
    }
}
