//! The archive of an XLSX, checked before the spreadsheet reader opens it.
//!
//! The reader (calamine, over quick-xml) trusts the archive: it allocates what the zip's
//! central directory and the XML announce, holds each XML node whole, keeps the shared
//! strings, styles and the workbook's lists in memory, and joins the pieces of a string. So,
//! before it runs, every entry is decompressed here once, as a stream, with a byte cap, and
//! each XML entry is scanned by a small state machine that cuts nodes exactly where
//! quick-xml does, without building anything, for the nodes, strings and records the reader
//! would hold.
//!
//! The reader parses only entries named `*.xml` or `*.rels` (its fixed paths, and the
//! workbook and sheets that relationships name, which must therefore end in `.xml`): other
//! entries (images) are only measured.

use std::io::{Cursor, Read};

use crate::{Limits, SheetError};

/// What an element is to the reader.
#[derive(Clone, Copy, Default)]
struct Kind {
    /// Kept one entry each for as long as the workbook is open (strings, styles, sheets…).
    record: bool,
    /// A string whose pieces are joined: shared and inline strings.
    string: bool,
    /// A tag whose attributes the reader acts on: `<sst>` (its announced count) and
    /// `<Relationship>` (the entries it names).
    capture: bool,
}

fn kind_of(name: &[u8]) -> Kind {
    let record = Kind {
        record: true,
        ..Kind::default()
    };
    match name {
        b"si" => Kind {
            string: true,
            ..record
        },
        b"is" => Kind {
            string: true,
            ..Kind::default()
        },
        b"Relationship" => Kind {
            capture: true,
            ..record
        },
        b"sst" => Kind {
            capture: true,
            ..Kind::default()
        },
        b"sheet" | b"definedName" | b"xf" | b"font" | b"fill" | b"border" | b"numFmt" | b"dxf" => {
            record
        }
        _ => Kind::default(),
    }
}

/// Relationships whose target the reader parses as XML: the workbook and its sheets.
const PARSED_TARGETS: [&str; 4] = ["officeDocument", "worksheet", "chartsheet", "dialogsheet"];

/// The longest tag read for its attributes (`<sst>`, `<Relationship>`).
const CAPTURE: usize = 64 * 1024;

/// Checks an XLSX archive against `limits`; nothing of its content is kept.
pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    // The zip reader allocates an entry for each central-directory header it parses, sized
    // from the directory's own count; each such header starts with this signature, so
    // counting them bounds that allocation before it is made.
    let headers = memchr::memmem::find_iter(bytes, b"PK\x01\x02").count();
    if headers > limits.max_parts {
        return Err(SheetError::TooManyParts {
            limit: limits.max_parts,
        });
    }
    let unreadable = |e: zip::result::ZipError| SheetError::Xlsx(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(unreadable)?;
        let part = entry.name().map_err(unreadable)?;
        if entry.encrypted() {
            return Err(SheetError::Xlsx(format!("« {part} » est chiffré")));
        }
        let method = entry.compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err(SheetError::Xlsx(format!(
                "« {part} » : compression {method} non prise en charge"
            )));
        }
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_decompressed_bytes {
        return Err(SheetError::TooLarge {
            declared,
            limit: limits.max_decompressed_bytes,
        });
    }
    let mut totals = Totals::default();
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(unreadable)?;
        let part = entry.name().map_err(unreadable)?.into_owned();
        let declared = entry.size();
        let lower = part.to_ascii_lowercase();
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        // Decompressed here, not by the zip reader, so that the count of bytes is ours.
        let mut data: Box<dyn Read + '_> = match entry.compression() {
            zip::CompressionMethod::Stored => Box::new(entry),
            _ => Box::new(flate2::read::DeflateDecoder::new(entry)),
        };
        let mut scan = Scan::new(&part, limits, &mut totals);
        let mut seen: u64 = 0;
        loop {
            let n = data
                .read(&mut buf)
                .map_err(|e| SheetError::Xlsx(format!("« {part} » : {e}")))?;
            if n == 0 {
                break;
            }
            seen += n as u64;
            if seen > declared {
                return Err(SheetError::LyingSize { part, declared });
            }
            if xml {
                scan.feed(&buf[..n])?;
            }
        }
    }
    Ok(())
}

