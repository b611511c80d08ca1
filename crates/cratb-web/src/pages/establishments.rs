//! The establishments directory: list with search as you type, detail, create and edit forms.

use super::{HtmlForm, Layout, Opt, PageResult, non_empty, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use cratb_domain::Lang;
use cratb_domain::{Category, Permission, Scope, Sector, geo};
use cratb_store::establishments::{
    self, Establishment, EstablishmentInput, EstablishmentQuery, NewEstablishment,
};
use cratb_store::{FieldError, Page, PageRequest, reference};
use serde::Deserialize;

/// A row of the list, with labels resolved.
pub struct Row {
    pub e: Establishment,
    pub sector_label: &'static str,
    pub category_label: &'static str,
    pub department_name: &'static str,
}

fn row(e: Establishment, lang: Lang) -> Row {
    Row {
        sector_label: Sector::parse(&e.sector).map_or("?", |s| s.label(lang)),
        category_label: Category::parse(&e.category).map_or("?", |c| c.label(lang)),
        department_name: geo::department(&e.department_code).map_or("?", |d| d.name),
        e,
    }
}

#[derive(Template)]
#[template(path = "establishments/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    sectors: Vec<Opt>,
    departments: Vec<Opt>,
    rows: Vec<Row>,
    page: Page<()>,
    can_edit: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "establishments/rows.html")]
struct RowsPartial {
    l: Layout,
    rows: Vec<Row>,
    page: Page<()>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    sector: Option<String>,
    department: Option<String>,
    page: Option<PageNumber>,
}

/// Departments visible in a scope, for filters and forms.
pub fn departments_in(scope: &Scope) -> Vec<(&'static str, &'static str)> {
    geo::DEPARTMENTS
        .iter()
        .filter(|d| scope.allows(d.region))
        .map(|d| (d.code, d.name))
        .collect()
}

fn page_href(q: &EstablishmentQuery, page: i64) -> String {
    let params = [
        ("q", q.q.clone().unwrap_or_default()),
        ("sector", q.sector.clone().unwrap_or_default()),
        ("department", q.department.clone().unwrap_or_default()),
        ("page", page.to_string()),
    ];
    format!(
        "/establishments?{}",
        serde_urlencoded::to_string(params).unwrap_or_default()
    )
}

/// The list; an htmx request (search as you type) gets only the result rows.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let query = EstablishmentQuery {
        q: non_empty(&q.q),
        sector: non_empty(&q.sector),
        department: non_empty(&q.department),
    };
    let page = establishments::list(
        &state.db,
        &scope,
        &query,
        PageRequest::new(q.page.map(PageNumber::get), Some(50)),
    )
    .await
    .map_err(PageError::store(lang))?;
    let (items, meta) = page.split();
    let (prev, next) = meta.neighbours();
    let prev_href = prev.map(|n| page_href(&query, n));
    let next_href = next.map(|n| page_href(&query, n));
    let rows: Vec<Row> = items.into_iter().map(|e| row(e, lang)).collect();
    let tr = lang.tr();
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        return Ok(render(&RowsPartial {
            l: Layout::new(&auth, tr.nav_establishments),
            rows,
            page: meta,
            prev_href,
            next_href,
        }));
    }
    Ok(render(&ListPage {
        l: Layout::new(&auth, tr.nav_establishments),
        q: query.q.clone().unwrap_or_default(),
        sectors: options(
            Sector::ALL.iter().map(|s| (s.code(), s.label(lang))),
            query.sector.as_deref().unwrap_or(""),
        ),
        departments: options(
            departments_in(&scope),
            query.department.as_deref().unwrap_or(""),
        ),
        rows,
        page: meta,
        can_edit: auth.can(Permission::EditEstablishments),
        prev_href,
        next_href,
    }))
}

#[derive(Template)]
#[template(path = "establishments/show.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    region_name: &'static str,
    can_edit: bool,
    saved: bool,
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
    let e = establishments::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let region_name = geo::region(&e.region_code).map_or("?", |r| r.name);
    let r = row(e, lang);
    let title = r.e.name.clone();
    Ok(render(&ShowPage {
        l: Layout::new(&auth, &title),
        r,
        region_name,
        can_edit: auth.can(Permission::EditEstablishments),
        saved: q.saved.is_some(),
    }))
}

/// Values of the form as typed, and the errors per field.
#[derive(Default)]
pub struct FormValues {
    pub finess: String,
    pub name: String,
    pub category: String,
    pub department: String,
    pub ght_id: String,
    pub beds: String,
    pub commune: String,
}

#[derive(Template)]
#[template(path = "establishments/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    v: FormValues,
    errors: Vec<FieldError>,
    categories: Vec<Opt>,
    departments: Vec<Opt>,
    ghts: Vec<Opt>,
}

