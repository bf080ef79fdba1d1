//! Importers for the public sources: EU Annex I (JSON), US CCL headings (JSON), US reasons for control (JSON),
//! regime code lists (CSV), and the merge of all of them into one harmonized list.

use crate::code::ControlCode;
use crate::model::{ControlEntry, ControlList, Jurisdiction, ListInfo, Mapping, Regime, valid_reason};
use accord_core::{Error, ErrorCode, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Something in a source that could not be imported or repaired; the rest of the source is still imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name (without its folder).
    pub file: String,
    /// The 1-based line for line-oriented files (CSV); `None` for JSON, where the message names the entry.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn new(file: &str, line: Option<u64>, message: impl Into<String>) -> Problem {
        Problem { file: file.to_string(), line, message: message.into() }
    }
}

/// The file name shown in problems and errors.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// A `file_unreadable` error for a path.
fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorCode::FileUnreadable, format!("cannot read {}: {e}", path.display()))
        .with_details(serde_json::json!({ "path": path.display().to_string() }))
}

/// A `malformed_file` error naming the file.
pub(crate) fn malformed(file: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::MalformedFile, format!("{file}: {message}")).with_details(serde_json::json!({ "file": file }))
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path).map(BufReader::new).map_err(|e| unreadable(path, &e))
}

/// Reads a whole JSON file into a typed value, streaming from disk.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let reader = open(path)?;
    serde_json::from_reader(reader).map_err(|e| malformed(&file_name(path), e))
}

#[derive(Deserialize)]
struct EuFile {
    #[serde(default)]
    metadata: EuMetadata,
    entries: Vec<EuRaw>,
}

#[derive(Deserialize, Default)]
struct EuMetadata {
    entry_count: Option<usize>,
}

#[derive(Deserialize)]
struct EuRaw {
    code: String,
    label: String,
    category: String,
    subgroup: String,
    depth: u32,
    #[serde(default)]
    full_content: String,
}

/// Group headings of the Annex (`0B Test, Inspection and Production Equipment`) that the source leaves at the
/// end of the last entry of the group before.
const GROUP_HEADINGS: [&str; 6] = [
    "Systems, Equipment and Components",
    "Test, Inspection and Production Equipment",
    "Materials",
    "Software",
    "Technology",
    "None",
];

/// Removes group headings (`6B Test, Inspection and Production Equipment`, `5C1 Materials None 5D1 Software`)
/// from the end of a text.
fn strip_group_headings(text: &str) -> &str {
    let mut t = text.trim_end();
    'outer: loop {
        for h in GROUP_HEADINGS {
            let Some(rest) = t.strip_suffix(h) else { continue };
            let rest = rest.trim_end();
            if h == "None" {
                t = rest;
                continue 'outer;
            }
            let (before, label) = rest.rsplit_once(' ').unwrap_or(("", rest));
            let b = label.as_bytes();
            let is_group = (b.len() == 2 || (b.len() == 3 && b[2].is_ascii_digit()))
                && b[0].is_ascii_digit()
                && (b'A'..=b'E').contains(&b[1]);
            if is_group {
                t = before.trim_end();
                continue 'outer;
            }
        }
        return t;
    }
}

/// The code and note text of a pseudo-entry whose code swallowed the first word of its note
/// (`3A002.d.includes` + `arbitrary waveform …` gives `3A002.d` and `includes arbitrary waveform …`).
fn split_swallowed_word(code: &str, label: &str) -> Option<(ControlCode, String)> {
    let (head, word) = code.rsplit_once('.')?;
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let code = ControlCode::parse(head).ok()?;
    Some((code, format!("{word} {label}")))
}

