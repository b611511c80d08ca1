//! Action plans as their people use them: a referent follows their hospital's plan on a phone
//! and marks an action done in one click; the coordinator reads the region's overdue actions
//! on a laptop.

use super::common::TestApp;
use super::{click, login, overflow, requested, screenshot, set_viewport, start_browser, text_of};

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

#[tokio::test]
async fn a_plan_followed_on_a_phone_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let now = cratb_store::now();
    let today = cratb_domain::paris::today(now);
    let referent = cratb_store::users::find_by_email(&app.db, "referent@demo.cratb.fr")
        .await
        .unwrap();
    let hospital = cratb_store::establishments::get(
        &app.db,
        &cratb_domain::Scope::National,
        referent.establishment_ids[0],
    )
    .await
    .unwrap();
    let coord = cratb_store::users::find_by_email(&app.db, "coordination@demo.cratb.fr")
        .await
        .unwrap();
    let action = |title: &str, days: i64, status: &str| cratb_audit::plan::ActionInput {
        title: Some(title.into()),
        due_on: Some((today + time::Duration::days(days)).to_string()),
        status: Some(status.into()),
        aim_kind: Some("consumption".into()),
        aim: Some("J01DD".into()),
        ..Default::default()
    };
    let id = cratb_app::plans::create(
        &app.db,
        &actor_of(&coord),
        &coord,
        &cratb_audit::plan::PlanInput {
            establishment: Some(hospital.finess.clone()),
            campaign_id: None,
            title: Some("Plan céphalosporines de 3e génération".into()),
            actions: vec![
                action("Revue des prescriptions de ceftriaxone", -5, "in_progress"),
                action("Protocole pneumopathie révisé", 20, "planned"),
                action("Formation des internes", -30, "done"),
            ],
        },
        now,
    )
    .await
    .unwrap();

    let (_driver, c) = start_browser().await;
    set_viewport(&c, 390, 844).await;
    login(&c, &app, "referent@demo.cratb.fr").await;
    c.goto(&app.url("/action-plans")).await.unwrap();
    let late = text_of(&c, "#late-list").await;
    assert!(late.contains("ceftriaxone"), "{late}");
    screenshot(&c, "plans-list-phone").await;
    c.goto(&app.url(&format!("/action-plans/{id}")))
        .await
        .unwrap();
    screenshot(&c, "plans-show-phone").await;
    let (over, worst) = overflow(&c).await;
    assert!(
        over <= 0,
        "the plan fits a phone: {over} px too wide ({worst})"
    );
    click(&c, "article.late button[data-set-status=done]").await;
    let saved = text_of(&c, "#saved").await;
    assert!(saved.contains("Enregistré"), "{saved}");
    screenshot(&c, "plans-status-changed-phone").await;
    c.goto(&app.url("/action-plans/new")).await.unwrap();
    screenshot(&c, "plans-new-phone").await;
    let (over, worst) = overflow(&c).await;
    assert!(
        over <= 0,
        "the form fits a phone: {over} px too wide ({worst})"
    );

    c.delete_all_cookies().await.unwrap();
    set_viewport(&c, 1366, 900).await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/action-plans/overdue")).await.unwrap();
    // The demo's own overdue actions remain; this one is done.
    let today = cratb_domain::paris::today(now);
    let late = cratb_testkit::scalar(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id
             WHERE p.region_code = '84' AND a.status IN ('planned', 'in_progress') AND a.due_on < '{today}'"
        ),
    )
    .await;
    assert_eq!(
        cratb_testkit::scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM plan_actions WHERE plan_id = {id} AND status = 'done' AND title LIKE '%ceftriaxone%'"),
        )
        .await,
        1,
        "the overdue action is done"
    );
    let count = text_of(&c, "#late-count").await;
    assert!(
        count.contains(&format!("{late} action")),
        "{late} overdue: {count}"
    );
    screenshot(&c, "plans-overdue-laptop").await;
    c.goto(&app.url("/")).await.unwrap();
    screenshot(&c, "plans-home-coordinator-laptop").await;
}
