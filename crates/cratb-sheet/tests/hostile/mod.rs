//! Hostile files, built by code so that each says what it is: the sheets that took the server
//! down (issue 12) and their relatives. Each [`Fixture`] names the message fragment its
//! refusal must carry. Used by `cratb-sheet`'s tests (`tests/hostile_files.rs`) and by the
//! end-to-end test of every import route (`crates/cratb/tests/hostile_uploads.rs`).
//!
//! A small zip writer of our own builds the workbooks: it can declare any size (a lie
//! included) and repeat a compressed block, so that a 600 MiB bomb takes 600 KB and no time.
#![allow(dead_code)]

use flate2::{Compress, Compression, Crc, FlushCompress};

/// A hostile file: its name, what it is, its bytes and a fragment of the refusal's message.
pub struct Fixture {
    pub name: &'static str,
    pub what: &'static str,
    pub bytes: Vec<u8>,
    pub refused_with: &'static str,
}

/// Every fixture.
pub fn all() -> Vec<Fixture> {
    vec![
        Fixture {
            name: "a1-xfd1048576.xlsx",
            what: "1.5 KB: one cell at A1, one at XFD1048576, the dimension declaring both \
                   (read densely: 16,384 × 1,048,576 cells, 549 GB, the process aborted)",
            bytes: workbook(
                Some("A1:XFD1048576"),
                &[cell(0, 0, "a"), cell(1_048_575, 16_383, "b")].concat(),
                None,
            ),
            refused_with: "le fichier déclare 16\u{202f}384 colonnes : au plus 500",
        },
        Fixture {
            name: "a1-xfd1048576-undeclared.xlsx",
            what: "the same two cells without a dimension: found while reading, cell by cell",
            bytes: workbook(
                None,
                &[cell(0, 0, "a"), cell(1_048_575, 16_383, "b")].concat(),
                None,
            ),
            refused_with: "16\u{202f}384 colonnes : au plus 500 colonnes",
        },
        Fixture {
            name: "nul-in-cell.xlsx",
            what: "a cell holding a NUL character in Excel's escape `_x0000_` (PostgreSQL \
                   refuses it in text: was a 500)",
            bytes: workbook(None, &cell(0, 0, "patient_x0000__id"), None),
            refused_with: "caractère nul",
        },
        Fixture {
            name: "sheet-bomb.xlsx",
            what: "600 KB whose sheet declares (truly) 600 MiB of empty rows",
            bytes: sheet_bomb(600),
            refused_with: "une fois décompressé : au plus 512 Mio",
        },
        Fixture {
            name: "text-node-bomb.xlsx",
            what: "16 KB whose sheet holds one text node of 16 MiB (the XML reader holds a node whole)",
            bytes: workbook_parts(vec![(
                "xl/worksheets/sheet1.xml",
                [
                    SHEET_HEAD.as_bytes(),
                    b"<sheetData>",
                    &vec![b' '; 16 << 20],
                    b"</sheetData></worksheet>",
                ]
                .concat(),
            )]),
            refused_with: "un nœud XML de plus de 1 Mio",
        },
        Fixture {
            name: "shared-string-bomb.xlsx",
            what: "a shared string of 4 MiB (the workbook keeps its strings in memory)",
            bytes: workbook(
                None,
                &shared_cell(0, 0, 0),
                Some(&[&"a".repeat(4 << 20)]),
            ),
            refused_with: "un nœud XML de plus de 1 Mio",
        },
        Fixture {
            name: "shared-strings-count.xlsx",
            what: "6 million empty shared strings in 30 KB",
            bytes: workbook_parts(vec![
                (
                    "xl/sharedStrings.xml",
                    [
                        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".as_slice(),
                        &b"<si/>".repeat(6_000_000),
                        b"</sst>",
                    ]
                    .concat(),
                ),
                ("xl/worksheets/sheet1.xml", sheet_xml(None, &shared_cell(0, 0, 0))),
            ]),
            refused_with: "plus de 5\u{202f}000\u{202f}000 chaînes",
        },
        Fixture {
            name: "shared-strings-announced.xlsx",
            what: "a shared-string table announcing 4 billion strings (the reader reserves room for them)",
            bytes: workbook_parts(vec![
                (
                    "xl/sharedStrings.xml",
                    b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"4000000000\"><si><t>a</t></si></sst>".to_vec(),
                ),
                ("xl/worksheets/sheet1.xml", sheet_xml(None, &shared_cell(0, 0, 0))),
            ]),
            refused_with: "plus de 5\u{202f}000\u{202f}000 chaînes",
        },
        Fixture {
            name: "repeated-string.xlsx",
            what: "a 1,000,000-byte shared string in the 300 cells of the first row: 300 MB of \
                   text from a few KB (refused while the header is read, whatever the route)",
            bytes: workbook(
                None,
                &(0..300).map(|c| shared_cell(0, c, 0)).collect::<String>(),
                Some(&[&"a".repeat(1_000_000)]),
            ),
            // 256 MiB by default, less for a directory sheet.
            refused_with: "le texte des cellules dépasse",
        },
        Fixture {
            name: "lying-size.xlsx",
            what: "a sheet that declares 1,024 bytes and inflates to 64 MiB",
            bytes: lying_size(),
            refused_with: "plus que les 1\u{202f}024 octets qu'il déclare",
        },
        Fixture {
            name: "sheet-not-xml.xlsx",
            what: "a sheet stored as `sheet1.png`, so that a name-based check would not scan it",
            bytes: sheet_named("worksheets/sheet1.png"),
            refused_with: "qui n'est pas un fichier XML",
        },
        Fixture {
            name: "many-parts.xlsx",
            what: "11,000 empty entries (the zip reader allocates one record per entry)",
            bytes: many_parts(11_000),
            refused_with: "plus de 10\u{202f}000 éléments",
        },
        Fixture {
            name: "columns-600.xlsx",
            what: "a header of 600 columns",
            bytes: workbook(
                Some("A1:WB2"),
                &(0..600).map(|c| cell(0, c, "x")).collect::<String>(),
                None,
            ),
            refused_with: "le fichier déclare 600 colonnes : au plus 500",
        },
        Fixture {
            name: "columns-600.csv",
            what: "a CSV header of 600 columns",
            bytes: format!("{}\n{}\n", vec!["x"; 600].join(";"), vec!["1"; 600].join(";"))
                .into_bytes(),
            refused_with: "ligne 1 : 600 colonnes : au plus 500 colonnes",
        },
        Fixture {
            name: "rows-out-of-order.xlsx",
            what: "row 3 written before row 2 (a streaming reader cannot go back)",
            bytes: workbook(None, &[cell(0, 0, "a"), cell(2, 0, "c"), cell(1, 0, "b")].concat(), None),
            refused_with: "pas dans l'ordre",
        },
        Fixture {
            name: "random.bin",
            what: "64 KiB of random bytes (once accepted as a directory sheet)",
            bytes: random_bytes(64 << 10),
            refused_with: "ni un CSV ni un classeur XLSX",
        },
        Fixture {
            name: "empty.csv",
            what: "no byte at all",
            bytes: Vec::new(),
            refused_with: "le fichier est vide",
        },
        Fixture {
            name: "header-only.csv",
            what: "a header and no row",
            bytes: b"finess;periode;atc;voie;grammes\n".to_vec(),
            refused_with: "que sa ligne d'en-tête",
        },
        Fixture {
            name: "header-only.xlsx",
            what: "a workbook with a header and no row",
            bytes: workbook(None, &[cell(0, 0, "finess"), cell(0, 1, "atc")].concat(), None),
            refused_with: "que sa ligne d'en-tête",
        },
    ]
}

