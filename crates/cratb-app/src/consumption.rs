//! Antibiotic consumption: the region a screen is about; the region's targets, set by its
//! coordinator; ATC/DDD editions loaded by a data manager and the region recomputed under one;
//! hospital, nursing-home and primary-care files imported and removed, each audited in the
//! transaction that shows them.

use crate::{Actor, AppError, Result};
use cratb_consumption::DddTable;
use cratb_domain::FieldError;
use cratb_domain::{Lang, RegionCode, Scope};
use cratb_store::consumption::{
    self, HospitalFiles, HospitalImport, HospitalImportError, ImportRecord, Recomputed, Target,
};
use cratb_store::primary_care::{self, OpenDataFile, PrimaryImport, PrimaryImportError};
use cratb_store::{Db, StoreError, audit};

/// The region a consumption page or API call works on ([`crate::policy::analysis_region`]:
/// for a national account without one, the region holding the most consumption data). `None`:
/// the region asked for does not exist.
pub async fn analysis_region(
    db: &Db,
    scope: &Scope,
    own: Option<&str>,
    asked: Option<&str>,
) -> std::result::Result<Option<String>, StoreError> {
    let with_data = if crate::policy::needs_regions_with_data(scope, own, asked) {
        consumption::regions_with_data(db).await?
    } else {
        Vec::new()
    };
    Ok(crate::policy::analysis_region(
        scope, own, asked, &with_data,
    ))
}

/// The ATC/DDD index an import names: a shipped one by its year (`2026`), else one loaded
/// by that name.
pub async fn ddd_table(db: &Db, edition: &str) -> std::result::Result<DddTable, StoreError> {
    let edition = edition.trim();
    match edition.parse::<u16>().ok().and_then(DddTable::embedded) {
        Some(t) => Ok(t),
        None => consumption::ddd_table(db, edition).await,
    }
}

/// Sets (or replaces) a target of the region's programme for a sector and an indicator.
pub async fn set_target(db: &Db, actor: &Actor, region: &str, t: &Target) -> Result<()> {
    let access = actor.scope.access(region).ok_or(StoreError::NotFound)?;
    let mut tx = db.begin().await?;
    consumption::set_target(&mut tx, &access, t, &actor.name).await?;
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

/// Imports a hospital or nursing-home consumption file with its denominators into `region`;
/// the import's audit entry is written with the rows that make it visible.
pub async fn import_hospital(
    db: &Db,
    actor: &Actor,
    region: &RegionCode,
    files: HospitalFiles<'_>,
    table: &DddTable,
) -> std::result::Result<HospitalImport, HospitalImportError> {
    let filename = files.filename.to_string();
    let entry = |done: &HospitalImport| {
        let partial = if done.left_out.is_empty() {
            String::new()
        } else {
            format!(
                " ; chiffres partiels acceptés, {} des indicateurs",
                Lang::Fr.count(
                    done.left_out.len() as i64,
                    "période exclue|périodes exclues"
                )
            )
        };
        actor.entry(
            "consumption.import",
            "consumption_import",
            done.import_id,
            Some(region.as_str()),
            format!(
                "{filename} : {} lignes de consommation, {} de dénominateurs ({}){partial}",
                done.consumption_rows, done.denominator_rows, done.ddd_edition
            ),
        )
    };
    let access = actor
        .scope
        .access(region.as_str())
        .ok_or(StoreError::Invalid("region"))?;
    consumption::import_hospital(db, &access, files, table, &actor.name, Some(&entry)).await
}

/// Removes a consumption import and its rows (the undo of a wrong file).
pub async fn remove_import(db: &Db, actor: &Actor, id: i64) -> Result<ImportRecord> {
    let mut tx = db.begin().await?;
    let removed = consumption::delete_import(&mut tx, &actor.scope, id).await?;
    let entry = actor.entry(
        "consumption.import.delete",
        "consumption_import",
        id,
        Some(&removed.region_code),
        format!(
            "{} : import retiré avec ses {} lignes de consommation et {} de dénominateurs",
            removed.filename, removed.consumption_rows, removed.denominator_rows
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(removed)
}

/// Recomputes every DDD of the region under `table`'s edition.
pub async fn recompute(
    db: &Db,
    actor: &Actor,
    region: &str,
    table: &DddTable,
) -> Result<Recomputed> {
    let entry = |done: &Recomputed| {
        actor.entry(
            "consumption.recompute",
            "region",
            region,
            Some(region),
            format!("{} lignes recalculées avec {}", done.rows, done.edition),
        )
    };
    let access = actor.scope.access(region).ok_or(StoreError::NotFound)?;
    Ok(consumption::recompute(db, &access, table, Some(&entry)).await?)
}

/// Imports a primary-care dispensation file into `region`; returns the import and its summary.
pub async fn import_dispensations(
    db: &Db,
    actor: &Actor,
    region: &str,
    filename: &str,
    bytes: &[u8],
    open_data: Option<OpenDataFile<'_>>,
) -> std::result::Result<(PrimaryImport, String), PrimaryImportError> {
    let summary = |d: &PrimaryImport| {
        let mut s = format!(
            "{filename} : {}",
            Lang::Fr.count(d.rows as i64, "ligne|lignes")
        );
        if d.other_regions > 0 {
            s.push_str(&format!(
                ", {} d'autres régions",
                Lang::Fr.count(
                    d.other_regions as i64,
                    "ligne laissée de côté|lignes laissées de côté"
                )
            ));
        }
        s
    };
    let entry = |d: &PrimaryImport| primary_entry(actor, region, summary(d));
    let access = actor.scope.access(region).ok_or(StoreError::NotFound)?;
    let done = primary_care::import_dispensations(
        db,
        &access,
        filename,
        bytes,
        open_data,
        &actor.name,
        Some(&entry),
    )
    .await?;
    let said = summary(&done);
    Ok((done, said))
}

/// Imports a population file into `region`; returns the summary.
pub async fn import_populations(
    db: &Db,
    actor: &Actor,
    region: &str,
    filename: &str,
    bytes: &[u8],
) -> std::result::Result<String, PrimaryImportError> {
    let summary = |n: usize| {
        format!(
            "{filename} : {}",
            Lang::Fr.count(n as i64, "population|populations")
        )
    };
    let entry = |n: usize| primary_entry(actor, region, summary(n));
    let access = actor.scope.access(region).ok_or(StoreError::NotFound)?;
    let n =
        primary_care::import_populations(db, &access, filename, bytes, &actor.name, Some(&entry))
            .await?;
    Ok(summary(n))
}

fn primary_entry(actor: &Actor, region: &str, summary: String) -> audit::NewEntry {
    actor.event(
        "primary_care.import",
        "primary_care_import",
        Some(region),
        summary,
    )
}
