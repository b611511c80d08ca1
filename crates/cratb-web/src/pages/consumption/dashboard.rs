//! The region's dashboard: sectors, the trend against the target, AWaRe, classes,
//! establishments among their peers, territories and departments; and its figures as a file.

use super::{FilterView, Filters, filter_view, resolve, viewer};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::download;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_consumption::cube::{CLASSES, Cube, Slice, Totals, sum_years};
use cratb_consumption::peers::{self, Ranked, change};
use cratb_domain::{Category, Lang, geo};
use cratb_report::charts::{self, Box as PeerBox};
use cratb_report::consumption::{
    AwareShare, ClassRow, LeftOutNote, aware_view, class_rows, editions, left_out_note,
    monthly_chart, per_year, stacked_chart, trend_chart, unit_label,
};
use cratb_report::format::{self, decimal, percent, percentile};
use cratb_sheet::write::{Cell, Table};

/// A sector's headline figure.
pub struct SectorCard {
    pub label: &'static str,
    pub unit: &'static str,
    pub value: String,
    pub change: String,
    pub establishments: usize,
}

pub struct EstablishmentRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub value: String,
    pub per_admissions: String,
    pub change: String,
    pub median: String,
    pub percentile: String,
    /// Above the third quartile of its peers.
    pub high: bool,
}

pub struct TerritoryRow {
    /// The filter value that shows the group alone (`None`: outside any group).
    pub filter: Option<String>,
    pub name: String,
    pub establishments: usize,
    pub value: String,
    pub vs_region: String,
}

#[derive(Template)]
#[template(path = "consumption/dashboard.html")]
struct DashboardPage {
    l: Layout,
    region_name: String,
    f: FilterView,
    empty: bool,
    year: i32,
    unit: &'static str,
    class_name: &'static str,
    territory: Option<String>,
    cards: Vec<SectorCard>,
    trend: String,
    target_note: String,
    monthly: String,
    stacked: String,
    peers: String,
    aware: Vec<AwareShare>,
    parenteral: String,
    classes: Vec<ClassRow>,
    top: Vec<(String, String, String)>,
    establishments: Vec<EstablishmentRow>,
    territories: Vec<TerritoryRow>,
    departments: Vec<TerritoryRow>,
    department: Option<String>,
    editions: String,
    left_out: Option<LeftOutNote>,
    can_import: bool,
    can_target: bool,
}

