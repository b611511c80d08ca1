//! The thread of a request: an answer (free text, one or more coded recommendations, the
//! antibiotics recommended with their dose, route and days, references), a follow-up question
//! of the requester, and the day-7 follow-up (advice followed? how did the patient fare?).

use crate::codes::{Adherence, Outcome, Recommendation, Route};
use crate::request::{AntibioticInput, MAX_ANTIBIOTICS, MAX_TEXT, code};
use cratb_domain::FieldError;
use cratb_domain::field::{bounded, optional};
use serde::Deserialize;

/// A recommended antibiotic, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendedInput {
    /// WHO ATC code.
    pub atc: Option<String>,
    pub dose: Option<String>,
    /// `oral`, `iv`, `im`, `sc`, `inhaled`, `topical`.
    pub route: Option<String>,
    /// Duration in days.
    pub days: Option<crate::request::Figure>,
}

/// An answer as typed or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// The advice, in words.
    pub body: Option<String>,
    /// Recommendation codes (`start`, `stop`, `switch`, `de_escalate`, `shorten`,
    /// `iv_to_oral`, `no_change`, `refer`, `other`): one at least.
    pub recommendations: Option<Vec<String>>,
    pub antibiotics: Option<Vec<RecommendedInput>>,
    /// Links (`https://…`) or document titles, one per line.
    pub references: Option<Vec<String>>,
}

/// A recommended antibiotic, checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommended {
    pub atc: String,
    pub dose: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub route: Route,
    /// Duration in days.
    pub days: Option<u16>,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnswer {
    pub body: String,
    pub recommendations: Vec<Recommendation>,
    pub antibiotics: Vec<Recommended>,
    pub references: Vec<String>,
}

impl NewAnswer {
    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &AnswerInput) -> Result<NewAnswer, Vec<FieldError>> {
        let mut e = Vec::new();
        let body = bounded(&mut e, "body", &input.body, MAX_TEXT);
        if optional(&input.body).is_none() {
            e.push(FieldError::new(
                "body",
                "écrivez l'avis",
                "write the advice",
            ));
        }
        let mut recommendations = Vec::new();
        for r in input.recommendations.iter().flatten() {
            let v = Some(r.clone());
            if optional(&v).is_none() {
                continue;
            }
            if let Some(r) = code(
                &mut e,
                "recommendations",
                &v,
                Recommendation::parse,
                Recommendation::ALL,
                Recommendation::code,
            ) && !recommendations.contains(&r)
            {
                recommendations.push(r);
            }
        }
        if recommendations.is_empty() && !e.iter().any(|x| x.field == "recommendations") {
            e.push(FieldError::new(
                "recommendations",
                "cochez au moins une recommandation",
                "tick at least one recommendation",
            ));
        }
        recommendations.sort_by_key(|r| Recommendation::ALL.iter().position(|x| x == r));
        let lines = input.antibiotics.as_deref().unwrap_or_default();
        let as_lines: Vec<AntibioticInput> = lines
            .iter()
            .map(|l| AntibioticInput {
                atc: l.atc.clone(),
                dose: l.dose.clone(),
                route: l.route.clone(),
                started_on: None,
            })
            .collect();
        let checked = crate::request::antibiotics(&mut e, "antibiotics", &as_lines, None);
        let mut antibiotics = Vec::new();
        let kept = lines.iter().filter(|l| {
            optional(&l.atc).is_some()
                || optional(&l.dose).is_some()
                || optional(&l.route).is_some()
        });
        for (i, (l, a)) in kept.zip(checked).enumerate() {
            let days =
                crate::request::figure(&mut e, "antibiotics", &l.days, (1.0, 365.0), " jours")
                    .map(|d| d.round() as u16);
            if l.days
                .as_ref()
                .is_some_and(|d| d.value().is_ok_and(|v| v.is_some()))
                && days.is_none()
            {
                // The figure's own message names the value; say which line too.
                if let Some(last) = e.last_mut() {
                    last.message = format!("ligne {} : {}", i + 1, last.message);
                    last.message_en = format!("line {}: {}", i + 1, last.message_en);
                }
            }
            antibiotics.push(Recommended {
                atc: a.atc,
                dose: a.dose,
                route: a.route,
                days,
            });
        }
        let mut references = Vec::new();
        for r in input
            .references
            .iter()
            .flatten()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
        {
            if r.chars().count() > 500 {
                e.push(FieldError::new(
                    "references",
                    "une référence tient en 500 caractères",
                    "a reference fits in 500 characters",
                ));
            } else if references.len() < MAX_ANTIBIOTICS {
                references.push(r.to_string());
            }
        }
        match body {
            Some(body) if e.is_empty() => Ok(NewAnswer {
                body,
                recommendations,
                antibiotics,
                references,
            }),
            _ => Err(e),
        }
    }
}

