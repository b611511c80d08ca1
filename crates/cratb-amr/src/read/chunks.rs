//! The body cut at line ends, each piece parsed on its own (on every core), and the
//! dictionaries of the pieces merged.

use std::ops::Range;

use super::Agent;
use super::interner::Interner;
use super::row::RowParser;
use super::{ReadOptions, Role};
use crate::problems::{Problem, ProblemKind};
use crate::reference::{MoId, Reference};
use crate::values::Sir;

/// Cuts the body into about `n` pieces at line ends. A file with quotes may hold line breaks
/// inside a field: it is read in one piece.
pub(super) fn split(body: &[u8], n: usize) -> Vec<Range<usize>> {
    if n <= 1 || memchr::memchr(b'"', body).is_some() {
        return std::iter::once(0..body.len()).collect();
    }
    let mut chunks = Vec::with_capacity(n);
    let mut start = 0;
    let step = body.len() / n + 1;
    while start < body.len() {
        let target = (start + step).min(body.len());
        let end = match memchr::memchr(b'\n', &body[target..]) {
            Some(p) => target + p + 1,
            None => body.len(),
        };
        chunks.push(start..end);
        start = end;
    }
    chunks
}

pub(super) struct Context<'a> {
    pub(super) roles: &'a [Role],
    pub(super) header: &'a [String],
    pub(super) agents: &'a [Agent],
    pub(super) texts: usize,
    pub(super) options: &'a ReadOptions,
    pub(super) reference: &'static Reference,
}

#[derive(Default)]
pub(super) struct ChunkOut {
    pub(super) records: usize,
    pub(super) line: Vec<u32>,
    pub(super) patient: Vec<u32>,
    pub(super) patients: Interner,
    pub(super) date: Vec<i32>,
    pub(super) mo: Vec<MoId>,
    pub(super) text: Vec<(Vec<u32>, Interner)>,
    pub(super) results: Vec<Vec<Sir>>,
    pub(super) problems: Vec<Problem>,
}

/// Renumbers a column's codes, read in chunks each with its dictionary, into one dictionary.
pub(super) fn merge_column(
    parts: Vec<(Vec<u32>, Interner)>,
    rows: usize,
) -> (Vec<u32>, Vec<Box<str>>) {
    let values: usize = parts.iter().map(|p| p.1.len()).sum();
    let bytes: usize = parts.iter().map(|p| p.1.bytes.len()).sum();
    let mut interner = Interner::default();
    let mut codes = Vec::with_capacity(rows);
    for (i, (chunk_codes, chunk_interner)) in parts.into_iter().enumerate() {
        let remap = interner.absorb(chunk_interner);
        if i == 0 {
            // Room for every value at once rather than growing chunk after chunk.
            interner.reserve(values - interner.len(), bytes - interner.bytes.len());
        }
        codes.extend(chunk_codes.iter().map(|c| remap[*c as usize]));
    }
    (codes, interner.into_values())
}

/// Whether fields can be cut where they lie: no quotes, lines ending in \n or \r\n.
pub(super) fn is_plain(bytes: &[u8]) -> bool {
    memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
}

/// Calls `f` with the line number, the fields and the bytes done, for each line of a plain
/// chunk (see [`is_plain`]) that is not blank.
pub(super) fn plain_lines(
    bytes: &[u8],
    separator: u8,
    first_line: usize,
    mut f: impl FnMut(usize, &[&[u8]], usize),
) {
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut line = first_line;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
        let text = &bytes[start..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        fields.clear();
        fields.extend(text.split(|&b| b == separator));
        if !(fields.len() == 1 && fields[0].iter().all(u8::is_ascii_whitespace)) {
            f(line, &fields, (end + 1).min(bytes.len()));
        }
        line += 1;
        start = end + 1;
    }
}

/// Report progress every this many bytes.
const PROGRESS_STEP: usize = 1 << 20;

pub(super) fn parse_chunk(
    cx: &Context,
    separator: u8,
    bytes: &[u8],
    first_line: usize,
    lines: usize,
) -> ChunkOut {
    let mut parser = RowParser::new(cx, lines);
    let mut reported = 0;
    let mut report = |done: usize| {
        if let Some(progress) = &cx.options.progress
            && (done - reported >= PROGRESS_STEP || done == bytes.len())
        {
            progress((done - reported) as u64);
            reported = done;
        }
    };
    // Without quotes (and with line ends \n or \r\n), fields are cut where they lie; otherwise
    // the csv crate reads them.
    if is_plain(bytes) {
        plain_lines(bytes, separator, first_line, |line, fields, done| {
            parser.row(line, fields);
            report(done);
        });
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(separator)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line =
                        e.position().map(|p| p.line() as usize).unwrap_or(1) + first_line - 1;
                    parser.out.problems.push(Problem::new(
                        line,
                        "",
                        "",
                        ProblemKind::Unreadable {
                            detail: e.to_string(),
                        },
                    ));
                    break;
                }
            }
            if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = record.position().map(|p| p.line() as usize).unwrap_or(1) + first_line - 1;
            let fields: Vec<&[u8]> = record.iter().collect();
            parser.row(line, &fields);
            report(reader.position().byte() as usize);
        }
    }
    report(bytes.len());
    parser.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_ends() {
        let body = b"a,1\nb,2\nc,3\nd,4\n";
        let chunks = split(body, 3);
        assert_eq!(chunks.first().unwrap().start, 0);
        assert_eq!(chunks.last().unwrap().end, body.len());
        for c in &chunks {
            assert_eq!(body[c.end - 1], b'\n');
        }
        assert_eq!(split(b"\"a\nb\",1\n", 4), vec![0..8]);
    }
}
