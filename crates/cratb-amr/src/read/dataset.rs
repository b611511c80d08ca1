//! What a susceptibility file is read into, and how it is read.

use std::ops::Range;
use std::sync::Arc;

use crate::interpret::{Options, UtiMode};
use crate::problems::Problem;
use crate::reference::{AbId, MoId, Reference};
use crate::values::Sir;

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
    pub(super) source: Source,
}

/// The CSV text the dataset was read from, kept to write it back with interpretations added.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    /// The bytes read; the body (after the header line) starts at `offset`.
    pub(super) body: Vec<u8>,
    pub(super) offset: usize,
    pub(super) chunks: Vec<Range<usize>>,
    pub(super) first_line: Vec<usize>,
    /// Row index where each chunk starts.
    pub(super) first_row: Vec<usize>,
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
