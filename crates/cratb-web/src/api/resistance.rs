//! Resistance surveillance in the JSON API: file upload for laboratory systems, the cumulative
//! antibiogram and the resistant organisms of concern. Every call reads or writes
//! isolate-level data and is in the audit log.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, InvalidParam, Problem};
use crate::input::{Id, Query};
use crate::resistance::{ESTABLISHMENT_REFUSED, Filter, RegionData, Seen};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cratb_domain::Scope;
use cratb_resistance::imports::ImportOutcome;
use cratb_store::resistance::{ImportError, ImportRequest};
use serde::Deserialize;
use utoipa::IntoParams;

pub use cratb_resistance::places::{Distribution, Level, PlacedAlert};
use cratb_resistance::places::{Place, placed_alerts};
pub use cratb_resistance::{AlertKind, Series};

/// Options of an upload.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// Establishment id the whole file belongs to; without it, rows name theirs by FINESS in
    /// an `establishment` column (or none, for community laboratories).
    #[param(inline)]
    pub establishment: Option<Id>,
    /// Name of the file, kept in the import history.
    pub filename: Option<String>,
    /// `EUCAST 2025` (default), `EUCAST 2024` or `EUCAST 2023`.
    pub guideline: Option<String>,
    /// `never` (default), `specimen` (UTI breakpoints for urine) or `always`.
    pub uti: Option<String>,
    /// `true`: import the valid rows and report the others; `false` (default): all or nothing.
    pub skip_invalid: Option<bool>,
    /// Region (national accounts only).
    pub region: Option<String>,
}

/// [`cratb_app::resistance::analysis_region`], with the API's errors.
async fn region_of(
    state: &AppState,
    scope: &Scope,
    asked: Option<&str>,
    own: Option<&str>,
) -> Result<String, ApiError> {
    cratb_app::resistance::analysis_region(&state.db, scope, own, asked)
        .await?
        .ok_or_else(|| ApiError::field("/region", "région inconnue"))
}

