//! The advice service: a request filed and routed to the team and member on duty, answered,
//! asked again, followed up at day 7, taken, handed over, forwarded, closed and reopened; each
//! write traced on the request and in the audit log in one transaction, each read of a case in
//! the audit log. The e-mails a change calls for come back as [`Letter`]s for the caller to
//! send (they carry no health data). The teams' hours, closures and rota; the statistics; a
//! team's past log; the overdue and follow-up sweep.

use crate::{Actor, AppError, Result};
use cratb_advice::answer::{FollowUp, NewAnswer};
use cratb_advice::calendar::{Calendar, Closure, Hours};
use cratb_advice::case::{Case, Known, Summary};
use cratb_advice::letters::{self, Letter};
use cratb_advice::log::{LogError, LoggedRequest};
use cratb_advice::request::{Context, NewRequest, RequestInput};
use cratb_advice::rota::{self, DutySlot};
use cratb_advice::stats::{self, AdviceStats};
use cratb_advice::{EventKind, InfectionSite, QuestionType, Status, routing};
use cratb_domain::{
    FieldError, Permission, Profession, RegionAccess, Role, Scope, User, geo, paris,
};
use cratb_store::advice::{self as store, Asker, Held, LoggedRow, Placement, Reach, TeamDesk};
use cratb_store::{Db, Page, PageRequest, StoreError, Tx, audit, network};
use time::{Duration, OffsetDateTime};

/// Whose requests `user` sees: every one of their region for the CRAtb's coordinator and data
/// manager (and the national administrator), their teams' and their own for an EMA member,
/// their own for everyone else; `None` for the agency, which reads statistics only.
pub async fn reach(db: &Db, user: &User) -> Result<Option<Reach>> {
    Ok(match user.role() {
        Role::NationalAdmin | Role::Coordinator | Role::DataManager => Some(Reach::All),
        Role::EmaMember => {
            let mut teams = user.team_ids.clone();
            teams.extend(network::teams_of_email(db, &user.email).await?);
            teams.sort_unstable();
            teams.dedup();
            Some(Reach::Teams {
                teams,
                user: user.id,
            })
        }
        Role::ArsReader => None,
        _ => Some(Reach::Own(user.id)),
    })
}

async fn reach_of(db: &Db, user: &User) -> Result<Reach> {
    reach(db, user).await?.ok_or(AppError::Forbidden)
}

/// Whether `user` answers request `held`: the coordinator (or national administrator) of its
/// region, a member of the team it is routed to, or the member it was given to.
fn responds(user: &User, teams: &[i64], held: &Held) -> bool {
    match user.role() {
        Role::NationalAdmin | Role::Coordinator => true,
        Role::EmaMember => {
            held.assignee_id == Some(user.id) || held.team_id.is_some_and(|t| teams.contains(&t))
        }
        _ => false,
    }
}

async fn teams_of(db: &Db, user: &User) -> Result<Vec<i64>> {
    Ok(match reach(db, user).await? {
        Some(Reach::Teams { teams, .. }) => teams,
        _ => Vec::new(),
    })
}

/// Whether `user` asked request `held` (or entered it for a caller).
fn asked(user: &User, held: &Held) -> bool {
    held.requester_id == Some(user.id) || held.entered_by_id == Some(user.id)
}

/// Request `id` as the writes see it, if `user` reaches it at all (else `NotFound`).
async fn hold(
    tx: &mut Tx,
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
) -> Result<(Held, Vec<i64>)> {
    let held = store::held(tx, &actor.scope, id).await?;
    if held.imported {
        return Err(AppError::NotFound);
    }
    let teams = teams_of(db, user).await?;
    let sees = match user.role() {
        Role::NationalAdmin | Role::Coordinator | Role::DataManager => true,
        _ => asked(user, &held) || responds(user, &teams, &held),
    };
    if !sees {
        return Err(AppError::NotFound);
    }
    Ok((held, teams))
}

fn entry(actor: &Actor, action: &str, id: i64, held: &Held, summary: String) -> audit::NewEntry {
    actor.entry(
        action,
        "advice_request",
        id,
        Some(held.access.as_str()),
        format!("{} : {summary}", held.reference),
    )
}

