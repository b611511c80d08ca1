//! Persistence of cratb on SQLite (embedded default) and PostgreSQL (production).
//!
//! One [`Db`] value wraps either pool; every repository function is written once, with
//! PostgreSQL-style `$1` placeholders that both drivers accept, and dispatched by the
//! [`on_db!`] macro. Migrations are kept per backend in `migrations/sqlite` and
//! `migrations/postgres` and embedded in the binary.
//!
//! Region scoping lives here, not in handlers: every query over region-owned rows takes a
//! [`Scope`](cratb_domain::Scope) and filters on it, so a regional user cannot obtain another
//! region's rows even through a buggy route.

pub mod advice;
pub mod audit;
pub mod audits;
pub mod consumption;
mod dialect;
pub mod directory;
pub mod establishments;
mod imports;
pub mod mfa;
pub mod network;
pub mod plans;
pub mod primary_care;
pub mod reference;
pub mod resistance;
pub mod sessions;
/// Spreadsheets read into rows (the `cratb-sheet` crate).
pub use cratb_sheet as tabular;
pub mod throttle;
pub mod tokens;
mod tx;
pub mod users;

pub(crate) use dialect::Dialect;
pub use tx::Tx;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool `db` holds (`$p` names the pool).
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Errors of the store, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the field is named.
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A value the database refused (foreign key, check), with the field.
    #[error("invalid value: {0}")]
    Invalid(&'static str),
    #[error("database unreachable or refused the connection: {0}")]
    Unavailable(String),
    #[error("migrations failed: {0}")]
    Migration(String),
    /// The database cannot write: disk full, read-only file or database, I/O error.
    #[error("the database cannot write (disk full or read-only): {0}")]
    CannotWrite(String),
    #[error(transparent)]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d)
                if d.code().is_some_and(|c| {
                    cannot_write(
                        &c,
                        d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some(),
                    )
                }) =>
            {
                StoreError::CannotWrite(d.message().to_owned())
            }
            _ => StoreError::Db(e),
        }
    }
}

