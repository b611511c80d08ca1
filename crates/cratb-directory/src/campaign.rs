//! Keeping the directory fresh: a yearly campaign gives each professional a link, valid for a
//! few weeks and usable once, to review their own entry. Confirming without change records the
//! confirmation at once; corrections wait for the secretary's approval. Here: when a link may
//! be used, what an answer amounts to, the letter that carries the link, and how a correction
//! reads beside the entry.

use crate::professionals::{Professional, ProfessionalInput, Snapshot};
use cratb_domain::{Bilingual, Lang, Profession};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How long a link stays valid.
pub const LINK_VALID_DAYS: i64 = 30;

/// Why a link cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    Invalid,
    /// Expired on this day (`dd/mm/yyyy`).
    Expired(String),
    /// Used on this day (`dd/mm/yyyy`), or a moment ago.
    Used(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Invalid => {
                f.write_str("ce lien n'est pas valide : vérifiez qu'il a été copié en entier")
            }
            LinkError::Expired(d) => write!(
                f,
                "ce lien a expiré le {d} : demandez-en un nouveau au secrétariat du CRAtb"
            ),
            LinkError::Used(d) => write!(
                f,
                "ce lien a déjà servi le {d} : il ne s'utilise qu'une fois"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

impl Bilingual for LinkError {
    fn en(&self) -> String {
        match self {
            LinkError::Invalid => "this link is not valid: check it was copied whole".into(),
            LinkError::Expired(d) => {
                format!("this link expired on {d}: ask the CRAtb secretariat for a new one")
            }
            LinkError::Used(d) => format!("this link was already used on {d}: it works only once"),
        }
    }
}

impl LinkError {
    /// A link another answer used a moment ago.
    pub fn just_used() -> LinkError {
        LinkError::Used(String::from("à l'instant"))
    }
}

/// A day as the links' messages and letters write it (`25/11/2026`), the day it is in Paris.
pub fn day(t: OffsetDateTime) -> String {
    cratb_domain::paris::day(t)
}

/// The parts of a link's token, `<link id>.<expiry, Unix seconds>.<signature>`: the id and
/// the expiry, if the token has that shape (its signature is checked by whoever holds the key).
pub fn token_parts(token: &str) -> Option<(i64, i64)> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(expires), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some((id.parse().ok()?, expires.parse().ok()?))
}

/// Whether a genuine link may still be used at `now`: never used, not replaced by a later
/// campaign, not expired.
pub fn usable(
    used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), LinkError> {
    if let Some(u) = used_at {
        return Err(LinkError::Used(day(u)));
    }
    if revoked_at.is_some() {
        return Err(LinkError::Invalid);
    }
    if expires_at < now {
        return Err(LinkError::Expired(day(expires_at)));
    }
    Ok(())
}

/// A link to send: who, where, and the token.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub professional: Professional,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// The last campaign of a region: when, by whom, how many recipients.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub started_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub recipients: i64,
}

/// What the professional did with their link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed: the entry is confirmed.
    Confirmed,
    /// Corrections: they wait for approval.
    Submitted,
}

impl Outcome {
    /// An answer that changes nothing confirms the entry; any change is a correction.
    pub fn of(current: &Snapshot, proposed: &Snapshot) -> Outcome {
        if current == proposed {
            Outcome::Confirmed
        } else {
            Outcome::Submitted
        }
    }
}

/// A correction waiting for approval.
#[derive(Debug, Clone)]
pub struct PendingChange {
    pub id: i64,
    pub professional_id: i64,
    pub data: String,
    pub submitted_at: OffsetDateTime,
}

impl PendingChange {
    pub fn snapshot(&self) -> Option<Snapshot> {
        Snapshot::parse(&self.data)
    }
}

/// A correction beside the entry it corrects, as the secretary reads it.
#[derive(Debug, Clone)]
pub struct Correction {
    pub id: i64,
    pub professional_id: i64,
    /// The professional's name, as the entry has it.
    pub name: String,
    pub submitted_at: OffsetDateTime,
    pub before: Snapshot,
    pub after: Snapshot,
}

impl Correction {
    /// Correction `c` of entry `p` (one that does not read changes nothing).
    pub fn of(c: &PendingChange, p: &Professional) -> Correction {
        let before = Snapshot::of(p);
        Correction {
            id: c.id,
            professional_id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            submitted_at: c.submitted_at,
            after: c.snapshot().unwrap_or_else(|| before.clone()),
            before,
        }
    }

    /// The fields it changes: label, before, after.
    pub fn changes(&self, lang: Lang) -> Vec<(&'static str, String, String)> {
        differences(&self.before, &self.after, lang)
    }
}

