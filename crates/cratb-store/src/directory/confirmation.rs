//! Keeping the directory fresh: a yearly campaign gives each professional a signed link, valid
//! for a few weeks and usable once, to review their own entry. Confirming without change
//! records the confirmation at once; corrections wait for the secretary's approval.

use super::{NewProfessional, Professional, Snapshot, get};
use crate::Dialect;
use crate::{Db, Result, StoreError, Tx, now, on_db, on_tx};
use cratb_domain::{RegionCode, Scope};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use time::OffsetDateTime;

/// How long a link stays valid.
pub const LINK_VALID_DAYS: i64 = 30;

/// The settings key of the secret that signs links.
const SECRET_KEY: &str = "confirmation_link_secret";

/// A link's token: `<link id>.<expiry, Unix seconds>.<HMAC-SHA-256 of both, hex>`. The
/// signature lets a forged or altered link be refused before any lookup; the database says
/// whether it was used.
fn sign(secret: &[u8], id: i64, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{expires}").as_bytes());
    format!(
        "{id}.{expires}.{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Why a link cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("ce lien n'est pas valide : vérifiez qu'il a été copié en entier")]
    Invalid,
    #[error("ce lien a expiré le {0} : demandez-en un nouveau au secrétariat du CRAtb")]
    Expired(String),
    #[error("ce lien a déjà servi le {0} : il ne s'utilise qu'une fois")]
    Used(String),
}

impl cratb_domain::Bilingual for LinkError {
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

fn day(t: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year())
}

/// A link to send: who, where, and the token.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub professional: Professional,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Creates a link for every professional of `region` with an e-mail address (replacing their
/// unused earlier links) and records the campaign. Returns the invitations to send.
pub async fn start_campaign(
    db: &Db,
    scope: &Scope,
    region: &RegionCode,
    actor: &str,
    entry: Option<&(dyn Fn(usize) -> crate::audit::NewEntry + Sync)>,
) -> Result<Vec<Invitation>> {
    if !scope.allows(region.as_str()) {
        return Err(StoreError::Invalid("region"));
    }
    let secret = crate::secret(db, SECRET_KEY).await?;
    let people: Vec<Professional> = super::all(db, &Scope::Region(region.clone()))
        .await?
        .into_iter()
        .filter(|p| p.email.is_some())
        .collect();
    let at = now();
    let expires_at = at + time::Duration::days(LINK_VALID_DAYS);
    let mut invitations = Vec::with_capacity(people.len());
    on_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query("UPDATE confirmation_links SET revoked_at = $1 WHERE region_code = $2 AND used_at IS NULL AND revoked_at IS NULL")
            .bind(at).bind(region.as_str()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO confirmation_campaigns (region_code, started_by, started_at, recipients) VALUES ($1, $2, $3, $4)")
            .bind(region.as_str()).bind(actor).bind(at).bind(people.len() as i64).execute(&mut *tx).await?;
        for p in &people {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO confirmation_links (professional_id, region_code, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(p.id).bind(region.as_str()).bind(at).bind(expires_at).fetch_one(&mut *tx).await?;
            invitations.push(Invitation {
                professional: p.clone(),
                token: sign(&secret, id, expires_at.unix_timestamp()),
                expires_at,
            });
        }
        if let Some(entry) = entry {
            crate::audit::insert_entry!(entry(people.len())).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await)?;
    Ok(invitations)
}

/// The last campaign of a region: when, by whom, how many recipients.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub started_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub recipients: i64,
}

pub async fn last_campaign(db: &Db, region: &str) -> Result<Option<Campaign>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Campaign>(
        "SELECT started_by, started_at, recipients FROM confirmation_campaigns WHERE region_code = $1 ORDER BY started_at DESC LIMIT 1")
        .bind(region).fetch_optional(p).await)?)
}

/// A link as stored.
#[derive(sqlx::FromRow)]
struct LinkRow {
    professional_id: i64,
    region_code: String,
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

/// The entry a link opens, if the link is genuine, unexpired and unused.
pub async fn open(db: &Db, token: &str) -> Result<Result<(i64, Professional), LinkError>> {
    let secret = crate::secret(db, SECRET_KEY).await?;
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(expires), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(Err(LinkError::Invalid));
    };
    let (Ok(id), Ok(expires)) = (id.parse::<i64>(), expires.parse::<i64>()) else {
        return Ok(Err(LinkError::Invalid));
    };
    let expected = sign(&secret, id, expires);
    if !same(expected.as_bytes(), token.as_bytes()) {
        return Ok(Err(LinkError::Invalid));
    }
    let row: Option<LinkRow> = on_db!(db, p => sqlx::query_as(
        "SELECT professional_id, region_code, expires_at, used_at, revoked_at FROM confirmation_links WHERE id = $1")
        .bind(id).fetch_optional(p).await)?;
    let Some(LinkRow {
        professional_id: pid,
        region_code: region,
        expires_at,
        used_at,
        revoked_at,
    }) = row
    else {
        return Ok(Err(LinkError::Invalid));
    };
    if let Some(u) = used_at {
        return Ok(Err(LinkError::Used(day(u))));
    }
    if revoked_at.is_some() {
        return Ok(Err(LinkError::Invalid));
    }
    if expires_at < now() {
        return Ok(Err(LinkError::Expired(day(expires_at))));
    }
    let region = RegionCode::parse(&region).map_err(|_| StoreError::NotFound)?;
    Ok(Ok((id, get(db, &Scope::Region(region), pid).await?)))
}

