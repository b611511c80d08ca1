//! The demo's laboratory file: three years of a regional network's susceptibility results,
//! MICs drawn species by species and antimicrobial by antimicrobial so that the cumulative
//! antibiogram reads as a French microbiologist expects.
//!
//! - **Wild type below the breakpoints**: a susceptible isolate's MIC is drawn at least one
//!   dilution under the EUCAST S breakpoint the import will apply (the same breakpoint row,
//!   `cratb_amr::interpret::Rule`), so that wild-type isolates read S — or "I" only where
//!   EUCAST categorises the wild type so by design (S ≤ 0.001 mg/L: *P. aeruginosa* and
//!   piperacillin-tazobactam, enterococci and the high-level gentamicin screen…). Imipenem is
//!   not tested on *Proteus* and *Morganella* (intrinsically low activity, EUCAST).
//! - **Intrinsic resistance respected**: every pair of the EUCAST expected resistant phenotypes
//!   (`intrinsic_resistant` of cratb-amr: *K. pneumoniae* and amoxicillin, *E. cloacae* and
//!   amoxicillin, amoxicillin-clavulanate, cefoxitin, *P. aeruginosa* and cefotaxime,
//!   enterococci and cephalosporins…) is drawn above the R breakpoint, always; the enterococci's
//!   gentamicin, which labs test as the high-level screen, excepted.
//! - **Acquired resistance near published French figures**, about, as these reports give them
//!   for France (rounded; they set the demo's proportions and are no reference to quote):
//!   - ECDC, *Antimicrobial resistance in the EU/EEA (EARS-Net) — Annual epidemiological
//!     report for 2022*, Stockholm, 2023 (invasive isolates, France): third-generation
//!     cephalosporin-resistant *E. coli* about 10 %, *K. pneumoniae* about 25–30 %,
//!     carbapenem-resistant *K. pneumoniae* under 1 % and *E. coli* about 0.1 %, MRSA about
//!     12–15 % of *S. aureus*, vancomycin-resistant *E. faecium* under 1 %, *P. aeruginosa*
//!     resistant to carbapenems about 15 %, to piperacillin-tazobactam about 15 %, to
//!     ceftazidime about 10 %, fluoroquinolone-resistant *E. coli* about 15 %.
//!   - Santé publique France, Mission SPARES, *Surveillance de la consommation d'antibiotiques
//!     et des résistances bactériennes en établissement de santé, données 2022*, 2024: the
//!     same orders in hospitals (3GC-R *E. coli* about 10 %, *K. pneumoniae* about 30 %, SARM
//!     about 12 % of *S. aureus*, *E. cloacae* 3GC-R about 30 % through its AmpC).
//!
//!   Resistances travel together as they do: an ESBL makes cefotaxime and ceftriaxone R,
//!   usually ceftazidime and cefepime, often the fluoroquinolones; a carbapenemase comes with
//!   an ESBL-like profile; a methicillin-resistant staphylococcus is R to oxacillin and
//!   cefoxitin and often to ciprofloxacin.
//!
//! Deterministic: one generator seeded from the seed, rows made in order (60 000 rows in a few
//! tens of milliseconds).

use cratb_amr::interpret::{Options, Rule};
use cratb_amr::reference::Reference;
use cratb_amr::synth::{WARDS, mix, pick};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// The antimicrobials of the `<code>_mic` columns, in order.
pub const AGENTS: [&str; 21] = [
    "AMX", "AMC", "TZP", "CTX", "CRO", "CAZ", "FEP", "FOX", "ETP", "IPM", "MEM", "CIP", "GEN",
    "AMK", "SXT", "NIT", "OXA", "VAN", "TEC", "LNZ", "CLI",
];

/// What a resistance mechanism of the isolate makes R.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Enterobacterales,
    Pseudomonas,
    Acinetobacter,
    Staphylococcus,
    Enterococcus,
    Streptococcus,
}

/// One antimicrobial of a species' panel: code, share of isolates tested, log2 of the wild
/// type's modal MIC (mg/L), share with acquired resistance (outside the mechanisms below).
type Panel = &'static [(&'static str, f64, i32, f64)];

