//! Antibiotic consumption in the JSON API: every establishment's indicator for a year among the
//! peers of its category ([`cratb_consumption::figures`]), with the filters of the screens. Only
//! the establishments the caller sees by name are given ([`cratb_app::policy::visibility`]): a
//! referent their own, an EMA member those of their teams' territory.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::Query;
use crate::pages::consumption::{Filters, resolve};
use axum::Json;
use axum::extract::State;
use cratb_consumption::figures::{ConsumptionFigures, figures};
use cratb_domain::Role;

/// DDD per 1000 patient-days (resident-days) and per 100 admissions of each establishment for a
/// year, with its peers' distribution.
#[utoipa::path(get, path = "/api/v1/consumption/establishments", tag = "consumption", security(("bearer" = [])),
    params(Filters),
    responses((status = 200, body = ConsumptionFigures), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn establishments(
    State(state): State<AppState>,
    auth: Auth,
    Query(f): Query<Filters>,
) -> Result<Json<ConsumptionFigures>, ApiError> {
    let (user, scope) = auth.api_user()?;
    if user.role() == Role::Referent && user.establishment_ids.is_empty() {
        return Err(ApiError::forbidden());
    }
    let region = cratb_app::consumption::analysis_region(
        &state.db,
        &scope,
        user.region_code.as_deref(),
        f.region.as_deref(),
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let access = scope.access(&region).ok_or_else(ApiError::not_found)?;
    let visibility = cratb_app::policy::visibility(&state.db, user, &access)
        .await
        .map_err(ApiError::app(auth.lang))?;
    // The establishments named: all, or a list (the others as their peers' distribution).
    let named: Option<Vec<i64>> = visibility.named().map(|n| n.iter().copied().collect());
    let cube = state.consumption.region(&state.db, &region).await?;
    let r = resolve(&cube, &f);
    Ok(Json(figures(&cube, region, &r, named.as_deref())))
}
