//! Action plans: an establishment's plan (after a campaign, or from an indicator) and its
//! actions, written and followed by the establishment's referent and its EMA, followed by the
//! CRAtb for every establishment of its region; the overdue actions; the reminders to the
//! owners before a due date and once it has passed (e-mails without health data). Each write
//! with its audit entry in one transaction.

use crate::audits::places;
use crate::{Actor, AppError, Result};
use cratb_audit::plan::{ActionInput, NewAction, PlanInput, Reminder, reminder};
use cratb_directory::professionals::Professional;
use cratb_domain::{FieldError, Letter, Permission, RegionAccess, Scope, User, paris};
use cratb_store::plans::{self as store, ActionRow, OpenAction, PlanQuery, PlanRow};
use cratb_store::{Db, StoreError, Tx, audit, audits};
use time::{Duration, OffsetDateTime};

/// The plans `user` sees: every one of their region for the CRAtb staff and the agency; their
/// establishments' for a referent or an EMA member.
pub async fn plans(
    db: &Db,
    actor: &Actor,
    user: &User,
    campaign_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<Vec<PlanRow>> {
    actor.require(Permission::ViewActionPlans)?;
    let today = paris::today(now);
    let q = PlanQuery {
        establishments: places(db, user, today).await?,
        campaign_id,
    };
    Ok(store::plans(db, &actor.scope, &q, today).await?)
}

/// A plan, its actions, and whether this person may edit it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: PlanRow,
    pub actions: Vec<ActionRow>,
    pub may_edit: bool,
}

/// Plan `id` as `user` sees it (not found outside their reach).
pub async fn plan(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<PlanView> {
    actor.require(Permission::ViewActionPlans)?;
    let today = paris::today(now);
    let plan = store::plan(db, &actor.scope, id, today).await?;
    let places = places(db, user, today).await?;
    if places
        .as_ref()
        .is_some_and(|ids| !ids.contains(&plan.establishment_id))
    {
        return Err(AppError::NotFound);
    }
    let actions = store::actions(db, id).await?;
    Ok(PlanView {
        plan,
        actions,
        may_edit: actor.role.can(Permission::EditActionPlans),
    })
}

/// The plan `id` that `user` may edit, with its region.
async fn editable(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    now: OffsetDateTime,
) -> Result<(PlanView, RegionAccess)> {
    actor.require(Permission::EditActionPlans)?;
    let view = plan(db, actor, user, id, now).await?;
    let access = actor
        .scope
        .access(&view.plan.region_code)
        .ok_or(AppError::NotFound)?;
    Ok((view, access))
}

/// Checks that an action's owner is a professional of the region's directory.
async fn owner_checked(tx: &mut Tx, access: &RegionAccess, a: &NewAction) -> Result<()> {
    if let Some(o) = a.owner_id
        && !store::owner_in(tx, access, o).await?
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "owner_id",
            "Le responsable doit être un professionnel de l'annuaire de la région",
            "The owner must be a professional of the region's directory",
        )]));
    }
    Ok(())
}

