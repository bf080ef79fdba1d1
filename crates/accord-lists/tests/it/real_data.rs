//! Every list in the shared data folder imports with the counts its manifest gives, known entities come
//! out right, orphan rows are reported with their lines, and the content hash follows the content only.

use accord_core::ErrorCode;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use accord_lists::{Format, ParsedList, detect, read, write_ftm};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn data(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

fn load(rel: &str) -> ParsedList {
    read(&data(rel), None, false).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn entity<'a>(list: &'a ParsedList, id: &str) -> &'a ListedEntity {
    list.entities.iter().find(|e| e.entity_id == id).unwrap_or_else(|| panic!("{} has no entity {id}", list.list_id))
}

fn names_of(e: &ListedEntity, kind: NameKind) -> Vec<&str> {
    e.names.iter().filter(|n| n.kind == kind).map(|n| n.name.as_str()).collect()
}

fn count_kind(list: &ParsedList, kind: EntityKind) -> usize {
    list.entities.iter().filter(|e| e.kind == kind).count()
}

/// Ids sorted and unique, every entity tagged with the list and canonical.
fn assert_well_formed(list: &ParsedList) {
    for w in list.entities.windows(2) {
        assert!(w[0].entity_id < w[1].entity_id, "{}: ids not sorted/unique at {}", list.list_id, w[1].entity_id);
    }
    for e in &list.entities {
        assert_eq!(e.list_id, list.list_id);
        assert!(!e.primary_name().is_empty(), "{} has no name", e.entity_id);
        assert_eq!(e.names[0].kind, NameKind::Primary);
        let mut c = e.clone();
        c.canonicalize();
        assert_eq!(&c, e, "{} is not canonical", e.entity_id);
        for d in &e.birth_dates {
            assert!(matches!(d.len(), 4 | 7 | 10) && d[..4].bytes().all(|b| b.is_ascii_digit()), "{d}");
        }
        for c in &e.countries {
            assert!(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()), "{c}");
        }
    }
    assert_eq!(list.content_hash.len(), 64);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-lists-real-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ofac_sdn_has_every_record_with_aliases_addresses_and_remark_facts() {
    let list = load("ofac/sdn.csv");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "us_ofac_sdn");
    assert_eq!(list.format, Format::OfacSdn);
    assert_eq!(list.entities.len(), 14_965);
    let files: Vec<_> = list.files.iter().map(|f| f.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(files, ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]);
    // SDN_Type: individual / vessel / aircraft / -0- (an organisation).
    assert_eq!(count_kind(&list, EntityKind::Person), 6_854);
    assert_eq!(count_kind(&list, EntityKind::Vessel), 851);
    assert_eq!(count_kind(&list, EntityKind::Aircraft), 376);
    assert_eq!(count_kind(&list, EntityKind::Organization), 6_884);

    let bank = entity(&list, "306");
    assert_eq!(bank.primary_name(), "BANCO NACIONAL DE CUBA");
    assert_eq!(bank.kind, EntityKind::Organization);
    assert_eq!(names_of(bank, NameKind::Alias), ["NATIONAL BANK OF CUBA"]);
    assert_eq!(bank.countries, ["CH", "ES", "JP", "PA"]);
    assert!(bank.addresses.contains(&"Zweierstrasse 35, Zurich CH-8022, Switzerland".to_owned()));
    assert_eq!(bank.programs, ["CUBA"]);
    assert_eq!(bank.remarks, "a.k.a. 'BNC'.");

    let abbas = entity(&list, "2674");
    assert_eq!(abbas.kind, EntityKind::Person);
    assert_eq!(abbas.primary_name(), "ABBAS, Abu");
    assert_eq!(abbas.birth_dates, ["1948-12-10"]);
    assert_eq!(abbas.programs, ["SDGT"]);

    // fka aliases are former names.
    let iran_overseas = entity(&list, "4642");
    assert!(names_of(iran_overseas, NameKind::Former).contains(&"IRAN OVERSEAS INVESTMENT BANK LIMITED"));

    // Vessels take their flag as a country; `-0-` cells stay empty.
    let tug = entity(&list, "4238");
    assert_eq!((tug.primary_name(), tug.kind), ("MAR AZUL", EntityKind::Vessel));
    assert!(tug.countries.contains(&"CU".to_owned()));
    assert_eq!(tug.remarks, "");

    // sdn_comments.csv continues the remarks of 27307 (LAZARUS GROUP).
    let lazarus = entity(&list, "27307");
    assert_eq!(lazarus.primary_name(), "LAZARUS GROUP");
    assert!(lazarus.remarks.contains("WHOIS HACKIN"));
    assert!(lazarus.remarks.contains("G TEAM'; a.k.a. 'RED DOT'"));
    assert!(lazarus.remarks.len() > 1000);

    // Multi-program cells are split.
    assert!(list.entities.iter().any(|e| e.programs.iter().any(|p| p == "NPWMD") && e.programs.len() > 1));

    // The OFAC files give no listing dates.
    assert!(list.entities.iter().all(|e| e.listed_from.is_none() && e.listed_until.is_none()));
}

