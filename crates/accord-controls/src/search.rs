//! Ranked full-text search: an in-memory inverted index over titles, texts, notes and jurisdiction headings,
//! scored with BM25F (the title weighs more than the text), plus exact code look-up.

use crate::code::ControlCode;
use crate::model::ControlEntry;
use serde::Serialize;
use std::collections::HashMap;

/// How much a term in a title (entry title or jurisdiction heading) counts against one in the text.
const TITLE_WEIGHT: f64 = 3.0;
/// BM25 term-frequency saturation.
const K1: f64 = 1.2;
/// BM25 length normalisation.
const B: f64 = 0.75;
/// Characters of text around the first match shown in a snippet.
const SNIPPET_CHARS: usize = 160;
/// Score given to the entry a code query names; its descendants get slightly less, all above any text score.
const CODE_SCORE: f64 = 1.0e6;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The entry's code.
    pub code: ControlCode,
    /// The entry's title.
    pub title: String,
    /// The relevance score (higher is better); only the order is meaningful.
    pub score: f64,
    /// A short excerpt of the title or text around the first matched term.
    pub snippet: String,
}

/// Posting: entry index, weighted term frequency.
type Posting = (u32, f32);

/// The inverted index of a list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    postings: HashMap<String, Vec<Posting>>,
    /// Weighted length of each entry.
    lengths: Vec<f64>,
    avg_length: f64,
}

/// Lower-case words of letters and digits, with British `-ise` spellings turned into `-ize` and simple plurals
/// removed, so `synthesisers` and `synthesizer` are one term.
pub(crate) fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(normalise)
}

fn normalise(word: &str) -> String {
    let mut w = word.to_lowercase();
    if w.chars().count() > 4
        && w.ends_with('s')
        && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is"))
        && w.chars().all(char::is_alphabetic)
    {
        w.pop();
    }
    for (from, to) in [("isation", "ization"), ("iser", "izer"), ("ised", "ized"), ("ising", "izing"), ("ise", "ize")] {
        if w.len() > from.len() + 2 && w.ends_with(from) {
            w.truncate(w.len() - from.len());
            w.push_str(to);
            break;
        }
    }
    w
}

/// The fields of an entry that are indexed, with their weights.
fn fields(e: &ControlEntry) -> Vec<(&str, f64)> {
    let mut f = vec![(e.title.as_str(), TITLE_WEIGHT), (e.text.as_str(), 1.0)];
    f.extend(e.notes.iter().map(|n| (n.as_str(), 1.0)));
    f.extend(e.mappings.iter().filter_map(|m| m.title.as_deref()).map(|t| (t, TITLE_WEIGHT)));
    f
}

impl Index {
    /// Indexes entries (by their position in the slice).
    pub(crate) fn build(entries: &[ControlEntry]) -> Index {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut lengths = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let mut tf: HashMap<String, f64> = HashMap::new();
            let mut length = 0.0;
            for (text, weight) in fields(e) {
                for t in terms(text) {
                    *tf.entry(t).or_default() += weight;
                    length += weight;
                }
            }
            lengths.push(length);
            for (t, f) in tf {
                postings.entry(t).or_default().push((i as u32, f as f32));
            }
        }
        let avg_length =
            if lengths.is_empty() { 1.0 } else { (lengths.iter().sum::<f64>() / lengths.len() as f64).max(1.0) };
        Index { postings, lengths, avg_length }
    }

    /// Ranks entries for a query; ties are broken by code order.
    pub(crate) fn search(&self, entries: &[ControlEntry], query: &str, limit: usize) -> Vec<SearchHit> {
        let mut scores: HashMap<usize, f64> = HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let n = entries.len() as f64;
        for token in query.split_whitespace() {
            if let Ok(code) = ControlCode::parse(token.trim_matches(|c: char| c == ',' || c == ';')) {
                if let Ok(i) = entries.binary_search_by(|e| e.code.cmp(&code)) {
                    *scores.entry(i).or_default() += CODE_SCORE;
                }
                let start = entries.partition_point(|e| e.code <= code);
                for (j, e) in entries[start..].iter().enumerate().take_while(|(_, e)| code.is_ancestor_of(&e.code)) {
                    let depth_gap = (e.code.depth() - code.depth()) as f64;
                    *scores.entry(start + j).or_default() += CODE_SCORE / (2.0 + depth_gap);
                }
            }
        }
        for t in terms(query) {
            if !words.contains(&t) {
                words.push(t);
            }
        }
        let mut matched: HashMap<usize, usize> = HashMap::new();
        for t in &words {
            let Some(list) = self.postings.get(t) else { continue };
            let df = list.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(i, f) in list {
                let i = i as usize;
                let f = f64::from(f);
                let norm = K1 * (1.0 - B + B * self.lengths[i] / self.avg_length);
                *scores.entry(i).or_default() += idf * f * (K1 + 1.0) / (f + norm);
                *matched.entry(i).or_default() += 1;
            }
        }
        // Entries that contain every query word rank above those that contain only some.
        if words.len() > 1 {
            for (i, m) in &matched {
                if *m == words.len() {
                    *scores.entry(*i).or_default() *= 2.0;
                }
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(entries[a.0].code.cmp(&entries[b.0].code)));
        ranked
            .into_iter()
            .take(limit)
            .map(|(i, score)| {
                let e = &entries[i];
                SearchHit { code: e.code.clone(), title: e.title.clone(), score, snippet: snippet(e, &words) }
            })
            .collect()
    }
}

/// About `SNIPPET_CHARS` characters of the text around the query words as a phrase, else around the first
/// query word, else from the start of the text.
fn snippet(e: &ControlEntry, words: &[String]) -> String {
    let source = if e.text.is_empty() { &e.title } else { &e.text };
    let mut tokens: Vec<(usize, String)> = Vec::new();
    let mut offset = 0;
    for w in source.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let word = w.trim_end_matches(|c: char| !c.is_alphanumeric());
        if !word.is_empty() {
            tokens.push((offset, normalise(word)));
        }
        offset += w.len();
    }
    let phrase = (!words.is_empty())
        .then(|| tokens.windows(words.len()).find(|w| w.iter().zip(words).all(|(t, q)| &t.1 == q)))
        .flatten()
        .map(|w| w[0].0);
    let first = phrase.or_else(|| tokens.iter().find(|t| words.contains(&t.1)).map(|t| t.0));
    let at = first.unwrap_or(0);
    let chars_before = source[..at].chars().count();
    let skip = chars_before.saturating_sub(SNIPPET_CHARS / 3);
    let mut out: String = source.chars().skip(skip).take(SNIPPET_CHARS).collect();
    if skip > 0 {
        out.insert(0, '…');
    }
    if skip + SNIPPET_CHARS < source.chars().count() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn british_and_plural_forms_share_a_term() {
        let a: Vec<String> = terms("Frequency synthesisers; synthesised").collect();
        assert_eq!(a, ["frequency", "synthesizer", "synthesized"]);
        assert_eq!(terms("synthesizer").collect::<Vec<_>>(), ["synthesizer"]);
        assert_eq!(terms("gas lasers").collect::<Vec<_>>(), ["gas", "laser"]);
    }
}