struct Species {
    name: &'static str,
    family: Family,
    /// Isolates per thousand.
    share: u32,
    /// Specimen types and their weights for the species.
    specimens: &'static [(&'static str, u32)],
    /// Share with an ESBL or a derepressed AmpC (3GC-R), or with methicillin resistance
    /// (staphylococci).
    mechanism: f64,
    /// Share with a carbapenemase (Enterobacterales).
    carbapenemase: f64,
    panel: Panel,
}

const URINE_FIRST: &[(&str, u32)] = &[
    ("urine", 70),
    ("blood", 12),
    ("pus", 8),
    ("respiratory", 3),
    ("other", 7),
];
const MIXED: &[(&str, u32)] = &[
    ("urine", 40),
    ("blood", 15),
    ("respiratory", 20),
    ("pus", 15),
    ("other", 10),
];

/// The panel of Enterobacterales (E. coli's wild-type modes; the others' are close).
const ENTEROBACTERALES: Panel = &[
    ("AMX", 0.95, 1, 0.45),
    ("AMC", 0.95, 2, 0.25),
    ("TZP", 0.8, 1, 0.05),
    ("CTX", 0.9, -5, 0.0),
    ("CRO", 0.3, -5, 0.0),
    ("CAZ", 0.85, -2, 0.0),
    ("FEP", 0.6, -5, 0.0),
    ("FOX", 0.5, 2, 0.04),
    ("ETP", 0.7, -6, 0.0),
    ("IPM", 0.6, -2, 0.0),
    ("MEM", 0.5, -5, 0.0),
    ("CIP", 0.9, -6, 0.10),
    ("GEN", 0.9, -1, 0.04),
    ("AMK", 0.6, 1, 0.01),
    ("SXT", 0.9, -4, 0.20),
    ("NIT", 0.5, 4, 0.02),
];

/// Enterobacterales of the tribe Proteeae: no imipenem (EUCAST: intrinsically low activity).
const PROTEEAE: Panel = &[
    ("AMX", 0.95, 1, 0.30),
    ("AMC", 0.95, 2, 0.10),
    ("TZP", 0.8, -1, 0.02),
    ("CTX", 0.9, -5, 0.0),
    ("CRO", 0.3, -5, 0.0),
    ("CAZ", 0.85, -4, 0.0),
    ("FEP", 0.6, -5, 0.0),
    ("FOX", 0.5, 2, 0.03),
    ("ETP", 0.7, -6, 0.0),
    ("MEM", 0.6, -4, 0.0),
    ("CIP", 0.9, -5, 0.12),
    ("GEN", 0.9, -1, 0.06),
    ("AMK", 0.6, 1, 0.01),
    ("SXT", 0.9, -4, 0.25),
    ("NIT", 0.4, 6, 0.0),
];

const PSEUDOMONAS: Panel = &[
    ("AMX", 0.1, 5, 0.0),
    ("AMC", 0.1, 5, 0.0),
    ("CTX", 0.1, 4, 0.0),
    ("ETP", 0.1, 3, 0.0),
    ("SXT", 0.1, 4, 0.0),
    ("TZP", 0.95, 2, 0.15),
    ("CAZ", 0.95, 1, 0.10),
    ("FEP", 0.9, 1, 0.09),
    ("IPM", 0.9, 1, 0.15),
    ("MEM", 0.9, -1, 0.10),
    ("CIP", 0.95, -2, 0.13),
    ("AMK", 0.9, 2, 0.03),
    ("GEN", 0.3, 1, 0.06),
];

const ACINETOBACTER: Panel = &[
    ("IPM", 0.9, -1, 0.06),
    ("MEM", 0.9, -1, 0.06),
    ("CIP", 0.9, -1, 0.12),
    ("GEN", 0.8, 0, 0.10),
    ("AMK", 0.8, 1, 0.06),
    ("SXT", 0.8, -3, 0.12),
];

const STAPHYLOCOCCUS: Panel = &[
    ("OXA", 0.95, -2, 0.0),
    ("FOX", 0.8, 2, 0.0),
    ("VAN", 0.9, 0, 0.0),
    ("TEC", 0.6, -1, 0.003),
    ("LNZ", 0.7, 1, 0.002),
    ("CLI", 0.85, -3, 0.10),
    ("CIP", 0.6, -2, 0.06),
    ("GEN", 0.85, -2, 0.02),
    ("SXT", 0.8, -4, 0.02),
];

