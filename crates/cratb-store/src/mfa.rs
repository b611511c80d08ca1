//! Multi-factor authentication's rows: an account's TOTP secret, sealed at rest, and the last
//! step used; its recovery codes, stored as SHA-256 hashes (each holds 120 random bits, so a
//! plain hash is enough: ASVS 5.0 V6.5.2); the pending state between the password and the
//! code at login (a random id of which only the hash is kept, for a few minutes); the regions
//! that require a second factor of every account. The rules (codes, skew, who must) are in
//! `cratb_domain::mfa`.
//!
//! The secret is sealed with a key derived from the installation's secret
//! (`settings.mfa_secret_key`, 32 random bytes created on first use): HMAC-SHA-256 as a
//! keystream over a random nonce, then an HMAC-SHA-256 tag over the account's id, the nonce
//! and the sealed bytes (encrypt-then-MAC). A copy of `user_mfa` alone (an export, a partial
//! dump) does not give the secrets; a copy of the whole database, `settings` included, does.

use crate::{Db, Result, StoreError, Tx, hash_token, now, on_db, on_tx, random_token};
use cratb_domain::RegionAccess;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

/// The installation's secret that the sealing keys are derived from.
const SECRET_KEY: &str = "mfa_secret_key";
/// How long the code may be typed after the password was accepted.
pub const PENDING_FOR: Duration = Duration::minutes(5);
/// Wrong codes a pending login takes before it is dropped (the password must be typed again).
pub const PENDING_FAILURES: i64 = 5;
const NONCE_BYTES: usize = 16;
const TAG_BYTES: usize = 32;

/// The keys that seal and open TOTP secrets, read once per use case (before its transaction).
#[derive(Clone)]
pub struct SealingKey {
    encrypt: Vec<u8>,
    authenticate: Vec<u8>,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl SealingKey {
    fn derive(master: &[u8]) -> SealingKey {
        SealingKey {
            encrypt: hmac(master, &[b"cratb mfa: encrypt"]).to_vec(),
            authenticate: hmac(master, &[b"cratb mfa: authenticate"]).to_vec(),
        }
    }

    /// The keystream of `nonce`, as long as `len` (HMAC-SHA-256 in counter mode).
    fn keystream(&self, nonce: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 32);
        let mut counter: u32 = 0;
        while out.len() < len {
            out.extend_from_slice(&hmac(&self.encrypt, &[nonce, &counter.to_be_bytes()]));
            counter += 1;
        }
        out.truncate(len);
        out
    }

    fn tag(&self, user_id: i64, nonce: &[u8], sealed: &[u8]) -> [u8; 32] {
        hmac(&self.authenticate, &[&user_id.to_be_bytes(), nonce, sealed])
    }

    /// `secret` sealed for `user_id`: nonce, sealed bytes and tag, hex-encoded.
    pub fn seal(&self, user_id: i64, secret: &[u8]) -> String {
        let nonce = random_bytes::<NONCE_BYTES>();
        let sealed: Vec<u8> = secret
            .iter()
            .zip(self.keystream(&nonce, secret.len()))
            .map(|(a, b)| a ^ b)
            .collect();
        let tag = self.tag(user_id, &nonce, &sealed);
        hex::encode([nonce.as_slice(), &sealed, &tag].concat())
    }

    /// The secret sealed by [`SealingKey::seal`] for `user_id`; `Invalid` if it was altered or
    /// sealed for another account or with another key.
    pub fn open(&self, user_id: i64, stored: &str) -> Result<Vec<u8>> {
        let bytes = hex::decode(stored).map_err(|_| StoreError::Invalid("sealed_secret"))?;
        if bytes.len() <= NONCE_BYTES + TAG_BYTES {
            return Err(StoreError::Invalid("sealed_secret"));
        }
        let (nonce, rest) = bytes.split_at(NONCE_BYTES);
        let (sealed, tag) = rest.split_at(rest.len() - TAG_BYTES);
        let expected = self.tag(user_id, nonce, sealed);
        let same = expected
            .iter()
            .zip(tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if !same {
            return Err(StoreError::Invalid("sealed_secret"));
        }
        Ok(sealed
            .iter()
            .zip(self.keystream(nonce, sealed.len()))
            .map(|(a, b)| a ^ b)
            .collect())
    }
}

/// The sealing key of this installation (its secret created on first use).
pub async fn sealing_key(db: &Db) -> Result<SealingKey> {
    Ok(SealingKey::derive(&crate::secret(db, SECRET_KEY).await?))
}

/// `N` random bytes (a TOTP secret, a recovery code), from the generator of session ids.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut out = [0u8; N];
    rand::rng().fill_bytes(&mut out);
    out
}

