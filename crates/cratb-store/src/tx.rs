//! Write transactions on either backend: a use case writes its change and its audit entry in
//! one [`Tx`], so that both are kept or neither.

use crate::{Db, Dialect, Result};

/// An open write transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Db {
    /// Opens a write transaction (on SQLite, holding the write lock from the start).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_write().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin_write().await?),
        })
    }
}

impl Tx {
    /// Makes every write of the transaction durable, or none.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Runs the same expression against whichever connection `tx` holds (`$c` names it, a
/// `&mut` connection: reborrow it as `&mut *$c` for each query).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = t;
                $body
            }
        }
    };
}
