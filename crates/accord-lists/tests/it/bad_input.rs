//! Damaged input, from tiny files written here: bad rows are skipped and reported with file and line (or
//! abort in strict mode), files that are not the format at all are malformed in every mode, and unknown
//! or missing paths get their own error codes.

use accord_core::ErrorCode;
use accord_core::listed::{EntityKind, NameKind};
use accord_lists::{Format, ParsedList, Problem, detect, read};
use std::path::{Path, PathBuf};

/// A temporary folder removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("accord-lists-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sdn_row(id: &str, name: &str, kind: &str, remarks: &str) -> String {
    format!("{id},\"{name}\",{kind},\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{remarks}\"\r\n")
}

fn lines(list: &ParsedList) -> Vec<(&str, u64)> {
    list.problems.iter().map(|p| (p.file.as_str(), p.line)).collect()
}

fn ids(list: &ParsedList) -> Vec<&str> {
    list.entities.iter().map(|e| e.entity_id.as_str()).collect()
}

/// An OFAC folder whose sdn.csv has a good row, then a non-numeric id, a short row, invalid UTF-8, a
/// duplicate id and a good row, ending with the DOS end-of-file byte; alt.csv has one orphan.
fn damaged_ofac(dir: &Dir) -> PathBuf {
    let mut sdn = Vec::new();
    sdn.extend(sdn_row("10", "SMITH, John", "\"individual\"", "DOB 01 Jan 1970; nationality Russia.").as_bytes());
    sdn.extend(sdn_row("x12", "BAD ID", "-0- ", "").as_bytes());
    sdn.extend(b"13,\"SHORT ROW\",-0- ,\"SDGT\"\r\n");
    sdn.extend(b"14,\"BAD \xff NAME\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    sdn.extend(sdn_row("10", "SMITH AGAIN", "\"individual\"", "").as_bytes());
    sdn.extend(sdn_row("15", "ACME TRADING LLC", "-0- ", "Organization Established Date 2001.").as_bytes());
    sdn.push(0x1a);
    let path = dir.file("sdn.csv", sdn);
    dir.file(
        "alt.csv",
        "15,1,\"aka\",\"ACME LLC\",-0- \r\n99,2,\"aka\",\"NOBODY\",-0- \r\n15,3,\"fka\",\"OLD ACME\",-0- \r\n",
    );
    path
}

#[test]
fn ofac_rows_with_bad_ids_missing_columns_or_invalid_utf8_are_skipped_and_reported() {
    let dir = Dir::new("ofac-default");
    let list = read(&damaged_ofac(&dir), None, false).unwrap();
    assert_eq!(ids(&list), ["10", "15"]);
    assert_eq!(
        lines(&list),
        [("sdn.csv", 2), ("sdn.csv", 3), ("sdn.csv", 4), ("sdn.csv", 5), ("alt.csv", 2)],
        "{:#?}",
        list.problems
    );
    let messages: Vec<&str> = list.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages[0].contains("'x12' is not a number"));
    assert!(messages[1].contains("expected 12 columns, found 4"));
    assert!(messages[2].contains("not valid UTF-8"));
    assert!(messages[3].contains("duplicate ent_num 10 (first on line 1)"));
    assert!(messages[4].contains("ent_num 99 is not in sdn.csv") && messages[4].contains("NOBODY"));
    assert_eq!(list.problems[0].to_string(), format!("sdn.csv, line 2: {}", messages[0]));

    let smith = &list.entities[0];
    assert_eq!((smith.primary_name(), smith.kind), ("SMITH, John", EntityKind::Person));
    assert_eq!(smith.birth_dates, ["1970-01-01"]);
    assert_eq!(smith.countries, ["RU"]);
    let acme = &list.entities[1];
    assert_eq!(acme.kind, EntityKind::Organization);
    assert_eq!(acme.birth_dates, ["2001"]);
    let kinds: Vec<_> = acme.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    assert_eq!(
        kinds,
        [("ACME TRADING LLC", NameKind::Primary), ("ACME LLC", NameKind::Alias), ("OLD ACME", NameKind::Former)]
    );
}

#[test]
fn ofac_files_are_found_whatever_the_case_of_their_names() {
    let dir = Dir::new("ofac-upper");
    dir.file("SDN.CSV", sdn_row("7", "UPPER CASE CO", "-0- ", ""));
    dir.file("ALT.CSV", "7,1,\"aka\",\"UC CO\",-0- \r\n");
    assert_eq!(detect(&dir.0).unwrap(), Format::OfacSdn);
    let list = read(&dir.0, None, true).unwrap();
    assert_eq!(list.entities[0].names.len(), 2);
    assert_eq!(list.files.len(), 2);
}

