//! Login throttling (OWASP ASVS 5.0 V6.3.1): per key (an account, a client address, a trusted
//! device), the first failures are free, then each further failure doubles a waiting period,
//! up to 15 minutes.
//!
//! Every attempt is **reserved before the password is checked**, by one statement that counts
//! it and decides from what it returns ([`reserve`]): parallel attempts cannot all be checked
//! against the same count. An attempt past the free ones holds its key while it is checked;
//! its failure starts the delay ([`fail`]), a success gives its reservation back ([`release`]).
//!
//! Device cookies (OWASP's "device cookie" approach): a browser that signed in to an account
//! carries a token signed for that account ([`device_token`]); its attempts are counted on their
//! own key, so failures elsewhere on the account never lock its owner's browser out.

use crate::{Db, Result, now, on_db};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

/// Failures allowed before any delay applies.
pub const FREE_FAILURES: i64 = 5;
/// The longest delay.
pub const MAX_DELAY: Duration = Duration::minutes(15);

/// Failures older than this are forgotten.
pub const FORGET_AFTER: Duration = Duration::hours(1);

/// How long an attempt past the free ones holds its key while its password is checked (its
/// failure or success ends the hold sooner; the hold only outlives a process stopped midway).
pub const CHECK_HOLD: Duration = Duration::minutes(1);

/// Delay imposed after `failures` consecutive failures.
pub fn delay_after(failures: i64) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_FAILURES).min(10) as u32;
    (Duration::seconds(1) * 2i32.pow(exp)).min(MAX_DELAY)
}

/// The counter of an account, whatever client tries it (`email`: as typed, lowercased).
pub fn account_key(email: &str) -> String {
    format!("email:{email}")
}

/// The counter of a client address.
pub fn address_key(ip: Option<&str>) -> String {
    format!("ip:{}", ip.unwrap_or("?"))
}

/// The counter of one trusted device of an account (see [`trusted_device`]).
pub fn device_key(nonce: &str) -> String {
    format!("device:{nonce}")
}

/// An attempt counted on a key: the `failures`-th of its series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub key: String,
    pub failures: i64,
}

/// Counts an attempt on `key` before its password is checked, in one statement: the attempt
/// is refused (`None`, nothing counted) while the key waits out a delay or is held by an
/// attempt being checked; otherwise it is the next of the series, which holds the key while
/// it is checked once the free failures are spent. `account`: the e-mail the key belongs to
/// (account and device keys), for [`clear_account`].
pub async fn reserve(
    db: &Db,
    key: &str,
    account: Option<&str>,
    at: OffsetDateTime,
) -> Result<Option<Reservation>> {
    // "Free since" a time no parallel attempt's clock can precede.
    let free = at - FORGET_AFTER;
    let first_blocks = if 1 >= FREE_FAILURES {
        at + CHECK_HOLD
    } else {
        free
    };
    // A free attempt leaves `blocked_until` as it is (in the past): parallel attempts, each
    // with its own clock reading, must not refuse one another.
    let failures: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "INSERT INTO login_throttle (key, account, failures, last_failure_at, blocked_until) VALUES ($1, $2, 1, $3, $4)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.last_failure_at > $5 THEN login_throttle.failures + 1 ELSE 1 END,
           last_failure_at = excluded.last_failure_at,
           blocked_until = CASE WHEN login_throttle.last_failure_at > $5 AND login_throttle.failures + 1 >= $6
                                THEN $7 ELSE login_throttle.blocked_until END,
           account = excluded.account
         WHERE login_throttle.blocked_until <= excluded.last_failure_at
         RETURNING failures")
        .bind(key).bind(account).bind(at).bind(first_blocks).bind(at - FORGET_AFTER)
        .bind(FREE_FAILURES).bind(at + CHECK_HOLD)
        .fetch_optional(p).await)?;
    Ok(failures.map(|failures| Reservation {
        key: key.to_owned(),
        failures,
    }))
}

