//! Importing the spreadsheets centres keep today: the rows of a sheet are classified against
//! the region's entries (the rules are `cratb_directory::import`'s), then the valid rows are
//! written in one transaction — all of them or none.

use crate::Dialect;
use crate::audit::NewEntry;
use crate::tabular::Table;
use crate::{Db, Result, StoreError, now, on_db};
use cratb_directory::import::{self as rules, Known, Mapping, Mode, Plan, Report, read_sheet};
use cratb_directory::professionals::NewProfessional;
use cratb_domain::{Email, NetworkRole, RegionAccess, Rpps, Scope};
use std::collections::{HashMap, HashSet};

/// Classifies every row of `table` read through `mapping`, for the directory of `access`'s
/// region as it stands.
pub async fn plan(
    db: &Db,
    access: &RegionAccess,
    table: &Table,
    mapping: &Mapping,
) -> Result<Plan> {
    let region = access.as_str();
    let entries = super::in_region(db, access).await?;
    let finess: HashSet<String> = on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT finess FROM establishments WHERE region_code = $1")
        .bind(region).fetch_all(p).await)?
    .into_iter()
    .collect();
    // A professional has one entry in the country: the numbers other regions' directories hold.
    let rpps_elsewhere: HashSet<String> = on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT rpps FROM professionals WHERE rpps IS NOT NULL AND region_code <> $1")
        .bind(region).fetch_all(p).await)?
    .into_iter()
    .collect();
    let known = Known {
        entries,
        finess,
        rpps_elsewhere,
    };
    Ok(rules::plan(access.region(), table, mapping, &known))
}

