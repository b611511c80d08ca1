//! The words of the CRAtb domain as Rust types, and the pure rules that go with them.
//!
//! Everything here parses instead of validating: a [`Finess`], an [`Email`] or a
//! [`RegionCode`] that exists is valid. Nothing in this crate does I/O, knows about HTTP or
//! SQL, or allocates a database connection; the store and web crates depend on it, never
//! the other way round.

pub mod account;
pub mod audit;
pub mod directory;
pub mod email;
pub mod establishment;
pub mod field;
pub mod finess;
pub mod geo;
pub mod lang;
pub mod letter;
pub mod mfa;
pub mod paris;
pub mod password;
pub mod phone;
pub mod places;
pub mod roles;
pub mod rpps;
pub mod stats;
pub mod visibility;
pub mod ward;

/// An error whose message exists in French (its `Display`, the default) and in English.
pub trait Bilingual: std::fmt::Display {
    /// The message in English.
    fn en(&self) -> String;
    /// The message in `lang`.
    fn in_lang(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => self.en(),
        }
    }
}

pub use account::{Account, NewUser, User, UserChange, UserInput};
pub use audit::AuditEntry;
pub use directory::{ConventionService, ConventionStatus, NetworkRole, Profession};
pub use email::{Email, EmailError};
pub use establishment::{Category, Sector};
pub use field::FieldError;
pub use finess::{Finess, FinessError};
pub use geo::{DEPARTMENTS, Department, REGIONS, Region, RegionCode};
pub use lang::Lang;
pub use letter::Letter;
pub use password::{PasswordError, Weakness, check_password_for, check_password_policy};
pub use phone::{Phone, PhoneError};
pub use places::{
    Establishment, EstablishmentInput, EstablishmentText, NewEstablishment, NewTerritory,
    Territory, TerritoryInput,
};
pub use roles::{Permission, RegionAccess, Role, Scope};
pub use rpps::{Rpps, RppsError};
pub use visibility::{Threshold, Visibility};
pub use ward::{Sex, WardType};
