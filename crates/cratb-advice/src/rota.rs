//! The duty rota: which member answers on which weekday and half-day (the morning until 13:00
//! in Paris, the afternoon after), repeated every week. A request is given to the member on
//! duty when it is routed; with nobody on duty it waits in the team's queue for whoever takes it.

use cratb_domain::{code_enum, paris};
use time::{OffsetDateTime, Weekday};

code_enum! {
    /// Half a working day.
    HalfDay {
        Morning = "am", "Matin", "Morning";
        Afternoon = "pm", "Après-midi", "Afternoon";
    }
}

/// The weekdays of a rota, Monday first, with their French and English names.
pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "Lundi", "Monday"),
    (Weekday::Tuesday, "Mardi", "Tuesday"),
    (Weekday::Wednesday, "Mercredi", "Wednesday"),
    (Weekday::Thursday, "Jeudi", "Thursday"),
    (Weekday::Friday, "Vendredi", "Friday"),
    (Weekday::Saturday, "Samedi", "Saturday"),
    (Weekday::Sunday, "Dimanche", "Sunday"),
];

/// One member on duty on a weekday (1 = Monday … 7 = Sunday) and half-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutySlot {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub half: HalfDay,
    /// The member's account.
    pub user_id: i64,
}

/// The weekday (1–7) and half-day of a moment, in Paris.
pub fn half_day_of(at: OffsetDateTime) -> (u8, HalfDay) {
    let local = paris::paris(at);
    let half = if local.hour() < 13 {
        HalfDay::Morning
    } else {
        HalfDay::Afternoon
    };
    (local.weekday().number_from_monday(), half)
}

/// The members on duty at `at` (their accounts, as the rota lists them).
pub fn on_duty(slots: &[DutySlot], at: OffsetDateTime) -> Vec<i64> {
    let (weekday, half) = half_day_of(at);
    let mut users: Vec<i64> = slots
        .iter()
        .filter(|s| s.weekday == weekday && s.half == half)
        .map(|s| s.user_id)
        .collect();
    users.dedup();
    users
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_member_of_the_half_day_in_paris_time() {
        let slots = [
            DutySlot {
                weekday: 1,
                half: HalfDay::Morning,
                user_id: 7,
            },
            DutySlot {
                weekday: 1,
                half: HalfDay::Afternoon,
                user_id: 8,
            },
            DutySlot {
                weekday: 2,
                half: HalfDay::Morning,
                user_id: 7,
            },
        ];
        // Monday 30 November 2026, 11:59 UTC = 12:59 in Paris: still the morning.
        assert_eq!(on_duty(&slots, datetime!(2026-11-30 11:59 UTC)), vec![7]);
        assert_eq!(on_duty(&slots, datetime!(2026-11-30 12:00 UTC)), vec![8]);
        // Monday 23:30 UTC is Tuesday 00:30 in Paris.
        assert_eq!(on_duty(&slots, datetime!(2026-11-30 23:30 UTC)), vec![7]);
        assert!(on_duty(&slots, datetime!(2026-12-02 09:00 UTC)).is_empty());
    }
}
