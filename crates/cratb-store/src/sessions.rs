//! Server-side sessions (OWASP ASVS 5.0 V7): random 256-bit ids of which only the SHA-256 is
//! stored, a CSRF token per session, idle and absolute timeouts, logout everywhere.

use crate::{Db, Result, Tx, hash_token, now, on_db, on_tx, random_token, users::UserRow};
use cratb_domain::User;
use time::{Duration, OffsetDateTime};

/// Idle timeout: a session unused this long is over.
pub const IDLE: Duration = Duration::minutes(30);
/// Absolute timeout: no session lives longer, however active.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, to keep reads cheap.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub csrf_token: String,
    pub user: User,
}

/// Opens a session for `user_id`; returns the cookie value (the only copy of the secret).
pub async fn create(tx: &mut Tx, user_id: i64) -> Result<(String, String)> {
    let token = random_token(32);
    let csrf = random_token(32);
    let at = now();
    on_tx!(tx, p => sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(hash_token(&token)).bind(user_id).bind(&csrf).bind(at).bind(at + ABSOLUTE).execute(p).await.map(|r| r.rows_affected()))?;
    Ok((token, csrf))
}

#[derive(sqlx::FromRow)]
struct Row {
    token_hash: String,
    csrf_token: String,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    #[sqlx(flatten)]
    user: UserRow,
}

/// The live session of a cookie value, if any; expired ones are removed on sight.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<Session>> {
    let h = hash_token(token);
    let row: Option<Row> = on_db!(db, p => {
        let sql = format!(
            "SELECT s.token_hash, s.csrf_token, s.last_seen_at, s.expires_at, {}
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            crate::users::columns(p)
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&h).fetch_optional(p).await
    })?;
    let Some(r) = row else { return Ok(None) };
    let t = now();
    if !r.user.active || t >= r.expires_at || t - r.last_seen_at >= IDLE {
        on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&r.token_hash).execute(p).await.map(|r| r.rows_affected()))?;
        return Ok(None);
    }
    if t - r.last_seen_at >= TOUCH_EVERY {
        on_db!(db, p => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(t).bind(&r.token_hash).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some(Session {
        token_hash: r.token_hash,
        csrf_token: r.csrf_token,
        user: r.user.into(),
    }))
}

/// Ends one session, by the hash of its id.
pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<()> {
    on_tx!(tx, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user (logout everywhere); returns how many were ended.
pub async fn delete_all_for_user(tx: &mut Tx, user_id: i64) -> Result<u64> {
    Ok(
        on_tx!(tx, p => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(p).await.map(|r| r.rows_affected()))?,
    )
}

/// Number of live sessions of a user.
pub async fn count_for_user(db: &Db, user_id: i64) -> Result<i64> {
    let t = now();
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2").bind(user_id).bind(t).fetch_one(p).await)?,
    )
}

/// Removes expired sessions (run periodically by the server).
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let t = now();
    Ok(
        on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2").bind(t).bind(t - IDLE).execute(p).await.map(|r| r.rows_affected()))?,
    )
}
