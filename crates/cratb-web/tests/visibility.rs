//! The one visibility rule over HTTP (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): which establishments each role sees by name in the
//! resistant organisms of concern (page, API, CSV), the reporting threshold's floor, and who
//! removes which laboratory import.

mod common;

use common::{ARS, COORD, EMA, LAB, PRESCRIBER, TestApp, scalar};
use cratb_domain::Scope;
use serde_json::Value;
use std::collections::BTreeSet;

const REFERENT: &str = "referent@demo.cratb.fr";
const DATA_MANAGER: &str = "donnees@demo.cratb.fr";

/// The region's establishments: id and name.
async fn establishments(app: &TestApp) -> Vec<(i64, String)> {
    let access = Scope::National.access("84").unwrap();
    cratb_store::resistance::establishment_places(&app.db, &access)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, name, _, _)| (id, name))
        .collect()
}

/// Whether a page or a file shows `name`, as typed or escaped in HTML.
fn shows(text: &str, name: &str) -> bool {
    let escaped = |quote: &str| name.replace('&', "&amp;").replace('\'', quote);
    text.contains(name) || text.contains(&escaped("&#x27;")) || text.contains(&escaped("&#39;"))
}

/// The establishment ids named in an alerts answer of the API.
fn named_ids(rows: &Value) -> BTreeSet<i64> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "establishment")
        .map(|r| r["establishment_id"].as_i64().unwrap())
        .collect()
}

async fn own_establishment(app: &TestApp, email: &str) -> i64 {
    scalar(
        &app.db,
        &format!(
            "SELECT e.establishment_id FROM user_establishments e JOIN users u ON u.id = e.user_id WHERE u.email = '{email}'"
        ),
    )
    .await
}

