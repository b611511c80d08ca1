//! Accounts: an account as shown, the input of a new one, and the rules it goes through (who
//! may grant which role in which region, the role/region pairing, the password policy).

use crate::{
    Bilingual, Email, FieldError, PasswordError, RegionCode, Role, Scope, check_password_policy,
    geo,
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
    /// The establishments the account is tied to (ids), for the roles tied to places
    /// (referent, EMA member, laboratory, prescriber).
    pub establishment_ids: Vec<i64>,
    /// The EMA teams of an EMA member's account (ids).
    pub team_ids: Vec<i64>,
    pub active: bool,
    /// The password was set by someone else: it must be changed before anything else.
    pub must_change_password: bool,
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

/// The items of a list field: a JSON array, or in a form one text whose items are separated by
/// commas, semicolons, spaces or line breaks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Items(Vec<String>),
        }
        Ok(List::from_items(match Either::deserialize(d)? {
            Either::Text(t) => vec![t],
            Either::Items(v) => v,
        }))
    }
}

impl List {
    /// The items of texts that may each hold several.
    pub fn from_items(texts: impl IntoIterator<Item = impl AsRef<str>>) -> List {
        List(
            texts
                .into_iter()
                .flat_map(|t| {
                    t.as_ref()
                        .split([',', ';', ' ', '\n', '\r', '\t'])
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect(),
        )
    }
    /// The items joined for a form's text field.
    pub fn joined(&self) -> String {
        self.0.join(", ")
    }
}

/// A new account, as typed in the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// Role code (`coordinator`, `data_manager`, `secretary`, `ema_member`, `referent`, `prescriber`, `lab`, `ars_reader`, `national_admin`).
    pub role: Option<String>,
    /// INSEE region code; omitted for national roles.
    pub region: Option<String>,
    /// FINESS numbers of the account's establishments, of its region (referent, EMA member,
    /// laboratory, prescriber; at least one for a referent and a laboratory).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub establishments: Option<List>,
    /// Ids of an EMA member's teams, of its region.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub teams: Option<List>,
    /// Initial password (12 characters at least, hard to guess), which the person must change
    /// at their first sign-in. Leave it out to give them a link by which they choose their own.
    pub password: Option<String>,
}

/// A change of an account: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// Role code.
    pub role: Option<String>,
    /// INSEE region code; empty for a national role.
    pub region: Option<String>,
    /// FINESS numbers of the account's establishments (the whole list; empty: none).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub establishments: Option<List>,
    /// Ids of an EMA member's teams (the whole list).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub teams: Option<List>,
}

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    /// Its establishments (ids of its region).
    pub establishments: Vec<i64>,
    /// Its EMA teams (ids of its region).
    pub teams: Vec<i64>,
    /// The password; none: the account has no usable password until a reset link is used.
    pub password: Option<String>,
    /// Whether the password must be changed at the first sign-in (set by someone else).
    pub must_change_password: bool,
}

/// An account's identity, role and places once checked, FINESS not yet resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub establishments: Vec<crate::Finess>,
    pub teams: Vec<i64>,
}

/// The roles `granter` may give to an account it creates, in display order.
pub fn grantable_roles(granter: Role) -> impl Iterator<Item = Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(move |r| granter.may_grant(*r))
}

/// The checks common to a new account and a changed one.
struct Checker<'a> {
    granter: Role,
    scope: &'a Scope,
    errors: Vec<FieldError>,
}

