//! The network directory: professionals of a region, with their checked identifiers and their
//! consent to appear in the public search, field by field.

use crate::{
    Arg, Db, FieldError, Filter, Page, PageRequest, Result, StoreError, conflict_on, now, on_db,
};
use crate::{Tx, on_tx};
use cratb_domain::{Email, Finess, NetworkRole, Phone, Profession, RegionCode, Rpps, Scope};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A professional, as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    #[schema(value_type = Option<String>, format = DateTime)]
    pub confirmed_at: Option<OffsetDateTime>,
}

/// Raw input, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
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
fn lenient_bool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
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

fn optional(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
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
        let rpps = match optional(&input.rpps).map(Rpps::parse) {
            Some(Err(e)) => {
                errors.push(FieldError::of("rpps", &e));
                None
            }
            other => other.and_then(|r| r.ok()),
        };
        let email = match optional(&input.email).map(Email::parse) {
            Some(Err(e)) => {
                errors.push(FieldError::of("email", &e));
                None
            }
            other => other.and_then(|r| r.ok()),
        };
        let phone = match optional(&input.phone).map(Phone::parse) {
            Some(Err(e)) => {
                errors.push(FieldError::of("phone", &e));
                None
            }
            other => other.and_then(|r| r.ok()),
        };
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

impl NewProfessional {
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
            establishments: p
                .establishments
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            territory_id: p.territory_id,
        }
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
            network_roles: Some(
                self.network_roles
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect(),
            ),
            establishments: Some(self.establishments.clone()),
            territory_id: self.territory_id,
            public_name: Some(self.public_name),
            public_email: Some(self.public_email),
            public_phone: Some(self.public_phone),
        }
    }

    /// What differs from `before`, in French, for the history (`téléphone, e-mail`).
    fn changes_from(&self, before: &Snapshot) -> String {
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
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
        serde_json::from_str(&self.data).ok()
    }
}

/// The columns of an entry; its establishments come from [`WITH_ESTABLISHMENTS`] for one entry,
/// from [`fill_establishments`] for many (computed per row, they would cost a lookup for every
/// matching row before the sort and the page cut).
const COLUMNS: &str = "SELECT id, region_code, last_name, first_name, profession, rpps, email, phone, \
     public_name, public_email, public_phone, network_roles, confirmed_at, territory_id, \
     (SELECT t.name FROM territories t WHERE t.id = p.territory_id) AS territory_name";

const WITH_ESTABLISHMENTS: &str = ", COALESCE((SELECT STRING_AGG(e.finess, ',' ORDER BY e.finess) FROM professional_establishments pe \
        JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id = p.id), '') AS establishments \
     FROM professionals p";

/// Sets the establishments of a page of entries, in one query.
async fn fill_establishments(db: &Db, items: &mut [Professional]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut by_id: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in items.chunks(1000) {
        let ids = chunk
            .iter()
            .map(|p| p.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pe.professional_id, e.finess FROM professional_establishments pe
             JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id IN ({ids}) ORDER BY e.finess")))
            .fetch_all(p).await)?;
        for (id, f) in rows {
            by_id.entry(id).or_default().push(f);
        }
    }
    for p in items.iter_mut() {
        p.establishments = by_id.remove(&p.id).unwrap_or_default().join(",");
    }
    Ok(())
}

/// The FINESS numbers of `p` that name no establishment of its region, each with its message.
pub async fn check_establishments(db: &Db, p: &NewProfessional) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    for f in &p.establishments {
        let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
            "SELECT id FROM establishments WHERE finess = $1 AND region_code = $2")
            .bind(f.as_str()).bind(p.region.as_str()).fetch_optional(pool).await)?;
        if found.is_none() {
            errors.push(FieldError::new(
                "establishments",
                format!("FINESS {f} : aucun établissement de la région ne porte ce numéro"),
                format!("FINESS {f}: no establishment of the region has this number"),
            ));
        }
    }
    if !territory_in_region(db, p).await? {
        errors.push(FieldError::new(
            "territory_id",
            "ce territoire n'est pas un GHT ou une CPTS de la région",
            "this territory is not a GHT or CPTS of the region",
        ));
    }
    Ok(errors)
}

/// Replaces the establishments of professional `$id` within the transaction `$tx` (of either
/// backend); a FINESS number unknown in the region fails with `RowNotFound`.
macro_rules! link_establishments {
    ($tx:expr, $id:expr, $p:expr) => {{
        sqlx::query("DELETE FROM professional_establishments WHERE professional_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for f in &$p.establishments {
            let n = sqlx::query(
                "INSERT INTO professional_establishments (professional_id, establishment_id)
                 SELECT $1, id FROM establishments WHERE finess = $2 AND region_code = $3",
            )
            .bind($id)
            .bind(f.as_str())
            .bind($p.region.as_str())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(sqlx::Error::RowNotFound);
            }
        }
    }};
}

