//! First isolates (CLSI M39): per patient and species, the first isolate of each episode, as
//! `first_isolate()` of the AMR package does.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::read::Dataset;
use crate::reference::MoId;
use crate::values::Sir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// A new episode starts `episode_days` or more after the first isolate of the last one.
    #[default]
    EpisodeBased,
    /// One first isolate per patient and species, ever.
    PatientBased,
    /// Episode-based, and besides an isolate whose antibiogram differs enough from the other
    /// isolates of the patient and species (`type = "points"`, see [`duplicated_antibiogram`]).
    PhenotypeBased,
}

impl Method {
    pub fn parse(text: &str) -> Option<Method> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "episode-based" | "episode" => Method::EpisodeBased,
            "patient-based" | "patient" => Method::PatientBased,
            "phenotype-based" | "phenotype" => Method::PhenotypeBased,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub method: Method,
    pub episode_days: u32,
    /// Phenotype-based: the points from which two antibiograms differ (S↔R counts 1,
    /// S/R↔I counts 0.5; SDD counts as I), as the package's `points_threshold` (default 2).
    pub points_threshold: f32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: Method::EpisodeBased,
            episode_days: 365,
            points_threshold: 2.0,
        }
    }
}

/// Rows in the order first isolates are decided — patient, species, date, then file order —
/// with each row's species. Sorting is the costly part: keep it to decide first isolates for
/// many subsets of the same data ([`first_isolates_in`]).
pub struct Order {
    order: Vec<u32>,
    species: Vec<u32>,
}

impl Order {
    pub fn of(data: &Dataset) -> Order {
        let n = data.len();
        let reference = crate::Reference::get();
        // The package groups on `paste(mo_genus(), mo_species())`, not on the organism code.
        let mut species_of: HashMap<MoId, u32> = HashMap::new();
        let mut species_ids: HashMap<(&str, &str), u32> = HashMap::new();
        for &mo in &data.mo {
            species_of.entry(mo).or_insert_with(|| {
                let key = reference.organism_named(mo).genus_species();
                let next = species_ids.len() as u32;
                *species_ids.entry(key).or_insert(next)
            });
        }
        let species: Vec<u32> = data.mo.iter().map(|mo| species_of[mo]).collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_unstable_by_key(|&i| {
            let i = i as usize;
            (data.patient[i], species[i], data.date[i], i as u32)
        });
        Order { order, species }
    }
}

/// Whether each row of `data` is a first isolate: per patient and species (genus + epithet,
/// as the package), ordered by date and then file order.
pub fn first_isolates(data: &Dataset, options: &Options) -> Vec<bool> {
    first_isolates_in(data, &Order::of(data), None, options)
}

/// First isolates among the rows `keep` retains (an analysis period, a sector…), as if the
/// file held only them: CLSI M39 counts the first isolate per patient in the period analysed.
/// Rows not kept are `false`.
pub fn first_isolates_in(
    data: &Dataset,
    order: &Order,
    keep: Option<&[bool]>,
    options: &Options,
) -> Vec<bool> {
    let n = data.len();
    let species = &order.species;
    let kept: Vec<u32>;
    let order: &[u32] = match keep {
        Some(keep) => {
            kept = order
                .order
                .iter()
                .copied()
                .filter(|&i| keep[i as usize])
                .collect();
            &kept
        }
        None => &order.order,
    };
    let n_kept = order.len();
    let mut first = vec![false; n];
    let episode = options.episode_days as i64;
    let mut start = 0;
    while start < n_kept {
        let head = order[start] as usize;
        let mut end = start + 1;
        while end < n_kept {
            let j = order[end] as usize;
            if data.patient[j] != data.patient[head] || species[j] != species[head] {
                break;
            }
            end += 1;
        }
        let group = &order[start..end];
        match options.method {
            Method::PatientBased => first[group[0] as usize] = true,
            Method::EpisodeBased | Method::PhenotypeBased => {
                let mut episode_start = i64::MIN / 2;
                for &i in group {
                    let d = i64::from(data.date[i as usize]);
                    if d - episode_start >= episode {
                        first[i as usize] = true;
                        episode_start = d;
                    }
                }
                if options.method == Method::PhenotypeBased {
                    let keys: Vec<Vec<u8>> = group
                        .iter()
                        .map(|&i| antibiogram_key(data, i as usize))
                        .collect();
                    let duplicated = duplicated_antibiogram(&keys, options.points_threshold);
                    for (&i, duplicated) in group.iter().zip(duplicated) {
                        if !duplicated {
                            first[i as usize] = true;
                        }
                    }
                }
            }
        }
        start = end;
    }
    first
}

/// An isolate's results as the package's `generate_antimicrobials_string()` writes them: one
/// character per antimicrobial, `S`, `I` (SDD counts as I), `R`, or `.` (untested, NI).
fn antibiogram_key(data: &Dataset, row: usize) -> Vec<u8> {
    data.agents
        .iter()
        .map(|agent| match agent.results[row] {
            Sir::S => b'S',
            Sir::Sdd | Sir::I => b'I',
            Sir::R => b'R',
            Sir::Missing | Sir::Ni => b'.',
        })
        .collect()
}

