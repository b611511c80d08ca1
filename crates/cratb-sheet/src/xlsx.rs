//! The first sheet of an XLSX workbook, read cell by cell (calamine's cell reader, never a
//! dense range: a sheet with one cell at `A1` and one at `XFD1048576` would be 17 billion
//! cells), after its archive has passed [`crate::archive::check`].

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use crate::{Limits, SheetError};

fn unreadable(e: calamine::XlsxError) -> SheetError {
    SheetError::Xlsx(e.to_string())
}

/// A workbook opened, its first sheet's declared dimensions checked.
pub(crate) struct Workbook<'a> {
    book: Xlsx<Cursor<&'a [u8]>>,
    sheet: String,
}

impl<'a> Workbook<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Workbook<'a>, SheetError> {
        crate::archive::check(bytes, limits)?;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
        let sheet = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| SheetError::Xlsx("le classeur n'a aucune feuille".into()))?;
        let dimensions = book
            .worksheet_cells_reader(&sheet)
            .map_err(unreadable)?
            .dimensions();
        // Columns are counted from A (the CSV written has them all); rows from the first one
        // declared, the header.
        let (first, last) = (dimensions.start, dimensions.end);
        let columns = u64::from(last.1) + 1;
        let rows = u64::from(last.0.saturating_sub(first.0)) + 1;
        let cells = rows * (u64::from(last.1.saturating_sub(first.1)) + 1);
        let declared = [
            ("colonnes", columns, limits.max_columns as u64),
            ("lignes de données", rows - 1, limits.max_rows as u64),
            ("cellules", cells, limits.max_cells),
        ];
        for (what, declared, limit) in declared {
            if declared > limit {
                return Err(SheetError::Declared {
                    what,
                    declared,
                    limit,
                });
            }
        }
        Ok(Workbook { book, sheet })
    }

    /// Hands `each` every row holding a non-empty cell, with its line counted from the first
    /// such row (the header, line 1), as a record from column A.
    fn rows(
        mut self,
        limits: &Limits,
        mut each: impl FnMut(usize, &csv::StringRecord) -> Result<(), SheetError>,
    ) -> Result<(), SheetError> {
        let mut reader = self
            .book
            .worksheet_cells_reader(&self.sheet)
            .map_err(unreadable)?;
        let mut first: Option<u32> = None;
        let mut current: Option<u32> = None;
        let mut cells: Vec<(u32, String)> = Vec::new();
        let mut record = csv::StringRecord::new();
        let (mut count, mut text) = (0u64, 0u64);
        let mut rows = 0usize;
        let mut flush = |row: u32, first: u32, cells: &mut Vec<(u32, String)>| {
            rows += 1;
            if rows > limits.max_rows + 1 {
                return Err(SheetError::TooManyRows {
                    limit: limits.max_rows,
                });
            }
            // Cells are written in column order in real files; a stable sort keeps the last
            // of two cells at the same place, as the dense reading did.
            cells.sort_by_key(|(col, _)| *col);
            record.clear();
            let mut next = 0;
            for (i, (col, value)) in cells.iter().enumerate() {
                if cells.get(i + 1).is_some_and(|(c, _)| c == col) {
                    continue;
                }
                while next < *col {
                    record.push_field("");
                    next += 1;
                }
                record.push_field(value);
                next += 1;
            }
            cells.clear();
            each((row - first) as usize + 1, &record)
        };
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (row, col) = cell.get_position();
            let value = text_of(cell.get_value());
            if value.is_empty() {
                continue;
            }
            let first_row = *first.get_or_insert(row);
            let line = row.saturating_sub(first_row) as usize + 1;
            // What no text field may hold (Excel writes it `_x0000_`): refused like in a CSV.
            if value.contains('\0') {
                return Err(SheetError::Unreadable {
                    line,
                    detail: format!(
                        "colonne {} : caractère nul dans la cellule",
                        column_name(col)
                    ),
                });
            }
            if col as usize >= limits.max_columns {
                return Err(SheetError::TooManyColumns {
                    line,
                    found: col as usize + 1,
                    limit: limits.max_columns,
                });
            }
            count += 1;
            if count > limits.max_cells {
                return Err(SheetError::TooManyCells {
                    limit: limits.max_cells,
                });
            }
            text += value.len() as u64;
            if text > limits.max_text_bytes {
                return Err(SheetError::TooMuchText {
                    limit: limits.max_text_bytes,
                });
            }
            match current {
                Some(r) if r == row => {}
                Some(r) if row < r => {
                    return Err(SheetError::RowsOutOfOrder {
                        row: row + 1,
                        after: r + 1,
                    });
                }
                Some(r) => {
                    flush(r, first_row, &mut cells)?;
                    current = Some(row);
                }
                None => current = Some(row),
            }
            cells.push((col, value));
        }
        match (current, first) {
            (Some(r), Some(f)) => flush(r, f, &mut cells),
            _ => Ok(()),
        }
    }

    /// See [`crate::Sheet::for_each_row`].
    pub(crate) fn for_each_row(
        self,
        limits: &Limits,
        mut each: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
    ) -> Result<(), SheetError> {
        let (mut header, mut data) = (false, false);
        self.rows(limits, |line, record| {
            if !header {
                header = true;
                if record.iter().all(|c| c.trim().is_empty()) {
                    return Err(SheetError::NoHeader);
                }
                return each(1, record).map_err(SheetError::Stopped);
            }
            if record.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            data = true;
            each(line, record).map_err(SheetError::Stopped)
        })?;
        match (header, data) {
            (false, _) => Err(SheetError::Empty),
            (true, false) => Err(SheetError::HeaderOnly),
            _ => Ok(()),
        }
    }

    /// See [`crate::Sheet::into_csv`].
    pub(crate) fn into_csv(self, limits: &Limits) -> Result<Vec<u8>, SheetError> {
        let mut out = Vec::new();
        let mut lines = 0;
        self.rows(limits, |line, record| {
            while lines + 1 < line {
                out.push(b'\n');
                lines += 1;
            }
            for (i, field) in record.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if field.contains([',', '"', '\n', '\r']) {
                    out.push(b'"');
                    out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                } else {
                    out.extend_from_slice(field.as_bytes());
                }
            }
            out.push(b'\n');
            lines += 1;
            Ok(())
        })?;
        if out.is_empty() {
            return Err(SheetError::Empty);
        }
        Ok(out)
    }
}

/// A column's letters as the spreadsheet shows them (0 → `A`, 26 → `AA`).
fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell as text: numbers as written (integers without `.0`), dates as `YYYY-MM-DD`.
fn text_of(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            // Excel serial dates count days from 1899-12-30 (25,569 days before 1970-01-01,
            // Julian day 2,440,588).
            let serial = d.as_f64();
            let day = serial.floor() as i64 - 25_569 + 2_440_588;
            match i32::try_from(day)
                .ok()
                .and_then(|j| time::Date::from_julian_day(j).ok())
            {
                Some(date) => format!(
                    "{:04}-{:02}-{:02}",
                    date.year(),
                    u8::from(date.month()),
                    date.day()
                ),
                None => serial.to_string(),
            }
        }
        DataRef::Error(e) => format!("#{e:?}"),
    }
}
