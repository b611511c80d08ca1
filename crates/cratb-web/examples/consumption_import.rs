//! Hospital consumption import rate: `cargo run --release -p cratb-web --example consumption_import [ROWS]`
//! (1,000,000 rows by default; `CRATB_BENCH_DATABASE_URL` = an empty PostgreSQL database, else
//! a fresh SQLite file). Generates a consumption file for the demo region's hospitals and
//! nursing homes (months × ward types × J01 substances) and its denominators, then times the
//! import (reading, checking, DDD, one transaction).

use std::fmt::Write;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let url = std::env::var("CRATB_BENCH_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                std::env::temp_dir()
                    .join(format!("cratb-consumption-bench-{}.db", std::process::id()))
                    .display()
            )
        });
    let db = cratb_store::Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrations");
    cratb_demo::generate_with(&db, 42, 0).await.expect("demo");
    let region = cratb_domain::RegionCode::parse("84").unwrap();
    let scope = cratb_domain::Scope::Region(region.clone());
    let finess: Vec<String> = cratb_store::establishments::all(&db, &scope)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.sector != "VILLE")
        .map(|e| e.finess)
        .collect();
    let table = cratb_consumption::DddTable::embedded(cratb_consumption::ddd::LATEST).unwrap();
    let atcs: Vec<(&str, &str)> = [
        ("J01CA04", "O"),
        ("J01CR02", "O"),
        ("J01CR02", "P"),
        ("J01DD04", "P"),
        ("J01DD08", "O"),
        ("J01FA10", "O"),
        ("J01MA02", "O"),
        ("J01MA12", "O"),
        ("J01XD01", "P"),
        ("J01EE01", "O"),
        ("J01GB03", "P"),
        ("J01DH02", "P"),
        ("J01XA01", "P"),
        ("J01FF01", "O"),
        ("J01AA02", "O"),
        ("J01CF04", "P"),
        ("J01DC02", "O"),
        ("J01XE01", "O"),
    ]
    .into();
    let wards = [
        "medicine",
        "surgery",
        "icu",
        "paediatrics",
        "obstetrics",
        "ssr",
        "long_term_care",
        "psychiatry",
    ];
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    let mut denominators = String::from("establishment,period,ward_type,patient_days,admissions\n");
    let mut n = 0;
    'outer: for year in 2023..=2025 {
        for month in 1..=12 {
            for f in &finess {
                for w in wards {
                    let _ = writeln!(
                        denominators,
                        "{f},{year}-{month:02},{w},{},{}",
                        300 + n % 700,
                        30 + n % 70
                    );
                    for (atc, route) in &atcs {
                        let _ = writeln!(
                            consumption,
                            "{f},{year}-{month:02},{w},{atc},{route},{}.{}",
                            10 + n % 90,
                            n % 10
                        );
                        n += 1;
                        if n >= rows {
                            break 'outer;
                        }
                    }
                }
            }
        }
    }
    let started = Instant::now();
    let done = cratb_store::consumption::import_hospital(
        &db,
        &scope,
        &region,
        cratb_store::consumption::HospitalFiles {
            filename: "bench.csv",
            consumption: consumption.as_bytes(),
            denominators: denominators.as_bytes(),
        },
        &table,
        "bench",
    )
    .await
    .expect("import");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{:?}: {} consumption rows + {} denominator rows ({} MB of CSV) imported in {secs:.2} s — {:.0} rows/s",
        db.backend(),
        done.consumption_rows,
        done.denominator_rows,
        (consumption.len() + denominators.len()) / 1_000_000,
        (done.consumption_rows + done.denominator_rows) as f64 / secs
    );
}
