//! Bad input never gives a server error, over HTTP against the real server (SQLite by default,
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): the sweep of every POST/PUT route with
//! malformed, oversized, wrongly typed and incomplete bodies, and of every GET route with
//! hostile query parameters and path segments; NUL bytes and invalid UTF-8 refused at the edge.

mod common;

use common::{ADMIN, COORD, Client, TestApp};
use cratb_store::PageRequest;
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_web::routes::{Access, specs};
use reqwest::StatusCode;
use serde_json::{Value, json};

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
    let health = app.anonymous().get("/healthz").send().await;
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
    let admin = app.client(ADMIN).await;
    let admin_api = app.api(ADMIN, true).await;
    let csrf = admin.csrf();
    let est = establishments::list(
        &app.db,
        &cratb_domain::Scope::National,
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
        "/audits/campaigns/{id}/close",
        "/audits/campaigns/{id}/reopen",
        "/network/teams/{id}/members/{member}/remove",
        "/directory/campaign",
        "/network/conventions/reminders",
        "/directory/pending/{id}/approve",
        "/directory/pending/{id}/reject",
        "/account/logout-everywhere",
        "/account/tokens/{id}/revoke",
        "/account/mfa/start",
        "/users/{id}/mfa/reset",
        "/users/{id}/reset-link",
        "/users/{id}/sessions/end",
        // "Forgotten password" answers alike whatever the address, so that no one learns
        // whether an account exists; its form is checked like every other (NUL bytes, UTF-8).
        "/password/forgot",
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
        // The advice service's requests, answers, follow-ups and pages' forms.
        "question",
        "microbiology",
        "allergies",
        "infection_site",
        "question_type",
        "sector",
        "body",
        "followed",
        "outcome",
        "references",
        "reason",
        "action",
        // The audits' forms: a campaign, a grid's definition, a case and its answers.
        "starts_on",
        "ends_on",
        "target",
        "grid_id",
        "territory_id",
        "establishments",
        "definition",
        "case_number",
        "age",
        "sex",
        "ward_type",
        "save",
        "a_reevaluation_tracee",
        "na_date_debut",
        "a_date_debut",
        // Audit cases and action plans (API bodies and the plans' forms).
        "due_on",
        "aim_kind",
        "aim",
        "aim_criterion",
        "a_title",
        "a_due_on",
        "a_aim",
        "a_notes",
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
    // A campaign of the region and its grid, so that the audits' forms reach their use cases.
    let (audit_grid, audit_campaign) = audit_campaign(app, &est).await;
    let mut failures = Vec::new();
    for spec in specs().into_iter().filter(|s| {
        [
            reqwest::Method::POST,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
        ]
        .contains(&s.method)
    }) {
        if no_input.contains(&spec.path) {
            continue;
        }
        let path = spec
            .path
            .replace(
                "{id}",
                &if spec.path.contains("users") {
                    target
                } else if spec.path.starts_with("/audits/campaigns")
                    || spec.path.starts_with("/api/v1/audits/campaigns")
                {
                    audit_campaign
                } else if spec.path.starts_with("/audits/grids") {
                    audit_grid
                } else {
                    est.id
                }
                .to_string(),
            )
            .replace("{case}", "1")
            .replace("{action}", "1");
        let api = path.starts_with("/api/");
        let cases: Vec<(&str, reqwest::RequestBuilder)> = if api {
            let b = || admin_api.request(spec.method.clone(), &path);
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
            let b = || admin.request(spec.method.clone(), &path);
            let form = |extra: &str| format!("csrf={csrf}&{extra}");
            let urlencoded = "application/x-www-form-urlencoded";
            // A multipart form carries its CSRF token in the address (as the upload pages do).
            let multipart = || {
                let mut m = reqwest::multipart::Form::new();
                for f in text_fields {
                    m = m.text(f, "a\u{0}b");
                }
                for f in [
                    "file",
                    "consumption",
                    "denominators",
                    "packs",
                    "document",
                    "attachments",
                ] {
                    m = m.part(
                        f,
                        reqwest::multipart::Part::bytes(b"a;b\n1;2\n".to_vec())
                            .file_name("fichier\u{0}.csv"),
                    );
                }
                admin
                    .request(spec.method.clone(), &format!("{path}?csrf={csrf}"))
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
            // An empty PATCH changes nothing, rightly: it answers the resource as it is.
            if spec.method == reqwest::Method::PATCH && what == "missing fields" {
                continue;
            }
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

/// A grid of the library and an open campaign of the establishment's region that audits it.
async fn audit_campaign(app: &TestApp, est: &cratb_domain::Establishment) -> (i64, i64) {
    let now = cratb_store::now();
    let grids = cratb_app::audits::grids(&app.db, now).await.unwrap();
    let grid = grids
        .iter()
        .find(|g| g.code == "durees-infections-courantes")
        .unwrap()
        .id;
    let admin = cratb_store::users::find_by_email(&app.db, ADMIN)
        .await
        .unwrap();
    let actor = cratb_app::Actor {
        id: Some(admin.id),
        name: admin.email.clone(),
        role: admin.role(),
        scope: admin.scope().unwrap(),
        channel: cratb_app::Channel::Web,
        ip: None,
        request_id: None,
    };
    let today = cratb_domain::paris::today(now).to_string();
    let input = cratb_audit::campaign::CampaignInput {
        region: Some(est.region_code.clone()),
        title: Some("Balayage".into()),
        grid_id: Some(cratb_audit::campaign::Count::Number(grid)),
        starts_on: Some(today.clone()),
        ends_on: Some(today),
        establishments: Some(cratb_domain::account::List(vec![est.finess.clone()])),
        territory_id: None,
        target: None,
    };
    let campaign = cratb_app::audits::start(&app.db, &actor, &input, now)
        .await
        .unwrap();
    (grid, campaign)
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
    "grid_id",
    "validated",
    "campaign",
    "campaign_id",
    "edit",
];

/// How a GET request of the sweep was answered.
enum Answer {
    Accepted,
    /// Refused with a 4xx and a proper error (page, or problem document under `/api/v1`),
    /// with the text of the refusal.
    Refused(String),
}

/// Sends a GET request of the sweep: `path_and_query` as `who`; `Err` says what went wrong: a
/// 5xx, no answer, or a refusal without a proper error.
async fn probe(who: &Client, path_and_query: &str) -> Result<Answer, String> {
    let res = who
        .get(path_and_query)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
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
        kind.starts_with("application/problem+json") || kind.starts_with("application/fhir+json")
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

/// The parameter of `group` a refusal names (« name » on a page, `/name` in a problem).
fn named_in<'a>(refusal: &str, group: &'a [String]) -> Option<&'a String> {
    group.iter().find(|n| {
        refusal.contains(&format!("« {n} »")) || refusal.contains(&format!("\"pointer\":\"/{n}\""))
    })
}

/// The query and path half of the bad-input sweep: every GET route, as a coordinator (and
/// anonymous where public, and as the national administrator, who may name a region).
async fn sweep_queries_and_paths(app: &TestApp) -> Vec<String> {
    let doc = app.anonymous().json("/api/openapi.json").await;
    let mut names: Vec<String> = QUERY_NAMES.iter().map(|s| s.to_string()).collect();
    for path in doc["paths"].as_object().unwrap().values() {
        for p in path["get"]["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap().to_owned();
            if p["in"] == "query" && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let own_est = app.establishment_in("38").await;
    let asset = cratb_web::assets::url("app", "css");
    let mut senders: Vec<(&str, Client, Client)> = Vec::new();
    for (who, email) in [("coordinator", COORD), ("national admin", ADMIN)] {
        senders.push((who, app.client(email).await, app.api(email, false).await));
    }
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
        let mut callers: Vec<(String, Client)> = senders
            .iter()
            .map(|(who, s, t)| (who.to_string(), if api { t.clone() } else { s.clone() }))
            .collect();
        if spec.access == Access::Public {
            callers.push(("anonymous".into(), app.anonymous()));
        }
        // Path segments: each parameter in turn.
        let segments: Vec<String> = spec
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(str::to_owned)
            .collect();
        for (who, sender) in callers {
            let (values, names, gate) = (values.clone(), names.clone(), gate.clone());
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
                match probe(&sender, &path).await {
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
                        match probe(&sender, &url).await {
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
                        if let Err(e) = probe(&sender, &url).await {
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
    let coord = app.client(COORD).await;
    let api = app.api(COORD, true).await;
    let get = |path: &str, lang: &str| coord.in_lang(lang).get(path).send();
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
    let r = api
        .get("/api/v1/establishments?q=%00")
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
            &cratb_domain::Scope::National,
            &EstablishmentQuery::default(),
            PageRequest::new(None, Some(1)),
        )
        .await
        .unwrap()
        .total
    };
    let before = count().await;
    let r = api
        .post("/api/v1/establishments")
        .json(&json!({"finess": "380000125", "name": "CH du\u{0}Test", "category": "CH", "department": "38"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem = r.json::<Value>().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/name", "{problem}");
    let r = coord
        .post_form(
            "/establishments",
            &[
                ("finess", "380000125"),
                ("name", "CH du\u{0}Test"),
                ("category", "CH"),
                ("department", "38"),
            ],
        )
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
    let teams = api.json("/api/v1/ema-teams").await;
    let team = teams[0]["id"].as_i64().unwrap();
    let conventions = || async {
        api.json("/api/v1/conventions")
            .await
            .as_array()
            .unwrap()
            .len()
    };
    let before = conventions().await;
    let partner = app.establishment_in("38").await;
    let form = reqwest::multipart::Form::new()
        .text("team_id", team.to_string())
        .text("partner", format!("e:{}", partner.id))
        .text("services", "advice")
        .text("status", "draft")
        .text("notes", "signée\u{0}en mairie");
    let r = coord
        .post_multipart("/network/conventions", form)
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
