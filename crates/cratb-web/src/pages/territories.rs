//! Territories of the user's region(s): departments, GHTs and CPTS, and the form that adds one.

use super::{HtmlForm, Layout, PageResult, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use askama::Template;
use axum::extract::State;
use cratb_domain::places::{self, RegionTerritories};
use cratb_domain::{FieldError, NewTerritory, Permission, Scope, TerritoryInput};
use cratb_store::reference;

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    l: Layout,
    regions: Vec<RegionTerritories>,
    can_edit: bool,
    /// What was typed in the form, and its errors.
    v: TerritoryInput,
    errors: Vec<FieldError>,
}

impl TerritoriesPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field, self.l.lang)
    }
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    page(&state, &auth, &scope, TerritoryInput::default(), vec![]).await
}

async fn page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    v: TerritoryInput,
    errors: Vec<FieldError>,
) -> PageResult {
    let territories = reference::list_territories(&state.db, scope, None)
        .await
        .map_err(PageError::store(auth.lang))?;
    let status = super::form_status(&errors);
    Ok(render_status(
        &TerritoriesPage {
            l: Layout::new(auth, auth.lang.tr().territories_title),
            regions: places::by_region(scope, &territories),
            can_edit: auth.can(Permission::EditEstablishments),
            v,
            errors,
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
    let v = TerritoryInput::from_fields(&fields);
    let t = match NewTerritory::from_input(&v) {
        Ok(t) => t,
        Err(errors) => return page(&state, &auth, &scope, v, errors).await,
    };
    let actor = auth.actor(user, scope.clone());
    match cratb_app::territories::create(&state.db, &actor, &t).await {
        Ok(_) => Ok(super::login::redirect("/territories")),
        Err(cratb_app::AppError::Invalid(errors)) => page(&state, &auth, &scope, v, errors).await,
        Err(e) => Err(PageError::app(auth.lang)(e)),
    }
}
