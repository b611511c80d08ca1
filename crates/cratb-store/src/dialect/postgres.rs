//! PostgreSQL: several servers may write, sequences give ids, COPY takes rows fastest.

use super::Dialect;
use sqlx::{PgPool, Postgres, Transaction};

impl Dialect for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Postgres>> {
        self.begin().await
    }
    /// A transaction-scoped advisory lock: it holds across server instances and goes with
    /// the transaction, whatever becomes of it.
    async fn lock_imports(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        key: &str,
    ) -> sqlx::Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
    /// From the table's sequence, so that another server's inserts never take the same ids.
    async fn reserve_ids(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        table: &str,
        n: usize,
    ) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
        )
        .bind(table)
        .bind(n as i64)
        .fetch_all(&mut **tx)
        .await
    }
    /// Thousands of parameters per statement are fine here.
    fn insert_batch(&self) -> usize {
        1000
    }
    fn comma_list(&self, expr: &str) -> String {
        format!("string_agg({expr}, ',' ORDER BY {expr})")
    }
    fn staged_imports(&self) -> bool {
        false
    }
}

/// Writes `rows` with `COPY … FROM STDIN WITH (FORMAT csv)` (`copy` is that statement), each
/// row serialised as one CSV record in the table's column order.
pub(crate) async fn copy_csv<R: serde::Serialize>(
    tx: &mut Transaction<'static, Postgres>,
    copy: &'static str,
    rows: impl IntoIterator<Item = R>,
) -> sqlx::Result<()> {
    let protocol = |e: csv::Error| sqlx::Error::Protocol(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(protocol)?;
    }
    let data = w
        .into_inner()
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut copy = tx.copy_in_raw(copy).await?;
    copy.send(data).await?;
    copy.finish().await?;
    Ok(())
}
