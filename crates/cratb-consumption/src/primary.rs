//! Primary care (ville): dispensations per territory and the population that is their
//! denominator.
//!
//! Two layouts are read:
//! - **cratb's**: `territory` (a department code, a CPTS as named in the region's territories, or
//!   `région`), `period` (`YYYY-MM` or `YYYY`), `atc` (7 characters), then either `ddd` (number
//!   of DDD) or `packs` and `ddd_per_pack`, and optionally `prescriptions`, `age_group`, `sex`,
//!   `prescriber`;
//! - **the French open-data dispensation files** (Open Medic, Assurance Maladie): `ATC5`, `age`,
//!   `sexe`, `BEN_REG` (the beneficiaries' region), `PSP_SPE` (prescriber speciality),
//!   `BOITES` (packs) and optionally `CIP13`, for one year given with the file; the DDD per
//!   pack come from a separate table (`cip13` or `atc`, and `ddd_per_pack`). Rows of other
//!   regions are left out and counted.
//!
//! Population: `territory`, `year`, `population`.

use crate::hospital::{Period, Problem, missing_columns, stream};
use crate::indicators::{self, MonthlyDdd};
use cratb_sheet::write::{Cell, Table};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A dispensation row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispensation {
    pub line: usize,
    /// As written in the file (resolved against the region's territories by the store).
    pub territory: String,
    pub period: Period,
    pub atc: String,
    pub ddd: f64,
    pub prescriptions: Option<f64>,
    pub age_group: Option<String>,
    pub sex: Option<String>,
    pub prescriber: Option<String>,
}

/// A territory's population in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub line: usize,
    pub territory: String,
    pub year: i32,
    pub population: f64,
}

/// DDD per pack, by CIP13 code or by ATC code.
#[derive(Debug, Clone, Default)]
pub struct Packs {
    by_cip: HashMap<String, f64>,
    by_atc: HashMap<String, f64>,
}

impl Packs {
    /// The DDD in one pack of `cip` (if known) else of the `atc` code.
    pub fn ddd(&self, cip: &str, atc: &str) -> Option<f64> {
        self.by_cip
            .get(cip)
            .or_else(|| self.by_atc.get(atc))
            .copied()
    }
}

/// What the open-data layout needs besides its rows.
pub struct OpenData<'a> {
    pub year: i32,
    /// The region's code: rows of other regions are left out.
    pub region: &'a str,
    pub packs: &'a Packs,
}

/// The rows read, and the rows of other regions left out.
#[derive(Debug)]
pub struct Dispensations {
    pub rows: Vec<Dispensation>,
    pub other_regions: usize,
}

/// The largest number a cell may hold (DDD, packs or prescriptions of one row, inhabitants):
/// France dispenses about 10⁹ DDD of antibiotics a year; anything above is a typing or export
/// error, refused rather than shown as an absurd figure.
pub const MAX_VALUE: f64 = 1e10;

fn number(text: &str) -> Option<f64> {
    text.replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0 && *x <= MAX_VALUE)
}

fn atc_ok(atc: &str) -> bool {
    atc.len() == 7
        && atc.starts_with(|c: char| c.is_ascii_alphabetic())
        && atc.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A problem at `line` in `column`, said in French and in English.
fn problem(line: usize, column: &str, value: &str, message: &str, message_en: &str) -> Problem {
    Problem {
        line,
        column: column.into(),
        value: value.into(),
        message: message.into(),
        message_en: message_en.into(),
    }
}

/// A sheet's header (lower case) and a way to read a row's cell by column name.
struct Header(Vec<String>);

impl Header {
    /// Every column of `names`, or a problem for each one absent.
    fn require(&self, names: &[&str]) -> Result<(), Vec<Problem>> {
        let absent: Vec<&str> = names.iter().copied().filter(|n| !self.has(n)).collect();
        if absent.is_empty() {
            Ok(())
        } else {
            let expected = names.join(", ");
            Err(missing_columns(&absent, &expected, &expected))
        }
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|h| h == name)
    }
    fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> &'r str {
        self.0
            .iter()
            .position(|h| h == name)
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }
}

/// Streams a sheet: its header, checked by `on_header`, then each row.
fn each(
    bytes: &[u8],
    on_header: impl FnOnce(&Header) -> Result<(), Vec<Problem>>,
    on_row: impl FnMut(usize, &Header, &csv::StringRecord),
) -> Result<(), Vec<Problem>> {
    stream(
        bytes,
        |names| {
            let header = Header(names);
            on_header(&header).map(|()| header)
        },
        on_row,
    )
}

