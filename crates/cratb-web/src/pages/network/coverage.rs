//! Coverage of a region by the conventions in force: a map of departments, the table per
//! department and sector, the establishments and CPTS not covered, exports.

use super::percent;
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::download;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render};
use askama::Template;
use axum::extract::State;
use cratb_domain::Lang;
use cratb_domain::{Category, Permission, Scope, Sector, geo};
use cratb_report::map::{Shade, departments_svg, share_colour, share_legend};
use cratb_sheet::write::{Cell, Table};
use cratb_store::network::{self, Coverage, CoverageCell, CoveredUnit};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CoverageQuery {
    /// National accounts: the region to show.
    region: Option<String>,
}

/// The region a caller looks at: their own, or the one a national account picked (else the
/// region with the most establishments).
async fn region_of(state: &AppState, auth: &Auth, q: &CoverageQuery) -> Result<String, PageError> {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    match scope {
        Scope::Region(r) => Ok(r.as_str().to_owned()),
        Scope::National => match non_empty(&q.region) {
            Some(r) if geo::region(&r).is_some() => Ok(r),
            Some(_) => Err(PageError::NotFound(lang)),
            None => Ok(network::busiest_region(&state.db)
                .await
                .map_err(PageError::store(lang))?
                .unwrap_or_else(|| "84".into())),
        },
    }
}

/// A line of the coverage table.
pub struct Line {
    pub department: String,
    pub sector: &'static str,
    pub cell: CoverageCell,
    pub share: String,
    pub capacity_share: String,
}

impl Line {
    fn new(c: CoverageCell, lang: Lang) -> Line {
        Line {
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

#[derive(Template)]
#[template(path = "network/coverage.html")]
struct CoveragePage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    map: Option<String>,
    legend: [(&'static str, &'static str); 6],
    totals: Vec<Line>,
    lines: Vec<Line>,
    uncovered: Vec<Uncovered>,
    can_edit: bool,
}

/// The share of ES and EMS (not CPTS) covered in each department, for the map.
fn shades(c: &Coverage, lang: Lang) -> Vec<Shade> {
    let mut per_dep: Vec<CoverageCell> = Vec::new();
    for cell in c.cells.iter().filter(|x| x.sector != Sector::Ville.code()) {
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
            Shade {
                title: {
                    let (covered, units) = (d.covered, d.units);
                    lang.pick(
                        format!("{name} : {share} ({covered}/{units} ES et EMS couverts)"),
                        format!("{name}: {share} ({covered}/{units} ES and EMS covered)"),
                    )
                },
                fill: share_colour(d.share()),
                href: None,
                code: d.department_code,
            }
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CoverageQuery>,
) -> PageResult {
    let lang = auth.lang;
    let region = region_of(&state, &auth, &q).await?;
    let today = cratb_store::now().date();
    let c = network::coverage(&state.db, &region, today)
        .await
        .map_err(PageError::store(lang))?;
    let region_name = geo::region(&region).map_or("", |r| r.name).to_string();
    let national = matches!(auth.page_user()?.1, Scope::National);
    let map = departments_svg(
        &shades(&c, lang),
        640.0,
        &format!("{} — {region_name}", lang.tr().net_coverage),
    );
    let uncovered = c
        .units
        .iter()
        .filter(|u| !u.covered)
        .map(|u| Uncovered {
            category: Category::parse(&u.category).map_or("CPTS", |x| x.label(lang)),
            department: u.department_code.clone(),
            u: u.clone(),
        })
        .collect();
    Ok(render(&CoveragePage {
        l: Layout::new(&auth, lang.tr().net_coverage),
        regions: if national {
            options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &region)
        } else {
            Vec::new()
        },
        map,
        legend: share_legend(),
        totals: c
            .by_sector()
            .into_iter()
            .map(|x| Line::new(x, lang))
            .collect(),
        lines: c
            .cells
            .iter()
            .cloned()
            .map(|x| Line::new(x, lang))
            .collect(),
        uncovered,
        can_edit: auth.can(Permission::EditDirectory),
        region,
        region_name,
    }))
}

/// The coverage table and the uncovered list as CSV (the table) or XLSX (both sheets).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<CoverageQuery>,
) -> PageResult {
    let lang = auth.lang;
    let region = region_of(&state, &auth, &q).await?;
    let c = network::coverage(&state.db, &region, cratb_store::now().date())
        .await
        .map_err(PageError::store(lang))?;
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
        c.cells
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
        c.units
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
    download(
        &format!("couverture-{region}"),
        &format,
        [table, uncovered],
        lang,
    )
}
