//! The stewardship network: EMA teams and their members, conventions with the establishments
//! and CPTS they serve, the regional centre's public contact, the public lookup.
//!
//! A write on a region's network is given the [`cratb_domain::RegionAccess`] the actor's scope
//! makes for it: the region of the team or convention changed, or the one a new team or the
//! centre is filed in. The store's refusals come back said on the field at fault.

use crate::{Actor, AppError, Result};
use cratb_directory::network::{
    Candidate, Centre, Convention, Document, NewConvention, NewMember, NewTeam, PublicAnswer,
    REMIND_WITHIN_DAYS, Reminder, TeamView, reminders,
};
use cratb_domain::{FieldError, RegionCode, Scope, Sector};
use cratb_store::directory::{self, DirectoryQuery};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::network::{self, ConventionQuery};
use cratb_store::{Db, PageRequest, StoreError, audit, reference};
use time::Date;

/// A team refused by the store, said on the field at fault: a name the region already uses
/// (a conflict), a host or GHT of another region, a region not the actor's.
fn team_refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(FieldError::new(
            "name",
            "une équipe de la région porte déjà ce nom",
            "a team of the region already has this name",
        )),
        StoreError::Invalid("host_establishment_id") => AppError::Invalid(vec![FieldError::new(
            "host_establishment_id",
            "cet établissement n'est pas un établissement de la région",
            "this establishment is not one of the region's",
        )]),
        StoreError::Invalid("ght_id") => AppError::Invalid(vec![FieldError::new(
            "ght_id",
            "ce GHT n'est pas un GHT de la région",
            "this GHT is not one of the region's",
        )]),
        StoreError::Invalid(f) => AppError::Invalid(vec![FieldError::new(
            f,
            "cette région n'est pas la vôtre",
            "this region is not yours",
        )]),
        other => other.into(),
    }
}

/// Creates a team in the actor's scope (refused on `region` outside it).
pub async fn create_team(db: &Db, actor: &Actor, t: &NewTeam) -> Result<i64> {
    let access = actor
        .scope
        .access(t.region.as_str())
        .ok_or_else(|| team_refusal(StoreError::Invalid("region")))?;
    let mut tx = db.begin().await?;
    let id = network::create_team(&mut tx, &access, t)
        .await
        .map_err(team_refusal)?;
    audit::append_in(&mut tx, &team_entry(actor, "team.create", id, t)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a team's fields.
pub async fn update_team(db: &Db, actor: &Actor, id: i64, t: &NewTeam) -> Result<()> {
    let mut tx = db.begin().await?;
    let access = network::team_access(&mut tx, &actor.scope, id).await?;
    network::update_team(&mut tx, &access, id, t)
        .await
        .map_err(team_refusal)?;
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

/// Adds a member to a team of the actor's scope, or changes their discipline and FTE; a
/// professional of another region is refused on `professional_id`.
pub async fn set_member(db: &Db, actor: &Actor, team_id: i64, m: &NewMember) -> Result<()> {
    let mut tx = db.begin().await?;
    let access = network::team_access(&mut tx, &actor.scope, team_id).await?;
    network::set_member(&mut tx, &access, team_id, m)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(_) => AppError::Invalid(vec![FieldError::new(
                "professional_id",
                "ce professionnel n'est pas dans l'annuaire de la région",
                "this professional is not in the region's directory",
            )]),
            e => e.into(),
        })?;
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
    let access = network::team_access(&mut tx, &actor.scope, team_id).await?;
    let team_name = network::remove_member(&mut tx, &access, team_id, professional_id).await?;
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

/// A convention refused by the store, said on the field at fault: a team not of the actor's
/// region, a partner not of the team's.
fn convention_refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Invalid("team_id") => AppError::Invalid(vec![FieldError::new(
            "team_id",
            "cette équipe n'est pas une équipe de votre région",
            "this team is not one of your region's",
        )]),
        StoreError::Invalid(_) => AppError::Invalid(vec![FieldError::new(
            "partner",
            "le partenaire doit être un ES, un EMS ou une CPTS de la région de l'équipe",
            "the partner must be an ES, an EMS or a CPTS of the team's region",
        )]),
        other => other.into(),
    }
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
            let access = network::convention_access(&mut tx, &actor.scope, id).await?;
            network::update_convention(&mut tx, &access, id, c, doc, &actor.name)
                .await
                .map_err(convention_refusal)?;
            id
        }
        None => {
            let access = network::team_access(&mut tx, &actor.scope, c.team_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => convention_refusal(StoreError::Invalid("team_id")),
                    e => e.into(),
                })?;
            network::create_convention(&mut tx, &access, c, doc, &actor.name)
                .await
                .map_err(convention_refusal)?
        }
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