/// Whether the entry's territory, if any, is one of its region's.
async fn territory_in_region(db: &Db, p: &NewProfessional) -> Result<bool> {
    let Some(t) = p.territory_id else {
        return Ok(true);
    };
    let region: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT region_code FROM territories WHERE id = $1")
        .bind(t).fetch_optional(pool).await)?;
    Ok(region.as_deref() == Some(p.region.as_str()))
}

/// Refuses a territory outside the entry's region (the store's own guard, whatever the caller
/// checked).
async fn check_territory(tx: &mut Tx, p: &NewProfessional) -> Result<()> {
    let Some(t) = p.territory_id else {
        return Ok(());
    };
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM territories WHERE id = $1")
        .bind(t).fetch_optional(c).await)?;
    if region.as_deref() == Some(p.region.as_str()) {
        Ok(())
    } else {
        Err(StoreError::Invalid("territory_id"))
    }
}

/// An establishment that vanished between the check and the write, or a known RPPS number.
fn establishments_or_conflict(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::Invalid("establishments"),
        e => conflict_on("rpps")(e),
    }
}

/// Adds a professional (version 1 of the entry); a known RPPS number is a conflict on `rpps`.
pub async fn create(tx: &mut Tx, scope: &Scope, p: &NewProfessional, actor: &str) -> Result<i64> {
    if !scope.allows(p.region.as_str()) {
        return Err(StoreError::Invalid("region"));
    }
    check_territory(tx, p).await?;
    let at = now();
    let data = serde_json::to_string(&p.snapshot()).expect("a snapshot serialises");
    // An async block keeps each `?` inside, so that every database error goes through
    // `conflict_on` below.
    let id = on_tx!(tx, c => async {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO professionals (region_code, last_name, first_name, profession, rpps, email, phone,
                public_name, public_email, public_phone, network_roles, confirmed_at, created_at, updated_at, territory_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11, $11, $11, $13) RETURNING id")
            .bind(p.region.as_str()).bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
            .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
            .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
            .bind(p.public_name).bind(p.public_email).bind(p.public_phone).bind(at)
            .bind(NetworkRole::join(&p.network_roles)).bind(p.territory_id)
            .fetch_one(&mut *c).await?;
        link_establishments!(c, id, p);
        sqlx::query("INSERT INTO professional_versions (professional_id, version, data, actor, summary, changed_at)
                     VALUES ($1, 1, $2, $3, 'création', $4)")
            .bind(id).bind(&data).bind(actor).bind(at).execute(&mut *c).await?;
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(establishments_or_conflict)?;
    Ok(id)
}

/// Replaces an entry's fields and keeps the new version with what changed. The entry keeps its
/// region. Returns the version's summary.
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    p: &NewProfessional,
    actor: &str,
    note: Option<&str>,
) -> Result<String> {
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM professionals WHERE id = $1").bind(id).fetch_optional(c).await)?;
    if !region.is_some_and(|r| scope.allows(&r)) {
        return Err(StoreError::NotFound);
    }
    let last: Option<Version> = on_tx!(tx, c => sqlx::query_as::<_, Version>(
        "SELECT version, actor, summary, changed_at, data FROM professional_versions WHERE professional_id = $1
         ORDER BY version DESC LIMIT 1")
        .bind(id).fetch_optional(c).await)?;
    check_territory(tx, p).await?;
    let previous = last.as_ref().and_then(Version::snapshot);
    let next = last.as_ref().map_or(1, |v| v.version + 1);
    let snapshot = p.snapshot();
    let summary = match (note, &previous) {
        (Some(n), _) => n.to_string(),
        (None, Some(prev)) => snapshot.changes_from(prev),
        (None, None) => "modification".to_string(),
    };
    let data = serde_json::to_string(&snapshot).expect("a snapshot serialises");
    let at = now();
    on_tx!(tx, c => async {
        sqlx::query("UPDATE professionals SET last_name = $1, first_name = $2, profession = $3, rpps = $4, email = $5,
                phone = $6, public_name = $7, public_email = $8, public_phone = $9, updated_at = $10, network_roles = $12,
                territory_id = $13 WHERE id = $11")
            .bind(&p.last_name).bind(&p.first_name).bind(p.profession.code())
            .bind(p.rpps.as_ref().map(Rpps::as_str)).bind(p.email.as_ref().map(Email::to_string))
            .bind(p.phone.as_ref().map(|x| x.e164().to_string()))
            .bind(p.public_name).bind(p.public_email).bind(p.public_phone).bind(at).bind(id)
            .bind(NetworkRole::join(&p.network_roles)).bind(p.territory_id)
            .execute(&mut *c).await?;
        link_establishments!(c, id, p);
        sqlx::query("INSERT INTO professional_versions (professional_id, version, data, actor, summary, changed_at)
                     VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(next).bind(&data).bind(actor).bind(&summary).bind(at).execute(&mut *c).await?;
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(establishments_or_conflict)?;
    Ok(summary)
}

/// An entry's versions, newest first (`NotFound` outside the scope).
pub async fn history(db: &Db, scope: &Scope, id: i64) -> Result<Vec<Version>> {
    get(db, scope, id).await?;
    Ok(on_db!(db, p => sqlx::query_as::<_, Version>(
        "SELECT version, actor, summary, changed_at, data FROM professional_versions WHERE professional_id = $1 ORDER BY version DESC")
        .bind(id).fetch_all(p).await)?)
}

/// Filters of the directory.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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

/// An entry not confirmed for this long is flagged for review.
pub const CONFIRM_EVERY: time::Duration = time::Duration::days(365);

impl Professional {
    /// Whether the entry has gone unconfirmed for [`CONFIRM_EVERY`].
    pub fn is_stale(&self) -> bool {
        self.confirmed_at
            .is_none_or(|at| now() - at > CONFIRM_EVERY)
    }
}

/// Records that an entry was checked with the professional at `at`; returns its region.
pub async fn confirm(tx: &mut Tx, scope: &Scope, id: i64, at: OffsetDateTime) -> Result<String> {
    let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT region_code FROM professionals WHERE id = $1").bind(id).fetch_optional(c).await)?;
    let region = region
        .filter(|r| scope.allows(r))
        .ok_or(StoreError::NotFound)?;
    on_tx!(tx, c => sqlx::query("UPDATE professionals SET confirmed_at = $1 WHERE id = $2")
        .bind(at).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(region)
}

/// The scope's professionals, by name.
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &DirectoryQuery,
    page: PageRequest,
) -> Result<Page<Professional>> {
    let mut f = Filter::default();
    f.scope(scope, "p.region_code");
    if let Some(q) = optional(&query.q) {
        let like = crate::contains_pattern(q);
        f.push(
            "(LOWER(p.last_name) LIKE ? OR LOWER(p.first_name) LIKE ? OR LOWER(p.email) LIKE ? OR p.rpps LIKE ?)",
            [Arg::Text(like.clone()), Arg::Text(like.clone()), Arg::Text(like.clone()), Arg::Text(like)],
        );
    }
    if let Some(p) = optional(&query.profession) {
        f.push("p.profession = ?", [Arg::Text(p.to_lowercase())]);
    }
    if let Some(r) = optional(&query.role) {
        f.push(
            "(',' || p.network_roles || ',') LIKE ?",
            [Arg::Text(format!(
                "%,{},%",
                r.to_lowercase().replace('%', "")
            ))],
        );
    }
    if query.stale == Some(true) {
        f.push(
            "(p.confirmed_at IS NULL OR p.confirmed_at < ?)",
            [Arg::Time(now() - CONFIRM_EVERY)],
        );
    }
    let mut page: Page<Professional> = crate::fetch_page(
        db,
        &format!("{COLUMNS}, '' AS establishments FROM professionals p"),
        "SELECT COUNT(*) FROM professionals p",
        &f,
        "p.last_name, p.first_name, p.id",
        page,
    )
    .await?;
    fill_establishments(db, &mut page.items).await?;
    Ok(page)
}

/// Every professional of the scope, by name (for exports).
pub async fn all(db: &Db, scope: &Scope) -> Result<Vec<Professional>> {
    let mut f = Filter::default();
    f.scope(scope, "p.region_code");
    let sql = format!(
        "{COLUMNS}, '' AS establishments FROM professionals p{} ORDER BY p.last_name, p.first_name, p.id",
        f.sql()
    );
    let mut all = on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, Professional>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?;
    fill_establishments(db, &mut all).await?;
    Ok(all)
}

/// One professional of the scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Professional> {
    let mut f = Filter::default();
    f.push("p.id = ?", [Arg::Int(id)])
        .scope(scope, "p.region_code");
    let sql = format!("{COLUMNS}{WITH_ESTABLISHMENTS}{}", f.sql());
    on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, Professional>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// An establishment where a professional works.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Workplace {
    pub id: i64,
    pub finess: String,
    pub name: String,
}

/// The establishments where professional `id` works, by name (the caller has read the entry).
pub async fn workplaces(db: &Db, id: i64) -> Result<Vec<Workplace>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Workplace>(
        "SELECT e.id, e.finess, e.name FROM professional_establishments pe
         JOIN establishments e ON e.id = pe.establishment_id WHERE pe.professional_id = $1 ORDER BY e.name")
        .bind(id).fetch_all(p).await)?)
}

/// The EMA teams professional `id` belongs to: id and name.
pub async fn teams_of(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT t.id, t.name FROM ema_members m JOIN ema_teams t ON t.id = m.team_id
         WHERE m.professional_id = $1 ORDER BY t.name")
        .bind(id).fetch_all(p).await)?)
}

pub mod confirmation;
pub mod import;
