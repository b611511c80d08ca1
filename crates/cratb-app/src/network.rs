//! The stewardship network: EMA teams and their members, conventions with the establishments
//! and CPTS they serve, the regional centre's public contact.

use crate::{Actor, Result};
use cratb_store::network::{self, Centre, Document, NewConvention, NewMember, NewTeam};
use cratb_store::{Db, audit};

/// Creates a team in the actor's scope.
pub async fn create_team(db: &Db, actor: &Actor, t: &NewTeam) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = network::create_team(&mut tx, &actor.scope, t).await?;
    audit::append_in(&mut tx, &team_entry(actor, "team.create", id, t)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a team's fields.
pub async fn update_team(db: &Db, actor: &Actor, id: i64, t: &NewTeam) -> Result<()> {
    let mut tx = db.begin().await?;
    network::update_team(&mut tx, &actor.scope, id, t).await?;
    audit::append_in(&mut tx, &team_entry(actor, "team.update", id, t)).await?;
    tx.commit().await?;
    Ok(())
}

fn team_entry(actor: &Actor, action: &str, id: i64, t: &NewTeam) -> audit::NewEntry {
    actor.entry(
        action,
        "ema_team",
        id,
        Some(t.region.as_str()),
        format!("équipe {} ({})", t.name, t.departments.join(", ")),
    )
}

/// Adds a member to a team of the actor's scope, or changes their discipline and FTE.
pub async fn set_member(db: &Db, actor: &Actor, team_id: i64, m: &NewMember) -> Result<()> {
    let mut tx = db.begin().await?;
    network::set_member(&mut tx, &actor.scope, team_id, m).await?;
    let entry = actor.entry(
        "team.member",
        "ema_team",
        team_id,
        actor.scope.region_filter(),
        format!(
            "membre {} : {} ({} ETP)",
            m.professional_id,
            m.discipline.code(),
            m.fte
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member from a team of the actor's scope.
pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    team_id: i64,
    professional_id: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let team_name = network::remove_member(&mut tx, &actor.scope, team_id, professional_id).await?;
    let entry = actor.entry(
        "team.member_remove",
        "ema_team",
        team_id,
        actor.scope.region_filter(),
        format!("membre {professional_id} retiré de {team_name}"),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates (`id` none) or replaces a convention, with its PDF if one is given.
pub async fn save_convention(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    c: &NewConvention,
    doc: Option<&Document>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let saved = match id {
        Some(id) => {
            network::update_convention(&mut tx, &actor.scope, id, c, doc, &actor.name).await?;
            id
        }
        None => network::create_convention(&mut tx, &actor.scope, c, doc, &actor.name).await?,
    };
    let (region, team, partner) = network::convention_names(&mut tx, saved).await?;
    let entry = actor.entry(
        if id.is_some() {
            "convention.update"
        } else {
            "convention.create"
        },
        "convention",
        saved,
        Some(&region),
        format!(
            "{team} — {partner} : {}{}",
            c.status.code(),
            doc.map(|d| format!(", PDF {} ({} octets)", d.filename, d.bytes.len()))
                .unwrap_or_default()
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Records a region's public contact (the region must be the actor's).
pub async fn set_centre(db: &Db, actor: &Actor, c: &Centre) -> Result<()> {
    let mut tx = db.begin().await?;
    network::set_centre(&mut tx, &actor.scope, c).await?;
    let entry = actor.entry(
        "centre.update",
        "regional_centre",
        &c.region_code,
        Some(&c.region_code),
        format!("coordonnées publiques : {}", c.name),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
