//! The "Consommation" section: the region dashboard (sectors, trend against the target,
//! AWaRe, classes, establishments among their peers, territories), an establishment's page,
//! its feedback report in PDF (one, or all in a ZIP), and exports.
//!
//! Who sees what, on the server: the region's staff, its EMA and the agency see the region; a
//! referent sees their own establishment only, with its peers as an anonymous distribution.

pub mod ddd;
pub mod imports;
pub mod primary;
pub mod targets;

use crate::AppState;
use crate::auth::Auth;
use crate::charts::{self, Box as PeerBox, Reference, Stack};
use crate::consumption::{self as model, Ranked, change, class_name, fmt, fmt_change, unit_label};
use crate::error::PageError;
use crate::export::download;
use crate::input::{Path, Query, Year};
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cratb_consumption::cube::{CLASSES, Cube, GROUPS, Slice, Totals, UnitYear, sum_years};
use cratb_consumption::hospital::Missing;
use cratb_consumption::indicators::Aware;
use cratb_domain::{Category, Role, Scope, geo};
use cratb_sheet::write::{Cell, Table};
use cratb_store::consumption::Target;
use serde::Deserialize;
use std::sync::Arc;

/// The filters of every consumption screen and of the API (all optional; a year outside
/// 1900–2100 is refused, unknown values of the others are ignored).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct Filters {
    /// National accounts: the region (INSEE code); others: their own.
    pub region: Option<String>,
    /// The year (the latest with data by default).
    #[param(inline)]
    pub year: Option<Year>,
    /// `ES` (default) or `EMS`.
    pub sector: Option<String>,
    /// An establishment category (`CHU`, `CH`, `EHPAD`…).
    pub category: Option<String>,
    /// A ward type as imported (`medicine`, `icu`…).
    pub ward: Option<String>,
    /// An indicator class (`J01` by default, `J01C`, `J01CR`, `J01D`, `C3G_C4G`, `J01DH`,
    /// `J01F`, `J01M`, `J01XA`, `J01G`).
    pub class: Option<String>,
    /// A GHT, by name.
    pub territory: Option<String>,
    /// A department (code).
    pub department: Option<String>,
}

/// What the caller may see: a region, and for a referent their establishment only.
pub struct Viewer {
    pub region: String,
    pub cube: Arc<Cube>,
    /// A referent's establishment.
    pub own: Option<i64>,
}

/// The caller's region and data ([`Viewer`]); a referent without an establishment sees nothing.
/// `establishment`: the one the page is about, if any.
pub async fn viewer(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
    establishment: Option<i64>,
) -> Result<Viewer, PageError> {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let own = if user.role() == Role::Referent {
        Some(user.establishment_id.ok_or(PageError::Forbidden(lang))?)
    } else {
        None
    };
    let national_without_region =
        matches!(scope, Scope::National) && asked.is_none_or(|a| a.trim().is_empty());
    let region = match establishment {
        // A national account opening an establishment: that establishment's region.
        Some(id) if national_without_region => {
            cratb_store::establishments::get(&state.db, &scope, id)
                .await
                .map_err(PageError::store(lang))?
                .region_code
        }
        _ => asked_region(auth, asked)?,
    };
    let cube = state
        .consumption
        .region(&state.db, &region)
        .await
        .map_err(PageError::store(lang))?;
    Ok(Viewer { region, cube, own })
}

/// The region a page of the section works on: a regional account's own; for a national
/// account, the one asked for (404 if there is none such), else its own, else the main demo
/// region.
pub(super) fn asked_region(auth: &Auth, asked: Option<&str>) -> Result<String, PageError> {
    let (user, scope) = auth.page_user()?;
    model::region_asked(&scope, user.region_code.as_deref(), asked)
        .ok_or(PageError::NotFound(auth.lang))
}

/// The region select of a national account (none for a regional one).
pub(super) fn region_options(auth: &Auth, region: &str) -> Vec<Opt> {
    match auth.page_user().map(|u| u.1) {
        Ok(Scope::National) => options(geo::REGIONS.iter().map(|g| (g.code, g.name)), region),
        _ => Vec::new(),
    }
}

/// The filters resolved against the data.
pub(crate) struct Resolved {
    pub year: i32,
    pub class: usize,
    pub slice: Slice,
}

