//! Password policy (OWASP ASVS 5.0, V6.2): length, common-password list, and a strength
//! estimate (zxcvbn) that refuses what is easy to guess — repeats, sequences, keyboard rows,
//! dates, common words, the account's own e-mail or name. Hashing lives in the store, which
//! owns credentials; this module only says whether a password is acceptable, and why not.

use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

/// Minimum length, in characters (ASVS V6.2.1).
pub const MIN_LEN: usize = 12;
/// Maximum length accepted, in characters (ASVS V6.2.9 asks for at least 64).
pub const MAX_LEN: usize = 128;

/// The lowest zxcvbn score accepted: 3 of 4, "safely unguessable" (an estimated 10^8
/// guesses or more), which zxcvbn advises against an offline attack on a slow hash such as
/// ours (argon2id). A score of 2 or less is a password found within about 10^8 guesses:
/// twelve identical characters, `123456789012`, a word and a year.
pub const MIN_SCORE: u8 = 3;

/// Fewer different characters than this is a pattern, whatever the length (`abababab…`).
const MIN_DISTINCT: usize = 5;

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
    /// Easy to guess (a zxcvbn score under [`MIN_SCORE`], or too few different characters).
    #[error(
        "ce mot de passe est trop facile à deviner : {}. Choisissez plutôt trois ou quatre mots sans rapport entre eux, séparés par des tirets, avec un nombre (par exemple « tilleul-glacier-noisette-47 »).",
        .0.fr()
    )]
    Weak(Weakness),
}

/// What makes a password easy to guess, as told to the person choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// It holds the account's e-mail address or name.
    Personal,
    /// `aaaa`, `abcabc`, twelve spaces.
    Repeats,
    /// `abcd`, `1234`, `9876`.
    Sequence,
    /// Neighbouring keys: `azerty`, `qwerty`, `asdfgh`.
    Keyboard,
    /// A date or a recent year.
    Date,
    /// A common password or word, alone or barely changed.
    Common,
    /// A common first name or surname.
    Name,
    /// Nothing in particular: too short for what it holds.
    Simple,
}

impl Weakness {
    fn fr(self) -> &'static str {
        match self {
            Weakness::Personal => "il reprend votre nom ou votre adresse e-mail",
            Weakness::Repeats => {
                "il répète un caractère ou un groupe de caractères (« aaaa », « abcabc »)"
            }
            Weakness::Sequence => {
                "il suit une suite de lettres ou de chiffres (« abcd », « 1234 »)"
            }
            Weakness::Keyboard => {
                "il suit des touches voisines du clavier (« azerty », « qsdfgh »)"
            }
            Weakness::Date => "il repose sur une date ou une année",
            Weakness::Common => "il repose sur un mot ou un mot de passe courant",
            Weakness::Name => "il repose sur un prénom ou un nom de famille courant",
            Weakness::Simple => "il est trop simple pour sa longueur",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Weakness::Personal => "it contains your name or e-mail address",
            Weakness::Repeats => {
                "it repeats a character or a group of characters (\"aaaa\", \"abcabc\")"
            }
            Weakness::Sequence => "it follows a sequence of letters or digits (\"abcd\", \"1234\")",
            Weakness::Keyboard => "it follows neighbouring keys (\"qwerty\", \"asdfgh\")",
            Weakness::Date => "it rests on a date or a year",
            Weakness::Common => "it rests on a common word or password",
            Weakness::Name => "it rests on a common first name or surname",
            Weakness::Simple => "it is too simple for its length",
        }
    }
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
            PasswordError::Weak(w) => format!(
                "this password is too easy to guess: {}. Choose instead three or four unrelated words separated by hyphens, with a number (for example \"linden-glacier-hazelnut-47\").",
                w.en()
            ),
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
    check_password_for(password, email, "")
}

/// Checks a new password against the policy for the account of `email` and display `name`:
/// length, the common-password list, the e-mail itself, then the strength estimate, which
/// counts the e-mail and the name (and their parts) as words an attacker would try first.
pub fn check_password_for(password: &str, email: &str, name: &str) -> Result<(), PasswordError> {
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
    strength(password, email, name)
}

