//! Tables as files people open in a spreadsheet: CSV (semicolon-separated, UTF-8 with a byte
//! order mark, as French Excel expects) and XLSX (one sheet per table, numbers as numbers).

use crate::error::PageError;
use crate::i18n::Lang;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A named table: sheet name, header, rows of cells.
pub struct Sheet {
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: text, or a number (written as a number in XLSX).
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            // Not a figure: an empty cell, never `inf` or `NaN`.
            Cell::Number(n) if !n.is_finite() => String::new(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => format!("{n:.1}"),
            Cell::Empty => String::new(),
        }
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
        Cell::Number(n as f64)
    }
}
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Cell {
        n.map_or(Cell::Empty, |x| Cell::Number((x * 10.0).round() / 10.0))
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

/// The first sheet as CSV.
pub fn csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(&mut out);
    let _ = w.write_record(&sheet.header);
    for row in &sheet.rows {
        let _ = w.write_record(row.iter().map(Cell::text));
    }
    drop(w);
    out
}

/// Every sheet in one workbook.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let ws = book.add_worksheet().set_name(s.name)?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t)?,
                    Cell::Number(n) if n.is_finite() => ws.write_number(r, c, *n)?,
                    Cell::Number(_) => ws,
                    Cell::Empty => ws,
                };
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
    }
    book.save_to_buffer()
}

/// A download of `sheets` as `name.csv` (first sheet) or `name.xlsx`; other formats are a 404.
pub fn download(
    name: &str,
    format: &str,
    sheets: &[Sheet],
    lang: Lang,
) -> Result<Response, PageError> {
    let (content_type, body) = match format {
        "csv" => ("text/csv; charset=utf-8", csv(&sheets[0])),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx(sheets).map_err(|e| {
                tracing::error!(error = %e, "xlsx export failed");
                PageError::Internal(lang)
            })?,
        ),
        _ => return Err(PageError::NotFound(lang)),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{format}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_semicolons_and_french_readable_numbers() {
        let s = Sheet {
            name: "T",
            header: vec!["département", "part"],
            rows: vec![
                vec!["Ain".into(), Some(72.46).into()],
                vec!["Cantal".into(), None::<f64>.into()],
            ],
        };
        let text = String::from_utf8(csv(&s)).unwrap();
        assert_eq!(text, "\u{feff}département;part\nAin;72.5\nCantal;\n");
        let book = xlsx(&[s]).unwrap();
        assert!(book.starts_with(b"PK"));
    }
}