/// Whether a sheet is in the open-data layout (an `ATC5` and a `BOITES` column).
pub fn is_open_data(bytes: &[u8]) -> bool {
    let mut found = false;
    let _ = cratb_sheet::for_each_row(bytes, |_, record| {
        let h: Vec<String> = record
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        found = h.iter().any(|c| c == "atc5") && h.iter().any(|c| c == "boites");
        Err(String::new())
    });
    found
}

/// Reads a dispensation file in either layout (`open_data` is needed for the open-data one).
pub fn read_dispensations(
    bytes: &[u8],
    open_data: Option<&OpenData>,
) -> Result<Dispensations, Vec<Problem>> {
    let (read, problems) = read_dispensations_all(bytes, open_data);
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(problems)
    }
}

/// [`read_dispensations`] keeping the valid rows beside the problems, so that a caller can go
/// on checking them (territories, say) and report every problem at once.
pub fn read_dispensations_all(
    bytes: &[u8],
    open_data: Option<&OpenData>,
) -> (Dispensations, Vec<Problem>) {
    let (rows, other_regions, problems) = if is_open_data(bytes) {
        match open_data {
            Some(o) => read_open_data(bytes, o),
            None => (
                Vec::new(),
                0,
                vec![problem(
                    1,
                    "",
                    "",
                    "fichier au format open data (ATC5, BOITES…) : indiquez son année et la table des DDJ par boîte",
                    "file in the open-data layout (ATC5, BOITES…): give its year and the table of DDDs per pack",
                )],
            ),
        }
    } else {
        let (rows, problems) = read_cratb(bytes);
        (rows, 0, problems)
    };
    (
        Dispensations {
            rows,
            other_regions,
        },
        problems,
    )
}

fn read_cratb(bytes: &[u8]) -> (Vec<Dispensation>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let wanted = "territory, period, atc, puis ddd ou packs et ddd_per_pack";
    let wanted_en = "territory, period, atc, then ddd or packs and ddd_per_pack";
    let read = each(
        bytes,
        |h| {
            let mut absent: Vec<&str> = ["territory", "period", "atc"]
                .into_iter()
                .filter(|n| !h.has(n))
                .collect();
            let by_packs = h.has("packs") && h.has("ddd_per_pack");
            if !h.has("ddd") && !by_packs {
                absent.push("ddd");
            }
            if absent.is_empty() {
                Ok(())
            } else {
                Err(missing_columns(&absent, wanted, wanted_en))
            }
        },
        |line, h, r| {
            let before = problems.len();
            let territory = h.get(r, "territory");
            if territory.is_empty() {
                problems.push(problem(
                    line,
                    "territory",
                    "",
                    "territoire obligatoire (département, CPTS ou « région »)",
                    "territory required (department, CPTS or \"region\")",
                ));
            }
            let period = Period::parse(h.get(r, "period"));
            if period.is_none() {
                problems.push(problem(
                    line,
                    "period",
                    h.get(r, "period"),
                    "période attendue sous la forme AAAA-MM ou AAAA",
                    "period expected as YYYY-MM or YYYY",
                ));
            }
            let atc = h.get(r, "atc").to_ascii_uppercase();
            if !atc_ok(&atc) {
                problems.push(problem(
                    line,
                    "atc",
                    h.get(r, "atc"),
                    "code ATC de 7 caractères attendu (ex. J01CA04)",
                    "7-character ATC code expected (e.g. J01CA04)",
                ));
            }
            let ddd = if h.has("ddd") && !h.get(r, "ddd").is_empty() {
                let d = number(h.get(r, "ddd"));
                if d.is_none() {
                    problems.push(problem(
                        line,
                        "ddd",
                        h.get(r, "ddd"),
                        "nombre de DDJ attendu (nombre positif, au plus 10 milliards)",
                        "number of DDDs expected (a positive number, at most 10 billion)",
                    ));
                }
                d
            } else {
                let packs = number(h.get(r, "packs"));
                if packs.is_none() {
                    problems.push(problem(
                        line,
                        "packs",
                        h.get(r, "packs"),
                        "nombre de boîtes attendu (ou une colonne ddd)",
                        "number of packs expected (or a ddd column)",
                    ));
                }
                let per = number(h.get(r, "ddd_per_pack")).filter(|x| *x > 0.0);
                if per.is_none() {
                    problems.push(problem(
                        line,
                        "ddd_per_pack",
                        h.get(r, "ddd_per_pack"),
                        "DDJ par boîte attendues (nombre positif)",
                        "DDDs per pack expected (a positive number)",
                    ));
                }
                packs.zip(per).map(|(p, d)| p * d)
            };
            let prescriptions = match h.get(r, "prescriptions") {
                "" => None,
                t => {
                    let n = number(t);
                    if n.is_none() {
                        problems.push(problem(
                            line,
                            "prescriptions",
                            t,
                            "nombre de prescriptions attendu",
                            "number of prescriptions expected",
                        ));
                    }
                    n
                }
            };
            let text = |name: &str| Some(h.get(r, name).to_string()).filter(|s| !s.is_empty());
            if problems.len() == before
                && let (Some(period), Some(ddd)) = (period, ddd)
            {
                out.push(Dispensation {
                    line,
                    territory: territory.to_string(),
                    period,
                    atc,
                    ddd,
                    prescriptions,
                    age_group: text("age_group"),
                    sex: text("sex"),
                    prescriber: text("prescriber"),
                });
            }
        },
    );
    if let Err(p) = read {
        problems.extend(p);
    }
    (out, problems)
}

