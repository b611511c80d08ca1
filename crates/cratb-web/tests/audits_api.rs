//! Appropriateness audits and action plans through the JSON API, over HTTP against the real
//! server (SQLite by default, PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): the grids and
//! campaigns one sees, a case entered by a referent (validated or as a draft), refused field by
//! field with JSON pointers and nothing stored, a case number used twice (409), a case for an
//! establishment not theirs refused; the results per criterion with their Wilson interval,
//! named for the CRAtb and anonymous for a referent; a plan written and an action's status
//! changed; who may do what with a token of each role; the OpenAPI document.

mod common;

use common::audits::{REFERENT, setup};
use common::{ARS, COORD, EMA, PRESCRIBER, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A case of `finess` conform on every criterion.
fn good_case(number: &str, finess: &str) -> Value {
    json!({
        "case_number": number,
        "establishment": finess,
        "age": 67,
        "sex": "F",
        "ward_type": "surgery",
        "answers": {
            "date_intervention": "2026-03-02",
            "type_chirurgie": "orthopedie_traumatologie",
            "indication_selon_sfar": "oui",
            "antibioprophylaxie_administree": "oui",
            "molecule": "cefazoline",
            "molecule_detail": "céfazoline 2 g",
            "delai_avant_incision_min": "30",
            "reinjection_peroperatoire": "NA",
            "duree_totale_heures": 12
        }
    })
}

/// The cases of the test's campaign (the demo has its own).
async fn cases_stored(app: &TestApp, campaign: i64) -> i64 {
    common::scalar(
        &app.db,
        &format!("SELECT COUNT(*) FROM audit_cases WHERE campaign_id = {campaign}"),
    )
    .await
}

async fn post_case(app: &TestApp, who: &str, campaign: i64, body: &Value) -> (StatusCode, Value) {
    let res = app
        .api(who, true)
        .await
        .post(&format!("/api/v1/audits/campaigns/{campaign}/cases"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["pointer"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_referent_enters_cases_and_reads_the_results_through_the_api() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;

    // The grids' library, with the criteria a case answers.
    let referent = app.api(REFERENT, false).await;
    let grids = referent.json("/api/v1/audits/grids").await;
    let prophylaxis = grids
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "antibioprophylaxie-chirurgicale")
        .unwrap();
    assert_eq!(prophylaxis["sectors"], json!(["ES"]));
    let delay = prophylaxis["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "delai_avant_incision_min")
        .unwrap();
    assert_eq!(delay["type"], "number");
    assert_eq!(delay["has_rule"], true);

    // The campaign is the referent's to see, open.
    let campaigns = referent.json("/api/v1/audits/campaigns").await;
    let c = campaigns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == s.campaign)
        .unwrap_or_else(|| panic!("{campaigns}"));
    assert_eq!(c["state"], "open");
    assert_eq!(c["participants"], 2);

    // A validated case (by default), then a draft.
    let (status, body) = post_case(&app, REFERENT, s.campaign, &good_case("A-001", &s.own)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["id"].as_i64().unwrap() > 0);
    assert_eq!(body["validated"], true);
    let mut draft = good_case("A-002", &s.own);
    draft["answers"] = json!({"indication_selon_sfar": "oui"});
    draft["validate"] = json!(false);
    let (status, body) = post_case(&app, REFERENT, s.campaign, &draft).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["validated"], false);
    assert_eq!(cases_stored(&app, s.campaign).await, 2);

    // Bad answers are named by their JSON pointer, and nothing is stored.
    let mut bad = good_case("A-003", &s.own);
    bad["answers"]["delai_avant_incision_min"] = json!("bientôt");
    bad["answers"]["molecule"] = json!("amoxicilline_seule");
    bad["age"] = json!("vieux");
    let (status, body) = post_case(&app, REFERENT, s.campaign, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let at = pointers(&body);
    for p in [
        "/answers/delai_avant_incision_min",
        "/answers/molecule",
        "/age",
    ] {
        assert!(at.iter().any(|x| x == p), "{p} in {body}");
    }
    // A validated case must answer every criterion.
    let mut missing = good_case("A-004", &s.own);
    missing["answers"]
        .as_object_mut()
        .unwrap()
        .remove("duree_totale_heures");
    let (status, body) = post_case(&app, REFERENT, s.campaign, &missing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        pointers(&body)
            .iter()
            .any(|x| x == "/answers/duree_totale_heures"),
        "{body}"
    );
    assert_eq!(cases_stored(&app, s.campaign).await, 2);

    // The same case number twice: a conflict.
    let (status, body) = post_case(&app, REFERENT, s.campaign, &good_case("A-001", &s.own)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(cases_stored(&app, s.campaign).await, 2);

    // A case for a hospital that is not the referent's: refused, nothing stored.
    let (status, body) = post_case(&app, REFERENT, s.campaign, &good_case("B-001", &s.other)).await;
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::NOT_FOUND,
        "{status} {body}"
    );
    assert_eq!(cases_stored(&app, s.campaign).await, 2);

    // The CRAtb enters two cases for the other hospital, one not conform on the delay.
    let (status, body) = post_case(&app, COORD, s.campaign, &good_case("B-001", &s.other)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut late = good_case("B-002", &s.other);
    late["answers"]["delai_avant_incision_min"] = json!("75");
    let (status, body) = post_case(&app, COORD, s.campaign, &late).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The CRAtb reads the results: the region's rows and each hospital by name.
    let results = app
        .api(COORD, false)
        .await
        .json(&format!("/api/v1/audits/campaigns/{}/results", s.campaign))
        .await;
    assert_eq!(results["names_shown"], true);
    assert_eq!(results["cases"], 3, "validated cases only");
    let row = |rows: &Value, code: &str| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["criterion"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {rows}"))
    };
    let delay = row(&results["region"], "delai_avant_incision_min");
    assert_eq!(delay["n_applicable"], 3);
    assert_eq!(delay["n_conform"], 2);
    assert_eq!(delay["pct_conform"].as_f64(), Some(66.67));
    // Wilson 95 % for 2 of 3, by hand: centre (2/3 + z²/6)/(1 + z²/3), half-width
    // z·√(2/27 + z²/36)/(1 + z²/3) with z = 1,96: [20,77 ; 93,85].
    assert_eq!(delay["ci_low"].as_f64(), Some(20.77));
    assert_eq!(delay["ci_high"].as_f64(), Some(93.85));
    let all = row(&results["region"], "all");
    assert_eq!(
        (all["n_applicable"].as_u64(), all["n_conform"].as_u64()),
        (Some(3), Some(2))
    );
    // Not applicable answers are left out of their criterion.
    assert_eq!(
        row(&results["region"], "reinjection_peroperatoire")["n_applicable"],
        0
    );
    assert!(row(&results["region"], "reinjection_peroperatoire")["pct_conform"].is_null());
    let named: Vec<&str> = results["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["finess"].as_str().unwrap_or(""))
        .collect();
    assert!(
        named.contains(&s.own.as_str()) && named.contains(&s.other.as_str()),
        "{results}"
    );

    // The referent sees their hospital by name, the other anonymously.
    let theirs = referent
        .json(&format!("/api/v1/audits/campaigns/{}/results", s.campaign))
        .await;
    assert_eq!(theirs["names_shown"], false);
    let places = theirs["participants"].as_array().unwrap();
    let own = places.iter().find(|p| p["own"] == true).unwrap();
    assert_eq!(own["finess"], s.own.as_str());
    for p in places.iter().filter(|p| p["own"] == false) {
        assert!(p["finess"].is_null(), "{p}");
        assert!(p["establishment_id"].is_null(), "{p}");
    }
    assert!(!theirs.to_string().contains(&s.other), "{theirs}");
}

#[tokio::test]
async fn who_may_enter_read_and_plan_with_a_token_of_each_role() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let results = format!("/api/v1/audits/campaigns/{}/results", s.campaign);

    // The agency reads, enters nothing, writes no plan.
    let ars = app.api(ARS, true).await;
    for path in [
        "/api/v1/audits/grids",
        "/api/v1/audits/campaigns",
        results.as_str(),
        "/api/v1/action-plans",
    ] {
        let r = ars.get(path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let (status, _) = post_case(&app, ARS, s.campaign, &good_case("Z-1", &s.own)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = ars
        .post("/api/v1/action-plans")
        .json(&json!({"establishment": s.own, "title": "Plan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A prescriber has no part in audits.
    let prescriber = app.api(PRESCRIBER, true).await;
    for path in [
        "/api/v1/audits/grids",
        "/api/v1/audits/campaigns",
        results.as_str(),
        "/api/v1/action-plans",
    ] {
        let r = prescriber.get(path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }

    // A read-only token writes nothing.
    let read_only = app.api(REFERENT, false).await;
    let r = read_only
        .post(&format!("/api/v1/audits/campaigns/{}/cases", s.campaign))
        .json(&good_case("R-1", &s.own))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Another region's coordinator does not find the campaign.
    let bzh = app.api(common::COORD_BZH, true).await;
    let r = bzh.get(&results).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The EMA member reads the campaign's results when their team serves a participant, else
    // not found; never a server error.
    let r = app
        .api(EMA, false)
        .await
        .get(&results)
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == StatusCode::OK || r.status() == StatusCode::NOT_FOUND,
        "{}",
        r.status()
    );

    // The referent writes a plan for their hospital after the campaign, with an action aimed
    // at a criterion, and changes its status.
    let referent = app.api(REFERENT, true).await;
    let due = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    let r = referent
        .post("/api/v1/action-plans")
        .json(&json!({
            "establishment": s.own,
            "campaign_id": s.campaign,
            "title": "Plan antibioprophylaxie",
            "actions": [{"title": "Protocole révisé au bloc", "due_on": due, "aim": "delai_avant_incision_min"}]
        }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let plan: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let id = plan["id"].as_i64().unwrap();
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/action-plans/{id}").as_str())
    );
    let action = &plan["action_list"][0];
    assert_eq!(action["status"], "planned");
    assert_eq!(action["aim_kind"], "criterion");
    let action_id = action["id"].as_i64().unwrap();
    let r = referent
        .put(&format!("/api/v1/action-plans/{id}/actions/{action_id}"))
        .json(&json!({"title": "Protocole révisé au bloc", "due_on": due, "aim": "delai_avant_incision_min", "status": "in_progress"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let changed: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["status"], "in_progress");
    // An action added, refused field by field first.
    let r = referent
        .post(&format!("/api/v1/action-plans/{id}/actions"))
        .json(&json!({"title": "", "due_on": "31/02/2026", "status": "fini"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    for p in ["/title", "/due_on", "/status"] {
        assert!(
            pointers(&problem).iter().any(|x| x == p),
            "{p} in {problem}"
        );
    }
    let r = referent
        .post(&format!("/api/v1/action-plans/{id}/actions"))
        .json(&json!({"title": "Audit flash au bloc", "due_on": due, "aim_kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let listed = referent.json("/api/v1/action-plans").await;
    let mine = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap();
    assert_eq!(
        (mine["actions"].as_i64(), mine["done"].as_i64()),
        (Some(2), Some(0))
    );

    // A plan for the other hospital: refused, nothing stored; the agency reads the plan.
    let plans = common::scalar(&app.db, "SELECT COUNT(*) FROM action_plans").await;
    let r = referent
        .post("/api/v1/action-plans")
        .json(&json!({"establishment": s.other, "title": "Pas le mien"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert!(
        pointers(&problem).contains(&"/establishment".to_string()),
        "{problem}"
    );
    assert_eq!(
        common::scalar(&app.db, "SELECT COUNT(*) FROM action_plans").await,
        plans
    );
    let read = ars.json(&format!("/api/v1/action-plans/{id}")).await;
    assert_eq!(read["may_edit"], false);
    let r = ars
        .put(&format!("/api/v1/action-plans/{id}/actions/{action_id}"))
        .json(&json!({"title": "x", "due_on": due, "status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Another region's coordinator does not find it.
    let r = bzh
        .get(&format!("/api/v1/action-plans/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_the_audits_and_plans_paths() {
    let app = TestApp::spawn().await;
    let doc = app.anonymous().json("/api/openapi.json").await;
    for (path, method) in [
        ("/api/v1/audits/grids", "get"),
        ("/api/v1/audits/campaigns", "get"),
        ("/api/v1/audits/campaigns/{id}/cases", "post"),
        ("/api/v1/audits/campaigns/{id}/results", "get"),
        ("/api/v1/action-plans", "get"),
        ("/api/v1/action-plans", "post"),
        ("/api/v1/action-plans/{id}", "get"),
        ("/api/v1/action-plans/{id}/actions", "post"),
        ("/api/v1/action-plans/{id}/actions/{action}", "put"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let schemas = &doc["components"]["schemas"];
    for s in [
        "CaseBody",
        "CampaignResultsBody",
        "ResultRow",
        "PlanInput",
        "ActionInput",
        "PlanBody",
    ] {
        assert!(schemas[s].is_object(), "{s}");
    }
    assert!(schemas["ResultRow"]["properties"]["ci_low"].is_object());
}
