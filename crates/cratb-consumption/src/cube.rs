//! A region's establishment consumption (hospitals and nursing homes) held in memory for the
//! screens: one compact fact per establishment × month × ward type × ATC code × route, and the
//! denominators at the same grain. Every dashboard figure is one pass over the facts, with the
//! classes, ATC groups and AWaRe category of each (ATC code, route) worked out once.
//!
//! Indicators: DDD per 1000 patient-days (per 1000 resident-days for nursing homes) and per 100
//! admissions, by class ([`CLASSES`]), ATC group (the third level of J01, for stacked bars),
//! route and AWaRe category; peers compared by median, quartiles and percentile
//! ([`Position`]).

use crate::ddd::Route;
use crate::hospital::Missing;
use crate::indicators::{Aware, AwareTable};
use std::collections::HashMap;

/// An indicator class: its code, its names, and the ATC prefixes it sums.
pub struct Class {
    pub code: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    pub prefixes: &'static [&'static str],
}

impl Class {
    /// Its name in `lang`.
    pub fn name(&self, lang: cratb_domain::Lang) -> &'static str {
        lang.pick(self.fr, self.en)
    }
}

/// The classes followed by the French hospital surveillance (SPARES / ConsoRes) and the
/// national strategy, J01 first.
pub const CLASSES: &[Class] = &[
    class(
        "J01",
        "Antibactériens (J01, total)",
        "Antibacterials (J01, total)",
        &["J01"],
    ),
    class("J01C", "Pénicillines", "Penicillins", &["J01C"]),
    class(
        "J01CR",
        "Pénicillines avec inhibiteur de bêta-lactamase",
        "Penicillins with beta-lactamase inhibitors",
        &["J01CR"],
    ),
    class(
        "J01D",
        "Céphalosporines, carbapénèmes et autres bêta-lactamines",
        "Cephalosporins, carbapenems and other beta-lactams",
        &["J01D"],
    ),
    class(
        "C3G_C4G",
        "Céphalosporines de 3e et 4e génération",
        "3rd and 4th generation cephalosporins",
        &["J01DD", "J01DE"],
    ),
    class("J01DH", "Carbapénèmes", "Carbapenems", &["J01DH"]),
    class(
        "J01F",
        "Macrolides, lincosamides et streptogramines",
        "Macrolides, lincosamides and streptogramins",
        &["J01F"],
    ),
    class(
        "J01M",
        "Fluoroquinolones et quinolones",
        "Quinolones",
        &["J01M"],
    ),
    class("J01XA", "Glycopeptides", "Glycopeptides", &["J01XA"]),
    class("J01G", "Aminosides", "Aminoglycosides", &["J01G"]),
];

const fn class(
    code: &'static str,
    fr: &'static str,
    en: &'static str,
    prefixes: &'static [&'static str],
) -> Class {
    Class {
        code,
        fr,
        en,
        prefixes,
    }
}

/// The ATC groups of J01 (third level) that stack up to the total, with their names.
pub const GROUPS: &[(&str, &str, &str)] = &[
    ("J01A", "Tétracyclines", "Tetracyclines"),
    ("J01B", "Phénicolés", "Amphenicols"),
    ("J01C", "Pénicillines", "Penicillins"),
    ("J01D", "Autres bêta-lactamines", "Other beta-lactams"),
    (
        "J01E",
        "Sulfamides et triméthoprime",
        "Sulfonamides and trimethoprim",
    ),
    ("J01F", "Macrolides et apparentés", "Macrolides and related"),
    ("J01G", "Aminosides", "Aminoglycosides"),
    ("J01M", "Quinolones", "Quinolones"),
    ("J01R", "Associations", "Combinations"),
    ("J01X", "Autres antibactériens", "Other antibacterials"),
];

/// The index of a class by code.
pub fn class_index(code: &str) -> Option<usize> {
    CLASSES.iter().position(|c| c.code == code)
}

/// The unit of the indicators of a sector: DDD per 1000 patient-days for hospitals (`ES`), per
/// 1000 resident-days for nursing homes (`EMS`).
pub fn unit_label(sector: &str, lang: cratb_domain::Lang) -> &'static str {
    match sector {
        "EMS" => lang.pick("DDJ/1000 journées d'hébergement", "DDD/1000 resident-days"),
        _ => lang.pick("DDJ/1000 JH", "DDD/1000 patient-days"),
    }
}

const ROUTES: [Route; 7] = Route::ALL;
const AWARE: [Aware; 4] = [
    Aware::Access,
    Aware::Watch,
    Aware::Reserve,
    Aware::Unclassified,
];

/// An establishment of the cube.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub finess: String,
    /// Category code (`CHU`, `EHPAD`…).
    pub category: String,
    /// Sector code (`ES` or `EMS`).
    pub sector: String,
    pub department: String,
    /// The GHT, where known.
    pub territory: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Fact {
    unit: u32,
    year: i16,
    /// 0 for a yearly figure.
    month: u8,
    ward: u8,
    atc: u16,
    route: u8,
    /// Whether the fact's cell has admissions (it then counts in DDD per 100 admissions).
    admitted: bool,
    ddd: f32,
}

#[derive(Debug, Clone, Copy)]
struct Days {
    unit: u32,
    year: i16,
    month: u8,
    ward: u8,
    patient_days: f64,
    admissions: f64,
}

