//! File access shared by the readers: opening, folder listings, format sniffing, line counting and
//! CSV record decoding.

use crate::{Format, malformed_file};
use accord_core::{Error, ErrorCode, Result};
use std::fs::{File, Metadata};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How many bytes of a file [`detect_file`] looks at.
const SNIFF_BYTES: usize = 8192;

/// Buffer size for list files.
const BUF_BYTES: usize = 256 * 1024;

/// The metadata of a path, or `file_unreadable`.
pub(crate) fn metadata(path: &Path) -> Result<Metadata> {
    std::fs::metadata(path).map_err(|e| unreadable(path, &e))
}

/// A `file_unreadable` error for a path.
pub(crate) fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorCode::FileUnreadable, format!("cannot read {}: {e}", path.display()))
        .with_details(serde_json::json!({ "path": path.display().to_string() }))
}

/// Opens a file for buffered reading.
pub(crate) fn open(path: &Path) -> Result<BufReader<File>> {
    let f = File::open(path).map_err(|e| unreadable(path, &e))?;
    Ok(BufReader::with_capacity(BUF_BYTES, f))
}

/// The file name shown in problems and errors.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Regular files directly in `dir` whose lower-case name ends with one of `suffixes`, sorted by name.
pub(crate) fn files_in(dir: &Path, suffixes: &[&str]) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, &e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if path.is_file() && suffixes.iter().any(|s| name.ends_with(s)) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The file `name` in `dir`, matched without regard to ASCII case (`SDN.CSV` for `sdn.csv`).
pub(crate) fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Some(exact);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// The files of one list in a folder (by extension), or the file itself; `unknown_format` when a folder
/// holds none.
pub(crate) fn list_files(path: &Path, format: Format, suffixes: &[&str]) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let files = files_in(path, suffixes)?;
    if files.is_empty() {
        return Err(Error::new(
            ErrorCode::UnknownFormat,
            format!("folder {} holds no {} file ({})", path.display(), format, suffixes.join(", ")),
        ));
    }
    Ok(files)
}

/// The first bytes of a file.
fn head(path: &Path) -> Result<Vec<u8>> {
    let mut f = File::open(path).map_err(|e| unreadable(path, &e))?;
    let mut buf = vec![0; SNIFF_BYTES];
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(path, &e)),
        }
    }
    buf.truncate(n);
    Ok(buf)
}

/// What the first bytes of a file say about its format.
enum Sniffed {
    Is(Format),
    /// An OFAC alias/address/comments file: not a list on its own.
    OfacSibling,
    Unknown,
}

/// Number of fields in one CSV line (commas outside double quotes, plus one).
fn csv_fields(line: &str) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => n += 1,
            _ => {}
        }
    }
    n
}

fn sniff(head: &[u8], name: &str) -> Sniffed {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lname = name.to_ascii_lowercase();
    let first = t.lines().next().unwrap_or("").trim_end_matches('\r');
    if t.starts_with('<') {
        if t.contains("<CONSOLIDATED_LIST") {
            return Sniffed::Is(Format::UnXml);
        }
    } else if t.starts_with('{') {
        if first.contains("\"schema\"") {
            return Sniffed::Is(Format::Ftm);
        }
    } else if first.starts_with("celex,recordId,") || first.starts_with("amendedCelex,amendmentCelex,") {
        return Sniffed::Is(Format::EuJournal);
    } else {
        let unquoted = first.replace('"', "");
        let cols: Vec<&str> = unquoted.split(',').map(str::trim).collect();
        if unquoted.starts_with("Name\t") && unquoted.contains("Effective_Date") {
            return Sniffed::Is(Format::BisDpl);
        }
        if cols.contains(&"entity_number") && cols.contains(&"name") && cols.contains(&"source") {
            return Sniffed::Is(Format::Csl);
        }
        let digits = first.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && first.as_bytes().get(digits) == Some(&b',') {
            return match csv_fields(first) {
                12 if lname.starts_with("cons") => Sniffed::Is(Format::OfacCons),
                12 => Sniffed::Is(Format::OfacSdn),
                _ => Sniffed::OfacSibling,
            };
        }
    }
    // The content says nothing (empty or damaged file): fall back on well-known file names.
    if lname.starts_with("cons_prim") && lname.ends_with(".csv") {
        Sniffed::Is(Format::OfacCons)
    } else if lname.starts_with("sdn") && lname.ends_with(".csv") && !lname.starts_with("sdn_comments") {
        Sniffed::Is(Format::OfacSdn)
    } else if lname.starts_with("dpl") && lname.ends_with(".txt") {
        Sniffed::Is(Format::BisDpl)
    } else if lname.starts_with("csl") && lname.ends_with(".csv") {
        Sniffed::Is(Format::Csl)
    } else if lname.ends_with(".xml") && lname.contains("consolidated") {
        Sniffed::Is(Format::UnXml)
    } else if lname.ends_with(".ftm.json") || lname.ends_with(".ftm.jsonl") {
        Sniffed::Is(Format::Ftm)
    } else {
        Sniffed::Unknown
    }
}

