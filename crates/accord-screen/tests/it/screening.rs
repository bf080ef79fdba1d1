use accord_core::ErrorCode;
use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use accord_screen::{
    DEFAULT_THRESHOLD, Explanation, Hit, Index, MAX_LIMIT, MAX_NAME_CHARS, MatchKind, NameVariants, Query, WarningKind,
    compare, inspect, normalize,
};

const VARIANTS: &str = "\
# given names
muhammad, mohammed, mohamed, mohammad, мухаммад, محمد => Q1
yusuf, youssef, yousef, юсуф => Q2
hussein, husayn, hussain => Q3
ali, aly, али, علي => Q4
";

fn variants() -> NameVariants {
    NameVariants::load(VARIANTS.as_bytes()).unwrap()
}

fn person(list: &str, id: &str, name: &str) -> ListedEntity {
    ListedEntity::new(list, id, EntityKind::Person, name)
}

fn org(list: &str, id: &str, name: &str) -> ListedEntity {
    ListedEntity::new(list, id, EntityKind::Organization, name)
}

fn entities() -> Vec<ListedEntity> {
    let mut ivan = person("sdn", "1", "PETROV, Ivan Sergeyevich");
    ivan.add_name("Иван Сергеевич Петров", NameKind::OriginalScript);
    ivan.countries = vec!["RU".into()];
    ivan.birth_dates = vec!["1970-05-01".into()];
    let mut ali = person("sdn", "2", "HASSAN, Muhammad Ali");
    ali.add_name("Mohammed Ali HASSAN", NameKind::Alias);
    vec![
        ivan,
        ali,
        person("sdn", "3", "PETROVA, Anna"),
        org("sdn", "4", "ROMASHKA OOO"),
        org("eu", "5", "AL-QAIDA"),
        org("sdn", "6", "KARAFARIN BANK"),
        person("un", "7", "YUSUF, Ahmad"),
        org("sdn", "8", "GOLDEN RATIO LIMITED LIABILITY COMPANY"),
        person("sdn", "9", "SMITH, John Robert"),
        org("sdn", "10", "ARAB PETROLEUM ENGINEERING COMPANY LTD"),
        person("sdn", "11", "ZHOU, Yishan"),
        person("un", "12", "ΠΑΠΑΔΟΠΟΥΛΟΣ, Γεώργιος"),
    ]
}

fn index() -> Index {
    Index::build(&entities(), Some(&variants()))
}

fn top(index: &Index, name: &str) -> Option<Hit> {
    index.screen(&Query::name(name), 10, 0.5).unwrap().into_iter().next()
}

fn score(left: &str, right: &str) -> (f64, Explanation) {
    compare(left, right, None, Some(&variants())).unwrap()
}

// ---------------------------------------------------------------- normalisation

#[test]
fn normalisation_applies_nfkc_case_folding_and_strips_diacritics() {
    assert_eq!(normalize("ＡＣＭＥ"), "acme");
    assert_eq!(normalize("Müller Ñúñez Øster"), "muller nunez oster");
    assert_eq!(normalize("STRAßE"), "strasse");
}

#[test]
fn normalisation_folds_look_alike_letters_of_another_script() {
    // A Cyrillic "а" and "о" inside a Latin name.
    assert_eq!(normalize("Hаssаn Kоrbаn"), "hassan korban");
}

#[test]
fn punctuation_and_spacing_variants_of_a_name_all_match() {
    assert_eq!(normalize("Al-Qaida"), "al qaida");
    for written in ["Al-Qaida", "AlQaida", "Al Qaida", "AL_QAIDA", "al  qaida."] {
        let (s, _) = score(written, "AL-QAIDA");
        assert!(s >= 0.95, "{written}: {s}");
    }
}

#[test]
fn honorifics_are_left_out_of_the_canonical_form() {
    for title in
        ["Mr.", "Dr.", "Sheikh", "Haji", "Mullah", "Gen.", "Col.", "Maulavi", "Prof.", "Eng.", "Sayyid", "Mrs."]
    {
        assert_eq!(normalize(&format!("{title} Ivan Petrov")), "ivan petrov", "{title}");
    }
}