/// Records a region's public contact (the region must be the actor's, else refused on
/// `region`).
pub async fn set_centre(db: &Db, actor: &Actor, c: &Centre) -> Result<()> {
    let access = actor
        .scope
        .access(&c.region_code)
        .ok_or(AppError::Store(StoreError::Invalid("region")))?;
    let mut tx = db.begin().await?;
    network::set_centre(&mut tx, &access, c).await?;
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

/// What a team's page shows: the team, its conventions, and the professionals of its
/// region's directory listed as EMA members who are not in it yet (when asked for: only
/// who may change the team sees them).
pub struct TeamSheet {
    pub team: TeamView,
    pub conventions: Vec<Convention>,
    pub candidates: Vec<Candidate>,
}

/// Team `id` of the scope, for its page.
pub async fn team_sheet(
    db: &Db,
    scope: &Scope,
    id: i64,
    with_candidates: bool,
    today: Date,
) -> Result<TeamSheet> {
    let team = network::get_team(db, scope, id).await?;
    let conventions = network::list_conventions(
        db,
        scope,
        &ConventionQuery {
            team_id: Some(id),
            ..Default::default()
        },
        today,
    )
    .await?;
    let region =
        Scope::Region(RegionCode::parse(&team.team.region_code).map_err(|_| AppError::NotFound)?);
    let candidates = if with_candidates {
        let members: Vec<i64> = team.members.iter().map(|m| m.professional_id).collect();
        directory::list(
            db,
            &region,
            &DirectoryQuery {
                role: Some("ema_member".into()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await?
        .items
        .into_iter()
        .filter(|p| !members.contains(&p.id))
        .map(|p| Candidate {
            id: p.id,
            last_name: p.last_name,
            first_name: p.first_name,
            profession: p.profession,
        })
        .collect()
    } else {
        Vec::new()
    };
    Ok(TeamSheet {
        team,
        conventions,
        candidates,
    })
}

/// The scope's conventions in force that expire within [`REMIND_WITHIN_DAYS`] of `today`.
pub async fn expiring_conventions(db: &Db, scope: &Scope, today: Date) -> Result<Vec<Convention>> {
    Ok(network::list_conventions(
        db,
        scope,
        &ConventionQuery {
            expiring_within: Some(REMIND_WITHIN_DAYS),
            ..Default::default()
        },
        today,
    )
    .await?)
}

/// The reminders to send to the scope's teams whose conventions in force expire soon, and how
/// many conventions they name.
pub async fn expiry_reminders(
    db: &Db,
    scope: &Scope,
    today: Date,
) -> Result<(usize, Vec<Reminder>)> {
    let soon = expiring_conventions(db, scope, today).await?;
    let teams = network::list_teams(db, scope).await?;
    Ok((soon.len(), reminders(&teams, &soon)))
}

/// How the reminders went.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reminded {
    /// Conventions expiring soon.
    pub conventions: usize,
    pub sent: usize,
    /// Teams without an address, and teams the mail did not reach.
    pub without_address: usize,
    pub failed: usize,
}

/// Records that the actor sent the reminders, through `mailer` (how mail goes out).
pub async fn record_reminders(db: &Db, actor: &Actor, r: Reminded, mailer: &str) -> Result<()> {
    actor
        .record(
            db,
            "convention.remind",
            "convention",
            actor.scope.region_filter(),
            format!(
                "rappels d'échéance : {} conventions, {} équipes prévenues, {} sans adresse, {} échecs ({mailer})",
                r.conventions, r.sent, r.without_address, r.failed
            ),
        )
        .await
}

/// The region whose coverage a caller sees: their own; for a national account, the one asked
/// for (`None` when there is no such region), else the region with the most establishments.
pub async fn coverage_region(
    db: &Db,
    scope: &Scope,
    asked: Option<&str>,
) -> Result<Option<String>> {
    Ok(match scope {
        Scope::Region(r) => Some(r.as_str().to_owned()),
        Scope::National => match asked.map(str::trim).filter(|a| !a.is_empty()) {
            Some(r) => cratb_domain::geo::region(r).map(|_| r.to_owned()),
            None => Some(
                network::busiest_region(db)
                    .await?
                    .unwrap_or_else(|| "84".into()),
            ),
        },
    })
}

/// "Who do I ask?" for a search text: at most 5 departments (homonymous communes), each with
/// the teams serving it and its region's centre, public fields only. Public data: no account,
/// no region access.
pub async fn public_lookup(db: &Db, text: &str) -> Result<Vec<PublicAnswer>> {
    let mut answers = Vec::new();
    for dep in network::places_for(db, text).await?.into_iter().take(5) {
        answers.push(network::public_answer(db, dep).await?);
    }
    Ok(answers)
}

/// A select's choices: (value, label).
pub type Choices = Vec<(String, String)>;

/// What the team form offers for `region` (every region's when none is chosen yet): its GHT,
/// and its hospitals to host the team (`name (FINESS)`).
pub async fn team_choices(db: &Db, region: Option<&RegionCode>) -> Result<(Choices, Choices)> {
    let lists = region.map_or(Scope::National, |r| Scope::Region(r.clone()));
    let ghts = reference::list_territories(db, &lists, Some("GHT")).await?;
    let hosts = establishments::list(
        db,
        &lists,
        &EstablishmentQuery {
            sector: Some(Sector::Es.code().into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(500)),
    )
    .await?
    .items;
    Ok((
        ghts.iter()
            .map(|g| (g.id.to_string(), g.name.clone()))
            .collect(),
        (hosts.iter())
            .map(|e| (e.id.to_string(), format!("{} ({})", e.name, e.finess)))
            .collect(),
    ))
}

/// What the convention form offers within the scope: its teams, its partners as the select
/// names them (`e:ID` for the hospitals and nursing homes, `c:ID` for the CPTS), and the name
/// of the PDF convention `id` already has.
pub struct ConventionChoices {
    pub teams: Choices,
    pub establishments: Vec<(Sector, Choices)>,
    pub cpts: Choices,
    pub document: Option<String>,
}

pub async fn convention_choices(
    db: &Db,
    scope: &Scope,
    id: Option<i64>,
) -> Result<ConventionChoices> {
    let teams = network::list_teams(db, scope).await?;
    let mut partners = Vec::new();
    for sector in [Sector::Es, Sector::Ems] {
        let list = establishments::list(
            db,
            scope,
            &EstablishmentQuery {
                sector: Some(sector.code().into()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await?;
        let choices = (list.items.iter())
            .map(|e| {
                let label = format!("{} ({}, {})", e.name, e.department_code, e.finess);
                (format!("e:{}", e.id), label)
            })
            .collect();
        partners.push((sector, choices));
    }
    let cpts = reference::list_territories(db, scope, Some("CPTS")).await?;
    let document = match id {
        Some(i) => network::get_convention(db, scope, i).await?.document_name,
        None => None,
    };
    Ok(ConventionChoices {
        teams: (teams.iter())
            .map(|t| (t.team.id.to_string(), t.team.name.clone()))
            .collect(),
        establishments: partners,
        cpts: (cpts.iter())
            .map(|c| (format!("c:{}", c.id), c.name.clone()))
            .collect(),
        document,
    })
}
