//! Conventions between a team and an establishment or a CPTS, with the signed PDF.

use super::{bounded, optional};
use crate::{
    Arg, Db, FieldError, Filter, Result, StoreError, Tx, bind_args, conflict_on, now, on_db, on_tx,
};
use cratb_domain::{ConventionService, ConventionStatus, Scope};
use serde::{Deserialize, Serialize};
use time::Date;

/// A convention, as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Convention {
    pub id: i64,
    pub region_code: String,
    pub team_id: i64,
    pub team_name: String,
    pub establishment_id: Option<i64>,
    pub cpts_id: Option<i64>,
    /// The partner's name (establishment or CPTS).
    pub partner_name: String,
    /// The partner's FINESS number (establishments only).
    pub partner_finess: Option<String>,
    /// `ES`, `EMS`, or `VILLE` for a CPTS.
    pub partner_sector: String,
    /// Services, comma-separated (`advice,audits,training`).
    pub scope: String,
    /// As recorded: `draft`, `signed`, `expired`, `terminated`.
    pub status: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub signed_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<Date>,
    pub notes: String,
    pub document_name: Option<String>,
    pub document_size: Option<i64>,
}

impl Convention {
    /// The status today: a signed convention past its expiry date is expired.
    pub fn effective_status(&self, today: Date) -> ConventionStatus {
        ConventionStatus::parse(&self.status)
            .unwrap_or(ConventionStatus::Draft)
            .effective(self.expires_on, today)
    }

    /// Days until expiry of a convention in force, if it expires within `window` days.
    pub fn expires_within(&self, today: Date, window: i64) -> Option<i64> {
        let end = self.expires_on?;
        let days = (end - today).whole_days();
        (self.effective_status(today) == ConventionStatus::Signed && days <= window).then_some(days)
    }
}

/// Raw input of a convention.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConventionInput {
    pub team_id: Option<i64>,
    /// The partner establishment (ES or EMS)…
    pub establishment_id: Option<i64>,
    /// …or the partner CPTS (a territory), never both.
    pub cpts_id: Option<i64>,
    /// `advice`, `audits`, `training`.
    pub services: Option<Vec<String>>,
    /// `draft`, `signed`, `expired`, `terminated`.
    pub status: Option<String>,
    /// `YYYY-MM-DD` (or `DD/MM/YYYY`).
    pub signed_on: Option<String>,
    pub expires_on: Option<String>,
    pub notes: Option<String>,
}

/// Who the team signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    Establishment(i64),
    Cpts(i64),
}

/// A checked convention. Build it with [`NewConvention::validate`].
#[derive(Debug, Clone)]
pub struct NewConvention {
    pub team_id: i64,
    pub partner: Partner,
    pub services: Vec<ConventionService>,
    pub status: ConventionStatus,
    pub signed_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub notes: String,
}

/// Reads a date as people type it: `2026-03-01` or `01/03/2026`.
pub fn parse_date(text: &str) -> Option<Date> {
    use time::format_description::well_known::Iso8601;
    let t = text.trim();
    Date::parse(t, &Iso8601::DATE).ok().or_else(|| {
        let parts: Vec<&str> = t.split(['/', '.']).collect();
        match parts.as_slice() {
            [d, m, y] if y.len() == 4 => {
                let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
                Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
            }
            _ => None,
        }
    })
}

