//! Resistance surveillance end to end: upload through the API and the page, pseudonymisation,
//! all-or-nothing imports, the antibiogram against the AMR package's own counts, exports,
//! and the audit of every isolate-level read.

mod common;

use common::{COORD, COORD_BZH, LAB, PRESCRIBER, TestApp, scalar};
use serde_json::Value;
use std::collections::HashMap;

fn conformance(name: &str) -> String {
    format!(
        "{}/../cratb-amr/tests/conformance/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn an_uploaded_file_gives_the_amr_package_antibiogram() {
    let app = TestApp::spawn().await;
    // Bretagne holds no demo isolates: the region's antibiogram is the file's.
    let api = app.api(COORD_BZH, true).await;
    let file = std::fs::read(conformance("input.csv")).unwrap();
    let res = api
        .post("/api/v1/isolates/imports?filename=conformance.csv")
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let outcome: Value = res.json().await.unwrap();
    assert_eq!(outcome["rows_imported"], 20_000);
    assert_eq!(outcome["rows_skipped"], 0);
    assert_eq!(outcome["guideline"], "EUCAST 2025");

    // Pseudonymised at entry: no clear identifier in the table.
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolates WHERE region_code = '53'"
        )
        .await,
        20_000
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolates WHERE patient_key LIKE 'P0%'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(DISTINCT patient_key) FROM isolates WHERE region_code = '53'"
        )
        .await,
        {
            let text = std::fs::read_to_string(conformance("input.csv")).unwrap();
            let patients: std::collections::HashSet<&str> = text
                .lines()
                .skip(1)
                .map(|l| l.split(',').nth(1).unwrap())
                .collect();
            patients.len() as i64
        },
        "one pseudonym per patient"
    );

    let res = api
        .get("/api/v1/antibiogram?first_isolates=true&intrinsic=ignore")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let table: Value = res.json().await.unwrap();
    assert_eq!(table["guideline"], "EUCAST 2025");
    let got: HashMap<(String, String), [i64; 5]> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                (
                    r["organism"].as_str().unwrap().to_string(),
                    r["antimicrobial"].as_str().unwrap().to_string(),
                ),
                [n("n_S"), n("n_SDD"), n("n_I"), n("n_R"), n("n_NI")],
            )
        })
        .collect();
    let mut expected =
        csv::Reader::from_path(conformance("expected_antibiogram_counts.csv")).unwrap();
    let mut rows = 0;
    for r in expected.records() {
        let r = r.unwrap();
        let want: [i64; 5] = [2, 3, 4, 5, 6].map(|i| r[i].parse().unwrap());
        assert_eq!(
            got.get(&(r[0].to_string(), r[1].to_string())),
            Some(&want),
            "{} × {}",
            &r[0],
            &r[1]
        );
        rows += 1;
    }
    assert_eq!(got.len(), rows, "same organism × antimicrobial cells");

    // Imports and reads are in the audit log.
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.import'"
        )
        .await,
        1
    );
    assert!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.read'"
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_line_and_column() {
    let app = TestApp::spawn().await;
    let api = app.api(LAB, true).await;
    let before = scalar(&app.db, "SELECT COUNT(*) FROM isolates").await;
    let file = "patient_id;date;organism;CTX_mic;CIP\n\
                P1;2025-01-03;E. coli;0.5;S\n\
                P2;2025-01-04;Escherichia colli;0.5;S\n\
                P3;31/02/2025;K. pneumoniae;beaucoup;R\n";
    let res = api
        .post("/api/v1/isolates/imports")
        .header("accept-language", "en")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    let errors = problem["errors"].as_array().unwrap();
    let has = |line: i64, column: &str| {
        errors
            .iter()
            .any(|e| e["line"] == line && e["column"] == column)
    };
    assert!(has(3, "organism"), "{problem}");
    assert!(has(4, "date"), "{problem}");
    assert!(
        errors
            .iter()
            .any(|e| e["detail"].as_str().unwrap().contains("unknown organism")),
        "English: {problem}"
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        before,
        "nothing half-written"
    );

    // With skip_invalid the valid row goes in, and exactly what was skipped is said.
    let res = api
        .post("/api/v1/isolates/imports?skip_invalid=true")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let outcome: Value = res.json().await.unwrap();
    assert_eq!(outcome["rows_read"], 3);
    assert_eq!(outcome["rows_imported"], 1);
    assert_eq!(outcome["rows_skipped"], 2);
    assert_eq!(outcome["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        before + 1
    );

    // A prescriber may read antibiograms but not import.
    let prescriber = app.api(PRESCRIBER, true).await;
    let res = prescriber
        .post("/api/v1/isolates/imports")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_antibiogram_page_filters_exports_and_is_audited() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let get = |path: &str| coord.get(path).send();

    let page = get("/resistance").await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"antibiogram\""), "the table is shown");
    assert!(html.contains("<em>Escherichia coli</em>"));
    assert!(html.contains("EUCAST 2025"));
    assert!(
        html.contains("<svg class=\"chart\""),
        "the trend chart is drawn"
    );

    // Filters change the count; an unknown value keeps nothing.
    let all = get("/resistance?first_isolates=false")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let urine = get("/resistance?first_isolates=false&specimen=urine")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counted = |html: &str| -> i64 {
        let at = html.find(" isolats comptés").unwrap();
        html[..at]
            .rsplit('>')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert!(counted(&urine) < counted(&all) && counted(&urine) > 0);
    let nothing = get("/resistance?specimen=larmes")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(counted(&nothing), 0);

    let csv = get("/resistance/export/csv?year_from=2024").await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.trim_start_matches('\u{feff}').starts_with(
        "organism;antimicrobial;antimicrobial_name;n_tested;n_S;n_SDD;n_I;n_R;n_NI;pct_susceptible;ci_low;ci_high;reportable;intrinsic_resistance;pk_pd_breakpoint"
    ));
    let xlsx = get("/resistance/export/xlsx")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let pdf = get("/resistance/export/pdf")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(get("/resistance/export/doc").await.unwrap().status(), 404);

    let alerts = get("/resistance/alerts")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(alerts.contains("SARM"), "MRSA counted among first isolates");

    // Every view and export read isolate-level data: all in the audit log.
    assert!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.read'"
        )
        .await
            >= 8
    );
}

