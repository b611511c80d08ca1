//! Every establishment's indicator for a year among the peers of its category, with the cells
//! the figures leave out: what the JSON API gives (`GET /api/v1/consumption/establishments`).

use crate::cube::{CLASSES, Cube, Position, unit_label};
use crate::filters::Resolved;
use crate::hospital::Missing;
use crate::peers;
use serde::Serialize;

/// Where a figure stands among its peers'.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

impl From<Position> for PeerStats {
    fn from(p: Position) -> PeerStats {
        PeerStats {
            peers: p.peers,
            min: p.min,
            q1: p.q1,
            median: p.median,
            q3: p.q3,
            max: p.max,
            percentile: p.percentile,
        }
    }
}

/// An establishment's figures.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The figures of `region`'s establishments under the filters `r`; `own`: a referent's
/// establishments, the only ones given then (their peers as a distribution).
pub fn figures(
    cube: &Cube,
    region: String,
    r: &Resolved,
    own: Option<&[i64]>,
) -> ConsumptionFigures {
    let shown = |unit: usize| own.is_none_or(|ids| ids.contains(&cube.units[unit].id));
    let establishments = peers::ranked(cube, &r.slice, r.class, r.year)
        .into_iter()
        .filter(|x| shown(x.unit))
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
                peers: x.peers.map(PeerStats::from),
            }
        })
        .collect();
    let left_out = cube
        .left_out(&r.slice, Some(r.year))
        .cells
        .into_iter()
        .filter(|(u, _)| shown(*u))
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
    let sector = r.sector().to_string();
    ConsumptionFigures {
        left_out,
        unit: unit_label(&sector, cratb_domain::Lang::En).to_string(),
        region,
        year: r.year,
        sector,
        indicator: CLASSES[r.class].code.to_string(),
        ddd_editions: cube.editions.clone(),
        establishments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;
    use crate::cube::{Builder, Unit};
    use crate::filters::Asked;
    use crate::indicators::AwareTable;

    #[test]
    fn a_referent_gets_their_establishment_with_its_peers_as_a_distribution() {
        let mut b = Builder::default();
        for id in [1, 2, 3] {
            b.unit(Unit {
                id,
                name: format!("E{id}"),
                finess: format!("38000000{id}"),
                category: "CH".into(),
                sector: "ES".into(),
                department: "38".into(),
                territory: None,
            });
            b.fact(
                id,
                2025,
                Some(1),
                "medicine",
                "J01CA04",
                Route::O,
                100.0 * id as f64,
            );
            b.days(id, 2025, Some(1), "medicine", 1000.0, 10.0);
        }
        // Consumption without its patient-days: left out, and said.
        b.fact(2, 2025, Some(2), "icu", "J01CA04", Route::P, 5.0);
        let cube = b.build(&AwareTable::embedded(), vec!["Index".into()]);
        let r = Resolved::of(&cube, &Asked::default());
        let all = figures(&cube, "84".into(), &r, None);
        assert_eq!(all.establishments.len(), 3);
        assert_eq!(
            (all.unit.as_str(), all.indicator.as_str()),
            ("DDD/1000 patient-days", "J01")
        );
        assert_eq!(all.left_out.len(), 1);
        assert_eq!(all.left_out[0].period, "2025-02");
        assert_eq!(all.left_out[0].missing, "denominator");
        let mine = figures(&cube, "84".into(), &r, Some(&[3]));
        assert_eq!(mine.establishments.len(), 1);
        let e = &mine.establishments[0];
        assert_eq!((e.id, e.ddd_per_1000_days), (3, Some(300.0)));
        let p = e.peers.as_ref().unwrap();
        assert_eq!((p.peers, p.median), (3, 200.0));
        assert!((p.percentile.unwrap() - 250.0 / 3.0).abs() < 1e-9);
        assert!(mine.left_out.is_empty());
    }
}
