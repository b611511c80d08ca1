//! Spreadsheets in and tables out, guarded against hostile files: every import of the platform
//! (directory sheets, susceptibility files through `cratb-amr`, consumption and denominator
//! files, ATC/DDD editions, primary-care dispensations and populations) opens its file here.
//!
//! A file is a CSV (`;`, `,` or tab; UTF-8, with or without a byte order mark, or
//! Windows-1252 as older Excel writes it) or the first sheet of an XLSX workbook, told apart by
//! content, not by name. Before anything is allocated for it, a file is checked against
//! [`Limits`]: an XLSX's archive (entries, declared and actual decompressed sizes, the size of
//! every XML node, the strings and styles the workbook keeps in memory) and its declared
//! dimensions; then its cells are read one by one, never into a dense range, counting rows,
//! columns, cells and text. A CSV must be text (no NUL byte or control character) with a
//! header and at least one row. Errors are [`SheetError`]s with a message in French that says
//! what is wrong and what the limit is.
//!
//! Tables out are written by [`write`]: CSV, XLSX, JSON and (feature `parquet`) Parquet,
//! for every export.
//!
//! Not here: what the columns mean (each import reads its own, each export names its own).

mod archive;
mod text;
pub mod write;
mod xlsx;

use std::borrow::Cow;

/// What a file may hold; every check is made before the memory it bounds is allocated.
///
/// The defaults are sized for the largest real files (a region's three years of consumption
/// by ward type, 6.5 million CSV rows; a laboratory's isolates with a few hundred antimicrobial
/// columns; an XLSX holds at most 1,048,576 rows anyway) and keep the reading of any one
/// uploaded file, bounded by its request size, well under 1 GiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Data rows (the header excluded).
    pub max_rows: usize,
    /// Columns of a row (of the header too); for an XLSX, the last column used, counted from A.
    pub max_columns: usize,
    /// Non-empty cells of an XLSX sheet, and the cells its dimension declares.
    pub max_cells: u64,
    /// Text of all the cells of an XLSX sheet, in bytes (what a shared string repeated in many
    /// cells would multiply).
    pub max_text_bytes: u64,
    /// Entries of an XLSX archive.
    pub max_parts: usize,
    /// Bytes of an XLSX once decompressed: the sizes its entries declare, and what they hold.
    pub max_decompressed_bytes: u64,
    /// Bytes of one XML node (a tag, or the text between two tags) in an XLSX: what the XML
    /// reader holds at once.
    pub max_node_bytes: u64,
    /// Bytes of one shared or inline string of an XLSX (rich text joins several nodes).
    pub max_string_bytes: u64,
    /// Shared strings, styles, fonts, fills, borders, number formats, sheets, defined names and
    /// relationships of an XLSX: what the workbook keeps in memory while its sheet is read.
    pub max_records: u64,
    /// Bytes of those records, in the archive's XML.
    pub max_record_bytes: u64,
}

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 10_000_000,
            max_columns: 500,
            max_cells: 50_000_000,
            max_text_bytes: 256 * MIB,
            max_parts: 10_000,
            max_decompressed_bytes: 512 * MIB,
            max_node_bytes: MIB,
            max_string_bytes: 16 * MIB,
            max_records: 5_000_000,
            max_record_bytes: 128 * MIB,
        }
    }
}

/// Why a file cannot be read; `Display` is the message, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("le fichier est vide")]
    Empty,
    #[error("la première ligne doit porter les noms des colonnes")]
    NoHeader,
    #[error("le fichier n'a que sa ligne d'en-tête : aucune ligne de données")]
    HeaderOnly,
    #[error(
        "ce fichier n'est ni un CSV ni un classeur XLSX ({0}) : enregistrez-le depuis le tableur en CSV ou en XLSX"
    )]
    NotASheet(&'static str),
    #[error(
        "ligne {line} : caractère de contrôle 0x{byte:02X} : ce fichier n'est pas un texte CSV (enregistrez-le depuis le tableur en CSV ou en XLSX)"
    )]
    ControlCharacter { line: usize, byte: u8 },
    #[error("ligne {line} illisible : {detail}")]
    Unreadable { line: usize, detail: String },
    #[error("plus de {} lignes : découpez le fichier", thousands(*.limit as u64))]
    TooManyRows { limit: usize },
    #[error("ligne {line} : {} colonnes : au plus {} colonnes", thousands(*.found as u64), thousands(*.limit as u64))]
    TooManyColumns {
        line: usize,
        found: usize,
        limit: usize,
    },
    #[error("le fichier déclare {} {what} : au plus {} {what}", thousands(*.declared), thousands(*.limit))]
    Declared {
        what: &'static str,
        declared: u64,
        limit: u64,
    },
    #[error("plus de {} cellules remplies : découpez le fichier", thousands(*.limit))]
    TooManyCells { limit: u64 },
    #[error("le texte des cellules dépasse {} Mio : découpez le fichier", *.limit / MIB)]
    TooMuchText { limit: u64 },
    #[error("le classeur contient plus de {} éléments", thousands(*.limit as u64))]
    TooManyParts { limit: usize },
    #[error("le classeur déclare {} Mio une fois décompressé : au plus {} Mio", thousands(.declared.div_ceil(MIB)), *.limit / MIB)]
    TooLarge { declared: u64, limit: u64 },
    #[error(
        "le classeur est corrompu ou piégé : « {part} » contient plus que les {} octets qu'il déclare",
        thousands(*.declared)
    )]
    LyingSize { part: String, declared: u64 },
    #[error("« {part} » : {what} de plus de {} Mio", .limit.div_ceil(MIB))]
    OversizedNode {
        part: String,
        what: &'static str,
        limit: u64,
    },
    #[error("le classeur garde en mémoire plus de {} chaînes, styles ou feuilles", thousands(*.limit))]
    TooManyRecords { limit: u64 },
    #[error("les chaînes partagées et styles du classeur dépassent {} Mio", *.limit / MIB)]
    TooManyRecordBytes { limit: u64 },
    #[error("le classeur XLSX est illisible : {0}")]
    Xlsx(String),
    #[error(
        "les lignes du classeur ne sont pas dans l'ordre (ligne {row} après la ligne {after}) : enregistrez-le à nouveau depuis le tableur"
    )]
    RowsOutOfOrder { row: u32, after: u32 },
    /// The reader of the rows stopped, with its own message.
    #[error("{0}")]
    Stopped(String),
}

