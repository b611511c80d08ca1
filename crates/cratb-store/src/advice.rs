//! The advice service's rows: requests and their thread, trace and attachments; each team's
//! hours, closures, target and duty rota; what routing, the statistics and the knowledge base
//! read. A request's region is its `region_code`: reads take a [`Scope`] and a [`Reach`] (whose
//! requests a person sees), writes the [`RegionAccess`] of the request's region.

use crate::{
    Arg, Db, Filter, Page, PageRequest, Result, StoreError, Tx, bind_args, on_db, on_tx, utc,
};
use cratb_advice::answer::NewAnswer;
use cratb_advice::calendar::{Calendar, Closure, Hours};
use cratb_advice::case::{Attachment, Case, Event, GivenFollowUp, Known, Message, Summary};
use cratb_advice::log::LoggedRequest;
use cratb_advice::request::NewRequest;
use cratb_advice::rota::{DutySlot, HalfDay};
use cratb_advice::routing::Candidate;
use cratb_advice::{
    Adherence, Channel, Counted, EventKind, InfectionSite, Outcome, QuestionType, Recommendation,
    Sex, Status, Urgency, codes,
};
use cratb_domain::{Profession, RegionAccess, Scope, Sector, WardType, geo, paris};
use time::{Date, OffsetDateTime};

/// Whose requests a person sees, within their scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every request of the scope (the CRAtb staff).
    All,
    /// The requests routed to these teams, and those the person asked or was given.
    Teams { teams: Vec<i64>, user: i64 },
    /// Only the requests the person asked.
    Own(i64),
}

impl Reach {
    fn push(&self, f: &mut Filter) {
        match self {
            Reach::All => {}
            Reach::Own(u) => {
                f.push(
                    "(r.requester_id = ? OR r.entered_by_id = ?)",
                    [Arg::Int(*u), Arg::Int(*u)],
                );
            }
            Reach::Teams { teams, user } => {
                let list = teams
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                let teams = if list.is_empty() {
                    String::new()
                } else {
                    format!("r.team_id IN ({list}) OR ")
                };
                f.push(
                    &format!(
                        "({teams}r.requester_id = ? OR r.assignee_id = ? OR r.entered_by_id = ?)"
                    ),
                    [Arg::Int(*user), Arg::Int(*user), Arg::Int(*user)],
                );
            }
        }
    }
}

/// The filters of a queue.
#[derive(Debug, Clone, Default)]
pub struct AdviceQuery {
    pub status: Option<Status>,
    pub team_id: Option<i64>,
    pub site: Option<InfectionSite>,
    /// Only those waiting past their due time.
    pub overdue: bool,
    /// Only those the person asked.
    pub mine: Option<i64>,
    /// Only those given to this member.
    pub assignee: Option<i64>,
    /// Words of the reference or the question.
    pub q: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    reference: String,
    region_code: String,
    status: String,
    urgency: String,
    asked_at: OffsetDateTime,
    due_at: OffsetDateTime,
    first_answer_at: Option<OffsetDateTime>,
    team_id: Option<i64>,
    team_name: Option<String>,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    requester_id: Option<i64>,
    requester_name: String,
    requester_profession: Option<String>,
    sector: String,
    department_code: String,
    infection_site: String,
    question_type: String,
}

impl SummaryRow {
    fn into_summary(self, now: OffsetDateTime) -> Summary {
        let mut s = Summary {
            id: self.id,
            reference: self.reference,
            region_code: self.region_code,
            status: Status::parse(&self.status).unwrap_or(Status::Open),
            urgency: Urgency::parse(&self.urgency).unwrap_or(Urgency::Routine),
            asked_at: self.asked_at,
            due_at: self.due_at,
            first_answer_at: self.first_answer_at,
            team_id: self.team_id,
            team_name: self.team_name,
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            requester_id: self.requester_id,
            requester_name: self.requester_name,
            requester_profession: self.requester_profession,
            sector: Sector::parse(&self.sector).unwrap_or(Sector::Ville),
            department: self.department_code,
            infection_site: InfectionSite::parse(&self.infection_site)
                .unwrap_or(InfectionSite::Other),
            question_type: QuestionType::parse(&self.question_type).unwrap_or(QuestionType::Other),
            overdue: false,
        };
        s.overdue = s.late_at(now);
        s
    }
}

const SUMMARY_SELECT: &str = "SELECT r.id, r.reference, r.region_code, r.status, r.urgency,
        r.asked_at, r.due_at, r.first_answer_at, r.team_id, t.name AS team_name, r.assignee_id,
        a.display_name AS assignee_name, r.requester_id, r.requester_name, r.requester_profession,
        r.sector, r.department_code, r.infection_site, r.question_type
    FROM advice_requests r LEFT JOIN ema_teams t ON t.id = r.team_id
    LEFT JOIN users a ON a.id = r.assignee_id";

