//! Appropriateness audits' rows (not to be confused with `audit`, the audit log): the national
//! library of grids, every version kept; a region's campaigns and their participating
//! establishments; the cases entered, pseudonymised, draft or validated. Reads take a
//! [`Scope`], writes the [`RegionAccess`] of the campaign's region.

use crate::{Db, Result, StoreError, Tx, id_list, on_db, on_tx, utc};
use cratb_audit::Grid;
use cratb_audit::campaign::NewCampaign;
use cratb_audit::entry::CheckedCase;
use cratb_domain::{Finess, RegionAccess, Scope, Sex, WardType};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// A grid of the library, as listed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GridRow {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub title_fr: String,
    pub shipped: bool,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    /// The campaigns that audit this version.
    pub campaigns: i64,
}

const GRID_SELECT: &str = "SELECT g.id, g.code, g.version, g.title_fr, g.shipped, g.created_by, g.created_at,
    (SELECT COUNT(*) FROM audit_campaigns c WHERE c.grid_id = g.id) AS campaigns FROM audit_grids g";

/// Every grid version of the library, by code then version (newest first).
pub async fn grids(db: &Db) -> Result<Vec<GridRow>> {
    let sql = format!("{GRID_SELECT} ORDER BY g.code, g.version DESC");
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// Grid version `id` and its definition.
pub async fn grid(db: &Db, id: i64) -> Result<(GridRow, Grid)> {
    let sql = format!("{GRID_SELECT} WHERE g.id = $1");
    let row: GridRow =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?
            .ok_or(StoreError::NotFound)?;
    let text: String = on_db!(db, p => sqlx::query_scalar("SELECT definition FROM audit_grids WHERE id = $1")
        .bind(id).fetch_one(p).await)?;
    let grid = Grid::from_json(&text).map_err(|_| StoreError::Invalid("definition"))?;
    Ok((row, grid))
}

/// The newest version of grid `code`, if any.
pub async fn latest_version(tx: &mut Tx, code: &str) -> Result<Option<i32>> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("SELECT MAX(version) FROM audit_grids WHERE code = $1")
        .bind(code).fetch_one(&mut *c).await)?,
    )
}

/// Adds a grid version; a version already in the library is a conflict on `version`.
pub async fn insert_grid(
    tx: &mut Tx,
    grid: &Grid,
    shipped: bool,
    by: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO audit_grids (code, version, title_fr, definition, shipped, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(&grid.code).bind(grid.version as i32).bind(&grid.title_fr).bind(grid.to_json())
        .bind(shipped).bind(by).bind(utc(at)).fetch_one(&mut *c).await)
    .map_err(crate::conflict_on("version"))
}

/// Whether the library holds grid `code` version `version`.
pub async fn has_grid(tx: &mut Tx, code: &str, version: u32) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_grids WHERE code = $1 AND version = $2")
        .bind(code).bind(version as i32).fetch_one(&mut *c).await)?;
    Ok(n > 0)
}

/// A campaign as listed and shown.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub region_code: String,
    pub grid_id: i64,
    pub grid_code: String,
    pub grid_version: i32,
    pub grid_title: String,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub territory_id: Option<i64>,
    pub territory_name: Option<String>,
    pub target: i32,
    pub closed: bool,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub participants: i64,
    /// Validated cases.
    pub cases: i64,
    pub drafts: i64,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.region_code, c.grid_id, g.code AS grid_code,
    g.version AS grid_version, g.title_fr AS grid_title, c.title, c.starts_on, c.ends_on,
    c.territory_id, t.name AS territory_name, c.target, c.closed, c.created_by, c.created_at,
    (SELECT COUNT(*) FROM audit_participants p WHERE p.campaign_id = c.id) AS participants,
    (SELECT COUNT(*) FROM audit_cases k WHERE k.campaign_id = c.id AND k.validated) AS cases,
    (SELECT COUNT(*) FROM audit_cases k WHERE k.campaign_id = c.id AND NOT k.validated) AS drafts
    FROM audit_campaigns c JOIN audit_grids g ON g.id = c.grid_id
    LEFT JOIN territories t ON t.id = c.territory_id";