pub async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang;
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if let Some(own) = v.own {
        return Ok(crate::pages::login::redirect(&format!(
            "/consumption/establishments/{own}"
        )));
    }
    let r = resolve(&v.cube, &q);
    let cube = &v.cube;
    let sector = r.slice.sector.clone().unwrap_or_default();
    let target = cratb_store::consumption::target(
        &state.db,
        &crate::pages::region_access(&auth, &v.region)?,
        &sector,
        CLASSES[r.class].code,
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    // One pass over the facts for the slice; the years, the establishments and their peers
    // are all read from it.
    let unit_years = cube.unit_years(&r.slice);
    let years = sum_years(&unit_years);
    let this = years
        .iter()
        .find(|(y, _)| *y == r.year)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let unit = unit_label(&sector, lang);
    let cards = ["ES", "EMS"]
        .into_iter()
        .filter_map(|s| {
            let slice = Slice {
                sector: Some(s.into()),
                ..Slice::default()
            };
            let of_sector = cube.unit_years(&slice);
            let ys = sum_years(&of_sector);
            let now = ys.iter().find(|(y, _)| *y == r.year)?.1.per_1000_days(0);
            let before = ys
                .iter()
                .find(|(y, _)| *y == r.year - 1)
                .and_then(|(_, t)| t.per_1000_days(0));
            Some(SectorCard {
                label: if s == "ES" {
                    lang.pick("Établissements de santé", "Hospitals")
                } else {
                    lang.pick("Établissements médico-sociaux", "Nursing homes")
                },
                unit: unit_label(s, lang),
                value: decimal(now, lang),
                change: format::change(change(before, now), lang),
                establishments: of_sector.iter().filter(|u| u.year == r.year).count(),
            })
        })
        .collect();
    let cname = CLASSES[r.class].name(lang);
    let (trend, target_note) = trend_chart(
        &per_year(&years, r.class),
        &target,
        lang,
        &format!("{cname} — {unit}"),
    );
    let ranked = peers::ranked_among(cube, &unit_years, r.class, r.year);
    let boxes: Vec<PeerBox> = peers::categories(&ranked, cube)
        .into_iter()
        .map(|(c, p)| PeerBox {
            label: Category::parse(&c).map_or(c.clone(), |x| x.label(lang).to_string()),
            position: p,
            marked: None,
        })
        .collect();
    let peers = if boxes.is_empty() {
        String::new()
    } else {
        charts::box_plot(&format!("{cname} {} — {unit}", r.year), &boxes)
    };
    let establishments = ranked
        .iter()
        .map(|x| establishment_row(cube, x, lang))
        .collect();
    // Groups are compared with the whole region (same sector, category and ward type).
    let whole_region = Slice {
        territory: None,
        department: None,
        ..r.slice.clone()
    };
    let region_value = if whole_region.territory == r.slice.territory
        && whole_region.department == r.slice.department
    {
        this.per_1000_days(r.class)
    } else {
        cube.years_total(&whole_region)
            .into_iter()
            .find(|(y, _)| *y == r.year)
            .and_then(|(_, t)| t.per_1000_days(r.class))
    };
    let territories = group_rows(
        cube,
        &ranked,
        r.class,
        region_value,
        |u| u.territory.clone().map(|t| (t.clone(), t)),
        lang.pick("Hors GHT", "No GHT"),
        lang,
    );
    let departments = group_rows(
        cube,
        &ranked,
        r.class,
        region_value,
        |u| {
            let name = geo::department(&u.department)
                .map_or(u.department.clone(), |d| format!("{} ({})", d.name, d.code));
            Some((u.department.clone(), name))
        },
        lang.pick("Inconnu", "Unknown"),
        lang,
    );
    // Substances' names from the newest index, read once for the ten.
    let names = cratb_consumption::DddTable::embedded(cratb_consumption::ddd::LATEST);
    let top = cube
        .top_substances(&r.slice, r.year, 10)
        .into_iter()
        .map(|(atc, ddd)| {
            let name = names
                .as_ref()
                .and_then(|t| t.name(&atc).map(str::to_owned))
                .unwrap_or_default();
            let per = (this.patient_days > 0.0).then(|| 1000.0 * ddd / this.patient_days);
            (atc, name, decimal(per, lang))
        })
        .collect();
    let page = DashboardPage {
        l: Layout::new(&auth, auth.lang.tr().nav_consumption),
        region_name: geo::region(&v.region).map_or("", |g| g.name).to_string(),
        f: filter_view(&auth, &v, &r),
        empty: cube.is_empty(),
        year: r.year,
        unit,
        class_name: cname,
        territory: r.slice.territory.clone(),
        cards,
        trend,
        target_note,
        monthly: monthly_chart(cube, &r.slice, r.class, lang),
        stacked: stacked_chart(&years, lang),
        peers,
        aware: aware_view(&this, lang),
        parenteral: percent(this.parenteral_pct(), lang),
        classes: class_rows(&years, r.year, lang),
        top,
        establishments,
        territories,
        departments,
        department: r
            .slice
            .department
            .as_deref()
            .and_then(geo::department)
            .map(|d| format!("{} ({})", d.name, d.code)),
        editions: editions(cube, lang),
        left_out: left_out_note(cube, &r.slice, r.year, lang),
        can_import: auth.can(cratb_domain::Permission::ImportConsumption),
        can_target: auth.can(cratb_domain::Permission::EditTargets),
    };
    Ok(render(&page))
}