pub(crate) fn resolve(cube: &Cube, f: &Filters) -> Resolved {
    let year = f
        .year
        .map(|y| i32::from(y.get()))
        .filter(|y| cube.years.contains(y))
        .or(cube.years.last().copied())
        .unwrap_or(2025);
    let class = f
        .class
        .as_deref()
        .and_then(cratb_consumption::cube::class_index)
        .unwrap_or(0);
    let sector = match non_empty(&f.sector).as_deref() {
        Some("EMS") => "EMS",
        _ => "ES",
    };
    let category = non_empty(&f.category)
        .filter(|c| Category::parse(c).is_some_and(|c| c.sector().code() == sector));
    let ward = non_empty(&f.ward).filter(|w| cube.wards().contains(w));
    let territory = non_empty(&f.territory)
        .filter(|t| cube.units.iter().any(|u| u.territory.as_ref() == Some(t)));
    let department =
        non_empty(&f.department).filter(|d| cube.units.iter().any(|u| &u.department == d));
    Resolved {
        year,
        class,
        slice: Slice {
            sector: Some(sector.into()),
            category,
            ward,
            territory,
            department,
            unit: None,
        },
    }
}

/// A ward type's name (the code itself for a value stored before ward types were a closed list).
pub fn ward_label(code: &str, lang: &str) -> String {
    cratb_domain::WardType::parse(code).map_or(code.to_string(), |w| w.label(lang).to_string())
}

/// What a page's figures leave out: a sentence, and the cells by establishment.
pub struct LeftOutNote {
    pub summary: String,
    pub items: Vec<String>,
}

/// The cells the slice's figures leave out in `year` (consumption without patient-days, or the
/// reverse), said in words; `None` when nothing is left out.
fn left_out_note(cube: &Cube, slice: &Slice, year: i32, lang: &str) -> Option<LeftOutNote> {
    let left = cube.left_out(slice, Some(year));
    if left.is_empty() {
        return None;
    }
    let tr = if lang == "en" {
        crate::i18n::Lang::En
    } else {
        crate::i18n::Lang::Fr
    }
    .tr();
    let mut parts = Vec::new();
    if left.without_days > 0 {
        parts.push(format!(
            "{} {} ({} {})",
            left.without_days,
            tr.con_left_without_days,
            fmt(Some(left.ddd), lang),
            if lang == "en" { "J01 DDD" } else { "DDJ J01" }
        ));
    }
    if left.without_use > 0 {
        parts.push(format!(
            "{} {} ({} {})",
            left.without_use,
            tr.con_left_without_use,
            model::thousands(left.days, lang),
            if lang == "en" { "days" } else { "journées" }
        ));
    }
    const SHOWN: usize = 30;
    let mut items: Vec<String> = left
        .cells
        .iter()
        .take(SHOWN)
        .map(|(unit, cells)| {
            let u = &cube.units[*unit];
            let cells: Vec<String> = cells
                .iter()
                .map(|(y, m, w, missing)| {
                    let period = if *m == 0 {
                        y.to_string()
                    } else {
                        format!("{y}-{m:02}")
                    };
                    let what = match (missing, lang) {
                        (Missing::Denominator, "en") => "no days",
                        (Missing::Denominator, _) => "sans journées",
                        (Missing::Consumption, "en") => "no consumption",
                        (Missing::Consumption, _) => "sans consommation",
                    };
                    format!("{period} {} ({what})", ward_label(w, lang))
                })
                .collect();
            format!("{} ({}) : {}", u.name, u.finess, cells.join(", "))
        })
        .collect();
    if left.cells.len() > SHOWN {
        items.push(format!("… + {}", left.cells.len() - SHOWN));
    }
    Some(LeftOutNote {
        summary: format!("{} {}.", tr.con_left_out_help, parts.join(" ; ")),
        items,
    })
}

/// The filters' selects.
pub struct FilterView {
    pub regions: Vec<Opt>,
    pub years: Vec<Opt>,
    pub sectors: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub wards: Vec<Opt>,
    pub classes: Vec<Opt>,
    pub territories: Vec<Opt>,
    pub departments: Vec<Opt>,
    /// The filters as a query string, for links and exports.
    pub query: String,
    /// The same without the territory and the department, for the links choosing one.
    pub base_query: String,
}

