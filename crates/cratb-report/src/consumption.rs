//! The consumption feedback of an establishment: its indicators year by year, where it stands
//! among its peers, its AWaRe and parenteral shares, what the figures leave out; shown on its
//! page and sent as a PDF report, one per establishment (a ZIP, or files from the command
//! line).

use crate::charts::{self, Reference, Stack};
use crate::format::{self, decimal, percent, percentile, thousands};
use cratb_consumption::cube::{CLASSES, Cube, GROUPS, Slice, Totals, UnitYear, class_index};
use cratb_consumption::hospital::Missing;
use cratb_consumption::indicators::Aware;
use cratb_consumption::peers::{change, ranked_among};
use cratb_consumption::targets::{
    ACCESS_TARGETS, PRESCRIPTIONS_TARGET, PRESCRIPTIONS_TARGET_YEAR, Standing, Target,
};
use cratb_domain::{Category, Lang, geo};

pub use cratb_consumption::cube::unit_label;

/// A ward type's name (the code itself for a value stored before ward types were a closed list).
pub fn ward_label(code: &str, lang: Lang) -> String {
    cratb_domain::WardType::parse(code).map_or(code.to_string(), |w| w.label(lang).to_string())
}

/// What a page's figures leave out: a sentence, and the cells by establishment.
pub struct LeftOutNote {
    pub summary: String,
    pub items: Vec<String>,
}

/// The cells the slice's figures leave out in `year` (consumption without patient-days, or the
/// reverse), said in words; `None` when nothing is left out.
pub fn left_out_note(cube: &Cube, slice: &Slice, year: i32, lang: Lang) -> Option<LeftOutNote> {
    let left = cube.left_out(slice, Some(year));
    if left.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if left.without_days > 0 {
        parts.push(format!(
            "{} {} ({} {})",
            left.without_days,
            lang.pick(
                "période(s) de consommation sans journées",
                "period(s) of consumption without days"
            ),
            decimal(Some(left.ddd), lang),
            lang.pick("DDJ J01", "J01 DDD")
        ));
    }
    if left.without_use > 0 {
        parts.push(format!(
            "{} {} ({} {})",
            left.without_use,
            lang.pick(
                "période(s) de journées sans consommation",
                "period(s) of days without consumption"
            ),
            thousands(left.days, lang),
            lang.pick("journées", "days")
        ));
    }
    const SHOWN: usize = 30;
    let mut items: Vec<String> = left
        .cells
        .iter()
        .take(SHOWN)
        .map(|(unit, cells)| {
            let u = &cube.units[*unit];
            let cells: Vec<String> = cells
                .iter()
                .map(|(y, m, w, missing)| {
                    let period = if *m == 0 {
                        y.to_string()
                    } else {
                        format!("{y}-{m:02}")
                    };
                    let what = match missing {
                        Missing::Denominator => lang.pick("sans journées", "no days"),
                        Missing::Consumption => lang.pick("sans consommation", "no consumption"),
                    };
                    format!("{period} {} ({what})", ward_label(w, lang))
                })
                .collect();
            format!("{} ({}) : {}", u.name, u.finess, cells.join(", "))
        })
        .collect();
    if left.cells.len() > SHOWN {
        items.push(format!("… + {}", left.cells.len() - SHOWN));
    }
    Some(LeftOutNote {
        summary: format!(
            "{} {}.",
            lang.pick(
                "Chaque indicateur est calculé sur les périodes et services qui ont à la fois une consommation et des journées. Sont exclus ici :",
                "Each indicator is computed over the periods and wards that have both consumption and days. Left out here:"
            ),
            parts.join(" ; ")
        ),
        items,
    })
}

/// One line per class: this year, last year, change, and (on an establishment's page) the
/// peers' median and the establishment's percentile.
pub struct ClassRow {
    pub code: &'static str,
    pub name: &'static str,
    pub value: String,
    /// The value's numerator and denominator in words (`1 234 DDJ / 5 678 journées`).
    pub detail: String,
    /// The same for DDD per 100 admissions.
    pub detail_admissions: String,
    pub previous: String,
    pub change: String,
    pub per_admissions: String,
    pub median: String,
    pub iqr: String,
    pub percentile: String,
}

/// An AWaRe share.
pub struct AwareShare {
    pub label: &'static str,
    pub value: String,
    pub class: &'static str,
    /// The share's DDD and the J01 DDD it is of.
    pub detail: String,
}

