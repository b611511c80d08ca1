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
            &[
                "user",
                "reset-mfa",
                "--database",
                &database,
                "--email",
                email,
            ],
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

#[tokio::test]
async fn user_edit_reset_link_and_token_manage_an_account_from_the_command_line() {
    let database = fresh_database().await;
    let (ok, _, err) = run(&["migrate", "--database", &database], "");
    assert!(ok, "{err}");
    let hospital = scalar_at(
        &database,
        "INSERT INTO establishments (finess, name, sector, category, department_code, region_code, created_at, updated_at)
         VALUES ('380780080', 'CHU de démonstration', 'ES', 'CHU', '38', '84', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') RETURNING id",
    )
    .await;
    let db = database.as_str();
    // A referent opened without a password: the link to choose it is printed.
    let (ok, out, err) = run(
        &[
            "user",
            "add",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
            "--role",
            "referent",
            "--region",
            "84",
            "--establishment",
            "380780080",
            "--invite",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("/password/reset/"), "{out}");
    let places = format!(
        "SELECT COUNT(*) FROM user_establishments ue JOIN users u ON u.id = ue.user_id
         WHERE u.email = 'ref@chu.fr' AND ue.establishment_id = {hospital}"
    );
    assert_eq!(scalar_at(&database, &places).await, 1);
    // A referent needs an establishment.
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--database",
            db,
            "--email",
            "ref2@chu.fr",
            "--role",
            "referent",
            "--region",
            "84",
            "--invite",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("establishments"), "{err}");

    // Edited: a new role keeps the hospital; a region where it is not is refused.
    let (ok, out, err) = run(
        &[
            "user",
            "edit",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
            "--role",
            "lab",
            "--name",
            "Laboratoire du CHU",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("lab") && out.contains("1 établissement(s)"),
        "{out}"
    );
    let (ok, _, err) = run(
        &[
            "user",
            "edit",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
            "--region",
            "53",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("380780080"), "{err}");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'user.edit' AND summary LIKE '%rôle referent → lab%'";
    assert_eq!(scalar_at(&database, audited).await, 1);

    // A reset link, and a read-only token of 30 days for the laboratory's system.
    let (ok, out, err) = run(
        &[
            "user",
            "reset-link",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.trim().contains("/password/reset/"), "{out}");
    let (ok, out, err) = run(
        &[
            "user",
            "token",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
            "--read-only",
            "--expires-in-days",
            "30",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.trim().starts_with("cratb_"), "{out}");
    assert!(err.contains("lecture seule"), "{err}");
    assert_eq!(
        scalar_at(
            &database,
            "SELECT COUNT(*) FROM api_tokens WHERE NOT can_write AND expires_at IS NOT NULL"
        )
        .await,
        1
    );
    let (ok, _, err) = run(
        &[
            "user",
            "token",
            "--database",
            db,
            "--email",
            "ref@chu.fr",
            "--expires-in-days",
            "0",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("expires-in-days"), "{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "token",
            "--database",
            db,
            "--email",
            "personne@nulle-part.fr",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("aucun compte"), "{err}");
}
