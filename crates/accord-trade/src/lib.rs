//! Official trade statistics, read strictly: Eurostat Comext extracts (what EU member states report exporting, in
//! euro), partner countries' national statistics (what they report importing, in thousand US dollars) and the
//! exchange rates that put both in euro. [`read_files`] takes a set of files, recognises each by its header, and
//! refuses the whole set when a row is bad, naming each bad row's file and line. [`indicators`] computes the
//! early-warning indicators over a set. [`declarations`] reads export declarations and computes the indicators over
//! them; [`generate`] makes declarations with known patterns injected, to measure those indicators.

use accord_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub mod declarations;
pub mod generate;
pub mod indicators;
pub mod parquet;
pub mod patterns;

/// The reporter code Comext gives the 27 member states together.
pub const EU27: &str = "EU27_2020";

/// The 27 member states as Comext codes them (Greece is `GR`).
pub const EU_MEMBERS: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// A month (`2022-06`) or a whole year (`2022`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12; 0 for the whole year.
    pub month: u8,
}

impl Period {
    /// Reads `YYYY-MM` or `YYYY`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (y, m) = match s.split_once('-') {
            Some((y, m)) if m.len() == 2 => (y, m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            Some(_) => return None,
            None => (s, 0),
        };
        let year = y.parse::<i32>().ok().filter(|y| y.to_string().len() == 4 && (1900..=2200).contains(y))?;
        Some(Period { year, month: m })
    }

    /// Whether it is a whole year.
    pub fn is_year(self) -> bool {
        self.month == 0
    }

    /// The month after this one.
    pub fn next_month(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { month: self.month + 1, ..self }
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_year() { write!(f, "{}", self.year) } else { write!(f, "{}-{:02}", self.year, self.month) }
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Period, String> {
        Period::parse(&s).ok_or_else(|| format!("'{s}' is not a period (YYYY-MM or YYYY)"))
    }
}

accord_core::named_enum! {
    /// Which way the goods went, from the reporter's side.
    Flow {
        /// The reporter exported to the partner.
        Export = "export",
        /// The reporter imported from the partner.
        Import = "import",
    }
}

accord_core::named_enum! {
    /// What a value is counted in.
    Unit {
        /// Euro.
        Eur = "eur",
        /// Thousand US dollars.
        UsdThousand = "usd_thousand",
    }
}

/// One value of official trade statistics: what a reporter declared trading with a partner in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Observation {
    /// The reporting country (ISO alpha-2 as the source codes it) or `EU27_2020`.
    pub reporter: String,
    /// The partner: ISO alpha-2 where the source or this reader knows it, else the source's label.
    pub partner: String,
    /// The month or year.
    #[schema(value_type = String, example = "2022-06")]
    pub period: Period,
    /// Export or import, from the reporter's side.
    pub flow: Flow,
    /// The value, nominal.
    pub value: f64,
    /// What it is counted in.
    pub unit: Unit,
}

/// One file of a set, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    /// The file's name.
    pub name: String,
    /// What it holds: `comext`, `national` or `fx`.
    pub kind: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Rows read.
    pub rows: usize,
    /// Rows left aside on purpose (aggregates not used, an import view not used), with why.
    pub skipped: usize,
}

/// A set of trade statistics: the observations of every file, and the yearly USD per EUR rates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TradeSet {
    /// Each file read.
    pub files: Vec<FileInfo>,
    /// Every observation, in file order.
    pub observations: Vec<Observation>,
    /// US dollars per euro, yearly average, by year.
    pub usd_per_eur: BTreeMap<i32, f64>,
}

/// One file given to [`read_files`].
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Its name (for messages).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The CSV files of a folder (sorted by name), or the one file `path` names, ready for [`read_files`].
pub fn source_files(path: &std::path::Path) -> std::io::Result<Vec<SourceFile>> {
    let paths: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut all: Vec<_> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
            .collect();
        all.sort();
        all
    } else {
        vec![path.to_path_buf()]
    };
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Ok(SourceFile { name, bytes: std::fs::read(&p)? })
        })
        .collect()
}

/// Most bad rows named in one error.
const MAX_REPORTED: usize = 50;

/// The partners of the Comext extracts, by their Comext label.
const PARTNER_LABELS: [(&str, &str); 6] = [
    ("Armenia", "AM"),
    ("Georgia", "GE"),
    ("Kazakhstan", "KZ"),
    ("Kyrgyzstan", "KG"),
    ("Russian Federation (Russia)", "RU"),
    ("Uzbekistan", "UZ"),
];

/// The reporting countries of the national statistics, by their name.
const REPORTERS: [(&str, &str); 4] =
    [("Armenia", "AM"), ("Kazakhstan", "KZ"), ("Kyrgyzstan", "KG"), ("Uzbekistan", "UZ")];

