//! The consumption dashboard as an epidemiologist reads it, in French: it opens on the last
//! complete year, names the Access targets and where the region stands, and gives each rate's
//! numerator and denominator on hover; a year ending in March is labelled partial.

use super::common::TestApp;
use super::{
    SCREENS, login, overflow, requested, screenshot, set_viewport, start_browser, text_of,
};
use cratb_consumption::DddTable;
use cratb_store::consumption::{self, HospitalFiles};
use fantoccini::Locator;

#[tokio::test]
async fn the_consumption_figures_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    // January to March 2026 of one hospital: a year that has begun, not a complete one.
    let scope = cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap());
    let hospital = super::common::scalar(
        &app.db,
        "SELECT MIN(c.establishment_id) FROM hospital_consumption c JOIN establishments e
         ON e.id = c.establishment_id WHERE e.sector = 'ES'",
    )
    .await;
    let est = cratb_store::establishments::get(&app.db, &scope, hospital)
        .await
        .unwrap();
    let f = &est.finess;
    let uses = format!(
        "establishment;period;ward_type;atc;route;grams\n\
         {f};2026-01;;J01CA04;O;300\n{f};2026-02;;J01CA04;O;300\n{f};2026-03;;J01GB01;Inhal.solution;3\n{f};2026-03;;J01XB01;P;12\n"
    );
    let days = format!(
        "establishment;period;ward_type;patient_days;admissions\n\
         {f};2026-01;;1000;100\n{f};2026-02;;1000;100\n{f};2026-03;;1000;100\n"
    );
    consumption::import_hospital(
        &app.db,
        &scope.access("84").unwrap(),
        HospitalFiles {
            filename: "debut-2026.csv",
            consumption: uses.as_bytes(),
            denominators: days.as_bytes(),
            accept_partial: true,
        },
        &DddTable::embedded(2026).unwrap(),
        "test",
        None,
    )
    .await
    .unwrap();

    let (_driver, c) = start_browser().await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/consumption")).await.unwrap();
    // The last complete year, not the three months of 2026.
    let title = text_of(&c, "#sectors-title").await;
    assert!(title.ends_with("— 2025"), "{title}");
    // The Access share against the EU 2030 and UN 2024 targets, each said reached or how far.
    // (The browser gives non-breaking spaces as plain ones.)
    let targets = text_of(&c, "#access-targets").await.replace('\u{a0}', " ");
    assert!(
        targets.contains("Objectif du Conseil de l'UE pour 2030 : au moins 65 % d'Access"),
        "{targets}"
    );
    assert!(targets.contains("au moins 70 % d'Access"), "{targets}");
    assert_eq!(
        targets.matches(" en dessous (").count() + targets.matches("atteint").count(),
        2,
        "{targets}"
    );
    // A tile's numerator and denominator on hover (its title), and beneath it.
    let tile = c
        .find(Locator::Css("#sector-cards .tile-value"))
        .await
        .unwrap();
    let hover = tile.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        hover.contains(" DDJ / ") && hover.ends_with("journées d'hospitalisation"),
        "{hover}"
    );
    let plain = |t: &str| t.replace(['\u{a0}', '\u{202f}'], " ");
    let cards = text_of(&c, "#sector-cards").await;
    assert!(plain(&cards).contains(&plain(&hover)), "{cards}");
    for (name, w, h) in SCREENS {
        set_viewport(&c, w, h).await;
        screenshot(&c, &format!("consumption-figures-{name}")).await;
        // The layout at each width is another walk's to assert; said here for the record.
        let (over, worst) = overflow(&c).await;
        eprintln!("consumption dashboard at {w} px: {over} px too wide ({worst})");
    }
    c.find(Locator::Css("#aware-title"))
        .await
        .unwrap()
        .click()
        .await
        .ok();
    c.execute(
        "document.getElementById('aware-title').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "consumption-figures-aware-laptop").await;

    // The year that has begun: labelled partial, compared with the same months of 2025.
    c.goto(&app.url("/consumption?year=2026")).await.unwrap();
    let title = text_of(&c, "#sectors-title").await;
    assert!(title.ends_with("— janvier–mars 2026, partiel"), "{title}");
    let cards = text_of(&c, "#sector-cards").await;
    assert!(cards.contains("par rapport à janvier–mars 2025"), "{cards}");
    let unconverted = text_of(&c, "#unconverted").await;
    assert!(unconverted.contains("J01XB01 colistin"), "{unconverted}");
    screenshot(&c, "consumption-figures-partial-laptop").await;
    set_viewport(&c, 390, 844).await;
    screenshot(&c, "consumption-figures-partial-phone").await;
    c.close().await.unwrap();
}
