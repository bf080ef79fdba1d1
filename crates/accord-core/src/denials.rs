//! Denial notifications: an authority's refusal of a licence, recorded so allies do not unknowingly approve what it
//! denied. A refusal creates one automatically; legacy denials are entered by hand.

use crate::error::{Error, Result};
use crate::ids::{AuthorityId, DenialId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a denial stays in force unless it is renewed or revoked.
pub const DENIAL_VALIDITY_YEARS: i16 = 3;

crate::named_enum! {
    /// Why an approval against an ally's denial is notified: the ally objected, or did not answer in time.
    Circumstance {
        /// The consulted authority objected.
        Objection = "objection",
        /// The deadline passed without an answer.
        NoAnswer = "no_answer",
    }
}

crate::named_enum! {
    /// Where a consultation stands for the authorities party to it.
    ConsultationStatus {
        /// Waiting for the consulted authority, before the deadline.
        Open = "open",
        /// The consulted authority answered.
        Answered = "answered",
        /// The deadline passed without an answer.
        Expired = "expired",
    }
}

crate::named_enum! {
    /// What a risk assessment is about.
    AssessmentSubject {
        /// An end user, by name.
        EndUser = "end_user",
        /// A destination, by country code.
        Destination = "destination",
        /// A technology, by control code.
        Technology = "technology",
    }
}

crate::named_enum! {
    /// How grave an assessed risk is.
    RiskLevel {
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
        /// Critical.
        Critical = "critical",
    }
}

crate::named_enum! {
    /// What kind of check a shared verification result comes from.
    VerificationKind {
        /// A check before a licence is granted.
        PreLicenceCheck = "pre_licence_check",
        /// A visit to the end user after delivery.
        OnSiteVerification = "on_site_verification",
        /// An audit by a third party.
        ThirdPartyAudit = "third_party_audit",
        /// An authority's audit of an exporter.
        ExporterAudit = "exporter_audit",
    }
}

crate::named_enum! {
    /// How a shared verification ended: a verification task's outcome, or an exporter audit's.
    VerificationOutcome {
        /// Nothing against the transaction.
        Favourable = "favourable",
        /// Findings against it.
        Unfavourable = "unfavourable",
        /// No conclusion.
        Inconclusive = "inconclusive",
        /// The exporter audit found nothing.
        Passed = "passed",
        /// The exporter audit found things to correct.
        Findings = "findings",
        /// The exporter failed the audit.
        Failed = "failed",
    }
}

impl From<crate::cases::TaskOutcome> for VerificationOutcome {
    fn from(o: crate::cases::TaskOutcome) -> VerificationOutcome {
        use crate::cases::TaskOutcome;
        match o {
            TaskOutcome::Favourable => VerificationOutcome::Favourable,
            TaskOutcome::Unfavourable => VerificationOutcome::Unfavourable,
            TaskOutcome::Inconclusive => VerificationOutcome::Inconclusive,
        }
    }
}

impl From<crate::cases::AuditOutcome> for VerificationOutcome {
    fn from(o: crate::cases::AuditOutcome) -> VerificationOutcome {
        use crate::cases::AuditOutcome;
        match o {
            AuditOutcome::Passed => VerificationOutcome::Passed,
            AuditOutcome::Findings => VerificationOutcome::Findings,
            AuditOutcome::Failed => VerificationOutcome::Failed,
        }
    }
}

impl From<crate::cases::TaskKind> for VerificationKind {
    fn from(k: crate::cases::TaskKind) -> VerificationKind {
        use crate::cases::TaskKind;
        match k {
            TaskKind::PreLicenceCheck => VerificationKind::PreLicenceCheck,
            TaskKind::OnSiteVerification => VerificationKind::OnSiteVerification,
            TaskKind::ThirdPartyAudit => VerificationKind::ThirdPartyAudit,
        }
    }
}

/// Where a denial stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DenialStatus {
    /// In force: allies consult before approving an essentially identical transaction.
    Active,
    /// Withdrawn by the notifying authority.
    Revoked,
    /// Past its expiry day (reported on reading).
    Expired,
}

