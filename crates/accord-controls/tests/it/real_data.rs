//! The public sources in the shared data folder import with the counts observed, known entries come out right,
//! split-off notes are back on their entries, and the harmonized list round-trips through Accord's format.

use accord_controls::{
    ControlCode, ControlList, Jurisdiction, ListInfo, Problem, Regime, harmonize, import_eu_annex_i, import_regimes,
    import_us_ccl_headings, import_us_reasons,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/controls");

fn data(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

fn code(s: &str) -> ControlCode {
    ControlCode::parse(s).unwrap()
}

struct Loaded {
    eu_count: usize,
    eu_notes: usize,
    eu_problems: Vec<Problem>,
    us_count: usize,
    us_problems: Vec<Problem>,
    reasons_count: usize,
    reasons_problems: Vec<Problem>,
    regime_count: usize,
    regime_problems: Vec<Problem>,
    list: ControlList,
    merge_problems: Vec<Problem>,
}

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let (eu, eu_problems) = import_eu_annex_i(&data("eu_annex_i_2025-11.json")).unwrap();
        let (us, us_problems) = import_us_ccl_headings(&data("us_ccl_headings.json")).unwrap();
        let (reasons, reasons_problems) = import_us_reasons(&data("us_ccl_cat3-5_reasons.json")).unwrap();
        let (regimes, regime_problems) = import_regimes(&data("regimes")).unwrap();
        let info = ListInfo {
            version: "2025-11".into(),
            effective_date: "2025-11-15".into(),
            rationale: "EU Annex I 2025-11 merged with the US CCL".into(),
        };
        let (eu_count, eu_notes) = (eu.len(), eu.iter().map(|e| e.notes.len()).sum());
        let (us_count, reasons_count, regime_count) = (us.len(), reasons.len(), regimes.len());
        let (list, merge_problems) = harmonize(info, eu, us, &reasons, &regimes).unwrap();
        Loaded {
            eu_count,
            eu_notes,
            eu_problems,
            us_count,
            us_problems,
            reasons_count,
            reasons_problems,
            regime_count,
            regime_problems,
            list,
            merge_problems,
        }
    })
}

fn entry(s: &str) -> &'static accord_controls::ControlEntry {
    loaded().list.get(&code(s)).unwrap_or_else(|| panic!("no entry {s}"))
}

#[test]
fn sources_import_with_the_observed_counts() {
    let l = loaded();
    // 552 source entries = 382 entries at depth 0 + 170 notes the source split off (depth > 0).
    assert_eq!(l.eu_count, 382);
    assert_eq!(l.eu_notes, 170);
    assert_eq!(l.us_count, 637);
    assert!(l.us_problems.is_empty(), "{:?}", l.us_problems);
    assert_eq!(l.reasons_count, 126);
    assert_eq!(l.regime_count, 23 + 241 + 242 + 153);
    // 382 EU + 300 US headings without an EU entry + 3 US paragraphs (5A991.b, 5A991.b.1, 5A992.c) from the
    // reasons file; 337 codes are in both the EU and the US lists.
    assert_eq!(l.list.len(), 685);
    let both = l
        .list
        .entries()
        .iter()
        .filter(|e| e.mapping(Jurisdiction::Eu).is_some() && e.mapping(Jurisdiction::Us).is_some());
    assert_eq!(both.count(), 337);
}

#[test]
fn what_cannot_be_repaired_is_reported() {
    let l = loaded();
    // Seven entries end in the next category's heading and its general notes, which have no entry of their own.
    assert_eq!(l.eu_problems.len(), 7, "{:#?}", l.eu_problems);
    assert!(l.eu_problems.iter().all(|p| p.message.contains("category heading")));
    assert!(l.eu_problems.iter().any(|p| p.message.starts_with("0E001:")));
    // "foreign policy" is not a reason code (3A229, 3A231, 3A232).
    assert_eq!(l.reasons_problems.len(), 3, "{:#?}", l.reasons_problems);
    assert!(l.reasons_problems.iter().all(|p| p.message.contains("foreign policy")));
    assert!(l.regime_problems.is_empty());
    // The regime CSVs use the regimes' own numbering (M1A1, N1A1, T1.1): one problem per file.
    assert_eq!(l.merge_problems.len(), 4, "{:#?}", l.merge_problems);
    assert!(
        l.merge_problems.iter().any(|p| p.file == "MTCR_Cat_2_regimes.csv" && p.message.starts_with("241 MTCR codes"))
    );
}

#[test]
fn entry_3a001_has_eu_and_us_mappings_with_us_reasons() {
    let e = entry("3A001");
    assert_eq!(e.title, "Electronic items as follows:");
    assert_eq!((e.category(), e.group()), (3, 'A'));
    assert_eq!(e.mapping(Jurisdiction::Eu).unwrap().code, "3A001");
    let us = e.mapping(Jurisdiction::Us).unwrap();
    assert_eq!(us.code, "3A001");
    assert_eq!(us.reasons, ["AT1", "MT1", "NP1", "NS1", "NS2", "RS1"]);
    assert_eq!(us.title.as_deref(), Some("Electronic items as follows (see List of Items Controlled)."));
    assert_eq!(e.regimes, [Regime::Wa]);
    assert!(e.text.contains("'Frequency synthesizer'"));
}

