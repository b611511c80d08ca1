//! The network directory: adding professionals through the form and the API, with checked
//! identifiers, errors in place, region scoping and the audit log.

mod common;
#[path = "../../cratb-sheet/tests/hostile/mod.rs"]
mod hostile;

use common::{COORD_BZH, EMA, PRESCRIBER, SECRETARY, TestApp};
use serde_json::{Value, json};

#[tokio::test]
async fn a_secretary_adds_a_professional_and_sees_each_error_in_place() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let post = |form: Vec<(&'static str, String)>| sec.post_form("/directory", &form).send();
    let mut form = vec![
        ("last_name", "Martin".to_string()),
        ("first_name", "Inès".to_string()),
        ("profession", "infectiologist".to_string()),
        ("rpps", "10003456789".to_string()),
        ("email", "ines.martin@chu-exemple.fr".to_string()),
        ("phone", "04 76 12 34".to_string()),
        ("public_name", "on".to_string()),
        ("network_roles", "referent".to_string()),
        ("network_roles", "ema_member".to_string()),
    ];
    let res = post(form.clone()).await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"rpps-error\"") && html.contains("clé de contrôle"),
        "{html}"
    );
    assert!(html.contains("id=\"phone-error\""));
    assert!(
        html.contains("value=\"ines.martin@chu-exemple.fr\""),
        "other fields kept"
    );
    form[3].1 = "10003456786".into();
    form[5].1 = "04 76 12 34 56".into();
    let res = post(form).await.unwrap();
    assert_eq!(res.status(), 303);
    let list = sec.page("/directory?q=martin&saved=1").await;
    assert!(
        list.contains("Martin Inès")
            && list.contains("04 76 12 34 56")
            && list.contains("id=\"saved\"")
    );

    // Bretagne does not see Auvergne-Rhône-Alpes' directory.
    let bzh = app.client(COORD_BZH).await;
    let other = bzh.get("/directory?q=martin").send().await.unwrap();
    assert!(
        !other
            .text()
            .await
            .unwrap()
            .contains("ines.martin@chu-exemple.fr")
    );
}

