//! The stewardship network: EMA teams and who may change them, conventions with their PDF and
//! their dates, the coverage they give, the public search, and where professionals work.

mod common;

use common::{ARS, COORD, COORD_BZH, EMA, SECRETARY, TestApp};
use cratb_domain::Lang;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

#[tokio::test]
async fn teams_flag_missing_disciplines_and_only_their_members_or_staff_change_them() {
    let app = TestApp::spawn().await;
    let ars = app.api(ARS, false).await;
    let teams = ars.json("/api/v1/ema-teams").await;
    let teams = teams.as_array().unwrap();
    assert!(teams.len() >= 10, "one team per GHT of the demo region");
    // The demo EMA account belongs to the Lyon team, which has no microbiologist yet.
    let mine = teams
        .iter()
        .find(|t| t["name"] == "EMA Rhône Centre")
        .expect("the Lyon team");
    assert_eq!(mine["missing_disciplines"], json!(["microbiologist"]));
    let other = teams
        .iter()
        .find(|t| t["name"] == "EMA Alpes Dauphiné")
        .unwrap();
    assert_eq!(other["missing_disciplines"], json!([]));
    let (mine_id, other_id) = (mine["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());

    // The list says it too.
    let ars_web = app.client(ARS).await;
    let html = ars_web.page("/network/teams").await;
    assert!(html.contains("discipline manquante : Microbiologiste"));

    // The EMA member edits their own team, not another.
    let ema = app.client(EMA).await;
    let edit = |id: i64| ema.get(&format!("/network/teams/{id}/edit")).send();
    assert_eq!(edit(mine_id).await.unwrap().status(), 200);
    assert_eq!(edit(other_id).await.unwrap().status(), 403);

    // They add a microbiologist; the flag goes.
    let microbiologist = app
        .api(SECRETARY, true)
        .await
        .post("/api/v1/professionals")
        .json(&json!({"last_name": "Roux", "first_name": "Alice", "profession": "microbiologist", "network_roles": ["ema_member"]}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let add = |team: i64, fte: &str| {
        ema.post_form(
            &format!("/network/teams/{team}/members"),
            &[
                ("professional_id", microbiologist.to_string().as_str()),
                ("discipline", "microbiologist"),
                ("fte", fte),
            ],
        )
        .send()
    };
    let res = add(mine_id, "1,5").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("entre 0 et 1"));
    assert_eq!(add(other_id, "0,3").await.unwrap().status(), 403);
    assert_eq!(add(mine_id, "0,3").await.unwrap().status(), 303);
    let t = ars.json(&format!("/api/v1/ema-teams/{mine_id}")).await;
    assert_eq!(t["missing_disciplines"], json!([]));
    assert!(
        t["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["professional_id"] == microbiologist && m["fte"] == 0.3)
    );

    // The ARS reads but cannot change a team, even through the API.
    let res = ars_web
        .post_button(&format!("/network/teams/{mine_id}/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .api(EMA, true)
        .await
        .put(&format!("/api/v1/ema-teams/{mine_id}"))
        .json(&json!({"name": "EMA Rhône Centre", "host_establishment_id": t["host_establishment_id"], "sectors": ["ES"], "departments": ["69"], "phone": "04 72 00 00 00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "a member edits their team through the API"
    );
    let res = app
        .api(EMA, true)
        .await
        .put(&format!("/api/v1/ema-teams/{other_id}"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // A team form with everything wrong says what, field by field, in French.
    let sec = app.client(SECRETARY).await;
    let res = sec
        .post_form(
            "/network/teams",
            &[
                ("name", "EMA Nord-Isère"),
                ("departments", "35"),
                ("phone", "12"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for message in [
        "choisissez l&#39;établissement support",
        "cochez au moins un secteur",
        "le département 35 n&#39;est pas dans la région",
        "id=\"phone-error\"",
    ] {
        assert!(html.contains(message), "{message} in {html}");
    }
    // Bretagne does not see Auvergne-Rhône-Alpes' teams.
    let bzh = app.api(COORD_BZH, false).await;
    let res = bzh
        .get(&format!("/api/v1/ema-teams/{mine_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

#[tokio::test]
async fn a_signed_convention_with_its_pdf_covers_an_establishment_and_bad_ones_save_nothing() {
    let app = TestApp::spawn().await;
    let api = app.api(SECRETARY, false).await;
    let before = api.json("/api/v1/coverage").await;
    let target = before["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["covered"] == false && u["sector"] == "EMS" && u["department_code"] == "38")
        .expect("an uncovered nursing home in Isère")
        .clone();
    let covered_ems = |c: &Value| {
        c["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["department_code"] == "38" && x["sector"] == "EMS")
            .unwrap()["covered"]
            .as_i64()
            .unwrap()
    };
    let teams = api.json("/api/v1/ema-teams").await;
    let team = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["departments"].as_array().unwrap().contains(&json!("38")))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let conventions = api.json("/api/v1/conventions").await;
    let count = conventions.as_array().unwrap().len();

    let sec = app.client(SECRETARY).await;
    let post = |signed: &str, expires: &str, file: Option<(&str, Vec<u8>)>| {
        let mut form = Form::new()
            .text("team_id", team.to_string())
            .text("partner", format!("e:{}", target["id"]))
            .text("services", "advice")
            .text("services", "audits")
            .text("status", "signed")
            .text("signed_on", signed.to_string())
            .text("expires_on", expires.to_string());
        if let Some((name, bytes)) = file {
            form = form.part("document", Part::bytes(bytes).file_name(name.to_string()));
        }
        sec.post_multipart("/network/conventions", form).send()
    };
    let today = time::OffsetDateTime::now_utc().date();
    let signed = (today - time::Duration::days(10)).to_string();
    let expires = (today + time::Duration::days(3 * 365)).to_string();

    let res = post(&expires, &signed, None).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("la date d&#39;échéance doit être postérieure à la date de signature")
    );
    let res = post(
        &signed,
        &expires,
        Some(("convention.pdf", b"PK\x03\x04 a zip".to_vec())),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("n&#39;est pas un PDF"));
    let mut big = pdf();
    big.resize(11 * 1024 * 1024, b' ');
    let res = post(&signed, &expires, Some(("scan.pdf", big)))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("10 Mo au plus"));
    let after = api.json("/api/v1/conventions").await;
    assert_eq!(after.as_array().unwrap().len(), count, "nothing half-saved");

    // A good one, in French date format, with its PDF.
    let fr = |d: &str| {
        let (y, rest) = d.split_once('-').unwrap();
        let (m, day) = rest.split_once('-').unwrap();
        format!("{day}/{m}/{y}")
    };
    let res = post(
        &fr(&signed),
        &fr(&expires),
        Some(("convention signée.pdf", pdf())),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location
        .trim_start_matches("/network/conventions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let doc = sec
        .get(&format!("/network/conventions/{id}/document"))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.headers()["content-type"], "application/pdf");
    assert_eq!(doc.bytes().await.unwrap().to_vec(), pdf());
    let now = api.json("/api/v1/coverage").await;
    assert_eq!(covered_ems(&now), covered_ems(&before) + 1);
    assert!(
        now["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == target["id"] && u["covered"] == true && u["sector"] == "EMS")
    );

    // Exports.
    for (format, start) in [
        ("csv", &b"\xEF\xBB\xBFdepartment_code;"[..]),
        ("xlsx", &b"PK"[..]),
    ] {
        let res = sec
            .get(&format!("/network/coverage/export/{format}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.bytes().await.unwrap().starts_with(start), "{format}");
    }
    let page = sec.page("/network/coverage").await;
    assert!(page.contains("<svg") && page.contains("data-code=\"38\"") && page.contains("IGN"));

    // The audit log names the change.
    let audit = app
        .api(COORD, false)
        .await
        .json("/api/v1/audit?entity=convention")
        .await;
    assert!(
        audit.to_string().contains("convention signée.pdf"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_public_finds_its_team_by_postcode_commune_or_department_and_sees_public_fields_only() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let search = |q: &str| {
        anonymous
            .get(&format!("/public/search?q={}", common::urlencode(q)))
            .send()
    };
    let html = search("38000").await.unwrap().text().await.unwrap();
    assert!(html.contains("Isère (38)") && html.contains("EMA Alpes Dauphiné"));
    assert!(html.contains("CRAtb Auvergne-Rhône-Alpes"));
    let html = search("puy de dome").await.unwrap().text().await.unwrap();
    assert!(html.contains("EMA Territoires d&#39;Auvergne"), "{html}");
    let html = search("Atlantide").await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"no-answer\""));
    // A region with neither team nor centre on record: no "contact the CRAtb" without a contact.
    let html = search("75001").await.unwrap().text().await.unwrap();
    assert!(html.contains("Paris (75)"), "{html}");
    assert!(
        html.contains("aucun contact à vous proposer") && !html.contains("contactez le CRAtb"),
        "{html}"
    );

    // A commune known to the directory.
    let commune = app.establishment_in("03").await.commune.unwrap();
    let res = anonymous
        .get(&format!(
            "/api/v1/public/search?q={}",
            common::urlencode(&commune.to_uppercase())
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let answers: Value = res.json().await.unwrap();
    assert_eq!(answers[0]["department_code"], "03", "{answers}");

    // Only consented fields: compare with what staff see.
    let staff = app
        .api(SECRETARY, false)
        .await
        .json("/api/v1/ema-teams")
        .await;
    let public: Value = anonymous.json("/api/v1/public/search?q=69001").await;
    let text = public.to_string();
    let mut hidden = 0;
    for team in staff.as_array().unwrap() {
        for m in team["members"].as_array().unwrap() {
            let id = m["professional_id"].as_i64().unwrap();
            let p = cratb_store::directory::get(&app.db, &cratb_domain::Scope::National, id)
                .await
                .unwrap();
            let name = format!("{} {}", p.first_name, p.last_name);
            if !p.public_name
                && team["departments"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("69"))
            {
                assert!(!text.contains(&name), "{name} did not consent");
                hidden += 1;
            }
            if let (false, Some(e)) = (p.public_email, &p.email) {
                assert!(!text.contains(e.as_str()), "{e} did not consent");
            }
        }
    }
    assert!(text.contains("EMA Rhône Centre"));
    let _ = hidden;
    let res = anonymous
        .get("/api/v1/public/search?q=")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn professionals_work_in_establishments_of_their_region() {
    let app = TestApp::spawn().await;
    let api = app.api(SECRETARY, true).await;
    let est = cratb_store::establishments::list(
        &app.db,
        &cratb_domain::Scope::National,
        &cratb_store::establishments::EstablishmentQuery {
            department: Some("38".into()),
            ..Default::default()
        },
        cratb_store::PageRequest::new(None, Some(2)),
    )
    .await
    .unwrap()
    .items;
    let elsewhere = app.establishment_in("35").await.finess;
    let post = |establishments: Vec<String>| {
        api.post("/api/v1/professionals")
            .json(&json!({"last_name": "Blanc", "first_name": "Léa", "profession": "pharmacist", "establishments": establishments}))
            .send()
    };
    let res = post(vec![elsewhere.clone()]).await.unwrap();
    assert_eq!(res.status(), 422);
    let problem = res.text().await.unwrap();
    assert!(
        problem.contains(&format!("FINESS {elsewhere}"))
            && problem.contains("aucun établissement de la région")
    );
    let res = post(vec!["12345".into()]).await.unwrap();
    assert_eq!(res.status(), 422);
    let res = post(vec![est[0].finess.clone()]).await.unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["establishments"], est[0].finess.as_str());
    let id = created["id"].as_i64().unwrap();
    let res = api.put(&format!("/api/v1/professionals/{id}"))
        .json(&json!({"last_name": "Blanc", "first_name": "Léa", "profession": "pharmacist", "establishments": [est[0].finess, est[1].finess]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(
        updated["establishments"]
            .as_str()
            .unwrap()
            .split(',')
            .count(),
        2
    );
    let history = cratb_store::directory::history(&app.db, &cratb_domain::Scope::National, id)
        .await
        .unwrap();
    assert_eq!(history[0].summary, "modifié : établissements");
    let sec = app.client(SECRETARY).await;
    let page = sec.page(&format!("/directory/{id}")).await;
    assert!(page.contains(&est[1].name.replace('\'', "&#39;")));
}

/// Checks a value against the R4 rules every element follows: no nulls, no empty strings,
/// arrays or objects.
fn no_empty_elements(v: &Value, path: &str, problems: &mut Vec<String>) {
    match v {
        Value::Null => problems.push(format!("{path}: null")),
        Value::String(s) if s.is_empty() => problems.push(format!("{path}: empty string")),
        Value::Array(a) if a.is_empty() => problems.push(format!("{path}: empty array")),
        Value::Object(o) if o.is_empty() => problems.push(format!("{path}: empty object")),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| no_empty_elements(x, &format!("{path}[{i}]"), problems)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| no_empty_elements(x, &format!("{path}.{k}"), problems)),
        _ => {}
    }
}

/// Every `reference` in a resource.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("reference") {
                out.push(r.clone());
            }
            o.values().for_each(|x| references(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_directory_exports_as_a_valid_fhir_r4_bundle() {
    let app = TestApp::spawn().await;
    let api = app.api(ARS, false).await;
    let res = api.get("/api/v1/fhir").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/fhir+json")
    );
    let bundle: Value = res.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let mut problems = Vec::new();
    no_empty_elements(&bundle, "Bundle", &mut problems);
    let entries = bundle["entry"].as_array().unwrap();
    let id_ok = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    let mut present = std::collections::HashSet::new();
    let mut counts = std::collections::HashMap::new();
    for e in entries {
        let r = &e["resource"];
        let t = r["resourceType"].as_str().unwrap();
        let id = r["id"].as_str().unwrap();
        assert!(id_ok(id), "id {id}");
        assert!(
            e["fullUrl"].as_str().unwrap().starts_with("http://")
                && e["fullUrl"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{t}/{id}"))
        );
        present.insert(format!("{t}/{id}"));
        *counts.entry(t.to_string()).or_insert(0) += 1;
        for tel in r["telecom"].as_array().into_iter().flatten() {
            assert!(
                ["phone", "fax", "email", "pager", "url", "sms", "other"]
                    .contains(&tel["system"].as_str().unwrap())
            );
            assert!(
                ["home", "work", "temp", "old", "mobile"].contains(&tel["use"].as_str().unwrap())
            );
        }
        match t {
            "Practitioner" => {
                let name = &r["name"][0];
                assert!(name["family"].is_string() && name["given"][0].is_string());
                if let Some(idf) = r["identifier"].as_array() {
                    assert_eq!(idf[0]["system"], "urn:oid:1.2.250.1.71.4.2.1");
                    let v = idf[0]["value"].as_str().unwrap();
                    assert!(v.len() == 12 && v.starts_with('8'), "IDNPS {v}");
                }
            }
            "Organization" => {
                assert_eq!(r["identifier"][0]["system"], "urn:oid:1.2.250.1.71.4.2.2");
                assert_eq!(r["identifier"][0]["value"].as_str().unwrap().len(), 9);
                assert!(r["name"].is_string());
            }
            "PractitionerRole" => {
                assert!(
                    r["practitioner"]["reference"]
                        .as_str()
                        .unwrap()
                        .starts_with("Practitioner/")
                );
                assert!(
                    r["organization"].is_null()
                        || r["organization"]["reference"]
                            .as_str()
                            .unwrap()
                            .starts_with("Organization/")
                );
            }
            "CareTeam" => {
                assert!(
                    [
                        "proposed",
                        "active",
                        "suspended",
                        "inactive",
                        "entered-in-error"
                    ]
                    .contains(&r["status"].as_str().unwrap())
                );
                for p in r["participant"].as_array().unwrap() {
                    assert!(
                        p["member"]["reference"]
                            .as_str()
                            .unwrap()
                            .starts_with("Practitioner/")
                    );
                    assert!(p["extension"][0]["valueDecimal"].is_number());
                    assert!(p["role"][0]["coding"][0]["code"].is_string());
                }
            }
            other => panic!("unexpected {other}"),
        }
    }
    for e in entries {
        let mut refs = Vec::new();
        references(&e["resource"], &mut refs);
        for r in refs {
            assert!(present.contains(&r), "dangling reference {r}");
        }
    }
    assert!(problems.is_empty(), "{problems:?}");
    let directory = api.json("/api/v1/professionals?per_page=1").await;
    assert_eq!(counts["Practitioner"], directory["total"].as_i64().unwrap());
    let teams = api.json("/api/v1/ema-teams").await;
    assert_eq!(counts["CareTeam"], teams.as_array().unwrap().len() as i64);

    // One type as a searchset; an unknown type is an OperationOutcome.
    let search = api.json("/api/v1/fhir/CareTeam").await;
    assert_eq!(search["type"], "searchset");
    assert_eq!(search["total"], counts["CareTeam"]);
    let res = api.get("/api/v1/fhir/Patient").send().await.unwrap();
    assert_eq!(res.status(), 404);
    let outcome: Value = res.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    // Another region's export holds none of these teams.
    let bzh = app
        .api(COORD_BZH, false)
        .await
        .json("/api/v1/fhir/CareTeam")
        .await;
    assert!(!bzh.to_string().contains("EMA Rhône Centre"));
}

#[tokio::test]
async fn teams_are_reminded_of_conventions_about_to_expire() {
    let app = TestApp::spawn().await;
    let api = app.api(SECRETARY, false).await;
    let soon = api.json("/api/v1/conventions?expiring_within=90").await;
    let soon = soon.as_array().unwrap();
    assert!(
        !soon.is_empty(),
        "the demo has conventions nearing their end"
    );
    let sec = app.client(SECRETARY).await;
    let res = sec
        .post_button("/network/conventions/reminders")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let mails: Vec<String> = common::mails(&app.mail_dir)
        .into_iter()
        .filter(|m| m.contains("arrivent à échéance"))
        .collect();
    let teams: std::collections::HashSet<i64> = soon
        .iter()
        .map(|c| c["team_id"].as_i64().unwrap())
        .collect();
    assert_eq!(mails.len(), teams.len(), "one message per team concerned");
    let partner = soon[0]["partner_name"].as_str().unwrap();
    assert!(mails.iter().any(|m| m.contains(partner)), "{partner}");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let page = sec.page(&location).await;
    assert!(
        page.contains(&Lang::Fr.count(teams.len() as i64, "équipe prévenue|équipes prévenues"))
    );
}

#[tokio::test]
async fn a_professional_works_in_a_territory_of_their_region() {
    let app = TestApp::spawn().await;
    let api = app.api(SECRETARY, true).await;
    let territories = api.json("/api/v1/territories").await;
    let ght = territories
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "GHT" && t["region_code"] == "84")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let bzh = app
        .api(COORD_BZH, false)
        .await
        .json("/api/v1/territories")
        .await;
    let elsewhere = bzh
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["region_code"] == "53")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let post = |territory: i64| {
        api.post("/api/v1/professionals")
            .json(&json!({"last_name": "Vidal", "first_name": "Rémi", "profession": "gp", "territory_id": territory}))
            .send()
    };
    let res = post(elsewhere).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("/territory_id"));
    let res = post(ght).await.unwrap();
    assert_eq!(res.status(), 201);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["territory_id"], ght);
    assert!(p["territory_name"].as_str().unwrap().starts_with("GHT"));
}
