//! `accord lists sync` and the node's periodic sync: download each list from its publisher
//! (conditional request, size limit), check its format, and import it when the content changed.
//! A failed or malformed download leaves the version in force and is recorded and reported.

use accord_app::{App, ListImport};
use accord_core::listed::{SyncOutcome, SyncState};
use accord_core::principal::Principal;
use accord_lists::Format;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Largest file accepted from a publisher by default (the largest official list is a few tens of MB).
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;

/// Where one list is published: its format and its files (the first is the one the format reads;
/// the others are siblings published with it, such as OFAC's `alt.csv`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Format name, e.g. `ofac_sdn`.
    pub format: String,
    /// File URLs; an empty list disables the list.
    pub urls: Vec<String>,
}

/// The `[sync]` section of `accord.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// How often a running node syncs, e.g. `24h`, `6h`, `30m` (default `24h`).
    pub interval: Option<String>,
    /// Largest accepted download in bytes.
    pub max_bytes: Option<u64>,
    /// Sources by list id; they replace the built-in publisher URLs of the same list.
    #[serde(default)]
    pub sources: BTreeMap<String, Source>,
}

/// The publishers' own URLs for the lists Accord reads.
pub fn default_sources() -> BTreeMap<String, Source> {
    let ofac = "https://www.treasury.gov/ofac/downloads";
    let source = |format: &str, urls: Vec<String>| Source { format: format.to_owned(), urls };
    BTreeMap::from([
        (
            "us_ofac_sdn".to_owned(),
            source(
                "ofac_sdn",
                ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"].map(|f| format!("{ofac}/{f}")).to_vec(),
            ),
        ),
        (
            "us_ofac_cons".to_owned(),
            source(
                "ofac_cons",
                ["cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"]
                    .map(|f| format!("{ofac}/consolidated/{f}"))
                    .to_vec(),
            ),
        ),
        (
            "un_sc".to_owned(),
            source("un_xml", vec!["https://scsanctions.un.org/resources/xml/en/consolidated.xml".to_owned()]),
        ),
        ("us_bis_dpl".to_owned(), source("bis_dpl", vec!["https://www.bis.doc.gov/dpl/dpl.txt".to_owned()])),
        (
            "us_csl".to_owned(),
            source(
                "csl",
                vec!["https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv".to_owned()],
            ),
        ),
    ])
}

/// Parses `30m`, `6h`, `1d` or a number of seconds.
pub fn parse_interval(s: &str) -> anyhow::Result<Duration> {
    let d = parse_duration(s)?;
    if d.as_secs() < 60 {
        anyhow::bail!("the sync interval must be at least a minute");
    }
    Ok(d)
}

/// Parses `30s`, `30m`, `6h` or `1d` (a bare number is seconds).
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits.parse().map_err(|_| anyhow::anyhow!("'{s}' is not an interval (e.g. 30m, 6h, 1d)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => anyhow::bail!("'{s}' is not an interval (e.g. 30m, 6h, 1d)"),
    };
    if secs == 0 {
        anyhow::bail!("an interval is at least one second");
    }
    Ok(Duration::from_secs(secs))
}

/// What one list's sync did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The list.
    pub list_id: String,
    /// `updated`, `unchanged` or `failed`.
    pub outcome: SyncOutcome,
    /// For people.
    pub message: String,
}

/// The file name a URL is saved under: its last path segment (so OFAC siblings keep their names).
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect();
    if safe.is_empty() || safe.starts_with('.') { "download".to_owned() } else { safe }
}

/// Downloads one URL into `dir`; `None` when the publisher answers 304 Not Modified.
fn download(
    agent: &ureq::Agent,
    url: &str,
    validators: Option<&serde_json::Value>,
    dir: &Path,
    max_bytes: u64,
) -> anyhow::Result<Option<serde_json::Value>> {
    let mut request = agent.get(url);
    if let Some(v) = validators {
        if let Some(etag) = v.get("etag").and_then(|e| e.as_str()) {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = v.get("last_modified").and_then(|e| e.as_str()) {
            request = request.header("If-Modified-Since", modified);
        }
    }
    let mut response = request.call().map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(None);
    }
    if status != 200 {
        anyhow::bail!("{url}: the publisher answered HTTP {status}");
    }
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let new_validators = json!({ "etag": header("etag"), "last_modified": header("last-modified") });
    let path = dir.join(file_name(url));
    let mut file = std::fs::File::create(&path)?;
    let mut reader = response.body_mut().with_config().limit(max_bytes).reader();
    std::io::copy(&mut reader, &mut file)
        .map_err(|e| anyhow::anyhow!("{url}: download failed or is larger than {max_bytes} bytes: {e}"))?;
    file.flush()?;
    Ok(Some(new_validators))
}

