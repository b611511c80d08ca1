//! The network directory: professionals of a region, with their checked identifiers and their
//! consent to appear in the public search, field by field. What an entry is and how it is
//! checked live in `cratb_directory::professionals`; this keeps them.

use crate::{Arg, Db, Filter, Page, PageRequest, Result, StoreError, conflict_on, now, on_db};
use crate::{Tx, on_tx};
use cratb_directory::professionals::{self as rules, CONFIRM_EVERY, NewProfessional};
use cratb_directory::professionals::{DirectoryQuery, Professional, Snapshot, Version, Workplace};
use cratb_domain::field::optional;
use cratb_domain::{Email, Finess, NetworkRole, RegionAccess, Rpps, Scope};
use time::OffsetDateTime;

/// An entry as stored.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    region_code: String,
    last_name: String,
    first_name: String,
    profession: String,
    rpps: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    public_name: bool,
    public_email: bool,
    public_phone: bool,
    network_roles: String,
    establishments: String,
    territory_id: Option<i64>,
    territory_name: Option<String>,
    confirmed_at: Option<OffsetDateTime>,
}

impl From<Row> for Professional {
    fn from(r: Row) -> Professional {
        Professional {
            id: r.id,
            region_code: r.region_code,
            last_name: r.last_name,
            first_name: r.first_name,
            profession: r.profession,
            rpps: r.rpps,
            email: r.email,
            phone: r.phone,
            public_name: r.public_name,
            public_email: r.public_email,
            public_phone: r.public_phone,
            network_roles: r.network_roles,
            establishments: r.establishments,
            territory_id: r.territory_id,
            territory_name: r.territory_name,
            confirmed_at: r.confirmed_at,
        }
    }
}

/// A version as stored.
#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    actor: String,
    summary: String,
    changed_at: OffsetDateTime,
    data: String,
}

impl From<VersionRow> for Version {
    fn from(v: VersionRow) -> Version {
        Version {
            version: v.version,
            actor: v.actor,
            summary: v.summary,
            changed_at: v.changed_at,
            data: v.data,
        }
    }
}

/// The columns of an entry; its establishments come from [`WITH_ESTABLISHMENTS`] for one entry,
/// from [`fill_establishments`] for many (computed per row, they would cost a lookup for every
/// matching row before the sort and the page cut).
const COLUMNS: &str = "SELECT id, region_code, last_name, first_name, profession, rpps, email, phone, \
     public_name, public_email, public_phone, network_roles, confirmed_at, territory_id, \
     (SELECT t.name FROM territories t WHERE t.id = p.territory_id) AS territory_name";

const WITH_ESTABLISHMENTS: &str = ", COALESCE((SELECT STRING_AGG(e.finess, ',' ORDER BY e.finess) FROM professional_establishments pe \
        JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id = p.id), '') AS establishments \
     FROM professionals p";

/// Sets the establishments of a page of entries, in one query.
async fn fill_establishments(db: &Db, items: &mut [Professional]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut by_id: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in items.chunks(1000) {
        let ids = chunk
            .iter()
            .map(|p| p.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pe.professional_id, e.finess FROM professional_establishments pe
             JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id IN ({ids}) ORDER BY e.finess")))
            .fetch_all(p).await)?;
        for (id, f) in rows {
            by_id.entry(id).or_default().push(f);
        }
    }
    for p in items.iter_mut() {
        p.establishments = by_id.remove(&p.id).unwrap_or_default().join(",");
    }
    Ok(())
}

/// The places of `p` its region does not hold: the FINESS numbers that name none of its
/// establishments, and whether its territory, if any, is one of its GHTs or CPTSs.
pub async fn unknown_places(db: &Db, p: &NewProfessional) -> Result<(Vec<Finess>, bool)> {
    let mut unknown = Vec::new();
    for f in &p.establishments {
        let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
            "SELECT id FROM establishments WHERE finess = $1 AND region_code = $2")
            .bind(f.as_str()).bind(p.region.as_str()).fetch_optional(pool).await)?;
        if found.is_none() {
            unknown.push(f.clone());
        }
    }
    Ok((unknown, territory_in_region(db, p).await?))
}