/// The reserved attempt failed: its key waits [`delay_after`] its count from `at` (this ends
/// the hold of an attempt past the free ones).
pub async fn fail(db: &Db, r: &Reservation, at: OffsetDateTime) -> Result<()> {
    if r.failures < FREE_FAILURES {
        return Ok(());
    }
    on_db!(db, p => sqlx::query("UPDATE login_throttle SET blocked_until = $1 WHERE key = $2 AND failures = $3")
        .bind(at + delay_after(r.failures)).bind(&r.key).bind(r.failures)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Gives a reservation back (the attempt succeeded, or was refused on another key before its
/// password was checked): the count goes down by one and, unless a later attempt was counted
/// since, the key is free again (it was when the attempt was counted).
pub async fn release(db: &Db, r: &Reservation, at: OffsetDateTime) -> Result<()> {
    on_db!(db, p => sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1,
           blocked_until = CASE WHEN failures = $1 AND blocked_until > $2 THEN $3 ELSE blocked_until END
         WHERE key = $4 AND failures > 0")
        .bind(r.failures).bind(at).bind(at - FORGET_AFTER).bind(&r.key)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Until when attempts on any of `keys` are refused, if they are.
pub async fn blocked_until(db: &Db, keys: &[String]) -> Result<Option<OffsetDateTime>> {
    let t = now();
    let mut until: Option<OffsetDateTime> = None;
    for k in keys {
        let b: Option<OffsetDateTime> = on_db!(db, p => sqlx::query_scalar("SELECT blocked_until FROM login_throttle WHERE key = $1")
            .bind(k).fetch_optional(p).await)?;
        if let Some(b) = b.filter(|b| *b > t) {
            until = Some(until.map_or(b, |u| u.max(b)));
        }
    }
    Ok(until)
}

/// Counts a failure on each key at once (for a check that is not reserved first): one
/// statement per key, so that parallel failures are all counted.
pub async fn record_failure(db: &Db, keys: &[String]) -> Result<()> {
    let t = now();
    for k in keys {
        let failures: i64 = on_db!(db, p => sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, $2)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.last_failure_at > $3 THEN login_throttle.failures + 1 ELSE 1 END,
               last_failure_at = excluded.last_failure_at
             RETURNING failures")
            .bind(k).bind(t).bind(t - FORGET_AFTER).fetch_one(p).await)?;
        fail(
            db,
            &Reservation {
                key: k.clone(),
                failures,
            },
            t,
        )
        .await?;
    }
    Ok(())
}

/// Removes the counters of `keys`.
pub async fn clear(db: &Db, keys: &[String]) -> Result<()> {
    for k in keys {
        on_db!(db, p => sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(k).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Removes every counter of the account `email` (the account-wide one and its devices'):
/// after a password reset link is used, or a second factor succeeds. Returns how many.
pub async fn clear_account(db: &Db, email: &str) -> Result<u64> {
    let email = email.trim().to_lowercase();
    let n = on_db!(db, p => sqlx::query("DELETE FROM login_throttle WHERE account = $1 OR key = $2")
        .bind(&email).bind(account_key(&email)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

const DEVICE_SECRET: &str = "device_cookie_secret";

fn device_mac(secret: &[u8], email: &str, nonce: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"cratb device\0");
    mac.update(email.as_bytes());
    mac.update(b"\0");
    mac.update(nonce.as_bytes());
    mac
}

/// A new device token for the account `email` (lowercased): a random nonce and its HMAC with
/// the e-mail under the installation's secret, `nonce-signature` in hex.
pub async fn device_token(db: &Db, email: &str) -> Result<String> {
    let secret = crate::secret(db, DEVICE_SECRET).await?;
    let nonce = crate::random_token(16);
    let sig = hex::encode(device_mac(&secret, email, &nonce).finalize().into_bytes());
    Ok(format!("{nonce}-{sig}"))
}

/// The nonce of the first of `tokens` signed for the account `email`, if any: that browser
/// signed in to the account before.
pub async fn trusted_device<'a>(
    db: &Db,
    email: &str,
    tokens: impl IntoIterator<Item = &'a str>,
) -> Result<Option<String>> {
    let mut secret = None;
    for token in tokens {
        let Some((nonce, sig)) = token.split_once('-') else {
            continue;
        };
        let (Ok(sig), true) = (hex::decode(sig), nonce.len() == 32) else {
            continue;
        };
        let secret = match &secret {
            Some(s) => s,
            None => secret.insert(crate::secret(db, DEVICE_SECRET).await?),
        };
        if device_mac(secret, email, nonce).verify_slice(&sig).is_ok() {
            return Ok(Some(nonce.to_owned()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn delays_grow_and_cap() {
        assert_eq!(delay_after(4), Duration::ZERO);
        assert_eq!(delay_after(5), Duration::seconds(1));
        assert_eq!(delay_after(7), Duration::seconds(4));
        assert_eq!(delay_after(50), MAX_DELAY);
    }
}
