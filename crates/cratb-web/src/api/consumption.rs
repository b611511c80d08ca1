//! Antibiotic consumption in the JSON API: every establishment's indicator for a year among the
//! peers of its category, with the filters of the screens. A referent gets their own
//! establishment only.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::input::Query;
use crate::pages::consumption::{Filters, resolve};
use axum::Json;
use axum::extract::State;
use cratb_consumption::cube::CLASSES;
use cratb_consumption::hospital::Missing;
use cratb_consumption::peers;
use cratb_domain::Role;
use cratb_report::consumption::unit_label;
use serde::Serialize;
use utoipa::ToSchema;

/// Where a figure stands among its peers'.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeerStats {
    /// Establishments of the same category with a computable figure (itself included).
    pub peers: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// Share of peers with a lower figure, in % (ties count half).
    pub percentile: Option<f64>,
}

/// An establishment's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstablishmentFigures {
    pub id: i64,
    pub finess: String,
    pub name: String,
    pub category: String,
    /// The GHT, where known.
    pub territory: Option<String>,
    pub ddd: f64,
    /// Patient-days (resident-days for nursing homes).
    pub days: f64,
    /// DDD per 1000 days; `null` where not computable.
    pub ddd_per_1000_days: Option<f64>,
    pub admissions: f64,
    pub ddd_per_100_admissions: Option<f64>,
    pub peers: Option<PeerStats>,
}

/// A cell (establishment × period × ward type) left out of the figures because its consumption
/// has no patient-days, or its patient-days no consumption.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeftOutCell {
    pub establishment_id: i64,
    pub finess: String,
    /// `YYYY-MM`, or `YYYY` for a yearly figure.
    pub period: String,
    pub ward_type: String,
    /// `denominator` (consumption without days) or `consumption` (days without consumption).
    pub missing: String,
}

/// The indicator of a year for the establishments of the filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsumptionFigures {
    pub region: String,
    pub year: i32,
    pub sector: String,
    /// The indicator class (`J01`…).
    pub indicator: String,
    pub unit: String,
    /// The WHO ATC/DDD edition(s) the DDD were computed with.
    pub ddd_editions: Vec<String>,
    pub establishments: Vec<EstablishmentFigures>,
    /// The cells of the year left out of every figure above (numerator and denominator cover
    /// the same cells).
    pub left_out: Vec<LeftOutCell>,
}

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
    let own = match user.role() {
        Role::Referent => Some(user.establishment_id.ok_or_else(ApiError::forbidden)?),
        _ => None,
    };
    let region = crate::consumption::region_asked(
        &state.db,
        &scope,
        user.region_code.as_deref(),
        f.region.as_deref(),
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let cube = state.consumption.region(&state.db, &region).await?;
    let r = resolve(&cube, &f);
    let sector = r.slice.sector.clone().unwrap_or_else(|| "ES".into());
    let establishments = peers::ranked(&cube, &r.slice, r.class, r.year)
        .into_iter()
        .filter(|x| own.is_none_or(|id| cube.units[x.unit].id == id))
        .map(|x| {
            let u = &cube.units[x.unit];
            EstablishmentFigures {
                id: u.id,
                finess: u.finess.clone(),
                name: u.name.clone(),
                category: u.category.clone(),
                territory: u.territory.clone(),
                ddd: x.totals.classes[r.class],
                days: x.totals.patient_days,
                ddd_per_1000_days: x.value,
                admissions: x.totals.admissions,
                ddd_per_100_admissions: x.per_admissions,
                peers: x.peers.map(|p| PeerStats {
                    peers: p.peers,
                    min: p.min,
                    q1: p.q1,
                    median: p.median,
                    q3: p.q3,
                    max: p.max,
                    percentile: p.percentile,
                }),
            }
        })
        .collect();
    let left_out = cube
        .left_out(&r.slice, Some(r.year))
        .cells
        .into_iter()
        .filter(|(u, _)| own.is_none_or(|id| cube.units[*u].id == id))
        .flat_map(|(u, cells)| {
            let unit = &cube.units[u];
            cells
                .into_iter()
                .map(move |(year, month, ward, missing)| LeftOutCell {
                    establishment_id: unit.id,
                    finess: unit.finess.clone(),
                    period: if month == 0 {
                        year.to_string()
                    } else {
                        format!("{year}-{month:02}")
                    },
                    ward_type: ward,
                    missing: match missing {
                        Missing::Denominator => "denominator",
                        Missing::Consumption => "consumption",
                    }
                    .to_string(),
                })
        })
        .collect();
    Ok(Json(ConsumptionFigures {
        left_out,
        unit: unit_label(&sector, cratb_domain::Lang::En).to_string(),
        region,
        year: r.year,
        sector,
        indicator: CLASSES[r.class].code.to_string(),
        ddd_editions: cube.editions.clone(),
        establishments,
    }))
}
