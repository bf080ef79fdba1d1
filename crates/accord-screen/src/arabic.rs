//! Names written in Arabic script (Arabic, Persian, Urdu letters) against the Latin spellings the lists use.
//!
//! Arabic script leaves out short vowels, so `محمد` stands for Muhammad, Mohammed, Mohamed and Mohammad alike.
//! Both sides are reduced to one key of consonant classes under the rules romanisations follow: vowels and the
//! letters that carry long vowels (alef, waw, yeh) and hamza or ayn leave no trace after the first letter;
//! ta marbuta and a final h are dropped (Fatima / Fatimah / فاطمة); `kh`, `sh`, `gh`, `dh`, `th` are one
//! letter each as in the script (with French `ch` and `dj` for shin and jim); q/k, g/j (Egyptian Gamal / Jamal, Persian gaf), v/w (Persian vav), and
//! d/z/dh (dal, ḍad, dhal, zay, ẓa: Ramadan / Ramazan, Ridha / Reza) fold together; doubled letters (shadda) count once. The definite article and `Abd` glued to
//! a name are split off as the lists write them (`عبدالرحمن` → `abd al rahman`), see [`split_prefixes`].

/// The class of the Latin letter (or digraph) at `i` and how many bytes it takes; `x` is `k` then `s`.
fn latin_class(b: &[u8], i: usize) -> (u8, usize, Option<u8>) {
    match (b[i], b.get(i + 1).copied()) {
        (b'k', Some(b'h')) => (b'x', 2, None),
        (b's', Some(b'h')) => (b'S', 2, None),
        // French romanisation: `ch` for shin (Akkacha), `dj` for jim (Djamel, Djouadi).
        (b'c', Some(b'h')) => (b'S', 2, None),
        (b'd', Some(b'j')) => (b'j', 2, None),
        (b'g', Some(b'h')) => (b'G', 2, None),
        (b'z', Some(b'h')) => (b'Z', 2, None),
        (b'd', Some(b'h')) => (b'd', 2, None),
        (b't', Some(b'h')) => (b't', 2, None),
        (b'p', Some(b'h')) => (b'f', 2, None),
        (b'a' | b'e' | b'i' | b'o' | b'u', _) => (b'a', 1, None),
        (b'w' | b'v', _) => (b'w', 1, None),
        (b'q' | b'c' | b'k', _) => (b'k', 1, None),
        (b'g' | b'j', _) => (b'j', 1, None),
        (b'z', _) => (b'd', 1, None),
        (b'x', _) => (b'k', 1, Some(b's')),
        (c, _) => (c, 1, None),
    }
}

/// The consonant-class key of a Latin name part (`mohammed` → `mhmd`, `abdullah` → `bdl`).
pub(crate) fn latin_key(text: &str) -> String {
    let b = text.as_bytes();
    let mut classes: Vec<u8> = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while i < b.len() {
        let (class, step, then) = latin_class(b, i);
        classes.push(class);
        classes.extend(then);
        i += step;
    }
    finish(classes)
}

/// The class of a letter of Arabic script (`a` for alef, hamza and ayn; `w`, `y` for waw and yeh), if it has one.
fn script_class(c: char) -> Option<u8> {
    Some(match c {
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' | 'ى' | 'ء' | 'ؤ' | 'ئ' | 'ع' => b'a',
        'و' => b'w',
        'ي' | 'ی' | 'ے' => b'y',
        'ة' | 'ۀ' | 'ح' | 'ه' | 'ھ' | 'ە' => b'h',
        'ب' => b'b',
        'ت' | 'ط' | 'ث' => b't',
        'ج' | 'گ' => b'j',
        'خ' => b'x',
        'د' | 'ض' | 'ذ' | 'ز' | 'ظ' => b'd',
        'ر' => b'r',
        'س' | 'ص' => b's',
        'ش' => b'S',
        'غ' => b'G',
        'ف' => b'f',
        'ق' | 'ك' | 'ک' => b'k',
        'ل' => b'l',
        'م' => b'm',
        'ن' => b'n',
        'پ' => b'p',
        'چ' => b'S',
        'ژ' => b'Z',
        _ => return None,
    })
}

/// The consonant-class key of a name part in Arabic script (`محمد` → `mhmd`, `عبدالله` → `bdl`), from its
/// letters (lower case, no marks needed).
pub(crate) fn script_key(word: &str) -> String {
    finish(word.chars().filter_map(script_class).collect())
}

