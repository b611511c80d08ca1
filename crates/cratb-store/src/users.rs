//! Accounts: creation with the password policy, argon2id hashing, their establishments and
//! teams, changes, scoped listing, activation, single-use password reset links.

use crate::{
    Arg, Db, Filter, Page, PageRequest, Result, StoreError, Tx, bind_args, conflict_on, hash_token,
    now, on_db, on_tx, random_token,
};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use cratb_domain::account::{AccountError, PasswordChangeError};
use cratb_domain::{NewUser, Scope, User, check_password_for};
use std::sync::OnceLock;

/// An account as stored, without its password hash (see [`User`]); read with [`columns`].
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    region_code: Option<String>,
    establishment_list: Option<String>,
    team_list: Option<String>,
    pub(crate) active: bool,
    must_change_password: bool,
}

fn ids(list: Option<String>) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .unwrap_or_default()
        .split(',')
        .filter_map(|x| x.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            region_code: r.region_code,
            establishment_ids: ids(r.establishment_list),
            team_ids: ids(r.team_list),
            active: r.active,
            must_change_password: r.must_change_password,
        }
    }
}

/// The columns of a [`UserRow`] for a query over `users u`: its establishments and teams as
/// comma lists.
pub(crate) fn columns(d: &impl crate::dialect::Dialect) -> String {
    format!(
        "u.id, u.email, u.display_name, u.role, u.region_code, u.active, u.must_change_password,
         (SELECT {} FROM user_establishments ue WHERE ue.user_id = u.id) AS establishment_list,
         (SELECT {} FROM user_teams ut WHERE ut.user_id = u.id) AS team_list",
        d.comma_list("CAST(ue.establishment_id AS TEXT)"),
        d.comma_list("CAST(ut.team_id AS TEXT)")
    )
}

fn select(db: &Db) -> String {
    format!("SELECT {} FROM users u", on_db!(db, p => columns(p)))
}

/// Why an account cannot be created as asked.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    /// The account breaks a rule of accounts.
    #[error(transparent)]
    Refused(#[from] AccountError),
    /// An establishment or a team that is not of the account's region.
    #[error("not of the account's region: {0}")]
    OutOfRegion(&'static str),
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

/// Creates an account after checking the role/region pairing and the password policy, with
/// its establishments and teams (of its region). Without a password, the account has none
/// that works until a reset link is used.
pub async fn create(tx: &mut Tx, u: &NewUser) -> Result<i64, NewUserError> {
    u.check()?;
    let name = u.display_name.trim();
    let hash = match &u.password {
        Some(p) => hash_password(p),
        None => UNUSABLE.to_owned(),
    };
    let at = now();
    let region = u.region.as_ref().map(|r| r.as_str().to_owned());
    let id = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, region_code, active, password_hash, must_change_password, created_at, updated_at)
         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7, $7) RETURNING id")
        .bind(u.email.as_str()).bind(name).bind(u.role.code()).bind(&region)
        .bind(hash).bind(u.must_change_password).bind(at).fetch_one(c).await.map_err(conflict_on("email"))?);
    set_places(tx, id, region.as_deref(), &u.establishments, &u.teams).await?;
    Ok(id)
}

/// The password hash of an account that has no usable password (no argon2 string verifies).
const UNUSABLE: &str = "!";

/// Replaces an account's establishments and teams; each must be of `region`.
async fn set_places(
    tx: &mut Tx,
    id: i64,
    region: Option<&str>,
    establishments: &[i64],
    teams: &[i64],
) -> Result<(), NewUserError> {
    let region = region.unwrap_or("");
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM user_establishments WHERE user_id = $1").bind(id).execute(&mut *c).await.map_err(StoreError::from)?;
        sqlx::query("DELETE FROM user_teams WHERE user_id = $1").bind(id).execute(&mut *c).await.map_err(StoreError::from)?;
        for e in establishments {
            let n = sqlx::query("INSERT INTO user_establishments (user_id, establishment_id)
                 SELECT $1, id FROM establishments WHERE id = $2 AND region_code = $3")
                .bind(id).bind(e).bind(region).execute(&mut *c).await.map_err(StoreError::from)?.rows_affected();
            if n == 0 {
                return Err(NewUserError::OutOfRegion("establishments"));
            }
        }
        for t in teams {
            let n = sqlx::query("INSERT INTO user_teams (user_id, team_id)
                 SELECT $1, id FROM ema_teams WHERE id = $2 AND region_code = $3")
                .bind(id).bind(t).bind(region).execute(&mut *c).await.map_err(StoreError::from)?.rows_affected();
            if n == 0 {
                return Err(NewUserError::OutOfRegion("teams"));
            }
        }
    });
    Ok(())
}

/// The ids of establishments of `region` by FINESS, in the order given; the first FINESS
/// unknown there is the error.
pub async fn establishment_ids(
    db: &Db,
    region: Option<&str>,
    finess: &[cratb_domain::Finess],
) -> Result<std::result::Result<Vec<i64>, cratb_domain::Finess>> {
    let mut out = Vec::with_capacity(finess.len());
    for f in finess {
        let id: Option<i64> = on_db!(db, p => sqlx::query_scalar(
            "SELECT id FROM establishments WHERE finess = $1 AND region_code = $2")
            .bind(f.as_str()).bind(region.unwrap_or("")).fetch_optional(p).await)?;
        match id {
            Some(id) => out.push(id),
            None => return Ok(Err(f.clone())),
        }
    }
    Ok(Ok(out))
}

