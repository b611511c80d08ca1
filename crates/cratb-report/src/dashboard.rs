//! A region's consumption dashboard, its figures written for people: each sector's headline
//! figure, the trend against the target, month by month, the ATC groups stacked, AWaRe and the
//! parenteral share, the classes, the substances most used, the establishments among their
//! peers, and the GHTs and departments against the region; its establishments' figures as a
//! file; and the choices the filters of the consumption screens offer.

use crate::charts::{self, Box as PeerBox};
use crate::consumption::{
    AwareShare, ClassRow, LeftOutNote, access_targets, aware_view, class_rows, days_word, editions,
    left_out_note, monthly_chart, parenteral_detail, per_year, period_label, previous_label, ratio,
    stacked_chart, trend_chart, unconverted_note, ward_label,
};
use crate::format::{self, decimal, percent, percentile};
use cratb_consumption::cube::{CLASSES, Cube, Slice, Totals, Unit, sum_years, unit_label};
use cratb_consumption::filters::Resolved;
use cratb_consumption::indicators::Aware;
use cratb_consumption::peers::{self, Ranked, change};
use cratb_consumption::targets::Target;
use cratb_domain::{Category, Lang, geo};
use cratb_sheet::write::{Cell, Table};

/// A sector's headline figure.
pub struct SectorCard {
    pub label: &'static str,
    pub unit: &'static str,
    pub value: String,
    /// The value's DDD and days (`12 345 DDJ / 67 890 journées d'hospitalisation`).
    pub detail: String,
    pub change: String,
    pub establishments: usize,
}

/// An establishment among its peers.
pub struct EstablishmentRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub value: String,
    pub per_admissions: String,
    pub change: String,
    pub median: String,
    pub percentile: String,
    /// Above the third quartile of its peers.
    pub high: bool,
}

/// A group of establishments (a GHT, a department) against the region.
pub struct TerritoryRow {
    /// The filter value that shows the group alone (`None`: outside any group).
    pub filter: Option<String>,
    pub name: String,
    pub establishments: usize,
    pub value: String,
    pub vs_region: String,
}

/// The dashboard of a region under the filters.
pub struct Dashboard {
    /// The region has no consumption at all.
    pub empty: bool,
    pub year: i32,
    /// The year as named: `2025`, or `janvier–mars 2026, partiel`.
    pub period: String,
    /// What it is compared with: `2024`, or `janvier–mars 2025`.
    pub previous_period: String,
    /// The year's data stop before its end (its figures are over its months only).
    pub partial: bool,
    pub unit: &'static str,
    pub class_name: &'static str,
    /// The GHT chosen.
    pub territory: Option<String>,
    /// The department chosen, as `name (code)`.
    pub department: Option<String>,
    pub cards: Vec<SectorCard>,
    pub trend: String,
    pub target_note: String,
    pub monthly: String,
    pub stacked: String,
    /// Box plots of the establishments' figures per category.
    pub peers: String,
    pub aware: Vec<AwareShare>,
    /// The Access share against its targets (EU 2030, UN 2024).
    pub access_targets: Vec<String>,
    pub parenteral: String,
    pub parenteral_detail: String,
    pub classes: Vec<ClassRow>,
    /// The ten substances most used: ATC code, name, DDD per 1000 days, its DDD and days.
    pub top: Vec<(String, String, String, String)>,
    /// The substances no figure counts (no DDD in grams), said.
    pub unconverted: Option<String>,
    pub establishments: Vec<EstablishmentRow>,
    pub territories: Vec<TerritoryRow>,
    pub departments: Vec<TerritoryRow>,
    pub editions: String,
    pub left_out: Option<LeftOutNote>,
}

