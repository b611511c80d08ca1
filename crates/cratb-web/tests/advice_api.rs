//! The advice service through the JSON API, over HTTP against the real server (SQLite by
//! default, PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): a prescriber asks, the EMA
//! member of the team it is routed to answers, the prescriber reads the answer and gives the
//! day-7 follow-up, the statistics count it; bad input refused field by field with nothing
//! stored; who may see and do what; the overdue and follow-up sweep, its e-mails without health
//! data, each sent once.

mod common;

use common::{ARS, COORD, COORD_BZH, EMA, PRESCRIBER, TestApp, mails};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const QUESTION: &str = "Cystite récidivante chez une patiente de 87 ans, quelle molécule choisir ?";
const MICROBIOLOGY: &str = "ECBU : Escherichia coli BLSE";

/// A start date of the current treatment: three days ago.
fn started_on() -> String {
    (OffsetDateTime::now_utc().date() - Duration::days(3)).to_string()
}

fn request_body() -> Value {
    json!({
        "sector": "VILLE",
        "department": "69",
        "age": 87,
        "sex": "F",
        "weight_kg": "61,5",
        "pregnant": false,
        "egfr": 45,
        "beta_lactam_allergy": false,
        "immunosuppressed": "non",
        "infection_site": "urinary",
        "question_type": "choice",
        "antibiotics": [{"atc": "J01CA04", "dose": "1 g x 3/j", "route": "oral", "started_on": started_on()}],
        "microbiology": MICROBIOLOGY,
        "question": QUESTION,
        "urgency": "routine",
        "channel": "web"
    })
}

async fn requests_stored(app: &TestApp) -> i64 {
    common::scalar(&app.db, "SELECT COUNT(*) FROM advice_requests").await
}

/// Files the request as the prescriber; its id and reference.
async fn file(app: &TestApp) -> (i64, String, Value) {
    let prescriber = app.api(PRESCRIBER, true).await;
    let res = prescriber
        .post("/api/v1/advice")
        .json(&request_body())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/advice/{id}"));
    (id, body["reference"].as_str().unwrap().to_owned(), body)
}

