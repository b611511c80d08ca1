//! The rules of the regional directory and of the stewardship network, free of I/O.
//!
//! What a professional, a team, a member, a convention or the centre is, how each is validated
//! (every field error at once, in French and English), how a directory file's columns are
//! recognised and its rows classified, the rules of an update campaign, and how the directory
//! is mapped to FHIR R4 resources. The store persists these types; the use cases in
//! `cratb-app` validate with them before writing; nothing here knows SQL or HTTP.

pub mod campaign;
pub mod import;
pub mod network;
pub mod professionals;