impl DenialStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DenialStatus::Active => "active",
            DenialStatus::Revoked => "revoked",
            DenialStatus::Expired => "expired",
        }
    }
}

/// A party of a denied transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DenialParty {
    /// `consignee`, `end_user`, `ultimate_end_user`, `intermediary` or `purchaser`.
    pub role: String,
    /// The name as applied for.
    pub name: String,
    /// Postal address, when known.
    #[serde(default)]
    pub address: Option<String>,
    /// ISO country.
    #[serde(default)]
    pub country: Option<String>,
}

/// A denial notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Denial {
    /// Generated id (`den_…`).
    #[schema(value_type = String)]
    pub id: DenialId,
    /// The notifying authority.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// The authority's own reference (the case id for a refusal made here).
    pub reference: String,
    /// Day of the refusal.
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// Control codes of the denied items.
    pub control_codes: Vec<String>,
    /// What the items are.
    pub item_description: String,
    /// ISO country of destination.
    pub destination: String,
    /// The declared end use.
    pub end_use: String,
    /// The refusal criteria of the notifying jurisdiction.
    pub refusal_criteria: Vec<String>,
    /// Consignee, end user and the other parties.
    pub parties: Vec<DenialParty>,
    /// Where it stands.
    pub status: DenialStatus,
    /// Last day in force (three years after the refusal unless renewed).
    #[schema(value_type = String, format = Date)]
    pub expires_on: Date,
    /// The case that refused, when it was refused on this node.
    #[serde(default)]
    pub case_id: Option<String>,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: crate::Timestamp,
    /// Optimistic version: every change increments it.
    pub version: i64,
    /// Set on reading when an active denial expires within [`REVIEW_REMINDER_DAYS`]: time to renew or let it lapse.
    #[serde(default, skip_deserializing)]
    pub review_due: bool,
}

/// How many days before its expiry an active denial asks for review.
pub const REVIEW_REMINDER_DAYS: i64 = 90;

/// The last day a denial made on `date` stays in force.
pub fn expiry_of(date: Date) -> Date {
    date.checked_add(jiff::Span::new().years(DENIAL_VALIDITY_YEARS)).unwrap_or(date)
}

impl DenialParty {
    /// Checks the name and the optional address.
    pub fn check(&self, i: usize) -> Result<()> {
        crate::model::parse_name(&format!("parties[{i}].name"), &self.name)?;
        crate::model::parse_name(&format!("parties[{i}].role"), &self.role)?;
        if let Some(a) = &self.address
            && (a.chars().count() > 500 || a.chars().any(char::is_control))
        {
            return Err(Error::validation(
                &format!("parties[{i}].address"),
                format!("parties[{i}].address must be at most 500 characters without control characters"),
            ));
        }
        Ok(())
    }
}

/// A denial entered by hand (a legacy denial, or one notified outside Accord).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDenial {
    /// The authority's own reference.
    pub reference: String,
    /// Day of the refusal (default today).
    #[serde(default)]
    pub date: Option<String>,
    /// Control codes of the denied items.
    pub control_codes: Vec<String>,
    /// What the items are.
    pub item_description: String,
    /// ISO country of destination.
    pub destination: String,
    /// The declared end use.
    #[serde(default)]
    pub end_use: String,
    /// The refusal criteria.
    pub refusal_criteria: Vec<String>,
    /// The parties.
    pub parties: Vec<DenialParty>,
}

impl NewDenial {
    /// Checks every field but the date and the destination (checked by the caller against the country list).
    pub fn check(&self) -> Result<()> {
        crate::model::parse_name("reference", &self.reference)?;
        crate::model::parse_name("item_description", &self.item_description)?;
        if self.control_codes.is_empty() || self.control_codes.len() > 50 {
            return Err(Error::validation("control_codes", "a denial names 1-50 control codes"));
        }
        for (i, c) in self.control_codes.iter().enumerate() {
            crate::model::parse_name(&format!("control_codes[{i}]"), c)?;
        }
        if self.refusal_criteria.is_empty() {
            return Err(Error::validation("refusal_criteria", "a denial names at least one refusal criterion"));
        }
        for (i, c) in self.refusal_criteria.iter().enumerate() {
            crate::model::parse_name(&format!("refusal_criteria[{i}]"), c)?;
        }
        if self.end_use.chars().count() > 2000 || self.end_use.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Error::validation("end_use", "end_use must be at most 2000 characters"));
        }
        if self.parties.is_empty() || self.parties.len() > 50 {
            return Err(Error::validation("parties", "a denial names 1-50 parties"));
        }
        for (i, p) in self.parties.iter().enumerate() {
            p.check(i)?;
        }
        Ok(())
    }
}

