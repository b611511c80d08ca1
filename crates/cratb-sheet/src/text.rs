//! CSV files: checked to be text, then streamed record by record from the bytes as received
//! (no decoded copy of the file: Windows-1252 is decoded one record at a time).

use crate::{Limits, SheetError};

/// Refuses what is not a CSV: an empty file, a known binary format, a file with NUL bytes or
/// control characters (random bytes, a PDF, a word-processor document…).
pub(crate) fn check(bytes: &[u8]) -> Result<(), SheetError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(SheetError::NotASheet("texte en UTF-16"));
    }
    let known: [(&[u8], &'static str); 5] = [
        (
            b"\xD0\xCF\x11\xE0",
            "classeur Excel 97-2003 (.xls) ou protégé par mot de passe",
        ),
        (b"%PDF", "document PDF"),
        (b"\x1F\x8B", "archive compressée gzip"),
        (b"PK\x05\x06", "archive ZIP vide"),
        (b"\x89PNG", "image PNG"),
    ];
    if let Some((_, what)) = known.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(SheetError::NotASheet(what));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(SheetError::Empty);
    }
    // Tab, line ends and form feed occur in real exports, and DOS-era tools end a file with
    // Ctrl-Z; any other control character means the file is not text.
    let end = body.len() - usize::from(body.ends_with(b"\x1A"));
    let bad = body[..end]
        .iter()
        .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C));
    if let Some(at) = bad {
        if memchr::memchr(0, body).is_some() {
            return Err(SheetError::NotASheet("il contient des octets nuls"));
        }
        return Err(SheetError::ControlCharacter {
            line: 1 + memchr::memchr_iter(b'\n', &body[..at]).count(),
            byte: body[at],
        });
    }
    Ok(())
}

