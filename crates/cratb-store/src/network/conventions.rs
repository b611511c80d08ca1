//! Conventions between a team and an establishment or a CPTS, with the signed PDF.

use crate::{Arg, Db, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx};
use cratb_directory::network::{Convention, Document, NewConvention, Partner};
use cratb_domain::field::optional;
use cratb_domain::{ConventionService, ConventionStatus, RegionAccess, Scope};
use time::Date;

/// A convention as read.
#[derive(sqlx::FromRow)]
struct ConventionRow {
    id: i64,
    region_code: String,
    team_id: i64,
    team_name: String,
    establishment_id: Option<i64>,
    cpts_id: Option<i64>,
    partner_name: String,
    partner_finess: Option<String>,
    partner_sector: String,
    scope: String,
    status: String,
    signed_on: Option<Date>,
    expires_on: Option<Date>,
    notes: String,
    document_name: Option<String>,
    document_size: Option<i64>,
}

impl From<ConventionRow> for Convention {
    fn from(r: ConventionRow) -> Convention {
        Convention {
            id: r.id,
            region_code: r.region_code,
            team_id: r.team_id,
            team_name: r.team_name,
            establishment_id: r.establishment_id,
            cpts_id: r.cpts_id,
            partner_name: r.partner_name,
            partner_finess: r.partner_finess,
            partner_sector: r.partner_sector,
            scope: r.scope,
            status: r.status,
            signed_on: r.signed_on,
            expires_on: r.expires_on,
            notes: r.notes,
            document_name: r.document_name,
            document_size: r.document_size,
        }
    }
}

const CONVENTION_SELECT: &str = "SELECT c.id, c.region_code, c.team_id, t.name AS team_name,
        c.establishment_id, c.cpts_id, COALESCE(e.name, k.name) AS partner_name, e.finess AS partner_finess,
        COALESCE(e.sector, 'VILLE') AS partner_sector, c.scope, c.status, c.signed_on, c.expires_on, c.notes,
        d.filename AS document_name, d.size AS document_size
    FROM conventions c JOIN ema_teams t ON t.id = c.team_id
    LEFT JOIN establishments e ON e.id = c.establishment_id
    LEFT JOIN territories k ON k.id = c.cpts_id
    LEFT JOIN convention_documents d ON d.convention_id = c.id";

/// Checks that the team is one of the region's (else `Invalid("team_id")`) and the partner of
/// the region too (an establishment of sector ES or EMS, or a CPTS).
async fn check_convention_links(
    tx: &mut Tx,
    access: &RegionAccess,
    c: &NewConvention,
) -> Result<()> {
    super::teams::team_in(tx, access, c.team_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::Invalid("team_id"),
            e => e,
        })?;
    let region = access.as_str();
    let ok = match c.partner {
        Partner::Establishment(id) => {
            let found: Option<(String, String)> = on_tx!(tx, c => sqlx::query_as(
                "SELECT region_code, sector FROM establishments WHERE id = $1")
                .bind(id).fetch_optional(c).await)?;
            found.is_some_and(|(r, s)| r == region && s != "VILLE")
        }
        Partner::Cpts(id) => {
            let found: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
                "SELECT region_code FROM territories WHERE id = $1 AND kind = 'CPTS'")
                .bind(id).fetch_optional(c).await)?;
            found.as_deref() == Some(region)
        }
    };
    if !ok {
        return Err(StoreError::Invalid(match c.partner {
            Partner::Establishment(_) => "establishment_id",
            Partner::Cpts(_) => "cpts_id",
        }));
    }
    Ok(())
}

/// The access to the region of convention `id`, if `scope` reaches it (else `NotFound`).
pub async fn convention_access(tx: &mut Tx, scope: &Scope, id: i64) -> Result<RegionAccess> {
    let region: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT region_code FROM conventions WHERE id = $1").bind(id).fetch_optional(conn).await)?;
    region
        .and_then(|r| scope.access(&r))
        .ok_or(StoreError::NotFound)
}