/// Replaces the establishments of professional `$id` within the transaction `$tx` (of either
/// backend); a FINESS number unknown in the region fails with `RowNotFound`.
macro_rules! link_establishments {
    ($tx:expr, $id:expr, $p:expr) => {{
        sqlx::query("DELETE FROM professional_establishments WHERE professional_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for f in &$p.establishments {
            let n = sqlx::query(
                "INSERT INTO professional_establishments (professional_id, establishment_id)
                 SELECT $1, id FROM establishments WHERE finess = $2 AND region_code = $3",
            )
            .bind($id)
            .bind(f.as_str())
            .bind($p.region.as_str())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(sqlx::Error::RowNotFound);
            }
        }
    }};
}

/// Whether the entry's territory, if any, is one of its region's.
async fn territory_in_region(db: &Db, p: &NewProfessional) -> Result<bool> {
    let Some(t) = p.territory_id else {
        return Ok(true);
    };
    let region: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT region_code FROM territories WHERE id = $1")
        .bind(t).fetch_optional(pool).await)?;
    Ok(region.as_deref() == Some(p.region.as_str()))
}

/// Refuses an entry of another region than `access`'s, and a territory outside the entry's
/// region (the store's own guards, whatever the caller checked).
async fn check_region(tx: &mut Tx, access: &RegionAccess, p: &NewProfessional) -> Result<()> {
    if &p.region != access.region() {
        return Err(StoreError::Invalid("region"));
    }
    let Some(t) = p.territory_id else {
        return Ok(());
    };
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM territories WHERE id = $1")
        .bind(t).fetch_optional(c).await)?;
    if region.as_deref() == Some(p.region.as_str()) {
        Ok(())
    } else {
        Err(StoreError::Invalid("territory_id"))
    }
}

/// An establishment that vanished between the check and the write, or a known RPPS number.
fn establishments_or_conflict(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::Invalid("establishments"),
        e => conflict_on("rpps")(e),
    }
}

