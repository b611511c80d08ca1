//! Signing in and out, and what an account holder does with their own access: password, API
//! tokens, sessions. Every attempt, success or refusal is in the audit log; a change of
//! access is written with its entry in one transaction.

use crate::{Actor, Result};
use cratb_domain::account::PasswordChangeError;
use cratb_domain::{Lang, User};
use cratb_store::users;
use cratb_store::{Db, audit, sessions, throttle, tokens};

/// Where a request came from, before anyone is signed in.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// The device tokens the browser carries (its device cookie, see [`SignIn::Opened`]).
    pub devices: Vec<String>,
}

impl Origin {
    pub(crate) fn entry(
        &self,
        user: Option<&User>,
        action: &str,
        summary: String,
    ) -> audit::NewEntry {
        audit::NewEntry {
            actor_id: user.map(|u| u.id),
            actor: user.map_or_else(|| "anonyme".to_owned(), |u| u.email.clone()),
            action: action.into(),
            entity: "session".into(),
            entity_id: user.map(|u| u.id.to_string()),
            region_code: user.and_then(|u| u.region_code.clone()),
            summary,
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    /// Too many failures for this account or this address: not even checked.
    Throttled,
    /// Unknown account, wrong password, or a disabled account.
    Refused,
    /// A new session (its cookie value, the only copy of the secret), and the browser's
    /// device cookie to set: its token for this account first, then those it carried for
    /// other accounts.
    Opened {
        user: Box<User>,
        session: String,
        device: String,
    },
    /// The password was right and the account has a second factor: no session yet, but a
    /// pending sign-in (its id, for a cookie) that [`crate::mfa::second_step`] completes.
    SecondFactor { user: Box<User>, pending: String },
}

/// How many accounts' device tokens one browser keeps (a shared ward computer).
pub const DEVICE_TOKENS: usize = 5;

/// Checks credentials under throttling, then opens a new session (a new id at every sign-in;
/// `previous`, the hash of the browser's old session, is ended).
///
/// Throttling (OWASP ASVS 5.0 V6.3.1; see `cratb_store::throttle`): each attempt is counted
/// before its password is checked, so parallel attempts cannot outrun the count. A browser
/// carrying a device token of the account (it signed in to it before) is counted on its own
/// key only, so that failures elsewhere never lock the owner out; any other attempt is counted
/// on its client address and on the account. A success gives its counts back. Failures are
/// audited through `audit::append_repeated`: a flood writes few entries, every attempt counted.
///
/// An e-mail typed with a NUL byte is a failed attempt like any other, audited and counted,
/// recorded under the e-mail without it (no database text holds a NUL byte).
pub async fn sign_in(
    db: &Db,
    origin: &Origin,
    typed_email: &str,
    password: &str,
    previous: Option<&str>,
) -> Result<SignIn> {
    let nul = typed_email.contains('\0');
    let email = typed_email.replace('\0', "").trim().to_lowercase();
    let at = cratb_store::now();
    let device =
        throttle::trusted_device(db, &email, origin.devices.iter().map(String::as_str)).await?;
    let keys = match &device {
        Some(nonce) => vec![(throttle::device_key(nonce), Some(email.as_str()))],
        None => vec![
            (throttle::address_key(origin.ip.as_deref()), None),
            (throttle::account_key(&email), Some(email.as_str())),
        ],
    };
    let mut reserved = Vec::with_capacity(keys.len());
    for (key, account) in &keys {
        match throttle::reserve(db, key, *account, at).await? {
            Some(r) => reserved.push(r),
            None => {
                for r in &reserved {
                    throttle::release(db, r, at).await?;
                }
                let entry = origin.entry(
                    None,
                    "login.throttled",
                    format!("connexion refusée (trop d'échecs) pour {email}"),
                );
                audit::append_repeated(
                    db,
                    &entry,
                    (
                        "connexion refusée (trop d'échecs)",
                        "connexions refusées (trop d'échecs)",
                    ),
                )
                .await?;
                return Ok(SignIn::Throttled);
            }
        }
    }
    let user = if nul {
        None
    } else {
        users::authenticate(db, &email, password).await?
    };
    let Some(user) = user else {
        let failed_at = cratb_store::now();
        for r in &reserved {
            throttle::fail(db, r, failed_at).await?;
        }
        let region = users::find_by_email(db, &email)
            .await
            .ok()
            .and_then(|u| u.region_code);
        let mut entry = origin.entry(
            None,
            "login.failure",
            if nul {
                format!("échec de connexion pour {email} (adresse saisie avec un caractère nul)")
            } else {
                format!("échec de connexion pour {email}")
            },
        );
        entry.region_code = region;
        audit::append_repeated(db, &entry, ("échec de connexion", "échecs de connexion")).await?;
        return Ok(SignIn::Refused);
    };
    let at = cratb_store::now();
    for r in &reserved {
        if device.is_some() {
            // The trusted browser proved itself: its own count starts again.
            throttle::clear(db, std::slice::from_ref(&r.key)).await?;
        } else {
            throttle::release(db, r, at).await?;
        }
    }
    // The failures counted from this address come before what follows in the log.
    if let Some(ip) = origin.ip.as_deref() {
        audit::flush_bursts(db, audit::Flush::Source(ip)).await?;
    }
    // A second factor: no session and no device cookie until the code is given. The password
    // gave back only its own count: failures of the code stay counted.
    if crate::mfa::second_step_due(db, &user).await? {
        let pending = crate::mfa::open_second_step(db, origin, &user).await?;
        return Ok(SignIn::SecondFactor {
            user: Box::new(user),
            pending,
        });
    }
    let device = device_cookie(db, origin, &email, device.as_deref()).await?;
    let mut tx = db.begin().await?;
    if let Some(hash) = previous {
        sessions::delete(&mut tx, hash).await?;
    }
    let (session, _csrf) = sessions::create(&mut tx, user.id).await?;
    let entry = origin.entry(
        Some(&user),
        "login.success",
        format!("connexion de {}", user.email),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(SignIn::Opened {
        user: Box::new(user),
        session,
        device,
    })
}

/// The device cookie to set after a sign-in to `email` completed: the account's token first
/// (the one the browser showed, `trusted` being its nonce, or a new one), then those it carried
/// for other accounts, [`DEVICE_TOKENS`] at most.
pub(crate) async fn device_cookie(
    db: &Db,
    origin: &Origin,
    email: &str,
    trusted: Option<&str>,
) -> Result<String> {
    let token = match trusted {
        Some(nonce) => origin
            .devices
            .iter()
            .find(|t| t.starts_with(nonce))
            .cloned()
            .unwrap_or_default(),
        None => throttle::device_token(db, email).await?,
    };
    let others = origin
        .devices
        .iter()
        .filter(|t| **t != token && is_device_token(t))
        .take(DEVICE_TOKENS - 1);
    Ok(std::iter::once(&token)
        .chain(others)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("."))
}

/// Whether `t` has the shape of a device token (`nonce-signature`, hex): only those are
/// carried over into the cookie set at sign-in.
fn is_device_token(t: &str) -> bool {
    t.len() == 32 + 1 + 64
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 32 {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// Clears every login counter of `user`'s account (the account-wide one and its trusted
/// browsers'), so that its owner is neither slowed nor refused by earlier failures: called
/// once a password-reset link has been used, and after a successful second factor. The
/// client addresses' counters are left alone (an address may be an attacker's). Returns how
/// many counters were removed.
pub async fn clear_login_throttle(db: &Db, user: &User) -> Result<u64> {
    Ok(throttle::clear_account(db, &user.email).await?)
}

/// Ends a user's current session (`session`: its hash).
pub async fn sign_out(db: &Db, origin: &Origin, user: &User, session: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    sessions::delete(&mut tx, session).await?;
    audit::append_in(
        &mut tx,
        &origin.entry(Some(user), "logout", "déconnexion".into()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the actor's account, the current one included, and with
/// `revoke_tokens` its API tokens too; returns how many sessions.
pub async fn sign_out_everywhere(
    db: &Db,
    actor: &Actor,
    user: &User,
    revoke_tokens: bool,
) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = sessions::delete_all_for_user(&mut tx, user.id).await?;
    let revoked = match revoke_tokens {
        true => format!(
            " ; {}",
            Lang::Fr.count(
                tokens::revoke_all(&mut tx, user.id).await? as i64,
                crate::TOKENS_REVOKED
            )
        ),
        false => String::new(),
    };
    let entry = actor.entry(
        "logout.everywhere",
        "session",
        user.id,
        user.region_code.as_deref(),
        format!("déconnexion de toutes les sessions ({n}){revoked}"),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(n)
}

/// Changes the actor's password (the policy, then the current password, are checked), ends
/// every session of the account (and with `revoke_tokens` its API tokens) and opens a new one
/// for this browser, whose cookie value is returned.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    user: &User,
    current: &str,
    new: &str,
    revoke_tokens: bool,
) -> Result<std::result::Result<String, PasswordChangeError>> {
    if let Err(refused) = users::check_password_change(db, user.id, current, new).await? {
        return Ok(Err(refused));
    }
    let mut tx = db.begin().await?;
    users::set_password(&mut tx, user.id, new).await?;
    sessions::delete_all_for_user(&mut tx, user.id).await?;
    let revoked = match revoke_tokens {
        true => format!(
            " ; {}",
            Lang::Fr.count(
                tokens::revoke_all(&mut tx, user.id).await? as i64,
                crate::TOKENS_REVOKED
            )
        ),
        false => String::new(),
    };
    let (session, _csrf) = sessions::create(&mut tx, user.id).await?;
    let entry = actor.entry(
        "user.password",
        "user",
        user.id,
        user.region_code.as_deref(),
        format!("mot de passe changé ; sessions fermées{revoked}"),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Ok(session))
}

/// Creates an API token of `user`'s account living `days` days; returns its id and its secret
/// (shown once). A missing or too long name is `Store(Invalid("name"))`, a life out of 1 to
/// [`tokens::MAX_DAYS`] days `Store(Invalid("expires_in_days"))`.
pub async fn create_token(
    db: &Db,
    actor: &Actor,
    user: &User,
    name: &str,
    can_write: bool,
    days: u16,
) -> Result<(i64, String)> {
    let mut tx = db.begin().await?;
    let (id, secret) = tokens::create(&mut tx, user.id, name, can_write, days).await?;
    let entry = actor.entry(
        "token.create",
        "api_token",
        id,
        user.region_code.as_deref(),
        format!(
            "jeton d'API créé : {} ({}, {days} jours)",
            name.trim(),
            if can_write {
                "lecture et écriture"
            } else {
                "lecture seule"
            }
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Revokes one of the actor's API tokens.
pub async fn revoke_token(db: &Db, actor: &Actor, user: &User, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    tokens::revoke(&mut tx, user.id, id).await?;
    let entry = actor.entry(
        "token.revoke",
        "api_token",
        id,
        user.region_code.as_deref(),
        "jeton d'API révoqué".into(),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