/// So that the readers of rows, whose messages are strings, can use `?`.
impl From<SheetError> for String {
    fn from(e: SheetError) -> String {
        e.to_string()
    }
}

/// `16384` as `16 384` (narrow no-break space), the French way.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A file opened and checked: a CSV's text or an XLSX's first sheet, ready to be read once.
pub struct Sheet<'a> {
    inner: Inner<'a>,
    limits: Limits,
}

enum Inner<'a> {
    Csv(&'a [u8]),
    Xlsx(Box<xlsx::Workbook<'a>>),
}

impl<'a> Sheet<'a> {
    /// Tells a CSV from an XLSX by content and runs every check that can be made before
    /// reading the cells: a binary file, an empty one, an XLSX whose archive or declared
    /// dimensions exceed the limits are refused here.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Sheet<'a>, SheetError> {
        let inner = if bytes.starts_with(b"PK\x03\x04") {
            Inner::Xlsx(Box::new(xlsx::Workbook::open(bytes, limits)?))
        } else {
            text::check(bytes)?;
            Inner::Csv(bytes)
        };
        Ok(Sheet {
            inner,
            limits: limits.clone(),
        })
    }

    /// Streams the sheet: hands `each` the header (line 1), then each non-blank row with its
    /// line in the file, without holding the rows. `each` may stop the reading with its own
    /// message. A sheet without a header or without any data row is refused.
    pub fn for_each_row(
        self,
        each: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
    ) -> Result<(), SheetError> {
        match self.inner {
            Inner::Csv(bytes) => text::for_each_row(bytes, &self.limits, each),
            Inner::Xlsx(book) => book.for_each_row(&self.limits, each),
        }
    }

    /// The sheet as CSV text, for a reader of the whole text: a CSV's own bytes (checked, its
    /// header's columns counted, not copied), an XLSX's first sheet written as `,`-separated
    /// CSV (dates as `YYYY-MM-DD`, a blank line for each empty row so that line numbers stay
    /// those of the sheet). Whether there are rows under the header is the reader's to say.
    pub fn into_csv(self) -> Result<Cow<'a, [u8]>, SheetError> {
        match self.inner {
            Inner::Csv(bytes) => {
                text::check_header(bytes, &self.limits)?;
                Ok(Cow::Borrowed(bytes))
            }
            Inner::Xlsx(book) => book.into_csv(&self.limits).map(Cow::Owned),
        }
    }
}

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

/// Reads a CSV or XLSX file within the default [`Limits`]. The message says what is wrong,
/// in French.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    read_within(bytes, &Limits::default())
}

/// [`read`] within `limits`.
pub fn read_within(bytes: &[u8], limits: &Limits) -> Result<Table, String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = Vec::new();
    Sheet::open(bytes, limits)?.for_each_row(|line, cells| {
        if line == 1 {
            header = cells.iter().map(|s| s.trim().to_string()).collect();
            return Ok(());
        }
        // Blank lines keep their place, so that line numbers stay those of the file.
        while rows.len() + 2 < line {
            rows.push(Vec::new());
        }
        rows.push(cells.iter().map(str::to_string).collect());
        Ok(())
    })?;
    Ok(Table { header, rows })
}

/// Streams a CSV or XLSX file within the default [`Limits`]: see [`Sheet::for_each_row`].
pub fn for_each_row(
    bytes: &[u8],
    each: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
) -> Result<(), String> {
    Sheet::open(bytes, &Limits::default())?.for_each_row(each)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_the_french_way() {
        assert_eq!(thousands(500), "500");
        assert_eq!(thousands(16_384), "16\u{202f}384");
        assert_eq!(thousands(2_000_000), "2\u{202f}000\u{202f}000");
    }

    #[test]
    fn a_stopped_reading_keeps_its_message() {
        let stop = for_each_row(b"a\n1\n2\n", |line, _| {
            if line == 3 {
                Err("arrêt".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(stop.unwrap_err(), "arrêt");
    }
}
