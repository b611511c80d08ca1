//! What the use cases' tests share: a fresh, migrated database of their own (SQLite, or
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set), a statement run on it, a number read
//! from it.

#![allow(dead_code)]

use cratb_store::Db;

pub use cratb_testkit::scalar as count;

/// A new, migrated database for one test.
pub async fn fresh() -> Db {
    let url = cratb_testkit::fresh_database("cratb_app").await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

/// Runs `sql` (one or several statements) on `db`.
pub async fn run(db: &Db, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
        Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
    }
    .unwrap();
}
