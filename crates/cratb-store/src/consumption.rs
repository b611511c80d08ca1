//! Antibiotic consumption in the database: a hospital consumption file and its denominators
//! are read and checked whole (`cratb_consumption::hospital`), their FINESS numbers resolved to
//! the region's establishments, each row's DDD computed under the chosen ATC/DDD edition, and
//! everything written in one transaction — or nothing, with every problem's line and column.
//!
//! Rows go in with `COPY` on PostgreSQL, and on SQLite in batches of 20,000 as one JSON
//! parameter unpacked by `json_each` (one statement per batch, without the per-parameter cost
//! of multi-row `VALUES`).

use crate::Dialect;
use crate::audit::{self, NewEntry};
use crate::dialect::{postgres, sqlite};
use crate::{Db, Result, StoreError, Tx, imports, now, on_db, on_tx};
use cratb_consumption::cube::{self, Cube};
use cratb_consumption::hospital;
use cratb_consumption::indicators::AwareTable;
use cratb_consumption::{DddTable, Route};
use cratb_domain::{RegionAccess, Scope};
use futures_util::TryStreamExt;
use std::collections::HashMap;

/// Rows per statement on SQLite.
const BATCH: usize = 20_000;

/// A consumption row as written: establishment id, year, month, ward type, ATC, route, grams,
/// DDD.
#[derive(serde::Serialize)]
struct ConsumptionRow<'a>(
    i64,
    i32,
    Option<u8>,
    &'a str,
    &'a str,
    &'static str,
    f64,
    Option<f64>,
);

/// A denominator row as written: establishment id, year, month, ward type, patient-days,
/// admissions.
#[derive(serde::Serialize)]
struct DenominatorRow<'a>(i64, i32, Option<u8>, &'a str, f64, f64);

/// The rows of a batch from `json_each` (SQLite).
const CONSUMPTION_JSON: &str = "INSERT INTO hospital_consumption (import_id, region_code, establishment_id, year, month, ward_type, atc, route, grams, ddd)
     SELECT $1, $2, e.value->>0, e.value->>1, e.value->>2, e.value->>3, e.value->>4, e.value->>5, e.value->>6, e.value->>7
     FROM json_each($3) AS e";

/// The same for the denominators.
const DENOMINATORS_JSON: &str = "INSERT INTO hospital_denominators (import_id, region_code, establishment_id, year, month, ward_type, patient_days, admissions)
     SELECT $1, $2, e.value->>0, e.value->>1, e.value->>2, e.value->>3, e.value->>4, e.value->>5
     FROM json_each($3) AS e";

/// Deletes an establishment's rows of a year for the months set in a mask (bit 0: the yearly
/// figure, bit m: month m), except those of the import `$5` that replaces them.
const REPLACE_CONSUMPTION: &str = "DELETE FROM hospital_consumption WHERE region_code = $1 AND establishment_id = $2 AND year = $3 AND (($4 >> COALESCE(month, 0)) & 1) = 1 AND import_id <> $5";
const REPLACE_DENOMINATORS: &str = "DELETE FROM hospital_denominators WHERE region_code = $1 AND establishment_id = $2 AND year = $3 AND (($4 >> COALESCE(month, 0)) & 1) = 1 AND import_id <> $5";
/// Leaves out the rows of imports still being written ([`crate::imports`]).
const VISIBLE: &str = "import_id NOT IN (SELECT id FROM consumption_imports WHERE pending)";

