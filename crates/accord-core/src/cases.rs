//! Licence applications and the cases they open at each authority whose jurisdiction needs a licence.

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
    pub outcome: String,
    /// The case opened at the authority of this node that handles the jurisdiction.
    pub case_id: Option<String>,
    /// Why no case was opened (no licence needed, or no authority for this jurisdiction on this node).
    pub note: String,
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
    #[schema(value_type = Object)]
    pub transaction: serde_json::Value,
    /// The exporter's own description of the end use.
    pub end_use_statement: String,
    /// The exporter's declarations.
    pub declarations: Declarations,
    /// Supporting documents (metadata).
    pub documents: Vec<DocumentMeta>,
    /// The determination made at submission.
    #[schema(value_type = Object)]
    pub determination: Option<serde_json::Value>,
    /// Per jurisdiction: the outcome and the case opened.
    pub outcomes: Vec<JurisdictionOutcome>,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: String,
    /// When it was submitted.
    pub submitted_at: Option<String>,
}

/// Request to draft an application.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The applying organisation (exporters may leave it out: their own).
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// The transaction (same shape as `POST /api/v1/determinations`).
    #[schema(value_type = Object)]
    pub transaction: serde_json::Value,
    /// The end use in the exporter's own words.
    pub end_use_statement: String,
    /// Declarations.
    #[serde(default)]
    pub declarations: Declarations,
    /// Supporting documents (metadata).
    #[serde(default)]
    pub documents: Vec<DocumentMeta>,
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
        Ok(())
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting for, or under, review.
    Open,
}

impl CaseStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
        }
    }
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
    /// `fast_track`, `standard` or `enhanced_due_diligence`.
    pub review_path: String,
    /// Optimistic version: every change increments it.
    pub version: i64,
    /// When it was opened.
    pub opened_at: String,
    /// The SLA target day (working days of the authority's calendar).
    pub due_date: String,
    /// The assigned officer, if any.
    pub assigned_to: Option<String>,
}
