//! The region's consumption targets (the annual programme's), against a baseline year.

use crate::cube;
use cratb_domain::{FieldError, Lang};

/// The sectors a target is set for: hospitals, nursing homes, primary care.
pub const SECTORS: [&str; 3] = ["ES", "EMS", "VILLE"];

/// A share of J01 use from the WHO AWaRe Access group to reach, and who set it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccessTarget {
    /// At least this share, in %.
    pub pct: f64,
    /// Who set it and for when, in French and in English.
    pub fr: &'static str,
    pub en: &'static str,
}

/// The Access targets a figure is read against: the Council of the EU's recommendation of
/// June 2023 (at least 65 % of total use from Access by 2030) and the UN General Assembly's
/// political declaration on antimicrobial resistance of September 2024 (at least 70 %).
pub const ACCESS_TARGETS: [AccessTarget; 2] = [
    AccessTarget {
        pct: 65.0,
        fr: "Objectif du Conseil de l'UE pour 2030",
        en: "Council of the EU target for 2030",
    },
    AccessTarget {
        pct: 70.0,
        fr: "Objectif de l'Assemblée générale des Nations unies (2024)",
        en: "UN General Assembly target (2024)",
    },
];

/// Primary care: at most this many prescriptions of antibiotics per 1000 inhabitants per year,
/// France's target for [`PRESCRIPTIONS_TARGET_YEAR`] (national strategy 2022–2025, extended).
pub const PRESCRIPTIONS_TARGET: f64 = 650.0;
pub const PRESCRIPTIONS_TARGET_YEAR: i32 = 2027;

/// Where a figure stands against a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing {
    /// The threshold is met.
    Reached,
    /// So far from it (always positive: below a floor, above a ceiling).
    Off(f64),
    /// No figure.
    Unknown,
}

impl Standing {
    /// `value` against a floor (`at_least`) or a ceiling.
    pub fn of(value: Option<f64>, threshold: f64, at_least: bool) -> Standing {
        match value.filter(|v| v.is_finite()) {
            None => Standing::Unknown,
            Some(v) if (at_least && v >= threshold) || (!at_least && v <= threshold) => {
                Standing::Reached
            }
            Some(v) => Standing::Off((v - threshold).abs()),
        }
    }
}

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
        if !SECTORS.contains(&self.sector.as_str()) {
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

/// The target form as typed: every field as text, shown back as it was when refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub baseline_year: String,
    #[serde(default)]
    pub reduction_pct: String,
    #[serde(default)]
    pub target_value: String,
    #[serde(default)]
    pub target_year: String,
    #[serde(default)]
    pub national_value: String,
    #[serde(default)]
    pub national_year: String,
}

impl TargetForm {
    /// The form filled with `t`, the target of `region` (figures with a decimal comma).
    pub fn of(region: &str, t: &Target) -> TargetForm {
        let number = |x: Option<f64>| {
            x.map(|v| v.to_string().replace('.', ","))
                .unwrap_or_default()
        };
        let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
        TargetForm {
            region: region.to_string(),
            sector: t.sector.clone(),
            indicator: t.indicator.clone(),
            baseline_year: t.baseline_year.to_string(),
            reduction_pct: number(t.reduction_pct),
            target_value: number(t.target_value),
            target_year: year(t.target_year),
            national_value: number(t.national_value),
            national_year: year(t.national_year),
        }
    }

