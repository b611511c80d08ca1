//! The advice service's use cases on a real database (SQLite, or PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): routing by the rota, the hours and the holidays; who sees
//! which request; the thread, its trace and its audit entries; the day-7 follow-up and the
//! figures; the sweep; a team's past log, all or nothing; the knowledge base.

mod common;

use common::*;

use cratb_advice::answer::{AnswerInput, FollowUp, FollowUpInput, NewAnswer};
use cratb_advice::calendar::Closure;
use cratb_advice::letters::Letter;
use cratb_advice::request::{Figure, RequestInput};
use cratb_advice::rota::{DutySlot, HalfDay};
use cratb_advice::{Recommendation, Status};
use cratb_app::advice::{self, LogRefused, Move};
use cratb_app::{Actor, AppError, Channel};
use cratb_directory::network::{NewTeam, TeamInput};
use cratb_domain::{Email, Finess, NewUser, RegionCode, Role, Scope, User};
use cratb_store::advice::AdviceQuery;
use cratb_store::{Db, PageRequest};
use time::OffsetDateTime;
use time::macros::{date, datetime};

const URL: &str = "https://cratb.test";

fn finess(dep: &str, n: u32) -> String {
    Finess::from_parts(dep, n).unwrap().as_str().to_string()
}

async fn establishment(
    db: &Db,
    finess: &str,
    name: &str,
    sector: &str,
    dep: &str,
    reg: &str,
) -> i64 {
    run(
        db,
        &format!(
            "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, created_at, updated_at)
             VALUES ('{finess}', '{name}', '{sector}', 'CH', '{dep}', '{reg}', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
        ),
    )
    .await;
    count(
        db,
        &format!("SELECT id FROM establishments WHERE finess = '{finess}'"),
    )
    .await
}

async fn team(db: &Db, name: &str, host: i64, reg: &str, sectors: &[&str], deps: &[&str]) -> i64 {
    let t = NewTeam::validate(
        &TeamInput {
            name: Some(name.into()),
            host_establishment_id: Some(host),
            sectors: Some(sectors.iter().map(|s| s.to_string()).collect()),
            departments: Some(deps.iter().map(|s| s.to_string()).collect()),
            region: Some(reg.into()),
            phone: Some("04 76 00 00 00".into()),
            email: Some(format!(
                "{}@ema.test",
                name.to_lowercase().replace(' ', ".")
            )),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    cratb_app::network::create_team(db, &Actor::cli(), &t)
        .await
        .unwrap()
}

async fn account(db: &Db, email: &str, role: Role, reg: Option<&str>, teams: Vec<i64>) -> User {
    let mut tx = db.begin().await.unwrap();
    let id = cratb_store::users::create(
        &mut tx,
        &NewUser {
            email: Email::parse(email).unwrap(),
            display_name: format!("Dr {email}"),
            role,
            region: reg.map(|r| RegionCode::parse(r).unwrap()),
            establishments: vec![],
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

/// Two regions: Auvergne-Rhône-Alpes (84) with a team for the Isère (38, every sector) and one
/// in Lyon (69, hospitals), Bretagne (53) with a team in Brest.
struct World {
    db: Db,
    grenoble: i64,
    lyon: i64,
    brest: i64,
    clinic: String,
    asker: User,
    other_asker: User,
    ema1: User,
    ema2: User,
    ema_lyon: User,
    coordinator: User,
    breton: User,
}

async fn world() -> World {
    let db = fresh().await;
    let chu = establishment(&db, &finess("38", 1), "CHU Grenoble", "ES", "38", "84").await;
    let hcl = establishment(&db, &finess("69", 1), "HCL", "ES", "69", "84").await;
    let clinic = finess("38", 2);
    establishment(&db, &clinic, "Clinique du Mail", "ES", "38", "84").await;
    let cavale = establishment(&db, &finess("29", 1), "CHU Brest", "ES", "29", "53").await;
    let grenoble = team(
        &db,
        "EMA Grenoble",
        chu,
        "84",
        &["ES", "EMS", "VILLE"],
        &["38"],
    )
    .await;
    let lyon = team(&db, "EMA Lyon", hcl, "84", &["ES"], &["69"]).await;
    let brest = team(&db, "EMA Brest", cavale, "53", &["ES"], &["29"]).await;
    let asker = account(&db, "gp@ville.test", Role::Prescriber, Some("84"), vec![]).await;
    let other_asker = account(&db, "gp2@ville.test", Role::Prescriber, Some("84"), vec![]).await;
    let ema1 = account(
        &db,
        "one@ema.test",
        Role::EmaMember,
        Some("84"),
        vec![grenoble],
    )
    .await;
    let ema2 = account(
        &db,
        "two@ema.test",
        Role::EmaMember,
        Some("84"),
        vec![grenoble],
    )
    .await;
    let ema_lyon = account(
        &db,
        "lyon@ema.test",
        Role::EmaMember,
        Some("84"),
        vec![lyon],
    )
    .await;
    let coordinator = account(
        &db,
        "coord@cratb.test",
        Role::Coordinator,
        Some("84"),
        vec![],
    )
    .await;
    let breton = account(&db, "coord@bzh.test", Role::Coordinator, Some("53"), vec![]).await;
    // Tuesday: one in the morning, two in the afternoon; Monday: two in the morning.
    let slot = |weekday, half, u: &User| DutySlot {
        weekday,
        half,
        user_id: u.id,
    };
    advice::set_rota(
        &db,
        &actor(&coordinator),
        &coordinator,
        grenoble,
        &[
            slot(2, HalfDay::Morning, &ema1),
            slot(2, HalfDay::Afternoon, &ema2),
            slot(1, HalfDay::Morning, &ema2),
            slot(1, HalfDay::Afternoon, &ema1),
            slot(5, HalfDay::Afternoon, &ema1),
        ],
    )
    .await
    .unwrap();
    World {
        db,
        grenoble,
        lyon,
        brest,
        clinic,
        asker,
        other_asker,
        ema1,
        ema2,
        ema_lyon,
        coordinator,
        breton,
    }
}

fn input(question: &str) -> RequestInput {
    RequestInput {
        sector: Some("VILLE".into()),
        department: Some("38".into()),
        age: Some(Figure::Number(72.0)),
        sex: Some("F".into()),
        infection_site: Some("urinary".into()),
        question_type: Some("choice".into()),
        question: Some(question.into()),
        ..Default::default()
    }
}

impl World {
    async fn ask(&self, u: &User, i: &RequestInput, now: OffsetDateTime) -> advice::Filed {
        advice::ask(&self.db, &actor(u), u, i, &[], now, URL)
            .await
            .unwrap()
    }

    async fn row(&self, id: i64) -> (String, Option<i64>, Option<i64>) {
        match &self.db {
            Db::Sqlite(p) => sqlx::query_as::<_, (String, Option<i64>, Option<i64>)>(
                "SELECT status, team_id, assignee_id FROM advice_requests WHERE id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap(),
            Db::Postgres(p) => sqlx::query_as::<_, (String, Option<i64>, Option<i64>)>(
                "SELECT status, team_id, assignee_id FROM advice_requests WHERE id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap(),
        }
    }

    async fn audits(&self, action: &str) -> i64 {
        count(
            &self.db,
            &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
        )
        .await
    }

    async fn events(&self, id: i64, kind: &str) -> i64 {
        count(
            &self.db,
            &format!(
                "SELECT COUNT(*) FROM advice_events WHERE request_id = {id} AND kind = '{kind}'"
            ),
        )
        .await
    }
}

fn answer(body: &str, recs: &[&str]) -> NewAnswer {
    NewAnswer::validate(&AnswerInput {
        body: Some(body.into()),
        recommendations: Some(recs.iter().map(|r| r.to_string()).collect()),
        ..Default::default()
    })
    .unwrap()
}

fn follow(followed: &str, outcome: &str) -> FollowUp {
    FollowUp::validate(&FollowUpInput {
        followed: Some(followed.into()),
        outcome: Some(outcome.into()),
    })
    .unwrap()
}

fn fields<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<&'static str> {
    match r {
        Err(AppError::Invalid(e)) => e.iter().map(|e| e.field).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// 2026-12-01 is a Tuesday; Paris is at UTC+1 in December.

#[tokio::test]
async fn routing_follows_the_rota_the_hours_the_holidays_and_the_conventions() {
    let w = world().await;

    // Tuesday 10:00: the Isère team, its member on duty that morning, due at 14:00.
    let tuesday = datetime!(2026-12-01 10:00 +1);
    let f = w.ask(&w.asker, &input("Pyélonéphrite ?"), tuesday).await;
    assert!(!f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-01 14:00 +1));
    assert_eq!(f.team_name.as_deref(), Some("EMA Grenoble"));
    assert_eq!(
        w.row(f.id).await,
        ("open".into(), Some(w.grenoble), Some(w.ema1.id))
    );
    let case = advice::read(&w.db, &actor(&w.asker), &w.asker, f.id, tuesday)
        .await
        .unwrap();
    assert_eq!(case.summary.due_at, datetime!(2026-12-01 14:00 +1));
    assert_eq!(case.summary.status, Status::Open);
    // The requester is told when to expect an answer; the member on duty is told to answer.
    let to: Vec<&str> = f.letters.iter().map(|l| l.to.as_str()).collect();
    assert_eq!(to, ["gp@ville.test", "one@ema.test"]);
    assert_eq!(w.events(f.id, "created").await, 1);
    assert_eq!(w.events(f.id, "routed").await, 1);
    assert_eq!(w.audits("advice.create").await, 1);

    // Tuesday 14:00: the afternoon's member.
    let f = w
        .ask(&w.asker, &input("Durée ?"), datetime!(2026-12-01 14:00 +1))
        .await;
    assert_eq!(w.row(f.id).await.2, Some(w.ema2.id));

    // Friday 17:00: one hour on Friday, three on Monday.
    let f = w
        .ask(
            &w.asker,
            &input("Relais oral ?"),
            datetime!(2026-12-04 17:00 +1),
        )
        .await;
    assert!(!f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-07 12:00 +1));
    assert_eq!(
        w.row(f.id).await,
        ("open".into(), Some(w.grenoble), Some(w.ema1.id))
    );

    // Saturday: queued for Monday morning and its member on duty, due at 13:00.
    let f = w
        .ask(
            &w.asker,
            &input("Le samedi ?"),
            datetime!(2026-12-05 10:30 +1),
        )
        .await;
    assert!(f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-07 13:00 +1));
    assert_eq!(
        w.row(f.id).await,
        ("queued".into(), Some(w.grenoble), Some(w.ema2.id))
    );

    // Christmas (a Friday): queued to Monday 28th.
    let f = w
        .ask(&w.asker, &input("Noël ?"), datetime!(2026-12-25 10:00 +1))
        .await;
    assert!(f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-28 13:00 +1));
    assert_eq!(
        w.row(f.id).await,
        ("queued".into(), Some(w.grenoble), Some(w.ema2.id))
    );

    // Over the change to summer time (Sunday 29 March), and over Easter Monday (6 April).
    let f = w
        .ask(
            &w.asker,
            &input("Heure d'été ?"),
            datetime!(2026-03-27 17:00 +1),
        )
        .await;
    assert_eq!(f.due_at, datetime!(2026-03-30 12:00 +2));
    let f = w
        .ask(&w.asker, &input("Pâques ?"), datetime!(2026-04-03 17:00 +2))
        .await;
    assert_eq!(f.due_at, datetime!(2026-04-07 12:00 +2));
    assert_eq!(w.row(f.id).await.2, Some(w.ema1.id));

    // A closure of the team on Tuesday 8th and Wednesday 9th: Thursday, nobody on duty.
    advice::add_closure(
        &w.db,
        &actor(&w.ema1),
        &w.ema1,
        w.grenoble,
        &Closure {
            from: date!(2026 - 12 - 08),
            to: date!(2026 - 12 - 09),
            reason: "séminaire".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(w.audits("advice.closure").await, 1);
    let f = w
        .ask(&w.asker, &input("Fermé ?"), datetime!(2026-12-08 10:00 +1))
        .await;
    assert!(f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-10 13:00 +1));
    assert_eq!(w.row(f.id).await, ("queued".into(), Some(w.grenoble), None));
    // Nobody on duty: the team's address is told.
    assert!(f.letters.iter().any(|l| l.to == "ema.grenoble@ema.test"));

    // A hospital of the Isère bound to the Lyon team by a convention in force for advice.
    let clinic = count(
        &w.db,
        &format!(
            "SELECT id FROM establishments WHERE finess = '{}'",
            w.clinic
        ),
    )
    .await;
    let mut hospital = input("Convention ?");
    hospital.sector = Some("ES".into());
    hospital.establishment = Some(w.clinic.clone());
    // Not yet: a convention without advice, an expired one, a draft.
    run(
        &w.db,
        &format!(
            "INSERT INTO conventions (region_code, team_id, establishment_id, scope, status, signed_on, expires_on, created_at, updated_at) VALUES
             ('84', {lyon}, {clinic}, 'audits,training', 'signed', '2026-01-01', '2027-12-31', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
             ('84', {lyon}, {clinic}, 'advice', 'signed', '2025-01-01', '2026-06-30', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
             ('84', {lyon}, {clinic}, 'advice', 'draft', NULL, NULL, '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')",
            lyon = w.lyon
        ),
    )
    .await;
    let f = w.ask(&w.asker, &hospital, tuesday).await;
    assert_eq!(w.row(f.id).await.1, Some(w.grenoble));
    run(
        &w.db,
        &format!(
            "INSERT INTO conventions (region_code, team_id, establishment_id, scope, status, signed_on, expires_on, created_at, updated_at)
             VALUES ('84', {lyon}, {clinic}, 'advice,audits', 'signed', '2026-01-01', '2027-12-31', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')",
            lyon = w.lyon
        ),
    )
    .await;
    let f = w.ask(&w.asker, &hospital, tuesday).await;
    assert_eq!(f.team_name.as_deref(), Some("EMA Lyon"));
    assert_eq!(w.row(f.id).await, ("open".into(), Some(w.lyon), None));

    // The Ain: no team serves it; the CRAtb's coordinators are told; default hours.
    let mut ain = input("Ain ?");
    ain.department = Some("01".into());
    let f = w.ask(&w.asker, &ain, datetime!(2026-12-04 17:00 +1)).await;
    assert_eq!(f.team_name, None);
    assert_eq!(f.due_at, datetime!(2026-12-07 12:00 +1));
    assert_eq!(w.row(f.id).await, ("open".into(), None, None));
    assert!(f.letters.iter().any(|l| l.to == "coord@cratb.test"));

    // A department of another region is refused on its field.
    let mut finistere = input("Brest ?");
    finistere.department = Some("29".into());
    assert_eq!(
        fields(
            advice::ask(
                &w.db,
                &actor(&w.asker),
                &w.asker,
                &finistere,
                &[],
                tuesday,
                URL
            )
            .await
        ),
        ["department"]
    );
    // A Breton team's member never receives an Isère request.
    assert_eq!(
        count(
            &w.db,
            &format!(
                "SELECT COUNT(*) FROM advice_requests WHERE team_id = {}",
                w.brest
            )
        )
        .await,
        0
    );
}

#[tokio::test]
async fn each_sees_what_they_may_and_the_overdue_come_first() {
    let w = world().await;
    let tuesday = datetime!(2026-12-01 10:00 +1);
    let mine = w.ask(&w.asker, &input("Le mien"), tuesday).await;
    let theirs = w
        .ask(
            &w.other_asker,
            &input("Le leur"),
            datetime!(2026-12-01 11:00 +1),
        )
        .await;
    let mut lyon = input("Lyon");
    lyon.department = Some("69".into());
    lyon.sector = Some("ES".into());
    let at_lyon = w.ask(&w.asker, &lyon, datetime!(2026-12-01 09:30 +1)).await;
    let asked_by_ema = w
        .ask(&w.ema_lyon, &input("Demande d'un membre"), tuesday)
        .await;
    let later = datetime!(2026-12-01 16:00 +1);
    let ids = |u: &User, q: AdviceQuery| {
        let db = w.db.clone();
        let u = u.clone();
        async move {
            advice::list(&db, &actor(&u), &u, &q, later, PageRequest::new(None, None))
                .await
                .unwrap()
                .items
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };

    // The requester: their own only.
    assert_eq!(
        sorted(ids(&w.asker, AdviceQuery::default()).await),
        sorted(vec![mine.id, at_lyon.id])
    );
    assert!(matches!(
        advice::read(&w.db, &actor(&w.asker), &w.asker, theirs.id, later).await,
        Err(AppError::NotFound)
    ));
    // An Isère member: the team's requests, not Lyon's.
    assert_eq!(
        sorted(ids(&w.ema2, AdviceQuery::default()).await),
        sorted(vec![mine.id, theirs.id, asked_by_ema.id])
    );
    // The Lyon member: Lyon's and the one they asked, not the Isère team's.
    assert_eq!(
        sorted(ids(&w.ema_lyon, AdviceQuery::default()).await),
        sorted(vec![at_lyon.id, asked_by_ema.id])
    );
    assert!(matches!(
        advice::read(&w.db, &actor(&w.ema_lyon), &w.ema_lyon, mine.id, later).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        advice::answer(
            &w.db,
            &actor(&w.ema_lyon),
            &w.ema_lyon,
            mine.id,
            &answer("x", &["stop"]),
            later,
            URL
        )
        .await,
        Err(AppError::NotFound)
    ));
    // The coordinator: the whole region; another region's: nothing.
    assert_eq!(
        sorted(ids(&w.coordinator, AdviceQuery::default()).await),
        sorted(vec![mine.id, theirs.id, at_lyon.id, asked_by_ema.id])
    );
    assert!(ids(&w.breton, AdviceQuery::default()).await.is_empty());
    assert!(matches!(
        advice::read(&w.db, &actor(&w.breton), &w.breton, mine.id, later).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        advice::move_request(
            &w.db,
            &actor(&w.breton),
            &w.breton,
            mine.id,
            Move::Close,
            later,
            URL
        )
        .await,
        Err(AppError::NotFound)
    ));
    // Each read leaves its entry; a refused one none.
    let read = w.audits("advice.read").await;
    advice::read(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        mine.id,
        later,
    )
    .await
    .unwrap();
    assert_eq!(w.audits("advice.read").await, read + 1);

    // At 16:00 the Lyon request (due 13:30) and `mine` (due 14:00) are past their target;
    // `theirs` (due 15:00) too; answered ones are not.
    advice::answer(
        &w.db,
        &actor(&w.ema1),
        &w.ema1,
        theirs.id,
        &answer("Fosfomycine", &["start"]),
        datetime!(2026-12-01 11:30 +1),
        URL,
    )
    .await
    .unwrap();
    let all = advice::list(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        &AdviceQuery::default(),
        later,
        PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items;
    let overdue: Vec<(i64, bool)> = all.iter().map(|s| (s.id, s.overdue)).collect();
    assert_eq!(
        overdue,
        [
            (at_lyon.id, true),
            (mine.id, true),
            (asked_by_ema.id, true),
            (theirs.id, false)
        ]
    );
    let only = ids(
        &w.coordinator,
        AdviceQuery {
            overdue: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(only, [at_lyon.id, mine.id, asked_by_ema.id]);
    assert_eq!(
        advice::overdue(&w.db, &actor(&w.ema2), &w.ema2, later)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        advice::overdue(&w.db, &actor(&w.coordinator), &w.coordinator, later)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        advice::overdue(&w.db, &actor(&w.asker), &w.asker, later)
            .await
            .unwrap(),
        0
    );
    // Before the first due time, nothing is overdue.
    assert_eq!(
        advice::overdue(
            &w.db,
            &actor(&w.coordinator),
            &w.coordinator,
            datetime!(2026-12-01 13:29 +1)
        )
        .await
        .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_thread_its_moves_their_trace_and_the_follow_up() {
    let w = world().await;
    let asked = datetime!(2026-12-01 10:00 +1);
    let f = w.ask(&w.asker, &input("Cystite récidivante"), asked).await;
    let id = f.id;
    let ema1 = actor(&w.ema1);

    // No follow-up before an answer.
    assert_eq!(
        fields(
            advice::follow_up(
                &w.db,
                &actor(&w.asker),
                &w.asker,
                id,
                &follow("followed", "cured"),
                asked
            )
            .await
        ),
        ["followed"]
    );
    // A requester does not answer.
    assert!(matches!(
        advice::answer(
            &w.db,
            &actor(&w.asker),
            &w.asker,
            id,
            &answer("x", &["stop"]),
            asked,
            URL
        )
        .await,
        Err(AppError::Forbidden)
    ));

    // Taken by two, then handed back to one; not to someone outside the team.
    advice::move_request(&w.db, &actor(&w.ema2), &w.ema2, id, Move::Take, asked, URL)
        .await
        .unwrap();
    assert_eq!(w.row(id).await.2, Some(w.ema2.id));
    assert_eq!(
        fields(
            advice::move_request(
                &w.db,
                &actor(&w.ema2),
                &w.ema2,
                id,
                Move::HandOver { to: w.ema_lyon.id },
                asked,
                URL
            )
            .await
        ),
        ["to"]
    );
    let letters = advice::move_request(
        &w.db,
        &actor(&w.ema2),
        &w.ema2,
        id,
        Move::HandOver { to: w.ema1.id },
        asked,
        URL,
    )
    .await
    .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].to, "one@ema.test");
    assert_eq!(w.row(id).await.2, Some(w.ema1.id));

    // The first answer at 11:30: answered, its follow-up day 7 days on.
    let first = datetime!(2026-12-01 11:30 +1);
    let letters = advice::answer(
        &w.db,
        &ema1,
        &w.ema1,
        id,
        &answer("Nitrofurantoïne 5 jours", &["switch", "shorten"]),
        first,
        URL,
    )
    .await
    .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].to, "gp@ville.test");
    let case = advice::read(&w.db, &actor(&w.asker), &w.asker, id, first)
        .await
        .unwrap();
    assert_eq!(case.summary.status, Status::Answered);
    assert_eq!(case.summary.first_answer_at, Some(first));
    assert_eq!(case.follow_up_due_on, Some(date!(2026 - 12 - 08)));

    // A follow-up question opens it again; a second answer keeps the first answer's time
    // and adds its recommendations.
    let q = datetime!(2026-12-01 15:00 +1);
    let letters = advice::ask_again(
        &w.db,
        &actor(&w.asker),
        &w.asker,
        id,
        "Et si allergie ?",
        q,
        URL,
    )
    .await
    .unwrap();
    assert_eq!(letters[0].to, "one@ema.test");
    assert_eq!(w.row(id).await.0, "open");
    // Only the requester asks again.
    assert!(matches!(
        advice::ask_again(&w.db, &ema1, &w.ema1, id, "?", q, URL).await,
        Err(AppError::Forbidden)
    ));
    advice::answer(
        &w.db,
        &ema1,
        &w.ema1,
        id,
        &answer("Fosfomycine", &["start", "switch"]),
        datetime!(2026-12-02 09:30 +1),
        URL,
    )
    .await
    .unwrap();
    let case = advice::read(&w.db, &actor(&w.asker), &w.asker, id, q)
        .await
        .unwrap();
    assert_eq!(case.summary.status, Status::Answered);
    assert_eq!(case.summary.first_answer_at, Some(first));
    assert_eq!(case.follow_up_due_on, Some(date!(2026 - 12 - 08)));
    assert_eq!(case.messages.len(), 3);
    let recs = count(&w.db, &format!("SELECT COUNT(*) FROM advice_requests WHERE id = {id} AND recommendations = 'start|switch|shorten'")).await;
    assert_eq!(
        recs, 1,
        "the union of the answers' recommendations, in their order"
    );

    // Closed, then reopened (answered again), then closed; a closed one takes no answer.
    advice::move_request(&w.db, &ema1, &w.ema1, id, Move::Close, q, URL)
        .await
        .unwrap();
    assert_eq!(w.row(id).await.0, "closed");
    assert_eq!(
        fields(advice::answer(&w.db, &ema1, &w.ema1, id, &answer("x", &["stop"]), q, URL).await),
        ["status"]
    );
    assert_eq!(
        fields(advice::move_request(&w.db, &ema1, &w.ema1, id, Move::Close, q, URL).await),
        ["status"]
    );
    advice::move_request(&w.db, &ema1, &w.ema1, id, Move::Reopen, q, URL)
        .await
        .unwrap();
    assert_eq!(w.row(id).await.0, "answered");
    advice::move_request(&w.db, &ema1, &w.ema1, id, Move::Close, q, URL)
        .await
        .unwrap();

    // The follow-up, given by the requester.
    advice::follow_up(
        &w.db,
        &actor(&w.asker),
        &w.asker,
        id,
        &follow("partly", "improved"),
        datetime!(2026-12-08 09:00 +1),
    )
    .await
    .unwrap();
    // Given once: a second one is refused, the first one stays.
    assert_eq!(
        fields(
            advice::follow_up(
                &w.db,
                &actor(&w.asker),
                &w.asker,
                id,
                &follow("not_followed", "failed"),
                datetime!(2026-12-09 09:00 +1)
            )
            .await
        ),
        ["followed"]
    );
    // Someone else's follow-up is refused.
    assert!(matches!(
        advice::follow_up(
            &w.db,
            &actor(&w.other_asker),
            &w.other_asker,
            id,
            &follow("followed", "cured"),
            q
        )
        .await,
        Err(AppError::NotFound)
    ));

    // Forward: another request, unanswered, to Lyon: new due time with Lyon's hours, Lyon's
    // address told; not to a Breton team.
    let g = w
        .ask(
            &w.asker,
            &input("À transférer"),
            datetime!(2026-12-01 17:00 +1),
        )
        .await;
    assert_eq!(g.due_at, datetime!(2026-12-02 12:00 +1));
    assert_eq!(
        fields(
            advice::move_request(
                &w.db,
                &ema1,
                &w.ema1,
                g.id,
                Move::Forward { team_id: w.brest },
                asked,
                URL
            )
            .await
        ),
        ["team_id"]
    );
    assert_eq!(
        fields(
            advice::move_request(
                &w.db,
                &ema1,
                &w.ema1,
                g.id,
                Move::Forward {
                    team_id: w.grenoble
                },
                asked,
                URL
            )
            .await
        ),
        ["team_id"]
    );
    let letters = advice::move_request(
        &w.db,
        &ema1,
        &w.ema1,
        g.id,
        Move::Forward { team_id: w.lyon },
        datetime!(2026-12-02 10:00 +1),
        URL,
    )
    .await
    .unwrap();
    assert_eq!(
        letters.iter().map(|l| l.to.as_str()).collect::<Vec<_>>(),
        ["ema.lyon@ema.test"]
    );
    assert_eq!(w.row(g.id).await, ("open".into(), Some(w.lyon), None));
    let moved = advice::read(&w.db, &actor(&w.ema_lyon), &w.ema_lyon, g.id, asked)
        .await
        .unwrap();
    assert_eq!(moved.summary.due_at, datetime!(2026-12-02 14:00 +1));
    // Gone from the Isère team's sight (they forwarded it and were not its requester).
    assert!(matches!(
        advice::read(&w.db, &actor(&w.ema2), &w.ema2, g.id, asked).await,
        Err(AppError::NotFound)
    ));

    // Each write: its audit entry and its trace.
    for (action, n) in [
        ("advice.create", 2),
        ("advice.take", 1),
        ("advice.hand_over", 1),
        ("advice.answer", 2),
        ("advice.question", 1),
        ("advice.close", 2),
        ("advice.reopen", 1),
        ("advice.follow_up", 1),
        ("advice.forward", 1),
    ] {
        assert_eq!(w.audits(action).await, n, "{action}");
    }
    for (kind, n) in [
        ("created", 1),
        ("routed", 1),
        ("taken", 1),
        ("handed_over", 1),
        ("answered", 2),
        ("question", 1),
        ("closed", 2),
        ("reopened", 1),
        ("follow_up", 1),
    ] {
        assert_eq!(w.events(id, kind).await, n, "{kind}");
    }
    assert_eq!(w.events(g.id, "forwarded").await, 1);
    assert!(w.audits("advice.read").await >= 3);

    // The figures of the year: two requests, one answered in 90 minutes within its target,
    // followed partly.
    let access = Scope::National.access("84").unwrap();
    let s = advice::stats(&w.db, &access, 2026, None).await.unwrap();
    assert_eq!(s.requests, 2);
    assert_eq!(s.answered, 1);
    assert_eq!(s.median_minutes, Some(90.0));
    assert_eq!(s.p90_minutes, Some(90.0));
    assert_eq!(s.within_target, Some(1.0));
    assert_eq!(s.followed_share, Some(1.0));
    let grenoble = advice::stats(&w.db, &access, 2026, Some(w.grenoble))
        .await
        .unwrap();
    assert_eq!(grenoble.requests, 1);
    let counted = cratb_store::advice::counted(&w.db, &access, 2026, None)
        .await
        .unwrap();
    assert_eq!(counted.len(), 2);
    assert_eq!(
        counted[0].recommendations,
        [
            Recommendation::Start,
            Recommendation::Switch,
            Recommendation::Shorten
        ]
    );
}

fn health_free(l: &Letter, words: &[&str]) {
    for w in words {
        assert!(
            !l.body.contains(w) && !l.subject.contains(w),
            "{w} in a letter: {l:?}"
        );
    }
}

#[tokio::test]
async fn the_sweep_tells_once_and_carries_no_health_data() {
    let w = world().await;
    let q = "Spondylodiscite à staphylocoque doré, patiente de 72 ans";
    let mut i = input(q);
    i.infection_site = Some("bone_joint".into());
    let f = w.ask(&w.asker, &i, datetime!(2026-12-01 10:00 +1)).await;
    let g = w
        .ask(&w.asker, &input("Autre"), datetime!(2026-12-01 10:30 +1))
        .await;
    let private = [
        q,
        "72",
        "Spondylodiscite",
        "staphylocoque",
        "ostéo",
        "Nitrofurantoïne",
        "urinaire",
    ];
    for l in f.letters.iter() {
        health_free(l, &private);
    }

    // Before 14:00, nothing; after, the member on duty, the team and the coordinator, once.
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-01 13:59 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
    let at = datetime!(2026-12-01 14:10 +1);
    let letters = advice::sweep(&w.db, at, URL).await.unwrap();
    let mut to: Vec<&str> = letters.iter().map(|l| l.to.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        ["coord@cratb.test", "ema.grenoble@ema.test", "one@ema.test"]
    );
    for l in &letters {
        health_free(l, &private);
        assert!(l.body.contains(&f.reference));
    }
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-01 14:20 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(w.audits("advice.overdue").await, 1);
    assert_eq!(w.events(f.id, "overdue").await, 1);

    // Answered at 14:20: the other one is not told when its time comes.
    advice::answer(
        &w.db,
        &actor(&w.ema1),
        &w.ema1,
        g.id,
        &answer("Nitrofurantoïne", &["start"]),
        datetime!(2026-12-01 14:20 +1),
        URL,
    )
    .await
    .unwrap();
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-01 15:00 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );

    // The follow-up letter on day 7 (Tuesday 8th), once.
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-07 23:00 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
    let letters = advice::sweep(&w.db, datetime!(2026-12-08 08:00 +1), URL)
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].to, "gp@ville.test");
    health_free(&letters[0], &private);
    assert!(letters[0].body.contains(&g.reference));
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-09 08:00 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
}

const HEADER: &str = "asked_at,answered_at,channel,requester_profession,requester_sector,department,infection_site,question_type,recommendation,followed,team\n";

#[tokio::test]
async fn a_past_log_loads_whole_or_not_at_all_and_counts_in_the_figures() {
    let w = world().await;
    let cli = Actor::cli();
    // Asked Tuesday 6 January 2026 at 9:00, answered at 9:30, 11:00 and never; followed, not.
    let good = format!(
        "{HEADER}2026-01-06 09:00,2026-01-06 09:30,phone,gp,VILLE,38,urinary,choice,start,followed,EMA Grenoble\n\
         06/01/2026 10:00,06/01/2026 11:00,email,pharmacist,EMS,69,respiratory_lower,duration,shorten|stop,not_followed,\n\
         2026-01-06 10:30,,phone,gp,VILLE,38,urinary,choice,,,EMA Grenoble\n"
    );
    let bad = format!(
        "{HEADER}2026-01-07 09:00,2026-01-07 09:30,phone,gp,VILLE,38,urinary,choice,start,followed,\n\
         2026-13-07 09:00,,fax,gp,VILLE,29,urinary,choice,,,EMA Nulle part\n"
    );
    match advice::import_log(&w.db, &cli, "84", "bad.csv", bad.as_bytes()).await {
        Err(LogRefused::Rows(errors)) => {
            assert!(errors.len() >= 4, "{errors:?}");
            assert!(errors.iter().all(|e| e.line == 3), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        count(&w.db, "SELECT COUNT(*) FROM advice_requests").await,
        0
    );
    assert_eq!(w.audits("advice.import").await, 0);

    assert_eq!(
        advice::import_log(&w.db, &cli, "84", "log.csv", good.as_bytes())
            .await
            .unwrap(),
        3
    );
    assert_eq!(w.audits("advice.import").await, 1);
    assert_eq!(
        count(
            &w.db,
            "SELECT COUNT(DISTINCT reference) FROM advice_requests WHERE reference LIKE 'AV-2026-%'"
        )
        .await,
        3
    );
    // Not in any queue, not overdue, not readable as a case.
    let listed = advice::list(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        &AdviceQuery::default(),
        datetime!(2026-02-01 10:00 +1),
        PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(listed.total, 0);
    assert_eq!(
        advice::overdue(
            &w.db,
            &actor(&w.coordinator),
            &w.coordinator,
            datetime!(2026-02-01 10:00 +1)
        )
        .await
        .unwrap(),
        0
    );
    assert!(
        advice::sweep(&w.db, datetime!(2026-02-01 10:00 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
    // Counted: 3 requests, 2 answered in 30 and 60 minutes; median 45, p90 30 + 0.9 × 30 = 57;
    // both within 4 hours; one followed of two followed up.
    let access = Scope::National.access("84").unwrap();
    let s = advice::stats(&w.db, &access, 2026, None).await.unwrap();
    assert_eq!(s.requests, 3);
    assert_eq!(s.answered, 2);
    assert_eq!(s.median_minutes, Some(45.0));
    assert!((s.p90_minutes.unwrap() - 57.0).abs() < 1e-9);
    assert_eq!(s.within_target, Some(1.0));
    assert_eq!(s.followed_share, Some(0.5));
    assert_eq!(
        advice::stats(&w.db, &access, 2026, Some(w.grenoble))
            .await
            .unwrap()
            .requests,
        2
    );
    assert_eq!(
        advice::stats(&w.db, &access, 2025, None)
            .await
            .unwrap()
            .requests,
        0
    );
    // Another region's log is not this actor's to load.
    assert!(matches!(
        advice::import_log(
            &w.db,
            &actor(&w.coordinator),
            "53",
            "log.csv",
            good.as_bytes()
        )
        .await,
        Err(LogRefused::App(AppError::NotFound))
    ));
}

#[tokio::test]
async fn the_knowledge_base_gives_closed_cases_by_their_words_without_the_requester() {
    let w = world().await;
    let at = datetime!(2026-12-01 10:00 +1);
    let ema1 = actor(&w.ema1);
    let mut closed = Vec::new();
    for (q, a, site) in [
        (
            "Cystite chez la femme enceinte",
            "Fosfomycine trométamol dose unique",
            "urinary",
        ),
        (
            "Érysipèle de jambe",
            "Amoxicilline 7 jours",
            "skin_soft_tissue",
        ),
    ] {
        let mut i = input(q);
        i.infection_site = Some(site.into());
        let f = w.ask(&w.asker, &i, at).await;
        advice::answer(&w.db, &ema1, &w.ema1, f.id, &answer(a, &["start"]), at, URL)
            .await
            .unwrap();
        advice::move_request(&w.db, &ema1, &w.ema1, f.id, Move::Close, at, URL)
            .await
            .unwrap();
        closed.push(f.id);
    }
    // Answered but open: not in the base.
    let open = w.ask(&w.asker, &input("Cystite simple"), at).await;
    advice::answer(
        &w.db,
        &ema1,
        &w.ema1,
        open.id,
        &answer("Fosfomycine", &["start"]),
        at,
        URL,
    )
    .await
    .unwrap();

    let access = Scope::National.access("84").unwrap();
    let found = advice::knowledge(&w.db, &access, Some("cystite"), None, None)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|k| k.id).collect::<Vec<_>>(), [closed[0]]);
    assert_eq!(found[0].answer, "Fosfomycine trométamol dose unique");
    assert!(found[0].age_band.is_some());
    let shown = format!("{:?}", found[0]);
    assert!(
        !shown.contains("gp@ville.test") && !shown.contains("Dr "),
        "{shown}"
    );
    // By a word of the answer, by site.
    assert_eq!(
        advice::knowledge(&w.db, &access, Some("AMOXICILLINE"), None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        advice::knowledge(
            &w.db,
            &access,
            None,
            Some(cratb_advice::InfectionSite::Urinary),
            None
        )
        .await
        .unwrap()
        .len(),
        1
    );
    // Another region's base is empty.
    let bzh = Scope::National.access("53").unwrap();
    assert!(
        advice::knowledge(&w.db, &bzh, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_figures_match_a_hand_count() {
    let w = world().await;
    let ema1 = actor(&w.ema1);
    // Four requests on Tuesday 1st at 9:00 (due 13:00), answered after 30, 60, 90 and 600
    // minutes; a fifth never answered. Followed, partly, not followed; one without a follow-up.
    let at = datetime!(2026-12-01 09:00 +1);
    let mut ids = Vec::new();
    for (i, minutes) in [30, 60, 90, 600].into_iter().enumerate() {
        let mut r = input(&format!("Question {i}"));
        if i == 3 {
            r.infection_site = Some("bone_joint".into());
        }
        let f = w.ask(&w.asker, &r, at).await;
        advice::answer(
            &w.db,
            &ema1,
            &w.ema1,
            f.id,
            &answer("Avis", &["stop"]),
            at + time::Duration::minutes(minutes),
            URL,
        )
        .await
        .unwrap();
        ids.push(f.id);
    }
    w.ask(&w.asker, &input("Sans réponse"), at).await;
    for (id, followed) in ids.iter().zip(["followed", "partly", "not_followed"]) {
        advice::follow_up(
            &w.db,
            &actor(&w.asker),
            &w.asker,
            *id,
            &follow(followed, "cured"),
            datetime!(2026-12-08 10:00 +1),
        )
        .await
        .unwrap();
    }
    let access = Scope::National.access("84").unwrap();
    let s = advice::stats(&w.db, &access, 2026, None).await.unwrap();
    assert_eq!((s.requests, s.answered), (5, 4));
    // Type 7: median h = 1.5 → 60 + 0.5 × 30 = 75; p90 h = 2.7 → 90 + 0.7 × 510 = 447.
    assert!(
        (s.median_minutes.unwrap() - 75.0).abs() < 1e-9,
        "{:?}",
        s.median_minutes
    );
    assert!(
        (s.p90_minutes.unwrap() - 447.0).abs() < 1e-9,
        "{:?}",
        s.p90_minutes
    );
    // 19:00 is past 13:00: three of four within target; two of three followed.
    assert_eq!(s.within_target, Some(0.75));
    assert!((s.followed_share.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(s.follow_ups, 3);
    let december = s.by_month.iter().find(|m| m.month == 12).unwrap();
    assert_eq!((december.requests, december.answered), (5, 4));
    assert_eq!(s.by_sector.len(), 1);
    assert_eq!(s.by_sector[0].code, "VILLE");
    assert_eq!(s.by_sector[0].requests, 5);
    // A Breton's figures hold none of these.
    let bzh = Scope::National.access("53").unwrap();
    assert_eq!(
        advice::stats(&w.db, &bzh, 2026, None)
            .await
            .unwrap()
            .requests,
        0
    );
}

#[tokio::test]
async fn a_team_sets_its_own_hours_target_and_follow_up_and_takes_calls() {
    let w = world().await;
    // Only the team or the CRAtb sets it.
    let hours = cratb_advice::calendar::Hours::weekdays(
        time::macros::time!(8:30),
        time::macros::time!(12:30),
    );
    assert!(matches!(
        advice::set_desk(
            &w.db,
            &actor(&w.ema_lyon),
            &w.ema_lyon,
            w.grenoble,
            &hours,
            60,
            3
        )
        .await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        fields(advice::set_desk(&w.db, &actor(&w.ema1), &w.ema1, w.grenoble, &hours, 5, 0).await),
        ["target_minutes", "follow_up_days"]
    );
    advice::set_desk(&w.db, &actor(&w.ema1), &w.ema1, w.grenoble, &hours, 60, 3)
        .await
        .unwrap();
    assert_eq!(w.audits("advice.desk").await, 1);
    // Someone outside the team is not put on its rota.
    assert_eq!(
        fields(
            advice::set_rota(
                &w.db,
                &actor(&w.ema1),
                &w.ema1,
                w.grenoble,
                &[DutySlot {
                    weekday: 3,
                    half: HalfDay::Morning,
                    user_id: w.ema_lyon.id
                }]
            )
            .await
        ),
        ["rota"]
    );

    // Tuesday 12:00: half an hour today, half an hour on Wednesday from 8:30.
    let f = w
        .ask(&w.asker, &input("Horaires"), datetime!(2026-12-01 12:00 +1))
        .await;
    assert!(!f.queued);
    assert_eq!(f.due_at, datetime!(2026-12-02 09:00 +1));
    // Tuesday 13:00: closed for the afternoon; queued to Wednesday morning.
    let g = w
        .ask(
            &w.asker,
            &input("L'après-midi"),
            datetime!(2026-12-01 13:00 +1),
        )
        .await;
    assert!(g.queued);
    assert_eq!(g.due_at, datetime!(2026-12-02 09:30 +1));
    // Answered on Wednesday: the follow-up three days on.
    advice::answer(
        &w.db,
        &actor(&w.ema1),
        &w.ema1,
        f.id,
        &answer("Avis", &["no_change"]),
        datetime!(2026-12-02 08:45 +1),
        URL,
    )
    .await
    .unwrap();
    let case = advice::read(
        &w.db,
        &actor(&w.asker),
        &w.asker,
        f.id,
        datetime!(2026-12-02 09:00 +1),
    )
    .await
    .unwrap();
    assert_eq!(case.follow_up_due_on, Some(date!(2026 - 12 - 05)));

    // A call entered by the member who took it, for a caller by name: the member is not the
    // requester, the caller has no account, so nobody is asked for the follow-up by e-mail.
    let mut call = input("Appel d'un médecin traitant");
    call.channel = Some("phone".into());
    call.caller = Some(cratb_advice::request::CallerInput {
        name: Some("Dr Martin".into()),
        profession: Some("gp".into()),
        ..Default::default()
    });
    // A prescriber does not file for someone else.
    assert_eq!(
        fields(
            advice::ask(
                &w.db,
                &actor(&w.asker),
                &w.asker,
                &call,
                &[],
                datetime!(2026-12-02 10:00 +1),
                URL
            )
            .await
        ),
        ["caller"]
    );
    let c = w.ask(&w.ema2, &call, datetime!(2026-12-02 10:00 +1)).await;
    assert!(
        c.letters.iter().all(|l| l.to != "two@ema.test"),
        "{:?}",
        c.letters
    );
    let case = advice::read(
        &w.db,
        &actor(&w.ema2),
        &w.ema2,
        c.id,
        datetime!(2026-12-02 10:00 +1),
    )
    .await
    .unwrap();
    assert_eq!(case.summary.requester_id, None);
    assert_eq!(case.summary.requester_name, "Dr Martin");
    assert_eq!(case.entered_by.as_deref(), Some("Dr two@ema.test"));
    advice::answer(
        &w.db,
        &actor(&w.ema2),
        &w.ema2,
        c.id,
        &answer("Avis", &["stop"]),
        datetime!(2026-12-02 10:30 +1),
        URL,
    )
    .await
    .unwrap();
    // The team gives the caller's follow-up itself.
    advice::follow_up(
        &w.db,
        &actor(&w.ema2),
        &w.ema2,
        c.id,
        &follow("followed", "cured"),
        datetime!(2026-12-06 10:00 +1),
    )
    .await
    .unwrap();
    let letters = advice::sweep(&w.db, datetime!(2026-12-09 10:00 +1), URL)
        .await
        .unwrap();
    assert!(
        letters.iter().all(|l| !l.body.contains(&c.reference)),
        "{letters:?}"
    );
}

#[tokio::test]
async fn a_forwarded_request_is_told_late_again_on_its_new_time_not_an_answered_one() {
    let w = world().await;
    let ema1 = actor(&w.ema1);
    let f = w
        .ask(
            &w.asker,
            &input("À transférer"),
            datetime!(2026-12-01 10:00 +1),
        )
        .await;
    assert_eq!(
        advice::sweep(&w.db, datetime!(2026-12-01 14:05 +1), URL)
            .await
            .unwrap()
            .len(),
        3
    );
    // Forwarded at 15:00 to Lyon: due 19:00 → Wednesday 10:00 (default hours).
    advice::move_request(
        &w.db,
        &ema1,
        &w.ema1,
        f.id,
        Move::Forward { team_id: w.lyon },
        datetime!(2026-12-01 15:00 +1),
        URL,
    )
    .await
    .unwrap();
    let case = advice::read(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        f.id,
        datetime!(2026-12-01 15:00 +1),
    )
    .await
    .unwrap();
    assert_eq!(case.summary.due_at, datetime!(2026-12-02 10:00 +1));
    assert!(!case.summary.overdue);
    assert!(
        advice::sweep(&w.db, datetime!(2026-12-02 09:59 +1), URL)
            .await
            .unwrap()
            .is_empty()
    );
    let letters = advice::sweep(&w.db, datetime!(2026-12-02 10:01 +1), URL)
        .await
        .unwrap();
    let mut to: Vec<&str> = letters.iter().map(|l| l.to.as_str()).collect();
    to.sort();
    assert_eq!(to, ["coord@cratb.test", "ema.lyon@ema.test"]);

    // An answered request forwarded keeps its due time.
    let g = w
        .ask(
            &w.asker,
            &input("Déjà répondu"),
            datetime!(2026-12-01 10:00 +1),
        )
        .await;
    advice::answer(
        &w.db,
        &ema1,
        &w.ema1,
        g.id,
        &answer("Avis", &["refer"]),
        datetime!(2026-12-01 10:30 +1),
        URL,
    )
    .await
    .unwrap();
    advice::move_request(
        &w.db,
        &ema1,
        &w.ema1,
        g.id,
        Move::Forward { team_id: w.lyon },
        datetime!(2026-12-03 10:00 +1),
        URL,
    )
    .await
    .unwrap();
    let case = advice::read(
        &w.db,
        &actor(&w.coordinator),
        &w.coordinator,
        g.id,
        datetime!(2026-12-03 10:00 +1),
    )
    .await
    .unwrap();
    assert_eq!(case.summary.due_at, datetime!(2026-12-01 14:00 +1));
    assert_eq!(case.summary.status, Status::Answered);
}

#[tokio::test]
async fn a_queued_request_opens_with_its_team_and_attachments_are_read_traced() {
    let w = world().await;
    // Asked on Saturday: queued until Monday 9:00, when the sweep opens it.
    let f = w
        .ask(
            &w.asker,
            &input("Le samedi"),
            datetime!(2026-12-05 10:00 +1),
        )
        .await;
    assert!(f.queued);
    advice::sweep(&w.db, datetime!(2026-12-06 20:00 +1), URL)
        .await
        .unwrap();
    assert_eq!(w.row(f.id).await.0, "queued");
    advice::sweep(&w.db, datetime!(2026-12-07 09:00 +1), URL)
        .await
        .unwrap();
    assert_eq!(w.row(f.id).await.0, "open");

    // A PDF kept with its request; a file that is neither PDF nor image refused by name.
    let pdf = advice::NewAttachment {
        filename: "../antibiogramme.pdf".into(),
        bytes: b"%PDF-1.4\n%test\n".to_vec(),
    };
    let exe = advice::NewAttachment {
        filename: "virus.exe".into(),
        bytes: b"MZ\x90\x00".to_vec(),
    };
    let at = datetime!(2026-12-01 10:00 +1);
    assert_eq!(
        fields(
            advice::ask(
                &w.db,
                &actor(&w.asker),
                &w.asker,
                &input("Avec pièce"),
                &[pdf.clone(), exe],
                at,
                URL
            )
            .await
        ),
        ["attachment"]
    );
    let g = advice::ask(
        &w.db,
        &actor(&w.asker),
        &w.asker,
        &input("Avec pièce"),
        &[pdf],
        at,
        URL,
    )
    .await
    .unwrap();
    let case = advice::read(&w.db, &actor(&w.ema1), &w.ema1, g.id, at)
        .await
        .unwrap();
    assert_eq!(case.attachments.len(), 1);
    let aid = case.attachments[0].id;
    let (name, kind, bytes) = advice::attachment(&w.db, &actor(&w.ema1), &w.ema1, g.id, aid, at)
        .await
        .unwrap();
    assert!(!name.contains('/'), "{name}");
    assert_eq!(kind, "application/pdf");
    assert_eq!(bytes, b"%PDF-1.4\n%test\n");
    assert_eq!(w.audits("advice.attachment").await, 1);
    // Not through another request, not by someone who does not see the case.
    assert!(
        advice::attachment(&w.db, &actor(&w.ema1), &w.ema1, f.id, aid, at)
            .await
            .is_err()
    );
    assert!(matches!(
        advice::attachment(&w.db, &actor(&w.other_asker), &w.other_asker, g.id, aid, at).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(w.audits("advice.attachment").await, 1);
}

#[tokio::test]
async fn a_request_comes_from_the_requesters_department_unless_told_otherwise() {
    let w = world().await;
    let at = datetime!(2026-12-01 10:00 +1);
    // A prescriber of a Lyon hospital: the department defaults to the Rhône, whose only team
    // serves hospitals, so it takes primary care too.
    let hcl = count(
        &w.db,
        &format!(
            "SELECT id FROM establishments WHERE finess = '{}'",
            finess("69", 1)
        ),
    )
    .await;
    let mut tx = w.db.begin().await.unwrap();
    let id = cratb_store::users::create(
        &mut tx,
        &NewUser {
            email: Email::parse("gp@lyon.test").unwrap(),
            display_name: "Dr Lyon".into(),
            role: Role::Prescriber,
            region: Some(RegionCode::parse("84").unwrap()),
            establishments: vec![hcl],
            teams: vec![],
            password: None,
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lyonnais = cratb_store::users::get(&w.db, &Scope::National, id)
        .await
        .unwrap();
    let mut r = input("Sans département");
    r.department = None;
    let f = w.ask(&lyonnais, &r, at).await;
    assert_eq!(w.row(f.id).await.1, Some(w.lyon));
    // Without a department and without a place, the field is asked for.
    assert!(
        fields(advice::ask(&w.db, &actor(&w.asker), &w.asker, &r, &[], at, URL).await)
            .contains(&"department")
    );
    // A national account files in the region of the department given.
    let admin = account(&w.db, "admin@sante.test", Role::NationalAdmin, None, vec![]).await;
    let mut brest = input("Depuis le national");
    brest.department = Some("29".into());
    brest.sector = Some("ES".into());
    let f = w.ask(&admin, &brest, at).await;
    assert_eq!(w.row(f.id).await.1, Some(w.brest));
    assert!(f.reference.starts_with("AV-2026-"));
    let case = advice::read(&w.db, &actor(&w.breton), &w.breton, f.id, at)
        .await
        .unwrap();
    assert_eq!(case.summary.region_code, "53");
}
