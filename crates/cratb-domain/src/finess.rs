//! FINESS numbers: the national identifier of health and social-care establishments.
//!
//! The rule, as published by the FINESS directory (DREES / ANS, « Nomenclatures FINESS ») and
//! implemented by the French national tools:
//! - 9 characters;
//! - characters 1–2: the department (`01`…`95`, `2A`/`2B` for Corsica, `9A` Guadeloupe,
//!   `9B` Martinique, `9C` Guyane, `9D` La Réunion, `9E` Saint-Pierre-et-Miquelon, `9F` Mayotte);
//!   for overseas departments the INSEE form `97x` is also seen in exports and accepted;
//! - characters 3–8: a sequence number;
//! - character 9: a check key, such that the 9 characters pass the Luhn (mod 10) test, the
//!   letter of a Corsican or overseas prefix counting as `0`.
//!   Examples that pass: `380780080` (CHU Grenoble Alpes), `750712184` (AP-HP), `690781810` (HCL).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid FINESS number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Finess(String);

/// Why a string is not a FINESS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinessError {
    #[error("un numéro FINESS a 9 caractères, « {0} » en a {1}")]
    Length(String, usize),
    #[error("« {0} » : les caractères 3 à 9 d'un numéro FINESS sont des chiffres")]
    NotDigits(String),
    #[error("« {0} » : le préfixe « {1} » n'est pas un département (01–95, 2A, 2B, 9A–9F)")]
    Department(String, String),
    #[error("« {0} » : la clé de contrôle est fausse (la clé attendue est {1})")]
    CheckKey(String, u8),
}

impl crate::Bilingual for FinessError {
    fn en(&self) -> String {
        match self {
            FinessError::Length(s, n) => format!("a FINESS number has 9 characters, “{s}” has {n}"),
            FinessError::NotDigits(s) => {
                format!("“{s}”: characters 3 to 9 of a FINESS number are digits")
            }
            FinessError::Department(s, p) => {
                format!("“{s}”: the prefix “{p}” is not a department (01–95, 2A, 2B, 9A–9F)")
            }
            FinessError::CheckKey(s, k) => {
                format!("“{s}”: the check key is wrong (the expected key is {k})")
            }
        }
    }
}

/// Value of a character in the Luhn computation (prefix letters count as 0).
fn digit(c: u8) -> u8 {
    if c.is_ascii_digit() { c - b'0' } else { 0 }
}

/// The Luhn sum of `body` when followed by a check digit (doubling starts from the last body digit).
pub(crate) fn luhn_key(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let d = digit(c) as u32;
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The department INSEE code a FINESS prefix stands for.
fn prefix_department(prefix: &str, third: u8) -> Option<String> {
    let code = match prefix {
        "9A" => "971",
        "9B" => "972",
        "9C" => "973",
        "9D" => "974",
        "9E" => "975",
        "9F" => "976",
        "97" => {
            return matches!(third, b'1'..=b'6').then(|| format!("97{}", third as char));
        }
        other => other,
    };
    if code == "975" || crate::geo::department(code).is_some() {
        Some(code.to_owned())
    } else {
        None
    }
}

impl Finess {
    /// Parses a FINESS number; spaces are ignored and letters upper-cased.
    pub fn parse(input: &str) -> Result<Self, FinessError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let n = s.chars().count();
        if n != 9 {
            return Err(FinessError::Length(input.trim().to_owned(), n));
        }
        let b = s.as_bytes();
        if !b[2..].iter().all(u8::is_ascii_digit) {
            return Err(FinessError::NotDigits(s));
        }
        let prefix = &s[..2];
        if prefix_department(prefix, b[2]).is_none() {
            return Err(FinessError::Department(s.clone(), prefix.to_owned()));
        }
        let expected = luhn_key(&b[..8]);
        if digit(b[8]) != expected {
            return Err(FinessError::CheckKey(s, expected));
        }
        Ok(Finess(s))
    }

    /// Builds a valid FINESS from a department code (`38`, `2A`, `9D`) and a 6-digit sequence.
    pub fn from_parts(department_prefix: &str, sequence: u32) -> Result<Self, FinessError> {
        let body = format!("{department_prefix}{:06}", sequence % 1_000_000);
        let key = luhn_key(body.as_bytes());
        Finess::parse(&format!("{body}{key}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// INSEE code of the department the number was registered in.
    pub fn department(&self) -> String {
        prefix_department(&self.0[..2], self.0.as_bytes()[2]).expect("checked at parse")
    }

    /// The FINESS prefix used for a department INSEE code (`974` → `9D`).
    pub fn prefix_for_department(code: &str) -> &str {
        match code {
            "971" => "9A",
            "972" => "9B",
            "973" => "9C",
            "974" => "9D",
            "975" => "9E",
            "976" => "9F",
            other => other,
        }
    }
}

impl TryFrom<String> for Finess {
    type Error = FinessError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Finess::parse(&s)
    }
}
impl From<Finess> for String {
    fn from(f: Finess) -> String {
        f.0
    }
}
impl fmt::Display for Finess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_numbers_pass() {
        for n in ["380780080", "750712184", "690781810"] {
            assert!(Finess::parse(n).is_ok(), "{n}");
        }
        assert_eq!(Finess::parse(" 38 078 0080 ").unwrap().department(), "38");
    }

    #[test]
    fn specific_errors() {
        assert!(matches!(
            Finess::parse("38078008"),
            Err(FinessError::Length(_, 8))
        ));
        assert!(matches!(
            Finess::parse("3807800X0"),
            Err(FinessError::NotDigits(_))
        ));
        assert!(matches!(
            Finess::parse("990000000"),
            Err(FinessError::Department(..))
        ));
        assert!(matches!(
            Finess::parse("2C0000000"),
            Err(FinessError::Department(..))
        ));
        assert_eq!(
            Finess::parse("380780081"),
            Err(FinessError::CheckKey("380780081".into(), 0))
        );
    }

    #[test]
    fn messages_in_both_languages() {
        use crate::Bilingual;
        let e = Finess::parse("380780081").unwrap_err();
        assert!(e.in_lang(crate::Lang::Fr).contains("clé de contrôle"));
        assert!(e.in_lang(crate::Lang::En).contains("check key"));
    }

    #[test]
    fn corsica_and_overseas() {
        let f = Finess::from_parts("2A", 123).unwrap();
        assert_eq!(f.department(), "2A");
        assert_eq!(Finess::from_parts("9D", 42).unwrap().department(), "974");
        assert_eq!(
            Finess::from_parts(Finess::prefix_for_department("976"), 7)
                .unwrap()
                .department(),
            "976"
        );
    }

    proptest! {
        #[test]
        fn built_numbers_round_trip(dep in prop::sample::select(crate::geo::DEPARTMENTS.iter().map(|d| d.code).collect::<Vec<_>>()), seq in 0u32..1_000_000) {
            let f = Finess::from_parts(Finess::prefix_for_department(dep), seq).unwrap();
            prop_assert_eq!(f.department(), dep);
            prop_assert_eq!(Finess::parse(f.as_str()).unwrap(), f);
        }

        #[test]
        fn one_wrong_digit_is_caught(seq in 0u32..1_000_000, pos in 2usize..9, delta in 1u8..10) {
            let f = Finess::from_parts("69", seq).unwrap();
            let mut b = f.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            prop_assert!(Finess::parse(std::str::from_utf8(&b).unwrap()).is_err());
        }

        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = Finess::parse(&s);
        }
    }
}
