//! Who is asking, in which language, and is the request genuine: session cookie (pages) or
//! API token (`/api/v1`), CSRF check on every state-changing page request, and the access
//! check each route declares.

use crate::error::{ApiError, PageError};
use crate::i18n::Catalogue as _;
use crate::i18n::Lang;
use crate::routes::Access;
use crate::{AppState, BODY_LIMIT, Config};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cratb_domain::User;
use cratb_domain::{Permission, Scope};
use cratb_store::{sessions, tokens};
use std::net::{IpAddr, SocketAddr};

/// The cookies the server sets: the session, the double-submit CSRF token before login, the
/// interface language. Their names depend on the deployment: see [`Cookie::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cookie {
    Session,
    Csrf,
    Lang,
    /// The tokens of the accounts this browser signed in to, which spare it the account-wide
    /// login throttling (see `cratb_app::sessions::sign_in`).
    Device,
    /// A sign-in whose password was accepted, waiting for its second factor (minutes).
    MfaPending,
}

impl Cookie {
    /// The cookie's name under `config`, wherever it is read or set. Served over TLS, it
    /// carries the `__Host-` prefix: a browser keeps such a cookie only when it is set
    /// `Secure` by a secure origin, with `Path=/` and no `Domain` (as [`set_cookie`] writes
    /// them), so that neither a sibling subdomain nor a plain-HTTP page can plant or
    /// overwrite it (session fixation, a CSRF token of the attacker's choosing).
    pub fn name(self, config: &Config) -> &'static str {
        match (self, config.behind_tls) {
            (Cookie::Session, false) => "cratb_session",
            (Cookie::Session, true) => "__Host-cratb_session",
            (Cookie::Csrf, false) => "cratb_csrf",
            (Cookie::Csrf, true) => "__Host-cratb_csrf",
            (Cookie::Lang, false) => "cratb_lang",
            (Cookie::Lang, true) => "__Host-cratb_lang",
            (Cookie::Device, false) => "cratb_device",
            (Cookie::Device, true) => "__Host-cratb_device",
            (Cookie::MfaPending, false) => "cratb_mfa_pending",
            (Cookie::MfaPending, true) => "__Host-cratb_mfa_pending",
        }
    }
}

/// The language the request asks for: its language cookie, else `Accept-Language`, else French.
pub fn request_lang(headers: &HeaderMap, config: &Config) -> Lang {
    crate::i18n::negotiate(cookie(headers, Cookie::Lang.name(config)), headers)
}

/// The request's identity and context, put in the request extensions by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: Option<User>,
    /// Hash of the session id, for a cookie-authenticated request.
    pub session_hash: Option<String>,
    /// The CSRF token forms must carry (the session's, or the pre-session cookie's).
    pub csrf: String,
    /// Whether this is an API request (token auth, problem+json errors).
    pub api: bool,
    /// Whether the API token allows writes.
    pub can_write: bool,
    pub lang: Lang,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub path: String,
}

