//! Records an authority shares with its allies: denials, consultations and their answers, approval notices, risk
//! assessments and endorsements, verification results and audit checkpoints. Each names its kind on the wire, its
//! key among its owner's records of that kind, its owner (who alone may send it) and its version (a newer one
//! replaces an older), so one path publishes and receives them all.

use crate::audit::Checkpoint;
use crate::denials::{
    ApprovalNotice, Consultation, ConsultationAnswer, Denial, Endorsement, RiskAssessment, SharedVerification,
};
use crate::error::Result;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The kinds of shared record, as named in envelopes and in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SharedKind {
    /// A denial notification.
    Denial,
    /// A request to consult the denying authority.
    Consultation,
    /// The consulted authority's answer.
    ConsultationAnswer,
    /// An approval that went ahead after an objection or without an answer.
    ApprovalNotice,
    /// A risk assessment of an end user, a destination or a technology.
    RiskAssessment,
    /// An ally's endorsement of a risk assessment.
    Endorsement,
    /// The result of a verification task.
    Verification,
    /// A signed audit checkpoint.
    Checkpoint,
    /// A proposed change to the control list.
    Proposal,
    /// An authority's vote on a proposal.
    Vote,
    /// A public comment on a proposal.
    Comment,
    /// An expert panel's advisory opinion on a proposal.
    Opinion,
    /// An exporter's feedback on a control.
    Feedback,
    /// A review cycle of the list.
    ReviewCycle,
    /// A technology of the technology watch.
    Technology,
    /// An authority's early-warning thresholds.
    WarningSettings,
    /// An early-warning alert marked to be shared.
    Alert,
    /// A relation between two parties (ownership, control, a shared address …).
    Relation,
}

impl SharedKind {
    /// Every kind.
    pub const ALL: [SharedKind; 18] = [
        SharedKind::Denial,
        SharedKind::Consultation,
        SharedKind::ConsultationAnswer,
        SharedKind::ApprovalNotice,
        SharedKind::RiskAssessment,
        SharedKind::Endorsement,
        SharedKind::Verification,
        SharedKind::Checkpoint,
        SharedKind::Proposal,
        SharedKind::Vote,
        SharedKind::Comment,
        SharedKind::Opinion,
        SharedKind::Feedback,
        SharedKind::ReviewCycle,
        SharedKind::Technology,
        SharedKind::WarningSettings,
        SharedKind::Alert,
        SharedKind::Relation,
    ];

    /// The name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SharedKind::Denial => "denial",
            SharedKind::Consultation => "consultation",
            SharedKind::ConsultationAnswer => "consultation_answer",
            SharedKind::ApprovalNotice => "approval_notice",
            SharedKind::RiskAssessment => "risk_assessment",
            SharedKind::Endorsement => "endorsement",
            SharedKind::Verification => "verification",
            SharedKind::Checkpoint => "checkpoint",
            SharedKind::Proposal => "proposal",
            SharedKind::Vote => "vote",
            SharedKind::Comment => "comment",
            SharedKind::Opinion => "opinion",
            SharedKind::Feedback => "feedback",
            SharedKind::ReviewCycle => "review_cycle",
            SharedKind::Technology => "technology",
            SharedKind::WarningSettings => "warning_settings",
            SharedKind::Alert => "alert",
            SharedKind::Relation => "relation",
        }
    }

    /// The kind of a name, if it is one.
    pub fn parse(s: &str) -> Option<SharedKind> {
        SharedKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A record shared between allies.
pub trait Shared: Serialize + DeserializeOwned {
    /// Its kind.
    const KIND: SharedKind;
    /// Its key among its owner's records of this kind.
    fn key(&self) -> String;
    /// The authority that owns it.
    fn owner(&self) -> &str;
    /// Its version.
    fn version(&self) -> i64;
    /// Checks a received record with the rules the same record entered here meets (beyond its shape).
    fn check_received(&self) -> Result<()> {
        Ok(())
    }
}

impl Shared for Denial {
    const KIND: SharedKind = SharedKind::Denial;
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn owner(&self) -> &str {
        self.authority_id.as_str()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn check_received(&self) -> Result<()> {
        Denial::check_received(self)
    }
}

/// A record keyed by its own `id`, owned by the authority in `$owner`, at the version it carries.
macro_rules! shared_by_id {
    ($type:ty, $kind:expr, $owner:ident) => {
        impl Shared for $type {
            const KIND: SharedKind = $kind;
            fn key(&self) -> String {
                self.id.clone()
            }
            fn owner(&self) -> &str {
                &self.$owner
            }
            fn version(&self) -> i64 {
                self.version
            }
        }
    };
}

shared_by_id!(Consultation, SharedKind::Consultation, from_authority);
shared_by_id!(ApprovalNotice, SharedKind::ApprovalNotice, authority_id);
shared_by_id!(SharedVerification, SharedKind::Verification, authority_id);

impl Shared for ConsultationAnswer {
    const KIND: SharedKind = SharedKind::ConsultationAnswer;
    /// The consulting authority and its consultation: ids are only unique per authority.
    fn key(&self) -> String {
        format!("{}:{}", self.to_authority, self.consultation_id)
    }
    fn owner(&self) -> &str {
        &self.from_authority
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Shared for RiskAssessment {
    const KIND: SharedKind = SharedKind::RiskAssessment;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn check_received(&self) -> Result<()> {
        RiskAssessment::check_received(self)
    }
}

impl Shared for Endorsement {
    const KIND: SharedKind = SharedKind::Endorsement;
    /// The assessment's owner and id: an endorsement names whose assessment it endorses.
    fn key(&self) -> String {
        format!("{}:{}", self.assessment_authority.as_deref().unwrap_or_default(), self.assessment_id)
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Shared for Checkpoint {
    const KIND: SharedKind = SharedKind::Checkpoint;
    fn key(&self) -> String {
        self.seq.to_string()
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    /// A checkpoint never changes.
    fn version(&self) -> i64 {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for k in SharedKind::ALL {
            assert_eq!(SharedKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(SharedKind::parse("Denial"), None);
    }
}

shared_by_id!(crate::governance::Proposal, SharedKind::Proposal, authority_id);
shared_by_id!(crate::governance::Comment, SharedKind::Comment, authority_id);
shared_by_id!(crate::governance::Opinion, SharedKind::Opinion, authority_id);
shared_by_id!(crate::governance::Feedback, SharedKind::Feedback, authority_id);
shared_by_id!(crate::governance::ReviewCycle, SharedKind::ReviewCycle, authority_id);
shared_by_id!(crate::watch::Technology, SharedKind::Technology, authority_id);
shared_by_id!(crate::warning::Alert, SharedKind::Alert, authority_id);

impl Shared for crate::ownership::Relation {
    const KIND: SharedKind = SharedKind::Relation;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn check_received(&self) -> Result<()> {
        self.check()
    }
}

impl Shared for crate::warning::WarningSettings {
    const KIND: SharedKind = SharedKind::WarningSettings;
    /// One per authority.
    fn key(&self) -> String {
        self.authority_id.clone()
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Shared for crate::governance::Vote {
    const KIND: SharedKind = SharedKind::Vote;
    /// The proposal it is on: an authority votes once per proposal.
    fn key(&self) -> String {
        self.proposal.clone()
    }
    fn owner(&self) -> &str {
        &self.authority_id
    }
    /// Votes are never changed.
    fn version(&self) -> i64 {
        1
    }
}