fn read_open_data(bytes: &[u8], o: &OpenData) -> (Vec<Dispensation>, usize, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut other_regions = 0;
    let names = ["atc5", "age", "sexe", "ben_reg", "psp_spe", "boites"];
    let read = each(
        bytes,
        |h| h.require(&names),
        |line, h, r| {
            let region = h.get(r, "ben_reg");
            if region.trim_start_matches('0') != o.region.trim_start_matches('0') {
                other_regions += 1;
                return;
            }
            let atc = h.get(r, "atc5").to_ascii_uppercase();
            if !atc_ok(&atc) {
                problems.push(problem(
                    line,
                    "ATC5",
                    h.get(r, "atc5"),
                    "code ATC de 7 caractères attendu (ex. J01CA04)",
                    "7-character ATC code expected (e.g. J01CA04)",
                ));
                return;
            }
            // Open Medic writes negative counts for returns: they are counted as such.
            let packs = h
                .get(r, "boites")
                .replace([' ', '\u{a0}'], "")
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && x.abs() <= MAX_VALUE);
            let Some(packs) = packs else {
                problems.push(problem(
                    line,
                    "BOITES",
                    h.get(r, "boites"),
                    "nombre de boîtes attendu",
                    "number of packs expected",
                ));
                return;
            };
            let cip = h.get(r, "cip13");
            let Some(per) = o.packs.ddd(cip, &atc) else {
                problems.push(problem(
                    line,
                    if cip.is_empty() { "ATC5" } else { "CIP13" },
                    if cip.is_empty() { &atc } else { cip },
                    "DDJ par boîte inconnues pour ce produit : ajoutez-le à la table des DDJ par boîte",
                    "DDDs per pack unknown for this product: add it to the table of DDDs per pack",
                ));
                return;
            };
            let text = |name: &str| Some(h.get(r, name).to_string()).filter(|s| !s.is_empty());
            out.push(Dispensation {
                line,
                territory: "région".into(),
                period: Period {
                    year: o.year,
                    month: None,
                },
                atc,
                ddd: packs * per,
                prescriptions: None,
                age_group: text("age"),
                sex: text("sexe"),
                prescriber: text("psp_spe"),
            });
        },
    );
    if let Err(p) = read {
        problems.extend(p);
    }
    (out, other_regions, problems)
}

/// Reads a table of DDD per pack: `cip13` or `atc`, and `ddd_per_pack`.
pub fn read_packs(bytes: &[u8]) -> Result<Packs, Vec<Problem>> {
    let mut packs = Packs::default();
    let mut problems = Vec::new();
    each(
        bytes,
        |h| {
            if h.has("ddd_per_pack") && (h.has("cip13") || h.has("atc")) {
                Ok(())
            } else {
                Err(missing_columns(
                    &["ddd_per_pack"],
                    "cip13 ou atc, ddd_per_pack",
                    "cip13 or atc, ddd_per_pack",
                ))
            }
        },
        |line, h, r| {
            let Some(per) = number(h.get(r, "ddd_per_pack")).filter(|x| *x > 0.0) else {
                problems.push(problem(
                    line,
                    "ddd_per_pack",
                    h.get(r, "ddd_per_pack"),
                    "DDJ par boîte attendues (nombre positif)",
                    "DDDs per pack expected (a positive number)",
                ));
                return;
            };
            let (cip, atc) = (h.get(r, "cip13"), h.get(r, "atc").to_ascii_uppercase());
            if !cip.is_empty() {
                packs.by_cip.insert(cip.to_string(), per);
            } else if atc_ok(&atc) {
                packs.by_atc.insert(atc, per);
            } else {
                problems.push(problem(
                    line,
                    "atc",
                    h.get(r, "atc"),
                    "code CIP13 ou code ATC de 7 caractères attendu",
                    "CIP13 code or 7-character ATC code expected",
                ));
            }
        },
    )?;
    if problems.is_empty() {
        Ok(packs)
    } else {
        Err(problems)
    }
}

