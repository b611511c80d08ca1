//! A team's past log of advice, read from a sheet (`cratb advice import FILE --region CODE`):
//! the requests a team answered before it used cratb, so that the region's figures cover
//! them. One request a row, under these columns (named exactly, in any order, any case):
//!
//! | column | what |
//! |---|---|
//! | `asked_at` | when the request came, Paris time: `2025-03-04 09:05` or `04/03/2025 09:05` (seconds allowed) |
//! | `answered_at` | its first answer, the same way; empty when it was not answered |
//! | `channel` | `web`, `phone`, `email`, `tele_expertise` |
//! | `requester_profession` | a profession code (`gp`, `hospital_physician`…) |
//! | `requester_sector` | `ES`, `EMS`, `VILLE` |
//! | `department` | INSEE code of a department of the region |
//! | `infection_site` | an infection site code |
//! | `question_type` | a question type code |
//! | `recommendation` | recommendation codes separated by a vertical bar (`switch\|shorten`); empty only when not answered |
//! | `followed` | `followed`, `partly`, `not_followed`, or empty |
//! | `team` | optional: the name of one of the region's teams, or empty |
//!
//! Any other column is refused by name, so that a misspelt one is not silently left out. The
//! file is read whole or not at all: every problem is listed with its line (the header is
//! line 1), column and value, in French and English.

use cratb_domain::{Lang, Profession, Sector};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::codes::parse_list;
use crate::{Adherence, Channel, InfectionSite, QuestionType, Recommendation};

/// The required columns, in the order of a template.
pub const REQUIRED: [&str; 10] = [
    "asked_at",
    "answered_at",
    "channel",
    "requester_profession",
    "requester_sector",
    "department",
    "infection_site",
    "question_type",
    "recommendation",
    "followed",
];

/// The optional column.
pub const TEAM: &str = "team";

/// The most rows a log may hold (a busy region answers a few thousand requests a year).
pub const MAX_ROWS: usize = 100_000;

/// The most problems listed; the others are counted in a last one.
pub const MAX_ERRORS: usize = 200;

/// What a log sheet may hold: [`MAX_ROWS`] rows, a few columns, 32 MiB of text.
pub fn sheet_limits() -> cratb_sheet::Limits {
    cratb_sheet::Limits {
        max_rows: MAX_ROWS,
        max_columns: 100,
        max_text_bytes: 32 * 1024 * 1024,
        ..Default::default()
    }
}

/// A request of a team's past log, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    pub asked_at: OffsetDateTime,
    /// The first answer, if there was one.
    pub answered_at: Option<OffsetDateTime>,
    pub channel: Channel,
    pub profession: Profession,
    pub sector: Sector,
    /// INSEE code of the department, as the region spells it.
    pub department: String,
    pub site: InfectionSite,
    pub question: QuestionType,
    /// Empty when not answered.
    pub recommendations: Vec<Recommendation>,
    pub adherence: Option<Adherence>,
    /// The team named, if any.
    pub team_id: Option<i64>,
}

/// A problem of a log: where (line of the file, header = 1; 0 for the file as a whole), which
/// column and value, and why, in French and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogError {
    pub line: usize,
    pub column: String,
    pub value: String,
    pub fr: String,
    pub en: String,
}

impl LogError {
    fn new(
        line: usize,
        column: &str,
        value: &str,
        fr: impl Into<String>,
        en: impl Into<String>,
    ) -> LogError {
        LogError {
            line,
            column: column.to_string(),
            value: value.to_string(),
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// Why, in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.fr, &self.en)
    }

    /// The problem in `lang`, with where it is: `ligne 4, colonne department, « 99 » : …`
    /// (`line 4, column department, "99": …`). The parts that do not apply are left out.
    pub fn in_lang(&self, lang: Lang) -> String {
        let mut out = String::new();
        if self.line > 0 {
            out.push_str(&format!("{} {}", lang.pick("ligne", "line"), self.line));
        }
        if !self.column.is_empty() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&format!(
                "{} {}",
                lang.pick("colonne", "column"),
                self.column
            ));
        }
        if !self.value.is_empty() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            match lang {
                Lang::Fr => out.push_str(&format!("« {} »", self.value)),
                Lang::En => out.push_str(&format!("\"{}\"", self.value)),
            }
        }
        if !out.is_empty() {
            out.push_str(lang.pick(" : ", ": "));
        }
        out.push_str(self.message(lang));
        out
    }
}