/// The FINESS of an account's establishments, in the order of their ids.
pub async fn establishment_finess(db: &Db, user: &User) -> Result<Vec<cratb_domain::Finess>> {
    let rows: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT e.id, e.finess FROM user_establishments ue JOIN establishments e ON e.id = ue.establishment_id
         WHERE ue.user_id = $1 ORDER BY e.id").bind(user.id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, f)| cratb_domain::Finess::parse(&f).ok())
        .collect())
}

/// What an account becomes ([`update`]).
pub struct Changed<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: cratb_domain::Role,
    pub region: Option<&'a str>,
    pub establishments: &'a [i64],
    pub teams: &'a [i64],
}

/// Changes an account (already checked by the caller against the rules of accounts): a taken
/// e-mail is `Conflict("email")`. A change of role or region ends its sessions and API tokens,
/// which were granted under the old one.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    to: &Changed<'_>,
    access_changed: bool,
) -> Result<(), NewUserError> {
    let at = now();
    on_tx!(tx, c => {
        sqlx::query("UPDATE users SET email = $1, display_name = $2, role = $3, region_code = $4, updated_at = $5 WHERE id = $6")
            .bind(to.email).bind(to.display_name).bind(to.role.code()).bind(to.region).bind(at).bind(id)
            .execute(&mut *c).await.map_err(conflict_on("email"))?;
        if access_changed {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *c).await.map_err(StoreError::from)?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(at).bind(id).execute(&mut *c).await.map_err(StoreError::from)?;
        }
    });
    set_places(tx, id, to.region, to.establishments, to.teams).await
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
    let sql = format!("{} WHERE u.id = $1", select(db));
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
    let page = crate::fetch_page::<UserRow>(
        db,
        &select(db),
        "SELECT COUNT(*) FROM users u",
        &f,
        "email",
        page,
    )
    .await?;
    Ok(page.map(User::from))
}

/// An account by e-mail (CLI).
pub async fn find_by_email(db: &Db, email: &str) -> Result<User> {
    let sql = format!("{} WHERE u.email = $1", select(db));
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

/// Sets a password chosen by the account holder (already checked against the policy by the
/// caller): it need not be changed any more.
pub async fn set_password(tx: &mut Tx, id: i64, password: &str) -> Result<()> {
    let hash = hash_password(password);
    let at = now();
    on_tx!(tx, p => sqlx::query("UPDATE users SET password_hash = $1, must_change_password = FALSE, updated_at = $2 WHERE id = $3").bind(hash).bind(at).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How long a password reset link works.
pub const RESET_VALID: time::Duration = time::Duration::hours(24);

/// Issues a reset link's secret for an account (its SHA-256 is kept), valid [`RESET_VALID`]
/// and once; the account's earlier links stop working.
pub async fn create_reset(tx: &mut Tx, user_id: i64) -> Result<String> {
    let token = random_token(32);
    let at = now();
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash_token(&token)).bind(user_id).bind(at).bind(at + RESET_VALID).execute(&mut *c).await?;
    });
    Ok(token)
}

/// Whether a reset link was issued for an account within `within`.
pub async fn reset_asked_within(db: &Db, user_id: i64, within: time::Duration) -> Result<bool> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
        .bind(user_id).bind(now() - within).fetch_one(p).await)?;
    Ok(n > 0)
}

/// The active account a reset link opens, if it is unused and unexpired (without using it).
pub async fn reset_account(db: &Db, token: &str) -> Result<Option<User>> {
    let id: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.active")
        .bind(hash_token(token)).bind(now()).fetch_optional(p).await)?;
    match id {
        Some(id) => get_unscoped(db, id).await.map(Some),
        None => Ok(None),
    }
}

/// Uses a reset link: marks it used, in one statement (two uses at once: one wins), and
/// returns its account; `None` when unknown, used or expired.
pub async fn take_reset(tx: &mut Tx, token: &str) -> Result<Option<i64>> {
    let at = now();
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id")
        .bind(at).bind(hash_token(token)).fetch_optional(c).await)?)
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

/// The display name of account `id` (empty if there is none).
pub async fn display_name(tx: &mut crate::Tx, id: i64) -> Result<String> {
    let n: Option<String> = crate::on_tx!(tx, c => sqlx::query_scalar(
        "SELECT display_name FROM users WHERE id = $1").bind(id).fetch_optional(&mut *c).await)?;
    Ok(n.unwrap_or_default())
}

/// The e-mail of active account `id`.
pub async fn email_of(tx: &mut crate::Tx, id: i64) -> Result<Option<String>> {
    Ok(crate::on_tx!(tx, c => sqlx::query_scalar(
        "SELECT email FROM users WHERE id = $1 AND active").bind(id).fetch_optional(&mut *c).await)?)
}
