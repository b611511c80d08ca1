//! Test harness: the real server on a random port, over a fresh SQLite file or a fresh
//! PostgreSQL database (when `CRATB_TEST_DATABASE_URL` is set), filled with demo data; and
//! callers of it ([`Client`], from `cratb-testkit`) logged in as the demo accounts.
#![allow(dead_code)]

pub mod audits;

use cratb_demo::DemoAccount;
use cratb_domain::Establishment;
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::{Db, PageRequest, sessions, tokens, users};
// Each test file takes what it needs of these.
#[allow(unused_imports)]
pub use cratb_testkit::{Client, extract, meta_csrf, scalar};

/// Demo accounts (`cratb_demo`), by what they do.
pub const COORD: &str = "coordination@demo.cratb.fr";
pub const COORD_BZH: &str = "coordination.bretagne@demo.cratb.fr";
pub const ADMIN: &str = "admin@demo.cratb.fr";
pub const PRESCRIBER: &str = "medecin@demo.cratb.fr";
pub const SECRETARY: &str = "secretariat@demo.cratb.fr";
pub const EMA: &str = "ema@demo.cratb.fr";
pub const ARS: &str = "ars@demo.cratb.fr";
pub const LAB: &str = "labo@demo.cratb.fr";

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

impl TestApp {
    /// Starts a server over a fresh demo database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// [`TestApp::spawn`], with its configuration adjusted by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut cratb_web::Config)) -> TestApp {
        let url = cratb_testkit::fresh_database("cratb_t").await;
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let report = cratb_demo::generate_with(&db, 7, 4_000)
            .await
            .expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mail_dir =
            std::env::temp_dir().join(format!("cratb-test-mail-{}", cratb_store::random_token(6)));
        let mut config = cratb_web::Config {
            mailer: cratb_web::mail::Mailer::folder(mail_dir.clone(), None).expect("mail folder"),
            demo: true,
            ..Default::default()
        };
        configure(&mut config);
        let state = cratb_web::AppState::new(db.clone(), config);
        tokio::spawn(cratb_web::serve(
            listener,
            state.clone(),
            std::future::pending(),
        ));
        TestApp {
            base,
            db,
            database_url: url,
            accounts: report.accounts,
            http: cratb_testkit::http(),
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

    /// An anonymous caller.
    pub fn anonymous(&self) -> Client {
        Client::new(self.http.clone(), &self.base)
    }

    /// The user's caller in pages: a session opened directly in the store (its cookie and
    /// CSRF token).
    pub async fn client(&self, email: &str) -> Client {
        let id = self.user_id(email).await;
        let mut tx = self.db.begin().await.unwrap();
        let (session, csrf) = sessions::create(&mut tx, id).await.unwrap();
        tx.commit().await.unwrap();
        self.anonymous().with_session(&session, &csrf)
    }

    /// The user's caller in the API: a new token, read-only or read-write.
    pub async fn api(&self, email: &str, write: bool) -> Client {
        self.anonymous().with_token(&self.token(email, write).await)
    }

    /// A new API token of the user.
    pub async fn token(&self, email: &str, write: bool) -> String {
        let id = self.user_id(email).await;
        let mut tx = self.db.begin().await.unwrap();
        let (_, secret) = tokens::create(&mut tx, id, "test", write, 365)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        secret
    }

    /// Logs in through the form like a browser: the cookie-keeping client and the form's
    /// answer.
    pub async fn login(&self, email: &str, password: &str) -> (reqwest::Client, reqwest::Response) {
        Client::submit_login(&self.base, email, password).await
    }

    /// The first establishment of department `code` (any region).
    pub async fn establishment_in(&self, code: &str) -> Establishment {
        establishments::list(
            &self.db,
            &cratb_domain::Scope::National,
            &EstablishmentQuery {
                department: Some(code.into()),
                ..Default::default()
            },
            PageRequest::new(None, Some(1)),
        )
        .await
        .unwrap()
        .items
        .remove(0)
    }
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

/// The form of a hospital consumption import (`POST /consumption/imports`): the two files under
/// the 2026 edition, partial figures accepted or not.
pub fn consumption_form(
    consumption: String,
    denominators: String,
    accept_partial: bool,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("ddd_edition", "WHOCC ATC/DDD Index 2026");
    if accept_partial {
        form = form.text("accept_partial", "on");
    }
    form.part(
        "consumption",
        reqwest::multipart::Part::bytes(consumption.into_bytes()).file_name("conso.csv"),
    )
    .part(
        "denominators",
        reqwest::multipart::Part::bytes(denominators.into_bytes()).file_name("jours.csv"),
    )
}
