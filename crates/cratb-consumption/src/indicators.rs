//! Population indicators of antibiotic use: the ESAC-Net quality indicators for primary care
//! and the WHO AWaRe shares.
//!
//! ESAC-Net drug-specific quality indicators: Coenen S, Ferech M, Haaijer-Ruskamp FM, et al.
//! "European Surveillance of Antimicrobial Consumption (ESAC): quality indicators for outpatient
//! antibiotic use in Europe", Qual Saf Health Care 2007;16:440–445
//! (doi:10.1136/qshc.2006.021121), as ECDC publishes them for ESAC-Net:
//! - J01, J01C, J01D, J01F, J01M in DDD per 1000 inhabitants per day (DID);
//! - the shares of J01CE (β-lactamase-sensitive penicillins), J01CR (combinations of penicillins
//!   with β-lactamase inhibitors), J01DD+J01DE (third- and fourth-generation cephalosporins) and
//!   J01MA (fluoroquinolones) in J01, in %;
//! - the ratio of broad- to narrow-spectrum penicillins, cephalosporins and macrolides:
//!   (J01CR + J01DC + J01DD + (J01F − J01FA01)) / (J01CE + J01DB + J01FA01);
//! - the seasonal variation of J01 and of J01M over a July–June year, each quarter in DID:
//!   ((Q4 + Q1) / (Q2 + Q3) − 1) × 100, in % (Q3 = July–September and Q4 = October–December
//!   of the previous year, Q1 = January–March and Q2 = April–June of the year).
//!
//! AWaRe: WHO, "The WHO AWaRe (Access, Watch, Reserve) antibiotic book", classification 2023
//! (WHO/MHP/HPS/EML/2023.04); a J01 substance absent from the list is "Unclassified", never
//! counted as Access.

use crate::ddd::Route;
use crate::hospital::Period;
use std::collections::HashMap;
use std::io::Read;

/// DDD of one ATC code in one month of a population (a territory's dispensations).
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyDdd {
    pub period: Period,
    pub atc: String,
    pub route: Option<Route>,
    pub ddd: f64,
}

/// Days in a month, leap years included.
pub fn days_in_month(year: i32, month: u8) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The days of `year` that `periods` cover: the whole year if one of them is the year itself,
/// else the days of the distinct months present — the person-time a population's DDD are
/// divided by, so that a year of six months of data is not read as half the use.
pub fn days_covered(periods: impl IntoIterator<Item = Period>, year: i32) -> f64 {
    let mut months = [false; 13];
    for p in periods.into_iter().filter(|p| p.year == year) {
        months[p.month.map_or(0, usize::from)] = true;
    }
    if months[0] {
        return (1..=12).map(|m| days_in_month(year, m) as f64).sum();
    }
    (1..=12u8)
        .filter(|m| months[*m as usize])
        .map(|m| days_in_month(year, m) as f64)
        .sum()
}

/// The DDD per 1000 inhabitants per day of the ATC codes under `prefix` in the quarter of
/// `year` starting with month `first` (`None` unless its three months are all present, or
/// without a population).
fn quarter_did(
    rows: &[MonthlyDdd],
    prefix: &str,
    inhabitants: f64,
    year: i32,
    first: u8,
) -> Option<f64> {
    let months = first..first + 3;
    let in_quarter = |r: &&MonthlyDdd| {
        r.period.year == year && r.period.month.is_some_and(|m| months.contains(&m))
    };
    let mut present = [false; 3];
    for r in rows.iter().filter(in_quarter) {
        present[usize::from(r.period.month.unwrap_or(first) - first)] = true;
    }
    if !present.iter().all(|p| *p) || inhabitants <= 0.0 {
        return None;
    }
    let ddd: f64 = rows
        .iter()
        .filter(in_quarter)
        .filter(|r| r.atc.starts_with(prefix))
        .map(|r| r.ddd)
        .sum();
    let days: u32 = months.map(|m| days_in_month(year, m)).sum();
    Some(1000.0 * ddd / (inhabitants * f64::from(days)))
}

