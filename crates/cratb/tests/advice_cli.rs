//! `cratb advice import` and `cratb advice stats` on the real binary: a team's past log loaded
//! all or nothing (every problem with its line, column and value, exit code 2), and the
//! figures of a year checked against hand computations.

mod common;

use common::{BIN, fresh_database, scalar_at};
use serde_json::Value;
use std::process::{Command, Output};

const HEADER: &str = "asked_at;answered_at;channel;requester_profession;requester_sector;department;infection_site;question_type;recommendation;followed;team";

/// A fresh database with the demo (few isolates): Bretagne (53) has teams and no request.
async fn demo_database() -> String {
    let url = fresh_database().await;
    let db = cratb_store::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    cratb_demo::generate_with(&db, 11, 0).await.unwrap();
    db.close().await;
    url
}

/// The name of a team of Bretagne.
async fn a_breton_team(url: &str) -> String {
    let db = cratb_store::Db::connect(url).await.unwrap();
    let access = cratb_domain::Scope::National.access("53").unwrap();
    let teams = cratb_store::advice::team_names(&db, &access).await.unwrap();
    db.close().await;
    teams[0].1.clone()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("CRATB_LOG", "warn")
        .env_remove("CRATB_DATABASE_URL")
        .output()
        .expect("run cratb")
}

fn file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cratb-advice-cli-{}", common::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Six requests of 2024 (one unanswered) and one of 2023, both date styles. Answered after
/// 30, 60, 120, 240 and 500 minutes; followed, partly, not followed, none, followed.
fn good_rows(team: &str) -> Vec<String> {
    [
        format!("2024-03-04 09:00;2024-03-04 09:30;phone;gp;VILLE;35;urinary;choice;start;followed;{team}"),
        "05/03/2024 10:00;05/03/2024 11:00;web;pharmacist;VILLE;29;urinary;duration;shorten;partly;".to_string(),
        format!("2024-03-06 14:00;2024-03-06 16:00;email;ehpad_physician;EMS;22;respiratory_lower;choice;start|switch;not_followed;{team}"),
        "07/03/2024 08:00;07/03/2024 12:00;phone;hospital_physician;ES;56;bloodstream;de_escalation;de_escalate;;".to_string(),
        "2024-04-02 09:00;;tele_expertise;nurse;EMS;35;skin_soft_tissue;choice;;;".to_string(),
        "03/04/2024 10:00;03/04/2024 18:20;web;gp;VILLE;35;urinary;antibiogram_reading;switch;followed;".to_string(),
        "2023-12-29 10:00;2023-12-29 10:10;phone;gp;VILLE;35;urinary;choice;start;;".to_string(),
    ]
    .to_vec()
}

fn stats(url: &str, format: &str) -> Output {
    run(&[
        "advice",
        "stats",
        "--region",
        "53",
        "--year",
        "2024",
        "--format",
        format,
        "--database",
        url,
    ])
}

