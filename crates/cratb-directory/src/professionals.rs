//! The professionals of a region's directory: what an entry is, the input that makes one and its
//! checks (every error at once, in French and English), the versions an entry keeps, the
//! form that edits it and the sheet its export writes.

use cratb_domain::field::{email_field, optional, phone_field};
use cratb_domain::{Email, FieldError};
use cratb_domain::{Finess, Lang, NetworkRole, Phone, Profession, RegionCode, Rpps};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A professional, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Professional {
    pub id: i64,
    pub region_code: String,
    pub last_name: String,
    pub first_name: String,
    /// `infectiologist`, `pharmacist`, `microbiologist`, `nurse`, `gp`, `hygienist`,
    /// `ehpad_physician`, `dentist`, `midwife` or `other`.
    pub profession: String,
    /// 11 digits, check key verified.
    pub rpps: Option<String>,
    pub email: Option<String>,
    /// E.164 (`+33476123456`).
    pub phone: Option<String>,
    pub public_name: bool,
    pub public_email: bool,
    pub public_phone: bool,
    /// Network roles, comma-separated codes (`ema_member,referent`).
    pub network_roles: String,
    /// FINESS numbers of the establishments where they work, comma-separated.
    pub establishments: String,
    /// The territory (GHT or CPTS) they work in.
    pub territory_id: Option<i64>,
    pub territory_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub confirmed_at: Option<OffsetDateTime>,
}

/// An entry not confirmed for this long is flagged for review.
pub const CONFIRM_EVERY: time::Duration = time::Duration::days(365);

impl Professional {
    /// Whether the entry has gone unconfirmed for [`CONFIRM_EVERY`] at `now`.
    pub fn is_stale(&self, now: OffsetDateTime) -> bool {
        self.confirmed_at.is_none_or(|at| now - at > CONFIRM_EVERY)
    }

    /// The labels of the entry's network roles, comma-separated.
    pub fn role_labels(&self, lang: Lang) -> String {
        NetworkRole::parse_list(&self.network_roles)
            .unwrap_or_default()
            .iter()
            .map(|r| r.label(lang))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The label of the entry's profession (`?` for a code no longer known).
    pub fn profession_label(&self, lang: Lang) -> &'static str {
        Profession::parse(&self.profession).map_or("?", |x| x.label(lang))
    }

    /// The telephone as people read it (`04 76 12 34 56`); empty when absent.
    pub fn readable_phone(&self) -> String {
        self.phone.as_deref().map_or(String::new(), |x| {
            Phone::parse(x).map_or(x.to_owned(), |p| p.to_string())
        })
    }

    /// The codes of the entry's network roles.
    pub fn role_codes(&self) -> Vec<String> {
        codes(&self.network_roles)
    }
}

/// The non-empty items of a comma-separated list.
fn codes(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// Raw input, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfessionalInput {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub profession: Option<String>,
    pub rpps: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Region (INSEE code); national accounts only, the others' is their own.
    pub region: Option<String>,
    /// Network roles: `ema_member`, `referent`, `ambassador`, `cpias`, `lab_correspondent`,
    /// `cratb_staff`.
    pub network_roles: Option<Vec<String>>,
    /// FINESS numbers of the establishments where they work (of their region).
    pub establishments: Option<Vec<String>>,
    /// The territory (GHT or CPTS of their region) they work in.
    pub territory_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub public_name: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub public_email: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub public_phone: Option<bool>,
}

/// A checked professional. Build it with [`NewProfessional::validate`].
#[derive(Debug, Clone)]
pub struct NewProfessional {
    pub region: RegionCode,
    pub last_name: String,
    pub first_name: String,
    pub profession: Profession,
    pub rpps: Option<Rpps>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub public_name: bool,
    pub public_email: bool,
    pub public_phone: bool,
    pub network_roles: Vec<NetworkRole>,
    pub establishments: Vec<Finess>,
    pub territory_id: Option<i64>,
}

/// A yes/no from JSON (`true`) or from a form's checkbox (`on`, `1`…).
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Given>::deserialize(d)? {
        None => None,
        Some(Given::Bool(b)) => Some(b),
        Some(Given::Text(t)) => match t.trim().to_lowercase().as_str() {
            "on" | "true" | "1" | "oui" | "yes" => Some(true),
            "" | "off" | "false" | "0" | "non" | "no" => Some(false),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "oui ou non attendu, « {other} » reçu"
                )));
            }
        },
    })
}