fn filter_view(auth: &Auth, v: &Viewer, r: &Resolved) -> FilterView {
    let lang = auth.lang.code();
    let cube = &v.cube;
    let sector = r.slice.sector.as_deref().unwrap_or("ES");
    let mut categories: Vec<(String, String)> = vec![(String::new(), all(lang))];
    for c in Category::ALL.iter().filter(|c| c.sector().code() == sector) {
        if cube.units.iter().any(|u| u.category == c.code()) {
            categories.push((c.code().into(), c.label(lang).into()));
        }
    }
    let mut wards = vec![(String::new(), all(lang))];
    wards.extend(
        cube.wards()
            .into_iter()
            .map(|w| (w.clone(), ward_label(&w, lang))),
    );
    let mut territories: Vec<String> = cube
        .units
        .iter()
        .filter_map(|u| u.territory.clone())
        .collect();
    territories.sort();
    territories.dedup();
    let mut t_opts = vec![(
        String::new(),
        if lang == "en" {
            "Whole region".to_string()
        } else {
            "Toute la région".to_string()
        },
    )];
    t_opts.extend(territories.into_iter().map(|t| (t.clone(), t)));
    let mut q: Vec<(&str, String)> = vec![
        ("region", v.region.clone()),
        ("year", r.year.to_string()),
        ("sector", sector.into()),
        ("class", CLASSES[r.class].code.into()),
    ];
    q.extend(r.slice.category.clone().map(|c| ("category", c)));
    q.extend(r.slice.ward.clone().map(|w| ("ward", w)));
    let base_query = serde_urlencoded::to_string(&q).unwrap_or_default();
    q.extend(r.slice.territory.clone().map(|t| ("territory", t)));
    q.extend(r.slice.department.clone().map(|d| ("department", d)));
    let mut departments: Vec<&str> = cube.units.iter().map(|u| u.department.as_str()).collect();
    departments.sort_unstable();
    departments.dedup();
    let mut d_opts = vec![(String::new(), all(lang))];
    d_opts.extend(departments.into_iter().map(|d| {
        (
            d.to_string(),
            geo::department(d).map_or(d.to_string(), |x| format!("{} ({d})", x.name)),
        )
    }));
    FilterView {
        base_query,
        departments: options(d_opts, r.slice.department.as_deref().unwrap_or("")),
        regions: region_options(auth, &v.region),
        years: options(
            cube.years
                .iter()
                .rev()
                .map(|y| (y.to_string(), y.to_string())),
            &r.year.to_string(),
        ),
        sectors: options(
            [
                (
                    "ES",
                    if lang == "en" {
                        "Hospitals (ES)"
                    } else {
                        "Établissements de santé (ES)"
                    },
                ),
                (
                    "EMS",
                    if lang == "en" {
                        "Nursing homes (EMS)"
                    } else {
                        "Établissements médico-sociaux (EMS)"
                    },
                ),
            ],
            sector,
        ),
        categories: options(categories, r.slice.category.as_deref().unwrap_or("")),
        wards: options(wards, r.slice.ward.as_deref().unwrap_or("")),
        classes: options(
            CLASSES
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code, class_name(i, lang))),
            CLASSES[r.class].code,
        ),
        territories: options(t_opts, r.slice.territory.as_deref().unwrap_or("")),
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
    }
}

fn all(lang: &str) -> String {
    if lang == "en" { "All" } else { "Tous" }.into()
}

/// One line per class: this year, last year, change, and (on an establishment's page) the
/// peers' median and the establishment's percentile.
pub struct ClassRow {
    pub code: &'static str,
    pub name: &'static str,
    pub value: String,
    pub previous: String,
    pub change: String,
    pub per_admissions: String,
    pub median: String,
    pub iqr: String,
    pub percentile: String,
}

/// A sector's headline figure.
pub struct SectorCard {
    pub label: &'static str,
    pub unit: &'static str,
    pub value: String,
    pub change: String,
    pub establishments: usize,
}

