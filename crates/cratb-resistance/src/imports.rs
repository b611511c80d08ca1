//! The records of isolate imports, as listed and as an import reports: what was read, kept and
//! skipped, and each problem of a file with its place and a message in both languages.

use serde::Serialize;
use time::OffsetDateTime;

/// An import, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Import {
    pub id: i64,
    pub region_code: String,
    pub establishment_id: Option<i64>,
    pub establishment_name: Option<String>,
    pub filename: String,
    pub guideline: String,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_skipped: i64,
    pub imported_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A problem in an imported file, with its place and a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// Line in the file (1 = header; the spreadsheet row for XLSX).
    pub line: usize,
    /// Column as named in the file's header (empty for the whole line or file).
    pub column: String,
    pub value: String,
    pub message: String,
    pub message_en: String,
}

impl ImportProblem {
    /// A problem the reader found, with its message in both languages.
    pub fn of(p: &cratb_amr::Problem) -> ImportProblem {
        ImportProblem {
            line: p.line,
            column: p.column.clone(),
            value: p.value.clone(),
            message: p.message(cratb_domain::Lang::Fr),
            message_en: p.message(cratb_domain::Lang::En),
        }
    }
    pub fn message(&self, lang: cratb_domain::Lang) -> &str {
        lang.pick(&self.message, &self.message_en)
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub import_id: i64,
    pub rows_read: usize,
    pub rows_imported: usize,
    pub rows_skipped: usize,
    /// Exactly what was skipped (with `skip_invalid`), at most 1,000 listed.
    pub skipped: Vec<ImportProblem>,
    pub guideline: String,
}
