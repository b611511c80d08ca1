//! Signing in under throttling, on SQLite and on PostgreSQL (when `CRATB_TEST_DATABASE_URL`
//! is set): parallel attempts cannot outrun the count, a trusted browser is not locked out by
//! failures elsewhere, an account's counters can be cleared, and a flood of failures writes a
//! few audit entries that count every attempt.

mod common;

use common::*;

use cratb_app::sessions::{Origin, SignIn, clear_login_throttle, sign_in};
use cratb_domain::{Email, NewUser, Role};
use cratb_store::{Db, throttle, users};

const EMAIL: &str = "camille@cratb.test";
const PASSWORD: &str = "Correct-horse-battery-staple-42";

async fn account(db: &Db) -> cratb_domain::User {
    let mut tx = db.begin().await.unwrap();
    users::create(
        &mut tx,
        &NewUser {
            email: Email::parse(EMAIL).unwrap(),
            display_name: "Camille Martin".into(),
            role: Role::Coordinator,
            region: Some(cratb_domain::RegionCode::parse("84").unwrap()),
            establishments: vec![],
            teams: vec![],
            password: Some(PASSWORD.into()),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    users::find_by_email(db, EMAIL).await.unwrap()
}

fn from(ip: &str) -> Origin {
    Origin {
        ip: Some(ip.into()),
        ..Default::default()
    }
}

/// What sixty attempts at once came to: (passwords checked and refused, attempts throttled).
async fn parallel_attempts(db: &Db, origin: &Origin, email: &str, n: usize) -> (usize, usize) {
    let attempts: Vec<_> = (0..n)
        .map(|_| {
            let (db, origin, email) = (db.clone(), origin.clone(), email.to_owned());
            tokio::spawn(async move {
                sign_in(&db, &origin, &email, "mauvais-mot-de-passe", None).await
            })
        })
        .collect();
    let (mut refused, mut throttled) = (0, 0);
    for a in attempts {
        match a.await.unwrap().unwrap() {
            SignIn::Refused => refused += 1,
            SignIn::Throttled => throttled += 1,
            SignIn::Opened { .. } | SignIn::SecondFactor { .. } => {
                panic!("a wrong password was accepted")
            }
        }
    }
    (refused, throttled)
}

/// Events of `action` the audit log accounts for (an entry standing for several counts them).
async fn events(db: &Db, action: &str) -> i64 {
    let since = cratb_store::now() - time::Duration::hours(1);
    cratb_store::audit::count_since(db, &cratb_domain::Scope::National, action, since)
        .await
        .unwrap()
}

/// Sixty wrong passwords at once check no more passwords than the free failures, and the right
/// one is then refused while the delay runs (it was once accepted after 39 parallel failures).
#[tokio::test]
async fn parallel_wrong_passwords_are_checked_within_the_allowance() {
    let db = fresh().await;
    account(&db).await;
    let origin = from("203.0.113.7");
    let (refused, throttled) = parallel_attempts(&db, &origin, EMAIL, 60).await;
    assert!(
        refused as i64 <= throttle::FREE_FAILURES,
        "{refused} passwords checked"
    );
    // What the counters say is what was checked.
    for key in [
        throttle::account_key(EMAIL),
        throttle::address_key(origin.ip.as_deref()),
    ] {
        let sql = format!("SELECT failures FROM login_throttle WHERE key = '{key}'");
        assert_eq!(count(&db, &sql).await, refused as i64, "{key}");
    }
    assert_eq!(refused + throttled, 60);
    let right = sign_in(&db, &origin, EMAIL, PASSWORD, None).await.unwrap();
    assert!(matches!(right, SignIn::Throttled), "{right:?}");
    // From another address too: the account itself waits.
    let right = sign_in(&db, &from("198.51.100.4"), EMAIL, PASSWORD, None)
        .await
        .unwrap();
    assert!(matches!(right, SignIn::Throttled), "{right:?}");
    // Every attempt is in the log, as many as were made of each kind.
    assert_eq!(events(&db, "login.failure").await, refused as i64);
    assert_eq!(events(&db, "login.throttled").await, throttled as i64 + 2);
    // The first of each kind in full, one entry for the rest, one for the other address.
    assert!(count(&db, "SELECT COUNT(*) FROM audit_log").await <= 5);
}

/// A browser that signed in to the account carries a device token: fifty failures from an
/// attacker do not stop it, while any other client waits for the account.
#[tokio::test]
async fn the_owners_browser_signs_in_whatever_an_attacker_tries() {
    let db = fresh().await;
    let user = account(&db).await;
    let SignIn::Opened { device, .. } = sign_in(&db, &from("192.0.2.10"), EMAIL, PASSWORD, None)
        .await
        .unwrap()
    else {
        panic!("the owner signs in");
    };
    let owner = Origin {
        ip: Some("192.0.2.10".into()),
        devices: device.split('.').map(str::to_owned).collect(),
        ..Default::default()
    };
    for i in 0..50 {
        let attacker = from(&format!("203.0.113.{}", i % 3));
        let r = sign_in(&db, &attacker, EMAIL, "mauvais-mot-de-passe", None)
            .await
            .unwrap();
        assert!(matches!(r, SignIn::Refused | SignIn::Throttled));
    }
    // The account waits now; a longer attack leaves it waiting a quarter of an hour (which
    // spares this test a race with the end of a one-second wait).
    for _ in 0..10 {
        throttle::record_failure(&db, &[throttle::account_key(EMAIL)])
            .await
            .unwrap();
    }
    let stranger = sign_in(&db, &from("198.51.100.4"), EMAIL, PASSWORD, None)
        .await
        .unwrap();
    assert!(
        matches!(stranger, SignIn::Throttled),
        "an unknown browser waits"
    );
    // The owner's own mistakes are counted on the browser's key, and still let it in.
    let typo = sign_in(&db, &owner, EMAIL, "presque-le-bon", None)
        .await
        .unwrap();
    assert!(matches!(typo, SignIn::Refused), "{typo:?}");
    let again = sign_in(&db, &owner, EMAIL, PASSWORD, None).await.unwrap();
    let SignIn::Opened { device: kept, .. } = again else {
        panic!("the owner's browser is let in: {again:?}");
    };
    assert_eq!(kept, device, "the browser keeps its token");
    // A device token of this account does nothing for another one.
    let other = sign_in(&db, &owner, "dominique@cratb.test", PASSWORD, None)
        .await
        .unwrap();
    assert!(matches!(other, SignIn::Refused | SignIn::Throttled));

    // Clearing the account's counters (a reset link used, a second factor given) lets any
    // browser in again.
    assert!(clear_login_throttle(&db, &user).await.unwrap() >= 1);
    let stranger = sign_in(&db, &from("198.51.100.4"), EMAIL, PASSWORD, None)
        .await
        .unwrap();
    assert!(matches!(stranger, SignIn::Opened { .. }), "{stranger:?}");
}

/// Made-up e-mails from one address slow that address, not the others.
#[tokio::test]
async fn failures_with_made_up_emails_slow_their_address_only() {
    let db = fresh().await;
    account(&db).await;
    for i in 0..throttle::FREE_FAILURES + 1 {
        let r = sign_in(
            &db,
            &from("203.0.113.7"),
            &format!("inconnu{i}@exemple.fr"),
            "x",
            None,
        )
        .await
        .unwrap();
        assert!(matches!(r, SignIn::Refused | SignIn::Throttled));
    }
    let blocked = sign_in(&db, &from("203.0.113.7"), EMAIL, PASSWORD, None)
        .await
        .unwrap();
    assert!(matches!(blocked, SignIn::Throttled), "{blocked:?}");
    let other = sign_in(&db, &from("198.51.100.4"), EMAIL, PASSWORD, None)
        .await
        .unwrap();
    assert!(matches!(other, SignIn::Opened { .. }), "{other:?}");
}

/// Hundreds of failures from one address write a bounded number of audit entries, whose
/// counts add up to every attempt.
#[tokio::test]
async fn a_flood_of_failures_writes_a_few_entries_counting_them_all() {
    let db = fresh().await;
    account(&db).await;
    let origin = from("203.0.113.7");
    let (mut refused, mut throttled) = (0, 0);
    for _ in 0..4 {
        let (r, t) = parallel_attempts(&db, &origin, EMAIL, 100).await;
        refused += r;
        throttled += t;
    }
    assert_eq!(refused + throttled, 400);
    let rows = count(&db, "SELECT COUNT(*) FROM audit_log").await;
    assert!(rows <= 2, "{rows} entries before the log is read");
    assert_eq!(events(&db, "login.failure").await, refused as i64);
    assert_eq!(events(&db, "login.throttled").await, throttled as i64);
    let rows = count(&db, "SELECT COUNT(*) FROM audit_log").await;
    assert!(rows <= 4, "{rows} entries once read");
}

/// A success writes the failures counted from its address before its own entry.
#[tokio::test]
async fn a_success_writes_the_failures_counted_before_it() {
    let db = fresh().await;
    account(&db).await;
    let origin = from("192.0.2.10");
    for _ in 0..3 {
        let r = sign_in(&db, &origin, EMAIL, "presque-le-bon", None)
            .await
            .unwrap();
        assert!(matches!(r, SignIn::Refused));
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 1);
    let r = sign_in(&db, &origin, EMAIL, PASSWORD, None).await.unwrap();
    assert!(matches!(r, SignIn::Opened { .. }));
    // Read without flushing: the failure, the entry for the two others, the success last.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 3);
    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(occurrences) AS BIGINT) FROM audit_log WHERE action = 'login.failure'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.success' AND id = (SELECT MAX(id) FROM audit_log)"
        )
        .await,
        1
    );
}
