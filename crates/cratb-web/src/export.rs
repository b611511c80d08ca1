//! Files as downloads ([`attachment`]); tables the first as CSV (semicolon-separated, UTF-8 with
//! a byte order mark, as French Excel expects) or all as one XLSX workbook, written by
//! `cratb_sheet::write`.

use crate::error::PageError;
use crate::i18n::Lang;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cratb_sheet::write::{self, Csv, Table};

/// A download of `sheets` as `name.csv` (first sheet) or `name.xlsx`; other formats are a 404.
pub fn download(
    name: &str,
    format: &str,
    sheets: impl IntoIterator<Item = Table>,
    lang: Lang,
) -> Result<Response, PageError> {
    let (content_type, body) = match format {
        "csv" => {
            let first = sheets.into_iter().next().expect("a download has a sheet");
            (
                "text/csv; charset=utf-8",
                write::csv(&first, Csv::SPREADSHEET),
            )
        }
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            write::xlsx(sheets).map_err(|e| {
                tracing::error!(error = %e, "xlsx export failed");
                PageError::Internal(lang)
            })?,
        ),
        _ => return Err(PageError::NotFound(lang)),
    };
    Ok(attachment(&format!("{name}.{format}"), content_type, body))
}

/// `body` as a file to save, named `file_name`.
pub fn attachment(file_name: &str, content_type: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_semicolons_and_french_readable_numbers() {
        let s = Table::new(
            "T",
            ["département", "part"],
            vec![
                vec!["Ain".into(), Some(72.46).into()],
                vec!["Cantal".into(), None::<f64>.into()],
            ],
        );
        let text = String::from_utf8(write::csv(&s, Csv::SPREADSHEET)).unwrap();
        assert_eq!(text, "\u{feff}département;part\nAin;72.5\nCantal;\n");
        let book = write::xlsx([s]).unwrap();
        assert!(book.starts_with(b"PK"));
    }
}
