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
use cratb_domain::Lang;
use cratb_domain::{NetworkRole, Permission, Profession, RegionCode, Scope, geo};
use cratb_store::directory::{
    self, DirectoryQuery, NewProfessional, Professional, ProfessionalInput,
};
use cratb_store::{FieldError, Page, PageRequest, StoreError};
use serde::Deserialize;

/// A row of the directory, with labels resolved.
pub struct Row {
    pub stale: bool,
    /// Network roles, as labels.
    pub roles: String,
    pub p: Professional,
    pub profession: &'static str,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "directory/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    stale: bool,
    professions: Vec<Opt>,
    roles: Vec<Opt>,
    rows: Vec<Row>,
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
    let params = [
        ("q", q.q.clone().unwrap_or_default()),
        ("profession", q.profession.clone().unwrap_or_default()),
        ("role", q.role.clone().unwrap_or_default()),
        (
            "stale",
            if q.stale == Some(true) {
                "1".into()
            } else {
                String::new()
            },
        ),
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
    let page = directory::list(
        &state.db,
        &scope,
        &query,
        PageRequest::new(q.page.map(PageNumber::get), Some(50)),
    )
    .await
    .map_err(PageError::store(lang))?;
    let (items, meta) = page.split();
    let (prev, next) = meta.neighbours();
    let rows = items
        .into_iter()
        .map(|p| Row {
            stale: p.is_stale(),
            roles: role_labels(&p.network_roles, lang),
            profession: Profession::parse(&p.profession).map_or("?", |x| x.label(lang)),
            phone: super::readable_phone(p.phone.as_deref()),
            p,
        })
        .collect();
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().nav_directory),
        q: query.q.clone().unwrap_or_default(),
        stale: query.stale == Some(true),
        professions: options(
            Profession::ALL.iter().map(|p| (p.code(), p.label(lang))),
            query.profession.as_deref().unwrap_or(""),
        ),
        roles: options(
            NetworkRole::ALL.iter().map(|r| (r.code(), r.label(lang))),
            query.role.as_deref().unwrap_or(""),
        ),
        rows,
        page: meta,
        can_edit: auth.can(Permission::EditDirectory),
        prev_href: prev.map(|n| page_href(&query, n)),
        next_href: next.map(|n| page_href(&query, n)),
        saved: q.saved.is_some(),
    }))
}

