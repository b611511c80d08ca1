//! An establishment's action plan: actions with a title, an owner from the directory, a due
//! date, a status, what they aim at (a criterion of the audit, or an indicator: a consumption
//! class, a resistance pair) and notes; as typed or sent, and their checks. Which actions are
//! due soon or overdue on a day, for the reminders.

use crate::campaign::{Count, date_field, establishment_field, id_field};
use cratb_domain::field::{bounded, optional};
use cratb_domain::{FieldError, Finess};
use serde::Deserialize;
use time::Date;

cratb_domain::code_enum! {
    /// Where an action stands.
    ActionStatus {
        Planned = "planned", "Prévue", "Planned";
        InProgress = "in_progress", "En cours", "In progress";
        Done = "done", "Réalisée", "Done";
        Abandoned = "abandoned", "Abandonnée", "Abandoned";
    }
}

impl ActionStatus {
    /// Whether the action is still to be done.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }
}

cratb_domain::code_enum! {
    /// What an action aims at.
    AimKind {
        Criterion = "criterion", "Critère d'audit", "Audit criterion";
        Consumption = "consumption", "Consommation (classe ATC)", "Consumption (ATC class)";
        Resistance = "resistance", "Résistance (bactérie / antibiotique)", "Resistance (organism / antibiotic)";
        Other = "other", "Autre", "Other";
    }
}

/// A plan as typed or sent: whose it is and where it comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInput {
    /// The establishment's FINESS.
    pub establishment: Option<String>,
    /// The campaign it follows, if it follows one (its id).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub campaign_id: Option<Count>,
    /// Its title (`Plan d'action antibioprophylaxie 2026`).
    pub title: Option<String>,
    /// Its first actions.
    #[serde(default)]
    pub actions: Vec<ActionInput>,
}

/// An action as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionInput {
    pub title: Option<String>,
    /// The owner: a professional of the directory (id).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<Count>,
    /// Due date (`2026-06-30` or `30/06/2026`).
    pub due_on: Option<String>,
    /// `planned` (default), `in_progress`, `done`, `abandoned`.
    pub status: Option<String>,
    /// `criterion`, `consumption`, `resistance` or `other`.
    pub aim_kind: Option<String>,
    /// The criterion's code, the ATC class (`J01DD`), the pair (`E. coli / C3G`)…
    pub aim: Option<String>,
    pub notes: Option<String>,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub establishment: Finess,
    pub campaign_id: Option<i64>,
    pub title: String,
    pub actions: Vec<NewAction>,
}

/// A checked action.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub title: String,
    pub owner_id: Option<i64>,
    pub due_on: Date,
    pub status: ActionStatus,
    pub aim_kind: AimKind,
    pub aim: Option<String>,
    pub notes: Option<String>,
}

impl ActionInput {
    /// Checks every field; all the errors at once.
    pub fn check(&self) -> Result<NewAction, Vec<FieldError>> {
        let mut e = Vec::new();
        let title = bounded(&mut e, "title", &self.title, 300);
        if title.is_none() && !e.iter().any(|x| x.field == "title") {
            e.push(FieldError::new(
                "title",
                "Intitulé obligatoire",
                "Title required",
            ));
        }
        let owner_id = id_field(&mut e, "owner_id", &self.owner_id);
        let due_on = date_field(&mut e, "due_on", &self.due_on);
        let status = match optional(&self.status) {
            None => Some(ActionStatus::Planned),
            Some(v) => ActionStatus::parse(v).or_else(|| {
                e.push(FieldError::new(
                    "status",
                    "planned, in_progress, done ou abandoned",
                    "planned, in_progress, done or abandoned",
                ));
                None
            }),
        };
        let aim = bounded(&mut e, "aim", &self.aim, 200);
        let aim_kind = match optional(&self.aim_kind) {
            None if aim.is_none() => Some(AimKind::Other),
            None => Some(AimKind::Criterion),
            Some(v) => AimKind::parse(v).or_else(|| {
                e.push(FieldError::new(
                    "aim_kind",
                    "criterion, consumption, resistance ou other",
                    "criterion, consumption, resistance or other",
                ));
                None
            }),
        };
        if aim_kind == Some(AimKind::Criterion)
            && aim.is_none()
            && !e.iter().any(|x| x.field == "aim")
        {
            e.push(FieldError::new(
                "aim",
                "Le code du critère visé",
                "The code of the criterion aimed at",
            ));
        }
        let notes = bounded(&mut e, "notes", &self.notes, 4000);
        match (title, due_on, status, aim_kind) {
            (Some(title), Some(due_on), Some(status), Some(aim_kind)) if e.is_empty() => {
                Ok(NewAction {
                    title,
                    owner_id,
                    due_on,
                    status,
                    aim_kind,
                    aim,
                    notes,
                })
            }
            _ => Err(e),
        }
    }
}

