//! Logging in and staying safe, over HTTP against the real server (SQLite by default,
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): security headers and request ids, login
//! and logout, the language, throttling (a NUL byte in the e-mail counted like any failure;
//! parallel attempts; the device cookie; the client address behind a trusted proxy only),
//! CSRF, session rotation and logout everywhere.

mod common;

use common::{COORD, PRESCRIBER, TestApp, extract, meta_csrf};
use cratb_store::{PageRequest, audit, throttle};
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
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "login.failure" && e.summary.contains(PRESCRIBER))
    );
    // The first in full, the repeated ones counted in one entry: every attempt accounted for.
    assert_eq!(
        common::scalar(
            &app.db,
            "SELECT CAST(SUM(occurrences) AS BIGINT) FROM audit_log WHERE action = 'login.failure'"
        )
        .await,
        3,
        "each attempt is in the audit log"
    );
    // The account itself is untouched: its own address and password still log in.
    let (_, r) = app.login(PRESCRIBER, &pw).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// A browser of its own (its cookies kept), not following redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The login form's CSRF token for `browser` (its pre-session cookie set).
async fn login_csrf(app: &TestApp, browser: &reqwest::Client) -> String {
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    extract(&page, "name=\"csrf\" value=\"", "\"").expect("csrf in the login form")
}

/// Signs in with `browser`, sending `forwarded` as `X-Forwarded-For` if given.
async fn login_from(
    app: &TestApp,
    browser: &reqwest::Client,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let csrf = login_csrf(app, browser).await;
    let mut req = browser.post(app.url("/login")).form(&[
        ("email", email),
        ("password", password),
        ("csrf", &csrf),
        ("next", "/"),
    ]);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

async fn failures(app: &TestApp, key: &str) -> i64 {
    common::scalar(
        &app.db,
        &format!("SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE key = '{key}'"),
    )
    .await
}

/// Sixty wrong passwords posted at once check no more passwords than the free failures (once,
/// 46 of 60 were checked while the counter said 26, and the right password then got in), and
/// the right password waits like any other attempt.
#[tokio::test]
async fn parallel_wrong_passwords_check_no_more_than_the_allowance() {
    let app = TestApp::spawn().await;
    let mut ready = Vec::new();
    for _ in 0..60 {
        let b = browser();
        let csrf = login_csrf(&app, &b).await;
        ready.push((b, csrf));
    }
    let posts: Vec<_> = ready
        .into_iter()
        .map(|(b, csrf)| {
            let url = app.url("/login");
            tokio::spawn(async move {
                b.post(url)
                    .form(&[
                        ("email", PRESCRIBER),
                        ("password", "mauvais-mot-de-passe"),
                        ("csrf", &csrf),
                        ("next", "/"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let (mut checked, mut waited) = (0, 0);
    for p in posts {
        match p.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => waited += 1,
            other => panic!("{other}"),
        }
    }
    assert!(
        checked <= throttle::FREE_FAILURES,
        "{checked} passwords checked"
    );
    assert_eq!(checked + waited, 60);
    assert_eq!(
        failures(&app, &throttle::account_key(PRESCRIBER)).await,
        checked,
        "the counter says what was checked"
    );
    let pw = app.account(PRESCRIBER).password.clone();
    let (_, r) = app.login(PRESCRIBER, &pw).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// The device cookie: a browser that signed in to an account before keeps signing in to it
/// while an attacker's failures make every other browser wait.
#[tokio::test]
async fn the_owners_browser_is_not_locked_out_by_an_attacker() {
    let app = TestApp::spawn().await;
    let pw = app.account(PRESCRIBER).password.clone();
    let owner = browser();
    let r = login_from(&app, &owner, PRESCRIBER, &pw, None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let device = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cratb_device="))
        .expect("a device cookie")
        .to_owned();
    assert!(device.contains("HttpOnly") && device.contains("Max-Age=31536000"));
    let home = owner
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = owner
        .post(app.url("/logout"))
        .form(&[("csrf", meta_csrf(&home))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
    for _ in 0..50 {
        let (_, r) = app.login(PRESCRIBER, "mauvais-mot-de-passe").await;
        assert!(matches!(r.status().as_u16(), 401 | 429));
    }
    // A longer attack leaves the account waiting a quarter of an hour (which spares this test
    // a race with the end of a one-second wait).
    for _ in 0..10 {
        throttle::record_failure(&app.db, &[throttle::account_key(PRESCRIBER)])
            .await
            .unwrap();
    }
    let (_, r) = app.login(PRESCRIBER, &pw).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a fresh browser waits"
    );
    let r = login_from(&app, &owner, PRESCRIBER, &pw, None).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the owner's browser does not"
    );
    let home = owner.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
}

/// Behind a trusted proxy, each client is known by the address the proxy forwards: made-up
/// e-mails from many clients, or many from one, slow those clients only.
#[tokio::test]
async fn behind_a_trusted_proxy_each_client_counts_apart() {
    let app = TestApp::spawn_with(|c| {
        c.trusted_proxies = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
    })
    .await;
    for i in 0..20 {
        let b = browser();
        for j in 0..3 {
            let r = login_from(
                &app,
                &b,
                &format!("inconnu{i}.{j}@exemple.fr"),
                "x",
                Some(&format!("203.0.113.{i}")),
            )
            .await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
    }
    let persistent = browser();
    let mut last = StatusCode::OK;
    for j in 0..=throttle::FREE_FAILURES {
        last = login_from(
            &app,
            &persistent,
            &format!("autre{j}@exemple.fr"),
            "x",
            Some("203.0.113.200"),
        )
        .await
        .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "that client is slowed");
    let pw = app.account(PRESCRIBER).password.clone();
    let r = login_from(&app, &browser(), PRESCRIBER, &pw, Some("198.51.100.7")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "another client is not");
    // The rightmost address that is not a trusted proxy is the client; what lies left of it
    // is the client's own say.
    let pw = app.account(COORD).password.clone();
    let r = login_from(
        &app,
        &browser(),
        COORD,
        &pw,
        Some("192.0.2.66, 198.51.100.8, 10.1.2.3"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let log = audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &audit::AuditQuery::default(),
        PageRequest::new(None, Some(500)),
    )
    .await
    .unwrap();
    let ip_of = |email: &str| {
        log.items
            .iter()
            .find(|e| e.action == "login.success" && e.actor == email)
            .and_then(|e| e.ip.clone())
    };
    assert_eq!(ip_of(PRESCRIBER).as_deref(), Some("198.51.100.7"));
    assert_eq!(ip_of(COORD).as_deref(), Some("198.51.100.8"));
    assert_eq!(failures(&app, "ip:203.0.113.4").await, 3);
}

/// Without `--trusted-proxy`, `X-Forwarded-For` is ignored: a client cannot choose the address
/// it is counted under.
#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let app = TestApp::spawn().await;
    for i in 0..throttle::FREE_FAILURES {
        let r = login_from(
            &app,
            &browser(),
            &format!("inconnu{i}@exemple.fr"),
            "x",
            Some(&format!("203.0.113.{i}")),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login_from(
        &app,
        &browser(),
        "encore@exemple.fr",
        "x",
        Some("198.51.100.9"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        failures(&app, "ip:127.0.0.1").await,
        throttle::FREE_FAILURES
    );
    assert_eq!(
        common::scalar(
            &app.db,
            "SELECT COUNT(*) FROM login_throttle WHERE key LIKE 'ip:203%' OR key LIKE 'ip:198%'"
        )
        .await,
        0
    );
}
