//! `cratb amr …` run as a user would, on the conformance sample (the AMR R package's results).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CONTRACT: [&str; 12] = [
    "organism",
    "antimicrobial",
    "n_tested",
    "n_S",
    "n_SDD",
    "n_I",
    "n_R",
    "n_NI",
    "pct_susceptible",
    "ci_low",
    "ci_high",
    "reportable",
];

fn conformance(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cratb-amr/tests/conformance")
        .join(name)
}

fn cratb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cratb"))
        .args(args)
        .output()
        .expect("the cratb binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cratb-amr-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Header and rows of a CSV text.
fn table(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn interpret_matches_the_amr_package() {
    let dir = temp_dir("interpret");
    let output = dir.join("interpreted.csv");
    let out = cratb(&[
        "amr",
        "interpret",
        conformance("input.csv").to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(
        summary.contains("cratb amr interpret : 20 000 lignes lues, 0 ignorée"),
        "{summary}"
    );
    assert!(summary.contains("EUCAST 2025"), "{summary}");
    let (header, rows) = table(&std::fs::read(&output).unwrap());
    let (expected_header, expected) =
        table(&std::fs::read(conformance("expected_sir.csv")).unwrap());
    let id = column(&header, "isolate_id");
    let row_of: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[id].as_str(), r)).collect();
    assert_eq!(rows.len(), 20_000);
    for code in ["AMX", "CTX", "CIP", "GEN", "VAN", "FOS"] {
        let (got, want) = (column(&header, code), column(&expected_header, code));
        for e in &expected {
            assert_eq!(row_of[e[0].as_str()][got], e[want], "{code} of {}", e[0]);
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn first_isolates_adds_one_column() {
    let dir = temp_dir("first");
    let output = dir.join("first.csv");
    let input = conformance("input.csv");
    let out = cratb(&[
        "amr",
        "first-isolates",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (header, rows) = table(&std::fs::read(&output).unwrap());
    let (input_header, _) = table(&std::fs::read(&input).unwrap());
    assert_eq!(header[..header.len() - 1], input_header[..]);
    assert_eq!(header.last().unwrap(), "first_isolate");
    let (_, expected) = table(&std::fs::read(conformance("expected_first_isolates.csv")).unwrap());
    let want: HashMap<&str, &str> = expected
        .iter()
        .map(|r| (r[0].as_str(), if r[1] == "TRUE" { "true" } else { "false" }))
        .collect();
    for r in &rows {
        assert_eq!(r.last().unwrap(), want[r[0].as_str()], "{}", r[0]);
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn antibiogram_of_first_isolates_matches_the_amr_package() {
    let out = cratb(&[
        "amr",
        "antibiogram",
        conformance("input.csv").to_str().unwrap(),
        "--first-isolates",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("cellules"), "{}", stderr(&out));
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, CONTRACT);
    let got: HashMap<(String, String), Vec<String>> = rows
        .iter()
        .map(|r| ((r[0].clone(), r[1].clone()), r[3..8].to_vec()))
        .collect();
    let (_, expected) =
        table(&std::fs::read(conformance("expected_antibiogram_counts.csv")).unwrap());
    assert_eq!(got.len(), expected.len());
    for e in &expected {
        assert_eq!(
            got[&(e[0].clone(), e[1].clone())],
            e[2..7].to_vec(),
            "{} × {}",
            e[0],
            e[1]
        );
    }
    // n_tested is the sum of the categories; percentages are present where reportable.
    for r in &rows {
        let n: u32 = r[3..8].iter().map(|x| x.parse::<u32>().unwrap()).sum();
        assert_eq!(r[2].parse::<u32>().unwrap(), n);
        if r[11] == "true" {
            assert!(!r[8].is_empty() && !r[9].is_empty() && !r[10].is_empty());
        }
    }
}

#[test]
fn antibiogram_by_columns_and_formats() {
    let input = conformance("input.csv");
    let out = cratb(&[
        "amr",
        "antibiogram",
        input.to_str().unwrap(),
        "--by",
        "sector,ward",
        "--min-isolates",
        "10",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (header, _) = table(&out.stdout);
    assert_eq!(header[..2], ["sector", "ward"]);
    assert_eq!(header[2..], CONTRACT);

    let out = cratb(&[
        "amr",
        "antibiogram",
        input.to_str().unwrap(),
        "--first-isolates",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["first_isolates_only"], true);
    assert_eq!(json["guideline"], "EUCAST 2025");
    let rows = json["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for name in CONTRACT {
        assert!(rows[0].get(name).is_some(), "{name} missing in {}", rows[0]);
    }

    let dir = temp_dir("formats");
    for ext in ["xlsx", "parquet"] {
        let path = dir.join(format!("antibiogram.{ext}"));
        let out = cratb(&[
            "amr",
            "antibiogram",
            input.to_str().unwrap(),
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let bytes = std::fs::read(&path).unwrap();
        match ext {
            "xlsx" => assert!(bytes.starts_with(b"PK")),
            _ => assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1")),
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_arguments_are_refused_in_french() {
    let input = conformance("input.csv");
    let out = cratb(&[
        "amr",
        "antibiogram",
        input.to_str().unwrap(),
        "--by",
        "nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("colonne de regroupement inconnue : nope"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    let out = cratb(&[
        "amr",
        "antibiogram",
        input.to_str().unwrap(),
        "--guideline",
        "CLSI 2020",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("référentiel inconnu « CLSI 2020 »"),
        "{}",
        stderr(&out)
    );
}

const INVALID: &str = "\
isolate_id,patient_id,date,organism,specimen,CTX_mic,CIP_mic
I1,P1,2024-01-02,Escherichia coli,urine,0.06,0.016
I2,P2,2024-01-03,Escherichia colli,urine,0.06,0.016
I3,P3,2024-01-04,Klebsiella pneumoniae,blood,abc,0.5
I4,P4,2024-01-05,Staphylococcus aureus,pus,,0.25
";

#[test]
fn invalid_file_is_refused_with_line_and_column() {
    let dir = temp_dir("invalid");
    let input = dir.join("invalid.csv");
    std::fs::write(&input, INVALID).unwrap();
    let output = dir.join("out.csv");
    let out = cratb(&[
        "amr",
        "interpret",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ligne 3, colonne organism"), "{err}");
    assert!(err.contains("Escherichia colli"), "{err}");
    assert!(err.contains("ligne 4, colonne CTX_mic"), "{err}");
    assert!(err.contains("« abc »"), "{err}");
    assert!(!output.exists(), "nothing is written");

    let out = cratb(&[
        "amr",
        "interpret",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "--skip-invalid",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("2 problèmes ignorés"), "{err}");
    assert!(err.contains("ligne 3, colonne organism"), "{err}");
    assert!(err.contains("ligne 4, colonne CTX_mic"), "{err}");
    assert!(err.contains("4 lignes lues, 1 ignorée"), "{err}");
    let (header, rows) = table(&std::fs::read(&output).unwrap());
    assert_eq!(rows.len(), 3, "the row of the unknown organism is left out");
    let ctx = column(&header, "CTX");
    assert_eq!(rows[1][0], "I3");
    assert_eq!(rows[1][ctx], "", "the unreadable MIC is left uninterpreted");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn generated_files_are_read_without_problems() {
    let dir = temp_dir("generate");
    let file = dir.join("synthetic.csv");
    let out = cratb(&[
        "amr",
        "generate",
        "-o",
        file.to_str().unwrap(),
        "--isolates",
        "5000",
        "--patients",
        "1600",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = std::fs::read(&file).unwrap();
    let out = cratb(&[
        "amr",
        "generate",
        "-o",
        file.to_str().unwrap(),
        "--isolates",
        "5000",
        "--patients",
        "1600",
    ]);
    assert!(out.status.success());
    assert_eq!(first, std::fs::read(&file).unwrap(), "same seed, same file");
    let out = cratb(&[
        "amr",
        "antibiogram",
        file.to_str().unwrap(),
        "--first-isolates",
        "--by",
        "sector",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("5 000 lignes lues, 0 ignorée"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(dir).ok();
}
