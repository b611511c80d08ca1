//! Hospital consumption: a file and its denominators imported whole or not at all, a period
//! sent again replacing the old one, the imports listed and removed within the scope, the
//! region's facts loaded into a cube; the targets; ATC/DDD editions and the recomputation of a
//! region under another one.

mod common;

use common::*;
use cratb_consumption::cube::Slice;
use cratb_consumption::indicators::AwareTable;
use cratb_consumption::{DddTable, Route};
use cratb_domain::RegionAccess;
use cratb_store::consumption::{self, HospitalFiles, HospitalImport, HospitalImportError, Target};
use cratb_store::{Db, StoreError};

const CONSUMPTION: &str = "establishment;period;ward_type;atc;route;grams\n";
const DENOMINATORS: &str = "establishment;period;ward_type;patient_days;admissions\n";

struct Setup {
    db: Db,
    /// CHU Grenoble and CH Voiron, their FINESS numbers.
    chu: (i64, String),
    voiron: (i64, String),
    table: DddTable,
}

async fn setup() -> Setup {
    let db = fresh().await;
    let chu = establishment(&db, "38", 1, "CHU Grenoble", "CHU").await;
    let voiron = establishment(&db, "38", 2, "CH Voiron", "CH").await;
    establishment(&db, "29", 1, "CHU Brest", "CHU").await;
    Setup {
        db,
        chu: (chu, finess("38", 1)),
        voiron: (voiron, finess("38", 2)),
        table: DddTable::embedded(2026).unwrap(),
    }
}

impl Setup {
    async fn import(
        &self,
        access: &RegionAccess,
        filename: &str,
        consumption: &str,
        denominators: &str,
        accept_partial: bool,
    ) -> Result<HospitalImport, HospitalImportError> {
        consumption::import_hospital(
            &self.db,
            access,
            HospitalFiles {
                filename,
                consumption: format!("{CONSUMPTION}{consumption}").as_bytes(),
                denominators: format!("{DENOMINATORS}{denominators}").as_bytes(),
                accept_partial,
            },
            &self.table,
            "data@cratb.test",
            None,
        )
        .await
    }

    /// The first file: the CHU in January (medicine) and February (ICU), Voiron in January.
    async fn first_file(&self) -> HospitalImport {
        let (f, g) = (&self.chu.1, &self.voiron.1);
        self.import(
            &access(ARA),
            "conso-2025.csv",
            &format!(
                "{f};2025-01;medicine;J01CA04;O;300\n\
                 {f};2025-02;icu;J01DD04;P;40\n\
                 {g};2025-01;medicine;J01CA04;O;150\n"
            ),
            &format!(
                "{f};2025-01;medicine;1000;100\n\
                 {f};2025-02;icu;500;50\n\
                 {g};2025-01;medicine;500;40\n"
            ),
            false,
        )
        .await
        .unwrap()
    }

    fn ddd(&self, atc: &str, route: &str, grams: f64) -> f64 {
        grams / self.table.grams(atc, Route::parse(route).unwrap()).unwrap()
    }

    /// The region's J01 DDD and patient-days for 2025, from its cube.
    async fn cube_2025(&self) -> (f64, f64, Vec<String>) {
        let cube = consumption::cube(&self.db, &access(ARA), &AwareTable::embedded())
            .await
            .unwrap();
        let totals = cube.years_total(&Slice::default());
        assert_eq!(
            totals.iter().map(|t| t.0).collect::<Vec<_>>(),
            [2025],
            "one year of data"
        );
        (
            totals[0].1.classes[0],
            totals[0].1.patient_days,
            cube.editions.clone(),
        )
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[tokio::test]
async fn an_import_shows_its_rows_in_the_cube_and_is_listed() {
    let s = setup().await;
    let done = s.first_file().await;
    assert_eq!(
        (
            done.consumption_rows,
            done.denominator_rows,
            done.ddd_edition.as_str()
        ),
        (3, 3, s.table.edition.as_str())
    );
    assert!(done.unconverted.is_empty() && done.left_out.is_empty());
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_consumption").await,
        3
    );
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_denominators").await,
        3
    );