#[test]
fn legal_forms_of_one_family_fold_to_one_symbol_in_front_or_at_the_end() {
    let llc = [
        "ROMASHKA LLC",
        "ROMASHKA L.L.C.",
        "OOO ROMASHKA",
        "ООО РОМАШКА",
        "ROMASHKA Limited Liability Company",
        "Obshchestvo s ogranichennoi otvetstvennostyu ROMASHKA",
        "ROMASHKA GmbH",
        "ROMASHKA Ltd",
        "ROMASHKA Limited",
    ];
    for name in llc {
        let n = normalize(name);
        assert!(n == "romashka llc" || n == "llc romashka", "{name}: {n}");
    }
    let families = [
        (["ACME SA", "ACME S.A.", "ACME Sociedad Anonima"], "sa"),
        (["JSC ACME", "AO ACME", "Aktsionernoe Obshchestvo ACME"], "jsc"),
        (["OAO ACME", "OJSC ACME", "ACME OJSC"], "ojsc"),
        (["ZAO ACME", "CJSC ACME", "ACME CJSC"], "cjsc"),
        (["PAO ACME", "PJSC ACME", "ACME PJSC"], "pjsc"),
        (["ACME Co.", "ACME Company", "ACME CO"], "co"),
        (["ACME Corp.", "ACME Corporation", "ACME CORP"], "corp"),
        (["ACME FZE", "ACME FZCO", "ACME Free Zone Establishment"], "fze"),
    ];
    for (names, symbol) in families {
        for name in names {
            let n = normalize(name);
            assert!(n.split(' ').any(|w| w == symbol) && n.contains("acme"), "{name}: {n}");
        }
    }
}

#[test]
fn swapping_a_legal_form_within_its_family_keeps_a_strong_match() {
    let index = index();
    for q in ["ROMASHKA LLC", "OOO ROMASHKA", "Romashka Limited Liability Company", "ROMASHKA"] {
        let hit = top(&index, q).expect(q);
        assert_eq!(hit.entity_id, "4", "{q}");
        assert!(hit.score >= DEFAULT_THRESHOLD, "{q}: {}", hit.score);
    }
}

#[test]
fn initials_match_the_full_part_they_stand_for() {
    let (s, e) = compare("J. SMITH", "John SMITH", Some(EntityKind::Person), None).unwrap();
    assert!(e.parts.iter().any(|p| p.how == MatchKind::Initial && p.query == "j" && p.listed == "john"), "{e}");
    assert!(s > 0.8, "{s}");
    let (_, e) = compare("J. SMITH", "John SMITH", Some(EntityKind::Organization), None).unwrap();
    assert!(!e.parts.iter().any(|p| p.how == MatchKind::Initial), "organisations have no initials: {e}");
}

#[test]
fn name_order_does_not_matter() {
    let (a, _) = score("PETROV, Ivan Sergeyevich", "PETROV, Ivan Sergeyevich");
    let (b, _) = score("Ivan Sergeyevich PETROV", "PETROV, Ivan Sergeyevich");
    assert_eq!(a, 1.0);
    assert_eq!(b, 1.0);
}

#[test]
fn cyrillic_greek_arabic_and_chinese_are_transliterated_to_latin() {
    assert_eq!(normalize("Иван Сергеевич Петров"), "ivan sergeyevich petrov");
    assert_eq!(normalize("Γεώργιος"), "georgios");
    assert_eq!(normalize("محمد"), "mhmd");
    assert_eq!(normalize("周一山"), "zhou yi shan");
    let (s, e) = score("Иван Петров", "PETROV, Ivan");
    assert_eq!(s, 1.0, "{e}");
    assert!(e.parts.iter().all(|p| p.how == MatchKind::Transliterated), "{e}");
    let (s, e) = score("周一山", "ZHOU, Yishan");
    assert!(s > 0.9, "joined syllables: {s} {e}");
}

#[test]
fn romanisation_rules_bridge_common_spellings() {
    for (a, b) in [
        ("Sergey", "Sergei"),
        ("Yuriy", "Yury"),
        ("Aleksey", "Alexey"),
        ("Alekseyevich", "Alekseevich"),
        ("Khaled", "Haled"),
        ("Soubotic", "Subotic"),
        ("Qabalan", "Kabalan"),
        ("Ilyasov", "Iliasov"),
    ] {
        let (s, e) = compare(a, b, None, None).unwrap();
        assert!(s >= 0.9, "{a}/{b}: {s} {e}");
        assert_eq!(e.parts[0].how, MatchKind::Transliterated, "{a}/{b}");
    }
}

#[test]
fn the_variant_table_links_given_names_across_spellings_and_scripts() {
    for written in ["Mohammed", "Muhammad", "Мухаммад", "محمد", "Mohamed"] {
        let (s, e) = score(written, "MOHAMMAD");
        assert!(s >= 0.9, "{written}: {s} {e}");
    }
    let (s, _) = compare("Youssef", "Yusuf", None, None).unwrap();
    let (with, e) = score("Youssef", "Yusuf");
    assert!(with > s, "the table adds evidence: {with} vs {s}");
    assert_eq!(e.parts[0].how, MatchKind::Variant);
}

