//! Appropriateness audits in the JSON API: the grids' library, the campaigns one sees, a case
//! entered (as a draft or validated) and a campaign's results per criterion for the region and
//! each participant (named, or anonymous but for one's own for a referent). Each call goes
//! through the same use case as the pages ([`cratb_app::audits`]), which writes the audit log.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cratb_app::audits::{CampaignResults, Save};
use cratb_audit::campaign::Count;
use cratb_audit::entry::{CaseInput, Raw};
use cratb_audit::grid::{Grid, Kind};
use cratb_audit::results::Row;
use cratb_store::audits::CampaignRow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::ApiJson;

/// A criterion of a grid, as the API describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionInfo {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    /// `yes_no`, `number`, `choice`, `date` or `text`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The choices of a `choice` criterion.
    pub choices: Vec<String>,
    /// Whether its answer is judged conform or not (`date` and `text` are context).
    pub has_rule: bool,
}

fn kind_code(k: &Kind) -> &'static str {
    match k {
        Kind::YesNo { .. } => "yes_no",
        Kind::Number { .. } => "number",
        Kind::Choice { .. } => "choice",
        Kind::Date => "date",
        Kind::Text => "text",
    }
}

/// The criteria of `grid`, in its order.
fn criteria(grid: &Grid) -> Vec<CriterionInfo> {
    grid.criteria
        .iter()
        .map(|c| CriterionInfo {
            code: c.code.clone(),
            label_fr: c.label_fr.clone(),
            label_en: c.label_en.clone(),
            kind: kind_code(&c.kind),
            choices: match &c.kind {
                Kind::Choice { choices, .. } => choices.clone(),
                _ => Vec::new(),
            },
            has_rule: c.has_rule(),
        })
        .collect()
}

/// A grid of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct GridInfo {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub title_fr: String,
    pub title_en: String,
    /// `ES`, `EMS`, `VILLE`.
    pub sectors: Vec<String>,
    /// Shipped with cratb (else imported or edited in the region).
    pub shipped: bool,
    /// Campaigns started with this version.
    pub campaigns: i64,
    pub criteria: Vec<CriterionInfo>,
}

