//! Accounts of the region: list, creation, changes (role, region, establishments, teams),
//! activation, password links. Coordinators manage their region's accounts; only a national
//! administrator manages national roles.

use super::{Layout, ListForm, Opt, PageResult, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use cratb_domain::account::{LinkKind, List, grantable_roles};
use cratb_domain::places::regions_in;
use cratb_domain::{FieldError, Permission, Scope, User, UserChange, UserInput};
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

/// The account form's values as typed (new or changed account).
#[derive(Default)]
struct Values {
    email: String,
    display_name: String,
    role: String,
    region: String,
    establishments: String,
    teams: Vec<i64>,
}

/// A team to tick.
struct TeamOpt {
    id: i64,
    name: String,
    checked: bool,
}

/// An establishment to pick (search as you type).
struct Place {
    finess: String,
    name: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    l: Layout,
    /// The account changed; none for a new one.
    id: Option<i64>,
    v: Values,
    errors: Vec<FieldError>,
    roles: Vec<Opt>,
    regions: Vec<Opt>,
    /// A national account may be made (no region): offered to national administrators only.
    national: bool,
    teams: Vec<TeamOpt>,
    places: Vec<Place>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    id: Option<i64>,
    mut v: Values,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let (me, scope) = auth.page_user()?;
    // A regional coordinator's accounts are of their region: it is chosen, and the only one.
    let national = matches!(scope, Scope::National);
    if let (Scope::Region(r), true) = (&scope, v.region.is_empty()) {
        v.region = r.as_str().to_owned();
    }
    let status = super::form_status(&errors);
    let roles = grantable_roles(me.role()).map(|r| (r.code(), r.label(lang)));
    let regions = regions_in(&scope).map(|r| (r.code, r.name));
    // The places of the form's region: its establishments and EMA teams.
    let region_scope = match cratb_domain::RegionCode::parse(&v.region) {
        Ok(r) if scope.allows(r.as_str()) => Some(Scope::Region(r)),
        _ => None,
    };
    let (places, teams) = match &region_scope {
        Some(s) => (
            cratb_store::establishments::all(&state.db, s)
                .await
                .map_err(PageError::store(lang))?,
            cratb_store::network::list_teams(&state.db, s)
                .await
                .map_err(PageError::store(lang))?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let title = match id {
        Some(_) => lang.tr().edit_user,
        None => lang.tr().new_user,
    };
    Ok(super::render_status(
        &FormPage {
            l: Layout::new(auth, title),
            id,
            roles: options(roles, &v.role),
            regions: options(regions, &v.region),
            national,
            teams: teams
                .into_iter()
                .map(|t| TeamOpt {
                    checked: v.teams.contains(&t.team.id),
                    id: t.team.id,
                    name: t.team.name,
                })
                .collect(),
            places: places
                .into_iter()
                .map(|e| Place {
                    finess: e.finess,
                    name: e.name,
                })
                .collect(),
            v,
            errors,
        },
        status,
    ))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (me, _) = auth.page_user()?;
    let v = Values {
        region: me.region_code.clone().unwrap_or_default(),
        ..Default::default()
    };
    form_page(&state, &auth, None, v, vec![]).await
}

/// The account form as posted (establishments typed or picked, teams ticked).
#[derive(Deserialize, Default)]
pub struct AccountForm {
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    region: Option<String>,
    establishments: Option<List>,
    teams: Option<List>,
    password: Option<String>,
}

impl AccountForm {
    fn values(&self) -> Values {
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        Values {
            email: text(&self.email),
            display_name: text(&self.display_name),
            role: text(&self.role),
            region: text(&self.region),
            establishments: self
                .establishments
                .as_ref()
                .map(List::joined)
                .unwrap_or_default(),
            teams: self
                .teams
                .iter()
                .flat_map(|l| l.0.iter().filter_map(|t| t.parse().ok()))
                .collect(),
        }
    }
}

/// Opens an account; without a password typed, its holder receives a link to choose theirs.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ListForm(f): ListForm<AccountForm>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let actor = auth.actor(me, scope);
    let input = UserInput {
        email: f.email.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        region: f.region.clone(),
        establishments: f.establishments.clone(),
        teams: Some(f.teams.clone().unwrap_or_default()),
        password: f.password.clone(),
    };
    match cratb_app::users::open(&state.db, &actor, &input).await {
        Ok(opened) => match opened.link {
            Some(token) => {
                link_page(
                    &state,
                    &auth,
                    &headers,
                    &opened.user,
                    &token,
                    LinkKind::Welcome,
                )
                .await
            }
            None => Ok(super::login::redirect("/users")),
        },
        Err(cratb_app::AppError::Invalid(errors)) => {
            form_page(&state, &auth, None, f.values(), errors).await
        }
        Err(e) => Err(PageError::app(auth.lang)(e)),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let u = users::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let finess = users::establishment_finess(&state.db, &u)
        .await
        .map_err(PageError::store(lang))?;
    let v = Values {
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        region: u.region_code.clone().unwrap_or_default(),
        establishments: finess
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        teams: u.team_ids.clone(),
    };
    form_page(&state, &auth, Some(id), v, vec![]).await
}

/// Changes an account (the whole form: establishments and teams as listed).
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ListForm(f): ListForm<AccountForm>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let actor = auth.actor(me, scope);
    let change = UserChange {
        email: f.email.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        region: Some(f.region.clone().unwrap_or_default()),
        establishments: Some(f.establishments.clone().unwrap_or_default()),
        teams: Some(f.teams.clone().unwrap_or_default()),
    };
    match cratb_app::users::edit(&state.db, &actor, id, &change).await {
        Ok(_) => Ok(super::login::redirect("/users")),
        Err(cratb_app::AppError::Invalid(errors)) => {
            form_page(&state, &auth, Some(id), f.values(), errors).await
        }
        Err(e) => Err(PageError::app(auth.lang)(e)),
    }
}

#[derive(Template)]
#[template(path = "users/link.html")]
struct LinkPage {
    l: Layout,
    email: String,
    url: String,
    welcome: bool,
    /// Why the e-mail was not sent, if it was not.
    not_sent: Option<String>,
}

/// Sends a password link to the account's holder and shows it to the administrator, who may
/// pass it on another way.
async fn link_page(
    state: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    user: &User,
    token: &str,
    kind: LinkKind,
) -> PageResult {
    let (url, sent) =
        super::password::send_link(state, headers, user, token, kind, auth.lang).await;
    Ok(render(&LinkPage {
        l: Layout::new(auth, auth.lang.tr().password_link_title),
        email: user.email.clone(),
        url,
        welcome: kind == LinkKind::Welcome,
        not_sent: sent.err(),
    }))
}

/// Issues a new password link for an account (its earlier links stop working).
pub async fn reset_link(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    let (user, token) = cratb_app::users::reset_link(&state.db, &auth.actor(me, scope), id)
        .await
        .map_err(PageError::app(auth.lang))?;
    link_page(&state, &auth, &headers, &user, &token, LinkKind::Reset).await
}

/// Ends every session of an account (after a lost device, a doubt).
pub async fn end_sessions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (me, scope) = auth.page_user()?;
    cratb_app::users::end_sessions(&state.db, &auth.actor(me, scope), id)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect("/users"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: Option<String>,
}

pub async fn set_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    super::HtmlForm(f): super::HtmlForm<ActiveForm>,
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
