//! Who sees which establishments by name in a region's results (consumption, resistance, and
//! later audits), and the smallest count a share may be reported on: one rule for every screen,
//! API answer and export, asked through `cratb_app::policy::visibility`.
//!
//! | role | establishments named |
//! |---|---|
//! | CRAtb staff (coordinator, data manager, secretary), national administrator, ARS | all |
//! | EMA member | those of their teams' territory (and their own); the others anonymously |
//! | referent | their own; the others as an anonymous distribution |
//! | prescriber, laboratory | none: region, department and GHT aggregates only |

use crate::Role;
use std::collections::BTreeSet;

/// What a viewer sees of the establishments behind a region's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every establishment by name.
    All,
    /// These establishments by name; the others only as an anonymous distribution.
    Some(BTreeSet<i64>),
    /// No establishment by name: region, department and GHT aggregates only.
    Aggregates,
}

/// The reporting threshold of a region when its coordinator set none.
pub const DEFAULT_REPORTING_FLOOR: u32 = 30;
/// The least threshold for the roles that see no establishment by name, whatever the floor.
pub const AGGREGATE_REPORTING_FLOOR: u32 = 10;
/// The bounds of the floor a coordinator may set.
pub const FLOOR_RANGE: std::ops::RangeInclusive<u32> = 1..=1000;

/// The reporting threshold a request gets: the count asked for, raised to the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// The least number of isolates a share is reported on.
    pub value: u32,
    /// The floor that applies to the viewer.
    pub floor: u32,
    /// The count asked for was below the floor and was raised to it.
    pub raised: bool,
}

impl Visibility {
    /// The rule. `own`: the account's establishments; `territory`: for an EMA member, the
    /// establishments of their teams' departments (ignored for the other roles).
    pub fn of(role: Role, own: &[i64], territory: &[i64]) -> Visibility {
        use Role::*;
        match role {
            NationalAdmin | Coordinator | DataManager | Secretary | ArsReader => Visibility::All,
            EmaMember => Visibility::Some(own.iter().chain(territory).copied().collect()),
            Referent => Visibility::Some(own.iter().copied().collect()),
            Prescriber | Lab => Visibility::Aggregates,
        }
    }

    /// Whether the rule needs the EMA territory of the account (its teams' departments).
    pub fn needs_territory(role: Role) -> bool {
        role == Role::EmaMember
    }

    /// Whether establishment `id` may be shown by name.
    pub fn names(&self, id: i64) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Some(ids) => ids.contains(&id),
            Visibility::Aggregates => false,
        }
    }

    /// Whether every establishment may be shown by name.
    pub fn names_all(&self) -> bool {
        matches!(self, Visibility::All)
    }

    /// Whether the viewer has named access at all (sees at least their own by name).
    pub fn has_named_access(&self) -> bool {
        !matches!(self, Visibility::Aggregates)
    }

    /// The establishments named, when not all are (`None`: all of them).
    pub fn named(&self) -> Option<&BTreeSet<i64>> {
        match self {
            Visibility::All => None,
            Visibility::Some(ids) => Some(ids),
            Visibility::Aggregates => {
                static NONE: BTreeSet<i64> = BTreeSet::new();
                Some(&NONE)
            }
        }
    }

    /// The reporting threshold of a request asking for `asked` isolates (none: the floor), in
    /// a region whose floor is `region_floor`: never below it, and never below
    /// [`AGGREGATE_REPORTING_FLOOR`] for a viewer without named access.
    pub fn threshold(&self, asked: Option<u32>, region_floor: u32) -> Threshold {
        let floor = if self.has_named_access() {
            region_floor.max(1)
        } else {
            region_floor.max(AGGREGATE_REPORTING_FLOOR)
        };
        let value = asked.unwrap_or(floor).max(floor);
        Threshold {
            value,
            floor,
            raised: asked.is_some_and(|a| a < floor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_what_the_table_says() {
        for role in [
            Role::NationalAdmin,
            Role::Coordinator,
            Role::DataManager,
            Role::Secretary,
            Role::ArsReader,
        ] {
            assert_eq!(Visibility::of(role, &[1], &[2]), Visibility::All);
        }
        let referent = Visibility::of(Role::Referent, &[1], &[2, 3]);
        assert!(referent.names(1) && !referent.names(2));
        let ema = Visibility::of(Role::EmaMember, &[1], &[2, 3]);
        assert!(ema.names(1) && ema.names(3) && !ema.names(4));
        for role in [Role::Prescriber, Role::Lab] {
            let v = Visibility::of(role, &[1], &[2]);
            assert_eq!(v, Visibility::Aggregates);
            assert!(!v.names(1) && !v.has_named_access());
            assert!(v.named().unwrap().is_empty());
        }
        assert!(Visibility::needs_territory(Role::EmaMember));
        assert!(!Visibility::needs_territory(Role::Referent));
    }

    #[test]
    fn a_threshold_is_raised_to_the_floor() {
        let all = Visibility::All;
        assert_eq!(
            all.threshold(Some(1), 30),
            Threshold {
                value: 30,
                floor: 30,
                raised: true
            }
        );
        assert_eq!(all.threshold(None, 30).value, 30);
        assert!(!all.threshold(None, 30).raised);
        assert_eq!(all.threshold(Some(50), 30).value, 50);
        // A coordinator may lower the floor for named access, never below 10 for the others.
        assert_eq!(all.threshold(Some(3), 5).value, 5);
        let lab = Visibility::Aggregates;
        let t = lab.threshold(Some(3), 5);
        assert_eq!((t.value, t.floor, t.raised), (10, 10, true));
        assert_eq!(lab.threshold(Some(40), 30).value, 40);
    }
}
