//! Three years of monthly synthetic antibiotic consumption for every hospital of the demo
//! region, written through the product's own import: ward types by category, patient-days
//! from beds and occupancy, DDD per 1000 patient-days by ward type around the French levels
//! (about 400–500 overall), a slow downward trend, and a realistic mix of substances.

use crate::DemoError;
use cratb_consumption::DddTable;
use cratb_domain::{RegionCode, Scope};
use cratb_store::Db;
use cratb_store::consumption::{self, HospitalFiles};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Ward types of each hospital category, with their DDD per 1000 patient-days and share of beds.
fn wards(category: &str) -> &'static [(&'static str, f64, f64)] {
    match category {
        "CHU" => &[
            ("medicine", 600.0, 0.35),
            ("surgery", 520.0, 0.25),
            ("icu", 1400.0, 0.06),
            ("paediatrics", 380.0, 0.08),
            ("obstetrics", 220.0, 0.06),
            ("ssr", 180.0, 0.12),
            ("long_term_care", 140.0, 0.08),
        ],
        "CH" => &[
            ("medicine", 560.0, 0.45),
            ("surgery", 480.0, 0.2),
            ("icu", 1250.0, 0.04),
            ("obstetrics", 210.0, 0.06),
            ("ssr", 170.0, 0.15),
            ("long_term_care", 130.0, 0.1),
        ],
        "CLINIQUE" => &[("surgery", 470.0, 0.7), ("medicine", 520.0, 0.3)],
        "SSR" => &[("ssr", 180.0, 1.0)],
        "PSY" => &[("psychiatry", 45.0, 1.0)],
        "HAD" => &[("medicine", 420.0, 1.0)],
        // Nursing homes: resident-days, about 40–60 DDD per 1000 (PRIMO / SPARES EMS levels).
        "EHPAD" => &[("nursing_home", 52.0, 1.0)],
        "MAS_FAM" | "AUTRE_EMS" => &[("nursing_home", 30.0, 1.0)],
        _ => &[],
    }
}

/// The substances used, route and share of DDD.
const MIX: &[(&str, &str, f64)] = &[
    ("J01CA04", "O", 0.20),
    ("J01CA04", "P", 0.05),
    ("J01CR02", "O", 0.12),
    ("J01CR02", "P", 0.10),
    ("J01DD04", "P", 0.09),
    ("J01DD01", "P", 0.03),
    ("J01CR05", "P", 0.05),
    ("J01DH02", "P", 0.02),
    ("J01MA02", "O", 0.05),
    ("J01MA12", "O", 0.03),
    ("J01FA10", "O", 0.03),
    ("J01FF01", "O", 0.02),
    ("J01XA01", "P", 0.02),
    ("J01XD01", "P", 0.03),
    ("J01EE01", "O", 0.04),
    ("J01AA02", "O", 0.02),
    ("J01GB03", "P", 0.03),
    ("J01DB04", "P", 0.04),
    ("J01XX01", "O", 0.02),
];

/// The substances of nursing homes: oral first, urinary and respiratory infections.
const MIX_EMS: &[(&str, &str, f64)] = &[
    ("J01CA04", "O", 0.30),
    ("J01CR02", "O", 0.22),
    ("J01DD04", "P", 0.10),
    ("J01MA02", "O", 0.06),
    ("J01MA12", "O", 0.04),
    ("J01XX01", "O", 0.08),
    ("J01XE01", "O", 0.05),
    ("J01CA08", "O", 0.05),
    ("J01EE01", "O", 0.05),
    ("J01FA10", "O", 0.05),
];

