//! A region's resistance surveillance, over its isolates held in memory: a column-wise
//! [`Dataset`] with the first-isolate sort and the years worked out once ([`RegionData`]); every
//! antibiogram, trend or count of resistant organisms of concern is a scan of those columns
//! under a [`Filter`], whose row masks are remembered for the next request.

pub mod imports;
pub mod places;

use cratb_domain::Lang;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

use cratb_amr::antibiogram::{Antibiogram, wilson};
use cratb_amr::{Dataset, Sir};
use serde::Serialize;

/// One region's isolates, ready for analysis.
pub struct RegionData {
    pub data: Dataset,
    /// The first-isolate sort, done once; first isolates are decided per request among the
    /// rows the filters keep (CLSI M39: the first isolate of the period analysed).
    order: cratb_amr::first_isolate::Order,
    pub year: Vec<i16>,
    pub years: Vec<i16>,
    /// The guideline(s) the isolates were interpreted with, as cited on every output.
    pub guideline: String,
    /// Recent masks by filter: the same page asked again (or its per-year trend) reuses them.
    masks: Mutex<HashMap<String, Arc<Vec<bool>>>>,
}

/// Masks kept per region before the memo starts afresh (a mask is a byte per isolate).
const MASKS_KEPT: usize = 32;

/// The text columns the pages filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The establishment's id (empty for none).
    Establishment,
    Specimen,
    WardType,
    Sector,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Establishment => "establishment",
            Column::Specimen => "specimen",
            Column::WardType => "ward_type",
            Column::Sector => "sector",
        }
    }
}

impl RegionData {
    pub fn build(data: Dataset) -> RegionData {
        let guideline = data.options.guideline_name().to_string();
        Self::with_guideline(data, guideline)
    }

    /// The guideline the data cites, given those its imports were interpreted with: all of
    /// them, or the default one for a region without imports.
    pub fn cited(guidelines: &[String]) -> String {
        if guidelines.is_empty() {
            cratb_amr::reference::DEFAULT_GUIDELINE.to_string()
        } else {
            guidelines.join(" + ")
        }
    }

    /// The data, citing `guideline` (the one(s) its imports were interpreted with).
    pub fn with_guideline(data: Dataset, guideline: String) -> RegionData {
        let order = cratb_amr::first_isolate::Order::of(&data);
        let year: Vec<i16> = data
            .date
            .iter()
            .map(|d| cratb_amr::read::civil_from_days(*d).0 as i16)
            .collect();
        let mut years = year.clone();
        years.sort_unstable();
        years.dedup();
        RegionData {
            data,
            order,
            guideline,
            masks: Mutex::default(),
            year,
            years,
        }
    }

    fn column(&self, column: Column) -> Option<&cratb_amr::read::TextColumn> {
        self.data.text_column(column.name())
    }