async fn answer(app: &TestApp, id: i64) {
    let ema = app.api(EMA, true).await;
    let res = ema
        .post(&format!("/api/v1/advice/{id}/answers"))
        .json(&json!({
            "body": "Fosfomycine-trométamol 3 g en dose unique.",
            "recommendations": ["switch"],
            "antibiotics": [{"atc": "J01XX01", "dose": "3 g", "route": "oral", "days": 1}],
            "references": ["https://www.infectiologie.com"]
        }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn stats(app: &TestApp) -> Value {
    app.api(COORD, false)
        .await
        .json("/api/v1/advice/stats")
        .await
}

#[tokio::test]
async fn a_request_asked_answered_and_followed_up_through_the_api() {
    let app = TestApp::spawn().await;
    let before = stats(&app).await;
    let (id, reference, filed) = file(&app).await;
    assert!(reference.starts_with("AV-"), "{reference}");
    assert!(filed["queued"].is_boolean());
    let due = filed["due_at"].as_str().unwrap();
    assert!(
        OffsetDateTime::parse(due, &time::format_description::well_known::Rfc3339).is_ok(),
        "{due}"
    );
    // Routed to the Lyon team, to which the demo EMA account belongs.
    assert_eq!(filed["team_name"], "EMA Rhône Centre", "{filed}");

    // The EMA member finds it in their queue and reads it (audited).
    let ema = app.api(EMA, false).await;
    let queue = ema.json("/api/v1/advice?status=open&per_page=100").await;
    let queued = ema.json("/api/v1/advice?status=queued&per_page=100").await;
    let listed = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id)
    };
    assert!(listed(&queue) || listed(&queued), "{queue} {queued}");
    assert!(queue["total"].is_i64() && queue["per_page"] == 100);
    let case = ema.json(&format!("/api/v1/advice/{id}")).await;
    assert_eq!(case["question"], QUESTION);
    assert_eq!(case["infection_site"], "urinary");
    assert_eq!(case["age"], 87);
    let reads: i64 = common::scalar(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'advice.read' AND entity_id = '{id}'"
        ),
    )
    .await;
    assert_eq!(reads, 1);
    // A read-only token answers nothing.
    let res = ema
        .post(&format!("/api/v1/advice/{id}/answers"))
        .json(&json!({"body": "x", "recommendations": ["stop"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An answer without a recommendation is refused by field.
    let res = app
        .api(EMA, true)
        .await
        .post(&format!("/api/v1/advice/{id}/answers"))
        .json(&json!({"body": "", "recommendations": ["peut-être"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/recommendations"), "{problem}");

    answer(&app, id).await;

    // The prescriber reads the answer, gives the follow-up (once answered only).
    let prescriber = app.api(PRESCRIBER, true).await;
    let mine = prescriber.json("/api/v1/advice?mine=true").await;
    assert!(listed(&mine), "{mine}");
    let case = prescriber.json(&format!("/api/v1/advice/{id}")).await;
    assert_eq!(case["status"], "answered");
    let answers: Vec<&Value> = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "answer")
        .collect();
    assert_eq!(answers.len(), 1, "{case}");
    assert_eq!(answers[0]["recommendations"], json!(["switch"]));
    assert!(case["first_answer_at"].is_string());
    let res = prescriber
        .post(&format!("/api/v1/advice/{id}/follow-up"))
        .json(&json!({"followed": "yes", "outcome": "better"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/followed", "/outcome"], "{problem}");
    let res = prescriber
        .post(&format!("/api/v1/advice/{id}/follow-up"))
        .json(&json!({"followed": "followed", "outcome": "cured"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let case = prescriber.json(&format!("/api/v1/advice/{id}")).await;
    assert_eq!(case["follow_up"]["followed"], "followed");
    assert_eq!(case["follow_up"]["outcome"], "cured");

    // The statistics count it (the demo's own requests, if any, counted before and after).
    let after = stats(&app).await;
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
    assert_eq!(n(&after, "requests"), n(&before, "requests") + 1, "{after}");
    assert_eq!(n(&after, "answered"), n(&before, "answered") + 1);
    assert_eq!(n(&after, "follow_ups"), n(&before, "follow_ups") + 1);
    if n(&before, "follow_ups") == 0 {
        assert_eq!(after["followed_share"], 1.0);
    }
    assert!(after["median_minutes"].is_number(), "{after}");
    assert!(after["p90_minutes"].is_number());
    assert!(after["within_target"].is_number());
    // The agency reads the figures, the team's too; a team of another region is not found.
    let ars = app.api(ARS, false).await;
    let team_id = case["team_id"].as_i64().unwrap();
    let year = OffsetDateTime::now_utc().year();
    let team = ars
        .json(&format!(
            "/api/v1/advice/stats?year={year}&team_id={team_id}"
        ))
        .await;
    assert!(team["requests"].as_u64().unwrap() >= 1, "{team}");
    let bzh_team = app
        .api(COORD_BZH, false)
        .await
        .json("/api/v1/ema-teams")
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let res = ars
        .get(&format!("/api/v1/advice/stats?team_id={bzh_team}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = ars
        .get("/api/v1/advice/stats?year=3000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let prescriber = app.api(PRESCRIBER, true).await;
    let stored = requests_stored(&app).await;
    let mut body = request_body();
    body["age"] = json!(212);
    body["infection_site"] = json!("nose");
    body["question_type"] = json!("");
    body["antibiotics"] = json!([{"atc": "XYZ", "route": "oral"}]);
    body["question"] = json!("");
    body["sex"] = json!("X");
    body["caller"] = json!({"name": "x".repeat(400), "profession": "gp"});
    let res = prescriber
        .post("/api/v1/advice")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let problem: Value = res.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in [
        "/age",
        "/infection_site",
        "/question_type",
        "/antibiotics",
        "/question",
        "/sex",
        "/caller/name",
    ] {
        assert!(pointers.contains(&p), "{p} missing in {problem}");
    }
    // A value of the wrong type is named too.
    let mut body = request_body();
    body["antibiotics"] = json!("amoxicilline");
    let res = prescriber
        .post("/api/v1/advice")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/antibiotics", "{problem}");
    // Empty, not JSON.
    let res = prescriber
        .post("/api/v1/advice")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = prescriber
        .post("/api/v1/advice")
        .header("content-type", "text/plain")
        .body("bonjour")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A bad filter is named.
    let res = prescriber
        .get("/api/v1/advice?infection_site=nose")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/infection_site");
    assert_eq!(requests_stored(&app).await, stored, "nothing stored");
    assert!(mails(&app.mail_dir).is_empty(), "no e-mail sent");
}

#[tokio::test]
async fn who_sees_and_does_what() {
    let app = TestApp::spawn().await;
    let (id, _, _) = file(&app).await;
    // The other region's coordinator does not find it.
    let res = app
        .api(COORD_BZH, false)
        .await
        .get(&format!("/api/v1/advice/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The region's coordinator reads it and answers for it.
    let coord = app.api(COORD, false).await;
    assert_eq!(coord.json(&format!("/api/v1/advice/{id}")).await["id"], id);
    // The agency reads figures only.
    let ars = app.api(ARS, true).await;
    let res = ars
        .post("/api/v1/advice")
        .json(&request_body())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    for path in ["/api/v1/advice".to_string(), format!("/api/v1/advice/{id}")] {
        let res = ars.get(&path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let res = ars.get("/api/v1/advice/stats").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A read-only token files nothing.
    let res = app
        .api(PRESCRIBER, false)
        .await
        .post("/api/v1/advice")
        .json(&request_body())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The requester does not answer their own request; another prescriber does not see it.
    let prescriber = app.api(PRESCRIBER, true).await;
    let res = prescriber
        .post(&format!("/api/v1/advice/{id}/answers"))
        .json(&json!({"body": "x", "recommendations": ["stop"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let other = app.email_of(cratb_domain::Role::Referent, Some("84"));
    let res = app
        .api(&other, false)
        .await
        .get(&format!("/api/v1/advice/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let listed = app.api(&other, false).await.json("/api/v1/advice").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != id)
    );
    // The follow-up comes after the answer.
    let res = prescriber
        .post(&format!("/api/v1/advice/{id}/follow-up"))
        .json(&json!({"followed": "followed", "outcome": "cured"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The e-mails written that name `reference`.
fn mails_of(app: &TestApp, reference: &str) -> Vec<String> {
    mails(&app.mail_dir)
        .into_iter()
        .filter(|m| m.contains(reference))
        .collect()
}

fn no_health_data(mail: &str) {
    for secret in [
        QUESTION,
        MICROBIOLOGY,
        "Cystite",
        "87 ans",
        "Infection urinaire",
        "urinary",
        "J01CA04",
        "Fosfomycine",
    ] {
        assert!(!mail.contains(secret), "{secret} in an e-mail:\n{mail}");
    }
}

#[tokio::test]
async fn the_sweep_tells_of_overdue_requests_and_asks_for_the_follow_up_once() {
    let app = TestApp::spawn().await;
    let (id, reference, _) = file(&app).await;
    let link = format!("{}/advice/{id}", app.base);
    let on_filing = mails_of(&app, &reference);
    assert!(!on_filing.is_empty(), "the requester is told");
    on_filing.iter().for_each(|m| no_health_data(m));
    let coordinator_told = |mails: &[String]| mails.iter().any(|m| m.contains(COORD));

    // Ten days on, nobody answered: the team (or member) and the coordinator are told.
    let later = OffsetDateTime::now_utc() + Duration::days(10);
    let sent = cratb_web::advice::run_advice_sweep(&app.state, &app.base, later)
        .await
        .unwrap();
    assert!(sent >= 1, "{sent}");
    let now_mails = mails_of(&app, &reference);
    let overdue: Vec<String> = now_mails
        .iter()
        .filter(|m| !on_filing.contains(m))
        .cloned()
        .collect();
    assert!(!overdue.is_empty());
    assert!(coordinator_told(&overdue), "{overdue:?}");
    for m in &overdue {
        assert!(m.contains(&link), "{m}");
        no_health_data(m);
    }
    let case = app
        .api(COORD, false)
        .await
        .json(&format!("/api/v1/advice/{id}"))
        .await;
    assert!(
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "overdue"),
        "{case}"
    );
    // Once only.
    let again = cratb_web::advice::run_advice_sweep(&app.state, &app.base, later)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(mails_of(&app, &reference).len(), now_mails.len());

    // Answered, then past the follow-up day: the requester is asked, once.
    answer(&app, id).await;
    let before = mails_of(&app, &reference).len();
    let day8 = OffsetDateTime::now_utc() + Duration::days(8);
    cratb_web::advice::run_advice_sweep(&app.state, &app.base, day8)
        .await
        .unwrap();
    let all = mails_of(&app, &reference);
    assert_eq!(all.len(), before + 1, "one follow-up e-mail");
    let asked = all
        .iter()
        .find(|m| m.contains("suivi") || m.contains("Suivi"))
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(
        asked.contains(PRESCRIBER) && asked.contains(&link),
        "{asked}"
    );
    no_health_data(asked);
    cratb_web::advice::run_advice_sweep(&app.state, &app.base, day8 + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(mails_of(&app, &reference).len(), before + 1);
}

/// The server runs the sweep by itself (first shortly after the start) when its public address
/// is configured; the links follow that address.
#[tokio::test]
async fn the_server_runs_the_sweep_by_itself_with_a_public_address() {
    let public = "https://cratb.example.org";
    let app = TestApp::spawn_with(|c| c.public_url = Some(format!("{public}/"))).await;
    // A request filed ten days ago (through the use case, with that clock), never answered.
    let user = cratb_store::users::find_by_email(&app.db, PRESCRIBER)
        .await
        .unwrap();
    let actor = cratb_app::Actor {
        id: Some(user.id),
        name: user.email.clone(),
        role: user.role(),
        scope: user.scope().unwrap(),
        channel: cratb_app::Channel::Api,
        ip: None,
        request_id: None,
    };
    let mut body = request_body();
    body["antibiotics"][0]["started_on"] = json!(null);
    let input: cratb_advice::request::RequestInput = serde_json::from_value(body).unwrap();
    let filed = cratb_app::advice::ask(
        &app.db,
        &actor,
        &user,
        &input,
        &[],
        OffsetDateTime::now_utc() - Duration::days(10),
        public,
    )
    .await
    .unwrap();
    let link = format!("{public}/advice/{}", filed.id);
    let deadline = std::time::Instant::now()
        + cratb_web::advice::FIRST_SWEEP_AFTER
        + std::time::Duration::from_secs(30);
    let overdue = loop {
        let found: Vec<String> = mails_of(&app, &filed.reference)
            .into_iter()
            .filter(|m| m.contains("premi\u{e8}re r\u{e9}ponse"))
            .collect();
        if !found.is_empty() {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no overdue e-mail from the server's sweep"
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    };
    assert!(overdue.iter().any(|m| m.contains(COORD)), "{overdue:?}");
    for m in &overdue {
        assert!(m.contains(&link), "{m}");
        no_health_data(m);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_advice_routes() {
    let app = TestApp::spawn().await;
    let doc = app.anonymous().json("/api/openapi.json").await;
    let post = &doc["paths"]["/api/v1/advice"]["post"];
    let said = format!("{} {}", post["summary"], post["description"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("Attachments are not sent through the JSON API"),
        "{said}"
    );
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/RequestInput"
    );
    assert!(post["responses"]["201"]["headers"]["Location"].is_object());
    for (path, method) in [
        ("/api/v1/advice", "get"),
        ("/api/v1/advice/{id}", "get"),
        ("/api/v1/advice/{id}/answers", "post"),
        ("/api/v1/advice/{id}/follow-up", "post"),
        ("/api/v1/advice/stats", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let params = doc["paths"]["/api/v1/advice"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for p in [
        "status",
        "team_id",
        "infection_site",
        "overdue",
        "mine",
        "q",
        "page",
        "per_page",
    ] {
        assert!(params.iter().any(|x| x["name"] == p), "{p}");
    }
    for s in [
        "RequestInput",
        "AnswerInput",
        "FollowUpInput",
        "Case",
        "Summary",
        "AdviceStats",
        "FiledRequest",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "{s}");
    }
}
