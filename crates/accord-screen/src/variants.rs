//! Equivalence groups of name parts (Mohammed = Muhammad = Мухаммад = محمد), read from a text table.

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

use accord_core::{Error, ErrorCode, Result};

use crate::keys::{IdBuild, KEY_EXACT, key};
use crate::script::{Script, script_of};
use crate::text::tokenize;

/// Name-part equivalence groups, loaded from lines `form1, form2, … => GROUP` (forms in any script,
/// compared after normalisation; a form may belong to several groups). Cheap to clone.
#[derive(Clone)]
pub struct NameVariants {
    inner: Arc<Inner>,
}

struct Inner {
    /// Normalised form key → range in `groups`.
    forms: HashMap<u64, (u32, u32), IdBuild>,
    groups: Vec<u32>,
    count: usize,
}

impl std::fmt::Debug for NameVariants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameVariants")
            .field("groups", &self.inner.count)
            .field("forms", &self.inner.forms.len())
            .finish()
    }
}

/// The key a name part is looked up with: its normalised words joined without spaces.
pub(crate) fn form_key(form: &str) -> Option<u64> {
    let tokens = tokenize(form);
    match tokens.len() {
        0 => None,
        1 => Some(key(KEY_EXACT, tokens[0].text.as_bytes())),
        _ => {
            let joined: String = tokens.iter().map(|t| t.text.as_str()).collect();
            Some(key(KEY_EXACT, joined.as_bytes()))
        }
    }
}

impl NameVariants {
    /// Reads the table. Blank lines and lines starting with `#` are skipped; any other line without
    /// `=>` is a `malformed_file` error naming the line.
    pub fn load(r: impl BufRead) -> Result<NameVariants> {
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        let mut count: u32 = 0;
        for (n, line) in r.lines().enumerate() {
            let line = line.map_err(|e| {
                Error::new(ErrorCode::MalformedFile, format!("name-variant table, line {}: {e}", n + 1))
            })?;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((forms, _group)) = line.rsplit_once("=>") else {
                return Err(Error::new(
                    ErrorCode::MalformedFile,
                    format!("name-variant table, line {}: expected 'form, form, … => group'", n + 1),
                ));
            };
            let group = count;
            count = count.saturating_add(1);
            let start = pairs.len();
            for form in forms.split(',') {
                // Han, kana and hangul forms are single syllables whose romanisation says little.
                if form.chars().any(|c| {
                    matches!(script_of(c), Script::Han)
                        || ('\u{3040}'..='\u{30FF}').contains(&c)
                        || ('\u{AC00}'..='\u{D7AF}').contains(&c)
                }) {
                    continue;
                }
                if let Some(k) = form_key(form) {
                    pairs.push((k, group));
                }
            }
            // A group whose forms all normalise alike says nothing.
            if pairs.len() == start || pairs[start..].iter().all(|p| p.0 == pairs[start].0) {
                pairs.truncate(start);
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut forms: HashMap<u64, (u32, u32), IdBuild> =
            HashMap::with_capacity_and_hasher(pairs.len(), IdBuild::default());
        let mut groups = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while i < pairs.len() {
            let k = pairs[i].0;
            let start = groups.len() as u32;
            while i < pairs.len() && pairs[i].0 == k {
                groups.push(pairs[i].1);
                i += 1;
            }
            forms.insert(k, (start, groups.len() as u32 - start));
        }
        Ok(NameVariants { inner: Arc::new(Inner { forms, groups, count: count as usize }) })
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.inner.count
    }

    /// Whether the table has no groups.
    pub fn is_empty(&self) -> bool {
        self.inner.count == 0
    }

    /// The groups of a normalised token (sorted).
    pub(crate) fn groups_of_key(&self, k: u64) -> &[u32] {
        match self.inner.forms.get(&k) {
            Some(&(start, len)) => &self.inner.groups[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// Whether two name parts (as written) share a group.
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        match (form_key(a), form_key(b)) {
            (Some(a), Some(b)) => intersects(self.groups_of_key(a), self.groups_of_key(b)),
            _ => false,
        }
    }
}

/// Whether two sorted slices share an element.
pub(crate) fn intersects(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_in_any_script_join_their_group() {
        let v = NameVariants::load("muhammad, mohammed, мухаммад, محمد => Q1\nali, aly => Q2\n".as_bytes()).unwrap();
        assert_eq!(v.len(), 2);
        assert!(v.equivalent("Mohammed", "МУХАММАД"));
        assert!(v.equivalent("muhammad", "محمد"));
        assert!(!v.equivalent("muhammad", "ali"));
    }

    #[test]
    fn a_line_without_an_arrow_is_rejected_with_its_number() {
        let err = NameVariants::load("a, b => Q1\n\n# note\nbroken line\n".as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedFile);
        assert!(err.message.contains("line 4"), "{}", err.message);
    }
}
