//! Synthetic susceptibility files, so that benchmarks and demonstrations never touch real
//! patients: the wide CSV format that [`crate::read`] reads, with 13 species at realistic
//! frequencies, 17 antimicrobials with MICs on the usual dilution series (some capped with `<=`
//! or `>=`) and disk zones for a share of rows, over three years.
//!
//! Deterministic per seed, whatever the number of threads: rows are made in blocks, each with
//! its own generator seeded from the seed and the block number.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// The antimicrobials of the `<code>_mic` columns, in order.
pub const AGENTS: [&str; 17] = [
    "AMX", "AMC", "TZP", "CTX", "CAZ", "FEP", "MEM", "CIP", "GEN", "AMK", "SXT", "NIT", "OXA",
    "VAN", "TEC", "LNZ", "CLI",
];
/// The agents that also have a `<code>_disk` column.
pub const DISK_AGENTS: [&str; 3] = ["CTX", "CIP", "GEN"];

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub isolates: usize,
    pub patients: usize,
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            isolates: 1_000_000,
            patients: 330_000,
            seed: 42,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Enterobacterales,
    Pseudomonas,
    Acinetobacter,
    Staphylococcus,
    Enterococcus,
    Streptococcus,
}

/// Species, abbreviation, group, share of isolates (per mille), resistance multiplier.
const SPECIES: [(&str, &str, Group, u32, f64); 13] = [
    (
        "Escherichia coli",
        "E. coli",
        Group::Enterobacterales,
        360,
        1.0,
    ),
    (
        "Staphylococcus aureus",
        "S. aureus",
        Group::Staphylococcus,
        133,
        1.0,
    ),
    (
        "Klebsiella pneumoniae",
        "K. pneumoniae",
        Group::Enterobacterales,
        100,
        1.6,
    ),
    (
        "Pseudomonas aeruginosa",
        "P. aeruginosa",
        Group::Pseudomonas,
        75,
        1.0,
    ),
    (
        "Enterococcus faecalis",
        "E. faecalis",
        Group::Enterococcus,
        61,
        0.6,
    ),
    (
        "Proteus mirabilis",
        "P. mirabilis",
        Group::Enterobacterales,
        51,
        0.8,
    ),
    (
        "Staphylococcus epidermidis",
        "S. epidermidis",
        Group::Staphylococcus,
        51,
        2.5,
    ),
    (
        "Enterobacter cloacae",
        "E. cloacae",
        Group::Enterobacterales,
        38,
        1.5,
    ),
    (
        "Streptococcus agalactiae",
        "S. agalactiae",
        Group::Streptococcus,
        32,
        1.0,
    ),
    (
        "Acinetobacter baumannii",
        "A. baumannii",
        Group::Acinetobacter,
        30,
        1.0,
    ),
    (
        "Streptococcus pneumoniae",
        "S. pneumoniae",
        Group::Streptococcus,
        30,
        1.2,
    ),
    (
        "Klebsiella oxytoca",
        "K. oxytoca",
        Group::Enterobacterales,
        20,
        1.2,
    ),
    (
        "Enterococcus faecium",
        "E. faecium",
        Group::Enterococcus,
        19,
        4.0,
    ),
];