/// A page of the requests a person sees: those waiting past their due time first, then those
/// needed today, then by due time (the closed ones last, newest first).
pub async fn list(
    db: &Db,
    scope: &Scope,
    reach: &Reach,
    q: &AdviceQuery,
    now: OffsetDateTime,
    page: PageRequest,
) -> Result<Page<Summary>> {
    let now = utc(now);
    let mut f = Filter::default();
    f.scope(scope, "r.region_code");
    f.push("NOT r.imported", Vec::new());
    reach.push(&mut f);
    if let Some(s) = q.status {
        f.push("r.status = ?", [Arg::Text(s.code().into())]);
    }
    if let Some(t) = q.team_id {
        f.push("r.team_id = ?", [Arg::Int(t)]);
    }
    if let Some(s) = q.site {
        f.push("r.infection_site = ?", [Arg::Text(s.code().into())]);
    }
    if q.overdue {
        f.push(
            "r.first_answer_at IS NULL AND r.status IN ('open', 'queued') AND r.due_at < ?",
            [Arg::Time(now)],
        );
    }
    if let Some(u) = q.mine {
        f.push(
            "(r.requester_id = ? OR r.entered_by_id = ?)",
            [Arg::Int(u), Arg::Int(u)],
        );
    }
    if let Some(u) = q.assignee {
        f.push("r.assignee_id = ?", [Arg::Int(u)]);
    }
    if let Some(words) = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let like = format!("%{}%", words.to_lowercase());
        f.push(
            "(LOWER(r.reference) LIKE ? OR LOWER(r.question) LIKE ?)",
            [Arg::Text(like.clone()), Arg::Text(like)],
        );
    }
    let sql_select = SUMMARY_SELECT.to_string();
    let n = f.next();
    let order = format!(
        "CASE WHEN r.status = 'closed' THEN 2 WHEN r.first_answer_at IS NULL AND r.due_at < ${n} THEN 0 ELSE 1 END,
         CASE WHEN r.status = 'closed' THEN 0 WHEN r.urgency = 'today' THEN 0 ELSE 1 END,
         CASE WHEN r.status = 'closed' THEN r.asked_at END DESC, r.due_at, r.id"
    );
    let mut f2 = f;
    f2.args.push(Arg::Time(now));
    let page = crate::fetch_page_ordered_by::<SummaryRow>(
        db,
        &sql_select,
        "SELECT COUNT(*) FROM advice_requests r",
        &f2,
        1,
        &order,
        page,
    )
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| r.into_summary(now))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    channel: String,
    entered_by: Option<String>,
    establishment_finess: Option<String>,
    establishment_name: Option<String>,
    ward_type: Option<String>,
    age: Option<i32>,
    sex: Option<String>,
    weight_kg: Option<f64>,
    pregnant: bool,
    egfr: Option<f64>,
    allergies: Option<String>,
    beta_lactam_allergy: bool,
    immunosuppressed: bool,
    antibiotics: String,
    microbiology: Option<String>,
    question: String,
    follow_up_due_on: Option<Date>,
    followed: Option<String>,
    outcome: Option<String>,
    followed_at: Option<OffsetDateTime>,
    team_phone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    author_name: String,
    at: OffsetDateTime,
    body: String,
    recommendations: String,
    antibiotics: String,
    refs: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: OffsetDateTime,
    actor: String,
    kind: String,
    detail: String,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    filename: String,
    media_type: String,
    size: i64,
    uploaded_at: OffsetDateTime,
}

fn recommendations(s: &str) -> Vec<Recommendation> {
    codes::parse_list(s, Recommendation::parse).unwrap_or_default()
}

