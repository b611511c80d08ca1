//! CSV out: a table at once, or rows as they come.

use super::{Cell, Table};

/// How a CSV is written: its separator, and whether it starts with a UTF-8 byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Csv {
    pub separator: u8,
    pub bom: bool,
}

impl Csv {
    /// `;` after a byte order mark: what French spreadsheet software opens as is (the
    /// downloads of the pages).
    pub const SPREADSHEET: Csv = Csv {
        separator: b';',
        bom: true,
    };
    /// `,` without a byte order mark: for programs (the command line's outputs).
    pub const COMMA: Csv = Csv::separated_by(b',');

    /// `separator`, without a byte order mark (a file written back in its own separator).
    pub const fn separated_by(separator: u8) -> Csv {
        Csv {
            separator,
            bom: false,
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
        }
    }

    /// Writes one row of fields.
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
            self.inner
                .write_field(cell.as_text().as_bytes())
                .expect("writing to memory");
        }
        self.inner
            .write_record(None::<&[u8]>)
            .expect("writing to memory");
    }

    /// Writes one row already held as a `csv` record.
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
    fn spreadsheet_csv_has_a_bom_semicolons_and_quotes_where_needed() {
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
            "\u{feff}département;part;n\nAin;72.5;3\n\"a;b\";;\n\"dit \"\"x\"\"\";5.0;false\n"
        );
        assert_eq!(
            String::from_utf8(csv(&t, Csv::COMMA)).unwrap(),
            "département,part,n\nAin,72.5,3\na;b,,\n\"dit \"\"x\"\"\",5.0,false\n"
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
