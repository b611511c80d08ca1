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
use cratb_consumption::targets::{SECTORS, TargetForm};
use cratb_domain::{FieldError, geo};
use cratb_report::consumption::{TargetLine, target_lines};
use cratb_store::consumption;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TargetsQuery {
    region: Option<String>,
    sector: Option<String>,
    class: Option<String>,
    saved: Option<String>,
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
    v: TargetForm,
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
    v: TargetForm,
    errors: Vec<FieldError>,
    saved: bool,
) -> PageResult {
    let lang = auth.lang;
    let targets = consumption::targets(&state.db, &crate::pages::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?;
    let lines = target_lines(targets, lang);
    let page = TargetsPage {
        l: Layout::new(auth, auth.lang.tr().con_targets),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: super::region_options(auth, &region),
        region,
        sectors: options(SECTORS.map(|s| (s, s)), &v.sector),
        indicators: options(CLASSES.iter().map(|c| (c.code, c.name(lang))), &v.indicator),
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
    let sector = non_empty(&q.sector).filter(|s| SECTORS.contains(&s.as_str()));
    let indicator = non_empty(&q.class).filter(|c| class_index(c).is_some());
    let t = consumption::target(
        &state.db,
        &crate::pages::region_access(&auth, &region)?,
        sector.as_deref().unwrap_or("ES"),
        indicator.as_deref().unwrap_or("J01"),
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    let v = TargetForm::of(&region, &t);
    page(&state, &auth, region, v, Vec::new(), q.saved.is_some()).await
}

pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(v): HtmlForm<TargetForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = super::asked_region(&state, &auth, Some(&v.region)).await?;
    let t = match v.parse() {
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