/// The labels of stored role codes, comma-separated.
fn role_labels(codes: &str, lang: Lang) -> String {
    NetworkRole::parse_list(codes)
        .unwrap_or_default()
        .iter()
        .map(|r| r.label(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was typed in the form.
#[derive(Default)]
pub struct FormValues {
    pub network_roles: Vec<String>,
    pub last_name: String,
    pub first_name: String,
    pub profession: String,
    pub rpps: String,
    pub email: String,
    pub phone: String,
    pub region: String,
    pub public_name: bool,
    pub public_email: bool,
    pub public_phone: bool,
    /// FINESS numbers, comma-separated.
    pub establishments: String,
    pub territory_id: String,
}

#[derive(Template)]
#[template(path = "directory/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    v: FormValues,
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
    v: FormValues,
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
        professions: options(
            Profession::ALL.iter().map(|p| (p.code(), p.label(lang))),
            &v.profession,
        ),
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
    form_page(
        &state,
        &auth,
        &scope,
        None,
        FormValues::default(),
        Vec::new(),
    )
    .await
}

/// The form's fields (checkboxes are absent when unchecked; `network_roles` repeats).
#[derive(Default)]
pub struct ProfessionalForm {
    network_roles: Vec<String>,
    last_name: Option<String>,
    first_name: Option<String>,
    profession: Option<String>,
    rpps: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    region: Option<String>,
    territory_id: Option<String>,
    public_name: Option<String>,
    public_email: Option<String>,
    public_phone: Option<String>,
    establishments: Option<String>,
}

/// The caller's own region (`None` for a national account, who picks one).
pub fn own_region(scope: &Scope) -> Option<RegionCode> {
    match scope {
        Scope::Region(r) => Some(r.clone()),
        Scope::National => None,
    }
}

/// The message for a store refusal on a professional.
pub fn store_field_error(e: StoreError) -> Result<FieldError, StoreError> {
    match e {
        StoreError::Conflict(f) => Ok(FieldError::new(
            f,
            "ce numéro RPPS figure déjà dans l'annuaire",
            "this RPPS number is already in the directory",
        )),
        StoreError::Invalid("territory_id") => Ok(FieldError::new(
            "territory_id",
            "ce territoire n'est pas un GHT ou une CPTS de la région",
            "this territory is not a GHT or CPTS of the region",
        )),
        StoreError::Invalid("establishments") => Ok(FieldError::new(
            "establishments",
            "un des établissements n'est plus dans l'annuaire de la région",
            "one of the establishments is no longer in the region's directory",
        )),
        StoreError::Invalid(f) => Ok(FieldError::new(
            f,
            "cette région n'est pas la vôtre",
            "this region is not yours",
        )),
        other => Err(other),
    }
}

impl ProfessionalForm {
    fn of(fields: Vec<(String, String)>) -> ProfessionalForm {
        let mut f = ProfessionalForm::default();
        for (key, value) in fields {
            let slot = match key.as_str() {
                "network_roles" => {
                    f.network_roles.push(value);
                    continue;
                }
                "last_name" => &mut f.last_name,
                "first_name" => &mut f.first_name,
                "profession" => &mut f.profession,
                "rpps" => &mut f.rpps,
                "email" => &mut f.email,
                "phone" => &mut f.phone,
                "region" => &mut f.region,
                "territory_id" => &mut f.territory_id,
                "public_name" => &mut f.public_name,
                "public_email" => &mut f.public_email,
                "public_phone" => &mut f.public_phone,
                "establishments" => &mut f.establishments,
                _ => continue,
            };
            *slot = Some(value);
        }
        f
    }
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, None, ProfessionalForm::of(fields)).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, Some(id), ProfessionalForm::of(fields)).await
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, f: ProfessionalForm) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope.clone());
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let v = FormValues {
        network_roles: f.network_roles.clone(),
        last_name: text(&f.last_name),
        first_name: text(&f.first_name),
        profession: text(&f.profession),
        rpps: text(&f.rpps),
        email: text(&f.email),
        phone: text(&f.phone),
        region: text(&f.region),
        public_name: f.public_name.is_some(),
        public_email: f.public_email.is_some(),
        public_phone: f.public_phone.is_some(),
        establishments: text(&f.establishments),
        territory_id: text(&f.territory_id),
    };
    let existing = match id {
        Some(i) => Some(
            directory::get(&state.db, &scope, i)
                .await
                .map_err(PageError::store(lang))?,
        ),
        None => None,
    };
    let input = ProfessionalInput {
        last_name: f.last_name,
        first_name: f.first_name,
        profession: f.profession,
        rpps: f.rpps,
        email: f.email,
        phone: f.phone,
        region: f.region,
        network_roles: Some(f.network_roles),
        establishments: f.establishments.map(|e| vec![e]),
        // An unreadable choice names no territory of the region: the check below says so.
        territory_id: non_empty(&f.territory_id).map(|t| t.parse().unwrap_or(-1)),
        public_name: Some(v.public_name),
        public_email: Some(v.public_email),
        public_phone: Some(v.public_phone),
    };
    // An entry keeps its region; a new one takes the caller's (or the one a national account picked).
    let region = match &existing {
        Some(e) => RegionCode::parse(&e.region_code).ok(),
        None => own_region(&scope),
    };
    let new = match NewProfessional::validate(&input, region.as_ref()) {
        Ok(n) => n,
        Err(errors) => return form_page(&state, &auth, &scope, id, v, errors).await,
    };
    let unknown = directory::check_establishments(&state.db, &new)
        .await
        .map_err(PageError::store(lang))?;
    if !unknown.is_empty() {
        return form_page(&state, &auth, &scope, id, v, unknown).await;
    }
    match cratb_app::directory::save(&state.db, &actor, id, &new).await {
        Ok(saved_id) => Ok(super::login::redirect(&format!(
            "/directory/{saved_id}?saved=1"
        ))),
        Err(AppError::Store(e)) => match store_field_error(e) {
            Ok(fe) => form_page(&state, &auth, &scope, id, v, vec![fe]).await,
            Err(e) => Err(PageError::store(lang)(e)),
        },
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// A version as shown in the history.
pub struct VersionRow {
    pub version: i64,
    pub actor: String,
    pub summary: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "directory/show.html")]
