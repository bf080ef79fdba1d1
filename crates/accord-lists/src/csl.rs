//! trade.gov Consolidated Screening List CSV.
//!
//! Ids are the CSL `entity_number` where the row has one. Rows without (the BIS and State Department lists)
//! get `{source}:{name slug}:{start_date}`, where `{source}` is the lower-cased abbreviation in brackets in
//! the `source` column (`dpl`, `el`, `dtc` …, else the slug of the whole column) and `:{start_date}` is left
//! out when the row has none — e.g. `el:gunther-migeotte:2010-06-28`. Rows with the same id form one entity.
//! `start_date` and `end_date` bound the listing when they are calendar days.

use crate::source::{self, Header, col, csv_reader, decode};
use crate::text::{calendar_day, extract_dates, slug, split_multi};
use crate::{Ctx, Format, Groups, Loaded, country};
use accord_core::Result;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use std::path::Path;

pub(crate) fn read(path: &Path, ctx: &mut Ctx) -> Result<Loaded> {
    let files = source::list_files(path, Format::Csl, &[".csv"])?;
    let mut groups = Groups::default();
    for f in &files {
        read_file(f, ctx, &mut groups)?;
    }
    Ok(Loaded { list_id: Format::Csl.default_list_id().to_owned(), entities: groups.into_entities(), files })
}

/// The short name of a CSL source: `Entity List (EL) - Bureau of Industry and Security` → `el`.
fn source_code(source: &str) -> String {
    let bracketed = source
        .split('(')
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(inner, _)| inner.trim()))
        .find(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()));
    match bracketed {
        Some(code) => code.to_ascii_lowercase(),
        None if slug(source).is_empty() => "csl".to_owned(),
        None => slug(source),
    }
}

/// The id of a CSL row (see the module documentation).
pub(crate) fn derived_id(entity_number: &str, source: &str, name: &str, start_date: &str) -> String {
    if !entity_number.is_empty() {
        return entity_number.to_owned();
    }
    let mut id = format!("{}:{}", source_code(source), slug(name));
    if !start_date.is_empty() {
        id.push(':');
        id.push_str(start_date);
    }
    id
}

struct Cols {
    source: Option<usize>,
    number: Option<usize>,
    kind: Option<usize>,
    programs: Option<usize>,
    name: Option<usize>,
    title: Option<usize>,
    addresses: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    flag: Option<usize>,
    remarks: Option<usize>,
    alt_names: Option<usize>,
    citizenships: Option<usize>,
    dobs: Option<usize>,
    nationalities: Option<usize>,
    ids: Option<usize>,
}

fn read_file(path: &Path, ctx: &mut Ctx, groups: &mut Groups) -> Result<()> {
    let mut rdr = csv_reader(path, b',')?;
    let header = Header::read(&mut rdr, path)?;
    header.require(path, &["source", "entity_number", "type", "name"], "Consolidated Screening List")?;
    let c = cols(&header);
    let columns = header.len();
    crate::rows_into_groups(&mut rdr, path, ctx, groups, |rec| row(rec, &c, columns))
}

fn cols(header: &Header) -> Cols {
    Cols {
        source: header.find("source"),
        number: header.find("entity_number"),
        kind: header.find("type"),
        programs: header.find("programs"),
        name: header.find("name"),
        title: header.find("title"),
        addresses: header.find("addresses"),
        start: header.find("start_date"),
        end: header.find("end_date"),
        flag: header.find("vessel_flag"),
        remarks: header.find("remarks"),
        alt_names: header.find("alt_names"),
        citizenships: header.find("citizenships"),
        dobs: header.find("dates_of_birth"),
        nationalities: header.find("nationalities"),
        ids: header.find("ids"),
    }
}

