//! The home page: what this person has to do today, according to their role.

use super::{Layout, fmt_time, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cratb_domain::{Permission, Sector, geo};
use cratb_store::{audit, establishments, users};

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
}

pub async fn home(State(state): State<AppState>, auth: Auth) -> Response {
    match build(&state, &auth).await {
        Ok(p) => render(&p),
        Err(e) => e.into_response(),
    }
}

async fn build(state: &AppState, auth: &Auth) -> Result<HomePage, PageError> {
    let lang = auth.lang;
    let tr = lang.tr();
    let (user, scope) = auth.page_user()?;
    let role = user.role();
    let db = &state.db;
    let err = || PageError::store(lang);
    let can_view = role.can(Permission::ViewEstablishments);
    let can_edit = role.can(Permission::EditEstablishments);

    let mut sectors = Vec::new();
    let mut todos = Vec::new();
    if can_view {
        let summary = establishments::sector_summary(db, &scope)
            .await
            .map_err(err())?;
        for s in Sector::ALL {
            let n = summary
                .iter()
                .find(|x| x.sector == s.code())
                .map_or(0, |x| x.total);
            sectors.push((s.label(lang), n));
        }
        if can_edit {
            todos.push(Todo {
                count: summary.iter().map(|x| x.without_ght).sum(),
                text: tr.home_es_without_ght,
                href: "/establishments?sector=ES",
            });
            todos.push(Todo {
                count: summary.iter().map(|x| x.without_beds).sum(),
                text: tr.home_missing_beds,
                href: "/establishments",
            });
        }
    }
    if role.can(Permission::ViewAudit) {
        let since = cratb_store::now() - time::Duration::hours(24);
        let failures = audit::count_since(db, &scope, "login.failure", since)
            .await
            .map_err(err())?;
        todos.push(Todo {
            count: failures,
            text: tr.home_failed_logins,
            href: "/audit?entity=session",
        });
    }
    if role.can(Permission::ManageUsers) {
        let inactive = users::count_inactive(db, &scope).await.map_err(err())?;
        todos.push(Todo {
            count: inactive,
            text: tr.home_inactive_accounts,
            href: "/users",
        });
    }
    if role.can(Permission::EditDirectory) {
        let pending = cratb_store::directory::confirmation::pending_count(db, &scope)
            .await
            .map_err(err())?;
        todos.push(Todo {
            count: pending,
            text: tr.home_pending_corrections,
            href: "/directory/campaign",
        });
        let stale = cratb_store::directory::list(
            db,
            &scope,
            &cratb_store::directory::DirectoryQuery {
                stale: Some(true),
                ..Default::default()
            },
            cratb_store::PageRequest::new(None, Some(1)),
        )
        .await
        .map_err(err())?;
        todos.push(Todo {
            count: stale.total,
            text: tr.home_stale_entries,
            href: "/directory?stale=1",
        });
        let expiring = cratb_store::network::list_conventions(
            db,
            &scope,
            &cratb_store::network::ConventionQuery {
                expiring_within: Some(super::network::conventions::REMIND_WITHIN_DAYS),
                ..Default::default()
            },
            cratb_store::now().date(),
        )
        .await
        .map_err(err())?;
        todos.push(Todo {
            count: expiring.len() as i64,
            text: tr.home_expiring_conventions,
            href: "/network/conventions?expiring=1",
        });
    }
    if role.can(Permission::EditTeam) {
        // CRAtb staff see every team of the region; an EMA member, their own.
        let mine = if role.can(Permission::EditDirectory) {
            None
        } else {
            Some(
                cratb_store::network::teams_of_email(db, &user.email)
                    .await
                    .map_err(err())?,
            )
        };
        let incomplete = cratb_store::network::list_teams(db, &scope)
            .await
            .map_err(err())?
            .iter()
            .filter(|t| mine.as_ref().is_none_or(|m| m.contains(&t.team.id)))
            .filter(|t| !t.missing_disciplines.is_empty())
            .count();
        todos.push(Todo {
            count: incomplete as i64,
            text: tr.home_incomplete_teams,
            href: "/network/teams",
        });
    }
    todos.retain(|t| t.count > 0);

    let mut recent = Vec::new();
    if role.can(Permission::ViewAudit) {
        recent = audit::recent(db, &scope, 8)
            .await
            .map_err(err())?
            .into_iter()
            .map(|e| Recent {
                at: fmt_time(&e.at, lang),
                actor: e.actor,
                summary: e.summary,
            })
            .collect();
    }
    let region_label = match &user.region_code {
        Some(r) => geo::region(r).map_or_else(|| r.clone(), |r| r.name.to_owned()),
        None => tr.home_no_region.to_owned(),
    };
    Ok(HomePage {
        l: Layout::new(auth, tr.home_title),
        name: user.display_name.clone(),
        role_label: role.label(lang),
        region_label,
        sectors,
        todos,
        recent,
        can_view_establishments: can_view,
        can_edit,
    })
}
