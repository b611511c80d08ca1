//! The stewardship network around the directory: the multidisciplinary antibiotic teams (EMA)
//! with their members and the departments they serve, the conventions that bind a team to an
//! establishment or a CPTS (with the signed PDF), the coverage those conventions give, the
//! regional centre's public contact, and the public "who do I ask?" lookup.

mod conventions;
mod coverage;
mod public;
mod teams;

pub use conventions::*;
pub use coverage::*;
pub use public::*;
pub use teams::*;

use crate::FieldError;

pub(crate) fn optional(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A free text of at most `max` characters, or an error naming the field.
pub(crate) fn bounded(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &Option<String>,
    max: usize,
) -> Option<String> {
    let v = optional(value)?;
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("{max} caractères au plus"),
            format!("{max} characters at most"),
        ));
        return None;
    }
    Some(v.to_string())
}

/// An optional telephone number, or its error.
pub(crate) fn phone_field(
    errors: &mut Vec<FieldError>,
    value: &Option<String>,
) -> Option<cratb_domain::Phone> {
    optional(value)
        .map(cratb_domain::Phone::parse)
        .transpose()
        .map_err(|e| errors.push(FieldError::of("phone", &e)))
        .ok()
        .flatten()
}

/// An optional e-mail address, or its error.
pub(crate) fn email_field(
    errors: &mut Vec<FieldError>,
    value: &Option<String>,
) -> Option<cratb_domain::Email> {
    optional(value)
        .map(cratb_domain::Email::parse)
        .transpose()
        .map_err(|e| errors.push(FieldError::of("email", &e)))
        .ok()
        .flatten()
}
