//! The stewardship network in the JSON API: EMA teams, conventions, coverage, and the public
//! "who do I ask?" lookup.

use super::{ApiJson, invalid};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::{Bounded, Id, Path, Query};
use crate::pages::directory::own_region;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_directory::network::{Convention, Coverage, NewTeam, PublicAnswer, TeamInput, TeamView};
use cratb_domain::{Lang, RegionCode, Scope, geo};
use cratb_store::network::{self, ConventionQuery};
use serde::Deserialize;
use utoipa::IntoParams;

/// The region's EMA teams, with members, departments and missing disciplines.
#[utoipa::path(get, path = "/api/v1/ema-teams", tag = "network", security(("bearer" = [])),
    responses((status = 200, body = Vec<TeamView>), (status = 401, body = Problem)))]
pub async fn list_teams(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(network::list_teams(&state.db, &scope).await?))
}

/// One team.
#[utoipa::path(get, path = "/api/v1/ema-teams/{id}", tag = "network", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamView), (status = 404, body = Problem)))]
pub async fn get_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<TeamView>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(network::get_team(&state.db, &scope, id).await?))
}

/// A refusal of a team's use case: a name taken is a conflict saying so.
fn team_error(e: cratb_app::AppError, lang: Lang) -> ApiError {
    match e {
        cratb_app::AppError::Conflict(fe) => ApiError::new(StatusCode::CONFLICT, fe.message(lang)),
        e => ApiError::app(lang)(e),
    }
}

/// Creates a team in the caller's region.
#[utoipa::path(post, path = "/api/v1/ema-teams", tag = "network", security(("bearer" = [])),
    request_body = TeamInput,
    responses((status = 201, body = TeamView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TeamInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let t = NewTeam::validate(&input, own_region(&scope).as_ref())
        .map_err(|e| invalid(e, auth.lang))?;
    let id = cratb_app::network::create_team(&state.db, &auth.actor(user, scope.clone()), &t)
        .await
        .map_err(|e| team_error(e, auth.lang))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/ema-teams/{id}"))],
        Json(network::get_team(&state.db, &scope, id).await?),
    )
        .into_response())
}

/// Replaces a team's fields (CRAtb staff, or a member of that team).
#[utoipa::path(put, path = "/api/v1/ema-teams/{id}", tag = "network", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Team id")), request_body = TeamInput,
    responses((status = 200, body = TeamView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TeamInput>,
) -> Result<Json<TeamView>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let current = network::get_team(&state.db, &scope, id).await?;
    if !crate::pages::network::can_edit_team(&state, &auth, id)
        .await
        .map_err(|_| ApiError::forbidden())?
    {
        return Err(ApiError::forbidden());
    }
    let region = RegionCode::parse(&current.team.region_code).ok();
    let t = NewTeam::validate(&input, region.as_ref()).map_err(|e| invalid(e, auth.lang))?;
    cratb_app::network::update_team(&state.db, &auth.actor(user, scope.clone()), id, &t)
        .await
        .map_err(|e| team_error(e, auth.lang))?;
    Ok(Json(network::get_team(&state.db, &scope, id).await?))
}

/// Filters of the convention list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConventionParams {
    /// Effective status: `draft`, `signed` (in force), `expired`, `terminated`.
    pub status: Option<String>,
    /// An EMA team's id.
    #[param(inline)]
    pub team_id: Option<Id>,
    /// Only conventions in force that expire within this many days (0–3660).
    #[param(inline)]
    pub expiring_within: Option<Bounded<0, 3660>>,
}

/// The region's conventions, soonest expiry first; `status` filters on the effective status.
#[utoipa::path(get, path = "/api/v1/conventions", tag = "network", security(("bearer" = [])),
    params(ConventionParams),
    responses((status = 200, body = Vec<Convention>), (status = 401, body = Problem)))]
pub async fn list_conventions(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<ConventionParams>,
) -> Result<Json<Vec<Convention>>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let q = ConventionQuery {
        status: p.status,
        team_id: p.team_id.map(Id::get),
        expiring_within: p.expiring_within.map(Bounded::get),
    };
    Ok(Json(
        network::list_conventions(&state.db, &scope, &q, cratb_store::now().date()).await?,
    ))
}

/// Which region.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionParam {
    /// INSEE region code (national accounts; the others get their own).
    pub region: Option<String>,
}

/// Coverage of the region by conventions in force today, per department and sector, with
/// every establishment and CPTS.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "network", security(("bearer" = [])),
    params(RegionParam),
    responses((status = 200, body = Coverage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn coverage(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RegionParam>,
) -> Result<Json<Coverage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let region = match &scope {
        Scope::Region(r) => r.to_string(),
        Scope::National => match q.region.as_deref().map(str::trim) {
            Some(r) if geo::region(r).is_some() => r.to_owned(),
            _ => {
                return Err(ApiError::field(
                    "/region",
                    "indiquez une région (code INSEE, ex. 84)",
                ));
            }
        },
    };
    let access = scope.access(&region).ok_or_else(ApiError::not_found)?;
    Ok(Json(
        network::coverage(&state.db, &access, cratb_store::now().date()).await?,
    ))
}

/// A place typed by the public.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceParam {
    /// A postcode (`38000`), a department (`38`, `Isère`) or a commune (`Vichy`).
    pub q: Option<String>,
}

/// Who to ask in a place: the EMA teams serving it and the regional centre, public contact
/// channels only (no login).
#[utoipa::path(get, path = "/api/v1/public/search", tag = "network",
    params(PlaceParam),
    responses((status = 200, body = Vec<PublicAnswer>), (status = 422, body = Problem)))]
pub async fn public_search(
    State(state): State<AppState>,
    Query(q): Query<PlaceParam>,
) -> Result<Json<Vec<PublicAnswer>>, ApiError> {
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(ApiError::field(
            "/q",
            "indiquez un code postal, une commune ou un département",
        ));
    }
    Ok(Json(
        cratb_app::network::public_lookup(&state.db, text)
            .await
            .map_err(ApiError::app(Lang::Fr))?,
    ))
}
