//! EU sanctions annexes as journal CSV (consolidated `{celex}.csv` or amendment files). Ids are
//! `celex:annex:recordId`, or `celex:annex:` + the slug of the name where the act prints no record number.
//! `startDate` (the designation's printed date) is the listing's first day when it is a full calendar day;
//! the format has no end-date column.

use crate::source::{self, Header, col, csv_reader, decode};
use crate::text::{add_name_with_script_forms, calendar_day, extract_dates, slug, split_multi};
use crate::{Ctx, Format, Groups, Loaded, country};
use accord_core::Result;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use std::path::Path;

pub(crate) fn read(path: &Path, ctx: &mut Ctx) -> Result<Loaded> {
    let files = source::list_files(path, Format::EuJournal, &[".csv"])?;
    let mut groups = Groups::default();
    for f in &files {
        read_file(f, ctx, &mut groups)?;
    }
    Ok(Loaded { list_id: Format::EuJournal.default_list_id().to_owned(), entities: groups.into_entities(), files })
}

/// Column positions used.
struct Cols {
    celex: Option<usize>,
    record_id: Option<usize>,
    program: Option<usize>,
    annex: Option<usize>,
    measure: Option<usize>,
    start: Option<usize>,
    reason: Option<usize>,
    schema: Option<usize>,
    name: Option<usize>,
    alias: Option<usize>,
    weak_alias: Option<usize>,
    previous_name: Option<usize>,
    countries: Vec<usize>,
    dates: Vec<usize>,
    address: Option<usize>,
    position: Option<usize>,
    notes: Option<usize>,
    ids: Vec<(usize, &'static str)>,
}

impl Cols {
    fn new(h: &Header) -> Cols {
        let ids = [
            ("imoNumber", "IMO"),
            ("passportNumber", "Passport"),
            ("registrationNumber", "Registration"),
            ("taxNumber", "Tax no."),
            ("idNumber", "ID"),
            ("innCode", "INN"),
            ("ogrnCode", "OGRN"),
            ("leiCode", "LEI"),
            ("swiftBic", "SWIFT/BIC"),
        ];
        Cols {
            celex: h.find("celex").or_else(|| h.find("amendedCelex")),
            record_id: h.find("recordId"),
            program: h.find("programKey"),
            annex: h.find("annex"),
            measure: h.find("measure"),
            start: h.find("startDate"),
            reason: h.find("reason"),
            schema: h.find("schema"),
            name: h.find("name"),
            alias: h.find("alias"),
            weak_alias: h.find("weakAlias"),
            previous_name: h.find("previousName"),
            countries: ["nationality", "country", "jurisdiction", "flag"].iter().filter_map(|c| h.find(c)).collect(),
            dates: ["birthDate", "incorporationDate"].iter().filter_map(|c| h.find(c)).collect(),
            address: h.find("address"),
            position: h.find("position"),
            notes: h.find("notes"),
            ids: ids.iter().filter_map(|(c, label)| h.find(c).map(|i| (i, *label))).collect(),
        }
    }
}

fn read_file(path: &Path, ctx: &mut Ctx, groups: &mut Groups) -> Result<()> {
    let mut rdr = csv_reader(path, b',')?;
    let header = Header::read(&mut rdr, path)?;
    if header.find("celex").is_none() && header.find("amendedCelex").is_none() {
        header.require(path, &["celex"], "EU journal CSV")?;
    }
    header.require(path, &["recordId", "annex", "schema", "name"], "EU journal CSV")?;
    let cols = Cols::new(&header);
    let columns = header.len();
    crate::rows_into_groups(&mut rdr, path, ctx, groups, |rec| row(rec, &cols, columns))
}

fn kind_of(schema: &str) -> EntityKind {
    match schema {
        "Person" => EntityKind::Person,
        "LegalEntity" | "Organization" | "Company" | "PublicBody" => EntityKind::Organization,
        "Vessel" => EntityKind::Vessel,
        "Airplane" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn row(rec: &csv::ByteRecord, c: &Cols, columns: usize) -> std::result::Result<ListedEntity, String> {
    let f = decode(rec).map_err(|col| format!("column {col} is not valid UTF-8"))?;
    if f.len() != columns {
        return Err(format!("expected {columns} columns, found {}", f.len()));
    }
    let celex = col(&f, c.celex);
    let annex = col(&f, c.annex);
    let name = col(&f, c.name);
    let schema = col(&f, c.schema);
    if celex.is_empty() {
        return Err("empty celex".into());
    }
    if name.is_empty() {
        return Err("empty name".into());
    }
    if schema.is_empty() {
        return Err(format!("'{name}' has no schema"));
    }
    let record = col(&f, c.record_id);
    let id =
        if record.is_empty() { format!("{celex}:{annex}:{}", slug(name)) } else { format!("{celex}:{annex}:{record}") };
    let mut e = ListedEntity::new("", &id, kind_of(schema), name);
    e.listed_from = calendar_day(col(&f, c.start));
    add_name_with_script_forms(&mut e, name, NameKind::Primary);
    for (idx, kind) in
        [(c.alias, NameKind::Alias), (c.weak_alias, NameKind::WeakAlias), (c.previous_name, NameKind::Former)]
    {
        for v in split_multi(col(&f, idx)) {
            add_name_with_script_forms(&mut e, &v, kind);
        }
    }
    for &i in &c.countries {
        for v in split_multi(col(&f, Some(i))) {
            for code in country::all_in(&v) {
                ListedEntity::push_unique(&mut e.countries, code);
            }
        }
    }
    for &i in &c.dates {
        for d in extract_dates(col(&f, Some(i))) {
            ListedEntity::push_unique(&mut e.birth_dates, &d);
        }
    }
    for a in split_multi(col(&f, c.address)) {
        if let Some(code) = country::of_address(&a) {
            ListedEntity::push_unique(&mut e.countries, code);
        }
        ListedEntity::push_unique(&mut e.addresses, &a);
    }
    ListedEntity::push_unique(&mut e.programs, col(&f, c.program));
    let measure = col(&f, c.measure);
    let basis = match (annex.is_empty(), measure.is_empty()) {
        (false, false) => format!("{celex} Annex {annex} ({measure})"),
        (false, true) => format!("{celex} Annex {annex}"),
        (true, false) => format!("{celex} ({measure})"),
        (true, true) => celex.to_owned(),
    };
    ListedEntity::push_unique(&mut e.programs, &basis);
    let mut remarks: Vec<String> = Vec::new();
    let reason = col(&f, c.reason);
    if !reason.is_empty() {
        remarks.push(reason.to_owned());
    }
    for idx in [c.position, c.notes] {
        remarks.extend(split_multi(col(&f, idx)));
    }
    for &(i, label) in &c.ids {
        for v in split_multi(col(&f, Some(i))) {
            remarks.push(format!("{label} {v}"));
        }
    }
    e.remarks = remarks.join("; ");
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(start: &str) -> ListedEntity {
        let h = Header::from_names(&["celex", "recordId", "annex", "startDate", "schema", "name"]);
        let fields = ["32014R0833", "1", "IV", start, "LegalEntity", "JSC Sirius"];
        row(&csv::ByteRecord::from(fields.to_vec()), &Cols::new(&h), h.len()).unwrap()
    }

    #[test]
    fn the_printed_start_date_is_the_first_day_of_the_listing() {
        assert_eq!(parse("12.9.2014").listed_from.map(|d| d.to_string()).as_deref(), Some("2014-09-12"));
        assert_eq!(parse("2 December 1985").listed_from.map(|d| d.to_string()).as_deref(), Some("1985-12-02"));
        assert_eq!(parse("2011-02-28").listed_from.map(|d| d.to_string()).as_deref(), Some("2011-02-28"));
        assert_eq!(parse("12.9.2014").listed_until, None);
    }

    #[test]
    fn a_partial_or_impossible_start_date_is_left_open_without_a_problem() {
        for start in ["", "2011", "2011-02", "31.2.2014"] {
            assert_eq!(parse(start).listed_from, None, "{start:?}");
        }
    }
}
