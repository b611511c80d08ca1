//! First isolates (CLSI M39): per patient and species, the first isolate of each episode, as
//! `first_isolate()` of the AMR package does.

use rayon::prelude::*;

use crate::read::Dataset;
use crate::values::Sir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// A new episode starts `episode_days` or more after the first isolate of the last one.
    #[default]
    EpisodeBased,
    /// One first isolate per patient and species, ever.
    PatientBased,
    /// Within an episode, an isolate whose antibiogram differs enough from the episode's
    /// first isolates is a first isolate too.
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
    /// S/R↔I counts 0.5).
    pub points_threshold: f32,
}

impl Default for Options {
    fn default() -> Self {
        Options { method: Method::EpisodeBased, episode_days: 365, points_threshold: 2.0 }
    }
}

/// Whether each row of `data` is a first isolate.
pub fn first_isolates(data: &Dataset, options: &Options) -> Vec<bool> {
    let n = data.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    // One sort: patient, organism, date, then file order.
    order.par_sort_unstable_by_key(|&i| {
        let i = i as usize;
        (data.patient[i], data.mo[i], data.date[i], i as u32)
    });
    let mut first = vec![false; n];
    let episode = options.episode_days as i64;
    let mut start = 0;
    while start < n {
        let head = order[start] as usize;
        let mut end = start + 1;
        while end < n {
            let j = order[end] as usize;
            if data.patient[j] != data.patient[head] || data.mo[j] != data.mo[head] {
                break;
            }
            end += 1;
        }
        let group = &order[start..end];
        match options.method {
            Method::PatientBased => first[group[0] as usize] = true,
            Method::EpisodeBased => {
                let mut episode_start = i64::MIN / 2;
                for &i in group {
                    let d = i64::from(data.date[i as usize]);
                    if d - episode_start >= episode {
                        first[i as usize] = true;
                        episode_start = d;
                    }
                }
            }
            Method::PhenotypeBased => {
                let mut episode_start = i64::MIN / 2;
                let mut kept: Vec<u32> = Vec::new();
                for &i in group {
                    let d = i64::from(data.date[i as usize]);
                    if d - episode_start >= episode {
                        first[i as usize] = true;
                        episode_start = d;
                        kept.clear();
                        kept.push(i);
                    } else if kept.iter().all(|&k| points(data, k as usize, i as usize) >= options.points_threshold) {
                        first[i as usize] = true;
                        kept.push(i);
                    }
                }
            }
        }
        start = end;
    }
    first
}

/// How far two antibiograms are apart: 1 point for S against R, half a point for I against
/// S or R; untested agents on either side do not count.
fn points(data: &Dataset, a: usize, b: usize) -> f32 {
    let mut total = 0.0;
    for agent in &data.agents {
        let (x, y) = (agent.results[a], agent.results[b]);
        let class = |s: Sir| match s {
            Sir::S | Sir::Sdd => Some(0),
            Sir::I => Some(1),
            Sir::R => Some(2),
            _ => None,
        };
        if let (Some(x), Some(y)) = (class(x), class(y)) {
            total += match (x as i32 - y as i32).abs() {
                2 => 1.0,
                1 => 0.5,
                _ => 0.0,
            };
        }
    }
    total
}