pub fn aware_view(t: &Totals, lang: Lang) -> Vec<AwareShare> {
    [
        (Aware::Access, "Access", "Accès", "aware-access"),
        (Aware::Watch, "Watch", "À surveiller (Watch)", "aware-watch"),
        (Aware::Reserve, "Reserve", "Réserve", "aware-reserve"),
        (
            Aware::Unclassified,
            "Unclassified",
            "Non classés",
            "aware-none",
        ),
    ]
    .into_iter()
    .map(|(a, en, fr, class)| AwareShare {
        label: lang.pick(fr, en),
        value: t
            .aware_pct(a)
            .map_or("—".into(), |v| percent(Some(v), lang)),
        class,
        detail: ratio(
            t.aware[[
                Aware::Access,
                Aware::Watch,
                Aware::Reserve,
                Aware::Unclassified,
            ]
            .iter()
            .position(|x| *x == a)
            .unwrap_or(3)],
            t.classes[0],
            lang.pick("DDJ J01", "J01 DDD"),
            lang,
        ),
    })
    .collect()
}

/// The parenteral share's DDD and the J01 DDD it is of.
pub fn parenteral_detail(t: &Totals, lang: Lang) -> String {
    ratio(
        t.j01_parenteral,
        t.classes[0],
        lang.pick("DDJ J01", "J01 DDD"),
        lang,
    )
}

/// A rate's numerator (DDD) and denominator in words: `1 234 DDJ / 5 678 journées`.
pub fn ratio(ddd: f64, denominator: f64, of: &str, lang: Lang) -> String {
    format!(
        "{} {} / {} {of}",
        thousands(ddd, lang),
        lang.pick("DDJ", "DDD"),
        thousands(denominator, lang)
    )
}