/// An AWaRe share.
pub struct AwareShare {
    pub label: &'static str,
    pub value: String,
    pub class: &'static str,
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

fn aware_view(t: &Totals, lang: &str) -> Vec<AwareShare> {
    [
        (Aware::Access, "Access", "Accès", "aware-access"),
        (Aware::Watch, "Watch", "À surveiller (Watch)", "aware-watch"),
        (Aware::Reserve, "Reserve", "Réserve", "aware-reserve"),
        (
            Aware::Unclassified,
            "Unclassified",
            "Non classés",
            "aware-none",
        ),
    ]
    .into_iter()
    .map(|(a, en, fr, class)| AwareShare {
        label: if lang == "en" { en } else { fr },
        value: t
            .aware_pct(a)
            .map_or("—".into(), |v| format!("{} %", fmt(Some(v), lang))),
        class,
    })
    .collect()
}

/// A share as `64,3 %` (`—` where not computable).
fn percent(x: Option<f64>, lang: &str) -> String {
    x.map_or("—".into(), |v| format!("{} %", fmt(Some(v), lang)))
}

fn percentile_text(p: Option<f64>, lang: &str) -> String {
    p.map_or("—".into(), |p| {
        if lang == "en" {
            format!("{:.0}th", p)
        } else {
            format!("{:.0}e", p)
        }
    })
}

/// The yearly series of a class with its reference lines (baseline, target, national figure).
/// A class's DDD per 1000 days, year by year.
fn per_year(years: &[(i32, Totals)], class: usize) -> Vec<(i32, Option<f64>)> {
    years
        .iter()
        .map(|(y, t)| (*y, t.per_1000_days(class)))
        .collect()
}

/// The yearly values of an indicator as a chart with its reference lines (baseline, target,
/// national figure), and the target's progress in words.
pub(super) fn trend_chart(
    years: &[(i32, Option<f64>)],
    target: &Target,
    lang: &str,
    label: &str,
) -> (String, String) {
    let points: Vec<(String, Option<f64>)> =
        years.iter().map(|(y, v)| (y.to_string(), *v)).collect();
    let baseline = years
        .iter()
        .find(|(y, _)| *y == target.baseline_year)
        .and_then(|(_, v)| *v);
    let mut refs = Vec::new();
    let note = match (baseline, target.goal(baseline)) {
        (Some(b), Some(goal)) => {
            refs.push(Reference {
                label: format!(
                    "{} {}",
                    if lang == "en" {
                        "Baseline"
                    } else {
                        "Référence"
                    },
                    target.baseline_year
                ),
                value: b,
                class: "baseline",
            });
            refs.push(Reference {
                label: if lang == "en" {
                    "Target".into()
                } else {
                    "Objectif".into()
                },
                value: goal,
                class: "target",
            });
            let last = years.last().and_then(|(_, v)| *v);
            match last {
                Some(v) if lang == "en" => format!(
                    "Target {}: {} (baseline {} {}); latest year {} ({} against the baseline).",
                    target.describe(lang),
                    fmt(Some(goal), lang),
                    target.baseline_year,
                    fmt(Some(b), lang),
                    fmt(Some(v), lang),
                    fmt_change(change(Some(b), Some(v)), lang)
                ),
                Some(v) => format!(
                    "Objectif {} : {} (référence {} : {}) ; dernière année : {} ({} par rapport à la référence).",
                    target.describe(lang),
                    fmt(Some(goal), lang),
                    target.baseline_year,
                    fmt(Some(b), lang),
                    fmt(Some(v), lang),
                    fmt_change(change(Some(b), Some(v)), lang)
                ),
                None => String::new(),
            }
        }
        _ if lang == "en" => format!(
            "No data for the baseline year {}: the target ({}) cannot be followed. The coordinator can choose another baseline year.",
            target.baseline_year,
            target.describe(lang)
        ),
        _ => format!(
            "Pas de données pour l'année de référence {} : l'objectif ({}) ne peut pas être suivi. Le coordinateur peut choisir une autre année de référence.",
            target.baseline_year,
            target.describe(lang)
        ),
    };
    if let Some(n) = target.national_value {
        refs.push(Reference {
            label: format!(
                "National {}",
                target
                    .national_year
                    .map(|y| y.to_string())
                    .unwrap_or_default()
            ),
            value: n,
            class: "median",
        });
    }
    (charts::line(label, &points, &refs), note)
}

fn monthly_chart(cube: &Cube, slice: &Slice, class: usize, lang: &str) -> String {
    let months = cube.months(slice, class);
    let points: Vec<(String, Option<f64>)> = months
        .iter()
        .map(|m| {
            (
                format!("{:02}/{}", m.month, m.year % 100),
                m.per_1000_days(),
            )
        })
        .collect();
    let label = if lang == "en" {
        "Month by month"
    } else {
        "Mois par mois"
    };
    charts::line(label, &points, &[])
}

fn stacked_chart(years: &[(i32, Totals)], lang: &str) -> String {
    let bars: Vec<String> = years.iter().map(|(y, _)| y.to_string()).collect();
    let stacks: Vec<Stack> = GROUPS
        .iter()
        .enumerate()
        .map(|(g, (_, fr, en))| Stack {
            name: if lang == "en" { en } else { fr }.to_string(),
            values: years
                .iter()
                .map(|(_, t)| {
                    if t.patient_days > 0.0 {
                        1000.0 * t.groups[g] / t.patient_days
                    } else {
                        0.0
                    }
                })
                .collect(),
        })
        .filter(|s| s.values.iter().any(|v| *v > 0.0))
        .collect();
    let label = if lang == "en" {
        "J01 by class and year"
    } else {
        "J01 par classe et par année"
    };
    charts::stacked_bars(label, &bars, &stacks)
}

fn class_rows(years: &[(i32, Totals)], year: i32, lang: &str) -> Vec<ClassRow> {
    let this = years.iter().find(|(y, _)| *y == year).map(|(_, t)| t);
    let before = years.iter().find(|(y, _)| *y == year - 1).map(|(_, t)| t);
    CLASSES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = this.and_then(|t| t.per_1000_days(i));
            let p = before.and_then(|t| t.per_1000_days(i));
            ClassRow {
                code: c.code,
                name: class_name(i, lang),
                value: fmt(v, lang),
                previous: fmt(p, lang),
                change: fmt_change(change(p, v), lang),
                per_admissions: fmt(this.and_then(|t| t.per_100_admissions(i)), lang),
                median: String::new(),
                iqr: String::new(),
                percentile: String::new(),
            }
        })
        .collect()
}