    let listed = consumption::imports(&s.db, &access(ARA)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].id,
            listed[0].kind.as_str(),
            listed[0].filename.as_str(),
            listed[0].consumption_rows,
            listed[0].imported_by.as_str()
        ),
        (
            done.import_id,
            "hospital",
            "conso-2025.csv",
            3,
            "data@cratb.test"
        )
    );
    assert!(scope(BZH).access(ARA).is_none());
    assert!(
        consumption::imports(&s.db, &access(BZH))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(consumption::regions_with_data(&s.db).await.unwrap(), [ARA]);

    // The cube holds every fact, with its DDD under the import's edition.
    let cube = consumption::cube(&s.db, &access(ARA), &AwareTable::embedded())
        .await
        .unwrap();
    assert_eq!(cube.len(), 3);
    assert_eq!(cube.units.len(), 2, "the region's hospitals, not Brest");
    let expected =
        s.ddd("J01CA04", "O", 300.0) + s.ddd("J01DD04", "P", 40.0) + s.ddd("J01CA04", "O", 150.0);
    let (j01, days, editions) = s.cube_2025().await;
    assert!(close(j01, expected), "{j01} ≠ {expected}");
    assert_eq!(days, 2000.0);
    assert_eq!(editions, std::slice::from_ref(&s.table.edition));
    assert!(
        consumption::cube(&s.db, &access(BZH), &AwareTable::embedded())
            .await
            .unwrap()
            .is_empty()
    );

    // One establishment's years, within the scope.
    let years = consumption::establishment_years(&s.db, &scope(ARA), s.chu.0, "J01")
        .await
        .unwrap();
    assert_eq!(years.len(), 1);
    assert!(close(
        years[0].ddd,
        s.ddd("J01CA04", "O", 300.0) + s.ddd("J01DD04", "P", 40.0)
    ));
    assert_eq!(
        (years[0].patient_days, years[0].admissions),
        (Some(1500.0), Some(150.0))
    );
    assert!(not_found(
        consumption::establishment_years(&s.db, &scope(BZH), s.chu.0, "J01").await
    ));
}