/// In French: `ligne 4, colonne department, « 99 » : …`.
impl std::fmt::Display for LogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::Fr))
    }
}

/// The problems found so far: the first [`MAX_ERRORS`], and how many in all.
#[derive(Default)]
struct Errors {
    listed: Vec<LogError>,
    total: usize,
}

impl Errors {
    fn push(&mut self, e: LogError) {
        self.total += 1;
        if self.listed.len() < MAX_ERRORS {
            self.listed.push(e);
        }
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The listed problems, with a last one counting those left out.
    fn finish(mut self) -> Vec<LogError> {
        let more = self.total - self.listed.len();
        if more > 0 {
            self.listed.push(LogError::new(
                0,
                "",
                "",
                format!("et {more} autres problèmes non listés"),
                format!("and {more} more problems not listed"),
            ));
        }
        self.listed
    }
}

/// Where each column is in the file.
struct Columns {
    required: [usize; REQUIRED.len()],
    team: Option<usize>,
}

/// Finds the columns in the header: every required one, the team's if present; refuses an
/// unknown column, a column given twice and a missing one.
fn columns(header: &[String], errors: &mut Errors) -> Option<Columns> {
    let mut required = [usize::MAX; REQUIRED.len()];
    let mut team = None;
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        // A column without a name (a separator at the end of the line) holds nothing.
        if name.is_empty() {
            continue;
        }
        let slot = match REQUIRED.iter().position(|c| *c == name) {
            Some(k) => &mut required[k],
            None if name == TEAM => team.get_or_insert(usize::MAX),
            None => {
                errors.push(LogError::new(
                    1,
                    raw.trim(),
                    "",
                    format!(
                        "colonne inconnue (colonnes attendues : {}, et {TEAM} si besoin)",
                        REQUIRED.join(", ")
                    ),
                    format!(
                        "unknown column (expected columns: {}, and {TEAM} if needed)",
                        REQUIRED.join(", ")
                    ),
                ));
                continue;
            }
        };
        if *slot != usize::MAX {
            errors.push(LogError::new(
                1,
                &name,
                "",
                "colonne présente deux fois",
                "column given twice",
            ));
        }
        *slot = i;
    }
    for (k, name) in REQUIRED.iter().enumerate() {
        if required[k] == usize::MAX {
            errors.push(LogError::new(
                1,
                name,
                "",
                "colonne obligatoire absente",
                "required column missing",
            ));
        }
    }
    errors.is_empty().then_some(Columns { required, team })
}

/// Reads a team's past log (CSV with `;`, `,` or tab, UTF-8 or Windows-1252, or XLSX) for a
/// region of `departments` (INSEE codes) and `teams` (id, name). All or nothing: every request,
/// or every problem (the first [`MAX_ERRORS`], then how many more).
pub fn read(
    bytes: &[u8],
    departments: &[&str],
    teams: &[(i64, String)],
) -> Result<Vec<LoggedRequest>, Vec<LogError>> {
    let mut errors = Errors::default();
    let mut found: Option<Columns> = None;
    let mut read = Vec::new();
    let sheet = cratb_sheet::Sheet::open(bytes, &sheet_limits()).and_then(|sheet| {
        sheet.for_each_row(|line, record| {
            let cells: Vec<&str> = record.iter().collect();
            if line == 1 {
                let header: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                found = columns(&header, &mut errors);
                // Without its columns, the rows cannot be read.
                return match found {
                    Some(_) => Ok(()),
                    None => Err(String::new()),
                };
            }
            let Some(cols) = &found else {
                return Err(String::new());
            };
            let row = Row {
                line,
                cells: &cells,
                cols,
                departments,
                teams,
            };
            match row.read(&mut errors) {
                Some(r) if errors.is_empty() => read.push(r),
                // Once a problem is found, nothing is kept.
                _ => read.clear(),
            }
            Ok(())
        })
    });
    match sheet {
        Ok(()) if errors.is_empty() => Ok(read),
        Ok(()) => Err(errors.finish()),
        // Stopped by the header's problems.
        Err(cratb_sheet::SheetError::Stopped(_)) => Err(errors.finish()),
        // The file's own problem (too many rows, an unreadable line…), after any found above.
        Err(e) => {
            errors.push(sheet_error(e));
            Err(errors.finish())
        }
    }
}