/// The rows of the API's antibiogram by organism × antimicrobial.
fn rows_by_pair(table: &Value) -> HashMap<(String, String), Value> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["organism"].as_str().unwrap().to_string(),
                    r["antimicrobial"].as_str().unwrap().to_string(),
                ),
                r.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_demo_antibiogram_applies_expected_resistant_phenotypes_and_says_how_it_read() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let get = |path: &str| coord.get(path).send();

    // The API: expected resistant phenotypes R by default, their rows flagged; the laboratory's
    // shares with `intrinsic=ignore`.
    let api = app.api(COORD, true).await;
    let read = |query: &'static str| {
        let api = &api;
        async move {
            let res = api
                .get(&format!("/api/v1/antibiogram?{query}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{query}");
            res.json::<Value>().await.unwrap()
        }
    };
    let applied = read("").await;
    assert_eq!(applied["intrinsic_resistance"], "include");
    let rows = rows_by_pair(&applied);
    let pair = |o: &str, a: &str| (o.to_string(), a.to_string());
    for (organism, code) in [
        ("Klebsiella pneumoniae", "AMX"),
        ("Enterobacter cloacae", "AMX"),
        ("Enterobacter cloacae", "AMC"),
    ] {
        let r = &rows[&pair(organism, code)];
        assert_eq!(r["intrinsic_resistance"], true, "{organism} × {code}");
        assert_eq!(r["n_S"], 0, "{organism} × {code}");
        assert_eq!(r["pct_susceptible"], 0.0, "{organism} × {code}");
    }
    let coli = &rows[&pair("Escherichia coli", "AMX")];
    assert_eq!(coli["intrinsic_resistance"], false);
    assert!(coli["pct_susceptible"].as_f64().unwrap() > 0.0);
    let pseudo = &rows[&pair("Pseudomonas aeruginosa", "GEN")];
    assert_eq!(pseudo["pk_pd_breakpoint"], true);
    assert_eq!(
        rows[&pair("Escherichia coli", "GEN")]["pk_pd_breakpoint"],
        false
    );
    let ignored = read("intrinsic=ignore").await;
    assert_eq!(ignored["intrinsic_resistance"], "ignore");
    let kleb = &rows_by_pair(&ignored)[&pair("Klebsiella pneumoniae", "AMX")];
    // The laboratory's own results, not the rule (the demo's laboratory reads them resistant,
    // as EUCAST expects).
    assert_eq!(kleb["intrinsic_resistance"], false);
    assert_eq!(kleb["n_R"], kleb["n_tested"], "{kleb}");
    let bad = api
        .get("/api/v1/antibiogram?intrinsic=maybe")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let openapi = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        openapi.contains("\"intrinsic\""),
        "the parameter is documented"
    );

    // The page in French: the marks, the legend, French names, decimal commas.
    let html = get("/resistance").await.unwrap().text().await.unwrap();
    assert!(
        html.contains("sus-intrinsic"),
        "an expected resistant phenotype shown"
    );
    assert!(html.contains("<span class=\"mark\">RN</span>"));
    assert!(html.contains("<span class=\"mark\">PK/PD</span>"));
    assert!(
        html.contains(">GEN HN</abbr>"),
        "the high-level screen's column"
    );
    assert!(
        html.contains(
            "interprété selon les concentrations critiques PK/PD (non liées à l&#39;espèce)"
        ) || html.contains(
            "interprété selon les concentrations critiques PK/PD (non liées à l&#x27;espèce)"
        )
    );
    assert!(html.contains("Amoxicilline-acide clavulanique"));
    assert!(html.contains("Concentrations critiques cliniques EUCAST"));
    assert!(
        !html.contains("EUCAST clinical breakpoints"),
        "no English footer"
    );
    assert!(
        html.contains("name=\"intrinsic\" value=\"ignore\""),
        "the filter's checkbox"
    );
    // Filters in words: specimen types and sectors as people say them.
    assert!(
        html.contains(">Hémocultures</option>"),
        "specimen types in French"
    );
    assert!(html.contains(">Établissements de santé (ES)</option>"));
    assert!(!html.contains(">blood</option>") && !html.contains(">respiratory</option>"));
    let off = get("/resistance?intrinsic=ignore")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!off.contains("class=\"sus-intrinsic\""));
    assert!(off.contains("name=\"intrinsic\" value=\"ignore\" checked"));
    let english = coord
        .in_lang("en")
        .get("/resistance")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<span class=\"mark\">IR</span>"));
    assert!(english.contains(">GEN HL</abbr>"));
    assert!(english.contains("EUCAST clinical breakpoints"));

    // The files: the name in the reader's language and both flags.
    let csv = get("/resistance/export/csv")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("Enterococcus faecalis;GEN;Gentamicine haut niveau;")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("Klebsiella pneumoniae;AMX;Amoxicilline;")
                && l.ends_with(";true;false")),
        "{csv}"
    );
}