/// The dashboard of `cube` under the filters `r`, its trend followed against `target`.
pub fn dashboard(cube: &Cube, r: &Resolved, target: &Target, lang: Lang) -> Dashboard {
    let sector = r.sector();
    // One pass over the facts for the slice; the years, the establishments and their peers
    // are all read from it.
    let unit_years = cube.unit_years(&r.slice);
    let years = sum_years(&unit_years);
    let this = years
        .iter()
        .find(|(y, _)| *y == r.year)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let unit = unit_label(sector, lang);
    let cname = CLASSES[r.class].name(lang);
    let (trend, target_note) = trend_chart(
        &per_year(&years, r.class),
        target,
        lang,
        &format!("{cname} — {unit}"),
    );
    let ranked = peers::ranked_among(cube, &unit_years, r.class, r.year);
    let boxes: Vec<PeerBox> = peers::categories(&ranked, cube)
        .into_iter()
        .map(|(c, p)| PeerBox {
            label: category_label(&c, lang),
            position: p,
            marked: None,
        })
        .collect();
    let peers = if boxes.is_empty() {
        String::new()
    } else {
        charts::box_plot(lang, &format!("{cname} {} — {unit}", r.year), &boxes)
    };
    let establishments = ranked
        .iter()
        .map(|x| establishment_row(cube, x, lang))
        .collect();
    // Groups are compared with the whole region (same sector, category and ward type).
    let whole_region = Slice {
        territory: None,
        department: None,
        ..r.slice.clone()
    };
    let region_value = if whole_region.territory == r.slice.territory
        && whole_region.department == r.slice.department
    {
        this.per_1000_days(r.class)
    } else {
        cube.years_total(&whole_region)
            .into_iter()
            .find(|(y, _)| *y == r.year)
            .and_then(|(_, t)| t.per_1000_days(r.class))
    };
    let territories = group_rows(
        cube,
        &ranked,
        r.class,
        region_value,
        |u| u.territory.clone().map(|t| (t.clone(), t)),
        lang.pick("Hors GHT", "No GHT"),
        lang,
    );
    let departments = group_rows(
        cube,
        &ranked,
        r.class,
        region_value,
        |u| Some((u.department.clone(), department_name(&u.department))),
        lang.pick("Inconnu", "Unknown"),
        lang,
    );
    Dashboard {
        empty: cube.is_empty(),
        year: r.year,
        period: period_label(cube, r.year, lang),
        previous_period: previous_label(cube, r.year, lang),
        partial: cube.partial(r.year).is_some(),
        unit,
        class_name: cname,
        territory: r.slice.territory.clone(),
        department: r
            .slice
            .department
            .as_deref()
            .and_then(geo::department)
            .map(|d| format!("{} ({})", d.name, d.code)),
        cards: sector_cards(cube, r.year, lang),
        access_targets: access_targets(this.aware_pct(Aware::Access), lang),
        parenteral_detail: parenteral_detail(&this, lang),
        unconverted: unconverted_note(cube, &r.slice, r.year, lang),
        trend,
        target_note,
        monthly: monthly_chart(cube, &r.slice, r.class, lang),
        stacked: stacked_chart(&years, lang),
        peers,
        aware: aware_view(&this, lang),
        parenteral: percent(this.parenteral_pct(), lang),
        classes: class_rows(&years, r.year, sector, lang),
        top: top_substances(cube, r, &this, lang),
        establishments,
        territories,
        departments,
        editions: editions(cube, lang),
        left_out: left_out_note(cube, &r.slice, r.year, lang),
    }
}

/// Each sector's J01 figure of `year`, its change from the year before (the same months of it
/// for a partial year) and how many establishments it counts (a sector without data that year
/// has no card).
fn sector_cards(cube: &Cube, year: i32, lang: Lang) -> Vec<SectorCard> {
    ["ES", "EMS"]
        .into_iter()
        .filter_map(|s| {
            let slice = Slice {
                sector: Some(s.into()),
                months: cube.partial(year),
                ..Slice::default()
            };
            let of_sector = cube.unit_years(&slice);
            let ys = sum_years(&of_sector);
            let totals = &ys.iter().find(|(y, _)| *y == year)?.1;
            let now = totals.per_1000_days(0);
            let before = ys
                .iter()
                .find(|(y, _)| *y == year - 1)
                .and_then(|(_, t)| t.per_1000_days(0));
            Some(SectorCard {
                label: if s == "ES" {
                    lang.pick("Établissements de santé", "Hospitals")
                } else {
                    lang.pick("Établissements médico-sociaux", "Nursing homes")
                },
                unit: unit_label(s, lang),
                value: decimal(now, lang),
                detail: ratio(
                    totals.classes[0],
                    totals.patient_days,
                    days_word(s, lang),
                    lang,
                ),
                change: format::change(change(before, now), lang),
                establishments: of_sector.iter().filter(|u| u.year == year).count(),
            })
        })
        .collect()
}

