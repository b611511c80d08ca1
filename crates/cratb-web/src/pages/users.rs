//! Accounts of the region: list, creation, activation. Coordinators manage their region's
//! accounts; only a national administrator creates national roles.

use super::{HtmlForm, Layout, Opt, PageResult, non_empty, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::input::{PageNumber, Path, Query};
use askama::Template;
use axum::extract::State;
use cratb_domain::{Email, Permission, RegionCode, Role, Scope, geo};
use cratb_store::FieldError;
use cratb_store::users::{self, NewUser, NewUserError, User};
use cratb_store::{PageRequest, StoreError, audit};
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
            role_label: u.role().label(lang.code()),
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
    let lang = auth.lang.code();
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

/// Validated input for a new account, or the field errors (shared by the page and the API).
pub fn validate_new_user(
    me: &User,
    scope: &Scope,
    email: Option<&str>,
    display_name: Option<&str>,
    role: Option<&str>,
    region: Option<&str>,
    password: Option<&str>,
) -> Result<NewUser, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = match Email::parse(email.unwrap_or("")) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(FieldError::of("email", &e));
            None
        }
    };
    let name = display_name.map(str::trim).unwrap_or("");
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "display_name",
            "le nom affiché est obligatoire (200 caractères au plus)",
            "the display name is required (200 characters at most)",
        ));
    }
    let role = match role.and_then(Role::parse) {
        Some(r) if me.role().may_grant(r) => Some(r),
        Some(_) => {
            errors.push(FieldError::new(
                "role",
                "vous ne pouvez pas attribuer ce rôle",
                "you cannot grant this role",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "role",
                "choisissez un rôle dans la liste",
                "choose a role from the list",
            ));
            None
        }
    };
    let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match RegionCode::parse(r) {
            Ok(code) if scope.allows(code.as_str()) => Some(code),
            Ok(_) => {
                errors.push(FieldError::new(
                    "region",
                    "cette région n'est pas la vôtre",
                    "this region is not yours",
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::of("region", &e));
                None
            }
        },
    };
    if let Some(r) = role {
        if r.is_national() && region.is_some() {
            errors.push(FieldError::new(
                "region",
                "un rôle national n'a pas de région",
                "a national role has no region",
            ));
        } else if !r.is_national()
            && region.is_none()
            && !errors.iter().any(|e| e.field == "region")
        {
            errors.push(FieldError::new(
                "region",
                "une région est obligatoire pour ce rôle",
                "this role needs a region",
            ));
        }
    }
    let password = password.unwrap_or("");
    if let Some(e) = &email
        && let Err(pe) = cratb_domain::check_password_policy(password, e.as_str())
    {
        errors.push(FieldError::of("password", &pe));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewUser {
        email: email.expect("checked"),
        display_name: name.to_owned(),
        role: role.expect("checked"),
        region,
        establishment_id: None,
        password: password.to_owned(),
    })
}

/// Creates the account and audits it; a taken e-mail is a field error.
pub async fn insert_user(
    state: &AppState,
    auth: &Auth,
    new: &NewUser,
) -> Result<Result<i64, Vec<FieldError>>, StoreError> {
    match users::create(&state.db, new).await {
        Ok(id) => {
            let summary = format!("compte créé : {} ({})", new.email, new.role.code());
            audit::append(
                &state.db,
                &auth.audit_entry(
                    "user.create",
                    "user",
                    Some(id.to_string()),
                    new.region.as_ref().map(|r| r.to_string()),
                    summary,
                ),
            )
            .await?;
            Ok(Ok(id))
        }
        Err(NewUserError::Store(StoreError::Conflict(_))) => Ok(Err(vec![FieldError::new(
            "email",
            "un compte existe déjà avec cette adresse",
            "an account already exists with this address",
        )])),
        Err(NewUserError::Store(e)) => Err(e),
        Err(other) => Ok(Err(vec![FieldError::new(
            "password",
            other.to_string(),
            other.to_string(),
        )])),
    }
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
    let new = match validate_new_user(
        me,
        &scope,
        f.email.as_deref(),
        f.display_name.as_deref(),
        non_empty(&f.role).as_deref(),
        f.region.as_deref(),
        f.password.as_deref(),
    ) {
        Ok(n) => n,
        Err(errors) => return form_page(&auth, me, &scope, v, errors),
    };
    match insert_user(&state, &auth, &new).await {
        Ok(Ok(_)) => Ok(super::login::redirect("/users")),
        Ok(Err(errors)) => form_page(&auth, me, &scope, v, errors),
        Err(e) => Err(PageError::store(auth.lang)(e)),
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
    if id == me.id && !active {
        return Err(PageError::BadRequest(
            lang,
            "vous ne pouvez pas désactiver votre propre compte".into(),
        ));
    }
    let target = users::get(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    if !me.role().may_grant(target.role()) {
        return Err(PageError::Forbidden(lang));
    }
    users::set_active(&state.db, &scope, id, active)
        .await
        .map_err(PageError::store(lang))?;
    let (action, verb) = if active {
        ("user.enable", "réactivé")
    } else {
        ("user.disable", "désactivé")
    };
    let entry = auth.audit_entry(
        action,
        "user",
        Some(id.to_string()),
        target.region_code.clone(),
        format!("compte {verb} : {}", target.email),
    );
    audit::append(&state.db, &entry)
        .await
        .map_err(PageError::store(lang))?;
    Ok(super::login::redirect("/users"))
}