    /// Distinct values of a text column (specimen, ward type, sector), sorted.
    pub fn values(&self, column: Column) -> Vec<String> {
        let Some(column) = self.column(column) else {
            return Vec::new();
        };
        let mut v: Vec<String> = column
            .values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string())
            .collect();
        v.sort();
        v
    }

    /// Establishment ids present.
    pub fn establishment_ids(&self) -> Vec<i64> {
        self.column(Column::Establishment)
            .into_iter()
            .flat_map(|c| c.values.iter())
            .filter_map(|v| v.parse().ok())
            .collect()
    }

    /// Which rows the filter keeps (remembered for the next request with the same filter).
    pub fn mask(&self, f: &Filter) -> Arc<Vec<bool>> {
        self.mask_in(f, f.years())
    }

    /// [`Self::mask`] over the years `years` rather than the filter's.
    fn mask_in(&self, f: &Filter, years: RangeInclusive<i16>) -> Arc<Vec<bool>> {
        let key = format!(
            "{:?}",
            (
                &years,
                f.establishment,
                &f.specimen,
                &f.ward_type,
                &f.sector,
                f.first_only()
            )
        );
        if let Some(m) = self.masks.lock().expect("mask memo").get(&key) {
            return m.clone();
        }
        let mask = Arc::new(self.compute_mask(f, years));
        let mut masks = self.masks.lock().expect("mask memo");
        if masks.len() >= MASKS_KEPT {
            masks.clear();
        }
        masks.insert(key, mask.clone());
        mask
    }

    fn compute_mask(&self, f: &Filter, years: RangeInclusive<i16>) -> Vec<bool> {
        // Per filtered column: its codes and the code wanted (`None`: a value absent from the
        // data, which keeps nothing).
        let wanted: Vec<(Option<&[u32]>, Option<u32>)> = [
            (
                Column::Establishment,
                f.establishment.map(|e| e.to_string()),
            ),
            (Column::Specimen, f.specimen.clone()),
            (Column::WardType, f.ward_type.clone()),
            (Column::Sector, f.sector.clone()),
        ]
        .into_iter()
        .filter_map(|(column, value)| {
            let value = value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())?
                .to_string();
            let column = self.column(column);
            let code =
                column.and_then(|c| c.values.iter().position(|v| v.eq_ignore_ascii_case(&value)));
            Some((column.map(|c| &c.codes[..]), code.map(|p| p as u32)))
        })
        .collect();
        let kept: Vec<bool> = (0..self.data.len())
            .map(|r| {
                years.contains(&self.year[r])
                    && wanted.iter().all(|(codes, want)| match (codes, want) {
                        (Some(codes), Some(code)) => codes[r] == *code,
                        _ => false,
                    })
            })
            .collect();
        if !f.first_only() {
            return kept;
        }
        cratb_amr::first_isolate::first_isolates_in(
            &self.data,
            &self.order,
            Some(&kept),
            &Default::default(),
        )
    }

    /// [`Self::mask`] year by year: first isolates are those of each year (what a yearly trend
    /// or a yearly count of resistant organisms compares).
    fn mask_per_year(&self, f: &Filter) -> Vec<bool> {
        let mut union = vec![false; self.data.len()];
        for &year in self.years.iter().filter(|y| f.years().contains(*y)) {
            for (u, keep) in union.iter_mut().zip(self.mask_in(f, year..=year).iter()) {
                *u |= keep;
            }
        }
        union
    }

    pub fn antibiogram(&self, f: &Filter) -> Antibiogram {
        let mask = self.mask(f);
        let mut table =
            cratb_amr::antibiogram::antibiogram(&self.data, Some(&mask), &[], f.min_isolates())
                .expect("no grouping columns");
        table.first_isolates_only = f.first_only();
        table.guideline = self.guideline.clone();
        table.annotate(!f.ignore_intrinsic, self.data.options.guideline);
        table
    }

    /// % susceptible per year for one organism (code or name) × antimicrobial, with the other
    /// filters applied (the year range excepted); an expected resistant phenotype is R every
    /// year unless the filter ignores them.
    pub fn trend(&self, f: &Filter, organism: &str, antimicrobial: &str) -> Vec<TrendPoint> {
        let reference = cratb_amr::Reference::get();
        let (Some(mo), Some(agent)) = (
            reference.organism(organism),
            self.data
                .agents
                .iter()
                .find(|a| a.code.eq_ignore_ascii_case(antimicrobial)),
        ) else {
            return Vec::new();
        };
        let mask = self.mask_per_year(&Filter {
            year_from: None,
            year_to: None,
            ..f.clone()
        });
        let mut per_year: HashMap<i16, (u32, u32)> = HashMap::new();
        let rows = mask
            .iter()
            .enumerate()
            .filter(|(_, keep)| **keep)
            .map(|(r, _)| r);
        let intrinsic = !f.ignore_intrinsic
            && !cratb_amr::antibiogram::is_high_level_screen(mo, &agent.code)
            && reference.is_intrinsically_resistant(mo, agent.ab);
        for r in rows.filter(|&r| self.data.mo[r] == mo) {
            let entry = per_year.entry(self.year[r]).or_default();
            match agent.results[r] {
                Sir::Missing => {}
                _ if intrinsic => entry.1 += 1,
                Sir::S | Sir::Sdd | Sir::I => {
                    entry.0 += 1;
                    entry.1 += 1;
                }
                Sir::R => entry.1 += 1,
                _ => {}
            }
        }
        let mut points: Vec<TrendPoint> = per_year
            .into_iter()
            .filter(|(_, (_, n))| *n > 0)
            .map(|(year, (s, n))| {
                let (low, high) = wilson(s, n).unwrap_or_default();
                TrendPoint {
                    year,
                    n,
                    pct_susceptible: 100.0 * f64::from(s) / f64::from(n),
                    ci_low: low,
                    ci_high: high,
                }
            })
            .collect();
        points.sort_by_key(|p| p.year);
        points
    }

    /// Resistant organisms of concern among the filtered isolates, per establishment and year.
    pub fn alerts(&self, f: &Filter) -> Vec<AlertRow> {
        let mask = self.mask_per_year(f);
        let reference = cratb_amr::Reference::get();
        let agent = |code: &str| self.data.agents.iter().position(|a| a.code == code);
        let agents = |codes: &[&str]| codes.iter().filter_map(|c| agent(c)).collect::<Vec<_>>();
        let third_gen = agents(&["CTX", "CRO", "CAZ"]);
        let carbapenems = agents(&["MEM", "IPM", "ETP"]);
        let mrsa = agents(&["OXA", "FOX"]);
        let vancomycin = agents(&["VAN"]);
        let establishments = self.column(Column::Establishment);
        let mut kinds: HashMap<u32, Option<AlertKind>> = HashMap::new();
        let mut counts: HashMap<(u32, i16, AlertKind), (u32, u32)> = HashMap::new();
        for r in mask
            .iter()
            .enumerate()
            .filter(|(_, keep)| **keep)
            .map(|(r, _)| r)
        {
            let mo = self.data.mo[r];
            let group = *kinds.entry(mo).or_insert_with(|| {
                let o = reference.organism_named(mo);
                if o.lineage.iter().any(|c| &**c == "B_[ORD]_ENTRBCTR") {
                    Some(AlertKind::Enterobacterales3gc)
                } else if &*o.code == "B_STPHY_AURS" || o.code.starts_with("B_STPHY_AURS_") {
                    Some(AlertKind::Mrsa)
                } else if ["B_ENTRC_FCLS", "B_ENTRC_FACM"].contains(&&*o.code) {
                    Some(AlertKind::Vre)
                } else {
                    None
                }
            });
            let Some(group) = group else { continue };
            let place = establishments.map_or(u32::MAX, |c| c.codes[r]);
            let mut count = |kind: AlertKind, columns: &[usize], bad: &dyn Fn(Sir) -> bool| {
                let results: Vec<Sir> = columns
                    .iter()
                    .map(|&a| self.data.agents[a].results[r])
                    .collect();
                let tested = results
                    .iter()
                    .any(|s| matches!(s, Sir::S | Sir::Sdd | Sir::I | Sir::R));
                if tested {
                    let e = counts.entry((place, self.year[r], kind)).or_default();
                    e.1 += 1;
                    if results.iter().any(|s| bad(*s)) {
                        e.0 += 1;
                    }
                }
            };
            match group {
                AlertKind::Enterobacterales3gc => {
                    count(AlertKind::Enterobacterales3gc, &third_gen, &|s| s == Sir::R);
                    count(AlertKind::CarbapenemNonSusceptible, &carbapenems, &|s| {
                        matches!(s, Sir::I | Sir::R)
                    });
                }
                AlertKind::Mrsa => count(AlertKind::Mrsa, &mrsa, &|s| s == Sir::R),
                _ => count(AlertKind::Vre, &vancomycin, &|s| s == Sir::R),
            }
        }
        let mut rows: Vec<AlertRow> = counts
            .into_iter()
            .map(|((place, year, kind), (resistant, tested))| AlertRow {
                establishment_id: establishments
                    .and_then(|c| c.values.get(place as usize))
                    .and_then(|v| v.parse().ok()),
                year,
                kind,
                resistant,
                tested,
                rate: 100.0 * f64::from(resistant) / f64::from(tested),
            })
            .collect();
        rows.sort_by_key(|r| (r.establishment_id, r.year, r.kind));
        rows
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub year: i16,
    /// Isolates with a category (S, SDD, I or R).
    pub n: u32,
    pub pct_susceptible: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The resistant organisms of concern followed by the stewardship network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Enterobacterales resistant to a 3rd-generation cephalosporin (cefotaxime, ceftriaxone or ceftazidime R).
    Enterobacterales3gc,
    /// Enterobacterales not susceptible to a carbapenem (meropenem, imipenem or ertapenem I or R).
    CarbapenemNonSusceptible,
    /// Staphylococcus aureus resistant to oxacillin or cefoxitin.
    Mrsa,
    /// Enterococcus faecium or faecalis resistant to vancomycin.
    Vre,
}

