//! Telephone numbers of professionals and teams, as people write them in France, stored in
//! international form (E.164) and shown the French way.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A telephone number in E.164 form (`+33476123456`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Why a string is not a telephone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas un numéro de téléphone valide (attendu : 10 chiffres comme 04 76 12 34 56, ou +33 4 76 12 34 56)"
)]
pub struct PhoneError(pub String);

impl crate::Bilingual for PhoneError {
    fn en(&self) -> String {
        format!(
            "“{}” is not a valid telephone number (expected 10 digits such as 04 76 12 34 56, or +33 4 76 12 34 56)",
            self.0
        )
    }
}

/// French overseas numbering: national prefix (after the 0) → country code.
const OVERSEAS: [(&str, &str); 14] = [
    ("262", "262"), // La Réunion (landlines)
    ("263", "262"), // La Réunion
    ("269", "262"), // Mayotte
    ("639", "262"), // Mayotte (mobiles)
    ("692", "262"), // La Réunion (mobiles)
    ("693", "262"), // La Réunion (mobiles)
    ("590", "590"), // Guadeloupe, Saint-Martin, Saint-Barthélemy
    ("690", "590"),
    ("691", "590"),
    ("594", "594"), // Guyane
    ("694", "594"),
    ("596", "596"), // Martinique
    ("696", "596"),
    ("508", "508"), // Saint-Pierre-et-Miquelon
];

/// Country codes written the French national way (0 + 9 digits).
const FRENCH_CODES: [&str; 6] = ["33", "262", "590", "594", "596", "508"];

impl Phone {
    /// Accepts `04 76 12 34 56`, `04.76.12.34.56`, `0476123456`, `+33 4 76 12 34 56`,
    /// `+33 (0)4 76 12 34 56`, `0033 4 76 12 34 56`, overseas numbers (`02 62 12 34 56` →
    /// `+262 262 12 34 56`) and other international numbers (`+41 22 123 45 67`).
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let err = || PhoneError(input.trim().to_string());
        let trimmed = input.trim().replace("(0)", "");
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || " .-/+".contains(c)))
        {
            return Err(err());
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if international {
            let digits = digits.strip_prefix("00").unwrap_or(&digits).to_string();
            if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
                return Err(err());
            }
            // A French number written +33 0… keeps its national 0 by mistake.
            if let Some(rest) = digits.strip_prefix("330").filter(|r| r.len() == 9) {
                return Ok(Phone(format!("+33{rest}")));
            }
            if digits.starts_with("33") && digits.len() != 11 {
                return Err(err());
            }
            return Ok(Phone(format!("+{digits}")));
        }
        if digits.len() != 10 || !digits.starts_with('0') || digits.starts_with("00") {
            return Err(err());
        }
        let national = &digits[1..];
        match OVERSEAS
            .iter()
            .find(|(prefix, _)| national.starts_with(prefix))
        {
            Some((_, code)) => Ok(Phone(format!("+{code}{national}"))),
            None => Ok(Phone(format!("+33{national}"))),
        }
    }

    /// E.164, for `tel:` links and storage.
    pub fn e164(&self) -> &str {
        &self.0
    }
}

/// French numbers as written in France (`04 76 12 34 56`), others in international form.
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = &self.0[1..];
        let national = FRENCH_CODES.iter().find_map(|code| {
            let rest = digits.strip_prefix(code)?;
            // Overseas numbers repeat their code in the national number (+262 262…).
            let rest = if *code == "33" || rest.len() == 9 {
                rest
            } else {
                return None;
            };
            Some(format!("0{rest}"))
        });
        match national {
            Some(n) => {
                let pairs: Vec<&str> = (0..5).map(|i| &n[2 * i..2 * i + 2]).collect();
                f.write_str(&pairs.join(" "))
            }
            None => f.write_str(&self.0),
        }
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_ways_numbers_are_written() {
        for written in [
            "04 76 12 34 56",
            "04.76.12.34.56",
            "0476123456",
            "+33 4 76 12 34 56",
            "+33 (0)4 76 12 34 56",
            "0033 4 76 12 34 56",
            "+33 04 76 12 34 56",
        ] {
            let p = Phone::parse(written).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(p.e164(), "+33476123456", "{written}");
            assert_eq!(p.to_string(), "04 76 12 34 56");
        }
        let reunion = Phone::parse("02 62 12 34 56").unwrap();
        assert_eq!(reunion.e164(), "+262262123456");
        assert_eq!(reunion.to_string(), "02 62 12 34 56");
        assert_eq!(
            Phone::parse("06 90 12 34 56").unwrap().e164(),
            "+590690123456"
        );
        let geneva = Phone::parse("+41 22 123 45 67").unwrap();
        assert_eq!(geneva.to_string(), "+41221234567");
        for bad in [
            "",
            "15",
            "04 76 12 34",
            "04 76 12 34 567",
            "4 76 12 34 56 0",
            "04-76-AB-34-56",
            "+33 4 76 12",
            "00 00 00 00 00",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// Any metropolitan number, however written, comes back the same.
        #[test]
        fn written_forms_agree(n in "0[1-9][0-9]{8}", sep in prop::sample::select(vec!["", " ", ".", "-"])) {
            prop_assume!(!OVERSEAS.iter().any(|(p, _)| n[1..].starts_with(p)));
            let spaced: Vec<&str> = (0..5).map(|i| &n[2 * i..2 * i + 2]).collect();
            let a = Phone::parse(&spaced.join(sep)).unwrap();
            let b = Phone::parse(&format!("+33 {}", &n[1..])).unwrap();
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(Phone::parse(&a.to_string()).unwrap(), a);
        }
    }
}
