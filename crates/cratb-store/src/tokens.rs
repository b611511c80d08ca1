//! Personal API tokens: shown once, stored hashed, read-only or read-write, revocable.

use crate::{
    Db, Result, StoreError, Tx, hash_token, now, on_db, on_tx, random_token, users::UserRow,
};
use cratb_domain::User;
use serde::Serialize;
use time::OffsetDateTime;

/// Tokens start with this, so that a leaked one is recognisable by secret scanners.
pub const PREFIX: &str = "cratb_";

/// A token as listed to its owner (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub can_write: bool,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Creates a token for `user_id`; returns its id and the secret (shown once).
pub async fn create(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    can_write: bool,
) -> Result<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid("name"));
    }
    let secret = format!("{PREFIX}{}", random_token(24));
    let prefix: String = secret.chars().take(PREFIX.len() + 6).collect();
    let at = now();
    let id = on_tx!(tx, p => sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, prefix, token_hash, can_write, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(user_id).bind(name).bind(prefix).bind(hash_token(&secret)).bind(can_write).bind(at).fetch_one(p).await?);
    Ok((id, secret))
}

/// A user's tokens, newest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, ApiToken>(
        "SELECT id, name, prefix, can_write, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
        .bind(user_id).fetch_all(p).await)?)
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

/// The active user behind a token and whether it may write; `None` if unknown, revoked or the user disabled.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<(User, bool)>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        token_id: i64,
        can_write: bool,
        last_used_at: Option<OffsetDateTime>,
        #[sqlx(flatten)]
        user: UserRow,
    }
    let row: Option<Row> = on_db!(db, p => sqlx::query_as(
        "SELECT t.id AS token_id, t.can_write, t.last_used_at,
                u.id, u.email, u.display_name, u.role, u.region_code, u.establishment_id, u.active
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active")
        .bind(hash_token(secret)).fetch_optional(p).await)?;
    let Some(r) = row else {
        return Ok(None);
    };
    // Record the use at most once a minute: a write on every request would serialise them.
    let at = now();
    if r.last_used_at
        .is_none_or(|t| at - t >= time::Duration::minutes(1))
    {
        on_db!(db, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at).bind(r.token_id).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some((r.user.into(), r.can_write)))
}
