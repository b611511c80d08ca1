//! Logging in and out, and the language switch.

use super::{HtmlForm, Layout, PageResult, render};
use crate::AppState;
use crate::auth::{Auth, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::i18n::Lang;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
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

/// Only local paths are accepted as a post-login destination (no open redirect).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
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
    let origin = auth.origin();
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
        SignIn::Opened { session, .. } => Ok(redirect_setting(
            &next,
            &state,
            SESSION_COOKIE,
            &session,
            None,
        )),
    }
}

/// Ends the current session.
pub async fn logout(State(state): State<AppState>, auth: Auth) -> Response {
    if let (Some(hash), Some(user)) = (&auth.session_hash, &auth.user) {
        let origin = auth.origin();
        if let Err(e) = cratb_app::sessions::sign_out(&state.db, &origin, user, hash).await {
            return PageError::app(auth.lang)(e).into_response();
        }
    }
    redirect_setting("/login?bye=1", &state, SESSION_COOKIE, "", None)
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
        LANG_COOKIE,
        lang.code(),
        Some(31_536_000),
    )
}

/// A 303 redirect that also sets a cookie (`value` empty: the cookie is removed).
pub fn redirect_setting(
    to: &str,
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> Response {
    let mut res = redirect(to);
    let max_age = if value.is_empty() { Some(0) } else { max_age };
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(name, value, state.config.behind_tls, max_age),
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
