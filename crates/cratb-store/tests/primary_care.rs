//! Primary care: dispensations per territory of a region (the region, its departments, its
//! CPTS, as files name them) and populations, each file checked whole and written in one
//! transaction; a territory and period sent again replace what was there.

mod common;

use common::*;
use cratb_store::primary_care::{self, OpenDataFile, PrimaryImportError};

#[tokio::test]
async fn dispensations_and_populations_per_territory_of_the_region() {
    let db = fresh().await;
    let cpts = territory(&db, "CPTS", "CPTS du Grésivaudan", &["38"]).await;
    territory(&db, "CPTS", "CPTS du Pays de Brest", &["29"]).await;

    let pops = "territory;year;population\nrégion;2025;8000000\n38;2025;1270000\nCPTS du Grésivaudan;2025;100000\n";
    let n = primary_care::import_populations(
        &db,
        &access(ARA),
        "pop.csv",
        pops.as_bytes(),
        "data@cratb.test",
        None,
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    let file = "territory;period;atc;ddd;prescriptions\n\
                Isère;2025-01;J01CA04;1000;80\n\
                38;2025-01;J01DD04;50;10\n\
                cpts du gresivaudan;2025-01;J01CA04;90;9\n\
                région;2025;J01CA04;40000;3000\n";
    let done = primary_care::import_dispensations(
        &db,
        &access(ARA),
        "ville.csv",
        file.as_bytes(),
        None,
        "data@cratb.test",
        None,
    )
    .await
    .unwrap();
    assert_eq!((done.rows, done.other_regions), (4, 0));

    let data = primary_care::data(&db, &access(ARA)).await.unwrap();
    let cpts_key = format!("cpts:{cpts}");
    let mut rows: Vec<(String, u8, String, f64)> = data
        .ddd
        .iter()
        .map(|d| (d.territory.clone(), d.month, d.atc.clone(), d.ddd))
        .collect();
    rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        rows,
        [
            (cpts_key.clone(), 1, "J01CA04".to_string(), 90.0),
            ("dep:38".to_string(), 1, "J01CA04".to_string(), 1000.0),
            ("dep:38".to_string(), 1, "J01DD04".to_string(), 50.0),
            ("region".to_string(), 0, "J01CA04".to_string(), 40000.0),
        ]
    );
    assert_eq!(data.populations.len(), 3);
    assert_eq!(data.populations[&("dep:38".to_string(), 2025)], 1_270_000.0);
    assert_eq!(data.populations[&(cpts_key.clone(), 2025)], 100_000.0);
    assert_eq!(data.names[&cpts_key], "CPTS du Grésivaudan");
    assert_eq!(data.names["dep:38"], "Isère (38)");
    assert!(!data.names.values().any(|n| n.contains("Brest")));

    // Sent again, a territory and period replace what was there; a population too.
    primary_care::import_dispensations(
        &db,
        &access(ARA),
        "ville-corrigé.csv",
        "territory;period;atc;ddd\n38;2025-01;J01CA04;1200\n".as_bytes(),
        None,
        "data@cratb.test",
        None,
    )
    .await
    .unwrap();
    primary_care::import_populations(
        &db,
        &access(ARA),
        "pop.csv",
        "territory;year;population\n38;2025;1280000\n".as_bytes(),
        "data@cratb.test",
        None,
    )
    .await
    .unwrap();
    let data = primary_care::data(&db, &access(ARA)).await.unwrap();
    let isere: Vec<(String, f64)> = data
        .ddd
        .iter()
        .filter(|d| d.territory == "dep:38")
        .map(|d| (d.atc.clone(), d.ddd))
        .collect();
    assert_eq!(isere, [("J01CA04".to_string(), 1200.0)]);
    assert_eq!(data.ddd.len(), 3);
    assert_eq!(data.populations[&("dep:38".to_string(), 2025)], 1_280_000.0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM primary_care_imports").await,
        4
    );

    // Another region's scope reads and writes nothing of this one.
    assert!(scope(BZH).access(ARA).is_none());
    assert!(
        primary_care::data(&db, &access(BZH))
            .await
            .unwrap()
            .ddd
            .is_empty()
    );
}

#[tokio::test]
async fn a_territory_unknown_to_the_region_refuses_the_whole_file() {
    let db = fresh().await;
    territory(&db, "CPTS", "CPTS du Pays de Brest", &["29"]).await;
    let file = "territory;period;atc;ddd\n\
                38;2025-01;J01CA04;100\n\
                Finistère;2025-01;J01CA04;5\n\
                CPTS du Pays de Brest;2025-01;J01CA04;5\n";
    let r = primary_care::import_dispensations(
        &db,
        &access(ARA),
        "ville.csv",
        file.as_bytes(),
        None,
        "x",
        None,
    )
    .await;
    let Err(PrimaryImportError::Invalid(problems)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        problems
            .iter()
            .map(|(file, p)| (*file, p.line, p.column.as_str(), p.value.as_str()))
            .collect::<Vec<_>>(),
        [
            ("dispensations", 3, "territory", "Finistère"),
            ("dispensations", 4, "territory", "CPTS du Pays de Brest"),
        ]
    );
    let r = primary_care::import_populations(
        &db,
        &access(ARA),
        "pop.csv",
        "territory;year;population\nBretagne;2025;3400000\n".as_bytes(),
        "x",
        None,
    )
    .await;
    assert!(
        matches!(r, Err(PrimaryImportError::Invalid(ref p)) if p.len() == 1),
        "{r:?}"
    );
    for table in [
        "primary_care_imports",
        "primary_care_dispensations",
        "populations",
    ] {
        assert_eq!(
            count(&db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
}

#[tokio::test]
async fn an_open_data_file_keeps_the_regions_rows_with_ddd_from_its_packs() {
    let db = fresh().await;
    // 1,000 packs of 6 DDD in the region (BEN_REG 84), 70 elsewhere (53).
    let file = "ATC5;CIP13;age;sexe;BEN_REG;PSP_SPE;BOITES\n\
                J01CA04;3400930000001;20;2;84;1;1000\n\
                J01CA04;3400930000001;20;2;53;1;70\n";
    let done = primary_care::import_dispensations(
        &db,
        &access(ARA),
        "open-medic-2022.csv",
        file.as_bytes(),
        Some(OpenDataFile {
            year: 2022,
            packs: b"cip13;ddd_per_pack\n3400930000001;6\n",
        }),
        "data@cratb.test",
        None,
    )
    .await
    .unwrap();
    assert_eq!((done.rows, done.other_regions), (1, 1));
    let data = primary_care::data(&db, &access(ARA)).await.unwrap();
    assert_eq!(
        data.ddd
            .iter()
            .map(|d| (d.territory.as_str(), d.year, d.atc.as_str(), d.ddd))
            .collect::<Vec<_>>(),
        [("region", 2022, "J01CA04", 6000.0)]
    );
    assert!(!data.breakdown.is_empty(), "age, sex and prescriber kept");
}
