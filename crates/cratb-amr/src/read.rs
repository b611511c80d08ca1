//! Reading a susceptibility file (CSV or XLSX, wide or long) into a column-wise [`Dataset`],
//! interpreting MICs and disk zones on the way.
//!
//! The body is cut at line boundaries and parsed on every core; organisms, breakpoints and
//! text values are resolved once per distinct value, not once per row.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::interpret::{Options, Rule, UtiMode, interpret_disk, interpret_mic};
use crate::problems::{Invalid, Problem, ProblemKind};
use crate::reference::{AbId, MoId, Reference};
use crate::values::{Mic, Sir, parse_disk};

/// Optional columns kept with each isolate and usable as filters or groups.
pub const OPTIONAL_COLUMNS: [&str; 8] = [
    "isolate_id",
    "specimen",
    "ward",
    "ward_type",
    "establishment",
    "sector",
    "age",
    "sex",
];

/// A column of text values, dictionary-encoded.
#[derive(Debug, Clone, Default)]
pub struct TextColumn {
    /// The name as written in the file's header.
    pub name: String,
    pub codes: Vec<u32>,
    pub values: Vec<Box<str>>,
}

impl TextColumn {
    pub fn get(&self, row: usize) -> &str {
        &self.values[self.codes[row] as usize]
    }
}

/// One antimicrobial and the columns it was read from.
#[derive(Debug, Clone)]
pub struct Agent {
    pub ab: AbId,
    pub code: String,
    /// Header positions of `<code>`, `<code>_mic`, `<code>_disk`.
    pub sir_col: Option<usize>,
    pub mic_col: Option<usize>,
    pub disk_col: Option<usize>,
    /// The interpretation per row.
    pub results: Vec<Sir>,
}

/// Isolates, one row each, column-wise.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub options: Options,
    pub header: Vec<String>,
    pub separator: u8,
    /// Line in the file of each row (1 = the header).
    pub line: Vec<u32>,
    /// Patient number (dense, in order of first appearance) and the identifiers as read.
    pub patient: Vec<u32>,
    pub patients: Vec<Box<str>>,
    /// Specimen date, days since 1970-01-01.
    pub date: Vec<i32>,
    pub mo: Vec<MoId>,
    pub text: Vec<TextColumn>,
    pub agents: Vec<Agent>,
    /// What was skipped with `skip_invalid`.
    pub skipped: Vec<Problem>,
    pub skipped_total: usize,
    /// Rows read, header excluded: isolates (for a long file, those its lines pivot to).
    pub records: usize,
    source: Source,
}

/// The CSV text the dataset was read from, kept to write it back with interpretations added.
#[derive(Debug, Clone, Default)]
struct Source {
    /// The bytes read; the body (after the header line) starts at `offset`.
    body: Vec<u8>,
    offset: usize,
    chunks: Vec<Range<usize>>,
    first_line: Vec<usize>,
    /// Row index where each chunk starts.
    first_row: Vec<usize>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    /// A dataset assembled from columns already interpreted (e.g. loaded from the database).
    /// `agents[..].results`, `patient`, `date`, `mo` and every text column have one value per row.
    pub fn from_columns(
        options: Options,
        patient: Vec<u32>,
        date: Vec<i32>,
        mo: Vec<MoId>,
        text: Vec<TextColumn>,
        agents: Vec<Agent>,
    ) -> Dataset {
        let n = date.len();
        assert!(
            patient.len() == n && mo.len() == n,
            "columns of different lengths"
        );
        assert!(
            text.iter().all(|t| t.codes.len() == n) && agents.iter().all(|a| a.results.len() == n)
        );
        Dataset {
            options,
            header: Vec::new(),
            separator: b',',
            line: (2..n as u32 + 2).collect(),
            patients: Vec::new(),
            patient,
            date,
            mo,
            text,
            agents,
            skipped: Vec::new(),
            skipped_total: 0,
            records: n,
            source: Source::default(),
        }
    }

    pub fn text_column(&self, name: &str) -> Option<&TextColumn> {
        self.text.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn organism_name(&self, row: usize) -> &'static str {
        &Reference::get().organism_named(self.mo[row]).name
    }
}

/// Called with the number of bytes of the body parsed since the last call, from any thread.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

#[derive(Clone, Default)]
pub struct ReadOptions {
    pub interpretation: Options,
    /// Skip invalid rows and values, and report them, instead of refusing the file.
    pub skip_invalid: bool,
    /// Told how far parsing has gone, for a progress bar.
    pub progress: Option<Progress>,
    /// Which optional columns (`isolate_id`, `specimen`, `ward`…) to keep as text columns;
    /// `None` keeps them all. A command that only writes the file back, or groups by a few
    /// columns, names just those: a unique-per-row `isolate_id` costs a dictionary entry per row.
    pub keep_optional: Option<Vec<String>>,
}