/// Detects the format of one file.
pub(crate) fn detect_file(path: &Path) -> Result<Format> {
    let name = file_name(path);
    match sniff(&head(path)?, &name) {
        Sniffed::Is(f) => Ok(f),
        Sniffed::OfacSibling => Err(Error::new(
            ErrorCode::UnknownFormat,
            format!("{name} looks like an OFAC alias, address or comments file; name sdn.csv or cons_prim.csv instead"),
        )),
        Sniffed::Unknown => {
            Err(Error::new(ErrorCode::UnknownFormat, format!("cannot tell which list format {name} is in")))
        }
    }
}

/// Detects the format of a folder: OFAC by its primary file name, otherwise the one format its files share.
pub(crate) fn detect_dir(dir: &Path) -> Result<Format> {
    if find_file(dir, "sdn.csv").is_some() {
        return Ok(Format::OfacSdn);
    }
    if find_file(dir, "cons_prim.csv").is_some() {
        return Ok(Format::OfacCons);
    }
    let mut found: Vec<Format> = Vec::new();
    for path in files_in(dir, &[""])? {
        if let Sniffed::Is(f) = sniff(&head(&path)?, &file_name(&path))
            && !found.contains(&f)
        {
            found.push(f);
        }
    }
    match found.as_slice() {
        [f] => Ok(*f),
        [] => Err(Error::new(ErrorCode::UnknownFormat, format!("folder {} holds no list file", dir.display()))),
        many => {
            let names: Vec<_> = many.iter().map(|f| f.as_str()).collect();
            Err(Error::new(
                ErrorCode::UnknownFormat,
                format!("folder {} holds files of several formats ({}); name one", dir.display(), names.join(", ")),
            ))
        }
    }
}

/// A buffered reader that counts the lines it has handed out, so streaming parsers can name lines.
pub(crate) struct LineCounter<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> LineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineCounter { inner, newlines: 0 }
    }

    /// The 1-based line of the next unread byte.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.inner.fill_buf()?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.inner.consume(amt);
    }
}

/// A CSV reader over a file: no header handling, rows of any length (checked by the callers).
pub(crate) fn csv_reader(path: &Path, delimiter: u8) -> Result<csv::Reader<BufReader<File>>> {
    Ok(csv_builder(delimiter).from_reader(open(path)?))
}

/// Records end at `\n` only: with CRLF as terminator the csv crate counts a record's line before it has
/// seen the `\n` of the previous one, one too low. The `\r` that stays at the end of the last field is
/// trimmed like all other white space.
fn csv_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true).delimiter(delimiter).terminator(csv::Terminator::Any(b'\n'));
    b
}

/// Reads the next CSV record; `Ok(false)` at the end of the file.
pub(crate) fn next_record(
    rdr: &mut csv::Reader<BufReader<File>>,
    rec: &mut csv::ByteRecord,
    path: &Path,
) -> Result<bool> {
    rdr.read_byte_record(rec).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(io) => unreadable(path, io),
        _ => malformed_file(&file_name(path), &format!("unreadable CSV: {e}")),
    })
}

/// The 1-based line a record starts on.
pub(crate) fn record_line(rec: &csv::ByteRecord) -> u64 {
    rec.position().map(|p| p.line()).unwrap_or(0)
}

/// The fields of a record as text, or the 1-based number of the first field that is not UTF-8.
pub(crate) fn decode(rec: &csv::ByteRecord) -> std::result::Result<Vec<&str>, usize> {
    rec.iter().enumerate().map(|(i, f)| std::str::from_utf8(f).map_err(|_| i + 1)).collect()
}