/// An account's second factor.
#[derive(Debug, Clone)]
pub struct Factor {
    /// The TOTP secret, opened.
    pub secret: Vec<u8>,
    /// When the first code was accepted; `None` while enrolment waits for it.
    pub confirmed_at: Option<OffsetDateTime>,
    /// The last step whose code was accepted.
    pub last_step: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct FactorRow {
    sealed_secret: String,
    confirmed_at: Option<OffsetDateTime>,
    last_step: Option<i64>,
}

/// The second factor of an account, if it has one (confirmed or waiting for its first code).
pub async fn factor(db: &Db, key: &SealingKey, user_id: i64) -> Result<Option<Factor>> {
    let row: Option<FactorRow> = on_db!(db, p => sqlx::query_as(
        "SELECT sealed_secret, confirmed_at, last_step FROM user_mfa WHERE user_id = $1")
        .bind(user_id).fetch_optional(p).await)?;
    row.map(|r| {
        Ok(Factor {
            secret: key.open(user_id, &r.sealed_secret)?,
            confirmed_at: r.confirmed_at,
            last_step: r.last_step,
        })
    })
    .transpose()
}

/// Whether the account has a confirmed second factor.
pub async fn enrolled(db: &Db, user_id: i64) -> Result<bool> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_mfa WHERE user_id = $1 AND confirmed_at IS NOT NULL")
        .bind(user_id).fetch_one(p).await)?;
    Ok(n > 0)
}

/// The accounts within `scope` that have a confirmed second factor (for the list of accounts).
pub async fn enrolled_accounts(db: &Db, scope: &cratb_domain::Scope) -> Result<Vec<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT m.user_id FROM user_mfa m JOIN users u ON u.id = m.user_id
         WHERE m.confirmed_at IS NOT NULL AND (u.region_code = $1 OR $2)")
        .bind(scope.region_filter()).bind(scope.region_filter().is_none()).fetch_all(p).await)?)
}

/// What the gate of every page needs: whether the account has a confirmed second factor, and
/// whether its region requires one of every account (one query).
pub async fn gate(db: &Db, user_id: i64, region: Option<&str>) -> Result<(bool, bool)> {
    let (enrolled, region_requires): (i64, i64) = on_db!(db, p => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM user_mfa WHERE user_id = $1 AND confirmed_at IS NOT NULL),
                (SELECT COUNT(*) FROM region_mfa_policy WHERE region_code = $2 AND required_for_all)")
        .bind(user_id).bind(region).fetch_one(p).await)?;
    Ok((enrolled > 0, region_requires > 0))
}

/// Stores a new secret waiting for its first code, replacing one that was waiting; a confirmed
/// factor is left as it is (`Conflict`).
pub async fn start(tx: &mut Tx, key: &SealingKey, user_id: i64, secret: &[u8]) -> Result<()> {
    let sealed = key.seal(user_id, secret);
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO user_mfa (user_id, sealed_secret, confirmed_at, last_step, created_at)
         VALUES ($1, $2, NULL, NULL, $3)
         ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret,
             created_at = excluded.created_at, last_step = NULL
         WHERE user_mfa.confirmed_at IS NULL")
        .bind(user_id).bind(&sealed).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("mfa"));
    }
    Ok(())
}

/// Remembers `step` as the last one used, if it is later than the last one: `false` when it is
/// not (the code was used meanwhile). Confirms a factor waiting for its first code.
pub async fn use_step(tx: &mut Tx, user_id: i64, step: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE user_mfa SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3)
         WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)")
        .bind(user_id).bind(step).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Removes an account's second factor, its recovery codes and its pending logins; returns
