//! Susceptibility results: a laboratory file imported whole or not at all, its patients
//! pseudonymised at entry (the clear identifier is nowhere in the database), the imports listed
//! and removed within their region, the region's isolates read back as a dataset.

mod common;

use common::*;
use cratb_domain::Scope;
use cratb_resistance::imports::ImportOutcome;
use cratb_store::resistance::{self, ImportError, ImportRequest, Pseudonymiser};
use cratb_store::{Db, StoreError};

/// Patient identifiers as a laboratory writes them, to be looked for in the database.
const ALICE: &str = "IPP-CLAIR-424242";
const BRUNO: &str = "IPP-CLAIR-737373";

fn file() -> Vec<u8> {
    format!(
        "patient_id;date;organism;CTX_mic;CIP\n\
         {ALICE};2025-01-03;E. coli;0.5;S\n\
         {BRUNO};2025-01-04;K. pneumoniae;8;R\n\
         {ALICE};2025-02-10;E. coli;4;R\n"
    )
    .into_bytes()
}

fn request(bytes: Vec<u8>) -> ImportRequest {
    ImportRequest {
        region_code: ARA.into(),
        establishment_id: None,
        filename: "labo.csv".into(),
        bytes,
        options: cratb_amr::ReadOptions::default(),
        imported_by: None,
    }
}

async fn import(
    db: &Db,
    scope: &Scope,
    request: ImportRequest,
) -> Result<ImportOutcome, ImportError> {
    resistance::import_file(db, scope, request, &|_| {}, None).await
}

/// Every (table, column) of the database.
async fn columns(db: &Db) -> Vec<(String, String)> {
    match db {
        Db::Sqlite(p) => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
             WHERE m.type = 'table'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

/// The (table, column) pairs where `text` appears in a value.
async fn where_is(db: &Db, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column) in columns(db).await {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%{text}%'"
        );
        if count(db, &sql).await > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

#[tokio::test]
async fn patients_are_pseudonymised_and_their_identifier_is_stored_nowhere() {
    let (db, url) = fresh_at().await;
    let done = import(&db, &scope(ARA), request(file())).await.unwrap();
    assert_eq!(
        (done.rows_read, done.rows_imported, done.rows_skipped),
        (3, 3, 0)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 3);

    // The same patient has the same key in every row; each key is the installation's keyed
    // hash of the identifier.
    let keys = Pseudonymiser::load(&db).await.unwrap();
    let alice = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM isolates WHERE patient_key = '{}'",
            keys.pseudonym(ALICE)
        ),
    )
    .await;
    assert_eq!(alice, 2);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT patient_key) FROM isolates").await,
        2
    );
    // Nowhere: not in any column of any table (where the search does find what is stored)…
    assert_eq!(where_is(&db, "CTX=").await, ["isolates.results"]);
    for id in [ALICE, BRUNO, "CLAIR"] {
        assert_eq!(where_is(&db, id).await, Vec::<String>::new(), "{id}");
    }
    // …nor, on SQLite, anywhere in the file's bytes.
    if let Some(path) = url.strip_prefix("sqlite://") {
        db.close().await;
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        assert!(!bytes.windows(5).any(|w| w == b"CLAIR"));
        assert!(bytes.windows(4).any(|w| w == b"CTX="), "the file was read");
    }
}

