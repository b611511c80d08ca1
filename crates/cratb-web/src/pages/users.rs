//! Accounts of the region: list, creation, activation. Coordinators manage their region's
//! accounts; only a national administrator creates national roles.

use super::{HtmlForm, Layout, Opt, PageResult, non_empty, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use cratb_domain::{Permission, Role, Scope, geo};
use cratb_store::FieldError;
use cratb_store::PageRequest;
use cratb_store::users::{self, User};
use serde::Deserialize;

pub struct UserRow {
    pub u: User,
    pub role_label: &'static str,
    pub region_name: &'static str,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    rows: Vec<UserRow>,
    total: i64,
    can_manage: bool,
    me: i64,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<PageNumber>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (me, scope) = auth.page_user()?;
    let page = users::list(
        &state.db,
        &scope,
        q.q.as_deref(),
        PageRequest::new(q.page.map(PageNumber::get), Some(200)),
    )
    .await
    .map_err(PageError::store(lang))?;
    let rows = page
        .items
        .into_iter()
        .map(|u| UserRow {
            role_label: u.role().label(lang),
            region_name: u
                .region_code
                .as_deref()
                .and_then(geo::region)
                .map_or("—", |r| r.name),
            u,
        })
        .collect();
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().users_title),
        q: q.q.unwrap_or_default(),
        rows,
        total: page.total,
        can_manage: auth.can(Permission::ManageUsers),
        me: me.id,
    }))
}

#[derive(Default)]
pub struct UserValues {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    l: Layout,
    v: UserValues,
    errors: Vec<FieldError>,
    roles: Vec<Opt>,
    regions: Vec<Opt>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
}

fn form_page(
    auth: &Auth,
    me: &User,
    scope: &Scope,
    v: UserValues,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let status = super::form_status(&errors);
    Ok(super::render_status(
        &FormPage {
            l: Layout::new(auth, auth.lang.tr().new_user),
            roles: options(
                Role::ALL
                    .iter()
                    .filter(|r| me.role().may_grant(**r))
                    .map(|r| (r.code(), r.label(lang))),
                &v.role,
            ),
            regions: options(
                geo::REGIONS
                    .iter()
                    .filter(|r| scope.allows(r.code))
                    .map(|r| (r.code, r.name)),
                &v.region,
            ),
            v,
            errors,
        },
        status,
    ))
}

pub async fn new_form(auth: Auth) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let v = UserValues {
        region: me.region_code.clone().unwrap_or_default(),
        ..Default::default()
    };
    form_page(&auth, me, &scope, v, vec![])
}

#[derive(Deserialize)]
pub struct UserForm {
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    region: Option<String>,
    password: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<UserForm>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let v = UserValues {
        email: f.email.clone().unwrap_or_default(),
        display_name: f.display_name.clone().unwrap_or_default(),
        role: f.role.clone().unwrap_or_default(),
        region: f.region.clone().unwrap_or_default(),
    };
    let actor = auth.actor(me, scope.clone());
    let role = non_empty(&f.role);
    let input = cratb_app::users::UserInput {
        email: f.email.as_deref(),
        display_name: f.display_name.as_deref(),
        role: role.as_deref(),
        region: f.region.as_deref(),
        password: f.password.as_deref(),
    };
    let new = match cratb_app::users::validate(&actor, &input) {
        Ok(n) => n,
        Err(errors) => return form_page(&auth, me, &scope, v, errors),
    };
    match cratb_app::users::create(&state.db, &actor, &new).await {
        Ok(_) => Ok(super::login::redirect("/users")),
        Err(cratb_app::AppError::Invalid(errors)) => form_page(&auth, me, &scope, v, errors),
        Err(e) => Err(PageError::app(auth.lang)(e)),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: Option<String>,
}

pub async fn set_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(f): HtmlForm<ActiveForm>,
) -> PageResult {
    let lang = auth.lang;
    let (me, scope) = auth.page_user()?;
    let active = match f.active.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            return Err(PageError::BadRequest(
                lang,
                "champ « active » : attendu true ou false".into(),
            ));
        }
    };
    cratb_app::users::set_active(&state.db, &auth.actor(me, scope), id, active)
        .await
        .map_err(PageError::app(lang))?;
    Ok(super::login::redirect("/users"))
}