    /// Reads the form; every field refused gets its message.
    pub fn parse(&self) -> Result<Target, Vec<FieldError>> {
        let v = self;
        let mut errors = Vec::new();
        let baseline_year = year("baseline_year", &v.baseline_year, &mut errors);
        if baseline_year.is_none() && v.baseline_year.trim().is_empty() {
            errors.push(FieldError::new(
                "baseline_year",
                "année de référence obligatoire",
                "baseline year required",
            ));
        }
        let reduction_pct = number("reduction_pct", &v.reduction_pct, &mut errors);
        if reduction_pct.is_some_and(|r| r > 100.0) {
            errors.push(FieldError::new(
                "reduction_pct",
                "une réduction ne peut dépasser 100 %",
                "a reduction cannot exceed 100 %",
            ));
        }
        let target_value = number("target_value", &v.target_value, &mut errors);
        if reduction_pct.is_none() && target_value.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "reduction_pct",
                "indiquez une réduction en % ou une valeur cible",
                "give a reduction in % or a target value",
            ));
        }
        let target_year = year("target_year", &v.target_year, &mut errors);
        if let (Some(t), Some(b)) = (target_year, baseline_year)
            && t <= b
        {
            errors.push(FieldError::new(
                "target_year",
                format!("l'échéance ({t}) doit suivre l'année de référence ({b})"),
                format!("the target year ({t}) must come after the baseline year ({b})"),
            ));
        }
        let national_value = number("national_value", &v.national_value, &mut errors);
        let national_year = year("national_year", &v.national_year, &mut errors);
        if national_year.is_some() && national_value.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "national_value",
                "valeur nationale manquante pour cette année",
                "national figure missing for this year",
            ));
        }
        if !SECTORS.contains(&v.sector.as_str()) {
            errors.push(FieldError::new(
                "sector",
                "secteur attendu : ES, EMS ou VILLE",
                "sector expected: ES, EMS or VILLE",
            ));
        }
        if cube::class_index(&v.indicator).is_none() {
            errors.push(FieldError::new(
                "indicator",
                "indicateur inconnu",
                "unknown indicator",
            ));
        }
        match (errors.is_empty(), baseline_year) {
            (true, Some(baseline_year)) => Ok(Target {
                sector: v.sector.clone(),
                indicator: v.indicator.clone(),
                baseline_year,
                reduction_pct: if target_value.is_some() {
                    None
                } else {
                    reduction_pct
                },
                target_value,
                target_year,
                national_value,
                national_year,
                set_by: None,
            }),
            _ => Err(errors),
        }
    }
}

/// A positive figure as people type it (`12,5 %`, `1 200`); `None` when empty or refused.
fn number(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    let t = text
        .trim()
        .replace([' ', '\u{a0}', '%'], "")
        .replace(',', ".");
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("« {} » : nombre positif attendu", text.trim()),
                format!("'{}': a positive number was expected", text.trim()),
            ));
            None
        }
    }
}

/// A year from 2000 to 2100; `None` when empty or refused.
fn year(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Option<i32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("« {t} » : année sur quatre chiffres attendue (2000 à 2100)"),
                format!("'{t}': a four-digit year was expected (2000 to 2100)"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TargetForm {
        TargetForm {
            sector: "ES".into(),
            indicator: "J01".into(),
            baseline_year: "2023".into(),
            reduction_pct: "10".into(),
            target_year: "2027".into(),
            ..TargetForm::default()
        }
    }

    #[test]
    fn a_target_is_a_reduction_or_a_value_after_its_baseline() {
        let t = values().parse().unwrap();
        assert_eq!(t.goal(Some(400.0)), Some(360.0));
        let mut v = values();
        v.target_value = "350,5".into();
        assert_eq!(v.parse().unwrap().goal(Some(400.0)), Some(350.5));
        let mut v = values();
        v.target_year = "2020".into();
        v.reduction_pct = "beaucoup".into();
        let errors = v.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["reduction_pct", "target_year"]);
        let mut v = values();
        v.reduction_pct = String::new();
        assert_eq!(
            v.parse().unwrap_err()[0].message,
            "indiquez une réduction en % ou une valeur cible"
        );
    }

    #[test]
    fn the_form_shows_a_target_as_typed_and_reads_it_back() {
        let mut t = Target::national("EMS", "J01M");
        t.reduction_pct = Some(12.5);
        t.national_value = Some(3.2);
        t.national_year = Some(2024);
        let form = TargetForm::of("84", &t);
        assert_eq!(form.region, "84");
        assert_eq!(form.reduction_pct, "12,5");
        assert_eq!(
            (form.target_value.as_str(), form.target_year.as_str()),
            ("", "")
        );
        assert_eq!(form.national_value, "3,2");
        assert_eq!(form.parse().unwrap(), t);
    }
}
