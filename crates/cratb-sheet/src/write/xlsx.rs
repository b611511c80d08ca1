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
    /// The number formats of figures, by how many decimals they show (`0`, `0.0`, `0.00`…).
    figures: Vec<Format>,
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
            figures: Vec::new(),
        }
    }

    /// Adds a sheet: the header in bold and frozen, the columns fitted to their content, numbers
    /// as numbers (a figure at full precision, under a number format showing the decimals its
    /// CSV text has: 0.923 with one decimal is held 0.923 and shown `0.9`), yes/no as the text
    /// `true`/`false`. Without a header (notes), the rows are written from the first, the
    /// columns left as they are.
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
                    Cell::Integer(n) => sheet.write_number(r, c, *n as f64)?,
                    Cell::Number(x, _) if x.is_finite() => {
                        // The decimals its text shows (none for `72` of `UnlessWhole`).
                        let text = cell.as_text();
                        let shown = text.find('.').map_or(0, |p| text.len() - p - 1);
                        while self.figures.len() <= shown {
                            let zeros = "0".repeat(self.figures.len());
                            let pattern = if zeros.is_empty() {
                                "0".to_string()
                            } else {
                                format!("0.{zeros}")
                            };
                            self.figures.push(Format::new().set_num_format(pattern));
                        }
                        sheet.write_number_with_format(r, c, *x, &self.figures[shown])?
                    }
                    Cell::Number(..) => sheet,
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
        assert_eq!(read.rows, [["x", "1.25"]]);
    }

    /// The value read back from the file itself (calamine), not the text it is shown as.
    fn stored(book: &[u8], row: u32, col: u32) -> calamine::Data {
        use calamine::Reader as _;
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(book)).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range.get_value((row, col)).cloned().unwrap()
    }

    #[test]
    fn a_figure_keeps_its_full_precision_under_a_number_format() {
        let t = Table::new(
            "T",
            ["share", "rate", "whole", "n"],
            vec![vec![
                Cell::Number(0.923, Decimals::Fixed(1)),
                Some(16.666_666).into(),
                Cell::Number(72.96, Decimals::UnlessWhole(1)),
                Cell::Integer(12),
            ]],
        );
        let book = xlsx([t]).unwrap();
        assert_eq!(stored(&book, 1, 0), calamine::Data::Float(0.923));
        assert_eq!(stored(&book, 1, 1), calamine::Data::Float(16.666_666));
        assert_eq!(stored(&book, 1, 2), calamine::Data::Float(72.96));
        assert_eq!(stored(&book, 1, 3), calamine::Data::Float(12.0));
        // Each shown with the decimals of its CSV text: `0.9`, `16.7`, `73`.
        let styles = {
            use std::io::Read as _;
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&book)).unwrap();
            let mut xml = String::new();
            zip.by_name("xl/styles.xml")
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
            xml
        };
        assert!(styles.contains(r#"formatCode="0.0""#), "{styles}");
    }
}
