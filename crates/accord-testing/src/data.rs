//! Where the real public data and the repository's own files are: tests read them in place, never copies.

use std::path::PathBuf;

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `../shared/data` beside the repository, or a path under it.
pub fn shared(rel: &str) -> PathBuf {
    repo().join("../shared/data").join(rel)
}

/// The DuckDB library the columnar engine's tests load: `ACCORD_DUCKDB`, else the one `scripts/install-duckdb.sh`
/// installs (the test command runs it first).
pub fn duckdb() -> PathBuf {
    std::env::var_os("ACCORD_DUCKDB").map(PathBuf::from).unwrap_or_else(|| repo().join("target/duckdb/libduckdb.so"))
}

/// `../shared/data/controls`, or a path under it.
pub fn controls(rel: &str) -> PathBuf {
    shared("controls").join(rel)
}

/// The repository's policy folder.
pub fn policies() -> PathBuf {
    repo().join("policies")
}

/// A path as text, for command lines and configuration files.
pub fn text(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// The real control list (EU Annex I and the US CCL headings, with the US reasons for control of categories 3–5
/// when `us_reasons`), in force from `effective_date`.
pub fn control_list(effective_date: &str, us_reasons: bool) -> accord_controls::ControlList {
    let d = controls("");
    let info = accord_controls::ListInfo {
        version: "2025-11".into(),
        effective_date: effective_date.into(),
        rationale: String::new(),
    };
    let reasons = d.join("us_ccl_cat3-5_reasons.json");
    let files = accord_controls::SourceFiles {
        eu: &d.join("eu_annex_i_2025-11.json"),
        us: &d.join("us_ccl_headings.json"),
        us_reasons: us_reasons.then_some(reasons.as_path()),
        regimes: None,
    };
    accord_controls::import_sources(info, &files).expect("the real control list imports").0
}

/// Stores the real control list (see [`control_list`]) on a node, as its operator.
/// Reads the list at `rel` under `../shared/data` and puts it in force (as the operator); returns its entities.
pub async fn import_list(app: &accord_app::App, rel: &str) -> Vec<accord_core::listed::ListedEntity> {
    let parsed = accord_lists::read(&shared(rel), None, false).expect("read the list");
    let entities = parsed.entities.clone();
    put_in_force(app, parsed, rel).await;
    entities
}

/// A list already read, as an import naming `source` as where it was read from.
pub fn list_import(parsed: accord_lists::ParsedList, source: &str) -> accord_app::ListImport {
    accord_app::ListImport {
        list_id: parsed.list_id.clone(),
        format: parsed.format.as_str().to_owned(),
        content_hash: parsed.content_hash.clone(),
        problems: parsed.problems.len(),
        entities: parsed.entities,
        source: source.into(),
    }
}

/// Puts a list already read in force (as the operator), naming `source` as where it was read from.
pub async fn put_in_force(app: &accord_app::App, parsed: accord_lists::ParsedList, source: &str) {
    app.import_list(&crate::operator(), list_import(parsed, source)).await.expect("put the list in force");
}

/// Stores the real control list in force from `effective_date`.
pub async fn import_controls(app: &accord_app::App, effective_date: &str, us_reasons: bool) {
    let list = control_list(effective_date, us_reasons);
    app.import_controls(&crate::operator(), &list, "test").await.expect("store the control list");
}
