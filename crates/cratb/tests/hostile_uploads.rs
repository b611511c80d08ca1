//! End to end, on the real binary: `cratb migrate` and `cratb demo` make a database (a fresh
//! SQLite file, or a fresh PostgreSQL database when `CRATB_TEST_DATABASE_URL` is set), `cratb
//! serve` runs as a child process, a coordinator logs in over HTTP with the account `cratb
//! demo` printed and sends every hostile file of `cratb-sheet/tests/hostile/` to every import
//! route. Each is refused with a 4xx and its message; the server is still up afterwards and
//! its peak resident memory (`VmHWM`) stayed under 1 GiB.

#[path = "../../cratb-sheet/tests/hostile/mod.rs"]
mod hostile;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_cratb");
const COORD: &str = "coordination@demo.cratb.fr";
/// The bound of issue 12: any single import under 1 GiB resident.
const MEMORY_BOUND: u64 = 1 << 30;

/// Fixtures whose refusal depends on the route: a route reads the header first and may
/// refuse its columns before the sheet reader sees the rest.
const ROUTE_SPECIFIC: [&str; 3] = [
    "header-only.csv",
    "header-only.xlsx",
    "rows-out-of-order.xlsx",
];

fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// A fresh database: a new PostgreSQL database when asked for, else a temporary SQLite file.
async fn fresh_database() -> String {
    match std::env::var("CRATB_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let name = format!("cratb_e2e_{}", unique());
            let db = cratb_store::Db::connect(&base)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {base}: {e}"));
            let cratb_store::Db::Postgres(pool) = &db else {
                panic!("CRATB_TEST_DATABASE_URL must be a postgres:// URL")
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await
                .expect("create the test database");
            db.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("URL with a database name");
            format!("{prefix}/{name}")
        }
        None => {
            let path = std::env::temp_dir().join(format!("cratb-e2e-{}.db", unique()));
            format!("sqlite://{}", path.display())
        }
    }
}

/// Runs `cratb <args>`, which must succeed; returns its standard output.
fn cratb(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("CRATB_LOG", "warn")
        .output()
        .expect("run cratb");
    assert!(
        out.status.success(),
        "cratb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The server child process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Server {
    async fn start(database: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("cratb-e2e-{}.log", unique()));
        let child = Command::new(BIN)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--database",
                database,
            ])
            .env("CRATB_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start cratb serve");
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let http = reqwest::Client::new();
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("cratb serve exited ({status}): {}", server.log());
            }
            if let Ok(r) = http.get(server.url("/healthz")).send().await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The peak resident memory of the server so far, in bytes.
    fn peak_resident(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("VmHWM in kB");
        kib * 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text between `start` and the next `end`.
fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(text[i..j].to_owned())
}

/// Logs in through the login form; returns the cookie-keeping client and the session's CSRF
/// token.
async fn login(server: &Server, email: &str, password: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"").expect("csrf in the login form");
    let res = client
        .post(server.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "login of {email}");
    let page = client
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").expect("csrf meta");
    (client, csrf)
}

/// A page route that imports a file: its path, the file fields the file is sent in, and the
/// form's other fields.
struct PageRoute {
    path: &'static str,
    files: &'static [&'static str],
    fields: &'static [(&'static str, &'static str)],
}

const PAGE_ROUTES: [PageRoute; 6] = [
    PageRoute {
        path: "/directory/import",
        files: &["file"],
        fields: &[],
    },
    PageRoute {
        path: "/resistance/imports",
        files: &["file"],
        fields: &[],
    },
    PageRoute {
        path: "/consumption/imports",
        files: &["consumption", "denominators"],
        fields: &[("ddd_edition", "2025")],
    },
    PageRoute {
        path: "/consumption/ddd",
        files: &["file"],
        fields: &[("edition", "Édition piégée")],
    },
    PageRoute {
        path: "/consumption/primary-care/imports",
        files: &["file"],
        fields: &[("kind", "dispensations")],
    },
    PageRoute {
        path: "/consumption/primary-care/imports",
        files: &["file"],
        fields: &[("kind", "populations")],
    },
];