/// What each (ATC code, route) counts towards, worked out once.
#[derive(Debug, Clone, Copy, Default)]
struct Meaning {
    /// Bit `i` set: counts in `CLASSES[i]`.
    classes: u32,
    /// Index in `GROUPS`, if J01.
    group: Option<u8>,
    aware: u8,
}

/// Builds a [`Cube`] row by row.
#[derive(Default)]
pub struct Builder {
    units: Vec<Unit>,
    unit_index: HashMap<i64, u32>,
    wards: Vec<String>,
    ward_index: HashMap<String, usize>,
    atcs: Vec<String>,
    atc_index: HashMap<String, usize>,
    facts: Vec<Fact>,
    days: Vec<Days>,
    unconverted: Vec<Unconverted>,
}

/// Grams of a substance the figures cannot count: the edition gives its DDD in another unit
/// than grams (colistin in million units), or none for its route.
#[derive(Debug, Clone, Copy)]
struct Unconverted {
    unit: u32,
    year: i16,
    month: u8,
    ward: u8,
    atc: u16,
    route: u8,
    grams: f64,
}

/// The index of `value` in `list`, added if new.
fn intern(list: &mut Vec<String>, index: &mut HashMap<String, usize>, value: &str) -> usize {
    if let Some(i) = index.get(value) {
        return *i;
    }
    list.push(value.to_string());
    index.insert(value.to_string(), list.len() - 1);
    list.len() - 1
}

impl Builder {
    pub fn unit(&mut self, unit: Unit) {
        self.unit_index.insert(unit.id, self.units.len() as u32);
        self.units.push(unit);
    }

    /// Adds the DDD of one establishment, period, ward type, ATC code and route (ignored for an
    /// establishment not given by [`Builder::unit`]).
    #[allow(clippy::too_many_arguments)]
    pub fn fact(
        &mut self,
        unit: i64,
        year: i32,
        month: Option<u8>,
        ward: &str,
        atc: &str,
        route: Route,
        ddd: f64,
    ) {
        let Some(&u) = self.unit_index.get(&unit) else {
            return;
        };
        let ward = intern(&mut self.wards, &mut self.ward_index, ward) as u8;
        let atc = intern(&mut self.atcs, &mut self.atc_index, atc) as u16;
        self.facts.push(Fact {
            unit: u,
            year: year as i16,
            month: month.unwrap_or(0),
            ward,
            atc,
            route: ROUTES.iter().position(|r| *r == route).unwrap_or(0) as u8,
            admitted: false,
            ddd: ddd as f32,
        });
    }

    /// Adds grams of a substance whose DDD the edition does not give in grams for its route: not
    /// counted in any figure, but said to be left out.
    #[allow(clippy::too_many_arguments)]
    pub fn unconverted(
        &mut self,
        unit: i64,
        year: i32,
        month: Option<u8>,
        ward: &str,
        atc: &str,
        route: Route,
        grams: f64,
    ) {
        let Some(&u) = self.unit_index.get(&unit) else {
            return;
        };
        let ward = intern(&mut self.wards, &mut self.ward_index, ward) as u8;
        let atc = intern(&mut self.atcs, &mut self.atc_index, atc) as u16;
        self.unconverted.push(Unconverted {
            unit: u,
            year: year as i16,
            month: month.unwrap_or(0),
            ward,
            atc,
            route: ROUTES.iter().position(|r| *r == route).unwrap_or(0) as u8,
            grams,
        });
    }

    /// Adds the patient-days (resident-days) and admissions of one establishment, period and
    /// ward type.
    pub fn days(
        &mut self,
        unit: i64,
        year: i32,
        month: Option<u8>,
        ward: &str,
        patient_days: f64,
        admissions: f64,
    ) {
        let Some(&u) = self.unit_index.get(&unit) else {
            return;
        };
        let ward = intern(&mut self.wards, &mut self.ward_index, ward) as u8;
        self.days.push(Days {
            unit: u,
            year: year as i16,
            month: month.unwrap_or(0),
            ward,
            patient_days,
            admissions,
        });
    }

