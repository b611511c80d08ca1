//! The home pages of the people tied to places, and the audit log, as they see them.

use super::common::TestApp;
use super::{
    SCREENS, click, login, requested, screenshot, set_viewport, start_browser, text_of, wait_url,
};

#[tokio::test]
async fn a_referent_and_a_prescriber_see_their_own_places_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    cratb_demo::consumption::generate(&app.db, "84", 5)
        .await
        .unwrap();
    cratb_demo::consumption::generate_primary(&app.db, "84", 5)
        .await
        .unwrap();
    let (_driver, c) = start_browser().await;

    // The referent: their hospital by name, with its figures one click away.
    login(&c, &app, "referent@demo.cratb.fr").await;
    let places = text_of(&c, "#places").await;
    assert!(places.contains("FINESS"), "{places}");
    assert!(
        places.contains("Sa consommation d'antibiotiques"),
        "{places}"
    );
    for (screen, w, h) in SCREENS {
        set_viewport(&c, w, h).await;
        screenshot(&c, &format!("home-referent-{screen}")).await;
    }
    set_viewport(&c, 1366, 900).await;
    click(&c, "#places a[href^='/consumption/establishments/']").await;
    wait_url(&c, "/consumption/establishments/").await;
    c.delete_all_cookies().await.unwrap();

    // The prescriber: their territory against the region and the national target, and whom
    // to ask for advice.
    login(&c, &app, "medecin@demo.cratb.fr").await;
    let primary = text_of(&c, "#primary").await;
    assert!(
        primary.contains("au plus 650 prescriptions d'antibiotiques pour 1000 habitants par an"),
        "{primary}"
    );
    for (screen, w, h) in SCREENS {
        set_viewport(&c, w, h).await;
        screenshot(&c, &format!("home-prescriber-{screen}")).await;
    }
    set_viewport(&c, 1366, 900).await;
    click(&c, "#advice-link").await;
    wait_url(&c, "/public/search").await;
    c.delete_all_cookies().await.unwrap();

    // The coordinator's audit log reads in words.
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/audit")).await.unwrap();
    let log = text_of(&c, "#audit-table").await;
    assert!(log.contains("Connexion réussie"), "{log}");
    assert!(log.contains("Région Auvergne-Rhône-Alpes"), "{log}");
    assert!(!log.contains("login.success"), "{log}");
    screenshot(&c, "audit-in-words").await;
    c.close().await.unwrap();
}
