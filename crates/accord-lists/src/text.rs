//! Small text helpers: slugs, date extraction, script tests and multi-value cells.

use accord_core::listed::{ListedEntity, NameKind};

/// Lower-case slug: runs of anything but letters and digits become one `-`, none at either end.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// Whether a letter belongs to a script other than Latin.
fn non_latin_letter(c: char) -> bool {
    c.is_alphabetic() && c > '\u{024f}' && !('\u{1e00}'..='\u{1eff}').contains(&c)
}

/// Whether most letters of `s` are in a script other than Latin (Cyrillic, Arabic, CJK …).
pub(crate) fn mostly_non_latin(s: &str) -> bool {
    let (mut other, mut latin) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if non_latin_letter(c) {
            other += 1;
        } else {
            latin += 1;
        }
    }
    other > latin
}

/// Adds a name and, when it holds parenthesised original-script forms (`Dmitry KOZAK (Дмитрий КОЗАК)`),
/// those forms as original-script names and the name without them as an alias.
pub(crate) fn add_name_with_script_forms(e: &mut ListedEntity, name: &str, kind: NameKind) {
    let name = name.trim();
    if name.is_empty() {
        return;
    }
    e.add_name(name, kind);
    let mut stripped = String::new();
    let mut found = false;
    let mut rest = name;
    while let Some(open) = rest.find('(') {
        let Some(len) = matching_paren(&rest[open..]) else { break };
        let inner = &rest[open + 1..open + len];
        if mostly_non_latin(inner) && !mostly_non_latin(name) {
            e.add_name(inner, NameKind::OriginalScript);
            stripped.push_str(&rest[..open]);
            found = true;
        } else {
            stripped.push_str(&rest[..open + len + 1]);
        }
        rest = &rest[open + len + 1..];
    }
    stripped.push_str(rest);
    if found {
        let stripped = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
        e.add_name(&stripped, if kind == NameKind::Primary { NameKind::Alias } else { kind });
    }
}

/// The byte length up to the `)` closing the `(` that `s` starts with.
fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits a `;`-separated cell in which a value may be double-quoted (`"Foo; Bar"; Baz`); values trimmed,
/// empty ones dropped.
pub(crate) fn split_multi(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            ';' if !quoted => {
                push_trimmed(&mut out, &cur);
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    push_trimmed(&mut out, &cur);
    out
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
}

/// The month number of an English month name or abbreviation (`Jan`, `Sept.`, `December`).
fn month(token: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let t = token.trim_end_matches('.').to_ascii_lowercase();
    NAMES
        .iter()
        .position(|m| *m == t || (t.len() == 3 && m.starts_with(&t)) || (t == "sept" && *m == "september"))
        .map(|i| i as u32 + 1)
}

/// A plausible four-digit year.
fn year(token: &str) -> Option<u32> {
    let t = token.trim_end_matches('.');
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: u32 = t.parse().ok()?;
        (1800..=2100).contains(&y).then_some(y)
    } else {
        None
    }
}

fn day(token: &str) -> Option<u32> {
    let t = token.trim_end_matches('.');
    if (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        let d: u32 = t.parse().ok()?;
        (1..=31).contains(&d).then_some(d)
    } else {
        None
    }
}

/// `YYYY-MM-DD` when the day exists in that month.
fn ymd(y: u32, m: u32, d: u32) -> Option<String> {
    let date = jiff::civil::Date::new(i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()?;
    Some(format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()))
}

/// A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` prefix of an ISO date (FollowTheMoney and UN dates).
pub(crate) fn iso_date_prefix(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !digits(0..4) || b.get(4).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let y = year(&s[..4])?;
    if b.get(4) == Some(&b'-') && digits(5..7) && !b.get(7).is_some_and(u8::is_ascii_digit) {
        let m: u32 = s[5..7].parse().ok()?;
        if !(1..=12).contains(&m) {
            return Some(format!("{y:04}"));
        }
        if b.get(7) == Some(&b'-') && digits(8..10) && !b.get(10).is_some_and(u8::is_ascii_digit) {
            let d: u32 = s[8..10].parse().ok()?;
            return Some(ymd(y, m, d).unwrap_or_else(|| format!("{y:04}-{m:02}")));
        }
        return Some(format!("{y:04}-{m:02}"));
    }
    Some(format!("{y:04}"))
}

