//! The compiler: raw files checked and cross-checked into the compiled model; every error names its file and line.

use super::*;
use crate::model::day;
use jiff::civil::Date;

/// The 1-based line of a byte offset.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

pub(super) struct FileCtx<'a> {
    name: &'a str,
    text: &'a str,
}

impl FileCtx<'_> {
    pub(super) fn err(&self, offset: usize, message: impl std::fmt::Display) -> Error {
        let line = line_at(self.text, offset);
        Error::new(ErrorCode::InvalidPolicy, format!("{}, line {line}: {message}", self.name))
            .with_details(serde_json::json!({ "file": self.name, "line": line }))
    }

    pub(super) fn at<T>(&self, s: &Spanned<T>, message: impl std::fmt::Display) -> Error {
        self.err(s.span().start, message)
    }
}

/// Named sets of the whole policy set, by name.
#[derive(Default)]
pub(super) struct Sets {
    countries: HashMap<String, CountrySet>,
    codes: HashMap<String, Vec<CodePattern>>,
    /// The file each set comes from (index into the sources).
    files: HashMap<String, usize>,
}

pub(super) struct Compiler<'a> {
    sets: &'a Sets,
    charts: &'a HashMap<String, usize>,
    facts: &'a HashMap<String, usize>,
    /// The file of each chart and facts table, by index.
    chart_files: &'a [usize],
    fact_files: &'a [usize],
    sources: &'a [FactSource],
}

impl Compiler<'_> {
    /// How an unverified fact is named in answers, or `None` when its file is verified.
    pub(super) fn unverified(&self, what: &str, name: &str, file: Option<usize>) -> Option<String> {
        let src = &self.sources[file?];
        (!src.verified).then(|| format!("{what} '{name}' ({}, {})", src.file, src.kind.as_str().replace('_', "-")))
    }

    pub(super) fn set_refs(&self, items: &[Spanned<String>], field: Field, out: &mut Vec<(Field, String)>) {
        for item in items {
            if let Some(name) = trimmed(item).strip_prefix('@')
                && let Some(u) = self.unverified("set", name, self.sets.files.get(name).copied())
            {
                out.push((field, u));
            }
        }
    }
}

pub(super) fn trimmed(s: &Spanned<String>) -> &str {
    s.get_ref().trim()
}

