//! An establishment among the others and a campaign against the one before: the participants'
//! distribution per criterion (median and quartiles, R's type 7, of the establishments with at
//! least [`MIN_APPLICABLE`] applicable cases), the difference between two campaigns with its
//! 95 % Newcombe interval and a two-proportion z-test, and the trend over successive campaigns.
//! Works on the rows of [`crate::results`]; no I/O.

use crate::grid::Grid;
use crate::results::{Row, wilson};
use cratb_domain::stats::quantile7;

/// The fewest applicable cases for an establishment's percentage to count among the
/// participants' (a percentage of 3 cases would swing the quartiles).
pub const MIN_APPLICABLE: u64 = 10;

/// The participants' percentages of one criterion (or `all`).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// A criterion's code, or `all`.
    pub criterion: String,
    /// `None` when no establishment has [`MIN_APPLICABLE`] applicable cases.
    pub distribution: Option<Distribution>,
}

/// Median, quartiles and extremes of the establishments' conformity, in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// How many establishments it is of.
    pub establishments: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Distribution {
    /// The distribution of `values` (percentages); `None` for no value.
    pub fn of(mut values: Vec<f64>) -> Option<Distribution> {
        values.retain(|v| v.is_finite());
        values.sort_by(f64::total_cmp);
        Some(Distribution {
            establishments: values.len(),
            min: *values.first()?,
            q1: quantile7(&values, 0.25)?,
            median: quantile7(&values, 0.5)?,
            q3: quantile7(&values, 0.75)?,
            max: *values.last()?,
        })
    }
}

/// The participants' distribution of each criterion with a rule, then `all`, from the rows of
/// [`crate::results::results_by`] grouped by establishment (one group per establishment),
/// counting only the establishments with at least [`MIN_APPLICABLE`] applicable cases.
pub fn participants(grid: &Grid, per_establishment: &[Row]) -> Vec<Spread> {
    grid.criteria
        .iter()
        .filter(|c| c.has_rule())
        .map(|c| c.code.as_str())
        .chain(["all"])
        .map(|code| Spread {
            criterion: code.to_string(),
            distribution: Distribution::of(
                per_establishment
                    .iter()
                    .filter(|r| r.criterion == code && r.n_applicable >= MIN_APPLICABLE)
                    .filter_map(Row::pct)
                    .collect(),
            ),
        })
        .collect()
}

/// The complementary error function, to about 1e-15 absolute and 1e-11 relative: below 2 from
/// the series of erf with positive terms (Abramowitz & Stegun 7.1.6, no cancellation within
/// it), above from its continued fraction (A&S 7.1.14) evaluated backwards. Exact formulas
/// summed to convergence, so no table of coefficients to get wrong.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        erfc_series(x)
    } else {
        erfc_fraction(x)
    }
}

/// erfc x = 1 − erf x, erf x = 2/√π e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), for x ≥ 0.
fn erfc_series(x: f64) -> f64 {
    let (mut term, mut sum) = (x, x);
    for n in 1..400 {
        term *= 2.0 * x * x / (2 * n + 1) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    1.0 - 2.0 * (-x * x).exp() / std::f64::consts::PI.sqrt() * sum
}

/// erfc x = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + 2/(x + …))))), for x > 0.
fn erfc_fraction(x: f64) -> f64 {
    let mut t = x;
    for n in (1..=120).rev() {
        t = x + (n as f64 / 2.0) / t;
    }
    (-x * x).exp() / std::f64::consts::PI.sqrt() / t
}

/// The standard normal cumulative distribution function, Φ(z) = erfc(−z/√2)/2.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Two proportions compared: `after` − `before`, as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// after − before (−1 to 1).
    pub difference: f64,
    /// Newcombe's hybrid score 95 % interval of the difference (method 10), from the two Wilson
    /// intervals.
    pub interval: (f64, f64),
    /// The two-proportion z statistic with pooled variance; `None` when every case of both is
    /// conform, or none is (no variance).
    pub z: Option<f64>,
    /// Its two-sided p value.
    pub p_value: Option<f64>,
}

