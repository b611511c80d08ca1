//! How much of a region the conventions in force cover, per department and sector.

use super::percent;
use cratb_domain::{Category, Lang, Sector, geo};
use cratb_sheet::write::{Cell, Table};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// An establishment (or CPTS) and whether a convention in force, or hosting a team, covers it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub region_code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    /// Per department and sector (`ES`, `EMS`, `VILLE` = CPTS), departments in code order.
    pub cells: Vec<CoverageCell>,
    /// Every establishment and CPTS with its coverage.
    pub units: Vec<CoveredUnit>,
}

impl Coverage {
    /// The coverage of `region` on `on` from its units, each already known covered or not:
    /// one cell per department of the region and sector, a unit counting in its department's
    /// cell of its sector (a CPTS spanning several departments comes once per department).
    pub fn tally(region: &str, on: Date, units: Vec<CoveredUnit>) -> Coverage {
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
        Coverage {
            region_code: region.to_string(),
            on,
            cells: cells.into_values().collect(),
            units,
        }
    }

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

    /// The ES and EMS (not the CPTS) of each department, counted together, with the words of
    /// the map's tooltip (`Isère : 50 % (1/2 ES et EMS couverts)`): (department code, share,
    /// tooltip).
    pub fn institutions_by_department(&self, lang: Lang) -> Vec<(String, Option<f64>, String)> {
        let mut per_dep: Vec<CoverageCell> = Vec::new();
        for cell in self
            .cells
            .iter()
            .filter(|x| x.sector != Sector::Ville.code())
        {
            match per_dep
                .iter_mut()
                .find(|x| x.department_code == cell.department_code)
            {
                Some(x) => {
                    x.units += cell.units;
                    x.covered += cell.covered;
                }
                None => per_dep.push(cell.clone()),
            }
        }
        per_dep
            .into_iter()
            .map(|d| {
                let name = geo::department(&d.department_code).map_or("", |x| x.name);
                let share = percent(d.share());
                let (covered, units) = (d.covered, d.units);
                let title = lang.pick(
                    format!("{name} : {share} ({covered}/{units} ES et EMS couverts)"),
                    format!("{name}: {share} ({covered}/{units} ES and EMS covered)"),
                );
                (d.department_code.clone(), d.share(), title)
            })
            .collect()
    }

    /// The establishments and CPTS no convention covers, labelled.
    pub fn uncovered(&self, lang: Lang) -> Vec<Uncovered> {
        self.units
            .iter()
            .filter(|u| !u.covered)
            .map(|u| Uncovered {
                category: Category::parse(&u.category).map_or("CPTS", |x| x.label(lang)),
                department: u.department_code.clone(),
                u: u.clone(),
            })
            .collect()
    }

    /// The export: the table per department and sector, and the units not covered.
    pub fn tables(&self) -> [Table; 2] {
        let table = Table::new(
            "Couverture",
            [
                "department_code",
                "department",
                "sector",
                "units",
                "covered",
                "share_percent",
                "capacity",
                "capacity_covered",
                "capacity_share_percent",
            ],
            self.cells
                .iter()
                .map(|x| {
                    vec![
                        x.department_code.as_str().into(),
                        geo::department(&x.department_code)
                            .map_or("", |d| d.name)
                            .into(),
                        x.sector.as_str().into(),
                        x.units.into(),
                        x.covered.into(),
                        x.share().into(),
                        x.capacity.into(),
                        x.capacity_covered.into(),
                        x.capacity_share().into(),
                    ]
                })
                .collect(),
        );
        let uncovered = Table::new(
            "Non couverts",
            [
                "department_code",
                "sector",
                "category",
                "finess",
                "name",
                "commune",
                "capacity",
            ],
            self.units
                .iter()
                .filter(|u| !u.covered)
                .map(|u| {
                    vec![
                        u.department_code.as_str().into(),
                        u.sector.as_str().into(),
                        u.category.as_str().into(),
                        u.finess.clone().into(),
                        u.name.as_str().into(),
                        u.commune.clone().into(),
                        u.beds.map_or(Cell::Empty, Cell::from),
                    ]
                })
                .collect(),
        );
        [table, uncovered]
    }
}

/// A line of the coverage table, labelled.
pub struct CoverageLine {
    pub department: String,
    pub sector: &'static str,
    pub cell: CoverageCell,
    pub share: String,
    pub capacity_share: String,
}

impl CoverageLine {
    pub fn new(c: CoverageCell, lang: Lang) -> CoverageLine {
        CoverageLine {
            department: geo::department(&c.department_code)
                .map_or(c.department_code.clone(), |d| {
                    format!("{} ({})", d.name, d.code)
                }),
            sector: Sector::parse(&c.sector).map_or("", |s| s.label(lang)),
            share: percent(c.share()),
            capacity_share: percent(c.capacity_share()),
            cell: c,
        }
    }
}

/// An establishment or CPTS without coverage.
pub struct Uncovered {
    pub u: CoveredUnit,
    pub category: &'static str,
    pub department: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn unit(id: i64, dep: &str, sector: &str, beds: Option<i64>, covered: bool) -> CoveredUnit {
        CoveredUnit {
            id,
            name: format!("unit {id}"),
            finess: None,
            category: if sector == "VILLE" { "CPTS" } else { "CH" }.into(),
            sector: sector.into(),
            department_code: dep.into(),
            commune: None,
            beds,
            covered,
        }
    }

    #[test]
    fn cells_count_units_and_capacity_per_department_and_sector() {
        let c = Coverage::tally(
            "84",
            date!(2026 - 06 - 01),
            vec![
                unit(1, "38", "ES", Some(200), true),
                unit(2, "38", "ES", Some(40), false),
                unit(3, "38", "EMS", Some(80), true),
                unit(4, "38", "VILLE", None, false),
                unit(5, "29", "ES", Some(10), true),
            ],
        );
        assert_eq!(c.cells.len(), geo::departments_of("84").count() * 3);
        let es = c
            .cells
            .iter()
            .find(|x| x.department_code == "38" && x.sector == "ES")
            .unwrap();
        assert_eq!(
            (es.units, es.covered, es.capacity, es.capacity_covered),
            (2, 1, 240, 200)
        );
        assert_eq!(es.share(), Some(50.0));
        let isere = c
            .institutions_by_department(Lang::Fr)
            .into_iter()
            .find(|d| d.0 == "38")
            .unwrap();
        assert_eq!(isere.2, "Isère : 67 % (2/3 ES et EMS couverts)");
        assert_eq!(c.uncovered(Lang::Fr).len(), 2);
        let ville = &c.by_sector()[2];
        assert_eq!((ville.units, ville.share()), (1, Some(0.0)));
    }
}
