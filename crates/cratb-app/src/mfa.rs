//! Multi-factor authentication (issue 14, OWASP ASVS 5.0 V6): enrolling a TOTP authenticator
//! and its recovery codes, disabling it or getting new codes (a current code asked each time),
//! the second step of sign-in, an administrator's reset of an account's factor, and the
//! region's "required for every account" setting. The rules are `cratb_domain::mfa`'s; each
//! change is written with its audit entry in one transaction.

use crate::sessions::Origin;
use crate::{Actor, AppError, Result};
use cratb_domain::mfa::{self as rules, CodeRefused, RecoveryCode};
use cratb_domain::{FieldError, Lang, Permission, Scope, User};
use cratb_store::{Db, audit, mfa, now, sessions, throttle, users};

/// Where an account stands with its second factor.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// A confirmed factor.
    pub enrolled: bool,
    /// An enrolment started, waiting for its first code.
    pub waiting: bool,
    /// The account must use a second factor (its role, its region; never in a demonstration).
    pub required: bool,
    /// Its region's coordinator requires a second factor of every account.
    pub region_requires_all: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
}

/// What an authenticator application needs: the secret as typed by hand and the `otpauth://`
/// address of the QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

fn unix_now() -> u64 {
    u64::try_from(now().unix_timestamp()).unwrap_or(0)
}

fn code_error(refused: CodeRefused) -> AppError {
    AppError::Invalid(vec![FieldError::of("code", &refused)])
}

/// Whether an account must use a second factor and has none yet: what sends every page but
/// enrolment to enrolment. `demo`: a demonstration installation, which requires it of no one.
pub async fn must_enrol(db: &Db, user: &User, demo: bool) -> Result<bool> {
    if demo {
        return Ok(false);
    }
    let (enrolled, region_requires_all) =
        mfa::gate(db, user.id, user.region_code.as_deref()).await?;
    Ok(!enrolled && rules::required(user.role(), region_requires_all, demo))
}

/// Where an account stands with its second factor.
pub async fn status(db: &Db, user: &User, demo: bool) -> Result<Status> {
    let key = mfa::sealing_key(db).await?;
    let factor = mfa::factor(db, &key, user.id).await?;
    let (_, region_requires_all) = mfa::gate(db, user.id, user.region_code.as_deref()).await?;
    let enrolled = factor.as_ref().is_some_and(|f| f.confirmed_at.is_some());
    Ok(Status {
        enrolled,
        waiting: factor.is_some() && !enrolled,
        required: rules::required(user.role(), region_requires_all, demo),
        region_requires_all,
        recovery_codes_left: if enrolled {
            mfa::recovery_codes_left(db, user.id).await?
        } else {
            0
        },
    })
}

fn enrolment(secret: &[u8], user: &User) -> Enrolment {
    Enrolment {
        secret: rules::secret_for_typing(secret),
        uri: rules::otpauth_uri(secret, &user.email),
    }
}

