//! What a person has to do today, according to their role: the establishments of their scope
//! per sector, the records to complete or answer, the latest entries of the audit log.

use crate::Result;
use cratb_domain::{AuditEntry, Permission, Scope, Sector, User};
use cratb_store::{Db, PageRequest, audit, directory, establishments, network, now, users};

/// Something to do, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Todo {
    /// Hospitals (ES) without a GHT.
    EsWithoutGht,
    /// ES and EMS without beds or places.
    MissingBeds,
    /// Failed logins of the last 24 hours.
    FailedLogins,
    InactiveAccounts,
    /// Corrections sent through confirmation links, waiting for review.
    PendingCorrections,
    /// Directory entries not confirmed for too long.
    StaleEntries,
    /// Signed conventions expiring soon.
    ExpiringConventions,
    /// Teams (EMA) missing a discipline: all of the region's for its staff, an EMA member's own.
    IncompleteTeams,
}

/// A person's day, as far as their role reaches.
#[derive(Debug, Default)]
pub struct Overview {
    /// The number of establishments of every sector, when the role may see them.
    pub sectors: Vec<(Sector, i64)>,
    /// What there is to do, in this order, without what counts nothing.
    pub todos: Vec<(Todo, i64)>,
    /// The latest entries of the audit log, when the role may read it.
    pub recent: Vec<AuditEntry>,
}

/// The overview of `user` over `scope`; conventions count as expiring within `remind_days`.
pub async fn overview(db: &Db, user: &User, scope: &Scope, remind_days: i64) -> Result<Overview> {
    let role = user.role();
    let mut o = Overview::default();
    if role.can(Permission::ViewEstablishments) {
        let summary = establishments::sector_summary(db, scope).await?;
        for s in Sector::ALL {
            let n = summary.iter().find(|x| x.sector == s.code());
            o.sectors.push((*s, n.map_or(0, |x| x.total)));
        }
        if role.can(Permission::EditEstablishments) {
            let without_ght = summary.iter().map(|x| x.without_ght).sum();
            o.todos.push((Todo::EsWithoutGht, without_ght));
            let without_beds = summary.iter().map(|x| x.without_beds).sum();
            o.todos.push((Todo::MissingBeds, without_beds));
        }
    }
    if role.can(Permission::ViewAudit) {
        let since = now() - time::Duration::hours(24);
        let failures = audit::count_since(db, scope, "login.failure", since).await?;
        o.todos.push((Todo::FailedLogins, failures));
    }
    if role.can(Permission::ManageUsers) {
        let inactive = users::count_inactive(db, scope).await?;
        o.todos.push((Todo::InactiveAccounts, inactive));
    }
    if role.can(Permission::EditDirectory) {
        let pending = directory::confirmation::pending_count(db, scope).await?;
        o.todos.push((Todo::PendingCorrections, pending));
        let stale = directory::DirectoryQuery {
            stale: Some(true),
            ..Default::default()
        };
        let one = PageRequest::new(None, Some(1));
        let stale = directory::list(db, scope, &stale, one).await?;
        o.todos.push((Todo::StaleEntries, stale.total));
        let expiring = network::ConventionQuery {
            expiring_within: Some(remind_days),
            ..Default::default()
        };
        let expiring = network::list_conventions(db, scope, &expiring, now().date()).await?;
        o.todos
            .push((Todo::ExpiringConventions, expiring.len() as i64));
    }
    if role.can(Permission::EditTeam) {
        // CRAtb staff see every team of the region; an EMA member, their own.
        let mine = if role.can(Permission::EditDirectory) {
            None
        } else {
            Some(network::teams_of_email(db, &user.email).await?)
        };
        let incomplete = network::list_teams(db, scope)
            .await?
            .iter()
            .filter(|t| mine.as_ref().is_none_or(|m| m.contains(&t.team.id)))
            .filter(|t| !t.missing_disciplines.is_empty())
            .count();
        o.todos.push((Todo::IncompleteTeams, incomplete as i64));
    }
    o.todos.retain(|(_, n)| *n > 0);
    if role.can(Permission::ViewAudit) {
        o.recent = audit::recent(db, scope, 8).await?;
    }
    Ok(o)
}