/// The working time a request without a team is counted in: the default hours (Monday to
/// Friday, 9:00–18:00) and target.
fn default_desk(region: &RegionAccess) -> TeamDesk {
    TeamDesk {
        team_id: 0,
        region_code: region.as_str().into(),
        name: String::new(),
        phone: None,
        email: None,
        calendar: Calendar::default(),
        target_minutes: 240,
        follow_up_days: 7,
        configured: false,
    }
}

/// When a request filed at `now` with `desk` is due, whether it waits for the opening, and the
/// member on duty then.
fn place(
    desk: &TeamDesk,
    slots: &[DutySlot],
    now: OffsetDateTime,
) -> (OffsetDateTime, bool, Vec<i64>) {
    let opening = desk.calendar.next_opening(now);
    let due = desk
        .calendar
        .add_working_minutes(now, desk.target_minutes)
        .unwrap_or(now + Duration::minutes(desk.target_minutes));
    let queued = opening.is_none_or(|o| o > now);
    let on_duty = rota::on_duty(slots, opening.unwrap_or(now));
    (due, queued, on_duty)
}

/// The profession an account asks as: the one of its directory entry (by e-mail), else the one
/// its role implies.
async fn profession_of(db: &Db, user: &User) -> Result<Option<Profession>> {
    if let Some(p) = cratb_store::directory::profession_of_email(db, &user.email).await? {
        return Ok(Some(p));
    }
    Ok(match user.role() {
        Role::Prescriber => Some(Profession::Gp),
        Role::Lab => Some(Profession::Microbiologist),
        Role::Referent => Some(Profession::HospitalPhysician),
        Role::EmaMember => Some(Profession::Infectiologist),
        _ => None,
    })
}

/// A file attached to a request, as uploaded.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A request filed: where it went, when an answer is due, what to tell whom.
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: i64,
    pub reference: String,
    pub team_name: Option<String>,
    pub team_phone: Option<String>,
    pub due_at: OffsetDateTime,
    /// It waits for the team's next opening.
    pub queued: bool,
    pub letters: Vec<Letter>,
}

/// The region a request of `user` is filed in: their own; a national account files it in the
/// region of the department given.
pub fn region_for(user: &User, input: &RequestInput) -> Option<String> {
    user.region_code.clone().or_else(|| {
        input
            .department
            .as_deref()
            .and_then(|d| geo::department(d.trim()))
            .map(|d| d.region.to_string())
    })
}

/// The department a request of `user` comes from by default: that of their first establishment.
pub async fn default_department(db: &Db, user: &User) -> Result<Option<String>> {
    match user.establishment_ids.first() {
        Some(e) => Ok(cratb_store::establishments::department_of(db, *e).await?),
        None => Ok(None),
    }
}

