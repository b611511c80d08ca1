//! Action plans' rows: an establishment's plan (after a campaign, or from an indicator) and its
//! actions with their owner from the directory, due date, status, aim and notes; the actions
//! whose owner is to be reminded. A plan's region is its `region_code`.

use crate::{Db, Filter, Result, StoreError, Tx, id_list, on_db, on_tx, utc};
use cratb_audit::plan::{ActionStatus, AimKind, NewAction};
use cratb_domain::{RegionAccess, Scope};
use time::{Date, OffsetDateTime};

/// A plan as listed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub region_code: String,
    pub establishment_id: i64,
    pub finess: String,
    pub establishment_name: String,
    pub campaign_id: Option<i64>,
    pub campaign_title: Option<String>,
    pub title: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub actions: i64,
    pub done: i64,
    /// Open actions past their due date (on the day the list was read).
    pub overdue: i64,
}

const PLAN_SELECT: &str = "SELECT p.id, p.region_code, p.establishment_id, e.finess, e.name AS establishment_name,
    p.campaign_id, c.title AS campaign_title, p.title, p.created_by, p.created_at, p.updated_at,
    (SELECT COUNT(*) FROM plan_actions a WHERE a.plan_id = p.id) AS actions,
    (SELECT COUNT(*) FROM plan_actions a WHERE a.plan_id = p.id AND a.status = 'done') AS done,
    (SELECT COUNT(*) FROM plan_actions a WHERE a.plan_id = p.id AND a.status IN ('planned', 'in_progress')
        AND a.due_on < $1) AS overdue
    FROM action_plans p JOIN establishments e ON e.id = p.establishment_id
    LEFT JOIN audit_campaigns c ON c.id = p.campaign_id";

/// Which plans.
#[derive(Debug, Clone, Default)]
pub struct PlanQuery {
    /// Only those of these establishments.
    pub establishments: Option<Vec<i64>>,
    /// Only those following this campaign.
    pub campaign_id: Option<i64>,
}

/// The plans of the scope, by establishment then newest first.
pub async fn plans(db: &Db, scope: &Scope, q: &PlanQuery, today: Date) -> Result<Vec<PlanRow>> {
    let mut f = Filter::default();
    // `$1` is the day; the filter's conditions follow it.
    f.args.push(crate::Arg::Date(today));
    f.scope(scope, "p.region_code");
    if let Some(ids) = &q.establishments {
        f.push(
            &format!("p.establishment_id IN ({})", id_list(ids)),
            Vec::new(),
        );
    }
    if let Some(c) = q.campaign_id {
        f.push("p.campaign_id = ?", [crate::Arg::Int(c)]);
    }
    let sql = format!(
        "{PLAN_SELECT}{} ORDER BY e.name, p.created_at DESC, p.id DESC",
        f.sql()
    );
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// Plan `id`, if the scope reaches it.
pub async fn plan(db: &Db, scope: &Scope, id: i64, today: Date) -> Result<PlanRow> {
    let mut f = Filter::default();
    f.args.push(crate::Arg::Date(today));
    f.push("p.id = ?", [crate::Arg::Int(id)])
        .scope(scope, "p.region_code");
    let sql = format!("{PLAN_SELECT}{}", f.sql());
    on_db!(db, p => crate::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// Starts a plan for establishment `establishment_id` of the region.
pub async fn insert_plan(
    tx: &mut Tx,
    access: &RegionAccess,
    establishment_id: i64,
    campaign_id: Option<i64>,
    title: &str,
    by: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO action_plans (region_code, establishment_id, campaign_id, title, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
        .bind(access.as_str()).bind(establishment_id).bind(campaign_id).bind(title).bind(by).bind(utc(at))
        .fetch_one(&mut *c).await)
    .map_err(crate::conflict_on("campaign_id"))
}

/// An action as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub due_on: Date,
    pub status: ActionStatus,
    pub aim_kind: AimKind,
    pub aim: Option<String>,
    pub notes: Option<String>,
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct ActionSql {
    id: i64,
    plan_id: i64,
    title: String,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    owner_email: Option<String>,
    due_on: Date,
    status: String,
    aim_kind: String,
    aim: Option<String>,
    notes: Option<String>,
    updated_at: OffsetDateTime,
    updated_by: String,
}

impl From<ActionSql> for ActionRow {
    fn from(r: ActionSql) -> ActionRow {
        ActionRow {
            id: r.id,
            plan_id: r.plan_id,
            title: r.title,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            owner_email: r.owner_email,
            due_on: r.due_on,
            status: ActionStatus::parse(&r.status).unwrap_or(ActionStatus::Planned),
            aim_kind: AimKind::parse(&r.aim_kind).unwrap_or(AimKind::Other),
            aim: r.aim,
            notes: r.notes,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

const ACTION_SELECT: &str = "SELECT a.id, a.plan_id, a.title, a.owner_id,
    CASE WHEN o.id IS NULL THEN NULL ELSE o.first_name || ' ' || o.last_name END AS owner_name,
    o.email AS owner_email, a.due_on, a.status, a.aim_kind, a.aim, a.notes, a.updated_at, a.updated_by
    FROM plan_actions a LEFT JOIN professionals o ON o.id = a.owner_id";

/// The actions of plan `id`, by due date.
pub async fn actions(db: &Db, id: i64) -> Result<Vec<ActionRow>> {
    let sql = format!("{ACTION_SELECT} WHERE a.plan_id = $1 ORDER BY a.due_on, a.id");
    let rows: Vec<ActionSql> =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(ActionRow::from).collect())
}

/// Action `action` of plan `id`, in a transaction.
pub async fn action_in(tx: &mut Tx, id: i64, action: i64) -> Result<ActionRow> {
    let sql = format!("{ACTION_SELECT} WHERE a.plan_id = $1 AND a.id = $2");
    let row: Option<ActionSql> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(action).fetch_optional(&mut *c).await)?;
    row.map(ActionRow::from).ok_or(StoreError::NotFound)
}

/// Whether professional `id` is in the directory of the region.
pub async fn owner_in(tx: &mut Tx, access: &RegionAccess, id: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM professionals WHERE id = $1 AND region_code = $2")
        .bind(id).bind(access.as_str()).fetch_one(&mut *c).await)?;
    Ok(n > 0)
}

/// Adds an action to plan `id`.
pub async fn insert_action(
    tx: &mut Tx,
    id: i64,
    a: &NewAction,
    by: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    let action: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO plan_actions (plan_id, title, owner_id, due_on, status, aim_kind, aim, notes,
            created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id")
        .bind(id).bind(&a.title).bind(a.owner_id).bind(a.due_on).bind(a.status.code())
        .bind(a.aim_kind.code()).bind(&a.aim).bind(&a.notes).bind(utc(at)).bind(by)
        .fetch_one(&mut *c).await)
    .map_err(crate::conflict_on("owner_id"))?;
    touch(tx, id, at).await?;
    Ok(action)
}

/// Rewrites action `action` of plan `id`; a new due date asks the reminders again.
pub async fn update_action(
    tx: &mut Tx,
    id: i64,
    action: i64,
    a: &NewAction,
    by: &str,
    at: OffsetDateTime,
) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE plan_actions SET title = $1, owner_id = $2,
            reminded_soon_at = CASE WHEN due_on = $3 THEN reminded_soon_at ELSE NULL END,
            reminded_overdue_at = CASE WHEN due_on = $3 THEN reminded_overdue_at ELSE NULL END,
            due_on = $3, status = $4, aim_kind = $5, aim = $6, notes = $7, updated_at = $8, updated_by = $9
         WHERE plan_id = $10 AND id = $11")
        .bind(&a.title).bind(a.owner_id).bind(a.due_on).bind(a.status.code()).bind(a.aim_kind.code())
        .bind(&a.aim).bind(&a.notes).bind(utc(at)).bind(by).bind(id).bind(action)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(crate::conflict_on("owner_id"))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    touch(tx, id, at).await
}

/// Deletes action `action` of plan `id`.
pub async fn delete_action(tx: &mut Tx, id: i64, action: i64, at: OffsetDateTime) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM plan_actions WHERE plan_id = $1 AND id = $2")
        .bind(id).bind(action).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    touch(tx, id, at).await
}

async fn touch(tx: &mut Tx, id: i64, at: OffsetDateTime) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE action_plans SET updated_at = $1 WHERE id = $2")
        .bind(utc(at)).bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// An open action with its plan's establishment, for the overdue page and the reminders.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAction {
    pub region_code: String,
    pub establishment_id: i64,
    pub establishment_name: String,
    pub plan_title: String,
    pub action: ActionRow,
    pub reminded_soon: bool,
    pub reminded_overdue: bool,
}

