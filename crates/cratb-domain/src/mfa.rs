//! Multi-factor authentication, as rules (OWASP ASVS 5.0 V6.5, V6.6): a time-based one-time
//! code (TOTP, RFC 6238, through the `totp-rs` crate) checked against a secret at a given time
//! with one step of clock skew either way and never twice for the same step; the single-use
//! recovery codes, their format and how a typed one is read; who must use a second factor.
//! No clock here: the time is passed in, in seconds since the Unix epoch.

use crate::Role;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The length of a step: a code changes every 30 seconds.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one (clock skew of the phone or the server).
pub const SKEW_STEPS: u16 = 1;
/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Bytes of a new secret (160 bits, RFC 4226's recommendation).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes given at enrolment (and at each regeneration).
pub const RECOVERY_CODES: usize = 10;
/// Random bytes of a recovery code: 120 bits, written as 24 characters of base 32. ASVS 5.0
/// V6.5.2 lets a secret of 112 bits or more be stored under a plain hash.
pub const RECOVERY_CODE_BYTES: usize = 15;
/// The issuer named in authenticator applications.
pub const ISSUER: &str = "cratb";

/// The 32 characters of a recovery code (Crockford's base 32: no I, L, O or U to misread).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The roles that read patient-level data or administer: a second factor is always required
/// of them (outside a demonstration).
pub const REQUIRED_ROLES: [Role; 4] = [
    Role::NationalAdmin,
    Role::Coordinator,
    Role::DataManager,
    Role::Lab,
];

/// Whether an account must use a second factor: its role requires it, or its region's
/// coordinator asked it of every account of the region. A demonstration installation requires
/// it of no one.
pub fn required(role: Role, region_requires_all: bool, demo: bool) -> bool {
    !demo && (REQUIRED_ROLES.contains(&role) || region_requires_all)
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .build()
        .ok()
}

/// Why a typed code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefused {
    /// Not six digits.
    #[error("le code doit comporter 6 chiffres")]
    Malformed,
    /// Six digits, but not the code of this step or its neighbours.
    #[error("code incorrect ou expiré")]
    Wrong,
    /// The code of a step already used: a code is good once.
    #[error("ce code a déjà été utilisé : attendez le suivant")]
    Reused,
}

impl crate::Bilingual for CodeRefused {
    fn en(&self) -> String {
        match self {
            CodeRefused::Malformed => "the code has 6 digits",
            CodeRefused::Wrong => "wrong or expired code",
            CodeRefused::Reused => "this code was already used: wait for the next one",
        }
        .into()
    }
}

/// Checks a typed code against `secret` at `unix_time`: the code of the current step, the one
/// before or the one after is accepted, unless its step is not after `last_step` (the last one
/// accepted for this secret). Returns the step matched, to remember as the new last step.
/// Spaces in the typed code are ignored.
pub fn check_code(
    secret: &[u8],
    typed: &str,
    unix_time: u64,
    last_step: Option<u64>,
) -> Result<u64, CodeRefused> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeRefused::Malformed);
    }
    let totp = totp(secret).ok_or(CodeRefused::Wrong)?;
    let step = totp.check(&code, unix_time).ok_or(CodeRefused::Wrong)?;
    if last_step.is_some_and(|last| step <= last) {
        return Err(CodeRefused::Reused);
    }
    Ok(step)
}

/// The code of `secret` at `unix_time` (what an authenticator application shows then).
pub fn code_at(secret: &[u8], unix_time: u64) -> String {
    totp(secret).map_or_else(String::new, |t| t.generate(unix_time).to_string())
}

/// The step a moment falls in.
pub fn step_of(unix_time: u64) -> u64 {
    unix_time / STEP_SECONDS
}