impl FormPage {
    /// The error message of a field, if any.
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    title: &str,
    action: String,
    v: FormValues,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let ghts = reference::list_territories(&state.db, scope, Some("GHT"))
        .await
        .unwrap_or_default();
    let status = super::form_status(&errors);
    Ok(super::render_status(
        &FormPage {
            l: Layout::new(auth, title),
            action,
            categories: options(
                Category::ALL.iter().map(|c| (c.code(), c.label(lang))),
                &v.category,
            ),
            departments: options(departments_in(scope), &v.department),
            ghts: options(
                ghts.into_iter().map(|t| (t.id.to_string(), t.name)),
                &v.ght_id,
            ),
            v,
            errors,
        },
        status,
    ))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let title = auth.lang.tr().new_establishment;
    form_page(
        &state,
        &auth,
        &scope,
        title,
        "/establishments".into(),
        FormValues::default(),
        vec![],
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let e = establishments::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(auth.lang))?;
    let v = FormValues {
        finess: e.finess.clone(),
        name: e.name.clone(),
        category: e.category.clone(),
        department: e.department_code.clone(),
        ght_id: e.ght_id.map(|g| g.to_string()).unwrap_or_default(),
        beds: e.beds.map(|b| b.to_string()).unwrap_or_default(),
        commune: e.commune.clone().unwrap_or_default(),
    };
    let title = format!("{} — {}", auth.lang.tr().edit, e.name);
    form_page(
        &state,
        &auth,
        &scope,
        &title,
        format!("/establishments/{id}"),
        v,
        vec![],
    )
    .await
}

#[derive(Deserialize)]
pub struct EstablishmentForm {
    finess: Option<String>,
    name: Option<String>,
    category: Option<String>,
    department: Option<String>,
    ght_id: Option<String>,
    beds: Option<String>,
    commune: Option<String>,
}

impl EstablishmentForm {
    /// Converts the typed text into API input, reporting unreadable numbers as field errors.
    fn parse(&self) -> (FormValues, EstablishmentInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, v: &Option<String>| match non_empty(v) {
            None => None,
            Some(s) => match s.replace([' ', '\u{a0}'], "").parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        format!("« {s} » n'est pas un nombre entier"),
                        format!("“{s}” is not a whole number"),
                    ));
                    None
                }
            },
        };
        let ght_id = number("ght_id", &self.ght_id);
        let beds = number("beds", &self.beds);
        let input = EstablishmentInput {
            finess: non_empty(&self.finess),
            name: non_empty(&self.name),
            category: non_empty(&self.category),
            department: non_empty(&self.department),
            ght_id,
            beds,
            commune: non_empty(&self.commune),
        };
        let v = FormValues {
            finess: self.finess.clone().unwrap_or_default(),
            name: self.name.clone().unwrap_or_default(),
            category: self.category.clone().unwrap_or_default(),
            department: self.department.clone().unwrap_or_default(),
            ght_id: self.ght_id.clone().unwrap_or_default(),
            beds: self.beds.clone().unwrap_or_default(),
            commune: self.commune.clone().unwrap_or_default(),
        };
        (v, input, errors)
    }
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, f: EstablishmentForm) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let (v, input, mut errors) = f.parse();
    let title = if id.is_some() {
        lang.tr().edit
    } else {
        lang.tr().new_establishment
    };
    let action = id.map_or("/establishments".to_owned(), |i| {
        format!("/establishments/{i}")
    });
    let new = match NewEstablishment::validate(&input) {
        Ok(n) if errors.is_empty() => n,
        Ok(_) => return form_page(&state, &auth, &scope, title, action, v, errors).await,
        Err(mut e) => {
            errors.append(&mut e);
            return form_page(&state, &auth, &scope, title, action, v, errors).await;
        }
    };
    let actor = auth.actor(user, scope.clone());
    let saved = match id {
        Some(i) => cratb_app::establishments::update(&state.db, &actor, i, &new).await,
        None => cratb_app::establishments::create(&state.db, &actor, &new).await,
    };
    match saved {
        Ok(e) => Ok(super::login::redirect(&format!(
            "/establishments/{}?saved=1",
            e.id
        ))),
        Err(cratb_app::AppError::Conflict(fe)) => {
            form_page(&state, &auth, &scope, title, action, v, vec![fe]).await
        }
        Err(cratb_app::AppError::Invalid(errors)) => {
            form_page(&state, &auth, &scope, title, action, v, errors).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<EstablishmentForm>,
) -> PageResult {
    save(state, auth, None, f).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(f): HtmlForm<EstablishmentForm>,
) -> PageResult {
    save(state, auth, Some(id), f).await
}
