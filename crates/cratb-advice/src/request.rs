//! A request for advice: a pseudonymised clinical case (age, sex and the facts the answer needs;
//! never a name, a date of birth or an address), its setting and its question, as typed in the
//! form or sent to the API, and its checks, every field at once.

use crate::codes::{Channel, InfectionSite, QuestionType, Route, Sex, Urgency};
use cratb_domain::field::{bounded, optional};
use cratb_domain::{FieldError, Finess, Profession, Rpps, Sector, WardType, geo};
use serde::Deserialize;
use time::Date;

/// A value that is not what its field expects (the field's check says what was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// A number as a form types it (`72,5`) or as JSON sends it (`72.5`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Figure {
    Number(f64),
    Text(String),
}

impl Figure {
    /// The number, decimal comma accepted; `Ok(None)` when empty.
    pub fn value(&self) -> Result<Option<f64>, Unreadable> {
        match self {
            Figure::Number(n) if n.is_finite() => Ok(Some(*n)),
            Figure::Number(_) => Err(Unreadable),
            Figure::Text(t) if t.trim().is_empty() => Ok(None),
            Figure::Text(t) => t
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or(Unreadable),
        }
    }
}

/// A yes/no as a form ticks it (`on`) or as JSON sends it (`true`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    /// The answer: `true`, `on`, `1`, `yes`, `oui` are yes; empty, `false`, `off`, `0`, `no`,
    /// `non` are no.
    pub fn value(&self) -> Result<bool, Unreadable> {
        match self {
            Flag::Bool(b) => Ok(*b),
            Flag::Text(t) => match t.trim().to_lowercase().as_str() {
                "true" | "on" | "1" | "yes" | "oui" => Ok(true),
                "" | "false" | "off" | "0" | "no" | "non" => Ok(false),
                _ => Err(Unreadable),
            },
        }
    }
}

/// An antibiotic the patient is given, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AntibioticInput {
    /// WHO ATC code (`J01CA04`).
    pub atc: Option<String>,
    /// `1 g x 3/j`.
    pub dose: Option<String>,
    /// `oral`, `iv`, `im`, `sc`, `inhaled`, `topical`.
    pub route: Option<String>,
    /// `YYYY-MM-DD`.
    pub started_on: Option<String>,
}

/// Who called, for a request entered by the team member who took the call.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerInput {
    /// The caller's entry in the directory, if found there.
    pub professional_id: Option<i64>,
    /// The caller's name, when not in the directory.
    pub name: Option<String>,
    /// A profession code (`gp`, `pharmacist`, `ehpad_physician`, `hospital_physician`…).
    pub profession: Option<String>,
    pub rpps: Option<String>,
}

/// A request as typed in the form or sent to the API (codes as in [`crate::codes`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestInput {
    /// `ES`, `EMS` or `VILLE`.
    pub sector: Option<String>,
    /// FINESS of the establishment (optional).
    pub establishment: Option<String>,
    /// INSEE code; the requester's by default.
    pub department: Option<String>,
    /// For a hospital: the ward type (`medicine`, `surgery`, `icu`…).
    pub ward_type: Option<String>,
    /// Age in years.
    pub age: Option<Figure>,
    /// `F` or `M`.
    pub sex: Option<String>,
    pub weight_kg: Option<Figure>,
    pub pregnant: Option<Flag>,
    /// Estimated glomerular filtration rate, mL/min.
    pub egfr: Option<Figure>,
    pub allergies: Option<String>,
    pub beta_lactam_allergy: Option<Flag>,
    pub immunosuppressed: Option<Flag>,
    pub infection_site: Option<String>,
    pub question_type: Option<String>,
    pub antibiotics: Option<Vec<AntibioticInput>>,
    pub microbiology: Option<String>,
    pub question: Option<String>,
    /// `routine` (default) or `today`.
    pub urgency: Option<String>,
    /// `web` (default), `phone`, `email`, `tele_expertise`.
    pub channel: Option<String>,
    /// Who called, when a team member enters a request on someone's behalf.
    pub caller: Option<CallerInput>,
}

