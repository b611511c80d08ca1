//! Accounts of the region: list, creation, activation. Coordinators manage their region's
//! accounts; only a national administrator creates national roles.

use super::{HtmlForm, Layout, Opt, PageResult, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use cratb_domain::account::grantable_roles;
use cratb_domain::places::regions_in;
use cratb_domain::{FieldError, Permission, Scope, User, UserInput};
use cratb_store::PageRequest;
use cratb_store::users;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    rows: Vec<User>,
    total: i64,
    can_manage: bool,
    me: i64,
    /// The listed accounts with a second factor.
    mfa_enrolled: std::collections::HashSet<i64>,
    /// The regions whose "second factor for every account" setting the user may change, with
    /// whether it is on.
    mfa_regions: Vec<(&'static str, &'static str, bool)>,
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
    let mfa_enrolled = cratb_store::mfa::enrolled_accounts(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?
        .into_iter()
        .collect();
    let mut mfa_regions = Vec::new();
    if auth.can(Permission::ManageUsers) {
        let requiring = cratb_store::mfa::regions_requiring_all(&state.db)
            .await
            .map_err(PageError::store(lang))?;
        for r in regions_in(&scope) {
            let on = requiring.iter().any(|code| code == r.code);
            mfa_regions.push((r.code, r.name, on));
        }
    }
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().users_title),
        q: q.q.unwrap_or_default(),
        rows: page.items,
        total: page.total,
        can_manage: auth.can(Permission::ManageUsers),
        me: me.id,
        mfa_enrolled,
        mfa_regions,
    }))
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    l: Layout,
    v: UserInput,
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
    v: UserInput,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let status = super::form_status(&errors);
    let roles = grantable_roles(me.role()).map(|r| (r.code(), r.label(lang)));
    let regions = regions_in(scope).map(|r| (r.code, r.name));
    Ok(super::render_status(
        &FormPage {
            l: Layout::new(auth, auth.lang.tr().new_user),
            roles: options(roles, v.role.as_deref().unwrap_or("")),
            regions: options(regions, v.region.as_deref().unwrap_or("")),
            v,
            errors,
        },
        status,
    ))
}

pub async fn new_form(auth: Auth) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let v = UserInput {
        region: me.region_code.clone(),
        ..Default::default()
    };
    form_page(&auth, me, &scope, v, vec![])
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(v): HtmlForm<UserInput>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let actor = auth.actor(me, scope.clone());
    match cratb_app::users::open(&state.db, &actor, &v).await {
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
