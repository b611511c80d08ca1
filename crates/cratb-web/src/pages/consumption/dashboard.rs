//! The region's dashboard ([`cratb_report::dashboard`]) and its figures as a file.

use super::{FilterView, Filters, filter_view, resolve, viewer};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::{CsvParam, download};
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_consumption::cube::CLASSES;
use cratb_domain::{Permission, geo};
use cratb_report::dashboard::{Dashboard, establishments_tables};

/// The page: its layout and filters around the dashboard, whose fields the template reads as
/// its own.
#[derive(Template)]
#[template(path = "consumption/dashboard.html")]
struct DashboardPage {
    l: Layout,
    region_name: String,
    f: FilterView,
    d: Dashboard,
    can_import: bool,
    can_target: bool,
}

impl std::ops::Deref for DashboardPage {
    type Target = Dashboard;
    fn deref(&self) -> &Dashboard {
        &self.d
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Filters>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if let Some(own) = v.referent_home {
        return Ok(crate::pages::login::redirect(&format!(
            "/consumption/establishments/{own}"
        )));
    }
    let r = resolve(&v.cube, &q);
    let target = cratb_store::consumption::target(
        &state.db,
        &crate::pages::region_access(&auth, &v.region)?,
        r.sector(),
        CLASSES[r.class].code,
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    let mut d = cratb_report::dashboard::dashboard(&v.cube, &r, &target, auth.lang);
    // Only the establishments the caller may see by name are listed.
    d.establishments.retain(|e| v.visibility.names(e.id));
    let page = DashboardPage {
        l: Layout::new(&auth, auth.lang.tr().nav_consumption),
        region_name: geo::region(&v.region).map_or("", |g| g.name).to_string(),
        f: filter_view(&auth, &v, &r),
        d,
        can_import: auth.can(Permission::ImportConsumption),
        can_target: auth.can(Permission::EditTargets),
    };
    Ok(render(&page))
}

/// The establishments' figures of the filters, as CSV or XLSX.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<Filters>,
    Query(style): Query<CsvParam>,
) -> PageResult {
    let v = viewer(&state, &auth, q.region.as_deref(), None).await?;
    if v.referent_home.is_some() {
        return Err(PageError::Forbidden(auth.lang));
    }
    let r = resolve(&v.cube, &q);
    download(
        &format!("consommation-{}-{}", v.region, r.year),
        &format,
        style,
        establishments_tables(&v.cube, &r, auth.lang, |id| v.visibility.names(id)),
        auth.lang,
    )
}