/// What the scans of all the entries add up to.
#[derive(Default)]
struct Totals {
    records: u64,
    record_bytes: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tags (CDATA sections and comments included: the reader joins them to the text).
    Text,
    /// Just past a `<`.
    Open,
    /// Just past `<!`.
    Bang,
    Cdata,
    Comment,
    Instruction,
    /// In an element's name.
    Name,
    /// In a tag past its name, within quotes (the quote) or not (0).
    Tag(u8),
}

/// The scan of one XML entry, fed its bytes as they are decompressed.
struct Scan<'a> {
    part: &'a str,
    limits: &'a Limits,
    totals: &'a mut Totals,
    state: State,
    /// Offset of the next byte.
    pos: u64,
    /// The two bytes before `pos`.
    prev: [u8; 2],
    /// Where the current text run began.
    text_start: u64,
    /// Where the current tag, instruction, comment or CDATA section began (its `<`).
    markup_start: u64,
    closing: bool,
    /// What the element of the current tag is.
    kind: Kind,
    name: [u8; 16],
    /// Bytes of the name, past any namespace prefix; more than 16 matches nothing.
    name_len: usize,
    /// Depth of the records open (their bytes count), and of the strings open.
    record_depth: u32,
    string_depth: u32,
    string_start: u64,
    /// The attributes of a `<sst>` or `<Relationship>` tag, read when it ends.
    capture: Option<Vec<u8>>,
}

