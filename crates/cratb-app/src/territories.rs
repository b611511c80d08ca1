//! Territories (GHT, CPTS): created by a region's staff within their region.

use crate::{Actor, AppError, Result};
use cratb_store::reference::{self, NewTerritory};
use cratb_store::{Db, FieldError, StoreError, audit};

/// Creates a territory in the actor's scope; returns its id.
pub async fn create(db: &Db, actor: &Actor, t: &NewTerritory) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = reference::create_territory(&mut tx, &actor.scope, t)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Invalid(vec![FieldError::new(
                "name",
                "un territoire de ce type porte déjà ce nom dans la région",
                "a territory of this kind already has this name in the region",
            )]),
            StoreError::Invalid(_) => AppError::Invalid(vec![FieldError::new(
                "departments",
                "ces départements ne sont pas dans votre région",
                "these departments are not in your region",
            )]),
            other => other.into(),
        })?;
    let summary = format!(
        "{} créé : {} ({})",
        t.kind,
        t.name,
        t.departments.join(", ")
    );
    audit::append_in(
        &mut tx,
        &actor.entry("territory.create", "territory", id, Some(t.region), summary),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