/// An antibiotic, checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Antibiotic {
    pub atc: String,
    pub dose: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub route: Route,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub started_on: Option<Date>,
}

/// The caller of a request entered on their behalf, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub professional_id: Option<i64>,
    pub name: Option<String>,
    pub profession: Profession,
    pub rpps: Option<Rpps>,
}

/// A checked request. Build it with [`NewRequest::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    pub sector: Sector,
    pub establishment: Option<Finess>,
    pub department: &'static str,
    pub ward_type: Option<WardType>,
    pub age: u8,
    pub sex: Sex,
    pub weight_kg: Option<f64>,
    pub pregnant: bool,
    pub egfr: Option<f64>,
    pub allergies: Option<String>,
    pub beta_lactam_allergy: bool,
    pub immunosuppressed: bool,
    pub site: InfectionSite,
    pub question_type: QuestionType,
    pub antibiotics: Vec<Antibiotic>,
    pub microbiology: Option<String>,
    pub question: String,
    pub urgency: Urgency,
    pub channel: Channel,
    pub caller: Option<Caller>,
}

/// What a request is checked against: the region's departments, the requester's department
/// (the default), and the day (no antibiotic starts tomorrow).
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub region: &'a str,
    pub default_department: Option<&'a str>,
    pub today: Date,
}

/// At most this many antibiotics in a request or an answer.
pub const MAX_ANTIBIOTICS: usize = 10;
/// The longest free text (question, microbiology, answer).
pub const MAX_TEXT: usize = 8000;

fn required(errors: &mut Vec<FieldError>, field: &'static str, fr: &str, en: &str) {
    errors.push(FieldError::new(
        field,
        format!("{fr} : champ obligatoire"),
        format!("{en}: required"),
    ));
}

/// A coded field, required: its code, or an error listing the codes.
pub(crate) fn code<T: Copy>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    all: &[T],
    code_of: impl Fn(T) -> &'static str,
) -> Option<T> {
    let Some(v) = optional(value) else {
        errors.push(FieldError::new(
            field,
            "choisissez une valeur",
            "choose a value",
        ));
        return None;
    };
    parse(v).or_else(|| {
        let codes = all
            .iter()
            .map(|c| code_of(*c))
            .collect::<Vec<_>>()
            .join(", ");
        errors.push(FieldError::new(
            field,
            format!("« {v} » n'est pas une valeur possible ({codes})"),
            format!("“{v}” is not a possible value ({codes})"),
        ));
        None
    })
}

/// A number within bounds, or its error; `None` when empty.
pub(crate) fn figure(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &Option<Figure>,
    (min, max): (f64, f64),
    unit: &str,
) -> Option<f64> {
    let v = value.as_ref()?;
    match v.value() {
        Ok(Some(n)) if (min..=max).contains(&n) => Some(n),
        Ok(None) => None,
        _ => {
            let shown = match v {
                Figure::Number(n) => n.to_string(),
                Figure::Text(t) => t.clone(),
            };
            errors.push(FieldError::new(
                field,
                format!("« {shown} » : attendu un nombre de {min} à {max}{unit}"),
                format!("“{shown}”: expected a number from {min} to {max}{unit}"),
            ));
            None
        }
    }
}

fn flag(errors: &mut Vec<FieldError>, field: &'static str, value: &Option<Flag>) -> bool {
    match value.as_ref().map(Flag::value) {
        None => false,
        Some(Ok(b)) => b,
        Some(Err(Unreadable)) => {
            errors.push(FieldError::new(
                field,
                "attendu oui ou non",
                "expected yes or no",
            ));
            false
        }
    }
}

/// Whether `atc` is a WHO ATC code of an antimicrobial this product names (systemic
/// antibacterials, antimycotics, antimycobacterials, nitroimidazoles…).
pub fn known_atc(atc: &str) -> bool {
    cratb_amr::names::french_by_atc(atc).is_some()
}

