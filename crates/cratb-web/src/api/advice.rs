//! The advice service in the JSON API: file a request, list the requests one sees, read a case
//! (the read is in the audit log), answer it, give the day-7 follow-up, and the statistics of a
//! region. Each call goes through the same use case as the pages ([`cratb_app::advice`]); the
//! e-mails it calls for (a link and a reference, no health data) are sent with the server's
//! mailer when the public address is known ([`crate::public_base`]).

use super::{AdvicePage, ApiJson};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, InvalidParam, Problem};
use crate::input::{Id, PageNumber, Path, PerPage, Query, Year, page_request};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_advice::answer::{AnswerInput, FollowUp, FollowUpInput, NewAnswer};
use cratb_advice::case::Case;
use cratb_advice::request::RequestInput;
use cratb_advice::stats::AdviceStats;
use cratb_advice::{InfectionSite, Status};
use cratb_app::AppError;
use cratb_domain::{FieldError, Lang, paris};
use cratb_store::advice::AdviceQuery;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

fn invalid(errors: Vec<FieldError>, lang: Lang) -> ApiError {
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

/// A use case's refusal: the fields at fault as JSON pointers (422), else as every API route.
fn refused(lang: Lang) -> impl FnOnce(AppError) -> ApiError {
    move |e| match e {
        AppError::Invalid(fields) => invalid(fields, lang),
        e => ApiError::app(lang)(e),
    }
}

/// The address links in e-mails point to: `None` when e-mail may not carry links (no public
/// address configured outside a demonstration); the change is made, the e-mails are not sent.
fn links_base(state: &AppState, headers: &HeaderMap) -> Option<String> {
    crate::public_base(state, headers)
}

/// A request just filed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiledRequest {
    pub id: i64,
    /// The reference said in e-mails and on the phone (`AV-2026-00042`).
    pub reference: String,
    /// The EMA team it is routed to (none: the CRAtb answers).
    pub team_name: Option<String>,
    /// The team's line, for an emergency while the request waits.
    pub team_phone: Option<String>,
    /// When the first answer is due (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: OffsetDateTime,
    /// It waits for the team's next opening.
    pub queued: bool,
}

/// Files a request for advice.
///
/// The request is a pseudonymised case (no name, no date of birth, no address). It is routed
/// to the EMA team serving its department and sector and to the member on duty, who are told
/// by e-mail (a link and a reference only). Attachments are not sent through the JSON API: add
/// them on the request's page. Invalid input is refused field by field (JSON pointers) and
/// nothing is stored.
#[utoipa::path(post, path = "/api/v1/advice", tag = "advice", security(("bearer" = [])),
    request_body = RequestInput,
    responses((status = 201, body = FiledRequest, headers(("Location" = String, description = "The request's address in the API"))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RequestInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let base = links_base(&state, &headers);
    let filed = cratb_app::advice::ask(
        &state.db,
        &auth.actor(user, scope),
        user,
        &input,
        &[],
        cratb_store::now(),
        base.as_deref().unwrap_or(""),
    )
    .await
    .map_err(refused(auth.lang))?;
    crate::advice::send_letters(&state, &filed.letters).await;
    let id = filed.id;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/advice/{id}"))],
        Json(FiledRequest {
            id,
            reference: filed.reference,
            team_name: filed.team_name,
            team_phone: filed.team_phone,
            due_at: filed.due_at,
            queued: filed.queued,
        }),
    )
        .into_response())
}

/// Filters of the request list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdviceParams {
    /// `queued`, `open`, `answered` or `closed`.
    pub status: Option<String>,
    /// An EMA team's id.
    #[param(inline)]
    pub team_id: Option<Id>,
    /// An infection site code (`urinary`, `respiratory_lower`…).
    pub infection_site: Option<String>,
    /// Only those waiting for a first answer past their due time.
    pub overdue: Option<bool>,
    /// Only those the caller asked.
    pub mine: Option<bool>,
    /// Words of the reference or the question.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(inline)]
    pub page: Option<PageNumber>,
    /// Items per page (1–500, default 50).
    #[param(inline)]
    pub per_page: Option<PerPage>,
}

/// A code parameter: its value, or a 422 naming it and the codes.
fn code_param<T: Copy>(
    name: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| {
            let codes: Vec<&str> = all.iter().map(|c| code(*c)).collect();
            ApiError::field(
                &format!("/{name}"),
                format!("valeur inconnue ; attendu : {}", codes.join(", ")),
            )
        }),
    }
}

