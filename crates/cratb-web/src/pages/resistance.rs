//! Resistance surveillance screens: the cumulative antibiogram (with its trend chart and
//! exports), the resistant organisms of concern, and the import of susceptibility files.
//!
//! Every screen reads isolate-level data, so every view and export is in the audit log.

use super::{Layout, Opt, PageResult, options, render, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::attachment;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query, Year};
use crate::resistance::{Column, ESTABLISHMENT_REFUSED, Filter, RegionData, Seen, TrendPoint};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_domain::{Scope, geo};
use cratb_report::resistance::{self as resistance_report, AlertLine, Matrix, Words};
use cratb_resistance::imports::{Import, ImportOutcome, ImportProblem};
use cratb_resistance::places::{Place, PlacedAlert, placed_alerts};
use cratb_store::resistance::{self, ImportError, ImportRequest};
use serde::Deserialize;
use std::sync::Arc;

/// [`cratb_app::resistance::analysis_region`], with a page's errors.
async fn region_for(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
) -> Result<String, PageError> {
    let (user, scope) = auth.page_user()?;
    cratb_app::resistance::analysis_region(&state.db, &scope, user.region_code.as_deref(), asked)
        .await
        .map_err(PageError::store(auth.lang))?
        .ok_or_else(|| PageError::BadRequest(auth.lang, "région inconnue".into()))
}

/// The page's selects.
pub struct FilterView {
    pub f: Filter,
    pub regions: Vec<Opt>,
    pub years: Vec<i16>,
    pub establishments: Vec<Opt>,
    pub sectors: Vec<Opt>,
    pub specimens: Vec<Opt>,
    pub ward_types: Vec<Opt>,
    pub first_only: bool,
    /// Expected resistant phenotypes are not applied (the filter's checkbox).
    pub ignore_intrinsic: bool,
    pub min_isolates: u32,
    /// The least threshold the caller may ask for (the region's floor, for their role).
    pub floor: u32,
    /// The threshold asked for was below the floor and was raised to it.
    pub raised: bool,
    /// The filters as a query string, for export links.
    pub query: String,
}

