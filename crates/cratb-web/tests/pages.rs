//! The region's reference pages over HTTP against the real server (SQLite by default,
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): establishments, territories and accounts
//! through their forms (errors in place, in the user's language) and the API, with their audit
//! entries, and the home page's to-do for each role.

mod common;

use common::{COORD, COORD_BZH, EMA, PRESCRIBER, TestApp};
use cratb_domain::Lang;
use cratb_store::{PageRequest, audit, establishments};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn establishment_form_errors_in_place_then_success() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let r = coord
        .post_form(
            "/establishments",
            &[
                ("finess", "380780081"),
                ("name", "Clinique des Essais"),
                ("category", "CLINIQUE"),
                ("department", "38"),
                ("beds", "beaucoup"),
            ],
        )
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

    let r = coord
        .post_form(
            "/establishments",
            &[
                ("finess", "380780080"),
                ("name", "Clinique des Essais"),
                ("category", "CLINIQUE"),
                ("department", "38"),
                ("beds", "120"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let page = coord.page(&loc).await;
    assert!(
        page.contains("Clinique des Essais")
            && page.contains("380780080")
            && page.contains("Enregistré")
    );
    // The same FINESS again is refused on the field.
    let r = coord
        .post_form(
            "/establishments",
            &[
                ("finess", "380780080"),
                ("name", "Doublon"),
                ("category", "CH"),
                ("department", "38"),
            ],
        )
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
    let list = coord.page("/establishments").await;
    assert!(list.contains("Page 1 / ") && list.contains("page=2") && !list.contains("Précédente"));
    // Search as you type answers the rows only.
    let r = coord
        .get("/establishments?q=essais")
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
async fn users_are_created_and_disabled_within_the_region() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let form = |email: &'static str, role: &'static str, region: &'static str, pw: &'static str| {
        vec![
            ("email", email),
            ("display_name", "Dr Test"),
            ("role", role),
            ("region", region),
            ("password", pw),
        ]
    };
    let r = coord
        .post_form(
            "/users",
            &form(
                "nouveau@chu.fr",
                "national_admin",
                "",
                "Girafe-violette-2026",
            ),
        )
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
    let r = coord
        .post_form(
            "/users",
            &form("nouveau@chu.fr", "referent", "53", "azertyuiop123"),
        )
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("est pas la vôtre")
            && html.contains("liste des mots de passe les plus courants"),
        "{html}"
    );
    let r = coord
        .post_form(
            "/users",
            &form("nouveau@chu.fr", "secretary", "84", "Girafe-violette-2026"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, ok) = app.login("nouveau@chu.fr", "Girafe-violette-2026").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let id = app.user_id("nouveau@chu.fr").await;
    let r = coord
        .post_form(&format!("/users/{id}/active"), &[("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, refused) = app.login("nouveau@chu.fr", "Girafe-violette-2026").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // A coordinator cannot touch another region's account.
    let other = app.user_id(COORD_BZH).await;
    let r = coord
        .post_form(&format!("/users/{other}/active"), &[("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
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

    let coord = app.client(COORD).await;
    let home = coord.page("/").await;
    assert!(
        home.contains(&Lang::Fr.count(
            without_ght,
            "établissement de santé sans GHT|établissements de santé sans GHT"
        )),
        "{home}"
    );
    assert!(home.contains(&Lang::Fr.count(
        without_beds,
        "établissement sans capacité|établissements sans capacité"
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
        &cratb_directory::professionals::DirectoryQuery {
            stale: Some(true),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .total;
    assert!(stale > 0, "the demo has entries to confirm");
    assert!(home.contains(&Lang::Fr.count(
        stale,
        "fiche de l&#39;annuaire non confirmée|fiches de l&#39;annuaire non confirmées"
    )));
    assert!(home.contains("arrivant à échéance dans les 90 jours"));
    assert!(home.contains("EMA sans toutes les disciplines requises"));
    // The EMA member sees their own team's gap only (the Lyon team lacks a microbiologist).
    let home_ema = app.client(EMA).await.page("/").await;
    assert!(home_ema.contains("1 équipe EMA sans toutes les disciplines requises"));

    // A prescriber has no network table, no to-do of the CRAtb, no audit.
    let home = app.client(PRESCRIBER).await.page("/").await;
    assert!(
        home.contains("Rien d")
            && !home.contains("network-title")
            && !home.contains("recent-title")
    );
}

#[tokio::test]
async fn a_referent_and_a_prescriber_find_on_their_home_page_what_concerns_them() {
    let app = TestApp::spawn().await;
    // The referent: their hospital by name, its consumption, its report and its antibiogram;
    // not the region's counts.
    let referent = app.client("referent@demo.cratb.fr").await;
    let home = referent.page("/").await;
    let user = cratb_store::users::find_by_email(&app.db, "referent@demo.cratb.fr")
        .await
        .unwrap();
    let id = user.establishment_ids[0];
    let e = establishments::get(&app.db, &cratb_domain::Scope::National, id)
        .await
        .unwrap();
    let places = common::extract(&home, "id=\"places\"", "</section>").unwrap();
    assert!(places.contains(&e.name.replace('\'', "&#39;")), "{places}");
    assert!(places.contains(&format!("href=\"/consumption/establishments/{id}\"")));
    assert!(places.contains(&format!("href=\"/consumption/establishments/{id}/report\"")));
    assert!(places.contains(&format!("href=\"/resistance?establishment={id}\"")));
    assert!(!home.contains("network-title"), "no regional counts");
    for link in [
        format!("/consumption/establishments/{id}"),
        format!("/resistance?establishment={id}"),
    ] {
        let res = referent.get(&link).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{link}");
    }

    // The prescriber: their territory's primary care against the region and the 650 target,
    // and whom to ask; without figures yet, said so.
    let prescriber = app.client(PRESCRIBER).await;
    let home = prescriber.page("/").await;
    assert!(home.contains("Pas encore de données de ville pour votre région."));
    cratb_demo::consumption::generate_primary(&app.db, "84", 3)
        .await
        .unwrap();
    let home = prescriber.page("/").await;
    let primary = common::extract(&home, "id=\"primary\"", "</section>").unwrap();
    assert!(
        primary
            .contains("au plus 650 prescriptions d&#39;antibiotiques pour 1000 habitants par an"),
        "{primary}"
    );
    assert!(
        primary.contains("id=\"primary-prescriptions\""),
        "{primary}"
    );
    assert!(
        primary.contains("atteint (") || primary.contains("au-dessus ("),
        "{primary}"
    );
    assert!(primary.contains("href=\"/public/search"), "{primary}");
    assert!(!home.contains("recent-title"));
}

#[tokio::test]
async fn the_recent_activity_leaves_routine_reads_out_and_the_log_reads_in_words() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    // Routine reads of isolates, many times.
    for _ in 0..10 {
        coord.page("/resistance").await;
    }
    let home = coord.page("/").await;
    let recent = common::extract(&home, "id=\"recent-title\"", "</section>").unwrap();
    assert!(!recent.contains("Lecture des isolats"), "{recent}");
    // The log itself keeps them, in words, with the region named.
    let log = coord.page("/audit").await;
    assert!(log.contains("Lecture des isolats"), "{log}");
    assert!(log.contains("Région Auvergne-Rhône-Alpes"));
    assert!(!log.contains("<code>isolates.read</code>"));
    assert!(log.contains("<option value=\"establishment\">Établissement</option>"));
}

#[tokio::test]
async fn territories_are_added_within_the_region() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let csrf = coord.csrf();
    let post = |body: String| {
        coord
            .post("/territories")
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
    let html = coord.page("/territories").await;
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
    let api = app.api(COORD, true).await;
    let r = api
        .post("/api/v1/territories")
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
    let r = api
        .post("/api/v1/territories")
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
    let coord = app.client(COORD).await;
    let form = [
        ("finess", "380780081"),
        ("name", ""),
        ("category", "CH"),
        ("department", "38"),
    ];
    let fr = coord
        .post_form("/establishments", &form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("la clé de contrôle est fausse") && fr.contains("le nom est obligatoire"));
    let en = coord
        .in_lang("en")
        .post_form("/establishments", &form)
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
    let r = app
        .api(COORD, true)
        .await
        .post("/api/v1/establishments")
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