/// What a role sees of the resistant organisms of concern: the page, the API and the CSV.
async fn alerts_of(app: &TestApp, email: &str) -> (String, Value, String) {
    let web = app.client(email).await;
    let page = web.get("/resistance/alerts").send().await.unwrap();
    assert_eq!(page.status(), 200, "{email}");
    let html = page.text().await.unwrap();
    let csv = web
        .get("/resistance/alerts/export/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200, "{email}");
    let csv = csv.text().await.unwrap();
    let api = app
        .api(email, false)
        .await
        .json("/api/v1/resistance/alerts")
        .await;
    (html, api, csv)
}

#[tokio::test]
async fn each_role_sees_the_establishments_the_rule_names() {
    let app = TestApp::spawn().await;
    let places = establishments(&app).await;
    let name_of = |id: i64| places.iter().find(|(i, _)| *i == id).unwrap().1.clone();

    // The CRAtb staff and the agency: every establishment with results, by name.
    let (html, api, csv) = alerts_of(&app, COORD).await;
    let all = named_ids(&api);
    assert!(all.len() > 3, "the demo's isolates come from many places");
    for id in &all {
        assert!(shows(&html, &name_of(*id)), "{}", name_of(*id));
        assert!(csv.contains(&name_of(*id)));
    }
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("serie;niveau;lieu;annee")
    );
    let (_, ars, _) = alerts_of(&app, ARS).await;
    assert_eq!(named_ids(&ars), all);

    // Prescribers and laboratories: the region, its departments and GHTs, no establishment.
    for email in [PRESCRIBER, LAB] {
        let (html, api, csv) = alerts_of(&app, email).await;
        assert!(named_ids(&api).is_empty(), "{email}");
        for row in api.as_array().unwrap() {
            assert!(row["establishment_id"].is_null(), "{email}: {row}");
            assert!(
                ["region", "department", "territory", "no_establishment"]
                    .contains(&row["level"].as_str().unwrap()),
                "{email}: {row}"
            );
        }
        assert!(
            api.as_array()
                .unwrap()
                .iter()
                .any(|r| r["level"] == "department")
        );
        for (_, name) in &places {
            assert!(!shows(&html, name), "{email} sees {name} on the page");
            assert!(
                !csv.contains(name.as_str()),
                "{email} sees {name} in the file"
            );
            assert!(
                !api.to_string().contains(name.as_str()),
                "{email} sees {name} in the API"
            );
        }
        // Nor may they ask for one establishment's results.
        let web = app.client(email).await;
        let one = all.first().unwrap();
        for path in [
            format!("/resistance?establishment={one}"),
            format!("/resistance/alerts?establishment={one}"),
            format!("/resistance/export/csv?establishment={one}"),
        ] {
            let res = web.get(&path).send().await.unwrap();
            assert_eq!(res.status(), 403, "{email} {path}");
            assert!(res.text().await.unwrap().contains("votre rôle"));
        }
        let res = app
            .api(email, false)
            .await
            .get(&format!("/api/v1/antibiogram?establishment={one}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }

    // A referent: their own establishment by name, the others together, anonymously.
    let own = own_establishment(&app, REFERENT).await;
    let (html, api, csv) = alerts_of(&app, REFERENT).await;
    assert!(named_ids(&api).iter().all(|id| *id == own));
    assert!(
        api.as_array()
            .unwrap()
            .iter()
            .any(|r| r["level"] == "other_establishments")
    );
    for (id, name) in places.iter().filter(|(id, _)| *id != own) {
        assert!(!shows(&html, name), "the referent sees {name} ({id})");
        assert!(!csv.contains(name.as_str()));
    }
    if all.contains(&own) {
        assert!(shows(&html, &name_of(own)));
    }

    // An EMA member: the establishments of their teams' departments.
    let access = Scope::National.access("84").unwrap();
    let teams = cratb_store::network::teams_of_email(&app.db, EMA)
        .await
        .unwrap();
    assert!(!teams.is_empty(), "the demo EMA member belongs to a team");
    let territory: BTreeSet<i64> =
        cratb_store::network::territory_establishments(&app.db, &access, &teams)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let (html, api, _) = alerts_of(&app, EMA).await;
    let named = named_ids(&api);
    assert_eq!(
        named,
        &all & &territory,
        "their territory's, and only those"
    );
    assert!(!named.is_empty() && named.len() < all.len());
    for id in all.difference(&territory) {
        assert!(!shows(&html, &name_of(*id)));
    }
}

#[tokio::test]
async fn the_reporting_threshold_has_a_floor_set_by_the_coordinator() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let min_isolates = |table: &Value| table["min_isolates"].as_i64().unwrap();

    // By default, 30: a request for 1 is raised to it, and the page says so.
    let html = coord.page("/resistance?min_isolates=1").await;
    assert!(html.contains("id=\"threshold-raised\""), "{html}");
    assert!(!coord.page("/resistance").await.contains("threshold-raised"));
    let coord_api = app.api(COORD, false).await;
    let lab_api = app.api(LAB, false).await;
    assert_eq!(
        min_isolates(&coord_api.json("/api/v1/antibiogram?min_isolates=1").await),
        30
    );
    assert_eq!(
        min_isolates(&lab_api.json("/api/v1/antibiogram?min_isolates=45").await),
        45
    );
    // Alerts too: a rate over fewer isolates than the threshold is not given.
    let alerts = lab_api
        .json("/api/v1/resistance/alerts?min_isolates=1")
        .await;
    for row in alerts.as_array().unwrap() {
        assert_eq!(
            row["rate"].is_null(),
            row["tested"].as_i64().unwrap() < 30,
            "{row}"
        );
    }

    // The coordinator lowers it to 5 on their page (audited): named access gets 5, the
    // laboratory never less than 10.
    let page = coord.page("/resistance/settings").await;
    assert!(page.contains("id=\"settings-form\""));
    let res = coord
        .post_form(
            "/resistance/settings",
            &[("region", "84"), ("reporting_floor", "0")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("reporting_floor-error"));
    let res = coord
        .post_form(
            "/resistance/settings",
            &[("region", "84"), ("reporting_floor", "5")],
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection() || res.status().is_success());
    assert!(
        coord
            .page("/resistance/settings")
            .await
            .contains("<strong>5 isolats</strong>")
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'resistance.reporting_floor' AND region_code = '84'"
        )
        .await,
        1
    );
    assert_eq!(
        min_isolates(&coord_api.json("/api/v1/antibiogram?min_isolates=1").await),
        5
    );
    assert_eq!(
        min_isolates(&lab_api.json("/api/v1/antibiogram?min_isolates=1").await),
        10
    );
    assert_eq!(min_isolates(&lab_api.json("/api/v1/antibiogram").await), 10);
    let lab = app.client(LAB).await;
    assert!(
        lab.page("/resistance/alerts?min_isolates=2")
            .await
            .contains("id=\"threshold-raised\"")
    );
    // Only the coordinator (or the national administrator) sets it.
    for email in [LAB, PRESCRIBER, DATA_MANAGER] {
        let web = app.client(email).await;
        let res = web.get("/resistance/settings").send().await.unwrap();
        assert_eq!(res.status(), 403, "{email}");
    }
}

#[tokio::test]
async fn a_laboratory_removes_only_the_imports_of_its_establishments() {
    let app = TestApp::spawn().await;
    let own = own_establishment(&app, LAB).await;
    let other = establishments(&app)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| *id != own)
        .unwrap();
    let file = "patient_id;date;organism;CIP\nP1;2025-01-03;E. coli;S\n";
    let upload = |email: &'static str, establishment: i64| {
        let app = &app;
        async move {
            let res = app
                .api(email, true)
                .await
                .post(&format!(
                    "/api/v1/isolates/imports?establishment={establishment}&filename={email}.csv"
                ))
                .header("content-type", "text/csv")
                .body(file)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
            res.json::<Value>().await.unwrap()["import_id"]
                .as_i64()
                .unwrap()
        }
    };
    let mine = upload(LAB, own).await;
    let theirs = upload(COORD, other).await;
    let demo: i64 = scalar(
        &app.db,
        "SELECT MIN(id) FROM isolate_imports WHERE region_code = '84'",
    )
    .await;

    let lab = app.client(LAB).await;
    // The page offers the removal of its own import only.
    let page = lab.page("/resistance/imports").await;
    assert!(page.contains(&format!("/resistance/imports/{mine}/delete")));
    assert!(!page.contains(&format!("/resistance/imports/{theirs}/delete")));
    assert!(!page.contains(&format!("/resistance/imports/{demo}/delete")));
    let isolates = scalar(&app.db, "SELECT COUNT(*) FROM isolates").await;
    for id in [theirs, demo] {
        let res = lab
            .post_button(&format!("/resistance/imports/{id}/delete"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Vous ne pouvez retirer que les imports de vos établissements")
        );
    }
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        isolates
    );
    let res = lab
        .post_button(&format!("/resistance/imports/{mine}/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        isolates - 1
    );

    // The data manager removes any import of the region, the regional file included.
    let dm = app.client(DATA_MANAGER).await;
    let page = dm.page("/resistance/imports").await;
    assert!(page.contains(&format!("/resistance/imports/{demo}/delete")));
    for id in [theirs, demo] {
        let res = dm
            .post_button(&format!("/resistance/imports/{id}/delete"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM isolates").await, 0);
}

#[tokio::test]
async fn consumption_follows_the_same_rule_for_an_ema_member() {
    let app = TestApp::spawn().await;
    cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    let access = Scope::National.access("84").unwrap();
    let teams = cratb_store::network::teams_of_email(&app.db, EMA)
        .await
        .unwrap();
    let territory: BTreeSet<i64> =
        cratb_store::network::territory_establishments(&app.db, &access, &teams)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let ids = |json: &Value| -> BTreeSet<i64> {
        json["establishments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect()
    };
    let path = "/api/v1/consumption/establishments?year=2025";
    let all = ids(&app.api(COORD, false).await.json(path).await);
    let ema = ids(&app.api(EMA, false).await.json(path).await);
    assert_eq!(ema, &all & &territory);
    assert!(!ema.is_empty() && ema.len() < all.len());

    // The dashboard lists the territory's establishments only; the others do not open.
    let web = app.client(EMA).await;
    let html = web.page("/consumption?year=2025").await;
    let listed: BTreeSet<i64> = html
        .split("<tr data-id=\"")
        .skip(1)
        .map(|x| x.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        !listed.is_empty() && listed.is_subset(&territory),
        "{listed:?}"
    );
    let outside = all.difference(&territory).next().unwrap();
    let res = web
        .get(&format!("/consumption/establishments/{outside}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let inside = ema.iter().next().unwrap();
    let res = web
        .get(&format!("/consumption/establishments/{inside}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The export: the same establishments.
    let places = establishments(&app).await;
    let csv = web
        .get("/consumption/export/csv?year=2025")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (id, name) in places.iter().filter(|(id, _)| !territory.contains(id)) {
        assert!(!csv.contains(&format!(";{name};")), "{name} ({id})");
    }
}
