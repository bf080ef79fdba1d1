//! The candidate index and the part-by-part scorer.
//!
//! Every distinct name part of the listed names gets an entry in a dictionary, reachable through
//! keys (exact text, romanisation skeleton, consonant key, single-deletion neighbourhood, name-variant
//! groups). A query looks up candidate parts for each of its own parts, walks their postings to collect
//! an upper bound of the score of every name that shares something with it, and scores only the most
//! promising names in full.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use accord_core::listed::{EntityKind, ListedEntity, NameKind};
use accord_core::{Error, Result};

use crate::keys::{
    IdBuild, KEY_ARABIC, KEY_CONSONANT, KEY_DELETE, KEY_EXACT, KEY_GROUP, KEY_SKELETON, consonant_key, deletion_keys,
    key, osa_distance, romanised, skeleton,
};
use crate::text::{Legal, Parsed, Tok, parse};
use crate::variants::{NameVariants, intersects};
use crate::{Explanation, Hit, MAX_LIMIT, MAX_NAME_PARTS, MatchKind, PartMatch, Penalty, Query, check_name};

/// Similarity of parts with the same romanisation skeleton.
const SIM_TRANSLIT: f32 = 0.95;
/// Similarity of parts in one name-variant group that are also spelt alike.
const SIM_VARIANT: f32 = 0.92;
/// Similarity of parts in one name-variant group that share no letters (rises with spelling likeness).
const VARIANT_FLOOR: f32 = 0.6;
/// Similarity of an Arabic-script part and a Latin spelling with its consonants and long vowels.
const SIM_ARABIC: f32 = 0.88;
/// Candidates linked by the name-variant table or a listed form in Arabic script, from which on an Arabic-script
/// part is not also looked up by its consonant classes (a common name such as محمد is linked to every usual
/// spelling, and the rest would be many more postings to walk for little).
const ARABIC_LINKED_ENOUGH: usize = 10;
/// Most Latin spellings an Arabic-script part is looked up by (the commonest in the lists).
const MAX_ARABIC_SPELLINGS: usize = 24;
/// Similarity of a short Arabic-script part (two consonants: bin, Reza) and a Latin spelling that agrees.
const SIM_ARABIC_SHORT: f32 = 0.82;
/// Similarity of parts with the same consonant key.
const SIM_PHONETIC: f32 = 0.75;
/// Similarity of a query initial and a full listed part.
const SIM_INITIAL: f32 = 0.9;
/// Similarity of a full query part and a listed initial (which says less about the listed person).
const SIM_LISTED_INITIAL: f32 = 0.75;
/// Share of an edit that a fuzzy match loses, per character of the longer part.
const FUZZ: f32 = 0.85;
/// Pairs below this similarity are not aligned.
const MIN_PAIR: f32 = 0.6;
/// Weight of a legal form, relative to name parts (a few units each).
const LEGAL_WEIGHT: f32 = 1.0;
/// Weight of a title or honorific (Dr., Sheikh …), which may also be a surname.
const TITLE_WEIGHT: f32 = 1.0;
/// Factor on the similarity of two words joined to match one (`al qaida` / `alqaida`).
const JOINED: f32 = 0.97;
/// How much an unmatched listed part costs, relative to an unmatched query part.
const LISTED_UNMATCHED: f32 = 0.3;
/// Score factor of a weak alias.
const WEAK_ALIAS_FACTOR: f32 = 0.95;
/// Penalty when the query asks for another kind of entity.
const KIND_PENALTY: f64 = 0.2;
/// Penalty when the query carries a legal form and the listed entity is a person.
const LEGAL_FORM_PERSON_PENALTY: f64 = 0.1;
/// Penalty when none of the listed countries is the query's.
const COUNTRY_PENALTY: f64 = 0.05;
/// Penalty when every listed birth date is more than a year away from the query's.
const BIRTH_YEAR_PENALTY: f64 = 0.15;
/// Most name parts of a listed name that take part in matching.
const MAX_LISTED_PARTS: usize = 48;
/// Names fully scored per query at least.
const MIN_FULLY_SCORED: usize = 40;
/// Upper bounds below this share of the threshold are not scored.
const PREFILTER: f32 = 0.9;

/// An in-memory screening index over listed entities; built once, queried from many threads.
#[derive(Clone)]
pub struct Index {
    toks: Vec<TokInfo>,
    arena: String,
    group_arena: Vec<u32>,
    exact: HashMap<u64, u32, IdBuild>,
    keys: HashMap<u64, (u32, u32), IdBuild>,
    /// Answers most lookups of absent keys (most single-deletion probes) without touching `keys`.
    filter: KeyFilter,
    key_targets: Vec<u32>,
    post_start: Vec<u32>,
    postings: Vec<u32>,
    names: Vec<NameRec>,
    /// The total weight of each name's parts (apart from `names` so that the walk stays in cache).
    name_weights: Vec<f32>,
    /// Per first letter (ASCII byte), the names with a part of two letters or more starting with it.
    initials: Vec<Vec<u32>>,
    entities: Vec<EntityRec>,
    variants: Option<NameVariants>,
    unknown_weight: f32,
    static_weights: bool,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("entities", &self.entities.len())
            .field("names", &self.names.len())
            .field("parts", &self.toks.len())
            .field("variants", &self.variants.is_some())
            .finish()
    }
}

/// A dictionary entry. Its text, skeleton and consonant key lie next to each other in the index's
/// string arena and its variant groups in the group arena, so that looking at a candidate touches
/// little memory.
#[derive(Clone)]
struct TokInfo {
    at: u32,
    text_len: u16,
    skel_len: u16,
    ck_len: u16,
    groups_at: u32,
    groups_len: u32,
    weight: f32,
    /// How many names hold it as a name part.
    df: u32,
    /// Appears as a name part (not only as two joined parts).
    plain: bool,
    /// Only ever came from another script.
    foreign: bool,
}

/// A blocked Bloom filter over 64-bit keys: three bits in one 64-bit word per key, about 16 bits per
/// key, so a lookup reads one word and is wrong (says "maybe") for about one absent key in a hundred.
#[derive(Clone)]
struct KeyFilter {
    words: Vec<u64>,
    mask: u64,
}

impl KeyFilter {
    fn new(keys: impl Iterator<Item = u64>, count: usize) -> KeyFilter {
        let words = (count / 4).max(1).next_power_of_two();
        let mut filter = KeyFilter { words: vec![0; words], mask: words as u64 - 1 };
        for k in keys {
            let (word, bits) = filter.locate(k);
            filter.words[word] |= bits;
        }
        filter
    }

    fn locate(&self, k: u64) -> (usize, u64) {
        let word = (k & self.mask) as usize;
        let bits = (1u64 << ((k >> 40) & 63)) | (1u64 << ((k >> 46) & 63)) | (1u64 << ((k >> 52) & 63));
        (word, bits)
    }

    fn may_contain(&self, k: u64) -> bool {
        let (word, bits) = self.locate(k);
        self.words[word] & bits == bits
    }
}

/// A dictionary entry as similarity sees it.
struct TokView<'a> {
    text: &'a str,
    skel: &'a str,
    ck: &'a str,
    groups: &'a [u32],
    foreign: bool,
}

#[derive(Clone)]
struct NameRec {
    entity: u32,
    kind: NameKind,
    written: Box<str>,
    /// Name parts, then titles.
    tokens: Box<[u32]>,
    /// How many of `tokens` are name parts (the rest are titles).
    plain: u8,
    /// Two parts joined (adjacent ones, and the last with the first, which covers `First LAST` written
    /// as one word): positions of the two, dictionary id of the joined text.
    compounds: Box<[(u8, u8, u32)]>,
    legal: Box<[Legal]>,
    weight: f32,
}