    /// The cube, with the AWaRe classification and the DDD edition(s) its figures used.
    ///
    /// Only matched cells (establishment × period × ward type with both consumption and
    /// patient-days) enter the figures; the others are kept aside as [`LeftOut`] cells, so that
    /// every indicator's numerator and denominator cover the same cells and the pages can say
    /// what was left out.
    pub fn build(mut self, aware: &AwareTable, editions: Vec<String>) -> Cube {
        // The months each year has (bit 0: a yearly figure), before cells are matched.
        let mut months: Vec<(i32, u16)> = Vec::new();
        let marks = self
            .facts
            .iter()
            .map(|f| (f.year, f.month))
            .chain(self.days.iter().map(|d| (d.year, d.month)));
        for (year, month) in marks {
            match months.iter_mut().find(|(y, _)| *y == year as i32) {
                Some(m) => m.1 |= 1 << month,
                None => months.push((year as i32, 1 << month)),
            }
        }
        let left = self.match_cells();
        let meanings = self
            .atcs
            .iter()
            .map(|atc| {
                let mut classes = 0u32;
                for (i, c) in CLASSES.iter().enumerate() {
                    if c.prefixes.iter().any(|p| atc.starts_with(p)) {
                        classes |= 1 << i;
                    }
                }
                let group = GROUPS
                    .iter()
                    .position(|(g, _, _)| atc.starts_with(g))
                    .map(|g| g as u8);
                ROUTES.map(|r| Meaning {
                    classes,
                    group,
                    aware: AWARE
                        .iter()
                        .position(|a| *a == aware.category(atc, Some(r)))
                        .unwrap_or(3) as u8,
                })
            })
            .collect();
        let mut years: Vec<i32> = self
            .facts
            .iter()
            .map(|f| f.year as i32)
            .chain(self.days.iter().map(|d| d.year as i32))
            .collect();
        years.sort_unstable();
        years.dedup();
        months.sort_unstable();
        // Each establishment's rows together, so that its pages read only them.
        let (mut facts, mut days) = (self.facts, self.days);
        facts.sort_by_key(|f| f.unit);
        days.sort_by_key(|d| d.unit);
        let ranges = |units: Vec<u32>| {
            let mut r = vec![0..0; self.units.len()];
            let mut start = 0;
            for i in 1..=units.len() {
                if i == units.len() || units[i] != units[start] {
                    r[units[start] as usize] = start..i;
                    start = i;
                }
            }
            r
        };
        let fact_ranges = ranges(facts.iter().map(|f| f.unit).collect());
        let day_ranges = ranges(days.iter().map(|d| d.unit).collect());
        Cube {
            fact_ranges,
            day_ranges,
            units: self.units,
            wards: self.wards,
            atcs: self.atcs,
            meanings,
            facts,
            days,
            years,
            months,
            editions,
            aware_edition: aware.edition.clone(),
            left,
            unconverted: self.unconverted,
        }
    }

    /// Keeps the facts and denominators of matched cells, flags the facts of cells with
    /// admissions, and returns the cells left out with their J01 DDD or their days.
    fn match_cells(&mut self) -> Vec<LeftCell> {
        let cell = |unit: u32, year: i16, month: u8, ward: u8| -> u64 {
            (unit as u64) << 32 | (year as u16 as u64) << 16 | (month as u64) << 8 | ward as u64
        };
        // Per cell: (admissions > 0) for the cells with denominators.
        let days: HashMap<u64, bool> = self
            .days
            .iter()
            .map(|d| (cell(d.unit, d.year, d.month, d.ward), d.admissions > 0.0))
            .collect();
        let mut used: std::collections::HashSet<u64> = std::collections::HashSet::new();
        let mut left: HashMap<u64, LeftCell> = HashMap::new();
        let j01 = |atc: u16| self.atcs[atc as usize].starts_with("J01");
        let j01: Vec<bool> = (0..self.atcs.len() as u16).map(j01).collect();
        self.facts.retain_mut(|f| {
            let c = cell(f.unit, f.year, f.month, f.ward);
            used.insert(c);
            match days.get(&c) {
                Some(admitted) => {
                    f.admitted = *admitted;
                    true
                }
                None => {
                    let l = left.entry(c).or_insert(LeftCell {
                        unit: f.unit,
                        year: f.year,
                        month: f.month,
                        ward: f.ward,
                        missing: Missing::Denominator,
                        amount: 0.0,
                    });
                    if j01[f.atc as usize] {
                        l.amount += f.ddd as f64;
                    }
                    false
                }
            }
        });
        self.days.retain(|d| {
            let c = cell(d.unit, d.year, d.month, d.ward);
            if used.contains(&c) {
                return true;
            }
            left.entry(c)
                .or_insert(LeftCell {
                    unit: d.unit,
                    year: d.year,
                    month: d.month,
                    ward: d.ward,
                    missing: Missing::Consumption,
                    amount: 0.0,
                })
                .amount += d.patient_days;
            false
        });
        let mut left: Vec<LeftCell> = left.into_values().collect();
        left.sort_by_key(|l| (l.unit, l.year, l.month, l.ward, l.missing));
        left
    }
}

/// A cell left out of the figures: consumption without patient-days, or the reverse.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LeftCell {
    unit: u32,
    year: i16,
    /// 0 for a yearly figure.
    month: u8,
    ward: u8,
    missing: Missing,
    /// J01 DDD (consumption without days) or patient-days (days without consumption).
    amount: f64,
}

/// A cell left out: year, month (0 for a yearly figure), ward type, what is missing.
pub type LeftOutCell = (i32, u8, String, Missing);

/// What a slice's figures leave out: cells whose consumption has no denominator, and cells
/// whose denominator has no consumption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeftOut {
    /// Cells with consumption but no patient-days, and their J01 DDD.
    pub without_days: usize,
    pub ddd: f64,
    /// Cells with patient-days but no consumption, and their days.
    pub without_use: usize,
    pub days: f64,
    /// The establishments concerned (indices into [`Cube::units`]), each with its cells.
    pub cells: Vec<(usize, Vec<LeftOutCell>)>,
}

impl LeftOut {
    pub fn is_empty(&self) -> bool {
        self.without_days == 0 && self.without_use == 0
    }
}

