//! How much of a region the conventions in force cover, per department and sector.

use crate::{Db, Result, on_db};
use cratb_domain::{Sector, geo};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// An establishment (or CPTS) and whether a convention in force, or hosting a team, covers it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CoveredUnit {
    pub id: i64,
    pub name: String,
    pub finess: Option<String>,
    pub category: String,
    pub sector: String,
    pub department_code: String,
    pub commune: Option<String>,
    /// Beds (ES) or places (EMS).
    pub beds: Option<i64>,
    pub covered: bool,
}

/// Coverage of one department and sector.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct CoverageCell {
    pub department_code: String,
    pub sector: String,
    /// Establishments (or CPTS for `VILLE`).
    pub units: i64,
    pub covered: i64,
    /// Beds / places of those establishments, and of the covered ones.
    pub capacity: i64,
    pub capacity_covered: i64,
}

impl CoverageCell {
    fn add(&mut self, u: &CoveredUnit) {
        self.units += 1;
        self.capacity += u.beds.unwrap_or(0);
        if u.covered {
            self.covered += 1;
            self.capacity_covered += u.beds.unwrap_or(0);
        }
    }
    /// Share of units covered, in percent (`None` without units).
    pub fn share(&self) -> Option<f64> {
        (self.units > 0).then(|| 100.0 * self.covered as f64 / self.units as f64)
    }
    /// Share of beds / places covered, in percent (`None` without capacity).
    pub fn capacity_share(&self) -> Option<f64> {
        (self.capacity > 0).then(|| 100.0 * self.capacity_covered as f64 / self.capacity as f64)
    }
}

/// A region's coverage by conventions in force on a day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub region_code: String,
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    /// Per department and sector (`ES`, `EMS`, `VILLE` = CPTS), departments in code order.
    pub cells: Vec<CoverageCell>,
    /// Every establishment and CPTS with its coverage.
    pub units: Vec<CoveredUnit>,
}

impl Coverage {
    /// Totals per department, all sectors together (`sector` = `*`).
    pub fn by_department(&self) -> Vec<CoverageCell> {
        let mut map: BTreeMap<&str, CoverageCell> = BTreeMap::new();
        for c in &self.cells {
            let t = map
                .entry(&c.department_code)
                .or_insert_with(|| CoverageCell {
                    department_code: c.department_code.clone(),
                    sector: "*".into(),
                    ..Default::default()
                });
            t.units += c.units;
            t.covered += c.covered;
            t.capacity += c.capacity;
            t.capacity_covered += c.capacity_covered;
        }
        map.into_values().collect()
    }

    /// Totals per sector for the whole region (`department_code` = `*`).
    pub fn by_sector(&self) -> Vec<CoverageCell> {
        Sector::ALL
            .iter()
            .map(|s| {
                let mut t = CoverageCell {
                    department_code: "*".into(),
                    sector: s.code().into(),
                    ..Default::default()
                };
                for c in self.cells.iter().filter(|c| c.sector == s.code()) {
                    t.units += c.units;
                    t.covered += c.covered;
                    t.capacity += c.capacity;
                    t.capacity_covered += c.capacity_covered;
                }
                t
            })
            .collect()
    }
}

/// The coverage of a region on `today`: an ES or EMS is covered by a signed convention not yet
/// expired, or by hosting a team; a CPTS by a signed convention. A CPTS spanning several
/// departments counts in each.
pub async fn coverage(db: &Db, region: &str, today: Date) -> Result<Coverage> {
    let mut units: Vec<CoveredUnit> = on_db!(db, p => sqlx::query_as::<_, CoveredUnit>(
        "SELECT e.id, e.name, e.finess, e.category, e.sector, e.department_code, e.commune, e.beds,
            (EXISTS (SELECT 1 FROM conventions c WHERE c.establishment_id = e.id AND c.status = 'signed'
                       AND (c.expires_on IS NULL OR c.expires_on >= $2))
             OR EXISTS (SELECT 1 FROM ema_teams t WHERE t.host_establishment_id = e.id)) AS covered
         FROM establishments e WHERE e.region_code = $1 AND e.sector IN ('ES', 'EMS')
         ORDER BY e.department_code, e.name")
        .bind(region).bind(today).fetch_all(p).await)?;
    let cpts: Vec<CoveredUnit> = on_db!(db, p => sqlx::query_as::<_, CoveredUnit>(
        "SELECT k.id, k.name, NULL AS finess, 'CPTS' AS category, 'VILLE' AS sector, d.department_code,
            NULL AS commune, NULL AS beds,
            EXISTS (SELECT 1 FROM conventions c WHERE c.cpts_id = k.id AND c.status = 'signed'
                      AND (c.expires_on IS NULL OR c.expires_on >= $2)) AS covered
         FROM territories k JOIN territory_departments d ON d.territory_id = k.id
         WHERE k.region_code = $1 AND k.kind = 'CPTS' ORDER BY d.department_code, k.name")
        .bind(region).bind(today).fetch_all(p).await)?;
    units.extend(cpts);
    let mut cells: BTreeMap<(String, &'static str), CoverageCell> = BTreeMap::new();
    for d in geo::departments_of(region) {
        for s in Sector::ALL {
            cells.insert(
                (d.code.to_string(), s.code()),
                CoverageCell {
                    department_code: d.code.into(),
                    sector: s.code().into(),
                    ..Default::default()
                },
            );
        }
    }
    for u in &units {
        let sector = Sector::parse(&u.sector).unwrap_or(Sector::Ville).code();
        if let Some(c) = cells.get_mut(&(u.department_code.clone(), sector)) {
            c.add(u);
        }
    }
    Ok(Coverage {
        region_code: region.to_string(),
        on: today,
        cells: cells.into_values().collect(),
        units,
    })
}

/// The region with the most establishments (the default view of a national account).
pub async fn busiest_region(db: &Db) -> Result<Option<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT region_code FROM establishments GROUP BY region_code ORDER BY COUNT(*) DESC, region_code LIMIT 1")
        .fetch_optional(p).await)?)
}
