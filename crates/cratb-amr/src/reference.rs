//! The reference tables shipped with the binary: EUCAST breakpoints, antimicrobial codes,
//! the microbial taxonomy, species groups and expected resistant phenotypes.
//!
//! They are the data sets of the AMR R package 3.0.0 (EUCAST, WHOCC, LPSN, MycoBank), gzipped
//! in `data/` and parsed once, on first use.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

/// Index of an organism in [`Reference::organisms`].
pub type MoId = u32;
/// Index of an antimicrobial in [`Reference::antimicrobials`].
pub type AbId = u16;

/// Where the reference data comes from, to cite in every output.
pub const SOURCES: &str = "EUCAST clinical breakpoints 2023–2025; taxonomy LPSN/MycoBank; \
     data sets of the AMR R package 3.0.0 (Berends et al., J Stat Softw 2022)";

/// The guidelines of the breakpoint table, newest last.
pub const GUIDELINES: [&str; 3] = ["EUCAST 2023", "EUCAST 2024", "EUCAST 2025"];
/// The default guideline: the newest.
pub const DEFAULT_GUIDELINE: &str = "EUCAST 2025";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gram {
    Negative,
    Positive,
}

#[derive(Debug)]
pub struct Organism {
    pub code: Box<str>,
    pub name: Box<str>,
    pub accepted: bool,
    pub kingdom: Box<str>,
    pub rank: Box<str>,
    /// 1 = common in human clinical samples, up to 2 = rare.
    pub prevalence: f32,
    pub gram: Option<Gram>,
    pub anaerobe: bool,
    /// For a synonym: the organism it was renamed to.
    pub renamed_to: Option<MoId>,
    /// Codes this organism answers to in the breakpoint table, most specific first: itself, its
    /// its species groups, genus, family, order, class, the Gram or
    /// anaerobe groups. `UNKNOWN` (PK/PD) is implicit.
    pub lineage: Vec<Box<str>>,
    genus: Box<str>,
    species: Box<str>,
}

#[derive(Debug)]
pub struct Antimicrobial {
    pub code: Box<str>,
    pub name: Box<str>,
    pub group: Box<str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Mic,
    Disk,
}

#[derive(Debug)]
pub struct Breakpoint {
    pub guideline: u8,
    pub method: Method,
    pub site: Box<str>,
    pub mo: Box<str>,
    pub rank_index: f32,
    pub ab: AbId,
    pub ref_tbl: Box<str>,
    pub s: f64,
    pub r: f64,
    pub uti: bool,
    pub sdd: bool,
}

impl Organism {
    /// Genus and species epithet (empty for higher ranks): the package's `first_isolate()`
    /// groups isolates on them, so that a subspecies counts with its species.
    pub fn genus_species(&self) -> (&str, &str) {
        (&self.genus, &self.species)
    }
}

impl Breakpoint {
    /// Screening breakpoints are left out unless asked for (they are not clinical categories).
    pub fn is_screening(&self) -> bool {
        self.site.eq_ignore_ascii_case("screen")
            || self.ref_tbl.to_ascii_lowercase().contains("screen")
    }
    pub fn guideline_name(&self) -> &'static str {
        GUIDELINES[self.guideline as usize]
    }
}

pub struct Reference {
    pub organisms: Vec<Organism>,
    pub antimicrobials: Vec<Antimicrobial>,
    pub breakpoints: Vec<Breakpoint>,
    by_code: HashMap<Box<str>, MoId>,
    by_name: HashMap<Box<str>, MoId>,
    by_abbreviation: HashMap<Box<str>, MoId>,
    ab_by_code: HashMap<Box<str>, AbId>,
    /// Expected resistant phenotypes, parsed on first use (only `--add-intrinsic-resistance`
    /// needs them, and they are the largest table).
    intrinsic: OnceLock<HashSet<(MoId, AbId)>>,
    /// Breakpoint rows per antimicrobial, in file order.
    by_ab: Vec<Vec<u32>>,
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("embedded reference data is valid gzip and UTF-8");
    text
}

