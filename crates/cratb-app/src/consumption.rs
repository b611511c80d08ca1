//! Antibiotic consumption: the region's targets, set by its coordinator; ATC/DDD editions
//! loaded by a data manager.

use crate::{Actor, AppError, Result};
use cratb_consumption::DddTable;
use cratb_store::consumption::{self, Target};
use cratb_store::{Db, FieldError, StoreError, audit};

/// Sets (or replaces) a target of the region's programme for a sector and an indicator.
pub async fn set_target(db: &Db, actor: &Actor, region: &str, t: &Target) -> Result<()> {
    let mut tx = db.begin().await?;
    consumption::set_target(&mut tx, &actor.scope, region, t, &actor.name).await?;
    let summary = format!(
        "{} {} : {}",
        t.sector,
        t.indicator,
        t.describe(cratb_domain::Lang::Fr)
    );
    let entry = actor.entry(
        "consumption.target",
        "consumption_target",
        format!("{}/{}", t.sector, t.indicator),
        Some(region),
        summary,
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps an ATC/DDD edition read from a sheet (`content`, in the reference layout); an
/// edition's name is never reused, so that every figure keeps meaning what it said.
pub async fn load_edition(db: &Db, actor: &Actor, table: &DddTable, content: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    consumption::save_ddd_table(&mut tx, table, content, &actor.name)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(f) => AppError::Conflict(FieldError::new(
                f,
                "une édition de ce nom existe déjà (un nom n'est jamais réutilisé)",
                "an edition of this name exists already (a name is never reused)",
            )),
            other => other.into(),
        })?;
    let summary = format!("{} : {} codes ATC avec une DDD", table.edition, table.len());
    let entry = actor.entry("ddd_table.load", "ddd_table", &table.edition, None, summary);
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