impl FilterView {
    /// The filters as hidden fields, for the trend form.
    fn hidden_fields(&self) -> Vec<(&'static str, String)> {
        let f = &self.f;
        let mut fields: Vec<(&'static str, String)> = [
            ("region", &f.region),
            ("sector", &f.sector),
            ("specimen", &f.specimen),
            ("ward_type", &f.ward_type),
            ("first_isolates", &f.first_isolates),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect();
        fields.extend(f.year_from.map(|y| ("year_from", y.to_string())));
        fields.extend(f.year_to.map(|y| ("year_to", y.to_string())));
        fields.extend(f.establishment.map(|e| ("establishment", e.to_string())));
        if self.ignore_intrinsic {
            fields.push(("intrinsic", "ignore".to_string()));
        }
        fields
    }

    /// The sectors and specimen types in words for people.
    fn in_words(mut self, lang: cratb_domain::Lang) -> FilterView {
        for o in self.sectors.iter_mut().chain(self.specimens.iter_mut()) {
            o.label = value_label(&o.value, lang);
        }
        self
    }

    fn year_selected(&self, y: &i16, from: bool) -> bool {
        if from {
            self.f.year_from.map(Year::get) == Some(*y)
        } else {
            self.f.year_to.map(Year::get) == Some(*y)
        }
    }
}

/// A sector or specimen type as laboratory files write it, in words for people (the value
/// itself when unknown).
fn value_label(value: &str, lang: cratb_domain::Lang) -> String {
    let (fr, en) = match value.to_ascii_lowercase().as_str() {
        "es" => ("Établissements de santé (ES)", "Hospitals (ES)"),
        "ems" => ("Établissements médico-sociaux (EMS)", "Nursing homes (EMS)"),
        "ville" => ("Ville", "Community"),
        "urine" | "urines" => ("Urines", "Urine"),
        "blood" => ("Hémocultures", "Blood cultures"),
        "respiratory" => ("Prélèvements respiratoires", "Respiratory specimens"),
        "pus" => ("Pus", "Pus"),
        "other" => ("Autres prélèvements", "Other specimens"),
        _ => return value.to_string(),
    };
    lang.pick(fr, en).to_string()
}

async fn filter_view(
    state: &AppState,
    scope: &Scope,
    region: &str,
    data: &RegionData,
    (f, a): (Filter, &cratb_resistance::Filter),
    uri_query: Option<&str>,
    seen: &Seen,
) -> Result<FilterView, cratb_store::StoreError> {
    let access = scope
        .access(region)
        .ok_or(cratb_store::StoreError::NotFound)?;
    let names = resistance::establishment_names(&state.db, &access).await?;
    let present = data.establishment_ids();
    // Only the establishments the caller may see by name can be chosen.
    let establishments: Vec<(i64, String)> = names
        .into_iter()
        .filter(|(id, _)| present.contains(id) && seen.visibility.names(*id))
        .collect();
    let current = |v: &Option<String>| v.clone().unwrap_or_default();
    let regions = match scope {
        Scope::National => options(geo::REGIONS.iter().map(|r| (r.code, r.name)), region),
        Scope::Region(_) => Vec::new(),
    };
    let view = FilterView {
        regions,
        years: data.years.clone(),
        establishments: options(
            establishments
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
            &f.establishment.map(|e| e.to_string()).unwrap_or_default(),
        ),
        sectors: options(
            data.values(Column::Sector)
                .iter()
                .map(|v| (v.clone(), v.clone())),
            &current(&f.sector),
        ),
        specimens: options(
            data.values(Column::Specimen)
                .iter()
                .map(|v| (v.clone(), v.clone())),
            &current(&f.specimen),
        ),
        ward_types: options(
            data.values(Column::WardType)
                .iter()
                .map(|v| (v.clone(), v.clone())),
            &current(&f.ward_type),
        ),
        first_only: a.first_only(),
        ignore_intrinsic: a.ignore_intrinsic,
        min_isolates: a.min_isolates(),
        floor: seen.threshold.floor,
        raised: seen.threshold.raised,
        query: uri_query.unwrap_or_default().to_string(),
        f,
    };
    Ok(view)
}

#[derive(Template)]
#[template(path = "resistance/antibiogram.html")]
struct AntibiogramPage {
    l: Layout,
    v: FilterView,
    region_name: String,
    guideline: String,
    /// The sources cited under the page, in its language.
    sources: String,
    isolates: usize,
    m: Matrix,
    organisms: Vec<Opt>,
    agents: Vec<Opt>,
    trend: String,
    trend_rows: Vec<TrendPoint>,
    trend_label: String,
    can_import: bool,
    can_settings: bool,
}

impl AntibiogramPage {
    /// A figure of the trend's table, as the page's language writes it (`90,1`).
    fn figure(&self, x: &f64) -> String {
        cratb_report::format::decimal(Some(*x), self.l.lang)
    }
}

/// What the trend chart shows.
#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    pub organism: Option<String>,
    pub antimicrobial: Option<String>,
}

/// The region's data, and what the caller sees of it ([`Seen`]); a filter on an establishment
/// they may not see by name is refused.
async fn load(
    state: &AppState,
    auth: &Auth,
    f: &Filter,
) -> Result<(Scope, String, Arc<RegionData>, Seen), PageError> {
    let (user, scope) = auth.page_user()?;
    let region = region_for(state, auth, f.region.as_deref()).await?;
    let seen = Seen::of(&state.db, user, &scope, &region, f)
        .await
        .map_err(PageError::app(auth.lang))?;
    if seen.refuses(f) {
        let (fr, en) = ESTABLISHMENT_REFUSED;
        return Err(PageError::Refused(auth.lang, auth.lang.pick(fr, en).into()));
    }
    let data = state
        .amr
        .region(&state.db, &region)
        .await
        .map_err(PageError::store(auth.lang))?;
    Ok((scope, region, data, seen))
}

/// Isolate-level data was read: say so in the audit log. Fails closed: what cannot be
/// recorded is not shown.
async fn audit_read(
    state: &AppState,
    auth: &Auth,
    what: &str,
    region: &str,
    summary: String,
) -> Result<(), PageError> {
    let (user, scope) = auth.page_user()?;
    auth.actor(user, scope)
        .record(&state.db, "isolates.read", what, Some(region), summary)
        .await
        .map_err(PageError::app(auth.lang))
}

