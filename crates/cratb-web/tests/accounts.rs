//! Accounts people can run (issue 14), over HTTP against the real server on both backends: a
//! referent created for their hospital chooses their password through the link and sees that
//! hospital's consumption only; a password set by someone else is changed first; accounts are
//! changed within the editor's powers and audited with the before and after; reset links work
//! once, for 24 hours, and end every session and token; "forgotten password" answers the same
//! whether or not the account exists; API tokens expire and can be revoked with the sessions.

mod common;

use common::{ADMIN, COORD, COORD_BZH, Client, TestApp, extract, mails};
use cratb_domain::Role;
use reqwest::StatusCode;
use serde_json::json;

/// The link shown on the page that follows a password link's issue.
fn shown_link(page: &str) -> String {
    extract(page, "id=\"password-link\">", "<").expect("the link on the page")
}

/// The path of a link (`/password/reset/…`).
fn path_of(url: &str) -> String {
    url[url.find("/password/reset/").expect("a reset link")..].to_owned()
}

/// Chooses `password` through the link at `path` (both fields typed alike).
async fn choose(anonymous: &Client, path: &str, password: &str) -> reqwest::Response {
    anonymous
        .post_form(path, &[("new", password), ("confirm", password)])
        .send()
        .await
        .unwrap()
}

async fn audit_summaries(app: &TestApp, action: &str) -> Vec<String> {
    cratb_store::audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &Default::default(),
        cratb_store::PageRequest::new(None, Some(500)),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.action == action)
    .map(|e| e.summary)
    .collect()
}