impl Denial {
    /// Checks a denial received from an ally with the rules a denial entered here must meet: the same fields and
    /// limits, real dates, a known destination.
    pub fn check_received(&self) -> Result<()> {
        NewDenial {
            reference: self.reference.clone(),
            date: Some(self.date.to_string()),
            control_codes: self.control_codes.clone(),
            item_description: self.item_description.clone(),
            destination: self.destination.clone(),
            end_use: self.end_use.clone(),
            refusal_criteria: self.refusal_criteria.clone(),
            parties: self.parties.clone(),
        }
        .check()?;
        crate::model::parse_country("destination", &self.destination)?;
        Ok(())
    }
}

impl RiskAssessment {
    /// Checks an assessment received from an ally with the rules of one published here.
    pub fn check_received(&self) -> Result<()> {
        NewAssessment {
            subject_kind: self.subject_kind.as_str().to_owned(),
            subject: self.subject.clone(),
            level: self.level.as_str().to_owned(),
            summary: self.summary.clone(),
            evidence: self.evidence.clone(),
            valid_until: self.valid_until.to_string(),
        }
        .check()?;
        Ok(())
    }
}

/// A change of a denial by its notifying authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DenialChange {
    /// Replace the description, parties, codes or criteria.
    Amend {
        /// The version the officer saw.
        version: i64,
        /// The new content.
        denial: NewDenial,
    },
    /// Withdraw it.
    Revoke {
        /// The version the officer saw.
        version: i64,
        /// Why.
        reason: String,
    },
    /// Keep it in force for another three years from today.
    Renew {
        /// The version the officer saw.
        version: i64,
    },
}

/// How a consulted authority answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// The consulting authority may approve.
    NoObjection,
    /// The consulted authority objects, with reasons.
    Objection,
    /// Information only, neither objection nor consent.
    Information,
}

/// A consultation: before approving a case that matches an ally's denial, the authority asks the denying one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Consultation {
    /// Generated id (`con_…`).
    pub id: String,
    /// The consulting authority (whose case it is).
    pub from_authority: String,
    /// The consulted authority (which denied).
    pub to_authority: String,
    /// The case at the consulting authority.
    pub case_id: String,
    /// The denial that matched.
    pub denial_id: String,
    /// What is asked, with the facts of the case.
    pub question: String,
    /// Who opened it.
    pub opened_by: String,
    /// When.
    pub opened_at: crate::Timestamp,
    /// The last day to answer; after it the consulting authority may decide without an answer.
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    /// Always 1 (a consultation does not change; its answer is a record of its own).
    pub version: i64,
}

/// The consulted authority's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsultationAnswer {
    /// The consultation.
    pub consultation_id: String,
    /// The answering (consulted) authority.
    pub from_authority: String,
    /// The consulting authority.
    pub to_authority: String,
    /// No objection, objection or information.
    pub kind: AnswerKind,
    /// Reasons and information.
    pub reasons: String,
    /// Who answered.
    pub answered_by: String,
    /// When.
    pub answered_at: crate::Timestamp,
    /// Always 1.
    pub version: i64,
}