/// The grids' library, every version, with their criteria (the answers a case takes).
#[utoipa::path(get, path = "/api/v1/audits/grids", tag = "audits", security(("bearer" = [])),
    responses((status = 200, body = [GridInfo]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn grids(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<GridInfo>>, ApiError> {
    auth.api_user()?;
    let lang = auth.lang;
    let rows = cratb_app::audits::grids(&state.db, cratb_store::now())
        .await
        .map_err(ApiError::app(lang))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (_, grid) = cratb_app::audits::grid(&state.db, r.id)
            .await
            .map_err(ApiError::app(lang))?;
        out.push(GridInfo {
            id: r.id,
            code: r.code,
            version: r.version,
            title_fr: r.title_fr,
            title_en: grid.title_en.clone(),
            sectors: grid.sectors.iter().map(|s| s.code().to_string()).collect(),
            shipped: r.shipped,
            campaigns: r.campaigns,
            criteria: criteria(&grid),
        });
    }
    Ok(Json(out))
}

/// A campaign as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignInfo {
    pub id: i64,
    pub title: String,
    pub grid_id: i64,
    pub grid_code: String,
    pub grid_version: i32,
    pub grid_title: String,
    /// First day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last day of the period (`YYYY-MM-DD`).
    pub ends_on: String,
    /// `upcoming`, `open` or `closed`.
    pub state: &'static str,
    /// The CPTS, for a campaign in primary care.
    pub territory_name: Option<String>,
    /// Target number of cases per establishment.
    pub target: i32,
    pub participants: i64,
    /// Validated cases.
    pub cases: i64,
    pub drafts: i64,
}

fn campaign_info(c: CampaignRow, state: cratb_audit::campaign::State) -> CampaignInfo {
    CampaignInfo {
        id: c.id,
        title: c.title,
        grid_id: c.grid_id,
        grid_code: c.grid_code,
        grid_version: c.grid_version,
        grid_title: c.grid_title,
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        state: state.code(),
        territory_name: c.territory_name,
        target: c.target,
        participants: c.participants,
        cases: c.cases,
        drafts: c.drafts,
    }
}

/// The campaigns the caller sees: every one of their region for the CRAtb staff and the
/// agency, those their establishments take part in for the others.
#[utoipa::path(get, path = "/api/v1/audits/campaigns", tag = "audits", security(("bearer" = [])),
    responses((status = 200, body = [CampaignInfo]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn campaigns(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<CampaignInfo>>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let rows = cratb_app::audits::campaigns(
        &state.db,
        &auth.actor(user, scope),
        user,
        cratb_store::now(),
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    Ok(Json(
        rows.into_iter().map(|(c, s)| campaign_info(c, s)).collect(),
    ))
}

/// A case as sent: pseudonymised (no name, no date of birth), one answer per criterion code.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CaseBody {
    /// The establishment's own case number: unique within the establishment and the campaign.
    pub case_number: Option<String>,
    /// The establishment's FINESS (a participant the caller enters cases for).
    pub establishment: Option<String>,
    /// Age in whole years.
    #[schema(value_type = Option<i64>)]
    pub age: Option<Count>,
    /// `F` or `M`.
    pub sex: Option<String>,
    /// The ward type's code (`surgery`, `medicine`…), for a hospital.
    pub ward_type: Option<String>,
    /// One answer per criterion code: `oui`/`non`, a number, a choice, a date, a text, or `NA`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub answers: BTreeMap<String, Raw>,
    /// `true` (default): every criterion answered and read, the case counts in the results;
    /// `false`: kept as a draft, checked only so far as it can be stored.
    pub validate: Option<bool>,
}

/// A case just stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedCase {
    pub id: i64,
    /// Validated (else a draft).
    pub validated: bool,
}

/// Enters a case of campaign `id`, validated by default (`"validate": false` keeps a draft).
/// Each answer is read against its criterion; the refusals name their field as a JSON pointer
/// (`/answers/delay`, `/age`) and nothing is stored. 409 when the establishment already used
/// the case number in this campaign. The write is in the audit log.
#[utoipa::path(post, path = "/api/v1/audits/campaigns/{id}/cases", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = CaseBody,
    responses((status = 201, body = SavedCase), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CaseBody>,
) -> Result<Response, ApiError> {
    let (user, scope) = auth.api_user()?;
    let validated = body.validate.unwrap_or(true);
    let input = CaseInput {
        case_number: body.case_number,
        establishment: body.establishment,
        age: body.age,
        sex: body.sex,
        ward_type: body.ward_type,
        answers: body.answers,
    };
    let case = cratb_app::audits::save_case(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        None,
        &input,
        if validated {
            Save::Validate
        } else {
            Save::Draft
        },
        cratb_store::now(),
    )
    .await
    .map_err(ApiError::app(auth.lang))?;
    Ok((
        StatusCode::CREATED,
        Json(SavedCase {
            id: case,
            validated,
        }),
    )
        .into_response())
}

/// Conformity on one criterion (or `all`: cases conform on every applicable criterion).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultRow {
    /// A criterion's code, or `all`.
    pub criterion: String,
    pub label_fr: String,
    pub label_en: String,
    /// Cases the criterion applies to.
    pub n_applicable: u64,
    pub n_conform: u64,
    /// Percentage conform (two decimals); `null` when no case applies.
    pub pct_conform: Option<f64>,
    /// Lower bound of the 95 % Wilson interval, in percent (two decimals).
    pub ci_low: Option<f64>,
    /// Upper bound of the 95 % Wilson interval, in percent (two decimals).
    pub ci_high: Option<f64>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn result_rows(grid: &Grid, rows: &[Row]) -> Vec<ResultRow> {
    rows.iter()
        .map(|r| {
            let (label_fr, label_en) = match grid.criterion(&r.criterion) {
                Some(c) => (c.label_fr.clone(), c.label_en.clone()),
                None => (
                    "Dossier conforme sur tous les critères".to_string(),
                    "Case conform on every criterion".to_string(),
                ),
            };
            let ci = r.interval();
            ResultRow {
                criterion: r.criterion.clone(),
                label_fr,
                label_en,
                n_applicable: r.n_applicable,
                n_conform: r.n_conform,
                pct_conform: r.pct().map(round2),
                ci_low: ci.map(|c| round2(c.0)),
                ci_high: ci.map(|c| round2(c.1)),
            }
        })
        .collect()
}

/// One participant's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantResults {
    /// Its id (`null` where the caller sees the others anonymously).
    pub establishment_id: Option<i64>,
    /// Its name, or `Établissement 3` where the caller sees the others anonymously.
    pub label: String,
    pub finess: Option<String>,
    pub category: String,
    pub department_code: String,
    /// One of the caller's establishments.
    pub own: bool,
    pub rows: Vec<ResultRow>,
}

/// A campaign's results as the caller sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignResultsBody {
    pub campaign: CampaignInfo,
    /// Whether the other participants are named (the CRAtb staff, the EMA, the agency) or
    /// anonymous (a referent).
    pub names_shown: bool,
    /// Validated cases counted.
    pub cases: usize,
    /// The region's rows: per criterion with a rule, then `all`.
    pub region: Vec<ResultRow>,
    pub participants: Vec<ParticipantResults>,
}

fn results_body(r: CampaignResults) -> CampaignResultsBody {
    let grid = &r.view.grid;
    let participants = r
        .places
        .iter()
        .map(|p| ParticipantResults {
            establishment_id: (r.names_shown || p.own).then_some(p.establishment_id),
            label: p.label.clone(),
            finess: p.finess.clone(),
            category: p.category.clone(),
            department_code: p.department_code.clone(),
            own: p.own,
            rows: result_rows(grid, &p.rows),
        })
        .collect();
    let region = result_rows(grid, &r.region);
    CampaignResultsBody {
        campaign: campaign_info(r.view.campaign.clone(), r.view.state),
        names_shown: r.names_shown,
        cases: r.cases,
        region,
        participants,
    }
}

/// The results of campaign `id` over its validated cases: per criterion with a rule (then
/// `all`) the applicable and conform cases, the percentage conform and its 95 % Wilson
/// interval, for the region and for each participant (named, or anonymous but for one's own
/// for a referent).
#[utoipa::path(get, path = "/api/v1/audits/campaigns/{id}/results", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignResultsBody), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<CampaignResultsBody>, ApiError> {
    let (user, scope) = auth.api_user()?;
    let now: OffsetDateTime = cratb_store::now();
    let r = cratb_app::audits::results(&state.db, &auth.actor(user, scope), user, id, now)
        .await
        .map_err(ApiError::app(auth.lang))?;
    Ok(Json(results_body(r)))
}
