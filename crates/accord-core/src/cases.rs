//! Licence applications and the cases they open at each authority whose jurisdiction needs a licence.

use crate::decimal::Decimal;
use crate::determination::{Determination, Transaction};
use crate::error::{Error, Result};
use crate::ids::{ApplicationId, AuthorityId, CaseId, OrgId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Being written by the exporter; nothing has been decided.
    Draft,
    /// Submitted: screened, determined, and a case opened wherever a licence is needed.
    Submitted,
}

impl ApplicationStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
        }
    }
}

/// What the exporter declares with an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declarations {
    /// The items are not for weapons of mass destruction or their delivery.
    #[serde(default)]
    pub no_wmd_end_use: bool,
    /// The items are not for a military end use.
    #[serde(default)]
    pub no_military_end_use: bool,
    /// The items are not re-exported without the authority's consent.
    #[serde(default)]
    pub no_reexport_without_consent: bool,
}

/// A document that supports an application (end-user certificate, contract, data sheet), by its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    /// File name.
    pub name: String,
    /// What it is, e.g. `end_user_certificate`, `contract`, `data_sheet`.
    pub kind: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

impl DocumentMeta {
    fn check(&self, i: usize) -> Result<()> {
        crate::model::parse_name(&format!("documents[{i}].name"), &self.name)?;
        let kind_ok = !self.kind.is_empty()
            && self.kind.len() <= 40
            && self.kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit());
        if !kind_ok {
            return Err(Error::validation(
                &format!("documents[{i}].kind"),
                format!(
                    "documents[{i}].kind must be 1-40 lower-case letters, digits or '_' (e.g. end_user_certificate)"
                ),
            ));
        }
        if self.sha256.len() != 64 || !self.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::validation(
                &format!("documents[{i}].sha256"),
                format!("documents[{i}].sha256 must be 64 hexadecimal characters"),
            ));
        }
        Ok(())
    }
}

/// What one jurisdiction answered for a submitted application, and the case it opened, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JurisdictionOutcome {
    /// `EU`, `US` …
    pub jurisdiction: String,
    /// The determination's outcome (`licence_required`, `general_authorisation` …).
    pub outcome: crate::determination::Outcome,
    /// The case opened at the authority of this node that handles the jurisdiction.
    pub case_id: Option<String>,
    /// Why no case was opened (no licence needed, or no authority for this jurisdiction on this node).
    pub note: String,
    /// The destinations (or participants' countries) that need the licence, when the application reaches several.
    #[serde(default)]
    pub destinations: Vec<String>,
}

/// A licence application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Application {
    /// Generated id (`app_…`).
    #[schema(value_type = String)]
    pub id: ApplicationId,
    /// The applying organisation.
    #[schema(value_type = String)]
    pub organisation_id: OrgId,
    /// The authority the organisation is registered with.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// Draft or submitted.
    pub status: ApplicationStatus,
    /// The transaction, in the shape of a determination's input.
    pub transaction: Transaction,
    /// The exporter's own description of the end use.
    pub end_use_statement: String,
    /// The exporter's declarations.
    pub declarations: Declarations,
    /// Supporting documents (metadata).
    pub documents: Vec<DocumentMeta>,
    /// The licence asked for.
    #[serde(default)]
    pub licence: crate::licences::LicenceRequest,
    /// The determination made at submission.
    pub determination: Option<Determination>,
    /// Per jurisdiction: the outcome and the case opened.
    pub outcomes: Vec<JurisdictionOutcome>,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: crate::Timestamp,
    /// When it was submitted.
    pub submitted_at: Option<crate::Timestamp>,
}

/// Request to draft an application.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The applying organisation (exporters may leave it out: their own).
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// The transaction (same shape as `POST /api/v1/determinations`).
    pub transaction: Transaction,
    /// The end use in the exporter's own words.
    pub end_use_statement: String,
    /// Declarations.
    #[serde(default)]
    pub declarations: Declarations,
    /// Supporting documents (metadata).
    #[serde(default)]
    pub documents: Vec<DocumentMeta>,
    /// The licence asked for (default: an individual licence).
    #[serde(default)]
    pub licence: crate::licences::LicenceRequest,
}