/// The ten substances most used in the slice and year, with their names (French INN in French,
/// the newest WHO index's in English) and their DDD per 1000 days.
fn top_substances(
    cube: &Cube,
    r: &Resolved,
    this: &Totals,
    lang: Lang,
) -> Vec<(String, String, String, String)> {
    let names = cratb_consumption::DddTable::embedded(cratb_consumption::ddd::LATEST);
    cube.top_substances(&r.slice, r.year, 10)
        .into_iter()
        .map(|(atc, ddd)| {
            let english = names
                .as_ref()
                .and_then(|t| t.name(&atc))
                .unwrap_or_default();
            let name = cratb_amr::names::atc_name(&atc, english, lang);
            let per = (this.patient_days > 0.0).then(|| 1000.0 * ddd / this.patient_days);
            let detail = ratio(ddd, this.patient_days, days_word(r.sector(), lang), lang);
            (atc, name, decimal(per, lang), detail)
        })
        .collect()
}

/// A category's name (the code itself for one unknown).
fn category_label(code: &str, lang: Lang) -> String {
    Category::parse(code).map_or(code.to_string(), |c| c.label(lang).to_string())
}

/// A department as `name (code)` (the code alone for one unknown).
fn department_name(code: &str) -> String {
    geo::department(code).map_or(code.to_string(), |d| format!("{} ({})", d.name, d.code))
}

fn establishment_row(cube: &Cube, x: &Ranked, lang: Lang) -> EstablishmentRow {
    let u = &cube.units[x.unit];
    EstablishmentRow {
        id: u.id,
        name: u.name.clone(),
        category: category_label(&u.category, lang),
        value: decimal(x.value, lang),
        per_admissions: decimal(x.per_admissions, lang),
        change: format::change(change(x.previous, x.value), lang),
        median: decimal(x.peers.as_ref().map(|p| p.median), lang),
        percentile: percentile(x.peers.as_ref().and_then(|p| p.percentile), lang),
        high: matches!((x.value, &x.peers), (Some(v), Some(p)) if p.peers >= 4 && v > p.q3),
    }
}

/// Each group's figure against the region's (groups: GHTs, departments): `key` gives a unit's
/// group as (filter value, name), or `None` for the units outside any.
fn group_rows(
    cube: &Cube,
    ranked: &[Ranked],
    class: usize,
    region: Option<f64>,
    key: impl Fn(&Unit) -> Option<(String, String)>,
    outside: &str,
    lang: Lang,
) -> Vec<TerritoryRow> {
    let mut by: Vec<(Option<String>, String, usize, Totals)> = Vec::new();
    for x in ranked {
        let (value, name) = match key(&cube.units[x.unit]) {
            Some((v, n)) => (Some(v), n),
            None => (None, outside.to_string()),
        };
        match by.iter_mut().find(|(_, n, _, _)| *n == name) {
            Some((_, _, n, t)) => {
                *n += 1;
                t.classes
                    .iter_mut()
                    .zip(&x.totals.classes)
                    .for_each(|(a, b)| *a += b);
                t.patient_days += x.totals.patient_days;
            }
            None => by.push((value, name, 1, x.totals.clone())),
        }
    }
    by.sort_by(|a, b| a.1.cmp(&b.1));
    by.into_iter()
        .map(|(filter, name, n, t)| {
            let v = t.per_1000_days(class);
            TerritoryRow {
                filter,
                name,
                establishments: n,
                value: decimal(v, lang),
                vs_region: format::change(change(region, v), lang),
            }
        })
        .collect()
}

/// The establishments' figures of every class under the filters (their peers' median and
/// their percentile beside), and a sheet naming the sources and the unit.
/// Only the establishments `shown` names are listed.
pub fn establishments_tables(
    cube: &Cube,
    r: &Resolved,
    lang: Lang,
    shown: impl Fn(i64) -> bool,
) -> [Table; 2] {
    let mut rows = Vec::new();
    let all = cube.unit_years(&r.slice);
    for (class, c) in CLASSES.iter().enumerate() {
        for x in peers::ranked_among(cube, &all, class, r.year) {
            let u = &cube.units[x.unit];
            if !shown(u.id) {
                continue;
            }
            rows.push(vec![
                Cell::from(u.finess.as_str()),
                Cell::from(u.name.as_str()),
                Cell::from(u.category.as_str()),
                Cell::from(u.territory.clone()),
                Cell::Integer(r.year.into()),
                Cell::from(c.code),
                Cell::from(Some(x.totals.classes[class])),
                Cell::from(Some(x.totals.patient_days)),
                Cell::from(x.value),
                Cell::from(Some(x.totals.admitted[class])),
                Cell::from(Some(x.totals.admissions)),
                Cell::from(x.per_admissions),
                Cell::from(x.peers.as_ref().map(|p| p.median)),
                Cell::from(x.peers.as_ref().and_then(|p| p.percentile)),
            ]);
            // J01's rows carry the numerators of the AWaRe and parenteral shares.
            let j01 = class == 0;
            let share = |ddd: f64| Cell::from(j01.then_some(ddd));
            let last = rows.last_mut().expect("just pushed");
            last.extend((0..4).map(|a| share(x.totals.aware[a])));
            last.push(share(x.totals.j01_parenteral));
        }
    }
    [
        Table::new(
            "Consommation",
            [
                "finess",
                "etablissement",
                "categorie",
                "ght",
                "annee",
                "classe",
                "ddj",
                "journees",
                "ddj_1000_journees",
                "ddj_avec_admissions",
                "admissions",
                "ddj_100_admissions",
                "mediane_pairs",
                "percentile_pairs",
                "ddj_access",
                "ddj_watch",
                "ddj_reserve",
                "ddj_non_classees",
                "ddj_parenterales",
            ],
            rows,
        ),
        Table::new(
            "Sources",
            ["source"],
            vec![
                vec![Cell::from(editions(cube, lang))],
                vec![Cell::from(unit_label(r.sector(), lang))],
            ],
        ),
    ]
}