#[tokio::test]
async fn imports_are_listed_read_back_and_removed_within_their_region() {
    let db = fresh().await;
    let ara = scope(ARA);
    let done = import(&db, &ara, request(file())).await.unwrap();
    // Another region's account cannot import into this one.
    let r = import(&db, &scope(BZH), request(file())).await;
    assert!(
        matches!(r, Err(ImportError::Store(StoreError::NotFound))),
        "{r:?}"
    );

    let listed = resistance::list_imports(&db, &ara, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].id,
            listed[0].filename.as_str(),
            listed[0].rows_imported,
            listed[0].guideline.as_str()
        ),
        (done.import_id, "labo.csv", 3, done.guideline.as_str())
    );
    assert!(
        resistance::list_imports(&db, &scope(BZH), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(resistance::count(&db, &ara).await.unwrap(), 3);
    assert_eq!(resistance::count(&db, &scope(BZH)).await.unwrap(), 0);
    assert_eq!(
        resistance::regions_with_isolates(&db, &Scope::National)
            .await
            .unwrap(),
        [ARA]
    );
    assert_eq!(
        resistance::guidelines(&db, &access(ARA)).await.unwrap(),
        std::slice::from_ref(&done.guideline)
    );

    // Read back as a dataset: three isolates of two patients, both antimicrobials.
    let data = resistance::load_dataset(&db, &access(ARA)).await.unwrap();
    assert_eq!(data.len(), 3);
    let patients: std::collections::BTreeSet<u32> = data.patient.iter().copied().collect();
    assert_eq!(patients.len(), 2);
    assert_eq!(data.patient[0], data.patient[2], "Alice's two isolates");
    let mut agents: Vec<&str> = data.agents.iter().map(|a| a.code.as_str()).collect();
    agents.sort();
    assert_eq!(agents, ["CIP", "CTX"]);
    let cip = data.agents.iter().find(|a| a.code == "CIP").unwrap();
    assert_eq!(
        cip.results.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["S", "R", "R"]
    );
    assert_eq!(
        resistance::load_dataset(&db, &access(BZH))
            .await
            .unwrap()
            .len(),
        0
    );
    let stamp = resistance::stamp(&db, &access(ARA)).await.unwrap();

    // Removed: not from another region; then its isolates go with it.
    let mut tx = db.begin().await.unwrap();
    assert!(not_found(
        resistance::delete_import(&mut tx, &scope(BZH), done.import_id).await
    ));
    let removed = resistance::delete_import(&mut tx, &ara, done.import_id)
        .await
        .unwrap();
    assert_eq!(removed.rows_imported, 3);
    assert!(not_found(
        resistance::delete_import(&mut tx, &ara, done.import_id).await
    ));
    tx.commit().await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 0);
    assert!(
        resistance::list_imports(&db, &ara, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        resistance::load_dataset(&db, &access(ARA))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_ne!(resistance::stamp(&db, &access(ARA)).await.unwrap(), stamp);
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_unless_its_bad_rows_are_skipped() {
    let db = fresh().await;
    let ara = scope(ARA);
    let bad = format!(
        "patient_id;date;organism;CTX_mic;CIP\n\
         {ALICE};2025-01-03;E. coli;0.5;S\n\
         {BRUNO};2025-01-04;Escherichia colli;0.5;S\n\
         P3;31/02/2025;K. pneumoniae;beaucoup;R\n"
    )
    .into_bytes();
    let r = import(&db, &ara, request(bad.clone())).await;
    let Err(ImportError::Invalid { problems, total }) = r else {
        panic!("{r:?}")
    };
    assert!(total >= 2, "{problems:?}");
    let lines: std::collections::BTreeSet<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines.into_iter().collect::<Vec<_>>(), [3, 4]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolate_imports").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 0);

    let mut skipping = request(bad);
    skipping.options.skip_invalid = true;
    let done = import(&db, &ara, skipping).await.unwrap();
    assert_eq!(
        (done.rows_read, done.rows_imported, done.rows_skipped),
        (3, 1, 2)
    );
    assert!(!done.skipped.is_empty());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 1);
}

#[tokio::test]
async fn rows_name_their_establishment_by_a_finess_of_the_region() {
    let db = fresh().await;
    let chu = establishment(&db, "38", 1, "CHU Grenoble", "CHU").await;
    let ehpad = establishment(&db, "38", 2, "EHPAD Les Tilleuls", "EHPAD").await;
    establishment(&db, "29", 1, "CHU Brest", "CHU").await;
    let ara = scope(ARA);
    let (f, g, brest) = (finess("38", 1), finess("38", 2), finess("29", 1));
    let with = |rows: &str| {
        request(format!("patient_id;date;organism;CIP;establishment\n{rows}").into_bytes())
    };
    // Brest's FINESS is not of the region.
    let r = import(
        &db,
        &ara,
        with(&format!(
            "P1;2025-01-03;E. coli;S;{f}\nP2;2025-01-03;E. coli;S;{brest}\n"
        )),
    )
    .await;
    let Err(ImportError::Invalid { problems, .. }) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.value.as_str()))
            .collect::<Vec<_>>(),
        [(3, "establishment", brest.as_str())]
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM isolates").await, 0);

    import(
        &db,
        &ara,
        with(&format!(
            "P1;2025-01-03;E. coli;S;{f}\nP2;2025-01-03;E. coli;S;{g}\n"
        )),
    )
    .await
    .unwrap();
    let rows = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM isolates WHERE (establishment_id = {chu} AND sector = 'ES')
             OR (establishment_id = {ehpad} AND sector = 'EMS')"
        ),
    )
    .await;
    assert_eq!(rows, 2, "each row's establishment, and its sector");
    // A file for one establishment: a row naming another is refused.
    let mut one = with(&format!("P1;2025-01-03;E. coli;S;{g}\n"));
    one.establishment_id = Some(chu);
    assert!(matches!(
        import(&db, &ara, one).await,
        Err(ImportError::Invalid { .. })
    ));
}
