//! An establishment's feedback of an audit over HTTP, on the demo's campaigns (SQLite by
//! default, PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): the results page links each
//! participant's feedback for the coordinator, with the participants' median, the change since
//! the previous campaign and the trend; the feedback page shows its bars against the median and
//! quartiles, the criteria most below, the change since its previous campaign and the re-audit
//! of its plan's actions; its PDF is a PDF; the ZIP holds one report per participant with
//! cases; a referent reads their own feedback only and gets no ZIP.

mod common;

use common::{COORD, TestApp};
use reqwest::StatusCode;

const REFERENT: &str = "referent@demo.cratb.fr";

/// The demo's latest surgical-prophylaxis campaign (the open one, with a previous campaign).
async fn latest(app: &TestApp) -> i64 {
    common::scalar(
        &app.db,
        "SELECT MAX(c.id) FROM audit_campaigns c JOIN audit_grids g ON g.id = c.grid_id
         WHERE g.code = 'antibioprophylaxie-chirurgicale'",
    )
    .await
}

#[tokio::test]
async fn feedback_pages_reports_and_the_zip() {
    let app = TestApp::spawn().await;
    let id = latest(&app).await;
    let coord = app.client(COORD).await;

    let results = coord.page(&format!("/audits/campaigns/{id}/results")).await;
    assert!(results.contains("Médiane des établissements"), "{results}");
    assert!(
        results.contains("id=\"results-since\""),
        "the previous campaign"
    );
    assert!(results.contains("Évolution"), "the trend's chart");
    assert!(results.contains("id=\"results-zip\""));
    let link = common::extract(
        &results,
        &format!("href=\"/audits/campaigns/{id}/feedback/"),
        "\"",
    )
    .expect("a participant's feedback is linked");
    let place: i64 = link.parse().unwrap();

    let page = coord
        .page(&format!("/audits/campaigns/{id}/feedback/{place}"))
        .await;
    for part in [
        "id=\"feedback-results\"",
        "id=\"feedback-below\"",
        "<svg",
        "Médiane des participants",
    ] {
        assert!(page.contains(part), "{part}: {page}");
    }
    let pdf = coord
        .get(&format!(
            "/audits/campaigns/{id}/feedback/{place}/rapport.pdf"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    let zip = coord
        .get(&format!("/audits/campaigns/{id}/rapports.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    let body = zip.bytes().await.unwrap();
    assert!(body.starts_with(b"PK"));
    let with_cases = common::scalar(
        &app.db,
        &format!("SELECT COUNT(DISTINCT establishment_id) FROM audit_cases WHERE campaign_id = {id} AND validated"),
    )
    .await;
    let entries = String::from_utf8_lossy(&body)
        .matches("retour-audit-")
        .count() as i64;
    // Each name is in the local header and in the central directory.
    assert_eq!(
        entries,
        2 * with_cases,
        "one report per participant with cases"
    );

    // The referent: their hospital's feedback with the re-audit of its plan's actions, never
    // another's, no ZIP.
    let referent = app.client(REFERENT).await;
    let own = common::scalar(
        &app.db,
        &format!(
            "SELECT e.establishment_id FROM user_establishments e JOIN users u ON u.id = e.user_id
             WHERE u.email = '{REFERENT}'"
        ),
    )
    .await;
    let mine = referent
        .get(&format!("/audits/campaigns/{id}/feedback/{own}"))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    let mine = mine.text().await.unwrap();
    assert!(mine.contains("id=\"feedback-since\""), "{mine}");
    assert!(
        mine.contains("id=\"feedback-reaudit\""),
        "the demo's plan: {mine}"
    );
    let other = common::scalar(
        &app.db,
        &format!(
            "SELECT MIN(establishment_id) FROM audit_participants WHERE campaign_id = {id} AND establishment_id <> {own}"
        ),
    )
    .await;
    for path in [
        format!("/audits/campaigns/{id}/feedback/{other}"),
        format!("/audits/campaigns/{id}/feedback/{other}/rapport.pdf"),
    ] {
        let res = referent.get(&path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = referent
        .get(&format!("/audits/campaigns/{id}/rapports.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
