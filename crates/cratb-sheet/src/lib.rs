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
    let text: Vec<u8> = if bytes.starts_with(b"PK\x03\x04") {
        cratb_amr::xlsx_to_csv(bytes)?
    } else {
        bytes.to_vec()
    };
    let text = decode(&text);
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
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|s| s.trim().to_string()).collect(),
        Some(Err(e)) => return Err(format!("ligne 1 illisible : {e}")),
        None => return Err("le fichier est vide".into()),
    };
    if header.iter().all(String::is_empty) {
        return Err("la première ligne doit porter les noms des colonnes".into());
    }
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let mut rows = Vec::new();
    for r in records {
        let r = r.map_err(|e| format!("ligne {} illisible : {e}", rows.len() + 2))?;
        // Blank lines (often at the end of a sheet) are not rows, but keep their place so
        // that line numbers stay those of the file.
        let line = r.position().map_or(rows.len() + 2, |p| {
            line_at(&text, &newlines, p.byte() as usize)
        });
        while rows.len() + 2 < line {
            rows.push(Vec::new());
        }
        if r.iter().all(|c| c.trim().is_empty()) {
            rows.push(Vec::new());
            continue;
        }
        rows.push(r.iter().map(str::to_string).collect());
        if rows.len() > max_rows {
            return Err(format!("plus de {max_rows} lignes : découpez le fichier"));
        }
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    if rows.is_empty() {
        return Err("le fichier n'a que sa ligne d'en-tête".into());
    }
    Ok(Table { header, rows })
}

/// The line (from 1) of the record that starts at `byte`, past any blank lines there.
fn line_at(text: &str, newlines: &[usize], byte: usize) -> usize {
    let start = byte
        + text.as_bytes()[byte.min(text.len())..]
            .iter()
            .take_while(|b| **b == b'\n' || **b == b'\r')
            .count();
    1 + newlines.partition_point(|&n| n < start)
}

/// UTF-8 (a byte order mark is dropped), else Windows-1252.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
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
        assert!(read(b"Nom;Prenom\n").unwrap_err().contains("en-tête"));
    }
}