/// The establishments' years in rows, with their months as a mask (bit 0: the yearly figure).
fn periods(rows: impl Iterator<Item = (i64, i32, Option<u8>)>) -> Vec<(i64, i32, i64)> {
    let mut by: HashMap<(i64, i32), i64> = HashMap::new();
    for (establishment, year, month) in rows {
        *by.entry((establishment, year)).or_default() |= 1 << month.unwrap_or(0);
    }
    let mut out: Vec<(i64, i32, i64)> = by.into_iter().map(|((e, y), m)| (e, y, m)).collect();
    out.sort_unstable();
    out
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HospitalImport {
    pub import_id: i64,
    pub consumption_rows: usize,
    pub denominator_rows: usize,
    pub ddd_edition: String,
    /// ATC code and route without a DDD in grams, with their grams (stored without DDD).
    pub unconverted: Vec<hospital::Unconverted>,
    /// Cells accepted without their denominator (or the reverse), left out of the figures.
    pub left_out: Vec<hospital::Unmatched>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum HospitalImportError {
    /// Every problem of the two files (invalid cells, repeated keys, unknown FINESS…).
    #[error("{} problem(s): nothing was imported", .0.total)]
    Invalid(hospital::Problems),
    /// Consumption without its denominator, or the reverse, not accepted as partial figures.
    #[error("{} period(s) without denominators or without consumption: nothing was imported", .0.len())]
    Partial(Vec<hospital::Unmatched>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The two files of a hospital import.
pub struct HospitalFiles<'a> {
    /// The name the import is recorded under.
    pub filename: &'a str,
    pub consumption: &'a [u8],
    pub denominators: &'a [u8],
    /// Import even where consumption has no denominator (or the reverse): those cells are then
    /// left out of every figure, and said to be.
    pub accept_partial: bool,
}

/// Imports a hospital consumption file and its denominators for `region`.
///
/// Both files are read and checked whole, every problem reported at once (up to
/// [`hospital::Problems::LISTED`], with the total); then the cells where consumption and
/// denominators do not meet are refused unless `accept_partial`. `entry`, if given, makes the
/// import's audit entry, written in the transaction that makes the rows visible.
pub async fn import_hospital(
    db: &Db,
    access: &RegionAccess,
    files: HospitalFiles<'_>,
    table: &DddTable,
    actor: &str,
    entry: Option<&(dyn Fn(&HospitalImport) -> NewEntry + Sync)>,
) -> Result<HospitalImport, HospitalImportError> {
    let HospitalFiles {
        filename,
        consumption,
        denominators,
        accept_partial,
    } = files;
    let region = access.region();
    let (files, mut problems) = hospital::read_files(consumption, denominators);
    hospital::inhaled_forms(&files, table, &mut problems);
    let finess: HashMap<String, i64> = on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT finess, id FROM establishments WHERE region_code = $1")
        .bind(region.as_str()).fetch_all(p).await)
    .map_err(StoreError::from)?
    .into_iter()
    .collect();
    // Each establishment named, resolved once; an unknown one is a problem.
    let ids = hospital::resolve_establishments(&files, &finess, &mut problems);
    if !problems.is_empty() {
        return Err(HospitalImportError::Invalid(problems));
    }
    let left_out = hospital::unmatched(&files);
    if !left_out.is_empty() && !accept_partial {
        return Err(HospitalImportError::Partial(left_out));
    }
    let id = |e: u32| ids[e as usize].unwrap_or_default();
    let mut consumption_json = Vec::with_capacity(files.consumption.len());
    let mut unconverted: HashMap<(String, &'static str), (f64, usize, String)> = HashMap::new();
    for r in &files.consumption {
        let ddd = match table.grams(r.atc.as_str(), r.route) {
            Ok(g) => Some(r.grams / g),
            Err(why) => {
                let e = unconverted
                    .entry((r.atc.to_string(), r.route.code()))
                    .or_insert((0.0, 0, why.message()));
                e.0 += r.grams;
                e.1 += 1;
                None
            }
        };
        consumption_json.push(ConsumptionRow(
            id(r.establishment),
            r.period.year,
            r.period.month,
            r.ward.code(),
            r.atc.as_str(),
            r.route.code(),
            r.grams,
            ddd,
        ));
    }
    let mut denominator_json = Vec::with_capacity(files.denominators.len());
    for d in &files.denominators {
        denominator_json.push(DenominatorRow(
            id(d.establishment),
            d.period.year,
            d.period.month,
            d.ward.code(),
            d.patient_days,
            d.admissions,
        ));
    }
    // A file replaces what the region held for the same establishments and periods: a month
    // sent again corrected is not counted twice.
    let replaced_consumption = periods(consumption_json.iter().map(|r| (r.0, r.1, r.2)));
    let replaced_denominators = periods(denominator_json.iter().map(|r| (r.0, r.1, r.2)));
    let mut unconverted: Vec<hospital::Unconverted> = unconverted
        .into_iter()
        .map(
            |((atc, route), (grams, rows, reason))| hospital::Unconverted {
                atc,
                route,
                reason,
                grams,
                rows,
            },
        )
        .collect();
    unconverted.sort_by(|a, b| a.atc.cmp(&b.atc).then(a.route.cmp(b.route)));
    let mut outcome = HospitalImport {
        import_id: 0,
        consumption_rows: consumption_json.len(),
        denominator_rows: denominator_json.len(),
        ddd_edition: table.edition.clone(),
        unconverted,
        left_out,
    };
    let entry = entry.map(|entry| {
        let outcome = &outcome;
        move |id: i64| {
            entry(&HospitalImport {
                import_id: id,
                ..outcome.clone()
            })
        }
    });
    let at = now();
    let head = "INSERT INTO consumption_imports (region_code, kind, filename, ddd_edition, consumption_rows, denominator_rows, imported_by, created_at, pending)
                VALUES ($1, 'hospital', $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let kind = imports::Kind::HospitalConsumption;
    let _one_at_a_time = imports::serialise(region.as_str(), kind).await;
    let mut started = None;
    let import_id = match db {
        // PostgreSQL: COPY, the fastest way in, in one transaction.
        Db::Postgres(pool) => async {
            let mut tx = pool.begin_write().await?;
            pool.lock_imports(&mut tx, &kind.key(region.as_str())).await?;
            let id: i64 = sqlx::query_scalar(head)
                .bind(region.as_str()).bind(filename).bind(&table.edition)
                .bind(consumption_json.len() as i64).bind(denominator_json.len() as i64).bind(actor).bind(at).bind(false)
                .fetch_one(&mut *tx).await?;
            for (sql, keys) in [(REPLACE_CONSUMPTION, &replaced_consumption), (REPLACE_DENOMINATORS, &replaced_denominators)] {
                for (establishment, year, months) in keys {
                    sqlx::query(sql).bind(region.as_str()).bind(establishment).bind(year).bind(months).bind(id).execute(&mut *tx).await?;
                }
            }
            let r = region.as_str();
            postgres::copy_csv(&mut tx, "COPY hospital_consumption (import_id, region_code, establishment_id, year, month, ward_type, atc, route, grams, ddd) FROM STDIN WITH (FORMAT csv)",
                consumption_json.iter().map(|x| (id, r, x.0, x.1, x.2, x.3, x.4, x.5, x.6, x.7))).await?;
            postgres::copy_csv(&mut tx, "COPY hospital_denominators (import_id, region_code, establishment_id, year, month, ward_type, patient_days, admissions) FROM STDIN WITH (FORMAT csv)",
                denominator_json.iter().map(|x| (id, r, x.0, x.1, x.2, x.3, x.4, x.5))).await?;
            if let Some(entry) = &entry {
                audit::insert_entry!(entry(id)).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        }.await,
        // SQLite: batches of rows as one JSON text each, unpacked by json_each, in transactions
        // of about a second under a pending import (`imports::Pace`); the replaced periods go
        // and the import shows with the last one.
        Db::Sqlite(pool) => async {
            let id: i64 = sqlx::query_scalar(head)
                .bind(region.as_str()).bind(filename).bind(&table.edition)
                .bind(consumption_json.len() as i64).bind(denominator_json.len() as i64).bind(actor).bind(at).bind(true)
                .fetch_one(pool).await?;
            started = Some(id);
            let mut pace = imports::Pace::start();
            let mut tx = pool.begin_write().await?;
            for chunk in consumption_json.chunks(BATCH) {
                sqlite::insert_json(&mut tx, CONSUMPTION_JSON, id, region.as_str(), chunk).await?;
                if pace.due() {
                    tx.commit().await?;
                    pace.pause().await;
                    tx = pool.begin_write().await?;
                }
            }
            for chunk in denominator_json.chunks(BATCH) {
                sqlite::insert_json(&mut tx, DENOMINATORS_JSON, id, region.as_str(), chunk).await?;
                if pace.due() {
                    tx.commit().await?;
                    pace.pause().await;
                    tx = pool.begin_write().await?;
                }
            }
            for (sql, keys) in [(REPLACE_CONSUMPTION, &replaced_consumption), (REPLACE_DENOMINATORS, &replaced_denominators)] {
                for (establishment, year, months) in keys {
                    sqlx::query(sql).bind(region.as_str()).bind(establishment).bind(year).bind(months).bind(id).execute(&mut *tx).await?;
                }
            }
            sqlx::query("UPDATE consumption_imports SET pending = FALSE WHERE id = $1").bind(id).execute(&mut *tx).await?;
            if let Some(entry) = &entry {
                audit::insert_entry!(entry(id)).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        }.await,
    };
    if let (Err(_), Some(id)) = (&import_id, started) {
        // Best effort: what remains is removed when the database is next opened.
        let rows = ["hospital_consumption", "hospital_denominators"];
        let _ = imports::discard(db, "consumption_imports", &rows, id).await;
    }
    outcome.import_id = import_id.map_err(StoreError::from)?;
    Ok(outcome)
}

/// DDD, patient-days and admissions of one establishment per year for ATC codes starting with
/// `prefix` (the consumption and the denominators summed over months and wards).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EstablishmentYear {
    pub year: i32,
    pub ddd: f64,
    pub patient_days: Option<f64>,
    pub admissions: Option<f64>,
}

/// The yearly totals of an establishment of the scope.
pub async fn establishment_years(
    db: &Db,
    scope: &Scope,
    establishment_id: i64,
    prefix: &str,
) -> Result<Vec<EstablishmentYear>> {
    crate::establishments::get(db, scope, establishment_id).await?;
    let like = format!("{}%", prefix.replace('%', ""));
    let ddd: Vec<(i32, f64)> = on_db!(db, p => sqlx::query_as(
        "SELECT year, COALESCE(SUM(ddd), 0) FROM hospital_consumption WHERE establishment_id = $1 AND atc LIKE $2
         AND import_id NOT IN (SELECT id FROM consumption_imports WHERE pending) GROUP BY year ORDER BY year")
        .bind(establishment_id).bind(&like).fetch_all(p).await)?;
    let days: Vec<(i32, f64, f64)> = on_db!(db, p => sqlx::query_as(
        "SELECT year, SUM(patient_days), SUM(admissions) FROM hospital_denominators WHERE establishment_id = $1
         AND import_id NOT IN (SELECT id FROM consumption_imports WHERE pending) GROUP BY year ORDER BY year")
        .bind(establishment_id).fetch_all(p).await)?;
    Ok(ddd
        .into_iter()
        .map(|(year, ddd)| {
            let d = days.iter().find(|d| d.0 == year);
            EstablishmentYear {
                year,
                ddd,
                patient_days: d.map(|d| d.1),
                admissions: d.map(|d| d.2),
            }
        })
        .collect())
}

/// What changes with every consumption import or recomputation of a region: the number of
/// imports, the last id, and the ATC/DDD editions in use.
pub type Stamp = (i64, i64, String, String);

pub async fn stamp(db: &Db, access: &RegionAccess) -> Result<Stamp> {
    let region = access.as_str();
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT COALESCE(MAX(id), 0), COUNT(*), COALESCE(MIN(ddd_edition), ''), COALESCE(MAX(ddd_edition), '')
         FROM consumption_imports WHERE region_code = $1 AND NOT pending")
        .bind(region).fetch_one(p).await)?)
}

/// A region's hospital and nursing-home consumption in memory ([`Cube`]): its establishments
/// (ES and EMS), every consumption row with a DDD, the denominators, and the ATC/DDD editions
/// the rows were computed with. Rows are streamed, never held twice.
pub async fn cube(db: &Db, access: &RegionAccess, aware: &AwareTable) -> Result<Cube> {
    let region = access.as_str();
    let mut b = cube::Builder::default();
    type UnitRow = (i64, String, String, String, String, String, Option<String>);
    let units: Vec<UnitRow> = on_db!(db, p => sqlx::query_as(
        "SELECT e.id, e.name, e.finess, e.category, e.sector, e.department_code, t.name
         FROM establishments e LEFT JOIN territories t ON t.id = e.ght_id
         WHERE e.region_code = $1 AND e.sector IN ('ES', 'EMS') ORDER BY e.name")
        .bind(region).fetch_all(p).await)?;
    for (id, name, finess, category, sector, department, territory) in units {
        b.unit(cube::Unit {
            id,
            name,
            finess,
            category,
            sector,
            department,
            territory,
        });
    }
    match db {
        // PostgreSQL streams rows fast.
        Db::Postgres(p) => {
            type Fact = (i64, i32, Option<i32>, String, String, String, f64);
            let mut rows = sqlx::query_as::<_, Fact>(sqlx::AssertSqlSafe(format!(
                "SELECT establishment_id, year, month, ward_type, atc, route, ddd FROM hospital_consumption
                 WHERE region_code = $1 AND ddd IS NOT NULL AND {VISIBLE}"
            )))
            .bind(region)
            .fetch(p);
            while let Some((unit, year, month, ward, atc, route, ddd)) = rows.try_next().await? {
                if let Some(route) = Route::parse(&route) {
                    b.fact(unit, year, month.map(|m| m as u8), &ward, &atc, route, ddd);
                }
            }
        }
        // SQLite hands rows over one at a time: each establishment's rows come as one JSON
        // array instead, read without copying its strings.
        Db::Sqlite(p) => {
            let mut rows = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(format!(
                "SELECT establishment_id, json_group_array(json_array(year, month, ward_type, atc, route, ddd))
                 FROM hospital_consumption WHERE region_code = $1 AND ddd IS NOT NULL AND {VISIBLE}
                 GROUP BY establishment_id"
            )))
            .bind(region)
            .fetch(p);
            type Fact<'a> = (i32, Option<u8>, &'a str, &'a str, &'a str, f64);
            type Owned = (i32, Option<u8>, String, String, String, f64);
            while let Some((unit, json)) = rows.try_next().await? {
                let bad = |e: serde_json::Error| {
                    StoreError::Unavailable(format!("consumption facts: {e}"))
                };
                match serde_json::from_str::<Vec<Fact>>(&json) {
                    Ok(facts) => {
                        for (year, month, ward, atc, route, ddd) in facts {
                            if let Some(route) = Route::parse(route) {
                                b.fact(unit, year, month, ward, atc, route, ddd);
                            }
                        }
                    }
                    // A ward type with an escaped character cannot be borrowed: copied then.
                    Err(_) => {
                        for (year, month, ward, atc, route, ddd) in
                            serde_json::from_str::<Vec<Owned>>(&json).map_err(bad)?
                        {
                            if let Some(route) = Route::parse(&route) {
                                b.fact(unit, year, month, &ward, &atc, route, ddd);
                            }
                        }
                    }
                }
            }
        }
    }
    // The rows without a DDD in grams (colistin in million units…): few, and said on the
    // screens rather than dropped silently.
    type Grams = (i64, i32, Option<i32>, String, String, String, f64);
    let unconverted: Vec<Grams> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT establishment_id, year, month, ward_type, atc, route, grams FROM hospital_consumption
         WHERE region_code = $1 AND ddd IS NULL AND {VISIBLE}")))
        .bind(region).fetch_all(p).await)?;
    for (unit, year, month, ward, atc, route, grams) in unconverted {
        if let Some(route) = Route::parse(&route) {
            b.unconverted(
                unit,
                year,
                month.map(|m| m as u8),
                &ward,
                &atc,
                route,
                grams,
            );
        }
    }
    let days: Vec<(i64, i32, Option<i32>, String, f64, f64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT establishment_id, year, month, ward_type, patient_days, admissions FROM hospital_denominators
         WHERE region_code = $1 AND {VISIBLE}")))
        .bind(region).fetch_all(p).await)?;
    for (unit, year, month, ward, patient_days, admissions) in days {
        b.days(
            unit,
            year,
            month.map(|m| m as u8),
            &ward,
            patient_days,
            admissions,
        );
    }
    let editions: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT i.ddd_edition FROM consumption_imports i WHERE i.region_code = $1 AND NOT i.pending
           AND EXISTS (SELECT 1 FROM hospital_consumption c WHERE c.import_id = i.id)
         ORDER BY i.ddd_edition")
        .bind(region).fetch_all(p).await)?;
    Ok(b.build(aware, editions))
}

pub use cratb_consumption::targets::Target;

/// A target as stored.
type TargetRow = (
    String,
    String,
    i32,
    Option<f64>,
    Option<f64>,
    Option<i32>,
    Option<f64>,
    Option<i32>,
    Option<String>,
);

fn target_of(r: TargetRow) -> Target {
    let (sector, indicator, baseline_year, reduction_pct, target_value, target_year) =
        (r.0, r.1, r.2, r.3, r.4, r.5);
    Target {
        sector,
        indicator,
        baseline_year,
        reduction_pct,
        target_value,
        target_year,
        national_value: r.6,
        national_year: r.7,
        set_by: r.8,
    }
}

/// The region's target for a sector and indicator (the national one where none was set).
pub async fn target(
    db: &Db,
    access: &RegionAccess,
    sector: &str,
    indicator: &str,
) -> Result<Target> {
    let region = access.as_str();
    let row: Option<TargetRow> = on_db!(db, p => sqlx::query_as(
        "SELECT sector, indicator, baseline_year, reduction_pct, target_value, target_year, national_value, national_year, set_by
         FROM consumption_targets WHERE region_code = $1 AND sector = $2 AND indicator = $3")
        .bind(region).bind(sector).bind(indicator).fetch_optional(p).await)?;
    Ok(row.map_or_else(|| Target::national(sector, indicator), target_of))
}

/// Every target the region set.
pub async fn targets(db: &Db, access: &RegionAccess) -> Result<Vec<Target>> {
    let region = access.as_str();
    let rows: Vec<TargetRow> = on_db!(db, p => sqlx::query_as(
        "SELECT sector, indicator, baseline_year, reduction_pct, target_value, target_year, national_value, national_year, set_by
         FROM consumption_targets WHERE region_code = $1 ORDER BY sector, indicator")
        .bind(region).fetch_all(p).await)?;
    Ok(rows.into_iter().map(target_of).collect())
}

/// Sets (or replaces) a target of the region; `Invalid(field)` for a figure refused.
pub async fn set_target(tx: &mut Tx, access: &RegionAccess, t: &Target, actor: &str) -> Result<()> {
    let region = access.as_str();
    t.check().map_err(StoreError::Invalid)?;
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO consumption_targets (region_code, sector, indicator, baseline_year, reduction_pct, target_value, target_year, national_value, national_year, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (region_code, sector, indicator) DO UPDATE SET baseline_year = excluded.baseline_year,
           reduction_pct = excluded.reduction_pct, target_value = excluded.target_value, target_year = excluded.target_year,
           national_value = excluded.national_value, national_year = excluded.national_year, set_by = excluded.set_by, set_at = excluded.set_at")
        .bind(region).bind(&t.sector).bind(&t.indicator).bind(t.baseline_year).bind(t.reduction_pct)
        .bind(t.target_value).bind(t.target_year).bind(t.national_value).bind(t.national_year).bind(actor).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A consumption import, as listed.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: i64,
    pub region_code: String,
    pub kind: String,
    pub filename: String,
    pub ddd_edition: String,
    pub consumption_rows: i64,
    pub denominator_rows: i64,
    pub imported_by: String,
    pub created_at: time::OffsetDateTime,
}

const IMPORT_COLUMNS: &str = "id, region_code, kind, filename, ddd_edition, consumption_rows, denominator_rows, imported_by, created_at";

/// The region's imports, latest first.
pub async fn imports(db: &Db, access: &RegionAccess) -> Result<Vec<ImportRecord>> {
    let region = access.as_str();
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM consumption_imports WHERE region_code = $1 AND NOT pending ORDER BY id DESC LIMIT 100"
    );
    Ok(
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(region).fetch_all(p).await)?,
    )
}

/// Removes an import and its rows (the undo of a wrong file; periods it had replaced are not
/// brought back), within the scope.
pub async fn delete_import(tx: &mut Tx, scope: &Scope, id: i64) -> Result<ImportRecord> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM consumption_imports WHERE id = $1 AND pending = FALSE"
    );
    let record: ImportRecord = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(c).await)?
        .filter(|r: &ImportRecord| scope.allows(&r.region_code))
        .ok_or(StoreError::NotFound)?;
    on_tx!(tx, c => async {
        for table in ["hospital_consumption", "hospital_denominators"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE import_id = $1")))
                .bind(id).execute(&mut *c).await?;
        }
        sqlx::query("DELETE FROM consumption_imports WHERE id = $1").bind(id).execute(&mut *c).await?;
        Ok::<(), sqlx::Error>(())
    }.await)?;
    Ok(record)
}

