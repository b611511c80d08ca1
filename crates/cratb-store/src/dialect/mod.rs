//! Where SQLite and PostgreSQL differ, one module per backend: how a write transaction opens,
//! how a region's imports are serialised across servers, how ids are reserved ahead of a
//! batched insert, how many rows go in one statement, how texts are aggregated, and how large
//! imports write their rows (`postgres::copy_csv`, `sqlite::insert_json`). Every other query of
//! the store is the same SQL on both, run through [`on_db!`](crate::on_db).

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// What a backend does its own way. Implemented by each backend's pool, so that the body of an
/// `on_db!` (written once, compiled for each backend) calls the right one.
pub(crate) trait Dialect {
    type Db: sqlx::Database;
    /// Opens a write transaction.
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Db>>;
    /// Serialises the imports holding `key` across server instances until `tx` ends (the
    /// process-wide lock of `imports::serialise` is enough where only one server writes).
    async fn lock_imports(
        &self,
        tx: &mut sqlx::Transaction<'static, Self::Db>,
        key: &str,
    ) -> sqlx::Result<()>;
    /// `n` fresh ids of `table`, taken at once so that rows referring to them can be written
    /// in batches.
    async fn reserve_ids(
        &self,
        tx: &mut sqlx::Transaction<'static, Self::Db>,
        table: &str,
        n: usize,
    ) -> sqlx::Result<Vec<i64>>;
    /// Rows of a multi-row `INSERT … VALUES` per statement.
    fn insert_batch(&self) -> usize;
    /// The SQL aggregating the texts of `expr` into one, comma-separated and sorted.
    fn comma_list(&self, expr: &str) -> String;
    /// Whether a large import is written in short transactions under a pending record (see
    /// `imports`), rather than in one.
    fn staged_imports(&self) -> bool;
}