#[tokio::test(flavor = "multi_thread")]
async fn every_import_route_refuses_every_hostile_file_and_the_server_stays_up() {
    let database = fresh_database().await;
    cratb(&["migrate", "--database", &database]);
    let accounts = cratb(&["demo", "--database", &database]);
    let password = accounts
        .lines()
        .find(|l| l.split_whitespace().next() == Some(COORD))
        .and_then(|l| l.split_whitespace().last())
        .expect("the coordinator's demo account")
        .to_owned();
    let server = Server::start(&database).await;
    let (client, csrf) = login(&server, COORD, &password).await;
    let page = client
        .post(server.url("/account/tokens"))
        .form(&[("name", "e2e"), ("write", "on"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&page, "id=\"new-token\">", "</code>").expect("the new API token");

    // Two senders, each over half of the routes: as many as the server's import slots.
    let fixtures = std::sync::Arc::new(hostile::all());
    let base = std::sync::Arc::new(server.base.clone());
    let mut senders = Vec::new();
    for half in [0, 1] {
        let (fixtures, base, client, csrf, token) = (
            fixtures.clone(),
            base.clone(),
            client.clone(),
            csrf.clone(),
            token.clone(),
        );
        senders.push(tokio::spawn(async move {
            let routes = PAGE_ROUTES
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == half);
            for (_, route) in routes {
                for f in fixtures.iter() {
                    send_to_page(&client, &base, &csrf, route, f).await;
                }
            }
            if half == 1 {
                for f in fixtures.iter() {
                    send_to_api(&client, &base, &token, f).await;
                }
            }
        }));
    }
    for sender in senders {
        if let Err(e) = sender.await {
            panic!("{e}\n{}", server.log());
        }
    }

    let res = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the server is still up");
    let peak = server.peak_resident();
    eprintln!(
        "peak resident memory of cratb serve: {} MiB ({} requests)",
        peak >> 20,
        fixtures.len() * (PAGE_ROUTES.len() + 1)
    );
    assert!(peak < MEMORY_BOUND, "peak resident {} MiB", peak >> 20);
}

/// Sends a hostile file to a page route: a 4xx with the fixture's message.
async fn send_to_page(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    route: &PageRoute,
    f: &hostile::Fixture,
) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in route.fields {
        form = form.text(*name, *value);
    }
    for name in route.files {
        form = form.part(
            *name,
            reqwest::multipart::Part::bytes(f.bytes.clone()).file_name(f.name),
        );
    }
    let res = client
        .post(format!("{base}{}?csrf={csrf}", route.path))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} to {}: {e}", f.name, route.path));
    let status = res.status();
    let body = res.text().await.unwrap();
    let what = format!("{} to {} {:?}", f.name, route.path, route.fields);
    assert!(status.is_client_error(), "{what}: {status}");
    let message = f.refused_with.replace('\'', "&#39;");
    assert!(
        ROUTE_SPECIFIC.contains(&f.name) || body.contains(&message),
        "{what}: « {message} » not in the page"
    );
}

/// Sends a hostile file to the API's isolate import: a 4xx problem with the fixture's message.
async fn send_to_api(client: &reqwest::Client, base: &str, token: &str, f: &hostile::Fixture) {
    let res = client
        .post(format!("{base}/api/v1/isolates/imports"))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(f.bytes.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} to the API: {e}", f.name));
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_client_error(), "{} to the API: {status}", f.name);
    // An empty body is refused by the route itself, before any reading.
    let message = match f.name {
        "empty.csv" => "le corps de la requête doit contenir le fichier",
        _ => f.refused_with,
    };
    assert!(
        ROUTE_SPECIFIC.contains(&f.name) || body.contains(message),
        "{} to the API: « {message} » not in {body}",
        f.name
    );
}
