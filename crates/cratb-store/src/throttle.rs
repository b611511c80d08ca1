//! Login throttling (OWASP ASVS 5.0 V6.3.1): per account and per client address, the first
//! failures are free, then each further failure doubles a waiting period, up to 15 minutes.

use crate::{Db, Result, now, on_db};
use time::{Duration, OffsetDateTime};

/// Failures allowed before any delay applies.
pub const FREE_FAILURES: i64 = 5;
/// The longest delay.
pub const MAX_DELAY: Duration = Duration::minutes(15);

/// Failures older than this are forgotten.
pub const FORGET_AFTER: Duration = Duration::hours(1);

/// Delay imposed after `failures` consecutive failures.
pub fn delay_after(failures: i64) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_FAILURES).min(10) as u32;
    (Duration::seconds(1) * 2i32.pow(exp)).min(MAX_DELAY)
}

/// Until when logins for any of `keys` are refused, if they are.
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

/// Records a failed login for each key.
pub async fn record_failure(db: &Db, keys: &[String]) -> Result<()> {
    let t = now();
    for k in keys {
        let failures: i64 = on_db!(db, p => sqlx::query_scalar("SELECT failures FROM login_throttle WHERE key = $1 AND last_failure_at > $2")
            .bind(k).bind(t - FORGET_AFTER).fetch_optional(p).await)?.unwrap_or(0) + 1;
        let until = t + delay_after(failures);
        on_db!(db, p => sqlx::query(
            "INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until")
            .bind(k).bind(failures).bind(t).bind(until).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Clears the counters after a successful login.
pub async fn clear(db: &Db, keys: &[String]) -> Result<()> {
    for k in keys {
        on_db!(db, p => sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(k).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
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
