//! BIS Denied Persons List: tab-separated text with a quoted header, one row per party and address.
//!
//! The DPL has no ids. An entity's id is the slug of its name, `:`, and the effective date of the denial
//! order as `YYYY-MM-DD` (`adrian-manuel-hernandez:2017-10-16`; just the slug when the row has no date).
//! Rows with the same id are the same denied party listed at several addresses (or written with other
//! punctuation, `AL NASER AIRLINES` / `AL-NASER  AIRLINES`) and form one entity with all their addresses.
//! `Effective_Date` is the listing's first day and `Expiration_Date` (the order's expiry) its end; both are
//! also kept in the remarks.

use crate::source::{self, Header, col, csv_reader, decode};
use crate::text::{slug, us_date};
use crate::{Ctx, Format, Groups, Loaded, country};
use accord_core::Result;
use accord_core::listed::{EntityKind, ListedEntity};
use std::path::Path;

/// The program every DPL entity carries.
const PROGRAM: &str = "BIS Denied Persons List";

pub(crate) fn read(path: &Path, ctx: &mut Ctx) -> Result<Loaded> {
    let files = source::list_files(path, Format::BisDpl, &[".txt", ".tsv"])?;
    let mut groups = Groups::default();
    for f in &files {
        read_file(f, ctx, &mut groups)?;
    }
    Ok(Loaded { list_id: Format::BisDpl.default_list_id().to_owned(), entities: groups.into_entities(), files })
}

/// The id a DPL row gets from its name and effective date (`MM/DD/YYYY`).
pub(crate) fn derived_id(name: &str, effective: &str) -> Option<String> {
    let s = slug(name);
    if s.is_empty() {
        return None;
    }
    if effective.trim().is_empty() {
        return Some(s);
    }
    us_date(effective).map(|d| format!("{s}:{d}"))
}

struct Cols {
    name: Option<usize>,
    street: Option<usize>,
    city: Option<usize>,
    state: Option<usize>,
    country: Option<usize>,
    postal: Option<usize>,
    effective: Option<usize>,
    expiration: Option<usize>,
    citation: Option<usize>,
}

fn cols(header: &Header) -> Cols {
    Cols {
        name: header.find("Name"),
        street: header.find("Street_Address"),
        city: header.find("City"),
        state: header.find("State"),
        country: header.find("Country"),
        postal: header.find("Postal_Code"),
        effective: header.find("Effective_Date"),
        expiration: header.find("Expiration_Date"),
        citation: header.find("FR_Citation"),
    }
}

fn read_file(path: &Path, ctx: &mut Ctx, groups: &mut Groups) -> Result<()> {
    let mut rdr = csv_reader(path, b'\t')?;
    let header = Header::read(&mut rdr, path)?;
    header.require(path, &["Name", "Effective_Date"], "BIS Denied Persons List")?;
    let c = cols(&header);
    let columns = header.len();
    crate::rows_into_groups(&mut rdr, path, ctx, groups, |rec| row(rec, &c, columns))
}

fn row(rec: &csv::ByteRecord, c: &Cols, columns: usize) -> std::result::Result<ListedEntity, String> {
    let f = decode(rec).map_err(|col| format!("column {col} is not valid UTF-8"))?;
    if f.len() != columns {
        return Err(format!("expected {columns} columns, found {}", f.len()));
    }
    let name = col(&f, c.name);
    if name.is_empty() {
        return Err("empty Name".into());
    }
    if slug(name).is_empty() {
        return Err(format!("Name '{name}' has no letter or digit"));
    }
    let effective = col(&f, c.effective);
    let id = derived_id(name, effective)
        .ok_or_else(|| format!("Effective_Date '{effective}' of '{name}' is not MM/DD/YYYY"))?;
    let mut e = ListedEntity::new("", &id, EntityKind::Unknown, name);
    let country_cell = col(&f, c.country);
    let parts: Vec<&str> = [c.street, c.city, c.state, c.postal, c.country]
        .iter()
        .map(|i| col(&f, *i))
        .filter(|s| !s.is_empty())
        .collect();
    ListedEntity::push_unique(&mut e.addresses, &parts.join(", "));
    if let Some(code) = country::from_code_or_name(country_cell) {
        ListedEntity::push_unique(&mut e.countries, code);
    }
    ListedEntity::push_unique(&mut e.programs, PROGRAM);
    e.listed_from = us_date(effective).and_then(|d| d.parse().ok());
    e.listed_until = us_date(col(&f, c.expiration)).and_then(|d| d.parse().ok());
    let mut remarks = Vec::new();
    if let Some(d) = &e.listed_from {
        remarks.push(format!("Effective {d}"));
    }
    if let Some(d) = &e.listed_until {
        remarks.push(format!("expires {d}"));
    }
    let citation = col(&f, c.citation);
    if !citation.is_empty() {
        remarks.push(citation.to_owned());
    }
    e.remarks = remarks.join("; ");
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::from_names(&[
            "Name",
            "Street_Address",
            "City",
            "State",
            "Country",
            "Postal_Code",
            "Effective_Date",
            "Expiration_Date",
            "Standard_Order",
            "Last_Update",
            "Action",
            "FR_Citation",
        ])
    }

    fn parse(effective: &str, expiration: &str) -> std::result::Result<ListedEntity, String> {
        let h = header();
        let c = cols(&h);
        let fields = [
            "ACME",
            "1 MAIN ST",
            "MIAMI",
            "FL",
            "US",
            "33101",
            effective,
            expiration,
            "Y",
            "2017-10-23",
            "FR NOTICE ADDED",
            "82 F.R. 48792",
        ];
        row(&csv::ByteRecord::from(fields.to_vec()), &c, h.len())
    }

    #[test]
    fn effective_and_expiration_dates_bound_the_listing_and_stay_in_the_remarks() {
        let e = parse("10/16/2017", "10/13/2020").unwrap();
        assert_eq!(e.listed_from.map(|d| d.to_string()).as_deref(), Some("2017-10-16"));
        assert_eq!(e.listed_until.map(|d| d.to_string()).as_deref(), Some("2020-10-13"));
        assert_eq!(e.remarks, "Effective 2017-10-16; expires 2020-10-13; 82 F.R. 48792");
    }

    #[test]
    fn a_missing_or_impossible_expiration_date_leaves_the_listing_open_ended() {
        for expiration in ["", "02/30/2020", "2020-10-13"] {
            let e = parse("10/16/2017", expiration).unwrap();
            assert_eq!(e.listed_from.map(|d| d.to_string()).as_deref(), Some("2017-10-16"));
            assert_eq!(e.listed_until, None, "{expiration:?}");
        }
        let undated = parse("", "").unwrap();
        assert_eq!((undated.listed_from, undated.listed_until), (None, None));
    }

    #[test]
    fn ids_are_the_name_slug_and_the_effective_date() {
        assert_eq!(
            derived_id(" ADRIAN MANUEL HERNANDEZ", "10/16/2017").as_deref(),
            Some("adrian-manuel-hernandez:2017-10-16")
        );
        assert_eq!(derived_id("AL-NASER  AIRLINES", "06/05/2019"), derived_id("AL NASER AIRLINES", "06/05/2019"));
        assert_eq!(derived_id("ACME", "").as_deref(), Some("acme"));
        assert_eq!(derived_id("ACME", "2017-10-16"), None);
        assert_eq!(derived_id("--", "10/16/2017"), None);
    }
}
