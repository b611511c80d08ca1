//! A team's duty rota (who answers on which weekday and half-day), its advice hours, its
//! first-answer target and follow-up delay, its closures, and the coming public holidays
//! (computed). Editable by the team's members and the CRAtb staff, read-only for the others.

use super::Fields;
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::{Id, Path, Query};
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, form_status, non_empty, options, render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_advice::calendar::{Closure, Hours, public_holidays};
use cratb_advice::rota::{DutySlot, HalfDay, WEEKDAYS};
use cratb_app::AppError;
use cratb_domain::{FieldError, Permission, Role};
use serde::Deserialize;
use time::Time;

/// A half-day cell: the members, each ticked when on duty.
pub struct Cell {
    pub half: &'static str,
    pub members: Vec<Opt>,
}

/// A weekday of the grid: its number (1–7), name, hours, cells.
pub struct Day {
    pub n: u8,
    pub name: &'static str,
    pub open: String,
    pub close: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "advice/rota.html")]
struct RotaPage {
    l: Layout,
    team_id: i64,
    teams: Vec<Opt>,
    days: Vec<Day>,
    members: usize,
    target_hours: String,
    follow_up_days: String,
    closures: Vec<(i64, String, String, String)>,
    holidays: Vec<(String, &'static str)>,
    can_edit: bool,
    saved: bool,
    errors: Vec<FieldError>,
    can_ask: bool,
    can_answer: bool,
    can_stats: bool,
    can_rota: bool,
}

#[derive(Deserialize, Default)]
pub struct RotaQuery {
    team_id: Option<Id>,
    saved: Option<String>,
}

fn hm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// The teams `auth`'s user may look at: their own for an EMA member, the region's for the
/// others.
async fn visible_teams(state: &AppState, auth: &Auth) -> Result<Vec<(i64, String)>, PageError> {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let all = cratb_store::network::list_teams(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?;
    let mine = if user.role() == Role::EmaMember {
        let mut t = user.team_ids.clone();
        t.extend(
            cratb_store::network::teams_of_email(&state.db, &user.email)
                .await
                .map_err(PageError::store(lang))?,
        );
        Some(t)
    } else {
        None
    };
    Ok(all
        .into_iter()
        .filter(|t| mine.as_ref().is_none_or(|m| m.contains(&t.team.id)))
        .map(|t| (t.team.id, t.team.name))
        .collect())
}

/// The values typed, kept when the form comes back with errors.
#[derive(Default)]
struct Typed {
    hours: Vec<(String, String)>,
    target_hours: String,
    follow_up_days: String,
    duty: Vec<DutySlot>,
}

async fn rota_page(
    state: &AppState,
    auth: &Auth,
    team_id: Option<i64>,
    saved: bool,
    typed: Option<Typed>,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let tr = lang.tr();
    let (user, scope) = auth.page_user()?;
    let teams = visible_teams(state, auth).await?;
    let team_id = match team_id {
        Some(t) if teams.iter().any(|(id, _)| *id == t) => t,
        Some(_) => return Err(PageError::NotFound(lang)),
        None => match teams.first() {
            Some((t, _)) => *t,
            None => {
                return Err(PageError::BadRequest(lang, tr.advice_no_team.to_string()));
            }
        },
    };
    let actor = auth.actor(user, scope);
    let desk = cratb_app::advice::desk(&state.db, &actor, team_id)
        .await
        .map_err(PageError::app(lang))?;
    let members = cratb_store::advice::rota_members(&state.db, team_id)
        .await
        .map_err(PageError::store(lang))?;
    let slots = match &typed {
        Some(t) => t.duty.clone(),
        None => cratb_store::advice::rota(&state.db, team_id)
            .await
            .map_err(PageError::store(lang))?,
    };
    let closures = cratb_store::advice::closures(&state.db, team_id)
        .await
        .map_err(PageError::store(lang))?;
    let can_edit = crate::pages::network::can_edit_team(state, auth, team_id).await?;
    let today = cratb_domain::paris::today(cratb_store::now());
    let mut holidays: Vec<(time::Date, &'static str)> = [today.year(), today.year() + 1]
        .iter()
        .flat_map(|y| public_holidays(*y, desk.calendar.alsace_moselle))
        .filter(|(d, _)| *d >= today)
        .collect();
    holidays.sort();
    holidays.truncate(8);
    let days = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, (wd, fr, en))| {
            let n = (i + 1) as u8;
            let (open, close) = match &typed {
                Some(t) => t.hours.get(i).cloned().unwrap_or_default(),
                None => desk
                    .calendar
                    .hours
                    .on(*wd)
                    .map_or((String::new(), String::new()), |(o, c)| (hm(o), hm(c))),
            };
            let cells = HalfDay::ALL
                .iter()
                .map(|h| Cell {
                    half: h.code(),
                    members: members
                        .iter()
                        .map(|(u, name)| Opt {
                            value: u.to_string(),
                            label: name.clone(),
                            selected: slots
                                .iter()
                                .any(|s| s.weekday == n && s.half == *h && s.user_id == *u),
                        })
                        .collect(),
                })
                .collect();
            Day {
                n,
                name: if lang == Lang::Fr { fr } else { en },
                open,
                close,
                cells,
            }
        })
        .collect();
    let (target_hours, follow_up_days) = match &typed {
        Some(t) => (t.target_hours.clone(), t.follow_up_days.clone()),
        None => (
            cratb_report::format::decimal(Some(desk.target_minutes as f64 / 60.0), lang),
            desk.follow_up_days.to_string(),
        ),
    };
    let page = RotaPage {
        l: Layout::new(auth, &format!("{} — {}", tr.advice_rota, desk.name)),
        team_id,
        teams: options(
            teams.iter().map(|(id, n)| (id.to_string(), n.clone())),
            &team_id.to_string(),
        ),
        days,
        members: members.len(),
        target_hours,
        follow_up_days,
        closures: closures
            .into_iter()
            .map(|(id, c)| {
                (
                    id,
                    crate::pages::network::fmt_date(c.from, lang),
                    crate::pages::network::fmt_date(c.to, lang),
                    c.reason,
                )
            })
            .collect(),
        holidays: holidays
            .into_iter()
            .map(|(d, n)| (crate::pages::network::fmt_date(d, lang), n))
            .collect(),
        can_edit,
        saved,
        can_ask: auth.can(Permission::AskAdvice),
        can_answer: auth.can(Permission::AnswerAdvice),
        can_stats: auth.can(Permission::ViewAdviceStats),
        can_rota: auth.can(Permission::EditTeam),
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RotaQuery>,
) -> PageResult {
    rota_page(
        &state,
        &auth,
        q.team_id.map(Id::get),
        non_empty(&q.saved).is_some(),
        None,
        Vec::new(),
    )
    .await
}

fn team_of(f: &Fields, lang: Lang) -> Result<i64, PageError> {
    f.text("team_id").parse::<i64>().map_err(|_| {
        PageError::BadRequest(
            lang,
            match lang {
                Lang::Fr => "choisissez une équipe",
                Lang::En => "choose a team",
            }
            .into(),
        )
    })
}

fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// `POST /advice/rota`: the team's hours, target, follow-up delay and rota.
pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let team_id = team_of(&f, lang)?;
    let mut errors = Vec::new();
    let mut typed = Typed {
        target_hours: f.text("target_hours"),
        follow_up_days: f.text("follow_up_days"),
        ..Default::default()
    };
    let mut days = [None; 7];
    for (i, day) in days.iter_mut().enumerate() {
        let (open, close) = (
            f.text(&format!("open_{}", i + 1)),
            f.text(&format!("close_{}", i + 1)),
        );
        typed.hours.push((open.clone(), close.clone()));
        if open.is_empty() && close.is_empty() {
            continue;
        }
        match (parse_time(&open), parse_time(&close)) {
            (Some(o), Some(c)) => *day = Some((o, c)),
            _ => errors.push(FieldError::new(
                "hours",
                format!("{} : heures au format HH:MM", WEEKDAYS[i].1),
                format!("{}: times as HH:MM", WEEKDAYS[i].2),
            )),
        }
    }
    let hours = match Hours::new(days) {
        Ok(h) => Some(h),
        Err(m) => {
            errors.push(FieldError::new("hours", m.clone(), m));
            None
        }
    };
    let target = typed
        .target_hours
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0 && *h <= 240.0)
        .map(|h| (h * 60.0).round() as i64);
    if target.is_none() {
        errors.push(FieldError::new(
            "target_minutes",
            "un délai en heures, de 0,25 à 240",
            "a target in hours, from 0.25 to 240",
        ));
    }
    let follow_up = typed.follow_up_days.parse::<i64>().ok();
    if follow_up.is_none() {
        errors.push(FieldError::new(
            "follow_up_days",
            "un nombre de jours",
            "a number of days",
        ));
    }
    for n in 1..=7u8 {
        for h in HalfDay::ALL {
            for v in f.texts(&format!("duty_{n}_{}", h.code())) {
                match v.parse::<i64>() {
                    Ok(u) => typed.duty.push(DutySlot {
                        weekday: n,
                        half: *h,
                        user_id: u,
                    }),
                    Err(_) => errors.push(FieldError::new(
                        "rota",
                        "membre illisible",
                        "unreadable member",
                    )),
                }
            }
        }
    }
    if !crate::pages::network::can_edit_team(&state, &auth, team_id).await? {
        return Err(PageError::Forbidden(lang));
    }
    let (Some(hours), Some(target), Some(follow_up), true) =
        (hours, target, follow_up, errors.is_empty())
    else {
        return rota_page(&state, &auth, Some(team_id), false, Some(typed), errors).await;
    };
    let actor = auth.actor(user, scope);
    let result = async {
        cratb_app::advice::set_desk(&state.db, &actor, user, team_id, &hours, target, follow_up)
            .await?;
        cratb_app::advice::set_rota(&state.db, &actor, user, team_id, &typed.duty).await
    }
    .await;
    match result {
        Ok(()) => Ok(crate::pages::login::redirect(&format!(
            "/advice/rota?team_id={team_id}&saved=1"
        ))),
        Err(AppError::Invalid(e)) => {
            rota_page(&state, &auth, Some(team_id), false, Some(typed), e).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// `POST /advice/rota/closures`: a closure of the team (holidays, training day…).
pub async fn add_closure(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let team_id = team_of(&f, lang)?;
    let day = |n: &str| cratb_advice::request::parse_day(&f.text(n));
    let mut errors = Vec::new();
    let (from, to) = (day("from"), day("to"));
    if from.is_none() {
        errors.push(FieldError::new(
            "from",
            "date de début illisible",
            "unreadable start date",
        ));
    }
    if to.is_none() {
        errors.push(FieldError::new(
            "to",
            "date de fin illisible",
            "unreadable end date",
        ));
    }
    let reason = f.text("reason");
    if reason.chars().count() > 200 {
        errors.push(FieldError::new(
            "reason",
            "200 caractères au plus",
            "200 characters at most",
        ));
    }
    if !crate::pages::network::can_edit_team(&state, &auth, team_id).await? {
        return Err(PageError::Forbidden(lang));
    }
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return rota_page(&state, &auth, Some(team_id), false, None, errors).await;
    };
    let actor = auth.actor(user, scope);
    let c = Closure { from, to, reason };
    match cratb_app::advice::add_closure(&state.db, &actor, user, team_id, &c).await {
        Ok(()) => Ok(crate::pages::login::redirect(&format!(
            "/advice/rota?team_id={team_id}&saved=1#fermetures"
        ))),
        Err(AppError::Invalid(e)) => rota_page(&state, &auth, Some(team_id), false, None, e).await,
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// `POST /advice/rota/closures/{id}/delete`.
pub async fn remove_closure(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let team_id = team_of(&f, lang)?;
    let actor = auth.actor(user, scope);
    cratb_app::advice::remove_closure(&state.db, &actor, user, team_id, id)
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/advice/rota?team_id={team_id}&saved=1#fermetures"
    )))
}