#[test]
fn a_typing_error_is_a_fuzzy_match() {
    let (s, e) = score("REALES BRITTO, Juan Czrlos", "REALES BRITTO, Juan Carlos");
    let part = e.parts.iter().find(|p| p.query == "czrlos").unwrap();
    assert_eq!(part.how, MatchKind::Fuzzy);
    assert!(part.score < 1.0 && part.score > 0.8);
    assert!(s > 0.9 && s < 1.0, "{s}");
}

#[test]
fn a_mistyped_legal_form_is_still_a_legal_form() {
    let index = index();
    let hit = top(&index, "ARAB PETROLEUM ENGINEERING COMPAANY LTD").unwrap();
    assert_eq!(hit.entity_id, "10");
    assert!(hit.score >= 0.95, "{} {}", hit.score, hit.explanation);
    let hit = top(&index, "LIMITED LIABILITY COMAPNY GOLDEN RATIO").unwrap();
    assert_eq!(hit.entity_id, "8");
    assert!(hit.score >= DEFAULT_THRESHOLD, "{} {}", hit.score, hit.explanation);
}

// ---------------------------------------------------------------- explanations

#[test]
fn explanation_of_mohammed_ali_names_a_variant_match() {
    let (s, e) = score("Mohammed Ali", "Muhammad ALI");
    assert_eq!(e.parts.len(), 2);
    assert_eq!(e.parts[0].query, "mohammed");
    assert_eq!(e.parts[0].listed, "muhammad");
    assert_eq!(e.parts[0].how, MatchKind::Variant);
    assert_eq!(e.parts[1].how, MatchKind::Exact);
    assert!(e.unmatched_query.is_empty() && e.unmatched_listed.is_empty() && e.penalties.is_empty());
    assert!(s > 0.9 && s < 1.0, "{s}");
    assert_eq!(e.to_string(), "mohammed=muhammad(variant) ali=ali(exact)");
}

#[test]
fn explanation_charges_unmatched_parts_and_the_charges_add_up() {
    let (s, e) = score("Mohammed Ali", "Muhammad ALI HASSAN");
    assert_eq!(e.unmatched_listed, vec!["hassan".to_owned()]);
    let penalty = e.penalties.iter().find(|p| p.reason == "unmatched listed 'hassan'").unwrap();
    assert!(penalty.amount > 0.0);
    let text = e.to_string();
    assert!(text.starts_with("mohammed=muhammad(variant) ali=ali(exact); -0."), "{text}");
    assert!(text.ends_with("unmatched listed 'hassan'"), "{text}");
    // Score = weighted mean similarity of the matched parts minus the penalties.
    let (full, _) = score("Mohammed Ali", "Muhammad ALI");
    assert!((full - penalty.amount - s).abs() < 0.01, "{full} - {} vs {s}", penalty.amount);
}

#[test]
fn explanation_lists_unmatched_query_parts() {
    let (_, e) = score("Ivan Ivanovich PETROV", "PETROV, Ivan");
    assert_eq!(e.unmatched_query, vec!["ivanovich".to_owned()]);
    assert!(e.penalties[0].reason.contains("unmatched query 'ivanovich'"));
}

#[test]
fn explanation_serialises_with_snake_case_match_kinds() {
    let (_, e) = score("OOO Romashka", "ROMASHKA LLC");
    let json = serde_json::to_value(&e).unwrap();
    let hows: Vec<&str> = json["parts"].as_array().unwrap().iter().map(|p| p["how"].as_str().unwrap()).collect();
    assert!(hows.contains(&"legal_form"), "{json}");
    assert!(hows.contains(&"exact"), "{json}");
}

#[test]
fn hits_carry_their_explanation() {
    let index = index();
    let hit = top(&index, "Mohammed Ali HASSAN").unwrap();
    assert_eq!(hit.entity_id, "2");
    assert!(!hit.explanation.parts.is_empty());
    assert!(!hit.explanation.to_string().is_empty());
}

// ---------------------------------------------------------------- screening

#[test]
fn screen_returns_at_most_limit_hits_best_first_one_per_entity() {
    let mut many = entities();
    for i in 0..30 {
        many.push(person("x", &format!("p{i}"), &format!("PETROV, Ivan {}", ["A", "B", "C"][i % 3])));
        many.push(person("x", &format!("p{i}"), "PETROV, Ivan"));
    }
    let index = Index::build(&many, None);
    for limit in [1, 3, 7, 25] {
        let hits = index.screen(&Query::name("Ivan PETROV"), limit, 0.3).unwrap();
        assert!(hits.len() <= limit, "{limit}: {}", hits.len());
        assert!(hits.len() >= limit.min(20), "there are enough candidates for {limit}");
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "best first");
        let mut ids: Vec<(&str, &str)> = hits.iter().map(|h| (h.list_id.as_str(), h.entity_id.as_str())).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), hits.len(), "one hit per entity");
        assert!(hits.iter().all(|h| h.score >= 0.3 && h.score <= 1.0));
    }
}

