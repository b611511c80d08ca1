//! The region's consumption targets (annual programme) and the national figures it compares
//! itself with, set by the coordinator per sector and indicator; without one, the national
//! target applies (−25 % against 2019).

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Query;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, field_error, form_status, non_empty, options, render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_consumption::cube::{CLASSES, class_index};
use cratb_domain::geo;
use cratb_store::FieldError;
use cratb_store::consumption::{self, Target};
use serde::Deserialize;

/// The form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetValues {
    #[serde(default)]
    region: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    baseline_year: String,
    #[serde(default)]
    reduction_pct: String,
    #[serde(default)]
    target_value: String,
    #[serde(default)]
    target_year: String,
    #[serde(default)]
    national_value: String,
    #[serde(default)]
    national_year: String,
}

#[derive(Deserialize)]
pub struct TargetsQuery {
    region: Option<String>,
    sector: Option<String>,
    class: Option<String>,
    saved: Option<String>,
}

/// A target as listed.
pub struct TargetLine {
    pub sector: String,
    pub indicator: &'static str,
    pub describe: String,
    pub national: String,
    pub set_by: String,
}

#[derive(Template)]
#[template(path = "consumption/targets.html")]
struct TargetsPage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    sectors: Vec<Opt>,
    indicators: Vec<Opt>,
    lines: Vec<TargetLine>,
    v: TargetValues,
    errors: Vec<FieldError>,
    saved: bool,
}

impl TargetsPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    fn fields(&self) -> Vec<crate::pages::Field<'_>> {
        let lang = self.l.lang;
        let t = |fr: &'static str, e: &'static str| lang.pick(fr, e);
        vec![
            (
                "baseline_year",
                t("Année de référence", "Baseline year"),
                &self.v.baseline_year,
                "text",
            ),
            (
                "reduction_pct",
                t("Réduction visée (%)", "Reduction aimed at (%)"),
                &self.v.reduction_pct,
                "text",
            ),
            (
                "target_value",
                t(
                    "Ou valeur cible (dans l'unité de l'indicateur)",
                    "Or target value (in the indicator's unit)",
                ),
                &self.v.target_value,
                "text",
            ),
            (
                "target_year",
                t("Échéance (année)", "By (year)"),
                &self.v.target_year,
                "text",
            ),
            (
                "national_value",
                t(
                    "Valeur nationale de comparaison",
                    "National figure to compare with",
                ),
                &self.v.national_value,
                "text",
            ),
            (
                "national_year",
                t(
                    "Année de la valeur nationale",
                    "Year of the national figure",
                ),
                &self.v.national_year,
                "text",
            ),
        ]
    }
}

async fn page(
    state: &AppState,
    auth: &Auth,
    region: String,
    v: TargetValues,
    errors: Vec<FieldError>,
    saved: bool,
) -> PageResult {
    let lang = auth.lang;
    let lines = consumption::targets(&state.db, &crate::pages::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?
        .into_iter()
        .map(|t| TargetLine {
            sector: t.sector.clone(),
            indicator: class_index(&t.indicator)
                .map_or("", |i| cratb_consumption::cube::CLASSES[i].name(lang)),
            describe: t.describe(lang),
            national: match (t.national_value, t.national_year) {
                (Some(v), Some(y)) => {
                    format!("{} ({y})", cratb_report::format::decimal(Some(v), lang))
                }
                (Some(v), None) => cratb_report::format::decimal(Some(v), lang),
                _ => "—".into(),
            },
            set_by: t.set_by.unwrap_or_default(),
        })
        .collect();
    let page = TargetsPage {
        l: Layout::new(auth, auth.lang.tr().con_targets),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: super::region_options(auth, &region),
        region,
        sectors: options(
            [("ES", "ES"), ("EMS", "EMS"), ("VILLE", "VILLE")],
            &v.sector,
        ),
        indicators: options(
            CLASSES
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code, cratb_consumption::cube::CLASSES[i].name(lang))),
            &v.indicator,
        ),
        lines,
        v,
        errors,
        saved,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

/// The form filled with the target in force for the sector and indicator asked.
pub async fn form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TargetsQuery>,
) -> PageResult {
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    let sector = non_empty(&q.sector).filter(|s| ["ES", "EMS", "VILLE"].contains(&s.as_str()));
    let indicator = non_empty(&q.class).filter(|c| class_index(c).is_some());
    let t = consumption::target(
        &state.db,
        &crate::pages::region_access(&auth, &region)?,
        sector.as_deref().unwrap_or("ES"),
        indicator.as_deref().unwrap_or("J01"),
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    let text = |x: Option<f64>| {
        x.map(|v| v.to_string().replace('.', ","))
            .unwrap_or_default()
    };
    let v = TargetValues {
        region: region.clone(),
        sector: t.sector.clone(),
        indicator: t.indicator.clone(),
        baseline_year: t.baseline_year.to_string(),
        reduction_pct: text(t.reduction_pct),
        target_value: text(t.target_value),
        target_year: t.target_year.map(|y| y.to_string()).unwrap_or_default(),
        national_value: text(t.national_value),
        national_year: t.national_year.map(|y| y.to_string()).unwrap_or_default(),
    };
    page(&state, &auth, region, v, Vec::new(), q.saved.is_some()).await
}

/// Reads the form; every field refused gets its message.
fn parse(v: &TargetValues) -> Result<Target, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = |field: &'static str, text: &str, errors: &mut Vec<FieldError>| -> Option<f64> {
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
    };
    let year = |field: &'static str, text: &str, errors: &mut Vec<FieldError>| -> Option<i32> {
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
    };
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
    if !["ES", "EMS", "VILLE"].contains(&v.sector.as_str()) {
        errors.push(FieldError::new(
            "sector",
            "secteur attendu : ES, EMS ou VILLE",
            "sector expected: ES, EMS or VILLE",
        ));
    }
    if class_index(&v.indicator).is_none() {
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

pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(v): HtmlForm<TargetValues>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = super::asked_region(&state, &auth, Some(&v.region)).await?;
    let t = match parse(&v) {
        Ok(t) => t,
        Err(errors) => return page(&state, &auth, region, v, errors, false).await,
    };
    cratb_app::consumption::set_target(&state.db, &auth.actor(user, scope), &region, &t)
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/consumption/targets?region={region}&sector={}&class={}&saved=1",
        t.sector, t.indicator
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TargetValues {
        TargetValues {
            sector: "ES".into(),
            indicator: "J01".into(),
            baseline_year: "2023".into(),
            reduction_pct: "10".into(),
            target_year: "2027".into(),
            ..TargetValues::default()
        }
    }

    #[test]
    fn a_target_is_a_reduction_or_a_value_after_its_baseline() {
        let t = parse(&values()).unwrap();
        assert_eq!(t.goal(Some(400.0)), Some(360.0));
        let mut v = values();
        v.target_value = "350,5".into();
        assert_eq!(parse(&v).unwrap().goal(Some(400.0)), Some(350.5));
        let mut v = values();
        v.target_year = "2020".into();
        v.reduction_pct = "beaucoup".into();
        let errors = parse(&v).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["reduction_pct", "target_year"]);
        let mut v = values();
        v.reduction_pct = String::new();
        assert_eq!(
            parse(&v).unwrap_err()[0].message,
            "indiquez une réduction en % ou une valeur cible"
        );
    }
}
