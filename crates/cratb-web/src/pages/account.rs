//! The user's own account: password, sessions, API tokens.

use super::{HtmlForm, Layout, PageResult, fmt_time, render_status};
use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE};
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Path;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use cratb_domain::Bilingual;
use cratb_store::{sessions, tokens};
use serde::Deserialize;

pub struct TokenRow {
    pub t: tokens::ApiToken,
    pub created: String,
    pub last_used: Option<String>,
    pub expires: String,
    /// Not revoked and not expired.
    pub live: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    email: String,
    role_label: &'static str,
    /// The password was set by someone else and must be changed first.
    must_change: bool,
    default_days: u16,
    max_days: u16,
    sessions: i64,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    message: Option<String>,
    password_error: Option<String>,
    token_error: Option<String>,
}

#[derive(Default)]
struct Notes {
    new_token: Option<String>,
    message: Option<String>,
    password_error: Option<String>,
    token_error: Option<String>,
}

async fn page(state: &AppState, auth: &Auth, notes: Notes, status: StatusCode) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let db = &state.db;
    let n = sessions::count_for_user(db, user.id)
        .await
        .map_err(PageError::store(lang))?;
    let list = tokens::list(db, user.id)
        .await
        .map_err(PageError::store(lang))?;
    let now = cratb_store::now();
    let tokens = list
        .into_iter()
        .map(|t| TokenRow {
            created: fmt_time(&t.created_at, lang),
            last_used: t.last_used_at.as_ref().map(|d| fmt_time(d, lang)),
            expires: fmt_time(&t.expires_at, lang),
            live: t.live(now),
            t,
        })
        .collect();
    Ok(render_status(
        &AccountPage {
            l: Layout::new(auth, lang.tr().account_title),
            email: user.email.clone(),
            role_label: user.role().label(lang),
            must_change: user.must_change_password,
            default_days: tokens::DEFAULT_DAYS,
            max_days: tokens::MAX_DAYS,
            sessions: n,
            tokens,
            new_token: notes.new_token,
            message: notes.message,
            password_error: notes.password_error,
            token_error: notes.token_error,
        },
        status,
    ))
}

pub async fn show(State(state): State<AppState>, auth: Auth) -> PageResult {
    page(&state, &auth, Notes::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: Option<String>,
    new: Option<String>,
    /// Revoke the account's API tokens too.
    revoke_tokens: Option<String>,
}

/// Changes the password, then ends every other session and issues a new one for this browser.
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<PasswordForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let changed = cratb_app::sessions::change_password(
        &state.db,
        &actor,
        user,
        &f.current.unwrap_or_default(),
        &f.new.unwrap_or_default(),
        f.revoke_tokens.is_some(),
    )
    .await
    .map_err(PageError::app(lang))?;
    let token = match changed {
        Ok(token) => token,
        Err(refused) => {
            let notes = Notes {
                password_error: Some(refused.in_lang(lang)),
                ..Default::default()
            };
            return page(&state, &auth, notes, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    Ok(super::login::redirect_setting(
        "/account",
        &state,
        SESSION_COOKIE,
        &token,
        None,
    ))
}

#[derive(Deserialize)]
pub struct EverywhereForm {
    /// Revoke the account's API tokens too.
    revoke_tokens: Option<String>,
}

/// Ends every session of the user, this one included (and their API tokens if asked).
pub async fn logout_everywhere(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<EverywhereForm>,
) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let revoke = f.revoke_tokens.is_some();
    cratb_app::sessions::sign_out_everywhere(&state.db, &auth.actor(user, scope), user, revoke)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect_setting(
        "/login?bye=1",
        &state,
        SESSION_COOKIE,
        "",
        None,
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: Option<String>,
    write: Option<String>,
    /// Days the token lives (default [`tokens::DEFAULT_DAYS`]).
    days: Option<String>,
}

/// Creates a token and shows its secret once.
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<TokenForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let can_write = f.write.is_some();
    let name = f.name.unwrap_or_default();
    let days = match super::non_empty(&f.days) {
        None => tokens::DEFAULT_DAYS,
        Some(d) => d.parse().unwrap_or(0),
    };
    match cratb_app::sessions::create_token(
        &state.db,
        &auth.actor(user, scope),
        user,
        &name,
        can_write,
        days,
    )
    .await
    {
        Ok((_, secret)) => {
            page(
                &state,
                &auth,
                Notes {
                    new_token: Some(secret),
                    ..Default::default()
                },
                StatusCode::CREATED,
            )
            .await
        }
        Err(cratb_app::AppError::Store(cratb_store::StoreError::Invalid(field))) => {
            let message = match field {
                "expires_in_days" => format!("{} {}", lang.tr().token_days_range, tokens::MAX_DAYS),
                _ => lang.tr().token_name_required.into(),
            };
            page(
                &state,
                &auth,
                Notes {
                    token_error: Some(message),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    cratb_app::sessions::revoke_token(&state.db, &auth.actor(user, scope), user, id)
        .await
        .map_err(PageError::app(lang))?;
    page(
        &state,
        &auth,
        Notes {
            message: Some(lang.tr().revoked.into()),
            ..Default::default()
        },
        StatusCode::OK,
    )
    .await
}
