//! A transaction as an exporter describes it, and the determination of what each jurisdiction requires for it:
//! the data both sides of the engine speak, typed from the API and the database to the rules. The engine that turns
//! one into the other lives in `accord-controls`.

use crate::decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A transaction as submitted: what, to whom, where, for what (the input of a determination).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// The day of the export, `YYYY-MM-DD`; rules and listings are judged as they stood that day.
    pub date: String,
    /// ISO country the goods leave from.
    pub origin: String,
    /// ISO country (or subdivision such as `UA-43`) the goods go to.
    pub destination: String,
    /// The declared end use.
    pub end_use: EndUseStatement,
    /// The goods, software or technology.
    pub items: Vec<Item>,
    /// Consignee, end user and the other parties.
    #[serde(default)]
    pub parties: Vec<Party>,
    /// Jurisdictions to answer for; without it Accord decides which apply and says why.
    #[serde(default)]
    pub jurisdictions: Option<Vec<String>>,
    /// `sale` (default), `temporary_exhibition`, `repair_return`, `replacement`, `intra_group` or `other`.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// The declared end use: a category and the exporter's own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndUseStatement {
    /// `civil`, `military`, `military_intelligence`, `wmd`, `cyber_surveillance` or `unknown`.
    pub category: String,
    /// What the end user will do with the items.
    #[serde(default)]
    pub statement: String,
}

/// One item of a transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Its coalition control code (`3A001.a.1`), or null for an item on no control list.
    #[serde(default)]
    pub code: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// How many.
    #[serde(default)]
    pub quantity: Option<Decimal>,
    /// Its value, in `currency`, in whole minor units of it (at most two decimal places for EUR, none for JPY).
    #[serde(default)]
    pub value: Option<Decimal>,
    /// ISO 4217 currency of the value.
    #[serde(default)]
    pub currency: Option<String>,
    /// Country where the item was made, when it differs from the transaction's origin (e.g. `US` for US-origin goods).
    #[serde(default)]
    pub origin: Option<String>,
}

/// One party of a transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// `consignee`, `end_user`, `ultimate_end_user`, `intermediary` or `purchaser`.
    pub role: String,
    /// The name as written.
    pub name: String,
    /// ISO country of the party.
    #[serde(default)]
    pub country: Option<String>,
    /// `organization` or `person`.
    #[serde(default)]
    pub r#type: Option<String>,
}

/// A restricted-party hit on one party of the transaction (found by screening, judged by the rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartyHit {
    /// Index of the party in the transaction.
    pub party: usize,
    /// The list, e.g. `us_bis_dpl`.
    pub list_id: String,
    /// The entity on that list.
    pub entity_id: String,
    /// The listed name that matched.
    pub matched_name: String,
    /// The match score, 0..=1.
    pub score: f64,
    /// Programmes or legal bases of the listing.
    pub programs: Vec<String>,
    /// The day the listing took effect, when known.
    #[schema(value_type = Option<String>, format = Date)]
    pub listed_from: Option<jiff::civil::Date>,
    /// The day the listing ends, when known.
    #[schema(value_type = Option<String>, format = Date)]
    pub listed_until: Option<jiff::civil::Date>,
    /// Whether the listing was in force on the transaction date (set by the engine).
    #[serde(default)]
    pub in_force: bool,
}

crate::named_enum! {
    /// The answer for one jurisdiction (ordered from least to most restrictive).
    Outcome {
        /// No licence is needed.
        NoLicenceRequired = "no_licence_required",
        /// A general authorisation or licence exception covers it (its obligations apply).
        GeneralAuthorisation = "general_authorisation",
        /// A licence is needed.
        LicenceRequired = "licence_required",
        /// It must not proceed.
        Prohibited = "prohibited",
    }
}

