//! The US fact files generated mechanically from the eCFR-derived JSON of 15 CFR Parts 738, 740 and 774: the
//! Commerce Country Chart, the Country Groups, and each ECCN's reasons for control per paragraph, its LVS value,
//! GBS eligibility, STA exclusions and the destination scopes of reasons the chart has no column for.
//!
//! Nothing here is a legal judgement: every value is read from the source, and where the source's text cannot be
//! read mechanically the generator takes the reading that needs more licences (a reason applies to the whole
//! entry, a licence exception is not granted) and says so in the file. Generating from the same input gives the
//! same bytes.

use crate::code::ControlCode;
use crate::model::valid_date;
use accord_core::{Error, ErrorCode, Result, country};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The eCFR-derived input files, by the names they have in the source folder.
pub const US_ECFR_INPUTS: [&str; 3] = ["country-chart.json", "country-groups.json", "ccl.json"];

/// The texts of the three input files.
#[derive(Debug, Clone, Copy)]
pub struct UsEcfrInput<'a> {
    /// `country-chart.json`: 15 CFR Part 738, Supplement No. 1.
    pub chart: &'a str,
    /// `country-groups.json`: 15 CFR Part 740, Supplement No. 1.
    pub groups: &'a str,
    /// `ccl.json`: 15 CFR Part 774, Supplement No. 1.
    pub ccl: &'a str,
}

/// One generated policy data file: its name under `policies/` and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The file name relative to the policy folder (`data/us-ecfr-chart.toml`).
    pub name: String,
    /// The TOML text.
    pub text: String,
}

/// The generated files' names, relative to the policy folder.
pub const US_ECFR_OUTPUTS: [&str; 3] =
    ["data/us-ecfr-chart.toml", "data/us-ecfr-country-groups.toml", "data/us-ecfr-ccl.toml"];

fn bad(file: &str, path: &str, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::MalformedSource, format!("{file}: {path}: {why}"))
        .with_details(serde_json::json!({ "file": file, "path": path }))
}

/// A parsed input file with helpers that name the file and path in every error.
struct Doc {
    file: &'static str,
    root: Value,
    sha256: String,
}

impl Doc {
    fn parse(file: &'static str, text: &str) -> Result<Doc> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| bad(file, &format!("line {}", e.line()), format!("not valid JSON: {e}")))?;
        if !root.is_object() {
            return Err(bad(file, "$", "expected a JSON object"));
        }
        let sha256 = Sha256::digest(text.as_bytes()).iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        Ok(Doc { file, root, sha256 })
    }

    fn at<'v>(&self, v: &'v Value, path: &str, key: &str) -> Result<&'v Value> {
        v.get(key).ok_or_else(|| bad(self.file, &join(path, key), "missing"))
    }

    fn str<'v>(&self, v: &'v Value, path: &str, key: &str) -> Result<&'v str> {
        self.at(v, path, key)?.as_str().ok_or_else(|| bad(self.file, &join(path, key), "expected a string"))
    }

    fn obj<'v>(&self, v: &'v Value, path: &str, key: &str) -> Result<&'v Map<String, Value>> {
        self.at(v, path, key)?.as_object().ok_or_else(|| bad(self.file, &join(path, key), "expected an object"))
    }

    fn arr<'v>(&self, v: &'v Value, path: &str, key: &str) -> Result<&'v Vec<Value>> {
        self.at(v, path, key)?.as_array().ok_or_else(|| bad(self.file, &join(path, key), "expected an array"))
    }

    fn strings(&self, v: &Value, path: &str) -> Result<Vec<String>> {
        let a = v.as_array().ok_or_else(|| bad(self.file, path, "expected an array of strings"))?;
        a.iter()
            .enumerate()
            .map(|(i, s)| {
                s.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(self.file, &format!("{path}[{i}]"), "expected a string"))
            })
            .collect()
    }

    /// The issue date, citation and URL every input carries.
    fn header(&self) -> Result<Header> {
        let issue_date = self.str(&self.root, "", "ecfrIssueDate")?.to_owned();
        if !valid_date(&issue_date) {
            return Err(bad(self.file, "ecfrIssueDate", format!("'{issue_date}' is not a date (YYYY-MM-DD)")));
        }
        let citation = self.str(&self.root, "", "citation")?.to_owned();
        let source = self.at(&self.root, "", "source")?;
        let url = self.str(source, "source", "url")?.to_owned();
        Ok(Header { issue_date, citation, url, input: format!("{} sha256:{}", self.file, self.sha256) })
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

struct Header {
    issue_date: String,
    citation: String,
    url: String,
    input: String,
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let v: Vec<String> = items.into_iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", v.join(", "))
}

/// A members list wrapped at about 110 characters.
fn wrapped(items: &[String]) -> String {
    let mut out = String::from("[\n");
    let mut line = String::from("   ");
    for s in items {
        let item = format!(" {},", q(s));
        if line.len() + item.len() > 110 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("   ");
        }
        line.push_str(&item);
    }
    if line.trim().is_empty() {
        out.push(']');
    } else {
        out.push_str(&line);
        out.push_str("\n]");
    }
    out
}

/// Comment lines, each after `# `.
fn comments(out: &mut String, lines: &[&str]) {
    for l in lines {
        let _ = writeln!(out, "# {l}");
    }
}

fn preamble(out: &mut String, what: &str, h: &Header) {
    let _ = writeln!(out, "# {what}");
    comments(
        out,
        &[
            "GENERATED from the eCFR by `accord policies generate --us-ecfr DIR`: do not edit by hand. A deliberate",
            "departure from these facts is a separate, cited rule in a hand-written file, never an edit here.",
        ],
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "[source]");
    let _ = writeln!(out, "document = {}", q(&h.citation));
    let _ = writeln!(out, "issue_date = {}", q(&h.issue_date));
    let _ = writeln!(out, "url = {}", q(&h.url));
    let _ = writeln!(out, "kind = \"primary_source\"");
    let _ = writeln!(out, "inputs = [{}]", q(&h.input));
    let _ = writeln!(out);
}

