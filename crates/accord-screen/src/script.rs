//! Per-character script handling: confusable letters and transliteration to lower-case ASCII.
//!
//! Cyrillic, Greek and Arabic/Persian use tables written for names (BGN/PCGN-like for Cyrillic, so that
//! `Евгений` becomes `yevgeniy` as the US and UN lists write it); other scripts fall back to `deunicode`.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;

/// The script family of a letter, as far as matching cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Han,
    Other,
}

/// The script of one character (digits and marks count as `Other`).
pub(crate) fn script_of(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
        0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF => Script::Arabic,
        // Hangul syllables are read one at a time like Chinese characters (김민준 → gim min jun).
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0xAC00..=0xD7A3 => Script::Han,
        _ => Script::Other,
    }
}

/// Letters of other alphabets read as the Latin letter they look like, and Latin letters read as the
/// Cyrillic letter they look like, both derived once from the Unicode confusables data (UTS #39 skeletons,
/// as the `unicode-security` crate carries them).
struct LookAlikes {
    /// Greek, Cyrillic, Armenian, Cherokee … letter (as written, either case) → lower-case ASCII letter,
    /// sorted for binary search.
    to_latin: Vec<(char, char)>,
    /// ASCII letter (as written, either case) → lower-case Cyrillic letter.
    to_cyrillic: HashMap<char, char>,
}

/// The UTS #39 skeleton of one character with combining marks left out (`Ё` → `E`).
fn bare_skeleton(c: char) -> String {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf)).filter(|&m| !is_combining_mark(m)).collect()
}

fn look_alikes() -> &'static LookAlikes {
    static TABLE: OnceLock<LookAlikes> = OnceLock::new();
    TABLE.get_or_init(|| {
        // ASCII letters by skeleton: `I` and `l` share one, so the case of the letter decides between them.
        let mut ascii: HashMap<String, Vec<char>> = HashMap::new();
        for c in ('A'..='Z').chain('a'..='z') {
            ascii.entry(bare_skeleton(c)).or_default().push(c);
        }
        let reading = |c: char| -> Option<char> {
            let pick = |c: char| -> Option<char> {
                let found = ascii.get(&bare_skeleton(c))?;
                let same_case = found.iter().find(|l| l.is_ascii_uppercase() == c.is_uppercase());
                same_case.or(found.first()).map(char::to_ascii_lowercase)
            };
            // A lower-case letter whose skeleton is a small capital (`т` → `ᴛ`) reads as its capital does.
            pick(c).or_else(|| {
                let mut upper = c.to_uppercase();
                match (upper.next(), upper.next()) {
                    (Some(u), None) if c.is_lowercase() && u != c => pick(u),
                    _ => None,
                }
            })
        };
        let ranges = [
            0x370..0x400u32,
            0x400..0x530,
            0x530..0x590,
            0x13A0..0x1400,
            0x1C80..0x1C90,
            0x1F00..0x2000,
            0x2C80..0x2D00,
            0xA640..0xA6A0,
            0xA4D0..0xA500,
        ];
        let mut to_latin = Vec::new();
        for c in ranges.into_iter().flatten().filter_map(char::from_u32).filter(|c| c.is_alphabetic()) {
            if let Some(l) = reading(c) {
                to_latin.push((c, l));
            }
        }
        to_latin.sort_unstable();
        // Basic Russian letters first, so that each Latin letter reads as the commonest Cyrillic look-alike.
        let mut to_cyrillic = HashMap::new();
        for c in (0x410..0x450u32).chain(0x400..0x410).chain(0x450..0x530).filter_map(char::from_u32) {
            if let Ok(at) = to_latin.binary_search_by_key(&c, |&(k, _)| k) {
                let l = to_latin[at].1;
                let written = if c.is_uppercase() { l.to_ascii_uppercase() } else { l };
                let lower = c.to_lowercase().next().unwrap_or(c);
                to_cyrillic.entry(written).or_insert(lower);
            }
        }
        LookAlikes { to_latin, to_cyrillic }
    })
}