impl ReadOptions {
    /// Options as forms and query strings name them: a guideline (`EUCAST 2025`, or empty for
    /// the newest), a UTI mode (`never` or empty, `specimen`, `always`). The error names the
    /// unreadable field.
    pub fn named(
        guideline: &str,
        uti: &str,
        skip_invalid: bool,
    ) -> Result<ReadOptions, &'static str> {
        let guideline = match guideline.trim() {
            "" => Options::default().guideline,
            g => Options::parse_guideline(g).ok_or("guideline")?,
        };
        let uti = match uti.trim() {
            "" | "never" => UtiMode::Never,
            "always" => UtiMode::Always,
            "specimen" => UtiMode::FromSpecimen,
            _ => return Err("uti"),
        };
        Ok(ReadOptions {
            interpretation: Options {
                guideline,
                uti,
                ..Default::default()
            },
            skip_invalid,
            ..Default::default()
        })
    }
}

impl std::fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("interpretation", &self.interpretation)
            .field("skip_invalid", &self.skip_invalid)
            .field("progress", &self.progress.is_some())
            .field("keep_optional", &self.keep_optional)
            .finish()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Patient,
    Date,
    Organism,
    Text(usize),
    Sir(usize),
    Mic(usize),
    Disk(usize),
    Ignored,
}

/// Reads a file's bytes: XLSX when it is a zip, CSV otherwise. The file is opened by
/// `cratb-sheet`, which refuses what is not a sheet or exceeds its limits before anything is
/// allocated for it.
pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<Dataset, Invalid> {
    match sheet(bytes)? {
        Cow::Owned(csv) => read_text(csv, options),
        Cow::Borrowed(csv) => {
            let mut dataset = read_csv(csv, options)?;
            if dataset.source.body.is_empty() {
                dataset.source.body = csv[dataset.source.offset..].to_vec();
                dataset.source.offset = 0;
            }
            with_rows(dataset)
        }
    }
}

/// As [`read`], keeping the bytes (to write the file back) rather than copying them.
pub fn read_owned(bytes: Vec<u8>, options: &ReadOptions) -> Result<Dataset, Invalid> {
    let converted = match sheet(&bytes)? {
        Cow::Owned(csv) => Some(csv),
        Cow::Borrowed(_) => None,
    };
    read_text(converted.unwrap_or(bytes), options)
}

/// The file as CSV text (an XLSX's first sheet converted), within the default limits.
fn sheet(bytes: &[u8]) -> Result<Cow<'_, [u8]>, Invalid> {
    cratb_sheet::Sheet::open(bytes, &cratb_sheet::Limits::default())
        .and_then(cratb_sheet::Sheet::into_csv)
        .map_err(|e| Invalid::file(e.to_string()))
}

fn read_text(csv: Vec<u8>, options: &ReadOptions) -> Result<Dataset, Invalid> {
    let mut dataset = read_csv(&csv, options)?;
    if dataset.source.body.is_empty() {
        dataset.source.body = csv;
    }
    with_rows(dataset)
}

/// A file of a header alone is refused: an import of nothing is a mistaken file.
fn with_rows(dataset: Dataset) -> Result<Dataset, Invalid> {
    if dataset.records == 0 {
        return Err(Invalid::file(
            cratb_sheet::SheetError::HeaderOnly.to_string(),
        ));
    }
    Ok(dataset)
}

/// Splits off the header line; detects the separator (`;` or `,`) from it.
fn header_of(bytes: &[u8]) -> Result<(Vec<String>, u8, &[u8]), Invalid> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = &bytes[..end];
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    let separator = if count(b';') > count(b',') {
        b';'
    } else if count(b'\t') > count(b',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(line);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(Invalid::file("le fichier est vide")),
        Err(_) => return Err(Invalid::file("l’en-tête n’est pas en UTF-8")),
    }
    let header = record.iter().map(|h| h.trim().to_string()).collect();
    Ok((header, separator, &bytes[(end + 1).min(bytes.len())..]))
}