/// One request of the scope that the person reaches, whole (`NotFound` otherwise).
pub async fn get(
    db: &Db,
    scope: &Scope,
    reach: &Reach,
    id: i64,
    now: OffsetDateTime,
) -> Result<Case> {
    let mut f = Filter::default();
    f.push("r.id = ?", [Arg::Int(id)])
        .scope(scope, "r.region_code");
    f.push("NOT r.imported", Vec::new());
    reach.push(&mut f);
    let sql = format!("{SUMMARY_SELECT}{}", f.sql());
    let summary = on_db!(db, p => bind_args!(sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)?
        .into_summary(utc(now));
    let row: CaseRow = on_db!(db, p => sqlx::query_as::<_, CaseRow>(
        "SELECT r.channel, u.display_name AS entered_by, e.finess AS establishment_finess,
            e.name AS establishment_name, r.ward_type, r.age, r.sex, r.weight_kg, r.pregnant, r.egfr,
            r.allergies, r.beta_lactam_allergy, r.immunosuppressed, r.antibiotics, r.microbiology,
            r.question, r.follow_up_due_on, r.followed, r.outcome, r.followed_at, t.phone AS team_phone
         FROM advice_requests r LEFT JOIN users u ON u.id = r.entered_by_id
         LEFT JOIN establishments e ON e.id = r.establishment_id
         LEFT JOIN ema_teams t ON t.id = r.team_id WHERE r.id = $1")
        .bind(id).fetch_one(p).await)?;
    let messages: Vec<MessageRow> = on_db!(db, p => sqlx::query_as::<_, MessageRow>(
        "SELECT id, kind, author_name, at, body, recommendations, antibiotics, refs
         FROM advice_messages WHERE request_id = $1 ORDER BY at, id")
        .bind(id).fetch_all(p).await)?;
    let events: Vec<EventRow> = on_db!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT at, actor, kind, detail FROM advice_events WHERE request_id = $1 ORDER BY at, id")
        .bind(id).fetch_all(p).await)?;
    let attachments: Vec<AttachmentRow> = on_db!(db, p => sqlx::query_as::<_, AttachmentRow>(
        "SELECT id, filename, media_type, size, uploaded_at FROM advice_attachments
         WHERE request_id = $1 ORDER BY id")
        .bind(id).fetch_all(p).await)?;
    let follow_up = match (
        row.followed.as_deref().and_then(Adherence::parse),
        row.outcome.as_deref().and_then(Outcome::parse),
        row.followed_at,
    ) {
        (Some(followed), Some(outcome), Some(at)) => Some(GivenFollowUp {
            followed,
            outcome,
            at,
        }),
        _ => None,
    };
    Ok(Case {
        summary,
        channel: Channel::parse(&row.channel).unwrap_or(Channel::Web),
        entered_by: row.entered_by,
        establishment_finess: row.establishment_finess,
        establishment_name: row.establishment_name,
        ward_type: row.ward_type.as_deref().and_then(WardType::parse),
        age: row.age.and_then(|a| u8::try_from(a).ok()),
        sex: row.sex.as_deref().and_then(Sex::parse),
        weight_kg: row.weight_kg,
        pregnant: row.pregnant,
        egfr: row.egfr,
        allergies: row.allergies,
        beta_lactam_allergy: row.beta_lactam_allergy,
        immunosuppressed: row.immunosuppressed,
        antibiotics: list_of(&row.antibiotics),
        microbiology: row.microbiology,
        question: row.question,
        messages: messages
            .into_iter()
            .map(|m| Message {
                id: m.id,
                kind: m.kind,
                author_name: m.author_name,
                at: m.at,
                body: m.body,
                recommendations: recommendations(&m.recommendations),
                antibiotics: list_of(&m.antibiotics),
                references: list_of(&m.refs),
            })
            .collect(),
        events: events
            .into_iter()
            .filter_map(|e| {
                Some(Event {
                    at: e.at,
                    actor: e.actor,
                    kind: EventKind::parse(&e.kind)?,
                    detail: e.detail,
                })
            })
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|a| Attachment {
                id: a.id,
                filename: a.filename,
                media_type: a.media_type,
                size: a.size,
                uploaded_at: a.uploaded_at,
            })
            .collect(),
        follow_up_due_on: row.follow_up_due_on,
        follow_up,
        team_phone: row.team_phone,
    })
}

/// A list stored as JSON (antibiotics given or recommended, references), read back with the
/// same serde types that wrote it; an unreadable list is empty.
fn list_of<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_default()
}

/// What the writes on an existing request need to know of it.
#[derive(Debug, Clone)]
pub struct Held {
    pub access: RegionAccess,
    pub reference: String,
    pub team_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub entered_by_id: Option<i64>,
    pub status: Status,
    pub first_answer_at: Option<OffsetDateTime>,
    pub followed: bool,
    pub imported: bool,
}

/// Request `id` as the writes see it, if `scope` reaches its region (else `NotFound`).
pub async fn held(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Held> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        Option<OffsetDateTime>,
        Option<String>,
        bool,
    )> = on_tx!(tx, c => sqlx::query_as(
        "SELECT region_code, reference, team_id, requester_id, assignee_id, entered_by_id, status,
            first_answer_at, followed, imported FROM advice_requests WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    let (
        region,
        reference,
        team_id,
        requester_id,
        assignee_id,
        entered_by_id,
        status,
        first,
        followed,
        imported,
    ) = row.ok_or(StoreError::NotFound)?;
    let access = scope.access(&region).ok_or(StoreError::NotFound)?;
    Ok(Held {
        access,
        reference,
        team_id,
        requester_id,
        assignee_id,
        entered_by_id,
        status: Status::parse(&status).unwrap_or(Status::Open),
        first_answer_at: first,
        followed: followed.is_some(),
        imported,
    })
}

/// A team's working time and what its e-mails and pages say of it.
#[derive(Debug, Clone)]
pub struct TeamDesk {
    pub team_id: i64,
    pub region_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub calendar: Calendar,
    pub target_minutes: i64,
    pub follow_up_days: i64,
    /// Whether the hours were set for advice (else the default ones).
    pub configured: bool,
}

/// The working time of team `id` (default hours and target when never set).
pub async fn desk(tx: &mut Tx, team_id: i64) -> Result<TeamDesk> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<i32>,
        Option<i32>,
    )> = on_tx!(tx, c => sqlx::query_as(
        "SELECT t.region_code, t.name, t.phone, t.email, e.department_code, s.hours, s.target_minutes, s.follow_up_days
         FROM ema_teams t JOIN establishments e ON e.id = t.host_establishment_id
         LEFT JOIN advice_team_settings s ON s.team_id = t.id WHERE t.id = $1")
        .bind(team_id).fetch_optional(&mut *c).await)?;
    let (region_code, name, phone, email, department, hours, target, follow_up) =
        row.ok_or(StoreError::NotFound)?;
    let closures: Vec<(Date, Date, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT from_day, to_day, reason FROM advice_closures WHERE team_id = $1 ORDER BY from_day")
        .bind(team_id).fetch_all(&mut *c).await)?;
    Ok(TeamDesk {
        team_id,
        region_code,
        name,
        phone,
        email,
        calendar: Calendar::new(
            hours
                .as_deref()
                .and_then(|h| Hours::parse(h).ok())
                .unwrap_or_default(),
            closures
                .into_iter()
                .map(|(from, to, reason)| Closure { from, to, reason })
                .collect(),
            &department,
        ),
        target_minutes: target.map(i64::from).unwrap_or(240),
        follow_up_days: follow_up.map(i64::from).unwrap_or(7),
        configured: hours.is_some(),
    })
}

/// [`desk`] outside a transaction, for pages.
pub async fn desk_of(db: &Db, scope: &Scope, team_id: i64) -> Result<TeamDesk> {
    let mut tx = db.begin().await?;
    let d = desk(&mut tx, team_id).await?;
    if !scope.allows(&d.region_code) {
        return Err(StoreError::NotFound);
    }
    Ok(d)
}

/// Sets a team's hours, target and follow-up delay.
pub async fn set_desk(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    hours: &Hours,
    target_minutes: i64,
    follow_up_days: i64,
) -> Result<()> {
    crate::network::team_in(tx, access, team_id).await?;
    let at = crate::now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO advice_team_settings (team_id, hours, target_minutes, follow_up_days, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (team_id) DO UPDATE SET hours = $2, target_minutes = $3, follow_up_days = $4, updated_at = $5")
        .bind(team_id).bind(hours.code()).bind(target_minutes as i32).bind(follow_up_days as i32).bind(utc(at))
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Adds a closure to a team.
pub async fn add_closure(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    c: &Closure,
) -> Result<i64> {
    crate::network::team_in(tx, access, team_id).await?;
    Ok(on_tx!(tx, x => sqlx::query_scalar(
        "INSERT INTO advice_closures (team_id, from_day, to_day, reason) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(team_id).bind(c.from).bind(c.to).bind(&c.reason).fetch_one(&mut *x).await)?)
}

/// Removes a closure of a team.
pub async fn remove_closure(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    id: i64,
) -> Result<()> {
    crate::network::team_in(tx, access, team_id).await?;
    let n = on_tx!(tx, x => sqlx::query("DELETE FROM advice_closures WHERE id = $1 AND team_id = $2")
        .bind(id).bind(team_id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A team's closures with their ids.
pub async fn closures(db: &Db, team_id: i64) -> Result<Vec<(i64, Closure)>> {
    let rows: Vec<(i64, Date, Date, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, from_day, to_day, reason FROM advice_closures WHERE team_id = $1 ORDER BY from_day")
        .bind(team_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, from, to, reason)| (id, Closure { from, to, reason }))
        .collect())
}

/// A team's rota.
pub async fn rota(db: &Db, team_id: i64) -> Result<Vec<DutySlot>> {
    let rows: Vec<(i32, String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT weekday, half_day, user_id FROM advice_rota WHERE team_id = $1 ORDER BY weekday, half_day, user_id")
        .bind(team_id).fetch_all(p).await)?;
    Ok(slots(rows))
}

fn slots(rows: Vec<(i32, String, i64)>) -> Vec<DutySlot> {
    rows.into_iter()
        .filter_map(|(w, h, u)| {
            Some(DutySlot {
                weekday: u8::try_from(w).ok()?,
                half: HalfDay::parse(&h)?,
                user_id: u,
            })
        })
        .collect()
}

/// The active accounts of a team's members: tied to the team, or carrying the e-mail of one
/// of its members in the directory (as [`crate::network::teams_of_email`] reads it).
const TEAM_ACCOUNTS: &str = "SELECT u.id, u.display_name FROM users u WHERE u.active AND (
        u.id IN (SELECT user_id FROM user_teams WHERE team_id = $1)
        OR LOWER(u.email) IN (SELECT LOWER(p.email) FROM ema_members m
            JOIN professionals p ON p.id = m.professional_id
            WHERE m.team_id = $1 AND p.email IS NOT NULL))
    ORDER BY u.display_name";

/// The accounts that may be on a team's rota: the team's members with an account (tied to the
/// team, or by the e-mail of their directory entry).
pub async fn rota_members(db: &Db, team_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as(TEAM_ACCOUNTS)
        .bind(team_id).fetch_all(p).await)?)
}

/// Replaces a team's rota; an account not tied to the team is refused on `rota`.
pub async fn set_rota(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    rota: &[DutySlot],
) -> Result<()> {
    crate::network::team_in(tx, access, team_id).await?;
    let members: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(TEAM_ACCOUNTS)
        .bind(team_id).fetch_all(&mut *c).await)?;
    if rota
        .iter()
        .any(|s| !members.iter().any(|(u, _)| *u == s.user_id))
    {
        return Err(StoreError::Invalid("rota"));
    }
    on_tx!(tx, c => async {
        sqlx::query("DELETE FROM advice_rota WHERE team_id = $1").bind(team_id).execute(&mut *c).await?;
        for s in rota {
            sqlx::query("INSERT INTO advice_rota (team_id, weekday, half_day, user_id) VALUES ($1, $2, $3, $4)
                         ON CONFLICT DO NOTHING")
                .bind(team_id).bind(i32::from(s.weekday)).bind(s.half.code()).bind(s.user_id)
                .execute(&mut *c).await?;
        }
        Ok::<(), sqlx::Error>(())
    }.await)?;
    Ok(())
}

/// The region's teams as routing sees them: departments, sectors, and the establishments each
/// serves by a convention in force that includes advice, or hosts.
pub async fn candidates(tx: &mut Tx, access: &RegionAccess, today: Date) -> Result<Vec<Candidate>> {
    let teams: Vec<(i64, String, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, sectors, host_establishment_id FROM ema_teams WHERE region_code = $1 ORDER BY id")
        .bind(access.as_str()).fetch_all(&mut *c).await)?;
    let deps: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT d.team_id, d.department_code FROM ema_team_departments d JOIN ema_teams t ON t.id = d.team_id
         WHERE t.region_code = $1").bind(access.as_str()).fetch_all(&mut *c).await)?;
    let bound: Vec<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT c.team_id, c.establishment_id FROM conventions c
         WHERE c.region_code = $1 AND c.status = 'signed' AND c.establishment_id IS NOT NULL
           AND (c.expires_on IS NULL OR c.expires_on >= $2) AND c.scope LIKE '%advice%'")
        .bind(access.as_str()).bind(today).fetch_all(&mut *c).await)?;
    Ok(teams
        .into_iter()
        .map(|(id, sectors, host)| Candidate {
            id,
            departments: deps
                .iter()
                .filter(|(t, _)| *t == id)
                .map(|(_, d)| d.clone())
                .collect(),
            sectors: sectors.split(',').filter_map(Sector::parse).collect(),
            establishments: bound
                .iter()
                .filter(|(t, _)| *t == id)
                .map(|(_, e)| *e)
                .chain([host])
                .collect(),
        })
        .collect())
}

/// The rota of team `id` within a transaction.
pub async fn rota_in(tx: &mut Tx, team_id: i64) -> Result<Vec<DutySlot>> {
    let rows: Vec<(i32, String, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT weekday, half_day, user_id FROM advice_rota WHERE team_id = $1 ORDER BY weekday, half_day, user_id")
        .bind(team_id).fetch_all(&mut *c).await)?;
    Ok(slots(rows))
}

/// The id of establishment `finess` in the region, if it is one of its.
pub async fn establishment_in(
    tx: &mut Tx,
    access: &RegionAccess,
    finess: &str,
) -> Result<Option<i64>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM establishments WHERE region_code = $1 AND finess = $2")
        .bind(access.as_str()).bind(finess).fetch_optional(&mut *c).await)?)
}

/// Who asks: an account, or a caller entered on their behalf.
#[derive(Debug, Clone)]
pub struct Asker {
    pub requester_id: Option<i64>,
    pub name: String,
    pub profession: Option<Profession>,
    pub professional_id: Option<i64>,
    pub rpps: Option<String>,
    pub entered_by_id: Option<i64>,
}

/// Where a new request goes, worked out by the use case.
#[derive(Debug, Clone)]
pub struct Placement {
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub status: Status,
    pub asked_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
}

/// Files a new request; returns its id and reference (`AV-2026-00042`).
pub async fn insert(
    tx: &mut Tx,
    access: &RegionAccess,
    r: &NewRequest,
    establishment_id: Option<i64>,
    who: &Asker,
    at: &Placement,
) -> Result<(i64, String)> {
    let antibiotics = serde_json::to_string(&r.antibiotics).unwrap_or_else(|_| "[]".into());
    let temporary = format!("AV-pending-{}", crate::random_token(8));
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO advice_requests (reference, region_code, team_id, assignee_id, requester_id, requester_name,
            requester_profession, requester_professional_id, requester_rpps, entered_by_id, channel, sector,
            establishment_id, department_code, ward_type, age, sex, weight_kg, pregnant, egfr, allergies,
            beta_lactam_allergy, immunosuppressed, infection_site, question_type, antibiotics, microbiology,
            question, urgency, status, asked_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) RETURNING id")
        .bind(&temporary).bind(access.as_str()).bind(at.team_id).bind(at.assignee_id).bind(who.requester_id)
        .bind(&who.name).bind(who.profession.map(Profession::code)).bind(who.professional_id).bind(&who.rpps)
        .bind(who.entered_by_id).bind(r.channel.code()).bind(r.sector.code()).bind(establishment_id)
        .bind(r.department).bind(r.ward_type.map(WardType::code)).bind(i32::from(r.age))
        .bind(r.sex.code()).bind(r.weight_kg).bind(r.pregnant).bind(r.egfr).bind(&r.allergies)
        .bind(r.beta_lactam_allergy).bind(r.immunosuppressed).bind(r.site.code())
        .bind(r.question_type.code()).bind(antibiotics).bind(&r.microbiology).bind(&r.question)
        .bind(r.urgency.code()).bind(at.status.code()).bind(utc(at.asked_at)).bind(utc(at.due_at))
        .fetch_one(&mut *c).await)?;
    let reference = reference(paris::today(at.asked_at).year(), id);
    on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET reference = $1 WHERE id = $2")
        .bind(&reference).bind(id).execute(&mut *c).await.map(|_| ()))
    .map_err(crate::conflict_on("reference"))?;
    Ok((id, reference))
}

