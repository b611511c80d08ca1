//! Antibiotic consumption: the region's targets, set by its coordinator.

use crate::{Actor, Result};
use cratb_store::consumption::{self, Target};
use cratb_store::{Db, audit};

/// Sets (or replaces) a target of the region's programme for a sector and an indicator.
pub async fn set_target(db: &Db, actor: &Actor, region: &str, t: &Target) -> Result<()> {
    let mut tx = db.begin().await?;
    consumption::set_target(&mut tx, &actor.scope, region, t, &actor.name).await?;
    let summary = format!("{} {} : {}", t.sector, t.indicator, t.describe("fr"));
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