pub async fn antibiogram(
    State(state): State<AppState>,
    auth: Auth,
    uri: axum::http::Uri,
    Query(f): Query<Filter>,
    Query(t): Query<TrendQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (scope, region, data, seen) = load(&state, &auth, &f).await?;
    let a = f.analysis(&seen.threshold);
    let table = data.antibiogram(&a);
    audit_read(&state, &auth, "antibiogram", &region, a.summary()).await?;
    let m = resistance_report::matrix(&table, lang.tr().res_legend, lang);
    let chosen = |v: Option<String>, default: &str| {
        v.filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let organism = chosen(t.organism, resistance_report::DEFAULT_TREND.0);
    let agent = chosen(t.antimicrobial, resistance_report::DEFAULT_TREND.1);
    let trend_rows = data.trend(&a, &organism, &agent);
    let trend_label = resistance_report::trend_label(&organism, &agent, lang);
    let organisms = options(
        m.rows
            .iter()
            .map(|r| (r.organism.clone(), r.organism.clone())),
        &organism,
    );
    let mut codes: Vec<&str> = Vec::new();
    let agents = options(
        m.antimicrobials
            .iter()
            .filter(|c| {
                let first = !codes.contains(&c.code.as_str());
                codes.push(&c.code);
                first
            })
            .map(|c| {
                let name = cratb_amr::names::antimicrobial(&c.code, lang).unwrap_or_default();
                (c.code.clone(), format!("{name} ({})", c.code))
            }),
        &agent,
    );
    let v = filter_view(&state, &scope, &region, &data, (f, &a), uri.query(), &seen)
        .await
        .map_err(PageError::store(auth.lang))?
        .in_words(lang);
    let page = AntibiogramPage {
        l: Layout::new(&auth, auth.lang.tr().res_title),
        region_name: geo::region(&region)
            .map(|r| r.name.to_string())
            .unwrap_or(region.clone()),
        sources: resistance_report::sources(&table.guideline, lang),
        guideline: table.guideline.clone(),
        isolates: table.isolates,
        trend: resistance_report::trend_chart(&trend_rows, lang),
        trend_rows,
        trend_label,
        organisms,
        agents,
        m,
        v,
        can_import: auth.can(cratb_domain::Permission::ImportIsolates),
        can_settings: auth.can(cratb_domain::Permission::SetReportingFloor),
    };
    Ok(render(&page))
}

/// `csv`, `xlsx`, `json` or `pdf` export of the antibiogram, with the page's filters.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(f): Query<Filter>,
    Query(style): Query<crate::export::CsvParam>,
) -> PageResult {
    let lang = auth.lang;
    if !resistance_report::FORMATS.contains(&format.as_str()) {
        return Err(PageError::NotFound(lang));
    }
    let (_, region, data, seen) = load(&state, &auth, &f).await?;
    let a = f.analysis(&seen.threshold);
    let table = data.antibiogram(&a);
    let summary = a.summary();
    let what = format!("antibiogram.{format}");
    audit_read(&state, &auth, &what, &region, summary.clone()).await?;
    let words = || Words {
        title: format!(
            "{} — {}",
            lang.tr().res_title,
            geo::region(&region).map_or(region.as_str(), |r| r.name)
        ),
        organism: lang.tr().res_organism,
        interpretation: lang.tr().res_interpretation,
        isolates_counted: lang.tr().res_isolates_counted,
        legend: lang.tr().res_legend,
    };
    let today = cratb_domain::paris::today(time::OffsetDateTime::now_utc());
    let (content_type, body) = resistance_report::antibiogram_file(
        &table,
        &format,
        style.csv(),
        words,
        &summary,
        today,
        lang,
    )
    .map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        PageError::Internal(lang)
    })?;
    let name = format!("antibiogramme-{region}.{format}");
    Ok(attachment(&name, content_type, body))
}