impl NewApplication {
    /// Checks the free-text fields and documents (the transaction is checked against the control list on submit).
    pub fn check(&self) -> Result<()> {
        let statement = self.end_use_statement.trim();
        if statement.is_empty() || statement.chars().count() > 4000 {
            return Err(Error::validation("end_use_statement", "end_use_statement must be 1-4000 characters"));
        }
        if statement.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(Error::validation("end_use_statement", "end_use_statement contains a control character"));
        }
        if self.documents.len() > 50 {
            return Err(Error::validation("documents", "at most 50 documents"));
        }
        for (i, d) in self.documents.iter().enumerate() {
            d.check(i)?;
        }
        self.licence.check(&self.transaction)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting for, or under, review.
    Open,
    /// The officer asked the exporter for information; the SLA clock is paused until the answer.
    AwaitingInformation,
    /// Decided by an officer; a different senior officer must countersign.
    AwaitingCountersignature,
    /// Approved: a licence is issued.
    Approved,
    /// Refused.
    Refused,
    /// Returned without a decision (withdrawn, or no licence needed).
    Returned,
}

impl CaseStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::AwaitingInformation => "awaiting_information",
            CaseStatus::AwaitingCountersignature => "awaiting_countersignature",
            CaseStatus::Approved => "approved",
            CaseStatus::Refused => "refused",
            CaseStatus::Returned => "returned",
        }
    }

    /// Whether the case is closed (approved, refused or returned).
    pub fn is_closed(self) -> bool {
        matches!(self, CaseStatus::Approved | CaseStatus::Refused | CaseStatus::Returned)
    }
}

/// A question an officer put to the exporter, and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InfoRequest {
    /// Who asked.
    pub asked_by: String,
    /// When.
    pub asked_at: crate::Timestamp,
    /// The question.
    pub question: String,
    /// When it was answered.
    pub answered_at: Option<crate::Timestamp>,
    /// The answer.
    pub answer: Option<String>,
}

/// Advice recorded on a case (technical opinion, another ministry's view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Advice {
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: crate::Timestamp,
    /// The advice.
    pub text: String,
}

/// What a decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Approve, with conditions, validity and licensed quantities and values.
    Approve,
    /// Refuse, with the jurisdiction's refusal criteria.
    Refuse,
    /// Return without a decision (withdrawn, not required).
    Return,
}

/// The quantity and value licensed for one item of the application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicensedItem {
    /// Index of the item in the application's transaction.
    pub item: usize,
    /// Licensed quantity.
    pub quantity: Decimal,
    /// Licensed value, in the item's currency.
    pub value: Decimal,
}

/// An officer's decision on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// Approve, refuse or return.
    pub kind: DecisionKind,
    /// The deciding officer.
    pub by: String,
    /// When.
    pub at: crate::Timestamp,
    /// Why, in words.
    pub reason: String,
    /// Conditions (provisos) of an approval.
    pub conditions: Vec<String>,
    /// First day of validity of an approval.
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<jiff::civil::Date>,
    /// Last day of validity of an approval.
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<jiff::civil::Date>,
    /// Licensed quantity and value per item of an approval.
    pub items: Vec<LicensedItem>,
    /// Refusal criteria of the jurisdiction (e.g. EU Common Position 2008/944 criteria, or national codes).
    pub refusal_criteria: Vec<String>,
    /// The senior officer who countersigned, when one had to.
    pub countersigned_by: Option<String>,
    /// When.
    pub countersigned_at: Option<crate::Timestamp>,
}

/// Request to decide a case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// `approve`, `refuse` or `return`.
    pub kind: DecisionKind,
    /// Why (required).
    pub reason: String,
    /// The case version the officer saw; a newer one answers `case_changed`.
    pub version: i64,
    /// Conditions of an approval.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// First day of validity (approval; default today).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last day of validity (approval, required).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Licensed quantity and value per item (approval; default: as applied for).
    #[serde(default)]
    pub items: Vec<LicensedItem>,
    /// Refusal criteria (refusal, at least one).
    #[serde(default)]
    pub refusal_criteria: Vec<String>,
}

/// One named factor of a case's risk score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RiskFactor {
    /// `destination`, `item_sensitivity`, `screening_hits`, `trust_tier`, `end_use`, `value`, `first_shipment`,
    /// `allied_denial`, `missing_data`.
    pub factor: String,
    /// Points it adds (negative for a factor that lowers the risk).
    pub points: i32,
    /// Why, in words.
    pub detail: String,
}

