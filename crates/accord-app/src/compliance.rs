//! Exporters' compliance profiles: internal compliance programme certification, staff training and audits by
//! authorities, from which the trust tier that feeds risk scores and the fast track is derived. Every authority sees
//! every profile (mutual recognition of certifications and audits).

use crate::authz::{Action, require};
use crate::{App, event, to_json, user_principal};
use accord_core::audit::EventKind;
use accord_core::cases::{AuditOutcome, ComplianceProfile, ExporterAudit, IcpCertification, Tier, TrainingRecord};
use accord_core::denials::VerificationKind;
use accord_core::ids::OrgId;
use accord_core::model::Role;
use accord_core::principal::Principal;
use accord_core::{Error, Result};
use accord_store::Mutation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A compliance profile with its trust tier today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProfileView {
    /// The organisation.
    #[schema(value_type = String)]
    pub organisation_id: OrgId,
    /// The profile.
    #[serde(flatten)]
    pub profile: ComplianceProfile,
    /// The trust tier it gives today.
    pub tier: Tier,
}

/// Something recorded on a compliance profile.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "record", rename_all = "snake_case")]
pub enum ProfileRecord {
    /// The organisation's internal compliance programme was certified (officers; the issuer is their authority).
    Certification {
        /// The day it was certified.
        certified_on: String,
        /// The last day it is valid.
        expires_on: String,
    },
    /// A member of staff was trained (the organisation's exporters or officers).
    Training {
        /// Who.
        person: String,
        /// The course.
        course: String,
        /// When.
        date: String,
    },
    /// An authority audited the organisation (officers).
    Audit {
        /// When.
        date: String,
        /// The outcome.
        outcome: AuditOutcome,
        /// What was found.
        summary: String,
    },
}

/// Longest validity of a compliance-programme certification, in years.
pub const MAX_CERTIFICATE_YEARS: i16 = 3;

impl App {
    /// The trust tier of an organisation today (standard when it has no profile).
    pub(crate) async fn trust_tier(&self, org: &OrgId) -> Result<Tier> {
        Ok(self.store.profile(org).await?.map_or(Tier::Standard, |p| p.tier(crate::controls::day())))
    }

    /// An organisation's profile: its own exporters, and every authority's users (mutual recognition).
    pub async fn profile(&self, p: &Principal, org: &str) -> Result<ProfileView> {
        let id = OrgId::parse(org)?;
        let visible = match user_principal(p) {
            None => matches!(p, Principal::Operator { .. }),
            Some(u) if u.role == Role::Exporter => u.organisation_id.as_ref() == Some(&id),
            Some(u) => u.authority_id.is_some() || matches!(u.role, Role::Admin | Role::Auditor),
        };
        if !visible || self.store.organisation(&id).await?.is_none() {
            return Err(Error::not_found("organisation", id.as_str()));
        }
        let profile = self.store.profile(&id).await?.unwrap_or_default();
        let tier = profile.tier(crate::controls::day());
        Ok(ProfileView { organisation_id: id, profile, tier })
    }

    /// Records a certification, training or audit on an organisation's profile.
    pub async fn record_profile(&self, p: &Principal, org: &str, record: ProfileRecord) -> Result<ProfileView> {
        let view = self.profile(p, org).await?;
        let mut profile = view.profile;
        let authority = user_principal(p).and_then(|u| u.authority_id.clone());
        let organisation = self
            .store
            .organisation(&view.organisation_id)
            .await?
            .ok_or_else(|| Error::not_found("organisation", view.organisation_id.as_str()))?;
        let home = organisation.authority_id.clone();
        // Certifications, audits and an officer's training records are the business of the organisation's own
        // authority, or of an authority it trusts to certify for it.
        let officer_may_record = |action: &str| -> Result<()> {
            let Some(me) = user_principal(p) else { return Ok(()) };
            if me.role == Role::Exporter {
                return Ok(());
            }
            let mine = me.authority_id.as_ref();
            if mine == Some(&home) || mine.is_some_and(|a| self.trusts_certifier(&home, a)) {
                Ok(())
            } else {
                Err(Error::forbidden(format!(
                    "only officers of {home}, or of an authority {home} trusts to certify, may {action} for {}",
                    view.organisation_id
                )))
            }
        };
        let day_limit = crate::controls::day();
        let check = |field: &str, d: &str| -> Result<jiff::civil::Date> {
            let day = crate::controls::check_day(field, d)?;
            if day > day_limit {
                return Err(Error::validation(field, format!("{field} {day} is in the future")));
            }
            Ok(day)
        };
        let kind = match record {
            ProfileRecord::Certification { certified_on, expires_on } => {
                require(p, Action::CertifyComplianceProgrammes)?;
                officer_may_record("certify compliance programmes")?;
                let from = check("certified_on", &certified_on)?;
                let until = crate::controls::check_day("expires_on", &expires_on)?;
                let latest = from.checked_add(jiff::Span::new().years(MAX_CERTIFICATE_YEARS)).ok();
                if until < from || latest.is_some_and(|l| until > l) {
                    return Err(Error::validation(
                        "expires_on",
                        format!(
                            "expires_on {until} must lie between certified_on {from} and {MAX_CERTIFICATE_YEARS} years after it"
                        ),
                    ));
                }
                let issuer = authority.as_ref().map_or_else(|| "operator".to_owned(), |a| a.to_string());
                profile.icp =
                    Some(IcpCertification { issuer_authority: issuer, certified_on: from, expires_on: until });
                EventKind::ComplianceCertified
            }
            ProfileRecord::Training { person, course, date } => {
                require(p, Action::RecordTraining)?;
                officer_may_record("record training")?;
                profile.trainings.push(TrainingRecord {
                    person: accord_core::model::parse_name("person", &person)?,
                    course: accord_core::model::parse_name("course", &course)?,
                    date: check("date", &date)?,
                });
                EventKind::ComplianceTrainingRecorded
            }
            ProfileRecord::Audit { date, outcome, summary } => {
                require(p, Action::RecordAudits)?;
                officer_may_record("record audits")?;
                profile.audits.push(ExporterAudit {
                    authority_id: authority.as_ref().map_or_else(|| "operator".to_owned(), |a| a.to_string()),
                    date: check("date", &date)?,
                    outcome,
                    summary: accord_core::model::parse_name("summary", &summary)?,
                });
                EventKind::ComplianceAuditRecorded
            }
        };
        let id = view.organisation_id;
        let mut mutations = vec![Mutation::PutProfile { organisation_id: id.clone(), profile: profile.clone() }];
        if let (Some(audit), EventKind::ComplianceAuditRecorded) = (profile.audits.last(), kind) {
            // An audit is shared with the allies (mutual recognition across nodes).
            let org = self.store.organisation(&id).await?;
            let shared = accord_core::denials::SharedVerification {
                id: format!("ver_{}_{}", id.as_str().trim_start_matches("org_"), profile.audits.len()),
                authority_id: audit.authority_id.clone(),
                kind: VerificationKind::ExporterAudit,
                subject: org.as_ref().map_or_else(|| id.to_string(), |o| o.name.clone()),
                country: org.map(|o| o.country),
                outcome: audit.outcome.into(),
                report: audit.summary.clone(),
                date: audit.date,
                version: 1,
            };
            mutations.extend(self.verification_mutations(&shared));
        }
        // The event belongs to the organisation's authority, so that authority's auditors see it.
        self.commit_and_notify(mutations, vec![event(p, Some(&home), kind, id.as_str(), to_json(&profile))]).await?;
        let tier = profile.tier(crate::controls::day());
        Ok(ProfileView { organisation_id: id, profile, tier })
    }
}