#[test]
fn ofac_alias_and_address_rows_without_a_primary_record_are_reported_with_their_lines() {
    let list = load("ofac/sdn.csv");
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &list.problems {
        *per_file.entry(p.file.as_str()).or_default() += 1;
        assert!(p.message.contains("is not in sdn.csv"), "{p}");
        assert!(p.line >= 1);
    }
    // The 2025-02 sibling files against the 2024-05-03 sdn.csv (see the manifest): 1,468 alias rows of 945
    // ent_nums, 2,474 address rows and 2 remarks continuations have no primary record.
    assert_eq!(per_file, BTreeMap::from([("add.csv", 2_474), ("alt.csv", 1_468), ("sdn_comments.csv", 2)]));
    let orphan_ids: HashSet<&str> = list
        .problems
        .iter()
        .filter(|p| p.file == "alt.csv")
        .map(|p| p.message.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(orphan_ids.len(), 945);
    let first = list.problems.iter().find(|p| p.file == "alt.csv").unwrap();
    assert_eq!(first.line, 5_936);
    assert!(first.message.contains("17016") && first.message.contains("GAZPROMBANK OPEN JOINT STOCK COMPANY"));
    assert!(list.entities.iter().all(|e| e.entity_id != "17016"));

    // Strict mode stops at the first one and names file and line.
    let err = read(&data("ofac/sdn.csv"), None, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert!(err.message.starts_with("alt.csv, line 5936: ent_num 17016"), "{}", err.message);
}

#[test]
fn a_mutually_consistent_ofac_set_has_no_problems() {
    let list = load("ofac/2021");
    assert_well_formed(&list);
    assert_eq!(list.entities.len(), 8_976);
    assert!(list.problems.is_empty(), "{:?}", list.problems.first());
    assert_eq!(list.files.len(), 3);
}

#[test]
fn ofac_consolidated_list_reads_with_its_own_siblings() {
    let list = load("ofac/cons_prim.csv");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "us_ofac_cons");
    assert_eq!(list.entities.len(), 442);
    assert!(list.problems.is_empty());
    let files: Vec<_> = list.files.iter().map(|f| f.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(files, ["cons_prim.csv", "cons_alt.csv", "cons_add.csv"]);
    let haniya = entity(&list, "9639");
    assert_eq!(haniya.primary_name(), "HANIYA, Ismail Abdul Salah");
    assert_eq!(haniya.kind, EntityKind::Person);
    assert_eq!(haniya.birth_dates, ["1962"]);
    assert!(names_of(haniya, NameKind::Alias).contains(&"HANIYYA, Ismaeel"));
    assert_eq!(haniya.programs, ["NS-PLC"]);
}

#[test]
fn un_list_has_its_individuals_and_entities_with_scripts_qualities_and_dates() {
    let list = load("un/UN_consolidated.xml");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "un_sc");
    assert_eq!(list.entities.len(), 1_003);
    assert_eq!(count_kind(&list, EntityKind::Person), 730);
    assert_eq!(count_kind(&list, EntityKind::Organization), 273);
    assert!(list.problems.is_empty());
    let with_script = |kind| {
        list.entities.iter().filter(|e| e.kind == kind && !names_of(e, NameKind::OriginalScript).is_empty()).count()
    };
    assert_eq!(with_script(EntityKind::Person), 336);
    // 42 entities carry a NAME_ORIGINAL_SCRIPT; QDe.164's is its (Latin) name again, so no extra name.
    assert_eq!(with_script(EntityKind::Organization), 41);
    let jad = entity(&list, "QDe.164");
    assert_eq!(jad.primary_name(), "JAMAAH ANSHARUT DAULAH");
    assert!(names_of(jad, NameKind::OriginalScript).is_empty());

    let q = entity(&list, "QDi.001");
    assert_eq!(q.primary_name(), "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE");
    assert_eq!(names_of(q, NameKind::OriginalScript), ["محمد صلاح الدين عبدالحليم زيدان"]);
    assert!(names_of(q, NameKind::Alias).contains(&"Sayf-Al Adl"));
    assert!(names_of(q, NameKind::WeakAlias).contains(&"Seif al Adel"));
    assert_eq!(q.birth_dates, ["1960-04-11", "1963-04-11"]);
    assert_eq!(q.countries, ["EG"]);
    assert_eq!(q.programs, ["Al-Qaida"]);

    let adf = entity(&list, "CDe.001");
    assert_eq!(adf.kind, EntityKind::Organization);
    assert_eq!(names_of(adf, NameKind::Alias), ["Allied Democratic Forces"]);
    assert!(names_of(adf, NameKind::Former).contains(&"NALU"));
    assert_eq!(adf.addresses, ["North Kivu, Democratic Republic of the Congo"]);
    assert_eq!(adf.countries, ["CD"]);

    // A BETWEEN date gives the years of the span; nationality names become codes.
    let between = entity(&list, "CDi.030");
    assert!(between.birth_dates.contains(&"1973".to_owned()) && between.birth_dates.contains(&"1974".to_owned()));
    assert_eq!(entity(&list, "CDi.001").countries, ["CD", "RW"]);
}

#[test]
fn eu_annex_files_form_one_list_with_celex_annex_record_ids() {
    let list = load("eu");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "eu_journal");
    assert_eq!(list.format, Format::EuJournal);
    assert_eq!(list.files.len(), 5);
    assert!(list.problems.is_empty());
    // One entity per row: no (celex, annex, recordId) repeats in these files, and the rows without a
    // recordId have distinct names within their annex, so no two rows form one entity.
    let per_file =
        [("32006R0765", 408), ("32012R0267", 339), ("32014R0269", 2_802), ("32014R0833", 1_746), ("32017R1509", 326)];
    for (celex, rows) in per_file {
        let n = list.entities.iter().filter(|e| e.entity_id.starts_with(&format!("{celex}:"))).count();
        assert_eq!(n, rows, "{celex}");
        assert_eq!(load(&format!("eu/{celex}.csv")).entities.len(), rows, "{celex} read alone");
    }
    assert_eq!(list.entities.len(), 5_621);
    // Regulation 833/2014: annex IV holds the 921 export-control end users, annex XLII the 633 vessels.
    assert_eq!(list.entities.iter().filter(|e| e.entity_id.starts_with("32014R0833:IV:")).count(), 921);
    let vessels =
        list.entities.iter().filter(|e| e.entity_id.starts_with("32014R0833:") && e.kind == EntityKind::Vessel);
    assert_eq!(vessels.count(), 633);

    let sirius = entity(&list, "32014R0833:IV:1");
    assert_eq!(sirius.primary_name(), "JSC Sirius");
    assert_eq!(sirius.kind, EntityKind::Organization);
    assert!(names_of(sirius, NameKind::Alias).contains(&"Kontsern Sirius"));
    assert_eq!(sirius.countries, ["RU"]);
    assert_eq!(sirius.programs, ["32014R0833 Annex IV (Export control)", "EU-RUS"]);

    let aksyonov = entity(&list, "32014R0269:I.PERSONS:1");
    assert_eq!(aksyonov.kind, EntityKind::Person);
    assert_eq!(aksyonov.birth_dates, ["1972-11-26"]);
    assert!(names_of(aksyonov, NameKind::OriginalScript).contains(&"Сергей Валерьевич АКСЁНОВ"));
    assert!(names_of(aksyonov, NameKind::Alias).contains(&"Sergei Valerievich AKSENOV"));

    // A row without recordId: celex, annex and the slug of the name.
    assert_eq!(entity(&list, "32014R0833:V:united-aircraft-corporation").primary_name(), "UNITED AIRCRAFT CORPORATION");
}

