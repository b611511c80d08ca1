//! Reading a susceptibility file (CSV or XLSX, wide or long) into a column-wise [`Dataset`],
//! interpreting MICs and disk zones on the way.
//!
//! The body is cut at line boundaries and parsed on every core; organisms, breakpoints and
//! text values are resolved once per distinct value, not once per row.
//!
//! - `dataset.rs`: what a file is read into ([`Dataset`], its [`TextColumn`]s and [`Agent`]s)
//!   and how it is read ([`ReadOptions`]);
//! - this module: the header (separator, the role of each column), then the body read in
//!   chunks and the chunks merged;
//! - `chunks.rs`: the body cut at line ends and each chunk parsed on its own;
//! - `row.rs`: one row's fields (patient, date, organism, MICs, zones, categories);
//! - `interner.rs`: the dictionaries of text values;
//! - `date.rs`: specimen dates and day numbers;
//! - `write.rs`: the file written back with its interpretations ([`Dataset::write_with`]).

mod chunks;
mod dataset;
mod date;
mod interner;
mod row;
mod write;

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use crate::problems::{Invalid, Problem, ProblemKind};
use crate::reference::Reference;
use crate::values::Sir;

use chunks::{ChunkOut, Context, merge_column, parse_chunk, split};
use dataset::Source;
use interner::Interner;

pub use dataset::{Agent, Dataset, OPTIONAL_COLUMNS, Progress, ReadOptions, TextColumn};
pub use date::{civil_from_days, days_from_civil, format_date, parse_date};
pub use row::is_urine;
pub use write::ExtraColumn;

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

/// A hash map with a fast, non-cryptographic hash: the keys come from the file being read.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

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