const ENTEROCOCCUS: Panel = &[
    ("AMX", 0.95, 0, 0.01),
    ("CTX", 0.1, 5, 0.0),
    ("GEN", 0.6, 3, 0.15),
    ("VAN", 0.95, 0, 0.0),
    ("TEC", 0.8, -2, 0.0),
    ("LNZ", 0.8, 1, 0.002),
    ("NIT", 0.5, 3, 0.01),
];

const ENTEROCOCCUS_FAECIUM: Panel = &[
    ("AMX", 0.95, 1, 0.85),
    ("CTX", 0.1, 6, 0.0),
    ("GEN", 0.6, 3, 0.30),
    ("VAN", 0.95, 0, 0.006),
    ("TEC", 0.8, -2, 0.004),
    ("LNZ", 0.8, 1, 0.004),
];

const STREPTOCOCCUS: Panel = &[
    ("AMX", 0.9, -5, 0.0),
    ("CTX", 0.8, -5, 0.0),
    ("CLI", 0.8, -4, 0.22),
    ("VAN", 0.6, -1, 0.0),
    ("LNZ", 0.6, 0, 0.0),
];

const PNEUMOCOCCUS: Panel = &[
    ("AMX", 0.9, -5, 0.05),
    ("CTX", 0.9, -5, 0.01),
    ("CLI", 0.8, -5, 0.20),
    ("VAN", 0.6, -2, 0.0),
    ("LNZ", 0.6, 0, 0.0),
];

const SPECIES: &[Species] = &[
    Species {
        name: "Escherichia coli",
        family: Family::Enterobacterales,
        share: 360,
        specimens: URINE_FIRST,
        mechanism: 0.10,
        carbapenemase: 0.001,
        panel: ENTEROBACTERALES,
    },
    Species {
        name: "Staphylococcus aureus",
        family: Family::Staphylococcus,
        share: 130,
        specimens: &[
            ("pus", 45),
            ("blood", 20),
            ("respiratory", 20),
            ("urine", 5),
            ("other", 10),
        ],
        mechanism: 0.13,
        carbapenemase: 0.0,
        panel: STAPHYLOCOCCUS,
    },
    Species {
        name: "Klebsiella pneumoniae",
        family: Family::Enterobacterales,
        share: 90,
        specimens: MIXED,
        mechanism: 0.27,
        carbapenemase: 0.008,
        panel: ENTEROBACTERALES,
    },
    Species {
        name: "Pseudomonas aeruginosa",
        family: Family::Pseudomonas,
        share: 75,
        specimens: &[
            ("respiratory", 40),
            ("urine", 25),
            ("pus", 20),
            ("blood", 8),
            ("other", 7),
        ],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: PSEUDOMONAS,
    },
    Species {
        name: "Enterococcus faecalis",
        family: Family::Enterococcus,
        share: 60,
        specimens: &[("urine", 60), ("blood", 15), ("pus", 20), ("other", 5)],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: ENTEROCOCCUS,
    },
    Species {
        name: "Proteus mirabilis",
        family: Family::Enterobacterales,
        share: 50,
        specimens: &[("urine", 60), ("pus", 25), ("blood", 5), ("other", 10)],
        mechanism: 0.04,
        carbapenemase: 0.0,
        panel: PROTEEAE,
    },
    Species {
        name: "Staphylococcus epidermidis",
        family: Family::Staphylococcus,
        share: 45,
        specimens: &[("blood", 50), ("other", 25), ("pus", 20), ("urine", 5)],
        mechanism: 0.45,
        carbapenemase: 0.0,
        panel: STAPHYLOCOCCUS,
    },
    Species {
        name: "Enterobacter cloacae",
        family: Family::Enterobacterales,
        share: 40,
        specimens: MIXED,
        mechanism: 0.30,
        carbapenemase: 0.01,
        panel: ENTEROBACTERALES,
    },
    Species {
        name: "Streptococcus agalactiae",
        family: Family::Streptococcus,
        share: 30,
        specimens: &[("urine", 50), ("other", 35), ("blood", 10), ("pus", 5)],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: STREPTOCOCCUS,
    },
    Species {
        name: "Streptococcus pneumoniae",
        family: Family::Streptococcus,
        share: 25,
        specimens: &[("respiratory", 70), ("blood", 25), ("other", 5)],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: PNEUMOCOCCUS,
    },
    Species {
        name: "Klebsiella oxytoca",
        family: Family::Enterobacterales,
        share: 20,
        specimens: MIXED,
        mechanism: 0.08,
        carbapenemase: 0.002,
        panel: ENTEROBACTERALES,
    },
    Species {
        name: "Enterococcus faecium",
        family: Family::Enterococcus,
        share: 20,
        specimens: &[("urine", 40), ("blood", 25), ("pus", 25), ("other", 10)],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: ENTEROCOCCUS_FAECIUM,
    },
    Species {
        name: "Morganella morganii",
        family: Family::Enterobacterales,
        share: 15,
        specimens: &[("urine", 50), ("pus", 35), ("blood", 5), ("other", 10)],
        mechanism: 0.15,
        carbapenemase: 0.0,
        panel: PROTEEAE,
    },
    Species {
        name: "Acinetobacter baumannii",
        family: Family::Acinetobacter,
        share: 10,
        specimens: &[
            ("respiratory", 40),
            ("urine", 20),
            ("pus", 20),
            ("blood", 10),
            ("other", 10),
        ],
        mechanism: 0.0,
        carbapenemase: 0.0,
        panel: ACINETOBACTER,
    },
];

