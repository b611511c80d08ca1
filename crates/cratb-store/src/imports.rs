//! How imports write, on both backends.
//!
//! - **One at a time**: a region's imports of one kind are serialised, so that two data
//!   managers sending the same period at once leave one file's figures, never both summed.
//!   In the process by a lock per region and kind; on PostgreSQL also by a transaction-scoped
//!   advisory lock, which holds across server instances.
//! - **Short transactions on SQLite**: SQLite has one writer at a time, so a million-row import
//!   in one transaction would hold up every login and audit entry for its whole length. There
//!   an import is written in transactions of about a second ([`Pace`]) under an import record
//!   marked `pending`, which every reader leaves out, then made visible in one short
//!   transaction.
//!   A pending import left by a crash is removed when the database is next opened.
//!   PostgreSQL writes one transaction: its readers and writers do not wait for it.

use crate::{Db, Dialect, Result, on_db};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a transaction of a staged import holds SQLite's write lock, at most about.
const TX_TIME: Duration = Duration::from_secs(1);

/// The pause between two transactions of a staged import. SQLite gives the lock to no one in
/// particular: a waiting login polls for it, every 100 ms at most, so a pause a little longer
/// than that lets every writer waiting take its turn.
const GAP: Duration = Duration::from_millis(110);

/// Paces a staged import: transactions of about [`TX_TIME`], each followed by [`GAP`] with the
/// lock free. The import is about a tenth slower; nobody waits more than about a second.
pub(crate) struct Pace(Instant);

impl Pace {
    pub(crate) fn start() -> Pace {
        Pace(Instant::now())
    }
    /// Whether the transaction under way has held the lock long enough.
    pub(crate) fn due(&self) -> bool {
        self.0.elapsed() >= TX_TIME
    }
    /// Leaves the lock free for the others (call between commit and the next transaction).
    pub(crate) async fn pause(&mut self) {
        tokio::time::sleep(GAP).await;
        self.0 = Instant::now();
    }
}

/// What an import adds to or replaces in a region.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Isolates,
    HospitalConsumption,
    PrimaryCare,
}

impl Kind {
    pub(crate) fn key(self, region: &str) -> String {
        let kind = match self {
            Kind::Isolates => "isolates",
            Kind::HospitalConsumption => "hospital_consumption",
            Kind::PrimaryCare => "primary_care",
        };
        format!("import:{kind}:{region}")
    }
}

/// Held for the whole of an import: the next import of the same kind and region waits for it.
pub(crate) struct Serialised(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

/// Waits for the other imports of `kind` in `region` in this process to finish.
pub(crate) async fn serialise(region: &str, kind: Kind) -> Serialised {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let lock = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(kind.key(region))
        .or_default()
        .clone();
    Serialised(lock.lock_owned().await)
}

/// Whether imports are staged in short transactions (SQLite) rather than written in one.
pub(crate) fn staged(db: &Db) -> bool {
    on_db!(db, p => p.staged_imports())
}

/// Removes what one failed import wrote, rows first, then its pending record: only its own,
/// so that another import staged at the same moment (another region, another kind) keeps its
/// rows.
pub(crate) async fn discard(db: &Db, imports: &str, rows: &[&str], id: i64) -> Result<()> {
    let Db::Sqlite(p) = db else { return Ok(()) };
    for rows in rows {
        let mut tx = p.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {rows} WHERE import_id = $1"
        )))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {imports} WHERE id = $1 AND pending"
    )))
    .bind(id)
    .execute(p)
    .await?;
    Ok(())
}

/// Removes what pending imports wrote (left by a crash: run when the database is opened, before
/// any import can start), rows first.
pub(crate) async fn discard_pending(db: &Db) -> Result<()> {
    let Db::Sqlite(p) = db else { return Ok(()) };
    for (rows, imports) in [
        ("isolates", "isolate_imports"),
        ("hospital_consumption", "consumption_imports"),
        ("hospital_denominators", "consumption_imports"),
    ] {
        let mut tx = p.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {rows} WHERE import_id IN (SELECT id FROM {imports} WHERE pending)"
        )))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    for imports in ["isolate_imports", "consumption_imports"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {imports} WHERE pending"
        )))
        .execute(p)
        .await?;
    }
    Ok(())
}
