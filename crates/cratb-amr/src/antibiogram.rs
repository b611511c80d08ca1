//! Cumulative antibiograms: per group × organism × antimicrobial, the counts of each category,
//! the share susceptible (EUCAST: S + SDD + I over all categorised) and its Wilson interval.

use std::collections::HashMap;

use cratb_sheet::write::{self, Csv, Decimals, ParquetColumn, ParquetType, Table, WriteError};
use rayon::prelude::*;
use serde::Serialize;

use crate::read::Dataset;
use crate::reference::MoId;
use crate::values::Sir;

/// The CLSI M39 rule: below this many isolates a percentage is not reported.
pub const DEFAULT_MIN_ISOLATES: u32 = 30;
/// At most this many `--by` columns.
pub const MAX_BY: usize = 4;

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Values of the `--by` columns, in their order.
    pub group: Vec<String>,
    pub organism: String,
    pub antimicrobial: String,
    pub n_s: u32,
    pub n_sdd: u32,
    pub n_i: u32,
    pub n_r: u32,
    pub n_ni: u32,
    /// The organism's index in the reference (what [`Antibiogram::annotate`] looks up).
    #[serde(skip)]
    pub mo: MoId,
    /// An EUCAST expected resistant phenotype (set by [`Antibiogram::annotate`]): when
    /// applied, every tested isolate counts as R.
    pub intrinsic: bool,
    /// Interpreted with PK/PD (non-species-related) breakpoints: EUCAST gives none for the
    /// organism (set by [`Antibiogram::annotate`]).
    pub pk_pd: bool,
}

impl Cell {
    pub fn n_tested(&self) -> u32 {
        self.n_s + self.n_sdd + self.n_i + self.n_r + self.n_ni
    }
    /// Isolates with a category: what percentages are computed on.
    pub fn n_categorised(&self) -> u32 {
        self.n_s + self.n_sdd + self.n_i + self.n_r
    }
    pub fn n_susceptible(&self) -> u32 {
        self.n_s + self.n_sdd + self.n_i
    }
    /// Per cent susceptible, `None` without any categorised isolate.
    pub fn pct_susceptible(&self) -> Option<f64> {
        let n = self.n_categorised();
        (n > 0).then(|| 100.0 * f64::from(self.n_susceptible()) / f64::from(n))
    }
    /// The 95 % Wilson score interval of the share susceptible, in per cent.
    pub fn wilson(&self) -> Option<(f64, f64)> {
        wilson(self.n_susceptible(), self.n_categorised())
    }
    pub fn reportable(&self, min_isolates: u32) -> bool {
        self.n_categorised() >= min_isolates
    }
}

