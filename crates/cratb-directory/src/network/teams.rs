//! EMA teams: members with their discipline and FTE, the departments and sectors served.

use cratb_domain::directory::missing_disciplines;
use cratb_domain::field::{bounded, email_field, optional, phone_field};
use cratb_domain::{Email, FieldError, Lang, Phone, Profession, RegionCode, Sector, geo};
use serde::{Deserialize, Serialize};

/// An EMA team, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// A team with its departments and members; the missing disciplines follow from them.
    pub fn new(team: Team, departments: Vec<String>, members: Vec<Member>) -> TeamView {
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
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        let phone = phone_field(&mut errors, &input.phone);
        let email = email_field(&mut errors, &input.email);
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

    /// The sectors served, as stored (`ES,EMS`).
    pub fn sectors_code(&self) -> String {
        self.sectors
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Raw input of a membership.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The add-member form as typed (the professional is chosen from a list; empty is none).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberForm {
    pub professional_id: Option<String>,
    pub discipline: Option<String>,
    pub fte: Option<String>,
}

impl MemberForm {
    pub fn input(self) -> MemberInput {
        MemberInput {
            professional_id: optional(&self.professional_id).and_then(|p| p.parse().ok()),
            discipline: self.discipline,
            fte: self.fte,
        }
    }
}

/// What was typed in the team form.
#[derive(Debug, Clone, Default)]
pub struct TeamForm {
    pub name: String,
    pub ght_id: String,
    pub host: String,
    pub sectors: Vec<String>,
    pub departments: Vec<String>,
    pub phone: String,
    pub hours: String,
    pub email: String,
    pub teleexpertise: String,
    pub region: String,
}

impl TeamForm {
    /// An empty form for a new team: hospitals and nursing homes ticked.
    pub fn blank() -> TeamForm {
        TeamForm {
            sectors: vec!["ES".into(), "EMS".into()],
            ..Default::default()
        }
    }

    /// The form filled with a team's fields, to edit them.
    pub fn of(t: TeamView) -> TeamForm {
        TeamForm {
            name: t.team.name,
            ght_id: t.team.ght_id.map(|g| g.to_string()).unwrap_or_default(),
            host: t.team.host_establishment_id.to_string(),
            sectors: t.team.sectors.split(',').map(String::from).collect(),
            departments: t.departments,
            phone: super::readable_phone(t.team.phone.as_deref()),
            hours: t.team.hours.unwrap_or_default(),
            email: t.team.email.unwrap_or_default(),
            teleexpertise: t.team.teleexpertise.unwrap_or_default(),
            region: t.team.region_code,
        }
    }

    /// The form's fields as posted (`sectors` and `departments` repeat).
    pub fn from_pairs(fields: Vec<(String, String)>) -> TeamForm {
        let mut v = TeamForm::default();
        for (key, value) in fields {
            let slot = match key.as_str() {
                "sectors" => {
                    v.sectors.push(value);
                    continue;
                }
                "departments" => {
                    v.departments.push(value);
                    continue;
                }
                "name" => &mut v.name,
                "ght_id" => &mut v.ght_id,
                "host_establishment_id" => &mut v.host,
                "phone" => &mut v.phone,
                "hours" => &mut v.hours,
                "email" => &mut v.email,
                "teleexpertise" => &mut v.teleexpertise,
                "region" => &mut v.region,
                _ => continue,
            };
            *slot = value;
        }
        v
    }

    /// Checks the form: the team's fields ([`NewTeam::validate`]) and the lists' choices.
    pub fn validate(&self, own_region: Option<&RegionCode>) -> Result<NewTeam, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, text: &str| -> Option<i64> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            t.parse()
                .map_err(|_| {
                    errors.push(FieldError::new(
                        field,
                        "choisissez dans la liste",
                        "choose from the list",
                    ))
                })
                .ok()
        };
        let input = TeamInput {
            name: Some(self.name.clone()),
            ght_id: number("ght_id", &self.ght_id),
            host_establishment_id: number("host_establishment_id", &self.host),
            sectors: Some(self.sectors.clone()),
            departments: Some(self.departments.clone()),
            phone: Some(self.phone.clone()),
            hours: Some(self.hours.clone()),
            email: Some(self.email.clone()),
            teleexpertise: Some(self.teleexpertise.clone()),
            region: Some(self.region.clone()),
        };
        match (NewTeam::validate(&input, own_region), errors.is_empty()) {
            (Ok(t), true) => Ok(t),
            (Ok(_), false) => Err(errors),
            (Err(mut e), _) => {
                e.extend(errors);
                Err(e)
            }
        }
    }
}