/// Reads the EU Annex I JSON (`{metadata, entries[{code, label, category, subgroup, depth, full_content}]}`).
///
/// Entries of depth 0 are the Annex's entries. Entries of depth above 0 are notes the source split off as
/// pseudo-entries: the note (`0A001.i. does not control …`) goes to the `notes` of the entry before it, and the
/// note and the text after it are appended to that entry's text, which restores the text in order. A note
/// that has no entry of its heading before it, an invalid code, or a category or group that contradicts the
/// code is reported. Every entry gets its EU mapping and the regime its number implies
/// ([`Regime::from_annex_numbering`]).
pub fn import_eu_annex_i(path: &Path) -> Result<(Vec<ControlEntry>, Vec<Problem>)> {
    let file = file_name(path);
    let parsed: EuFile = read_json(path)?;
    let mut problems = Vec::new();
    if let Some(n) = parsed.metadata.entry_count.filter(|n| *n != parsed.entries.len()) {
        problems.push(Problem::new(
            &file,
            None,
            format!("metadata says {n} entries, the file has {}", parsed.entries.len()),
        ));
    }
    let mut entries: Vec<ControlEntry> = Vec::new();
    let mut seen = BTreeSet::new();
    // Whether the last depth-0 entry was kept (a note after a dropped entry must not attach to an older one).
    let mut last_kept = false;
    for (i, raw) in parsed.entries.into_iter().enumerate() {
        let label = raw.label.split_whitespace().collect::<Vec<_>>().join(" ");
        let content = raw.full_content.split_whitespace().collect::<Vec<_>>().join(" ");
        if raw.depth == 0 {
            last_kept = false;
            let code = match ControlCode::parse(&raw.code) {
                Ok(c) if c.depth() == 0 => c,
                Ok(c) => {
                    problems.push(Problem::new(&file, None, format!("entry {i} ({c}): a sub-item code at depth 0")));
                    continue;
                }
                Err(e) => {
                    problems.push(Problem::new(&file, None, format!("entry {i}: {}", e.message)));
                    continue;
                }
            };
            if raw.category != code.category().to_string()
                || !raw.subgroup.eq_ignore_ascii_case(&code.group().to_string())
            {
                problems.push(Problem::new(
                    &file,
                    None,
                    format!(
                        "entry {i} ({code}): category '{}' / group '{}' do not match the code",
                        raw.category, raw.subgroup
                    ),
                ));
            }
            if !seen.insert(code.clone()) {
                problems.push(Problem::new(&file, None, format!("entry {i} ({code}): duplicate code, skipped")));
                continue;
            }
            let mut entry = ControlEntry::new(code.clone(), label);
            entry.text = content;
            entry.set_mapping(Mapping::new(Jurisdiction::Eu, code.to_string()));
            if let Some(r) = Regime::from_annex_numbering(&code) {
                entry.add_regime(r);
            }
            entries.push(entry);
            last_kept = true;
            continue;
        }
        let (code, note) = match ControlCode::parse(&raw.code) {
            Ok(c) => (c, label),
            Err(e) => match split_swallowed_word(&raw.code, &label) {
                Some(repaired) => repaired,
                None => {
                    problems.push(Problem::new(&file, None, format!("note entry {i}: {}", e.message)));
                    continue;
                }
            },
        };
        let parent = entries.last_mut().filter(|p| last_kept && p.code == code.base());
        let Some(parent) = parent else {
            problems.push(Problem::new(
                &file,
                None,
                format!("note entry {i} ({code}): no entry {} before it to attach the note to: {note}", code.base()),
            ));
            continue;
        };
        let note = format!("{code}. {note}");
        parent.text = [parent.text.as_str(), note.as_str(), content.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        parent.notes.push(note);
    }
    for e in &mut entries {
        let stripped = strip_group_headings(&e.text);
        if stripped.len() != e.text.len() {
            e.text = stripped.to_string();
        }
        if let Some(at) = category_heading(&e.text) {
            let tail: String = e.text[at..].chars().take(60).collect();
            problems.push(Problem::new(
                &file,
                None,
                format!(
                    "{}: text runs into a category heading and its general notes ('{tail}…'), left in place",
                    e.code
                ),
            ));
        }
    }
    Ok((entries, problems))
}

/// Where a `CATEGORY n - …` heading starts inside a text.
fn category_heading(text: &str) -> Option<usize> {
    text.match_indices("CATEGORY ").map(|(i, _)| i).find(|&i| text[i + 9..].starts_with(|c: char| c.is_ascii_digit()))
}

#[derive(Deserialize)]
struct UsHeadingRaw {
    code: String,
    #[serde(default)]
    category: Option<String>,
    text: String,
}

/// Reads US CCL headings (`[{code "ECCN-0A002", source, category, text}]`): one US-only entry per ECCN, whose
/// title is the heading text and whose US mapping has no reasons yet. Invalid or duplicate ECCNs are reported.
pub fn import_us_ccl_headings(path: &Path) -> Result<(Vec<ControlEntry>, Vec<Problem>)> {
    let file = file_name(path);
    let raws: Vec<UsHeadingRaw> = read_json(path)?;
    let mut problems = Vec::new();
    let mut out: Vec<ControlEntry> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, raw) in raws.into_iter().enumerate() {
        let eccn = raw.code.trim().strip_prefix("ECCN-").unwrap_or(raw.code.trim());
        let code = match ControlCode::parse(eccn) {
            Ok(c) => c,
            Err(e) => {
                problems.push(Problem::new(&file, None, format!("entry {i}: {}", e.message)));
                continue;
            }
        };
        if raw.category.as_deref().is_some_and(|c| c != code.category().to_string()) {
            problems.push(Problem::new(&file, None, format!("entry {i} ({code}): category does not match the ECCN")));
        }
        if !seen.insert(code.clone()) {
            problems.push(Problem::new(&file, None, format!("entry {i} ({code}): duplicate ECCN, skipped")));
            continue;
        }
        let title = raw.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut entry = ControlEntry::new(code.clone(), title);
        entry.set_mapping(Mapping::new(Jurisdiction::Us, code.to_string()));
        out.push(entry);
    }
    Ok((out, problems))
}