/// The ISO code of a country name as the chart and the Country Groups write it.
fn iso(name: &str) -> Option<&'static str> {
    const SPELLINGS: &[(&str, &str)] = &[
        ("Seycheles", "SC"),
        ("Micronesia (Federated State of)", "FM"),
        ("Congo (Democratic Republic of the)", "CD"),
        ("Congo (Democratic Republic of)", "CD"),
        ("Congo (Republic of the)", "CG"),
        ("Korea, South", "KR"),
        ("Korea, North", "KP"),
        ("China (PRC)", "CN"),
        ("Burma", "MM"),
        ("Macau", "MO"),
        ("Vatican City", "VA"),
        ("St. Kitts and Nevis", "KN"),
        ("St. Lucia", "LC"),
        ("St. Vincent and the Grenadines", "VC"),
        ("Türkiye", "TR"),
        ("Cape Verde", "CV"),
        ("Cote d'Ivoire", "CI"),
        // Country Group B writes it with a lower-case L.
        ("Cote d'lvoire", "CI"),
        ("Eswatini", "SZ"),
        ("Timor-Leste", "TL"),
        ("South Sudan, Republic of", "SS"),
        ("Gambia, The", "GM"),
        ("Bahamas, The", "BS"),
        ("Taiwan", "TW"),
        ("Kosovo", "XK"),
        ("Laos", "LA"),
        ("Sint Maarten (the Dutch two-fifths of the island of Saint Martin)", "SX"),
    ];
    let name = name.replace(" & ", " and ");
    SPELLINGS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c).or_else(|| country::from_name(&name))
}

fn iso_or_err(file: &str, path: &str, name: &str) -> Result<&'static str> {
    iso(name).filter(|c| crate::policy::Place::parse(c).is_some()).ok_or_else(|| {
        bad(file, path, format!("'{name}' is not a country name the node can map to an ISO 3166-1 code"))
    })
}

// ---------------------------------------------------------------------------------------------------------------
// References to paragraphs of an ECCN in running text.

/// The paragraphs of one ECCN that a text names (`3A001.b.2`, and after one the short forms that continue its
/// list: `b.3`, `.d`, `z.2.a`).
#[derive(Debug, Default, PartialEq)]
struct Refs {
    /// Each paragraph named, and whether a parenthesis qualifies it (`b.8 (except …)`).
    codes: Vec<(String, bool)>,
    /// Whether the text names a range (`a.2 to a.14`), whose inner paragraphs are not listed.
    range: bool,
    /// Whether the text names another ECCN.
    foreign: bool,
    /// Every ECCN-like code the text names, own or foreign, in full (`0A501`, `0A505.a`).
    all: Vec<String>,
}

/// The length of an ECCN heading at `i` (`3A001`), if one starts there at a word boundary.
fn eccn_at(b: &[u8], i: usize) -> bool {
    i + 5 <= b.len()
        && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        && b[i].is_ascii_digit()
        && (b'A'..=b'E').contains(&b[i + 1])
        && b[i + 2..i + 5].iter().all(u8::is_ascii_digit)
        && b.get(i + 5).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// The sub-item segments after a heading or at the start of a short form: `.a.1` (lower-case letters or digits).
fn segments(b: &[u8], mut i: usize, leading_dot: bool) -> (usize, String) {
    let start = i;
    let mut out = String::new();
    let mut first = true;
    loop {
        let mut j = i;
        if !first || leading_dot {
            if b.get(j) != Some(&b'.') {
                break;
            }
            j += 1;
        }
        let seg_start = j;
        while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit()) && j - seg_start < 3 {
            j += 1;
        }
        let seg = &b[seg_start..j];
        let letters = seg.iter().all(u8::is_ascii_lowercase);
        let digits = seg.iter().all(u8::is_ascii_digit);
        if seg.is_empty() || !(letters && seg.len() <= 2 || digits) || b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
            break;
        }
        out.push('.');
        out.push_str(std::str::from_utf8(seg).unwrap_or_default());
        i = j;
        first = false;
    }
    if out.is_empty() { (start, out) } else { (i, out) }
}

/// A separator that continues a list of paragraphs, and its length.
fn separator(b: &[u8], i: usize) -> Option<usize> {
    const SEPS: [&str; 7] = [", and ", ", or ", " and ", " or ", ", ", "; and ", "; "];
    SEPS.iter().find(|s| b[i..].starts_with(s.as_bytes())).map(|s| s.len())
}

/// Skips a parenthesis starting at `i` (`(except …)`), returning the index after it.
fn skip_parens(b: &[u8], i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    j
}

fn refs(text: &str, eccn: &str) -> Refs {
    let b = text.as_bytes();
    let mut out = Refs::default();
    let mut i = 0;
    while i < b.len() {
        if !eccn_at(b, i) {
            i += 1;
            continue;
        }
        let head = &text[i..i + 5];
        let (mut j, path) = segments(b, i + 5, true);
        out.all.push(format!("{head}{path}"));
        let own = head == eccn;
        if !own {
            out.foreign = true;
            i = j;
            continue;
        }
        if !path.is_empty() {
            out.codes.push((format!("{head}{path}"), false));
        }
        // The short forms that continue the list.
        loop {
            // A full stop that ends a paragraph reference (`b.9.,`) before the list goes on.
            if b.get(j) == Some(&b'.') && matches!(b.get(j + 1), Some(b',' | b';')) {
                j += 1;
            }
            let mut k = j;
            while b.get(k) == Some(&b' ') {
                k += 1;
            }
            if b.get(k) == Some(&b'(') {
                if let Some(last) = out.codes.last_mut() {
                    last.1 = true;
                }
                j = skip_parens(b, k);
                continue;
            }
            let range = [" to ", " through "].iter().find(|s| b[j..].starts_with(s.as_bytes())).map(|s| s.len());
            // `9A004 .g, .r` names paragraphs right after the bare heading.
            let after_heading =
                (path.is_empty() && out.codes.last().is_none_or(|(c, _)| c.len() == 5) && b[j..].starts_with(b" ."))
                    .then_some(1);
            let Some(step) = range.or(after_heading).or_else(|| separator(b, j)) else { break };
            let k = j + step;
            if eccn_at(b, k) {
                // `3A001.a to 3A001.c` is a range too; the next heading is read by the outer loop.
                out.range |= range.is_some() && text[k..].starts_with(eccn);
                break;
            }
            let dot = b.get(k) == Some(&b'.');
            let (end, path) = segments(b, k, dot);
            if path.is_empty() || !path[1..].starts_with(|c: char| c.is_ascii_lowercase()) {
                break;
            }
            out.range |= range.is_some();
            out.codes.push((format!("{eccn}{path}"), false));
            j = end;
        }
        i = j.max(i + 5);
    }
    out.codes.retain(|(c, _)| ControlCode::parse(c).is_ok());
    out
}

// ---------------------------------------------------------------------------------------------------------------
// The Commerce Country Chart.

