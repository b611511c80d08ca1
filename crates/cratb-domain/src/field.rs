//! The error of one field of a form or of an API body: which field, and why, in both languages.

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

