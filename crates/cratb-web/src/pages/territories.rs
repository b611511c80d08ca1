//! Territories of the user's region(s): departments, GHTs and CPTS, and the form that adds one.

use super::{HtmlForm, Layout, PageResult, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use askama::Template;
use axum::extract::State;
use cratb_domain::{Permission, Scope, geo};
use cratb_store::FieldError;
use cratb_store::reference::{self, NewTerritory, Territory};

/// A region with its departments and GHTs.
pub struct RegionBlock {
    pub code: &'static str,
    pub name: &'static str,
    pub departments: Vec<(&'static str, &'static str)>,
    /// GHTs and CPTS, each with its departments spelled out.
    pub territories: Vec<(Territory, String)>,
}

/// What was typed in the form, and its errors.
#[derive(Default)]
pub struct TerritoryValues {
    pub kind: String,
    pub name: String,
    pub departments: Vec<String>,
    pub errors: Vec<FieldError>,
}

impl TerritoryValues {
    fn checked(&self, code: &str) -> bool {
        self.departments
            .iter()
            .any(|d| d.eq_ignore_ascii_case(code))
    }
}

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    l: Layout,
    regions: Vec<RegionBlock>,
    can_edit: bool,
    v: TerritoryValues,
}

impl TerritoriesPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.v.errors, field, self.l.lang)
    }
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    page(&state, &auth, &scope, TerritoryValues::default()).await
}

async fn page(state: &AppState, auth: &Auth, scope: &Scope, v: TerritoryValues) -> PageResult {
    let territories = reference::list_territories(&state.db, scope, None)
        .await
        .map_err(PageError::store(auth.lang))?;
    let regions = geo::REGIONS
        .iter()
        .filter(|r| scope.allows(r.code))
        .map(|r| RegionBlock {
            code: r.code,
            name: r.name,
            departments: geo::departments_of(r.code)
                .map(|d| (d.code, d.name))
                .collect(),
            territories: territories
                .iter()
                .filter(|t| t.region_code == r.code)
                .map(|t| {
                    let names = t
                        .departments
                        .split(',')
                        .filter_map(geo::department)
                        .map(|d| format!("{} ({})", d.name, d.code))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (t.clone(), names)
                })
                .collect(),
        })
        .collect();
    let status = super::form_status(&v.errors);
    Ok(render_status(
        &TerritoriesPage {
            l: Layout::new(auth, auth.lang.tr().territories_title),
            regions,
            can_edit: auth.can(Permission::EditEstablishments),
            v,
        },
        status,
    ))
}

/// Adds a GHT or a CPTS (repeated `departments` fields), then shows the list again.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let value = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut v = TerritoryValues {
        kind: value("kind"),
        name: value("name"),
        departments: fields
            .iter()
            .filter(|(k, _)| k == "departments")
            .map(|(_, d)| d.clone())
            .collect(),
        errors: Vec::new(),
    };
    let deps: Vec<&str> = v.departments.iter().map(String::as_str).collect();
    let t = match NewTerritory::validate(&v.kind, &v.name, &deps) {
        Ok(t) => t,
        Err(errors) => {
            v.errors = errors;
            return page(&state, &auth, &scope, v).await;
        }
    };
    let actor = auth.actor(user, scope.clone());
    match cratb_app::territories::create(&state.db, &actor, &t).await {
        Ok(_) => Ok(super::login::redirect("/territories")),
        Err(cratb_app::AppError::Invalid(errors)) => {
            v.errors = errors;
            page(&state, &auth, &scope, v).await
        }
        Err(e) => Err(PageError::app(auth.lang)(e)),
    }
}
