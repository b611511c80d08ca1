//! The directory in FHIR R4 (`application/fhir+json`): one resource type as a `searchset`
//! bundle, or the whole directory of the caller's region as a `collection`.

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::input::Path;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_directory::fhir;
use cratb_store::{directory, establishments, network};
use serde_json::Value;
use std::collections::HashMap;

fn fhir_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// The absolute base of the FHIR endpoints, as the client reached them.
fn base(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/api/v1/fhir", crate::request_base(state, headers))
}

/// The resources of the caller's region, of the given types.
async fn resources(state: &AppState, auth: &Auth, types: &[&str]) -> Result<Vec<Value>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let wants = |t: &str| types.contains(&t);
    let mut out = Vec::new();
    let est = if wants("Organization") || wants("PractitionerRole") {
        establishments::all(&state.db, &scope).await?
    } else {
        Vec::new()
    };
    if wants("Organization") {
        out.extend(est.iter().map(fhir::organization));
    }
    if wants("Practitioner") || wants("PractitionerRole") {
        let ids: HashMap<&str, i64> = est.iter().map(|e| (e.finess.as_str(), e.id)).collect();
        for p in directory::all(&state.db, &scope).await? {
            if wants("Practitioner") {
                out.push(fhir::practitioner(&p));
            }
            if wants("PractitionerRole") {
                let places: Vec<i64> = p
                    .establishments
                    .split(',')
                    .filter_map(|f| ids.get(f).copied())
                    .collect();
                out.extend(fhir::practitioner_roles(&p, &places));
            }
        }
    }
    if wants("CareTeam") {
        out.extend(
            network::list_teams(&state.db, &scope)
                .await?
                .iter()
                .map(fhir::care_team),
        );
    }
    Ok(out)
}

/// All resources of one type in the caller's region, as a `searchset` Bundle.
#[utoipa::path(get, path = "/api/v1/fhir/{type}", tag = "fhir", security(("bearer" = [])),
    params(("type" = String, Path, description = "`Practitioner`, `PractitionerRole`, `Organization` or `CareTeam`")),
    responses((status = 200, description = "FHIR R4 Bundle (searchset)", content_type = "application/fhir+json"),
              (status = 404, description = "FHIR OperationOutcome: unknown resource type", content_type = "application/fhir+json")))]
pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(kind): Path<String>,
) -> Result<Response, ApiError> {
    let Some(t) = fhir::TYPES.iter().find(|t| **t == kind) else {
        return Ok(fhir_json(
            StatusCode::NOT_FOUND,
            &fhir::outcome(
                "not-supported",
                &format!(
                    "type de ressource « {kind} » non servi ; attendu : {}",
                    fhir::TYPES.join(", ")
                ),
            ),
        ));
    };
    let list = resources(&state, &auth, &[t]).await?;
    Ok(fhir_json(
        StatusCode::OK,
        &fhir::bundle(
            "searchset",
            &base(&state, &headers),
            cratb_store::now(),
            list,
        ),
    ))
}

/// The whole directory of the caller's region (establishments, professionals and their
/// roles, EMA teams) as one `collection` Bundle.
#[utoipa::path(get, path = "/api/v1/fhir", tag = "fhir", security(("bearer" = [])),
    responses((status = 200, description = "FHIR R4 Bundle (collection)", content_type = "application/fhir+json")))]
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let list = resources(&state, &auth, &fhir::TYPES).await?;
    Ok(fhir_json(
        StatusCode::OK,
        &fhir::bundle(
            "collection",
            &base(&state, &headers),
            cratb_store::now(),
            list,
        ),
    ))
}