/// A refusal of the sheet reader as a problem of the log (line 0: the file as a whole).
fn sheet_error(e: cratb_sheet::SheetError) -> LogError {
    use cratb_sheet::SheetError;
    let line = match &e {
        SheetError::ControlCharacter { line, .. }
        | SheetError::Unreadable { line, .. }
        | SheetError::TooManyColumns { line, .. } => *line,
        _ => 0,
    };
    // The sheet reader words its refusals in French only.
    let fr = e.to_string();
    let en = match e {
        SheetError::HeaderOnly => "the file has only its header: no request".to_string(),
        SheetError::Empty => "the file is empty".to_string(),
        _ => format!("the file cannot be read (in French: {fr})"),
    };
    LogError::new(line, "", "", fr, en)
}

/// A row of the log and what it is read against.
struct Row<'a> {
    line: usize,
    cells: &'a [&'a str],
    cols: &'a Columns,
    departments: &'a [&'a str],
    teams: &'a [(i64, String)],
}

impl Row<'_> {
    /// The trimmed cell of a required column (empty when the row is short).
    fn cell(&self, column: &str) -> &str {
        let k = REQUIRED
            .iter()
            .position(|c| *c == column)
            .expect("a required column");
        self.at(self.cols.required[k])
    }

    fn at(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |c| c.trim())
    }

    /// A problem of `column`.
    fn error(&self, column: &str, fr: impl Into<String>, en: impl Into<String>) -> LogError {
        let value = match column {
            TEAM => self.cols.team.map_or("", |i| self.at(i)),
            _ => self.cell(column),
        };
        LogError::new(self.line, column, value, fr, en)
    }

    /// A code of `column` read by `parse`, or its problem naming the codes expected.
    fn code<T: Copy>(
        &self,
        errors: &mut Errors,
        column: &str,
        parse: impl Fn(&str) -> Option<T>,
        all: &[T],
        code: impl Fn(T) -> &'static str,
    ) -> Option<T> {
        let value = self.cell(column);
        let found = parse(value);
        if found.is_none() {
            let codes = all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ");
            errors.push(if value.is_empty() {
                self.error(
                    column,
                    format!("vide : un de {codes}"),
                    format!("empty: one of {codes}"),
                )
            } else {
                self.error(
                    column,
                    format!("code inconnu (attendu : un de {codes})"),
                    format!("unknown code (expected one of {codes})"),
                )
            });
        }
        found
    }

    /// A date and time of `column`, Paris time, as a moment.
    fn moment(&self, errors: &mut Errors, column: &str) -> Option<OffsetDateTime> {
        let value = self.cell(column);
        match parse_local(value) {
            Ok(local) => Some(cratb_domain::paris::from_local(local)),
            Err(Unread::DateOnly) => {
                errors.push(self.error(
                    column,
                    "l'heure manque : AAAA-MM-JJ HH:MM ou JJ/MM/AAAA HH:MM, heure de Paris (dans un classeur, mettez la cellule au format texte)",
                    "the time is missing: YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, Paris time (in a workbook, format the cell as text)",
                ));
                None
            }
            Err(Unread::NotADate) => {
                errors.push(self.error(
                    column,
                    "date et heure attendues : AAAA-MM-JJ HH:MM ou JJ/MM/AAAA HH:MM, heure de Paris",
                    "a date and time expected: YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, Paris time",
                ));
                None
            }
        }
    }

    /// The request of this row, or none with its problems added to `errors`.
    fn read(&self, errors: &mut Errors) -> Option<LoggedRequest> {
        let before = errors.total;

        let asked_at = if self.cell("asked_at").is_empty() {
            errors.push(self.error(
                "asked_at",
                "vide : la date et l'heure de la demande sont obligatoires",
                "empty: the request's date and time are required",
            ));
            None
        } else {
            self.moment(errors, "asked_at")
        };
        let answered_at = if self.cell("answered_at").is_empty() {
            None
        } else {
            self.moment(errors, "answered_at")
        };
        if let (Some(asked), Some(answered)) = (asked_at, answered_at)
            && answered < asked
        {
            errors.push(self.error(
                "answered_at",
                "la réponse précède la demande",
                "the answer comes before the request",
            ));
        }
        let answered = !self.cell("answered_at").is_empty();

        let channel = self.code(errors, "channel", Channel::parse, Channel::ALL, |c| {
            c.code()
        });
        let profession = self.code(
            errors,
            "requester_profession",
            Profession::parse,
            Profession::ALL,
            |p| p.code(),
        );
        let sector = self.code(
            errors,
            "requester_sector",
            Sector::parse,
            Sector::ALL,
            |s| s.code(),
        );
        let department = self.department(errors);
        let site = self.code(
            errors,
            "infection_site",
            InfectionSite::parse,
            InfectionSite::ALL,
            |s| s.code(),
        );
        let question = self.code(
            errors,
            "question_type",
            QuestionType::parse,
            QuestionType::ALL,
            |q| q.code(),
        );

        let recommendations = match parse_list(self.cell("recommendation"), Recommendation::parse) {
            Err(unknown) => {
                let codes = Recommendation::ALL
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(", ");
                errors.push(self.error(
                    "recommendation",
                    format!("code inconnu « {unknown} » (attendus : {codes}, séparés par |)"),
                    format!("unknown code \"{unknown}\" (expected: {codes}, separated by |)"),
                ));
                Vec::new()
            }
            Ok(list) if list.is_empty() && answered => {
                errors.push(self.error(
                    "recommendation",
                    "vide : une demande répondue dit ce qui a été recommandé",
                    "empty: an answered request says what was recommended",
                ));
                list
            }
            Ok(list) if !list.is_empty() && !answered => {
                errors.push(self.error(
                    "recommendation",
                    "une recommandation sans réponse : renseignez answered_at",
                    "a recommendation without an answer: fill in answered_at",
                ));
                list
            }
            Ok(list) => list,
        };

        let adherence = if self.cell("followed").is_empty() {
            None
        } else {
            let a = self.code(errors, "followed", Adherence::parse, Adherence::ALL, |a| {
                a.code()
            });
            if a.is_some() && !answered {
                errors.push(self.error(
                    "followed",
                    "un suivi sans réponse : renseignez answered_at",
                    "a follow-up without an answer: fill in answered_at",
                ));
            }
            a
        };

        let team_id = self.team(errors);

        if errors.total > before {
            return None;
        }
        Some(LoggedRequest {
            asked_at: asked_at?,
            answered_at,
            channel: channel?,
            profession: profession?,
            sector: sector?,
            department: department?,
            site: site?,
            question: question?,
            recommendations,
            adherence,
            team_id: team_id?,
        })
    }

    /// The department, one of the region's (`1` read as `01`, as a spreadsheet drops the zero).
    fn department(&self, errors: &mut Errors) -> Option<String> {
        let value = self.cell("department");
        let padded = if value.len() == 1 && value.bytes().all(|b| b.is_ascii_digit()) {
            format!("0{value}")
        } else {
            value.to_string()
        };
        let found = self
            .departments
            .iter()
            .find(|d| d.eq_ignore_ascii_case(&padded));
        if found.is_none() {
            let listed = self.departments.join(", ");
            errors.push(if value.is_empty() {
                self.error(
                    "department",
                    format!("vide : le code INSEE du département ({listed})"),
                    format!("empty: the department's INSEE code ({listed})"),
                )
            } else {
                self.error(
                    "department",
                    format!("département hors de la région (départements de la région : {listed})"),
                    format!("department outside the region (the region's departments: {listed})"),
                )
            });
        }
        found.map(|d| d.to_string())
    }

    /// The team named, one of the region's (case and spaces around aside); none when empty.
    fn team(&self, errors: &mut Errors) -> Option<Option<i64>> {
        let Some(i) = self.cols.team else {
            return Some(None);
        };
        let value = self.at(i);
        if value.is_empty() {
            return Some(None);
        }
        let wanted = value.to_lowercase();
        let found = self
            .teams
            .iter()
            .find(|(_, name)| name.trim().to_lowercase() == wanted);
        match found {
            Some((id, _)) => Some(Some(*id)),
            None => {
                let names = self
                    .teams
                    .iter()
                    .map(|(_, n)| n.trim())
                    .collect::<Vec<_>>()
                    .join(", ");
                errors.push(self.error(
                    TEAM,
                    format!("équipe inconnue dans la région (équipes : {names})"),
                    format!("no such team in the region (teams: {names})"),
                ));
                None
            }
        }
    }
}