/// The campaigns of the scope (newest first); only those of `establishments` when given (the
/// campaigns they take part in).
pub async fn campaigns(
    db: &Db,
    scope: &Scope,
    establishments: Option<&[i64]>,
) -> Result<Vec<CampaignRow>> {
    let mut f = crate::Filter::default();
    f.scope(scope, "c.region_code");
    if let Some(ids) = establishments {
        f.push(
            &format!(
                "EXISTS (SELECT 1 FROM audit_participants p WHERE p.campaign_id = c.id AND p.establishment_id IN ({}))",
                id_list(ids)
            ),
            Vec::new(),
        );
    }
    let sql = format!(
        "{CAMPAIGN_SELECT}{} ORDER BY c.starts_on DESC, c.id DESC",
        f.sql()
    );
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// Campaign `id`, if the scope reaches it.
pub async fn campaign(db: &Db, scope: &Scope, id: i64) -> Result<CampaignRow> {
    let mut f = crate::Filter::default();
    f.push("c.id = ?", [crate::Arg::Int(id)])
        .scope(scope, "c.region_code");
    let sql = format!("{CAMPAIGN_SELECT}{}", f.sql());
    on_db!(db, p => crate::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// The earlier campaigns of the same grid code in the region than campaign `id` (newest first).
pub async fn earlier(db: &Db, c: &CampaignRow) -> Result<Vec<CampaignRow>> {
    let sql = format!(
        "{CAMPAIGN_SELECT} WHERE c.region_code = $1 AND g.code = $2 AND c.id <> $3
           AND (c.starts_on < $4 OR (c.starts_on = $4 AND c.id < $3))
         ORDER BY c.starts_on DESC, c.id DESC"
    );
    Ok(
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&c.region_code).bind(&c.grid_code)
        .bind(c.id).bind(c.starts_on).fetch_all(p).await)?,
    )
}

/// Starts a campaign with its participants (ids of establishments of its region).
pub async fn insert_campaign(
    tx: &mut Tx,
    access: &RegionAccess,
    c: &NewCampaign,
    participants: &[i64],
    by: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    let id: i64 = on_tx!(tx, k => sqlx::query_scalar(
        "INSERT INTO audit_campaigns (region_code, grid_id, title, starts_on, ends_on, territory_id, target,
            closed, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9) RETURNING id")
        .bind(access.as_str()).bind(c.grid_id).bind(&c.title).bind(c.starts_on).bind(c.ends_on)
        .bind(c.territory_id).bind(c.target as i32).bind(by).bind(utc(at)).fetch_one(&mut *k).await)
    .map_err(crate::conflict_on("grid_id"))?;
    for e in participants {
        on_tx!(tx, k => sqlx::query(
            "INSERT INTO audit_participants (campaign_id, establishment_id) VALUES ($1, $2)")
            .bind(id).bind(e).execute(&mut *k).await.map(|_| ()))?;
    }
    Ok(id)
}

/// Closes or reopens campaign `id`.
pub async fn set_closed(tx: &mut Tx, id: i64, closed: bool) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE audit_campaigns SET closed = $1 WHERE id = $2")
        .bind(closed).bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// An establishment of the region by FINESS, with its sector: `(id, sector)`.
pub async fn establishment_by_finess(
    tx: &mut Tx,
    access: &RegionAccess,
    finess: &Finess,
) -> Result<Option<(i64, String)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT id, sector FROM establishments WHERE region_code = $1 AND finess = $2")
        .bind(access.as_str()).bind(finess.as_str()).fetch_optional(&mut *c).await)?)
}

