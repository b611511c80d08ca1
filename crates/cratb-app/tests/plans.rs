//! The action plans' use cases on a real database (SQLite, or PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): a plan with its actions, owners from the region's
//! directory only, a status change in the audit log, the overdue actions, the reminders sent
//! once per due date and none for the actions that are over.

mod common;

use common::*;

use cratb_app::plans;
use cratb_app::{Actor, AppError, Channel};
use cratb_audit::campaign::Count;
use cratb_audit::plan::{ActionInput, ActionStatus, PlanInput};
use cratb_domain::{Email, Finess, NewUser, RegionCode, Role, Scope, User};
use cratb_store::Db;
use time::OffsetDateTime;
use time::macros::datetime;

const URL: &str = "https://cratb.test";
/// Wednesday 15 April 2026, in Paris.
const NOW: OffsetDateTime = datetime!(2026-04-15 10:00 UTC);

fn finess(dep: &str, n: u32) -> String {
    Finess::from_parts(dep, n).unwrap().as_str().to_string()
}

async fn establishment(db: &Db, finess: &str, name: &str, dep: &str, reg: &str) -> i64 {
    run(
        db,
        &format!(
            "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, created_at, updated_at)
             VALUES ('{finess}', '{name}', 'ES', 'CH', '{dep}', '{reg}', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
        ),
    )
    .await;
    count(
        db,
        &format!("SELECT id FROM establishments WHERE finess = '{finess}'"),
    )
    .await
}

async fn professional(db: &Db, last: &str, reg: &str, email: Option<&str>) -> i64 {
    let email = email.map_or("NULL".to_string(), |e| format!("'{e}'"));
    run(
        db,
        &format!(
            "INSERT INTO professionals (region_code, last_name, first_name, profession, email, created_at, updated_at)
             VALUES ('{reg}', '{last}', 'Claire', 'pharmacist', {email}, '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
        ),
    )
    .await;
    count(
        db,
        &format!("SELECT MAX(id) FROM professionals WHERE last_name = '{last}'"),
    )
    .await
}

async fn account(db: &Db, email: &str, role: Role, places: Vec<i64>) -> User {
    let mut tx = db.begin().await.unwrap();
    let id = cratb_store::users::create(
        &mut tx,
        &NewUser {
            email: Email::parse(email).unwrap(),
            display_name: format!("Dr {email}"),
            role,
            region: Some(RegionCode::parse("84").unwrap()),
            establishments: places,
            teams: vec![],
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

fn action(title: &str, owner: i64, due: &str, status: &str) -> ActionInput {
    ActionInput {
        title: Some(title.into()),
        owner_id: Some(Count::Number(owner)),
        due_on: Some(due.into()),
        status: Some(status.into()),
        aim_kind: Some("criterion".into()),
        aim: Some("delai".into()),
        notes: None,
    }
}

struct World {
    db: Db,
    a: String,
    b: String,
    owner: i64,
    breton_owner: i64,
    coordinator: User,
    referent: User,
}

async fn world() -> World {
    let db = fresh().await;
    let a = finess("38", 1);
    let b = finess("38", 2);
    let a_id = establishment(&db, &a, "CH de Voiron", "38", "84").await;
    establishment(&db, &b, "CH de Vienne", "38", "84").await;
    let owner = professional(&db, "Martin", "84", Some("c.martin@ch-voiron.test")).await;
    let breton_owner = professional(&db, "Le Gall", "53", Some("c.legall@ch-morlaix.test")).await;
    let coordinator = account(&db, "coord@cratb.test", Role::Coordinator, vec![]).await;
    let referent = account(&db, "ref@ch-voiron.test", Role::Referent, vec![a_id]).await;
    World {
        db,
        a,
        b,
        owner,
        breton_owner,
        coordinator,
        referent,
    }
}

async fn log(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM audit_log").await
}

#[tokio::test]
async fn a_plan_is_created_with_its_actions_and_owners_of_the_region_only() {
    let w = world().await;
    let referent = actor(&w.referent);
    let before = log(&w.db).await;
    let input = |owner| PlanInput {
        establishment: Some(w.a.clone()),
        campaign_id: None,
        title: Some("Plan d'action antibioprophylaxie 2026".into()),
        actions: vec![
            action("Check-list au bloc", w.owner, "2026-06-30", "planned"),
            action("Arrêt à 24 h", owner, "30/09/2026", "in_progress"),
        ],
    };
    // An owner from another region's directory: refused, nothing stored.
    match plans::create(&w.db, &referent, &w.referent, &input(w.breton_owner), NOW).await {
        Err(AppError::Invalid(e)) => assert_eq!(e[0].field, "owner_id"),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&w.db, "SELECT COUNT(*) FROM action_plans").await, 0);
    assert_eq!(log(&w.db).await, before);
    let id = plans::create(&w.db, &referent, &w.referent, &input(w.owner), NOW)
        .await
        .unwrap();
    assert_eq!(log(&w.db).await, before + 1);
    let view = plans::plan(&w.db, &referent, &w.referent, id, NOW)
        .await
        .unwrap();
    assert!(view.may_edit);
    assert_eq!(view.actions.len(), 2);
    assert_eq!(view.actions[0].title, "Check-list au bloc");
    assert_eq!(view.actions[1].due_on, time::macros::date!(2026 - 09 - 30));
    assert_eq!(view.actions[1].status, ActionStatus::InProgress);
    assert_eq!(view.actions[0].owner_name.as_deref(), Some("Claire Martin"));
    // An owner of another region on a new action: refused too.
    match plans::save_action(
        &w.db,
        &referent,
        &w.referent,
        id,
        None,
        &action("Audit flash", w.breton_owner, "2026-07-01", "planned"),
        NOW,
    )
    .await
    {
        Err(AppError::Invalid(e)) => assert_eq!(e[0].field, "owner_id"),
        other => panic!("{other:?}"),
    }
    // A referent keeps their own establishment's plans only.
    match plans::create(
        &w.db,
        &referent,
        &w.referent,
        &PlanInput {
            establishment: Some(w.b.clone()),
            ..input(w.owner)
        },
        NOW,
    )
    .await
    {
        Err(AppError::Invalid(e)) => assert_eq!(e[0].field, "establishment"),
        other => panic!("{other:?}"),
    }
    let other = plans::create(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        &PlanInput {
            establishment: Some(w.b.clone()),
            ..input(w.owner)
        },
        NOW,
    )
    .await
    .unwrap();
    assert!(matches!(
        plans::plan(&w.db, &referent, &w.referent, other, NOW).await,
        Err(AppError::NotFound)
    ));
    let listed = plans::plans(&w.db, &referent, &w.referent, None, NOW)
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![id]);
}

#[tokio::test]
async fn a_status_change_is_audited_and_overdue_actions_are_listed() {
    let w = world().await;
    let coord = actor(&w.coordinator);
    let id = plans::create(
        &w.db,
        &coord,
        &w.coordinator,
        &PlanInput {
            establishment: Some(w.a.clone()),
            campaign_id: None,
            title: Some("Plan 2026".into()),
            actions: vec![
                action("En retard", w.owner, "2026-04-01", "planned"),
                action("Réalisée en retard", w.owner, "2026-03-01", "done"),
                action("Abandonnée", w.owner, "2026-03-15", "abandoned"),
                action("Échéance aujourd'hui", w.owner, "2026-04-15", "in_progress"),
                action("Plus tard", w.owner, "2026-12-31", "planned"),
            ],
        },
        NOW,
    )
    .await
    .unwrap();
    // Overdue: open and due before today (the one due today is not yet).
    let overdue = plans::overdue(&w.db, &coord, NOW).await.unwrap();
    assert_eq!(
        overdue
            .iter()
            .map(|o| o.action.title.as_str())
            .collect::<Vec<_>>(),
        vec!["En retard"]
    );
    let view = plans::plan(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    assert_eq!(view.plan.overdue, 1);
    let late = view
        .actions
        .iter()
        .find(|a| a.title == "En retard")
        .unwrap();
    let before = log(&w.db).await;
    plans::save_action(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        Some(late.id),
        &action("En retard", w.owner, "2026-04-01", "done"),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(log(&w.db).await, before + 1);
    let said = count(
        &w.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'action_plan.update'
           AND summary LIKE '%prévue → réalisée%'",
    )
    .await;
    assert_eq!(said, 1);
    assert!(plans::overdue(&w.db, &coord, NOW).await.unwrap().is_empty());
    // The agency reads plans but does not edit them.
    let ars = account(&w.db, "ars@ars.test", Role::ArsReader, vec![]).await;
    assert!(matches!(
        plans::save_action(
            &w.db,
            &actor(&ars),
            &ars,
            id,
            Some(late.id),
            &action("En retard", w.owner, "2026-04-01", "planned"),
            NOW,
        )
        .await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn reminders_go_once_per_due_date_and_never_for_actions_that_are_over() {
    let w = world().await;
    let coord = actor(&w.coordinator);
    let silent = professional(&w.db, "Sansmail", "84", None).await;
    let id = plans::create(
        &w.db,
        &coord,
        &w.coordinator,
        &PlanInput {
            establishment: Some(w.a.clone()),
            campaign_id: None,
            title: Some("Plan 2026".into()),
            actions: vec![
                // Due in 5 days: reminded before.
                action("Bientôt", w.owner, "2026-04-20", "planned"),
                // Past: told it is overdue.
                action("Dépassée", w.owner, "2026-04-10", "in_progress"),
                // Over: never reminded.
                action("Faite", w.owner, "2026-04-12", "done"),
                action("Abandonnée", w.owner, "2026-04-18", "abandoned"),
                // Far off: not yet.
                action("Lointaine", w.owner, "2026-06-30", "planned"),
                // No e-mail: marked, no letter.
                action("Sans adresse", silent, "2026-04-16", "planned"),
            ],
        },
        NOW,
    )
    .await
    .unwrap();
    let letters = plans::reminders(&w.db, URL, NOW).await.unwrap();
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert!(letters.iter().all(|l| l.to == "c.martin@ch-voiron.test"));
    assert!(
        letters
            .iter()
            .all(|l| l.body.contains(&format!("{URL}/action-plans/{id}")))
    );
    assert!(letters.iter().any(|l| l.body.contains("Bientôt")));
    assert!(letters.iter().any(|l| l.body.contains("Dépassée")));
    assert!(!letters.iter().any(|l| l.body.contains("Faite")));
    // A second call the same day, or the next, sends nothing.
    assert!(plans::reminders(&w.db, URL, NOW).await.unwrap().is_empty());
    let tomorrow = NOW + time::Duration::days(1);
    assert!(
        plans::reminders(&w.db, URL, tomorrow)
            .await
            .unwrap()
            .is_empty()
    );
    // A new due date re-arms them: moved to the 22nd, it is reminded again.
    let view = plans::plan(&w.db, &coord, &w.coordinator, id, NOW)
        .await
        .unwrap();
    let soon = view.actions.iter().find(|a| a.title == "Bientôt").unwrap();
    plans::save_action(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        Some(soon.id),
        &action("Bientôt", w.owner, "2026-04-22", "planned"),
        tomorrow,
    )
    .await
    .unwrap();
    let again = plans::reminders(&w.db, URL, tomorrow).await.unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(again[0].body.contains("Bientôt"));
    // Once past that date, the overdue letter goes, once.
    let later = datetime!(2026-04-23 10:00 UTC);
    let late = plans::reminders(&w.db, URL, later).await.unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(late[0].body.contains("Bientôt"));
    assert!(
        plans::reminders(&w.db, URL, later)
            .await
            .unwrap()
            .is_empty()
    );
    // A status change without a new date does not re-arm; done, it is never reminded again.
    plans::save_action(
        &w.db,
        &coord,
        &w.coordinator,
        id,
        Some(soon.id),
        &action("Bientôt", w.owner, "2026-05-30", "done"),
        later,
    )
    .await
    .unwrap();
    assert!(
        plans::reminders(&w.db, URL, datetime!(2026-05-25 10:00 UTC))
            .await
            .unwrap()
            .iter()
            .all(|l| !l.body.contains("Bientôt"))
    );
}
