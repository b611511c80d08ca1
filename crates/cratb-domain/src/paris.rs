//! Moments as people in France read them: in Paris time (Europe/Paris: UTC+1 in winter, UTC+2
//! in summer, changing on the last Sundays of March and October at 01:00 UTC), never in UTC.
//! The offset of each moment comes from the time-zone database that `jiff` bundles (no system
//! files, so every server, container and test says the same), not from a rule written here:
//! a change of the rule (the EU has debated ending the change of hour) is a crate update.
//!
//! Every date and time shown on a page, in a PDF or in an e-mail goes through [`moment`] or
//! [`day`]: `30/11/2026 13:05` in French, `2026-11-30 13:05 CET` in English (which names the
//! zone, `CEST` in summer).

use std::sync::LazyLock;

use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::Lang;

static PARIS: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Europe/Paris").expect("Europe/Paris is in the bundled database")
});

/// `t` as the clocks of Paris showed it (the same instant, at Paris's offset then).
pub fn paris(t: OffsetDateTime) -> OffsetDateTime {
    let seconds = jiff::Timestamp::from_second(t.unix_timestamp())
        .map(|ts| PARIS.to_offset(ts).seconds())
        .unwrap_or(3600);
    let offset = UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC);
    t.to_offset(offset)
}

/// The moment a Paris clock read as `local` (a date and time written in a file), in UTC. A
/// time the clocks skipped (spring, 02:00–03:00) is read at the offset before the change, so
/// that 02:30 is 03:30 CEST, the time it was once the clocks had moved; a time they showed
/// twice (autumn, 02:00–03:00) is the first one, in summer time (jiff's "compatible"
/// disambiguation, as RFC 5545 and java.time do).
pub fn from_local(local: PrimitiveDateTime) -> OffsetDateTime {
    let civil = jiff::civil::DateTime::new(
        local.year() as i16,
        u8::from(local.month()) as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second() as i8,
        local.nanosecond() as i32,
    );
    let seconds = civil
        .ok()
        .and_then(|dt| PARIS.to_ambiguous_timestamp(dt).compatible().ok())
        .map(|ts| ts.as_second());
    match seconds {
        Some(s) => OffsetDateTime::from_unix_timestamp(s)
            .map(|t| t.replace_nanosecond(local.nanosecond()).unwrap_or(t))
            .unwrap_or_else(|_| local.assume_utc()),
        // Outside jiff's years (-9999..=9999): winter time.
        None => local.assume_offset(UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC)),
    }
    .to_offset(UtcOffset::UTC)
}

/// The day it was in Paris at `t` (a moment at 23:30 UTC is already the next day there).
pub fn today(t: OffsetDateTime) -> Date {
    paris(t).date()
}

/// A moment in Paris time: `30/11/2026 13:05` (French), `2026-11-30 13:05 CET` (English, with
/// the zone: `CEST` in summer).
pub fn moment(t: OffsetDateTime, lang: Lang) -> String {
    let local = paris(t);
    match lang {
        Lang::Fr => format!(
            "{:02}/{:02}/{} {:02}:{:02}",
            local.day(),
            u8::from(local.month()),
            local.year(),
            local.hour(),
            local.minute()
        ),
        Lang::En => format!(
            "{}-{:02}-{:02} {:02}:{:02} {}",
            local.year(),
            u8::from(local.month()),
            local.day(),
            local.hour(),
            local.minute(),
            if local.offset().whole_hours() == 2 {
                "CEST"
            } else {
                "CET"
            }
        ),
    }
}

/// The day of a moment in Paris, as French letters write it: `30/11/2026`.
pub fn day(t: OffsetDateTime) -> String {
    let d = today(t);
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn winter_is_utc_plus_one() {
        let t = datetime!(2026-11-30 12:05 UTC);
        assert_eq!(moment(t, Lang::Fr), "30/11/2026 13:05");
        assert_eq!(moment(t, Lang::En), "2026-11-30 13:05 CET");
        assert_eq!(day(datetime!(2026-12-31 23:30 UTC)), "01/01/2027");
    }

    /// Summer time starts on 29 March 2026 at 01:00 UTC: 01:59 becomes 03:00 in Paris.
    #[test]
    fn either_side_of_the_change_to_summer_time() {
        assert_eq!(
            moment(datetime!(2026-03-29 00:59 UTC), Lang::Fr),
            "29/03/2026 01:59"
        );
        assert_eq!(
            moment(datetime!(2026-03-29 01:00 UTC), Lang::Fr),
            "29/03/2026 03:00"
        );
        assert_eq!(
            moment(datetime!(2026-03-29 00:59 UTC), Lang::En),
            "2026-03-29 01:59 CET"
        );
        assert_eq!(
            moment(datetime!(2026-03-29 01:00 UTC), Lang::En),
            "2026-03-29 03:00 CEST"
        );
        assert_eq!(
            moment(datetime!(2026-07-14 20:00 UTC), Lang::Fr),
            "14/07/2026 22:00"
        );
    }

    /// Summer time ends on 25 October 2026 at 01:00 UTC: 02:59 CEST is followed by 02:00 CET.
    #[test]
    fn either_side_of_the_change_to_winter_time() {
        assert_eq!(
            moment(datetime!(2026-10-25 00:59 UTC), Lang::Fr),
            "25/10/2026 02:59"
        );
        assert_eq!(
            moment(datetime!(2026-10-25 01:00 UTC), Lang::Fr),
            "25/10/2026 02:00"
        );
        assert_eq!(
            moment(datetime!(2026-10-25 00:30 UTC), Lang::En),
            "2026-10-25 02:30 CEST"
        );
        assert_eq!(
            moment(datetime!(2026-10-25 01:30 UTC), Lang::En),
            "2026-10-25 02:30 CET"
        );
        assert_eq!(
            today(datetime!(2026-10-24 22:30 UTC)),
            time::macros::date!(2026 - 10 - 25)
        );
    }

    #[test]
    fn any_offset_given_is_the_same_instant() {
        let t = datetime!(2026-11-30 14:05 +02:00);
        assert_eq!(moment(t, Lang::Fr), "30/11/2026 13:05");
    }

    #[test]
    fn a_paris_clock_read_back_as_a_moment() {
        use time::macros::datetime;
        assert_eq!(
            from_local(datetime!(2026-11-30 13:05)),
            datetime!(2026-11-30 12:05 UTC)
        );
        assert_eq!(
            from_local(datetime!(2026-07-14 22:00:30)),
            datetime!(2026-07-14 20:00:30 UTC)
        );
        // Skipped on 29 March 2026: 02:30 is read as 03:30 CEST.
        assert_eq!(
            from_local(datetime!(2026-03-29 02:30)),
            datetime!(2026-03-29 01:30 UTC)
        );
        assert_eq!(
            from_local(datetime!(2026-03-29 03:00)),
            datetime!(2026-03-29 01:00 UTC)
        );
        // Shown twice on 25 October 2026: the first, in summer time.
        assert_eq!(
            from_local(datetime!(2026-10-25 02:30)),
            datetime!(2026-10-25 00:30 UTC)
        );
        assert_eq!(
            from_local(datetime!(2026-10-25 03:00)),
            datetime!(2026-10-25 02:00 UTC)
        );
        // Every moment outside the autumn's repeated hour reads back as itself.
        for t in [
            datetime!(2026-03-29 00:59 UTC),
            datetime!(2026-10-25 00:30 UTC),
            datetime!(2025-12-31 23:30 UTC),
        ] {
            let p = paris(t);
            assert_eq!(from_local(PrimitiveDateTime::new(p.date(), p.time())), t);
        }
    }
}