/// The share of isolates of a mechanism R to an antimicrobial (1 where it defines it).
fn linked(family: Family, mechanism: bool, carbapenemase: bool, code: &str) -> f64 {
    match family {
        Family::Enterobacterales if carbapenemase => match code {
            "ETP" | "AMX" | "AMC" | "TZP" | "CTX" | "CRO" => 1.0,
            "MEM" => 0.75,
            "IPM" => 0.7,
            "CAZ" | "FEP" => 0.8,
            "CIP" => 0.7,
            _ => 0.0,
        },
        Family::Enterobacterales if mechanism => match code {
            "AMX" | "CTX" | "CRO" => 1.0,
            "CAZ" => 0.85,
            "FEP" => 0.65,
            "AMC" => 0.5,
            "TZP" => 0.25,
            "CIP" => 0.6,
            "SXT" => 0.55,
            "GEN" => 0.3,
            _ => 0.0,
        },
        Family::Staphylococcus if mechanism => match code {
            "OXA" | "FOX" => 1.0,
            "CIP" => 0.75,
            "GEN" => 0.08,
            "CLI" => 0.25,
            _ => 0.0,
        },
        _ => 0.0,
    }
}

/// The MIC dilution series as laboratories print it, from 2⁻⁹ to 2⁹ mg/L.
const DILUTIONS: [&str; 19] = [
    "0.002", "0.004", "0.008", "0.016", "0.03", "0.06", "0.125", "0.25", "0.5", "1", "2", "4", "8",
    "16", "32", "64", "128", "256", "512",
];

fn dilution(i: usize) -> f64 {
    DILUTIONS[i].parse().expect("a number")
}

/// How an antimicrobial's MICs are drawn for a species: the dilutions of its wild type and of
/// its resistant isolates, resolved once against the breakpoint the import applies.
#[derive(Clone, Copy)]
struct Draw {
    tested: f64,
    acquired: f64,
    /// Index in [`DILUTIONS`] of the wild type's mode (its spread goes one dilution up).
    wild: usize,
    /// Index of the least dilution above the R breakpoint.
    resistant: usize,
    intrinsic: bool,
}