/// Whether a record is an empty line or the DOS end-of-file byte (0x1A) some files end with.
pub(crate) fn is_blank(rec: &csv::ByteRecord) -> bool {
    rec.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1a))
}

/// Column positions by header name; the header's byte-order mark and spaces are ignored.
pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    /// Reads the first record of a CSV file as its header.
    pub(crate) fn read(rdr: &mut csv::Reader<BufReader<File>>, path: &Path) -> Result<Header> {
        let mut rec = csv::ByteRecord::new();
        if !next_record(rdr, &mut rec, path)? {
            return Err(malformed_file(&file_name(path), "the file is empty (no header line)"));
        }
        let names = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim_start_matches('\u{feff}').trim().trim_matches('"').to_owned())
            .collect();
        Ok(Header { names })
    }

    /// A header of the given column names (for row-level unit tests).
    #[cfg(test)]
    pub(crate) fn from_names(names: &[&str]) -> Header {
        Header { names: names.iter().map(|n| (*n).to_owned()).collect() }
    }

    /// The position of a column.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Number of columns.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Fails with `malformed_file` naming every required column the header lacks.
    pub(crate) fn require(&self, path: &Path, required: &[&str], what: &str) -> Result<()> {
        let missing: Vec<&str> = required.iter().copied().filter(|r| self.find(r).is_none()).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(malformed_file(
            &file_name(path),
            &format!("not a {what} file: line 1 lacks the column(s) {}", missing.join(", ")),
        ))
    }
}

/// Reads one field by optional column position; missing columns read as empty.
pub(crate) fn col<'a>(fields: &[&'a str], idx: Option<usize>) -> &'a str {
    idx.and_then(|i| fields.get(i)).map(|s| s.trim()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_tells_formats_from_first_lines() {
        let is = |head: &str, name: &str| match sniff(head.as_bytes(), name) {
            Sniffed::Is(f) => Some(f),
            _ => None,
        };
        assert_eq!(
            is("36,\"AERO\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", "x.csv"),
            Some(Format::OfacSdn)
        );
        assert_eq!(
            is("36,\"AERO\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", "cons_prim.csv"),
            Some(Format::OfacCons)
        );
        assert!(matches!(sniff(b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n", "alt.csv"), Sniffed::OfacSibling));
        assert_eq!(is("<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>", "a.xml"), Some(Format::UnXml));
        assert_eq!(is("celex,recordId,programKey\n", "a.csv"), Some(Format::EuJournal));
        assert_eq!(is("\"Name\"\t\"Street_Address\"\t\"Effective_Date\"\n", "a.txt"), Some(Format::BisDpl));
        assert_eq!(is("source,entity_number,type,programs,name\n", "a.csv"), Some(Format::Csl));
        assert_eq!(is("{\"id\": \"x\", \"schema\": \"Person\"}\n", "a.json"), Some(Format::Ftm));
        assert_eq!(is("", "sdn.csv"), Some(Format::OfacSdn));
        assert_eq!(is("", "sdn_comments.csv"), None);
        assert_eq!(is("hello world\n", "notes.txt"), None);
    }

    #[test]
    fn csv_records_name_their_own_line_in_crlf_and_lf_files() {
        for data in ["1,\"a\"\r\n2,\"b\r\nc\"\r\n3,x\r\n\x1a", "1,\"a\"\n2,\"b\nc\"\n3,x\n"] {
            let mut rdr = csv_builder(b',').from_reader(data.as_bytes());
            let mut rec = csv::ByteRecord::new();
            let mut lines = Vec::new();
            while rdr.read_byte_record(&mut rec).unwrap() {
                if !is_blank(&rec) {
                    lines.push((record_line(&rec), decode(&rec).unwrap()[0].to_owned()));
                }
            }
            assert_eq!(lines, [(1, "1".to_owned()), (2, "2".to_owned()), (4, "3".to_owned())], "{data:?}");
        }
    }

    #[test]
    fn line_counter_counts_consumed_newlines_only() {
        let mut r = LineCounter::new(BufReader::new(&b"a\nb\nc"[..]));
        assert_eq!(r.line(), 1);
        let mut s = String::new();
        r.read_line(&mut s).unwrap();
        assert_eq!(r.line(), 2);
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(r.line(), 3);
    }
}
