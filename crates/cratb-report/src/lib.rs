//! What cratb shows and prints, the same on a page, in a PDF and from the command line:
//! figures written as people read them ([`format`]: French decimal comma, thin-space
//! thousands), SVG charts ([`charts`]) and the department map ([`map`]), PDF tables
//! ([`pdf`]), the consumption feedback sent to each establishment ([`consumption`]), a region's
//! consumption dashboard ([`dashboard`]) and primary care ([`primary`]), the antibiogram, its
//! trend and the resistant organisms of concern ([`resistance`]), the feedback of an
//! appropriateness audit to an establishment, its charts and reports ([`audit`]).
//!
//! Pure functions of the figures they are given: no I/O, no HTTP, no database.

pub mod audit;
pub mod charts;
pub mod consumption;
pub mod dashboard;
pub mod format;
pub mod map;
pub mod pdf;
pub mod primary;
pub mod resistance;
