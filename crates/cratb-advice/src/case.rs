//! A request as read back: a line of a queue ([`Summary`]) and the whole case with its thread,
//! trace and attachments ([`Case`]), as the store returns them and the API sends them.

use crate::answer::Recommended;
use crate::codes::{
    Adherence, Channel, EventKind, InfectionSite, Outcome, QuestionType, Recommendation, Sex,
    Status, Urgency,
};
use crate::request::Antibiotic;
use cratb_domain::{Sector, WardType};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// A request as a queue lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub id: i64,
    /// The reference said in e-mails and on the phone (`AV-2026-00042`).
    pub reference: String,
    pub region_code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: Status,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub urgency: Urgency,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
    /// When the first answer is due (the team's target in its working hours).
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_answer_at: Option<OffsetDateTime>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    /// The member the request is given to.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// The requester's account (none for a call entered by the team).
    pub requester_id: Option<i64>,
    pub requester_name: String,
    /// A profession code, when known.
    pub requester_profession: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sector: Sector,
    pub department: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub infection_site: InfectionSite,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub question_type: QuestionType,
    /// The first answer is late (none yet and its due time passed).
    pub overdue: bool,
}

impl Summary {
    /// Whether the request waits for a first answer past its due time at `now`.
    pub fn late_at(&self, now: OffsetDateTime) -> bool {
        self.first_answer_at.is_none()
            && matches!(self.status, Status::Open | Status::Queued)
            && self.due_at < now
    }
}

/// A message of the thread: an answer of the team or a question of the requester.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    /// `answer` or `question`.
    pub kind: String,
    pub author_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub recommendations: Vec<Recommendation>,
    pub antibiotics: Vec<Recommended>,
    pub references: Vec<String>,
}

/// A step of the request's trace.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: EventKind,
    /// What it was (`à Dr X`, `vers l'équipe Y`).
    pub detail: String,
}

/// A document attached to a request (its content is read apart).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

/// The day-7 follow-up as given.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GivenFollowUp {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub followed: Adherence,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outcome: Outcome,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A whole request: the case, its thread, its trace, its attachments, its follow-up.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    #[serde(flatten)]
    pub summary: Summary,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub channel: Channel,
    /// Who typed it, when a team member entered a call.
    pub entered_by: Option<String>,
    pub establishment_finess: Option<String>,
    pub establishment_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub ward_type: Option<WardType>,
    pub age: Option<u8>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub sex: Option<Sex>,
    pub weight_kg: Option<f64>,
    pub pregnant: bool,
    pub egfr: Option<f64>,
    pub allergies: Option<String>,
    pub beta_lactam_allergy: bool,
    pub immunosuppressed: bool,
    pub antibiotics: Vec<Antibiotic>,
    pub microbiology: Option<String>,
    pub question: String,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    /// From when the requester is asked for the day-7 follow-up.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub follow_up_due_on: Option<Date>,
    pub follow_up: Option<GivenFollowUp>,
    /// The team's line, for an emergency while the request waits.
    pub team_phone: Option<String>,
}

impl Case {
    /// The recommendations of every answer, in code order, each once.
    pub fn recommendations(&self) -> Vec<Recommendation> {
        let mut all: Vec<Recommendation> = self
            .messages
            .iter()
            .flat_map(|m| m.recommendations.iter().copied())
            .collect();
        all.sort_by_key(|r| Recommendation::ALL.iter().position(|x| x == r));
        all.dedup();
        all
    }
}

/// A closed case as the knowledge base shows it: no requester, no place, no date but the year.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Known {
    pub id: i64,
    pub year: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub site: InfectionSite,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub question_type: QuestionType,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sector: Sector,
    /// An age band (`18–64 ans`), never the age.
    pub age_band: Option<String>,
    pub question: String,
    pub answer: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub recommendations: Vec<Recommendation>,
}

/// An age band, for a case shown without its age.
pub fn age_band(age: i32) -> String {
    match age {
        ..=1 => "moins de 2 ans",
        2..=17 => "2–17 ans",
        18..=64 => "18–64 ans",
        65..=84 => "65–84 ans",
        _ => "85 ans et plus",
    }
    .to_string()
}