fn read_csv(bytes: &[u8], options: &ReadOptions) -> Result<Dataset, Invalid> {
    let (header, separator, body) = header_of(bytes)?;
    let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    if lower.iter().any(|h| h == "antimicrobial") {
        let wide = crate::long::pivot(&header, separator, body, options)?;
        let to_long = |line: usize| {
            if line >= 2 {
                wide.lines[line - 2]
            } else {
                line
            }
        };
        let mut dataset = read_csv(&wide.csv, options).map_err(|mut invalid| {
            invalid
                .problems
                .iter_mut()
                .for_each(|p| p.line = to_long(p.line));
            invalid
        })?;
        for l in &mut dataset.line {
            *l = to_long(*l as usize) as u32;
        }
        dataset
            .skipped
            .iter_mut()
            .for_each(|p| p.line = to_long(p.line));
        dataset.skipped_total += wide.skipped.len();
        dataset.skipped.extend(wide.skipped);
        dataset.skipped.sort_by_key(|p| p.line);
        // Rows are isolates: for a long file, the isolates it pivots to, not its lines.
        dataset.records = wide.lines.len();
        dataset.source.body = wide.csv;
        return Ok(dataset);
    }
    let reference = Reference::get();
    let mut problems = Vec::new();
    let mut roles = vec![Role::Ignored; header.len()];
    let mut text_names = Vec::new();
    let mut agents: Vec<Agent> = Vec::new();
    let mut seen: FastMap<&str, usize> = FastMap::default();
    for (i, name) in lower.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if seen.insert(name, i).is_some() {
            problems.push(Problem::new(
                1,
                &header[i],
                "",
                ProblemKind::DuplicateColumn,
            ));
            continue;
        }
        roles[i] = match name.as_str() {
            "patient_id" => Role::Patient,
            "date" => Role::Date,
            "organism" => Role::Organism,
            n if OPTIONAL_COLUMNS.contains(&n) => {
                let kept = options
                    .keep_optional
                    .as_ref()
                    .is_none_or(|keep| keep.iter().any(|k| k.eq_ignore_ascii_case(n)));
                if kept {
                    text_names.push(header[i].clone());
                    Role::Text(text_names.len() - 1)
                } else {
                    Role::Ignored
                }
            }
            n => {
                let (code, kind) = if let Some(c) = n.strip_suffix("_mic") {
                    (c, 1)
                } else if let Some(c) = n.strip_suffix("_disk") {
                    (c, 2)
                } else {
                    (n, 0)
                };
                match reference.antimicrobial(code) {
                    Some(ab) => {
                        let a = match agents.iter().position(|a| a.ab == ab) {
                            Some(a) => a,
                            None => {
                                agents.push(Agent {
                                    ab,
                                    code: reference.antimicrobials[ab as usize].code.to_string(),
                                    sir_col: None,
                                    mic_col: None,
                                    disk_col: None,
                                    results: Vec::new(),
                                });
                                agents.len() - 1
                            }
                        };
                        match kind {
                            1 => {
                                agents[a].mic_col = Some(i);
                                Role::Mic(a)
                            }
                            2 => {
                                agents[a].disk_col = Some(i);
                                Role::Disk(a)
                            }
                            _ => {
                                agents[a].sir_col = Some(i);
                                Role::Sir(a)
                            }
                        }
                    }
                    None if kind != 0 => {
                        problems.push(Problem::new(
                            1,
                            &header[i],
                            code,
                            ProblemKind::UnknownAntimicrobial,
                        ));
                        Role::Ignored
                    }
                    None => {
                        // Another column: kept as text, unless it holds categories, in which
                        // case it is an antimicrobial we do not know (decided below).
                        text_names.push(header[i].clone());
                        Role::Text(text_names.len() - 1)
                    }
                }
            }
        };
    }
    for required in ["patient_id", "date", "organism"] {
        if !lower.iter().any(|h| h == required) {
            return Err(Invalid::from(vec![Problem::new(
                1,
                required,
                "",
                ProblemKind::MissingColumn,
            )]));
        }
    }
    if !problems.is_empty()
        && (!options.skip_invalid
            || problems
                .iter()
                .any(|p| p.kind == ProblemKind::DuplicateColumn))
    {
        return Err(Invalid::from(problems));
    }

    let threads = rayon::current_num_threads().max(1);
    let chunks = split(body, if body.len() > 1 << 20 { threads * 4 } else { 1 });
    let line_counts: Vec<usize> = chunks
        .par_iter()
        .map(|c| memchr::memchr_iter(b'\n', &body[c.clone()]).count())
        .collect();
    let mut first_line = Vec::with_capacity(chunks.len());
    let mut line = 2;
    for count in &line_counts {
        first_line.push(line);
        line += count;
    }
    let context = Context {
        roles: &roles,
        header: &header,
        agents: &agents,
        texts: text_names.len(),
        options,
        reference,
    };
    let outs: Vec<ChunkOut> = chunks
        .par_iter()
        .zip(first_line.par_iter().zip(line_counts.par_iter()))
        .map(|(range, (&first, &lines))| {
            parse_chunk(&context, separator, &body[range.clone()], first, lines)
        })
        .collect();

    // Merge the chunks: renumber patients and text values into shared dictionaries.
    let rows: usize = outs.iter().map(|o| o.date.len()).sum();
    let mut dataset = Dataset {
        options: options.interpretation.clone(),
        header: header.clone(),
        separator,
        line: Vec::with_capacity(rows),
        patient: Vec::with_capacity(rows),
        patients: Vec::new(),
        date: Vec::with_capacity(rows),
        mo: Vec::with_capacity(rows),
        text: text_names
            .iter()
            .map(|n| TextColumn {
                name: n.clone(),
                codes: Vec::with_capacity(rows),
                values: Vec::new(),
            })
            .collect(),
        agents: agents
            .iter()
            .map(|a| Agent {
                results: Vec::with_capacity(rows),
                ..a.clone()
            })
            .collect(),
        skipped: Vec::new(),
        skipped_total: 0,
        records: 0,
        source: Source {
            body: Vec::new(),
            offset: 0,
            chunks: chunks.clone(),
            first_line,
            first_row: Vec::new(),
        },
    };
    // One job per dictionary-encoded column (patients first, then the text columns), run in
    // parallel with the concatenation of the others.
    let mut outs = outs;
    let jobs: Vec<Vec<(Vec<u32>, Interner)>> = (0..=text_names.len())
        .map(|k| {
            outs.iter_mut()
                .map(|out| match k {
                    0 => (
                        std::mem::take(&mut out.patient),
                        std::mem::take(&mut out.patients),
                    ),
                    _ => std::mem::take(&mut out.text[k - 1]),
                })
                .collect()
        })
        .collect();
    let (merged, ()) = rayon::join(
        || {
            jobs.into_par_iter()
                .map(|parts| merge_column(parts, rows))
                .collect::<Vec<_>>()
        },
        || {
            for out in outs {
                dataset.source.first_row.push(dataset.date.len());
                dataset.records += out.records;
                problems.extend(out.problems);
                dataset.line.extend(out.line);
                dataset.date.extend(out.date);
                dataset.mo.extend(out.mo);
                for (a, results) in out.results.into_iter().enumerate() {
                    dataset.agents[a].results.extend(results);
                }
            }
        },
    );
    let mut merged = merged.into_iter();
    (dataset.patient, dataset.patients) = merged.next().expect("the patient column");
    for (column, (codes, values)) in dataset.text.iter_mut().zip(merged) {
        column.codes = codes;
        column.values = values;
    }
    unknown_category_columns(&mut dataset, &mut problems);
    if !problems.is_empty() {
        if !options.skip_invalid {
            return Err(Invalid::from(problems));
        }
        let invalid = Invalid::from(problems);
        dataset.skipped = invalid.problems;
        dataset.skipped_total = invalid.total;
    }
    // The caller keeps the bytes: `body` starts at `offset` in them.
    dataset.source.offset = bytes.len() - body.len();
    Ok(dataset)
}

