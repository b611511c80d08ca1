//! An establishment's page and its feedback report (one PDF, or every establishment's in a
//! ZIP): its own figures and its peers' distribution only.

use super::{FilterView, Filters, Viewer, filter_view, resolve, viewer};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::attachment;
use crate::input::{Path, Query};
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_consumption::cube::CLASSES;
use cratb_domain::Lang;
use cratb_report::charts;
use cratb_report::consumption::{
    Feedback, feedback, file_name, monthly_chart, per_year, report_pdf, reports_zip, stacked_chart,
    trend_chart,
};

/// The page: its layout, filters and charts around the establishment's feedback, whose fields
/// the template reads as its own.
#[derive(Template)]
#[template(path = "consumption/establishment.html")]
struct EstablishmentPage {
    l: Layout,
    id: i64,
    territory: Option<String>,
    f: FilterView,
    class_name: &'static str,
    empty: bool,
    trend: String,
    monthly: String,
    stacked: String,
    peers: String,
    referent: bool,
    fb: Feedback,
}

impl std::ops::Deref for EstablishmentPage {
    type Target = Feedback;
    fn deref(&self) -> &Feedback {
        &self.fb
    }
}

/// Only the establishments the caller may see by name are opened.
fn may_see(v: &Viewer, id: i64) -> bool {
    v.visibility.names(id)
}

pub async fn establishment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<Filters>,
) -> PageResult {
    let lang = auth.lang;
    let v = viewer(&state, &auth, q.region.as_deref(), Some(id)).await?;
    if !may_see(&v, id) {
        return Err(PageError::Forbidden(auth.lang));
    }
    let cube = &v.cube;
    let unit = cube
        .unit_index(id)
        .map(|i| cube.units[i].clone())
        .ok_or(PageError::NotFound(auth.lang))?;
    let mut r = resolve(
        cube,
        &Filters {
            sector: Some(unit.sector.clone()),
            ..q
        },
    );
    r.slice.unit = Some(id);
    let fb = feedback(cube, id, r.year, r.slice.ward.clone(), None, lang)
        .ok_or(PageError::NotFound(auth.lang))?;
    let target = cratb_store::consumption::target(
        &state.db,
        &crate::pages::region_access(&auth, &v.region)?,
        &unit.sector,
        CLASSES[r.class].code,
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    // The establishment's years, as the feedback computed them (same ward type).
    let cname = CLASSES[r.class].name(lang);
    let (trend, _) = trend_chart(
        &per_year(&fb.years, r.class),
        &target,
        lang,
        &format!("{cname} — {}", fb.unit),
    );
    let page = EstablishmentPage {
        l: Layout::new(&auth, &unit.name),
        id,
        territory: unit.territory,
        f: filter_view(&auth, &v, &r),
        class_name: cname,
        empty: fb.years.is_empty(),
        trend,
        monthly: monthly_chart(cube, &r.slice, r.class, lang),
        stacked: stacked_chart(&fb.years, lang),
        peers: fb
            .peer_box
            .as_ref()
            .map(|b| {
                charts::box_plot(
                    lang,
                    lang.pick("Parmi les pairs (J01)", "Among peers (J01)"),
                    std::slice::from_ref(b),
                )
            })
            .unwrap_or_default(),
        referent: v.referent_home.is_some(),
        fb,
    };
    Ok(render(&page))
}

pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<Filters>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), Some(id)).await?;
    if !may_see(&v, id) {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let fb = feedback(&v.cube, id, r.year, None, None, Lang::Fr)
        .ok_or(PageError::NotFound(auth.lang))?;
    Ok(attachment(
        &file_name(&fb),
        "application/pdf",
        report_pdf(&fb, &v.region),
    ))
}

pub async fn reports(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Filters>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if v.referent_home.is_some() {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    let (cube, region, visibility) = (v.cube.clone(), v.region.clone(), v.visibility.clone());
    let body = tokio::task::spawn_blocking(move || {
        // The establishments of the GHT or department the button carries, among those the
        // caller sees by name.
        let carried = cratb_consumption::cube::Slice {
            territory: r.slice.territory.clone(),
            department: r.slice.department.clone(),
            ..Default::default()
        };
        let in_filters: std::collections::HashSet<i64> = cube
            .unit_years(&carried)
            .iter()
            .filter(|u| u.year == r.year)
            .map(|u| cube.units[u.unit].id)
            .collect();
        reports_zip(&cube, &region, r.year, |id| {
            visibility.names(id) && in_filters.contains(&id)
        })
    })
    .await
    .map_err(|_| PageError::Internal(auth.lang))?
    .map_err(|_| PageError::Internal(auth.lang))?;
    Ok(attachment(
        &format!("retours-consommation-{}-{}.zip", v.region, r.year),
        "application/zip",
        body,
    ))
}