/// A follow-up question of the requester, or a note of the team, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageInput {
    pub body: Option<String>,
}

/// The text of a follow-up question, checked.
pub fn question_text(input: &MessageInput) -> Result<String, Vec<FieldError>> {
    let mut e = Vec::new();
    match bounded(&mut e, "body", &input.body, MAX_TEXT) {
        Some(b) if e.is_empty() => Ok(b),
        _ if e.is_empty() => Err(vec![FieldError::new(
            "body",
            "écrivez votre question",
            "write your question",
        )]),
        _ => Err(e),
    }
}

/// The day-7 follow-up as typed or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInput {
    /// `followed`, `partly` or `not_followed`.
    pub followed: Option<String>,
    /// `cured`, `improved`, `failed`, `died` or `unknown`.
    pub outcome: Option<String>,
}

/// The day-7 follow-up, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    pub adherence: Adherence,
    pub outcome: Outcome,
}

impl FollowUp {
    /// Checks both fields at once.
    pub fn validate(input: &FollowUpInput) -> Result<FollowUp, Vec<FieldError>> {
        let mut e = Vec::new();
        let adherence = code(
            &mut e,
            "followed",
            &input.followed,
            Adherence::parse,
            Adherence::ALL,
            Adherence::code,
        );
        let outcome = code(
            &mut e,
            "outcome",
            &input.outcome,
            Outcome::parse,
            Outcome::ALL,
            Outcome::code,
        );
        match (adherence, outcome) {
            (Some(adherence), Some(outcome)) => Ok(FollowUp { adherence, outcome }),
            _ => Err(e),
        }
    }
}

/// After how many days the requester is asked whether the advice was followed.
pub const FOLLOW_UP_DAYS: u16 = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Figure;

    #[test]
    fn an_answer_with_its_codes_and_antibiotics() {
        let a = NewAnswer::validate(&AnswerInput {
            body: Some("Relais par amoxicilline 1 g x 3/j, 7 jours au total.".into()),
            recommendations: Some(vec![
                "shorten".into(),
                "iv_to_oral".into(),
                "shorten".into(),
            ]),
            antibiotics: Some(vec![RecommendedInput {
                atc: Some("J01CA04".into()),
                dose: Some("1 g x 3/j".into()),
                route: Some("oral".into()),
                days: Some(Figure::Text("5".into())),
            }]),
            references: Some(vec!["https://www.infectiologie.com".into(), " ".into()]),
        })
        .unwrap();
        assert_eq!(
            a.recommendations,
            vec![Recommendation::Shorten, Recommendation::IvToOral]
        );
        assert_eq!(a.antibiotics[0].days, Some(5));
        assert_eq!(a.references.len(), 1);
    }

    #[test]
    fn an_answer_needs_words_and_a_code() {
        let e = NewAnswer::validate(&AnswerInput {
            recommendations: Some(vec!["maybe".into()]),
            antibiotics: Some(vec![RecommendedInput {
                atc: Some("J01CA04".into()),
                route: Some("oral".into()),
                days: Some(Figure::Number(0.0)),
                ..RecommendedInput::default()
            }]),
            ..AnswerInput::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|x| x.field).collect();
        assert_eq!(fields, ["body", "recommendations", "antibiotics"]);
        assert!(e[1].message.contains("maybe"));
        assert!(e[2].message.starts_with("ligne 1 : "), "{}", e[2].message);
    }

    #[test]
    fn the_follow_up_takes_both_codes() {
        assert_eq!(
            FollowUp::validate(&FollowUpInput {
                followed: Some("partly".into()),
                outcome: Some("improved".into()),
            }),
            Ok(FollowUp {
                adherence: Adherence::Partly,
                outcome: Outcome::Improved
            })
        );
        let e = FollowUp::validate(&FollowUpInput {
            followed: Some("yes".into()),
            outcome: None,
        })
        .unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