/// Starts the enrolment of the actor's own account: a new secret, waiting for its first code
/// (one that was waiting is replaced). An account already enrolled is a conflict.
pub async fn start_enrolment(db: &Db, actor: &Actor, user: &User) -> Result<Enrolment> {
    let key = mfa::sealing_key(db).await?;
    let secret = mfa::random_bytes::<{ rules::SECRET_BYTES }>();
    let mut tx = db.begin().await?;
    mfa::start(&mut tx, &key, user.id, &secret)
        .await
        .map_err(|e| match e {
            cratb_store::StoreError::Conflict(_) => AppError::Conflict(already_enrolled()),
            e => e.into(),
        })?;
    let entry = actor.entry(
        "mfa.enrol.start",
        "user",
        user.id,
        user.region_code.as_deref(),
        "double authentification : enrôlement commencé".into(),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(enrolment(&secret, user))
}

fn already_enrolled() -> FieldError {
    FieldError::new(
        "code",
        "la double authentification est déjà activée pour ce compte",
        "two-factor authentication is already on for this account",
    )
}

fn not_enrolled() -> FieldError {
    FieldError::new(
        "code",
        "la double authentification n'est pas activée pour ce compte",
        "two-factor authentication is not on for this account",
    )
}

/// The enrolment waiting for its first code, to show again (after a wrong code).
pub async fn waiting_enrolment(db: &Db, user: &User) -> Result<Option<Enrolment>> {
    let key = mfa::sealing_key(db).await?;
    Ok(mfa::factor(db, &key, user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none())
        .map(|f| enrolment(&f.secret, user)))
}

fn fresh_recovery_codes() -> Vec<RecoveryCode> {
    (0..rules::RECOVERY_CODES)
        .map(|_| RecoveryCode::from_random(mfa::random_bytes()))
        .collect()
}

/// Checks a TOTP code of the account's factor (confirmed or waiting) and spends its step
/// within `tx`. `Ok(Err(_))`: refused.
async fn spend_code(
    tx: &mut cratb_store::Tx,
    factor: &mfa::Factor,
    user_id: i64,
    typed: &str,
) -> Result<std::result::Result<(), CodeRefused>> {
    let last = factor.last_step.and_then(|s| u64::try_from(s).ok());
    let step = match rules::check_code(&factor.secret, typed, unix_now(), last) {
        Ok(step) => step,
        Err(refused) => return Ok(Err(refused)),
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if !mfa::use_step(tx, user_id, step).await? {
        return Ok(Err(CodeRefused::Reused));
    }
    Ok(Ok(()))
}

/// Confirms the enrolment of the actor's own account with a first code; returns the recovery
/// codes, to show once (only their hashes are kept). A wrong code is a field error (`code`).
pub async fn confirm_enrolment(
    db: &Db,
    actor: &Actor,
    user: &User,
    code: &str,
) -> Result<Vec<RecoveryCode>> {
    let key = mfa::sealing_key(db).await?;
    let factor = mfa::factor(db, &key, user.id).await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Err(AppError::Conflict(already_enrolled()));
    };
    with_new_recovery_codes(db, actor, user, &factor, code, "mfa.enrol", |n| {
        format!("double authentification activée ; {n} codes de secours remis")
    })
    .await
}

/// Spends a current `code` of `factor` and gives the account new recovery codes (the old ones
/// no longer work), audited as `action` with `summary` of their number, in one transaction;
/// returns them, to show once.
async fn with_new_recovery_codes(
    db: &Db,
    actor: &Actor,
    user: &User,
    factor: &mfa::Factor,
    code: &str,
    action: &str,
    summary: impl Fn(usize) -> String,
) -> Result<Vec<RecoveryCode>> {
    let codes = fresh_recovery_codes();
    let mut tx = db.begin().await?;
    spend_code(&mut tx, factor, user.id, code)
        .await?
        .map_err(code_error)?;
    let normalised: Vec<&str> = codes.iter().map(RecoveryCode::normalised).collect();
    mfa::replace_recovery_codes(&mut tx, user.id, &normalised).await?;
    let entry = actor.entry(
        action,
        "user",
        user.id,
        user.region_code.as_deref(),
        summary(codes.len()),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn confirmed_factor(db: &Db, user: &User) -> Result<mfa::Factor> {
    let key = mfa::sealing_key(db).await?;
    mfa::factor(db, &key, user.id)
        .await?
        .filter(|f| f.confirmed_at.is_some())
        .ok_or_else(|| AppError::Conflict(not_enrolled()))
}

/// Turns off the second factor of the actor's own account, a current code given; refused when
/// the account must use one (`demo`: a demonstration installation, where no one must).
pub async fn disable(db: &Db, actor: &Actor, user: &User, code: &str, demo: bool) -> Result<()> {
    let (_, region_requires_all) = mfa::gate(db, user.id, user.region_code.as_deref()).await?;
    if rules::required(user.role(), region_requires_all, demo) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "code",
            "la double authentification est obligatoire pour ce compte : elle ne peut pas être désactivée",
            "two-factor authentication is required for this account: it cannot be turned off",
        )]));
    }
    let factor = confirmed_factor(db, user).await?;
    let mut tx = db.begin().await?;
    spend_code(&mut tx, &factor, user.id, code)
        .await?
        .map_err(code_error)?;
    mfa::remove(&mut tx, user.id).await?;
    let entry = actor.entry(
        "mfa.disable",
        "user",
        user.id,
        user.region_code.as_deref(),
        "double authentification désactivée".into(),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the recovery codes of the actor's own account, a current code given; returns the
/// new ones, to show once.
pub async fn regenerate_recovery_codes(
    db: &Db,
    actor: &Actor,
    user: &User,
    code: &str,
) -> Result<Vec<RecoveryCode>> {
    let factor = confirmed_factor(db, user).await?;
    with_new_recovery_codes(
        db,
        actor,
        user,
        &factor,
        code,
        "mfa.recovery.regenerate",
        |n| format!("codes de secours renouvelés ({n} nouveaux, les anciens ne valent plus)"),
    )
    .await
}

/// Removes the second factor of another account (lost telephone): only an account whose role
/// the actor may grant, within their scope, never their own. The account's sessions end; it
/// enrols again at its next sign-in if it must. Returns the account.
pub async fn reset(db: &Db, actor: &Actor, id: i64) -> Result<User> {
    if actor.id == Some(id) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "id",
            "vous ne pouvez pas réinitialiser votre propre double authentification : désactivez-la ou renouvelez vos codes depuis votre compte",
            "you cannot reset your own two-factor authentication: turn it off or renew your codes from your account",
        )]));
    }
    let target = users::get(db, &actor.scope, id).await?;
    if !actor.role.can(Permission::ManageUsers) || !actor.role.may_grant(target.role()) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let had = mfa::remove(&mut tx, id).await?;
    let ended = sessions::delete_all_for_user(&mut tx, id).await?;
    let summary = format!(
        "double authentification réinitialisée pour {}{} ; {}",
        target.email,
        if had {
            ""
        } else {
            " (aucune n'était activée)"
        },
        Lang::Fr.count(ended as i64, "session fermée|sessions fermées")
    );
    let entry = actor.entry(
        "mfa.reset",
        "user",
        id,
        target.region_code.as_deref(),
        summary,
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(target)
}