/// The strength estimate: zxcvbn's score with the account's words as user inputs, and the
/// number of different characters.
fn strength(password: &str, email: &str, name: &str) -> Result<(), PasswordError> {
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT {
        return Err(PasswordError::Weak(Weakness::Repeats));
    }
    let personal = personal_words(email, name);
    let lower = password.to_lowercase();
    // The account's own words with digits and signs around them (`Camille-Martin-1984`):
    // several words, which zxcvbn scores as strong, that an attacker tries first.
    let mut rest = lower.clone();
    for w in personal.iter().filter(|w| w.chars().count() >= 4) {
        rest = rest.replace(w.as_str(), "");
    }
    if rest != lower && rest.chars().filter(|c| c.is_alphabetic()).count() < 4 {
        return Err(PasswordError::Weak(Weakness::Personal));
    }
    let keys = azerty_runs();
    let inputs: Vec<&str> = personal
        .iter()
        .map(String::as_str)
        .chain(keys.iter().map(String::as_str))
        .collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) >= MIN_SCORE {
        return Ok(());
    }
    if personal
        .iter()
        .any(|w| w.chars().count() >= 4 && lower.contains(w.as_str()))
    {
        return Err(PasswordError::Weak(Weakness::Personal));
    }
    use zxcvbn::feedback::Warning as W;
    let weakness = match estimate.feedback().and_then(|f| f.warning()) {
        Some(
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        ) => Weakness::Repeats,
        Some(W::SequencesLikeAbcAreEasyToGuess) => Weakness::Sequence,
        Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => {
            Weakness::Keyboard
        }
        Some(W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess) => Weakness::Date,
        Some(
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword
            | W::AWordByItselfIsEasyToGuess,
        ) => Weakness::Common,
        Some(
            W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess,
        ) => Weakness::Name,
        None => Weakness::Simple,
    };
    let on_azerty = || keys.iter().any(|k| lower.contains(k.as_str()));
    if matches!(weakness, Weakness::Simple | Weakness::Common) && on_azerty() {
        return Err(PasswordError::Weak(Weakness::Keyboard));
    }
    Err(PasswordError::Weak(weakness))
}

/// Runs of four keys or more along a row of the French (AZERTY) keyboard, either way:
/// zxcvbn knows the QWERTY and Dvorak keyboards only, and `azertyuiop` or `poiuytreza` are to
/// French users what `qwerty` is to others. Given to the estimate as words tried first.
fn azerty_runs() -> &'static [String] {
    static RUNS: OnceLock<Vec<String>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let mut runs = Vec::new();
        for row in ["azertyuiop", "qsdfghjklm", "wxcvbn"] {
            let reversed: String = row.chars().rev().collect();
            for row in [row.to_owned(), reversed] {
                for len in 4..=row.len() {
                    for start in 0..=row.len() - len {
                        runs.push(row[start..start + len].to_owned());
                    }
                }
            }
        }
        runs
    })
}

/// The account's words an attacker would try: the e-mail, its local part and domain and
/// their pieces, the name and its words (lower-case, three letters or more).
fn personal_words(email: &str, name: &str) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let name = name.trim().to_lowercase();
    let mut words = vec![email.clone(), name.clone()];
    words.extend(
        email
            .split(['@', '.', '_', '-', '+'])
            .chain(name.split(|c: char| !c.is_alphanumeric()))
            .map(str::to_owned),
    );
    words.retain(|w| w.chars().count() >= 3);
    words.sort();
    words.dedup();
    words
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

    #[test]
    fn easy_to_guess_passwords_are_refused_with_a_reason() {
        let weak =
            |p: &str| check_password_for(p, "camille.martin@chu-rennes.fr", "Camille Martin");
        for (password, why) in [
            ("aaaaaaaaaaaa", Weakness::Repeats),
            ("            ", Weakness::Repeats),
            ("abababababababab", Weakness::Repeats),
            ("123456789012", Weakness::Sequence),
            ("abcdefghijklmnop", Weakness::Sequence),
            ("azertyuiopqsdf", Weakness::Keyboard),
            ("poiuytrezaqsdf", Weakness::Keyboard),
            ("camillemartin2024", Weakness::Personal),
            ("Martin-Camille-1", Weakness::Personal),
        ] {
            assert_eq!(
                weak(password),
                Err(PasswordError::Weak(why)),
                "{password:?}"
            );
        }
        for password in [
            "Password2024!",
            "iloveyou1234",
            "summer2025!!",
            "qwertyuiopasdf",
        ] {
            assert!(
                matches!(
                    weak(password),
                    Err(PasswordError::Weak(_) | PasswordError::Common)
                ),
                "{password:?}: {:?}",
                weak(password)
            );
        }
        let e = weak("aaaaaaaaaaaa").unwrap_err();
        assert!(e.to_string().contains("trop facile à deviner"), "{e}");
        assert!(e.to_string().contains("« aaaa »"), "{e}");
        assert!(crate::Bilingual::en(&e).contains("too easy to guess"));
    }

    #[test]
    fn passphrases_pass() {
        for password in [
            "Girafe-violette-en-juillet",
            "Girafe-violette-2026",
            "Correct-horse-battery-staple-42",
            "Another-long-passphrase-for-2026",
            "tilleul-amoxicilline-gentiane-42",
            "sapin-chamois-bruyère-10",
            "volcan-glacier-lavande-98",
        ] {
            assert_eq!(
                check_password_for(password, "coordination@demo.cratb.fr", "Camille Martin"),
                Ok(()),
                "{password:?}"
            );
        }
    }
}
