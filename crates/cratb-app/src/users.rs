//! Accounts: created and changed by a region's coordinator in their region (a national
//! administrator for any region and the national roles), on the page, through the API or on the
//! command line; each tied to its establishments and, for an EMA member, its teams.

use crate::{Actor, AppError, Result};
use cratb_domain::account::{Account, cannot_disable_oneself, email_taken};
use cratb_domain::{FieldError, NewUser, RegionCode, User, UserChange, UserInput};
use cratb_store::users::{self, NewUserError};
use cratb_store::{Db, StoreError, audit};

/// What opening an account gave: the account, and the secret of the link by which its holder
/// chooses a password when none was typed (valid 24 hours, once).
#[derive(Debug)]
pub struct Opened {
    pub user: User,
    pub link: Option<String>,
}

/// Opens an account as typed in a form or a JSON body: the actor may grant the role only
/// within their powers, a region only within their scope, establishments and teams only of
/// that region. A password typed by the actor must be changed at the first sign-in (except on
/// the command line, where the installation's operator sets up accounts, the first ones
/// included, with the passwords their holders give); without one, a link lets the holder
/// choose theirs.
pub async fn open(db: &Db, actor: &Actor, input: &UserInput) -> Result<Opened> {
    let (account, password) =
        Account::new(actor.role, &actor.scope, input).map_err(AppError::Invalid)?;
    let establishments = resolve(db, &account).await?;
    let new = NewUser {
        email: account.email,
        display_name: account.display_name,
        role: account.role,
        region: account.region,
        establishments,
        teams: account.teams,
        must_change_password: password.is_some() && actor.channel != crate::Channel::Cli,
        password,
    };
    let (id, link) = create_with_link(db, actor, &new).await?;
    Ok(Opened {
        user: users::get(db, &actor.scope, id).await?,
        link,
    })
}

/// The ids of an account's establishments, each of its region, or the field error of the
/// first that is not.
async fn resolve(db: &Db, account: &Account) -> Result<Vec<i64>> {
    let region = account.region.as_ref().map(RegionCode::as_str);
    users::establishment_ids(db, region, &account.establishments)
        .await?
        .map_err(|f| AppError::Invalid(vec![unknown_establishment(&f)]))
}

fn unknown_establishment(f: &cratb_domain::Finess) -> FieldError {
    FieldError::new(
        "establishments",
        format!("aucun établissement de FINESS {f} dans la région du compte"),
        format!("no establishment with FINESS {f} in the account's region"),
    )
}

fn store_refusal(e: NewUserError) -> AppError {
    match e {
        NewUserError::Store(StoreError::Conflict(_)) => AppError::Invalid(vec![email_taken()]),
        NewUserError::Store(e) => e.into(),
        NewUserError::Refused(e) => AppError::Invalid(vec![NewUser::field_of(&e)]),
        NewUserError::OutOfRegion(field) => AppError::Invalid(vec![FieldError::new(
            field,
            "hors de la région du compte",
            "outside the account's region",
        )]),
    }
}

/// Creates an account and, when it has no password, the secret of its first link; a taken
/// e-mail or a password the policy refuses is a field error.
async fn create_with_link(db: &Db, actor: &Actor, new: &NewUser) -> Result<(i64, Option<String>)> {
    let mut tx = db.begin().await?;
    let id = users::create(&mut tx, new).await.map_err(store_refusal)?;
    let link = match new.password {
        None => Some(users::create_reset(&mut tx, id).await?),
        Some(_) => None,
    };
    let summary = format!(
        "compte créé : {} ({}){}",
        new.email,
        new.role.code(),
        if link.is_some() {
            " ; lien de choix du mot de passe émis"
        } else {
            ""
        }
    );
    let region = new.region.as_ref().map(RegionCode::as_str);
    audit::append_in(
        &mut tx,
        &actor.entry("user.create", "user", id, region, summary),
    )
    .await?;
    tx.commit().await?;
    Ok((id, link))
}

/// An account the actor manages: visible in their scope, of a role they may grant.
async fn managed(db: &Db, actor: &Actor, id: i64) -> Result<User> {
    let target = users::get(db, &actor.scope, id).await?;
    if !actor.role.may_grant(target.role()) {
        return Err(AppError::Forbidden);
    }
    Ok(target)
}

