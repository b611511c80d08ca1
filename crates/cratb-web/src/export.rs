//! Files as downloads ([`attachment`]); tables the first as CSV or all as one XLSX workbook,
//! written by `cratb_sheet::write`.
//!
//! Every CSV download takes the one parameter `csv` ([`CsvParam`]): by default the file French
//! Excel opens as is (`;`, decimal comma, UTF-8 with a byte order mark), with
//! `csv=international` the one software set to English and programs read (`,`, decimal point,
//! UTF-8 without a byte order mark). Each page offers both links ([`international`] makes the
//! second).

use crate::error::PageError;
use crate::i18n::Lang;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cratb_sheet::write::{self, Csv, Table};
use serde::Deserialize;

/// How a CSV download is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CsvStyle {
    /// `;`, decimal comma, UTF-8 with a byte order mark: French spreadsheet software.
    #[default]
    French,
    /// `,`, decimal point, UTF-8 without a byte order mark: software set to English, programs.
    International,
}

impl CsvStyle {
    /// The writer's settings.
    pub fn csv(self) -> Csv {
        match self {
            CsvStyle::French => Csv::SPREADSHEET,
            CsvStyle::International => Csv::INTERNATIONAL,
        }
    }

    /// The query parameter that asks for the international CSV, to add to a CSV link.
    pub const INTERNATIONAL: &'static str = "csv=international";
}

/// The `csv` query parameter of every download (read beside the route's own parameters).
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvParam {
    /// `french` (default: `;`, decimal comma, UTF-8 with BOM) or `international` (`,`,
    /// decimal point, UTF-8 without BOM). Only for CSV.
    #[param(inline)]
    pub csv: Option<CsvStyle>,
}

impl CsvParam {
    /// The writer's settings asked for.
    pub fn csv(self) -> Csv {
        self.csv.unwrap_or_default().csv()
    }
}

/// A download of `sheets` as `name.csv` (first sheet, written as `style` asks) or
/// `name.xlsx`; other formats are a 404.
pub fn download(
    name: &str,
    format: &str,
    style: CsvParam,
    sheets: impl IntoIterator<Item = Table>,
    lang: Lang,
) -> Result<Response, PageError> {
    let (content_type, body) = match format {
        "csv" => {
            let first = sheets.into_iter().next().expect("a download has a sheet");
            ("text/csv; charset=utf-8", write::csv(&first, style.csv()))
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

/// `href`, a CSV download's link, asking for the international CSV.
pub fn international(href: &str) -> String {
    let join = if href.contains('?') { '&' } else { '?' };
    format!("{href}{join}{}", CsvStyle::INTERNATIONAL)
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
        let french = CsvParam::default().csv();
        let text = String::from_utf8(write::csv(&s, french)).unwrap();
        assert_eq!(text, "\u{feff}département;part\nAin;72,5\nCantal;\n");
        let international = CsvParam {
            csv: Some(CsvStyle::International),
        };
        let text = String::from_utf8(write::csv(&s, international.csv())).unwrap();
        assert_eq!(text, "département,part\nAin,72.5\nCantal,\n");
        let book = write::xlsx([s]).unwrap();
        assert!(book.starts_with(b"PK"));
    }
}
