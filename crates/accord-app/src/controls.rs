//! The harmonized control list: versions with effective dates, lookup and search on any day.

use crate::authz::{Action, require};
use crate::{App, event};
use accord_controls::{ControlCode, ControlEntry, ControlList, SearchHit};
use accord_core::audit::EventKind;
use accord_core::audit::hex;
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::{Mutation, Store};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// Parsed versions of one kind (control list or policy set), by sequence number: stored versions never change.
pub(crate) struct VersionCache<T> {
    parsed: Mutex<HashMap<i64, Arc<T>>>,
}

impl<T> Default for VersionCache<T> {
    fn default() -> Self {
        VersionCache { parsed: Mutex::new(HashMap::new()) }
    }
}

impl<T> VersionCache<T> {
    /// Remembers a parsed version.
    pub(crate) fn insert(&self, seq: i64, value: Arc<T>) -> Result<()> {
        self.parsed.lock().map_err(|_| Error::internal("version cache poisoned"))?.insert(seq, value);
        Ok(())
    }

    /// A version's parsed data: from the cache, else read from the store and parsed once.
    pub(crate) async fn load(
        &self,
        store: &dyn Store,
        kind: VersionKind,
        seq: i64,
        parse: impl FnOnce(&str) -> Result<T>,
    ) -> Result<Arc<T>> {
        if let Some(v) = self.parsed.lock().map_err(|_| Error::internal("version cache poisoned"))?.get(&seq) {
            return Ok(v.clone());
        }
        let data = store
            .version_data(kind, seq)
            .await?
            .ok_or_else(|| Error::internal(format!("{} version {seq} without data", kind.noun())))?;
        let value = Arc::new(parse(&data)?);
        self.insert(seq, value.clone())?;
        Ok(value)
    }
}

/// The version in force on a day: the latest that took effect by then (the later import on a tie).
pub(crate) fn in_force(versions: &[ControlVersion], day: jiff::civil::Date) -> Option<ControlVersion> {
    versions.iter().filter(|v| v.effective_date <= day).max_by_key(|v| (v.effective_date, v.seq)).cloned()
}

/// The day a question is asked about: `at` when given (checked), today otherwise.
pub(crate) fn at_day(at: Option<&str>) -> Result<jiff::civil::Date> {
    at.map_or_else(|| Ok(day()), |d| check_day("at", d))
}

/// What a control-list import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlsImport {
    /// True when the content equals the latest version (nothing was stored).
    pub unchanged: bool,
    /// The stored (or matching) version.
    pub version: ControlVersion,
}

/// One entry as answered for a day, with the version it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlAnswer {
    /// The version in force on the day asked.
    pub version: ControlVersion,
    /// The entry.
    #[schema(value_type = Object)]
    pub entry: ControlEntry,
    /// Codes of its direct sub-items.
    pub children: Vec<String>,
    /// The sub-item asked for, when the list does not split it out of `entry` (the list in force keeps
    /// `3A001.a.1` in the text of `3A001`): `entry` is the nearest enclosing entry, and its text holds the sub-item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
}

/// One line of a browsed category: code and title.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlHeading {
    /// The code.
    pub code: String,
    /// The title.
    pub title: String,
}

/// The entries of a category (and group) on a day, with the version they come from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlBrowse {
    /// The version in force on the day asked.
    pub version: ControlVersion,
    /// Entries in code order.
    pub entries: Vec<ControlHeading>,
}

/// Search results for a day, with the version they come from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlSearch {
    /// The version in force on the day asked.
    pub version: ControlVersion,
    /// Best first.
    #[schema(value_type = Vec<Object>)]
    pub hits: Vec<SearchHit>,
}

pub(crate) fn check_day(field: &str, s: &str) -> Result<jiff::civil::Date> {
    accord_core::model::parse_day(field, s)
}

/// An ISO 3166-1 alpha-2 country code, upper-cased; `unknown_country` naming the field otherwise.
pub(crate) fn check_country(field: &str, s: &str) -> Result<String> {
    accord_core::model::parse_country(field, &s.trim().to_ascii_uppercase()).map_err(|e| {
        Error::new(accord_core::ErrorCode::UnknownCountry, e.message)
            .with_details(serde_json::json!({ "field": field }))
    })
}

