//! OFAC legacy CSV: the primary file (`sdn.csv` / `cons_prim.csv`, 12 columns, no header) and its siblings
//! in the same folder — aliases, addresses and remarks continuations. Ids are OFAC `ent_num`s.

use crate::source::{self, csv_reader, decode, file_name, is_blank, next_record, record_line};
use crate::text::ofac_dates;
use crate::{Ctx, Format, Loaded, country, malformed_file};
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use accord_core::{Error, ErrorCode, Result};
use std::collections::HashMap;
use std::path::Path;

/// Columns of the primary file.
const PRIMARY_COLUMNS: usize = 12;

/// The kinds of sibling file.
#[derive(Clone, Copy)]
enum Sibling {
    Aliases,
    Addresses,
    Comments,
}

impl Sibling {
    fn min_columns(self) -> usize {
        match self {
            Sibling::Aliases => 4,
            Sibling::Addresses => 5,
            Sibling::Comments => 2,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Sibling::Aliases => "alias",
            Sibling::Addresses => "address",
            Sibling::Comments => "remarks continuation",
        }
    }
}

/// An OFAC cell: trimmed, with `-0-` (OFAC's "nothing") as empty.
fn cell(s: &str) -> &str {
    let s = s.trim();
    if s == "-0-" { "" } else { s }
}

pub(crate) fn read(path: &Path, format: Format, ctx: &mut Ctx) -> Result<Loaded> {
    let (primary_name, siblings): (&str, [(&str, Sibling); 3]) = match format {
        Format::OfacCons => (
            "cons_prim.csv",
            [
                ("cons_alt.csv", Sibling::Aliases),
                ("cons_add.csv", Sibling::Addresses),
                ("cons_comments.csv", Sibling::Comments),
            ],
        ),
        _ => (
            "sdn.csv",
            [("alt.csv", Sibling::Aliases), ("add.csv", Sibling::Addresses), ("sdn_comments.csv", Sibling::Comments)],
        ),
    };
    let (primary, dir) = if path.is_dir() {
        (source::find_file(path, primary_name), path.to_path_buf())
    } else {
        (Some(path.to_path_buf()), path.parent().map(Path::to_path_buf).unwrap_or_default())
    };
    let Some(primary) = primary else {
        return Err(Error::new(
            ErrorCode::UnknownFormat,
            format!("folder {} holds no {primary_name} ({format})", dir.display()),
        ));
    };
    let list_id = format.default_list_id();
    let mut entities = HashMap::new();
    read_primary(&primary, list_id, ctx, &mut entities)?;
    let mut files = vec![primary.clone()];
    for (name, kind) in siblings {
        if let Some(sib) = source::find_file(&dir, name)
            && sib != primary
        {
            read_sibling(&sib, kind, &file_name(&primary), ctx, &mut entities)?;
            files.push(sib);
        }
    }
    let mut entities: Vec<ListedEntity> = entities.into_values().collect();
    for e in &mut entities {
        apply_remarks(e);
    }
    Ok(Loaded { list_id: list_id.to_owned(), entities, files })
}

fn kind_of(sdn_type: &str) -> EntityKind {
    match sdn_type.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        "" => EntityKind::Organization,
        _ => EntityKind::Unknown,
    }
}

fn read_primary(path: &Path, list_id: &str, ctx: &mut Ctx, entities: &mut HashMap<String, ListedEntity>) -> Result<()> {
    let file = file_name(path);
    let mut rdr = csv_reader(path, b',')?;
    let mut rec = csv::ByteRecord::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let (mut good, mut bad) = (0u64, None::<String>);
    while next_record(&mut rdr, &mut rec, path)? {
        if is_blank(&rec) {
            continue;
        }
        let line = record_line(&rec);
        let problem = match primary_row(&rec, list_id) {
            Ok(e) => match first_line.get(&e.entity_id) {
                Some(first) => Some(format!("duplicate ent_num {} (first on line {first})", e.entity_id)),
                None => {
                    first_line.insert(e.entity_id.clone(), line);
                    entities.insert(e.entity_id.clone(), e);
                    good += 1;
                    None
                }
            },
            Err(message) => Some(message),
        };
        if let Some(message) = problem {
            bad.get_or_insert_with(|| format!("line {line}: {message}"));
            ctx.problem(&file, line, message)?;
        }
    }
    match (good, bad) {
        (0, None) => Err(malformed_file(&file, "the file is empty (no OFAC records)")),
        (0, Some(first)) => Err(malformed_file(&file, &format!("not an OFAC list file: no valid row ({first})"))),
        _ => Ok(()),
    }
}

/// One primary row as an entity, or what is wrong with it.
fn primary_row(rec: &csv::ByteRecord, list_id: &str) -> std::result::Result<ListedEntity, String> {
    let f = decode(rec).map_err(|col| format!("column {col} is not valid UTF-8"))?;
    if f.len() != PRIMARY_COLUMNS {
        return Err(format!("expected {PRIMARY_COLUMNS} columns, found {}", f.len()));
    }
    let id = ent_num(f[0])?;
    let name = cell(f[1]);
    if name.is_empty() {
        return Err(format!("ent_num {id} has no SDN_Name"));
    }
    let mut e = ListedEntity::new(list_id, &id, kind_of(cell(f[2])), name);
    for p in cell(f[3]).split("] [") {
        ListedEntity::push_unique(&mut e.programs, p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()));
    }
    if let Some(c) = country::from_name(cell(f[9])) {
        ListedEntity::push_unique(&mut e.countries, c);
    }
    e.remarks = cell(f[11]).to_owned();
    Ok(e)
}