#[derive(Clone)]
struct EntityRec {
    list_id: Arc<str>,
    entity_id: Box<str>,
    kind: EntityKind,
    countries: Box<[[u8; 2]]>,
    years: Box<[i32]>,
}

/// One candidate listed part for a query part.
#[derive(Clone, Copy)]
struct Cand {
    id: u32,
    sim: f32,
    how: MatchKind,
}

struct QTok {
    tok: Tok,
    title: bool,
    weight: f32,
    cands: Vec<Cand>,
}

struct QComp {
    at: usize,
    /// How many query parts are joined.
    len: usize,
    weight: f32,
    cands: Vec<Cand>,
}

struct Prepared {
    toks: Vec<QTok>,
    comps: Vec<QComp>,
    legal: Vec<Legal>,
    total: f32,
}

#[derive(Clone, Copy)]
struct Pair {
    sim: f32,
    how: MatchKind,
    q: u8,
    qn: u8,
    l: u8,
    /// The second listed part when two were joined (`NONE` otherwise).
    l2: u8,
    w: f32,
}

const NONE: u8 = u8::MAX;

impl Pair {
    /// The listed positions taken: one part, two joined (adjacent, or the last with the first), or a run.
    fn listed_mask(&self) -> u64 {
        if self.l2 == NONE {
            1u64 << self.l
        } else if self.l < self.l2 {
            ((1u64 << (self.l2 - self.l + 1)) - 1) << self.l
        } else {
            (1u64 << self.l) | (1u64 << self.l2)
        }
    }

    fn size(&self) -> u8 {
        self.qn + self.listed_mask().count_ones() as u8
    }
}

/// A query part in the candidate walk: index, weight, candidates, postings cost, initial letter.
type WalkPart<'a> = (u16, f32, &'a [Cand], usize, Option<u8>);

/// Per-thread working memory of the candidate walk.
#[derive(Default)]
struct Scratch {
    slots: Vec<Slot>,
    touched: Vec<u32>,
    generation: u32,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    generation: u32,
    part: u16,
    best_q: f32,
    best_l: f32,
    acc_q: f32,
    acc_l: f32,
}

