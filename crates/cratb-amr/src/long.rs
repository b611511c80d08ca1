//! "Long" files, one row per isolate × antimicrobial, pivoted to one row per isolate.

use std::collections::HashMap;

use cratb_sheet::write::{Csv, CsvWriter};

use crate::problems::{Invalid, Problem, ProblemKind};
use crate::read::ReadOptions;
use crate::reference::Reference;
use crate::values::{Mic, Sir, parse_disk};

pub(crate) struct Wide {
    pub csv: Vec<u8>,
    /// Line in the long file of the first row of each wide row.
    pub lines: Vec<usize>,
    pub skipped: Vec<Problem>,
}

const RESULT_COLUMNS: [&str; 3] = ["sir", "mic", "disk"];

/// Pivots a long file. An isolate is identified by `isolate_id` when there is one, else by
/// patient, date, organism and specimen.
pub(crate) fn pivot(
    header: &[String],
    separator: u8,
    body: &[u8],
    options: &ReadOptions,
) -> Result<Wide, Invalid> {
    let reference = Reference::get();
    let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let position = |name: &str| lower.iter().position(|h| h == name);
    let ab_col = position("antimicrobial").expect("a long file has an antimicrobial column");
    let results: Vec<(usize, usize)> = RESULT_COLUMNS
        .iter()
        .enumerate()
        .filter_map(|(k, n)| position(n).map(|i| (k, i)))
        .collect();
    if results.is_empty() {
        return Err(Invalid::from(vec![Problem::new(
            1,
            "sir",
            "",
            ProblemKind::MissingColumn,
        )]));
    }
    let kept: Vec<usize> = (0..header.len())
        .filter(|&i| i != ab_col && !RESULT_COLUMNS.contains(&lower[i].as_str()))
        .collect();
    let key_cols: Vec<usize> = match position("isolate_id") {
        Some(i) => vec![i],
        None => ["patient_id", "date", "organism", "specimen"]
            .iter()
            .filter_map(|n| position(n))
            .collect(),
    };

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(body);
    let mut isolates: HashMap<Vec<Vec<u8>>, usize> = HashMap::new();
    // Per isolate: its first line, its identifying fields, its results by (agent, kind).
    type Row = (usize, Vec<Vec<u8>>, HashMap<(usize, usize), Vec<u8>>);
    let mut rows: Vec<Row> = Vec::new();
    let mut agents: Vec<String> = Vec::new();
    let mut present = [false; 3];
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Invalid::file(e.to_string())),
        }
        let line = record.position().map_or(0, |p| p.line() as usize) + 1;
        let field = |i: usize| record.get(i).unwrap_or(b"").trim_ascii();
        let code = String::from_utf8_lossy(field(ab_col)).into_owned();
        let Some(ab) = reference.antimicrobial(&code) else {
            problems.push(Problem::new(
                line,
                &header[ab_col],
                &code,
                ProblemKind::UnknownAntimicrobial,
            ));
            continue;
        };
        let code = reference.antimicrobials[ab as usize].code.to_string();
        let a = agents.iter().position(|c| *c == code).unwrap_or_else(|| {
            agents.push(code.clone());
            agents.len() - 1
        });
        let key: Vec<Vec<u8>> = key_cols.iter().map(|&i| field(i).to_vec()).collect();
        let index = *isolates.entry(key).or_insert_with(|| {
            rows.push((
                line,
                kept.iter().map(|&i| field(i).to_vec()).collect(),
                HashMap::new(),
            ));
            rows.len() - 1
        });
        for &(k, i) in &results {
            let value = field(i);
            if value.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(value);
            let (ok, kind) = match k {
                0 => (Sir::parse(&text).is_ok(), ProblemKind::BadSir),
                1 => (Mic::parse(&text).is_some(), ProblemKind::BadMic),
                _ => (parse_disk(&text).is_some(), ProblemKind::BadDisk),
            };
            if ok {
                present[k] = true;
                rows[index].2.insert((a, k), value.to_vec());
            } else {
                problems.push(Problem::new(line, &header[i], &text, kind));
            }
        }
    }
    if !problems.is_empty() && !options.skip_invalid {
        return Err(Invalid::from(problems));
    }
    let mut writer = CsvWriter::new(Csv::separated_by(separator));
    let mut columns: Vec<String> = kept.iter().map(|&i| header[i].clone()).collect();
    let suffixes = ["", "_mic", "_disk"];
    let mut result_columns = Vec::new();
    for (a, code) in agents.iter().enumerate() {
        for k in 0..3 {
            if present[k] {
                columns.push(format!("{code}{}", suffixes[k]));
                result_columns.push((a, k));
            }
        }
    }
    writer.row(&columns);
    let mut lines = Vec::with_capacity(rows.len());
    for (line, fields, values) in &rows {
        lines.push(*line);
        let results = result_columns
            .iter()
            .map(|key| values.get(key).map_or(&b""[..], Vec::as_slice));
        writer.row(fields.iter().map(Vec::as_slice).chain(results));
    }
    Ok(Wide {
        csv: writer.finish(),
        lines,
        skipped: problems,
    })
}
