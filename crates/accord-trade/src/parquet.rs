//! Export declarations as Parquet: read with the same checks as the CSV format (each row turned into the CSV row it
//! stands for), and written, for the generator and the benchmarks. The columns carry the CSV header's names; `date`
//! is a Parquet DATE or text, numbers are doubles, integers or text, optional text may be null.

use crate::declarations::{ADDRESS_COLUMNS, Declaration, HEADER, checked};
use accord_core::{Error, ErrorCode, Result};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// The first bytes of a Parquet file.
pub const MAGIC: &[u8] = b"PAR1";

/// The day a Parquet DATE counts from.
const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

/// A Parquet value as the text the CSV format would hold.
fn text(f: &Field) -> String {
    match f {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Date(days) => EPOCH
            .checked_add(jiff::Span::new().days(i64::from(*days)))
            .map_or_else(|_| format!("day {days}"), |d| d.to_string()),
        Field::Double(x) => x.to_string(),
        Field::Float(x) => x.to_string(),
        Field::Int(x) => x.to_string(),
        Field::Long(x) => x.to_string(),
        Field::Short(x) => x.to_string(),
        Field::UInt(x) => x.to_string(),
        Field::ULong(x) => x.to_string(),
        other => other.to_string(),
    }
}

/// Reads declarations from a Parquet file (`name` for messages): every column of [`HEADER`] must be there, the
/// address columns may; each row is checked as a CSV row is, and bad ones are named by their row number.
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<Declaration>> {
    let unreadable = |e: parquet::errors::ParquetError| {
        Error::new(ErrorCode::MalformedFile, format!("{name}: not a readable Parquet file: {e}"))
    };
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).map_err(unreadable)?;
    let columns: Vec<String> =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    let missing: Vec<&str> = HEADER.iter().filter(|h| !columns.iter().any(|c| c == *h)).copied().collect();
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorCode::MalformedFile,
            format!(
                "{name}: the Parquet file lacks the columns {} (it has {})",
                missing.join(", "),
                columns.join(", ")
            ),
        ));
    }
    let rows = reader.get_row_iter(None).map_err(unreadable)?;
    checked(rows.enumerate().map(|(i, row)| {
        let place = format!("{name}: row {}", i + 1);
        let record = row.map_err(|e| e.to_string()).map(|row| {
            let mut values: std::collections::HashMap<String, String> =
                row.into_columns().into_iter().map(|(k, f)| (k, text(&f))).collect();
            HEADER.iter().chain(ADDRESS_COLUMNS.iter()).map(|h| values.remove(*h).unwrap_or_default()).collect()
        });
        (place, record)
    }))
}

/// Declarations as a Parquet file (Snappy-compressed, row groups of 100,000), the address columns included.
pub fn write(ds: &[Declaration]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = Writer::new(&mut out)?;
    writer.write(ds)?;
    writer.close()?;
    Ok(out)
}

fn failed(e: parquet::errors::ParquetError) -> Error {
    Error::internal(format!("cannot write Parquet: {e}"))
}

/// A Parquet file of declarations written a slice at a time (each slice one or more row groups of 100,000 rows), so
/// that a file of millions of declarations never needs them all in memory.
pub struct Writer<W: std::io::Write + Send> {
    inner: parquet::file::writer::SerializedFileWriter<W>,
}

impl<W: std::io::Write + Send> Writer<W> {
    /// A writer of a new file to `out`.
    pub fn new(out: W) -> Result<Writer<W>> {
        use parquet::basic::Compression;
        use parquet::file::properties::WriterProperties;
        let schema = parquet::schema::parser::parse_message_type(
            "message declaration { REQUIRED INT32 date (DATE); REQUIRED BINARY exporter (UTF8); \
             REQUIRED BINARY consignee (UTF8); OPTIONAL BINARY end_user (UTF8); REQUIRED BINARY destination (UTF8); \
             REQUIRED BINARY hs_code (UTF8); OPTIONAL BINARY control_code (UTF8); REQUIRED DOUBLE quantity; \
             REQUIRED DOUBLE value_eur; OPTIONAL BINARY authorisation (UTF8); REQUIRED BINARY reference (UTF8); \
             OPTIONAL BINARY consignee_address (UTF8); OPTIONAL BINARY end_user_address (UTF8); }",
        )
        .map_err(failed)?;
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let inner =
            parquet::file::writer::SerializedFileWriter::new(out, schema.into(), props.into()).map_err(failed)?;
        Ok(Writer { inner })
    }

