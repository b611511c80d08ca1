//! Reference geography (regions, departments, kept in step with `cratb_domain::geo`) and
//! territories (GHT hospital groups and CPTS primary-care communities).

use crate::Dialect;
use crate::{Arg, Db, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx};
use cratb_domain::{NewTerritory, RegionAccess, Scope, Territory, geo};

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

/// A territory as stored (see [`Territory`]).
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    name: String,
    region_code: String,
    departments: String,
}

impl From<Row> for Territory {
    fn from(r: Row) -> Territory {
        Territory {
            id: r.id,
            kind: r.kind,
            name: r.name,
            region_code: r.region_code,
            departments: r.departments,
        }
    }
}

/// Creates a territory with its departments in the region of `access`, which must be theirs
/// (otherwise [`StoreError::Invalid`] on `departments`).
pub async fn create_territory(tx: &mut Tx, access: &RegionAccess, t: &NewTerritory) -> Result<i64> {
    if access.as_str() != t.region {
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
    let rows = on_db!(db, p => bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Territory::from).collect())
}
