//! The first step of every normalisation: characters that show nothing are removed before anything
//! else, and what the name's writing gives away (invisible characters, direction overrides, words mixing
//! alphabets) is recorded for the officer.
//!
//! Invisible means Unicode general category `Cf` (format: zero-width space, joiners, word joiner,
//! byte-order mark, soft hyphen, direction marks and overrides, tags …) or a default-ignorable code point
//! (combining grapheme joiner, variation selectors, Hangul fillers …), both from the Unicode data the
//! `unicode-properties` and `unicode-security` crates carry. Removing them rather than reading them as word
//! breaks means `Ro\u{200B}soboron\u{200B}export` is read as `Rosoboronexport`.

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::script::{Script, script_of};
use crate::{InputWarning, WarningKind};

/// Whether a character shows nothing: general category `Cf` or a default-ignorable code point.
pub(crate) fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    if c.general_category() == GeneralCategory::Format {
        return true;
    }
    let ranges = default_ignorable();
    let at = ranges.partition_point(|&(_, end)| end < c);
    ranges.get(at).is_some_and(|&(start, _)| start <= c)
}

/// The default-ignorable code points, as ranges: those whose UTS #39 skeleton is empty (the skeleton drops
/// exactly them). Read once from the basic plane and the tag and variation-selector plane, where all of them
/// that are not also `Cf` lie.
fn default_ignorable() -> &'static [(char, char)] {
    static RANGES: OnceLock<Vec<(char, char)>> = OnceLock::new();
    RANGES.get_or_init(|| {
        let mut ranges: Vec<(char, char)> = Vec::new();
        let mut buf = [0u8; 4];
        for c in (0x80..0x1_0000u32).chain(0xE_0000..0xE_1000).filter_map(char::from_u32) {
            if unicode_security::skeleton(c.encode_utf8(&mut buf)).next().is_none() {
                match ranges.last_mut() {
                    Some((_, end)) if *end as u32 + 1 == c as u32 => *end = c,
                    _ => ranges.push((c, c)),
                }
            }
        }
        ranges
    })
}

/// Whether a character changes the direction text is shown in (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Control characters that only separate words (tab, line breaks, form feed): read as a space.
pub(crate) fn is_spacing_control(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}')
}

/// The name with every invisible character removed (borrowed when there is none).
pub(crate) fn strip_invisible(name: &str) -> Cow<'_, str> {
    if name.is_ascii() || !name.chars().any(is_invisible) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(name.chars().filter(|&c| !is_invisible(c)).collect())
}

/// The name as a reader sees it when it holds a direction override: the characters of a right-to-left
/// override (U+202E) over left-to-right letters, or of a left-to-right override (U+202D) over right-to-left
/// letters, are shown in reverse, so `\u{202E}tropxenorobosoR` reads `Rosoboronexport`. `None` when the
/// name has no override or reads the same.
pub(crate) fn displayed(name: &str) -> Option<String> {
    if !name.contains(['\u{202D}', '\u{202E}']) {
        return None;
    }
    let rtl = |c: char| matches!(script_of(c), Script::Arabic) || ('\u{0590}'..='\u{05FF}').contains(&c);
    let mut out = String::with_capacity(name.len());
    let mut segment: Vec<char> = Vec::new();
    let mut over: Option<char> = None;
    let flush = |over: Option<char>, segment: &mut Vec<char>, out: &mut String| {
        let letters = segment.iter().filter(|c| c.is_alphabetic());
        let (right, all) = letters.fold((0usize, 0usize), |(r, a), &c| (r + usize::from(rtl(c)), a + 1));
        let reverse = match over {
            Some('\u{202E}') => right * 2 < all,
            Some(_) => right * 2 > all,
            None => false,
        };
        if reverse {
            out.extend(segment.iter().rev());
        } else {
            out.extend(segment.iter());
        }
        segment.clear();
    };
    for c in name.chars() {
        match c {
            '\u{202D}' | '\u{202E}' => {
                flush(over, &mut segment, &mut out);
                over = Some(c);
            }
            '\u{202C}' | '\n' | '\r' => {
                flush(over, &mut segment, &mut out);
                over = None;
                if c != '\u{202C}' {
                    out.push(' ');
                }
            }
            c if is_invisible(c) => {}
            c => segment.push(c),
        }
    }
    flush(over, &mut segment, &mut out);
    (out != strip_invisible(name)).then_some(out)
}

/// The letter scripts a name's words are compared on for mixing.
fn letter_script(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    match script_of(c) {
        // Letters of other alphabets matter when they look Latin (a Cherokee `Ꭺ`).
        Script::Other => crate::script::looks_latin(c).then_some(Script::Other),
        s => Some(s),
    }
}

fn script_name(s: Script) -> &'static str {
    match s {
        Script::Latin => "Latin",
        Script::Cyrillic => "Cyrillic",
        Script::Greek => "Greek",
        Script::Arabic => "Arabic",
        Script::Han => "Chinese or Korean",
        Script::Other => "other",
    }
}

fn code_points(chars: &[char]) -> String {
    chars.iter().map(|c| format!("U+{:04X}", *c as u32)).collect::<Vec<_>>().join(", ")
}

