//! The appropriateness audits' pages end to end, over HTTP (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): a coordinator starts a campaign, a referent enters a case
//! as a draft (by its button and in the background) then validates it, a bad answer comes back
//! in place under its criterion, another establishment's case is not found for the referent, a
//! sheet with a bad cell is refused with its line, column and value and stores nothing, the
//! results name the referent's establishment and no other, the CSV has its columns; the grids'
//! library imports, shows, downloads and edits a grid as its next version.

mod common;

use common::{COORD, TestApp, scalar};
use cratb_domain::{Establishment, Scope};
use cratb_store::PageRequest;
use cratb_store::establishments::{self, EstablishmentQuery};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const REFERENT: &str = "referent@demo.cratb.fr";
const GRID: &str = "reevaluation-48-72h";

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The referent's establishment and two other hospitals of their region.
async fn places(app: &TestApp) -> (Establishment, Establishment, Establishment) {
    let referent = cratb_store::users::find_by_email(&app.db, REFERENT)
        .await
        .unwrap();
    let own = establishments::get(&app.db, &Scope::National, referent.establishment_ids[0])
        .await
        .unwrap();
    assert_eq!(own.sector, "ES", "the demo referent works in a hospital");
    let mut others = establishments::list(
        &app.db,
        &Scope::Region(cratb_domain::RegionCode::parse("84").unwrap()),
        &EstablishmentQuery {
            sector: Some("ES".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(50)),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.id != own.id);
    let a = others.next().unwrap();
    let b = others.next().unwrap();
    (own, a, b)
}

/// The answers of a validated case of the grid `reevaluation-48-72h`, with `changes`.
fn answers(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = [
        ("a_date_debut", "2026-11-20"),
        ("a_prelevements_avant_premiere_dose", "yes"),
        ("a_reevaluation_tracee", "yes"),
        ("a_arret_si_infection_non_confirmee", "NA"),
        ("a_desescalade", "no"),
        ("a_relais_oral_envisage", "yes"),
        ("a_duree_prevue_ecrite", "yes"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        all.retain(|(key, _)| key != k);
        all.push((k.to_string(), v.to_string()));
    }
    all
}

fn case_form(
    number: &str,
    finess: &str,
    save: &str,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("case_number".into(), number.into()),
        ("establishment".into(), finess.into()),
        ("age".into(), "67".into()),
        ("sex".into(), "F".into()),
        ("ward_type".into(), "medicine".into()),
        ("save".into(), save.into()),
    ];
    f.extend(answers(changes));
    f
}

async fn cases(app: &TestApp) -> i64 {
    scalar(&app.db, "SELECT COUNT(*) FROM audit_cases").await
}

#[tokio::test]
async fn a_campaign_from_its_start_to_its_results() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let referent = app.client(REFERENT).await;
    let (own, other, third) = places(&app).await;
    let now = cratb_store::now();
    let grid_id = cratb_app::audits::grids(&app.db, now)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.code == GRID)
        .unwrap()
        .id;

    // The coordinator starts the campaign from the form, which lists the region's hospitals.
    let home = coord.page("/audits").await;
    assert!(home.contains("id=\"start-campaign\""), "{home}");
    let form = coord
        .page(&format!("/audits/campaigns/new?grid_id={grid_id}"))
        .await;
    for e in [&own, &other, &third] {
        assert!(
            form.contains(&format!("value=\"{}\"", e.finess)),
            "{}",
            e.finess
        );
    }
    let today = cratb_domain::paris::today(now);
    let refused = coord
        .post_form(
            "/audits/campaigns",
            &[
                ("title", "Réévaluation 2026"),
                ("grid_id", &grid_id.to_string()),
                ("starts_on", "pas une date"),
                ("ends_on", &(today + time::Duration::days(30)).to_string()),
                ("establishments", &own.finess),
                ("target", "10"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("id=\"starts_on-error\""), "{body}");
    assert!(
        body.contains("Réévaluation 2026"),
        "the typed title is kept"
    );
    let res = coord
        .post_form(
            "/audits/campaigns",
            &[
                ("title", "Réévaluation 2026"),
                ("grid_id", &grid_id.to_string()),
                ("starts_on", &today.to_string()),
                ("ends_on", &(today + time::Duration::days(30)).to_string()),
                ("establishments", &own.finess),
                ("establishments", &other.finess),
                ("establishments", &third.finess),
                ("target", "10"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let campaign = location(&res);
    let id: i64 = campaign
        .strip_prefix("/audits/campaigns/")
        .unwrap()
        .parse()
        .unwrap();
    let page = coord.page(&campaign).await;
    assert!(page.contains(&other.name) && page.contains(&third.name));

    // The referent is told what to enter, and opens the form for their establishment.
    let home = referent.page("/audits").await;
    assert!(
        home.contains("id=\"todo\"") && home.contains("Réévaluation 2026"),
        "{home}"
    );
    assert!(home.contains(&format!("cases/new?establishment={}", own.finess)));
    let form = referent
        .page(&format!(
            "/audits/campaigns/{id}/cases/new?establishment={}",
            own.finess
        ))
        .await;
    assert!(form.contains("id=\"no-identity\""));
    assert!(form.contains("name=\"a_reevaluation_tracee\" value=\"yes\""));
    assert!(form.contains("type=\"date\" id=\"a_date_debut\""));
    assert!(form.contains("Enregistrer le brouillon") && form.contains("Valider le dossier"));
    let english = referent
        .in_lang("en")
        .page(&format!(
            "/audits/campaigns/{id}/cases/new?establishment={}",
            own.finess
        ))
        .await;
    assert!(english.contains("Save the draft") && english.contains("Validate the case"));

    // A draft by its button: the form comes back with the time it was saved.
    let before = cases(&app).await;
    let res = referent
        .post_form(
            &format!("/audits/campaigns/{id}/cases"),
            &case_form(
                "A-001",
                &own.finess,
                "draft",
                &[("a_reevaluation_tracee", "peut-être")],
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let case_url = location(&res);
    assert!(case_url.ends_with("?saved=1"), "{case_url}");
    let page = referent.page(&case_url).await;
    assert!(page.contains("Brouillon enregistré à"), "{page}");
    assert_eq!(cases(&app).await, before + 1);
    let case_path = case_url.trim_end_matches("?saved=1").to_string();
    let case_id: i64 = case_path.rsplit('/').next().unwrap().parse().unwrap();

    // Validated with a bad answer: the error under its criterion, the case still a draft.
    let res = referent
        .post_form(
            &case_path,
            &case_form(
                "A-001",
                &own.finess,
                "validate",
                &[("a_reevaluation_tracee", "peut-être")],
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    let error = body
        .split("id=\"reevaluation_tracee-error\">")
        .nth(1)
        .expect("the error is in place under its criterion");
    assert!(error.starts_with("« peut-être »"), "{error}");
    assert_eq!(
        scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM audit_cases WHERE id = {case_id} AND validated")
        )
        .await,
        0
    );
    // Corrected, it is validated.
    let res = referent
        .post_form(
            &case_path,
            &case_form("A-001", &own.finess, "validate", &[]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!("/audits/campaigns/{id}/cases?validated=1")
    );
    assert_eq!(
        scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM audit_cases WHERE id = {case_id} AND validated")
        )
        .await,
        1
    );

    // In the background: the first save creates the case, the next rewrites it.
    let autosave = |path: String, number: &'static str| {
        referent
            .post(&path)
            .header("x-autosave", "1")
            .header("x-csrf-token", referent.csrf())
            .form(&case_form(
                number,
                &own.finess,
                "validate",
                &[("a_desescalade", "")],
            ))
    };
    let first: serde_json::Value = autosave(format!("/audits/campaigns/{id}/cases"), "A-002")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = first["url"].as_str().unwrap().to_string();
    assert!(first["at"].as_str().unwrap().contains(':'), "{first}");
    let second: serde_json::Value = autosave(url.clone(), "A-002")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["id"], first["id"]);
    assert_eq!(
        scalar(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM audit_cases WHERE id = {} AND NOT validated",
                first["id"]
            )
        )
        .await,
        1,
        "a background save is a draft, whatever the button"
    );
    let res = autosave(url, "").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The coordinator enters another hospital's case; the referent does not find it.
    let res = coord
        .post_form(
            &format!("/audits/campaigns/{id}/cases"),
            &case_form(
                "B-001",
                &other.finess,
                "validate",
                &[("a_desescalade", "yes")],
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let other_case: i64 = scalar(
        &app.db,
        &format!("SELECT id FROM audit_cases WHERE case_number = 'B-001' AND campaign_id = {id}"),
    )
    .await;
    let res = referent
        .get(&format!("/audits/campaigns/{id}/cases/{other_case}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = referent
        .post_form(
            &format!("/audits/campaigns/{id}/cases/{other_case}"),
            &case_form("B-001", &own.finess, "draft", &[]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = referent
        .post_button(&format!("/audits/campaigns/{id}/cases/{other_case}/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list = referent
        .page(&format!("/audits/campaigns/{id}/cases"))
        .await;
    assert!(list.contains("A-001") && !list.contains("B-001"), "{list}");

    // A sheet with a bad cell: refused with its line, column and value, nothing stored.
    let template = referent
        .page(&format!("/audits/campaigns/{id}/modele.csv"))
        .await;
    let header = template
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(
        header.starts_with("case_id;establishment;date_debut;"),
        "{header}"
    );
    let row = |n: &str, tracee: &str| {
        format!("{n};{};2026-11-21;oui;{tracee};NA;non;oui;oui", own.finess)
    };
    let sheet = format!(
        "{header}\n{}\n{}\n",
        row("S-1", "oui"),
        row("S-2", "peut-être")
    );
    let before = cases(&app).await;
    let res = referent
        .post_multipart(
            &format!("/audits/campaigns/{id}/sheet"),
            Form::new().part(
                "file",
                Part::bytes(sheet.into_bytes()).file_name("dossiers.csv"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    let problems = body
        .split("id=\"sheet-problems\"")
        .nth(1)
        .expect("the problems listed");
    assert!(
        problems.contains("<td class=\"num\">3</td><td>reevaluation_tracee</td><td>peut-être</td>"),
        "{problems}"
    );
    assert_eq!(cases(&app).await, before, "nothing stored");
    // The same sheet, corrected, is loaded.
    let sheet = format!("{header}\n{}\n{}\n", row("S-1", "oui"), row("S-2", "non"));
    let res = referent
        .post_multipart(
            &format!("/audits/campaigns/{id}/sheet"),
            Form::new().part(
                "file",
                Part::bytes(sheet.into_bytes()).file_name("dossiers.csv"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("id=\"sheet-loaded\""));
    assert_eq!(cases(&app).await, before + 2);

    // The results: the referent's hospital by name, the others anonymous.
    let results = referent
        .page(&format!("/audits/campaigns/{id}/results"))
        .await;
    assert!(results.contains(&own.name), "{results}");
    assert!(results.contains("Établissement 1") && results.contains("Établissement 2"));
    assert!(!results.contains(&other.name) && !results.contains(&other.finess));
    assert!(results.contains("section class=\"card own\""));
    let results = coord.page(&format!("/audits/campaigns/{id}/results")).await;
    assert!(results.contains(&other.name) && !results.contains("Établissement 1"));
    // Re-evaluation traced in 3 of the 4 validated cases, written the French way.
    assert!(results.contains("75,0\u{a0}%"), "{results}");
    let english = coord
        .in_lang("en")
        .page(&format!("/audits/campaigns/{id}/results"))
        .await;
    assert!(english.contains("Every criterion") && english.contains("75.0\u{a0}%"));
    // The CSV: its columns, the region's rows then each participant's.
    let res = coord
        .get(&format!("/audits/campaigns/{id}/results.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "participant;finess;criterion;n_applicable;n_conform;pct_conform;ci_low;ci_high"
    );
    // Four validated cases: A-001 and B-001, S-1 and S-2.
    assert!(lines.any(|l| l.starts_with("region;;all;4;")), "{csv}");
    assert!(csv.contains(&format!(";{};reevaluation_tracee;", other.finess)));
    let anonymous = referent
        .page(&format!("/audits/campaigns/{id}/results.csv"))
        .await;
    assert!(!anonymous.contains(&other.finess) && anonymous.contains("Établissement 1;;"));
    let res = coord
        .get(&format!("/audits/campaigns/{id}/results.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));

    // Closed, the campaign takes no more cases.
    let res = coord
        .post_button(&format!("/audits/campaigns/{id}/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = referent
        .get(&format!(
            "/audits/campaigns/{id}/cases/new?establishment={}",
            own.finess
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = referent
        .post_form(
            &format!("/audits/campaigns/{id}/cases"),
            &case_form("A-003", &own.finess, "draft", &[]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("La campagne est close"));
}

#[tokio::test]
async fn the_library_imports_shows_and_edits_a_grid_as_its_next_version() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let referent = app.client(REFERENT).await;
    let library = coord.page("/audits/grids").await;
    assert!(library.contains(GRID) && library.contains("id=\"import-grid\""));
    assert!(
        !referent
            .page("/audits/grids")
            .await
            .contains("id=\"import-grid\"")
    );
    let id = cratb_app::audits::grids(&app.db, cratb_store::now())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.code == GRID)
        .unwrap()
        .id;
    let page = referent.page(&format!("/audits/grids/{id}")).await;
    assert!(page.contains("Conforme si « Oui »"), "{page}");
    let res = referent
        .get(&format!("/audits/grids/{id}.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let json = res.text().await.unwrap();
    let grid = cratb_audit::Grid::from_json(&json).unwrap();
    assert_eq!(grid.code, GRID);
    let res = referent
        .get(&format!("/audits/grids/{id}/edit"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A broken edit comes back with where each problem is.
    let broken = json.replacen("\"yes_no\"", "\"oui_non\"", 1);
    let res = coord
        .post_form(
            &format!("/audits/grids/{id}/edit"),
            &[("definition", broken.as_str())],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("criteria[1].type"), "{body}");
    assert!(body.contains("oui_non"), "the text typed is kept");
    // A good one is the next version.
    let edited = json.replacen("Réévaluation", "Réévaluation (révisée)", 1);
    let res = coord
        .post_form(
            &format!("/audits/grids/{id}/edit"),
            &[("definition", edited.as_str())],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = coord.page(&location(&res)).await;
    assert!(page.contains(&format!("{GRID} v2")), "{page}");

    // Imported from its file: a new code; the same code and version again is refused.
    let imported = json.replace(GRID, "essai-import");
    let upload = |text: String| {
        coord.post_multipart(
            "/audits/grids",
            Form::new().part(
                "file",
                Part::bytes(text.into_bytes()).file_name("grille.json"),
            ),
        )
    };
    let res = upload(imported.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = upload(imported).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("existe déjà"));
    let res = upload("{ pas du json".into()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