fn editions(cube: &Cube, lang: &str) -> String {
    let ddd = if cube.editions.is_empty() {
        "—".to_string()
    } else {
        cube.editions.join(" + ")
    };
    if lang == "en" {
        format!("DDD: {ddd} · AWaRe: {}", cube.aware_edition)
    } else {
        format!("DDJ : {ddd} · AWaRe : {}", cube.aware_edition)
    }
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
    let lang = auth.lang.code();
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if let Some(own) = v.own {
        return Ok(crate::pages::login::redirect(&format!(
            "/consumption/establishments/{own}"
        )));
    }
    let r = resolve(&v.cube, &q);
    let cube = &v.cube;
    let sector = r.slice.sector.clone().unwrap_or_default();
    let target =
        cratb_store::consumption::target(&state.db, &v.region, &sector, CLASSES[r.class].code)
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
                    if lang == "en" {
                        "Hospitals"
                    } else {
                        "Établissements de santé"
                    }
                } else if lang == "en" {
                    "Nursing homes"
                } else {
                    "Établissements médico-sociaux"
                },
                unit: unit_label(s, lang),
                value: fmt(now, lang),
                change: fmt_change(change(before, now), lang),
                establishments: of_sector.iter().filter(|u| u.year == r.year).count(),
            })
        })
        .collect();
    let cname = class_name(r.class, lang);
    let (trend, target_note) = trend_chart(
        &per_year(&years, r.class),
        &target,
        lang,
        &format!("{cname} — {unit}"),
    );
    let ranked = model::ranked_among(cube, &unit_years, r.class, r.year);
    let boxes: Vec<PeerBox> = model::categories(&ranked, cube)
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
    let (en, outside_ght) = (
        lang == "en",
        if lang == "en" { "No GHT" } else { "Hors GHT" },
    );
    let territories = group_rows(
        cube,
        &ranked,
        r.class,
        region_value,
        |u| u.territory.clone().map(|t| (t.clone(), t)),
        outside_ght,
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
        if en { "Unknown" } else { "Inconnu" },
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
            (atc, name, fmt(per, lang))
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

fn establishment_row(cube: &Cube, x: &Ranked, lang: &str) -> EstablishmentRow {
    let u = &cube.units[x.unit];
    EstablishmentRow {
        id: u.id,
        name: u.name.clone(),
        category: Category::parse(&u.category)
            .map_or(u.category.clone(), |c| c.label(lang).to_string()),
        value: fmt(x.value, lang),
        per_admissions: fmt(x.per_admissions, lang),
        change: fmt_change(change(x.previous, x.value), lang),
        median: fmt(x.peers.as_ref().map(|p| p.median), lang),
        percentile: percentile_text(x.peers.as_ref().and_then(|p| p.percentile), lang),
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
    lang: &str,
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
                value: fmt(v, lang),
                vs_region: fmt_change(change(region, v), lang),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "consumption/establishment.html")]
struct EstablishmentPage {
    l: Layout,
    id: i64,
    name: String,
    finess: String,
    category: String,
    territory: Option<String>,
    f: FilterView,
    year: i32,
    unit: &'static str,
    class_name: &'static str,
    empty: bool,
    classes: Vec<ClassRow>,
    wards: Vec<(String, String, String, String)>,
    trend: String,
    monthly: String,
    stacked: String,
    peers: String,
    position: String,
    aware: Vec<AwareShare>,
    parenteral: String,
    editions: String,
    left_out: Option<LeftOutNote>,
    referent: bool,
}

/// An establishment's figures, built for the page and the feedback report.
pub struct Feedback {
    pub name: String,
    pub finess: String,
    pub category: String,
    pub year: i32,
    pub unit: &'static str,
    pub years: Vec<(i32, Totals)>,
    pub classes: Vec<ClassRow>,
    pub wards: Vec<(String, String, String, String)>,
    pub position: String,
    pub peer_box: Option<PeerBox>,
    pub aware: Vec<AwareShare>,
    /// Share of J01 DDD given parenterally.
    pub parenteral: String,
    pub editions: String,
    /// What the figures of the year leave out (periods without days or without consumption).
    pub left_out: Option<LeftOutNote>,
}

/// The feedback of establishment `id` in `year` (`None`: not an establishment of the cube).
///
/// `peers`: the yearly totals of the region's establishments for the same ward type, when the
/// caller has them (a batch computes them once for all).
pub fn feedback(
    cube: &Cube,
    id: i64,
    year: i32,
    ward: Option<String>,
    peers: Option<&[UnitYear]>,
    lang: &str,
) -> Option<Feedback> {
    let u = cube.units.get(cube.unit_index(id)?)?;
    let own = Slice {
        unit: Some(id),
        ward: ward.clone(),
        ..Slice::default()
    };
    let years = cube.years_total(&own);
    let this = years
        .iter()
        .find(|(y, _)| *y == year)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    // Peers: the same category in the region, same ward type.
    let computed;
    let peers = match peers {
        Some(p) => p,
        None => {
            computed = cube.unit_years(&Slice {
                category: Some(u.category.clone()),
                ward,
                ..Slice::default()
            });
            &computed
        }
    };
    let mut classes = class_rows(&years, year, lang);
    let mut peer_box = None;
    for (i, row) in classes.iter_mut().enumerate() {
        let ranked = model::ranked_among(cube, peers, i, year);
        if let Some(me) = ranked.iter().find(|r| cube.units[r.unit].id == id)
            && let Some(p) = &me.peers
        {
            row.median = fmt(Some(p.median), lang);
            row.iqr = format!("{} – {}", fmt(Some(p.q1), lang), fmt(Some(p.q3), lang));
            row.percentile = percentile_text(p.percentile, lang);
            if i == 0 {
                peer_box = Some(PeerBox {
                    label: Category::parse(&u.category)
                        .map_or(u.category.clone(), |c| c.label(lang).to_string()),
                    position: p.clone(),
                    marked: me.value.map(|v| (u.name.clone(), v)),
                });
            }
        }
    }
    let position = match &peer_box {
        Some(b) if lang == "en" => format!(
            "Among {} establishments of the same category: median {}, interquartile range {} – {}; this establishment is at the {} percentile.",
            b.position.peers,
            fmt(Some(b.position.median), lang),
            fmt(Some(b.position.q1), lang),
            fmt(Some(b.position.q3), lang),
            percentile_text(b.position.percentile, lang)
        ),
        Some(b) => format!(
            "Parmi {} établissements de la même catégorie : médiane {}, intervalle interquartile {} – {} ; l'établissement se situe au {} percentile.",
            b.position.peers,
            fmt(Some(b.position.median), lang),
            fmt(Some(b.position.q1), lang),
            fmt(Some(b.position.q3), lang),
            percentile_text(b.position.percentile, lang)
        ),
        None if lang == "en" => "No comparison: no computable figure for this year.".into(),
        None => "Pas de comparaison : aucun indicateur calculable pour cette année.".into(),
    };
    let wards = cube
        .wards_of(id, year)
        .into_iter()
        .map(|(w, t)| {
            (
                ward_label(&w, lang),
                fmt(t.per_1000_days(0), lang),
                fmt(t.per_100_admissions(0), lang),
                format!("{:.0}", t.patient_days),
            )
        })
        .collect();
    Some(Feedback {
        name: u.name.clone(),
        finess: u.finess.clone(),
        category: Category::parse(&u.category)
            .map_or(u.category.clone(), |c| c.label(lang).to_string()),
        year,
        unit: unit_label(&u.sector, lang),
        years,
        classes,
        wards,
        position,
        peer_box,
        aware: aware_view(&this, lang),
        parenteral: percent(this.parenteral_pct(), lang),
        editions: editions(cube, lang),
        left_out: left_out_note(cube, &own, year, lang),
    })
}

/// A referent may open only their own establishment.
fn may_see(v: &Viewer, id: i64) -> bool {
    v.own.is_none_or(|own| own == id)
}

pub async fn establishment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang.code();
    let v = viewer(&state, &auth, q.region.as_deref(), Some(id)).await?;
    if !may_see(&v, id) {
        return Err(PageError::Forbidden(auth.lang));
    }
    let cube = &v.cube;
    let unit = cube
        .unit_index(id)
        .map(|i| cube.units[i].clone())
        .ok_or(PageError::NotFound(auth.lang))?;
    let mut r = resolve(
        cube,
        &Filters {
            sector: Some(unit.sector.clone()),
            ..q
        },
    );
    r.slice.unit = Some(id);
    let fb = feedback(cube, id, r.year, r.slice.ward.clone(), None, lang)
        .ok_or(PageError::NotFound(auth.lang))?;
    let target =
        cratb_store::consumption::target(&state.db, &v.region, &unit.sector, CLASSES[r.class].code)
            .await
            .map_err(PageError::store(auth.lang))?;
    // The establishment's years, as the feedback computed them (same ward type).
    let years = fb.years.clone();
    let cname = class_name(r.class, lang);
    let (trend, _) = trend_chart(
        &per_year(&years, r.class),
        &target,
        lang,
        &format!("{cname} — {}", fb.unit),
    );
    let page = EstablishmentPage {
        l: Layout::new(&auth, &unit.name),
        id,
        name: unit.name.clone(),
        finess: unit.finess.clone(),
        category: fb.category.clone(),
        territory: unit.territory.clone(),
        f: filter_view(&auth, &v, &r),
        year: r.year,
        unit: fb.unit,
        class_name: cname,
        empty: years.is_empty(),
        classes: fb.classes,
        wards: fb.wards,
        trend,
        monthly: monthly_chart(cube, &r.slice, r.class, lang),
        stacked: stacked_chart(&years, lang),
        peers: fb
            .peer_box
            .map(|b| {
                charts::box_plot(
                    if lang == "en" {
                        "Among peers (J01)"
                    } else {
                        "Parmi les pairs (J01)"
                    },
                    &[b],
                )
            })
            .unwrap_or_default(),
        position: fb.position,
        aware: fb.aware,
        parenteral: fb.parenteral,
        editions: fb.editions,
        left_out: fb.left_out,
        referent: v.own.is_some(),
    };
    Ok(render(&page))
}

