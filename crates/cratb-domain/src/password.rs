//! Password policy (OWASP ASVS 5.0, V6.2): length and common-password list. Hashing lives in
//! the store, which owns credentials; this module only says whether a password is acceptable.

use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

/// Minimum length, in characters (ASVS V6.2.1).
pub const MIN_LEN: usize = 12;
/// Maximum length accepted, in characters (ASVS V6.2.9 asks for at least 64).
pub const MAX_LEN: usize = 128;

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("le mot de passe doit comporter au moins {MIN_LEN} caractères")]
    TooShort,
    #[error("le mot de passe ne peut dépasser {MAX_LEN} caractères")]
    TooLong,
    #[error(
        "ce mot de passe figure dans la liste des mots de passe les plus courants ; choisissez-en un autre"
    )]
    Common,
    #[error("le mot de passe ne doit pas reprendre l'adresse e-mail")]
    ContainsEmail,
}

impl crate::Bilingual for PasswordError {
    fn en(&self) -> String {
        match self {
            PasswordError::TooShort => {
                format!("the password must have at least {MIN_LEN} characters")
            }
            PasswordError::TooLong => format!("the password cannot exceed {MAX_LEN} characters"),
            PasswordError::Common => {
                "this password is in the list of the most common passwords; choose another".into()
            }
            PasswordError::ContainsEmail => {
                "the password must not contain the e-mail address".into()
            }
        }
    }
}

const FRENCH_COMMON: &[&str] = &[
    "motdepasse",
    "motdepasse1",
    "azertyuiop",
    "azertyuiop1",
    "azerty123456",
    "soleil123456",
    "bonjour123456",
    "doudou123456",
    "marseille13",
    "jetaime123456",
    "chouchou123",
    "antibiotique",
    "antibiotiques",
    "infectiologie",
    "hopital123456",
];

fn common() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let gz = include_bytes!("../data/common-passwords.txt.gz");
        let mut text = String::new();
        GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("embedded list is valid gzip UTF-8");
        text.lines()
            .map(|l| l.trim().to_lowercase())
            .chain(FRENCH_COMMON.iter().map(|s| s.to_string()))
            .collect()
    })
}

/// Checks a new password against the policy; `email` is the account's address.
pub fn check_password_policy(password: &str, email: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if common().contains(&lower)
        || common().contains(lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '!'))
    {
        return Err(PasswordError::Common);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Err(PasswordError::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(
            check_password_policy("court", "a@b.fr"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_password_policy("1234567890123", "a@b.fr"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password_policy("Motdepasse1", "a@b.fr"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_password_policy("azertyuiop1!!", "a@b.fr"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password_policy("qwertyuiop123", "a@b.fr"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password_policy("jean.dupont-2026!", "jean.dupont@chu.fr"),
            Err(PasswordError::ContainsEmail)
        );
        assert!(check_password_policy("Girafe-violette-en-juillet", "a@b.fr").is_ok());
        assert_eq!(
            check_password_policy(&"x".repeat(200), "a@b.fr"),
            Err(PasswordError::TooLong)
        );
        assert!(common().len() > 19_000);
    }
}