fn ent_num(s: &str) -> std::result::Result<String, String> {
    let s = s.trim();
    match s.parse::<u64>() {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Err(format!("ent_num '{}' is not a number", s.chars().take(40).collect::<String>())),
    }
}

fn read_sibling(
    path: &Path,
    kind: Sibling,
    primary: &str,
    ctx: &mut Ctx,
    entities: &mut HashMap<String, ListedEntity>,
) -> Result<()> {
    let file = file_name(path);
    let mut rdr = csv_reader(path, b',')?;
    let mut rec = csv::ByteRecord::new();
    while next_record(&mut rdr, &mut rec, path)? {
        if is_blank(&rec) {
            continue;
        }
        let line = record_line(&rec);
        if let Err(message) = sibling_row(&rec, kind, primary, entities) {
            ctx.problem(&file, line, message)?;
        }
    }
    Ok(())
}

fn sibling_row(
    rec: &csv::ByteRecord,
    kind: Sibling,
    primary: &str,
    entities: &mut HashMap<String, ListedEntity>,
) -> std::result::Result<(), String> {
    let f = decode(rec).map_err(|col| format!("column {col} is not valid UTF-8"))?;
    if f.len() < kind.min_columns() {
        return Err(format!("expected at least {} columns, found {}", kind.min_columns(), f.len()));
    }
    let id = ent_num(f[0])?;
    let Some(e) = entities.get_mut(&id) else {
        let what = match kind {
            Sibling::Aliases => format!(" ({})", cell(f[3])),
            _ => String::new(),
        };
        return Err(format!("ent_num {id} is not in {primary}; {}{what} not attached", kind.what()));
    };
    match kind {
        Sibling::Aliases => {
            let name = cell(f[3]);
            if name.is_empty() {
                return Err(format!("alias of ent_num {id} has no alt_name"));
            }
            let name_kind = match cell(f[2]).to_ascii_lowercase().as_str() {
                "fka" => NameKind::Former,
                _ => NameKind::Alias,
            };
            e.add_name(name, name_kind);
        }
        Sibling::Addresses => {
            let parts: Vec<&str> = [f[2], f[3], f[4]].into_iter().map(cell).filter(|s| !s.is_empty()).collect();
            ListedEntity::push_unique(&mut e.addresses, &parts.join(", "));
            if let Some(c) = country::from_name(cell(f[4])) {
                ListedEntity::push_unique(&mut e.countries, c);
            }
        }
        Sibling::Comments => e.remarks.push_str(cell(f[1])),
    }
    Ok(())
}

/// Remark items that name a country linked to the entity (longest prefix first).
const COUNTRY_ITEMS: [&str; 5] =
    ["Nationality of Registration ", "nationality ", "Nationality ", "citizen ", "Vessel Flag "];

/// Takes dates of birth or establishment, nationalities, citizenships and flags out of the remarks.
fn apply_remarks(e: &mut ListedEntity) {
    let remarks = std::mem::take(&mut e.remarks);
    for item in remarks.split(';') {
        let item = item.trim().trim_end_matches('.').trim();
        let item = item.strip_prefix("alt. ").unwrap_or(item);
        if let Some(v) = item.strip_prefix("DOB ").or_else(|| item.strip_prefix("Organization Established Date ")) {
            for d in ofac_dates(v) {
                ListedEntity::push_unique(&mut e.birth_dates, &d);
            }
        } else if let Some(v) = COUNTRY_ITEMS.iter().find_map(|p| item.strip_prefix(p))
            && let Some(c) = country::from_name(v)
        {
            ListedEntity::push_unique(&mut e.countries, c);
        }
    }
    e.remarks = remarks;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_give_dates_and_countries() {
        let mut e = ListedEntity::new("l", "1", EntityKind::Person, "X");
        e.remarks =
            "DOB 10 Dec 1948; alt. DOB 1950 to 1951; POB Giza, Egypt; nationality Egypt; citizen Korea, North; \
                     Passport 1084010 (Egypt)."
                .into();
        apply_remarks(&mut e);
        assert_eq!(e.birth_dates, ["1948-12-10", "1950", "1951"]);
        assert_eq!(e.countries, ["EG", "KP"]);
        assert!(e.remarks.starts_with("DOB 10 Dec 1948;"));
    }

    #[test]
    fn minus_zero_means_empty() {
        assert_eq!(cell("-0- "), "");
        assert_eq!(cell(" CUBA "), "CUBA");
        assert_eq!(kind_of("-0-"), EntityKind::Unknown);
        assert_eq!(kind_of(cell("-0- ")), EntityKind::Organization);
    }
}