/// Reads a population file: `territory`, `year`, `population`.
pub fn read_populations(bytes: &[u8]) -> Result<Vec<Population>, Vec<Problem>> {
    let (rows, problems) = read_populations_all(bytes);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// [`read_populations`] keeping the valid rows beside the problems.
pub fn read_populations_all(bytes: &[u8]) -> (Vec<Population>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let names = ["territory", "year", "population"];
    let read = each(
        bytes,
        |h| h.require(&names),
        |line, h, r| {
            let before = problems.len();
            let territory = h.get(r, "territory");
            if territory.is_empty() {
                problems.push(problem(
                    line,
                    "territory",
                    "",
                    "territoire obligatoire",
                    "territory required",
                ));
            }
            let year = h
                .get(r, "year")
                .parse::<i32>()
                .ok()
                .filter(|y| (1990..=2100).contains(y));
            if year.is_none() {
                problems.push(problem(
                    line,
                    "year",
                    h.get(r, "year"),
                    "année sur quatre chiffres attendue",
                    "four-digit year expected",
                ));
            }
            let population = number(h.get(r, "population"))
                .filter(|p| *p >= 1.0 && *p <= 100_000_000.0 && p.fract() == 0.0);
            if population.is_none() {
                problems.push(problem(
                    line,
                    "population",
                    h.get(r, "population"),
                    "nombre entier d'habitants attendu (de 1 à 100 millions)",
                    "whole number of inhabitants expected (from 1 to 100 million)",
                ));
            }
            if problems.len() == before
                && let (Some(year), Some(population)) = (year, population)
            {
                out.push(Population {
                    line,
                    territory: territory.to_string(),
                    year,
                    population,
                });
            }
        },
    );
    if let Err(p) = read {
        problems.extend(p);
    }
    (out, problems)
}

/// DDD and prescriptions of an ATC code in a territory and period.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispensed {
    /// Territory key.
    pub territory: String,
    pub year: i32,
    /// 0 for a yearly figure.
    pub month: u8,
    pub atc: String,
    pub ddd: f64,
    pub prescriptions: f64,
}

/// A region's primary-care data, summed per territory, period and ATC code.
#[derive(Debug, Clone, Default)]
pub struct PrimaryData {
    pub ddd: Vec<Dispensed>,
    /// (territory key, year) → population.
    pub populations: HashMap<(String, i32), f64>,
    /// Territory key → name.
    pub names: BTreeMap<String, String>,
    /// DDD by breakdown (`age`, `sex`, `prescriber`) and value, per territory and year.
    pub breakdown: Vec<(String, i32, &'static str, String, f64)>,
}

/// One territory's year.
pub struct TerritoryYear {
    pub ddd: f64,
    pub prescriptions: f64,
    pub population: Option<f64>,
    /// The days of the year its dispensations cover (a year of six months counts six months).
    pub days: f64,
}

impl TerritoryYear {
    /// DDD per 1000 inhabitants per day.
    pub fn did(&self) -> Option<f64> {
        self.population.and_then(|p| did(self.ddd, p, self.days))
    }
    /// Prescriptions per 1000 inhabitants in the year.
    pub fn prescriptions_per_1000(&self) -> Option<f64> {
        self.population
            .filter(|p| *p > 0.0 && self.prescriptions > 0.0)
            .map(|p| 1000.0 * self.prescriptions / p)
    }
}

/// The dispensations of a territory: its own rows; for the region, its own rows if there are
/// any that year, else those of its departments.
pub fn dispensed_of<'a>(data: &'a PrimaryData, territory: &str) -> Vec<&'a Dispensed> {
    let mut out: Vec<&Dispensed> = data
        .ddd
        .iter()
        .filter(|r| r.territory == territory)
        .collect();
    if territory == "region" {
        let years_own: BTreeSet<i32> = out.iter().map(|r| r.year).collect();
        out.extend(
            data.ddd
                .iter()
                .filter(|r| r.territory.starts_with("dep:") && !years_own.contains(&r.year)),
        );
    }
    out
}

/// [`dispensed_of`] as monthly DDD, for the ESAC-Net and AWaRe figures.
pub fn rows_of(data: &PrimaryData, territory: &str) -> Vec<MonthlyDdd> {
    dispensed_of(data, territory)
        .into_iter()
        .map(monthly)
        .collect()
}

/// The period a dispensation row covers (month 0: the whole year).
pub fn period_of(r: &Dispensed) -> Period {
    Period {
        year: r.year,
        month: (r.month > 0).then_some(r.month),
    }
}

