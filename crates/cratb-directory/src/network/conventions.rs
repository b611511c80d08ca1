//! Conventions between a team and an establishment or a CPTS, with the signed PDF.

use super::{TeamView, fmt_date};
use cratb_domain::field::{bounded, optional};
use cratb_domain::{ConventionService, ConventionStatus, FieldError, Lang};
use serde::{Deserialize, Serialize};
use time::Date;

/// Conventions in force expiring within this many days are flagged, and their teams reminded.
pub const REMIND_WITHIN_DAYS: i64 = 90;

/// A convention, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Convention {
    pub id: i64,
    pub region_code: String,
    pub team_id: i64,
    pub team_name: String,
    pub establishment_id: Option<i64>,
    pub cpts_id: Option<i64>,
    /// The partner's name (establishment or CPTS).
    pub partner_name: String,
    /// The partner's FINESS number (establishments only).
    pub partner_finess: Option<String>,
    /// `ES`, `EMS`, or `VILLE` for a CPTS.
    pub partner_sector: String,
    /// Services, comma-separated (`advice,audits,training`).
    pub scope: String,
    /// As recorded: `draft`, `signed`, `expired`, `terminated`.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub signed_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
    pub notes: String,
    pub document_name: Option<String>,
    pub document_size: Option<i64>,
}

impl Convention {
    /// The status today: a signed convention past its expiry date is expired.
    pub fn effective_status(&self, today: Date) -> ConventionStatus {
        ConventionStatus::parse(&self.status)
            .unwrap_or(ConventionStatus::Draft)
            .effective(self.expires_on, today)
    }

    /// Days until expiry of a convention in force, if it expires within `window` days.
    pub fn expires_within(&self, today: Date, window: i64) -> Option<i64> {
        let end = self.expires_on?;
        let days = (end - today).whole_days();
        (self.effective_status(today) == ConventionStatus::Signed && days <= window).then_some(days)
    }
}

/// Raw input of a convention.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConventionInput {
    pub team_id: Option<i64>,
    /// The partner establishment (ES or EMS)…
    pub establishment_id: Option<i64>,
    /// …or the partner CPTS (a territory), never both.
    pub cpts_id: Option<i64>,
    /// `advice`, `audits`, `training`.
    pub services: Option<Vec<String>>,
    /// `draft`, `signed`, `expired`, `terminated`.
    pub status: Option<String>,
    /// `YYYY-MM-DD` (or `DD/MM/YYYY`).
    pub signed_on: Option<String>,
    pub expires_on: Option<String>,
    pub notes: Option<String>,
}

/// Who the team signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    Establishment(i64),
    Cpts(i64),
}

/// A checked convention. Build it with [`NewConvention::validate`].
#[derive(Debug, Clone)]
pub struct NewConvention {
    pub team_id: i64,
    pub partner: Partner,
    pub services: Vec<ConventionService>,
    pub status: ConventionStatus,
    pub signed_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub notes: String,
}

/// Reads a date as people type it: `2026-03-01` or `01/03/2026`.
pub fn parse_date(text: &str) -> Option<Date> {
    use time::format_description::well_known::Iso8601;
    let t = text.trim();
    Date::parse(t, &Iso8601::DATE).ok().or_else(|| {
        let parts: Vec<&str> = t.split(['/', '.']).collect();
        match parts.as_slice() {
            [d, m, y] if y.len() == 4 => {
                let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
                Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
            }
            _ => None,
        }
    })
}