impl NewConvention {
    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &ConventionInput) -> Result<NewConvention, Vec<FieldError>> {
        let mut errors = Vec::new();
        if input.team_id.is_none() {
            errors.push(FieldError::new(
                "team_id",
                "choisissez l'équipe (EMA) signataire",
                "choose the signing team (EMA)",
            ));
        }
        let partner = match (input.establishment_id, input.cpts_id) {
            (Some(e), None) => Some(Partner::Establishment(e)),
            (None, Some(c)) => Some(Partner::Cpts(c)),
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "establishment_id",
                    "une convention lie l'équipe à un établissement ou à une CPTS, pas aux deux",
                    "a convention binds the team to an establishment or to a CPTS, not both",
                ));
                None
            }
            (None, None) => {
                errors.push(FieldError::new(
                    "establishment_id",
                    "choisissez l'établissement ou la CPTS partenaire",
                    "choose the partner establishment or CPTS",
                ));
                None
            }
        };
        let services = match ConventionService::parse_list(
            &input.services.clone().unwrap_or_default().join(","),
        ) {
            Ok(s) if s.is_empty() => {
                errors.push(FieldError::new(
                    "services",
                    "cochez au moins une mission (conseil, audits, formation)",
                    "tick at least one service (advice, audits, training)",
                ));
                s
            }
            Ok(s) => s,
            Err(unknown) => {
                errors.push(FieldError::new(
                    "services",
                    format!("mission inconnue : {}", unknown.join(", ")),
                    format!("unknown service: {}", unknown.join(", ")),
                ));
                Vec::new()
            }
        };
        let status = optional(&input.status).and_then(ConventionStatus::parse);
        if status.is_none() {
            errors.push(FieldError::new(
                "status",
                "choisissez un statut dans la liste",
                "choose a status from the list",
            ));
        }
        let mut date = |field: &'static str, v: &Option<String>| match optional(v) {
            None => None,
            Some(t) => parse_date(t).or_else(|| {
                errors.push(FieldError::new(
                    field,
                    format!("« {t} » n'est pas une date (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"),
                    format!("“{t}” is not a date (expected DD/MM/YYYY or YYYY-MM-DD)"),
                ));
                None
            }),
        };
        let signed_on = date("signed_on", &input.signed_on);
        let expires_on = date("expires_on", &input.expires_on);
        if let (Some(s), Some(e)) = (signed_on, expires_on)
            && e <= s
        {
            errors.push(FieldError::new(
                "expires_on",
                "la date d'échéance doit être postérieure à la date de signature",
                "the expiry date must come after the signature date",
            ));
        }
        if status == Some(ConventionStatus::Signed) && signed_on.is_none() {
            errors.push(FieldError::new(
                "signed_on",
                "une convention signée porte sa date de signature",
                "a signed convention carries its signature date",
            ));
        }
        let notes = bounded(&mut errors, "notes", &input.notes, 2000).unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewConvention {
            team_id: input.team_id.expect("checked"),
            partner: partner.expect("checked"),
            services,
            status: status.expect("checked"),
            signed_on,
            expires_on,
            notes,
        })
    }

    fn ids(&self) -> (Option<i64>, Option<i64>) {
        match self.partner {
            Partner::Establishment(e) => (Some(e), None),
            Partner::Cpts(c) => (None, Some(c)),
        }
    }
}

/// A signed convention's PDF, checked: a PDF, not empty, at most [`Document::MAX_BYTES`].
#[derive(Debug, Clone)]
pub struct Document {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Document {
    /// The largest attachment kept: 10 MiB, enough for a scanned convention.
    pub const MAX_BYTES: usize = 10 * 1024 * 1024;

    /// Checks an upload: its content must start like a PDF whatever its name or declared type.
    pub fn check(filename: &str, bytes: Vec<u8>) -> Result<Document, FieldError> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(FieldError::new(
                "document",
                format!(
                    "le fichier fait {:.1} Mo ; 10 Mo au plus sont acceptés",
                    bytes.len() as f64 / 1_048_576.0
                ),
                format!(
                    "the file is {:.1} MB; at most 10 MB is accepted",
                    bytes.len() as f64 / 1_048_576.0
                ),
            ));
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(FieldError::new(
                "document",
                format!(
                    "« {filename} » n'est pas un PDF : joignez la convention signée au format PDF"
                ),
                format!("“{filename}” is not a PDF: attach the signed convention as a PDF"),
            ));
        }
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("convention.pdf")
            .chars()
            .filter(|c| !c.is_control() && *c != '"')
            .take(200)
            .collect();
        Ok(Document {
            filename: if name.is_empty() {
                "convention.pdf".into()
            } else {
                name
            },
            bytes,
        })
    }
}

