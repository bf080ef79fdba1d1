//! Who may do what: one table of the actions the services guard and the roles allowed each. Every check goes
//! through [`require`], and the README's table of roles is this table.

use accord_core::model::Role;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};

/// An action a role may be allowed; its text completes "role … may not …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Raise the screening threshold of a determination.
    RaiseTheScreeningThreshold,
    /// See where lists were read from (the node's folders).
    SeeWhereListsWereReadFrom,
    /// Adjudicate screening hits.
    AdjudicateScreeningHits,
    /// Amend licences.
    AmendLicences,
    /// Answer an authority's questions.
    AnswerAnAuthorityQuestions,
    /// Answer consultations.
    AnswerConsultations,
    /// Apply for licences.
    ApplyForLicences,
    /// Ask for information.
    AskForInformation,
    /// Assign cases.
    AssignCases,
    /// Certify compliance programmes.
    CertifyComplianceProgrammes,
    /// Change a project's roster.
    ChangeAProjectRoster,
    /// Change denials.
    ChangeDenials,
    /// Configure the fast track.
    ConfigureTheFastTrack,
    /// Consult allies.
    ConsultAllies,
    /// Countersign a licence amendment.
    CountersignALicenceAmendment,
    /// Countersign decisions.
    CountersignDecisions,
    /// Create users.
    CreateUsers,
    /// Decide cases.
    DecideCases,
    /// Decide licence amendments.
    DecideLicenceAmendments,
    /// Disable or enable users.
    DisableOrEnableUsers,
    /// Endorse risk assessments.
    EndorseRiskAssessments,
    /// Import control lists.
    ImportControlLists,
    /// Import policies.
    ImportPolicies,
    /// Import restricted-party lists.
    ImportRestrictedPartyLists,
    /// Open verification tasks.
    OpenVerificationTasks,
    /// Propose changes to the control list.
    ProposeListChanges,
    /// Draft proposals (officers and expert panels).
    DraftProposals,
    /// Keep the technology-watch register.
    KeepTechnologyWatch,
    /// Import trade statistics.
    ImportTradeStatistics,
    /// Work on early-warning alerts.
    WorkOnAlerts,
    /// Read review cycles, the technology watch and early-warning alerts.
    ReadGovernanceDesk,
    /// Record and revoke relations between parties (ownership, control, shared attributes).
    RecordRelations,
    /// Read the relations and what the ownership rules conclude from them.
    ReadOwnership,
    /// Moderate public comments.
    ModerateComments,
    /// Vote on proposals for the authority.
    VoteOnProposals,
    /// Give expert opinions on proposals.
    GiveExpertOpinions,
    /// Give feedback on controls.
    GiveFeedback,
    /// Triage feedback.
    TriageFeedback,
    /// Publish risk assessments.
    PublishRiskAssessments,
    /// Read approval notices.
    ReadApprovalNotices,
    /// Read consultations.
    ReadConsultations,
    /// Read denial notifications.
    ReadDenialNotifications,
    /// Read risk assessments.
    ReadRiskAssessments,
    /// Read the audit trail.
    ReadTheAuditTrail,
    /// Read the federation status.
    ReadTheFederationStatus,
    /// Read the metrics.
    ReadTheMetrics,
    /// Read verification results.
    ReadVerificationResults,
    /// Record advice.
    RecordAdvice,
    /// Record audits.
    RecordAudits,
    /// Record denials.
    RecordDenials,
    /// Record training.
    RecordTraining,
    /// Record verification outcomes.
    RecordVerificationOutcomes,
    /// Register authorities.
    RegisterAuthorities,
    /// Register organisations.
    RegisterOrganisations,
    /// Register peers.
    RegisterPeers,
    /// Remove peers.
    RemovePeers,
    /// Report shipments.
    ReportShipments,
    /// Set up the federation.
    SetUpTheFederation,
    /// Sign audit checkpoints.
    SignAuditCheckpoints,
    /// Submit applications.
    SubmitApplications,
    /// Suspend, reinstate or revoke licences.
    SuspendReinstateOrRevokeLicences,
    /// Upload documents.
    UploadDocuments,
    /// Verify the audit trail.
    VerifyTheAuditTrail,
}