#[test]
fn strict_mode_stops_at_the_first_bad_row_naming_file_and_line() {
    let dir = Dir::new("ofac-strict");
    let err = read(&damaged_ofac(&dir), None, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert_eq!(err.message, "sdn.csv, line 2: ent_num 'x12' is not a number");
    let details = err.details.unwrap();
    assert_eq!((details["file"].as_str(), details["line"].as_u64()), (Some("sdn.csv"), Some(2)));

    // A clean file passes strict mode.
    let clean = Dir::new("ofac-strict-clean");
    let path = clean.file("sdn.csv", sdn_row("1", "CLEAN CO", "-0- ", ""));
    assert_eq!(ids(&read(&path, None, true).unwrap()), ["1"]);
}

#[test]
fn an_empty_ofac_file_is_malformed_not_an_empty_list() {
    let dir = Dir::new("ofac-empty");
    let path = dir.file("sdn.csv", "");
    assert_eq!(detect(&path).unwrap(), Format::OfacSdn);
    for strict in [false, true] {
        let err = read(&path, None, strict).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedFile);
        assert!(err.message.contains("empty"), "{}", err.message);
    }
}

#[test]
fn a_file_of_another_format_read_as_ofac_is_malformed_in_every_mode() {
    let dir = Dir::new("ofac-wrong");
    let path = dir.file("list.csv", "source,entity_number,type,name\nSome List,1,Entity,ACME\n");
    let err = read(&path, Some(Format::OfacSdn), false).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert!(err.message.starts_with("list.csv: not an OFAC list file"), "{}", err.message);
}

const UN_HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\">\n<INDIVIDUALS>\n";

fn un_person(reference: &str, first: &str, second: &str) -> String {
    format!(
        "<INDIVIDUAL>\n<FIRST_NAME>{first}</FIRST_NAME>\n<SECOND_NAME>{second}</SECOND_NAME>\n\
         <REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>\n<NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY>\n\
         <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu {second}</ALIAS_NAME></INDIVIDUAL_ALIAS>\n\
         <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1970-05-01</DATE>\
         </INDIVIDUAL_DATE_OF_BIRTH>\n\
         </INDIVIDUAL>\n"
    )
}

const UN_TAIL: &str = "</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n";

#[test]
fn a_small_un_file_reads_names_aliases_dates_and_nationalities() {
    let dir = Dir::new("un-good");
    let path = dir.file("un.xml", format!("{UN_HEAD}{}{UN_TAIL}", un_person("XXi.001", "ALI", "HASSAN")));
    assert_eq!(detect(&path).unwrap(), Format::UnXml);
    let list = read(&path, None, true).unwrap();
    let e = &list.entities[0];
    assert_eq!((e.entity_id.as_str(), e.primary_name()), ("XXi.001", "ALI HASSAN"));
    assert_eq!(e.names[1].name, "Abu HASSAN");
    assert_eq!(e.names[1].kind, NameKind::WeakAlias);
    assert_eq!(e.birth_dates, ["1970-05-01"]);
    assert_eq!(e.countries, ["IQ"]);
}

#[test]
fn a_truncated_un_file_is_malformed_in_every_mode() {
    let dir = Dir::new("un-truncated");
    let first = format!("{UN_HEAD}{}", un_person("XXi.001", "ALI", "HASSAN"));
    let full = format!("{first}{}{UN_TAIL}", un_person("XXi.002", "OMAR", "SAID"));
    // Cut after a whole record, and in the middle of a tag.
    for cut in [first.len(), first.len() + 30] {
        let path = dir.file("un.xml", &full[..cut]);
        for strict in [false, true] {
            let err = read(&path, Some(Format::UnXml), strict).unwrap_err();
            assert_eq!(err.code, ErrorCode::MalformedFile);
            assert!(err.message.starts_with("un.xml") && err.message.contains("truncated"), "{}", err.message);
        }
    }
}

#[test]
fn a_non_xml_or_foreign_xml_file_read_as_un_is_malformed() {
    let dir = Dir::new("un-foreign");
    for (name, content) in [("a.xml", "just some text\n"), ("b.xml", "<html><body>hi</body></html>"), ("c.xml", "")] {
        let path = dir.file(name, content);
        let err = read(&path, Some(Format::UnXml), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedFile, "{name}");
        assert!(err.message.contains("not a UN consolidated list"), "{}", err.message);
    }
}