/// 95 % Wilson score interval for `x` successes out of `n`, in per cent.
pub fn wilson(x: u32, n: u32) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = 1.959_963_984_540_054_f64;
    let (x, n) = (f64::from(x), f64::from(n));
    let p = x / n;
    let denominator = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denominator;
    Some((
        100.0 * (centre - half).max(0.0),
        100.0 * (centre + half).min(1.0),
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct Antibiogram {
    pub by: Vec<String>,
    pub min_isolates: u32,
    pub guideline: String,
    pub first_isolates_only: bool,
    pub isolates: usize,
    pub cells: Vec<Cell>,
    /// `None`: the cells as interpreted (the CLI, as the AMR package); `Some(applied)`: the
    /// cells annotated by [`Antibiogram::annotate`], expected resistant phenotypes counted as
    /// R when `applied`. An annotated table has two more columns.
    pub intrinsic: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByError {
    #[error("colonne de regroupement inconnue : {0}")]
    Unknown(String),
    #[error("au plus {MAX_BY} colonnes de regroupement")]
    TooMany,
}

/// Counts the rows of `data` kept by `keep` (all when `None`), grouped by the text columns
/// named in `by`.
pub fn antibiogram(
    data: &Dataset,
    keep: Option<&[bool]>,
    by: &[String],
    min_isolates: u32,
) -> Result<Antibiogram, ByError> {
    if by.len() > MAX_BY {
        return Err(ByError::TooMany);
    }
    let columns = by
        .iter()
        .map(|name| {
            data.text_column(name)
                .ok_or_else(|| ByError::Unknown(name.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n_ab = data.agents.len();
    let group_key = |row: usize| -> u128 {
        columns
            .iter()
            .fold(0u128, |key, c| (key << 32) | u128::from(c.codes[row]))
    };
    // Per chunk of rows: (group key, organism) → counts per antimicrobial and category.
    type Counts = HashMap<(u128, u32), Vec<[u32; 5]>>;
    let rows = data.len();
    let chunk = (rows / (rayon::current_num_threads() * 4)).max(4096);
    let counts: Counts = (0..rows.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut counts: Counts = HashMap::new();
            for row in c * chunk..((c + 1) * chunk).min(rows) {
                if keep.is_some_and(|k| !k[row]) {
                    continue;
                }
                let cell = counts
                    .entry((group_key(row), data.mo[row]))
                    .or_insert_with(|| vec![[0; 5]; n_ab]);
                for (a, agent) in data.agents.iter().enumerate() {
                    let s = agent.results[row];
                    if s != Sir::Missing {
                        cell[a][s as usize - 1] += 1;
                    }
                }
            }
            counts
        })
        .reduce(HashMap::new, |mut a, b| {
            for (key, v) in b {
                let cell = a.entry(key).or_insert_with(|| vec![[0; 5]; n_ab]);
                for (x, y) in cell.iter_mut().zip(v) {
                    for k in 0..5 {
                        x[k] += y[k];
                    }
                }
            }
            a
        });
    let reference = crate::Reference::get();
    let mut keys: Vec<(Vec<&str>, &str, u128, u32)> = counts
        .keys()
        .map(|&(g, mo)| {
            let group = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let code = (g >> (32 * (columns.len() - 1 - i))) as u32;
                    &*c.values[code as usize]
                })
                .collect();
            (group, &*reference.organism_named(mo).name, g, mo)
        })
        .collect();
    keys.sort();
    let mut cells = Vec::new();
    for (group, organism, g, mo) in keys {
        let counts = &counts[&(g, mo)];
        for (a, agent) in data.agents.iter().enumerate() {
            let [n_s, n_sdd, n_i, n_r, n_ni] = counts[a];
            if n_s + n_sdd + n_i + n_r + n_ni == 0 {
                continue;
            }
            cells.push(Cell {
                group: group.iter().map(|s| s.to_string()).collect(),
                organism: organism.to_string(),
                antimicrobial: agent.code.clone(),
                n_s,
                n_sdd,
                n_i,
                n_r,
                n_ni,
                mo,
                intrinsic: false,
                pk_pd: false,
            });
        }
    }
    Ok(Antibiogram {
        by: columns.iter().map(|c| c.name.clone()).collect(),
        min_isolates,
        guideline: data.options.guideline_name().to_string(),
        first_isolates_only: false,
        isolates: keep.map_or(rows, |k| k.iter().filter(|k| **k).count()),
        cells,
        intrinsic: None,
    })
}

/// One decimal, as in the output columns.
pub fn one_decimal(x: f64) -> String {
    format!("{:.1}", (x * 10.0).round() / 10.0)
}

/// Whether enterococci × gentamicin: the high-level aminoglycoside resistance screen
/// (EUCAST), never read as plain gentamicin susceptibility.
pub fn is_high_level_screen(organism: MoId, antimicrobial: &str) -> bool {
    let reference = crate::Reference::get();
    antimicrobial.eq_ignore_ascii_case("GEN")
        && reference
            .organism_named(organism)
            .lineage
            .iter()
            .any(|c| &**c == "B_ENTRC")
}

/// Whether the breakpoint `guideline` applies to `organism` × `antimicrobial` is a PK/PD
/// (non-species-related) one: EUCAST gives none for the species, its genus or its group
/// (the MIC row, else the disk row, as [`crate::interpret::Rule::resolve`] chooses them).
pub fn pk_pd_breakpoint(organism: MoId, antimicrobial: &str, guideline: u8) -> bool {
    let reference = crate::Reference::get();
    let Some(ab) = reference.antimicrobial(antimicrobial) else {
        return false;
    };
    let options = crate::Options {
        guideline,
        ..Default::default()
    };
    let rule = crate::interpret::Rule::resolve(reference, organism, ab, &options, false);
    rule.mic.or(rule.disk).is_some_and(|b| &*b.mo == "UNKNOWN")
}

impl Antibiogram {
    /// Marks the cells whose organism × antimicrobial is an EUCAST expected resistant
    /// phenotype and, when `apply_intrinsic`, counts every tested isolate of those cells as R
    /// (as `--add-intrinsic-resistance` would have at reading); marks the cells interpreted
    /// with PK/PD breakpoints under `guideline`. The table then has the columns
    /// `intrinsic_resistance` and `pk_pd_breakpoint`.
    pub fn annotate(&mut self, apply_intrinsic: bool, guideline: u8) {
        let reference = crate::Reference::get();
        for c in &mut self.cells {
            let ab = reference.antimicrobial(&c.antimicrobial);
            // Enterococci are intrinsically resistant to low-level gentamicin: the high-level
            // screen is what their cell reports, never replaced by R.
            c.intrinsic = apply_intrinsic
                && !is_high_level_screen(c.mo, &c.antimicrobial)
                && ab.is_some_and(|ab| reference.is_intrinsically_resistant(c.mo, ab));
            if c.intrinsic {
                c.n_r = c.n_tested();
                (c.n_s, c.n_sdd, c.n_i, c.n_ni) = (0, 0, 0, 0);
            }
            c.pk_pd = !c.intrinsic && pk_pd_breakpoint(c.mo, &c.antimicrobial, guideline);
        }
        self.intrinsic = Some(apply_intrinsic);
    }

    /// The output columns, exactly: the `--by` columns, then the counts and shares (and, for
    /// an annotated table, whether each cell is an expected resistant phenotype and whether it
    /// was interpreted with PK/PD breakpoints).
    pub fn header(&self) -> Vec<String> {
        let annotated: &[&str] = match self.intrinsic {
            Some(_) => &["intrinsic_resistance", "pk_pd_breakpoint"],
            None => &[],
        };
        self.by
            .iter()
            .cloned()
            .chain(
                [
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
                ]
                .map(String::from),
            )
            .chain(annotated.iter().map(|c| c.to_string()))
            .collect()
    }

    /// The table, typed: the `--by` columns, organism and antimicrobial as text, the counts as
    /// integers, the share and its interval as figures with one decimal (empty without any
    /// categorised isolate), `reportable` as a yes/no.
    pub fn table(&self, name: &str) -> Table {
        Table {
            name: name.to_string(),
            header: self.header(),
            rows: self.cells.iter().map(|c| self.row(c)).collect(),
        }
    }

    /// [`Antibiogram::table`] with a column `antimicrobial_name` after `antimicrobial`: each
    /// cell's antimicrobial as `name` gives it (in the reader's language).
    pub fn table_named(&self, name: &str, names: impl Fn(&Cell) -> String) -> Table {
        let mut table = self.table(name);
        let at = self.by.len() + 2;
        table.header.insert(at, "antimicrobial_name".to_string());
        for (row, c) in table.rows.iter_mut().zip(&self.cells) {
            row.insert(at, write::Cell::Text(names(c)));
        }
        table
    }

    /// Each cell as the fields of an output row, as the CSV writes them.
    pub fn records(&self) -> impl Iterator<Item = Vec<String>> + '_ {
        self.cells.iter().map(|c| {
            self.row(c)
                .iter()
                .map(|field| field.as_text().into_owned())
                .collect()
        })
    }

    /// One cell's row of [`Antibiogram::table`].
    fn row(&self, c: &Cell) -> Vec<write::Cell> {
        let figure = |x: Option<f64>| {
            x.map_or(write::Cell::Empty, |x| {
                write::Cell::Number((x * 10.0).round() / 10.0, Decimals::Fixed(1))
            })
        };
        let (low, high) = c.wilson().unzip();
        c.group
            .iter()
            .map(|g| write::Cell::Text(g.clone()))
            .chain([
                write::Cell::Text(c.organism.clone()),
                write::Cell::Text(c.antimicrobial.clone()),
                write::Cell::Integer(c.n_tested().into()),
                write::Cell::Integer(c.n_s.into()),
                write::Cell::Integer(c.n_sdd.into()),
                write::Cell::Integer(c.n_i.into()),
                write::Cell::Integer(c.n_r.into()),
                write::Cell::Integer(c.n_ni.into()),
                figure(c.pct_susceptible()),
                figure(low),
                figure(high),
                write::Cell::Bool(c.reportable(self.min_isolates)),
            ])
            .chain(
                self.intrinsic
                    .map(|_| [write::Cell::Bool(c.intrinsic), write::Cell::Bool(c.pk_pd)])
                    .into_iter()
                    .flatten(),
            )
            .collect()
    }

    /// The Parquet type of each column of [`Antibiogram::table`]: text, counts as INT32, the
    /// share and its interval as nullable DOUBLE, `reportable` as BOOLEAN.
    pub fn parquet_columns(&self) -> Vec<ParquetColumn> {
        let text = self.by.len() + 2;
        self.header()
            .iter()
            .enumerate()
            .map(|(i, name)| match name.as_str() {
                _ if i < text => ParquetColumn::required(ParquetType::Text),
                "pct_susceptible" | "ci_low" | "ci_high" => {
                    ParquetColumn::optional(ParquetType::Double)
                }
                "reportable" | "intrinsic_resistance" | "pk_pd_breakpoint" => {
                    ParquetColumn::required(ParquetType::Bool)
                }
                _ => ParquetColumn::required(ParquetType::Int32),
            })
            .collect()
    }

    /// CSV: the table alone.
    pub fn to_csv(&self, format: Csv) -> Vec<u8> {
        write::csv(&self.table("Antibiogramme"), format)
    }

    /// JSON: the rows as objects under `rows`, with the guideline and rules applied.
    pub fn to_json(&self) -> serde_json::Value {
        self.json_of(self.table("Antibiogramme"))
    }

    /// JSON around `table` (this antibiogram's, as [`Antibiogram::table_named`] gives it):
    /// the guideline and rules applied, then its rows; `intrinsic_resistance` (`include` or
    /// `ignore`) for an annotated table.
    pub fn json_of(&self, table: Table) -> serde_json::Value {
        let mut json = serde_json::json!({
            "guideline": self.guideline,
            "sources": crate::reference::SOURCES,
            "first_isolates_only": self.first_isolates_only,
            "min_isolates": self.min_isolates,
            "isolates": self.isolates,
        });
        if let Some(applied) = self.intrinsic {
            json["intrinsic_resistance"] = if applied { "include" } else { "ignore" }.into();
        }
        json["rows"] = write::json_rows(table).into();
        json
    }

    /// XLSX: the table on the first sheet, the method and sources on a second.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, WriteError> {
        self.xlsx_of(self.table("Antibiogramme"), Vec::new())
    }

    /// XLSX of `table` (this antibiogram's, as [`Antibiogram::table_named`] gives it), the
    /// method and sources on a second sheet, after them the lines `more`.
    pub fn xlsx_of(&self, table: Table, more: Vec<String>) -> Result<Vec<u8>, WriteError> {
        let mut method = vec![
            format!("Référentiel : {}", self.guideline),
            format!(
                "Premiers isolats seulement : {}",
                if self.first_isolates_only {
                    "oui"
                } else {
                    "non"
                }
            ),
            format!("Isolats comptés : {}", self.isolates),
            format!(
                "Seuil de publication : {} isolats catégorisés",
                self.min_isolates
            ),
            "% sensible = (S + SDD + I) / (S + SDD + I + R) ; IC 95 % de Wilson".to_string(),
            format!("Sources : {}", crate::reference::SOURCES),
        ];
        method.extend(more);
        write::xlsx([table, Table::notes("Méthode", method)])
    }
}

#[cfg(test)]
mod tests {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::*;

    #[test]
    fn wilson_interval() {
        // 8 of 10: 49.0 % – 94.3 % (the textbook example).
        let (l, h) = wilson(8, 10).unwrap();
        assert_eq!(
            (one_decimal(l), one_decimal(h)),
            ("49.0".into(), "94.3".into())
        );
        let (l, h) = wilson(0, 5).unwrap();
        assert_eq!(one_decimal(l), "0.0");
        assert!(h > 40.0 && h < 44.0);
        assert_eq!(wilson(0, 0), None);
        let (l, h) = wilson(30, 30).unwrap();
        assert_eq!(one_decimal(h), "100.0");
        assert!(l > 88.0);
    }

    /// A small file with the cells a microbiologist checks: *K. pneumoniae* × amoxicillin
    /// (expected resistant phenotype), *P. aeruginosa* × gentamicin (PK/PD breakpoints only),
    /// *E. faecalis* × gentamicin (the high-level screen).
    fn microbiologist_file() -> Dataset {
        let mut file = String::from("patient_id;date;organism;AMX;GEN;CIP\n");
        for i in 0..40 {
            let sir = if i % 4 == 0 { "R" } else { "S" };
            file.push_str(&format!("K{i};2025-01-03;K. pneumoniae;{sir};S;S\n"));
            file.push_str(&format!("P{i};2025-01-03;P. aeruginosa;;{sir};S\n"));
            file.push_str(&format!("E{i};2025-01-03;E. faecalis;S;{sir};\n"));
        }
        crate::read(file.as_bytes(), &Default::default()).unwrap()
    }

    #[test]
    fn expected_resistant_phenotypes_read_r_and_pk_pd_cells_are_marked() {
        let data = microbiologist_file();
        let plain = antibiogram(&data, None, &[], 30).unwrap();
        let cell = |t: &Antibiogram, organism: &str, ab: &str| {
            t.cells
                .iter()
                .find(|c| c.organism == organism && c.antimicrobial == ab)
                .cloned()
                .unwrap()
        };
        // As the AMR package (the CLI): the laboratory's results, no more columns.
        assert_eq!(
            cell(&plain, "Klebsiella pneumoniae", "AMX").pct_susceptible(),
            Some(75.0)
        );
        assert_eq!(plain.header().last().unwrap(), "reportable");

        let mut annotated = plain.clone();
        annotated.annotate(true, 2);
        let kleb = cell(&annotated, "Klebsiella pneumoniae", "AMX");
        assert!(kleb.intrinsic && !kleb.pk_pd);
        assert_eq!(
            (kleb.n_r, kleb.n_s, kleb.pct_susceptible()),
            (40, 0, Some(0.0))
        );
        let pseudo = cell(&annotated, "Pseudomonas aeruginosa", "GEN");
        assert!(pseudo.pk_pd && !pseudo.intrinsic);
        assert!(!cell(&annotated, "Klebsiella pneumoniae", "GEN").pk_pd);
        assert!(!cell(&annotated, "Pseudomonas aeruginosa", "CIP").pk_pd);
        let faecalis = cell(&annotated, "Enterococcus faecalis", "GEN");
        assert!(is_high_level_screen(faecalis.mo, "GEN"));
        assert!(
            !faecalis.intrinsic,
            "the high-level screen, not the low-level phenotype"
        );
        assert_eq!(faecalis.pct_susceptible(), Some(75.0));
        assert!(!is_high_level_screen(kleb.mo, "GEN"));
        let header = annotated.header();
        assert_eq!(
            &header[header.len() - 2..],
            ["intrinsic_resistance", "pk_pd_breakpoint"]
        );
        let table = annotated.table_named("t", |c| format!("{}!", c.antimicrobial));
        assert_eq!(table.header[2], "antimicrobial_name");
        assert_eq!(table.rows[0].len(), table.header.len());
        assert_eq!(annotated.to_json()["intrinsic_resistance"], "include");

        // Turned off: the laboratory's results, still annotated.
        let mut ignored = plain.clone();
        ignored.annotate(false, 2);
        let kleb = cell(&ignored, "Klebsiella pneumoniae", "AMX");
        assert!(!kleb.intrinsic);
        assert_eq!(kleb.pct_susceptible(), Some(75.0));
        assert_eq!(ignored.to_json()["intrinsic_resistance"], "ignore");
    }

    #[test]
    fn written_then_read_back() {
        let cell = |group: &str, organism: &str, ab: &str, n_s, n_r| Cell {
            group: vec![group.to_string()],
            organism: organism.to_string(),
            antimicrobial: ab.to_string(),
            n_s,
            n_sdd: 0,
            n_i: 0,
            n_r,
            n_ni: 1,
            mo: 0,
            intrinsic: false,
            pk_pd: false,
        };
        let table = Antibiogram {
            by: vec!["ward".into()],
            min_isolates: 30,
            guideline: "EUCAST 2025".into(),
            first_isolates_only: true,
            isolates: 100,
            cells: vec![
                cell("icu", "Escherichia coli", "AMX", 8, 2),
                cell("icu", "Escherichia coli", "CIP", 40, 10),
                cell("médecine", "Staphylococcus aureus", "OXA", 0, 0),
            ],
            intrinsic: None,
        };
        let bytes =
            cratb_sheet::write::parquet(&table.table("antibiogram"), &table.parquet_columns())
                .unwrap();
        let path =
            std::env::temp_dir().join(format!("cratb-amr-test-{}.parquet", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let reader = SerializedFileReader::try_from(path.as_path()).unwrap();
        let schema: Vec<String> = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(schema, table.header());
        let rows: Vec<Vec<(String, Field)>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| {
                r.unwrap()
                    .get_column_iter()
                    .map(|(n, f)| (n.clone(), f.clone()))
                    .collect()
            })
            .collect();
        std::fs::remove_file(&path).ok();
        assert_eq!(rows.len(), 3);
        let get = |r: usize, name: &str| rows[r].iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(get(0, "ward"), Field::Str("icu".into()));
        assert_eq!(get(2, "ward"), Field::Str("médecine".into()));
        assert_eq!(get(0, "organism"), Field::Str("Escherichia coli".into()));
        assert_eq!(get(1, "antimicrobial"), Field::Str("CIP".into()));
        assert_eq!(get(0, "n_tested"), Field::Int(11));
        assert_eq!(get(1, "n_S"), Field::Int(40));
        assert_eq!(get(0, "pct_susceptible"), Field::Double(80.0));
        assert_eq!(get(0, "ci_low"), Field::Double(49.0));
        assert_eq!(get(0, "ci_high"), Field::Double(94.3));
        assert_eq!(get(2, "pct_susceptible"), Field::Null);
        assert_eq!(get(0, "reportable"), Field::Bool(false));
        assert_eq!(get(1, "reportable"), Field::Bool(true));
    }
}
