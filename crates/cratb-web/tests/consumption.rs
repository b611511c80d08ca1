//! Hospital consumption in the database, on SQLite and PostgreSQL: all or nothing, DDD under the
//! edition named by the import.

mod common;

use common::TestApp;
use cratb_consumption::DddTable;
use cratb_domain::{RegionCode, Scope};
use cratb_store::PageRequest;
use cratb_store::consumption::{self, HospitalFiles, HospitalImportError};
use cratb_store::establishments::{self, EstablishmentQuery};

#[tokio::test]
async fn a_hospital_file_is_imported_whole_or_not_at_all() {
    let app = TestApp::spawn().await;
    let region = RegionCode::parse("84").unwrap();
    let scope = Scope::Region(region.clone());
    let est = establishments::list(
        &app.db,
        &scope,
        &EstablishmentQuery {
            sector: Some("ES".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let table = DddTable::embedded(2026).unwrap();
    let consumption = format!(
        "establishment;period;ward_type;atc;route;grams\n\
         {f};2025-01;medicine;J01CA04;O;300\n\
         {f};2025-02;icu;J01DD04;P;40\n\
         {f};2025-02;icu;J01XB01;P;10\n\
         {f};2024;medicine;J01MA02;O;50\n",
        f = est.finess
    );
    let denominators = format!(
        "establishment;period;ward_type;patient_days;admissions\n\
         {f};2025-01;medicine;1000;100\n\
         {f};2025-02;icu;500;50\n",
        f = est.finess
    );
    // An unknown establishment: nothing is written, the line is named.
    let bad = format!("{consumption}380000000;2025-03;medicine;J01CA04;O;3\n");
    let err = consumption::import_hospital(
        &app.db,
        &scope,
        &region,
        HospitalFiles {
            filename: "bad.csv",
            consumption: bad.as_bytes(),
            denominators: denominators.as_bytes(),
        },
        &table,
        "test",
    )
    .await
    .unwrap_err();
    match err {
        HospitalImportError::Invalid(list) => {
            assert_eq!(list.len(), 1);
            assert_eq!(
                (list[0].0, list[0].1.line, list[0].1.column.as_str()),
                ("consumption", 6, "establishment")
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        consumption::establishment_years(&app.db, &scope, est.id, "J01")
            .await
            .unwrap()
            .is_empty()
    );

    let done = consumption::import_hospital(
        &app.db,
        &scope,
        &region,
        HospitalFiles {
            filename: "ch.csv",
            consumption: consumption.as_bytes(),
            denominators: denominators.as_bytes(),
        },
        &table,
        "test",
    )
    .await
    .unwrap();
    assert_eq!((done.consumption_rows, done.denominator_rows), (4, 2));
    assert_eq!(done.ddd_edition, "WHOCC ATC/DDD Index 2026");
    assert_eq!(done.unconverted.len(), 1, "colistin in million units");
    let years = consumption::establishment_years(&app.db, &scope, est.id, "J01")
        .await
        .unwrap();
    assert_eq!(years.len(), 2);
    assert_eq!(
        (years[0].year, years[0].ddd, years[0].patient_days),
        (2024, 50.0, None)
    );
    // 300 / 1.5 + 40 / 2 = 220 DDD for 1,500 patient-days.
    assert_eq!(
        (
            years[1].year,
            years[1].ddd,
            years[1].patient_days,
            years[1].admissions
        ),
        (2025, 220.0, Some(1500.0), Some(150.0))
    );
    // Another region's coordinator cannot read it.
    let bzh = Scope::Region(RegionCode::parse("53").unwrap());
    assert!(
        consumption::establishment_years(&app.db, &bzh, est.id, "J01")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_demo_consumption_imports_at_french_levels() {
    let app = TestApp::spawn().await;
    let rows = cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    assert!(rows > 10_000, "{rows}");
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    let chu = establishments::list(
        &app.db,
        &scope,
        &EstablishmentQuery {
            q: Some("CHU".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let years = consumption::establishment_years(&app.db, &scope, chu.id, "J01")
        .await
        .unwrap();
    assert_eq!(
        years.iter().map(|y| y.year).collect::<Vec<_>>(),
        [2023, 2024, 2025]
    );
    for y in &years {
        let rate = 1000.0 * y.ddd / y.patient_days.unwrap();
        assert!((250.0..=700.0).contains(&rate), "{}: {rate}", y.year);
    }
}