impl Checker<'_> {
    fn email(&mut self, typed: &str) -> Option<Email> {
        Email::parse(typed)
            .map_err(|e| self.errors.push(FieldError::of("email", &e)))
            .ok()
    }
    fn name(&mut self, typed: &str) -> Option<String> {
        let name = typed.trim();
        if name.is_empty() || name.chars().count() > 200 {
            self.errors
                .push(FieldError::of("display_name", &AccountError::DisplayName));
            return None;
        }
        Some(name.to_owned())
    }
    fn role(&mut self, typed: &str) -> Option<Role> {
        match Role::parse(typed) {
            Some(r) if self.granter.may_grant(r) => Some(r),
            Some(_) => {
                self.errors.push(FieldError::new(
                    "role",
                    "vous ne pouvez pas attribuer ce rôle",
                    "you cannot grant this role",
                ));
                None
            }
            None => {
                self.errors.push(FieldError::new(
                    "role",
                    "choisissez un rôle dans la liste",
                    "choose a role from the list",
                ));
                None
            }
        }
    }
    /// `Err(())`: the region is at fault (already said).
    fn region(&mut self, typed: Option<&str>) -> Result<Option<RegionCode>, ()> {
        let Some(r) = typed.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        match RegionCode::parse(r) {
            Ok(code) if self.scope.allows(code.as_str()) => Ok(Some(code)),
            Ok(_) => {
                self.errors.push(FieldError::new(
                    "region",
                    "cette région n'est pas la vôtre",
                    "this region is not yours",
                ));
                Err(())
            }
            Err(e) => {
                self.errors.push(FieldError::of("region", &e));
                Err(())
            }
        }
    }
    fn region_rule(&mut self, role: Role, region: &Result<Option<RegionCode>, ()>) {
        match (
            region_rule(role, region.as_ref().ok().and_then(Option::as_ref)),
            region,
        ) {
            (Err(e @ AccountError::RegionForbidden), _) => {
                self.errors.push(FieldError::of("region", &e))
            }
            (Err(e), Ok(_)) => self.errors.push(FieldError::of("region", &e)),
            _ => {}
        }
    }
    /// The account's places for its role: establishments (FINESS) and teams (ids).
    fn places(
        &mut self,
        role: Role,
        establishments: &List,
        teams: &List,
    ) -> (Vec<crate::Finess>, Vec<i64>) {
        let mut finess = Vec::new();
        for typed in &establishments.0 {
            match crate::Finess::parse(typed) {
                Ok(f) if !finess.contains(&f) => finess.push(f),
                Ok(_) => {}
                Err(e) => self.errors.push(FieldError::of("establishments", &e)),
            }
        }
        let mut ids = Vec::new();
        for typed in &teams.0 {
            match typed.parse::<i64>() {
                Ok(id) if id > 0 => {
                    if !ids.contains(&id) {
                        ids.push(id)
                    }
                }
                _ => self.errors.push(FieldError::new(
                    "teams",
                    format!("« {typed} » n'est pas une équipe de la liste"),
                    format!("“{typed}” is not a team of the list"),
                )),
            }
        }
        if !role.has_places() && !finess.is_empty() {
            self.errors
                .push(FieldError::of("establishments", &AccountError::NoPlaces));
        }
        if role != Role::EmaMember && !ids.is_empty() {
            self.errors
                .push(FieldError::of("teams", &AccountError::NoTeams));
        }
        if role.needs_establishment() && establishments.0.is_empty() {
            self.errors.push(FieldError::of(
                "establishments",
                &AccountError::EstablishmentRequired,
            ));
        }
        (finess, ids)
    }
}

impl Account {
    /// A new account as typed, or every field at fault: an account of role `granter` may
    /// grant a role only within its powers, and a region only within its `scope`. Returns the
    /// account and its initial password, if one was typed (checked against the policy).
    pub fn new(
        granter: Role,
        scope: &Scope,
        input: &UserInput,
    ) -> Result<(Account, Option<String>), Vec<FieldError>> {
        let mut c = Checker {
            granter,
            scope,
            errors: Vec::new(),
        };
        let email = c.email(input.email.as_deref().unwrap_or(""));
        let name = c.name(input.display_name.as_deref().unwrap_or(""));
        let role = c.role(input.role.as_deref().unwrap_or(""));
        let region = c.region(input.region.as_deref());
        let places = role.map(|r| {
            c.region_rule(r, &region);
            c.places(
                r,
                input.establishments.as_ref().unwrap_or(&List::default()),
                input.teams.as_ref().unwrap_or(&List::default()),
            )
        });
        let password = input.password.clone().filter(|p| !p.trim().is_empty());
        if let (Some(e), Some(p)) = (&email, &password)
            && let Err(pe) = check_password_policy(p, e.as_str())
        {
            c.errors.push(FieldError::of("password", &pe));
        }
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let (establishments, teams) = places.expect("checked");
        Ok((
            Account {
                email: email.expect("checked"),
                display_name: name.expect("checked"),
                role: role.expect("checked"),
                region: region.expect("checked"),
                establishments,
                teams,
            },
            password,
        ))
    }