/// Whether `region` requires a second factor of every account (within the scope).
pub async fn region_requires_all(db: &Db, scope: &Scope, region: &str) -> Result<bool> {
    let access = scope.access(region).ok_or(AppError::NotFound)?;
    Ok(mfa::region_requires_all(db, &access).await?)
}

/// Requires (or no longer requires) a second factor of every account of `region`: an actor who
/// manages accounts, within their scope.
pub async fn set_region_requirement(
    db: &Db,
    actor: &Actor,
    region: &str,
    required: bool,
) -> Result<()> {
    if !actor.role.can(Permission::ManageUsers) {
        return Err(AppError::Forbidden);
    }
    let access = actor.scope.access(region).ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    mfa::set_region_requires_all(&mut tx, &access, required, actor.id).await?;
    let summary = if required {
        "double authentification exigée pour tous les comptes de la région"
    } else {
        "double authentification exigée seulement pour les rôles qui l'imposent"
    };
    let entry = actor.event(
        "mfa.region_policy",
        "region",
        Some(access.as_str()),
        summary.into(),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

// ----- Sign-in -----

/// The throttling of sign-in's second step: the password's keys and counters (the client
/// address and the account), the attempt reserved before its code is checked. `None`: too many
/// failures, nothing reserved.
async fn reserve_attempt(
    db: &Db,
    email: &str,
    ip: Option<&str>,
) -> Result<Option<Vec<throttle::Reservation>>> {
    let at = cratb_store::now();
    let keys = [
        (throttle::address_key(ip), None),
        (throttle::account_key(email), Some(email)),
    ];
    let mut reserved = Vec::with_capacity(keys.len());
    for (key, account) in &keys {
        match throttle::reserve(db, key, *account, at).await? {
            Some(r) => reserved.push(r),
            None => {
                release(db, &reserved).await?;
                return Ok(None);
            }
        }
    }
    Ok(Some(reserved))
}

/// Gives back what an attempt reserved.
async fn release(db: &Db, reserved: &[throttle::Reservation]) -> Result<()> {
    let at = cratb_store::now();
    for r in reserved {
        throttle::release(db, r, at).await?;
    }
    Ok(())
}

/// Whether signing in to this account takes a code after the password (it has a factor).
pub(crate) async fn second_step_due(db: &Db, user: &User) -> Result<bool> {
    Ok(mfa::enrolled(db, user.id).await?)
}

/// Opens the pending state of a sign-in whose password was accepted (audited); returns its id,
/// for a cookie. No session is opened until the code is given.
pub(crate) async fn open_second_step(db: &Db, origin: &Origin, user: &User) -> Result<String> {
    let mut tx = db.begin().await?;
    let pending = mfa::open_pending(&mut tx, user.id).await?;
    let entry = origin.entry(
        Some(user),
        "login.password",
        format!("mot de passe accepté pour {} ; code demandé", user.email),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(pending)
}

/// What the second step of a sign-in came to.
#[derive(Debug)]
pub enum SecondStep {
    /// No pending sign-in under this id (expired, used, too many wrong codes): start again.
    Expired,
    /// Too many failures for this account or this address: not even checked.
    Throttled,
    /// A wrong, malformed or reused code, or an unknown or used recovery code.
    Refused(CodeRefused),
    /// A new session (its cookie value), the browser's device cookie to set (see
    /// [`crate::sessions::SignIn::Opened`]); `recovery_codes_left` when a recovery code was used.
    Opened {
        user: Box<User>,
        session: String,
        device: String,
        recovery_codes_left: Option<i64>,
    },
}

/// The second step of a sign-in: the pending id from the password step and a TOTP code or a
/// recovery code, under the password's throttling. On success the pending state ends and a
/// session opens (`previous`, the hash of the browser's old session, ends).
pub async fn second_step(
    db: &Db,
    origin: &Origin,
    pending: &str,
    typed: &str,
    previous: Option<&str>,
) -> Result<SecondStep> {
    let Some(user_id) = mfa::pending_user(db, pending).await? else {
        return Ok(SecondStep::Expired);
    };
    let user = users::get_unscoped(db, user_id).await?;
    if !user.active {
        return Ok(SecondStep::Expired);
    }
    let ip = origin.ip.as_deref();
    let Some(reserved) = reserve_attempt(db, &user.email, ip).await? else {
        let entry = origin.entry(
            None,
            "login.throttled",
            format!("code refusé (trop d'échecs) pour {}", user.email),
        );
        audit::append(db, &entry).await?;
        return Ok(SecondStep::Throttled);
    };
    let key = mfa::sealing_key(db).await?;
    let Some(factor) = mfa::factor(db, &key, user.id)
        .await?
        .filter(|f| f.confirmed_at.is_some())
    else {
        release(db, &reserved).await?;
        return Ok(SecondStep::Expired);
    };
    let mut tx = db.begin().await?;
    let recovery = rules::looks_like_recovery_code(typed);
    let outcome = if recovery {
        match RecoveryCode::parse(typed) {
            Some(code) if mfa::use_recovery_code(&mut tx, user.id, code.normalised()).await? => {
                Ok(())
            }
            _ => Err(CodeRefused::Wrong),
        }
    } else {
        spend_code(&mut tx, &factor, user.id, typed).await?
    };
    if let Err(refused) = outcome {
        drop(tx);
        let failed_at = cratb_store::now();
        for r in &reserved {
            throttle::fail(db, r, failed_at).await?;
        }
        mfa::pending_failed(db, pending).await?;
        let mut entry = origin.entry(
            None,
            "login.failure",
            if recovery {
                format!("code de secours refusé pour {}", user.email)
            } else {
                format!("code de double authentification refusé pour {}", user.email)
            },
        );
        entry.region_code = user.region_code.clone();
        audit::append(db, &entry).await?;
        return Ok(SecondStep::Refused(refused));
    }
    mfa::close_pending(&mut tx, pending).await?;
    if let Some(hash) = previous {
        sessions::delete(&mut tx, hash).await?;
    }
    let (session, _csrf) = sessions::create(&mut tx, user.id).await?;
    if recovery {
        let entry = origin.entry(
            Some(&user),
            "mfa.recovery.use",
            format!("code de secours utilisé par {}", user.email),
        );
        audit::append_in(&mut tx, &entry).await?;
    }
    let entry = origin.entry(
        Some(&user),
        "login.success",
        format!("connexion de {} (double authentification)", user.email),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    release(db, &reserved).await?;
    crate::sessions::clear_login_throttle(db, &user).await?;
    let trusted =
        throttle::trusted_device(db, &user.email, origin.devices.iter().map(String::as_str))
            .await?;
    let device =
        crate::sessions::device_cookie(db, origin, &user.email, trusted.as_deref()).await?;
    let recovery_codes_left = if recovery {
        Some(mfa::recovery_codes_left(db, user.id).await?)
    } else {
        None
    };
    Ok(SecondStep::Opened {
        user: Box::new(user),
        session,
        device,
        recovery_codes_left,
    })
}
