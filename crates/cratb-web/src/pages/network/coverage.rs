//! Coverage of a region by the conventions in force: a map of departments, the table per
//! department and sector, the establishments and CPTS not covered, exports.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::{CsvParam, download};
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{Layout, Opt, PageResult, options, region_access, render};
use askama::Template;
use axum::extract::State;
use cratb_directory::network::{Coverage, CoverageLine, Uncovered};
use cratb_domain::{Permission, Scope, geo};
use cratb_report::map::{Shade, departments_svg, share_colour, share_legend};
use cratb_store::network;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CoverageQuery {
    /// National accounts: the region to show.
    region: Option<String>,
}

/// The region a caller looks at ([`cratb_app::network::coverage_region`]) and its coverage
/// today.
async fn coverage_of(
    state: &AppState,
    auth: &Auth,
    q: &CoverageQuery,
) -> Result<(String, Coverage), PageError> {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let region = cratb_app::network::coverage_region(&state.db, &scope, q.region.as_deref())
        .await
        .map_err(PageError::app(lang))?
        .ok_or(PageError::NotFound(lang))?;
    let access = region_access(auth, &region)?;
    let c = network::coverage(&state.db, &access, cratb_store::now().date())
        .await
        .map_err(PageError::store(lang))?;
    Ok((region, c))
}

#[derive(Template)]
#[template(path = "network/coverage.html")]
struct CoveragePage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    map: Option<String>,
    legend: [(&'static str, &'static str); 6],
    totals: Vec<CoverageLine>,
    lines: Vec<CoverageLine>,
    uncovered: Vec<Uncovered>,
    can_edit: bool,
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CoverageQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (region, c) = coverage_of(&state, &auth, &q).await?;
    let region_name = geo::region(&region).map_or("", |r| r.name).to_string();
    let national = matches!(auth.page_user()?.1, Scope::National);
    let shades: Vec<Shade> = (c.institutions_by_department(lang).into_iter())
        .map(|(code, share, title)| Shade {
            title,
            fill: share_colour(share),
            href: None,
            code,
        })
        .collect();
    let map = departments_svg(
        &shades,
        640.0,
        &format!("{} — {region_name}", lang.tr().net_coverage),
    );
    Ok(render(&CoveragePage {
        l: Layout::new(&auth, lang.tr().net_coverage),
        regions: if national {
            options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &region)
        } else {
            Vec::new()
        },
        map,
        legend: share_legend(),
        totals: (c.by_sector().into_iter())
            .map(|x| CoverageLine::new(x, lang))
            .collect(),
        lines: (c.cells.iter().cloned())
            .map(|x| CoverageLine::new(x, lang))
            .collect(),
        uncovered: c.uncovered(lang),
        can_edit: auth.can(Permission::EditDirectory),
        region,
        region_name,
    }))
}

/// The coverage table and the uncovered list as CSV (the table) or XLSX (both sheets).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<CoverageQuery>,
    Query(style): Query<CsvParam>,
) -> PageResult {
    let (region, c) = coverage_of(&state, &auth, &q).await?;
    download(
        &format!("couverture-{region}"),
        &format,
        style,
        c.tables(),
        auth.lang,
    )
}