    /// The account `current` (whose establishments' FINESS are `current_finess`) once
    /// `change` is applied by an account of role `editor` in `scope`, or every field at fault.
    /// The editor must be able to grant both the account's role and the new one.
    pub fn changed(
        editor: Role,
        scope: &Scope,
        current: &User,
        current_finess: &[crate::Finess],
        change: &UserChange,
    ) -> Result<Account, Vec<FieldError>> {
        let mut c = Checker {
            granter: editor,
            scope,
            errors: Vec::new(),
        };
        let email = c.email(change.email.as_deref().unwrap_or(&current.email));
        let name = c.name(
            change
                .display_name
                .as_deref()
                .unwrap_or(&current.display_name),
        );
        let role = c.role(change.role.as_deref().unwrap_or(&current.role));
        let region = c.region(match &change.region {
            Some(r) => Some(r.as_str()),
            None => current.region_code.as_deref(),
        });
        let role_changed = role.is_some_and(|r| r != current.role());
        let kept_finess = List(current_finess.iter().map(|f| f.to_string()).collect());
        let kept_teams = List(current.team_ids.iter().map(|t| t.to_string()).collect());
        let places = role.map(|r| {
            c.region_rule(r, &region);
            // A new role without places drops the old ones, unless new ones are given.
            let (est, teams) = match role_changed {
                true => (
                    change.establishments.clone().unwrap_or_else(|| {
                        if r.has_places() {
                            kept_finess.clone()
                        } else {
                            List::default()
                        }
                    }),
                    change.teams.clone().unwrap_or_else(|| {
                        if r == Role::EmaMember {
                            kept_teams.clone()
                        } else {
                            List::default()
                        }
                    }),
                ),
                false => (
                    change.establishments.clone().unwrap_or(kept_finess.clone()),
                    change.teams.clone().unwrap_or(kept_teams.clone()),
                ),
            };
            c.places(r, &est, &teams)
        });
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let (establishments, teams) = places.expect("checked");
        Ok(Account {
            email: email.expect("checked"),
            display_name: name.expect("checked"),
            role: role.expect("checked"),
            region: region.expect("checked"),
            establishments,
            teams,
        })
    }

    /// What changed from the account `before` (with the FINESS of its establishments) to
    /// `self`, for the audit log (`rôle referent → lab ; …`); empty when nothing did.
    pub fn changes_from(&self, before: &User, before_finess: &[crate::Finess]) -> String {
        let mut out = Vec::new();
        let mut say = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what} {a} → {b}"));
            }
        };
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "—".into()
            } else {
                v.join(",")
            }
        };
        say("e-mail", before.email.clone(), self.email.to_string());
        say(
            "nom",
            before.display_name.clone(),
            self.display_name.clone(),
        );
        say("rôle", before.role.clone(), self.role.code().into());
        say(
            "région",
            before.region_code.clone().unwrap_or_else(|| "—".into()),
            self.region
                .as_ref()
                .map_or("—".into(), |r| r.as_str().to_owned()),
        );
        let finess = |v: &[crate::Finess]| {
            let mut v: Vec<String> = v.iter().map(|f| f.to_string()).collect();
            v.sort();
            list(v)
        };
        say(
            "établissements",
            finess(before_finess),
            finess(&self.establishments),
        );
        let teams = |v: &[i64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            list(v.iter().map(|t| t.to_string()).collect())
        };
        say("équipes", teams(&before.team_ids), teams(&self.teams));
        out.join(" ; ")
    }
}

