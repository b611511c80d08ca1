//! The region's consumption targets (the annual programme's), against a baseline year.

use crate::cube;
use cratb_domain::Lang;

/// A consumption target of the region's annual programme, and the national figure compared
/// with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    pub sector: String,
    /// Indicator class code (`J01`, `J01M`…).
    pub indicator: String,
    pub baseline_year: i32,
    /// Reduction against the baseline, in %.
    pub reduction_pct: Option<f64>,
    /// Or a value to reach (wins over the reduction).
    pub target_value: Option<f64>,
    pub target_year: Option<i32>,
    pub national_value: Option<f64>,
    pub national_year: Option<i32>,
    /// Who set it (`None`: the national default).
    pub set_by: Option<String>,
}

impl Target {
    /// The national strategy's target (2022–2025, extended): −25 % against 2019.
    pub fn national(sector: &str, indicator: &str) -> Target {
        Target {
            sector: sector.into(),
            indicator: indicator.into(),
            baseline_year: 2019,
            reduction_pct: Some(25.0),
            target_value: None,
            target_year: None,
            national_value: None,
            national_year: None,
            set_by: None,
        }
    }

    /// The value to reach, given the baseline's.
    pub fn goal(&self, baseline: Option<f64>) -> Option<f64> {
        self.target_value
            .or_else(|| Some(baseline? * (1.0 - self.reduction_pct? / 100.0)))
    }

    /// The target in words (`−25 % par rapport à 2019, en 2027`).
    pub fn describe(&self, lang: Lang) -> String {
        let what = match (self.target_value, self.reduction_pct) {
            (Some(v), _) => lang.pick(
                format!("valeur {}", v.to_string().replace('.', ",")),
                format!("value {v}"),
            ),
            (None, Some(r)) => lang.pick(
                format!(
                    "−{} % par rapport à {}",
                    r.to_string().replace('.', ","),
                    self.baseline_year
                ),
                format!("−{r} % against {}", self.baseline_year),
            ),
            (None, None) => String::new(),
        };
        let by = match self.target_year {
            Some(y) => lang.pick(format!(" en {y}"), format!(" by {y}")),
            None => String::new(),
        };
        let whose = match self.set_by {
            None => lang.pick(" (objectif national)", " (national target)"),
            Some(_) => "",
        };
        format!("{what}{by}{whose}")
    }

    /// Checks the figures; the name of the first field refused.
    pub fn check(&self) -> std::result::Result<(), &'static str> {
        let year = |y: i32| (2000..=2100).contains(&y);
        if !["ES", "EMS", "VILLE"].contains(&self.sector.as_str()) {
            return Err("sector");
        }
        if cube::class_index(&self.indicator).is_none() {
            return Err("indicator");
        }
        if !year(self.baseline_year) {
            return Err("baseline_year");
        }
        if self
            .reduction_pct
            .is_some_and(|r| !(0.0..=100.0).contains(&r))
        {
            return Err("reduction_pct");
        }
        if self.reduction_pct.is_none() && self.target_value.is_none() {
            return Err("reduction_pct");
        }
        if self.target_value.is_some_and(|v| !v.is_finite() || v < 0.0) {
            return Err("target_value");
        }
        if self
            .target_year
            .is_some_and(|y| !year(y) || y <= self.baseline_year)
        {
            return Err("target_year");
        }
        if self
            .national_value
            .is_some_and(|v| !v.is_finite() || v < 0.0)
        {
            return Err("national_value");
        }
        if self.national_year.is_some_and(|y| !year(y)) {
            return Err("national_year");
        }
        Ok(())
    }
}