/// The reference of request `id` asked in `year`.
pub fn reference(year: i32, id: i64) -> String {
    format!("AV-{year}-{id:05}")
}

/// Appends a step to a request's trace.
pub async fn event(
    tx: &mut Tx,
    id: i64,
    at: OffsetDateTime,
    actor: &str,
    kind: EventKind,
    detail: &str,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO advice_events (request_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(utc(at)).bind(actor).bind(kind.code()).bind(detail).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// A step of a request's trace, for [`events`].
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub request_id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub kind: EventKind,
    pub detail: String,
}

/// Appends many steps at once (a generated or loaded history), a few hundred rows a statement.
pub async fn events(tx: &mut Tx, rows: &[NewEvent]) -> Result<()> {
    for chunk in rows.chunks(500) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO advice_events (request_id, at, actor, kind, detail) VALUES {}",
            values.join(", ")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for e in chunk {
                q = q.bind(e.request_id).bind(utc(e.at)).bind(&e.actor).bind(e.kind.code()).bind(&e.detail);
            }
            q.execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Adds an answer to the thread: the first one sets the request answered and its follow-up
/// day; every one adds its recommendations to the request's.
pub async fn answer(
    tx: &mut Tx,
    id: i64,
    author_id: Option<i64>,
    author: &str,
    a: &NewAnswer,
    at: OffsetDateTime,
    follow_up_on: Date,
) -> Result<i64> {
    let at = utc(at);
    let codes = codes::join_codes(&a.recommendations, |r| r.code());
    let mid: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO advice_messages (request_id, kind, author_id, author_name, at, body, recommendations, antibiotics, refs)
         VALUES ($1, 'answer', $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(id).bind(author_id).bind(author).bind(at).bind(&a.body).bind(&codes)
        .bind(serde_json::to_string(&a.antibiotics).unwrap_or_else(|_| "[]".into()))
        .bind(serde_json::to_string(&a.references).unwrap_or_else(|_| "[]".into()))
        .fetch_one(&mut *c).await)?;
    let previous: String = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT recommendations FROM advice_requests WHERE id = $1").bind(id).fetch_one(&mut *c).await)?;
    let mut all = recommendations(&previous);
    for r in &a.recommendations {
        if !all.contains(r) {
            all.push(*r);
        }
    }
    all.sort_by_key(|r| Recommendation::ALL.iter().position(|x| x == r));
    on_tx!(tx, c => sqlx::query(
        "UPDATE advice_requests SET status = 'answered', recommendations = $2,
            first_answer_at = COALESCE(first_answer_at, $3),
            follow_up_due_on = COALESCE(follow_up_due_on, $4),
            assignee_id = COALESCE(assignee_id, $5)
         WHERE id = $1")
        .bind(id).bind(codes::join_codes(&all, |r| r.code())).bind(at).bind(follow_up_on).bind(author_id)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(mid)
}

/// Adds a question of the requester to the thread; an answered request opens again.
pub async fn question(
    tx: &mut Tx,
    id: i64,
    author_id: Option<i64>,
    author: &str,
    body: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    let mid: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO advice_messages (request_id, kind, author_id, author_name, at, body)
         VALUES ($1, 'question', $2, $3, $4, $5) RETURNING id")
        .bind(id).bind(author_id).bind(author).bind(utc(at)).bind(body).fetch_one(&mut *c).await)?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE advice_requests SET status = 'open', closed_at = NULL WHERE id = $1 AND status IN ('answered', 'closed')")
        .bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(mid)
}

/// Gives the request to a member (taken or handed over), or to a team (forwarded: its member on
/// duty, if any, and a new due time).
pub async fn assign(
    tx: &mut Tx,
    id: i64,
    team_id: Option<i64>,
    assignee_id: Option<i64>,
    due_at: Option<OffsetDateTime>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE advice_requests SET team_id = $2, assignee_id = $3, due_at = COALESCE($4, due_at),
            overdue_notified_at = CASE WHEN $4 IS NULL THEN overdue_notified_at END
         WHERE id = $1")
        .bind(id).bind(team_id).bind(assignee_id).bind(due_at.map(utc)).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Sets a request's status (closed: with its moment; reopened: without).
pub async fn set_status(tx: &mut Tx, id: i64, status: Status, at: OffsetDateTime) -> Result<()> {
    let closed = (status == Status::Closed).then_some(utc(at));
    on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET status = $2, closed_at = $3 WHERE id = $1")
        .bind(id).bind(status.code()).bind(closed).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Records the day-7 follow-up.
pub async fn follow_up(
    tx: &mut Tx,
    id: i64,
    followed: Adherence,
    outcome: Outcome,
    at: OffsetDateTime,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE advice_requests SET followed = $2, outcome = $3, followed_at = $4 WHERE id = $1")
        .bind(id).bind(followed.code()).bind(outcome.code()).bind(utc(at)).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Keeps an attachment of a request.
pub async fn attach(
    tx: &mut Tx,
    id: i64,
    filename: &str,
    media_type: &str,
    bytes: &[u8],
    by: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO advice_attachments (request_id, filename, media_type, size, content, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(id).bind(filename).bind(media_type).bind(bytes.len() as i64).bind(bytes).bind(by).bind(utc(at))
        .fetch_one(&mut *c).await)?)
}

/// An attachment's name, type and bytes (the caller has read its request first).
pub async fn attachment(db: &Db, request_id: i64, id: i64) -> Result<(String, String, Vec<u8>)> {
    on_db!(db, p => sqlx::query_as::<_, (String, String, Vec<u8>)>(
        "SELECT filename, media_type, content FROM advice_attachments WHERE id = $1 AND request_id = $2")
        .bind(id).bind(request_id).fetch_optional(p).await)?
    .ok_or(StoreError::NotFound)
}

/// Who is told of a request: its requester's and assignee's addresses, the team's address.
#[derive(Debug, Clone, Default)]
pub struct Addresses {
    pub requester: Option<String>,
    pub assignee: Option<String>,
    pub team: Option<String>,
    /// The region's coordinators.
    pub coordinators: Vec<String>,
}

/// The addresses around request `id`.
pub async fn addresses(tx: &mut Tx, id: i64) -> Result<Addresses> {
    let (requester, assignee, team, region): (
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ) = on_tx!(tx, c => sqlx::query_as(
        "SELECT q.email, a.email, t.email, r.region_code FROM advice_requests r
         LEFT JOIN users q ON q.id = r.requester_id AND q.active
         LEFT JOIN users a ON a.id = r.assignee_id AND a.active
         LEFT JOIN ema_teams t ON t.id = r.team_id WHERE r.id = $1")
        .bind(id).fetch_one(&mut *c).await)?;
    let coordinators: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT email FROM users WHERE role = 'coordinator' AND region_code = $1 AND active ORDER BY id")
        .bind(region).fetch_all(&mut *c).await)?;
    Ok(Addresses {
        requester,
        assignee,
        team,
        coordinators,
    })
}

/// The requests past their due time that nobody was told of yet, with their due time.
pub async fn newly_overdue(
    tx: &mut Tx,
    now: OffsetDateTime,
) -> Result<Vec<(i64, String, OffsetDateTime)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT id, reference, due_at FROM advice_requests
         WHERE first_answer_at IS NULL AND status IN ('open', 'queued') AND due_at < $1
           AND overdue_notified_at IS NULL AND imported = $2 ORDER BY id LIMIT 500")
        .bind(utc(now)).bind(false).fetch_all(&mut *c).await)?)
}

/// Marks a request's lateness as told.
pub async fn overdue_told(tx: &mut Tx, id: i64, at: OffsetDateTime) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET overdue_notified_at = $2 WHERE id = $1")
        .bind(id).bind(utc(at)).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// The requests waiting for their team's opening: id, team, region and when they were asked.
pub async fn queued(tx: &mut Tx) -> Result<Vec<(i64, Option<i64>, String, OffsetDateTime)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT id, team_id, region_code, asked_at FROM advice_requests
         WHERE status = 'queued' AND imported = $1 ORDER BY id LIMIT 500")
        .bind(false).fetch_all(&mut *c).await)?)
}

