//! The audit log as read: who did what, when, on which entity of which region; and its export
//! layout.

use serde::Serialize;
use time::OffsetDateTime;

/// One audit entry as read.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    /// E-mail of the actor, `anonyme` or `cli`.
    pub actor: String,
    /// What happened (`login.success`, `login.failure`, `establishment.create`…).
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub region_code: Option<String>,
    pub summary: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The entity types the log is filtered by.
pub const ENTITIES: [&str; 5] = ["session", "user", "establishment", "api_token", "region"];

/// The columns of the log's export.
pub const EXPORT_HEADER: [&str; 10] = [
    "id",
    "date",
    "acteur",
    "action",
    "objet",
    "identifiant",
    "region",
    "resume",
    "ip",
    "request_id",
];

impl AuditEntry {
    /// The entry as a row of the export, under [`EXPORT_HEADER`] (the moment in RFC 3339).
    pub fn export_row(&self) -> [String; 10] {
        let at = self
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        [
            self.id.to_string(),
            at,
            self.actor.clone(),
            self.action.clone(),
            self.entity.clone(),
            text(&self.entity_id),
            text(&self.region_code),
            self.summary.clone(),
            text(&self.ip),
            text(&self.request_id),
        ]
    }
}
