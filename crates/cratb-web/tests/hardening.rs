//! Issue 14's hardening, over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): no open redirect after login or a language switch, no
//! formula in a CSV export, request ids that are plain tokens, no e-mail whose links follow the
//! request's `Host`, weak passwords refused, `__Host-` cookies over TLS, API answers never
//! stored.

mod common;

use common::{ADMIN, COORD, SECRETARY, TestApp, extract, meta_csrf};
use cratb_store::{PageRequest, audit};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};

/// Hostile `next` values as they travel in a query string, and the one path they must all become.
const HOSTILE_NEXT: [&str; 14] = [
    "//evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/%5Cevil.example",
    "%2F%5Cevil.example",
    "/%252F%252Fevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "https:%2F%2Fevil.example",
    "javascript:alert(1)",
    "%20//evil.example",
    "%09//evil.example",
    "evil.example",
];

#[tokio::test]
async fn no_redirect_leaves_the_site() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let location = |r: &reqwest::Response| r.headers()[LOCATION].to_str().unwrap().to_owned();
    for next in HOSTILE_NEXT {
        let r = anonymous
            .get(&format!("/lang/en?next={next}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r), "/", "/lang/en?next={next}");
    }
    let r = anonymous
        .get("/lang/en?next=%2Fdirectory%3Fq%3Dx")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/directory?q=x");

    // The login form keeps the destination in a hidden field: neither the form nor the answer
    // to a successful login points elsewhere.
    let form = anonymous.page("/login?next=/%09/evil.example").await;
    assert!(form.contains("name=\"next\" value=\"/\""), "{form}");
    let password = app.account(COORD).password.clone();
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%2F%2Fevil.example",
    ] {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = browser
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = extract(&page, "name=\"csrf\" value=\"", "\"").unwrap();
        let r = browser
            .post(app.url("/login"))
            .form(&[
                ("email", COORD),
                ("password", &password),
                ("csrf", &csrf),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "POST /login with next={next:?}");
    }
}

/// The cells of a CSV download (after its byte order mark), as a spreadsheet reads them.
fn cells(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// No cell of `csv` starts like a formula (a signed number, `+33…` or `-2`, is a number).
fn assert_no_formula(csv: &str) {
    for row in cells(csv) {
        for cell in row {
            let risky = cell.starts_with(['=', '@', '\t', '\r'])
                || (cell.starts_with(['+', '-']) && cell.replace(',', ".").parse::<f64>().is_err());
            assert!(!risky, "a cell starts like a formula: {cell:?}");
        }
    }
}

#[tokio::test]
async fn csv_exports_write_formulas_as_text() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let hostile = [
        (
            "=HYPERLINK(\"https://evil.example\",\"Cliquez\")",
            "+cmd|' /C calc'!A0",
            "hyperlink@evil.example",
        ),
        (
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "sum@evil.example",
        ),
    ];
    for (last, first, email) in hostile {
        let r = sec
            .post_form(
                "/directory",
                &[
                    ("last_name", last),
                    ("first_name", first),
                    ("email", email),
                    ("profession", "gp"),
                ],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{last}");
    }
    let r = sec.get("/directory/export/csv").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let rows = cells(&csv);
    for (last, first, _) in hostile {
        assert!(
            rows.iter()
                .any(|r| r[0] == format!("'{last}") && r[1] == format!("'{first}")),
            "{last} written after a quote: {csv}"
        );
    }
    assert_no_formula(&csv);
    // The export is the import's format: read back, those rows are the same entries (matched
    // by name and e-mail, so the quotes were taken off), not new ones.
    let mut lines = csv.lines();
    let back: Vec<&str> = std::iter::once(lines.next().unwrap())
        .chain(lines.filter(|l| l.contains("evil.example")))
        .collect();
    assert_eq!(back.len(), 3, "{csv}");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(back.join("\n").into_bytes()).file_name("annuaire.csv"),
    );
    let r = sec
        .post_multipart("/directory/import", form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview = sec.page(r.headers()[LOCATION].to_str().unwrap()).await;
    let counts = extract(&preview, "id=\"import-counts\">", "</p>").unwrap();
    assert!(
        counts.contains(">0 ") && counts.contains(">2 "),
        "two updates, nothing new: {counts}"
    );
    assert!(
        counts.starts_with("<span class=\"badge status-signed\">0 "),
        "{counts}"
    );

    // A failed login plants nothing in the audit log's export: a request id that is not a
    // plain token is replaced, and a plain one that starts like a formula is written as text.
    // (The first failure from an address is written whole, the next ones counted into one
    // summary entry: the plain id goes first so that its entry keeps it.)
    for id in ["-1-1", "=HYPERLINK(\"https://evil.example\",\"x\")"] {
        let r = app
            .anonymous()
            .with_csrf_cookie("ab".repeat(32).as_str())
            .post_form(
                "/login",
                &[("email", COORD), ("password", "pas-le-bon-mot-de-passe")],
            )
            .header("x-request-id", id)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let coord = app.client(COORD).await;
    let csv = coord.page("/audit.csv").await;
    let rows = cells(&csv);
    let request_ids: Vec<&str> = rows.iter().map(|r| r.last().unwrap().as_str()).collect();
    assert!(
        !request_ids.iter().any(|id| id.contains("HYPERLINK")),
        "{csv}"
    );
    assert!(request_ids.contains(&"'-1-1"), "{csv}");
    // The entries of the professionals created above start with their names.
    assert!(rows.iter().any(|r| r[7].starts_with("'+cmd|")), "{csv}");
    assert_no_formula(&csv);
}

#[tokio::test]
async fn request_ids_are_plain_tokens() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let echoed = |id: &'static str| {
        let anonymous = anonymous.clone();
        async move {
            let r = anonymous
                .get("/login")
                .header("x-request-id", id)
                .send()
                .await
                .unwrap();
            r.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    for kept in ["abc-123_DEF.4", "a", &"x".repeat(64)] {
        let kept: &'static str = Box::leak(kept.to_owned().into_boxed_str());
        assert_eq!(echoed(kept).await, kept);
    }
    let long: &'static str = Box::leak("x".repeat(65).into_boxed_str());
    for refused in [
        "=1+1",
        "a b",
        "id;drop",
        "\"quoted\"",
        "@SUM(A1)",
        "é",
        long,
        "a\tb",
    ] {
        let id = echoed(refused).await;
        assert_ne!(id, refused);
        assert!(
            id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            "a generated id instead of {refused:?}: {id}"
        );
    }
    // The id kept is the one the audit entry records.
    let r = app
        .anonymous()
        .with_csrf_cookie("cd".repeat(32).as_str())
        .post_form(
            "/login",
            &[("email", COORD), ("password", "faux-mot-de-passe")],
        )
        .header("x-request-id", "=cmd|x")
        .send()
        .await
        .unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let log = audit::list(
        &app.db,
        &cratb_domain::Scope::National,
        &audit::AuditQuery::default(),
        PageRequest::new(None, Some(100)),
    )
    .await
    .unwrap();
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "login.failure" && e.request_id.as_deref() == Some(id.as_str())),
        "the generated id is the entry's"
    );
    assert!(
        !log.items
            .iter()
            .any(|e| e.request_id.as_deref() == Some("=cmd|x"))
    );
    assert_ne!(id, "=cmd|x");
}

#[tokio::test]
async fn no_mail_leaves_without_a_public_address() {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let sec = app.client(SECRETARY).await;
    let page = sec.page("/directory/campaign").await;
    assert!(
        page.contains("id=\"no-public-url\"") && page.contains("CRATB_PUBLIC_URL"),
        "{page}"
    );
    assert!(
        !page.contains("action=\"/directory/campaign\""),
        "no button"
    );
    let r = sec
        .post_button("/directory/campaign")
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Rien n&#39;a été envoyé") && page.contains("CRATB_PUBLIC_URL"),
        "{page}"
    );
    assert!(common::mails(&app.mail_dir).is_empty());
    let started = common::scalar(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'directory.campaign%'",
    )
    .await;
    assert_eq!(started, 0, "no campaign started, no earlier link replaced");

    // (The secretary: a coordinator outside the demo must first enrol a second factor.)
    let secretary = app.client(SECRETARY).await.in_lang("en");
    let r = secretary
        .post_button("/network/conventions/reminders")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Nothing was sent") && page.contains("CRATB_PUBLIC_URL"),
        "{page}"
    );
    assert!(common::mails(&app.mail_dir).is_empty());

    // With the public address configured, links follow it whatever the request's host.
    let app = TestApp::spawn_with(|c| {
        c.demo = false;
        c.public_url = Some("https://cratb.example.org/".into());
    })
    .await;
    let sec = app.client(SECRETARY).await;
    let r = sec
        .post_button("/directory/campaign")
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mails = common::mails(&app.mail_dir);
    assert!(!mails.is_empty());
    for mail in &mails {
        assert!(
            mail.contains("https://cratb.example.org/confirm/") && !mail.contains("evil.example"),
            "{mail}"
        );
    }
}