struct ShowPage {
    l: Layout,
    p: Professional,
    profession: &'static str,
    phone: String,
    versions: Vec<VersionRow>,
    can_edit: bool,
    saved: bool,
    confirmed: String,
    stale: bool,
    roles: String,
    workplaces: Vec<directory::Workplace>,
    teams: Vec<(i64, String)>,
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
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let p = directory::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let versions = directory::history(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?
        .into_iter()
        .map(|v| VersionRow {
            when: super::fmt_time(&v.changed_at, lang),
            version: v.version,
            actor: v.actor,
            summary: v.summary,
        })
        .collect();
    let workplaces = directory::workplaces(&state.db, id)
        .await
        .map_err(PageError::store(lang))?;
    let teams = directory::teams_of(&state.db, id)
        .await
        .map_err(PageError::store(lang))?;
    Ok(render(&ShowPage {
        l: Layout::new(&auth, &format!("{} {}", p.first_name, p.last_name)),
        workplaces,
        teams,
        confirmed: p
            .confirmed_at
            .map(|t| super::fmt_time(&t, lang))
            .unwrap_or_default(),
        stale: p.is_stale(),
        roles: role_labels(&p.network_roles, lang),
        profession: Profession::parse(&p.profession).map_or("?", |x| x.label(lang)),
        phone: super::readable_phone(p.phone.as_deref()),
        p,
        versions,
        can_edit: auth.can(Permission::EditDirectory),
        saved: q.saved.is_some(),
    }))
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let p = directory::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let v = FormValues {
        network_roles: p
            .network_roles
            .split(',')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect(),
        phone: super::readable_phone(p.phone.as_deref()),
        last_name: p.last_name,
        first_name: p.first_name,
        profession: p.profession,
        rpps: p.rpps.unwrap_or_default(),
        email: p.email.unwrap_or_default(),
        region: p.region_code,
        public_name: p.public_name,
        public_email: p.public_email,
        public_phone: p.public_phone,
        establishments: p.establishments.replace(',', ", "),
        territory_id: p.territory_id.map(|t| t.to_string()).unwrap_or_default(),
    };
    form_page(&state, &auth, &scope, Some(id), v, Vec::new()).await
}

/// Puts an earlier version back, as a new version: nothing is lost.
pub async fn restore(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, version)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    match cratb_app::directory::restore(&state.db, &auth.actor(user, scope), id, version).await {
        Ok(()) => Ok(super::login::redirect(&format!("/directory/{id}?saved=1"))),
        // Another entry has taken this version's RPPS number since.
        Err(AppError::Store(StoreError::Conflict(_))) => Err(PageError::BadRequest(
            lang,
            "cette version porte un numéro RPPS désormais utilisé par une autre fiche".into(),
        )),
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// Records that the entry was checked with the professional today.
pub async fn confirm(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let (user, scope) = auth.page_user()?;
    cratb_app::directory::confirm(&state.db, &auth.actor(user, scope), id)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect(&format!("/directory/{id}?saved=1")))
}

/// The whole directory of the caller's region as CSV or XLSX (the columns the import reads).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
) -> PageResult {
    use crate::export::download;
    use cratb_sheet::write::{Cell, Table};
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    if !["csv", "xlsx"].contains(&format.as_str()) {
        return Err(PageError::NotFound(lang));
    }
    let all = directory::all(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?;
    let yes_no = |b: bool| Cell::from(if b { "oui" } else { "non" });
    let sheet = Table::new(
        "Annuaire",
        EXPORT_COLUMNS,
        all.iter()
            .map(|p| {
                vec![
                    p.last_name.as_str().into(),
                    p.first_name.as_str().into(),
                    p.profession.as_str().into(),
                    p.rpps.clone().into(),
                    p.email.clone().into(),
                    p.phone.clone().into(),
                    p.network_roles.as_str().into(),
                    p.establishments.as_str().into(),
                    p.territory_name.clone().into(),
                    yes_no(p.public_name),
                    yes_no(p.public_email),
                    yes_no(p.public_phone),
                    p.confirmed_at.map(|t| t.date().to_string()).into(),
                ]
            })
            .collect(),
    );
    auth.actor(user, scope.clone())
        .record(
            &state.db,
            "directory.export",
            "professional",
            scope.region_filter(),
            format!("annuaire exporté ({format}, {} fiches)", all.len()),
        )
        .await
        .map_err(PageError::app(lang))?;
    let region = scope.region_filter().unwrap_or("national");
    download(&format!("annuaire-{region}"), &format, [sheet], lang)
}

/// The columns of the directory's exports, which its import also reads.
pub const EXPORT_COLUMNS: [&str; 13] = [
    "last_name",
    "first_name",
    "profession",
    "rpps",
    "email",
    "phone",
    "network_roles",
    "establishments",
    "territory",
    "public_name",
    "public_email",
    "public_phone",
    "confirmed_on",
];
