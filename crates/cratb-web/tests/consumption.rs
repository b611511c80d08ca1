//! Hospital consumption in the database, on SQLite and PostgreSQL: all or nothing, DDD under the
//! edition named by the import.

mod common;

use common::{TestApp, consumption_form, scalar};
use cratb_consumption::DddTable;
use cratb_consumption::hospital::{File, Missing};
use cratb_domain::{RegionCode, Scope};
use cratb_store::PageRequest;
use cratb_store::consumption::{self, HospitalFiles, HospitalImportError};
use cratb_store::establishments::{self, EstablishmentQuery};

/// The hospitals (ES) of the main demo region with consumption in 2025.
async fn with_data_es(app: &TestApp) -> usize {
    let sql = "SELECT COUNT(DISTINCT c.establishment_id) FROM hospital_consumption c
               JOIN establishments e ON e.id = c.establishment_id WHERE e.sector = 'ES' AND c.year = 2025";
    scalar(&app.db, sql).await as usize
}

/// The first hospital (ES) of the main demo region.
async fn first_hospital(app: &TestApp) -> cratb_domain::Establishment {
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    establishments::list(
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
    .remove(0)
}

#[tokio::test]
async fn a_hospital_file_is_imported_whole_or_not_at_all() {
    let app = TestApp::spawn().await;
    let region = RegionCode::parse("84").unwrap();
    let scope = Scope::Region(region.clone());
    let est = first_hospital(&app).await;
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
        &scope.access(region.as_str()).unwrap(),
        HospitalFiles {
            filename: "bad.csv",
            consumption: bad.as_bytes(),
            denominators: denominators.as_bytes(),
            accept_partial: true,
        },
        &table,
        "test",
        None,
    )
    .await
    .unwrap_err();
    match err {
        HospitalImportError::Invalid(list) => {
            assert_eq!(list.total, 1);
            assert_eq!(
                (
                    list.listed[0].0,
                    list.listed[0].1.line,
                    list.listed[0].1.column.as_str()
                ),
                (File::Consumption, 6, "establishment")
            );
        }
        other => panic!("{other}"),
    }
    // The yearly 2024 consumption has no patient-days: refused unless partial figures are
    // accepted, naming the period.
    let err = consumption::import_hospital(
        &app.db,
        &scope.access(region.as_str()).unwrap(),
        HospitalFiles {
            filename: "ch.csv",
            consumption: consumption.as_bytes(),
            denominators: denominators.as_bytes(),
            accept_partial: false,
        },
        &table,
        "test",
        None,
    )
    .await
    .unwrap_err();
    match err {
        HospitalImportError::Partial(list) => {
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].first.to_string(), "2024");
            assert_eq!(list[0].missing, Missing::Denominator);
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
        &scope.access(region.as_str()).unwrap(),
        HospitalFiles {
            filename: "ch.csv",
            consumption: consumption.as_bytes(),
            denominators: denominators.as_bytes(),
            accept_partial: true,
        },
        &table,
        "test",
        None,
    )
    .await
    .unwrap();
    assert_eq!((done.consumption_rows, done.denominator_rows), (4, 2));
    assert_eq!(done.left_out.len(), 1);
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
    // In memory for the screens: the rows of matched cells, ward types by their code whatever
    // the file wrote (here « Réanimation », quoted).
    let quoted = format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2025-02;\"Réanimation\";J01CA04;O;3\n",
        f = est.finess
    );
    consumption::import_hospital(
        &app.db,
        &scope.access(region.as_str()).unwrap(),
        HospitalFiles {
            filename: "quoted.csv",
            consumption: quoted.as_bytes(),
            denominators: denominators.as_bytes(),
            accept_partial: true,
        },
        &table,
        "test",
        None,
    )
    .await
    .unwrap();
    let cube = consumption::cube(
        &app.db,
        &Scope::National.access("84").unwrap(),
        &cratb_consumption::indicators::AwareTable::embedded(),
    )
    .await
    .unwrap();
    // The quoted file replaced February (whole months are replaced): January's amoxicillin and
    // February's, in matched cells; 2024 without days is left out and said to be.
    assert_eq!(cube.len(), 2, "{:?}", cube.wards());
    assert_eq!(cube.wards(), ["icu", "medicine"]);
    let left = cube.left_out(&cratb_consumption::cube::Slice::default(), None);
    assert_eq!(left.without_days, 1);
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