/// Files a request of `user` (or, for a responder, of the caller it names), routes it, keeps
/// its attachments, and says whom to tell.
pub async fn ask(
    db: &Db,
    actor: &Actor,
    user: &User,
    input: &RequestInput,
    attachments: &[NewAttachment],
    now: OffsetDateTime,
    public_url: &str,
) -> Result<Filed> {
    let region = region_for(user, input).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new(
            "department",
            "choisissez le département",
            "choose the department",
        )])
    })?;
    let access = actor.scope.access(&region).ok_or(AppError::NotFound)?;
    let department = default_department(db, user).await?;
    let ctx = Context {
        region: access.as_str(),
        default_department: department.as_deref(),
        today: paris::today(now),
    };
    let mut errors = Vec::new();
    let request = NewRequest::validate(input, &ctx)
        .map_err(|e| errors.extend(e))
        .ok();
    let mut kinds = Vec::new();
    for a in attachments {
        match cratb_advice::attachment::check(&a.bytes) {
            Ok(k) => kinds.push(k),
            Err(e) => errors.push(FieldError::new(
                "attachment",
                format!(
                    "{} : {}",
                    cratb_advice::attachment::safe_name(&a.filename),
                    e.message
                ),
                format!(
                    "{}: {}",
                    cratb_advice::attachment::safe_name(&a.filename),
                    e.message_en
                ),
            )),
        }
    }
    let on_behalf = request.as_ref().and_then(|r| r.caller.clone());
    if on_behalf.is_some() && !user.role().can(Permission::AnswerAdvice) {
        errors.push(FieldError::new(
            "caller",
            "seule l'équipe qui prend un appel saisit une demande pour un autre",
            "only the team taking a call files a request for someone else",
        ));
    }
    let Some(request) = request.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db.begin().await?;
    let establishment_id = match &request.establishment {
        None => None,
        Some(f) => Some(
            store::establishment_in(&mut tx, &access, f.as_str())
                .await?
                .ok_or_else(|| {
                    AppError::Invalid(vec![FieldError::new(
                        "establishment",
                        format!("{f} n'est pas un établissement de la région"),
                        format!("{f} is not an establishment of the region"),
                    )])
                })?,
        ),
    };
    let candidates = store::candidates(&mut tx, &access, paris::today(now)).await?;
    let team_id = routing::route(
        &candidates,
        request.department,
        request.sector,
        establishment_id,
    );
    let (desk, slots) = match team_id {
        Some(t) => (
            store::desk(&mut tx, t).await?,
            store::rota_in(&mut tx, t).await?,
        ),
        None => (default_desk(&access), Vec::new()),
    };
    let (due_at, queued, on_duty) = place(&desk, &slots, now);
    let asker = match &on_behalf {
        Some(c) => Asker {
            requester_id: None,
            name: match (c.professional_id, &c.name) {
                (_, Some(n)) => n.clone(),
                (Some(p), None) => cratb_store::directory::name_of(db, &actor.scope, p)
                    .await?
                    .ok_or_else(|| {
                        AppError::Invalid(vec![FieldError::new(
                            "caller.professional_id",
                            "ce professionnel n'est pas dans l'annuaire de la région",
                            "this professional is not in the region's directory",
                        )])
                    })?,
                (None, None) => String::new(),
            },
            profession: Some(c.profession),
            professional_id: c.professional_id,
            rpps: c.rpps.as_ref().map(|r| r.as_str().to_string()),
            entered_by_id: Some(user.id),
        },
        None => Asker {
            requester_id: Some(user.id),
            name: user.display_name.clone(),
            profession: profession_of(db, user).await?,
            professional_id: None,
            rpps: None,
            entered_by_id: None,
        },
    };
    let placement = Placement {
        team_id,
        assignee_id: on_duty.first().copied(),
        status: if queued { Status::Queued } else { Status::Open },
        asked_at: now,
        due_at,
    };
    let (id, reference) = store::insert(
        &mut tx,
        &access,
        &request,
        establishment_id,
        &asker,
        &placement,
    )
    .await?;
    store::event(
        &mut tx,
        id,
        now,
        &actor.name,
        EventKind::Created,
        request.channel.label_fr(),
    )
    .await?;
    let routed = match (team_id, placement.assignee_id) {
        (Some(_), Some(a)) => format!(
            "{} — {}",
            desk.name,
            cratb_store::users::display_name(&mut tx, a).await?
        ),
        (Some(_), None) => desk.name.clone(),
        (None, _) => "aucune équipe ne dessert ce département : CRAtb".to_string(),
    };
    store::event(&mut tx, id, now, "cratb", EventKind::Routed, &routed).await?;
    for (a, kind) in attachments.iter().zip(kinds) {
        store::attach(
            &mut tx,
            id,
            &cratb_advice::attachment::safe_name(&a.filename),
            kind,
            &a.bytes,
            &actor.name,
            now,
        )
        .await?;
    }
    let summary = format!(
        "demande d'avis ({}, {}) → {routed}{}",
        request.site.label_fr(),
        request.question_type.label_fr(),
        if attachments.is_empty() {
            String::new()
        } else {
            format!(", {} pièce(s) jointe(s)", attachments.len())
        }
    );
    let entry = actor.entry(
        "advice.create",
        "advice_request",
        id,
        Some(access.as_str()),
        format!("{reference} : {summary}"),
    );
    audit::append_in(&mut tx, &entry).await?;
    let link = letters::link(public_url, id);
    let mut out = Vec::new();
    if on_behalf.is_none() {
        out.push(letters::received(
            &user.email,
            &reference,
            &link,
            Some(due_at),
            desk.phone.as_deref(),
        ));
    }
    let addresses = store::addresses(&mut tx, id).await?;
    if let Some(to) = addresses.assignee.as_deref().or(addresses.team.as_deref()) {
        if placement.assignee_id != Some(user.id) {
            out.push(letters::to_answer(
                to,
                &reference,
                &link,
                request.urgency == cratb_advice::Urgency::Today,
            ));
        }
    } else if team_id.is_none() {
        for c in &addresses.coordinators {
            out.push(letters::to_answer(
                c,
                &reference,
                &link,
                request.urgency == cratb_advice::Urgency::Today,
            ));
        }
    }
    tx.commit().await?;
    Ok(Filed {
        id,
        reference,
        team_name: team_id.map(|_| desk.name.clone()),
        team_phone: desk.phone.clone(),
        due_at,
        queued,
        letters: out,
    })
}

