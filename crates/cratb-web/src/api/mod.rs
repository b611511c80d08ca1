//! The JSON API under `/api/v1/`: token-authenticated, region-scoped, paginated, errors as
//! `application/problem+json`, described by the OpenAPI 3.1 document at `/api/openapi.json`
//! generated from these handlers.

pub mod advice;
pub mod audits;
pub mod consumption;
pub mod directory;
pub mod fhir;
pub mod network;
pub mod plans;
pub mod resistance;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, InvalidParam, Problem};
use crate::input::{Day, PageNumber, Path, PerPage, Query, page_request};
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_domain::geo::{self, Department, Region};
use cratb_domain::places::territory_kind;
use cratb_domain::{
    AuditEntry, Bilingual, Establishment, EstablishmentInput, FieldError, NewEstablishment,
    NewTerritory, Territory, TerritoryInput, User, UserChange, UserInput,
};
use cratb_store::audit::{self, AuditQuery};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::{reference, users};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// A JSON body; malformed, wrongly typed or mistyped bodies are 4xx problems naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let lang = req
            .extensions()
            .get::<Auth>()
            .map_or(crate::i18n::Lang::Fr, |a| a.lang);
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "le corps doit être du JSON (Content-Type: application/json)",
            ));
        }
        let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "corps trop volumineux (limite {} octets)",
                        crate::BODY_LIMIT
                    ),
                )
            })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("JSON illisible : {e}")))?;
        if let Err(refused) = crate::input::refuse_nul_in_json(&value) {
            let mut e = ApiError::field(&pointer_of(&refused), refused.in_lang(lang));
            e.status = StatusCode::BAD_REQUEST;
            return Err(e);
        }
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let inner = e.inner();
                let path = e.path().to_string();
                let pointer = if path == "." {
                    String::new()
                } else {
                    format!("/{}", path.replace('.', "/"))
                };
                ApiError::field(&pointer, inner.to_string())
            })
    }
}

/// The JSON pointer of a refused field.
fn pointer_of(refused: &crate::input::UnreadableText) -> String {
    match &refused.place {
        crate::input::Place::Field(p) | crate::input::Place::Parameter(p) => p.clone(),
        crate::input::Place::Path => String::new(),
    }
}

fn invalid(errors: Vec<FieldError>, lang: crate::i18n::Lang) -> ApiError {
    ApiError::invalid(
        errors
            .into_iter()
            .map(|e| InvalidParam {
                pointer: e.pointer(),
                detail: e.message(lang).to_owned(),
                ..Default::default()
            })
            .collect(),
    )
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        /// A page of results.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Number of items across all pages.
            pub total: i64,
            pub page: i64,
            pub per_page: i64,
        }
        impl From<cratb_store::Page<$item>> for $name {
            fn from(p: cratb_store::Page<$item>) -> Self {
                $name {
                    items: p.items,
                    total: p.total,
                    page: p.page,
                    per_page: p.per_page,
                }
            }
        }
    };
}
page_type!(EstablishmentPage, Establishment);
page_type!(
    ProfessionalPage,
    cratb_directory::professionals::Professional
);
page_type!(UserPage, User);
page_type!(AuditPage, AuditEntry);
page_type!(AdvicePage, cratb_advice::case::Summary);

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    /// Whether the token used allows writes.
    pub can_write: bool,
}

/// The account of the token's owner.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(auth: Auth) -> Result<Json<Me>, ApiError> {
    let (user, _) = auth.api_user()?;
    Ok(Json(Me {
        user: user.clone(),
        can_write: auth.can_write,
    }))
}

/// The 18 French regions (INSEE codes).
#[utoipa::path(get, path = "/api/v1/regions", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = [Region]), (status = 401, body = Problem)))]
pub async fn regions() -> Json<&'static [Region]> {
    Json(geo::REGIONS)
}

/// The 101 departments with their region.
#[utoipa::path(get, path = "/api/v1/departments", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = [Department]), (status = 401, body = Problem)))]
pub async fn departments() -> Json<&'static [Department]> {
    Json(geo::DEPARTMENTS)
}

/// Filter on the territory kind.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TerritoryParams {
    /// `GHT` or `CPTS`.
    pub kind: Option<String>,
}

