//! The error of one field of a form or of an API body (which field, and why, in both languages),
//! and the checks of the common kinds of field: optional text, bounded text, telephone, e-mail.

/// A field of an input and what is wrong with it, in French and in English, for forms and the API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    /// The entry of the field at fault, when the field is a map whose keys are data (a grid's
    /// criterion code among a case's `answers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: &'static str, fr: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field,
            key: None,
            message: fr.into(),
            message_en: en.into(),
        }
    }
    /// The error of entry `key` of the map `field`.
    pub fn keyed(
        field: &'static str,
        key: impl Into<String>,
        fr: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            key: Some(key.into()),
            ..FieldError::new(field, fr, en)
        }
    }
    /// Where the error is, as a dotted path (`caller.name`, `answers.delay`).
    pub fn path(&self) -> String {
        match &self.key {
            Some(k) => format!("{}.{k}", self.field),
            None => self.field.to_string(),
        }
    }
    /// Where the error is, as a JSON pointer (`/caller/name`, `/answers/delay`): the key, which is
    /// data, escaped as RFC 6901 says.
    pub fn pointer(&self) -> String {
        let mut p = format!("/{}", self.field.replace('.', "/"));
        if let Some(k) = &self.key {
            p.push('/');
            p.push_str(&k.replace('~', "~0").replace('/', "~1"));
        }
        p
    }
    /// The error of a domain value, in both languages.
    pub fn of(field: &'static str, e: &impl crate::Bilingual) -> Self {
        FieldError::new(field, e.to_string(), e.en())
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
