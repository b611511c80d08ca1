//! The regional centre's public contact, and what the public "who do I ask?" lookup shows.

use super::TeamView;
use cratb_domain::field::{bounded, email_field, phone_field};
use cratb_domain::{FieldError, RegionCode, geo};
use serde::{Deserialize, Serialize};

/// A region's CRAtb, as the public sees it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        let phone = phone_field(&mut errors, &input.phone);
        let email = email_field(&mut errors, &input.email);
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

/// What was typed in the centre's form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CentreForm {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub address: String,
}

impl CentreForm {
    /// The form of `region`'s centre, filled with its current contact (if any).
    pub fn of(region: String, current: Option<Centre>) -> CentreForm {
        let current = current.unwrap_or_default();
        CentreForm {
            region,
            name: current.name,
            phone: super::readable_phone(current.phone.as_deref()),
            email: current.email.unwrap_or_default(),
            website: current.website.unwrap_or_default(),
            address: current.address.unwrap_or_default(),
        }
    }

    /// Checks the form for `region` (the caller's, or the one a national account chose).
    pub fn validate(&self, region: &RegionCode) -> Result<Centre, Vec<FieldError>> {
        Centre::validate(
            region,
            &CentreInput {
                name: Some(self.name.clone()),
                phone: Some(self.phone.clone()),
                email: Some(self.email.clone()),
                website: Some(self.website.clone()),
                address: Some(self.address.clone()),
            },
        )
    }
}

/// A team member the public may see: only the fields they consented to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicMember {
    pub name: String,
    pub discipline: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A team as the public search shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicAnswer {
    pub department_code: String,
    pub department_name: String,
    pub region_name: String,
    pub centre: Option<Centre>,
    pub teams: Vec<PublicTeam>,
}

impl PublicAnswer {
    /// The answer for `dep`: its region's centre and the teams serving it, public fields only.
    pub fn new(dep: &geo::Department, centre: Option<Centre>, teams: Vec<TeamView>) -> Self {
        PublicAnswer {
            department_code: dep.code.into(),
            department_name: dep.name.into(),
            region_name: geo::region(dep.region).map_or("", |r| r.name).into(),
            centre,
            teams: teams.into_iter().map(PublicTeam::from).collect(),
        }
    }
}