/// A team with its labels resolved for display.
pub struct TeamLabels {
    pub v: TeamView,
    pub departments: String,
    pub sectors: String,
    pub missing: String,
    pub fte: String,
    pub phone: String,
}

impl TeamLabels {
    pub fn new(v: TeamView, lang: Lang) -> TeamLabels {
        TeamLabels {
            departments: v
                .departments
                .iter()
                .map(|d| {
                    geo::department(d).map_or(d.clone(), |x| format!("{} ({})", x.name, x.code))
                })
                .collect::<Vec<_>>()
                .join(", "),
            sectors: v
                .team
                .sectors
                .split(',')
                .filter_map(Sector::parse)
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join(", "),
            missing: v
                .missing_disciplines
                .iter()
                .filter_map(|d| Profession::parse(d))
                .map(|d| d.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            fte: fte_label(v.fte(), lang),
            phone: super::readable_phone(v.team.phone.as_deref()),
            v,
        }
    }
}

/// A member as shown on the team's page.
pub struct MemberLabels {
    pub id: i64,
    pub name: String,
    pub discipline: &'static str,
    pub fte: String,
}

impl MemberLabels {
    pub fn new(m: &Member, lang: Lang) -> MemberLabels {
        MemberLabels {
            id: m.professional_id,
            name: format!("{} {}", m.last_name, m.first_name),
            discipline: Profession::parse(&m.discipline).map_or("?", |p| p.label(lang)),
            fte: fte_label(m.fte, lang),
        }
    }
}

/// A professional of the directory who could join a team.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    /// A profession code.
    pub profession: String,
}

impl Candidate {
    /// As the add-member list names them (`Durand Alice — Infectiologue`).
    pub fn label(&self, lang: Lang) -> String {
        format!(
            "{} {} — {}",
            self.last_name,
            self.first_name,
            Profession::parse(&self.profession).map_or("?", |x| x.label(lang))
        )
    }
}

/// A share of a full-time equivalent: `1,5` in French, `1.5` in English.
pub fn fte_label(fte: f64, lang: Lang) -> String {
    let s = format!("{fte:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    lang.pick(s.replace('.', ","), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_form_gathers_every_error_including_its_lists() {
        let form = TeamForm::from_pairs(vec![
            ("name".into(), "EMA Grenoble".into()),
            ("host_establishment_id".into(), "x".into()),
            ("sectors".into(), "ES".into()),
            ("sectors".into(), "EMS".into()),
            ("departments".into(), "38".into()),
            ("region".into(), "84".into()),
        ]);
        assert_eq!(form.sectors, ["ES", "EMS"]);
        let errors = form.validate(None).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["host_establishment_id", "host_establishment_id"]
        );
        let form = TeamForm {
            host: "3".into(),
            ..form
        };
        let t = form.validate(None).unwrap();
        assert_eq!(
            (t.region.as_str(), t.sectors_code()),
            ("84", "ES,EMS".into())
        );
    }

    #[test]
    fn fte_reads_as_people_write_it() {
        assert_eq!(fte_label(1.5, Lang::Fr), "1,5");
        assert_eq!(fte_label(1.5, Lang::En), "1.5");
        assert_eq!(fte_label(1.0, Lang::Fr), "1");
        assert_eq!(fte_label(0.25, Lang::Fr), "0,25");
    }
}