/// One calendar day as `YYYY-MM-DD` from a date cell in the ISO (`2011-02-28`, with or without a time),
/// dotted (`28.2.2011`) or worded (`2 December 1985`, `26 Feb. 2011`) shapes; `None` for a partial date
/// (`2011`, `2011-02`), a day that does not exist, several dates or none.
pub(crate) fn calendar_day(s: &str) -> Option<jiff::civil::Date> {
    let day = match iso_date_prefix(s) {
        Some(d) => d,
        None => match extract_dates(s).as_slice() {
            [d] => d.clone(),
            _ => return None,
        },
    };
    if day.len() == 10 { day.parse().ok() } else { None }
}

/// Every date in free text, normalised to `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: `7.2.1956`, `1958-02-22`,
/// `2 December 1985`, `4 Apr. 1944`, `Mar 1960`, `1966`; a `1979-1982` span gives its years.
pub(crate) fn extract_dates(text: &str) -> Vec<String> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']'))
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].trim_end_matches('.');
        let next = tokens.get(i + 1).copied().unwrap_or("");
        let after = tokens.get(i + 2).copied().unwrap_or("");
        if let Some(d) = dotted(t) {
            out.push(d);
        } else if let Some(d) = iso_date_prefix(t).filter(|_| t.len() == 4 || t.len() == 7 || t.len() == 10) {
            out.push(d);
        } else if let Some((a, b)) = year_span(t) {
            expand_range(&a.to_string(), &b.to_string(), &mut out);
        } else if let (Some(d), Some(m), Some(y)) = (day(t), month(next), year(after)) {
            out.extend(ymd(y, m, d));
            i += 2;
        } else if let (Some(m), Some(y)) = (month(t), year(next)) {
            out.push(format!("{y:04}-{m:02}"));
            i += 1;
        }
        i += 1;
    }
    out
}

/// `d.m.yyyy` as an ISO date.
fn dotted(t: &str) -> Option<String> {
    let mut parts = t.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    ymd(year(y)?, day(m)?, day(d)?)
}

/// `1979-1982` as two years.
fn year_span(t: &str) -> Option<(u32, u32)> {
    let (a, b) = t.split_once('-')?;
    Some((year(a)?, year(b)?))
}

/// Pushes the dates of a range: every year when it spans two to ten years, else both ends as given.
pub(crate) fn expand_range(from: &str, to: &str, out: &mut Vec<String>) {
    let y = |s: &str| s.get(..4).and_then(|p| p.parse::<u32>().ok());
    match (y(from), y(to)) {
        (Some(a), Some(b)) if b > a && b - a <= 10 => out.extend((a..=b).map(|y| format!("{y:04}"))),
        _ => {
            out.push(from.to_owned());
            out.push(to.to_owned());
        }
    }
}

/// Dates in an OFAC `DOB …` value: `01 Jan 1970`, `circa 1955`, `1960 to 1962`, `Mar 1960 to Mar 1962`.
pub(crate) fn ofac_dates(value: &str) -> Vec<String> {
    if let Some((a, b)) = value.split_once(" to ") {
        let (from, to) = (extract_dates(a), extract_dates(b));
        if let (Some(from), Some(to)) = (from.first(), to.first()) {
            let mut out = Vec::new();
            expand_range(from, to, &mut out);
            return out;
        }
    }
    extract_dates(value)
}