/// A queued request whose team opened: it is open (nothing else changes).
pub async fn opened(tx: &mut Tx, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET status = 'open' WHERE id = $1 AND status = 'queued'")
        .bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// The answered requests whose follow-up day came, never asked yet, of a requester with an account.
pub async fn follow_ups_due(tx: &mut Tx, today: Date) -> Result<Vec<(i64, String)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT id, reference FROM advice_requests
         WHERE follow_up_due_on <= $1 AND follow_up_asked_at IS NULL AND followed IS NULL
           AND requester_id IS NOT NULL AND imported = $2 ORDER BY id LIMIT 500")
        .bind(today).bind(false).fetch_all(&mut *c).await)?)
}

/// Marks a request's follow-up as asked.
pub async fn follow_up_asked(tx: &mut Tx, id: i64, at: OffsetDateTime) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET follow_up_asked_at = $2 WHERE id = $1")
        .bind(id).bind(utc(at)).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// The start and end instants of a year in Paris.
pub fn year_bounds(year: i32) -> (OffsetDateTime, OffsetDateTime) {
    let start = |y: i32| {
        Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| paris::from_local(d.midnight()))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    (start(year), start(year + 1))
}

/// The requests of a region asked in `year` (Paris time), of one team or all, as counted.
pub async fn counted(
    db: &Db,
    access: &RegionAccess,
    year: i32,
    team_id: Option<i64>,
) -> Result<Vec<Counted>> {
    let (from, to) = year_bounds(year);
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        OffsetDateTime,
        Option<OffsetDateTime>,
        OffsetDateTime,
        Option<i64>,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        Option<String>,
    )> = on_db!(db, p => sqlx::query_as(
        "SELECT asked_at, first_answer_at, due_at, team_id, sector, requester_profession, department_code,
            infection_site, question_type, recommendations, followed
         FROM advice_requests WHERE region_code = $1 AND asked_at >= $2 AND asked_at < $3
           AND ($4 IS NULL OR team_id = $4) ORDER BY asked_at")
        .bind(access.as_str()).bind(utc(from)).bind(utc(to)).bind(team_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                asked_at,
                first,
                due_at,
                team_id,
                sector,
                profession,
                department,
                site,
                question,
                recs,
                followed,
            )| Counted {
                asked_at,
                first_answer_at: first,
                due_at,
                team_id,
                sector: Sector::parse(&sector).unwrap_or(Sector::Ville),
                profession: profession.as_deref().and_then(Profession::parse),
                department,
                site: InfectionSite::parse(&site).unwrap_or(InfectionSite::Other),
                question: QuestionType::parse(&question).unwrap_or(QuestionType::Other),
                recommendations: recommendations(&recs),
                adherence: followed.as_deref().and_then(Adherence::parse),
            },
        )
        .collect())
}