#[test]
fn an_unclosed_element_inside_a_un_record_skips_only_that_record() {
    let dir = Dir::new("un-unclosed");
    let broken = "<INDIVIDUAL>\n<FIRST_NAME>BROKEN\n<REFERENCE_NUMBER>XXi.002</REFERENCE_NUMBER>\n</INDIVIDUAL>\n";
    let content = format!(
        "{UN_HEAD}{}{broken}{}{UN_TAIL}",
        un_person("XXi.001", "ALI", "HASSAN"),
        un_person("XXi.003", "OMAR", "SAID")
    );
    let path = dir.file("un.xml", content);
    let list = read(&path, None, false).unwrap();
    assert_eq!(ids(&list), ["XXi.001", "XXi.003"]);
    assert_eq!(lines(&list), [("un.xml", 15)], "{:#?}", list.problems);
    assert!(list.problems[0].message.contains("<FIRST_NAME> opened on line 13 is not closed"), "{}", list.problems[0]);
    let err = read(&path, None, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert!(err.message.starts_with("un.xml, line 15: element <FIRST_NAME>"), "{}", err.message);

    // A record left open until its parent closes is reported too, and the next section still reads.
    let open_record = "<INDIVIDUAL>\n<FIRST_NAME>OPEN</FIRST_NAME>\n<REFERENCE_NUMBER>XXi.004</REFERENCE_NUMBER>\n";
    let entities =
        "<ENTITIES>\n<ENTITY><FIRST_NAME>ACME</FIRST_NAME><REFERENCE_NUMBER>XXe.001</REFERENCE_NUMBER></ENTITY>\n";
    let content = format!("{UN_HEAD}{open_record}</INDIVIDUALS>\n{entities}</ENTITIES>\n</CONSOLIDATED_LIST>\n");
    let list = read(&dir.file("un.xml", content), None, false).unwrap();
    assert_eq!(ids(&list), ["XXe.001"]);
    assert_eq!(lines(&list), [("un.xml", 7)], "{:#?}", list.problems);
    assert!(list.problems[0].message.contains("<INDIVIDUAL> opened on line 4 is not closed before </INDIVIDUALS>"));
}

#[test]
fn invalid_utf8_or_a_missing_reference_in_a_un_record_is_reported() {
    let dir = Dir::new("un-utf8");
    let mut content = format!("{UN_HEAD}{}", un_person("XXi.001", "ALI", "HASSAN")).into_bytes();
    content.extend(b"<INDIVIDUAL>\n<FIRST_NAME>BAD \xff NAME</FIRST_NAME>\n");
    content.extend(b"<REFERENCE_NUMBER>XXi.002</REFERENCE_NUMBER>\n</INDIVIDUAL>\n");
    content.extend(b"<INDIVIDUAL>\n<FIRST_NAME>NO REFERENCE</FIRST_NAME>\n</INDIVIDUAL>\n");
    content.extend(UN_TAIL.as_bytes());
    let list = read(&dir.file("un.xml", content), None, false).unwrap();
    assert_eq!(ids(&list), ["XXi.001"]);
    assert_eq!(lines(&list), [("un.xml", 13), ("un.xml", 16)], "{:#?}", list.problems);
    assert!(list.problems[1].message.contains("without REFERENCE_NUMBER"));
}

const EU_HEADER: &str = "celex,recordId,programKey,annex,measure,startDate,reason,schema,name,alias,weakAlias,\
previousName,country,nationality,jurisdiction,birthDate,birthPlace,position,passportNumber,gender,appearance,\
ethnicity,fatherName,motherName,incorporationDate,legalForm,sector,registrationNumber,taxNumber,idNumber,innCode,\
ogrnCode,kppCode,okpoCode,leiCode,swiftBic,ticker,imoNumber,mmsi,flag,address,phone,email,website,notes\n";

fn eu_row(
    record: &str,
    program: &str,
    schema: &str,
    name: &str,
    alias: &str,
    nationality: &str,
    birth: &str,
) -> String {
    let mut cells = vec![""; 45];
    cells[0] = "32099R0001";
    cells[1] = record;
    cells[2] = program;
    cells[3] = "I";
    cells[4] = "Asset freeze";
    cells[7] = schema;
    cells[8] = name;
    cells[9] = alias;
    cells[13] = nationality;
    cells[15] = birth;
    let quoted: Vec<String> = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
    quoted.join(",") + "\n"
}

#[test]
fn eu_rows_with_the_same_record_form_one_entity_and_short_rows_are_reported() {
    let dir = Dir::new("eu-merge");
    let content = format!(
        "{EU_HEADER}{}{}{}the,short,row\n{}",
        eu_row(
            "1",
            "EU-AAA",
            "Person",
            "Ivan PETROV (Иван ПЕТРОВ)",
            "\"Ivan; PETROFF\"; John DOE",
            "Russian, Ukrainian",
            "7.2.1956"
        ),
        eu_row("1", "EU-BBB", "Person", "Ivan PETROV (Иван ПЕТРОВ)", "", "", ""),
        eu_row("", "EU-AAA", "LegalEntity", "Acme Holding", "", "", ""),
        eu_row("2", "EU-AAA", "Person", "", "", "", ""),
    );
    let path = dir.file("32099R0001.csv", content);
    assert_eq!(detect(&path).unwrap(), Format::EuJournal);
    let list = read(&path, None, false).unwrap();
    assert_eq!(ids(&list), ["32099R0001:I:1", "32099R0001:I:acme-holding"]);
    assert_eq!(lines(&list), [("32099R0001.csv", 5), ("32099R0001.csv", 6)], "{:#?}", list.problems);
    assert!(list.problems[0].message.contains("expected 45 columns, found 3"));
    assert!(list.problems[1].message.contains("empty name"));
    let petrov = &list.entities[0];
    assert_eq!(petrov.programs, ["32099R0001 Annex I (Asset freeze)", "EU-AAA", "EU-BBB"]);
    assert_eq!(petrov.countries, ["RU", "UA"]);
    assert_eq!(petrov.birth_dates, ["1956-02-07"]);
    let names: Vec<_> = petrov.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    assert_eq!(
        names,
        [
            ("Ivan PETROV (Иван ПЕТРОВ)", NameKind::Primary),
            ("Ivan PETROV", NameKind::Alias),
            ("Ivan; PETROFF", NameKind::Alias),
            ("John DOE", NameKind::Alias),
            ("Иван ПЕТРОВ", NameKind::OriginalScript),
        ]
    );
    assert_eq!(list.entities[1].kind, EntityKind::Organization);
}

#[test]
fn csv_files_without_their_required_columns_are_malformed_in_every_mode() {
    let dir = Dir::new("headers");
    let eu = dir.file("eu.csv", "celex,recordId,annex,name\n32099R0001,1,I,ACME\n");
    let csl = dir.file("csl.csv", "source,name,type\nx,ACME,Entity\n");
    let dpl = dir.file("dpl.txt", "\"Name\"\t\"City\"\n\"ACME\"\t\"X\"\n");
    for (path, format, missing) in [
        (&eu, Format::EuJournal, "schema"),
        (&csl, Format::Csl, "entity_number"),
        (&dpl, Format::BisDpl, "Effective_Date"),
    ] {
        for strict in [false, true] {
            let err = read(path, Some(format), strict).unwrap_err();
            assert_eq!(err.code, ErrorCode::MalformedFile, "{format}");
            assert!(
                err.message.contains("line 1 lacks the column(s)") && err.message.contains(missing),
                "{}",
                err.message
            );
        }
    }
    let empty = dir.file("empty.csv", "");
    assert_eq!(read(&empty, Some(Format::EuJournal), false).unwrap_err().code, ErrorCode::MalformedFile);
}

#[test]
fn dpl_and_csl_rows_that_cannot_get_an_id_are_reported() {
    let dir = Dir::new("dpl-csl");
    let dpl = dir.file(
        "dpl.txt",
        "\"Name\"\t\"Country\"\t\"Effective_Date\"\n\
         \"ACME LTD\"\t\"PRC\"\t\"01/02/2003\"\n\
         \"BAD DATE CO\"\t\"US\"\t\"2003-01-02\"\n\
         \"\"\t\"US\"\t\"01/02/2003\"\n",
    );
    let list = read(&dpl, None, false).unwrap();
    assert_eq!(ids(&list), ["acme-ltd:2003-01-02"]);
    assert_eq!(list.entities[0].countries, ["CN"]);
    assert_eq!(lines(&list), [("dpl.txt", 3), ("dpl.txt", 4)]);
    assert!(list.problems[0].message.contains("is not MM/DD/YYYY"));

    let csl = dir.file(
        "csl.csv",
        "source,entity_number,type,name,alt_names,addresses\n\
         Entity List (EL) - BIS,,Entity,ACME,ACME CO; ACME INC,\"1 Road, Paris, FR\"\n\
         Entity List (EL) - BIS,,Entity,---,,\n",
    );
    let list = read(&csl, None, false).unwrap();
    assert_eq!(ids(&list), ["el:acme"]);
    assert_eq!(list.entities[0].names.len(), 3);
    assert_eq!(list.entities[0].countries, ["FR"]);
    assert_eq!(lines(&list), [("csl.csv", 3)]);
}

#[test]
fn ftm_lines_that_are_not_entities_are_reported_and_the_list_id_comes_from_datasets() {
    let dir = Dir::new("ftm");
    let good = concat!(
        r#"{"id":"p1","schema":"Person","properties":{"name":["Jane ROE","Джейн"],"alias":["J. Roe"],"#,
        r#""birthDate":["1980-02"],"nationality":["gb"]},"datasets":["uk_list"]}"#
    );
    let company = concat!(
        r#"{"id":"c1","schema":"Company","properties":{"name":["Roe Ltd"],"country":["gb","zz"]},"#,
        r#""datasets":["uk_list"]}"#
    );
    let sanction = r#"{"id":"s1","schema":"Sanction","properties":{"entity":["p1"]},"datasets":["uk_list"]}"#;
    let path = dir.file(
        "list.ftm.json",
        format!("{good}\n{sanction}\n{{not json\n\n{company}\n{{\"schema\":\"Person\",\"properties\":{{}}}}\n"),
    );
    let list = read(&path, None, false).unwrap();
    assert_eq!(list.format, Format::Ftm);
    assert_eq!(list.list_id, "uk_list");
    assert_eq!(ids(&list), ["c1", "p1"]);
    assert_eq!(lines(&list), [("list.ftm.json", 3), ("list.ftm.json", 6)], "{:#?}", list.problems);
    let jane = &list.entities[1];
    assert_eq!(jane.kind, EntityKind::Person);
    assert_eq!(jane.birth_dates, ["1980-02"]);
    assert_eq!(jane.countries, ["GB"]);
    assert_eq!(jane.names[1].kind, NameKind::Alias);
    assert_eq!(jane.names[2].kind, NameKind::OriginalScript);
    assert_eq!(list.entities[0].countries, ["GB"]);

    let mixed = dir.file("mixed.ftm.json", format!("{good}\n{}\n", company.replace("uk_list", "other")));
    assert_eq!(read(&mixed, None, false).unwrap().list_id, "ftm");

    let junk = dir.file("junk.ftm.json", "{not json\n[1,2]\n");
    let err = read(&junk, None, false).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert!(err.message.contains("not a FollowTheMoney file"), "{}", err.message);
}

#[test]
fn unknown_files_and_folders_of_several_formats_are_unknown_format() {
    let dir = Dir::new("unknown");
    let text = dir.file("notes.txt", "nothing to see here\n");
    assert_eq!(detect(&text).unwrap_err().code, ErrorCode::UnknownFormat);
    assert_eq!(read(&text, None, false).unwrap_err().code, ErrorCode::UnknownFormat);
    assert_eq!(detect(&dir.0).unwrap_err().code, ErrorCode::UnknownFormat);
    dir.file("un.xml", format!("{UN_HEAD}{UN_TAIL}"));
    assert_eq!(detect(&dir.0).unwrap(), Format::UnXml);
    dir.file("dpl.txt", "\"Name\"\t\"Effective_Date\"\n");
    let err = detect(&dir.0).unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownFormat);
    assert!(err.message.contains("several formats"), "{}", err.message);
    // Naming the format picks its files out of the folder; a format with no file there is refused.
    assert_eq!(read(&dir.0, Some(Format::UnXml), true).unwrap().entities.len(), 0);
    assert_eq!(read(&dir.0, Some(Format::Csl), false).unwrap_err().code, ErrorCode::UnknownFormat);
    assert_eq!(read(&dir.0, Some(Format::OfacSdn), false).unwrap_err().code, ErrorCode::UnknownFormat);
}

#[test]
fn missing_paths_are_unreadable() {
    let missing = Path::new("/nonexistent/accord/lists/sdn.csv");
    assert_eq!(read(missing, None, false).unwrap_err().code, ErrorCode::FileUnreadable);
    assert_eq!(read(missing, Some(Format::OfacSdn), false).unwrap_err().code, ErrorCode::FileUnreadable);
    assert_eq!(detect(missing).unwrap_err().code, ErrorCode::FileUnreadable);
}

#[test]
fn problems_serialize_with_file_line_and_message() {
    let p = Problem { file: "alt.csv".into(), line: 7, message: "ent_num 1 is not in sdn.csv".into() };
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        serde_json::json!({"file": "alt.csv", "line": 7, "message": "ent_num 1 is not in sdn.csv"})
    );
}
