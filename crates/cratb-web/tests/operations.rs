//! Operations, on SQLite and PostgreSQL: a region's imports of a kind one at a time, logins and
//! audited views working during a large import, and a clear 503 when the database cannot write.

mod common;

use common::{Client, TestApp, consumption_form, scalar};
use cratb_domain::{RegionCode, Role, Scope};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::{Db, PageRequest};

/// A server of its own over `db`, sharing nothing with the test app but the database.
async fn serve(db: Db) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = cratb_web::AppState::new(db, cratb_web::Config::default());
    tokio::spawn(cratb_web::serve(listener, state, std::future::pending()));
    base
}

/// A consumption file and its denominators over the same cells of 2019: ten hospitals, eight
/// ward types, five antibiotics, twelve months; every quantity is `grams`, every month's
/// patient-days `days`.
fn hospital_files(finess: &[String], grams: u32, days: u32) -> (String, String) {
    let wards = [
        "medicine",
        "surgery",
        "icu",
        "paediatrics",
        "obstetrics",
        "haematology",
        "geriatrics",
        "emergency",
    ];
    let drugs = [
        ("J01CA04", "O"),
        ("J01DD04", "P"),
        ("J01MA02", "O"),
        ("J01CR02", "O"),
        ("J01XB01", "P"),
    ];
    let mut consumption = String::from("establishment;period;ward_type;atc;route;grams\n");
    let mut denominators = String::from("establishment;period;ward_type;patient_days;admissions\n");
    for f in finess {
        for month in 1..=12 {
            for ward in wards {
                for (atc, route) in drugs {
                    consumption.push_str(&format!(
                        "{f};2019-{month:02};{ward};{atc};{route};{grams}\n"
                    ));
                }
                denominators.push_str(&format!("{f};2019-{month:02};{ward};{days};100\n"));
            }
        }
    }
    (consumption, denominators)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_of_the_same_period_at_once_leave_one_file_not_both() {
    let app = TestApp::spawn().await;
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    let finess: Vec<String> = establishments::list(
        &app.db,
        &scope,
        &EstablishmentQuery {
            sector: Some("ES".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(10)),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.finess)
    .collect();
    assert_eq!(finess.len(), 10);
    let manager = app
        .client(&app.email_of(Role::DataManager, Some("84")))
        .await;
    let upload = |(consumption, denominators): (String, String)| {
        let manager = manager.clone();
        async move {
            let form = consumption_form(consumption, denominators, false);
            let res = manager
                .post_multipart("/consumption/imports", form)
                .send()
                .await
                .unwrap();
            let status = res.status();
            assert!(
                status.is_success() || status.is_redirection(),
                "{status}: {}",
                res.text().await.unwrap()
            );
        }
    };
    // Two data managers send the same year at the same moment, twice over.
    for _ in 0..2 {
        let (a, b) = tokio::join!(
            tokio::spawn(upload(hospital_files(&finess, 100, 1000))),
            tokio::spawn(upload(hospital_files(&finess, 250, 3000))),
        );
        a.unwrap();
        b.unwrap();
        let cells = 10 * 12 * 8;
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM hospital_consumption WHERE year = 2019"
            )
            .await,
            cells * 5,
            "the second file replaced the first, nothing summed"
        );
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM hospital_denominators WHERE year = 2019"
            )
            .await,
            cells
        );
        let files = scalar(
            &app.db,
            "SELECT COUNT(DISTINCT import_id) FROM (SELECT import_id FROM hospital_consumption WHERE year = 2019
             UNION ALL SELECT import_id FROM hospital_denominators WHERE year = 2019) AS t",
        )
        .await;
        assert_eq!(
            files, 1,
            "consumption and denominators of one file, not a mix"
        );
        let days = scalar(
            &app.db,
            "SELECT CAST(SUM(patient_days) AS BIGINT) FROM hospital_denominators WHERE year = 2019",
        )
        .await;
        assert!(days == cells * 1000 || days == cells * 3000, "{days}");
    }
}