/// Reads a set of files, each recognised by its header. One bad row anywhere refuses the whole set, with every bad
/// row named by file and line (`malformed_file`); a file of no known shape is refused naming its header.
pub fn read_files(files: &[SourceFile]) -> Result<TradeSet> {
    let mut set = TradeSet::default();
    let mut bad: Vec<String> = Vec::new();
    let mut fx: BTreeMap<i32, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for f in files {
        let mut reader = csv::ReaderBuilder::new().from_reader(f.bytes.as_slice());
        let header = reader
            .headers()
            .map_err(|e| malformed(&f.name, format!("the header cannot be read: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect::<Vec<String>>();
        let col = |name: &str| header.iter().position(|h| h == name);
        let kind = if col("value_eur").is_some() && col("reporter_code").is_some() {
            "comext"
        } else if col("value_usd_thousand").is_some() {
            "national"
        } else if col("kgs_per_unit").is_some() {
            "fx"
        } else {
            return Err(malformed(&f.name, format!("a file of no known shape (header: {})", header.join(","))));
        };
        let mut info = FileInfo {
            name: f.name.clone(),
            kind: kind.to_owned(),
            sha256: hex(&Sha256::digest(&f.bytes)),
            rows: 0,
            skipped: 0,
        };
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let fail = |bad: &mut Vec<String>, why: String| bad.push(format!("{}:{line}: {why}", f.name));
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    fail(&mut bad, format!("not a CSV row: {e}"));
                    continue;
                }
            };
            let row = Row { header: &header, record: &record };
            info.rows += 1;
            let row = match kind {
                "comext" => comext_row(&row),
                "national" => national_row(&row),
                _ => fx_row(&row, &mut fx).map(|()| None),
            };
            match row {
                Ok(Some(o)) => set.observations.push(o),
                Ok(None) => info.skipped += 1,
                Err(why) => fail(&mut bad, why),
            }
        }
        set.files.push(info);
    }
    if !bad.is_empty() {
        let total = bad.len();
        bad.truncate(MAX_REPORTED);
        return Err(Error::new(
            ErrorCode::MalformedFile,
            format!("{total} bad rows; nothing was imported: {}", bad.join("; ")),
        )
        .with_details(serde_json::json!({ "bad_rows": total, "rows": bad })));
    }
    set.usd_per_eur = fx.into_iter().filter_map(|(y, (usd, eur))| Some((y, eur? / usd?))).collect();
    Ok(set)
}

/// One CSV row, read by column name.
struct Row<'a> {
    header: &'a [String],
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed value of a column, empty when the file has no such column.
    fn get(&self, name: &str) -> &str {
        self.header.iter().position(|h| h == name).and_then(|c| self.record.get(c)).map(str::trim).unwrap_or_default()
    }
}