/// The secret as typed by hand into an authenticator application: base 32, in groups of four.
pub fn secret_for_typing(secret: &[u8]) -> String {
    let b32 = Secret::from(secret.to_vec()).to_base32();
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` address an authenticator application reads from the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    // The crate refuses a colon in the account name (it separates the issuer).
    let account = account.replace(':', "");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .ok()
        .and_then(|t| t.to_url().ok())
        .unwrap_or_default()
}

/// A single-use recovery code, normalised: 24 characters of Crockford's base 32, lower case.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

impl RecoveryCode {
    /// The code written from 15 random bytes (the caller draws them).
    pub fn from_random(bytes: [u8; RECOVERY_CODE_BYTES]) -> RecoveryCode {
        let mut out = String::with_capacity(24);
        // 15 bytes = 120 bits = 24 groups of 5 bits.
        let mut acc: u32 = 0;
        let mut bits = 0;
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
            }
        }
        RecoveryCode(out)
    }

    /// A code as typed: spaces and hyphens dropped, case ignored, O read as 0 and I or L as 1.
    /// `None` if it is not the shape of a recovery code.
    pub fn parse(typed: &str) -> Option<RecoveryCode> {
        let mut out = String::with_capacity(24);
        for c in typed.chars() {
            let c = match c.to_ascii_lowercase() {
                ' ' | '-' | '\t' => continue,
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            out.push(c);
        }
        (out.len() == 24).then_some(RecoveryCode(out))
    }

    /// The normalised code: what is hashed and stored.
    pub fn normalised(&self) -> &str {
        &self.0
    }

    /// The code as shown to its holder: four groups of six.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(6)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// Whether what was typed at the second step looks like a recovery code rather than a TOTP code.
pub fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() > usize::from(DIGITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn the_rfc_6238_vectors() {
        // The RFC gives 8 digits; ours are the last 6.
        assert_eq!(code_at(RFC_SECRET, 59), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890), "005924");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000), "279037");
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let now = 1_800_000_015;
        let step = step_of(now);
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let at = (now as i64 + offset * STEP_SECONDS as i64) as u64;
            let code = code_at(RFC_SECRET, at);
            let checked = check_code(RFC_SECRET, &code, now, None);
            if accepted {
                assert_eq!(
                    checked,
                    Ok((step as i64 + offset) as u64),
                    "offset {offset}"
                );
            } else {
                assert_eq!(checked, Err(CodeRefused::Wrong), "offset {offset}");
            }
        }
    }

    #[test]
    fn a_code_is_good_once() {
        let now = 1_800_000_015;
        let code = code_at(RFC_SECRET, now);
        let step = check_code(RFC_SECRET, &code, now, None).unwrap();
        assert_eq!(
            check_code(RFC_SECRET, &code, now, Some(step)),
            Err(CodeRefused::Reused)
        );
        // Nor an older one, still within the skew.
        let before = code_at(RFC_SECRET, now - STEP_SECONDS);
        assert_eq!(
            check_code(RFC_SECRET, &before, now, Some(step)),
            Err(CodeRefused::Reused)
        );
        // The next step's code is fine.
        let next = code_at(RFC_SECRET, now + STEP_SECONDS);
        assert_eq!(
            check_code(RFC_SECRET, &next, now + STEP_SECONDS, Some(step)),
            Ok(step + 1)
        );
    }

    #[test]
    fn malformed_codes() {
        for typed in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert_eq!(
                check_code(RFC_SECRET, typed, 59, None),
                Err(CodeRefused::Malformed),
                "{typed}"
            );
        }
        assert_eq!(check_code(RFC_SECRET, " 287 082 ", 59, None), Ok(1));
    }

    #[test]
    fn recovery_codes_are_read_as_people_type_them() {
        let code = RecoveryCode::from_random([0xA5; RECOVERY_CODE_BYTES]);
        assert_eq!(code.normalised().len(), 24);
        let shown = code.display();
        assert_eq!(shown.len(), 27);
        assert_eq!(RecoveryCode::parse(&shown), Some(code.clone()));
        assert_eq!(
            RecoveryCode::parse(&shown.to_uppercase().replace('-', " ")),
            Some(code.clone())
        );
        let zeros = RecoveryCode::from_random([0; RECOVERY_CODE_BYTES]);
        assert_eq!(zeros.normalised(), "0".repeat(24));
        assert_eq!(RecoveryCode::parse(&"O".repeat(24)), Some(zeros));
        assert_eq!(
            RecoveryCode::parse(&"IlL1".repeat(6)).unwrap().normalised(),
            "1".repeat(24)
        );
        assert!(RecoveryCode::parse("short").is_none());
        assert!(RecoveryCode::parse(&"u".repeat(24)).is_none());
        assert!(looks_like_recovery_code(&shown));
        assert!(!looks_like_recovery_code("123 456"));
    }

    #[test]
    fn who_must_use_a_second_factor() {
        for role in Role::ALL {
            let by_role = matches!(
                role,
                Role::NationalAdmin | Role::Coordinator | Role::DataManager | Role::Lab
            );
            assert_eq!(required(*role, false, false), by_role, "{role:?}");
            assert!(required(*role, true, false), "{role:?}: the region asks it");
            assert!(!required(*role, true, true), "{role:?}: a demonstration");
        }
    }

    #[test]
    fn the_secret_as_typed_and_scanned() {
        assert_eq!(
            secret_for_typing(RFC_SECRET),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        let uri = otpauth_uri(RFC_SECRET, "coordination@demo.cratb.fr");
        assert!(
            uri.starts_with("otpauth://totp/cratb:coordination"),
            "{uri}"
        );
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=cratb"), "{uri}");
    }
}