/// A case: one authority's review of one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    /// Generated id (`case_…`).
    #[schema(value_type = String)]
    pub id: CaseId,
    /// The application.
    #[schema(value_type = String)]
    pub application_id: ApplicationId,
    /// The applying organisation.
    #[schema(value_type = String)]
    pub organisation_id: OrgId,
    /// The reviewing authority.
    #[schema(value_type = String)]
    pub authority_id: AuthorityId,
    /// The jurisdiction it reviews for.
    pub jurisdiction: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// Risk, 0-100.
    pub risk_score: i32,
    /// The factors behind the score.
    pub risk_factors: Vec<RiskFactor>,
    /// How it is reviewed.
    pub review_path: crate::determination::ReviewPath,
    /// Optimistic version: every change increments it.
    pub version: i64,
    /// When it was opened.
    pub opened_at: crate::Timestamp,
    /// The SLA target day (working days of the authority's calendar).
    #[schema(value_type = String, format = Date)]
    pub due_date: jiff::civil::Date,
    /// The assigned officer, if any.
    pub assigned_to: Option<String>,
    /// Questions to the exporter and their answers.
    #[serde(default)]
    pub info_requests: Vec<InfoRequest>,
    /// Advice recorded on the case.
    #[serde(default)]
    pub advice: Vec<Advice>,
    /// The decision, once taken.
    #[serde(default)]
    pub decision: Option<Decision>,
    /// The licence an approval issued.
    #[serde(default)]
    pub licence_id: Option<String>,
    /// Verification tasks (opened for enhanced due diligence); the case cannot be approved while one is open or
    /// unfavourable.
    #[serde(default)]
    pub tasks: Vec<VerificationTask>,
    /// The SLA target in working days (shorter on the fast track).
    #[serde(default = "default_sla_target")]
    pub sla_target: u32,
    /// New restricted-party hits found when the lists changed after submission.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// The denial notification a refusal created.
    #[serde(default)]
    pub denial_id: Option<String>,
    /// Active denials of allied authorities the case matched when it was opened (approval is checked again).
    #[serde(default)]
    pub denial_matches: Vec<String>,
}

/// A restricted-party hit found on a party of an open case or an active licence after a list changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    /// When it was raised.
    pub at: crate::Timestamp,
    /// The party's name as applied for.
    pub party: String,
    /// The list.
    pub list_id: String,
    /// The listed entity.
    pub entity_id: String,
    /// The listed name that matched.
    pub matched_name: String,
    /// The match score.
    pub score: f64,
}

fn default_sla_target() -> u32 {
    20
}

/// What a verification task checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A pre-licence check of the end user (by an embassy or attaché).
    PreLicenceCheck,
    /// An on-site verification at the end user.
    OnSiteVerification,
    /// An audit by a third party.
    ThirdPartyAudit,
}

/// How a verification task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    /// Nothing against the transaction.
    Favourable,
    /// Findings against it: the case cannot be approved.
    Unfavourable,
    /// No conclusion.
    Inconclusive,
}

/// One verification task of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerificationTask {
    /// What it checks.
    pub kind: TaskKind,
    /// Who carries it out (an officer, an embassy, an audit firm).
    pub assignee: String,
    /// When it is due.
    #[schema(value_type = String, format = Date)]
    pub due_date: jiff::civil::Date,
    /// When it was opened.
    pub opened_at: crate::Timestamp,
    /// The outcome, once recorded.
    pub outcome: Option<TaskOutcome>,
    /// The report, once recorded.
    pub report: Option<String>,
    /// When the outcome was recorded.
    pub closed_at: Option<crate::Timestamp>,
}

/// Request to open a verification task.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// What it checks.
    pub kind: TaskKind,
    /// Who carries it out.
    pub assignee: String,
    /// When it is due (`YYYY-MM-DD`).
    pub due_date: String,
    /// The case version the caller saw.
    pub version: i64,
}

/// Request to record a verification task's outcome.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskResult {
    /// The outcome.
    pub outcome: TaskOutcome,
    /// The report.
    pub report: String,
    /// The case version the caller saw.
    pub version: i64,
}

