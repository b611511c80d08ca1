//! When a team answers: its opening hours in Paris time, its own closures and the public
//! holidays of France, computed (Code du travail, art. L3133-1; Alsace-Moselle adds Good Friday
//! and 26 December, art. L3134-13), never typed. A first-answer target is counted in this
//! working time: four working hours asked on Friday at 17:00 fall due on Monday morning.

use cratb_domain::paris;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

/// Easter Sunday of `year` (the Gregorian computus of Meeus/Jones/Butcher).
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    Date::from_calendar_date(year, month, day as u8).expect("Easter is a date")
}

/// The departments where the local law of Alsace-Moselle adds two public holidays.
pub const ALSACE_MOSELLE: [&str; 3] = ["57", "67", "68"];

/// The public holidays of `year` with their French names, in date order (Alsace-Moselle's two
/// more when asked).
pub fn public_holidays(year: i32, alsace_moselle: bool) -> Vec<(Date, &'static str)> {
    let on = |m: Month, d: u8| Date::from_calendar_date(year, m, d).expect("a fixed holiday");
    let easter = easter(year);
    let mut days = vec![
        (on(Month::January, 1), "Jour de l'an"),
        (easter + Duration::days(1), "Lundi de Pâques"),
        (on(Month::May, 1), "Fête du Travail"),
        (on(Month::May, 8), "Victoire 1945"),
        (easter + Duration::days(39), "Ascension"),
        (easter + Duration::days(50), "Lundi de Pentecôte"),
        (on(Month::July, 14), "Fête nationale"),
        (on(Month::August, 15), "Assomption"),
        (on(Month::November, 1), "Toussaint"),
        (on(Month::November, 11), "Armistice 1918"),
        (on(Month::December, 25), "Noël"),
    ];
    if alsace_moselle {
        days.push((easter - Duration::days(2), "Vendredi saint"));
        days.push((on(Month::December, 26), "Saint-Étienne"));
    }
    days.sort();
    days
}

/// The name of the public holiday on `day`, if it is one.
pub fn holiday(day: Date, alsace_moselle: bool) -> Option<&'static str> {
    public_holidays(day.year(), alsace_moselle)
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| name)
}

/// A team's opening hours, Monday to Sunday, in Paris time: each day closed or open from one
/// time to a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    days: [Option<(Time, Time)>; 7],
}

const DAY_CODES: [&str; 7] = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"];
const DAY_NAMES_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Default for Hours {
    /// Monday to Friday, 9:00 to 18:00: the decree's "at least in working hours".
    fn default() -> Hours {
        Hours::weekdays(time::macros::time!(9:00), time::macros::time!(18:00))
    }
}

fn hm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn parse_hm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

impl Hours {
    /// Open Monday to Friday from `open` to `close`.
    pub fn weekdays(open: Time, close: Time) -> Hours {
        let mut days = [None; 7];
        for d in days.iter_mut().take(5) {
            *d = Some((open, close));
        }
        Hours { days }
    }

    /// Hours from their day, Monday first (`None`: closed); a day that closes before it opens
    /// is refused.
    pub fn new(days: [Option<(Time, Time)>; 7]) -> Result<Hours, String> {
        for (i, d) in days.iter().enumerate() {
            if let Some((open, close)) = d
                && close <= open
            {
                return Err(format!(
                    "{} : la fermeture ({}) doit suivre l'ouverture ({})",
                    DAY_CODES[i],
                    hm(*close),
                    hm(*open)
                ));
            }
        }
        Ok(Hours { days })
    }

    /// The hours of a weekday, if the team opens that day.
    pub fn on(&self, day: Weekday) -> Option<(Time, Time)> {
        self.days[day.number_days_from_monday() as usize]
    }

    /// Whether the team opens on any day at all.
    pub fn ever_open(&self) -> bool {
        self.days.iter().any(Option::is_some)
    }

