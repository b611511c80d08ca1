//! E-mail addresses, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid e-mail address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas une adresse e-mail valide (forme attendue : nom@domaine.fr)")]
pub struct EmailError(pub String);

impl crate::Bilingual for EmailError {
    fn en(&self) -> String {
        format!(
            "“{}” is not a valid e-mail address (expected form: name@domain.fr)",
            self.0
        )
    }
}

impl Email {
    /// Accepts `local@domain.tld` with no spaces, one `@`, a dotted domain, at most 254 characters.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim().to_lowercase();
        let err = || EmailError(input.trim().to_owned());
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (local, domain) = s.split_once('@').ok_or_else(err)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !labels_ok
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || local.chars().any(|c| "()<>[]:;,\\\"".contains(c))
        {
            return Err(err());
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse(" Anne.Martin@CHU-Lyon.fr ").unwrap().as_str(),
            "anne.martin@chu-lyon.fr"
        );
        assert!(Email::parse("a+b@x.org").is_ok());
    }

    #[test]
    fn refuses() {
        for bad in [
            "",
            "anne",
            "anne@",
            "@chu.fr",
            "anne@chu",
            "an ne@chu.fr",
            "a@@chu.fr",
            "a@chu..fr",
            ".a@chu.fr",
            "a@-chu.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,80}") { let _ = Email::parse(&s); }
    }
}