impl Compiler<'_> {
    pub(super) fn countries(&self, f: &FileCtx, items: &[Spanned<String>]) -> Result<Option<CountrySet>> {
        if items.is_empty() {
            return Ok(None);
        }
        let mut set = CountrySet::default();
        for item in items {
            let s = trimmed(item);
            if let Some(name) = s.strip_prefix('@') {
                if self.sets.codes.contains_key(name) {
                    return Err(f.at(item, format!("set '{name}' holds control codes, not countries")));
                }
                let other =
                    self.sets.countries.get(name).ok_or_else(|| f.at(item, format!("unknown set '@{name}'")))?;
                set.union(other);
            } else {
                let p = Place::parse(s).ok_or_else(|| {
                    f.at(item, format!("'{s}' is not an ISO 3166-1 alpha-2 country code or a subdivision like UA-43"))
                })?;
                set.insert(&p);
            }
        }
        Ok(Some(set))
    }

    pub(super) fn codes(&self, f: &FileCtx, items: &[Spanned<String>]) -> Result<Vec<CodePattern>> {
        let mut out = Vec::new();
        for item in items {
            let s = trimmed(item);
            if let Some(name) = s.strip_prefix('@') {
                if self.sets.countries.contains_key(name) {
                    return Err(f.at(item, format!("set '{name}' holds countries, not control codes")));
                }
                let other = self.sets.codes.get(name).ok_or_else(|| f.at(item, format!("unknown set '@{name}'")))?;
                out.extend(other.iter().cloned());
            } else {
                out.push(CodePattern::parse(s).ok_or_else(|| {
                    f.at(
                        item,
                        format!("'{s}' is not a control code like 3A001 or 5A002.a, nor a pattern like 0* or 9A*"),
                    )
                })?);
            }
        }
        Ok(out)
    }

    pub(super) fn named(
        &self,
        f: &FileCtx,
        map: &HashMap<String, usize>,
        s: &Option<Spanned<String>>,
        what: &str,
    ) -> Result<Option<usize>> {
        match s {
            None => Ok(None),
            Some(n) => map
                .get(trimmed(n))
                .copied()
                .map(Some)
                .ok_or_else(|| f.at(n, format!("unknown {what} '{}'", trimmed(n)))),
        }
    }

    /// Checks that a facts table used as a value limit holds numbers.
    pub(super) fn numbers(&self, f: &FileCtx, facts: &[Facts], name: &Spanned<String>) -> Result<()> {
        let Some(&i) = self.facts.get(trimmed(name)) else { return Ok(()) };
        if facts[i].values.iter().all(|(_, v)| matches!(v, FactValue::Number(_))) {
            Ok(())
        } else {
            Err(f.at(name, format!("facts '{}' are not value limits (numbers)", trimmed(name))))
        }
    }

    pub(super) fn enums<T: Copy>(
        f: &FileCtx,
        items: &[Spanned<String>],
        parse: fn(&str) -> Option<T>,
        what: &str,
        allowed: &[&str],
    ) -> Result<Vec<T>> {
        items
            .iter()
            .map(|i| {
                parse(trimmed(i))
                    .ok_or_else(|| f.at(i, format!("unknown {what} '{}' (one of {})", trimmed(i), allowed.join(", "))))
            })
            .collect()
    }

    pub(super) fn date(f: &FileCtx, s: &Option<Spanned<String>>) -> Result<Option<Date>> {
        match s {
            None => Ok(None),
            Some(d) => {
                day(trimmed(d)).map(Some).ok_or_else(|| f.at(d, format!("'{}' is not a date (YYYY-MM-DD)", trimmed(d))))
            }
        }
    }

    pub(super) fn money(f: &FileCtx, m: &Option<RawMoney>) -> Result<Option<Money>> {
        let Some(m) = m else { return Ok(None) };
        let amount = match Decimal::from_f64(*m.amount.get_ref()) {
            Ok(a) if !a.is_negative() => a,
            Ok(_) => return Err(f.at(&m.amount, "an amount must be a non-negative number")),
            Err(e) => return Err(f.at(&m.amount, format!("an amount must be a non-negative number: {e}"))),
        };
        let currency = currency(f, &m.currency)?;
        accord_core::currency::check_minor_units(amount, &currency).map_err(|e| f.at(&m.amount, e))?;
        Ok(Some(Money { amount, currency }))
    }

    pub(super) fn when(&self, f: &FileCtx, w: &RawWhen) -> Result<Conditions> {
        let item = match &w.item {
            None => ItemKind::Any,
            Some(s) => match trimmed(s) {
                "any" => ItemKind::Any,
                "listed" => ItemKind::Listed,
                "unmapped" => ItemKind::Unmapped,
                "unlisted" => ItemKind::Unlisted,
                "not_listed" => ItemKind::NotListed,
                other => {
                    return Err(
                        f.at(s, format!("unknown item kind '{other}' (any, listed, unmapped, unlisted, not_listed)"))
                    );
                }
            },
        };
        let reasons = |items: &[Spanned<String>]| -> Result<Vec<String>> {
            items
                .iter()
                .map(|r| {
                    let s = trimmed(r);
                    if reason_pattern(s) {
                        Ok(s.to_owned())
                    } else {
                        Err(f.at(r, format!("'{s}' is not a reason for control like NS1, AT or NS*")))
                    }
                })
                .collect()
        };
        let mut categories = Vec::new();
        for c in &w.categories {
            match u8::try_from(*c.get_ref()) {
                Ok(v) if v <= 9 => categories.push(v),
                _ => return Err(f.at(c, "a category is a digit 0-9")),
            }
        }
        let regimes = w
            .regimes
            .iter()
            .map(|r| {
                Regime::parse(trimmed(r))
                    .ok_or_else(|| f.at(r, format!("unknown regime '{}' (WA, NSG, MTCR, AG, CWC)", trimmed(r))))
            })
            .collect::<Result<_>>()?;
        let end_use_names: Vec<&str> = EndUse::names();
        let purpose_names: Vec<&str> = Purpose::names();
        let parties = match &w.parties {
            None => None,
            Some(p) => {
                let role_names: Vec<&str> = PartyRole::names();
                Some(PartyCondition {
                    lists: p.lists.clone(),
                    id_prefixes: p.id_prefixes.clone(),
                    programs: p.programs.clone(),
                    roles: Self::enums(f, &p.roles, PartyRole::parse, "party role", &role_names)?,
                })
            }
        };
        let from = Self::date(f, &w.from)?;
        let until = Self::date(f, &w.until)?;
        if let (Some(a), Some(b), Some(s)) = (&from, &until, &w.until)
            && a >= b
        {
            return Err(f.at(s, format!("'until' ({b}) must come after 'from' ({a})")));
        }
        let mut unverified = Vec::new();
        self.set_refs(&w.destinations, Field::Destinations, &mut unverified);
        self.set_refs(&w.destinations_not, Field::DestinationsNot, &mut unverified);
        self.set_refs(&w.origins, Field::Origins, &mut unverified);
        self.set_refs(&w.origins_not, Field::OriginsNot, &mut unverified);
        self.set_refs(&w.codes, Field::Codes, &mut unverified);
        self.set_refs(&w.codes_not, Field::CodesNot, &mut unverified);
        let value_within = self.named(f, self.facts, &w.value_within, "facts table")?;
        let has_fact = self.named(f, self.facts, &w.has_fact, "facts table")?;
        let lacks_fact = self.named(f, self.facts, &w.lacks_fact, "facts table")?;
        let chart = self.named(f, self.charts, &w.chart, "chart")?;
        for (i, name) in [(value_within, &w.value_within), (has_fact, &w.has_fact), (lacks_fact, &w.lacks_fact)] {
            if let (Some(i), Some(n)) = (i, name)
                && let Some(u) = self.unverified("facts", trimmed(n), self.fact_files.get(i).copied())
            {
                unverified.push((Field::Facts, u));
            }
        }
        if let (Some(i), Some(n)) = (chart, &w.chart)
            && let Some(u) = self.unverified("chart", trimmed(n), self.chart_files.get(i).copied())
        {
            unverified.push((Field::Chart, u));
        }
        Ok(Conditions {
            item,
            codes: CodeSet::new(self.codes(f, &w.codes)?),
            codes_not: CodeSet::new(self.codes(f, &w.codes_not)?),
            categories,
            regimes,
            reasons: reasons(&w.reasons)?,
            reasons_not: reasons(&w.reasons_not)?,
            destinations: self.countries(f, &w.destinations)?,
            destinations_not: self.countries(f, &w.destinations_not)?,
            origins: self.countries(f, &w.origins)?,
            origins_not: self.countries(f, &w.origins_not)?,
            end_uses: Self::enums(f, &w.end_uses, EndUse::parse, "end use", &end_use_names)?,
            end_uses_not: Self::enums(f, &w.end_uses_not, EndUse::parse, "end use", &end_use_names)?,
            purposes: Self::enums(f, &w.purposes, Purpose::parse, "purpose", &purpose_names)?,
            purposes_not: Self::enums(f, &w.purposes_not, Purpose::parse, "purpose", &purpose_names)?,
            parties,
            from,
            until,
            value_over: Self::money(f, &w.value_over)?,
            value_at_most: Self::money(f, &w.value_at_most)?,
            value_within,
            has_fact,
            lacks_fact,
            chart,
            unverified,
        })
    }
}