/// The years a region has requests in (Paris time), newest first.
pub async fn years(db: &Db, access: &RegionAccess) -> Result<Vec<i32>> {
    let range: (Option<OffsetDateTime>, Option<OffsetDateTime>) = on_db!(db, p => sqlx::query_as(
        "SELECT MIN(asked_at), MAX(asked_at) FROM advice_requests WHERE region_code = $1")
        .bind(access.as_str()).fetch_one(p).await)?;
    Ok(match range {
        (Some(a), Some(b)) => (paris::today(a).year()..=paris::today(b).year())
            .rev()
            .collect(),
        _ => Vec::new(),
    })
}

/// A past log's request ready to file: its team and due time worked out.
#[derive(Debug, Clone)]
pub struct LoggedRow {
    pub request: LoggedRequest,
    pub due_at: OffsetDateTime,
}

/// Files a team's past log in one transaction; returns how many requests were filed.
pub async fn import_log(tx: &mut Tx, access: &RegionAccess, rows: &[LoggedRow]) -> Result<u64> {
    let next: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM advice_requests")
        .fetch_one(&mut *c).await)?;
    for (i, row) in rows.iter().enumerate() {
        let r = &row.request;
        let temporary = format!("AV-import-{}-{i}", next);
        let status = if r.answered_at.is_some() {
            "closed"
        } else {
            "open"
        };
        let profession = r.profession.code();
        let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO advice_requests (reference, region_code, team_id, requester_name, requester_profession,
                channel, sector, department_code, infection_site, question_type, status, asked_at, due_at,
                first_answer_at, closed_at, recommendations, followed, followed_at, imported)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18) RETURNING id")
            .bind(&temporary).bind(access.as_str()).bind(r.team_id).bind(r.profession.label_fr())
            .bind(profession).bind(r.channel.code()).bind(r.sector.code()).bind(&r.department)
            .bind(r.site.code()).bind(r.question.code()).bind(status).bind(utc(r.asked_at)).bind(utc(row.due_at))
            .bind(r.answered_at.map(utc)).bind(codes::join_codes(&r.recommendations, |x| x.code()))
            .bind(r.adherence.map(Adherence::code)).bind(r.adherence.and(r.answered_at).map(utc)).bind(true)
            .fetch_one(&mut *c).await)
        .map_err(|e| match e {
            sqlx::Error::Database(_) => StoreError::Invalid("team"),
            e => e.into(),
        })?;
        let reference = reference(paris::today(r.asked_at).year(), id);
        on_tx!(tx, c => sqlx::query("UPDATE advice_requests SET reference = $1 WHERE id = $2")
            .bind(&reference).bind(id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(rows.len() as u64)
}

/// The teams of a region, id and name, for the past log's `team` column and the filters.
pub async fn team_names(db: &Db, access: &RegionAccess) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, name FROM ema_teams WHERE region_code = $1 ORDER BY name")
        .bind(access.as_str()).fetch_all(p).await)?)
}