/// The requests `user` sees, with the filters given.
pub async fn list(
    db: &Db,
    actor: &Actor,
    user: &User,
    q: &store::AdviceQuery,
    now: OffsetDateTime,
    page: PageRequest,
) -> Result<Page<Summary>> {
    let reach = reach_of(db, user).await?;
    Ok(store::list(db, &actor.scope, &reach, q, now, page).await?)
}

/// The requests `user` answers for (or supervises): their teams' for an EMA member, the
/// region's for the coordinator, the data manager and the national administrator; `None` for
/// everyone else.
pub async fn answering(db: &Db, user: &User) -> Result<Option<Reach>> {
    Ok(match reach(db, user).await? {
        Some(Reach::Teams { teams, .. }) => Some(Reach::Teams { teams, user: -1 }),
        Some(Reach::All)
            if user.role().can(Permission::AnswerAdvice) || user.role() == Role::DataManager =>
        {
            Some(Reach::All)
        }
        _ => None,
    })
}

/// How many requests `user` answers for wait past their due time (their teams', or the
/// region's for the CRAtb).
pub async fn overdue(db: &Db, actor: &Actor, user: &User, now: OffsetDateTime) -> Result<i64> {
    match answering(db, user).await? {
        Some(reach) => Ok(store::overdue_count(db, &actor.scope, &reach, now).await?),
        None => Ok(0),
    }
}

/// A case, read whole; the read is in the audit log.
pub async fn read(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<Case> {
    let reach = reach_of(db, user).await?;
    let case = store::get(db, &actor.scope, &reach, id, now).await?;
    actor
        .record_entity(
            db,
            "advice.read",
            "advice_request",
            id,
            Some(&case.summary.region_code),
            format!("{} : lecture du dossier", case.summary.reference),
        )
        .await?;
    Ok(case)
}

/// What `user` may do with a case they read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Powers {
    pub answer: bool,
    pub ask_again: bool,
    pub follow_up: bool,
    pub take: bool,
    pub close: bool,
    pub reopen: bool,
}

/// What `user` may do with `case`.
pub async fn powers(db: &Db, user: &User, case: &Case) -> Result<Powers> {
    let teams = teams_of(db, user).await?;
    let s = &case.summary;
    let held = Held {
        access: Scope::National
            .access(&s.region_code)
            .ok_or(AppError::NotFound)?,
        reference: s.reference.clone(),
        team_id: s.team_id,
        requester_id: s.requester_id,
        assignee_id: s.assignee_id,
        entered_by_id: None,
        status: s.status,
        first_answer_at: s.first_answer_at,
        followed: case.follow_up.is_some(),
        imported: false,
    };
    let responder = responds(user, &teams, &held);
    let asker = s.requester_id == Some(user.id);
    let open = s.status != Status::Closed;
    Ok(Powers {
        answer: responder && open,
        ask_again: asker && s.first_answer_at.is_some(),
        follow_up: (asker || responder) && s.first_answer_at.is_some() && case.follow_up.is_none(),
        take: responder && open && s.assignee_id != Some(user.id),
        close: responder && open,
        reopen: responder && !open,
    })
}