/// The package's `antimicrobials_equal(type = "points")`: S↔R counts 1 point, I↔S/R half a
/// point, positions untested on either side none; equal below the threshold.
fn antibiograms_equal(a: &[u8], b: &[u8], threshold: f32) -> bool {
    let level = |c: u8| match c {
        b'S' => Some(1i32),
        b'I' => Some(2),
        b'R' => Some(3),
        _ => None,
    };
    let points: i32 = a
        .iter()
        .zip(b)
        .filter_map(|(&x, &y)| Some((level(x)? - level(y)?).abs()))
        .sum();
    (points as f32 / 2.0) < threshold
}

/// The package's `duplicated_antibiogram()` over one patient × species, rows in date order:
/// whether each isolate's antibiogram counts as a duplicate (so is not a first isolate on
/// phenotype grounds). Reproduced as written, including its quirks: the antibiograms are
/// sorted on their number of untested agents, then as text (byte order here; R uses the
/// locale's collation); an antibiogram is a duplicate when it is equal to every antibiogram
/// decided before it; with two isolates, or when all but the first two sorted ones are exact
/// duplicates, the result is returned in sorted order without being put back in row order.
pub fn duplicated_antibiogram(keys: &[Vec<u8>], threshold: f32) -> Vec<bool> {
    let n = keys.len();
    if n == 1 {
        return vec![false];
    }
    let dots = |k: &[u8]| k.iter().filter(|&&c| c == b'.').count();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| (dots(&keys[a]), &keys[a]).cmp(&(dots(&keys[b]), &keys[b])));
    let sorted: Vec<&[u8]> = order.iter().map(|&i| &keys[i][..]).collect();
    let mut out: Vec<Option<bool>> = vec![None; n];
    out[0] = Some(false);
    out[1] = Some(antibiograms_equal(sorted[0], sorted[1], threshold));
    if n == 2 {
        return out.into_iter().map(|o| o.unwrap_or(false)).collect();
    }
    let mut seen = HashSet::new();
    let duplicates: Vec<bool> = sorted.iter().map(|k| !seen.insert(*k)).collect();
    for i in 2..n {
        if duplicates[i] {
            out[i] = Some(true);
        }
    }
    if duplicates[2..].iter().all(|d| *d) {
        return out.into_iter().map(|o| o.unwrap_or(true)).collect();
    }
    let pending: Vec<&[u8]> = (0..n)
        .filter(|&i| out[i].is_none())
        .map(|i| sorted[i])
        .collect();
    for na in pending {
        let equal = (0..n)
            .filter(|&i| out[i].is_some() && sorted[i] != na)
            .all(|i| antibiograms_equal(sorted[i], na, threshold));
        for i in 0..n {
            if sorted[i] == na {
                out[i] = Some(equal);
            }
        }
    }
    let mut result = vec![false; n];
    for (k, &i) in order.iter().enumerate() {
        result[i] = out[k].unwrap_or(false);
    }
    let mut seen = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        if !seen.insert(&key[..]) {
            result[i] = true;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|k| k.as_bytes().to_vec()).collect()
    }

    #[test]
    fn points_as_antimicrobials_equal() {
        // S↔R = 1, I↔S = 0.5, I↔R = 0.5; untested on either side = 0; equal below 2 points.
        assert!(antibiograms_equal(b"SSS", b"SRS", 2.0)); // 1 point
        assert!(!antibiograms_equal(b"SSS", b"RRS", 2.0)); // 2 points: not below 2
        assert!(antibiograms_equal(b"SSS", b"RIS", 2.0)); // 1.5 points
        assert!(!antibiograms_equal(b"SSSS", b"RIIR", 2.0)); // 1 + 0.5 + 0.5 + 1 = 3
        assert!(antibiograms_equal(b"SS..", b"SSRR", 2.0)); // untested positions do not count
        assert!(antibiograms_equal(b"SSS", b"RRS", 2.5));
    }

    #[test]
    fn duplicated_antibiogram_as_the_package() {
        // One isolate: never a duplicate.
        assert_eq!(duplicated_antibiogram(&keys(&["SSS"]), 2.0), [false]);
        // Two: the second is a duplicate when equal to the first.
        assert_eq!(
            duplicated_antibiogram(&keys(&["SSS", "SRS"]), 2.0),
            [false, true]
        );
        assert_eq!(
            duplicated_antibiogram(&keys(&["SSS", "RRR"]), 2.0),
            [false, false]
        );
        // General path. Sorted: RRRR, SSSR, SSSS, SSSS. SSSR is decided against RRRR only
        // (3 points: not a duplicate, although 1 point from SSSS); the first SSSS against RRRR
        // and SSSR (not equal to all: not a duplicate); the repeat of SSSS is a duplicate.
        assert_eq!(
            duplicated_antibiogram(&keys(&["SSSS", "SSSR", "RRRR", "SSSS"]), 2.0),
            [false, false, false, true]
        );
        // The package's fast return (all but the first two sorted ones are exact duplicates)
        // leaves the answer in sorted order: sorted "RRR", "SSS", "SSS" gives FALSE, FALSE,
        // TRUE, placed on rows 1, 2, 3 as they are: the repeat of row 1 is not a duplicate
        // and the resistant isolate is.
        assert_eq!(
            duplicated_antibiogram(&keys(&["SSS", "SSS", "RRR"]), 2.0),
            [false, false, true]
        );
        // Fewer untested agents sort first: sorted RRR, SRR, S.. ; SRR against RRR is 1 point
        // (a duplicate), S.. against both is 1 and 0 points (a duplicate); RRR, sorted first,
        // is not, although it is the last by date.
        assert_eq!(
            duplicated_antibiogram(&keys(&["S..", "SRR", "RRR"]), 2.0),
            [true, true, false]
        );
    }
}
