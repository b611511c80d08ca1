//! The demo's audits: the shipped grids, three campaigns (one open), about 1,500 validated
//! cases, plans with actions at every status, the referent's hospital behind in the open
//! campaign, and a later campaign better on the criteria the plans aimed at and not elsewhere.

use cratb_audit::Grid;
use cratb_audit::campaign::State;
use cratb_audit::cases::Case;
use cratb_audit::entry::answers_in_order;
use cratb_audit::plan::AimKind;
use cratb_audit::results::{Row, results};
use cratb_demo::audits::{AIMED, NURSING_HOME_UTI, REFERENT_DRAFTS, REFERENT_VALIDATED, SURGICAL};
use cratb_domain::{Finess, Scope, paris};
use cratb_store::audits::{self as store, CaseQuery};
use cratb_store::plans::{self, PlanQuery};
use cratb_store::{Db, users};
use std::collections::BTreeSet;
use time::Duration;

async fn cases_of(db: &Db, grid: &Grid, id: i64) -> Vec<Case> {
    store::cases(
        db,
        id,
        &CaseQuery {
            establishments: None,
            validated_only: true,
        },
    )
    .await
    .unwrap()
    .iter()
    .map(|r| Case {
        line: 0,
        case_id: r.case_number.clone(),
        establishment: Finess::parse(&r.finess).unwrap(),
        answers: answers_in_order(grid, &r.answers),
    })
    .collect()
}

fn rate(rows: &[Row], code: &str) -> f64 {
    let r = rows.iter().find(|r| r.criterion == code).unwrap();
    r.n_conform as f64 / r.n_applicable as f64
}

