//! The network directory: the region's professionals, searchable, and the form that adds one.

use super::{
    HtmlForm, Layout, Opt, PageResult, form_status, non_empty, options, render, render_status,
};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use cratb_app::AppError;
use cratb_directory::professionals::{
    DirectoryQuery, Professional, ProfessionalForm, RESTORE_TAKEN, Version, Workplace, export_sheet,
};
use cratb_domain::{FieldError, NetworkRole, Permission, Profession, RegionCode, Scope, geo};
use cratb_store::directory;
use cratb_store::{Page, PageRequest, StoreError};
use serde::Deserialize;
use time::OffsetDateTime;

/// Who acts, for the directory's use cases.
fn actor(auth: &Auth) -> Result<cratb_app::Actor, PageError> {
    let (user, scope) = auth.page_user()?;
    Ok(auth.actor(user, scope))
}

#[derive(Template)]
#[template(path = "directory/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    stale: bool,
    professions: Vec<Opt>,
    roles: Vec<Opt>,
    rows: Vec<Professional>,
    now: OffsetDateTime,
    page: Page<()>,
    can_edit: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    profession: Option<String>,
    role: Option<String>,
    stale: Option<String>,
    page: Option<PageNumber>,
    saved: Option<String>,
}

fn page_href(q: &DirectoryQuery, page: i64) -> String {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let stale = if q.stale == Some(true) { "1" } else { "" };
    let params = [
        ("q", text(&q.q)),
        ("profession", text(&q.profession)),
        ("role", text(&q.role)),
        ("stale", stale.into()),
        ("page", page.to_string()),
    ];
    format!(
        "/directory?{}",
        serde_urlencoded::to_string(params).unwrap_or_default()
    )
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let query = DirectoryQuery {
        q: non_empty(&q.q),
        profession: non_empty(&q.profession),
        stale: Some(non_empty(&q.stale).is_some()),
        role: non_empty(&q.role),
    };
    let asked = PageRequest::new(q.page.map(PageNumber::get), Some(50));
    let (rows, page) = directory::list(&state.db, &scope, &query, asked)
        .await
        .map_err(PageError::store(lang))?
        .split();
    let (prev, next) = page.neighbours();
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().nav_directory),
        q: query.q.clone().unwrap_or_default(),
        stale: query.stale == Some(true),
        professions: profession_options(lang, query.profession.as_deref().unwrap_or("")),
        roles: options(
            NetworkRole::ALL.iter().map(|r| (r.code(), r.label(lang))),
            query.role.as_deref().unwrap_or(""),
        ),
        rows,
        now: cratb_store::now(),
        page,
        can_edit: auth.can(Permission::EditDirectory),
        prev_href: prev.map(|n| page_href(&query, n)),
        next_href: next.map(|n| page_href(&query, n)),
        saved: q.saved.is_some(),
    }))
}

/// The professions, `current` selected.
pub fn profession_options(lang: cratb_domain::Lang, current: &str) -> Vec<Opt> {
    options(
        Profession::ALL.iter().map(|p| (p.code(), p.label(lang))),
        current,
    )
}

#[derive(Template)]
#[template(path = "directory/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    v: ProfessionalForm,
    roles: Vec<Opt>,
    professions: Vec<Opt>,
    regions: Vec<Opt>,
    territories: Vec<Opt>,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
    fn names(&self) -> Vec<crate::pages::Field<'_>> {
        let tr = self.l.tr;
        vec![
            ("last_name", tr.last_name, &self.v.last_name, "text"),
            ("first_name", tr.first_name, &self.v.first_name, "text"),
        ]
    }
    fn contacts(&self) -> Vec<crate::pages::Field<'_>> {
        let tr = self.l.tr;
        vec![
            ("rpps", tr.rpps, &self.v.rpps, "text"),
            ("email", tr.email, &self.v.email, "email"),
            ("phone", tr.phone, &self.v.phone, "tel"),
            (
                "establishments",
                tr.workplaces,
                &self.v.establishments,
                "text",
            ),
        ]
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    id: Option<i64>,
    v: ProfessionalForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    // The territories of the entry's region (or the caller's; all for a national account
    // creating an entry).
    let lists = match RegionCode::parse(&v.region)
        .ok()
        .or_else(|| own_region(scope))
    {
        Some(r) => Scope::Region(r),
        None => Scope::National,
    };
    let territories = cratb_store::reference::list_territories(&state.db, &lists, None)
        .await
        .map_err(PageError::store(lang))?;
    // The region is chosen once, at creation.
    let regions = match (scope, id) {
        (Scope::National, None) => {
            options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &v.region)
        }
        _ => Vec::new(),
    };
    let title = if id.is_some() {
        lang.tr().edit
    } else {
        lang.tr().new_professional
    };
    let page = FormPage {
        l: Layout::new(auth, title),
        action: id.map_or("/directory".to_string(), |i| format!("/directory/{i}")),
        roles: super::checks(
            NetworkRole::ALL.iter().map(|r| (r.code(), r.label(lang))),
            &v.network_roles,
        ),
        professions: profession_options(lang, &v.profession),
        regions,
        territories: options(
            territories
                .iter()
                .map(|t| (t.id.to_string(), format!("{} ({})", t.name, t.kind))),
            &v.territory_id,
        ),
        v,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let v = ProfessionalForm::default();
    form_page(&state, &auth, &scope, None, v, Vec::new()).await
}

