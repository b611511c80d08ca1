//! Resistance surveillance: the region an analysis is about; laboratory files imported
//! (interpreted, pseudonymised, all or nothing) and removed, each with its audit entry in the
//! transaction that shows or removes the isolates.

use crate::{Actor, Result};
use cratb_domain::Scope;
use cratb_resistance::imports::{Import, ImportOutcome};
use cratb_store::resistance::{self, ImportError, ImportRequest};
use cratb_store::{Db, StoreError, audit};

/// The region a request is about, one rule for pages, exports and the API
/// ([`crate::policy::analysis_region`]: for a national account without one, the first region
/// holding isolates). `None`: the region asked for does not exist.
pub async fn analysis_region(
    db: &Db,
    scope: &Scope,
    own: Option<&str>,
    asked: Option<&str>,
) -> std::result::Result<Option<String>, StoreError> {
    let with_data = if crate::policy::needs_regions_with_data(scope, own, asked) {
        resistance::regions_with_isolates(db, scope).await?
    } else {
        Vec::new()
    };
    Ok(crate::policy::analysis_region(
        scope, own, asked, &with_data,
    ))
}

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