/// The days a sector's figures are per: patient-days (hospitals), resident-days (nursing
/// homes).
pub fn days_word(sector: &str, lang: Lang) -> &'static str {
    match sector {
        "EMS" => lang.pick("journées d'hébergement", "resident-days"),
        _ => lang.pick("journées d'hospitalisation", "patient-days"),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A span of months of a year: `janvier–mars 2026` (`mars 2026` for one month).
fn months_of(first: u8, last: u8, year: i32, lang: Lang) -> String {
    let name = |m: u8| lang.pick(MONTHS_FR, MONTHS_EN)[usize::from(m.clamp(1, 12) - 1)];
    if first == last {
        format!("{} {year}", name(first))
    } else {
        format!("{}–{} {year}", name(first), name(last))
    }
}

/// A year as the screens name it: `2025`, or `janvier–mars 2026, partiel` when its data stop
/// before its end (its figures are then over those months).
pub fn period_label(cube: &Cube, year: i32, lang: Lang) -> String {
    match cube.partial(year) {
        Some((first, last)) => format!(
            "{}, {}",
            months_of(first, last, year, lang),
            lang.pick("partiel", "partial")
        ),
        None => year.to_string(),
    }
}

/// The period a year is compared with: the year before, or the same months of it for a
/// partial year (`janvier–mars 2025`).
pub fn previous_label(cube: &Cube, year: i32, lang: Lang) -> String {
    match cube.partial(year) {
        Some((first, last)) => months_of(first, last, year - 1, lang),
        None => (year - 1).to_string(),
    }
}

/// The substances of the slice in `year` that no figure counts, because the edition gives
/// their DDD in another unit than grams (colistin in million units, co-trimoxazole in unit
/// doses) or none for their route: `2 substances sans DDD en grammes non comptées : …`.
pub fn unconverted_note(cube: &Cube, slice: &Slice, year: i32, lang: Lang) -> Option<String> {
    let list = cube.unconverted(slice, year);
    if list.is_empty() {
        return None;
    }
    let names = cratb_consumption::DddTable::embedded(cratb_consumption::ddd::LATEST);
    let mut atcs: Vec<&str> = list.iter().map(|(a, _, _)| a.as_str()).collect();
    atcs.dedup();
    let items: Vec<String> = list
        .iter()
        .map(|(atc, route, grams)| {
            let name = names.as_ref().and_then(|t| t.name(atc)).unwrap_or("");
            format!(
                "{atc} {name} ({}, {} g)",
                route.code(),
                thousands(*grams, lang)
            )
        })
        .collect();
    let n = atcs.len();
    Some(lang.pick(
        format!(
            "{n} substance{} sans DDD en grammes non comptée{}\u{a0}: {}",
            if n > 1 { "s" } else { "" },
            if n > 1 { "s" } else { "" },
            items.join(", ")
        ),
        format!(
            "{n} substance{} without a DDD in grams not counted: {}",
            if n > 1 { "s" } else { "" },
            items.join(", ")
        ),
    ))
}

/// The Access share against each of its targets ([`ACCESS_TARGETS`]): reached, or how many
/// points below.
pub fn access_targets(access: Option<f64>, lang: Lang) -> Vec<String> {
    ACCESS_TARGETS
        .iter()
        .map(|t| {
            let who = lang.pick(t.fr, t.en);
            let pct = decimal(Some(t.pct), lang)
                .replace(",0", "")
                .replace(".0", "");
            let aim = lang.pick(
                format!("{who}\u{a0}: au moins {pct}\u{a0}% d'Access"),
                format!("{who}: at least {pct} % Access"),
            );
            let at = percent(access, lang).replace(" %", lang.pick("\u{a0}%", " %"));
            let standing = match Standing::of(access, t.pct, true) {
                Standing::Reached => {
                    lang.pick(format!("atteint ({at})"), format!("reached ({at})"))
                }
                Standing::Off(points) => {
                    let p = decimal(Some(points), lang);
                    // French: singular below two (« 0,8 point »).
                    let word = if points < 2.0 { "point" } else { "points" };
                    lang.pick(
                        format!("{p}\u{a0}{word} en dessous ({at})"),
                        format!("{p} points below ({at})"),
                    )
                }
                Standing::Unknown => lang.pick("non calculable", "not computable").to_string(),
            };
            format!("{aim} — {standing}")
        })
        .collect()
}

/// Prescriptions per 1000 inhabitants per year against France's target
/// ([`PRESCRIPTIONS_TARGET`]): reached, or how many above (`None` without the figure).
pub fn prescriptions_target(value: Option<f64>, lang: Lang) -> Option<String> {
    let v = value.filter(|v| v.is_finite())?;
    let (goal, year) = (PRESCRIPTIONS_TARGET, PRESCRIPTIONS_TARGET_YEAR);
    let aim = lang.pick(
        format!(
            "Objectif national {year}\u{a0}: au plus {} prescriptions d'antibiotiques pour 1000 habitants par an",
            goal
        ),
        format!("National target for {year}: at most {goal} antibiotic prescriptions per 1000 inhabitants a year"),
    );
    let at = decimal(Some(v), lang);
    let standing = match Standing::of(Some(v), goal, false) {
        Standing::Off(d) => {
            let d = decimal(Some(d), lang);
            lang.pick(format!("{d} au-dessus ({at})"), format!("{d} above ({at})"))
        }
        _ => lang.pick(format!("atteint ({at})"), format!("reached ({at})")),
    };
    Some(format!("{aim} — {standing}"))
}

/// A class's DDD per 1000 days, year by year.
pub fn per_year(years: &[(i32, Totals)], class: usize) -> Vec<(i32, Option<f64>)> {
    years
        .iter()
        .map(|(y, t)| (*y, t.per_1000_days(class)))
        .collect()
}

/// The yearly values of an indicator as a chart with its reference lines (baseline, target,
/// national figure), and the target's progress in words.
pub fn trend_chart(
    years: &[(i32, Option<f64>)],
    target: &Target,
    lang: Lang,
    label: &str,
) -> (String, String) {
    let points: Vec<(String, Option<f64>)> =
        years.iter().map(|(y, v)| (y.to_string(), *v)).collect();
    let baseline = years
        .iter()
        .find(|(y, _)| *y == target.baseline_year)
        .and_then(|(_, v)| *v);
    let mut refs = Vec::new();
    let note = match (baseline, target.goal(baseline)) {
        (Some(b), Some(goal)) => {
            let b_value = b;
            refs.push(Reference {
                label: format!(
                    "{} {}",
                    lang.pick("Référence", "Baseline"),
                    target.baseline_year
                ),
                value: b,
                class: "baseline",
            });
            refs.push(Reference {
                label: lang.pick("Objectif", "Target").into(),
                value: goal,
                class: "target",
            });
            let last = years.last().and_then(|(_, v)| *v);
            match last {
                Some(v) => {
                    let (what, year) = (target.describe(lang), target.baseline_year);
                    let (goal, b) = (decimal(Some(goal), lang), decimal(Some(b), lang));
                    let delta = format::change(change(Some(b_value), Some(v)), lang);
                    let v = decimal(Some(v), lang);
                    lang.pick(
                        format!(
                            "Objectif {what} : {goal} (référence {year} : {b}) ; dernière année : {v} ({delta} par rapport à la référence)."
                        ),
                        format!(
                            "Target {what}: {goal} (baseline {year} {b}); latest year {v} ({delta} against the baseline)."
                        ),
                    )
                }
                None => String::new(),
            }
        }
        _ => {
            let (what, year) = (target.describe(lang), target.baseline_year);
            lang.pick(
                format!(
                    "Pas de données pour l'année de référence {year} : l'objectif ({what}) ne peut pas être suivi. Le coordinateur peut choisir une autre année de référence."
                ),
                format!(
                    "No data for the baseline year {year}: the target ({what}) cannot be followed. The coordinator can choose another baseline year."
                ),
            )
        }
    };
    if let Some(n) = target.national_value {
        refs.push(Reference {
            label: format!(
                "National {}",
                target
                    .national_year
                    .map(|y| y.to_string())
                    .unwrap_or_default()
            ),
            value: n,
            class: "median",
        });
    }
    (charts::line(lang, label, &points, &refs), note)
}

pub fn monthly_chart(cube: &Cube, slice: &Slice, class: usize, lang: Lang) -> String {
    let months = cube.months(slice, class);
    let points: Vec<(String, Option<f64>)> = months
        .iter()
        .map(|m| {
            (
                format!("{:02}/{}", m.month, m.year % 100),
                m.per_1000_days(),
            )
        })
        .collect();
    let label = lang.pick("Mois par mois", "Month by month");
    charts::line(lang, label, &points, &[])
}

pub fn stacked_chart(years: &[(i32, Totals)], lang: Lang) -> String {
    let bars: Vec<String> = years.iter().map(|(y, _)| y.to_string()).collect();
    let stacks: Vec<Stack> = GROUPS
        .iter()
        .enumerate()
        .map(|(g, (_, fr, en))| Stack {
            name: lang.pick(fr, en).to_string(),
            values: years
                .iter()
                .map(|(_, t)| {
                    if t.patient_days > 0.0 {
                        1000.0 * t.groups[g] / t.patient_days
                    } else {
                        0.0
                    }
                })
                .collect(),
        })
        .filter(|s| s.values.iter().any(|v| *v > 0.0))
        .collect();
    let label = lang.pick("J01 par classe et par année", "J01 by class and year");
    charts::stacked_bars(lang, label, &bars, &stacks)
}

pub fn class_rows(years: &[(i32, Totals)], year: i32, sector: &str, lang: Lang) -> Vec<ClassRow> {
    let this = years.iter().find(|(y, _)| *y == year).map(|(_, t)| t);
    let before = years.iter().find(|(y, _)| *y == year - 1).map(|(_, t)| t);
    CLASSES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = this.and_then(|t| t.per_1000_days(i));
            let p = before.and_then(|t| t.per_1000_days(i));
            ClassRow {
                code: c.code,
                name: CLASSES[i].name(lang),
                value: decimal(v, lang),
                detail: this.map_or(String::new(), |t| {
                    ratio(t.classes[i], t.patient_days, days_word(sector, lang), lang)
                }),
                detail_admissions: this.map_or(String::new(), |t| {
                    ratio(
                        t.admitted[i],
                        t.admissions,
                        lang.pick("admissions", "admissions"),
                        lang,
                    )
                }),
                previous: decimal(p, lang),
                change: format::change(change(p, v), lang),
                per_admissions: decimal(this.and_then(|t| t.per_100_admissions(i)), lang),
                median: String::new(),
                iqr: String::new(),
                percentile: String::new(),
            }
        })
        .collect()
}

