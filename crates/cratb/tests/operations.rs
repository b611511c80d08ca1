//! Operations on the real binary: a server killed (`kill -9`) in the middle of a large import
//! leaves nothing of it once restarted, on SQLite and PostgreSQL; two demos on one machine
//! each have their own database, removed at exit unless kept.

mod common;

use common::{COORD, Server, cratb, demo_password, fresh_database, scalar_at};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_during_an_import_restarts_without_any_of_it() {
    let database = fresh_database().await;
    cratb(&["migrate", "--database", &database]);
    let password = demo_password(&cratb(&["demo", "--database", &database]), COORD);
    let isolates = "SELECT COUNT(*) FROM isolates";
    let imports = "SELECT COUNT(*) FROM isolate_imports";
    let (before, imports_before) = (
        scalar_at(&database, isolates).await,
        scalar_at(&database, imports).await,
    );
    let mut server = Server::start(&database).await;
    let coord = server.login(COORD, &password).await;
    let api = coord.bearer(&coord.new_api_token("e2e", true).await);
    let mut file = String::from("patient_id;date;organism;AMX;CIP\n");
    for i in 0..400_000 {
        file.push_str(&format!("K{i};2024-05-{:02};E. coli;R;S\n", i % 28 + 1));
    }
    let sending =
        tokio::spawn(async move { api.post("/api/v1/isolates/imports").body(file).send().await });
    // Killed once it is writing: SQLite's first staged rows are in; PostgreSQL's transaction
    // holds the region's import lock.
    let writing = if database.starts_with("sqlite:") {
        "SELECT COUNT(*) FROM isolate_imports WHERE pending"
    } else {
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE l.locktype = 'advisory' AND d.datname = current_database()"
    };
    while scalar_at(&database, writing).await == 0 {
        assert!(
            !sending.is_finished(),
            "the import ended before it was seen writing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    assert!(sending.await.unwrap().is_err(), "the import was cut short");

    let server = Server::start(&database).await;
    assert_eq!(
        scalar_at(&database, isolates).await,
        before,
        "no isolate of the cut import"
    );
    assert_eq!(scalar_at(&database, imports).await, imports_before);
    let res = server
        .login(COORD, &password)
        .await
        .get("/resistance?region=84")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// The demo's folder, as `serve --demo` printed it.
fn demo_folder(server: &Server) -> std::path::PathBuf {
    let out = server.output();
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("Base de démonstration : "))
        .unwrap_or_else(|| panic!("no demo database line in:\n{out}"));
    std::path::PathBuf::from(line.split(" (").next().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_demos_on_one_machine_each_have_their_own_database() {
    let mut first = Server::serve(&["--demo"]).await;
    let password = demo_password(&first.output(), COORD);
    let coord = first.login(COORD, &password).await;
    let mut second = Server::serve(&["--demo", "--seed", "7", "--keep-demo"]).await;
    let (one, two) = (demo_folder(&first), demo_folder(&second));
    assert_ne!(one, two);
    assert!(one.join("cratb.db").exists() && two.join("cratb.db").exists());

    // The first demo's session lives on: the second did not replace its database.
    for _ in 0..300 {
        let res = coord.get("/account").send().await.unwrap();
        assert_eq!(res.status(), 200, "still logged in to the first demo");
    }
    let other = demo_password(&second.output(), COORD);
    second.login(COORD, &other).await;

    assert!(first.stop().success());
    assert!(
        !one.exists(),
        "the first demo's database is removed at exit"
    );
    assert!(first.output().contains("Base de démonstration supprimée"));
    assert!(second.stop().success());
    assert!(two.join("cratb.db").exists(), "--keep-demo keeps it");
    std::fs::remove_dir_all(two).unwrap();
}
