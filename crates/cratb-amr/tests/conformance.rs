//! The AMR R package's own results (3.0.0) on 20,000 synthetic isolates, cell for cell.
//! See tests/conformance/README.md for how they were produced.

use std::collections::HashMap;

use cratb_amr::first_isolate::{self, first_isolates};
use cratb_amr::{ReadOptions, read};

fn expected(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = format!("{}/tests/conformance/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn input() -> cratb_amr::Dataset {
    let bytes = std::fs::read(format!(
        "{}/tests/conformance/input.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    read(&bytes, &ReadOptions::default()).unwrap()
}

#[test]
fn interpretation_matches_the_amr_package() {
    let data = input();
    let (header, rows) = expected("expected_sir.csv");
    let id = data.text_column("isolate_id").unwrap();
    let row_of: HashMap<&str, usize> = (0..data.len()).map(|r| (id.get(r), r)).collect();
    let mut mismatches: HashMap<String, (usize, Vec<String>)> = HashMap::new();
    let mut compared = 0;
    for expected in &rows {
        let r = row_of[expected[0].as_str()];
        for (code, want) in header.iter().zip(expected).skip(1) {
            let agent = data.agents.iter().find(|a| &a.code == code).unwrap();
            let got = agent.results[r].as_str();
            compared += 1;
            if got != want {
                let e = mismatches
                    .entry(format!(
                        "{} × {code}: expected {want}, got {got}",
                        data.organism_name(r)
                    ))
                    .or_default();
                e.0 += 1;
                if e.1.len() < 3 {
                    e.1.push(expected[0].clone());
                }
            }
        }
    }
    let mut report: Vec<_> = mismatches.into_iter().collect();
    report.sort();
    assert!(
        report.is_empty(),
        "{} of {compared} cells differ:\n{report:#?}",
        report.iter().map(|r| r.1.0).sum::<usize>()
    );
}

#[test]
fn first_isolates_match_the_amr_package() {
    let data = input();
    let first = first_isolates(&data, &first_isolate::Options::default());
    let (_, rows) = expected("expected_first_isolates.csv");
    let id = data.text_column("isolate_id").unwrap();
    let want: HashMap<&str, bool> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1] == "TRUE"))
        .collect();
    let differing: Vec<&str> = (0..data.len())
        .filter(|&r| want[id.get(r)] != first[r])
        .map(|r| id.get(r))
        .collect();
    assert!(
        differing.is_empty(),
        "{} isolates differ, e.g. {:?}",
        differing.len(),
        &differing[..differing.len().min(10)]
    );
}

#[test]
fn antibiogram_counts_match_the_amr_package() {
    let data = input();
    let first = first_isolates(&data, &first_isolate::Options::default());
    let table = cratb_amr::antibiogram::antibiogram(&data, Some(&first), &[], 30).unwrap();
    let (_, rows) = expected("expected_antibiogram_counts.csv");
    let got: HashMap<(String, String), [u32; 5]> = table
        .cells
        .iter()
        .map(|c| {
            (
                (c.organism.clone(), c.antimicrobial.clone()),
                [c.n_s, c.n_sdd, c.n_i, c.n_r, c.n_ni],
            )
        })
        .collect();
    let mut differing = Vec::new();
    for r in &rows {
        let key = (r[0].clone(), r[1].clone());
        let want: [u32; 5] = [2, 3, 4, 5, 6].map(|i| r[i].parse().unwrap());
        if got.get(&key) != Some(&want) {
            differing.push(format!(
                "{key:?}: expected {want:?}, got {:?}",
                got.get(&key)
            ));
        }
    }
    assert_eq!(
        got.len(),
        rows.len(),
        "number of organism × antimicrobial cells"
    );
    assert!(differing.is_empty(), "{differing:#?}");
}