impl NewUser {
    /// Whether the account may be created as it is: a display name, a region exactly for the
    /// regional roles, a password the policy accepts.
    pub fn check(&self) -> Result<(), AccountError> {
        let name = self.display_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AccountError::DisplayName);
        }
        region_rule(self.role, self.region.as_ref())?;
        if let Some(p) = &self.password {
            check_password_policy(p, self.email.as_str())?;
        }
        Ok(())
    }

    /// The field an error of [`NewUser::check`] is about.
    pub fn field_of(e: &AccountError) -> FieldError {
        let field = match e {
            AccountError::Password(_) => "password",
            AccountError::DisplayName => "display_name",
            AccountError::RegionRequired | AccountError::RegionForbidden => "region",
            AccountError::NoPlaces | AccountError::EstablishmentRequired => "establishments",
            AccountError::NoTeams => "teams",
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
    #[error("ce rôle n'est pas rattaché à des établissements")]
    NoPlaces,
    #[error("seul un membre d'EMA est rattaché à des équipes")]
    NoTeams,
    #[error("indiquez au moins un établissement (FINESS) pour ce rôle")]
    EstablishmentRequired,
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
            AccountError::NoPlaces => "this role is not tied to establishments".into(),
            AccountError::NoTeams => "only an EMA member is tied to teams".into(),
            AccountError::EstablishmentRequired => {
                "give at least one establishment (FINESS) for this role".into()
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

/// Why a link to choose a password was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A new account, opened without a password.
    Welcome,
    /// Asked for on the sign-in page, or issued by an administrator.
    Reset,
}

/// The e-mail carrying a link to choose a password (`url`), in French then English: its
/// subject and its text.
pub fn link_letter(kind: LinkKind, display_name: &str, url: &str) -> (String, String) {
    let (subject, fr, en) = match kind {
        LinkKind::Welcome => (
            "Votre compte cratb / your cratb account",
            "Un compte cratb vient d'être ouvert pour vous. Choisissez votre mot de passe en suivant ce lien :",
            "A cratb account was opened for you. Choose your password through this link:",
        ),
        LinkKind::Reset => (
            "Choisir un nouveau mot de passe cratb / choose a new cratb password",
            "Pour choisir un nouveau mot de passe, suivez ce lien :",
            "To choose a new password, follow this link:",
        ),
    };
    let body = format!(
        "Bonjour {display_name},\n\n{fr}\n\n{url}\n\n\
         Ce lien fonctionne 24 heures, une seule fois. Si vous n'avez rien demandé, ignorez ce \
         message : votre mot de passe actuel reste valable.\n\n---\n\n{en}\n\n{url}\n\n\
         This link works for 24 hours, once. If you asked for nothing, ignore this message: your \
         current password still works.\n"
    );
    (subject.to_owned(), body)
}

/// Why a password cannot be set through a link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetRefused {
    #[error(
        "Ce lien ne fonctionne plus : il a déjà servi, a expiré (24 heures) ou a été remplacé par un plus récent. Demandez-en un nouveau."
    )]
    Link,
    #[error("{0}")]
    Policy(#[from] PasswordError),
}

impl Bilingual for ResetRefused {
    fn en(&self) -> String {
        match self {
            ResetRefused::Link => "This link no longer works: it was used, expired (24 hours) or replaced by a newer one. Ask for a new one.".into(),
            ResetRefused::Policy(e) => e.en(),
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
            ..Default::default()
        }
    }

