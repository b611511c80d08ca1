//! Establishments of the network (hospitals, nursing homes, primary-care structures): read
//! within a region [`Scope`], written within a region's [`RegionAccess`].

use crate::{
    Arg, Db, Filter, Page, PageRequest, Result, StoreError, Tx, bind_args, conflict_on, now, on_db,
    on_tx,
};
use cratb_domain::{Establishment, NewEstablishment, RegionAccess, Scope};
use serde::Deserialize;

/// An establishment as stored (see [`Establishment`]).
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    finess: String,
    name: String,
    sector: String,
    category: String,
    department_code: String,
    region_code: String,
    ght_id: Option<i64>,
    ght_name: Option<String>,
    beds: Option<i64>,
    commune: Option<String>,
}

impl From<Row> for Establishment {
    fn from(r: Row) -> Establishment {
        Establishment {
            id: r.id,
            finess: r.finess,
            name: r.name,
            sector: r.sector,
            category: r.category,
            department_code: r.department_code,
            region_code: r.region_code,
            ght_id: r.ght_id,
            ght_name: r.ght_name,
            beds: r.beds,
            commune: r.commune,
        }
    }
}

const SELECT: &str =
    "SELECT e.id, e.finess, e.name, e.sector, e.category, e.department_code, e.region_code,
        e.ght_id, t.name AS ght_name, e.beds, e.commune
    FROM establishments e LEFT JOIN territories t ON t.id = e.ght_id";

/// Filters of the establishment list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EstablishmentQuery {
    /// Text searched in the name and FINESS number.
    pub q: Option<String>,
    pub sector: Option<String>,
    pub department: Option<String>,
}

/// Establishments visible in `scope`, filtered and paginated, by name.
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &EstablishmentQuery,
    page: PageRequest,
) -> Result<Page<Establishment>> {
    let mut f = Filter::default();
    f.scope(scope, "e.region_code");
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = crate::contains_pattern(q);
        f.push(
            "(LOWER(e.name) LIKE ? OR e.finess LIKE ? OR LOWER(e.commune) LIKE ?)",
            [
                Arg::Text(like.clone()),
                Arg::Text(like.clone()),
                Arg::Text(like),
            ],
        );
    }
    if let Some(s) = query.sector.as_deref().filter(|s| !s.is_empty()) {
        f.push("e.sector = ?", [Arg::Text(s.to_uppercase())]);
    }
    if let Some(d) = query.department.as_deref().filter(|s| !s.is_empty()) {
        f.push("e.department_code = ?", [Arg::Text(d.to_uppercase())]);
    }
    let page = crate::fetch_page::<Row>(
        db,
        SELECT,
        "SELECT COUNT(*) FROM establishments e",
        &f,
        "e.name, e.id",
        page,
    )
    .await?;
    Ok(page.map(Establishment::from))
}

/// Every establishment visible in `scope`, by name (for exports).
pub async fn all(db: &Db, scope: &Scope) -> Result<Vec<Establishment>> {
    let mut f = Filter::default();
    f.scope(scope, "e.region_code");
    let sql = format!("{SELECT}{} ORDER BY e.name, e.id", f.sql());
    let rows = on_db!(db, p => bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Establishment::from).collect())
}

/// One establishment, if it exists and is visible in `scope` (otherwise [`StoreError::NotFound`]).
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Establishment> {
    let mut f = Filter::default();
    f.push("e.id = ?", [Arg::Int(id)])
        .scope(scope, "e.region_code");
    let sql = format!("{SELECT}{}", f.sql());
    on_db!(db, p => bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .map(Establishment::from)
        .ok_or(StoreError::NotFound)
}

/// Checks that the GHT exists, is a GHT, and lies in the establishment's region.
async fn check_ght(tx: &mut Tx, ght: Option<i64>, region: &str) -> Result<()> {
    let Some(id) = ght else { return Ok(()) };
    let found: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT region_code FROM territories WHERE id = $1 AND kind = 'GHT'")
        .bind(id).fetch_optional(c).await)?;
    match found {
        Some(r) if r == region => Ok(()),
        _ => Err(StoreError::Invalid("ght_id")),
    }
}

/// Creates an establishment in the region of `access`, which must be its department's
/// (otherwise [`StoreError::Invalid`] on `department`).
pub async fn create(tx: &mut Tx, access: &RegionAccess, e: &NewEstablishment) -> Result<i64> {
    let region = e.region();
    if access.as_str() != region {
        return Err(StoreError::Invalid("department"));
    }
    check_ght(tx, e.ght_id, region).await?;
    let at = now();
    let id = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, ght_id, beds, created_at, updated_at, commune)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id")
        .bind(e.finess.as_str()).bind(&e.name).bind(e.category.sector().code()).bind(e.category.code())
        .bind(&e.department).bind(region).bind(e.ght_id).bind(e.beds).bind(at).bind(&e.commune)
        .fetch_one(c).await.map_err(conflict_on("finess"))?);
    Ok(id)
}

/// Replaces the fields of establishment `id` of the region of `access` (another region's is
/// [`StoreError::NotFound`]); `to` is the region it then belongs to, its new department's.
pub async fn update(
    tx: &mut Tx,
    access: &RegionAccess,
    id: i64,
    e: &NewEstablishment,
    to: &RegionAccess,
) -> Result<()> {
    let region = e.region();
    if to.as_str() != region {
        return Err(StoreError::Invalid("department"));
    }
    check_ght(tx, e.ght_id, region).await?;
    let at = now();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE establishments SET finess = $1, name = $2, sector = $3, category = $4, department_code = $5,
            region_code = $6, ght_id = $7, beds = $8, updated_at = $9, commune = $11
         WHERE id = $10 AND region_code = $12")
        .bind(e.finess.as_str()).bind(&e.name).bind(e.category.sector().code()).bind(e.category.code())
        .bind(&e.department).bind(region).bind(e.ght_id).bind(e.beds).bind(at).bind(id).bind(&e.commune)
        .bind(access.as_str())
        .execute(c).await.map(|r| r.rows_affected()).map_err(conflict_on("finess"))?);
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Establishments of one sector in a scope, and how many have data to complete.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SectorSummary {
    pub sector: String,
    pub total: i64,
    /// Hospitals (ES) without a GHT.
    pub without_ght: i64,
    /// ES and EMS without beds or places.
    pub without_beds: i64,
}

/// Per sector of `scope`: the number of establishments and of records to complete, in one scan.
pub async fn sector_summary(db: &Db, scope: &Scope) -> Result<Vec<SectorSummary>> {
    let mut f = Filter::default();
    f.scope(scope, "region_code");
    let sql = format!(
        "SELECT sector, COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN sector = 'ES' AND ght_id IS NULL THEN 1 ELSE 0 END), 0) AS without_ght,
                COALESCE(SUM(CASE WHEN sector IN ('ES', 'EMS') AND beds IS NULL THEN 1 ELSE 0 END), 0) AS without_beds
         FROM establishments{} GROUP BY sector ORDER BY sector",
        f.sql()
    );
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_as::<_, SectorSummary>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// The department of establishment `id`, if there is one.
pub async fn department_of(db: &Db, id: i64) -> Result<Option<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT department_code FROM establishments WHERE id = $1")
        .bind(id).fetch_optional(p).await)?)
}