fn establishment_row(cube: &Cube, x: &Ranked, lang: Lang) -> EstablishmentRow {
    let u = &cube.units[x.unit];
    EstablishmentRow {
        id: u.id,
        name: u.name.clone(),
        category: Category::parse(&u.category)
            .map_or(u.category.clone(), |c| c.label(lang).to_string()),
        value: decimal(x.value, lang),
        per_admissions: decimal(x.per_admissions, lang),
        change: format::change(change(x.previous, x.value), lang),
        median: decimal(x.peers.as_ref().map(|p| p.median), lang),
        percentile: percentile(x.peers.as_ref().and_then(|p| p.percentile), lang),
        high: matches!((x.value, &x.peers), (Some(v), Some(p)) if p.peers >= 4 && v > p.q3),
    }
}

/// Each group's figure against the region's (groups: GHTs, departments): `key` gives a unit's
/// group as (filter value, name), or `None` for the units outside any.
fn group_rows(
    cube: &Cube,
    ranked: &[Ranked],
    class: usize,
    region: Option<f64>,
    key: impl Fn(&cratb_consumption::cube::Unit) -> Option<(String, String)>,
    outside: &str,
    lang: Lang,
) -> Vec<TerritoryRow> {
    let mut by: Vec<(Option<String>, String, usize, Totals)> = Vec::new();
    for x in ranked {
        let (value, name) = match key(&cube.units[x.unit]) {
            Some((v, n)) => (Some(v), n),
            None => (None, outside.to_string()),
        };
        match by.iter_mut().find(|(_, n, _, _)| *n == name) {
            Some((_, _, n, t)) => {
                *n += 1;
                t.classes
                    .iter_mut()
                    .zip(&x.totals.classes)
                    .for_each(|(a, b)| *a += b);
                t.patient_days += x.totals.patient_days;
            }
            None => by.push((value, name, 1, x.totals.clone())),
        }
    }
    by.sort_by(|a, b| a.1.cmp(&b.1));
    by.into_iter()
        .map(|(filter, name, n, t)| {
            let v = t.per_1000_days(class);
            TerritoryRow {
                filter,
                name,
                establishments: n,
                value: decimal(v, lang),
                vs_region: format::change(change(region, v), lang),
            }
        })
        .collect()
}

/// The establishments' figures of the filters, as CSV or XLSX.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang;
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if v.own.is_some() {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let cube = &v.cube;
    let mut rows = Vec::new();
    let all = cube.unit_years(&r.slice);
    for (class, c) in CLASSES.iter().enumerate() {
        for x in peers::ranked_among(cube, &all, class, r.year) {
            let u = &cube.units[x.unit];
            rows.push(vec![
                Cell::from(u.finess.as_str()),
                Cell::from(u.name.as_str()),
                Cell::from(u.category.as_str()),
                Cell::from(u.territory.clone()),
                Cell::Integer(r.year.into()),
                Cell::from(c.code),
                Cell::from(Some(x.totals.classes[class])),
                Cell::from(Some(x.totals.patient_days)),
                Cell::from(x.value),
                Cell::from(Some(x.totals.admissions)),
                Cell::from(x.per_admissions),
                Cell::from(x.peers.as_ref().map(|p| p.median)),
                Cell::from(x.peers.as_ref().and_then(|p| p.percentile)),
            ]);
        }
    }
    let sheets = [
        Table::new(
            "Consommation",
            [
                "finess",
                "etablissement",
                "categorie",
                "ght",
                "annee",
                "classe",
                "ddj",
                "journees",
                "ddj_1000_journees",
                "admissions",
                "ddj_100_admissions",
                "mediane_pairs",
                "percentile_pairs",
            ],
            rows,
        ),
        Table::new(
            "Sources",
            ["source"],
            vec![
                vec![Cell::from(editions(cube, lang))],
                vec![Cell::from(unit_label(
                    r.slice.sector.as_deref().unwrap_or("ES"),
                    lang,
                ))],
            ],
        ),
    ];
    download(
        &format!("consommation-{}-{}", v.region, r.year),
        &format,
        sheets,
        auth.lang,
    )
}
