//! Spreadsheets as people keep them, for every import of the platform: a CSV (`;`, `,` or tab; UTF-8, with or without a byte
//! order mark, or Windows-1252 as older Excel writes it) or the first sheet of an XLSX, read
//! into a header and rows of text.

/// A sheet: its header and its rows (line `n` of the file is `rows[n - 2]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The cell of `row` in column `col` (empty when the row is short).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).map_or("", |s| s.trim())
    }
}

/// Reads a CSV or XLSX file (told apart by content, not by name). The message says what is
/// wrong, in French.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    read_at_most(bytes, usize::MAX)
}

/// [`read`], refusing a sheet of more than `max_rows` rows.
pub fn read_at_most(bytes: &[u8], max_rows: usize) -> Result<Table, String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = Vec::new();
    for_each_row(bytes, |line, cells| {
        if line == 1 {
            header = cells.iter().map(|s| s.trim().to_string()).collect();
            return Ok(());
        }
        // Blank lines keep their place, so that line numbers stay those of the file.
        while rows.len() + 2 < line {
            rows.push(Vec::new());
        }
        rows.push(cells.iter().map(str::to_string).collect());
        if rows.len() > max_rows {
            return Err(format!("plus de {max_rows} lignes : découpez le fichier"));
        }
        Ok(())
    })?;
    Ok(Table { header, rows })
}

/// Streams a CSV or XLSX file: hands `each` the header (line 1), then each non-blank row with
/// its line in the file, without holding the rows (a file of millions of lines is read in one
/// pass). `each` may stop the reading with its own message.
pub fn for_each_row(
    bytes: &[u8],
    mut each: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
) -> Result<(), String> {
    let converted;
    let bytes = if bytes.starts_with(b"PK\x03\x04") {
        converted = cratb_amr::xlsx_to_csv(bytes)?;
        &converted[..]
    } else {
        bytes
    };
    let text = decode(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err("le fichier est vide".into()),
        Err(e) => return Err(format!("ligne 1 illisible : {e}")),
    };
    if record.iter().all(|c| c.trim().is_empty()) {
        return Err("la première ligne doit porter les noms des colonnes".into());
    }
    each(1, &record)?;
    let mut lines = Lines::new(text.as_bytes());
    let mut any = false;
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(format!("ligne {} illisible : {e}", lines.line_at(at)));
            }
        }
        let line = lines.line_at(record.position().map_or(at, |p| p.byte() as usize));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        any = true;
        each(line, &record)?;
    }
    if !any {
        return Err("le fichier n'a que sa ligne d'en-tête".into());
    }
    Ok(())
}

/// Line numbers of byte offsets met in increasing order, counting newlines once.
struct Lines<'a> {
    text: &'a [u8],
    scanned: usize,
    newlines: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            scanned: 0,
            newlines: 0,
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
            self.newlines += self.text[self.scanned..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.scanned = start;
        }
        1 + self.newlines
    }
}

/// UTF-8 (a byte order mark is dropped; the text is not copied), else Windows-1252.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
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
    use super::*;

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
        assert!(read(b"").unwrap_err().contains("vide"));
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
        let stop = for_each_row(b"a\n1\n2\n", |line, _| {
            if line == 3 {
                Err("arrêt".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(stop.unwrap_err(), "arrêt");
        assert!(read(b"Nom;Prenom\n").unwrap_err().contains("en-tête"));
    }
}