/// A correction decided: whose entry it was.
#[derive(Debug, Clone)]
pub struct Decided {
    pub professional_id: i64,
    pub region_code: String,
    pub first_name: String,
    pub last_name: String,
}

/// The history's note of a correction approved.
pub const APPROVED: &str = "corrections reçues par le lien de confirmation, approuvées";

/// The fields that differ between the entry and the correction: label, before, after.
pub fn differences(
    before: &Snapshot,
    after: &Snapshot,
    lang: Lang,
) -> Vec<(&'static str, String, String)> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let yes = |b: bool| if b { "oui" } else { "non" }.to_string();
    let profession =
        |code: &String| Profession::parse(code).map_or(code.clone(), |p| p.label(lang).into());
    let rows = [
        (
            lang.pick("Nom", "Last name"),
            before.last_name.clone(),
            after.last_name.clone(),
        ),
        (
            lang.pick("Prénom", "First name"),
            before.first_name.clone(),
            after.first_name.clone(),
        ),
        (
            "Profession",
            profession(&before.profession),
            profession(&after.profession),
        ),
        ("RPPS", opt(&before.rpps), opt(&after.rpps)),
        ("E-mail", opt(&before.email), opt(&after.email)),
        (
            lang.pick("Téléphone", "Phone"),
            opt(&before.phone),
            opt(&after.phone),
        ),
        (
            "FINESS",
            before.establishments.join(", "),
            after.establishments.join(", "),
        ),
        (
            lang.pick("Nom public", "Public name"),
            yes(before.public_name),
            yes(after.public_name),
        ),
        (
            lang.pick("E-mail public", "Public e-mail"),
            yes(before.public_email),
            yes(after.public_email),
        ),
        (
            lang.pick("Téléphone public", "Public phone"),
            yes(before.public_phone),
            yes(after.public_phone),
        ),
    ];
    rows.into_iter().filter(|(_, b, a)| b != a).collect()
}

/// The e-mail that carries a link: its subject and its text.
pub fn letter(p: &Professional, centre: &str, link: &str, until: &str) -> (String, String) {
    let name = format!("{} {}", p.first_name, p.last_name);
    (
        format!("{centre} : votre fiche de l'annuaire à vérifier"),
        format!(
            "Bonjour {name},\n\n\
         Le {centre} tient à jour l'annuaire régional du réseau de bon usage des antibiotiques, \
         dans lequel vous figurez. Une fois par an, nous vous demandons de vérifier votre fiche.\n\n\
         Ouvrez ce lien pour la confirmer ou la corriger (valable jusqu'au {until}, une seule fois) :\n{link}\n\n\
         Sans changement, un clic sur « Confirmer » suffit. Vos corrections seront vérifiées par le \
         secrétariat avant publication. Vous choisissez aussi ce qui apparaît dans la recherche publique.\n\n\
         Merci de votre aide,\nLe secrétariat du {centre}\n"
        ),
    )
}

/// What the professional sees and types on the page their link opens.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub profession: String,
    #[serde(default)]
    pub rpps: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub establishments: String,
    #[serde(default)]
    pub public_name: Option<String>,
    #[serde(default)]
    pub public_email: Option<String>,
    #[serde(default)]
    pub public_phone: Option<String>,
}

impl LinkForm {
    /// The form of an entry as it stands.
    pub fn of(p: &Professional) -> LinkForm {
        LinkForm {
            phone: p.readable_phone(),
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            profession: p.profession.clone(),
            rpps: p.rpps.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            establishments: p.establishments.replace(',', ", "),
            public_name: p.public_name.then(|| "on".into()),
            public_email: p.public_email.then(|| "on".into()),
            public_phone: p.public_phone.then(|| "on".into()),
        }
    }

    /// The input the answer makes of entry `p`: what the professional may change, the rest as
    /// it is.
    pub fn input(&self, p: &Professional) -> ProfessionalInput {
        ProfessionalInput {
            last_name: Some(self.last_name.clone()),
            first_name: Some(self.first_name.clone()),
            profession: Some(self.profession.clone()),
            rpps: Some(self.rpps.clone()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            region: None,
            // Network roles are the CRAtb's classification: kept as they are.
            network_roles: Some(p.role_codes()),
            establishments: Some(vec![self.establishments.clone()]),
            territory_id: p.territory_id,
            public_name: Some(self.public_name.is_some()),
            public_email: Some(self.public_email.is_some()),
            public_phone: Some(self.public_phone.is_some()),
        }
    }
}