pub const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// The column letters of a 0-based column (0 → `A`, 16383 → `XFD`).
pub fn column(mut c: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

/// A cell with an inline string, at 0-based `row` and `col`.
pub fn cell(row: u32, col: u32, text: &str) -> String {
    format!(
        "<row r=\"{}\"><c r=\"{}{}\" t=\"inlineStr\"><is><t>{text}</t></is></c></row>",
        row + 1,
        column(col),
        row + 1
    )
}

/// A cell holding shared string `index`.
pub fn shared_cell(row: u32, col: u32, index: usize) -> String {
    format!(
        "<row r=\"{}\"><c r=\"{}{}\" t=\"s\"><v>{index}</v></c></row>",
        row + 1,
        column(col),
        row + 1
    )
}

/// A worksheet's XML around `rows`.
pub fn sheet_xml(dimension: Option<&str>, rows: &str) -> Vec<u8> {
    let dimension = dimension
        .map(|d| format!("<dimension ref=\"{d}\"/>"))
        .unwrap_or_default();
    format!("{SHEET_HEAD}{dimension}<sheetData>{rows}</sheetData></worksheet>").into_bytes()
}

/// A workbook with one sheet of `rows` (cells written one row element each, so that a row
/// of several cells is several `<row>` elements with the same number, as readers accept),
/// and shared strings.
pub fn workbook(dimension: Option<&str>, rows: &str, shared: Option<&[&str]>) -> Vec<u8> {
    let mut parts = vec![("xl/worksheets/sheet1.xml", sheet_xml(dimension, rows))];
    if let Some(strings) = shared {
        let items: String = strings
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect();
        parts.push((
            "xl/sharedStrings.xml",
            format!(
                "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" uniqueCount=\"{n}\">{items}</sst>",
                n = strings.len()
            )
            .into_bytes(),
        ));
    }
    workbook_parts(parts)
}

/// A workbook from its sheet (and shared strings) parts; the package parts are added.
pub fn workbook_parts(parts: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
    let mut zip = base_zip();
    for (name, data) in parts {
        zip.add(name, &data);
    }
    zip.finish()
}

/// A workbook whose sheet declares, truly, `mib` MiB: `<row/>` repeated.
pub fn sheet_bomb(mib: usize) -> Vec<u8> {
    let unit = b"<row/>".repeat((1 << 20) / 6);
    let head = [SHEET_HEAD.as_bytes(), b"<sheetData>"].concat();
    let tail = b"</sheetData></worksheet>";
    let (deflated, crc, size) = deflate_repeated(&head, &unit, mib, tail);
    let mut zip = base_zip();
    zip.add_raw("xl/worksheets/sheet1.xml", 8, &deflated, crc, size as u32);
    zip.finish()
}

/// A workbook whose sheet declares 1,024 bytes and holds 64 MiB.
pub fn lying_size() -> Vec<u8> {
    let unit = b"<row/>".repeat((1 << 20) / 6);
    let head = [SHEET_HEAD.as_bytes(), b"<sheetData>"].concat();
    let (deflated, crc, _) = deflate_repeated(&head, &unit, 64, b"</sheetData></worksheet>");
    let mut zip = base_zip();
    zip.add_raw("xl/worksheets/sheet1.xml", 8, &deflated, crc, 1024);
    zip.finish()
}

/// A workbook whose sheet is the entry `target` (relative to `xl/`).
pub fn sheet_named(target: &str) -> Vec<u8> {
    let mut zip = Zip::default();
    zip.add("_rels/.rels", PACKAGE_RELS.as_bytes());
    zip.add("xl/workbook.xml", WORKBOOK.as_bytes());
    zip.add(
        "xl/_rels/workbook.xml.rels",
        WORKBOOK_RELS
            .replace("worksheets/sheet1.xml", target)
            .as_bytes(),
    );
    zip.add(&format!("xl/{target}"), &sheet_xml(None, &cell(0, 0, "a")));
    zip.finish()
}

/// A zip of `n` empty entries.
pub fn many_parts(n: usize) -> Vec<u8> {
    let mut zip = Zip::default();
    for i in 0..n {
        zip.add_raw(&format!("{i:x}"), 0, b"", 0, 0);
    }
    zip.finish()
}

/// Reproducible pseudo-random bytes (xorshift).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// The package parts of a workbook, without its sheet.
fn base_zip() -> Zip {
    let mut zip = Zip::default();
    zip.add("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#);
    zip.add("_rels/.rels", PACKAGE_RELS.as_bytes());
    zip.add("xl/workbook.xml", WORKBOOK.as_bytes());
    zip.add("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    zip
}

/// Raw deflate of `head`, `unit` `times` times, then `tail`, without compressing `unit` more
/// than twice: after a full flush the compressor starts afresh, so the same input gives the
/// same bytes, which are repeated. Returns the stream, its CRC-32 and the inflated size.
fn deflate_repeated(head: &[u8], unit: &[u8], times: usize, tail: &[u8]) -> (Vec<u8>, u32, u64) {
    let mut c = Compress::new(Compression::best(), false);
    let mut run = |input: &[u8], flush: FlushCompress| {
        let mut out = Vec::with_capacity(input.len() / 64 + 1024);
        let mut consumed = 0;
        loop {
            let before = c.total_in();
            c.compress_vec(&input[consumed..], &mut out, flush).unwrap();
            consumed += (c.total_in() - before) as usize;
            if consumed == input.len() && out.len() < out.capacity() {
                return out;
            }
            out.reserve(64 * 1024);
        }
    };
    let mut stream = run(head, FlushCompress::Full);
    let first = run(unit, FlushCompress::Full);
    let again = run(unit, FlushCompress::Full);
    stream.extend_from_slice(&first);
    for _ in 1..times {
        stream.extend_from_slice(&again);
    }
    stream.extend_from_slice(&run(tail, FlushCompress::Finish));
    let mut crc = Crc::new();
    crc.update(head);
    let mut unit_crc = Crc::new();
    unit_crc.update(unit);
    for _ in 0..times {
        crc.combine(&unit_crc);
    }
    let mut tail_crc = Crc::new();
    tail_crc.update(tail);
    crc.combine(&tail_crc);
    let size = (head.len() + unit.len() * times + tail.len()) as u64;
    (stream, crc.sum(), size)
}

/// A minimal zip writer: stored or deflated entries, any declared size.
#[derive(Default)]
pub struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl Zip {
    /// Adds `data`, deflated, with its true size.
    pub fn add(&mut self, name: &str, data: &[u8]) {
        let mut c = Compress::new(Compression::default(), false);
        let mut out = Vec::with_capacity(data.len() / 2 + 1024);
        loop {
            let consumed = c.total_in() as usize;
            c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .unwrap();
            if c.total_in() as usize == data.len() && out.len() < out.capacity() {
                break;
            }
            out.reserve(64 * 1024);
        }
        let mut crc = Crc::new();
        crc.update(data);
        self.add_raw(name, 8, &out, crc.sum(), data.len() as u32);
    }

    /// Adds an entry as given: `method` 0 (stored) or 8 (deflated), `declared` as its size.
    pub fn add_raw(&mut self, name: &str, method: u16, data: &[u8], crc: u32, declared: u32) {
        let offset = self.out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&declared.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra field
        };
        self.out.extend_from_slice(b"PK\x03\x04");
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);
        self.central.extend_from_slice(b"PK\x01\x02");
        self.central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut self.central);
        self.central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        let (start, size) = (self.out.len() as u32, self.central.len() as u32);
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(b"PK\x05\x06");
        self.out.extend_from_slice(&[0; 4]); // disks
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&start.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // comment
        self.out
    }
}