#[tokio::test]
async fn a_referent_created_for_a_hospital_chooses_a_password_and_sees_that_hospital_only() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    // The demo referent's hospital has consumption figures; another hospital of the region too.
    let demo_referent =
        cratb_store::users::find_by_email(&app.db, &app.email_of(Role::Referent, Some("84")))
            .await
            .unwrap();
    let own = demo_referent.establishment_ids[0];
    let hospital = cratb_store::establishments::get(&app.db, &cratb_domain::Scope::National, own)
        .await
        .unwrap();
    let other = app.establishment_in("69").await.id;
    assert_ne!(other, own);

    // The new-account form offers a regional coordinator their region only, chosen, with its
    // establishments to search; a national administrator may also make a national account.
    let form = coord.page("/users/new").await;
    let regions = common::extract(&form, "id=\"region\"", "</select>").unwrap();
    assert!(
        regions.contains("<option value=\"84\" selected>"),
        "{regions}"
    );
    assert!(!regions.contains("<option value=\"\">"), "{regions}");
    assert!(
        form.contains(&hospital.finess),
        "the region's establishments to search"
    );
    let admin_form = app.client(common::ADMIN).await.page("/users/new").await;
    assert!(admin_form.contains("Aucune (compte national)"));

    // Without a FINESS, a referent is refused, with the field named.
    let res = coord
        .post_form(
            "/users",
            &[
                ("email", "nouvelle.referente@chu-demo.fr"),
                ("display_name", "Dr Nouvelle Référente"),
                ("role", "referent"),
                ("region", "84"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"establishments-error\"")
    );
    // An establishment of another region is refused too.
    let breton = app.establishment_in("35").await;
    let res = coord
        .post_form(
            "/users",
            &[
                ("email", "nouvelle.referente@chu-demo.fr"),
                ("display_name", "Dr Nouvelle Référente"),
                ("role", "referent"),
                ("region", "84"),
                ("establishments", &breton.finess),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(&breton.finess));

    // With the hospital and no password: the link is shown and e-mailed.
    let res = coord
        .post_form(
            "/users",
            &[
                ("email", "nouvelle.referente@chu-demo.fr"),
                ("display_name", "Dr Nouvelle Référente"),
                ("role", "referent"),
                ("region", "84"),
                ("establishments", &hospital.finess),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"link-sent\""), "{page}");
    let link = shown_link(&page);
    let mail = mails(&app.mail_dir)
        .into_iter()
        .find(|m| m.contains("nouvelle.referente@chu-demo.fr"))
        .expect("the welcome e-mail");
    assert!(mail.contains(&link), "{mail}");
    let created = cratb_store::users::find_by_email(&app.db, "nouvelle.referente@chu-demo.fr")
        .await
        .unwrap();
    assert_eq!(created.establishment_ids, vec![own]);
    assert!(!created.must_change_password);
    // No password works before the link is used.
    let (_, res) = app
        .login("nouvelle.referente@chu-demo.fr", "n'importe quoi")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The referent follows the link: a weak password is refused, a good one kept.
    let anonymous = app.anonymous().with_csrf_cookie(&"b".repeat(64));
    let path = path_of(&link);
    let form = anonymous.get(&path).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("nouvelle.referente@chu-demo.fr")
    );
    let res = choose(&anonymous, &path, "court").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = anonymous
        .post_form(
            &path,
            &[
                ("new", "Tilleul-rouge-sous-la-pluie"),
                ("confirm", "autre chose"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = choose(&anonymous, &path, "Tilleul-rouge-sous-la-pluie").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?reset=1");
    // Once only.
    let res = choose(&anonymous, &path, "Tilleul-rouge-sous-la-pluie-2").await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert_eq!(
        anonymous.get(&path).send().await.unwrap().status(),
        StatusCode::GONE
    );

    // Signed in, the referent lands on their hospital's consumption and nothing named else.
    let referent = Client::login(
        &app.base,
        "nouvelle.referente@chu-demo.fr",
        "Tilleul-rouge-sous-la-pluie",
    )
    .await;
    let res = referent.get("/consumption").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/consumption/establishments/{own}")
    );
    let page = referent
        .get(&format!("/consumption/establishments/{own}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&hospital.name));
    let res = referent
        .get(&format!("/consumption/establishments/{other}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let api = app.api("nouvelle.referente@chu-demo.fr", false).await;
    let figures = api
        .json("/api/v1/consumption/establishments?year=2024")
        .await;
    let named: Vec<i64> = figures["establishments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(named.iter().all(|id| *id == own), "{named:?}");
    assert_eq!(
        audit_summaries(&app, "user.create")
            .await
            .iter()
            .filter(|s| s.contains("nouvelle.referente@chu-demo.fr")
                && s.contains("lien de choix du mot de passe"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_password_set_by_someone_else_is_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    let coord = app.api(COORD, true).await;
    let res = coord
        .post("/api/v1/users")
        .json(&json!({
            "email": "secretaire.nouvelle@cratb-demo.fr",
            "display_name": "Secrétaire",
            "role": "secretary",
            "region": "84",
            "password": "Ciboulette-et-persil-2026"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["must_change_password"], true);
    assert!(body["password_link"].is_null());
    let user = Client::login(
        &app.base,
        "secretaire.nouvelle@cratb-demo.fr",
        "Ciboulette-et-persil-2026",
    )
    .await;
    for path in ["/", "/directory", "/users"] {
        let res = user.get(path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/account", "{path}");
    }
    let account = user.page("/account").await;
    assert!(account.contains("id=\"must-change\""));
    let res = user
        .post_form(
            "/account/password",
            &[
                ("current", "Ciboulette-et-persil-2026"),
                ("new", "Estragon-et-cerfeuil-2027"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let user = Client::login(
        &app.base,
        "secretaire.nouvelle@cratb-demo.fr",
        "Estragon-et-cerfeuil-2027",
    )
    .await;
    assert_eq!(user.get("/").send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn accounts_are_changed_within_the_editor_s_powers_and_audited_before_and_after() {
    let app = TestApp::spawn().await;
    let coord = app.api(COORD, true).await;
    let hospital = app.establishment_in("38").await;
    let res = coord
        .post("/api/v1/users")
        .json(&json!({
            "email": "ref.change@chu-demo.fr",
            "display_name": "Dr Change",
            "role": "referent",
            "region": "84",
            "establishments": [hospital.finess]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    assert!(
        body["password_link"]
            .as_str()
            .unwrap()
            .contains("/password/reset/")
    );
    // A session and a token of the account, to see them end with a change of role.
    let session = app.client("ref.change@chu-demo.fr").await;
    let token = app.token("ref.change@chu-demo.fr", false).await;

    // The name alone: nothing else changes, and the access stays.
    let res = coord
        .request(reqwest::Method::PATCH, &format!("/api/v1/users/{id}"))
        .json(&json!({"display_name": "Dr Changé"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let user: serde_json::Value = res.json().await.unwrap();
    assert_eq!(user["display_name"], "Dr Changé");
    assert_eq!(user["establishment_ids"], json!([hospital.id]));
    assert_eq!(
        session.get("/account").send().await.unwrap().status(),
        StatusCode::OK
    );

    // Beyond a coordinator's powers: a national role, another region, a referent without place.
    for (change, field) in [
        (json!({"role": "national_admin", "region": ""}), "role"),
        (json!({"region": "53"}), "region"),
        (json!({"establishments": []}), "establishments"),
    ] {
        let res = coord
            .request(reqwest::Method::PATCH, &format!("/api/v1/users/{id}"))
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{change}");
        assert!(res.text().await.unwrap().contains(field), "{change}");
    }
    // Accounts out of reach: a national administrator, another region's coordinator.
    for other in [ADMIN, COORD_BZH] {
        let other_id = app.user_id(other).await;
        let res = coord
            .request(reqwest::Method::PATCH, &format!("/api/v1/users/{other_id}"))
            .json(&json!({"display_name": "Pirate"}))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(res.status().as_u16(), 403 | 404),
            "{other}: {}",
            res.status()
        );
    }

    // A new role and its places: sessions and tokens granted under the old one end.
    let res = coord
        .request(reqwest::Method::PATCH, &format!("/api/v1/users/{id}"))
        .json(&json!({"role": "lab"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let user: serde_json::Value = res.json().await.unwrap();
    assert_eq!(user["role"], "lab");
    assert_eq!(user["establishment_ids"], json!([hospital.id]));
    let res = session.get("/account").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .anonymous()
        .with_token(&token)
        .get("/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // On the page: the form shows the account, and a change to a role without places drops them.
    let page = app.client(COORD).await;
    let form = page.page(&format!("/users/{id}/edit")).await;
    assert!(form.contains(&hospital.finess));
    let res = page
        .post_form(
            &format!("/users/{id}"),
            &[
                ("email", "ref.change@chu-demo.fr"),
                ("display_name", "Dr Changé"),
                ("role", "secretary"),
                ("region", "84"),
                ("establishments", ""),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = cratb_store::users::get_unscoped(&app.db, id).await.unwrap();
    assert_eq!(after.role, "secretary");
    assert!(after.establishment_ids.is_empty());

    let edits = audit_summaries(&app, "user.edit").await;
    assert!(
        edits
            .iter()
            .any(|s| s.contains("nom Dr Change → Dr Changé")),
        "{edits:?}"
    );
    assert!(
        edits
            .iter()
            .any(|s| s.contains("rôle referent → lab") && s.contains("sessions et jetons fermés")),
        "{edits:?}"
    );
    assert!(
        edits.iter().any(|s| s.contains("rôle lab → secretary")
            && s.contains(&format!("établissements {} → —", hospital.finess))),
        "{edits:?}"
    );
}

#[tokio::test]
async fn a_reset_link_works_once_for_24_hours_and_ends_every_session_and_token() {
    let app = TestApp::spawn().await;
    let email = app.email_of(Role::Secretary, Some("84"));
    let id = app.user_id(&email).await;
    let session = app.client(&email).await;
    let token = app.token(&email, true).await;

    // The coordinator issues a link from the accounts page.
    let coord = app.client(COORD).await;
    let res = coord
        .post_button(&format!("/users/{id}/reset-link"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let first = path_of(&shown_link(&res.text().await.unwrap()));
    // A second link replaces the first.
    let res = coord
        .post_button(&format!("/users/{id}/reset-link"))
        .send()
        .await
        .unwrap();
    let second = path_of(&shown_link(&res.text().await.unwrap()));
    let anonymous = app.anonymous().with_csrf_cookie(&"c".repeat(64));
    assert_eq!(
        anonymous.get(&first).send().await.unwrap().status(),
        StatusCode::GONE
    );
    // An expired link does not work.
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    cratb_store::on_db!(&app.db, p => sqlx::query("UPDATE password_resets SET expires_at = $1 WHERE user_id = $2")
        .bind(past).bind(id).execute(p).await.unwrap().rows_affected());
    assert_eq!(
        choose(&anonymous, &second, "Pivoine-blanche-au-jardin")
            .await
            .status(),
        StatusCode::GONE
    );
    // A fresh one works, once, and ends the sessions and tokens.
    let (_, secret) = cratb_app::users::reset_link(&app.db, &cratb_app::Actor::cli(), id)
        .await
        .unwrap();
    let path = format!("/password/reset/{secret}");
    assert_eq!(
        choose(&anonymous, &path, "Pivoine-blanche-au-jardin")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        session.get("/account").send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let res = app
        .anonymous()
        .with_token(&token)
        .get("/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    Client::login(&app.base, &email, "Pivoine-blanche-au-jardin").await;
    let resets = audit_summaries(&app, "password.reset").await;
    assert!(
        resets.iter().any(|s| s.contains("1 jeton d'API révoqué")),
        "{resets:?}"
    );
}

#[tokio::test]
async fn a_forgotten_password_answers_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous().with_csrf_cookie(&"d".repeat(64));
    let login = anonymous.page("/login").await;
    assert!(login.contains("href=\"/password/forgot\""));
    let known = app.email_of(Role::Secretary, Some("84"));
    let mut answers = Vec::new();
    for email in [known.as_str(), "personne@nulle-part.fr"] {
        let res = anonymous
            .post_form("/password/forgot", &[("email", email)])
            .send()
            .await
            .unwrap();
        answers.push((res.status(), res.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::OK);
    assert!(answers[0].1.contains("id=\"forgot-sent\""));
    // The link is sent in the background: wait for it.
    let mut mail = None;
    for _ in 0..100 {
        mail = mails(&app.mail_dir)
            .into_iter()
            .find(|m| m.contains(&known));
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = mail.expect("the reset e-mail");
    assert!(mail.contains("/password/reset/"));
    assert!(
        !mails(&app.mail_dir)
            .iter()
            .any(|m| m.contains("personne@nulle-part.fr"))
    );
    // Asked again at once: no second e-mail (against mail bombing), the same answer.
    let res = anonymous
        .post_form("/password/forgot", &[("email", known.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        mails(&app.mail_dir)
            .iter()
            .filter(|m| m.contains(&known))
            .count(),
        1
    );
}

#[tokio::test]
async fn api_tokens_expire_and_go_with_the_sessions_when_asked() {
    let app = TestApp::spawn().await;
    let email = app.email_of(Role::DataManager, Some("84"));
    let user = Client::login(&app.base, &email, &app.account(&email).password).await;
    // The account page offers a life in days, 365 by default, and shows the expiry.
    let page = user.page("/account").await;
    assert!(page.contains("name=\"days\"") && page.contains("value=\"365\""));
    let res = user
        .post_form(
            "/account/tokens",
            &[("name", "trop long"), ("days", "5000")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let kept = user.new_api_token("automate", true).await;
    let api = app.anonymous().with_token(&kept);
    assert_eq!(
        api.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    // An expired token no longer works.
    let expired = app.token(&email, false).await;
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    cratb_store::on_db!(&app.db, p => sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE token_hash = $2")
        .bind(past).bind(cratb_store::hash_token(&expired)).execute(p).await.unwrap().rows_affected());
    let res = app
        .anonymous()
        .with_token(&expired)
        .get("/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(user.page("/account").await.contains("Expiré"));
    // Logging out everywhere keeps the tokens unless asked.
    let res = user
        .post_button("/account/logout-everywhere")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    let user = Client::login(&app.base, &email, &app.account(&email).password).await;
    let res = user
        .post_form("/account/logout-everywhere", &[("revoke_tokens", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn holders_see_their_sessions_and_an_administrator_ends_them() {
    let app = TestApp::spawn().await;
    let email = app.email_of(Role::EmaMember, Some("84"));
    let phone = app.client(&email).await;
    let desk = app.client(&email).await;
    let page = desk.page("/account").await;
    let listed = extract(&page, "<table id=\"sessions\">", "</table>").unwrap();
    assert_eq!(listed.matches("<tr><td>").count(), 2, "{listed}");
    assert_eq!(listed.matches("cette session").count(), 1, "{listed}");
    // A coordinator of another region cannot; the region's coordinator can.
    let id = app.user_id(&email).await;
    let other = app.client(COORD_BZH).await;
    let res = other
        .post_button(&format!("/users/{id}/sessions/end"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        phone.get("/account").send().await.unwrap().status(),
        StatusCode::OK
    );
    let coord = app.client(COORD).await;
    let res = coord
        .post_button(&format!("/users/{id}/sessions/end"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for session in [&phone, &desk] {
        let res = session.get("/account").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let ended = audit_summaries(&app, "user.sessions_end").await;
    assert!(
        ended
            .iter()
            .any(|s| s.contains(&email) && s.contains("(2)")),
        "{ended:?}"
    );
}
