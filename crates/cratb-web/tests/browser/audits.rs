//! An appropriateness audit as its people use it: the coordinator's campaign is open, a
//! referent on a phone at the bedside opens the case form from their to-do list, answers each
//! criterion with the large buttons, sees the draft saved in the background, then validates
//! the case; the campaign's progress and its results follow.

use super::common::TestApp;
use super::{
    click, login, overflow, requested, screenshot, set_viewport, start_browser, text_of, type_into,
    wait_url,
};
use std::time::Duration;

const REFERENT: &str = "referent@demo.cratb.fr";

/// Starts a campaign of the grid `reevaluation-48-72h` for the referent's hospital and
/// another, as the region's coordinator; its id.
async fn campaign(app: &TestApp) -> (i64, String) {
    let now = cratb_store::now();
    let grid = cratb_app::audits::grids(&app.db, now)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.code == "reevaluation-48-72h")
        .unwrap()
        .id;
    let referent = cratb_store::users::find_by_email(&app.db, REFERENT)
        .await
        .unwrap();
    let own = cratb_store::establishments::get(
        &app.db,
        &cratb_domain::Scope::National,
        referent.establishment_ids[0],
    )
    .await
    .unwrap();
    let coord = cratb_store::users::find_by_email(&app.db, "coordination@demo.cratb.fr")
        .await
        .unwrap();
    let actor = cratb_app::Actor {
        id: Some(coord.id),
        name: coord.email.clone(),
        role: coord.role(),
        scope: coord.scope().unwrap(),
        channel: cratb_app::Channel::Web,
        ip: None,
        request_id: None,
    };
    let today = cratb_domain::paris::today(now);
    let input = cratb_audit::campaign::CampaignInput {
        region: None,
        title: Some("Réévaluation à 48–72 h, automne".into()),
        grid_id: Some(cratb_audit::campaign::Count::Number(grid)),
        starts_on: Some(today.to_string()),
        ends_on: Some((today + time::Duration::days(30)).to_string()),
        establishments: Some(cratb_domain::account::List(vec![own.finess.clone()])),
        territory_id: None,
        target: Some(cratb_audit::campaign::Count::Number(20)),
    };
    let id = cratb_app::audits::start(&app.db, &actor, &input, now)
        .await
        .unwrap();
    (id, own.finess)
}

async fn fits(c: &fantoccini::Client, what: &str) {
    let (over, worst) = overflow(c).await;
    assert!(
        over <= 0,
        "{what} fits a phone: {over} px too wide ({worst})"
    );
}

