//! What a person has to do today, according to their role: the establishments of their scope
//! per sector, the records to complete or answer, the latest entries of the audit log; for
//! the people tied to places (a referent, an EMA member, a laboratory, a prescriber), those
//! places; for a prescriber, where their territory stands in primary care; the audits'
//! campaigns to enter and the action plans' overdue actions.

use crate::Result;
use cratb_consumption::primary::{self, PrimaryData};
use cratb_domain::{AuditEntry, Establishment, Permission, Role, Scope, Sector, User};
use cratb_store::plans::{self, OpenAction};
use cratb_store::{
    Db, PageRequest, StoreError, audit, audits, directory, establishments, network, now,
    primary_care, users,
};

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
    /// The latest entries of the audit log, when the role may read it (routine reads and
    /// sign-ins left out).
    pub recent: Vec<AuditEntry>,
    /// The establishments the account is tied to, by name.
    pub places: Vec<Establishment>,
    /// A prescriber's territory in primary care, against the region.
    pub primary: Option<PrimaryGlance>,
    /// Where the advice service stands for the person, when they may ask.
    pub advice: Option<AdviceGlance>,
    /// The audits and action plans: what the person has to enter or do.
    pub audits: Option<AuditGlance>,
}

/// An open campaign with cases left to enter for the person's establishments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTodo {
    pub campaign_id: i64,
    pub title: String,
    /// Validated cases of the person's establishments.
    pub entered: i64,
    /// The target summed over the person's establishments.
    pub expected: i64,
}

/// The audits and action plans at a glance: for a referent or an EMA member, the open
/// campaigns with cases left to enter and their overdue actions; for the CRAtb staff, the
/// number of the region's overdue actions.
#[derive(Debug, Clone, Default)]
pub struct AuditGlance {
    pub campaigns: Vec<CaseTodo>,
    /// The person's establishments' open actions past their due date.
    pub overdue: Vec<OpenAction>,
    /// The region's open actions past their due date (the CRAtb staff).
    pub region_overdue: Option<usize>,
}

/// The audits' glance of `user` (a person tied to places, or the CRAtb staff).
async fn audit_glance(db: &Db, user: &User, scope: &Scope) -> Result<Option<AuditGlance>> {
    use cratb_audit::campaign::State;
    let role = user.role();
    let at = now();
    let today = cratb_domain::paris::today(at);
    let yesterday = today - time::Duration::days(1);
    let places = crate::audits::places(db, user, today).await?;
    let mut g = AuditGlance::default();
    match &places {
        None if role.can(Permission::EditActionPlans) => {
            g.region_overdue = Some(plans::open_actions(db, scope, yesterday).await?.len());
        }
        None => return Ok(None),
        Some(ids) => {
            if role.can(Permission::EnterAuditCases) {
                for c in audits::campaigns(db, scope, Some(ids.as_slice())).await? {
                    if State::on(c.starts_on, c.closed, today) != State::Open {
                        continue;
                    }
                    let mine: Vec<_> = audits::participants(db, c.id)
                        .await?
                        .into_iter()
                        .filter(|p| ids.contains(&p.establishment_id))
                        .collect();
                    let target = i64::from(c.target);
                    let left: i64 = mine.iter().map(|p| (target - p.validated).max(0)).sum();
                    if left > 0 {
                        g.campaigns.push(CaseTodo {
                            campaign_id: c.id,
                            title: c.title,
                            entered: mine.iter().map(|p| p.validated).sum(),
                            expected: target * mine.len() as i64,
                        });
                    }
                }
            }
            if role.can(Permission::ViewActionPlans) {
                g.overdue = plans::open_actions(db, scope, yesterday)
                    .await?
                    .into_iter()
                    .filter(|o| ids.contains(&o.establishment_id))
                    .collect();
            }
        }
    }
    Ok(Some(g))
}

/// The advice service at a glance: what waits for an answer where the person answers (their
/// teams', or the region's for the CRAtb), and their own requests answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdviceGlance {
    /// The person answers requests (or supervises them).
    pub responder: bool,
    /// Requests waiting for a first answer (open or queued).
    pub waiting: i64,
    /// Of which past their due time.
    pub overdue: i64,
    /// The person's own requests answered and not closed (to read, and follow up at day 7).
    pub answered: i64,
}

