//! Primary care (ville) written for people: DDD per 1000 inhabitants per day and prescriptions
//! per 1000 inhabitants of the region, its departments and its CPTS; the twelve ESAC-Net
//! quality indicators and the AWaRe shares of the territory chosen, its trend against the
//! target, month by month, and its use by age, sex and prescriber.

use crate::charts;
use crate::consumption::{access_targets, prescriptions_target, trend_chart};
use crate::format::{self, decimal, thousands};
use cratb_consumption::hospital::Period;
use cratb_consumption::indicators::{self, AwareTable, EsacIndicators, MonthlyDdd};
use cratb_consumption::peers::change;
use cratb_consumption::primary::{PrimaryData, monthly_did, population, rows_of, year_of, years};
use cratb_consumption::targets::Target;
use cratb_domain::Lang;
use std::collections::BTreeSet;

/// A territory's year.
pub struct TerritoryLine {
    /// Its key (`region`, `dep:38`, `cpts:12`).
    pub key: String,
    pub name: String,
    pub population: String,
    /// DDD per 1000 inhabitants per day.
    pub did: String,
    pub prescriptions: String,
    pub vs_region: String,
}

/// An ESAC-Net indicator.
pub struct EsacLine {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
}

/// The primary-care screen of a region.
pub struct PrimaryCare {
    /// The years with dispensations.
    pub data_years: BTreeSet<i32>,
    pub year: i32,
    /// The territory chosen (its key; the region by default) and its name.
    pub territory: String,
    pub territory_name: String,
    /// No dispensations at all.
    pub empty: bool,
    /// Said when the year's dispensations cover part of it only.
    pub coverage: Option<String>,
    /// The region first, then its departments and CPTS.
    pub lines: Vec<TerritoryLine>,
    pub esac: Vec<EsacLine>,
    pub aware: Vec<(&'static str, String)>,
    /// The Access share against its targets (EU 2030, UN 2024).
    pub access_targets: Vec<String>,
    /// The territory's prescriptions per 1000 inhabitants against France's 2027 target, where
    /// prescriptions are known.
    pub prescriptions_target: Option<String>,
    pub trend: String,
    pub target_note: String,
    pub monthly: String,
    /// The shares of DDD by age, sex and prescriber.
    pub breakdown: Vec<(&'static str, Vec<(String, String)>)>,
    pub editions: String,
}

/// The year shown when the region has no dispensations.
const NO_DATA_YEAR: i32 = 2025;

/// The screen over `data` for the year and territory asked (a year without data: the latest;
/// an unknown territory: the region), its J01 trend followed against `target`.
pub fn primary_care(
    data: &PrimaryData,
    year: Option<i32>,
    territory: Option<&str>,
    target: &Target,
    lang: Lang,
) -> PrimaryCare {
    let data_years = years(data);
    let year = year
        .filter(|y| data_years.contains(y))
        .or(data_years.last().copied())
        .unwrap_or(NO_DATA_YEAR);
    let territory = territory
        .map(str::trim)
        .filter(|t| !t.is_empty() && data.names.contains_key(*t))
        .unwrap_or("region")
        .to_string();
    let rows = rows_of(data, &territory);
    let inhabitants = population(data, &territory, year).unwrap_or(0.0);
    let esac = indicators::esac(&rows, inhabitants, year);
    let this_year: Vec<MonthlyDdd> = rows
        .iter()
        .filter(|r| r.period.year == year)
        .cloned()
        .collect();
    let aware_table = AwareTable::embedded();
    let shares = indicators::aware_shares(&this_year, &aware_table);
    let pct = |x: Option<f64>| format::percent(x, lang);
    let aware = vec![
        (lang.pick("Accès", "Access"), pct(shares.access)),
        ("Watch", pct(shares.watch)),
        (lang.pick("Réserve", "Reserve"), pct(shares.reserve)),
        (
            lang.pick("Non classés", "Unclassified"),
            pct(shares.unclassified),
        ),
    ];
    let points: Vec<(i32, Option<f64>)> = data_years
        .iter()
        .map(|y| (*y, year_of(data, &territory, *y).and_then(|t| t.did())))
        .collect();
    let unit = lang.pick("DDJ/1000 habitants/jour", "DDD/1000 inhabitants/day");
    let (trend, target_note) = trend_chart(&points, target, lang, &format!("J01 — {unit}"));
    PrimaryCare {
        year,
        territory_name: data.names.get(&territory).cloned().unwrap_or_default(),
        empty: data.ddd.is_empty(),
        coverage: coverage(data, year, lang),
        lines: territory_lines(data, year, lang),
        esac: esac_lines(&esac, lang),
        aware,
        access_targets: access_targets(shares.access, lang),
        // A year's prescriptions against a yearly target: only over the whole year.
        prescriptions_target: prescriptions_target(
            year_of(data, &territory, year)
                .filter(|t| {
                    t.days >= indicators::days_covered([Period { year, month: None }], year)
                })
                .and_then(|t| t.prescriptions_per_1000()),
            lang,
        ),
        trend,
        target_note,
        monthly: monthly_chart(data, &territory, lang),
        breakdown: breakdown(data, &territory, year, lang),
        editions: format!(
            "ESAC-Net (Coenen et al., Qual Saf Health Care 2007) · {}",
            aware_table.edition
        ),
        territory,
        data_years,
    }
}

/// Said when the region's dispensations of `year` cover part of it only.
fn coverage(data: &PrimaryData, year: i32, lang: Lang) -> Option<String> {
    let whole_year = indicators::days_covered([Period { year, month: None }], year);
    year_of(data, "region", year)
        .filter(|t| t.days < whole_year)
        .map(|t| {
            let days = t.days;
            lang.pick(
                format!(
                    "{year} : les délivrances couvrent {days} jours de l'année ; les DDJ/1000 habitants/jour sont calculées sur ces jours."
                ),
                format!(
                    "{year}: the dispensations cover {days} days of the year; DDD per 1000 inhabitants per day are over those days."
                ),
            )
        })
}

/// Every territory's year, the region first, each against the region.
fn territory_lines(data: &PrimaryData, year: i32, lang: Lang) -> Vec<TerritoryLine> {
    let region_did = year_of(data, "region", year).and_then(|t| t.did());
    let mut keys: Vec<(&String, &String)> = data.names.iter().collect();
    keys.sort_by_key(|(k, _)| *k != "region");
    keys.into_iter()
        .filter_map(|(key, name)| {
            let t = year_of(data, key, year)?;
            Some(TerritoryLine {
                key: key.clone(),
                name: name.clone(),
                population: t.population.map_or("—".into(), |p| thousands(p, lang)),
                did: decimal(t.did(), lang),
                prescriptions: decimal(t.prescriptions_per_1000(), lang),
                vs_region: if key == "region" {
                    String::new()
                } else {
                    format::change(change(region_did, t.did()), lang)
                },
            })
        })
        .collect()
}

/// The territory's DDD per 1000 inhabitants per day month by month, where months are given
/// (empty otherwise).
fn monthly_chart(data: &PrimaryData, territory: &str, lang: Lang) -> String {
    let points: Vec<(String, Option<f64>)> = monthly_did(data, territory)
        .into_iter()
        .map(|(y, m, did)| (format!("{m:02}/{}", y % 100), did))
        .collect();
    if points.is_empty() {
        return String::new();
    }
    charts::line(
        lang,
        lang.pick("Mois par mois", "Month by month"),
        &points,
        &[],
    )
}

/// The territory's DDD of `year` shared by age, sex and prescriber, where given.
fn breakdown(
    data: &PrimaryData,
    territory: &str,
    year: i32,
    lang: Lang,
) -> Vec<(&'static str, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for (what, fr, english) in [
        ("age", "Âge", "Age"),
        ("sex", "Sexe", "Sex"),
        ("prescriber", "Prescripteur", "Prescriber"),
    ] {
        let rows: Vec<&(String, i32, &str, String, f64)> = data
            .breakdown
            .iter()
            .filter(|b| b.0 == territory && b.1 == year && b.2 == what)
            .collect();
        let total: f64 = rows.iter().map(|b| b.4).sum();
        if total > 0.0 {
            out.push((
                lang.pick(fr, english),
                rows.iter()
                    .map(|b| {
                        (
                            b.3.clone(),
                            format::percent(Some(100.0 * b.4 / total), lang),
                        )
                    })
                    .collect(),
            ));
        }
    }
    out
}

/// The twelve ESAC-Net indicators with their names and units.
pub fn esac_lines(e: &EsacIndicators, lang: Lang) -> Vec<EsacLine> {
    let did = lang.pick("DDJ/1000 habitants/jour", "DDD/1000 inhabitants/day");
    let line =
        |fr: &'static str, en: &'static str, value: Option<f64>, unit: &'static str| EsacLine {
            label: lang.pick(fr, en),
            value: decimal(value, lang),
            unit,
        };
    vec![
        line(
            "J01 — antibactériens (total)",
            "J01 — antibacterials (total)",
            e.j01_did,
            did,
        ),
        line("J01C — pénicillines", "J01C — penicillins", e.j01c_did, did),
        line(
            "J01D — céphalosporines et autres bêta-lactamines",
            "J01D — cephalosporins and other beta-lactams",
            e.j01d_did,
            did,
        ),
        line(
            "J01F — macrolides, lincosamides, streptogramines",
            "J01F — macrolides, lincosamides, streptogramins",
            e.j01f_did,
            did,
        ),
        line("J01M — quinolones", "J01M — quinolones", e.j01m_did, did),
        line(
            "Part des pénicillines sensibles aux bêta-lactamases (J01CE)",
            "Share of beta-lactamase-sensitive penicillins (J01CE)",
            e.j01ce_pct,
            "%",
        ),
        line(
            "Part des associations avec inhibiteur (J01CR)",
            "Share of combinations with inhibitors (J01CR)",
            e.j01cr_pct,
            "%",
        ),
        line(
            "Part des céphalosporines de 3e et 4e génération (J01DD+J01DE)",
            "Share of 3rd and 4th generation cephalosporins (J01DD+J01DE)",
            e.j01dd_de_pct,
            "%",
        ),
        line(
            "Part des fluoroquinolones (J01MA)",
            "Share of fluoroquinolones (J01MA)",
            e.j01ma_pct,
            "%",
        ),
        line(
            "Rapport large / étroit spectre",
            "Broad / narrow spectrum ratio",
            e.broad_narrow_ratio,
            "",
        ),
        line(
            "Variation saisonnière J01",
            "Seasonal variation J01",
            e.j01_seasonal_variation,
            "%",
        ),
        line(
            "Variation saisonnière J01M",
            "Seasonal variation J01M",
            e.j01m_seasonal_variation,
            "%",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_consumption::primary::Dispensed;

    /// Two departments over January to June 2024, one of them with a population.
    fn data() -> PrimaryData {
        let mut data = PrimaryData::default();
        for (key, name) in [
            ("region", "Auvergne-Rhône-Alpes"),
            ("dep:38", "Isère (38)"),
            ("dep:73", "Savoie (73)"),
        ] {
            data.names.insert(key.into(), name.into());
        }
        for month in 1..=6 {
            for (territory, ddd) in [("dep:38", 3100.0), ("dep:73", 1550.0)] {
                data.ddd.push(Dispensed {
                    territory: territory.into(),
                    year: 2024,
                    month,
                    atc: "J01CA04".into(),
                    ddd,
                    prescriptions: 10.0,
                });
            }
        }
        data.populations.insert(("dep:38".into(), 2024), 1000.0);
        data.populations.insert(("dep:73".into(), 2024), 1000.0);
        data.breakdown
            .push(("dep:38".into(), 2024, "sex", "F".into(), 30.0));
        data.breakdown
            .push(("dep:38".into(), 2024, "sex", "M".into(), 10.0));
        data
    }

    #[test]
    fn the_region_first_then_its_territories_against_it() {
        let data = data();
        let target = Target::national("VILLE", "J01");
        let v = primary_care(&data, Some(1990), Some("nowhere"), &target, Lang::Fr);
        assert_eq!((v.year, v.territory.as_str()), (2024, "region"));
        assert_eq!(v.territory_name, "Auvergne-Rhône-Alpes");
        let keys: Vec<&str> = v.lines.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["region", "dep:38", "dep:73"]);
        // Half a year of data: said, and the DDD per 1000 inhabitants per day are over it.
        assert!(
            v.coverage
                .as_deref()
                .unwrap()
                .starts_with("2024 : les délivrances couvrent 182 jours")
        );
        assert_eq!(v.lines[1].vs_region, "+33,3\u{a0}%");
        assert_eq!(v.lines[0].vs_region, "");
        assert_eq!(v.esac.len(), 12);
        assert_eq!(v.aware[0].1, "100,0\u{a0}%");
        assert!(!v.monthly.is_empty());
        assert!(v.breakdown.is_empty());
        let v = primary_care(&data, Some(2024), Some("dep:38"), &target, Lang::En);
        assert_eq!(v.territory_name, "Isère (38)");
        assert_eq!(v.breakdown[0].0, "Sex");
        assert_eq!(
            v.breakdown[0].1[0],
            ("F".to_string(), "75.0\u{a0}%".to_string())
        );
        assert_eq!(v.esac[5].unit, "%");
    }
}
