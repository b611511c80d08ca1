//! CSV out: a table at once, or rows as they come.
//!
//! Text cells are guarded against formula injection (OWASP "CSV injection"): a spreadsheet
//! opening the file would run a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return as a formula (`=HYPERLINK(…)`, `+cmd|…`), so such a text is written after a single
//! quote ([`neutralise_formula`]). Numbers are written as numbers (`-3` from a
//! [`Cell::Integer`] stays `-3`), and so is a text that is only a decimal number (`-12.5`,
//! `-12,5`), which no spreadsheet reads as a formula.

use super::{Cell, Table};
use std::borrow::Cow;

/// How a CSV is written: its separator, whether it starts with a UTF-8 byte order mark, and
/// whether its figures have a decimal comma.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Csv {
    pub separator: u8,
    pub bom: bool,
    /// Figures ([`Cell::Number`]) written `72,5` rather than `72.5`.
    pub decimal_comma: bool,
}

impl Csv {
    /// `;`, a decimal comma, after a byte order mark: what French spreadsheet software (Excel
    /// set to French) opens as is, figures as numbers (the downloads' default).
    pub const SPREADSHEET: Csv = Csv {
        separator: b';',
        bom: true,
        decimal_comma: true,
    };
    /// `,`, a decimal point, without a byte order mark: the downloads' international choice,
    /// for software set to English and for programs.
    pub const INTERNATIONAL: Csv = Csv::separated_by(b',');
    /// `,` and a decimal point, without a byte order mark: the command line's outputs (read by
    /// programs, compared with the AMR package's).
    pub const COMMA: Csv = Csv::separated_by(b',');