#[test]
fn dpl_rows_of_one_party_form_one_entity_with_a_derived_id() {
    let list = load("bis/dpl.txt");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "us_bis_dpl");
    assert!(list.problems.is_empty());
    let rows = std::fs::read_to_string(data("bis/dpl.txt")).unwrap().lines().count() - 1;
    assert_eq!(rows, 546);
    // 546 rows, one per party and address: 416 parties (name slug + effective date), the rest are further
    // addresses of a party, other spellings of its name (`AL-NASER  AIRLINES`) or repeated rows.
    assert_eq!(list.entities.len(), 416);
    let addresses: usize = list.entities.iter().map(|e| e.addresses.len()).sum();
    assert!(addresses > 416 && addresses <= 546, "{addresses}");
    for e in &list.entities {
        let (slug, date) = e.entity_id.rsplit_once(':').unwrap();
        assert!(!slug.is_empty() && date.len() == 10, "{}", e.entity_id);
        assert_eq!(e.programs, ["BIS Denied Persons List"]);
    }
    let hernandez = entity(&list, "adrian-manuel-hernandez:2017-10-16");
    assert_eq!(hernandez.primary_name(), "ADRIAN MANUEL HERNANDEZ");
    assert_eq!(hernandez.addresses, ["3037 S. 69TH DRIVE, PHONEIX, AZ, 85043"]);
    let naser = entity(&list, "al-naser-airlines:2019-06-05");
    assert_eq!(names_of(naser, NameKind::Alias), ["AL-NASER  AIRLINES"]);
    assert_eq!(naser.addresses.len(), 4);
    assert_eq!(naser.countries, ["AE", "IQ", "JO"]);
}

