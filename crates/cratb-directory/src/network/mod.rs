//! The stewardship network around the directory: the multidisciplinary antibiotic teams (EMA)
//! with their members and the departments they serve, the conventions that bind a team to an
//! establishment or a CPTS (with the signed PDF), the coverage those conventions give, the
//! regional centre's public contact, and what the public "who do I ask?" lookup shows.
//!
//! The types the store reads and writes and the JSON API sends and receives, their validation
//! (every field error at once, in French and English), the forms as typed, and how each is
//! labelled for people to read. No I/O.

mod centre;
mod conventions;
mod coverage;
mod teams;

pub use centre::*;
pub use conventions::*;
pub use coverage::*;
pub use teams::*;

use cratb_domain::Lang;

/// Formats a date for display (`25/11/2026` in French, ISO in English).
pub fn fmt_date(d: time::Date, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        Lang::En => d.to_string(),
    }
}

/// Formats a share in percent for display (`72 %`, `—`).
pub fn percent(share: Option<f64>) -> String {
    share.map_or("—".into(), |s| format!("{s:.0} %"))
}

/// A stored phone number (E.164) as people read it (`04 76 12 34 56`); empty when absent.
fn readable_phone(e164: Option<&str>) -> String {
    e164.map_or(String::new(), |x| {
        cratb_domain::Phone::parse(x).map_or(x.to_owned(), |p| p.to_string())
    })
}