/// A reason for control (`NS1`, `EI`) or a family of them (`NS*`: NS1, NS2 and a bare NS).
pub(super) fn reason_pattern(s: &str) -> bool {
    valid_reason(s.strip_suffix('*').unwrap_or(s))
}

pub(super) fn currency(f: &FileCtx, c: &Spanned<String>) -> Result<String> {
    let s = trimmed(c);
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s.to_owned())
    } else {
        Err(f.at(c, format!("'{s}' is not an ISO 4217 currency code like EUR or USD")))
    }
}

/// The issue date of a primary source (hand-encoded files carry no point in time of their own).
pub(super) fn primary_date(s: &FactSource) -> Option<Date> {
    if s.verified { s.issue_date } else { None }
}

pub(super) fn reason_list(f: &FileCtx, at: &Spanned<toml::Value>, key: &str, a: &[toml::Value]) -> Result<Vec<String>> {
    let mut reasons = Vec::with_capacity(a.len());
    for r in a {
        match r.as_str() {
            Some(r) if valid_reason(r) => reasons.push(r.to_owned()),
            _ => return Err(f.at(at, format!("'{key}': {r} is not a reason like NS1 or AT"))),
        }
    }
    Ok(reasons)
}

pub(super) fn fact_source(f: &FileCtx, s: &RawSource) -> Result<FactSource> {
    let kind = SourceKind::parse(trimmed(&s.kind)).ok_or_else(|| {
        f.at(&s.kind, format!("unknown source kind '{}' ({})", trimmed(&s.kind), SourceKind::names().join(", ")))
    })?;
    let verified = kind == SourceKind::PrimarySource;
    let issue_date = match &s.issue_date {
        Some(d) => Some(day(trimmed(d)).ok_or_else(|| f.at(d, "issue_date must be a date (YYYY-MM-DD)"))?),
        None if verified => return Err(f.at(&s.kind, "a primary source needs its issue_date")),
        None => None,
    };
    if s.document.trim().is_empty() {
        return Err(f.at(&s.kind, "a source needs its document"));
    }
    Ok(FactSource {
        file: f.name.to_owned(),
        document: s.document.trim().to_owned(),
        issue_date,
        url: s.url.clone(),
        kind,
        verified,
        inputs: s.inputs.clone(),
        note: s.note.clone(),
    })
}

pub(super) fn parse_file(f: &FileCtx) -> Result<RawFile> {
    toml::from_str(f.text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        f.err(offset, e.message().trim())
    })
}

pub(super) fn id_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The two letters of a packed country.
pub(crate) fn country_code(c: u16) -> String {
    let a = (b'A' + (c / 26) as u8) as char;
    let b = (b'A' + (c % 26) as u8) as char;
    format!("{a}{b}")
}

/// Whether a reason pattern (`NS1`, or `NS*` for a family) matches a reason the list gives.
pub(crate) fn reason_matches(want: &str, have: &str) -> bool {
    match want.strip_suffix('*') {
        Some(letters) => have.trim_end_matches(|c: char| c.is_ascii_digit()) == letters,
        None => want == have,
    }
}