/// Uploads a susceptibility file (CSV or XLSX, the body as is). All or nothing unless
/// `skip_invalid=true`; problems come back with their line, column and value.
#[utoipa::path(post, path = "/api/v1/isolates/imports", tag = "resistance", security(("bearer" = [])),
    params(UploadParams),
    request_body(content = String, description = "The file: CSV (text/csv) or XLSX", content_type = "text/csv"),
    responses((status = 201, body = ImportOutcome), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<UploadParams>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let lang = auth.lang;
    // Read into one buffer that goes to the import as it is (not collected, then copied).
    let announced = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = crate::upload::read_body(body, announced).await?;
    if body.is_empty() {
        return Err(ApiError::field(
            "/file",
            "le corps de la requête doit contenir le fichier (CSV ou XLSX)",
        ));
    }
    let options = cratb_amr::ReadOptions::named(
        p.guideline.as_deref().unwrap_or(""),
        p.uti.as_deref().unwrap_or(""),
        p.skip_invalid.unwrap_or(false),
    )
    .map_err(|field| ApiError::field(&format!("/{field}"), "valeur inconnue"))?;
    let region = region_of(
        &state,
        &scope,
        p.region.as_deref(),
        user.region_code.as_deref(),
    )
    .await?;
    let filename = p.filename.clone().unwrap_or_else(|| "api".into());
    let request = ImportRequest {
        region_code: region.clone(),
        establishment_id: p.establishment.map(Id::get),
        filename: filename.clone(),
        bytes: body,
        options,
        imported_by: Some(user.id),
    };
    match crate::pages::resistance::import(&state, &auth, user, &scope, request).await {
        Ok(outcome) => Ok((StatusCode::CREATED, Json(outcome)).into_response()),
        Err(ImportError::Invalid { problems, total }) => {
            let mut e = ApiError::invalid(
                problems
                    .iter()
                    .map(|p| InvalidParam {
                        pointer: "/file".into(),
                        detail: p.message(lang).to_string(),
                        line: Some(p.line),
                        column: Some(p.column.clone()),
                        value: Some(p.value.clone()),
                    })
                    .collect(),
            );
            e.detail = Some(format!(
                "{total} problème(s) dans le fichier ; rien n'a été importé"
            ));
            Err(e)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The region's isolates for the analysis `a` (the read in the audit log), `a` itself, what the
/// caller sees of them ([`Seen`]) and the region; a filter on an establishment the caller may not
/// see by name is refused.
async fn region_data(
    state: &AppState,
    auth: &Auth,
    f: &Filter,
) -> Result<
    (
        std::sync::Arc<RegionData>,
        cratb_resistance::Filter,
        Seen,
        String,
    ),
    ApiError,
> {
    let (user, scope) = auth.api_user()?;
    let region = region_of(
        state,
        &scope,
        f.region.as_deref(),
        user.region_code.as_deref(),
    )
    .await?;
    let seen = Seen::of(&state.db, user, &scope, &region, f)
        .await
        .map_err(ApiError::app(auth.lang))?;
    if seen.refuses(f) {
        let (fr, _) = ESTABLISHMENT_REFUSED;
        return Err(ApiError::new(StatusCode::FORBIDDEN, fr));
    }
    let data = state.amr.region(&state.db, &region).await?;
    let a = f.analysis(&seen.threshold);
    auth.actor(user, scope.clone())
        .record(
            &state.db,
            "isolates.read",
            "api",
            Some(&region),
            a.summary(),
        )
        .await
        .map_err(ApiError::app(auth.lang))?;
    Ok((data, a, seen, region))
}

/// The cumulative antibiogram: per organism × antimicrobial, counts, % susceptible and its
/// 95 % Wilson interval, as `cratb amr antibiogram --format json`, with three more columns:
/// `antimicrobial_name` (in the caller's language; gentamicin high-level for enterococci),
/// `intrinsic_resistance` (an EUCAST expected resistant phenotype: with `intrinsic=include`,
/// the default, every isolate tested counts as R and the share susceptible is 0) and
/// `pk_pd_breakpoint` (interpreted with PK/PD, non-species-related, breakpoints: EUCAST gives
/// none for the species). `min_isolates` is the threshold applied: the one asked for, raised
/// to the region's floor; `intrinsic_resistance` says whether expected resistant phenotypes
/// were applied (`include` or `ignore`).
#[utoipa::path(get, path = "/api/v1/antibiogram", tag = "resistance", security(("bearer" = [])),
    params(Filter),
    responses((status = 200, description = "`guideline`, `first_isolates_only`, `min_isolates`, `isolates`, `intrinsic_resistance` (`include` or `ignore`) and `rows` with the columns of the CLI, `antimicrobial_name`, `intrinsic_resistance` and `pk_pd_breakpoint`"), (status = 403, body = Problem)))]
pub async fn antibiogram(
    State(state): State<AppState>,
    auth: Auth,
    Query(f): Query<Filter>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (data, a, _, _) = region_data(&state, &auth, &f).await?;
    Ok(Json(cratb_report::resistance::antibiogram_json(
        &data.antibiogram(&a),
        auth.lang,
    )))
}

/// Resistant organisms of concern among first isolates, per year, species by species as
/// EARS-Net (ECDC) defines them (`kind`: R, never I, to a marker antimicrobial; no pooled
/// rate), each for blood cultures (`series` `blood`, comparable with EARS-Net and SPARES, listed
/// first) and for every specimen (`all`): for the region, and as the caller's role allows, per
/// establishment named (the others together, with the distribution of their rates) or per
/// department and GHT. A rate over fewer isolates than the reporting threshold is `null`;
/// `few_isolates` flags fewer than 30 isolates tested (the antibiogram's caution).
#[utoipa::path(get, path = "/api/v1/resistance/alerts", tag = "resistance", security(("bearer" = [])),
    params(Filter),
    responses((status = 200, body = [PlacedAlert]), (status = 403, body = Problem)))]
pub async fn alerts(
    State(state): State<AppState>,
    auth: Auth,
    Query(mut f): Query<Filter>,
) -> Result<Json<Vec<PlacedAlert>>, ApiError> {
    f.first_isolates = None;
    let (data, a, seen, region) = region_data(&state, &auth, &f).await?;
    let (_, scope) = auth.api_user()?;
    let access = scope.access(&region).ok_or_else(ApiError::not_found)?;
    let places = cratb_store::resistance::establishment_places(&state.db, &access)
        .await?
        .into_iter()
        .map(|(id, name, department, territory)| Place {
            id,
            name,
            department,
            territory,
        })
        .collect::<Vec<_>>();
    let rows = data.alerts(&a);
    Ok(Json(placed_alerts(
        &rows,
        &places,
        &seen.visibility,
        seen.threshold.value,
    )))
}