/// A target of the region's programme as listed.
pub struct TargetLine {
    pub sector: String,
    /// The indicator class's name.
    pub indicator: &'static str,
    pub describe: String,
    /// The national figure compared with, and its year.
    pub national: String,
    pub set_by: String,
}

/// The region's targets as listed.
pub fn target_lines(targets: Vec<Target>, lang: Lang) -> Vec<TargetLine> {
    targets
        .into_iter()
        .map(|t| TargetLine {
            indicator: class_index(&t.indicator).map_or("", |i| CLASSES[i].name(lang)),
            describe: t.describe(lang),
            national: match (t.national_value, t.national_year) {
                (Some(v), Some(y)) => format!("{} ({y})", decimal(Some(v), lang)),
                (Some(v), None) => decimal(Some(v), lang),
                _ => "—".into(),
            },
            set_by: t.set_by.unwrap_or_default(),
            sector: t.sector,
        })
        .collect()
}

/// The sources of the figures: the ATC/DDD edition(s) and the AWaRe classification.
pub fn editions(cube: &Cube, lang: Lang) -> String {
    let ddd = if cube.editions.is_empty() {
        "—".to_string()
    } else {
        cube.editions.join(" + ")
    };
    let aware = &cube.aware_edition;
    lang.pick(
        format!("DDJ : {ddd} · AWaRe : {aware}"),
        format!("DDD: {ddd} · AWaRe: {aware}"),
    )
}