#[test]
fn screen_finds_an_entity_by_any_of_its_names() {
    let index = index();
    assert_eq!(top(&index, "Иван Сергеевич Петров").unwrap().entity_id, "1");
    let hit = top(&index, "Mohammed Ali HASSAN").unwrap();
    assert_eq!((hit.entity_id.as_str(), hit.name_kind), ("2", NameKind::Alias));
    assert_eq!(hit.matched_name, "Mohammed Ali HASSAN");
}

#[test]
fn screen_leaves_out_hits_below_the_threshold() {
    let index = index();
    let all = index.screen(&Query::name("Anna Petrova Smith"), 10, 0.0).unwrap();
    let some = index.screen(&Query::name("Anna Petrova Smith"), 10, 0.7).unwrap();
    assert!(some.iter().all(|h| h.score >= 0.7));
    assert!(some.len() <= all.len());
    assert!(index.screen(&Query::name("Zebulon Quartermaine"), 10, DEFAULT_THRESHOLD).unwrap().is_empty());
}

#[test]
fn an_unrelated_name_does_not_match() {
    let index = index();
    for q in ["Elizabeth Petersen", "Valdez-Taylor", "李燕", "Пимен Демьянович Беляков"] {
        let hits = index.screen(&Query::name(q), 10, DEFAULT_THRESHOLD).unwrap();
        assert!(hits.is_empty(), "{q}: {hits:?}");
    }
}

#[test]
fn secondary_attributes_adjust_the_score_and_say_so() {
    let index = index();
    let base = index.screen(&Query::name("Ivan Petrov"), 1, 0.0).unwrap()[0].clone();
    let q = |kind, country: Option<&str>, year| Query {
        name: "Ivan Petrov".into(),
        kind,
        country: country.map(str::to_owned),
        birth_year: year,
    };
    let same = &index.screen(&q(Some(EntityKind::Person), Some("ru"), Some(1971)), 1, 0.0).unwrap()[0];
    assert_eq!(same.score, base.score, "matching attributes cost nothing");
    for (query, reason) in [
        (q(Some(EntityKind::Organization), None, None), "kind"),
        (q(None, Some("DE"), None), "country"),
        (q(None, None, Some(1990)), "birth year"),
    ] {
        let hit = &index.screen(&query, 1, 0.0).unwrap()[0];
        assert_eq!(hit.entity_id, base.entity_id);
        assert!(hit.score < base.score, "{reason}");
        assert!(
            hit.explanation.penalties.iter().any(|p| p.reason.starts_with(reason)),
            "{reason}: {}",
            hit.explanation
        );
    }
}

#[test]
fn weak_aliases_weigh_a_little_less() {
    let mut strong = person("l", "1", "Boris Godunov");
    strong.add_name("Borya Godunov", NameKind::Alias);
    let mut weak = person("l", "2", "Boris Godunov II");
    weak.names[0].kind = NameKind::WeakAlias;
    let index = Index::build(&[strong, weak], None);
    let hit = &index.screen(&Query::name("Boris Godunov"), 2, 0.0).unwrap()[0];
    assert_eq!(hit.entity_id, "1");
}

#[test]
fn an_empty_index_finds_nothing() {
    let index = Index::build(&[], None);
    assert_eq!((index.len(), index.names()), (0, 0));
    assert!(index.screen(&Query::name("anyone"), 10, 0.0).unwrap().is_empty());
}

#[test]
fn index_counts_entities_and_distinct_names() {
    let index = index();
    assert_eq!(index.len(), 12);
    assert!(index.names() >= 14, "{}", index.names());
    let mut twice = person("l", "1", "Ivan PETROV");
    twice.add_name("IVAN PETROV", NameKind::Alias);
    twice.add_name("Ivan Petrov.", NameKind::Alias);
    assert_eq!(Index::build(&[twice], None).names(), 1, "names that normalise alike count once");
}

#[test]
fn the_index_is_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Index>();
    send_sync::<NameVariants>();
    let index = index();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| top(&index, "Ivan Petrov").map(|h| h.entity_id))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap().as_deref(), Some("1"));
        }
    });
}

// ---------------------------------------------------------------- validation

fn code_and_field(err: accord_core::Error) -> (ErrorCode, String) {
    let field = err.details.as_ref().and_then(|d| d["field"].as_str()).unwrap_or("").to_owned();
    (err.code, field)
}