impl PolicySet {
    /// Parses and cross-checks a complete set of policy and data files; the first error names file and line.
    pub fn parse(sources: &[PolicySource]) -> Result<PolicySet> {
        if sources.is_empty() {
            return Err(Error::new(ErrorCode::InvalidPolicy, "no policy files were given"));
        }
        let mut raws = Vec::with_capacity(sources.len());
        let mut sources_info = Vec::with_capacity(sources.len());
        for s in sources {
            let f = FileCtx { name: &s.name, text: &s.text };
            let raw = parse_file(&f)?;
            sources_info.push(match &raw.source {
                None => FactSource::undeclared(&s.name),
                Some(src) => fact_source(&f, src)?,
            });
            raws.push(raw);
        }
        // Pass 1: sets, charts and facts of every file, so any file may use them.
        let mut sets = Sets::default();
        let mut regions: Vec<String> = Vec::new();
        let mut set_files: HashMap<String, &str> = HashMap::new();
        let mut charts = Vec::new();
        let mut chart_ids = HashMap::new();
        let mut facts = Vec::new();
        let mut fact_ids = HashMap::new();
        let mut fact_files: HashMap<String, &str> = HashMap::new();
        let empty = HashMap::new();
        for (file_ix, (s, raw)) in sources.iter().zip(&raws).enumerate() {
            let f = FileCtx { name: &s.name, text: &s.text };
            for (name, spanned) in &raw.sets {
                let set = spanned.get_ref();
                let first = set.members.first().ok_or_else(|| f.at(spanned, format!("set '{name}' has no members")))?;
                sets.files.insert(name.clone(), file_ix);
                if let Some(other) = set_files.insert(name.clone(), &s.name) {
                    return Err(f.at(first, format!("set '{name}' is also defined in {other}")));
                }
                if set.citation.trim().is_empty() {
                    return Err(f.at(first, format!("set '{name}' needs a citation")));
                }
                if set.members.iter().any(|m| trimmed(m).starts_with('@')) {
                    let m = set.members.iter().find(|m| trimmed(m).starts_with('@')).unwrap_or(first);
                    return Err(f.at(m, "a set lists members, not other sets"));
                }
                let no_sets = Sets::default();
                let c = Compiler {
                    sets: &no_sets,
                    charts: &empty,
                    facts: &empty,
                    chart_files: &[],
                    fact_files: &[],
                    sources: &sources_info,
                };
                if Place::parse(trimmed(first)).is_some() {
                    let countries = c.countries(&f, &set.members)?.unwrap_or_default();
                    regions.extend(countries.regions.iter().map(|(c, r)| format!("{}-{r}", country_code(*c))));
                    sets.countries.insert(name.clone(), countries);
                } else {
                    sets.codes.insert(name.clone(), c.codes(&f, &set.members)?);
                }
            }
            for (name, spanned) in &raw.chart {
                let chart = spanned.get_ref();
                let anchor =
                    chart.columns.first().ok_or_else(|| f.at(spanned, format!("chart '{name}' has no columns")))?;
                if chart.citation.trim().is_empty() {
                    return Err(f.at(spanned, format!("chart '{name}' needs a citation")));
                }
                if chart_ids.insert(name.clone(), charts.len()).is_some() {
                    return Err(f.at(anchor, format!("chart '{name}' is defined twice")));
                }
                if chart.columns.len() > 32 {
                    return Err(f.at(anchor, "a chart has at most 32 columns"));
                }
                let columns: Vec<String> = chart.columns.iter().map(|c| trimmed(c).to_owned()).collect();
                for (i, c) in chart.columns.iter().enumerate() {
                    if !valid_reason(trimmed(c)) || columns[..i].contains(&columns[i]) {
                        return Err(
                            f.at(c, format!("column '{}' is not a reason like NS1, or is repeated", trimmed(c)))
                        );
                    }
                }
                for col in chart.column_citations.keys() {
                    if !columns.contains(col) {
                        return Err(
                            f.at(anchor, format!("citation for '{col}', which is not a column of chart '{name}'"))
                        );
                    }
                }
                let mut rows = HashMap::new();
                for (key, marks) in &chart.rows {
                    let place = Place::parse(key).ok_or_else(|| {
                        f.at(marks, format!("row '{key}' is not an ISO 3166-1 alpha-2 country code or a subdivision"))
                    })?;
                    let mut bits = 0u32;
                    for m in marks.get_ref() {
                        let i = columns
                            .iter()
                            .position(|c| c == trimmed(m))
                            .ok_or_else(|| f.at(m, format!("'{}' is not a column of chart '{name}'", trimmed(m))))?;
                        bits |= 1 << i;
                    }
                    if let Some(r) = &place.region {
                        regions.push(format!("{}-{r}", country_code(place.country)));
                    }
                    rows.insert(place, bits);
                }
                let mut bare_reasons = Vec::new();
                for (bare, column) in &chart.bare_reasons {
                    let i = columns.iter().position(|c| c == trimmed(column)).ok_or_else(|| {
                        f.at(column, format!("'{}' is not a column of chart '{name}'", trimmed(column)))
                    })?;
                    if !valid_reason(bare) || columns.contains(bare) {
                        return Err(f.at(column, format!("'{bare}' is not a reason without a column")));
                    }
                    bare_reasons.push((bare.clone(), i));
                }
                let mut handled_elsewhere = Vec::new();
                for h in &chart.handled_elsewhere {
                    if !valid_reason(trimmed(h)) || columns.iter().any(|c| c == trimmed(h)) {
                        return Err(f.at(h, format!("'{}' is not a reason without a column", trimmed(h))));
                    }
                    handled_elsewhere.push(trimmed(h).to_owned());
                }
                let column_citations = columns
                    .iter()
                    .map(|c| chart.column_citations.get(c).cloned().unwrap_or_else(|| chart.citation.clone()))
                    .collect();
                let mut refer = HashMap::new();
                for (key, text) in &chart.refer {
                    let place = Place::parse(key).ok_or_else(|| {
                        f.at(text, format!("row '{key}' is not an ISO 3166-1 alpha-2 country code or a subdivision"))
                    })?;
                    if rows.contains_key(&place) {
                        return Err(f.at(text, format!("'{key}' has marks and refers elsewhere")));
                    }
                    refer.insert(place, trimmed(text).to_owned());
                }
                charts.push(Chart {
                    name: name.clone(),
                    citation: chart.citation.clone(),
                    columns,
                    column_citations,
                    bare_reasons,
                    handled_elsewhere,
                    rows,
                    refer,
                    source: file_ix,
                    valid_from: primary_date(&sources_info[file_ix]),
                });
            }
            for (name, spanned) in &raw.facts {
                let table = spanned.get_ref();
                if let Some(other) = fact_files.insert(name.clone(), &s.name) {
                    return Err(f.at(spanned, format!("facts '{name}' are also defined in {other}")));
                }
                fact_ids.insert(name.clone(), facts.len());
                if table.citation.trim().is_empty() {
                    return Err(f.at(spanned, format!("facts '{name}' need a citation")));
                }
                let currency = table.currency.as_ref().map(|c| currency(&f, c)).transpose()?;
                let mut values = Vec::with_capacity(table.values.len());
                let mut notes = HashMap::new();
                for (key, value) in &table.values {
                    let code = match CodePattern::parse(key) {
                        Some(CodePattern::Code(c)) => c,
                        _ => return Err(f.at(value, format!("'{key}' is not a control code like 3A001 or 3A001.a.1"))),
                    };
                    let v = match value.get_ref() {
                        toml::Value::Boolean(true) => FactValue::Flag,
                        toml::Value::Integer(n) if *n >= 0 => FactValue::Number(Decimal::from_int(*n)),
                        toml::Value::Float(x) if *x >= 0.0 => match Decimal::from_f64(*x) {
                            Ok(n) => FactValue::Number(n),
                            Err(e) => return Err(f.at(value, format!("'{key}': {e}"))),
                        },
                        toml::Value::Array(a) if a.is_empty() => {
                            return Err(f.at(value, format!("'{key}': an empty list of reasons says nothing")));
                        }
                        toml::Value::Array(a) => FactValue::Reasons(reason_list(&f, value, key, a)?),
                        toml::Value::Table(t) => {
                            if let Some(k) = t.keys().find(|k| !matches!(k.as_str(), "reasons" | "notes")) {
                                return Err(f.at(value, format!("'{key}': unknown field '{k}' (reasons, notes)")));
                            }
                            let Some(toml::Value::Array(a)) = t.get("reasons") else {
                                return Err(f.at(value, format!("'{key}': a table value needs a list of reasons")));
                            };
                            let reasons = reason_list(&f, value, key, a)?;
                            let mut limits = Vec::new();
                            if let Some(n) = t.get("notes") {
                                let Some(n) = n.as_table() else {
                                    return Err(f.at(value, format!("'{key}': notes map reasons to words")));
                                };
                                for (r, words) in n {
                                    match words.as_str() {
                                        Some(w) if reasons.contains(r) => limits.push((r.clone(), w.to_owned())),
                                        _ => {
                                            return Err(f.at(value, format!("'{key}': a note for {r}, which is not among its reasons, or not text")));
                                        }
                                    }
                                }
                            }
                            if !limits.is_empty() {
                                notes.insert(code.clone(), limits);
                            }
                            FactValue::Reasons(reasons)
                        }
                        other => {
                            return Err(f.at(
                                value,
                                format!(
                                    "'{key}': expected true, a non-negative number or a list of reasons, not {other}"
                                ),
                            ));
                        }
                    };
                    values.push((code, v));
                }
                values.sort_by(|a, b| a.0.cmp(&b.0));
                if let Some(w) = values.windows(2).find(|w| w[0].0 == w[1].0) {
                    return Err(f.at(spanned, format!("facts '{name}' give {} twice", w[0].0)));
                }
                let kinds: Vec<std::mem::Discriminant<FactValue>> =
                    values.iter().map(|(_, v)| std::mem::discriminant(v)).collect();
                if kinds.windows(2).any(|w| w[0] != w[1]) {
                    return Err(f.at(spanned, format!("facts '{name}' mix flags, numbers and lists of reasons")));
                }
                facts.push(Facts {
                    name: name.clone(),
                    citation: table.citation.clone(),
                    currency,
                    values,
                    notes,
                    source: file_ix,
                    valid_from: primary_date(&sources_info[file_ix]),
                });
            }
        }
        // Pass 2: the policies.
        let chart_files: Vec<usize> = charts.iter().map(|c: &Chart| c.source).collect();
        let fact_file_ix: Vec<usize> = facts.iter().map(|t: &Facts| t.source).collect();
        let compiler = Compiler {
            sets: &sets,
            charts: &chart_ids,
            facts: &fact_ids,
            chart_files: &chart_files,
            fact_files: &fact_file_ix,
            sources: &sources_info,
        };
        let mut policies: Vec<Policy> = Vec::new();
        let mut coalition = None;
        let mut rule_ids: HashMap<String, String> = HashMap::new();
        for (s, raw) in sources.iter().zip(raws) {
            let f = FileCtx { name: &s.name, text: &s.text };
            let Some(header) = raw.policy else {
                if let Some(r) = raw.rule.first() {
                    return Err(f.at(
                        &r.id,
                        "a file with rules needs a [policy] table (jurisdiction, title, version, effective_date)",
                    ));
                }
                if let Some(a) = raw.authorisation.first() {
                    return Err(f.at(&a.id, "authorisations need a [policy] table"));
                }
                if let Some(o) = raw.ownership.first() {
                    return Err(f.at(&o.id, "ownership rules need a [policy] table"));
                }
                if raw.applies.is_some() {
                    return Err(Error::new(
                        ErrorCode::InvalidPolicy,
                        format!("{}: [applies] needs a [policy] table", s.name),
                    )
                    .with_details(serde_json::json!({ "file": s.name })));
                }
                continue;
            };
            let jurisdiction = trimmed(&header.jurisdiction).to_owned();
            if !matches!(jurisdiction.as_str(), "EU" | "US" | "UK" | "coalition") {
                return Err(f.at(
                    &header.jurisdiction,
                    format!("unknown jurisdiction '{jurisdiction}' (EU, US, UK or coalition)"),
                ));
            }
            if policies.iter().any(|p| p.info.jurisdiction == jurisdiction)
                || (jurisdiction == "coalition" && coalition.is_some())
            {
                return Err(f.at(&header.jurisdiction, format!("a second policy for {jurisdiction}")));
            }
            let Some(effective_date) = day(trimmed(&header.effective_date)) else {
                return Err(f.at(&header.effective_date, "effective_date must be a date (YYYY-MM-DD)"));
            };
            if jurisdiction == "coalition" {
                let refused = if raw.applies.is_some() {
                    Some("[applies]")
                } else if !raw.authorisation.is_empty() {
                    Some("authorisations")
                } else if header.reasons_from.is_some() {
                    Some("reasons_from")
                } else {
                    None
                };
                if let Some(what) = refused {
                    return Err(f.at(&header.jurisdiction, format!("the coalition's red lines take no {what}")));
                }
            }
            let reasons_from = compiler.named(&f, &fact_ids, &header.reasons_from, "facts table")?;
            if let (Some(i), Some(n)) = (reasons_from, &header.reasons_from)
                && !facts[i].values.iter().all(|(_, v)| matches!(v, FactValue::Reasons(_)))
            {
                return Err(f.at(n, format!("facts '{}' are not lists of reasons", trimmed(n))));
            }
            let applies = match raw.applies {
                None => None,
                Some(a) => Some(Applies {
                    origins: compiler.countries(&f, &a.origins)?.unwrap_or_default(),
                    item_origins: compiler.countries(&f, &a.item_origins)?.unwrap_or_default(),
                    why: a.why,
                }),
            };
            let mut rules = Vec::with_capacity(raw.rule.len());
            for r in raw.rule {
                let id = trimmed(&r.id).to_owned();
                if !id_ok(&id) {
                    return Err(f.at(&r.id, format!("rule id '{id}' must be 1-80 letters, digits, '.', '_' or '-'")));
                }
                if let Some(other) = rule_ids.insert(id.clone(), s.name.clone()) {
                    return Err(f.at(&r.id, format!("rule id '{id}' is already used in {other}")));
                }
                let effect = match trimmed(&r.outcome) {
                    "prohibited" => Effect::Prohibited,
                    "licence_required" => Effect::LicenceRequired,
                    other => {
                        return Err(
                            f.at(&r.outcome, format!("unknown outcome '{other}' (prohibited, licence_required)"))
                        );
                    }
                };
                let review = match r.review.as_ref().map(trimmed) {
                    None | Some("standard") => ReviewPath::Standard,
                    Some("enhanced_due_diligence") => ReviewPath::EnhancedDueDiligence,
                    Some(other) => {
                        let at = r.review.as_ref().map_or(r.id.span().start, |s| s.span().start);
                        return Err(f.err(at, format!("unknown review '{other}' (standard, enhanced_due_diligence)")));
                    }
                };
                if r.citation.trim().is_empty() {
                    return Err(f.at(&r.id, format!("rule '{id}' needs a citation of its legal source")));
                }
                let when = compiler.when(&f, &r.when)?;
                if let Some(v) = &r.when.value_within {
                    compiler.numbers(&f, &facts, v)?;
                }
                let per_item = when.about_items();
                rules.push(Rule {
                    id,
                    effect,
                    citation: r.citation,
                    summary: r.summary,
                    review,
                    missing_data: r.missing_data,
                    unverified: r.unverified.filter(|u| !u.trim().is_empty()),
                    when,
                    per_item,
                });
            }
            let mut authorisations: Vec<Authorisation> = Vec::with_capacity(raw.authorisation.len());
            for a in raw.authorisation {
                let id = trimmed(&a.id).to_owned();
                if !id_ok(&id) {
                    return Err(
                        f.at(&a.id, format!("authorisation id '{id}' must be 1-80 letters, digits, '.', '_' or '-'"))
                    );
                }
                if let Some(other) = rule_ids.insert(id.clone(), s.name.clone()) {
                    return Err(f.at(&a.id, format!("id '{id}' is already used in {other}")));
                }
                if a.citation.trim().is_empty() {
                    return Err(f.at(&a.id, format!("authorisation '{id}' needs a citation of its legal source")));
                }
                let mut lifts = Vec::with_capacity(a.lifts.len());
                for l in &a.lifts {
                    let target = rules
                        .iter()
                        .find(|r| r.id == trimmed(l))
                        .ok_or_else(|| f.at(l, format!("'{}' is not a rule of this policy", trimmed(l))))?;
                    if target.effect != Effect::LicenceRequired {
                        return Err(f.at(l, format!("rule '{}' prohibits; no authorisation can lift it", target.id)));
                    }
                    if target.missing_data {
                        return Err(f.at(
                            l,
                            format!("rule '{}' stands in for missing data; no authorisation can lift it", target.id),
                        ));
                    }
                    lifts.push(target.id.clone());
                }
                if lifts.is_empty() {
                    return Err(f.at(&a.id, format!("authorisation '{id}' lifts no rule")));
                }
                let columns: Vec<&str> = lifts
                    .iter()
                    .filter_map(|l| rules.iter().find(|r| &r.id == l).and_then(|r| r.when.chart))
                    .flat_map(|c| charts[c].columns.iter().map(String::as_str))
                    .collect();
                let mut lifts_reasons = Vec::with_capacity(a.lifts_reasons.len());
                for r in &a.lifts_reasons {
                    let want = trimmed(r);
                    if !reason_pattern(want) || !columns.iter().any(|c| reason_matches(want, c)) {
                        return Err(f.at(r, format!("'{want}' names no column of the charts this authorisation lifts")));
                    }
                    lifts_reasons.push(want.to_owned());
                }
                if let Some(v) = &a.when.value_within {
                    compiler.numbers(&f, &facts, v)?;
                }
                authorisations.push(Authorisation {
                    id,
                    name: a.name,
                    citation: a.citation,
                    lifts,
                    lifts_reasons,
                    unverified: a.unverified.filter(|u| !u.trim().is_empty()),
                    when: compiler.when(&f, &a.when)?,
                    obligations: a.obligations,
                });
            }
            let mut ownership = Vec::with_capacity(raw.ownership.len());
            for o in raw.ownership {
                let id = trimmed(&o.id).to_owned();
                if !id_ok(&id) {
                    return Err(
                        f.at(&o.id, format!("ownership rule id '{id}' must be 1-80 letters, digits, '.', '_' or '-'"))
                    );
                }
                if let Some(other) = rule_ids.insert(id.clone(), s.name.clone()) {
                    return Err(f.at(&o.id, format!("id '{id}' is already used in {other}")));
                }
                if o.citation.trim().is_empty() || o.effect.trim().is_empty() {
                    return Err(f.at(
                        &o.id,
                        format!("ownership rule '{id}' needs its effect and a citation of its legal source"),
                    ));
                }
                if o.owners.lists.is_empty() || !o.owners.programs.is_empty() || !o.owners.roles.is_empty() {
                    return Err(f.at(
                        &o.id,
                        format!("ownership rule '{id}': owners names the lists (and id_prefixes) whose parties count"),
                    ));
                }
                let threshold = *o.threshold_percent.get_ref();
                if !(threshold > 0.0 && threshold <= 100.0) {
                    return Err(f.at(&o.threshold_percent, "threshold_percent is more than 0 and at most 100"));
                }
                let control = accord_core::ownership::ControlEffect::parse(trimmed(&o.control)).ok_or_else(|| {
                    let names = accord_core::ownership::ControlEffect::names().join(", ");
                    f.at(&o.control, format!("control must be one of {names}"))
                })?;
                let mut suspensions = Vec::with_capacity(o.suspended.len());
                for x in o.suspended {
                    let from = Compiler::date(&f, &Some(x.from.clone()))?.unwrap_or_default();
                    let through = Compiler::date(&f, &Some(x.through.clone()))?.unwrap_or_default();
                    if through < from {
                        return Err(f.at(&x.through, "a suspension ends on or after the day it begins"));
                    }
                    suspensions.push(accord_core::ownership::Suspension {
                        from,
                        through,
                        citation: x.citation,
                        unverified: x.unverified.filter(|u| !u.trim().is_empty()),
                    });
                }
                ownership.push(accord_core::ownership::OwnershipRule {
                    id,
                    jurisdiction: jurisdiction.clone(),
                    effect: o.effect,
                    owner_lists: o.owners.lists,
                    owner_id_prefixes: o.owners.id_prefixes,
                    threshold_percent: threshold,
                    at_least: o.at_least,
                    aggregate: o.aggregate,
                    control,
                    in_force_from: Compiler::date(&f, &o.in_force_from)?,
                    suspensions,
                    citation: o.citation,
                    unverified: o.unverified.filter(|u| !u.trim().is_empty()),
                });
            }
            let info = PolicyInfo {
                jurisdiction: jurisdiction.clone(),
                file: s.name.clone(),
                title: header.title,
                version: header.version,
                effective_date,
                rules: rules.len(),
                authorisations: authorisations.len(),
            };
            let policy = Policy { info, applies, reasons_from, rules, authorisations, ownership };
            if jurisdiction == "coalition" {
                coalition = Some(policy);
            } else {
                policies.push(policy);
            }
        }
        if policies.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidPolicy,
                "no jurisdiction policy among the files (a [policy] table with jurisdiction EU, US or UK)",
            ));
        }
        if coalition.is_none() {
            return Err(Error::new(
                ErrorCode::InvalidPolicy,
                "no coalition policy among the files (a [policy] table with jurisdiction = \"coalition\"): the red lines may not go missing",
            ));
        }
        policies.sort_by(|a, b| a.info.jurisdiction.cmp(&b.info.jurisdiction));
        regions.sort();
        regions.dedup();
        let mut labels: Vec<String> =
            policies.iter().chain(&coalition).map(|p| format!("{}@{}", p.info.file, p.info.version)).collect();
        labels.sort();
        let versions_label = labels.join(",");
        Ok(PolicySet { policies, coalition, charts, facts, regions, sources: sources_info, versions_label })
    }

    /// Every ownership rule of the policies, jurisdiction by jurisdiction.
    pub fn ownership_rules(&self) -> Vec<&accord_core::ownership::OwnershipRule> {
        self.policies.iter().chain(&self.coalition).flat_map(|p| &p.ownership).collect()
    }

    /// The loaded policies: every jurisdiction's, then the coalition's.
    pub fn info(&self) -> Vec<PolicyInfo> {
        self.policies.iter().chain(&self.coalition).map(|p| p.info.clone()).collect()
    }

    /// The jurisdictions with a policy (`EU`, `US` …).
    pub fn jurisdictions(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.info.jurisdiction.as_str()).collect()
    }

    /// Where each file's facts come from, and whether they are verified against a primary source.
    pub fn sources(&self) -> &[FactSource] {
        &self.sources
    }

    /// The latest effective date of any loaded policy file.
    pub fn latest_effective_date(&self) -> Option<Date> {
        self.policies.iter().chain(&self.coalition).map(|p| p.info.effective_date).max()
    }
}

/// The project's own policy and data files, built into the binary (the `policies/` folder of the repository).
pub fn builtin_policies() -> Vec<PolicySource> {
    macro_rules! file {
        ($name:literal) => {
            PolicySource {
                name: $name.to_owned(),
                text: include_str!(concat!("../../../../policies/", $name)).to_owned(),
            }
        };
    }
    vec![
        file!("coalition.toml"),
        file!("eu.toml"),
        file!("us.toml"),
        file!("data/eu-sets.toml"),
        file!("data/us-ecfr-ccl.toml"),
        file!("data/us-ecfr-chart.toml"),
        file!("data/us-ecfr-country-groups.toml"),
        file!("data/us-hand-sets.toml"),
    ]
}
