//! The audit log: entries appended alone or in a change's transaction (kept or lost with it),
//! read newest first within a region scope and filtered, and never changed: the database itself
//! refuses UPDATE and DELETE on `audit_log` (and TRUNCATE on PostgreSQL).

mod common;

use common::*;
use cratb_domain::Scope;
use cratb_store::audit::{self, AuditQuery, NewEntry};
use cratb_store::{Db, PageRequest};

fn entry(actor: &str, action: &str, entity: &str, region: Option<&str>) -> NewEntry {
    NewEntry {
        actor_id: None,
        actor: actor.into(),
        action: action.into(),
        entity: entity.into(),
        entity_id: Some("7".into()),
        region_code: region.map(Into::into),
        summary: format!("{action} par {actor}"),
        ip: Some("192.0.2.1".into()),
        request_id: Some("req-1".into()),
    }
}

async fn list(db: &Db, scope: &Scope, q: &AuditQuery) -> Vec<String> {
    audit::list(db, scope, q, PageRequest::new(None, None))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn entries_are_listed_newest_first_within_the_scope_and_filtered() {
    let db = fresh().await;
    audit::append(
        &db,
        &entry("alpes@cratb.test", "login.success", "session", Some(ARA)),
    )
    .await
    .unwrap();
    audit::append(
        &db,
        &entry(
            "alpes@cratb.test",
            "establishment.create",
            "establishment",
            Some(ARA),
        ),
    )
    .await
    .unwrap();
    audit::append(
        &db,
        &entry("breizh@cratb.test", "user.create", "user", Some(BZH)),
    )
    .await
    .unwrap();
    audit::append(&db, &entry("cli", "migrate", "database", None))
        .await
        .unwrap();

    let ara = scope(ARA);
    let all = AuditQuery::default();
    assert_eq!(
        list(&db, &ara, &all).await,
        ["establishment.create", "login.success"]
    );
    assert_eq!(
        list(&db, &Scope::National, &all).await,
        [
            "migrate",
            "user.create",
            "establishment.create",
            "login.success"
        ]
    );
    let e = &audit::list(&db, &ara, &all, PageRequest::new(None, None))
        .await
        .unwrap()
        .items[0];
    assert_eq!(
        (
            e.actor.as_str(),
            e.entity.as_str(),
            e.entity_id.as_deref(),
            e.region_code.as_deref(),
            e.ip.as_deref(),
            e.request_id.as_deref()
        ),
        (
            "alpes@cratb.test",
            "establishment",
            Some("7"),
            Some(ARA),
            Some("192.0.2.1"),
            Some("req-1")
        )
    );

    // By part of the actor, by entity, by day.
    let by_user = AuditQuery {
        user: Some("BREIZH".into()),
        ..Default::default()
    };
    assert_eq!(list(&db, &Scope::National, &by_user).await, ["user.create"]);
    assert!(list(&db, &ara, &by_user).await.is_empty());
    let by_entity = AuditQuery {
        entity: Some("session".into()),
        ..Default::default()
    };
    assert_eq!(list(&db, &ara, &by_entity).await, ["login.success"]);
    let today = cratb_store::now().date();
    let from_today = AuditQuery {
        from: Some(today),
        to: Some(today),
        ..Default::default()
    };
    assert_eq!(list(&db, &ara, &from_today).await.len(), 2);
    let until_yesterday = AuditQuery {
        to: today.previous_day(),
        ..Default::default()
    };
    assert!(
        list(&db, &Scope::National, &until_yesterday)
            .await
            .is_empty()
    );
    let from_tomorrow = AuditQuery {
        from: today.next_day(),
        ..Default::default()
    };
    assert!(list(&db, &Scope::National, &from_tomorrow).await.is_empty());

    // Paged, with the total; the recent ones and the count of an action.
    let page = audit::list(
        &db,
        &Scope::National,
        &all,
        PageRequest::new(Some(2), Some(3)),
    )
    .await
    .unwrap();
    assert_eq!((page.total, page.items.len()), (4, 1));
    let recent = audit::recent(&db, &ara, 1).await.unwrap();
    assert_eq!(recent[0].action, "establishment.create");
    let since = cratb_store::now() - time::Duration::hours(1);
    assert_eq!(
        audit::count_since(&db, &ara, "login.success", since)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        audit::count_since(&db, &scope(BZH), "login.success", since)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_entry_written_in_a_transaction_shares_its_fate() {
    let db = fresh().await;
    let mut tx = db.begin().await.unwrap();
    audit::append_in(&mut tx, &entry("a@cratb.test", "kept", "x", Some(ARA)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    audit::append_in(&mut tx, &entry("a@cratb.test", "lost", "x", Some(ARA)))
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        list(&db, &Scope::National, &AuditQuery::default()).await,
        ["kept"]
    );
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_an_entry() {
    let db = fresh().await;
    audit::append(
        &db,
        &entry("a@cratb.test", "login.success", "session", Some(ARA)),
    )
    .await
    .unwrap();
    audit::append(
        &db,
        &entry("b@cratb.test", "login.failure", "session", None),
    )
    .await
    .unwrap();

    let mut refused = vec![
        "UPDATE audit_log SET summary = 'effacé'",
        "UPDATE audit_log SET actor = 'quelqu''un' WHERE action = 'login.success'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'login.failure'",
    ];
    if let Db::Postgres(_) = db {
        refused.push("TRUNCATE audit_log");
    }
    for sql in refused {
        let r = exec(&db, sql).await;
        assert!(matches!(r, Err(sqlx::Error::Database(_))), "{sql}: {r:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 2);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE summary LIKE 'login.% par %'"
        )
        .await,
        2
    );
    // Inside a transaction too: the refusal takes the transaction down, the entry stays.
    let mut tx = db.begin().await.unwrap();
    audit::append_in(&mut tx, &entry("c@cratb.test", "x", "x", None))
        .await
        .unwrap();
    let r = match &mut tx {
        cratb_store::Tx::Sqlite(t) => sqlx::query("DELETE FROM audit_log")
            .execute(&mut **t)
            .await
            .map(drop),
        cratb_store::Tx::Postgres(t) => sqlx::query("DELETE FROM audit_log")
            .execute(&mut **t)
            .await
            .map(drop),
    };
    assert!(r.is_err());
    drop(tx);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 2);
}

/// A flood of failures from one source writes a handful of entries, and what they stand for
/// adds up to every failure: the first in full, the others in one summarising entry.
#[tokio::test]
async fn a_flood_of_failures_writes_few_entries_that_count_them_all() {
    let db = fresh().await;
    let failure = |i: usize| NewEntry {
        actor: "anonyme".into(),
        action: "login.failure".into(),
        entity: "session".into(),
        summary: format!("échec de connexion pour inconnu{i}@cratb.test"),
        ip: Some("203.0.113.7".into()),
        ..Default::default()
    };
    let flood = (0..300).map(|i| {
        let db = db.clone();
        let e = failure(i);
        tokio::spawn(async move {
            audit::append_repeated(&db, &e, ("échec de connexion", "échecs de connexion")).await
        })
    });
    for f in flood {
        f.await.unwrap().unwrap();
    }
    // Another source is counted apart.
    let mut other = failure(1000);
    other.ip = Some("198.51.100.4".into());
    for _ in 0..2 {
        audit::append_repeated(&db, &other, ("échec de connexion", "échecs de connexion"))
            .await
            .unwrap();
    }
    // Until read, each source is one entry and a count.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 2);
    assert_eq!(
        count(&db, "SELECT CAST(SUM(counted) AS BIGINT) FROM audit_bursts").await,
        300
    );
    let read = audit::list(
        &db,
        &Scope::National,
        &AuditQuery::default(),
        PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(read.total, 4, "the first and the summary of each source");
    assert!(read.items.iter().any(|e| {
        e.summary
            .starts_with("1 échec de connexion de plus depuis 198.51.100.4")
    }));
    let summary = read
        .items
        .iter()
        .find(|e| {
            e.summary
                .starts_with("299 échecs de connexion de plus depuis 203.0.113.7")
        })
        .unwrap_or_else(|| panic!("a summarising entry: {:?}", read.items));
    assert_eq!(summary.action, "login.failure");
    assert_eq!(summary.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(occurrences) AS BIGINT) FROM audit_log"
        )
        .await,
        302,
        "every failure counted once"
    );
    let since = cratb_store::now() - time::Duration::hours(1);
    assert_eq!(
        audit::count_since(&db, &Scope::National, "login.failure", since)
            .await
            .unwrap(),
        302
    );
    // Read, the count is written: the source's next failure opens a new window.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_bursts").await, 0);
    audit::append_repeated(
        &db,
        &failure(301),
        ("échec de connexion", "échecs de connexion"),
    )
    .await
    .unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 5);
}