pub fn monthly(r: &Dispensed) -> MonthlyDdd {
    MonthlyDdd {
        period: period_of(r),
        atc: r.atc.clone(),
        // Community pharmacies dispense oral forms, almost always: AWaRe reads them as such.
        route: Some(crate::Route::O),
        ddd: r.ddd,
    }
}

/// A territory's population in a year; for the region without its own figure, the sum of its
/// departments' (if every department with data has one).
pub fn population(data: &PrimaryData, territory: &str, year: i32) -> Option<f64> {
    if let Some(p) = data.populations.get(&(territory.to_string(), year)) {
        return Some(*p);
    }
    if territory != "region" {
        return None;
    }
    let deps: BTreeSet<&str> = data
        .ddd
        .iter()
        .filter(|r| r.territory.starts_with("dep:") && r.year == year)
        .map(|r| r.territory.as_str())
        .collect();
    let pops: Vec<f64> = deps
        .iter()
        .filter_map(|d| data.populations.get(&(d.to_string(), year)).copied())
        .collect();
    (!deps.is_empty() && pops.len() == deps.len()).then(|| pops.iter().sum())
}

pub fn year_of(data: &PrimaryData, territory: &str, year: i32) -> Option<TerritoryYear> {
    let j01: Vec<&Dispensed> = dispensed_of(data, territory)
        .into_iter()
        .filter(|r| r.year == year && r.atc.starts_with("J01"))
        .collect();
    if j01.is_empty() {
        return None;
    }
    Some(TerritoryYear {
        days: indicators::days_covered(j01.iter().map(|r| period_of(r)), year),
        ddd: j01.iter().map(|r| r.ddd).sum(),
        prescriptions: j01.iter().map(|r| r.prescriptions).sum(),
        population: population(data, territory, year),
    })
}

/// A territory's J01 DDD per 1000 inhabitants per day, month by month, where its rows give
/// months: (year, month, DID; `None` without a population that year).
pub fn monthly_did(data: &PrimaryData, territory: &str) -> Vec<(i32, u8, Option<f64>)> {
    let mut months: Vec<(i32, u8, f64)> = Vec::new();
    for r in dispensed_of(data, territory) {
        if r.month == 0 || !r.atc.starts_with("J01") {
            continue;
        }
        match months.iter_mut().find(|x| x.0 == r.year && x.1 == r.month) {
            Some(x) => x.2 += r.ddd,
            None => months.push((r.year, r.month, r.ddd)),
        }
    }
    months.sort_by_key(|m| (m.0, m.1));
    months
        .into_iter()
        .map(|(year, month, ddd)| {
            let days = f64::from(indicators::days_in_month(year, month));
            let did = population(data, territory, year).and_then(|p| did(ddd, p, days));
            (year, month, did)
        })
        .collect()
}

/// DDD per 1000 inhabitants per day over `days` (the days the DDD cover, see
/// [`crate::indicators::days_covered`]; `None` without population or days).
pub fn did(ddd: f64, population: f64, days: f64) -> Option<f64> {
    (population > 0.0 && days > 0.0).then(|| 1000.0 * ddd / (population * days))
}

/// The years with dispensations, ascending.
pub fn years(data: &PrimaryData) -> BTreeSet<i32> {
    data.ddd.iter().map(|r| r.year).collect()
}

/// The ESAC-Net indicators of every territory with dispensations in `year`, a line each, as the
/// export gives them.
pub fn esac_table(data: &PrimaryData, year: i32) -> Table {
    let mut rows = Vec::new();
    for (key, name) in &data.names {
        let Some(t) = year_of(data, key, year) else {
            continue;
        };
        let e = indicators::esac(
            &rows_of(data, key),
            population(data, key, year).unwrap_or(0.0),
            year,
        );
        let mut row = vec![
            Cell::from(name.as_str()),
            Cell::Integer(year.into()),
            Cell::from(t.population),
            Cell::from(Some(t.ddd)),
            Cell::from(t.prescriptions_per_1000()),
        ];
        row.extend(
            [
                e.j01_did,
                e.j01c_did,
                e.j01d_did,
                e.j01f_did,
                e.j01m_did,
                e.j01ce_pct,
                e.j01cr_pct,
                e.j01dd_de_pct,
                e.j01ma_pct,
                e.broad_narrow_ratio,
                e.j01_seasonal_variation,
                e.j01m_seasonal_variation,
            ]
            .map(Cell::from),
        );
        rows.push(row);
    }
    Table::new(
        "Ville",
        [
            "territoire",
            "annee",
            "population",
            "ddj_j01",
            "prescriptions_1000_hab",
            "j01_did",
            "j01c_did",
            "j01d_did",
            "j01f_did",
            "j01m_did",
            "j01ce_pct",
            "j01cr_pct",
            "j01dd_de_pct",
            "j01ma_pct",
            "large_etroit",
            "saison_j01",
            "saison_j01m",
        ],
        rows,
    )
}