/// Closed cases of a region with their answers, matching words of the question or answer
/// and the codes given, newest first (at most `limit`). Words match whatever their case and
/// accents (`erysipele` finds `Érysipèle`), alike on both backends: SQLite's `LOWER` and `LIKE`
/// fold ASCII only, so the words are matched here, on folded text, not in SQL.
pub async fn knowledge(
    db: &Db,
    access: &RegionAccess,
    words: Option<&str>,
    site: Option<InfectionSite>,
    question_type: Option<QuestionType>,
    limit: i64,
) -> Result<Vec<Known>> {
    let mut f = Filter::default();
    f.push("r.region_code = ?", [Arg::Text(access.as_str().into())]);
    f.push("r.status = 'closed' AND NOT r.imported", Vec::new());
    if let Some(s) = site {
        f.push("r.infection_site = ?", [Arg::Text(s.code().into())]);
    }
    if let Some(q) = question_type {
        f.push("r.question_type = ?", [Arg::Text(q.code().into())]);
    }
    let words: Vec<String> = geo::fold(words.unwrap_or(""))
        .split_whitespace()
        .take(8)
        .map(str::to_string)
        .collect();
    // Without words, the newest `limit`; with words, the newest cases that hold them all.
    let fetched = if words.is_empty() { limit } else { 5_000 };
    let n = f.next();
    let sql = format!(
        "SELECT r.id, r.asked_at, r.infection_site, r.question_type, r.sector, r.age, r.question, m.body, m.recommendations
         FROM advice_requests r JOIN advice_messages m ON m.request_id = r.id AND m.kind = 'answer'
           AND m.id = (SELECT MIN(x.id) FROM advice_messages x WHERE x.request_id = r.id AND x.kind = 'answer')
         {} ORDER BY r.asked_at DESC LIMIT ${n}",
        f.sql()
    );
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        OffsetDateTime,
        String,
        String,
        String,
        Option<i32>,
        String,
        String,
        String,
    )> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).bind(fetched).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, _, _, _, question, answer, _)| {
            let (question, answer) = (geo::fold(question), geo::fold(answer));
            words
                .iter()
                .all(|w| question.contains(w.as_str()) || answer.contains(w.as_str()))
        })
        .take(usize::try_from(limit).unwrap_or(0))
        .map(
            |(id, at, site, q, sector, age, question, answer, recs)| Known {
                id,
                year: paris::today(at).year(),
                site: InfectionSite::parse(&site).unwrap_or(InfectionSite::Other),
                question_type: QuestionType::parse(&q).unwrap_or(QuestionType::Other),
                sector: Sector::parse(&sector).unwrap_or(Sector::Ville),
                age_band: age.map(cratb_advice::case::age_band),
                question,
                answer,
                recommendations: recommendations(&recs),
            },
        )
        .collect())
}

/// How many requests of the scope wait past their due time, for the teams given (all when none).
pub async fn overdue_count(
    db: &Db,
    scope: &Scope,
    reach: &Reach,
    now: OffsetDateTime,
) -> Result<i64> {
    let mut f = Filter::default();
    f.scope(scope, "r.region_code");
    f.push(
        "r.first_answer_at IS NULL AND r.status IN ('open', 'queued') AND r.due_at < ? AND NOT r.imported",
        [Arg::Time(utc(now))],
    );
    reach.push(&mut f);
    let sql = format!("SELECT COUNT(*) FROM advice_requests r{}", f.sql());
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
}