/// The US reasons for control of one ECCN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsReasons {
    /// The ECCN (or ECCN paragraph, as `5A991.b`).
    pub eccn: ControlCode,
    /// The ECCN's heading as the source gives it.
    pub description: String,
    /// Reasons with their Country Chart column where the license table gives one (`NS2`, `AT1`), else the
    /// bare reason (`RS`, `EI`, `SL`), sorted and unique.
    pub reasons: Vec<String>,
}

#[derive(Deserialize)]
struct CclCategory {
    product_groups: Vec<CclGroup>,
}

#[derive(Deserialize)]
struct CclGroup {
    eccn: Vec<CclEccn>,
}

#[derive(Deserialize)]
struct CclEccn {
    code: String,
    #[serde(default)]
    description: String,
    details: String,
}

/// The reason codes of a `*Reason for Control:* NS, RS, AT` line, refined by the `NS Column 2` cells of the
/// license requirements table; words that are no reason code are returned apart.
fn parse_reasons(details: &str) -> Option<(Vec<String>, Vec<String>)> {
    let marker = "Reason for Control:";
    let at = details.find(marker)?;
    let line = details[at + marker.len()..].lines().next().unwrap_or("");
    let line = line.trim_start_matches('*').trim();
    let mut columns: BTreeMap<String, BTreeSet<char>> = BTreeMap::new();
    for cell in details.split(['|', '\n']) {
        let words: Vec<&str> = cell.split_whitespace().collect();
        for w in words.windows(3) {
            let digit = w[2].trim_end_matches('.');
            let column = digit.chars().next().filter(|d| d.is_ascii_digit() && digit.len() == 1);
            if let Some(d) = column.filter(|_| w[1].eq_ignore_ascii_case("column") && valid_reason(w[0])) {
                columns.entry(w[0].to_string()).or_default().insert(d);
            }
        }
    }
    let mut reasons = BTreeSet::new();
    let mut unknown = Vec::new();
    for token in line.split(',').map(|t| t.trim().trim_end_matches('.')).filter(|t| !t.is_empty()) {
        if !valid_reason(token) {
            unknown.push(token.to_string());
            continue;
        }
        match columns.get(token) {
            Some(cols) => reasons.extend(cols.iter().map(|d| format!("{token}{d}"))),
            None => {
                reasons.insert(token.to_string());
            }
        }
    }
    Some((reasons.into_iter().collect(), unknown))
}

