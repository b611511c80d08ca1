//! Choosing a password through a link: "Mot de passe oublié ?" on the sign-in page, and the
//! page a link leads to (a new account's first password, or a reset).

use super::{HtmlForm, Layout, PageResult, render, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Path;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cratb_domain::account::{LinkKind, ResetRefused, link_letter};
use cratb_domain::{Bilingual, User};
use serde::Deserialize;

/// Sends the link of `token` to the account's holder; returns its address, or why it was not
/// sent (no mail configured, or no public address to build the link from).
pub async fn send_link(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    token: &str,
    kind: LinkKind,
) -> (String, Result<(), String>) {
    let url = format!(
        "{}/password/reset/{token}",
        crate::public_base(state, headers)
    );
    let (subject, body) = link_letter(kind, &user.display_name, &url);
    let sent = state.config.mailer.send(&user.email, &subject, body).await;
    (url, sent)
}

#[derive(Template)]
#[template(path = "password/forgot.html")]
struct ForgotPage {
    l: Layout,
    sent: bool,
}

pub async fn forgot_form(auth: Auth) -> PageResult {
    Ok(render(&ForgotPage {
        l: Layout::new(&auth, auth.lang.tr().forgot_title),
        sent: false,
    }))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: Option<String>,
}

/// Answers the same, at once, whether or not an account exists: the link is looked for and
/// sent in the background.
pub async fn forgot(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    HtmlForm(f): HtmlForm<ForgotForm>,
) -> PageResult {
    let email = f.email.unwrap_or_default();
    let origin = auth.origin();
    let task_state = state.clone();
    tokio::spawn(async move {
        let state = task_state;
        match cratb_app::passwords::forgot(&state.db, &origin, &email).await {
            Ok(Some((user, token))) => {
                let (_, sent) = send_link(&state, &headers, &user, &token, LinkKind::Reset).await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "lien de réinitialisation non envoyé");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = ?e, "demande de réinitialisation"),
        }
    });
    Ok(render(&ForgotPage {
        l: Layout::new(&auth, auth.lang.tr().forgot_title),
        sent: true,
    }))
}

#[derive(Template)]
#[template(path = "password/reset.html")]
struct ResetPage {
    l: Layout,
    token: String,
    email: Option<String>,
    refused: Option<String>,
    error: Option<String>,
}

fn reset_page(
    auth: &Auth,
    token: &str,
    user: Option<&User>,
    problem: Option<ResetRefused>,
) -> PageResult {
    let lang = auth.lang;
    let (status, refused, error) = match (&user, problem) {
        (None, _) | (_, Some(ResetRefused::Link)) => (
            StatusCode::GONE,
            Some(ResetRefused::Link.in_lang(lang)),
            None,
        ),
        (Some(_), Some(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(e.in_lang(lang)),
        ),
        (Some(_), None) => (StatusCode::OK, None, None),
    };
    Ok(render_status(
        &ResetPage {
            l: Layout::new(auth, lang.tr().reset_title),
            token: token.to_owned(),
            email: user.map(|u| u.email.clone()),
            refused,
            error,
        },
        status,
    ))
}

pub async fn reset_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> PageResult {
    let user = cratb_app::passwords::link_account(&state.db, &token)
        .await
        .map_err(PageError::app(auth.lang))?;
    reset_page(&auth, &token, user.as_ref(), None)
}

#[derive(Deserialize)]
pub struct ResetForm {
    new: Option<String>,
    confirm: Option<String>,
}

/// Sets the password; every session and API token of the account ends, and the person signs
/// in with the new password.
pub async fn reset(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
    HtmlForm(f): HtmlForm<ResetForm>,
) -> PageResult {
    let lang = auth.lang;
    let new = f.new.unwrap_or_default();
    if f.confirm.as_deref() != Some(new.as_str()) {
        let user = cratb_app::passwords::link_account(&state.db, &token)
            .await
            .map_err(PageError::app(lang))?;
        let mut page = reset_page(&auth, &token, user.as_ref(), None)?;
        if user.is_some() {
            page = render_status(
                &ResetPage {
                    l: Layout::new(&auth, lang.tr().reset_title),
                    token: token.clone(),
                    email: user.map(|u| u.email),
                    refused: None,
                    error: Some(lang.tr().passwords_differ.into()),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        return Ok(page);
    }
    match cratb_app::passwords::reset(&state.db, &auth.origin(), &token, &new)
        .await
        .map_err(PageError::app(lang))?
    {
        Ok(_) => Ok(super::login::redirect("/login?reset=1")),
        Err(refused) => {
            let user = cratb_app::passwords::link_account(&state.db, &token)
                .await
                .map_err(PageError::app(lang))?;
            reset_page(&auth, &token, user.as_ref(), Some(refused))
        }
    }
}