    /// Appends declarations.
    pub fn write(&mut self, ds: &[Declaration]) -> Result<()> {
        use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
        // Text columns: each value, or none (null, written with definition level 0).
        type Texts = fn(&Declaration) -> Option<&str>;
        let texts: [(usize, Texts); 10] = [
            (1, |d| Some(&d.exporter)),
            (2, |d| Some(&d.consignee)),
            (3, |d| Some(&d.end_user).filter(|s| !s.is_empty()).map(String::as_str)),
            (4, |d| Some(&d.destination)),
            (5, |d| Some(&d.hs_code)),
            (6, |d| d.control_code.as_deref()),
            (9, |d| d.authorisation.as_deref()),
            (10, |d| Some(&d.reference)),
            (11, |d| Some(&d.consignee_address).filter(|s| !s.is_empty()).map(String::as_str)),
            (12, |d| Some(&d.end_user_address).filter(|s| !s.is_empty()).map(String::as_str)),
        ];
        for chunk in ds.chunks(100_000) {
            let mut group = self.inner.next_row_group().map_err(failed)?;
            let mut index = 0;
            while let Some(mut column) = group.next_column().map_err(failed)? {
                match index {
                    0 => {
                        let days: Vec<i32> =
                            chunk.iter().map(|d| d.date.since(EPOCH).map_or(0, |s| s.get_days())).collect();
                        column.typed::<Int32Type>().write_batch(&days, None, None).map_err(failed)?;
                    }
                    7 | 8 => {
                        let v: Vec<f64> =
                            chunk.iter().map(|d| if index == 7 { d.quantity } else { d.value_eur }).collect();
                        column.typed::<DoubleType>().write_batch(&v, None, None).map_err(failed)?;
                    }
                    _ => {
                        let get = texts.iter().find(|(i, _)| *i == index).map(|(_, f)| *f).unwrap_or(|_| None);
                        let optional = matches!(index, 3 | 6 | 9 | 11 | 12);
                        let present: Vec<ByteArray> = chunk
                            .iter()
                            .filter_map(|d| get(d))
                            .map(|s| ByteArray::from(s.as_bytes().to_vec()))
                            .collect();
                        let levels: Vec<i16> = chunk.iter().map(|d| i16::from(get(d).is_some())).collect();
                        let levels = optional.then_some(levels.as_slice());
                        column.typed::<ByteArrayType>().write_batch(&present, levels, None).map_err(failed)?;
                    }
                }
                column.close().map_err(failed)?;
                index += 1;
            }
            group.close().map_err(failed)?;
        }
        Ok(())
    }

    /// Writes the file's footer; the file is complete.
    pub fn close(self) -> Result<()> {
        self.inner.close().map_err(failed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_written_as_parquet_read_back_the_same_and_a_bad_row_is_named_by_its_row() {
        let (mut ds, _) = crate::generate::generate(3, 2_000, 2);
        ds[5].consignee_address = "Office 12, Al Maktoum Road, Dubai".into();
        ds[7].end_user = "Research Institute".into();
        let bytes = write(&ds).unwrap();
        assert!(bytes.starts_with(MAGIC));
        let back = crate::declarations::read_declarations("d.parquet", &bytes).unwrap();
        assert_eq!(back, ds);

        let mut bad = ds.clone();
        bad[10].destination = "Kyrgyzstan".into();
        bad[20].reference = bad[21].reference.clone();
        let e = crate::declarations::read_declarations("d.parquet", &write(&bad).unwrap()).unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedFile);
        assert!(
            e.message.contains("2 bad rows") && e.message.contains("d.parquet: row 11: destination"),
            "{}",
            e.message
        );
        assert!(e.message.contains("appears twice"), "{}", e.message);

        let truncated = &bytes[..bytes.len() / 2];
        let e = crate::declarations::read_declarations("t.parquet", truncated).unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedFile);
        assert!(e.message.contains("t.parquet: not a readable Parquet file"), "{}", e.message);
    }
}
