//! UN Security Council consolidated list XML, read as a stream of `INDIVIDUAL` and `ENTITY` records.
//! Ids are the `REFERENCE_NUMBER`s (e.g. `QDi.001`); `LISTED_ON` is the listing's first day (the list has
//! no end date: a delisted entry leaves the list).

use crate::source::{self, LineCounter, file_name};
use crate::text::{calendar_day, expand_range, iso_date_prefix};
use crate::{Ctx, Format, Loaded, country, malformed_at, malformed_file};
use accord_core::Result;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::path::Path;

const ROOT: &[u8] = b"CONSOLIDATED_LIST";

/// Child elements of a record whose own children are read together.
const GROUPS: [&[u8]; 6] = [
    b"INDIVIDUAL_ALIAS",
    b"ENTITY_ALIAS",
    b"INDIVIDUAL_ADDRESS",
    b"ENTITY_ADDRESS",
    b"INDIVIDUAL_DATE_OF_BIRTH",
    b"NATIONALITY",
];

pub(crate) fn read(path: &Path, ctx: &mut Ctx) -> Result<Loaded> {
    let files = source::list_files(path, Format::UnXml, &[".xml"])?;
    let mut out = Out::default();
    for f in &files {
        read_file(f, ctx, &mut out)?;
    }
    Ok(Loaded {
        list_id: Format::UnXml.default_list_id().to_owned(),
        entities: out.entities.into_values().collect(),
        files,
    })
}

#[derive(Default)]
struct Out {
    entities: HashMap<String, ListedEntity>,
    first_line: HashMap<String, (String, u64)>,
}

/// The child elements of a group, with their texts.
type Fields = Vec<(Vec<u8>, String)>;

/// One `INDIVIDUAL` or `ENTITY` being read.
struct Record {
    element: String,
    kind: EntityKind,
    line: u64,
    depth: usize,
    name_parts: [String; 4],
    reference: String,
    entity: ListedEntity,
    group: Option<(Vec<u8>, Fields)>,
    error: Option<(u64, String)>,
}

impl Record {
    fn fail(&mut self, line: u64, message: String) {
        if self.error.is_none() {
            self.error = Some((line, format!("{message} (in the {} starting on line {})", self.element, self.line)));
        }
    }

    /// A direct child element of the record with its text.
    fn field(&mut self, name: &[u8], text: &str) {
        let text = text.trim();
        match name {
            b"FIRST_NAME" => self.name_parts[0] = text.to_owned(),
            b"SECOND_NAME" => self.name_parts[1] = text.to_owned(),
            b"THIRD_NAME" => self.name_parts[2] = text.to_owned(),
            b"FOURTH_NAME" => self.name_parts[3] = text.to_owned(),
            b"REFERENCE_NUMBER" => self.reference = text.to_owned(),
            b"UN_LIST_TYPE" => ListedEntity::push_unique(&mut self.entity.programs, text),
            b"COMMENTS1" => self.entity.remarks = text.to_owned(),
            b"LISTED_ON" => self.entity.listed_from = calendar_day(text),
            b"NAME_ORIGINAL_SCRIPT" => self.entity.add_name(text, NameKind::OriginalScript),
            _ => {}
        }
    }

