//! Hospital consumption: the consumption and denominator files, and the DDD indicators per
//! group (DDD per 1000 patient-days, per 100 admissions).
//!
//! Consumption file columns: `establishment` (FINESS), `period` (`YYYY-MM` or `YYYY`),
//! `ward_type` (a [`WardType`]: code or French label; empty for the whole establishment), `atc`
//! (7-character ATC code), `route` (`O`, `P`, `R`, `N`, WHO's `Inhal.powder` and
//! `Inhal.solution`, or `Inhal` where WHO has a single inhaled DDD), `grams` — or `units` and
//! `strength_g` (grams of active substance per unit).
//! Denominators: `establishment`, `period`, `ward_type`, `patient_days` and `admissions` (for
//! nursing homes, `resident_days` and no admissions; a file may have both columns, each row
//! filling one).
//!
//! Every value is checked (within [`bounds`]), a key may appear once per file, and an indicator's
//! numerator and denominator cover the same cells (establishment × period × ward type): the
//! cells where only one side is present are listed ([`unmatched`]) and left out.

use crate::ddd::{DddTable, NoDdd, Route};
use cratb_domain::WardType;
use cratb_sheet::write::{self, Decimals};
use std::collections::{BTreeMap, HashMap};

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

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.month {
            Some(m) => write!(f, "{}-{m:02}", self.year),
            None => write!(f, "{}", self.year),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Period {
    /// The period after this one (the next month, or the next year for a yearly figure).
    pub fn next(self) -> Period {
        match self.month {
            Some(12) => Period {
                year: self.year + 1,
                month: Some(1),
            },
            Some(m) => Period {
                year: self.year,
                month: Some(m + 1),
            },
            None => Period {
                year: self.year + 1,
                month: None,
            },
        }
    }
}

/// A 7-character ATC code (a substance, level 5 of the classification), in upper case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atc([u8; 7]);

impl Atc {
    /// A letter then six letters or digits (`J01CA04`, any case).
    pub fn parse(text: &str) -> Option<Atc> {
        let b = text.trim().as_bytes();
        let ok =
            b.len() == 7 && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric);
        ok.then(|| {
            let mut code = [0u8; 7];
            for (c, x) in code.iter_mut().zip(b) {
                *c = x.to_ascii_uppercase();
            }
            Atc(code)
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits get in (`parse`).
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::fmt::Debug for Atc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Atc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A line of the consumption file.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumption {
    pub line: usize,
    /// The establishment, as an index into [`Files::establishments`].
    pub establishment: u32,
    pub period: Period,
    pub ward: WardType,
    pub atc: Atc,
    pub route: Route,
    pub grams: f64,
}

/// A line of the denominators file.
#[derive(Debug, Clone, PartialEq)]
pub struct Denominator {
    pub line: usize,
    /// The establishment, as an index into [`Files::establishments`].
    pub establishment: u32,
    pub period: Period,
    pub ward: WardType,
    /// Patient-days (hospitals) or resident-days (nursing homes).
    pub patient_days: f64,
    /// Admissions (0 where not given, as for nursing homes).
    pub admissions: f64,
}

/// A problem of an input file: where, what, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub value: String,
    /// What is wrong, in French.
    pub message: String,
    /// What is wrong, in English (left out of JSON: [`Problem::in_lang`] picks the text shown).
    #[serde(skip_serializing)]
    pub message_en: String,
}

impl Problem {
    /// The problem with its `message` in `lang` (French: unchanged).
    pub fn in_lang(mut self, lang: cratb_domain::Lang) -> Problem {
        if lang == cratb_domain::Lang::En {
            self.message.clone_from(&self.message_en);
        }
        self
    }
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

/// Which file of an import a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum File {
    Consumption,
    Denominators,
}

impl File {
    /// The file as the user knows it, in French.
    pub fn label_fr(self) -> &'static str {
        match self {
            File::Consumption => "consommations",
            File::Denominators => "dénominateurs",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            File::Consumption => "consumption",
            File::Denominators => "denominators",
        }
    }
    /// The file as the user knows it, in `lang`.
    pub fn label(self, lang: cratb_domain::Lang) -> &'static str {
        lang.pick(self.label_fr(), self.label_en())
    }
}

/// Every problem of an import's files: the first [`Problems::LISTED`] with their file, and how
/// many there are in all (a file of a million bad lines is refused with a readable list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    pub listed: Vec<(File, Problem)>,
    pub total: usize,
}

impl Problems {
    /// The problems kept to be shown; the others are counted.
    pub const LISTED: usize = 1000;

