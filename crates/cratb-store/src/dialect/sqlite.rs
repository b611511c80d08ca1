//! SQLite: one writer at a time, parameters bound slowly, JSON unpacked in SQL.

use super::Dialect;
use sqlx::{Sqlite, SqlitePool, Transaction};

impl Dialect for SqlitePool {
    type Db = Sqlite;
    /// Takes the write lock at once (`BEGIN IMMEDIATE`), so that a transaction waits for a
    /// running writer within the busy timeout rather than failing with "database is locked"
    /// when it would upgrade from reading.
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
    /// One server writes an SQLite file: the process-wide lock is all there is to take.
    async fn lock_imports(
        &self,
        _: &mut Transaction<'static, Sqlite>,
        _: &str,
    ) -> sqlx::Result<()> {
        Ok(())
    }
    /// The ids after the greatest: the write lock is held, so nobody takes them meanwhile.
    async fn reserve_ids(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        table: &str,
        n: usize,
    ) -> sqlx::Result<Vec<i64>> {
        let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(id), 0) FROM {table}"
        )))
        .fetch_one(&mut **tx)
        .await?;
        Ok((max + 1..=max + n as i64).collect())
    }
    /// The driver binds in time quadratic in the number of parameters: small batches.
    fn insert_batch(&self) -> usize {
        32
    }
    fn comma_list(&self, expr: &str) -> String {
        format!("group_concat({expr}, ',' ORDER BY {expr})")
    }
    fn staged_imports(&self) -> bool {
        true
    }
}

/// Inserts `rows` with one statement: `sql` reads them from `json_each($3)` (each row a JSON
/// array, `e.value->>0` its first field), `$1` and `$2` being `import_id` and `region`. One
/// parameter instead of thousands: SQLite's fastest way in without COPY.
pub(crate) async fn insert_json<R: serde::Serialize>(
    tx: &mut Transaction<'static, Sqlite>,
    sql: &'static str,
    import_id: i64,
    region: &str,
    rows: &[R],
) -> sqlx::Result<()> {
    let text = serde_json::to_string(rows).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(sql)
        .bind(import_id)
        .bind(region)
        .bind(text)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