/// Territories (GHT, CPTS) of the caller's region (all regions for national roles).
#[utoipa::path(get, path = "/api/v1/territories", tag = "reference", security(("bearer" = [])), params(TerritoryParams),
    responses((status = 200, body = [Territory]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn territories(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<TerritoryParams>,
) -> Result<Json<Vec<Territory>>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let kind = p.kind.as_deref().map(territory_kind);
    let kind = kind.map(|k| k.ok_or_else(|| ApiError::field("/kind", "attendu GHT ou CPTS")));
    Ok(Json(
        reference::list_territories(&state.db, &scope, kind.transpose()?).await?,
    ))
}

/// Creates a GHT or a CPTS in the caller's region.
#[utoipa::path(post, path = "/api/v1/territories", tag = "reference", security(("bearer" = [])),
    request_body = TerritoryInput,
    responses((status = 201, body = Territory), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_territory(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TerritoryInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let t = NewTerritory::from_input(&input).map_err(|e| invalid(e, auth.lang))?;
    let created = cratb_app::territories::create(&state.db, &auth.actor(user, scope), &t)
        .await
        .map_err(ApiError::app(auth.lang))?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Filters of the establishment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EstablishmentParams {
    /// Text searched in the name and FINESS number.
    pub q: Option<String>,
    /// `ES`, `EMS` or `VILLE`.
    pub sector: Option<String>,
    /// Department INSEE code.
    pub department: Option<String>,
    /// Page number, from 1.
    #[param(inline)]
    pub page: Option<PageNumber>,
    /// Items per page (1–500, default 50).
    #[param(inline)]
    pub per_page: Option<PerPage>,
}

/// Establishments of the caller's region, paginated.
#[utoipa::path(get, path = "/api/v1/establishments", tag = "establishments", security(("bearer" = [])), params(EstablishmentParams),
    responses((status = 200, body = EstablishmentPage), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_establishments(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<EstablishmentParams>,
) -> Result<Json<EstablishmentPage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let q = EstablishmentQuery {
        q: p.q,
        sector: p.sector,
        department: p.department,
    };
    Ok(Json(
        establishments::list(&state.db, &scope, &q, page_request(p.page, p.per_page))
            .await?
            .into(),
    ))
}

/// One establishment.
#[utoipa::path(get, path = "/api/v1/establishments/{id}", tag = "establishments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Establishment id")),
    responses((status = 200, body = Establishment), (status = 404, body = Problem)))]
pub async fn get_establishment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<Establishment>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(establishments::get(&state.db, &scope, id).await?))
}

/// Creates an establishment in the caller's region (token with write access).
#[utoipa::path(post, path = "/api/v1/establishments", tag = "establishments", security(("bearer" = [])),
    request_body = EstablishmentInput,
    responses((status = 201, body = Establishment), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_establishment(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<EstablishmentInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let e = NewEstablishment::validate(&input).map_err(|e| invalid(e, auth.lang))?;
    let created = cratb_app::establishments::create(&state.db, &auth.actor(user, scope), &e)
        .await
        .map_err(ApiError::app(auth.lang))?;
    let id = created.id;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/establishments/{id}"))],
        Json(created),
    )
        .into_response())
}

/// Replaces an establishment's fields.
#[utoipa::path(put, path = "/api/v1/establishments/{id}", tag = "establishments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Establishment id")), request_body = EstablishmentInput,
    responses((status = 200, body = Establishment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_establishment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EstablishmentInput>,
) -> Result<Json<Establishment>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let e = NewEstablishment::validate(&input).map_err(|e| invalid(e, auth.lang))?;
    Ok(Json(
        cratb_app::establishments::update(&state.db, &auth.actor(user, scope), id, &e)
            .await
            .map_err(ApiError::app(auth.lang))?,
    ))
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserParams {
    /// Text searched in the e-mail and name.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(inline)]
    pub page: Option<PageNumber>,
    /// Items per page (1–500, default 50).
    #[param(inline)]
    pub per_page: Option<PerPage>,
}

/// Accounts of the caller's region.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(UserParams),
    responses((status = 200, body = UserPage), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<UserParams>,
) -> Result<Json<UserPage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(
        users::list(
            &state.db,
            &scope,
            p.q.as_deref(),
            page_request(p.page, p.per_page),
        )
        .await?
        .into(),
    ))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    let (_, scope) = auth.api_user()?;
    Ok(Json(users::get(&state.db, &scope, id).await?))
}

/// An account just created.
#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: User,
    /// When no password was given: the link (24 hours, once) by which the person chooses
    /// theirs, for the caller to pass on.
    pub password_link: Option<String>,
}

/// Creates an account in the caller's region (with a password the person must change at their
/// first log-in, or without one: the answer then carries the link to choose it).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = UserInput,
    responses((status = 201, body = CreatedUser), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<Response, ApiError> {
    let (me, scope) = auth.api_user()?;
    let opened = cratb_app::users::open(&state.db, &auth.actor(me, scope), &input)
        .await
        .map_err(ApiError::app(auth.lang))?;
    let id = opened.user.id;
    // The caller reads the link and passes it on: the address it used will do.
    let base = crate::request_base(&state, &headers);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/users/{id}"))],
        Json(CreatedUser {
            user: opened.user,
            password_link: opened
                .link
                .map(|token| format!("{base}/password/reset/{token}")),
        }),
    )
        .into_response())
}