/// Per group and agent: share tested, log2 of the modal MIC of susceptible isolates, share
/// resistant, log2 of the modal MIC of resistant isolates.
fn profile(group: Group, agent: usize) -> Option<(f64, i32, f64, i32)> {
    use Group::*;
    let code = AGENTS[agent];
    Some(match (group, code) {
        (Enterobacterales, "AMX") => (0.9, 2, 0.45, 9),
        (Enterobacterales, "AMC") => (0.9, 2, 0.25, 5),
        (Enterobacterales, "TZP") => (0.8, 1, 0.08, 6),
        (Enterobacterales, "CTX") => (0.75, -4, 0.10, 6),
        (Enterobacterales, "CAZ") => (0.7, -2, 0.09, 5),
        (Enterobacterales, "FEP") => (0.6, -4, 0.07, 4),
        (Enterobacterales, "MEM") => (0.7, -5, 0.01, 4),
        (Enterobacterales, "CIP") => (0.8, -6, 0.15, 3),
        (Enterobacterales, "GEN") => (0.75, -1, 0.06, 5),
        (Enterobacterales, "AMK") => (0.6, 1, 0.02, 6),
        (Enterobacterales, "SXT") => (0.8, -4, 0.20, 3),
        (Enterobacterales, "NIT") => (0.5, 4, 0.05, 8),
        (Pseudomonas, "TZP") => (0.9, 2, 0.15, 7),
        (Pseudomonas, "CAZ") => (0.9, 1, 0.12, 6),
        (Pseudomonas, "FEP") => (0.85, 1, 0.10, 5),
        (Pseudomonas, "MEM") => (0.9, -1, 0.12, 4),
        (Pseudomonas, "CIP") => (0.9, -2, 0.15, 3),
        (Pseudomonas, "GEN") => (0.5, 1, 0.08, 5),
        (Pseudomonas, "AMK") => (0.85, 2, 0.05, 6),
        (Acinetobacter, "MEM") => (0.9, 0, 0.10, 5),
        (Acinetobacter, "CIP") => (0.9, -1, 0.15, 4),
        (Acinetobacter, "GEN") => (0.8, 0, 0.12, 5),
        (Acinetobacter, "AMK") => (0.8, 1, 0.08, 6),
        (Acinetobacter, "SXT") => (0.8, -3, 0.15, 3),
        (Staphylococcus, "OXA") => (0.95, -1, 0.12, 4),
        (Staphylococcus, "VAN") => (0.9, 0, 0.002, 4),
        (Staphylococcus, "TEC") => (0.6, -1, 0.01, 4),
        (Staphylococcus, "LNZ") => (0.7, 1, 0.005, 4),
        (Staphylococcus, "CLI") => (0.8, -3, 0.10, 3),
        (Staphylococcus, "CIP") => (0.75, -2, 0.10, 3),
        (Staphylococcus, "GEN") => (0.75, -2, 0.04, 5),
        (Staphylococcus, "SXT") => (0.7, -4, 0.03, 3),
        (Enterococcus, "AMX") => (0.95, 0, 0.06, 5),
        (Enterococcus, "VAN") => (0.9, 0, 0.01, 7),
        (Enterococcus, "TEC") => (0.7, -2, 0.01, 5),
        (Enterococcus, "LNZ") => (0.8, 1, 0.005, 4),
        (Enterococcus, "GEN") => (0.5, 3, 0.15, 9),
        (Enterococcus, "NIT") => (0.5, 3, 0.03, 8),
        (Streptococcus, "AMX") => (0.8, -5, 0.02, 2),
        (Streptococcus, "CTX") => (0.8, -5, 0.02, 2),
        (Streptococcus, "VAN") => (0.6, -1, 0.0, 0),
        (Streptococcus, "LNZ") => (0.6, 0, 0.0, 0),
        (Streptococcus, "CLI") => (0.8, -5, 0.15, 3),
        _ => return None,
    })
}

/// The MIC dilution series as laboratories print it, from 2⁻⁹ to 2⁹ mg/L.
const DILUTIONS: [&str; 19] = [
    "0.002", "0.004", "0.008", "0.016", "0.03", "0.06", "0.125", "0.25", "0.5", "1", "2", "4", "8",
    "16", "32", "64", "128", "256", "512",
];

const SPECIMENS: [(&str, u32); 5] = [
    ("urine", 48),
    ("blood", 14),
    ("respiratory", 16),
    ("pus", 14),
    ("other", 8),
];
/// Ward, ward type, share (in hospitals).
pub const WARDS: [(&str, &str, u32); 8] = [
    ("MED1", "médecine", 20),
    ("MED2", "médecine", 15),
    ("CHIR", "chirurgie", 20),
    ("REA", "réanimation", 9),
    ("URG", "urgences", 14),
    ("GER", "gériatrie", 12),
    ("SSR", "soins de suite", 6),
    ("ONCO", "oncologie", 4),
];
const ESTABLISHMENTS: usize = 64;
/// First day: 2023-01-01; three years.
const FIRST_DAY: i32 = 19_358;
const DAYS: i32 = 1096;

/// One of `table`'s values, drawn in proportion to its weight.
pub fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|t| t.1).sum();
    let mut x = rng.random_range(0..total);
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// A deterministic hash, for what belongs to a patient or an establishment.
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A FINESS-like number (9 digits, a department of Auvergne-Rhône-Alpes first).
fn finess(e: usize) -> String {
    let departments = [
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
    ];
    let h = mix(e as u64 + 7);
    format!(
        "{}{:07}",
        departments[e % departments.len()],
        h % 10_000_000
    )
}

/// Sector of an establishment: most are hospitals (ES), then nursing homes (EMS), then
/// community laboratories (VILLE).
fn sector(e: usize) -> &'static str {
    match e % 8 {
        0..=4 => "ES",
        5 | 6 => "EMS",
        _ => "VILLE",
    }
}

/// The header of a generated file.
pub fn header() -> String {
    let mut h = String::from(
        "isolate_id,patient_id,date,organism,specimen,ward,ward_type,establishment,sector,age,sex",
    );
    for a in AGENTS {
        h.push(',');
        h.push_str(a);
        h.push_str("_mic");
    }
    for a in DISK_AGENTS {
        h.push(',');
        h.push_str(a);
        h.push_str("_disk");
    }
    h.push('\n');
    h
}

const BLOCK: usize = 16_384;

/// Generates the whole file in memory.
pub fn generate(spec: &Spec) -> Vec<u8> {
    let blocks = spec.isolates.div_ceil(BLOCK);
    let parts: Vec<Vec<u8>> = (0..blocks)
        .into_par_iter()
        .map(|b| block(spec, b))
        .collect();
    let mut out = header().into_bytes();
    out.reserve(parts.iter().map(Vec::len).sum());
    for p in parts {
        out.extend(p);
    }
    out
}

