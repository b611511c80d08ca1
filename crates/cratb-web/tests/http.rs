//! End-to-end tests over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): login, sessions, CSRF, pages, API, audit, scoping,
//! the authorization matrix and the bad-input sweep.

mod common;

use common::{TestApp, extract, meta_csrf};
use cratb_domain::Role;
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::{PageRequest, audit};
use cratb_web::routes::{Access, specs};
use reqwest::StatusCode;
use serde_json::{Value, json};

const COORD: &str = "coordination@demo.cratb.fr";
const COORD_BZH: &str = "coordination.bretagne@demo.cratb.fr";
const ADMIN: &str = "admin@demo.cratb.fr";
const PRESCRIBER: &str = "medecin@demo.cratb.fr";

#[tokio::test]
async fn health_headers_and_request_id() {
    let app = TestApp::spawn().await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    assert_eq!(
        app.http
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Connexion"));
    assert!(!html.contains("<script>"), "no inline script");
    // Assets referenced by the page are served, with a long cache.
    let css = extract(&html, "<link rel=\"stylesheet\" href=\"", "\"").unwrap();
    let r = app.http.get(app.url(&css)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}

#[tokio::test]
async fn login_home_language_and_logout() {
    let app = TestApp::spawn().await;
    let pw = app.account(COORD).password.clone();

    let (_, bad) = app.login(COORD, "pas-le-bon-mot-de-passe").await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let bad_body = bad.text().await.unwrap();
    assert!(bad_body.contains("Adresse e-mail ou mot de passe incorrect"));
    let (_, unknown) = app
        .login("personne@nulle-part.fr", "pas-le-bon-mot-de-passe")
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let normalise = |page: String| {
        page.replace(&meta_csrf(&page), "x")
            .replace("personne@nulle-part.fr", COORD)
    };
    assert_eq!(
        normalise(unknown.text().await.unwrap()),
        normalise(bad_body.clone()),
        "same answer whether or not the account exists"
    );

    let (client, ok) = app.login(COORD, &pw).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let set = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.starts_with("cratb_session=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax")
            && !set.contains("Secure")
    );
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Bonjour")
            && home.contains("Dr Claire Vasseur")
            && home.contains("Auvergne-Rhône-Alpes"),
        "{home}"
    );
    assert!(
        home.contains("href=\"/audit\""),
        "coordinator sees the audit entry in the navigation"
    );

    // English by switch, and by Accept-Language for a fresh client.
    let r = client.get(app.url("/lang/en?next=/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home_en = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home_en.contains("<html lang=\"en\">") && home_en.contains("Hello"));
    let r = app
        .http
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("Log in"));

    // Logout ends the session server-side.
    let csrf = meta_csrf(&home);
    let r = client
        .post(app.url("/logout"))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );

    // Both outcomes were audited.
    let page = audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &audit::AuditQuery::default(),
        PageRequest::new(None, Some(100)),
    )
    .await
    .unwrap();
    let actions: Vec<&str> = page.items.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"login.failure")
            && actions.contains(&"login.success")
            && actions.contains(&"logout")
    );
    assert!(
        !page.items.iter().any(|e| e.summary.contains(&pw)),
        "passwords never reach the log"
    );
}

#[tokio::test]
async fn throttling_after_repeated_failures() {
    let app = TestApp::spawn().await;
    for _ in 0..6 {
        let (_, r) = app.login(PRESCRIBER, "mauvais-mot-de-passe").await;
        assert!(matches!(r.status().as_u16(), 401 | 429));
    }
    let pw = app.account(PRESCRIBER).password.clone();
    let (_, r) = app.login(PRESCRIBER, &pw).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(r.text().await.unwrap().contains("Trop de tentatives"));
}