impl Slot {
    /// Adds the match of query part `p` (value `v`, listed weight `wl`), keeping the best per part.
    fn add(&mut self, p: u16, v: f32, wl: f32) {
        if self.part != p {
            self.part = p;
            self.best_q = v;
            self.best_l = wl;
            self.acc_q += v;
            self.acc_l += wl;
        } else {
            if v > self.best_q {
                self.acc_q += v - self.best_q;
                self.best_q = v;
            }
            if wl > self.best_l {
                self.acc_l += wl - self.best_l;
                self.best_l = wl;
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Weight of a part by its length and whether it is a common particle, for use without statistics.
fn static_weight(t: &str) -> f32 {
    const PARTICLES: &[&str] = &[
        "al", "el", "ul", "bin", "ibn", "bint", "abu", "abd", "abdul", "de", "del", "la", "le", "da", "di", "du",
        "van", "von", "der", "den", "y", "e", "and", "of", "for", "ould", "ben",
    ];
    if PARTICLES.contains(&t) {
        return 1.0;
    }
    match t.len() {
        0 | 1 => 1.0,
        2 => 2.0,
        3 => 3.0,
        n => 4.0 + ((n - 4).min(4) as f32) * 0.25,
    }
}

fn birth_year(date: &str) -> Option<i32> {
    let digits: String = date.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 { digits.parse().ok() } else { None }
}

impl Index {
    /// Builds the index over every name of every entity; `variants` adds name-part equivalences.
    pub fn build(entities: &[ListedEntity], variants: Option<&NameVariants>) -> Index {
        Index::build_inner(entities, variants, false)
    }

    fn build_inner(entities: &[ListedEntity], variants: Option<&NameVariants>, static_weights: bool) -> Index {
        struct TokBuild {
            text: String,
            plain: bool,
            latin: bool,
            df: u32,
        }
        let mut intern: HashMap<String, u32> = HashMap::new();
        let mut tb: Vec<TokBuild> = Vec::new();
        let mut names: Vec<NameRec> = Vec::new();
        let mut ents: Vec<EntityRec> = Vec::with_capacity(entities.len());
        let mut list_ids: HashMap<String, Arc<str>> = HashMap::new();
        let mut id_of = |text: &str, plain: bool, latin: bool, tb: &mut Vec<TokBuild>| -> u32 {
            let id = match intern.get(text) {
                Some(&id) => id,
                None => {
                    let id = tb.len() as u32;
                    intern.insert(text.to_owned(), id);
                    tb.push(TokBuild { text: text.to_owned(), plain: false, latin: false, df: 0 });
                    id
                }
            };
            let t = &mut tb[id as usize];
            t.plain |= plain;
            t.latin |= latin || !plain;
            id
        };
        // Normalising and transliterating every name is most of the build: spread it over the cores.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let chunk = entities.len().div_ceil(threads).max(1);
        let parsed_names: Vec<Vec<_>> = std::thread::scope(|scope| {
            let handles: Vec<_> = entities
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|e| e.names.iter().map(|n| parse(&n.name)).collect::<Vec<_>>())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| match h.join() {
                    Ok(parsed) => parsed,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        for (e, parsed_names) in entities.iter().zip(parsed_names) {
            let entity = ents.len() as u32;
            let list_id = list_ids.entry(e.list_id.clone()).or_insert_with(|| Arc::from(e.list_id.as_str())).clone();
            let mut countries: Vec<[u8; 2]> = e
                .countries
                .iter()
                .filter_map(|c| {
                    let b = c.trim().as_bytes();
                    (b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic))
                        .then(|| [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
                })
                .collect();
            countries.sort_unstable();
            countries.dedup();
            let mut years: Vec<i32> = e.birth_dates.iter().filter_map(|d| birth_year(d.trim())).collect();
            years.sort_unstable();
            years.dedup();
            ents.push(EntityRec {
                list_id,
                entity_id: e.entity_id.as_str().into(),
                kind: e.kind,
                countries: countries.into(),
                years: years.into(),
            });
            let mut seen: HashSet<String> = HashSet::new();
            for (n, mut parsed) in e.names.iter().zip(parsed_names) {
                if parsed.tokens.is_empty() || !seen.insert(parsed.canonical()) {
                    continue;
                }
                parsed.tokens.truncate(MAX_LISTED_PARTS);
                parsed.titles.truncate(MAX_LISTED_PARTS - parsed.tokens.len());
                let mut tokens = Vec::with_capacity(parsed.tokens.len() + parsed.titles.len());
                for t in parsed.tokens.iter().chain(&parsed.titles) {
                    tokens.push(id_of(&t.text, true, t.original.is_none(), &mut tb));
                }
                let plain = parsed.tokens.len() as u8;
                let mut compounds = Vec::new();
                let parts = parsed.tokens.len();
                let wrap = (parts >= 2).then(|| (parts - 1, 0));
                for (a, b) in (0..parts.saturating_sub(1)).map(|j| (j, j + 1)).chain(wrap) {
                    let (x, y) = (&parsed.tokens[a].text, &parsed.tokens[b].text);
                    if x.len() + y.len() >= 4 && !(parts == 2 && a == 1 && x == y) {
                        let joined = format!("{x}{y}");
                        compounds.push((a as u8, b as u8, id_of(&joined, false, true, &mut tb)));
                    }
                }
                // A run of single letters is also one word (`A.B.C.` = `ABC`).
                for (start, len) in letter_runs(parsed.tokens.iter().map(|t| t.text.as_str())) {
                    let joined: String = parsed.tokens[start..start + len].iter().map(|t| t.text.as_str()).collect();
                    let end = (start + len - 1) as u8;
                    compounds.push((start as u8, end, id_of(&joined, false, true, &mut tb)));
                }
                let mut uniq = tokens.clone();
                uniq.sort_unstable();
                uniq.dedup();
                for &u in &uniq {
                    tb[u as usize].df += 1;
                }
                names.push(NameRec {
                    entity,
                    kind: n.kind,
                    written: n.name.as_str().into(),
                    tokens: tokens.into(),
                    plain,
                    compounds: compounds.into(),
                    legal: parsed.legal().cloned().collect::<Vec<_>>().into(),
                    weight: 0.0,
                });
            }
        }
        drop(intern);

        let total_names = names.len().max(1) as f32;
        let idf = |df: u32| ((total_names + 1.0) / df.max(1) as f32).ln().max(0.5);
        let unknown_weight = if static_weights { 4.0 } else { idf(1) };
        let mut toks: Vec<TokInfo> = Vec::with_capacity(tb.len());
        let mut arena = String::new();
        let mut group_arena: Vec<u32> = Vec::new();
        let mut exact: HashMap<u64, u32, IdBuild> = HashMap::with_capacity_and_hasher(tb.len(), IdBuild::default());
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(tb.len() * 8);
        for (id, t) in tb.into_iter().enumerate() {
            let id = id as u32;
            let skel = skeleton(&t.text);
            let weight = if static_weights {
                static_weight(&t.text)
            } else if t.plain {
                idf(t.df)
            } else {
                unknown_weight
            };
            let groups_at = group_arena.len() as u32;
            let exact_key = key(KEY_EXACT, t.text.as_bytes());
            exact.insert(exact_key, id);
            pairs.push((key(KEY_SKELETON, skel.as_bytes()), id));
            let ck = consonant_key(&skel);
            if t.plain {
                if let Some(v) = variants {
                    for &g in v.groups_of_key(exact_key) {
                        group_arena.push(g);
                        pairs.push((key(KEY_GROUP, &g.to_le_bytes()), id));
                    }
                }
                if t.text.len() >= 5 && ck.len() >= 3 {
                    pairs.push((key(KEY_CONSONANT, ck.as_bytes()), id));
                }
                if t.text.len() >= 4 {
                    deletion_keys(t.text.as_bytes(), |k| pairs.push((k, id)));
                }
                if t.latin && t.text.len() >= 2 {
                    let ak = crate::arabic::latin_key(&t.text);
                    if ak.len() >= 2 {
                        pairs.push((key(KEY_ARABIC, ak.as_bytes()), id));
                    }
                }
            }
            let at = arena.len() as u32;
            // Parts are ASCII, so any byte is a character boundary.
            fn clip(s: &str) -> &str {
                &s[..s.len().min(usize::from(u16::MAX))]
            }
            let (text, skel, ck) = (clip(&t.text), clip(&skel), clip(&ck));
            arena.push_str(text);
            arena.push_str(skel);
            arena.push_str(ck);
            toks.push(TokInfo {
                at,
                text_len: text.len() as u16,
                skel_len: skel.len() as u16,
                ck_len: ck.len() as u16,
                groups_at,
                groups_len: group_arena.len() as u32 - groups_at,
                weight,
                df: t.df,
                plain: t.plain,
                foreign: !t.latin,
            });
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut keys: HashMap<u64, (u32, u32), IdBuild> =
            HashMap::with_capacity_and_hasher(pairs.len() / 2, IdBuild::default());
        let mut key_targets = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while i < pairs.len() {
            let k = pairs[i].0;
            let start = key_targets.len() as u32;
            while i < pairs.len() && pairs[i].0 == k {
                key_targets.push(pairs[i].1);
                i += 1;
            }
            keys.insert(k, (start, key_targets.len() as u32 - start));
        }
        drop(pairs);
        let filter = KeyFilter::new(keys.keys().copied(), keys.len());

        // Postings: dictionary entry → names holding it (as a part or as two joined parts).
        let mut counts = vec![0u32; toks.len() + 1];
        let mut scratch: Vec<u32> = Vec::new();
        let name_toks = |n: &NameRec, scratch: &mut Vec<u32>| {
            scratch.clear();
            scratch.extend(n.tokens.iter().copied());
            scratch.extend(n.compounds.iter().map(|c| c.2));
            scratch.sort_unstable();
            scratch.dedup();
        };
        for n in &names {
            name_toks(n, &mut scratch);
            for &t in scratch.iter() {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let post_start = counts.clone();
        let mut postings = vec![0u32; *counts.last().unwrap_or(&0) as usize];
        for (ni, n) in names.iter().enumerate() {
            name_toks(n, &mut scratch);
            for &t in scratch.iter() {
                let at = &mut counts[t as usize];
                postings[*at as usize] = ni as u32;
                *at += 1;
            }
        }
        let mut initials: Vec<Vec<u32>> = vec![Vec::new(); 128];
        for (ni, n) in names.iter().enumerate() {
            let mut letters: Vec<u8> = n.tokens[..n.plain as usize]
                .iter()
                .map(|&t| {
                    let t = &toks[t as usize];
                    &arena.as_bytes()[t.at as usize..t.at as usize + usize::from(t.text_len)]
                })
                .filter(|b| b.len() >= 2)
                .map(|b| b[0] & 0x7f)
                .collect();
            letters.sort_unstable();
            letters.dedup();
            for l in letters {
                initials[usize::from(l)].push(ni as u32);
            }
        }
        for n in &mut names {
            let titles = n.tokens.len() - n.plain as usize;
            n.weight = n.tokens[..n.plain as usize].iter().map(|&t| toks[t as usize].weight).sum::<f32>()
                + TITLE_WEIGHT * titles as f32;
        }
        Index {
            toks,
            arena,
            group_arena,
            exact,
            keys,
            filter,
            key_targets,
            post_start,
            postings,
            name_weights: names.iter().map(|n| n.weight).collect(),
            names,
            initials,
            entities: ents,
            variants: variants.cloned(),
            unknown_weight,
            static_weights,
        }
    }

    /// The number of entities indexed.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the index holds no entity.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The number of distinct names indexed (names that normalise alike within an entity count once).
    pub fn names(&self) -> usize {
        self.names.len()
    }

    /// The number of distinct name parts in the dictionary.
    pub fn parts(&self) -> usize {
        self.toks.len()
    }

    /// The text of a dictionary entry.
    fn text(&self, id: u32) -> &str {
        let t = &self.toks[id as usize];
        &self.arena[t.at as usize..t.at as usize + usize::from(t.text_len)]
    }

    /// Everything about a dictionary entry that similarity looks at.
    fn view(&self, id: u32) -> TokView<'_> {
        let t = &self.toks[id as usize];
        let (a, b, c) = (t.at as usize, usize::from(t.text_len), usize::from(t.skel_len));
        TokView {
            text: &self.arena[a..a + b],
            skel: &self.arena[a + b..a + b + c],
            ck: &self.arena[a + b + c..a + b + c + usize::from(t.ck_len)],
            groups: &self.group_arena[t.groups_at as usize..(t.groups_at + t.groups_len) as usize],
            foreign: t.foreign,
        }
    }

    fn posting(&self, id: u32) -> &[u32] {
        &self.postings[self.post_start[id as usize] as usize..self.post_start[id as usize + 1] as usize]
    }

    fn key_lookup(&self, k: u64) -> &[u32] {
        if !self.filter.may_contain(k) {
            return &[];
        }
        match self.keys.get(&k) {
            Some(&(s, l)) => &self.key_targets[s as usize..(s + l) as usize],
            None => &[],
        }
    }

    fn exact_id(&self, text: &str) -> Option<u32> {
        let id = *self.exact.get(&key(KEY_EXACT, text.as_bytes()))?;
        (self.text(id) == text).then_some(id)
    }

    fn groups_of(&self, text: &str) -> &[u32] {
        match &self.variants {
            Some(v) => v.groups_of_key(key(KEY_EXACT, text.as_bytes())),
            None => &[],
        }
    }

    /// Candidate dictionary entries for one query part, each with its similarity.
    fn candidates(&self, text: &str, foreign: bool, plain_only: bool) -> Vec<Cand> {
        let skel = skeleton(text);
        let groups = self.groups_of(text);
        let mut ids: Vec<u32> = Vec::new();
        let exact = self.exact_id(text);
        // A part that several listed names share is not a typing error worth a neighbourhood search.
        let common = text.len() >= 4 && exact.is_some_and(|id| self.toks[id as usize].df >= 3);
        if let Some(id) = exact {
            ids.push(id);
        }
        ids.extend_from_slice(self.key_lookup(key(KEY_SKELETON, skel.as_bytes())));
        for g in groups {
            ids.extend_from_slice(self.key_lookup(key(KEY_GROUP, &g.to_le_bytes())));
        }
        let ck = consonant_key(&skel);
        if text.len() >= 5 && ck.len() >= 3 {
            ids.extend_from_slice(self.key_lookup(key(KEY_CONSONANT, ck.as_bytes())));
        }
        if common {
        } else if text.len() >= 4 {
            deletion_keys(text.as_bytes(), |k| ids.extend_from_slice(self.key_lookup(k)));
        } else if text.len() == 3 {
            ids.extend_from_slice(self.key_lookup(key(KEY_DELETE, text.as_bytes())));
        }
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let t = &self.toks[id as usize];
            if plain_only && !t.plain {
                continue;
            }
            if let Some((sim, how)) = part_similarity(text, &skel, &ck, groups, foreign, plain_only, &self.view(id)) {
                out.push(Cand { id, sim, how });
            }
        }
        out
    }

    /// Adds the Latin name parts an Arabic-script part may be spelt as: same consonant classes, and the long
    /// vowels the script writes showing in the spelling (less alike when they do not, or when the key is
    /// short). `cands` stays sorted by id.
    fn arabic_candidates(&self, original: &str, cands: &mut Vec<Cand>) {
        let ak = crate::arabic::script_key(original);
        if ak.len() < 2 {
            return;
        }
        let mut found: Vec<(u32, f32)> = Vec::new();
        for &id in self.key_lookup(key(KEY_ARABIC, ak.as_bytes())) {
            if !self.toks[id as usize].plain {
                continue;
            }
            let agree = crate::arabic::vowels_agree(original, self.text(id));
            // Spellings whose vowels disagree are left to the other keys: as candidates they would cost more
            // postings to walk than the few matches they add.
            let sim = match (ak.len() >= 3, agree) {
                (true, true) => SIM_ARABIC,
                (false, true) => SIM_ARABIC_SHORT,
                (_, false) => continue,
            };
            found.push((id, sim));
        }
        // With many listed names a short key fits hundreds of spellings: the ones most names use are kept.
        if found.len() > MAX_ARABIC_SPELLINGS {
            found.sort_by_key(|&(id, _)| std::cmp::Reverse(self.toks[id as usize].df));
            found.truncate(MAX_ARABIC_SPELLINGS);
        }
        for (id, sim) in found {
            match cands.binary_search_by_key(&id, |c| c.id) {
                Ok(at) if cands[at].sim < sim => cands[at] = Cand { id, sim, how: MatchKind::Transliterated },
                Ok(_) => {}
                Err(at) => cands.insert(at, Cand { id, sim, how: MatchKind::Transliterated }),
            }
        }
    }

    fn prepare(&self, parsed: Parsed) -> Prepared {
        let plain = parsed.tokens.len();
        let mut toks: Vec<QTok> = Vec::with_capacity(plain + parsed.titles.len());
        for (i, tok) in parsed.tokens.into_iter().chain(parsed.titles).enumerate() {
            let title = i >= plain;
            let cands = if tok.is_han() {
                // A Chinese character reads as one pinyin syllable: only that syllable matches it.
                self.exact_id(&tok.text)
                    .map(|id| Cand { id, sim: 1.0, how: MatchKind::Transliterated })
                    .into_iter()
                    .collect()
            } else {
                let mut cands = self.candidates(&tok.text, tok.original.is_some(), false);
                // The Latin spellings of an Arabic-script part, unless the name-variant table or listed forms in the
                // script already link it to many (a common name such as محمد would bring dozens more to walk).
                let linked = cands
                    .iter()
                    .filter(|c| {
                        c.sim >= SIM_ARABIC
                            && matches!(c.how, MatchKind::Variant | MatchKind::Exact | MatchKind::Transliterated)
                    })
                    .count()
                    >= ARABIC_LINKED_ENOUGH;
                if let Some(original) = arabic_original(&tok).filter(|_| !linked) {
                    self.arabic_candidates(original, &mut cands);
                }
                cands
            };
            let weight = if title {
                TITLE_WEIGHT
            } else if self.static_weights {
                static_weight(&tok.text)
            } else if let Some(id) = self.exact_id(&tok.text).filter(|&id| self.toks[id as usize].plain) {
                self.toks[id as usize].weight
            } else {
                let mut best: Option<Cand> = None;
                for c in &cands {
                    if self.toks[c.id as usize].plain && best.is_none_or(|b| c.sim > b.sim) {
                        best = Some(*c);
                    }
                }
                best.map_or(self.unknown_weight, |b| self.toks[b.id as usize].weight)
            };
            let mut cands = cands;
            // A listed initial may stand for this part.
            if tok.text.len() >= 2
                && !tok.is_han()
                && let Some(id) = self.exact_id(&tok.text[..1])
                && let Err(at) = cands.binary_search_by_key(&id, |c| c.id)
            {
                cands.insert(at, Cand { id, sim: SIM_LISTED_INITIAL, how: MatchKind::Initial });
            }
            toks.push(QTok { tok, title, weight, cands });
        }
        let mut comps = Vec::new();
        for at in 0..plain.saturating_sub(1) {
            let text = format!("{}{}", toks[at].tok.text, toks[at + 1].tok.text);
            if text.len() < 4 {
                continue;
            }
            let foreign = toks[at].tok.original.is_some() || toks[at + 1].tok.original.is_some();
            let mut cands = if toks[at].tok.is_han() && toks[at + 1].tok.is_han() {
                self.exact_id(&text)
                    .filter(|&id| self.toks[id as usize].plain)
                    .map(|id| Cand { id, sim: 1.0, how: MatchKind::Transliterated })
                    .into_iter()
                    .collect()
            } else {
                self.candidates(&text, foreign, true)
            };
            // Two Arabic-script words the lists write as one (`عبد ال` → Abdul, `هدايت الله` → Hidayatullah).
            if let (Some(a), Some(b)) = (arabic_original(&toks[at].tok), arabic_original(&toks[at + 1].tok)) {
                self.arabic_candidates(&format!("{a} {b}"), &mut cands);
            }
            cands.iter_mut().for_each(|c| c.sim *= JOINED);
            if !cands.is_empty() {
                comps.push(QComp { at, len: 2, weight: toks[at].weight + toks[at + 1].weight, cands });
            }
        }
        // A run of single letters is also one word (`A.B.C.` = `ABC`).
        for (at, len) in letter_runs(toks[..plain].iter().map(|t| t.tok.text.as_str())) {
            let text: String = toks[at..at + len].iter().map(|t| t.tok.text.as_str()).collect();
            let mut cands = self.candidates(&text, false, true);
            cands.iter_mut().for_each(|c| c.sim *= JOINED);
            if !cands.is_empty() {
                let weight = toks[at..at + len].iter().map(|t| t.weight).sum();
                comps.push(QComp { at, len, weight, cands });
            }
        }
        let legal: Vec<Legal> = parsed.front.into_iter().chain(parsed.back).collect();
        let total = toks.iter().map(|t| t.weight).sum::<f32>() + LEGAL_WEIGHT * legal.len() as f32;
        Prepared { toks, comps, legal, total }
    }

    /// Screens one query: at most `limit` hits scoring at least `threshold`, best first, one per entity.
    pub fn screen(&self, q: &Query, limit: usize, threshold: f64) -> Result<Vec<Hit>> {
        check_name("name", &q.name)?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::validation("threshold", format!("threshold must be within 0..=1, got {threshold}")));
        }
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Error::validation("limit", format!("limit must be within 1..={MAX_LIMIT}, got {limit}")));
        }
        let country = match &q.country {
            Some(c) => {
                let b = c.trim().as_bytes();
                if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
                    return Err(Error::validation(
                        "country",
                        format!("country must be an ISO 3166-1 alpha-2 code, got '{c}'"),
                    ));
                }
                Some([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
            }
            None => None,
        };
        if let Some(y) = q.birth_year
            && !(1800..=2100).contains(&y)
        {
            return Err(Error::validation("birth_year", format!("birth_year must be within 1800..=2100, got {y}")));
        }
        let mut hits = self.screen_name(q, &q.name, country, limit, threshold)?;
        // A direction override shows the reader another name than the text holds: screen that one too.
        if let Some(shown) = crate::clean::displayed(&q.name)
            && let Ok(more) = self.screen_name(q, &shown, country, limit, threshold)
        {
            hits.extend(more);
            hits.sort_by(|a, b| b.score.total_cmp(&a.score));
            let mut seen: Vec<(String, String)> = Vec::new();
            hits.retain(|h| {
                let key = (h.list_id.clone(), h.entity_id.clone());
                let new = !seen.contains(&key);
                seen.push(key);
                new
            });
            hits.truncate(limit);
        }
        if !hits.is_empty() {
            let warnings = crate::inspect(&q.name);
            for h in &mut hits {
                h.explanation.warnings.clone_from(&warnings);
            }
        }
        Ok(hits)
    }

    /// Screens one name (the query's, or the one it displays as) with the query's other attributes.
    fn screen_name(
        &self,
        q: &Query,
        name: &str,
        country: Option<[u8; 2]>,
        limit: usize,
        threshold: f64,
    ) -> Result<Vec<Hit>> {
        let parsed = parse(name);
        if parsed.tokens.is_empty() {
            return Err(Error::validation("name", "name has no letters or digits to match"));
        }
        if parsed.parts() > MAX_NAME_PARTS {
            return Err(Error::validation("name", format!("name has more than {MAX_NAME_PARTS} parts")));
        }
        let prep = self.prepare(parsed);
        let candidates = self.collect(&prep, threshold as f32 * PREFILTER, (limit * 4).max(MIN_FULLY_SCORED));

        let mut scored: Vec<(f64, u32, Vec<Penalty>)> = Vec::with_capacity(candidates.len());
        for n in candidates {
            let rec = &self.names[n as usize];
            let ent = &self.entities[rec.entity as usize];
            let (s, _) = self.score_name(&prep, rec, ent.kind, false);
            let penalties = attribute_penalties(q, country, !prep.legal.is_empty(), ent);
            let s = round4((f64::from(s) - penalties.iter().map(|p| p.amount).sum::<f64>()).clamp(0.0, 1.0));
            if s >= threshold && s > 0.0 {
                scored.push((s, n, penalties));
            }
        }
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.names[a.1 as usize].kind.cmp(&self.names[b.1 as usize].kind))
                .then_with(|| a.1.cmp(&b.1))
        });
        let mut hits: Vec<Hit> = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        for (s, n, mut penalties) in scored {
            let rec = &self.names[n as usize];
            if seen.contains(&rec.entity) {
                continue;
            }
            seen.push(rec.entity);
            let ent = &self.entities[rec.entity as usize];
            let (_, explanation) = self.score_name(&prep, rec, ent.kind, true);
            let mut explanation = explanation.unwrap_or_default();
            explanation.penalties.append(&mut penalties);
            explanation.penalties.sort_by(|a, b| b.amount.total_cmp(&a.amount));
            hits.push(Hit {
                list_id: ent.list_id.to_string(),
                entity_id: ent.entity_id.to_string(),
                kind: ent.kind,
                matched_name: rec.written.to_string(),
                name_kind: rec.kind,
                score: s,
                explanation,
            });
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    }

    /// Walks the postings of every candidate part and returns the names worth scoring in full, best
    /// upper bound first.
    fn collect(&self, prep: &Prepared, min_bound: f32, max_names: usize) -> Vec<u32> {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let scratch = &mut *guard;
            if scratch.slots.len() < self.names.len() {
                scratch.slots = vec![Slot::default(); self.names.len()];
                scratch.generation = 0;
            }
            scratch.generation = scratch.generation.wrapping_add(1);
            if scratch.generation == 0 {
                scratch.slots.iter_mut().for_each(|s| *s = Slot::default());
                scratch.generation = 1;
            }
            let generation = scratch.generation;
            scratch.touched.clear();
            // Optimism for what the walk cannot see: legal forms.
            let extra: f32 = LEGAL_WEIGHT * prep.legal.len() as f32;
            let total = prep.total.max(f32::MIN_POSITIVE);
            let initial_of = |t: &QTok| (t.tok.text.len() == 1 && !t.title).then(|| t.tok.text.as_bytes()[0]);
            let mut parts: Vec<WalkPart<'_>> = prep
                .toks
                .iter()
                .map(|t| (t.weight, &t.cands, initial_of(t)))
                .chain(prep.comps.iter().map(|c| (c.weight, &c.cands, None)))
                .enumerate()
                .map(|(p, (w, cands, initial))| {
                    let cost = cands.iter().map(|c| self.posting(c.id).len()).sum();
                    (p as u16, w, cands.as_slice(), cost, initial)
                })
                .collect();
            // Parts whose matches together cannot lift a name to the bound need not discover names: they
            // only add to names found through the others (prefix filtering, costliest parts first).
            // Initials always only add: too many names have a part starting with any letter.
            parts.sort_by(|a, b| b.4.is_some().cmp(&a.4.is_some()).then(b.3.cmp(&a.3)));
            let mut skippable = 0;
            let mut skipped_weight = extra;
            for &(_, w, _, _, initial) in &parts {
                if initial.is_none() && skipped_weight + w >= min_bound * total * 0.999 {
                    break;
                }
                skipped_weight += w;
                skippable += 1;
            }
            let (update_only, discover) = parts.split_at(skippable);
            for &(p, wq, cands, _, _) in discover {
                // Listed initials standing for a query part are too common to discover names with.
                for c in cands.iter().filter(|c| c.how != MatchKind::Initial) {
                    let v = c.sim * wq;
                    let wl = self.toks[c.id as usize].weight;
                    for &n in self.posting(c.id) {
                        let slot = &mut scratch.slots[n as usize];
                        if slot.generation != generation {
                            *slot = Slot { generation, part: p, best_q: v, best_l: wl, acc_q: v, acc_l: wl };
                            scratch.touched.push(n);
                        } else {
                            slot.add(p, v, wl);
                        }
                    }
                }
            }
            scratch.touched.sort_unstable();
            let discovered_initials = discover.iter().map(|&(p, wq, cands, _, _)| {
                (p, wq, cands.iter().filter(|c| c.how == MatchKind::Initial).copied().collect::<Vec<_>>(), None)
            });
            let updates: Vec<(u16, f32, Vec<Cand>, Option<u8>)> = update_only
                .iter()
                .map(|&(p, wq, cands, _, initial)| (p, wq, cands.to_vec(), initial))
                .chain(discovered_initials)
                .collect();
            for (p, wq, cands, initial) in updates {
                let lists = cands
                    .iter()
                    .map(|c| (c.sim * wq, self.toks[c.id as usize].weight, self.posting(c.id)))
                    .chain(initial.map(|b| (SIM_INITIAL * wq, 0.0, self.initials[usize::from(b)].as_slice())));
                for (v, wl, posting) in lists {
                    // Both lists are sorted: search the few in the many, or merge two of a size.
                    if scratch.touched.len() * 8 < posting.len() {
                        for &n in &scratch.touched {
                            if posting.binary_search(&n).is_ok() {
                                scratch.slots[n as usize].add(p, v, wl);
                            }
                        }
                    } else {
                        let mut rest = posting;
                        for &n in &scratch.touched {
                            let skip = rest.partition_point(|&m| m < n);
                            rest = &rest[skip..];
                            match rest.first() {
                                Some(&m) if m == n => scratch.slots[n as usize].add(p, v, wl),
                                Some(_) => {}
                                None => break,
                            }
                        }
                    }
                }
            }
            let mut bounded: Vec<(f32, u32)> = Vec::new();
            for &n in &scratch.touched {
                let slot = &scratch.slots[n as usize];
                let q = (slot.acc_q + extra).min(total);
                let bound = q / (total + LISTED_UNMATCHED * (self.name_weights[n as usize] - slot.acc_l).max(0.0));
                if bound >= min_bound {
                    bounded.push((bound, n));
                }
            }
            let by_bound = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if bounded.len() > max_names {
                bounded.select_nth_unstable_by(max_names, by_bound);
                bounded.truncate(max_names);
            }
            bounded.sort_unstable_by(by_bound);
            bounded.into_iter().map(|(_, n)| n).collect()
        })
    }

    /// Scores one listed name against a prepared query, optionally with the explanation.
    fn score_name(
        &self,
        prep: &Prepared,
        rec: &NameRec,
        kind: EntityKind,
        explain: bool,
    ) -> (f32, Option<Explanation>) {
        let initials = matches!(kind, EntityKind::Person | EntityKind::Unknown);
        let mut pairs: Vec<Pair> = Vec::new();
        let lookup = |cands: &[Cand], id: u32| -> Option<Cand> {
            cands.binary_search_by_key(&id, |c| c.id).ok().map(|i| cands[i])
        };
        for (i, qt) in prep.toks.iter().enumerate() {
            for (j, &id) in rec.tokens.iter().enumerate() {
                let found = lookup(&qt.cands, id)
                    .map(|c| (c.sim, c.how))
                    .filter(|c| c.1 != MatchKind::Initial || kind == EntityKind::Person)
                    .or_else(|| {
                        if !initials {
                            return None;
                        }
                        let lt = self.text(id);
                        let qtext = &qt.tok.text;
                        let initial = (qtext.len() == 1 && lt.len() > 1 && lt.starts_with(qtext.as_str()))
                            || (lt.len() == 1 && qtext.len() > 1 && qtext.starts_with(lt));
                        initial.then_some((SIM_INITIAL, MatchKind::Initial))
                    });
                if let Some((sim, how)) = found
                    && sim >= MIN_PAIR
                {
                    pairs.push(Pair { sim, how, q: i as u8, qn: 1, l: j as u8, l2: NONE, w: qt.weight });
                }
            }
            for &(j, j2, id) in rec.compounds.iter() {
                if let Some(c) = lookup(&qt.cands, id) {
                    // Two listed words joined: only exact or romanisation evidence.
                    if matches!(c.how, MatchKind::Exact | MatchKind::Transliterated) {
                        let sim = c.sim * JOINED;
                        pairs.push(Pair { sim, how: c.how, q: i as u8, qn: 1, l: j, l2: j2, w: qt.weight });
                    }
                }
            }
        }
        for qc in &prep.comps {
            for (j, &id) in rec.tokens.iter().enumerate() {
                if let Some(c) = lookup(&qc.cands, id)
                    && c.sim >= MIN_PAIR
                {
                    let (q, qn, w) = (qc.at as u8, qc.len as u8, qc.weight);
                    pairs.push(Pair { sim: c.sim, how: c.how, q, qn, l: j as u8, l2: NONE, w });
                }
            }
        }
        // Greedy alignment, most alike pairs first; when a part repeats (`mostafa kamel mostafa`), ties
        // are broken both ways along the listed name and the better alignment is kept.
        let by_sim = |a: &Pair, b: &Pair| b.sim.total_cmp(&a.sim).then(b.size().cmp(&a.size()));
        pairs.sort_by(|a, b| by_sim(a, b).then(b.w.total_cmp(&a.w)).then(a.l.cmp(&b.l)));
        let (mut chosen, mut q_used, mut l_used) = greedy(&pairs);
        if chosen.len() < pairs.len() {
            let mut reverse = pairs.clone();
            reverse.sort_by(|a, b| by_sim(a, b).then(b.w.total_cmp(&a.w)).then(b.l.cmp(&a.l)));
            let (other, oq, ol) = greedy(&reverse);
            let value = |chosen: &[Pair], l_used: u64| {
                let num: f32 = chosen.iter().map(|p| p.sim * p.w).sum();
                let unmatched: f32 = (0..rec.tokens.len())
                    .filter(|&j| l_used & (1u64 << j) == 0)
                    .map(|j| self.listed_weight(rec, j))
                    .sum();
                num / (prep.total + LISTED_UNMATCHED * unmatched)
            };
            if value(&other, ol) > value(&chosen, l_used) {
                (chosen, q_used, l_used) = (other, oq, ol);
            }
        }
        // Single letters keep their order (`C.B.A.` is not `A.B.C.`): when they do not, none counts.
        let single = |p: &Pair| {
            p.qn == 1
                && p.l2 == NONE
                && prep.toks[p.q as usize].tok.text.len() == 1
                && self.text(rec.tokens[p.l as usize]).len() == 1
        };
        let mut letters: Vec<(u8, u8)> = chosen.iter().filter(|p| single(p)).map(|p| (p.q, p.l)).collect();
        letters.sort_unstable();
        if letters.windows(2).any(|w| w[0].1 > w[1].1) {
            chosen.retain(|p| !single(p));
            (q_used, l_used) = (0, 0);
            for p in &chosen {
                q_used |= ((1u64 << p.qn) - 1) << p.q;
                l_used |= p.listed_mask();
            }
        }
        if chosen.is_empty() {
            return (0.0, explain.then(|| self.explain_nothing(prep, rec)));
        }
        let mut num: f32 = chosen.iter().map(|p| p.sim * p.w).sum();
        let mut matched_w: f32 = chosen.iter().map(|p| p.w).sum();
        // Legal forms: pair the most alike first.
        let mut legal_pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (a, ql) in prep.legal.iter().enumerate() {
            for (b, ll) in rec.legal.iter().enumerate() {
                legal_pairs.push((ql.form.similarity(ll.form) as f32, a, b));
            }
        }
        legal_pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
        let (mut q_legal_used, mut l_legal_used) = (0u32, 0u32);
        let mut legal_chosen: Vec<(f32, usize, usize)> = Vec::new();
        for (s, a, b) in legal_pairs {
            if a < 32 && b < 32 && q_legal_used & (1 << a) == 0 && l_legal_used & (1 << b) == 0 {
                q_legal_used |= 1 << a;
                l_legal_used |= 1 << b;
                num += s * LEGAL_WEIGHT;
                matched_w += LEGAL_WEIGHT;
                legal_chosen.push((s, a, b));
            }
        }
        let mut unmatched_listed_w = 0.0f32;
        for j in 0..rec.tokens.len() {
            if l_used & (1u64 << j) == 0 {
                unmatched_listed_w += self.listed_weight(rec, j);
            }
        }
        let unmatched_listed_legal = rec.legal.len() - legal_chosen.len();
        let den = prep.total + LISTED_UNMATCHED * (unmatched_listed_w + LEGAL_WEIGHT * unmatched_listed_legal as f32);
        let mut score = (num / den).clamp(0.0, 1.0);
        let factor = if rec.kind == NameKind::WeakAlias { WEAK_ALIAS_FACTOR } else { 1.0 };
        let before_factor = score;
        score *= factor;
        if !explain {
            return (score, None);
        }

        // The explanation: parts in query order, then what was left over, with its cost.
        let mean = if matched_w > 0.0 { num / matched_w } else { 0.0 };
        let cost = |contribution: f32| f64::from(mean * contribution / den);
        let mut e = Explanation::default();
        chosen.sort_by_key(|p| p.q);
        for p in &chosen {
            let query: Vec<&str> = (p.q..p.q + p.qn).map(|i| prep.toks[i as usize].tok.display()).collect();
            let mask = p.listed_mask();
            let mut listed: Vec<&str> =
                (0..rec.tokens.len()).filter(|&j| mask & (1u64 << j) != 0).map(|j| self.text(rec.tokens[j])).collect();
            if p.l2 != NONE && p.l > p.l2 {
                listed.reverse();
            }
            e.parts.push(PartMatch {
                query: query.join(" "),
                listed: listed.join(" "),
                how: p.how,
                score: round3(f64::from(p.sim)),
            });
        }
        for (s, a, b) in legal_chosen {
            e.parts.push(PartMatch {
                query: prep.legal[a].written.clone(),
                listed: rec.legal[b].written.clone(),
                how: MatchKind::LegalForm,
                score: round3(f64::from(s)),
            });
        }
        for (i, qt) in prep.toks.iter().enumerate() {
            if q_used & (1u64 << i) == 0 {
                e.unmatched_query.push(qt.tok.display().to_owned());
                let what = if qt.title { "title" } else { "query" };
                e.penalties.push(Penalty {
                    reason: format!("unmatched {what} '{}'", qt.tok.display()),
                    amount: round3(cost(qt.weight)),
                });
            }
        }
        for (a, ql) in prep.legal.iter().enumerate() {
            if a >= 32 || q_legal_used & (1 << a) == 0 {
                e.unmatched_query.push(ql.written.clone());
                e.penalties.push(Penalty {
                    reason: format!("unmatched query legal form '{}'", ql.written),
                    amount: round3(cost(LEGAL_WEIGHT)),
                });
            }
        }
        for (j, &id) in rec.tokens.iter().enumerate() {
            if l_used & (1u64 << j) == 0 {
                let text = self.text(id);
                e.unmatched_listed.push(text.to_owned());
                let what = if j >= rec.plain as usize { "listed title" } else { "listed" };
                e.penalties.push(Penalty {
                    reason: format!("unmatched {what} '{text}'"),
                    amount: round3(cost(LISTED_UNMATCHED * self.listed_weight(rec, j))),
                });
            }
        }
        for (b, ll) in rec.legal.iter().enumerate() {
            if b >= 32 || l_legal_used & (1 << b) == 0 {
                e.unmatched_listed.push(ll.written.clone());
                e.penalties.push(Penalty {
                    reason: format!("unmatched listed legal form '{}'", ll.written),
                    amount: round3(cost(LISTED_UNMATCHED * LEGAL_WEIGHT)),
                });
            }
        }
        if factor < 1.0 {
            e.penalties.push(Penalty {
                reason: "weak alias".to_owned(),
                amount: round3(f64::from(before_factor * (1.0 - factor))),
            });
        }
        e.penalties.sort_by(|a, b| b.amount.total_cmp(&a.amount));
        (score, Some(e))
    }

    fn explain_nothing(&self, prep: &Prepared, rec: &NameRec) -> Explanation {
        Explanation {
            parts: Vec::new(),
            unmatched_query: prep.toks.iter().map(|t| t.tok.display().to_owned()).collect(),
            unmatched_listed: rec.tokens.iter().map(|&id| self.text(id).to_owned()).collect(),
            penalties: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The weight of the listed name part at `j` (titles weigh little).
    fn listed_weight(&self, rec: &NameRec, j: usize) -> f32 {
        if j >= rec.plain as usize { TITLE_WEIGHT } else { self.toks[rec.tokens[j] as usize].weight }
    }
}

/// Runs of two or more single-letter parts (start, length): initialisms written with dots or spaces.
fn letter_runs<'a>(parts: impl Iterator<Item = &'a str>) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    let mut n = 0;
    for (i, p) in parts.enumerate() {
        n = i + 1;
        match (p.len() == 1, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 2 {
                    runs.push((s, i - s));
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start
        && n - s >= 2
    {
        runs.push((s, n - s));
    }
    runs
}

/// The Arabic-script form a query part was written in, if it was.
fn arabic_original(tok: &Tok) -> Option<&str> {
    tok.original.as_deref().filter(|o| o.chars().next().is_some_and(|c| crate::arabic::is_arabic_word(&[c])))
}

/// 1 − (edit distance / length of the longer), from 0 (nothing alike) to 1 (equal).
fn string_similarity(a: &[u8], b: &[u8]) -> f32 {
    let max = a.len().max(b.len());
    if max == 0 {
        return 1.0;
    }
    let d = osa_distance(a, b, max);
    (1.0 - d as f32 / max as f32).max(0.0)
}

/// Picks pairs in order, skipping those that overlap a part already taken.
fn greedy(pairs: &[Pair]) -> (Vec<Pair>, u64, u64) {
    let span = |at: u8, n: u8| -> u64 { ((1u64 << n) - 1) << at };
    let (mut q_used, mut l_used) = (0u64, 0u64);
    let mut chosen = Vec::new();
    for p in pairs {
        let (qm, lm) = (span(p.q, p.qn), p.listed_mask());
        if q_used & qm == 0 && l_used & lm == 0 {
            q_used |= qm;
            l_used |= lm;
            chosen.push(*p);
        }
    }
    (chosen, q_used, l_used)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Penalties from the secondary attributes the query gives.
fn attribute_penalties(q: &Query, country: Option<[u8; 2]>, legal_form: bool, ent: &EntityRec) -> Vec<Penalty> {
    let mut out = Vec::new();
    match q.kind {
        Some(k) => {
            let comparable = k != EntityKind::Unknown && ent.kind != EntityKind::Unknown;
            if comparable && k != ent.kind {
                out.push(Penalty {
                    reason: format!("kind: query {}, listed {}", k.as_str(), ent.kind.as_str()),
                    amount: KIND_PENALTY,
                });
            }
        }
        None if legal_form && ent.kind == EntityKind::Person => out.push(Penalty {
            reason: "kind: query has a legal form, listed is a person".to_owned(),
            amount: LEGAL_FORM_PERSON_PENALTY,
        }),
        None => {}
    }
    if let Some(c) = country
        && !ent.countries.is_empty()
        && !ent.countries.contains(&c)
    {
        let listed: Vec<String> = ent.countries.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        out.push(Penalty {
            reason: format!("country: query {}, listed {}", String::from_utf8_lossy(&c), listed.join(" ")),
            amount: COUNTRY_PENALTY,
        });
    }
    if let Some(y) = q.birth_year
        && !ent.years.is_empty()
        && !ent.years.iter().any(|&l| (l - y).abs() <= 1)
    {
        let listed: Vec<String> = ent.years.iter().map(i32::to_string).collect();
        out.push(Penalty {
            reason: format!("birth year: query {y}, listed {}", listed.join(" ")),
            amount: BIRTH_YEAR_PENALTY,
        });
    }
    out
}

/// How alike a query part is to a dictionary entry, and how they match; `None` when not at all.
fn part_similarity(
    text: &str,
    skel: &str,
    ck: &str,
    groups: &[u32],
    foreign: bool,
    strict: bool,
    t: &TokView<'_>,
) -> Option<(f32, MatchKind)> {
    if t.text == text {
        let how = if foreign || t.foreign { MatchKind::Transliterated } else { MatchKind::Exact };
        return Some((1.0, how));
    }
    let (a, b) = (text.as_bytes(), t.text.as_bytes());
    let (min, max) = (a.len().min(b.len()), a.len().max(b.len()));
    let mut best: (f32, MatchKind) = (0.0, MatchKind::Exact);
    // Romanisation rules can make unrelated short strings meet (taoyun / tan): the spellings must
    // stay close as well.
    if t.skel == skel && skel.len() >= 2 {
        // The spellings must stay close once digraphs are folded, or romanisation rules would make
        // unrelated strings meet (taoyun / tan).
        let (ra, rb) = (romanised(text), romanised(t.text));
        let limit = (ra.len().max(rb.len()) / 3).max(1);
        if osa_distance(&ra, &rb, limit) <= limit {
            best = (SIM_TRANSLIT, MatchKind::Transliterated);
        }
    }
    if strict {
        // Two words joined to match one: only exact or romanisation evidence.
        return (best.0 > 0.0).then_some(best);
    }
    if best.0 < SIM_VARIANT && min >= 3 && intersects(groups, t.groups) {
        // Equivalent names that are also spelt alike are strong evidence; a link between spellings that
        // have little in common (a translation, a noisy group) is weaker, and for short parts none.
        let alike = string_similarity(a, b).max(string_similarity(ck.as_bytes(), t.ck.as_bytes()));
        let s = (VARIANT_FLOOR + 0.5 * alike).min(SIM_VARIANT);
        if s > best.0 && (min >= 5 || alike >= 0.5) {
            best = (s, MatchKind::Variant);
        }
    }
    // A typing error in a short part must leave its first letter alone (wang/kang are two names).
    if min >= 3 && max >= 4 && (max > 5 || a[0] == b[0]) {
        let limit = if min >= 8 { 2 } else { 1 };
        let d = osa_distance(a, b, limit);
        if d <= limit {
            let s = 1.0 - FUZZ * d as f32 / max as f32;
            if s > best.0 {
                best = (s, MatchKind::Fuzzy);
            }
        }
    }
    if best.0 < SIM_PHONETIC && min >= 5 && ck.len() >= 3 && t.ck == ck {
        best = (SIM_PHONETIC, MatchKind::Phonetic);
    }
    (best.0 > 0.0).then_some(best)
}

impl Index {
    /// Scores `left` (the query) against `right` as [`Index::screen`] scores a listed name: the same rules,
    /// with every part weighed by its rarity in this index's lists (a part it does not hold weighs as a rare
    /// one), so a pair scores here as it would in a search.
    pub fn compare(&self, left: &str, right: &str, kind: Option<EntityKind>) -> Result<(f64, Explanation)> {
        crate::check_name("left", left)?;
        crate::check_name("right", right)?;
        compare(left, right, kind, self.variants.as_ref(), Some(self))
    }

    /// The weight a query part gets in a search: its own when listed, else that of the listed part it is
    /// most like, else that of a rare part.
    fn part_weight(&self, text: &str) -> f32 {
        if let Some(id) = self.exact_id(text).filter(|&id| self.toks[id as usize].plain) {
            return self.toks[id as usize].weight;
        }
        let mut best: Option<Cand> = None;
        for c in self.candidates(text, false, false) {
            if self.toks[c.id as usize].plain && best.is_none_or(|b| c.sim > b.sim) {
                best = Some(c);
            }
        }
        best.map_or(self.unknown_weight, |b| self.toks[b.id as usize].weight)
    }
}

/// Scores two names directly (see [`crate::compare`] and [`Index::compare`]); `stats` lends its weights.
pub(crate) fn compare(
    left: &str,
    right: &str,
    kind: Option<EntityKind>,
    variants: Option<&NameVariants>,
    stats: Option<&Index>,
) -> Result<(f64, Explanation)> {
    let entity = ListedEntity::new("", "", kind.unwrap_or(EntityKind::Unknown), right);
    let mut index = Index::build_inner(std::slice::from_ref(&entity), variants, true);
    if let Some(stats) = stats {
        for id in 0..index.toks.len() {
            if index.toks[id].plain {
                let w = stats.part_weight(index.text(id as u32));
                index.toks[id].weight = w;
            }
        }
        index.unknown_weight = stats.unknown_weight;
    }
    if index.names.is_empty() {
        return Err(Error::validation("right", "right has no letters or digits to match"));
    }
    let parsed = parse(left);
    if parsed.tokens.is_empty() {
        return Err(Error::validation("left", "left has no letters or digits to match"));
    }
    if parsed.parts() > MAX_NAME_PARTS {
        return Err(Error::validation("left", format!("left has more than {MAX_NAME_PARTS} parts")));
    }
    let mut prep = index.prepare(parsed);
    if let Some(stats) = stats {
        for t in prep.toks.iter_mut().filter(|t| !t.title) {
            t.weight = stats.part_weight(&t.tok.text);
        }
        for c in &mut prep.comps {
            c.weight = prep.toks[c.at..c.at + c.len].iter().map(|t| t.weight).sum();
        }
        prep.total = prep.toks.iter().map(|t| t.weight).sum::<f32>() + LEGAL_WEIGHT * prep.legal.len() as f32;
    }
    let Some(rec) = index.names.first() else {
        return Err(Error::validation("right", "right has no letters or digits to match"));
    };
    let (score, explanation) = index.score_name(&prep, rec, entity.kind, true);
    let mut explanation = explanation.unwrap_or_default();
    for mut w in crate::inspect(left) {
        w.message = format!("left: {}", w.message);
        explanation.warnings.push(w);
    }
    for mut w in crate::inspect(right) {
        w.message = format!("right: {}", w.message);
        explanation.warnings.push(w);
    }
    Ok((round4(f64::from(score)), explanation))
}