impl Auth {
    /// The logged-in user and their region scope, or the error a page should show.
    pub fn page_user(&self) -> Result<(&User, Scope), PageError> {
        let user = self.user.as_ref().ok_or_else(|| PageError::Login {
            next: self.path.clone(),
        })?;
        let scope = user.scope().ok_or(PageError::Forbidden(self.lang))?;
        Ok((user, scope))
    }
    /// Same, for the API.
    pub fn api_user(&self) -> Result<(&User, Scope), ApiError> {
        let user = self.user.as_ref().ok_or_else(ApiError::unauthorized)?;
        let scope = user.scope().ok_or_else(ApiError::forbidden)?;
        Ok((user, scope))
    }
    /// Whether the user holds a permission.
    pub fn can(&self, p: Permission) -> bool {
        self.user.as_ref().is_some_and(|u| u.role().can(p))
    }
    /// Who acts, for the use cases: the user, the scope their role gives, the door (page or
    /// API) and where from.
    /// Where the request came from, for a use case acting before anyone is signed in.
    pub fn origin(&self) -> cratb_app::sessions::Origin {
        cratb_app::sessions::Origin {
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
            devices: Vec::new(),
        }
    }
    pub fn actor(&self, user: &User, scope: Scope) -> cratb_app::Actor {
        cratb_app::Actor {
            id: Some(user.id),
            name: user.email.clone(),
            role: user.role(),
            scope,
            channel: if self.api {
                cratb_app::Channel::Api
            } else {
                cratb_app::Channel::Web
            },
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value of `which` under `config`, with the attributes every cookie of ours
/// carries (`Secure` over TLS, `Path=/`, never a `Domain`: what the `__Host-` prefix needs).
pub fn set_cookie(
    config: &Config,
    which: Cookie,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let name = which.name(config);
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if config.behind_tls {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Identifies the caller, negotiates the language and checks CSRF; see the module doc.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    // Health probes and static assets need no identity: keep them free of database work.
    if path.starts_with("/static/") || path == "/healthz" || path == "/readyz" {
        let lang = request_lang(req.headers(), &state.config);
        let mut req = req;
        req.extensions_mut().insert(lang);
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let headers = &parts.headers;
    let lang = request_lang(headers, &state.config);
    let api = path.starts_with("/api/v1");
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip =
        peer.map(|peer| client_address(peer, headers, &state.config.trusted_proxies).to_string());
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut auth = Auth {
        user: None,
        session_hash: None,
        csrf: String::new(),
        api,
        can_write: false,
        lang,
        ip,
        request_id,
        path: path_and_query(&parts),
    };
    let mut new_csrf_cookie = None;

    if api {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(secret) = bearer {
            match tokens::authenticate(&state.db, secret).await {
                Ok(Some((user, can_write))) => {
                    auth.user = Some(user);
                    auth.can_write = can_write;
                }
                Ok(None) => return ApiError::unauthorized().into_response(),
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
    } else {
        if let Some(token) = cookie(headers, Cookie::Session.name(&state.config)) {
            match sessions::lookup(&state.db, token).await {
                Ok(Some(s)) => {
                    auth.csrf = s.csrf_token;
                    auth.session_hash = Some(s.token_hash);
                    auth.user = Some(s.user);
                }
                Ok(None) => {}
                Err(e) => return PageError::store(lang)(e).into_response(),
            }
        }
        if auth.user.is_none() {
            match cookie(headers, Cookie::Csrf.name(&state.config))
                .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                Some(c) => auth.csrf = c.to_owned(),
                None => {
                    let c = cratb_store::random_token(32);
                    auth.csrf = c.clone();
                    new_csrf_cookie = Some(c);
                }
            }
        }
    }

    let mut body = body;
    if !api && is_unsafe(&parts.method) {
        let header_token = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let provided = match header_token {
            Some(t) => Some(t),
            None if is_form => {
                let bytes = match to_bytes(body, BODY_LIMIT).await {
                    Ok(b) => b,
                    Err(_) => {
                        return PageError::BadRequest(
                            lang,
                            "requête trop volumineuse ou interrompue".into(),
                        )
                        .into_response();
                    }
                };
                let token = form_urlencoded_get(&bytes, "csrf");
                body = Body::from(bytes);
                token
            }
            // A file upload (multipart) carries the token in the form's action URL.
            None if is_multipart(headers) => parts
                .uri
                .query()
                .and_then(|q| form_urlencoded_get(q.as_bytes(), "csrf")),
            None => None,
        };
        if !provided.is_some_and(|t| {
            !auth.csrf.is_empty() && new_csrf_cookie.is_none() && constant_time_eq(&t, &auth.csrf)
        }) {
            let msg = match lang {
                Lang::Fr => {
                    "Le jeton de sécurité du formulaire est absent ou périmé. Rechargez la page et recommencez."
                }
                Lang::En => {
                    "The form's security token is missing or stale. Reload the page and try again."
                }
            };
            return (
                StatusCode::FORBIDDEN,
                crate::pages::error_page(lang, lang.tr().forbidden_title, msg),
            )
                .into_response();
        }
    }

    parts.extensions.insert(auth);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if let Some(c) = new_csrf_cookie {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state.config, Cookie::Csrf, &c, None),
        );
    }
    if !api && !res.headers().contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: never store them in shared or browser caches.
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The client's address: the peer's, unless the peer is one of the `trusted` proxies; then
/// the rightmost address of `X-Forwarded-For` that is not a trusted proxy (each proxy appends
/// the address it received the request from, so what lies left of it is the client's say).
/// An entry that is not an address ends the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|net| net.contains(a));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in forwarded.into_iter().rev() {
        let Ok(addr) = hop.parse::<IpAddr>().map(|a| a.to_canonical()) else {
            break;
        };
        client = addr;
        if !is_trusted(&addr) {
            break;
        }
    }
    client
}

fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into())
}

fn form_urlencoded_get(bytes: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The pages an account whose password must be changed may reach (besides public ones).
const WHILE_MUST_CHANGE: [&str; 4] = [
    "/account",
    "/account/password",
    "/account/logout-everywhere",
    "/logout",
];

/// The access check a route declares (see [`crate::routes`]).
pub async fn check_access(State(access): State<Access>, req: Request, next: Next) -> Response {
    let Some(auth) = req.extensions().get::<Auth>() else {
        return next.run(req).await; // health and static routes are public
    };
    let needed = match access {
        Access::Public => return next.run(req).await,
        Access::User => None,
        Access::Perm(p) => Some(p),
    };
    let Some(user) = &auth.user else {
        return if auth.api {
            ApiError::unauthorized().into_response()
        } else {
            PageError::Login {
                next: auth.path.clone(),
            }
            .into_response()
        };
    };
    // A password set by someone else is changed before anything else (its own page only).
    if user.must_change_password && !auth.api && !WHILE_MUST_CHANGE.contains(&req.uri().path()) {
        return crate::pages::login::redirect("/account");
    }
    let allowed = needed.is_none_or(|p| user.role().can(p)) && user.scope().is_some();
    let write_ok = !auth.api || !is_unsafe(req.method()) || auth.can_write;
    if !allowed || !write_ok {
        return if auth.api {
            ApiError::forbidden().into_response()
        } else {
            PageError::Forbidden(auth.lang).into_response()
        };
    }
    next.run(req).await
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_client_address_is_read_from_trusted_proxies_only() {
        let proxies: Vec<ipnet::IpNet> =
            vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let h = forwarded(&["192.0.2.66, 198.51.100.8", "10.1.2.3"]);
        // From a trusted proxy: the rightmost address that is not one.
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("198.51.100.8")
        );
        // From anyone else, the header is the client's say: ignored.
        assert_eq!(
            client_address(ip("203.0.113.5"), &h, &proxies),
            ip("203.0.113.5")
        );
        assert_eq!(client_address(ip("10.0.0.1"), &h, &[]), ip("10.0.0.1"));
        // No header: the proxy itself; only proxies in it: the leftmost of them.
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        let h = forwarded(&["10.9.9.9, 10.1.2.3"]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.9.9.9"));
        // Something that is not an address ends the walk at the last trusted hop.
        let h = forwarded(&["198.51.100.8, unknown, 10.1.2.3"]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.1.2.3"));
        // An IPv4 peer seen as IPv6 is the IPv4 address.
        assert_eq!(
            client_address(ip("::ffff:192.0.2.1"), &HeaderMap::new(), &proxies),
            ip("192.0.2.1")
        );
        let h = forwarded(&["2001:db8::7"]);
        assert_eq!(client_address(ip("::1"), &h, &proxies), ip("2001:db8::7"));
    }
}
