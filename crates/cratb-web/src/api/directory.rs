//! The network directory in the JSON API.

use super::{ApiJson, ApiQuery, ProfessionalPage, invalid};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_store::directory::{
    self, DirectoryQuery, NewProfessional, Professional, ProfessionalInput,
};
use cratb_store::{PageRequest, audit};
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
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The professionals of the caller's region, by name.
#[utoipa::path(get, path = "/api/v1/professionals", tag = "directory", security(("bearer" = [])), params(DirectoryParams),
    responses((status = 200, body = ProfessionalPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<DirectoryParams>,
) -> Result<Json<ProfessionalPage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let q = DirectoryQuery {
        q: p.q,
        profession: p.profession,
        stale: p.stale,
    };
    Ok(Json(
        directory::list(&state.db, &scope, &q, PageRequest::new(p.page, p.per_page))
            .await?
            .into(),
    ))
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
    let (_, scope) = auth.api_user()?;
    let own = crate::pages::directory::own_region(&scope);
    let p = NewProfessional::validate(&input, own.as_ref()).map_err(|e| invalid(e, auth.lang))?;
    let (user, _) = auth.api_user()?;
    let id = directory::create(&state.db, &scope, &p, &user.email).await?;
    let summary = format!(
        "professionnel ajouté : {} {} ({})",
        p.first_name,
        p.last_name,
        p.profession.code()
    );
    let entry = auth.audit_entry(
        "professional.create",
        "professional",
        Some(id.to_string()),
        Some(p.region.as_str().to_string()),
        summary,
    );
    audit::append(&state.db, &entry).await?;
    let created = directory::get(&state.db, &scope, id).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!(
                "/api/v1/professionals?q={}",
                crate::error::urlencode(&created.last_name)
            ),
        )],
        Json(created),
    )
        .into_response())
}