#[test]
fn blank_names_are_rejected() {
    let index = index();
    for name in ["", "   ", "\u{3000}"] {
        let err = index.screen(&Query::name(name), 10, 0.5).unwrap_err();
        assert_eq!(code_and_field(err), (ErrorCode::ValidationFailed, "name".into()), "{name:?}");
    }
    let err = index.screen(&Query::name("!!! ---"), 10, 0.5).unwrap_err();
    assert!(err.message.contains("no letters or digits"), "{}", err.message);
    assert_eq!(code_and_field(compare("", "x", None, None).unwrap_err()).1, "left");
    assert_eq!(code_and_field(compare("x", " ", None, None).unwrap_err()).1, "right");
}

#[test]
fn a_huge_name_is_rejected_before_any_matching() {
    let index = index();
    let huge = "a".repeat(100_000);
    let err = index.screen(&Query::name(huge.clone()), 10, 0.5).unwrap_err();
    assert_eq!(code_and_field(err.clone()), (ErrorCode::ValidationFailed, "name".into()));
    assert!(err.message.contains("500 characters"), "{}", err.message);
    assert!(compare(&huge, "x", None, None).is_err());
    let many_words = "ab ".repeat(160);
    assert!(index.screen(&Query::name(many_words), 10, 0.5).unwrap_err().message.contains("parts"));
}

#[test]
fn control_characters_are_rejected_with_their_position() {
    let index = index();
    for name in ["Ivan\u{0}Petrov", "Ivan\u{7f}", "\u{1b}[31mIvan", "Ivan\u{7}Petrov"] {
        let err = index.screen(&Query::name(name), 10, 0.5).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed, "{name:?}");
        assert!(err.message.contains("control character"), "{}", err.message);
    }
    let err = index.screen(&Query::name("Ivan\u{1}Petrov"), 10, 0.5).unwrap_err();
    assert!(err.message.contains("position 4"), "{}", err.message);
}

#[test]
fn tabs_and_line_breaks_inside_a_name_read_as_spaces() {
    let index = index();
    for name in ["Ivan\nPetrov", "Ivan\tPetrov", "Ivan\r\nPetrov", "PETROV,\u{0B}Ivan\u{0C}", "\tIvan Petrov\n"] {
        let hit = top(&index, name).unwrap_or_else(|| panic!("{name:?} found nothing"));
        assert_eq!(hit.entity_id, "1", "{name:?}");
        assert_eq!(hit.score, top(&index, "Ivan Petrov").unwrap().score, "{name:?}");
    }
}

#[test]
fn thresholds_and_limits_out_of_range_are_rejected() {
    let index = index();
    let q = Query::name("Ivan Petrov");
    for t in [-0.1, 1.01, f64::NAN, f64::INFINITY] {
        let err = index.screen(&q, 10, t).unwrap_err();
        assert_eq!(code_and_field(err), (ErrorCode::ValidationFailed, "threshold".into()), "{t}");
    }
    for limit in [0, MAX_LIMIT + 1] {
        assert_eq!(code_and_field(index.screen(&q, limit, 0.5).unwrap_err()).1, "limit");
    }
    assert!(index.screen(&q, 10, 0.0).is_ok());
    assert!(index.screen(&q, 10, 1.0).is_ok());
}

#[test]
fn malformed_attributes_are_rejected() {
    let index = index();
    let mut q = Query::name("Ivan Petrov");
    q.country = Some("Russia".into());
    assert_eq!(code_and_field(index.screen(&q, 10, 0.5).unwrap_err()).1, "country");
    q.country = None;
    q.birth_year = Some(99_999);
    assert_eq!(code_and_field(index.screen(&q, 10, 0.5).unwrap_err()).1, "birth_year");
}

#[test]
fn a_variant_table_line_without_an_arrow_is_a_malformed_file() {
    let err = NameVariants::load("a, b => Q1\nc, d\n".as_bytes()).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedFile);
    assert!(err.message.contains("line 2"));
    assert_eq!(variants().len(), 4);
}

// ---------------------------------------------------------------- evasion by writing tricks

fn evasion_index() -> Index {
    let mut all = entities();
    all.push(org("sdn", "20", "ROSOBORONEXPORT OAO"));
    all.push(person("sdn", "21", "AL-NASIR, Ahmad"));
    all.push(person("sdn", "22", "GUSEV, Yuriy Ivanovich"));
    Index::build(&all, Some(&variants()))
}

fn warning_kinds(hit: &Hit) -> Vec<WarningKind> {
    hit.explanation.warnings.iter().map(|w| w.kind).collect()
}

