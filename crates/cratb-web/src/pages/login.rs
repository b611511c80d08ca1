//! Logging in and out, and the language switch.

use super::{HtmlForm, Layout, PageResult, render};
use crate::AppState;
use crate::auth::{Auth, Cookie, cookie, set_cookie};
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::i18n::Lang;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_app::sessions::SignIn;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    email: String,
    error: Option<&'static str>,
    info: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    bye: Option<String>,
    /// Back from choosing a password through a link.
    reset: Option<String>,
}

/// Where to go after logging in or switching the language: a path of this site, else `/` (no
/// open redirect).
///
/// The value is checked as a browser would read it, at every stage of percent-decoding (a
/// proxy or a later redirect may decode it again): browsers drop tabs and line breaks from a
/// URL and read `\` as `/`, so `/\t/evil`, `/\evil` or `/%2F%2Fevil` are `//evil`, another
/// site. Accepted: a path starting with one `/`, with no control character and no `\` at any
/// stage. What is returned is the value as given, its non-ASCII characters and spaces
/// percent-encoded so that it fits in a `Location` header.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n
            .chars()
            .map(|c| match c {
                ' ' => "%20".to_owned(),
                c if c.is_ascii() => c.to_string(),
                c => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
            })
            .collect(),
        _ => "/".to_owned(),
    }
}

/// Whether `path`, and each of its percent-decodings, is a path of this site (see
/// [`safe_next`]).
fn is_local_path(path: &str) -> bool {
    let mut stage = path.to_owned();
    // A value encoded more times than this is refused rather than decoded further.
    for _ in 0..4 {
        let local = stage.starts_with('/')
            && !stage.starts_with("//")
            && !stage.contains(|c: char| c.is_control() || c == '\\');
        if !local {
            return false;
        }
        match percent_decoded(&stage) {
            Some(next) if next != stage => stage = next,
            Some(_) => return true,
            // Not UTF-8 once decoded: nothing a link of ours holds.
            None => return false,
        }
    }
    false
}

/// `text` with its `%XX` escapes decoded (a `%` without two hex digits stays as it is); none
/// when the bytes decoded are not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The login form.
pub async fn form(auth: Auth, Query(q): Query<NextQuery>) -> Response {
    if auth.user.is_some() {
        return redirect(&safe_next(q.next.as_deref()));
    }
    let tr = auth.lang.tr();
    render(&LoginPage {
        l: Layout::new(&auth, tr.login_title),
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
        info: match (q.bye, q.reset) {
            (_, Some(_)) => Some(tr.password_set),
            (Some(_), None) => Some(tr.logged_out),
            (None, None) => None,
        },
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// Checks the credentials with throttling, opens a fresh session (new id: rotation) and audits.
///
/// The form takes NUL bytes through (every other form refuses them): an e-mail holding one is
/// a failed login like any other — audited and counted against the account and the address —
/// recorded under the e-mail without it, since no database text holds a NUL byte.
pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    HtmlForm(f): HtmlForm<LoginForm, true>,
) -> PageResult {
    let tr = auth.lang.tr();
    let typed = f.email.unwrap_or_default();
    let email = typed.replace('\0', "").trim().to_lowercase();
    let next = safe_next(f.next.as_deref());
    let page = |error: &'static str, status: StatusCode| {
        super::render_status(
            &LoginPage {
                l: Layout::new(&auth, tr.login_title),
                next: next.clone(),
                email: email.clone(),
                error: Some(error),
                info: None,
            },
            status,
        )
    };
    let origin = with_devices(auth.origin(), &state, &headers);
    let signed = cratb_app::sessions::sign_in(
        &state.db,
        &origin,
        &typed,
        &f.password.unwrap_or_default(),
        auth.session_hash.as_deref(),
    )
    .await
    .map_err(PageError::app(auth.lang))?;
    match signed {
        SignIn::Throttled => Ok(page(tr.login_throttled, StatusCode::TOO_MANY_REQUESTS)),
        SignIn::Refused => Ok(page(tr.login_failed, StatusCode::UNAUTHORIZED)),
        SignIn::SecondFactor { pending, .. } => {
            Ok(super::mfa::to_second_step(&state, &pending, &next))
        }
        SignIn::Opened {
            session, device, ..
        } => Ok(with_device(
            redirect_setting(&next, &state, Cookie::Session, &session, None),
            &state,
            &device,
        )),
    }
}

/// `origin` with the device tokens the browser carries (its device cookie).
pub(crate) fn with_devices(
    mut origin: cratb_app::sessions::Origin,
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> cratb_app::sessions::Origin {
    origin.devices = cookie(headers, Cookie::Device.name(&state.config))
        .map(|v| {
            v.split('.')
                .take(cratb_app::sessions::DEVICE_TOKENS)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    origin
}

/// `res`, also setting the browser's device cookie for a year: it stays known to the accounts
/// it signed in to between sessions (see `cratb_app::sessions::sign_in`).
pub(crate) fn with_device(mut res: Response, state: &AppState, device: &str) -> Response {
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state.config, Cookie::Device, device, Some(31_536_000)),
    );
    res
}

/// Ends the current session.
pub async fn logout(State(state): State<AppState>, auth: Auth) -> Response {
    if let (Some(hash), Some(user)) = (&auth.session_hash, &auth.user) {
        let origin = auth.origin();
        if let Err(e) = cratb_app::sessions::sign_out(&state.db, &origin, user, hash).await {
            return PageError::app(auth.lang)(e).into_response();
        }
    }
    redirect_setting("/login?bye=1", &state, Cookie::Session, "", None)
}

/// Switches the interface language and goes back to the page.
pub async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Fr);
    redirect_setting(
        &safe_next(q.next.as_deref()),
        &state,
        Cookie::Lang,
        lang.code(),
        Some(31_536_000),
    )
}

/// A 303 redirect that also sets a cookie (`value` empty: the cookie is removed).
pub fn redirect_setting(
    to: &str,
    state: &AppState,
    cookie: Cookie,
    value: &str,
    max_age: Option<i64>,
) -> Response {
    let mut res = redirect(to);
    let max_age = if value.is_empty() { Some(0) } else { max_age };
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state.config, cookie, value, max_age),
    );
    res
}

/// A 303 redirect.
pub fn redirect(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        let hostile = [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\\/evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\r\n/evil.example",
            "/%0a/evil.example",
            "/%0D%0A/evil.example",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%5C%5Cevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/%2525252F%2525252Fevil.example",
            "https://evil.example",
            "http:evil.example",
            "//evil.example/%2e%2e",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            " //evil.example",
            "\t//evil.example",
            "evil.example",
            "/ok\u{0}",
            "/%00",
            "/%ff",
            "",
        ];
        for next in hostile {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
        assert_eq!(safe_next(None), "/");
        for local in [
            "/",
            "/directory",
            "/consumption?region=84&year=2024",
            "/resistance?organism=E.%20coli",
            "/login?next=%2Fdirectory",
            "/javascript:alert(1)",
            "/./evil.example",
            "/a/b//c",
        ] {
            assert_eq!(safe_next(Some(local)), local, "{local:?}");
        }
        assert_eq!(
            safe_next(Some("/directory?q=Hélène Durand")),
            "/directory?q=H%C3%A9l%C3%A8ne%20Durand"
        );
    }
}
