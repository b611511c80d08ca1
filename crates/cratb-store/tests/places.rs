//! Establishments and territories: read within a region scope and written within a region's
//! access, both enforced by the store itself (another region's row is `NotFound`), FINESS
//! numbers unique, a GHT only of the establishment's own region.

mod common;

use common::*;
use cratb_domain::{NewTerritory, RegionAccess, Scope};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::reference;
use cratb_store::{PageRequest, StoreError};

/// The access to a region's rows.
fn at(region: &str) -> RegionAccess {
    Scope::National.access(region).unwrap()
}

#[tokio::test]
async fn establishments_are_created_updated_and_read_within_their_region() {
    let db = fresh().await;
    let ara = scope(ARA);
    let ght = territory(&db, "GHT", "GHT Alpes Dauphiné", &["38"]).await;

    let mut tx = db.begin().await.unwrap();
    let chu = establishments::create(
        &mut tx,
        &at(ARA),
        &new_establishment("38", 1, "CHU Grenoble Alpes", "CHU", Some(ght)),
    )
    .await
    .unwrap();
    let ehpad = establishments::create(
        &mut tx,
        &at(ARA),
        &new_establishment("38", 2, "EHPAD Les Tilleuls", "EHPAD", None),
    )
    .await
    .unwrap();
    // No establishment is filed elsewhere than the region of the access.
    let elsewhere = establishments::create(
        &mut tx,
        &at(ARA),
        &new_establishment("29", 1, "CHU Brest", "CHU", None),
    )
    .await;
    assert!(
        matches!(elsewhere, Err(StoreError::Invalid("department"))),
        "{elsewhere:?}"
    );
    tx.commit().await.unwrap();

    let e = establishments::get(&db, &ara, chu).await.unwrap();
    assert_eq!(
        (
            e.name.as_str(),
            e.sector.as_str(),
            e.category.as_str(),
            e.region_code.as_str(),
            e.department_code.as_str(),
            e.ght_name.as_deref(),
        ),
        (
            "CHU Grenoble Alpes",
            "ES",
            "CHU",
            ARA,
            "38",
            Some("GHT Alpes Dauphiné")
        )
    );

    // Update: every field replaced, the GHT taken off.
    let mut tx = db.begin().await.unwrap();
    let mut renamed = new_establishment("38", 1, "CHU Grenoble", "CHU", None);
    renamed.beds = Some(2000);
    establishments::update(&mut tx, &at(ARA), chu, &renamed, &at(ARA))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let e = establishments::get(&db, &ara, chu).await.unwrap();
    assert_eq!(
        (e.name.as_str(), e.beds, e.ght_id),
        ("CHU Grenoble", Some(2000), None)
    );

    // The list: ordered by name, filtered by sector, text and department.
    let list = |q: EstablishmentQuery| {
        let db = db.clone();
        let ara = ara.clone();
        async move {
            establishments::list(&db, &ara, &q, PageRequest::new(None, None))
                .await
                .unwrap()
        }
    };
    let all = list(EstablishmentQuery::default()).await;
    assert_eq!(all.total, 2);
    assert_eq!(
        all.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [chu, ehpad]
    );
    let ems = list(EstablishmentQuery {
        sector: Some("ems".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(ems.items.iter().map(|e| e.id).collect::<Vec<_>>(), [ehpad]);
    let by_text = list(EstablishmentQuery {
        q: Some("tilleul".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(by_text.total, 1);
    let by_finess = list(EstablishmentQuery {
        q: Some(finess("38", 1)),
        ..Default::default()
    })
    .await;
    assert_eq!(by_finess.items[0].id, chu);
    // Wildcards typed by a user match nothing special.
    let wildcard = list(EstablishmentQuery {
        q: Some("%".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(wildcard.total, 2);

    // Pagination keeps the total.
    let page = establishments::list(
        &db,
        &ara,
        &EstablishmentQuery::default(),
        PageRequest::new(Some(2), Some(1)),
    )
    .await
    .unwrap();
    assert_eq!(
        (page.total, page.items.len(), page.items[0].id),
        (2, 1, ehpad)
    );

    let summary = establishments::sector_summary(&db, &ara).await.unwrap();
    assert_eq!(
        summary
            .iter()
            .map(|s| (s.sector.as_str(), s.total, s.without_ght))
            .collect::<Vec<_>>(),
        [("EMS", 1, 0), ("ES", 1, 1)]
    );
}

#[tokio::test]
async fn another_regions_establishment_is_not_found_in_a_regional_scope() {
    let db = fresh().await;
    let ours = establishment(&db, "38", 1, "CH Voiron", "CH").await;
    let theirs = establishment(&db, "29", 1, "CHU Brest", "CHU").await;
    let ara = scope(ARA);

    assert!(not_found(establishments::get(&db, &ara, theirs).await));
    assert_eq!(
        establishments::get(&db, &scope(BZH), theirs)
            .await
            .unwrap()
            .name,
        "CHU Brest"
    );
    assert_eq!(
        establishments::get(&db, &Scope::National, theirs)
            .await
            .unwrap()
            .region_code,
        BZH
    );
    let listed = establishments::all(&db, &ara).await.unwrap();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), [ours]);
    assert_eq!(
        establishments::list(
            &db,
            &Scope::National,
            &EstablishmentQuery::default(),
            PageRequest::new(None, None)
        )
        .await
        .unwrap()
        .total,
        2
    );

    // Updating another region's row is NotFound and changes nothing; so is an unknown id.
    let mut tx = db.begin().await.unwrap();
    let r = establishments::update(
        &mut tx,
        &at(ARA),
        theirs,
        &new_establishment("29", 1, "Pris par Grenoble", "CHU", None),
        &at(BZH),
    )
    .await;
    assert!(not_found(r));
    assert!(not_found(
        establishments::update(
            &mut tx,
            &at(ARA),
            theirs + 1000,
            &new_establishment("38", 7, "Inconnu", "CH", None),
            &at(ARA),
        )
        .await
    ));
    // Moving one's own establishment into another region is refused.
    let r = establishments::update(
        &mut tx,
        &at(ARA),
        ours,
        &new_establishment("29", 9, "CH Voiron", "CH", None),
        &at(ARA),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid("department"))), "{r:?}");
    tx.commit().await.unwrap();
    assert_eq!(
        establishments::get(&db, &Scope::National, theirs)
            .await
            .unwrap()
            .name,
        "CHU Brest"
    );
}

#[tokio::test]
async fn a_finess_number_is_held_by_one_establishment() {
    let db = fresh().await;
    let first = establishment(&db, "38", 1, "CH Voiron", "CH").await;
    let other = establishment(&db, "38", 2, "CH Vienne", "CH").await;

    let mut tx = db.begin().await.unwrap();
    let again = establishments::create(
        &mut tx,
        &at(ARA),
        &new_establishment("38", 1, "Doublon", "CH", None),
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("finess"))),
        "{again:?}"
    );
    drop(tx);
    // Taking another's number on update is a conflict too.
    let mut tx = db.begin().await.unwrap();
    let taken = establishments::update(
        &mut tx,
        &at(ARA),
        other,
        &new_establishment("38", 1, "CH Vienne", "CH", None),
        &at(ARA),
    )
    .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict("finess"))),
        "{taken:?}"
    );
    drop(tx);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM establishments").await, 2);
    let e = establishments::get(&db, &Scope::National, first)
        .await
        .unwrap();
    assert_eq!(e.name, "CH Voiron");
}

