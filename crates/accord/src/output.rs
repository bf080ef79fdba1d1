//! How every command prints: JSON for scripts (`--json`, a global flag), aligned tables and short lines for people.
//! Lists print the same way whatever they list: a header, one row per record, columns two spaces apart.

use anyhow::Result;
use serde::Serialize;
use std::sync::OnceLock;

static JSON: OnceLock<bool> = OnceLock::new();

/// Sets the output mode once, from the command line.
pub fn set_json(json: bool) {
    let _ = JSON.set(json);
}

/// Whether the caller asked for JSON.
pub fn json() -> bool {
    JSON.get().copied().unwrap_or(false)
}

/// Prints a value as pretty JSON.
pub fn print_json<T: Serialize>(v: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Rows under a header, with each column as wide as its widest cell.
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new(header: &[&'static str]) -> Table {
        Table { header: header.to_vec(), rows: Vec::new() }
    }

    /// Adds a row (missing cells print empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row after the header; an empty table says so.
    pub fn render(&self) -> String {
        if self.rows.is_empty() {
            return "(none)\n".to_owned();
        }
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(widths.len()) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            let mut out = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = cells.get(i).copied().unwrap_or("");
                if i + 1 == widths.len() {
                    out.push_str(cell);
                } else {
                    out.push_str(&format!("{cell:<width$}  "));
                }
            }
            out.trim_end().to_owned() + "\n"
        };
        let mut text = line(self.header.clone());
        for row in &self.rows {
            text.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        text
    }
}

/// Prints records: a JSON array with `--json`, else a table of the chosen columns.
pub fn list<T: Serialize>(items: &[T], header: &[&'static str], cells: impl Fn(&T) -> Vec<String>) -> Result<()> {
    if json() {
        return print_json(&items);
    }
    let mut table = Table::new(header);
    for item in items {
        table.row(cells(item));
    }
    print!("{}", table.render());
    Ok(())
}

/// An optional value as a cell.
pub fn cell<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_to_their_widest_cell_and_an_empty_table_says_so() {
        let mut t = Table::new(&["id", "name", "note"]);
        t.row(vec!["a".into(), "Bundesamt".into(), "x".into()]);
        t.row(vec!["bbbb".into(), "B".into()]);
        assert_eq!(t.render(), "id    name       note\na     Bundesamt  x\nbbbb  B\n");
        assert_eq!(Table::new(&["id"]).render(), "(none)\n");
    }
}