#[tokio::test]
async fn csrf_is_required_and_sessions_rotate() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    // A state-changing form without (or with a wrong) token is refused.
    for body in [vec![("name", "x")], vec![("name", "x"), ("csrf", "0000")]] {
        let r = app
            .http
            .post(app.url("/account/tokens"))
            .header("cookie", &cookie)
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = app
        .http
        .post(app.url("/account/tokens"))
        .header("cookie", &cookie)
        .form(&[("name", "outil"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A login issues a new session id, different from any the browser had.
    let pw = app.account(COORD).password.clone();
    let (_, r) = app.login(COORD, &pw).await;
    let new_cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_cookie, cookie);
    // Logout everywhere ends both sessions.
    let r = app
        .http
        .post(app.url("/account/logout-everywhere"))
        .header("cookie", &cookie)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for c in [&cookie, &new_cookie] {
        assert_eq!(
            app.http
                .get(app.url("/account"))
                .header("cookie", c)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn establishment_form_errors_in_place_then_success() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    let r = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("finess", "380780081"),
            ("name", "Clinique des Essais"),
            ("category", "CLINIQUE"),
            ("department", "38"),
            ("beds", "beaucoup"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("la clé de contrôle est fausse"),
        "FINESS message in place"
    );
    assert!(
        html.contains("est pas un nombre entier"),
        "beds message in place"
    );
    assert!(
        html.contains("value=\"Clinique des Essais\""),
        "other fields kept"
    );
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"finess-error\""));

    let r = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("finess", "380780080"),
            ("name", "Clinique des Essais"),
            ("category", "CLINIQUE"),
            ("department", "38"),
            ("beds", "120"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let page = app
        .http
        .get(app.url(&loc))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Clinique des Essais")
            && page.contains("380780080")
            && page.contains("Enregistré")
    );
    // The same FINESS again is refused on the field.
    let r = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("finess", "380780080"),
            ("name", "Doublon"),
            ("category", "CH"),
            ("department", "38"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("un établissement porte déjà ce numéro")
    );
    // The full list is paginated, 50 rows a page.
    let list = app
        .http
        .get(app.url("/establishments"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Page 1 / ") && list.contains("page=2") && !list.contains("Précédente"));
    // Search as you type answers the rows only.
    let r = app
        .http
        .get(app.url("/establishments?q=essais"))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("Clinique des Essais") && !r.contains("<html"));
    let entries = audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &audit::AuditQuery {
            entity: Some("establishment".into()),
            ..Default::default()
        },
        PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(entries.items.len(), 1);
    assert_eq!(entries.items[0].actor, COORD);
    assert_eq!(entries.items[0].region_code.as_deref(), Some("84"));
}

#[tokio::test]
async fn region_scoping_in_the_data_layer() {
    let app = TestApp::spawn().await;
    let bzh = cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("53").unwrap());
    let page = establishments::list(
        &app.db,
        &bzh,
        &EstablishmentQuery::default(),
        PageRequest::new(None, Some(500)),
    )
    .await
    .unwrap();
    assert!(page.total > 10);
    assert!(page.items.iter().all(|e| e.region_code == "53"));
    let ara = establishments::list(
        &app.db,
        &cratb_domain::Scope::National,
        &EstablishmentQuery {
            department: Some("38".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap();
    let grenoble_id = ara.items[0].id;
    assert!(matches!(
        establishments::get(&app.db, &bzh, grenoble_id).await,
        Err(cratb_store::StoreError::NotFound)
    ));
    // Through the API too.
    let token = app.token(COORD_BZH, false).await;
    let r = app
        .http
        .get(app.url(&format!("/api/v1/establishments/{grenoble_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list: Value = app
        .http
        .get(app.url("/api/v1/establishments?per_page=500"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["region_code"] == "53")
    );
    assert_eq!(list["total"], page.total);
}

#[tokio::test]
async fn api_tokens_problems_and_writes() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .get(app.url("/api/v1/establishments"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Cookies are not accepted by the API.
    let (cookie, _) = app.session(COORD).await;
    assert_eq!(
        app.http
            .get(app.url("/api/v1/me"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let ro = app.token(COORD, false).await;
    let rw = app.token(COORD, true).await;
    let me: Value = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&ro)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], COORD);
    let body = json!({"finess": "380780080", "name": "Centre de test", "category": "CH", "department": "38", "beds": 200});
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&ro)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "read-only token");
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&rw)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["sector"], "ES");
    let bad = json!({"finess": "12", "name": "", "category": "HOPITAL", "department": "38"});
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&rw)
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
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&rw)
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
    for t in list {
        cratb_store::tokens::revoke(&app.db, id, t.id)
            .await
            .unwrap();
    }
    assert_eq!(
        app.http
            .get(app.url("/api/v1/me"))
            .bearer_auth(&ro)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn audit_log_is_append_only_and_exports_csv() {
    let app = TestApp::spawn().await;
    let upd = cratb_store::on_db!(&app.db, p => sqlx::query("UPDATE audit_log SET summary = 'x'").execute(p).await.map(|r| r.rows_affected()));
    assert!(upd.is_err(), "UPDATE refused");
    let del = cratb_store::on_db!(&app.db, p => sqlx::query("DELETE FROM audit_log").execute(p).await.map(|r| r.rows_affected()));
    assert!(del.is_err(), "DELETE refused");

    let (cookie, _) = app.session(COORD).await;
    let r = app
        .http
        .get(app.url("/audit?entity=region"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("demo.generate"));
    let r = app
        .http
        .get(app.url("/audit.csv?entity=region"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
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
            let r = app
                .http
                .get(app.url(&format!("{path}?{query}")))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}?{query}");
            let page = r.text().await.unwrap();
            assert!(
                page.contains(&format!("Paramètre « {name} »")) && page.contains("attendu"),
                "{path}?{query}: {page}"
            );
        }
    }
    let r = app
        .http
        .get(app.url("/audit?to=2101-01-01"))
        .header("cookie", format!("{cookie}; cratb_lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains(
        "Parameter “to”: “2101-01-01” refused; expected: a YYYY-MM-DD date between 1900-01-01 and 2100-12-31."
    ));
    // The calendar's last day is a day like any other.
    let r = app
        .http
        .get(app.url("/audit?from=1900-01-01&to=2100-12-31&entity=region"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("demo.generate"));
    let token = app.token(COORD, false).await;
    let v: Value = app
        .http
        .get(app.url("/api/v1/audit?entity=region"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 1);
    for (query, pointer, value) in [
        ("to=hier", "/to", "hier"),
        ("to=9999-12-31", "/to", "9999-12-31"),
        ("from=-0001-01-01", "/from", "-0001-01-01"),
        ("page=9223372036854775807", "/page", "9223372036854775807"),
        ("per_page=501", "/per_page", "501"),
    ] {
        let r = app
            .http
            .get(app.url(&format!("/api/v1/audit?{query}")))
            .bearer_auth(&token)
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

#[tokio::test]
async fn users_are_created_and_disabled_within_the_region() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    let form = |email: &'static str, role: &'static str, region: &'static str, pw: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("email", email.into()),
            ("display_name", "Dr Test".into()),
            ("role", role.into()),
            ("region", region.into()),
            ("password", pw.into()),
        ]
    };
    let r = app
        .http
        .post(app.url("/users"))
        .header("cookie", &cookie)
        .form(&form(
            "nouveau@chu.fr",
            "national_admin",
            "",
            "Girafe-violette-2026",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("vous ne pouvez pas attribuer ce rôle")
    );
    let r = app
        .http
        .post(app.url("/users"))
        .header("cookie", &cookie)
        .form(&form("nouveau@chu.fr", "referent", "53", "azertyuiop123"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("est pas la vôtre")
            && html.contains("liste des mots de passe les plus courants"),
        "{html}"
    );
    let r = app
        .http
        .post(app.url("/users"))
        .header("cookie", &cookie)
        .form(&form(
            "nouveau@chu.fr",
            "referent",
            "84",
            "Girafe-violette-2026",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, ok) = app.login("nouveau@chu.fr", "Girafe-violette-2026").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let id = app.user_id("nouveau@chu.fr").await;
    let r = app
        .http
        .post(app.url(&format!("/users/{id}/active")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, refused) = app.login("nouveau@chu.fr", "Girafe-violette-2026").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // A coordinator cannot touch another region's account.
    let other = app.user_id(COORD_BZH).await;
    let r = app
        .http
        .post(app.url(&format!("/users/{other}/active")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let docs = app
        .http
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/api/v1/establishments") && docs.contains("application/problem+json"));
}

/// The authorization matrix: the access every route declares (this table) and, over HTTP,
/// every role and anonymous × own region / other region → allowed or refused.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/healthz", "public"),
    ("GET", "/readyz", "public"),
    ("GET", "/static/{file}", "public"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("POST", "/logout", "user"),
    ("GET", "/lang/{code}", "public"),
    ("GET", "/", "user"),
    ("GET", "/establishments", "establishments.view"),
    ("GET", "/establishments/new", "establishments.edit"),
    ("POST", "/establishments", "establishments.edit"),
    ("GET", "/establishments/{id}", "establishments.view"),
    ("GET", "/establishments/{id}/edit", "establishments.edit"),
    ("POST", "/establishments/{id}", "establishments.edit"),
    ("GET", "/territories", "establishments.view"),
    ("POST", "/territories", "establishments.edit"),
    ("GET", "/directory", "directory.view"),
    ("GET", "/directory/new", "directory.edit"),
    ("GET", "/directory/export/{format}", "directory.view"),
    ("GET", "/directory/campaign", "directory.edit"),
    ("POST", "/directory/campaign", "directory.edit"),
    ("POST", "/directory/pending/{id}/approve", "directory.edit"),
    ("POST", "/directory/pending/{id}/reject", "directory.edit"),
    ("GET", "/confirm/{token}", "public"),
    ("POST", "/confirm/{token}", "public"),
    ("GET", "/directory/import", "directory.edit"),
    ("POST", "/directory/import", "directory.edit"),
    ("GET", "/directory/import/{id}", "directory.edit"),
    ("POST", "/directory/import/{id}", "directory.edit"),
    ("POST", "/directory", "directory.edit"),
    ("GET", "/directory/{id}", "directory.view"),
    ("GET", "/directory/{id}/edit", "directory.edit"),
    ("POST", "/directory/{id}", "directory.edit"),
    (
        "POST",
        "/directory/{id}/restore/{version}",
        "directory.edit",
    ),
    ("POST", "/directory/{id}/confirm", "directory.edit"),
    ("GET", "/network", "directory.view"),
    ("GET", "/network/teams", "directory.view"),
    ("GET", "/network/teams/new", "directory.edit"),
    ("POST", "/network/teams", "directory.edit"),
    ("GET", "/network/teams/{id}", "directory.view"),
    ("GET", "/network/teams/{id}/edit", "team.edit"),
    ("POST", "/network/teams/{id}", "team.edit"),
    ("POST", "/network/teams/{id}/members", "team.edit"),
    (
        "POST",
        "/network/teams/{id}/members/{member}/remove",
        "team.edit",
    ),
    ("GET", "/network/conventions", "directory.view"),
    ("GET", "/network/conventions/new", "directory.edit"),
    ("POST", "/network/conventions/reminders", "directory.edit"),
    ("POST", "/network/conventions", "directory.edit"),
    ("GET", "/network/conventions/{id}", "directory.view"),
    ("GET", "/network/conventions/{id}/edit", "directory.edit"),
    ("POST", "/network/conventions/{id}", "directory.edit"),
    (
        "GET",
        "/network/conventions/{id}/document",
        "directory.view",
    ),
    (
        "GET",
        "/api/v1/consumption/establishments",
        "consumption.view",
    ),
    ("GET", "/consumption", "consumption.view"),
    ("GET", "/consumption/ddd", "consumption.import"),
    ("POST", "/consumption/ddd", "consumption.import"),
    ("POST", "/consumption/ddd/recompute", "consumption.import"),
    ("GET", "/consumption/imports", "consumption.import"),
    ("POST", "/consumption/imports", "consumption.import"),
    (
        "POST",
        "/consumption/imports/{id}/delete",
        "consumption.import",
    ),
    ("GET", "/consumption/primary-care", "consumption.view"),
    (
        "GET",
        "/consumption/primary-care/export/{format}",
        "consumption.view",
    ),
    (
        "POST",
        "/consumption/primary-care/imports",
        "consumption.import",
    ),
    ("GET", "/consumption/targets", "consumption.targets"),
    ("POST", "/consumption/targets", "consumption.targets"),
    (
        "GET",
        "/consumption/establishments/{id}",
        "consumption.view",
    ),
    (
        "GET",
        "/consumption/establishments/{id}/report",
        "consumption.view",
    ),
    ("GET", "/consumption/reports", "consumption.view"),
    ("GET", "/consumption/export/{format}", "consumption.view"),
    ("GET", "/network/coverage", "directory.view"),
    ("GET", "/network/coverage/export/{format}", "directory.view"),
    ("GET", "/network/centre", "directory.edit"),
    ("POST", "/network/centre", "directory.edit"),
    ("GET", "/public/search", "public"),
    ("GET", "/resistance", "resistance.view"),
    ("GET", "/resistance/export/{format}", "resistance.view"),
    ("GET", "/resistance/alerts", "resistance.view"),
    ("GET", "/resistance/imports", "isolates.import"),
    ("POST", "/resistance/imports", "isolates.import"),
    ("POST", "/resistance/imports/{id}/delete", "isolates.import"),
    ("GET", "/users", "users.view"),
    ("GET", "/users/new", "users.manage"),
    ("POST", "/users", "users.manage"),
    ("POST", "/users/{id}/active", "users.manage"),
    ("GET", "/audit", "audit.view"),
    ("GET", "/audit.csv", "audit.view"),
    ("GET", "/account", "user"),
    ("POST", "/account/password", "user"),
    ("POST", "/account/logout-everywhere", "user"),
    ("POST", "/account/tokens", "user"),
    ("POST", "/account/tokens/{id}/revoke", "user"),
    ("GET", "/api/openapi.json", "public"),
    ("GET", "/api/docs", "public"),
    ("GET", "/api/v1/me", "user"),
    ("GET", "/api/v1/regions", "user"),
    ("GET", "/api/v1/departments", "user"),
    ("GET", "/api/v1/territories", "establishments.view"),
    ("POST", "/api/v1/territories", "establishments.edit"),
    ("GET", "/api/v1/establishments", "establishments.view"),
    ("POST", "/api/v1/establishments", "establishments.edit"),
    ("GET", "/api/v1/establishments/{id}", "establishments.view"),
    ("PUT", "/api/v1/establishments/{id}", "establishments.edit"),
    ("GET", "/api/v1/users", "users.view"),
    ("POST", "/api/v1/users", "users.manage"),
    ("GET", "/api/v1/users/{id}", "users.view"),
    ("GET", "/api/v1/audit", "audit.view"),
    ("GET", "/api/v1/professionals", "directory.view"),
    ("POST", "/api/v1/professionals", "directory.edit"),
    ("GET", "/api/v1/professionals/{id}", "directory.view"),
    ("PUT", "/api/v1/professionals/{id}", "directory.edit"),
    ("GET", "/api/v1/ema-teams", "directory.view"),
    ("POST", "/api/v1/ema-teams", "directory.edit"),
    ("GET", "/api/v1/ema-teams/{id}", "directory.view"),
    ("PUT", "/api/v1/ema-teams/{id}", "team.edit"),
    ("GET", "/api/v1/conventions", "directory.view"),
    ("GET", "/api/v1/coverage", "directory.view"),
    ("GET", "/api/v1/public/search", "public"),
    ("GET", "/api/v1/fhir", "directory.view"),
    ("GET", "/api/v1/fhir/{type}", "directory.view"),
    ("POST", "/api/v1/isolates/imports", "isolates.import"),
    ("GET", "/api/v1/antibiogram", "resistance.view"),
    ("GET", "/api/v1/resistance/alerts", "resistance.view"),
];

fn access_code(a: Access) -> String {
    match a {
        Access::Public => "public".into(),
        Access::User => "user".into(),
        Access::Perm(p) => p.code().into(),
    }
}

#[test]
fn every_route_has_its_line_in_the_matrix() {
    let routes: Vec<(String, String, String)> = specs()
        .iter()
        .map(|s| {
            (
                s.method.to_string(),
                s.path.to_owned(),
                access_code(s.access),
            )
        })
        .collect();
    let table: Vec<(String, String, String)> = MATRIX
        .iter()
        .map(|(m, p, a)| (m.to_string(), p.to_string(), a.to_string()))
        .collect();
    for r in &routes {
        assert!(
            table.contains(r),
            "route {} {} (access {}) has no line in MATRIX",
            r.0,
            r.1,
            r.2
        );
    }
    for t in &table {
        assert!(
            routes.contains(t),
            "MATRIX line {} {} ({}) matches no route",
            t.0,
            t.1,
            t.2
        );
    }
}

/// Who is calling in the matrix.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    Role(Role),
}

#[tokio::test]
async fn authorization_matrix() {
    let app = TestApp::spawn().await;
    let national = cratb_domain::Scope::National;
    let pick = |dep: &'static str| {
        let db = app.db.clone();
        async move {
            establishments::list(
                &db,
                &national_scope(),
                &EstablishmentQuery {
                    department: Some(dep.into()),
                    ..Default::default()
                },
                PageRequest::new(None, Some(1)),
            )
            .await
            .unwrap()
            .items
            .remove(0)
        }
    };
    let _ = &national;
    let own_est = pick("38").await;
    let other_est = pick("35").await;
    // Targets for account routes: dedicated accounts, so the matrix never disables a caller.
    let mut targets = Vec::new();
    for region in ["84", "53"] {
        let email = format!("cible.{region}@exemple.fr");
        let mut tx = app.db.begin().await.unwrap();
        let id = cratb_store::users::create(
            &mut tx,
            &cratb_store::users::NewUser {
                email: cratb_domain::Email::parse(&email).unwrap(),
                display_name: "Cible".into(),
                role: Role::Prescriber,
                region: Some(cratb_domain::RegionCode::parse(region).unwrap()),
                establishment_id: None,
                password: "Girafe-violette-2026".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        targets.push(id);
    }
    let referent_establishment =
        cratb_store::users::find_by_email(&app.db, &app.email_of(Role::Referent, Some("84")))
            .await
            .unwrap()
            .establishment_id;
    let asset = cratb_web::assets::url("app", "css");
    let mut callers = vec![Caller::Anonymous];
    callers.extend(Role::ALL.iter().map(|r| Caller::Role(*r)));
    let mut failures = Vec::new();
    let mut checked = 0;

    for spec in specs() {
        let has_region_variant = spec.path.contains("{id}")
            && (spec.path.contains("establishments") || spec.path.contains("users"));
        let variants: &[bool] = if has_region_variant {
            &[true, false]
        } else {
            &[true]
        };
        for &own in variants {
            for caller in &callers {
                let est = if own { &own_est } else { &other_est };
                let user_target = if own { targets[0] } else { targets[1] };
                let id = if spec.path.contains("establishments") {
                    est.id
                } else if spec.path.contains("users") {
                    user_target
                } else {
                    999_999
                };
                let path = spec
                    .path
                    .replace("{id}", &id.to_string())
                    .replace("{code}", "en")
                    .replace("{format}", "csv")
                    .replace("{version}", "1")
                    .replace("{member}", "1")
                    .replace("{type}", "CareTeam")
                    .replace("{token}", "1.2.3")
                    .replace("/static/{file}", &asset);
                let api = path.starts_with("/api/v1");
                let mut req = app.http.request(spec.method.clone(), app.url(&path));
                let role = match caller {
                    Caller::Anonymous => None,
                    Caller::Role(r) => Some(*r),
                };
                let email =
                    role.map(|r| app.email_of(r, if r.is_national() { None } else { Some("84") }));
                let mut csrf = "a".repeat(64);
                if api {
                    if let Some(e) = &email {
                        req = req.bearer_auth(app.token(e, true).await);
                    }
                } else if let Some(e) = &email {
                    let (cookie, c) = app.session(e).await;
                    req = req.header("cookie", cookie);
                    csrf = c;
                } else {
                    req = req.header("cookie", format!("cratb_csrf={csrf}"));
                }
                if spec.method != reqwest::Method::GET {
                    if api {
                        let body = if spec.path.contains("establishments") {
                            json!({"finess": est.finess, "name": est.name, "category": est.category, "department": est.department_code})
                        } else {
                            json!({})
                        };
                        req = req.json(&body);
                    } else if spec.path.contains("/establishments/{id}") {
                        req = req.form(&[
                            ("csrf", csrf.as_str()),
                            ("finess", &est.finess),
                            ("name", &est.name),
                            ("category", &est.category),
                            ("department", &est.department_code),
                        ]);
                    } else if spec.path.ends_with("/active") {
                        req = req.form(&[("csrf", csrf.as_str()), ("active", "true")]);
                    } else {
                        req = req.form(&[("csrf", csrf.as_str())]);
                    }
                }
                let res = req.send().await.unwrap();
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let refused = match status.as_u16() {
                    401 if api => true,
                    403 => true,
                    404 => !own,
                    303 => location.starts_with("/login?next="),
                    _ => false,
                };
                let permitted = match spec.access {
                    Access::Public => true,
                    Access::User => role.is_some(),
                    Access::Perm(p) => role.is_some_and(|r| r.can(p)),
                };
                let expected_allowed = permitted
                    && (own || role.is_some_and(|r| r.is_national()) || !has_region_variant);
                // A referent sees their own establishment's consumption only (the dashboard
                // sends them there); the region-wide files are not theirs.
                let expected_allowed =
                    if role == Some(Role::Referent) && spec.path.starts_with("/consumption") {
                        match spec.path {
                            "/consumption" => true,
                            p if p.starts_with("/consumption/primary-care") => false,
                            p if p.starts_with("/consumption/establishments/") => {
                                own && referent_establishment == Some(est.id)
                            }
                            _ => false,
                        }
                    } else {
                        expected_allowed
                    };
                checked += 1;
                if refused == expected_allowed || status.is_server_error() {
                    failures.push(format!(
                        "{} {path} as {caller:?} ({}): got {status} {location}, expected {}",
                        spec.method,
                        if own { "own region" } else { "other region" },
                        if expected_allowed {
                            "allowed"
                        } else {
                            "refused"
                        }
                    ));
                }
            }
        }
    }
    assert!(checked > 400, "matrix ran {checked} cases");
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn national_scope() -> cratb_domain::Scope {
    cratb_domain::Scope::National
}

/// Bad input never gives a server error. Every POST/PUT route that takes input gets malformed,
/// oversized, wrongly typed and incomplete bodies, NUL bytes and invalid UTF-8: always a 4xx
/// with a message. Every GET route gets hostile values in its query parameters and path
/// segments: never a 5xx, a refusal is an error page (problem+json under `/api/`), and the
/// server still answers afterwards.
#[tokio::test]
async fn bad_input_never_gives_a_server_error() {
    let app = TestApp::spawn().await;
    let mut failures = sweep_bodies(&app).await;
    failures.extend(sweep_queries_and_paths(&app).await);
    let health = app.http.get(app.url("/healthz")).send().await;
    assert!(
        health.is_ok_and(|r| r.status() == StatusCode::OK),
        "the server still answers"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The body half of the bad-input sweep: every POST/PUT route that takes input.
async fn sweep_bodies(app: &TestApp) -> Vec<String> {
    let (cookie, csrf) = app.session(ADMIN).await;
    let token = app.token(ADMIN, true).await;
    let est = establishments::list(
        &app.db,
        &national_scope(),
        &EstablishmentQuery::default(),
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let target = app.user_id("ema@demo.cratb.fr").await;
    // Routes whose only input is the CSRF token (logout, logout everywhere, revoke) are not swept:
    // whatever the body, they do their one thing.
    let no_input = [
        "/logout",
        "/resistance/imports/{id}/delete",
        "/consumption/imports/{id}/delete",
        "/directory/{id}/restore/{version}",
        "/directory/{id}/confirm",
        "/network/teams/{id}/members/{member}/remove",
        "/directory/campaign",
        "/network/conventions/reminders",
        "/directory/pending/{id}/approve",
        "/directory/pending/{id}/reject",
        "/account/logout-everywhere",
        "/account/tokens/{id}/revoke",
    ];
    let big = "x".repeat(cratb_web::BODY_LIMIT + 10);
    // Every text field a form or a JSON body of ours names, each with a NUL byte inside.
    let text_fields = [
        "name",
        "email",
        "display_name",
        "q",
        "notes",
        "partner",
        "finess",
        "rpps",
        "first_name",
        "last_name",
        "phone",
        "city",
        "postcode",
        "department",
        "region",
        "kind",
        "role",
        "status",
        "title",
        "edition",
        "ddd_edition",
        "establishment",
        "password",
        "next",
    ];
    let nul_form: String = text_fields
        .iter()
        .map(|f| format!("{f}=a%00b"))
        .collect::<Vec<_>>()
        .join("&");
    let nul_json: Value = text_fields
        .iter()
        .map(|f| (f.to_string(), json!("a\u{0}b")))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let mut failures = Vec::new();
    for spec in specs()
        .into_iter()
        .filter(|s| s.method == reqwest::Method::POST || s.method == reqwest::Method::PUT)
    {
        if no_input.contains(&spec.path) {
            continue;
        }
        let path = spec.path.replace(
            "{id}",
            &if spec.path.contains("users") {
                target
            } else {
                est.id
            }
            .to_string(),
        );
        let api = path.starts_with("/api/");
        let cases: Vec<(&str, reqwest::RequestBuilder)> = if api {
            let b = || {
                app.http
                    .request(spec.method.clone(), app.url(&path))
                    .bearer_auth(&token)
            };
            vec![
                ("malformed", b().header("content-type", "application/json").body("{\"name\": ")),
                ("oversized", b().header("content-type", "application/json").body(format!("{{\"name\": \"{big}\"}}"))),
                ("wrong types", b().json(&json!({"name": 12, "beds": "many", "ght_id": [1], "email": false, "role": 3}))),
                ("missing fields", b().json(&json!({}))),
                ("not JSON", b().header("content-type", "text/plain").body("bonjour")),
                ("JSON array", b().json(&json!([1, 2]))),
                ("NUL bytes", b().json(&nul_json)),
                ("NUL in a key", b().json(&json!({"na\u{0}me": "x"}))),
            ]
        } else {
            let b = || {
                app.http
                    .request(spec.method.clone(), app.url(&path))
                    .header("cookie", &cookie)
            };
            let form = |extra: &str| format!("csrf={csrf}&{extra}");
            let urlencoded = "application/x-www-form-urlencoded";
            // A multipart form carries its CSRF token in the address (as the upload pages do).
            let multipart = || {
                let mut m = reqwest::multipart::Form::new();
                for f in text_fields {
                    m = m.text(f, "a\u{0}b");
                }
                for f in ["file", "consumption", "denominators", "packs", "document"] {
                    m = m.part(
                        f,
                        reqwest::multipart::Part::bytes(b"a;b\n1;2\n".to_vec())
                            .file_name("fichier\u{0}.csv"),
                    );
                }
                app.http
                    .request(spec.method.clone(), app.url(&format!("{path}?csrf={csrf}")))
                    .header("cookie", &cookie)
                    .multipart(m)
            };
            vec![
                ("malformed", b().header("content-type", urlencoded).body(form("name=%E9%%&beds=%ZZ"))),
                ("oversized", b().header("content-type", urlencoded).body(form(&format!("name={big}")))),
                ("wrong types", b().header("content-type", urlencoded).body(form("beds=beaucoup&ght_id=abc&active=peut-etre&finess=ABC&email=pas-un-mail&role=chef&region=99"))),
                ("missing fields", b().header("content-type", urlencoded).body(form(""))),
                ("NUL bytes", b().header("content-type", urlencoded).body(form(&nul_form))),
                ("invalid UTF-8", b().header("content-type", urlencoded).body(form("name=%FF%FE&email=%C3"))),
                ("multipart with NUL bytes", multipart()),
            ]
        };
        for (what, req) in cases {
            let res = req.send().await.unwrap();
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            if !status.is_client_error() || body.trim().is_empty() {
                failures.push(format!(
                    "{} {path} [{what}]: {status} {}",
                    spec.method,
                    body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    failures
}

/// Values that once reached a query unparsed, as they travel in an address: the calendar's
/// ends, integers at and past 64 bits, a float past `f64`, a NUL byte, invalid UTF-8, a long
/// text.
fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "9999-12-31",
        "-0001-01-01",
        "0000-00-00",
        "9223372036854775807",
        "-9223372036854775808",
        "1e309",
        "a%00b",
        "%FF%FE",
    ]
    .map(String::from)
    .to_vec();
    v.push("x".repeat(4 * 1024));
    v
}

/// Query parameter names the pages take (the API's come from its OpenAPI document).
const QUERY_NAMES: &[&str] = &[
    "from",
    "to",
    "year",
    "year_from",
    "year_to",
    "page",
    "per_page",
    "establishment",
    "region",
    "q",
    "sector",
    "category",
    "ward",
    "ward_type",
    "class",
    "territory",
    "department",
    "specimen",
    "first_isolates",
    "min_isolates",
    "organism",
    "antimicrobial",
    "status",
    "team_id",
    "expiring",
    "reminded",
    "unreached",
    "profession",
    "role",
    "stale",
    "user",
    "entity",
    "kind",
    "next",
    "bye",
    "saved",
];

/// Who sends a request of the GET sweep.
#[derive(Clone)]
enum Sender {
    Anonymous,
    Session(String),
    Token(String),
}

/// How a GET request of the sweep was answered.
enum Answer {
    Accepted,
    /// Refused with a 4xx and a proper error (page, or problem document under `/api/v1`),
    /// with the text of the refusal.
    Refused(String),
}

/// Sends the GET requests of the sweep.
struct Probe {
    http: reqwest::Client,
    base: String,
}

impl Probe {
    /// Sends `path_and_query` as `who`; `Err` says what went wrong: a 5xx, no answer, or a
    /// refusal without a proper error.
    async fn send(&self, who: &Sender, path_and_query: &str) -> Result<Answer, String> {
        let mut req = self.http.get(format!("{}{path_and_query}", self.base));
        match who {
            Sender::Anonymous => {}
            Sender::Session(c) => req = req.header("cookie", c),
            Sender::Token(t) => req = req.bearer_auth(t),
        }
        let res = req.send().await.map_err(|e| format!("no answer ({e})"))?;
        let status = res.status();
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = res.text().await.map_err(|e| format!("answer cut ({e})"))?;
        let excerpt = || body.chars().take(160).collect::<String>();
        if status.is_server_error() {
            return Err(format!("{status} {}", excerpt()));
        }
        if !status.is_client_error() {
            return Ok(Answer::Accepted);
        }
        let proper = if path_and_query.starts_with("/api/v1") {
            kind.starts_with("application/problem+json")
                || kind.starts_with("application/fhir+json")
        } else {
            kind.starts_with("text/html") && body.contains("<main")
        };
        if !proper {
            return Err(format!(
                "{status} refused without a proper error ({kind}): {}",
                excerpt()
            ));
        }
        Ok(Answer::Refused(body))
    }
}

/// The parameter of `group` a refusal names (« name » on a page, `/name` in a problem).
fn named_in<'a>(refusal: &str, group: &'a [String]) -> Option<&'a String> {
    group.iter().find(|n| {
        refusal.contains(&format!("« {n} »")) || refusal.contains(&format!("\"pointer\":\"/{n}\""))
    })
}

/// The query and path half of the bad-input sweep: every GET route, as a coordinator (and
/// anonymous where public, and as the national administrator, who may name a region).
async fn sweep_queries_and_paths(app: &TestApp) -> Vec<String> {
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: Vec<String> = QUERY_NAMES.iter().map(|s| s.to_string()).collect();
    for path in doc["paths"].as_object().unwrap().values() {
        for p in path["get"]["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap().to_owned();
            if p["in"] == "query" && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let own_est = establishments::list(
        &app.db,
        &national_scope(),
        &EstablishmentQuery {
            department: Some("38".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let asset = cratb_web::assets::url("app", "css");
    let mut senders: Vec<(&str, Sender, Sender)> = Vec::new();
    for (who, email) in [("coordinator", COORD), ("national admin", ADMIN)] {
        let (cookie, _) = app.session(email).await;
        senders.push((
            who,
            Sender::Session(cookie),
            Sender::Token(app.token(email, false).await),
        ));
    }
    let probe = std::sync::Arc::new(Probe {
        http: app.http.clone(),
        base: app.base.clone(),
    });
    let values = std::sync::Arc::new(hostile_values());
    let names = std::sync::Arc::new(names);
    let mut tasks = tokio::task::JoinSet::new();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    for spec in specs()
        .into_iter()
        .filter(|s| s.method == reqwest::Method::GET)
    {
        let path = spec
            .path
            .replace("{id}", &own_est.id.to_string())
            .replace("{code}", "en")
            .replace("{format}", "csv")
            .replace("{type}", "CareTeam")
            .replace("{token}", "1.2.3")
            .replace("/static/{file}", &asset);
        let api = path.starts_with("/api/v1");
        let mut callers: Vec<(String, Sender)> = senders
            .iter()
            .map(|(who, s, t)| (who.to_string(), if api { t.clone() } else { s.clone() }))
            .collect();
        if spec.access == Access::Public {
            callers.push(("anonymous".into(), Sender::Anonymous));
        }
        // Path segments: each parameter in turn.
        let segments: Vec<String> = spec
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(str::to_owned)
            .collect();
        for (who, sender) in callers {
            let (probe, values, names, gate) =
                (probe.clone(), values.clone(), names.clone(), gate.clone());
            let (template, path, segments) = (spec.path, path.clone(), segments.clone());
            tasks.spawn(async move {
                let _turn = gate.acquire().await.unwrap();
                let mut failures = Vec::new();
                let mut fail = |url: &str, e: String| {
                    failures.push(format!(
                        "GET {} as {who}: {e}",
                        url.chars().take(120).collect::<String>()
                    ))
                };
                match probe.send(&sender, &path).await {
                    Ok(Answer::Accepted) => {}
                    // Not this caller's page (or not without parameters): nothing to sweep.
                    Ok(Answer::Refused(_)) => return failures,
                    Err(e) => {
                        fail(&path, e);
                        return failures;
                    }
                }
                for value in values.iter() {
                    // All names at once. A refusal names one parameter: it is tried alone no
                    // further, the others are sent again, so that no refusal hides another
                    // parameter; a refusal naming none splits the group.
                    let mut groups: Vec<Vec<String>> = vec![names.to_vec()];
                    while let Some(group) = groups.pop() {
                        let query: Vec<String> =
                            group.iter().map(|n| format!("{n}={value}")).collect();
                        let url = format!("{path}?{}", query.join("&"));
                        match probe.send(&sender, &url).await {
                            Ok(Answer::Accepted) => {}
                            Ok(Answer::Refused(why)) if group.len() > 1 => {
                                match named_in(&why, &group) {
                                    Some(n) => groups
                                        .push(group.iter().filter(|g| *g != n).cloned().collect()),
                                    None => {
                                        let (a, b) = group.split_at(group.len() / 2);
                                        groups.push(a.to_vec());
                                        groups.push(b.to_vec());
                                    }
                                }
                            }
                            Err(_) if group.len() > 1 => {
                                let (a, b) = group.split_at(group.len() / 2);
                                groups.push(a.to_vec());
                                groups.push(b.to_vec());
                            }
                            Ok(Answer::Refused(_)) => {}
                            Err(e) => fail(&url, e),
                        }
                    }
                    for segment in &segments {
                        let url = template
                            .replace(segment.as_str(), value)
                            .replace("{id}", "1")
                            .replace("{code}", "en")
                            .replace("{format}", "csv")
                            .replace("{type}", "CareTeam")
                            .replace("{token}", "1.2.3")
                            .replace("{file}", "app.css");
                        if let Err(e) = probe.send(&sender, &url).await {
                            fail(&url, e);
                        }
                    }
                }
                failures
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        failures.extend(done.unwrap());
    }
    failures.sort();
    failures
}

/// NUL bytes and invalid UTF-8 are refused at the edge wherever they come — query string,
/// path, form, JSON body, multipart form — with a message in the user's language; nothing is
/// written (PostgreSQL refused them with a 500; SQLite stored them).
#[tokio::test]
async fn nul_bytes_and_invalid_utf8_are_refused_at_the_edge() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    let token = app.token(COORD, true).await;
    let get = |path: &str, lang: &str| {
        app.http
            .get(app.url(path))
            .header("cookie", format!("{cookie}; cratb_lang={lang}"))
            .send()
    };
    for (path, message) in [
        (
            "/establishments?q=a%00b",
            "Le paramètre « q » contient un caractère nul",
        ),
        (
            "/establishments?q=%FF%FE",
            "Le paramètre « q » contient des caractères illisibles",
        ),
        (
            "/establishments/%00",
            "L&#39;adresse demandée contient un caractère nul",
        ),
        ("/directory?q=%C3", "caractères illisibles (UTF-8 invalide)"),
    ] {
        let r = get(path, "fr").await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains(message), "{path}: {page}");
    }
    let r = get("/establishments?q=a%00b", "en").await.unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Parameter “q” contains a NUL character")
    );
    let r = app
        .http
        .get(app.url("/api/v1/establishments?q=%00"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["pointer"],
        "/q"
    );

    // Bodies: a valid establishment but for a NUL byte in its name is refused whole.
    let count = || async {
        establishments::list(
            &app.db,
            &national_scope(),
            &EstablishmentQuery::default(),
            PageRequest::new(None, Some(1)),
        )
        .await
        .unwrap()
        .total
    };
    let before = count().await;
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&token)
        .json(&json!({"finess": "380000125", "name": "CH du\u{0}Test", "category": "CH", "department": "38"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem = r.json::<Value>().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/name", "{problem}");
    let r = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("finess", "380000125"),
            ("name", "CH du\u{0}Test"),
            ("category", "CH"),
            ("department", "38"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le champ « name » contient un caractère nul")
    );
    assert_eq!(count().await, before, "nothing written");

    // A multipart form (a convention and its PDF) with a NUL byte in a text field.
    let teams: Value = app
        .http
        .get(app.url("/api/v1/ema-teams"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let team = teams[0]["id"].as_i64().unwrap();
    let conventions = || async {
        app.http
            .get(app.url("/api/v1/conventions"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    let before = conventions().await;
    let partner = establishments::list(
        &app.db,
        &national_scope(),
        &EstablishmentQuery {
            department: Some("38".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let form = reqwest::multipart::Form::new()
        .text("team_id", team.to_string())
        .text("partner", format!("e:{}", partner.id))
        .text("services", "advice")
        .text("status", "draft")
        .text("notes", "signée\u{0}en mairie");
    let r = app
        .http
        .post(app.url(&format!(
            "/network/conventions?csrf={}",
            common::urlencode(&csrf)
        )))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le champ « notes » contient un caractère nul")
    );
    assert_eq!(conventions().await, before, "nothing written");
}

/// A NUL byte in the login e-mail is a failed login like any other, even with the right
/// password: audited, and counted against the account and the client address (it once left
/// no trace: PostgreSQL refused the text, the login answered 500).
#[tokio::test]
async fn a_nul_byte_in_the_login_email_is_an_audited_and_counted_failure() {
    let app = TestApp::spawn().await;
    let pw = app.account(PRESCRIBER).password.clone();
    for _ in 0..3 {
        let (_, r) = app.login(&format!("{PRESCRIBER}\u{0}"), &pw).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Adresse e-mail ou mot de passe incorrect")
        );
    }
    let failures = |key: String| {
        let db = app.db.clone();
        async move {
            cratb_store::on_db!(&db, p => sqlx::query_scalar::<_, i64>("SELECT failures FROM login_throttle WHERE key = $1")
                .bind(&key).fetch_one(p).await)
            .unwrap_or_else(|e| panic!("no throttle record for {key}: {e}"))
        }
    };
    assert_eq!(
        failures(format!("email:{PRESCRIBER}")).await,
        3,
        "per account"
    );
    assert_eq!(failures("ip:127.0.0.1".into()).await, 3, "per address");
    let log = audit::list(
        &app.db,
        &national_scope(),
        &audit::AuditQuery {
            entity: Some("session".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(500)),
    )
    .await
    .unwrap();
    let entries = log
        .items
        .iter()
        .filter(|e| e.action == "login.failure" && e.summary.contains(PRESCRIBER))
        .count();
    assert_eq!(entries, 3, "each attempt is in the audit log");
    // The account itself is untouched: its own address and password still log in.
    let (_, r) = app.login(PRESCRIBER, &pw).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn home_page_says_what_to_do_for_each_role() {
    let app = TestApp::spawn().await;
    let ara = cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap());
    let summary = establishments::sector_summary(&app.db, &ara).await.unwrap();
    let without_ght: i64 = summary.iter().map(|s| s.without_ght).sum();
    let without_beds: i64 = summary.iter().map(|s| s.without_beds).sum();
    assert!(
        without_ght > 0 && without_beds > 0,
        "the demo leaves records to complete"
    );
    let es = summary.iter().find(|s| s.sector == "ES").unwrap().total;

    let (cookie, _) = app.session(COORD).await;
    let home = app
        .http
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(&format!(
            "<strong>{without_ght}</strong> établissement(s) de santé sans GHT"
        )),
        "{home}"
    );
    assert!(home.contains(&format!(
        "<strong>{without_beds}</strong> établissement(s) sans capacité"
    )));
    assert!(
        home.contains(&format!("<td class=\"num\">{es}</td>")),
        "ES count in the network table"
    );
    assert!(
        home.contains("demo.generate") || home.contains("Données de démonstration"),
        "recent activity"
    );
    // The network's to-do: entries to confirm, conventions ending, teams lacking a discipline.
    let stale = cratb_store::directory::list(
        &app.db,
        &ara,
        &cratb_store::directory::DirectoryQuery {
            stale: Some(true),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .total;
    assert!(stale > 0, "the demo has entries to confirm");
    assert!(home.contains(&format!(
        "<strong>{stale}</strong> fiche(s) de l&#39;annuaire non confirmée(s)"
    )));
    assert!(home.contains("convention(s) arrivant à échéance"));
    assert!(home.contains("équipe(s) EMA sans toutes les disciplines requises"));
    // The EMA member sees their own team's gap only (the Lyon team lacks a microbiologist).
    let (cookie_ema, _) = app.session("ema@demo.cratb.fr").await;
    let home_ema = app
        .http
        .get(app.url("/"))
        .header("cookie", &cookie_ema)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home_ema.contains("<strong>1</strong> équipe(s) EMA sans toutes les disciplines requises")
    );

    // A prescriber has no network table, no to-do of the CRAtb, no audit.
    let (cookie, _) = app.session(PRESCRIBER).await;
    let home = app
        .http
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Rien d")
            && !home.contains("network-title")
            && !home.contains("recent-title")
    );
}

#[tokio::test]
async fn territories_are_added_within_the_region() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    let post = |body: String| {
        app.http
            .post(app.url("/territories"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    // Departments of two regions, and an empty name: errors in place, choices kept.
    let r = post(format!(
        "csrf={csrf}&kind=CPTS&name=&departments=38&departments=35"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("le nom est obligatoire") && html.contains("une même région"));
    assert!(html.contains("value=\"38\" checked"), "choices kept");
    // Another region's departments.
    let r = post(format!(
        "csrf={csrf}&kind=CPTS&name=CPTS+de+Rennes&departments=35"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ne sont pas dans votre région")
    );
    // A valid CPTS.
    let r = post(format!(
        "csrf={csrf}&kind=CPTS&name=CPTS+du+Pays+Voironnais&departments=38"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app
        .http
        .get(app.url("/territories"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("CPTS du Pays Voironnais"));
    // The same name again is refused.
    let r = post(format!(
        "csrf={csrf}&kind=CPTS&name=CPTS+du+Pays+Voironnais&departments=38"
    ))
    .send()
    .await
    .unwrap();
    assert!(r.text().await.unwrap().contains("porte déjà ce nom"));
    // Through the API, with the audit trail.
    let token = app.token(COORD, true).await;
    let r = app
        .http
        .post(app.url("/api/v1/territories"))
        .bearer_auth(&token)
        .json(&json!({"kind": "GHT", "name": "GHT Test", "departments": ["73", "74"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.unwrap();
    assert_eq!(
        (t["region_code"].as_str(), t["kind"].as_str()),
        (Some("84"), Some("GHT"))
    );
    let r = app
        .http
        .post(app.url("/api/v1/territories"))
        .bearer_auth(&token)
        .json(&json!({"kind": "GHU", "departments": []}))
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
    assert_eq!(pointers, ["/kind", "/name", "/departments"]);
    let log = audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &audit::AuditQuery {
            entity: Some("territory".into()),
            ..Default::default()
        },
        PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(log.total, 2);
}

#[tokio::test]
async fn field_errors_speak_the_users_language() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = app.session(COORD).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("finess", "380780081"),
        ("name", ""),
        ("category", "CH"),
        ("department", "38"),
    ];
    let fr = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("la clé de contrôle est fausse") && fr.contains("le nom est obligatoire"));
    let en = app
        .http
        .post(app.url("/establishments"))
        .header("cookie", format!("{cookie}; cratb_lang=en"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("the check key is wrong") && en.contains("the name is required"),
        "{en}"
    );
    assert!(!en.contains("clé de contrôle"));
    let token = app.token(COORD, true).await;
    let r = app
        .http
        .post(app.url("/api/v1/establishments"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&json!({"finess": "380780081"}))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["pointer"], "/finess");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("check key")
    );
}