fn kind_of(t: &str) -> EntityKind {
    match t.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "entity" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn row(rec: &csv::ByteRecord, c: &Cols, columns: usize) -> std::result::Result<ListedEntity, String> {
    let f = decode(rec).map_err(|col| format!("column {col} is not valid UTF-8"))?;
    if f.len() != columns {
        return Err(format!("expected {columns} columns, found {}", f.len()));
    }
    let name = col(&f, c.name);
    if slug(name).is_empty() {
        return Err(format!("name '{name}' has no letter or digit"));
    }
    let source = col(&f, c.source);
    let id = derived_id(col(&f, c.number), source, name, col(&f, c.start));
    let mut e = ListedEntity::new("", &id, kind_of(col(&f, c.kind)), name);
    e.listed_from = calendar_day(col(&f, c.start));
    e.listed_until = calendar_day(col(&f, c.end));
    for alt in split_multi(col(&f, c.alt_names)) {
        e.add_name(&alt, NameKind::Alias);
    }
    for idx in [c.citizenships, c.nationalities] {
        for v in col(&f, idx).split([';', ',']) {
            if let Some(code) = country::from_code_or_name(v) {
                ListedEntity::push_unique(&mut e.countries, code);
            }
        }
    }
    if let Some(code) = country::from_code_or_name(col(&f, c.flag)) {
        ListedEntity::push_unique(&mut e.countries, code);
    }
    for a in split_multi(col(&f, c.addresses)) {
        if let Some(code) = a.rsplit(',').next().and_then(country::from_code) {
            ListedEntity::push_unique(&mut e.countries, code);
        }
        ListedEntity::push_unique(&mut e.addresses, &a);
    }
    for d in extract_dates(col(&f, c.dobs)) {
        ListedEntity::push_unique(&mut e.birth_dates, &d);
    }
    for p in split_multi(col(&f, c.programs)) {
        ListedEntity::push_unique(&mut e.programs, &p);
    }
    ListedEntity::push_unique(&mut e.programs, source);
    let mut remarks = Vec::new();
    let title = col(&f, c.title);
    if !title.is_empty() {
        remarks.push(format!("Title: {title}"));
    }
    for s in [col(&f, c.remarks), col(&f, c.ids)] {
        if !s.is_empty() {
            remarks.push(s.to_owned());
        }
    }
    e.remarks = remarks.join("; ");
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(start: &str, end: &str) -> ListedEntity {
        let h = Header::from_names(&["source", "entity_number", "type", "name", "start_date", "end_date"]);
        let fields = ["Denied Persons List (DPL) - Bureau of Industry and Security", "", "", "ACME", start, end];
        row(&csv::ByteRecord::from(fields.to_vec()), &cols(&h), h.len()).unwrap()
    }

    #[test]
    fn start_and_end_dates_bound_the_listing() {
        let e = parse("2017-10-16", "2020-10-13");
        assert_eq!(e.entity_id, "dpl:acme:2017-10-16");
        assert_eq!(e.listed_from.map(|d| d.to_string()).as_deref(), Some("2017-10-16"));
        assert_eq!(e.listed_until.map(|d| d.to_string()).as_deref(), Some("2020-10-13"));
    }

    #[test]
    fn empty_partial_or_impossible_csl_dates_are_left_open_without_a_problem() {
        for (start, end) in [("", ""), ("2017", "2020-10"), ("2017-02-30", "13/10/2020")] {
            let e = parse(start, end);
            assert_eq!(
                (e.listed_from.map(|d| d.to_string()).as_deref(), e.listed_until.map(|d| d.to_string()).as_deref()),
                (None, None),
                "{start:?} {end:?}"
            );
        }
    }

    #[test]
    fn rows_without_entity_number_get_a_source_name_date_id() {
        assert_eq!(derived_id("12345", "x", "y", "2019-01-01"), "12345");
        let el = "Entity List (EL) - Bureau of Industry and Security";
        assert_eq!(derived_id("", el, "Gunther Migeotte", "2010-06-28"), "el:gunther-migeotte:2010-06-28");
        assert_eq!(derived_id("", "Some List", "A.B.", ""), "some-list:a-b");
        assert_eq!(source_code("Nonproliferation Sanctions (ISN) - State Department"), "isn");
    }
}
