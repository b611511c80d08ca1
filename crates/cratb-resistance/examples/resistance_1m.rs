//! How long the resistance pages' analytics take on a region of a million isolates, once they
//! are in memory: `cargo run --release -p cratb-resistance --example resistance_1m [ISOLATES]`.
//! (`bench/amr-web` measures the same pages end to end over HTTP.)

use cratb_resistance::{Filter, RegionData};
use std::time::Instant;

fn main() {
    let isolates: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let spec = cratb_amr::synth::Spec {
        isolates,
        patients: isolates * 33 / 100,
        seed: 42,
    };
    let file = cratb_amr::synth::generate(&spec);
    let started = Instant::now();
    let data = cratb_amr::read(&file, &Default::default()).expect("synthetic file is valid");
    let region = RegionData::build(data);
    println!(
        "{isolates} isolates read, interpreted, sorted for first isolates: {:.0} ms",
        ms(started)
    );
    let filters = [
        ("antibiogram, all years, first isolates", Filter::default()),
        (
            "antibiogram, 2024, urine",
            Filter {
                year_from: Some(2024),
                year_to: Some(2024),
                specimen: Some("urine".into()),
                ..Default::default()
            },
        ),
        (
            "antibiogram, every isolate, ES",
            Filter {
                every_isolate: true,
                sector: Some("ES".into()),
                ..Default::default()
            },
        ),
    ];
    for (what, f) in &filters {
        let runs = 20;
        let started = Instant::now();
        let mut cells = 0;
        for _ in 0..runs {
            cells = region.antibiogram(f).cells.len();
        }
        println!(
            "{what}: {:.1} ms ({cells} cells)",
            ms(started) / runs as f64
        );
    }
    let started = Instant::now();
    let points = region
        .trend(&Filter::default(), "Escherichia coli", "CTX")
        .len();
    println!(
        "trend E. coli × CTX: {:.1} ms ({points} years)",
        ms(started)
    );
    let started = Instant::now();
    let rows = region.alerts(&Filter::default()).len();
    println!(
        "resistant organisms of concern: {:.1} ms ({rows} rows)",
        ms(started)
    );
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