/// Whether a database error code says the database cannot write: SQLite's `SQLITE_FULL`,
/// `SQLITE_READONLY` and `SQLITE_IOERR` (with their extended codes); PostgreSQL's classes
/// 53 (insufficient resources: disk full, out of memory), 58 (system error: I/O) and
/// `read_only_sql_transaction`.
fn cannot_write(code: &str, sqlite: bool) -> bool {
    if sqlite {
        code.parse::<i32>()
            .is_ok_and(|c| matches!(c & 0xff, 8 | 10 | 13))
    } else {
        code.starts_with("53") || code.starts_with("58") || code == "25006"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_codes_of_a_database_that_cannot_write() {
        use super::cannot_write;
        // SQLite: SQLITE_FULL, SQLITE_READONLY, SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE.
        for code in ["13", "8", "1032", "778"] {
            assert!(cannot_write(code, true), "{code}");
        }
        // SQLite: SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE are not.
        for code in ["5", "2067"] {
            assert!(!cannot_write(code, true), "{code}");
        }
        // PostgreSQL: disk_full, out_of_memory, io_error, read_only_sql_transaction.
        for code in ["53100", "53200", "58030", "25006"] {
            assert!(cannot_write(code, false), "{code}");
        }
        // PostgreSQL: unique_violation, serialization_failure are not.
        for code in ["23505", "40001"] {
            assert!(!cannot_write(code, false), "{code}");
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique-violation to [`StoreError::Conflict`] naming `field`.
pub(crate) fn conflict_on(field: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(field),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() || d.is_check_violation() => {
            StoreError::Invalid(field)
        }
        _ => StoreError::from(e),
    }
}

/// A time as the tables of the advice service, the audits and the action plans keep and
/// compare it: in UTC, to the whole second. SQLite keeps times as RFC 3339 text, compared as
/// text: `…:00Z` sorts after `…:00.5Z`, and `+01:00` after `Z`, so every time written or bound
/// there has one offset and one width (PostgreSQL gets the same values, so that both backends
/// answer alike).
pub(crate) fn utc(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Ids written into an `IN (…)` list (`NULL` for none, which matches nothing).
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".into();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The backend a URL designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

impl Db {
    /// Connects to `sqlite://path` (file created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                Ok(Db::Sqlite(pool))
            }
            Some(Backend::Postgres) => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                Ok(Db::Postgres(pool))
            }
            None => Err(StoreError::Unavailable(format!(
                "« {url} » : URL de base non reconnue (attendu sqlite://chemin ou postgres://…)"
            ))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations, then brings the reference tables (regions, departments) up to date.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await,
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?;
        imports::discard_pending(self).await?;
        reference::sync_geography(self).await
    }

    /// Whether the database answers, is migrated and can write (used by `/readyz`): a server
    /// that can only read cannot log anyone in.
    pub async fn ready(&self) -> Result<()> {
        let n: i64 = on_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM regions").fetch_one(p).await)?;
        if n == 0 {
            return Err(StoreError::Migration("reference tables are empty".into()));
        }
        let at = now().unix_timestamp().to_string();
        on_db!(self, p => sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('ready_check', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(&at).execute(p).await.map(drop))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

/// The current time, truncated to microseconds (what both backends keep).
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// A random URL-safe token of `bytes` random bytes, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a secret token, hex-encoded: what is stored in place of session ids and API tokens.
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A case-insensitive `LIKE` pattern matching text that contains `q` (wildcards in `q` dropped).
/// The installation's secret named `key` (32 random bytes kept in `settings`), created on
/// first use; concurrent first uses agree on one value.
pub(crate) async fn secret(db: &Db, key: &str) -> Result<Vec<u8>> {
    let select = "SELECT value FROM settings WHERE key = $1";
    let mut value: Option<String> =
        on_db!(db, p => sqlx::query_scalar(select).bind(key).fetch_optional(p).await)?;
    if value.is_none() {
        let fresh = random_token(32);
        on_db!(db, p => sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key).bind(&fresh).execute(p).await.map(|r| r.rows_affected()))?;
        value = on_db!(db, p => sqlx::query_scalar(select).bind(key).fetch_optional(p).await)?;
    }
    hex::decode(value.unwrap_or_default()).map_err(|_| StoreError::Invalid("settings"))
}

pub(crate) fn contains_pattern(q: &str) -> String {
    format!("%{}%", q.to_lowercase().replace(['%', '_', '\\'], ""))
}

/// A page of results with the total count, for paginated lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The items, and the page's position without them (for pagers).
    pub fn split(self) -> (Vec<T>, Page<()>) {
        (
            self.items,
            Page {
                items: Vec::new(),
                total: self.total,
                page: self.page,
                per_page: self.per_page,
            },
        )
    }
    /// The page with each item turned into another (a row into what it stands for).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
    /// The previous and next page numbers, where they exist.
    pub fn neighbours(&self) -> (Option<i64>, Option<i64>) {
        (
            (self.page > 1).then_some(self.page - 1),
            (self.page < self.pages().min(PageRequest::MAX_PAGE)).then_some(self.page + 1),
        )
    }
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Page number and size asked by a caller, clamped to sane bounds.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// The last page number served: far past any list, and its offset fits any integer.
    pub const MAX_PAGE: i64 = 1_000_000;
    /// The largest page size.
    pub const MAX_PER_PAGE: i64 = 500;

    /// The page asked for (1 by default), of `per_page` items (50 by default), both clamped
    /// to their bounds.
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        PageRequest {
            page: page.unwrap_or(1).clamp(1, Self::MAX_PAGE),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// One page of `select` (a SELECT … FROM … without WHERE) filtered by `f`, with the total count
/// from `count` (a SELECT COUNT(*) FROM …), ordered by `order`.
pub(crate) async fn fetch_page<T>(
    db: &Db,
    select: &str,
    count: &str,
    f: &Filter,
    order: &str,
    page: PageRequest,
) -> Result<Page<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    fetch_page_ordered_by(db, select, count, f, 0, order, page).await
}

/// [`fetch_page`] for an `order` that binds the last `tail` arguments of `f`, which the WHERE
/// clause does not use (a moment to sort the late ones first).
pub(crate) async fn fetch_page_ordered_by<T>(
    db: &Db,
    select: &str,
    count: &str,
    f: &Filter,
    tail: usize,
    order: &str,
    page: PageRequest,
) -> Result<Page<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let where_args = &f.args[..f.args.len() - tail];
    let count_sql = format!("{count}{}", f.sql());
    let n = f.next();
    let sql = format!(
        "{select}{} ORDER BY {order} LIMIT ${n} OFFSET ${}",
        f.sql(),
        n + 1
    );
    let (total, items) = on_db!(db, p => {
        let total: i64 = bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)), where_args).fetch_one(p).await?;
        let items = bind_args!(sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)), f.args)
            .bind(page.per_page).bind(page.offset()).fetch_all(p).await?;
        (total, items)
    });
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Time(OffsetDateTime),
    Date(time::Date),
}

/// Binds `args` in order to a query (works for both backends inside [`on_db!`]).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                $crate::Arg::Text(s) => q.bind(s.clone()),
                $crate::Arg::Int(i) => q.bind(*i),
                $crate::Arg::Time(t) => q.bind(*t),
                $crate::Arg::Date(d) => q.bind(*d),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// Builds a WHERE clause with `$n` placeholders from optional conditions.
#[derive(Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    pub args: Vec<Arg>,
}

impl Filter {
    /// Adds a condition; each `?` in `clause` takes the next of `args`.
    pub fn push(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        let mut args = args.into_iter();
        let mut out = String::with_capacity(clause.len() + 4);
        for c in clause.chars() {
            if c == '?' {
                self.args
                    .push(args.next().expect("one argument per placeholder"));
                out.push_str(&format!("${}", self.args.len()));
            } else {
                out.push(c);
            }
        }
        self.clauses.push(out);
        self
    }
    /// Adds the region-scope condition on `column`.
    pub fn scope(&mut self, scope: &cratb_domain::Scope, column: &str) -> &mut Self {
        if let Some(r) = scope.region_filter() {
            self.push(&format!("{column} = ?"), [Arg::Text(r.to_owned())]);
        }
        self
    }
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
    /// The next placeholder number.
    pub fn next(&self) -> usize {
        self.args.len() + 1
    }
}