/// A text column whose every value is a category (S, I, R…) is an antimicrobial the
/// reference does not know: reported, and dropped.
fn unknown_category_columns(dataset: &mut Dataset, problems: &mut Vec<Problem>) {
    dataset.text.retain(|column| {
        let lower = column.name.to_ascii_lowercase();
        if OPTIONAL_COLUMNS.contains(&lower.as_str()) {
            return true;
        }
        let mut nonempty = column.values.iter().filter(|v| !v.is_empty()).peekable();
        let categories = nonempty.peek().is_some()
            && nonempty
                .all(|v| matches!(Sir::parse(v), Ok(s) if s != Sir::Missing && s != Sir::Ni));
        if categories {
            problems.push(Problem::new(
                1,
                &column.name,
                &column.name,
                ProblemKind::UnknownAntimicrobial,
            ));
        }
        !categories
    });
}

/// Cuts the body into about `n` pieces at line ends. A file with quotes may hold line breaks
/// inside a field: it is read in one piece.
fn split(body: &[u8], n: usize) -> Vec<Range<usize>> {
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

struct Context<'a> {
    roles: &'a [Role],
    header: &'a [String],
    agents: &'a [Agent],
    texts: usize,
    options: &'a ReadOptions,
    reference: &'static Reference,
}

#[derive(Default)]
struct ChunkOut {
    records: usize,
    line: Vec<u32>,
    patient: Vec<u32>,
    patients: Interner,
    date: Vec<i32>,
    mo: Vec<MoId>,
    text: Vec<(Vec<u32>, Interner)>,
    results: Vec<Vec<Sir>>,
    problems: Vec<Problem>,
}