/// Starts an action plan for an establishment of the actor's region that `user` handles,
/// with its first actions. Returns its id.
pub async fn create(
    db: &Db,
    actor: &Actor,
    user: &User,
    input: &PlanInput,
    now: OffsetDateTime,
) -> Result<i64> {
    actor.require(Permission::EditActionPlans)?;
    let p = input.check().map_err(AppError::Invalid)?;
    let region = match &actor.scope {
        Scope::Region(r) => r.as_str().to_string(),
        Scope::National => cratb_domain::geo::department(&p.establishment.department())
            .map(|d| d.region.to_string())
            .unwrap_or_default(),
    };
    let access = actor.scope.access(&region).ok_or(AppError::NotFound)?;
    let unknown = || {
        AppError::Invalid(vec![FieldError::new(
            "establishment",
            format!(
                "FINESS {} : pas un établissement de la région dont vous tenez le plan d'action",
                p.establishment
            ),
            format!(
                "FINESS {}: not an establishment of the region whose action plan you keep",
                p.establishment
            ),
        )])
    };
    let mut tx = db.begin().await?;
    let (establishment_id, _) = audits::establishment_by_finess(&mut tx, &access, &p.establishment)
        .await?
        .ok_or_else(unknown)?;
    if places(db, user, paris::today(now))
        .await?
        .is_some_and(|ids| !ids.contains(&establishment_id))
    {
        return Err(unknown());
    }
    if let Some(c) = p.campaign_id {
        let found = audits::campaign(db, &actor.scope, c).await;
        if matches!(found, Err(StoreError::NotFound))
            || found
                .as_ref()
                .is_ok_and(|f| f.region_code != access.as_str())
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "campaign_id",
                "Aucune campagne de ce numéro dans la région",
                "No campaign with that number in the region",
            )]));
        }
        found?;
    }
    for a in &p.actions {
        owner_checked(&mut tx, &access, a).await?;
    }
    let id = store::insert_plan(
        &mut tx,
        &access,
        establishment_id,
        p.campaign_id,
        &p.title,
        &actor.name,
        now,
    )
    .await?;
    for a in &p.actions {
        store::insert_action(&mut tx, id, a, &actor.name, now).await?;
    }
    audit::append_in(
        &mut tx,
        &actor.entry(
            "action_plan.create",
            "action_plan",
            id,
            Some(access.as_str()),
            format!(
                "Plan d'action « {} » de {} ({} actions)",
                p.title,
                p.establishment,
                p.actions.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds an action to plan `id`, or rewrites action `action`. Returns the action's id.
pub async fn save_action(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    action: Option<i64>,
    input: &ActionInput,
    now: OffsetDateTime,
) -> Result<i64> {
    let (view, access) = editable(db, actor, user, id, now).await?;
    let a = input.check().map_err(AppError::Invalid)?;
    let mut tx = db.begin().await?;
    owner_checked(&mut tx, &access, &a).await?;
    let (action, what) = match action {
        Some(k) => {
            let old = store::action_in(&mut tx, id, k).await?;
            store::update_action(&mut tx, id, k, &a, &actor.name, now).await?;
            let change = if old.status != a.status {
                format!(
                    "{} → {}",
                    old.status.label_fr().to_lowercase(),
                    a.status.label_fr().to_lowercase()
                )
            } else {
                "modifiée".into()
            };
            (k, format!("action « {} » {change}", a.title))
        }
        None => (
            store::insert_action(&mut tx, id, &a, &actor.name, now).await?,
            format!("action « {} » ajoutée", a.title),
        ),
    };
    audit::append_in(
        &mut tx,
        &actor.entry(
            "action_plan.update",
            "action_plan",
            id,
            Some(access.as_str()),
            format!("Plan d'action « {} » : {what}", view.plan.title),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(action)
}

/// Removes action `action` from plan `id`.
pub async fn delete_action(
    db: &Db,
    actor: &Actor,
    user: &User,
    id: i64,
    action: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let (view, access) = editable(db, actor, user, id, now).await?;
    let mut tx = db.begin().await?;
    let old = store::action_in(&mut tx, id, action).await?;
    store::delete_action(&mut tx, id, action, now).await?;
    audit::append_in(
        &mut tx,
        &actor.entry(
            "action_plan.update",
            "action_plan",
            id,
            Some(access.as_str()),
            format!(
                "Plan d'action « {} » : action « {} » retirée",
                view.plan.title, old.title
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The open actions of the actor's region past their due date, for the CRAtb.
pub async fn overdue(db: &Db, actor: &Actor, now: OffsetDateTime) -> Result<Vec<OpenAction>> {
    actor.require(Permission::ViewActionPlans)?;
    let yesterday = paris::today(now) - Duration::days(1);
    Ok(store::open_actions(db, &actor.scope, yesterday).await?)
}

/// The open actions past their due date that `user` follows: every one of their region for
/// the CRAtb staff and the agency, their establishments' for a referent or an EMA member.
pub async fn overdue_for(
    db: &Db,
    actor: &Actor,
    user: &User,
    now: OffsetDateTime,
) -> Result<Vec<OpenAction>> {
    let all = overdue(db, actor, now).await?;
    Ok(match places(db, user, paris::today(now)).await? {
        None => all,
        Some(ids) => all
            .into_iter()
            .filter(|o| ids.contains(&o.establishment_id))
            .collect(),
    })
}

/// The professionals of the directory of `region_code` who may own an action, by name.
pub async fn owners(db: &Db, actor: &Actor, region_code: &str) -> Result<Vec<Professional>> {
    actor.require(Permission::EditActionPlans)?;
    let access = actor.scope.access(region_code).ok_or(AppError::NotFound)?;
    Ok(cratb_store::directory::in_region(db, &access).await?)
}

/// The reminders due on the day of `now`: to each open action's owner a week before its due
/// date and once it has passed (each once per due date), with a link to the plan; none for
/// an owner without an e-mail. Marks them as sent and returns them for the caller to send.
pub async fn reminders(db: &Db, public_url: &str, now: OffsetDateTime) -> Result<Vec<Letter>> {
    let today = paris::today(now);
    let until = today + Duration::days(cratb_audit::plan::REMIND_DAYS_BEFORE);
    let open = store::open_actions(db, &Scope::National, until).await?;
    let mut letters = Vec::new();
    let mut tx = db.begin().await?;
    for o in open {
        let Some(kind) = reminder(o.action.status, o.action.due_on, today) else {
            continue;
        };
        let overdue = kind == Reminder::Overdue;
        if (overdue && o.reminded_overdue) || (!overdue && o.reminded_soon) {
            continue;
        }
        store::reminded(&mut tx, o.action.id, overdue, now).await?;
        if let Some(to) = o
            .action
            .owner_email
            .clone()
            .filter(|e| !e.trim().is_empty())
        {
            letters.push(cratb_audit::plan::letter(
                kind,
                &to,
                &o.establishment_name,
                &o.action.title,
                o.action.due_on,
                &format!(
                    "{}/action-plans/{}",
                    public_url.trim_end_matches('/'),
                    o.action.plan_id
                ),
            ));
        }
    }
    tx.commit().await?;
    Ok(letters)
}