#[derive(Template)]
#[template(path = "resistance/alerts.html")]
struct AlertsPage {
    l: Layout,
    v: FilterView,
    region_name: String,
    rows: Vec<AlertLine>,
    /// Some establishments are shown as a distribution (a referent's, an EMA member's view).
    has_distribution: bool,
}

/// The resistant organisms of concern of the filters as the caller may see them
/// ([`placed_alerts`]): the region, and the establishments they may name (or the departments
/// and GHTs), the others together.
async fn seen_alerts(
    state: &AppState,
    auth: &Auth,
    f: &mut Filter,
    what: &str,
) -> Result<(Scope, String, Arc<RegionData>, Seen, Vec<PlacedAlert>), PageError> {
    // Counted among first isolates, always.
    f.first_isolates = None;
    let (scope, region, data, seen) = load(state, auth, f).await?;
    let a = f.analysis(&seen.threshold);
    let rows = data.alerts(&a);
    audit_read(state, auth, what, &region, a.summary()).await?;
    let places = places(state, auth, &region).await?;
    let placed = placed_alerts(&rows, &places, &seen.visibility, seen.threshold.value);
    Ok((scope, region, data, seen, placed))
}

/// The region's establishments with their department and GHT.
async fn places(state: &AppState, auth: &Auth, region: &str) -> Result<Vec<Place>, PageError> {
    let rows = resistance::establishment_places(&state.db, &super::region_access(auth, region)?)
        .await
        .map_err(PageError::store(auth.lang))?;
    Ok(rows
        .into_iter()
        .map(|(id, name, department, territory)| Place {
            id,
            name,
            department,
            territory,
        })
        .collect())
}

pub async fn alerts(
    State(state): State<AppState>,
    auth: Auth,
    uri: axum::http::Uri,
    Query(mut f): Query<Filter>,
) -> PageResult {
    let lang = auth.lang;
    let (scope, region, data, seen, placed) =
        seen_alerts(&state, &auth, &mut f, "resistance.alerts").await?;
    let a = f.analysis(&seen.threshold);
    let v = filter_view(&state, &scope, &region, &data, (f, &a), uri.query(), &seen)
        .await
        .map_err(PageError::store(auth.lang))?
        .in_words(lang);
    let none = auth.lang.tr().res_no_establishment;
    let rows = resistance_report::alert_lines(&placed, none, lang);
    let page = AlertsPage {
        l: Layout::new(&auth, auth.lang.tr().res_alerts_title),
        region_name: geo::region(&region)
            .map(|r| r.name.to_string())
            .unwrap_or(region.clone()),
        v,
        has_distribution: rows.iter().any(|r| {
            [&r.blood, &r.all]
                .into_iter()
                .flatten()
                .any(|f| !f.distribution.is_empty())
        }),
        rows,
    };
    Ok(render(&page))
}

/// The resistant organisms of concern of the page's filters, as CSV or XLSX.
pub async fn alerts_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(mut f): Query<Filter>,
    Query(style): Query<crate::export::CsvParam>,
) -> PageResult {
    let lang = auth.lang;
    if !["csv", "xlsx"].contains(&format.as_str()) {
        return Err(PageError::NotFound(lang));
    }
    let what = format!("resistance.alerts.{format}");
    let (_, region, _, _, placed) = seen_alerts(&state, &auth, &mut f, &what).await?;
    let table = resistance_report::alerts_table(&placed, lang.tr().res_no_establishment, lang);
    crate::export::download(&format!("bmr-{region}"), &format, style, [table], lang)
}

/// What the import form holds.
#[derive(Default)]
pub struct ImportValues {
    pub establishment: String,
    pub skip_invalid: bool,
    pub uti: String,
    pub guideline: String,
}

#[derive(Template)]
#[template(path = "resistance/imports.html")]
struct ImportsPage {
    l: Layout,
    establishments: Vec<Opt>,
    guidelines: Vec<Opt>,
    v: ImportValues,
    outcome: Option<ImportOutcome>,
    problems: Vec<ImportProblem>,
    problems_total: usize,
    imports: Vec<Import>,
    form_error: Option<&'static str>,
    /// The import just removed: its file name and isolate count.
    removed: Option<(String, i64)>,
    /// The caller's role and establishments, for the imports they may remove.
    remover: (cratb_domain::Role, Vec<i64>),
}

