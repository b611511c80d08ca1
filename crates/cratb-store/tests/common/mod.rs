//! What the store's tests share: a fresh, migrated database on the backend in use (SQLite, or
//! PostgreSQL when `CRATB_TEST_DATABASE_URL` is set), the two regions they work in, and a few
//! rows every area needs (establishments, territories, professionals, accounts).

#![allow(dead_code)]

use cratb_directory::professionals::{NewProfessional, ProfessionalInput};
use cratb_domain::{Email, Finess, RegionCode, Role, Scope};
use cratb_domain::{EstablishmentInput, NewEstablishment, NewTerritory, NewUser};
use cratb_store::Db;

/// Auvergne-Rhône-Alpes (department 38, Isère): where the tests work.
pub const ARA: &str = "84";
/// Bretagne (department 29, Finistère): the other region, whose rows must stay out of sight.
pub const BZH: &str = "53";

/// A new, migrated database of its own for one test.
pub async fn fresh() -> Db {
    fresh_at().await.0
}

/// [`fresh`], with the database's URL.
pub async fn fresh_at() -> (Db, String) {
    let url = cratb_testkit::fresh_database("cratb_store").await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (db, url)
}

pub fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// The scope of a regional account of `code`.
/// Access to a region's rows, as a scope that reaches it gives it.
pub fn access(code: &str) -> cratb_domain::RegionAccess {
    Scope::National.access(code).expect("a region")
}

pub fn scope(code: &str) -> Scope {
    Scope::Region(region(code))
}

/// A valid FINESS number of department `dep`.
pub fn finess(dep: &str, sequence: u32) -> String {
    Finess::from_parts(dep, sequence)
        .unwrap()
        .as_str()
        .to_owned()
}

/// A checked establishment of department `dep` (its FINESS from `sequence`).
pub fn new_establishment(
    dep: &str,
    sequence: u32,
    name: &str,
    category: &str,
    ght: Option<i64>,
) -> NewEstablishment {
    NewEstablishment::validate(&EstablishmentInput {
        finess: Some(finess(dep, sequence)),
        name: Some(name.into()),
        category: Some(category.into()),
        department: Some(dep.into()),
        ght_id: ght,
        beds: Some(120),
        commune: Some(format!("Commune {dep}")),
    })
    .unwrap()
}

/// Creates an establishment (in the region of its department) and returns its id.
pub async fn establishment(db: &Db, dep: &str, sequence: u32, name: &str, category: &str) -> i64 {
    let e = new_establishment(dep, sequence, name, category, None);
    let access = Scope::National.access(e.region()).unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = cratb_store::establishments::create(&mut tx, &access, &e)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Creates a GHT or a CPTS over `deps` and returns its id.
pub async fn territory(db: &Db, kind: &str, name: &str, deps: &[&str]) -> i64 {
    let t = NewTerritory::validate(kind, name, deps).unwrap();
    let mut tx = db.begin().await.unwrap();
    let access = Scope::National.access(t.region).unwrap();
    let id = cratb_store::reference::create_territory(&mut tx, &access, &t)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The input of a professional of region `reg`.
pub fn professional_input(last: &str, first: &str, reg: &str) -> ProfessionalInput {
    ProfessionalInput {
        last_name: Some(last.into()),
        first_name: Some(first.into()),
        profession: Some("infectiologist".into()),
        email: Some(
            format!("{}.{}@chu.test", first, last)
                .to_lowercase()
                .replace(' ', ""),
        ),
        region: Some(reg.into()),
        ..Default::default()
    }
}

/// Creates a professional from `input` and returns their id.
pub async fn professional(db: &Db, input: &ProfessionalInput) -> i64 {
    let p = NewProfessional::validate(input, None).unwrap();
    let mut tx = db.begin().await.unwrap();
    let access = Scope::National.access(p.region.as_str()).unwrap();
    let id = cratb_store::directory::create(&mut tx, &access, &p, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A password the policy accepts.
pub const PASSWORD: &str = "Correct-horse-battery-staple-42";

/// Creates an active account and returns its id.
pub async fn user(db: &Db, email: &str, role: Role, reg: Option<&str>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = cratb_store::users::create(
        &mut tx,
        &NewUser {
            email: Email::parse(email).unwrap(),
            display_name: format!("Compte {email}"),
            role,
            region: reg.map(region),
            establishments: vec![],
            teams: vec![],
            password: Some(PASSWORD.into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// One number read from the database.
pub async fn count(db: &Db, sql: &str) -> i64 {
    cratb_testkit::scalar(db, sql).await
}

/// Runs a statement of the test's own; the database's error, if it refused it.
pub async fn exec(db: &Db, sql: &str) -> Result<u64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
    }
}

/// Whether `r` is `NotFound`.
pub fn not_found<T: std::fmt::Debug>(r: cratb_store::Result<T>) -> bool {
    matches!(r, Err(cratb_store::StoreError::NotFound))
}
