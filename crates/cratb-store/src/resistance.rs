//! Imported susceptibility results: one row per isolate, pseudonymised at entry.
//!
//! The laboratory's patient identifier never reaches the database: [`Pseudonymiser`] turns it
//! into a keyed hash (HMAC-SHA-256 with a per-installation secret kept in `settings`), the same
//! for the same patient across files, so that first isolates can still be counted.

use crate::Dialect;
use crate::audit::{self, ImportEntry, NewEntry};
use crate::{Db, Result, StoreError, Tx, imports, now, on_db, on_tx};
use cratb_domain::{RegionAccess, Scope};
use cratb_resistance::imports::{
    Establishment, Import, ImportOutcome, ImportProblem, Planned, RowPlan, plan_rows,
};
use futures_util::TryStreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::{Date, OffsetDateTime};

const SECRET_KEY: &str = "pseudonymisation_secret";

/// Turns patient identifiers into pseudonyms with the installation's secret.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl Pseudonymiser {
    /// The installation's pseudonymiser; the secret is created on first use.
    pub async fn load(db: &Db) -> Result<Pseudonymiser> {
        Ok(Pseudonymiser::with_secret(
            &crate::secret(db, SECRET_KEY).await?,
        ))
    }

    pub fn with_secret(secret: &[u8]) -> Pseudonymiser {
        Pseudonymiser {
            mac: Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length"),
        }
    }

    /// 128 bits of HMAC-SHA-256 of the trimmed identifier, hex-encoded.
    pub fn pseudonym(&self, patient_id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(patient_id.trim().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// A file being imported.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub region_code: String,
    pub establishment_id: Option<i64>,
    pub filename: String,
    pub guideline: String,
    pub rows_read: i64,
    pub rows_skipped: i64,
    pub imported_by: Option<i64>,
}

/// One isolate, pseudonymised and interpreted.
#[derive(Debug, Clone)]
pub struct NewIsolate {
    pub establishment_id: Option<i64>,
    pub patient_key: String,
    pub specimen_date: Date,
    /// Organism code (`B_ESCHR_COLI`).
    pub organism: String,
    pub specimen: String,
    pub ward_type: String,
    pub sector: String,
    pub age: Option<i64>,
    pub sex: String,
    /// `AMX=R;CTX=S`.
    pub results: String,
}

const COLUMNS: &str = "import_id, region_code, establishment_id, patient_key, specimen_date, organism, specimen, ward_type, sector, age, sex, results";
const PER_ROW: usize = 12;
/// Rows per INSERT. Small on purpose: binding costs grow with the square of a statement's
/// parameters in sqlx's SQLite driver (1,000 rows per statement imported 10 times slower).
const BATCH: usize = 32;

/// Stores `count` isolates, built by `isolate(i)`: all of them or none, visible at once when
/// complete (staged in short transactions on SQLite, see [`crate::imports`]).
/// `progress` is told how many isolates are written so far; `entry`, if given, is the import's
/// audit entry, written in the transaction that makes the isolates visible.
pub async fn import_isolates(
    db: &Db,
    scope: &Scope,
    import: &NewImport,
    count: usize,
    isolate: &(dyn Fn(usize) -> NewIsolate + Sync),
    progress: &(dyn Fn(usize) + Send + Sync),
    entry: Option<ImportEntry<'_>>,
) -> Result<i64> {
    if !scope.allows(&import.region_code) {
        return Err(StoreError::NotFound);
    }
    let region = import.region_code.as_str();
    let _one_at_a_time = imports::serialise(region, imports::Kind::Isolates).await;
    let staged = imports::staged(db);
    let mut started = None;
    let written = write_isolates(
        db,
        import,
        count,
        isolate,
        progress,
        staged,
        entry,
        &mut started,
    )
    .await;
    if let (Err(_), Some(id)) = (&written, started) {
        // Best effort: what remains is removed when the database is next opened.
        let _ = imports::discard(db, "isolate_imports", &["isolates"], id).await;
    }
    written
}

#[allow(clippy::too_many_arguments)]
async fn write_isolates(
    db: &Db,
    import: &NewImport,
    count: usize,
    isolate: &(dyn Fn(usize) -> NewIsolate + Sync),
    progress: &(dyn Fn(usize) + Send + Sync),
    staged: bool,
    entry: Option<ImportEntry<'_>>,
    started: &mut Option<i64>,
) -> Result<i64> {
    let at = now();
    let insert_import = "INSERT INTO isolate_imports (region_code, establishment_id, filename, guideline, rows_read, rows_imported, rows_skipped, imported_by, created_at, pending)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let batch_sql = |n: usize| {
        let rows: Vec<String> = (0..n)
            .map(|r| {
                let params: Vec<String> = (1..=PER_ROW)
                    .map(|c| format!("${}", r * PER_ROW + c))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO isolates ({COLUMNS}) VALUES {}",
            rows.join(", ")
        )
    };
    let full = batch_sql(BATCH);
    let region = import.region_code.as_str();
    on_db!(db, p => async {
        let mut tx = p.begin_write().await?;
        p.lock_imports(&mut tx, &imports::Kind::Isolates.key(region)).await?;
        let id: i64 = sqlx::query_scalar(insert_import)
            .bind(region).bind(import.establishment_id).bind(&import.filename).bind(&import.guideline)
            .bind(import.rows_read).bind(count as i64).bind(import.rows_skipped).bind(import.imported_by).bind(at)
            .bind(staged)
            .fetch_one(&mut *tx).await?;
        if staged {
            *started = Some(id);
        }
        let mut pace = imports::Pace::start();
        for start in (0..count).step_by(BATCH) {
            // On SQLite the import record goes in first on its own, then the rows in
            // transactions of about a second with the lock left free between them.
            if staged && (start == 0 || pace.due()) {
                tx.commit().await?;
                if start > 0 {
                    pace.pause().await;
                }
                tx = p.begin_write().await?;
            }
            // Built a batch at a time: a million isolates never sit in memory as rows.
            let chunk: Vec<NewIsolate> = (start..(start + BATCH).min(count)).map(isolate).collect();
            let sql = if chunk.len() == BATCH { full.clone() } else { batch_sql(chunk.len()) };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in &chunk {
                q = q.bind(id).bind(region).bind(i.establishment_id).bind(&i.patient_key)
                    .bind(i.specimen_date).bind(&i.organism).bind(&i.specimen).bind(&i.ward_type)
                    .bind(&i.sector).bind(i.age).bind(&i.sex).bind(&i.results);
            }
            q.execute(&mut *tx).await?;
            progress(start + chunk.len());
        }
        if staged {
            sqlx::query("UPDATE isolate_imports SET pending = FALSE WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        if let Some(entry) = entry {
            audit::insert_entry!(entry(id)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(StoreError::from)
}

/// One stored isolate, as read back for analysis.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredIsolate {
    pub establishment_id: Option<i64>,
    pub patient_key: String,
    pub specimen_date: Date,
    pub organism: String,
    pub specimen: String,
    pub ward_type: String,
    pub sector: String,
    pub results: String,
}

/// Every isolate of a region, streamed to `each` in import order.
pub async fn for_each_isolate(
    db: &Db,
    access: &RegionAccess,
    mut each: impl FnMut(StoredIsolate) + Send,
) -> Result<usize> {
    let sql = "SELECT establishment_id, patient_key, specimen_date, organism, specimen, ward_type, sector, results
               FROM isolates WHERE region_code = $1
                 AND import_id NOT IN (SELECT id FROM isolate_imports WHERE pending) ORDER BY id";
    let mut n = 0;
    on_db!(db, p => {
        let mut rows = sqlx::query_as::<_, StoredIsolate>(sql).bind(access.as_str()).fetch(p);
        while let Some(row) = rows.try_next().await? {
            each(row);
            n += 1;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(n)
}

/// An import as stored (see [`Import`]).
#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    region_code: String,
    establishment_id: Option<i64>,
    establishment_name: Option<String>,
    filename: String,
    guideline: String,
    rows_read: i64,
    rows_imported: i64,
    rows_skipped: i64,
    imported_by: Option<String>,
    created_at: OffsetDateTime,
}

impl From<ImportRow> for Import {
    fn from(r: ImportRow) -> Import {
        Import {
            id: r.id,
            region_code: r.region_code,
            establishment_id: r.establishment_id,
            establishment_name: r.establishment_name,
            filename: r.filename,
            guideline: r.guideline,
            rows_read: r.rows_read,
            rows_imported: r.rows_imported,
            rows_skipped: r.rows_skipped,
            imported_by: r.imported_by,
            created_at: r.created_at,
        }
    }
}

/// The latest imports of the scope, newest first.
pub async fn list_imports(db: &Db, scope: &Scope, limit: i64) -> Result<Vec<Import>> {
    list_imports_where(db, scope, None, limit).await
}

const IMPORT_SELECT: &str = "SELECT i.id, i.region_code, i.establishment_id,
        e.name AS establishment_name, i.filename, i.guideline, i.rows_read, i.rows_imported,
        i.rows_skipped, u.email AS imported_by, i.created_at
    FROM isolate_imports i
    LEFT JOIN establishments e ON e.id = i.establishment_id
    LEFT JOIN users u ON u.id = i.imported_by";

async fn list_imports_where(
    db: &Db,
    scope: &Scope,
    id: Option<i64>,
    limit: i64,
) -> Result<Vec<Import>> {
    let mut f = crate::Filter::default();
    if let Some(id) = id {
        f.push("i.id = ?", [crate::Arg::Int(id)]);
    }
    f.scope(scope, "i.region_code");
    f.push("NOT i.pending", []);
    let sql = format!(
        "{IMPORT_SELECT}{} ORDER BY i.id DESC LIMIT {limit}",
        f.sql()
    );
    let rows = on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Import::from).collect())
}

/// Number of isolates per region of the scope.
pub async fn count(db: &Db, scope: &Scope) -> Result<i64> {
    let mut f = crate::Filter::default();
    f.scope(scope, "region_code");
    f.push(
        "import_id NOT IN (SELECT id FROM isolate_imports WHERE pending)",
        [],
    );
    let sql = format!("SELECT COUNT(*) FROM isolates{}", f.sql());
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_trimmed() {
        let a = Pseudonymiser::with_secret(b"one");
        let b = Pseudonymiser::with_secret(b"two");
        assert_eq!(a.pseudonym("P0001"), a.pseudonym(" P0001 "));
        assert_ne!(a.pseudonym("P0001"), a.pseudonym("P0002"));
        assert_ne!(a.pseudonym("P0001"), b.pseudonym("P0001"));
        assert_eq!(a.pseudonym("P0001").len(), 32);
        assert!(!a.pseudonym("P0001").contains("P0001"));
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Nothing was stored: the problems (at most [`cratb_amr::problems::MAX_REPORTED`]) and their total.
    #[error("{total} problem(s) in the file")]
    Invalid {
        problems: Vec<ImportProblem>,
        total: usize,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file to import for a region, or for one establishment of it.
pub struct ImportRequest {
    pub region_code: String,
    pub establishment_id: Option<i64>,
    pub filename: String,
    pub bytes: Vec<u8>,
    pub options: cratb_amr::ReadOptions,
    pub imported_by: Option<i64>,
}

/// Reads, interprets, pseudonymises and stores a susceptibility file, all or nothing (or,
/// with `skip_invalid`, the valid rows, reporting exactly what was skipped).
///
/// Rows name their establishment by FINESS in an `establishment` column, or the request names
/// one for the whole file; a FINESS unknown in the region is a problem like any other.
///
/// `entry`, if given, makes the import's audit entry from its outcome; it is written in the
/// transaction that makes the isolates visible.
pub async fn import_file(
    db: &Db,
    scope: &Scope,
    request: ImportRequest,
    progress: &(dyn Fn(usize) + Send + Sync),
    entry: Option<&(dyn Fn(&ImportOutcome) -> NewEntry + Sync)>,
) -> std::result::Result<ImportOutcome, ImportError> {
    if !scope.allows(&request.region_code) {
        return Err(StoreError::NotFound.into());
    }
    let rows: Vec<(i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, finess, sector FROM establishments WHERE region_code = $1")
        .bind(&request.region_code).fetch_all(p).await)
    .map_err(StoreError::from)?;
    let establishments: Vec<Establishment> = rows
        .into_iter()
        .map(|(id, finess, sector)| Establishment { id, finess, sector })
        .collect();
    let chosen = match request.establishment_id {
        Some(id) => Some(
            establishments
                .iter()
                .find(|e| e.id == id)
                .cloned()
                .ok_or(StoreError::Invalid("establishment"))?,
        ),
        None => None,
    };
    let pseudonymiser = Pseudonymiser::load(db).await?;
    let mut options = request.options.clone();
    // Only what is stored is kept from the optional columns (not the laboratory's isolate or
    // ward identifiers).
    options.keep_optional = Some(
        [
            "establishment",
            "specimen",
            "ward_type",
            "sector",
            "age",
            "sex",
        ]
        .map(String::from)
        .to_vec(),
    );
    let skip_invalid = options.skip_invalid;
    let (bytes, region) = (request.bytes, request.region_code.clone());
    let prepared = tokio::task::spawn_blocking(move || {
        prepare(bytes, &options, &establishments, chosen, pseudonymiser)
    })
    .await
    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let mut prepared = prepared?;
    prepared
        .problems
        .truncate(cratb_amr::problems::MAX_REPORTED);
    if !prepared.problems.is_empty() && !skip_invalid {
        return Err(ImportError::Invalid {
            total: prepared.total,
            problems: prepared.problems,
        });
    }
    let mut skipped = std::mem::take(&mut prepared.problems);
    skipped.truncate(cratb_amr::problems::MAX_REPORTED);
    let (rows_read, imported) = (prepared.data.records, prepared.plans.len());
    let guideline = prepared.data.options.guideline_name().to_string();
    let import = NewImport {
        region_code: region,
        establishment_id: request.establishment_id,
        filename: request.filename,
        guideline: guideline.clone(),
        rows_read: rows_read as i64,
        rows_skipped: (rows_read - imported) as i64,
        imported_by: request.imported_by,
    };
    let isolate = |i: usize| prepared.isolate(&prepared.plans[i]);
    let mut outcome = ImportOutcome {
        import_id: 0,
        rows_read,
        rows_imported: imported,
        rows_skipped: rows_read - imported,
        skipped,
        guideline,
    };
    let entry_of = entry.map(|entry| {
        let outcome = &outcome;
        move |id: i64| {
            entry(&ImportOutcome {
                import_id: id,
                ..outcome.clone()
            })
        }
    });
    let entry_of = entry_of.as_ref().map(|e| e as ImportEntry<'_>);
    let import_id =
        import_isolates(db, scope, &import, imported, &isolate, progress, entry_of).await?;
    outcome.import_id = import_id;
    Ok(outcome)
}

/// A file read and checked: which rows go in, with what was decided for each, and what was
/// wrong ([`plan_rows`]). The rows themselves are built when written ([`Prepared::isolate`]).
struct Prepared {
    data: cratb_amr::Dataset,
    plans: Vec<RowPlan>,
    problems: Vec<ImportProblem>,
    total: usize,
    pseudonymiser: Pseudonymiser,
}

impl Prepared {
    fn isolate(&self, plan: &RowPlan) -> NewIsolate {
        let (data, r) = (&self.data, plan.row as usize);
        let text = |name: &str, lower: bool| {
            let value = data.text_column(name).map(|c| c.get(r)).unwrap_or_default();
            if lower {
                value.to_lowercase()
            } else {
                value.to_uppercase()
            }
        };
        let results: Vec<String> = data
            .agents
            .iter()
            .filter(|a| a.results[r] != cratb_amr::Sir::Missing)
            .map(|a| format!("{}={}", a.code, a.results[r].as_str()))
            .collect();
        let (y, m, d) = cratb_amr::read::civil_from_days(data.date[r]);
        let specimen_date = time::Date::from_calendar_date(
            y,
            time::Month::try_from(m as u8).expect("valid month"),
            d as u8,
        )
        .expect("dates are validated when read");
        NewIsolate {
            establishment_id: plan.establishment_id,
            patient_key: self
                .pseudonymiser
                .pseudonym(&data.patients[data.patient[r] as usize]),
            specimen_date,
            organism: cratb_amr::Reference::get()
                .organism_named(data.mo[r])
                .code
                .to_string(),
            specimen: text("specimen", true),
            ward_type: text("ward_type", true),
            sector: plan.sector.to_string(),
            age: plan.age,
            sex: text("sex", false),
            results: results.join(";"),
        }
    }
}

fn prepare(
    bytes: Vec<u8>,
    options: &cratb_amr::ReadOptions,
    establishments: &[Establishment],
    chosen: Option<Establishment>,
    pseudonymiser: Pseudonymiser,
) -> std::result::Result<Prepared, ImportError> {
    // The file's bytes become the dataset's own (kept to write it back), not copied.
    let data = cratb_amr::read_owned(bytes, options).map_err(|invalid| ImportError::Invalid {
        problems: invalid.problems.iter().map(ImportProblem::of).collect(),
        total: invalid.total,
    })?;
    let Planned {
        plans,
        problems,
        total,
    } = plan_rows(&data, establishments, chosen.as_ref());
    Ok(Prepared {
        data,
        plans,
        problems,
        total,
        pseudonymiser,
    })
}

/// The isolates of a region as a dataset for analysis, with the text columns `establishment`
/// (the establishment's id, empty when none), `specimen`, `ward_type` and `sector`.
pub async fn load_dataset(db: &Db, access: &RegionAccess) -> Result<cratb_amr::Dataset> {
    use std::collections::HashMap;
    struct Dict {
        column: cratb_amr::read::TextColumn,
        index: HashMap<String, u32>,
    }
    impl Dict {
        fn new(name: &str) -> Dict {
            Dict {
                column: cratb_amr::read::TextColumn {
                    name: name.into(),
                    ..Default::default()
                },
                index: HashMap::new(),
            }
        }
        fn push(&mut self, value: &str) {
            // A lookup first: a new String only for a value not seen yet, not once per row.
            let code = match self.index.get(value) {
                Some(&code) => code,
                None => {
                    let code = self.column.values.len() as u32;
                    self.column.values.push(value.into());
                    self.index.insert(value.to_string(), code);
                    code
                }
            };
            self.column.codes.push(code);
        }
    }
    let reference = cratb_amr::Reference::get();
    let mut patients: HashMap<String, u32> = HashMap::new();
    let (mut patient, mut date, mut mo) = (Vec::new(), Vec::new(), Vec::new());
    let mut dicts = ["establishment", "specimen", "ward_type", "sector"].map(Dict::new);
    let mut agents: Vec<cratb_amr::read::Agent> = Vec::new();
    let mut agent_of: HashMap<String, usize> = HashMap::new();
    let epoch = time::Date::from_calendar_date(1970, time::Month::January, 1).expect("valid date");
    for_each_isolate(db, access, |i| {
        let Some(m) = reference.organism(&i.organism) else {
            return;
        };
        let row = date.len();
        let next = patients.len() as u32;
        patient.push(*patients.entry(i.patient_key).or_insert(next));
        date.push((i.specimen_date - epoch).whole_days() as i32);
        mo.push(m);
        dicts[0].push(
            &i.establishment_id
                .map(|e| e.to_string())
                .unwrap_or_default(),
        );
        dicts[1].push(&i.specimen);
        dicts[2].push(&i.ward_type);
        dicts[3].push(&i.sector);
        for part in i.results.split(';').filter(|p| !p.is_empty()) {
            let Some((code, sir)) = part.split_once('=') else {
                continue;
            };
            let a = match agent_of.get(code) {
                Some(&a) => a,
                None => {
                    let Some(ab) = reference.antimicrobial(code) else {
                        continue;
                    };
                    agents.push(cratb_amr::read::Agent {
                        ab,
                        code: code.to_string(),
                        sir_col: None,
                        mic_col: None,
                        disk_col: None,
                        results: Vec::new(),
                    });
                    agent_of.insert(code.to_string(), agents.len() - 1);
                    agents.len() - 1
                }
            };
            let results = &mut agents[a].results;
            results.resize(row + 1, cratb_amr::Sir::Missing);
            results[row] = cratb_amr::Sir::parse(sir).unwrap_or_default();
        }
    })
    .await?;
    let n = date.len();
    for a in &mut agents {
        a.results.resize(n, cratb_amr::Sir::Missing);
    }
    // Antimicrobials by class (penicillins, cephalosporins…), then code.
    agents.sort_by(|a, b| {
        let group = |x: &cratb_amr::read::Agent| &*reference.antimicrobials[x.ab as usize].group;
        (group(a), &a.code).cmp(&(group(b), &b.code))
    });
    Ok(cratb_amr::Dataset::from_columns(
        cratb_amr::Options::default(),
        patient,
        date,
        mo,
        dicts.into_iter().map(|d| d.column).collect(),
        agents,
    ))
}

/// Regions of the scope holding imported isolates.
pub async fn regions_with_isolates(db: &Db, scope: &Scope) -> Result<Vec<String>> {
    let mut f = crate::Filter::default();
    f.scope(scope, "region_code");
    f.push("NOT pending", []);
    let sql = format!(
        "SELECT DISTINCT region_code FROM isolate_imports{} ORDER BY region_code",
        f.sql()
    );
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// Id and name of the region's establishments, by name.
pub async fn establishment_names(db: &Db, access: &RegionAccess) -> Result<Vec<(i64, String)>> {
    let region = access.as_str();
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT id, name FROM establishments WHERE region_code = $1 ORDER BY name")
        .bind(region).fetch_all(p).await)?,
    )
}

/// Id, FINESS and sector of the region's establishments.
pub async fn establishment_keys(
    db: &Db,
    access: &RegionAccess,
) -> Result<Vec<(i64, String, String)>> {
    let region = access.as_str();
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT id, finess, sector FROM establishments WHERE region_code = $1 ORDER BY id")
        .bind(region).fetch_all(p).await)?,
    )
}

/// Removes an import and its isolates, in one transaction (the undo of a wrong file). Returns
/// the import as it was, for the audit log; another region's import is `NotFound`.
pub async fn delete_import(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Import> {
    let import = on_tx!(tx, c => sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(format!(
        "{IMPORT_SELECT} WHERE i.id = $1 AND i.pending = FALSE")))
        .bind(id).fetch_optional(c).await)?
    .map(Import::from)
    .filter(|i| scope.allows(&i.region_code))
    .ok_or(StoreError::NotFound)?;
    on_tx!(tx, c => async {
        sqlx::query("DELETE FROM isolates WHERE import_id = $1").bind(id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM isolate_imports WHERE id = $1").bind(id).execute(&mut *c).await?;
        Ok::<(), sqlx::Error>(())
    }.await)?;
    Ok(import)
}

/// What a region's isolates are, in two numbers that change with every import or removal:
/// an in-memory copy with the same stamp is up to date.
pub async fn stamp(db: &Db, access: &RegionAccess) -> Result<(i64, i64)> {
    let region = access.as_str();
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT COALESCE(MAX(id), 0), COUNT(*) FROM isolate_imports WHERE region_code = $1 AND NOT pending")
        .bind(region).fetch_one(p).await)?)
}

/// The guidelines a region's isolates were interpreted with, oldest first.
pub async fn guidelines(db: &Db, access: &RegionAccess) -> Result<Vec<String>> {
    let region = access.as_str();
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT guideline FROM isolate_imports WHERE region_code = $1 AND NOT pending ORDER BY guideline")
        .bind(region).fetch_all(p).await)?)
}

/// An import of the scope by id (`NotFound` for another region's, or one still pending).
pub async fn get_import(db: &Db, scope: &Scope, id: i64) -> Result<Import> {
    list_imports_where(db, scope, Some(id), 1)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// The region's establishments with what their aggregates need: id, name, department and GHT
/// (by name, where it has one).
pub async fn establishment_places(
    db: &Db,
    access: &RegionAccess,
) -> Result<Vec<(i64, String, String, Option<String>)>> {
    let region = access.as_str();
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT e.id, e.name, e.department_code, t.name FROM establishments e
         LEFT JOIN territories t ON t.id = e.ght_id
         WHERE e.region_code = $1 ORDER BY e.name")
        .bind(region).fetch_all(p).await)?)
}

/// The reporting threshold the region's coordinator set, and who set it (none: the default).
pub async fn reporting_floor(db: &Db, access: &RegionAccess) -> Result<Option<(u32, String)>> {
    let region = access.as_str();
    let row: Option<(i32, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT reporting_floor, set_by FROM region_settings WHERE region_code = $1")
        .bind(region).fetch_optional(p).await)?;
    Ok(row.map(|(n, by)| (u32::try_from(n).unwrap_or(u32::MAX), by)))
}

/// Sets the region's reporting threshold (`Invalid("reporting_floor")` out of its bounds).
pub async fn set_reporting_floor(
    tx: &mut Tx,
    access: &RegionAccess,
    floor: u32,
    actor: &str,
) -> Result<()> {
    if !cratb_domain::visibility::FLOOR_RANGE.contains(&floor) {
        return Err(StoreError::Invalid("reporting_floor"));
    }
    let region = access.as_str();
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO region_settings (region_code, reporting_floor, set_by, set_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (region_code) DO UPDATE SET reporting_floor = excluded.reporting_floor,
           set_by = excluded.set_by, set_at = excluded.set_at")
        .bind(region).bind(i32::try_from(floor).map_err(|_| StoreError::Invalid("reporting_floor"))?).bind(actor).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