#[tokio::test]
async fn a_file_with_problems_or_unmatched_cells_writes_nothing() {
    let s = setup().await;
    let f = &s.chu.1;
    let brest = finess("29", 1);
    // Brest is not of the region: its FINESS is unknown here, like a number that names nothing.
    let err = s
        .import(
            &access(ARA),
            "bad.csv",
            &format!(
                "{f};2025-01;medicine;J01CA04;O;300\n\
                 {brest};2025-01;medicine;J01CA04;O;300\n\
                 {f};2025-13;medicine;J01CA04;O;30\n"
            ),
            &format!("{f};2025-01;medicine;1000;100\n"),
            true,
        )
        .await
        .unwrap_err();
    let HospitalImportError::Invalid(problems) = err else {
        panic!("{err}")
    };
    assert_eq!(problems.total, 2);
    let mut where_: Vec<(usize, String)> = problems
        .listed
        .iter()
        .map(|(_, p)| (p.line, p.column.clone()))
        .collect();
    where_.sort();
    assert_eq!(
        where_,
        [(3, "establishment".to_string()), (4, "period".to_string())]
    );
    // Consumption in a month without patient-days: refused unless partial figures are
    // accepted.
    let consumption = format!(
        "{f};2025-01;medicine;J01CA04;O;300\n\
         {f};2025-03;medicine;J01CA04;O;90\n"
    );
    let denominators = format!("{f};2025-01;medicine;1000;100\n");
    let err = s
        .import(
            &access(ARA),
            "partial.csv",
            &consumption,
            &denominators,
            false,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, HospitalImportError::Partial(ref cells) if cells.len() == 1),
        "{err}"
    );
    // A region outside the scope: no access to import with.
    assert!(scope(BZH).access(ARA).is_none());
    for table in [
        "consumption_imports",
        "hospital_consumption",
        "hospital_denominators",
    ] {
        assert_eq!(
            count(&s.db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }

    // Accepted as partial: written, the cell said to be left out of the figures.
    let done = s
        .import(
            &access(ARA),
            "partial.csv",
            &consumption,
            &denominators,
            true,
        )
        .await
        .unwrap();
    assert_eq!(done.left_out.len(), 1);
    let (j01, _, _) = s.cube_2025().await;
    assert!(
        close(j01, s.ddd("J01CA04", "O", 300.0)),
        "the March cell is left out: {j01}"
    );
}

#[tokio::test]
async fn a_period_sent_again_replaces_the_old_one_and_an_import_can_be_removed() {
    let s = setup().await;
    let first = s.first_file().await;
    let f = &s.chu.1;
    // January at the CHU, corrected: 600 g instead of 300 g.
    let second = s
        .import(
            &access(ARA),
            "correction.csv",
            &format!("{f};2025-01;medicine;J01CA04;O;600\n"),
            &format!("{f};2025-01;medicine;1000;100\n"),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_consumption").await,
        3
    );
    let (j01, days, _) = s.cube_2025().await;
    let expected =
        s.ddd("J01CA04", "O", 600.0) + s.ddd("J01DD04", "P", 40.0) + s.ddd("J01CA04", "O", 150.0);
    assert!(
        close(j01, expected),
        "not summed with the old January: {j01}"
    );
    assert_eq!(days, 2000.0);
    let listed = consumption::imports(&s.db, &access(ARA)).await.unwrap();
    assert_eq!(
        listed.iter().map(|i| i.id).collect::<Vec<_>>(),
        [second.import_id, first.import_id],
        "latest first"
    );

    // Removed: another region cannot, then the region's own can; its rows go with it.
    let mut tx = s.db.begin().await.unwrap();
    assert!(not_found(
        consumption::delete_import(&mut tx, &scope(BZH), second.import_id).await
    ));
    let removed = consumption::delete_import(&mut tx, &scope(ARA), second.import_id)
        .await
        .unwrap();
    assert_eq!(removed.filename, "correction.csv");
    assert!(not_found(
        consumption::delete_import(&mut tx, &scope(ARA), second.import_id).await
    ));
    tx.commit().await.unwrap();
    assert_eq!(
        consumption::imports(&s.db, &access(ARA))
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [first.import_id]
    );
    // The January it had replaced is not brought back (as documented).
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_consumption").await,
        2
    );
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_denominators").await,
        2
    );

    // A removal rolled back removes nothing.
    let mut tx = s.db.begin().await.unwrap();
    consumption::delete_import(&mut tx, &scope(ARA), first.import_id)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        consumption::imports(&s.db, &access(ARA))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        count(&s.db, "SELECT COUNT(*) FROM hospital_consumption").await,
        2
    );
}

#[tokio::test]
async fn targets_default_to_the_national_one_and_are_set_per_region() {
    let s = setup().await;
    let db = &s.db;
    let national = consumption::target(db, &access(ARA), "ES", "J01")
        .await
        .unwrap();
    assert_eq!(national, Target::national("ES", "J01"));
    assert!(
        consumption::targets(db, &access(ARA))
            .await
            .unwrap()
            .is_empty()
    );

    let mut target = Target {
        sector: "ES".into(),
        indicator: "J01".into(),
        baseline_year: 2019,
        reduction_pct: Some(10.0),
        target_value: None,
        target_year: Some(2027),
        national_value: Some(280.5),
        national_year: Some(2024),
        set_by: None,
    };
    let mut tx = db.begin().await.unwrap();
    consumption::set_target(&mut tx, &access(ARA), &target, "coordination@cratb.test")
        .await
        .unwrap();
    // Set again: replaced, not added.
    target.reduction_pct = Some(15.0);
    consumption::set_target(&mut tx, &access(ARA), &target, "coordination@cratb.test")
        .await
        .unwrap();
    // Another region's scope cannot make the access a target needs.
    assert!(scope(BZH).access(ARA).is_none());
    let bad = Target {
        sector: "HOPITAL".into(),
        ..target.clone()
    };
    assert!(matches!(
        consumption::set_target(&mut tx, &access(ARA), &bad, "x").await,
        Err(StoreError::Invalid("sector"))
    ));
    let bad = Target {
        target_year: Some(2018),
        ..target.clone()
    };
    assert!(matches!(
        consumption::set_target(&mut tx, &access(ARA), &bad, "x").await,
        Err(StoreError::Invalid("target_year"))
    ));
    tx.commit().await.unwrap();

    let set = consumption::targets(db, &access(ARA)).await.unwrap();
    assert_eq!(
        set,
        [Target {
            set_by: Some("coordination@cratb.test".into()),
            ..target
        }]
    );
    assert_eq!(
        consumption::target(db, &access(ARA), "ES", "J01")
            .await
            .unwrap(),
        set[0]
    );
    // Other sectors and regions keep the national target.
    assert_eq!(
        consumption::target(db, &access(ARA), "EMS", "J01")
            .await
            .unwrap(),
        Target::national("EMS", "J01")
    );
    assert_eq!(
        consumption::target(db, &access(BZH), "ES", "J01")
            .await
            .unwrap(),
        Target::national("ES", "J01")
    );
    assert!(scope(BZH).access(ARA).is_none());
}

