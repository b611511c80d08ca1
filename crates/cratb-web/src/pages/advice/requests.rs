//! The requests: the list (mine, or my teams' queue with its filters, the overdue ones first),
//! the request form (a multipart form, for the attachments), a case with its thread, trace and
//! follow-up, and what its requester or responder does with it (answer, ask again, follow up,
//! take, hand over, forward, close, reopen). Each change redirects back and sends its e-mails.

use super::{Fields, antibiotic_name, atc_options, public_url};
use crate::AppState;
use crate::advice::send_letters;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::{Bounded, Id, Path, Query};
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, checks, field_error, fmt_time, form_status, non_empty,
    options, readable_phone, render, render_status,
};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use cratb_advice::answer::{AnswerInput, FollowUpInput, MessageInput, NewAnswer, RecommendedInput};
use cratb_advice::case::{Case, Summary};
use cratb_advice::request::{AntibioticInput, CallerInput, Figure, Flag, RequestInput};
use cratb_advice::{
    Adherence, Channel, InfectionSite, Outcome, QuestionType, Recommendation, Route, Sex, Status,
    Urgency,
};
use cratb_app::AppError;
use cratb_app::advice::{Move, NewAttachment, Powers};
use cratb_domain::{FieldError, Permission, Profession, Sector, WardType, geo};
use cratb_store::PageRequest;
use cratb_store::advice::AdviceQuery;
use serde::Deserialize;

/// How many antibiotic lines the request form offers.
pub const ANTIBIOTIC_LINES: usize = 5;
/// How many recommended antibiotics an answer form offers.
pub const RECOMMENDED_LINES: usize = 3;
/// How many files a request takes.
pub const MAX_ATTACHMENTS: usize = 5;

/// A line of a list of requests, for people.
pub struct Row {
    pub id: i64,
    pub reference: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub sector: &'static str,
    pub department: String,
    pub site: &'static str,
    pub question: &'static str,
    pub team: String,
    pub assignee: String,
    pub requester: String,
    pub asked_at: String,
    pub due_at: String,
    pub answered: bool,
    pub overdue: bool,
    pub today: bool,
}

impl Row {
    fn of(s: &Summary, lang: Lang) -> Row {
        Row {
            id: s.id,
            reference: s.reference.clone(),
            status: s.status.label(lang),
            status_code: s.status.code(),
            sector: s.sector.label(lang),
            department: s.department.clone(),
            site: s.infection_site.label(lang),
            question: s.question_type.label(lang),
            team: s.team_name.clone().unwrap_or_else(|| "CRAtb".into()),
            assignee: s.assignee_name.clone().unwrap_or_default(),
            requester: s.requester_name.clone(),
            asked_at: fmt_time(&s.asked_at, lang),
            due_at: fmt_time(&s.due_at, lang),
            answered: s.first_answer_at.is_some(),
            overdue: s.overdue,
            today: s.urgency == Urgency::Today,
        }
    }
}

#[derive(Template)]
#[template(path = "advice/list.html")]
struct ListPage {
    l: Layout,
    responder: bool,
    rows: Vec<Row>,
    total: i64,
    page: cratb_store::Page<()>,
    prev_href: Option<String>,
    next_href: Option<String>,
    statuses: Vec<Opt>,
    teams: Vec<Opt>,
    sites: Vec<Opt>,
    overdue: bool,
    q: String,
    can_ask: bool,
    can_answer: bool,
    can_stats: bool,
    can_rota: bool,
    overdue_count: i64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    team_id: Option<Id>,
    site: Option<String>,
    overdue: Option<String>,
    q: Option<String>,
    page: Option<Bounded<1, 100_000>>,
}