#[tokio::test]
async fn organisms_of_concern_are_counted_per_species_blood_cultures_first() {
    let app = TestApp::spawn().await;
    let api = app.api(COORD, false).await;
    let rows = api.json("/api/v1/resistance/alerts").await;
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    let kinds = [
        "e_coli_3gc_r",
        "k_pneumoniae_3gc_r",
        "e_coli_carbapenem_r",
        "k_pneumoniae_carbapenem_r",
        "mrsa",
        "vr_e_faecium",
    ];
    // Species by species (EARS-Net): no pooled Enterobacterales row.
    for row in rows {
        assert!(kinds.contains(&row["kind"].as_str().unwrap()), "{row}");
        assert_eq!(
            row["few_isolates"].as_bool().unwrap(),
            row["tested"].as_u64().unwrap() < 30,
            "{row}"
        );
    }
    let region = |series: &str, kind: &str| {
        rows.iter()
            .filter(|r| r["level"] == "region" && r["series"] == series && r["kind"] == kind)
            .map(|r| r["tested"].as_u64().unwrap())
            .sum::<u64>()
    };
    for kind in ["e_coli_3gc_r", "k_pneumoniae_3gc_r", "mrsa"] {
        let (blood, all) = (region("blood", kind), region("all", kind));
        assert!(0 < blood && blood < all, "{kind}: {blood} blood of {all}");
    }
    // The region's rows of a year: blood cultures first.
    let first = rows.iter().find(|r| r["level"] == "region").unwrap();
    assert_eq!(first["series"], "blood", "{first}");

    let coord = app.client(COORD).await;
    let html = coord.page("/resistance/alerts").await;
    assert!(
        html.contains("Définitions\u{a0}: EARS-Net (ECDC)"),
        "{html}"
    );
    assert!(html.contains("Hémocultures (comparables EARS-Net / SPARES)"));
    assert!(html.contains("E. coli résistant aux C3G"));
    assert!(html.contains("K. pneumoniae résistant aux carbapénèmes"));
    assert!(!html.contains("Entérobactéries"), "no pooled rate");
    // Fewer than 30 isolates: greyed with the antibiogram's words.
    assert!(html.contains("class=\"num sus-nr\""), "{html}");
    assert!(html.contains("moins de 30 isolats testés"));
    let csv = coord
        .get("/resistance/alerts/export/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(header.starts_with("serie"), "{header}");
    assert!(header.contains("moins_de_30_isolats"), "{header}");
    let second = csv.lines().nth(1).unwrap();
    assert!(second.starts_with("Hémocultures"), "{second}");
}

#[tokio::test]
async fn the_upload_page_imports_or_shows_every_problem() {
    let app = TestApp::spawn().await;
    let web = app.client(LAB).await;
    // The laboratory sends the files of its hospital.
    let own: i64 = scalar(
        &app.db,
        &format!(
            "SELECT e.establishment_id FROM user_establishments e JOIN users u ON u.id = e.user_id WHERE u.email = '{LAB}'"
        ),
    )
    .await;
    let upload = |body: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("establishment", own.to_string())
            .text("guideline", "EUCAST 2025")
            .text("uti", "specimen")
            .part(
                "file",
                reqwest::multipart::Part::bytes(body.as_bytes()).file_name("labo.csv"),
            );
        web.post_multipart("/resistance/imports", form).send()
    };
    let res = upload("patient_id,date,organism,specimen,AMC_mic\nP9,2025-03-01,E. coli,urine,16\n")
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"import-done\""), "{html}");
    // Urine, UTI breakpoints: AMC 16 is S on the uncomplicated-UTI row (S<=32).
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM isolates WHERE results = 'AMC=S'"
        )
        .await,
        1
    );

    let res = upload("patient_id,date,organism\nP9,2025-13-01,E. coli\n")
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"problems\"") && html.contains("2025-13-01"));

    // A wrong file is undone: the import and its isolates go, the region is recomputed, and the
    // audit log says so. Another region's import is out of reach.
    let id: i64 = scalar(
        &app.db,
        "SELECT MAX(id) FROM isolate_imports WHERE filename = 'labo.csv'",
    )
    .await;
    let before = scalar(&app.db, "SELECT COUNT(*) FROM isolates").await;
    let res = web
        .post_button(&format!("/resistance/imports/{id}/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("id=\"import-removed\""));
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM isolates").await,
        before - 1
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'isolates.import.delete'"
        )
        .await,
        1
    );
    let bzh = app.client(COORD_BZH).await;
    let demo_import: i64 = scalar(
        &app.db,
        "SELECT MIN(id) FROM isolate_imports WHERE region_code = '84'",
    )
    .await;
    let res = bzh
        .post_button(&format!("/resistance/imports/{demo_import}/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Without the token in the form's address, the upload is refused.
    let res = web
        .post("/resistance/imports")
        .multipart(reqwest::multipart::Form::new().text("uti", "never"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn pages_follow_imports_made_elsewhere_and_name_every_guideline() {
    let app = TestApp::spawn().await;
    let api = app.api(LAB, true).await;
    let isolates = |table: &Value| table["isolates"].as_i64().unwrap();
    let get = || async {
        let res = api
            .get("/api/v1/antibiogram?first_isolates=false")
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()
    };
    let before = get().await;
    assert_eq!(before["guideline"], "EUCAST 2025");

    // An import that does not go through this server (as `cratb import-isolates` does).
    let request = cratb_store::resistance::ImportRequest {
        region_code: "84".into(),
        establishment_id: None,
        filename: "cli.csv".into(),
        bytes: b"patient_id,date,organism,CTX_mic\nQ1,2025-05-02,E. coli,0.25\nQ2,2025-05-03,E. coli,4\n".to_vec(),
        options: cratb_amr::ReadOptions::named("EUCAST 2023", "", false).unwrap(),
        imported_by: None,
    };
    cratb_store::resistance::import_file(
        &app.db,
        &cratb_domain::Scope::National,
        request,
        &|_| {},
        None,
    )
    .await
    .unwrap();
    let after = get().await;
    assert_eq!(
        isolates(&after),
        isolates(&before) + 2,
        "the page reloads the region"
    );
    assert_eq!(
        after["guideline"], "EUCAST 2023 + EUCAST 2025",
        "every guideline used is cited"
    );
}
