//! Tables out: every export of the platform (downloads, the command line's outputs, the
//! antibiogram, the consumption indicators, the audit log, files written back) writes its rows
//! here, so that a figure is written the same way wherever it goes.
//!
//! A [`Table`] is a name, a header and rows of typed [`Cell`]s; it is written as CSV
//! ([`csv()`], with the separator and byte order mark of a [`Csv`]), as an XLSX workbook of
//! one sheet per table ([`xlsx()`]: bold header, frozen first row, fitted columns, numbers as
//! numbers), as JSON objects ([`json_rows`]) or, with the `parquet` feature, as a Parquet file
//! (`parquet`, columns typed by a [`ParquetColumn`] each). Rows too many to be held first go
//! out as they are built, through the same rules: a [`CsvWriter`] (typed cells, or the fields
//! of a file written back), a [`Workbook`] sheet, a [`json_row`].
//!
//! A text cell never becomes a formula: CSV writes one that starts like a formula (`=`, `+`,
//! `-`, `@`, tab, carriage return) after a single quote ([`neutralise_formula`]); XLSX writes
//! text as text.
//!
//! A number reads the same in every format, rounded by the one rule of [`round`] (half away
//! from zero on the value as written: `0.125` with two decimals is `0.13`): CSV writes its text
//! (with a decimal comma in the French [`Csv::SPREADSHEET`]), JSON and Parquet hold the value
//! its text shows (`72.46` written with one decimal is 72.5), and an XLSX cell holds the figure
//! at full precision under a number format that shows the same decimals (72.46 shown `72.5`).
//! A value that is not a figure (infinite, NaN) is an empty cell, never `inf` or `NaN`.

mod csv;
mod json;
#[cfg(feature = "parquet")]
mod parquet;
pub mod round;
mod xlsx;

use std::borrow::Cow;

pub use self::csv::{Csv, CsvWriter, csv, neutralise_formula, push_csv_field, restore_formula};
pub use self::json::{json_row, json_rows};
#[cfg(feature = "parquet")]
pub use self::parquet::parquet;
pub use self::xlsx::{Workbook, xlsx};

/// A named table: sheet name, header, rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name in a workbook (the schema's in a Parquet file).
    pub name: String,
    /// Column names. A table without one is a sheet of notes (a method, sources): written from
    /// its first row, its columns left as they are.
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table of `rows` under `header`.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        header: impl IntoIterator<Item = S>,
        rows: Vec<Vec<Cell>>,
    ) -> Table {
        Table {
            name: name.into(),
            header: header.into_iter().map(Into::into).collect(),
            rows,
        }
    }

    /// A sheet of notes: one line of text a row, no header.
    pub fn notes<S: Into<String>>(
        name: impl Into<String>,
        lines: impl IntoIterator<Item = S>,
    ) -> Table {
        Table {
            name: name.into(),
            header: Vec::new(),
            rows: lines
                .into_iter()
                .map(|l| vec![Cell::Text(l.into())])
                .collect(),
        }
    }
}

/// A cell: text, a whole number, a figure written with its decimals, a yes/no, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    /// A figure and how many decimals it is written with.
    Number(f64, Decimals),
    /// Written `true` or `false` (in XLSX too, as text, so that the sheet reads like the CSV);
    /// a boolean in JSON and Parquet.
    Bool(bool),
}

/// How many decimals a [`Cell::Number`] is written with. The figure is kept as it is given
/// and rounded where it is written, by [`round::fixed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimals {
    /// Always this many: `72.50`, `100.0`.
    Fixed(u8),
    /// None when the figure is whole (`72`), else this many (`72.5`).
    UnlessWhole(u8),
}

impl Cell {
    /// Text, or an empty cell when there is none (JSON writes `null` rather than `""`).
    pub fn text_or_empty(text: String) -> Cell {
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text)
        }
    }

    /// The cell as CSV writes it.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(t),
            Cell::Integer(n) => Cow::Owned(n.to_string()),
            // Not a figure: an empty cell, never `inf` or `NaN`.
            Cell::Number(x, decimals) => Cow::Owned(number_text(*x, *decimals).unwrap_or_default()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }

    /// The number the cell shows, as JSON and Parquet hold it: a figure as its text reads
    /// (rounded to its decimals), none for text or a value that is not a figure.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Integer(n) => Some(*n as f64),
            Cell::Number(x, _) if x.is_finite() => self.as_text().parse().ok(),
            _ => None,
        }
    }
}

