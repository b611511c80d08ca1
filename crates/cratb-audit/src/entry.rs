//! A case entered at the bedside (or sent to the API): pseudonymised (no name, no date of
//! birth: the establishment's own case number, the age in years, the sex, the ward type), with
//! one answer per criterion of the grid. A draft keeps what was typed, checked only so far as
//! it can be stored; a validated case has every criterion answered (`NA` where it does not
//! apply) and every answer read against its type, each error in place.

use crate::campaign::{Count, establishment_field};
use crate::grid::{Answer, Grid};
use cratb_domain::field::optional;
use cratb_domain::{FieldError, Finess, Sex, WardType};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The longest answer kept (a text criterion).
const MAX_ANSWER: usize = 2000;

/// An answer as a form types it or as JSON sends it (`"oui"`, `"NA"`, `45`, `true`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Raw {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Raw {
    /// The answer as text (`true` is `yes`).
    pub fn text(&self) -> String {
        match self {
            Raw::Text(t) => t.trim().to_string(),
            Raw::Number(n) => n.to_string(),
            Raw::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        }
    }
}

/// A case as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseInput {
    /// The establishment's own case number (never the patient's record number if it names
    /// them): unique within the establishment and the campaign.
    pub case_number: Option<String>,
    /// The establishment's FINESS (one of the campaign's participants).
    pub establishment: Option<String>,
    /// Age in whole years.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub age: Option<Count>,
    /// `F` or `M`.
    pub sex: Option<String>,
    /// The ward type's code (`surgery`, `medicine`…), for a hospital.
    pub ward_type: Option<String>,
    /// One answer per criterion code: `oui`/`non`, a number, a choice, a date, a text, or `NA`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub answers: BTreeMap<String, Raw>,
}

/// A case checked against its grid.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedCase {
    pub case_number: String,
    pub establishment: Finess,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub ward_type: Option<WardType>,
    /// The answers by criterion code, as typed (a draft) or in their canonical form (validated);
    /// criteria not answered are absent.
    pub answers: BTreeMap<String, String>,
}

impl Answer {
    /// The answer written back in the form [`crate::Criterion::read`] reads: `yes`, `no`, `NA`, a
    /// number with a point, a choice, an ISO date, a text.
    pub fn canonical(&self) -> String {
        match self {
            Answer::NotApplicable => "NA".into(),
            Answer::Yes => "yes".into(),
            Answer::No => "no".into(),
            Answer::Number(n) => n.to_string(),
            Answer::Choice(c) => c.clone(),
            Answer::Date(d) => d.to_string(),
            Answer::Text(t) => t.clone(),
        }
    }
}

impl CaseInput {
    /// Checks the case against `grid`: a draft (`complete == false`) needs its case number and
    /// establishment and keeps each answer as typed; a validated case needs its age and sex,
    /// every criterion answered and each answer read. All the errors at once; a criterion's is
    /// keyed by its code under `answers`.
    pub fn check(&self, grid: &Grid, complete: bool) -> Result<CheckedCase, Vec<FieldError>> {
        let mut e = Vec::new();
        let case_number = match optional(&self.case_number) {
            None => {
                e.push(FieldError::new(
                    "case_number",
                    "Numéro de dossier obligatoire (celui que l'établissement garde, jamais le nom)",
                    "Case number required (the one the establishment keeps, never the name)",
                ));
                None
            }
            Some(v) if v.chars().count() > 40 => {
                e.push(FieldError::new(
                    "case_number",
                    "40 caractères au plus",
                    "40 characters at most",
                ));
                None
            }
            Some(v) => Some(v.to_string()),
        };
        let establishment = establishment_field(&mut e, &self.establishment);
        let age = match self.age.as_ref().map(Count::value) {
            None | Some(Ok(None)) => {
                if complete {
                    e.push(FieldError::new(
                        "age",
                        "Âge obligatoire (en années)",
                        "Age required (in years)",
                    ));
                }
                None
            }
            Some(Ok(Some(n))) if (0..=120).contains(&n) => Some(n as u8),
            Some(_) => {
                e.push(FieldError::new(
                    "age",
                    "Un âge en années, de 0 à 120",
                    "An age in years, 0 to 120",
                ));
                None
            }
        };
        let sex = match optional(&self.sex) {
            None => {
                if complete {
                    e.push(FieldError::new("sex", "Sexe obligatoire", "Sex required"));
                }
                None
            }
            Some(v) => Sex::parse(v).or_else(|| {
                e.push(FieldError::new("sex", "F ou M", "F or M"));
                None
            }),
        };
        let ward_type = optional(&self.ward_type).and_then(|v| {
            WardType::parse(v).or_else(|| {
                e.push(FieldError::new(
                    "ward_type",
                    format!("« {v} » n'est pas un type de service"),
                    format!("“{v}” is not a ward type"),
                ));
                None
            })
        });
        for code in self.answers.keys() {
            if grid.criterion(code).is_none() {
                e.push(FieldError::keyed(
                    "answers",
                    code.clone(),
                    format!("« {code} » n'est pas un critère de la grille {}", grid.code),
                    format!("“{code}” is not a criterion of grid {}", grid.code),
                ));
            }
        }
        let mut answers = BTreeMap::new();
        for c in &grid.criteria {
            let raw = self.answers.get(&c.code).map(Raw::text).unwrap_or_default();
            if raw.chars().count() > MAX_ANSWER {
                e.push(FieldError::keyed(
                    "answers",
                    c.code.clone(),
                    "2 000 caractères au plus",
                    "2,000 characters at most",
                ));
                continue;
            }
            if !complete {
                if !raw.is_empty() {
                    answers.insert(c.code.clone(), raw);
                }
                continue;
            }
            if raw.is_empty() {
                e.push(FieldError::keyed(
                    "answers",
                    c.code.clone(),
                    "Réponse attendue (« NA » si le critère ne s'applique pas)",
                    "Answer required (“NA” if the criterion does not apply)",
                ));
                continue;
            }
            match c.read(&raw) {
                Ok(a) => {
                    answers.insert(c.code.clone(), a.canonical());
                }
                Err(msg) => e.push(FieldError::keyed(
                    "answers",
                    c.code.clone(),
                    format!("« {raw} » : {msg}"),
                    format!("“{raw}”: {}", english(&msg)),
                )),
            }
        }
        match (case_number, establishment) {
            (Some(case_number), Some(establishment)) if e.is_empty() => Ok(CheckedCase {
                case_number,
                establishment,
                age,
                sex,
                ward_type,
                answers,
            }),
            _ => Err(e),
        }
    }
}

