//! The user's own account: password, sessions, API tokens.

use super::{HtmlForm, Layout, PageResult, fmt_time, render_status};
use crate::AppState;
use crate::auth::{Auth, Cookie};
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
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    email: String,
    role_label: &'static str,
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
    let tokens = list
        .into_iter()
        .map(|t| TokenRow {
            created: fmt_time(&t.created_at, lang),
            last_used: t.last_used_at.as_ref().map(|d| fmt_time(d, lang)),
            t,
        })
        .collect();
    Ok(render_status(
        &AccountPage {
            l: Layout::new(auth, lang.tr().account_title),
            email: user.email.clone(),
            role_label: user.role().label(lang),
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
        Cookie::Session,
        &token,
        None,
    ))
}

/// Ends every session of the user, this one included.
pub async fn logout_everywhere(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (user, scope) = auth.page_user()?;
    cratb_app::sessions::sign_out_everywhere(&state.db, &auth.actor(user, scope), user)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect_setting(
        "/login?bye=1",
        &state,
        Cookie::Session,
        "",
        None,
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: Option<String>,
    write: Option<String>,
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
    match cratb_app::sessions::create_token(
        &state.db,
        &auth.actor(user, scope),
        user,
        &name,
        can_write,
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
        Err(cratb_app::AppError::Store(cratb_store::StoreError::Invalid(_))) => {
            page(
                &state,
                &auth,
                Notes {
                    token_error: Some(lang.tr().token_name_required.into()),
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
