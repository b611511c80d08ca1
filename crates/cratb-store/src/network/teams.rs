//! EMA teams: members with their discipline and FTE, the departments and sectors served.

use crate::{Arg, Db, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx};
use cratb_directory::network::{Member, NewMember, NewTeam, Team, TeamView};
use cratb_domain::{Email, RegionAccess, Scope};
use std::collections::BTreeMap;

/// A team as read.
#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    region_code: String,
    name: String,
    ght_id: Option<i64>,
    ght_name: Option<String>,
    host_establishment_id: i64,
    host_name: String,
    host_commune: Option<String>,
    sectors: String,
    phone: Option<String>,
    hours: Option<String>,
    email: Option<String>,
    teleexpertise: Option<String>,
}

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Team {
        Team {
            id: r.id,
            region_code: r.region_code,
            name: r.name,
            ght_id: r.ght_id,
            ght_name: r.ght_name,
            host_establishment_id: r.host_establishment_id,
            host_name: r.host_name,
            host_commune: r.host_commune,
            sectors: r.sectors,
            phone: r.phone,
            hours: r.hours,
            email: r.email,
            teleexpertise: r.teleexpertise,
        }
    }
}

/// A membership as read, with the professional's consents.
#[derive(sqlx::FromRow)]
struct MemberRow {
    team_id: i64,
    professional_id: i64,
    last_name: String,
    first_name: String,
    discipline: String,
    fte: f64,
    email: Option<String>,
    phone: Option<String>,
    public_name: bool,
    public_email: bool,
    public_phone: bool,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Member {
        Member {
            team_id: r.team_id,
            professional_id: r.professional_id,
            last_name: r.last_name,
            first_name: r.first_name,
            discipline: r.discipline,
            fte: r.fte,
            email: r.email,
            phone: r.phone,
            public_name: r.public_name,
            public_email: r.public_email,
            public_phone: r.public_phone,
        }
    }
}

const TEAM_SELECT: &str = "SELECT t.id, t.region_code, t.name, t.ght_id, g.name AS ght_name,
        t.host_establishment_id, e.name AS host_name, e.commune AS host_commune, t.sectors,
        t.phone, t.hours, t.email, t.teleexpertise
    FROM ema_teams t JOIN establishments e ON e.id = t.host_establishment_id
    LEFT JOIN territories g ON g.id = t.ght_id";

/// Checks that the host establishment and the GHT exist in the team's region.
async fn check_team_links(tx: &mut Tx, t: &NewTeam) -> Result<()> {
    let host: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM establishments WHERE id = $1")
        .bind(t.host_establishment_id).fetch_optional(c).await)?;
    if host.as_deref() != Some(t.region.as_str()) {
        return Err(StoreError::Invalid("host_establishment_id"));
    }
    if let Some(g) = t.ght_id {
        let ght: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT region_code FROM territories WHERE id = $1 AND kind = 'GHT'")
            .bind(g).fetch_optional(c).await)?;
        if ght.as_deref() != Some(t.region.as_str()) {
            return Err(StoreError::Invalid("ght_id"));
        }
    }
    Ok(())
}

/// The region of team `id`, if there is such a team.
async fn region_of_team(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM ema_teams WHERE id = $1").bind(id).fetch_optional(c).await)?)
}

/// The access to the region of team `id`, if `scope` reaches it (else `NotFound`): what the
/// writes on an existing team are given.
pub async fn team_access(tx: &mut Tx, scope: &Scope, id: i64) -> Result<RegionAccess> {
    region_of_team(tx, id)
        .await?
        .and_then(|r| scope.access(&r))
        .ok_or(StoreError::NotFound)
}

/// Checks that team `id` is one of the region's (else `NotFound`).
pub(crate) async fn team_in(tx: &mut Tx, access: &RegionAccess, id: i64) -> Result<()> {
    match region_of_team(tx, id).await? {
        Some(r) if r == access.as_str() => Ok(()),
        _ => Err(StoreError::NotFound),
    }
}