/// Syncs one list: download, check, import. Never fails: a failure is the outcome.
pub async fn sync_one(
    app: &App,
    list_id: &str,
    source: &Source,
    previous: Option<&SyncState>,
    max_bytes: u64,
) -> Outcome {
    let result = sync_inner(app, list_id, source, previous, max_bytes).await;
    let (outcome, message, validators) = match result {
        Ok((outcome, message, validators)) => (outcome, message, validators),
        Err(e) => (
            SyncOutcome::Failed,
            format!("{e:#}; the version in force stays"),
            previous.map(|p| p.validators.clone()).unwrap_or_default(),
        ),
    };
    let state = SyncState {
        list_id: list_id.to_owned(),
        source: source.urls.first().cloned().unwrap_or_default(),
        validators,
        checked_at: accord_core::now(),
        outcome,
        message: message.clone(),
    };
    if let Err(e) = app.record_sync(&state).await {
        tracing::warn!(list = list_id, error = %e, "could not record the sync outcome");
    }
    Outcome { list_id: list_id.to_owned(), outcome, message }
}

async fn sync_inner(
    app: &App,
    list_id: &str,
    source: &Source,
    previous: Option<&SyncState>,
    max_bytes: u64,
) -> anyhow::Result<(SyncOutcome, String, serde_json::Value)> {
    let format = Format::parse(&source.format).ok_or_else(|| anyhow::anyhow!("unknown format '{}'", source.format))?;
    let main = source.urls.first().ok_or_else(|| anyhow::anyhow!("no URL configured"))?.clone();
    let urls = source.urls.clone();
    let old = previous.and_then(|p| p.validators.get(&main).cloned());
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-sync"));
    std::fs::create_dir_all(&dir)?;
    let fetch_dir = dir.clone();
    let fetched = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<serde_json::Value>> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        // The main file decides: when it is unchanged, the publisher's set is unchanged.
        let Some(validators) = download(&agent, &main, old.as_ref(), &fetch_dir, max_bytes)? else { return Ok(None) };
        for sibling in &urls[1..] {
            download(&agent, sibling, None, &fetch_dir, max_bytes)?;
        }
        Ok(Some(json!({ main: validators })))
    })
    .await?;
    let result = match fetched {
        Err(e) => Err(e),
        Ok(None) => Ok((
            SyncOutcome::Unchanged,
            "the publisher reports no change (HTTP 304)".to_owned(),
            previous.map(|p| p.validators.clone()).unwrap_or_default(),
        )),
        Ok(Some(validators)) => {
            let main_file = dir.join(file_name(source.urls.first().map(String::as_str).unwrap_or_default()));
            let parsed = accord_lists::read(&main_file, Some(format), false)
                .map_err(|e| anyhow::anyhow!("the download is not a valid {} file: {}", format.as_str(), e.message));
            match parsed {
                Err(e) => Err(e),
                Ok(parsed) if parsed.entities.is_empty() => Err(anyhow::anyhow!("the download holds no entities")),
                Ok(parsed) => {
                    let import = ListImport {
                        list_id: list_id.to_owned(),
                        format: format.as_str().to_owned(),
                        content_hash: parsed.content_hash,
                        problems: parsed.problems.len(),
                        entities: parsed.entities,
                        source: source.urls.join(", "),
                    };
                    let sync = Principal::Operator { name: "sync".to_owned() };
                    match app.import_list(&sync, import).await {
                        Ok(o) if o.unchanged => Ok((
                            SyncOutcome::Unchanged,
                            format!("same content as version {}", o.version.version),
                            validators,
                        )),
                        Ok(o) => Ok((
                            SyncOutcome::Updated,
                            format!(
                                "version {} in force: {} added, {} changed, {} removed",
                                o.version.version, o.version.added, o.version.changed, o.version.removed
                            ),
                            validators,
                        )),
                        Err(e) => Err(anyhow::anyhow!("{} ({})", e.message, e.code)),
                    }
                }
            }
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Syncs every configured list, one after another.
pub async fn sync_all(app: &App, config: &SyncConfig, only: &[String]) -> anyhow::Result<Vec<Outcome>> {
    let mut sources = default_sources();
    sources.extend(config.sources.clone());
    for id in only {
        if !sources.contains_key(id) {
            anyhow::bail!(
                "no source is configured for list '{id}' (configured: {})",
                sources.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    let states = app.sync_states().await.map_err(|e| anyhow::anyhow!("{} ({})", e.message, e.code))?;
    let max_bytes = config.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let mut outcomes = Vec::new();
    for (list_id, source) in &sources {
        if source.urls.is_empty() || (!only.is_empty() && !only.contains(list_id)) {
            continue;
        }
        let previous = states.iter().find(|s| &s.list_id == list_id);
        let outcome = sync_one(app, list_id, source, previous, max_bytes).await;
        match outcome.outcome {
            SyncOutcome::Failed => tracing::warn!(list = %list_id, message = %outcome.message, "list sync failed"),
            _ => {
                tracing::info!(list = %list_id, outcome = outcome.outcome.as_str(), message = %outcome.message, "list synced")
            }
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_in_common_units() {
        assert_eq!(parse_interval("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_interval("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_interval("7200").unwrap(), Duration::from_secs(7200));
        assert!(parse_interval("10s").is_err(), "too short");
        assert!(parse_interval("soon").is_err());
    }

    #[test]
    fn downloads_are_saved_under_their_published_names() {
        assert_eq!(file_name("https://x.example/ofac/downloads/alt.csv?x=1"), "alt.csv");
        assert_eq!(file_name("https://x.example/../../etc/passwd"), "passwd");
        assert_eq!(file_name("https://x.example/"), "download");
    }
}