const CONVENTION_SELECT: &str = "SELECT c.id, c.region_code, c.team_id, t.name AS team_name,
        c.establishment_id, c.cpts_id, COALESCE(e.name, k.name) AS partner_name, e.finess AS partner_finess,
        COALESCE(e.sector, 'VILLE') AS partner_sector, c.scope, c.status, c.signed_on, c.expires_on, c.notes,
        d.filename AS document_name, d.size AS document_size
    FROM conventions c JOIN ema_teams t ON t.id = c.team_id
    LEFT JOIN establishments e ON e.id = c.establishment_id
    LEFT JOIN territories k ON k.id = c.cpts_id
    LEFT JOIN convention_documents d ON d.convention_id = c.id";

/// Checks that the team is in the scope and the partner in the team's region (an establishment
/// of sector ES or EMS, or a CPTS). Returns the region.
async fn check_convention_links(tx: &mut Tx, scope: &Scope, c: &NewConvention) -> Result<String> {
    let region = super::teams::team_region(tx, scope, c.team_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::Invalid("team_id"),
            e => e,
        })?;
    let ok = match c.partner {
        Partner::Establishment(id) => {
            let found: Option<(String, String)> = on_tx!(tx, c => sqlx::query_as(
                "SELECT region_code, sector FROM establishments WHERE id = $1")
                .bind(id).fetch_optional(c).await)?;
            found.is_some_and(|(r, s)| r == region && s != "VILLE")
        }
        Partner::Cpts(id) => {
            let found: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
                "SELECT region_code FROM territories WHERE id = $1 AND kind = 'CPTS'")
                .bind(id).fetch_optional(c).await)?;
            found.as_deref() == Some(region.as_str())
        }
    };
    if !ok {
        return Err(StoreError::Invalid(match c.partner {
            Partner::Establishment(_) => "establishment_id",
            Partner::Cpts(_) => "cpts_id",
        }));
    }
    Ok(region)
}