/// The English of what [`crate::Criterion::read`] expected.
fn english(fr: &str) -> String {
    if fr.starts_with("attendu oui/non") {
        "expected yes/no or NA".into()
    } else if fr.starts_with("attendu un nombre") {
        "expected a number or NA".into()
    } else if let Some(rest) = fr.strip_prefix("attendu l'un de : ") {
        format!("expected one of: {rest}")
    } else if fr.starts_with("attendu une date") {
        "expected a date (YYYY-MM-DD or DD/MM/YYYY) or NA".into()
    } else {
        fr.replace("caractères au plus", "characters at most")
    }
}

/// A stored case's answers read back in the grid's order (a stored answer that no longer reads,
/// which a campaign's fixed grid version prevents, counts as not applicable).
pub fn answers_in_order(grid: &Grid, answers: &BTreeMap<String, String>) -> Vec<Answer> {
    grid.criteria
        .iter()
        .map(|c| {
            answers
                .get(&c.code)
                .and_then(|raw| c.read(raw).ok())
                .unwrap_or(Answer::NotApplicable)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::from_json(crate::grid::tests::GRID).unwrap()
    }

    fn input(answers: &[(&str, Raw)]) -> CaseInput {
        CaseInput {
            case_number: Some("C-12".into()),
            establishment: Some("380780080".into()),
            age: Some(Count::Number(67)),
            sex: Some("f".into()),
            ward_type: Some("surgery".into()),
            answers: answers
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn a_draft_keeps_what_was_typed_a_validated_case_reads_every_answer() {
        let g = grid();
        let draft = input(&[("indication", Raw::Text("OUI".into()))])
            .check(&g, false)
            .unwrap();
        assert_eq!(draft.answers.get("indication").unwrap(), "OUI");
        assert_eq!(draft.sex, Some(Sex::Female));
        let e = input(&[("indication", Raw::Text("OUI".into()))])
            .check(&g, true)
            .unwrap_err();
        let keys: Vec<String> = e.iter().map(FieldError::path).collect();
        assert_eq!(
            keys,
            [
                "answers.delay",
                "answers.molecule",
                "answers.surgery_on",
                "answers.note"
            ]
        );
        let ok = input(&[
            ("indication", Raw::Bool(true)),
            ("delay", Raw::Text("45,5".into())),
            ("molecule", Raw::Text("Cefazoline".into())),
            ("surgery_on", Raw::Text("02/01/2026".into())),
            ("note", Raw::Text("NA".into())),
        ])
        .check(&g, true)
        .unwrap();
        let a: Vec<&str> = ok.answers.values().map(String::as_str).collect();
        // In code order: delay, indication, molecule, note, surgery_on.
        assert_eq!(a, ["45.5", "yes", "cefazoline", "NA", "2026-01-02"]);
        let read = answers_in_order(&g, &ok.answers);
        assert_eq!(read[1], Answer::Number(45.5));
    }

    #[test]
    fn errors_are_in_place() {
        let g = grid();
        let mut bad = input(&[
            ("indication", Raw::Text("peut-être".into())),
            ("delay", Raw::Text("trente".into())),
            ("molecule", Raw::Text("NA".into())),
            ("surgery_on", Raw::Text("NA".into())),
            ("note", Raw::Text("NA".into())),
            ("unknown", Raw::Text("oui".into())),
        ]);
        bad.age = Some(Count::Number(130));
        bad.sex = Some("X".into());
        bad.case_number = None;
        let e = bad.check(&g, true).unwrap_err();
        let keys: Vec<String> = e.iter().map(FieldError::path).collect();
        assert_eq!(
            keys,
            [
                "case_number",
                "age",
                "sex",
                "answers.unknown",
                "answers.indication",
                "answers.delay"
            ]
        );
        assert!(e[4].message.contains("« peut-être »"), "{}", e[4].message);
        assert_eq!(e[5].pointer(), "/answers/delay");
        assert!(e[5].message_en.contains("expected a number"));
    }
}
