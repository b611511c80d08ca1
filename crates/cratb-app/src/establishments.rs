//! Establishments: created and edited by a region's staff, within their region.

use crate::{Actor, AppError, Result};
use cratb_domain::places::{department_elsewhere, finess_taken, ght_elsewhere};
use cratb_domain::{Establishment, NewEstablishment, RegionAccess};
use cratb_store::establishments;
use cratb_store::{Db, StoreError, audit};

/// Creates an establishment in the actor's scope.
pub async fn create(db: &Db, actor: &Actor, e: &NewEstablishment) -> Result<Establishment> {
    let access = access_to(actor, e)?;
    let mut tx = db.begin().await?;
    let id = establishments::create(&mut tx, &access, e)
        .await
        .map_err(refusal)?;
    audit::append_in(
        &mut tx,
        &entry(actor, "establishment.create", "créé", id, e),
    )
    .await?;
    tx.commit().await?;
    Ok(establishments::get(db, &actor.scope, id).await?)
}

/// Replaces an establishment's fields; it stays within the actor's scope.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    e: &NewEstablishment,
) -> Result<Establishment> {
    let current = establishments::get(db, &actor.scope, id).await?;
    let from = actor
        .scope
        .access(&current.region_code)
        .ok_or(AppError::NotFound)?;
    let to = access_to(actor, e)?;
    let mut tx = db.begin().await?;
    establishments::update(&mut tx, &from, id, e, &to)
        .await
        .map_err(refusal)?;
    audit::append_in(
        &mut tx,
        &entry(actor, "establishment.update", "modifié", id, e),
    )
    .await?;
    tx.commit().await?;
    Ok(establishments::get(db, &actor.scope, id).await?)
}

/// The actor's access to the region of the establishment's department.
fn access_to(actor: &Actor, e: &NewEstablishment) -> Result<RegionAccess> {
    actor
        .scope
        .access(e.region())
        .ok_or_else(|| AppError::Invalid(vec![department_elsewhere()]))
}

fn entry(
    actor: &Actor,
    action: &str,
    verb: &str,
    id: i64,
    e: &NewEstablishment,
) -> audit::NewEntry {
    let summary = format!("établissement {verb} : {}", e.summary());
    actor.entry(action, "establishment", id, Some(e.region()), summary)
}

/// A refusal of the store, said on the field it concerns.
fn refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(finess_taken()),
        StoreError::Invalid("ght_id") => AppError::Invalid(vec![ght_elsewhere()]),
        StoreError::Invalid(_) => AppError::Invalid(vec![department_elsewhere()]),
        other => other.into(),
    }
}