fn malformed(file: &str, why: String) -> Error {
    Error::new(ErrorCode::MalformedFile, format!("{file}: {why}")).with_details(serde_json::json!({ "file": file }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn period_of(s: &str) -> std::result::Result<Period, String> {
    Period::parse(s).ok_or_else(|| format!("period '{s}' is not YYYY-MM or YYYY"))
}

fn value_of(s: &str) -> std::result::Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("value '{s}' is not a number of zero or more"))
}

fn flow_of(s: &str) -> std::result::Result<Flow, String> {
    Flow::parse(s).ok_or_else(|| format!("flow '{s}' is not export or import"))
}

/// A Comext row: `reporter_code`, `partner_code` (or the partner's label), `period`, `flow`, `value_eur`. Rows of a
/// product other than the total are refused: the indicators here are at total level.
fn comext_row(row: &Row) -> std::result::Result<Option<Observation>, String> {
    let reporter = row.get("reporter_code");
    if reporter.is_empty() {
        return Err("reporter_code is empty".into());
    }
    let product = row.get("product_code");
    if !product.is_empty() && product != "TOTAL" {
        return Err(format!("product '{product}': only all-product totals are read"));
    }
    let partner = match row.get("partner_code") {
        "" => {
            let label = row.get("partner");
            PARTNER_LABELS.iter().find(|(l, _)| *l == label).map_or(label, |(_, c)| c).to_owned()
        }
        code => code.to_owned(),
    };
    if partner.is_empty() {
        return Err("the partner is empty".into());
    }
    Ok(Some(Observation {
        reporter: reporter.to_owned(),
        partner,
        period: period_of(row.get("period"))?,
        flow: flow_of(row.get("flow"))?,
        value: value_of(row.get("value_eur"))?,
        unit: Unit::Eur,
    }))
}

/// A national-statistics row: the reporter's name, the partner (its Comext code when an EU member state), `period`,
/// `flow`, `value_usd_thousand`. Armenia's imports by country of origin are left aside: the mirror is taken by
/// country of consignment, as the EU reports its exports.
fn national_row(row: &Row) -> std::result::Result<Option<Observation>, String> {
    let name = row.get("reporter");
    let reporter = REPORTERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .ok_or_else(|| format!("reporter '{name}' is not one of Armenia, Kazakhstan, Kyrgyzstan, Uzbekistan"))?;
    if row.get("source_column") == "import_origin" {
        return Ok(None);
    }
    let partner = match row.get("partner_eu_code") {
        "" => row.get("partner").to_owned(),
        code => code.to_owned(),
    };
    Ok(Some(Observation {
        reporter: reporter.to_owned(),
        partner,
        period: period_of(row.get("period"))?,
        flow: flow_of(row.get("flow"))?,
        value: value_of(row.get("value_usd_thousand"))?,
        unit: Unit::UsdThousand,
    }))
}

/// An exchange-rate row: som per unit of a currency, yearly average or end of period. Only the yearly averages of
/// the dollar and the euro are kept.
fn fx_row(row: &Row, fx: &mut BTreeMap<i32, (Option<f64>, Option<f64>)>) -> std::result::Result<(), String> {
    let period = period_of(row.get("period"))?;
    let rate = value_of(row.get("kgs_per_unit"))?;
    if !period.is_year() || row.get("basis") != "average" {
        return Ok(());
    }
    let entry = fx.entry(period.year).or_default();
    match row.get("currency") {
        "US $" => entry.0 = Some(rate),
        "Euro" => entry.1 = Some(rate),
        _ => {}
    }
    Ok(())
}

impl TradeSet {
    /// The value a reporter declared for a partner, flow and period, in euro (thousand US dollars converted at the
    /// year's average rate); `None` when not reported or when no rate is known for the year.
    pub fn value_eur(&self, o: &Observation) -> Option<f64> {
        match o.unit {
            Unit::Eur => Some(o.value),
            Unit::UsdThousand => self.usd_per_eur.get(&o.period.year).map(|r| o.value * 1000.0 / r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile { name: name.into(), bytes: text.as_bytes().to_vec() }
    }

    const COMEXT: &str = "reporter,partner,product_code,product_label,period,flow,value_eur,reporter_code,partner_code\n\
        Austria,Kyrgyzstan,TOTAL,Total,2019-01,export,612124,AT,KG\n\
        \"European Union - 27 countries (AT, BE)\",Kyrgyzstan,TOTAL,Total,2019-01,export,1000,EU27_2020,KG\n";

    #[test]
    fn periods_are_months_or_years_and_nothing_else() {
        assert_eq!(Period::parse("2022-06"), Some(Period { year: 2022, month: 6 }));
        assert_eq!(Period::parse("2022").map(|p| p.is_year()), Some(true));
        for bad in ["2022-13", "22-06", "2022-6", "June 2022", "", "2022-00"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::parse("2022-12").unwrap().next_month().to_string(), "2023-01");
    }

    #[test]
    fn files_are_recognised_by_their_header_and_dollars_are_put_in_euro_at_the_years_rate() {
        let national = "reporter,partner,period,flow,value_usd_thousand,partner_eu_code,partner_ru\n\
            Kyrgyzstan,Germany,2022,import,112,DE,Германия\n";
        let fx = "currency,period,basis,kgs_per_unit\nUS $,2022,average,80\nEuro,2022,average,88\nEuro,2022,end_of_period,90\n";
        let set = read_files(&[file("eu.csv", COMEXT), file("kg.csv", national), file("fx.csv", fx)]).unwrap();
        let kinds: Vec<&str> = set.files.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["comext", "national", "fx"]);
        assert_eq!(set.observations.len(), 3);
        let de = &set.observations[2];
        assert_eq!((de.reporter.as_str(), de.partner.as_str(), de.unit), ("KG", "DE", Unit::UsdThousand));
        let eur = set.value_eur(de).unwrap();
        assert!((eur - 112_000.0 / 1.1).abs() < 1e-6, "{eur}");
    }

    #[test]
    fn one_bad_row_refuses_the_set_naming_every_bad_row_by_file_and_line() {
        let bad = format!(
            "{COMEXT}Belgium,Kyrgyzstan,TOTAL,Total,2019-13,export,5,BE,KG\nFrance,Kyrgyzstan,TOTAL,Total,2019-02,export,-3,FR,KG\n"
        );
        let e = read_files(&[file("eu.csv", &bad)]).unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedFile);
        assert!(
            e.message.contains("eu.csv:4: period '2019-13'") && e.message.contains("eu.csv:5: value '-3'"),
            "{}",
            e.message
        );
        let unknown = read_files(&[file("x.csv", "a,b\n1,2\n")]).unwrap_err();
        assert!(unknown.message.contains("no known shape"), "{}", unknown.message);
        let product = COMEXT.replace(",TOTAL,Total,2019-01,export,1000", ",8471,Computers,2019-01,export,1000");
        assert!(read_files(&[file("p.csv", &product)]).unwrap_err().message.contains("only all-product totals"));
    }
}