/// One reason behind an answer: the rule that fired, its legal source, the item and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// The rule or authorisation id (`eu.annex_i.export`, `EU001`).
    pub rule: String,
    /// What it leads to.
    pub outcome: Outcome,
    /// The legal source.
    pub citation: String,
    /// The item it is about (index in the transaction), if any.
    pub item: Option<usize>,
    /// What was found, in words.
    pub detail: String,
    /// True when the answer rests on a fact missing from the data (the detail names it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing_data: bool,
    /// The general authorisation that lifts this licence requirement, if one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted_by: Option<String>,
    /// Party hits (indices into the determination's `party_hits`) behind the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub party_hits: Vec<usize>,
}

/// A general authorisation that could not be used for an item, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotAvailable {
    /// The authorisation id.
    pub authorisation: String,
    /// The item.
    pub item: usize,
    /// The first condition that failed.
    pub why: String,
}

/// The answer for one jurisdiction, with everything that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JurisdictionAnswer {
    /// `EU`, `US` …
    pub jurisdiction: String,
    /// Why this jurisdiction was answered for.
    pub applies_because: String,
    /// The policy version used (`file@version`).
    pub policy: String,
    /// The answer.
    pub outcome: Outcome,
    /// For `licence_required`: how an application should be reviewed.
    pub review_path: Option<ReviewPath>,
    /// For `general_authorisation`: the authorisations used (`EU001`, `LVS`).
    pub general_authorisations: Vec<String>,
    /// Obligations that come with the authorisations used.
    pub obligations: Vec<String>,
    /// Every rule that fired.
    pub reasons: Vec<Reason>,
    /// Authorisations considered and not available, with the reason.
    pub not_available: Vec<NotAvailable>,
    /// Matching allied denials (filled once denials are shared between authorities).
    #[schema(value_type = Vec<Object>)]
    pub denials: Vec<serde_json::Value>,
    /// The facts and rules the answer relied on that are not verified against a primary source (hand-encoded
    /// sets, tables and rules, each named with its file and why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified: Vec<String>,
}

/// The versions a determination used.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct Versions {
    /// The control-list version label (and node sequence, `label@seq`, when stored).
    pub control_list: String,
    /// The policy-set version (`label@seq` when stored) and each file's own version.
    pub policies: String,
    /// The restricted-party lists screened (`list@version,…`), when parties were screened.
    pub lists: String,
    /// The screening threshold the party checks used, when parties were screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

crate::named_enum! {
    /// How a licence application for the transaction should be reviewed.
    ReviewPath {
        /// Trusted exporter, low risk (decided with the exporter's profile when an application is made).
        FastTrack = "fast_track",
        /// The ordinary review.
        Standard = "standard",
        /// High risk: verification before any approval.
        EnhancedDueDiligence = "enhanced_due_diligence",
    }
}

/// A complete determination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Determination {
    /// The transaction date.
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
    /// One answer per jurisdiction.
    pub jurisdictions: Vec<JurisdictionAnswer>,
    /// Why no jurisdiction was answered for, when none applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the answer could not take into account, or should draw attention to (checks not made, later listings,
    /// jurisdictions that apply but were not asked for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Every restricted-party hit on the parties, in force or not.
    pub party_hits: Vec<PartyHit>,
    /// The item classifications used (index, code asked, entry used).
    pub items: Vec<ItemClassification>,
    /// The versions used.
    pub versions: Versions,
}

/// How an item was classified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemClassification {
    /// Index in the transaction.
    pub item: usize,
    /// The code given, canonical (`null` for an unlisted item).
    pub code: Option<String>,
    /// The list entry that governs it (the code itself, or the heading it falls under).
    pub entry: Option<String>,
    /// Each jurisdiction's own code for it (`EU:3A001`, `US:3A001`).
    pub mappings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_json_names() {
        for p in [ReviewPath::FastTrack, ReviewPath::Standard, ReviewPath::EnhancedDueDiligence] {
            assert_eq!(serde_json::to_value(p).expect("json"), p.as_str());
        }
        for o in
            [Outcome::NoLicenceRequired, Outcome::GeneralAuthorisation, Outcome::LicenceRequired, Outcome::Prohibited]
        {
            assert_eq!(serde_json::to_value(o).expect("json"), o.as_str());
        }
    }
}