struct ChartData {
    /// ISO code -> (name, marks, footnotes).
    rows: BTreeMap<&'static str, (String, Vec<String>, Vec<u64>)>,
    /// Territories the EAR itself folds under a country and that have no row: ISO code -> (row, name, basis).
    inherited: BTreeMap<&'static str, (&'static str, String, String)>,
    /// Every territory the EAR folds under a country, row or not: ISO code -> (country ISO code, name, basis).
    follows: BTreeMap<&'static str, (&'static str, String, String)>,
    /// Embargoed rows that point elsewhere: ISO -> (name, pointer, footnotes).
    refer: BTreeMap<&'static str, (String, String, Vec<u64>)>,
    footnotes: BTreeMap<u64, String>,
    columns: Vec<(String, String)>,
    header: Header,
}

fn column_name(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let b = c.as_bytes();
    (b.len() == 3 && b[..2].iter().all(u8::is_ascii_uppercase) && b[2].is_ascii_digit()).then_some(c)
}

fn footnote_list(d: &Doc, v: &Value, path: &str) -> Result<Vec<u64>> {
    let a = d.arr(v, path, "footnotes")?;
    a.iter()
        .enumerate()
        .map(|(i, n)| n.as_u64().ok_or_else(|| bad(d.file, &format!("{path}.footnotes[{i}]"), "expected a number")))
        .collect()
}

fn read_chart(d: &Doc) -> Result<ChartData> {
    let header = d.header()?;
    let labels = d.obj(&d.root, "", "columnLabels")?;
    let mut columns = Vec::new();
    for (i, c) in d.strings(d.at(&d.root, "", "columns")?, "columns")?.iter().enumerate() {
        let name = column_name(c)
            .ok_or_else(|| bad(d.file, &format!("columns[{i}]"), format!("'{c}' is not a column like 'NS 1'")))?;
        let label =
            labels.get(c).and_then(Value::as_str).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        columns.push((name, label));
    }
    if columns.is_empty() {
        return Err(bad(d.file, "columns", "no columns"));
    }
    let mut rows = BTreeMap::new();
    let countries = d.obj(&d.root, "", "countries")?;
    if countries.is_empty() {
        return Err(bad(d.file, "countries", "no rows"));
    }
    for (name, row) in countries {
        let path = format!("countries.{name:?}");
        let code = iso_or_err(d.file, &path, name)?;
        let mut marks = Vec::new();
        for (i, m) in d.strings(d.at(row, &path, "marks")?, &format!("{path}.marks"))?.iter().enumerate() {
            let c = column_name(m).filter(|c| columns.iter().any(|(n, _)| n == c)).ok_or_else(|| {
                bad(d.file, &format!("{path}.marks[{i}]"), format!("'{m}' is not a column of the chart"))
            })?;
            marks.push(c);
        }
        let notes = footnote_list(d, row, &path)?;
        if rows.insert(code, (name.clone(), marks, notes)).is_some() {
            return Err(bad(d.file, &path, format!("a second row for {code}")));
        }
    }
    let mut refer = BTreeMap::new();
    for (name, row) in d.obj(&d.root, "", "embargoed")? {
        let path = format!("embargoed.{name:?}");
        let code = iso_or_err(d.file, &path, name)?;
        let pointer = d.str(row, &path, "pointer")?.to_owned();
        if rows.contains_key(code)
            || refer.insert(code, (name.clone(), pointer, footnote_list(d, row, &path)?)).is_some()
        {
            return Err(bad(d.file, &path, format!("a second row for {code}")));
        }
    }
    let mut inherited = BTreeMap::new();
    let mut follows = BTreeMap::new();
    for (name, v) in d.obj(&d.root, "", "territoryInheritance")? {
        let path = format!("territoryInheritance.{name:?}");
        let code = iso_or_err(d.file, &path, name)?;
        let row_name = d.str(v, &path, "row")?;
        let row = iso_or_err(d.file, &format!("{path}.row"), row_name)?;
        if !rows.contains_key(row) {
            return Err(bad(d.file, &format!("{path}.row"), format!("'{row_name}' has no row in the chart")));
        }
        let basis = d.str(v, &path, "basis")?.to_owned();
        if code == row {
            continue;
        }
        follows.insert(code, (row, titlecase(name), basis.clone()));
        if let Some(parent) = rows.get(row).cloned()
            && let Some(own) = rows.get_mut(code)
        {
            // A territory with a row of its own that the chart also sends to another row takes both: the marks
            // and footnotes of either (more licences, never fewer).
            for m in parent.1 {
                if !own.1.contains(&m) {
                    own.1.push(m);
                }
            }
            for n in parent.2 {
                if !own.2.contains(&n) {
                    own.2.push(n);
                }
            }
            own.0 = format!("{}, which also takes the row of {row}: {basis}", own.0);
            continue;
        }
        inherited.insert(code, (row, titlecase(name), basis));
    }
    let mut footnotes = BTreeMap::new();
    for (n, text) in d.obj(&d.root, "", "footnotes")? {
        let path = format!("footnotes.{n:?}");
        let num: u64 = n.parse().map_err(|_| bad(d.file, &path, "a footnote is numbered"))?;
        let text = text.as_str().ok_or_else(|| bad(d.file, &path, "expected a string"))?;
        footnotes.insert(num, text.to_owned());
    }
    for (code, notes) in rows.iter().map(|(c, r)| (c, &r.2)).chain(refer.iter().map(|(c, r)| (c, &r.2))) {
        if let Some(n) = notes.iter().find(|n| !footnotes.contains_key(n)) {
            return Err(bad(d.file, "footnotes", format!("footnote {n} of {code} is not in the footnotes")));
        }
    }
    Ok(ChartData { rows, inherited, follows, refer, footnotes, columns, header })
}