fn draws(reference: &'static Reference, species: &Species) -> Vec<Option<Draw>> {
    let mo = reference.organism(species.name).expect("a demo species");
    let options = Options::default();
    AGENTS
        .iter()
        .map(|code| {
            let &(_, tested, mode, acquired) = species.panel.iter().find(|(c, ..)| c == code)?;
            let ab = reference.antimicrobial(code)?;
            let breakpoint = Rule::resolve(reference, mo, ab, &options, false).mic?;
            // The enterococci's gentamicin is read as the high-level screen.
            let intrinsic = reference.is_intrinsically_resistant(mo, ab)
                && !(species.family == Family::Enterococcus && *code == "GEN");
            let resistant = (0..DILUTIONS.len())
                .find(|&i| dilution(i) > breakpoint.r)
                .unwrap_or(DILUTIONS.len() - 1);
            let mut wild = ((mode + 9).max(0) as usize).min(DILUTIONS.len() - 2);
            // One dilution of spread up still S: the mode a dilution under the S breakpoint,
            // unless EUCAST categorises the wild type "I" (S ≤ 0.001 mg/L), then under R.
            let ceiling = if breakpoint.s >= dilution(0) {
                breakpoint.s
            } else {
                breakpoint.r
            };
            while wild > 0 && dilution(wild + 1) > ceiling {
                wild -= 1;
            }
            Some(Draw {
                tested,
                acquired,
                wild,
                resistant,
                intrinsic,
            })
        })
        .collect()
}

/// First day: 2023-01-01; three years.
const FIRST_DAY: i32 = 19_358;
const DAYS: i32 = 1096;

