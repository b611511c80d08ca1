//! `cratb audit results` on files: the contract's columns, figures checked by hand, and a bad
//! cell that stops it with exit code 2 and its line, column and value.

use std::process::Command;

const GRID: &str = r#"{
  "code": "reevaluation", "version": 1,
  "title_fr": "Réévaluation à 48–72 h", "title_en": "Reassessment at 48–72 h",
  "sectors": ["ES"],
  "criteria": [
    {"code": "reevaluee", "label_fr": "Réévaluation tracée", "label_en": "Reassessment recorded", "type": "yes_no", "conform": "yes"},
    {"code": "duree", "label_fr": "Durée prévue (jours)", "label_en": "Planned days", "type": "number", "conform": {"max": 7}},
    {"code": "debut", "label_fr": "Début", "label_en": "Start", "type": "date"}
  ]
}"#;

fn run(dir: &std::path::Path, cases: &str, extra: &[&str]) -> std::process::Output {
    std::fs::write(dir.join("grid.json"), GRID).unwrap();
    std::fs::write(dir.join("cases.csv"), cases).unwrap();
    Command::new(env!("CARGO_BIN_EXE_cratb"))
        .args(["audit", "results", "--grid"])
        .arg(dir.join("grid.json"))
        .arg("--cases")
        .arg(dir.join("cases.csv"))
        .args(extra)
        .output()
        .unwrap()
}

fn folder() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cratb-audit-cli-{}", cratb_store::random_token(6)));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn conformity_per_criterion_and_establishment() {
    let dir = folder();
    let cases = "case_id;establishment;reevaluee;duree;debut\n\
                 1;380780080;oui;5;2026-03-01\n\
                 2;380780080;non;10;\n\
                 3;380780080;oui;NA;\n\
                 4;690781810;Oui;7,0;01/03/2026\n\
                 5;690781810;NA;na;\n";
    let out = run(&dir, cases, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Réévaluée: 3 of 4 (75.00 %, Wilson 30.06–95.44); durée ≤ 7: 2 of 3; all: cases 1, 3, 4
    // of 1–4 (case 5 has no criterion that applies).
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "criterion,n_applicable,n_conform,pct_conform,ci_low,ci_high",
            "reevaluee,4,3,75.00,30.06,95.44",
            "duree,3,2,66.67,20.77,93.85",
            "all,4,3,75.00,30.06,95.44",
        ]
    );
    let out = run(&dir, cases, &["--by", "establishment", "--format", "json"]);
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[2]["establishment"], "380780080");
    assert_eq!(rows[2]["criterion"], "all");
    assert_eq!(rows[2]["n_applicable"], 3);
    assert_eq!(rows[2]["n_conform"], 2);
    assert_eq!(rows[5]["establishment"], "690781810");
    assert_eq!(rows[5]["n_conform"], 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_invalid_cell_stops_it_with_its_line_column_and_value() {
    let dir = folder();
    let out = run(
        &dir,
        "case_id;establishment;reevaluee;duree;debut\n1;380780080;peut-être;5;\n2;380780080;oui;cinq;\n",
        &["-o", "out.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("ligne 2, colonne reevaluee, « peut-être »"),
        "{err}"
    );
    assert!(err.contains("ligne 3, colonne duree, « cinq »"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!std::path::Path::new("out.csv").exists(), "nothing written");
    // A grid with a key of its own is refused, exit code 2.
    std::fs::write(
        dir.join("bad.json"),
        GRID.replacen("\"version\": 1,", "\"version\": 1, \"source\": \"x\",", 1),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cratb"))
        .args(["audit", "results", "--grid"])
        .arg(dir.join("bad.json"))
        .arg("--cases")
        .arg(dir.join("cases.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("source"));
    std::fs::remove_dir_all(&dir).ok();
}
