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
use crate::error::PageError;
use crate::export::{Cell, Sheet, download};
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query, Year};
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cratb_consumption::cube::{CLASSES, Cube, Slice, Totals, sum_years};
use cratb_consumption::peers::{self, Ranked, change};
use cratb_domain::{Category, Lang, Role, Scope, geo};
use cratb_report::charts::{self, Box as PeerBox};
use cratb_report::consumption::{
    AwareShare, ClassRow, LeftOutNote, aware_view, class_rows, editions, feedback, file_name,
    left_out_note, monthly_chart, per_year, report_pdf, reports_zip, stacked_chart, trend_chart,
    unit_label, ward_label,
};
use cratb_report::format::{self, decimal, percent, percentile};
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
        _ => asked_region(state, auth, asked).await?,
    };
    let cube = state
        .consumption
        .region(&state.db, &region)
        .await
        .map_err(PageError::store(lang))?;
    Ok(Viewer { region, cube, own })
}

/// The region a page of the section works on ([`cratb_app::policy::analysis_region`]; 404 for
/// a region that does not exist).
pub(super) async fn asked_region(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
) -> Result<String, PageError> {
    let (user, scope) = auth.page_user()?;
    crate::consumption::region_asked(&state.db, &scope, user.region_code.as_deref(), asked)
        .await
        .map_err(PageError::store(auth.lang))?
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
    let lang = auth.lang;
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
        lang.pick("Toute la région", "Whole region").to_string(),
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
                    lang.pick("Établissements de santé (ES)", "Hospitals (ES)"),
                ),
                (
                    "EMS",
                    lang.pick("Établissements médico-sociaux (EMS)", "Nursing homes (EMS)"),
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
                .map(|(i, c)| (c.code, CLASSES[i].name(lang))),
            CLASSES[r.class].code,
        ),
        territories: options(t_opts, r.slice.territory.as_deref().unwrap_or("")),
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
    }
}

fn all(lang: Lang) -> String {
    lang.pick("Tous", "All").into()
}

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

/// A referent may open only their own establishment.
fn may_see(v: &Viewer, id: i64) -> bool {
    cratb_app::policy::may_open_establishment(v.own, id)
}

pub async fn establishment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang;
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
    let cname = CLASSES[r.class].name(lang);
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
                    lang.pick("Parmi les pairs (J01)", "Among peers (J01)"),
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
    let fb = feedback(&v.cube, id, r.year, None, None, Lang::Fr)
        .ok_or(PageError::NotFound(auth.lang))?;
    Ok(pdf_response(
        &file_name(&fb),
        report_pdf(&fb, &v.region),
        "application/pdf",
    ))
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
                Cell::Number(r.year as f64),
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
        Sheet {
            name: "Consommation",
            header: vec![
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
        },
        Sheet {
            name: "Sources",
            header: vec!["source"],
            rows: vec![
                vec![Cell::from(editions(cube, lang))],
                vec![Cell::from(unit_label(
                    r.slice.sector.as_deref().unwrap_or("ES"),
                    lang,
                ))],
            ],
        },
    ];
    download(
        &format!("consommation-{}-{}", v.region, r.year),
        &format,
        &sheets,
        auth.lang,
    )
}