/// Equal bytes, compared in constant time (a signature is never guessed byte by byte).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the professional did with their link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed: the entry is confirmed.
    Confirmed,
    /// Corrections: they wait for approval.
    Submitted,
}

/// Uses link `link_id` (once) on professional `p` with what they sent; `entry`, if given, makes
/// the audit entry of the answer, written with it.
pub async fn answer(
    db: &Db,
    link_id: i64,
    p: &Professional,
    sent: &NewProfessional,
    entry: Option<&(dyn Fn(Outcome) -> crate::audit::NewEntry + Sync)>,
) -> Result<Outcome> {
    let at = now();
    let current = Snapshot::of(p);
    let proposed = sent.snapshot();
    let outcome = if current == proposed {
        Outcome::Confirmed
    } else {
        Outcome::Submitted
    };
    let data = serde_json::to_string(&proposed).expect("a snapshot serialises");
    let used = on_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query("UPDATE confirmation_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(at).bind(link_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            match outcome {
                Outcome::Confirmed => {
                    sqlx::query("UPDATE professionals SET confirmed_at = $1 WHERE id = $2")
                        .bind(at).bind(p.id).execute(&mut *tx).await?;
                }
                Outcome::Submitted => {
                    sqlx::query("INSERT INTO pending_changes (professional_id, region_code, data, submitted_at, status)
                                 VALUES ($1, $2, $3, $4, 'pending')")
                        .bind(p.id).bind(&p.region_code).bind(&data).bind(at).execute(&mut *tx).await?;
                }
            }
            if let Some(entry) = entry {
                crate::audit::insert_entry!(entry(outcome)).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok::<bool, sqlx::Error>(n == 1)
    }.await)?;
    if used {
        Ok(outcome)
    } else {
        Err(StoreError::Conflict("token"))
    }
}

/// A correction waiting for approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingChange {
    pub id: i64,
    pub professional_id: i64,
    pub data: String,
    pub submitted_at: OffsetDateTime,
}

impl PendingChange {
    pub fn snapshot(&self) -> Option<Snapshot> {
        serde_json::from_str(&self.data).ok()
    }
}

/// The scope's corrections waiting for approval, oldest first.
pub async fn pending(db: &Db, scope: &Scope) -> Result<Vec<PendingChange>> {
    let mut f = crate::Filter::default();
    f.push("status = 'pending'", []).scope(scope, "region_code");
    let sql = format!(
        "SELECT id, professional_id, data, submitted_at FROM pending_changes{} ORDER BY submitted_at, id",
        f.sql()
    );
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_as::<_, PendingChange>(sqlx::AssertSqlSafe(sql)), f.args).fetch_all(p).await)?,
    )
}

/// A correction decided: whose entry it was.
#[derive(Debug, Clone)]
pub struct Decided {
    pub professional_id: i64,
    pub region_code: String,
    pub first_name: String,
    pub last_name: String,
}

/// Approves (the entry gets the corrections as a new version, and is confirmed) or rejects a
/// pending correction of the scope.
pub async fn decide(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    approve: bool,
    actor: &str,
) -> Result<Decided> {
    let row: Option<(i64, String, String, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT c.professional_id, c.data, p.region_code, p.first_name, p.last_name
         FROM pending_changes c JOIN professionals p ON p.id = c.professional_id
         WHERE c.id = $1 AND c.status = 'pending'")
        .bind(id).fetch_optional(c).await)?;
    let (professional_id, data, region_code, first_name, last_name) = row
        .filter(|r| scope.allows(&r.2))
        .ok_or(StoreError::NotFound)?;
    let at = now();
    if approve {
        let snapshot: Snapshot =
            serde_json::from_str(&data).map_err(|_| StoreError::Invalid("data"))?;
        let region = RegionCode::parse(&region_code).map_err(|_| StoreError::NotFound)?;
        let new = NewProfessional::validate(&snapshot.input(), Some(&region))
            .map_err(|_| StoreError::Invalid("data"))?;
        super::update(
            tx,
            scope,
            professional_id,
            &new,
            actor,
            Some("corrections reçues par le lien de confirmation, approuvées"),
        )
        .await?;
        super::confirm(tx, scope, professional_id, at).await?;
    }
    on_tx!(tx, c => sqlx::query("UPDATE pending_changes SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
        .bind(if approve { "approved" } else { "rejected" }).bind(actor).bind(at).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(Decided {
        professional_id,
        region_code,
        first_name,
        last_name,
    })
}
