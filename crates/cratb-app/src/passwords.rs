//! Choosing a password through a link: the link an administrator issues
//! ([`crate::users::reset_link`]), the one an account opened without a password gets, and the
//! one asked for on the sign-in page ("Mot de passe oublié ?"). A link works 24 hours, once;
//! using it ends every session and revokes every API token of the account.

use crate::Result;
use crate::TOKENS_REVOKED;
use crate::sessions::Origin;
use cratb_domain::account::ResetRefused;
use cratb_domain::{Lang, User};
use cratb_store::{Db, audit, sessions, tokens, users};

/// A link asked for with an e-mail address: for an active account, the account and the
/// link's secret, for the caller to send by e-mail; `None` otherwise. The caller answers the
/// same whatever comes of it (no one learns whether an account exists). An account gets a new
/// link at most every [`ASK_AGAIN_AFTER`].
pub async fn forgot(db: &Db, origin: &Origin, typed_email: &str) -> Result<Option<(User, String)>> {
    let email = typed_email.replace('\0', "").trim().to_lowercase();
    let user = match users::find_by_email(db, &email).await {
        Ok(u) if u.active => u,
        Ok(_) | Err(cratb_store::StoreError::NotFound) => {
            audit::append(
                db,
                &origin.entry(
                    None,
                    "password.forgot",
                    format!("lien demandé pour {email} : aucun compte actif, rien n'est envoyé"),
                ),
            )
            .await?;
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    if users::reset_asked_within(db, user.id, ASK_AGAIN_AFTER).await? {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let token = users::create_reset(&mut tx, user.id).await?;
    let entry = origin.entry(
        Some(&user),
        "password.forgot",
        format!("lien de réinitialisation envoyé à {}", user.email),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Some((user, token)))
}

/// How long after a link was asked for another is not sent (against mail bombing).
pub const ASK_AGAIN_AFTER: time::Duration = time::Duration::minutes(5);

/// The account a link opens, if it still works (the page that asks for the new password).
pub async fn link_account(db: &Db, token: &str) -> Result<Option<User>> {
    Ok(users::reset_account(db, token).await?)
}

/// Sets the password chosen through a link: the link is used up, every session and API token
/// of the account ends, its sign-in counters are cleared. Returns the account.
pub async fn reset(
    db: &Db,
    origin: &Origin,
    token: &str,
    new: &str,
) -> Result<std::result::Result<User, ResetRefused>> {
    let Some(user) = users::reset_account(db, token).await? else {
        return Ok(Err(ResetRefused::Link));
    };
    if let Err(e) = cratb_domain::check_password_for(new, &user.email, &user.display_name) {
        return Ok(Err(ResetRefused::Policy(e)));
    }
    let mut tx = db.begin().await?;
    if users::take_reset(&mut tx, token).await? != Some(user.id) {
        return Ok(Err(ResetRefused::Link));
    }
    users::set_password(&mut tx, user.id, new).await?;
    let ended = sessions::delete_all_for_user(&mut tx, user.id).await?;
    let revoked = tokens::revoke_all(&mut tx, user.id).await?;
    let entry = origin.entry(
        Some(&user),
        "password.reset",
        format!(
            "mot de passe choisi par lien ; {}, {}",
            Lang::Fr.count(ended as i64, "session fermée|sessions fermées"),
            Lang::Fr.count(revoked as i64, TOKENS_REVOKED)
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    crate::sessions::clear_login_throttle(db, &user).await?;
    Ok(Ok(user))
}