/// A susceptibility file of `n` isolates.
fn isolates(n: usize) -> String {
    let mut file = String::with_capacity(n * 40);
    file.push_str("patient_id;date;organism;AMX;CIP\n");
    for i in 0..n {
        let day = i % 28 + 1;
        file.push_str(&format!("P{i};2024-03-{day:02};E. coli;R;S\n"));
    }
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_and_audited_views_keep_working_during_a_large_import() {
    let app = TestApp::spawn().await;
    let lab = app.email_of(Role::Lab, Some("84"));
    let lab_api = app.api(&lab, true).await;
    let coordinator = app.email_of(Role::Coordinator, Some("84"));
    let password = app.account(&coordinator).password.clone();
    let before = scalar(&app.db, "SELECT COUNT(*) FROM isolates").await;
    let import = tokio::spawn(async move {
        lab_api
            .post("/api/v1/isolates/imports")
            .body(isolates(300_000))
            .send()
            .await
            .unwrap()
            .status()
    });
    let staged = matches!(app.db, Db::Sqlite(_));
    if staged {
        // SQLite: wait until the import is writing (its first rows are in, pending).
        while scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolates WHERE import_id IN (SELECT id FROM isolate_imports WHERE pending)",
        )
        .await
            == 0
        {
            assert!(!import.is_finished(), "the import ended before it was seen writing");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let reads = "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.read'";
    for _ in 0..3 {
        let audited = scalar(&app.db, reads).await;
        let (client, res) = app.login(&coordinator, &password).await;
        assert_eq!(res.status(), 303, "login during the import");
        let res = client
            .get(app.url("/resistance?region=84"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "antibiogram during the import");
        assert_eq!(
            scalar(&app.db, reads).await,
            audited + 1,
            "the view is in the audit log"
        );
    }
    if staged {
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM isolate_imports WHERE pending"
            )
            .await,
            1,
            "the logins and views did not wait for the import to end"
        );
        // Meanwhile the pending rows are nobody's figures.
        assert_eq!(
            cratb_store::resistance::count(&app.db, &Scope::National)
                .await
                .unwrap(),
            before
        );
    }
    assert_eq!(import.await.unwrap(), 201);
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        before + 300_000
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolate_imports WHERE pending"
        )
        .await,
        0
    );
}

/// Sends `n` isolates as `lab` to a server whose database cannot write: a 503 saying so, and
/// nothing of them in the test app's database.
async fn import_cannot_write(app: &TestApp, lab: &Client, n: usize) {
    let before = scalar(&app.db, "SELECT COUNT(*) FROM isolates").await;
    let res = lab
        .post("/api/v1/isolates/imports")
        .body(isolates(n))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("disque plein"),
        "{problem}"
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        before
    );
}

/// The URL of the same database, opened so that it can only read.
fn read_only(url: &str) -> String {
    if url.starts_with("sqlite:") {
        format!("{url}?mode=ro")
    } else {
        format!("{url}?options=-c%20default_transaction_read_only%3Don")
    }
}

#[tokio::test]
async fn a_database_that_cannot_write_gets_a_clear_503_and_readiness_says_so() {
    let app = TestApp::spawn().await;
    let lab = app.email_of(Role::Lab, Some("84"));
    let token = app.token(&lab, true).await;
    let coordinator = app.email_of(Role::Coordinator, Some("84"));
    let password = app.account(&coordinator).password.clone();
    let res = app.anonymous().get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 200);

    let db = Db::connect(&read_only(&app.database_url)).await.unwrap();
    let base = serve(db).await;
    let server = Client::new(app.http.clone(), &base);
    let res = server.get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 503, "ready means able to write");

    // A login cannot open its session: said plainly, not a generic error.
    let (_, res) = Client::submit_login(&base, &coordinator, &password).await;
    let status = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(status, 503, "{html}");
    assert!(html.contains("Enregistrement impossible"), "{html}");
    assert!(html.contains("disque plein"), "{html}");

    // An API import: 503 with the reason, nothing written.
    import_cannot_write(&app, &server.with_token(&token), 100).await;
}

#[tokio::test]
async fn a_full_disk_gets_a_clear_503_and_leaves_nothing_half_written() {
    let app = TestApp::spawn().await;
    let Db::Sqlite(_) = &app.db else {
        // The full disk is simulated with SQLite's page limit; PostgreSQL's codes are mapped
        // by the store's unit tests.
        return;
    };
    let lab = app.email_of(Role::Lab, Some("84"));
    let token = app.token(&lab, true).await;
    let pages = scalar(&app.db, "PRAGMA page_count").await;
    let options: sqlx::sqlite::SqliteConnectOptions = app.database_url.parse().unwrap();
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(options.pragma("max_page_count", (pages + 2).to_string()))
        .await
        .unwrap();
    let base = serve(Db::Sqlite(pool)).await;
    let server = Client::new(app.http.clone(), &base);
    import_cannot_write(&app, &server.with_token(&token), 20_000).await;
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolate_imports WHERE pending"
        )
        .await,
        0,
        "what the import had written is gone"
    );
}
