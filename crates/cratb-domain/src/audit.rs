//! The audit log as read: who did what, when, on which entity of which region; and its export
//! layout.

use crate::Lang;
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
pub const ENTITIES: [&str; 15] = [
    "session",
    "user",
    "api_token",
    "region",
    "establishment",
    "territory",
    "professional",
    "ema_team",
    "convention",
    "regional_centre",
    "isolate_import",
    "consumption_import",
    "primary_care_import",
    "consumption_target",
    "ddd_table",
];

/// Actions that happen many times a day in the normal course of work (reading isolates,
/// signing in and out): kept in the log, left out of the home page's recent activity.
pub const ROUTINE_ACTIONS: [&str; 3] = ["isolates.read", "login.success", "logout"];

/// What an action code means, in words (`login.success` → "Connexion réussie"); an unknown
/// code is shown as it is.
pub fn action_label(code: &str, lang: Lang) -> &str {
    let (fr, en) = match code {
        "login.success" => ("Connexion réussie", "Successful sign-in"),
        "login.failure" => ("Échec de connexion", "Failed sign-in"),
        "login.throttled" => ("Connexions ralenties", "Sign-ins slowed down"),
        "login.password" => ("Mot de passe changé", "Password changed"),
        "logout" => ("Déconnexion", "Sign-out"),
        "logout.everywhere" => ("Déconnexion de tous les appareils", "Signed out everywhere"),
        "password.forgot" => ("Mot de passe oublié", "Forgotten password"),
        "password.reset" => ("Mot de passe réinitialisé", "Password reset"),
        "mfa.enrol" => (
            "Double authentification activée",
            "Two-factor authentication on",
        ),
        "mfa.disable" => (
            "Double authentification désactivée",
            "Two-factor authentication off",
        ),
        "mfa.reset" => (
            "Double authentification réinitialisée",
            "Two-factor authentication reset",
        ),
        "mfa.region_policy" => (
            "Règle de double authentification de la région",
            "Region's two-factor rule",
        ),
        "user.create" => ("Création de compte", "Account created"),
        "user.edit" => ("Modification de compte", "Account changed"),
        "user.enable" => ("Compte réactivé", "Account enabled"),
        "user.disable" => ("Compte désactivé", "Account disabled"),
        "user.password" => (
            "Mot de passe d'un compte changé",
            "Account password changed",
        ),
        "user.reset_link" => ("Lien de mot de passe envoyé", "Password link sent"),
        "user.sessions_end" => ("Sessions d'un compte fermées", "Account's sessions ended"),
        "token.create" => ("Création de jeton d'API", "API token created"),
        "token.revoke" => ("Révocation de jeton d'API", "API token revoked"),
        "establishment.create" => ("Création d'établissement", "Establishment created"),
        "establishment.update" => ("Modification d'établissement", "Establishment changed"),
        "territory.create" => ("Création de territoire", "Territory created"),
        "professional.create" => ("Ajout à l'annuaire", "Directory entry added"),
        "professional.update" => ("Modification de l'annuaire", "Directory entry changed"),
        "professional.restore" => (
            "Version de l'annuaire restaurée",
            "Directory version restored",
        ),
        "professional.confirm" => (
            "Fiche confirmée par son titulaire",
            "Entry confirmed by its holder",
        ),
        "professional.correction_approve" => ("Correction acceptée", "Correction approved"),
        "professional.correction_reject" => ("Correction refusée", "Correction rejected"),
        "professional.link" => ("Fiche liée à un compte", "Entry linked to an account"),
        "directory.import" => ("Import de l'annuaire", "Directory import"),
        "directory.export" => ("Export de l'annuaire", "Directory export"),
        "directory.campaign" => (
            "Campagne de confirmation de l'annuaire",
            "Directory confirmation campaign",
        ),
        "team.create" => ("Création d'équipe", "Team created"),
        "team.update" => ("Modification d'équipe", "Team changed"),
        "team.member" => (
            "Membre d'équipe ajouté ou modifié",
            "Team member added or changed",
        ),
        "team.member_remove" => ("Membre d'équipe retiré", "Team member removed"),
        "convention.create" => ("Création de convention", "Agreement created"),
        "convention.update" => ("Modification de convention", "Agreement changed"),
        "convention.remind" => (
            "Rappels d'échéance de conventions",
            "Agreement expiry reminders",
        ),
        "centre.update" => ("Coordonnées du CRAtb modifiées", "Centre's contact changed"),
        "isolates.import" => ("Import d'isolats", "Isolate import"),
        "isolates.read" => ("Lecture des isolats", "Isolates read"),
        "resistance.reporting_floor" => (
            "Seuil de diffusion de la résistance",
            "Resistance reporting threshold",
        ),
        "consumption.import" => ("Import de consommation", "Consumption import"),
        "consumption.recompute" => ("Recalcul des DDJ", "DDD recomputed"),
        "consumption.target" => ("Objectif de consommation", "Consumption target"),
        "primary_care.import" => ("Import des données de ville", "Primary-care import"),
        "ddd_table.load" => ("Chargement d'une édition ATC/DDJ", "ATC/DDD edition loaded"),
        _ => return code,
    };
    lang.pick(fr, en)
}

