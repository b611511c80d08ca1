//! Two-factor authentication over HTTP against the real server (SQLite by default, PostgreSQL
//! when `CRATB_TEST_DATABASE_URL` is set): enrolment and the login's second step, single-use
//! codes and recovery codes, the enrolment gate of the roles that must (and not in a
//! demonstration), the region's setting, an administrator's reset within their powers. The
//! codes are computed with `totp-rs`, the crate the server uses. (Skew of ±1 step and refusal
//! at ±2 are checked with explicit times in `cratb_domain::mfa`'s tests.)

mod common;

use common::{ADMIN, ARS, COORD, COORD_BZH, Client, EMA, LAB, SECRETARY, TestApp, extract, scalar};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

/// The code an authenticator application shows `offset_steps` steps from now.
fn code(secret: &[u8], offset_steps: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + 30 * offset_steps) as u64).to_string()
}

/// The recovery codes shown on a page.
fn recovery_codes(page: &str) -> Vec<String> {
    let list = extract(page, "id=\"recovery-codes\">", "</ul>").expect("recovery codes shown");
    list.split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap().to_owned())
        .collect()
}

/// Enrols the client's account as a person would: start, read the key, confirm with the
/// current code. Returns the secret and the recovery codes.
async fn enrol(client: &Client) -> (Vec<u8>, Vec<String>) {
    let r = client
        .post_button("/account/mfa/start")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("<svg"), "the QR code is drawn inline");
    let typed = extract(&page, "id=\"mfa-secret\">", "</code>").expect("the key as text");
    let secret = totp_rs::Secret::try_from_base32(typed.replace(' ', ""))
        .expect("base 32")
        .as_bytes()
        .to_vec();
    let r = client
        .post_form("/account/mfa/confirm", &[("code", code(&secret, 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let codes = recovery_codes(&page);
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// The audit entries of an action.
async fn audited(app: &TestApp, action: &str) -> i64 {
    scalar(
        &app.db,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}

/// A login's password step, which must ask for the code: the browser (its cookies) and the
/// code form's CSRF token.
async fn password_step(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let pw = app.account(email).password.clone();
    let (browser, r) = app.login(email, &pw).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[LOCATION].to_str().unwrap(),
        "/login/mfa?next=%2F"
    );
    let cookies: Vec<&str> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies.iter().all(|c| !c.starts_with("cratb_session=")),
        "no session before the code: {cookies:?}"
    );
    assert!(cookies.iter().any(|c| c.starts_with("cratb_mfa_pending=")));
    let page = browser
        .get(app.url("/login/mfa?next=%2F"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract(&page, "name=\"csrf\" value=\"", "\"").unwrap();
    (browser, csrf)
}

async fn second_step(
    app: &TestApp,
    browser: &reqwest::Client,
    csrf: &str,
    code: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/login/mfa"))
        .form(&[("csrf", csrf), ("code", code), ("next", "/")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn enrolment_then_login_with_a_code_once_and_recovery_codes_once() {
    let app = TestApp::spawn().await;
    let ema = app.client(EMA).await;
    let (secret, codes) = enrol(&ema).await;
    assert_eq!(audited(&app, "mfa.enrol").await, 1);
    let stored: i64 = scalar(
        &app.db,
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE used_at IS NULL",
    )
    .await;
    assert_eq!(stored, 10);
    // Only hashes are kept.
    let plain = codes[0].replace('-', "");
    assert_eq!(
        scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM mfa_recovery_codes WHERE code_hash LIKE '%{plain}%'")
        )
        .await,
        0
    );
    assert!(
        ema.page("/account/mfa")
            .await
            .contains("10 codes de secours restants")
    );

    // Password, then the next step's code: a session.
    let next = code(&secret, 1);
    let (browser, csrf) = password_step(&app, EMA).await;
    let r = second_step(&app, &browser, &csrf, &next).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/");
    assert!(
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("cratb_session="))
    );
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);

    // The same code again: refused, whatever the login.
    let (browser, csrf) = password_step(&app, EMA).await;
    let r = second_step(&app, &browser, &csrf, &next).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("déjà été utilisé"));

    // A recovery code instead (typed in capitals with spaces): accepted once, audited.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let r = second_step(&app, &browser, &csrf, &typed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/account/mfa?recovery=1");
    assert_eq!(audited(&app, "mfa.recovery.use").await, 1);
    let page = browser
        .get(app.url("/account/mfa?recovery=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("9 codes de secours restants"), "9 codes left");
    let (browser, csrf) = password_step(&app, EMA).await;
    let r = second_step(&app, &browser, &csrf, &codes[3]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(audited(&app, "mfa.recovery.use").await, 1);
}

#[tokio::test]
async fn wrong_codes_count_against_the_password_throttling_and_end_the_pending_login() {
    let app = TestApp::spawn().await;
    enrol(&app.client(ARS).await).await;
    let (browser, csrf) = password_step(&app, ARS).await;
    for _ in 0..5 {
        let r = second_step(&app, &browser, &csrf, "000000").await;
        assert!(
            matches!(
                r.status(),
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{}",
            r.status()
        );
    }
    let failures = scalar(
        &app.db,
        &format!("SELECT failures FROM login_throttle WHERE key = 'email:{ARS}'"),
    )
    .await;
    assert_eq!(failures, 5, "the password's counters, per account");
    // The pending login is over: back to the password.
    let r = second_step(&app, &browser, &csrf, "000000").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("La connexion a expiré"));
    // No pending login at all: the same.
    let r = app
        .anonymous()
        .with_csrf_cookie(&"a".repeat(64))
        .post_form("/login/mfa", &[("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn new_recovery_codes_and_disabling_ask_for_a_current_code() {
    let app = TestApp::spawn().await;
    let secretary = app.client(SECRETARY).await;
    let (secret, old) = enrol(&secretary).await;
    let r = secretary
        .post_form("/account/mfa/recovery-codes", &[("code", "12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("6 chiffres"));
    let r = secretary
        .post_form("/account/mfa/recovery-codes", &[("code", code(&secret, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let new = recovery_codes(&r.text().await.unwrap());
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    assert_eq!(audited(&app, "mfa.recovery.regenerate").await, 1);
    // An old code no longer opens anything.
    let (browser, csrf) = password_step(&app, SECRETARY).await;
    let r = second_step(&app, &browser, &csrf, &old[0]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // An optional account turns it off with a current code (the one used is refused).
    let r = secretary
        .post_form("/account/mfa/disable", &[("code", code(&secret, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(audited(&app, "mfa.disable").await, 0);
    // The previous step's code is older than the one used: refused too.
    let r = secretary
        .post_form("/account/mfa/disable", &[("code", code(&secret, 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id = app.user_id(SECRETARY).await;
    assert!(cratb_store::mfa::enrolled(&app.db, id).await.unwrap());
    // Regenerated codes are still good to log in once.
    let r = second_step(&app, &browser, &csrf, &new[0]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_optional_account_turns_it_off() {
    let app = TestApp::spawn().await;
    let ema = app.client(EMA).await;
    let (secret, _) = enrol(&ema).await;
    let r = ema
        .post_form("/account/mfa/disable", &[("code", code(&secret, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(audited(&app, "mfa.disable").await, 1);
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM mfa_recovery_codes").await,
        0
    );
    // The password alone opens a session again.
    let pw = app.account(EMA).password.clone();
    let (_, r) = app.login(EMA, &pw).await;
    assert_eq!(r.headers()[LOCATION], "/");
}

#[tokio::test]
async fn a_role_that_must_is_sent_to_enrolment_until_enrolled() {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let lab = app.client(LAB).await;
    for path in ["/", "/users", "/resistance", "/account"] {
        let r = lab.get(path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[LOCATION], "/account/mfa", "{path}");
    }
    let r = lab.post_button("/account/tokens").send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/account/mfa");
    let page = lab.page("/account/mfa").await;
    assert!(page.contains("id=\"mfa-must-enrol\""));
    assert!(!page.contains("Démonstration"));
    // The language and the static files stay reachable.
    let r = lab.get("/lang/en?next=/").send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/");
    let (secret, _) = enrol(&lab).await;
    assert_eq!(lab.get("/").send().await.unwrap().status(), StatusCode::OK);
    // Required: it cannot be turned off.
    let r = lab
        .post_form("/account/mfa/disable", &[("code", code(&secret, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("obligatoire"));
    // An optional role is not sent anywhere.
    let ema = app.client(EMA).await;
    assert_eq!(ema.get("/").send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn in_a_demonstration_no_role_must() {
    let app = TestApp::spawn().await;
    for email in [ADMIN, COORD, LAB] {
        let client = app.client(email).await;
        let r = client.get("/").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{email}");
        assert!(r.text().await.unwrap().contains("id=\"demo-mfa\""));
    }
}

#[tokio::test]
async fn a_coordinator_requires_it_of_every_account_of_the_region() {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let coord = app.client(COORD).await;
    enrol(&coord).await;
    let ema = app.client(EMA).await;
    assert_eq!(ema.get("/").send().await.unwrap().status(), StatusCode::OK);
    // Another region's coordinator cannot set it for this region.
    let bzh = app.client(COORD_BZH).await;
    enrol(&bzh).await;
    let r = bzh
        .post_form(
            "/users/mfa-policy",
            &[("region", "84"), ("required", "true")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(audited(&app, "mfa.region_policy").await, 0);
    let r = coord
        .post_form(
            "/users/mfa-policy",
            &[("region", "84"), ("required", "true")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "mfa.region_policy").await, 1);
    assert!(
        coord
            .page("/users")
            .await
            .contains("Exigée pour tous les comptes")
    );
    let r = ema.get("/").send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/account/mfa");
    // Accounts of other regions are not concerned.
    let mut tx = app.db.begin().await.unwrap();
    cratb_store::users::create(
        &mut tx,
        &cratb_domain::NewUser {
            email: cratb_domain::Email::parse("prescripteur.53@exemple.fr").unwrap(),
            display_name: "Prescripteur".into(),
            role: cratb_domain::Role::Prescriber,
            region: Some(cratb_domain::RegionCode::parse("53").unwrap()),
            establishments: vec![],
            teams: vec![],
            password: Some("Girafe-violette-2026".into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let breton = app.client("prescripteur.53@exemple.fr").await;
    assert_eq!(
        breton.get("/").send().await.unwrap().status(),
        StatusCode::OK
    );
    // And back.
    coord
        .post_form(
            "/users/mfa-policy",
            &[("region", "84"), ("required", "false")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ema.get("/").send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(audited(&app, "mfa.region_policy").await, 2);
}

#[tokio::test]
async fn an_administrator_resets_within_their_powers() {
    let app = TestApp::spawn().await;
    let ema = app.client(EMA).await;
    enrol(&ema).await;
    let admin_client = app.client(ADMIN).await;
    enrol(&admin_client).await;
    let ema_id = app.user_id(EMA).await;
    let admin_id = app.user_id(ADMIN).await;
    // Another region's coordinator, or a coordinator on a national account: out of their reach.
    let bzh = app.client(COORD_BZH).await;
    let r = bzh
        .post_button(&format!("/users/{ema_id}/mfa/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let coord = app.client(COORD).await;
    let r = coord
        .post_button(&format!("/users/{admin_id}/mfa/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A secretary sees accounts but does not manage them.
    let r = app
        .client(SECRETARY)
        .await
        .post_button(&format!("/users/{ema_id}/mfa/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(audited(&app, "mfa.reset").await, 0);
    assert!(cratb_store::mfa::enrolled(&app.db, admin_id).await.unwrap());
    // The region's coordinator: done, audited, the account's sessions ended.
    assert!(
        coord
            .page("/users")
            .await
            .contains(&format!("/users/{ema_id}/mfa/reset"))
    );
    let r = coord
        .post_button(&format!("/users/{ema_id}/mfa/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "mfa.reset").await, 1);
    assert!(!cratb_store::mfa::enrolled(&app.db, ema_id).await.unwrap());
    assert_eq!(
        ema.get("/account").send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "logged out"
    );
    // The password alone opens a session again.
    let pw = app.account(EMA).password.clone();
    let (_, r) = app.login(EMA, &pw).await;
    assert_eq!(r.headers()[LOCATION], "/");
}

#[tokio::test]
async fn a_password_to_change_comes_before_enrolment_without_a_loop() {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let mut tx = app.db.begin().await.unwrap();
    cratb_store::users::create(
        &mut tx,
        &cratb_domain::NewUser {
            email: cratb_domain::Email::parse("biologiste.neuf@exemple.fr").unwrap(),
            display_name: "Biologiste".into(),
            role: cratb_domain::Role::Lab,
            region: Some(cratb_domain::RegionCode::parse("84").unwrap()),
            establishments: vec![],
            teams: vec![],
            password: Some("Girafe-violette-2026".into()),
            must_change_password: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lab = app.client("biologiste.neuf@exemple.fr").await;
    let r = lab.get("/").send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/account");
    assert_eq!(
        lab.get("/account").send().await.unwrap().status(),
        StatusCode::OK
    );
    let r = lab.get("/account/mfa").send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/account");
}