/// The figures of the six requests of 2024, computed by hand.
fn check_figures(json: &Value) {
    assert_eq!(json["requests"], 6, "{json:#}");
    assert_eq!(json["answered"], 5);
    // 30, 60, 120, 240, 500: the median at h = 2, the 90th percentile at h = 3.6 (type 7):
    // 240 + 0.6 × (500 − 240) = 396.
    assert_eq!(json["median_minutes"].as_f64(), Some(120.0));
    assert!((json["p90_minutes"].as_f64().unwrap() - 396.0).abs() < 1e-9);
    // Followed, partly, not followed, followed: 3 of 4.
    assert_eq!(json["followed_share"].as_f64(), Some(0.75));
    let months = json["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[2]["requests"], 4);
    assert_eq!(months[3]["requests"], 2);
    assert_eq!(months[3]["answered"], 1);
    let sector = |code: &str| {
        json["by_sector"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(sector("VILLE")["requests"], 3);
    assert_eq!(sector("EMS")["requests"], 2);
    assert_eq!(sector("ES")["requests"], 1);
    let urinary = json["by_infection_site"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "urinary")
        .unwrap();
    assert_eq!(urinary["requests"], 3);
    // 30, 60, 500.
    assert_eq!(urinary["median_minutes"].as_f64(), Some(60.0));
}

#[tokio::test]
async fn a_past_log_is_loaded_whole_or_not_at_all_and_its_figures_are_right() {
    let url = demo_database().await;
    let team = a_breton_team(&url).await;
    let count = || {
        scalar_at(
            &url,
            "SELECT COUNT(*) FROM advice_requests WHERE region_code = '53'",
        )
    };

    // A bad file: every problem named, exit code 2, nothing stored.
    let bad = format!(
        "{HEADER}\n{}\n\
         2024-03-04 09:00;;phone;gp;VILLE;75;urinary;choice;;;\n\
         2024-03-04 09:00;;phone;gp;VILLE;35;poumon;choice;;;\n\
         2024-03-04 09:00;2024-03-04 08:59;phone;gp;VILLE;35;urinary;choice;stop;;\n",
        good_rows(&team)[0]
    );
    let path = file("registre-faux.csv", bad.as_bytes());
    let out = run(&[
        "advice",
        "import",
        path.to_str().unwrap(),
        "--region",
        "53",
        "--database",
        &url,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ligne 3, colonne department, « 75 » : département hors de la région"),
        "{err}"
    );
    assert!(
        err.contains("ligne 4, colonne infection_site, « poumon »"),
        "{err}"
    );
    assert!(
        err.contains(
            "ligne 5, colonne answered_at, « 2024-03-04 08:59 » : la réponse précède la demande"
        ),
        "{err}"
    );
    assert!(err.contains("rien n'a été chargé"), "{err}");
    assert_eq!(count().await, 0);

    // An unknown column: named, nothing stored.
    let unknown = format!("{HEADER};remarque\n{};rien\n", good_rows(&team)[1]);
    let path = file("registre-colonne.csv", unknown.as_bytes());
    let out = run(&[
        "advice",
        "import",
        path.to_str().unwrap(),
        "--region",
        "53",
        "--database",
        &url,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ligne 1, colonne remarque : colonne inconnue"),
        "{err}"
    );
    assert_eq!(count().await, 0);

    // An unknown region.
    let out = run(&[
        "advice",
        "import",
        path.to_str().unwrap(),
        "--region",
        "99",
        "--database",
        &url,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("région inconnue « 99 »"));

    // The good file.
    let good = format!("{HEADER}\n{}\n", good_rows(&team).join("\n"));
    let path = file("registre.csv", good.as_bytes());
    let out = run(&[
        "advice",
        "import",
        path.to_str().unwrap(),
        "--region",
        "53",
        "--database",
        &url,
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("7 demande(s) d'avis chargée(s)"), "{said}");
    assert_eq!(count().await, 7);
    let with_team = scalar_at(
        &url,
        "SELECT COUNT(*) FROM advice_requests WHERE region_code = '53' AND team_id IS NOT NULL",
    )
    .await;
    assert_eq!(with_team, 2);

    let out = stats(&url, "json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_figures(&json);

    // The same figures as one CSV table.
    let out = stats(&url, "csv");
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("section,code,requests,answered,median_minutes,within_target,followed_share")
    );
    let total = lines.next().unwrap();
    assert!(total.starts_with("total,,6,5,120,"), "{total}");
    assert!(total.contains(",0.75"), "{total}");
    assert!(csv.contains("\nmonth,03,4,4,90,"), "{csv}");
    assert!(csv.contains("\nsector,VILLE,3,3,60,"), "{csv}");
    assert!(csv.contains("\ninfection_site,urinary,3,3,60,"), "{csv}");

    // Another year: nothing, and no share without follow-up.
    let out = run(&[
        "advice",
        "stats",
        "--region",
        "53",
        "--year",
        "2023",
        "--database",
        &url,
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["requests"], 1);
    assert_eq!(json["followed_share"], Value::Null);
}

#[tokio::test]
async fn a_past_log_in_xlsx_is_read_too() {
    let url = demo_database().await;
    let team = a_breton_team(&url).await;
    let rows = good_rows(&team)
        .iter()
        .map(|r| {
            r.split(';')
                .map(|c| cratb_sheet::write::Cell::text_or_empty(c.to_string()))
                .collect()
        })
        .collect();
    let table = cratb_sheet::write::Table::new("registre", HEADER.split(';'), rows);
    let bytes = cratb_sheet::write::xlsx([table]).unwrap();
    let path = file("registre.xlsx", &bytes);
    let out = run(&[
        "advice",
        "import",
        path.to_str().unwrap(),
        "--region",
        "53",
        "--database",
        &url,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = stats(&url, "json");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_figures(&json);
}
