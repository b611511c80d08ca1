//! How much of a region the conventions in force cover, per department and sector.

use crate::{Db, Result, on_db};
use cratb_directory::network::{Coverage, CoveredUnit};
use cratb_domain::RegionAccess;
use time::Date;

/// An establishment or CPTS as read, with whether it is covered.
#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    name: String,
    finess: Option<String>,
    category: String,
    sector: String,
    department_code: String,
    commune: Option<String>,
    beds: Option<i64>,
    covered: bool,
}

impl From<UnitRow> for CoveredUnit {
    fn from(r: UnitRow) -> CoveredUnit {
        CoveredUnit {
            id: r.id,
            name: r.name,
            finess: r.finess,
            category: r.category,
            sector: r.sector,
            department_code: r.department_code,
            commune: r.commune,
            beds: r.beds,
            covered: r.covered,
        }
    }
}

/// The coverage of a region on `today`: an ES or EMS is covered by a signed convention not yet
/// expired, or by hosting a team; a CPTS by a signed convention. A CPTS spanning several
/// departments counts in each ([`Coverage::tally`]).
pub async fn coverage(db: &Db, access: &RegionAccess, today: Date) -> Result<Coverage> {
    let region = access.as_str();
    let mut units: Vec<UnitRow> = on_db!(db, p => sqlx::query_as::<_, UnitRow>(
        "SELECT e.id, e.name, e.finess, e.category, e.sector, e.department_code, e.commune, e.beds,
            (EXISTS (SELECT 1 FROM conventions c WHERE c.establishment_id = e.id AND c.status = 'signed'
                       AND (c.expires_on IS NULL OR c.expires_on >= $2))
             OR EXISTS (SELECT 1 FROM ema_teams t WHERE t.host_establishment_id = e.id)) AS covered
         FROM establishments e WHERE e.region_code = $1 AND e.sector IN ('ES', 'EMS')
         ORDER BY e.department_code, e.name")
        .bind(region).bind(today).fetch_all(p).await)?;
    let cpts: Vec<UnitRow> = on_db!(db, p => sqlx::query_as::<_, UnitRow>(
        "SELECT k.id, k.name, NULL AS finess, 'CPTS' AS category, 'VILLE' AS sector, d.department_code,
            NULL AS commune, NULL AS beds,
            EXISTS (SELECT 1 FROM conventions c WHERE c.cpts_id = k.id AND c.status = 'signed'
                      AND (c.expires_on IS NULL OR c.expires_on >= $2)) AS covered
         FROM territories k JOIN territory_departments d ON d.territory_id = k.id
         WHERE k.region_code = $1 AND k.kind = 'CPTS' ORDER BY d.department_code, k.name")
        .bind(region).bind(today).fetch_all(p).await)?;
    units.extend(cpts);
    Ok(Coverage::tally(
        region,
        today,
        units.into_iter().map(CoveredUnit::from).collect(),
    ))
}

/// The region with the most establishments (the default view of a national account).
pub async fn busiest_region(db: &Db) -> Result<Option<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT region_code FROM establishments GROUP BY region_code ORDER BY COUNT(*) DESC, region_code LIMIT 1")
        .fetch_optional(p).await)?)
}
