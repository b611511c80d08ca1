//! The demo's advice service: its requests, some overdue, and the demo EMA member on the rota
//! of the team that answers the demo prescriber.

use cratb_advice::routing;
use cratb_domain::Scope;
use cratb_domain::Sector;
use cratb_store::{Db, advice, establishments, users};

#[tokio::test]
async fn the_demo_prescriber_asks_the_team_of_the_demo_ema_member_on_duty() {
    let url = cratb_testkit::fresh_database("cratb_demo_advice").await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let started = std::time::Instant::now();
    let report = cratb_demo::generate_with(&db, 7, 4_000).await.unwrap();
    eprintln!("demo (4,000 isolates) generated in {:?}", started.elapsed());
    let n = cratb_demo::advice::requests_for(4_000);
    assert_eq!(n, 200);
    assert_eq!(cratb_demo::advice::requests_for(60_000), 2_000);
    // The requests drawn, and the three of the EMA member's queue.
    assert_eq!(report.advice_requests, n + 3, "every request is routed");
    let count = cratb_testkit::scalar(&db, "SELECT COUNT(*) FROM advice_requests").await;
    assert_eq!(count as usize, report.advice_requests);

    let now = cratb_store::now();
    let overdue = advice::overdue_count(&db, &Scope::National, &advice::Reach::All, now)
        .await
        .unwrap();
    assert!(overdue >= 1, "some are overdue");
    let answered = cratb_testkit::scalar(
        &db,
        "SELECT COUNT(*) FROM advice_requests WHERE first_answer_at IS NOT NULL",
    )
    .await;
    assert!(answered as usize > n * 9 / 10, "{answered}");
    let followed = cratb_testkit::scalar(
        &db,
        "SELECT COUNT(*) FROM advice_requests WHERE followed IS NOT NULL",
    )
    .await;
    assert!(
        followed > answered / 3 && followed < answered * 3 / 4,
        "{followed}"
    );

    // The prescriber's department and sector go to the EMA member's team, where they are on
    // the rota.
    let prescriber = users::find_by_email(&db, "medecin@demo.cratb.fr")
        .await
        .unwrap();
    let place = prescriber.establishment_ids[0];
    let department = establishments::department_of(&db, place)
        .await
        .unwrap()
        .unwrap();
    let access = Scope::National.access("84").unwrap();
    let mut tx = db.begin().await.unwrap();
    let candidates = advice::candidates(&mut tx, &access, cratb_domain::paris::today(now))
        .await
        .unwrap();
    drop(tx);
    let team = routing::route(&candidates, &department, Sector::Ville, None).unwrap();
    let ema = users::find_by_email(&db, "ema@demo.cratb.fr")
        .await
        .unwrap();
    assert!(ema.team_ids.contains(&team));
    let rota = advice::rota(&db, team).await.unwrap();
    assert!(
        rota.iter().any(|s| s.user_id == ema.id && s.weekday <= 5),
        "{rota:?}"
    );
    // Three requests wait in their queue, one of them past its due time.
    let queued = cratb_testkit::scalar(
        &db,
        &format!(
            "SELECT COUNT(*) FROM advice_requests WHERE team_id = {team} AND first_answer_at IS NULL"
        ),
    )
    .await;
    assert!(queued >= 3, "{queued}");
    // Every team of the region has its hours and target.
    let settings = cratb_testkit::scalar(
        &db,
        "SELECT COUNT(*) FROM advice_team_settings s JOIN ema_teams t ON t.id = s.team_id
         WHERE t.region_code = '84' AND s.target_minutes = 240",
    )
    .await;
    let teams = cratb_testkit::scalar(
        &db,
        "SELECT COUNT(*) FROM ema_teams WHERE region_code = '84'",
    )
    .await;
    assert_eq!(settings, teams);
}