impl ImportsPage {
    fn uti_selected(&self, mode: &str) -> bool {
        self.v.uti == mode || (self.v.uti.is_empty() && mode == "never")
    }
    fn problem_message<'a>(&self, p: &'a ImportProblem) -> &'a str {
        p.message(self.l.lang)
    }
    fn time(&self, t: &time::OffsetDateTime) -> String {
        super::fmt_time(t, self.l.lang)
    }
    /// Whether the caller may remove import `i` ([`cratb_app::policy::may_remove_import`]).
    fn may_delete(&self, i: &Import) -> bool {
        cratb_app::policy::may_remove_import(self.remover.0, &self.remover.1, i.establishment_id)
    }
}

/// What the imports page reports after an action.
#[derive(Default)]
struct Notice {
    outcome: Option<ImportOutcome>,
    problems: (Vec<ImportProblem>, usize),
    form_error: Option<&'static str>,
    removed: Option<(String, i64)>,
}

async fn imports_page(
    state: &AppState,
    auth: &Auth,
    v: ImportValues,
    notice: Notice,
) -> PageResult {
    let Notice {
        outcome,
        problems,
        form_error,
        removed,
    } = notice;
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = region_for(state, auth, None).await?;
    let names = resistance::establishment_names(&state.db, &super::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(lang))?;
    let imports = resistance::list_imports(&state.db, &scope, 20)
        .await
        .map_err(PageError::store(lang))?;
    let status = if problems.0.is_empty() && form_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let guideline = if v.guideline.is_empty() {
        cratb_amr::reference::DEFAULT_GUIDELINE.to_string()
    } else {
        v.guideline.clone()
    };
    let page = ImportsPage {
        l: Layout::new(auth, lang.tr().imp_title),
        establishments: options(
            names.iter().map(|(id, n)| (id.to_string(), n.clone())),
            &v.establishment,
        ),
        guidelines: options(
            cratb_amr::reference::GUIDELINES
                .iter()
                .rev()
                .map(|g| (*g, *g)),
            &guideline,
        ),
        v,
        outcome,
        problems_total: problems.1,
        problems: problems.0,
        imports,
        form_error,
        removed,
        remover: (user.role(), user.establishment_ids.clone()),
    };
    Ok(render_status(&page, status))
}

pub async fn imports(State(state): State<AppState>, auth: Auth) -> PageResult {
    imports_page(&state, &auth, ImportValues::default(), Notice::default()).await
}

/// Reads the upload form: the file and its options.
async fn read_form(form: Multipart) -> Result<(ImportValues, Option<(String, Vec<u8>)>), String> {
    let mut u = super::Upload::read(form, &["file"]).await?;
    let v = ImportValues {
        establishment: u.text("establishment"),
        skip_invalid: !u.text("skip_invalid").is_empty(),
        uti: u.text("uti"),
        guideline: u.text("guideline"),
    };
    Ok((v, u.take_file("file", "fichier")))
}

/// Imports a file for the caller (audited with it), then reloads the region in memory.
pub async fn import(
    state: &AppState,
    auth: &Auth,
    user: &cratb_domain::User,
    scope: &Scope,
    request: ImportRequest,
) -> Result<ImportOutcome, ImportError> {
    let region = request.region_code.clone();
    let actor = auth.actor(user, scope.clone());
    let outcome = cratb_app::resistance::import(&state.db, &actor, request, &|_| {}).await?;
    state.amr.refresh(&state.db, &region);
    Ok(outcome)
}