/// The requests the caller sees, overdue ones first: every one of the region for the CRAtb's
/// coordinator and data manager, their teams' and their own for an EMA member, their own for
/// everyone else.
#[utoipa::path(get, path = "/api/v1/advice", tag = "advice", security(("bearer" = [])),
    params(AdviceParams),
    responses((status = 200, body = AdvicePage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AdviceParams>,
) -> Result<Json<AdvicePage>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let q = AdviceQuery {
        status: code_param(
            "status",
            p.status.as_deref(),
            Status::parse,
            Status::ALL,
            Status::code,
        )?,
        team_id: p.team_id.map(Id::get),
        site: code_param(
            "infection_site",
            p.infection_site.as_deref(),
            InfectionSite::parse,
            InfectionSite::ALL,
            InfectionSite::code,
        )?,
        overdue: p.overdue.unwrap_or(false),
        mine: p.mine.unwrap_or(false).then_some(user.id),
        assignee: None,
        q: p.q.filter(|q| !q.trim().is_empty()),
    };
    Ok(Json(
        cratb_app::advice::list(
            &state.db,
            &auth.actor(user, scope),
            user,
            &q,
            cratb_store::now(),
            page_request(p.page, p.per_page),
        )
        .await
        .map_err(refused(auth.lang))?
        .into(),
    ))
}

/// A case, whole: the request, its thread, its trace, its attachments (listed), its follow-up.
/// The read is in the audit log.
#[utoipa::path(get, path = "/api/v1/advice/{id}", tag = "advice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = Case), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<Case>, ApiError> {
    let (user, scope) = auth.api_user()?;
    Ok(Json(
        cratb_app::advice::read(
            &state.db,
            &auth.actor(user, scope),
            user,
            id,
            cratb_store::now(),
        )
        .await
        .map_err(refused(auth.lang))?,
    ))
}

/// Answers a request (a member of the team it is routed to, the member it is given to, or the
/// region's coordinator): free text, one or more coded recommendations, the antibiotics
/// recommended, references. The requester is told by e-mail. 403 for a caller who sees the
/// request but does not answer it.
#[utoipa::path(post, path = "/api/v1/advice/{id}/answers", tag = "advice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")), request_body = AnswerInput,
    responses((status = 201, body = Case), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let a = NewAnswer::validate(&input).map_err(|e| invalid(e, auth.lang))?;
    let actor = auth.actor(user, scope);
    let base = links_base(&state, &headers);
    let now = cratb_store::now();
    let letters = cratb_app::advice::answer(
        &state.db,
        &actor,
        user,
        id,
        &a,
        now,
        base.as_deref().unwrap_or(""),
    )
    .await
    .map_err(refused(auth.lang))?;
    crate::advice::send_letters(&state, &letters).await;
    let case = cratb_app::advice::read(&state.db, &actor, user, id, now)
        .await
        .map_err(refused(auth.lang))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/advice/{id}"))],
        Json(case),
    )
        .into_response())
}

/// The day-7 follow-up, given by the requester (or by the team, for a call it entered):
/// whether the advice was followed (`followed`, `partly`, `not_followed`) and how the patient
/// fared (`cured`, `improved`, `failed`, `died`, `unknown`). Given after the answer only.
#[utoipa::path(post, path = "/api/v1/advice/{id}/follow-up", tag = "advice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")), request_body = FollowUpInput,
    responses((status = 204, description = "Recorded"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> Result<StatusCode, ApiError> {
    let (user, scope) = auth.api_user()?;
    let f = FollowUp::validate(&input).map_err(|e| invalid(e, auth.lang))?;
    cratb_app::advice::follow_up(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        &f,
        cratb_store::now(),
    )
    .await
    .map_err(refused(auth.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// The year the requests were asked in (Paris time); the current year by default.
    #[param(inline)]
    pub year: Option<Year>,
    /// One EMA team of the region (all by default).
    #[param(inline)]
    pub team_id: Option<Id>,
    /// INSEE region code (national accounts; the others get their own).
    pub region: Option<String>,
}

/// The advice service's figures for a region, a year and optionally one team: requests,
/// answered, time to first answer in minutes (median and 90th percentile, R type 7, over
/// answered requests), share answered within target, share followed (`followed` + `partly`
/// over requests with a follow-up, `null` without one), and their breakdowns by month, sector,
/// profession, department, infection site, infection site × question type and recommendation.
/// Aggregated: no case is shown.
#[utoipa::path(get, path = "/api/v1/advice/stats", tag = "advice", security(("bearer" = [])),
    params(StatsParams),
    responses((status = 200, body = AdviceStats), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<StatsParams>,
) -> Result<Json<AdviceStats>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let region = cratb_app::policy::analysis_region(
        &scope,
        user.region_code.as_deref(),
        p.region.as_deref(),
        &[],
    )
    .ok_or_else(|| ApiError::field("/region", "région inconnue"))?;
    let access = scope.access(&region).ok_or_else(ApiError::not_found)?;
    let team_id = p.team_id.map(Id::get);
    if let Some(t) = team_id {
        let desk = cratb_app::advice::desk(&state.db, &auth.actor(user, scope.clone()), t)
            .await
            .map_err(refused(auth.lang))?;
        if desk.region_code != access.as_str() {
            return Err(ApiError::not_found());
        }
    }
    let year = p
        .year
        .map(|y| i32::from(y.get()))
        .unwrap_or_else(|| paris::today(cratb_store::now()).year());
    Ok(Json(
        cratb_app::advice::stats(&state.db, &access, year, team_id)
            .await
            .map_err(refused(auth.lang))?,
    ))
}