/// A region's establishment consumption.
pub struct Cube {
    pub units: Vec<Unit>,
    wards: Vec<String>,
    atcs: Vec<String>,
    meanings: Vec<[Meaning; 7]>,
    facts: Vec<Fact>,
    days: Vec<Days>,
    /// Each establishment's facts and denominators (both sorted by establishment).
    fact_ranges: Vec<std::ops::Range<usize>>,
    day_ranges: Vec<std::ops::Range<usize>>,
    /// The years with data, ascending.
    pub years: Vec<i32>,
    /// The ATC/DDD edition(s) the DDD were computed with.
    pub editions: Vec<String>,
    pub aware_edition: String,
    /// The cells left out of every figure (sorted by establishment).
    left: Vec<LeftCell>,
    /// The months each year holds (bit `m` for month `m`, bit 0 for a yearly figure).
    months: Vec<(i32, u16)>,
    /// Grams no figure counts (no DDD in grams for their route).
    unconverted: Vec<Unconverted>,
}

/// Which part of the cube a figure covers.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// Only this sector (`ES`, `EMS`).
    pub sector: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this ward type.
    pub ward: Option<String>,
    /// Only this territory (GHT).
    pub territory: Option<String>,
    /// Only this department (code).
    pub department: Option<String>,
    /// Only this establishment.
    pub unit: Option<i64>,
    /// Only these months (first, last) of every year: a partial year compared with the same
    /// months of the others; yearly figures, which cannot be split, are then left out.
    pub months: Option<(u8, u8)>,
}

/// Sums over a set of facts: DDD per class and group, parenteral J01 DDD, J01 DDD per AWaRe
/// category, and the denominators.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub classes: Vec<f64>,
    /// DDD per class in the cells that give admissions (the numerator of DDD per 100
    /// admissions, which must not count nursing homes' or other admission-less cells).
    pub admitted: Vec<f64>,
    pub groups: Vec<f64>,
    pub j01_parenteral: f64,
    pub aware: [f64; 4],
    pub patient_days: f64,
    pub admissions: f64,
}

impl Default for Totals {
    fn default() -> Totals {
        Totals {
            classes: vec![0.0; CLASSES.len()],
            admitted: vec![0.0; CLASSES.len()],
            groups: vec![0.0; GROUPS.len()],
            j01_parenteral: 0.0,
            aware: [0.0; 4],
            patient_days: 0.0,
            admissions: 0.0,
        }
    }
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        for (a, b) in self.classes.iter_mut().zip(&other.classes) {
            *a += b;
        }
        for (a, b) in self.admitted.iter_mut().zip(&other.admitted) {
            *a += b;
        }
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            *a += b;
        }
        self.j01_parenteral += other.j01_parenteral;
        for (a, b) in self.aware.iter_mut().zip(other.aware) {
            *a += b;
        }
        self.patient_days += other.patient_days;
        self.admissions += other.admissions;
    }

    /// DDD of a class per 1000 patient-days (`None`: no patient-days, not computable).
    pub fn per_1000_days(&self, class: usize) -> Option<f64> {
        (self.patient_days > 0.0).then(|| 1000.0 * self.classes[class] / self.patient_days)
    }

    /// DDD of a class per 100 admissions (`None`: no admissions).
    pub fn per_100_admissions(&self, class: usize) -> Option<f64> {
        (self.admissions > 0.0).then(|| 100.0 * self.admitted[class] / self.admissions)
    }

    /// The share of J01 DDD in an AWaRe category, in % (`None` without J01 use).
    pub fn aware_pct(&self, a: Aware) -> Option<f64> {
        let i = AWARE.iter().position(|x| *x == a).unwrap_or(3);
        (self.classes[0] > 0.0).then(|| 100.0 * self.aware[i] / self.classes[0])
    }

    /// The share of J01 DDD given parenterally, in %.
    pub fn parenteral_pct(&self) -> Option<f64> {
        (self.classes[0] > 0.0).then(|| 100.0 * self.j01_parenteral / self.classes[0])
    }
}

/// An establishment's figures for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitYear {
    pub unit: usize,
    pub year: i32,
    pub totals: Totals,
}

/// One month of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    pub year: i32,
    pub month: u8,
    pub ddd: f64,
    pub patient_days: f64,
}

impl Month {
    pub fn per_1000_days(&self) -> Option<f64> {
        (self.patient_days > 0.0).then(|| 1000.0 * self.ddd / self.patient_days)
    }
}

impl Cube {
    /// The ward types present, sorted.
    pub fn wards(&self) -> Vec<String> {
        let mut w = self.wards.clone();
        w.sort();
        w
    }

    /// Whether `year` holds a yearly figure or all twelve months.
    pub fn complete(&self, year: i32) -> bool {
        self.months
            .iter()
            .find(|(y, _)| *y == year)
            .is_some_and(|(_, m)| m & 1 == 1 || m & 0x1ffe == 0x1ffe)
    }

    /// The last year holding a yearly figure or all twelve months (the year the screens open
    /// on), or the last year with data if none is complete.
    pub fn last_complete_year(&self) -> Option<i32> {
        self.years
            .iter()
            .rev()
            .find(|y| self.complete(**y))
            .or(self.years.last())
            .copied()
    }