/// The first page of a PDF as text and as a grey image (`pdftotext`, `pdftoppm` from
/// poppler-utils): (text, share of dark pixels).
fn look_at_first_page(pdf: &[u8]) -> (String, f64) {
    let dir = std::env::temp_dir().join(format!("cratb-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("report-{}.pdf", pdf.len()));
    std::fs::write(&file, pdf).unwrap();
    let run = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{cmd} (poppler-utils) is needed: {e}"));
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let text = String::from_utf8(run(
        "pdftotext",
        &["-f", "1", "-l", "1", "-layout", file.to_str().unwrap(), "-"],
    ))
    .unwrap();
    // A grey map (PGM, binary): header "P5 width height 255", then one byte per pixel.
    let pgm = run(
        "pdftoppm",
        &[
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "30",
            "-gray",
            file.to_str().unwrap(),
        ],
    );
    let mut fields = 0;
    let mut start = 0;
    for (i, b) in pgm.iter().enumerate() {
        if b.is_ascii_whitespace() && i > 0 && !pgm[i - 1].is_ascii_whitespace() {
            fields += 1;
            if fields == 4 {
                start = i + 1;
                break;
            }
        }
    }
    let pixels = &pgm[start..];
    let dark = pixels.iter().filter(|p| **p < 128).count() as f64 / pixels.len() as f64;
    (text, dark)
}

#[tokio::test]
async fn the_screens_show_the_region_to_its_staff_and_one_establishment_to_its_referent() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    let get = |email: String, path: String| {
        let app = &app;
        async move { app.client(&email).await.get(&path).send().await.unwrap() }
    };
    let coordinator = app.email_of(Role::Coordinator, Some("84"));

    // The dashboard's hospital figure is the region's DDD over its patient-days, by SQL.
    let (ddd, days): (f64, f64) = match &app.db {
        cratb_store::Db::Sqlite(p) => sqlx::query_as(
            "SELECT (SELECT SUM(c.ddd) FROM hospital_consumption c JOIN establishments e ON e.id = c.establishment_id
                     WHERE e.sector = 'ES' AND c.year = 2025 AND c.atc LIKE 'J01%'),
                    (SELECT SUM(d.patient_days) FROM hospital_denominators d JOIN establishments e ON e.id = d.establishment_id
                     WHERE e.sector = 'ES' AND d.year = 2025)",
        )
        .fetch_one(p)
        .await
        .unwrap(),
        cratb_store::Db::Postgres(p) => sqlx::query_as(
            "SELECT (SELECT SUM(c.ddd) FROM hospital_consumption c JOIN establishments e ON e.id = c.establishment_id
                     WHERE e.sector = 'ES' AND c.year = 2025 AND c.atc LIKE 'J01%'),
                    (SELECT SUM(d.patient_days) FROM hospital_denominators d JOIN establishments e ON e.id = d.establishment_id
                     WHERE e.sector = 'ES' AND d.year = 2025)",
        )
        .fetch_one(p)
        .await
        .unwrap(),
    };
    let expected = format!("{:.1}", 1000.0 * ddd / days).replace('.', ",");
    let res = get(coordinator.clone(), "/consumption".into()).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.split("<strong class=\"tile-value\" title=\"")
            .nth(1)
            .is_some_and(|t| t
                .split("</strong>")
                .next()
                .unwrap()
                .ends_with(&format!("\">{expected}"))),
        "hospitals {expected}"
    );
    // The demo programme's target is followed, and the sources are named.
    assert!(html.contains("−10 % par rapport à 2023 en 2027"), "target");
    assert!(html.contains("WHOCC ATC/DDD Index 2026"));
    assert!(html.contains("WHO AWaRe classification 2023"));
    assert!(html.contains("id=\"establishments\""));
    // By route: the share given parenterally, as a figure.
    let parenteral = html
        .split("id=\"parenteral\"")
        .nth(1)
        .and_then(|x| x.split("<strong").nth(1))
        .and_then(|x| x.split('>').nth(1))
        .and_then(|x| x.split("\u{a0}%").next())
        .and_then(|x| x.replace(',', ".").parse::<f64>().ok())
        .expect("parenteral share");
    assert!((10.0..80.0).contains(&parenteral), "{parenteral}");
    // A department against the region: only its establishments, and the link back to each
    // group never repeats a filter.
    assert_eq!(html.matches("<tr data-department=\"").count(), 12);
    let res = get(
        coordinator.clone(),
        "/consumption?department=38&territory=x".into(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let isere = res.text().await.unwrap();
    assert!(isere.contains("Auvergne-Rhône-Alpes — Isère (38)"));
    assert_eq!(isere.matches("<tr data-department=\"").count(), 1);
    assert!(!isere.contains("department=38&amp;department"));
    // Nursing homes are counted in resident-days.
    let html = get(coordinator.clone(), "/consumption?sector=EMS".into())
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("DDJ/1000 journées d&#39;hébergement"));
    assert!(html.contains("EHPAD"));

    // The export: one row per establishment and indicator, with the peers' figures.
    let csv = get(
        coordinator.clone(),
        "/consumption/export/csv?year=2025".into(),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with(
        "finess;etablissement;categorie;ght;annee;classe;ddj;journees;ddj_1000_journees;ddj_avec_admissions;admissions;ddj_100_admissions;mediane_pairs;percentile_pairs;ddj_access;ddj_watch;ddj_reserve;ddj_non_classees;ddj_parenterales"
    ));
    assert!(csv.lines().filter(|l| l.contains(";J01;")).count() > 20);

    // The referent: their establishment only, peers as a distribution.
    let referent = app.email_of(Role::Referent, Some("84"));
    let own = cratb_store::users::find_by_email(&app.db, &referent)
        .await
        .unwrap()
        .establishment_ids
        .first()
        .copied()
        .expect("the demo referent works in a hospital");
    let res = get(referent.clone(), "/consumption".into()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/consumption/establishments/{own}")
    );
    let res = get(
        referent.clone(),
        format!("/consumption/establishments/{own}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"referent-note\""));
    assert!(html.contains("Parmi "), "position among peers");
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    let me = establishments::get(&app.db, &scope, own).await.unwrap();
    let peers = establishments::all(&app.db, &scope).await.unwrap();
    let peer = peers
        .iter()
        .find(|e| e.category == me.category && e.id != own)
        .expect("a peer");
    assert!(!html.contains(&peer.name), "peers stay anonymous");
    for path in [
        format!("/consumption/establishments/{}", peer.id),
        format!("/consumption/establishments/{}/report", peer.id),
        "/consumption/export/csv".to_string(),
        "/consumption/reports".to_string(),
    ] {
        assert_eq!(
            get(referent.clone(), path.clone()).await.status(),
            403,
            "{path}"
        );
    }

    // The referent's feedback report: a PDF whose first page reads right.
    let res = get(
        referent.clone(),
        format!("/consumption/establishments/{own}/report?year=2025"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let (text, dark) = look_at_first_page(&pdf);
    assert!(text.contains(&me.name), "{text}");
    assert!(text.contains("Consommation d'antibiotiques 2025"), "{text}");
    assert!(text.contains("Antibactériens (J01, total)"), "{text}");
    assert!(text.contains("Commentaires et recommandations"), "{text}");
    assert!(text.contains("WHOCC ATC/DDD Index 2026"), "{text}");
    assert!(text.contains("Voie parentérale : "), "{text}");
    assert!(
        text.contains("Objectif du Conseil de l'UE pour 2030") && !text.contains("60 %"),
        "{text}"
    );
    assert!(!text.contains('?'), "every character printable: {text}");
    assert!((0.01..0.5).contains(&dark), "ink on the page: {dark}");

    // Every establishment's report in one ZIP, for the region's staff.
    let res = get(coordinator.clone(), "/consumption/reports?year=2025".into()).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let with_data: Vec<(i64,)> = match &app.db {
        cratb_store::Db::Sqlite(p) => sqlx::query_as(
            "SELECT DISTINCT establishment_id FROM hospital_consumption WHERE year = 2025",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        cratb_store::Db::Postgres(p) => sqlx::query_as(
            "SELECT DISTINCT establishment_id FROM hospital_consumption WHERE year = 2025",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    assert_eq!(zip.len(), with_data.len());
    assert!(zip.file_names().all(|n| {
        n.is_ok_and(|n| n.starts_with("retour-consommation-2025-") && n.ends_with(".pdf"))
    }));

    // The JSON API: the same figures, and a referent's own establishment only.
    let api = |email: String, path: &'static str| {
        let app = &app;
        async move { app.api(&email, false).await.get(path).send().await.unwrap() }
    };
    let res = api(
        coordinator.clone(),
        "/api/v1/consumption/establishments?year=2025&class=J01",
    )
    .await;
    assert_eq!(res.status(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["indicator"], "J01");
    assert_eq!(json["ddd_editions"][0], "WHOCC ATC/DDD Index 2026");
    let list = json["establishments"].as_array().unwrap();
    assert_eq!(list.len(), with_data_es(&app).await);
    let ddd: f64 = list.iter().map(|e| e["ddd"].as_f64().unwrap()).sum();
    let days: f64 = list.iter().map(|e| e["days"].as_f64().unwrap()).sum();
    assert_eq!(
        format!("{:.1}", 1000.0 * ddd / days).replace('.', ","),
        expected
    );
    let res = api(referent.clone(), "/api/v1/consumption/establishments").await;
    let json: serde_json::Value = res.json().await.unwrap();
    let list = json["establishments"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], own);
    assert!(list[0]["peers"]["median"].is_number());
    let admin = app.email_of(Role::NationalAdmin, None);
    let res = api(admin, "/api/v1/consumption/establishments?region=99").await;
    assert_eq!(res.status(), 404);

    // The agency reads, but sets no target.
    let ars = app.email_of(Role::ArsReader, Some("84"));
    let res = get(ars.clone(), "/consumption".into()).await;
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains("/consumption/targets"));
    assert_eq!(get(ars, "/consumption/targets".into()).await.status(), 403);
}

#[tokio::test]
async fn a_coordinator_sets_a_target_and_bad_figures_are_named() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    let coordinator = app.email_of(Role::Coordinator, Some("84"));
    let web = app.client(&coordinator).await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        let web = &web;
        async move {
            web.post_form("/consumption/targets", &form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(vec![
        ("region", "84"),
        ("sector", "ES"),
        ("indicator", "J01M"),
        ("baseline_year", "2023"),
        ("reduction_pct", "beaucoup"),
        ("target_year", "2021"),
    ])
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("« beaucoup » : nombre positif attendu"));
    assert!(html.contains("l&#39;échéance (2021) doit suivre l&#39;année de référence (2023)"));
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    assert!(
        consumption::targets(&app.db, &scope.access("84").unwrap())
            .await
            .unwrap()
            .is_empty(),
        "nothing saved"
    );

    let res = post(vec![
        ("region", "84"),
        ("sector", "ES"),
        ("indicator", "J01M"),
        ("baseline_year", "2023"),
        ("reduction_pct", "20"),
        ("target_year", "2027"),
        ("national_value", "31,5"),
        ("national_year", "2024"),
    ])
    .await;
    assert_eq!(res.status(), 303);
    let set = consumption::targets(&app.db, &scope.access("84").unwrap())
        .await
        .unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(
        (
            set[0].indicator.as_str(),
            set[0].reduction_pct,
            set[0].national_value
        ),
        ("J01M", Some(20.0), Some(31.5))
    );
    assert_eq!(set[0].set_by.as_deref(), Some(coordinator.as_str()));
    // Another region's coordinator does not see it.
    let bzh = Scope::Region(RegionCode::parse("53").unwrap());
    assert!(bzh.access("84").is_none());
}

#[tokio::test]
async fn a_data_manager_imports_from_the_browser_and_can_take_it_back() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    let manager = app.email_of(Role::DataManager, Some("84"));
    let web = app.client(&manager).await;
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    let est = first_hospital(&app).await;
    let upload = |consumption: String, denominators: String, partial: bool| {
        let web = &web;
        async move {
            let form = consumption_form(consumption, denominators, partial);
            web.post_multipart("/consumption/imports", form)
                .send()
                .await
                .unwrap()
        }
    };
    let f = &est.finess;
    let denominators = format!(
        "establishment;period;ward_type;patient_days;admissions\n{f};2025-01;medicine;1000;100\n"
    );
    // Two bad rows: each named by file, line, column and value; nothing written.
    let bad = format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2025-01;medicine;J01CA04;O;300\n\
         {f};2025-13;medicine;J01CA04;O;30\n{f};2025-01;medicine;J01CA04;IV;30\n"
    );
    let res = upload(bad, denominators.clone(), false).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"import-errors\""));
    assert!(html.contains("<td>consommations</td><td class=\"num\">3</td><td>period</td><td><code>2025-13</code></td>"), "{html}");
    assert!(html.contains("<td class=\"num\">4</td><td>route</td><td><code>IV</code></td>"));
    assert!(
        consumption::imports(&app.db, &scope.access("84").unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // Every problem of both files in one pass: a bad cell, a repeated key, an unknown FINESS and
    // a ward type outside the list, with the denominators' own bad cell.
    let bad = format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2025-01;medicine;J01CA04;O;300\n\
         {f};2025-01;medicine;J01CA04;O;300\n380000000;2025-01;medicine;J01CA04;O;1\n\
         {f};2025-01;Cardiologie;J01CA04;O;1\n{f};2025-01;Médecine;J01CR02;O;1e308\n"
    );
    let res = upload(
        bad,
        format!("{denominators}{f};2025-02;medicine;0,5;1\n"),
        false,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for (file, line, column) in [
        ("consommations", 3, ""),
        ("consommations", 4, "establishment"),
        ("consommations", 5, "ward_type"),
        ("consommations", 6, "grams"),
        ("dénominateurs", 3, "patient_days"),
    ] {
        assert!(
            html.contains(&format!(
                "<td>{file}</td><td class=\"num\">{line}</td><td>{column}</td>"
            )),
            "{file} {line} {column}: {html}"
        );
    }
    assert!(
        html.contains("medicine (Médecine)"),
        "the accepted ward types are named"
    );
    assert!(
        !html.contains(">inf") && !html.contains("NaN"),
        "no infinite figure: {html}"
    );

    // Consumption for two months, days for one: refused with the month named, unless partial
    // figures are accepted.
    let two_months = format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2025-01;medicine;J01CA04;O;300\n\
         {f};2025-02;medicine;J01CA04;O;300\n"
    );
    let res = upload(two_months.clone(), denominators.clone(), false).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"import-partial\""), "{html}");
    assert!(
        html.contains(&format!(
            "{f}, Médecine, 2025-02 : consommation sans journées"
        )),
        "{html}"
    );
    assert!(
        consumption::imports(&app.db, &scope.access("84").unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    let good = format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2025-01;medicine;J01CA04;O;300\n"
    );
    let res = upload(good.clone(), denominators.clone(), false).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("id=\"import-done\""));
    // Sent again (a corrected month), it replaces rather than adds.
    let res = upload(good.replace(";300", ";150"), denominators.clone(), false).await;
    assert_eq!(res.status(), 200);
    let years = consumption::establishment_years(&app.db, &scope, est.id, "J01")
        .await
        .unwrap();
    assert_eq!((years[0].ddd, years[0].patient_days), (100.0, Some(1000.0)));
    let imports = consumption::imports(&app.db, &scope.access("84").unwrap())
        .await
        .unwrap();
    assert_eq!(imports.len(), 2);
    // The page shows it at once: 100 DDD / 1000 patient-days × 1000.
    let html = web
        .page(&format!("/consumption/establishments/{}", est.id))
        .await;
    assert!(html.contains("<td class=\"num\">100,0</td>"), "{html}");

    // Taken back: its rows are gone.
    let res = web
        .post_button(&format!("/consumption/imports/{}/delete", imports[0].id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("id=\"import-removed\""));
    assert!(
        consumption::establishment_years(&app.db, &scope, est.id, "J01")
            .await
            .unwrap()
            .is_empty()
    );
    // Another region's data manager cannot remove an import of this one.
    let other = app.email_of(Role::Coordinator, Some("53"));
    let other_web = app.client(&other).await;
    let res = other_web
        .post_button(&format!("/consumption/imports/{}/delete", imports[1].id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Partial figures accepted: imported, and every figure covers January only and says so.
    let res = upload(two_months, denominators, true).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"partial-accepted\""), "{html}");
    let html = web
        .page(&format!("/consumption/establishments/{}", est.id))
        .await;
    // 200 DDD over 1000 patient-days (January), not 400.
    assert!(html.contains("<td class=\"num\">200,0</td>"), "{html}");
    assert!(html.contains("id=\"left-out\""), "{html}");
    assert!(html.contains("2025-02"), "{html}");
}