/// The antibiotics of a request or an answer, checked; `field` is the list's name.
pub(crate) fn antibiotics(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    lines: &[AntibioticInput],
    today: Option<Date>,
) -> Vec<Antibiotic> {
    let lines: Vec<&AntibioticInput> = lines
        .iter()
        .filter(|l| {
            optional(&l.atc).is_some()
                || optional(&l.dose).is_some()
                || optional(&l.route).is_some()
        })
        .collect();
    if lines.len() > MAX_ANTIBIOTICS {
        errors.push(FieldError::new(
            field,
            format!("{MAX_ANTIBIOTICS} antibiotiques au plus"),
            format!("{MAX_ANTIBIOTICS} antibiotics at most"),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        let n = i + 1;
        let atc = optional(&l.atc).map(|a| a.to_uppercase());
        let atc = match atc {
            Some(a) if known_atc(&a) => Some(a),
            Some(a) => {
                errors.push(FieldError::new(
                    field,
                    format!("ligne {n} : « {a} » n'est pas un code ATC d'anti-infectieux connu"),
                    format!("line {n}: “{a}” is not a known ATC code of an anti-infective"),
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    field,
                    format!("ligne {n} : choisissez la molécule"),
                    format!("line {n}: choose the drug"),
                ));
                None
            }
        };
        let route = optional(&l.route).map(|r| (r, Route::parse(r)));
        let route = match route {
            Some((_, Some(r))) => Some(r),
            None => {
                errors.push(FieldError::new(
                    field,
                    format!("ligne {n} : choisissez la voie"),
                    format!("line {n}: choose the route"),
                ));
                None
            }
            Some((r, None)) => {
                errors.push(FieldError::new(
                    field,
                    format!("ligne {n} : « {r} » n'est pas une voie (oral, iv, im, sc, inhaled, topical)"),
                    format!("line {n}: “{r}” is not a route (oral, iv, im, sc, inhaled, topical)"),
                ));
                None
            }
        };
        let dose = optional(&l.dose).unwrap_or("").to_string();
        if dose.chars().count() > 100 {
            errors.push(FieldError::new(
                field,
                format!("ligne {n} : la posologie tient en 100 caractères"),
                format!("line {n}: the dose fits in 100 characters"),
            ));
        }
        let started_on = match optional(&l.started_on) {
            None => None,
            Some(s) => match parse_day(s) {
                Some(d) if today.is_none_or(|t| d <= t) => Some(d),
                Some(_) => {
                    errors.push(FieldError::new(
                        field,
                        format!("ligne {n} : la date de début est à venir"),
                        format!("line {n}: the start date is in the future"),
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        field,
                        format!("ligne {n} : « {s} » n'est pas une date (JJ/MM/AAAA)"),
                        format!("line {n}: “{s}” is not a date (YYYY-MM-DD)"),
                    ));
                    None
                }
            },
        };
        if let (Some(atc), Some(route)) = (atc, route) {
            out.push(Antibiotic {
                atc,
                dose,
                route,
                started_on,
            });
        }
    }
    out
}

/// A day as `YYYY-MM-DD` or `DD/MM/YYYY`.
pub fn parse_day(s: &str) -> Option<Date> {
    let s = s.trim();
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let fr = time::macros::format_description!("[day]/[month]/[year]");
    Date::parse(s, iso).or_else(|_| Date::parse(s, fr)).ok()
}

impl NewRequest {
    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &RequestInput, ctx: &Context) -> Result<NewRequest, Vec<FieldError>> {
        let mut e = Vec::new();
        let sector = code(
            &mut e,
            "sector",
            &input.sector,
            Sector::parse,
            Sector::ALL,
            Sector::code,
        );
        let establishment = optional(&input.establishment)
            .map(Finess::parse)
            .transpose()
            .map_err(|err| e.push(FieldError::of("establishment", &err)))
            .ok()
            .flatten();
        let department = match optional(&input.department).or(ctx.default_department) {
            None => {
                required(&mut e, "department", "département", "department");
                None
            }
            Some(d) => match geo::department(d) {
                Some(dep) if dep.region == ctx.region => Some(dep.code),
                _ => {
                    e.push(FieldError::new(
                        "department",
                        format!("« {d} » n'est pas un département de la région"),
                        format!("“{d}” is not a department of the region"),
                    ));
                    None
                }
            },
        };
        let ward_type = match optional(&input.ward_type) {
            None => None,
            Some(_) if sector != Some(Sector::Es) => {
                e.push(FieldError::new(
                    "ward_type",
                    "le type de service ne s'indique que pour un établissement de santé",
                    "a ward type is given only for a hospital",
                ));
                None
            }
            Some(_) => code(
                &mut e,
                "ward_type",
                &input.ward_type,
                WardType::parse,
                WardType::ALL,
                WardType::code,
            ),
        };
        let age = match &input.age {
            None => {
                required(&mut e, "age", "âge", "age");
                None
            }
            some => figure(&mut e, "age", some, (0.0, 120.0), " ans").map(|a| a.floor() as u8),
        };
        if input.age.as_ref().is_some_and(|a| a.value() == Ok(None)) {
            required(&mut e, "age", "âge", "age");
        }
        let sex = code(&mut e, "sex", &input.sex, Sex::parse, Sex::ALL, Sex::code);
        let weight_kg = figure(&mut e, "weight_kg", &input.weight_kg, (0.3, 350.0), " kg");
        let pregnant = flag(&mut e, "pregnant", &input.pregnant);
        if pregnant && (sex == Some(Sex::Male) || age.is_some_and(|a| !(9..=60).contains(&a))) {
            e.push(FieldError::new(
                "pregnant",
                "une grossesse ne s'indique que pour une femme de 9 à 60 ans",
                "pregnancy applies only to a woman aged 9 to 60",
            ));
        }
        let egfr = figure(&mut e, "egfr", &input.egfr, (0.0, 250.0), " mL/min");
        let allergies = bounded(&mut e, "allergies", &input.allergies, 500);
        let beta_lactam_allergy = flag(&mut e, "beta_lactam_allergy", &input.beta_lactam_allergy);
        let immunosuppressed = flag(&mut e, "immunosuppressed", &input.immunosuppressed);
        let site = code(
            &mut e,
            "infection_site",
            &input.infection_site,
            InfectionSite::parse,
            InfectionSite::ALL,
            InfectionSite::code,
        );
        let question_type = code(
            &mut e,
            "question_type",
            &input.question_type,
            QuestionType::parse,
            QuestionType::ALL,
            QuestionType::code,
        );
        let antibiotics = antibiotics(
            &mut e,
            "antibiotics",
            input.antibiotics.as_deref().unwrap_or_default(),
            Some(ctx.today),
        );
        let microbiology = bounded(&mut e, "microbiology", &input.microbiology, MAX_TEXT);
        let question = bounded(&mut e, "question", &input.question, MAX_TEXT);
        if optional(&input.question).is_none() {
            required(&mut e, "question", "question", "question");
        }
        let urgency = match optional(&input.urgency) {
            None => Some(Urgency::Routine),
            Some(_) => code(
                &mut e,
                "urgency",
                &input.urgency,
                Urgency::parse,
                Urgency::ALL,
                Urgency::code,
            ),
        };
        let channel = match optional(&input.channel) {
            None => Some(Channel::Web),
            Some(_) => code(
                &mut e,
                "channel",
                &input.channel,
                Channel::parse,
                Channel::ALL,
                Channel::code,
            ),
        };
        let caller = input.caller.as_ref().and_then(|c| caller(&mut e, c));
        match (
            sector,
            department,
            age,
            sex,
            site,
            question_type,
            question,
            urgency,
            channel,
        ) {
            (
                Some(sector),
                Some(department),
                Some(age),
                Some(sex),
                Some(site),
                Some(question_type),
                Some(question),
                Some(urgency),
                Some(channel),
            ) if e.is_empty() => Ok(NewRequest {
                sector,
                establishment,
                department,
                ward_type,
                age,
                sex,
                weight_kg,
                pregnant,
                egfr,
                allergies,
                beta_lactam_allergy,
                immunosuppressed,
                site,
                question_type,
                antibiotics,
                microbiology,
                question,
                urgency,
                channel,
                caller,
            }),
            _ => Err(e),
        }
    }
}

fn caller(e: &mut Vec<FieldError>, c: &CallerInput) -> Option<Caller> {
    let name = bounded(e, "caller.name", &c.name, 150);
    if c.professional_id.is_none() && name.is_none() {
        e.push(FieldError::new(
            "caller.name",
            "choisissez l'appelant dans l'annuaire ou donnez son nom",
            "pick the caller in the directory or give their name",
        ));
    }
    let profession = code(
        e,
        "caller.profession",
        &c.profession,
        Profession::parse,
        Profession::ALL,
        Profession::code,
    );
    let rpps = optional(&c.rpps)
        .map(Rpps::parse)
        .transpose()
        .map_err(|err| e.push(FieldError::of("caller.rpps", &err)))
        .ok()
        .flatten();
    Some(Caller {
        professional_id: c.professional_id,
        name,
        profession: profession?,
        rpps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ctx() -> Context<'static> {
        Context {
            region: "84",
            default_department: Some("69"),
            today: date!(2026 - 11 - 30),
        }
    }

    fn text(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    pub(crate) fn good() -> RequestInput {
        RequestInput {
            sector: text("VILLE"),
            age: Some(Figure::Text("78".into())),
            sex: text("F"),
            weight_kg: Some(Figure::Text("61,5".into())),
            egfr: Some(Figure::Number(42.0)),
            beta_lactam_allergy: Some(Flag::Text("on".into())),
            infection_site: text("urinary"),
            question_type: text("choice"),
            antibiotics: Some(vec![AntibioticInput {
                atc: text("j01ma02"),
                dose: text("500 mg x 2/j"),
                route: text("oral"),
                started_on: text("27/11/2026"),
            }]),
            question: text("Cystite récidivante, quel relais ?"),
            ..RequestInput::default()
        }
    }

    #[test]
    fn a_good_request_with_its_defaults() {
        let r = NewRequest::validate(&good(), &ctx()).unwrap();
        assert_eq!(r.department, "69");
        assert_eq!(r.age, 78);
        assert_eq!(r.weight_kg, Some(61.5));
        assert!(r.beta_lactam_allergy);
        assert_eq!(r.antibiotics[0].atc, "J01MA02");
        assert_eq!(r.antibiotics[0].started_on, Some(date!(2026 - 11 - 27)));
        assert_eq!(r.urgency, Urgency::Routine);
        assert_eq!(r.channel, Channel::Web);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut i = good();
        i.sector = text("hopital");
        i.department = text("75");
        i.ward_type = text("icu");
        i.age = Some(Figure::Text("cent".into()));
        i.sex = None;
        i.pregnant = Some(Flag::Text("peut-être".into()));
        i.egfr = Some(Figure::Number(900.0));
        i.infection_site = text("ear");
        i.question = text("  ");
        i.urgency = text("now");
        i.antibiotics = Some(vec![AntibioticInput {
            atc: text("N02BE01"),
            route: text("rectal"),
            started_on: text("01/12/2026"),
            ..AntibioticInput::default()
        }]);
        i.caller = Some(CallerInput {
            rpps: text("123"),
            ..CallerInput::default()
        });
        let errors = NewRequest::validate(&i, &ctx()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "sector",
            "department",
            "ward_type",
            "age",
            "sex",
            "pregnant",
            "egfr",
            "infection_site",
            "question",
            "urgency",
            "antibiotics",
            "caller.name",
            "caller.profession",
            "caller.rpps",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        let abx: Vec<&str> = errors
            .iter()
            .filter(|e| e.field == "antibiotics")
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(abx.len(), 3, "{abx:?}");
        assert!(abx[0].contains("N02BE01"));
    }

    #[test]
    fn a_pregnant_man_is_refused() {
        let mut i = good();
        i.sex = text("M");
        i.pregnant = Some(Flag::Bool(true));
        let e = NewRequest::validate(&i, &ctx()).unwrap_err();
        assert_eq!(e[0].field, "pregnant");
    }
}