#[tokio::test]
async fn a_referent_enters_a_case_on_a_phone_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (id, finess) = campaign(&app).await;
    let (_driver, c) = start_browser().await;
    set_viewport(&c, 390, 844).await;
    login(&c, &app, REFERENT).await;

    // The to-do list leads to the form of their hospital.
    c.goto(&app.url("/audits")).await.unwrap();
    let todo = text_of(&c, "#todo").await;
    assert!(todo.contains("Réévaluation à 48–72 h"), "{todo}");
    screenshot(&c, "audits-home-phone").await;
    fits(&c, "the audits' home").await;
    click(&c, &format!("#todo a[href$='establishment={finess}']")).await;
    wait_url(&c, "/cases/new").await;
    let notice = text_of(&c, "#no-identity").await;
    assert!(notice.contains("Aucun nom"), "{notice}");
    screenshot(&c, "audits-case-new-phone").await;
    fits(&c, "the case form").await;

    // Typed at the bedside: the draft is saved in the background.
    type_into(&c, "case_number", "CH-2026-017").await;
    type_into(&c, "age", "74").await;
    click(&c, "input[name=sex][value=F]").await;
    let mut saved = String::new();
    for _ in 0..100 {
        saved = text_of(&c, "#autosave-status").await;
        if saved.contains("Brouillon enregistré à") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saved.contains("Brouillon enregistré à"), "{saved}");
    wait_url(&c, &format!("/audits/campaigns/{id}/cases/")).await;
    assert!(!c.current_url().await.unwrap().as_str().ends_with("/new"));
    click(&c, "input[name=na_date_debut]").await;
    for (code, value) in [
        ("prelevements_avant_premiere_dose", "yes"),
        ("reevaluation_tracee", "yes"),
        ("arret_si_infection_non_confirmee", "NA"),
        ("desescalade", "no"),
        ("relais_oral_envisage", "yes"),
    ] {
        click(&c, &format!("input[name=a_{code}][value={value}]")).await;
    }
    // One criterion left out: validating shows its error in place.
    click(&c, "#validate-case").await;
    let error = text_of(&c, "#duree_prevue_ecrite-error").await;
    assert!(error.contains("Réponse attendue"), "{error}");
    screenshot(&c, "audits-case-error-phone").await;
    fits(&c, "the case form with its errors").await;
    click(&c, "input[name=a_duree_prevue_ecrite][value=yes]").await;
    screenshot(&c, "audits-case-filled-phone").await;
    click(&c, "#validate-case").await;
    wait_url(&c, "validated=1").await;
    let done = text_of(&c, "#case-validated").await;
    assert!(done.contains("Dossier validé"), "{done}");
    let cases = text_of(&c, "#cases").await;
    assert!(
        cases.contains("CH-2026-017") && cases.contains("Validé"),
        "{cases}"
    );
    screenshot(&c, "audits-cases-phone").await;
    fits(&c, "the list of cases").await;

    // The campaign's progress and its results.
    c.goto(&app.url(&format!("/audits/campaigns/{id}")))
        .await
        .unwrap();
    let progress = text_of(&c, "#participants").await;
    assert!(progress.contains("1 / 20"), "{progress}");
    screenshot(&c, "audits-campaign-phone").await;
    fits(&c, "the campaign").await;
    c.goto(&app.url(&format!("/audits/campaigns/{id}/results")))
        .await
        .unwrap();
    let region = text_of(&c, "#region-results").await;
    assert!(region.contains("Tous les critères"), "{region}");
    screenshot(&c, "audits-results-phone").await;
    fits(&c, "the results").await;
}

#[tokio::test]
async fn a_coordinator_starts_a_campaign_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let grid = cratb_app::audits::grids(&app.db, cratb_store::now())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.code == "reevaluation-48-72h")
        .unwrap()
        .id;
    let (_driver, c) = start_browser().await;
    set_viewport(&c, 1366, 900).await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/audits")).await.unwrap();
    click(&c, "#start-campaign").await;
    wait_url(&c, "/audits/campaigns/new").await;
    c.find(fantoccini::Locator::Id("pick-grid-id"))
        .await
        .unwrap()
        .select_by_value(&grid.to_string())
        .await
        .unwrap();
    click(&c, "#pick-grid button[type=submit]").await;
    wait_url(&c, "grid_id=").await;
    // The grid's hospitals by department; one department ticked at once.
    click(
        &c,
        "#places fieldset.department legend input[type=checkbox]",
    )
    .await;
    let ticked = c
        .execute(
            "return document.querySelectorAll('#places input[name=establishments]:checked').length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(ticked >= 1, "a department's boxes ticked");
    type_into(&c, "title", "Réévaluation, hiver 2026").await;
    let today = cratb_domain::paris::today(cratb_store::now());
    c.execute(
        "document.getElementById('starts_on').value = arguments[0]; document.getElementById('ends_on').value = arguments[1];",
        vec![
            serde_json::json!(today.to_string()),
            serde_json::json!((today + time::Duration::days(30)).to_string()),
        ],
    )
    .await
    .unwrap();
    screenshot(&c, "audits-campaign-new-laptop").await;
    click(&c, "#create-campaign").await;
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if url
            .path()
            .rsplit('/')
            .next()
            .is_some_and(|s| s.parse::<i64>().is_ok())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state = text_of(&c, "#campaign-state").await;
    assert_eq!(state, "En cours");
    let rows = c
        .execute(
            "return document.querySelectorAll('#participants tbody tr').length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert_eq!(rows, ticked);
    screenshot(&c, "audits-campaign-laptop").await;
    set_viewport(&c, 390, 844).await;
    c.goto(&app.url(&format!("/audits/campaigns/new?grid_id={grid}")))
        .await
        .unwrap();
    screenshot(&c, "audits-campaign-new-phone").await;
    fits(&c, "the campaign form").await;
}