impl Action {
    /// Every action, in the order of the table.
    pub const ALL: &'static [Action] = &[
        Action::RaiseTheScreeningThreshold,
        Action::SeeWhereListsWereReadFrom,
        Action::AdjudicateScreeningHits,
        Action::AmendLicences,
        Action::AnswerAnAuthorityQuestions,
        Action::AnswerConsultations,
        Action::ApplyForLicences,
        Action::AskForInformation,
        Action::AssignCases,
        Action::CertifyComplianceProgrammes,
        Action::ChangeAProjectRoster,
        Action::ChangeDenials,
        Action::ConfigureTheFastTrack,
        Action::ConsultAllies,
        Action::CountersignALicenceAmendment,
        Action::CountersignDecisions,
        Action::CreateUsers,
        Action::DecideCases,
        Action::DecideLicenceAmendments,
        Action::DisableOrEnableUsers,
        Action::EndorseRiskAssessments,
        Action::ImportControlLists,
        Action::ImportPolicies,
        Action::ImportRestrictedPartyLists,
        Action::OpenVerificationTasks,
        Action::ProposeListChanges,
        Action::DraftProposals,
        Action::KeepTechnologyWatch,
        Action::ImportTradeStatistics,
        Action::WorkOnAlerts,
        Action::ReadGovernanceDesk,
        Action::RecordRelations,
        Action::ReadOwnership,
        Action::ModerateComments,
        Action::VoteOnProposals,
        Action::GiveExpertOpinions,
        Action::GiveFeedback,
        Action::TriageFeedback,
        Action::PublishRiskAssessments,
        Action::ReadApprovalNotices,
        Action::ReadConsultations,
        Action::ReadDenialNotifications,
        Action::ReadRiskAssessments,
        Action::ReadTheAuditTrail,
        Action::ReadTheFederationStatus,
        Action::ReadTheMetrics,
        Action::ReadVerificationResults,
        Action::RecordAdvice,
        Action::RecordAudits,
        Action::RecordDenials,
        Action::RecordTraining,
        Action::RecordVerificationOutcomes,
        Action::RegisterAuthorities,
        Action::RegisterOrganisations,
        Action::RegisterPeers,
        Action::RemovePeers,
        Action::ReportShipments,
        Action::SetUpTheFederation,
        Action::SignAuditCheckpoints,
        Action::SubmitApplications,
        Action::SuspendReinstateOrRevokeLicences,
        Action::UploadDocuments,
        Action::VerifyTheAuditTrail,
    ];

    /// What the action is, in words ("import control lists").
    pub fn describe(self) -> &'static str {
        match self {
            Action::RaiseTheScreeningThreshold => "raise the screening threshold of a determination",
            Action::SeeWhereListsWereReadFrom => "see where lists were read from (the node's folders)",
            Action::ImportRestrictedPartyLists => "import restricted-party lists",
            Action::ImportControlLists => "import control lists",
            Action::ImportPolicies => "import policies",
            Action::ReadDenialNotifications => "read denial notifications",
            Action::ReadConsultations => "read consultations",
            Action::ReadApprovalNotices => "read approval notices",
            Action::ReadRiskAssessments => "read risk assessments",
            Action::ReadVerificationResults => "read verification results",
            Action::RecordDenials => "record denials",
            Action::ChangeDenials => "change denials",
            Action::ConsultAllies => "consult allies",
            Action::AnswerConsultations => "answer consultations",
            Action::ProposeListChanges => "propose changes to the control list",
            Action::DraftProposals => "draft proposals",
            Action::KeepTechnologyWatch => "keep the technology watch",
            Action::ImportTradeStatistics => "import trade statistics and export declarations",
            Action::WorkOnAlerts => "work on early-warning alerts",
            Action::ReadGovernanceDesk => "read review cycles, the technology watch and alerts",
            Action::RecordRelations => "record and revoke relations between parties",
            Action::ReadOwnership => "read relations and what the ownership rules conclude",
            Action::ModerateComments => "moderate public comments",
            Action::VoteOnProposals => "vote on proposals",
            Action::GiveExpertOpinions => "give expert opinions on proposals",
            Action::GiveFeedback => "give feedback on controls",
            Action::TriageFeedback => "triage feedback",
            Action::PublishRiskAssessments => "publish risk assessments",
            Action::EndorseRiskAssessments => "endorse risk assessments",
            Action::AdjudicateScreeningHits => "adjudicate screening hits",
            Action::CertifyComplianceProgrammes => "certify compliance programmes",
            Action::RecordTraining => "record training",
            Action::RecordAudits => "record audits",
            Action::ReadTheMetrics => "read the metrics",
            Action::RegisterAuthorities => "register authorities",
            Action::RegisterOrganisations => "register organisations",
            Action::CreateUsers => "create users",
            Action::DisableOrEnableUsers => "disable or enable users",
            Action::ReadTheAuditTrail => "read the audit trail",
            Action::VerifyTheAuditTrail => "verify the audit trail",
            Action::SignAuditCheckpoints => "sign audit checkpoints",
            Action::ApplyForLicences => "apply for licences",
            Action::SubmitApplications => "submit applications",
            Action::ConfigureTheFastTrack => "configure the fast track",
            Action::UploadDocuments => "upload documents",
            Action::ReportShipments => "report shipments",
            Action::ChangeAProjectRoster => "change a project's roster",
            Action::CountersignALicenceAmendment => "countersign a licence amendment",
            Action::SuspendReinstateOrRevokeLicences => "suspend, reinstate or revoke licences",
            Action::AmendLicences => "amend licences",
            Action::DecideLicenceAmendments => "decide licence amendments",
            Action::AnswerAnAuthorityQuestions => "answer an authority's questions",
            Action::AssignCases => "assign cases",
            Action::AskForInformation => "ask for information",
            Action::RecordAdvice => "record advice",
            Action::DecideCases => "decide cases",
            Action::OpenVerificationTasks => "open verification tasks",
            Action::RecordVerificationOutcomes => "record verification outcomes",
            Action::CountersignDecisions => "countersign decisions",
            Action::SetUpTheFederation => "set up the federation",
            Action::RegisterPeers => "register peers",
            Action::RemovePeers => "remove peers",
            Action::ReadTheFederationStatus => "read the federation status",
        }
    }

    /// The roles allowed the action (the node operator, on the command line, is allowed every action).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::RaiseTheScreeningThreshold => &[Role::Officer, Role::SeniorOfficer, Role::Admin],
            Action::SeeWhereListsWereReadFrom => &[Role::Admin, Role::Auditor],
            Action::ImportRestrictedPartyLists => &[Role::Admin],
            Action::ImportControlLists => &[Role::Admin],
            Action::ImportPolicies => &[Role::Admin],
            Action::ReadDenialNotifications => &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::ReadConsultations => &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::ReadApprovalNotices => &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::ReadRiskAssessments => &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::ReadVerificationResults => &[Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::RecordDenials => &[Role::Officer, Role::SeniorOfficer],
            Action::ChangeDenials => &[Role::Officer, Role::SeniorOfficer],
            Action::ConsultAllies => &[Role::Officer, Role::SeniorOfficer],
            Action::AnswerConsultations => &[Role::Officer, Role::SeniorOfficer],
            Action::PublishRiskAssessments => &[Role::Officer, Role::SeniorOfficer],
            Action::ProposeListChanges => &[Role::Officer, Role::SeniorOfficer],
            Action::DraftProposals => &[Role::Officer, Role::SeniorOfficer, Role::PanelMember],
            Action::KeepTechnologyWatch => &[Role::Analyst, Role::Officer, Role::SeniorOfficer],
            Action::ImportTradeStatistics => &[Role::Admin, Role::Analyst],
            Action::WorkOnAlerts | Action::RecordRelations => &[Role::Analyst, Role::Officer, Role::SeniorOfficer],
            Action::ReadOwnership => &[Role::Analyst, Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin],
            Action::ReadGovernanceDesk => {
                &[Role::Analyst, Role::Officer, Role::SeniorOfficer, Role::Auditor, Role::Admin]
            }
            Action::ModerateComments => &[Role::Officer, Role::SeniorOfficer],
            Action::VoteOnProposals => &[Role::SeniorOfficer],
            Action::GiveExpertOpinions => &[Role::PanelMember],
            Action::GiveFeedback => &[Role::Exporter],
            Action::TriageFeedback => &[Role::Analyst, Role::Officer, Role::SeniorOfficer],
            Action::EndorseRiskAssessments => &[Role::Officer, Role::SeniorOfficer],
            Action::AdjudicateScreeningHits => &[Role::Officer, Role::SeniorOfficer],
            Action::CertifyComplianceProgrammes => &[Role::Officer, Role::SeniorOfficer],
            Action::RecordTraining => &[Role::Exporter, Role::Officer, Role::SeniorOfficer],
            Action::RecordAudits => &[Role::Officer, Role::SeniorOfficer],
            Action::ReadTheMetrics => &[Role::Admin, Role::Auditor],
            Action::RegisterAuthorities => &[Role::Admin],
            Action::RegisterOrganisations => &[Role::Admin, Role::Officer, Role::SeniorOfficer],
            Action::CreateUsers => &[Role::Admin],
            Action::DisableOrEnableUsers => &[Role::Admin],
            Action::ReadTheAuditTrail => &[Role::Admin, Role::Auditor],
            Action::VerifyTheAuditTrail => &[Role::Admin, Role::Auditor],
            Action::SignAuditCheckpoints => &[Role::Admin],
            Action::ApplyForLicences => &[Role::Exporter, Role::Officer, Role::SeniorOfficer, Role::Admin],
            Action::SubmitApplications => &[Role::Exporter, Role::Officer, Role::SeniorOfficer, Role::Admin],
            Action::ConfigureTheFastTrack => &[Role::Admin, Role::SeniorOfficer],
            Action::UploadDocuments => &[Role::Exporter, Role::Admin],
            Action::ReportShipments => &[Role::Exporter, Role::Admin],
            Action::ChangeAProjectRoster => &[Role::Exporter, Role::Admin],
            Action::CountersignALicenceAmendment => &[Role::SeniorOfficer],
            Action::SuspendReinstateOrRevokeLicences => &[Role::Officer, Role::SeniorOfficer],
            Action::AmendLicences => &[Role::Officer, Role::SeniorOfficer],
            Action::DecideLicenceAmendments => &[Role::Officer, Role::SeniorOfficer],
            Action::AnswerAnAuthorityQuestions => &[Role::Exporter],
            Action::AssignCases => &[Role::Officer, Role::SeniorOfficer],
            Action::AskForInformation => &[Role::Officer, Role::SeniorOfficer],
            Action::RecordAdvice => &[Role::Officer, Role::SeniorOfficer],
            Action::DecideCases => &[Role::Officer, Role::SeniorOfficer],
            Action::OpenVerificationTasks => &[Role::Officer, Role::SeniorOfficer],
            Action::RecordVerificationOutcomes => &[Role::Officer, Role::SeniorOfficer],
            Action::CountersignDecisions => &[Role::SeniorOfficer],
            Action::SetUpTheFederation => &[Role::Admin],
            Action::RegisterPeers => &[Role::Admin],
            Action::RemovePeers => &[Role::Admin],
            Action::ReadTheFederationStatus => &[Role::Admin, Role::Auditor, Role::Officer, Role::SeniorOfficer],
        }
    }
}