/// Every invisible character someone may slip into a name to split or hide a word.
const INVISIBLE: &[(char, &str)] = &[
    ('\u{200B}', "zero-width space"),
    ('\u{200C}', "zero-width non-joiner"),
    ('\u{200D}', "zero-width joiner"),
    ('\u{2060}', "word joiner"),
    ('\u{FEFF}', "byte-order mark"),
    ('\u{00AD}', "soft hyphen"),
    ('\u{034F}', "combining grapheme joiner"),
    ('\u{180E}', "Mongolian vowel separator"),
    ('\u{2061}', "function application"),
    ('\u{2063}', "invisible separator"),
    ('\u{2064}', "invisible plus"),
    ('\u{FE0F}', "variation selector 16"),
    ('\u{E0100}', "variation selector 17"),
    ('\u{E0041}', "tag latin capital A"),
    ('\u{3164}', "Hangul filler"),
    ('\u{115F}', "Hangul choseong filler"),
];

#[test]
fn invisible_characters_inside_a_listed_name_neither_split_nor_hide_it() {
    let index = evasion_index();
    let plain = top(&index, "Rosoboronexport").unwrap();
    for &(c, what) in INVISIBLE {
        for name in
            [format!("Ro{c}soboron{c}export"), format!("{c}Rosoboronexport{c}"), format!("R{c}o{c}s{c}oboronexport")]
        {
            let hit = top(&index, &name).unwrap_or_else(|| panic!("{what}: {name:?} found nothing"));
            assert_eq!(hit.entity_id, "20", "{what}");
            assert_eq!(hit.score, plain.score, "{what}: the listed party scores as if written plainly");
            assert_eq!(warning_kinds(&hit), [WarningKind::InvisibleCharacters], "{what}");
            assert!(hit.explanation.to_string().contains("warning invisible_characters"), "{}", hit.explanation);
        }
    }
    assert!(index.screen(&Query::name("Rosoboronexport"), 10, 0.5).unwrap()[0].explanation.warnings.is_empty());
}

#[test]
fn direction_controls_are_removed_and_an_override_is_read_as_displayed() {
    let index = evasion_index();
    let plain = top(&index, "Rosoboronexport").unwrap();
    for (name, what) in [
        ("\u{202E}Rosoboronexport\u{202C}", "right-to-left override around the name"),
        ("\u{202E}tropxenorobosoR\u{202C}", "reversed text that displays as the listed name"),
        ("OAO \u{202E}tropxenorobosoR", "override without its end"),
        ("\u{2067}Rosoboronexport\u{2069}", "right-to-left isolate"),
        ("\u{2066}Roso\u{2068}boron\u{2069}export\u{2069}", "isolates"),
        ("\u{202B}Rosoboron\u{202A}export\u{202C}\u{202C}", "embeddings"),
        ("\u{200F}Rosoboronexport\u{200E}", "direction marks"),
        ("Rosoboron\u{061C}export", "Arabic letter mark"),
    ] {
        let hit = top(&index, name).unwrap_or_else(|| panic!("{what}: {name:?} found nothing"));
        assert_eq!(hit.entity_id, "20", "{what}");
        assert!(hit.score >= plain.score, "{what}: {}", hit.score);
        assert!(warning_kinds(&hit).contains(&WarningKind::DirectionControls), "{what}: {:?}", hit.explanation);
    }
    let hit = top(&index, "\u{202E}tropxenorobosoR\u{202C}").unwrap();
    assert!(hit.explanation.warnings[0].message.contains("displays as 'Rosoboronexport'"), "{:?}", hit.explanation);
}

#[test]
fn look_alike_letters_of_other_alphabets_match_and_are_flagged_as_mixed_script() {
    let index = evasion_index();
    for (name, id, what) in [
        ("\u{039D}asir Ahmad", "21", "Greek capital Nu"),
        ("Ahmad al-\u{039D}asir", "21", "Greek capital Nu after a particle"),
        ("\u{03A5}uriy Gusev", "22", "Greek capital Upsilon"),
        ("Yuriy Gus\u{0435}v", "22", "Cyrillic e"),
        ("R\u{043E}s\u{043E}b\u{043E}r\u{043E}nexp\u{043E}rt", "20", "Cyrillic o"),
        ("\u{0420}\u{041E}SOBORONEXPORT", "20", "Cyrillic capital Er and O"),
        ("ROSOBORON\u{0395}\u{03A7}PORT", "20", "Greek capital Epsilon and Chi"),
        ("Rosoboronexpor\u{03C4}", "20", "Greek small tau"),
        ("\u{13AA}hmad Nasir", "21", "Cherokee letter that looks like A"),
    ] {
        let hit = top(&index, name).unwrap_or_else(|| panic!("{what}: {name:?} found nothing"));
        assert_eq!(hit.entity_id, id, "{what}");
        assert!(hit.score >= DEFAULT_THRESHOLD, "{what}: {}", hit.score);
        assert!(warning_kinds(&hit).contains(&WarningKind::MixedScript), "{what}: {:?}", hit.explanation);
    }
    assert_eq!(normalize("\u{039D}asir"), "nasir", "a capital Nu reads N");
    assert_eq!(normalize("\u{03A5}uriy"), "yuriy", "a capital Upsilon reads Y");
    assert_eq!(normalize("Пaвeл"), "pavel", "Latin look-alikes in a Cyrillic word read as Cyrillic");
    let (s, e) = score("\u{039D}asir Ahmad", "AL-NASIR, Ahmad");
    assert!(s >= DEFAULT_THRESHOLD, "{s}: {e}");
    assert_eq!(e.warnings.iter().map(|w| w.kind).collect::<Vec<_>>(), [WarningKind::MixedScript]);
}