/// The feedback report as a PDF.
pub fn report_pdf(fb: &Feedback, region: &str) -> Vec<u8> {
    let lang = "fr";
    let mut columns = vec!["Indicateur".to_string()];
    let shown: Vec<&(i32, Totals)> = fb
        .years
        .iter()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    columns.extend(shown.iter().map(|(y, _)| y.to_string()));
    columns.extend([
        "Évolution".into(),
        "DDJ/100 adm.".into(),
        "Médiane pairs".into(),
        "Q1 – Q3 pairs".into(),
        "Percentile".into(),
    ]);
    let rows = CLASSES
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let row = &fb.classes[i];
            let mut cells: Vec<crate::pdf::Cell> = vec![(row.name.to_string(), None)];
            cells.extend(
                shown
                    .iter()
                    .map(|(_, t)| (fmt(t.per_1000_days(i), lang), None)),
            );
            let high = row
                .percentile
                .trim_end_matches('e')
                .parse::<f64>()
                .is_ok_and(|p| p >= 75.0);
            cells.push((row.change.clone(), None));
            cells.push((row.per_admissions.clone(), None));
            cells.push((row.median.clone(), None));
            cells.push((row.iqr.clone(), None));
            cells.push((row.percentile.clone(), high.then_some([0.99, 0.89, 0.69])));
            cells
        })
        .collect();
    let aware: Vec<String> = fb
        .aware
        .iter()
        .map(|a| format!("{} {}", a.label, a.value))
        .collect();
    crate::pdf::TableReport {
        title: format!("Consommation d'antibiotiques {} — {}", fb.year, fb.name),
        lines: vec![
            format!("FINESS {} · {} · {} · indicateurs en {}", fb.finess, fb.category, geo::region(region).map_or("", |g| g.name), fb.unit),
            fb.position.clone(),
            format!(
                "AWaRe (OMS, part des DDJ J01) : {} — cible OMS : Access ≥ 60 %",
                aware.join(" · ")
            ),
            format!("Voie parentérale : {} des DDJ J01", fb.parenteral),
        ]
        .into_iter()
        .chain(fb.left_out.iter().map(|l| {
            format!("Exclu des indicateurs — {} {}", l.summary, l.items.join(" ; "))
        }))
        .collect(),
        columns,
        rows,
        footer: format!("Sources : {} · pairs = établissements de la même catégorie de la région · retour d'information CRAtb", fb.editions),
        boxes: fb.peer_box.iter().map(|b| crate::pdf::BoxRow {
            label: format!("{} (n = {})", b.label, b.position.peers),
            position: b.position.clone(),
            marked: b.marked.as_ref().map(|m| m.1),
        }).collect(),
        comments: Some("Commentaires et recommandations de l'équipe multidisciplinaire en antibiothérapie (EMA)".into()),
    }
    .render()
}

