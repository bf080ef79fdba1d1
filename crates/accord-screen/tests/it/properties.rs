use std::sync::OnceLock;

use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use accord_screen::{Index, NameVariants, Query, compare, normalize};
use proptest::prelude::*;

/// Pieces that exercise every normalisation rule: scripts, look-alikes, titles, legal forms (also
/// mistyped and dotted), joiners, marks and odd spacing.
const PIECES: &[&str] = &[
    "Ivan",
    "PETROV",
    "Muhammad",
    "al",
    "Al-Qaida",
    "O'Brien",
    "Mr.",
    "Dr",
    "Sheikh",
    "the",
    ",",
    ";",
    "(",
    ")",
    "-",
    ".",
    "'",
    "  ",
    "LLC",
    "L.L.C.",
    "ooo",
    "ООО",
    "OAO",
    "S.A.",
    "sa",
    "de",
    "C.V.",
    "d.o.o.",
    "GmbH",
    "company",
    "compaany",
    "Limited",
    "liability",
    "co",
    "ltd",
    "corp",
    "fze",
    "intl",
    "Сергей",
    "а",
    "о",
    "Hаssan",
    "Γεώργιος",
    "α",
    "محمد",
    "ﻤﺤﻤﺪ",
    "\u{64e}",
    "李",
    "周一山",
    "有限公司",
    "김정은",
    "ß",
    "Ø",
    "é",
    "e\u{301}",
    "ＡＣＭＥ",
    "١٢٣",
    "7",
    "ǅ",
    "ﬁ",
    "\u{200d}",
    "\u{3000}",
    "İ",
    "ı",
    "llc llc",
    "mr mr",
    "x",
];

fn name_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..12).prop_map(|parts| {
        let mut s = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i % 3 != 2 {
                s.push(' ');
            }
            s.push_str(p);
        }
        s
    })
}

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![name_like(), any::<String>(), "\\PC{0,40}"]
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let variants = NameVariants::load("muhammad, mohammed, محمد => Q1\nivan, иван => Q2\n".as_bytes()).unwrap();
        let mut entities = vec![
            ListedEntity::new("l", "1", EntityKind::Person, "PETROV, Ivan Sergeyevich"),
            ListedEntity::new("l", "2", EntityKind::Organization, "AL-QAIDA"),
            ListedEntity::new("l", "3", EntityKind::Organization, "OOO ROMASHKA"),
            ListedEntity::new("l", "4", EntityKind::Unknown, "J. R."),
            ListedEntity::new("l", "5", EntityKind::Person, "周一山"),
        ];
        entities[0].add_name("Иван Петров", NameKind::OriginalScript);
        entities[1].add_name("al qaida al qaida al qaida", NameKind::WeakAlias);
        Index::build(&entities, Some(&variants))
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn normalize_never_panics_and_is_idempotent(name in any_name()) {
        let once = normalize(&name);
        prop_assert_eq!(normalize(&once), once.clone(), "input {:?}", name);
        prop_assert!(once.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '), "{:?}", once);
        prop_assert!(!once.contains("  ") && !once.starts_with(' ') && !once.ends_with(' '), "{:?}", once);
    }

    #[test]
    fn screen_never_panics_and_keeps_its_promises(name in any_name(), limit in 1usize..12, threshold in 0.0f64..=1.0) {
        if let Ok(hits) = index().screen(&Query::name(name), limit, threshold) {
            prop_assert!(hits.len() <= limit);
            prop_assert!(hits.iter().all(|h| (threshold..=1.0).contains(&h.score)));
            prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        }
    }

    #[test]
    fn compare_never_panics_and_scores_within_bounds(left in any_name(), right in any_name()) {
        if let Ok((score, _)) = compare(&left, &right, None, None) {
            prop_assert!((0.0..=1.0).contains(&score), "{}", score);
        }
    }

    #[test]
    fn a_name_matches_itself_fully(name in name_like()) {
        if let Ok((score, e)) = compare(&name, &name, Some(EntityKind::Person), None) {
            // Only a name made of legal forms alone can fall short (nothing but the form to match).
            prop_assert!(score >= 0.99 || e.parts.is_empty(), "{:?}: {} {}", name, score, e);
        }
    }
}