/// The twelve ESAC-Net indicators of one year (`None` where not computable: no population, no
/// denominator consumption, or months of the seasonal windows missing).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct EsacIndicators {
    pub j01_did: Option<f64>,
    pub j01c_did: Option<f64>,
    pub j01d_did: Option<f64>,
    pub j01f_did: Option<f64>,
    pub j01m_did: Option<f64>,
    pub j01ce_pct: Option<f64>,
    pub j01cr_pct: Option<f64>,
    pub j01dd_de_pct: Option<f64>,
    pub j01ma_pct: Option<f64>,
    pub broad_narrow_ratio: Option<f64>,
    pub j01_seasonal_variation: Option<f64>,
    pub j01m_seasonal_variation: Option<f64>,
}

/// The ESAC-Net indicators of `year` for a population of `inhabitants`, from monthly DDD (the
/// months of the previous year are used for the seasonal variation only, over July of the
/// previous year to June of `year`). DDD per 1000
/// inhabitants per day are over the days the rows of the year cover ([`days_covered`]).
pub fn esac(rows: &[MonthlyDdd], inhabitants: f64, year: i32) -> EsacIndicators {
    let sum = |f: &dyn Fn(&MonthlyDdd) -> bool| -> f64 {
        rows.iter().filter(|r| f(r)).map(|r| r.ddd).sum()
    };
    let in_year = |r: &MonthlyDdd| r.period.year == year;
    let prefix = |p: &'static str| move |r: &MonthlyDdd| r.atc.starts_with(p);
    let days = days_covered(rows.iter().map(|r| r.period), year);
    let did = |p: &'static str| {
        (inhabitants > 0.0 && days > 0.0)
            .then(|| 1000.0 * sum(&|r| in_year(r) && prefix(p)(r)) / (inhabitants * days))
    };
    let j01 = sum(&|r| in_year(r) && prefix("J01")(r));
    let share = |ps: &[&'static str]| {
        (j01 > 0.0).then(|| {
            100.0
                * ps.iter()
                    .map(|p| sum(&|r| in_year(r) && prefix(p)(r)))
                    .sum::<f64>()
                / j01
        })
    };
    let of = |p: &'static str| sum(&|r| in_year(r) && prefix(p)(r));
    let broad = of("J01CR") + of("J01DC") + of("J01DD") + (of("J01F") - of("J01FA01"));
    let narrow = of("J01CE") + of("J01DB") + of("J01FA01");
    // The July–June year ending in June of `year`: each quarter's DID, over its own days.
    let seasonal = |p: &'static str| {
        let q = |y: i32, first: u8| quarter_did(rows, p, inhabitants, y, first);
        let (q3, q4, q1, q2) = (q(year - 1, 7)?, q(year - 1, 10)?, q(year, 1)?, q(year, 4)?);
        (q2 + q3 > 0.0).then(|| 100.0 * ((q4 + q1) / (q2 + q3) - 1.0))
    };
    EsacIndicators {
        j01_did: did("J01"),
        j01c_did: did("J01C"),
        j01d_did: did("J01D"),
        j01f_did: did("J01F"),
        j01m_did: did("J01M"),
        j01ce_pct: share(&["J01CE"]),
        j01cr_pct: share(&["J01CR"]),
        j01dd_de_pct: share(&["J01DD", "J01DE"]),
        j01ma_pct: share(&["J01MA"]),
        broad_narrow_ratio: (narrow > 0.0).then(|| broad / narrow),
        j01_seasonal_variation: seasonal("J01"),
        j01m_seasonal_variation: seasonal("J01M"),
    }
}

/// A WHO AWaRe category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Aware {
    Access,
    Watch,
    Reserve,
    /// A J01 substance absent from the classification.
    Unclassified,
}

/// The WHO AWaRe classification, by ATC code and route.
#[derive(Debug, Clone)]
pub struct AwareTable {
    /// `WHO AWaRe classification 2023`.
    pub edition: String,
    /// (ATC, route letter or empty for any route) → category.
    entries: HashMap<(String, String), Aware>,
}

const AWARE_2023: &[u8] = include_bytes!("../data/aware_2023.tsv.gz");

impl AwareTable {
    /// The 2023 classification shipped with the application.
    pub fn embedded() -> AwareTable {
        let mut text = String::new();
        flate2::read::GzDecoder::new(AWARE_2023)
            .read_to_string(&mut text)
            .expect("the embedded classification is gzip");
        AwareTable::parse(&text, "WHO AWaRe classification 2023")
            .expect("the embedded classification is valid")
    }

