//! What cratb shows and prints, the same on a page, in a PDF and from the command line:
//! figures written as people read them ([`format`]: French decimal comma, thin-space
//! thousands), SVG charts ([`charts`]) and the department map ([`map`]), PDF tables
//! ([`pdf`]), and the consumption feedback sent to each establishment ([`consumption`]).
//!
//! Pure functions of the figures they are given: no I/O, no HTTP, no database.

pub mod charts;
pub mod consumption;
pub mod format;
pub mod map;
pub mod pdf;
pub mod resistance;
