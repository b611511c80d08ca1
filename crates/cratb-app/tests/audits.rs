//! The audits' use cases on a real database (SQLite, or PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): the grids' library and its versions, starting a campaign,
//! entering cases (drafts, validation, who may enter for whom, a closed campaign), the audit log
//! of every read and write of cases, a sheet of cases all or nothing, the results against a
//! hand computation, the other participants anonymous for a referent.

mod common;

use common::*;

use cratb_app::audits::{self, Save, SheetRefusal};
use cratb_app::{Actor, AppError, Channel};
use cratb_audit::campaign::{CampaignInput, Count};
use cratb_audit::entry::{CaseInput, Raw};
use cratb_directory::network::{NewTeam, TeamInput};
use cratb_domain::account::List;
use cratb_domain::{Email, Finess, NewTerritory, NewUser, RegionCode, Role, Scope, User};
use cratb_store::Db;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::macros::datetime;

/// A day inside the campaigns' period (1 March – 31 May 2026).
const NOW: OffsetDateTime = datetime!(2026-04-15 10:00 UTC);

const GRID: &str = r#"{
  "code": "test-prophylaxie",
  "version": 1,
  "title_fr": "Antibioprophylaxie (grille d'essai)",
  "title_en": "Prophylaxis (test grid)",
  "sectors": ["ES"],
  "criteria": [
    {"code": "delai", "label_fr": "Délai (minutes)", "label_en": "Delay (minutes)", "type": "number", "conform": {"min": 0, "max": 60}},
    {"code": "dose", "label_fr": "Dose adaptée", "label_en": "Right dose", "type": "yes_no", "conform": "yes"},
    {"code": "note", "label_fr": "Remarque", "label_en": "Note", "type": "text"}
  ]
}"#;

fn finess(dep: &str, n: u32) -> String {
    Finess::from_parts(dep, n).unwrap().as_str().to_string()
}

