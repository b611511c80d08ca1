//! RPPS numbers: the national identifier of health professionals (*Répertoire partagé des
//! professionnels de santé*), held by physicians, pharmacists, midwives, dentists, nurses…
//!
//! An RPPS number has 11 digits; the last is a check key computed with the Luhn (mod 10)
//! algorithm over the first ten, as the ANS describes the identifier (the same key as the
//! 9-digit FINESS and SIREN numbers). The 11 digits are the RPPS proper; the 12-character
//! national identifier used in e-health systems prefixes them with `8` (IdNat_PS), which this
//! type accepts and drops. The rule could not be checked against the ANS text here (no network):
//! it is recorded as an assumption in the README of the directory.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A checked RPPS number (11 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rpps(String);

/// Why a string is not an RPPS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RppsError {
    #[error("numéro RPPS vide")]
    Empty,
    #[error("« {0} » : un numéro RPPS compte 11 chiffres")]
    Length(String),
    #[error("« {0} » : un numéro RPPS ne contient que des chiffres")]
    NotDigits(String),
    #[error(
        "« {0} » : la clé de contrôle (dernier chiffre) ne correspond pas ; vérifiez la saisie"
    )]
    Key(String),
}

impl crate::Bilingual for RppsError {
    fn en(&self) -> String {
        match self {
            RppsError::Empty => "empty RPPS number".into(),
            RppsError::Length(s) => format!("“{s}”: an RPPS number has 11 digits"),
            RppsError::NotDigits(s) => format!("“{s}”: an RPPS number holds digits only"),
            RppsError::Key(s) => {
                format!("“{s}”: the check digit (last digit) does not match; check the number")
            }
        }
    }
}

impl Rpps {
    /// Accepts 11 digits (spaces ignored), or the 12-character national identifier `8` + RPPS.
    pub fn parse(input: &str) -> Result<Rpps, RppsError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(RppsError::Empty);
        }
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RppsError::NotDigits(input.trim().to_string()));
        }
        let digits = match compact.len() {
            11 => compact,
            12 if compact.starts_with('8') => compact[1..].to_string(),
            _ => return Err(RppsError::Length(input.trim().to_string())),
        };
        let b = digits.as_bytes();
        if crate::finess::luhn_key(&b[..10]) != b[10] - b'0' {
            return Err(RppsError::Key(input.trim().to_string()));
        }
        Ok(Rpps(digits))
    }

    /// The number completed with its check digit, from its first ten digits.
    pub fn from_body(body: &str) -> Option<Rpps> {
        (body.len() == 10 && body.bytes().all(|b| b.is_ascii_digit())).then(|| {
            Rpps(format!(
                "{body}{}",
                crate::finess::luhn_key(body.as_bytes())
            ))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Rpps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Rpps {
    type Error = RppsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Rpps::parse(&s)
    }
}

impl From<Rpps> for String {
    fn from(r: Rpps) -> String {
        r.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys() {
        // Body 1000345678: from the right, doubled 8 6 4 0 0 → 7 3 8 0 0 (18), kept 7 5 3 0 1
        // (16); 34 → key 6.
        let r = Rpps::from_body("1000345678").unwrap();
        assert_eq!(r.as_str(), "10003456786");
        assert_eq!(Rpps::parse("100 0345 6786"), Ok(r.clone()));
        assert_eq!(
            Rpps::parse("810003456786"),
            Ok(r),
            "national identifier 8 + RPPS"
        );
        assert!(matches!(Rpps::parse("10003456789"), Err(RppsError::Key(_))));
        assert!(matches!(
            Rpps::parse("1000345678"),
            Err(RppsError::Length(_))
        ));
        assert!(matches!(
            Rpps::parse("1000345678A"),
            Err(RppsError::NotDigits(_))
        ));
        assert_eq!(Rpps::parse("  "), Err(RppsError::Empty));
    }

    proptest! {
        /// Every body gets exactly one valid key, and any single wrong last digit is refused.
        #[test]
        fn one_key_per_body(body in "[0-9]{10}", wrong in 0u8..10) {
            let r = Rpps::from_body(&body).unwrap();
            prop_assert_eq!(Rpps::parse(r.as_str()), Ok(r.clone()));
            let key = r.as_str().as_bytes()[10] - b'0';
            if wrong != key {
                let bad = format!("{body}{wrong}");
                prop_assert!(matches!(Rpps::parse(&bad), Err(RppsError::Key(_))));
            }
        }

        /// Swapping two different adjacent digits of the body is caught (Luhn's point), except
        /// the 0↔9 pair, which Luhn cannot see.
        #[test]
        fn adjacent_swaps_are_caught(body in "[0-9]{10}", at in 0usize..9) {
            let r = Rpps::from_body(&body).unwrap();
            let mut b = r.as_str().as_bytes().to_vec();
            let (x, y) = (b[at], b[at + 1]);
            prop_assume!(x != y && !matches!((x, y), (b'0', b'9') | (b'9', b'0')));
            b.swap(at, at + 1);
            prop_assert!(Rpps::parse(std::str::from_utf8(&b).unwrap()).is_err());
        }
    }
}
