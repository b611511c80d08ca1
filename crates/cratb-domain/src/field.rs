//! The error of one field of a form or of an API body (which field, and why, in both languages),
//! and the checks of the common kinds of field: optional text, bounded text, telephone, e-mail.

/// A field of an input and what is wrong with it, in French and in English, for forms and the API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: &'static str, fr: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field,
            message: fr.into(),
            message_en: en.into(),
        }
    }
    /// The error of a domain value, in both languages.
    pub fn of(field: &'static str, e: &impl crate::Bilingual) -> Self {
        FieldError {
            field,
            message: e.to_string(),
            message_en: e.en(),
        }
    }
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> &str {
        lang.pick(&self.message, &self.message_en)
    }
}

/// The trimmed text of an optional field, `None` when empty.
pub fn optional(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A free text of at most `max` characters, or an error naming the field.
pub fn bounded(
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
pub fn phone_field(errors: &mut Vec<FieldError>, value: &Option<String>) -> Option<crate::Phone> {
    optional(value)
        .map(crate::Phone::parse)
        .transpose()
        .map_err(|e| errors.push(FieldError::of("phone", &e)))
        .ok()
        .flatten()
}

/// An optional e-mail address, or its error.
pub fn email_field(errors: &mut Vec<FieldError>, value: &Option<String>) -> Option<crate::Email> {
    optional(value)
        .map(crate::Email::parse)
        .transpose()
        .map_err(|e| errors.push(FieldError::of("email", &e)))
        .ok()
        .flatten()
}
