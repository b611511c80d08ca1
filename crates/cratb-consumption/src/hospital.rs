//! Hospital consumption: the consumption and denominator files, and the DDD indicators per
//! group (DDD per 1000 patient-days, per 100 admissions).
//!
//! Consumption file columns: `establishment` (FINESS), `period` (`YYYY-MM` or `YYYY`),
//! `ward_type`, `atc` (7-character ATC code), `route` (`O`, `P`, `R`, `N`, `Inhal`), `grams` —
//! or `units` and `strength_g` (grams of active substance per unit).
//! Denominators: `establishment`, `period`, `ward_type`, `patient_days`, `admissions` (for
//! nursing homes, `resident_days` and no admissions).

use crate::ddd::{DddTable, NoDdd, Route};
use std::collections::{BTreeMap, BTreeSet};

/// A period: a year, or a month of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: Option<u8>,
}

impl Period {
    /// `YYYY-MM` or `YYYY`.
    pub fn parse(text: &str) -> Option<Period> {
        let t = text.trim();
        let (y, m) = match t.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (t, None),
        };
        if y.len() != 4 {
            return None;
        }
        let year: i32 = y.parse().ok().filter(|y| (1990..=2100).contains(y))?;
        let month = match m {
            None => None,
            Some(m) if m.len() == 2 => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            Some(_) => return None,
        };
        Some(Period { year, month })
    }
}

/// A line of the consumption file.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumption {
    pub line: usize,
    pub establishment: String,
    pub period: Period,
    pub ward_type: String,
    pub atc: String,
    pub route: Route,
    pub grams: f64,
}

/// A line of the denominators file.
#[derive(Debug, Clone, PartialEq)]
pub struct Denominator {
    pub line: usize,
    pub establishment: String,
    pub period: Period,
    pub ward_type: String,
    pub patient_days: f64,
    pub admissions: f64,
}

/// A problem of an input file: where, what, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ligne {}, colonne « {} », valeur « {} » : {}",
            self.line, self.column, self.value, self.message
        )
    }
}

/// A row's cells, by wanted column.
struct Cells<'a> {
    record: &'a csv::StringRecord,
    found: &'a [usize],
}

impl<'a> Cells<'a> {
    /// The trimmed cell of wanted column `i` (empty when the row is short).
    fn get(&self, i: usize) -> &'a str {
        self.record.get(self.found[i]).map_or("", str::trim)
    }
}

/// Streams a sheet: `read_header` turns its header (trimmed, lower case) into what the rows
/// need, or refuses it with its problems; `on_row` then gets each row with its line.
pub(crate) fn stream<H>(
    bytes: &[u8],
    read_header: impl FnOnce(Vec<String>) -> Result<H, Vec<Problem>>,
    mut on_row: impl FnMut(usize, &H, &csv::StringRecord),
) -> Result<(), Vec<Problem>> {
    let mut read_header = Some(read_header);
    let mut header: Option<H> = None;
    let mut refused = Vec::new();
    let read = cratb_sheet::for_each_row(bytes, |line, record| {
        if let Some(h) = &header {
            on_row(line, h, record);
            return Ok(());
        }
        let read_header = read_header.take().expect("the header comes first, once");
        match read_header(
            record
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
        ) {
            Ok(h) => {
                header = Some(h);
                Ok(())
            }
            Err(p) => {
                refused = p;
                Err(String::new())
            }
        }
    });
    match read {
        Ok(()) => Ok(()),
        Err(_) if !refused.is_empty() => Err(refused),
        Err(message) => Err(vec![Problem {
            line: 1,
            column: String::new(),
            value: String::new(),
            message,
        }]),
    }
}

/// A problem for each column of `absent`, saying what was `expected`.
pub(crate) fn missing_columns(absent: &[&str], expected: &str) -> Vec<Problem> {
    absent
        .iter()
        .map(|n| Problem {
            line: 1,
            column: n.to_string(),
            value: String::new(),
            message: format!("colonne obligatoire absente (attendu : {expected})"),
        })
        .collect()
}