fn listing_days(list: &ParsedList) -> (usize, usize) {
    let from = list.entities.iter().filter(|e| e.listed_from.is_some()).count();
    let until = list.entities.iter().filter(|e| e.listed_until.is_some()).count();
    (from, until)
}

/// `MM/DD/YYYY` as `YYYY-MM-DD`, written out here so the test does not lean on the importer's parser.
fn day(d: &str) -> jiff::civil::Date {
    d.parse().expect("a day")
}

fn iso_of_us(d: &str) -> Option<String> {
    let d = d.trim_matches('"');
    (d.len() == 10).then(|| format!("{}-{}-{}", &d[6..], &d[..2], &d[3..5]))
}

#[test]
fn dpl_listings_run_from_the_effective_date_until_the_expiration_date() {
    let list = load("bis/dpl.txt");
    let text = std::fs::read_to_string(data("bis/dpl.txt")).unwrap();
    // (trimmed name, effective, expiration) of every row, straight from the file.
    let rows: Vec<(String, Option<String>, Option<String>)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].trim_matches('"').replace("\"\"", "\"").trim().to_owned(), iso_of_us(f[6]), iso_of_us(f[7]))
        })
        .collect();
    assert!(rows.iter().all(|r| r.1.is_some()), "every row of this copy has an Effective_Date");
    assert_eq!(rows.iter().filter(|r| r.2.is_some()).count(), 493);
    // Every party has an effective date; 371 of the 416 have an expiration date (the other 45 orders have
    // none in any of their rows), and a party's rows always agree on it.
    assert_eq!(listing_days(&list), (416, 371));
    for e in &list.entities {
        let from = e.listed_from.unwrap().to_string();
        assert!(e.entity_id.ends_with(&format!(":{from}")), "{}", e.entity_id);
        let mine: Vec<_> = rows
            .iter()
            .filter(|(n, eff, _)| eff.as_deref() == Some(from.as_str()) && e.names.iter().any(|x| x.name == *n))
            .collect();
        assert!(!mine.is_empty(), "{}", e.entity_id);
        for (_, _, until) in mine {
            assert_eq!(&e.listed_until.map(|d| d.to_string()), until, "{}", e.entity_id);
        }
        // The remarks keep the dates as before.
        assert!(e.remarks.starts_with(&format!("Effective {from}")), "{}", e.remarks);
        assert_eq!(e.remarks.contains("; expires "), e.listed_until.is_some(), "{}", e.remarks);
    }
    let hernandez = entity(&list, "adrian-manuel-hernandez:2017-10-16");
    assert_eq!(hernandez.listed_from.map(|d| d.to_string()).as_deref(), Some("2017-10-16"));
    assert_eq!(hernandez.listed_until.map(|d| d.to_string()).as_deref(), Some("2020-10-13"));
    assert!(!hernandez.listed_on(day("2017-10-15")) && hernandez.listed_on(day("2019-06-29")));
    assert!(!hernandez.listed_on(day("2020-10-13")), "the denial order has expired");
}