/// An establishment's figures, built for the page and the feedback report.
pub struct Feedback {
    pub name: String,
    pub finess: String,
    pub category: String,
    pub year: i32,
    /// The year as named ([`period_label`]: `janvier–mars 2026, partiel` when partial) and
    /// what it is compared with.
    pub period: String,
    pub previous_period: String,
    pub unit: &'static str,
    /// `ES` or `EMS`.
    pub sector: String,
    /// The establishment's totals, year by year, up to the report's year (over the same months
    /// as it when it is partial).
    pub years: Vec<(i32, Totals)>,
    pub classes: Vec<ClassRow>,
    pub wards: Vec<(String, String, String, String)>,
    pub position: String,
    pub peer_box: Option<charts::Box>,
    pub aware: Vec<AwareShare>,
    /// Share of J01 DDD given parenterally, and its DDD over the J01 DDD.
    pub parenteral: String,
    pub parenteral_detail: String,
    /// The Access share against its targets.
    pub access_targets: Vec<String>,
    pub editions: String,
    /// What the figures of the year leave out (periods without days or without consumption).
    pub left_out: Option<LeftOutNote>,
    /// The substances no figure counts (no DDD in grams).
    pub unconverted: Option<String>,
}

/// The feedback of establishment `id` in `year` (`None`: not an establishment of the cube).
///
/// `peers`: the yearly totals of the region's establishments for the same ward type, when the
/// caller has them (a batch computes them once for all).
pub fn feedback(
    cube: &Cube,
    id: i64,
    year: i32,
    ward: Option<String>,
    peers: Option<&[UnitYear]>,
    lang: Lang,
) -> Option<Feedback> {
    let u = cube.units.get(cube.unit_index(id)?)?;
    let months = cube.partial(year);
    let own = Slice {
        unit: Some(id),
        ward: ward.clone(),
        months,
        ..Slice::default()
    };
    // A report stops at its year.
    let mut years = cube.years_total(&own);
    years.retain(|(y, _)| *y <= year);
    let this = years
        .iter()
        .find(|(y, _)| *y == year)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    // Peers: the same category in the region, same ward type.
    let computed;
    let peers = match peers {
        Some(p) => p,
        None => {
            computed = cube.unit_years(&Slice {
                category: Some(u.category.clone()),
                ward,
                months,
                ..Slice::default()
            });
            &computed
        }
    };
    let mut classes = class_rows(&years, year, &u.sector, lang);
    let mut peer_box = None;
    for (i, row) in classes.iter_mut().enumerate() {
        let ranked = ranked_among(cube, peers, i, year);
        if let Some(me) = ranked.iter().find(|r| cube.units[r.unit].id == id)
            && let Some(p) = &me.peers
        {
            row.median = decimal(Some(p.median), lang);
            row.iqr = format!(
                "{} – {}",
                decimal(Some(p.q1), lang),
                decimal(Some(p.q3), lang)
            );
            row.percentile = percentile(p.percentile, lang);
            if i == 0 {
                peer_box = Some(charts::Box {
                    label: Category::parse(&u.category)
                        .map_or(u.category.clone(), |c| c.label(lang).to_string()),
                    position: p.clone(),
                    marked: me.value.map(|v| (u.name.clone(), v)),
                });
            }
        }
    }
    let position = match &peer_box {
        Some(b) => {
            let (n, p) = (b.position.peers, percentile(b.position.percentile, lang));
            let median = decimal(Some(b.position.median), lang);
            let (q1, q3) = (
                decimal(Some(b.position.q1), lang),
                decimal(Some(b.position.q3), lang),
            );
            lang.pick(
                format!(
                    "Parmi {n} établissements de la même catégorie : médiane {median}, intervalle interquartile {q1} – {q3} ; l'établissement se situe au {p} percentile."
                ),
                format!(
                    "Among {n} establishments of the same category: median {median}, interquartile range {q1} – {q3}; this establishment is at the {p} percentile."
                ),
            )
        }
        None => lang
            .pick(
                "Pas de comparaison : aucun indicateur calculable pour cette année.",
                "No comparison: no computable figure for this year.",
            )
            .into(),
    };
    let wards = cube
        .wards_of(id, year)
        .into_iter()
        .map(|(w, t)| {
            (
                ward_label(&w, lang),
                decimal(t.per_1000_days(0), lang),
                decimal(t.per_100_admissions(0), lang),
                format!("{:.0}", t.patient_days),
            )
        })
        .collect();
    Some(Feedback {
        name: u.name.clone(),
        finess: u.finess.clone(),
        category: Category::parse(&u.category)
            .map_or(u.category.clone(), |c| c.label(lang).to_string()),
        year,
        period: period_label(cube, year, lang),
        previous_period: previous_label(cube, year, lang),
        unit: unit_label(&u.sector, lang),
        sector: u.sector.clone(),
        years,
        classes,
        wards,
        position,
        peer_box,
        aware: aware_view(&this, lang),
        parenteral: percent(this.parenteral_pct(), lang),
        parenteral_detail: parenteral_detail(&this, lang),
        access_targets: access_targets(this.aware_pct(Aware::Access), lang),
        editions: editions(cube, lang),
        left_out: left_out_note(cube, &own, year, lang),
        unconverted: unconverted_note(cube, &own, year, lang),
    })
}

