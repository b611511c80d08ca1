//! The advice service's rows on both backends (SQLite, or PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): times compared as instants, to the second, whatever their
//! offset or fraction (SQLite keeps them as text); whose requests each reach finds; the queue's
//! filters and order; the figures of a Paris year; a past log filed in one go.

mod common;

use common::*;

use cratb_advice::Status;
use cratb_advice::log::LoggedRequest;
use cratb_advice::request::{Context, Figure, NewRequest, RequestInput};
use cratb_advice::{Channel, InfectionSite, QuestionType, Recommendation};
use cratb_directory::network::{NewTeam, TeamInput};
use cratb_domain::{Profession, Role, Scope, Sector};
use cratb_store::advice::{self as store, AdviceQuery, Asker, LoggedRow, Placement, Reach};
use cratb_store::{Db, PageRequest};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

struct Place {
    team: i64,
    other_team: i64,
    asker: i64,
    other_asker: i64,
    member: i64,
}

async fn place(db: &Db) -> Place {
    let chu = establishment(db, "38", 1, "CHU Grenoble", "CHU").await;
    let mut teams = Vec::new();
    for name in ["EMA Grenoble", "EMA Voiron"] {
        let t = NewTeam::validate(
            &TeamInput {
                name: Some(name.into()),
                host_establishment_id: Some(chu),
                sectors: Some(vec!["ES".into(), "VILLE".into()]),
                departments: Some(vec!["38".into()]),
                region: Some(ARA.into()),
                ..Default::default()
            },
            None,
        )
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        teams.push(
            cratb_store::network::create_team(&mut tx, &access(ARA), &t)
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    Place {
        team: teams[0],
        other_team: teams[1],
        asker: user(db, "gp@ville.test", Role::Prescriber, Some(ARA)).await,
        other_asker: user(db, "gp2@ville.test", Role::Prescriber, Some(ARA)).await,
        member: user(db, "ema@chu.test", Role::EmaMember, Some(ARA)).await,
    }
}

fn request(question: &str, site: &str) -> NewRequest {
    NewRequest::validate(
        &RequestInput {
            sector: Some("VILLE".into()),
            department: Some("38".into()),
            age: Some(Figure::Number(40.0)),
            sex: Some("M".into()),
            infection_site: Some(site.into()),
            question_type: Some("choice".into()),
            question: Some(question.into()),
            ..Default::default()
        },
        &Context {
            region: ARA,
            default_department: None,
            today: date!(2026 - 12 - 01),
        },
    )
    .unwrap()
}

struct Filing {
    team: Option<i64>,
    asker: Option<i64>,
    entered_by: Option<i64>,
    assignee: Option<i64>,
    asked_at: OffsetDateTime,
    due_at: OffsetDateTime,
}

async fn file(db: &Db, r: &NewRequest, f: Filing) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let (id, _) = store::insert(
        &mut tx,
        &access(ARA),
        r,
        None,
        &Asker {
            requester_id: f.asker,
            name: "Dr Quelqu'un".into(),
            profession: Some(Profession::Gp),
            professional_id: None,
            rpps: None,
            entered_by_id: f.entered_by,
        },
        &Placement {
            team_id: f.team,
            assignee_id: f.assignee,
            status: Status::Open,
            asked_at: f.asked_at,
            due_at: f.due_at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn overdue_at(db: &Db, now: OffsetDateTime) -> (i64, usize, usize) {
    let n = store::overdue_count(db, &scope(ARA), &Reach::All, now)
        .await
        .unwrap();
    let listed = store::list(
        db,
        &scope(ARA),
        &Reach::All,
        &AdviceQuery {
            overdue: true,
            ..Default::default()
        },
        now,
        PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items
    .len();
    let mut tx = db.begin().await.unwrap();
    let newly = store::newly_overdue(&mut tx, now).await.unwrap().len();
    drop(tx);
    (n, listed, newly)
}

#[tokio::test]
async fn due_times_compare_as_instants_whatever_their_offset_and_fraction() {
    let db = fresh().await;
    let p = place(&db).await;
    // Due at 14:00:00.250 Paris, given with the Paris offset and a fraction of a second.
    let due = datetime!(2026-12-01 14:00:00.250 +1);
    let id = file(
        &db,
        &request("Question", "urinary"),
        Filing {
            team: Some(p.team),
            asker: Some(p.asker),
            entered_by: None,
            assignee: None,
            asked_at: datetime!(2026-12-01 10:00:00.5 +1),
            due_at: due,
        },
    )
    .await;
    // Times are kept to the second, in UTC.
    let case = store::get(&db, &scope(ARA), &Reach::All, id, due)
        .await
        .unwrap();
    assert_eq!(case.summary.due_at, datetime!(2026-12-01 13:00:00 UTC));
    assert_eq!(case.summary.asked_at, datetime!(2026-12-01 09:00:00 UTC));
    assert!(!case.summary.overdue);
    if let Db::Sqlite(_) = db {
        // One width of text for every time, so that text order is time order.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM advice_requests WHERE due_at = '2026-12-01T13:00:00Z'"
            )
            .await,
            1
        );
    }
    // Earlier the same second, in the second, the next second, an hour later in another
    // offset: each backend says the same.
    for (now, late) in [
        (datetime!(2026-12-01 12:59:59.999 UTC), 0),
        (datetime!(2026-12-01 13:00:00 UTC), 0),
        (datetime!(2026-12-01 13:00:00.5 UTC), 0),
        (datetime!(2026-12-01 14:00:00.75 +1), 0),
        (datetime!(2026-12-01 13:00:01 UTC), 1),
        (datetime!(2026-12-01 13:00:01.000001 UTC), 1),
        (datetime!(2026-12-01 14:00:01.5 +1), 1),
        (datetime!(2026-12-01 08:30:00 -5), 1),
        (datetime!(2026-12-01 07:59:00 -5), 0),
    ] {
        assert_eq!(
            overdue_at(&db, now).await,
            (late, late as usize, late as usize),
            "at {now}"
        );
        let s = store::get(&db, &scope(ARA), &Reach::All, id, now)
            .await
            .unwrap();
        assert_eq!(s.summary.overdue, late == 1, "at {now}");
    }
}

#[tokio::test]
async fn each_reach_finds_its_requests_and_the_queue_filters_and_orders_them() {
    let db = fresh().await;
    let p = place(&db).await;
    let at = datetime!(2026-12-01 10:00 +1);
    let team_one = file(
        &db,
        &request("Pyélonéphrite", "urinary"),
        Filing {
            team: Some(p.team),
            asker: Some(p.asker),
            entered_by: None,
            assignee: None,
            asked_at: at,
            due_at: at + Duration::hours(4),
        },
    )
    .await;
    let other_team = file(
        &db,
        &request("Érysipèle", "skin_soft_tissue"),
        Filing {
            team: Some(p.other_team),
            asker: Some(p.other_asker),
            entered_by: None,
            assignee: Some(p.member),
            asked_at: at,
            due_at: at + Duration::hours(1),
        },
    )
    .await;
    let phoned = file(
        &db,
        &request("Appel pour une pneumonie", "respiratory_lower"),
        Filing {
            team: Some(p.other_team),
            asker: None,
            entered_by: Some(p.member),
            assignee: None,
            asked_at: at,
            due_at: at + Duration::hours(2),
        },
    )
    .await;
    let nobody = file(
        &db,
        &request("Sans équipe", "urinary"),
        Filing {
            team: None,
            asker: Some(p.other_asker),
            entered_by: None,
            assignee: None,
            asked_at: at,
            due_at: at + Duration::hours(3),
        },
    )
    .await;
    let now = at + Duration::minutes(150);
    let ids = |reach: Reach, q: AdviceQuery, s: Scope| {
        let db = db.clone();
        async move {
            store::list(&db, &s, &reach, &q, now, PageRequest::new(None, None))
                .await
                .unwrap()
                .items
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    let all = AdviceQuery::default;

    // Overdue first (by due time), then the others by due time.
    assert_eq!(
        ids(Reach::All, all(), scope(ARA)).await,
        [other_team, phoned, nobody, team_one]
    );
    assert!(ids(Reach::All, all(), scope(BZH)).await.is_empty());
    assert_eq!(
        ids(Reach::Own(p.asker), all(), scope(ARA)).await,
        [team_one]
    );
    // Who entered a call sees it as their own.
    assert_eq!(ids(Reach::Own(p.member), all(), scope(ARA)).await, [phoned]);
    // A member of the first team, given a request of the other.
    assert_eq!(
        ids(
            Reach::Teams {
                teams: vec![p.team],
                user: p.member
            },
            all(),
            scope(ARA)
        )
        .await,
        [other_team, phoned, team_one]
    );
    // A member of no team: what they asked or were given only.
    assert_eq!(
        ids(
            Reach::Teams {
                teams: vec![],
                user: p.other_asker
            },
            all(),
            scope(ARA)
        )
        .await,
        [other_team, nobody]
    );
    assert!(matches!(
        store::get(&db, &scope(ARA), &Reach::Own(p.asker), other_team, now).await,
        Err(cratb_store::StoreError::NotFound)
    ));
    assert!(matches!(
        store::get(&db, &scope(BZH), &Reach::All, team_one, now).await,
        Err(cratb_store::StoreError::NotFound)
    ));

    // The filters.
    let q = |f: fn(&mut AdviceQuery)| {
        let mut q = all();
        f(&mut q);
        q
    };
    assert_eq!(
        ids(Reach::All, q(|q| q.overdue = true), scope(ARA)).await,
        [other_team, phoned]
    );
    assert_eq!(
        ids(
            Reach::All,
            q(|q| q.site = Some(InfectionSite::Urinary)),
            scope(ARA)
        )
        .await,
        [nobody, team_one]
    );
    assert_eq!(
        ids(
            Reach::All,
            AdviceQuery {
                team_id: Some(p.other_team),
                ..all()
            },
            scope(ARA)
        )
        .await,
        [other_team, phoned]
    );
    assert_eq!(
        ids(
            Reach::All,
            AdviceQuery {
                assignee: Some(p.member),
                ..all()
            },
            scope(ARA)
        )
        .await,
        [other_team]
    );
    assert_eq!(
        ids(
            Reach::All,
            AdviceQuery {
                mine: Some(p.other_asker),
                ..all()
            },
            scope(ARA)
        )
        .await,
        [other_team, nobody]
    );
    assert_eq!(
        ids(
            Reach::All,
            q(|q| q.q = Some(" PNEUMONIE ".into())),
            scope(ARA)
        )
        .await,
        [phoned]
    );
    assert_eq!(
        ids(
            Reach::All,
            q(|q| q.status = Some(Status::Queued)),
            scope(ARA)
        )
        .await,
        Vec::<i64>::new()
    );

    // A closed request goes last; an answered one is no longer overdue.
    let mut tx = db.begin().await.unwrap();
    store::set_status(&mut tx, other_team, Status::Closed, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        ids(Reach::All, all(), scope(ARA)).await,
        [phoned, nobody, team_one, other_team]
    );
    assert_eq!(
        store::overdue_count(&db, &scope(ARA), &Reach::All, now)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn a_year_is_counted_in_paris_time_and_a_past_log_is_filed_whole() {
    let db = fresh().await;
    let p = place(&db).await;
    // 00:30 on 1 January 2026 in Paris is 23:30 UTC on 31 December 2025; 00:30 on 1 January
    // 2027 in Paris is 23:30 UTC on 31 December 2026.
    let logged = |asked_at: OffsetDateTime, team: Option<i64>| LoggedRequest {
        asked_at,
        answered_at: Some(asked_at + Duration::minutes(45)),
        channel: Channel::Phone,
        profession: Profession::Gp,
        sector: Sector::Ville,
        department: "38".into(),
        site: InfectionSite::Urinary,
        question: QuestionType::Choice,
        recommendations: vec![Recommendation::Stop, Recommendation::Start],
        adherence: None,
        team_id: team,
    };
    let rows: Vec<LoggedRow> = [
        (datetime!(2025-12-31 23:30 UTC), Some(p.team)),
        (datetime!(2026-06-01 10:00 +2), None),
        (datetime!(2026-12-31 23:30 UTC), Some(p.team)),
    ]
    .into_iter()
    .map(|(at, team)| LoggedRow {
        request: logged(at, team),
        due_at: at + Duration::hours(4),
    })
    .collect();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::import_log(&mut tx, &access(ARA), &rows)
            .await
            .unwrap(),
        3
    );
    tx.commit().await.unwrap();
    let c = store::counted(&db, &access(ARA), 2026, None).await.unwrap();
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].asked_at, datetime!(2025-12-31 23:30 UTC));
    assert_eq!(c[0].recommendations.len(), 2);
    assert!(c[0].recommendations.contains(&Recommendation::Start));
    assert_eq!(
        store::counted(&db, &access(ARA), 2027, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store::counted(&db, &access(ARA), 2026, Some(p.team))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store::counted(&db, &access(BZH), 2026, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store::years(&db, &access(ARA)).await.unwrap(), [2027, 2026]);
    // References of the year asked (Paris), all different; closed, not in the queue.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM advice_requests WHERE reference LIKE 'AV-2026-%' AND status = 'closed' AND imported"
        )
        .await,
        2
    );
    assert_eq!(
        store::list(
            &db,
            &scope(ARA),
            &Reach::All,
            &AdviceQuery::default(),
            datetime!(2027-06-01 10:00 UTC),
            PageRequest::new(None, None)
        )
        .await
        .unwrap()
        .total,
        0
    );

    // A row for a team that does not exist: nothing of the log is kept.
    let mut broken = rows.clone();
    broken[1].request.team_id = Some(999_999);
    let mut tx = db.begin().await.unwrap();
    assert!(
        store::import_log(&mut tx, &access(ARA), &broken)
            .await
            .is_err()
    );
    drop(tx);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM advice_requests").await, 3);
}

#[tokio::test]
async fn the_knowledge_base_matches_words_whatever_their_case_and_accents() {
    let db = fresh().await;
    let p = place(&db).await;
    let at = datetime!(2026-12-01 10:00 +1);
    let mut ids = Vec::new();
    for (q, a, close) in [
        (
            "Érysipèle de jambe chez un diabétique",
            "Amoxicilline 7 jours",
            true,
        ),
        (
            "Échec d'une cystite",
            "Pivmécillinam ; ECBU de contrôle",
            true,
        ),
        ("Érysipèle récidivant", "Pas encore close", false),
    ] {
        let id = file(
            &db,
            &request(q, "skin_soft_tissue"),
            Filing {
                team: Some(p.team),
                asker: Some(p.asker),
                entered_by: None,
                assignee: None,
                asked_at: at,
                due_at: at + Duration::hours(4),
            },
        )
        .await;
        let answer =
            cratb_advice::answer::NewAnswer::validate(&cratb_advice::answer::AnswerInput {
                body: Some(a.into()),
                recommendations: Some(vec!["start".into()]),
                ..Default::default()
            })
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        store::answer(
            &mut tx,
            id,
            Some(p.member),
            "Dr EMA",
            &answer,
            at,
            date!(2026 - 12 - 08),
        )
        .await
        .unwrap();
        if close {
            store::set_status(&mut tx, id, Status::Closed, at)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        ids.push(id);
    }
    let found = |words: &'static str| {
        let db = db.clone();
        async move {
            store::knowledge(&db, &access(ARA), Some(words), None, None, 50)
                .await
                .unwrap()
                .iter()
                .map(|k| k.id)
                .collect::<Vec<_>>()
        }
    };
    for words in [
        "érysipèle",
        "ERYSIPELE",
        "Érysipèle jambe",
        "erysipele amoxicilline",
    ] {
        assert_eq!(found(words).await, [ids[0]], "{words}");
    }
    assert_eq!(found("échec").await, [ids[1]]);
    assert_eq!(found("pivmecillinam ecbu").await, [ids[1]]);
    assert!(found("érysipèle ecbu").await.is_empty());
    assert_eq!(found("").await.len(), 2);
    let k = &store::knowledge(&db, &access(ARA), Some("jambe"), None, None, 50)
        .await
        .unwrap()[0];
    assert_eq!(k.answer, "Amoxicilline 7 jours");
    assert_eq!(
        k.age_band.as_deref(),
        Some(cratb_advice::case::age_band(40).as_str())
    );
    assert!(
        store::knowledge(&db, &access(BZH), None, None, None, 50)
            .await
            .unwrap()
            .is_empty()
    );
}
