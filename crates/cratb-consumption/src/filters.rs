//! The filters of the consumption screens and of the API, as a request gives them, resolved
//! against a region's data: a year that has data (the last complete one by default; a partial
//! one is compared over the same months of the others), an indicator class
//! (J01 by default), a sector (`ES` by default), and a category, ward type, territory or
//! department only when the region's data holds it; any other value is ignored.

use crate::cube::{Cube, Slice, class_index};
use cratb_domain::Category;

/// What a screen asks for, as given (all optional; an empty value is absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked<'a> {
    pub year: Option<i32>,
    /// `ES` or `EMS`.
    pub sector: Option<&'a str>,
    /// A category code of the sector (`CHU`, `EHPAD`…).
    pub category: Option<&'a str>,
    /// A ward type as imported.
    pub ward: Option<&'a str>,
    /// An indicator class code (`J01`, `J01M`…).
    pub class: Option<&'a str>,
    /// A GHT, by name.
    pub territory: Option<&'a str>,
    /// A department code.
    pub department: Option<&'a str>,
}

/// The filters resolved against the data.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub year: i32,
    /// Index in [`crate::cube::CLASSES`].
    pub class: usize,
    /// Its sector is always given.
    pub slice: Slice,
}

/// A value given, trimmed (`None` when empty).
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// The year shown when the region has no data at all.
const NO_DATA_YEAR: i32 = 2025;

impl Resolved {
    /// `asked` against `cube`: what the cube does not hold is left out.
    pub fn of(cube: &Cube, asked: &Asked) -> Resolved {
        // The last complete year by default; a partial one asked for is compared over its
        // months only.
        let year = asked
            .year
            .filter(|y| cube.years.contains(y))
            .or(cube.last_complete_year())
            .unwrap_or(NO_DATA_YEAR);
        let class = given(asked.class).and_then(class_index).unwrap_or(0);
        let sector = match given(asked.sector) {
            Some("EMS") => "EMS",
            _ => "ES",
        };
        let category = given(asked.category)
            .filter(|c| Category::parse(c).is_some_and(|c| c.sector().code() == sector));
        let ward = given(asked.ward).filter(|w| cube.wards().iter().any(|x| x == w));
        let territory = given(asked.territory)
            .filter(|t| cube.units.iter().any(|u| u.territory.as_deref() == Some(t)));
        let department =
            given(asked.department).filter(|d| cube.units.iter().any(|u| u.department == *d));
        Resolved {
            year,
            class,
            slice: Slice {
                sector: Some(sector.into()),
                category: category.map(str::to_owned),
                ward: ward.map(str::to_owned),
                territory: territory.map(str::to_owned),
                department: department.map(str::to_owned),
                unit: None,
                months: cube.partial(year),
            },
        }
    }

    /// The sector of the figures (`ES` or `EMS`).
    pub fn sector(&self) -> &str {
        self.slice.sector.as_deref().unwrap_or("ES")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;
    use crate::cube::{Builder, Unit};
    use crate::indicators::AwareTable;

    fn cube() -> Cube {
        let mut b = Builder::default();
        b.unit(Unit {
            id: 1,
            name: "CH".into(),
            finess: String::new(),
            category: "CH".into(),
            sector: "ES".into(),
            department: "38".into(),
            territory: Some("GHT Alpes".into()),
        });
        for year in [2023, 2024] {
            b.fact(1, year, Some(1), "icu", "J01CA04", Route::O, 10.0);
            b.days(1, year, Some(1), "icu", 100.0, 1.0);
        }
        b.build(&AwareTable::embedded(), vec![])
    }

    #[test]
    fn the_screens_open_on_the_last_complete_year() {
        let mut b = Builder::default();
        b.unit(Unit {
            id: 1,
            name: "CH".into(),
            finess: String::new(),
            category: "CH".into(),
            sector: "ES".into(),
            department: "38".into(),
            territory: None,
        });
        for (year, months) in [(2025, 1..=12), (2026, 1..=3)] {
            for m in months {
                b.fact(1, year, Some(m), "icu", "J01CA04", Route::O, 10.0);
                b.days(1, year, Some(m), "icu", 100.0, 1.0);
            }
        }
        let cube = b.build(&AwareTable::embedded(), vec![]);
        let r = Resolved::of(&cube, &Asked::default());
        assert_eq!((r.year, r.slice.months), (2025, None));
        let asked = Asked {
            year: Some(2026),
            ..Asked::default()
        };
        let r = Resolved::of(&cube, &asked);
        assert_eq!((r.year, r.slice.months), (2026, Some((1, 3))));
    }

    #[test]
    fn what_the_data_does_not_hold_is_left_out() {
        let cube = cube();
        let r = Resolved::of(&cube, &Asked::default());
        assert_eq!((r.year, r.class, r.sector()), (2024, 0, "ES"));
        let asked = Asked {
            year: Some(2023),
            sector: Some("ES"),
            category: Some(" CH "),
            ward: Some("icu"),
            class: Some("J01M"),
            territory: Some("GHT Alpes"),
            department: Some("38"),
        };
        let r = Resolved::of(&cube, &asked);
        assert_eq!((r.year, r.class), (2023, 7));
        assert_eq!(r.slice.category.as_deref(), Some("CH"));
        assert_eq!(r.slice.ward.as_deref(), Some("icu"));
        assert_eq!(r.slice.territory.as_deref(), Some("GHT Alpes"));
        assert_eq!(r.slice.department.as_deref(), Some("38"));
        // A year without data, an unknown class, a category of another sector, a ward type,
        // GHT or department absent from the data: ignored.
        let asked = Asked {
            year: Some(1990),
            sector: Some("EMS"),
            category: Some("CH"),
            ward: Some("surgery"),
            class: Some("X"),
            territory: Some("GHT Mer"),
            department: Some("75"),
        };
        let r = Resolved::of(&cube, &asked);
        assert_eq!((r.year, r.class, r.sector()), (2024, 0, "EMS"));
        assert!(r.slice.category.is_none() && r.slice.ward.is_none());
        assert!(r.slice.territory.is_none() && r.slice.department.is_none());
    }
}