async fn establishment(db: &Db, finess: &str, name: &str, category: &str, dep: &str) -> i64 {
    let (sector, reg) = (
        match category {
            "EHPAD" => "EMS",
            "CABINET" | "CDS" => "VILLE",
            _ => "ES",
        },
        if dep == "29" { "53" } else { "84" },
    );
    run(
        db,
        &format!(
            "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, created_at, updated_at)
             VALUES ('{finess}', '{name}', '{sector}', '{category}', '{dep}', '{reg}', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
        ),
    )
    .await;
    count(
        db,
        &format!("SELECT id FROM establishments WHERE finess = '{finess}'"),
    )
    .await
}

async fn account(db: &Db, email: &str, role: Role, places: Vec<i64>, teams: Vec<i64>) -> User {
    let mut tx = db.begin().await.unwrap();
    let id = cratb_store::users::create(
        &mut tx,
        &NewUser {
            email: Email::parse(email).unwrap(),
            display_name: format!("Dr {email}"),
            role,
            region: Some(RegionCode::parse("84").unwrap()),
            establishments: places,
            teams,
            password: None,
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    cratb_store::users::get(db, &Scope::National, id)
        .await
        .unwrap()
}

fn actor(u: &User) -> Actor {
    Actor {
        id: Some(u.id),
        name: u.email.clone(),
        role: u.role(),
        scope: u.scope().unwrap_or(Scope::National),
        channel: Channel::Web,
        ip: None,
        request_id: None,
    }
}

/// Auvergne-Rhône-Alpes: two hospitals in the Isère (A, B), an EHPAD, a third hospital hosting
/// an EMA whose convention with A includes audits and with B does not; a hospital of Bretagne.
struct World {
    db: Db,
    grid: i64,
    a: String,
    b: String,
    ehpad: String,
    breton: String,
    coordinator: User,
    referent: User,
    ema: User,
}

async fn world() -> World {
    let db = fresh().await;
    let a = finess("38", 1);
    let b = finess("38", 2);
    let host = finess("38", 3);
    let ehpad = finess("38", 4);
    let breton = finess("29", 1);
    let a_id = establishment(&db, &a, "CH de Voiron", "CH", "38").await;
    let b_id = establishment(&db, &b, "Clinique des Alpes", "CLINIQUE", "38").await;
    let host_id = establishment(&db, &host, "CHU Grenoble", "CHU", "38").await;
    establishment(&db, &ehpad, "EHPAD Les Tilleuls", "EHPAD", "38").await;
    establishment(&db, &breton, "CH de Morlaix", "CH", "29").await;
    let team = NewTeam::validate(
        &TeamInput {
            name: Some("EMA Grenoble".into()),
            host_establishment_id: Some(host_id),
            sectors: Some(vec!["ES".into()]),
            departments: Some(vec!["38".into()]),
            region: Some("84".into()),
            phone: Some("04 76 00 00 00".into()),
            email: Some("ema.grenoble@ema.test".into()),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let team = cratb_app::network::create_team(&db, &Actor::cli(), &team)
        .await
        .unwrap();
    for (place, scope) in [(a_id, "advice,audits"), (b_id, "advice")] {
        run(
            &db,
            &format!(
                "INSERT INTO conventions (region_code, team_id, establishment_id, scope, status, signed_on, expires_on, created_at, updated_at)
                 VALUES ('84', {team}, {place}, '{scope}', 'signed', '2025-01-01', '2028-12-31', '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00')"
            ),
        )
        .await;
    }
    let coordinator = account(&db, "coord@cratb.test", Role::Coordinator, vec![], vec![]).await;
    let referent = account(
        &db,
        "ref@ch-voiron.test",
        Role::Referent,
        vec![a_id],
        vec![],
    )
    .await;
    let ema = account(&db, "ema@chu.test", Role::EmaMember, vec![], vec![team]).await;
    let grid = audits::import_grid(&db, &actor(&coordinator), GRID, NOW)
        .await
        .unwrap();
    World {
        db,
        grid,
        a,
        b,
        ehpad,
        breton,
        coordinator,
        referent,
        ema,
    }
}

fn campaign_input(grid: i64, places: &[&str]) -> CampaignInput {
    CampaignInput {
        title: Some("Antibioprophylaxie 2026".into()),
        grid_id: Some(Count::Number(grid)),
        starts_on: Some("2026-03-01".into()),
        ends_on: Some("31/05/2026".into()),
        establishments: Some(List(places.iter().map(|s| s.to_string()).collect())),
        target: Some(Count::Number(30)),
        ..Default::default()
    }
}

async fn campaign(w: &World) -> i64 {
    audits::start(
        &w.db,
        &actor(&w.coordinator),
        &campaign_input(w.grid, &[&w.a, &w.b]),
        NOW,
    )
    .await
    .unwrap()
}

fn input(number: &str, place: &str, answers: &[(&str, &str)]) -> CaseInput {
    CaseInput {
        case_number: Some(number.into()),
        establishment: Some(place.into()),
        age: Some(Count::Number(64)),
        sex: Some("F".into()),
        ward_type: None,
        answers: answers
            .iter()
            .map(|(k, v)| (k.to_string(), Raw::Text(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn invalid(r: Result<i64, AppError>) -> Vec<cratb_domain::FieldError> {
    match r {
        Err(AppError::Invalid(e)) => e,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn log(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM audit_log").await
}

#[tokio::test]
async fn a_grid_is_imported_once_and_edited_as_its_next_version() {
    let w = world().await;
    let coord = actor(&w.coordinator);
    // The same code and version again: a conflict naming the latest version.
    match audits::import_grid(&w.db, &coord, GRID, NOW).await {
        Err(AppError::Conflict(e)) => {
            assert_eq!(e.field, "definition");
            assert!(e.message.contains("la dernière est la 1"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    // A broken file names what is wrong.
    assert!(matches!(
        audits::import_grid(&w.db, &coord, "{\"code\": 1}", NOW).await,
        Err(AppError::Invalid(_))
    ));
    // A referent may not import a grid.
    assert!(matches!(
        audits::import_grid(&w.db, &actor(&w.referent), GRID, NOW).await,
        Err(AppError::Forbidden)
    ));
    let id = campaign(&w).await;
    let edited = GRID.replace("Dose adaptée", "Dose adaptée au poids");
    let v2 = audits::edit_grid(&w.db, &coord, w.grid, &edited, NOW)
        .await
        .unwrap();
    let (row, grid) = audits::grid(&w.db, v2).await.unwrap();
    assert_eq!((row.code.as_str(), row.version), ("test-prophylaxie", 2));
    assert_eq!(grid.criteria[1].label_fr, "Dose adaptée au poids");
    // The campaign keeps the version it was started with.
    let view = audits::campaign(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    assert_eq!(view.campaign.grid_id, w.grid);
    assert_eq!(view.grid.version, 1);
    assert_eq!(view.grid.criteria[1].label_fr, "Dose adaptée");
    // An edit cannot change the code.
    let renamed = GRID.replace("test-prophylaxie", "autre-code");
    assert!(matches!(
        audits::edit_grid(&w.db, &coord, w.grid, &renamed, NOW).await,
        Err(AppError::Invalid(_))
    ));
    // The shipped grids load once.
    let n = audits::load_shipped_grids(&w.db, NOW).await.unwrap();
    assert_eq!(n, cratb_audit::shipped::grids().len());
    assert_eq!(audits::load_shipped_grids(&w.db, NOW).await.unwrap(), 0);
}

#[tokio::test]
async fn a_campaign_starts_with_establishments_of_the_region_and_the_grid_s_sector() {
    let w = world().await;
    let coord = actor(&w.coordinator);
    let unknown = finess("38", 99);
    let e = invalid(
        audits::start(
            &w.db,
            &coord,
            &campaign_input(w.grid, &[&w.a, &unknown, &w.breton]),
            NOW,
        )
        .await,
    );
    // Unknown, and of another region: both named.
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|x| x.field == "establishments"));
    assert!(e[0].message.contains(&unknown));
    assert!(e[1].message.contains(&w.breton));
    // An EHPAD for a hospitals' grid.
    let e = invalid(audits::start(&w.db, &coord, &campaign_input(w.grid, &[&w.ehpad]), NOW).await);
    assert!(e[0].message.contains("secteur"), "{}", e[0].message);
    assert_eq!(
        count(&w.db, "SELECT COUNT(*) FROM audit_campaigns").await,
        0
    );

    // A CPTS's practices, for a primary-care grid.
    let practice = finess("38", 5);
    let practice_id = establishment(&w.db, &practice, "Cabinet du Drac", "CDS", "38").await;
    let access = Scope::National.access("84").unwrap();
    let mut tx = w.db.begin().await.unwrap();
    let cpts = cratb_store::reference::create_territory(
        &mut tx,
        &access,
        &NewTerritory::validate("CPTS", "CPTS Grésivaudan", &["38"]).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let ville = GRID
        .replace("test-prophylaxie", "test-ville")
        .replace("[\"ES\"]", "[\"VILLE\"]");
    let ville = audits::import_grid(&w.db, &coord, &ville, NOW)
        .await
        .unwrap();
    let cpts_input = |grid| CampaignInput {
        establishments: None,
        territory_id: Some(Count::Number(cpts)),
        ..campaign_input(grid, &[])
    };
    let id = audits::start(&w.db, &coord, &cpts_input(ville), NOW)
        .await
        .unwrap();
    let view = audits::campaign(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    assert_eq!(
        view.participants
            .iter()
            .map(|p| p.establishment_id)
            .collect::<Vec<_>>(),
        vec![practice_id]
    );
    // A hospitals' grid is not for a CPTS's practices.
    let e = invalid(audits::start(&w.db, &coord, &cpts_input(w.grid), NOW).await);
    assert_eq!(e[0].field, "territory_id", "{e:?}");
    // No CPTS of that number.
    let e = invalid(
        audits::start(
            &w.db,
            &coord,
            &CampaignInput {
                territory_id: Some(Count::Number(cpts + 100)),
                ..cpts_input(ville)
            },
            NOW,
        )
        .await,
    );
    assert_eq!(e[0].field, "territory_id");
    // A referent does not start campaigns.
    assert!(matches!(
        audits::start(
            &w.db,
            &actor(&w.referent),
            &campaign_input(w.grid, &[&w.a]),
            NOW
        )
        .await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn cases_are_drafted_then_validated_by_those_who_enter_for_the_establishment() {
    let w = world().await;
    let id = campaign(&w).await;
    let (coord, referent, ema) = (actor(&w.coordinator), actor(&w.referent), actor(&w.ema));
    let before = log(&w.db).await;
    // A draft keeps what was typed.
    let k = audits::save_case(
        &w.db,
        &referent,
        &w.referent,
        id,
        None,
        &input("A-001", &w.a, &[("delai", "35")]),
        Save::Draft,
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(log(&w.db).await, before + 1);
    // Validated with answers missing or wrong: each keyed by its criterion.
    let e = invalid(
        audits::save_case(
            &w.db,
            &referent,
            &w.referent,
            id,
            Some(k),
            &input("A-001", &w.a, &[("delai", "trente"), ("note", "RAS")]),
            Save::Validate,
            NOW,
        )
        .await,
    );
    let paths: Vec<String> = e.iter().map(|x| x.path()).collect();
    assert_eq!(paths, vec!["answers.delai", "answers.dose"], "{e:?}");
    assert_eq!(e[1].pointer(), "/answers/dose");
    assert_eq!(log(&w.db).await, before + 1, "a refusal writes nothing");
    let done = &[("delai", "35"), ("dose", "oui"), ("note", "NA")];
    audits::save_case(
        &w.db,
        &referent,
        &w.referent,
        id,
        Some(k),
        &input("A-001", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
    let (_, row) = audits::case(&w.db, &referent, &w.referent, id, k, NOW)
        .await
        .unwrap();
    assert!(row.validated);
    assert_eq!(row.answers["dose"], "yes");
    // A validated case stays validated: a draft save of an edit (the form's autosave) is
    // checked whole, and an incomplete one refused rather than taking the case out of the
    // results.
    let e = invalid(
        audits::save_case(
            &w.db,
            &referent,
            &w.referent,
            id,
            Some(k),
            &input("A-001", &w.a, &[("delai", "20")]),
            Save::Draft,
            NOW,
        )
        .await,
    );
    assert_eq!(e[0].path(), "answers.dose");
    let edited = &[("delai", "20"), ("dose", "oui"), ("note", "NA")];
    audits::save_case(
        &w.db,
        &referent,
        &w.referent,
        id,
        Some(k),
        &input("A-001", &w.a, edited),
        Save::Draft,
        NOW,
    )
    .await
    .unwrap();
    let (_, row) = audits::case(&w.db, &referent, &w.referent, id, k, NOW)
        .await
        .unwrap();
    assert!(row.validated && row.answers["delai"] == "20");
    // The same case number again for the same establishment: a conflict.
    match audits::save_case(
        &w.db,
        &referent,
        &w.referent,
        id,
        None,
        &input("A-001", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    {
        Err(AppError::Conflict(e)) => assert_eq!(e.field, "case_number"),
        other => panic!("{other:?}"),
    }
    // A referent enters their own establishment's cases only.
    let e = invalid(
        audits::save_case(
            &w.db,
            &referent,
            &w.referent,
            id,
            None,
            &input("B-001", &w.b, done),
            Save::Validate,
            NOW,
        )
        .await,
    );
    assert_eq!(e[0].field, "establishment");
    // The EMA member enters for A (convention with audits), not for B (advice only).
    audits::save_case(
        &w.db,
        &ema,
        &w.ema,
        id,
        None,
        &input("A-002", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
    let e = invalid(
        audits::save_case(
            &w.db,
            &ema,
            &w.ema,
            id,
            None,
            &input("B-001", &w.b, done),
            Save::Validate,
            NOW,
        )
        .await,
    );
    assert_eq!(e[0].field, "establishment");
    // The coordinator enters for any participant; a case of B is out of the referent's reach.
    let kb = audits::save_case(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        None,
        &input("B-001", &w.b, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
    assert!(matches!(
        audits::case(&w.db, &referent, &w.referent, id, kb, NOW).await,
        Err(AppError::NotFound)
    ));
    let (_, mine) = audits::cases(&w.db, &referent, &w.referent, id, NOW)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|c| c.finess == w.a));

    // Out of the EMA member's reach too, as is deleting it for the referent.
    assert!(matches!(
        audits::case(&w.db, &ema, &w.ema, id, kb, NOW).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        audits::delete_case(&w.db, &referent, &w.referent, id, kb, NOW).await,
        Err(AppError::NotFound)
    ));
    // The agency and the secretariat read results, never a case.
    for (role, email) in [
        (Role::ArsReader, "ars@ars.test"),
        (Role::Secretary, "secretariat@cratb.test"),
    ] {
        let u = account(&w.db, email, role, vec![], vec![]).await;
        let before = log(&w.db).await;
        assert!(matches!(
            audits::cases(&w.db, &actor(&u), &u, id, NOW).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            audits::case(&w.db, &actor(&u), &u, id, kb, NOW).await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(log(&w.db).await, before);
        let r = audits::results(&w.db, &actor(&u), &u, id, NOW)
            .await
            .unwrap();
        assert_eq!(r.cases, 3);
    }

    // Closed: no more entry, by form or sheet, until it is reopened.
    audits::set_closed(&w.db, &coord, id, true).await.unwrap();
    let sheet = format!(
        "case_id,establishment,delai,dose,note\nS-1,{},20,oui,NA\n",
        w.a
    );
    match audits::import_cases(&w.db, &referent, &w.referent, id, sheet.as_bytes(), NOW).await {
        Err(SheetRefusal::App(AppError::Invalid(e))) => assert_eq!(e[0].field, "campaign"),
        other => panic!("{other:?}"),
    }
    let e = invalid(
        audits::save_case(
            &w.db,
            &referent,
            &w.referent,
            id,
            None,
            &input("A-003", &w.a, done),
            Save::Validate,
            NOW,
        )
        .await,
    );
    assert_eq!(e[0].field, "campaign");
    assert!(e[0].message.contains("close"));
    audits::set_closed(&w.db, &coord, id, false).await.unwrap();
    audits::save_case(
        &w.db,
        &referent,
        &w.referent,
        id,
        None,
        &input("A-003", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_ema_member_enters_only_under_a_signed_convention_in_force_that_includes_audits() {
    let w = world().await;
    let team = w.ema.team_ids[0];
    let mut places = Vec::new();
    for (n, name, status, expires, scope) in [
        (11, "Clinique expirée", "signed", "2026-01-31", "audits"),
        (12, "Clinique en projet", "draft", "2028-12-31", "audits"),
        (
            13,
            "Clinique signée",
            "signed",
            "2026-12-31",
            "advice,audits,training",
        ),
    ] {
        let f = finess("38", n);
        let e = establishment(&w.db, &f, name, "CLINIQUE", "38").await;
        run(
            &w.db,
            &format!(
                "INSERT INTO conventions (region_code, team_id, establishment_id, scope, status, signed_on, expires_on, created_at, updated_at)
                 VALUES ('84', {team}, {e}, '{scope}', '{status}', '2025-01-01', '{expires}', '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00')"
            ),
        )
        .await;
        places.push(f);
    }
    let list: Vec<&str> = places.iter().map(String::as_str).collect();
    let id = audits::start(
        &w.db,
        &actor(&w.coordinator),
        &campaign_input(w.grid, &list),
        NOW,
    )
    .await
    .unwrap();
    let view = audits::campaign(&w.db, &actor(&w.ema), &w.ema, id, NOW)
        .await
        .unwrap();
    let enter: Vec<&str> = view.may_enter.iter().map(|p| p.finess.as_str()).collect();
    assert_eq!(enter, vec![places[2].as_str()]);
    let done = &[("delai", "35"), ("dose", "oui"), ("note", "NA")];
    for (f, ok) in [(&places[0], false), (&places[1], false), (&places[2], true)] {
        let r = audits::save_case(
            &w.db,
            &actor(&w.ema),
            &w.ema,
            id,
            None,
            &input("E-1", f, done),
            Save::Validate,
            NOW,
        )
        .await;
        assert_eq!(r.is_ok(), ok, "{f}: {r:?}");
    }
}

#[tokio::test]
async fn every_read_and_write_of_cases_is_in_the_audit_log() {
    let w = world().await;
    let id = campaign(&w).await;
    let coord = actor(&w.coordinator);
    let done = &[("delai", "35"), ("dose", "oui"), ("note", "NA")];
    let cases_rows = || count(&w.db, "SELECT COUNT(*) FROM audit_cases");
    let mut n = log(&w.db).await;
    let mut step = async |what: &str, action: &str, db: &Db| {
        let now = log(db).await;
        assert_eq!(now, n + 1, "{what}");
        let last: i64 = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND id = (SELECT MAX(id) FROM audit_log)"
            ),
        )
        .await;
        assert_eq!(last, 1, "{what}: {action}");
        n = now;
    };
    let k = audits::save_case(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        None,
        &input("A-001", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
    step("create", "audit_case.create", &w.db).await;
    audits::save_case(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        Some(k),
        &input("A-001", &w.a, done),
        Save::Validate,
        NOW,
    )
    .await
    .unwrap();
    step("update", "audit_case.update", &w.db).await;
    audits::cases(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    step("list", "audit_case.list", &w.db).await;
    audits::case(&w.db, &coord, &w.coordinator, id, k, NOW)
        .await
        .unwrap();
    step("read", "audit_case.read", &w.db).await;
    let sheet = format!(
        "case_id,establishment,delai,dose,note\nS-1,{},20,oui,NA\n",
        w.b
    );
    assert_eq!(
        audits::import_cases(&w.db, &coord, &w.coordinator, id, sheet.as_bytes(), NOW)
            .await
            .unwrap(),
        1
    );
    step("import", "audit_case.import", &w.db).await;
    audits::delete_case(&w.db, &coord, &w.coordinator, id, k, NOW)
        .await
        .unwrap();
    step("delete", "audit_case.delete", &w.db).await;
    assert_eq!(cases_rows().await, 1);
}

#[tokio::test]
async fn a_sheet_of_cases_loads_all_or_nothing() {
    let w = world().await;
    let id = campaign(&w).await;
    let referent = actor(&w.referent);
    let head = "case_id,establishment,delai,dose,note";
    let stored = || count(&w.db, "SELECT COUNT(*) FROM audit_cases");
    let refused = async |text: String| -> Vec<cratb_audit::cases::CellError> {
        let before = log(&w.db).await;
        let r = audits::import_cases(&w.db, &referent, &w.referent, id, text.as_bytes(), NOW).await;
        assert_eq!(log(&w.db).await, before, "a refusal writes nothing");
        match r {
            Err(SheetRefusal::Cells(e)) => e,
            other => panic!("{other:?}"),
        }
    };
    // One bad cell on line 3: nothing stored.
    let e = refused(format!(
        "{head}\nS-1,{a},20,oui,RAS\nS-2,{a},vingt,oui,RAS\nS-3,{a},10,non,RAS\n",
        a = w.a
    ))
    .await;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].line, e[0].column.as_str()), (3, "delai"));
    assert_eq!(e[0].value, "vingt");
    assert_eq!(stored().await, 0);
    // The same case twice in the file.
    let e = refused(format!(
        "{head}\nS-1,{a},20,oui,RAS\nS-1,{a},25,oui,RAS\n",
        a = w.a
    ))
    .await;
    assert_eq!(e[0].line, 3, "{e:?}");
    assert_eq!(stored().await, 0);
    // An establishment the referent does not enter for.
    let e = refused(format!("{head}\nS-1,{b},20,oui,RAS\n", b = w.b)).await;
    assert_eq!((e[0].line, e[0].column.as_str()), (2, "establishment"));
    // A good sheet, then one of its cases again: refused with its line.
    let good = format!("{head}\nS-1,{a},20,oui,RAS\nS-2,{a},90,non,RAS\n", a = w.a);
    assert_eq!(
        audits::import_cases(&w.db, &referent, &w.referent, id, good.as_bytes(), NOW)
            .await
            .unwrap(),
        2
    );
    let e = refused(format!(
        "{head}\nS-3,{a},20,oui,RAS\nS-2,{a},15,oui,RAS\n",
        a = w.a
    ))
    .await;
    assert_eq!((e[0].line, e[0].column.as_str()), (3, "case_id"), "{e:?}");
    assert_eq!(stored().await, 2);
    let (_, rows) = audits::cases(&w.db, &referent, &w.referent, id, NOW)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.validated && r.source == "sheet"));
}

#[tokio::test]
async fn results_match_a_hand_count_and_hide_the_others_from_a_referent() {
    let w = world().await;
    let id = campaign(&w).await;
    let coord = actor(&w.coordinator);
    for (number, place, delai, dose, save) in [
        ("A-1", &w.a, "30", "oui", Save::Validate),
        ("A-2", &w.a, "90", "NA", Save::Validate),
        ("A-3", &w.a, "NA", "non", Save::Validate),
        ("B-1", &w.b, "45", "oui", Save::Validate),
        // A draft is not counted.
        ("B-2", &w.b, "200", "non", Save::Draft),
    ] {
        audits::save_case(
            &w.db,
            &coord,
            &w.coordinator,
            id,
            None,
            &input(
                number,
                place,
                &[("delai", delai), ("dose", dose), ("note", "NA")],
            ),
            save,
            NOW,
        )
        .await
        .unwrap();
    }
    let r = audits::results(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    assert_eq!(r.cases, 4);
    let counts = |rows: &[cratb_audit::results::Row]| -> Vec<(String, u64, u64)> {
        rows.iter()
            .map(|r| (r.criterion.clone(), r.n_applicable, r.n_conform))
            .collect()
    };
    let row = |c: &str, n: u64, k: u64| (c.to_string(), n, k);
    // Region: delai applies to A-1 (30, conform), A-2 (90, not), B-1 (45, conform): 3, 2.
    // dose applies to A-1 (yes), A-3 (no), B-1 (yes): 3, 2. A case is conform on all when
    // every criterion that applies to it is: A-1 and B-1 of the 4: 4, 2. `note` has no rule.
    assert_eq!(
        counts(&r.region),
        vec![row("delai", 3, 2), row("dose", 3, 2), row("all", 4, 2)]
    );
    let a = r
        .places
        .iter()
        .find(|p| p.finess.as_deref() == Some(w.a.as_str()))
        .unwrap();
    // A: delai A-1 yes, A-2 no: 2, 1; dose A-1 yes, A-3 no: 2, 1; all: A-1 of 3: 3, 1.
    assert_eq!(
        counts(&a.rows),
        vec![row("delai", 2, 1), row("dose", 2, 1), row("all", 3, 1)]
    );
    let b = r
        .places
        .iter()
        .find(|p| p.finess.as_deref() == Some(w.b.as_str()))
        .unwrap();
    // B: B-1 alone: 1, 1 everywhere.
    assert_eq!(
        counts(&b.rows),
        vec![row("delai", 1, 1), row("dose", 1, 1), row("all", 1, 1)]
    );
    assert!(r.names_shown);

    // The referent sees their own hospital by name, the other anonymous, the same figures.
    let r = audits::results(&w.db, &actor(&w.referent), &w.referent, id, NOW)
        .await
        .unwrap();
    assert!(!r.names_shown);
    assert_eq!(
        counts(&r.region),
        vec![row("delai", 3, 2), row("dose", 3, 2), row("all", 4, 2)]
    );
    let own: Vec<_> = r.places.iter().filter(|p| p.own).collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].label, "CH de Voiron");
    let other = r.places.iter().find(|p| !p.own).unwrap();
    assert_eq!(other.label, "Établissement 1");
    assert_eq!(other.finess, None);
    // Nothing names it: neither its category nor its department, nor a group of fewer than
    // three establishments.
    assert_eq!(
        (other.category.as_str(), other.department_code.as_str()),
        ("", "")
    );
    assert!(r.by_category.is_empty() && r.by_department.is_empty());
    assert!(other.rows.iter().all(|r| r.group == vec![String::new()]));
    assert_eq!(
        counts(&other.rows),
        vec![row("delai", 1, 1), row("dose", 1, 1), row("all", 1, 1)]
    );
    // Nor does the campaign's page list the others for them.
    let view = audits::campaign(&w.db, &actor(&w.referent), &w.referent, id, NOW)
        .await
        .unwrap();
    assert_eq!(view.participants.len(), 1);
    assert_eq!(view.participants[0].finess, w.a);
}

/// The loop closed: a campaign, an action plan aimed at a criterion, the next campaign of the
/// grid; the establishment's feedback shows the criterion before and after, the results the
/// region's change and trend; the reports' ZIP for those who see names only.
#[tokio::test]
async fn the_re_audit_shows_each_aimed_criterion_before_and_after() {
    let w = world().await;
    let coord = actor(&w.coordinator);
    let first = audits::start(
        &w.db,
        &coord,
        &CampaignInput {
            title: Some("Antibioprophylaxie 2025".into()),
            starts_on: Some("2025-03-01".into()),
            ends_on: Some("2025-05-31".into()),
            ..campaign_input(w.grid, &[&w.a])
        },
        NOW,
    )
    .await
    .unwrap();
    // 2025: the delay conform in 4 cases of 10 at hospital A.
    for i in 0..10 {
        let delay = if i < 4 { "30" } else { "90" };
        audits::save_case(
            &w.db,
            &coord,
            &w.coordinator,
            first,
            None,
            &input(
                &format!("P-{i}"),
                &w.a,
                &[("delai", delay), ("dose", "oui"), ("note", "NA")],
            ),
            Save::Validate,
            NOW,
        )
        .await
        .unwrap();
    }
    audits::set_closed(&w.db, &coord, first, true)
        .await
        .unwrap();
    // The plan that followed it: an action on the delay, another on no criterion.
    let plan = cratb_app::plans::create(
        &w.db,
        &actor(&w.referent),
        &w.referent,
        &cratb_audit::plan::PlanInput {
            establishment: Some(w.a.clone()),
            campaign_id: Some(Count::Number(first)),
            title: Some("Plan 2025".into()),
            actions: vec![
                cratb_audit::plan::ActionInput {
                    title: Some("Injection à l'arrivée en salle".into()),
                    due_on: Some("2025-09-30".into()),
                    status: Some("done".into()),
                    aim: Some("delai".into()),
                    ..Default::default()
                },
                cratb_audit::plan::ActionInput {
                    title: Some("Réunion de service".into()),
                    due_on: Some("2025-10-31".into()),
                    aim_kind: Some("other".into()),
                    ..Default::default()
                },
            ],
        },
        NOW,
    )
    .await
    .unwrap();
    // 2026: 9 of 10 at hospital A; hospital B takes part without a case yet.
    let second = campaign(&w).await;
    for i in 0..10 {
        let delay = if i < 9 { "25" } else { "75" };
        audits::save_case(
            &w.db,
            &coord,
            &w.coordinator,
            second,
            None,
            &input(
                &format!("Q-{i}"),
                &w.a,
                &[("delai", delay), ("dose", "oui"), ("note", "NA")],
            ),
            Save::Validate,
            NOW,
        )
        .await
        .unwrap();
    }
    let a_id = count(
        &w.db,
        &format!("SELECT id FROM establishments WHERE finess = '{}'", w.a),
    )
    .await;
    let r =
        audits::establishment_results(&w.db, &actor(&w.referent), &w.referent, second, a_id, NOW)
            .await
            .unwrap();
    assert_eq!(r.previous.as_ref().map(|c| c.id), Some(first));
    assert_eq!(r.reaudit.len(), 1, "the action aimed at a criterion only");
    let a = &r.reaudit[0];
    assert_eq!(
        (a.plan_id, a.action.title.as_str()),
        (plan, "Injection à l'arrivée en salle")
    );
    let c = a.comparison.as_ref().unwrap();
    assert_eq!(
        (c.criterion.as_str(), c.before, c.after),
        ("delai", (4, 10), (9, 10))
    );
    // By hand: +50 points; pooled p = 13/20 = 0,65, SE = √(0,65 × 0,35 × (1/10 + 1/10))
    // = 0,213307, z = 0,5 / 0,213307 = 2,34404, two-sided p = erfc(z/√2) = 0,019076.
    let d = c.difference.as_ref().unwrap();
    assert!((d.difference - 0.5).abs() < 1e-12);
    assert!((d.z.unwrap() - 2.344036).abs() < 1e-5, "{d:?}");
    assert!((d.p_value.unwrap() - 0.019076).abs() < 1e-5, "{d:?}");
    assert!(d.interval.0 > 0.0 && d.interval.1 < 0.5 + 0.4, "{d:?}");
    // The region's results: the change since 2025 and the trend of both campaigns.
    let res = audits::results(&w.db, &coord, &w.coordinator, second, NOW)
        .await
        .unwrap();
    let since = res.since.as_ref().unwrap();
    assert_eq!(since.campaign.id, first);
    let delay = since
        .region
        .iter()
        .find(|k| k.criterion == "delai")
        .unwrap();
    assert_eq!((delay.before, delay.after), ((4, 10), (9, 10)));
    let trend: Vec<_> = res
        .trend
        .iter()
        .filter(|t| t.criterion == "delai")
        .map(|t| (t.campaign.as_str(), t.n_conform, t.n_applicable))
        .collect();
    assert_eq!(trend, [("03/2025", 4, 10), ("03/2026", 9, 10)]);
    // A referent reads their own feedback, never another's, and no ZIP of every report.
    let b_id = count(
        &w.db,
        &format!("SELECT id FROM establishments WHERE finess = '{}'", w.b),
    )
    .await;
    assert!(matches!(
        audits::establishment_results(&w.db, &actor(&w.referent), &w.referent, second, b_id, NOW)
            .await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        audits::reports_zip(
            &w.db,
            &actor(&w.referent),
            &w.referent,
            second,
            cratb_domain::Lang::Fr,
            NOW
        )
        .await,
        Err(AppError::Forbidden)
    ));
    // The coordinator's ZIP: one PDF per participant with cases (B has none yet).
    let zip = audits::reports_zip(
        &w.db,
        &coord,
        &w.coordinator,
        second,
        cratb_domain::Lang::Fr,
        NOW,
    )
    .await
    .unwrap();
    assert!(zip.starts_with(b"PK"));
    let names = String::from_utf8_lossy(&zip);
    assert!(
        names.contains(&format!("retour-audit-{}-", w.a)),
        "one report for A"
    );
    assert!(
        !names.contains(&format!("retour-audit-{}-", w.b)),
        "none for B"
    );
}
