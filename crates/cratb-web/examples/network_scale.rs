//! The network screens at national scale, end to end over HTTP:
//! `cargo run --release -p cratb-web --example network_scale [ESTABLISHMENTS] [PROFESSIONALS]`
//! (20,000 and 50,000 by default). `CRATB_BENCH_DATABASE_URL` (a `postgres://` URL of an
//! empty database) runs it on PostgreSQL; a fresh SQLite file otherwise.
//!
//! Generates the network (`cratb_demo::scale`), starts the server, logs in a regional
//! coordinator and times: the directory search as someone types a name (each keystroke a
//! request, the list page), the coverage page of the largest region, the public search, and
//! the import of a 10,000-row sheet (upload, preview, commit). Prints median and p95.

use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let p = |q: f64| ms(times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)]);
    println!(
        "| {what} | {} | {:.1} | {:.1} | {:.1} |",
        times.len(),
        p(0.5),
        p(0.95),
        ms(*times.last().unwrap())
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let establishments = args.first().copied().unwrap_or(20_000);
    let professionals = args.get(1).copied().unwrap_or(50_000);
    let url = match std::env::var("CRATB_BENCH_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(u) => u,
        None => {
            let path =
                std::env::temp_dir().join(format!("cratb-network-bench-{}.db", std::process::id()));
            format!("sqlite://{}", path.display())
        }
    };
    let db = cratb_store::Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrations");
    let started = Instant::now();
    let report = cratb_demo::scale::generate(&db, establishments, professionals, 7)
        .await
        .expect("generation");
    println!(
        "{:?} backend: generated {} establishments, {} professionals, {} teams, {} conventions in {:.0} s",
        db.backend(),
        report.establishments,
        report.professionals,
        report.teams,
        report.conventions,
        started.elapsed().as_secs_f64()
    );

    // A coordinator of the region with the most establishments (Auvergne-Rhône-Alpes).
    let region = cratb_store::network::busiest_region(&db)
        .await
        .unwrap()
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let user = cratb_store::users::create(
        &mut tx,
        &cratb_domain::NewUser {
            email: cratb_domain::Email::parse("coordination@bench.cratb.fr").unwrap(),
            display_name: "Bench".into(),
            role: cratb_domain::Role::Coordinator,
            region: Some(cratb_domain::RegionCode::parse(&region).unwrap()),
            establishments: vec![],
            teams: vec![],
            password: Some("Girafe-violette-2026".into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    let (session, csrf) = cratb_store::sessions::create(&mut tx, user).await.unwrap();
    let cookie = format!("cratb_session={session}");
    let token = cratb_store::tokens::create(&mut tx, user, "bench", false, 365)
        .await
        .unwrap()
        .1;
    tx.commit().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = cratb_web::AppState::new(db.clone(), cratb_web::Config::default());
    tokio::spawn(cratb_web::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        let cookie = cookie.clone();
        let token = token.clone();
        async move {
            let t = Instant::now();
            let res = http
                .get(&url)
                .header("cookie", cookie)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{url}: {}", res.status());
            res.bytes().await.unwrap();
            t.elapsed()
        }
    };
    let in_region = cratb_store::directory::list(
        &db,
        &cratb_domain::Scope::Region(cratb_domain::RegionCode::parse(&region).unwrap()),
        &Default::default(),
        cratb_store::PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .total;
    println!("\nregion {region}: {in_region} professionals\n");
    println!("| what | requests | median ms | p95 ms | max ms |\n|---|---|---|---|---|");

    // Typing names, one request per keystroke.
    let mut typing = Vec::new();
    for name in [
        "martin",
        "garnier",
        "lefèvre",
        "rousseau",
        "chevalier",
        "bernard",
        "p7-12",
    ] {
        for n in 1..=name.chars().count() {
            let prefix: String = name.chars().take(n).collect();
            typing.push(
                get(format!(
                    "/directory?q={}",
                    cratb_web::error::urlencode(&prefix)
                ))
                .await,
            );
        }
    }
    summary("directory search as you type (page)", typing);
    let mut api = Vec::new();
    for prefix in [
        "m", "ma", "mar", "mart", "marti", "martin", "b", "be", "ber", "bern",
    ] {
        api.push(get(format!("/api/v1/professionals?q={prefix}")).await);
    }
    summary("directory search (API)", api);
    let mut coverage = Vec::new();
    for _ in 0..30 {
        coverage.push(get("/network/coverage".into()).await);
    }
    summary("coverage page of the region (map, tables)", coverage);
    let mut public = Vec::new();
    for q in [
        "69001",
        "38000",
        "Rhône",
        "63",
        "Commune 42 3",
        "01000",
        "74000",
        "Isère",
    ] {
        for _ in 0..5 {
            public.push(
                get(format!(
                    "/public/search?q={}",
                    cratb_web::error::urlencode(q)
                ))
                .await,
            );
        }
    }
    summary("public search", public);
    let mut teams = Vec::new();
    for _ in 0..20 {
        teams.push(get("/network/teams".into()).await);
    }
    summary("teams page", teams);

    // Importing a 10,000-row sheet: upload, preview, commit.
    let finess: Vec<String> = cratb_store::establishments::all(
        &db,
        &cratb_domain::Scope::Region(cratb_domain::RegionCode::parse(&region).unwrap()),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.finess)
    .collect();
    let table = cratb_demo::scale::directory_sheet(10_000, 99, &finess);
    let mut csv = table.header.join(";") + "\n";
    for r in &table.rows {
        csv.push_str(&r.join(";"));
        csv.push('\n');
    }
    let t = Instant::now();
    let res = http
        .post(format!(
            "{base}/directory/import?csrf={}",
            cratb_web::error::urlencode(&csrf)
        ))
        .header("cookie", &cookie)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("annuaire.csv"),
        ))
        .send()
        .await
        .unwrap();
    let upload = t.elapsed();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let preview = get(location.clone()).await;
    let t = Instant::now();
    let res = http
        .post(format!("{base}{location}"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("mode", "valid_only")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let body = res.text().await.unwrap();
    let commit = t.elapsed();
    assert!(body.contains("import-report"), "the import reported");
    println!(
        "\nimport of a 10,000-row sheet: upload {:.0} ms, preview {:.0} ms, commit {:.0} ms — total {:.2} s",
        ms(upload),
        ms(preview),
        ms(commit),
        (upload + preview + commit).as_secs_f64()
    );
}
