//! Reference geography (regions, departments, kept in step with `cratb_domain::geo`) and
//! territories (GHT hospital groups and CPTS primary-care communities).

use crate::Dialect;
use crate::{
    Arg, Db, FieldError, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx,
};
use cratb_domain::{Scope, geo};
use serde::Serialize;

/// Upserts the 18 regions and 101 departments from the domain's tables.
pub async fn sync_geography(db: &Db) -> Result<()> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        for r in geo::REGIONS {
            sqlx::query("INSERT INTO regions (code, name, overseas) VALUES ($1, $2, $3)
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, overseas = excluded.overseas")
                .bind(r.code).bind(r.name).bind(r.overseas).execute(&mut *tx).await?;
        }
        for d in geo::DEPARTMENTS {
            sqlx::query("INSERT INTO departments (code, name, region_code) VALUES ($1, $2, $3)
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code")
                .bind(d.code).bind(d.name).bind(d.region).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// A GHT or a CPTS.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Territory {
    pub id: i64,
    /// `GHT` or `CPTS`.
    pub kind: String,
    pub name: String,
    pub region_code: String,
    /// Department codes, comma-separated in storage order.
    pub departments: String,
}

/// A validated territory to create. Build it with [`NewTerritory::validate`].
#[derive(Debug, Clone)]
pub struct NewTerritory {
    pub kind: &'static str,
    pub name: String,
    /// The region of its departments.
    pub region: &'static str,
    pub departments: Vec<&'static str>,
}

impl NewTerritory {
    /// Checks the kind (`GHT`, `CPTS`), the name and the departments, which must exist and
    /// all lie in one region; returns every error at once.
    pub fn validate(
        kind: &str,
        name: &str,
        departments: &[&str],
    ) -> Result<NewTerritory, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = match kind.trim().to_uppercase().as_str() {
            "GHT" => Some("GHT"),
            "CPTS" => Some("CPTS"),
            _ => {
                errors.push(FieldError::new(
                    "kind",
                    "choisissez GHT ou CPTS",
                    "choose GHT or CPTS",
                ));
                None
            }
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new(
                "name",
                "le nom est obligatoire (200 caractères au plus)",
                "the name is required (200 characters at most)",
            ));
        }
        let mut deps = Vec::new();
        for d in departments {
            match geo::department(d) {
                Some(dep) if !deps.contains(&dep.code) => deps.push(dep.code),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "departments",
                    format!("« {d} » n'est pas un code de département"),
                    format!("“{d}” is not a department code"),
                )),
            }
        }
        let regions: Vec<&str> = deps
            .iter()
            .filter_map(|d| geo::department(d))
            .map(|d| d.region)
            .collect();
        if deps.is_empty() && !errors.iter().any(|e| e.field == "departments") {
            errors.push(FieldError::new(
                "departments",
                "choisissez au moins un département",
                "choose at least one department",
            ));
        } else if regions.windows(2).any(|w| w[0] != w[1]) {
            errors.push(FieldError::new(
                "departments",
                "les départements d'un territoire sont dans une même région",
                "the departments of a territory are in one region",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewTerritory {
            kind: kind.expect("checked"),
            name: name.to_owned(),
            region: regions[0],
            departments: deps,
        })
    }
}

/// Creates a territory with its departments; its region must be within `scope`.
pub async fn create_territory(tx: &mut Tx, scope: &Scope, t: &NewTerritory) -> Result<i64> {
    if !scope.allows(t.region) {
        return Err(StoreError::Invalid("departments"));
    }
    let at = now();
    let id = on_tx!(tx, c => {
        let id: i64 = sqlx::query_scalar("INSERT INTO territories (kind, name, region_code, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(t.kind).bind(&t.name).bind(t.region).bind(at)
            .fetch_one(&mut *c).await.map_err(conflict_on("name"))?;
        for d in &t.departments {
            sqlx::query("INSERT INTO territory_departments (territory_id, department_code) VALUES ($1, $2)")
                .bind(id).bind(*d).execute(&mut *c).await?;
        }
        id
    });
    Ok(id)
}

/// Territories visible in `scope`, optionally of one kind, by region then name.
pub async fn list_territories(
    db: &Db,
    scope: &Scope,
    kind: Option<&str>,
) -> Result<Vec<Territory>> {
    let mut f = Filter::default();
    f.scope(scope, "t.region_code");
    if let Some(k) = kind {
        f.push("t.kind = ?", [Arg::Text(k.to_owned())]);
    }
    let sql = format!(
        "SELECT t.id, t.kind, t.name, t.region_code,
                COALESCE((SELECT {agg} FROM territory_departments td WHERE td.territory_id = t.id), '') AS departments
         FROM territories t{} ORDER BY t.region_code, t.kind, t.name",
        f.sql(),
        agg = on_db!(db, p => p.comma_list("td.department_code"))
    );
    let rows = on_db!(db, p => bind_args!(sqlx::query_as::<_, Territory>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_validation() {
        let t = NewTerritory::validate("ght", " GHT Isère Nord ", &["38", "38"]).unwrap();
        assert_eq!(
            (t.kind, t.name.as_str(), t.region, t.departments.as_slice()),
            ("GHT", "GHT Isère Nord", "84", &["38"][..])
        );
        let t = NewTerritory::validate("CPTS", "CPTS du Pays Voironnais", &["2a", "2B"]).unwrap();
        assert_eq!(
            (t.region, t.departments.as_slice()),
            ("94", &["2A", "2B"][..])
        );
        let fields = |r: Result<NewTerritory, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(NewTerritory::validate("GHU", "", &[])),
            ["kind", "name", "departments"]
        );
        assert_eq!(
            fields(NewTerritory::validate("GHT", "x", &["38", "35"])),
            ["departments"]
        );
        assert_eq!(
            fields(NewTerritory::validate("GHT", "x", &["99"])),
            ["departments"]
        );
    }
}
