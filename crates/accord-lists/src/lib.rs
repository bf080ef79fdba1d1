//! Streaming importers for official restricted-party list formats: OFAC SDN and Consolidated (legacy CSV),
//! the UN Security Council consolidated XML, EU sanctions annexes (journal CSV), the BIS Denied Persons List,
//! the trade.gov Consolidated Screening List and FollowTheMoney entity streams.
//!
//! [`read`] turns a file or a folder into a [`ParsedList`] of [`ListedEntity`] values with stable ids, a
//! content hash and the row-level [`Problem`]s met on the way; [`detect`] tells the format of a path and
//! [`write_ftm`] exports entities as FollowTheMoney JSON lines that [`read`] imports again unchanged.

use accord_core::country;
mod csl;
mod dpl;
mod eu;
mod ftm;
mod ofac;
mod source;
mod text;
mod un;

use accord_core::listed::ListedEntity;
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use ftm::write_ftm;

/// A list file format this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// OFAC SDN list, legacy CSV (`sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv`).
    OfacSdn,
    /// OFAC Consolidated (non-SDN) list, legacy CSV (`cons_prim.csv` with its `cons_*` siblings).
    OfacCons,
    /// UN Security Council consolidated list XML.
    UnXml,
    /// EU sanctions annexes as journal CSV (one file per CELEX act, a folder of them is one list).
    EuJournal,
    /// BIS Denied Persons List, tab-separated text.
    BisDpl,
    /// trade.gov Consolidated Screening List CSV.
    Csl,
    /// FollowTheMoney entities, one JSON object per line.
    Ftm,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Format; 7] =
        [Format::OfacSdn, Format::OfacCons, Format::UnXml, Format::EuJournal, Format::BisDpl, Format::Csl, Format::Ftm];

    /// The snake_case name (`ofac_sdn`, `un_xml`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OfacSdn => "ofac_sdn",
            Format::OfacCons => "ofac_cons",
            Format::UnXml => "un_xml",
            Format::EuJournal => "eu_journal",
            Format::BisDpl => "bis_dpl",
            Format::Csl => "csl",
            Format::Ftm => "ftm",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The list id entities of this format get (FollowTheMoney takes it from the entities' datasets).
    pub fn default_list_id(self) -> &'static str {
        match self {
            Format::OfacSdn => "us_ofac_sdn",
            Format::OfacCons => "us_ofac_cons",
            Format::UnXml => "un_sc",
            Format::EuJournal => "eu_journal",
            Format::BisDpl => "us_bis_dpl",
            Format::Csl => "us_csl",
            Format::Ftm => "ftm",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row-level problem: skipped (default) or fatal (strict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file name (without its folder) the row is in.
    pub file: String,
    /// The 1-based line the row starts on.
    pub line: u64,
    /// What is wrong with the row.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.message)
    }
}

/// One imported list: its entities, their content hash, the problems met and the files read.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedList {
    /// The list id, e.g. `us_ofac_sdn`.
    pub list_id: String,
    /// The format the files were read as.
    pub format: Format,
    /// The entities, each canonicalized, sorted by entity id, ids unique.
    pub entities: Vec<ListedEntity>,
    /// Hex SHA-256 over a canonical serialization of `entities`: same content, same hash.
    pub content_hash: String,
    /// Rows skipped and why, in reading order.
    pub problems: Vec<Problem>,
    /// Every file actually read.
    pub files: Vec<PathBuf>,
}

/// Tells the format of a file (from its first bytes and its name) or of a folder (from the files in it).
pub fn detect(path: &Path) -> Result<Format> {
    let meta = source::metadata(path)?;
    if meta.is_dir() { source::detect_dir(path) } else { source::detect_file(path) }
}

/// Reads a list file or folder; `format` defaults to [`detect`]. With `strict`, the first row-level problem
/// aborts with `malformed_file`; otherwise problem rows are skipped and reported in [`ParsedList::problems`].
pub fn read(path: &Path, format: Option<Format>, strict: bool) -> Result<ParsedList> {
    source::metadata(path)?;
    let format = match format {
        Some(f) => f,
        None => detect(path)?,
    };
    let mut ctx = Ctx { strict, problems: Vec::new() };
    let loaded = match format {
        Format::OfacSdn | Format::OfacCons => ofac::read(path, format, &mut ctx)?,
        Format::UnXml => un::read(path, &mut ctx)?,
        Format::EuJournal => eu::read(path, &mut ctx)?,
        Format::BisDpl => dpl::read(path, &mut ctx)?,
        Format::Csl => csl::read(path, &mut ctx)?,
        Format::Ftm => ftm::read(path, &mut ctx)?,
    };
    let mut entities = loaded.entities;
    for e in &mut entities {
        e.list_id.clone_from(&loaded.list_id);
        e.canonicalize();
    }
    entities.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    let content_hash = content_hash(&entities);
    Ok(ParsedList {
        list_id: loaded.list_id,
        format,
        entities,
        content_hash,
        problems: ctx.problems,
        files: loaded.files,
    })
}