/// A hash map with a fast, non-cryptographic hash: the keys come from the file being read.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Distinct byte strings numbered in order of first appearance, stored end to end in one
/// buffer (no allocation per value).
#[derive(Default, Clone)]
pub(crate) struct Interner {
    table: hashbrown::HashTable<u32>,
    bytes: Vec<u8>,
    /// End of each value in `bytes`; it starts where the previous one ends.
    ends: Vec<usize>,
    hasher: foldhash::fast::FixedState,
}

impl Interner {
    fn value<'b>(bytes: &'b [u8], ends: &[usize], id: u32) -> &'b [u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &bytes[start..ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn intern(&mut self, value: &[u8]) -> u32 {
        use std::hash::BuildHasher;
        let hasher = &self.hasher;
        let hash = hasher.hash_one(value);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let entry = self.table.entry(
            hash,
            |&id| Self::value(bytes, ends, id) == value,
            |&id| hasher.hash_one(Self::value(bytes, ends, id)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = self.ends.len() as u32;
                e.insert(id);
                self.bytes.extend_from_slice(value);
                self.ends.push(self.bytes.len());
                id
            }
        }
    }

    /// Takes another interner's values in; returns the new number of each of its values.
    fn absorb(&mut self, other: Interner) -> Vec<u32> {
        if self.len() == 0 {
            let remap = (0..other.len() as u32).collect();
            *self = other;
            return remap;
        }
        self.reserve(other.len(), other.bytes.len());
        (0..other.len() as u32)
            .map(|id| self.intern(Self::value(&other.bytes, &other.ends, id)))
            .collect()
    }

    fn reserve(&mut self, values: usize, bytes: usize) {
        use std::hash::BuildHasher;
        let (hasher, all, ends) = (&self.hasher, &self.bytes, &self.ends);
        self.table
            .reserve(values, |&id| hasher.hash_one(Self::value(all, ends, id)));
        self.bytes.reserve(bytes);
        self.ends.reserve(values);
    }

    fn into_values(self) -> Vec<Box<str>> {
        (0..self.len() as u32)
            .map(|id| String::from_utf8_lossy(Self::value(&self.bytes, &self.ends, id)).into())
            .collect()
    }
}