/// An ATC/DDD edition available: shipped, or loaded by a data manager.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Edition {
    pub edition: String,
    /// ATC codes with a DDD.
    pub codes: i64,
    /// `None`: shipped with the application.
    pub loaded_by: Option<String>,
    pub loaded_at: Option<time::OffsetDateTime>,
}

/// The editions available, newest name first.
pub async fn editions(db: &Db) -> Result<Vec<Edition>> {
    let mut out: Vec<Edition> = DddTable::editions()
        .into_iter()
        .filter_map(DddTable::embedded)
        .map(|t| Edition {
            codes: t.len() as i64,
            edition: t.edition,
            loaded_by: None,
            loaded_at: None,
        })
        .collect();
    let loaded: Vec<(String, i64, String, time::OffsetDateTime)> = on_db!(db, p => sqlx::query_as(
        "SELECT edition, codes, loaded_by, loaded_at FROM ddd_tables").fetch_all(p).await)?;
    out.extend(loaded.into_iter().map(|(edition, codes, by, at)| Edition {
        edition,
        codes,
        loaded_by: Some(by),
        loaded_at: Some(at),
    }));
    out.sort_by(|a, b| b.edition.cmp(&a.edition));
    Ok(out)
}

/// The table of an edition by name: shipped, or loaded (`NotFound` otherwise).
pub async fn ddd_table(db: &Db, edition: &str) -> Result<DddTable> {
    if let Some(t) = DddTable::editions()
        .into_iter()
        .filter_map(DddTable::embedded)
        .find(|t| t.edition == edition)
    {
        return Ok(t);
    }
    let content: Option<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT content FROM ddd_tables WHERE edition = $1").bind(edition).fetch_optional(p).await)?;
    let content = content.ok_or(StoreError::NotFound)?;
    DddTable::parse(&content, edition).map_err(|_| StoreError::Invalid("ddd_table"))
}

