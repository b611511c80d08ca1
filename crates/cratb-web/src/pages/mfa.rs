//! Two-factor authentication: one's own (enrol with a QR code, recovery codes, disable, new
//! codes), the second step of the login, an administrator's reset of an account's factor, the
//! region's "required for every account" setting, and the gate that sends an account that
//! must enrol to enrolment before anything else.

use super::{HtmlForm, Layout, PageResult, render, render_status};
use crate::AppState;
use crate::auth::{Auth, Cookie, cookie, set_cookie};
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cratb_app::AppError;
use cratb_app::mfa::{Enrolment, SecondStep, Status};
use cratb_domain::Bilingual;
use serde::Deserialize;

/// The paths an account that must enrol may still reach (besides static files and health
/// probes, which carry no identity): enrolment itself, logging out, the language.
fn reachable_before_enrolment(path: &str) -> bool {
    path == "/account/mfa"
        || path.starts_with("/account/mfa/")
        || path == "/logout"
        || path.starts_with("/lang/")
        || path == "/login"
        || path.starts_with("/login/")
}

/// Sends every page of an account that must use a second factor and has none to enrolment
/// (`/account/mfa`), which says why. The API is left to its tokens.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = req.extensions().get::<Auth>() else {
        return next.run(req).await;
    };
    let Some(user) = auth.user.as_ref().filter(|_| !auth.api) else {
        return next.run(req).await;
    };
    // A password chosen by someone else is changed first (the access check sends there), then
    // the second factor: never one page sending to the other.
    if state.config.second_factor_optional()
        || user.must_change_password
        || reachable_before_enrolment(req.uri().path())
    {
        return next.run(req).await;
    }
    match cratb_app::mfa::must_enrol(&state.db, user, state.config.second_factor_optional()).await {
        Ok(false) => next.run(req).await,
        Ok(true) => super::login::redirect("/account/mfa"),
        Err(e) => PageError::app(auth.lang)(e).into_response(),
    }
}

/// The QR code of an `otpauth://` address, as inline SVG (no image library, no data URL).
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            // The XML declaration has no place inside an HTML page.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

#[derive(Template)]
#[template(path = "account_mfa.html")]
struct MfaPage {
    l: Layout,
    status: Status,
    demo: bool,
    /// Enrolment waiting for its first code: the QR code (inline SVG) and the key.
    qr: Option<String>,
    secret: Option<String>,
    /// Recovery codes to show once.
    codes: Vec<String>,
    message: Option<&'static str>,
    /// The form at fault (`confirm`, `disable`, `regenerate`) and why.
    error: Option<(&'static str, String)>,
}

impl MfaPage {
    /// The error shown above the page: starting enrolment, or turning off a factor the
    /// account must keep (whose form is not shown).
    fn top_error(&self) -> Option<&str> {
        self.error_of("start").or_else(|| {
            self.error_of("disable")
                .filter(|_| self.status.required || !self.status.enrolled)
        })
    }
    fn error_of(&self, form: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == form)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Default)]
struct Notes {
    enrolment: Option<Enrolment>,
    codes: Vec<String>,
    message: Option<&'static str>,
    error: Option<(&'static str, String)>,
}

async fn page(state: &AppState, auth: &Auth, notes: Notes, status: StatusCode) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let db = &state.db;
    let mfa = cratb_app::mfa::status(db, user, state.config.second_factor_optional())
        .await
        .map_err(PageError::app(lang))?;
    let enrolment = match notes.enrolment {
        Some(e) => Some(e),
        None if mfa.waiting => cratb_app::mfa::waiting_enrolment(db, user)
            .await
            .map_err(PageError::app(lang))?,
        None => None,
    };
    Ok(render_status(
        &MfaPage {
            l: Layout::new(auth, lang.tr().mfa_title),
            status: mfa,
            demo: state.config.demo,
            qr: enrolment.as_ref().map(|e| qr_svg(&e.uri)),
            secret: enrolment.map(|e| e.secret),
            codes: notes.codes,
            message: notes.message,
            error: notes.error,
        },
        status,
    ))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    /// Set after a login with a recovery code.
    recovery: Option<String>,
}