impl NewProfessional {
    /// Checks every field, returning all the errors at once. `own_region` is the caller's
    /// region (a regional account cannot file someone elsewhere).
    pub fn validate(
        input: &ProfessionalInput,
        own_region: Option<&RegionCode>,
    ) -> Result<NewProfessional, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut name = |field: &'static str, value: &Option<String>, fr: &str, en: &str| {
            let v = optional(value).unwrap_or("");
            if v.is_empty() {
                errors.push(FieldError::new(
                    field,
                    format!("{fr} est obligatoire"),
                    format!("{en} is required"),
                ));
            } else if v.chars().count() > 100 {
                errors.push(FieldError::new(
                    field,
                    format!("{fr} ne peut dépasser 100 caractères"),
                    format!("{en} cannot exceed 100 characters"),
                ));
            }
            v.to_string()
        };
        let last_name = name("last_name", &input.last_name, "le nom", "the last name");
        let first_name = name(
            "first_name",
            &input.first_name,
            "le prénom",
            "the first name",
        );
        let profession = optional(&input.profession).and_then(Profession::parse);
        if profession.is_none() {
            errors.push(FieldError::new(
                "profession",
                "choisissez une profession dans la liste",
                "choose a profession from the list",
            ));
        }
        let rpps = optional(&input.rpps)
            .map(Rpps::parse)
            .transpose()
            .map_err(|e| errors.push(FieldError::of("rpps", &e)))
            .ok()
            .flatten();
        let email = email_field(&mut errors, &input.email);
        let phone = phone_field(&mut errors, &input.phone);
        let network_roles = match NetworkRole::parse_list(
            &input.network_roles.clone().unwrap_or_default().join(","),
        ) {
            Ok(roles) => roles,
            Err(unknown) => {
                errors.push(FieldError::new(
                    "network_roles",
                    format!("rôle inconnu : {}", unknown.join(", ")),
                    format!("unknown role: {}", unknown.join(", ")),
                ));
                Vec::new()
            }
        };
        let mut establishments: Vec<Finess> = Vec::new();
        for f in input
            .establishments
            .iter()
            .flatten()
            .flat_map(|f| f.split([',', ';', '\n']))
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            match Finess::parse(f) {
                Ok(f) if !establishments.contains(&f) => establishments.push(f),
                Ok(_) => {}
                Err(e) => errors.push(FieldError::of("establishments", &e)),
            }
        }
        let region = match (own_region, optional(&input.region)) {
            (Some(own), _) => Some(own.clone()),
            (None, Some(r)) => match RegionCode::parse(r) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(FieldError::of("region", &e));
                    None
                }
            },
            (None, None) => {
                errors.push(FieldError::new(
                    "region",
                    "choisissez une région",
                    "choose a region",
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewProfessional {
            region: region.expect("checked above"),
            last_name,
            first_name,
            profession: profession.expect("checked above"),
            rpps,
            email,
            phone,
            public_name: input.public_name.unwrap_or(false),
            public_email: input.public_email.unwrap_or(false),
            public_phone: input.public_phone.unwrap_or(false),
            network_roles,
            establishments,
            territory_id: input.territory_id,
        })
    }

    /// The fields as one version keeps them.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            profession: self.profession.code().to_string(),
            rpps: self.rpps.as_ref().map(|r| r.to_string()),
            email: self.email.as_ref().map(|e| e.to_string()),
            phone: self.phone.as_ref().map(|p| p.e164().to_string()),
            public_name: self.public_name,
            public_email: self.public_email,
            public_phone: self.public_phone,
            network_roles: NetworkRole::join(&self.network_roles),
            establishments: self.establishments.iter().map(|f| f.to_string()).collect(),
            territory_id: self.territory_id,
        }
    }

    /// The version's JSON (`professional_versions.data`).
    pub fn snapshot_json(&self) -> String {
        serde_json::to_string(&self.snapshot()).expect("a snapshot serialises")
    }
}

/// The history's summary of an entry's first version.
pub const CREATED: &str = "création";
/// The history's summary of a change whose previous version cannot be read.
pub const CHANGED: &str = "modification";

/// What a new version's history line says: the note given, or what changed since `previous`.
pub fn summary(note: Option<&str>, previous: Option<&Snapshot>, next: &Snapshot) -> String {
    match (note, previous) {
        (Some(n), _) => n.to_string(),
        (None, Some(prev)) => next.changes_from(prev),
        (None, None) => CHANGED.to_string(),
    }
}

/// The fields of an entry as one version keeps them (JSON in `professional_versions.data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub last_name: String,
    pub first_name: String,
    pub profession: String,
    pub rpps: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub public_name: bool,
    pub public_email: bool,
    pub public_phone: bool,
    #[serde(default)]
    pub network_roles: String,
    #[serde(default)]
    pub establishments: Vec<String>,
    #[serde(default)]
    pub territory_id: Option<i64>,
}

