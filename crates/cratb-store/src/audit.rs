//! The audit log (OWASP ASVS 5.0 V16): append-only — triggers in both backends refuse any
//! UPDATE or DELETE — recording who did what, when, on which entity of which region.

use crate::{Arg, Db, Filter, Page, PageRequest, Result, Tx, bind_args, on_db, on_tx};
use cratb_domain::{AuditEntry, Scope};
use time::OffsetDateTime;

/// An entry as stored (see [`AuditEntry`]).
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: OffsetDateTime,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    region_code: Option<String>,
    summary: String,
    ip: Option<String>,
    request_id: Option<String>,
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> AuditEntry {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            region_code: r.region_code,
            summary: r.summary,
            ip: r.ip,
            request_id: r.request_id,
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub region_code: Option<String>,
    pub summary: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The statement appending entry `$e`, for either backend: `append_in`, and the imports that
/// run their own transactions, append their entry in the one that makes their rows visible.
macro_rules! insert_entry {
    ($e:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, region_code, summary, ip, request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($crate::now())
        .bind($e.actor_id)
        .bind(&$e.actor)
        .bind(&$e.action)
        .bind(&$e.entity)
        .bind(&$e.entity_id)
        .bind(&$e.region_code)
        .bind(&$e.summary)
        .bind(&$e.ip)
        .bind(&$e.request_id)
    };
}
pub(crate) use insert_entry;

/// The audit entry of an import, once its id is known: written in the transaction that makes
/// the import's rows visible, so that both are kept or neither.
pub type ImportEntry<'a> = &'a (dyn Fn(i64) -> NewEntry + Sync);

/// Appends an entry of a change, in the change's transaction: both are kept or neither.
pub async fn append_in(tx: &mut Tx, e: &NewEntry) -> Result<()> {
    on_tx!(tx, c => insert_entry!(e).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Appends an entry of an event that changes nothing else (a login, a read).
pub async fn append(db: &Db, e: &NewEntry) -> Result<()> {
    let mut tx = db.begin().await?;
    append_in(&mut tx, e).await?;
    tx.commit().await
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Part of the actor's e-mail.
    pub user: Option<String>,
    /// Entity type (`user`, `establishment`, `session`…).
    pub entity: Option<String>,
    /// First day included.
    pub from: Option<time::Date>,
    /// Last day included.
    pub to: Option<time::Date>,
}

impl AuditQuery {
    fn filter(&self, scope: &Scope) -> Filter {
        let mut f = Filter::default();
        f.scope(scope, "region_code");
        if let Some(u) = self
            .user
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            f.push(
                "LOWER(actor) LIKE ?",
                [Arg::Text(crate::contains_pattern(u))],
            );
        }
        if let Some(e) = self
            .entity
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            f.push("entity = ?", [Arg::Text(e.to_owned())]);
        }
        if let Some(d) = self.from {
            f.push("at >= ?", [Arg::Time(d.midnight().assume_utc())]);
        }
        // The last day of the calendar has no day after it: nothing is later anyway.
        if let Some(end) = self.to.and_then(time::Date::next_day) {
            f.push("at < ?", [Arg::Time(end.midnight().assume_utc())]);
        }
        f
    }
}

/// Entries visible in `scope` (a regional scope sees its region's entries), newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    q: &AuditQuery,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    let page = crate::fetch_page::<Row>(
        db,
        "SELECT * FROM audit_log",
        "SELECT COUNT(*) FROM audit_log",
        &q.filter(scope),
        "id DESC",
        page,
    )
    .await?;
    Ok(page.map(AuditEntry::from))
}

/// The `limit` newest entries of `scope` (no count: for the home page).
pub async fn recent(db: &Db, scope: &Scope, limit: i64) -> Result<Vec<AuditEntry>> {
    let mut f = Filter::default();
    f.scope(scope, "region_code");
    let sql = format!(
        "SELECT * FROM audit_log{} ORDER BY at DESC, id DESC LIMIT ${}",
        f.sql(),
        f.next()
    );
    let rows = on_db!(db, p => bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).bind(limit).fetch_all(p).await)?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// Every entry matching `q` in `scope` (for CSV export), newest first, at most `limit`.
pub async fn export(db: &Db, scope: &Scope, q: &AuditQuery, limit: i64) -> Result<Vec<AuditEntry>> {
    Ok(list(
        db,
        scope,
        q,
        crate::PageRequest {
            page: 1,
            per_page: limit,
        },
    )
    .await?
    .items)
}

/// Number of entries of `action` in `scope` since `since`.
pub async fn count_since(
    db: &Db,
    scope: &Scope,
    action: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    let mut f = Filter::default();
    f.scope(scope, "region_code")
        .push("action = ?", [Arg::Text(action.to_owned())])
        .push("at >= ?", [Arg::Time(since)]);
    let sql = format!("SELECT COUNT(*) FROM audit_log{}", f.sql());
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
}