/// One's own second factor.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let notes = Notes {
        message: q.recovery.map(|_| auth.lang.tr().mfa_recovery_used),
        ..Default::default()
    };
    page(&state, &auth, notes, StatusCode::OK).await
}

/// Starts enrolment: a new secret, shown as a QR code and as text.
pub async fn start(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    match cratb_app::mfa::start_enrolment(&state.db, &actor, user).await {
        Ok(enrolment) => {
            let notes = Notes {
                enrolment: Some(enrolment),
                ..Default::default()
            };
            page(&state, &auth, notes, StatusCode::OK).await
        }
        Err(AppError::Conflict(f)) => {
            let notes = Notes {
                error: Some(("start", f.message(lang).to_owned())),
                ..Default::default()
            };
            page(&state, &auth, notes, StatusCode::CONFLICT).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: Option<String>,
}

/// What a use case's refusal of a code becomes on the page: the form's message, 422.
async fn refused(state: &AppState, auth: &Auth, form: &'static str, e: AppError) -> PageResult {
    let lang = auth.lang;
    let (message, status) = match e {
        AppError::Invalid(fields) => (
            fields
                .iter()
                .map(|f| f.message(lang))
                .collect::<Vec<_>>()
                .join(" ; "),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        AppError::Conflict(f) => (f.message(lang).to_owned(), StatusCode::CONFLICT),
        e => return Err(PageError::app(lang)(e)),
    };
    let notes = Notes {
        error: Some((form, message)),
        ..Default::default()
    };
    page(state, auth, notes, status).await
}

fn shown(codes: Vec<cratb_domain::mfa::RecoveryCode>) -> Vec<String> {
    codes.iter().map(|c| c.display()).collect()
}

/// Confirms enrolment with a first code; shows the recovery codes once.
pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<CodeForm>,
) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let code = f.code.unwrap_or_default();
    match cratb_app::mfa::confirm_enrolment(&state.db, &actor, user, &code).await {
        Ok(codes) => {
            let notes = Notes {
                codes: shown(codes),
                message: Some(auth.lang.tr().mfa_enrolled),
                ..Default::default()
            };
            page(&state, &auth, notes, StatusCode::OK).await
        }
        Err(e) => refused(&state, &auth, "confirm", e).await,
    }
}

/// Turns the second factor off (optional accounts only), a current code given.
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<CodeForm>,
) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let code = f.code.unwrap_or_default();
    match cratb_app::mfa::disable(
        &state.db,
        &actor,
        user,
        &code,
        state.config.second_factor_optional(),
    )
    .await
    {
        Ok(()) => {
            let notes = Notes {
                message: Some(auth.lang.tr().mfa_disabled),
                ..Default::default()
            };
            page(&state, &auth, notes, StatusCode::OK).await
        }
        Err(e) => refused(&state, &auth, "disable", e).await,
    }
}

/// New recovery codes (the old ones no longer work), a current code given; shown once.
pub async fn regenerate(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<CodeForm>,
) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let code = f.code.unwrap_or_default();
    match cratb_app::mfa::regenerate_recovery_codes(&state.db, &actor, user, &code).await {
        Ok(codes) => {
            let notes = Notes {
                codes: shown(codes),
                ..Default::default()
            };
            page(&state, &auth, notes, StatusCode::OK).await
        }
        Err(e) => refused(&state, &auth, "regenerate", e).await,
    }
}

// ----- The login's second step -----