impl NewConvention {
    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &ConventionInput) -> Result<NewConvention, Vec<FieldError>> {
        let mut errors = Vec::new();
        if input.team_id.is_none() {
            errors.push(FieldError::new(
                "team_id",
                "choisissez l'équipe (EMA) signataire",
                "choose the signing team (EMA)",
            ));
        }
        let partner = match (input.establishment_id, input.cpts_id) {
            (Some(e), None) => Some(Partner::Establishment(e)),
            (None, Some(c)) => Some(Partner::Cpts(c)),
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "establishment_id",
                    "une convention lie l'équipe à un établissement ou à une CPTS, pas aux deux",
                    "a convention binds the team to an establishment or to a CPTS, not both",
                ));
                None
            }
            (None, None) => {
                errors.push(FieldError::new(
                    "establishment_id",
                    "choisissez l'établissement ou la CPTS partenaire",
                    "choose the partner establishment or CPTS",
                ));
                None
            }
        };
        let services = match ConventionService::parse_list(
            &input.services.clone().unwrap_or_default().join(","),
        ) {
            Ok(s) if s.is_empty() => {
                errors.push(FieldError::new(
                    "services",
                    "cochez au moins une mission (conseil, audits, formation)",
                    "tick at least one service (advice, audits, training)",
                ));
                s
            }
            Ok(s) => s,
            Err(unknown) => {
                errors.push(FieldError::new(
                    "services",
                    format!("mission inconnue : {}", unknown.join(", ")),
                    format!("unknown service: {}", unknown.join(", ")),
                ));
                Vec::new()
            }
        };
        let status = optional(&input.status).and_then(ConventionStatus::parse);
        if status.is_none() {
            errors.push(FieldError::new(
                "status",
                "choisissez un statut dans la liste",
                "choose a status from the list",
            ));
        }
        let mut date = |field: &'static str, v: &Option<String>| match optional(v) {
            None => None,
            Some(t) => parse_date(t).or_else(|| {
                errors.push(FieldError::new(
                    field,
                    format!("« {t} » n'est pas une date (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"),
                    format!("“{t}” is not a date (expected DD/MM/YYYY or YYYY-MM-DD)"),
                ));
                None
            }),
        };
        let signed_on = date("signed_on", &input.signed_on);
        let expires_on = date("expires_on", &input.expires_on);
        if let (Some(s), Some(e)) = (signed_on, expires_on)
            && e <= s
        {
            errors.push(FieldError::new(
                "expires_on",
                "la date d'échéance doit être postérieure à la date de signature",
                "the expiry date must come after the signature date",
            ));
        }
        if status == Some(ConventionStatus::Signed) && signed_on.is_none() {
            errors.push(FieldError::new(
                "signed_on",
                "une convention signée porte sa date de signature",
                "a signed convention carries its signature date",
            ));
        }
        let notes = bounded(&mut errors, "notes", &input.notes, 2000).unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewConvention {
            team_id: input.team_id.expect("checked"),
            partner: partner.expect("checked"),
            services,
            status: status.expect("checked"),
            signed_on,
            expires_on,
            notes,
        })
    }

    /// The partner as stored: (establishment, CPTS), one of them.
    pub fn partner_ids(&self) -> (Option<i64>, Option<i64>) {
        match self.partner {
            Partner::Establishment(e) => (Some(e), None),
            Partner::Cpts(c) => (None, Some(c)),
        }
    }
}

/// A signed convention's PDF, checked: a PDF, not empty, at most [`Document::MAX_BYTES`].
#[derive(Debug, Clone)]
pub struct Document {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Document {
    /// The largest attachment kept: 10 MiB, enough for a scanned convention.
    pub const MAX_BYTES: usize = 10 * 1024 * 1024;

