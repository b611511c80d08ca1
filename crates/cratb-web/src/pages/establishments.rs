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
use cratb_domain::places::departments_in;
use cratb_domain::{
    Category, Establishment, EstablishmentText, FieldError, NewEstablishment, Permission, Scope,
    Sector,
};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::{Page, PageRequest, reference};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "establishments/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    sectors: Vec<Opt>,
    departments: Vec<Opt>,
    rows: Vec<Establishment>,
    page: Page<()>,
    can_edit: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "establishments/rows.html")]
struct RowsPartial {
    l: Layout,
    rows: Vec<Establishment>,
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
    let (rows, meta) = page.split();
    let (prev, next) = meta.neighbours();
    let prev_href = prev.map(|n| page_href(&query, n));
    let next_href = next.map(|n| page_href(&query, n));
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
    e: Establishment,
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
    let (_, scope) = auth.page_user()?;
    let e = establishments::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(auth.lang))?;
    Ok(render(&ShowPage {
        l: Layout::new(&auth, &e.name),
        e,
        can_edit: auth.can(Permission::EditEstablishments),
        saved: q.saved.is_some(),
    }))
}

#[derive(Template)]
#[template(path = "establishments/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    v: EstablishmentText,
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
    v: EstablishmentText,
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
        EstablishmentText::default(),
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
    let v = EstablishmentText::of(&e);
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

async fn save(state: AppState, auth: Auth, id: Option<i64>, v: EstablishmentText) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let title = if id.is_some() {
        lang.tr().edit
    } else {
        lang.tr().new_establishment
    };
    let action = id.map_or("/establishments".to_owned(), |i| {
        format!("/establishments/{i}")
    });
    let new = match NewEstablishment::from_text(&v) {
        Ok(n) => n,
        Err(errors) => return form_page(&state, &auth, &scope, title, action, v, errors).await,
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
    HtmlForm(f): HtmlForm<EstablishmentText>,
) -> PageResult {
    save(state, auth, None, f).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(f): HtmlForm<EstablishmentText>,
) -> PageResult {
    save(state, auth, Some(id), f).await
}