fn titlecase(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn chart_file(c: &ChartData) -> String {
    let mut out = String::new();
    preamble(&mut out, "Commerce Country Chart: 15 CFR Part 738, Supplement No. 1.", &c.header);
    let _ = writeln!(out, "[chart.us_ccc]");
    let _ = writeln!(out, "citation = {}", q(&format!("{}, eCFR issue {}", c.header.citation, c.header.issue_date)));
    let _ = writeln!(out, "columns = {}", list(c.columns.iter().map(|(n, _)| n)));
    let _ = writeln!(out);
    let _ = writeln!(out, "[chart.us_ccc.column_citations]");
    for (n, label) in &c.columns {
        let col = format!("{} {}", &n[..2], &n[2..]);
        let _ = writeln!(out, "{n} = {}", q(&format!("15 CFR Part 738, Supplement No. 1, column {col} ({label})")));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "# A row lists the columns marked with an X for the destination (15 CFR 738.4(a)(2)).");
    let _ = writeln!(out, "[chart.us_ccc.rows]");
    for (code, (name, marks, notes)) in &c.rows {
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" (footnotes {})", notes.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
        };
        let _ = writeln!(out, "{code} = {}  # {name}{notes}", list(marks));
    }
    for (code, (row, name, basis)) in &c.inherited {
        let _ = writeln!(out, "# {name} has no row of its own: {basis}");
        let _ = writeln!(out, "{code} = {}  # {name}: the row of {row}", list(&c.rows[row].1));
    }
    let _ = writeln!(out);
    comments(
        &mut out,
        &[
            "Rows without marks that send the reader elsewhere: the absence of an X there carries no permissive meaning.",
        ],
    );
    let _ = writeln!(out, "[chart.us_ccc.refer]");
    for (code, (name, pointer, _)) in &c.refer {
        let _ = writeln!(out, "{code} = {}  # {name}", q(pointer));
    }
    let _ = writeln!(out);
    for (n, text) in &c.footnotes {
        let mut members: Vec<String> = c
            .rows
            .iter()
            .filter(|(_, r)| r.2.contains(n))
            .map(|(k, _)| (*k).to_owned())
            .chain(c.refer.iter().filter(|(_, r)| r.2.contains(n)).map(|(k, _)| (*k).to_owned()))
            .collect();
        members.sort();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "[sets.us_ccc_footnote_{n}]");
        let _ = writeln!(out, "citation = {}", q(&format!("15 CFR Part 738, Supplement No. 1, footnote {n}: {text}")));
        let _ = writeln!(out, "members = {}", wrapped(&members));
        let _ = writeln!(out);
        let codes = footnote_codes(text);
        if !codes.is_empty() {
            let _ = writeln!(
                out,
                "# Every ECCN footnote {n} names, even inside its exceptions: nothing is subtracted (more licences, never fewer)."
            );
            let _ = writeln!(out, "[sets.us_ccc_footnote_{n}_codes]");
            let _ = writeln!(out, "citation = {}", q(&format!("15 CFR Part 738, Supplement No. 1, footnote {n}")));
            let _ = writeln!(out, "members = {}", wrapped(&codes));
            let _ = writeln!(out);
        }
    }
    out.trim_end().to_owned() + "\n"
}

/// The ECCNs and paragraphs a footnote names (`0A501`, `0A505.a`, `0A505.x`), each once.
fn footnote_codes(text: &str) -> Vec<String> {
    let mut all: BTreeSet<String> = BTreeSet::new();
    let mut heads: BTreeSet<String> = BTreeSet::new();
    for r in refs(text, "").all {
        heads.insert(r[..5].to_owned());
    }
    for h in &heads {
        let r = refs(text, h);
        let own: Vec<String> = r.codes.iter().map(|(c, _)| c.clone()).collect();
        // A heading named on its own (`0A506`) covers the entry; otherwise only the paragraphs named.
        if r.all.iter().any(|a| a == h) || own.is_empty() {
            all.insert(h.clone());
        } else {
            all.extend(own);
        }
    }
    let mut v: Vec<String> = all.into_iter().collect();
    // Keep only the most general: a heading makes its paragraphs redundant.
    let parsed: Vec<ControlCode> = v.iter().filter_map(|c| ControlCode::parse(c).ok()).collect();
    v.retain(|c| ControlCode::parse(c).is_ok_and(|code| !parsed.iter().any(|p| p.is_ancestor_of(&code))));
    v
}

// ---------------------------------------------------------------------------------------------------------------
// The Country Groups.

fn groups_file(d: &Doc, chart: &ChartData) -> Result<String> {
    let h = d.header()?;
    let labels = d.obj(&d.root, "", "labels")?;
    let groups = d.obj(&d.root, "", "groups")?;
    if groups.is_empty() {
        return Err(bad(d.file, "groups", "no groups"));
    }
    // Territories that take their country's place: the chart's named inheritances, and the aliases of this file
    // that name another destination (Hong Kong under China).
    let mut inherit: BTreeMap<&'static str, Vec<(&'static str, String)>> = BTreeMap::new();
    for (code, (row, name, basis)) in &chart.follows {
        inherit.entry(row).or_default().push((code, format!("{name}: {basis}")));
    }
    for (alias, target) in d.obj(&d.root, "", "aliases")? {
        let path = format!("aliases.{alias:?}");
        let Some(target) = target.as_str() else { return Err(bad(d.file, &path, "expected a string")) };
        let (Some(from), Some(to)) = (iso(alias), iso(target)) else { continue };
        if from != to && !inherit.get(to).is_some_and(|v| v.iter().any(|(c, _)| *c == from)) {
            let basis = format!("{} (this file's alias '{alias}' names {target})", titlecase(alias));
            inherit.entry(to).or_default().push((from, basis));
        }
    }
    let mut out = String::new();
    preamble(&mut out, "Country Groups: 15 CFR Part 740, Supplement No. 1.", &h);
    let _ =
        writeln!(out, "# The United States is a member of some groups; it is no export destination and is left out.");
    for (territory_of, list) in &inherit {
        for (code, basis) in list {
            let _ = writeln!(out, "# {code} is a member wherever {territory_of} is: {basis}");
        }
    }
    if let Some(notes) = d.root.get("notes").and_then(Value::as_object) {
        for (k, v) in notes {
            if let Some(t) = v.as_str() {
                let _ = writeln!(out, "# Note ({k}): {t}");
            }
        }
    }
    let _ = writeln!(out);
    for (group, names) in groups {
        let path = format!("groups.{group:?}");
        let mut members = BTreeSet::new();
        for (i, name) in d.strings(names, &path)?.iter().enumerate() {
            let code = iso_or_err(d.file, &format!("{path}[{i}]"), name)?;
            if code == "US" {
                continue;
            }
            members.insert(code.to_owned());
            for (t, _) in inherit.get(code).into_iter().flatten() {
                members.insert((*t).to_owned());
            }
        }
        if members.is_empty() {
            return Err(bad(d.file, &path, "a group without members"));
        }
        let label = labels.get(group).and_then(Value::as_str).unwrap_or_default();
        let _ = writeln!(out, "[sets.{}]", q(&format!("us_group_{group}")));
        let _ = writeln!(
            out,
            "citation = {}",
            q(&format!("{}, Country Group {group} ({label}), eCFR issue {}", h.citation, h.issue_date))
        );
        let _ = writeln!(out, "members = {}", wrapped(&members.into_iter().collect::<Vec<_>>()));
        let _ = writeln!(out);
    }
    Ok(out.trim_end().to_owned() + "\n")
}

