//! Keeping the directory fresh: a yearly campaign gives each professional a signed link, valid
//! for a few weeks and usable once, to review their own entry. Confirming without change
//! records the confirmation at once; corrections wait for the secretary's approval. The rules
//! (when a link may be used, what an answer amounts to) are `cratb_directory::campaign`'s.

use super::{get, in_region};
use crate::Dialect;
use crate::{Db, Result, StoreError, Tx, now, on_db, on_tx};
use cratb_directory::campaign::{
    self as rules, Campaign, Decided, Invitation, LINK_VALID_DAYS, LinkError, Outcome,
    PendingChange,
};
use cratb_directory::professionals::{NewProfessional, Professional, Snapshot};
use cratb_domain::{RegionAccess, RegionCode, Scope};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

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

/// Creates a link for every professional of `access`'s region with an e-mail address
/// (replacing their unused earlier links) and records the campaign. Returns the invitations to
/// send.
pub async fn start_campaign(
    db: &Db,
    access: &RegionAccess,
    actor: &str,
    entry: Option<&(dyn Fn(usize) -> crate::audit::NewEntry + Sync)>,
) -> Result<Vec<Invitation>> {
    let region = access.as_str();
    let secret = crate::secret(db, SECRET_KEY).await?;
    let people: Vec<Professional> = in_region(db, access)
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
            .bind(at).bind(region).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO confirmation_campaigns (region_code, started_by, started_at, recipients) VALUES ($1, $2, $3, $4)")
            .bind(region).bind(actor).bind(at).bind(people.len() as i64).execute(&mut *tx).await?;
        for p in &people {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO confirmation_links (professional_id, region_code, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(p.id).bind(region).bind(at).bind(expires_at).fetch_one(&mut *tx).await?;
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

/// The last campaign of `access`'s region.
pub async fn last_campaign(db: &Db, access: &RegionAccess) -> Result<Option<Campaign>> {
    let row: Option<(String, OffsetDateTime, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT started_by, started_at, recipients FROM confirmation_campaigns WHERE region_code = $1 ORDER BY started_at DESC LIMIT 1")
        .bind(access.as_str()).fetch_optional(p).await)?;
    Ok(row.map(|(started_by, started_at, recipients)| Campaign {
        started_by,
        started_at,
        recipients,
    }))
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

/// A genuine, unexpired and unused link, and the entry it opens. Only [`open`] makes one: the
/// token's signature stands for a session, and the link reaches its own entry only.
#[derive(Debug, Clone)]
pub struct Link {
    id: i64,
    professional: Professional,
}

impl Link {
    /// The entry the link opens.
    pub fn professional(&self) -> &Professional {
        &self.professional
    }
}

/// The entry a link opens, if the link is genuine, unexpired and unused.
pub async fn open(db: &Db, token: &str) -> Result<Result<Link, LinkError>> {
    let secret = crate::secret(db, SECRET_KEY).await?;
    let Some((id, expires)) = rules::token_parts(token) else {
        return Ok(Err(LinkError::Invalid));
    };
    let expected = sign(&secret, id, expires);
    if !same(expected.as_bytes(), token.as_bytes()) {
        return Ok(Err(LinkError::Invalid));
    }
    let row: Option<LinkRow> = on_db!(db, p => sqlx::query_as(
        "SELECT professional_id, region_code, expires_at, used_at, revoked_at FROM confirmation_links WHERE id = $1")
        .bind(id).fetch_optional(p).await)?;
    let Some(link) = row else {
        return Ok(Err(LinkError::Invalid));
    };
    if let Err(e) = rules::usable(link.used_at, link.revoked_at, link.expires_at, now()) {
        return Ok(Err(e));
    }
    let region = RegionCode::parse(&link.region_code).map_err(|_| StoreError::NotFound)?;
    let professional = get(db, &Scope::Region(region), link.professional_id).await?;
    Ok(Ok(Link { id, professional }))
}

/// Equal bytes, compared in constant time (a signature is never guessed byte by byte).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Uses `link` (once) with what the professional sent: their entry confirmed, or their
/// corrections kept for approval; `entry`, if given, makes the audit entry of the answer,
/// written with it. A link used meanwhile is `Conflict("token")`.
pub async fn answer(
    db: &Db,
    link: &Link,
    sent: &NewProfessional,
    entry: Option<&(dyn Fn(Outcome) -> crate::audit::NewEntry + Sync)>,
) -> Result<Outcome> {
    let p = &link.professional;
    let at = now();
    let proposed = sent.snapshot();
    let outcome = Outcome::of(&Snapshot::of(p), &proposed);
    let data = sent.snapshot_json();
    let used = on_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query("UPDATE confirmation_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(at).bind(link.id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            match outcome {
                Outcome::Confirmed => {
                    sqlx::query("UPDATE professionals SET confirmed_at = $1 WHERE id = $2 AND region_code = $3")
                        .bind(at).bind(p.id).bind(&p.region_code).execute(&mut *tx).await?;
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

/// A correction as stored.
type PendingRow = (i64, i64, String, OffsetDateTime);

fn pending_change((id, professional_id, data, submitted_at): PendingRow) -> PendingChange {
    PendingChange {
        id,
        professional_id,
        data,
        submitted_at,
    }
}

/// The corrections of `access`'s region waiting for approval, oldest first.
pub async fn pending(db: &Db, access: &RegionAccess) -> Result<Vec<PendingChange>> {
    let rows: Vec<PendingRow> = on_db!(db, p => sqlx::query_as(
        "SELECT id, professional_id, data, submitted_at FROM pending_changes
         WHERE status = 'pending' AND region_code = $1 ORDER BY submitted_at, id")
        .bind(access.as_str()).fetch_all(p).await)?;
    Ok(rows.into_iter().map(pending_change).collect())
}

/// How many corrections wait for approval in the scope's regions.
pub async fn pending_count(db: &Db, scope: &Scope) -> Result<i64> {
    let mut f = crate::Filter::default();
    f.push("status = 'pending'", []).scope(scope, "region_code");
    let sql = format!("SELECT COUNT(*) FROM pending_changes{}", f.sql());
    Ok(
        on_db!(db, p => crate::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), f.args).fetch_one(p).await)?,
    )
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
    let (professional_id, data, region_code, first_name, last_name) =
        row.ok_or(StoreError::NotFound)?;
    let access = scope.access(&region_code).ok_or(StoreError::NotFound)?;
    let at = now();
    if approve {
        let snapshot = Snapshot::parse(&data).ok_or(StoreError::Invalid("data"))?;
        let new = NewProfessional::validate(&snapshot.input(), Some(access.region()))
            .map_err(|_| StoreError::Invalid("data"))?;
        super::update(
            tx,
            &access,
            professional_id,
            &new,
            actor,
            Some(rules::APPROVED),
        )
        .await?;
        super::confirm(tx, &access, professional_id, at).await?;
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