/// What an entity code means, in words (`establishment` → "Établissement"); what was read is
/// named with its format (`antibiogram.pdf` → "Antibiogramme (PDF)"); an unknown code is shown
/// as it is.
pub fn entity_label(code: &str, lang: Lang) -> String {
    let (head, format) = match code.rsplit_once('.') {
        Some((h, f)) if ["csv", "xlsx", "pdf", "json", "parquet"].contains(&f) => (h, Some(f)),
        _ => (code, None),
    };
    let (fr, en) = match head {
        "session" => ("Session", "Session"),
        "user" => ("Compte", "Account"),
        "api_token" => ("Jeton d'API", "API token"),
        "region" => ("Région", "Region"),
        "establishment" => ("Établissement", "Establishment"),
        "territory" => ("Territoire", "Territory"),
        "professional" => ("Fiche de l'annuaire", "Directory entry"),
        "ema_team" => ("Équipe multidisciplinaire (EMA)", "Stewardship team (EMA)"),
        "convention" => ("Convention", "Agreement"),
        "regional_centre" => ("CRAtb", "Regional centre"),
        "isolate_import" => ("Import d'isolats", "Isolate import"),
        "consumption_import" => ("Import de consommation", "Consumption import"),
        "primary_care_import" => ("Import des données de ville", "Primary-care import"),
        "consumption_target" => ("Objectif de consommation", "Consumption target"),
        "ddd_table" => ("Édition ATC/DDJ", "ATC/DDD edition"),
        "antibiogram" => ("Antibiogramme", "Antibiogram"),
        "resistance.alerts" => ("BMR et BHRe", "Resistant organisms of concern"),
        "api" => ("API", "API"),
        _ => return code.to_owned(),
    };
    let name = lang.pick(fr, en);
    match format {
        Some(f) => format!("{name} ({})", f.to_uppercase()),
        None => name.to_owned(),
    }
}

/// A region named in words ("Région Auvergne-Rhône-Alpes"); an unknown code as it is.
pub fn region_label(code: &str, lang: Lang) -> String {
    match crate::geo::region(code) {
        Some(r) => format!("{} {}", lang.pick("Région", "Region"), r.name),
        None => code.to_owned(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_objects_and_regions_read_as_words() {
        assert_eq!(action_label("login.success", Lang::Fr), "Connexion réussie");
        assert_eq!(
            action_label("isolates.read", Lang::Fr),
            "Lecture des isolats"
        );
        assert_eq!(action_label("isolates.read", Lang::En), "Isolates read");
        assert_eq!(action_label("something.new", Lang::Fr), "something.new");
        assert_eq!(entity_label("establishment", Lang::Fr), "Établissement");
        assert_eq!(
            entity_label("antibiogram.pdf", Lang::Fr),
            "Antibiogramme (PDF)"
        );
        assert_eq!(
            entity_label("resistance.alerts.csv", Lang::Fr),
            "BMR et BHRe (CSV)"
        );
        assert_eq!(entity_label("mystery", Lang::En), "mystery");
        assert_eq!(region_label("84", Lang::Fr), "Région Auvergne-Rhône-Alpes");
        assert_eq!(region_label("99", Lang::Fr), "99");
        for e in ENTITIES {
            assert_ne!(entity_label(e, Lang::Fr), e, "{e} has no French label");
        }
        for a in ROUTINE_ACTIONS {
            assert_ne!(action_label(a, Lang::Fr), a, "{a} has no French label");
        }
    }
}