// ---------------------------------------------------------------------------------------------------------------
// The Commerce Control List.

/// Which part of an ECCN one line of its License Requirements table covers.
#[derive(Debug, PartialEq)]
enum Target {
    Entire,
    EntireExcept(Vec<String>),
    Paragraphs(Vec<String>),
    /// A part the text describes in words: read as the whole entry, with the text as a note.
    Part,
}

fn target(control: &str, eccn: &str) -> Target {
    let lower = control.to_lowercase();
    if let Some(at) = lower.find("entire entry") {
        let rest = control[at + "entire entry".len()..].trim().trim_start_matches(',').trim();
        let rest = rest.trim_end_matches(['.', ' ']);
        if rest.is_empty() {
            return Target::Entire;
        }
        if let Some(ex) = rest.strip_prefix("except") {
            // `except .e, .x, and .y` names the entry's own paragraphs without the heading.
            let ex =
                if ex.trim_start().starts_with('.') { format!("{eccn}{}", ex.trim_start()) } else { ex.to_owned() };
            let ex = ex.as_str();
            let r = refs(ex, eccn);
            let codes: Vec<String> = r.codes.iter().map(|(c, _)| c.clone()).collect();
            let clean = !codes.is_empty()
                && !r.range
                && !r.foreign
                && r.codes.iter().all(|(_, q)| !q)
                && leftover(ex, &r).is_empty();
            return if clean { Target::EntireExcept(codes) } else { Target::Part };
        }
        return Target::Part;
    }
    let r = refs(control, eccn);
    if r.codes.is_empty() || r.range {
        return Target::Part;
    }
    Target::Paragraphs(r.codes.into_iter().map(|(c, _)| c).collect())
}

/// The words of a list text that are neither references to paragraphs nor the words that join them.
fn leftover(text: &str, r: &Refs) -> String {
    const WORDS: [&str; 12] = ["to", "in", "of", "by", "if", "as", "is", "on", "at", "it", "be", "an"];
    let short = |t: &str| {
        let t = t.strip_prefix('.').unwrap_or(t);
        let mut segs = t.split('.');
        let first = segs.next().unwrap_or_default();
        !WORDS.contains(&first)
            && (1..=2).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_lowercase())
            && segs.all(|s| {
                !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    };
    // Parenthesised words qualify the paragraph before them, which the list then leaves out.
    country::strip_parens(text)
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty() && !matches!(*w, "and" | "or"))
        .filter(|w| !(r.range && matches!(*w, "to" | "through")))
        .filter(|w| !(eccn_at(w.as_bytes(), 0) || short(w)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a reason without a chart column applies, read from the table's own words.
fn scope(family: &str, text: &str) -> String {
    let t = text.to_lowercase();
    let f = family.to_lowercase();
    if t.contains("746.1") || t.contains("764.1(b) for un") {
        "un".to_owned()
    } else if t.contains("742.15") {
        "ei".to_owned()
    } else if t.contains("746.8") {
        format!("{f}_746_8")
    } else if t.contains("any destination worldwide") || t.contains("worldwide control") {
        format!("{f}_worldwide")
    } else if t.contains("all destinations, except canada") {
        format!("{f}_all_but_canada")
    } else if t.contains("all destinations") {
        format!("{f}_all_destinations")
    } else if t.contains("united arab emirates or destinations specified in country groups d:1, d:4, and d:5")
        && t.contains("excluding any destination also specified in country groups a:5 or a:6")
    {
        format!("{f}_ae_d1_d4_d5_not_a5_a6")
    } else if t.contains("macau or a destination specified in country group d:5") {
        format!("{f}_macau_d5")
    } else if t.starts_with("china, russia") && t.contains("venezuela") {
        format!("{f}_cn_ru_ve")
    } else if t.contains("to iraq or pakistan") {
        format!("{f}_iraq_pakistan")
    } else if t.contains("to iraq") {
        format!("{f}_iraq")
    } else if t.contains("to pakistan") {
        format!("{f}_pakistan")
    } else if t.contains("to north korea") {
        format!("{f}_north_korea")
    } else {
        "unresolved".to_owned()
    }
}

/// Reasons at one code: column -> the note that limits it (`None`: unconditional).
type Cols = BTreeMap<String, Option<String>>;

fn add(cols: &mut Cols, col: &str, note: Option<&str>) {
    match cols.get_mut(col) {
        Some(existing) => {
            if note.is_none() {
                *existing = None;
            } else if let (Some(e), Some(n)) = (existing.as_mut(), note)
                && !e.contains(n)
            {
                e.push_str("; ");
                e.push_str(n);
            }
        }
        None => {
            cols.insert(col.to_owned(), note.map(str::to_owned));
        }
    }
}

#[derive(Default)]
struct CclOut {
    reasons: BTreeMap<String, Cols>,
    scopes: BTreeMap<String, BTreeMap<String, String>>,
    lvs: BTreeMap<String, f64>,
    lvs_unread: BTreeMap<String, String>,
    gbs: BTreeMap<String, String>,
    gbs_unread: BTreeMap<String, String>,
    sta_a5: BTreeMap<String, String>,
    sta_a6: BTreeMap<String, String>,
    no_table: Vec<String>,
    /// The "600 series" ECCNs (entry numbers 600 to 699).
    series_600: Vec<String>,
}

fn columns_in(family: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "Column" {
            let n = words
                .get(i + 1)
                .map(|n| n.trim_end_matches('.'))
                .filter(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()));
            let fam = if i > 0 && words[i - 1].len() == 2 && words[i - 1].bytes().all(|b| b.is_ascii_uppercase()) {
                words[i - 1]
            } else {
                family
            };
            if let Some(n) = n {
                out.push(format!("{fam}{n}"));
            }
        }
    }
    out
}

fn entry_reasons(d: &Doc, e: &Value, path: &str, eccn: &str, out: &mut CclOut) -> Result<()> {
    let rows = d.arr(e, path, "countryChart")?;
    if rows.is_empty() {
        out.no_table.push(eccn.to_owned());
        return Ok(());
    }
    let mut base: Cols = Cols::new();
    let mut removed: Vec<(String, Vec<String>)> = Vec::new();
    let mut specific: Vec<(String, String, Option<String>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let rpath = format!("{path}.countryChart[{i}]");
        let control = d.str(row, &rpath, "control")?.trim();
        let chart = d.str(row, &rpath, "countryChart")?.trim();
        // A line that does not start with a reason (`Russian industry sector sanction applies …`) gets a scope only.
        let head: String = control.chars().take(3).collect();
        let family = match head.as_bytes() {
            [a, b, b' '] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => head[..2].to_owned(),
            _ => "other".to_owned(),
        };
        let cols = if family == "other" { Vec::new() } else { columns_in(&family, chart) };
        let t = target(control, eccn);
        if cols.is_empty() {
            let kind = scope(&family, chart);
            let codes = match &t {
                Target::Paragraphs(ps) => ps.clone(),
                _ => vec![eccn.to_owned()],
            };
            for c in codes {
                let note = format!("{control} — {chart}");
                out.scopes
                    .entry(kind.clone())
                    .or_default()
                    .entry(c)
                    .and_modify(|n| {
                        if !n.contains(&note) {
                            n.push_str("; ");
                            n.push_str(&note);
                        }
                    })
                    .or_insert(note);
            }
            continue;
        }
        for col in &cols {
            match &t {
                Target::Entire => add(&mut base, col, None),
                Target::EntireExcept(ex) => {
                    add(&mut base, col, None);
                    removed.push((col.clone(), ex.clone()));
                }
                Target::Part => add(&mut base, col, Some(control)),
                Target::Paragraphs(ps) => {
                    for p in ps {
                        specific.push((p.clone(), col.clone(), Some(control.to_owned())));
                    }
                }
            }
        }
    }
    let mut keys: BTreeSet<String> = BTreeSet::new();
    keys.insert(eccn.to_owned());
    keys.extend(removed.iter().flat_map(|(_, ex)| ex.iter().cloned()));
    keys.extend(specific.iter().map(|(p, _, _)| p.clone()));
    for key in keys {
        let code = ControlCode::parse(&key).map_err(|e| bad(d.file, path, e.message))?;
        let at_or_above = |p: &str| ControlCode::parse(p).is_ok_and(|pc| pc == code || pc.is_ancestor_of(&code));
        let mut cols = base.clone();
        for (col, ex) in &removed {
            if ex.iter().any(|x| at_or_above(x)) && cols.get(col).is_some_and(Option::is_none) {
                // Removed unless another line of the table names the column for the whole entry.
                let still = rows.iter().any(|row| {
                    let c = row.get("control").and_then(Value::as_str).unwrap_or_default();
                    let ch = row.get("countryChart").and_then(Value::as_str).unwrap_or_default();
                    target(c, eccn) == Target::Entire
                        && columns_in(&c.chars().take(2).collect::<String>(), ch).contains(col)
                });
                if !still {
                    cols.remove(col);
                }
            }
        }
        for (p, col, note) in &specific {
            if at_or_above(p) {
                add(&mut cols, col, note.as_deref());
            }
        }
        out.reasons.insert(key, cols);
    }
    Ok(())
}

/// An amount written `$1,500` or `$1500.`, and the rest of the text.
fn amount(s: &str) -> Option<(f64, &str)> {
    let s = s.trim().strip_prefix('$')?;
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(s.len());
    let n: f64 = s[..end].replace(',', "").parse().ok()?;
    Some((n, &s[end..]))
}

/// Reasons named after "N/A for" (`MT, NP`), if that is all the text says.
fn na_reasons(s: &str) -> bool {
    let s = s.trim().trim_end_matches('.').trim();
    let Some(rest) = s.strip_prefix("N/A for").or_else(|| s.strip_prefix("except N/A for")) else { return false };
    rest.split([',', ' '])
        .filter(|w| !w.is_empty() && *w != "and")
        .all(|w| w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase()))
        || rest.trim() == "NP items"
}