impl AlertKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AlertKind::Enterobacterales3gc => lang.pick(
                "Entérobactéries résistantes aux C3G",
                "3rd-gen. cephalosporin-resistant Enterobacterales",
            ),
            AlertKind::CarbapenemNonSusceptible => lang.pick(
                "Entérobactéries non sensibles aux carbapénèmes",
                "Carbapenem-non-susceptible Enterobacterales",
            ),
            AlertKind::Mrsa => lang.pick(
                "SARM (S. aureus résistant à la méticilline)",
                "MRSA (methicillin-resistant S. aureus)",
            ),
            AlertKind::Vre => lang.pick(
                "ERV (E. faecium / faecalis résistant à la vancomycine)",
                "VRE (vancomycin-resistant E. faecium / faecalis)",
            ),
        }
    }
}

/// Resistant organisms of concern in an establishment and a year, as the API gives them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRow {
    pub establishment_id: Option<i64>,
    pub year: i16,
    pub kind: AlertKind,
    /// First isolates resistant (or non-susceptible) among those tested.
    pub resistant: u32,
    pub tested: u32,
    /// Per cent.
    pub rate: f64,
}

/// What an analysis keeps of a region's isolates. Every field is optional: nothing given keeps
/// every year, place and specimen, first isolates only.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// First year included (specimen date).
    pub year_from: Option<i16>,
    /// Last year included.
    pub year_to: Option<i16>,
    /// Establishment id.
    pub establishment: Option<i64>,
    /// `ES`, `EMS` or `VILLE`.
    pub sector: Option<String>,
    /// Specimen type as imported (`urine`, `blood`…).
    pub specimen: Option<String>,
    /// Ward type as imported (`icu`, `medicine`…).
    pub ward_type: Option<String>,
    /// Every isolate rather than the first of each patient and organism (CLSI M39).
    pub every_isolate: bool,
    /// Minimum number of categorised isolates for a percentage to be reported (default 30).
    pub min_isolates: Option<u32>,
    /// The laboratory's results as interpreted, expected resistant phenotypes included; by
    /// default those are R (EUCAST expected resistant phenotypes).
    pub ignore_intrinsic: bool,
}

