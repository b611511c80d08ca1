//! `cratb consumption …`: antibiotic consumption from files, in WHO defined daily doses.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Subcommand, ValueEnum};
use cratb_consumption::hospital::{self, By};
use cratb_consumption::{DddTable, ddd};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
}

#[derive(Subcommand)]
pub enum ConsumptionCommand {
    /// DDD, DDD/1000 journées et DDD/100 admissions par groupe et préfixe ATC / DDD per group and ATC prefix.
    Ddd {
        /// Consommations : establishment, period, ward_type, atc, route, grams (CSV ou XLSX).
        #[arg(long)]
        consumption: PathBuf,
        /// Dénominateurs : establishment, period, ward_type, patient_days, admissions.
        #[arg(long)]
        denominators: PathBuf,
        /// Regroupement : establishment, year, month, ward_type (p. ex. establishment,year).
        #[arg(long, value_delimiter = ',', default_value = "establishment,year")]
        by: Vec<String>,
        /// Préfixes ATC (p. ex. J01,J01C,J01DD).
        #[arg(long, value_delimiter = ',', default_value = "J01")]
        atc_prefix: Vec<String>,
        /// Format de sortie / output format.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Édition de l'index ATC/DDD de l'OMS (2025 ou 2026) / WHO ATC/DDD edition.
        #[arg(long, default_value_t = ddd::LATEST)]
        ddd_edition: u16,
        /// Fichier de sortie (sinon la sortie standard) / output file.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// An error in what the user gave (exit code 2).
#[derive(Debug)]
struct UserError(String);
impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UserError {}

pub fn run(command: ConsumptionCommand) -> i32 {
    match dispatch(command) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            if e.is::<UserError>() { 2 } else { 1 }
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("lecture de {}", path.display()))
}

/// Problems of a file, as a user error listing the first twenty.
fn problems(path: &Path, list: Vec<hospital::Problem>) -> anyhow::Error {
    let mut text = format!(
        "{} : {} problème(s), rien n'a été calculé",
        path.display(),
        list.len()
    );
    for p in list.iter().take(20) {
        text.push_str(&format!("\n  {p}"));
    }
    if list.len() > 20 {
        text.push_str(&format!("\n  … et {} autres", list.len() - 20));
    }
    anyhow!(UserError(text))
}

fn dispatch(command: ConsumptionCommand) -> Result<()> {
    let ConsumptionCommand::Ddd {
        consumption,
        denominators,
        by,
        atc_prefix,
        format,
        ddd_edition,
        output,
    } = command;
    let by: Vec<By> = by
        .iter()
        .map(|b| {
            By::parse(b).ok_or_else(|| {
                anyhow!(UserError(format!(
                    "--by : « {b} » inconnu (attendu : establishment, year, month, ward_type)"
                )))
            })
        })
        .collect::<Result<_>>()?;
    let prefixes: Vec<String> = atc_prefix
        .iter()
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty())
        .collect();
    if prefixes.is_empty() {
        bail!(UserError(
            "--atc-prefix : au moins un préfixe ATC (p. ex. J01)".into()
        ));
    }
    let table = DddTable::embedded(ddd_edition).ok_or_else(|| {
        anyhow!(UserError(format!(
            "--ddd-edition : {ddd_edition} non disponible (éditions : {:?})",
            DddTable::editions()
        )))
    })?;
    let rows =
        hospital::read_consumption(&read(&consumption)?).map_err(|p| problems(&consumption, p))?;
    let days = hospital::read_denominators(&read(&denominators)?)
        .map_err(|p| problems(&denominators, p))?;
    let outcome = hospital::indicators(&rows, &days, &by, &prefixes, &table)
        .map_err(|e| anyhow!(UserError(e.0)))?;
    let bytes = match format {
        Format::Csv => cratb_consumption::to_csv(&by, &outcome.rows),
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&cratb_consumption::to_json(&by, &outcome.rows))?;
            v.push(b'\n');
            v
        }
        Format::Xlsx => {
            if output.is_none() && std::io::stdout().is_terminal() {
                bail!(UserError(
                    "--format xlsx : donnez un fichier (-o) ou redirigez la sortie".into()
                ));
            }
            cratb_consumption::to_xlsx(&by, &outcome.rows, &table.edition)
                .map_err(|e| anyhow!(e))?
        }
    };
    match &output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("écriture de {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    for u in &outcome.unconverted {
        eprintln!(
            "attention : {} (voie {}) — {} ; {:.2} g sur {} ligne(s) non comptés en DDD",
            u.atc, u.route, u.reason, u.grams, u.rows
        );
    }
    eprintln!(
        "{} lignes de consommation, {} groupes × {} préfixe(s) ATC — référentiel : {}",
        rows.len(),
        outcome.rows.len() / prefixes.len().max(1),
        prefixes.len(),
        table.edition
    );
    Ok(())
}
