//! A campaign: the grid version it audits, its title, its period, the establishments taking
//! part (the region's chosen ones, one establishment, or the primary-care practices of a CPTS),
//! the number of cases each should enter; as typed in the form or sent to the API, and its
//! checks, every field at once. Whether cases may be entered on a given day.

use cratb_domain::account::List;
use cratb_domain::field::{bounded, optional};
use cratb_domain::{FieldError, Finess};
use serde::Deserialize;
use time::Date;

/// The default number of cases asked of each establishment.
pub const DEFAULT_TARGET: u32 = 30;

/// A whole number as a form types it (`"30"`) or as JSON sends it (`30`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Count {
    Number(i64),
    Text(String),
}

/// A value that is not a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotWhole;

impl Count {
    /// The number; `Ok(None)` when empty.
    pub fn value(&self) -> Result<Option<i64>, NotWhole> {
        match self {
            Count::Number(n) => Ok(Some(*n)),
            Count::Text(t) if t.trim().is_empty() => Ok(None),
            Count::Text(t) => t.trim().parse().map(Some).map_err(|_| NotWhole),
        }
    }
}

/// A campaign as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignInput {
    /// The region's INSEE code: needed only from a national account (the others start their
    /// own region's campaigns).
    pub region: Option<String>,
    /// Its title (`Antibioprophylaxie chirurgicale 2026`).
    pub title: Option<String>,
    /// The grid version audited (id of a stored grid).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub grid_id: Option<Count>,
    /// First day of the period (`2026-03-01` or `01/03/2026`).
    pub starts_on: Option<String>,
    /// Last day of the period.
    pub ends_on: Option<String>,
    /// FINESS numbers of the participating establishments, of the campaign's region.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub establishments: Option<List>,
    /// The CPTS whose primary-care practices take part (id of a territory of the region);
    /// the establishments may then be left out.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub territory_id: Option<Count>,
    /// Cases asked of each establishment (default 30).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub target: Option<Count>,
}

/// A checked campaign: the grid and places are resolved against the store by the use case.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    pub title: String,
    pub grid_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub establishments: Vec<Finess>,
    pub territory_id: Option<i64>,
    pub target: u32,
}

/// A day as typed: `2026-03-01` or `01/03/2026`.
pub fn parse_date(s: &str) -> Option<Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let fr = time::macros::format_description!("[day]/[month]/[year]");
    let s = s.trim();
    Date::parse(s, iso).or_else(|_| Date::parse(s, fr)).ok()
}

/// A required day, or its error.
pub(crate) fn date_field(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &Option<String>,
) -> Option<Date> {
    match optional(value) {
        None => {
            errors.push(FieldError::new(field, "Date obligatoire", "Date required"));
            None
        }
        Some(v) => parse_date(v).or_else(|| {
            errors.push(FieldError::new(
                field,
                format!("« {v} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)"),
                format!("“{v}” is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
            ));
            None
        }),
    }
}

/// A required establishment's FINESS, or its error.
pub(crate) fn establishment_field(
    errors: &mut Vec<FieldError>,
    value: &Option<String>,
) -> Option<Finess> {
    match optional(value) {
        None => {
            errors.push(FieldError::new(
                "establishment",
                "Établissement obligatoire",
                "Establishment required",
            ));
            None
        }
        Some(v) => Finess::parse(v)
            .map_err(|err| errors.push(FieldError::of("establishment", &err)))
            .ok(),
    }
}

/// An optional id, or its error.
pub(crate) fn id_field(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &Option<Count>,
) -> Option<i64> {
    match value.as_ref().map(Count::value) {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(n))) if n > 0 => Some(n),
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "Identifiant invalide",
                "Invalid identifier",
            ));
            None
        }
    }
}

