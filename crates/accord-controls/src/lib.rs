//! The harmonized dual-use control list: entries keyed by coalition codes aligned with the Wassenaar numbering
//! (`3A001`, `3A001.a.1`), with their text, regimes and one mapping per jurisdiction (EU Annex I, US ECCN with
//! reasons for control, UK rating).
//!
//! [`import_eu_annex_i`], [`import_us_ccl_headings`], [`import_us_reasons`] and [`import_regimes`] read the public
//! sources and report what they cannot repair as [`Problem`]s; [`harmonize`] merges them into a [`ControlList`].
//! [`ControlList::write_json`] and [`ControlList::from_json`] write and strictly read Accord's own list format;
//! [`ControlList::search`] ranks entries for a query and [`ControlList::by_category`] browses them. Pure: no I/O
//! beyond reading the files it is given.

mod amend;
mod code;
mod determine;
mod ecfr;
mod format;
mod import;
mod model;
mod policy;
mod risk;
mod search;
mod suite;

pub use amend::{apply_changes, apply_policy_changes, policy_block};

/// The list the ownership rules' conclusions are found on in a determination (`<rule>:<party>`,
/// `undetermined:<rule>:<party>`, `control:<rule>:<party>`): derived from the relations and the lists in force, so
/// never missing when the parties were screened.
pub const OWNERSHIP_LIST: &str = "ownership";
pub use code::ControlCode;
pub use determine::{
    CheckTransaction, CheckedParty, CheckedTransaction, Determination, EndUseStatement, Item, ItemClassification,
    JurisdictionAnswer, MAX_ITEMS, MAX_PARTIES, NotAvailable, Outcome, Party, PartyHit, Reason, Screening, Transaction,
    Versions, determine,
};
pub use ecfr::{GeneratedFile, US_ECFR_INPUTS, US_ECFR_OUTPUTS, UsEcfrInput, generate_us_ecfr};
pub use format::{FORMAT_NAME, FORMAT_VERSION};
pub use import::{
    Problem, RegimeItem, SourceFiles, UsReasons, harmonize, import_eu_annex_i, import_regime_csv, import_regimes,
    import_sources, import_us_ccl_headings, import_us_reasons, regime_of_file,
};
pub use model::{ControlEntry, ControlList, Jurisdiction, ListInfo, Mapping, Regime};
pub use policy::{
    Effect, EndUse, FactSource, POLICY_DIR, PartyRole, PolicyInfo, PolicySet, PolicySource, Purpose, ReviewPath,
    SourceKind, builtin_policies,
};
pub use risk::{EDD_THRESHOLD, FAST_TRACK_BELOW, Risk, RiskInput, TrustTier, assess};
pub use search::SearchHit;
pub use suite::{SuiteCase, builtin_suite, parse_suite};