#[test]
fn split_off_notes_are_back_on_their_entry_in_text_order() {
    let e = entry("0A001");
    assert_eq!(e.notes.len(), 1);
    assert!(e.notes[0].starts_with("0A001.i. does not control heat exchangers"), "{}", e.notes[0]);
    // The parent's text ran up to "Note:", the note follows, then the rest of the entry (j., k.).
    let note_at = e.text.find("Note: 0A001.i. does not control").expect("note in place");
    let j_at = e.text.find("j. Neutron detectors").expect("text after the note");
    assert!(note_at < j_at);
    // The group heading the source left at the end of the text is gone.
    assert!(e.text.ends_with("within the containment vessel."), "{}", &e.text[e.text.len() - 80..]);
    assert!(!e.text.contains("0B Test, Inspection"));
    // A note whose first word was swallowed into its code (3A002.d.includes) is repaired.
    assert!(entry("3A002").notes.iter().any(|n| n == "3A002.d. includes arbitrary waveform and function generators."));
    // No sub-item pseudo-entry survives as a row of its own.
    assert!(loaded().list.get(&code("0A001.i")).is_none());
}

#[test]
fn us_only_entries_keep_their_own_rows() {
    for c in ["0A501", "9A515", "3A611", "3A991"] {
        let e = entry(c);
        assert!(e.mapping(Jurisdiction::Eu).is_none(), "{c}");
        assert_eq!(e.mapping(Jurisdiction::Us).unwrap().code, c);
        assert!(e.regimes.is_empty(), "{c} has {:?}", e.regimes);
    }
    assert!(entry("0A501").title.starts_with("Firearms"));
    assert_eq!(entry("3A991").mapping(Jurisdiction::Us).unwrap().reasons, ["AT1"]);
    // A paragraph known only from the reasons file is a row below its heading.
    assert_eq!(
        loaded().list.children(&code("5A991")).iter().map(|e| e.code.to_string()).collect::<Vec<_>>(),
        ["5A991.b"]
    );
}

#[test]
fn regimes_follow_the_annex_numbering() {
    assert_eq!(entry("9A101").regimes, [Regime::Mtcr]);
    assert_eq!(entry("3A225").regimes, [Regime::Nsg]);
    assert_eq!(entry("0B001").regimes, [Regime::Nsg]);
    assert_eq!(entry("2B350").regimes, [Regime::Ag]);
    assert_eq!(entry("1C450").regimes, [Regime::Cwc]);
    assert!(entry("4A506").regimes.is_empty());
}

#[test]
fn frequency_synthesizer_finds_the_entries_that_mention_it() {
    let hits = loaded().list.search("frequency synthesizer", 10);
    assert_eq!(hits[0].code, code("3A001"));
    assert!(hits[0].snippet.contains("'Frequency synthesizer'"), "{}", hits[0].snippet);
    // British spelling in the text ("synthesisers") matches the American query.
    assert!(hits.iter().any(|h| h.code == code("2D352")));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn a_code_query_ranks_that_entry_first_then_text_mentions() {
    let hits = loaded().list.search("3a001", 5);
    assert_eq!(hits[0].code, code("3A001"));
    assert!(hits[1..].iter().all(|h| h.code != code("3A001")));
    assert!(hits.len() > 1);
}

#[test]
fn browse_by_category_and_group() {
    let l = &loaded().list;
    let cat3 = l.by_category(3, None);
    let cat3a = l.by_category(3, Some('a'));
    assert!(cat3a.len() < cat3.len());
    assert!(cat3a.iter().all(|e| e.category() == 3 && e.group() == 'A'));
    assert_eq!(cat3a[0].code, code("3A001"));
    assert!(cat3a.windows(2).all(|w| w[0].code < w[1].code));
    assert!(l.by_category(3, Some('F')).is_empty());
}

#[test]
fn nearest_codes_for_an_unknown_code() {
    let l = &loaded().list;
    assert!(l.get(&code("3A009")).is_none());
    let near = l.nearest("3A009", 3);
    assert_eq!(near, [code("3A003"), code("3A002"), code("3A001")]);
    assert_eq!(l.nearest("3A001.zz.9", 1), [code("3A001")]);
    assert_eq!(l.nearest("frequency synthesizer", 1), [code("3A001")]);
}

#[test]
fn the_harmonized_list_round_trips_through_the_accord_format() {
    let l = &loaded().list;
    let json = l.to_json();
    let back = ControlList::from_json(json.as_bytes()).unwrap();
    assert_eq!(back.info(), l.info());
    assert_eq!(back.entries(), l.entries());
    assert_eq!(back.to_json(), json);
}