/// Reads US CCL reasons for control (`[{name, description, product_groups[{eccn[{code, description,
/// details}]}]}]`). A record without a `Reason for Control` line, with an invalid ECCN, or with words that are no
/// reason code (`foreign policy`) is reported; the valid reasons of the latter are kept.
pub fn import_us_reasons(path: &Path) -> Result<(Vec<UsReasons>, Vec<Problem>)> {
    let file = file_name(path);
    let cats: Vec<CclCategory> = read_json(path)?;
    let mut problems = Vec::new();
    let mut out: Vec<UsReasons> = Vec::new();
    let records = cats.into_iter().flat_map(|c| c.product_groups).flat_map(|g| g.eccn);
    for (i, rec) in records.enumerate() {
        let eccn = match ControlCode::parse(&rec.code) {
            Ok(c) => c,
            Err(e) => {
                problems.push(Problem::new(&file, None, format!("record {i}: {}", e.message)));
                continue;
            }
        };
        let Some((reasons, unknown)) = parse_reasons(&rec.details) else {
            problems.push(Problem::new(&file, None, format!("record {i} ({eccn}): no 'Reason for Control' line")));
            continue;
        };
        if !unknown.is_empty() {
            problems.push(Problem::new(
                &file,
                None,
                format!("record {i} ({eccn}): not a reason code, left out: {}", unknown.join(", ")),
            ));
        }
        if out.iter().any(|r| r.eccn == eccn) {
            problems.push(Problem::new(&file, None, format!("record {i} ({eccn}): duplicate ECCN, skipped")));
            continue;
        }
        let description = rec.description.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(UsReasons { eccn, description, reasons });
    }
    Ok((out, problems))
}

/// One code of a regime's own list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegimeItem {
    /// The regime.
    pub regime: Regime,
    /// The code as the file gives it (`M1A1`, `N1A1`, `T1.1`, or a coalition code).
    pub code: String,
    /// Whether the code is a controlled item (`ACTIVE`) or only a heading (`PARENT`).
    pub active: bool,
    /// The file it comes from.
    pub file: String,
    /// Its 1-based line.
    pub line: u64,
}

/// The regime a regime-list file belongs to, from the start of its name (`MTCR_…`, `NSG_…`, `WA_…`, `AG_…`,
/// `CWC_…`).
pub fn regime_of_file(path: &Path) -> Option<Regime> {
    let name = file_name(path);
    let prefix = name.split(['_', '-', '.']).next()?;
    Regime::parse(prefix)
}

/// Reads one headerless regime CSV (`code, ACTIVE|PARENT, depth, owner[, label]`). A row with too few
/// columns, an unknown status, a non-numeric depth or quoted fields is reported and skipped.
pub fn import_regime_csv(path: &Path, regime: Regime) -> Result<(Vec<RegimeItem>, Vec<Problem>)> {
    let file = file_name(path);
    let mut reader = open(path)?;
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| unreadable(path, &e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            problems.push(Problem::new(&file, Some(line), "not valid UTF-8"));
            continue;
        };
        let text = text.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            continue;
        }
        if text.contains('"') {
            problems.push(Problem::new(&file, Some(line), "quoted fields are not supported in regime lists"));
            continue;
        }
        let cols: Vec<&str> = text.split(',').map(str::trim).collect();
        if cols.len() < 4 {
            problems.push(Problem::new(
                &file,
                Some(line),
                format!("expected at least 4 columns, found {}", cols.len()),
            ));
            continue;
        }
        let active = match cols[1] {
            "ACTIVE" => true,
            "PARENT" => false,
            other => {
                problems.push(Problem::new(&file, Some(line), format!("unknown status '{other}' (ACTIVE or PARENT)")));
                continue;
            }
        };
        if cols[0].is_empty() || cols[2].parse::<u32>().is_err() {
            problems.push(Problem::new(&file, Some(line), "empty code or non-numeric depth"));
            continue;
        }
        items.push(RegimeItem { regime, code: cols[0].to_string(), active, file: file.clone(), line });
    }
    if items.is_empty() && problems.is_empty() {
        return Err(malformed(&file, "no regime code in the file"));
    }
    Ok((items, problems))
}

