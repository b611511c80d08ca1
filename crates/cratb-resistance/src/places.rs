//! The resistant organisms of concern as a viewer may see them
//! ([`cratb_domain::Visibility`]): the establishments they may name, one by one; the others as
//! an anonymous distribution, or only within region, department and GHT aggregates; and every
//! rate over fewer isolates than the reporting threshold left unreported.

use crate::{AlertKind, AlertRow, CAUTION_BELOW, Series};
use cratb_domain::Visibility;
use serde::Serialize;
use std::collections::BTreeMap;

/// An establishment of the region, with what its aggregates need.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: i64,
    pub name: String,
    /// Department code.
    pub department: String,
    /// Its GHT's name, if it has one.
    pub territory: Option<String>,
}

/// What a row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The whole region (every isolate, with or without an establishment).
    Region,
    /// The establishments of a department.
    Department,
    /// The establishments of a GHT.
    Territory,
    /// One establishment, named.
    Establishment,
    /// The establishments the viewer may not name, together, with the distribution of their rates.
    OtherEstablishments,
    /// Isolates of no establishment (community laboratories).
    NoEstablishment,
}

/// The spread of the rates of establishments not named (those with enough isolates tested).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    /// Establishments whose rate is reported.
    pub establishments: u32,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// Resistant organisms of concern of a place and a year, as the API gives them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacedAlert {
    pub level: Level,
    /// The department's code, the GHT's name or the establishment's name (none for the region
    /// and the establishments not named).
    pub place: Option<String>,
    /// The establishment's id (level `establishment` only).
    pub establishment_id: Option<i64>,
    /// Establishments counted together (aggregate levels).
    pub establishments: u32,
    pub year: i16,
    /// Blood cultures (the series comparable with EARS-Net and SPARES) or every specimen.
    pub series: Series,
    pub kind: AlertKind,
    /// First isolates of the species resistant among those tested.
    pub resistant: u32,
    pub tested: u32,
    /// Per cent; none when fewer isolates were tested than the reporting threshold.
    pub rate: Option<f64>,
    /// Fewer than 30 isolates tested: the rate, if reported, is read with caution, as the
    /// antibiogram's greyed cells.
    pub few_isolates: bool,
    /// The rates of the establishments not named (level `other_establishments`).
    pub distribution: Option<Distribution>,
}

#[derive(Default)]
struct Sum {
    resistant: u32,
    tested: u32,
    ids: std::collections::BTreeSet<i64>,
}

impl Sum {
    fn add(&mut self, r: &AlertRow) {
        self.resistant += r.resistant;
        self.tested += r.tested;
        self.ids.extend(r.establishment_id);
    }
}

/// The rows of [`crate::RegionData::alerts`] as `visibility` lets them be seen, `places` being
/// the region's establishments and `threshold` the least number of isolates tested a rate is
/// reported on. Region first, then departments and GHTs (viewers without named access), then
/// the establishments named, the others together, and the isolates of no establishment.
pub fn placed_alerts(
    rows: &[AlertRow],
    places: &[Place],
    visibility: &Visibility,
    threshold: u32,
) -> Vec<PlacedAlert> {
    let place = |id: i64| places.iter().find(|p| p.id == id);
    let rate = |resistant: u32, tested: u32| {
        (tested >= threshold.max(1)).then(|| 100.0 * f64::from(resistant) / f64::from(tested))
    };
    type Key = (Level, Option<String>, Option<i64>, i16, Series, AlertKind);
    let mut sums: BTreeMap<Key, Sum> = BTreeMap::new();
    // The rates of the establishments not named, for their distribution.
    let mut others: BTreeMap<(i16, Series, AlertKind), Vec<f64>> = BTreeMap::new();
    for r in rows {
        let mut add = |level, name: Option<String>, id: Option<i64>| {
            sums.entry((level, name, id, r.year, r.series, r.kind))
                .or_default()
                .add(r)
        };
        add(Level::Region, None, None);
        let Some(id) = r.establishment_id else {
            add(Level::NoEstablishment, None, None);
            continue;
        };
        let p = place(id);
        match visibility {
            _ if visibility.names(id) => {
                add(Level::Establishment, p.map(|p| p.name.clone()), Some(id));
            }
            Visibility::Aggregates => {
                if let Some(p) = p {
                    add(Level::Department, Some(p.department.clone()), None);
                    if let Some(t) = &p.territory {
                        add(Level::Territory, Some(t.clone()), None);
                    }
                }
            }
            _ => {
                add(Level::OtherEstablishments, None, None);
                if let Some(x) = rate(r.resistant, r.tested) {
                    others
                        .entry((r.year, r.series, r.kind))
                        .or_default()
                        .push(x);
                }
            }
        }
    }
    sums.into_iter()
        .map(
            |((level, place, establishment_id, year, series, kind), s)| PlacedAlert {
                distribution: (level == Level::OtherEstablishments)
                    .then(|| others.remove(&(year, series, kind)).and_then(distribution))
                    .flatten(),
                level,
                place,
                establishment_id,
                establishments: if level == Level::Establishment {
                    1
                } else {
                    s.ids.len() as u32
                },
                year,
                series,
                kind,
                resistant: s.resistant,
                tested: s.tested,
                rate: rate(s.resistant, s.tested),
                few_isolates: s.tested < CAUTION_BELOW,
            },
        )
        .collect()
}

