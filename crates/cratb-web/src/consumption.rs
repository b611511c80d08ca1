//! Consumption analytics served from memory: each region's establishment consumption is
//! loaded once into a [`Cube`] and every dashboard, establishment page, export or feedback
//! report is computed from it. An import drops the region's copy.
//!
//! Indicators follow the French hospital surveillance: DDD (DDJ) per 1000 patient-days
//! (journées d'hospitalisation, JH) for hospitals, per 1000 resident-days (journées
//! d'hébergement) for nursing homes, and per 100 admissions; peers are the establishments of
//! the same category in the region.

use crate::cache::shared;
use cratb_consumption::cube::Cube;
use cratb_consumption::indicators::AwareTable;
use cratb_domain::Scope;
use cratb_store::{Db, StoreError};

impl crate::cache::Regional for Cube {
    type Stamp = cratb_store::consumption::Stamp;
    const WHAT: &'static str = "consumption";

    async fn stamp(db: &Db, region: &str) -> Result<Self::Stamp, StoreError> {
        cratb_store::consumption::stamp(db, &shared(region)?).await
    }

    async fn load(db: &Db, region: &str) -> Result<Cube, StoreError> {
        cratb_store::consumption::cube(db, &shared(region)?, &AwareTable::embedded()).await
    }
}

/// The region a consumption page or API call works on ([`cratb_app::policy::analysis_region`]:
/// for a national account without one, the region holding the most consumption data). `None`:
/// the region asked for does not exist.
pub async fn region_asked(
    db: &Db,
    scope: &Scope,
    own: Option<&str>,
    asked: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let with_data = if cratb_app::policy::needs_regions_with_data(scope, own, asked) {
        cratb_store::consumption::regions_with_data(db).await?
    } else {
        Vec::new()
    };
    Ok(cratb_app::policy::analysis_region(
        scope, own, asked, &with_data,
    ))
}