#[test]
fn a_name_of_five_hundred_characters_is_screened_and_a_longer_one_refused_clearly() {
    let index = evasion_index();
    let padded = format!("Rosoboronexport{}", " ".repeat(MAX_NAME_CHARS - "Rosoboronexport".len()));
    assert_eq!(padded.chars().count(), MAX_NAME_CHARS);
    assert_eq!(top(&index, &padded).unwrap().entity_id, "20");
    // Invisible characters do not count towards the length.
    let hidden = format!("Rosoboronexport{}", "\u{200B}".repeat(MAX_NAME_CHARS));
    assert_eq!(top(&index, &hidden).unwrap().entity_id, "20");
    let long = format!("Rosoboronexport {}", "x".repeat(MAX_NAME_CHARS));
    let err = index.screen(&Query::name(long), 10, 0.5).unwrap_err();
    assert!(err.message.contains("longer than 500 characters"), "{}", err.message);
    let words = "Ro ".repeat(45);
    let err = index.screen(&Query::name(words), 10, 0.5).unwrap_err();
    assert!(err.message.contains("more than 40 parts"), "{}", err.message);
}

#[test]
fn an_empty_or_invisible_only_name_is_refused_clearly() {
    let index = evasion_index();
    for name in ["", " \t\n ", "\u{200B}\u{200C}\u{FEFF}", "\u{202E}\u{202C}", "\u{00AD} \u{2060}"] {
        let err = index.screen(&Query::name(name), 10, 0.5).unwrap_err();
        assert_eq!(code_and_field(err.clone()), (ErrorCode::ValidationFailed, "name".into()), "{name:?}");
        assert!(err.message.contains("must not be empty"), "{name:?}: {}", err.message);
    }
    let err = index.screen(&Query::name("\u{200B}\u{200B}"), 10, 0.5).unwrap_err();
    assert!(err.message.contains("only invisible characters"), "{}", err.message);
    let err = compare("\u{FEFF}", "Rosoboronexport", None, None).unwrap_err();
    assert_eq!(code_and_field(err).1, "left");
}

#[test]
fn comparison_and_normalisation_read_names_the_same_way_as_search() {
    assert_eq!(normalize("Ro\u{200B}soboron\u{00AD}export OAO"), normalize("Rosoboronexport OAO"));
    assert_eq!(normalize("\u{FEFF}Ivan\tPetrov\n"), "ivan petrov");
    let (s, e) = score("Ro\u{200B}soboronexport", "ROSOBORONEXPORT");
    assert_eq!(s, 1.0, "{e}");
    assert_eq!(e.warnings[0].kind, WarningKind::InvisibleCharacters);
    let (s, e) = score("ROSOBORONEXPORT", "Ro\u{2060}soboronexport");
    assert_eq!(s, 1.0, "{e}");
    assert!(e.warnings[0].message.starts_with("right: "), "{:?}", e.warnings);
    assert_eq!(inspect("Rosoboronexport"), vec![]);
}

// ---------------------------------------------------------------- Arabic script against Latin spellings