    /// As stored: `lun 09:00-18:00;mar 09:00-18:00;…` (open days only).
    pub fn code(&self) -> String {
        self.days
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.map(|(o, c)| format!("{} {}-{}", DAY_CODES[i], hm(o), hm(c))))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Reads what [`Hours::code`] wrote.
    pub fn parse(s: &str) -> Result<Hours, String> {
        let mut days = [None; 7];
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || format!("« {part} » : attendu « lun 09:00-18:00 »");
            let (day, span) = part.split_once(' ').ok_or_else(bad)?;
            let i = DAY_CODES.iter().position(|d| *d == day).ok_or_else(bad)?;
            let (o, c) = span.split_once('-').ok_or_else(bad)?;
            days[i] = Some((parse_hm(o).ok_or_else(bad)?, parse_hm(c).ok_or_else(bad)?));
        }
        Hours::new(days)
    }

    /// For people: `lun.–ven. 9 h–18 h` when every open day has the same hours, else day by day.
    pub fn describe(&self, lang: cratb_domain::Lang) -> String {
        let time = |t: Time| match (lang, t.minute()) {
            (cratb_domain::Lang::Fr, 0) => format!("{} h", t.hour()),
            (cratb_domain::Lang::Fr, m) => format!("{} h {m:02}", t.hour()),
            (cratb_domain::Lang::En, _) => hm(t),
        };
        let name = |i: usize| match lang {
            cratb_domain::Lang::Fr => format!("{}.", DAY_CODES[i]),
            cratb_domain::Lang::En => DAY_NAMES_EN[i].to_string(),
        };
        let open: Vec<(usize, (Time, Time))> = self
            .days
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.map(|d| (i, d)))
            .collect();
        let Some(&(first, span)) = open.first() else {
            return lang.pick("fermé", "closed").to_string();
        };
        let last = open.last().map(|(i, _)| *i).unwrap_or(first);
        let contiguous = open.len() == last - first + 1 && open.iter().all(|(_, s)| *s == span);
        if contiguous {
            let days = if first == last {
                name(first)
            } else {
                format!("{}–{}", name(first), name(last))
            };
            return format!("{days} {}–{}", time(span.0), time(span.1));
        }
        open.iter()
            .map(|(i, (o, c))| format!("{} {}–{}", name(*i), time(*o), time(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A period the team is closed besides the public holidays (both days included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub from: Date,
    pub to: Date,
    pub reason: String,
}

/// Why a team does not answer on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosedBecause {
    /// A public holiday, by name.
    Holiday(&'static str),
    /// One of the team's closures, with its reason.
    Closure(String),
    /// The team does not open on that weekday.
    NotAnOpeningDay,
}

/// A team's working time: its hours, its closures and the public holidays of its place.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    pub hours: Hours,
    pub closures: Vec<Closure>,
    /// The team is in Moselle, Bas-Rhin or Haut-Rhin.
    pub alsace_moselle: bool,
}

/// How far ahead an opening is looked for (a team closed longer has no opening).
const HORIZON_DAYS: i64 = 400;

impl Calendar {
    /// A calendar for a team whose host establishment is in `department`.
    pub fn new(hours: Hours, closures: Vec<Closure>, department: &str) -> Calendar {
        Calendar {
            hours,
            closures,
            alsace_moselle: ALSACE_MOSELLE.contains(&department),
        }
    }

    /// Why the team is closed on `day`, or `None` if it opens that day.
    pub fn closed_on(&self, day: Date) -> Option<ClosedBecause> {
        if let Some(name) = holiday(day, self.alsace_moselle) {
            return Some(ClosedBecause::Holiday(name));
        }
        if let Some(c) = self.closures.iter().find(|c| c.from <= day && day <= c.to) {
            return Some(ClosedBecause::Closure(c.reason.clone()));
        }
        self.hours
            .on(day.weekday())
            .is_none()
            .then_some(ClosedBecause::NotAnOpeningDay)
    }

    /// The opening and closing instants of `day`, if the team opens that day.
    pub fn window(&self, day: Date) -> Option<(OffsetDateTime, OffsetDateTime)> {
        if self.closed_on(day).is_some() {
            return None;
        }
        let (open, close) = self.hours.on(day.weekday())?;
        Some((
            paris::from_local(day.with_time(open)),
            paris::from_local(day.with_time(close)),
        ))
    }

    /// Whether the team is open at `at`.
    pub fn is_open(&self, at: OffsetDateTime) -> bool {
        self.window(paris::today(at))
            .is_some_and(|(o, c)| o <= at && at < c)
    }

    /// The windows from the day of `from` on, each cut to start no earlier than `from`.
    fn windows_from(
        &self,
        from: OffsetDateTime,
    ) -> impl Iterator<Item = (OffsetDateTime, OffsetDateTime)> + '_ {
        let first = paris::today(from);
        (0..HORIZON_DAYS)
            .filter_map(move |i| first.checked_add(Duration::days(i)))
            .filter_map(|d| self.window(d))
            .filter(move |(_, close)| *close > from)
            .map(move |(open, close)| (open.max(from), close))
    }

    /// `at` if the team is open then, else its next opening (`None` if it does not open within
    /// the next 400 days).
    pub fn next_opening(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        self.windows_from(at).next().map(|(open, _)| open)
    }

    /// The moment `minutes` of working time after `from` have passed (a target of 240 minutes
    /// asked at 17:00 on a Friday falls due at 12:00 on Monday for a team open 9:00–18:00).
    pub fn add_working_minutes(
        &self,
        from: OffsetDateTime,
        minutes: i64,
    ) -> Option<OffsetDateTime> {
        let mut left = Duration::minutes(minutes.max(0));
        for (open, close) in self.windows_from(from) {
            if open + left <= close {
                return Some(open + left);
            }
            left -= close - open;
        }
        None
    }

    /// The working minutes between two moments (0 if `to` is not after `from`).
    pub fn working_minutes(&self, from: OffsetDateTime, to: OffsetDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::ZERO;
        for (open, close) in self.windows_from(from) {
            if open >= to {
                break;
            }
            total += close.min(to) - open;
        }
        total.whole_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn paris(t: time::PrimitiveDateTime) -> OffsetDateTime {
        paris::from_local(t)
    }

    #[test]
    fn easter_of_known_years() {
        assert_eq!(easter(2024), date!(2024 - 03 - 31));
        assert_eq!(easter(2025), date!(2025 - 04 - 20));
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert_eq!(easter(2027), date!(2027 - 03 - 28));
        assert_eq!(easter(2038), date!(2038 - 04 - 25));
    }

    #[test]
    fn the_public_holidays_of_2026() {
        let days = public_holidays(2026, false);
        assert_eq!(days.len(), 11);
        assert!(days.contains(&(date!(2026 - 04 - 06), "Lundi de Pâques")));
        assert!(days.contains(&(date!(2026 - 05 - 14), "Ascension")));
        assert!(days.contains(&(date!(2026 - 05 - 25), "Lundi de Pentecôte")));
        assert_eq!(
            holiday(date!(2026 - 07 - 14), false),
            Some("Fête nationale")
        );
        assert_eq!(holiday(date!(2026 - 04 - 03), false), None);
        // Alsace-Moselle: Good Friday and Saint Stephen's day besides.
        assert_eq!(public_holidays(2026, true).len(), 13);
        assert_eq!(holiday(date!(2026 - 04 - 03), true), Some("Vendredi saint"));
        assert_eq!(holiday(date!(2026 - 12 - 26), true), Some("Saint-Étienne"));
        assert!(Calendar::new(Hours::default(), vec![], "67").alsace_moselle);
        assert!(!Calendar::new(Hours::default(), vec![], "69").alsace_moselle);
    }

    #[test]
    fn hours_read_back_and_said() {
        let h = Hours::default();
        assert_eq!(
            h.code(),
            "lun 09:00-18:00;mar 09:00-18:00;mer 09:00-18:00;jeu 09:00-18:00;ven 09:00-18:00"
        );
        assert_eq!(Hours::parse(&h.code()), Ok(h));
        assert_eq!(h.describe(cratb_domain::Lang::Fr), "lun.–ven. 9 h–18 h");
        assert_eq!(h.describe(cratb_domain::Lang::En), "Mon–Fri 09:00–18:00");
        let odd = Hours::parse("lun 08:30-12:30;jeu 14:00-17:00").unwrap();
        assert_eq!(
            odd.describe(cratb_domain::Lang::Fr),
            "lun. 8 h 30–12 h 30, jeu. 14 h–17 h"
        );
        assert!(Hours::parse("lun 18:00-09:00").is_err());
        assert!(Hours::parse("monday 9-18").is_err());
        assert!(!Hours::new([None; 7]).unwrap().ever_open());
    }

    #[test]
    fn four_working_hours_asked_on_friday_evening_fall_due_on_monday() {
        let c = Calendar::default();
        // Friday 27 November 2026, 17:00 in Paris: one hour on Friday, three on Monday.
        let asked = paris(datetime!(2026-11-27 17:00));
        assert_eq!(
            c.add_working_minutes(asked, 240),
            Some(paris(datetime!(2026-11-30 12:00)))
        );
        assert_eq!(
            c.working_minutes(asked, paris(datetime!(2026-11-30 12:00))),
            240
        );
        // Asked on Saturday: the clock starts at Monday's opening.
        let saturday = paris(datetime!(2026-11-28 10:00));
        assert!(!c.is_open(saturday));
        assert_eq!(
            c.next_opening(saturday),
            Some(paris(datetime!(2026-11-30 09:00)))
        );
        assert_eq!(
            c.add_working_minutes(saturday, 240),
            Some(paris(datetime!(2026-11-30 13:00)))
        );
        // Within the day.
        let tuesday = paris(datetime!(2026-12-01 10:15));
        assert!(c.is_open(tuesday));
        assert_eq!(c.next_opening(tuesday), Some(tuesday));
        assert_eq!(
            c.add_working_minutes(tuesday, 240),
            Some(paris(datetime!(2026-12-01 14:15)))
        );
    }

    #[test]
    fn holidays_and_closures_are_skipped() {
        let mut c = Calendar::default();
        // Thursday 24 December 2026 at 16:00: Christmas Friday is a holiday, then the weekend.
        let asked = paris(datetime!(2026-12-24 16:00));
        assert_eq!(
            c.add_working_minutes(asked, 240),
            Some(paris(datetime!(2026-12-28 11:00)))
        );
        assert_eq!(
            c.closed_on(date!(2026 - 12 - 25)),
            Some(ClosedBecause::Holiday("Noël"))
        );
        // The team closes the week after.
        c.closures.push(Closure {
            from: date!(2026 - 12 - 28),
            to: date!(2026 - 12 - 31),
            reason: "fermeture de fin d'année".into(),
        });
        assert_eq!(
            c.closed_on(date!(2026 - 12 - 29)),
            Some(ClosedBecause::Closure("fermeture de fin d'année".into()))
        );
        // 1 January is a holiday too: Monday 4 January 2027.
        assert_eq!(
            c.next_opening(asked + Duration::hours(3)),
            Some(paris(datetime!(2027-01-04 09:00)))
        );
        assert_eq!(
            c.closed_on(date!(2027 - 01 - 02)),
            Some(ClosedBecause::NotAnOpeningDay)
        );
    }

    #[test]
    fn the_change_of_hour_does_not_move_the_opening() {
        let c = Calendar::new(Hours::weekdays(time!(8:00), time!(12:00)), vec![], "69");
        // Friday 27 March 2026 11:00 CET; Monday 30 March opens at 08:00 CEST (06:00 UTC).
        let asked = paris(datetime!(2026-03-27 11:00));
        assert_eq!(
            c.add_working_minutes(asked, 120),
            Some(datetime!(2026-03-30 07:00 UTC))
        );
    }

    #[test]
    fn a_team_that_never_opens_has_no_opening() {
        let c = Calendar {
            hours: Hours::new([None; 7]).unwrap(),
            ..Calendar::default()
        };
        assert_eq!(c.next_opening(datetime!(2026-11-30 10:00 UTC)), None);
        assert_eq!(
            c.add_working_minutes(datetime!(2026-11-30 10:00 UTC), 10),
            None
        );
    }

    use proptest::prelude::*;

    proptest! {
        /// Working time adds up: m minutes after `from` are m working minutes later, and two
        /// steps land where one does, whatever the moment, the target and the team's hours.
        #[test]
        fn working_minutes_add_up(
            start in 1_767_225_600i64..1_830_297_600i64, // 2026-01-01 .. 2027-12-31
            a in 0i64..3_000,
            b in 0i64..3_000,
            open in 6u8..11,
            length in 2u8..10,
            alsace in any::<bool>(),
        ) {
            let from = OffsetDateTime::from_unix_timestamp(start).unwrap();
            let hours = Hours::weekdays(
                Time::from_hms(open, 0, 0).unwrap(),
                Time::from_hms(open + length, 0, 0).unwrap(),
            );
            let c = Calendar { hours, closures: vec![], alsace_moselle: alsace };
            let due = c.add_working_minutes(from, a).unwrap();
            prop_assert_eq!(c.working_minutes(from, due), a);
            let twice = c.add_working_minutes(due, b).unwrap();
            let once = c.add_working_minutes(from, a + b).unwrap();
            // A step that ends at a closing time resumes at the next opening: the same instant
            // of working time.
            prop_assert_eq!(c.working_minutes(from, twice), a + b);
            prop_assert!(once <= twice);
            prop_assert_eq!(c.working_minutes(once, twice), 0);
            if a > 0 {
                prop_assert!(c.closed_on(paris::today(due)).is_none());
            }
        }
    }
}
