//! The stewardship network around the directory, persisted: the multidisciplinary antibiotic
//! teams (EMA) with their members and the departments they serve, the conventions that bind a
//! team to an establishment or a CPTS (with the signed PDF), the coverage those conventions
//! give, the regional centre's public contact, and the public "who do I ask?" lookup. The
//! types and their rules are `cratb_directory::network`'s.

mod conventions;
mod coverage;
mod public;
mod teams;

pub use conventions::*;
pub use coverage::*;
pub use public::*;
pub use teams::*;
