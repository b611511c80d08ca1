//! The audit log (OWASP ASVS 5.0 V16): append-only — triggers in both backends refuse any
//! UPDATE or DELETE — recording who did what, when, on which entity of which region.

use crate::{Arg, Db, Filter, Page, PageRequest, Result, Tx, bind_args, on_db, on_tx};
use cratb_domain::{AuditEntry, Scope};
use time::{Duration, OffsetDateTime};

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

/// How long the repeated events of one source are counted before their summary is written.
pub const BURST_WINDOW: Duration = Duration::minutes(10);

/// Appends an entry of an event that may repeat by the thousand (a failed login): the first
/// of its action, source (`e.ip`) and region within [`BURST_WINDOW`] is written in full, the
/// later ones are only counted, then written as one entry standing for all of them (its
/// `occurrences`; `label` names one and several in its summary, e.g. « échec de connexion »,
/// « échecs de connexion ») when the
/// window has closed and another such event comes, when the source signs in, or when the log
/// is read ([`flush_bursts`]). Nothing is lost: an event is in an entry or in a count, and a
/// count is removed only in the transaction that writes its entry.
pub async fn append_repeated(db: &Db, e: &NewEntry, label: (&str, &str)) -> Result<()> {
    flush_bursts(db, Flush::Closed).await?;
    let source = e.ip.as_deref().unwrap_or("?");
    let region = e.region_code.as_deref().unwrap_or_default();
    let at = crate::now();
    let mut tx = db.begin().await?;
    loop {
        // One statement counts the event in an open window, or opens one (counted = 0).
        let counted: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO audit_bursts (action, source, region_code, opened_at, label_one, label_many, counted) VALUES ($1, $2, $3, $4, $5, $8, 0)
             ON CONFLICT (action, source, region_code) DO UPDATE SET
               counted = audit_bursts.counted + 1,
               first_at = COALESCE(audit_bursts.first_at, excluded.opened_at),
               last_at = excluded.opened_at,
               last_summary = $6
             WHERE audit_bursts.opened_at > $7
             RETURNING counted")
            .bind(&e.action).bind(source).bind(region).bind(at).bind(label.0).bind(&e.summary)
            .bind(at - BURST_WINDOW).bind(label.1)
            .fetch_optional(&mut *c).await)?;
        match counted {
            Some(0) => {
                append_in(&mut tx, e).await?;
                break;
            }
            Some(_) => break,
            // The window of this source has closed: its summary first, then a new window.
            None => {
                let closed = on_tx!(&mut tx, c => sqlx::query_as::<_, Burst>(
                    "DELETE FROM audit_bursts WHERE action = $1 AND source = $2 AND region_code = $3 RETURNING *")
                    .bind(&e.action).bind(source).bind(region)
                    .fetch_all(&mut *c).await)?;
                for b in closed {
                    b.write(&mut tx).await?;
                }
            }
        }
    }
    tx.commit().await
}

/// A source's events being counted (see [`append_repeated`]).
#[derive(sqlx::FromRow)]
struct Burst {
    action: String,
    source: String,
    region_code: String,
    label_one: String,
    label_many: String,
    counted: i64,
    first_at: Option<OffsetDateTime>,
    last_at: Option<OffsetDateTime>,
    last_summary: Option<String>,
}

impl Burst {
    /// Writes the entry standing for the counted events, if any.
    async fn write(self, tx: &mut Tx) -> Result<()> {
        let (Some(first), Some(last)) = (self.first_at, self.last_at) else {
            return Ok(());
        };
        if self.counted == 0 {
            return Ok(());
        }
        // In Paris time, as every moment people read.
        let (first, last) = (
            cratb_domain::paris::paris(first),
            cratb_domain::paris::paris(last),
        );
        let hms =
            |t: OffsetDateTime| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
        let summary = format!(
            "{} {} de plus depuis {} le {} entre {} et {} (dernier : {})",
            self.counted,
            if self.counted == 1 {
                &self.label_one
            } else {
                &self.label_many
            },
            self.source,
            cratb_domain::paris::day(first),
            hms(first),
            hms(last),
            self.last_summary.as_deref().unwrap_or("—"),
        );
        let region = Some(self.region_code).filter(|r| !r.is_empty());
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, region_code, summary, ip, request_id, occurrences)
             VALUES ($1, NULL, 'anonyme', $2, 'session', NULL, $3, $4, $5, NULL, $6)")
            .bind(crate::now()).bind(&self.action).bind(region).bind(summary)
            .bind(&self.source).bind(self.counted)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Which counted events [`flush_bursts`] writes.
#[derive(Debug, Clone, Copy)]
pub enum Flush<'a> {
    /// Those whose window has closed.
    Closed,
    /// Those, and the ones of this source (it signed in: its failures come first).
    Source(&'a str),
    /// Every one (the log is being read).
    All,
}

/// Writes the entries standing for counted events (see [`append_repeated`]); returns how many.
pub async fn flush_bursts(db: &Db, which: Flush<'_>) -> Result<u64> {
    let (all, source) = match which {
        Flush::Closed => (false, ""),
        Flush::Source(s) => (false, s),
        Flush::All => (true, ""),
    };
    let cutoff = crate::now() - BURST_WINDOW;
    let cond = "opened_at <= $1 OR (counted > 0 AND ($2 OR source = $3))";
    // A read first: most calls find nothing and need no write lock.
    let any: Option<String> = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT source FROM audit_bursts WHERE {cond} LIMIT 1")))
        .bind(cutoff).bind(all).bind(source).fetch_optional(p).await)?;
    if any.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let bursts = on_tx!(&mut tx, c => sqlx::query_as::<_, Burst>(sqlx::AssertSqlSafe(format!("DELETE FROM audit_bursts WHERE {cond} RETURNING *")))
        .bind(cutoff).bind(all).bind(source).fetch_all(&mut *c).await)?;
    let mut n = 0;
    for b in bursts {
        n += u64::from(b.counted > 0);
        b.write(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(n)
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
    flush_bursts(db, Flush::All).await?;
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
    flush_bursts(db, Flush::All).await?;
    let mut f = Filter::default();
    f.scope(scope, "region_code");
    let routine = cratb_domain::audit::ROUTINE_ACTIONS;
    let marks = vec!["?"; routine.len()].join(", ");
    f.push(
        &format!("action NOT IN ({marks})"),
        routine.map(|a| Arg::Text(a.to_owned())),
    );
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

/// Number of events of `action` in `scope` since `since` (an entry standing for repeated
/// events counts them all).
pub async fn count_since(
    db: &Db,
    scope: &Scope,
    action: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    flush_bursts(db, Flush::All).await?;
    let mut f = Filter::default();
    f.scope(scope, "region_code")
        .push("action = ?", [Arg::Text(action.to_owned())])
        .push("at >= ?", [Arg::Time(since)]);
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(occurrences), 0) AS BIGINT) FROM audit_log{}",
        f.sql()
    );
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
}
