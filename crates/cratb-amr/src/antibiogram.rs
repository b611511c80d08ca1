//! Cumulative antibiograms: per group × organism × antimicrobial, the counts of each category,
//! the share susceptible (EUCAST: S + SDD + I over all categorised) and its Wilson interval.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::read::Dataset;
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
    })
}

/// One decimal, as in the output columns.
pub fn one_decimal(x: f64) -> String {
    format!("{:.1}", (x * 10.0).round() / 10.0)
}

impl Antibiogram {
    /// The output columns, exactly: the `--by` columns, then the counts and shares.
    pub fn header(&self) -> Vec<String> {
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
            .collect()
    }

    /// Each cell as the fields of an output row.
    pub fn records(&self) -> impl Iterator<Item = Vec<String>> + '_ {
        self.cells.iter().map(|c| {
            let (low, high) = c.wilson().map_or((String::new(), String::new()), |(l, h)| {
                (one_decimal(l), one_decimal(h))
            });
            c.group
                .iter()
                .cloned()
                .chain([
                    c.organism.clone(),
                    c.antimicrobial.clone(),
                    c.n_tested().to_string(),
                    c.n_s.to_string(),
                    c.n_sdd.to_string(),
                    c.n_i.to_string(),
                    c.n_r.to_string(),
                    c.n_ni.to_string(),
                    c.pct_susceptible().map(one_decimal).unwrap_or_default(),
                    low,
                    high,
                    c.reportable(self.min_isolates).to_string(),
                ])
                .collect()
        })
    }

    pub fn to_csv(&self, separator: u8) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(separator)
            .from_writer(Vec::new());
        w.write_record(self.header()).expect("writing to memory");
        for r in self.records() {
            w.write_record(r).expect("writing to memory");
        }
        w.into_inner().expect("writing to memory")
    }

    /// JSON: the rows as objects under `rows`, with the guideline and rules applied.
    pub fn to_json(&self) -> serde_json::Value {
        let header = self.header();
        let rows: Vec<serde_json::Value> = self
            .cells
            .iter()
            .zip(self.records())
            .map(|(cell, fields)| {
                let mut object = serde_json::Map::new();
                for (i, (name, value)) in header.iter().zip(fields).enumerate() {
                    let json = if i < self.by.len() || name == "organism" || name == "antimicrobial"
                    {
                        serde_json::Value::String(value)
                    } else if name == "reportable" {
                        serde_json::Value::Bool(cell.reportable(self.min_isolates))
                    } else if value.is_empty() {
                        serde_json::Value::Null
                    } else {
                        serde_json::from_str(&value).unwrap_or(serde_json::Value::String(value))
                    };
                    object.insert(name.clone(), json);
                }
                serde_json::Value::Object(object)
            })
            .collect();
        serde_json::json!({
            "guideline": self.guideline,
            "sources": crate::reference::SOURCES,
            "first_isolates_only": self.first_isolates_only,
            "min_isolates": self.min_isolates,
            "isolates": self.isolates,
            "rows": rows,
        })
    }

    /// XLSX: the table on the first sheet, the method and sources on a second.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet().set_name("Antibiogramme")?;
        let header = self.header();
        let numeric = |name: &str| {
            name.starts_with("n_") || name.starts_with("pct") || name.starts_with("ci_")
        };
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, fields) in self.records().enumerate() {
            for (c, (name, value)) in header.iter().zip(fields).enumerate() {
                let (row, col) = (r as u32 + 1, c as u16);
                match value.parse::<f64>() {
                    Ok(x) if numeric(name) => sheet.write_number(row, col, x)?,
                    _ if value.is_empty() => sheet,
                    _ => sheet.write_string(row, col, &value)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
        let about = book.add_worksheet().set_name("Méthode")?;
        let lines = [
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
        for (i, l) in lines.iter().enumerate() {
            about.write_string(i as u32, 0, l)?;
        }
        book.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
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
}