/// The year of an open-data dispensation file, as given beside it (`year`, and whether its
/// table of DDD per pack came with it): `None` for a file in cratb's layout (neither given).
pub fn open_data_year(year: &str, packs: bool) -> Result<Option<i32>, Problem> {
    let problem = |column: &str, value: &str, message: &str, message_en: &str| Problem {
        line: 0,
        column: column.into(),
        value: value.into(),
        message: message.into(),
        message_en: message_en.into(),
    };
    match (year.trim(), packs) {
        ("", false) => Ok(None),
        (y, true) => match y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)) {
            Some(y) => Ok(Some(y)),
            None => Err(problem(
                "year",
                y,
                "année sur quatre chiffres attendue pour un fichier open data",
                "four-digit year expected for an open-data file",
            )),
        },
        (_, false) => Err(problem(
            "packs",
            "",
            "table des DDJ par boîte attendue pour un fichier open data",
            "table of DDDs per pack expected for an open-data file",
        )),
    }
}

/// A region's territories by the names files give them: `region` (the whole region, also
/// written `région`, `reg` or by its name), `dep:<code>` (one of its departments, by code or
/// name), `cpts:<id>` (one of its CPTS, by name).
pub struct Territories {
    region: String,
    /// Folded name or code → key.
    by_name: HashMap<String, String>,
    /// Key → name shown.
    pub names: BTreeMap<String, String>,
}

impl Territories {
    /// The region, its departments and its CPTS (id, name).
    pub fn new(region: &str, cpts: impl IntoIterator<Item = (i64, String)>) -> Territories {
        use cratb_domain::geo;
        let mut by_name = HashMap::new();
        let mut names = BTreeMap::new();
        let region_name = geo::region(region).map_or(region, |r| r.name);
        for alias in ["region", "région", "reg", region_name] {
            by_name.insert(geo::fold(alias), "region".to_string());
        }
        names.insert("region".to_string(), region_name.to_string());
        for d in geo::DEPARTMENTS.iter().filter(|d| d.region == region) {
            let key = format!("dep:{}", d.code);
            by_name.insert(geo::fold(d.code), key.clone());
            by_name.insert(geo::fold(d.name), key.clone());
            names.insert(key, format!("{} ({})", d.name, d.code));
        }
        for (id, name) in cpts {
            let key = format!("cpts:{id}");
            by_name.insert(geo::fold(&name), key.clone());
            names.insert(key, name);
        }
        Territories {
            region: region.to_string(),
            by_name,
            names,
        }
    }

    /// The key of a territory as a file names it (a department code may lose its leading 0).
    pub fn key(&self, written: &str) -> Option<&str> {
        let folded = cratb_domain::geo::fold(written.trim());
        self.by_name
            .get(&folded)
            .or_else(|| {
                (folded.len() == 1)
                    .then(|| self.by_name.get(&format!("0{folded}")))
                    .flatten()
            })
            .map(String::as_str)
    }

    /// The problem of a territory unknown to the region.
    pub fn unknown(&self, line: usize, value: &str) -> Problem {
        Problem {
            line,
            column: "territory".into(),
            value: value.into(),
            message: format!(
                "territoire inconnu de la région {} (un département de la région, une de ses CPTS, ou « région »)",
                self.region
            ),
            message_en: format!(
                "territory unknown to region {} (one of the region's departments, one of its CPTS, or \"region\")",
                self.region
            ),
        }
    }

