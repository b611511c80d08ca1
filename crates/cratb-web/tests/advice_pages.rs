//! The advice service's pages end to end, over HTTP (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): a prescriber asks, the member on duty is told by an
//! e-mail without health data, answers with a coded recommendation, the prescriber reads it and
//! gives the day-7 follow-up, the statistics count the case; who may see what; a bad form comes
//! back with its messages and stores nothing.

mod common;

use common::{ARS, COORD_BZH, EMA, PRESCRIBER, TestApp, mails, scalar};
use cratb_advice::calendar::Hours;
use cratb_advice::rota::{DutySlot, HalfDay};
use cratb_domain::{Role, Sector};
use reqwest::multipart::{Form, Part};

/// The question typed in the form: it must never leave in an e-mail.
const QUESTION: &str = "Cystite récidivante sous fosfomycine, quelle suite proposer ?";

fn actor_of(user: &cratb_domain::User) -> cratb_app::Actor {
    cratb_app::Actor {
        id: Some(user.id),
        name: user.email.clone(),
        role: user.role(),
        scope: user.scope().unwrap(),
        channel: cratb_app::Channel::Web,
        ip: None,
        request_id: None,
    }
}

/// The demo EMA account's team, and a department and sector a request is routed to it with.
async fn ema_team_and_route(app: &TestApp) -> (i64, String, Sector) {
    let teams = cratb_store::network::teams_of_email(&app.db, EMA)
        .await
        .unwrap();
    let access = cratb_domain::Scope::National.access("84").unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let today = cratb_domain::paris::today(cratb_store::now());
    let candidates = cratb_store::advice::candidates(&mut tx, &access, today)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for c in candidates.iter().filter(|c| teams.contains(&c.id)) {
        for d in &c.departments {
            for s in Sector::ALL {
                if cratb_advice::routing::route(&candidates, d, *s, None) == Some(c.id) {
                    return (c.id, d.clone(), *s);
                }
            }
        }
    }
    panic!("no department routes to the demo EMA account's team");
}

/// Opens the team every day, all day, with the demo EMA account on duty at every half-day.
async fn open_all_week_with_ema_on_duty(app: &TestApp, team_id: i64) {
    let ema = cratb_store::users::find_by_email(&app.db, EMA)
        .await
        .unwrap();
    let actor = actor_of(&ema);
    let day = Some((time::macros::time!(0:00), time::macros::time!(23:59)));
    let hours = Hours::new([day; 7]).unwrap();
    cratb_app::advice::set_desk(&app.db, &actor, &ema, team_id, &hours, 240, 7)
        .await
        .unwrap();
    let slots: Vec<DutySlot> = (1..=7)
        .flat_map(|weekday| {
            HalfDay::ALL.iter().map(move |half| DutySlot {
                weekday,
                half: *half,
                user_id: ema.id,
            })
        })
        .collect();
    cratb_app::advice::set_rota(&app.db, &actor, &ema, team_id, &slots)
        .await
        .unwrap();
}

