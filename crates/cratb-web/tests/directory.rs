//! The network directory: adding professionals through the form and the API, with checked
//! identifiers, errors in place, region scoping and the audit log.

mod common;

use common::TestApp;
use serde_json::{Value, json};

const SECRETARY: &str = "secretariat@demo.cratb.fr";
const COORD_BZH: &str = "coordination.bretagne@demo.cratb.fr";
const PRESCRIBER: &str = "medecin@demo.cratb.fr";

#[tokio::test]
async fn a_secretary_adds_a_professional_and_sees_each_error_in_place() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(SECRETARY).await;
    let post = |form: Vec<(&'static str, String)>| {
        app.http
            .post(app.url("/directory"))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("last_name", "Martin".to_string()),
        ("first_name", "Inès".to_string()),
        ("profession", "infectiologist".to_string()),
        ("rpps", "10003456789".to_string()),
        ("email", "ines.martin@chu-exemple.fr".to_string()),
        ("phone", "04 76 12 34".to_string()),
        ("public_name", "on".to_string()),
    ];
    let res = post(form.clone()).await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"rpps-error\"") && html.contains("clé de contrôle"),
        "{html}"
    );
    assert!(html.contains("id=\"phone-error\""));
    assert!(
        html.contains("value=\"ines.martin@chu-exemple.fr\""),
        "other fields kept"
    );
    form[4].1 = "10003456786".into();
    form[6].1 = "04 76 12 34 56".into();
    let res = post(form).await.unwrap();
    assert_eq!(res.status(), 303);
    let list = app
        .http
        .get(app.url("/directory?q=martin&saved=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Martin Inès")
            && list.contains("04 76 12 34 56")
            && list.contains("id=\"saved\"")
    );

    // Bretagne does not see Auvergne-Rhône-Alpes' directory.
    let (bzh, _) = app.session(COORD_BZH).await;
    let other = app
        .http
        .get(app.url("/directory?q=martin"))
        .header("cookie", &bzh)
        .send()
        .await
        .unwrap();
    assert!(!other.text().await.unwrap().contains("Martin Inès"));
}

#[tokio::test]
async fn the_api_checks_identifiers_and_refuses_duplicates() {
    let app = TestApp::spawn().await;
    let token = app.token(SECRETARY, true).await;
    let post = |body: Value| {
        app.http
            .post(app.url("/api/v1/professionals"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let res = post(json!({"last_name": "Durand", "first_name": "Paul", "profession": "pharmacien", "rpps": "123", "phone": "x"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/profession", "/rpps", "/phone"]);
    let good = json!({"last_name": "Durand", "first_name": "Paul", "profession": "pharmacist", "rpps": "10003456786", "public_phone": true});
    let res = post(good.clone()).await.unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["region_code"], "84");
    assert_eq!(created["public_phone"], true);
    assert_eq!(post(good).await.unwrap().status(), 409, "same RPPS twice");

    // Everyone reads the directory; a prescriber cannot write to it.
    let prescriber = app.token(PRESCRIBER, true).await;
    let page: Value = app
        .http
        .get(app.url("/api/v1/professionals?profession=pharmacist"))
        .bearer_auth(&prescriber)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    let res = app
        .http
        .post(app.url("/api/v1/professionals"))
        .bearer_auth(&prescriber)
        .json(&json!({"last_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}
