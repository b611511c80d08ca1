//! The cumulative antibiogram as a French microbiologist reads it, in Chromium at 1366 px:
//! expected resistant phenotypes marked, the high-level gentamicin screen of enterococci, PK/PD
//! interpretations marked, French names and decimal commas.

use super::*;

/// The text of the cell of `organism` (its row) in the column headed `label`.
async fn cell(c: &Client, organism: &str, label: &str) -> String {
    let script = r#"
        const [organism, label] = arguments;
        const table = document.getElementById('antibiogram');
        const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
        const col = heads.indexOf(label);
        if (col < 0) return 'no column ' + label;
        for (const tr of table.querySelectorAll('tbody tr')) {
          if (tr.querySelector('th').textContent.trim() === organism) {
            const cell = tr.children[col];
            return cell.textContent.trim() + ' | ' + cell.className + ' | ' + (cell.title || '');
          }
        }
        return 'no row ' + organism;"#;
    let v = c
        .execute(script, vec![organism.into(), label.into()])
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_demo_antibiogram_in_french_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;
    set_viewport(&c, 1366, 900).await;
    login(&c, &app, common::COORD).await;
    c.goto(&app.url("/resistance")).await.unwrap();
    text_of(&c, "#antibiogram").await;

    // Expected resistant phenotypes: R, marked, never a share from the laboratory's values.
    let kleb = cell(&c, "Klebsiella pneumoniae", "AMX").await;
    assert!(kleb.starts_with("R RN | sus-intrinsic"), "{kleb}");
    assert!(kleb.contains("Résistance naturelle"), "{kleb}");
    for code in ["AMX", "AMC"] {
        let cloacae = cell(&c, "Enterobacter cloacae", code).await;
        assert!(
            cloacae.starts_with("R RN | sus-intrinsic"),
            "{code}: {cloacae}"
        );
    }
    // Enterococci × gentamicin: the high-level screen, its own column.
    let hn = cell(&c, "Enterococcus faecalis", "GEN HN").await;
    assert!(
        !hn.is_empty() && !hn.starts_with("no ") && !hn.starts_with(" |"),
        "{hn}"
    );
    let plain = cell(&c, "Enterococcus faecalis", "GEN").await;
    assert!(
        plain.starts_with(" | sus-none") || plain.starts_with("| sus-none"),
        "{plain}"
    );
    // P. aeruginosa × gentamicin: interpreted with PK/PD breakpoints, and said so.
    let pseudo = cell(&c, "Pseudomonas aeruginosa", "GEN").await;
    assert!(pseudo.contains("PK/PD |"), "{pseudo}");

    let legend = text_of(&c, "#antibiogram-legend").await;
    for words in [
        "résistance naturelle",
        "gentamicine haut niveau",
        "concentrations critiques PK/PD (non liées à l'espèce)",
    ] {
        assert!(legend.contains(words), "{words}: {legend}");
    }
    let names = text_of(&c, "#antimicrobial-names").await;
    for name in [
        "AMX Amoxicilline",
        "AMC Amoxicilline-acide clavulanique",
        "GEN HN Gentamicine haut niveau",
        "TZP Pipéracilline-tazobactam",
        "SXT Triméthoprime-sulfaméthoxazole",
    ] {
        assert!(names.contains(name), "{name}: {names}");
    }
    let sources = text_of(&c, "#sources").await;
    assert!(
        sources.starts_with("Concentrations critiques cliniques EUCAST"),
        "{sources}"
    );
    screenshot(&c, "antibiogram-fr-1366").await;

    // The trend's table in decimal commas.
    let trend = text_of(&c, "#trend-table").await;
    assert!(trend.contains(','), "{trend}");
    assert!(
        !trend
            .chars()
            .zip(trend.chars().skip(1))
            .any(|(a, b)| a == '.' && b.is_ascii_digit()),
        "{trend}"
    );
    c.execute("document.getElementById('trend').scrollIntoView();", vec![])
        .await
        .unwrap();
    screenshot(&c, "antibiogram-fr-trend").await;

    // Turned off: the laboratory's results, said in the legend.
    click(&c, "input[name=intrinsic]").await;
    click(&c, "form.filters.card button[type=submit]").await;
    wait_url(&c, "intrinsic=ignore").await;
    let kleb = cell(&c, "Klebsiella pneumoniae", "AMX").await;
    assert!(!kleb.contains("sus-intrinsic"), "{kleb}");
    let legend = text_of(&c, "#antibiogram-legend").await;
    assert!(
        legend.contains("Résistances naturelles non appliquées"),
        "{legend}"
    );
    screenshot(&c, "antibiogram-fr-intrinsic-ignored").await;

    // The page on each screen, to be looked at (the layout is another walk's).
    c.goto(&app.url("/resistance")).await.unwrap();
    for (name, width, height) in SCREENS {
        set_viewport(&c, width, height).await;
        let (over, worst) = overflow(&c).await;
        eprintln!("antibiogram at {width} px: {over} px too wide ({worst})");
        screenshot(&c, &format!("antibiogram-fr-{name}")).await;
    }
    c.close().await.unwrap();
}
