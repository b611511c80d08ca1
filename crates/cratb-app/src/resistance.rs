//! Resistance surveillance: the region an analysis is about; laboratory files imported
//! (interpreted, pseudonymised, all or nothing) and removed, each with its audit entry in the
//! transaction that shows or removes the isolates.

use crate::{Actor, AppError, Result};
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

/// Removes an import and its isolates (the undo of a wrong file), if the actor may
/// ([`crate::policy::may_remove_import`]; `own`: the establishments of the actor's account).
pub async fn remove_import(db: &Db, actor: &Actor, own: &[i64], id: i64) -> Result<Import> {
    let import = resistance::get_import(db, &actor.scope, id).await?;
    if !crate::policy::may_remove_import(actor.role, own, import.establishment_id) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let removed = resistance::delete_import(&mut tx, &actor.scope, id).await?;
    // Checked again in the transaction: the import removed is the one allowed.
    if removed.establishment_id != import.establishment_id {
        return Err(AppError::Forbidden);
    }
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

/// The region's reporting threshold: the least number of isolates a share is published on, as
/// its coordinator set it (the default otherwise).
pub async fn reporting_floor(db: &Db, region: &cratb_domain::RegionAccess) -> Result<u32> {
    Ok(resistance::reporting_floor(db, region).await?.map_or(
        cratb_domain::visibility::DEFAULT_REPORTING_FLOOR,
        |(n, _)| n,
    ))
}

/// Sets the reporting threshold of `region` (the coordinator's decision, audited).
pub async fn set_reporting_floor(db: &Db, actor: &Actor, region: &str, floor: u32) -> Result<()> {
    if !actor.role.can(cratb_domain::Permission::SetReportingFloor) {
        return Err(AppError::Forbidden);
    }
    if !cratb_domain::visibility::FLOOR_RANGE.contains(&floor) {
        return Err(AppError::Invalid(vec![cratb_domain::FieldError::new(
            "reporting_floor",
            "le seuil doit être un nombre d'isolats entre 1 et 1000",
            "the threshold must be a number of isolates between 1 and 1000",
        )]));
    }
    let access = actor.scope.access(region).ok_or(StoreError::NotFound)?;
    let mut tx = db.begin().await?;
    resistance::set_reporting_floor(&mut tx, &access, floor, &actor.name).await?;
    let entry = actor.entry(
        "resistance.reporting_floor",
        "region",
        region,
        Some(region),
        format!("Seuil de publication des résultats de résistance fixé à {floor} isolats"),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