/// The feedback report as a PDF: its year and the two before at most (never a later one),
/// each rate beside the DDD, days and admissions it is computed from.
pub fn report_pdf(fb: &Feedback, region: &str) -> Vec<u8> {
    let lang = Lang::Fr;
    let mut columns = vec!["Indicateur".to_string()];
    let shown: Vec<&(i32, Totals)> = fb
        .years
        .iter()
        .filter(|(y, _)| *y <= fb.year)
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let partial = fb.period != fb.year.to_string();
    columns.extend(shown.iter().map(|(y, _)| {
        if partial {
            format!("{y}*")
        } else {
            y.to_string()
        }
    }));
    columns.extend([
        "Évolution".into(),
        "DDJ/100 adm.".into(),
        "Médiane pairs".into(),
        "Q1 – Q3 pairs".into(),
        "Percentile".into(),
    ]);
    let mut rows: Vec<Vec<crate::pdf::Cell>> = CLASSES
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let row = &fb.classes[i];
            let mut cells: Vec<crate::pdf::Cell> = vec![(row.name.to_string(), None)];
            cells.extend(
                shown
                    .iter()
                    .map(|(_, t)| (decimal(t.per_1000_days(i), lang), None)),
            );
            let high = row
                .percentile
                .trim_end_matches('e')
                .parse::<f64>()
                .is_ok_and(|p| p >= 75.0);
            cells.push((row.change.clone(), None));
            cells.push((row.per_admissions.clone(), None));
            cells.push((row.median.clone(), None));
            cells.push((row.iqr.clone(), None));
            cells.push((row.percentile.clone(), high.then_some([0.99, 0.89, 0.69])));
            cells
        })
        .collect();
    // The numerators and denominators of the rates above.
    let days = if fb.sector == "EMS" {
        "Journées d'hébergement"
    } else {
        "Journées d'hospitalisation"
    };
    for (i, label) in ["DDJ J01 (numérateur)", days, "Admissions"]
        .into_iter()
        .enumerate()
    {
        let of = |t: &Totals| [t.classes[0], t.patient_days, t.admissions][i];
        let mut cells: Vec<crate::pdf::Cell> = vec![(label.to_string(), None)];
        cells.extend(shown.iter().map(|(_, t)| (thousands(of(t), lang), None)));
        cells.extend((0..5).map(|_| (String::new(), None)));
        rows.push(cells);
    }
    let aware: Vec<String> = fb
        .aware
        .iter()
        .map(|a| format!("{} {}", a.label, a.value))
        .collect();
    crate::pdf::TableReport {
        title: format!("Consommation d'antibiotiques {} — {}", fb.period, fb.name),
        lines: vec![
            format!("FINESS {} · {} · {} · indicateurs en {}", fb.finess, fb.category, geo::region(region).map_or("", |g| g.name), fb.unit),
            fb.position.clone(),
            format!("AWaRe (OMS, part des DDJ J01) : {}", aware.join(" · ")),
        ]
        .into_iter()
        .chain(fb.access_targets.iter().cloned())
        .chain([format!(
            "Voie parentérale : {} des DDJ J01 ({})",
            fb.parenteral, fb.parenteral_detail
        )])
        .chain(partial.then(|| format!(
            "* {} : chaque année sur les mêmes mois ; comparée à {}.",
            fb.period, fb.previous_period
        )))
        .chain(fb.unconverted.iter().map(|u| format!("Non compté — {u}")))
        .chain(fb.left_out.iter().map(|l| {
            format!("Exclu des indicateurs — {} {}", l.summary, l.items.join(" ; "))
        }))
        .collect(),
        columns,
        rows,
        footer: format!("Sources : {} · pairs = établissements de la même catégorie de la région · retour d'information CRAtb", fb.editions),
        boxes: fb.peer_box.iter().map(|b| crate::pdf::BoxRow {
            label: format!("{} (n = {})", b.label, b.position.peers),
            position: b.position.clone(),
            marked: b.marked.as_ref().map(|m| m.1),
        }).collect(),
        bars: None,
        comments: Some("Commentaires et recommandations de l'équipe multidisciplinaire en antibiothérapie (EMA)".into()),
    }
    .render()
}

