//! Appropriateness audits of antibiotic prescriptions (the decree's "evaluate the
//! appropriateness of antibiotic therapy in every sector, with feedback"), as pure rules: a
//! grid of criteria and its JSON file (`grid`), a case's answers read against their criterion
//! and judged conform or not (`grid::Criterion::read`, `conform`), the cases' sheet (`cases`),
//! conformity per criterion and whole cases with their 95 % Wilson interval (`results`). The
//! grids cratb ships, with their sources, are in `grids/`. No I/O, no SQL.

pub mod cases;
pub mod grid;
pub mod results;
pub mod shipped;

pub use grid::{Answer, Criterion, Grid, GridError, Kind};