/// The primary-care practices (sector `VILLE`) of the departments of CPTS `territory_id` of the
/// region; `None` when the region has no such CPTS.
pub async fn cpts_practices(
    tx: &mut Tx,
    access: &RegionAccess,
    territory_id: i64,
) -> Result<Option<Vec<i64>>> {
    let found: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM territories WHERE id = $1 AND region_code = $2 AND kind = 'CPTS'")
        .bind(territory_id).bind(access.as_str()).fetch_optional(&mut *c).await)?;
    if found.is_none() {
        return Ok(None);
    }
    Ok(Some(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT e.id FROM establishments e JOIN territory_departments d ON d.department_code = e.department_code
         WHERE d.territory_id = $1 AND e.region_code = $2 AND e.sector = 'VILLE' ORDER BY e.id")
        .bind(territory_id).bind(access.as_str()).fetch_all(&mut *c).await)?))
}

/// A participating establishment and its progress.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Participant {
    pub establishment_id: i64,
    pub finess: String,
    pub name: String,
    pub sector: String,
    pub category: String,
    pub department_code: String,
    pub validated: i64,
    pub drafts: i64,
}

/// The participants of campaign `id`, by name.
pub async fn participants(db: &Db, id: i64) -> Result<Vec<Participant>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT e.id AS establishment_id, e.finess, e.name, e.sector, e.category, e.department_code,
            (SELECT COUNT(*) FROM audit_cases k WHERE k.campaign_id = p.campaign_id
                AND k.establishment_id = e.id AND k.validated) AS validated,
            (SELECT COUNT(*) FROM audit_cases k WHERE k.campaign_id = p.campaign_id
                AND k.establishment_id = e.id AND NOT k.validated) AS drafts
         FROM audit_participants p JOIN establishments e ON e.id = p.establishment_id
         WHERE p.campaign_id = $1 ORDER BY e.name, e.id")
        .bind(id).fetch_all(p).await)?)
}

/// A stored case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub campaign_id: i64,
    pub establishment_id: i64,
    pub finess: String,
    pub establishment_name: String,
    pub case_number: String,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub ward_type: Option<WardType>,
    pub answers: BTreeMap<String, String>,
    pub validated: bool,
    pub source: String,
    pub entered_by: String,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct CaseSql {
    id: i64,
    campaign_id: i64,
    establishment_id: i64,
    finess: String,
    establishment_name: String,
    case_number: String,
    age: Option<i32>,
    sex: Option<String>,
    ward_type: Option<String>,
    answers: String,
    validated: bool,
    source: String,
    entered_by: String,
    updated_at: OffsetDateTime,
}

impl From<CaseSql> for CaseRow {
    fn from(r: CaseSql) -> CaseRow {
        CaseRow {
            id: r.id,
            campaign_id: r.campaign_id,
            establishment_id: r.establishment_id,
            finess: r.finess,
            establishment_name: r.establishment_name,
            case_number: r.case_number,
            age: r.age.and_then(|a| u8::try_from(a).ok()),
            sex: r.sex.as_deref().and_then(Sex::parse),
            ward_type: r.ward_type.as_deref().and_then(WardType::parse),
            answers: serde_json::from_str(&r.answers).unwrap_or_default(),
            validated: r.validated,
            source: r.source,
            entered_by: r.entered_by,
            updated_at: r.updated_at,
        }
    }
}

const CASE_SELECT: &str = "SELECT k.id, k.campaign_id, k.establishment_id, e.finess, e.name AS establishment_name,
    k.case_number, k.age, k.sex, k.ward_type, k.answers, k.validated, k.source, k.entered_by, k.updated_at
    FROM audit_cases k JOIN establishments e ON e.id = k.establishment_id";

/// Which cases of a campaign.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// Only those of these establishments.
    pub establishments: Option<Vec<i64>>,
    /// Only the validated ones.
    pub validated_only: bool,
}

/// The cases of campaign `id`, by establishment then case number.
pub async fn cases(db: &Db, id: i64, q: &CaseQuery) -> Result<Vec<CaseRow>> {
    let mut sql = format!("{CASE_SELECT} WHERE k.campaign_id = $1");
    if let Some(ids) = &q.establishments {
        sql.push_str(&format!(" AND k.establishment_id IN ({})", id_list(ids)));
    }
    if q.validated_only {
        sql.push_str(" AND k.validated");
    }
    sql.push_str(" ORDER BY e.name, k.establishment_id, k.case_number");
    let rows: Vec<CaseSql> =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(CaseRow::from).collect())
}

