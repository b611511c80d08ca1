//! Consumption at the scale of the issue: `cargo run --release -p cratb-web --example
//! consumption_scale [ESTABLISHMENTS]` (300 by default; `CRATB_BENCH_DATABASE_URL` = an empty
//! PostgreSQL database, else a fresh SQLite file).
//!
//! Generates a consumption file of ESTABLISHMENTS × 36 months × 10 ward types × 60 ATC codes and
//! routes (6.48 million rows for 300) with its denominators, and measures:
//! - the import (reading and checking every cell, FINESS, DDD, one transaction), in rows/s;
//! - loading the region into memory (once, after an import);
//! - the region dashboard and an establishment page over HTTP, warm (median, p95);
//! - every establishment's feedback report (PDF).

use std::fmt::Write;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let wanted: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
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

    // The region's hospitals and nursing homes, topped up to the number wanted.
    let mut units: Vec<(String, String)> = cratb_store::establishments::all(&db, &scope)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.sector != "VILLE")
        .map(|e| (e.finess, e.category))
        .collect();
    let mut sequence = 50_000;
    while units.len() < wanted {
        sequence += 7;
        let finess = cratb_domain::Finess::from_parts("38", sequence).unwrap();
        let input = cratb_domain::EstablishmentInput {
            finess: Some(finess.to_string()),
            name: Some(format!(
                "Centre hospitalier de banc d'essai {}",
                units.len()
            )),
            category: Some("CH".into()),
            department: Some("38".into()),
            beds: Some(300),
            ..Default::default()
        };
        let e = cratb_domain::NewEstablishment::validate(&input).unwrap();
        let mut tx = db.begin().await.unwrap();
        cratb_store::establishments::create(&mut tx, &scope.access("84").unwrap(), &e)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        units.push((finess.to_string(), "CH".into()));
    }
    units.truncate(wanted);

    // Sixty ATC codes with a DDD in grams, with their route.
    let table = cratb_consumption::DddTable::embedded(cratb_consumption::ddd::LATEST).unwrap();
    let mut atcs: Vec<(String, &str)> = Vec::new();
    for code in table
        .codes()
        .into_iter()
        .filter(|c| c.starts_with("J01") || c.starts_with("J02"))
    {
        for route in ["O", "P"] {
            let r = cratb_consumption::Route::parse(route).unwrap();
            if table.grams(code, r).is_ok() && !atcs.iter().any(|(a, x)| a == code && *x == route) {
                atcs.push((code.to_string(), route));
            }
        }
        if atcs.len() >= 60 {
            break;
        }
    }
    assert_eq!(atcs.len(), 60, "sixty codes with a DDD");
    let wards = [
        "medicine",
        "surgery",
        "icu",
        "paediatrics",
        "obstetrics",
        "ssr",
        "long_term_care",
        "psychiatry",
        "geriatrics",
        "emergency",
    ];
    let t = Instant::now();
    let mut consumption = String::with_capacity(units.len() * 36 * 10 * 60 * 48);
    let mut denominators = String::from("establishment,period,ward_type,patient_days,admissions\n");
    consumption.push_str("establishment,period,ward_type,atc,route,grams\n");
    let mut n = 0usize;
    for year in 2023..=2025 {
        for month in 1..=12 {
            for (f, _) in &units {
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
                            1 + n % 9,
                            n % 10
                        );
                        n += 1;
                    }
                }
            }
        }
    }
    println!(
        "{:?}: {} establishments, {n} consumption rows ({} MB of CSV) generated in {:.1} s",
        db.backend(),
        units.len(),
        (consumption.len() + denominators.len()) / 1_000_000,
        t.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let done = cratb_store::consumption::import_hospital(
        &db,
        &scope.access(region.as_str()).unwrap(),
        cratb_store::consumption::HospitalFiles {
            filename: "bench.csv",
            consumption: consumption.as_bytes(),
            denominators: denominators.as_bytes(),
            accept_partial: false,
        },
        &table,
        "bench",
        None,
    )
    .await
    .expect("import");
    drop((consumption, denominators));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "import: {} consumption + {} denominator rows in {secs:.1} s — {:.0} rows/s",
        done.consumption_rows,
        done.denominator_rows,
        (done.consumption_rows + done.denominator_rows) as f64 / secs
    );

    // The server, and a coordinator of the region.
    let mut tx = db.begin().await.unwrap();
    let user = cratb_store::users::create(
        &mut tx,
        &cratb_domain::NewUser {
            email: cratb_domain::Email::parse("coordination@bench.cratb.fr").unwrap(),
            display_name: "Bench".into(),
            role: cratb_domain::Role::Coordinator,
            region: Some(region.clone()),
            establishments: vec![],
            teams: vec![],
            password: Some("Girafe-violette-2026".into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    let (session, _) = cratb_store::sessions::create(&mut tx, user).await.unwrap();
    tx.commit().await.unwrap();
    let cookie = format!("cratb_session={session}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = cratb_web::AppState::new(db.clone(), cratb_web::Config::default());
    let cache = state.consumption.clone();
    tokio::spawn(cratb_web::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let get = |path: String| {
        let (http, cookie) = (http.clone(), cookie.clone());
        let url = format!("{base}{path}");
        async move {
            let t = Instant::now();
            let res = http
                .get(&url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{url}: {}", res.status());
            res.bytes().await.unwrap();
            t.elapsed()
        }
    };
    let t = Instant::now();
    let cube = cache.region(&db, "84").await.unwrap();
    println!(
        "loading the region into memory: {:.1} s ({} facts)",
        t.elapsed().as_secs_f64(),
        cube.len()
    );
    let id = cube.units[0].id;
    println!("\n| page | requests | median ms | p95 ms |\n|---|---|---|---|");
    for (what, path) in [
        ("region dashboard", "/consumption".to_string()),
        (
            "dashboard, nursing homes",
            "/consumption?sector=EMS".to_string(),
        ),
        (
            "dashboard, ICU, carbapenems",
            "/consumption?ward=icu&class=J01DH".to_string(),
        ),
        (
            "establishment page",
            format!("/consumption/establishments/{id}"),
        ),
    ] {
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..20 {
            times.push(get(path.clone()).await);
        }
        times.sort();
        println!(
            "| {what} | {} | {:.0} | {:.0} |",
            times.len(),
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times[times.len() * 95 / 100 - 1].as_secs_f64() * 1000.0
        );
    }
    let t = Instant::now();
    let year = *cube.years.last().unwrap();
    let mut bytes = 0;
    let reports = cratb_report::consumption::each_report(&cube, "84", year, |_, _, _, pdf| {
        bytes += pdf.len();
        Ok::<(), ()>(())
    })
    .unwrap();
    println!(
        "\nfeedback reports: {reports} PDFs ({} MB) in {:.1} s",
        bytes / 1_000_000,
        t.elapsed().as_secs_f64()
    );
}