    /// Reads a classification in the reference layout (`atc`, `route`, `aware`, …).
    pub fn parse(tsv: &str, edition: &str) -> Result<AwareTable, String> {
        let mut lines = tsv.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let col = |n: &str| {
            header
                .iter()
                .position(|h| h.trim() == n)
                .ok_or_else(|| format!("colonne « {n} » absente"))
        };
        let (atc, route, aware) = (col("atc")?, col("route")?, col("aware")?);
        let mut entries = HashMap::new();
        for (i, line) in lines.enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |c: usize| f.get(c).map_or("", |s| s.trim());
            if get(atc).is_empty() {
                continue;
            }
            let category = match get(aware) {
                "Access" => Aware::Access,
                "Watch" => Aware::Watch,
                "Reserve" => Aware::Reserve,
                other => return Err(format!("ligne {} : catégorie « {other} » inconnue", i + 2)),
            };
            entries.insert(
                (
                    get(atc).to_ascii_uppercase(),
                    get(route).to_ascii_uppercase(),
                ),
                category,
            );
        }
        Ok(AwareTable {
            edition: edition.into(),
            entries,
        })
    }

    /// The category of a substance given by route (the route-specific entry first).
    pub fn category(&self, atc: &str, route: Option<Route>) -> Aware {
        let by_route = route.and_then(|r| {
            self.entries
                .get(&(atc.to_string(), r.code().to_ascii_uppercase()))
        });
        by_route
            .or_else(|| self.entries.get(&(atc.to_string(), String::new())))
            .or_else(|| {
                // Classified for one route only: that category for any route given none.
                route
                    .is_none()
                    .then(|| {
                        self.entries
                            .iter()
                            .find(|((a, _), _)| a == atc)
                            .map(|(_, c)| c)
                    })
                    .flatten()
            })
            .copied()
            .unwrap_or(Aware::Unclassified)
    }
}

/// The shares of J01 DDD in each AWaRe category, in % (`None` without J01 use).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AwareShares {
    pub access: Option<f64>,
    pub watch: Option<f64>,
    pub reserve: Option<f64>,
    pub unclassified: Option<f64>,
}

