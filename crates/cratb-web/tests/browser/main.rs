//! Browser tests in headless Chromium (driven through chromedriver): what a person sees.
//! Run by `scripts/test` with `CRATB_BROWSER_TESTS=1`; `CHROMEDRIVER` and `CHROMIUM` name the
//! binaries (Debian's `chromium-driver` and `chromium` by default). Screenshots of each screen
//! are written to `target/screenshots/` to be looked at.
//!
//! This file holds the driver and the helpers every walk uses, and the first walks; each
//! area's walks are a module of their own beside it.

#[path = "../common/mod.rs"]
mod common;
mod formats;

mod advice;
mod alerts;
mod antibiogram;
mod audits;
mod consumption_figures;
mod home;
mod plans;
mod responsive;

use common::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_browser() -> (Driver, Client) {
    let driver_bin =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&driver_bin).exists(),
        "chromedriver not found at {driver_bin}: apt-get install chromium chromium-driver"
    );
    let port = free_port();
    let child = Command::new(&driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    let profile =
        std::env::temp_dir().join(format!("cratb-chromium-{}", cratb_store::random_token(6)));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            // A French user's browser.
            "prefs": {"intl.accept_languages": "fr-FR,fr"},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1280,900", "--lang=fr-FR",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let mut last_err = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(c) => return (driver, c),
            Err(e) => {
                last_err = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("could not start a Chromium session: {last_err:?}");
}

async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Whether the browser walks were asked for (`CRATB_BROWSER_TESTS=1`); said once when not.
fn requested() -> bool {
    let yes = std::env::var("CRATB_BROWSER_TESTS").as_deref() == Ok("1");
    if !yes {
        eprintln!("browser tests not requested (set CRATB_BROWSER_TESTS=1, as scripts/test does)");
    }
    yes
}

/// The three screens every page is looked at on: a phone, a tablet, a laptop.
const SCREENS: [(&str, u32, u32); 3] = [
    ("phone", 390, 844),
    ("tablet", 768, 1024),
    ("laptop", 1366, 900),
];

/// Resizes the window so that its viewport (not its frame) is `width` × `height`.
async fn set_viewport(c: &Client, width: u32, height: u32) {
    c.set_window_size(width, height).await.unwrap();
    let inner = c
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let iw = inner[0].as_u64().unwrap_or(width as u64) as u32;
    let ih = inner[1].as_u64().unwrap_or(height as u64) as u32;
    c.set_window_size(
        width + (width - iw.min(width)),
        height + (height - ih.min(height)),
    )
    .await
    .unwrap();
}

/// How much wider than the viewport the current page is, in CSS pixels (0 when it fits), with
/// the widest element that sticks out, to be named in a failure.
async fn overflow(c: &Client) -> (i64, String) {
    let v = c
        .execute(
            r#"const vw = document.documentElement.clientWidth;
               const over = document.documentElement.scrollWidth - vw;
               let worst = '', right = vw;
               for (const el of document.body.querySelectorAll('*')) {
                 const r = el.getBoundingClientRect();
                 if (r.right > right + 1 && !el.closest('.table-scroll, .scroll-x, .chart-scroll')) {
                   right = r.right;
                   worst = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                           (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
                 }
               }
               return [over, worst];"#,
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_i64().unwrap_or(0),
        v[1].as_str().unwrap_or("").to_owned(),
    )
}

/// The text of the first element matching `css`, waiting for it; an element replaced by a
/// navigation while being read (stale) is looked up again.
async fn text_of(c: &Client, css: &str) -> String {
    for _ in 0..50 {
        let element = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("{css}: the element kept being replaced")
}

async fn login(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    let pw = app.account(email).password.clone();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&pw)
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("logout"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_coordinator_and_a_prescriber_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;

    // Log in, French home page.
    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Connexion");
    screenshot(&c, "login").await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    assert!(text_of(&c, "h1").await.starts_with("Bonjour"));
    screenshot(&c, "home-fr").await;

    // Switch to English and back.
    c.find(Locator::Id("lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html[lang=en]"))
        .await
        .unwrap();
    assert!(text_of(&c, "h1").await.starts_with("Hello"));
    c.find(Locator::Id("lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html[lang=fr]"))
        .await
        .unwrap();

    // The audit log, as coordinator.
    c.find(Locator::LinkText("Journal d'audit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text_of(&c, "h1").await, "Journal d'audit");
    assert!(
        text_of(&c, "#audit-table")
            .await
            .contains("Connexion réussie")
    );
    screenshot(&c, "audit").await;

    // The directory, and search as you type (htmx).
    c.goto(&app.url("/establishments")).await.unwrap();
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("Grenoble")
        .await
        .unwrap();
    let mut narrowed = false;
    for _ in 0..50 {
        // The element is replaced by each htmx swap: a stale reference just means "look again".
        let count = match c.find(Locator::Id("result-count")).await {
            // "12 résultats": the number, whatever its thousands separator.
            Ok(el) => el.text().await.ok().and_then(|t| {
                t.chars()
                    .take_while(|c| !c.is_alphabetic())
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .parse::<i64>()
                    .ok()
            }),
            Err(_) => None,
        };
        if count.is_some_and(|n| n < 50) {
            narrowed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(narrowed, "the list narrowed while typing");
    screenshot(&c, "establishments").await;

    // Territories: the region's GHTs, and the form that adds a CPTS.
    c.goto(&app.url("/territories")).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Territoires");
    c.find(Locator::Css("details.card > summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("kind"))
        .await
        .unwrap()
        .select_by_value("CPTS")
        .await
        .unwrap();
    c.find(Locator::Id("tname"))
        .await
        .unwrap()
        .send_keys("CPTS du Grésivaudan")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=departments][value='38']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("details form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//td[text()='CPTS du Grésivaudan']"))
        .await
        .unwrap();
    screenshot(&c, "territories").await;

    // A form error shows in place, the other fields kept.
    c.goto(&app.url("/establishments/new")).await.unwrap();
    c.find(Locator::Id("finess"))
        .await
        .unwrap()
        .send_keys("380780081")
        .await
        .unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Clinique du Test")
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        text_of(&c, "#finess-error")
            .await
            .contains("clé de contrôle")
    );
    let kept = c
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Clinique du Test"));
    screenshot(&c, "form-error").await;

    // The cumulative antibiogram, filtered to urine specimens, with its trend chart.
    c.find(Locator::LinkText("Antibiogrammes"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text_of(&c, "h1").await.starts_with("Antibiogramme cumulé"));
    assert!(
        text_of(&c, "#antibiogram")
            .await
            .contains("Escherichia coli")
    );
    c.find(Locator::Css("select[name=specimen] option[value=urine]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut filtered = false;
    for _ in 0..50 {
        if c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("specimen=urine")
        {
            filtered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(filtered, "the filter went into the address");
    screenshot(&c, "antibiogram").await;
    assert!(
        c.find(Locator::Css("svg.chart")).await.is_ok(),
        "trend chart drawn"
    );

    // Importing a laboratory file: upload progress, then the outcome.
    let file = std::env::temp_dir().join(format!("cratb-labo-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "patient_id;date;organism;CTX_mic;CIP\nP1;2025-02-03;E. coli;0.5;S\n",
    )
    .unwrap();
    c.goto(&app.url("/resistance/imports")).await.unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("form[data-upload] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut done = false;
    for _ in 0..50 {
        if c.find(Locator::Id("import-done")).await.is_ok() {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "the import finished and said so");
    screenshot(&c, "import").await;
    let _ = std::fs::remove_file(&file);

    // The network directory: add a professional, then see the entry with its history.
    c.goto(&app.url("/directory/new")).await.unwrap();
    for (id, text) in [
        ("last_name", "Garnier"),
        ("first_name", "Léa"),
        ("rpps", "10003456786"),
        ("phone", "04 76 12 34 56"),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    c.find(Locator::Css(
        "select#profession option[value=infectiologist]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("input[name=network_roles][value=ema_member]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut saved = false;
    for _ in 0..50 {
        if c.current_url().await.unwrap().as_str().contains("saved=1") {
            saved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saved, "the entry was saved");
    assert!(text_of(&c, "#saved").await.contains("ajouté"));
    assert_eq!(text_of(&c, "h1").await, "Léa Garnier");
    assert!(text_of(&c, "#versions").await.contains("création"));
    screenshot(&c, "directory").await;

    // Log out.
    c.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The login form, once the logout's navigation is through (the old page may still answer).
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("password"))
        .await
        .unwrap();
    assert_eq!(text_of(&c, "h1").await, "Connexion");

    // A prescriber is refused the audit log.
    login(&c, &app, "medecin@demo.cratb.fr").await;
    assert!(
        c.find(Locator::LinkText("Journal d'audit")).await.is_err(),
        "no audit link for a prescriber"
    );
    c.goto(&app.url("/audit")).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Accès refusé");
    screenshot(&c, "refused").await;
    c.close().await.unwrap();
}

/// Waits until the current URL contains `part`.
async fn wait_url(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached a URL with {part}");
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_stewardship_network_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;

    // Anyone finds their team by postcode, without logging in.
    c.goto(&app.url("/public/search")).await.unwrap();
    type_into(&c, "q", "38000").await;
    click(&c, "form.public-search button[type=submit]").await;
    let answer = text_of(&c, "section.answer").await;
    assert!(
        answer.contains("Isère (38)") && answer.contains("EMA Alpes Dauphiné"),
        "{answer}"
    );
    assert!(answer.contains("CRAtb Auvergne-Rhône-Alpes"));
    screenshot(&c, "public-search").await;

    login(&c, &app, "secretariat@demo.cratb.fr").await;

    // A spreadsheet with two bad rows: the preview says which and why.
    let file = std::env::temp_dir().join(format!("cratb-annuaire-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "Nom;Prénom;Profession;RPPS;E-mail\n\
         Girard;Émile;Pharmacien;;emile.girard@ch-exemple.fr\n\
         Roux;Anna;Infirmière;10003456789;anna.roux@ch-exemple.fr\n\
         ;Paul;Médecin généraliste;;paul@ch-exemple.fr\n\
         Bonnet;Jeanne;Sage-femme;;jeanne.bonnet@ch-exemple.fr\n",
    )
    .unwrap();
    c.goto(&app.url("/directory/import")).await.unwrap();
    type_into(&c, "file", file.to_str().unwrap()).await;
    click(&c, "form.stack button[type=submit]").await;
    wait_url(&c, "/directory/import/").await;
    let invalid = text_of(&c, "#preview tbody").await;
    assert!(invalid.contains("clé de contrôle"), "{invalid}");
    assert!(
        invalid.contains("colonne « Nom » : le nom est obligatoire"),
        "{invalid}"
    );
    assert!(text_of(&c, "#import-counts").await.contains("2 invalide"));
    screenshot(&c, "directory-import").await;
    click(&c, "input[name=mode][value=valid_only]").await;
    click(&c, "form#commit button[type=submit]").await;
    assert!(
        text_of(&c, "#import-report")
            .await
            .contains("2 fiches créées")
    );
    let _ = std::fs::remove_file(&file);

    // Coverage before and after a nursing home signs a convention.
    c.goto(&app.url("/network/coverage")).await.unwrap();
    let covered = |text: String| -> i64 { text.trim().parse().unwrap_or(-1) };
    let before = covered(text_of(&c, "#coverage-totals tr[data-sector=EMS] td.covered").await);
    screenshot(&c, "coverage").await;
    c.execute(
        "document.getElementById('map-title').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "coverage-map").await;
    let href = c
        .find(Locator::Css(
            "#uncovered tr[data-sector=EMS] a[href^='/establishments/']",
        ))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let target = href.trim_start_matches("/establishments/").to_string();
    c.goto(&app.url("/network/conventions/new")).await.unwrap();
    click(&c, "select#team_id option:nth-child(2)").await;
    click(&c, &format!("select#partner option[value='e:{target}']")).await;
    click(&c, "select#status option[value=signed]").await;
    c.execute(
        "document.getElementById('signed_on').value = arguments[0];",
        vec![serde_json::json!(
            time::OffsetDateTime::now_utc().date().to_string()
        )],
    )
    .await
    .unwrap();
    let pdf = std::env::temp_dir().join(format!("cratb-convention-{}.pdf", std::process::id()));
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    type_into(&c, "document", pdf.to_str().unwrap()).await;
    click(&c, "form.stack button[type=submit]").await;
    wait_url(&c, "saved=1").await;
    assert!(text_of(&c, "#status").await.contains("Signée"));
    assert!(text_of(&c, "#document").await.contains(".pdf"));
    let _ = std::fs::remove_file(&pdf);
    c.goto(&app.url("/network/coverage")).await.unwrap();
    let after = covered(text_of(&c, "#coverage-totals tr[data-sector=EMS] td.covered").await);
    assert!(before >= 0 && after == before + 1, "{before} → {after}");

    // The yearly campaign, then a professional confirms their entry through the link.
    c.goto(&app.url("/directory/campaign")).await.unwrap();
    c.execute(
        "document.querySelector('form[action=\"/directory/campaign\"]').submit();",
        vec![],
    )
    .await
    .unwrap();
    assert!(text_of(&c, "#campaign-sent").await.contains("envoyé"));
    let mail = common::mails(&app.mail_dir)
        .into_iter()
        .find(|m| m.contains("To: ema@demo.cratb.fr"))
        .expect("a message to the EMA member");
    let at = mail.find("/confirm/").unwrap();
    let link: String = mail[at..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || "/.".contains(*ch))
        .collect();
    c.goto(&app.url(&link)).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Vérifier ma fiche de l'annuaire");
    screenshot(&c, "confirm-link").await;
    click(&c, "#confirm-entry").await;
    assert!(text_of(&c, "#link-done").await.contains("confirmée"));
    c.goto(&app.url(&link)).await.unwrap();
    assert!(text_of(&c, "#link-refused").await.contains("déjà servi"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn antibiotic_consumption_in_chromium() {
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
    login(&c, &app, "coordination@demo.cratb.fr").await;

    // The region dashboard: sector tiles, the target followed, charts drawn.
    click(&c, "nav.main a[href='/consumption']").await;
    let tiles = text_of(&c, "#sector-cards").await;
    assert!(tiles.contains("Établissements de santé"), "{tiles}");
    assert!(tiles.contains("Établissements médico-sociaux"), "{tiles}");
    let note = text_of(&c, "#target-note").await;
    assert!(note.contains("−10 % par rapport à 2023"), "{note}");
    assert!(c.find_all(Locator::Css("svg.chart")).await.unwrap().len() >= 4);
    screenshot(&c, "consumption-dashboard").await;

    // Nursing homes, then carbapenems in intensive care.
    c.find(Locator::Css("#consumption-filters select[name=sector]"))
        .await
        .unwrap()
        .select_by_value("EMS")
        .await
        .unwrap();
    click(&c, "#consumption-filters button[type=submit]").await;
    wait_url(&c, "sector=EMS").await;
    let unit = text_of(&c, "#trend-title").await;
    assert!(unit.contains("journées d'hébergement"), "{unit}");
    screenshot(&c, "consumption-ems").await;
    c.goto(&app.url("/consumption?ward=icu&class=J01DH"))
        .await
        .unwrap();
    let title = text_of(&c, "#est-title").await;
    assert!(title.contains("Carbapénèmes"), "{title}");

    // An establishment among its peers, and its feedback report.
    click(&c, "#establishments tbody a").await;
    wait_url(&c, "/consumption/establishments/").await;
    let position = text_of(&c, "#position").await;
    assert!(position.contains("percentile"), "{position}");
    let report = c
        .find(Locator::Css("a[href*='/report']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(report.contains("/report?"), "{report}");
    screenshot(&c, "consumption-establishment").await;

    // Primary care: the region and its departments, the ESAC-Net indicators.
    c.goto(&app.url("/consumption/primary-care")).await.unwrap();
    let table = text_of(&c, "#primary-territories").await;
    assert!(table.contains("Isère (38)"), "{table}");
    let esac = text_of(&c, "#esac").await;
    assert!(esac.contains("Part des fluoroquinolones (J01MA)"), "{esac}");
    screenshot(&c, "consumption-primary-care").await;
    c.close().await.unwrap();
}

/// The code an authenticator application shows `offset_steps` steps from now (`totp-rs`, the
/// crate the server uses).
fn totp_code(typed_key: &str, offset_steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(typed_key.replace(' ', ""))
        .unwrap()
        .as_bytes()
        .to_vec();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + 30 * offset_steps) as u64).to_string()
}

#[tokio::test]
async fn two_factor_authentication_in_chromium() {
    if !requested() {
        return;
    }
    // Outside a demonstration, a laboratory account must use a second factor.
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let (_driver, c) = start_browser().await;
    login(&c, &app, common::LAB).await;
    wait_url(&c, "/account/mfa").await;
    assert!(
        text_of(&c, "#mfa-must-enrol")
            .await
            .contains("double authentification")
    );
    screenshot(&c, "mfa-required").await;
    click(&c, "#mfa-start").await;
    let key = text_of(&c, "#mfa-secret").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("figure.qr svg"))
        .await
        .unwrap();
    screenshot(&c, "mfa-enrolment").await;
    type_into(&c, "confirm-code", &totp_code(&key, 0)).await;
    click(&c, "#confirm-code ~ .actions button").await;
    let codes = text_of(&c, "#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");
    screenshot(&c, "mfa-recovery-codes").await;

    // Log out, log in again: the password, then the code.
    click(&c, "#logout").await;
    wait_url(&c, "/login").await;
    c.goto(&app.url("/login")).await.unwrap();
    let pw = app.account(common::LAB).password.clone();
    type_into(&c, "email", common::LAB).await;
    type_into(&c, "password", &pw).await;
    click(&c, "form.stack button[type=submit]").await;
    wait_url(&c, "/login/mfa").await;
    assert_eq!(text_of(&c, "h1").await, "Code de vérification");
    screenshot(&c, "mfa-login").await;
    type_into(&c, "code", &totp_code(&key, 1)).await;
    click(&c, "form.stack button[type=submit]").await;
    assert!(text_of(&c, "h1").await.starts_with("Bonjour"));
}

#[tokio::test]
async fn a_referent_account_from_creation_to_their_hospital_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let demo_referent = cratb_store::users::find_by_email(
        &app.db,
        &app.email_of(cratb_domain::Role::Referent, Some("84")),
    )
    .await
    .unwrap();
    let hospital = cratb_store::establishments::get(
        &app.db,
        &cratb_domain::Scope::National,
        demo_referent.establishment_ids[0],
    )
    .await
    .unwrap();
    let (_driver, c) = start_browser().await;

    // The coordinator opens the account, tied to the hospital, without a password.
    login(&c, &app, common::COORD).await;
    c.goto(&app.url("/users/new")).await.unwrap();
    type_into(&c, "email", "dr.lefebvre@chu-demo.fr").await;
    type_into(&c, "display_name", "Dr Anne Lefebvre").await;
    c.find(Locator::Id("role"))
        .await
        .unwrap()
        .select_by_value("referent")
        .await
        .unwrap();
    type_into(&c, "establishments", &hospital.finess).await;
    screenshot(&c, "account-new").await;
    click(&c, "form.stack.card button[type=submit]").await;
    let link = text_of(&c, "#password-link").await;
    assert!(link.contains("/password/reset/"), "{link}");
    assert!(
        text_of(&c, "#link-sent")
            .await
            .contains("dr.lefebvre@chu-demo.fr")
    );
    screenshot(&c, "account-link").await;
    click(&c, "#logout").await;
    wait_url(&c, "/login").await;

    // The referent follows the link and chooses a password.
    c.goto(&link).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Choisir un mot de passe");
    type_into(&c, "new", "Magnolia-sous-la-neige-2026").await;
    type_into(&c, "confirm", "Magnolia-sous-la-neige-2026").await;
    screenshot(&c, "password-choose").await;
    click(&c, "form.stack button[type=submit]").await;
    wait_url(&c, "/login?reset=1").await;
    screenshot(&c, "password-set").await;

    // Signed in (no second factor asked of a referent), their hospital's consumption.
    type_into(&c, "email", "dr.lefebvre@chu-demo.fr").await;
    type_into(&c, "password", "Magnolia-sous-la-neige-2026").await;
    click(&c, "form.stack button[type=submit]").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("logout"))
        .await
        .unwrap();
    c.goto(&app.url("/consumption")).await.unwrap();
    wait_url(&c, &format!("/consumption/establishments/{}", hospital.id)).await;
    assert!(text_of(&c, "h1").await.contains(&hospital.name));
    screenshot(&c, "referent-consumption").await;

    // "Mot de passe oublié ?" answers alike for anyone.
    click(&c, "#logout").await;
    wait_url(&c, "/login").await;
    click(&c, "#forgot").await;
    wait_url(&c, "/password/forgot").await;
    type_into(&c, "email", "dr.lefebvre@chu-demo.fr").await;
    click(&c, "form.stack button[type=submit]").await;
    assert!(text_of(&c, "#forgot-sent").await.contains("24 heures"));
    screenshot(&c, "password-forgot").await;
}