#[test]
fn un_entries_are_listed_from_their_listed_on_date() {
    let list = load("un/UN_consolidated.xml");
    // Every entry has a LISTED_ON (10 of them with a time-zone suffix, `2015-04-07-04:00`); none has an end.
    assert_eq!(listing_days(&list), (1_003, 0));
    assert_eq!(entity(&list, "QDi.001").listed_from.map(|d| d.to_string()).as_deref(), Some("2001-01-25"));
    assert_eq!(entity(&list, "CDi.001").listed_from.map(|d| d.to_string()).as_deref(), Some("2012-12-31"));
    let zoned = entity(&list, "QDi.352");
    assert_eq!(zoned.listed_from.map(|d| d.to_string()).as_deref(), Some("2015-04-07"));
    assert!(!zoned.listed_on(day("2015-04-06")) && zoned.listed_on(day("2015-04-07")));
}

#[test]
fn eu_listings_start_on_the_printed_designation_date() {
    let list = load("eu");
    // 5,507 of the 5,621 rows print a full date (dotted or worded); the other 114 print none. The format has
    // no end-date column.
    assert_eq!(listing_days(&list), (5_507, 0));
    let per_file =
        [("32006R0765", 377), ("32012R0267", 339), ("32014R0269", 2_801), ("32014R0833", 1_665), ("32017R1509", 325)];
    for (celex, dated) in per_file {
        let n = list
            .entities
            .iter()
            .filter(|e| e.entity_id.starts_with(&format!("{celex}:")) && e.listed_from.is_some())
            .count();
        assert_eq!(n, dated, "{celex}");
    }
    assert_eq!(entity(&list, "32014R0833:IV:1").listed_from.map(|d| d.to_string()).as_deref(), Some("2014-09-12"));
    assert_eq!(
        entity(&list, "32014R0833:XIV:bank-otkritie").listed_from.map(|d| d.to_string()).as_deref(),
        Some("2022-03-12")
    );
    assert_eq!(entity(&list, "32014R0833:III:1").listed_from, None, "Sberbank's row prints no date");
}

#[test]
fn csl_listings_take_start_and_end_dates_and_agree_with_the_dpl() {
    let list = load("csl/csl.csv");
    // 33 rows give a start_date and 7 an end_date; two pairs of them are one party each.
    assert_eq!(listing_days(&list), (31, 6));
    let naser = entity(&list, "dpl:al-naser-wings-airlines:2019-06-05");
    assert_eq!(naser.listed_from.map(|d| d.to_string()).as_deref(), Some("2019-06-05"));
    assert_eq!(naser.listed_until.map(|d| d.to_string()).as_deref(), Some("2019-12-03"));
    assert_eq!(
        entity(&list, "el:gunther-migeotte:2010-06-28").listed_from.map(|d| d.to_string()).as_deref(),
        Some("2010-06-28")
    );
    // The CSL's DPL rows carry the same period as the DPL itself where both copies list the party.
    let dpl = load("bis/dpl.txt");
    let mut shared = 0;
    for e in list.entities.iter().filter(|e| e.entity_id.starts_with("dpl:")) {
        if let Some(d) = dpl.entities.iter().find(|d| format!("dpl:{}", d.entity_id) == e.entity_id) {
            assert_eq!((&e.listed_from, &e.listed_until), (&d.listed_from, &d.listed_until), "{}", e.entity_id);
            shared += 1;
        }
    }
    // 6 of the CSL's 7 DPL parties are in the DPL copy (ADAM AL HERZ was listed after it, on 2019-08-13).
    assert_eq!(shared, 6);
}

#[test]
fn csl_keeps_entity_numbers_and_derives_ids_for_the_rest() {
    let list = load("csl/csl.csv");
    assert_well_formed(&list);
    assert_eq!(list.list_id, "us_csl");
    assert!(list.problems.is_empty());
    // 115 rows: 68 with an entity_number, 47 without, of which two pairs share source, name and start date
    // (two addresses of the same party) and form one entity each.
    assert_eq!(list.entities.len(), 113);
    let numbered = list.entities.iter().filter(|e| e.entity_id.bytes().all(|b| b.is_ascii_digit())).count();
    assert_eq!(numbered, 68);
    let naser = entity(&list, "9696");
    assert_eq!(naser.primary_name(), "ABDUL JAWAD, Naser");
    assert_eq!(naser.kind, EntityKind::Person);
    assert_eq!(names_of(naser, NameKind::Alias), ["ABDEL JAWAD, Nasir Abdullah Odeh"]);
    assert_eq!(naser.birth_dates, ["1965"]);
    assert!(naser.programs.contains(&"NS-PLC".to_owned()));
    let migeotte = entity(&list, "el:gunther-migeotte:2010-06-28");
    assert_eq!(migeotte.addresses.len(), 5);
    assert_eq!(migeotte.countries, ["NO", "ZA"]);
    assert_eq!(entity(&list, "dpl:adrian-manuel-hernandez:2017-10-16").kind, EntityKind::Unknown);
}