/// Why a date and time could not be read.
#[derive(Debug, PartialEq, Eq)]
enum Unread {
    /// A date without its time (an XLSX date cell reads so).
    DateOnly,
    NotADate,
}

/// `YYYY-MM-DD HH:MM[:SS]` or `DD/MM/YYYY HH:MM[:SS]` (a `T` may join an ISO date to its time;
/// one-digit days, months and hours are read too).
fn parse_local(s: &str) -> Result<PrimitiveDateTime, Unread> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = parse_date(date).ok_or(Unread::NotADate)?;
    let time = match time {
        Some(t) => parse_time(t).ok_or(Unread::NotADate)?,
        None => return Err(Unread::DateOnly),
    };
    Ok(PrimitiveDateTime::new(date, time))
}

/// A number of one to `max` digits.
fn digits(s: &str, min: usize, max: usize) -> Option<u16> {
    ((min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_date(s: &str) -> Option<Date> {
    let (y, m, d) = if s.contains('-') {
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        (parts.next().is_none()).then_some((y, m, d))?
    } else {
        let mut parts = s.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        (parts.next().is_none()).then_some((y, m, d))?
    };
    let year = digits(y, 4, 4)?;
    let month = Month::try_from(u8::try_from(digits(m, 1, 2)?).ok()?).ok()?;
    let day = u8::try_from(digits(d, 1, 2)?).ok()?;
    Date::from_calendar_date(i32::from(year), month, day).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    let mut parts = s.split(':');
    let h = u8::try_from(digits(parts.next()?, 1, 2)?).ok()?;
    let m = u8::try_from(digits(parts.next()?, 2, 2)?).ok()?;
    let sec = match parts.next() {
        Some(x) => u8::try_from(digits(x, 2, 2)?).ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms(h, m, sec).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    const DEPARTMENTS: [&str; 12] = [
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
    ];

    fn teams() -> Vec<(i64, String)> {
        vec![
            (1, "EMA Lyon Sud".to_string()),
            (2, " EMA Grenoble ".to_string()),
            (3, "EMA Hôpital Nord".to_string()),
        ]
    }

    fn read_csv(text: &str) -> Result<Vec<LoggedRequest>, Vec<LogError>> {
        read(text.as_bytes(), &DEPARTMENTS, &teams())
    }

    /// Where each problem is: line, column, value.
    fn places(errors: &[LogError]) -> Vec<(usize, &str, &str)> {
        errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.value.as_str()))
            .collect()
    }

    const HEADER: &str = "asked_at;answered_at;channel;requester_profession;requester_sector;department;infection_site;question_type;recommendation;followed;team";

    #[test]
    fn a_good_log_in_both_date_styles_across_the_changes_of_hour() {
        let text = format!(
            "{HEADER}\n\
             2026-03-04 09:05;2026-03-04 10:35:30;phone;gp;VILLE;69;urinary;choice;switch|shorten;followed; ema lyon sud \n\
             04/07/2026 14:00;;web;hospital_physician;ES;1;bloodstream;duration;;;\n\
             \n\
             29/03/2026 02:30;29/03/2026 03:45;email;pharmacist;ems;38;other;other;no_change;;EMA Grenoble\n\
             2026-10-25 02:30;2026-10-25T03:00;TELE_EXPERTISE;Nurse;es;69;cns;dosing;stop;partly;\n"
        );
        let read = read_csv(&text).expect("a good log");
        assert_eq!(read.len(), 4);
        assert_eq!(
            read[0],
            LoggedRequest {
                // Winter: UTC+1.
                asked_at: datetime!(2026-03-04 08:05 UTC),
                answered_at: Some(datetime!(2026-03-04 09:35:30 UTC)),
                channel: Channel::Phone,
                profession: Profession::Gp,
                sector: Sector::Ville,
                department: "69".into(),
                site: InfectionSite::Urinary,
                question: QuestionType::Choice,
                recommendations: vec![Recommendation::Switch, Recommendation::Shorten],
                adherence: Some(Adherence::Followed),
                team_id: Some(1),
            }
        );
        assert_eq!(
            read[1],
            LoggedRequest {
                // Summer: UTC+2.
                asked_at: datetime!(2026-07-04 12:00 UTC),
                answered_at: None,
                channel: Channel::Web,
                profession: Profession::HospitalPhysician,
                sector: Sector::Es,
                // A spreadsheet's "1" is Ain.
                department: "01".into(),
                site: InfectionSite::Bloodstream,
                question: QuestionType::Duration,
                recommendations: vec![],
                adherence: None,
                team_id: None,
            }
        );
        // 02:30 on 29 March 2026 never showed in Paris: read as 03:30 CEST; 03:45 is CEST.
        assert_eq!(read[2].asked_at, datetime!(2026-03-29 01:30 UTC));
        assert_eq!(read[2].answered_at, Some(datetime!(2026-03-29 01:45 UTC)));
        assert_eq!(read[2].team_id, Some(2));
        assert_eq!(read[2].sector, Sector::Ems);
        assert_eq!(read[2].recommendations, [Recommendation::NoChange]);
        // 02:30 on 25 October 2026 showed twice: the first, CEST; 03:00 is CET.
        assert_eq!(read[3].asked_at, datetime!(2026-10-25 00:30 UTC));
        assert_eq!(read[3].answered_at, Some(datetime!(2026-10-25 02:00 UTC)));
        assert_eq!(read[3].channel, Channel::TeleExpertise);
        assert_eq!(read[3].adherence, Some(Adherence::Partly));
        assert_eq!(read[3].team_id, None);
    }

    #[test]
    fn columns_in_any_order_and_case_with_commas_or_tabs_and_no_team() {
        let comma = "Department,CHANNEL,asked_at,Answered_At,requester_profession,requester_sector,infection_site,question_type,recommendation,followed\n\
                     74,email,2025-01-02 08:00:05,,dentist,VILLE,ent,prophylaxis,,\n";
        let read = read_csv(comma).expect("a good log");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].asked_at, datetime!(2025-01-02 07:00:05 UTC));
        assert_eq!(read[0].department, "74");
        assert_eq!(read[0].channel, Channel::Email);
        assert_eq!(read[0].team_id, None);

        let tab = comma.replace(',', "\t");
        assert_eq!(read_csv(&tab), Ok(read));
    }

    #[test]
    fn every_bad_cell_is_named_with_its_line_column_and_value() {
        let rows = [
            // 2: no 13th month.
            "2026-13-01 09:00;;phone;gp;VILLE;69;urinary;choice;;;",
            // 3: answered before asked.
            "2026-03-04 09:00;2026-03-04 08:59;phone;gp;VILLE;69;urinary;choice;stop;;",
            // 4: Paris is not in the region.
            "2026-03-04 09:00;;phone;gp;VILLE;99;urinary;choice;;;",
            // 5.
            "2026-03-04 09:00;;fax;gp;VILLE;69;urinary;choice;;;",
            // 6.
            "2026-03-04 09:00;;phone;surgeon;VILLE;69;urinary;choice;;;",
            // 7.
            "2026-03-04 09:00;;phone;gp;HOPITAL;69;urinary;choice;;;",
            // 8.
            "2026-03-04 09:00;;phone;gp;VILLE;69;lung;choice;;;",
            // 9.
            "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;why;;;",
            // 10.
            "2026-03-04 09:00;2026-03-04 10:00;phone;gp;VILLE;69;urinary;choice;switch|stopp;;",
            // 11: answered, nothing recommended.
            "2026-03-04 09:00;2026-03-04 10:00;phone;gp;VILLE;69;urinary;choice;;;",
            // 12.
            "2026-03-04 09:00;2026-03-04 10:00;phone;gp;VILLE;69;urinary;choice;stop;yes;",
            // 13.
            "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;;;EMA Paris",
            // 14: a date without its time.
            "2026-03-04;;phone;gp;VILLE;69;urinary;choice;;;",
            // 15: no date.
            ";;phone;gp;VILLE;69;urinary;choice;;;",
            // 16: recommended, but not answered.
            "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;stop;;",
            // 17: followed, but not answered.
            "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;;followed;",
            // 18: good.
            "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;;;",
            // 19: two problems.
            "31/02/2026 09:00;;phone;gp;VILLE;;urinary;choice;;;",
            // 20: a short row.
            "2026-03-04 09:00;;phone",
        ];
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        let errors = read_csv(&text).expect_err("bad cells");
        assert_eq!(
            places(&errors),
            [
                (2, "asked_at", "2026-13-01 09:00"),
                (3, "answered_at", "2026-03-04 08:59"),
                (4, "department", "99"),
                (5, "channel", "fax"),
                (6, "requester_profession", "surgeon"),
                (7, "requester_sector", "HOPITAL"),
                (8, "infection_site", "lung"),
                (9, "question_type", "why"),
                (10, "recommendation", "switch|stopp"),
                (11, "recommendation", ""),
                (12, "followed", "yes"),
                (13, "team", "EMA Paris"),
                (14, "asked_at", "2026-03-04"),
                (15, "asked_at", ""),
                (16, "recommendation", "stop"),
                (17, "followed", "followed"),
                (19, "asked_at", "31/02/2026 09:00"),
                (19, "department", ""),
                (20, "requester_profession", ""),
                (20, "requester_sector", ""),
                (20, "department", ""),
                (20, "infection_site", ""),
                (20, "question_type", ""),
            ]
        );
        assert_eq!(
            errors[2].to_string(),
            "ligne 4, colonne department, « 99 » : département hors de la région (départements de la région : 01, 03, 07, 15, 26, 38, 42, 43, 63, 69, 73, 74)"
        );
        assert_eq!(
            errors[2].in_lang(Lang::En),
            "line 4, column department, \"99\": department outside the region (the region's departments: 01, 03, 07, 15, 26, 38, 42, 43, 63, 69, 73, 74)"
        );
        assert_eq!(errors[1].message(Lang::Fr), "la réponse précède la demande");
        assert_eq!(
            errors[1].message(Lang::En),
            "the answer comes before the request"
        );
        assert!(errors[3].fr.contains("web, phone, email, tele_expertise"));
        assert!(errors[4].fr.contains("hospital_physician"));
        assert!(errors[8].fr.contains("« stopp »"));
        assert!(
            errors[11]
                .fr
                .contains("EMA Lyon Sud, EMA Grenoble, EMA Hôpital Nord")
        );
        assert!(errors[12].fr.starts_with("l'heure manque"));
        assert!(errors[13].fr.starts_with("vide"));
        assert_eq!(
            errors[13].to_string(),
            "ligne 15, colonne asked_at : vide : la date et l'heure de la demande sont obligatoires"
        );
    }

    #[test]
    fn a_missing_column_is_one_problem_and_no_row_is_read() {
        let header = "asked_at;answered_at;requester_profession;requester_sector;department;infection_site;question_type;recommendation";
        let text = format!("{header}\nnot a date;;;;;;;\n");
        let errors = read_csv(&text).expect_err("columns missing");
        assert_eq!(places(&errors), [(1, "channel", ""), (1, "followed", "")]);
        assert_eq!(
            errors[0].to_string(),
            "ligne 1, colonne channel : colonne obligatoire absente"
        );
        assert_eq!(
            errors[1].in_lang(Lang::En),
            "line 1, column followed: required column missing"
        );
    }

    #[test]
    fn an_unknown_or_repeated_column_is_refused_by_name() {
        let header = HEADER.replace("recommendation", "Recomendation") + ";channel;;";
        let text =
            format!("{header}\n2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;;;;phone;;\n");
        let errors = read_csv(&text).expect_err("a misspelt column");
        assert_eq!(
            places(&errors),
            [
                (1, "Recomendation", ""),
                (1, "channel", ""),
                (1, "recommendation", "")
            ]
        );
        assert!(errors[0].fr.starts_with("colonne inconnue"));
        assert!(
            errors[0]
                .fr
                .contains("recommendation, followed, et team si besoin")
        );
        assert_eq!(errors[1].en, "column given twice");
        assert_eq!(errors[2].en, "required column missing");
    }

    #[test]
    fn a_log_without_requests_is_refused() {
        let errors = read_csv(&format!("{HEADER}\n")).expect_err("no row");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 0);
        assert!(
            errors[0].fr.contains("aucune ligne de données"),
            "{}",
            errors[0]
        );
        assert_eq!(errors[0].en, "the file has only its header: no request");
        assert_eq!(
            errors[0].to_string(),
            "le fichier n'a que sa ligne d'en-tête : aucune ligne de données"
        );

        let errors = read_csv("").expect_err("empty");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].en, "the file is empty");

        let errors = read(b"%PDF-1.7 ...", &DEPARTMENTS, &teams()).expect_err("not a sheet");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].fr.contains("PDF"));
    }

    #[test]
    fn a_file_too_long_says_so_after_the_problems_found() {
        let good = "2026-03-04 09:00;;phone;gp;VILLE;69;urinary;choice;;;\n";
        let text = format!(
            "{HEADER}\n2026-03-04 09:00;;fax;gp;VILLE;69;urinary;choice;;;\n{}",
            good.repeat(MAX_ROWS)
        );
        let errors = read_csv(&text).expect_err("too long");
        assert_eq!(places(&errors), [(2, "channel", "fax"), (0, "", "")]);
        assert!(
            errors[1].fr.contains("découpez le fichier"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn problems_past_two_hundred_are_counted() {
        let bad = "2026-03-04 09:00;;fax;gp;VILLE;69;urinary;choice;;;\n".repeat(250);
        let errors = read_csv(&format!("{HEADER}\n{bad}")).expect_err("bad rows");
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        assert_eq!(
            places(&errors[..2]),
            [(2, "channel", "fax"), (3, "channel", "fax")]
        );
        assert_eq!(errors[MAX_ERRORS - 1].line, 201);
        let last = &errors[MAX_ERRORS];
        assert_eq!(last.to_string(), "et 50 autres problèmes non listés");
        assert_eq!(last.in_lang(Lang::En), "and 50 more problems not listed");
    }

    #[test]
    fn a_workbook_is_read_with_its_line_numbers() {
        use cratb_sheet::write::{Cell, Table, xlsx};
        let header: Vec<&str> = HEADER.split(';').collect();
        let row = |cells: &str| -> Vec<Cell> {
            cells
                .split(';')
                .map(|c| Cell::text_or_empty(c.to_string()))
                .collect()
        };
        let good = xlsx([Table::new(
            "log",
            header.clone(),
            vec![
                row("2026-03-04 09:05;04/03/2026 09:20;phone;gp;VILLE;69;urinary;choice;switch;;EMA Lyon Sud"),
                row("2026-08-01 10:00;;web;infectiologist;ES;38;cns;other;;;"),
            ],
        )])
        .expect("a workbook");
        let read = read(&good, &DEPARTMENTS, &teams()).expect("a good workbook");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].asked_at, datetime!(2026-03-04 08:05 UTC));
        assert_eq!(read[0].answered_at, Some(datetime!(2026-03-04 08:20 UTC)));
        assert_eq!(read[0].team_id, Some(1));
        assert_eq!(read[1].asked_at, datetime!(2026-08-01 08:00 UTC));
        assert_eq!(read[1].profession, Profession::Infectiologist);

        let bad = xlsx([Table::new(
            "log",
            header,
            vec![
                row("2026-03-04 09:05;;phone;gp;VILLE;69;urinary;choice;;;"),
                row("2026-03-04 09:05;;phone;gp;VILLE;75;urinary;choice;;;"),
            ],
        )])
        .expect("a workbook");
        let errors = super::read(&bad, &DEPARTMENTS, &teams()).expect_err("Paris");
        assert_eq!(places(&errors), [(3, "department", "75")]);
    }

    #[test]
    fn an_old_excel_csv_in_windows_1252() {
        let text = format!(
            "{HEADER}\n2026-03-04 09:05;;phone;gp;VILLE;69;urinary;choice;;;ema h\u{f4}pital nord\n"
        );
        // "ô" is one byte, 0xF4, in Windows-1252.
        let bytes: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
            .collect();
        assert!(std::str::from_utf8(&bytes).is_err());
        let read = read(&bytes, &DEPARTMENTS, &teams()).expect("a Windows-1252 log");
        assert_eq!(read[0].team_id, Some(3));
    }

    #[test]
    fn dates_and_times_as_people_write_them() {
        let at = |d, t| Ok(PrimitiveDateTime::new(d, t));
        assert_eq!(
            parse_local("2026-03-04 09:05"),
            at(date!(2026 - 03 - 04), time!(09:05))
        );
        assert_eq!(
            parse_local("04/03/2026 09:05:07"),
            at(date!(2026 - 03 - 04), time!(09:05:07))
        );
        assert_eq!(
            parse_local("4/3/2026 9:05"),
            at(date!(2026 - 03 - 04), time!(09:05))
        );
        assert_eq!(
            parse_local("2026-03-04T23:59:59"),
            at(date!(2026 - 03 - 04), time!(23:59:59))
        );
        assert_eq!(parse_local("2026-03-04"), Err(Unread::DateOnly));
        assert_eq!(parse_local("04/03/2026"), Err(Unread::DateOnly));
        for bad in [
            "",
            "09:05",
            "2026-02-29 10:00",
            "2026-03-04 24:00",
            "2026-03-04 9:5",
            "2026-03-04 09:05:07:01",
            "26-03-04 09:05",
            "03/04/26 09:05",
            "2026/03/04 09:05",
            "2026-03-04-01 09:05",
            "aujourd'hui 09:05",
        ] {
            assert_eq!(parse_local(bad), Err(Unread::NotADate), "{bad}");
        }
        // 2028 is a leap year.
        assert!(parse_local("29/02/2028 10:00").is_ok());
    }
}