/// A letter of another alphabet that looks like a Latin one, as that Latin letter in lower case (case as
/// written matters: a Greek capital Nu reads `n`, a small one `v`).
fn confusable_to_latin(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    let table = &look_alikes().to_latin;
    table.binary_search_by_key(&c, |&(k, _)| k).ok().map(|at| table[at].1)
}

/// Whether a letter of another alphabet looks like a Latin letter.
pub(crate) fn looks_latin(c: char) -> bool {
    confusable_to_latin(c).is_some()
}

/// A Latin letter that looks like a Cyrillic one, as that Cyrillic letter in lower case.
fn confusable_to_cyrillic(c: char) -> Option<char> {
    look_alikes().to_cyrillic.get(&c).copied()
}

/// Replaces letters of a minority script that merely look like letters of the main script (a Cyrillic
/// `а` or a Greek capital Nu in a Latin name, a Latin `o` in a Cyrillic one) and lower-cases the token,
/// reading each letter as written (its case matters to what it looks like). `latin_name` says whether the
/// whole name is mostly Latin, which decides for tokens made only of look-alikes (a Cyrillic `С` standing
/// alone in `S.A. DE С.V.`).
pub(crate) fn fold_confusables(raw: &[char], out: &mut Vec<char>, latin_name: bool) {
    out.clear();
    let (mut latin, mut other) = (0usize, 0usize);
    let mut cyrillic = 0usize;
    let mut all_look_latin = true;
    for &c in raw {
        match script_of(c) {
            Script::Latin => latin += 1,
            Script::Cyrillic => {
                cyrillic += 1;
                other += 1;
            }
            Script::Greek => other += 1,
            // Letters of other alphabets count only when they look Latin (a Cherokee or Armenian look-alike).
            Script::Other if c.is_alphabetic() && confusable_to_latin(c).is_some() => other += 1,
            _ => {}
        }
        if c.is_alphabetic() && script_of(c) != Script::Latin && confusable_to_latin(c).is_none() {
            all_look_latin = false;
        }
    }
    let to_latin = if latin > 0 && other > 0 {
        if latin_name { all_look_latin || latin > other } else { latin > other }
    } else {
        latin == 0 && other > 0 && latin_name && all_look_latin
    };
    let to_cyrillic = !to_latin && latin > 0 && cyrillic > 0;
    for &c in raw {
        let mapped = if to_latin {
            confusable_to_latin(c)
        } else if to_cyrillic && c.is_ascii() {
            confusable_to_cyrillic(c)
        } else {
            None
        };
        match mapped {
            Some(m) => out.push(m),
            None => out.extend(c.to_lowercase()),
        }
    }
}

/// Whether a name has more Latin letters than Cyrillic and Greek ones.
pub(crate) fn mostly_latin(name: &str) -> bool {
    let (mut latin, mut other) = (0usize, 0usize);
    for c in name.chars() {
        match script_of(c) {
            Script::Latin => latin += 1,
            Script::Cyrillic | Script::Greek => other += 1,
            _ => {}
        }
    }
    latin > other
}

fn is_cyrillic_vowel(c: char) -> bool {
    matches!(c, 'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'є' | 'і' | 'ї' | 'ъ' | 'ь')
}

fn cyrillic(c: char, prev: Option<char>, ukrainian: bool, out: &mut String) {
    let s = match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' if ukrainian => "h",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' | 'ё' => {
            if prev.is_none_or(is_cyrillic_vowel) {
                "ye"
            } else {
                "e"
            }
        }
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' if ukrainian => "y",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' | 'ү' | 'ұ' | 'ӯ' => "u",
        'ф' => "f",
        'х' | 'һ' | 'ҳ' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dz",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        'қ' => "q",
        'ғ' => "gh",
        'ң' => "ng",
        'ө' => "o",
        'ә' => "a",
        'ӣ' => "i",
        'ҷ' => "j",
        'җ' => "zh",
        'ҫ' => "s",
        _ => return deunicode_char(c, out),
    };
    out.push_str(s);
}

fn greek(c: char, next: Option<char>, out: &mut String) -> bool {
    // Returns true when the next character was consumed (digraph).
    if c == 'ο' && matches!(next, Some('υ' | 'ύ')) {
        out.push_str("ou");
        return true;
    }
    let s = match c {
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => {
            deunicode_char(c, out);
            return false;
        }
    };
    out.push_str(s);
    false
}

