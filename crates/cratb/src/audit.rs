//! `cratb audit …`: appropriateness audits on files, like `cratb amr` (no database): the
//! conformity of a campaign's cases against their grid.

use clap::{Subcommand, ValueEnum};
use cratb_audit::results::{self, By};
use cratb_audit::{Grid, cases};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Conformité par critère (et « all ») des cas d'une grille, avec l'intervalle de Wilson à 95 % / conformity per criterion with its 95 % Wilson interval.
    Results {
        /// Grille (JSON) / grid file (JSON).
        #[arg(long)]
        grid: PathBuf,
        /// Cas (CSV ou XLSX : case_id, establishment, un critère par colonne) / cases (CSV or XLSX).
        #[arg(long)]
        cases: PathBuf,
        /// Regroupement / grouping (establishment).
        #[arg(long, value_delimiter = ',')]
        by: Vec<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Fichier de sortie (sortie standard sinon) / output file (standard output otherwise).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

/// Runs a command; returns its exit code: 0, 2 for what the user gave (a grid, a cell, an
/// option), 1 otherwise (a file that cannot be read or written).
pub fn run(command: AuditCommand) -> i32 {
    match results_of(command) {
        Ok(()) => 0,
        Err(Failure::User(lines)) => {
            for l in lines {
                eprintln!("{l}");
            }
            2
        }
        Err(Failure::Io(e)) => {
            eprintln!("erreur : {e}");
            1
        }
    }
}

enum Failure {
    User(Vec<String>),
    Io(String),
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Io(format!("lecture de {} : {e}", path.display())))
}

fn results_of(command: AuditCommand) -> Result<(), Failure> {
    let AuditCommand::Results {
        grid,
        cases: cases_path,
        by,
        format,
        output,
    } = command;
    let by: Vec<By> = by
        .iter()
        .filter(|b| !b.trim().is_empty())
        .map(|b| {
            By::parse(b).ok_or_else(|| {
                Failure::User(vec![format!(
                    "erreur : --by « {b} » inconnu (attendu : establishment)"
                )])
            })
        })
        .collect::<Result<_, _>>()?;
    let text = String::from_utf8(read(&grid)?).map_err(|_| {
        Failure::User(vec![format!(
            "erreur : {} n'est pas un texte UTF-8",
            grid.display()
        )])
    })?;
    let grid = Grid::from_json(&text).map_err(|errors| {
        let mut lines = vec![format!("erreur : grille {} refusée", grid.display())];
        lines.extend(errors.iter().map(|e| format!("  {e}")));
        Failure::User(lines)
    })?;
    let cases = cases::read(&read(&cases_path)?, &grid).map_err(|errors| {
        let mut lines = vec![format!(
            "erreur : {} problème(s) dans {}, rien n'a été calculé",
            errors.len(),
            cases_path.display()
        )];
        lines.extend(errors.iter().map(|e| format!("  {e}")));
        Failure::User(lines)
    })?;
    let table = results::table(&by, &results::results(&grid, &cases, &by));
    let bytes = match format {
        Format::Csv => cratb_sheet::write::csv(&table, cratb_sheet::write::Csv::COMMA),
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&cratb_sheet::write::json_rows(table))
                .map_err(|e| Failure::Io(e.to_string()))?;
            v.push(b'\n');
            v
        }
    };
    match &output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| Failure::Io(format!("écriture de {} : {e}", path.display()))),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::Io(e.to_string())),
    }
}
