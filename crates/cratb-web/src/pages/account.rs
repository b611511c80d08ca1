//! The user's own account: password, sessions, API tokens.

use super::{HtmlForm, Layout, fmt_time, render};
use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE, set_cookie};
use crate::error::PageError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_store::{audit, sessions, tokens, users};
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

async fn page(state: &AppState, auth: &Auth, notes: Notes, status: StatusCode) -> Response {
    let lang = auth.lang;
    let (user, _) = match auth.page_user() {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let db = &state.db;
    let (n, list) = match (
        sessions::count_for_user(db, user.id).await,
        tokens::list(db, user.id).await,
    ) {
        (Ok(n), Ok(l)) => (n, l),
        (Err(e), _) | (_, Err(e)) => return PageError::store(lang)(e).into_response(),
    };
    let tokens = list
        .into_iter()
        .map(|t| TokenRow {
            created: fmt_time(&t.created_at, lang.code()),
            last_used: t.last_used_at.as_ref().map(|d| fmt_time(d, lang.code())),
            t,
        })
        .collect();
    let mut r = render(&AccountPage {
        l: Layout::new(auth, lang.tr().account_title),
        email: user.email.clone(),
        role_label: user.role().label(lang.code()),
        sessions: n,
        tokens,
        new_token: notes.new_token,
        message: notes.message,
        password_error: notes.password_error,
        token_error: notes.token_error,
    });
    *r.status_mut() = status;
    r
}

pub async fn show(State(state): State<AppState>, auth: Auth) -> Response {
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
) -> Response {
    let lang = auth.lang;
    let tr = lang.tr();
    let Some(user) = auth.user.clone() else {
        return PageError::Login {
            next: "/account".into(),
        }
        .into_response();
    };
    let new = f.new.unwrap_or_default();
    if let Err(e) = cratb_domain::check_password_policy(&new, &user.email) {
        return page(
            &state,
            &auth,
            Notes {
                password_error: Some(e.to_string()),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match users::change_password(&state.db, user.id, &f.current.unwrap_or_default(), &new).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            return page(
                &state,
                &auth,
                Notes {
                    password_error: Some(tr.wrong_current_password.into()),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return PageError::store(lang)(e).into_response(),
    }
    let db = &state.db;
    let _ = sessions::delete_all_for_user(db, user.id).await;
    let _ = audit::append(
        db,
        &auth.audit_entry(
            "user.password",
            "user",
            Some(user.id.to_string()),
            user.region_code.clone(),
            "mot de passe changé ; sessions fermées".into(),
        ),
    )
    .await;
    let token = match sessions::create(db, user.id).await {
        Ok((t, _)) => t,
        Err(e) => return PageError::store(lang)(e).into_response(),
    };
    let mut res = super::login::redirect("/account");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, state.config.behind_tls, None),
    );
    res
}

/// Ends every session of the user, this one included.
pub async fn logout_everywhere(State(state): State<AppState>, auth: Auth) -> Response {
    let Some(user) = &auth.user else {
        return PageError::Login {
            next: "/account".into(),
        }
        .into_response();
    };
    let n = sessions::delete_all_for_user(&state.db, user.id)
        .await
        .unwrap_or(0);
    let _ = audit::append(
        &state.db,
        &auth.audit_entry(
            "logout.everywhere",
            "session",
            Some(user.id.to_string()),
            user.region_code.clone(),
            format!("déconnexion de toutes les sessions ({n})"),
        ),
    )
    .await;
    let mut res = super::login::redirect("/login?bye=1");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.behind_tls, Some(0)),
    );
    res
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
) -> Response {
    let lang = auth.lang;
    let Some(user) = auth.user.clone() else {
        return PageError::Login {
            next: "/account".into(),
        }
        .into_response();
    };
    let can_write = f.write.is_some();
    match tokens::create(
        &state.db,
        user.id,
        f.name.as_deref().unwrap_or(""),
        can_write,
    )
    .await
    {
        Ok((id, secret)) => {
            let summary = format!(
                "jeton d'API créé : {} ({})",
                f.name.unwrap_or_default().trim(),
                if can_write {
                    "lecture et écriture"
                } else {
                    "lecture seule"
                }
            );
            if let Err(e) = audit::append(
                &state.db,
                &auth.audit_entry(
                    "token.create",
                    "api_token",
                    Some(id.to_string()),
                    user.region_code.clone(),
                    summary,
                ),
            )
            .await
            {
                return PageError::store(lang)(e).into_response();
            }
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
        Err(cratb_store::StoreError::Invalid(_)) => {
            page(
                &state,
                &auth,
                Notes {
                    token_error: Some("donnez un nom au jeton (100 caractères au plus)".into()),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => PageError::store(lang)(e).into_response(),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Response {
    let lang = auth.lang;
    let Some(user) = auth.user.clone() else {
        return PageError::Login {
            next: "/account".into(),
        }
        .into_response();
    };
    if let Err(e) = tokens::revoke(&state.db, user.id, id).await {
        return PageError::store(lang)(e).into_response();
    }
    let _ = audit::append(
        &state.db,
        &auth.audit_entry(
            "token.revoke",
            "api_token",
            Some(id.to_string()),
            user.region_code.clone(),
            "jeton d'API révoqué".into(),
        ),
    )
    .await;
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
