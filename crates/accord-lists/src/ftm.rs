//! FollowTheMoney entities, one JSON object per line (`{"id", "schema", "properties", "datasets"}`).
//!
//! Party schemas are imported (Person; Organization, Company, PublicBody; LegalEntity as a party of unknown
//! kind; Vessel; Airplane); other schemas (Sanction, Address, Ownership …) are skipped. Ids are the `id`
//! fields; lines with the same id are fragments of one entity. The list id is the first `datasets` value
//! when every entity has the same one, else `ftm`. The listing period comes from `startDate` (else
//! `listingDate`; the earliest calendar day) and `endDate` (the latest), which the export writes back.

use crate::source::{self, LineCounter, file_name};
use crate::text::{calendar_day, iso_date_prefix};
use crate::{Ctx, Format, Groups, Loaded, country, malformed_file};
use accord_core::Result;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;

/// Longest line read; a longer one is reported and skipped.
const MAX_LINE: u64 = 16 * 1024 * 1024;

#[derive(Deserialize)]
struct FtmEntity {
    #[serde(default)]
    id: String,
    #[serde(default)]
    schema: String,
    #[serde(default)]
    properties: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    datasets: Vec<String>,
}

fn kind_of(schema: &str) -> Option<EntityKind> {
    Some(match schema {
        "Person" => EntityKind::Person,
        "Organization" | "Company" | "PublicBody" => EntityKind::Organization,
        "LegalEntity" => EntityKind::Unknown,
        "Vessel" => EntityKind::Vessel,
        "Airplane" => EntityKind::Aircraft,
        _ => return None,
    })
}

fn schema_of(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Organization => "Organization",
        EntityKind::Vessel => "Vessel",
        EntityKind::Aircraft => "Airplane",
        EntityKind::Unknown => "LegalEntity",
    }
}

/// The property that holds dates of birth (persons), incorporation (organisations) or build (vehicles).
fn date_property(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "birthDate",
        EntityKind::Vessel | EntityKind::Aircraft => "buildDate",
        EntityKind::Organization | EntityKind::Unknown => "incorporationDate",
    }
}

pub(crate) fn read(path: &Path, ctx: &mut Ctx) -> Result<Loaded> {
    let files = source::list_files(path, Format::Ftm, &[".json", ".jsonl", ".ndjson", ".ftm"])?;
    let mut groups = Groups::default();
    let mut datasets: Option<Option<String>> = None;
    for f in &files {
        read_file(f, ctx, &mut groups, &mut datasets)?;
    }
    let list_id = datasets.flatten().unwrap_or_else(|| Format::Ftm.default_list_id().to_owned());
    Ok(Loaded { list_id, entities: groups.into_entities(), files })
}

fn read_file(path: &Path, ctx: &mut Ctx, groups: &mut Groups, datasets: &mut Option<Option<String>>) -> Result<()> {
    let file = file_name(path);
    let mut reader = LineCounter::new(source::open(path)?);
    let mut buf = Vec::new();
    let (mut good, mut bad) = (0u64, None::<String>);
    loop {
        buf.clear();
        let line = reader.line();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf).map_err(|e| source::unreadable(path, &e))?;
        if n == 0 {
            break;
        }
        if n as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let k = (&mut reader)
                    .take(MAX_LINE)
                    .read_until(b'\n', &mut rest)
                    .map_err(|e| source::unreadable(path, &e))?;
                if k == 0 || rest.last() == Some(&b'\n') {
                    break;
                }
            }
            bad.get_or_insert_with(|| format!("line {line}: longer than {MAX_LINE} bytes"));
            ctx.problem(&file, line, format!("line longer than {MAX_LINE} bytes"))?;
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(&buf) {
            Ok(None) => good += 1,
            Ok(Some((e, first_dataset))) => {
                good += 1;
                *datasets = Some(match datasets.take() {
                    None => first_dataset,
                    Some(prev) if prev == first_dataset => prev,
                    Some(_) => None,
                });
                groups.add(e);
            }
            Err(message) => {
                bad.get_or_insert_with(|| format!("line {line}: {message}"));
                ctx.problem(&file, line, message)?;
            }
        }
    }
    match (good, bad) {
        (0, None) => Err(malformed_file(&file, "the file is empty (no FollowTheMoney entity)")),
        (0, Some(first)) => Err(malformed_file(&file, &format!("not a FollowTheMoney file: no valid line ({first})"))),
        _ => Ok(()),
    }
}

