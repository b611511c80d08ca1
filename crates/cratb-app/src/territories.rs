//! Territories (GHT, CPTS): created by a region's staff within their region.

use crate::{Actor, AppError, Result};
use cratb_domain::places::{departments_elsewhere, territory_name_taken};
use cratb_domain::{NewTerritory, Territory};
use cratb_store::reference;
use cratb_store::{Db, StoreError, audit};

/// Creates a territory in the actor's scope; returns it as listed.
pub async fn create(db: &Db, actor: &Actor, t: &NewTerritory) -> Result<Territory> {
    let access = actor
        .scope
        .access(t.region)
        .ok_or_else(|| AppError::Invalid(vec![departments_elsewhere()]))?;
    let mut tx = db.begin().await?;
    let id = reference::create_territory(&mut tx, &access, t)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Invalid(vec![territory_name_taken()]),
            StoreError::Invalid(_) => AppError::Invalid(vec![departments_elsewhere()]),
            other => other.into(),
        })?;
    let entry = actor.entry(
        "territory.create",
        "territory",
        id,
        Some(t.region),
        t.summary(),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    let listed = reference::list_territories(db, &actor.scope, None).await?;
    listed
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(AppError::NotFound)
}