/// The caller's own region (`None` for a national account, who picks one).
pub fn own_region(scope: &Scope) -> Option<RegionCode> {
    match scope {
        Scope::Region(r) => Some(r.clone()),
        Scope::National => None,
    }
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, None, ProfessionalForm::of_pairs(fields)).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, Some(id), ProfessionalForm::of_pairs(fields)).await
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, v: ProfessionalForm) -> PageResult {
    let lang = auth.lang;
    let actor = actor(&auth)?;
    let errors = match cratb_app::directory::save(&state.db, &actor, id, &v.input()).await {
        Ok(saved_id) => {
            return Ok(super::login::redirect(&format!(
                "/directory/{saved_id}?saved=1"
            )));
        }
        Err(AppError::Invalid(errors)) => errors,
        Err(AppError::Store(e)) => {
            vec![cratb_app::directory::refusal(e).map_err(PageError::store(lang))?]
        }
        Err(e) => return Err(PageError::app(lang)(e)),
    };
    form_page(&state, &auth, &actor.scope, id, v, errors).await
}

#[derive(Template)]
#[template(path = "directory/show.html")]
struct ShowPage {
    l: Layout,
    p: Professional,
    versions: Vec<Version>,
    can_edit: bool,
    saved: bool,
    now: OffsetDateTime,
    workplaces: Vec<Workplace>,
    teams: Vec<(i64, String)>,
}

impl ShowPage {
    fn when(&self, t: &OffsetDateTime) -> String {
        super::fmt_time(t, self.l.lang)
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let e = cratb_app::directory::entry(&state.db, &scope, id)
        .await
        .map_err(PageError::app(auth.lang))?;
    let p = e.professional;
    Ok(render(&ShowPage {
        l: Layout::new(&auth, &format!("{} {}", p.first_name, p.last_name)),
        workplaces: e.workplaces,
        teams: e.teams,
        p,
        versions: e.versions,
        now: cratb_store::now(),
        can_edit: auth.can(Permission::EditDirectory),
        saved: q.saved.is_some(),
    }))
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let p = directory::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(auth.lang))?;
    let v = ProfessionalForm::of(&p);
    form_page(&state, &auth, &scope, Some(id), v, Vec::new()).await
}

/// Puts an earlier version back, as a new version: nothing is lost.
pub async fn restore(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, version)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    match cratb_app::directory::restore(&state.db, &actor(&auth)?, id, version).await {
        Ok(()) => Ok(super::login::redirect(&format!("/directory/{id}?saved=1"))),
        // Another entry has taken this version's RPPS number since.
        Err(AppError::Store(StoreError::Conflict(_))) => {
            Err(PageError::BadRequest(lang, RESTORE_TAKEN.into()))
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// Records that the entry was checked with the professional today.
pub async fn confirm(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    cratb_app::directory::confirm(&state.db, &actor(&auth)?, id)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect(&format!("/directory/{id}?saved=1")))
}

/// The whole directory of the caller's region as CSV or XLSX (the columns the import reads).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(style): Query<crate::export::CsvParam>,
) -> PageResult {
    let lang = auth.lang;
    let actor = actor(&auth)?;
    if !["csv", "xlsx"].contains(&format.as_str()) {
        return Err(PageError::NotFound(lang));
    }
    let all = directory::all(&state.db, &actor.scope)
        .await
        .map_err(PageError::store(lang))?;
    let region = actor.scope.region_filter();
    let summary = format!("annuaire exporté ({format}, {} fiches)", all.len());
    actor
        .record(
            &state.db,
            "directory.export",
            "professional",
            region,
            summary,
        )
        .await
        .map_err(PageError::app(lang))?;
    let name = format!("annuaire-{}", region.unwrap_or("national"));
    crate::export::download(&name, &format, style, [export_sheet(&all)], lang)
}