/// Answers request `id`: the first answer sets its follow-up day; the requester is told.
pub async fn answer(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    a: &NewAnswer,
    now: OffsetDateTime,
    public_url: &str,
) -> Result<Vec<Letter>> {
    let mut tx = db.begin().await?;
    let (held, teams) = hold(&mut tx, db, actor, user, id).await?;
    if !responds(user, &teams, &held) {
        return Err(AppError::Forbidden);
    }
    if held.status == Status::Closed {
        return Err(closed_refusal());
    }
    let follow_up_days = match held.team_id {
        Some(t) => store::desk(&mut tx, t).await?.follow_up_days,
        None => 7,
    };
    let follow_up_on = paris::today(now) + Duration::days(follow_up_days);
    store::answer(
        &mut tx,
        id,
        Some(user.id),
        &user.display_name,
        a,
        now,
        follow_up_on,
    )
    .await?;
    let codes = a
        .recommendations
        .iter()
        .map(|r| r.label_fr())
        .collect::<Vec<_>>()
        .join(", ");
    store::event(&mut tx, id, now, &actor.name, EventKind::Answered, &codes).await?;
    audit::append_in(
        &mut tx,
        &entry(
            actor,
            "advice.answer",
            id,
            &held,
            format!("réponse ({codes})"),
        ),
    )
    .await?;
    let to = store::addresses(&mut tx, id).await?;
    tx.commit().await?;
    let link = letters::link(public_url, id);
    Ok(to
        .requester
        .map(|r| letters::answered(&r, &held.reference, &link))
        .into_iter()
        .collect())
}

fn closed_refusal() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "status",
        "la demande est close : rouvrez-la d'abord",
        "the request is closed: reopen it first",
    )])
}

/// A follow-up question of the requester in the thread; the responder is told.
pub async fn ask_again(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    body: &str,
    now: OffsetDateTime,
    public_url: &str,
) -> Result<Vec<Letter>> {
    let mut tx = db.begin().await?;
    let (held, _) = hold(&mut tx, db, actor, user, id).await?;
    if !asked(user, &held) {
        return Err(AppError::Forbidden);
    }
    store::question(&mut tx, id, Some(user.id), &user.display_name, body, now).await?;
    store::event(&mut tx, id, now, &actor.name, EventKind::Question, "").await?;
    audit::append_in(
        &mut tx,
        &entry(
            actor,
            "advice.question",
            id,
            &held,
            "question complémentaire".into(),
        ),
    )
    .await?;
    let to = store::addresses(&mut tx, id).await?;
    tx.commit().await?;
    let link = letters::link(public_url, id);
    Ok(to
        .assignee
        .or(to.team)
        .map(|r| letters::question(&r, &held.reference, &link))
        .into_iter()
        .collect())
}