fn lvs(eccn: &str, text: &str, out: &mut CclOut) {
    let t = text.trim();
    if t == "N/A" || t == "N/A." || t.is_empty() {
        return;
    }
    let mut understood = true;
    let mut values: Vec<(String, f64)> = Vec::new();
    if let Some((n, rest)) = amount(t) {
        let rest = rest.trim().trim_start_matches(['.', ',', ';']).trim();
        if rest.is_empty() || na_reasons(rest) {
            values.push((eccn.to_owned(), n));
        } else {
            understood = false;
        }
    } else {
        understood = false;
    }
    if !understood {
        // Segments of the form "$N for <paragraphs>"; a segment with anything else gives nothing.
        values.clear();
        for seg in t.split(';') {
            let Some((n, rest)) = amount(seg) else { continue };
            let Some(list) = rest.trim().strip_prefix("for ") else { continue };
            let r = refs(list, eccn);
            if r.range || r.foreign || r.codes.is_empty() || !leftover(list, &r).is_empty() {
                continue;
            }
            for (c, qualified) in r.codes {
                if !qualified {
                    values.push((c, n));
                }
            }
        }
        out.lvs_unread.insert(eccn.to_owned(), t.to_owned());
    }
    for (c, n) in values {
        out.lvs.insert(c, n);
    }
}

fn gbs(eccn: &str, text: &str, out: &mut CclOut) {
    let t = text.trim().trim_end_matches('.');
    if t == "N/A" || t.is_empty() {
        return;
    }
    if t == "Yes" || t == "Yes, except N/A for MT" || t == "Yes, except UN" {
        out.gbs.insert(eccn.to_owned(), text.trim().to_owned());
        return;
    }
    out.gbs_unread.insert(eccn.to_owned(), text.trim().to_owned());
    let list = t.strip_prefix("Yes for ").or_else(|| t.strip_prefix("Yes, for "));
    let Some(list) = list else { return };
    let list = list.trim_end_matches(" only");
    // Only a plain list of the entry's own paragraphs: words around it are conditions the node cannot check.
    if !list.starts_with(eccn) {
        return;
    }
    let r = refs(list, eccn);
    if r.foreign || !leftover(list, &r).is_empty() {
        return;
    }
    for (c, qualified) in r.codes {
        if !qualified && c != eccn {
            out.gbs.insert(c, text.trim().to_owned());
        }
    }
}

fn sta(eccn: &str, text: &str, out: &mut CclOut) {
    let t = text.trim().trim_start_matches("STA:").trim();
    if !t.contains("may not be used") {
        return;
    }
    let a5 = t.contains("(c)(1)") || t.contains("A:5") || !(t.contains("(c)(2)") || t.contains("A:6"));
    let a6 = t.contains("(c)(2)") || t.contains("A:6") || !t.contains("(c)(1)");
    let r = refs(t, eccn);
    let mut codes: Vec<String> = r.codes.iter().map(|(c, _)| c.clone()).collect();
    if codes.is_empty() || r.range || r.foreign {
        codes = vec![eccn.to_owned()];
    }
    for c in codes {
        if a5 {
            out.sta_a5.insert(c.clone(), t.to_owned());
        }
        if a6 {
            out.sta_a6.insert(c, t.to_owned());
        }
    }
}

