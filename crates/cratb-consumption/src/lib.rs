//! Antibiotic consumption surveillance: the WHO ATC/DDD index by edition ([`ddd`]), hospital
//! consumption files and their indicators ([`hospital`]), a region's facts in memory
//! ([`cube`]), the screens' filters resolved against them ([`filters`]), the establishments'
//! figures among their peers ([`peers`], [`figures`]), the programme's targets and their form
//! ([`targets`]), primary care ([`primary`]). No I/O beyond the bytes given.

pub mod cube;
pub mod ddd;
pub mod figures;
pub mod filters;
pub mod hospital;
pub mod indicators;
pub mod peers;
pub mod primary;
pub mod targets;

pub use ddd::{DddTable, Route};
pub use hospital::{By, Indicator, Outcome};

use cratb_sheet::write::{self, Csv, CsvWriter, Workbook, WriteError};

/// The indicators as CSV (`,`-separated, header first), row by row.
pub fn to_csv(by: &[By], rows: &[Indicator]) -> Vec<u8> {
    let mut out = CsvWriter::new(Csv::COMMA);
    out.row(hospital::header(by));
    for r in rows {
        out.cells(&r.cells());
    }
    out.finish()
}

/// The indicators as a JSON array of objects (empty fields as `null`, figures as numbers).
pub fn to_json(by: &[By], rows: &[Indicator]) -> serde_json::Value {
    let header = hospital::header(by);
    serde_json::Value::Array(
        rows.iter()
            .map(|r| write::json_row(&header, r.cells()))
            .collect(),
    )
}

/// The indicators as an XLSX workbook, with a sheet naming the ATC/DDD edition.
pub fn to_xlsx(by: &[By], rows: &[Indicator], edition: &str) -> Result<Vec<u8>, String> {
    let run = || {
        let mut book = Workbook::new();
        book.sheet(
            "DDD",
            &hospital::header(by),
            rows.iter().map(Indicator::cells),
        )?;
        book.notes(
            "Méthode",
            [
                format!("Référentiel : {edition}"),
                "DDD = grammes / DDD OMS de la substance pour la voie".to_string(),
            ],
        )?;
        book.finish()
    };
    run().map_err(|e: WriteError| e.to_string())
}
