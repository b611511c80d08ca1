//! Downloads and figures as a French clinician reads them, over HTTP against the real server
//! (SQLite by default, PostgreSQL when `CRATB_TEST_DATABASE_URL` is set): every CSV download
//! is by default what French Excel opens as is (`;`, decimal comma, UTF-8 with a byte order
//! mark) and `csv=international` asks for `,`, decimal points and no byte order mark; figures
//! on French pages have a decimal comma; times are shown in Paris time.

mod common;

use common::{COORD, TestApp};
use cratb_domain::Lang;
use reqwest::StatusCode;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A download's bytes, checked to be a CSV.
async fn csv(client: &cratb_testkit::Client, path: &str) -> Vec<u8> {
    let r = client.get(path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(
        r.headers()["content-type"],
        "text/csv; charset=utf-8",
        "{path}"
    );
    r.bytes().await.unwrap().to_vec()
}

/// The fields of the column named `name` (after the header), in a CSV of `separator`.
fn column(bytes: &[u8], separator: u8, name: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(bytes.strip_prefix(BOM).unwrap_or(bytes));
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    reader
        .records()
        .map(|r| r.unwrap().get(at).unwrap_or_default().to_string())
        .collect()
}

/// Checks both variants of one download: the French default and the international choice,
/// the same figures in each, with their decimal comma or point.
async fn both_variants(client: &cratb_testkit::Client, path: &str, header: &str, figure: &str) {
    let join = if path.contains('?') { '&' } else { '?' };
    let french = csv(client, path).await;
    assert!(french.starts_with(BOM), "{path}: a byte order mark");
    let text = String::from_utf8(french[3..].to_vec()).unwrap();
    assert!(
        text.starts_with(&header.replace(',', ";")),
        "{path}: {text}"
    );
    let fr = column(&french, b';', figure);
    assert!(
        fr.iter().any(|f| f.contains(',')),
        "{path}: decimal commas in {fr:?}"
    );
    assert!(
        !fr.iter().any(|f| f.contains('.')),
        "{path}: no decimal point in {fr:?}"
    );

    let international = csv(client, &format!("{path}{join}csv=international")).await;
    assert!(
        !international.starts_with(BOM),
        "{path}: no byte order mark"
    );
    let text = String::from_utf8(international.clone()).unwrap();
    assert!(text.starts_with(header), "{path}: {text}");
    let en = column(&international, b',', figure);
    assert!(!en.iter().any(|f| f.contains(',')), "{path}: {en:?}");
    assert_eq!(
        fr.iter().map(|f| f.replace(',', ".")).collect::<Vec<_>>(),
        en,
        "{path}: the same figures"
    );
}

#[tokio::test]
async fn csv_downloads_are_french_by_default_and_international_on_request() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    both_variants(
        &coord,
        "/resistance/alerts/export/csv",
        "serie,niveau,lieu,annee",
        "taux_pct",
    )
    .await;
    both_variants(
        &coord,
        "/resistance/export/csv?year_from=2024",
        "organism,antimicrobial,antimicrobial_name,n_tested",
        "pct_susceptible",
    )
    .await;

    // A style that does not exist is refused, naming the parameter.
    let r = coord
        .get("/resistance/alerts/export/csv?csv=excel")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("« csv »"));

    // Each page offers both links.
    for page in ["/resistance/alerts", "/resistance", "/directory", "/audit"] {
        let html = coord.page(page).await;
        assert!(html.contains("csv=international"), "{page}");
        assert!(html.contains("CSV (international)"), "{page}");
    }
}

/// Whether `text` holds a figure written with a decimal point (`16.7`), which a French page
/// must not show.
fn has_decimal_point(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (1..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'.' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
        .map(|i| text[i.saturating_sub(30)..(i + 30).min(text.len())].to_string())
}

#[tokio::test]
async fn french_pages_write_figures_with_a_decimal_comma() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let html = coord.page("/resistance/alerts").await;
    let table = common::extract(&html, "<table id=\"alerts\">", "</table>").unwrap();
    assert!(table.contains(",") && table.contains("\u{a0}%"), "{table}");
    assert_eq!(has_decimal_point(&table), None);
    let html = coord.page("/resistance").await;
    let trend = common::extract(&html, "<table class=\"compact\">", "</table>").unwrap();
    assert_eq!(has_decimal_point(&trend), None, "{trend}");
    // In English, points.
    let html = coord.in_lang("en").page("/resistance/alerts").await;
    let table = common::extract(&html, "<table id=\"alerts\">", "</table>").unwrap();
    assert!(has_decimal_point(&table).is_some(), "{table}");
}

#[tokio::test]
async fn times_are_shown_in_paris_time() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    let scope = cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap());
    let entries = cratb_store::audit::export(
        &app.db,
        &scope,
        &cratb_store::audit::AuditQuery {
            entity: Some("region".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    let at = entries.first().expect("the demo's entry").at;
    let html = coord.page("/audit?entity=region").await;
    assert!(!html.contains("UTC"), "no UTC on a French page");
    assert!(
        html.contains(&cratb_domain::paris::moment(at, Lang::Fr)),
        "{}",
        cratb_domain::paris::moment(at, Lang::Fr)
    );
    let html = coord.in_lang("en").page("/audit?entity=region").await;
    let english = cratb_domain::paris::moment(at, Lang::En);
    assert!(english.ends_with(" CET") || english.ends_with(" CEST"));
    assert!(html.contains(&english), "{english}");
}

#[tokio::test]
async fn counted_words_agree_with_their_count() {
    let app = TestApp::spawn().await;
    let coord = app.client(COORD).await;
    // The region's one entry of its kind: singular.
    let html = coord.page("/audit?entity=region").await;
    assert!(html.contains("1 résultat</p>"), "1 résultat");
    assert!(!html.contains("résultat(s)"));
    // Many: plural, in both languages (the demo region's directory).
    let html = coord.page("/directory").await;
    assert!(html.contains(" professionnels</span>"), "professionnels");
    assert!(!html.contains("professionnel(s)"));
    let html = coord.in_lang("en").page("/directory").await;
    assert!(html.contains(" professionals</span>"), "professionals");
}