#[tokio::test]
async fn a_region_is_recomputed_under_a_loaded_edition() {
    let s = setup().await;
    let first = s.first_file().await;
    let db = &s.db;

    // A hypothetical edition where amoxicillin's DDD is 3 g, and ceftriaxone has none.
    let content = "atc\tname\tddd\tunit\troute\nJ01CA04\tamoxicillin\t3\tg\tO\nJ01CA04\tamoxicillin\t3\tg\tP\n";
    let table = DddTable::parse(content, "Index test 2027").unwrap();
    let mut tx = db.begin().await.unwrap();
    consumption::save_ddd_table(&mut tx, &table, content, "data@cratb.test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // An edition's name is never reused, shipped or loaded.
    for name in ["Index test 2027", s.table.edition.as_str()] {
        let again = DddTable::parse(content, name).unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = consumption::save_ddd_table(&mut tx, &again, content, "x").await;
        assert!(
            matches!(r, Err(StoreError::Conflict("edition"))),
            "{name}: {r:?}"
        );
    }
    let editions = consumption::editions(db).await.unwrap();
    let loaded = editions
        .iter()
        .find(|e| e.edition == "Index test 2027")
        .unwrap();
    assert_eq!(
        (loaded.codes, loaded.loaded_by.as_deref()),
        (1, Some("data@cratb.test"))
    );
    assert!(
        editions
            .iter()
            .any(|e| e.edition == s.table.edition && e.loaded_by.is_none())
    );
    let read_back = consumption::ddd_table(db, "Index test 2027").await.unwrap();
    assert_eq!(read_back.grams("J01CA04", Route::O).unwrap(), 3.0);
    assert!(not_found(consumption::ddd_table(db, "Index 1999").await));

    assert!(scope(BZH).access(ARA).is_none());
    let done = consumption::recompute(db, &access(ARA), &read_back, None)
        .await
        .unwrap();
    assert_eq!((done.edition.as_str(), done.rows), ("Index test 2027", 3));
    assert_eq!(
        done.unconverted
            .iter()
            .map(|u| (u.0.as_str(), u.1.as_str()))
            .collect::<Vec<_>>(),
        [("J01DD04", "P")]
    );
    // Every figure now says which edition it used, and uses it: 450 g of amoxicillin at 3 g;
    // ceftriaxone, without a DDD, leaves the figures.
    let (j01, _, editions) = s.cube_2025().await;
    assert!(close(j01, 150.0), "{j01}");
    assert_eq!(editions, ["Index test 2027"]);
    assert_eq!(
        consumption::imports(db, &access(ARA)).await.unwrap()[0].ddd_edition,
        "Index test 2027"
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM hospital_consumption WHERE ddd IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM hospital_consumption").await,
        3,
        "grams are kept: {}",
        first.import_id
    );
}
