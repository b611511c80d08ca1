//! Receiving files: imports run within a bounded number of slots (a request that finds them
//! taken gets a clear 503 with `Retry-After`, page or problem+json), the text fields of an
//! upload form are bounded, and a file without rows is refused rather than imported as nothing.

mod common;

use common::{COORD, TestApp, scalar};
use std::time::Duration;

#[tokio::test]
async fn an_import_waits_for_a_free_slot_then_is_told_to_try_again() {
    let app = TestApp::spawn_with(|c| {
        c.imports = cratb_web::upload::ImportSlots::new(1, Duration::from_millis(100));
    })
    .await;
    let coord = app.client(COORD).await;
    let api = app.api(COORD, true).await;
    let csv = b"patient_id,date,organism,AMX\nP1,2025-01-02,Escherichia coli,S\n".to_vec();
    let page_upload = |path: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone()).file_name("f.csv"),
        );
        coord.post_multipart(path, form).send()
    };
    let api_upload = || {
        api.post("/api/v1/isolates/imports")
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
    };

    // Another import holds the only slot.
    let held = app
        .state
        .config
        .imports
        .acquire()
        .await
        .expect("a free slot");
    for (path, _) in cratb_web::IMPORT_ROUTES {
        if path.starts_with("/api/") {
            continue;
        }
        let res = page_upload(path).await.unwrap();
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers()["retry-after"], "10", "{path}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Import en cours, réessayez dans un instant"),
            "{path}: {page}"
        );
    }
    let res = api_upload().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "10");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        problem["detail"],
        "import en cours, réessayez dans un instant"
    );
    // Someone not logged in is sent to the login page, not queued.
    let res = app
        .anonymous()
        .post("/resistance/imports")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 503);
    // Pages that are not imports are not held up.
    let res = coord.get("/resistance/imports").send().await.unwrap();
    assert_eq!(res.status(), 200);

    // Once the slot is free, the import runs.
    drop(held);
    let res = api_upload().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = page_upload("/resistance/imports").await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_text_field_of_an_upload_form_is_bounded() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let form = reqwest::multipart::Form::new()
        .text(
            "guideline",
            "x".repeat(cratb_web::upload::TEXT_FIELD_LIMIT + 1),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"a;b\n1;2\n".to_vec()).file_name("f.csv"),
        );
    let res = coord
        .post_multipart("/resistance/imports", form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("le champ « guideline » dépasse 64 Kio")
    );
}

/// An isolate file of a header alone was recorded as an import of 0 rows.
#[tokio::test]
async fn a_file_without_rows_is_refused_not_recorded_as_an_empty_import() {
    let app = TestApp::spawn().await;
    let api = app.api(COORD, true).await;
    let imports = || scalar(&app.db, "SELECT COUNT(*) FROM isolate_imports");
    let before = imports().await;
    for body in [
        "patient_id,date,organism,AMX\n",
        "patient_id,date,organism,AMX\r\n\r\n\r\n",
    ] {
        let res = api
            .post("/api/v1/isolates/imports")
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{body:?}");
        let text = res.text().await.unwrap();
        assert!(text.contains("que sa ligne d'en-tête"), "{text}");
    }
    assert_eq!(imports().await, before, "nothing recorded");
}