/// The request form with its fields, for department `dep` and sector `sector`.
fn request_form(dep: &str, sector: Sector, fields: &[(&str, &str)]) -> Form {
    let mut all: Vec<(String, String)> = [
        ("sector", sector.code()),
        ("department", dep),
        ("age", "101"),
        ("sex", "F"),
        ("weight_kg", "61,5"),
        ("egfr", "45"),
        ("allergies", "urticaire à la pénicilline"),
        ("beta_lactam_allergy", "on"),
        ("infection_site", "endocarditis"),
        ("question_type", "choice"),
        ("atc_1", "J01XX01"),
        ("dose_1", "3 g dose unique"),
        ("route_1", "oral"),
        ("started_on_1", ""),
        ("microbiology", "E. coli multisensible"),
        ("question", QUESTION),
        ("urgency", "routine"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in fields {
        all.retain(|(key, _)| key != k);
        all.push((k.to_string(), v.to_string()));
    }
    let mut form = Form::new();
    for (k, v) in all {
        form = form.text(k, v);
    }
    form
}

async fn requests(app: &TestApp) -> i64 {
    scalar(&app.db, "SELECT COUNT(*) FROM advice_requests").await
}

#[tokio::test]
async fn a_prescriber_asks_the_member_on_duty_answers_and_the_follow_up_counts() {
    let app = TestApp::spawn().await;
    let (team_id, dep, sector) = ema_team_and_route(&app).await;
    open_all_week_with_ema_on_duty(&app, team_id).await;
    let prescriber = app.client(PRESCRIBER).await;
    let ema = app.client(EMA).await;

    // The form says not to name the patient, and offers the antibiotics by French name.
    let form = prescriber.page("/advice/new").await;
    assert!(form.contains("Ne saisissez ni nom, ni date de naissance, ni adresse du patient"));
    assert!(form.contains("<datalist id=\"atc-list\">"));
    assert!(form.contains("Fosfomycine"));

    // A form with errors comes back with each message by its field, its values kept, and
    // stores nothing.
    let before = requests(&app).await;
    let res = prescriber
        .post_multipart(
            "/advice/new",
            request_form(
                &dep,
                sector,
                &[("age", "cent"), ("question", ""), ("atc_1", "ZZZ")],
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"age-error\""), "{html}");
    assert!(html.contains("id=\"question-error\""));
    assert!(
        html.contains("ZZZ"),
        "the antibiotic line's message names it"
    );
    assert!(html.contains("E. coli multisensible"), "values are kept");
    assert_eq!(requests(&app).await, before);

    // A file that is neither a PDF nor an image is refused, with its message.
    let res = prescriber
        .post_multipart(
            "/advice/new",
            request_form(&dep, sector, &[]).part(
                "attachments",
                Part::bytes(b"bonjour, ceci est du texte".to_vec()).file_name("notes.txt"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("joignez un PDF ou une image"), "{html}");
    assert!(html.contains("id=\"attachment-error\""));
    assert_eq!(requests(&app).await, before);

    // The request, with an antibiogram in PDF.
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let res = prescriber
        .post_multipart(
            "/advice/new",
            request_form(&dep, sector, &[]).part(
                "attachments",
                Part::bytes(pdf.clone()).file_name("antibiogramme.pdf"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?filed=1"), "{location}");
    let id: i64 = location
        .trim_start_matches("/advice/")
        .trim_end_matches("?filed=1")
        .parse()
        .unwrap();
    assert_eq!(requests(&app).await, before + 1);
    let case = prescriber.page(&location).await;
    assert!(case.contains("Demande enregistrée"), "{case}");
    assert!(case.contains("Réponse attendue au plus tard le"));
    assert!(case.contains(QUESTION));
    assert!(case.contains("Fosfomycine (J01XX01)"));
    assert!(case.contains("Endocardite"));
    let reference = common::extract(&case, "<h1>", " <span").unwrap();
    assert!(reference.starts_with("AV-"), "{reference}");

    // The requester and the member on duty are told, with no health data in either e-mail.
    let letters = mails(&app.mail_dir);
    let to_prescriber = letters
        .iter()
        .filter(|m| m.contains(&format!("To: {PRESCRIBER}")))
        .count();
    let to_ema = letters
        .iter()
        .filter(|m| m.contains(&format!("To: {EMA}")))
        .count();
    assert_eq!((to_prescriber, to_ema), (1, 1), "{letters:#?}");
    for m in &letters {
        assert!(m.contains(&reference), "{m}");
        for secret in [
            QUESTION,
            "Cystite",
            "101 ans",
            "Endocardite",
            "endocarditis",
            "E. coli",
            "pénicilline",
            "fosfomycine",
        ] {
            assert!(
                !m.to_lowercase().contains(&secret.to_lowercase()),
                "{secret} in an e-mail: {m}"
            );
        }
    }

    // Their home pages say it: one request waiting for the member, the way to ask for the
    // prescriber.
    let home = ema.page("/").await;
    assert!(home.contains("id=\"advice-waiting\""), "{home}");
    assert!(prescriber.page("/").await.contains("href=\"/advice/new\""));
    // In English through the catalogue, the codes' labels too.
    let english = prescriber
        .in_lang("en")
        .page(&format!("/advice/{id}"))
        .await;
    assert!(english.contains("Infection site") && english.contains("Endocarditis"));

    // A responder taking a call finds the caller in the directory as they type, and picks them.
    let found = ema.page("/advice/callers?caller_q=Perrin").await;
    assert!(found.contains("Julien Perrin"), "{found}");
    // The button of that entry (there may be other Perrins).
    let before = &found[..found.find("Julien Perrin").unwrap()];
    let pick = common::extract(&before[before.rfind("pick=").unwrap()..], "pick=", "\"").unwrap();
    let fields = ema.page(&format!("/advice/callers?pick={pick}")).await;
    assert!(fields.contains(&format!("name=\"caller_id\" value=\"{pick}\"")));
    assert!(fields.contains("value=\"Julien Perrin\""));
    assert_eq!(
        prescriber
            .get("/advice/callers?caller_q=Perrin")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The member on duty sees it in the queue, reads the case and its attachment, answers.
    let queue = ema.page("/advice").await;
    assert!(queue.contains(&reference), "{queue}");
    assert!(queue.contains("File de l&#39;équipe"));
    let seen = ema.page(&format!("/advice/{id}")).await;
    assert!(seen.contains("id=\"answer-form\""));
    let att = common::extract(&seen, &format!("/advice/{id}/attachments/"), "\"").unwrap();
    let res = ema
        .get(&format!("/advice/{id}/attachments/{att}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // An answer without its recommendation comes back with the message.
    let res = ema
        .post_form(
            &format!("/advice/{id}/answer"),
            &[("body", "Arrêter la fosfomycine.")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"recommendations-error\"")
    );
    let res = ema
        .post_form(
            &format!("/advice/{id}/answer"),
            &[
                (
                    "body",
                    "Relais par pivmécillinam 400 mg x 2 pendant 5 jours.",
                ),
                ("recommendations", "switch"),
                ("recommendations", "shorten"),
                ("atc_1", "J01CA08"),
                ("dose_1", "400 mg x 2/j"),
                ("route_1", "oral"),
                ("days_1", "5"),
                (
                    "references",
                    "https://www.infectiologie.com/\nRecommandations SPILF 2018",
                ),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // The prescriber reads the answer at once, and gives the follow-up in one click.
    let answered = prescriber.page(&format!("/advice/{id}")).await;
    assert!(answered.contains("Relais par pivmécillinam"), "{answered}");
    assert!(answered.contains("Changer de molécule"));
    assert!(answered.contains("Raccourcir"));
    assert!(answered.contains("href=\"https://www.infectiologie.com/\""));
    assert!(answered.contains("id=\"follow-up-form\""));
    assert!(
        !answered.contains("id=\"answer-form\""),
        "the prescriber does not answer"
    );
    let res = prescriber
        .post_form(
            &format!("/advice/{id}/follow-up"),
            &[("followed", "followed"), ("outcome", "cured")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("#suivi")
    );
    let followed = prescriber.page(&format!("/advice/{id}")).await;
    assert!(followed.contains("id=\"follow-up-given\""));
    assert!(followed.contains("Guérison"));
    // The prescriber's list shows it answered.
    assert!(
        prescriber
            .page("/")
            .await
            .contains("id=\"advice-answered\"")
    );
    let mine = prescriber.page("/advice").await;
    assert!(mine.contains("Mes demandes d&#39;avis"));
    assert!(mine.contains(&reference));

    // The statistics count it (for the agency too, which reads no case).
    let year = cratb_domain::paris::today(cratb_store::now()).year();
    let access = cratb_domain::Scope::National.access("84").unwrap();
    let figures = cratb_app::advice::stats(&app.db, &access, year, None)
        .await
        .unwrap();
    assert!(figures.requests >= 1 && figures.answered >= 1);
    if scalar(&app.db, "SELECT COUNT(*) FROM advice_requests").await == 1 {
        assert_eq!((figures.requests, figures.answered), (1, 1));
        assert_eq!(figures.followed_share, Some(1.0));
    }
    let ars = app.client(ARS).await;
    let res = ars
        .get(&format!("/advice/stats?year={year}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let stats = res.text().await.unwrap();
    assert!(
        stats.contains(&format!("id=\"tile-requests\">{}</span>", figures.requests)),
        "{stats}"
    );
    assert!(stats.contains(&format!("id=\"tile-answered\">{}</span>", figures.answered)));
    assert!(stats.contains("Par secteur du demandeur"));
    assert!(stats.contains("class=\"map-figure\""), "the department map");
    assert!(
        stats.contains("chart-data"),
        "the chart's data folded under it"
    );
    let csv = ars
        .get(&format!("/advice/stats?year={year}&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("mois;demandes"));
    let xlsx = ars
        .get(&format!("/advice/stats?year={year}&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // The agency asks nothing and reads no case.
    assert_eq!(ars.get("/advice/new").send().await.unwrap().status(), 403);
    assert_eq!(
        ars.get(&format!("/advice/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // Another region's coordinator, and a prescriber who did not ask, do not find it.
    let bzh = app.client(COORD_BZH).await;
    assert_eq!(
        bzh.get(&format!("/advice/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let other = other_prescriber(&app).await;
    assert_eq!(
        other
            .get(&format!("/advice/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other
            .get(&format!("/advice/{id}/attachments/{att}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert!(!other.page("/advice").await.contains(&reference));

    // The responder closes it; it is then in the knowledge base, anonymised.
    let res = ema
        .post_form(&format!("/advice/{id}/move"), &[("action", "close")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let known = ema.page("/advice/knowledge?q=pivm%C3%A9cillinam").await;
    assert!(known.contains("Relais par pivmécillinam"), "{known}");
    assert!(
        !known.contains(&reference),
        "no reference in the knowledge base"
    );
    assert!(known.contains("85 ans et plus"));
}

/// A prescriber of the same region who asked nothing.
async fn other_prescriber(app: &TestApp) -> cratb_testkit::Client {
    let email = "autre.medecin@exemple.fr";
    let mut tx = app.db.begin().await.unwrap();
    cratb_store::users::create(
        &mut tx,
        &cratb_domain::NewUser {
            email: cratb_domain::Email::parse(email).unwrap(),
            display_name: "Autre médecin".into(),
            role: Role::Prescriber,
            region: Some(cratb_domain::RegionCode::parse("84").unwrap()),
            establishments: vec![],
            teams: vec![],
            password: Some("Girafe-violette-2026".into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.client(email).await
}

#[tokio::test]
async fn the_rota_page_sets_hours_duty_and_closures_for_the_team_only() {
    let app = TestApp::spawn().await;
    let (team_id, _, _) = ema_team_and_route(&app).await;
    let ema_id = app.user_id(EMA).await;
    let ema = app.client(EMA).await;
    let page = ema.page(&format!("/advice/rota?team_id={team_id}")).await;
    assert!(page.contains("id=\"rota-form\""), "{page}");
    assert!(page.contains("Jours fériés") || page.contains("jours fériés"));
    assert!(!page.contains("id=\"read-only\""));
    // Monday morning and Tuesday afternoon, 8:30–17:30 on weekdays, a 2-hour target.
    let mut fields: Vec<(String, String)> = vec![
        ("team_id".into(), team_id.to_string()),
        ("target_hours".into(), "2".into()),
        ("follow_up_days".into(), "7".into()),
        ("duty_1_am".into(), ema_id.to_string()),
        ("duty_2_pm".into(), ema_id.to_string()),
    ];
    for d in 1..=5 {
        fields.push((format!("open_{d}"), "08:30".into()));
        fields.push((format!("close_{d}"), "17:30".into()));
    }
    let res = ema.post_form("/advice/rota", &fields).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let rota = cratb_store::advice::rota(&app.db, team_id).await.unwrap();
    assert_eq!(rota.len(), 2);
    let desk = cratb_store::advice::desk_of(&app.db, &cratb_domain::Scope::National, team_id)
        .await
        .unwrap();
    assert_eq!(desk.target_minutes, 120);
    // A day closing before it opens comes back with the message.
    let res = ema
        .post_form(
            "/advice/rota",
            &[
                ("team_id", team_id.to_string().as_str()),
                ("target_hours", "4"),
                ("follow_up_days", "7"),
                ("open_1", "18:00"),
                ("close_1", "09:00"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // A closure, added then removed.
    let res = ema
        .post_form(
            "/advice/rota/closures",
            &[
                ("team_id", team_id.to_string().as_str()),
                ("from", "2030-08-01"),
                ("to", "2030-08-15"),
                ("reason", "congés d'été"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let closures = cratb_store::advice::closures(&app.db, team_id)
        .await
        .unwrap();
    assert_eq!(closures.len(), 1);
    let res = ema
        .post_form(
            &format!("/advice/rota/closures/{}/delete", closures[0].0),
            &[("team_id", team_id.to_string().as_str())],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        cratb_store::advice::closures(&app.db, team_id)
            .await
            .unwrap()
            .is_empty()
    );
    // Another team's rota is read-only for this member, and refused on save.
    let other = cratb_store::network::list_teams(
        &app.db,
        &cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap()),
    )
    .await
    .unwrap()
    .into_iter()
    .find(|t| t.team.id != team_id)
    .unwrap()
    .team
    .id;
    let res = ema
        .post_form(
            "/advice/rota",
            &[
                ("team_id", other.to_string().as_str()),
                ("target_hours", "4"),
                ("follow_up_days", "7"),
                ("open_1", "09:00"),
                ("close_1", "18:00"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let coord = app.client(common::COORD).await;
    let page = coord.page(&format!("/advice/rota?team_id={other}")).await;
    assert!(page.contains("id=\"rota-form\""));
    assert!(
        !page.contains("id=\"read-only\""),
        "the CRAtb edits every team"
    );
}

#[tokio::test]
async fn outside_the_team_s_hours_a_request_waits_and_says_when_it_will_be_read() {
    let app = TestApp::spawn().await;
    let (team_id, dep, sector) = ema_team_and_route(&app).await;
    // The team opens one hour a week, tomorrow: it is closed now.
    let ema = cratb_store::users::find_by_email(&app.db, EMA)
        .await
        .unwrap();
    let tomorrow = cratb_domain::paris::today(cratb_store::now())
        .weekday()
        .next();
    let mut days = [None; 7];
    days[tomorrow.number_days_from_monday() as usize] =
        Some((time::macros::time!(9:00), time::macros::time!(10:00)));
    cratb_app::advice::set_desk(
        &app.db,
        &actor_of(&ema),
        &ema,
        team_id,
        &Hours::new(days).unwrap(),
        240,
        7,
    )
    .await
    .unwrap();
    let prescriber = app.client(PRESCRIBER).await;
    let res = prescriber
        .post_multipart("/advice/new", request_form(&dep, sector, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let case = prescriber.page(&location).await;
    assert!(
        case.contains("L&#39;équipe est fermée ; votre demande sera traitée à sa réouverture le"),
        "{case}"
    );
    assert!(case.contains("Réponse attendue au plus tard le"));
    assert!(case.contains("En attente d&#39;ouverture"));
}

#[tokio::test]
async fn a_responder_enters_a_call_for_a_caller_of_the_directory() {
    let app = TestApp::spawn().await;
    let (_, dep, sector) = ema_team_and_route(&app).await;
    let ema = app.client(EMA).await;
    let form = ema.page("/advice/new").await;
    assert!(
        form.contains("id=\"on-behalf\""),
        "the responder enters calls"
    );
    assert!(
        !app.client(PRESCRIBER)
            .await
            .page("/advice/new")
            .await
            .contains("id=\"on-behalf\"")
    );
    let caller = cratb_store::directory::list(
        &app.db,
        &cratb_domain::Scope::Region(cratb_domain::RegionCode::parse("84").unwrap()),
        &Default::default(),
        cratb_store::PageRequest::new(None, Some(1)),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let res = ema
        .post_multipart(
            "/advice/new",
            request_form(
                &dep,
                sector,
                &[
                    ("channel", "phone"),
                    ("caller_id", &caller.id.to_string()),
                    ("caller_profession", "gp"),
                ],
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let case = ema.page(&location).await;
    assert!(case.contains("Téléphone"), "{case}");
    assert!(case.contains(&caller.last_name));
    assert!(case.contains("Saisie par"));
}
