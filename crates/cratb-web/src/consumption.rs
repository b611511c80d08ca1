//! Consumption analytics served from memory: each region's establishment consumption is
//! loaded once into a [`Cube`] and every dashboard, establishment page, export or feedback
//! report is computed from it. An import drops the region's copy. The region a request is
//! about is [`cratb_app::consumption::analysis_region`].
//!
//! Indicators follow the French hospital surveillance: DDD (DDJ) per 1000 patient-days
//! (journées d'hospitalisation, JH) for hospitals, per 1000 resident-days (journées
//! d'hébergement) for nursing homes, and per 100 admissions; peers are the establishments of
//! the same category in the region.

use crate::cache::shared;
use cratb_consumption::cube::Cube;
use cratb_consumption::indicators::AwareTable;
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