    /// The first and last months of a partial year (`None`: complete, or without data).
    pub fn partial(&self, year: i32) -> Option<(u8, u8)> {
        if self.complete(year) {
            return None;
        }
        let (_, m) = self.months.iter().find(|(y, _)| *y == year)?;
        let first = (1..=12u8).find(|i| m & (1 << i) != 0)?;
        let last = (1..=12u8).rev().find(|i| m & (1 << i) != 0)?;
        Some((first, last))
    }

    /// The substances of the slice in `year` that no figure counts (no DDD in grams for their
    /// route: colistin in million units, co-trimoxazole in unit doses): (ATC code, route,
    /// grams), by ATC code.
    pub fn unconverted(&self, slice: &Slice, year: i32) -> Vec<(String, Route, f64)> {
        let Some(ward) = self.keep_ward(slice) else {
            return Vec::new();
        };
        let keep = self.keep_units(slice);
        let mut by: std::collections::BTreeMap<(&str, u8), f64> = Default::default();
        for u in &self.unconverted {
            if u.year as i32 == year
                && keep[u.unit as usize]
                && ward.is_none_or(|w| w == u.ward)
                && in_months(slice, u.month)
            {
                *by.entry((self.atcs[u.atc as usize].as_str(), u.route))
                    .or_default() += u.grams;
            }
        }
        by.into_iter()
            .map(|((atc, route), grams)| (atc.to_string(), ROUTES[route as usize], grams))
            .collect()
    }

    /// The index of an establishment.
    pub fn unit_index(&self, id: i64) -> Option<usize> {
        self.units.iter().position(|u| u.id == id)
    }

    /// Whether the cube holds any fact.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The number of consumption facts held.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// The facts a slice may hold: one establishment's, or all.
    fn facts_of(&self, slice: &Slice) -> &[Fact] {
        match slice.unit.and_then(|id| self.unit_index(id)) {
            Some(i) => &self.facts[self.fact_ranges[i].clone()],
            None if slice.unit.is_some() => &[],
            None => &self.facts,
        }
    }

    fn days_of(&self, slice: &Slice) -> &[Days] {
        match slice.unit.and_then(|id| self.unit_index(id)) {
            Some(i) => &self.days[self.day_ranges[i].clone()],
            None if slice.unit.is_some() => &[],
            None => &self.days,
        }
    }

    fn keep_units(&self, slice: &Slice) -> Vec<bool> {
        self.units
            .iter()
            .map(|u| {
                slice.sector.as_deref().is_none_or(|s| u.sector == s)
                    && slice.category.as_deref().is_none_or(|c| u.category == c)
                    && slice.unit.is_none_or(|id| u.id == id)
                    && slice
                        .territory
                        .as_deref()
                        .is_none_or(|t| u.territory.as_deref() == Some(t))
                    && slice
                        .department
                        .as_deref()
                        .is_none_or(|d| u.department == d)
            })
            .collect()
    }

    fn keep_ward(&self, slice: &Slice) -> Option<Option<u8>> {
        match &slice.ward {
            None => Some(None),
            Some(w) => self
                .wards
                .iter()
                .position(|x| x == w)
                .map(|i| Some(i as u8)),
        }
    }