/// Days ahead of today a transaction or question may be dated: the facts in force say nothing reliable beyond.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// Checks that `day` (a checked date) is no further ahead than [`MAX_DAYS_AHEAD`]: the facts in force are those
/// published now, and a later day may be governed by facts not yet known.
pub(crate) fn within_facts(field: &str, day: jiff::civil::Date) -> Result<()> {
    match self::day().checked_add(jiff::Span::new().days(MAX_DAYS_AHEAD)).ok() {
        Some(limit) if day > limit => Err(Error::validation(
            field,
            format!(
                "{field} {day} is beyond the facts in force: rules for days after {limit} are not known yet; ask again \
                 closer to the day"
            ),
        )),
        _ => Ok(()),
    }
}

/// Longest validity of a licence, in years.
pub use accord_core::licences::MAX_LICENCE_YEARS;

/// Checks a licence's first and last day: the first at most 30 days back and a year ahead, the last on or after
/// the first and at most [`MAX_LICENCE_YEARS`] after it.
pub(crate) fn licence_days(first: jiff::civil::Date, last: jiff::civil::Date) -> Result<()> {
    let today = day();
    let earliest = today.checked_sub(jiff::Span::new().days(30)).unwrap_or(today);
    let latest_start = today.checked_add(jiff::Span::new().years(1)).unwrap_or(today);
    if first < earliest || first > latest_start {
        return Err(Error::validation(
            "valid_from",
            format!("valid_from {first} must lie between {earliest} and {latest_start}"),
        ));
    }
    let latest_end = first.checked_add(jiff::Span::new().years(MAX_LICENCE_YEARS)).unwrap_or(first);
    if last < first || last > latest_end {
        return Err(Error::validation(
            "valid_until",
            format!(
                "valid_until {last} must lie between valid_from {first} and {latest_end} ({MAX_LICENCE_YEARS} years)"
            ),
        ));
    }
    Ok(())
}

/// Today's date, `YYYY-MM-DD`: the default day of every "as of" question.
pub(crate) fn today() -> String {
    day().to_string()
}

/// Today, as a day of the node's clock.
pub(crate) fn day() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

impl App {
    /// Stores a new control-list version (admin); identical content changes nothing.
    pub async fn import_controls(&self, p: &Principal, list: &ControlList, source: &str) -> Result<ControlsImport> {
        require(p, Action::ImportControlLists)?;
        let (version, stored) = self.new_control_version(list, source).await?;
        let Some(stored) = stored else { return Ok(ControlsImport { unchanged: true, version }) };
        self.store.commit(vec![stored], vec![self.controls_event(p, &version)]).await?;
        Ok(ControlsImport { unchanged: false, version })
    }

    /// The version a list is stored as, with the mutation that stores it; no mutation when the latest stored
    /// version has the same content (the latest is returned then).
    pub(crate) async fn new_control_version(
        &self,
        list: &ControlList,
        source: &str,
    ) -> Result<(ControlVersion, Option<Mutation>)> {
        let info = list.info();
        let effective_date = check_day("effective_date", &info.effective_date)?;
        let data = list.to_json();
        let content_hash = hex(&Sha256::digest(data.as_bytes()));
        let versions = self.store.versions(VersionKind::Controls).await?;
        if let Some(latest) = versions.last()
            && latest.content_hash == content_hash
        {
            return Ok((latest.clone(), None));
        }
        let version = ControlVersion {
            seq: versions.last().map_or(1, |v| v.seq + 1),
            label: info.version.clone(),
            effective_date,
            rationale: info.rationale.clone(),
            content_hash,
            source: source.to_owned(),
            imported_at: accord_core::now(),
            entries: list.len() as i64,
        };
        let stored = Mutation::InsertVersion { kind: VersionKind::Controls, version: version.clone(), data };
        Ok((version, Some(stored)))
    }

    /// The audit event of a stored control-list version.
    pub(crate) fn controls_event(&self, p: &Principal, version: &ControlVersion) -> accord_store::NewEvent {
        let mut payload = serde_json::to_value(version).unwrap_or_default();
        payload["rationale"] = json!(version.rationale);
        event(p, None, EventKind::ControlsImported, &format!("controls@{}", version.seq), payload)
    }

    /// Every stored control-list version, oldest first (public).
    pub async fn control_versions(&self) -> Result<Vec<ControlVersion>> {
        self.store.versions(VersionKind::Controls).await
    }