/// The two-proportion z statistic of criterion `code` from `before` to `after` (pooled).
fn z(before: &[Row], after: &[Row], code: &str) -> f64 {
    let b = before.iter().find(|r| r.criterion == code).unwrap();
    let a = after.iter().find(|r| r.criterion == code).unwrap();
    let (n1, n2) = (b.n_applicable as f64, a.n_applicable as f64);
    let p = (b.n_conform + a.n_conform) as f64 / (n1 + n2);
    (rate(after, code) - rate(before, code)) / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

#[tokio::test]
async fn the_demo_audits_two_years_of_surgical_prophylaxis_and_the_plans_between() {
    let url = cratb_testkit::fresh_database("cratb_demo_audits").await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let started = std::time::Instant::now();
    // Seed 7 as the other demo tests; another through `CRATB_DEMO_SEED` to try the story holds.
    let seed = std::env::var("CRATB_DEMO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let report = cratb_demo::generate_with(&db, seed, 0).await.unwrap();
    eprintln!("demo (no isolates) generated in {:?}", started.elapsed());
    let today = paris::today(cratb_store::now());

    // The library holds the five shipped grids.
    let grids = store::grids(&db).await.unwrap();
    assert_eq!(grids.len(), 5);
    assert!(grids.iter().all(|g| g.shipped));

    // Three campaigns: the surgical ones a year apart (the later open), the nursing homes'.
    let campaigns = store::campaigns(&db, &Scope::National, None).await.unwrap();
    assert_eq!(campaigns.len(), 3);
    assert_eq!(report.audit_campaigns, 3);
    let surgical: Vec<_> = campaigns
        .iter()
        .filter(|c| c.grid_code == SURGICAL)
        .collect();
    assert_eq!(surgical.len(), 2);
    let (later, earlier) = if surgical[0].starts_on > surgical[1].starts_on {
        (surgical[0], surgical[1])
    } else {
        (surgical[1], surgical[0])
    };
    assert_eq!(
        later
            .starts_on
            .replace_year(later.starts_on.year() - 1)
            .unwrap(),
        earlier.starts_on
    );
    assert_eq!(State::on(later.starts_on, later.closed, today), State::Open);
    assert!(earlier.closed);
    let uti = campaigns
        .iter()
        .find(|c| c.grid_code == NURSING_HOME_UTI)
        .unwrap();
    assert!(uti.closed);

    // About 1,500 validated cases, drafts only in the open campaign.
    let validated: i64 = campaigns.iter().map(|c| c.cases).sum();
    assert_eq!(validated as usize, report.audit_cases);
    assert!((1_300..=1_700).contains(&validated), "{validated}");
    eprintln!(
        "{validated} validated cases, {} drafts, {} plans",
        later.drafts, report.action_plans
    );
    assert!(later.drafts > 0);
    assert_eq!(earlier.drafts + uti.drafts, 0);
    assert!(campaigns.iter().all(|c| c.target == 30));

    // Every participant is a surgical hospital (surgical grid) or an EHPAD; some complete,
    // some behind.
    for c in &campaigns {
        let ps = store::participants(&db, c.id).await.unwrap();
        assert_eq!(ps.len() as i64, c.participants);
        for p in &ps {
            if c.grid_code == SURGICAL {
                assert!(["CHU", "CH", "CLINIQUE"].contains(&p.category.as_str()));
            } else {
                assert_eq!(p.category, "EHPAD");
            }
            assert!(p.validated <= 30);
        }
        assert!(ps.iter().any(|p| p.validated == 30), "{}", c.title);
        assert!(ps.iter().any(|p| p.validated < 30), "{}", c.title);
    }

    // The demo referent's hospital is in the open campaign with cases left to enter.
    let referent = users::find_by_email(&db, "referent@demo.cratb.fr")
        .await
        .unwrap();
    let mine = store::participants(&db, later.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.establishment_id == referent.establishment_ids[0])
        .expect("the referent's hospital takes part");
    assert_eq!(mine.validated as usize, REFERENT_VALIDATED);
    assert_eq!(mine.drafts as usize, REFERENT_DRAFTS);
    // Entered under their account, before now.
    let theirs = store::cases(
        &db,
        later.id,
        &CaseQuery {
            establishments: Some(vec![mine.establishment_id]),
            validated_only: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(theirs.len(), REFERENT_VALIDATED + REFERENT_DRAFTS);
    assert!(
        theirs
            .iter()
            .all(|c| c.entered_by == referent.email && c.source == "demo")
    );
    assert!(theirs.iter().all(|c| c.updated_at <= cratb_store::now()));

    // Plans after the earlier campaign for most of its hospitals, and one from an indicator.
    let all_plans = plans::plans(&db, &Scope::National, &PlanQuery::default(), today)
        .await
        .unwrap();
    assert_eq!(all_plans.len(), report.action_plans);
    let after = all_plans
        .iter()
        .filter(|p| p.campaign_id == Some(earlier.id))
        .count() as i64;
    assert!(after * 2 > earlier.participants, "{after}");
    let indicator: Vec<_> = all_plans
        .iter()
        .filter(|p| p.campaign_id.is_none())
        .collect();
    assert_eq!(indicator.len(), 1);
    let ia = plans::actions(&db, indicator[0].id).await.unwrap();
    assert!(ia.iter().any(|a| a.aim_kind == AimKind::Consumption));
    assert!(ia.iter().any(|a| a.aim_kind == AimKind::Resistance));

    // Actions at every status, owners from the region's directory, due before and after today,
    // some overdue.
    let mut statuses = BTreeSet::new();
    let mut aimed = BTreeSet::new();
    let (mut past, mut future) = (0, 0);
    for p in &all_plans {
        for a in plans::actions(&db, p.id).await.unwrap() {
            statuses.insert(a.status.code());
            assert!(a.owner_id.is_some() && a.owner_name.is_some());
            if a.due_on < today {
                past += 1;
            } else {
                future += 1;
            }
            if a.aim_kind == AimKind::Criterion {
                aimed.insert(a.aim.clone().unwrap());
            }
        }
    }
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(past > 0 && future > 0);
    let overdue = plans::open_actions(&db, &Scope::National, today - Duration::days(1))
        .await
        .unwrap();
    assert!(!overdue.is_empty());
    assert!(overdue.iter().all(|o| o.action.status.is_open()));
    assert!(all_plans.iter().any(|p| p.overdue > 0));
    let aimed_expected: BTreeSet<String> = AIMED.iter().map(|s| s.to_string()).collect();
    assert_eq!(aimed, aimed_expected);

    // The later campaign is better on the criteria the plans aimed at, not on the others.
    let (_, grid) = store::grid(&db, earlier.grid_id).await.unwrap();
    let before = results(&grid, &cases_of(&db, &grid, earlier.id).await, &[]);
    let now = results(&grid, &cases_of(&db, &grid, later.id).await, &[]);
    // Aimed at: better by at least 8 points, beyond chance (z > 3); elsewhere, within chance
    // (|z| < 2.5).
    for code in AIMED {
        let (b, n, z) = (
            rate(&before, code),
            rate(&now, code),
            z(&before, &now, code),
        );
        eprintln!("{code}: {b:.3} → {n:.3}, z = {z:.2} (aimed)");
        assert!(n - b > 0.08 && z > 3.0, "{code}: {b} → {n}, z = {z}");
    }
    for code in [
        "indication_selon_sfar",
        "antibioprophylaxie_administree",
        "molecule",
        "reinjection_peroperatoire",
    ] {
        let (b, n, z) = (
            rate(&before, code),
            rate(&now, code),
            z(&before, &now, code),
        );
        eprintln!("{code}: {b:.3} → {n:.3}, z = {z:.2}");
        assert!(z.abs() < 2.5, "{code}: {b} → {n}, z = {z}");
    }
    // The usual levels: timing about 70 %, duration about 60 %, re-dosing about 50 %.
    assert!((0.6..0.8).contains(&rate(&before, "delai_avant_incision_min")));
    assert!((0.5..0.7).contains(&rate(&before, "duree_totale_heures")));
    assert!((0.35..0.65).contains(&rate(&before, "reinjection_peroperatoire")));
}