    /// Checks an upload: its content must start like a PDF whatever its name or declared type.
    pub fn check(filename: &str, bytes: Vec<u8>) -> Result<Document, FieldError> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(FieldError::new(
                "document",
                format!(
                    "le fichier fait {:.1} Mo ; 10 Mo au plus sont acceptés",
                    bytes.len() as f64 / 1_048_576.0
                ),
                format!(
                    "the file is {:.1} MB; at most 10 MB is accepted",
                    bytes.len() as f64 / 1_048_576.0
                ),
            ));
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(FieldError::new(
                "document",
                format!(
                    "« {filename} » n'est pas un PDF : joignez la convention signée au format PDF"
                ),
                format!("“{filename}” is not a PDF: attach the signed convention as a PDF"),
            ));
        }
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("convention.pdf")
            .chars()
            .filter(|c| !c.is_control() && *c != '"')
            .take(200)
            .collect();
        Ok(Document {
            filename: if name.is_empty() {
                "convention.pdf".into()
            } else {
                name
            },
            bytes,
        })
    }

    /// A stored file name with every character but ASCII letters, digits and `.-_` replaced by
    /// `_`, for clients that read no other.
    pub fn ascii_name(name: &str) -> String {
        name.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

/// A convention with its labels resolved.
pub struct ConventionLabels {
    pub c: Convention,
    pub status: &'static str,
    pub status_code: &'static str,
    pub services: String,
    pub signed: String,
    pub expires: String,
    /// Days left when it expires within [`REMIND_WITHIN_DAYS`].
    pub days_left: Option<i64>,
    pub size: String,
}

impl ConventionLabels {
    pub fn new(c: Convention, today: Date, lang: Lang) -> ConventionLabels {
        let status = c.effective_status(today);
        ConventionLabels {
            status: status.label(lang),
            status_code: status.code(),
            services: ConventionService::parse_list(&c.scope)
                .unwrap_or_default()
                .iter()
                .map(|s| s.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            signed: c.signed_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
            expires: c.expires_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
            days_left: c.expires_within(today, REMIND_WITHIN_DAYS),
            size: c
                .document_size
                .map(|s| format!("{:.0} Ko", (s as f64 / 1024.0).ceil()))
                .unwrap_or_default(),
            c,
        }
    }
}

/// A convention as listed on its team's page.
pub struct TeamConvention {
    pub id: i64,
    pub partner: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub expires: String,
}

impl TeamConvention {
    pub fn new(c: &Convention, today: Date, lang: Lang) -> TeamConvention {
        let status = c.effective_status(today);
        TeamConvention {
            id: c.id,
            partner: c.partner_name.clone(),
            status: status.label(lang),
            status_code: status.code(),
            expires: c.expires_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
        }
    }
}

/// What was typed in the convention form.
#[derive(Debug, Clone, Default)]
pub struct ConventionForm {
    pub team_id: String,
    /// `e:ID` for an establishment, `c:ID` for a CPTS.
    pub partner: String,
    pub services: Vec<String>,
    pub status: String,
    pub signed_on: String,
    pub expires_on: String,
    pub notes: String,
}

impl ConventionForm {
    /// An empty form for a new convention: a draft for advice.
    pub fn blank() -> ConventionForm {
        ConventionForm {
            services: vec!["advice".into()],
            status: "draft".into(),
            ..Default::default()
        }
    }

    /// The form filled with a convention's fields, to edit them.
    pub fn of(c: Convention) -> ConventionForm {
        ConventionForm {
            team_id: c.team_id.to_string(),
            partner: match (c.establishment_id, c.cpts_id) {
                (Some(e), _) => format!("e:{e}"),
                (_, Some(k)) => format!("c:{k}"),
                _ => String::new(),
            },
            services: c.scope.split(',').map(String::from).collect(),
            status: c.status,
            signed_on: c.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            expires_on: c.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            notes: c.notes,
        }
    }

    /// Checks the form ([`NewConvention::validate`]); its one partner select answers for the
    /// establishment and the CPTS.
    pub fn validate(&self) -> Result<NewConvention, Vec<FieldError>> {
        let (establishment_id, cpts_id) = match self.partner.split_once(':') {
            Some(("e", n)) => (n.parse().ok(), None),
            Some(("c", n)) => (None, n.parse().ok()),
            _ => (None, None),
        };
        NewConvention::validate(&ConventionInput {
            team_id: self.team_id.trim().parse().ok(),
            establishment_id,
            cpts_id,
            services: Some(self.services.clone()),
            status: Some(self.status.clone()),
            signed_on: Some(self.signed_on.clone()),
            expires_on: Some(self.expires_on.clone()),
            notes: Some(self.notes.clone()),
        })
        .map_err(|mut e| {
            for x in &mut e {
                if x.field == "establishment_id" || x.field == "cpts_id" {
                    x.field = "partner";
                }
            }
            e
        })
    }
}

/// The e-mail telling a team which of its conventions in force expire soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub team_id: i64,
    /// The team's address; none, and the team cannot be told.
    pub to: Option<String>,
    pub subject: String,
    pub body: String,
}

/// One reminder per team with conventions among `soon` (those in force expiring within
/// [`REMIND_WITHIN_DAYS`]), so that renewals are prepared in time; in French.
pub fn reminders(teams: &[TeamView], soon: &[Convention]) -> Vec<Reminder> {
    teams
        .iter()
        .filter_map(|t| {
            let lines: Vec<String> = soon
                .iter()
                .filter(|c| c.team_id == t.team.id)
                .map(|c| {
                    format!(
                        "- {} : échéance le {}",
                        c.partner_name,
                        c.expires_on
                            .map(|d| fmt_date(d, Lang::Fr))
                            .unwrap_or_default()
                    )
                })
                .collect();
            (!lines.is_empty()).then(|| Reminder {
                team_id: t.team.id,
                to: t.team.email.clone(),
                subject: format!("{} : conventions à renouveler", t.team.name),
                body: format!(
                    "Bonjour,\n\nLes conventions suivantes de l'équipe {} arrivent à échéance dans les {REMIND_WITHIN_DAYS} jours :\n\n{}\n\n\
                     Pensez à préparer leur renouvellement avec les établissements concernés.\n\nLe secrétariat du CRAtb\n",
                    t.team.name,
                    lines.join("\n")
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_read_as_people_type_them() {
        assert_eq!(parse_date("2026-03-01"), Some(date!(2026 - 03 - 01)));
        assert_eq!(parse_date(" 01/03/2026 "), Some(date!(2026 - 03 - 01)));
        assert_eq!(parse_date("1.3.2026"), Some(date!(2026 - 03 - 01)));
        assert_eq!(parse_date("01/03/26"), None);
        assert_eq!(parse_date("31/02/2026"), None);
    }

    #[test]
    fn the_form_names_its_one_partner_select() {
        let form = ConventionForm {
            team_id: "1".into(),
            partner: "x:3".into(),
            ..ConventionForm::blank()
        };
        let errors = form.validate().unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["partner"]
        );
        let c = ConventionForm {
            partner: "c:3".into(),
            ..form
        }
        .validate()
        .unwrap();
        assert_eq!(c.partner_ids(), (None, Some(3)));
    }

    #[test]
    fn a_pdf_keeps_its_name_without_folders() {
        let d = Document::check("C:\\scans\\convention signée.pdf", b"%PDF-1.4".to_vec()).unwrap();
        assert_eq!(d.filename, "convention signée.pdf");
        assert_eq!(Document::ascii_name(&d.filename), "convention_sign_e.pdf");
        assert!(Document::check("x.pdf", b"PK".to_vec()).is_err());
    }
}