#[test]
fn identical_content_hashes_identically_and_snapshots_differ() {
    let a = load("ofac/sdn.csv");
    let b = load("ofac/sdn.csv");
    assert_eq!(a.content_hash, b.content_hash);
    let older = load("ofac/sdn-2024-04-26.csv");
    assert_eq!(older.entities.len(), 14_668);
    let oldest = load("ofac/sdn-2022-03-15.csv");
    assert_eq!(oldest.entities.len(), 9_377);
    let hashes: HashSet<_> = [&a.content_hash, &older.content_hash, &oldest.content_hash].into_iter().collect();
    assert_eq!(hashes.len(), 3);
    assert_eq!(older.files[0].file_name().unwrap(), "sdn-2024-04-26.csv");
}

#[test]
fn row_order_does_not_change_the_content_hash() {
    let dir = temp_dir("reversed");
    for name in ["cons_prim.csv", "cons_alt.csv", "cons_add.csv"] {
        let text = std::fs::read_to_string(data(&format!("ofac/{name}"))).unwrap();
        let mut lines: Vec<&str> = text.split("\r\n").filter(|l| !l.trim_matches('\u{1a}').trim().is_empty()).collect();
        lines.reverse();
        std::fs::write(dir.join(name), lines.join("\r\n") + "\r\n").unwrap();
    }
    let reversed = read(&dir, None, false).unwrap();
    let original = load("ofac/cons_prim.csv");
    assert_eq!(reversed.entities, original.entities);
    assert_eq!(reversed.content_hash, original.content_hash);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ftm_export_of_every_list_imports_to_the_same_list_ids_and_content() {
    let dir = temp_dir("ftm");
    for rel in ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"] {
        let list = load(rel);
        let path = dir.join(format!("{}.ftm.json", list.list_id));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        write_ftm(&list.entities, &mut out).unwrap();
        drop(out);
        assert_eq!(detect(&path).unwrap(), Format::Ftm);
        let back = read(&path, None, true).unwrap();
        assert_eq!(back.format, Format::Ftm);
        assert_eq!(back.list_id, list.list_id, "{rel}");
        assert_eq!(back.entities.len(), list.entities.len(), "{rel}");
        for (a, b) in list.entities.iter().zip(&back.entities) {
            assert_eq!(a, b, "{rel}");
        }
        assert_eq!(back.content_hash, list.content_hash, "{rel}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn formats_of_the_real_files_and_folders_are_detected() {
    for (rel, format) in [
        ("ofac/sdn.csv", Format::OfacSdn),
        ("ofac/sdn-2022-03-15.csv", Format::OfacSdn),
        ("ofac/cons_prim.csv", Format::OfacCons),
        ("ofac", Format::OfacSdn),
        ("ofac/2021", Format::OfacSdn),
        ("un/UN_consolidated.xml", Format::UnXml),
        ("un", Format::UnXml),
        ("eu/32014R0833.csv", Format::EuJournal),
        ("eu", Format::EuJournal),
        ("bis/dpl.txt", Format::BisDpl),
        ("bis", Format::BisDpl),
        ("csl/csl.csv", Format::Csl),
        ("csl", Format::Csl),
    ] {
        assert_eq!(detect(&data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")), format, "{rel}");
    }
    for rel in
        ["ofac/alt.csv", "ofac/sdn_comments.csv", "MANIFEST.md", "bis/mieu.csv", "denials/denial_sample.csv", "."]
    {
        assert_eq!(detect(&data(rel)).unwrap_err().code, ErrorCode::UnknownFormat, "{rel}");
    }
    assert!(detect(&data("ofac/alt.csv")).unwrap_err().message.contains("sdn.csv"));
}

#[test]
fn all_lists_import_together_without_clashing_ids() {
    let mut total = 0;
    let mut keys = std::collections::HashSet::new();
    for rel in ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"] {
        let list = load(rel);
        total += list.entities.len();
        for e in &list.entities {
            assert!(keys.insert((e.list_id.clone(), e.entity_id.clone())), "{} {} twice", e.list_id, e.entity_id);
        }
    }
    assert_eq!(total, 14_965 + 442 + 1_003 + 5_621 + 416 + 113);
}
