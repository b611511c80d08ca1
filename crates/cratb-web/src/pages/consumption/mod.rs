//! The "Consommation" section: the region dashboard (sectors, trend against the target,
//! AWaRe, classes, establishments among their peers, territories), an establishment's page,
//! its feedback report in PDF (one, or all in a ZIP), and exports.
//!
//! Who sees what, on the server, by the one visibility rule ([`cratb_app::policy::visibility`]):
//! the region's staff and the agency see every establishment by name; an EMA member those of
//! their teams' territory; a referent their own establishment only, with its peers as an
//! anonymous distribution.

mod dashboard;
pub mod ddd;
mod establishment;
pub mod imports;
pub mod primary;
pub mod targets;

pub use dashboard::{dashboard, export};
pub use establishment::{establishment, report, reports};

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::input::Year;
use crate::pages::{Opt, options};
use cratb_consumption::cube::{CLASSES, Cube};
use cratb_consumption::filters::{Asked, Resolved};
use cratb_domain::{Role, Scope, Visibility, geo};
use serde::Deserialize;
use std::sync::Arc;

/// The filters of every consumption screen and of the API (all optional; a year outside
/// 1900–2100 is refused, unknown values of the others are ignored).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct Filters {
    /// National accounts: the region (INSEE code); others: their own.
    pub region: Option<String>,
    /// The year (the latest with data by default).
    #[param(inline)]
    pub year: Option<Year>,
    /// `ES` (default) or `EMS`.
    pub sector: Option<String>,
    /// An establishment category (`CHU`, `CH`, `EHPAD`…).
    pub category: Option<String>,
    /// A ward type as imported (`medicine`, `icu`…).
    pub ward: Option<String>,
    /// An indicator class (`J01` by default, `J01C`, `J01CR`, `J01D`, `C3G_C4G`, `J01DH`,
    /// `J01F`, `J01M`, `J01XA`, `J01G`).
    pub class: Option<String>,
    /// A GHT, by name.
    pub territory: Option<String>,
    /// A department (code).
    pub department: Option<String>,
}

/// What the caller may see: a region, and which of its establishments by name.
pub struct Viewer {
    pub region: String,
    pub cube: Arc<Cube>,
    /// The establishments the caller may open by name.
    pub visibility: Visibility,
    /// A referent's first establishment: their page of the section.
    pub referent_home: Option<i64>,
}

/// The caller's region and data ([`Viewer`]); a referent without establishments sees nothing.
/// `establishment`: the one the page is about, if any.
pub async fn viewer(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
    establishment: Option<i64>,
) -> Result<Viewer, PageError> {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let referent_home = if user.role() == Role::Referent {
        let Some(&first) = user.establishment_ids.first() else {
            return Err(PageError::Forbidden(lang));
        };
        Some(first)
    } else {
        None
    };
    let national_without_region =
        matches!(scope, Scope::National) && asked.is_none_or(|a| a.trim().is_empty());
    let region = match establishment {
        // A national account opening an establishment: that establishment's region.
        Some(id) if national_without_region => {
            cratb_store::establishments::get(&state.db, &scope, id)
                .await
                .map_err(PageError::store(lang))?
                .region_code
        }
        _ => asked_region(state, auth, asked).await?,
    };
    let visibility = cratb_app::policy::visibility(
        &state.db,
        user,
        &crate::pages::region_access(auth, &region)?,
    )
    .await
    .map_err(PageError::app(lang))?;
    let cube = state
        .consumption
        .region(&state.db, &region)
        .await
        .map_err(PageError::store(lang))?;
    Ok(Viewer {
        region,
        cube,
        visibility,
        referent_home,
    })
}

/// The region a page of the section works on ([`cratb_app::consumption::analysis_region`];
/// 404 for a region that does not exist).
pub(super) async fn asked_region(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
) -> Result<String, PageError> {
    let (user, scope) = auth.page_user()?;
    cratb_app::consumption::analysis_region(&state.db, &scope, user.region_code.as_deref(), asked)
        .await
        .map_err(PageError::store(auth.lang))?
        .ok_or(PageError::NotFound(auth.lang))
}

/// The region select of a national account (none for a regional one).
pub(super) fn region_options(auth: &Auth, region: &str) -> Vec<Opt> {
    match auth.page_user().map(|u| u.1) {
        Ok(Scope::National) => options(geo::REGIONS.iter().map(|g| (g.code, g.name)), region),
        _ => Vec::new(),
    }
}

/// The filters resolved against the data ([`Resolved::of`]).
pub(crate) fn resolve(cube: &Cube, f: &Filters) -> Resolved {
    let asked = Asked {
        year: f.year.map(|y| i32::from(y.get())),
        sector: f.sector.as_deref(),
        category: f.category.as_deref(),
        ward: f.ward.as_deref(),
        class: f.class.as_deref(),
        territory: f.territory.as_deref(),
        department: f.department.as_deref(),
    };
    Resolved::of(cube, &asked)
}

/// The filters' selects.
pub struct FilterView {
    pub regions: Vec<Opt>,
    pub years: Vec<Opt>,
    pub sectors: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub wards: Vec<Opt>,
    pub classes: Vec<Opt>,
    pub territories: Vec<Opt>,
    pub departments: Vec<Opt>,
    /// The filters as a query string, for links and exports.
    pub query: String,
    /// The same without the territory and the department, for the links choosing one.
    pub base_query: String,
    /// The GHT and department chosen (empty: none), carried by forms that do not show them.
    pub territory: String,
    pub department: String,
    /// The primary-care screen of the same region (and of the department chosen).
    pub primary_query: String,
}

fn filter_view(auth: &Auth, v: &Viewer, r: &Resolved) -> FilterView {
    let sector = r.sector();
    let c = cratb_report::dashboard::choices(&v.cube, sector, auth.lang);
    let mut q: Vec<(&str, String)> = vec![
        ("region", v.region.clone()),
        ("year", r.year.to_string()),
        ("sector", sector.into()),
        ("class", CLASSES[r.class].code.into()),
    ];
    q.extend(r.slice.category.clone().map(|c| ("category", c)));
    q.extend(r.slice.ward.clone().map(|w| ("ward", w)));
    let base_query = serde_urlencoded::to_string(&q).unwrap_or_default();
    q.extend(r.slice.territory.clone().map(|t| ("territory", t)));
    q.extend(r.slice.department.clone().map(|d| ("department", d)));
    let mut primary: Vec<(&str, String)> = vec![("region", v.region.clone())];
    primary.extend(
        r.slice
            .department
            .clone()
            .map(|d| ("territory", format!("dep:{d}"))),
    );
    FilterView {
        base_query,
        territory: r.slice.territory.clone().unwrap_or_default(),
        department: r.slice.department.clone().unwrap_or_default(),
        primary_query: serde_urlencoded::to_string(&primary).unwrap_or_default(),
        departments: options(c.departments, r.slice.department.as_deref().unwrap_or("")),
        regions: region_options(auth, &v.region),
        years: options(
            v.cube
                .years
                .iter()
                .rev()
                .map(|y| (y.to_string(), y.to_string())),
            &r.year.to_string(),
        ),
        sectors: options(c.sectors, sector),
        categories: options(c.categories, r.slice.category.as_deref().unwrap_or("")),
        wards: options(c.wards, r.slice.ward.as_deref().unwrap_or("")),
        classes: options(c.classes, CLASSES[r.class].code),
        territories: options(c.territories, r.slice.territory.as_deref().unwrap_or("")),
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
    }
}
