//! The JSON API over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): bearer tokens (read-only, read-write, revoked; cookies
//! refused), problem documents with JSON pointers, and the OpenAPI document.

mod common;

use common::{COORD, TestApp};
use cratb_web::routes::specs;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn api_tokens_problems_and_writes() {
    let app = TestApp::spawn().await;
    let r = app
        .anonymous()
        .get("/api/v1/establishments")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Cookies are not accepted by the API.
    let coord = app.client(COORD).await;
    assert_eq!(
        coord.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    let ro = app.api(COORD, false).await;
    let rw = app.api(COORD, true).await;
    let me = ro.json("/api/v1/me").await;
    assert_eq!(me["user"]["email"], COORD);
    let body = json!({"finess": "380780080", "name": "Centre de test", "category": "CH", "department": "38", "beds": 200});
    let r = ro
        .post("/api/v1/establishments")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "read-only token");
    let r = rw
        .post("/api/v1/establishments")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["sector"], "ES");
    let bad = json!({"finess": "12", "name": "", "category": "HOPITAL", "department": "38"});
    let r = rw
        .post("/api/v1/establishments")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    let pointers: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/finess", "/name", "/category"]);
    let r = rw
        .post("/api/v1/establishments")
        .json(&json!({"beds": "beaucoup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["pointer"],
        "/beds"
    );
    // A revoked token stops working.
    let id = app.user_id(COORD).await;
    let list = cratb_store::tokens::list(&app.db, id).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for t in list {
        cratb_store::tokens::revoke(&mut tx, id, t.id)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(
        ro.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let doc = anonymous.json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for s in specs().iter().filter(|s| s.path.starts_with("/api/v1/")) {
        let op = &doc["paths"][s.path][s.method.as_str().to_lowercase()];
        assert!(
            !op.is_null(),
            "{} {} is missing from the OpenAPI document",
            s.method,
            s.path
        );
    }
    // Every reference resolves, and parameters state their bounds.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            !doc["components"]["schemas"][name].is_null(),
            "{r} resolves to nothing"
        );
    }
    let params = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |n: &str| params.iter().find(|p| p["name"] == n).unwrap().clone();
    assert_eq!(param("to")["in"], "query");
    assert_eq!(param("to")["schema"]["format"], "date");
    assert_eq!(param("per_page")["schema"]["maximum"], 500);
    assert_eq!(param("page")["schema"]["minimum"], 1);
    let docs = anonymous.page("/api/docs").await;
    assert!(docs.contains("/api/v1/establishments") && docs.contains("application/problem+json"));
}