    /// Every establishment's totals per year, in the slice (establishments or years without
    /// any row are absent).
    pub fn unit_years(&self, slice: &Slice) -> Vec<UnitYear> {
        let Some(ward) = self.keep_ward(slice) else {
            return Vec::new();
        };
        let keep = self.keep_units(slice);
        let (first, n_years) = match (self.years.first(), self.years.last()) {
            (Some(f), Some(l)) => (*f, (l - f + 1) as usize),
            _ => return Vec::new(),
        };
        let mut cells: Vec<Option<Totals>> = vec![None; self.units.len() * n_years];
        let at = |unit: u32, year: i16| unit as usize * n_years + (year as i32 - first) as usize;
        for f in self.facts_of(slice) {
            if !keep[f.unit as usize]
                || ward.is_some_and(|w| w != f.ward)
                || !in_months(slice, f.month)
            {
                continue;
            }
            let t = cells[at(f.unit, f.year)].get_or_insert_with(Totals::default);
            let m = &self.meanings[f.atc as usize][f.route as usize];
            let ddd = f.ddd as f64;
            let mut bits = m.classes;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                t.classes[i] += ddd;
                if f.admitted {
                    t.admitted[i] += ddd;
                }
                bits &= bits - 1;
            }
            if m.classes & 1 == 1 {
                if let Some(g) = m.group {
                    t.groups[g as usize] += ddd;
                }
                if f.route == 1 {
                    t.j01_parenteral += ddd;
                }
                t.aware[m.aware as usize] += ddd;
            }
        }
        for d in self.days_of(slice) {
            if !keep[d.unit as usize]
                || ward.is_some_and(|w| w != d.ward)
                || !in_months(slice, d.month)
            {
                continue;
            }
            let t = cells[at(d.unit, d.year)].get_or_insert_with(Totals::default);
            t.patient_days += d.patient_days;
            t.admissions += d.admissions;
        }
        cells
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| {
                t.map(|totals| UnitYear {
                    unit: i / n_years,
                    year: first + (i % n_years) as i32,
                    totals,
                })
            })
            .collect()
    }

    /// The slice's totals per year (the sum of its establishments).
    pub fn years_total(&self, slice: &Slice) -> Vec<(i32, Totals)> {
        sum_years(&self.unit_years(slice))
    }

    /// The monthly DDD of a class and the patient-days of the slice (yearly figures have no
    /// month and are left out).
    pub fn months(&self, slice: &Slice, class: usize) -> Vec<Month> {
        let Some(ward) = self.keep_ward(slice) else {
            return Vec::new();
        };
        let keep = self.keep_units(slice);
        let mut by: HashMap<(i16, u8), (f64, f64)> = HashMap::new();
        for f in self.facts_of(slice) {
            if f.month == 0 || !keep[f.unit as usize] || ward.is_some_and(|w| w != f.ward) {
                continue;
            }
            if self.meanings[f.atc as usize][f.route as usize].classes & (1 << class) != 0 {
                by.entry((f.year, f.month)).or_default().0 += f.ddd as f64;
            }
        }
        for d in self.days_of(slice) {
            if d.month == 0 || !keep[d.unit as usize] || ward.is_some_and(|w| w != d.ward) {
                continue;
            }
            by.entry((d.year, d.month)).or_default().1 += d.patient_days;
        }
        let mut out: Vec<Month> = by
            .into_iter()
            .map(|((year, month), (ddd, patient_days))| Month {
                year: year as i32,
                month,
                ddd,
                patient_days,
            })
            .collect();
        out.sort_by_key(|m| (m.year, m.month));
        out
    }

    /// An establishment's totals per ward type in a year.
    pub fn wards_of(&self, unit: i64, year: i32) -> Vec<(String, Totals)> {
        let mut out = Vec::new();
        for w in self.wards() {
            let slice = Slice {
                unit: Some(unit),
                ward: Some(w.clone()),
                ..Slice::default()
            };
            if let Some(t) = self.unit_years(&slice).into_iter().find(|u| u.year == year) {
                out.push((w, t.totals));
            }
        }
        out
    }

    /// What the slice's figures leave out (in `year`, or every year): cells with consumption
    /// but no patient-days, and the reverse.
    pub fn left_out(&self, slice: &Slice, year: Option<i32>) -> LeftOut {
        let mut out = LeftOut::default();
        let Some(ward) = self.keep_ward(slice) else {
            return out;
        };
        let keep = self.keep_units(slice);
        for l in &self.left {
            if !keep[l.unit as usize]
                || ward.is_some_and(|w| w != l.ward)
                || year.is_some_and(|y| y != l.year as i32)
            {
                continue;
            }
            match l.missing {
                Missing::Denominator => {
                    out.without_days += 1;
                    out.ddd += l.amount;
                }
                Missing::Consumption => {
                    out.without_use += 1;
                    out.days += l.amount;
                }
            }
            let cell = (
                l.year as i32,
                l.month,
                self.wards[l.ward as usize].clone(),
                l.missing,
            );
            match out.cells.last_mut() {
                Some((u, cells)) if *u == l.unit as usize => cells.push(cell),
                _ => out.cells.push((l.unit as usize, vec![cell])),
            }
        }
        out
    }

    /// The ATC codes most used in a slice and year: (ATC code, DDD), largest first.
    pub fn top_substances(&self, slice: &Slice, year: i32, n: usize) -> Vec<(String, f64)> {
        let Some(ward) = self.keep_ward(slice) else {
            return Vec::new();
        };
        let keep = self.keep_units(slice);
        let mut by = vec![0.0f64; self.atcs.len()];
        for f in self.facts_of(slice) {
            if f.year as i32 == year
                && keep[f.unit as usize]
                && ward.is_none_or(|w| w == f.ward)
                && in_months(slice, f.month)
            {
                by[f.atc as usize] += f.ddd as f64;
            }
        }
        let mut out: Vec<(String, f64)> = self
            .atcs
            .iter()
            .cloned()
            .zip(by)
            .filter(|(_, d)| *d > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out.truncate(n);
        out
    }
}

/// Whether a fact of `month` (0: a yearly figure) is within the slice's months.
fn in_months(slice: &Slice, month: u8) -> bool {
    slice
        .months
        .is_none_or(|(first, last)| (first..=last).contains(&month))
}

/// Establishments' yearly totals summed per year (what [`Cube::years_total`] gives, from
/// totals a caller already has).
pub fn sum_years(unit_years: &[UnitYear]) -> Vec<(i32, Totals)> {
    let mut out: Vec<(i32, Totals)> = Vec::new();
    for uy in unit_years {
        match out.iter_mut().find(|(y, _)| *y == uy.year) {
            Some((_, t)) => t.add(&uy.totals),
            None => out.push((uy.year, uy.totals.clone())),
        }
    }
    out.sort_by_key(|(y, _)| *y);
    out
}

/// Where a value stands among its peers'.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Position {
    pub peers: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// Share of peers with a lower value, in % (ties count half).
    pub percentile: Option<f64>,
}