/// Rows of a TSV with a header, as maps from column name to field.
fn rows(text: &str) -> (Vec<&str>, impl Iterator<Item = Vec<&str>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().split('\t').collect();
    (
        header,
        lines
            .filter(|l| !l.is_empty())
            .map(|l| l.split('\t').collect()),
    )
}

fn col(header: &[&str], name: &str) -> usize {
    header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("reference table lacks the column {name}"))
}

/// The normalised form of an organism name used as a lookup key.
pub(crate) fn name_key(name: &str) -> String {
    let lowered = name.trim().to_lowercase().replace('.', ". ");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Reference {
    /// The shared reference, parsed once.
    pub fn get() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(Reference::load)
    }

    fn load() -> Reference {
        let microorganisms = gunzip(include_bytes!("../data/microorganisms.tsv.gz"));
        let groups = gunzip(include_bytes!("../data/microorganisms_groups.tsv.gz"));
        let antimicrobials = gunzip(include_bytes!("../data/antimicrobials.tsv.gz"));
        let breakpoints = gunzip(include_bytes!("../data/eucast_breakpoints.tsv.gz"));

        // Antimicrobials.
        let (h, it) = rows(&antimicrobials);
        let [c_ab, c_name, c_group] = ["ab", "name", "group"].map(|n| col(&h, n));
        let antimicrobials: Vec<Antimicrobial> = it
            .map(|r| Antimicrobial {
                code: r[c_ab].into(),
                name: r[c_name].into(),
                group: r[c_group].into(),
            })
            .collect();
        let ab_by_code: HashMap<Box<str>, AbId> = antimicrobials
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.to_ascii_uppercase().into_boxed_str(), i as AbId))
            .collect();

        // Breakpoints, in file order.
        let (h, it) = rows(&breakpoints);
        let [
            c_guideline,
            c_method,
            c_site,
            c_mo,
            c_rank,
            c_ab,
            c_tbl,
            c_s,
            c_r,
            c_uti,
            c_sdd,
        ] = [
            "guideline",
            "method",
            "site",
            "mo",
            "rank_index",
            "ab",
            "ref_tbl",
            "breakpoint_S",
            "breakpoint_R",
            "uti",
            "is_SDD",
        ]
        .map(|n| col(&h, n));
        let mut bps = Vec::new();
        for r in it {
            let Some(guideline) = GUIDELINES.iter().position(|g| *g == r[c_guideline]) else {
                continue;
            };
            let Some(&ab) = ab_by_code.get(r[c_ab]) else {
                continue;
            };
            let number = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
            bps.push(Breakpoint {
                guideline: guideline as u8,
                method: if r[c_method] == "DISK" {
                    Method::Disk
                } else {
                    Method::Mic
                },
                site: r[c_site].into(),
                mo: r[c_mo].into(),
                rank_index: r[c_rank].parse().unwrap_or(99.0),
                ab,
                ref_tbl: r[c_tbl].into(),
                s: number(r[c_s]),
                r: number(r[c_r]),
                uti: r[c_uti] == "TRUE",
                sdd: r[c_sdd] == "TRUE",
            });
        }
        let mut by_ab = vec![Vec::new(); antimicrobials.len()];
        for (i, b) in bps.iter().enumerate() {
            by_ab[b.ab as usize].push(i as u32);
        }

        // Higher taxa named in the breakpoint table (B_[ORD]_ENTRBCTR: the order Enterobacterales).
        let higher_taxa: Vec<(&str, &str)> = bps
            .iter()
            .filter(|b| b.mo.starts_with("B_["))
            .map(|b| (&*b.mo, &*b.ref_tbl))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();

        // Organisms.
        let (h, it) = rows(&microorganisms);
        let [
            c_mo,
            c_name,
            c_status,
            c_kingdom,
            c_class,
            c_order,
            c_family,
            c_genus,
            c_species,
            c_rank,
            c_prev,
            c_gram,
            c_oxygen,
        ] = [
            "mo",
            "fullname",
            "status",
            "kingdom",
            "class",
            "order",
            "family",
            "genus",
            "species",
            "rank",
            "prevalence",
            "gram_stain",
            "oxygen_tolerance",
        ]
        .map(|n| col(&h, n));
        struct Raw<'a> {
            class: &'a str,
            order: &'a str,
            family: &'a str,
        }
        let mut organisms = Vec::new();
        let mut raws = Vec::new();
        for r in it {
            let field = |i: usize| r.get(i).copied().unwrap_or("");
            let oxygen = field(c_oxygen);
            organisms.push(Organism {
                code: field(c_mo).into(),
                name: field(c_name).into(),
                accepted: field(c_status) == "accepted",
                kingdom: field(c_kingdom).into(),
                rank: field(c_rank).into(),
                prevalence: field(c_prev).parse().unwrap_or(2.0),
                gram: match field(c_gram) {
                    "Gram-negative" => Some(Gram::Negative),
                    "Gram-positive" => Some(Gram::Positive),
                    _ => None,
                },
                anaerobe: oxygen == "anaerobe",
                renamed_to: None,
                lineage: Vec::new(),
                genus: field(c_genus).into(),
                species: field(c_species).into(),
            });
            raws.push(Raw {
                class: field(c_class),
                order: field(c_order),
                family: field(c_family),
            });
        }
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<Box<str>, MoId> = HashMap::new();
        // Higher-rank rows by (rank, name), to build lineages.
        let mut taxa: HashMap<(&str, &str, &str), &str> = HashMap::new();
        for (i, o) in organisms.iter().enumerate() {
            by_code.insert(o.code.to_ascii_uppercase().into_boxed_str(), i as MoId);
            let key = name_key(&o.name).into_boxed_str();
            let better = |j: MoId| {
                let other = &organisms[j as usize];
                (o.accepted, -o.prevalence) > (other.accepted, -other.prevalence)
            };
            match by_name.get(&key) {
                Some(&j) if !better(j) => {}
                _ => {
                    by_name.insert(key, i as MoId);
                }
            }
            if &*o.rank == "genus" {
                taxa.entry((&o.kingdom, &o.rank, &o.name))
                    .or_insert(&o.code);
            }
        }
        // Synonyms: `microorganisms.tsv` gives LPSN's "renamed to" as an identifier without the
        // identifiers themselves; `synonyms.tsv` is the package's own resolution of each synonym
        // (following LPSN, GBIF and MycoBank renamings, as `as.mo()` does), exported from its
        // data. A synonym whose current name is not in the table is kept as it is.
        let synonyms = gunzip(include_bytes!("../data/synonyms.tsv.gz"));
        let (sh, sit) = rows(&synonyms);
        let (s_from, s_to) = (col(&sh, "synonym_mo"), col(&sh, "current_mo"));
        let index: HashMap<&str, MoId> = organisms
            .iter()
            .enumerate()
            .map(|(i, o)| (&*o.code, i as MoId))
            .collect();
        let mut renamed = vec![None; organisms.len()];
        for r in sit {
            if let (Some(&from), Some(&to)) = (index.get(r[s_from]), index.get(r[s_to]))
                && from != to
            {
                renamed[from as usize] = Some(to);
            }
        }
        let mut group_of: HashMap<&str, Vec<&str>> = HashMap::new();
        let (gh, git) = rows(&groups);
        let (g_group, g_mo) = (col(&gh, "mo_group"), col(&gh, "mo"));
        let group_rows: Vec<Vec<&str>> = git.collect();
        for r in &group_rows {
            group_of.entry(r[g_mo]).or_default().push(r[g_group]);
        }
        let mut lineages = Vec::with_capacity(organisms.len());
        for (i, o) in organisms.iter().enumerate() {
            let raw = &raws[i];
            // As the package: no species parent for a subspecies.
            let mut lineage: Vec<Box<str>> = vec![o.code.clone()];
            let codes: Vec<&str> = lineage.iter().map(|c| &**c).collect::<Vec<_>>();
            let mut extra: Vec<Box<str>> = Vec::new();
            for c in &codes {
                for g in group_of.get(c).into_iter().flatten() {
                    extra.push((*g).into());
                }
            }
            lineage.extend(extra);
            if &*o.rank != "genus"
                && let Some(code) = taxa.get(&(&*o.kingdom, "genus", &*o.genus))
            {
                lineage.push((*code).into());
            }
            for (code, name) in &higher_taxa {
                if [raw.family, raw.order, raw.class].contains(name) {
                    lineage.push((*code).into());
                }
            }
            match (o.gram, o.anaerobe) {
                (Some(Gram::Negative), true) => {
                    lineage.extend(["B_ANAER".into(), "B_ANAER-NEG".into()])
                }
                (Some(Gram::Positive), true) => {
                    lineage.extend(["B_ANAER".into(), "B_ANAER-POS".into()])
                }
                _ => {}
            }
            match o.gram {
                Some(Gram::Negative) => lineage.push("B_GRAMN".into()),
                Some(Gram::Positive) => lineage.push("B_GRAMP".into()),
                None => {}
            }
            lineages.push(lineage);
        }
        for (o, (lineage, renamed_to)) in
            organisms.iter_mut().zip(lineages.into_iter().zip(renamed))
        {
            o.lineage = lineage;
            o.renamed_to = renamed_to;
        }
        // "E. coli": genus initial and epithet, the most prevalent accepted species wins.
        let mut by_abbreviation: HashMap<Box<str>, MoId> = HashMap::new();
        for (i, o) in organisms.iter().enumerate() {
            if !o.accepted || &*o.rank != "species" || o.genus.is_empty() {
                continue;
            }
            let initial = o.genus.chars().next().unwrap_or(' ');
            let key = name_key(&format!("{initial}. {}", o.species)).into_boxed_str();
            match by_abbreviation.get(&key) {
                Some(&j) if organisms[j as usize].prevalence <= o.prevalence => {}
                _ => {
                    by_abbreviation.insert(key, i as MoId);
                }
            }
        }

        Reference {
            organisms,
            antimicrobials,
            breakpoints: bps,
            by_code,
            by_name,
            by_abbreviation,
            ab_by_code,
            intrinsic: OnceLock::new(),
            by_ab,
        }
    }

    /// An organism from a code (`B_ESCHR_COLI`), a scientific name (`Escherichia coli`) or the
    /// usual abbreviation (`E. coli`); a synonym resolves to the accepted name when known.
    pub fn organism(&self, text: &str) -> Option<MoId> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let found = self
            .by_code
            .get(&*text.to_ascii_uppercase())
            .or_else(|| {
                let key = name_key(text);
                self.by_name
                    .get(&*key)
                    .or_else(|| self.by_abbreviation.get(&*key))
            })
            .copied()?;
        Some(self.organisms[found as usize].renamed_to.unwrap_or(found))
    }

    pub fn antimicrobial(&self, code: &str) -> Option<AbId> {
        self.ab_by_code
            .get(&*code.trim().to_ascii_uppercase())
            .copied()
    }

    pub fn is_intrinsically_resistant(&self, mo: MoId, ab: AbId) -> bool {
        self.intrinsic
            .get_or_init(|| {
                let text = gunzip(include_bytes!("../data/intrinsic_resistant.tsv.gz"));
                let (h, it) = rows(&text);
                let (i_mo, i_ab) = (col(&h, "mo"), col(&h, "ab"));
                it.filter_map(|r| {
                    Some((*self.by_code.get(r[i_mo])?, *self.ab_by_code.get(r[i_ab])?))
                })
                .collect()
            })
            .contains(&(mo, ab))
    }

    /// Breakpoint rows for an antimicrobial, in file order.
    pub fn breakpoints_of(&self, ab: AbId) -> impl Iterator<Item = &Breakpoint> {
        self.by_ab[ab as usize]
            .iter()
            .map(|&i| &self.breakpoints[i as usize])
    }

    pub fn organism_named(&self, mo: MoId) -> &Organism {
        &self.organisms[mo as usize]
    }
}
