//! The network directory in the JSON API.

use super::{ApiJson, ProfessionalPage};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::{PageNumber, Path, PerPage, Query, page_request};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_directory::professionals::{DirectoryQuery, Professional, ProfessionalInput};
use cratb_store::directory;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and page of the directory.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Part of the name, e-mail or RPPS number.
    pub q: Option<String>,
    /// A profession code (`infectiologist`, `pharmacist`…).
    pub profession: Option<String>,
    /// `true`: only entries not confirmed for 12 months (or never).
    pub stale: Option<bool>,
    /// A network role code (`ema_member`, `referent`, `ambassador`…).
    pub role: Option<String>,
    /// Page number, from 1.
    #[param(inline)]
    pub page: Option<PageNumber>,
    /// Items per page (1–500, default 50).
    #[param(inline)]
    pub per_page: Option<PerPage>,
}

/// The professionals of the caller's region, by name.
#[utoipa::path(get, path = "/api/v1/professionals", tag = "directory", security(("bearer" = [])), params(DirectoryParams),
    responses((status = 200, body = ProfessionalPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<DirectoryParams>,
) -> Result<Json<ProfessionalPage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let q = DirectoryQuery {
        q: p.q,
        profession: p.profession,
        stale: p.stale,
        role: p.role,
    };
    Ok(Json(
        directory::list(&state.db, &scope, &q, page_request(p.page, p.per_page))
            .await?
            .into(),
    ))
}

/// One professional of the caller's region.
#[utoipa::path(get, path = "/api/v1/professionals/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Professional id")),
    responses((status = 200, body = Professional), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<Professional>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(directory::get(&state.db, &scope, id).await?))
}

/// Adds a professional to the directory of the caller's region.
#[utoipa::path(post, path = "/api/v1/professionals", tag = "directory", security(("bearer" = [])),
    request_body = ProfessionalInput,
    responses((status = 201, body = Professional), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ProfessionalInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let id = cratb_app::directory::save(&state.db, &auth.actor(user, scope.clone()), None, &input)
        .await
        .map_err(ApiError::app(auth.lang))?;
    let created = directory::get(&state.db, &scope, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/professionals/{id}"))],
        Json(created),
    )
        .into_response())
}

/// Replaces a professional's entry (a new version; the entry keeps its region).
#[utoipa::path(put, path = "/api/v1/professionals/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Professional id")), request_body = ProfessionalInput,
    responses((status = 200, body = Professional), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProfessionalInput>,
) -> Result<Json<Professional>, ApiError> {
    let (user, scope) = auth.api_user()?;
    cratb_app::directory::save(
        &state.db,
        &auth.actor(user, scope.clone()),
        Some(id),
        &input,
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    Ok(Json(directory::get(&state.db, &scope, id).await?))
}
