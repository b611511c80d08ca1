//! The resistant organisms of concern in French: species by species (EARS-Net), the blood
//! series beside every specimen, and the caution under 30 isolates.

use super::common::TestApp;
use super::{
    SCREENS, login, overflow, requested, screenshot, set_viewport, start_browser, text_of,
};

#[tokio::test]
async fn organisms_of_concern_per_species_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/resistance/alerts")).await.unwrap();

    let definitions = text_of(&c, "#alerts-definitions").await;
    assert!(
        // The browser reads the non-breaking space as a space.
        definitions
            .replace('\u{a0}', " ")
            .starts_with("Définitions : EARS-Net (ECDC)"),
        "{definitions}"
    );
    let head = text_of(&c, "#alerts thead").await;
    assert!(
        head.find("Hémocultures") < head.find("Tous prélèvements"),
        "the blood series first: {head}"
    );
    let table = text_of(&c, "#alerts tbody").await;
    for kind in [
        "E. coli résistant aux C3G",
        "K. pneumoniae résistant aux C3G",
        "E. coli résistant aux carbapénèmes",
        "K. pneumoniae résistant aux carbapénèmes",
        "SARM (S. aureus résistant à la méticilline)",
    ] {
        assert!(table.contains(kind), "{kind}");
    }
    assert!(!table.contains("Entérobactéries"), "no pooled rate");
    assert!(
        table.contains(",") && table.replace('\u{a0}', " ").contains(" %"),
        "French figures"
    );
    let caution = text_of(&c, "#alerts-caution").await;
    assert!(caution.contains("moins de 30 isolats testés"), "{caution}");
    let greyed = c
        .find_all(fantoccini::Locator::Css("#alerts td.sus-nr"))
        .await
        .unwrap();
    assert!(!greyed.is_empty(), "cells under 30 isolates are greyed");
    let title = greyed[0].attr("title").await.unwrap().unwrap_or_default();
    assert!(title.contains("moins de 30 isolats testés"), "{title}");

    for (name, width, height) in SCREENS {
        set_viewport(&c, width, height).await;
        screenshot(&c, &format!("alerts-{name}")).await;
        // The wide table scrolls in its own box: on a laptop nothing sticks out. (The phone's
        // and tablet's navigation is another part of the issue.)
        let (over, worst) = overflow(&c).await;
        if name == "laptop" {
            assert_eq!(over, 0, "{worst}");
        } else if over > 0 {
            eprintln!("alerts at {width} px: {over} px too wide ({worst})");
        }
    }
    c.close().await.unwrap();
}