#[test]
fn names_in_arabic_script_find_the_latin_spellings_the_lists_use() {
    let listed = vec![
        person("un", "30", "ABDUL RAHMAN YASIN"),
        person("un", "31", "HIDAYATULLAH"),
        person("sdn", "32", "KHALID, Mahmoud"),
        person("sdn", "33", "KHALED, Mohammed"),
        person("sdn", "34", "AL-TIKRITI, Fatimah"),
        person("sdn", "35", "HUSSEIN, Yousef bin Omar"),
        person("sdn", "36", "REZAEI, Vahid"),
        person("sdn", "37", "HASAN, Ehsan"),
    ];
    // No name-variant table: the romanisation rules alone.
    let index = Index::build(&listed, None);
    for (query, id, what) in [
        ("عبد الرحمن ياسين", "30", "Abd al- written as Abdul, article glued to the name"),
        ("عبدالرحمن ياسين", "30", "Abd and the article glued"),
        ("هدايت الله", "31", "-ullah written as one word"),
        ("محمود خالد", "32", "Mahmoud, not Mohammed: the long vowel tells"),
        ("محمد خالد", "33", "Mohammed Khaled"),
        ("فاطمة التكريتي", "34", "ta marbuta and the article"),
        ("يوسف بن عمر حسين", "35", "bin, Omar, Hussein"),
        ("وحید رضایی", "36", "Persian letters: vav as v, Persian yeh"),
        ("احسان حسن", "37", "Ehsan and Hasan are not Hussein"),
    ] {
        let hit = top(&index, query).unwrap_or_else(|| panic!("{what}: {query} found nothing"));
        assert_eq!(hit.entity_id, id, "{what}: {query} -> {} {}", hit.matched_name, hit.explanation);
        assert!(hit.score >= DEFAULT_THRESHOLD, "{what}: {} {}", hit.score, hit.explanation);
    }
    let hits = index.screen(&Query::name("احسان حسن"), 10, DEFAULT_THRESHOLD).unwrap();
    assert!(hits.iter().all(|h| h.entity_id != "35"), "Hasan is not Hussein: {hits:?}");
}

// ---------------------------------------------------------------- pairs

#[test]
fn a_pair_scores_the_same_in_compare_as_in_a_search() {
    let index = index();
    for query in
        ["Muhammad Ali Hasan", "Ivan Petrov", "Karafarin Bank", "Golden Ratio LLC", "Arab Petroleum Engineering"]
    {
        let found = top(&index, query).unwrap_or_else(|| panic!("{query} found nothing"));
        let (s, e) = index.compare(query, &found.matched_name, Some(found.kind)).unwrap();
        assert!(
            (s - found.score).abs() < 0.01,
            "{query} / {}: compare {s} ({e}), search {} ({})",
            found.matched_name,
            found.score,
            found.explanation
        );
    }
}

#[test]
fn glued_words_initialisms_and_numbers_in_words_match_their_other_spellings() {
    let org = Some(EntityKind::Organization);
    for (left, right, kind) in [
        ("SiemensAG", "Siemens AG", org),
        ("FridrichBuchenberg", "Fridrich Buchenberg", None),
        ("ABC Company", "A.B.C. Company", org),
        ("A.B.C. Company", "ABC Company", org),
        ("A B C Trading", "ABC TRADING", org),
        ("Forty-Four Brigade", "44 Brigade", org),
        ("Seven Seas Shipping LLC", "7 SEAS SHIPPING", org),
    ] {
        let (s, e) = compare(left, right, kind, None).unwrap();
        assert!(s >= DEFAULT_THRESHOLD, "{left} / {right}: {s} {e}");
    }
}

#[test]
fn swapped_initials_and_companies_one_word_apart_are_not_matches() {
    let org = Some(EntityKind::Organization);
    for (left, right, kind) in [
        ("C.B.A. Company", "A.B.C. Company", org),
        ("CBA Company", "A.B.C. Company", org),
        ("SMITH, R. J.", "SMITH, J. R.", Some(EntityKind::Person)),
    ] {
        let (s, e) = compare(left, right, kind, None).unwrap();
        assert!(s < DEFAULT_THRESHOLD, "{left} / {right}: {s} {e}");
    }
    // With the lists' statistics a common word (company, oil, gas) weighs less than the rare one that differs.
    let listed = vec![
        org_named("1", "SAUDI ARABIAN OIL COMPANY"),
        org_named("2", "ARABIAN GULF OIL COMPANY"),
        org_named("3", "NATIONAL GAS COMPANY"),
        org_named("4", "SAUDI GAS COMPANY"),
        org_named("5", "IRAN OIL COMPANY"),
    ];
    let stats = Index::build(&listed, None);
    let (same, _) = stats.compare("Saudi Arabian Oil Company", "SAUDI ARABIAN OIL COMPANY", org).unwrap();
    let (other, e) = stats.compare("Saudi Arabian Gas Company", "SAUDI ARABIAN OIL COMPANY", org).unwrap();
    assert_eq!(same, 1.0);
    assert!(other < same, "{other} {e}");
}

fn org_named(id: &str, name: &str) -> ListedEntity {
    org("sdn", id, name)
}

#[test]
fn korean_names_one_syllable_apart_are_not_matches() {
    let (same, _) = compare("김민준", "김민준", Some(EntityKind::Person), None).unwrap();
    assert_eq!(same, 1.0);
    for (left, right) in [("김민준", "김민수"), ("박지현", "박지성"), ("田中太郎", "田中次郎")] {
        let (s, e) = compare(left, right, Some(EntityKind::Person), None).unwrap();
        assert!(s < DEFAULT_THRESHOLD, "{left} / {right}: {s} {e}");
    }
    assert_eq!(normalize("김민준"), "gim min jun");
}