/// One line: `Ok(None)` for an entity of a schema that is not a party.
fn parse_line(bytes: &[u8]) -> std::result::Result<Option<(ListedEntity, Option<String>)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1))?;
    let ftm: FtmEntity = serde_json::from_str(text).map_err(|e| format!("not a FollowTheMoney entity: {e}"))?;
    let Some(kind) = kind_of(&ftm.schema) else {
        if ftm.schema.is_empty() {
            return Err("entity without schema".into());
        }
        return Ok(None);
    };
    let id = ftm.id.trim();
    if id.is_empty() {
        return Err(format!("{} entity without id", ftm.schema));
    }
    let values = |prop: &str| -> Vec<&str> {
        ftm.properties
            .get(prop)
            .map(|v| v.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    };
    let names = values("name");
    let Some(primary) = names.first() else {
        return Err(format!("entity {id} has no name"));
    };
    let mut e = ListedEntity::new("", id, kind, primary);
    for n in &names[1..] {
        e.add_name(n, NameKind::OriginalScript);
    }
    for (prop, kind) in
        [("alias", NameKind::Alias), ("weakAlias", NameKind::WeakAlias), ("previousName", NameKind::Former)]
    {
        for n in values(prop) {
            e.add_name(n, kind);
        }
    }
    for prop in ["country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag"] {
        for c in values(prop).into_iter().filter_map(country::from_code) {
            ListedEntity::push_unique(&mut e.countries, c);
        }
    }
    for prop in ["birthDate", "incorporationDate", "buildDate"] {
        for d in values(prop).into_iter().filter_map(iso_date_prefix) {
            ListedEntity::push_unique(&mut e.birth_dates, &d);
        }
    }
    for a in values("address") {
        ListedEntity::push_unique(&mut e.addresses, a);
    }
    for p in values("program") {
        ListedEntity::push_unique(&mut e.programs, p);
    }
    e.remarks = values("notes").join("\n");
    let days = |prop: &str| values(prop).into_iter().filter_map(calendar_day);
    e.listed_from = days("startDate").min().or_else(|| days("listingDate").min());
    e.listed_until = days("endDate").max();
    Ok(Some((e, ftm.datasets.first().cloned())))
}