/// An internal compliance programme certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IcpCertification {
    /// The certifying authority.
    pub issuer_authority: String,
    /// The day it was certified.
    #[schema(value_type = String, format = Date)]
    pub certified_on: jiff::civil::Date,
    /// The last day it is valid.
    #[schema(value_type = String, format = Date)]
    pub expires_on: jiff::civil::Date,
}

/// A training record of the exporter's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRecord {
    /// Who was trained.
    pub person: String,
    /// The course.
    pub course: String,
    /// When.
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
}

/// How an exporter audit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// No findings.
    Passed,
    /// Findings to correct.
    Findings,
    /// Failed.
    Failed,
}

/// An audit of the exporter by an authority (visible to every authority: mutual recognition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExporterAudit {
    /// The auditing authority.
    pub authority_id: String,
    /// When.
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
    /// The outcome.
    pub outcome: AuditOutcome,
    /// What was found.
    pub summary: String,
}

/// An exporter's compliance profile: certification, training and audits, and the trust tier derived from them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplianceProfile {
    /// The internal compliance programme certification, if any.
    pub icp: Option<IcpCertification>,
    /// Training records.
    pub trainings: Vec<TrainingRecord>,
    /// Audits by authorities.
    pub audits: Vec<ExporterAudit>,
}

/// How far an exporter is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Certified programme in force, recent training, no failed audit.
    Trusted,
    /// The default.
    Standard,
    /// A failed audit in the last three years.
    Watch,
}

impl ComplianceProfile {
    /// The trust tier on `today`: `watch` after a failed audit in the last three years; `trusted` with an ICP
    /// certification in force, a training in the last two years and no audit with findings in the last three;
    /// `standard` otherwise.
    pub fn tier(&self, today: jiff::civil::Date) -> Tier {
        let years_ago = |n: i16| today.checked_sub(jiff::Span::new().years(n)).unwrap_or(jiff::civil::Date::MIN);
        let (three, two) = (years_ago(3), years_ago(2));
        let recent = |a: &&ExporterAudit| a.date >= three;
        if self.audits.iter().filter(recent).any(|a| a.outcome == AuditOutcome::Failed) {
            return Tier::Watch;
        }
        let icp = self.icp.as_ref().is_some_and(|c| c.certified_on <= today && today <= c.expires_on);
        let trained = self.trainings.iter().any(|t| t.date >= two);
        let clean = !self.audits.iter().filter(recent).any(|a| a.outcome == AuditOutcome::Findings);
        if icp && trained && clean { Tier::Trusted } else { Tier::Standard }
    }
}

/// A case's service-level clock, in working days of its authority's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseSla {
    /// The target, in working days.
    pub target: u32,
    /// Working days since the case was opened (until its decision, once decided).
    pub elapsed: u32,
    /// Working days the clock was paused, waiting for the exporter.
    pub paused: u32,
    /// Working days left (negative once late).
    pub remaining: i64,
    /// The day it is due, pauses included.
    #[schema(value_type = String, format = Date)]
    pub due_date: jiff::civil::Date,
}

fn day_of(at: &crate::Timestamp) -> jiff::civil::Date {
    at.utc_date()
}