/// Creates a convention of a team of the region, with its PDF if given.
pub async fn create_convention(
    tx: &mut Tx,
    access: &RegionAccess,
    c: &NewConvention,
    doc: Option<&Document>,
    actor: &str,
) -> Result<i64> {
    check_convention_links(tx, access, c).await?;
    let region = access.as_str();
    let (establishment, cpts) = c.partner_ids();
    let at = now();
    on_tx!(tx, conn => async {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conventions (region_code, team_id, establishment_id, cpts_id, scope, status, signed_on,
                expires_on, notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
            .bind(region).bind(c.team_id).bind(establishment).bind(cpts)
            .bind(ConventionService::join(&c.services)).bind(c.status.code())
            .bind(c.signed_on).bind(c.expires_on).bind(&c.notes).bind(at)
            .fetch_one(&mut *conn).await?;
        if let Some(d) = doc {
            sqlx::query("INSERT INTO convention_documents (convention_id, filename, size, content, uploaded_by, uploaded_at)
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(&d.filename).bind(d.bytes.len() as i64).bind(&d.bytes).bind(actor).bind(at)
                .execute(&mut *conn).await?;
        }
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(conflict_on("expires_on"))
}

/// Replaces the fields of a convention of the region (else `NotFound`); its team stays one of
/// the region's. A new PDF, if given, replaces the old one. Returns the convention's region.
pub async fn update_convention(
    tx: &mut Tx,
    access: &RegionAccess,
    id: i64,
    c: &NewConvention,
    doc: Option<&Document>,
    actor: &str,
) -> Result<String> {
    let current: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT region_code FROM conventions WHERE id = $1").bind(id).fetch_optional(conn).await)?;
    if current.as_deref() != Some(access.as_str()) {
        return Err(StoreError::NotFound);
    }
    check_convention_links(tx, access, c).await?;
    let (establishment, cpts) = c.partner_ids();
    let at = now();
    on_tx!(tx, conn => async {
        sqlx::query(
            "UPDATE conventions SET team_id = $1, establishment_id = $2, cpts_id = $3, scope = $4, status = $5,
                signed_on = $6, expires_on = $7, notes = $8, updated_at = $9 WHERE id = $10")
            .bind(c.team_id).bind(establishment).bind(cpts).bind(ConventionService::join(&c.services))
            .bind(c.status.code()).bind(c.signed_on).bind(c.expires_on).bind(&c.notes).bind(at).bind(id)
            .execute(&mut *conn).await?;
        if let Some(d) = doc {
            sqlx::query("DELETE FROM convention_documents WHERE convention_id = $1").bind(id).execute(&mut *conn).await?;
            sqlx::query("INSERT INTO convention_documents (convention_id, filename, size, content, uploaded_by, uploaded_at)
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(&d.filename).bind(d.bytes.len() as i64).bind(&d.bytes).bind(actor).bind(at)
                .execute(&mut *conn).await?;
        }
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(conflict_on("expires_on"))?;
    Ok(access.as_str().to_owned())
}

/// A convention's region, team and partner, as its audit entry names them.
pub async fn convention_names(tx: &mut Tx, id: i64) -> Result<(String, String, String)> {
    let row: Option<(String, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT c.region_code, t.name, COALESCE(e.name, k.name, '') FROM conventions c
         JOIN ema_teams t ON t.id = c.team_id
         LEFT JOIN establishments e ON e.id = c.establishment_id
         LEFT JOIN territories k ON k.id = c.cpts_id WHERE c.id = $1")
        .bind(id).fetch_optional(c).await)?;
    row.ok_or(StoreError::NotFound)
}

/// Filters of the convention list.
#[derive(Debug, Clone, Default)]
pub struct ConventionQuery {
    /// Effective status: `draft`, `signed` (in force), `expired`, `terminated`.
    pub status: Option<String>,
    pub team_id: Option<i64>,
    /// Only conventions in force that expire within this many days.
    pub expiring_within: Option<i64>,
}

/// The scope's conventions, soonest expiry first.
pub async fn list_conventions(
    db: &Db,
    scope: &Scope,
    q: &ConventionQuery,
    today: Date,
) -> Result<Vec<Convention>> {
    let mut f = Filter::default();
    f.scope(scope, "c.region_code");
    match optional(&q.status).and_then(ConventionStatus::parse) {
        Some(ConventionStatus::Signed) => {
            f.push(
                "c.status = 'signed' AND (c.expires_on IS NULL OR c.expires_on >= ?)",
                [Arg::Date(today)],
            );
        }
        Some(ConventionStatus::Expired) => {
            f.push(
                "(c.status = 'expired' OR (c.status = 'signed' AND c.expires_on < ?))",
                [Arg::Date(today)],
            );
        }
        Some(s) => {
            f.push("c.status = ?", [Arg::Text(s.code().into())]);
        }
        None => {}
    }
    if let Some(t) = q.team_id {
        f.push("c.team_id = ?", [Arg::Int(t)]);
    }
    if let Some(days) = q.expiring_within {
        f.push(
            "c.status = 'signed' AND c.expires_on >= ? AND c.expires_on <= ?",
            [
                Arg::Date(today),
                Arg::Date(today + time::Duration::days(days.clamp(0, 3660))),
            ],
        );
    }
    let sql = format!(
        "{CONVENTION_SELECT}{} ORDER BY c.expires_on IS NULL, c.expires_on, partner_name, c.id",
        f.sql()
    );
    let rows: Vec<ConventionRow> = on_db!(db, p => bind_args!(sqlx::query_as::<_, ConventionRow>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Convention::from).collect())
}

/// One convention of the scope.
pub async fn get_convention(db: &Db, scope: &Scope, id: i64) -> Result<Convention> {
    let mut f = Filter::default();
    f.push("c.id = ?", [Arg::Int(id)])
        .scope(scope, "c.region_code");
    let sql = format!("{CONVENTION_SELECT}{}", f.sql());
    on_db!(db, p => bind_args!(sqlx::query_as::<_, ConventionRow>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .map(Convention::from)
        .ok_or(StoreError::NotFound)
}

/// A convention's PDF: file name and bytes.
pub async fn document(db: &Db, scope: &Scope, id: i64) -> Result<(String, Vec<u8>)> {
    get_convention(db, scope, id).await?;
    on_db!(db, p => sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT filename, content FROM convention_documents WHERE convention_id = $1")
        .bind(id).fetch_optional(p).await)?
    .ok_or(StoreError::NotFound)
}