fn block(spec: &Spec, b: usize) -> Vec<u8> {
    use std::io::Write;
    let mut rng = ChaCha8Rng::seed_from_u64(mix(spec.seed ^ mix(b as u64 + 1)));
    let rows = b * BLOCK..((b + 1) * BLOCK).min(spec.isolates);
    let mut out = Vec::with_capacity(rows.len() * 120);
    let patients = spec.patients.max(1);
    let establishments: Vec<String> = (0..ESTABLISHMENTS).map(finess).collect();
    let species_table: Vec<(usize, u32)> =
        SPECIES.iter().enumerate().map(|(i, s)| (i, s.3)).collect();
    let ward_table: Vec<(usize, u32)> = WARDS.iter().enumerate().map(|(i, w)| (i, w.2)).collect();
    let dates: Vec<String> = (0..DAYS)
        .map(|d| crate::read::format_date(FIRST_DAY + d))
        .collect();
    for row in rows {
        // Patients: a few are sampled often (u² skews towards low numbers).
        let u: f64 = rng.random();
        let patient = ((u * u * patients as f64) as usize).min(patients - 1);
        let p = mix(spec.seed.wrapping_add(patient as u64 * 0x9E37));
        let establishment = (p % ESTABLISHMENTS as u64) as usize;
        let sector = sector(establishment);
        let age = if p >> 20 & 31 == 0 {
            (p >> 8) % 16
        } else {
            18 + (p >> 8) % 60 + (p >> 30) % 25
        };
        let sex = if p >> 40 & 1 == 0 { "F" } else { "M" };
        // Files come sorted by date, roughly.
        let day = ((row as i64 * i64::from(DAYS)) / spec.isolates.max(1) as i64) as i32
            + rng.random_range(-3..=3);
        let day = day.clamp(0, DAYS - 1) as usize;
        let s = pick(&mut rng, &species_table);
        let (name, abbreviation, group, _, resistance) = SPECIES[s];
        let organism = if rng.random_bool(0.25) {
            abbreviation
        } else {
            name
        };
        let specimen = pick(&mut rng, &SPECIMENS);
        let (ward, ward_type) = match sector {
            "ES" => {
                let w = pick(&mut rng, &ward_table);
                (WARDS[w].0, WARDS[w].1)
            }
            "EMS" => ("EHPAD", "EHPAD"),
            _ => ("LABO", "ville"),
        };
        let _ = write!(
            out,
            "I{row:08},P{patient:07},{},{organism},{specimen},{ward},{ward_type},{},{sector},{age},{sex}",
            dates[day], establishments[establishment]
        );
        let with_disk = rng.random_bool(0.2);
        let mut zones = [None::<u8>; 3];
        for (a, code) in AGENTS.iter().enumerate() {
            out.push(b',');
            let Some((tested, s_mode, r_rate, r_mode)) = profile(group, a) else {
                continue;
            };
            if !rng.random_bool(tested) {
                continue;
            }
            let resistant = rng.random_bool((r_rate * resistance).min(0.95));
            let spread = [-2, -1, -1, 0, 0, 0, 0, 1, 1, 2][rng.random_range(0..10)];
            let log2 = if resistant { r_mode } else { s_mode } + spread;
            let index = (log2 + 9).clamp(0, DILUTIONS.len() as i32 - 1) as usize;
            let cap: u32 = rng.random_range(0..100);
            if cap < 3 {
                out.extend_from_slice(b"<=");
            } else if cap < 6 {
                out.extend_from_slice(b">=");
            } else if cap < 7 && resistant {
                out.push(b'>');
            }
            out.extend_from_slice(DILUTIONS[index].as_bytes());
            if with_disk && let Some(d) = DISK_AGENTS.iter().position(|c| c == code) {
                let centre: f64 = if resistant { 12.0 } else { 27.0 };
                let zone = centre + rng.random_range(-4.0..=4.0) + rng.random_range(-2.0..=2.0);
                zones[d] = Some(zone.round().clamp(6.0, 40.0) as u8);
            }
        }
        for z in zones {
            out.push(b',');
            if let Some(z) = z {
                let _ = write!(out, "{z}");
            }
        }
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_readable() {
        let spec = Spec {
            isolates: 40_000,
            patients: 13_000,
            seed: 7,
        };
        let a = generate(&spec);
        assert_eq!(a, generate(&spec));
        assert_ne!(a, generate(&Spec { seed: 8, ..spec }));
        let data = crate::read(&a, &crate::ReadOptions::default())
            .expect("a generated file reads without problems");
        assert_eq!(data.len(), 40_000);
        assert!(data.patients.len() > 8_000 && data.patients.len() <= 13_000);
        assert_eq!(data.agents.len(), 17);
        let first = crate::first_isolate::first_isolates(&data, &Default::default());
        let table =
            crate::antibiogram::antibiogram(&data, Some(&first), &["sector".to_string()], 30)
                .unwrap();
        assert!(table.cells.iter().any(|c| c.n_r > 0 && c.n_s > 0));
        assert!(
            table.cells.iter().any(|c| c.n_ni > 0),
            "some capped MICs are non-interpretable"
        );
    }
}
