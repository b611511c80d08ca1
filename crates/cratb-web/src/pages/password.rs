//! Choosing a password through a link: "Mot de passe oublié ?" on the sign-in page, and the
//! page a link leads to (a new account's first password, or a reset).

use super::{HtmlForm, Layout, PageResult, render, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::i18n::Lang;
use crate::input::Path;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cratb_domain::account::{LinkKind, ResetRefused, link_letter};
use cratb_domain::{Bilingual, User};
use serde::Deserialize;

/// Sends the link of `token` to the account's holder; returns its address (a path only when
/// no public address is configured), and whether it was sent or why not (no mail configured,
/// no public address to build the link from: `CRATB_PUBLIC_URL`).
pub async fn send_link(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    token: &str,
    kind: LinkKind,
    lang: Lang,
) -> (String, Result<(), String>) {
    let path = format!("/password/reset/{token}");
    let Some(base) = crate::public_base(state, headers) else {
        return (path, Err(lang.tr().mail_no_public_url_title.into()));
    };
    let url = format!("{base}{path}");
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
                let (_, sent) =
                    send_link(&state, &headers, &user, &token, LinkKind::Reset, Lang::Fr).await;
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

/// The page a link leads to: its form for a link that works (with `error` in place under the
/// new password), or why it no longer works (410) when it opens no account.
fn reset_page(auth: &Auth, token: &str, user: Option<&User>, error: Option<String>) -> PageResult {
    let lang = auth.lang;
    let (status, refused, error) = match (user, error) {
        (None, _) => (
            StatusCode::GONE,
            Some(ResetRefused::Link.in_lang(lang)),
            None,
        ),
        (Some(_), Some(e)) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)),
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
    let error = if f.confirm.as_deref() != Some(new.as_str()) {
        lang.tr().passwords_differ.to_owned()
    } else {
        match cratb_app::passwords::reset(&state.db, &auth.origin(), &token, &new)
            .await
            .map_err(PageError::app(lang))?
        {
            Ok(_) => return Ok(super::login::redirect("/login?reset=1")),
            Err(ResetRefused::Link) => return reset_page(&auth, &token, None, None),
            Err(refused) => refused.in_lang(lang),
        }
    };
    let user = cratb_app::passwords::link_account(&state.db, &token)
        .await
        .map_err(PageError::app(lang))?;
    reset_page(&auth, &token, user.as_ref(), Some(error))
}