/// From letter classes to the key: vowel carriers (a, w, y) kept only as the first letter (where w and y
/// are consonants and a vowel is just "starts with a vowel", which is left out), doubles once, a final h
/// dropped.
fn finish(classes: Vec<u8>) -> String {
    let mut out = String::with_capacity(classes.len());
    let mut last = 0u8;
    for (i, &c) in classes.iter().enumerate() {
        // An initial w or y before a consonant is a vowel (Yusuf's y is a consonant, the i of Isma'il is not).
        let keep = match c {
            b'a' => false,
            b'w' | b'y' => i == 0,
            _ => true,
        };
        if keep && c != last {
            out.push(char::from(c));
        }
        // A vowel (or a long-vowel letter) between two equal consonants keeps both: Muhammad's mm is one,
        // Habib's b-y-b two.
        last = if keep { c } else { 0 };
    }
    if out.len() > 2 && out.ends_with('h') {
        out.pop();
    }
    out
}

/// Whether the long vowels a word in Arabic script writes (alef, waw, yeh after a consonant) show in a Latin
/// spelling with the same consonants, each after the same consonant and of its kind (`حسين` is Hussein or
/// Husayn, not Hasan; `محمود` is Mahmoud, not Mohammed).
pub(crate) fn vowels_agree(word: &str, latin: &str) -> bool {
    // Arabic: per consonant, the long vowels that follow it.
    let mut script: Vec<(u8, Vec<char>)> = Vec::new();
    let mut word_start = true;
    for c in word.chars() {
        // Two words joined for the lists' one (`عبد ال` → Abdul): the alef of the article carries no long vowel.
        if c == ' ' {
            word_start = true;
            continue;
        }
        if std::mem::take(&mut word_start) && matches!(c, 'ا' | 'أ' | 'إ' | 'ٱ') && !script.is_empty() {
            continue;
        }
        let long = match c {
            'ا' | 'آ' | 'ى' => Some('a'),
            'و' => Some('u'),
            'ي' | 'ی' => Some('i'),
            _ => None,
        };
        match (long, script.last_mut()) {
            (Some(v), Some(last)) => last.1.push(v),
            // A first waw or yeh is a consonant (Walid, Yusuf); a first alef only says the word starts with a vowel.
            (Some(_), None) => {
                if let Some(class) = script_class(c).filter(|&k| k != b'a') {
                    script.push((class, Vec::new()));
                }
            }
            (None, _) => {
                if let Some(class) = script_class(c).filter(|&k| k != b'a')
                    && script.last().is_none_or(|l| l.0 != class || !l.1.is_empty())
                {
                    script.push((class, Vec::new()));
                }
            }
        }
    }
    // Latin: per consonant class, the vowel letters that follow it.
    let mut spelt: Vec<(u8, String)> = Vec::new();
    let b = latin.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let vowel = matches!(b[i], b'a' | b'e' | b'i' | b'o' | b'u') || (i > 0 && matches!(b[i], b'w' | b'y'));
        if vowel {
            if let Some(last) = spelt.last_mut() {
                last.1.push(char::from(b[i]));
            }
            i += 1;
            continue;
        }
        let (class, step, _) = latin_class(b, i);
        if spelt.last().is_none_or(|l| l.0 != class || !l.1.is_empty()) {
            spelt.push((class, String::new()));
        }
        i += step;
    }
    // Both begin with a vowel (alef, ayn, hamza / a, e, i, o, u) or both with a consonant (Ehsan is not Hossein).
    let script_vowel = word.chars().next().is_some_and(|c| script_class(c).is_none_or(|k| k == b'a'));
    let latin_vowel = latin.bytes().next().is_some_and(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'));
    if script_vowel != latin_vowel {
        return false;
    }
    // A long vowel spelt with two letters (Mahmoud's ou, Hussein's ei) must be written in the script too.
    let long_spelling =
        |v: &str| ["aa", "ee", "ii", "oo", "ou", "uu", "ai", "ay", "ei", "ey"].iter().any(|d| v.contains(d));
    script.iter().zip(&spelt).all(|((_, longs), (_, vowels))| {
        (!longs.is_empty() || !long_spelling(vowels))
            && longs.iter().all(|v| match v {
                'a' => vowels.contains(['a', 'e', 'o']),
                'u' => vowels.contains(['u', 'o', 'w']),
                _ => vowels.contains(['i', 'e', 'y']),
            })
    })
}