    /// `separator`, a decimal point, without a byte order mark (a file written back in its own
    /// separator).
    pub const fn separated_by(separator: u8) -> Csv {
        Csv {
            separator,
            bom: false,
            decimal_comma: false,
        }
    }
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The table as CSV: the header, then its rows. (One table: a workbook's other sheets are for
/// XLSX.)
pub fn csv(table: &Table, format: Csv) -> Vec<u8> {
    let mut out = CsvWriter::new(format);
    if !table.header.is_empty() {
        out.row(&table.header);
    }
    for row in &table.rows {
        out.cells(row);
    }
    out.finish()
}

/// Rows written as they come, quoted where they must be (by the `csv` crate): for outputs too
/// large to be held as cells first. A row is written as it is given, whatever its length.
pub struct CsvWriter {
    inner: ::csv::Writer<Vec<u8>>,
    decimal_comma: bool,
}

impl CsvWriter {
    pub fn new(format: Csv) -> CsvWriter {
        CsvWriter::with_capacity(format, 0)
    }

    /// A writer whose output has room for `bytes` from the start.
    pub fn with_capacity(format: Csv, bytes: usize) -> CsvWriter {
        let mut out = Vec::with_capacity(bytes);
        if format.bom {
            out.extend_from_slice(&BOM);
        }
        CsvWriter {
            inner: ::csv::WriterBuilder::new()
                .delimiter(format.separator)
                .flexible(true)
                .from_writer(out),
            decimal_comma: format.decimal_comma,
        }
    }

    /// Writes one row of fields as they are (a header, or the fields of a file written back
    /// as it was read): unlike [`CsvWriter::cells`], no formula is neutralised.
    #[inline]
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.inner.write_record(fields).expect("writing to memory");
    }

    /// Writes one row of typed cells, as [`csv()`] writes a table's (for rows built one at a
    /// time rather than held as a table).
    pub fn cells(&mut self, row: &[Cell]) {
        for cell in row {
            let text = match cell {
                Cell::Text(t) => neutralise_formula(t),
                Cell::Number(..) if self.decimal_comma => {
                    Cow::Owned(cell.as_text().replace('.', ","))
                }
                _ => cell.as_text(),
            };
            self.inner
                .write_field(text.as_bytes())
                .expect("writing to memory");
        }
        self.inner
            .write_record(None::<&[u8]>)
            .expect("writing to memory");
    }

    /// Writes one row already held as a `csv` record, as it is (a file written back).
    #[inline]
    pub fn byte_record(&mut self, record: &::csv::ByteRecord) {
        self.inner
            .write_byte_record(record)
            .expect("writing to memory");
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.inner.into_inner().expect("writing to memory")
    }
}

/// `text` as a CSV text cell must be written so that no spreadsheet runs it as a formula:
/// after a single quote when it starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// (unless it is only a decimal number, such as `-12.5` or `+3,25`), as it is otherwise.
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` as it was before [`neutralise_formula`]: without the single quote written before a
/// formula's first character, for a sheet of ours read back (the directory's export is its
/// import's format).
pub fn restore_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if neutralise_formula(rest).len() != rest.len() => rest,
        _ => text,
    }
}

/// A sign, digits, and at most one decimal point or comma followed by digits.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = match digits.split_once(['.', ',']) {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// Appends one field to `out`, quoted where it must be (it holds the separator, a quote or a
/// line break): for the few fields a writer adds to lines it copies as they are.
#[inline]
pub fn push_csv_field(out: &mut Vec<u8>, value: &[u8], separator: u8) {
    if value
        .iter()
        .any(|&b| b == separator || b == b'"' || b == b'\n' || b == b'\r')
    {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Decimals};
    use super::*;

    #[test]
    fn spreadsheet_csv_has_a_bom_semicolons_decimal_commas_and_quotes_where_needed() {
        let t = Table::new(
            "T",
            ["département", "part", "n"],
            vec![
                vec!["Ain".into(), Some(72.46).into(), Cell::Integer(3)],
                vec!["a;b".into(), None::<f64>.into(), Cell::Empty],
                vec![
                    "dit \"x\"".into(),
                    Cell::Number(5.0, Decimals::Fixed(1)),
                    Cell::Bool(false),
                ],
            ],
        );
        assert_eq!(
            String::from_utf8(csv(&t, Csv::SPREADSHEET)).unwrap(),
            "\u{feff}département;part;n\nAin;72,5;3\n\"a;b\";;\n\"dit \"\"x\"\"\";5,0;false\n"
        );
        assert_eq!(csv(&t, Csv::INTERNATIONAL), csv(&t, Csv::COMMA));
        assert_eq!(
            String::from_utf8(csv(&t, Csv::COMMA)).unwrap(),
            "département,part,n\nAin,72.5,3\na;b,,\n\"dit \"\"x\"\"\",5.0,false\n"
        );
    }

    #[test]
    fn formulas_in_text_cells_are_written_as_text() {
        let hostile = [
            "=HYPERLINK(\"https://evil.example\",\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "=",
            "-",
            "+",
            "-1e3",
            "- 12",
        ];
        for text in hostile {
            assert_eq!(neutralise_formula(text), format!("'{text}"), "{text:?}");
        }
        for text in [
            "Dupont", "", " =1", "'=1", "12", "-12", "-12.5", "+3,25", "—", "a=b",
        ] {
            assert_eq!(neutralise_formula(text), text, "{text:?}");
        }
        for text in hostile
            .iter()
            .chain(&["Dupont", "'", "'Dupont", "''=1", "-12", "'-12"])
        {
            assert_eq!(
                restore_formula(&neutralise_formula(text)),
                *text,
                "{text:?}"
            );
        }
        let t = Table::new(
            "T",
            ["nom", "n", "x"],
            vec![
                vec![
                    "=HYPERLINK(\"http://x\")".into(),
                    Cell::Integer(-3),
                    Cell::Number(-2.5, Decimals::Fixed(1)),
                ],
                vec!["@SUM(A1)".into(), Cell::Empty, "-4".into()],
            ],
        );
        assert_eq!(
            String::from_utf8(csv(&t, Csv::COMMA)).unwrap(),
            "nom,n,x\n\"'=HYPERLINK(\"\"http://x\"\")\",-3,-2.5\n'@SUM(A1),,-4\n"
        );
        let mut w = CsvWriter::new(Csv::SPREADSHEET);
        w.cells(&["+cmd|x".into(), "\t-1".into()]);
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "\u{feff}'+cmd|x;'\t-1\n"
        );
    }

    #[test]
    fn rows_as_they_come() {
        let mut w = CsvWriter::new(Csv::separated_by(b'\t'));
        w.row(["a", "b c"]);
        w.row([&b"1"[..], b"x\ty", b""]);
        w.byte_record(&::csv::ByteRecord::from(vec!["z"]));
        assert_eq!(w.finish(), b"a\tb c\n1\t\"x\ty\"\t\nz\n");
        let mut out = b"a,".to_vec();
        push_csv_field(&mut out, b"x,\"y\"", b',');
        push_csv_field(&mut out, b"plain", b';');
        assert_eq!(out, b"a,\"x,\"\"y\"\"\"plain");
    }
}
