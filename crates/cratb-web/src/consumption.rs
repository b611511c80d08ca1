//! Consumption analytics served from memory: each region's establishment consumption is
//! loaded once into a [`Cube`] and every dashboard, establishment page, export or feedback
//! report is computed from it. An import drops the region's copy.
//!
//! Indicators follow the French hospital surveillance: DDD (DDJ) per 1000 patient-days
//! (journées d'hospitalisation, JH) for hospitals, per 1000 resident-days (journées
//! d'hébergement) for nursing homes, and per 100 admissions; peers are the establishments of
//! the same category in the region.

use cratb_consumption::cube::Cube;
use cratb_consumption::indicators::AwareTable;
use cratb_domain::{Scope, geo};
use cratb_store::{Db, StoreError};

impl crate::cache::Regional for Cube {
    type Stamp = cratb_store::consumption::Stamp;
    const WHAT: &'static str = "consumption";

    async fn stamp(db: &Db, region: &str) -> Result<Self::Stamp, StoreError> {
        cratb_store::consumption::stamp(db, region).await
    }

    async fn load(db: &Db, region: &str) -> Result<Cube, StoreError> {
        cratb_store::consumption::cube(db, region, &AwareTable::embedded()).await
    }
}

/// The region a consumption page or API call works on: a regional account's own; for a national
/// account, the one asked for, else its own, else the main demo region. `None`: the region
/// asked for does not exist.
pub fn region_asked(scope: &Scope, own: Option<&str>, asked: Option<&str>) -> Option<String> {
    match (scope, asked.map(str::trim).filter(|a| !a.is_empty())) {
        (Scope::Region(r), _) => Some(r.as_str().to_owned()),
        (Scope::National, Some(a)) => geo::region(a).map(|g| g.code.to_string()),
        (Scope::National, None) => Some(own.unwrap_or("84").to_string()),
    }
}
