//! Establishments: created and edited by a region's staff, within their region.

use crate::{Actor, AppError, Result};
use cratb_store::establishments::{self, Establishment, NewEstablishment};
use cratb_store::{Db, FieldError, StoreError, audit};

/// Creates an establishment in the actor's scope.
pub async fn create(db: &Db, actor: &Actor, e: &NewEstablishment) -> Result<Establishment> {
    let mut tx = db.begin().await?;
    let id = establishments::create(&mut tx, &actor.scope, e)
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
    let mut tx = db.begin().await?;
    establishments::update(&mut tx, &actor.scope, id, e)
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

fn entry(
    actor: &Actor,
    action: &str,
    verb: &str,
    id: i64,
    e: &NewEstablishment,
) -> audit::NewEntry {
    actor.entry(
        action,
        "establishment",
        id,
        Some(e.region()),
        format!(
            "établissement {verb} : {} ({}, {})",
            e.name,
            e.finess,
            e.category.code()
        ),
    )
}

/// A refusal of the store, said on the field it concerns.
fn refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(f) => AppError::Conflict(FieldError::new(
            f,
            "un établissement porte déjà ce numéro",
            "an establishment already has this number",
        )),
        StoreError::Invalid("ght_id") => AppError::Invalid(vec![FieldError::new(
            "ght_id",
            "ce GHT n'existe pas dans la région de l'établissement",
            "this GHT does not exist in the establishment's region",
        )]),
        StoreError::Invalid(f) => AppError::Invalid(vec![FieldError::new(
            f,
            "ce département n'est pas dans votre région",
            "this department is not in your region",
        )]),
        other => other.into(),
    }
}