/// `after` = (conform, applicable) against `before`; `None` when either has no case.
pub fn difference(before: (u64, u64), after: (u64, u64)) -> Option<Difference> {
    let ((k1, n1), (k2, n2)) = (after, before);
    let (l1, u1) = wilson(k1, n1)?;
    let (l2, u2) = wilson(k2, n2)?;
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    let pooled = (k1 + k2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    let z = (se > 0.0).then(|| d / se);
    Some(Difference {
        difference: d,
        // The interval is within −1 to 1 by construction; the clamp only absorbs rounding.
        interval: (low.max(-1.0), high.min(1.0)),
        z,
        p_value: z.map(|z| erfc(z.abs() / std::f64::consts::SQRT_2)),
    })
}

/// One criterion of one group before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub group: Vec<String>,
    /// A criterion's code, or `all`.
    pub criterion: String,
    /// (conform, applicable) in the earlier campaign; (0, 0) when it had no such row.
    pub before: (u64, u64),
    /// (conform, applicable) in the later one.
    pub after: (u64, u64),
    /// `None` when either campaign has no applicable case.
    pub difference: Option<Difference>,
}

/// Each row of `after` against the row of `before` with the same group and criterion, in the
/// order of `after`.
pub fn compare(before: &[Row], after: &[Row]) -> Vec<Comparison> {
    after
        .iter()
        .map(|a| {
            let b = before
                .iter()
                .find(|b| b.group == a.group && b.criterion == a.criterion)
                .map_or((0, 0), |b| (b.n_conform, b.n_applicable));
            let now = (a.n_conform, a.n_applicable);
            Comparison {
                group: a.group.clone(),
                criterion: a.criterion.clone(),
                before: b,
                after: now,
                difference: difference(b, now),
            }
        })
        .collect()
}

/// A criterion of a group in one campaign of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// The campaign's label (its title or its period), as given.
    pub campaign: String,
    pub group: Vec<String>,
    pub criterion: String,
    pub n_applicable: u64,
    pub n_conform: u64,
    /// In percent; `None` when no case applies.
    pub pct: Option<f64>,
    /// The 95 % Wilson interval, in percent.
    pub interval: Option<(f64, f64)>,
}

