//! EMA teams: members with their discipline and FTE, the departments and sectors served.

use super::{bounded, optional};
use crate::{
    Arg, Db, FieldError, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx,
};
use cratb_domain::directory::missing_disciplines;
use cratb_domain::{Email, Phone, Profession, RegionCode, Scope, Sector, geo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An EMA team, as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub region_code: String,
    pub name: String,
    pub ght_id: Option<i64>,
    pub ght_name: Option<String>,
    pub host_establishment_id: i64,
    pub host_name: String,
    pub host_commune: Option<String>,
    /// Sectors served, comma-separated (`ES,EMS,VILLE`).
    pub sectors: String,
    /// The team's line (E.164).
    pub phone: Option<String>,
    /// When the line answers (`lun.–ven. 9 h–17 h`).
    pub hours: Option<String>,
    pub email: Option<String>,
    /// Tele-expertise address (secure messaging or platform).
    pub teleexpertise: Option<String>,
}

/// A member of a team.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    #[serde(skip)]
    pub team_id: i64,
    pub professional_id: i64,
    pub last_name: String,
    pub first_name: String,
    /// The discipline brought to the team (a profession code).
    pub discipline: String,
    /// Share of a full-time equivalent (0 < fte ≤ 1).
    pub fte: f64,
    #[serde(skip)]
    pub email: Option<String>,
    #[serde(skip)]
    pub phone: Option<String>,
    #[serde(skip)]
    pub public_name: bool,
    #[serde(skip)]
    pub public_email: bool,
    #[serde(skip)]
    pub public_phone: bool,
}

/// A team with the departments it serves and its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamView {
    #[serde(flatten)]
    pub team: Team,
    /// INSEE codes of the departments served.
    pub departments: Vec<String>,
    pub members: Vec<Member>,
    /// Required disciplines no member brings (`infectiologist`, `pharmacist`,
    /// `microbiologist`, `nurse`).
    pub missing_disciplines: Vec<String>,
}

impl TeamView {
    fn new(team: Team, departments: Vec<String>, members: Vec<Member>) -> TeamView {
        let present: Vec<Profession> = members
            .iter()
            .filter_map(|m| Profession::parse(&m.discipline))
            .collect();
        TeamView {
            missing_disciplines: missing_disciplines(&present)
                .iter()
                .map(|p| p.code().to_string())
                .collect(),
            team,
            departments,
            members,
        }
    }

    /// The team's total FTE.
    pub fn fte(&self) -> f64 {
        self.members.iter().map(|m| m.fte).sum()
    }
}

/// Raw input of a team, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TeamInput {
    pub name: Option<String>,
    pub ght_id: Option<i64>,
    pub host_establishment_id: Option<i64>,
    /// `ES`, `EMS`, `VILLE`.
    pub sectors: Option<Vec<String>>,
    /// INSEE department codes.
    pub departments: Option<Vec<String>>,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub email: Option<String>,
    pub teleexpertise: Option<String>,
    /// Region (national accounts only; the others' is their own).
    pub region: Option<String>,
}

/// A checked team. Build it with [`NewTeam::validate`].
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub region: RegionCode,
    pub name: String,
    pub ght_id: Option<i64>,
    pub host_establishment_id: i64,
    pub sectors: Vec<Sector>,
    pub departments: Vec<&'static str>,
    pub phone: Option<Phone>,
    pub hours: Option<String>,
    pub email: Option<Email>,
    pub teleexpertise: Option<String>,
}

/// The region an input is filed in: the caller's own, or the one a national account chose.
fn region_of(
    errors: &mut Vec<FieldError>,
    own: Option<&RegionCode>,
    given: &Option<String>,
) -> Option<RegionCode> {
    match (own, optional(given)) {
        (Some(own), _) => Some(own.clone()),
        (None, Some(r)) => RegionCode::parse(r)
            .map_err(|e| errors.push(FieldError::of("region", &e)))
            .ok(),
        (None, None) => {
            errors.push(FieldError::new(
                "region",
                "choisissez une région",
                "choose a region",
            ));
            None
        }
    }
}

