//! Helpers shared by cratb's test suites — the web crate's tests against the server in process
//! (`crates/cratb-web/tests/`) and the binary's end-to-end tests (`crates/cratb/tests/`): a
//! fresh database for each test, one number read from it, and [`Client`], an HTTP client that
//! calls as one user and keeps their session cookie and CSRF token, or their API token.
//!
//! A dev-dependency only, never built into cratb (`crates/cratb/tests/layering.rs` checks it).

use cratb_store::Db;
use reqwest::header::SET_COOKIE;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

/// The URL of a fresh, empty database for one test: a new PostgreSQL database named
/// `<prefix>_<random>` on the server of `CRATB_TEST_DATABASE_URL` when it is set, else a new
/// SQLite file in the temporary folder (`<prefix>-<random>.db`, with `-` for `_`).
pub async fn fresh_database(prefix: &str) -> String {
    let unique = cratb_store::random_token(6);
    match std::env::var("CRATB_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let name = format!("{prefix}_{unique}");
            let db = Db::connect(&base)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {base}: {e}"));
            let Db::Postgres(pool) = &db else {
                panic!("CRATB_TEST_DATABASE_URL must be a postgres:// URL")
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await
                .expect("create the test database");
            db.close().await;
            let (server, _) = base.rsplit_once('/').expect("URL with a database name");
            format!("{server}/{name}")
        }
        None => {
            let file = format!("{}-{unique}.db", prefix.replace('_', "-"));
            format!("sqlite://{}", std::env::temp_dir().join(file).display())
        }
    }
}

/// One number read from `db` (a count, a sum).
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// [`scalar`], over a connection of its own to the database at `url`.
pub async fn scalar_at(url: &str, sql: &str) -> i64 {
    let db = Db::connect(url).await.unwrap();
    let n = scalar(&db, sql).await;
    db.close().await;
    n
}

/// The text between `start` and the next `end`.
pub fn extract(text: &str, start: &str, end: &str) -> Option<String> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(text[i..j].to_owned())
}

/// The session's CSRF token, from any page of a logged-in user.
pub fn meta_csrf(page: &str) -> String {
    extract(page, "<meta name=\"csrf-token\" content=\"", "\"").expect("csrf meta")
}

/// An HTTP client that calls the server at its base URL as one caller: anonymous, a user's
/// session (its cookie, and its CSRF token for forms), or an API token (sent as
/// `Authorization: Bearer`). Paths are relative to the base URL; redirects are not followed;
/// the cookies are the ones it was given, whatever the server sets.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// The `Cookie` header of every request.
    cookie: Option<String>,
    csrf: Option<String>,
    token: Option<String>,
}

/// A client that follows no redirect and keeps no cookie.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl Client {
    /// An anonymous caller of the server at `base`, through `http` (see [`http`]).
    pub fn new(http: reqwest::Client, base: &str) -> Client {
        Client {
            http,
            base: base.to_owned(),
            cookie: None,
            csrf: None,
            token: None,
        }
    }

    /// The caller of the session whose cookie value is `session`, with its CSRF token.
    pub fn with_session(self, session: &str, csrf: &str) -> Client {
        Client {
            cookie: Some(format!("cratb_session={session}")),
            csrf: Some(csrf.to_owned()),
            ..self
        }
    }

    /// The caller of an API token.
    pub fn with_token(self, token: &str) -> Client {
        Client {
            token: Some(token.to_owned()),
            ..self
        }
    }

    /// A caller of the same server by the API token alone.
    pub fn bearer(&self, token: &str) -> Client {
        Client::new(self.http.clone(), &self.base).with_token(token)
    }

    /// Not logged in, with `csrf` as the double-submit cookie `cratb_csrf` and in its forms.
    pub fn with_csrf_cookie(self, csrf: &str) -> Client {
        Client {
            cookie: Some(format!("cratb_csrf={csrf}")),
            csrf: Some(csrf.to_owned()),
            ..self
        }
    }

    /// The same caller, asking for the interface in `lang` (the `cratb_lang` cookie).
    pub fn in_lang(&self, lang: &str) -> Client {
        let cookie = match &self.cookie {
            Some(c) => format!("{c}; cratb_lang={lang}"),
            None => format!("cratb_lang={lang}"),
        };
        Client {
            cookie: Some(cookie),
            ..self.clone()
        }
    }

    /// Fills in and sends the login form of the server at `base` like a browser: the
    /// cookie-keeping client it used and the form's answer, whatever it is.
    pub async fn submit_login(
        base: &str,
        email: &str,
        password: &str,
    ) -> (reqwest::Client, reqwest::Response) {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = browser
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = extract(&page, "name=\"csrf\" value=\"", "\"").expect("csrf in the login form");
        let res = browser
            .post(format!("{base}/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        (browser, res)
    }

    /// Logs in through the login form of the server at `base`, which must succeed: the
    /// session's caller, with the CSRF token its pages carry.
    pub async fn login(base: &str, email: &str, password: &str) -> Client {
        let (_, res) = Self::submit_login(base, email, password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {email}");
        let session = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("cratb_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let mut client = Client::new(http(), base).with_session(&session, "");
        client.csrf = Some(meta_csrf(&client.page("/account").await));
        client
    }

    /// The address of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The session's CSRF token (or the double-submit one before login).
    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().expect("a caller with a CSRF token")
    }

    /// The `Cookie` header it sends, if any.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// `method path`, with the caller's cookie and token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, self.url(path));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        req
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// A form posted with the CSRF token (field `csrf`) and `fields`.
    pub fn post_form<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: &[(K, V)],
    ) -> RequestBuilder {
        let mut form = vec![("csrf", self.csrf())];
        form.extend(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        self.post(path).form(&form)
    }

    /// A form of the CSRF token alone, as a button posts it.
    pub fn post_button(&self, path: &str) -> RequestBuilder {
        self.post(path).form(&[("csrf", self.csrf())])
    }

    /// A multipart form (a file upload), with the CSRF token in its address as the upload
    /// pages send it.
    pub fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> RequestBuilder {
        let sep = if path.contains('?') { '&' } else { '?' };
        let csrf: String = self
            .csrf()
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.post(&format!("{path}{sep}csrf={csrf}"))
            .multipart(form)
    }

    /// The body of `GET path` as text, whatever its status.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).send().await.unwrap().text().await.unwrap()
    }

    /// The JSON body of `GET path`, which must answer 200.
    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }

    /// A new API token of the logged-in user, made on the account page as a person would.
    pub async fn new_api_token(&self, name: &str, write: bool) -> String {
        let mut fields = vec![("name", name)];
        if write {
            fields.push(("write", "on"));
        }
        let page = self
            .post_form("/account/tokens", &fields)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        extract(&page, "id=\"new-token\">", "</code>").expect("the new API token")
    }
}