fn arabic(c: char, out: &mut String) {
    let s = match c {
        // Spellings typed interchangeably read alike: the alef forms, alef maqsura and yeh, teh marbuta
        // and heh.
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' => "a",
        'ى' => "y",
        'ة' => "h",
        'ء' | 'ؤ' | 'ئ' | 'ع' => "",
        'ب' => "b",
        'ت' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' | 'ۀ' | 'ھ' | 'ە' => "h",
        'خ' => "kh",
        'د' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ض' => "d",
        'ط' => "t",
        'ظ' => "z",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => "w",
        'ي' | 'ی' | 'ے' => "y",
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        '\u{0660}'..='\u{0669}' => {
            out.push(char::from(b'0' + (c as u32 - 0x0660) as u8));
            return;
        }
        '\u{06F0}'..='\u{06F9}' => {
            out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8));
            return;
        }
        // Vowel marks, shadda, sukun, tatweel, superscript alef and other marks are dropped.
        '\u{064B}'..='\u{065F}' | '\u{0640}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' => "",
        _ => return deunicode_char(c, out),
    };
    out.push_str(s);
}

fn deunicode_char(c: char, out: &mut String) {
    if let Some(s) = deunicode::deunicode_char(c) {
        for l in s.chars() {
            out.extend(l.to_lowercase());
        }
    }
}

/// Transliterates one folded token (lower case, confusables resolved) to lower-case ASCII; the result
/// may contain spaces or punctuation (from `deunicode`) that the caller splits on. Returns whether any
/// character came from a non-Latin script.
pub(crate) fn transliterate(chars: &[char], out: &mut String) -> bool {
    out.clear();
    let ukrainian = chars.iter().any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ'));
    let mut foreign = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii() {
            out.push(c);
            i += 1;
            continue;
        }
        match script_of(c) {
            Script::Latin => deunicode_char(c, out),
            Script::Cyrillic => {
                foreign = true;
                cyrillic(c, if i == 0 { None } else { Some(chars[i - 1]) }, ukrainian, out);
            }
            Script::Greek => {
                foreign = true;
                if greek(c, chars.get(i + 1).copied(), out) {
                    i += 1;
                }
            }
            Script::Arabic => {
                foreign = true;
                // An initial ayn begins with a vowel, as an initial alef does (`عبد` → `abd`, like `احمد` → `ahmd`).
                if c == 'ع' && i == 0 {
                    out.push('a');
                } else {
                    arabic(c, out);
                }
            }
            Script::Han | Script::Other => {
                if c.is_alphabetic() {
                    foreign = true;
                }
                deunicode_char(c, out);
            }
        }
        i += 1;
    }
    foreign
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut folded = Vec::new();
        fold_confusables(&chars, &mut folded, mostly_latin(s));
        let mut out = String::new();
        transliterate(&folded, &mut out);
        out
    }

    #[test]
    fn russian_follows_the_conventions_of_the_lists() {
        assert_eq!(tr("Евгений"), "yevgeniy");
        assert_eq!(tr("Алексеевич"), "alekseyevich");
        assert_eq!(tr("Хрущёв"), "khrushchev");
        assert_eq!(tr("Общество"), "obshchestvo");
    }

    #[test]
    fn ukrainian_letters_switch_the_ukrainian_reading() {
        assert_eq!(tr("Сергій"), "serhiy");
    }

    #[test]
    fn a_cyrillic_letter_inside_a_latin_name_is_read_as_latin() {
        assert_eq!(tr("Hаssan"), "hassan");
        assert_eq!(tr("Пyтин"), "putin");
    }

    #[test]
    fn greek_and_arabic_are_transliterated() {
        assert_eq!(tr("Γεώργιος"), "georgios");
        assert_eq!(tr("محمد"), "mhmd");
        assert_eq!(tr("مصطفى"), tr("مصطفي"));
        assert_eq!(tr("إسلام"), tr("اسلام"));
    }
}