/// Reads every `*.csv` regime list in a folder, telling the regime from each file name
/// ([`regime_of_file`]); a CSV whose name names no regime is reported and skipped.
pub fn import_regimes(dir: &Path) -> Result<(Vec<RegimeItem>, Vec<Problem>)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    paths.sort();
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        let Some(regime) = regime_of_file(&p) else {
            problems.push(Problem::new(
                &file_name(&p),
                None,
                "the file name names no regime (MTCR_, NSG_, WA_, AG_, CWC_)",
            ));
            continue;
        };
        let (i, pr) = import_regime_csv(&p, regime)?;
        items.extend(i);
        problems.extend(pr);
    }
    Ok((items, problems))
}

/// Merges the sources into one list, by code.
///
/// EU entries are the base. A US heading with the same code adds the US mapping (with the US heading as its
/// title when it differs); a US heading with no EU entry (600-series, 9x515, x9xx…) stays a US-only row. US
/// reasons go on the US mapping of their ECCN; reasons for an ECCN paragraph that has no row yet (`5A991.b`)
/// give a US-only row titled with the source's description. Regime items whose code is a coalition code mark
/// that entry; items in a regime's own numbering (`M1A1`, `N1A1`, `T1.1`) cannot be placed without a
/// concordance and are reported once per file with their count.
pub fn harmonize(
    info: ListInfo,
    eu: Vec<ControlEntry>,
    us: Vec<ControlEntry>,
    us_reasons: &[UsReasons],
    regimes: &[RegimeItem],
) -> Result<(ControlList, Vec<Problem>)> {
    let mut problems = Vec::new();
    let mut rows: BTreeMap<ControlCode, ControlEntry> = BTreeMap::new();
    for e in eu {
        if rows.contains_key(&e.code) {
            problems.push(Problem::new("EU", None, format!("{}: duplicate EU entry, skipped", e.code)));
            continue;
        }
        rows.insert(e.code.clone(), e);
    }
    for u in us {
        match rows.get_mut(&u.code) {
            Some(row) => {
                let mut m = Mapping::new(Jurisdiction::Us, u.code.to_string());
                if u.title != row.title {
                    m.title = Some(u.title);
                }
                if row.mapping(Jurisdiction::Us).is_some() {
                    problems.push(Problem::new("US", None, format!("{}: duplicate US heading, skipped", u.code)));
                    continue;
                }
                row.set_mapping(m);
            }
            None => {
                rows.insert(u.code.clone(), u);
            }
        }
    }
    for r in us_reasons {
        let row = rows.entry(r.eccn.clone()).or_insert_with(|| {
            let mut e = ControlEntry::new(r.eccn.clone(), r.description.clone());
            e.set_mapping(Mapping::new(Jurisdiction::Us, r.eccn.to_string()));
            e
        });
        let mut m = row.mapping(Jurisdiction::Us).cloned().unwrap_or_else(|| {
            let mut m = Mapping::new(Jurisdiction::Us, r.eccn.to_string());
            if r.description != row.title {
                m.title = Some(r.description.clone());
            }
            m
        });
        m.reasons = r.reasons.clone();
        row.set_mapping(m);
    }
    let mut unplaced: BTreeMap<(String, Regime), (usize, Vec<String>)> = BTreeMap::new();
    for item in regimes {
        let placed = ControlCode::parse(&item.code).ok().and_then(|c| rows.get_mut(&c));
        match placed {
            Some(row) => row.add_regime(item.regime),
            None => {
                let slot = unplaced.entry((item.file.clone(), item.regime)).or_default();
                slot.0 += 1;
                if slot.1.len() < 3 {
                    slot.1.push(item.code.clone());
                }
            }
        }
    }
    for ((file, regime), (count, examples)) in unplaced {
        problems.push(Problem::new(
            &file,
            None,
            format!(
                "{count} {regime} codes ({}, …) are not coalition codes and no concordance places them; regimes come from the Annex numbering",
                examples.join(", ")
            ),
        ));
    }
    let list = ControlList::new(info, rows.into_values().collect())?;
    Ok((list, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_headings_are_cut_from_the_end_only() {
        assert_eq!(strip_group_headings("x; y. 0B Test, Inspection and Production Equipment"), "x; y.");
        assert_eq!(strip_group_headings("b. Foo. 5C1 Materials None 5D1 Software"), "b. Foo.");
        assert_eq!(strip_group_headings("Controlled Software"), "Controlled Software");
        assert_eq!(strip_group_headings("see 6B Materials processing"), "see 6B Materials processing");
    }

    #[test]
    fn reasons_take_their_column_from_the_license_table() {
        let details = "*Reason for Control:* NS, RS, AT, foreign policy\n| NS applies | NS Column 2. |\n\
                       | NS applies to b | NS Column 1 |\n| AT applies | AT Column 1 |\n| RS applies | Worldwide |";
        let (reasons, unknown) = parse_reasons(details).unwrap_or_default();
        assert_eq!(reasons, ["AT1", "NS1", "NS2", "RS"]);
        assert_eq!(unknown, ["foreign policy"]);
        assert!(parse_reasons("no reasons here").is_none());
    }

    #[test]
    fn a_swallowed_note_word_is_given_back_to_the_note() {
        let (code, note) = split_swallowed_word("3A002.d.includes", "arbitrary generators.").unwrap_or_else(|| {
            panic!("not repaired");
        });
        assert_eq!(code.to_string(), "3A002.d");
        assert_eq!(note, "includes arbitrary generators.");
        assert!(split_swallowed_word("3A002.d.1", "x").is_none());
    }
}

/// The public source files of one harmonized list version: EU Annex I and US CCL headings, and optionally the US
/// reasons for control and a folder of regime lists.
#[derive(Debug, Clone)]
pub struct SourceFiles<'a> {
    /// EU Annex I JSON.
    pub eu: &'a Path,
    /// US CCL headings JSON.
    pub us: &'a Path,
    /// US reasons for control JSON.
    pub us_reasons: Option<&'a Path>,
    /// Folder of regime CSVs.
    pub regimes: Option<&'a Path>,
}

/// Reads every source file and harmonizes them into one list, with every problem met on the way.
pub fn import_sources(info: ListInfo, files: &SourceFiles) -> Result<(ControlList, Vec<Problem>)> {
    let (eu, mut problems) = import_eu_annex_i(files.eu)?;
    let (us, p) = import_us_ccl_headings(files.us)?;
    problems.extend(p);
    let reasons = match files.us_reasons {
        Some(path) => {
            let (r, p) = import_us_reasons(path)?;
            problems.extend(p);
            r
        }
        None => Vec::new(),
    };
    let regimes = match files.regimes {
        Some(dir) => {
            let (r, p) = import_regimes(dir)?;
            problems.extend(p);
            r
        }
        None => Vec::new(),
    };
    let (list, p) = harmonize(info, eu, us, &reasons, &regimes)?;
    problems.extend(p);
    Ok((list, problems))
}
