//! Primary care (ville) in the database: dispensations per territory of a region and the
//! populations that are their denominators, each file checked whole and written in one
//! transaction (a territory and period sent again replace what was there).
//!
//! Territories are stored as keys: `region` (the whole region), `dep:<code>` (one of its
//! departments), `cpts:<id>` (one of its CPTS); files name them as people do (`38`, `Isère`,
//! the CPTS's name, `région`).

use crate::Dialect;
use crate::audit::{self, NewEntry};
use crate::{Db, Result, StoreError, imports, now, on_db};
use cratb_consumption::hospital::Problem;
pub use cratb_consumption::primary::Territories;
use cratb_consumption::primary::{self, OpenData, Packs};
use cratb_domain::RegionAccess;

/// A region's territories by the names files give them: its departments, and its CPTS as
/// stored.
pub async fn territories(db: &Db, region: &str) -> Result<Territories> {
    let cpts: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name FROM territories WHERE region_code = $1 AND kind = 'CPTS'")
        .bind(region).fetch_all(p).await)?;
    Ok(Territories::new(region, cpts))
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrimaryImport {
    pub import_id: i64,
    pub rows: usize,
    /// Rows of other regions left out (open-data files cover the whole country).
    pub other_regions: usize,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum PrimaryImportError {
    /// Problems of the file (`file` names which: the dispensations or the DDD per pack table).
    #[error("{} problem(s): nothing was imported", .0.len())]
    Invalid(Vec<(&'static str, Problem)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An open-data file's year and its table of DDD per pack.
pub struct OpenDataFile<'a> {
    pub year: i32,
    pub packs: &'a [u8],
}

fn invalid(file: &'static str, list: Vec<Problem>) -> PrimaryImportError {
    PrimaryImportError::Invalid(list.into_iter().map(|p| (file, p)).collect())
}

/// Imports a dispensation file (cratb's layout, or the open-data layout with its year and DDD
/// per pack) for `region`. `entry`, if given, makes the import's audit entry, written in the
/// import's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn import_dispensations(
    db: &Db,
    access: &RegionAccess,
    filename: &str,
    bytes: &[u8],
    open_data: Option<OpenDataFile<'_>>,
    actor: &str,
    entry: Option<&(dyn Fn(&PrimaryImport) -> NewEntry + Sync)>,
) -> std::result::Result<PrimaryImport, PrimaryImportError> {
    let region = access.as_str();
    let packs: Option<Packs> = match &open_data {
        Some(o) => Some(primary::read_packs(o.packs).map_err(|p| invalid("packs", p))?),
        None => None,
    };
    let od = match (&open_data, &packs) {
        (Some(o), Some(packs)) => Some(OpenData {
            year: o.year,
            region,
            packs,
        }),
        _ => None,
    };
    // Every problem at once: the cells' and the territories' unknown to the region.
    let (read, mut problems) = primary::read_dispensations_all(bytes, od.as_ref());
    let rows =
        territories(db, region)
            .await?
            .keyed(&read.rows, |d| (d.line, &d.territory), &mut problems);
    if !problems.is_empty() {
        return Err(invalid("dispensations", problems));
    }
    // A territory and period sent again replace what was there.
    let mut replaced: Vec<(String, i32, i32)> = rows
        .iter()
        .map(|(t, d)| (t.clone(), d.period.year, d.period.month.unwrap_or(0) as i32))
        .collect();
    replaced.sort();
    replaced.dedup();
    let at = now();
    let n = rows.len() as i64;
    let mut outcome = PrimaryImport {
        import_id: 0,
        rows: rows.len(),
        other_regions: read.other_regions,
    };
    let _one_at_a_time = imports::serialise(region, imports::Kind::PrimaryCare).await;
    let id = on_db!(db, p => async {
        let mut tx = p.begin_write().await?;
        p.lock_imports(&mut tx, &imports::Kind::PrimaryCare.key(region)).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO primary_care_imports (region_code, kind, filename, rows_imported, imported_by, created_at)
             VALUES ($1, 'dispensations', $2, $3, $4, $5) RETURNING id")
            .bind(region).bind(filename).bind(n).bind(actor).bind(at).fetch_one(&mut *tx).await?;
        for (territory, year, month) in &replaced {
            sqlx::query(
                "DELETE FROM primary_care_dispensations WHERE region_code = $1 AND territory = $2 AND year = $3 AND COALESCE(month, 0) = $4 AND import_id <> $5")
                .bind(region).bind(territory).bind(year).bind(month).bind(id).execute(&mut *tx).await?;
        }
        for (territory, d) in &rows {
            sqlx::query(
                "INSERT INTO primary_care_dispensations (import_id, region_code, territory, year, month, atc, ddd, prescriptions, age_group, sex, prescriber)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(id).bind(region).bind(territory).bind(d.period.year).bind(d.period.month.map(i32::from))
                .bind(&d.atc).bind(d.ddd).bind(d.prescriptions).bind(&d.age_group).bind(&d.sex).bind(&d.prescriber)
                .execute(&mut *tx).await?;
        }
        if let Some(entry) = entry {
            let done = PrimaryImport { import_id: id, ..outcome.clone() };
            audit::insert_entry!(entry(&done)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(StoreError::from)?;
    outcome.import_id = id;
    Ok(outcome)
}

/// Imports a population file for `region` (a territory's year given again replaces it).
/// `entry`, if given, makes the import's audit entry from the number of populations.
pub async fn import_populations(
    db: &Db,
    access: &RegionAccess,
    filename: &str,
    bytes: &[u8],
    actor: &str,
    entry: Option<&(dyn Fn(usize) -> NewEntry + Sync)>,
) -> std::result::Result<usize, PrimaryImportError> {
    let region = access.as_str();
    let (read, mut problems) = primary::read_populations_all(bytes);
    let rows =
        territories(db, region)
            .await?
            .keyed(&read, |p| (p.line, &p.territory), &mut problems);
    if !problems.is_empty() {
        return Err(invalid("populations", problems));
    }
    let at = now();
    let n = rows.len() as i64;
    let _one_at_a_time = imports::serialise(region, imports::Kind::PrimaryCare).await;
    on_db!(db, p => async {
        let mut tx = p.begin_write().await?;
        p.lock_imports(&mut tx, &imports::Kind::PrimaryCare.key(region)).await?;
        sqlx::query(
            "INSERT INTO primary_care_imports (region_code, kind, filename, rows_imported, imported_by, created_at)
             VALUES ($1, 'populations', $2, $3, $4, $5)")
            .bind(region).bind(filename).bind(n).bind(actor).bind(at).execute(&mut *tx).await?;
        for (territory, p) in &rows {
            sqlx::query(
                "INSERT INTO populations (region_code, territory, year, population) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (region_code, territory, year) DO UPDATE SET population = excluded.population")
                .bind(region).bind(territory).bind(p.year).bind(p.population).execute(&mut *tx).await?;
        }
        if let Some(entry) = entry {
            audit::insert_entry!(entry(rows.len())).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await)
    .map_err(StoreError::from)?;
    Ok(rows.len())
}

pub use cratb_consumption::primary::{Dispensed, PrimaryData};

/// The region's primary-care data (scoped).
pub async fn data(db: &Db, access: &RegionAccess) -> Result<PrimaryData> {
    let region = access.as_str();
    type Row = (String, i32, Option<i32>, String, f64, Option<f64>);
    let rows: Vec<Row> = on_db!(db, p => sqlx::query_as(
        "SELECT territory, year, month, atc, SUM(ddd), SUM(prescriptions) FROM primary_care_dispensations
         WHERE region_code = $1 GROUP BY territory, year, month, atc ORDER BY territory, year, month, atc")
        .bind(region).fetch_all(p).await)?;
    let populations: Vec<(String, i32, f64)> = on_db!(db, p => sqlx::query_as(
        "SELECT territory, year, population FROM populations WHERE region_code = $1")
        .bind(region).fetch_all(p).await)?;
    let mut breakdown = Vec::new();
    for (what, column) in [
        ("age", "age_group"),
        ("sex", "sex"),
        ("prescriber", "prescriber"),
    ] {
        let sql = format!(
            "SELECT territory, year, {column}, SUM(ddd) FROM primary_care_dispensations
             WHERE region_code = $1 AND {column} IS NOT NULL GROUP BY territory, year, {column}"
        );
        let rows: Vec<(String, i32, String, f64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(region).fetch_all(p).await)?;
        breakdown.extend(rows.into_iter().map(|(t, y, v, d)| (t, y, what, v, d)));
    }
    Ok(PrimaryData {
        ddd: rows
            .into_iter()
            .map(
                |(territory, year, month, atc, ddd, prescriptions)| Dispensed {
                    territory,
                    year,
                    month: month.unwrap_or(0) as u8,
                    atc,
                    ddd,
                    prescriptions: prescriptions.unwrap_or(0.0),
                },
            )
            .collect(),
        populations: populations
            .into_iter()
            .map(|(t, y, p)| ((t, y), p))
            .collect(),
        names: territories(db, region).await?.names,
        breakdown,
    })
}
