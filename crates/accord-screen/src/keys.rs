//! Keys that make different spellings of one name part meet: romanisation skeletons, consonant keys,
//! single-deletion neighbourhoods, and the edit distance that confirms them.

use std::hash::{BuildHasherDefault, Hasher};

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), giving up early:
/// returns `limit + 1` as soon as the distance is known to exceed `limit`.
pub(crate) fn osa_distance(a: &[u8], b: &[u8], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    if a.len() > 64 || b.len() > 64 {
        return if a == b { 0 } else { limit + 1 };
    }
    let n = b.len();
    let mut prev2 = [0u8; 65];
    let mut prev = [0u8; 65];
    for (j, c) in prev.iter_mut().enumerate().take(n + 1) {
        *c = j as u8;
    }
    for i in 1..=a.len() {
        let mut cur = [0u8; 65];
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > limit {
            return limit + 1;
        }
        prev2 = prev;
        prev = cur;
    }
    usize::from(prev[n]).min(limit + 1)
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A token with common transliteration digraphs and letter choices folded (kh→h, ks→x, q→k, w→v,
/// y→i, ou→u, sh/sch/shch, ch/tch, zh/dzh/dj/j, dh→z …); vowels and doubled letters are kept.
pub(crate) fn romanised(token: &str) -> Vec<u8> {
    let b = token.as_bytes();
    let mut mapped: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let at = |i: usize, s: &[u8]| b.len() >= i + s.len() && &b[i..i + s.len()] == s;
    while i < b.len() {
        let (out, step): (u8, usize) = if at(i, b"shch") {
            (b'S', 4)
        } else if at(i, b"tsch") {
            (b'C', 4)
        } else if at(i, b"sch") || at(i, b"sh") {
            (b'S', if at(i, b"sch") { 3 } else { 2 })
        } else if at(i, b"tch") {
            (b'C', 3)
        } else if at(i, b"ch") {
            (b'C', 2)
        } else if at(i, b"dzh") {
            (b'J', 3)
        } else if at(i, b"dj") || at(i, b"zh") {
            (b'J', 2)
        } else if at(i, b"kh") {
            (b'h', 2)
        } else if at(i, b"gh") {
            (b'g', 2)
        } else if at(i, b"ph") {
            (b'f', 2)
        } else if at(i, b"th") {
            (b't', 2)
        } else if at(i, b"dh") {
            (b'z', 2)
        } else if at(i, b"cks") {
            (b'x', 3)
        } else if at(i, b"ck") {
            (b'k', 2)
        } else if at(i, b"ks") {
            (b'x', 2)
        } else if at(i, b"ts") || at(i, b"tz") {
            (b'T', 2)
        } else if at(i, b"ou") || at(i, b"oo") {
            (b'u', 2)
        } else {
            let c = b[i];
            (
                match c {
                    b'q' | b'c' => b'k',
                    b'w' => b'v',
                    b'y' => b'i',
                    b'j' => b'J',
                    _ => c,
                },
                1,
            )
        };
        mapped.push(out);
        i += step;
    }
    mapped
}

/// The romanisation skeleton of a token: spellings that differ only by common transliteration choices
/// (kh/h, ks/x, q/k, w/v, y/i, ou/u, sch/sh, zh/j, doubled letters, vowel clusters such as
/// `-yevich`/`-evich`, `sergey`/`sergei`) share it. Internal key, not meant for display.
pub(crate) fn skeleton(token: &str) -> String {
    let mut mapped = romanised(token);
    // Doubled letters count once (yuriy/yuri, sayyed/sayed); an i (or y) between two vowels is a glide
    // (nikolayev/nikolaev, alekseyevich/alekseevich), as is an initial one before e (yevgeniy/evgeniy).
    mapped.dedup();
    let mut glided: Vec<u8> = Vec::with_capacity(mapped.len());
    for (i, &c) in mapped.iter().enumerate() {
        let prev_vowel = i > 0 && is_vowel(mapped[i - 1]);
        let next = mapped.get(i + 1).copied();
        let next_vowel = next.is_some_and(is_vowel);
        if c == b'i' && ((prev_vowel && next_vowel && next != Some(b'i')) || (i == 0 && next == Some(b'e'))) {
            continue;
        }
        glided.push(c);
    }
    let mut out = String::with_capacity(glided.len());
    let mut last: Option<u8> = None;
    for &c in &glided {
        if last == Some(c) {
            continue;
        }
        out.push(char::from(c));
        last = Some(c);
    }
    // A final h after a vowel is silent (fatimah/fatima, allah/alla).
    if out.len() > 2 && out.ends_with('h') && out.as_bytes().get(out.len() - 2).copied().is_some_and(is_vowel) {
        out.pop();
    }
    out
}

/// A coarse consonant key derived from the skeleton: the first letter (any vowel as `a`) and the
/// consonants that follow, so `muhammad`, `mohamed` and Arabic-script `mhmd` meet.
pub(crate) fn consonant_key(skel: &str) -> String {
    let mut out = String::with_capacity(skel.len());
    let mut last = 0u8;
    for (i, &c) in skel.as_bytes().iter().enumerate() {
        let c = match c {
            b'z' => b's',
            c if is_vowel(c) => {
                if i == 0 {
                    b'a'
                } else {
                    continue;
                }
            }
            c => c,
        };
        if c != last {
            out.push(char::from(c));
        }
        last = c;
    }
    out
}

/// 64-bit FNV-1a over a namespace byte and a string.
pub(crate) fn key(namespace: u8, s: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(namespace);
    h = h.wrapping_mul(0x0000_0100_0000_01b3);
    for &c in s {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche so that the identity hasher below spreads well.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Calls `f` with the key of the token itself and of every single-character deletion of it.
pub(crate) fn deletion_keys(token: &[u8], mut f: impl FnMut(u64)) {
    f(key(KEY_DELETE, token));
    let mut buf: Vec<u8> = Vec::with_capacity(token.len());
    for i in 0..token.len() {
        if i > 0 && token[i] == token[i - 1] {
            continue; // Deleting either letter of a double gives the same string.
        }
        buf.clear();
        buf.extend_from_slice(&token[..i]);
        buf.extend_from_slice(&token[i + 1..]);
        f(key(KEY_DELETE, &buf));
    }
}

/// Namespace of exact-text keys.
pub(crate) const KEY_EXACT: u8 = 1;
/// Namespace of skeleton keys.
pub(crate) const KEY_SKELETON: u8 = 2;
/// Namespace of consonant keys.
pub(crate) const KEY_CONSONANT: u8 = 3;
/// Namespace of deletion-neighbourhood keys.
pub(crate) const KEY_DELETE: u8 = 4;
/// Namespace of name-variant group keys.
pub(crate) const KEY_GROUP: u8 = 5;
/// Namespace of the consonant-class keys Arabic-script name parts meet their Latin spellings by.
pub(crate) const KEY_ARABIC: u8 = 6;

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Build-hasher for [`IdHasher`].
pub(crate) type IdBuild = BuildHasherDefault<IdHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanisation_variants_share_a_skeleton() {
        for (a, b) in [
            ("sergey", "sergei"),
            ("yuriy", "yuri"),
            ("yury", "yuri"),
            ("alekseyevich", "alekseevich"),
            ("aleksey", "alexey"),
            ("khaled", "haled"),
            ("soubotic", "subotic"),
            ("qabalan", "kabalan"),
            ("ilyasov", "iliasov"),
            ("nikolayev", "nikolaev"),
            ("yevgeniy", "evgeny"),
            ("natalya", "natalia"),
            ("mikhaylov", "mikhailov"),
            ("fatimah", "fatima"),
            ("medhat", "mezat"),
            ("sayyed", "sayed"),
        ] {
            assert_eq!(skeleton(a), skeleton(b), "{a} {b}");
        }
        assert_ne!(skeleton("ivan"), skeleton("oleg"));
        assert_ne!(skeleton("yang"), skeleton("yong"));
        assert_ne!(skeleton("taoyun"), skeleton("tan"));
    }

    #[test]
    fn consonant_keys_bridge_vowel_spellings() {
        assert_eq!(consonant_key(&skeleton("muhammad")), consonant_key(&skeleton("mohamed")));
        assert_eq!(consonant_key(&skeleton("muhammad")), consonant_key(&skeleton("mhmd")));
        assert_eq!(consonant_key(&skeleton("hussein")), consonant_key(&skeleton("husayn")));
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(osa_distance(b"carlos", b"czrlos", 3), 1);
        assert_eq!(osa_distance(b"carlos", b"calros", 3), 1);
        assert_eq!(osa_distance(b"carlos", b"carloss", 3), 1);
        assert_eq!(osa_distance(b"abc", b"xyz", 1), 2);
        assert_eq!(osa_distance(b"", b"", 1), 0);
    }
}