fn pdf_response(name: &str, body: Vec<u8>, content_type: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A file name from an establishment's name.
fn file_name(fb: &Feedback) -> String {
    let slug: String = geo::fold(&fb.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "retour-consommation-{}-{}-{}.pdf",
        fb.year,
        fb.finess,
        slug.trim_matches('-')
    )
}

pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<Filters>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), Some(id)).await?;
    if !may_see(&v, id) {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let fb =
        feedback(&v.cube, id, r.year, None, None, "fr").ok_or(PageError::NotFound(auth.lang))?;
    Ok(pdf_response(
        &file_name(&fb),
        report_pdf(&fb, &v.region),
        "application/pdf",
    ))
}

/// Every establishment's feedback report of a year, handed to `each` as (done, total, file
/// name, PDF); the peers' figures are computed once for all.
pub fn each_report<E>(
    cube: &Cube,
    region: &str,
    year: i32,
    mut each: impl FnMut(usize, usize, String, Vec<u8>) -> Result<(), E>,
) -> Result<usize, E> {
    let peers = cube.unit_years(&Slice::default());
    let ids: Vec<i64> = peers
        .iter()
        .filter(|u| u.year == year)
        .map(|u| cube.units[u.unit].id)
        .collect();
    for (n, id) in ids.iter().enumerate() {
        if let Some(fb) = feedback(cube, *id, year, None, Some(&peers), "fr") {
            each(n + 1, ids.len(), file_name(&fb), report_pdf(&fb, region))?;
        }
    }
    Ok(ids.len())
}

/// Every establishment's report of a year, in one ZIP.
pub fn reports_zip(cube: &Cube, region: &str, year: i32) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    each_report(cube, region, year, |_, _, name, pdf| {
        zip.start_file(name, opts)?;
        zip.write_all(&pdf)?;
        Ok::<(), zip::result::ZipError>(())
    })?;
    Ok(zip.finish()?.into_inner())
}

pub async fn reports(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Filters>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if v.own.is_some() {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let (cube, region) = (v.cube.clone(), v.region.clone());
    let body = tokio::task::spawn_blocking(move || reports_zip(&cube, &region, r.year))
        .await
        .map_err(|_| PageError::Internal(auth.lang))?
        .map_err(|_| PageError::Internal(auth.lang))?;
    Ok(pdf_response(
        &format!("retours-consommation-{}-{}.zip", v.region, r.year),
        body,
        "application/zip",
    ))
}

/// The establishments' figures of the filters, as CSV or XLSX.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang.code();
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if v.own.is_some() {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let cube = &v.cube;
    let mut rows = Vec::new();
    let all = cube.unit_years(&r.slice);
    for (class, c) in CLASSES.iter().enumerate() {
        for x in model::ranked_among(cube, &all, class, r.year) {
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
