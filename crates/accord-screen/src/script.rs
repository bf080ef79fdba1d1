//! Per-character script handling: confusable letters and transliteration to lower-case ASCII.
//!
//! Cyrillic, Greek and Arabic/Persian use tables written for names (BGN/PCGN-like for Cyrillic, so that
//! `Евгений` becomes `yevgeniy` as the US and UN lists write it); other scripts fall back to `deunicode`.

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
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        _ => Script::Other,
    }
}

/// A Cyrillic or Greek letter that looks like a Latin one, as that Latin letter (input is lower case).
fn confusable_to_latin(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'h',
        'ι' => 'i',
        'κ' => 'k',
        'μ' => 'm',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ζ' => 'z',
        _ => return None,
    })
}

/// A Latin letter that looks like a Cyrillic one, as that Cyrillic letter (input is lower case).
fn confusable_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'i' => 'і',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

/// Lower-cases a raw token and replaces letters of a minority script that merely look like letters
/// of the main script (a Cyrillic `а` in a Latin name, a Latin `o` in a Cyrillic one). `latin_name`
/// says whether the whole name is mostly Latin, which decides for tokens made only of look-alikes
/// (a Cyrillic `с` standing alone in `S.A. DE С.V.`).
pub(crate) fn fold_confusables(raw: &[char], out: &mut Vec<char>, latin_name: bool) {
    out.clear();
    let (mut latin, mut other) = (0usize, 0usize);
    let mut cyrillic = 0usize;
    for &c in raw {
        for l in c.to_lowercase() {
            match script_of(l) {
                Script::Latin => latin += 1,
                Script::Cyrillic => {
                    cyrillic += 1;
                    other += 1;
                }
                Script::Greek => other += 1,
                _ => {}
            }
            out.push(l);
        }
    }
    let others_look_latin = || {
        out.iter()
            .all(|&c| !matches!(script_of(c), Script::Cyrillic | Script::Greek) || confusable_to_latin(c).is_some())
    };
    let to_latin = if latin > 0 && other > 0 {
        if latin_name { others_look_latin() || latin > other } else { latin > other }
    } else {
        latin == 0
            && other > 0
            && latin_name
            && out.iter().all(|&c| !c.is_alphabetic() || confusable_to_latin(c).is_some())
    };
    if to_latin {
        for c in out.iter_mut() {
            if let Some(l) = confusable_to_latin(*c) {
                *c = l;
            }
        }
    } else if latin > 0 && cyrillic > 0 {
        for c in out.iter_mut() {
            if let Some(l) = confusable_to_cyrillic(*c) {
                *c = l;
            }
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
                arabic(c, out);
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
