//! Personal API tokens: shown once, stored hashed, read-only or read-write, revocable, and
//! expiring ([`DEFAULT_DAYS`] unless chosen).

use crate::{
    Db, Result, StoreError, Tx, hash_token, now, on_db, on_tx, random_token, users::UserRow,
};
use cratb_domain::User;
use serde::Serialize;
use time::OffsetDateTime;

/// Tokens start with this, so that a leaked one is recognisable by secret scanners.
pub const PREFIX: &str = "cratb_";
/// How long a token lives unless its holder chooses (and tokens created before expiry
/// existed: from their creation).
pub const DEFAULT_DAYS: u16 = 365;
/// The longest life a token may be given.
pub const MAX_DAYS: u16 = 730;

fn legacy_expiry(created_at: OffsetDateTime) -> OffsetDateTime {
    created_at + time::Duration::days(DEFAULT_DAYS.into())
}

/// A token as listed to its owner (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub can_write: bool,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

impl ApiToken {
    /// Whether it still works at `t`.
    pub fn live(&self, t: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && t < self.expires_at
    }
}

/// Creates a token for `user_id` that lives `days` days (1 to [`MAX_DAYS`]); returns its id
/// and the secret (shown once).
pub async fn create(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    can_write: bool,
    days: u16,
) -> Result<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid("name"));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::Invalid("expires_in_days"));
    }
    let secret = format!("{PREFIX}{}", random_token(24));
    let prefix: String = secret.chars().take(PREFIX.len() + 6).collect();
    let at = now();
    let expires = at + time::Duration::days(days.into());
    let id = on_tx!(tx, p => sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, prefix, token_hash, can_write, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(user_id).bind(name).bind(prefix).bind(hash_token(&secret)).bind(can_write).bind(at).bind(expires).fetch_one(p).await?);
    Ok((id, secret))
}

/// A user's tokens, newest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        prefix: String,
        can_write: bool,
        created_at: OffsetDateTime,
        last_used_at: Option<OffsetDateTime>,
        revoked_at: Option<OffsetDateTime>,
        expires_at: Option<OffsetDateTime>,
    }
    let rows = on_db!(db, p => sqlx::query_as::<_, Row>(
        "SELECT id, name, prefix, can_write, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
        .bind(user_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ApiToken {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            can_write: r.can_write,
            expires_at: r.expires_at.unwrap_or_else(|| legacy_expiry(r.created_at)),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_all(tx: &mut Tx, user_id: i64) -> Result<u64> {
    let at = now();
    Ok(
        on_tx!(tx, p => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(at).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?,
    )
}

/// Revokes one of a user's tokens.
pub async fn revoke(tx: &mut Tx, user_id: i64, id: i64) -> Result<()> {
    let at = now();
    let n = on_tx!(tx, p => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(at).bind(id).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The active user behind a token and whether it may write; `None` if unknown, revoked,
/// expired or the user disabled.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<(User, bool)>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        token_id: i64,
        can_write: bool,
        last_used_at: Option<OffsetDateTime>,
        token_created_at: OffsetDateTime,
        token_expires_at: Option<OffsetDateTime>,
        #[sqlx(flatten)]
        user: UserRow,
    }
    let row: Option<Row> = on_db!(db, p => {
        let sql = format!(
            "SELECT t.id AS token_id, t.can_write, t.last_used_at, t.created_at AS token_created_at,
                    t.expires_at AS token_expires_at, {}
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
            crate::users::columns(p)
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(hash_token(secret)).fetch_optional(p).await
    })?;
    let at = now();
    let Some(r) = row.filter(|r| {
        at < r
            .token_expires_at
            .unwrap_or_else(|| legacy_expiry(r.token_created_at))
    }) else {
        return Ok(None);
    };
    // Record the use at most once a minute: a write on every request would serialise them.
    if r.last_used_at
        .is_none_or(|t| at - t >= time::Duration::minutes(1))
    {
        on_db!(db, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at).bind(r.token_id).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some((r.user.into(), r.can_write)))
}
