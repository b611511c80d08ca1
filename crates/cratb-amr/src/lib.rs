//! Resistance surveillance, the way the AMR R package computes it, column-wise and fast:
//! read a susceptibility file ([`read`]), interpret MICs and zones with EUCAST breakpoints
//! ([`interpret`]), flag first isolates ([`first_isolate`]) and count cumulative
//! antibiograms ([`antibiogram`]).

pub mod antibiogram;
pub mod first_isolate;
pub mod interpret;
mod long;
mod parquet;
pub mod problems;
pub mod read;
pub mod reference;
pub mod synth;
pub mod values;
mod xlsx;

pub use interpret::{Options, UtiMode};
pub use problems::{Invalid, Problem, ProblemKind};
pub use read::{Dataset, ReadOptions, read, read_owned};
pub use reference::Reference;
pub use values::Sir;

/// The first sheet of an XLSX workbook as CSV text (`,`-separated; dates as `YYYY-MM-DD`), or
/// why it cannot be read.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<Vec<u8>, String> {
    xlsx::to_csv(bytes).map_err(|e| {
        e.problems
            .first()
            .map_or_else(|| "classeur illisible".to_string(), |p| p.message("fr"))
    })
}
