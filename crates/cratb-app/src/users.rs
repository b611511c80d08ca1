//! Accounts: created by a region's coordinator in their region (a national administrator for
//! any region and the national roles), on the page, through the API or on the command line.

use crate::{Actor, AppError, Result};
use cratb_domain::{Email, RegionCode, Role};
use cratb_store::users::{self, NewUser, NewUserError, User};
use cratb_store::{Db, FieldError, StoreError, audit};

/// A new account as typed in a form, a JSON body or command-line options.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserInput<'a> {
    pub email: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub role: Option<&'a str>,
    pub region: Option<&'a str>,
    pub password: Option<&'a str>,
}

/// The account to create, or every field at fault: the actor may grant the role only within
/// their powers, and a region only within their scope.
pub fn validate(actor: &Actor, input: &UserInput<'_>) -> Result<NewUser, Vec<FieldError>> {
    let UserInput {
        email,
        display_name,
        role,
        region,
        password,
    } = *input;
    let mut errors = Vec::new();
    let email = match Email::parse(email.unwrap_or("")) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(FieldError::of("email", &e));
            None
        }
    };
    let name = display_name.map(str::trim).unwrap_or("");
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "display_name",
            "le nom affiché est obligatoire (200 caractères au plus)",
            "the display name is required (200 characters at most)",
        ));
    }
    let role = match role.and_then(Role::parse) {
        Some(r) if actor.role.may_grant(r) => Some(r),
        Some(_) => {
            errors.push(FieldError::new(
                "role",
                "vous ne pouvez pas attribuer ce rôle",
                "you cannot grant this role",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "role",
                "choisissez un rôle dans la liste",
                "choose a role from the list",
            ));
            None
        }
    };
    let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match RegionCode::parse(r) {
            Ok(code) if actor.scope.allows(code.as_str()) => Some(code),
            Ok(_) => {
                errors.push(FieldError::new(
                    "region",
                    "cette région n'est pas la vôtre",
                    "this region is not yours",
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::of("region", &e));
                None
            }
        },
    };
    if let Some(r) = role {
        if r.is_national() && region.is_some() {
            errors.push(FieldError::new(
                "region",
                "un rôle national n'a pas de région",
                "a national role has no region",
            ));
        } else if !r.is_national()
            && region.is_none()
            && !errors.iter().any(|e| e.field == "region")
        {
            errors.push(FieldError::new(
                "region",
                "une région est obligatoire pour ce rôle",
                "this role needs a region",
            ));
        }
    }
    let password = password.unwrap_or("");
    if let Some(e) = &email
        && let Err(pe) = cratb_domain::check_password_policy(password, e.as_str())
    {
        errors.push(FieldError::of("password", &pe));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewUser {
        email: email.expect("checked"),
        display_name: name.to_owned(),
        role: role.expect("checked"),
        region,
        establishment_id: None,
        password: password.to_owned(),
    })
}

/// Creates an account; a taken e-mail or a password the policy refuses is a field error.
pub async fn create(db: &Db, actor: &Actor, new: &NewUser) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = users::create(&mut tx, new).await.map_err(|e| match e {
        NewUserError::Store(StoreError::Conflict(_)) => AppError::Invalid(vec![FieldError::new(
            "email",
            "un compte existe déjà avec cette adresse",
            "an account already exists with this address",
        )]),
        NewUserError::Store(e) => e.into(),
        other => AppError::Invalid(vec![FieldError::new(
            "password",
            other.to_string(),
            other.to_string(),
        )]),
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
        return Err(AppError::Invalid(vec![FieldError::new(
            "active",
            "vous ne pouvez pas désactiver votre propre compte",
            "you cannot disable your own account",
        )]));
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
