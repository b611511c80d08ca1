//! The home page: what this person has to do today, according to their role.

use super::{Layout, fmt_time, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cratb_domain::{Permission, geo};

/// A to-do line: count, text, link.
pub struct Todo {
    pub count: i64,
    pub text: &'static str,
    pub href: &'static str,
}

/// A recent audit entry, formatted.
pub struct Recent {
    pub at: String,
    pub actor: String,
    /// The action in words.
    pub action: String,
    pub summary: String,
}

/// An establishment the account is tied to, and where its figures are.
pub struct Place {
    pub name: String,
    pub finess: String,
    pub category: &'static str,
    /// Its consumption page and feedback report (for the roles that see consumption).
    pub consumption: Option<(String, String)>,
    pub antibiogram: String,
}

/// A prescriber's territory in primary care, formatted.
pub struct Primary {
    pub territory: String,
    /// The territory is the region itself (no department to set beside it).
    pub is_region: bool,
    pub year: i32,
    pub partial: bool,
    pub did: String,
    pub region_did: String,
    pub prescriptions: String,
    pub region_prescriptions: String,
    /// Against the national target of prescriptions: reached, or by how much above it.
    pub against_target: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    name: String,
    role_label: &'static str,
    region_label: String,
    sectors: Vec<(&'static str, i64)>,
    todos: Vec<Todo>,
    recent: Vec<Recent>,
    can_view_establishments: bool,
    can_edit: bool,
    /// The account is tied to places (its own figures replace the region's counts).
    has_places: bool,
    places: Vec<Place>,
    /// A prescriber's territory (none without primary-care data).
    primary: Option<Primary>,
    /// The public search of whom to ask, for the prescriber's department.
    advice_href: Option<String>,
    /// The advice service at a glance (for those who may ask).
    advice: Option<cratb_app::today::AdviceGlance>,
    /// The audits and action plans: what there is to enter or do.
    audits: Option<AuditsHome>,
    /// A demonstration installation (said on the page: second factor optional for everyone).
    demo: bool,
}

/// The audits and action plans as the home page says them.
pub struct AuditsHome {
    /// Open campaigns with cases left to enter: id, title, entered, expected.
    pub campaigns: Vec<(i64, String, i64, i64)>,
    /// The person's overdue actions.
    pub late: Vec<crate::pages::plans::LateLine>,
    /// The region's overdue actions (the CRAtb staff).
    pub region_overdue: Option<usize>,
}

/// A prescriber's territory as the home page writes it.
fn primary(g: &cratb_app::today::PrimaryGlance, lang: cratb_domain::Lang) -> Primary {
    use cratb_report::format::{decimal, thousands};
    Primary {
        territory: g.territory_name.clone(),
        is_region: g.territory == "region",
        year: g.year,
        partial: !g.complete,
        did: decimal(g.did, lang),
        region_did: decimal(g.region_did, lang),
        prescriptions: g.prescriptions.map_or("—".into(), |p| thousands(p, lang)),
        region_prescriptions: g
            .region_prescriptions
            .map_or("—".into(), |p| thousands(p, lang)),
        // A year known only in part is not read against a yearly target.
        against_target: cratb_report::consumption::prescriptions_target(
            g.prescriptions.filter(|_| g.complete),
            lang,
        ),
    }
}

pub async fn home(State(state): State<AppState>, auth: Auth) -> Response {
    match build(&state, &auth).await {
        Ok(p) => render(&p),
        Err(e) => e.into_response(),
    }
}

async fn build(state: &AppState, auth: &Auth) -> Result<HomePage, PageError> {
    use cratb_app::today::Todo::*;
    let lang = auth.lang;
    let tr = lang.tr();
    let (user, scope) = auth.page_user()?;
    let role = user.role();
    let remind = super::network::conventions::REMIND_WITHIN_DAYS;
    let o = cratb_app::today::overview(&state.db, user, &scope, remind)
        .await
        .map_err(PageError::app(lang))?;
    let todos = o.todos.into_iter().map(|(todo, count)| {
        let (text, href) = match todo {
            EsWithoutGht => (tr.home_es_without_ght, "/establishments?sector=ES"),
            MissingBeds => (tr.home_missing_beds, "/establishments"),
            FailedLogins => (tr.home_failed_logins, "/audit?entity=session"),
            InactiveAccounts => (tr.home_inactive_accounts, "/users"),
            PendingCorrections => (tr.home_pending_corrections, "/directory/campaign"),
            StaleEntries => (tr.home_stale_entries, "/directory?stale=1"),
            ExpiringConventions => (
                tr.home_expiring_conventions,
                "/network/conventions?expiring=1",
            ),
            IncompleteTeams => (tr.home_incomplete_teams, "/network/teams"),
        };
        Todo { count, text, href }
    });
    let recent = o.recent.into_iter().map(|e| Recent {
        at: fmt_time(&e.at, lang),
        action: cratb_domain::audit::action_label(&e.action, lang).to_owned(),
        actor: e.actor,
        summary: e.summary,
    });
    let region_label = match &user.region_code {
        Some(r) => geo::region(r).map_or_else(|| r.clone(), |r| r.name.to_owned()),
        None => tr.home_no_region.to_owned(),
    };
    Ok(HomePage {
        l: Layout::new(auth, tr.home_title),
        name: user.display_name.clone(),
        role_label: role.label(lang),
        region_label,
        sectors: o.sectors.iter().map(|(s, n)| (s.label(lang), *n)).collect(),
        todos: todos.collect(),
        recent: recent.collect(),
        can_view_establishments: role.can(Permission::ViewEstablishments),
        can_edit: role.can(Permission::EditEstablishments),
        // A prescriber in private practice has no place to show; a referent always has.
        has_places: role.needs_establishment() || !o.places.is_empty(),
        places: o
            .places
            .iter()
            .map(|e| Place {
                name: e.name.clone(),
                finess: e.finess.clone(),
                category: e.category_label(lang),
                consumption: role.can(Permission::ViewConsumption).then(|| {
                    (
                        format!("/consumption/establishments/{}", e.id),
                        format!("/consumption/establishments/{}/report", e.id),
                    )
                }),
                antibiogram: format!("/resistance?establishment={}", e.id),
            })
            .collect(),
        advice_href: (role == cratb_domain::Role::Prescriber).then(|| match o.places.first() {
            Some(e) => format!("/public/search?q={}", e.department_code),
            None => "/public/search".to_owned(),
        }),
        primary: o.primary.as_ref().map(|g| primary(g, lang)),
        advice: o.advice,
        audits: o.audits.map(|a| AuditsHome {
            campaigns: a
                .campaigns
                .into_iter()
                .map(|c| (c.campaign_id, c.title, c.entered, c.expected))
                .collect(),
            late: crate::pages::plans::late_lines(
                a.overdue,
                cratb_domain::paris::today(cratb_store::now()),
                lang,
            ),
            region_overdue: a.region_overdue,
        }),
        demo: state.config.demo,
    })
}