/// The AWaRe shares of J01 use (targets: [`crate::targets::ACCESS_TARGETS`]).
pub fn aware_shares(rows: &[MonthlyDdd], table: &AwareTable) -> AwareShares {
    let mut by: HashMap<Aware, f64> = HashMap::new();
    let mut total = 0.0;
    for r in rows.iter().filter(|r| r.atc.starts_with("J01")) {
        *by.entry(table.category(&r.atc, r.route)).or_default() += r.ddd;
        total += r.ddd;
    }
    let pct = |a: Aware| (total > 0.0).then(|| 100.0 * by.get(&a).copied().unwrap_or(0.0) / total);
    AwareShares {
        access: pct(Aware::Access),
        watch: pct(Aware::Watch),
        reserve: pct(Aware::Reserve),
        unclassified: pct(Aware::Unclassified),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(year: i32, month: u8, atc: &str, ddd: f64) -> MonthlyDdd {
        MonthlyDdd {
            period: Period {
                year,
                month: Some(month),
            },
            atc: atc.into(),
            route: Some(Route::O),
            ddd,
        }
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2025, 4), 30);
        assert_eq!(days_in_month(2025, 12), 31);
    }

    #[test]
    fn esac_indicators_by_hand() {
        // 100,000 inhabitants, 2024 (366 days). Each month: 100 DDD amoxicillin (J01CA04),
        // 50 co-amoxiclav (J01CR02), 20 ceftriaxone (J01DD04), 30 azithromycin (J01FA10),
        // 10 phenoxymethylpenicillin (J01CE02), 10 ciprofloxacin (J01MA02).
        let mut rows = Vec::new();
        for month in 1..=12 {
            for (atc, ddd) in [
                ("J01CA04", 100.0),
                ("J01CR02", 50.0),
                ("J01DD04", 20.0),
                ("J01FA10", 30.0),
                ("J01CE02", 10.0),
                ("J01MA02", 10.0),
            ] {
                rows.push(m(2024, month, atc, ddd));
            }
        }
        // July–December 2023, for the seasonal variation: 220 DDD a month in Jul–Sep, twice
        // that in Oct–Dec.
        for month in 7..=9 {
            rows.push(m(2023, month, "J01CA04", 220.0));
        }
        for month in 10..=12 {
            rows.push(m(2023, month, "J01CA04", 440.0));
        }
        let e = esac(&rows, 100_000.0, 2024);
        let j01 = 220.0 * 12.0;
        let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-9, "{a:?} vs {b}");
        close(e.j01_did, 1000.0 * j01 / (100_000.0 * 366.0));
        close(e.j01c_did, 1000.0 * 160.0 * 12.0 / (100_000.0 * 366.0));
        close(e.j01ce_pct, 100.0 * 10.0 / 220.0);
        close(e.j01cr_pct, 100.0 * 50.0 / 220.0);
        close(e.j01dd_de_pct, 100.0 * 20.0 / 220.0);
        close(e.j01ma_pct, 100.0 * 10.0 / 220.0);
        // Broad (50 + 20 + 30) over narrow (10): 10.
        close(e.broad_narrow_ratio, 10.0);
        // July 2023 – June 2024, each quarter in DID (1000 / 100,000 inhabitants = 0.01 per
        // DDD a day): Q3 2023 660 DDD / 92 days, Q4 2023 1320 / 92, Q1 2024 (leap) 660 / 91,
        // Q2 2024 660 / 91. (Q4 + Q1) / (Q2 + Q3) = (14.3478 + 7.2527) / (7.2527 + 7.1739)
        // = 1.49727: +49.73 %, where DDD over October–September would read +50 %.
        let (q3, q4, q1, q2) = (
            0.01 * 660.0 / 92.0,
            0.01 * 1320.0 / 92.0,
            0.01 * 660.0 / 91.0,
            0.01 * 660.0 / 91.0,
        );
        close(
            e.j01_seasonal_variation,
            100.0 * ((q4 + q1) / (q2 + q3) - 1.0),
        );
        assert!((e.j01_seasonal_variation.unwrap() - 49.727).abs() < 0.001);
        // Fluoroquinolones: none in the second half of 2023 (the months are there), 30 DDD in
        // each quarter of 2024: (0 + 30/91) / (30/91 + 0) − 1 = 0.
        close(e.j01m_seasonal_variation, 0.0);
        // Without July–September 2023, the July–June year is incomplete: not computable (an
        // October–September window would not have needed it).
        let without_q3: Vec<MonthlyDdd> = rows
            .iter()
            .filter(|r| !(r.period.year == 2023 && r.period.month < Some(10)))
            .cloned()
            .collect();
        assert_eq!(
            esac(&without_q3, 100_000.0, 2024).j01_seasonal_variation,
            None
        );
        // July 2024 onwards does not count in 2024's season.
        let mut later = rows.clone();
        later.push(m(2024, 7, "J01CA04", 10_000.0));
        assert_eq!(
            esac(&later, 100_000.0, 2024).j01_seasonal_variation,
            e.j01_seasonal_variation
        );
        assert_eq!(
            esac(&rows, 0.0, 2024).j01_did,
            None,
            "no population: not computable"
        );
    }

    #[test]
    fn aware_by_route_and_unclassified_never_access() {
        let t = AwareTable::embedded();
        assert_eq!(t.category("J01CA04", Some(Route::O)), Aware::Access);
        assert_eq!(t.category("J01MA02", Some(Route::O)), Aware::Watch);
        assert_eq!(
            t.category("J01XX01", Some(Route::P)),
            Aware::Reserve,
            "fosfomycin IV"
        );
        assert_eq!(
            t.category("J01XX01", Some(Route::O)),
            Aware::Watch,
            "fosfomycin oral"
        );
        assert_eq!(t.category("J01ZZ99", Some(Route::O)), Aware::Unclassified);
        let rows = [
            m(2025, 1, "J01CA04", 60.0),
            m(2025, 1, "J01MA02", 30.0),
            m(2025, 1, "J01ZZ99", 10.0),
            m(2025, 1, "P01AB01", 50.0),
        ];
        let s = aware_shares(&rows, &t);
        assert_eq!(
            (s.access, s.watch, s.reserve, s.unclassified),
            (Some(60.0), Some(30.0), Some(0.0), Some(10.0))
        );
    }
}