    /// The control list in force on `at` (today when None): the latest version that took effect by then.
    pub async fn control_list_at(&self, at: Option<&str>) -> Result<(ControlVersion, Arc<ControlList>)> {
        self.control_list_on(at_day(at)?).await
    }

    /// The control list in force on `day`: the latest version that took effect by then.
    pub(crate) async fn control_list_on(&self, day: jiff::civil::Date) -> Result<(ControlVersion, Arc<ControlList>)> {
        let versions = self.store.versions(VersionKind::Controls).await?;
        let version = in_force(&versions, day).ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("no control list was in force on {day}"))
                .with_details(json!({ "at": day, "versions": versions.len() }))
        })?;
        let list = self
            .controls
            .load(self.store.as_ref(), VersionKind::Controls, version.seq, |data| {
                ControlList::from_json(data.as_bytes())
            })
            .await?;
        Ok((version, list))
    }

    /// One control entry as it stood on `at` (public); an unknown code answers with the nearest codes.
    pub async fn control(&self, code: &str, at: Option<&str>) -> Result<ControlAnswer> {
        let (version, list) = self.control_list_at(at).await?;
        let parsed = ControlCode::parse(code);
        let entry = parsed.as_ref().ok().and_then(|c| list.get(c)).cloned();
        // A sub-item the list keeps inside an entry's text (the entry has no sub-items of its own): answered with
        // the nearest enclosing entry. Where the list splits an entry into sub-items, a missing one is unknown.
        let enclosing = || {
            let requested = parsed.as_ref().ok()?;
            let e = std::iter::successors(requested.parent(), ControlCode::parent).find_map(|c| list.get(&c))?;
            list.children(&e.code).is_empty().then(|| e.clone())
        };
        let (entry, within) = match entry {
            Some(e) => (Some(e), None),
            None => match enclosing() {
                Some(e) => (Some(e), parsed.as_ref().ok().map(ToString::to_string)),
                None => (None, None),
            },
        };
        let Some(entry) = entry else {
            let nearest: Vec<String> = list.nearest(code, 5).iter().map(|c| c.to_string()).collect();
            let message = match &parsed {
                Err(e) => format!(
                    "'{}' is not a control code ({}); nearest: {}",
                    accord_core::ids::truncate(code),
                    e.message,
                    nearest.join(", ")
                ),
                Ok(_) => format!(
                    "no control entry '{}' on {}; nearest: {}",
                    accord_core::ids::truncate(code),
                    version.effective_date,
                    nearest.join(", ")
                ),
            };
            return Err(Error::new(ErrorCode::NotFound, message)
                .with_details(json!({ "nearest": nearest, "version": version.seq })));
        };
        let children = list.children(&entry.code).iter().map(|e| e.code.to_string()).collect();
        Ok(ControlAnswer { version, entry, children, within })
    }

    /// The entries of a category (`0`-`9`) and optionally a group (`A`-`E`) on `at` (public).
    pub async fn browse_controls(
        &self,
        category: &str,
        group: Option<&str>,
        at: Option<&str>,
    ) -> Result<ControlBrowse> {
        let cat = match category.trim().as_bytes() {
            [d @ b'0'..=b'9'] => d - b'0',
            _ => return Err(Error::validation("category", "category must be one digit, 0-9")),
        };
        let group = match group.map(|g| g.trim().to_ascii_uppercase()) {
            None => None,
            Some(g) if g.len() == 1 && ("A"..="E").contains(&g.as_str()) => g.chars().next(),
            Some(_) => return Err(Error::validation("group", "group must be one letter, A-E")),
        };
        let (version, list) = self.control_list_at(at).await?;
        let entries = list
            .by_category(cat, group)
            .into_iter()
            .map(|e| ControlHeading { code: e.code.to_string(), title: e.title.clone() })
            .collect();
        Ok(ControlBrowse { version, entries })
    }

    /// Ranked full-text search over the list in force on `at` (public).
    pub async fn search_controls(&self, query: &str, limit: usize, at: Option<&str>) -> Result<ControlSearch> {
        let q = query.trim();
        if q.is_empty() || q.chars().count() > 200 || q.chars().any(char::is_control) {
            return Err(Error::validation("q", "the search needs 1-200 characters without control characters"));
        }
        if !(1..=100).contains(&limit) {
            return Err(Error::validation("limit", "limit must be between 1 and 100"));
        }
        let (version, list) = self.control_list_at(at).await?;
        Ok(ControlSearch { version, hits: list.search(q, limit) })
    }
}
