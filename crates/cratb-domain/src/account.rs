//! Accounts: an account as shown, the input of a new one, and the rules it goes through (who
//! may grant which role in which region, the role/region pairing, the password policy).

use crate::{
    Bilingual, Email, FieldError, PasswordError, RegionCode, Role, Scope, check_password_for, geo,
};
use serde::{Deserialize, Serialize};

/// An account as shown (never the password hash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// Role code (`coordinator`, `ars_reader`…).
    pub role: String,
    /// INSEE region code; none for national roles.
    pub region_code: Option<String>,
    pub establishment_id: Option<i64>,
    pub active: bool,
}

impl User {
    /// The parsed role (unknown codes, which migrations never produce, count as the least privileged).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Prescriber)
    }
    /// The region scope of this account, if it has a valid one.
    pub fn scope(&self) -> Option<Scope> {
        let region = self
            .region_code
            .as_deref()
            .and_then(|r| RegionCode::parse(r).ok());
        Scope::for_user(self.role(), region.as_ref())
    }
    /// The name of its region, `—` for none.
    pub fn region_name(&self) -> &'static str {
        self.region_code
            .as_deref()
            .and_then(geo::region)
            .map_or("—", |r| r.name)
    }
}

/// A new account.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// Role code (`coordinator`, `data_manager`, `secretary`, `ema_member`, `referent`, `prescriber`, `lab`, `ars_reader`, `national_admin`).
    pub role: Option<String>,
    /// INSEE region code; omitted for national roles.
    pub region: Option<String>,
    /// Initial password (12 characters at least, not a common password).
    pub password: Option<String>,
}

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub establishment_id: Option<i64>,
    pub password: String,
}

/// The roles `granter` may give to an account it creates, in display order.
pub fn grantable_roles(granter: Role) -> impl Iterator<Item = Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(move |r| granter.may_grant(*r))
}

impl NewUser {
    /// The account to create, or every field at fault: an account of role `granter` may grant
    /// a role only within its powers, and a region only within its `scope`.
    pub fn validate(
        granter: Role,
        scope: &Scope,
        input: &UserInput,
    ) -> Result<NewUser, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = match Email::parse(input.email.as_deref().unwrap_or("")) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.push(FieldError::of("email", &e));
                None
            }
        };
        let name = input.display_name.as_deref().map(str::trim).unwrap_or("");
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::of("display_name", &AccountError::DisplayName));
        }
        let role = match input.role.as_deref().and_then(Role::parse) {
            Some(r) if granter.may_grant(r) => Some(r),
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
        let region = match crate::field::optional(&input.region) {
            None => None,
            Some(r) => match RegionCode::parse(r) {
                Ok(code) if scope.allows(code.as_str()) => Some(code),
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
            let taken = errors.iter().any(|e| e.field == "region");
            match region_rule(r, region.as_ref()) {
                Err(e @ AccountError::RegionForbidden) => errors.push(FieldError::of("region", &e)),
                Err(e) if !taken => errors.push(FieldError::of("region", &e)),
                _ => {}
            }
        }
        let password = input.password.as_deref().unwrap_or("");
        if let Some(e) = &email
            && let Err(pe) = check_password_for(password, e.as_str(), name)
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

    /// Whether the account may be created as it is: a display name, a region exactly for the
    /// regional roles, a password the policy accepts.
    pub fn check(&self) -> Result<(), AccountError> {
        let name = self.display_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AccountError::DisplayName);
        }
        region_rule(self.role, self.region.as_ref())?;
        check_password_for(&self.password, self.email.as_str(), name)?;
        Ok(())
    }

    /// The field an error of [`NewUser::check`] is about.
    pub fn field_of(e: &AccountError) -> FieldError {
        let field = match e {
            AccountError::Password(_) => "password",
            AccountError::DisplayName => "display_name",
            AccountError::RegionRequired | AccountError::RegionForbidden => "region",
        };
        FieldError::of(field, e)
    }
}

/// A national role has no region; every other role has one.
fn region_rule(role: Role, region: Option<&RegionCode>) -> Result<(), AccountError> {
    match (role.is_national(), region) {
        (false, None) => Err(AccountError::RegionRequired),
        (true, Some(_)) => Err(AccountError::RegionForbidden),
        _ => Ok(()),
    }
}

/// Why an account cannot be created as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("une région est obligatoire pour ce rôle")]
    RegionRequired,
    #[error("un rôle national n'a pas de région")]
    RegionForbidden,
    #[error("le nom affiché est obligatoire (200 caractères au plus)")]
    DisplayName,
}

impl Bilingual for AccountError {
    fn en(&self) -> String {
        match self {
            AccountError::Password(e) => e.en(),
            AccountError::RegionRequired => "this role needs a region".into(),
            AccountError::RegionForbidden => "a national role has no region".into(),
            AccountError::DisplayName => {
                "the display name is required (200 characters at most)".into()
            }
        }
    }
}

/// The error of an e-mail address another account already has.
pub fn email_taken() -> FieldError {
    FieldError::new(
        "email",
        "un compte existe déjà avec cette adresse",
        "an account already exists with this address",
    )
}

/// The error of an account trying to disable itself.
pub fn cannot_disable_oneself() -> FieldError {
    FieldError::new(
        "active",
        "vous ne pouvez pas désactiver votre propre compte",
        "you cannot disable your own account",
    )
}

/// Why a password change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("{0}")]
    Policy(#[from] PasswordError),
    #[error("Le mot de passe actuel est incorrect.")]
    WrongCurrent,
}

impl Bilingual for PasswordChangeError {
    fn en(&self) -> String {
        match self {
            PasswordChangeError::Policy(e) => e.en(),
            PasswordChangeError::WrongCurrent => "The current password is wrong.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, region: Option<&str>) -> UserInput {
        UserInput {
            email: Some("a@b.fr".into()),
            display_name: Some("A".into()),
            role: Some(role.into()),
            region: region.map(Into::into),
            password: Some("Correct-horse-battery-staple-42".into()),
        }
    }

    fn fields(r: Result<NewUser, Vec<FieldError>>) -> Vec<&'static str> {
        r.map_or_else(|e| e.into_iter().map(|e| e.field).collect(), |_| vec![])
    }

    #[test]
    fn a_coordinator_grants_regional_roles_in_their_region_only() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        let c = Role::Coordinator;
        assert!(fields(NewUser::validate(c, &ara, &input("lab", Some("84")))).is_empty());
        assert_eq!(
            fields(NewUser::validate(c, &ara, &input("lab", Some("53")))),
            ["region"]
        );
        assert_eq!(
            fields(NewUser::validate(c, &ara, &input("lab", None))),
            ["region"]
        );
        assert_eq!(
            fields(NewUser::validate(c, &ara, &input("national_admin", None))),
            ["role"]
        );
        let n = Role::NationalAdmin;
        let national = Scope::National;
        assert_eq!(
            fields(NewUser::validate(
                n,
                &national,
                &input("national_admin", Some("84"))
            )),
            ["region"]
        );
        assert!(grantable_roles(c).all(|r| !r.is_national()));
    }
}