/// whether it had a factor.
pub async fn remove(tx: &mut Tx, user_id: i64) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM mfa_pending_logins WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM user_mfa WHERE user_id = $1").bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Replaces an account's recovery codes by these (normalised codes; only their hashes are kept).
pub async fn replace_recovery_codes(tx: &mut Tx, user_id: i64, codes: &[&str]) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *c).await.map(drop))?;
    for code in codes {
        on_tx!(tx, c => sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)")
            .bind(user_id).bind(hash_token(code)).execute(&mut *c).await.map(drop))?;
    }
    Ok(())
}

/// Spends a recovery code (normalised): `true` if it was one of the account's, unused.
pub async fn use_recovery_code(tx: &mut Tx, user_id: i64, code: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
        .bind(user_id).bind(hash_token(code)).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many unused recovery codes an account holds.
pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id).fetch_one(p).await)?)
}

/// Opens the pending state of a login whose password was accepted; returns its id (the
/// cookie's value, the only copy). Earlier pending logins of the account end.
pub async fn open_pending(tx: &mut Tx, user_id: i64) -> Result<String> {
    let token = random_token(32);
    let at = now();
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM mfa_pending_logins WHERE user_id = $1 OR expires_at <= $2")
            .bind(user_id).bind(at).execute(&mut *c).await?;
        sqlx::query("INSERT INTO mfa_pending_logins (token_hash, user_id, failures, expires_at) VALUES ($1, $2, 0, $3)")
            .bind(hash_token(&token)).bind(user_id).bind(at + PENDING_FOR).execute(&mut *c).await.map(drop)
    })?;
    Ok(token)
}

/// The account a pending login (by its id) is for, while it lasts.
pub async fn pending_user(db: &Db, token: &str) -> Result<Option<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT user_id FROM mfa_pending_logins WHERE token_hash = $1 AND expires_at > $2 AND failures < $3")
        .bind(hash_token(token)).bind(now()).bind(PENDING_FAILURES).fetch_optional(p).await)?)
}

/// Ends a pending login (used, or abandoned).
pub async fn close_pending(tx: &mut Tx, token: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM mfa_pending_logins WHERE token_hash = $1")
        .bind(hash_token(token)).execute(&mut *c).await.map(drop))?;
    Ok(())
}

/// Counts a wrong code against a pending login; past [`PENDING_FAILURES`] it is over.
pub async fn pending_failed(db: &Db, token: &str) -> Result<()> {
    on_db!(db, p => sqlx::query("UPDATE mfa_pending_logins SET failures = failures + 1 WHERE token_hash = $1")
        .bind(hash_token(token)).execute(p).await.map(drop))?;
    Ok(())
}

/// Whether a region requires a second factor of every account.
pub async fn region_requires_all(db: &Db, region: &RegionAccess) -> Result<bool> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM region_mfa_policy WHERE region_code = $1 AND required_for_all")
        .bind(region.as_str()).fetch_one(p).await)?;
    Ok(n > 0)
}

/// The regions that require a second factor of every account (a setting, not a region's rows).
pub async fn regions_requiring_all(db: &Db) -> Result<Vec<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT region_code FROM region_mfa_policy WHERE required_for_all ORDER BY region_code")
        .fetch_all(p).await)?)
}

/// Sets whether a region requires a second factor of every account.
pub async fn set_region_requires_all(
    tx: &mut Tx,
    region: &RegionAccess,
    required: bool,
    by: Option<i64>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO region_mfa_policy (region_code, required_for_all, updated_at, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (region_code) DO UPDATE SET required_for_all = excluded.required_for_all,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by")
        .bind(region.as_str()).bind(required).bind(now()).bind(by).execute(&mut *c).await.map(drop))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_account_only() {
        let key = SealingKey::derive(&[7; 32]);
        let secret = b"12345678901234567890";
        let sealed = key.seal(42, secret);
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(key.open(42, &sealed).unwrap(), secret);
        assert_ne!(key.seal(42, secret), sealed, "a fresh nonce each time");
        assert!(key.open(43, &sealed).is_err(), "another account");
        assert!(SealingKey::derive(&[8; 32]).open(42, &sealed).is_err());
        let mut altered = hex::decode(&sealed).unwrap();
        altered[NONCE_BYTES] ^= 1;
        assert!(key.open(42, &hex::encode(altered)).is_err());
        assert!(key.open(42, "zz").is_err());
    }
}