/// Adds a professional to `access`'s region (version 1 of the entry); a known RPPS number is a
/// conflict on `rpps`, an entry of another region `Invalid("region")`.
pub async fn create(
    tx: &mut Tx,
    access: &RegionAccess,
    p: &NewProfessional,
    actor: &str,
) -> Result<i64> {
    check_region(tx, access, p).await?;
    let at = now();
    let data = p.snapshot_json();
    // An async block keeps each `?` inside, so that every database error goes through
    // `conflict_on` below.
    let id = on_tx!(tx, c => async {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO professionals (region_code, last_name, first_name, profession, rpps, email, phone,
                public_name, public_email, public_phone, network_roles, confirmed_at, created_at, updated_at, territory_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11, $11, $11, $13) RETURNING id")
            .bind(p.region.as_str()).bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
            .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
            .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
            .bind(p.public_name).bind(p.public_email).bind(p.public_phone).bind(at)
            .bind(NetworkRole::join(&p.network_roles)).bind(p.territory_id)
            .fetch_one(&mut *c).await?;
        link_establishments!(c, id, p);
        sqlx::query("INSERT INTO professional_versions (professional_id, version, data, actor, summary, changed_at)
                     VALUES ($1, 1, $2, $3, $4, $5)")
            .bind(id).bind(&data).bind(actor).bind(rules::CREATED).bind(at).execute(&mut *c).await?;
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(establishments_or_conflict)?;
    Ok(id)
}

/// Replaces the fields of entry `id` of `access`'s region and keeps the new version with what
/// changed. The entry keeps its region. Returns the version's summary.
pub async fn update(
    tx: &mut Tx,
    access: &RegionAccess,
    id: i64,
    p: &NewProfessional,
    actor: &str,
    note: Option<&str>,
) -> Result<String> {
    let found: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM professionals WHERE id = $1 AND region_code = $2")
        .bind(id).bind(access.as_str()).fetch_optional(c).await)?;
    if found.is_none() {
        return Err(StoreError::NotFound);
    }
    let last: Option<VersionRow> = on_tx!(tx, c => sqlx::query_as::<_, VersionRow>(
        "SELECT version, actor, summary, changed_at, data FROM professional_versions WHERE professional_id = $1
         ORDER BY version DESC LIMIT 1")
        .bind(id).fetch_optional(c).await)?;
    check_region(tx, access, p).await?;
    let previous = last.as_ref().and_then(|v| Snapshot::parse(&v.data));
    let next = last.as_ref().map_or(1, |v| v.version + 1);
    let snapshot = p.snapshot();
    let summary = rules::summary(note, previous.as_ref(), &snapshot);
    let data = p.snapshot_json();
    let at = now();
    on_tx!(tx, c => async {
        sqlx::query("UPDATE professionals SET last_name = $1, first_name = $2, profession = $3, rpps = $4, email = $5,
                phone = $6, public_name = $7, public_email = $8, public_phone = $9, updated_at = $10, network_roles = $12,
                territory_id = $13 WHERE id = $11")
            .bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
            .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
            .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
            .bind(p.public_name).bind(p.public_email).bind(p.public_phone).bind(at).bind(id)
            .bind(NetworkRole::join(&p.network_roles)).bind(p.territory_id)
            .execute(&mut *c).await?;
        link_establishments!(c, id, p);
        sqlx::query("INSERT INTO professional_versions (professional_id, version, data, actor, summary, changed_at)
                     VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(next).bind(&data).bind(actor).bind(&summary).bind(at).execute(&mut *c).await?;
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(establishments_or_conflict)?;
    Ok(summary)
}

/// An entry's versions, newest first (`NotFound` outside the scope).
pub async fn history(db: &Db, scope: &Scope, id: i64) -> Result<Vec<Version>> {
    get(db, scope, id).await?;
    let rows = on_db!(db, p => sqlx::query_as::<_, VersionRow>(
        "SELECT version, actor, summary, changed_at, data FROM professional_versions WHERE professional_id = $1 ORDER BY version DESC")
        .bind(id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Version::from).collect())
}

/// Records that entry `id` of `access`'s region was checked with the professional at `at`;
/// returns its region.
pub async fn confirm(
    tx: &mut Tx,
    access: &RegionAccess,
    id: i64,
    at: OffsetDateTime,
) -> Result<String> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE professionals SET confirmed_at = $1 WHERE id = $2 AND region_code = $3")
        .bind(at).bind(id).bind(access.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(access.as_str().to_owned())
}

/// The scope's professionals, by name.
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &DirectoryQuery,
    page: PageRequest,
) -> Result<Page<Professional>> {
    let mut f = Filter::default();
    f.scope(scope, "p.region_code");
    if let Some(q) = optional(&query.q) {
        let like = crate::contains_pattern(q);
        f.push(
            "(LOWER(p.last_name) LIKE ? OR LOWER(p.first_name) LIKE ? OR LOWER(p.email) LIKE ? OR p.rpps LIKE ?)",
            [Arg::Text(like.clone()), Arg::Text(like.clone()), Arg::Text(like.clone()), Arg::Text(like)],
        );
    }
    if let Some(p) = optional(&query.profession) {
        f.push("p.profession = ?", [Arg::Text(p.to_lowercase())]);
    }
    if let Some(r) = optional(&query.role) {
        f.push(
            "(',' || p.network_roles || ',') LIKE ?",
            [Arg::Text(format!(
                "%,{},%",
                r.to_lowercase().replace('%', "")
            ))],
        );
    }
    if query.stale == Some(true) {
        f.push(
            "(p.confirmed_at IS NULL OR p.confirmed_at < ?)",
            [Arg::Time(now() - CONFIRM_EVERY)],
        );
    }
    let rows: Page<Row> = crate::fetch_page(
        db,
        &format!("{COLUMNS}, '' AS establishments FROM professionals p"),
        "SELECT COUNT(*) FROM professionals p",
        &f,
        "p.last_name, p.first_name, p.id",
        page,
    )
    .await?;
    let mut page = Page {
        items: rows.items.into_iter().map(Professional::from).collect(),
        total: rows.total,
        page: rows.page,
        per_page: rows.per_page,
    };
    fill_establishments(db, &mut page.items).await?;
    Ok(page)
}

/// Every professional of the scope, by name (for exports).
pub async fn all(db: &Db, scope: &Scope) -> Result<Vec<Professional>> {
    let mut f = Filter::default();
    f.scope(scope, "p.region_code");
    every(db, &f).await
}

/// Every professional of `access`'s region, by name.
pub async fn in_region(db: &Db, access: &RegionAccess) -> Result<Vec<Professional>> {
    let mut f = Filter::default();
    f.push("p.region_code = ?", [Arg::Text(access.as_str().to_owned())]);
    every(db, &f).await
}

async fn every(db: &Db, f: &Filter) -> Result<Vec<Professional>> {
    let sql = format!(
        "{COLUMNS}, '' AS establishments FROM professionals p{} ORDER BY p.last_name, p.first_name, p.id",
        f.sql()
    );
    let rows = on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    let mut all: Vec<Professional> = rows.into_iter().map(Professional::from).collect();
    fill_establishments(db, &mut all).await?;
    Ok(all)
}

/// One professional of the scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Professional> {
    let mut f = Filter::default();
    f.push("p.id = ?", [Arg::Int(id)])
        .scope(scope, "p.region_code");
    let sql = format!("{COLUMNS}{WITH_ESTABLISHMENTS}{}", f.sql());
    on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .map(Professional::from)
        .ok_or(StoreError::NotFound)
}

/// The establishments where professional `id` works, by name (the caller has read the entry).
pub async fn workplaces(db: &Db, id: i64) -> Result<Vec<Workplace>> {
    let rows: Vec<(i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT e.id, e.finess, e.name FROM professional_establishments pe
         JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id = $1 ORDER BY e.name")
        .bind(id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, finess, name)| Workplace { id, finess, name })
        .collect())
}

/// The EMA teams professional `id` belongs to: id and name.
pub async fn teams_of(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT t.id, t.name FROM ema_members m JOIN ema_teams t ON t.id = m.team_id
         WHERE m.professional_id = $1 ORDER BY t.name")
        .bind(id).fetch_all(p).await)?)
}

pub mod confirmation;
pub mod import;

/// The profession of the directory entry carrying `email`, if there is one (the most recently
/// confirmed when several do).
pub async fn profession_of_email(db: &Db, email: &str) -> Result<Option<cratb_domain::Profession>> {
    let p: Option<String> = on_db!(db, c => sqlx::query_scalar(
        "SELECT profession FROM professionals WHERE LOWER(email) = LOWER($1)
         ORDER BY confirmed_at DESC, id LIMIT 1")
        .bind(email).fetch_optional(c).await)?;
    Ok(p.as_deref().and_then(cratb_domain::Profession::parse))
}

/// The name of entry `id` of the scope (`Dr`-less: first name, last name).
pub async fn name_of(db: &Db, scope: &Scope, id: i64) -> Result<Option<String>> {
    let row: Option<(String, String, String)> = on_db!(db, c => sqlx::query_as(
        "SELECT first_name, last_name, region_code FROM professionals WHERE id = $1")
        .bind(id).fetch_optional(c).await)?;
    Ok(row
        .filter(|(_, _, r)| scope.allows(r))
        .map(|(f, l, _)| format!("{f} {l}")))
}
