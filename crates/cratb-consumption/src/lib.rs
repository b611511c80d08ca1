//! Antibiotic consumption surveillance: the WHO ATC/DDD index by edition ([`ddd`]), hospital
//! consumption files and their indicators ([`hospital`]). No I/O beyond the bytes given.

pub mod cube;
pub mod ddd;
pub mod hospital;
pub mod indicators;
pub mod peers;
pub mod primary;
pub mod targets;

pub use ddd::{DddTable, Route};
pub use hospital::{By, Indicator, Outcome};

/// The indicators as CSV (`,`-separated, header first).
pub fn to_csv(by: &[By], rows: &[Indicator]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(hospital::header(by));
    for r in rows {
        let _ = w.write_record(r.fields());
    }
    w.into_inner().unwrap_or_default()
}

/// The indicators as a JSON array of objects (empty fields as `null`, figures as numbers).
pub fn to_json(by: &[By], rows: &[Indicator]) -> serde_json::Value {
    let header = hospital::header(by);
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                let fields = r.fields();
                let object = header
                    .iter()
                    .zip(fields)
                    .enumerate()
                    .map(|(i, (h, v))| {
                        let value = if v.is_empty() {
                            serde_json::Value::Null
                        } else if i > by.len() {
                            v.parse::<f64>()
                                .map(serde_json::Value::from)
                                .unwrap_or(serde_json::Value::String(v))
                        } else {
                            serde_json::Value::String(v)
                        };
                        (h.to_string(), value)
                    })
                    .collect();
                serde_json::Value::Object(object)
            })
            .collect(),
    )
}

/// The indicators as an XLSX workbook, with a sheet naming the ATC/DDD edition.
pub fn to_xlsx(by: &[By], rows: &[Indicator], edition: &str) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let run = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet().set_name("DDD")?;
        for (c, h) in hospital::header(by).iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.fields().iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match v.parse::<f64>() {
                    Ok(x) if c as usize > by.len() => sheet.write_number(r, c, x)?,
                    _ if v.is_empty() => sheet,
                    _ => sheet.write_string(r, c, v)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
        let about = book.add_worksheet().set_name("Méthode")?;
        about.write_string(0, 0, format!("Référentiel : {edition}"))?;
        about.write_string(1, 0, "DDD = grammes / DDD OMS de la substance pour la voie")?;
        book.save_to_buffer()
    };
    run().map_err(|e| e.to_string())
}
