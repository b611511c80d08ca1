//! Appropriateness audits of antibiotic prescriptions (the decree's "evaluate the
//! appropriateness of antibiotic therapy in every sector, with feedback and a personalised
//! action plan"), as pure rules: a grid of criteria and its JSON file (`grid`), a case's
//! answers read against their criterion and judged conform or not (`grid::Criterion::read`,
//! `conform`), the cases' sheet (`cases`), a campaign and its checks (`campaign`), a case
//! entered at the bedside, draft or validated (`entry`), conformity per criterion and whole
//! cases with their 95 % Wilson interval, per establishment or any grouping (`results`), an
//! establishment among the participants, two campaigns compared and the trend (`benchmark`), an
//! establishment's action plan and its reminders (`plan`). The grids cratb ships, with their sources, are in `grids/`. No I/O, no
//! SQL.

pub mod benchmark;
pub mod campaign;
pub mod cases;
pub mod entry;
pub mod grid;
pub mod plan;
pub mod results;
pub mod shipped;

pub use grid::{Answer, Criterion, Grid, GridError, Kind};