    /// A group element (alias, address, date of birth, nationality) with its children's texts.
    fn group(&mut self, name: &[u8], fields: &Fields) {
        let get = |key: &[u8]| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
        let e = &mut self.entity;
        match name {
            b"INDIVIDUAL_ALIAS" | b"ENTITY_ALIAS" => {
                let kind = match get(b"QUALITY").to_ascii_lowercase().as_str() {
                    "low" => NameKind::WeakAlias,
                    "f.k.a." | "fka" => NameKind::Former,
                    _ => NameKind::Alias,
                };
                e.add_name(get(b"ALIAS_NAME"), kind);
                if let Some(d) = iso_date_prefix(get(b"DATE_OF_BIRTH")) {
                    ListedEntity::push_unique(&mut e.birth_dates, &d);
                }
            }
            b"INDIVIDUAL_ADDRESS" | b"ENTITY_ADDRESS" => {
                let parts: Vec<&str> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"]
                    .iter()
                    .map(|k| get(k.as_bytes()))
                    .filter(|s| !s.is_empty())
                    .collect();
                ListedEntity::push_unique(&mut e.addresses, &parts.join(", "));
                if let Some(c) = country::from_name(get(b"COUNTRY")) {
                    ListedEntity::push_unique(&mut e.countries, c);
                }
            }
            b"INDIVIDUAL_DATE_OF_BIRTH" => {
                let mut dates = Vec::new();
                if let Some(d) = iso_date_prefix(get(b"DATE")).or_else(|| iso_date_prefix(get(b"YEAR"))) {
                    dates.push(d);
                }
                if let (Some(a), Some(b)) = (iso_date_prefix(get(b"FROM_YEAR")), iso_date_prefix(get(b"TO_YEAR"))) {
                    expand_range(&a, &b, &mut dates);
                }
                for d in dates {
                    ListedEntity::push_unique(&mut e.birth_dates, &d);
                }
            }
            b"NATIONALITY" => {
                for (_, v) in fields.iter().filter(|(k, _)| k == b"VALUE") {
                    if let Some(c) = country::from_name(v) {
                        ListedEntity::push_unique(&mut e.countries, c);
                    }
                }
            }
            _ => {}
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read_file(path: &Path, ctx: &mut Ctx, out: &mut Out) -> Result<()> {
    let file = file_name(path);
    let mut reader = quick_xml::Reader::from_reader(LineCounter::new(source::open(path)?));
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.expand_empty_elements = false;
    }
    let mut buf = Vec::new();
    let mut stack: Vec<(Vec<u8>, u64)> = Vec::new();
    let mut saw_root = false;
    let mut rec: Option<Record> = None;
    let mut text = String::new();
    loop {
        buf.clear();
        let ev = reader.read_event_into(&mut buf);
        let line = reader.get_ref().line();
        let (name, is_start, is_end) = match ev {
            Err(e) => {
                return Err(malformed_at(&file, line, &format!("not well-formed XML (truncated or damaged): {e}")));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(s)) => (s.name().as_ref().to_vec(), true, false),
            Ok(Event::Empty(s)) => (s.name().as_ref().to_vec(), true, true),
            Ok(Event::End(e)) => (e.name().as_ref().to_vec(), false, true),
            Ok(Event::Text(t)) => {
                if let Some(r) = rec.as_mut() {
                    match t.unescape() {
                        Ok(s) => text.push_str(&s),
                        Err(e) => r.fail(line, format!("unreadable text: {e}")),
                    }
                }
                continue;
            }
            Ok(Event::CData(c)) => {
                if let Some(r) = rec.as_mut() {
                    match c.decode() {
                        Ok(s) => text.push_str(&s),
                        Err(e) => r.fail(line, format!("unreadable text: {e}")),
                    }
                }
                continue;
            }
            Ok(_) => continue,
        };
        if is_start {
            if !saw_root {
                if name != ROOT {
                    return Err(malformed_file(
                        &file,
                        &format!("not a UN consolidated list: the root element is <{}>", lossy(&name)),
                    ));
                }
                saw_root = true;
            }
            let depth = stack.len();
            text.clear();
            match rec.as_mut() {
                None if name == b"INDIVIDUAL" || name == b"ENTITY" => {
                    let (kind, element) = if name == b"INDIVIDUAL" {
                        (EntityKind::Person, "INDIVIDUAL")
                    } else {
                        (EntityKind::Organization, "ENTITY")
                    };
                    rec = Some(Record {
                        element: element.to_owned(),
                        kind,
                        line,
                        depth,
                        name_parts: Default::default(),
                        reference: String::new(),
                        entity: ListedEntity::new("", "", kind, ""),
                        group: None,
                        error: None,
                    });
                }
                Some(r) if depth == r.depth + 1 && GROUPS.contains(&name.as_slice()) => {
                    r.group = Some((name.clone(), Vec::new()));
                }
                _ => {}
            }
            stack.push((name.clone(), line));
        }
        if is_end {
            let Some(pos) = stack.iter().rposition(|(n, _)| *n == name) else {
                match rec.as_mut() {
                    Some(r) => r.fail(line, format!("unexpected closing tag </{}>", lossy(&name))),
                    None => ctx.problem(&file, line, format!("unexpected closing tag </{}>", lossy(&name)))?,
                }
                continue;
            };
            while stack.len() > pos + 1 {
                if let Some((open, open_line)) = stack.pop() {
                    let message = format!(
                        "element <{}> opened on line {open_line} is not closed before </{}>",
                        lossy(&open),
                        lossy(&name)
                    );
                    match rec.as_mut() {
                        Some(r) => r.fail(line, message),
                        None => ctx.problem(&file, line, message)?,
                    }
                }
            }
            stack.pop();
            let depth = stack.len();
            if rec.as_ref().is_some_and(|r| depth <= r.depth) {
                // The record's element is closed, by its own end tag or by an outer one.
                if let Some(done) = rec.take() {
                    finish(done, &file, ctx, out)?;
                }
            } else if let Some(r) = rec.as_mut() {
                if depth == r.depth + 1 {
                    match r.group.take() {
                        Some((g, fields)) if g == name => r.group(&g, &fields),
                        other => {
                            r.group = other;
                            r.field(&name, &text);
                        }
                    }
                } else if depth == r.depth + 2
                    && let Some((_, fields)) = r.group.as_mut()
                {
                    fields.push((name.clone(), text.trim().to_owned()));
                }
            }
            text.clear();
        }
    }
    if let Some((open, open_line)) = stack.first() {
        return Err(malformed_file(
            &file,
            &format!(
                "truncated: <{}> opened on line {open_line} is not closed at the end of the file (line {})",
                lossy(open),
                reader.get_ref().line()
            ),
        ));
    }
    if !saw_root {
        return Err(malformed_file(&file, "not a UN consolidated list: no XML element found"));
    }
    Ok(())
}

fn finish(r: Record, file: &str, ctx: &mut Ctx, out: &mut Out) -> Result<()> {
    if let Some((line, message)) = r.error {
        return ctx.problem(file, line, message);
    }
    if r.reference.is_empty() {
        return ctx.problem(file, r.line, format!("{} without REFERENCE_NUMBER", r.element));
    }
    let name = r.name_parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return ctx.problem(file, r.line, format!("{} {} has no name", r.element, r.reference));
    }
    if let Some((first_file, first_line)) = out.first_line.get(&r.reference) {
        return ctx.problem(
            file,
            r.line,
            format!("duplicate REFERENCE_NUMBER {} (first in {first_file} on line {first_line})", r.reference),
        );
    }
    let mut e = ListedEntity::new("", &r.reference, r.kind, &name);
    for n in r.entity.names.into_iter().filter(|n| !n.name.is_empty()) {
        e.add_name(&n.name, n.kind);
    }
    e.countries = r.entity.countries;
    e.birth_dates = r.entity.birth_dates;
    e.addresses = r.entity.addresses;
    e.programs = r.entity.programs;
    e.remarks = r.entity.remarks;
    e.listed_from = r.entity.listed_from;
    out.first_line.insert(r.reference.clone(), (file.to_owned(), r.line));
    out.entities.insert(r.reference, e);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_xml(name: &str, records: &str) -> Vec<ListedEntity> {
        let dir = std::env::temp_dir().join(format!("accord-lists-un-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("consolidated.xml");
        std::fs::write(&path, format!("<CONSOLIDATED_LIST><INDIVIDUALS>{records}</INDIVIDUALS></CONSOLIDATED_LIST>"))
            .unwrap();
        let mut ctx = Ctx { strict: true, problems: Vec::new() };
        let loaded = read(&path, &mut ctx);
        let _ = std::fs::remove_dir_all(&dir);
        let mut entities = loaded.unwrap().entities;
        entities.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
        entities
    }

    fn person(reference: &str, listed_on: &str) -> String {
        format!(
            "<INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>\
             <LISTED_ON>{listed_on}</LISTED_ON></INDIVIDUAL>"
        )
    }

    #[test]
    fn listed_on_is_the_first_day_of_the_listing_whatever_its_time_zone() {
        let records = [person("QDi.001", "2001-01-25"), person("QDi.002", "2015-04-07-04:00")].concat();
        let e = read_xml("listed-on", &records);
        assert_eq!(e[0].listed_from.map(|d| d.to_string()).as_deref(), Some("2001-01-25"));
        assert_eq!(e[1].listed_from.map(|d| d.to_string()).as_deref(), Some("2015-04-07"));
        assert!(e.iter().all(|e| e.listed_until.is_none()));
    }

    #[test]
    fn a_missing_or_impossible_listed_on_date_is_left_open_without_a_problem() {
        let records = [
            person("QDi.001", ""),
            person("QDi.002", "2001-02-30"),
            "<INDIVIDUAL><FIRST_NAME>C</FIRST_NAME><REFERENCE_NUMBER>QDi.003</REFERENCE_NUMBER></INDIVIDUAL>"
                .to_owned(),
        ]
        .concat();
        let e = read_xml("no-listed-on", &records);
        assert_eq!(e.len(), 3, "strict mode: no record was a problem");
        assert!(e.iter().all(|e| e.listed_from.is_none()));
    }
}
