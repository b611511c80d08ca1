//! Every page on a phone, a tablet and a laptop: for each demo role, the pages of its
//! navigation and the main pages under them fit the width of a phone (390 × 844) and a tablet
//! (768 × 1024), their charts keep legible text and give their figures as a table; the
//! navigation folds into a menu on small screens and holds on one line on a laptop. Screenshots
//! `<role>-<page>-<phone|tablet|laptop>.png` of each, whole pages, in `target/screenshots/`.

use super::*;

/// The demo accounts, one per role, by the name their screenshots carry.
const ROLES: [(&str, &str); 9] = [
    ("coordinator", common::COORD),
    ("admin", common::ADMIN),
    ("data-manager", "donnees@demo.cratb.fr"),
    ("secretary", common::SECRETARY),
    ("ema", common::EMA),
    ("referent", "referent@demo.cratb.fr"),
    ("prescriber", common::PRESCRIBER),
    ("lab", common::LAB),
    ("ars", common::ARS),
];

/// A page's name in a screenshot's: its path, slashes and digits made words
/// (`/network/teams/12` → `network-teams-id`).
fn page_name(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.chars().all(|c| c.is_ascii_digit()) {
                "id".to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    if parts.is_empty() {
        "home".into()
    } else {
        parts.join("-")
    }
}

/// The `href` of the first element matching `css` on the current page, if any.
async fn first_href(c: &Client, css: &str) -> Option<String> {
    let v = c
        .execute(
            "const a = document.querySelector(arguments[0]); return a ? a.getAttribute('href') : null;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    v.as_str().map(str::to_owned)
}

/// A navigation entry, pages under it, and pages found from it: `(page, link to follow)`.
type Under = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The pages a role is shown: its navigation, the account and the public search, and the main
/// pages under them (a team, an establishment, an establishment's consumption…).
async fn pages_of(c: &Client, app: &TestApp) -> Vec<String> {
    c.goto(&app.url("/")).await.unwrap();
    let nav = c
        .execute(
            "return [...document.querySelectorAll('nav.main a')].map(a => a.getAttribute('href'));",
            vec![],
        )
        .await
        .unwrap();
    let nav: Vec<String> = nav
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let mut pages = nav.clone();
    // Under each entry, the pages one reaches first from it.
    let under: [Under; 7] = [
        (
            "/establishments",
            &[],
            &[(
                "/establishments",
                "#results a[href^='/establishments/']:not([href$='new'])",
            )],
        ),
        (
            "/network",
            &["/network/coverage", "/network/conventions"],
            &[("/network/teams", "#teams a[href^='/network/teams/']")],
        ),
        (
            "/directory",
            &[],
            &[("/directory", "#directory a[href^='/directory/']")],
        ),
        ("/resistance", &["/resistance/alerts"], &[]),
        (
            "/consumption",
            &["/consumption/primary-care"],
            &[("/consumption", "#establishments tbody a")],
        ),
        ("/users", &[], &[]),
        ("/audits", &["/audits/grids"], &[]),
    ];
    for (entry, fixed, found) in under {
        if !nav.iter().any(|n| n == entry) {
            continue;
        }
        pages.extend(fixed.iter().map(|p| p.to_string()));
        for (from, css) in found {
            c.goto(&app.url(from)).await.unwrap();
            if let Some(href) = first_href(c, css).await {
                pages.push(href);
            }
        }
    }
    pages.push("/account".into());
    pages.push("/public/search?q=38000".into());
    pages.dedup();
    pages
}

/// The on-screen size, in CSS pixels, of the smallest text of the page's charts (`None`
/// without a chart), and whether each chart has its figures as a table under it.
async fn chart_text(c: &Client) -> (Option<f64>, bool) {
    let v = c
        .execute(
            r#"let smallest = null, tables = true;
               for (const svg of document.querySelectorAll('svg.chart')) {
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 for (const t of svg.querySelectorAll('text')) {
                   const px = parseFloat(getComputedStyle(t).fontSize) * scale;
                   if (smallest === null || px < smallest) smallest = px;
                 }
                 const box = svg.closest('.chart-box');
                 if (!box || !box.querySelector('details.chart-data table')) tables = false;
               }
               return [smallest, tables];"#,
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_f64(), v[1].as_bool().unwrap_or(false))
}

/// A screenshot of the whole page (the window made as tall as the page, then put back).
async fn whole_page(c: &Client, name: &str, width: u32, height: u32) {
    let tall = c
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(height as u64) as u32;
    set_viewport(c, width, tall.clamp(height, 6000)).await;
    screenshot(c, name).await;
    set_viewport(c, width, height).await;
}

/// The height of the main navigation's list and of one of its links.
async fn nav_heights(c: &Client) -> (f64, f64) {
    let v = c
        .execute(
            r#"const ul = document.querySelector('nav.main ul');
               const a = document.querySelector('nav.main a');
               return [ul ? ul.getBoundingClientRect().height : 0, a ? a.getBoundingClientRect().height : 0];"#,
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

/// Whether the element is displayed (laid out, with a size).
async fn displayed(c: &Client, css: &str) -> bool {
    c.execute(
        "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0;",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

#[tokio::test]
async fn every_page_of_every_role_fits_a_phone_and_a_tablet() {
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
    let mut problems = Vec::new();

    // Before logging in: the login page links to the public search, as the header does.
    for (screen, w, h) in SCREENS {
        set_viewport(&c, w, h).await;
        c.goto(&app.url("/login")).await.unwrap();
        assert_eq!(
            first_href(&c, "#login-public-search").await.as_deref(),
            Some("/public/search")
        );
        assert!(displayed(&c, "#who-to-ask").await, "{screen}: header link");
        let (over, worst) = overflow(&c).await;
        if over > 0 && screen != "laptop" {
            problems.push(format!("login {screen}: {over} px too wide ({worst})"));
        }
        whole_page(&c, &format!("anonymous-login-{screen}"), w, h).await;
    }

    // A page looked at for one role is not looked at again for the next (the pages are the
    // same, only their data differ): each role's home page and navigation, and every page once.
    let mut seen = std::collections::HashSet::new();
    for (role, email) in ROLES {
        c.delete_all_cookies().await.unwrap();
        set_viewport(&c, 1366, 900).await;
        login(&c, &app, email).await;
        let pages = pages_of(&c, &app).await;
        for path in &pages {
            if path.as_str() != "/" && !seen.insert(path.clone()) {
                continue;
            }
            c.goto(&app.url(path)).await.unwrap();
            for (screen, w, h) in SCREENS {
                set_viewport(&c, w, h).await;
                let name = format!("{role}-{}-{screen}", page_name(path));
                let (over, worst) = overflow(&c).await;
                if over > 0 {
                    problems.push(format!("{name}: {over} px too wide ({worst})"));
                }
                let (smallest, tables) = chart_text(&c).await;
                if let Some(px) = smallest.filter(|px| *px < 10.95) {
                    problems.push(format!("{name}: chart text of {px:.1} px"));
                }
                if !tables {
                    problems.push(format!("{name}: a chart without its figures as a table"));
                }
                // The header's link to the public search, for everyone.
                if !displayed(&c, "#who-to-ask").await {
                    problems.push(format!("{name}: no link to the public search"));
                }
                if screen == "laptop" {
                    // The navigation on one line, the menu button not shown.
                    let (list, link) = nav_heights(&c).await;
                    if list > link * 1.5 {
                        problems.push(format!(
                            "{name}: the navigation takes {list:.0} px for links of {link:.0} px"
                        ));
                    }
                    if displayed(&c, "#menu-toggle").await {
                        problems.push(format!("{name}: a menu button on a laptop"));
                    }
                }
                whole_page(&c, &name, w, h).await;
            }
            set_viewport(&c, 1366, 900).await;
        }
        eprintln!("{role}: {} pages looked at", pages.len());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_navigation_folds_into_a_menu_on_small_screens() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;
    login(&c, &app, common::COORD).await;
    for (screen, w, h) in SCREENS.into_iter().take(2) {
        set_viewport(&c, w, h).await;
        c.goto(&app.url("/")).await.unwrap();
        assert!(displayed(&c, "#menu-toggle").await, "{screen}");
        assert!(!displayed(&c, "nav.main").await, "{screen}: folded");
        assert!(!displayed(&c, "#logout").await, "{screen}: folded");
        assert!(displayed(&c, "#who-to-ask").await, "{screen}");
        let toggle = c.find(Locator::Id("menu-toggle")).await.unwrap();
        assert_eq!(
            toggle.attr("aria-expanded").await.unwrap().as_deref(),
            Some("false")
        );
        // Opened from the keyboard.
        toggle.send_keys("\u{e007}").await.unwrap();
        assert_eq!(
            toggle.attr("aria-expanded").await.unwrap().as_deref(),
            Some("true")
        );
        assert!(displayed(&c, "nav.main").await, "{screen}: opened");
        assert!(displayed(&c, "#logout").await, "{screen}: opened");
        assert!(displayed(&c, "#account-link").await, "{screen}: opened");
        let (over, worst) = overflow(&c).await;
        assert!(over <= 0, "{screen}: {over} px too wide ({worst})");
        screenshot(&c, &format!("coordinator-menu-open-{screen}")).await;
        // Escape folds it again and gives the focus back to the button.
        c.active_element()
            .await
            .unwrap()
            .send_keys("\u{e00c}")
            .await
            .unwrap();
        assert!(!displayed(&c, "nav.main").await, "{screen}: Escape");
        let focused = c
            .execute("return document.activeElement.id;", vec![])
            .await
            .unwrap();
        assert_eq!(focused.as_str(), Some("menu-toggle"));
        // A link of the menu leads to its page.
        click(&c, "#menu-toggle").await;
        click(&c, "nav.main a[href='/audit']").await;
        wait_url(&c, "/audit").await;
        assert_eq!(text_of(&c, "h1").await, "Journal d'audit");
    }
    // On a laptop there is no menu button: the navigation is there, on one line.
    set_viewport(&c, 1366, 900).await;
    c.goto(&app.url("/")).await.unwrap();
    assert!(!displayed(&c, "#menu-toggle").await);
    assert!(displayed(&c, "nav.main").await && displayed(&c, "#logout").await);
    let (list, link) = nav_heights(&c).await;
    assert!(list < link * 1.5, "{list} px for links of {link} px");
}

/// The relative luminance of an `#rrggbb` colour (WCAG 2.2).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The value of a custom property of `app.css` (`--focus: #a34a00;`).
fn css_var(css: &str, name: &str) -> String {
    let at = css
        .find(&format!("{name}:"))
        .unwrap_or_else(|| panic!("{name}"));
    css[at + name.len() + 1..]
        .split([';', ' '])
        .find(|s| !s.is_empty())
        .unwrap()
        .to_string()
}

#[test]
fn focus_colours_contrast() {
    let css = include_str!("../../assets/app.css");
    let (focus, on_brand) = (css_var(css, "--focus"), css_var(css, "--focus-on-brand"));
    let (brand, bg) = (css_var(css, "--brand"), css_var(css, "--bg"));
    // The old amber on white, for the record: 1.6:1.
    assert!(contrast("#ffbf47", "#ffffff") < 3.0);
    // WCAG 2.2 (1.4.11, 2.4.13): a focus indicator 3:1 against what is next to it.
    for (surface, ratio) in [
        ("#ffffff", contrast(&focus, "#ffffff")),
        (bg.as_str(), contrast(&focus, &bg)),
        ("#eef2f6", contrast(&focus, "#eef2f6")),
    ] {
        assert!(ratio >= 3.0, "{focus} on {surface}: {ratio:.2}:1");
    }
    let ratio = contrast(&on_brand, &brand);
    assert!(ratio >= 3.0, "{on_brand} on {brand}: {ratio:.2}:1");
    // The header's rule is there to use it.
    assert!(css.contains("header.top :focus-visible { outline-color: var(--focus-on-brand); }"));
}
