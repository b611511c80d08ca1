//! The use cases of cratb, one module per capability.
//!
//! A use case is one function: it takes who acts ([`Actor`]) and an input already parsed into
//! domain types, checks what the actor may do with this resource, writes, and appends its audit
//! entry **in the same transaction**, then returns a typed result or an [`AppError`]. The pages,
//! the JSON API and the command line call the same function, so that a change is validated,
//! scoped and audited the same way whichever door it came through. Nothing here knows HTTP.

pub mod advice;
pub mod audits;
pub mod consumption;
pub mod directory;
pub mod establishments;
pub mod mfa;
pub mod network;
pub mod passwords;
pub mod plans;
pub mod policy;
pub mod resistance;
pub mod sessions;
pub mod territories;
pub mod today;
pub mod users;

use cratb_domain::FieldError;
use cratb_domain::{Role, Scope};
use cratb_store::{StoreError, audit};

/// Who acts: their account (none for the command line), the scope their role gives, and where
/// the request came from, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    /// The account's e-mail, or `cli`.
    pub name: String,
    /// What the actor may grant and do (the command line acts as a national administrator).
    pub role: Role,
    pub scope: Scope,
    pub channel: Channel,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The door a change came through, said in its audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Api,
    Cli,
}

impl Actor {
    /// The command line, acting for the whole country.
    pub fn cli() -> Actor {
        Actor {
            id: None,
            name: "cli".into(),
            role: Role::NationalAdmin,
            scope: Scope::National,
            channel: Channel::Cli,
            ip: None,
            request_id: None,
        }
    }

    /// The audit entry of a change made by this actor; the summary names the door when it is
    /// not the web pages.
    pub fn entry(
        &self,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
        region: Option<&str>,
        summary: String,
    ) -> audit::NewEntry {
        let summary = match self.channel {
            Channel::Web => summary,
            Channel::Api => format!("{summary} (API)"),
            Channel::Cli => format!("{summary} (ligne de commande)"),
        };
        audit::NewEntry {
            actor_id: self.id,
            actor: self.name.clone(),
            action: action.into(),
            entity: entity.into(),
            entity_id: Some(entity_id.to_string()),
            region_code: region.map(str::to_owned),
            summary,
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// The audit entry of something done by this actor to no one entity (a campaign, an
    /// import of many rows, a read).
    pub fn event(
        &self,
        action: &str,
        entity: &str,
        region: Option<&str>,
        summary: String,
    ) -> audit::NewEntry {
        audit::NewEntry {
            entity_id: None,
            ..self.entry(action, entity, "", region, summary)
        }
    }

    /// `Forbidden` unless the actor's role may do `p` (the route checks it too; a use case
    /// called from elsewhere does not rely on that).
    pub fn require(&self, p: cratb_domain::Permission) -> Result<()> {
        if self.role.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The server itself, for what it does on its own (the advice service's sweep).
    pub fn system() -> Actor {
        Actor {
            id: None,
            name: "cratb".into(),
            role: Role::NationalAdmin,
            scope: Scope::National,
            channel: Channel::Web,
            ip: None,
            request_id: None,
        }
    }

    /// Records a read of one entity (a case of the advice service), in its own transaction.
    pub async fn record_entity(
        &self,
        db: &cratb_store::Db,
        action: &str,
        entity: &str,
        id: i64,
        region: Option<&str>,
        summary: String,
    ) -> Result<()> {
        Ok(audit::append(db, &self.entry(action, entity, id, region, summary)).await?)
    }

    /// Records an event that changes nothing else (a read of patient-level data, an export,
    /// the e-mails of a campaign), in its own transaction.
    pub async fn record(
        &self,
        db: &cratb_store::Db,
        action: &str,
        entity: &str,
        region: Option<&str>,
        summary: String,
    ) -> Result<()> {
        Ok(audit::append(db, &self.event(action, entity, region, summary)).await?)
    }
}

/// Why a use case did not happen; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such resource within the actor's scope.
    #[error("not found")]
    NotFound,
    /// The actor's role does not reach this resource (an account of a role they may not grant).
    #[error("forbidden")]
    Forbidden,
    /// The input breaks a rule; each field at fault is named.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The input takes what another resource already holds (a FINESS, a name).
    #[error("conflict")]
    Conflict(FieldError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

/// API tokens revoked, as audit summaries count them.
const TOKENS_REVOKED: &str = "jeton d'API révoqué|jetons d'API révoqués";

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// A moment as audit summaries write it, in Paris time (`25/11/2026 15:05`).
fn timestamp(t: &time::OffsetDateTime) -> String {
    cratb_domain::paris::moment(*t, cratb_domain::Lang::Fr)
}
