//! Accounts: creation with the password policy, argon2id hashing, scoped listing, activation.

use crate::{
    Arg, Db, Filter, Page, PageRequest, Result, StoreError, Tx, bind_args, conflict_on, now, on_db,
    on_tx,
};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use cratb_domain::account::{AccountError, PasswordChangeError};
use cratb_domain::{NewUser, Scope, User, check_password_for};
use std::sync::OnceLock;

/// An account as stored, without its password hash (see [`User`]).
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    region_code: Option<String>,
    establishment_id: Option<i64>,
    pub(crate) active: bool,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            region_code: r.region_code,
            establishment_id: r.establishment_id,
            active: r.active,
        }
    }
}

/// Why an account cannot be created as asked.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    /// The account breaks a rule of accounts.
    #[error(transparent)]
    Refused(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn argon2() -> &'static Argon2<'static> {
    static A: OnceLock<Argon2<'static>> = OnceLock::new();
    // argon2id, m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet baseline.
    A.get_or_init(Argon2::default)
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt length");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params cannot fail")
        .to_string()
}

/// A hash of a random password, verified against when the account does not exist, so that
/// a login takes as long whether or not the e-mail is known.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password(&crate::random_token(16)))
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

const SELECT: &str =
    "SELECT id, email, display_name, role, region_code, establishment_id, active FROM users";

/// Creates an account after checking the role/region pairing and the password policy.
pub async fn create(tx: &mut Tx, u: &NewUser) -> Result<i64, NewUserError> {
    u.check()?;
    let name = u.display_name.trim();
    let hash = hash_password(&u.password);
    let at = now();
    let region = u.region.as_ref().map(|r| r.as_str().to_owned());
    let id = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, region_code, establishment_id, active, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7) RETURNING id")
        .bind(u.email.as_str()).bind(name).bind(u.role.code()).bind(region).bind(u.establishment_id)
        .bind(hash).bind(at).fetch_one(c).await.map_err(conflict_on("email"))?);
    Ok(id)
}

/// Checks an e-mail and password; `None` when unknown, disabled or wrong (indistinguishably).
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<Option<User>> {
    let email = email.trim().to_lowercase();
    let row: Option<(i64, String, bool)> = on_db!(db, p => sqlx::query_as("SELECT id, password_hash, active FROM users WHERE email = $1")
        .bind(&email).fetch_optional(p).await)?;
    let password = password.to_owned();
    let (ok, id) = match row {
        Some((id, hash, active)) => {
            let ok = tokio::task::spawn_blocking(move || verify(&password, &hash))
                .await
                .unwrap_or(false);
            (ok && active, id)
        }
        None => {
            let _ = tokio::task::spawn_blocking(move || verify(&password, dummy_hash())).await;
            (false, 0)
        }
    };
    if !ok {
        return Ok(None);
    }
    get_unscoped(db, id).await.map(Some)
}

/// An account by id, whatever its region (for the session layer and the CLI).
pub async fn get_unscoped(db: &Db, id: i64) -> Result<User> {
    let sql = format!("{SELECT} WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?
        .map(User::from)
        .ok_or(StoreError::NotFound)
}

/// An account by id, if visible in `scope`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<User> {
    let u = get_unscoped(db, id).await?;
    match (scope, &u.region_code) {
        (Scope::National, _) => Ok(u),
        (Scope::Region(r), Some(ur)) if r.as_str() == ur => Ok(u),
        _ => Err(StoreError::NotFound),
    }
}

/// Accounts visible in `scope` (a regional scope sees only its region's accounts), by e-mail.
pub async fn list(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<User>> {
    let mut f = Filter::default();
    f.scope(scope, "region_code");
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let like = crate::contains_pattern(q);
        f.push(
            "(LOWER(email) LIKE ? OR LOWER(display_name) LIKE ?)",
            [Arg::Text(like.clone()), Arg::Text(like)],
        );
    }
    let page =
        crate::fetch_page::<UserRow>(db, SELECT, "SELECT COUNT(*) FROM users", &f, "email", page)
            .await?;
    Ok(page.map(User::from))
}

/// An account by e-mail (CLI).
pub async fn find_by_email(db: &Db, email: &str) -> Result<User> {
    let sql = format!("{SELECT} WHERE email = $1");
    on_db!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql)).bind(email.trim().to_lowercase()).fetch_optional(p).await)?
        .map(User::from)
        .ok_or(StoreError::NotFound)
}

/// Enables or disables an account visible in `scope`; disabling also ends its sessions and tokens.
pub async fn set_active(tx: &mut Tx, scope: &Scope, id: i64, active: bool) -> Result<()> {
    let region: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM users WHERE id = $1").bind(id).fetch_optional(c).await)?;
    let visible = match region {
        None => false,
        Some(r) => scope
            .region_filter()
            .is_none_or(|mine| r.as_deref() == Some(mine)),
    };
    if !visible {
        return Err(StoreError::NotFound);
    }
    let at = now();
    on_tx!(tx, c => {
        sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3").bind(active).bind(at).bind(id).execute(&mut *c).await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(at).bind(id).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// Whether a password may be changed: the new one must pass the policy (checked first, it is
/// cheap) and the current one must be right.
pub async fn check_password_change(
    db: &Db,
    id: i64,
    current: &str,
    new: &str,
) -> Result<Result<(), PasswordChangeError>> {
    let u = get_unscoped(db, id).await?;
    if let Err(e) = check_password_for(new, &u.email, &u.display_name) {
        return Ok(Err(e.into()));
    }
    if authenticate(db, &u.email, current).await?.is_none() {
        return Ok(Err(PasswordChangeError::WrongCurrent));
    }
    Ok(Ok(()))
}

/// Sets a password (already checked against the policy by the caller).
pub async fn set_password(tx: &mut Tx, id: i64, password: &str) -> Result<()> {
    let hash = hash_password(password);
    let at = now();
    on_tx!(tx, p => sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3").bind(hash).bind(at).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Number of active accounts per role in `scope`.
pub async fn count_by_role(db: &Db, scope: &Scope) -> Result<Vec<(String, i64)>> {
    let mut f = Filter::default();
    f.scope(scope, "region_code").push("active", []);
    let sql = format!(
        "SELECT role, COUNT(*) FROM users{} GROUP BY role ORDER BY role",
        f.sql()
    );
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// Number of disabled accounts in `scope`.
pub async fn count_inactive(db: &Db, scope: &Scope) -> Result<i64> {
    let mut f = Filter::default();
    f.scope(scope, "region_code").push("NOT active", []);
    let sql = format!("SELECT COUNT(*) FROM users{}", f.sql());
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
}
