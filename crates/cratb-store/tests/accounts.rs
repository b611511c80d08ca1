//! Accounts, sessions, API tokens and login throttling: creation under the role/region rules,
//! authentication (right and wrong passwords, a disabled account), the sessions' lifetime, the
//! tokens' read-only flag and revocation, the throttle's counters.

mod common;

use common::*;
use cratb_domain::account::{AccountError, PasswordChangeError};
use cratb_domain::{Email, NewUser, Role, Scope};
use cratb_store::users::{self, NewUserError};
use cratb_store::{Db, PageRequest, StoreError, hash_token, sessions, throttle, tokens};
use time::OffsetDateTime;

fn new_user(email: &str, role: Role, reg: Option<&str>, password: &str) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        display_name: "Camille Martin".into(),
        role,
        region: reg.map(region),
        establishments: vec![],
        teams: vec![],
        password: Some(password.into()),
        must_change_password: false,
    }
}

#[tokio::test]
async fn an_account_is_created_under_the_role_and_region_rules() {
    let db = fresh().await;
    let mut tx = db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &new_user("camille@cratb.test", Role::Coordinator, Some(ARA), PASSWORD),
    )
    .await
    .unwrap();
    let refusals = [
        // A regional role needs a region; a national one has none.
        new_user("a@cratb.test", Role::Coordinator, None, PASSWORD),
        new_user("b@cratb.test", Role::NationalAdmin, Some(ARA), PASSWORD),
        // The password policy.
        new_user("c@cratb.test", Role::Coordinator, Some(ARA), "short"),
        NewUser {
            display_name: "   ".into(),
            ..new_user("d@cratb.test", Role::Coordinator, Some(ARA), PASSWORD)
        },
    ];
    let mut kinds = Vec::new();
    for u in &refusals {
        kinds.push(match users::create(&mut tx, u).await {
            Err(NewUserError::Refused(AccountError::RegionRequired)) => "region required",
            Err(NewUserError::Refused(AccountError::RegionForbidden)) => "region forbidden",
            Err(NewUserError::Refused(AccountError::Password(_))) => "password",
            Err(NewUserError::Refused(AccountError::DisplayName)) => "display name",
            other => panic!("{other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "region required",
            "region forbidden",
            "password",
            "display name"
        ]
    );
    tx.commit().await.unwrap();
    // The same e-mail again is a conflict.
    let mut tx = db.begin().await.unwrap();
    let again = users::create(
        &mut tx,
        &new_user("camille@cratb.test", Role::Secretary, Some(BZH), PASSWORD),
    )
    .await;
    assert!(
        matches!(
            again,
            Err(NewUserError::Store(StoreError::Conflict("email")))
        ),
        "{again:?}"
    );
    drop(tx);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 1);

    let u = users::get_unscoped(&db, id).await.unwrap();
    assert_eq!(
        (
            u.email.as_str(),
            u.role(),
            u.region_code.as_deref(),
            u.active
        ),
        ("camille@cratb.test", Role::Coordinator, Some(ARA), true)
    );
    assert_eq!(u.scope(), Some(scope(ARA)));
    // The password is stored as an argon2id hash, never as given.
    let stored = count(
        &db,
        &format!("SELECT COUNT(*) FROM users WHERE id = {id} AND password_hash LIKE '$argon2id$%'"),
    )
    .await;
    assert_eq!(stored, 1);
    assert_eq!(
        users::find_by_email(&db, " Camille@CRATB.test ")
            .await
            .unwrap()
            .id,
        id
    );
}