/// The advice glance of `user`.
async fn advice_glance(db: &Db, user: &User, scope: &Scope) -> Result<AdviceGlance> {
    use cratb_advice::Status;
    use cratb_store::advice::{self as store, AdviceQuery, Reach};
    let at = now();
    let one = || PageRequest::new(None, Some(1));
    let mut g = AdviceGlance::default();
    let answers = crate::advice::answering(db, user).await?;
    if let Some(reach) = answers {
        g.responder = true;
        for status in [Status::Open, Status::Queued] {
            let q = AdviceQuery {
                status: Some(status),
                ..Default::default()
            };
            g.waiting += store::list(db, scope, &reach, &q, at, one()).await?.total;
        }
        g.overdue = store::overdue_count(db, scope, &reach, at).await?;
    }
    let mine = AdviceQuery {
        status: Some(Status::Answered),
        ..Default::default()
    };
    g.answered = store::list(db, scope, &Reach::Own(user.id), &mine, at, one())
        .await?
        .total;
    Ok(g)
}

/// Where a territory stands in primary care in a year, and the region beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimaryGlance {
    /// `dep:38`, `cpts:5` or `region`.
    pub territory: String,
    pub territory_name: String,
    pub year: i32,
    /// Whether the year's dispensations cover all of it.
    pub complete: bool,
    /// J01 DDD per 1000 inhabitants per day.
    pub did: Option<f64>,
    pub region_did: Option<f64>,
    /// Prescriptions per 1000 inhabitants in the year.
    pub prescriptions: Option<f64>,
    pub region_prescriptions: Option<f64>,
}

impl PrimaryGlance {
    /// The glance at `territory` in `data`: the last year whose dispensations cover it whole
    /// (the last year when none does); none without data.
    pub fn of(data: &PrimaryData, territory: &str, name: &str) -> Option<PrimaryGlance> {
        let years = primary::years(data);
        let whole = |y: i32| primary::year_of(data, territory, y).is_some_and(|t| t.days >= 365.0);
        let year = years
            .iter()
            .rev()
            .copied()
            .find(|y| whole(*y))
            .or_else(|| years.last().copied())?;
        let here = primary::year_of(data, territory, year);
        let region = primary::year_of(data, "region", year);
        Some(PrimaryGlance {
            territory: territory.to_owned(),
            territory_name: name.to_owned(),
            year,
            complete: whole(year),
            did: here.as_ref().and_then(|t| t.did()),
            region_did: region.as_ref().and_then(|t| t.did()),
            prescriptions: here.as_ref().and_then(|t| t.prescriptions_per_1000()),
            region_prescriptions: region.as_ref().and_then(|t| t.prescriptions_per_1000()),
        })
    }
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
        let stale = cratb_directory::professionals::DirectoryQuery {
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
    if role.has_places() {
        for id in &user.establishment_ids {
            match establishments::get(db, scope, *id).await {
                Ok(e) => o.places.push(e),
                // A place since moved out of the account's region is no longer theirs to see.
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    if role == Role::Prescriber {
        o.primary = prescriber_glance(db, user, scope, &o.places).await?;
    }
    if role.can(Permission::AskAdvice) {
        o.advice = Some(advice_glance(db, user, scope).await?);
    }
    if role.can(Permission::ViewAudits) {
        o.audits = audit_glance(db, user, scope).await?;
    }
    Ok(o)
}

/// A prescriber's territory: the department of their first place of work when the region has
/// figures for it, else the region.
async fn prescriber_glance(
    db: &Db,
    user: &User,
    scope: &Scope,
    places: &[Establishment],
) -> Result<Option<PrimaryGlance>> {
    let Some(access) = user.region_code.as_deref().and_then(|r| scope.access(r)) else {
        return Ok(None);
    };
    let data = primary_care::data(db, &access).await?;
    let department = places
        .first()
        .map(|e| format!("dep:{}", e.department_code))
        .filter(|key| data.names.contains_key(key));
    let (key, name) = match department {
        Some(key) => {
            let name = data.names[&key].clone();
            (key, name)
        }
        None => {
            let name = cratb_domain::geo::region(access.as_str())
                .map_or_else(|| access.as_str().to_owned(), |r| r.name.to_owned());
            ("region".to_owned(), name)
        }
    };
    Ok(PrimaryGlance::of(&data, &key, &name))
}
