//! Accounts: created by a region's coordinator in their region (a national administrator for
//! any region and the national roles), on the page, through the API or on the command line.

use crate::{Actor, AppError, Result};
use cratb_domain::account::{cannot_disable_oneself, email_taken};
use cratb_domain::{NewUser, RegionCode, User, UserInput};
use cratb_store::users::{self, NewUserError};
use cratb_store::{Db, StoreError, audit};

/// Opens an account as typed in a form or a JSON body: the actor may grant the role only
/// within their powers, and a region only within their scope. Returns the account.
pub async fn open(db: &Db, actor: &Actor, input: &UserInput) -> Result<User> {
    let new = NewUser::validate(actor.role, &actor.scope, input).map_err(AppError::Invalid)?;
    let id = create(db, actor, &new).await?;
    Ok(users::get(db, &actor.scope, id).await?)
}

/// Creates an account; a taken e-mail or a password the policy refuses is a field error.
pub async fn create(db: &Db, actor: &Actor, new: &NewUser) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = users::create(&mut tx, new).await.map_err(|e| match e {
        NewUserError::Store(StoreError::Conflict(_)) => AppError::Invalid(vec![email_taken()]),
        NewUserError::Store(e) => e.into(),
        NewUserError::Refused(e) => AppError::Invalid(vec![NewUser::field_of(&e)]),
    })?;
    let summary = format!("compte créé : {} ({})", new.email, new.role.code());
    let region = new.region.as_ref().map(RegionCode::as_str);
    audit::append_in(
        &mut tx,
        &actor.entry("user.create", "user", id, region, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Disables an account (its sessions end, its API tokens are revoked) or enables it again:
/// never one's own, and only an account whose role the actor may grant.
pub async fn set_active(db: &Db, actor: &Actor, id: i64, active: bool) -> Result<User> {
    if actor.id == Some(id) && !active {
        return Err(AppError::Invalid(vec![cannot_disable_oneself()]));
    }
    let target = users::get(db, &actor.scope, id).await?;
    if !actor.role.may_grant(target.role()) {
        return Err(AppError::Forbidden);
    }
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
