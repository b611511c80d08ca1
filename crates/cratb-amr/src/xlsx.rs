//! XLSX files are turned into CSV text (first sheet, `,` separator) and read as CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::problems::Invalid;
use crate::read::format_date;

pub(crate) fn to_csv(bytes: &[u8]) -> Result<Vec<u8>, Invalid> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| Invalid::file(format!("XLSX illisible ({e})")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Invalid::file("le classeur n’a aucune feuille"))?
        .map_err(|e| Invalid::file(format!("première feuille illisible ({e})")))?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in range.rows() {
        let fields = row.iter().map(cell_text);
        writer
            .write_record(fields)
            .map_err(|e| Invalid::file(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| Invalid::file(e.to_string()))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel serial dates count days from 1899-12-30.
        Data::DateTime(d) => {
            let days = d.as_f64().floor() as i32 - 25_569;
            format_date(days)
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}