/// Writes entities as FollowTheMoney JSON lines with `datasets: [list_id]`, so [`crate::read`] imports them
/// back to the same list, ids and content. Original-script names follow the primary name in `name`.
pub fn write_ftm(entities: &[ListedEntity], out: &mut impl std::io::Write) -> std::io::Result<()> {
    for e in entities {
        let mut props = Map::new();
        let mut put = |key: &str, vals: Vec<&str>| {
            if !vals.is_empty() {
                props.insert(key.to_owned(), json!(vals));
            }
        };
        let names_of = |kind: NameKind| e.names.iter().skip(1).filter(move |n| n.kind == kind).map(|n| n.name.as_str());
        let mut names = vec![e.primary_name()];
        names.extend(names_of(NameKind::OriginalScript));
        put("name", names);
        put("alias", names_of(NameKind::Alias).collect());
        put("weakAlias", names_of(NameKind::WeakAlias).collect());
        put("previousName", names_of(NameKind::Former).collect());
        let countries: Vec<String> = e.countries.iter().map(|c| c.to_ascii_lowercase()).collect();
        put("country", countries.iter().map(String::as_str).collect());
        put(date_property(e.kind), e.birth_dates.iter().map(String::as_str).collect());
        put("address", e.addresses.iter().map(String::as_str).collect());
        put("program", e.programs.iter().map(String::as_str).collect());
        if !e.remarks.is_empty() {
            put("notes", vec![e.remarks.as_str()]);
        }
        let (from, until) = (e.listed_from.map(|d| d.to_string()), e.listed_until.map(|d| d.to_string()));
        put("startDate", from.iter().map(String::as_str).collect());
        put("endDate", until.iter().map(String::as_str).collect());
        let value = json!({
            "id": e.entity_id,
            "schema": schema_of(e.kind),
            "properties": props,
            "datasets": [e.list_id],
        });
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_schemas_map_to_kinds_and_back() {
        for kind in [
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Vessel,
            EntityKind::Aircraft,
            EntityKind::Unknown,
        ] {
            assert_eq!(kind_of(schema_of(kind)), Some(kind));
        }
        assert_eq!(kind_of("Company"), Some(EntityKind::Organization));
        assert_eq!(kind_of("Sanction"), None);
    }

    fn listing(properties: &str) -> ListedEntity {
        let line = format!(r#"{{"id":"p1","schema":"Person","properties":{{"name":["A"],{properties}}}}}"#);
        parse_line(line.as_bytes()).unwrap().unwrap().0
    }

    #[test]
    fn start_listing_and_end_dates_bound_the_listing() {
        let e = listing(r#""startDate":["2020-03-01","2019-06-05"],"endDate":["2021-01-01","2022-12-31T00:00:00"]"#);
        assert_eq!(e.listed_from.map(|d| d.to_string()).as_deref(), Some("2019-06-05"));
        assert_eq!(e.listed_until.map(|d| d.to_string()).as_deref(), Some("2022-12-31"));
        let by_listing = listing(r#""listingDate":["2018-02-01"]"#);
        assert_eq!(
            (by_listing.listed_from.map(|d| d.to_string()).as_deref(), by_listing.listed_until),
            (Some("2018-02-01"), None)
        );
        let both = listing(r#""listingDate":["2018-02-01"],"startDate":["2018-03-01"]"#);
        assert_eq!(
            both.listed_from.map(|d| d.to_string()).as_deref(),
            Some("2018-03-01"),
            "startDate is the effective day"
        );
    }

    #[test]
    fn partial_or_impossible_ftm_listing_dates_are_left_open() {
        let e = listing(r#""startDate":["2019","2019-02-30"],"endDate":["2021-06"]"#);
        assert_eq!((e.listed_from, e.listed_until), (None, None));
    }

    #[test]
    fn exported_listing_dates_import_back_unchanged() {
        let mut e = ListedEntity::new("l", "p1", EntityKind::Person, "A");
        e.listed_from = Some("2017-10-16".parse().unwrap());
        e.listed_until = Some("2020-10-13".parse().unwrap());
        let mut out = Vec::new();
        write_ftm(std::slice::from_ref(&e), &mut out).unwrap();
        let line: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(line["properties"]["startDate"], json!(["2017-10-16"]));
        assert_eq!(line["properties"]["endDate"], json!(["2020-10-13"]));
        let (back, _) = parse_line(&out).unwrap().unwrap();
        assert_eq!((back.listed_from, back.listed_until), (e.listed_from, e.listed_until));
        let mut undated = Vec::new();
        write_ftm(&[ListedEntity::new("l", "p2", EntityKind::Person, "B")], &mut undated).unwrap();
        assert!(!String::from_utf8(undated).unwrap().contains("Date"));
    }

    #[test]
    fn non_party_lines_are_skipped_not_reported() {
        assert!(matches!(parse_line(br#"{"id":"s1","schema":"Sanction","properties":{}}"#), Ok(None)));
        assert!(parse_line(br#"{"id":"p1","schema":"Person","properties":{}}"#).is_err());
        assert!(parse_line(b"{not json").is_err());
    }
}
