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
    pub summary: String,
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
    /// A demonstration installation (said on the page: second factor optional for everyone).
    demo: bool,
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
        demo: state.config.demo,
    })
}