/// The day-7 follow-up, given by the requester (or by the team for a caller).
pub async fn follow_up(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    f: &FollowUp,
    now: OffsetDateTime,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let (held, teams) = hold(&mut tx, db, actor, user, id).await?;
    if !asked(user, &held) && !responds(user, &teams, &held) {
        return Err(AppError::Forbidden);
    }
    if held.first_answer_at.is_none() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "followed",
            "le suivi se donne après la réponse",
            "the follow-up is given after the answer",
        )]));
    }
    if held.followed {
        return Err(AppError::Invalid(vec![FieldError::new(
            "followed",
            "le suivi est déjà donné",
            "the follow-up was already given",
        )]));
    }
    store::follow_up(&mut tx, id, f.adherence, f.outcome, now).await?;
    let detail = format!("{}, {}", f.adherence.label_fr(), f.outcome.label_fr());
    store::event(&mut tx, id, now, &actor.name, EventKind::FollowUp, &detail).await?;
    audit::append_in(
        &mut tx,
        &entry(
            actor,
            "advice.follow_up",
            id,
            &held,
            format!("suivi à J7 : {detail}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a responder does to a request's place: take it, hand it to a colleague, forward it to
/// another team, close it, reopen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Take,
    HandOver { to: i64 },
    Forward { team_id: i64 },
    Close,
    Reopen,
}

/// Moves request `id`; each move is traced. A forward recomputes the due time with the new
/// team's hours and gives it to its member on duty (who is told).
pub async fn move_request(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    m: Move,
    now: OffsetDateTime,
    public_url: &str,
) -> Result<Vec<Letter>> {
    let mut tx = db.begin().await?;
    let (held, teams) = hold(&mut tx, db, actor, user, id).await?;
    if !responds(user, &teams, &held) {
        return Err(AppError::Forbidden);
    }
    let link = letters::link(public_url, id);
    let mut out = Vec::new();
    let (action, kind, detail) = match m {
        Move::Take => {
            if held.status == Status::Closed {
                return Err(closed_refusal());
            }
            store::assign(&mut tx, id, held.team_id, Some(user.id), None).await?;
            ("advice.take", EventKind::Taken, user.display_name.clone())
        }
        Move::HandOver { to } => {
            if held.status == Status::Closed {
                return Err(closed_refusal());
            }
            let colleagues = match held.team_id {
                Some(t) => store::rota_members(db, t).await?,
                None => Vec::new(),
            };
            let Some((_, name)) = colleagues.iter().find(|(u, _)| *u == to).cloned() else {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "to",
                    "choisissez un membre de l'équipe",
                    "choose a member of the team",
                )]));
            };
            store::assign(&mut tx, id, held.team_id, Some(to), None).await?;
            if let Some(email) = cratb_store::users::email_of(&mut tx, to).await? {
                out.push(letters::to_answer(&email, &held.reference, &link, false));
            }
            (
                "advice.hand_over",
                EventKind::HandedOver,
                format!("à {name}"),
            )
        }
        Move::Forward { team_id } => {
            if held.status == Status::Closed {
                return Err(closed_refusal());
            }
            let desk = match store::desk(&mut tx, team_id).await {
                Ok(d) if d.region_code == held.access.as_str() && Some(team_id) != held.team_id => {
                    d
                }
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(AppError::Invalid(vec![FieldError::new(
                        "team_id",
                        "choisissez une autre équipe de la région",
                        "choose another team of the region",
                    )]));
                }
                Err(e) => return Err(e.into()),
            };
            let slots = store::rota_in(&mut tx, team_id).await?;
            let (due, _, on_duty) = place(&desk, &slots, now);
            let due = if held.first_answer_at.is_some() {
                None
            } else {
                Some(due)
            };
            store::assign(&mut tx, id, Some(team_id), on_duty.first().copied(), due).await?;
            let to = store::addresses(&mut tx, id).await?;
            if let Some(a) = to.assignee.or(to.team) {
                out.push(letters::to_answer(&a, &held.reference, &link, false));
            }
            (
                "advice.forward",
                EventKind::Forwarded,
                format!("vers {}", desk.name),
            )
        }
        Move::Close => {
            if held.status == Status::Closed {
                return Err(closed_refusal());
            }
            store::set_status(&mut tx, id, Status::Closed, now).await?;
            ("advice.close", EventKind::Closed, String::new())
        }
        Move::Reopen => {
            if held.status != Status::Closed {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "status",
                    "la demande n'est pas close",
                    "the request is not closed",
                )]));
            }
            let back = if held.first_answer_at.is_some() {
                Status::Answered
            } else {
                Status::Open
            };
            store::set_status(&mut tx, id, back, now).await?;
            ("advice.reopen", EventKind::Reopened, String::new())
        }
    };
    store::event(&mut tx, id, now, &actor.name, kind, &detail).await?;
    let summary = if detail.is_empty() {
        kind.label_fr().to_lowercase()
    } else {
        format!("{} {detail}", kind.label_fr().to_lowercase())
    };
    audit::append_in(&mut tx, &entry(actor, action, id, &held, summary)).await?;
    tx.commit().await?;
    Ok(out)
}

/// An attachment of a case `user` reads; the read is in the audit log.
pub async fn attachment(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    attachment: i64,
    now: OffsetDateTime,
) -> Result<(String, String, Vec<u8>)> {
    let reach = reach_of(db, user).await?;
    let case = store::get(db, &actor.scope, &reach, id, now).await?;
    let file = store::attachment(db, id, attachment).await?;
    actor
        .record_entity(
            db,
            "advice.attachment",
            "advice_request",
            id,
            Some(&case.summary.region_code),
            format!("{} : pièce jointe « {} »", case.summary.reference, file.0),
        )
        .await?;
    Ok(file)
}

/// A team's desk for the rota page, if `user` may see the team.
pub async fn desk(db: &Db, actor: &Actor, team_id: i64) -> Result<TeamDesk> {
    Ok(store::desk_of(db, &actor.scope, team_id).await?)
}

