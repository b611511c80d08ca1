//! `cratb user add` on the real binary: the account is created with its audit entry (the same
//! use case as the page and the API), a taken address and a weak password are refused with
//! their message and nothing written. `cratb user reset-mfa` resets a second factor, audited.

mod common;

use common::{BIN, fresh_database, scalar_at};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `cratb <args>` with `input` on standard input; (success, stdout, stderr).
fn run(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("CRATB_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cratb");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn user_add_creates_the_account_with_its_audit_entry() {
    let database = fresh_database().await;
    let add = |email: &'static str, password: &'static str| {
        let database = database.clone();
        move || {
            run(
                &[
                    "user",
                    "add",
                    "--database",
                    &database,
                    "--email",
                    email,
                    "--role",
                    "coordinator",
                    "--region",
                    "84",
                    "--password-stdin",
                ],
                password,
            )
        }
    };
    let (ok, out, err) = add("coord@exemple.fr", "Girafe-violette-2026\n")();
    assert!(ok, "{err}");
    assert!(
        out.contains("Compte créé / account created: coord@exemple.fr"),
        "{out}"
    );
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'user.create' AND actor = 'cli'
                   AND summary LIKE '%coord@exemple.fr%ligne de commande%'";
    assert_eq!(scalar_at(&database, audited).await, 1);

    let (ok, _, err) = add("coord@exemple.fr", "Girafe-violette-2026\n")();
    assert!(!ok);
    assert!(
        err.contains("un compte existe déjà avec l'adresse coord@exemple.fr"),
        "{err}"
    );
    let (ok, _, err) = add("autre@exemple.fr", "court\n")();
    assert!(!ok);
    assert!(err.contains("mot de passe"), "{err}");
    assert_eq!(scalar_at(&database, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        scalar_at(
            &database,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.create'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn user_reset_mfa_is_audited() {
    let database = fresh_database().await;
    let args = [
        "user",
        "add",
        "--database",
        &database,
        "--email",
        "admin@exemple.fr",
        "--role",
        "national_admin",
        "--password-stdin",
    ];
    let (ok, _, err) = run(&args, "Girafe-violette-2026\n");
    assert!(ok, "{err}");
    let reset = |email: &str| {
        run(
            &["user", "reset-mfa", "--database", &database, "--email", email],
            "",
        )
    };
    let (ok, out, err) = reset("admin@exemple.fr");
    assert!(ok, "{err}");
    assert!(out.contains("admin@exemple.fr"), "{out}");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'mfa.reset' AND actor = 'cli'";
    assert_eq!(scalar_at(&database, audited).await, 1);
    let (ok, _, err) = reset("personne@exemple.fr");
    assert!(!ok);
    assert!(err.contains("aucun compte"), "{err}");
}