impl Snapshot {
    /// The fields of an entry as it stands.
    pub fn of(p: &Professional) -> Snapshot {
        Snapshot {
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            profession: p.profession.clone(),
            rpps: p.rpps.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            public_name: p.public_name,
            public_email: p.public_email,
            public_phone: p.public_phone,
            network_roles: p.network_roles.clone(),
            establishments: codes(&p.establishments),
            territory_id: p.territory_id,
        }
    }

    /// A snapshot kept as JSON, if it reads.
    pub fn parse(data: &str) -> Option<Snapshot> {
        serde_json::from_str(data).ok()
    }

    /// The input that gives this version back (for a restore, checked again like any input).
    pub fn input(&self) -> ProfessionalInput {
        ProfessionalInput {
            last_name: Some(self.last_name.clone()),
            first_name: Some(self.first_name.clone()),
            profession: Some(self.profession.clone()),
            rpps: self.rpps.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            region: None,
            network_roles: Some(codes(&self.network_roles)),
            establishments: Some(self.establishments.clone()),
            territory_id: self.territory_id,
            public_name: Some(self.public_name),
            public_email: Some(self.public_email),
            public_phone: Some(self.public_phone),
        }
    }

    /// What differs from `before`, in French, for the history (`téléphone, e-mail`).
    pub fn changes_from(&self, before: &Snapshot) -> String {
        let fields: [(&str, bool); 9] = [
            ("rôles", self.network_roles != before.network_roles),
            ("territoire", self.territory_id != before.territory_id),
            (
                "établissements",
                self.establishments != before.establishments,
            ),
            (
                "nom",
                self.last_name != before.last_name || self.first_name != before.first_name,
            ),
            ("profession", self.profession != before.profession),
            ("RPPS", self.rpps != before.rpps),
            ("e-mail", self.email != before.email),
            ("téléphone", self.phone != before.phone),
            (
                "consentements",
                (self.public_name, self.public_email, self.public_phone)
                    != (before.public_name, before.public_email, before.public_phone),
            ),
        ];
        let changed: Vec<&str> = fields.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect();
        if changed.is_empty() {
            "aucun changement".into()
        } else {
            format!("modifié : {}", changed.join(", "))
        }
    }
}

/// One version of an entry.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub version: i64,
    pub actor: String,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
    pub data: String,
}

impl Version {
    pub fn snapshot(&self) -> Option<Snapshot> {
        Snapshot::parse(&self.data)
    }
}

/// The note of a version put back.
pub fn restored(version: i64) -> String {
    format!("version {version} restaurée")
}

/// Filters of the directory.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DirectoryQuery {
    /// Part of the name, e-mail or RPPS number.
    pub q: Option<String>,
    /// A profession code.
    pub profession: Option<String>,
    /// `true`: only entries not confirmed for 12 months (or never).
    pub stale: Option<bool>,
    /// A network role code (`ema_member`, `referent`…).
    pub role: Option<String>,
}

/// An establishment where a professional works.
#[derive(Debug, Clone, Serialize)]
pub struct Workplace {
    pub id: i64,
    pub finess: String,
    pub name: String,
}

/// The errors of an entry's places: the FINESS numbers that name no establishment of its
/// region, and a territory that is not one of its region's.
pub fn place_errors(unknown: &[Finess], territory_in_region: bool) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = unknown
        .iter()
        .map(|f| {
            FieldError::new(
                "establishments",
                format!("FINESS {f} : aucun établissement de la région ne porte ce numéro"),
                format!("FINESS {f}: no establishment of the region has this number"),
            )
        })
        .collect();
    if !territory_in_region {
        errors.push(territory_elsewhere());
    }
    errors
}

fn territory_elsewhere() -> FieldError {
    FieldError::new(
        "territory_id",
        "ce territoire n'est pas un GHT ou une CPTS de la région",
        "this territory is not a GHT or CPTS of the region",
    )
}