async fn team_access(
    db: &Db,
    actor: &Actor,
    user: &User,
    team_id: i64,
) -> Result<(RegionAccess, Tx)> {
    if !crate::policy::can_edit_team(db, user, team_id).await? {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let access = network::team_access(&mut tx, &actor.scope, team_id).await?;
    Ok((access, tx))
}

/// Sets a team's hours, target (working minutes) and follow-up delay (days).
pub async fn set_desk(
    db: &Db,
    actor: &Actor,
    user: &User,
    team_id: i64,
    hours: &Hours,
    target_minutes: i64,
    follow_up_days: i64,
) -> Result<()> {
    let mut errors = Vec::new();
    if !(15..=14_400).contains(&target_minutes) {
        errors.push(FieldError::new(
            "target_minutes",
            "un délai de 15 minutes à 240 heures",
            "a target from 15 minutes to 240 hours",
        ));
    }
    if !(1..=90).contains(&follow_up_days) {
        errors.push(FieldError::new(
            "follow_up_days",
            "de 1 à 90 jours",
            "from 1 to 90 days",
        ));
    }
    if !hours.ever_open() {
        errors.push(FieldError::new(
            "hours",
            "ouvrez au moins un jour",
            "open on one day at least",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (access, mut tx) = team_access(db, actor, user, team_id).await?;
    store::set_desk(
        &mut tx,
        &access,
        team_id,
        hours,
        target_minutes,
        follow_up_days,
    )
    .await?;
    let e = actor.entry(
        "advice.desk",
        "ema_team",
        team_id,
        Some(access.as_str()),
        format!(
            "horaires d'avis {} ; délai cible {target_minutes} min ; suivi à J{follow_up_days}",
            hours.describe(cratb_domain::Lang::Fr)
        ),
    );
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a closure to a team.
pub async fn add_closure(
    db: &Db,
    actor: &Actor,
    user: &User,
    team_id: i64,
    c: &Closure,
) -> Result<()> {
    if c.to < c.from {
        return Err(AppError::Invalid(vec![FieldError::new(
            "to",
            "la fin précède le début",
            "the end comes before the start",
        )]));
    }
    let (access, mut tx) = team_access(db, actor, user, team_id).await?;
    store::add_closure(&mut tx, &access, team_id, c).await?;
    let e = actor.entry(
        "advice.closure",
        "ema_team",
        team_id,
        Some(access.as_str()),
        format!("fermeture du {} au {} ({})", c.from, c.to, c.reason),
    );
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a closure of a team.
pub async fn remove_closure(
    db: &Db,
    actor: &Actor,
    user: &User,
    team_id: i64,
    id: i64,
) -> Result<()> {
    let (access, mut tx) = team_access(db, actor, user, team_id).await?;
    store::remove_closure(&mut tx, &access, team_id, id).await?;
    let e = actor.entry(
        "advice.closure_remove",
        "ema_team",
        team_id,
        Some(access.as_str()),
        format!("fermeture {id} retirée"),
    );
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces a team's rota.
pub async fn set_rota(
    db: &Db,
    actor: &Actor,
    user: &User,
    team_id: i64,
    slots: &[DutySlot],
) -> Result<()> {
    let (access, mut tx) = team_access(db, actor, user, team_id).await?;
    store::set_rota(&mut tx, &access, team_id, slots)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(_) => AppError::Invalid(vec![FieldError::new(
                "rota",
                "seuls les membres de l'équipe ayant un compte prennent des permanences",
                "only the team's members with an account take duty",
            )]),
            e => e.into(),
        })?;
    let e = actor.entry(
        "advice.rota",
        "ema_team",
        team_id,
        Some(access.as_str()),
        format!("tableau de permanence : {} demi-journée(s)", slots.len()),
    );
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// The statistics of a region's requests asked in `year`, of one team or all.
pub async fn stats(
    db: &Db,
    access: &RegionAccess,
    year: i32,
    team_id: Option<i64>,
) -> Result<AdviceStats> {
    let counted = store::counted(db, access, year, team_id).await?;
    Ok(stats::compute(&counted))
}

/// Closed cases with their answers, for the teams (no requester, no place, an age band).
pub async fn knowledge(
    db: &Db,
    access: &RegionAccess,
    words: Option<&str>,
    site: Option<InfectionSite>,
    question: Option<QuestionType>,
) -> Result<Vec<Known>> {
    Ok(store::knowledge(db, access, words, site, question, 50).await?)
}

/// Why a past log was not loaded.
#[derive(Debug)]
pub enum LogRefused {
    /// Its problems, each with its line, column and value; nothing was filed.
    Rows(Vec<LogError>),
    App(AppError),
}

impl From<AppError> for LogRefused {
    fn from(e: AppError) -> Self {
        LogRefused::App(e)
    }
}

impl From<StoreError> for LogRefused {
    fn from(e: StoreError) -> Self {
        LogRefused::App(e.into())
    }
}

/// Loads a team's past log into a region, all or nothing; returns how many requests were filed.
pub async fn import_log(
    db: &Db,
    actor: &Actor,
    region: &str,
    filename: &str,
    bytes: &[u8],
) -> std::result::Result<u64, LogRefused> {
    let access = actor.scope.access(region).ok_or(AppError::NotFound)?;
    let departments: Vec<&str> = geo::departments_of(access.as_str())
        .map(|d| d.code)
        .collect();
    let teams = store::team_names(db, &access).await?;
    let rows: Vec<LoggedRequest> =
        cratb_advice::log::read(bytes, &departments, &teams).map_err(LogRefused::Rows)?;
    let mut tx = db.begin().await?;
    let mut desks: std::collections::HashMap<Option<i64>, TeamDesk> = Default::default();
    let mut filed = Vec::with_capacity(rows.len());
    for r in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = desks.entry(r.team_id) {
            slot.insert(match r.team_id {
                Some(t) => store::desk(&mut tx, t).await?,
                None => default_desk(&access),
            });
        }
        let d = &desks[&r.team_id];
        let due_at = d
            .calendar
            .add_working_minutes(r.asked_at, d.target_minutes)
            .unwrap_or(r.asked_at + Duration::minutes(d.target_minutes));
        filed.push(LoggedRow { request: r, due_at });
    }
    let n = store::import_log(&mut tx, &access, &filed).await?;
    let e = actor.event(
        "advice.import",
        "advice_request",
        Some(access.as_str()),
        format!("registre d'avis « {filename} » : {n} demandes"),
    );
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(n)
}

/// The sweep the server runs every few minutes: the queued requests whose team has opened
/// since are open; the requests newly past their due time (their team, or member, and the
/// region's coordinators are told) and the follow-ups due (their requester is asked). Each is
/// traced and audited; returns the e-mails to send.
pub async fn sweep(db: &Db, now: OffsetDateTime, public_url: &str) -> Result<Vec<Letter>> {
    let mut out = Vec::new();
    let mut tx = db.begin().await?;
    let system = Actor::system();
    for (id, team_id, region, asked_at) in store::queued(&mut tx).await? {
        let desk = match team_id {
            Some(t) => store::desk(&mut tx, t).await?,
            None => match Scope::National.access(&region) {
                Some(a) => default_desk(&a),
                None => continue,
            },
        };
        if desk
            .calendar
            .next_opening(asked_at)
            .is_some_and(|o| o <= now)
        {
            store::opened(&mut tx, id).await?;
        }
    }
    for (id, reference, due_at) in store::newly_overdue(&mut tx, now).await? {
        let to = store::addresses(&mut tx, id).await?;
        let link = letters::link(public_url, id);
        let mut told: Vec<String> = to.assignee.into_iter().chain(to.team).collect();
        told.extend(to.coordinators);
        told.sort();
        told.dedup();
        for t in &told {
            out.push(letters::overdue(t, &reference, &link, due_at));
        }
        store::overdue_told(&mut tx, id, now).await?;
        store::event(
            &mut tx,
            id,
            now,
            "cratb",
            EventKind::Overdue,
            &format!("{} personne(s) prévenue(s)", told.len()),
        )
        .await?;
        let held = store::held(&mut tx, &Scope::National, id).await?;
        audit::append_in(
            &mut tx,
            &entry(
                &system,
                "advice.overdue",
                id,
                &held,
                "délai de réponse dépassé".into(),
            ),
        )
        .await?;
    }
    for (id, reference) in store::follow_ups_due(&mut tx, paris::today(now)).await? {
        let to = store::addresses(&mut tx, id).await?;
        if let Some(r) = to.requester {
            out.push(letters::follow_up(
                &r,
                &reference,
                &letters::link(public_url, id),
            ));
        }
        store::follow_up_asked(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    Ok(out)
}