fn list_href(q: &ListQuery, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", non_empty(&q.status)),
        ("team_id", q.team_id.map(|t| t.get().to_string())),
        ("site", non_empty(&q.site)),
        ("overdue", non_empty(&q.overdue)),
        ("q", non_empty(&q.q)),
    ] {
        if let Some(v) = v {
            s.append_pair(k, &v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/advice?{}", s.finish())
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let tr = lang.tr();
    let (user, scope) = auth.page_user()?;
    let role = user.role();
    let responder = role.can(Permission::AnswerAdvice) || role == cratb_domain::Role::DataManager;
    let now = cratb_store::now();
    let status = non_empty(&q.status).and_then(|s| Status::parse(&s));
    let site = non_empty(&q.site).and_then(|s| InfectionSite::parse(&s));
    let overdue = non_empty(&q.overdue).is_some();
    let query = AdviceQuery {
        status,
        team_id: q.team_id.map(Id::get),
        site,
        overdue,
        q: non_empty(&q.q),
        ..Default::default()
    };
    let actor = auth.actor(user, scope.clone());
    let page_no = q.page.map(|p| p.get());
    let found = cratb_app::advice::list(
        &state.db,
        &actor,
        user,
        &query,
        now,
        PageRequest::new(page_no, Some(50)),
    )
    .await
    .map_err(PageError::app(lang))?;
    let total = found.total;
    let (items, page) = found.split();
    let (prev, next) = page.neighbours();
    let teams = if responder {
        cratb_store::network::list_teams(&state.db, &scope)
            .await
            .map_err(PageError::store(lang))?
            .into_iter()
            .map(|t| (t.team.id.to_string(), t.team.name))
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let overdue_count = if responder {
        cratb_app::advice::overdue(&state.db, &actor, user, now)
            .await
            .map_err(PageError::app(lang))?
    } else {
        0
    };
    let title = if !responder {
        tr.advice_title_mine
    } else if role.can(Permission::EditDirectory) || role == cratb_domain::Role::DataManager {
        tr.advice_title_region
    } else {
        tr.advice_title_queue
    };
    Ok(render(&ListPage {
        l: Layout::new(&auth, title),
        responder,
        rows: items.iter().map(|s| Row::of(s, lang)).collect(),
        total,
        prev_href: prev.map(|n| list_href(&q, n)),
        next_href: next.map(|n| list_href(&q, n)),
        page,
        statuses: options(
            Status::ALL.iter().map(|s| (s.code(), s.label(lang))),
            status.map_or("", |s| s.code()),
        ),
        teams: options(
            teams,
            &q.team_id.map(|t| t.get().to_string()).unwrap_or_default(),
        ),
        sites: options(
            InfectionSite::ALL.iter().map(|s| (s.code(), s.label(lang))),
            site.map_or("", |s| s.code()),
        ),
        overdue,
        q: non_empty(&q.q).unwrap_or_default(),
        can_ask: auth.can(Permission::AskAdvice),
        can_answer: auth.can(Permission::AnswerAdvice),
        can_stats: auth.can(Permission::ViewAdviceStats),
        can_rota: auth.can(Permission::EditTeam),
        overdue_count,
    }))
}

/// An antibiotic line of a form, as typed.
#[derive(Debug, Clone, Default)]
pub struct AbxLine {
    pub atc: String,
    pub dose: String,
    pub route: String,
    /// The start date (request) or the days (answer).
    pub extra: String,
}

impl AbxLine {
    /// Line `i` of a form's antibiotics: `atc_i`, `dose_i`, `route_i` and `{extra}_i`.
    fn read(f: &Fields, i: usize, extra: &str) -> AbxLine {
        AbxLine {
            atc: f.text(&format!("atc_{i}")),
            dose: f.text(&format!("dose_{i}")),
            route: f.text(&format!("route_{i}")),
            extra: f.text(&format!("{extra}_{i}")),
        }
    }
}

/// The request form as typed (kept when it comes back with errors).
#[derive(Debug, Clone, Default)]
pub struct RequestForm {
    pub sector: String,
    pub establishment: String,
    pub department: String,
    pub ward_type: String,
    pub age: String,
    pub sex: String,
    pub weight_kg: String,
    pub pregnant: bool,
    pub egfr: String,
    pub allergies: String,
    pub beta_lactam_allergy: bool,
    pub immunosuppressed: bool,
    pub infection_site: String,
    pub question_type: String,
    pub antibiotics: Vec<AbxLine>,
    pub microbiology: String,
    pub question: String,
    pub urgency: String,
    pub channel: String,
    pub caller_id: String,
    pub caller_name: String,
    pub caller_profession: String,
    pub caller_rpps: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl RequestForm {
    fn blank(department: Option<String>) -> RequestForm {
        RequestForm {
            department: department.unwrap_or_default(),
            urgency: Urgency::Routine.code().into(),
            channel: Channel::Web.code().into(),
            antibiotics: vec![AbxLine::default(); ANTIBIOTIC_LINES],
            ..Default::default()
        }
    }

    fn read(f: &Fields) -> RequestForm {
        let flag = |n: &str| !f.text(n).is_empty();
        RequestForm {
            sector: f.text("sector"),
            establishment: f.text("establishment"),
            department: f.text("department"),
            ward_type: f.text("ward_type"),
            age: f.text("age"),
            sex: f.text("sex"),
            weight_kg: f.text("weight_kg"),
            pregnant: flag("pregnant"),
            egfr: f.text("egfr"),
            allergies: f.text("allergies"),
            beta_lactam_allergy: flag("beta_lactam_allergy"),
            immunosuppressed: flag("immunosuppressed"),
            infection_site: f.text("infection_site"),
            question_type: f.text("question_type"),
            antibiotics: (1..=ANTIBIOTIC_LINES)
                .map(|i| AbxLine::read(f, i, "started_on"))
                .collect(),
            microbiology: f.text("microbiology"),
            question: f.text("question"),
            urgency: f.text("urgency"),
            channel: f.text("channel"),
            caller_id: f.text("caller_id"),
            caller_name: f.text("caller_name"),
            caller_profession: f.text("caller_profession"),
            caller_rpps: f.text("caller_rpps"),
        }
    }

    fn input(&self, responder: bool) -> RequestInput {
        let figure = |s: &str| Some(Figure::Text(s.to_string()));
        let flag = |b: bool| Some(Flag::Bool(b));
        let caller = (responder
            && [
                &self.caller_id,
                &self.caller_name,
                &self.caller_profession,
                &self.caller_rpps,
            ]
            .iter()
            .any(|s| !s.trim().is_empty()))
        .then(|| CallerInput {
            professional_id: self.caller_id.trim().parse().ok(),
            name: opt(&self.caller_name),
            profession: opt(&self.caller_profession),
            rpps: opt(&self.caller_rpps),
        });
        RequestInput {
            sector: opt(&self.sector),
            establishment: opt(&self.establishment),
            department: opt(&self.department),
            ward_type: opt(&self.ward_type).filter(|_| self.sector == Sector::Es.code()),
            age: figure(&self.age),
            sex: opt(&self.sex),
            weight_kg: figure(&self.weight_kg),
            pregnant: flag(self.pregnant),
            egfr: figure(&self.egfr),
            allergies: opt(&self.allergies),
            beta_lactam_allergy: flag(self.beta_lactam_allergy),
            immunosuppressed: flag(self.immunosuppressed),
            infection_site: opt(&self.infection_site),
            question_type: opt(&self.question_type),
            antibiotics: Some(
                self.antibiotics
                    .iter()
                    .map(|a| AntibioticInput {
                        atc: opt(&a.atc),
                        dose: opt(&a.dose),
                        route: opt(&a.route),
                        started_on: opt(&a.extra),
                    })
                    .collect(),
            ),
            microbiology: opt(&self.microbiology),
            question: opt(&self.question),
            urgency: opt(&self.urgency),
            channel: if responder { opt(&self.channel) } else { None },
            caller,
        }
    }
}

#[derive(Template)]
#[template(path = "advice/new.html")]
struct NewPage {
    l: Layout,
    action: String,
    v: RequestForm,
    responder: bool,
    sectors: Vec<Opt>,
    departments: Vec<Opt>,
    wards: Vec<Opt>,
    sexes: Vec<Opt>,
    sites: Vec<Opt>,
    questions: Vec<Opt>,
    urgencies: Vec<Opt>,
    channels: Vec<Opt>,
    professions: Vec<Opt>,
    /// One list of routes per antibiotic line (each with its own choice).
    routes: Vec<Vec<Opt>>,
    atc: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    /// Every message for `field` (the antibiotic lines have one per line), joined.
    fn errors_of(&self, field: &str) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
            .map(|e| e.message(self.l.lang))
            .collect()
    }
}

fn new_page(auth: &Auth, v: RequestForm, errors: Vec<FieldError>) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let responder = user.role().can(Permission::AnswerAdvice);
    let departments: Vec<(String, String)> = match &user.region_code {
        Some(r) => geo::departments_of(r)
            .map(|d| (d.code.to_string(), format!("{} — {}", d.code, d.name)))
            .collect(),
        None => geo::DEPARTMENTS
            .iter()
            .map(|d| (d.code.to_string(), format!("{} — {}", d.code, d.name)))
            .collect(),
    };
    let routes = v
        .antibiotics
        .iter()
        .map(|a| {
            options(
                Route::ALL.iter().map(|r| (r.code(), r.label(lang))),
                &a.route,
            )
        })
        .collect();
    let page = NewPage {
        l: Layout::new(auth, lang.tr().advice_new),
        action: format!("/advice/new?csrf={}", crate::error::urlencode(&auth.csrf)),
        responder,
        sectors: options(
            Sector::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.sector,
        ),
        departments: options(departments, &v.department),
        wards: options(
            WardType::ALL
                .iter()
                .filter(|w| **w != WardType::Whole)
                .map(|w| (w.code(), w.label(lang))),
            &v.ward_type,
        ),
        sexes: options(Sex::ALL.iter().map(|s| (s.code(), s.label(lang))), &v.sex),
        sites: options(
            InfectionSite::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.infection_site,
        ),
        questions: options(
            QuestionType::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.question_type,
        ),
        urgencies: options(
            Urgency::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.urgency,
        ),
        channels: options(
            Channel::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.channel,
        ),
        professions: options(
            Profession::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.caller_profession,
        ),
        routes,
        atc: atc_options(),
        v,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let department = cratb_app::advice::default_department(&state.db, user)
        .await
        .map_err(PageError::app(lang))?;
    new_page(&auth, RequestForm::blank(department), Vec::new())
}

/// Files a request: the form (multipart, its CSRF token in the address) and its attachments.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    form: Multipart,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut upload = crate::pages::Upload::read(form, &["attachments"])
        .await
        .map_err(|m| PageError::BadRequest(lang, m))?;
    let mut files = Vec::new();
    while let Some((name, bytes)) = upload.take_file("attachments", "piece-jointe") {
        files.push(NewAttachment {
            filename: name,
            bytes,
        });
    }
    files.reverse();
    let fields: Vec<(String, String)> = [
        "sector",
        "establishment",
        "department",
        "ward_type",
        "age",
        "sex",
        "weight_kg",
        "pregnant",
        "egfr",
        "allergies",
        "beta_lactam_allergy",
        "immunosuppressed",
        "infection_site",
        "question_type",
        "microbiology",
        "question",
        "urgency",
        "channel",
        "caller_id",
        "caller_name",
        "caller_profession",
        "caller_rpps",
    ]
    .iter()
    .map(|n| (n.to_string(), upload.text(n)))
    .chain((1..=ANTIBIOTIC_LINES).flat_map(|i| {
        ["atc", "dose", "route", "started_on"]
            .map(|n| format!("{n}_{i}"))
            .into_iter()
            .map(|n| {
                let v = upload.text(&n);
                (n, v)
            })
            .collect::<Vec<_>>()
    }))
    .collect();
    let v = RequestForm::read(&Fields(fields));
    let responder = user.role().can(Permission::AnswerAdvice);
    if files.len() > MAX_ATTACHMENTS {
        let e = FieldError::new(
            "attachment",
            format!("{MAX_ATTACHMENTS} pièces jointes au plus"),
            format!("{MAX_ATTACHMENTS} attachments at most"),
        );
        return new_page(&auth, v, vec![e]);
    }
    let base = public_url(&state, &headers);
    let actor = auth.actor(user, scope);
    let input = v.input(responder);
    let now = cratb_store::now();
    match cratb_app::advice::ask(&state.db, &actor, user, &input, &files, now, &base).await {
        Ok(filed) => {
            send_letters(&state, &filed.letters).await;
            Ok(crate::pages::login::redirect(&format!(
                "/advice/{}?filed=1",
                filed.id
            )))
        }
        Err(AppError::Invalid(e)) => new_page(&auth, v, e),
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// A message of the thread, for people.
pub struct MessageView {
    pub answer: bool,
    pub author: String,
    pub at: String,
    pub body: String,
    pub recommendations: Vec<&'static str>,
    pub antibiotics: Vec<String>,
    /// Text, and the link when it is one.
    pub references: Vec<(String, Option<String>)>,
}

/// A step of the trace, for people.
pub struct EventView {
    pub at: String,
    pub actor: String,
    pub kind: &'static str,
    pub detail: String,
}

/// The answer form as typed (kept when it comes back with errors).
#[derive(Debug, Clone, Default)]
pub struct AnswerForm {
    pub body: String,
    pub recommendations: Vec<String>,
    pub antibiotics: Vec<AbxLine>,
    pub references: String,
}

impl AnswerForm {
    fn blank() -> AnswerForm {
        AnswerForm {
            antibiotics: vec![AbxLine::default(); RECOMMENDED_LINES],
            ..Default::default()
        }
    }
    fn read(f: &Fields) -> AnswerForm {
        AnswerForm {
            body: f.text("body"),
            recommendations: f.texts("recommendations"),
            antibiotics: (1..=RECOMMENDED_LINES)
                .map(|i| AbxLine::read(f, i, "days"))
                .collect(),
            references: f.text("references"),
        }
    }
    fn input(&self) -> AnswerInput {
        AnswerInput {
            body: opt(&self.body),
            recommendations: Some(self.recommendations.clone()),
            antibiotics: Some(
                self.antibiotics
                    .iter()
                    .filter(|a| !(a.atc.is_empty() && a.dose.is_empty() && a.route.is_empty()))
                    .map(|a| RecommendedInput {
                        atc: opt(&a.atc),
                        dose: opt(&a.dose),
                        route: opt(&a.route),
                        days: opt(&a.extra).map(Figure::Text),
                    })
                    .collect(),
            ),
            references: Some(
                self.references
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        }
    }
}

/// What the page says after a request is filed.
pub struct FiledNote {
    pub queued: bool,
    /// When the team opens again, for a request that waits for it.
    pub reopens: String,
    pub team: Option<String>,
    pub due: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "advice/case.html")]
struct CasePage {
    l: Layout,
    c: Case,
    status: &'static str,
    status_code: &'static str,
    urgency_today: bool,
    overdue: bool,
    asked_at: String,
    due_at: String,
    sector: &'static str,
    ward: String,
    channel: &'static str,
    site: &'static str,
    question_type: &'static str,
    department: String,
    patient: String,
    egfr: String,
    antibiotics: Vec<(String, String, &'static str, String)>,
    messages: Vec<MessageView>,
    events: Vec<EventView>,
    attachments: Vec<(i64, String, String)>,
    follow_up: Option<(&'static str, &'static str, String)>,
    follow_up_due: String,
    filed: Option<FiledNote>,
    p: Powers,
    members: Vec<Opt>,
    teams: Vec<Opt>,
    recommendations: Vec<Opt>,
    answer: AnswerForm,
    answer_routes: Vec<Vec<Opt>>,
    adherences: Vec<Opt>,
    outcomes: Vec<Opt>,
    atc: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
    question_text: String,
}

impl CasePage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    fn errors_of(&self, field: &str) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
            .map(|e| e.message(self.l.lang))
            .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    filed: Option<String>,
}

fn figure(x: Option<f64>, unit: &str, lang: Lang) -> String {
    x.map_or(String::new(), |v| {
        format!("{} {unit}", cratb_report::format::decimal(Some(v), lang))
    })
}

/// What the case page shows after an error of one of its forms.
#[derive(Default)]
struct Again {
    answer: Option<AnswerForm>,
    question: String,
    errors: Vec<FieldError>,
}

async fn case_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    filed: bool,
    again: Again,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope.clone());
    let now = cratb_store::now();
    let c = cratb_app::advice::read(&state.db, &actor, user, id, now)
        .await
        .map_err(PageError::app(lang))?;
    let p = cratb_app::advice::powers(&state.db, user, &c)
        .await
        .map_err(PageError::app(lang))?;
    let s = &c.summary;
    let members = match (p.take, s.team_id) {
        (true, Some(t)) => cratb_store::advice::rota_members(&state.db, t)
            .await
            .map_err(PageError::store(lang))?
            .into_iter()
            .filter(|(u, _)| Some(*u) != s.assignee_id)
            .map(|(u, n)| (u.to_string(), n))
            .collect(),
        _ => Vec::new(),
    };
    let teams = if p.take {
        cratb_store::network::list_teams(&state.db, &scope)
            .await
            .map_err(PageError::store(lang))?
            .into_iter()
            .filter(|t| t.team.region_code == s.region_code && Some(t.team.id) != s.team_id)
            .map(|t| (t.team.id.to_string(), t.team.name))
            .collect()
    } else {
        Vec::new()
    };
    let answer = again.answer.unwrap_or_else(AnswerForm::blank);
    let reopens = match (filed && s.status == Status::Queued, s.team_id) {
        (true, Some(t)) => cratb_app::advice::desk(&state.db, &actor, t)
            .await
            .ok()
            .and_then(|d| d.calendar.next_opening(now))
            .map_or(String::new(), |o| fmt_time(&o, lang)),
        _ => String::new(),
    };
    let filed = filed.then(|| FiledNote {
        queued: s.status == Status::Queued,
        reopens,
        team: s.team_name.clone(),
        due: fmt_time(&s.due_at, lang),
        phone: readable_phone(c.team_phone.as_deref()),
    });
    let page = CasePage {
        l: Layout::new(auth, &s.reference),
        status: s.status.label(lang),
        status_code: s.status.code(),
        urgency_today: s.urgency == Urgency::Today,
        overdue: s.late_at(now),
        asked_at: fmt_time(&s.asked_at, lang),
        due_at: fmt_time(&s.due_at, lang),
        sector: s.sector.label(lang),
        ward: c.ward_type.map_or(String::new(), |w| w.label(lang).into()),
        channel: c.channel.label(lang),
        site: s.infection_site.label(lang),
        question_type: s.question_type.label(lang),
        department: geo::department(&s.department)
            .map_or(s.department.clone(), |d| format!("{} — {}", d.code, d.name)),
        patient: [
            c.age.map(|a| match lang {
                Lang::Fr => format!("{a} ans"),
                Lang::En => format!("{a} years"),
            }),
            c.sex.map(|x| x.label(lang).to_string()),
            Some(figure(c.weight_kg, "kg", lang)).filter(|w| !w.is_empty()),
            c.pregnant.then(|| lang.tr().advice_pregnant.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", "),
        egfr: figure(c.egfr, "mL/min", lang),
        antibiotics: c
            .antibiotics
            .iter()
            .map(|a| {
                (
                    antibiotic_name(&a.atc, lang),
                    a.dose.clone(),
                    a.route.label(lang),
                    a.started_on
                        .map_or(String::new(), |d| crate::pages::network::fmt_date(d, lang)),
                )
            })
            .collect(),
        messages: c
            .messages
            .iter()
            .map(|m| MessageView {
                answer: m.kind == "answer",
                author: m.author_name.clone(),
                at: fmt_time(&m.at, lang),
                body: m.body.clone(),
                recommendations: m.recommendations.iter().map(|r| r.label(lang)).collect(),
                antibiotics: m
                    .antibiotics
                    .iter()
                    .map(|a| {
                        let mut s = format!(
                            "{} — {} — {}",
                            antibiotic_name(&a.atc, lang),
                            a.dose,
                            a.route.label(lang)
                        );
                        if let Some(d) = a.days {
                            s.push_str(&format!(
                                " — {d} {}",
                                if lang == Lang::Fr { "jours" } else { "days" }
                            ));
                        }
                        s
                    })
                    .collect(),
                references: m
                    .references
                    .iter()
                    .map(|r| {
                        let link = (r.starts_with("https://") || r.starts_with("http://"))
                            .then(|| r.clone());
                        (r.clone(), link)
                    })
                    .collect(),
            })
            .collect(),
        events: c
            .events
            .iter()
            .map(|e| EventView {
                at: fmt_time(&e.at, lang),
                actor: e.actor.clone(),
                kind: e.kind.label(lang),
                detail: e.detail.clone(),
            })
            .collect(),
        attachments: c
            .attachments
            .iter()
            .map(|a| {
                (
                    a.id,
                    a.filename.clone(),
                    format!("{} Kio", (a.size + 1023) / 1024),
                )
            })
            .collect(),
        follow_up: c.follow_up.map(|f| {
            (
                f.followed.label(lang),
                f.outcome.label(lang),
                fmt_time(&f.at, lang),
            )
        }),
        follow_up_due: c
            .follow_up_due_on
            .map_or(String::new(), |d| crate::pages::network::fmt_date(d, lang)),
        filed,
        p,
        members: options(members, ""),
        teams: options(teams, ""),
        recommendations: checks(
            Recommendation::ALL
                .iter()
                .map(|r| (r.code(), r.label(lang))),
            &answer.recommendations,
        ),
        answer_routes: answer
            .antibiotics
            .iter()
            .map(|a| {
                options(
                    Route::ALL.iter().map(|r| (r.code(), r.label(lang))),
                    &a.route,
                )
            })
            .collect(),
        answer,
        adherences: options(Adherence::ALL.iter().map(|a| (a.code(), a.label(lang))), ""),
        outcomes: options(
            Outcome::ALL.iter().map(|a| (a.code(), a.label(lang))),
            Outcome::Unknown.code(),
        ),
        atc: atc_options(),
        errors: again.errors,
        question_text: again.question,
        c,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> PageResult {
    case_page(
        &state,
        &auth,
        id,
        non_empty(&q.filed).is_some(),
        Again::default(),
    )
    .await
}

/// A file attached to a case, downloaded (the read is in the audit log).
pub async fn attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, att)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let (name, media_type, bytes) =
        cratb_app::advice::attachment(&state.db, &actor, user, id, att, cratb_store::now())
            .await
            .map_err(PageError::app(lang))?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::error::urlencode(&name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn back(id: i64, anchor: &str) -> axum::response::Response {
    crate::pages::login::redirect(&format!("/advice/{id}{anchor}"))
}

/// `POST /advice/{id}/answer`: the responder's answer.
pub async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let v = AnswerForm::read(&Fields(form));
    let checked = match NewAnswer::validate(&v.input()) {
        Ok(a) => a,
        Err(errors) => {
            let again = Again {
                answer: Some(v),
                errors,
                ..Default::default()
            };
            return case_page(&state, &auth, id, false, again).await;
        }
    };
    let base = public_url(&state, &headers);
    let actor = auth.actor(user, scope);
    match cratb_app::advice::answer(
        &state.db,
        &actor,
        user,
        id,
        &checked,
        cratb_store::now(),
        &base,
    )
    .await
    {
        Ok(letters) => {
            send_letters(&state, &letters).await;
            Ok(back(id, "#fil"))
        }
        Err(AppError::Invalid(errors)) => {
            let again = Again {
                answer: Some(v),
                errors,
                ..Default::default()
            };
            case_page(&state, &auth, id, false, again).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// `POST /advice/{id}/question`: a follow-up question of the requester.
pub async fn question(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let input = MessageInput {
        body: f.opt("body"),
    };
    let body = match cratb_advice::answer::question_text(&input) {
        Ok(b) => b,
        Err(errors) => {
            let again = Again {
                question: f.text("body"),
                errors,
                ..Default::default()
            };
            return case_page(&state, &auth, id, false, again).await;
        }
    };
    let base = public_url(&state, &headers);
    let actor = auth.actor(user, scope);
    let letters = cratb_app::advice::ask_again(
        &state.db,
        &actor,
        user,
        id,
        &body,
        cratb_store::now(),
        &base,
    )
    .await
    .map_err(PageError::app(lang))?;
    send_letters(&state, &letters).await;
    Ok(back(id, "#fil"))
}

/// `POST /advice/{id}/follow-up`: the day-7 follow-up, in one click.
pub async fn follow_up(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let input = FollowUpInput {
        followed: f.opt("followed"),
        outcome: f.opt("outcome"),
    };
    let checked = match cratb_advice::answer::FollowUp::validate(&input) {
        Ok(c) => c,
        Err(errors) => {
            let again = Again {
                errors,
                ..Default::default()
            };
            return case_page(&state, &auth, id, false, again).await;
        }
    };
    let actor = auth.actor(user, scope);
    cratb_app::advice::follow_up(&state.db, &actor, user, id, &checked, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    Ok(back(id, "#suivi"))
}

/// `POST /advice/{id}/move`: take, hand over, forward, close or reopen.
pub async fn move_request(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let number = |name: &str| f.text(name).parse::<i64>().ok();
    let m = match f.text("action").as_str() {
        "take" => Move::Take,
        "hand_over" => match number("to") {
            Some(to) => Move::HandOver { to },
            None => {
                return Err(PageError::BadRequest(
                    lang,
                    match lang {
                        Lang::Fr => "choisissez un membre de l'équipe",
                        Lang::En => "choose a member of the team",
                    }
                    .into(),
                ));
            }
        },
        "forward" => match number("team_id") {
            Some(team_id) => Move::Forward { team_id },
            None => {
                return Err(PageError::BadRequest(
                    lang,
                    match lang {
                        Lang::Fr => "choisissez une équipe",
                        Lang::En => "choose a team",
                    }
                    .into(),
                ));
            }
        },
        "close" => Move::Close,
        "reopen" => Move::Reopen,
        _ => {
            return Err(PageError::BadRequest(
                lang,
                match lang {
                    Lang::Fr => "action inconnue",
                    Lang::En => "unknown action",
                }
                .into(),
            ));
        }
    };
    let base = public_url(&state, &headers);
    let actor = auth.actor(user, scope);
    let letters =
        cratb_app::advice::move_request(&state.db, &actor, user, id, m, cratb_store::now(), &base)
            .await
            .map_err(PageError::app(lang))?;
    send_letters(&state, &letters).await;
    Ok(back(id, ""))
}

#[derive(Template)]
#[template(path = "advice/callers.html")]
struct CallersFragment {
    l: Layout,
    found: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "advice/caller_pick.html")]
struct CallerPick {
    l: Layout,
    v: RequestForm,
    professions: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub struct CallersQuery {
    caller_q: Option<String>,
    pick: Option<Id>,
}

/// `GET /advice/callers`: the directory searched as the responder types the caller's name (a
/// list to pick from), or the caller's fields filled from the entry picked (`pick`). Pieces of
/// the request form, for htmx.
pub async fn callers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CallersQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let l = Layout::new(&auth, "");
    if let Some(id) = q.pick {
        let p = cratb_store::directory::get(&state.db, &scope, id.get())
            .await
            .map_err(PageError::store(lang))?;
        let v = RequestForm {
            caller_id: p.id.to_string(),
            caller_name: format!("{} {}", p.first_name, p.last_name),
            caller_profession: p.profession.clone(),
            caller_rpps: p.rpps.clone().unwrap_or_default(),
            ..Default::default()
        };
        return Ok(render(&CallerPick {
            professions: options(
                Profession::ALL.iter().map(|s| (s.code(), s.label(lang))),
                &v.caller_profession,
            ),
            v,
            l,
        }));
    }
    let words = non_empty(&q.caller_q).filter(|w| w.chars().count() >= 2);
    let found = match words {
        None => Vec::new(),
        Some(w) => cratb_store::directory::list(
            &state.db,
            &scope,
            &cratb_directory::professionals::DirectoryQuery {
                q: Some(w),
                ..Default::default()
            },
            PageRequest::new(None, Some(8)),
        )
        .await
        .map_err(PageError::store(lang))?
        .items
        .into_iter()
        .map(|p| {
            let profession = Profession::parse(&p.profession)
                .map_or(p.profession.clone(), |x| x.label(lang).to_string());
            let mut label = format!("{} {} — {profession}", p.first_name, p.last_name);
            if let Some(r) = &p.rpps {
                label.push_str(&format!(" — RPPS {r}"));
            }
            (p.id, label)
        })
        .collect(),
    };
    Ok(render(&CallersFragment { l, found }))
}