/// What an officer should know about how a name is written: invisible characters, direction controls,
/// words mixing alphabets. Empty for an ordinary name.
pub(crate) fn inspect(name: &str) -> Vec<InputWarning> {
    let mut out = Vec::new();
    if name.is_ascii() {
        return out;
    }
    let (mut invisible, mut bidi): (Vec<char>, Vec<char>) = (Vec::new(), Vec::new());
    let (mut n_invisible, mut n_bidi) = (0usize, 0usize);
    for c in name.chars().filter(|&c| is_invisible(c)) {
        let (seen, n) = if is_bidi_control(c) { (&mut bidi, &mut n_bidi) } else { (&mut invisible, &mut n_invisible) };
        *n += 1;
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    if n_invisible > 0 {
        out.push(InputWarning {
            kind: WarningKind::InvisibleCharacters,
            message: format!("{n_invisible} invisible character(s) removed ({})", code_points(&invisible)),
        });
    }
    if n_bidi > 0 {
        let shown = match displayed(name) {
            Some(d) => format!("it displays as '{}' and was screened both ways", d.trim()),
            None => "the name may display otherwise than it reads".to_owned(),
        };
        out.push(InputWarning {
            kind: WarningKind::DirectionControls,
            message: format!("{n_bidi} text-direction control(s) removed ({}): {shown}", code_points(&bidi)),
        });
    }
    // Words mixing alphabets (a Greek Nu in a Latin name), then a name whose words are in different ones.
    let visible = strip_invisible(name);
    let mut mixed_words: Vec<String> = Vec::new();
    let mut name_scripts: Vec<Script> = Vec::new();
    for word in visible.split(|c: char| !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))) {
        let mut scripts: Vec<Script> = Vec::new();
        for s in word.chars().filter_map(letter_script) {
            if !scripts.contains(&s) {
                scripts.push(s);
            }
        }
        for &s in &scripts {
            if !name_scripts.contains(&s) {
                name_scripts.push(s);
            }
        }
        if scripts.len() > 1 && mixed_words.len() < 5 {
            let names: Vec<&str> = scripts.iter().map(|&s| script_name(s)).collect();
            mixed_words.push(format!("'{word}' ({})", names.join(" and ")));
        }
    }
    if !mixed_words.is_empty() {
        out.push(InputWarning {
            kind: WarningKind::MixedScript,
            message: format!("letters of different alphabets in one word: {}", mixed_words.join(", ")),
        });
    } else {
        // Words in alphabets whose letters look alike (Latin, Cyrillic, Greek); an Arabic name with a Latin
        // legal form is common and no trick.
        let alphabets: Vec<Script> = name_scripts
            .into_iter()
            .filter(|s| matches!(s, Script::Latin | Script::Cyrillic | Script::Greek))
            .collect();
        if alphabets.len() > 1 {
            let names: Vec<&str> = alphabets.iter().map(|&s| script_name(s)).collect();
            out.push(InputWarning {
                kind: WarningKind::MixedScript,
                message: format!("words in different alphabets: {}", names.join(" and ")),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_default_ignorable_characters_are_invisible() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{034F}',
            '\u{202E}',
            '\u{2066}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{180E}',
            '\u{3164}',
            '\u{E0041}',
            '\u{061C}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
        }
        for c in ['a', ' ', 'é', 'ж', 'م', '中', '\u{0301}', '-'] {
            assert!(!is_invisible(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn stripping_removes_invisible_characters_and_borrows_otherwise() {
        assert_eq!(strip_invisible("Ro\u{200B}soboron\u{00AD}export"), "Rosoboronexport");
        assert!(matches!(strip_invisible("Ivan Petrov"), Cow::Borrowed(_)));
        assert!(matches!(strip_invisible("Иван Петров"), Cow::Borrowed(_)));
    }

    #[test]
    fn an_override_is_read_as_displayed() {
        assert_eq!(displayed("\u{202E}tropxenorobosoR\u{202C}").as_deref(), Some("Rosoboronexport"));
        assert_eq!(
            displayed("OOO \u{202E}tropxenorobosoR\u{202C} Moscow").as_deref(),
            Some("OOO Rosoboronexport Moscow")
        );
        assert_eq!(displayed("\u{202D}دمحم\u{202C}").as_deref(), Some("محمد"));
        assert_eq!(displayed("Rosoboronexport"), None);
        assert_eq!(displayed("\u{202E}\u{202C}"), None);
    }

    #[test]
    fn inspection_names_invisible_characters_direction_controls_and_mixed_words() {
        let kinds = |s: &str| inspect(s).into_iter().map(|w| w.kind).collect::<Vec<_>>();
        assert!(kinds("Ivan Petrov").is_empty());
        assert!(kinds("Иван Петров").is_empty());
        assert_eq!(kinds("Ro\u{200B}soboronexport"), [WarningKind::InvisibleCharacters]);
        assert_eq!(kinds("\u{202E}tropxenoroboso\u{202C}R"), [WarningKind::DirectionControls]);
        assert_eq!(kinds("\u{039D}asir Ali"), [WarningKind::MixedScript]);
        assert_eq!(kinds("Иван Petrov"), [WarningKind::MixedScript]);
        assert!(kinds("بنو النجار Inc").is_empty(), "an Arabic name with a Latin legal form is no trick");
        let w = inspect("\u{039D}asir");
        assert!(
            w[0].message.contains("Greek and Latin") || w[0].message.contains("Latin and Greek"),
            "{}",
            w[0].message
        );
    }
}
