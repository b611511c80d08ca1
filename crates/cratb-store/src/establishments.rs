//! Establishments of the network (hospitals, nursing homes, primary-care structures),
//! always read and written within a region [`Scope`].

use crate::{
    Arg, Db, FieldError, Filter, Page, PageRequest, Result, StoreError, Tx, bind_args, conflict_on,
    now, on_db, on_tx,
};
use cratb_domain::{Category, Finess, Scope, geo};
use serde::{Deserialize, Serialize};

/// An establishment as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Establishment {
    pub id: i64,
    /// FINESS number (9 characters, check key verified).
    pub finess: String,
    pub name: String,
    /// `ES`, `EMS` or `VILLE`.
    pub sector: String,
    /// Category code (`CHU`, `CH`, `CLINIQUE`, `SSR`, `PSY`, `HAD`, `EHPAD`, `MAS_FAM`, `AUTRE_EMS`, `LABO`, `PHARMACIE`, `CDS`).
    pub category: String,
    pub department_code: String,
    pub region_code: String,
    pub ght_id: Option<i64>,
    pub ght_name: Option<String>,
    pub beds: Option<i64>,
    /// The town (commune) where it stands.
    pub commune: Option<String>,
}

/// A validated establishment to create or update. Build it with [`NewEstablishment::validate`].
#[derive(Debug, Clone)]
pub struct NewEstablishment {
    pub finess: Finess,
    pub name: String,
    pub category: Category,
    pub department: String,
    pub ght_id: Option<i64>,
    pub beds: Option<i64>,
    pub commune: Option<String>,
}

/// Raw input, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EstablishmentInput {
    pub finess: Option<String>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub ght_id: Option<i64>,
    pub beds: Option<i64>,
    /// The town (commune) where it stands.
    pub commune: Option<String>,
}

impl NewEstablishment {
    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &EstablishmentInput) -> Result<NewEstablishment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |e: FieldError| errors.push(e);
        let finess = match input.finess.as_deref().map(Finess::parse) {
            None => {
                err(FieldError::new(
                    "finess",
                    "le numéro FINESS est obligatoire",
                    "the FINESS number is required",
                ));
                None
            }
            Some(Err(e)) => {
                err(FieldError::of("finess", &e));
                None
            }
            Some(Ok(f)) => Some(f),
        };
        let name = input.name.as_deref().map(str::trim).unwrap_or("");
        if name.is_empty() {
            err(FieldError::new(
                "name",
                "le nom est obligatoire",
                "the name is required",
            ));
        } else if name.chars().count() > 200 {
            err(FieldError::new(
                "name",
                "le nom ne peut dépasser 200 caractères",
                "the name cannot exceed 200 characters",
            ));
        }
        let category = match input.category.as_deref().map(Category::parse) {
            Some(Some(c)) => Some(c),
            _ => {
                err(FieldError::new(
                    "category",
                    "choisissez une catégorie dans la liste",
                    "choose a category from the list",
                ));
                None
            }
        };
        let department = input.department.as_deref().map(str::trim).unwrap_or("");
        let dep = geo::department(department);
        if department.is_empty() {
            err(FieldError::new(
                "department",
                "choisissez un département",
                "choose a department",
            ));
        } else if dep.is_none() {
            err(FieldError::new(
                "department",
                format!("« {department} » n'est pas un code de département (ex. 38, 2A, 974)"),
                format!("“{department}” is not a department code (e.g. 38, 2A, 974)"),
            ));
        }
        if let Some(b) = input.beds
            && !(0..=20_000).contains(&b)
        {
            err(FieldError::new(
                "beds",
                "le nombre de lits doit être compris entre 0 et 20 000",
                "the number of beds must be between 0 and 20,000",
            ));
        }
        let commune = input
            .commune
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if commune.is_some_and(|c| c.chars().count() > 100) {
            err(FieldError::new(
                "commune",
                "la commune ne peut dépasser 100 caractères",
                "the town cannot exceed 100 characters",
            ));
        }
        if let (Some(f), Some(d)) = (&finess, dep)
            && f.department() != d.code
        {
            err(FieldError::new(
                "finess",
                format!(
                    "ce numéro FINESS est celui d'un établissement du département {}, pas du {}",
                    f.department(),
                    d.code
                ),
                format!(
                    "this FINESS number belongs to an establishment of department {}, not {}",
                    f.department(),
                    d.code
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewEstablishment {
            finess: finess.expect("checked"),
            name: name.to_owned(),
            category: category.expect("checked"),
            department: dep.expect("checked").code.to_owned(),
            ght_id: input.ght_id,
            beds: input.beds,
            commune: commune.map(str::to_owned),
        })
    }

    /// The region of its department.
    pub fn region(&self) -> &'static str {
        geo::department(&self.department)
            .map(|d| d.region)
            .unwrap_or("")
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
    crate::fetch_page(
        db,
        SELECT,
        "SELECT COUNT(*) FROM establishments e",
        &f,
        "e.name, e.id",
        page,
    )
    .await
}

/// Every establishment visible in `scope`, by name (for exports).
pub async fn all(db: &Db, scope: &Scope) -> Result<Vec<Establishment>> {
    let mut f = Filter::default();
    f.scope(scope, "e.region_code");
    let sql = format!("{SELECT}{} ORDER BY e.name, e.id", f.sql());
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_as::<_, Establishment>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// One establishment, if it exists and is visible in `scope` (otherwise [`StoreError::NotFound`]).
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Establishment> {
    let mut f = Filter::default();
    f.push("e.id = ?", [Arg::Int(id)])
        .scope(scope, "e.region_code");
    let sql = format!("{SELECT}{}", f.sql());
    on_db!(db, p => bind_args!(sqlx::query_as::<_, Establishment>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
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

/// Creates an establishment; its region must be within `scope`.
pub async fn create(tx: &mut Tx, scope: &Scope, e: &NewEstablishment) -> Result<i64> {
    let region = e.region();
    if !scope.allows(region) {
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

/// Replaces an establishment's fields; both its current and its new region must be within `scope`.
pub async fn update(tx: &mut Tx, scope: &Scope, id: i64, e: &NewEstablishment) -> Result<()> {
    let current: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM establishments WHERE id = $1").bind(id).fetch_optional(c).await)?;
    if !current.is_some_and(|r| scope.allows(&r)) {
        return Err(StoreError::NotFound);
    }
    let region = e.region();
    if !scope.allows(region) {
        return Err(StoreError::Invalid("department"));
    }
    check_ght(tx, e.ght_id, region).await?;
    let at = now();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE establishments SET finess = $1, name = $2, sector = $3, category = $4, department_code = $5,
            region_code = $6, ght_id = $7, beds = $8, updated_at = $9, commune = $11 WHERE id = $10")
        .bind(e.finess.as_str()).bind(&e.name).bind(e.category.sector().code()).bind(e.category.code())
        .bind(&e.department).bind(region).bind(e.ght_id).bind(e.beds).bind(at).bind(id).bind(&e.commune)
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