#[tokio::test]
async fn the_api_checks_identifiers_and_refuses_duplicates() {
    let app = TestApp::spawn().await;
    let api = app.api(SECRETARY, true).await;
    let post = |body: Value| api.post("/api/v1/professionals").json(&body).send();
    let res = post(json!({"last_name": "Durand", "first_name": "Paul", "profession": "pharmacien", "rpps": "123", "phone": "x"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/profession", "/rpps", "/phone"]);
    let bad_role = json!({"last_name": "Durand", "first_name": "Paul", "profession": "pharmacist", "network_roles": ["chef"]});
    let res = post(bad_role).await.unwrap();
    assert_eq!(res.status(), 422);
    let good = json!({"last_name": "Durand", "first_name": "Paul", "profession": "pharmacist", "rpps": "10003456786", "public_phone": true, "network_roles": ["lab_correspondent"]});
    let res = post(good.clone()).await.unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["region_code"], "84");
    assert_eq!(created["public_phone"], true);
    assert_eq!(created["network_roles"], "lab_correspondent");
    let dup = post(good).await.unwrap();
    let status = dup.status();
    assert_eq!(
        status,
        409,
        "same RPPS twice: {}",
        dup.text().await.unwrap()
    );

    // Everyone reads the directory; a prescriber cannot write to it.
    let prescriber = app.api(PRESCRIBER, true).await;
    let page: Value = prescriber
        .json("/api/v1/professionals?profession=pharmacist&q=10003456786")
        .await;
    assert_eq!(page["total"], 1);
    let res = prescriber
        .post("/api/v1/professionals")
        .json(&json!({"last_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_change_is_a_version_and_any_version_comes_back() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let form = |phone: &str| {
        vec![
            ("last_name", "Lefèvre".to_string()),
            ("first_name", "Anne".to_string()),
            ("profession", "microbiologist".to_string()),
            ("phone", phone.to_string()),
        ]
    };
    let post = |path: String, body: Vec<(&'static str, String)>| sec.post_form(&path, &body).send();
    let res = post("/directory".into(), form("04 76 00 00 01"))
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location
        .trim_start_matches("/directory/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Edit the telephone: version 2 says what changed.
    let res = post(format!("/directory/{id}"), form("04 76 00 00 02"))
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let shown = sec.page(&format!("/directory/{id}")).await;
    assert!(shown.contains("04 76 00 00 02"));
    assert!(shown.contains("modifié : téléphone"), "{shown}");
    assert!(shown.contains(&format!("/directory/{id}/restore/1")));

    // Restore version 1: the old number is back, as version 3.
    let res = post(format!("/directory/{id}/restore/1"), vec![])
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let shown = sec.page(&format!("/directory/{id}")).await;
    assert!(shown.contains("04 76 00 00 01") && shown.contains("version 1 restaurée"));
    let res = post(format!("/directory/{id}/restore/9"), vec![])
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "no such version");

    // Another region cannot open, edit or restore the entry.
    let bzh = app.client(COORD_BZH).await;
    let res = bzh.get(&format!("/directory/{id}")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = bzh
        .post_button(&format!("/directory/{id}/restore/2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn entries_unconfirmed_for_a_year_are_flagged_until_confirmed() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let form = [
        ("last_name", "Roux"),
        ("first_name", "Hugo"),
        ("profession", "gp"),
    ];
    let res = sec.post_form("/directory", &form).send().await.unwrap();
    let id: i64 = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/directory/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let list = |path: &'static str| sec.page(path);
    assert!(
        !list("/directory?stale=1").await.contains("Roux Hugo"),
        "just confirmed at creation"
    );

    // Thirteen months later.
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(400);
    let sql = "UPDATE professionals SET confirmed_at = $1 WHERE id = $2";
    match &app.db {
        cratb_store::Db::Sqlite(p) => sqlx::query(sql)
            .bind(old)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
        cratb_store::Db::Postgres(p) => sqlx::query(sql)
            .bind(old)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
    }
    let stale = list("/directory?stale=1").await;
    assert!(
        stale.contains("Roux Hugo") && stale.contains("badge stale"),
        "{stale}"
    );

    let res = sec
        .post_button(&format!("/directory/{id}/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(!list("/directory?stale=1").await.contains("Roux Hugo"));
}

/// A directory spreadsheet as centres keep them: French column names, a semicolon, mixed case.
fn sheet(existing_rpps: &str) -> String {
    [
        "Nom de famille;Prénom;Spécialité;N° RPPS;Courriel;Portable;Rôles;Colonne inutile",
        "Garnier;Lucie;Pharmacien;;lucie.garnier@ch-exemple.fr;04 76 00 00 01;Référent antibiotique d'établissement;x",
        "Faure;Hugo;Infirmière;;hugo.faure@ch-exemple.fr;;ema_member;",
        &format!("Blanc;Léa;Pharmacien;{existing_rpps};lea.blanc@ch-exemple.fr;04 76 00 00 09;;"),
        "Garnier;Lucie;Pharmacien;;lucie.garnier@ch-exemple.fr;04 76 00 00 01;;",
        "Morel;Paul;Pharmacien;10003456789;paul.morel@ch-exemple.fr;;;",
        ";Anne;Astronaute;;anne@exemple;;;",
    ]
    .join("\n")
}

#[tokio::test]
async fn a_spreadsheet_is_mapped_previewed_then_imported_all_or_valid_only() {
    let app = TestApp::spawn().await;
    // An entry the sheet updates (same RPPS, new phone).
    let api = app.api(SECRETARY, true).await;
    let res = api.post("/api/v1/professionals")
        .json(&json!({"last_name": "Blanc", "first_name": "Léa", "profession": "pharmacist", "rpps": "10003456786", "email": "lea.blanc@ch-exemple.fr", "public_phone": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let sec = app.client(SECRETARY).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sheet("10003456786").into_bytes())
            .file_name("annuaire 2025.csv"),
    );
    let res = sec
        .post_multipart("/directory/import", form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let preview_url = res.headers()["location"].to_str().unwrap().to_owned();
    let page = sec.page(&preview_url).await;
    // The usual column names were recognised; the useless one is not mapped.
    assert!(
        page.contains("<option value=\"0\" selected>Nom de famille</option>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"5\" selected>Portable</option>"));
    let counts = common::extract(&page, "id=\"import-counts\">", "</p>").unwrap();
    for n in ["2 nouvelle", "1 mise", "1 doublon", "2 invalide"] {
        assert!(counts.contains(n), "{n} in {counts}");
    }
    assert!(page.contains("même nom et même e-mail que la ligne 2"));
    assert!(
        page.contains("colonne « N° RPPS »") && page.contains("clé de contrôle"),
        "line 6"
    );
    assert!(
        page.contains("colonne « Nom de famille » : le nom est obligatoire"),
        "line 7"
    );

    // All or nothing: refused, nothing written.
    let commit = |mode: &str| sec.post_form(&preview_url, &[("mode", mode)]).send();
    let res = commit("all").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("2 ligne(s) invalide(s) : rien n&#39;a été importé")
    );
    let found = |q: &str| {
        let (api, q) = (&api, q.to_owned());
        async move {
            api.json(&format!("/api/v1/professionals?q={q}")).await["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(found("lucie.garnier").await, 0);

    // Valid rows only: two created, one updated, the others reported by line.
    let res = commit("valid_only").await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("2 fiches créées, 1 mise à jour, 3 lignes ignorées"),
        "{html}"
    );
    let skipped = common::extract(&html, "id=\"skipped\"", "</table>").unwrap();
    for line in [
        "<td class=\"num\">5</td>",
        "<td class=\"num\">6</td>",
        "<td class=\"num\">7</td>",
    ] {
        assert!(skipped.contains(line), "{line}");
    }
    assert_eq!(found("lucie.garnier").await, 1);
    let lea = api.json(&format!("/api/v1/professionals/{id}")).await;
    assert_eq!(lea["phone"], "+33476000009");
    assert_eq!(
        lea["public_phone"], true,
        "a column the sheet lacks keeps its value"
    );
    let history = cratb_store::directory::history(&app.db, &cratb_domain::Scope::National, id)
        .await
        .unwrap();
    assert_eq!(history[0].summary, "import « annuaire 2025.csv »");
    // The draft is gone once committed.
    let again = commit("valid_only").await.unwrap();
    assert_eq!(again.status(), 404);
}

/// The confirmation link in the message sent to `email`.
fn link_for(app: &TestApp, email: &str) -> String {
    let mail = common::mails(&app.mail_dir)
        .into_iter()
        .find(|m| m.contains(&format!("To: {email}")))
        .unwrap_or_else(|| panic!("no message to {email}"));
    let start = mail.find("/confirm/").expect("a link");
    let token: String = mail[start + 9..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!("/confirm/{token}")
}

#[tokio::test]
async fn the_yearly_campaign_sends_links_that_confirm_or_correct_an_entry_once() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let anonymous = app.anonymous();
    let res = sec.post_button("/directory/campaign").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let sent = common::mails(&app.mail_dir).len();
    assert!(sent > 50, "one message per professional with an e-mail");
    assert!(page.contains(&format!("{sent} e-mails envoyés")), "{page}");
    let mail = common::mails(&app.mail_dir).remove(0);
    assert!(
        mail.contains("Subject: CRAtb") && mail.contains("Bonjour"),
        "{mail}"
    );

    // Julien Perrin (the demo EMA account) confirms his entry as it is.
    let link = link_for(&app, EMA);
    let form = anonymous.get(&link).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("value=\"Perrin\""));
    let csrf_anon = common::extract(&html, "name=\"csrf\" value=\"", "\"").unwrap();
    let fields = |html: &str| -> Vec<(String, String)> {
        let mut f = vec![("csrf".to_string(), csrf_anon.clone())];
        for name in [
            "last_name",
            "first_name",
            "rpps",
            "email",
            "phone",
            "establishments",
        ] {
            let v = common::extract(html, &format!("name=\"{name}\" value=\""), "\"")
                .unwrap_or_default();
            f.push((name.into(), v.replace("&#39;", "'")));
        }
        let prof = common::extract(html, "<option value=\"", "\" selected").unwrap();
        let prof = prof.rsplit("<option value=\"").next().unwrap().to_string();
        f.push(("profession".into(), prof));
        for c in ["public_name", "public_email", "public_phone"] {
            if html.contains(&format!("name=\"{c}\" checked")) {
                f.push((c.into(), "on".into()));
            }
        }
        f
    };
    let professional = app.anonymous().with_csrf_cookie(&csrf_anon);
    let post =
        |link: String, form: Vec<(String, String)>| professional.post(&link).form(&form).send();
    let res = post(link.clone(), fields(&html)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("votre fiche est confirmée")
    );
    let res = post(link.clone(), fields(&html)).await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("ce lien a déjà servi"));
    let again = anonymous.get(&link).send().await.unwrap();
    assert_eq!(again.status(), 410);

    // A forged link.
    let last = if link.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &link[..link.len() - 1]);
    let res = anonymous.get(&forged).send().await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("n&#39;est pas valide"));

    // Another professional corrects their phone: a bad value first, then a good one.
    let other = common::mails(&app.mail_dir)
        .into_iter()
        .find(|m| !m.contains("To: ema@demo.cratb.fr"))
        .unwrap();
    let to = common::extract(&other, "To: ", "\n")
        .unwrap()
        .trim()
        .to_string();
    let link = link_for(&app, &to);
    let html = anonymous.page(&link).await;
    let mut form = fields(&html);
    for f in form.iter_mut().filter(|(k, _)| k == "phone") {
        f.1 = "12".into();
    }
    let res = post(link.clone(), form.clone()).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"phone-error\""));
    for f in form.iter_mut().filter(|(k, _)| k == "phone") {
        f.1 = "04 73 11 22 33".into();
    }
    let res = post(link.clone(), form).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("vos corrections ont été transmises")
    );

    // The secretary sees the correction and approves it.
    let page = sec.page("/directory/campaign").await;
    assert!(page.contains("+33473112233"), "{page}");
    let pending: i64 = common::extract(&page, "<article class=\"pending\" id=\"pending-", "\"")
        .unwrap()
        .parse()
        .unwrap();
    let res = sec
        .post_button(&format!("/directory/pending/{pending}/approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let api = app.api(SECRETARY, false).await;
    let found: Value = api
        .json(&format!(
            "/api/v1/professionals?q={}",
            common::urlencode(&to)
        ))
        .await;
    assert_eq!(found["items"][0]["phone"], "+33473112233");

    // An expired link says so.
    let third = common::mails(&app.mail_dir)
        .into_iter()
        .map(|m| {
            common::extract(&m, "To: ", "\n")
                .unwrap()
                .trim()
                .to_string()
        })
        .find(|t| t != &to && t != "ema@demo.cratb.fr")
        .unwrap();
    let link = link_for(&app, &third);
    let id: i64 = link
        .trim_start_matches("/confirm/")
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    cratb_store::on_db!(&app.db, p => sqlx::query("UPDATE confirmation_links SET expires_at = $1 WHERE id = $2")
        .bind(past).bind(id).execute(p).await.unwrap().rows_affected());
    let res = anonymous.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("ce lien a expiré"));
}

/// Random bytes were once accepted as a directory sheet, and a 4 KB workbook stored a 314 MB
/// row: a file that is not a sheet is refused, and a draft keeps the file as uploaded.
#[tokio::test]
async fn a_hostile_file_is_refused_and_a_draft_keeps_the_file_as_uploaded() {
    let app = TestApp::spawn().await;
    let sec = app.client(SECRETARY).await;
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        sec.post_multipart("/directory/import", form).send()
    };
    let drafts = || async {
        match &app.db {
            cratb_store::Db::Sqlite(p) => sqlx::query_as::<_, (i64,)>(
                "SELECT length(sheet) FROM directory_imports ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            cratb_store::Db::Postgres(p) => sqlx::query_as::<_, (i32,)>(
                "SELECT length(sheet) FROM directory_imports ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap()
            .into_iter()
            .map(|(n,)| (i64::from(n),))
            .collect(),
        }
    };
    let refused = [
        (
            "random.bin",
            hostile::random_bytes(4096),
            "ni un CSV ni un classeur XLSX",
        ),
        ("vide.csv", Vec::new(), "le fichier est vide"),
        (
            "entete.csv",
            b"Nom;Pr\xc3\xa9nom;Courriel\n".to_vec(),
            "que sa ligne d&#39;en-tête",
        ),
        (
            "a1-xfd.xlsx",
            hostile::workbook(
                Some("A1:XFD1048576"),
                &[
                    hostile::cell(0, 0, "Nom"),
                    hostile::cell(1_048_575, 16_383, "x"),
                ]
                .concat(),
                None,
            ),
            "16\u{202f}384 colonnes",
        ),
        (
            // 40 cells of one 1 MB shared string: 40 MB of text from a few KB.
            "bombe.xlsx",
            hostile::workbook(
                None,
                &(0..40)
                    .map(|r| hostile::shared_cell(r, 0, 0))
                    .collect::<String>(),
                Some(&[&"a".repeat(1_000_000)]),
            ),
            "le texte des cellules dépasse 32 Mio",
        ),
    ];
    for (name, bytes, message) in refused {
        let res = upload(name, bytes).await.unwrap();
        assert_eq!(res.status(), 422, "{name}");
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{name}: {message} not in {page}");
    }
    assert!(drafts().await.is_empty(), "nothing kept of a refused file");
    let sheet = sheet("10003456786").into_bytes();
    let res = upload("annuaire.csv", sheet.clone()).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(drafts().await, [(sheet.len() as i64,)]);
}