    fn fields<T>(r: Result<T, Vec<FieldError>>) -> Vec<&'static str> {
        r.map_or_else(|e| e.into_iter().map(|e| e.field).collect(), |_| vec![])
    }

    #[test]
    fn a_coordinator_grants_regional_roles_in_their_region_only() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        let c = Role::Coordinator;
        assert!(fields(Account::new(c, &ara, &input("secretary", Some("84")))).is_empty());
        assert_eq!(
            fields(Account::new(c, &ara, &input("secretary", Some("53")))),
            ["region"]
        );
        assert_eq!(
            fields(Account::new(c, &ara, &input("secretary", None))),
            ["region"]
        );
        assert_eq!(
            fields(Account::new(c, &ara, &input("national_admin", None))),
            ["role"]
        );
        let n = Role::NationalAdmin;
        let national = Scope::National;
        assert_eq!(
            fields(Account::new(
                n,
                &national,
                &input("national_admin", Some("84"))
            )),
            ["region"]
        );
        assert!(grantable_roles(c).all(|r| !r.is_national()));
    }

    #[test]
    fn places_follow_the_role() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        let c = Role::Coordinator;
        // A referent needs an establishment; a coordinator has none; only EMA members have teams.
        assert_eq!(
            fields(Account::new(c, &ara, &input("referent", Some("84")))),
            ["establishments"]
        );
        let with = |role: &str, est: &str, teams: &str| UserInput {
            establishments: Some(List::from_items([est])),
            teams: Some(List::from_items([teams])),
            ..input(role, Some("84"))
        };
        let (a, password) =
            Account::new(c, &ara, &with("referent", "380780080, 380000067", "")).expect("valid");
        assert_eq!(a.establishments.len(), 2);
        assert!(password.is_some());
        assert_eq!(
            fields(Account::new(c, &ara, &with("coordinator", "380780080", ""))),
            ["establishments"]
        );
        assert_eq!(
            fields(Account::new(c, &ara, &with("referent", "380780080", "3"))),
            ["teams"]
        );
        assert!(fields(Account::new(c, &ara, &with("ema_member", "", "3;4"))).is_empty());
        assert_eq!(
            fields(Account::new(c, &ara, &with("referent", "38078008", ""))),
            ["establishments"]
        );
        // No password: the person chooses theirs through a link.
        let (_, none) = Account::new(
            c,
            &ara,
            &UserInput {
                password: Some("  ".into()),
                ..with("lab", "380780080", "")
            },
        )
        .expect("valid");
        assert_eq!(none, None);
    }

    #[test]
    fn a_change_keeps_what_is_not_given_and_stays_within_the_editor_s_powers() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        let current = User {
            id: 1,
            email: "ref@chu.fr".into(),
            display_name: "Réf".into(),
            role: "referent".into(),
            region_code: Some("84".into()),
            establishment_ids: vec![7],
            team_ids: vec![],
            active: true,
            must_change_password: false,
        };
        let finess = [crate::Finess::parse("380780080").unwrap()];
        let c = Role::Coordinator;
        let renamed = Account::changed(
            c,
            &ara,
            &current,
            &finess,
            &UserChange {
                display_name: Some("Dr Réf".into()),
                ..Default::default()
            },
        )
        .expect("valid");
        assert_eq!(renamed.establishments, finess);
        assert_eq!(renamed.changes_from(&current, &finess), "nom Réf → Dr Réf");
        // To a role without places: the establishments go.
        let secretary = Account::changed(
            c,
            &ara,
            &current,
            &finess,
            &UserChange {
                role: Some("secretary".into()),
                ..Default::default()
            },
        )
        .expect("valid");
        assert!(secretary.establishments.is_empty());
        assert!(
            secretary
                .changes_from(&current, &finess)
                .contains("établissements 380780080 → —")
        );
        for change in [
            UserChange {
                role: Some("national_admin".into()),
                region: Some(String::new()),
                ..Default::default()
            },
            UserChange {
                region: Some("53".into()),
                ..Default::default()
            },
            UserChange {
                establishments: Some(List::default()),
                ..Default::default()
            },
        ] {
            assert!(Account::changed(c, &ara, &current, &finess, &change).is_err());
        }
    }
}
