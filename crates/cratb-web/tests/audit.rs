//! The audit log over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): append-only in both backends, its page, CSV export and
//! API within the region, and their bounded date and page parameters.

mod common;

use common::{COORD, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn audit_log_is_append_only_and_exports_csv() {
    let app = TestApp::spawn().await;
    let upd = cratb_store::on_db!(&app.db, p => sqlx::query("UPDATE audit_log SET summary = 'x'").execute(p).await.map(|r| r.rows_affected()));
    assert!(upd.is_err(), "UPDATE refused");
    let del = cratb_store::on_db!(&app.db, p => sqlx::query("DELETE FROM audit_log").execute(p).await.map(|r| r.rows_affected()));
    assert!(del.is_err(), "DELETE refused");

    let coord = app.client(COORD).await;
    let r = coord.get("/audit?entity=region").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("demo.generate"));
    let r = coord.get("/audit.csv?entity=region").send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("id;date;acteur;action")
    );
    assert_eq!(
        lines.len(),
        2,
        "the coordinator of 84 sees only region 84's entry: {csv}"
    );
    // A date outside the calendar's sane range, or not a date, is a 400 naming the parameter
    // and what was expected (the last day of the calendar once panicked, the year -1 was a 500).
    for (query, name) in [
        ("from=31/12/2026", "from"),
        ("to=9999-12-31", "to"),
        ("from=-0001-01-01", "from"),
        ("page=9223372036854775807", "page"),
    ] {
        for path in ["/audit", "/audit.csv"] {
            let r = coord.get(&format!("{path}?{query}")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}?{query}");
            let page = r.text().await.unwrap();
            assert!(
                page.contains(&format!("Paramètre « {name} »")) && page.contains("attendu"),
                "{path}?{query}: {page}"
            );
        }
    }
    let r = coord
        .in_lang("en")
        .get("/audit?to=2101-01-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains(
        "Parameter “to”: “2101-01-01” refused; expected: a YYYY-MM-DD date between 1900-01-01 and 2100-12-31."
    ));
    // The calendar's last day is a day like any other.
    let r = coord
        .get("/audit?from=1900-01-01&to=2100-12-31&entity=region")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("demo.generate"));
    let api = app.api(COORD, false).await;
    let v = api.json("/api/v1/audit?entity=region").await;
    assert_eq!(v["total"], 1);
    for (query, pointer, value) in [
        ("to=hier", "/to", "hier"),
        ("to=9999-12-31", "/to", "9999-12-31"),
        ("from=-0001-01-01", "/from", "-0001-01-01"),
        ("page=9223372036854775807", "/page", "9223372036854775807"),
        ("per_page=501", "/per_page", "501"),
    ] {
        let r = api
            .get(&format!("/api/v1/audit?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let problem = r.json::<Value>().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}");
        assert_eq!(problem["errors"][0]["value"], value, "{query}");
        assert!(
            problem["detail"].as_str().unwrap().contains("attendu"),
            "{problem}"
        );
    }
}