impl NewTeam {
    /// Checks every field, returning all the errors at once.
    pub fn validate(
        input: &TeamInput,
        own_region: Option<&RegionCode>,
    ) -> Result<NewTeam, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = bounded(&mut errors, "name", &input.name, 150);
        if optional(&input.name).is_none() {
            errors.push(FieldError::new(
                "name",
                "le nom de l'équipe est obligatoire",
                "the team's name is required",
            ));
        }
        if input.host_establishment_id.is_none() {
            errors.push(FieldError::new(
                "host_establishment_id",
                "choisissez l'établissement support de l'équipe",
                "choose the team's host establishment",
            ));
        }
        let mut sectors = Vec::new();
        for s in input
            .sectors
            .iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
        {
            match Sector::parse(s) {
                Some(x) if !sectors.contains(&x) => sectors.push(x),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "sectors",
                    format!("« {s} » n'est pas un secteur (ES, EMS ou VILLE)"),
                    format!("“{s}” is not a sector (ES, EMS or VILLE)"),
                )),
            }
        }
        if sectors.is_empty() && !errors.iter().any(|e| e.field == "sectors") {
            errors.push(FieldError::new(
                "sectors",
                "cochez au moins un secteur desservi",
                "tick at least one sector served",
            ));
        }
        sectors.sort_by_key(|s| Sector::ALL.iter().position(|x| x == s));
        let region = region_of(&mut errors, own_region, &input.region);
        let mut departments = Vec::new();
        for d in input
            .departments
            .iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
        {
            match geo::department(d) {
                Some(dep) if region.as_ref().is_some_and(|r| r.as_str() != dep.region) => errors
                    .push(FieldError::new(
                        "departments",
                        format!("le département {} n'est pas dans la région", dep.code),
                        format!("department {} is not in the region", dep.code),
                    )),
                Some(dep) if !departments.contains(&dep.code) => departments.push(dep.code),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "departments",
                    format!("« {d} » n'est pas un code de département"),
                    format!("“{d}” is not a department code"),
                )),
            }
        }
        if departments.is_empty() && !errors.iter().any(|e| e.field == "departments") {
            errors.push(FieldError::new(
                "departments",
                "choisissez au moins un département desservi",
                "choose at least one department served",
            ));
        }
        departments.sort_unstable();
        let phone = super::phone_field(&mut errors, &input.phone);
        let email = super::email_field(&mut errors, &input.email);
        let hours = bounded(&mut errors, "hours", &input.hours, 200);
        let teleexpertise = bounded(&mut errors, "teleexpertise", &input.teleexpertise, 300);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewTeam {
            region: region.expect("checked"),
            name: name.expect("checked"),
            ght_id: input.ght_id,
            host_establishment_id: input.host_establishment_id.expect("checked"),
            sectors,
            departments,
            phone,
            hours,
            email,
            teleexpertise,
        })
    }

    fn sectors_code(&self) -> String {
        self.sectors
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(",")
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

/// The region of team `id`, if it is within `scope` (else `NotFound`).
pub(super) async fn team_region(tx: &mut Tx, scope: &Scope, id: i64) -> Result<String> {
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM ema_teams WHERE id = $1").bind(id).fetch_optional(c).await)?;
    region
        .filter(|r| scope.allows(r))
        .ok_or(StoreError::NotFound)
}

/// Creates a team; a name already used in the region is a conflict on `name`.
pub async fn create_team(tx: &mut Tx, scope: &Scope, t: &NewTeam) -> Result<i64> {
    if !scope.allows(t.region.as_str()) {
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

/// Replaces a team's fields; it keeps its region and its members.
pub async fn update_team(tx: &mut Tx, scope: &Scope, id: i64, t: &NewTeam) -> Result<()> {
    if team_region(tx, scope, id).await? != t.region.as_str() {
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
    let teams: Vec<Team> = on_db!(db, p => bind_args!(sqlx::query_as::<_, Team>(sqlx::AssertSqlSafe(
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
    let members: Vec<Member> = on_db!(db, p => sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
        "{MEMBER_SELECT} WHERE m.team_id IN ({ids}) ORDER BY p.last_name, p.first_name")))
        .fetch_all(p).await)?;
    let mut by_team: BTreeMap<i64, (Vec<String>, Vec<Member>)> = BTreeMap::new();
    for (t, d) in deps {
        by_team.entry(t).or_default().0.push(d);
    }
    for m in members {
        by_team.entry(m.team_id).or_default().1.push(m);
    }
    Ok(teams
        .into_iter()
        .map(|t| {
            let (d, m) = by_team.remove(&t.id).unwrap_or_default();
            TeamView::new(t, d, m)
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

/// Raw input of a membership.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub professional_id: Option<i64>,
    /// A profession code: `infectiologist`, `pharmacist`, `microbiologist`, `nurse`…
    pub discipline: Option<String>,
    /// Share of a full-time equivalent, `0.5` or `0,5`.
    pub fte: Option<String>,
}

/// A checked membership.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub professional_id: i64,
    pub discipline: Profession,
    pub fte: f64,
}

impl NewMember {
    pub fn validate(input: &MemberInput) -> Result<NewMember, Vec<FieldError>> {
        let mut errors = Vec::new();
        if input.professional_id.is_none() {
            errors.push(FieldError::new(
                "professional_id",
                "choisissez un professionnel de l'annuaire",
                "choose a professional from the directory",
            ));
        }
        let discipline = optional(&input.discipline).and_then(Profession::parse);
        if discipline.is_none() {
            errors.push(FieldError::new(
                "discipline",
                "choisissez une discipline dans la liste",
                "choose a discipline from the list",
            ));
        }
        let fte = match optional(&input.fte).map(|f| f.replace(',', ".").parse::<f64>()) {
            Some(Ok(f)) if f > 0.0 && f <= 1.0 => Some(f),
            Some(_) => {
                errors.push(FieldError::new(
                    "fte",
                    format!(
                        "« {} » : le temps (ETP) doit être un nombre entre 0 et 1, par exemple 0,5",
                        optional(&input.fte).unwrap_or("")
                    ),
                    "the FTE share must be a number between 0 and 1, e.g. 0.5",
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    "fte",
                    "indiquez le temps consacré à l'équipe (ETP, ex. 0,5)",
                    "give the share of time given to the team (FTE, e.g. 0.5)",
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewMember {
            professional_id: input.professional_id.expect("checked"),
            discipline: discipline.expect("checked"),
            fte: fte.expect("checked"),
        })
    }
}

/// Adds a member to a team, or changes their discipline and FTE if they are one already. The
/// professional must be of the team's region.
pub async fn set_member(tx: &mut Tx, scope: &Scope, team_id: i64, m: &NewMember) -> Result<()> {
    let team_region = team_region(tx, scope, team_id).await?;
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM professionals WHERE id = $1")
        .bind(m.professional_id).fetch_optional(c).await)?;
    if region.as_deref() != Some(team_region.as_str()) {
        return Err(StoreError::Invalid("professional_id"));
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ema_members (team_id, professional_id, discipline, fte) VALUES ($1, $2, $3, $4)
         ON CONFLICT (team_id, professional_id) DO UPDATE SET discipline = excluded.discipline, fte = excluded.fte")
        .bind(team_id).bind(m.professional_id).bind(m.discipline.code()).bind(m.fte)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a member from a team; returns the team's name.
pub async fn remove_member(
    tx: &mut Tx,
    scope: &Scope,
    team_id: i64,
    professional_id: i64,
) -> Result<String> {
    team_region(tx, scope, team_id).await?;
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