#[derive(Template)]
#[template(path = "login_mfa.html")]
struct LoginMfaPage {
    l: Layout,
    next: String,
    error: Option<String>,
    /// No pending login (expired, used, too many wrong codes): back to the password.
    expired: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The code form of a login whose password was accepted.
pub async fn login_form(auth: Auth, Query(q): Query<NextQuery>) -> Response {
    let next = super::login::safe_next(q.next.as_deref());
    if auth.user.is_some() {
        return super::login::redirect(&next);
    }
    render(&LoginMfaPage {
        l: Layout::new(&auth, auth.lang.tr().login_mfa_title),
        next,
        error: None,
        expired: false,
    })
}

#[derive(Deserialize)]
pub struct LoginCodeForm {
    code: Option<String>,
    next: Option<String>,
}

/// Checks the code (or a recovery code) of a pending login, under the password's throttling;
/// opens the session.
pub async fn login_submit(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    HtmlForm(f): HtmlForm<LoginCodeForm>,
) -> PageResult {
    let lang = auth.lang;
    let tr = lang.tr();
    let next = super::login::safe_next(f.next.as_deref());
    let Some(pending) = cookie(&headers, Cookie::MfaPending.name(&state.config))
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
    else {
        return Ok(expired(&state, &auth, &next));
    };
    let step = cratb_app::mfa::second_step(
        &state.db,
        &super::login::with_devices(auth.origin(), &state, &headers),
        &pending,
        &f.code.unwrap_or_default(),
        auth.session_hash.as_deref(),
    )
    .await
    .map_err(PageError::app(lang))?;
    let again = |error: String, status: StatusCode| {
        render_status(
            &LoginMfaPage {
                l: Layout::new(&auth, tr.login_mfa_title),
                next: next.clone(),
                error: Some(error),
                expired: false,
            },
            status,
        )
    };
    Ok(match step {
        SecondStep::Expired => expired(&state, &auth, &next),
        SecondStep::Throttled => again(tr.login_throttled.into(), StatusCode::TOO_MANY_REQUESTS),
        SecondStep::Refused(why) => again(why.in_lang(lang), StatusCode::UNAUTHORIZED),
        SecondStep::Opened {
            session,
            device,
            recovery_codes_left,
            ..
        } => {
            let to = if recovery_codes_left.is_some() {
                "/account/mfa?recovery=1"
            } else {
                &next
            };
            let mut res = super::login::with_device(
                super::login::redirect_setting(to, &state, Cookie::Session, &session, None),
                &state,
                &device,
            );
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state.config, Cookie::MfaPending, "", Some(0)),
            );
            res
        }
    })
}

/// No pending login to complete: the page says so and leads back to the password (401), the
/// pending cookie removed.
fn expired(state: &AppState, auth: &Auth, next: &str) -> Response {
    let tr = auth.lang.tr();
    let mut res = render_status(
        &LoginMfaPage {
            l: Layout::new(auth, tr.login_mfa_title),
            next: next.to_owned(),
            error: Some(tr.login_mfa_expired.into()),
            expired: true,
        },
        StatusCode::UNAUTHORIZED,
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state.config, Cookie::MfaPending, "", Some(0)),
    );
    res
}

/// The redirect after a password accepted for an account with a second factor: to the code's
/// form, the pending login's id in a cookie that lasts as long as it does.
pub fn to_second_step(state: &AppState, pending: &str, next: &str) -> Response {
    let mut res = super::login::redirect(&format!(
        "/login/mfa?next={}",
        crate::error::urlencode(next)
    ));
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &state.config,
            Cookie::MfaPending,
            pending,
            Some(cratb_store::mfa::PENDING_FOR.whole_seconds()),
        ),
    );
    res
}

// ----- Administration -----

/// Resets an account's second factor (within the administrator's powers and scope).
pub async fn reset(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let lang = auth.lang;
    let (me, scope) = auth.page_user()?;
    cratb_app::mfa::reset(&state.db, &auth.actor(me, scope), id)
        .await
        .map_err(PageError::app(lang))?;
    Ok(super::login::redirect("/users"))
}

#[derive(Deserialize)]
pub struct RegionPolicyForm {
    region: Option<String>,
    required: Option<String>,
}

/// Requires (or not) a second factor of every account of a region.
pub async fn region_policy(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<RegionPolicyForm>,
) -> PageResult {
    let lang = auth.lang;
    let (me, scope) = auth.page_user()?;
    let required = match f.required.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            return Err(PageError::BadRequest(
                lang,
                lang.pick(
                    "champ « required » : attendu true ou false",
                    "field “required”: true or false expected",
                )
                .into(),
            ));
        }
    };
    let Some(region) = f.region.or_else(|| me.region_code.clone()) else {
        return Err(PageError::BadRequest(
            lang,
            lang.pick("choisissez une région", "choose a region").into(),
        ));
    };
    cratb_app::mfa::set_region_requirement(&state.db, &auth.actor(me, scope), &region, required)
        .await
        .map_err(PageError::app(lang))?;
    Ok(super::login::redirect("/users"))
}
