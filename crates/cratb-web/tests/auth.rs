//! Logging in and staying safe, over HTTP against the real server (SQLite by default,
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): security headers and request ids, login
//! and logout, the language, throttling (a NUL byte in the e-mail counted like any failure),
//! CSRF, session rotation and logout everywhere.

mod common;

use common::{COORD, PRESCRIBER, TestApp, extract, meta_csrf};
use cratb_store::{PageRequest, audit};
use reqwest::StatusCode;

#[tokio::test]
async fn health_headers_and_request_id() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let r = anonymous.get("/healthz").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    assert_eq!(anonymous.get("/readyz").send().await.unwrap().status(), 200);
    let r = anonymous.get("/login").send().await.unwrap();
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
    let r = anonymous.get(&css).send().await.unwrap();
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
        .anonymous()
        .get("/login")
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
    let coord = app.client(COORD).await;
    let cookie = coord.cookie().unwrap().to_owned();
    // A state-changing form without (or with a wrong) token is refused.
    for body in [vec![("name", "x")], vec![("name", "x"), ("csrf", "0000")]] {
        let r = coord
            .post("/account/tokens")
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = coord
        .post_form("/account/tokens", &[("name", "outil")])
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
    let r = coord
        .post_button("/account/logout-everywhere")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for c in [&cookie, &new_cookie] {
        assert_eq!(
            app.anonymous()
                .get("/account")
                .header("cookie", c)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::SEE_OTHER
        );
    }
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
        &cratb_domain::Scope::National,
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