/// A file name from an establishment's name.
pub fn file_name(fb: &Feedback) -> String {
    let slug: String = geo::fold(&fb.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "retour-consommation-{}-{}-{}.pdf",
        fb.year,
        fb.finess,
        slug.trim_matches('-')
    )
}

/// Every establishment's feedback report of a year, handed to `each` as (done, total, file
/// name, PDF); the peers' figures are computed once for all.
pub fn each_report<E>(
    cube: &Cube,
    region: &str,
    year: i32,
    each: impl FnMut(usize, usize, String, Vec<u8>) -> Result<(), E>,
) -> Result<usize, E> {
    each_report_of(cube, region, year, &|_| true, each)
}

/// [`each_report`] for the establishments `shown` lets through.
fn each_report_of<E>(
    cube: &Cube,
    region: &str,
    year: i32,
    shown: &dyn Fn(i64) -> bool,
    mut each: impl FnMut(usize, usize, String, Vec<u8>) -> Result<(), E>,
) -> Result<usize, E> {
    let peers = cube.unit_years(&Slice {
        months: cube.partial(year),
        ..Slice::default()
    });
    let ids: Vec<i64> = peers
        .iter()
        .filter(|u| u.year == year)
        .map(|u| cube.units[u.unit].id)
        .filter(|id| shown(*id))
        .collect();
    for (n, id) in ids.iter().enumerate() {
        if let Some(fb) = feedback(cube, *id, year, None, Some(&peers), Lang::Fr) {
            each(n + 1, ids.len(), file_name(&fb), report_pdf(&fb, region))?;
        }
    }
    Ok(ids.len())
}