fn read_ccl(d: &Doc) -> Result<(Header, CclOut)> {
    let h = d.header()?;
    let entries = d.arr(&d.root, "", "entries")?;
    if entries.is_empty() {
        return Err(bad(d.file, "entries", "no entries"));
    }
    if let Some(n) = d.root.get("entryCount").and_then(Value::as_u64)
        && n as usize != entries.len()
    {
        return Err(bad(
            d.file,
            "entries",
            format!("{} entries, but entryCount says {n}: the file is partial", entries.len()),
        ));
    }
    let mut out = CclOut::default();
    let mut seen = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        let path = format!("entries[{i}]");
        let eccn = d.str(e, &path, "eccn")?;
        let code = ControlCode::parse(eccn).map_err(|err| bad(d.file, &format!("{path}.eccn"), err.message))?;
        if code.depth() != 0 || code.to_string() != eccn {
            return Err(bad(d.file, &format!("{path}.eccn"), format!("'{eccn}' is not an ECCN heading like 3A001")));
        }
        if !seen.insert(eccn.to_owned()) {
            return Err(bad(d.file, &format!("{path}.eccn"), format!("{eccn} appears twice")));
        }
        if (600..700).contains(&code.number()) {
            out.series_600.push(eccn.to_owned());
        }
        entry_reasons(d, e, &path, eccn, &mut out)?;
        let flags = d.obj(e, &path, "licenceExceptionFlags")?;
        if let Some(t) = flags.get("LVS").and_then(Value::as_str) {
            lvs(eccn, t, &mut out);
        }
        if let Some(t) = flags.get("GBS").and_then(Value::as_str) {
            gbs(eccn, t, &mut out);
        }
        let sta_text =
            flags.get("STA").and_then(Value::as_str).or_else(|| e.get("staSpecialConditions").and_then(Value::as_str));
        if let Some(t) = sta_text {
            sta(eccn, t, &mut out);
        }
    }
    Ok((h, out))
}

fn ccl_file(h: &Header, c: &CclOut) -> String {
    let mut out = String::new();
    preamble(
        &mut out,
        "Commerce Control List: 15 CFR Part 774, Supplement No. 1 (License Requirements and List Based License Exceptions).",
        h,
    );
    let cite = |what: &str| q(&format!("{}, {what}, eCFR issue {}", h.citation, h.issue_date));
    comments(
        &mut out,
        &[
            "us_reasons: the Country Chart columns of each ECCN's License Requirements table. A key below the heading",
            "(3A001.b.2) holds everything that applies to that paragraph; a heading holds what applies to the whole entry,",
            "and an item given only by its heading is judged on the paragraphs below it too. `notes` carries the table's",
            "words where a reason covers only part of what the key names (read: it applies, unless the item is outside).",
        ],
    );
    let _ = writeln!(out, "[facts.us_reasons]");
    let _ = writeln!(out, "citation = {}", cite("License Requirements of each ECCN"));
    let _ = writeln!(out, "[facts.us_reasons.values]");
    for (key, cols) in &c.reasons {
        let reasons = list(cols.keys());
        let notes: Vec<String> =
            cols.iter().filter_map(|(k, n)| n.as_ref().map(|n| format!("{k} = {}", q(n)))).collect();
        if notes.is_empty() && !cols.is_empty() {
            let _ = writeln!(out, "{} = {reasons}", q(key));
        } else if notes.is_empty() {
            let _ = writeln!(out, "{} = {{ reasons = [] }}", q(key));
        } else {
            let _ = writeln!(out, "{} = {{ reasons = {reasons}, notes = {{ {} }} }}", q(key), notes.join(", "));
        }
    }
    let _ = writeln!(out);
    if !c.no_table.is_empty() {
        let _ = writeln!(
            out,
            "# ECCNs without a License Requirements table (for example items subject to the ITAR): {}.",
            c.no_table.join(", ")
        );
        let _ = writeln!(out);
    }
    comments(
        &mut out,
        &["Reasons the chart has no column for, by the destinations the table's own words give; each set's"],
    );
    let _ = writeln!(out, "# comments quote the words. A rule in us.toml says what each scope requires.");
    for (kind, codes) in &c.scopes {
        let _ = writeln!(out, "[sets.us_ccl_scope_{kind}]");
        let _ = writeln!(out, "citation = {}", cite(&format!("License Requirements lines read as scope '{kind}'")));
        let _ = writeln!(out, "members = [");
        for (code, words) in codes {
            let _ = writeln!(out, "    {},  # {}", q(code), words.replace('\n', " "));
        }
        let _ = writeln!(out, "]");
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "[sets.us_ccl_600_series]");
    let _ = writeln!(out, "citation = {}", cite("the \"600 series\" ECCNs (entry numbers 600 to 699)"));
    let _ = writeln!(out, "members = {}", wrapped(&c.series_600));
    let _ = writeln!(out);
    comments(
        &mut out,
        &[
            "us_lvs: the LVS value (USD) where the ECCN's LVS line gives one plainly; a line with conditions gives only",
            "the paragraphs it names plainly, and the rest gets no LVS (listed in the comment below the table).",
        ],
    );
    let _ = writeln!(out, "[facts.us_lvs]");
    let _ = writeln!(out, "citation = {}", cite("the LVS line of each ECCN's List Based License Exceptions"));
    let _ = writeln!(out, "currency = \"USD\"");
    let _ = writeln!(out, "[facts.us_lvs.values]");
    for (k, v) in &c.lvs {
        let _ = writeln!(out, "{} = {v}", q(k));
    }
    for (k, t) in &c.lvs_unread {
        let _ = writeln!(out, "# {k}: LVS line read only where it names paragraphs plainly: {}", t.replace('\n', " "));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "[facts.us_gbs]");
    let _ = writeln!(out, "citation = {}", cite("the GBS line of each ECCN's List Based License Exceptions"));
    let _ = writeln!(out, "[facts.us_gbs.values]");
    for k in c.gbs.keys() {
        let _ = writeln!(out, "{} = true", q(k));
    }
    for (k, t) in &c.gbs_unread {
        let _ = writeln!(
            out,
            "# {k}: GBS line read only where it names paragraphs without conditions: {}",
            t.replace('\n', " ")
        );
    }
    let _ = writeln!(out);
    for (name, group, map) in
        [("us_sta_excluded_a5", "A:5, 740.20(c)(1)", &c.sta_a5), ("us_sta_excluded_a6", "A:6, 740.20(c)(2)", &c.sta_a6)]
    {
        let _ = writeln!(
            out,
            "# {name}: where the ECCN's STA line says STA may not be used for Country Group {group}; a line that"
        );
        let _ = writeln!(
            out,
            "# names no group excludes both, and one that names no paragraph plainly excludes the whole ECCN."
        );
        let _ = writeln!(out, "[facts.{name}]");
        let _ = writeln!(out, "citation = {}", cite("the STA line of each ECCN's List Based License Exceptions"));
        let _ = writeln!(out, "[facts.{name}.values]");
        for (k, t) in map {
            let _ = writeln!(out, "{} = true  # {}", q(k), t.replace('\n', " "));
        }
        let _ = writeln!(out);
    }
    out.trim_end().to_owned() + "\n"
}