#[tokio::test]
async fn easy_passwords_are_refused_with_advice() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let current = app.account(COORD).password.clone();
    for weak in [
        "aaaaaaaaaaaa",
        "            ",
        "123456789012",
        "qwertyuiop123",
    ] {
        let r = coord
            .post_form(
                "/account/password",
                &[("current", current.as_str()), ("new", weak)],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak:?}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("trop facile à deviner")
                || page.contains("mots de passe les plus courants"),
            "{weak:?}: {page}"
        );
    }
    let r = coord
        .in_lang("en")
        .post_form(
            "/account/password",
            &[("current", current.as_str()), ("new", "aaaaaaaaaaaa")],
        )
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("too easy to guess"), "{page}");
    // A new account with a weak password is refused on its field; a passphrase is accepted.
    let admin = app.client(ADMIN).await;
    let form = |password: &'static str| {
        vec![
            ("email", "nouvelle.recrue@chu.fr"),
            ("display_name", "Dr Nouvelle Recrue"),
            ("role", "national_admin"),
            ("region", ""),
            ("password", password),
        ]
    };
    let r = admin
        .post_form("/users", &form("nouvellerecrue2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("trop facile à deviner"), "{page}");
    let r = admin
        .post_form("/users", &form("Girafe-violette-2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cookies_take_the_host_prefix_over_tls() {
    let app = TestApp::spawn_with(|c| c.behind_tls = true).await;
    let http = common::Client::new(app.http.clone(), &app.base);
    let set_cookies = |r: &reqwest::Response| -> Vec<String> {
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    let value = |cookies: &[String], name: &str| -> Option<String> {
        cookies
            .iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_owned())
    };
    let r = http.get("/login").send().await.unwrap();
    let cookies = set_cookies(&r);
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("__Host-cratb_csrf="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(
        csrf_cookie.contains("; Path=/")
            && csrf_cookie.contains("; Secure")
            && csrf_cookie.contains("HttpOnly")
            && !csrf_cookie.contains("Domain"),
        "{csrf_cookie}"
    );
    let csrf = value(&cookies, "__Host-cratb_csrf").unwrap();
    let form_csrf = extract(&r.text().await.unwrap(), "name=\"csrf\" value=\"", "\"").unwrap();
    assert_eq!(csrf, form_csrf);

    // The double-submit cookie is read under its prefixed name only.
    let password = app.account(COORD).password.clone();
    let login = |cookie: String| {
        let http = http.clone();
        let csrf = csrf.clone();
        let password = password.clone();
        async move {
            http.post("/login")
                .header("cookie", cookie)
                .form(&[
                    ("email", COORD),
                    ("password", password.as_str()),
                    ("csrf", csrf.as_str()),
                    ("next", "/"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = login(format!("cratb_csrf={csrf}")).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "the unprefixed cookie is ignored"
    );
    let r = login(format!("__Host-cratb_csrf={csrf}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(&r);
    let session = value(&cookies, "__Host-cratb_session").unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(cookies[0].contains("; Secure") && cookies[0].contains("; Path=/"));

    let page = |cookie: String| {
        let http = http.clone();
        async move {
            http.get("/account")
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let r = page(format!("__Host-cratb_session={session}")).await;
    assert_eq!(r.status(), 200);
    let account = r.text().await.unwrap();
    let csrf = meta_csrf(&account);
    let r = page(format!("cratb_session={session}")).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the unprefixed cookie is no session"
    );

    // The language cookie, set and read.
    let r = http
        .get("/lang/en?next=/account")
        .header("cookie", format!("__Host-cratb_session={session}"))
        .send()
        .await
        .unwrap();
    let cookies = set_cookies(&r);
    assert_eq!(value(&cookies, "__Host-cratb_lang").as_deref(), Some("en"));
    assert!(cookies[0].contains("; Secure"));
    let english = page(format!(
        "__Host-cratb_session={session}; __Host-cratb_lang=en"
    ))
    .await
    .text()
    .await
    .unwrap();
    assert!(english.contains("<html lang=\"en\">"));
    let french = page(format!("__Host-cratb_session={session}; cratb_lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(french.contains("<html lang=\"fr\">"));

    // Logging out clears the prefixed session cookie.
    let r = http
        .post("/logout")
        .header("cookie", format!("__Host-cratb_session={session}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(&r);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-cratb_session=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );

    // Without TLS, the names stay unprefixed (and the cookies without `Secure`).
    let plain = TestApp::spawn().await;
    let r = plain.anonymous().get("/login").send().await.unwrap();
    let cookies = set_cookies(&r);
    assert!(
        cookies[0].starts_with("cratb_csrf=") && !cookies[0].contains("Secure"),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn api_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    let api = app.api(COORD, false).await;
    for path in ["/api/v1/establishments", "/api/v1/audit"] {
        let r = api.get(path).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store", "{path}");
    }
    // Refusals too: an unknown token, no token, a bad parameter.
    for r in [
        app.anonymous()
            .with_token("cratb_not-a-token")
            .get("/api/v1/establishments")
            .send()
            .await
            .unwrap(),
        app.anonymous()
            .get("/api/v1/establishments")
            .send()
            .await
            .unwrap(),
        api.get("/api/v1/audit?from=2101-01-01")
            .send()
            .await
            .unwrap(),
    ] {
        assert!(r.status().is_client_error());
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    }
}