/// Every establishment's report of a year that `shown` lets through, in one ZIP.
pub fn reports_zip(
    cube: &Cube,
    region: &str,
    year: i32,
    shown: impl Fn(i64) -> bool,
) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    each_report_of(cube, region, year, &shown, |_, _, name, pdf| {
        zip.start_file(name, opts)?;
        zip.write_all(&pdf)?;
        Ok::<(), zip::result::ZipError>(())
    })?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_consumption::Route;
    use cratb_consumption::cube::{Builder, Unit};
    use cratb_consumption::indicators::AwareTable;

    /// A hospital with yearly figures for 2023–2025 (100, 200, 300 DDD of amoxicillin, 60 DDD
    /// of ceftriaxone, over 1000 patient-days and 100 admissions) and colistin in grams in
    /// 2024.
    fn cube() -> Cube {
        let mut b = Builder::default();
        b.unit(Unit {
            id: 1,
            name: "CH Test".into(),
            finess: "380000001".into(),
            category: "CH".into(),
            sector: "ES".into(),
            department: "38".into(),
            territory: None,
        });
        for (i, year) in [2023, 2024, 2025].into_iter().enumerate() {
            let ddd = 100.0 * (i + 1) as f64;
            b.fact(1, year, None, "medicine", "J01CA04", Route::O, ddd);
            b.fact(1, year, None, "medicine", "J01DD04", Route::P, 60.0);
            b.days(1, year, None, "medicine", 1000.0, 100.0);
        }
        b.unconverted(1, 2024, None, "medicine", "J01XB01", Route::P, 12.0);
        b.build(
            &AwareTable::embedded(),
            vec!["WHOCC ATC/DDD Index 2026".into()],
        )
    }

    #[test]
    fn a_report_for_a_past_year_stops_at_its_year_and_gives_its_counts() {
        let cube = cube();
        let fb = feedback(&cube, 1, 2024, None, None, Lang::Fr).unwrap();
        let years: Vec<i32> = fb.years.iter().map(|(y, _)| *y).collect();
        assert_eq!(years, [2023, 2024]);
        assert_eq!(fb.period, "2024");
        // 260 DDD / 1000 days: the rate with its numerator and denominator.
        assert_eq!(fb.classes[0].value, "260,0");
        assert_eq!(
            fb.classes[0].detail,
            "260 DDJ / 1\u{202f}000 journées d'hospitalisation"
        );
        assert_eq!(fb.classes[0].detail_admissions, "260 DDJ / 100 admissions");
        let pdf = report_pdf(&fb, "84");
        let has = |t: &str| pdf.windows(t.len()).any(|w| w == t.as_bytes());
        assert!(has("(2023)") && has("(2024)"));
        assert!(!has("(2025)"), "a 2024 report shows no 2025 column");
        // The counts the rates are computed from: DDD, patient-days, admissions.
        assert!(has("(Admissions)") && has("(1 000)") && has("(260)"));
        // Colistin, in million units, is said to be left out.
        let note = fb.unconverted.as_deref().unwrap();
        assert!(
            note.starts_with(
                "1 substance sans DDD en grammes non comptée\u{a0}: J01XB01 colistin (P, 12 g)"
            ),
            "{note}"
        );
        // The Access share (100 of 160 DDD in 2023, 200 of 260 in 2024: 76,9 %) against both
        // targets.
        assert_eq!(
            fb.access_targets,
            [
                "Objectif du Conseil de l'UE pour 2030\u{a0}: au moins 65\u{a0}% d'Access — atteint (76,9\u{a0}%)",
                "Objectif de l'Assemblée générale des Nations unies (2024)\u{a0}: au moins 70\u{a0}% d'Access — atteint (76,9\u{a0}%)",
            ]
        );
        let fb = feedback(&cube, 1, 2023, None, None, Lang::En).unwrap();
        // 2023: 100 of 160 DDD, 62.5 %: 2.5 points below 65 %, 7.5 below 70 %.
        assert_eq!(
            fb.access_targets,
            [
                "Council of the EU target for 2030: at least 65 % Access — 2.5 points below (62.5\u{a0}%)",
                "UN General Assembly target (2024): at least 70 % Access — 7.5 points below (62.5\u{a0}%)",
            ]
        );
        assert_eq!(fb.aware[0].detail, "100 DDD / 160 J01 DDD");
    }

    #[test]
    fn prescriptions_are_read_against_the_2027_target() {
        assert_eq!(
            prescriptions_target(Some(862.44), Lang::Fr).unwrap(),
            "Objectif national 2027\u{a0}: au plus 650 prescriptions d'antibiotiques pour 1000 habitants par an — 212,4 au-dessus (862,4)"
        );
        assert_eq!(
            prescriptions_target(Some(600.0), Lang::En).unwrap(),
            "National target for 2027: at most 650 antibiotic prescriptions per 1000 inhabitants a year — reached (600.0)"
        );
        assert_eq!(prescriptions_target(None, Lang::Fr), None);
    }

    #[test]
    fn targets_are_listed_with_their_indicator_and_the_national_figure() {
        let mut set = Target::national("EMS", "J01M");
        set.national_value = Some(3.25);
        set.national_year = Some(2024);
        set.set_by = Some("coordination@demo.cratb.fr".into());
        let mut unknown = Target::national("ES", "X");
        unknown.national_value = Some(2.0);
        let lines = target_lines(vec![set, unknown, Target::national("ES", "J01")], Lang::Fr);
        assert_eq!(lines[0].indicator, "Fluoroquinolones et quinolones");
        // A tie, rounded away from zero as in the files (not to even).
        assert_eq!(lines[0].national, "3,3 (2024)");
        assert_eq!(lines[0].set_by, "coordination@demo.cratb.fr");
        assert_eq!(
            (lines[1].indicator, lines[1].national.as_str()),
            ("", "2,0")
        );
        assert_eq!(lines[2].national, "—");
        assert!(lines[2].describe.ends_with("(objectif national)"));
    }
}
