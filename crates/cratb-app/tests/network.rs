//! The network's use cases: a team or a centre is written only in a region the actor's scope
//! reaches, the store's refusals come back said on their fields, and each write leaves its
//! audit entry (on SQLite, and on PostgreSQL when `CRATB_TEST_DATABASE_URL` is set).

mod common;

use common::*;

use cratb_app::network::{create_team, set_centre, update_team};
use cratb_app::{Actor, AppError};
use cratb_directory::network::{Centre, CentreInput, NewTeam, TeamInput};
use cratb_domain::{RegionCode, Scope};
use cratb_store::StoreError;

fn team(name: &str, host: i64, region: &str, department: &str) -> NewTeam {
    NewTeam::validate(
        &TeamInput {
            name: Some(name.into()),
            host_establishment_id: Some(host),
            sectors: Some(vec!["ES".into()]),
            departments: Some(vec![department.into()]),
            region: Some(region.into()),
            ..Default::default()
        },
        None,
    )
    .unwrap()
}

#[tokio::test]
async fn network_writes_stay_within_the_actors_region_and_say_why_not() {
    let db = fresh().await;
    run(
        &db,
        "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, created_at, updated_at)
         VALUES ('380000001', 'CHU Grenoble Alpes', 'ES', 'CHU', '38', '84', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
                ('290000001', 'CHU Brest', 'ES', 'CHU', '29', '53', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')",
    )
    .await;
    let chu = count(
        &db,
        "SELECT id FROM establishments WHERE finess = '380000001'",
    )
    .await;
    let brest = count(
        &db,
        "SELECT id FROM establishments WHERE finess = '290000001'",
    )
    .await;
    let ara = Actor {
        scope: Scope::Region(RegionCode::parse("84").unwrap()),
        ..Actor::cli()
    };

    let grenoble = team("EMA Grenoble", chu, "84", "38");
    let id = create_team(&db, &ara, &grenoble).await.unwrap();
    let field = |r: Result<_, AppError>| match r {
        Err(AppError::Invalid(e)) => e.iter().map(|e| e.field).collect::<Vec<_>>(),
        Err(AppError::Conflict(e)) => vec![e.field],
        other => panic!("{other:?}"),
    };
    // Another region's team, a name the region uses, a host of another region.
    let breton = team("EMA Brest", brest, "53", "29");
    assert_eq!(field(create_team(&db, &ara, &breton).await), ["region"]);
    assert!(matches!(
        create_team(&db, &ara, &grenoble).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        field(create_team(&db, &ara, &team("EMA 2", brest, "84", "38")).await),
        ["host_establishment_id"]
    );
    // A team of another region is not found, whatever is sent for it.
    let breton_id = create_team(&db, &Actor::cli(), &breton).await.unwrap();
    assert!(matches!(
        update_team(&db, &ara, breton_id, &grenoble).await,
        Err(AppError::NotFound)
    ));
    update_team(&db, &ara, id, &team("EMA Isère", chu, "84", "38"))
        .await
        .unwrap();

    // The centre of another region is refused.
    let centre = Centre::validate(
        &RegionCode::parse("53").unwrap(),
        &CentreInput {
            name: Some("CRAtb Bretagne".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(matches!(
        set_centre(&db, &ara, &centre).await,
        Err(AppError::Store(StoreError::Invalid("region")))
    ));
    set_centre(&db, &Actor::cli(), &centre).await.unwrap();

    // One entry per write done, none for a refusal.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('team.create', 'team.update', 'centre.update')"
        )
        .await,
        4
    );
}