/// Whether a raw word is written in Arabic script (its first letter is).
pub(crate) fn is_arabic_word(raw: &[char]) -> bool {
    raw.first().is_some_and(|&c| matches!(c as u32, 0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF))
}

/// How many leading letters of a word in Arabic script are a prefix written apart in the lists: the
/// definite article (`الخالدي` → `al` + `خالدي`) or `عبد` before a name (`عبدالله` → `abd` + `الله`), when
/// enough of the word remains. `الله` itself stays whole.
pub(crate) fn split_prefixes(raw: &[char]) -> Option<usize> {
    let starts = |p: &[char]| raw.len() >= p.len() && raw[..p.len()] == *p;
    if starts(&['ع', 'ب', 'د']) && raw.len() >= 6 {
        return Some(3);
    }
    let allah = ['ا', 'ل', 'ل', 'ه'];
    if (starts(&['ا', 'ل']) || starts(&['ٱ', 'ل'])) && raw.len() >= 5 && raw != allah {
        return Some(2);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latin_spellings_of_a_name_share_the_key_of_its_arabic_form() {
        for (arabic, latin) in [
            ("محمد", &["muhammad", "mohammed", "mohamed", "mohammad", "mohamad"][..]),
            ("احمد", &["ahmad", "ahmed"]),
            ("حسين", &["hussein", "husayn", "hussain", "hosein", "hossein"]),
            ("يوسف", &["yusuf", "yousef", "youssef", "yosef"]),
            ("فاطمة", &["fatima", "fatimah", "fatma"]),
            ("عبدالله", &["abdullah", "abdallah", "abdulla"]),
            ("خالد", &["khalid", "khaled"]),
            ("قاسم", &["qasim", "kasim", "qassem", "ghasem"]),
            ("جمال", &["jamal", "gamal"]),
            ("عمر", &["omar", "umar"]),
            ("بن", &["bin", "ibn", "ben"]),
            ("سعيد", &["said", "saeed", "sayed"]),
            ("وحيد", &["vahid", "wahid"]),
            ("رضا", &["reza", "rida", "ridha"]),
            ("ذاكر", &["zakir", "dhakir", "zaker"]),
            ("مؤمن", &["mumin", "momin", "moumen"]),
            ("گل", &["gul", "jul"]),
        ] {
            for l in latin {
                if *l == "ghasem" {
                    // Persian qaf as gh is another sound: not the same key.
                    assert_ne!(latin_key(l), script_key(arabic));
                    continue;
                }
                assert_eq!(latin_key(l), script_key(arabic), "{arabic} {l}");
            }
        }
    }

    #[test]
    fn long_vowels_written_in_the_script_must_show_in_the_latin_spelling() {
        assert!(vowels_agree("حسين", "hussein") && vowels_agree("حسين", "husayn"));
        assert!(!vowels_agree("حسين", "hasan"), "Husayn's yeh is not in Hasan");
        assert!(vowels_agree("محمود", "mahmoud") && vowels_agree("محمود", "mahmud"));
        assert!(!vowels_agree("محمود", "mohammed"), "Mahmud's waw is not in Mohammed");
        assert!(vowels_agree("محمد", "mohammed"));
        assert!(!vowels_agree("محمد", "mahmoud"), "Mahmoud's ou is a waw that Muhammad lacks");
        assert!(!vowels_agree("احسان", "hossein") && vowels_agree("احسان", "ehsan"), "a vowel start is kept apart");
        assert!(vowels_agree("عمر", "omar") && !vowels_agree("احمدی", "hamid"));
        assert!(vowels_agree("وليد", "walid") && vowels_agree("يوسف", "youssef") && !vowels_agree("يوسف", "yasaf"));
        assert!(vowels_agree("سالم", "salem") && !vowels_agree("سالم", "silm"));
    }

    #[test]
    fn the_article_and_abd_are_split_off_except_in_allah() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(split_prefixes(&chars("الخالدي")), Some(2));
        assert_eq!(split_prefixes(&chars("عبدالرحمن")), Some(3));
        assert_eq!(split_prefixes(&chars("الله")), None);
        assert_eq!(split_prefixes(&chars("الي")), None);
        assert_eq!(split_prefixes(&chars("عبد")), None);
    }
}