#[tokio::test]
async fn a_newer_ddd_edition_is_loaded_and_the_region_recomputed_under_it() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    let manager = app.email_of(Role::DataManager, Some("84"));
    let web = app.client(&manager).await;
    let scope = Scope::Region(RegionCode::parse("84").unwrap());
    let region = RegionCode::parse("84").unwrap();
    let est = first_hospital(&app).await;
    let f = &est.finess;
    consumption::import_hospital(
        &app.db,
        &scope.access(region.as_str()).unwrap(),
        HospitalFiles {
            filename: "conso.csv",
            consumption: format!(
                "establishment,period,ward_type,atc,route,grams\n{f},2025-01,medicine,J01CA04,O,300\n{f},2025-01,medicine,J01XB01,P,9\n"
            )
            .as_bytes(),
            denominators: format!(
                "establishment,period,ward_type,patient_days,admissions\n{f},2025-01,medicine,1000,100\n"
            )
            .as_bytes(),
            accept_partial: false,
        },
        &DddTable::embedded(2026).unwrap(),
        "test",
        None,
    )
    .await
    .unwrap();
    let load = |name: &'static str, csv: &'static str| {
        let web = &web;
        async move {
            let form = reqwest::multipart::Form::new().text("edition", name).part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes()).file_name("ddd.csv"),
            );
            web.post_multipart("/consumption/ddd", form)
                .send()
                .await
                .unwrap()
        }
    };
    // A hypothetical 2027 edition where oral amoxicillin's DDD is 3 g.
    let table = "atc;name;ddd;unit;route\nJ01CA04;amoxicillin;3;g;O\nJ01CA04;amoxicillin;3;g;P\n";
    let res = load("Index test 2027", table).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("id=\"ddd-loaded\""));
    // A shipped edition's name, or a bad line, is refused with its reason.
    let res = load("WHOCC ATC/DDD Index 2026", table).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("une édition porte déjà ce nom")
    );
    let res = load(
        "Index cassé",
        "atc;name;ddd;unit;route\nJ01CA04;amoxicillin;trois;g;O\n",
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("ligne 2 : DDD « trois » illisible")
    );

    let res = web
        .post_form(
            "/consumption/ddd/recompute",
            &[("edition", "Index test 2027")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"recomputed\""));
    // Colistin has no DDD in this small edition: said, not hidden.
    assert!(html.contains("J01XB01 (P)"), "{html}");
    // 300 g / 3 g = 100 DDD instead of 200; the page names the edition.
    let years = consumption::establishment_years(&app.db, &scope, est.id, "J01")
        .await
        .unwrap();
    assert_eq!(years[0].ddd, 100.0);
    let page = web
        .page(&format!("/consumption/establishments/{}", est.id))
        .await;
    assert!(page.contains("DDJ : Index test 2027"), "edition named");
    assert!(page.contains("<td class=\"num\">100,0</td>"));
    // Unknown edition: a message, nothing changed.
    let res = web
        .post_form("/consumption/ddd/recompute", &[("edition", "Index 1999")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn primary_care_per_territory_with_the_esac_indicators() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    let rows = cratb_demo::consumption::generate_primary(&app.db, "84", 3)
        .await
        .unwrap();
    assert!(rows > 10_000, "{rows}");
    let coordinator = app.email_of(Role::Coordinator, Some("84"));
    let web = app.client(&coordinator).await;
    let get = |path: String| {
        let web = &web;
        async move { web.get(&path).send().await.unwrap() }
    };
    let res = get("/consumption/primary-care?year=2024".into()).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    // The region's J01 use is near 19 DDD per 1000 inhabitants per day, with its prescriptions.
    let row = html
        .split("<tr data-territory=\"region\">")
        .nth(1)
        .expect("the region's line")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    let figures: Vec<f64> = row
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|c| c.split('<').next())
        .filter_map(|c| c.replace('\u{202f}', "").replace(',', ".").parse().ok())
        .collect();
    assert!((15.0..22.0).contains(&figures[1]), "DID {row}");
    assert!((450.0..800.0).contains(&figures[2]), "prescriptions {row}");
    assert_eq!(html.matches("<tr data-territory=\"dep:").count(), 12);
    assert!(html.contains("Part des fluoroquinolones (J01MA)"));
    assert!(html.contains("Variation saisonnière J01"));
    assert!(html.contains("Coenen S et al., Qual Saf Health Care 2007;16:440–445"));
    assert!(!html.contains("Adriaenssens"));
    // The export: one line per territory with the twelve indicators.
    let csv = get("/consumption/primary-care/export/csv?year=2024".into())
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("territoire;annee;population;ddj_j01;prescriptions_1000_hab;j01_did"));
    assert_eq!(csv.lines().count(), 1 + 13);

    // Imports: an unknown territory is named with its line; the open-data layout with its DDD
    // per pack; populations.
    let upload = |fields: Vec<(&'static str, &'static str)>, files: Vec<(&'static str, String)>| {
        let web = &web;
        async move {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k, v);
            }
            for (k, v) in files {
                form = form.part(
                    k,
                    reqwest::multipart::Part::bytes(v.into_bytes()).file_name(format!("{k}.csv")),
                );
            }
            web.post_multipart("/consumption/primary-care/imports", form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = upload(
        vec![("kind", "dispensations")],
        vec![(
            "file",
            "territory;period;atc;ddd\n38;2025-01;J01CA04;100\nFinistère;2025-01;J01CA04;5\n"
                .into(),
        )],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<td class=\"num\">3</td><td>territory</td><td><code>Finistère</code></td>"),
        "{html}"
    );
    let open_data = "ATC5;CIP13;age;sexe;BEN_REG;PSP_SPE;BOITES\nJ01CA04;3400930000001;20;2;84;1;1000\nJ01CA04;3400930000001;20;2;53;1;70\n";
    let res = upload(
        vec![("kind", "dispensations"), ("year", "2022")],
        vec![
            ("file", open_data.into()),
            ("packs", "cip13;ddd_per_pack\n3400930000001;6\n".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("1 ligne, 1 ligne laissée de côté d&#39;autres régions"),
        "{html}"
    );
    let res = upload(
        vec![("kind", "populations")],
        vec![(
            "file",
            "territory;year;population\nrégion;2022;1000\n".into(),
        )],
    )
    .await;
    assert_eq!(res.status(), 200);
    // 6,000 DDD for 1,000 inhabitants over 365 days: 16.4 DDD per 1000 inhabitants per day.
    let html = get("/consumption/primary-care?year=2022".into())
        .await
        .text()
        .await
        .unwrap();
    let expected = format!("{:.1}", 1000.0 * 6000.0 / (1000.0 * 365.0)).replace('.', ",");
    assert!(
        html.contains(&format!("<td class=\"num\">{expected}</td>")),
        "{expected}"
    );

    // Not a referent's: their establishment only.
    let referent = app.email_of(Role::Referent, Some("84"));
    let res = app
        .client(&referent)
        .await
        .get("/consumption/primary-care")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_refused_consumption_file_is_explained_in_the_users_language() {
    use cratb_domain::Role;
    let app = TestApp::spawn().await;
    let manager = app.email_of(Role::DataManager, Some("84"));
    let web = app.client(&manager).await;
    let f = first_hospital(&app).await.finess;
    let upload = |web: cratb_testkit::Client| {
        let consumption = format!(
            "establishment;period;ward_type;atc;route;grams\n{f};2025-01;medicine;J01CA04;O;300\n\
             380000000;2025-01;medicine;J01CA04;O;1\n"
        );
        let denominators = format!(
            "establishment;period;ward_type;patient_days;admissions\n{f};2025-01;medicine;1000;100\n"
        );
        async move {
            let form = consumption_form(consumption, denominators, false);
            let res = web
                .post_multipart("/consumption/imports", form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 422);
            res.text().await.unwrap()
        }
    };
    let html = upload(web.in_lang("en")).await;
    assert!(
        html.contains("no establishment of the region has this FINESS number"),
        "{html}"
    );
    assert!(!html.contains("aucun établissement de la région"), "{html}");
    let html = upload(web.in_lang("fr")).await;
    assert!(
        html.contains("aucun établissement de la région ne porte ce numéro FINESS"),
        "{html}"
    );
    assert!(!html.contains("no establishment of the region"), "{html}");
}

/// The indicators as an epidemiologist signs them: the Access share against its targets, every
/// rate with its numerator and denominator, what no figure counts, a past year's report that
/// stops at its year with its counts, buttons that keep the department they carry, an empty
/// region that points to the import page, inhaled forms kept apart, and a year ending in March
/// labelled and compared with the same months.
#[tokio::test]
async fn consumption_figures_an_epidemiologist_would_sign() {
    use cratb_domain::{Permission, Role};
    let app = TestApp::spawn().await;
    cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    let coordinator = app.email_of(Role::Coordinator, Some("84"));
    let client = app.client(&coordinator).await;
    let page = |path: &str| {
        let req = client.get(path);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };

    let html = page("/consumption").await;
    // Targets: EU 2030 and UN 2024, each with where the figure stands; no 60 % anywhere.
    let targets = html.split("id=\"access-targets\"").nth(1).unwrap();
    let targets = targets.split("</ul>").next().unwrap();
    assert!(
        targets.contains(
            "Objectif du Conseil de l&#39;UE pour 2030\u{a0}: au moins 65\u{a0}% d&#39;Access — "
        ),
        "{targets}"
    );
    assert!(targets.contains("Nations unies (2024)\u{a0}: au moins 70\u{a0}% d&#39;Access — "));
    assert!(targets.contains(" en dessous (") || targets.contains("atteint"));
    assert!(!html.contains("60 %"));
    // Rates with their numerator and denominator on hover.
    let tile = html.split("class=\"tile-value\" title=\"").nth(1).unwrap();
    assert!(
        tile.split('"').next().unwrap().contains(" DDJ / ")
            && tile.contains("journées d&#39;hospitalisation"),
        "{}",
        &tile[..200]
    );
    for table in ["id=\"aware\"", "id=\"classes\"", "id=\"top\""] {
        let part = html.split(table).nth(1).unwrap();
        let part = part.split("</section>").next().unwrap();
        assert!(
            part.contains("title=\"") && part.contains(" DDJ / "),
            "{table}"
        );
    }

    // A past year's report stops at its year and gives DDD, patient-days and admissions.
    let hospital = scalar(
        &app.db,
        "SELECT MIN(c.establishment_id) FROM hospital_consumption c JOIN establishments e
         ON e.id = c.establishment_id WHERE e.sector = 'ES' AND c.year = 2024",
    )
    .await;
    let res = client
        .get(&format!(
            "/consumption/establishments/{hospital}/report?year=2024"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (text, _) = look_at_first_page(&res.bytes().await.unwrap());
    assert!(text.contains("Consommation d'antibiotiques 2024"), "{text}");
    assert!(text.contains("2023") && !text.contains("2025"), "{text}");
    for count in [
        "DDJ J01 (numérateur)",
        "Journées d'hospitalisation",
        "Admissions",
    ] {
        assert!(text.contains(count), "{count}: {text}");
    }

    // The department the dashboard carries is kept by its buttons.
    let isere = page("/consumption?department=38").await;
    let zip_link = isere.split(" id=\"reports-zip\"").next().unwrap();
    let zip_link = zip_link.rsplit("href=\"").next().unwrap();
    assert!(
        zip_link.starts_with("/consumption/reports?") && zip_link.contains("department=38"),
        "{zip_link}"
    );
    let primary = isere.split(" id=\"primary-link\"").next().unwrap();
    let primary = primary.rsplit("href=\"").next().unwrap();
    assert_eq!(
        primary, "/consumption/primary-care?region=84&#38;territory=dep%3A38\"",
        "primary care"
    );
    let res = client
        .get("/consumption/reports?year=2025&department=38")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let zip =
        zip::ZipArchive::new(std::io::Cursor::new(res.bytes().await.unwrap().to_vec())).unwrap();
    let in_isere = scalar(
        &app.db,
        "SELECT COUNT(DISTINCT c.establishment_id) FROM hospital_consumption c
         JOIN establishments e ON e.id = c.establishment_id
         WHERE e.department_code = '38' AND c.year = 2025",
    )
    .await;
    let all = scalar(
        &app.db,
        "SELECT COUNT(DISTINCT establishment_id) FROM hospital_consumption WHERE year = 2025",
    )
    .await;
    assert!(in_isere > 0 && in_isere < all);
    assert_eq!(zip.len() as i64, in_isere);
    let in_38 = scalar(
        &app.db,
        "SELECT MIN(c.establishment_id) FROM hospital_consumption c JOIN establishments e
         ON e.id = c.establishment_id WHERE e.department_code = '38' AND e.sector = 'ES'",
    )
    .await;
    let est = page(&format!(
        "/consumption/establishments/{in_38}?department=38"
    ))
    .await;
    assert!(
        est.contains("<input type=\"hidden\" name=\"department\" value=\"38\">"),
        "the establishment's filters keep the department"
    );

    // Bretagne has no consumption: the page points to the web import, or says whom to ask.
    for account in app
        .accounts
        .iter()
        .filter(|a| a.region.as_deref() == Some("53") && a.role != Role::Referent)
        .filter(|a| a.role.can(Permission::ViewConsumption))
    {
        let html = app
            .client(&account.email)
            .await
            .get("/consumption")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("id=\"consumption-empty\""),
            "{:?}",
            account.role
        );
        assert!(
            !html.contains("cratb consumption import"),
            "{:?}",
            account.role
        );
        if account.role.can(Permission::ImportConsumption) {
            assert!(
                html.contains("<a href=\"/consumption/imports?region=53"),
                "{:?}",
                account.role
            );
        } else {
            assert!(
                html.contains("demandez au data manager"),
                "{:?}",
                account.role
            );
        }
    }

    // Inhaled forms: a plain `Inhal` of tobramycin is refused, naming the two forms.
    let region = RegionCode::parse("84").unwrap();
    let scope = Scope::Region(region.clone());
    let est = first_hospital(&app).await;
    let table = DddTable::embedded(2026).unwrap();
    let days = format!(
        "establishment;period;ward_type;patient_days;admissions\n\
         {f};2026-01;medicine;1000;100\n{f};2026-02;medicine;1000;100\n{f};2026-03;medicine;1000;100\n",
        f = est.finess
    );
    let import = |consumption: String| {
        let (db, scope, table, days) = (&app.db, &scope, &table, &days);
        async move {
            consumption::import_hospital(
                db,
                &scope.access("84").unwrap(),
                HospitalFiles {
                    filename: "inhal.csv",
                    consumption: consumption.as_bytes(),
                    denominators: days.as_bytes(),
                    accept_partial: true,
                },
                table,
                "test",
                None,
            )
            .await
        }
    };
    let err = import(format!(
        "establishment;period;ward_type;atc;route;grams\n{f};2026-01;medicine;J01GB01;Inhal;3\n",
        f = est.finess
    ))
    .await
    .unwrap_err();
    match err {
        HospitalImportError::Invalid(list) => {
            let p = &list.listed[0].1;
            assert_eq!((p.line, p.column.as_str()), (2, "route"));
            assert!(p.message.contains("Inhal.powder") && p.message.contains("Inhal.solution"));
        }
        other => panic!("{other}"),
    }
    // With its form, a year ending in March: the dashboard still opens on 2025, and 2026 is
    // labelled partial and compared with January–March 2025.
    import(format!(
        "establishment;period;ward_type;atc;route;grams\n\
         {f};2026-01;medicine;J01GB01;Inhal.solution;3\n\
         {f};2026-02;medicine;J01CA04;O;300\n{f};2026-03;medicine;J01CA04;O;300\n\
         {f};2026-03;medicine;J01XB01;P;12\n",
        f = est.finess
    ))
    .await
    .unwrap();
    let html = page("/consumption").await;
    assert!(html.contains("<h2 id=\"sectors-title\">Par secteur (J01) — 2025</h2>"));
    let html = page("/consumption?year=2026").await;
    assert!(
        html.contains(
            "<h2 id=\"sectors-title\">Par secteur (J01) — janvier–mars 2026, partiel</h2>"
        ),
        "partial"
    );
    assert!(html.contains("id=\"partial-year\""));
    assert!(html.contains("par rapport à janvier–mars 2025"));
    // Colistin (in million units) is said to be left out of the shares, not dropped silently.
    let unconverted = html.split("id=\"unconverted\">").nth(1).unwrap();
    assert!(
        unconverted.starts_with(
            "1 substance sans DDD en grammes non comptée\u{a0}: J01XB01 colistin (P, 12 g)"
        ),
        "{}",
        &unconverted[..120]
    );
}