/// Hex SHA-256 over the JSON lines of `entities` in the given order (as [`ParsedList::content_hash`]).
pub fn content_hash(entities: &[ListedEntity]) -> String {
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(Sha256::new());
    for e in entities {
        // Writing into a hasher cannot fail, and a ListedEntity has no fallible field to serialize.
        serde_json::to_writer(&mut w, e).ok();
        w.0.update(b"\n");
    }
    w.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a format reader hands back.
pub(crate) struct Loaded {
    pub(crate) list_id: String,
    pub(crate) entities: Vec<ListedEntity>,
    pub(crate) files: Vec<PathBuf>,
}

/// Collects row-level problems, or turns the first one into an error in strict mode.
pub(crate) struct Ctx {
    strict: bool,
    problems: Vec<Problem>,
}

impl Ctx {
    /// Records a problem; in strict mode returns it as a `malformed_file` error instead.
    pub(crate) fn problem(&mut self, file: &str, line: u64, message: impl Into<String>) -> Result<()> {
        let p = Problem { file: file.to_owned(), line, message: message.into() };
        if self.strict {
            return Err(malformed_at(&p.file, p.line, &p.message));
        }
        self.problems.push(p);
        Ok(())
    }
}

/// A `malformed_file` error for one line of a file.
pub(crate) fn malformed_at(file: &str, line: u64, message: &str) -> Error {
    Error::new(ErrorCode::MalformedFile, format!("{file}, line {line}: {message}"))
        .with_details(serde_json::json!({ "file": file, "line": line }))
}

/// A `malformed_file` error for a whole file.
pub(crate) fn malformed_file(file: &str, message: &str) -> Error {
    Error::new(ErrorCode::MalformedFile, format!("{file}: {message}")).with_details(serde_json::json!({ "file": file }))
}

/// Turns every non-blank row of a CSV into an entity (grouped by id) or a reported problem.
pub(crate) fn rows_into_groups(
    rdr: &mut csv::Reader<std::io::BufReader<std::fs::File>>,
    path: &Path,
    ctx: &mut Ctx,
    groups: &mut Groups,
    mut row: impl FnMut(&csv::ByteRecord) -> std::result::Result<ListedEntity, String>,
) -> Result<()> {
    let file = source::file_name(path);
    let mut rec = csv::ByteRecord::new();
    while source::next_record(rdr, &mut rec, path)? {
        if source::is_blank(&rec) {
            continue;
        }
        let line = source::record_line(&rec);
        match row(&rec) {
            Ok(e) => groups.add(e),
            Err(message) => ctx.problem(&file, line, message)?,
        }
    }
    Ok(())
}

/// Entities keyed by id, where several rows may describe one entity; merged deterministically at the end.
#[derive(Default)]
pub(crate) struct Groups {
    map: BTreeMap<String, Vec<ListedEntity>>,
}

impl Groups {
    /// Adds one row's entity.
    pub(crate) fn add(&mut self, e: ListedEntity) {
        self.map.entry(e.entity_id.clone()).or_default().push(e);
    }

    /// One entity per id: rows of the same id merged whatever their order in the file.
    pub(crate) fn into_entities(self) -> Vec<ListedEntity> {
        self.map.into_values().filter_map(merge_rows).collect()
    }
}

/// The listing period covering every row's: the earliest start and the latest end, where a row without a
/// start (or end) date is open on that side and so leaves the merged bound open too.
fn listing_span(parts: &[ListedEntity]) -> (Option<jiff::civil::Date>, Option<jiff::civil::Date>) {
    let from = parts.iter().map(|p| p.listed_from).collect::<Option<Vec<_>>>();
    let until = parts.iter().map(|p| p.listed_until).collect::<Option<Vec<_>>>();
    (from.and_then(|d| d.into_iter().min()), until.and_then(|d| d.into_iter().max()))
}

/// Merges entities with the same id: the smallest (by content) is the base, the others add their names,
/// list values and remarks; the listing period spans every row's ([`listing_span`]). Independent of input
/// order.
fn merge_rows(mut parts: Vec<ListedEntity>) -> Option<ListedEntity> {
    if parts.len() > 1 {
        for p in &mut parts {
            p.canonicalize();
        }
        parts.sort_by_cached_key(|p| serde_json::to_string(p).unwrap_or_default());
    }
    let (listed_from, listed_until) = listing_span(&parts);
    let mut it = parts.into_iter();
    let mut base = it.next()?;
    base.listed_from = listed_from;
    base.listed_until = listed_until;
    for other in it {
        let primary = other.primary_name().to_owned();
        base.add_name(&primary, accord_core::listed::NameKind::Alias);
        for n in other.names.iter().skip(1) {
            base.add_name(&n.name, n.kind);
        }
        for c in &other.countries {
            ListedEntity::push_unique(&mut base.countries, c);
        }
        for d in &other.birth_dates {
            ListedEntity::push_unique(&mut base.birth_dates, d);
        }
        for a in &other.addresses {
            ListedEntity::push_unique(&mut base.addresses, a);
        }
        for p in &other.programs {
            ListedEntity::push_unique(&mut base.programs, p);
        }
        if !other.remarks.is_empty() && !base.remarks.split('\n').any(|r| r == other.remarks) {
            if !base.remarks.is_empty() {
                base.remarks.push('\n');
            }
            base.remarks.push_str(&other.remarks);
        }
    }
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::listed::{EntityKind, NameKind};

    #[test]
    fn format_names_round_trip_and_list_ids_are_distinct() {
        let mut ids = std::collections::HashSet::new();
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
            assert!(ids.insert(f.default_list_id()));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert_eq!(Format::parse("sdn"), None);
    }

    #[test]
    fn merged_rows_do_not_depend_on_row_order() {
        let mut a = ListedEntity::new("l", "x", EntityKind::Unknown, "AL NASER AIRLINES");
        a.addresses.push("P.O. BOX 28360, DUBAI, AE".into());
        a.remarks = "one".into();
        let mut b = ListedEntity::new("l", "x", EntityKind::Unknown, "AL-NASER  AIRLINES");
        b.addresses.push("BAGHDAD, IQ".into());
        b.remarks = "two".into();
        let mut ab = merge_rows(vec![a.clone(), b.clone()]).unwrap();
        let mut ba = merge_rows(vec![b, a]).unwrap();
        ab.canonicalize();
        ba.canonicalize();
        assert_eq!(ab, ba);
        assert_eq!(ab.primary_name(), "AL NASER AIRLINES");
        assert_eq!(ab.names[1].kind, NameKind::Alias);
        assert_eq!(ab.addresses.len(), 2);
        assert_eq!(ab.remarks, "one\ntwo");
    }

    fn dated(from: Option<&str>, until: Option<&str>, address: &str) -> ListedEntity {
        let mut e = ListedEntity::new("l", "x", EntityKind::Unknown, "ACME");
        e.addresses.push(address.into());
        e.listed_from = from.map(|d| d.parse().expect("a day"));
        e.listed_until = until.map(|d| d.parse().expect("a day"));
        e
    }

    #[test]
    fn merged_rows_keep_the_earliest_start_and_the_latest_end() {
        let a = dated(Some("2019-06-05"), Some("2021-06-05"), "DUBAI, AE");
        let b = dated(Some("2018-01-10"), Some("2020-01-10"), "BAGHDAD, IQ");
        for parts in [vec![a.clone(), b.clone()], vec![b, a]] {
            let m = merge_rows(parts).unwrap();
            assert_eq!(m.listed_from.map(|d| d.to_string()).as_deref(), Some("2018-01-10"));
            assert_eq!(m.listed_until.map(|d| d.to_string()).as_deref(), Some("2021-06-05"));
        }
    }

    #[test]
    fn a_merged_row_without_an_end_or_start_date_leaves_that_bound_open() {
        let ends = dated(Some("2019-06-05"), Some("2021-06-05"), "DUBAI, AE");
        let open_ended = dated(Some("2018-01-10"), None, "BAGHDAD, IQ");
        for parts in [vec![ends.clone(), open_ended.clone()], vec![open_ended, ends.clone()]] {
            let m = merge_rows(parts).unwrap();
            assert_eq!(
                (m.listed_from.map(|d| d.to_string()).as_deref(), m.listed_until.map(|d| d.to_string()).as_deref()),
                (Some("2018-01-10"), None)
            );
        }
        let undated_start = dated(None, Some("2020-01-10"), "BAGHDAD, IQ");
        let m = merge_rows(vec![ends.clone(), undated_start]).unwrap();
        assert_eq!(
            (m.listed_from.map(|d| d.to_string()).as_deref(), m.listed_until.map(|d| d.to_string()).as_deref()),
            (None, Some("2021-06-05"))
        );
        let single = merge_rows(vec![ends]).unwrap();
        assert_eq!(
            (
                single.listed_from.map(|d| d.to_string()).as_deref(),
                single.listed_until.map(|d| d.to_string()).as_deref()
            ),
            (Some("2019-06-05"), Some("2021-06-05"))
        );
    }

    #[test]
    fn content_hash_changes_with_content() {
        let a = ListedEntity::new("l", "1", EntityKind::Person, "A");
        let mut b = a.clone();
        b.birth_dates.push("1970".into());
        let h = content_hash(std::slice::from_ref(&a));
        assert_eq!(h.len(), 64);
        assert_eq!(h, content_hash(&[a]));
        assert_ne!(h, content_hash(&[b]));
    }
}