#[derive(sqlx::FromRow)]
struct OpenSql {
    region_code: String,
    establishment_id: i64,
    establishment_name: String,
    plan_title: String,
    reminded_soon: bool,
    reminded_overdue: bool,
    #[sqlx(flatten)]
    action: ActionSql,
}

/// The open actions of the scope due on or before `until` (by due date).
pub async fn open_actions(db: &Db, scope: &Scope, until: Date) -> Result<Vec<OpenAction>> {
    let mut f = Filter::default();
    f.push(
        "a.status IN ('planned', 'in_progress') AND a.due_on <= ?",
        [crate::Arg::Date(until)],
    )
    .scope(scope, "p.region_code");
    let sql = format!(
        "SELECT p.region_code, p.establishment_id, e.name AS establishment_name, p.title AS plan_title,
            a.reminded_soon_at IS NOT NULL AS reminded_soon, a.reminded_overdue_at IS NOT NULL AS reminded_overdue,
            a.id, a.plan_id, a.title, a.owner_id,
            CASE WHEN o.id IS NULL THEN NULL ELSE o.first_name || ' ' || o.last_name END AS owner_name,
            o.email AS owner_email, a.due_on, a.status, a.aim_kind, a.aim, a.notes, a.updated_at, a.updated_by
         FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id
         JOIN establishments e ON e.id = p.establishment_id
         LEFT JOIN professionals o ON o.id = a.owner_id{} ORDER BY a.due_on, e.name, a.id",
        f.sql()
    );
    let rows: Vec<OpenSql> = on_db!(db, p => crate::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| OpenAction {
            region_code: r.region_code,
            establishment_id: r.establishment_id,
            establishment_name: r.establishment_name,
            plan_title: r.plan_title,
            reminded_soon: r.reminded_soon,
            reminded_overdue: r.reminded_overdue,
            action: r.action.into(),
        })
        .collect())
}

/// Records that action `id`'s owner was reminded (before the due date, or once overdue).
pub async fn reminded(tx: &mut Tx, id: i64, overdue: bool, at: OffsetDateTime) -> Result<()> {
    let sql = if overdue {
        "UPDATE plan_actions SET reminded_overdue_at = $1 WHERE id = $2"
    } else {
        "UPDATE plan_actions SET reminded_soon_at = $1 WHERE id = $2"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(utc(at)).bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}