/// US `MM/DD/YYYY` as `YYYY-MM-DD`.
pub(crate) fn us_date(s: &str) -> Option<String> {
    let mut parts = s.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    ymd(year(y)?, day(m)?, day(d)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::listed::EntityKind;

    #[test]
    fn slugs_are_lower_case_and_dash_separated() {
        assert_eq!(slug(" ADRIAN MANUEL HERNANDEZ"), "adrian-manuel-hernandez");
        assert_eq!(slug("AL-NASER  AIRLINES"), "al-naser-airlines");
        assert_eq!(slug("(SEAN) NAGHIBI"), "sean-naghibi");
        assert_eq!(slug("ОАО «Сириус»"), "оао-сириус");
    }

    #[test]
    fn dates_are_found_in_the_shapes_the_lists_use() {
        assert_eq!(extract_dates("7.2.1956"), ["1956-02-07"]);
        assert_eq!(extract_dates("18.1.1970 or 29.3.1965"), ["1970-01-18", "1965-03-29"]);
        assert_eq!(extract_dates("19.2.1968; 1965 or 1966"), ["1968-02-19", "1965", "1966"]);
        assert_eq!(extract_dates("2 December 1985"), ["1985-12-02"]);
        assert_eq!(extract_dates("4 Apr. 1944"), ["1944-04-04"]);
        assert_eq!(extract_dates("Approximately 1952"), ["1952"]);
        assert_eq!(extract_dates("1958-02-22"), ["1958-02-22"]);
        assert_eq!(extract_dates("circa 1979-1982"), ["1979", "1980", "1981", "1982"]);
        assert_eq!(extract_dates("Building 18, 119435 Moscow"), Vec::<String>::new());
        assert_eq!(extract_dates("31.2.1950"), Vec::<String>::new());
        assert_eq!(extract_dates("29 Feb 1952"), ["1952-02-29"]);
    }

    #[test]
    fn ofac_date_ranges_expand_to_their_years() {
        assert_eq!(ofac_dates("10 Dec 1948"), ["1948-12-10"]);
        assert_eq!(ofac_dates("circa 1955"), ["1955"]);
        assert_eq!(ofac_dates("1960 to 1962"), ["1960", "1961", "1962"]);
        assert_eq!(ofac_dates("26 Sep 1946 to 07 Dec 1946"), ["1946-09-26", "1946-12-07"]);
        assert_eq!(ofac_dates("Mar 1960"), ["1960-03"]);
    }

    #[test]
    fn iso_prefixes_and_us_dates_are_normalised() {
        assert_eq!(iso_date_prefix("1978-04-28").as_deref(), Some("1978-04-28"));
        assert_eq!(iso_date_prefix("2020-01-01T10:00:00").as_deref(), Some("2020-01-01"));
        assert_eq!(iso_date_prefix("1971").as_deref(), Some("1971"));
        assert_eq!(iso_date_prefix("19711").as_deref(), None);
        assert_eq!(us_date("10/16/2017").as_deref(), Some("2017-10-16"));
        assert_eq!(us_date("16/10/2017"), None);
    }

    #[test]
    fn calendar_days_are_read_in_the_shapes_listing_dates_come_in() {
        assert_eq!(calendar_day("2017-10-16").map(|d| d.to_string()).as_deref(), Some("2017-10-16"));
        assert_eq!(calendar_day("2001-01-25-05:00").map(|d| d.to_string()).as_deref(), Some("2001-01-25"));
        assert_eq!(calendar_day("2020-01-01T10:00:00").map(|d| d.to_string()).as_deref(), Some("2020-01-01"));
        assert_eq!(calendar_day("12.9.2014").map(|d| d.to_string()).as_deref(), Some("2014-09-12"));
        assert_eq!(calendar_day(" 2 December 1985 ").map(|d| d.to_string()).as_deref(), Some("1985-12-02"));
        assert_eq!(calendar_day("26 Feb. 2011").map(|d| d.to_string()).as_deref(), Some("2011-02-26"));
    }

    #[test]
    fn partial_impossible_or_ambiguous_dates_are_not_calendar_days() {
        for s in ["", "2011", "2011-02", "2019-02-30", "2019-13-01", "30.2.2014", "Mar 1960", "1.2.2014 or 3.4.2015"] {
            assert_eq!(calendar_day(s), None, "{s:?}");
        }
    }

    #[test]
    fn quoted_multi_values_keep_their_semicolons() {
        assert_eq!(split_multi("\"Foo; Bar\"; Baz"), ["Foo; Bar", "Baz"]);
        assert_eq!(split_multi("a; ; b;"), ["a", "b"]);
        assert_eq!(split_multi("say \"hi\"; x"), ["say \"hi\"", "x"]);
        assert_eq!(split_multi("\"He said \"\"no\"\"\""), ["He said \"no\""]);
    }

    #[test]
    fn parenthesised_original_script_becomes_its_own_name() {
        let primary = "Dmitry Nikolayevich KOZAK (Дмитрий Николаевич КОЗАК)";
        let mut e = ListedEntity::new("l", "1", EntityKind::Person, primary);
        add_name_with_script_forms(&mut e, primary, NameKind::Primary);
        add_name_with_script_forms(&mut e, "Sergei AKSENOV (Сергей АКСЁНОВ)", NameKind::Alias);
        let names: Vec<_> = e.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                (primary, NameKind::Primary),
                ("Дмитрий Николаевич КОЗАК", NameKind::OriginalScript),
                ("Dmitry Nikolayevich KOZAK", NameKind::Alias),
                ("Sergei AKSENOV (Сергей АКСЁНОВ)", NameKind::Alias),
                ("Сергей АКСЁНОВ", NameKind::OriginalScript),
                ("Sergei AKSENOV", NameKind::Alias),
            ]
        );
        let mut f = ListedEntity::new("l", "2", EntityKind::Organization, "x");
        add_name_with_script_forms(&mut f, "Foreign Intelligence Service (SVR)", NameKind::Alias);
        assert_eq!(f.names.len(), 2);
    }
}