pub async fn upload(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let (v, file) = read_form(form)
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let Some((filename, bytes)) = file else {
        let notice = Notice {
            form_error: Some(lang.tr().imp_no_file),
            ..Default::default()
        };
        return imports_page(&state, &auth, v, notice).await;
    };
    let options = cratb_amr::ReadOptions::named(&v.guideline, &v.uti, v.skip_invalid)
        .map_err(|f| PageError::BadRequest(lang, format!("valeur refusée : {f}")))?;
    let region = region_for(&state, &auth, None).await?;
    let establishment_id = match v.establishment.trim() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .map_err(|_| PageError::BadRequest(lang, "établissement illisible".into()))?,
        ),
    };
    let request = ImportRequest {
        region_code: region.clone(),
        establishment_id,
        filename: filename.clone(),
        bytes,
        options,
        imported_by: Some(user.id),
    };
    match import(&state, &auth, user, &scope, request).await {
        Ok(outcome) => {
            let notice = Notice {
                outcome: Some(outcome),
                ..Default::default()
            };
            imports_page(&state, &auth, ImportValues::default(), notice).await
        }
        Err(ImportError::Invalid { problems, total }) => {
            let notice = Notice {
                problems: (problems, total),
                ..Default::default()
            };
            imports_page(&state, &auth, v, notice).await
        }
        Err(ImportError::Store(e)) => Err(PageError::store(lang)(e)),
    }
}

/// Removes an import and its isolates (the undo of a wrong file), within the user's region.
pub async fn delete_import(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let own = user.establishment_ids.clone();
    let removed =
        cratb_app::resistance::remove_import(&state.db, &auth.actor(user, scope), &own, id)
            .await
            .map_err(|e| match e {
                cratb_app::AppError::Forbidden => {
                    PageError::Refused(lang, lang.tr().imp_delete_refused.into())
                }
                e => PageError::app(lang)(e),
            })?;
    state.amr.refresh(&state.db, &removed.region_code);
    let notice = Notice {
        removed: Some((removed.filename, removed.rows_imported)),
        ..Default::default()
    };
    imports_page(&state, &auth, ImportValues::default(), notice).await
}

/// The region's reporting threshold, as its coordinator sets it.
#[derive(Template)]
#[template(path = "resistance/settings.html")]
struct SettingsPage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    current: u32,
    set_by: Option<String>,
    value: String,
    errors: Vec<cratb_domain::FieldError>,
    saved: bool,
}

impl SettingsPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    region: Option<String>,
    saved: Option<String>,
}

/// The settings form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    reporting_floor: String,
}

async fn settings_page(
    state: &AppState,
    auth: &Auth,
    region: String,
    value: Option<String>,
    errors: Vec<cratb_domain::FieldError>,
    saved: bool,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let set = resistance::reporting_floor(&state.db, &super::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(lang))?;
    let current = set
        .as_ref()
        .map_or(cratb_domain::visibility::DEFAULT_REPORTING_FLOOR, |s| s.0);
    let page = SettingsPage {
        l: Layout::new(auth, lang.tr().res_settings_title),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: match scope {
            Scope::National => options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &region),
            Scope::Region(_) => Vec::new(),
        },
        region,
        current,
        set_by: set.map(|s| s.1),
        value: value.unwrap_or_else(|| current.to_string()),
        errors,
        saved,
    };
    let status = super::form_status(&page.errors);
    Ok(render_status(&page, status))
}

/// The form, with the region's threshold in force.
pub async fn settings(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SettingsQuery>,
) -> PageResult {
    let region = region_for(&state, &auth, q.region.as_deref()).await?;
    settings_page(&state, &auth, region, None, Vec::new(), q.saved.is_some()).await
}

/// Sets the region's threshold (audited), or says what is wrong with it.
pub async fn save_settings(
    State(state): State<AppState>,
    auth: Auth,
    super::HtmlForm(v): super::HtmlForm<SettingsForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = region_for(&state, &auth, Some(&v.region)).await?;
    let refused = || {
        vec![cratb_domain::FieldError::new(
            "reporting_floor",
            "indiquez un nombre d'isolats entre 1 et 1000",
            "give a number of isolates between 1 and 1000",
        )]
    };
    let floor = match v.reporting_floor.trim().parse::<u32>() {
        Ok(n) if cratb_domain::visibility::FLOOR_RANGE.contains(&n) => n,
        _ => {
            return settings_page(
                &state,
                &auth,
                region,
                Some(v.reporting_floor),
                refused(),
                false,
            )
            .await;
        }
    };
    cratb_app::resistance::set_reporting_floor(&state.db, &auth.actor(user, scope), &region, floor)
        .await
        .map_err(PageError::app(lang))?;
    Ok(super::login::redirect(&format!(
        "/resistance/settings?region={region}&saved=1"
    )))
}
