//! A change and its audit entry are one transaction, on SQLite and on PostgreSQL (when
//! `CRATB_TEST_DATABASE_URL` is set): when the audit entry cannot be written the change is
//! rolled back (an import too: its rows never show), and a change refused leaves no audit
//! entry.

mod common;

use common::*;

use cratb_app::{Actor, AppError, Channel};
use cratb_domain::{EstablishmentInput, NewEstablishment, NewTerritory};
use cratb_domain::{RegionCode, Scope};
use cratb_store::Db;

/// Makes every audit insert fail, or stops doing so.
async fn refuse_audit(db: &Db, refuse: bool) {
    let sql = match (db, refuse) {
        (Db::Sqlite(_), true) => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END;"
        }
        (Db::Sqlite(_), false) => "DROP TRIGGER refuse_audit;",
        (Db::Postgres(_), true) => {
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
               FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
        }
        (Db::Postgres(_), false) => {
            "DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit();"
        }
    };
    run(db, sql).await;
}

fn coordinator() -> Actor {
    Actor {
        id: None,
        name: "coordination@test".into(),
        role: cratb_domain::Role::Coordinator,
        scope: Scope::Region(RegionCode::parse("84").unwrap()),
        channel: Channel::Web,
        ip: None,
        request_id: None,
    }
}

fn hospital(name: &str) -> NewEstablishment {
    NewEstablishment::validate(&EstablishmentInput {
        finess: Some("380780080".into()),
        name: Some(name.into()),
        category: Some("CH".into()),
        department: Some("38".into()),
        beds: Some(200),
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_change_whose_audit_entry_fails_is_rolled_back() {
    let db = fresh().await;
    let actor = coordinator();
    refuse_audit(&db, true).await;
    let refused = cratb_app::establishments::create(&db, &actor, &hospital("CH de test")).await;
    assert!(matches!(refused, Err(AppError::Store(_))), "{refused:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM establishments").await, 0);
    let ght = NewTerritory::validate("GHT", "GHT de test", &["38"]).unwrap();
    let refused = cratb_app::territories::create(&db, &actor, &ght).await;
    assert!(matches!(refused, Err(AppError::Store(_))), "{refused:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM territories").await, 0);
    refuse_audit(&db, false).await;

    // Once the audit log takes entries again: the change and its entry, together.
    let created = cratb_app::establishments::create(&db, &actor, &hospital("CH de test"))
        .await
        .unwrap();
    let updated =
        cratb_app::establishments::update(&db, &actor, created.id, &hospital("CH renommé"))
            .await
            .unwrap();
    assert_eq!(updated.name, "CH renommé");
    cratb_app::territories::create(&db, &actor, &ght)
        .await
        .unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 3);
}

#[tokio::test]
async fn a_change_refused_leaves_no_audit_entry() {
    let db = fresh().await;
    let actor = coordinator();
    let created = cratb_app::establishments::create(&db, &actor, &hospital("CH de test"))
        .await
        .unwrap();
    let entries = "SELECT COUNT(*) FROM audit_log";
    assert_eq!(count(&db, entries).await, 1);
    // The same FINESS again, an unknown establishment, another region's department.
    let again = cratb_app::establishments::create(&db, &actor, &hospital("Doublon")).await;
    assert!(
        matches!(again, Err(AppError::Conflict(ref f)) if f.field == "finess"),
        "{again:?}"
    );
    let missing =
        cratb_app::establishments::update(&db, &actor, created.id + 1000, &hospital("X")).await;
    assert!(matches!(missing, Err(AppError::NotFound)), "{missing:?}");
    let elsewhere = cratb_app::territories::create(
        &db,
        &actor,
        &NewTerritory::validate("GHT", "GHT breton", &["29"]).unwrap(),
    )
    .await;
    assert!(
        matches!(elsewhere, Err(AppError::Invalid(_))),
        "{elsewhere:?}"
    );
    assert_eq!(count(&db, entries).await, 1);
}

#[tokio::test]
async fn an_import_whose_audit_entry_fails_leaves_no_isolate() {
    let db = fresh().await;
    let actor = coordinator();
    let request = || cratb_store::resistance::ImportRequest {
        region_code: "84".into(),
        establishment_id: None,
        filename: "labo.csv".into(),
        bytes: b"patient_id;date;organism;CTX_mic;CIP\n\
                 P1;2025-01-03;E. coli;0.5;S\n\
                 P2;2025-01-04;K. pneumoniae;8;R\n"
            .to_vec(),
        options: cratb_amr::ReadOptions::default(),
        imported_by: None,
    };
    // Another region's import being staged at the same moment (SQLite writes an import in
    // short transactions under a pending record): a failed import must not take it away.
    let staged = matches!(db, Db::Sqlite(_));
    if staged {
        run(
            &db,
            "INSERT INTO isolate_imports (id, region_code, filename, guideline, rows_read, rows_imported,
                 rows_skipped, created_at, pending)
             VALUES (900, '53', 'en-cours.csv', 'EUCAST 2025', 1, 1, 0, '2026-11-30T00:00:00Z', 1)",
        )
        .await;
    }
    refuse_audit(&db, true).await;
    let refused = cratb_app::resistance::import(&db, &actor, request(), &|_| {}).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 0);
    let others = if staged { 1 } else { 0 };
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM isolate_imports").await,
        others,
        "the failed import left nothing, and the other one is still there"
    );
    if staged {
        run(&db, "DELETE FROM isolate_imports WHERE id = 900").await;
    }
    refuse_audit(&db, false).await;

    let done = cratb_app::resistance::import(&db, &actor, request(), &|_| {})
        .await
        .unwrap();
    assert_eq!(done.rows_imported, 2);
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.import' AND entity_id = '{}'",
        done.import_id
    );
    assert_eq!(count(&db, &audited).await, 1);
    // The removal and its entry, together too.
    refuse_audit(&db, true).await;
    let refused = cratb_app::resistance::remove_import(&db, &actor, &[], done.import_id).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 2);
    refuse_audit(&db, false).await;
    cratb_app::resistance::remove_import(&db, &actor, &[], done.import_id)
        .await
        .unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 0);
}
