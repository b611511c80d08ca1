//! Figures and files in French, in Chromium: a French page shows its times in Paris time and
//! its figures with a decimal comma; the CSV its link downloads is the one French Excel opens
//! as is (byte order mark, `;`, decimal comma), and its "CSV (international)" neighbour the
//! one with `,` and decimal points.

use super::common::{COORD, TestApp};
use super::{
    SCREENS, login, overflow, requested, screenshot, set_viewport, start_browser, text_of,
};
use fantoccini::Locator;

#[tokio::test]
async fn french_figures_paris_times_and_csv_files_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;
    login(&c, &app, COORD).await;

    // The resistant organisms of concern: rates with a decimal comma and a non-breaking space.
    c.goto(&app.url("/resistance/alerts")).await.unwrap();
    let table = text_of(&c, "#alerts").await;
    let comma = table
        .split_whitespace()
        .any(|w| w.contains(',') && w.chars().all(|ch| ch.is_ascii_digit() || ch == ','));
    assert!(comma, "a rate with a decimal comma: {table}");
    let point = table.split_whitespace().any(|w| {
        w.contains('.') && w.chars().all(|ch| ch.is_ascii_digit() || ch == '.') && w.len() > 2
    });
    assert!(!point, "no decimal point on a French page: {table}");
    for (name, width, height) in SCREENS {
        set_viewport(&c, width, height).await;
        // Said, not asserted here: the layout is the phone/tablet walks' to check.
        let (over, widest) = overflow(&c).await;
        eprintln!("alerts at {name}: {over} px wider than the screen ({widest})");
        screenshot(&c, &format!("formats-alerts-{name}")).await;
    }

    // Download the CSV through the page's own links, with the page's session.
    let href = |css: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Css(css))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap()
        }
    };
    let french =
        href("a[href^='/resistance/alerts/export/csv']:not([href*='international'])").await;
    let international =
        href("a[href^='/resistance/alerts/export/csv'][href*='international']").await;
    let cookies = c.get_all_cookies().await.unwrap();
    let jar: Vec<String> = cookies
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect();
    let get = |path: String| {
        let jar = jar.join("; ");
        let url = app.url(&path);
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .header("cookie", jar)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.bytes().await.unwrap().to_vec()
        }
    };
    let bytes = get(french).await;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("serie;niveau;lieu;annee;"), "{header}");
    let rates: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(';').nth(8))
        .filter(|r| !r.is_empty())
        .collect();
    assert!(rates.iter().any(|r| r.contains(',')), "{rates:?}");
    assert!(!rates.iter().any(|r| r.contains('.')), "{rates:?}");
    let bytes = get(international).await;
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no byte order mark");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("serie,niveau,lieu,annee,"), "{text}");

    // A time in Paris time: the audit log, where the demo's creation is listed.
    set_viewport(&c, 1366, 900).await;
    c.goto(&app.url("/audit?entity=region")).await.unwrap();
    let log = text_of(&c, "#audit-table").await;
    assert!(!log.contains("UTC"), "{log}");
    let scope = cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap());
    let at = cratb_store::audit::export(
        &app.db,
        &scope,
        &cratb_store::audit::AuditQuery {
            entity: Some("region".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap()[0]
        .at;
    let shown = cratb_domain::paris::moment(at, cratb_domain::Lang::Fr);
    assert!(log.contains(&shown), "{shown} in {log}");
    screenshot(&c, "formats-audit-paris-time").await;
    c.close().await.unwrap();
}