/// What the filters of the consumption screens offer, as (value, label) pairs: the first of
/// categories, ward types, GHTs and departments is the empty value (all of them).
pub struct Choices {
    pub sectors: [(&'static str, &'static str); 2],
    /// The categories of the sector that the region's data holds.
    pub categories: Vec<(String, String)>,
    pub wards: Vec<(String, String)>,
    pub classes: Vec<(&'static str, &'static str)>,
    pub territories: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
}

/// The choices of the filters over `cube`, for the figures of `sector`.
pub fn choices(cube: &Cube, sector: &str, lang: Lang) -> Choices {
    let all = || (String::new(), lang.pick("Tous", "All").to_string());
    let mut categories = vec![all()];
    for c in Category::ALL.iter().filter(|c| c.sector().code() == sector) {
        if cube.units.iter().any(|u| u.category == c.code()) {
            categories.push((c.code().into(), c.label(lang).into()));
        }
    }
    let mut wards = vec![all()];
    wards.extend(cube.wards().into_iter().map(|w| {
        let label = ward_label(&w, lang);
        (w, label)
    }));
    let mut names: Vec<&str> = cube
        .units
        .iter()
        .filter_map(|u| u.territory.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut territories = vec![(
        String::new(),
        lang.pick("Toute la région", "Whole region").to_string(),
    )];
    territories.extend(names.into_iter().map(|t| (t.to_string(), t.to_string())));
    let mut codes: Vec<&str> = cube.units.iter().map(|u| u.department.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut departments = vec![all()];
    departments.extend(codes.into_iter().map(|d| {
        let name = geo::department(d).map_or(d.to_string(), |x| format!("{} ({d})", x.name));
        (d.to_string(), name)
    }));
    Choices {
        sectors: [
            (
                "ES",
                lang.pick("Établissements de santé (ES)", "Hospitals (ES)"),
            ),
            (
                "EMS",
                lang.pick("Établissements médico-sociaux (EMS)", "Nursing homes (EMS)"),
            ),
        ],
        categories,
        wards,
        classes: CLASSES.iter().map(|c| (c.code, c.name(lang))).collect(),
        territories,
        departments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_consumption::Route;
    use cratb_consumption::cube::Builder;
    use cratb_consumption::filters::Asked;
    use cratb_consumption::indicators::AwareTable;

    /// Four hospitals of two departments (one in a GHT) and a nursing home, over two years.
    fn cube() -> Cube {
        let mut b = Builder::default();
        for (id, category, sector, department) in [
            (1, "CH", "ES", "38"),
            (2, "CH", "ES", "38"),
            (3, "CH", "ES", "73"),
            (4, "CH", "ES", "73"),
            (5, "EHPAD", "EMS", "73"),
        ] {
            b.unit(Unit {
                id,
                name: format!("E{id}"),
                finess: format!("38000000{id}"),
                category: category.into(),
                sector: sector.into(),
                department: department.into(),
                territory: (id == 1).then(|| "GHT Alpes".to_string()),
            });
            for year in [2024, 2025] {
                let ddd = 100.0 * id as f64 * if year == 2025 { 1.1 } else { 1.0 };
                b.fact(id, year, Some(1), "medicine", "J01CA04", Route::O, ddd);
                b.days(id, year, Some(1), "medicine", 1000.0, 10.0);
            }
        }
        b.build(
            &AwareTable::embedded(),
            vec!["WHOCC ATC/DDD Index 2026".into()],
        )
    }

    #[test]
    fn the_dashboard_shows_sectors_establishments_and_groups_against_the_region() {
        let cube = cube();
        let r = Resolved::of(&cube, &Asked::default());
        let d = dashboard(&cube, &r, &Target::national("ES", "J01"), Lang::Fr);
        assert_eq!((d.year, d.unit, d.empty), (2025, "DDJ/1000 JH", false));
        let cards: Vec<(&str, usize, &str)> = d
            .cards
            .iter()
            .map(|c| (c.label, c.establishments, c.change.as_str()))
            .collect();
        assert_eq!(
            cards,
            [
                ("Établissements de santé", 4, "+10,0\u{a0}%"),
                ("Établissements médico-sociaux", 1, "+10,0\u{a0}%")
            ]
        );
        // The hospitals only, by name, the fourth above its peers' third quartile.
        let names: Vec<&str> = d.establishments.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["E1", "E2", "E3", "E4"]);
        assert_eq!(d.establishments[0].value, "110,0");
        assert!(d.establishments[3].high && !d.establishments[2].high);
        // Groups against the region (275 DDD per 1000 days).
        let ght: Vec<(&str, usize, &str)> = d
            .territories
            .iter()
            .map(|t| (t.name.as_str(), t.establishments, t.vs_region.as_str()))
            .collect();
        assert_eq!(
            ght,
            [
                ("GHT Alpes", 1, "−60,0\u{a0}%"),
                ("Hors GHT", 3, "+20,0\u{a0}%")
            ]
        );
        assert_eq!(d.territories[1].filter, None);
        assert_eq!(d.departments[0].name, "Isère (38)");
        assert_eq!(d.departments[0].filter.as_deref(), Some("38"));
        // No data for the baseline year of the national target: said.
        assert!(
            d.target_note
                .starts_with("Pas de données pour l'année de référence 2019")
        );
        assert!(d.editions.contains("WHOCC ATC/DDD Index 2026"));
        assert!(d.left_out.is_none());
        // A department chosen: named, and its establishments against the whole region.
        let r = Resolved::of(
            &cube,
            &Asked {
                department: Some("38"),
                ..Asked::default()
            },
        );
        let d = dashboard(&cube, &r, &Target::national("ES", "J01"), Lang::En);
        assert_eq!(d.department.as_deref(), Some("Isère (38)"));
        assert_eq!(d.establishments.len(), 2);
        assert_eq!(d.departments[0].vs_region, "−40.0\u{a0}%");
    }

    #[test]
    fn the_substances_most_used_are_named_in_the_reader_s_language() {
        let cube = cube();
        let r = Resolved::of(&cube, &Asked::default());
        let target = Target::national("ES", "J01");
        let fr = dashboard(&cube, &r, &target, Lang::Fr);
        assert_eq!(
            (fr.top[0].0.as_str(), fr.top[0].1.as_str()),
            ("J01CA04", "amoxicilline")
        );
        let en = dashboard(&cube, &r, &target, Lang::En);
        assert_eq!(en.top[0].1, "amoxicillin");
    }

    #[test]
    fn a_year_ending_in_march_is_labelled_and_compared_with_the_same_months() {
        let mut b = Builder::default();
        b.unit(Unit {
            id: 1,
            name: "E1".into(),
            finess: "380000001".into(),
            category: "CH".into(),
            sector: "ES".into(),
            department: "38".into(),
            territory: None,
        });
        // 2025: 40 DDD a month in January–March, 10 after, over 100 days a month;
        // 2026: January–March only, 30 DDD a month.
        for m in 1..=12 {
            let ddd = if m <= 3 { 40.0 } else { 10.0 };
            b.fact(1, 2025, Some(m), "medicine", "J01CA04", Route::O, ddd);
            b.days(1, 2025, Some(m), "medicine", 100.0, 10.0);
        }
        for m in 1..=3 {
            b.fact(1, 2026, Some(m), "medicine", "J01CA04", Route::O, 30.0);
            b.days(1, 2026, Some(m), "medicine", 100.0, 10.0);
        }
        b.unconverted(1, 2026, Some(1), "medicine", "J01EE01", Route::O, 96.0);
        let cube = b.build(&AwareTable::embedded(), vec![]);
        let target = Target::national("ES", "J01");
        // By default, the last complete year.
        let r = Resolved::of(&cube, &Asked::default());
        let d = dashboard(&cube, &r, &target, Lang::Fr);
        assert_eq!(
            (d.year, d.period.as_str(), d.partial),
            (2025, "2025", false)
        );
        assert_eq!(d.cards[0].value, "175,0");
        assert_eq!(
            d.cards[0].detail,
            "210 DDJ / 1\u{202f}200 journées d'hospitalisation"
        );
        assert!(d.unconverted.is_none());
        // The partial year: labelled, over its three months, against January–March 2025
        // (120 DDD / 300 days = 400), never against the whole of 2025 (175).
        let r = Resolved::of(
            &cube,
            &Asked {
                year: Some(2026),
                ..Asked::default()
            },
        );
        let d = dashboard(&cube, &r, &target, Lang::Fr);
        assert_eq!(d.period, "janvier–mars 2026, partiel");
        assert_eq!(d.previous_period, "janvier–mars 2025");
        assert!(d.partial);
        assert_eq!(d.cards[0].value, "300,0");
        assert_eq!(d.cards[0].change, "−25,0\u{a0}%");
        assert_eq!(
            (d.classes[0].value.as_str(), d.classes[0].previous.as_str()),
            ("300,0", "400,0")
        );
        assert_eq!(
            d.classes[0].detail,
            "90 DDJ / 300 journées d'hospitalisation"
        );
        assert_eq!(
            d.top[0],
            (
                "J01CA04".to_string(),
                "amoxicilline".to_string(),
                "300,0".to_string(),
                "90 DDJ / 300 journées d'hospitalisation".to_string()
            )
        );
        // Co-trimoxazole, whose DDD is in unit doses, is said to be left out of the shares.
        assert_eq!(
            d.unconverted.as_deref(),
            Some(
                "1 substance sans DDD en grammes non comptée\u{a0}: J01EE01 sulfamethoxazole and trimethoprim (O, 96 g)"
            )
        );
        assert_eq!(d.aware[0].detail, "90 DDJ / 90 DDJ J01");
        assert!(
            d.access_targets[0].ends_with("atteint (100,0\u{a0}%)"),
            "{:?}",
            d.access_targets
        );
        let en = dashboard(&cube, &r, &target, Lang::En);
        assert_eq!(en.period, "January–March 2026, partial");
    }

    #[test]
    fn the_export_has_a_row_per_establishment_and_class_and_names_its_sources() {
        let cube = cube();
        let r = Resolved::of(&cube, &Asked::default());
        let [figures, sources] = establishments_tables(&cube, &r, Lang::Fr, |_| true);
        let csv = String::from_utf8(cratb_sheet::write::csv(
            &figures,
            cratb_sheet::write::Csv::COMMA,
        ))
        .unwrap();
        assert_eq!(csv.lines().count(), 1 + 4 * CLASSES.len());
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .starts_with("380000001,E1,CH,GHT Alpes,2025,J01,110")
        );
        // Every rate's numerator and denominator are columns; J01's rows carry the AWaRe and
        // parenteral DDD (amoxicillin oral: all Access).
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        for c in [
            "ddj",
            "journees",
            "ddj_avec_admissions",
            "admissions",
            "ddj_access",
            "ddj_parenterales",
        ] {
            assert!(header.contains(&c), "{c}");
        }
        let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        let at = |c: &str| first[header.iter().position(|h| *h == c).unwrap()];
        assert_eq!(
            (at("ddj_access"), at("ddj_watch"), at("ddj_parenterales")),
            ("110", "0", "0")
        );
        let csv = String::from_utf8(cratb_sheet::write::csv(
            &sources,
            cratb_sheet::write::Csv::COMMA,
        ))
        .unwrap();
        assert!(csv.contains("DDJ : WHOCC ATC/DDD Index 2026") && csv.contains("DDJ/1000 JH"));
    }

    #[test]
    fn the_filters_offer_what_the_data_holds() {
        let cube = cube();
        let c = choices(&cube, "EMS", Lang::En);
        assert_eq!(
            c.categories,
            [
                (String::new(), "All".into()),
                ("EHPAD".into(), "Nursing home (EHPAD)".into())
            ]
        );
        assert_eq!(c.wards[1].0, "medicine");
        let territories: Vec<&str> = c.territories.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(territories, ["Whole region", "GHT Alpes"]);
        let departments: Vec<&str> = c.departments.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(departments, ["", "38", "73"]);
        assert_eq!(c.classes.len(), CLASSES.len());
    }
}