/// A figure's text with its decimals (a point before them), rounded by [`round::fixed`]:
/// `UnlessWhole` drops them when they are all zeros once rounded (`72.96` with one is `73`).
fn number_text(x: f64, decimals: Decimals) -> Option<String> {
    match decimals {
        Decimals::Fixed(d) => round::fixed(x, d),
        Decimals::UnlessWhole(d) => round::fixed(x, d).map(|mut s| {
            if let Some(point) = s.find('.')
                && s[point + 1..].bytes().all(|b| b == b'0')
            {
                s.truncate(point);
            }
            s
        }),
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Integer(n)
    }
}
/// A figure of the pages: written with one decimal (`72.5`, `72` when whole once rounded),
/// empty when absent.
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Cell {
        n.map_or(Cell::Empty, |x| Cell::Number(x, Decimals::UnlessWhole(1)))
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[cfg(feature = "parquet")]
    #[error(transparent)]
    Parquet(#[from] ::parquet::errors::ParquetError),
    /// A cell that its Parquet column cannot hold (a mistake of the caller's, not of the data).
    #[error(
        "colonne « {column} », ligne {row} : {found:?} ne va pas dans une colonne {expected:?}"
    )]
    Column {
        column: String,
        row: usize,
        found: Cell,
        expected: ParquetColumn,
    },
}

/// What a Parquet column holds: its type, and whether a cell may be empty. (CSV, XLSX and JSON
/// need no schema: each cell carries its type.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetColumn {
    pub kind: ParquetType,
    pub optional: bool,
}

/// The types of Parquet column a table is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetType {
    /// UTF-8 text.
    Text,
    /// A whole number that fits in 32 bits.
    Int32,
    /// A figure (as its text shows it).
    Double,
    Bool,
}

impl ParquetColumn {
    /// A column every row fills.
    pub const fn required(kind: ParquetType) -> ParquetColumn {
        ParquetColumn {
            kind,
            optional: false,
        }
    }
    /// A column whose cells may be empty.
    pub const fn optional(kind: ParquetType) -> ParquetColumn {
        ParquetColumn {
            kind,
            optional: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_with_their_decimals() {
        let text = |c: Cell| c.as_text().into_owned();
        assert_eq!(text(Cell::Number(72.46, Decimals::UnlessWhole(1))), "72.5");
        assert_eq!(text(Cell::Number(72.0, Decimals::UnlessWhole(1))), "72");
        assert_eq!(text(Cell::Number(72.0, Decimals::Fixed(1))), "72.0");
        assert_eq!(text(Cell::Number(1234.0, Decimals::UnlessWhole(2))), "1234");
        assert_eq!(text(Cell::Number(12.345, Decimals::Fixed(2))), "12.35");
        // One rounding rule: ties away from zero, on the value as written.
        assert_eq!(text(Cell::Number(62.5, Decimals::Fixed(0))), "63");
        assert_eq!(text(Cell::Number(0.125, Decimals::Fixed(2))), "0.13");
        assert_eq!(text(Cell::Number(1.005, Decimals::Fixed(2))), "1.01");
        assert_eq!(text(Cell::Number(72.96, Decimals::UnlessWhole(1))), "73");
        assert_eq!(text(Cell::Number(72.50, Decimals::UnlessWhole(2))), "72.50");
        assert_eq!(text(Some(72.96).into()), "73");
        assert_eq!(text(Cell::Number(f64::NAN, Decimals::Fixed(2))), "");
        assert_eq!(text(Cell::Number(f64::INFINITY, Decimals::Fixed(2))), "");
        assert_eq!(text(Cell::Integer(-3)), "-3");
        assert_eq!(text(Cell::Bool(true)), "true");
        assert_eq!(text(Some(72.46).into()), "72.5");
        assert_eq!(text(None::<f64>.into()), "");
    }

    #[test]
    fn a_number_is_the_value_its_text_shows() {
        assert_eq!(
            Cell::Number(72.46, Decimals::UnlessWhole(1)).number(),
            Some(72.5)
        );
        assert_eq!(Cell::Number(0.125, Decimals::Fixed(2)).number(), Some(0.13));
        assert_eq!(Cell::Number(62.5, Decimals::Fixed(0)).number(), Some(63.0));
        assert_eq!(Cell::Integer(7).number(), Some(7.0));
        assert_eq!(Cell::Number(f64::NAN, Decimals::Fixed(1)).number(), None);
        assert_eq!(Cell::Text("7".into()).number(), None);
    }
}