/// Creates a team of the region; a team filed in another region is refused on `region`, a
/// name already used in the region is a conflict on `name`.
pub async fn create_team(tx: &mut Tx, access: &RegionAccess, t: &NewTeam) -> Result<i64> {
    if t.region != *access.region() {
        return Err(StoreError::Invalid("region"));
    }
    check_team_links(tx, t).await?;
    let at = now();
    on_tx!(tx, c => async {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ema_teams (region_code, name, ght_id, host_establishment_id, sectors, phone, hours, email,
                teleexpertise, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
            .bind(t.region.as_str()).bind(&t.name).bind(t.ght_id).bind(t.host_establishment_id)
            .bind(t.sectors_code()).bind(t.phone.as_ref().map(|p| p.e164().to_string()))
            .bind(&t.hours).bind(t.email.as_ref().map(Email::to_string)).bind(&t.teleexpertise).bind(at)
            .fetch_one(&mut *c).await?;
        for d in &t.departments {
            sqlx::query("INSERT INTO ema_team_departments (team_id, department_code) VALUES ($1, $2)")
                .bind(id).bind(*d).execute(&mut *c).await?;
        }
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(conflict_on("name"))
}

/// Replaces the fields of a team of the region; it keeps its region (another is refused on
/// `region`) and its members.
pub async fn update_team(tx: &mut Tx, access: &RegionAccess, id: i64, t: &NewTeam) -> Result<()> {
    team_in(tx, access, id).await?;
    if t.region != *access.region() {
        return Err(StoreError::Invalid("region"));
    }
    check_team_links(tx, t).await?;
    let at = now();
    on_tx!(tx, c => async {
        sqlx::query(
            "UPDATE ema_teams SET name = $1, ght_id = $2, host_establishment_id = $3, sectors = $4, phone = $5,
                hours = $6, email = $7, teleexpertise = $8, updated_at = $9 WHERE id = $10")
            .bind(&t.name).bind(t.ght_id).bind(t.host_establishment_id).bind(t.sectors_code())
            .bind(t.phone.as_ref().map(|p| p.e164().to_string())).bind(&t.hours)
            .bind(t.email.as_ref().map(Email::to_string)).bind(&t.teleexpertise).bind(at).bind(id)
            .execute(&mut *c).await?;
        sqlx::query("DELETE FROM ema_team_departments WHERE team_id = $1").bind(id).execute(&mut *c).await?;
        for d in &t.departments {
            sqlx::query("INSERT INTO ema_team_departments (team_id, department_code) VALUES ($1, $2)")
                .bind(id).bind(*d).execute(&mut *c).await?;
        }
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(conflict_on("name"))
}

const MEMBER_SELECT: &str = "SELECT m.team_id, m.professional_id, p.last_name, p.first_name,
        m.discipline, m.fte, p.email, p.phone, p.public_name, p.public_email, p.public_phone
    FROM ema_members m JOIN professionals p ON p.id = m.professional_id";

/// Teams matching `f` (on `t.` columns), with their departments and members, by name.
pub(super) async fn teams_where(db: &Db, f: &Filter) -> Result<Vec<TeamView>> {
    let where_ = f.sql();
    let teams: Vec<TeamRow> = on_db!(db, p => bind_args!(sqlx::query_as::<_, TeamRow>(sqlx::AssertSqlSafe(
        format!("{TEAM_SELECT}{where_} ORDER BY t.name, t.id"))), f.args).fetch_all(p).await)?;
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let ids = teams
        .iter()
        .map(|t| t.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let deps: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT team_id, department_code FROM ema_team_departments WHERE team_id IN ({ids}) ORDER BY department_code")))
        .fetch_all(p).await)?;
    let members: Vec<MemberRow> = on_db!(db, p => sqlx::query_as::<_, MemberRow>(sqlx::AssertSqlSafe(format!(
        "{MEMBER_SELECT} WHERE m.team_id IN ({ids}) ORDER BY p.last_name, p.first_name")))
        .fetch_all(p).await)?;
    let mut by_team: BTreeMap<i64, (Vec<String>, Vec<Member>)> = BTreeMap::new();
    for (t, d) in deps {
        by_team.entry(t).or_default().0.push(d);
    }
    for m in members {
        by_team.entry(m.team_id).or_default().1.push(m.into());
    }
    Ok(teams
        .into_iter()
        .map(|t| {
            let (d, m) = by_team.remove(&t.id).unwrap_or_default();
            TeamView::new(t.into(), d, m)
        })
        .collect())
}

/// The scope's teams, by name.
pub async fn list_teams(db: &Db, scope: &Scope) -> Result<Vec<TeamView>> {
    let mut f = Filter::default();
    f.scope(scope, "t.region_code");
    teams_where(db, &f).await
}

/// One team of the scope.
pub async fn get_team(db: &Db, scope: &Scope, id: i64) -> Result<TeamView> {
    let mut f = Filter::default();
    f.push("t.id = ?", [Arg::Int(id)])
        .scope(scope, "t.region_code");
    teams_where(db, &f)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// The teams a professional (known by the e-mail of a user account) belongs to.
pub async fn teams_of_email(db: &Db, email: &str) -> Result<Vec<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT m.team_id FROM ema_members m JOIN professionals p ON p.id = m.professional_id
         WHERE LOWER(p.email) = LOWER($1)")
        .bind(email).fetch_all(p).await)?)
}

/// Adds a member to a team of the region, or changes their discipline and FTE if they are one
/// already. The professional must be of the region.
pub async fn set_member(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    m: &NewMember,
) -> Result<()> {
    team_in(tx, access, team_id).await?;
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM professionals WHERE id = $1")
        .bind(m.professional_id).fetch_optional(c).await)?;
    if region.as_deref() != Some(access.as_str()) {
        return Err(StoreError::Invalid("professional_id"));
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ema_members (team_id, professional_id, discipline, fte) VALUES ($1, $2, $3, $4)
         ON CONFLICT (team_id, professional_id) DO UPDATE SET discipline = excluded.discipline, fte = excluded.fte")
        .bind(team_id).bind(m.professional_id).bind(m.discipline.code()).bind(m.fte)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a member from a team of the region; returns the team's name.
pub async fn remove_member(
    tx: &mut Tx,
    access: &RegionAccess,
    team_id: i64,
    professional_id: i64,
) -> Result<String> {
    team_in(tx, access, team_id).await?;
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM ema_members WHERE team_id = $1 AND professional_id = $2")
        .bind(team_id).bind(professional_id).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("SELECT name FROM ema_teams WHERE id = $1")
        .bind(team_id).fetch_one(c).await)?,
    )
}

/// The establishments of the region in the departments its teams `team_ids` serve: an EMA
/// member's territory.
pub async fn territory_establishments(
    db: &Db,
    access: &RegionAccess,
    team_ids: &[i64],
) -> Result<Vec<i64>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = team_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let region = access.as_str();
    Ok(
        on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT e.id FROM establishments e
         JOIN ema_team_departments d ON d.department_code = e.department_code
         JOIN ema_teams t ON t.id = d.team_id
         WHERE e.region_code = $1 AND t.region_code = $1 AND d.team_id IN ({ids}) ORDER BY e.id")))
        .bind(region).fetch_all(p).await)?,
    )
}
