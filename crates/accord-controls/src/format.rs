//! Accord's control-list format: one JSON file per published list version (documented in the crate README).

use crate::code::ControlCode;
use crate::model::{ControlEntry, ControlList, Jurisdiction, ListInfo, Mapping, Regime, valid_date, valid_reason};
use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::io::{Read, Write};

/// The value of the `format` field.
pub const FORMAT_NAME: &str = "accord-control-list";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// The top-level fields, in the order they are written.
const TOP_FIELDS: [&str; 6] = ["format", "format_version", "version", "effective_date", "rationale", "entries"];

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    format_version: u64,
    version: &'a str,
    effective_date: &'a str,
    rationale: &'a str,
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    code: &'a ControlCode,
    title: &'a str,
    text: &'a str,
    regimes: &'a [Regime],
    mappings: &'a [Mapping],
    notes: &'a [String],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryIn {
    code: String,
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    regimes: Vec<Regime>,
    #[serde(default)]
    mappings: Vec<Mapping>,
    #[serde(default)]
    notes: Vec<String>,
}

fn invalid(message: String, details: Value) -> Error {
    Error::new(ErrorCode::ValidationFailed, message).with_details(details)
}

impl ControlList {
    /// Writes the list in Accord's format (pretty JSON, entries in code order) to a writer.
    pub fn write_json<W: Write>(&self, writer: W) -> Result<()> {
        let info = self.info();
        let out = FileOut {
            format: FORMAT_NAME,
            format_version: FORMAT_VERSION,
            version: &info.version,
            effective_date: &info.effective_date,
            rationale: &info.rationale,
            entries: self
                .entries()
                .iter()
                .map(|e| EntryOut {
                    code: &e.code,
                    title: &e.title,
                    text: &e.text,
                    regimes: &e.regimes,
                    mappings: &e.mappings,
                    notes: &e.notes,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(writer, &out)
            .map_err(|e| Error::new(ErrorCode::FileUnreadable, format!("cannot write the control list: {e}")))
    }

    /// The list in Accord's format, as a string.
    pub fn to_json(&self) -> String {
        let mut buf = Vec::new();
        // Writing to memory cannot fail and the content is valid UTF-8 JSON.
        let _ = self.write_json(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// Reads a list in Accord's format, validating strictly: JSON syntax and shape (`malformed_file`, with line and
    /// column), the `format` name and version (`unknown_format`), then every entry (`validation_failed`, naming
    /// the entry's index and code): codes, unknown fields, duplicate codes, empty titles, mappings and reasons.
    pub fn from_json<R: Read>(reader: R) -> Result<ControlList> {
        let value: Value = serde_json::from_reader(reader)
            .map_err(|e| Error::new(ErrorCode::MalformedFile, format!("not a valid JSON control list: {e}")))?;
        let Value::Object(top) = value else {
            return Err(Error::new(ErrorCode::MalformedFile, "a control list is a JSON object"));
        };
        match top.get("format") {
            Some(Value::String(f)) if f == FORMAT_NAME => {}
            other => {
                return Err(Error::new(
                    ErrorCode::UnknownFormat,
                    format!("field 'format' must be \"{FORMAT_NAME}\", found {}", show(other)),
                ));
            }
        }
        match top.get("format_version") {
            Some(Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => {}
            other => {
                return Err(Error::new(
                    ErrorCode::UnknownFormat,
                    format!("format_version {} is not supported (this reader knows {FORMAT_VERSION})", show(other)),
                ));
            }
        }
        if let Some(k) = top.keys().find(|k| !TOP_FIELDS.contains(&k.as_str())) {
            return Err(invalid(
                format!("unknown top-level field '{k}' (expected {})", TOP_FIELDS.join(", ")),
                serde_json::json!({ "field": k }),
            ));
        }
        let info = ListInfo {
            version: string_field(&top, "version")?,
            effective_date: string_field(&top, "effective_date")?,
            rationale: string_field(&top, "rationale")?,
        };
        if info.version.trim().is_empty() {
            return Err(Error::validation("version", "field 'version' must not be empty"));
        }
        if !valid_date(&info.effective_date) {
            return Err(Error::validation(
                "effective_date",
                format!("effective_date '{}' is not a date written YYYY-MM-DD", info.effective_date),
            ));
        }
        let Some(Value::Array(raw_entries)) = top.get("entries") else {
            return Err(Error::new(ErrorCode::MalformedFile, "field 'entries' must be an array"));
        };
        let mut entries = Vec::with_capacity(raw_entries.len());
        let mut seen = BTreeSet::new();
        for (i, raw) in raw_entries.iter().enumerate() {
            let entry = read_entry(i, raw)?;
            if !seen.insert(entry.code.clone()) {
                return Err(invalid(
                    format!("entry {i} ({}): duplicate code", entry.code),
                    serde_json::json!({ "index": i, "code": entry.code.to_string(), "field": "code" }),
                ));
            }
            entries.push(entry);
        }
        ControlList::new(info, entries)
    }
}

fn show(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_else(|| "nothing".to_string())
}

fn string_field(top: &Map<String, Value>, name: &str) -> Result<String> {
    match top.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(Error::validation(name, format!("field '{name}' must be a string, found {}", show(other)))),
    }
}

fn read_entry(i: usize, raw: &Value) -> Result<ControlEntry> {
    let code_hint = raw.get("code").and_then(Value::as_str).unwrap_or("?").to_string();
    let fail = |field: &str, message: String| {
        invalid(
            format!("entry {i} ({code_hint}): {message}"),
            serde_json::json!({ "index": i, "code": code_hint, "field": field }),
        )
    };
    let parsed: EntryIn = serde_json::from_value(raw.clone()).map_err(|e| fail("entry", e.to_string()))?;
    let code = ControlCode::parse(&parsed.code).map_err(|e| fail("code", e.message))?;
    if code.to_string() != parsed.code {
        return Err(fail("code", format!("code must be written in canonical form '{code}'")));
    }
    if parsed.title.trim().is_empty() {
        return Err(fail("title", "title must not be empty".to_string()));
    }
    let regimes: BTreeSet<Regime> = parsed.regimes.iter().copied().collect();
    if regimes.len() != parsed.regimes.len() {
        return Err(fail("regimes", "a regime is listed twice".to_string()));
    }
    let mut jurisdictions: BTreeSet<Jurisdiction> = BTreeSet::new();
    for m in &parsed.mappings {
        if !jurisdictions.insert(m.jurisdiction) {
            return Err(fail("mappings", format!("two mappings for {}", m.jurisdiction)));
        }
        if m.code.trim().is_empty() {
            return Err(fail("mappings", format!("the {} mapping has an empty code", m.jurisdiction)));
        }
        if let Some(r) = m.reasons.iter().find(|r| !valid_reason(r)) {
            return Err(fail("mappings", format!("'{r}' is not a reason for control (as NS1, AT1, RS)")));
        }
    }
    let mut entry = ControlEntry::new(code, parsed.title);
    entry.text = parsed.text;
    entry.notes = parsed.notes;
    regimes.into_iter().for_each(|r| entry.add_regime(r));
    for mut m in parsed.mappings {
        m.reasons.sort();
        m.reasons.dedup();
        entry.set_mapping(m);
    }
    Ok(entry)
}
