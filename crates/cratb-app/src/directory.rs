//! The directory of professionals: entries created, edited, restored to an earlier version,
//! confirmed with the professional, imported from a sheet, and the corrections they send
//! through their link.

use crate::sessions::Origin;
use crate::{Actor, AppError, Result};
use cratb_directory::campaign::{Campaign, Correction, Invitation, LinkError, LinkForm, Outcome};
use cratb_directory::import::{self as sheet, Mapping, Mode, Plan, Report};
use cratb_directory::professionals::{
    self as rules, NewProfessional, Professional, ProfessionalInput, Refused, Version, Workplace,
};
use cratb_domain::{FieldError, RegionAccess, RegionCode, Scope};
use cratb_store::directory::import::CommitError;
use cratb_store::directory::{self, confirmation};
use cratb_store::tabular::Table;
use cratb_store::{Db, StoreError, audit, now};
use std::collections::HashMap;

/// The caller's own region (`None` for a national account, who picks one).
fn own_region(scope: &Scope) -> Option<RegionCode> {
    match scope {
        Scope::Region(r) => Some(r.clone()),
        Scope::National => None,
    }
}

/// `input` checked for the actor: its fields, then its places in the region (an entry keeps
/// its region; a new one takes the actor's, or the one a national account picked).
async fn checked(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    input: &ProfessionalInput,
) -> Result<NewProfessional> {
    let region = match id {
        Some(id) => {
            RegionCode::parse(&directory::get(db, &actor.scope, id).await?.region_code).ok()
        }
        None => own_region(&actor.scope),
    };
    let p = NewProfessional::validate(input, region.as_ref()).map_err(AppError::Invalid)?;
    places(db, &p).await?;
    Ok(p)
}