impl Case {
    /// The case's clock on `today` in the working days of `calendar`: elapsed since it was opened (until its decision),
    /// paused while the exporter was asked for information, and the day it is due.
    pub fn sla(&self, calendar: &crate::model::WorkingCalendar, today: jiff::civil::Date) -> CaseSla {
        let opened = day_of(&self.opened_at);
        let end = self.decision.as_ref().map_or(today, |d| day_of(&d.at));
        let elapsed = calendar.working_days_between(opened, end);
        let paused = self
            .info_requests
            .iter()
            .map(|r| calendar.working_days_between(day_of(&r.asked_at), r.answered_at.as_ref().map_or(end, day_of)))
            .sum::<u32>()
            .min(elapsed);
        let target = self.sla_target;
        CaseSla {
            target,
            elapsed,
            paused,
            remaining: i64::from(target) - i64::from(elapsed - paused),
            due_date: calendar.add_working_days(opened, target + paused),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> jiff::civil::Date {
        d.parse().expect("a day")
    }

    fn audit(date: &str, outcome: AuditOutcome) -> ExporterAudit {
        ExporterAudit { authority_id: "DE-BAFA".into(), date: day(date), outcome, summary: "s".into() }
    }

    #[test]
    fn the_clock_counts_working_days_and_stops_while_the_exporter_is_asked() {
        let case = |info: serde_json::Value| -> Case {
            serde_json::from_value(serde_json::json!({
                "id": format!("case_{}", "0".repeat(26)), "application_id": format!("app_{}", "0".repeat(26)),
                "organisation_id": format!("org_{}", "0".repeat(26)), "authority_id": "DE-BAFA",
                "jurisdiction": "EU", "status": "open", "risk_score": 10, "risk_factors": [], "review_path": "standard",
                "version": 1, "opened_at": "2026-03-02T09:00:00Z", "due_date": "2026-03-16", "assigned_to": null,
                "info_requests": info, "sla_target": 10
            }))
            .expect("a case")
        };
        let mut calendar = crate::model::WorkingCalendar::default();
        calendar.holidays.push("2026-03-06".parse().expect("a day"));
        // Opened Monday 2 March; by Monday 9 March: 3, 4, 5, (6 a holiday), 9 = four working days.
        let plain = case(serde_json::json!([])).sla(&calendar, day("2026-03-09"));
        assert_eq!((plain.elapsed, plain.paused, plain.remaining), (4, 0, 6));
        assert_eq!(plain.due_date.to_string(), "2026-03-17", "ten working days on, the holiday and a weekend skipped");
        let asked = case(serde_json::json!([{"asked_by": "o", "asked_at": "2026-03-03T10:00:00Z",
            "question": "q", "answered_at": "2026-03-05T10:00:00Z", "answer": "a"}]));
        let paused = asked.sla(&calendar, day("2026-03-09"));
        assert_eq!((paused.elapsed, paused.paused, paused.remaining), (4, 2, 8));
        assert_eq!(paused.due_date.to_string(), "2026-03-19", "the two days waiting move the due date");
        let open = case(serde_json::json!([{"asked_by": "o", "asked_at": "2026-03-03T10:00:00Z", "question": "q"}]));
        assert_eq!(
            open.sla(&calendar, day("2026-03-09")).remaining,
            9,
            "an open question stops the clock after its day"
        );
    }

    #[test]
    fn the_trust_tier_follows_certification_training_and_audits() {
        let mut p = ComplianceProfile::default();
        assert_eq!(p.tier(day("2026-06-01")), Tier::Standard);
        p.icp = Some(IcpCertification {
            issuer_authority: "DE-BAFA".into(),
            certified_on: day("2025-01-01"),
            expires_on: day("2027-12-31"),
        });
        assert_eq!(p.tier(day("2026-06-01")), Tier::Standard, "certified but never trained");
        p.trainings.push(TrainingRecord {
            person: "A".into(),
            course: "EU dual-use basics".into(),
            date: day("2025-03-01"),
        });
        assert_eq!(p.tier(day("2026-06-01")), Tier::Trusted);
        assert_eq!(p.tier(day("2028-01-01")), Tier::Standard, "the certification expired");
        p.audits.push(audit("2025-09-01", AuditOutcome::Findings));
        assert_eq!(p.tier(day("2026-06-01")), Tier::Standard, "recent findings");
        p.audits.push(audit("2020-01-01", AuditOutcome::Failed));
        assert_eq!(p.tier(day("2026-06-01")), Tier::Standard, "a failure more than three years ago no longer counts");
        p.audits.push(audit("2026-01-01", AuditOutcome::Failed));
        assert_eq!(p.tier(day("2026-06-01")), Tier::Watch);
    }
}

/// How an authority handles fast-track cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FastTrackSettings {
    /// Approve fast-track cases at once, with the standard conditions; otherwise they go to a short queue.
    pub auto_approve: bool,
    /// Working days a fast-track case in the queue is due in.
    pub target_working_days: u32,
    /// Validity of an automatic approval, in days.
    pub validity_days: u32,
    /// The standard conditions of an automatic approval.
    pub conditions: Vec<String>,
}

impl Default for FastTrackSettings {
    fn default() -> Self {
        FastTrackSettings {
            auto_approve: false,
            target_working_days: 5,
            validity_days: 365,
            conditions: vec!["no re-export or transfer without the authority's prior consent".into()],
        }
    }
}