/// Stores a table a data manager loaded (the text in the reference layout); an edition's name
/// is never reused, so that every figure keeps meaning what it said.
pub async fn save_ddd_table(
    tx: &mut Tx,
    table: &DddTable,
    content: &str,
    actor: &str,
) -> Result<()> {
    let name = table.edition.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(StoreError::Invalid("edition"));
    }
    let shipped = DddTable::editions()
        .into_iter()
        .filter_map(DddTable::embedded)
        .any(|t| t.edition == name);
    let loaded: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT edition FROM ddd_tables WHERE edition = $1").bind(name).fetch_optional(c).await)?;
    if shipped || loaded.is_some() {
        return Err(StoreError::Conflict("edition"));
    }
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ddd_tables (edition, content, codes, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(name).bind(content).bind(table.len() as i64).bind(actor).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What a recomputation did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recomputed {
    pub edition: String,
    /// Consumption rows whose DDD was recomputed.
    pub rows: i64,
    /// (ATC code, route, reason): without a DDD in grams under the new edition.
    pub unconverted: Vec<(String, String, String)>,
}

/// Recomputes every DDD of a region's consumption under another ATC/DDD edition (one
/// transaction): each row's DDD is its grams over the edition's DDD for its ATC code and route.
pub async fn recompute(
    db: &Db,
    access: &RegionAccess,
    table: &DddTable,
    entry: Option<&(dyn Fn(&Recomputed) -> NewEntry + Sync)>,
) -> Result<Recomputed> {
    let region = access.as_str();
    let _one_at_a_time = imports::serialise(region, imports::Kind::HospitalConsumption).await;
    // The (ATC, route) pairs are read under the lock, in the transaction that rewrites them: an
    // import by another server cannot slip in a pair this recomputation would miss.
    let pairs_sql = "SELECT atc, route, COUNT(*) FROM hospital_consumption WHERE region_code = $1 GROUP BY atc, route ORDER BY atc, route";
    let update = "UPDATE hospital_consumption SET ddd = grams / $4 WHERE region_code = $1 AND atc = $2 AND route = $3";
    let clear = "UPDATE hospital_consumption SET ddd = NULL WHERE region_code = $1 AND atc = $2 AND route = $3";
    let editions = "UPDATE consumption_imports SET ddd_edition = $2 WHERE region_code = $1";
    let done = on_db!(db, p => async {
        let mut tx = p.begin_write().await?;
        p.lock_imports(&mut tx, &imports::Kind::HospitalConsumption.key(region)).await?;
        let pairs: Vec<(String, String, i64)> =
            sqlx::query_as(pairs_sql).bind(region).fetch_all(&mut *tx).await?;
        let mut unconverted = Vec::new();
        for (atc, route, _) in &pairs {
            let grams = Route::parse(route)
                .ok_or(cratb_consumption::ddd::NoDdd::Unknown)
                .and_then(|r| table.grams(atc, r));
            match grams {
                Ok(g) => sqlx::query(update).bind(region).bind(atc).bind(route).bind(g).execute(&mut *tx).await?,
                Err(why) => {
                    unconverted.push((atc.clone(), route.clone(), why.message()));
                    sqlx::query(clear).bind(region).bind(atc).bind(route).execute(&mut *tx).await?
                }
            };
        }
        sqlx::query(editions).bind(region).bind(&table.edition).execute(&mut *tx).await?;
        let done = Recomputed {
            edition: table.edition.clone(),
            rows: pairs.iter().map(|p| p.2).sum(),
            unconverted,
        };
        if let Some(entry) = entry {
            audit::insert_entry!(entry(&done)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<Recomputed, sqlx::Error>(done)
    }.await)?;
    Ok(done)
}

/// The regions holding consumption data.
pub async fn regions_with_data(db: &Db) -> Result<Vec<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT region_code FROM consumption_imports WHERE NOT pending GROUP BY region_code
         ORDER BY SUM(consumption_rows) DESC, region_code").fetch_all(p).await)?)
}
