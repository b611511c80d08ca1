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
        self.mask_in(f, f.years(), false)
    }

    /// [`Self::mask`] over the years `years` rather than the filter's, and among blood
    /// cultures only if `blood` ([`is_blood`]).
    fn mask_in(&self, f: &Filter, years: RangeInclusive<i16>, blood: bool) -> Arc<Vec<bool>> {
        let key = format!(
            "{:?}",
            (
                &years,
                blood,
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
        let mask = Arc::new(self.compute_mask(f, years, blood));
        let mut masks = self.masks.lock().expect("mask memo");
        if masks.len() >= MASKS_KEPT {
            masks.clear();
        }
        masks.insert(key, mask.clone());
        mask
    }

    fn compute_mask(&self, f: &Filter, years: RangeInclusive<i16>, blood: bool) -> Vec<bool> {
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
        // The specimen codes of blood cultures, when only those are kept.
        let specimens = self.column(Column::Specimen);
        let blood_codes: Option<Vec<bool>> = blood.then(|| {
            specimens.map_or_else(Vec::new, |c| c.values.iter().map(|v| is_blood(v)).collect())
        });
        let kept: Vec<bool> = (0..self.data.len())
            .map(|r| {
                years.contains(&self.year[r])
                    && blood_codes
                        .as_ref()
                        .is_none_or(|codes| specimens.is_some_and(|c| codes[c.codes[r] as usize]))
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
    fn mask_per_year(&self, f: &Filter, blood: bool) -> Vec<bool> {
        let mut union = vec![false; self.data.len()];
        for &year in self.years.iter().filter(|y| f.years().contains(*y)) {
            for (u, keep) in union
                .iter_mut()
                .zip(self.mask_in(f, year..=year, blood).iter())
            {
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
        let mask = self.mask_per_year(
            &Filter {
                year_from: None,
                year_to: None,
                ..f.clone()
            },
            false,
        );
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

    /// Resistant organisms of concern among the filtered isolates, per establishment, year,
    /// series (blood cultures, every specimen) and indicator: the EARS-Net definitions, species
    /// by species ([`AlertKind`]). First isolates are those of each year and, for the blood
    /// series, those among blood cultures (EARS-Net: the first blood isolate of a patient, species
    /// and year).
    pub fn alerts(&self, f: &Filter) -> Vec<AlertRow> {
        let reference = cratb_amr::Reference::get();
        let columns: Vec<(AlertKind, Vec<usize>)> = AlertKind::ALL
            .iter()
            .map(|&kind| {
                let agents = kind
                    .agents()
                    .iter()
                    .filter_map(|c| self.data.agents.iter().position(|a| a.code == *c))
                    .collect();
                (kind, agents)
            })
            .collect();
        let establishments = self.column(Column::Establishment);
        // The indicators of each organism met (none for most).
        let mut kinds: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut counts: HashMap<(u32, i16, Series, AlertKind), (u32, u32)> = HashMap::new();
        for series in [Series::Blood, Series::All] {
            let mask = self.mask_per_year(f, series == Series::Blood);
            for r in mask
                .iter()
                .enumerate()
                .filter(|(_, keep)| **keep)
                .map(|(r, _)| r)
            {
                let mo = self.data.mo[r];
                let indicators = kinds.entry(mo).or_insert_with(|| {
                    let (genus, species) = reference.organism_named(mo).genus_species();
                    (0..columns.len())
                        .filter(|&i| columns[i].0.species() == (genus, species))
                        .collect()
                });
                let place = establishments.map_or(u32::MAX, |c| c.codes[r]);
                for &i in indicators.iter() {
                    let (kind, agents) = &columns[i];
                    let mut tested = false;
                    let mut resistant = false;
                    for &a in agents {
                        match self.data.agents[a].results[r] {
                            Sir::R => (tested, resistant) = (true, true),
                            Sir::S | Sir::Sdd | Sir::I => tested = true,
                            _ => {}
                        }
                    }
                    if tested {
                        let e = counts
                            .entry((place, self.year[r], series, *kind))
                            .or_default();
                        e.1 += 1;
                        e.0 += u32::from(resistant);
                    }
                }
            }
        }
        let mut rows: Vec<AlertRow> = counts
            .into_iter()
            .map(
                |((place, year, series, kind), (resistant, tested))| AlertRow {
                    establishment_id: establishments
                        .and_then(|c| c.values.get(place as usize))
                        .and_then(|v| v.parse().ok()),
                    year,
                    series,
                    kind,
                    resistant,
                    tested,
                    rate: 100.0 * f64::from(resistant) / f64::from(tested),
                },
            )
            .collect();
        rows.sort_by_key(|r| (r.establishment_id, r.year, r.series, r.kind));
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

/// The resistant organisms of concern followed by the stewardship network, species by species
/// as the European surveillance defines them: ECDC, EARS-Net reporting protocol (TESSy),
/// resistance to a class is an isolate reported R to at least one of its marker antimicrobials
/// (never "I", never ertapenem alone: wild-type *Proteus* and *Morganella*, "I" to imipenem by
/// design under EUCAST, are not flagged). No pooled rate: each species has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertKind {
    /// *Escherichia coli* resistant to a third-generation cephalosporin (R to cefotaxime,
    /// ceftriaxone or ceftazidime).
    #[serde(rename = "e_coli_3gc_r")]
    EColi3gc,
    /// *Klebsiella pneumoniae* resistant to a third-generation cephalosporin (R to cefotaxime,
    /// ceftriaxone or ceftazidime).
    #[serde(rename = "k_pneumoniae_3gc_r")]
    KPneumoniae3gc,
    /// *Escherichia coli* resistant to a carbapenem (R to imipenem or meropenem).
    #[serde(rename = "e_coli_carbapenem_r")]
    EColiCarbapenem,
    /// *Klebsiella pneumoniae* resistant to a carbapenem (R to imipenem or meropenem).
    #[serde(rename = "k_pneumoniae_carbapenem_r")]
    KPneumoniaeCarbapenem,
    /// Methicillin-resistant *Staphylococcus aureus* (R to cefoxitin or oxacillin, or to
    /// flucloxacillin, cloxacillin or methicillin as tested).
    #[serde(rename = "mrsa")]
    Mrsa,
    /// Vancomycin-resistant *Enterococcus faecium* (R to vancomycin).
    #[serde(rename = "vr_e_faecium")]
    VrEFaecium,
}

impl AlertKind {
    /// Every indicator, in the order they are listed.
    pub const ALL: [AlertKind; 6] = [
        AlertKind::EColi3gc,
        AlertKind::KPneumoniae3gc,
        AlertKind::EColiCarbapenem,
        AlertKind::KPneumoniaeCarbapenem,
        AlertKind::Mrsa,
        AlertKind::VrEFaecium,
    ];

    /// The species counted (genus, species epithet; its subspecies with it).
    pub fn species(self) -> (&'static str, &'static str) {
        match self {
            AlertKind::EColi3gc | AlertKind::EColiCarbapenem => ("Escherichia", "coli"),
            AlertKind::KPneumoniae3gc | AlertKind::KPneumoniaeCarbapenem => {
                ("Klebsiella", "pneumoniae")
            }
            AlertKind::Mrsa => ("Staphylococcus", "aureus"),
            AlertKind::VrEFaecium => ("Enterococcus", "faecium"),
        }
    }

    /// The antimicrobials (AMR codes) an isolate is resistant to when R to any of them (EARS-Net).
    pub fn agents(self) -> &'static [&'static str] {
        match self {
            AlertKind::EColi3gc | AlertKind::KPneumoniae3gc => &["CTX", "CRO", "CAZ"],
            AlertKind::EColiCarbapenem | AlertKind::KPneumoniaeCarbapenem => &["IPM", "MEM"],
            AlertKind::Mrsa => &["FOX", "OXA", "FLC", "CLO", "MET"],
            AlertKind::VrEFaecium => &["VAN"],
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AlertKind::EColi3gc => lang.pick(
                "E. coli résistant aux C3G",
                "3rd-gen. cephalosporin-resistant E. coli",
            ),
            AlertKind::KPneumoniae3gc => lang.pick(
                "K. pneumoniae résistant aux C3G",
                "3rd-gen. cephalosporin-resistant K. pneumoniae",
            ),
            AlertKind::EColiCarbapenem => lang.pick(
                "E. coli résistant aux carbapénèmes",
                "Carbapenem-resistant E. coli",
            ),
            AlertKind::KPneumoniaeCarbapenem => lang.pick(
                "K. pneumoniae résistant aux carbapénèmes",
                "Carbapenem-resistant K. pneumoniae",
            ),
            AlertKind::Mrsa => lang.pick(
                "SARM (S. aureus résistant à la méticilline)",
                "MRSA (methicillin-resistant S. aureus)",
            ),
            AlertKind::VrEFaecium => lang.pick(
                "E. faecium résistant à la vancomycine",
                "Vancomycin-resistant E. faecium",
            ),
        }
    }

    /// The definition, as the page and the files say it.
    pub fn definition(self, lang: Lang) -> &'static str {
        match self {
            AlertKind::EColi3gc | AlertKind::KPneumoniae3gc => lang.pick(
                "R à la céfotaxime, la ceftriaxone ou la ceftazidime",
                "R to cefotaxime, ceftriaxone or ceftazidime",
            ),
            AlertKind::EColiCarbapenem | AlertKind::KPneumoniaeCarbapenem => {
                lang.pick("R à l'imipénème ou au méropénème", "R to imipenem or meropenem")
            }
            AlertKind::Mrsa => lang.pick(
                "R à la céfoxitine ou à l'oxacilline (ou flucloxacilline, cloxacilline, méticilline)",
                "R to cefoxitin or oxacillin (or flucloxacillin, cloxacillin, methicillin)",
            ),
            AlertKind::VrEFaecium => lang.pick("R à la vancomycine", "R to vancomycin"),
        }
    }
}

/// Which isolates a figure counts: blood cultures, the series comparable with EARS-Net and
/// SPARES, first; then every specimen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// Blood cultures only (the specimen type as imported: `blood`, `sang`, `hémoculture`…).
    Blood,
    /// Every specimen.
    All,
}

impl Series {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Series::Blood => lang.pick("Hémocultures", "Blood cultures"),
            Series::All => lang.pick("Tous prélèvements", "All specimens"),
        }
    }
}

/// Whether a specimen type, as a laboratory writes it, is a blood culture: "blood", "sang",
/// "hémoculture" / "hemoculture", "HC" (case and accents aside).
pub fn is_blood(specimen: &str) -> bool {
    let s = specimen.trim().to_lowercase();
    s.contains("blood")
        || s.contains("sang")
        || s.contains("hémoc")
        || s.contains("hemoc")
        || s == "hc"
}

/// Resistant organisms of concern in an establishment, a year and a series, as counted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRow {
    pub establishment_id: Option<i64>,
    pub year: i16,
    pub series: Series,
    pub kind: AlertKind,
    /// First isolates of the species resistant among those tested.
    pub resistant: u32,
    pub tested: u32,
    /// Per cent.
    pub rate: f64,
}

/// The least number of isolates a rate is read without caution, as in the cumulative
/// antibiogram (CLSI M39): fewer, and the figure is greyed with the antibiogram's words.
pub const CAUTION_BELOW: u32 = cratb_amr::antibiogram::DEFAULT_MIN_ISOLATES;

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
    fn organisms_of_concern_follow_ears_net_species_by_species() {
        // Wild-type Proteus and Morganella ("I" to imipenem), an E. coli R to ertapenem only
        // and a K. pneumoniae "I" to meropenem are not carbapenem-resistant; 3GC counts per
        // species; the blood series counts blood cultures only.
        let file = "patient_id;date;organism;specimen;CTX;CAZ;IPM;MEM;ETP;FOX;VAN\n\
                    P1;2025-01-03;Proteus mirabilis;blood;S;S;I;S;S;;\n\
                    P2;2025-01-03;Morganella morganii;urine;S;S;I;S;S;;\n\
                    P3;2025-01-04;Escherichia coli;Hémoculture;R;S;S;S;R;;\n\
                    P4;2025-01-04;Escherichia coli;urine;S;S;S;S;S;;\n\
                    P5;2025-01-05;Klebsiella pneumoniae;urine;R;R;S;R;R;;\n\
                    P6;2025-01-05;Klebsiella pneumoniae;blood;S;S;S;I;S;;\n\
                    P7;2025-01-06;Staphylococcus aureus;blood;;;;;;R;\n\
                    P8;2025-01-06;Enterococcus faecalis;blood;;;;;;;R\n\
                    P9;2025-01-06;Enterococcus faecium;pus;;;;;;;R\n";
        let data =
            RegionData::build(cratb_amr::read(file.as_bytes(), &Default::default()).unwrap());
        let rows = data.alerts(&Filter::default());
        let got: Vec<(Series, AlertKind, u32, u32)> = rows
            .iter()
            .map(|r| (r.series, r.kind, r.resistant, r.tested))
            .collect();
        use AlertKind::*;
        assert_eq!(
            got,
            [
                (Series::Blood, EColi3gc, 1, 1),
                (Series::Blood, KPneumoniae3gc, 0, 1),
                (Series::Blood, EColiCarbapenem, 0, 1),
                (Series::Blood, KPneumoniaeCarbapenem, 0, 1),
                (Series::Blood, Mrsa, 1, 1),
                (Series::All, EColi3gc, 1, 2),
                (Series::All, KPneumoniae3gc, 1, 2),
                (Series::All, EColiCarbapenem, 0, 2),
                (Series::All, KPneumoniaeCarbapenem, 1, 2),
                (Series::All, Mrsa, 1, 1),
                (Series::All, VrEFaecium, 1, 1),
            ]
        );
        assert!(is_blood("Sang") && is_blood("HÉMOCULTURE") && !is_blood("urine"));
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