impl PlanInput {
    /// Checks the plan and its actions; an action's errors are keyed by its rank under
    /// `actions` (`actions.0.title` is the first one's title).
    pub fn check(&self) -> Result<NewPlan, Vec<FieldError>> {
        let mut e = Vec::new();
        let establishment = establishment_field(&mut e, &self.establishment);
        let campaign_id = id_field(&mut e, "campaign_id", &self.campaign_id);
        let title = bounded(&mut e, "title", &self.title, 200);
        if title.is_none() && !e.iter().any(|x| x.field == "title") {
            e.push(FieldError::new(
                "title",
                "Titre obligatoire",
                "Title required",
            ));
        }
        if self.actions.len() > 100 {
            e.push(FieldError::new(
                "actions",
                "100 actions au plus",
                "100 actions at most",
            ));
        }
        let mut actions = Vec::new();
        for (i, a) in self.actions.iter().take(100).enumerate() {
            match a.check() {
                Ok(a) => actions.push(a),
                Err(errs) => e.extend(errs.into_iter().map(|x| {
                    FieldError::keyed(
                        "actions",
                        format!("{i}.{}", x.field),
                        x.message,
                        x.message_en,
                    )
                })),
            }
        }
        match (establishment, title) {
            (Some(establishment), Some(title)) if e.is_empty() => Ok(NewPlan {
                establishment,
                campaign_id,
                title,
                actions,
            }),
            _ => Err(e),
        }
    }
}

/// How many days before its due date an action's owner is reminded.
pub const REMIND_DAYS_BEFORE: i64 = 7;

/// What a reminder of an open action says, on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// Due within [`REMIND_DAYS_BEFORE`] days.
    DueSoon,
    /// Past its due date.
    Overdue,
}

/// The reminder an action calls for on `today`, if any (open actions only).
pub fn reminder(status: ActionStatus, due_on: Date, today: Date) -> Option<Reminder> {
    if !status.is_open() {
        return None;
    }
    let days = (due_on - today).whole_days();
    if days < 0 {
        Some(Reminder::Overdue)
    } else if days <= REMIND_DAYS_BEFORE {
        Some(Reminder::DueSoon)
    } else {
        None
    }
}

/// The reminder to an action's owner: the establishment, the action's title, its due date and
/// a link to the plan; no health data (an action plan holds none).
pub fn letter(
    kind: Reminder,
    to: &str,
    establishment: &str,
    action: &str,
    due_on: Date,
    link: &str,
) -> cratb_domain::Letter {
    let due = format!(
        "{:02}/{:02}/{}",
        due_on.day(),
        u8::from(due_on.month()),
        due_on.year()
    );
    let (subject, lead) = match kind {
        Reminder::DueSoon => (
            format!("Plan d'action : échéance le {due}"),
            format!("L'action dont vous êtes responsable arrive à échéance le {due}."),
        ),
        Reminder::Overdue => (
            format!("Plan d'action : échéance dépassée ({due})"),
            format!(
                "L'échéance de l'action dont vous êtes responsable est passée ({due}) : dites où elle en est, ou donnez-lui une nouvelle date."
            ),
        ),
    };
    cratb_domain::Letter {
        to: to.to_string(),
        subject,
        body: format!(
            "Bonjour,\n\n{lead}\n\nÉtablissement : {establishment}\nAction : {action}\n\nLe plan d'action : {link}\n\nCentre régional en antibiothérapie (CRAtb)\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_action_is_checked_field_by_field() {
        let a = ActionInput {
            title: Some("Protocole d'antibioprophylaxie révisé".into()),
            owner_id: Some(Count::Number(4)),
            due_on: Some("30/06/2026".into()),
            aim: Some("timing".into()),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(a.status, ActionStatus::Planned);
        assert_eq!(a.aim_kind, AimKind::Criterion);
        assert_eq!(a.due_on, date!(2026 - 06 - 30));
        let plan = PlanInput {
            establishment: Some("380780080".into()),
            title: Some("Plan".into()),
            actions: vec![ActionInput {
                status: Some("fini".into()),
                aim_kind: Some("criterion".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let paths: Vec<String> = plan
            .check()
            .unwrap_err()
            .iter()
            .map(FieldError::path)
            .collect();
        assert_eq!(
            paths,
            [
                "actions.0.title",
                "actions.0.due_on",
                "actions.0.status",
                "actions.0.aim"
            ]
        );
    }

    #[test]
    fn reminders_a_week_before_and_when_overdue() {
        let due = date!(2026 - 06 - 30);
        let open = ActionStatus::InProgress;
        assert_eq!(reminder(open, due, date!(2026 - 06 - 22)), None);
        assert_eq!(
            reminder(open, due, date!(2026 - 06 - 23)),
            Some(Reminder::DueSoon)
        );
        assert_eq!(reminder(open, due, due), Some(Reminder::DueSoon));
        assert_eq!(
            reminder(open, due, date!(2026 - 07 - 01)),
            Some(Reminder::Overdue)
        );
        assert_eq!(
            reminder(ActionStatus::Done, due, date!(2026 - 07 - 01)),
            None
        );
    }
}