    pub fn push(&mut self, file: File, problem: Problem) {
        self.total += 1;
        if self.listed.len() < Self::LISTED {
            self.listed.push((file, problem));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The listed problems in file then line order.
    fn sort(&mut self) {
        self.listed
            .sort_by_key(|(f, p)| (*f == File::Denominators, p.line));
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
        // The sheet reader words its refusals in French only.
        Err(message) => Err(vec![Problem {
            line: 1,
            column: String::new(),
            value: String::new(),
            message_en: message.clone(),
            message,
        }]),
    }
}

/// A problem for each column of `absent`, saying what was expected (in French and English).
pub(crate) fn missing_columns(absent: &[&str], expected: &str, expected_en: &str) -> Vec<Problem> {
    absent
        .iter()
        .map(|n| Problem {
            line: 1,
            column: n.to_string(),
            value: String::new(),
            message: format!("colonne obligatoire absente (attendu : {expected})"),
            message_en: format!("required column missing (expected: {expected_en})"),
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
    rename: impl Fn(&mut Vec<String>) -> Vec<Problem>,
    mut each: impl FnMut(usize, &Cells),
) -> Result<(), Vec<Problem>> {
    stream(
        bytes,
        |mut header| {
            let mut problems = rename(&mut header);
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
                let expected = wanted[..required].join(", ");
                problems.splice(0..0, missing_columns(&absent, &expected, &expected));
            }
            if !problems.is_empty() {
                return Err(problems);
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

/// The bounds of the numbers of the two files: anything outside is a typing or export error
/// (a month of one substance in one ward above 10 tonnes, say), refused at import rather than
/// shown as an absurd figure.
pub mod bounds {
    /// Grams of one substance and route in one ward type and period.
    pub const GRAMS: f64 = 10_000_000.0;
    /// Units (tablets, vials…) of one row.
    pub const UNITS: f64 = 100_000_000.0;
    /// Grams of active substance in one unit.
    pub const STRENGTH_G: f64 = 100.0;
    /// Patient-days, resident-days or admissions of one ward type and period.
    pub const DAYS: f64 = 100_000_000.0;
}

/// A number as spreadsheets write it (spaces between thousands, decimal comma), finite and
/// from 0 to `max`; the message says what was expected.
fn number(text: &str, max: f64) -> Result<f64, Why> {
    let x = text
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| why("nombre attendu", "a number was expected"))?;
    if !x.is_finite() || x < 0.0 {
        return Err(why(
            "nombre positif ou nul attendu",
            "a number, zero or more, was expected",
        ));
    }
    if x > max {
        return Err((
            format!("valeur invraisemblable (au plus {})", thousands(max)),
            format!("implausible value (at most {})", thousands(max)),
        ));
    }
    Ok(x)
}

/// Why a cell is refused: in French, in English.
type Why = (String, String);

fn why(fr: &str, en: &str) -> Why {
    (fr.into(), en.into())
}

/// A whole number from 0 to `max` (days and admissions are counted, not measured).
fn whole_number(text: &str, max: f64) -> Result<f64, Why> {
    let x = number(text, max)?;
    if x.fract() != 0.0 {
        return Err(why("nombre entier attendu", "a whole number was expected"));
    }
    Ok(x)
}

/// `10000000` as `10 000 000`.
fn thousands(x: f64) -> String {
    let digits = format!("{x:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// The message for a ward type that is not in the list.
fn ward_message() -> Why {
    let accepted_en = WardType::ALL
        .iter()
        .map(|w| format!("{} ({})", w.code(), w.label_en()))
        .collect::<Vec<_>>()
        .join(", ");
    (
        format!(
            "type de service inconnu ; valeurs acceptées : {}",
            WardType::accepted()
        ),
        format!("unknown ward type; accepted values: {accepted_en}"),
    )
}

/// A ward type as written: empty means the whole establishment.
fn ward(text: &str) -> Option<WardType> {
    if text.is_empty() {
        Some(WardType::Whole)
    } else {
        WardType::read(text)
    }
}

/// The two files of a hospital or nursing-home import, read and checked.
#[derive(Debug, Default, Clone)]
pub struct Files {
    /// The establishments named (FINESS as written); rows refer to them by index.
    pub establishments: Vec<String>,
    pub consumption: Vec<Consumption>,
    pub denominators: Vec<Denominator>,
}

impl Files {
    /// The FINESS of a row's establishment, as written.
    pub fn establishment(&self, index: u32) -> &str {
        &self.establishments[index as usize]
    }
}

/// Interns FINESS numbers as written.
#[derive(Default)]
struct Names {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    fn get(&mut self, name: &str) -> u32 {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        self.list.push(name.to_string());
        self.index
            .insert(name.to_string(), self.list.len() as u32 - 1);
        self.list.len() as u32 - 1
    }
}

/// Reads and checks both files of an import in one pass, collecting every problem: invalid
/// cells, rows repeating the key of an earlier row (which would be summed), a whole
/// establishment's figure beside its ward types' for the same period (which would be counted
/// twice). Rows with a problem are left out of what is returned; the others are kept, so that a
/// caller can go on checking them (FINESS numbers against its establishments, say) and report
/// everything at once.
pub fn read_files(consumption: &[u8], denominators: &[u8]) -> (Files, Problems) {
    let mut names = Names::default();
    let mut problems = Problems::default();
    let rows = read_consumption_rows(consumption, &mut names, &mut problems);
    let days = read_denominator_rows(denominators, &mut names, &mut problems);
    let mut files = Files {
        establishments: names.list,
        consumption: rows,
        denominators: days,
    };
    repeated_keys(&mut files, &mut problems);
    problems.sort();
    (files, problems)
}

/// Resolves each establishment the files name to its id in the region (`region`: the ids of
/// the region's FINESS numbers), by index into [`Files::establishments`]. A FINESS of no
/// establishment of the region is a problem, reported once per file at its first line with the
/// number of its lines; the problems stay in file then line order.
pub fn resolve_establishments(
    files: &Files,
    region: &HashMap<String, i64>,
    problems: &mut Problems,
) -> Vec<Option<i64>> {
    let ids: Vec<Option<i64>> = files
        .establishments
        .iter()
        .map(|e| region.get(e).copied())
        .collect();
    let consumption = files.consumption.iter().map(|r| (r.establishment, r.line));
    let denominators = files.denominators.iter().map(|d| (d.establishment, d.line));
    let lines: [(File, Vec<(u32, usize)>); 2] = [
        (File::Consumption, consumption.collect()),
        (File::Denominators, denominators.collect()),
    ];
    for (file, lines) in lines {
        let mut unknown: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        for (e, line) in lines {
            if ids[e as usize].is_none() {
                unknown.entry(e).or_insert((line, 0)).1 += 1;
            }
        }
        for (e, (line, n)) in unknown {
            problems.push(
                file,
                Problem {
                    line,
                    column: "establishment".into(),
                    value: files.establishment(e).into(),
                    message: if n == 1 {
                        "aucun établissement de la région ne porte ce numéro FINESS".into()
                    } else {
                        format!(
                            "aucun établissement de la région ne porte ce numéro FINESS \
                             ({n} lignes, la première ici)"
                        )
                    },
                    message_en: if n == 1 {
                        "no establishment of the region has this FINESS number".into()
                    } else {
                        format!(
                            "no establishment of the region has this FINESS number \
                             ({n} lines, the first one here)"
                        )
                    },
                },
            );
        }
    }
    problems.sort();
    ids
}

/// A problem for each row giving a plain `Inhal` where the edition has one DDD for the powder
/// and another for the solution (tobramycin): which one applies cannot be guessed, so the row
/// is refused with the two forms named rather than converted with the first.
pub fn inhaled_forms(files: &Files, table: &DddTable, problems: &mut Problems) {
    for r in &files.consumption {
        if r.route == Route::Inhal
            && table.ddd(r.atc.as_str(), r.route) == Err(NoDdd::InhaledFormNeeded)
        {
            problems.push(
                File::Consumption,
                Problem {
                    line: r.line,
                    column: "route".into(),
                    value: r.route.code().into(),
                    message: format!("{} : {}", r.atc, crate::ddd::INHALED_FORM_FR),
                    message_en: format!("{}: {}", r.atc, crate::ddd::INHALED_FORM_EN),
                },
            );
        }
    }
    problems.sort();
}

/// [`read_files`], refusing the files with their problems if there is any.
pub fn read_checked(consumption: &[u8], denominators: &[u8]) -> Result<Files, Problems> {
    let (files, problems) = read_files(consumption, denominators);
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// Reads a consumption file's rows; every invalid cell is a problem.
///
/// A row may give, instead of `grams`, a number of `units` and the grams of active substance in
/// one (`strength_g`): the quantity is then their product.
fn read_consumption_rows(
    bytes: &[u8],
    names: &mut Names,
    problems: &mut Problems,
) -> Vec<Consumption> {
    let columns = [
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
        Vec::new()
    };
    let mut out = Vec::new();
    let read = each_row(bytes, &columns, 6, grams_from_units, |line, cells| {
        let get = |i: usize| cells.get(i);
        let before = problems.total;
        let mut bad = |i: usize, message: &str, message_en: &str| {
            problems.push(
                File::Consumption,
                Problem {
                    line,
                    column: columns[i].into(),
                    value: get(i).into(),
                    message: message.into(),
                    message_en: message_en.into(),
                },
            )
        };
        let establishment = get(0);
        if establishment.is_empty() {
            bad(
                0,
                "établissement (FINESS) obligatoire",
                "establishment (FINESS) required",
            );
        }
        let period = Period::parse(get(1));
        if period.is_none() {
            bad(
                1,
                "période attendue sous la forme AAAA-MM ou AAAA",
                "period expected as YYYY-MM or YYYY",
            );
        }
        let ward = ward(get(2));
        if ward.is_none() {
            let (fr, en) = ward_message();
            bad(2, &fr, &en);
        }
        let atc = Atc::parse(get(3));
        if atc.is_none() {
            bad(
                3,
                "code ATC de 7 caractères attendu (ex. J01CA04)",
                "7-character ATC code expected (e.g. J01CA04)",
            );
        }
        let route = Route::parse(get(4));
        if route.is_none() {
            bad(
                4,
                "voie attendue : O, P, R, N, Inhal.powder ou Inhal.solution (Inhal seul si \
                 l'OMS ne donne qu'une DDD inhalée)",
                "route expected: O, P, R, N, Inhal.powder or Inhal.solution (Inhal alone where \
                 WHO gives a single inhaled DDD)",
            );
        }
        let grams = if get(5).is_empty() && !get(6).is_empty() {
            let units = number(get(6), bounds::UNITS)
                .map_err(|(m, e)| {
                    bad(
                        6,
                        &format!("nombre d'unités : {m}"),
                        &format!("number of units: {e}"),
                    )
                })
                .ok();
            let strength = match number(get(7), bounds::STRENGTH_G) {
                Ok(g) if g > 0.0 => Some(g),
                Ok(_) | Err(_) if get(7).is_empty() => {
                    bad(
                        7,
                        "grammes de substance active par unité attendus (ex. 0,5)",
                        "grams of active substance per unit expected (e.g. 0.5)",
                    );
                    None
                }
                Ok(_) => {
                    bad(
                        7,
                        "grammes par unité : nombre strictement positif attendu",
                        "grams per unit: a number greater than zero was expected",
                    );
                    None
                }
                Err((m, e)) => {
                    bad(
                        7,
                        &format!("grammes par unité : {m}"),
                        &format!("grams per unit: {e}"),
                    );
                    None
                }
            };
            units.zip(strength).map(|(u, g)| u * g)
        } else if get(5).is_empty() {
            bad(
                5,
                "quantité en grammes attendue (ou units et strength_g)",
                "quantity in grams expected (or units and strength_g)",
            );
            None
        } else {
            number(get(5), bounds::GRAMS)
                .map_err(|(m, e)| {
                    bad(
                        5,
                        &format!("quantité en grammes : {m}"),
                        &format!("quantity in grams: {e}"),
                    )
                })
                .ok()
        };
        if problems.total == before
            && let (Some(period), Some(ward), Some(atc), Some(route), Some(grams)) =
                (period, ward, atc, route, grams)
        {
            out.push(Consumption {
                line,
                establishment: names.get(establishment),
                period,
                ward,
                atc,
                route,
                grams,
            });
        }
    });
    if let Err(list) = read {
        for p in list {
            problems.push(File::Consumption, p);
        }
    }
    out
}

/// Reads a denominators file's rows.
///
/// Days are `patient_days` (hospital wards, with `admissions`) or `resident_days` (nursing
/// homes, admissions left out). A file may carry both columns, each row then filling exactly
/// one of them: a row is never read as one kind of days when it gives the other.
fn read_denominator_rows(
    bytes: &[u8],
    names: &mut Names,
    problems: &mut Problems,
) -> Vec<Denominator> {
    let columns = [
        "establishment",
        "period",
        "ward_type",
        "patient_days",
        "resident_days",
        "admissions",
    ];
    let which_days = |header: &mut Vec<String>| {
        let has = |n: &str| header.iter().any(|h| h == n);
        match (has("patient_days"), has("resident_days")) {
            (false, false) => vec![Problem {
                line: 1,
                column: "patient_days".into(),
                value: String::new(),
                message: "colonne obligatoire absente : patient_days (journées d'hospitalisation, \
                          avec admissions) ou resident_days (journées d'hébergement d'un EMS)"
                    .into(),
                message_en: "required column missing: patient_days (hospital patient-days, \
                             with admissions) or resident_days (nursing-home resident-days)"
                    .into(),
            }],
            (true, _) if !has("admissions") => missing_columns(
                &["admissions"],
                "admissions à côté de patient_days (vide pour une ligne en resident_days)",
                "admissions beside patient_days (empty on a resident_days line)",
            ),
            _ => Vec::new(),
        }
    };
    let mut out = Vec::new();
    let read = each_row(bytes, &columns, 3, which_days, |line, cells| {
        let get = |i: usize| cells.get(i);
        let before = problems.total;
        let mut bad = |i: usize, message: &str, message_en: &str| {
            problems.push(
                File::Denominators,
                Problem {
                    line,
                    column: columns[i].into(),
                    value: get(i).into(),
                    message: message.into(),
                    message_en: message_en.into(),
                },
            )
        };
        if get(0).is_empty() {
            bad(
                0,
                "établissement (FINESS) obligatoire",
                "establishment (FINESS) required",
            );
        }
        let period = Period::parse(get(1));
        if period.is_none() {
            bad(
                1,
                "période attendue sous la forme AAAA-MM ou AAAA",
                "period expected as YYYY-MM or YYYY",
            );
        }
        let ward = ward(get(2));
        if ward.is_none() {
            let (fr, en) = ward_message();
            bad(2, &fr, &en);
        }
        let days = match (get(3).is_empty(), get(4).is_empty()) {
            (false, false) => {
                bad(
                    4,
                    "une ligne donne soit patient_days (hospitalisation), soit resident_days \
                     (hébergement), pas les deux",
                    "a line gives either patient_days (hospital) or resident_days (nursing \
                     home), not both",
                );
                None
            }
            (true, true) => {
                bad(
                    3,
                    "nombre de journées attendu (patient_days, ou resident_days pour un EMS)",
                    "number of days expected (patient_days, or resident_days for a nursing home)",
                );
                None
            }
            (false, true) => whole_number(get(3), bounds::DAYS)
                .map_err(|(m, e)| {
                    bad(
                        3,
                        &format!("journées d'hospitalisation : {m}"),
                        &format!("patient-days: {e}"),
                    )
                })
                .ok(),
            (true, false) => whole_number(get(4), bounds::DAYS)
                .map_err(|(m, e)| {
                    bad(
                        4,
                        &format!("journées d'hébergement : {m}"),
                        &format!("resident-days: {e}"),
                    )
                })
                .ok(),
        };
        let admissions = if get(5).is_empty() {
            Some(0.0)
        } else {
            whole_number(get(5), bounds::DAYS)
                .map_err(|(m, e)| bad(5, &format!("admissions : {m}"), &format!("admissions: {e}")))
                .ok()
        };
        if problems.total == before
            && let (Some(period), Some(ward), Some(patient_days), Some(admissions)) =
                (period, ward, days, admissions)
        {
            out.push(Denominator {
                line,
                establishment: names.get(get(0)),
                period,
                ward,
                patient_days,
                admissions,
            });
        }
    });
    if let Err(list) = read {
        for p in list {
            problems.push(File::Denominators, p);
        }
    }
    out
}

/// A cell of the files: the grain numerators and denominators are matched at.
type Cell = (u32, Period, WardType);

/// The most distinct establishments, and distinct ATC codes, one file may name (a region has a
/// few thousand establishments, WHO a few thousand codes).
const MAX_DISTINCT: usize = 1 << 20;

/// A row's key packed in 64 bits: establishment (26 bits), year from 1990 (7), month (4), ward
/// type (4), route (3), ATC code (20), so that finding repeated keys among millions of rows is a
/// sort of 16-byte pairs rather than a map of strings.
fn packed(establishment: u32, period: Period, ward: WardType, route: u64, atc: u32) -> u64 {
    let ward = WardType::ALL.iter().position(|w| *w == ward).unwrap_or(0) as u64;
    (establishment as u64) << 38
        | ((period.year - 1990) as u64) << 31
        | (period.month.unwrap_or(0) as u64) << 27
        | ward << 23
        | route << 20
        | atc as u64
}

/// The lines (indices into `lines`) whose key repeats an earlier line's, with that first line.
fn repeats(mut keys: Vec<(u64, u32)>, lines: impl Fn(usize) -> usize) -> Vec<(usize, usize)> {
    keys.sort_unstable();
    let mut out = Vec::new();
    for run in keys.chunk_by(|a, b| a.0 == b.0) {
        let first = lines(run[0].1 as usize);
        for (_, i) in &run[1..] {
            out.push((*i as usize, first));
        }
    }
    out
}

/// Rows whose key repeats an earlier row's, and establishments giving a whole figure beside
/// their ward types' for the same period: problems, and the rows are dropped.
fn repeated_keys(files: &mut Files, problems: &mut Problems) {
    let names = &files.establishments;
    if names.len() > MAX_DISTINCT {
        problems.push(
            File::Consumption,
            Problem {
                line: 1,
                column: "establishment".into(),
                value: String::new(),
                message: format!(
                    "plus de {MAX_DISTINCT} établissements distincts : ce ne sont pas des numéros FINESS"
                ),
                message_en: format!(
                    "more than {MAX_DISTINCT} distinct establishments: these are not FINESS numbers"
                ),
            },
        );
        files.consumption.clear();
        files.denominators.clear();
        return;
    }
    let mut atcs: HashMap<Atc, u32> = HashMap::new();
    let mut keys = Vec::with_capacity(files.consumption.len());
    let mut wards = HashMap::new();
    for (i, r) in files.consumption.iter().enumerate() {
        let n = atcs.len() as u32;
        let atc = *atcs.entry(r.atc).or_insert(n);
        if atcs.len() > MAX_DISTINCT {
            problems.push(
                File::Consumption,
                Problem {
                    line: r.line,
                    column: "atc".into(),
                    value: r.atc.to_string(),
                    message: format!("plus de {MAX_DISTINCT} codes ATC distincts dans le fichier"),
                    message_en: format!("more than {MAX_DISTINCT} distinct ATC codes in the file"),
                },
            );
            files.consumption.clear();
            return;
        }
        let route = r.route as u64;
        keys.push((
            packed(r.establishment, r.period, r.ward, route, atc),
            i as u32,
        ));
        whole_and_wards(&mut wards, r.establishment, r.period, r.ward, r.line);
    }
    let rows = &files.consumption;
    let mut keep = vec![true; rows.len()];
    for (i, first) in repeats(keys, |i| rows[i].line) {
        let r = &rows[i];
        keep[i] = false;
        problems.push(
            File::Consumption,
            Problem {
                line: r.line,
                column: String::new(),
                value: format!(
                    "{} {} {} {} {}",
                    names[r.establishment as usize],
                    r.period,
                    r.ward.code(),
                    r.atc,
                    r.route.code()
                ),
                message: format!(
                    "même établissement, période, type de service, code ATC et voie que la \
                     ligne {first} : une ligne par clé (les quantités ne sont pas additionnées)"
                ),
                message_en: format!(
                    "same establishment, period, ward type, ATC code and route as line {first}: \
                     one line per key (quantities are not added up)"
                ),
            },
        );
    }
    ward_conflicts(&wards, names, File::Consumption, problems);
    let mut keep = keep.into_iter();
    files.consumption.retain(|_| keep.next().unwrap_or(false));
    let days = &files.denominators;
    let mut wards = HashMap::new();
    let keys = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            whole_and_wards(&mut wards, d.establishment, d.period, d.ward, d.line);
            (packed(d.establishment, d.period, d.ward, 0, 0), i as u32)
        })
        .collect();
    let mut keep = vec![true; days.len()];
    for (i, first) in repeats(keys, |i| days[i].line) {
        let d = &days[i];
        keep[i] = false;
        problems.push(
            File::Denominators,
            Problem {
                line: d.line,
                column: String::new(),
                value: format!(
                    "{} {} {}",
                    names[d.establishment as usize],
                    d.period,
                    d.ward.code()
                ),
                message: format!(
                    "même établissement, période et type de service que la ligne {first} : une \
                     ligne par clé (les journées ne sont pas additionnées)"
                ),
                message_en: format!(
                    "same establishment, period and ward type as line {first}: one line per key \
                     (days are not added up)"
                ),
            },
        );
    }
    ward_conflicts(&wards, names, File::Denominators, problems);
    let mut keep = keep.into_iter();
    files.denominators.retain(|_| keep.next().unwrap_or(false));
}

/// Per establishment and period: the first line giving the whole establishment, and the first
/// giving a ward type.
type WholeAndWards = HashMap<(u32, Period), (Option<usize>, Option<usize>)>;

/// Notes the first line of an establishment's period as a whole and by ward type.
fn whole_and_wards(
    wards: &mut WholeAndWards,
    establishment: u32,
    period: Period,
    ward: WardType,
    line: usize,
) {
    let e = wards.entry((establishment, period)).or_default();
    let slot = if ward == WardType::Whole {
        &mut e.0
    } else {
        &mut e.1
    };
    slot.get_or_insert(line);
}

fn ward_conflicts(wards: &WholeAndWards, names: &[String], file: File, problems: &mut Problems) {
    for ((establishment, period), lines) in wards {
        if let (Some(whole), Some(ward)) = lines {
            problems.push(
                file,
                Problem {
                    line: *whole.max(ward),
                    column: "ward_type".into(),
                    value: format!("{} {period}", names[*establishment as usize]),
                    message: format!(
                        "l'établissement est donné en entier (ligne {whole}) et par type de \
                         service (ligne {ward}) pour la même période : il serait compté deux fois"
                    ),
                    message_en: format!(
                        "the establishment is given as a whole (line {whole}) and by ward type \
                         (line {ward}) for the same period: it would be counted twice"
                    ),
                },
            );
        }
    }
}

/// Which side of a cell is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Consumption without its patient-days (resident-days).
    Denominator,
    /// Patient-days without any consumption.
    Consumption,
}

/// Consecutive periods of one establishment and ward type where the consumption has no
/// denominator, or the reverse: left out of every indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmatched {
    pub establishment: String,
    pub ward: WardType,
    pub first: Period,
    pub last: Period,
    /// The number of periods (months or years) from `first` to `last`.
    pub periods: usize,
    pub missing: Missing,
    /// The first line of the file that has the side present.
    pub line: usize,
}

impl Unmatched {
    /// [`Self::message_fr`] or [`Self::message_en`].
    pub fn message(&self, lang: cratb_domain::Lang) -> String {
        match lang {
            cratb_domain::Lang::Fr => self.message_fr(),
            cratb_domain::Lang::En => self.message_en(),
        }
    }

    /// In French: `380780080, Médecine, 2025-07 à 2025-12 (6 périodes) : consommation sans
    /// journées (ligne 120 des consommations)`.
    pub fn message_fr(&self) -> String {
        let span = if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{} à {} ({} périodes)", self.first, self.last, self.periods)
        };
        let (what, file) = match self.missing {
            Missing::Denominator => (
                "consommation sans journées (dénominateur)",
                File::Consumption,
            ),
            Missing::Consumption => ("journées sans aucune consommation", File::Denominators),
        };
        format!(
            "{}, {}, {span} : {what} (ligne {} des {})",
            self.establishment,
            self.ward.label_fr(),
            self.line,
            file.label_fr()
        )
    }

    pub fn message_en(&self) -> String {
        let span = if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{} to {} ({} periods)", self.first, self.last, self.periods)
        };
        let (what, file) = match self.missing {
            Missing::Denominator => ("consumption without days (denominator)", File::Consumption),
            Missing::Consumption => ("days without any consumption", File::Denominators),
        };
        format!(
            "{}, {}, {span}: {what} (line {} of the {} file)",
            self.establishment,
            self.ward.label_en(),
            self.line,
            file.label_en()
        )
    }
}

/// The cells where consumption and denominators do not meet — consumption without its
/// patient-days, patient-days without any consumption — as runs of consecutive periods.
/// Indicators are computed over the other cells only ([`matched`]).
pub fn unmatched(files: &Files) -> Vec<Unmatched> {
    let with_days: HashMap<Cell, usize> = files
        .denominators
        .iter()
        .map(|d| ((d.establishment, d.period, d.ward), d.line))
        .collect();
    let mut with_use: HashMap<Cell, usize> = HashMap::new();
    for r in &files.consumption {
        with_use
            .entry((r.establishment, r.period, r.ward))
            .or_insert(r.line);
    }
    let mut cells: Vec<(u32, WardType, Missing, Period, usize)> = Vec::new();
    for (cell, line) in &with_use {
        if !with_days.contains_key(cell) {
            cells.push((cell.0, cell.2, Missing::Denominator, cell.1, *line));
        }
    }
    for (cell, line) in &with_days {
        if !with_use.contains_key(cell) {
            cells.push((cell.0, cell.2, Missing::Consumption, cell.1, *line));
        }
    }
    cells.sort_by_key(|c| (c.0, c.1.code(), c.2, c.3));
    let mut out: Vec<Unmatched> = Vec::new();
    for (establishment, ward, missing, period, line) in cells {
        let name = files.establishment(establishment);
        match out.last_mut() {
            Some(u)
                if u.establishment == name
                    && u.ward == ward
                    && u.missing == missing
                    && u.last.next() == period =>
            {
                u.last = period;
                u.periods += 1;
                u.line = u.line.min(line);
            }
            _ => out.push(Unmatched {
                establishment: name.to_string(),
                ward,
                first: period,
                last: period,
                periods: 1,
                missing,
                line,
            }),
        }
    }
    out
}

/// Whether each consumption row and each denominator row is in a matched cell (one where both
/// files have rows).
pub fn matched(files: &Files) -> (Vec<bool>, Vec<bool>) {
    let with_days: std::collections::HashSet<Cell> = files
        .denominators
        .iter()
        .map(|d| (d.establishment, d.period, d.ward))
        .collect();
    let with_use: std::collections::HashSet<Cell> = files
        .consumption
        .iter()
        .map(|r| (r.establishment, r.period, r.ward))
        .collect();
    (
        files
            .consumption
            .iter()
            .map(|r| with_days.contains(&(r.establishment, r.period, r.ward)))
            .collect(),
        files
            .denominators
            .iter()
            .map(|d| with_use.contains(&(d.establishment, d.period, d.ward)))
            .collect(),
    )
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
    fn value(self, establishment: &str, period: Period, ward: WardType) -> Option<String> {
        Some(match self {
            By::Establishment => establishment.to_string(),
            By::Year => period.year.to_string(),
            By::Month => format!("{}-{:02}", period.year, period.month?),
            By::WardType => ward.code().to_string(),
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

/// The indicators, what could not be counted, and the cells left out because consumption and
/// denominators do not meet there.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rows: Vec<Indicator>,
    pub unconverted: Vec<Unconverted>,
    pub left_out: Vec<Unmatched>,
}

/// Why a grouping is impossible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupingError(pub String);

/// DDD per group × ATC prefix, with the denominators summed over the same groups (a month's
/// patient-days count in its year).
///
/// Numerator and denominator cover the same cells (establishment, period, ward type): a cell
/// with consumption but no patient-days, or patient-days but no consumption, is left out of
/// both and listed in [`Outcome::left_out`]. A group without any matched cell keeps its DDD
/// with no denominator (not computable). Rows whose grams cannot be converted are listed,
/// never silently dropped.
pub fn indicators(
    files: &Files,
    by: &[By],
    prefixes: &[String],
    table: &DddTable,
) -> Result<Outcome, GroupingError> {
    let key = |e: u32, p: Period, w: WardType| -> Option<Vec<String>> {
        by.iter()
            .map(|b| b.value(files.establishment(e), p, w))
            .collect()
    };
    let (use_matched, days_matched) = matched(files);
    // DDD per group and prefix: over matched cells, and over every cell.
    let mut ddd: BTreeMap<(Vec<String>, usize), (f64, f64)> = BTreeMap::new();
    let mut groups: BTreeMap<Vec<String>, bool> = BTreeMap::new();
    let mut unconverted: BTreeMap<(Atc, Route, NoDdd), (f64, usize)> = BTreeMap::new();
    for (c, matched) in files.consumption.iter().zip(use_matched) {
        let k = key(c.establishment, c.period, c.ward).ok_or_else(|| {
            GroupingError(format!(
                "ligne {} : période annuelle {}, impossible à répartir par mois",
                c.line, c.period.year
            ))
        })?;
        match table.grams(c.atc.as_str(), c.route) {
            Ok(per_ddd) => {
                let n = c.grams / per_ddd;
                for (i, p) in prefixes.iter().enumerate() {
                    if c.atc.as_str().starts_with(p.as_str()) {
                        let e = ddd.entry((k.clone(), i)).or_default();
                        e.1 += n;
                        if matched {
                            e.0 += n;
                        }
                    }
                }
            }
            Err(why) => {
                let e = unconverted.entry((c.atc, c.route, why)).or_default();
                e.0 += c.grams;
                e.1 += 1;
            }
        }
        *groups.entry(k).or_default() |= matched;
    }
    let mut days: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
    for (d, matched) in files.denominators.iter().zip(days_matched) {
        // A yearly denominator cannot be split into months: it then counts for no month.
        if matched && let Some(k) = key(d.establishment, d.period, d.ward) {
            let e = days.entry(k).or_default();
            e.0 += d.patient_days;
            e.1 += d.admissions;
        }
    }
    let mut rows = Vec::new();
    for (g, any_matched) in &groups {
        for (i, p) in prefixes.iter().enumerate() {
            let (matched_ddd, all_ddd) = ddd.get(&(g.clone(), i)).copied().unwrap_or_default();
            let (ddd, pd, adm) = match days.get(g) {
                Some((d, a)) if *any_matched => (matched_ddd, Some(*d), Some(*a)),
                _ => (all_ddd, None, None),
            };
            rows.push(Indicator {
                group: g.clone(),
                atc_prefix: p.clone(),
                ddd,
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
                atc: atc.to_string(),
                route: route.code(),
                reason: why.message(),
                grams,
                rows,
            })
            .collect(),
        left_out: unmatched(files),
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

/// A figure with two decimals, or empty.
fn two(x: Option<f64>) -> write::Cell {
    x.map_or(write::Cell::Empty, |v| {
        write::Cell::Number(v, Decimals::Fixed(2))
    })
}

/// A count as written in the output (no decimals when whole), or empty.
fn count(x: Option<f64>) -> write::Cell {
    x.map_or(write::Cell::Empty, |v| {
        write::Cell::Number(v, Decimals::UnlessWhole(2))
    })
}

impl Indicator {
    /// The row's cells in the order of [`header`] (an empty text is an empty cell).
    pub fn cells(&self) -> Vec<write::Cell> {
        let mut f: Vec<write::Cell> = self
            .group
            .iter()
            .cloned()
            .map(write::Cell::text_or_empty)
            .collect();
        f.push(write::Cell::text_or_empty(self.atc_prefix.clone()));
        f.push(write::Cell::Number(self.ddd, Decimals::Fixed(2)));
        f.push(count(self.patient_days));
        f.push(two(self.per_1000_patient_days()));
        f.push(count(self.admissions));
        f.push(two(self.per_100_admissions()));
        f
    }
}