/// Minimum, quartiles (type 7, as R and spreadsheets) and maximum of `rates`.
fn distribution(mut rates: Vec<f64>) -> Option<Distribution> {
    if rates.is_empty() {
        return None;
    }
    rates.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (rates.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        rates[lo] + (h - lo as f64) * (rates[hi] - rates[lo])
    };
    Some(Distribution {
        establishments: rates.len() as u32,
        min: rates[0],
        q1: q(0.25),
        median: q(0.5),
        q3: q(0.75),
        max: rates[rates.len() - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(establishment_id: Option<i64>, resistant: u32, tested: u32) -> AlertRow {
        AlertRow {
            establishment_id,
            year: 2025,
            series: Series::All,
            kind: AlertKind::Mrsa,
            resistant,
            tested,
            rate: 100.0 * f64::from(resistant) / f64::from(tested),
        }
    }

    fn places() -> Vec<Place> {
        (1..=3)
            .map(|id| Place {
                id,
                name: format!("CH {id}"),
                department: if id == 3 { "73" } else { "38" }.into(),
                territory: (id != 3).then(|| "GHT Alpes".to_string()),
            })
            .collect()
    }

    #[test]
    fn each_viewer_sees_the_places_they_may() {
        let rows = [
            row(Some(1), 10, 40),
            row(Some(2), 5, 50),
            row(Some(3), 1, 5),
            row(None, 2, 30),
        ];
        let all = placed_alerts(&rows, &places(), &Visibility::All, 30);
        let levels: Vec<(Level, Option<&str>)> =
            all.iter().map(|a| (a.level, a.place.as_deref())).collect();
        assert_eq!(
            levels,
            [
                (Level::Region, None),
                (Level::Establishment, Some("CH 1")),
                (Level::Establishment, Some("CH 2")),
                (Level::Establishment, Some("CH 3")),
                (Level::NoEstablishment, None),
            ]
        );
        assert_eq!((all[0].tested, all[0].establishments), (125, 3));
        // Five tested, under the threshold: counted, not rated.
        assert_eq!(all[3].rate, None);
        assert_eq!(all[1].rate, Some(25.0));
        // Fewer than 30 tested: the antibiogram's caution, whether rated or not.
        assert!(all[3].few_isolates && !all[1].few_isolates);

        let lab = placed_alerts(&rows, &places(), &Visibility::Aggregates, 30);
        assert!(lab.iter().all(|a| a.establishment_id.is_none()));
        assert!(
            lab.iter()
                .all(|a| !a.place.as_deref().is_some_and(|p| p.starts_with("CH")))
        );
        let ght = lab.iter().find(|a| a.level == Level::Territory).unwrap();
        assert_eq!((ght.tested, ght.establishments), (90, 2));
        let savoie = lab
            .iter()
            .find(|a| a.place.as_deref() == Some("73"))
            .unwrap();
        assert_eq!((savoie.tested, savoie.rate), (5, None));

        let referent = placed_alerts(&rows, &places(), &Visibility::Some([2].into()), 30);
        let named: Vec<_> = referent.iter().filter_map(|a| a.establishment_id).collect();
        assert_eq!(named, [2]);
        let others = referent
            .iter()
            .find(|a| a.level == Level::OtherEstablishments)
            .unwrap();
        assert_eq!((others.tested, others.establishments), (45, 2));
        // Only the first has a rate to spread; the third is under the threshold.
        let d = others.distribution.as_ref().unwrap();
        assert_eq!((d.establishments, d.median), (1, 25.0));
    }

    #[test]
    fn quartiles_are_those_of_spreadsheets() {
        let d = distribution(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (d.min, d.q1, d.median, d.q3, d.max),
            (1.0, 1.75, 2.5, 3.25, 4.0)
        );
    }
}