/// Streams a file: finds the `wanted` columns in its header (lower case, after `rename`),
/// then hands `each` every row's line and a reader of its cells by wanted column (trimmed).
///
/// The columns after the first `required` are optional: a file without them reads them empty.
fn each_row(
    bytes: &[u8],
    wanted: &[&str],
    required: usize,
    rename: impl Fn(&mut Vec<String>),
    mut each: impl FnMut(usize, &Cells),
) -> Result<(), Vec<Problem>> {
    stream(
        bytes,
        |mut header| {
            rename(&mut header);
            for w in &wanted[required..] {
                if !header.iter().any(|h| h == w) {
                    header.push(w.to_string());
                }
            }
            let absent: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|w| !header.iter().any(|h| h == w))
                .collect();
            if !absent.is_empty() {
                return Err(missing_columns(&absent, &wanted[..required].join(", ")));
            }
            Ok(wanted
                .iter()
                .filter_map(|w| header.iter().position(|h| h == w))
                .collect::<Vec<usize>>())
        },
        |line, found, record| {
            each(line, &Cells { record, found });
        },
    )
}

fn number(text: &str) -> Option<f64> {
    text.replace([' ', '\u{a0}'], "")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// Reads a consumption file; every invalid cell is a problem (nothing is kept then).
///
/// A row may give, instead of `grams`, a number of `units` and the grams of active substance in
/// one (`strength_g`): the quantity is then their product.
pub fn read_consumption(bytes: &[u8]) -> Result<Vec<Consumption>, Vec<Problem>> {
    let names = [
        "establishment",
        "period",
        "ward_type",
        "atc",
        "route",
        "grams",
        "units",
        "strength_g",
    ];
    // `units` and `strength_g` are optional; with both, `grams` may be left out.
    let grams_from_units = |header: &mut Vec<String>| {
        let has = |h: &Vec<String>, n: &str| h.iter().any(|x| x == n);
        if !has(header, "grams") && has(header, "units") && has(header, "strength_g") {
            header.push("grams".into());
        }
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    each_row(bytes, &names, 6, grams_from_units, |line, cells| {
        let get = |i: usize| cells.get(i);
        let mut bad = |i: usize, message: &str| {
            problems.push(Problem {
                line,
                column: names[i].into(),
                value: get(i).into(),
                message: message.into(),
            })
        };
        let establishment = get(0);
        if establishment.is_empty() {
            bad(0, "établissement (FINESS) obligatoire");
        }
        let period = Period::parse(get(1));
        if period.is_none() {
            bad(1, "période attendue sous la forme AAAA-MM ou AAAA");
        }
        let atc = get(3);
        let atc_ok = atc.len() == 7
            && atc.starts_with(|c: char| c.is_ascii_alphabetic())
            && atc.chars().all(|c| c.is_ascii_alphanumeric());
        if !atc_ok {
            bad(3, "code ATC de 7 caractères attendu (ex. J01CA04)");
        }
        let route = Route::parse(get(4));
        if route.is_none() {
            bad(4, "voie attendue : O, P, R, N ou Inhal");
        }
        let grams = if get(5).is_empty() && !get(6).is_empty() {
            let units = number(get(6));
            if units.is_none() {
                bad(6, "nombre d'unités attendu (nombre positif)");
            }
            let strength = number(get(7)).filter(|g| *g > 0.0);
            if strength.is_none() {
                bad(
                    7,
                    "grammes de substance active par unité attendus (ex. 0,5)",
                );
            }
            units.zip(strength).map(|(u, g)| u * g)
        } else {
            let grams = number(get(5));
            if grams.is_none() {
                bad(
                    5,
                    "quantité en grammes attendue (nombre positif, ou units et strength_g)",
                );
            }
            grams
        };
        if let (false, Some(period), Some(route), Some(grams), true) =
            (establishment.is_empty(), period, route, grams, atc_ok)
            && problems.is_empty()
        {
            out.push(Consumption {
                line,
                establishment: establishment.to_string(),
                period,
                ward_type: get(2).to_string(),
                atc: atc.to_ascii_uppercase(),
                route,
                grams,
            });
        }
    })?;
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Reads a denominators file.
///
/// A nursing home's file may name its days `resident_days` (journées d'hébergement) instead of
/// `patient_days`, and then leave out `admissions`.
pub fn read_denominators(bytes: &[u8]) -> Result<Vec<Denominator>, Vec<Problem>> {
    let names = [
        "establishment",
        "period",
        "ward_type",
        "patient_days",
        "admissions",
    ];
    let resident_days = |header: &mut Vec<String>| {
        if !header.iter().any(|h| h == "patient_days")
            && let Some(i) = header.iter().position(|h| h == "resident_days")
        {
            header[i] = "patient_days".into();
            if !header.iter().any(|h| h == "admissions") {
                // A column no row has: every admissions cell reads as empty.
                header.push("admissions".into());
            }
        }
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    each_row(bytes, &names, names.len(), resident_days, |line, cells| {
        let get = |i: usize| cells.get(i);
        let mut bad = |i: usize, message: &str| {
            problems.push(Problem {
                line,
                column: names[i].into(),
                value: get(i).into(),
                message: message.into(),
            })
        };
        let period = Period::parse(get(1));
        if period.is_none() {
            bad(1, "période attendue sous la forme AAAA-MM ou AAAA");
        }
        let days = if get(3).is_empty() {
            Some(0.0)
        } else {
            number(get(3))
        };
        if days.is_none() {
            bad(3, "nombre de journées d'hospitalisation attendu");
        }
        let admissions = if get(4).is_empty() {
            Some(0.0)
        } else {
            number(get(4))
        };
        if admissions.is_none() {
            bad(4, "nombre d'admissions attendu");
        }
        if get(0).is_empty() {
            bad(0, "établissement (FINESS) obligatoire");
        }
        if let (Some(period), Some(patient_days), Some(admissions), false) =
            (period, days, admissions, get(0).is_empty())
            && problems.is_empty()
        {
            out.push(Denominator {
                line,
                establishment: get(0).to_string(),
                period,
                ward_type: get(2).to_string(),
                patient_days,
                admissions,
            });
        }
    })?;
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What a result is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Establishment,
    Year,
    Month,
    WardType,
}

impl By {
    pub fn parse(text: &str) -> Option<By> {
        match text.trim() {
            "establishment" => Some(By::Establishment),
            "year" => Some(By::Year),
            "month" => Some(By::Month),
            "ward_type" => Some(By::WardType),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            By::Establishment => "establishment",
            By::Year => "year",
            By::Month => "month",
            By::WardType => "ward_type",
        }
    }
    fn value(self, establishment: &str, period: Period, ward: &str) -> Option<String> {
        Some(match self {
            By::Establishment => establishment.to_string(),
            By::Year => period.year.to_string(),
            By::Month => format!("{}-{:02}", period.year, period.month?),
            By::WardType => ward.to_string(),
        })
    }
}

/// One output row: the group's values, the ATC prefix, the DDD and the denominators.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Indicator {
    pub group: Vec<String>,
    pub atc_prefix: String,
    pub ddd: f64,
    pub patient_days: Option<f64>,
    pub admissions: Option<f64>,
}

impl Indicator {
    /// DDD per 1000 patient-days (none when the denominator is missing or zero).
    pub fn per_1000_patient_days(&self) -> Option<f64> {
        self.patient_days
            .filter(|d| *d > 0.0)
            .map(|d| 1000.0 * self.ddd / d)
    }
    /// DDD per 100 admissions (none when the denominator is missing or zero).
    pub fn per_100_admissions(&self) -> Option<f64> {
        self.admissions
            .filter(|a| *a > 0.0)
            .map(|a| 100.0 * self.ddd / a)
    }
}

/// Grams that could not be turned into DDDs: ATC code, route, reason, grams, lines.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unconverted {
    pub atc: String,
    pub route: &'static str,
    pub reason: String,
    pub grams: f64,
    pub rows: usize,
}

/// The indicators and what could not be counted.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rows: Vec<Indicator>,
    pub unconverted: Vec<Unconverted>,
}

/// Why a grouping is impossible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupingError(pub String);

/// DDD per group × ATC prefix, with the denominators summed over the same groups (a month's
/// patient-days count in its year). Rows whose grams cannot be converted are listed, never
/// silently dropped.
pub fn indicators(
    consumption: &[Consumption],
    denominators: &[Denominator],
    by: &[By],
    prefixes: &[String],
    table: &DddTable,
) -> Result<Outcome, GroupingError> {
    let key = |e: &str, p: Period, w: &str| -> Option<Vec<String>> {
        by.iter().map(|b| b.value(e, p, w)).collect()
    };
    let mut ddd: BTreeMap<(Vec<String>, usize), f64> = BTreeMap::new();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut unconverted: BTreeMap<(String, Route, NoDdd), (f64, usize)> = BTreeMap::new();
    for c in consumption {
        let k = key(&c.establishment, c.period, &c.ward_type).ok_or_else(|| {
            GroupingError(format!(
                "ligne {} : période annuelle {}, impossible à répartir par mois",
                c.line, c.period.year
            ))
        })?;
        match table.grams(&c.atc, c.route) {
            Ok(per_ddd) => {
                let n = c.grams / per_ddd;
                for (i, p) in prefixes.iter().enumerate() {
                    if c.atc.starts_with(p.as_str()) {
                        *ddd.entry((k.clone(), i)).or_default() += n;
                    }
                }
            }
            Err(why) => {
                let e = unconverted
                    .entry((c.atc.clone(), c.route, why))
                    .or_default();
                e.0 += c.grams;
                e.1 += 1;
            }
        }
        groups.insert(k);
    }
    let mut days: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
    for d in denominators {
        // A yearly denominator cannot be split into months: it then counts for no month.
        if let Some(k) = key(&d.establishment, d.period, &d.ward_type) {
            let e = days.entry(k).or_default();
            e.0 += d.patient_days;
            e.1 += d.admissions;
        }
    }
    let mut rows = Vec::new();
    for g in &groups {
        for (i, p) in prefixes.iter().enumerate() {
            let (pd, adm) = days
                .get(g)
                .copied()
                .map_or((None, None), |(d, a)| (Some(d), Some(a)));
            rows.push(Indicator {
                group: g.clone(),
                atc_prefix: p.clone(),
                ddd: ddd.get(&(g.clone(), i)).copied().unwrap_or(0.0),
                patient_days: pd,
                admissions: adm,
            });
        }
    }
    Ok(Outcome {
        rows,
        unconverted: unconverted
            .into_iter()
            .map(|((atc, route, why), (grams, rows))| Unconverted {
                atc,
                route: route.code(),
                reason: why.message(),
                grams,
                rows,
            })
            .collect(),
    })
}

/// The output header: the `--by` columns then the indicator columns.
pub fn header(by: &[By]) -> Vec<&'static str> {
    by.iter()
        .map(|b| b.name())
        .chain([
            "atc_prefix",
            "ddd",
            "patient_days",
            "ddd_per_1000_patient_days",
            "admissions",
            "ddd_per_100_admissions",
        ])
        .collect()
}

/// A number with two decimals, or empty.
fn two(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// A count as written in the output (no decimals when whole), or empty.
fn count(x: Option<f64>) -> String {
    x.map(|v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    })
    .unwrap_or_default()
}

impl Indicator {
    /// The row's fields in the order of [`header`].
    pub fn fields(&self) -> Vec<String> {
        let mut f = self.group.clone();
        f.push(self.atc_prefix.clone());
        f.push(format!("{:.2}", self.ddd));
        f.push(count(self.patient_days));
        f.push(two(self.per_1000_patient_days()));
        f.push(count(self.admissions));
        f.push(two(self.per_100_admissions()));
        f
    }
}
