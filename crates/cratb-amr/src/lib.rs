//! Resistance surveillance, the way the AMR R package computes it, column-wise and fast:
//! read a susceptibility file ([`read`]), interpret MICs and zones with EUCAST breakpoints
//! ([`interpret`]), flag first isolates ([`first_isolate`]) and count cumulative
//! antibiograms ([`antibiogram`]).

pub mod antibiogram;
pub mod first_isolate;
pub mod interpret;
mod long;
pub mod names;
pub mod problems;
pub mod read;
pub mod reference;
pub mod synth;
pub mod values;

pub use interpret::{Options, UtiMode};
pub use problems::{Invalid, Problem, ProblemKind};
pub use read::{Dataset, ReadOptions, read, read_owned};
pub use reference::Reference;
pub use values::Sir;
