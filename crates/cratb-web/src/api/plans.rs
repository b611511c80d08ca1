//! Action plans in the JSON API: the plans the caller sees, a plan and its actions, a plan
//! written with its first actions, an action added or rewritten (its status changed). Each call
//! goes through the same use case as the pages ([`cratb_app::plans`]), which writes the audit
//! log.

use super::ApiJson;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::{Id, Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_app::plans::PlanView;
use cratb_audit::plan::{ActionInput, PlanInput};
use cratb_domain::paris;
use cratb_store::plans::{ActionRow, PlanRow};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

/// A plan as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i64,
    pub establishment_id: i64,
    pub finess: String,
    pub establishment_name: String,
    /// The campaign it follows, if any.
    pub campaign_id: Option<i64>,
    pub campaign_title: Option<String>,
    pub title: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Its actions, those done, and those open past their due date.
    pub actions: i64,
    pub done: i64,
    pub overdue: i64,
}

impl From<PlanRow> for PlanSummary {
    fn from(p: PlanRow) -> Self {
        PlanSummary {
            id: p.id,
            establishment_id: p.establishment_id,
            finess: p.finess,
            establishment_name: p.establishment_name,
            campaign_id: p.campaign_id,
            campaign_title: p.campaign_title,
            title: p.title,
            created_by: p.created_by,
            created_at: p.created_at,
            updated_at: p.updated_at,
            actions: p.actions,
            done: p.done,
            overdue: p.overdue,
        }
    }
}

/// An action of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionInfo {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    /// The owner, a professional of the directory.
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// Due date (`YYYY-MM-DD`).
    pub due_on: String,
    /// `planned`, `in_progress`, `done` or `abandoned`.
    pub status: &'static str,
    /// Open and past its due date (Paris time).
    pub overdue: bool,
    /// `criterion`, `consumption`, `resistance` or `other`.
    pub aim_kind: &'static str,
    /// The criterion's code, the ATC class, the pair…
    pub aim: Option<String>,
    pub notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

fn action_info(a: ActionRow, today: Date) -> ActionInfo {
    ActionInfo {
        id: a.id,
        plan_id: a.plan_id,
        overdue: a.status.is_open() && a.due_on < today,
        title: a.title,
        owner_id: a.owner_id,
        owner_name: a.owner_name,
        due_on: a.due_on.to_string(),
        status: a.status.code(),
        aim_kind: a.aim_kind.code(),
        aim: a.aim,
        notes: a.notes,
        updated_at: a.updated_at,
        updated_by: a.updated_by,
    }
}

/// A plan with its actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanBody {
    #[serde(flatten)]
    pub plan: PlanSummary,
    pub action_list: Vec<ActionInfo>,
    /// Whether the caller may edit it.
    pub may_edit: bool,
}

fn plan_body(v: PlanView, today: Date) -> PlanBody {
    PlanBody {
        plan: v.plan.into(),
        action_list: v
            .actions
            .into_iter()
            .map(|a| action_info(a, today))
            .collect(),
        may_edit: v.may_edit,
    }
}

/// Filters of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// Only the plans following this campaign.
    #[param(inline)]
    pub campaign_id: Option<Id>,
}

/// The plans the caller sees: every one of their region for the CRAtb staff and the agency,
/// their establishments' for a referent or an EMA member.
#[utoipa::path(get, path = "/api/v1/action-plans", tag = "action-plans", security(("bearer" = [])),
    params(PlanParams),
    responses((status = 200, body = [PlanSummary]), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<PlanParams>,
) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let rows = cratb_app::plans::plans(
        &state.db,
        &auth.actor(user, scope),
        user,
        p.campaign_id.map(Id::get),
        cratb_store::now(),
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// A plan and its actions (not found outside the caller's establishments).
#[utoipa::path(get, path = "/api/v1/action-plans/{id}", tag = "action-plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id")),
    responses((status = 200, body = PlanBody), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<PlanBody>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let now = cratb_store::now();
    let v = cratb_app::plans::plan(&state.db, &auth.actor(user, scope), user, id, now)
        .await
        .map_err(ApiError::app(auth.lang))?;
    Ok(Json(plan_body(v, paris::today(now))))
}

/// Writes an establishment's action plan with its first actions (the establishment's referent
/// or EMA, or the CRAtb staff). An action's owner is a professional of the region's directory;
/// refusals name their field as a JSON pointer (`/actions/0/due_on`) and nothing is stored.
#[utoipa::path(post, path = "/api/v1/action-plans", tag = "action-plans", security(("bearer" = [])),
    request_body = PlanInput,
    responses((status = 201, body = PlanBody, headers(("Location" = String, description = "The plan's address in the API"))),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let id = cratb_app::plans::create(&state.db, &actor, user, &input, now)
        .await
        .map_err(ApiError::app(auth.lang))?;
    let v = cratb_app::plans::plan(&state.db, &actor, user, id, now)
        .await
        .map_err(ApiError::app(auth.lang))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/action-plans/{id}"))],
        Json(plan_body(v, paris::today(now))),
    )
        .into_response())
}

/// Action `action` of plan `id`, as just saved.
async fn saved_action(
    state: &AppState,
    auth: &Auth,
    id: i64,
    action: i64,
    now: OffsetDateTime,
) -> Result<ActionInfo, ApiError> {
    let (user, scope) = auth.api_user()?;
    let v = cratb_app::plans::plan(&state.db, &auth.actor(user, scope), user, id, now)
        .await
        .map_err(ApiError::app(auth.lang))?;
    v.actions
        .into_iter()
        .find(|a| a.id == action)
        .map(|a| action_info(a, paris::today(now)))
        .ok_or_else(ApiError::not_found)
}

/// Adds an action to plan `id`.
#[utoipa::path(post, path = "/api/v1/action-plans/{id}/actions", tag = "action-plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id")), request_body = ActionInput,
    responses((status = 201, body = ActionInfo), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let now = cratb_store::now();
    let action = cratb_app::plans::save_action(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        None,
        &input,
        now,
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    let info = saved_action(&state, &auth, id, action, now).await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

/// Rewrites action `action` of plan `id` (the whole action: to change its status, send it
/// back with its new `status`).
#[utoipa::path(put, path = "/api/v1/action-plans/{id}/actions/{action}", tag = "action-plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id"), ("action" = i64, Path, description = "Action id")),
    request_body = ActionInput,
    responses((status = 200, body = ActionInfo), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<Json<ActionInfo>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let now = cratb_store::now();
    cratb_app::plans::save_action(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        Some(action),
        &input,
        now,
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    Ok(Json(saved_action(&state, &auth, id, action, now).await?))
}