    /// Each row with the key of its territory (`place`: its line and territory as written); a
    /// territory unknown to the region is one more of `problems`, kept in line order.
    pub fn keyed<'r, R>(
        &self,
        rows: &'r [R],
        place: impl Fn(&R) -> (usize, &str),
        problems: &mut Vec<Problem>,
    ) -> Vec<(String, &'r R)> {
        let mut keyed = Vec::with_capacity(rows.len());
        for r in rows {
            let (line, territory) = place(r);
            match self.key(territory) {
                Some(key) => keyed.push((key.to_string(), r)),
                None => problems.push(self.unknown(line, territory)),
            }
        }
        problems.sort_by_key(|p| p.line);
        keyed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_name_territories_as_people_do_and_an_unknown_one_is_a_problem() {
        let t = Territories::new("84", [(5, "CPTS du Grésivaudan".to_string())]);
        for (written, key) in [
            ("région", "region"),
            ("Region", "region"),
            ("reg", "region"),
            ("Auvergne-Rhône-Alpes", "region"),
            ("38", "dep:38"),
            ("isère", "dep:38"),
            ("1", "dep:01"),
            ("cpts du gresivaudan", "cpts:5"),
        ] {
            assert_eq!(t.key(written), Some(key), "{written}");
        }
        assert_eq!(t.key("29"), None, "a department of another region");
        assert_eq!(t.names["dep:38"], "Isère (38)");
        let rows = [(2, "38"), (3, "Finistère"), (4, "région")];
        let mut problems = vec![t.unknown(9, "x")];
        let keyed = t.keyed(&rows, |r| (r.0, r.1), &mut problems);
        assert_eq!(
            keyed
                .iter()
                .map(|(k, r)| (k.as_str(), r.0))
                .collect::<Vec<_>>(),
            [("dep:38", 2), ("region", 4)]
        );
        assert_eq!(
            problems
                .iter()
                .map(|p| (p.line, p.value.as_str()))
                .collect::<Vec<_>>(),
            [(3, "Finistère"), (9, "x")]
        );
        assert_eq!(
            problems[0].message,
            "territoire inconnu de la région 84 (un département de la région, une de ses CPTS, ou « région »)"
        );
        assert_eq!(problems[0].column, "territory");
    }

    use super::*;

    #[test]
    fn a_region_without_its_own_rows_is_the_sum_of_its_departments() {
        let row = |territory: &str, month: u8, ddd: f64| Dispensed {
            territory: territory.into(),
            year: 2024,
            month,
            atc: "J01CA04".into(),
            ddd,
            prescriptions: 10.0,
        };
        let mut data = PrimaryData {
            ddd: vec![row("dep:38", 1, 3100.0), row("dep:73", 1, 3100.0)],
            ..PrimaryData::default()
        };
        data.populations.insert(("dep:38".into(), 2024), 1000.0);
        // A department without a population: the region has none either.
        assert_eq!(population(&data, "region", 2024), None);
        data.populations.insert(("dep:73".into(), 2024), 1000.0);
        assert_eq!(population(&data, "region", 2024), Some(2000.0));
        let year = year_of(&data, "region", 2024).unwrap();
        assert_eq!((year.ddd, year.days), (6200.0, 31.0));
        // 6,200 DDD for 2,000 inhabitants over January's 31 days: 100 DDD/1000/day.
        assert_eq!(year.did(), Some(100.0));
        assert_eq!(year.prescriptions_per_1000(), Some(10.0));
        assert_eq!(monthly_did(&data, "dep:38"), vec![(2024, 1, Some(100.0))]);
        assert_eq!(monthly_did(&data, "region"), vec![(2024, 1, Some(100.0))]);
    }

    #[test]
    fn cratb_layout_with_ddd_or_packs() {
        let file = "territory;period;atc;ddd;packs;ddd_per_pack;prescriptions;age_group\n\
                    38;2025-01;J01CA04;1200;;;300;0-14\n\
                    CPTS du Grésivaudan;2025-02;j01cr02;;10;7,5;;\n";
        let d = read_dispensations(file.as_bytes(), None).unwrap();
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.rows[0].ddd, 1200.0);
        assert_eq!(d.rows[0].prescriptions, Some(300.0));
        assert_eq!(d.rows[0].age_group.as_deref(), Some("0-14"));
        assert_eq!((d.rows[1].atc.as_str(), d.rows[1].ddd), ("J01CR02", 75.0));
        let bad = "territory;period;atc;ddd\n38;2025-13;J01CA04;12\n;2025-01;J01;x\n";
        let p = read_dispensations(bad.as_bytes(), None).unwrap_err();
        let at: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(
            at,
            [(2, "period"), (3, "territory"), (3, "atc"), (3, "ddd")]
        );
        let p = read_dispensations(b"territory;period;atc\n38;2025;J01CA04\n", None).unwrap_err();
        assert_eq!(p[0].column, "ddd");
    }

    #[test]
    fn impossible_values_are_refused_and_valid_rows_kept_beside_the_problems() {
        let file = "territory;period;atc;ddd\n38;2025-01;J01CA04;1e308\n38;2025-02;J01CA04;12\n";
        let (read, problems) = read_dispensations_all(file.as_bytes(), None);
        assert_eq!((problems[0].line, problems[0].column.as_str()), (2, "ddd"));
        // The valid row is kept, so that the caller checks its territory in the same pass.
        assert_eq!(read.rows.len(), 1);
        let (_, p) =
            read_populations_all(b"territory;year;population\n38;2024;1e12\n38;2024;0,5\n");
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn open_data_layout_with_packs_from_a_separate_table() {
        let packs = read_packs(b"cip13;atc;ddd_per_pack\n3400930000001;;6\n;J01MA02;5\n").unwrap();
        let file = "ATC5;CIP13;age;sexe;BEN_REG;PSP_SPE;BOITES\n\
                    J01CA04;3400930000001;20;2;84;1;100\n\
                    J01MA02;3400930000999;60;1;84;90;-2\n\
                    J01CA04;3400930000001;20;2;11;1;50\n";
        assert!(is_open_data(file.as_bytes()));
        let o = OpenData {
            year: 2024,
            region: "84",
            packs: &packs,
        };
        let d = read_dispensations(file.as_bytes(), Some(&o)).unwrap();
        assert_eq!(d.other_regions, 1);
        assert_eq!(d.rows.len(), 2);
        // 100 packs × 6 DDD; a return of 2 packs of ciprofloxacin by its ATC: −10 DDD.
        assert_eq!((d.rows[0].ddd, d.rows[1].ddd), (600.0, -10.0));
        assert_eq!(
            d.rows[0].period,
            Period {
                year: 2024,
                month: None
            }
        );
        assert_eq!(d.rows[1].prescriber.as_deref(), Some("90"));
        // Without the year and the table, the file is refused with the reason.
        assert!(
            read_dispensations(file.as_bytes(), None).unwrap_err()[0]
                .message
                .contains("open data")
        );
        let unknown = "ATC5;age;sexe;BEN_REG;PSP_SPE;BOITES\nJ01XX01;20;2;84;1;3\n";
        let p = read_dispensations(unknown.as_bytes(), Some(&o)).unwrap_err();
        assert_eq!((p[0].line, p[0].column.as_str()), (2, "ATC5"));
    }

    #[test]
    fn populations_and_inhabitant_days() {
        let p = read_populations(b"territory;year;population\n38;2024;1 280 000\n").unwrap();
        assert_eq!(p[0].population, 1_280_000.0);
        assert!(
            read_populations(b"territory;year;population\n38;24;0\n")
                .unwrap_err()
                .len()
                == 2
        );
        // 2024 is a leap year: 366 days. 1000 × 9,150 / (25,000 × 366) = 1.0.
        let year = |y| Period {
            year: y,
            month: None,
        };
        let days = crate::indicators::days_covered([year(2024)], 2024);
        assert_eq!(did(9_150.0, 25_000.0, days), Some(1.0));
        assert_eq!(did(1.0, 0.0, days), None);
        // Six months of data (January to June 2025: 181 days) are not read as half the use.
        let months = (1..=6).map(|m| Period {
            year: 2025,
            month: Some(m),
        });
        assert_eq!(crate::indicators::days_covered(months, 2025), 181.0);
        assert_eq!(crate::indicators::days_covered([year(2024)], 2025), 0.0);
    }

    #[test]
    fn an_open_data_file_comes_with_its_year_and_its_ddd_per_pack() {
        assert_eq!(open_data_year(" ", false), Ok(None));
        assert_eq!(open_data_year("2022", true), Ok(Some(2022)));
        let p = open_data_year("22", true).unwrap_err();
        assert_eq!((p.column.as_str(), p.value.as_str()), ("year", "22"));
        assert_eq!(open_data_year("2022", false).unwrap_err().column, "packs");
    }

    #[test]
    fn the_export_has_a_line_per_territory_with_dispensations_that_year() {
        let row = |territory: &str, year: i32| Dispensed {
            territory: territory.into(),
            year,
            month: 1,
            atc: "J01CA04".into(),
            ddd: 3100.0,
            prescriptions: 10.0,
        };
        let mut data = PrimaryData {
            ddd: vec![row("dep:38", 2024), row("dep:73", 2023)],
            ..PrimaryData::default()
        };
        for (key, name) in [
            ("region", "Région"),
            ("dep:38", "Isère"),
            ("dep:73", "Savoie"),
        ] {
            data.names.insert(key.into(), name.into());
        }
        data.populations.insert(("dep:38".into(), 2024), 1000.0);
        assert_eq!(years(&data).into_iter().collect::<Vec<_>>(), [2023, 2024]);
        let csv = cratb_sheet::write::csv(&esac_table(&data, 2024), cratb_sheet::write::Csv::COMMA);
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("territoire,annee,population,ddj_j01"));
        assert!(lines[1].starts_with("Isère,2024,1000,3100,10"), "{csv}");
        // The region is the sum of its departments with dispensations that year.
        assert!(lines[2].starts_with("Région,2024,1000,3100,10"), "{csv}");
    }
}