/// Creates a convention, with its PDF if given.
pub async fn create_convention(
    tx: &mut Tx,
    scope: &Scope,
    c: &NewConvention,
    doc: Option<&Document>,
    actor: &str,
) -> Result<i64> {
    let region = check_convention_links(tx, scope, c).await?;
    let (establishment, cpts) = c.ids();
    let at = now();
    on_tx!(tx, conn => async {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conventions (region_code, team_id, establishment_id, cpts_id, scope, status, signed_on,
                expires_on, notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
            .bind(&region).bind(c.team_id).bind(establishment).bind(cpts)
            .bind(ConventionService::join(&c.services)).bind(c.status.code())
            .bind(c.signed_on).bind(c.expires_on).bind(&c.notes).bind(at)
            .fetch_one(&mut *conn).await?;
        if let Some(d) = doc {
            sqlx::query("INSERT INTO convention_documents (convention_id, filename, size, content, uploaded_by, uploaded_at)
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(&d.filename).bind(d.bytes.len() as i64).bind(&d.bytes).bind(actor).bind(at)
                .execute(&mut *conn).await?;
        }
        Ok::<i64, sqlx::Error>(id)
    }.await)
    .map_err(conflict_on("expires_on"))
}

/// Replaces a convention's fields; a new PDF, if given, replaces the old one. Returns the
/// convention's region.
pub async fn update_convention(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    c: &NewConvention,
    doc: Option<&Document>,
    actor: &str,
) -> Result<String> {
    let current: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT region_code FROM conventions WHERE id = $1").bind(id).fetch_optional(conn).await)?;
    let current = current
        .filter(|r| scope.allows(r))
        .ok_or(StoreError::NotFound)?;
    let region = check_convention_links(tx, scope, c).await?;
    if region != current {
        return Err(StoreError::Invalid("team_id"));
    }
    let (establishment, cpts) = c.ids();
    let at = now();
    on_tx!(tx, conn => async {
        sqlx::query(
            "UPDATE conventions SET team_id = $1, establishment_id = $2, cpts_id = $3, scope = $4, status = $5,
                signed_on = $6, expires_on = $7, notes = $8, updated_at = $9 WHERE id = $10")
            .bind(c.team_id).bind(establishment).bind(cpts).bind(ConventionService::join(&c.services))
            .bind(c.status.code()).bind(c.signed_on).bind(c.expires_on).bind(&c.notes).bind(at).bind(id)
            .execute(&mut *conn).await?;
        if let Some(d) = doc {
            sqlx::query("DELETE FROM convention_documents WHERE convention_id = $1").bind(id).execute(&mut *conn).await?;
            sqlx::query("INSERT INTO convention_documents (convention_id, filename, size, content, uploaded_by, uploaded_at)
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(&d.filename).bind(d.bytes.len() as i64).bind(&d.bytes).bind(actor).bind(at)
                .execute(&mut *conn).await?;
        }
        Ok::<(), sqlx::Error>(())
    }.await)
    .map_err(conflict_on("expires_on"))?;
    Ok(region)
}

/// A convention's region, team and partner, as its audit entry names them.
pub async fn convention_names(tx: &mut Tx, id: i64) -> Result<(String, String, String)> {
    let row: Option<(String, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT c.region_code, t.name, COALESCE(e.name, k.name, '') FROM conventions c
         JOIN ema_teams t ON t.id = c.team_id
         LEFT JOIN establishments e ON e.id = c.establishment_id
         LEFT JOIN territories k ON k.id = c.cpts_id WHERE c.id = $1")
        .bind(id).fetch_optional(c).await)?;
    row.ok_or(StoreError::NotFound)
}

/// Filters of the convention list.
#[derive(Debug, Clone, Default)]
pub struct ConventionQuery {
    /// Effective status: `draft`, `signed` (in force), `expired`, `terminated`.
    pub status: Option<String>,
    pub team_id: Option<i64>,
    /// Only conventions in force that expire within this many days.
    pub expiring_within: Option<i64>,
}

/// The scope's conventions, soonest expiry first.
pub async fn list_conventions(
    db: &Db,
    scope: &Scope,
    q: &ConventionQuery,
    today: Date,
) -> Result<Vec<Convention>> {
    let mut f = Filter::default();
    f.scope(scope, "c.region_code");
    match optional(&q.status).and_then(ConventionStatus::parse) {
        Some(ConventionStatus::Signed) => {
            f.push(
                "c.status = 'signed' AND (c.expires_on IS NULL OR c.expires_on >= ?)",
                [Arg::Date(today)],
            );
        }
        Some(ConventionStatus::Expired) => {
            f.push(
                "(c.status = 'expired' OR (c.status = 'signed' AND c.expires_on < ?))",
                [Arg::Date(today)],
            );
        }
        Some(s) => {
            f.push("c.status = ?", [Arg::Text(s.code().into())]);
        }
        None => {}
    }
    if let Some(t) = q.team_id {
        f.push("c.team_id = ?", [Arg::Int(t)]);
    }
    if let Some(days) = q.expiring_within {
        f.push(
            "c.status = 'signed' AND c.expires_on >= ? AND c.expires_on <= ?",
            [
                Arg::Date(today),
                Arg::Date(today + time::Duration::days(days.clamp(0, 3660))),
            ],
        );
    }
    let sql = format!(
        "{CONVENTION_SELECT}{} ORDER BY c.expires_on IS NULL, c.expires_on, partner_name, c.id",
        f.sql()
    );
    Ok(
        on_db!(db, p => bind_args!(sqlx::query_as::<_, Convention>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// One convention of the scope.
pub async fn get_convention(db: &Db, scope: &Scope, id: i64) -> Result<Convention> {
    let mut f = Filter::default();
    f.push("c.id = ?", [Arg::Int(id)])
        .scope(scope, "c.region_code");
    let sql = format!("{CONVENTION_SELECT}{}", f.sql());
    on_db!(db, p => bind_args!(sqlx::query_as::<_, Convention>(sqlx::AssertSqlSafe(sql)), f.args).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// A convention's PDF: file name and bytes.
pub async fn document(db: &Db, scope: &Scope, id: i64) -> Result<(String, Vec<u8>)> {
    get_convention(db, scope, id).await?;
    on_db!(db, p => sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT filename, content FROM convention_documents WHERE convention_id = $1")
        .bind(id).fetch_optional(p).await)?
    .ok_or(StoreError::NotFound)
}
