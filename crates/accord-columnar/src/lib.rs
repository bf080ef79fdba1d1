//! The columnar engine of the declaration indicators. The database stays the record of accepted declarations
//! (duplicates, conflicts, audit); beside it each import is copied once into a Parquet file, and DuckDB, loaded at
//! run time, computes the indicators over those files with the same rules as `accord_trade::declarations` — the
//! findings are built by the same functions, so both paths say the same thing in the same words.

#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub mod duckdb;

use accord_core::{Error, Result};
use accord_trade::declarations::{Declaration, DeclarationSettings, Finding};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// The engine: the DuckDB library and the folder of the Parquet copies.
#[derive(Clone)]
pub struct Columnar {
    library: duckdb::Library,
    dir: PathBuf,
}

fn engine_error(what: &str) -> impl Fn(String) -> Error + '_ {
    move |e| Error::internal(format!("the columnar engine cannot {what}: {e}"))
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::internal(format!("the columnar copy {}: {e}", path.display()))
}

/// A path as an SQL string literal.
fn literal(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "''"))
}

/// Removes the part files a process stopped mid-copy left behind a day or more ago (younger ones may be another
/// process's copy in progress).
fn remove_stale_parts(dir: &Path) {
    let day = std::time::Duration::from_secs(86_400);
    let folders = std::fs::read_dir(dir).into_iter().flatten().flatten().filter(|e| e.path().is_dir());
    for entry in folders.flat_map(|f| std::fs::read_dir(f.path()).into_iter().flatten().flatten()) {
        let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
        if stale && entry.file_name().to_string_lossy().ends_with(".part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The columns a declaration is read from, in the order [`declaration_at`] reads them.
const COLUMNS: &str = "CAST(day AS VARCHAR), exporter, consignee, end_user, destination, hs_code, control_code, \
                       quantity, value_eur, authorisation, reference, consignee_address, end_user_address";

impl Columnar {
    /// Loads the DuckDB library at `library` and keeps the copies in `dir` (created when missing).
    pub fn open(library: &Path, dir: &Path) -> Result<Columnar> {
        let library = duckdb::Library::load(library).map_err(Error::internal)?;
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        remove_stale_parts(dir);
        Ok(Columnar { library, dir: dir.to_path_buf() })
    }

    /// What the engine is, in words: `DuckDB v1.5.6 over Parquet`.
    pub fn name(&self) -> String {
        format!("DuckDB {} over Parquet", self.library.version())
    }

    /// What the engine is and where its copies are: `DuckDB v1.5.6 over Parquet in DIR`.
    pub fn describe(&self) -> String {
        format!("{} in {}", self.name(), self.dir.display())
    }

    /// The copy of an authority's import `seq`.
    pub fn file(&self, authority: &str, seq: i64) -> PathBuf {
        self.dir.join(authority).join(format!("{seq:010}.parquet"))
    }

    /// Whether the copy of import `seq` is there, readable and holds `rows` declarations (a copy cut short by a
    /// crash, or damaged since, is not).
    pub fn is_complete(&self, authority: &str, seq: i64, rows: i64) -> bool {
        let file = self.file(authority, seq);
        if !file.is_file() {
            return false;
        }
        let Ok(mut db) = self.library.open_in_memory() else { return false };
        db.execute(&format!("SELECT COUNT(*) FROM read_parquet({})", literal(&file)))
            .is_ok_and(|r| r.len() == 1 && r.integer(0, 0) == rows)
    }

    /// A writer of the copy of import `seq`: written beside its place and moved there once complete, so a copy is
    /// either whole or absent.
    pub fn copy_writer(&self, authority: &str, seq: i64) -> Result<CopyWriter> {
        let target = self.file(authority, seq);
        // A name of its own, so two runs copying the same import at once never write into one file.
        static WRITERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let part = target.with_extension(format!("parquet.{}-{n}.part", std::process::id()));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = std::fs::File::create(&part).map_err(io_error(&part))?;
        let mut copy = CopyWriter { open: None, part, target };
        let writer = accord_trade::parquet::Writer::new(file.try_clone().map_err(io_error(&copy.part))?)?;
        copy.open = Some((writer, file));
        Ok(copy)
    }

    /// A session over `files` (the copies of the imports in force) reading the declarations from `from` to `last`
    /// (both included).
    pub fn session(&self, files: &[PathBuf], from: Date, last: Date) -> Result<Session> {
        let mut db = self.library.open_in_memory().map_err(engine_error("start"))?;
        let spill = self.dir.join(".spill");
        let source = if files.is_empty() {
            // No copy: an empty table of the same columns.
            "(SELECT CAST(NULL AS DATE) AS \"date\", '' AS exporter, '' AS consignee, '' AS end_user, '' AS \
             destination, '' AS hs_code, '' AS control_code, 0.0::DOUBLE AS quantity, 0.0::DOUBLE AS value_eur, '' \
             AS authorisation, '' AS reference, '' AS consignee_address, '' AS end_user_address WHERE false)"
                .to_owned()
        } else {
            let list: Vec<String> = files.iter().map(|f| literal(f)).collect();
            format!("read_parquet([{}])", list.join(", "))
        };
        db.execute(&format!(
            "SET temp_directory = {}; SET preserve_insertion_order = false; \
             CREATE VIEW every_day AS SELECT \"date\" AS day, * EXCLUDE (\"date\") FROM {source}; \
             CREATE VIEW d AS SELECT * FROM every_day WHERE day BETWEEN DATE '{from}' AND DATE '{last}'",
            literal(&spill)
        ))
        .map_err(engine_error("read the copies"))?;
        Ok(Session { db, last })
    }
}

/// The copy of one import being written; dropped unfinished, its part file is removed.
pub struct CopyWriter {
    open: Option<(accord_trade::parquet::Writer<std::fs::File>, std::fs::File)>,
    part: PathBuf,
    target: PathBuf,
}

impl CopyWriter {
    /// Appends declarations.
    pub fn write(&mut self, ds: &[Declaration]) -> Result<()> {
        match &mut self.open {
            Some((writer, _)) => writer.write(ds),
            None => Err(Error::internal("the columnar copy is already complete")),
        }
    }

    /// Completes the copy: written to disk, then moved to its place.
    pub fn finish(mut self) -> Result<()> {
        let Some((writer, file)) = self.open.take() else { return Ok(()) };
        let done = writer
            .close()
            .and_then(|()| file.sync_all().map_err(io_error(&self.part)))
            .and_then(|()| std::fs::rename(&self.part, &self.target).map_err(io_error(&self.target)));
        if done.is_err() {
            let _ = std::fs::remove_file(&self.part);
        }
        done?;
        if let Some(parent) = self.target.parent() {
            std::fs::File::open(parent).and_then(|d| d.sync_all()).map_err(io_error(parent))?;
        }
        Ok(())
    }
}

impl Drop for CopyWriter {
    fn drop(&mut self) {
        if self.open.take().is_some() {
            let _ = std::fs::remove_file(&self.part);
        }
    }
}

/// What the core indicators found, with the declarations they name.
pub struct CoreFindings {
    /// Structuring, new consignees and general authorisations used for new destinations, in that order.
    pub findings: Vec<Finding>,
    /// The declarations the findings name.
    pub declarations: Vec<Declaration>,
}

/// The declarations of a query's result, from its column `first` on (in the order of [`COLUMNS`]).
fn declarations_of(rows: &duckdb::Rows, first: usize) -> Result<Vec<Declaration>> {
    (0..rows.len()).map(|i| declaration_at(rows, first, i)).collect()
}

fn declaration_at(rows: &duckdb::Rows, c: usize, i: usize) -> Result<Declaration> {
    let text = |k: usize| rows.text(c + k, i).unwrap_or_default();
    let day = text(0);
    Ok(Declaration {
        date: day.parse().map_err(|_| Error::internal(format!("the columnar copy holds a bad day '{day}'")))?,
        exporter: text(1),
        consignee: text(2),
        end_user: text(3),
        destination: text(4),
        hs_code: text(5),
        control_code: rows.text(c + 6, i),
        quantity: rows.number(c + 7, i),
        value_eur: rows.number(c + 8, i),
        authorisation: rows.text(c + 9, i),
        reference: text(10),
        consignee_address: text(11),
        end_user_address: text(12),
    })
}

/// Rows grouped by the text of their first `keys` columns (consecutive rows of the same key form one group).
fn groups(rows: &duckdb::Rows, keys: usize) -> Result<Vec<(Vec<String>, Vec<Declaration>)>> {
    let mut out: Vec<(Vec<String>, Vec<Declaration>)> = Vec::new();
    for i in 0..rows.len() {
        let key: Vec<String> = (0..keys).map(|k| rows.text(k, i).unwrap_or_default()).collect();
        let d = declaration_at(rows, keys, i)?;
        match out.last_mut() {
            Some((k, ds)) if *k == key => ds.push(d),
            _ => out.push((key, vec![d])),
        }
    }
    Ok(out)
}

/// A number as an SQL double, exactly.
fn double(x: f64) -> String {
    format!("CAST('{x:?}' AS DOUBLE)")
}

/// The SQL condition of a sensitive declaration: listed goods, or an HS code under a high-priority prefix (digits
/// only, as the settings check them; anything else is refused here too).
fn sensitive(s: &DeclarationSettings) -> Result<String> {
    let mut any = vec!["control_code IS NOT NULL".to_owned()];
    for p in &s.high_priority_hs {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::validation("high_priority_hs", "an HS prefix of digits"));
        }
        any.push(format!("starts_with(hs_code, '{p}')"));
    }
    Ok(format!("({})", any.join(" OR ")))
}

/// A session: one DuckDB database in memory reading the copies, for one run of the indicators.
pub struct Session {
    db: duckdb::Database,
    last: Date,
}

impl Session {
    fn run(&mut self, what: &str, sql: &str) -> Result<duckdb::Rows> {
        self.db.execute(sql).map_err(engine_error(what))
    }

    /// Structuring, new consignees of sensitive goods and general authorisations used for new destinations, as
    /// `accord_trade::declarations::all` computes them over the same declarations.
    pub fn core_findings(&mut self, s: &DeclarationSettings) -> Result<CoreFindings> {
        let last = self.last;
        let (days, least) = (s.structuring_days, s.structuring_shipments);
        let structuring = self.run(
            "compute structuring",
            &format!(
                "WITH w AS (SELECT *, COALESCE(control_code, hs_code) AS goods FROM d \
                   WHERE value_eur >= {floor} AND value_eur < {cap}), \
                 r AS (SELECT exporter, consignee, goods, day, COUNT(*) OVER (PARTITION BY exporter, consignee, goods \
                   ORDER BY day RANGE BETWEEN CURRENT ROW AND INTERVAL {days} DAYS FOLLOWING) AS n FROM w), \
                 b AS (SELECT exporter, consignee, goods, MAX(n) AS n FROM r GROUP BY ALL HAVING MAX(n) >= {least}), \
                 s AS (SELECT exporter, consignee, goods, MAX(day) AS start FROM r \
                   JOIN b USING (exporter, consignee, goods) WHERE r.n = b.n GROUP BY ALL) \
                 SELECT exporter, consignee, goods, {COLUMNS} FROM w JOIN s USING (exporter, consignee, goods) \
                 WHERE day BETWEEN s.start AND s.start + {days} ORDER BY exporter, consignee, goods, day, reference",
                floor = double(accord_trade::declarations::under_cap_floor(s)),
                cap = double(s.value_cap_eur),
            ),
        )?;
        let mut findings = Vec::new();
        let mut named: Vec<Declaration> = Vec::new();
        for (key, run) in groups(&structuring, 3)? {
            let refs: Vec<&Declaration> = run.iter().collect();
            findings.push(accord_trade::declarations::structuring_finding(&key[0], &key[1], &key[2], &refs, s));
            named.extend(run);
        }
        let new = self.run(
            "find new consignees",
            &format!(
                "WITH f AS (SELECT consignee AS c, MIN(day) AS first FROM d GROUP BY consignee \
                   HAVING MIN(day) >= DATE '{last}' - {within}) \
                 SELECT f.c, CAST(f.first AS VARCHAR), {COLUMNS} FROM d JOIN f ON d.consignee = f.c WHERE {sensitive} \
                 ORDER BY consignee, day, reference",
                within = s.new_within_days,
                sensitive = sensitive(s)?,
            ),
        )?;
        for (key, shipments) in groups(&new, 2)? {
            let first: Date = key[1].parse().map_err(|_| Error::internal("the columnar engine gave a bad day"))?;
            let refs: Vec<&Declaration> = shipments.iter().collect();
            findings.push(accord_trade::declarations::new_consignee_finding(&key[0], first, &refs));
            named.extend(shipments);
        }
        let moved = self.run(
            "find general authorisations used for new destinations",
            &format!(
                "WITH w AS (SELECT * FROM d WHERE authorisation IS NOT NULL AND NOT starts_with(authorisation, 'lic_')), \
                 p AS (SELECT authorisation AS a, destination AS t, BOOL_OR(day < DATE '{last}' - {recent}) AS before \
                   FROM w GROUP BY ALL), \
                 g AS (SELECT DISTINCT a FROM p WHERE before) \
                 SELECT {COLUMNS} FROM w JOIN p ON w.authorisation = p.a AND w.destination = p.t \
                 WHERE NOT p.before AND p.a IN (SELECT a FROM g) ORDER BY authorisation, destination, day, reference",
                recent = s.ga_recent_days,
            ),
        )?;
        let mut uses: Vec<(String, String, Vec<Declaration>)> = Vec::new();
        for d in declarations_of(&moved, 0)? {
            let ga = d.authorisation.clone().unwrap_or_default();
            match uses.last_mut() {
                Some((a, t, ds)) if *a == ga && *t == d.destination => ds.push(d),
                _ => uses.push((ga, d.destination.clone(), vec![d])),
            }
        }
        for (ga, destination, ds) in uses {
            let refs: Vec<&Declaration> = ds.iter().collect();
            findings.push(accord_trade::declarations::ga_new_destination_finding(&ga, &destination, &refs));
            named.extend(ds);
        }
        Ok(CoreFindings { findings, declarations: named })
    }

    /// Every consignee and end user with the destination declared, as `(role, name, destination)`, in order.
    pub fn parties(&mut self) -> Result<Vec<(&'static str, String, String)>> {
        let rows = self.run(
            "list the parties",
            "SELECT DISTINCT 'consignee' AS role, consignee AS name, destination FROM d \
             UNION SELECT DISTINCT 'end user', end_user, destination FROM d WHERE end_user IS NOT NULL AND end_user <> '' \
             ORDER BY role, name, destination",
        )?;
        Ok((0..rows.len())
            .map(|i| {
                let role = if rows.text(0, i).as_deref() == Some("consignee") { "consignee" } else { "end user" };
                (role, rows.text(1, i).unwrap_or_default(), rows.text(2, i).unwrap_or_default())
            })
            .collect())
    }

    /// Every address declared for a consignee or an end user, in order.
    pub fn addresses(&mut self) -> Result<Vec<String>> {
        let rows = self.run(
            "list the addresses",
            "SELECT consignee_address AS a FROM d WHERE consignee_address <> '' \
             UNION SELECT end_user_address FROM d WHERE end_user_address <> '' ORDER BY a",
        )?;
        Ok((0..rows.len()).filter_map(|i| rows.text(0, i)).collect())
    }

    /// The declarations whose `role` party (`consignee` or `end user`) is one of `parties`, or whose consignee's or
    /// end user's address is one of `addresses`.
    pub fn of(&mut self, parties: &[(&str, &str)], addresses: &[&str]) -> Result<Vec<Declaration>> {
        self.run("note the parties", "CREATE OR REPLACE TEMPORARY TABLE wanted (kind VARCHAR, v VARCHAR)")?;
        let kinds = parties.iter().copied().chain(addresses.iter().map(|a| ("address", *a)));
        for (kind, v) in kinds {
            self.db
                .execute_with("INSERT INTO wanted VALUES (?, ?)", &[kind, v])
                .map_err(engine_error("note the parties"))?;
        }
        let rows = self.run(
            "read the declarations of the parties",
            &format!(
                "SELECT {COLUMNS} FROM d WHERE consignee IN (SELECT v FROM wanted WHERE kind = 'consignee') \
                 OR end_user IN (SELECT v FROM wanted WHERE kind = 'end user') \
                 OR consignee_address IN (SELECT v FROM wanted WHERE kind = 'address') \
                 OR end_user_address IN (SELECT v FROM wanted WHERE kind = 'address') ORDER BY day, reference"
            ),
        )?;
        declarations_of(&rows, 0)
    }

    /// The value declared per month (`YYYY-MM`), destination and HS code over every stored day (not only the
    /// session's), in order.
    pub fn totals(&mut self) -> Result<Vec<(String, String, String, f64)>> {
        let rows = self.run(
            "total the months",
            "SELECT strftime(day, '%Y-%m') AS m, destination, hs_code, SUM(value_eur) FROM every_day \
             GROUP BY ALL ORDER BY m, destination, hs_code",
        )?;
        Ok((0..rows.len())
            .map(|i| {
                let t = |c| rows.text(c, i).unwrap_or_default();
                (t(0), t(1), t(2), rows.number(3, i))
            })
            .collect())
    }
}

/// The DuckDB library the tests load: `ACCORD_DUCKDB`, else the one `scripts/install-duckdb.sh` installs.
#[cfg(test)]
pub(crate) fn test_library() -> PathBuf {
    std::env::var_os("ACCORD_DUCKDB")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/duckdb/libduckdb.so"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_trade::declarations as rules;

    fn engine(dir: &Path) -> Columnar {
        Columnar::open(&test_library(), dir).expect("the DuckDB library (scripts/install-duckdb.sh installs it)")
    }

    /// A folder of its own for one test, emptied when the test ends.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("accord-columnar-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }

    /// Generated declarations with a structuring run by parties whose names would break quoted SQL.
    fn declarations() -> Vec<Declaration> {
        let (mut ds, _) = accord_trade::generate::generate(11, 20_000, 6);
        let template = ds[0].clone();
        for (i, day) in [3, 6, 9, 12].into_iter().enumerate() {
            ds.push(Declaration {
                reference: format!("HOSTILE-{i}"),
                date: jiff::civil::date(2025, 11, day),
                exporter: "O'Brien \"Export\"; DROP TABLE d; --".into(),
                consignee: "Ünïcödé ' OR '1'='1".into(),
                control_code: None,
                hs_code: "39269097".into(),
                value_eur: 4_900.0,
                ..template.clone()
            });
        }
        // Two new consignees first seen on the same day, next to each other by name: two findings, not one.
        for (i, consignee) in ["Aaa New One LLC", "Aaa New Two LLC"].into_iter().enumerate() {
            ds.push(Declaration {
                reference: format!("SAME-DAY-{i}"),
                date: jiff::civil::date(2025, 12, 1),
                consignee: consignee.into(),
                control_code: Some("3A001".into()),
                ..template.clone()
            });
        }
        ds
    }

    fn window(ds: &[Declaration]) -> (Date, Date, Vec<Declaration>) {
        let last = ds.iter().map(|d| d.date).max().expect("declarations");
        let from = last.checked_sub(jiff::Span::new().days(365)).expect("a day");
        let mut w: Vec<Declaration> = ds.iter().filter(|d| d.date >= from && d.date <= last).cloned().collect();
        // As the database returns them.
        w.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)));
        (from, last, w)
    }

    fn copy(engine: &Columnar, seq: i64, ds: &[Declaration]) -> PathBuf {
        let mut writer = engine.copy_writer("DE-BAFA", seq).expect("writer");
        for part in ds.chunks(7_000) {
            writer.write(part).expect("write");
        }
        writer.finish().expect("finish");
        engine.file("DE-BAFA", seq)
    }

    #[test]
    fn the_engine_finds_what_the_rules_find_in_the_same_words() {
        let dir = scratch("same");
        let engine = engine(&dir.0);
        let ds = declarations();
        let (from, last, w) = window(&ds);
        let settings = DeclarationSettings::default();
        let expected = rules::all(&w, &settings);
        assert!(expected.iter().any(|f| f.subject.starts_with("O'Brien")), "the hostile run is a finding");
        assert!(expected.iter().any(|f| f.subject == "Aaa New Two LLC"), "each new consignee is a finding");
        let (a, b) = ds.split_at(ds.len() / 2);
        let files = [copy(&engine, 1, a), copy(&engine, 2, b)];
        let mut session = engine.session(&files, from, last).expect("session");
        let got = session.core_findings(&settings).expect("findings");
        assert_eq!(got.findings, expected);
        for f in &got.findings {
            for r in &f.references {
                let named = got.declarations.iter().find(|d| &d.reference == r).expect("the declaration named");
                assert_eq!(Some(named), ds.iter().find(|d| &d.reference == r), "read back as written");
            }
        }
    }

    #[test]
    fn parties_addresses_and_totals_are_those_of_the_declarations() {
        let dir = scratch("parties");
        let engine = engine(&dir.0);
        let mut ds = declarations();
        ds[5].consignee_address = "Ulitsa Lenina 12, Bishkek".into();
        ds[6].end_user_address = "1 Main St, Springfield".into();
        ds[7].end_user = "Research Institute №7".into();
        let (from, last, w) = window(&ds);
        let files = [copy(&engine, 1, &ds)];
        let mut session = engine.session(&files, from, last).expect("session");
        let parties = rules::parties_of(&w);
        assert!(parties.iter().any(|p| p.0 == "end user") && parties.iter().any(|p| p.0 == "consignee"));
        assert_eq!(session.parties().expect("parties"), parties);
        assert_eq!(session.addresses().expect("addresses"), ["1 Main St, Springfield", "Ulitsa Lenina 12, Bishkek"]);
        let hostile = "Ünïcödé ' OR '1'='1";
        let of = session.of(&[("consignee", hostile)], &["1 Main St, Springfield"]).expect("of");
        let mut expected: Vec<&Declaration> = w.iter().filter(|d| d.consignee == hostile).collect();
        expected.push(&ds[6]);
        expected.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)));
        assert_eq!(of.iter().collect::<Vec<_>>(), expected);
        let totals = session.totals().expect("totals");
        let sum: f64 = totals.iter().map(|t| t.3).sum();
        let all: f64 = ds.iter().map(|d| d.value_eur).sum();
        assert!((sum - all).abs() < 1e-6 * all, "{sum} against {all}");
        assert!(totals.windows(2).all(|p| (&p[0].0, &p[0].1, &p[0].2) < (&p[1].0, &p[1].1, &p[1].2)));
    }

    #[test]
    fn a_copy_cut_short_or_damaged_is_not_complete_and_an_unfinished_one_leaves_nothing() {
        let dir = scratch("damaged");
        let engine = engine(&dir.0);
        let ds = declarations();
        let file = copy(&engine, 1, &ds[..1000]);
        assert!(engine.is_complete("DE-BAFA", 1, 1000));
        assert!(!engine.is_complete("DE-BAFA", 1, 999), "a count that differs");
        assert!(!engine.is_complete("DE-BAFA", 2, 1000), "absent");
        let bytes = std::fs::read(&file).expect("read");
        std::fs::write(&file, &bytes[..bytes.len() / 2]).expect("cut");
        assert!(!engine.is_complete("DE-BAFA", 1, 1000), "cut short");
        // A writer dropped unfinished leaves nothing; a stale part file of a stopped process is removed at open.
        let mut writer = engine.copy_writer("DE-BAFA", 3).expect("writer");
        writer.write(&ds[..10]).expect("write");
        drop(writer);
        assert!(!engine.is_complete("DE-BAFA", 3, 10));
        let folder = dir.0.join("DE-BAFA");
        let names = || -> Vec<String> {
            let entries = std::fs::read_dir(&folder).expect("dir").flatten();
            entries.map(|e| e.file_name().to_string_lossy().into_owned()).collect()
        };
        assert_eq!(names(), ["0000000001.parquet"]);
        let stale = folder.join("0000000004.parquet.1-0.part");
        std::fs::write(&stale, b"PAR1").expect("part");
        let young = folder.join("0000000005.parquet.1-0.part");
        std::fs::write(&young, b"PAR1").expect("part");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
        std::fs::File::options().write(true).open(&stale).expect("open").set_modified(old).expect("age");
        let _again = Columnar::open(&test_library(), &dir.0).expect("open");
        assert!(!stale.exists() && young.exists());
    }

    #[test]
    fn a_session_without_copies_finds_nothing() {
        let dir = scratch("empty");
        let engine = engine(&dir.0);
        let day = jiff::civil::date(2025, 1, 1);
        let mut session = engine.session(&[], day, day).expect("session");
        assert!(session.core_findings(&DeclarationSettings::default()).expect("findings").findings.is_empty());
        assert!(session.parties().expect("parties").is_empty());
        assert!(session.totals().expect("totals").is_empty());
    }
}