/// Changes an account's e-mail, name, role, region, establishments or teams, within the
/// actor's powers, audited with the before and after. A change of role or region ends the
/// account's sessions and API tokens.
pub async fn edit(db: &Db, actor: &Actor, id: i64, change: &UserChange) -> Result<User> {
    let target = managed(db, actor, id).await?;
    let finess = users::establishment_finess(db, &target).await?;
    let after = Account::changed(actor.role, &actor.scope, &target, &finess, change)
        .map_err(AppError::Invalid)?;
    if actor.id == Some(id) && after.role != target.role() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "role",
            "vous ne pouvez pas changer votre propre rôle",
            "you cannot change your own role",
        )]));
    }
    let establishments = resolve(db, &after).await?;
    let what = after.changes_from(&target, &finess);
    if what.is_empty() {
        return Ok(target);
    }
    let region = after.region.as_ref().map(RegionCode::as_str);
    let access_changed = after.role != target.role() || region != target.region_code.as_deref();
    let mut tx = db.begin().await?;
    users::update(
        &mut tx,
        id,
        &users::Changed {
            email: after.email.as_str(),
            display_name: &after.display_name,
            role: after.role,
            region,
            establishments: &establishments,
            teams: &after.teams,
        },
        access_changed,
    )
    .await
    .map_err(store_refusal)?;
    let summary = format!(
        "compte modifié : {} — {what}{}",
        target.email,
        if access_changed {
            " ; sessions et jetons fermés"
        } else {
            ""
        }
    );
    audit::append_in(
        &mut tx,
        &actor.entry("user.edit", "user", id, region, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(users::get(db, &actor.scope, id).await?)
}

/// Issues a link by which the account's holder chooses a new password (24 hours, once; the
/// account's earlier links stop working). Returns the account and the link's secret.
pub async fn reset_link(db: &Db, actor: &Actor, id: i64) -> Result<(User, String)> {
    let target = managed(db, actor, id).await?;
    if !target.active {
        return Err(AppError::Invalid(vec![FieldError::new(
            "active",
            "ce compte est désactivé : réactivez-le d'abord",
            "this account is disabled: enable it first",
        )]));
    }
    let mut tx = db.begin().await?;
    let token = users::create_reset(&mut tx, id).await?;
    let entry = actor.entry(
        "user.reset_link",
        "user",
        id,
        target.region_code.as_deref(),
        format!(
            "lien de réinitialisation du mot de passe émis pour {}",
            target.email
        ),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok((target, token))
}

/// Ends every session of an account the actor manages (the account stays open: its holder
/// signs in again); returns how many.
pub async fn end_sessions(db: &Db, actor: &Actor, id: i64) -> Result<u64> {
    let target = managed(db, actor, id).await?;
    let mut tx = db.begin().await?;
    let n = cratb_store::sessions::delete_all_for_user(&mut tx, id).await?;
    let entry = actor.entry(
        "user.sessions_end",
        "user",
        id,
        target.region_code.as_deref(),
        format!("sessions de {} fermées ({n})", target.email),
    );
    audit::append_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(n)
}

/// Disables an account (its sessions end, its API tokens are revoked) or enables it again:
/// never one's own, and only an account whose role the actor may grant.
pub async fn set_active(db: &Db, actor: &Actor, id: i64, active: bool) -> Result<User> {
    if actor.id == Some(id) && !active {
        return Err(AppError::Invalid(vec![cannot_disable_oneself()]));
    }
    let target = managed(db, actor, id).await?;
    let mut tx = db.begin().await?;
    users::set_active(&mut tx, &actor.scope, id, active).await?;
    let (action, verb) = if active {
        ("user.enable", "réactivé")
    } else {
        ("user.disable", "désactivé")
    };
    let summary = format!("compte {verb} : {}", target.email);
    let region = target.region_code.as_deref();
    audit::append_in(&mut tx, &actor.entry(action, "user", id, region, summary)).await?;
    tx.commit().await?;
    Ok(users::get(db, &actor.scope, id).await?)
}
