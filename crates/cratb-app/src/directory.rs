//! The directory of professionals: entries created, edited, restored to an earlier version,
//! confirmed with the professional, and the corrections they send through their link.

use crate::{Actor, AppError, Result};
use cratb_domain::RegionCode;
use cratb_store::directory::{self, NewProfessional, confirmation};
use cratb_store::{Db, audit, now};

/// Creates (`id` none) or replaces an entry of the actor's scope; every write is a version.
pub async fn save(db: &Db, actor: &Actor, id: Option<i64>, p: &NewProfessional) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (saved, change) = match id {
        Some(id) => (
            id,
            directory::update(&mut tx, &actor.scope, id, p, &actor.name, None).await?,
        ),
        None => (
            directory::create(&mut tx, &actor.scope, p, &actor.name).await?,
            "création".to_string(),
        ),
    };
    let entry = actor.entry(
        if id.is_some() {
            "professional.update"
        } else {
            "professional.create"
        },
        "professional",
        saved,
        Some(p.region.as_str()),
        format!(
            "{} {} ({}) : {change}",
            p.first_name,
            p.last_name,
            p.profession.code()
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Puts an earlier version of an entry back, as a new version: nothing is lost. A version that
/// no longer passes today's checks is `Invalid`; one whose RPPS number another entry took since
/// is a `Store(Conflict)`.
pub async fn restore(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<()> {
    let p = directory::get(db, &actor.scope, id).await?;
    let snapshot = directory::history(db, &actor.scope, id)
        .await?
        .iter()
        .find(|v| v.version == version)
        .and_then(directory::Version::snapshot)
        .ok_or(AppError::NotFound)?;
    let region = RegionCode::parse(&p.region_code).ok();
    let new =
        NewProfessional::validate(&snapshot.input(), region.as_ref()).map_err(AppError::Invalid)?;
    let note = format!("version {version} restaurée");
    let mut tx = db.begin().await?;
    directory::update(&mut tx, &actor.scope, id, &new, &actor.name, Some(&note)).await?;
    let entry = actor.entry(
        "professional.restore",
        "professional",
        id,
        Some(&p.region_code),
        format!("{} {} : {note}", new.first_name, new.last_name),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that an entry was checked with the professional today.
pub async fn confirm(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let p = directory::get(db, &actor.scope, id).await?;
    let mut tx = db.begin().await?;
    let region = directory::confirm(&mut tx, &actor.scope, id, now()).await?;
    let entry = actor.entry(
        "professional.confirm",
        "professional",
        id,
        Some(&region),
        format!("{} {} : fiche confirmée", p.first_name, p.last_name),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Approves (a new version, and the entry confirmed) or rejects the corrections a professional
/// sent through their link. Returns the entry's region.
pub async fn decide(db: &Db, actor: &Actor, id: i64, approve: bool) -> Result<String> {
    let mut tx = db.begin().await?;
    let d = confirmation::decide(&mut tx, &actor.scope, id, approve, &actor.name).await?;
    let entry = actor.entry(
        if approve {
            "professional.correction_approve"
        } else {
            "professional.correction_reject"
        },
        "professional",
        d.professional_id,
        Some(&d.region_code),
        format!(
            "{} {} : corrections {}",
            d.first_name,
            d.last_name,
            if approve { "approuvées" } else { "refusées" }
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(d.region_code)
}