/// Refuses a header of more than `limits.max_columns` columns (for readers of the whole text,
/// which size their columns from it).
pub(crate) fn check_header(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let header = Limits {
        max_rows: usize::MAX,
        ..limits.clone()
    };
    let stop = "l'en-tête suffit";
    match for_each_row(bytes, &header, |_, _| Err(stop.into())) {
        Err(SheetError::Stopped(s)) if s == stop => Ok(()),
        Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Streams a CSV checked by [`check`]: the header (line 1), then each non-blank row.
pub(crate) fn for_each_row(
    bytes: &[u8],
    limits: &Limits,
    mut each: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
) -> Result<(), SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = std::str::from_utf8(bytes).is_ok();
    let first = &bytes[..memchr::memchr(b'\n', bytes).unwrap_or(bytes.len())];
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut raw = csv::ByteRecord::new();
    let mut record = csv::StringRecord::new();
    let mut lines = Lines::new(bytes);
    let mut rows = 0;
    loop {
        let at = reader.position().byte() as usize;
        let more = if utf8 {
            reader.read_record(&mut record)
        } else {
            reader.read_byte_record(&mut raw)
        };
        let line = match more {
            Ok(true) => lines.line_at(
                match utf8 {
                    true => record.position(),
                    false => raw.position(),
                }
                .map_or(at, |p| p.byte() as usize),
            ),
            Ok(false) => break,
            Err(e) => {
                return Err(SheetError::Unreadable {
                    line: lines.line_at(at),
                    detail: e.to_string(),
                });
            }
        };
        if !utf8 {
            record.clear();
            for field in &raw {
                record.push_field(&field.iter().map(|&b| windows_1252(b)).collect::<String>());
            }
        }
        let used = (0..record.len())
            .rev()
            .find(|&i| !record[i].trim().is_empty())
            .map_or(0, |i| i + 1);
        if used > limits.max_columns {
            return Err(SheetError::TooManyColumns {
                line,
                found: used,
                limit: limits.max_columns,
            });
        }
        if lines.header_pending {
            lines.header_pending = false;
            if used == 0 {
                return Err(SheetError::NoHeader);
            }
            each(1, &record).map_err(SheetError::Stopped)?;
            continue;
        }
        if used == 0 {
            continue;
        }
        rows += 1;
        if rows > limits.max_rows {
            return Err(SheetError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        each(line, &record).map_err(SheetError::Stopped)?;
    }
    match (lines.header_pending, rows) {
        (true, _) => Err(SheetError::Empty),
        (false, 0) => Err(SheetError::HeaderOnly),
        _ => Ok(()),
    }
}

/// Line numbers of byte offsets met in increasing order, counting newlines once.
struct Lines<'a> {
    text: &'a [u8],
    scanned: usize,
    newlines: usize,
    /// No record read yet: the first is the header, wherever it starts.
    header_pending: bool,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            scanned: 0,
            newlines: 0,
            header_pending: true,
        }
    }

    /// The line (from 1) of the record that starts at `byte`, past any blank lines there.
    fn line_at(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        let start = byte
            + self.text[byte..]
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .count();
        if start >= self.scanned {
            self.newlines += memchr::memchr_iter(b'\n', &self.text[self.scanned..start]).count();
            self.scanned = start;
        }
        1 + self.newlines
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Limits, SheetError, for_each_row, read};

    #[test]
    fn csv_in_every_usual_shape() {
        let t = read("\u{feff}Nom;Prénom\nDurand;Élise\n\n;\n".as_bytes()).unwrap();
        assert_eq!(t.header, ["Nom", "Prénom"]);
        assert_eq!(
            t.rows,
            vec![vec!["Durand".to_string(), "Élise".to_string()]]
        );
        let t = read(b"Nom,Pr\xe9nom\nDurand,\xc9lise\n").unwrap();
        assert_eq!(t.header[1], "Prénom");
        assert_eq!(t.cell(0, 1), "Élise");
        let t = read(b"a\tb\n1\t2\n\n3\t4\n").unwrap();
        assert_eq!(t.rows.len(), 3, "the blank line keeps its place");
        assert_eq!(t.cell(2, 1), "4");
        assert_eq!(t.cell(1, 0), "");
        // Lines are the file's, past blank lines and CRLF endings.
        let mut seen = Vec::new();
        for_each_row(b"a;b\r\n\r\n1;2\r\n3;\"x\ny\"\r\n\r\n5;6\r\n", |line, r| {
            seen.push((line, r.get(0).unwrap().to_string()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                (1, "a".into()),
                (3, "1".into()),
                (4, "3".into()),
                (7, "5".into())
            ]
        );
        // A form feed and a final Ctrl-Z, as old exports write them, are text.
        assert!(read(b"a;b\n1;\x0c2\n\x1a").is_ok());
    }

    #[test]
    fn what_is_not_a_csv_is_refused_with_its_reason() {
        let msg = |bytes: &[u8]| read(bytes).unwrap_err();
        assert_eq!(msg(b""), "le fichier est vide");
        assert_eq!(msg(b"\xEF\xBB\xBF \r\n"), "le fichier est vide");
        assert!(msg(b"Nom;Prenom\n").contains("que sa ligne d'en-tête"));
        assert!(msg(b"Nom;Prenom\n;\n\n").contains("que sa ligne d'en-tête"));
        assert!(msg(b"a;b\n1;\x002\n").contains("octets nuls"));
        assert_eq!(
            msg(b"a;b\n1;2\n3;\x074\n"),
            "ligne 3 : caractère de contrôle 0x07 : ce fichier n'est pas un texte CSV \
             (enregistrez-le depuis le tableur en CSV ou en XLSX)"
        );
        assert!(msg(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").contains("Excel 97-2003"));
        assert!(msg(b"\xFF\xFEa\0;\0").contains("UTF-16"));
        assert!(msg(b"%PDF-1.7\n").contains("PDF"));
    }

    #[test]
    fn rows_and_columns_are_bounded() {
        let limits = Limits {
            max_rows: 2,
            max_columns: 3,
            ..Limits::default()
        };
        let read = |bytes: &[u8]| {
            crate::Sheet::open(bytes, &limits)
                .and_then(|s| s.for_each_row(|_, _| Ok(())))
                .map_err(|e| e.to_string())
        };
        assert!(read(b"a;b;c\n1;2;3\n\n4;5;6\n").is_ok());
        assert_eq!(
            read(b"a;b;c\n1;2;3\n4;5;6\n7;8;9\n").unwrap_err(),
            "plus de 2 lignes : découpez le fichier"
        );
        assert_eq!(
            read(b"a;b;c\n1;2;3;4\n").unwrap_err(),
            "ligne 2 : 4 colonnes : au plus 3 colonnes"
        );
        // Empty trailing fields, as spreadsheets export them, are not columns.
        assert!(read(b"a;b;c;;;;;;\n1;2;3;;;;;\n").is_ok());
        assert!(matches!(
            crate::Sheet::open(b"a;b\n;\n", &limits)
                .unwrap()
                .for_each_row(|_, _| Ok(())),
            Err(SheetError::HeaderOnly)
        ));
    }
}
