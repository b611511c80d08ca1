//! Action plans' pages, over HTTP against the real server (SQLite by default, PostgreSQL when
//! `CRATB_TEST_DATABASE_URL` is set): a referent writes their hospital's plan after a campaign
//! (the grid's criteria proposed as aims), changes an action's status in one click, edits and
//! removes one, and cannot open another hospital's plan; the agency reads but does not edit;
//! the CRAtb's overdue actions and the home page's reminders of what to do; the owners'
//! reminder e-mails, without health data, each sent once.

mod common;

use common::audits::{REFERENT, Setup, actor_of, setup};
use common::{ARS, COORD, TestApp};
use cratb_domain::Scope;
use reqwest::StatusCode;

/// Notes of an action: an action plan holds no health data, and its notes never leave by e-mail.
const NOTES: &str = "Relire les dossiers du bloc B avec l'anesthésiste";

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// A professional of the demo region's directory with an e-mail: id, e-mail.
async fn owner(app: &TestApp) -> (i64, String) {
    let access = Scope::National.access("84").unwrap();
    cratb_store::directory::in_region(&app.db, &access)
        .await
        .unwrap()
        .into_iter()
        .find_map(|p| p.email.clone().map(|e| (p.id, e)))
        .unwrap()
}

/// A plan of `finess` written by the coordinator with one action due on `due`.
async fn coordinator_plan(
    app: &TestApp,
    s: &Setup,
    finess: &str,
    title: &str,
    due: time::Date,
    owner_id: Option<i64>,
) -> i64 {
    cratb_app::plans::create(
        &app.db,
        &actor_of(&s.coord),
        &s.coord,
        &cratb_audit::plan::PlanInput {
            establishment: Some(finess.into()),
            campaign_id: None,
            title: Some("Plan du CRAtb".into()),
            actions: vec![cratb_audit::plan::ActionInput {
                title: Some(title.into()),
                owner_id: owner_id.map(cratb_audit::campaign::Count::Number),
                due_on: Some(due.to_string()),
                notes: Some(NOTES.into()),
                ..Default::default()
            }],
        },
        cratb_store::now(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_referent_writes_and_follows_their_plan_and_no_one_else_s() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let referent = app.client(REFERENT).await;
    let today = cratb_domain::paris::today(cratb_store::now());
    let due = (today + time::Duration::days(40)).to_string();
    let cid = s.campaign.to_string();
    // The demo's own plans, which this test leaves as they are.
    let plans = common::scalar(&app.db, "SELECT COUNT(*) FROM action_plans").await;

    // The form after the campaign proposes its grid's criteria as aims.
    let form = referent
        .page(&format!(
            "/action-plans/new?establishment={}&campaign={}",
            s.own, s.campaign
        ))
        .await;
    assert!(
        form.contains("Antibioprophylaxie chirurgicale (pages)"),
        "{form}"
    );
    let criteria = common::extract(&form, "name=\"a_aim_criterion\"", "</select>").unwrap();
    assert!(
        criteria.contains("value=\"delai_avant_incision_min\""),
        "{criteria}"
    );
    assert!(
        !criteria.contains("value=\"molecule_detail\""),
        "context only: {criteria}"
    );

    // Bad input comes back in place, nothing stored.
    let res = referent
        .post_form(
            "/action-plans/new",
            &[
                ("establishment", s.own.as_str()),
                ("campaign_id", cid.as_str()),
                ("title", ""),
                ("a_title", "Protocole révisé"),
                ("a_due_on", "le mois prochain"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"title-error\""), "{page}");
    assert!(page.contains("id=\"a_due_on-error\""), "{page}");
    assert!(
        page.contains("value=\"Protocole révisé\""),
        "typed values kept"
    );
    assert_eq!(
        common::scalar(&app.db, "SELECT COUNT(*) FROM action_plans").await,
        plans
    );

    // Written.
    let res = referent
        .post_form(
            "/action-plans/new",
            &[
                ("establishment", s.own.as_str()),
                ("campaign_id", cid.as_str()),
                ("title", "Plan antibioprophylaxie 2026"),
                ("a_title", "Protocole révisé au bloc"),
                ("a_due_on", due.as_str()),
                ("a_aim_criterion", "delai_avant_incision_min"),
                ("a_notes", "Avec l'équipe d'anesthésie"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id: i64 = to
        .trim_start_matches("/action-plans/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{to}"));
    let page = referent.page(&to).await;
    assert!(page.contains("id=\"saved\""));
    assert!(page.contains("Protocole révisé au bloc"));
    assert!(page.contains("Prévue"), "statuses in French");
    // The aim in words: the criterion's label, not its code.
    assert!(!page.contains(">delai_avant_incision_min<"), "{page}");
    let action: i64 = common::scalar(
        &app.db,
        &format!("SELECT MAX(id) FROM plan_actions WHERE plan_id = {id}"),
    )
    .await;

    // One click: under way.
    let res = referent
        .post_form(
            &format!("/action-plans/{id}/actions/{action}/status"),
            &[("status", "in_progress")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = referent.page(&location(&res)).await;
    assert!(
        page.contains("data-status=\"in_progress\">En cours<"),
        "{page}"
    );
    // The change is in the audit log.
    let logged = common::scalar(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'action_plan.update'",
    )
    .await;
    assert!(logged >= 1);

    // Edited through its form, then an action added and removed.
    let edit = referent
        .page(&format!("/action-plans/{id}?edit={action}"))
        .await;
    assert!(
        edit.contains(&format!("name=\"action\" value=\"{action}\"")),
        "{edit}"
    );
    let res = referent
        .post_form(
            &format!("/action-plans/{id}/actions"),
            &[
                ("action", action.to_string().as_str()),
                ("title", "Protocole révisé et affiché au bloc"),
                ("due_on", due.as_str()),
                ("status", "done"),
                ("aim_criterion", "delai_avant_incision_min"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = referent.page(&format!("/action-plans/{id}")).await;
    assert!(page.contains("Protocole révisé et affiché au bloc"));
    assert!(page.contains("data-status=\"done\">Réalisée<"), "{page}");
    let res = referent
        .post_form(
            &format!("/action-plans/{id}/actions"),
            &[("title", "Audit flash"), ("due_on", due.as_str())],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let added: i64 = common::scalar(
        &app.db,
        &format!("SELECT MAX(id) FROM plan_actions WHERE plan_id = {id}"),
    )
    .await;
    assert_ne!(added, action);
    let page = referent.page(&format!("/action-plans/{id}")).await;
    assert!(page.contains("data-confirm="), "removal asks first");
    let res = referent
        .post_button(&format!("/action-plans/{id}/actions/{added}/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        common::scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM plan_actions WHERE plan_id = {id}")
        )
        .await,
        1
    );
    let list = referent.page("/action-plans").await;
    assert!(list.contains("Plan antibioprophylaxie 2026"));
    assert!(list.contains("1 / 1"), "done / total: {list}");

    // Another hospital's plan: not found for the referent, nor can they change it.
    let theirs = coordinator_plan(
        &app,
        &s,
        &s.other,
        "Action d'un autre hôpital",
        today + time::Duration::days(10),
        None,
    )
    .await;
    let res = referent
        .get(&format!("/action-plans/{theirs}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let their_action: i64 = common::scalar(
        &app.db,
        &format!("SELECT MAX(id) FROM plan_actions WHERE plan_id = {theirs}"),
    )
    .await;
    let res = referent
        .post_form(
            &format!("/action-plans/{theirs}/actions/{their_action}/status"),
            &[("status", "done")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        !referent
            .page("/action-plans")
            .await
            .contains("Plan du CRAtb")
    );
    // Nor write one for it.
    let res = referent
        .post_form(
            "/action-plans/new",
            &[
                ("establishment", s.other.as_str()),
                ("title", "Pas le mien"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The agency reads every plan of the region, without a form; its writes are refused.
    let ars = app.client(ARS).await;
    let page = ars
        .get(&format!("/action-plans/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"read-only\""));
    assert!(!page.contains("id=\"action-form\""));
    let res = ars
        .post_form(
            &format!("/action-plans/{id}/actions/{action}/status"),
            &[("status", "abandoned")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = ars.get("/action-plans/new").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let list = ars.page("/action-plans").await;
    assert!(list.contains("Plan antibioprophylaxie 2026") && list.contains("Plan du CRAtb"));

    // In English too.
    let en = referent
        .in_lang("en")
        .page(&format!("/action-plans/{id}"))
        .await;
    assert!(en.contains("Done"), "{en}");
}

#[tokio::test]
async fn overdue_actions_are_shown_first_and_their_owners_reminded_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let today = cratb_domain::paris::today(cratb_store::now());
    let (owner_id, owner_email) = owner(&app).await;
    // The demo's actions due or overdue are reminded first, so that what follows is this test's.
    cratb_web::advice::run_plan_reminders(&app.state, &app.base, cratb_store::now())
        .await
        .unwrap();
    let late_title = "Former les internes à la réévaluation";
    let plan = coordinator_plan(
        &app,
        &s,
        &s.own,
        late_title,
        today - time::Duration::days(4),
        Some(owner_id),
    )
    .await;

    // The coordinator: the region's overdue actions, with the days late, and their count at home.
    let coord = app.client(COORD).await;
    let overdue = coord.page("/action-plans/overdue").await;
    let table = common::extract(&overdue, "id=\"overdue\"", "</table>").unwrap();
    assert!(table.contains(late_title), "{overdue}");
    assert!(table.contains(">4<"), "4 days late: {table}");
    let home = coord.page("/").await;
    let region = common::extract(&home, "id=\"region-overdue\"", "</a>").unwrap();
    let late = common::scalar(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id
             WHERE p.region_code = '84' AND a.status IN ('planned', 'in_progress') AND a.due_on < '{today}'"
        ),
    )
    .await;
    assert!(late >= 1);
    assert!(
        region.contains(&format!("{late} actions en retard"))
            || (late == 1 && region.contains("1 action en retard")),
        "{late}: {region}"
    );

    // The referent: their overdue action first on the plans' page and at home, with the open
    // campaign whose cases are left to enter.
    let referent = app.client(REFERENT).await;
    let list = referent.page("/action-plans").await;
    let late = common::extract(&list, "id=\"late-list\"", "</ul>").unwrap();
    assert!(late.contains(late_title) && late.contains(&format!("/action-plans/{plan}")));
    let home = referent.page("/").await;
    let audits = common::extract(&home, "id=\"audits\"", "</section>").unwrap();
    assert!(audits.contains(late_title), "{audits}");
    assert!(
        audits.contains(&format!("id=\"campaign-{}\"", s.campaign)),
        "{audits}"
    );
    assert!(audits.contains("0 / 5"), "{audits}");

    // The owner is reminded once the due date has passed: the establishment, the action and a
    // link; never the notes.
    let before = common::mails(&app.mail_dir).len();
    let sent = cratb_web::advice::run_plan_reminders(&app.state, &app.base, cratb_store::now())
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mails = common::mails(&app.mail_dir);
    assert_eq!(mails.len(), before + 1);
    let mail = mails
        .iter()
        .find(|m| m.contains(&format!("/action-plans/{plan}")))
        .unwrap_or_else(|| panic!("{mails:?}"));
    assert!(mail.contains(&owner_email), "{mail}");
    assert!(mail.contains("former les internes") || mail.contains("Former les internes"));
    assert!(!mail.contains("anesth"), "no notes: {mail}");
    assert!(!mail.contains("bloc B"), "no notes: {mail}");
    // Once.
    let again = cratb_web::advice::run_plan_reminders(&app.state, &app.base, cratb_store::now())
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(common::mails(&app.mail_dir).len(), before + 1);
}