impl Filter {
    /// Whether a request's `first_isolates` choice asks for every isolate (`false`, `0`, `off`,
    /// `non`); anything else keeps first isolates only.
    pub fn every_isolate_asked(first_isolates: Option<&str>) -> bool {
        first_isolates.is_some_and(|v| matches!(v, "false" | "0" | "off" | "non"))
    }

    /// First isolates only (the default).
    pub fn first_only(&self) -> bool {
        !self.every_isolate
    }
    /// The minimum number of isolates for a percentage.
    pub fn min_isolates(&self) -> u32 {
        self.min_isolates
            .unwrap_or(cratb_amr::antibiogram::DEFAULT_MIN_ISOLATES)
    }
    /// The years kept (all when not given).
    pub fn years(&self) -> RangeInclusive<i16> {
        self.year_from.unwrap_or(i16::MIN)..=self.year_to.unwrap_or(i16::MAX)
    }
    /// A readable summary for the audit log.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.year_from {
            parts.push(format!("depuis {y}"));
        }
        if let Some(y) = self.year_to {
            parts.push(format!("jusqu'à {y}"));
        }
        if let Some(e) = self.establishment {
            parts.push(format!("établissement {e}"));
        }
        for (name, v) in [
            ("secteur", &self.sector),
            ("prélèvement", &self.specimen),
            ("service", &self.ward_type),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{name} {v}"));
            }
        }
        parts.push(if self.first_only() {
            "premiers isolats".into()
        } else {
            "tous isolats".into()
        });
        if self.ignore_intrinsic {
            parts.push("résistances naturelles non appliquées".into());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_isolates_unless_every_isolate_is_asked_for() {
        for every in ["false", "0", "off", "non"] {
            assert!(Filter::every_isolate_asked(Some(every)), "{every}");
        }
        for first in [None, Some(""), Some("true"), Some("oui"), Some("FALSE")] {
            assert!(!Filter::every_isolate_asked(first), "{first:?}");
        }
        let f = Filter {
            year_from: Some(2024),
            specimen: Some("urine".into()),
            every_isolate: Filter::every_isolate_asked(Some("0")),
            ..Filter::default()
        };
        assert_eq!(f.summary(), "depuis 2024, prélèvement urine, tous isolats");
        assert_eq!(f.years(), 2024..=i16::MAX);
    }

    #[test]
    fn the_data_cites_every_guideline_of_its_imports() {
        assert_eq!(
            RegionData::cited(&[]),
            cratb_amr::reference::DEFAULT_GUIDELINE
        );
        let two = ["EUCAST 2024".to_string(), "EUCAST 2025".to_string()];
        assert_eq!(RegionData::cited(&two), "EUCAST 2024 + EUCAST 2025");
    }
}