/// Refuses the FINESS numbers and the territory `p`'s region does not hold.
async fn places(db: &Db, p: &NewProfessional) -> Result<()> {
    let (unknown, territory_ok) = directory::unknown_places(db, p).await?;
    let errors = rules::place_errors(&unknown, territory_ok);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The actor's access to the region of an entry they file.
fn access(actor: &Actor, p: &NewProfessional) -> Result<RegionAccess> {
    actor
        .scope
        .access(p.region.as_str())
        .ok_or(AppError::Store(StoreError::Invalid("region")))
}

/// Checks `input` and creates (`id` none) or replaces an entry of the actor's scope; every
/// write is a version. The fields at fault are `Invalid`; a write the store refuses is a
/// `Store` error ([`refusal`] says it as a form does).
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    input: &ProfessionalInput,
) -> Result<i64> {
    let p = checked(db, actor, id, input).await?;
    let access = access(actor, &p)?;
    let mut tx = db.begin().await?;
    let (saved, change) = match id {
        Some(id) => (
            id,
            directory::update(&mut tx, &access, id, &p, &actor.name, None).await?,
        ),
        None => (
            directory::create(&mut tx, &access, &p, &actor.name).await?,
            rules::CREATED.to_string(),
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

/// The field error of a write the store refused, as the entry's form shows it.
pub fn refusal(e: StoreError) -> std::result::Result<FieldError, StoreError> {
    match e {
        StoreError::Conflict(f) => Ok(Refused::Taken(f).field_error()),
        StoreError::Invalid(f) => Ok(Refused::Invalid(f).field_error()),
        other => Err(other),
    }
}

/// An entry as its page shows it: the entry, its versions, where it works, its teams.
pub struct Entry {
    pub professional: Professional,
    pub versions: Vec<Version>,
    pub workplaces: Vec<Workplace>,
    pub teams: Vec<(i64, String)>,
}

/// Entry `id` of the scope, with its versions, workplaces and teams.
pub async fn entry(db: &Db, scope: &Scope, id: i64) -> Result<Entry> {
    Ok(Entry {
        professional: directory::get(db, scope, id).await?,
        versions: directory::history(db, scope, id).await?,
        workplaces: directory::workplaces(db, id).await?,
        teams: directory::teams_of(db, id).await?,
    })
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
        .and_then(Version::snapshot)
        .ok_or(AppError::NotFound)?;
    let access = actor
        .scope
        .access(&p.region_code)
        .ok_or(AppError::NotFound)?;
    let new = NewProfessional::validate(&snapshot.input(), Some(access.region()))
        .map_err(AppError::Invalid)?;
    let note = rules::restored(version);
    let mut tx = db.begin().await?;
    directory::update(&mut tx, &access, id, &new, &actor.name, Some(&note)).await?;
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
    let access = actor
        .scope
        .access(&p.region_code)
        .ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let region = directory::confirm(&mut tx, &access, id, now()).await?;
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

/// An uploaded sheet waiting to be committed, planned with the mapping chosen.
pub struct Draft {
    pub access: RegionAccess,
    pub filename: String,
    pub table: Table,
    pub mapping: Mapping,
    pub plan: Plan,
}

/// Draft `id` of the actor, its columns mapped as `chosen` says (`map_<field>`; the guessed
/// column otherwise) and its rows classified against the region's directory.
pub async fn draft(
    db: &Db,
    actor: &Actor,
    id: i64,
    chosen: &HashMap<String, String>,
) -> Result<Draft> {
    let (access, filename, table) =
        directory::import::draft(db, &actor.scope, actor.id.unwrap_or_default(), id).await?;
    let mapping = sheet::chosen_mapping(
        |k| chosen.get(k).map(String::as_str),
        sheet::guess(&table.header),
    );
    let plan = directory::import::plan(db, &access, &table, &mapping).await?;
    Ok(Draft {
        access,
        filename,
        table,
        mapping,
        plan,
    })
}

/// Writes a draft's planned rows (new entries and updates, each a version noting the file),
/// all of them or the valid ones as `mode` says, then drops the draft.
pub async fn import(
    db: &Db,
    actor: &Actor,
    id: i64,
    draft: &Draft,
    mode: Mode,
) -> std::result::Result<Report, CommitError> {
    let (region, filename) = (draft.access.as_str(), &draft.filename);
    let entry = |report: &Report| {
        actor.event(
            "directory.import",
            "professional",
            Some(region),
            format!(
                "import « {filename} » : {} créées, {} mises à jour, {} lignes ignorées",
                report.created,
                report.updated,
                report.skipped.len()
            ),
        )
    };
    let report = directory::import::commit(
        db,
        &draft.access,
        &draft.plan,
        mode,
        &actor.name,
        filename,
        Some(&entry),
    )
    .await?;
    directory::import::drop_draft(db, id).await?;
    Ok(report)
}

/// A region's campaign as its page shows it: the last one, how many would get a link now, and
/// the corrections waiting, each beside the entry it corrects.
pub struct CampaignState {
    pub last: Option<Campaign>,
    pub recipients: usize,
    pub pending: Vec<Correction>,
}

pub async fn campaign(db: &Db, access: &RegionAccess) -> Result<CampaignState> {
    let last = confirmation::last_campaign(db, access).await?;
    let people = directory::in_region(db, access).await?;
    let recipients = people.iter().filter(|p| p.email.is_some()).count();
    let mut pending = Vec::new();
    for c in confirmation::pending(db, access).await? {
        if let Some(p) = people.iter().find(|p| p.id == c.professional_id) {
            pending.push(Correction::of(&c, p));
        }
    }
    Ok(CampaignState {
        last,
        recipients,
        pending,
    })
}

/// Starts the yearly confirmation campaign of a region: one signed, single-use link per
/// professional with an e-mail address (the links of an earlier campaign stop working).
pub async fn start_campaign(
    db: &Db,
    actor: &Actor,
    access: &RegionAccess,
) -> Result<Vec<Invitation>> {
    let entry = |links: usize| {
        actor.event(
            "directory.campaign",
            "professional",
            Some(access.as_str()),
            format!("campagne de confirmation : {links} liens"),
        )
    };
    Ok(confirmation::start_campaign(db, access, &actor.name, Some(&entry)).await?)
}

/// Why an answer through a link was not taken.
#[derive(Debug)]
pub enum AnswerError {
    /// The link cannot be used (forged, expired, used, replaced).
    Link(LinkError),
    /// Fields at fault: the form is shown again.
    Invalid(Vec<FieldError>),
    Store(StoreError),
}

impl From<StoreError> for AnswerError {
    fn from(e: StoreError) -> Self {
        AnswerError::Store(e)
    }
}

/// The entry link `token` opens, if it can be used.
pub async fn open_link(
    db: &Db,
    token: &str,
) -> cratb_store::Result<Result<Professional, LinkError>> {
    Ok(confirmation::open(db, token)
        .await?
        .map(|link| link.professional().clone()))
}

/// A professional's answer through their link: confirmed as is, or corrections sent for
/// approval. The link is used once; a second use is refused as used.
///
/// No session here: the link's signed token is what reaches the entry, and only that entry.
pub async fn answer_link(
    db: &Db,
    origin: &Origin,
    token: &str,
    form: &LinkForm,
) -> std::result::Result<Outcome, AnswerError> {
    let link = confirmation::open(db, token)
        .await?
        .map_err(AnswerError::Link)?;
    let p = link.professional();
    let region = RegionCode::parse(&p.region_code).map_err(|_| StoreError::NotFound)?;
    let sent =
        NewProfessional::validate(&form.input(p), Some(&region)).map_err(AnswerError::Invalid)?;
    let (unknown, territory_ok) = directory::unknown_places(db, &sent).await?;
    let errors = rules::place_errors(&unknown, territory_ok);
    if !errors.is_empty() {
        return Err(AnswerError::Invalid(errors));
    }
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
    match confirmation::answer(db, &link, &sent, Some(&entry)).await {
        Ok(outcome) => Ok(outcome),
        // Used by a concurrent submission a moment ago.
        Err(StoreError::Conflict(_)) => Err(AnswerError::Link(LinkError::just_used())),
        Err(e) => Err(e.into()),
    }
}