/// The distribution of `values` and where `value` stands in it (`None` without values).
pub fn position(values: &[f64], value: Option<f64>) -> Option<Position> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    // R's type 7 (as spreadsheets' `QUARTILE.INC`); `v` is not empty, so there is one.
    let q = |p: f64| cratb_domain::stats::quantile7(&v, p).unwrap_or(f64::NAN);
    let percentile = value.map(|x| {
        let below = v.iter().filter(|y| **y < x).count() as f64;
        let equal = v.iter().filter(|y| **y == x).count() as f64;
        100.0 * (below + equal / 2.0) / v.len() as f64
    });
    Some(Position {
        peers: v.len(),
        min: v[0],
        q1: q(0.25),
        median: q(0.5),
        q3: q(0.75),
        max: v[v.len() - 1],
        percentile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, category: &str, sector: &str) -> Unit {
        Unit {
            id,
            name: format!("E{id}"),
            finess: format!("38000000{id}"),
            category: category.into(),
            sector: sector.into(),
            department: "38".into(),
            territory: None,
        }
    }

    fn cube() -> Cube {
        let mut b = Builder::default();
        b.unit(unit(1, "CH", "ES"));
        b.unit(unit(2, "CH", "ES"));
        b.unit(unit(3, "EHPAD", "EMS"));
        // Hospital 1, 2025: 300 DDD amoxicillin oral + 100 DDD ceftriaxone IV in medicine,
        // 50 DDD meropenem IV in ICU; 2000 + 500 patient-days.
        b.fact(1, 2025, Some(1), "medicine", "J01CA04", Route::O, 300.0);
        b.fact(1, 2025, Some(2), "medicine", "J01DD04", Route::P, 100.0);
        b.fact(1, 2025, Some(1), "icu", "J01DH02", Route::P, 50.0);
        b.days(1, 2025, Some(1), "medicine", 1000.0, 100.0);
        b.days(1, 2025, Some(2), "medicine", 1000.0, 100.0);
        b.days(1, 2025, Some(1), "icu", 500.0, 20.0);
        // Hospital 2, a yearly figure, no denominator.
        b.fact(2, 2025, None, "medicine", "J01MA02", Route::O, 40.0);
        // Nursing home 3.
        b.fact(3, 2024, Some(3), "nursing_home", "J01CR02", Route::O, 12.0);
        b.days(3, 2024, Some(3), "nursing_home", 3000.0, 0.0);
        // An unknown establishment is ignored.
        b.fact(9, 2025, Some(1), "medicine", "J01CA04", Route::O, 1.0);
        b.build(
            &AwareTable::embedded(),
            vec!["WHOCC ATC/DDD Index 2026".into()],
        )
    }

    #[test]
    fn totals_per_establishment_and_year_by_hand() {
        let c = cube();
        assert_eq!(c.years, vec![2024, 2025]);
        let all = c.unit_years(&Slice::default());
        let h1 = all.iter().find(|u| u.unit == 0 && u.year == 2025).unwrap();
        let j01 = class_index("J01").unwrap();
        assert_eq!(h1.totals.classes[j01], 450.0);
        // 450 DDD / 2500 patient-days × 1000 = 180; / 220 admissions × 100 = 204.55.
        assert_eq!(h1.totals.per_1000_days(j01), Some(180.0));
        assert!((h1.totals.per_100_admissions(j01).unwrap() - 204.545).abs() < 0.01);
        assert_eq!(h1.totals.classes[class_index("C3G_C4G").unwrap()], 100.0);
        assert_eq!(h1.totals.classes[class_index("J01DH").unwrap()], 50.0);
        // J01D holds the cephalosporin and the carbapenem.
        assert_eq!(h1.totals.classes[class_index("J01D").unwrap()], 150.0);
        // Parenteral: 150 of 450.
        assert!((h1.totals.parenteral_pct().unwrap() - 33.333).abs() < 0.01);
        // AWaRe 2023: amoxicillin Access, ceftriaxone and meropenem Watch.
        assert!((h1.totals.aware_pct(Aware::Access).unwrap() - 66.667).abs() < 0.01);
        assert!((h1.totals.aware_pct(Aware::Watch).unwrap() - 33.333).abs() < 0.01);
        // Hospital 2 has no denominator: left out of the figures, and said so.
        assert!(!all.iter().any(|u| u.unit == 1));
        let left = c.left_out(&Slice::default(), Some(2025));
        assert_eq!((left.without_days, left.ddd), (1, 40.0));
        assert_eq!(
            left.cells,
            [(1, vec![(2025, 0, "medicine".into(), Missing::Denominator)])]
        );
        // Stacked groups sum to J01.
        assert_eq!(h1.totals.groups.iter().sum::<f64>(), 450.0);
    }

    #[test]
    fn slices_by_ward_sector_and_month() {
        let c = cube();
        let j01 = 0;
        let icu = c.unit_years(&Slice {
            ward: Some("icu".into()),
            ..Slice::default()
        });
        assert_eq!(icu.len(), 1);
        assert_eq!(icu[0].totals.per_1000_days(j01), Some(100.0));
        let ems = c.years_total(&Slice {
            sector: Some("EMS".into()),
            ..Slice::default()
        });
        assert_eq!(ems.len(), 1);
        assert_eq!(ems[0].1.per_1000_days(j01), Some(4.0));
        let months = c.months(
            &Slice {
                unit: Some(1),
                ..Slice::default()
            },
            j01,
        );
        assert_eq!(months.len(), 2);
        assert_eq!(months[0].per_1000_days(), Some(350.0 / 1.5));
        assert_eq!(months[1].per_1000_days(), Some(100.0));
        // An unknown ward type: nothing, not everything.
        assert!(
            c.unit_years(&Slice {
                ward: Some("nowhere".into()),
                ..Slice::default()
            })
            .is_empty()
        );
        assert_eq!(
            c.top_substances(&Slice::default(), 2025, 1),
            vec![("J01CA04".to_string(), 300.0)]
        );
        assert_eq!(c.wards_of(1, 2025).len(), 2);
    }

    #[test]
    fn figures_cover_matched_cells_only() {
        // A nursing home with twelve months of consumption and six of resident-days, and a
        // hospital ward with days but no consumption: neither inflates nor dilutes the figure.
        let mut b = Builder::default();
        b.unit(unit(1, "EHPAD", "EMS"));
        b.unit(unit(2, "CH", "ES"));
        for m in 1..=12 {
            b.fact(1, 2025, Some(m), "nursing_home", "J01CA04", Route::O, 10.0);
            if m <= 6 {
                b.days(1, 2025, Some(m), "nursing_home", 1000.0, 0.0);
            }
        }
        b.fact(2, 2025, Some(1), "medicine", "J01CA04", Route::O, 50.0);
        b.days(2, 2025, Some(1), "medicine", 100.0, 10.0);
        b.days(2, 2025, Some(2), "medicine", 900.0, 90.0);
        let c = b.build(&AwareTable::embedded(), vec![]);
        let ems = c.years_total(&Slice {
            sector: Some("EMS".into()),
            ..Slice::default()
        });
        // 60 DDD over 6,000 resident-days, not 120 over 6,000.
        assert_eq!(ems[0].1.per_1000_days(0), Some(10.0));
        let all = c.years_total(&Slice::default());
        // The hospital's month without consumption is left out: 50 DDD / 100 days; per 100
        // admissions counts the hospital's DDD only (the nursing home has no admissions).
        assert_eq!(all[0].1.per_100_admissions(0), Some(500.0));
        let left = c.left_out(&Slice::default(), None);
        assert_eq!((left.without_days, left.ddd), (6, 60.0));
        assert_eq!((left.without_use, left.days), (1, 900.0));
        assert_eq!(left.cells.len(), 2);
        assert!(
            c.left_out(
                &Slice {
                    sector: Some("ES".into()),
                    ..Slice::default()
                },
                Some(2024)
            )
            .is_empty()
        );
    }

    #[test]
    fn a_year_ending_in_march_is_partial_and_compared_over_the_same_months() {
        let mut b = Builder::default();
        b.unit(unit(1, "CH", "ES"));
        // 2025 whole, 10 DDD a month over 100 days, except 40 DDD in each of January–March;
        // 2026: January to March, 30 DDD a month.
        for m in 1..=12 {
            let ddd = if m <= 3 { 40.0 } else { 10.0 };
            b.fact(1, 2025, Some(m), "medicine", "J01CA04", Route::O, ddd);
            b.days(1, 2025, Some(m), "medicine", 100.0, 10.0);
        }
        for m in 1..=3 {
            b.fact(1, 2026, Some(m), "medicine", "J01CA04", Route::O, 30.0);
            b.days(1, 2026, Some(m), "medicine", 100.0, 10.0);
        }
        b.unconverted(1, 2026, Some(2), "medicine", "J01XB01", Route::P, 12.0);
        b.unconverted(1, 2026, Some(3), "medicine", "J01XB01", Route::P, 8.0);
        let c = b.build(&AwareTable::embedded(), vec![]);
        assert_eq!(c.years, [2025, 2026]);
        assert!(c.complete(2025) && !c.complete(2026));
        assert_eq!(c.last_complete_year(), Some(2025));
        assert_eq!((c.partial(2025), c.partial(2026)), (None, Some((1, 3))));
        // The whole of 2025: 210 DDD / 1200 days = 175; January–March 2025: 120 / 300 = 400,
        // the figure 2026's 90 / 300 = 300 is compared with.
        let whole = c.years_total(&Slice::default());
        assert_eq!(whole[0].1.per_1000_days(0), Some(175.0));
        let q1 = c.years_total(&Slice {
            months: Some((1, 3)),
            ..Slice::default()
        });
        assert_eq!(q1[0].1.per_1000_days(0), Some(400.0));
        assert_eq!(q1[1].1.per_1000_days(0), Some(300.0));
        // Colistin (in million units) is said, not counted.
        assert_eq!(
            c.unconverted(&Slice::default(), 2026),
            [("J01XB01".to_string(), Route::P, 20.0)]
        );
        assert!(c.unconverted(&Slice::default(), 2025).is_empty());
        assert_eq!(q1[1].1.classes[0], 90.0);
    }

    #[test]
    fn quartiles_and_percentile_by_hand() {
        let p = position(&[400.0, 100.0, 300.0, 200.0], Some(300.0)).unwrap();
        assert_eq!(p.peers, 4);
        assert_eq!(p.median, 250.0);
        assert_eq!(p.q1, 175.0);
        assert_eq!(p.q3, 325.0);
        // Two below, one equal: (2 + 0.5) / 4.
        assert_eq!(p.percentile, Some(62.5));
        assert_eq!(position(&[], Some(1.0)), None);
        assert_eq!(position(&[5.0], None).unwrap().median, 5.0);
    }
}