impl<'a> Scan<'a> {
    fn new(part: &'a str, limits: &'a Limits, totals: &'a mut Totals) -> Self {
        Scan {
            part,
            limits,
            totals,
            state: State::Text,
            pos: 0,
            prev: [0; 2],
            text_start: 0,
            markup_start: 0,
            closing: false,
            kind: Kind::default(),
            name: [0; 16],
            name_len: 0,
            record_depth: 0,
            string_depth: 0,
            string_start: 0,
            capture: None,
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), SheetError> {
        let mut i = 0;
        while i < chunk.len() {
            // Bytes that cannot change the state are passed over in one step: long runs of
            // text with memchr, the short ones inside tags with a plain loop.
            let rest = &chunk[i..];
            let run = match self.state {
                State::Text if rest[0] != b'<' => memchr::memchr(b'<', rest),
                State::Cdata | State::Comment | State::Instruction if rest[0] != b'>' => {
                    memchr::memchr(b'>', rest)
                }
                State::Tag(0) if self.capture.is_none() => {
                    rest.iter().position(|&b| matches!(b, b'>' | b'"' | b'\''))
                }
                State::Tag(q) if self.capture.is_none() => rest.iter().position(|&b| b == q),
                _ => Some(0),
            }
            .unwrap_or(rest.len());
            if run > 0 {
                self.prev = match run {
                    1 => [self.prev[1], rest[0]],
                    _ => [rest[run - 2], rest[run - 1]],
                };
                self.advance(run as u64)?;
                i += run;
                if i == chunk.len() {
                    break;
                }
            }
            let b = chunk[i];
            self.byte(b)?;
            self.prev = [self.prev[1], b];
            self.advance(1)?;
            i += 1;
        }
        Ok(())
    }

    /// Moves past `n` bytes already classified, checking the sizes they add to.
    #[inline]
    fn advance(&mut self, n: u64) -> Result<(), SheetError> {
        self.pos += n;
        if self.record_depth > 0 {
            self.add_record_bytes(n)?;
        }
        let start = match self.state {
            State::Name | State::Tag(_) | State::Instruction => self.markup_start,
            _ => self.text_start,
        };
        if self.pos - start > self.limits.max_node_bytes {
            return Err(self.oversized("un nœud XML", self.limits.max_node_bytes));
        }
        if self.string_depth > 0 && self.pos - self.string_start > self.limits.max_string_bytes {
            return Err(self.oversized("une chaîne de caractères", self.limits.max_string_bytes));
        }
        Ok(())
    }

    fn oversized(&self, what: &'static str, limit: u64) -> SheetError {
        SheetError::OversizedNode {
            part: self.part.to_string(),
            what,
            limit,
        }
    }

    fn add_record_bytes(&mut self, n: u64) -> Result<(), SheetError> {
        self.totals.record_bytes += n;
        if self.totals.record_bytes > self.limits.max_record_bytes {
            return Err(SheetError::TooManyRecordBytes {
                limit: self.limits.max_record_bytes,
            });
        }
        Ok(())
    }

    /// Classifies the byte at `self.pos`, as quick-xml's reader would.
    #[inline]
    fn byte(&mut self, b: u8) -> Result<(), SheetError> {
        let since_open = self.pos - self.markup_start;
        match self.state {
            State::Text => {
                // Only `<` stops the pass over text in `feed`.
                self.markup_start = self.pos;
                self.state = State::Open;
            }
            State::Open => match b {
                b'!' => self.state = State::Bang,
                b'?' => self.state = State::Instruction,
                b'/' => self.start_name(true),
                _ => {
                    self.start_name(false);
                    self.name_byte(b)?;
                }
            },
            // quick-xml decides on the byte after `<!` alone.
            State::Bang => match b {
                b'[' => self.state = State::Cdata,
                b'-' => self.state = State::Comment,
                b'D' | b'd' => {
                    // A document type is held whole, its declarations included; a workbook
                    // never has one.
                    return Err(SheetError::Xlsx(format!(
                        "« {} » contient une déclaration DOCTYPE",
                        self.part
                    )));
                }
                // The reader refuses anything else.
                _ => self.state = State::Tag(0),
            },
            // `<![CDATA[…]]>`: the `]]` after the `[`.
            State::Cdata if b == b'>' && self.prev == *b"]]" && since_open >= 5 => {
                self.state = State::Text;
            }
            // `<!--…-->`: at least `<!---->`.
            State::Comment if b == b'>' && self.prev == *b"--" && since_open >= 6 => {
                self.state = State::Text;
            }
            // `<?…?>`: not the opening `?`.
            State::Instruction if b == b'>' && self.prev[1] == b'?' && since_open >= 3 => {
                self.end_markup();
            }
            State::Cdata | State::Comment | State::Instruction => {}
            State::Name => self.name_byte(b)?,
            State::Tag(_) => self.tag_byte(b)?,
        }
        Ok(())
    }

    fn start_name(&mut self, closing: bool) {
        self.closing = closing;
        self.name_len = 0;
        self.state = State::Name;
    }

    #[inline]
    fn name_byte(&mut self, b: u8) -> Result<(), SheetError> {
        match b {
            b':' => self.name_len = 0,
            // quick-xml reads a tag as a whole, quotes included, from its first byte.
            b'>' | b'/' | b'"' | b'\'' => {
                self.named()?;
                self.state = State::Tag(0);
                self.tag_byte(b)?;
            }
            _ if b.is_ascii_whitespace() => {
                self.named()?;
                self.state = State::Tag(0);
                self.tag_byte(b)?;
            }
            _ => {
                if self.name_len < self.name.len() {
                    self.name[self.name_len] = b;
                }
                self.name_len = self.name_len.saturating_add(1);
            }
        }
        Ok(())
    }

    fn name(&self) -> &[u8] {
        if self.name_len <= self.name.len() {
            &self.name[..self.name_len]
        } else {
            b""
        }
    }

    /// The element's name is read: counts a record, closes what an end tag closes.
    fn named(&mut self) -> Result<(), SheetError> {
        self.kind = kind_of(self.name());
        let Kind {
            record, capture, ..
        } = self.kind;
        if self.closing {
            if record {
                self.record_depth = self.record_depth.saturating_sub(1);
            }
            if self.kind.string {
                self.string_depth = self.string_depth.saturating_sub(1);
            }
            return Ok(());
        }
        if record {
            self.totals.records += 1;
            if self.totals.records > self.limits.max_records {
                return Err(SheetError::TooManyRecords {
                    limit: self.limits.max_records,
                });
            }
        }
        if capture {
            self.capture = Some(Vec::new());
        }
        Ok(())
    }

    #[inline]
    fn tag_byte(&mut self, b: u8) -> Result<(), SheetError> {
        let State::Tag(quote) = self.state else {
            unreachable!("called in a tag")
        };
        if let Some(capture) = &mut self.capture {
            if capture.len() >= CAPTURE {
                return Err(self.oversized("une balise", CAPTURE as u64));
            }
            capture.push(b);
        }
        self.state = match (quote, b) {
            (0, b'"' | b'\'') => State::Tag(b),
            (0, b'>') => {
                let self_closing = self.prev[1] == b'/';
                return self.tag_end(self_closing);
            }
            (q, _) if q == b => State::Tag(0),
            _ => self.state,
        };
        Ok(())
    }

    fn tag_end(&mut self, self_closing: bool) -> Result<(), SheetError> {
        if !self.closing {
            let Kind { record, string, .. } = self.kind;
            if record {
                if self.record_depth == 0 {
                    self.add_record_bytes(self.pos + 1 - self.markup_start)?;
                }
                if !self_closing {
                    self.record_depth += 1;
                }
            }
            if string && !self_closing {
                if self.string_depth == 0 {
                    self.string_start = self.markup_start;
                }
                self.string_depth += 1;
            }
            if let Some(attributes) = self.capture.take() {
                let attributes = attributes.strip_suffix(b">").unwrap_or(&attributes);
                if self.name() == b"sst" {
                    self.announced_strings(attributes)?;
                } else {
                    self.parsed_target(attributes)?;
                }
            }
        }
        self.capture = None;
        self.end_markup();
        Ok(())
    }

    fn end_markup(&mut self) {
        self.state = State::Text;
        self.text_start = self.pos + 1;
    }

    /// The reader reserves room for the `uniqueCount` a `<sst>` tag announces.
    fn announced_strings(&self, attributes: &[u8]) -> Result<(), SheetError> {
        for (key, value) in Attributes(attributes) {
            if key == b"uniqueCount"
                && std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_some_and(|n| n > self.limits.max_records)
            {
                return Err(SheetError::TooManyRecords {
                    limit: self.limits.max_records,
                });
            }
        }
        Ok(())
    }

    /// A relationship to the workbook or a sheet names an entry the reader will parse: it
    /// must be one that is scanned, a `.xml`.
    fn parsed_target(&self, attributes: &[u8]) -> Result<(), SheetError> {
        let attributes: Vec<(&[u8], &[u8])> = Attributes(attributes).collect();
        let parsed = attributes.iter().any(|(key, value)| {
            *key == b"Type"
                && value
                    .rsplit(|b| *b == b'/')
                    .next()
                    .is_some_and(|last| PARSED_TARGETS.iter().any(|t| t.as_bytes() == last))
        });
        for (key, target) in attributes {
            if parsed && key == b"Target" && !target.to_ascii_lowercase().ends_with(b".xml") {
                return Err(SheetError::Xlsx(format!(
                    "« {} » désigne comme classeur ou feuille « {} », qui n'est pas un fichier XML",
                    self.part,
                    String::from_utf8_lossy(target)
                )));
            }
        }
        Ok(())
    }
}

/// The attributes of a tag as calamine reads them (`key = "value"` or `'value'`; it stops at
/// the first malformed one).
struct Attributes<'a>(&'a [u8]);

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.0.trim_ascii_start();
        let eq = memchr::memchr(b'=', raw)?;
        let key = raw[..eq].trim_ascii_end();
        let rest = raw[eq + 1..].trim_ascii_start();
        let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let end = memchr::memchr(quote, &rest[1..]).unwrap_or(rest.len() - 1);
        let value = &rest[1..1 + end];
        self.0 = rest.get(end + 2..).unwrap_or(&[]);
        Some((key, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &[u8], limits: &Limits) -> Result<(), SheetError> {
        let mut totals = Totals::default();
        let mut scan = Scan::new("x.xml", limits, &mut totals);
        // Fed in small pieces, as a stream is: no rule may depend on where a chunk ends.
        for piece in xml.chunks(3) {
            scan.feed(piece)?;
        }
        Ok(())
    }

    fn small() -> Limits {
        Limits {
            max_node_bytes: 64,
            max_string_bytes: 128,
            max_records: 4,
            max_record_bytes: 200,
            ..Limits::default()
        }
    }

    #[test]
    fn real_xml_passes() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:sst xmlns:x="urn" count="3" uniqueCount="3"><x:si><x:t>a &amp; b</x:t></x:si><si><r><t>c</t></r><r><t><![CDATA[d>e]]></t></r></si><si/><!-- a > b --></x:sst>"#;
        scan(xml, &small()).unwrap();
    }

    #[test]
    fn a_long_node_is_refused_however_it_is_split() {
        let limits = small();
        let long_text = [b"<t>".as_slice(), &[b'a'; 65], b"</t>"].concat();
        let long_attribute = [b"<c r=\"".as_slice(), &[b'<'; 65], b"\"/>"].concat();
        // CDATA sections and comments are joined by the reader to the text around them.
        let cdata = [b"<t>".as_slice(), &b"<![CDATA[aaaaaaaaaa]]>".repeat(4)].concat();
        let comment = [b"<t>".as_slice(), &b"aa<!--<<<<<<<<-->".repeat(5)].concat();
        let instruction = [b"<?pi ".as_slice(), &[b'>'; 70], b"?>"].concat();
        for xml in [long_text, long_attribute, cdata, comment, instruction] {
            let e = scan(&xml, &limits).expect_err(&String::from_utf8_lossy(&xml));
            assert!(
                matches!(
                    e,
                    SheetError::OversizedNode {
                        what: "un nœud XML",
                        ..
                    }
                ),
                "{e} for {}",
                String::from_utf8_lossy(&xml)
            );
        }
        assert!(scan(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", &limits).is_err());
    }

    #[test]
    fn strings_records_and_their_announced_count_are_bounded() {
        let limits = small();
        // Rich text: many small runs joined into one string.
        let rich = [
            b"<si>".as_slice(),
            &b"<r><t>aaaaaaaa</t></r>".repeat(10),
            b"</si>",
        ]
        .concat();
        assert!(matches!(
            scan(&rich, &limits),
            Err(SheetError::OversizedNode {
                what: "une chaîne de caractères",
                ..
            })
        ));
        assert!(matches!(
            scan(&b"<si/>".repeat(5), &limits),
            Err(SheetError::TooManyRecords { limit: 4 })
        ));
        assert!(scan(&b"<si/>".repeat(4), &limits).is_ok());
        assert!(matches!(
            scan(
                &[b"<sheet name=\"".as_slice(), &[b'a'; 40], b"\"/>"]
                    .concat()
                    .repeat(4),
                &limits
            ),
            Err(SheetError::TooManyRecordBytes { limit: 200 })
        ));
        assert!(matches!(
            scan(b"<sst uniqueCount=\"4000000000\">", &limits),
            Err(SheetError::TooManyRecords { .. })
        ));
        assert!(scan(b"<sst count='4' uniqueCount = '4'><si/></sst>", &limits).is_ok());
    }

    #[test]
    fn tags_are_cut_where_quick_xml_cuts_them() {
        let limits = small();
        // A quote opens a quoted value wherever it is in a tag, the name included, and
        // hides a `>`: the `<si/>` inside are one tag's bytes, not records.
        assert!(scan(b"<a\"><si/><si/><si/><si/><si/>\">", &limits).is_ok());
        // End tags read quotes too.
        assert!(scan(b"</a '>'><si/><si/><si/><si/>", &limits).is_ok());
        assert!(scan(b"</a '>'><si/><si/><si/><si/><si/>", &limits).is_err());
        // `<!-->` and `<!--->` do not end a comment; `<!---->` does.
        let comment = |c: &[u8]| [c, b"<si/>".repeat(5).as_slice()].concat();
        assert!(scan(&comment(b"<!-->"), &limits).is_ok());
        assert!(scan(&comment(b"<!--->"), &limits).is_ok());
        assert!(scan(&comment(b"<!---->"), &limits).is_err());
        // `<![` starts a CDATA section, to the first `]]>`.
        assert!(scan(&comment(b"<![]]>"), &limits).is_err());
        assert!(scan(&comment(b"<![x"), &limits).is_ok());
    }
}
