//! Where an establishment stands among its peers: the establishments of the same category in
//! the region (and the same ward type when the figures are filtered by one).

use crate::cube::{self, Cube, Position, Slice, Totals, UnitYear};

/// The change from `before` to `after`, in % (`None` where not computable).
pub fn change(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if b > 0.0 => Some(100.0 * (a - b) / b),
        _ => None,
    }
}

/// An establishment's figure for a class and year, with where it stands among its peers.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub unit: usize,
    pub totals: Totals,
    pub value: Option<f64>,
    pub per_admissions: Option<f64>,
    pub previous: Option<f64>,
    /// Among the establishments of the same category with a computable value.
    pub peers: Option<Position>,
}

/// Every establishment of the slice for `class` in `year`, with its peers' distribution (the
/// peers are the slice's establishments of the same category).
pub fn ranked(cube: &Cube, slice: &Slice, class: usize, year: i32) -> Vec<Ranked> {
    ranked_among(cube, &cube.unit_years(slice), class, year)
}

/// [`ranked`], from the establishments' yearly totals already computed.
pub fn ranked_among(cube: &Cube, all: &[UnitYear], class: usize, year: i32) -> Vec<Ranked> {
    let this: Vec<&UnitYear> = all.iter().filter(|u| u.year == year).collect();
    let previous = |unit: usize| {
        all.iter()
            .find(|u| u.unit == unit && u.year == year - 1)
            .and_then(|u| u.totals.per_1000_days(class))
    };
    let mut out: Vec<Ranked> = this
        .iter()
        .map(|u| Ranked {
            unit: u.unit,
            value: u.totals.per_1000_days(class),
            per_admissions: u.totals.per_100_admissions(class),
            previous: previous(u.unit),
            totals: u.totals.clone(),
            peers: None,
        })
        .collect();
    let values: Vec<(String, Option<f64>)> = out
        .iter()
        .map(|r| (cube.units[r.unit].category.clone(), r.value))
        .collect();
    for r in &mut out {
        let category = &cube.units[r.unit].category;
        let peers: Vec<f64> = values
            .iter()
            .filter(|(c, _)| c == category)
            .filter_map(|(_, v)| *v)
            .collect();
        r.peers = cube::position(&peers, r.value);
    }
    out.sort_by(|a, b| cube.units[a.unit].name.cmp(&cube.units[b.unit].name));
    out
}

/// The distribution of `class` in `year` per category of the slice, for box plots.
pub fn categories(ranked: &[Ranked], cube: &Cube) -> Vec<(String, Position)> {
    let mut cats: Vec<String> = ranked
        .iter()
        .map(|r| cube.units[r.unit].category.clone())
        .collect();
    cats.sort();
    cats.dedup();
    cats.into_iter()
        .filter_map(|c| {
            let values: Vec<f64> = ranked
                .iter()
                .filter(|r| cube.units[r.unit].category == c)
                .filter_map(|r| r.value)
                .collect();
            cube::position(&values, None).map(|p| (c, p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;
    use crate::cube::{Builder, Unit};
    use crate::indicators::AwareTable;

    #[test]
    fn ranking_among_peers_of_the_same_category() {
        let mut b = Builder::default();
        for (id, cat) in [(1, "CH"), (2, "CH"), (3, "CH"), (4, "CHU")] {
            b.unit(Unit {
                id,
                name: format!("E{id}"),
                finess: String::new(),
                category: cat.into(),
                sector: "ES".into(),
                department: "38".into(),
                territory: None,
            });
            // 100, 200, 300 and 400 DDD per 1000 patient-days.
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
        b.fact(1, 2024, Some(1), "medicine", "J01CA04", Route::O, 50.0);
        b.days(1, 2024, Some(1), "medicine", 1000.0, 10.0);
        let cube = b.build(&AwareTable::embedded(), vec![]);
        let r = ranked(&cube, &Slice::default(), 0, 2025);
        assert_eq!(r.len(), 4);
        let e2 = &r[1];
        assert_eq!(e2.value, Some(200.0));
        let p = e2.peers.as_ref().unwrap();
        // Peers are the three CH, not the CHU.
        assert_eq!((p.peers, p.median), (3, 200.0));
        assert_eq!(p.percentile, Some(50.0));
        assert_eq!(r[0].previous, Some(50.0));
        assert_eq!(change(r[0].previous, r[0].value), Some(100.0));
        assert_eq!(categories(&r, &cube).len(), 2);
    }
}