/// Changes an account: only the fields given change (establishments and teams: the whole
/// list). Within the caller's powers; audited with the before and after. A change of role or
/// region ends the account's sessions and API tokens.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")), request_body = UserChange,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<User>, ApiError> {
    let (me, scope) = auth.api_user()?;
    Ok(Json(
        cratb_app::users::edit(&state.db, &auth.actor(me, scope), id, &change)
            .await
            .map_err(ApiError::app(auth.lang))?,
    ))
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Part of the actor's e-mail.
    pub user: Option<String>,
    /// Entity type (`session`, `user`, `establishment`…).
    pub entity: Option<String>,
    /// First day included, `YYYY-MM-DD` (1900–2100).
    #[param(inline)]
    pub from: Option<Day>,
    /// Last day included, `YYYY-MM-DD` (1900–2100).
    #[param(inline)]
    pub to: Option<Day>,
    /// Page number, from 1.
    #[param(inline)]
    pub page: Option<PageNumber>,
    /// Items per page (1–500, default 50).
    #[param(inline)]
    pub per_page: Option<PerPage>,
}

/// The audit log of the caller's region, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn audit(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditPage>, ApiError> {
    let (_, scope) = auth.api_user()?;
    let q = AuditQuery {
        user: p.user,
        entity: p.entity,
        from: p.from.map(Day::date),
        to: p.to.map(Day::date),
    };
    Ok(Json(
        audit::list(&state.db, &scope, &q, page_request(p.page, p.per_page))
            .await?
            .into(),
    ))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cratb_…")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI description of the JSON API.
#[derive(OpenApi)]
#[openapi(
    info(title = "cratb API", description = "API JSON de cratb : réseau régional, établissements, comptes, journal d'audit, surveillance de la résistance (import d'antibiogrammes, antibiogramme cumulé, BMR), service d'avis en antibiothérapie (demandes, réponses, suivi à J7, statistiques ; les pièces jointes ne passent pas par l'API JSON), audits de pertinence (grilles, campagnes, saisie des dossiers, résultats) et plans d'action. Authentification par jeton personnel (Bearer). Erreurs au format application/problem+json (RFC 9457)."),
    paths(me, regions, departments, territories, create_territory, list_establishments, get_establishment, create_establishment, update_establishment, list_users, get_user, create_user, update_user, audit, directory::list, directory::create, directory::get, directory::update, network::list_teams, network::get_team, network::create_team, network::update_team, network::list_conventions, network::coverage, network::public_search, fhir::search, fhir::export, resistance::upload, resistance::antibiogram, resistance::alerts, consumption::establishments, advice::create, advice::list, advice::get, advice::answer, advice::follow_up, advice::stats, audits::grids, audits::campaigns, audits::create_case, audits::results, plans::list, plans::get, plans::create, plans::add_action, plans::update_action),
    components(schemas(Problem, InvalidParam, cratb_resistance::imports::ImportOutcome, cratb_resistance::imports::ImportProblem, resistance::PlacedAlert, resistance::Level, resistance::Distribution, resistance::AlertKind, resistance::Series, advice::FiledRequest, AdvicePage, cratb_advice::request::RequestInput, cratb_advice::request::AntibioticInput, cratb_advice::request::CallerInput, cratb_advice::request::Figure, cratb_advice::request::Flag, cratb_advice::request::Antibiotic, cratb_advice::answer::AnswerInput, cratb_advice::answer::RecommendedInput, cratb_advice::answer::Recommended, cratb_advice::answer::FollowUpInput, cratb_advice::case::Summary, cratb_advice::case::Case, cratb_advice::case::Message, cratb_advice::case::Event, cratb_advice::case::Attachment, cratb_advice::case::GivenFollowUp, cratb_advice::stats::AdviceStats, audits::GridInfo, audits::CriterionInfo, audits::CampaignInfo, audits::CaseBody, audits::SavedCase, audits::ResultRow, audits::ParticipantResults, audits::CampaignResultsBody, plans::PlanSummary, plans::ActionInfo, plans::PlanBody, cratb_audit::plan::PlanInput, cratb_audit::plan::ActionInput)),
    modifiers(&BearerAuth),
    tags((name = "account"), (name = "reference"), (name = "establishments"), (name = "users"), (name = "audit"), (name = "directory"), (name = "network"), (name = "fhir"), (name = "resistance"), (name = "consumption"), (name = "advice"), (name = "audits"), (name = "action-plans"))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
