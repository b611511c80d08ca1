//! The regional advice service: tele-expertise in antibiotic therapy given by the EMA teams
//! and supervised by the CRAtb (decree of 2022: "a regional system of diagnostic and
//! therapeutic advice by tele-expertise, at least in working hours, with data collection and
//! traceability of each advice").
//!
//! This crate holds the rules, pure: the codes of an advice (`codes`), a request as a
//! pseudonymised case and its checks (`request`), answers, follow-up questions and the day-7
//! follow-up (`answer`), a team's opening hours, closures and the French public holidays, the
//! working time a first-answer target counts (`calendar`), the duty rota (`rota`), which team a
//! request goes to (`routing`), the statistics (`stats`), a team's past log read from a sheet
//! (`log`), the e-mails, which carry no health data (`letters`), and the attachments' checks
//! (`attachment`). No I/O, no clock, no SQL.

pub mod answer;
pub mod attachment;
pub mod calendar;
pub mod case;
pub mod codes;
pub mod letters;
pub mod log;
pub mod request;
pub mod rota;
pub mod routing;
pub mod stats;

pub use codes::{
    Adherence, Channel, EventKind, InfectionSite, Outcome, QuestionType, Recommendation, Route,
    Sex, Status, Urgency,
};

use cratb_domain::{Profession, Sector};
use time::OffsetDateTime;

/// One request as the statistics count it, from the database or from a team's past log.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub asked_at: OffsetDateTime,
    /// The first answer, if there is one.
    pub first_answer_at: Option<OffsetDateTime>,
    /// When the first answer was due (the team's target counted in its working hours).
    pub due_at: OffsetDateTime,
    pub team_id: Option<i64>,
    pub sector: Sector,
    /// The requester's profession, when known.
    pub profession: Option<Profession>,
    /// INSEE code of the department the request came from.
    pub department: String,
    pub site: InfectionSite,
    pub question: QuestionType,
    /// What the answers recommended (none before an answer).
    pub recommendations: Vec<Recommendation>,
    /// The day-7 follow-up, when given.
    pub adherence: Option<Adherence>,
}
