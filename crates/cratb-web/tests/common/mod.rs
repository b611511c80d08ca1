//! Test harness: the real server on a random port, over a fresh SQLite file or a fresh
//! PostgreSQL database (when `CRATB_TEST_DATABASE_URL` is set), filled with demo data.
#![allow(dead_code)]

use cratb_demo::DemoAccount;
use cratb_store::{Db, sessions, tokens, users};

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The URL of the test's database.
    pub database_url: String,
    pub accounts: Vec<DemoAccount>,
    pub http: reqwest::Client,
    /// Where the application's e-mail lands (one `.eml` file per message).
    pub mail_dir: std::path::PathBuf,
    /// The server's state (its caches and import slots are shared with it).
    pub state: cratb_web::AppState,
}

fn unique() -> String {
    cratb_store::random_token(6)
}

/// The database URL of a fresh, empty database for one test.
async fn fresh_database() -> String {
    match std::env::var("CRATB_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let name = format!("cratb_t_{}", unique());
            let db = Db::connect(&base)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {base}: {e}"));
            match &db {
                Db::Postgres(p) => {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(p)
                        .await
                        .expect("create test database");
                }
                Db::Sqlite(_) => panic!("CRATB_TEST_DATABASE_URL must be a postgres:// URL"),
            }
            db.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("URL with a database name");
            format!("{prefix}/{name}")
        }
        None => {
            let path = std::env::temp_dir().join(format!("cratb-test-{}.db", unique()));
            format!("sqlite://{}", path.display())
        }
    }
}

impl TestApp {
    /// Starts a server over a fresh demo database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// [`TestApp::spawn`], with its configuration adjusted by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut cratb_web::Config)) -> TestApp {
        let url = fresh_database().await;
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let report = cratb_demo::generate_with(&db, 7, 4_000)
            .await
            .expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mail_dir = std::env::temp_dir().join(format!("cratb-test-mail-{}", unique()));
        let mut config = cratb_web::Config {
            mailer: cratb_web::mail::Mailer::folder(mail_dir.clone(), None).expect("mail folder"),
            ..Default::default()
        };
        configure(&mut config);
        let state = cratb_web::AppState::new(db.clone(), config);
        tokio::spawn(cratb_web::serve(
            listener,
            state.clone(),
            std::future::pending(),
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            db,
            database_url: url,
            accounts: report.accounts,
            http,
            mail_dir,
            state,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn account(&self, email: &str) -> &DemoAccount {
        self.accounts
            .iter()
            .find(|a| a.email == email)
            .unwrap_or_else(|| panic!("no demo account {email}"))
    }

    pub fn email_of(&self, role: cratb_domain::Role, region: Option<&str>) -> String {
        self.accounts
            .iter()
            .find(|a| a.role == role && (region.is_none() || a.region.as_deref() == region))
            .expect("demo account")
            .email
            .clone()
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        users::find_by_email(&self.db, email)
            .await
            .expect("user")
            .id
    }

    /// A session opened directly in the store: (cookie header, csrf token).
    pub async fn session(&self, email: &str) -> (String, String) {
        let id = self.user_id(email).await;
        let (token, csrf) = sessions::create(&self.db, id).await.unwrap();
        (format!("cratb_session={token}"), csrf)
    }

    /// An API token of the user.
    pub async fn token(&self, email: &str, write: bool) -> String {
        let id = self.user_id(email).await;
        tokens::create(&self.db, id, "test", write).await.unwrap().1
    }

    /// Logs in through the form like a browser; returns a cookie-keeping client.
    pub async fn login(&self, email: &str, password: &str) -> (reqwest::Client, reqwest::Response) {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = extract(&page, "name=\"csrf\" value=\"", "\"").expect("csrf in login form");
        let res = client
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        (client, res)
    }
}

/// The text between `start` and the next `end`.
pub fn extract(text: &str, start: &str, end: &str) -> Option<String> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(text[i..j].to_owned())
}

/// The session CSRF token of a logged-in page.
pub fn meta_csrf(page: &str) -> String {
    extract(page, "<meta name=\"csrf-token\" content=\"", "\"").expect("csrf meta")
}

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    cratb_web::error::urlencode(s)
}

/// The messages written by the folder mailer, decoded (quoted-printable bodies included).
pub fn mails(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let joined = raw.replace("=\r\n", "").replace("=\n", "");
        let mut text = String::new();
        let bytes = joined.as_bytes();
        let mut i = 0;
        let mut pending = Vec::new();
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit()
            {
                pending.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                i += 3;
                continue;
            }
            if !pending.is_empty() {
                text.push_str(&String::from_utf8_lossy(&pending));
                pending.clear();
            }
            text.push(bytes[i] as char);
            i += 1;
        }
        text.push_str(&String::from_utf8_lossy(&pending));
        out.push(text);
    }
    out
}