/// Case `case_id` of campaign `id`.
pub async fn case(db: &Db, id: i64, case_id: i64) -> Result<CaseRow> {
    let sql = format!("{CASE_SELECT} WHERE k.campaign_id = $1 AND k.id = $2");
    let row: Option<CaseSql> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(case_id).fetch_optional(p).await)?;
    row.map(CaseRow::from).ok_or(StoreError::NotFound)
}

/// Where a case comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Form,
    Api,
    Sheet,
    Demo,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Api => "api",
            Source::Sheet => "sheet",
            Source::Demo => "demo",
        }
    }
}

/// Who wrote a case, and when.
#[derive(Debug, Clone)]
pub struct Entered<'a> {
    pub by_id: Option<i64>,
    pub by: &'a str,
    pub source: Source,
    pub at: OffsetDateTime,
}

/// Adds a case; a case number already used by the establishment in the campaign is a conflict
/// on `case_number`.
pub async fn insert_case(
    tx: &mut Tx,
    campaign_id: i64,
    establishment_id: i64,
    case: &CheckedCase,
    validated: bool,
    who: &Entered<'_>,
) -> Result<i64> {
    let answers = serde_json::to_string(&case.answers).unwrap_or_else(|_| "{}".into());
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO audit_cases (campaign_id, establishment_id, case_number, age, sex, ward_type, answers,
            validated, source, entered_by_id, entered_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id")
        .bind(campaign_id).bind(establishment_id).bind(&case.case_number).bind(case.age.map(i32::from))
        .bind(case.sex.map(Sex::code)).bind(case.ward_type.map(WardType::code)).bind(answers)
        .bind(validated).bind(who.source.code()).bind(who.by_id).bind(who.by).bind(utc(who.at))
        .fetch_one(&mut *c).await)
    .map_err(crate::conflict_on("case_number"))
}

/// Rewrites case `case_id` of campaign `id`.
pub async fn update_case(
    tx: &mut Tx,
    id: i64,
    case_id: i64,
    establishment_id: i64,
    case: &CheckedCase,
    validated: bool,
    who: &Entered<'_>,
) -> Result<()> {
    let answers = serde_json::to_string(&case.answers).unwrap_or_else(|_| "{}".into());
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE audit_cases SET establishment_id = $1, case_number = $2, age = $3, sex = $4, ward_type = $5,
            answers = $6, validated = $7, entered_by_id = $8, entered_by = $9, updated_at = $10
         WHERE campaign_id = $11 AND id = $12")
        .bind(establishment_id).bind(&case.case_number).bind(case.age.map(i32::from))
        .bind(case.sex.map(Sex::code)).bind(case.ward_type.map(WardType::code)).bind(answers)
        .bind(validated).bind(who.by_id).bind(who.by).bind(utc(who.at)).bind(id).bind(case_id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(crate::conflict_on("case_number"))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes case `case_id` of campaign `id`.
pub async fn delete_case(tx: &mut Tx, id: i64, case_id: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM audit_cases WHERE campaign_id = $1 AND id = $2")
        .bind(id).bind(case_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The case numbers already used in campaign `id`, as `(establishment id, case number)`.
pub async fn case_numbers(tx: &mut Tx, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT establishment_id, case_number FROM audit_cases WHERE campaign_id = $1")
        .bind(id).fetch_all(&mut *c).await)?)
}

/// The establishments EMA teams `teams` work for: their host establishments, and those bound
/// to them by a signed convention in force on `today` that includes audits.
pub async fn team_places(db: &Db, teams: &[i64], today: Date) -> Result<Vec<i64>> {
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(teams);
    let sql = format!(
        "SELECT host_establishment_id FROM ema_teams WHERE id IN ({list})
         UNION SELECT establishment_id FROM conventions WHERE team_id IN ({list})
           AND establishment_id IS NOT NULL AND status = 'signed'
           AND (expires_on IS NULL OR expires_on >= $1) AND scope LIKE '%audits%'"
    );
    let mut ids: Vec<i64> = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(today).fetch_all(p).await)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
