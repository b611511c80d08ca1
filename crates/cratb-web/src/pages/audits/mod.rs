//! The appropriateness audits' screens: what a person has to do and the campaigns
//! (`/audits`), the library of grids, a new campaign, a campaign with its progress and its
//! sheet upload, the cases entered at the bedside, the results. Every page calls the use cases
//! of `cratb_app::audits`; the action plans have their own pages (`/action-plans`).

pub mod campaigns;
pub mod cases;
pub mod grids;
pub mod results;

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::{Catalogue as _, Lang};
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_audit::campaign::State as CampaignState;
use cratb_domain::Permission;
use cratb_store::audits::{CampaignRow, Participant};
use time::Date;

/// A day as people read it (`01/03/2026`; `2026-03-01` in English).
pub fn day(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        Lang::En => d.to_string(),
    }
}

/// A campaign's period (`01/03/2026 – 31/03/2026`).
pub fn period(c: &CampaignRow, lang: Lang) -> String {
    format!("{} – {}", day(c.starts_on, lang), day(c.ends_on, lang))
}

/// Cases validated against a target, as a bar shows them.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub validated: i64,
    pub target: i64,
    pub drafts: i64,
    /// 0 to 100, for the bar's width.
    pub percent: i64,
}

impl Progress {
    pub fn new(validated: i64, target: i64, drafts: i64) -> Progress {
        let percent = if target > 0 {
            (100 * validated / target).clamp(0, 100)
        } else {
            0
        };
        Progress {
            validated,
            target,
            drafts,
            percent,
        }
    }

    /// A participant's progress in a campaign of `target` cases each.
    pub fn of(p: &Participant, target: i32) -> Progress {
        Progress::new(p.validated, i64::from(target), p.drafts)
    }
}

/// A campaign as a list shows it.
pub struct CampaignItem {
    pub id: i64,
    pub title: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub grid: String,
    pub period: String,
    pub participants: i64,
    pub progress: Progress,
}

impl CampaignItem {
    pub fn of(c: &CampaignRow, s: CampaignState, lang: Lang) -> CampaignItem {
        CampaignItem {
            id: c.id,
            title: c.title.clone(),
            state: s.label(lang),
            state_code: s.code(),
            grid: format!("{} v{} — {}", c.grid_code, c.grid_version, c.grid_title),
            period: period(c, lang),
            participants: c.participants,
            progress: Progress::new(c.cases, i64::from(c.target) * c.participants, c.drafts),
        }
    }
}

/// One establishment's cases still to enter in an open campaign.
pub struct Todo {
    pub campaign_id: i64,
    pub campaign: String,
    pub finess: String,
    pub name: String,
    pub progress: Progress,
}

#[derive(Template)]
#[template(path = "audits/home.html")]
struct HomePage {
    l: Layout,
    todo: Vec<Todo>,
    may_enter: bool,
    may_manage: bool,
    may_plans: bool,
    campaigns: Vec<CampaignItem>,
}

/// `GET /audits`: what this person has to do, and the campaigns.
pub async fn home(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let rows = cratb_app::audits::campaigns(&state.db, &actor, user, now)
        .await
        .map_err(PageError::app(lang))?;
    let may_enter = auth.can(Permission::EnterAuditCases);
    let mut todo = Vec::new();
    if may_enter {
        for (c, _) in rows.iter().filter(|(_, s)| *s == CampaignState::Open) {
            let view = cratb_app::audits::campaign(&state.db, &actor, user, c.id, now)
                .await
                .map_err(PageError::app(lang))?;
            for p in &view.may_enter {
                if p.validated < i64::from(c.target) {
                    todo.push(Todo {
                        campaign_id: c.id,
                        campaign: c.title.clone(),
                        finess: p.finess.clone(),
                        name: p.name.clone(),
                        progress: Progress::of(p, c.target),
                    });
                }
            }
        }
    }
    // The CRAtb staff's list of places to enter would be the whole region: they see the
    // campaigns' progress instead.
    if auth.can(Permission::RunAudits) {
        todo.clear();
    }
    Ok(render(&HomePage {
        l: Layout::new(&auth, lang.tr().au_title),
        todo,
        may_enter,
        may_manage: auth.can(Permission::RunAudits),
        may_plans: auth.can(Permission::ViewActionPlans),
        campaigns: rows
            .iter()
            .map(|(c, s)| CampaignItem::of(c, *s, lang))
            .collect(),
    }))
}