/// The consumption and denominator files of the demo region's hospitals and nursing homes,
/// 2023–2025 (nursing homes' days are resident-days, without admissions).
pub fn files(hospitals: &[(String, String, i64)], table: &DddTable, seed: u64) -> (String, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    let mut denominators = String::from("establishment,period,ward_type,patient_days,admissions\n");
    for (finess, category, beds) in hospitals {
        // Each hospital has its own habits: ±20 % around its category's levels.
        let habit = rng.random_range(0.8..1.2);
        for (k, year) in (2023..=2025).enumerate() {
            // About −3 % a year.
            let trend = 0.97f64.powi(k as i32);
            for month in 1..=12u8 {
                let days = cratb_consumption::indicators::days_in_month(year, month) as f64;
                // Winter peaks of respiratory infections.
                let season = if matches!(month, 12 | 1 | 2) {
                    1.12
                } else if matches!(month, 6..=8) {
                    0.9
                } else {
                    1.0
                };
                for (ward, rate, share) in wards(category) {
                    let patient_days =
                        (*beds as f64 * share * days * rng.random_range(0.78..0.9)).round();
                    if patient_days < 1.0 {
                        continue;
                    }
                    let nursing_home = *ward == "nursing_home";
                    let stay = if *ward == "long_term_care" || *ward == "psychiatry" {
                        25.0
                    } else {
                        5.5
                    };
                    let admissions = if nursing_home {
                        String::new()
                    } else {
                        format!("{}", (patient_days / stay).round())
                    };
                    let ddd =
                        patient_days * rate * habit * trend * season * rng.random_range(0.9..1.1)
                            / 1000.0;
                    let mix = if nursing_home { MIX_EMS } else { MIX };
                    // A ward's days go with its consumption: never one without the other.
                    let mut used = false;
                    for (atc, route, part) in mix {
                        let Ok(per_ddd) = table.grams(
                            atc,
                            cratb_consumption::Route::parse(route).expect("demo routes"),
                        ) else {
                            continue;
                        };
                        let grams = ddd * part * per_ddd * rng.random_range(0.7..1.3);
                        if grams >= 0.5 {
                            used = true;
                            let _ = writeln!(
                                consumption,
                                "{finess},{year}-{month:02},{ward},{atc},{route},{grams:.1}"
                            );
                        }
                    }
                    if used {
                        let _ = writeln!(
                            denominators,
                            "{finess},{year}-{month:02},{ward},{patient_days},{admissions}"
                        );
                    }
                }
            }
        }
    }
    (consumption, denominators)
}

/// Imports the demo consumption of a region's hospitals and nursing homes; returns the rows
/// imported.
pub async fn generate(db: &Db, region: &str, seed: u64) -> Result<usize, DemoError> {
    let region = RegionCode::parse(region).expect("demo region");
    let scope = Scope::Region(region.clone());
    let hospitals: Vec<(String, String, i64)> = cratb_store::establishments::all(db, &scope)
        .await?
        .into_iter()
        .filter(|e| e.sector == "ES" || e.sector == "EMS")
        .map(|e| (e.finess, e.category, e.beds.unwrap_or(80)))
        .collect();
    let table = DddTable::embedded(cratb_consumption::ddd::LATEST).expect("shipped edition");
    let (c, d) = files(&hospitals, &table, seed);
    let access = scope.access(region.as_str()).expect("the demo region");
    let done = consumption::import_hospital(
        db,
        &access,
        HospitalFiles {
            filename: "consommations-demo-2023-2025.csv",
            consumption: c.as_bytes(),
            denominators: d.as_bytes(),
            accept_partial: false,
        },
        &table,
        "demo",
        None,
    )
    .await
    .map_err(|e| match e {
        consumption::HospitalImportError::Store(s) => DemoError::Store(s),
        consumption::HospitalImportError::Invalid(p) => {
            panic!("demo consumption is valid: {:?}", p.listed.first())
        }
        consumption::HospitalImportError::Partial(u) => {
            panic!("demo consumption has its denominators: {:?}", u.first())
        }
    })?;
    // The demo coordinator's programme: hospital J01 use down 10 % from the first demo year by
    // 2027 (the data start after the national baseline, 2019).
    let target = consumption::Target {
        baseline_year: 2023,
        reduction_pct: Some(10.0),
        target_year: Some(2027),
        ..consumption::Target::national("ES", "J01")
    };
    let mut tx = db.begin().await?;
    consumption::set_target(&mut tx, &access, &target, "demo").await?;
    tx.commit().await?;
    Ok(done.consumption_rows)
}

/// Primary-care substances and their share of DDD (French community use: amoxicillin first).
const MIX_VILLE: &[(&str, f64)] = &[
    ("J01CA04", 0.34),
    ("J01CR02", 0.19),
    ("J01CA08", 0.04),
    ("J01CE02", 0.01),
    ("J01AA02", 0.06),
    ("J01FA10", 0.05),
    ("J01FA09", 0.03),
    ("J01FA06", 0.01),
    ("J01FG01", 0.02),
    ("J01MA02", 0.02),
    ("J01MA01", 0.02),
    ("J01MA12", 0.01),
    ("J01DD13", 0.03),
    ("J01DD08", 0.01),
    ("J01DC02", 0.02),
    ("J01DB01", 0.01),
    ("J01XE01", 0.02),
    ("J01XX01", 0.04),
    ("J01EE01", 0.02),
    ("J01DD04", 0.01),
];

/// Age groups and their share of DDD.
const AGES: &[(&str, f64)] = &[("0-15", 0.17), ("16-64", 0.55), ("65+", 0.28)];