/// The rows of successive campaigns (oldest first, each with its label), by group and criterion
/// in the order first met, then by campaign: what a trend chart draws.
pub fn trend(campaigns: &[(String, Vec<Row>)]) -> Vec<TrendRow> {
    let mut keys: Vec<(&[String], &str)> = Vec::new();
    for (_, rows) in campaigns {
        for r in rows {
            let key = (r.group.as_slice(), r.criterion.as_str());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let mut out = Vec::new();
    for (group, criterion) in keys {
        for (label, rows) in campaigns {
            if let Some(r) = rows
                .iter()
                .find(|r| r.group == group && r.criterion == criterion)
            {
                out.push(TrendRow {
                    campaign: label.clone(),
                    group: r.group.clone(),
                    criterion: r.criterion.clone(),
                    n_applicable: r.n_applicable,
                    n_conform: r.n_conform,
                    pct: r.pct(),
                    interval: r.interval(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::results_by;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn row(group: &str, criterion: &str, n_applicable: u64, n_conform: u64) -> Row {
        Row {
            group: vec![group.to_string()],
            criterion: criterion.to_string(),
            n_applicable,
            n_conform,
        }
    }

    #[test]
    fn erfc_against_its_known_values() {
        // erfc to 16 digits as the C library computes it (R: 2 * pnorm(-x * sqrt(2))).
        for (x, want) in [
            (0.0, 1.0),
            (0.1, 0.887_537_083_981_715_2),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_1),
            (2.0, 0.004_677_734_981_047_266),
            (2.5, 0.000_406_952_017_444_959),
            (3.0, 2.209_049_699_858_544e-5),
            (5.0, 1.537_459_794_428_035e-12),
        ] {
            let got = erfc(x);
            assert!(close(got, want, 1e-13 * want), "erfc({x}) = {got}");
        }
        assert!(close(erfc(-1.0), 2.0 - 0.157_299_207_050_285_1, 1e-14));
        // The two ways agree where one hands over to the other.
        for x in [1.5, 2.0, 2.5] {
            let (a, b) = (erfc_series(x), erfc_fraction(x));
            assert!(close(a, b, 1e-11 * b), "{x}: {a} {b}");
        }
        // Φ(1.96) = 0.975: the z of the 95 % interval.
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-12));
        assert!(close(normal_cdf(0.0), 0.5, 1e-15));
        assert!(erfc(f64::NAN).is_nan());
    }

    #[test]
    fn forty_five_of_sixty_after_thirty_of_sixty_by_hand() {
        // Difference 45/60 − 30/60 = 0.75 − 0.5 = 0.25 (25 points).
        // Pooled p = 75/120 = 0.625; se = √(0.625 × 0.375 × (1/60 + 1/60)) = √0.0078125
        // = 0.0883883; z = 0.25 / 0.0883883 = 2.8284271 (= 2√2); p = 2(1 − Φ(2√2))
        // = erfc(2√2/√2) = erfc(2) = 0.0046777.
        let d = difference((30, 60), (45, 60)).unwrap();
        assert!(close(d.difference, 0.25, 1e-15));
        assert!(close(d.z.unwrap(), 2.828_427_124_746_19, 1e-12));
        assert!(close(d.p_value.unwrap(), 0.004_677_734_981_047, 1e-12));
        // Wilson, z² = 3.8414588, 1 + z²/60 = 1.0640243:
        // 45/60: centre (0.75 + 0.0320122)/1.0640243 = 0.7349570, half-width
        //   1.959964 × √(0.75 × 0.25/60 + 3.8414588/14400)/1.0640243 = 0.1072777
        //   → 0.6276793 – 0.8422348;
        // 30/60: centre 0.5, half-width 1.959964 × √(0.25/60 + 0.0002668)/1.0640243
        //   = 0.1226498 → 0.3773502 – 0.6226498.
        // Newcombe: low = 0.25 − √((0.75 − 0.6276793)² + (0.6226498 − 0.5)²)
        //   = 0.25 − √(0.1223207² + 0.1226498²) = 0.25 − 0.1732204 = 0.0767796;
        // high = 0.25 + √((0.8422348 − 0.75)² + (0.5 − 0.3773502)²)
        //   = 0.25 + √(0.0922348² + 0.1226498²) = 0.25 + 0.1534608 = 0.4034608.
        let (low, high) = d.interval;
        assert!(close(low, 0.076_779_6, 1e-6), "{low}");
        assert!(close(high, 0.403_460_8, 1e-6), "{high}");
        // The other way round: the same interval, negated.
        let back = difference((45, 60), (30, 60)).unwrap();
        assert!(close(back.interval.0, -high, 1e-12) && close(back.interval.1, -low, 1e-12));
        assert!(close(back.p_value.unwrap(), d.p_value.unwrap(), 1e-15));
        // No variance: all conform before and after; no test, an interval still.
        let same = difference((20, 20), (30, 30)).unwrap();
        assert_eq!((same.z, same.p_value), (None, None));
        assert!(same.interval.0 < 0.0 && same.interval.1 > 0.0);
        assert_eq!(difference((0, 0), (3, 4)), None);
    }

    #[test]
    fn a_comparison_pairs_rows_by_group_and_criterion() {
        let before = vec![row("A", "delay", 60, 30), row("A", "all", 60, 20)];
        let after = vec![
            row("A", "delay", 60, 45),
            row("A", "all", 60, 20),
            row("B", "delay", 5, 5),
        ];
        let c = compare(&before, &after);
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].before, c[0].after), ((30, 60), (45, 60)));
        assert!(close(c[0].difference.unwrap().difference, 0.25, 1e-15));
        // Same share: difference 0, z 0, p 1.
        let same = c[1].difference.unwrap();
        assert!(close(same.p_value.unwrap(), 1.0, 1e-15));
        // B was not in the earlier campaign.
        assert_eq!((c[2].before, c[2].difference), ((0, 0), None));
    }

    #[test]
    fn quartiles_of_the_participants_by_hand() {
        let grid = Grid::from_json(crate::grid::tests::GRID).unwrap();
        // indication: five establishments with 10 or more applicable cases, 50, 60, 70, 80,
        // 100 %; one with 9 (0 %) is left out. Sorted 50 60 70 80 100, n = 5:
        // Q1 h = 4 × 0.25 = 1 → 60; median h = 2 → 70; Q3 h = 3 → 80, as R's
        // quantile(c(50, 60, 70, 80, 100)) gives.
        // delay: four establishments, 10 %, 20 %, 40 %, 90 %; R's type 7:
        // Q1 h = 0.75 → 10 + 0.75 × 10 = 17.5; median h = 1.5 → 20 + 0.5 × 20 = 30;
        // Q3 h = 2.25 → 40 + 0.25 × 50 = 52.5.
        let rows = vec![
            row("A", "indication", 10, 5),
            row("B", "indication", 20, 12),
            row("C", "indication", 10, 7),
            row("D", "indication", 40, 32),
            row("E", "indication", 12, 12),
            row("F", "indication", 9, 0),
            row("A", "delay", 10, 1),
            row("B", "delay", 10, 2),
            row("C", "delay", 10, 4),
            row("D", "delay", 10, 9),
            row("F", "delay", 9, 9),
            row("A", "all", 3, 3),
        ];
        let spread = participants(&grid, &rows);
        let codes: Vec<&str> = spread.iter().map(|s| s.criterion.as_str()).collect();
        assert_eq!(codes, ["indication", "delay", "molecule", "all"]);
        let d = spread[0].distribution.as_ref().unwrap();
        assert_eq!(d.establishments, 5, "the one with 9 cases is left out");
        assert_eq!(
            (d.min, d.q1, d.median, d.q3, d.max),
            (50.0, 60.0, 70.0, 80.0, 100.0)
        );
        let d = spread[1].distribution.as_ref().unwrap();
        assert_eq!(d.establishments, 4);
        assert!(close(d.q1, 17.5, 1e-12) && close(d.median, 30.0, 1e-12));
        assert!(close(d.q3, 52.5, 1e-12));
        // No establishment with 10 cases: no distribution.
        assert_eq!(spread[2].distribution, None);
        assert_eq!(spread[3].distribution, None);
    }

    #[test]
    fn results_by_any_key_and_the_region() {
        let grid = Grid::from_json(crate::grid::tests::GRID).unwrap();
        let csv = "case_id;establishment;indication;delay;molecule;surgery_on;note\n\
                   1;380780080;oui;30;cefazoline;;\n\
                   2;380780080;oui;75;cefazoline;;\n\
                   3;690781810;non;NA;autre;;\n\
                   4;010780054;oui;10;clindamycine;;\n";
        let cases = crate::cases::read(csv.as_bytes(), &grid).unwrap();
        // Department from a lookup the caller holds (here the FINESS's first two digits).
        let by_department = results_by(&grid, &cases, |c| {
            vec![c.establishment.as_str()[..2].to_string()]
        });
        let groups: Vec<&str> = by_department
            .iter()
            .filter(|r| r.criterion == "all")
            .map(|r| r.group[0].as_str())
            .collect();
        assert_eq!(groups, ["01", "38", "69"]);
        let region = results_by(&grid, &cases, |_| Vec::new());
        assert_eq!(region.len(), 4);
        assert!(region.iter().all(|r| r.group.is_empty()));
        assert_eq!(region, crate::results::results(&grid, &cases, &[]));
        let all = region.iter().find(|r| r.criterion == "all").unwrap();
        // Cases 1 and 4 conform on all; 2 too late; 3 not indicated.
        assert_eq!((all.n_applicable, all.n_conform), (4, 2));
    }

    #[test]
    fn a_trend_lists_each_criterion_over_the_campaigns() {
        let t = trend(&[
            (
                "2025".into(),
                vec![row("A", "delay", 60, 30), row("A", "all", 60, 20)],
            ),
            ("2026".into(), vec![row("A", "delay", 60, 45)]),
        ]);
        let got: Vec<(&str, &str, Option<f64>)> = t
            .iter()
            .map(|r| (r.criterion.as_str(), r.campaign.as_str(), r.pct))
            .collect();
        assert_eq!(
            got,
            [
                ("delay", "2025", Some(50.0)),
                ("delay", "2026", Some(75.0)),
                ("all", "2025", Some(100.0 / 3.0)),
            ]
        );
        // 45/60: 62.77 % – 84.22 % (see the comparison above).
        let (lo, hi) = t[1].interval.unwrap();
        assert!(close(lo, 62.767_93, 1e-4) && close(hi, 84.223_48, 1e-4));
    }

    proptest! {
        #[test]
        fn newcombe_holds_the_difference_within_minus_one_and_one(
            n1 in 1u64..400, n2 in 1u64..400, a in 0.0f64..=1.0, b in 0.0f64..=1.0,
        ) {
            let k1 = ((n1 as f64) * a).round() as u64;
            let k2 = ((n2 as f64) * b).round() as u64;
            let d = difference((k1, n1), (k2, n2)).unwrap();
            let (low, high) = d.interval;
            prop_assert!(low <= d.difference && d.difference <= high, "{d:?}");
            prop_assert!((-1.0..=1.0).contains(&low) && (-1.0..=1.0).contains(&high), "{d:?}");
            if let Some(p) = d.p_value {
                prop_assert!((0.0..=1.0).contains(&p));
            }
        }
    }
}
