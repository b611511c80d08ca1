//! Conformity: per criterion with a rule, the cases it applies to, those conform, their share
//! and its 95 % Wilson score interval; and `all`, the cases conform on every criterion with a
//! rule that applies to them (cases to which none applies are left out). Per group (the
//! establishment) or for all the cases.

use crate::cases::Case;
use crate::grid::Grid;
use cratb_sheet::write::{Cell, Decimals, Table};

/// The z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The 95 % Wilson score interval of `k` successes out of `n`, as fractions (`None` for n = 0).
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// How the cases are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Establishment,
}

impl By {
    /// Parses a `--by` column name.
    pub fn parse(s: &str) -> Option<By> {
        match s.trim() {
            "establishment" => Some(By::Establishment),
            _ => None,
        }
    }
    pub fn column(self) -> &'static str {
        match self {
            By::Establishment => "establishment",
        }
    }
}

/// One group × criterion (or `all`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The values of the `by` columns.
    pub group: Vec<String>,
    /// A criterion's code, or `all`.
    pub criterion: String,
    pub n_applicable: u64,
    pub n_conform: u64,
}

impl Row {
    /// The share conform, in percent (`None` when no case applies).
    pub fn pct(&self) -> Option<f64> {
        (self.n_applicable > 0).then(|| 100.0 * self.n_conform as f64 / self.n_applicable as f64)
    }
    /// The 95 % Wilson interval, in percent.
    pub fn interval(&self) -> Option<(f64, f64)> {
        wilson(self.n_conform, self.n_applicable).map(|(a, b)| (100.0 * a, 100.0 * b))
    }
}

/// The conformity of `cases` per group of `by` × criterion with a rule, then `all`; groups in
/// the order of their values, criteria in the grid's.
pub fn results(grid: &Grid, cases: &[Case], by: &[By]) -> Vec<Row> {
    results_by(grid, cases, |c| {
        by.iter()
            .map(|b| match b {
                By::Establishment => c.establishment.as_str().to_string(),
            })
            .collect()
    })
}

/// The conformity of `cases` per group × criterion with a rule, then `all`, the group of a case
/// being what `key` says (its establishment, the establishment's category or department, or
/// nothing for the region); groups in the order of their values, criteria in the grid's.
pub fn results_by(grid: &Grid, cases: &[Case], key: impl Fn(&Case) -> Vec<String>) -> Vec<Row> {
    let mut groups: std::collections::BTreeMap<Vec<String>, Vec<&Case>> = Default::default();
    for c in cases {
        groups.entry(key(c)).or_default().push(c);
    }
    let ruled: Vec<usize> = (0..grid.criteria.len())
        .filter(|&i| grid.criteria[i].has_rule())
        .collect();
    let mut rows = Vec::new();
    for (group, cases) in groups {
        let mut all = Row {
            group: group.clone(),
            criterion: "all".into(),
            n_applicable: 0,
            n_conform: 0,
        };
        let mut per: Vec<Row> = ruled
            .iter()
            .map(|&i| Row {
                group: group.clone(),
                criterion: grid.criteria[i].code.clone(),
                n_applicable: 0,
                n_conform: 0,
            })
            .collect();
        for case in cases {
            let mut applicable = false;
            let mut every = true;
            for (row, &i) in per.iter_mut().zip(&ruled) {
                if let Some(ok) = grid.criteria[i].conform(&case.answers[i]) {
                    applicable = true;
                    row.n_applicable += 1;
                    row.n_conform += u64::from(ok);
                    every &= ok;
                }
            }
            if applicable {
                all.n_applicable += 1;
                all.n_conform += u64::from(every);
            }
        }
        rows.extend(per);
        rows.push(all);
    }
    rows
}

/// The rows as a table: the `by` columns, `criterion`, `n_applicable`, `n_conform`,
/// `pct_conform`, `ci_low`, `ci_high` (percentages with two decimals; empty where no case
/// applies).
pub fn table(by: &[By], rows: &[Row]) -> Table {
    let mut header: Vec<String> = by.iter().map(|b| b.column().to_string()).collect();
    header.extend(
        [
            "criterion",
            "n_applicable",
            "n_conform",
            "pct_conform",
            "ci_low",
            "ci_high",
        ]
        .map(String::from),
    );
    let pct = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v, Decimals::Fixed(2)));
    let body = rows
        .iter()
        .map(|r| {
            let mut cells: Vec<Cell> = r.group.iter().cloned().map(Cell::Text).collect();
            let ci = r.interval();
            cells.extend([
                Cell::Text(r.criterion.clone()),
                Cell::Integer(r.n_applicable as i64),
                Cell::Integer(r.n_conform as i64),
                pct(r.pct()),
                pct(ci.map(|c| c.0)),
                pct(ci.map(|c| c.1)),
            ]);
            cells
        })
        .collect();
    Table::new("conformite", header, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_by_hand() {
        // 8 of 10: centre (0.8 + 1.9208/10)/(1.38415) = 0.71671, half 0.22771 → 48.90 %–94.33 %.
        let (a, b) = wilson(8, 10).unwrap();
        assert!((a - 0.4901625).abs() < 1e-6, "{a}");
        assert!((b - 0.9433178).abs() < 1e-6, "{b}");
        let (a, b) = wilson(0, 5).unwrap();
        assert_eq!(a, 0.0);
        assert!((b - 0.4344825).abs() < 1e-6, "{b}");
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn conformity_per_criterion_and_whole_cases() {
        let grid = Grid::from_json(crate::grid::tests::GRID).unwrap();
        let csv = "case_id;establishment;indication;delay;molecule;surgery_on;note\n\
                   1;380780080;oui;30;cefazoline;;\n\
                   2;380780080;oui;75;cefazoline;;\n\
                   3;380780080;non;NA;autre;;\n\
                   4;380780080;NA;NA;NA;2026-01-02;rien ne s'applique\n\
                   5;690781810;oui;10;clindamycine;;\n";
        let cases = crate::cases::read(csv.as_bytes(), &grid).unwrap();
        let rows = results(&grid, &cases, &[]);
        let got: Vec<(&str, u64, u64)> = rows
            .iter()
            .map(|r| (r.criterion.as_str(), r.n_applicable, r.n_conform))
            .collect();
        // Cases 1, 2, 3, 5 have a criterion that applies; 1 and 5 are conform on all of them.
        assert_eq!(
            got,
            [
                ("indication", 4, 3),
                ("delay", 3, 2),
                ("molecule", 4, 3),
                ("all", 4, 2)
            ]
        );
        let by = results(&grid, &cases, &[By::Establishment]);
        assert_eq!(by.len(), 8);
        assert_eq!(by[0].group, ["380780080"]);
        assert_eq!((by[3].n_applicable, by[3].n_conform), (3, 1));
        let t = table(&[By::Establishment], &by);
        assert_eq!(
            t.header,
            [
                "establishment",
                "criterion",
                "n_applicable",
                "n_conform",
                "pct_conform",
                "ci_low",
                "ci_high"
            ]
        );
        let text =
            String::from_utf8(cratb_sheet::write::csv(&t, cratb_sheet::write::Csv::COMMA)).unwrap();
        assert!(
            text.contains("380780080,all,3,1,33.33,6.15,79.23"),
            "{text}"
        );
    }
}
