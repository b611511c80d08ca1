//! Regions' data held in memory for the analytic screens (isolates for resistance,
//! consumption facts for consumption): loaded on first use, kept while the region's imports are
//! unchanged, dropped and reloaded in the background after an import.

use cratb_store::{Db, StoreError};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The cache's access to a region: the copy is shared by every request, and each request's
/// region was allowed by its own scope before it reached the cache.
pub fn shared(region: &str) -> Result<cratb_domain::RegionAccess, StoreError> {
    cratb_domain::Scope::National
        .access(region)
        .ok_or(StoreError::NotFound)
}

/// What a region's data is and how it is loaded.
pub trait Regional: Send + Sync + Sized + 'static {
    /// What changes when the region's imports change (by this server, another, or the CLI).
    type Stamp: PartialEq + Clone + Send + Sync + 'static;
    /// What the logs call the data.
    const WHAT: &'static str;
    fn stamp(db: &Db, region: &str)
    -> impl Future<Output = Result<Self::Stamp, StoreError>> + Send;
    fn load(db: &Db, region: &str) -> impl Future<Output = Result<Self, StoreError>> + Send;
}

type Loaded<T> = (<T as Regional>::Stamp, Arc<T>);

/// Regions' data, loaded on first use and reloaded when a region imports.
pub struct Cache<T: Regional> {
    /// The loaded regions, and a generation bumped by every import: a load that started
    /// before an import is served once but not kept.
    regions: Mutex<(u64, HashMap<String, Loaded<T>>)>,
    /// One load at a time: two users opening a cold region wait for one load, not two.
    building: tokio::sync::Mutex<()>,
}

impl<T: Regional> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            regions: Mutex::default(),
            building: tokio::sync::Mutex::default(),
        }
    }
}

impl<T: Regional> Cache<T> {
    /// The region's data, reloaded when its imports changed since it was loaded.
    pub async fn region(&self, db: &Db, region: &str) -> Result<Arc<T>, StoreError> {
        let stamp = T::stamp(db, region).await?;
        if let Some(d) = self.cached(region, &stamp) {
            return Ok(d);
        }
        let _one_at_a_time = self.building.lock().await;
        if let Some(d) = self.cached(region, &stamp) {
            return Ok(d);
        }
        let generation = self.regions.lock().expect("cache lock").0;
        let built = Arc::new(T::load(db, region).await?);
        let mut regions = self.regions.lock().expect("cache lock");
        if regions.0 == generation {
            regions.1.insert(region.to_string(), (stamp, built.clone()));
        }
        Ok(built)
    }

    fn cached(&self, region: &str, stamp: &T::Stamp) -> Option<Arc<T>> {
        self.regions
            .lock()
            .expect("cache lock")
            .1
            .get(region)
            .filter(|(s, _)| s == stamp)
            .map(|(_, d)| d.clone())
    }

    /// Drops a region's data after an import and loads it again in the background, so that
    /// the next page is served from memory.
    pub fn refresh(self: &Arc<Self>, db: &Db, region: &str) {
        {
            let mut regions = self.regions.lock().expect("cache lock");
            regions.0 += 1;
            regions.1.remove(region);
        }
        let (cache, db, region) = (self.clone(), db.clone(), region.to_string());
        tokio::spawn(async move {
            if let Err(e) = cache.region(&db, &region).await {
                tracing::warn!(error = %e, region, "reloading the region's {} failed", T::WHAT);
            }
        });
    }
}