#[tokio::test]
async fn authentication_takes_the_right_password_of_an_active_account_only() {
    let db = fresh().await;
    let id = user(&db, "camille@cratb.test", Role::Coordinator, Some(ARA)).await;

    let ok = users::authenticate(&db, "  CAMILLE@cratb.test", PASSWORD)
        .await
        .unwrap();
    assert_eq!(ok.map(|u| u.id), Some(id));
    assert!(
        users::authenticate(&db, "camille@cratb.test", "Wrong-horse-battery-staple-42")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users::authenticate(&db, "nobody@cratb.test", PASSWORD)
            .await
            .unwrap()
            .is_none()
    );

    // Disabled: the right password no longer opens it.
    let mut tx = db.begin().await.unwrap();
    users::set_active(&mut tx, &scope(ARA), id, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        users::authenticate(&db, "camille@cratb.test", PASSWORD)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(users::count_inactive(&db, &scope(ARA)).await.unwrap(), 1);

    // A password change: the policy first, then the current password.
    let mut tx = db.begin().await.unwrap();
    users::set_active(&mut tx, &Scope::National, id, true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let new = "Another-long-passphrase-for-2026";
    assert!(matches!(
        users::check_password_change(&db, id, "wrong", new)
            .await
            .unwrap(),
        Err(PasswordChangeError::WrongCurrent)
    ));
    assert!(matches!(
        users::check_password_change(&db, id, PASSWORD, "short")
            .await
            .unwrap(),
        Err(PasswordChangeError::Policy(_))
    ));
    assert!(
        users::check_password_change(&db, id, PASSWORD, new)
            .await
            .unwrap()
            .is_ok()
    );
    let mut tx = db.begin().await.unwrap();
    users::set_password(&mut tx, id, new).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        users::authenticate(&db, "camille@cratb.test", PASSWORD)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users::authenticate(&db, "camille@cratb.test", new)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn accounts_are_read_and_changed_within_their_region() {
    let db = fresh().await;
    let ours = user(&db, "alpes@cratb.test", Role::Coordinator, Some(ARA)).await;
    let secretary = user(&db, "secretariat@cratb.test", Role::Secretary, Some(ARA)).await;
    let theirs = user(&db, "breizh@cratb.test", Role::Coordinator, Some(BZH)).await;
    let national = user(&db, "admin@cratb.test", Role::NationalAdmin, None).await;
    let ara = scope(ARA);

    assert_eq!(users::get(&db, &ara, ours).await.unwrap().id, ours);
    assert!(not_found(users::get(&db, &ara, theirs).await));
    // A national account belongs to no region: out of every regional scope.
    assert!(not_found(users::get(&db, &ara, national).await));
    assert_eq!(
        users::get(&db, &Scope::National, theirs).await.unwrap().id,
        theirs
    );

    let page = users::list(&db, &ara, None, PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        [ours, secretary]
    );
    let searched = users::list(&db, &ara, Some("SECR"), PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(
        searched.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        [secretary]
    );
    let all = users::list(&db, &Scope::National, None, PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        users::count_by_role(&db, &ara).await.unwrap(),
        [("coordinator".to_string(), 1), ("secretary".to_string(), 1)]
    );

    // Another region's account cannot be disabled from here.
    let mut tx = db.begin().await.unwrap();
    assert!(not_found(
        users::set_active(&mut tx, &ara, theirs, false).await
    ));
    assert!(not_found(
        users::set_active(&mut tx, &ara, national, false).await
    ));
    assert!(not_found(
        users::set_active(&mut tx, &ara, 10_000, false).await
    ));
    tx.commit().await.unwrap();
    assert!(users::get_unscoped(&db, theirs).await.unwrap().active);
}

async fn set_session_times(
    db: &Db,
    token: &str,
    last_seen: OffsetDateTime,
    expires: OffsetDateTime,
) {
    let sql = "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3";
    let h = hash_token(token);
    match db {
        Db::Sqlite(p) => sqlx::query(sql)
            .bind(last_seen)
            .bind(expires)
            .bind(&h)
            .execute(p)
            .await
            .map(drop),
        Db::Postgres(p) => sqlx::query(sql)
            .bind(last_seen)
            .bind(expires)
            .bind(&h)
            .execute(p)
            .await
            .map(drop),
    }
    .unwrap();
}

#[tokio::test]
async fn sessions_live_until_logout_idleness_or_their_end() {
    let db = fresh().await;
    let id = user(&db, "camille@cratb.test", Role::Coordinator, Some(ARA)).await;
    let other = user(&db, "dominique@cratb.test", Role::Coordinator, Some(ARA)).await;

    let mut tx = db.begin().await.unwrap();
    let (first, csrf) = sessions::create(&mut tx, id).await.unwrap();
    let (second, _) = sessions::create(&mut tx, id).await.unwrap();
    let (third, _) = sessions::create(&mut tx, id).await.unwrap();
    let (theirs, _) = sessions::create(&mut tx, other).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(first, second);
    // Only the hash of the cookie value is stored.
    let stored = |t: &str| format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{t}'");
    assert_eq!(count(&db, &stored(&first)).await, 0);
    assert_eq!(count(&db, &stored(&hash_token(&first))).await, 1);

    let s = sessions::lookup(&db, &first).await.unwrap().unwrap();
    assert_eq!((s.user.id, s.csrf_token.as_str()), (id, csrf.as_str()));
    assert!(
        sessions::lookup(&db, "not-a-session")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(sessions::count_for_user(&db, id).await.unwrap(), 3);

    // Logout: that session only.
    let mut tx = db.begin().await.unwrap();
    sessions::delete(&mut tx, &s.token_hash).await.unwrap();
    tx.commit().await.unwrap();
    assert!(sessions::lookup(&db, &first).await.unwrap().is_none());
    assert!(sessions::lookup(&db, &second).await.unwrap().is_some());

    // Idle for 31 minutes: over, and removed on sight.
    let t = cratb_store::now();
    set_session_times(
        &db,
        &second,
        t - time::Duration::minutes(31),
        t + time::Duration::hours(1),
    )
    .await;
    assert!(sessions::lookup(&db, &second).await.unwrap().is_none());
    assert_eq!(count(&db, &stored(&hash_token(&second))).await, 0);
    // Past its absolute end, however recently used.
    set_session_times(&db, &third, t, t - time::Duration::seconds(1)).await;
    assert!(sessions::lookup(&db, &third).await.unwrap().is_none());

    // Logout everywhere ends every session of the account, not another's.
    let mut tx = db.begin().await.unwrap();
    let (a, _) = sessions::create(&mut tx, id).await.unwrap();
    let (b, _) = sessions::create(&mut tx, id).await.unwrap();
    assert_eq!(sessions::delete_all_for_user(&mut tx, id).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert!(sessions::lookup(&db, &a).await.unwrap().is_none());
    assert!(sessions::lookup(&db, &b).await.unwrap().is_none());
    assert!(sessions::lookup(&db, &theirs).await.unwrap().is_some());

    // Disabling an account ends its sessions.
    let mut tx = db.begin().await.unwrap();
    users::set_active(&mut tx, &Scope::National, other, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(sessions::lookup(&db, &theirs).await.unwrap().is_none());
    assert_eq!(sessions::count_for_user(&db, other).await.unwrap(), 0);
}

#[tokio::test]
async fn api_tokens_say_whether_they_may_write_and_stop_when_revoked() {
    let db = fresh().await;
    let id = user(&db, "camille@cratb.test", Role::DataManager, Some(ARA)).await;
    let other = user(&db, "dominique@cratb.test", Role::DataManager, Some(ARA)).await;

    let mut tx = db.begin().await.unwrap();
    let (read_id, read) = tokens::create(&mut tx, id, "lecture", false, 365)
        .await
        .unwrap();
    let (write_id, write) = tokens::create(&mut tx, id, " import ", true, 365)
        .await
        .unwrap();
    let (_, theirs) = tokens::create(&mut tx, other, "autre", true, 365)
        .await
        .unwrap();
    assert!(matches!(
        tokens::create(&mut tx, id, "  ", false, 365).await,
        Err(StoreError::Invalid("name"))
    ));
    tx.commit().await.unwrap();
    assert!(read.starts_with(tokens::PREFIX) && write.starts_with(tokens::PREFIX));
    let stored = |t: &str| format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{t}'");
    assert_eq!(count(&db, &stored(&read)).await, 0);
    assert_eq!(count(&db, &stored(&hash_token(&read))).await, 1);

    let (u, can_write) = tokens::authenticate(&db, &read).await.unwrap().unwrap();
    assert_eq!((u.id, can_write), (id, false));
    let (u, can_write) = tokens::authenticate(&db, &write).await.unwrap().unwrap();
    assert_eq!((u.id, can_write), (id, true));
    for wrong in ["", "cratb_0000", "Bearer x", &read[tokens::PREFIX.len()..]] {
        assert!(
            tokens::authenticate(&db, wrong).await.unwrap().is_none(),
            "{wrong}"
        );
    }

    // Listed newest first, with a prefix to tell them apart and their last use.
    let listed = tokens::list(&db, id).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|t| (t.id, t.name.as_str(), t.can_write))
            .collect::<Vec<_>>(),
        [(write_id, "import", true), (read_id, "lecture", false)]
    );
    assert!(read.starts_with(&listed[1].prefix));
    assert!(
        listed
            .iter()
            .all(|t| t.last_used_at.is_some() && t.revoked_at.is_none())
    );

    // Revoked: refused from then on; revoking again, or another's token, is NotFound.
    let mut tx = db.begin().await.unwrap();
    tokens::revoke(&mut tx, id, read_id).await.unwrap();
    assert!(not_found(tokens::revoke(&mut tx, id, read_id).await));
    assert!(not_found(tokens::revoke(&mut tx, other, write_id).await));
    tx.commit().await.unwrap();
    assert!(tokens::authenticate(&db, &read).await.unwrap().is_none());
    assert!(tokens::authenticate(&db, &write).await.unwrap().is_some());
    assert!(tokens::list(&db, id).await.unwrap()[1].revoked_at.is_some());

    // A disabled account's tokens stop too, and stay revoked when it is enabled again.
    let mut tx = db.begin().await.unwrap();
    users::set_active(&mut tx, &Scope::National, other, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(tokens::authenticate(&db, &theirs).await.unwrap().is_none());
    let mut tx = db.begin().await.unwrap();
    users::set_active(&mut tx, &Scope::National, other, true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(tokens::authenticate(&db, &theirs).await.unwrap().is_none());
}

#[tokio::test]
async fn the_throttle_blocks_after_the_free_failures_and_forgets_on_success() {
    let db = fresh().await;
    let keys = vec![
        "user:camille@cratb.test".to_string(),
        "ip:192.0.2.1".to_string(),
    ];
    let other = vec!["ip:192.0.2.99".to_string()];

    for _ in 0..throttle::FREE_FAILURES - 1 {
        throttle::record_failure(&db, &keys).await.unwrap();
    }
    assert_eq!(throttle::blocked_until(&db, &keys).await.unwrap(), None);
    throttle::record_failure(&db, &keys).await.unwrap();
    let until = throttle::blocked_until(&db, &keys)
        .await
        .unwrap()
        .expect("blocked after the free failures");
    assert!(until > cratb_store::now());
    assert!(until <= cratb_store::now() + throttle::delay_after(throttle::FREE_FAILURES));
    // Each key counts on its own: the address alone is blocked too, another address is not.
    assert!(
        throttle::blocked_until(&db, &keys[1..])
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(throttle::blocked_until(&db, &other).await.unwrap(), None);
    // Another failure doubles the wait.
    throttle::record_failure(&db, &keys).await.unwrap();
    let later = throttle::blocked_until(&db, &keys).await.unwrap().unwrap();
    assert!(later > until);
    assert_eq!(
        count(&db, "SELECT MAX(failures) FROM login_throttle").await,
        throttle::FREE_FAILURES + 1
    );

    // A success clears its keys.
    throttle::clear(&db, &keys).await.unwrap();
    assert_eq!(throttle::blocked_until(&db, &keys).await.unwrap(), None);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM login_throttle").await, 0);
}
