//! Resistance surveillance: laboratory files imported (interpreted, pseudonymised, all or
//! nothing) and removed, each with its audit entry in the transaction that shows or removes
//! the isolates.

use crate::{Actor, Result};
use cratb_resistance::imports::{Import, ImportOutcome};
use cratb_store::resistance::{self, ImportError, ImportRequest};
use cratb_store::{Db, audit};

/// Imports a susceptibility file into the request's region, which must be the actor's.
pub async fn import(
    db: &Db,
    actor: &Actor,
    request: ImportRequest,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> std::result::Result<ImportOutcome, ImportError> {
    let (region, filename) = (request.region_code.clone(), request.filename.clone());
    let entry = |o: &ImportOutcome| {
        actor.entry(
            "isolates.import",
            "isolate_import",
            o.import_id,
            Some(&region),
            format!(
                "{filename} : {} isolats importés, {} ignorés ({})",
                o.rows_imported, o.rows_skipped, o.guideline
            ),
        )
    };
    resistance::import_file(db, &actor.scope, request, progress, Some(&entry)).await
}

/// Removes an import and its isolates (the undo of a wrong file).
pub async fn remove_import(db: &Db, actor: &Actor, id: i64) -> Result<Import> {
    let mut tx = db.begin().await?;
    let removed = resistance::delete_import(&mut tx, &actor.scope, id).await?;
    let entry = actor.entry(
        "isolates.import.delete",
        "isolate_import",
        id,
        Some(&removed.region_code),
        format!(
            "{} : import du {} retiré avec ses {} isolats",
            removed.filename,
            crate::timestamp(&removed.created_at),
            removed.rows_imported
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(removed)
}