/// A laboratory file of `isolates` rows (`patients` patients), the hospitals' results
/// attributed to `es`, the nursing homes' to `ems` (FINESS numbers), a quarter from community
/// laboratories, with no establishment.
pub fn generate(
    isolates: usize,
    patients: usize,
    seed: u64,
    es: &[String],
    ems: &[String],
) -> Vec<u8> {
    let reference = Reference::get();
    let draws: Vec<Vec<Option<Draw>>> = SPECIES.iter().map(|s| draws(reference, s)).collect();
    let species_table: Vec<(usize, u32)> = SPECIES
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.share))
        .collect();
    let ward_table: Vec<(usize, u32)> = WARDS.iter().enumerate().map(|(i, w)| (i, w.2)).collect();
    let dates: Vec<String> = (0..DAYS)
        .map(|d| cratb_amr::read::format_date(FIRST_DAY + d))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ 0x1ab0));
    let mut out = String::with_capacity(isolates * 110 + 256);
    out.push_str(
        "isolate_id,patient_id,date,organism,specimen,ward,ward_type,establishment,sector,age,sex",
    );
    for a in AGENTS {
        let _ = write!(out, ",{a}_mic");
    }
    out.push('\n');
    let patients = patients.max(1);
    for row in 0..isolates {
        // Patients: a few are sampled often (u² skews towards low numbers).
        let u: f64 = rng.random();
        let patient = ((u * u * patients as f64) as usize).min(patients - 1);
        let p = mix(seed.wrapping_add(patient as u64 * 0x9E37));
        let (sector, finess) = match p % 8 {
            0..=4 if !es.is_empty() => ("ES", es[(p >> 3) as usize % es.len()].as_str()),
            5 if !ems.is_empty() => ("EMS", ems[(p >> 3) as usize % ems.len()].as_str()),
            _ => ("VILLE", ""),
        };
        let age = if sector == "EMS" {
            70 + (p >> 8) % 30
        } else if p >> 20 & 31 == 0 {
            (p >> 8) % 16
        } else {
            18 + (p >> 8) % 60 + (p >> 30) % 25
        };
        let sex = if p >> 40 & 1 == 0 { "F" } else { "M" };
        // Files come sorted by date, roughly.
        let day = ((row as i64 * i64::from(DAYS)) / isolates.max(1) as i64) as i32
            + rng.random_range(-3..=3);
        let day = day.clamp(0, DAYS - 1) as usize;
        let s = pick(&mut rng, &species_table);
        let species = &SPECIES[s];
        let specimen = pick(&mut rng, species.specimens);
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
            "I{row:08},P{patient:07},{},{},{specimen},{ward},{ward_type},{finess},{sector},{age},{sex}",
            dates[day], species.name
        );
        let carbapenemase = rng.random_bool(species.carbapenemase);
        let mechanism = carbapenemase || rng.random_bool(species.mechanism);
        for (a, code) in AGENTS.iter().enumerate() {
            out.push(',');
            let Some(d) = draws[s][a] else { continue };
            if !rng.random_bool(d.tested) {
                continue;
            }
            let link = linked(species.family, mechanism, carbapenemase, code);
            let resistant =
                d.intrinsic || (link > 0.0 && rng.random_bool(link)) || rng.random_bool(d.acquired);
            let index = if resistant {
                d.resistant + [0, 0, 1, 1, 2][rng.random_range(0..5)]
            } else {
                (d.wild + [0, 0, 0, 1, 1, 2][rng.random_range(0..6)]).saturating_sub(1)
            };
            out.push_str(DILUTIONS[index.min(DILUTIONS.len() - 1)]);
        }
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_amr::Sir;

    fn data() -> cratb_amr::Dataset {
        let es: Vec<String> = (0..20).map(|i| format!("0100{i:05}")).collect();
        let ems: Vec<String> = (0..10).map(|i| format!("0300{i:05}")).collect();
        let file = generate(60_000, 20_000, 42, &es, &ems);
        assert_eq!(
            file,
            generate(60_000, 20_000, 42, &es, &ems),
            "deterministic"
        );
        cratb_amr::read(&file, &Default::default()).expect("a generated file reads")
    }

    /// (R, S + I + SDD) of `code` among isolates of `species`, in `specimen` if given.
    fn count(d: &cratb_amr::Dataset, species: &str, code: &str, blood: bool) -> (u32, u32) {
        let mo = Reference::get().organism(species).unwrap();
        let agent = d.agents.iter().find(|a| a.code == code).unwrap();
        let specimen = d.text_column("specimen").unwrap();
        let mut n = (0, 0);
        for r in (0..d.len()).filter(|&r| d.mo[r] == mo) {
            if blood && specimen.get(r) != "blood" {
                continue;
            }
            match agent.results[r] {
                Sir::R => n.0 += 1,
                Sir::S | Sir::I | Sir::Sdd => n.1 += 1,
                _ => {}
            }
        }
        n
    }

    fn pct(d: &cratb_amr::Dataset, species: &str, code: &str, blood: bool) -> f64 {
        let (r, other) = count(d, species, code, blood);
        100.0 * f64::from(r) / f64::from(r + other)
    }

    #[test]
    fn intrinsic_resistance_is_always_r_and_wild_types_are_susceptible() {
        let d = data();
        for (species, code) in [
            ("Klebsiella pneumoniae", "AMX"),
            ("Enterobacter cloacae", "AMX"),
            ("Enterobacter cloacae", "AMC"),
            ("Morganella morganii", "AMX"),
            ("Pseudomonas aeruginosa", "CTX"),
        ] {
            let (r, other) = count(&d, species, code, false);
            assert!(
                r > 0 && other == 0,
                "{species} × {code}: {r} R, {other} not"
            );
        }
        // No "I" among Enterobacterales (wild types under the S breakpoint, resistant above R).
        let reference = Reference::get();
        for species in [
            "Proteus mirabilis",
            "Morganella morganii",
            "Escherichia coli",
        ] {
            let mo = reference.organism(species).unwrap();
            for agent in &d.agents {
                let i = (0..d.len())
                    .filter(|&r| d.mo[r] == mo && agent.results[r] == Sir::I)
                    .count();
                assert_eq!(i, 0, "{species} × {}", agent.code);
            }
        }
    }

    #[test]
    fn acquired_resistance_is_near_french_figures() {
        let d = data();
        let near = |x: f64, range: std::ops::Range<f64>, what: &str| {
            assert!(range.contains(&x), "{what}: {x:.1} %");
        };
        near(
            pct(&d, "Escherichia coli", "CTX", false),
            7.0..13.0,
            "3GC-R E. coli",
        );
        near(
            pct(&d, "Klebsiella pneumoniae", "CTX", false),
            22.0..33.0,
            "3GC-R K. pneumoniae",
        );
        near(
            pct(&d, "Klebsiella pneumoniae", "MEM", false),
            0.0..1.5,
            "CR K. pneumoniae",
        );
        near(
            pct(&d, "Staphylococcus aureus", "OXA", true),
            8.0..19.0,
            "MRSA, blood",
        );
        near(
            pct(&d, "Enterococcus faecium", "VAN", false),
            0.0..2.0,
            "VR E. faecium",
        );
        near(
            pct(&d, "Escherichia coli", "CIP", false),
            10.0..22.0,
            "FQ-R E. coli",
        );
        near(
            pct(&d, "Pseudomonas aeruginosa", "MEM", false),
            6.0..16.0,
            "CR P. aeruginosa",
        );
    }
}
