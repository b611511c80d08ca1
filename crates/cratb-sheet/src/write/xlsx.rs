//! XLSX out: one sheet per table.

use rust_xlsxwriter::Format;

use super::{Cell, Table, WriteError};

/// Every table as a sheet of one workbook (see [`Workbook::sheet`]). The tables are taken: each
/// row is let go once in the workbook.
pub fn xlsx(tables: impl IntoIterator<Item = Table>) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    for table in tables {
        book.sheet(&table.name, &table.header, table.rows)?;
    }
    book.finish()
}

/// A workbook written sheet by sheet, for rows built one at a time rather than held as a
/// table (a sheet of indicators as large as XLSX allows).
pub struct Workbook {
    book: rust_xlsxwriter::Workbook,
    bold: Format,
}

impl Default for Workbook {
    fn default() -> Self {
        Workbook::new()
    }
}

impl Workbook {
    pub fn new() -> Workbook {
        Workbook {
            book: rust_xlsxwriter::Workbook::new(),
            bold: Format::new().set_bold(),
        }
    }

    /// Adds a sheet: the header in bold and frozen, the columns fitted to their content, numbers
    /// as numbers (a figure as its text shows it), yes/no as the text `true`/`false`. Without a
    /// header (notes), the rows are written from the first, the columns left as they are.
    pub fn sheet<S: AsRef<str>>(
        &mut self,
        name: &str,
        header: &[S],
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<(), WriteError> {
        let sheet = self.book.add_worksheet().set_name(name)?;
        let first = u32::from(!header.is_empty());
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h.as_ref(), &self.bold)?;
        }
        for (r, row) in rows.into_iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + first, c as u16);
                match cell {
                    // An empty text is no cell either.
                    Cell::Text(t) => sheet.write_string(r, c, t)?,
                    Cell::Bool(_) => sheet.write_string(r, c, cell.as_text())?,
                    Cell::Integer(_) | Cell::Number(..) => match cell.number() {
                        Some(x) => sheet.write_number(r, c, x)?,
                        None => sheet,
                    },
                    Cell::Empty => sheet,
                };
            }
        }
        if first == 1 {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofit();
        }
        Ok(())
    }

    /// Adds a sheet of notes: one line of text a row (see [`Table::notes`]).
    pub fn notes<S: Into<String>>(
        &mut self,
        name: &str,
        lines: impl IntoIterator<Item = S>,
    ) -> Result<(), WriteError> {
        let rows = lines.into_iter().map(|l| vec![Cell::Text(l.into())]);
        self.sheet::<&str>(name, &[], rows)
    }

    /// The workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, WriteError> {
        Ok(self.book.save_to_buffer()?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Decimals;
    use super::*;

    #[test]
    fn a_workbook_of_sheets() {
        let t = Table::new(
            "Données",
            ["a", "b"],
            vec![vec!["x".into(), Cell::Number(1.25, Decimals::Fixed(1))]],
        );
        let book = xlsx([t, Table::notes("Méthode", ["une ligne"])]).unwrap();
        assert!(book.starts_with(b"PK"));
        let read = crate::read(&book).unwrap();
        assert_eq!(read.header, ["a", "b"]);
        assert_eq!(read.rows, [["x", "1.2"]]);
    }
}
