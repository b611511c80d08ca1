//! One row's fields: patient, date, organism, then each antimicrobial's MIC, zone or category.

use super::chunks::{ChunkOut, Context};
use super::date::parse_date;
use super::{FastMap, Role};
use crate::interpret::{Rule, UtiMode, interpret_disk, interpret_mic};
use crate::problems::{Problem, ProblemKind};
use crate::reference::MoId;
use crate::values::{Mic, Sir, parse_disk};

/// Reads rows into a [`ChunkOut`], resolving each distinct organism, MIC and zone once.
pub(super) struct RowParser<'c> {
    cx: &'c Context<'c>,
    pub(super) out: ChunkOut,
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
    pub(super) fn new(cx: &'c Context<'c>, lines: usize) -> Self {
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

    pub(super) fn row(&mut self, line: usize, record: &[&[u8]]) {
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