/// Generates the US fact files from the eCFR-derived inputs; any malformed or partial input is refused with its
/// file, path and reason, and nothing is generated.
pub fn generate_us_ecfr(input: &UsEcfrInput) -> Result<Vec<GeneratedFile>> {
    let chart = Doc::parse(US_ECFR_INPUTS[0], input.chart)?;
    let groups = Doc::parse(US_ECFR_INPUTS[1], input.groups)?;
    let ccl = Doc::parse(US_ECFR_INPUTS[2], input.ccl)?;
    let chart_data = read_chart(&chart)?;
    let groups_text = groups_file(&groups, &chart_data)?;
    let (ccl_header, ccl_data) = read_ccl(&ccl)?;
    Ok(vec![
        GeneratedFile { name: US_ECFR_OUTPUTS[0].to_owned(), text: chart_file(&chart_data) },
        GeneratedFile { name: US_ECFR_OUTPUTS[1].to_owned(), text: groups_text },
        GeneratedFile { name: US_ECFR_OUTPUTS[2].to_owned(), text: ccl_file(&ccl_header, &ccl_data) },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, eccn: &str) -> Vec<String> {
        refs(text, eccn).codes.into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn references_continue_a_list_in_short_forms() {
        assert_eq!(
            codes("RS applies to 3A001.z.1.a, z.2.a, z.3.a, z.4.a", "3A001"),
            ["3A001.z.1.a", "3A001.z.2.a", "3A001.z.3.a", "3A001.z.4.a"]
        );
        assert_eq!(codes("AT applies to 0A505.a, .d, and .x", "0A505"), ["0A505.a", "0A505.d", "0A505.x"]);
        assert_eq!(codes("RS applies to 9A515.e and .x", "9A515"), ["9A515.e", "9A515.x"]);
    }

    #[test]
    fn paragraphs_may_follow_a_bare_heading_or_an_except() {
        assert_eq!(
            codes("NS applies to 9A004 .g, .r, .u, and .w", "9A004"),
            ["9A004.g", "9A004.r", "9A004.u", "9A004.w"]
        );
        assert_eq!(
            target("NS applies to entire entry, except .e, .x, and .y", "9A515"),
            Target::EntireExcept(vec!["9A515.e".into(), "9A515.x".into(), "9A515.y".into()])
        );
    }

    #[test]
    fn references_to_other_eccns_are_not_own_paragraphs() {
        let r = refs("RS applies to software for commodities controlled by 4A003.z.1.a, z.2.a, 4A004.z.1", "4D001");
        assert!(r.codes.is_empty() && r.foreign);
    }

    #[test]
    fn ranges_and_qualified_paragraphs_are_flagged() {
        let r = refs("Yes for 3A001.a.1.b, a.2 to a.14 (except .a.5.a when controlled for MT), b.9., b.10", "3A001");
        assert!(r.range);
        assert!(r.codes.iter().any(|(c, q)| c == "3A001.a.14" && *q));
        assert!(r.codes.iter().any(|(c, q)| c == "3A001.b.10" && !*q));
    }

    #[test]
    fn entire_entry_with_plain_exceptions_subtracts_them() {
        assert_eq!(
            target("NS applies to entire entry except 0A501.y", "0A501"),
            Target::EntireExcept(vec!["0A501.y".into()])
        );
        assert_eq!(
            target("NS applies to entire entry, except 8D620.b and .y", "8D620"),
            Target::EntireExcept(vec!["8D620.b".into(), "8D620.y".into()])
        );
        assert_eq!(
            target(
                "NP applies to entire entry, except 2B004.b.3 and presses with maximum working pressures below 69 MPa",
                "2B004"
            ),
            Target::Part
        );
        assert_eq!(target("AT applies to entire entry", "3A001"), Target::Entire);
    }

    #[test]
    fn scopes_are_read_from_the_tables_words() {
        assert_eq!(
            scope("RS", "To or within any destination worldwide. See § 742.6(a)(6)(iii)(A) of the EAR."),
            "rs_worldwide"
        );
        assert_eq!(scope("RS", "China, Russia, or Venezuela (see § 742.6(a)(7))."), "rs_cn_ru_ve");
        assert_eq!(scope("UN", "See § 746.1(b) for UN controls."), "un");
        assert_eq!(
            scope("CW", "CW applies to entire entry. A license is required for CW reasons to CWC non-States Parties"),
            "unresolved"
        );
    }

    #[test]
    fn lvs_values_are_read_only_when_plain() {
        let mut out = CclOut::default();
        lvs("1A001", "$5000", &mut out);
        lvs("2B007", "$5,000, except 2B007.b and .c", &mut out);
        lvs("1C007", "$5,000, except N/A for MT and for 1C007.e", &mut out);
        lvs(
            "5A001",
            "N/A for 5A001.a, b.5, .e, f.3 and .h; $5000 for 5A001.b.1, .b.2, .b.3, .b.6, .d, f.2, f.4, and .g; $3000 for 5A001.c.",
            &mut out,
        );
        assert_eq!(out.lvs.get("1A001"), Some(&5000.0));
        assert!(!out.lvs.contains_key("2B007") && !out.lvs.contains_key("1C007"));
        assert_eq!(out.lvs.get("5A001.b.1"), Some(&5000.0));
        assert_eq!(out.lvs.get("5A001.c"), Some(&3000.0));
        assert!(!out.lvs.contains_key("5A001") && !out.lvs.contains_key("5A001.a"));
    }
}
