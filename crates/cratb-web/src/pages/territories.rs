//! Territories of the user's region(s): departments and GHTs.

use super::{Layout, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use askama::Template;
use axum::extract::State;
use cratb_domain::geo;
use cratb_store::reference::{self, Territory};

/// A region with its departments and GHTs.
pub struct RegionBlock {
    pub code: &'static str,
    pub name: &'static str,
    pub departments: Vec<(&'static str, &'static str)>,
    pub ghts: Vec<(Territory, String)>,
}

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    l: Layout,
    regions: Vec<RegionBlock>,
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let territories = reference::list_territories(&state.db, &scope, None)
        .await
        .map_err(PageError::store(auth.lang))?;
    let regions = geo::REGIONS
        .iter()
        .filter(|r| scope.allows(r.code))
        .map(|r| RegionBlock {
            code: r.code,
            name: r.name,
            departments: geo::departments_of(r.code)
                .map(|d| (d.code, d.name))
                .collect(),
            ghts: territories
                .iter()
                .filter(|t| t.region_code == r.code)
                .map(|t| {
                    let names = t
                        .departments
                        .split(',')
                        .filter_map(geo::department)
                        .map(|d| format!("{} ({})", d.name, d.code))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (t.clone(), names)
                })
                .collect(),
        })
        .collect();
    Ok(render(&TerritoriesPage {
        l: Layout::new(&auth, auth.lang.tr().territories_title),
        regions,
    }))
}