/// Allows the action when the caller's role may take it; `unauthenticated` without a key, `forbidden` naming the
/// roles that may otherwise.
pub fn require(p: &Principal, action: Action) -> Result<()> {
    match p {
        Principal::Anonymous => {
            Err(Error::new(ErrorCode::Unauthenticated, "this endpoint needs an API key (Authorization: Bearer …)"))
        }
        Principal::Operator { .. } => Ok(()),
        Principal::User(u) if action.roles().contains(&u.role) => Ok(()),
        Principal::User(u) => {
            let allowed: Vec<_> = action.roles().iter().map(|r| r.as_str()).collect();
            Err(Error::forbidden(format!(
                "role {} may not {} (allowed: {})",
                u.role.as_str(),
                action.describe(),
                allowed.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_states_the_same_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
        for a in Action::ALL {
            let roles: Vec<String> = a.roles().iter().map(|r| format!("`{}`", r.as_str())).collect();
            let row = format!("| {} | {} |", a.describe(), roles.join(", "));
            assert!(readme.contains(&row), "README lacks: {row}");
        }
        let rows = readme.lines().skip_while(|l| *l != "### Who may do what").take_while(|l| !l.starts_with("## "));
        assert_eq!(
            rows.filter(|l| l.starts_with("| ") && !l.starts_with("| action") && !l.starts_with("| ---")).count(),
            Action::ALL.len()
        );
    }

    #[test]
    fn roles_are_allowed_only_their_actions() {
        let user = |role: Role| {
            Principal::User(accord_core::principal::UserPrincipal {
                user_id: accord_core::ids::UserId::generate(),
                role,
                authority_id: None,
                organisation_id: None,
                key_id: Some(accord_core::ids::KeyId::generate()),
            })
        };
        assert!(require(&user(Role::Exporter), Action::ReportShipments).is_ok());
        let e = require(&user(Role::Exporter), Action::DecideCases).expect_err("an exporter decides nothing");
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert!(e.message.contains("may not decide cases (allowed: officer, senior_officer)"), "{}", e.message);
        assert!(require(&user(Role::Officer), Action::CountersignDecisions).is_err(), "only senior officers");
        assert_eq!(
            require(&Principal::Anonymous, Action::ReadConsultations).unwrap_err().code,
            ErrorCode::Unauthenticated
        );
        assert!(Action::ALL.iter().all(|a| require(&Principal::Operator { name: "op".into() }, *a).is_ok()));
    }
}