/// Renumbers a column's codes, read in chunks each with its dictionary, into one dictionary.
fn merge_column(parts: Vec<(Vec<u32>, Interner)>, rows: usize) -> (Vec<u32>, Vec<Box<str>>) {
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

/// Writes one CSV field, quoted where it must be.
fn write_field(out: &mut Vec<u8>, value: &[u8], separator: u8) {
    if value
        .iter()
        .any(|&b| b == separator || b == b'"' || b == b'\n' || b == b'\r')
    {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// Whether fields can be cut where they lie: no quotes, lines ending in \n or \r\n.
fn is_plain(bytes: &[u8]) -> bool {
    memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
}

/// Calls `f` with the line number, the fields and the bytes done, for each line of a plain
/// chunk (see [`is_plain`]) that is not blank.
fn plain_lines(
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

fn parse_chunk(
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

/// Reads rows into a [`ChunkOut`], resolving each distinct organism, MIC and zone once.
struct RowParser<'c> {
    cx: &'c Context<'c>,
    out: ChunkOut,
    organisms: FastMap<Box<[u8]>, Option<MoId>>,
    rules: FastMap<(MoId, bool), Box<[Rule]>>,
    mics: FastMap<Box<[u8]>, Option<Mic>>,
    disks: FastMap<Box<[u8]>, Option<u8>>,
    specimen: Option<usize>,
    row_text: Vec<u32>,
    row_results: Vec<Sir>,
    row_problems: Vec<Problem>,
    /// Lines in the chunk, to size the dictionaries of columns with many distinct values.
    lines: usize,
}

/// Rows after which the dictionaries of columns with many distinct values are sized.
const SIZING_ROWS: usize = 2048;

fn str_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cached<T: Copy>(
    map: &mut FastMap<Box<[u8]>, T>,
    value: &[u8],
    parse: impl FnOnce(&str) -> T,
    bad: T,
) -> T {
    if let Some(found) = map.get(value) {
        return *found;
    }
    let found = std::str::from_utf8(value).map_or(bad, parse);
    map.insert(value.into(), found);
    found
}

impl<'c> RowParser<'c> {
    fn new(cx: &'c Context<'c>, lines: usize) -> Self {
        let out = ChunkOut {
            text: vec![Default::default(); cx.texts],
            results: vec![Vec::with_capacity(lines); cx.agents.len()],
            line: Vec::with_capacity(lines),
            patient: Vec::with_capacity(lines),
            date: Vec::with_capacity(lines),
            mo: Vec::with_capacity(lines),
            ..Default::default()
        };
        RowParser {
            cx,
            out,
            organisms: FastMap::default(),
            rules: FastMap::default(),
            mics: FastMap::default(),
            disks: FastMap::default(),
            specimen: cx
                .header
                .iter()
                .position(|h| h.eq_ignore_ascii_case("specimen")),
            row_text: vec![0u32; cx.texts],
            row_results: vec![Sir::Missing; cx.agents.len()],
            row_problems: Vec::new(),
            lines,
        }
    }

    /// Sizes the dictionaries of columns whose values are mostly distinct (identifiers) for the
    /// whole chunk at once.
    fn size_dictionaries(&mut self) {
        let rest = self.lines.saturating_sub(SIZING_ROWS);
        let out = &mut self.out;
        for interner in
            std::iter::once(&mut out.patients).chain(out.text.iter_mut().map(|t| &mut t.1))
        {
            if interner.len() > SIZING_ROWS / 4 {
                let share = interner.len() as f64 / SIZING_ROWS as f64;
                let values = (rest as f64 * share) as usize;
                let bytes = interner.bytes.len() / interner.len().max(1) * values;
                interner.reserve(values, bytes);
            }
        }
    }

    fn row(&mut self, line: usize, record: &[&[u8]]) {
        let cx = self.cx;
        self.out.records += 1;
        if self.out.records == SIZING_ROWS {
            self.size_dictionaries();
        }
        let out = &mut self.out;
        let row_problems = &mut self.row_problems;
        row_problems.clear();
        if record.len() > cx.roles.len() {
            row_problems.push(Problem::new(
                line,
                "",
                &format!("{} > {}", record.len(), cx.roles.len()),
                ProblemKind::TooManyFields,
            ));
        }
        let field = |i: usize| trim(record.get(i).copied().unwrap_or(b""));
        let (mut patient, mut date, mut mo) = (None, None, None);
        for (i, role) in cx.roles.iter().enumerate() {
            let value = field(i);
            match *role {
                Role::Patient => {
                    if value.is_empty() {
                        row_problems.push(Problem::new(
                            line,
                            &cx.header[i],
                            "",
                            ProblemKind::EmptyPatient,
                        ));
                    } else {
                        patient = Some(out.patients.intern(value));
                    }
                }
                Role::Date => match parse_date(value) {
                    Some(d) => date = Some(d),
                    None => row_problems.push(Problem::new(
                        line,
                        &cx.header[i],
                        &str_of(value),
                        ProblemKind::BadDate,
                    )),
                },
                Role::Organism => match cached(
                    &mut self.organisms,
                    value,
                    |t| cx.reference.organism(t),
                    None,
                ) {
                    Some(m) => mo = Some(m),
                    None => row_problems.push(Problem::new(
                        line,
                        &cx.header[i],
                        &str_of(value),
                        ProblemKind::UnknownOrganism,
                    )),
                },
                Role::Text(t) => self.row_text[t] = out.text[t].1.intern(value),
                _ => {}
            }
        }
        let (Some(patient), Some(date), Some(mo), true) =
            (patient, date, mo, row_problems.is_empty())
        else {
            out.problems.append(row_problems);
            return;
        };
        let uti = match cx.options.interpretation.uti {
            UtiMode::Never => false,
            UtiMode::Always => true,
            UtiMode::FromSpecimen => self.specimen.is_some_and(|s| is_urine(field(s))),
        };
        let rules = self.rules.entry((mo, uti)).or_insert_with(|| {
            cx.agents
                .iter()
                .map(|a| Rule::resolve(cx.reference, mo, a.ab, &cx.options.interpretation, uti))
                .collect()
        });
        for (a, agent) in cx.agents.iter().enumerate() {
            let rule = &rules[a];
            let mut result = Sir::Missing;
            let mut tested = false;
            if let Some(c) = agent.disk_col {
                let value = field(c);
                if !value.is_empty() {
                    match cached(&mut self.disks, value, parse_disk, None) {
                        Some(zone) => {
                            tested = true;
                            if let Some(b) = rule.disk {
                                result = interpret_disk(zone, b);
                            }
                        }
                        None => row_problems.push(Problem::new(
                            line,
                            &cx.header[c],
                            &str_of(value),
                            ProblemKind::BadDisk,
                        )),
                    }
                }
            }
            if let Some(c) = agent.mic_col {
                let value = field(c);
                if !value.is_empty() {
                    match cached(&mut self.mics, value, Mic::parse, None) {
                        Some(mic) => {
                            tested = true;
                            if let Some(b) = rule.mic {
                                result = interpret_mic(mic, b);
                            }
                        }
                        None => row_problems.push(Problem::new(
                            line,
                            &cx.header[c],
                            &str_of(value),
                            ProblemKind::BadMic,
                        )),
                    }
                }
            }
            if !tested && let Some(c) = agent.sir_col {
                let value = field(c);
                match std::str::from_utf8(value)
                    .map_err(|_| ())
                    .and_then(Sir::parse)
                {
                    Ok(sir) => result = sir,
                    Err(()) => row_problems.push(Problem::new(
                        line,
                        &cx.header[c],
                        &str_of(value),
                        ProblemKind::BadSir,
                    )),
                }
            }
            if rule.intrinsic_r && (tested || result != Sir::Missing) {
                result = Sir::R;
            }
            self.row_results[a] = result;
        }
        out.problems.append(row_problems);
        out.line.push(line as u32);
        out.patient.push(patient);
        out.date.push(date);
        out.mo.push(mo);
        for (t, code) in self.row_text.iter().enumerate() {
            out.text[t].0.push(*code);
        }
        for (a, r) in self.row_results.iter().enumerate() {
            out.results[a].push(*r);
        }
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Urine specimens, for `--uti-from-specimen`: "urine", "urines", "urinaire", "ECBU"…
pub fn is_urine(specimen: &[u8]) -> bool {
    let lower = specimen.to_ascii_lowercase();
    memchr::memmem::find(&lower, b"urin").is_some() || lower == b"ecbu"
}

/// Days since 1970-01-01 of `YYYY-MM-DD` or `DD/MM/YYYY` (a time after the date is ignored).
pub fn parse_date(bytes: &[u8]) -> Option<i32> {
    let b = bytes.get(..10)?;
    let digits = |s: &[u8]| -> Option<i32> {
        s.iter().try_fold(0i32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = if b[4] == b'-' && b[7] == b'-' {
        (digits(&b[..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
    } else if b[2] == b'/' && b[5] == b'/' {
        (digits(&b[6..10])?, digits(&b[3..5])?, digits(&b[..2])?)
    } else {
        return None;
    };
    if bytes.len() > 10 && !matches!(bytes[10], b' ' | b'T') {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1900..=2200).contains(&y)
        || !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month[m as usize - 1]
    {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn format_date(z: i32) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A column added by [`Dataset::write_with`]: its name and its value for each row.
pub type ExtraColumn<'a> = (&'a str, &'a (dyn Fn(usize) -> &'static str + Sync));

impl Dataset {
    /// The file as read, with each interpretation written into its `<code>` column; columns
    /// that did not exist are added after the others. Skipped rows are left out.
    pub fn write_interpreted(&self) -> Vec<u8> {
        self.write_with(true, &[])
    }

    /// The file as read, in its separator; with `interpreted`, each interpretation written into
    /// its `<code>` column (columns that did not exist are added after the others); then the
    /// `extra` columns, whose functions get the row number. Skipped rows are left out.
    pub fn write_with(&self, interpreted: bool, extra: &[ExtraColumn]) -> Vec<u8> {
        let added: Vec<&Agent> = if interpreted {
            self.agents.iter().filter(|a| a.sir_col.is_none()).collect()
        } else {
            Vec::new()
        };
        // For each input column, the agent whose interpretation replaces it.
        let replaced: Vec<Option<&Agent>> = (0..self.header.len())
            .map(|i| {
                if interpreted {
                    self.agents.iter().find(|a| a.sir_col == Some(i))
                } else {
                    None
                }
            })
            .collect();
        let mut header = csv::WriterBuilder::new()
            .delimiter(self.separator)
            .from_writer(Vec::new());
        let names = self
            .header
            .iter()
            .map(String::as_str)
            .chain(added.iter().map(|a| a.code.as_str()))
            .chain(extra.iter().map(|e| e.0));
        header.write_record(names).expect("writing to memory");
        let mut out = header.into_inner().expect("writing to memory");
        let parts: Vec<Vec<u8>> = self
            .source
            .chunks
            .par_iter()
            .zip(self.source.first_line.par_iter())
            .zip(self.source.first_row.par_iter())
            .map(|((range, &first), &start)| {
                let bytes = &self.source.body[self.source.offset..][range.clone()];
                if is_plain(bytes) {
                    // Fields hold no quote, separator or line break: written as they are.
                    let separator = self.separator;
                    let mut out = Vec::with_capacity(range.len() + range.len() / 4);
                    let mut row = start;
                    plain_lines(bytes, separator, first, |line, fields, _| {
                        if row >= self.len() || self.line[row] as usize != line {
                            return;
                        }
                        for (i, agent) in replaced.iter().enumerate() {
                            if i > 0 {
                                out.push(separator);
                            }
                            match agent {
                                Some(a) => {
                                    out.extend_from_slice(a.results[row].as_str().as_bytes())
                                }
                                None => {
                                    out.extend_from_slice(fields.get(i).copied().unwrap_or(b""))
                                }
                            }
                        }
                        for a in &added {
                            out.push(separator);
                            out.extend_from_slice(a.results[row].as_str().as_bytes());
                        }
                        for (_, value) in extra {
                            out.push(separator);
                            write_field(&mut out, value(row).as_bytes(), separator);
                        }
                        out.push(b'\n');
                        row += 1;
                    });
                    return out;
                }
                let mut writer = csv::WriterBuilder::new()
                    .delimiter(self.separator)
                    .flexible(true)
                    .from_writer(Vec::with_capacity(range.len() + range.len() / 4));
                let mut output = csv::ByteRecord::new();
                let mut row = start;
                // Lines are numbered as when the file was read; rows left out are not found.
                let mut emit = |line: usize, record: &[&[u8]]| {
                    if row >= self.len() || self.line[row] as usize != line {
                        return;
                    }
                    output.clear();
                    for (i, agent) in replaced.iter().enumerate() {
                        match agent {
                            Some(a) => output.push_field(a.results[row].as_str().as_bytes()),
                            None => output.push_field(record.get(i).copied().unwrap_or(b"")),
                        }
                    }
                    for a in &added {
                        output.push_field(a.results[row].as_str().as_bytes());
                    }
                    for (_, value) in extra {
                        output.push_field(value(row).as_bytes());
                    }
                    writer
                        .write_byte_record(&output)
                        .expect("writing to memory");
                    row += 1;
                };
                {
                    let mut reader = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .delimiter(self.separator)
                        .from_reader(bytes);
                    let mut record = csv::ByteRecord::new();
                    while let Ok(true) = reader.read_byte_record(&mut record) {
                        let line =
                            record.position().map(|p| p.line() as usize).unwrap_or(1) + first - 1;
                        let fields: Vec<&[u8]> = record.iter().collect();
                        emit(line, &fields);
                    }
                }
                writer.into_inner().expect("writing to memory")
            })
            .collect();
        for p in parts {
            out.extend(p);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"01/01/1970"), Some(0));
        assert_eq!(
            parse_date(b"2024-02-29"),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(parse_date(b"2023-02-29"), None);
        assert_eq!(parse_date(b"2023-13-01"), None);
        assert_eq!(parse_date(b"2023-1-01"), None);
        assert_eq!(parse_date(b"2024-03-01T10:00"), parse_date(b"2024-03-01"));
        assert_eq!(
            format_date(parse_date(b"2025-08-28").unwrap()),
            "2025-08-28"
        );
        for z in -1000..30000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m as i32, d as i32), z);
        }
    }

    #[test]
    fn written_back_whole_in_chunks_with_crlf() {
        let spec = crate::synth::Spec {
            isolates: 20_000,
            patients: 7_000,
            seed: 3,
        };
        let text = String::from_utf8(crate::synth::generate(&spec))
            .unwrap()
            .replace('\n', "\r\n");
        assert!(text.len() > 1 << 20, "read in several chunks");
        let data = crate::read_owned(text.clone().into_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(data.len(), 20_000);
        assert_eq!(data.line[19_999], 20_001);
        let flag = |row: usize| {
            if row.is_multiple_of(2) {
                "true"
            } else {
                "false"
            }
        };
        let written =
            String::from_utf8(data.write_with(false, &[("first_isolate", &flag)])).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(lines.len(), 20_001);
        for (i, (w, r)) in lines.iter().zip(text.lines()).enumerate() {
            let flag = if i == 0 { "first_isolate" } else { flag(i - 1) };
            assert_eq!(*w, format!("{r},{flag}"));
        }
        let interpreted = data.write_interpreted();
        assert_eq!(interpreted.iter().filter(|b| **b == b'\n').count(), 20_001);
    }

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
