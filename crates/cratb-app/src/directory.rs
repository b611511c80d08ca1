//! The directory of professionals: entries created, edited, restored to an earlier version,
//! confirmed with the professional, and the corrections they send through their link.

use crate::sessions::Origin;
use crate::{Actor, AppError, Result};
use cratb_domain::RegionCode;
use cratb_store::directory::confirmation::{Invitation, Outcome};
use cratb_store::directory::import::{CommitError, Mode, Plan, Report};
use cratb_store::directory::{self, NewProfessional, Professional, confirmation};
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

/// Writes a directory sheet's planned rows (new entries and updates, each a version noting the
/// file), all of them or the valid ones as `mode` says.
pub async fn import(
    db: &Db,
    actor: &Actor,
    region: &RegionCode,
    plan: &Plan,
    mode: Mode,
    filename: &str,
) -> std::result::Result<Report, CommitError> {
    let entry = |report: &Report| {
        actor.event(
            "directory.import",
            "professional",
            Some(region.as_str()),
            format!(
                "import « {filename} » : {} créées, {} mises à jour, {} lignes ignorées",
                report.created,
                report.updated,
                report.skipped.len()
            ),
        )
    };
    directory::import::commit(
        db,
        &actor.scope,
        region,
        plan,
        mode,
        &actor.name,
        filename,
        Some(&entry),
    )
    .await
}

/// Starts the yearly confirmation campaign of a region: one signed, single-use link per
/// professional with an e-mail address (the links of an earlier campaign stop working).
pub async fn start_campaign(
    db: &Db,
    actor: &Actor,
    region: &RegionCode,
) -> Result<Vec<Invitation>> {
    let entry = |links: usize| {
        actor.event(
            "directory.campaign",
            "professional",
            Some(region.as_str()),
            format!("campagne de confirmation : {links} liens"),
        )
    };
    Ok(confirmation::start_campaign(db, &actor.scope, region, &actor.name, Some(&entry)).await?)
}

/// A professional's answer through their link: confirmed as is, or corrections sent for
/// approval. The link is used once; a second use is `Conflict("token")`.
pub async fn answer_link(
    db: &Db,
    origin: &Origin,
    link: i64,
    p: &Professional,
    sent: &NewProfessional,
) -> cratb_store::Result<Outcome> {
    let entry = |outcome: Outcome| audit::NewEntry {
        actor_id: None,
        actor: format!(
            "lien de confirmation ({})",
            p.email.clone().unwrap_or_default()
        ),
        action: "professional.link".into(),
        entity: "professional".into(),
        entity_id: Some(p.id.to_string()),
        region_code: Some(p.region_code.clone()),
        summary: format!(
            "{} {} : {}",
            p.first_name,
            p.last_name,
            match outcome {
                Outcome::Confirmed => "fiche confirmée sans changement par le lien",
                Outcome::Submitted => "corrections envoyées par le lien, en attente d'approbation",
            }
        ),
        ip: origin.ip.clone(),
        request_id: origin.request_id.clone(),
    };
    confirmation::answer(db, link, p, sent, Some(&entry)).await
}