impl CampaignInput {
    /// Checks every field; all the errors at once.
    pub fn check(&self) -> Result<NewCampaign, Vec<FieldError>> {
        let mut e = Vec::new();
        let title = bounded(&mut e, "title", &self.title, 200);
        if title.is_none() && !e.iter().any(|x| x.field == "title") {
            e.push(FieldError::new(
                "title",
                "Titre obligatoire",
                "Title required",
            ));
        }
        let grid_id = id_field(&mut e, "grid_id", &self.grid_id);
        if grid_id.is_none() && !e.iter().any(|x| x.field == "grid_id") {
            e.push(FieldError::new(
                "grid_id",
                "Choisissez la grille",
                "Choose the grid",
            ));
        }
        let starts_on = date_field(&mut e, "starts_on", &self.starts_on);
        let ends_on = date_field(&mut e, "ends_on", &self.ends_on);
        if let (Some(a), Some(b)) = (starts_on, ends_on)
            && b < a
        {
            e.push(FieldError::new(
                "ends_on",
                "La fin précède le début",
                "The end comes before the start",
            ));
        }
        let mut establishments = Vec::new();
        for f in self.establishments.iter().flat_map(|l| l.0.iter()) {
            if f.trim().is_empty() {
                continue;
            }
            match Finess::parse(f) {
                Ok(f) if !establishments.contains(&f) => establishments.push(f),
                Ok(_) => {}
                Err(err) => e.push(FieldError::of("establishments", &err)),
            }
        }
        if establishments.len() > 2000 {
            e.push(FieldError::new(
                "establishments",
                "2 000 établissements au plus",
                "2,000 establishments at most",
            ));
        }
        let territory_id = id_field(&mut e, "territory_id", &self.territory_id);
        if establishments.is_empty()
            && territory_id.is_none()
            && !e
                .iter()
                .any(|x| x.field == "establishments" || x.field == "territory_id")
        {
            e.push(FieldError::new(
                "establishments",
                "Choisissez au moins un établissement participant, ou une CPTS",
                "Choose at least one participating establishment, or a CPTS",
            ));
        }
        let target = match self.target.as_ref().map(Count::value) {
            None | Some(Ok(None)) => Some(DEFAULT_TARGET),
            Some(Ok(Some(n))) if (1..=10_000).contains(&n) => Some(n as u32),
            Some(_) => {
                e.push(FieldError::new(
                    "target",
                    "Un nombre de dossiers entre 1 et 10 000",
                    "A number of cases between 1 and 10,000",
                ));
                None
            }
        };
        match (title, grid_id, starts_on, ends_on, target) {
            (Some(title), Some(grid_id), Some(starts_on), Some(ends_on), Some(target))
                if e.is_empty() =>
            {
                Ok(NewCampaign {
                    title,
                    grid_id,
                    starts_on,
                    ends_on,
                    establishments,
                    territory_id,
                    target,
                })
            }
            _ => Err(e),
        }
    }
}

cratb_domain::code_enum! {
    /// Where a campaign stands on a day.
    State {
        Upcoming = "upcoming", "À venir", "Upcoming";
        Open = "open", "En cours", "Under way";
        Closed = "closed", "Close", "Closed";
    }
}

impl State {
    /// A campaign's state on `today`: cases are entered from its first day until it is closed
    /// (paper grids come back after the period; the coordinator closes it).
    pub fn on(starts_on: Date, closed: bool, today: Date) -> State {
        if closed {
            State::Closed
        } else if today < starts_on {
            State::Upcoming
        } else {
            State::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> CampaignInput {
        CampaignInput {
            region: None,
            title: Some("Antibioprophylaxie 2026".into()),
            grid_id: Some(Count::Text("3".into())),
            starts_on: Some("01/03/2026".into()),
            ends_on: Some("2026-04-30".into()),
            establishments: Some(List(vec!["380780080".into(), "690781810".into()])),
            territory_id: None,
            target: None,
        }
    }

    #[test]
    fn a_campaign_is_checked_field_by_field() {
        let c = input().check().unwrap();
        assert_eq!(c.starts_on, date!(2026 - 03 - 01));
        assert_eq!(c.target, DEFAULT_TARGET);
        assert_eq!(c.establishments.len(), 2);
        let bad = CampaignInput {
            title: Some(" ".into()),
            grid_id: Some(Count::Text("x".into())),
            starts_on: Some("2026-05-01".into()),
            ends_on: Some("2026-04-30".into()),
            establishments: Some(List(vec!["12".into()])),
            target: Some(Count::Number(0)),
            ..Default::default()
        };
        let fields: Vec<&str> = bad.check().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["title", "grid_id", "ends_on", "establishments", "target"]
        );
        let none = CampaignInput {
            establishments: None,
            ..input()
        };
        assert_eq!(none.check().unwrap_err()[0].field, "establishments");
    }

    #[test]
    fn entry_opens_on_the_first_day_until_closed() {
        let d = date!(2026 - 03 - 01);
        assert_eq!(State::on(d, false, date!(2026 - 02 - 28)), State::Upcoming);
        assert_eq!(State::on(d, false, d), State::Open);
        assert_eq!(State::on(d, false, date!(2027 - 01 - 01)), State::Open);
        assert_eq!(State::on(d, true, d), State::Closed);
    }
}
