//! The regional centre's contact and the public "who do I ask?" lookup.

use super::bounded;
use super::teams::{TeamView, teams_where};
use crate::{Arg, Db, FieldError, Filter, Result, StoreError, Tx, now, on_db, on_tx};
use cratb_domain::{RegionCode, Scope, geo};
use serde::{Deserialize, Serialize};

/// A region's CRAtb, as the public sees it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Centre {
    #[serde(default)]
    pub region_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
}

/// Raw input of the centre's contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CentreInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
}

impl Centre {
    /// Checks a centre's contact for `region`.
    pub fn validate(region: &RegionCode, input: &CentreInput) -> Result<Centre, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = bounded(&mut errors, "name", &input.name, 150);
        if name.is_none() && !errors.iter().any(|e| e.field == "name") {
            errors.push(FieldError::new(
                "name",
                "le nom du centre est obligatoire",
                "the centre's name is required",
            ));
        }
        let phone = super::phone_field(&mut errors, &input.phone);
        let email = super::email_field(&mut errors, &input.email);
        let website = bounded(&mut errors, "website", &input.website, 300);
        if let Some(w) = &website
            && !(w.starts_with("https://") || w.starts_with("http://"))
        {
            errors.push(FieldError::new(
                "website",
                "l'adresse du site commence par https://",
                "the website address starts with https://",
            ));
        }
        let address = bounded(&mut errors, "address", &input.address, 300);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Centre {
            region_code: region.to_string(),
            name: name.expect("checked"),
            phone: phone.map(|p| p.e164().to_string()),
            email: email.map(|e| e.to_string()),
            website,
            address,
        })
    }
}

/// A region's centre, if its contact has been entered.
pub async fn centre(db: &Db, region: &str) -> Result<Option<Centre>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Centre>(
        "SELECT region_code, name, phone, email, website, address FROM regional_centres WHERE region_code = $1")
        .bind(region).fetch_optional(p).await)?)
}

/// Records a region's centre contact.
pub async fn set_centre(tx: &mut Tx, scope: &Scope, c: &Centre) -> Result<()> {
    if !scope.allows(&c.region_code) {
        return Err(StoreError::Invalid("region"));
    }
    on_tx!(tx, p => sqlx::query(
        "INSERT INTO regional_centres (region_code, name, phone, email, website, address, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (region_code) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email,
            website = excluded.website, address = excluded.address, updated_at = excluded.updated_at")
        .bind(&c.region_code).bind(&c.name).bind(&c.phone).bind(&c.email).bind(&c.website).bind(&c.address)
        .bind(now()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A team member the public may see: only the fields they consented to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMember {
    pub name: String,
    pub discipline: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A team as the public search shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicTeam {
    pub name: String,
    pub host_name: String,
    pub host_commune: Option<String>,
    pub sectors: String,
    pub departments: Vec<String>,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub email: Option<String>,
    pub teleexpertise: Option<String>,
    /// Members who consented to public listing of their name.
    pub members: Vec<PublicMember>,
}

impl From<TeamView> for PublicTeam {
    fn from(v: TeamView) -> PublicTeam {
        PublicTeam {
            members: v
                .members
                .iter()
                .filter(|m| m.public_name)
                .map(|m| PublicMember {
                    name: format!("{} {}", m.first_name, m.last_name),
                    discipline: m.discipline.clone(),
                    email: m.email.clone().filter(|_| m.public_email),
                    phone: m.phone.clone().filter(|_| m.public_phone),
                })
                .collect(),
            name: v.team.name,
            host_name: v.team.host_name,
            host_commune: v.team.host_commune,
            sectors: v.team.sectors,
            departments: v.departments,
            phone: v.team.phone,
            hours: v.team.hours,
            email: v.team.email,
            teleexpertise: v.team.teleexpertise,
        }
    }
}

/// What the public search answers for one department.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicAnswer {
    pub department_code: String,
    pub department_name: String,
    pub region_name: String,
    pub centre: Option<Centre>,
    pub teams: Vec<PublicTeam>,
}

/// The departments a search text designates: a postcode, a department code or name, or a
/// commune known to the directory (several departments when homonyms exist).
pub async fn places_for(db: &Db, text: &str) -> Result<Vec<&'static geo::Department>> {
    if let Some(d) = geo::find_department(text) {
        return Ok(vec![d]);
    }
    let folded = geo::fold(text);
    if folded.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let communes: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT DISTINCT commune, department_code FROM establishments WHERE commune IS NOT NULL")
        .fetch_all(p).await)?;
    let mut found: Vec<&'static geo::Department> = communes
        .iter()
        .filter(|(c, _)| geo::fold(c) == folded)
        .filter_map(|(_, d)| geo::department(d))
        .collect();
    found.sort_by_key(|d| d.code);
    found.dedup_by_key(|d| d.code);
    Ok(found)
}

/// The teams serving a department and the centre of its region, public fields only.
pub async fn public_answer(db: &Db, dep: &geo::Department) -> Result<PublicAnswer> {
    let mut f = Filter::default();
    f.push(
        "t.id IN (SELECT team_id FROM ema_team_departments WHERE department_code = ?)",
        [Arg::Text(dep.code.into())],
    );
    let teams = teams_where(db, &f).await?;
    Ok(PublicAnswer {
        department_code: dep.code.into(),
        department_name: dep.name.into(),
        region_name: geo::region(dep.region).map_or("", |r| r.name).into(),
        centre: centre(db, dep.region).await?,
        teams: teams.into_iter().map(PublicTeam::from).collect(),
    })
}