#[tokio::test]
async fn an_establishment_takes_only_a_ght_of_its_region() {
    let db = fresh().await;
    let breton = territory(&db, "GHT", "GHT Brest-Carhaix-Morlaix", &["29"]).await;
    let cpts = territory(&db, "CPTS", "CPTS du Grésivaudan", &["38"]).await;
    let ours = territory(&db, "GHT", "GHT Alpes Dauphiné", &["38"]).await;
    let ara = scope(ARA);

    let mut tx = db.begin().await.unwrap();
    for wrong in [breton, cpts, ours + 1000] {
        let r = establishments::create(
            &mut tx,
            &at(ARA),
            &new_establishment("38", 1, "CH Voiron", "CH", Some(wrong)),
        )
        .await;
        assert!(matches!(r, Err(StoreError::Invalid("ght_id"))), "{r:?}");
    }
    let id = establishments::create(
        &mut tx,
        &at(ARA),
        &new_establishment("38", 1, "CH Voiron", "CH", Some(ours)),
    )
    .await
    .unwrap();
    let r = establishments::update(
        &mut tx,
        &at(ARA),
        id,
        &new_establishment("38", 1, "CH Voiron", "CH", Some(breton)),
        &at(ARA),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid("ght_id"))), "{r:?}");
    tx.commit().await.unwrap();
    assert_eq!(
        establishments::get(&db, &ara, id).await.unwrap().ght_id,
        Some(ours)
    );
}

#[tokio::test]
async fn territories_are_created_and_listed_within_their_region() {
    let db = fresh().await;
    let ara = scope(ARA);
    let mut tx = db.begin().await.unwrap();
    let ght = reference::create_territory(
        &mut tx,
        &at(ARA),
        &NewTerritory::validate("GHT", "GHT Alpes Dauphiné", &["38", "73"]).unwrap(),
    )
    .await
    .unwrap();
    let cpts = reference::create_territory(
        &mut tx,
        &at(ARA),
        &NewTerritory::validate("CPTS", "CPTS du Grésivaudan", &["38"]).unwrap(),
    )
    .await
    .unwrap();
    // Another region's territory, with this region's access: refused.
    let r = reference::create_territory(
        &mut tx,
        &at(ARA),
        &NewTerritory::validate("GHT", "GHT Brest", &["29"]).unwrap(),
    )
    .await;
    assert!(
        matches!(r, Err(StoreError::Invalid("departments"))),
        "{r:?}"
    );
    tx.commit().await.unwrap();
    // A name is unique per kind and region (the same name is fine elsewhere).
    let mut tx = db.begin().await.unwrap();
    let r = reference::create_territory(
        &mut tx,
        &at(ARA),
        &NewTerritory::validate("GHT", "GHT Alpes Dauphiné", &["38"]).unwrap(),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Conflict("name"))), "{r:?}");
    drop(tx);
    let breton = territory(&db, "GHT", "GHT Alpes Dauphiné", &["29"]).await;

    let listed = reference::list_territories(&db, &ara, None).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|t| (t.id, t.kind.as_str(), t.departments.as_str()))
            .collect::<Vec<_>>(),
        [(cpts, "CPTS", "38"), (ght, "GHT", "38,73")]
    );
    let ghts = reference::list_territories(&db, &ara, Some("GHT"))
        .await
        .unwrap();
    assert_eq!(ghts.iter().map(|t| t.id).collect::<Vec<_>>(), [ght]);
    let national = reference::list_territories(&db, &Scope::National, Some("GHT"))
        .await
        .unwrap();
    assert_eq!(
        national
            .iter()
            .map(|t| (t.id, t.region_code.as_str()))
            .collect::<Vec<_>>(),
        [(breton, BZH), (ght, ARA)]
    );
}