/// A write the store refused although the entry passed its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The field's value is another entry's (an RPPS number).
    Taken(&'static str),
    /// The field names something outside the entry's region, or gone since the check.
    Invalid(&'static str),
}

impl Refused {
    /// The refusal as the form shows it.
    pub fn field_error(self) -> FieldError {
        match self {
            Refused::Taken(f) => FieldError::new(
                f,
                "ce numéro RPPS figure déjà dans l'annuaire",
                "this RPPS number is already in the directory",
            ),
            Refused::Invalid("territory_id") => territory_elsewhere(),
            Refused::Invalid("establishments") => FieldError::new(
                "establishments",
                "un des établissements n'est plus dans l'annuaire de la région",
                "one of the establishments is no longer in the region's directory",
            ),
            Refused::Invalid(f) => FieldError::new(
                f,
                "cette région n'est pas la vôtre",
                "this region is not yours",
            ),
        }
    }
}

/// Why an earlier version cannot be put back: its RPPS number is another entry's since.
pub const RESTORE_TAKEN: &str =
    "cette version porte un numéro RPPS désormais utilisé par une autre fiche";

/// The entry form as typed (checkboxes are absent when unchecked; `network_roles` repeats).
#[derive(Debug, Clone, Default)]
pub struct ProfessionalForm {
    pub network_roles: Vec<String>,
    pub last_name: String,
    pub first_name: String,
    pub profession: String,
    pub rpps: String,
    pub email: String,
    pub phone: String,
    pub region: String,
    pub public_name: bool,
    pub public_email: bool,
    pub public_phone: bool,
    /// FINESS numbers, comma-separated.
    pub establishments: String,
    pub territory_id: String,
}

impl ProfessionalForm {
    /// The form's fields as sent.
    pub fn of_pairs(fields: Vec<(String, String)>) -> ProfessionalForm {
        let mut f = ProfessionalForm::default();
        for (key, value) in fields {
            let slot = match key.as_str() {
                "network_roles" => {
                    f.network_roles.push(value);
                    continue;
                }
                "public_name" => {
                    f.public_name = true;
                    continue;
                }
                "public_email" => {
                    f.public_email = true;
                    continue;
                }
                "public_phone" => {
                    f.public_phone = true;
                    continue;
                }
                "last_name" => &mut f.last_name,
                "first_name" => &mut f.first_name,
                "profession" => &mut f.profession,
                "rpps" => &mut f.rpps,
                "email" => &mut f.email,
                "phone" => &mut f.phone,
                "region" => &mut f.region,
                "territory_id" => &mut f.territory_id,
                "establishments" => &mut f.establishments,
                _ => continue,
            };
            *slot = value;
        }
        f
    }

    /// The form of an entry, to edit it.
    pub fn of(p: &Professional) -> ProfessionalForm {
        ProfessionalForm {
            network_roles: p.role_codes(),
            phone: p.readable_phone(),
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            profession: p.profession.clone(),
            rpps: p.rpps.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            region: p.region_code.clone(),
            public_name: p.public_name,
            public_email: p.public_email,
            public_phone: p.public_phone,
            establishments: p.establishments.replace(',', ", "),
            territory_id: p.territory_id.map(|t| t.to_string()).unwrap_or_default(),
        }
    }

    /// The input to check.
    pub fn input(&self) -> ProfessionalInput {
        let text = |s: &str| Some(s.to_string());
        ProfessionalInput {
            last_name: text(&self.last_name),
            first_name: text(&self.first_name),
            profession: text(&self.profession),
            rpps: text(&self.rpps),
            email: text(&self.email),
            phone: text(&self.phone),
            region: text(&self.region),
            network_roles: Some(self.network_roles.clone()),
            establishments: Some(vec![self.establishments.clone()]),
            // An unreadable choice names no territory of the region: the check says so.
            territory_id: Some(self.territory_id.trim())
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().unwrap_or(-1)),
            public_name: Some(self.public_name),
            public_email: Some(self.public_email),
            public_phone: Some(self.public_phone),
        }
    }
}

/// The columns of the directory's exports, which its import also reads.
pub const EXPORT_COLUMNS: [&str; 13] = [
    "last_name",
    "first_name",
    "profession",
    "rpps",
    "email",
    "phone",
    "network_roles",
    "establishments",
    "territory",
    "public_name",
    "public_email",
    "public_phone",
    "confirmed_on",
];

/// The directory as its export writes it (the columns its import reads).
pub fn export_sheet(all: &[Professional]) -> cratb_sheet::write::Table {
    use cratb_sheet::write::Cell;
    let yes_no = |b: bool| Cell::from(if b { "oui" } else { "non" });
    cratb_sheet::write::Table::new(
        "Annuaire",
        EXPORT_COLUMNS,
        all.iter()
            .map(|p| {
                vec![
                    p.last_name.as_str().into(),
                    p.first_name.as_str().into(),
                    p.profession.as_str().into(),
                    p.rpps.clone().into(),
                    p.email.clone().into(),
                    p.phone.clone().into(),
                    p.network_roles.as_str().into(),
                    p.establishments.as_str().into(),
                    p.territory_name.clone().into(),
                    yes_no(p.public_name),
                    yes_no(p.public_email),
                    yes_no(p.public_phone),
                    p.confirmed_at.map(|t| t.date().to_string()).into(),
                ]
            })
            .collect(),
    )
}
