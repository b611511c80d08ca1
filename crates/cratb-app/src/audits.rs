//! Appropriateness audits: the library of grids (the shipped ones loaded, a grid imported from
//! its JSON file or edited as a new version), a region's campaigns (started, closed, reopened),
//! the cases entered at the bedside (drafts, then validated), typed back from paper in a sheet
//! (all or nothing), and the results with each establishment among the participants. Every
//! read and write of cases is in the audit log; each write with its entry in one transaction.
//! Who enters what: the CRAtb staff every participant of their region, a referent their
//! establishments, an EMA member the establishments of their teams (host, or a signed
//! convention in force that includes audits).

use crate::{Actor, AppError, Result};
use cratb_audit::Grid;
use cratb_audit::benchmark::{self, Comparison, Spread, TrendRow};
use cratb_audit::campaign::{CampaignInput, NewCampaign, State};
use cratb_audit::cases::{self as sheet, CellError};
use cratb_audit::entry::{self, CaseInput, CheckedCase};
use cratb_audit::results::{self, Row};
use cratb_domain::{FieldError, Permission, RegionAccess, Role, Scope, Sector, User, paris};
use cratb_report::audit as report;
use cratb_report::audit::Feedback;
use cratb_store::audits::{
    self as store, CampaignRow, CaseQuery, CaseRow, Entered, GridRow, Participant, Source,
};
use cratb_store::{Db, StoreError, audit, network};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The establishments whose cases and results `user` handles by name: `None` for every one of
/// their region (the CRAtb staff, the national administrator, the agency); their own for a
/// referent; their teams' (and their own) for an EMA member; none for the others.
pub async fn places(db: &Db, user: &User, today: time::Date) -> Result<Option<Vec<i64>>> {
    Ok(match user.role() {
        Role::NationalAdmin
        | Role::Coordinator
        | Role::DataManager
        | Role::Secretary
        | Role::ArsReader => None,
        Role::EmaMember => {
            let mut teams = user.team_ids.clone();
            teams.extend(network::teams_of_email(db, &user.email).await?);
            teams.sort_unstable();
            teams.dedup();
            let mut ids = store::team_places(db, &teams, today).await?;
            ids.extend(&user.establishment_ids);
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
        _ => Some(user.establishment_ids.clone()),
    })
}

/// Whether `user` sees the other participants by name (the CRAtb staff, the EMA and the
/// agency); a referent sees their own establishment among anonymous others.
pub fn names_shown(user: &User) -> bool {
    !matches!(user.role(), Role::Referent)
}

// ---------------------------------------------------------------------------------------------
// Grids

/// Adds to the library the shipped grids it lacks (each code and version once).
pub async fn load_shipped_grids(db: &Db, now: OffsetDateTime) -> Result<usize> {
    let mut tx = db.begin().await?;
    let mut added = 0;
    for g in cratb_audit::shipped::grids() {
        if !store::has_grid(&mut tx, &g.code, g.version).await? {
            store::insert_grid(&mut tx, &g, true, "cratb", now).await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// The library: every version of every grid (the shipped ones loaded first).
pub async fn grids(db: &Db, now: OffsetDateTime) -> Result<Vec<GridRow>> {
    load_shipped_grids(db, now).await?;
    Ok(store::grids(db).await?)
}

/// Grid version `id`.
pub async fn grid(db: &Db, id: i64) -> Result<(GridRow, Grid)> {
    Ok(store::grid(db, id).await?)
}

/// The errors of a grid's file, as the form shows them.
fn grid_errors(errors: Vec<cratb_audit::GridError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| {
                let at = if e.at.is_empty() {
                    String::new()
                } else {
                    format!("{} : ", e.at)
                };
                FieldError::new(
                    "definition",
                    format!("{at}{}", e.message),
                    format!("{at}{}", e.message),
                )
            })
            .collect(),
    )
}

/// Adds a grid from its JSON file; its code and version must be new to the library.
pub async fn import_grid(db: &Db, actor: &Actor, text: &str, now: OffsetDateTime) -> Result<i64> {
    actor.require(Permission::RunAudits)?;
    let grid = Grid::from_json(text).map_err(grid_errors)?;
    let mut tx = db.begin().await?;
    if store::has_grid(&mut tx, &grid.code, grid.version).await? {
        let last = store::latest_version(&mut tx, &grid.code)
            .await?
            .unwrap_or(0);
        return Err(AppError::Conflict(FieldError::new(
            "definition",
            format!(
                "La version {} de la grille « {} » existe déjà (la dernière est la {last}) : numérotez la nouvelle au-delà",
                grid.version, grid.code
            ),
            format!(
                "Version {} of grid “{}” exists already (the latest is {last}): number the new one above it",
                grid.version, grid.code
            ),
        )));
    }
    let id = store::insert_grid(&mut tx, &grid, false, &actor.name, now).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            "audit_grid.create",
            "audit_grid",
            id,
            None,
            format!(
                "Grille {} version {} : {}",
                grid.code, grid.version, grid.title_fr
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of grid version `base` as the grid's next version (the campaigns that audit
/// `base` keep it). The edited file keeps the grid's code; its version number is set here.
pub async fn edit_grid(
    db: &Db,
    actor: &Actor,
    base: i64,
    text: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    actor.require(Permission::RunAudits)?;
    let (row, _) = store::grid(db, base).await?;
    let mut grid = Grid::from_json(text).map_err(grid_errors)?;
    if grid.code != row.code {
        return Err(AppError::Invalid(vec![FieldError::new(
            "definition",
            format!(
                "Le code de la grille reste « {} » (importez une grille pour un nouveau code)",
                row.code
            ),
            format!(
                "The grid's code stays “{}” (import a grid for a new code)",
                row.code
            ),
        )]));
    }
    let mut tx = db.begin().await?;
    let last = store::latest_version(&mut tx, &row.code)
        .await?
        .unwrap_or(0);
    grid.version = last as u32 + 1;
    let id = store::insert_grid(&mut tx, &grid, false, &actor.name, now).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            "audit_grid.create",
            "audit_grid",
            id,
            None,
            format!(
                "Grille {} : version {} (d'après la {})",
                grid.code, grid.version, row.version
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Campaigns

/// A campaign as its page shows it to one person.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub campaign: CampaignRow,
    pub grid: Grid,
    pub state: State,
    /// The participants and their progress: every one for the CRAtb staff, EMA and agency;
    /// one's own for a referent.
    pub participants: Vec<Participant>,
    /// The participants this person may enter cases for (while the campaign is open).
    pub may_enter: Vec<Participant>,
    /// Whether this person may close or reopen it.
    pub may_manage: bool,
}

/// Starts a campaign in the actor's region (a national account names it).
pub async fn start(
    db: &Db,
    actor: &Actor,
    input: &CampaignInput,
    now: OffsetDateTime,
) -> Result<i64> {
    actor.require(Permission::RunAudits)?;
    let mut errors = Vec::new();
    let checked = input.check().map_err(|e| errors = e).ok();
    let region = match &actor.scope {
        Scope::Region(r) => Some(r.as_str().to_string()),
        Scope::National => cratb_domain::field::optional(&input.region).map(str::to_string),
    };
    let access = match region.as_deref().and_then(|r| actor.scope.access(r)) {
        Some(a) => Some(a),
        None => {
            errors.push(FieldError::new(
                "region",
                "Région obligatoire (code INSEE)",
                "Region required (INSEE code)",
            ));
            None
        }
    };
    let (Some(c), Some(access)) = (checked, access) else {
        return Err(AppError::Invalid(errors));
    };
    let (_, grid) = store::grid(db, c.grid_id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::Invalid(vec![FieldError::new(
            "grid_id",
            "Aucune grille de ce numéro dans la bibliothèque",
            "No grid of that number in the library",
        )]),
        e => e.into(),
    })?;
    let mut tx = db.begin().await?;
    let participants = participants_of(&mut tx, &access, &c, &grid).await?;
    let id = store::insert_campaign(&mut tx, &access, &c, &participants, &actor.name, now).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            "audit_campaign.create",
            "audit_campaign",
            id,
            Some(access.as_str()),
            format!(
                "Campagne « {} » ({} v{}, {} établissements)",
                c.title,
                grid.code,
                grid.version,
                participants.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The participants of a new campaign: its establishments (of the region, of a sector the grid
/// is for) and the practices of its CPTS.
async fn participants_of(
    tx: &mut cratb_store::Tx,
    access: &RegionAccess,
    c: &NewCampaign,
    grid: &Grid,
) -> Result<Vec<i64>> {
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    for f in &c.establishments {
        match store::establishment_by_finess(tx, access, f).await? {
            None => errors.push(FieldError::new(
                "establishments",
                format!("FINESS {f} : aucun établissement de ce numéro dans la région"),
                format!("FINESS {f}: no establishment with that number in the region"),
            )),
            Some((_, sector)) if !grid.sectors.iter().any(|s| s.code() == sector.as_str()) => {
                let label = Sector::parse(&sector).map_or(sector.clone(), |s| s.label_fr().into());
                errors.push(FieldError::new(
                    "establishments",
                    format!(
                        "FINESS {f} : la grille {} n'est pas faite pour le secteur « {label} »",
                        grid.code
                    ),
                    format!(
                        "FINESS {f}: grid {} is not meant for sector {sector}",
                        grid.code
                    ),
                ));
            }
            Some((id, _)) => ids.push(id),
        }
    }
    if let Some(t) = c.territory_id {
        match store::cpts_practices(tx, access, t).await? {
            None => errors.push(FieldError::new(
                "territory_id",
                "Aucune CPTS de ce numéro dans la région",
                "No CPTS with that number in the region",
            )),
            // A CPTS brings primary-care practices: the grid must be meant for them.
            Some(_) if !grid.sectors.contains(&Sector::Ville) => errors.push(FieldError::new(
                "territory_id",
                format!(
                    "La grille {} n'est pas faite pour la ville : une CPTS n'y participe pas",
                    grid.code
                ),
                format!(
                    "Grid {} is not meant for primary care: a CPTS cannot take part",
                    grid.code
                ),
            )),
            Some(practices) if practices.is_empty() && ids.is_empty() => {
                errors.push(FieldError::new(
                    "territory_id",
                    "Cette CPTS n'a aucun cabinet ou centre de santé dans l'annuaire des établissements : ajoutez-les, ou choisissez les établissements",
                    "This CPTS has no practice in the establishments' list: add them, or choose the establishments",
                ))
            }
            Some(practices) => ids.extend(practices),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The campaigns `user` sees: every one of their region for the CRAtb staff and the agency;
/// those their establishments take part in for the others.
pub async fn campaigns(
    db: &Db,
    actor: &Actor,
    user: &User,
    now: OffsetDateTime,
) -> Result<Vec<(CampaignRow, State)>> {
    actor.require(Permission::ViewAudits)?;
    let today = paris::today(now);
    let places = places(db, user, today).await?;
    let rows = store::campaigns(db, &actor.scope, places.as_deref()).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let s = State::on(c.starts_on, c.closed, today);
            (c, s)
        })
        .collect())
}

/// Campaign `id` as `user` sees it (not found outside their reach).
pub async fn campaign(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<CampaignView> {
    actor.require(Permission::ViewAudits)?;
    let today = paris::today(now);
    let campaign = store::campaign(db, &actor.scope, id).await?;
    let places = places(db, user, today).await?;
    let all = store::participants(db, id).await?;
    let mine = |p: &Participant| {
        places
            .as_ref()
            .is_none_or(|ids| ids.contains(&p.establishment_id))
    };
    if places.is_some() && !all.iter().any(mine) {
        return Err(AppError::NotFound);
    }
    let (_, grid) = store::grid(db, campaign.grid_id).await?;
    let state = State::on(campaign.starts_on, campaign.closed, today);
    let may_enter = if state == State::Open && actor.role.can(Permission::EnterAuditCases) {
        all.iter().filter(|p| mine(p)).cloned().collect()
    } else {
        Vec::new()
    };
    let participants = if names_shown(user) {
        all
    } else {
        all.into_iter().filter(|p| mine(p)).collect()
    };
    Ok(CampaignView {
        campaign,
        grid,
        state,
        participants,
        may_enter,
        may_manage: actor.role.can(Permission::RunAudits),
    })
}

/// Closes campaign `id` (no more entry), or reopens it.
pub async fn set_closed(db: &Db, actor: &Actor, id: i64, closed: bool) -> Result<()> {
    actor.require(Permission::RunAudits)?;
    let c = store::campaign(db, &actor.scope, id).await?;
    if c.closed == closed {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    store::set_closed(&mut tx, id, closed).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            if closed {
                "audit_campaign.close"
            } else {
                "audit_campaign.reopen"
            },
            "audit_campaign",
            id,
            Some(&c.region_code),
            format!(
                "Campagne « {} » {}",
                c.title,
                if closed { "close" } else { "rouverte" }
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cases

/// How a case is saved: kept as a draft, or validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    Draft,
    Validate,
}

/// The participant `finess` of `view` that `user` may enter cases for, or the error in place.
fn enterable<'a>(view: &'a CampaignView, finess: &str) -> Result<&'a Participant> {
    if view.state != State::Open {
        return Err(AppError::Invalid(vec![FieldError::new(
            "campaign",
            match view.state {
                State::Upcoming => "La campagne n'a pas commencé : la saisie ouvre le premier jour",
                _ => "La campagne est close : la saisie est fermée",
            },
            match view.state {
                State::Upcoming => "The campaign has not started: entry opens on its first day",
                _ => "The campaign is closed: entry is over",
            },
        )]));
    }
    view.may_enter
        .iter()
        .find(|p| p.finess == finess)
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "establishment",
                format!("FINESS {finess} : pas un établissement participant dont vous saisissez les dossiers"),
                format!("FINESS {finess}: not a participating establishment whose cases you enter"),
            )])
        })
}

/// Enters a case of campaign `id` (or rewrites case `case_id`): a draft keeps what was typed,
/// a validated case has every answer read. Returns the case's id.
#[allow(clippy::too_many_arguments)]
pub async fn save_case(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    case_id: Option<i64>,
    input: &CaseInput,
    save: Save,
    now: OffsetDateTime,
) -> Result<i64> {
    actor.require(Permission::EnterAuditCases)?;
    let view = campaign(db, actor, user, id, now).await?;
    let mut save = save;
    if let Some(k) = case_id {
        let old = store::case(db, id, k).await?;
        if !view
            .may_enter
            .iter()
            .any(|p| p.establishment_id == old.establishment_id)
        {
            return Err(AppError::NotFound);
        }
        // A validated case stays validated: a change to it is checked whole, never saved as a
        // draft that would take it out of the results (an autosave of an edit included).
        if old.validated {
            save = Save::Validate;
        }
    }
    let checked = input.check(&view.grid, save == Save::Validate);
    let place = cratb_domain::field::optional(&input.establishment)
        .map(|f| enterable(&view, f))
        .transpose();
    let (checked, place) = match (checked, place) {
        (Ok(c), Ok(Some(p))) => (c, p),
        (c, p) => {
            let mut e = c.err().unwrap_or_default();
            match p {
                Err(AppError::Invalid(more)) => {
                    e.retain(|x| x.field != "establishment");
                    e.extend(more);
                }
                Err(other) => return Err(other),
                Ok(_) => {}
            }
            return Err(AppError::Invalid(e));
        }
    };
    let who = Entered {
        by_id: actor.id,
        by: &actor.name,
        source: if actor.channel == crate::Channel::Api {
            Source::Api
        } else {
            Source::Form
        },
        at: now,
    };
    let validated = save == Save::Validate;
    let mut tx = db.begin().await?;
    let (case_id, action) = match case_id {
        Some(k) => {
            store::update_case(
                &mut tx,
                id,
                k,
                place.establishment_id,
                &checked,
                validated,
                &who,
            )
            .await
            .map_err(taken(&checked))?;
            (k, "audit_case.update")
        }
        None => (
            store::insert_case(
                &mut tx,
                id,
                place.establishment_id,
                &checked,
                validated,
                &who,
            )
            .await
            .map_err(taken(&checked))?,
            "audit_case.create",
        ),
    };
    audit::append_in(
        &mut tx,
        &actor.entry(
            action,
            "audit_case",
            case_id,
            Some(&view.campaign.region_code),
            format!(
                "Campagne « {} » : dossier {} de {} ({})",
                view.campaign.title,
                checked.case_number,
                place.finess,
                if validated { "validé" } else { "brouillon" }
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(case_id)
}

fn taken(c: &CheckedCase) -> impl FnOnce(StoreError) -> AppError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => AppError::Conflict(FieldError::new(
            "case_number",
            format!(
                "Le dossier n° {} est déjà saisi pour cet établissement dans cette campagne",
                c.case_number
            ),
            format!(
                "Case {} is already entered for this establishment in this campaign",
                c.case_number
            ),
        )),
        e => e.into(),
    }
}

/// The cases of campaign `id` that `user` handles (every one for the CRAtb staff; their
/// establishments' for the others); the read is in the audit log.
pub async fn cases(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<(CampaignView, Vec<CaseRow>)> {
    let view = campaign(db, actor, user, id, now).await?;
    let places = places(db, user, paris::today(now)).await?;
    if matches!(user.role(), Role::ArsReader | Role::Secretary) {
        // The agency and the secretariat read results, never a case.
        return Err(AppError::Forbidden);
    }
    let rows = store::cases(
        db,
        id,
        &CaseQuery {
            establishments: places,
            validated_only: false,
        },
    )
    .await?;
    actor
        .record(
            db,
            "audit_case.list",
            "audit_case",
            Some(&view.campaign.region_code),
            format!(
                "Campagne « {} » : lecture de la liste des dossiers ({})",
                view.campaign.title,
                rows.len()
            ),
        )
        .await?;
    Ok((view, rows))
}

/// Case `case_id` of campaign `id`, if `user` handles it; the read is in the audit log.
pub async fn case(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    case_id: i64,
    now: OffsetDateTime,
) -> Result<(CampaignView, CaseRow)> {
    let view = campaign(db, actor, user, id, now).await?;
    if matches!(user.role(), Role::ArsReader | Role::Secretary) {
        return Err(AppError::Forbidden);
    }
    let row = store::case(db, id, case_id).await?;
    let places = places(db, user, paris::today(now)).await?;
    if places.is_some_and(|ids| !ids.contains(&row.establishment_id)) {
        return Err(AppError::NotFound);
    }
    actor
        .record_entity(
            db,
            "audit_case.read",
            "audit_case",
            case_id,
            Some(&view.campaign.region_code),
            format!(
                "Campagne « {} » : lecture du dossier {} de {}",
                view.campaign.title, row.case_number, row.finess
            ),
        )
        .await?;
    Ok((view, row))
}

/// Deletes case `case_id` of campaign `id` (while the campaign is open).
pub async fn delete_case(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    case_id: i64,
    now: OffsetDateTime,
) -> Result<()> {
    actor.require(Permission::EnterAuditCases)?;
    let view = campaign(db, actor, user, id, now).await?;
    let row = store::case(db, id, case_id).await?;
    if !view
        .may_enter
        .iter()
        .any(|p| p.establishment_id == row.establishment_id)
    {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin().await?;
    store::delete_case(&mut tx, id, case_id).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            "audit_case.delete",
            "audit_case",
            case_id,
            Some(&view.campaign.region_code),
            format!(
                "Campagne « {} » : dossier {} de {} supprimé",
                view.campaign.title, row.case_number, row.finess
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why a sheet of cases was refused: its problems, each with its line, column and value.
#[derive(Debug)]
pub enum SheetRefusal {
    Cells(Vec<CellError>),
    App(AppError),
}

impl From<AppError> for SheetRefusal {
    fn from(e: AppError) -> Self {
        SheetRefusal::App(e)
    }
}

impl From<StoreError> for SheetRefusal {
    fn from(e: StoreError) -> Self {
        SheetRefusal::App(e.into())
    }
}

/// Loads the paper grids typed back in a sheet (`case_id`, `establishment`, one column per
/// criterion code) as validated cases of campaign `id`, all or nothing: every cell checked
/// against its criterion, every establishment one `user` enters cases for, every case number
/// new. Returns how many cases were loaded.
pub async fn import_cases(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    bytes: &[u8],
    now: OffsetDateTime,
) -> std::result::Result<usize, SheetRefusal> {
    actor.require(Permission::EnterAuditCases)?;
    let view = campaign(db, actor, user, id, now).await?;
    if view.state != State::Open {
        enterable(&view, "")?;
    }
    let read = sheet::read(bytes, &view.grid).map_err(SheetRefusal::Cells)?;
    let mut tx = db.begin().await?;
    let mut used: std::collections::HashSet<(i64, String)> = store::case_numbers(&mut tx, id)
        .await?
        .into_iter()
        .collect();
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for c in &read {
        let finess = c.establishment.as_str();
        let Some(p) = view.may_enter.iter().find(|p| p.finess == finess) else {
            errors.push(CellError {
                line: c.line,
                column: "establishment".into(),
                value: finess.into(),
                message: "pas un établissement participant dont vous saisissez les dossiers".into(),
            });
            continue;
        };
        if !used.insert((p.establishment_id, c.case_id.clone())) {
            errors.push(CellError {
                line: c.line,
                column: "case_id".into(),
                value: c.case_id.clone(),
                message: "dossier déjà saisi pour cet établissement dans cette campagne".into(),
            });
            continue;
        }
        let answers: BTreeMap<String, String> = view
            .grid
            .criteria
            .iter()
            .zip(&c.answers)
            .map(|(k, a)| (k.code.clone(), a.canonical()))
            .collect();
        rows.push((
            p.establishment_id,
            CheckedCase {
                case_number: c.case_id.clone(),
                establishment: c.establishment.clone(),
                age: None,
                sex: None,
                ward_type: None,
                answers,
            },
        ));
    }
    if !errors.is_empty() {
        errors.truncate(sheet::MAX_ERRORS);
        return Err(SheetRefusal::Cells(errors));
    }
    let who = Entered {
        by_id: actor.id,
        by: &actor.name,
        source: Source::Sheet,
        at: now,
    };
    for (e, c) in &rows {
        store::insert_case(&mut tx, id, *e, c, true, &who).await?;
    }
    audit::append_in(
        &mut tx,
        &actor.event(
            "audit_case.import",
            "audit_case",
            Some(&view.campaign.region_code),
            format!(
                "Campagne « {} » : {} dossiers chargés d'une feuille",
                view.campaign.title,
                rows.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------------
// Results

/// One establishment's results.
#[derive(Debug, Clone)]
pub struct PlaceResults {
    pub establishment_id: i64,
    /// Its name, or `Établissement 3` where this person sees the others anonymously.
    pub label: String,
    pub finess: Option<String>,
    pub category: String,
    pub department_code: String,
    /// One of this person's establishments.
    pub own: bool,
    /// Per criterion with a rule, then `all` (none before its first validated case).
    pub rows: Vec<Row>,
}

/// The earlier campaign of the same grid in the region, and the region's change since.
#[derive(Debug, Clone)]
pub struct Since {
    pub campaign: CampaignRow,
    /// The region's rows then against now, per criterion with a rule and `all`.
    pub region: Vec<Comparison>,
}

/// The results of a campaign as one person sees them.
#[derive(Debug, Clone)]
pub struct CampaignResults {
    pub view: CampaignView,
    /// The region's rows over every validated case: per criterion with a rule, then `all`.
    pub region: Vec<Row>,
    /// The participants' median and quartiles per criterion and `all` (establishments with
    /// at least `MIN_APPLICABLE` applicable cases).
    pub spread: Vec<Spread>,
    pub places: Vec<PlaceResults>,
    /// Per establishment category (its code as the group).
    pub by_category: Vec<Row>,
    /// Per department (its code as the group).
    pub by_department: Vec<Row>,
    /// The region against its previous campaign of the same grid, if any.
    pub since: Option<Since>,
    /// The region's criteria and `all` over every campaign of the grid's code, oldest first.
    pub trend: Vec<TrendRow>,
    pub names_shown: bool,
    /// Validated cases counted.
    pub cases: usize,
}

/// The validated cases of campaign `c`, read against its grid.
async fn validated(db: &Db, c: &CampaignRow, grid: &Grid) -> Result<Vec<sheet::Case>> {
    let rows = store::cases(
        db,
        c.id,
        &CaseQuery {
            establishments: None,
            validated_only: true,
        },
    )
    .await?;
    // Every stored establishment's FINESS was checked on its way in.
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(sheet::Case {
                line: 0,
                case_id: r.case_number.clone(),
                establishment: cratb_domain::Finess::parse(&r.finess).ok()?,
                answers: entry::answers_in_order(grid, &r.answers),
            })
        })
        .collect())
}

fn by_establishment(grid: &Grid, cases: &[sheet::Case]) -> Vec<Row> {
    results::results_by(grid, cases, |c| vec![c.establishment.as_str().to_string()])
}

/// A campaign as a trend's axis names it: the month it started (`09/2025`), shorter than its
/// title.
fn month(c: &CampaignRow) -> String {
    format!(
        "{:02}/{}",
        u8::from(c.starts_on.month()),
        c.starts_on.year()
    )
}

/// The results of campaign `id`: the region's with the participants' distribution, each
/// participant's (named, or anonymous but for one's own for a referent), per category and
/// department, the change since the previous campaign of the grid and the trend.
pub async fn results(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<CampaignResults> {
    let view = campaign(db, actor, user, id, now).await?;
    let places = places(db, user, paris::today(now)).await?;
    let cases = validated(db, &view.campaign, &view.grid).await?;
    let all = store::participants(db, id).await?;
    let of = |f: &str| all.iter().find(|p| p.finess == f);
    let region = results::results(&view.grid, &cases, &[]);
    let by = by_establishment(&view.grid, &cases);
    let spread = benchmark::participants(&view.grid, &by);
    let by_category = results::results_by(&view.grid, &cases, |c| {
        vec![of(c.establishment.as_str()).map_or_else(String::new, |p| p.category.clone())]
    });
    let by_department = results::results_by(&view.grid, &cases, |c| {
        vec![of(c.establishment.as_str()).map_or_else(String::new, |p| p.department_code.clone())]
    });
    let shown = names_shown(user);
    let mut out: Vec<PlaceResults> = all
        .iter()
        .map(|p| {
            let own = places
                .as_ref()
                .is_some_and(|ids| ids.contains(&p.establishment_id));
            let named = shown || own;
            PlaceResults {
                establishment_id: p.establishment_id,
                label: p.name.clone(),
                finess: named.then(|| p.finess.clone()),
                // Where the others are anonymous, nothing that would name them: neither their
                // category nor their department (the only CHU of a department is a name).
                category: if named {
                    p.category.clone()
                } else {
                    String::new()
                },
                department_code: if named {
                    p.department_code.clone()
                } else {
                    String::new()
                },
                own,
                rows: by
                    .iter()
                    .filter(|r| r.group.first().is_some_and(|g| *g == p.finess))
                    .cloned()
                    .map(|mut r| {
                        if !named {
                            r.group = vec![String::new()];
                        }
                        r
                    })
                    .collect(),
            }
        })
        .collect();
    if !shown {
        // The anonymous ones numbered by their whole-case conformity (best first), never in the
        // order of their names.
        let all_pct = |p: &PlaceResults| {
            p.rows
                .iter()
                .find(|r| r.criterion == "all")
                .and_then(Row::pct)
                .unwrap_or(-1.0)
        };
        out.sort_by(|a, b| {
            b.own
                .cmp(&a.own)
                .then(all_pct(b).total_cmp(&all_pct(a)))
                .then(a.establishment_id.cmp(&b.establishment_id))
        });
        let mut n = 0;
        for p in out.iter_mut().filter(|p| !p.own) {
            n += 1;
            p.label = format!("Établissement {n}");
        }
    }
    // A group of fewer than three establishments would show an anonymous one's figures.
    let (by_category, by_department) = if shown {
        (by_category, by_department)
    } else {
        let keep = |rows: Vec<Row>, key: &dyn Fn(&Participant) -> &str| {
            rows.into_iter()
                .filter(|r| {
                    let g = r.group.first().map(String::as_str).unwrap_or_default();
                    all.iter().filter(|p| key(p) == g).count() >= 3
                })
                .collect::<Vec<_>>()
        };
        (
            keep(by_category, &|p| p.category.as_str()),
            keep(by_department, &|p| p.department_code.as_str()),
        )
    };
    let earlier = store::earlier(db, &view.campaign).await?;
    let mut trend_rows = Vec::new();
    for c in earlier.iter().rev() {
        let (_, grid) = store::grid(db, c.grid_id).await?;
        let cases = validated(db, c, &grid).await?;
        trend_rows.push((month(c), results::results(&grid, &cases, &[])));
    }
    let since = match (earlier.first(), trend_rows.last()) {
        (Some(c), Some((_, rows))) => Some(Since {
            campaign: c.clone(),
            region: benchmark::compare(rows, &region),
        }),
        _ => None,
    };
    trend_rows.push((month(&view.campaign), region.clone()));
    Ok(CampaignResults {
        trend: benchmark::trend(&trend_rows),
        view,
        region,
        spread,
        places: out,
        by_category,
        by_department,
        since,
        names_shown: shown,
        cases: cases.len(),
    })
}

/// An action of a plan that followed the previous campaign, and its criterion then and now.
#[derive(Debug, Clone)]
pub struct Reaudit {
    pub plan_id: i64,
    pub action: cratb_store::plans::ActionRow,
    pub comparison: Option<Comparison>,
}

/// An establishment's feedback of a campaign: what its page and its PDF show.
#[derive(Debug, Clone)]
pub struct EstablishmentResults {
    pub view: CampaignView,
    pub participant: Participant,
    pub feedback: Feedback,
    /// The previous campaign of the grid it took part in, if any.
    pub previous: Option<CampaignRow>,
    /// The re-audit: each action aimed at a criterion in the plans that followed the previous
    /// campaign, with the criterion before and after.
    pub reaudit: Vec<Reaudit>,
}

/// The feedback of participant `establishment_id` of campaign `id`: the CRAtb staff, the EMA
/// and the agency read every participant's; a referent their own only.
pub async fn establishment_results(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    establishment_id: i64,
    now: OffsetDateTime,
) -> Result<EstablishmentResults> {
    let view = campaign(db, actor, user, id, now).await?;
    let places = places(db, user, paris::today(now)).await?;
    if !names_shown(user)
        && places
            .as_ref()
            .is_some_and(|ids| !ids.contains(&establishment_id))
    {
        return Err(AppError::NotFound);
    }
    let participant = store::participants(db, id)
        .await?
        .into_iter()
        .find(|p| p.establishment_id == establishment_id)
        .ok_or(AppError::NotFound)?;
    let cases = validated(db, &view.campaign, &view.grid).await?;
    let mut previous = None;
    for c in store::earlier(db, &view.campaign).await? {
        if store::participants(db, c.id)
            .await?
            .iter()
            .any(|p| p.establishment_id == establishment_id)
        {
            let (_, grid) = store::grid(db, c.grid_id).await?;
            let cases = validated(db, &c, &grid).await?;
            previous = Some((c, grid, cases));
            break;
        }
    }
    let now_cases = report::CampaignCases {
        title: &view.campaign.title,
        grid: &view.grid,
        cases: &cases,
    };
    let then = previous
        .as_ref()
        .map(|(c, grid, cases)| report::CampaignCases {
            title: &c.title,
            grid,
            cases,
        });
    let period = (view.campaign.starts_on, view.campaign.ends_on);
    let feedback = report::campaign_feedbacks(&now_cases, period, then.as_ref(), |_| {
        participant.name.clone()
    })
    .into_iter()
    .find(|f| f.finess == participant.finess)
    .unwrap_or_else(|| Feedback {
        campaign: view.campaign.title.clone(),
        grid: view.grid.clone(),
        period,
        establishment: participant.name.clone(),
        finess: participant.finess.clone(),
        rows: Vec::new(),
        participants: benchmark::participants(&view.grid, &by_establishment(&view.grid, &cases)),
        previous: None,
    });
    let mut reaudit = Vec::new();
    if let Some((c, _, _)) = &previous {
        let comparisons = feedback.comparisons();
        let q = cratb_store::plans::PlanQuery {
            establishments: Some(vec![establishment_id]),
            campaign_id: Some(c.id),
        };
        for plan in cratb_store::plans::plans(db, &actor.scope, &q, paris::today(now)).await? {
            for action in cratb_store::plans::actions(db, plan.id).await? {
                if action.aim_kind != cratb_audit::plan::AimKind::Criterion {
                    continue;
                }
                let comparison = action
                    .aim
                    .as_deref()
                    .and_then(|code| comparisons.iter().find(|k| k.criterion == code).cloned());
                reaudit.push(Reaudit {
                    plan_id: plan.id,
                    action,
                    comparison,
                });
            }
        }
    }
    Ok(EstablishmentResults {
        view,
        participant,
        feedback,
        previous: previous.map(|(c, _, _)| c),
        reaudit,
    })
}

/// Every participant's feedback report of campaign `id` in a ZIP (one PDF each), for those
/// who see the participants by name.
pub async fn reports_zip(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    lang: cratb_domain::Lang,
    now: OffsetDateTime,
) -> Result<Vec<u8>> {
    if !names_shown(user) {
        return Err(AppError::Forbidden);
    }
    let view = campaign(db, actor, user, id, now).await?;
    let mut feedbacks = Vec::new();
    for p in &view.participants {
        let r = establishment_results(db, actor, user, id, p.establishment_id, now).await?;
        if !r.feedback.rows.is_empty() {
            feedbacks.push(r.feedback);
        }
    }
    report::reports_zip(&feedbacks, lang)
        .map_err(|e| AppError::Store(StoreError::CannotWrite(format!("ZIP : {e}"))))
}