/// The primary-care files of a region's departments, 2023–2025: their INSEE populations
/// ([`crate::places::POPULATIONS`], the 2021 legal populations for every year), and
/// monthly dispensations at about 19 DDD per 1000 inhabitants per day with winter peaks and a
/// slow decrease; about 10.7 DDD per prescription.
pub fn primary_files(region: &str, seed: u64) -> (String, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5111);
    let mut populations = String::from("territory;year;population\n");
    let mut dispensations = String::from("territory;period;atc;ddd;prescriptions;age_group\n");
    for d in cratb_domain::geo::DEPARTMENTS
        .iter()
        .filter(|d| d.region == region)
    {
        let population = f64::from(crate::places::population(d.code).unwrap_or(300_000));
        let habit = rng.random_range(0.9..1.1);
        for (k, year) in (2023..=2025).enumerate() {
            let _ = writeln!(populations, "{};{year};{population}", d.code);
            let trend = 0.98f64.powi(k as i32);
            for month in 1..=12u8 {
                let days = cratb_consumption::indicators::days_in_month(year, month) as f64;
                let season = match month {
                    12 | 1 | 2 => 1.3,
                    3 | 10 | 11 => 1.05,
                    6..=8 => 0.78,
                    _ => 0.92,
                };
                let total = population * 19.0 / 1000.0 * days * season * trend * habit;
                for (atc, share) in MIX_VILLE {
                    for (age, part) in AGES {
                        let ddd = total * share * part * rng.random_range(0.85..1.15);
                        let _ = writeln!(
                            dispensations,
                            "{};{year}-{month:02};{atc};{ddd:.0};{:.0};{age}",
                            d.code,
                            ddd / 10.7
                        );
                    }
                }
            }
        }
    }
    (populations, dispensations)
}

/// Imports the demo region's primary care (populations, then dispensations); returns the
/// dispensation rows.
pub async fn generate_primary(db: &Db, region: &str, seed: u64) -> Result<usize, DemoError> {
    let access = Scope::National.access(region).expect("demo region");
    let (populations, dispensations) = primary_files(region, seed);
    let invalid = |e: cratb_store::primary_care::PrimaryImportError| match e {
        cratb_store::primary_care::PrimaryImportError::Store(s) => DemoError::Store(s),
        cratb_store::primary_care::PrimaryImportError::Invalid(p) => {
            panic!("demo primary care is valid: {:?}", p.first())
        }
    };
    cratb_store::primary_care::import_populations(
        db,
        &access,
        "populations-demo.csv",
        populations.as_bytes(),
        "demo",
        None,
    )
    .await
    .map_err(invalid)?;
    let done = cratb_store::primary_care::import_dispensations(
        db,
        &access,
        "delivrances-ville-demo-2023-2025.csv",
        dispensations.as_bytes(),
        None,
        "demo",
        None,
    )
    .await
    .map_err(invalid)?;
    Ok(done.rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_consumption::hospital::{self, By};

    #[test]
    fn levels_are_those_of_french_hospitals() {
        let hospitals: Vec<(String, String, i64)> = [
            ("CHU", 1500),
            ("CH", 400),
            ("CH", 250),
            ("CLINIQUE", 150),
            ("SSR", 80),
            ("PSY", 120),
        ]
        .iter()
        .enumerate()
        .map(|(i, (c, b))| (format!("38000{i:04}"), c.to_string(), *b))
        .collect();
        let table = DddTable::embedded(cratb_consumption::ddd::LATEST).unwrap();
        let (c, d) = files(&hospitals, &table, 3);
        let read = hospital::read_checked(c.as_bytes(), d.as_bytes()).unwrap();
        assert!(hospital::unmatched(&read).is_empty());
        let out = hospital::indicators(&read, &[By::Year], &["J01".into()], &table).unwrap();
        assert_eq!(out.rows.len(), 3);
        for r in &out.rows {
            let rate = r.per_1000_patient_days().unwrap();
            assert!((330.0..=520.0).contains(&rate), "{}: {rate}", r.group[0]);
        }
        assert!(
            out.rows[2].ddd < out.rows[0].ddd,
            "use goes down over the years"
        );
        // Nursing homes: 30–70 DDD per 1000 resident-days, no admissions.
        let homes = vec![("380009999".to_string(), "EHPAD".to_string(), 80)];
        let (c, d) = files(&homes, &table, 4);
        let read = hospital::read_checked(c.as_bytes(), d.as_bytes()).unwrap();
        assert!(hospital::unmatched(&read).is_empty());
        let out = hospital::indicators(&read, &[By::Year], &["J01".into()], &table).unwrap();
        for r in &out.rows {
            let rate = r.per_1000_patient_days().unwrap();
            assert!(
                (30.0..=70.0).contains(&rate),
                "EHPAD {}: {rate}",
                r.group[0]
            );
            assert_eq!(r.per_100_admissions(), None);
        }
    }
}