/// Notice to all allies that an authority approved a case matching an ally's denial after an objection, or without
/// an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalNotice {
    /// Generated id (`ntc_…`).
    pub id: String,
    /// The approving authority.
    pub authority_id: String,
    /// Its case.
    pub case_id: String,
    /// The denials the case matched.
    pub denial_ids: Vec<String>,
    /// The consultations behind it.
    pub consultation_ids: Vec<String>,
    /// `objection` when an ally objected, `no_answer` when the deadline passed without one.
    pub circumstance: Circumstance,
    /// The approving authority's reasons.
    pub reasons: String,
    /// When it approved.
    pub approved_at: crate::Timestamp,
    /// Always 1.
    pub version: i64,
}

/// A consultation as one authority sees it: the request, and the answer once given.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConsultationView {
    /// The request.
    #[serde(flatten)]
    pub consultation: Consultation,
    /// `open`, `answered` or `expired` (deadline passed without an answer).
    pub status: ConsultationStatus,
    /// The answer.
    pub answer: Option<ConsultationAnswer>,
}

/// An authority's structured assessment of an end user, a destination or a technology, shared with allies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RiskAssessment {
    /// Generated id (`ras_…`).
    pub id: String,
    /// The publishing authority.
    pub authority_id: String,
    /// `end_user`, `destination` or `technology`.
    pub subject_kind: AssessmentSubject,
    /// The end user's name, the country code, or the control code.
    pub subject: String,
    /// `low`, `medium`, `high` or `critical`.
    pub level: RiskLevel,
    /// What the authority found.
    pub summary: String,
    /// References to the evidence (reports, cables, case numbers).
    pub evidence: Vec<String>,
    /// Last day it stands.
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
    /// When it was published (or last revised).
    pub published_at: crate::Timestamp,
    /// Incremented by each revision.
    pub version: i64,
}

/// Request to publish a risk assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// `end_user`, `destination` or `technology`.
    pub subject_kind: String,
    /// The end user's name, the country code, or the control code.
    pub subject: String,
    /// `low`, `medium`, `high` or `critical`.
    pub level: String,
    /// What the authority found.
    pub summary: String,
    /// Evidence references.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Last day it stands.
    pub valid_until: String,
}

impl NewAssessment {
    /// Checks the fields (the date by the caller) and returns the subject kind and level they name.
    pub fn check(&self) -> Result<(AssessmentSubject, RiskLevel)> {
        let subject_kind = AssessmentSubject::parse(&self.subject_kind)
            .ok_or_else(|| Error::validation("subject_kind", "subject_kind is end_user, destination or technology"))?;
        let level = RiskLevel::parse(&self.level)
            .ok_or_else(|| Error::validation("level", "level is low, medium, high or critical"))?;
        crate::model::parse_name("subject", &self.subject)?;
        if self.summary.trim().is_empty() || self.summary.chars().count() > 4000 {
            return Err(Error::validation("summary", "summary must be 1-4000 characters"));
        }
        for (i, e) in self.evidence.iter().enumerate() {
            crate::model::parse_name(&format!("evidence[{i}]"), e)?;
        }
        Ok((subject_kind, level))
    }
}

/// An ally's endorsement of a risk assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Endorsement {
    /// The assessment.
    pub assessment_id: String,
    /// The authority that published the assessment (ids are unique per authority only); absent in endorsements made
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_authority: Option<String>,
    /// The endorsing authority.
    pub authority_id: String,
    /// Its comment.
    pub comment: String,
    /// Who endorsed it.
    pub by: String,
    /// When.
    pub at: crate::Timestamp,
    /// Always 1.
    pub version: i64,
}

/// A verification or audit result one authority shares so the others need not repeat it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SharedVerification {
    /// `ver_` followed by the case and task, or the audit.
    pub id: String,
    /// The authority that did it.
    pub authority_id: String,
    /// `pre_licence_check`, `on_site_verification`, `third_party_audit` or `exporter_audit`.
    pub kind: VerificationKind,
    /// Whom it concerned: the end user's or the exporter's name.
    pub subject: String,
    /// Its country, when known.
    pub country: Option<String>,
    /// `favourable`, `unfavourable`, `inconclusive` (or an audit's: `passed`, `findings`, `failed`).
    pub outcome: VerificationOutcome,
    /// The report in words.
    pub report: String,
    /// The day it was recorded.
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// Always 1.
    pub version: i64,
}
