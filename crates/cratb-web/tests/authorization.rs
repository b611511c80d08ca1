//! Who may do what, over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): region scoping in the data layer, and the authorization
//! matrix (every route × every role and anonymous × own / other region; a route without its
//! line in `MATRIX` fails).

mod common;

use common::{COORD_BZH, TestApp};
use cratb_domain::Role;
use cratb_store::PageRequest;
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_web::routes::{Access, specs};
use reqwest::StatusCode;
use serde_json::json;

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
    let grenoble_id = app.establishment_in("38").await.id;
    assert!(matches!(
        establishments::get(&app.db, &bzh, grenoble_id).await,
        Err(cratb_store::StoreError::NotFound)
    ));
    // Through the API too.
    let bzh_api = app.api(COORD_BZH, false).await;
    let r = bzh_api
        .get(&format!("/api/v1/establishments/{grenoble_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list = bzh_api.json("/api/v1/establishments?per_page=500").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["region_code"] == "53")
    );
    assert_eq!(list["total"], page.total);
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
    ("GET", "/login/mfa", "public"),
    ("POST", "/login/mfa", "public"),
    ("GET", "/password/forgot", "public"),
    ("POST", "/password/forgot", "public"),
    ("GET", "/password/reset/{token}", "public"),
    ("POST", "/password/reset/{token}", "public"),
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
    (
        "GET",
        "/resistance/alerts/export/{format}",
        "resistance.view",
    ),
    ("GET", "/resistance/settings", "resistance.settings"),
    ("POST", "/resistance/settings", "resistance.settings"),
    ("GET", "/resistance/imports", "isolates.import"),
    ("POST", "/resistance/imports", "isolates.import"),
    ("POST", "/resistance/imports/{id}/delete", "isolates.import"),
    ("GET", "/users", "users.view"),
    ("GET", "/users/new", "users.manage"),
    ("POST", "/users", "users.manage"),
    ("POST", "/users/{id}/active", "users.manage"),
    ("GET", "/users/{id}/edit", "users.manage"),
    ("POST", "/users/{id}", "users.manage"),
    ("POST", "/users/{id}/reset-link", "users.manage"),
    ("POST", "/users/{id}/sessions/end", "users.manage"),
    ("GET", "/audit", "audit.view"),
    ("GET", "/audit.csv", "audit.view"),
    ("GET", "/account", "user"),
    ("POST", "/account/password", "user"),
    ("POST", "/account/logout-everywhere", "user"),
    ("POST", "/account/tokens", "user"),
    ("POST", "/account/tokens/{id}/revoke", "user"),
    ("GET", "/account/mfa", "user"),
    ("POST", "/account/mfa/start", "user"),
    ("POST", "/account/mfa/confirm", "user"),
    ("POST", "/account/mfa/disable", "user"),
    ("POST", "/account/mfa/recovery-codes", "user"),
    ("POST", "/users/{id}/mfa/reset", "users.manage"),
    ("POST", "/users/mfa-policy", "users.manage"),
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
    ("PATCH", "/api/v1/users/{id}", "users.manage"),
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
    // Appropriateness audits' pages.
    ("GET", "/audits", "audits.view"),
    ("GET", "/audits/grids", "audits.view"),
    ("POST", "/audits/grids", "audits.manage"),
    ("GET", "/audits/grids/{id}", "audits.view"),
    ("GET", "/audits/grids/{id}/edit", "audits.manage"),
    ("POST", "/audits/grids/{id}/edit", "audits.manage"),
    ("GET", "/audits/campaigns/new", "audits.manage"),
    ("POST", "/audits/campaigns", "audits.manage"),
    ("GET", "/audits/campaigns/{id}", "audits.view"),
    ("POST", "/audits/campaigns/{id}/close", "audits.manage"),
    ("POST", "/audits/campaigns/{id}/reopen", "audits.manage"),
    ("POST", "/audits/campaigns/{id}/sheet", "audits.enter"),
    ("GET", "/audits/campaigns/{id}/modele.csv", "audits.enter"),
    ("GET", "/audits/campaigns/{id}/cases", "audits.enter"),
    ("POST", "/audits/campaigns/{id}/cases", "audits.enter"),
    ("GET", "/audits/campaigns/{id}/cases/new", "audits.enter"),
    ("GET", "/audits/campaigns/{id}/cases/{case}", "audits.enter"),
    (
        "POST",
        "/audits/campaigns/{id}/cases/{case}",
        "audits.enter",
    ),
    (
        "POST",
        "/audits/campaigns/{id}/cases/{case}/delete",
        "audits.enter",
    ),
    ("GET", "/audits/campaigns/{id}/results", "audits.view"),
    ("GET", "/audits/campaigns/{id}/results.csv", "audits.view"),
    ("GET", "/audits/campaigns/{id}/results.xlsx", "audits.view"),
    (
        "GET",
        "/audits/campaigns/{id}/feedback/{establishment}",
        "audits.view",
    ),
    (
        "GET",
        "/audits/campaigns/{id}/feedback/{establishment}/rapport.pdf",
        "audits.view",
    ),
    ("GET", "/audits/campaigns/{id}/rapports.zip", "audits.view"),
    // The advice service's pages.
    ("GET", "/advice", "advice.ask"),
    ("GET", "/advice/new", "advice.ask"),
    ("POST", "/advice/new", "advice.ask"),
    ("GET", "/advice/callers", "advice.answer"),
    ("GET", "/advice/rota", "team.edit"),
    ("POST", "/advice/rota", "team.edit"),
    ("POST", "/advice/rota/closures", "team.edit"),
    ("POST", "/advice/rota/closures/{id}/delete", "team.edit"),
    ("GET", "/advice/stats", "advice.stats"),
    ("GET", "/advice/knowledge", "advice.answer"),
    ("GET", "/advice/{id}", "advice.ask"),
    ("GET", "/advice/{id}/attachments/{attachment}", "advice.ask"),
    ("POST", "/advice/{id}/answer", "advice.answer"),
    ("POST", "/advice/{id}/question", "advice.ask"),
    ("POST", "/advice/{id}/follow-up", "advice.ask"),
    ("POST", "/advice/{id}/move", "advice.answer"),
    ("GET", "/api/v1/fhir", "directory.view"),
    ("GET", "/api/v1/fhir/{type}", "directory.view"),
    ("POST", "/api/v1/isolates/imports", "isolates.import"),
    ("GET", "/api/v1/antibiogram", "resistance.view"),
    ("GET", "/api/v1/resistance/alerts", "resistance.view"),
    ("POST", "/api/v1/advice", "advice.ask"),
    ("GET", "/api/v1/advice", "advice.ask"),
    ("GET", "/api/v1/advice/stats", "advice.stats"),
    ("GET", "/api/v1/advice/{id}", "advice.ask"),
    ("POST", "/api/v1/advice/{id}/answers", "advice.answer"),
    ("POST", "/api/v1/advice/{id}/follow-up", "advice.ask"),
    // Appropriateness audits in the JSON API.
    ("GET", "/api/v1/audits/grids", "audits.view"),
    ("GET", "/api/v1/audits/campaigns", "audits.view"),
    (
        "POST",
        "/api/v1/audits/campaigns/{id}/cases",
        "audits.enter",
    ),
    (
        "GET",
        "/api/v1/audits/campaigns/{id}/results",
        "audits.view",
    ),
    // Action plans: pages and JSON API.
    ("GET", "/action-plans", "plans.view"),
    ("GET", "/action-plans/overdue", "plans.view"),
    ("GET", "/action-plans/new", "plans.edit"),
    ("POST", "/action-plans/new", "plans.edit"),
    ("GET", "/action-plans/{id}", "plans.view"),
    ("POST", "/action-plans/{id}/actions", "plans.edit"),
    (
        "POST",
        "/action-plans/{id}/actions/{action}/status",
        "plans.edit",
    ),
    (
        "POST",
        "/action-plans/{id}/actions/{action}/delete",
        "plans.edit",
    ),
    ("GET", "/api/v1/action-plans", "plans.view"),
    ("POST", "/api/v1/action-plans", "plans.edit"),
    ("GET", "/api/v1/action-plans/{id}", "plans.view"),
    ("POST", "/api/v1/action-plans/{id}/actions", "plans.edit"),
    (
        "PUT",
        "/api/v1/action-plans/{id}/actions/{action}",
        "plans.edit",
    ),
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
    let own_est = app.establishment_in("38").await;
    let other_est = app.establishment_in("35").await;
    // Targets for account routes: dedicated accounts, so the matrix never disables a caller.
    let mut targets = Vec::new();
    for region in ["84", "53"] {
        let email = format!("cible.{region}@exemple.fr");
        let mut tx = app.db.begin().await.unwrap();
        let id = cratb_store::users::create(
            &mut tx,
            &cratb_domain::NewUser {
                email: cratb_domain::Email::parse(&email).unwrap(),
                display_name: "Cible".into(),
                role: Role::Prescriber,
                region: Some(cratb_domain::RegionCode::parse(region).unwrap()),
                establishments: vec![],
                teams: vec![],
                password: Some("Girafe-violette-2026".into()),
                must_change_password: false,
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
            .establishment_ids
            .first()
            .copied();
    // The establishments an EMA member sees by name: those of their teams' departments.
    let ema_territory = cratb_store::network::territory_establishments(
        &app.db,
        &cratb_domain::Scope::National.access("84").unwrap(),
        &cratb_store::network::teams_of_email(&app.db, &app.email_of(Role::EmaMember, Some("84")))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
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
                    .replace("{attachment}", "1")
                    .replace("{case}", "1")
                    .replace("{action}", "1")
                    .replace("{establishment}", "1")
                    .replace("{type}", "CareTeam")
                    .replace("{token}", "1.2.3")
                    .replace("/static/{file}", &asset);
                let api = path.starts_with("/api/v1");
                let role = match caller {
                    Caller::Anonymous => None,
                    Caller::Role(r) => Some(*r),
                };
                let email =
                    role.map(|r| app.email_of(r, if r.is_national() { None } else { Some("84") }));
                let client = match &email {
                    Some(e) if api => app.api(e, true).await,
                    Some(e) => app.client(e).await,
                    None if api => app.anonymous(),
                    None => app.anonymous().with_csrf_cookie(&"a".repeat(64)),
                };
                let mut req = client.request(spec.method.clone(), &path);
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
                            ("csrf", client.csrf()),
                            ("finess", &est.finess),
                            ("name", &est.name),
                            ("category", &est.category),
                            ("department", &est.department_code),
                        ]);
                    } else if spec.path.ends_with("/active") {
                        req = req.form(&[("csrf", client.csrf()), ("active", "true")]);
                    } else {
                        req = req.form(&[("csrf", client.csrf())]);
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
                    } else if role == Some(Role::Referent) && spec.path.ends_with("/rapports.zip") {
                        // A referent sees the other participants of an audit anonymously: no
                        // ZIP of every participant's report.
                        false
                    } else if role == Some(Role::EmaMember)
                        && spec.path.starts_with("/consumption/establishments/")
                    {
                        // An EMA member opens the establishments of their territory.
                        own && ema_territory.contains(&est.id)
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
