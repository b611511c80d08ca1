//! Antibiotic consumption in the database: a hospital consumption file and its denominators
//! are read and checked whole (`cratb_consumption::hospital`), their FINESS numbers resolved to
//! the region's establishments, each row's DDD computed under the chosen ATC/DDD edition, and
//! everything written in one transaction — or nothing, with every problem's line and column.
//!
//! Rows go in with `COPY` on PostgreSQL, and on SQLite in batches of 20,000 as one JSON
//! parameter unpacked by `json_each` (one statement per batch, without the per-parameter cost
//! of multi-row `VALUES`).

use crate::{Db, Result, StoreError, now, on_db};
use cratb_consumption::DddTable;
use cratb_consumption::hospital::{self, Problem};
use cratb_domain::{RegionCode, Scope};
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

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HospitalImport {
    pub import_id: i64,
    pub consumption_rows: usize,
    pub denominator_rows: usize,
    pub ddd_edition: String,
    /// ATC code and route without a DDD in grams, with their grams (stored without DDD).
    pub unconverted: Vec<hospital::Unconverted>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum HospitalImportError {
    /// Problems of the consumption file, then of the denominators file (`file` names which).
    #[error("{} problème(s) : rien n'a été importé", .0.len())]
    Invalid(Vec<(&'static str, Problem)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The two files of a hospital import.
pub struct HospitalFiles<'a> {
    /// The name the import is recorded under.
    pub filename: &'a str,
    pub consumption: &'a [u8],
    pub denominators: &'a [u8],
}

/// Imports a hospital consumption file and its denominators for `region`.
pub async fn import_hospital(
    db: &Db,
    scope: &Scope,
    region: &RegionCode,
    files: HospitalFiles<'_>,
    table: &DddTable,
    actor: &str,
) -> Result<HospitalImport, HospitalImportError> {
    let HospitalFiles {
        filename,
        consumption,
        denominators,
    } = files;
    if !scope.allows(region.as_str()) {
        return Err(StoreError::Invalid("region").into());
    }
    let mut problems: Vec<(&'static str, Problem)> = Vec::new();
    let rows = hospital::read_consumption(consumption).unwrap_or_else(|p| {
        problems.extend(p.into_iter().map(|x| ("consumption", x)));
        Vec::new()
    });
    let days = hospital::read_denominators(denominators).unwrap_or_else(|p| {
        problems.extend(p.into_iter().map(|x| ("denominators", x)));
        Vec::new()
    });
    let finess: HashMap<String, i64> = on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT finess, id FROM establishments WHERE region_code = $1")
        .bind(region.as_str()).fetch_all(p).await)
    .map_err(StoreError::from)?
    .into_iter()
    .collect();
    let unknown = |e: &str, line: usize| Problem {
        line,
        column: "establishment".into(),
        value: e.into(),
        message: "aucun établissement de la région ne porte ce numéro FINESS".into(),
    };
    let mut consumption_json = Vec::with_capacity(rows.len());
    let mut unconverted: HashMap<(String, &'static str), (f64, usize, String)> = HashMap::new();
    for r in &rows {
        let Some(id) = finess.get(&r.establishment) else {
            problems.push(("consumption", unknown(&r.establishment, r.line)));
            continue;
        };
        let ddd = match table.grams(&r.atc, r.route) {
            Ok(g) => Some(r.grams / g),
            Err(why) => {
                let e = unconverted
                    .entry((r.atc.clone(), r.route.code()))
                    .or_insert((0.0, 0, why.message()));
                e.0 += r.grams;
                e.1 += 1;
                None
            }
        };
        consumption_json.push(ConsumptionRow(
            *id,
            r.period.year,
            r.period.month,
            &r.ward_type,
            &r.atc,
            r.route.code(),
            r.grams,
            ddd,
        ));
    }
    let mut denominator_json = Vec::with_capacity(days.len());
    for d in &days {
        let Some(id) = finess.get(&d.establishment) else {
            problems.push(("denominators", unknown(&d.establishment, d.line)));
            continue;
        };
        denominator_json.push(DenominatorRow(
            *id,
            d.period.year,
            d.period.month,
            &d.ward_type,
            d.patient_days,
            d.admissions,
        ));
    }
    if !problems.is_empty() {
        return Err(HospitalImportError::Invalid(problems));
    }
    let at = now();
    let head = "INSERT INTO consumption_imports (region_code, kind, filename, ddd_edition, consumption_rows, denominator_rows, imported_by, created_at)
                VALUES ($1, 'hospital', $2, $3, $4, $5, $6, $7) RETURNING id";
    let import_id = match db {
        // PostgreSQL: COPY, the fastest way in.
        Db::Postgres(pool) => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(head)
                .bind(region.as_str()).bind(filename).bind(&table.edition)
                .bind(consumption_json.len() as i64).bind(denominator_json.len() as i64).bind(actor).bind(at)
                .fetch_one(&mut *tx).await?;
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in &consumption_json {
                w.serialize((id, region.as_str(), r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7)).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            }
            let data = w.into_inner().map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            let mut copy = tx.copy_in_raw("COPY hospital_consumption (import_id, region_code, establishment_id, year, month, ward_type, atc, route, grams, ddd) FROM STDIN WITH (FORMAT csv)").await?;
            copy.send(data).await?;
            copy.finish().await?;
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in &denominator_json {
                w.serialize((id, region.as_str(), r.0, r.1, r.2, r.3, r.4, r.5)).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            }
            let data = w.into_inner().map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            let mut copy = tx.copy_in_raw("COPY hospital_denominators (import_id, region_code, establishment_id, year, month, ward_type, patient_days, admissions) FROM STDIN WITH (FORMAT csv)").await?;
            copy.send(data).await?;
            copy.finish().await?;
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        }.await,
        // SQLite: batches of rows as one JSON text each, unpacked by json_each.
        Db::Sqlite(pool) => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(head)
                .bind(region.as_str()).bind(filename).bind(&table.edition)
                .bind(consumption_json.len() as i64).bind(denominator_json.len() as i64).bind(actor).bind(at)
                .fetch_one(&mut *tx).await?;
            for chunk in consumption_json.chunks(BATCH) {
                let text = serde_json::to_string(chunk).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO hospital_consumption (import_id, region_code, establishment_id, year, month, ward_type, atc, route, grams, ddd)
                     SELECT $1, $2, e.value->>0, e.value->>1, e.value->>2, e.value->>3, e.value->>4, e.value->>5, e.value->>6, e.value->>7
                     FROM json_each($3) AS e")
                    .bind(id).bind(region.as_str()).bind(text).execute(&mut *tx).await?;
            }
            for chunk in denominator_json.chunks(BATCH) {
                let text = serde_json::to_string(chunk).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO hospital_denominators (import_id, region_code, establishment_id, year, month, ward_type, patient_days, admissions)
                     SELECT $1, $2, e.value->>0, e.value->>1, e.value->>2, e.value->>3, e.value->>4, e.value->>5
                     FROM json_each($3) AS e")
                    .bind(id).bind(region.as_str()).bind(text).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        }.await,
    }
    .map_err(StoreError::from)?;
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
    Ok(HospitalImport {
        import_id,
        consumption_rows: consumption_json.len(),
        denominator_rows: denominator_json.len(),
        ddd_edition: table.edition.clone(),
        unconverted,
    })
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
         GROUP BY year ORDER BY year")
        .bind(establishment_id).bind(&like).fetch_all(p).await)?;
    let days: Vec<(i32, f64, f64)> = on_db!(db, p => sqlx::query_as(
        "SELECT year, SUM(patient_days), SUM(admissions) FROM hospital_denominators WHERE establishment_id = $1
         GROUP BY year ORDER BY year")
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