/// Why a commit wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("{0} invalid row(s): nothing was written")]
    Invalid(usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the new and updated rows of `plan` in one transaction, each as a version of its
/// entry noting the file; `entry`, if given, makes the import's audit entry, written in it.
pub async fn commit(
    db: &Db,
    access: &RegionAccess,
    plan: &Plan,
    mode: Mode,
    actor: &str,
    filename: &str,
    entry: Option<&(dyn Fn(&Report) -> NewEntry + Sync)>,
) -> Result<Report, CommitError> {
    if let Some(invalid) = plan.refused(mode) {
        return Err(CommitError::Invalid(invalid));
    }
    let region = access.region();
    let report = plan.report();
    let at = now();
    let summary = rules::version_note(filename);
    let writes: Vec<(Option<i64>, &NewProfessional)> = plan.writes();
    let finess: HashMap<String, i64> = on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT finess, id FROM establishments WHERE region_code = $1")
        .bind(region.as_str()).fetch_all(p).await)
    .map_err(StoreError::from)?
    .into_iter()
    .collect();
    let new_count = report.created;
    on_db!(db, pool => async {
        let batch = pool.insert_batch();
        let mut tx = pool.begin_write().await?;
        // Ids for the new entries, taken in one go so that their rows, links and versions can
        // be written in batches.
        let first_ids = pool.reserve_ids(&mut tx, "professionals", new_count).await?;
        let mut fresh = first_ids.into_iter();
        let ids: Vec<(i64, bool, &NewProfessional)> = writes
            .iter()
            .map(|(existing, p)| match existing {
                Some(id) => (*id, false, *p),
                None => (fresh.next().expect("one id per new entry"), true, *p),
            })
            .collect();
        let new_rows: Vec<&(i64, bool, &NewProfessional)> = ids.iter().filter(|x| x.1).collect();
        for chunk in new_rows.chunks(batch) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 14;
                    format!("(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 13, b + 13, b + 14)
                })
                .collect();
            let sql = format!(
                "INSERT INTO professionals (id, region_code, last_name, first_name, profession, rpps, email, phone,
                    public_name, public_email, public_phone, network_roles, confirmed_at, created_at, updated_at, territory_id) VALUES {}",
                values.join(", "));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, _, p) in chunk.iter().copied() {
                q = q.bind(*id).bind(region.as_str()).bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
                    .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
                    .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
                    .bind(p.public_name).bind(p.public_email).bind(p.public_phone)
                    .bind(NetworkRole::join(&p.network_roles)).bind(at).bind(p.territory_id);
            }
            q.execute(&mut *tx).await?;
        }
        let updated: Vec<i64> = ids.iter().filter(|x| !x.1).map(|x| x.0).collect();
        for (id, _, p) in ids.iter().filter(|x| !x.1) {
            sqlx::query("UPDATE professionals SET last_name = $1, first_name = $2, profession = $3, rpps = $4,
                    email = $5, phone = $6, public_name = $7, public_email = $8, public_phone = $9,
                    network_roles = $10, updated_at = $11, territory_id = $14 WHERE id = $12 AND region_code = $13")
                .bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
                .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
                .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
                .bind(p.public_name).bind(p.public_email).bind(p.public_phone)
                .bind(NetworkRole::join(&p.network_roles)).bind(at).bind(*id).bind(region.as_str()).bind(p.territory_id)
                .execute(&mut *tx).await?;
        }
        let mut versions: HashMap<i64, i64> = HashMap::new();
        for chunk in updated.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM professional_establishments WHERE professional_id IN ({list})")))
                .execute(&mut *tx).await?;
            let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT professional_id, MAX(version) FROM professional_versions WHERE professional_id IN ({list}) GROUP BY professional_id")))
                .fetch_all(&mut *tx).await?;
            versions.extend(rows);
        }
        let mut links = Vec::new();
        for (id, _, p) in &ids {
            for f in &p.establishments {
                // An establishment gone since the preview: nothing is written.
                let e = finess.get(f.as_str()).ok_or(sqlx::Error::RowNotFound)?;
                links.push((*id, *e));
            }
        }
        for chunk in links.chunks(batch * 6) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO professional_establishments (professional_id, establishment_id) VALUES {}", values.join(", "))));
            for (p, e) in chunk {
                q = q.bind(*p).bind(*e);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in ids.chunks(batch * 2) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${}, ${}, ${}, ${})", 6 * i + 1, 6 * i + 2, 6 * i + 3, 6 * i + 4, 6 * i + 5, 6 * i + 6))
                .collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO professional_versions (professional_id, version, data, actor, summary, changed_at) VALUES {}",
                values.join(", "))));
            for (id, _, p) in chunk {
                let data = p.snapshot_json();
                q = q.bind(*id).bind(versions.get(id).copied().unwrap_or(0) + 1).bind(data).bind(actor).bind(&summary).bind(at);
            }
            q.execute(&mut *tx).await?;
        }
        if let Some(entry) = entry {
            crate::audit::insert_entry!(entry(&report)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(super::establishments_or_conflict)?;
    Ok(report)
}

/// Keeps an uploaded sheet, as uploaded, until it is committed; returns its id.
///
/// The file is kept rather than the table read from it: the table of a small workbook can
/// be a hundred times its size, the file is bounded by the upload's limit.
pub async fn save_draft(
    db: &Db,
    access: &RegionAccess,
    user_id: i64,
    filename: &str,
    sheet: &[u8],
) -> Result<i64> {
    let at = now();
    on_db!(db, p => async {
        // Drafts abandoned for a day are removed.
        sqlx::query("DELETE FROM directory_imports WHERE created_at < $1")
            .bind(at - time::Duration::days(1)).execute(p).await?;
        sqlx::query_scalar(
            "INSERT INTO directory_imports (region_code, user_id, filename, sheet, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(access.as_str()).bind(user_id).bind(filename).bind(sheet).bind(at)
            .fetch_one(p).await
    }.await)
    .map_err(StoreError::from)
}

/// A draft of the caller: the access to its region, file name and sheet, read again
/// (`NotFound` for anyone else's, and for a region the caller's scope no longer reaches).
pub async fn draft(
    db: &Db,
    scope: &Scope,
    user_id: i64,
    id: i64,
) -> Result<(RegionAccess, String, Table)> {
    let row: Option<(String, String, Vec<u8>)> = on_db!(db, p => sqlx::query_as(
        "SELECT region_code, filename, sheet FROM directory_imports WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id).fetch_optional(p).await)?;
    let (region, filename, sheet) = row.ok_or(StoreError::NotFound)?;
    let table = read_sheet(&sheet).map_err(|_| StoreError::NotFound)?;
    let access = scope.access(&region).ok_or(StoreError::NotFound)?;
    Ok((access, filename, table))
}

/// Removes a draft once committed.
pub async fn drop_draft(db: &Db, id: i64) -> Result<()> {
    on_db!(db, p => sqlx::query("DELETE FROM directory_imports WHERE id = $1")
        .bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
