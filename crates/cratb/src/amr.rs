//! `cratb amr …`: interpret susceptibility files, flag first isolates, count cumulative
//! antibiograms, generate synthetic files. A shell over `cratb-amr`: arguments, files, progress
//! and messages in French.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use cratb_amr::first_isolate::{self, Method};
use cratb_amr::{Dataset, Options, Problem, ReadOptions, UtiMode};
use cratb_sheet::write::{self, Csv};

/// Files larger than this get a progress bar (on a terminal).
const PROGRESS_FROM: u64 = 5 * 1024 * 1024;
/// Problems printed before "… et N autres".
const SHOWN_PROBLEMS: usize = 20;
const RULES: &str = "règles AMR 3.0";

#[derive(Subcommand)]
pub enum AmrCommand {
    /// Interprète CMI et diamètres (S/I/R) et écrit le fichier complété / interpret MICs and zones, write the file with S/I/R columns.
    Interpret {
        /// Fichier d'entrée (CSV ou XLSX, large ou long ; « - » pour l'entrée standard) / input file.
        input: PathBuf,
        /// Fichier de sortie (même séparateur que l'entrée) / output file.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        interpretation: InterpretationArgs,
        /// Ignore les lignes et valeurs invalides en les signalant / skip invalid rows and values, and report them.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Marque les premiers isolats (colonne first_isolate) / flag first isolates (a first_isolate column).
    FirstIsolates {
        input: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        rule: FirstIsolateArgs,
        #[command(flatten)]
        interpretation: InterpretationArgs,
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Antibiogramme cumulé par micro-organisme et antibiotique / cumulative antibiogram.
    Antibiogram {
        input: PathBuf,
        /// Fichier de sortie (sinon la sortie standard) / output file (standard output otherwise).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Premiers isolats seulement / first isolates only.
        #[arg(long)]
        first_isolates: bool,
        /// Colonnes de regroupement, p. ex. sector,ward / grouping columns.
        #[arg(long, value_delimiter = ',')]
        by: Vec<String>,
        /// Isolats catégorisés nécessaires pour publier un pourcentage / isolates needed to report a percentage.
        #[arg(long, default_value_t = cratb_amr::antibiogram::DEFAULT_MIN_ISOLATES)]
        min_isolates: u32,
        /// Format de sortie (par défaut d'après l'extension de -o, sinon csv) / output format.
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[command(flatten)]
        rule: FirstIsolateArgs,
        #[command(flatten)]
        interpretation: InterpretationArgs,
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Génère un fichier synthétique (aucune donnée réelle) / generate a synthetic file (no real data).
    Generate {
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        isolates: usize,
        #[arg(long, default_value_t = 330_000)]
        patients: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Args)]
pub struct InterpretationArgs {
    /// Référentiel : EUCAST 2023, 2024 ou 2025 / guideline.
    #[arg(long, default_value = cratb_amr::reference::DEFAULT_GUIDELINE)]
    guideline: String,
    /// Seuils d'infection urinaire pour tous les isolats / UTI breakpoints for every isolate.
    #[arg(long, conflicts_with = "uti_from_specimen")]
    uti: bool,
    /// Seuils d'infection urinaire pour les prélèvements urinaires / UTI breakpoints for urine specimens.
    #[arg(long)]
    uti_from_specimen: bool,
    /// Ajoute les résistances naturelles (R) / add intrinsic resistance.
    #[arg(long)]
    add_intrinsic_resistance: bool,
}

#[derive(Args)]
pub struct FirstIsolateArgs {
    /// Durée d'un épisode en jours / episode length in days.
    #[arg(long, default_value_t = 365)]
    episode_days: u32,
    /// Méthode de sélection des premiers isolats / first-isolate method.
    #[arg(long, value_enum, default_value_t = MethodArg::Episode)]
    method: MethodArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    #[value(name = "episode-based")]
    Episode,
    #[value(name = "patient-based")]
    Patient,
    #[value(name = "phenotype-based")]
    Phenotype,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
    Parquet,
}

/// An error of the user's (a bad argument, an invalid file): exit code 2.
#[derive(Debug)]
struct UserError(String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

fn user(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UserError(message.into()))
}

/// Runs a command; returns the process exit code (0, 1 for a system error, 2 for the user's).
pub fn run(command: AmrCommand) -> i32 {
    match dispatch(command) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            if e.is::<UserError>() { 2 } else { 1 }
        }
    }
}

fn dispatch(command: AmrCommand) -> Result<()> {
    let started = Instant::now();
    match command {
        AmrCommand::Interpret {
            input,
            output,
            interpretation,
            skip_invalid,
        } => {
            let options = read_options(&interpretation, skip_invalid, &[])?;
            let data = load(&input, options)?;
            let bytes = data.write_interpreted();
            write_file(&output, &bytes)?;
            summary(
                "interpret",
                &data,
                &format!("{} antibiotiques", data.agents.len()),
                started,
            );
            // The process ends here: freeing a million rows would only take time.
            std::mem::forget(data);
        }
        AmrCommand::FirstIsolates {
            input,
            output,
            rule,
            interpretation,
            skip_invalid,
        } => {
            let options = read_options(&interpretation, skip_invalid, &[])?;
            let data = load(&input, options)?;
            let first = first_isolate::first_isolates(&data, &first_options(&rule));
            let flag = |row: usize| if first[row] { "true" } else { "false" };
            let bytes = data.write_with(false, &[("first_isolate", &flag)]);
            write_file(&output, &bytes)?;
            let n = first.iter().filter(|f| **f).count();
            summary(
                "first-isolates",
                &data,
                &format!("{} premiers isolats", thousands(n)),
                started,
            );
            // The process ends here: freeing a million rows would only take time.
            std::mem::forget(data);
        }
        AmrCommand::Antibiogram {
            input,
            output,
            first_isolates,
            by,
            min_isolates,
            format,
            rule,
            interpretation,
            skip_invalid,
        } => {
            let format = format.unwrap_or_else(|| output.as_deref().map_or(Format::Csv, format_of));
            if output.is_none()
                && matches!(format, Format::Xlsx | Format::Parquet)
                && std::io::stdout().is_terminal()
            {
                return Err(user(format!(
                    "le format {} est binaire : indiquez un fichier de sortie avec -o (p. ex. -o antibiogramme.{})",
                    extension(format),
                    extension(format)
                )));
            }
            let options = read_options(&interpretation, skip_invalid, &by)?;
            let data = load(&input, options)?;
            let keep =
                first_isolates.then(|| first_isolate::first_isolates(&data, &first_options(&rule)));
            let mut table =
                cratb_amr::antibiogram::antibiogram(&data, keep.as_deref(), &by, min_isolates)
                    .map_err(|e| {
                        user(format!(
                            "{e} (colonnes disponibles : {})",
                            text_columns(&data)
                        ))
                    })?;
            table.first_isolates_only = first_isolates;
            let bytes = match format {
                Format::Csv => table.to_csv(Csv::COMMA),
                Format::Json => {
                    let mut v = serde_json::to_vec_pretty(&table.to_json()).context("JSON")?;
                    v.push(b'\n');
                    v
                }
                Format::Xlsx => table
                    .to_xlsx()
                    .map_err(|e| anyhow!("écriture XLSX : {e}"))?,
                Format::Parquet => {
                    write::parquet(&table.table("antibiogram"), &table.parquet_columns())
                        .map_err(|e| anyhow!("écriture Parquet : {e}"))?
                }
            };
            match &output {
                Some(path) => write_file(path, &bytes)?,
                None => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&bytes)
                        .and_then(|()| out.flush())
                        .context("écriture sur la sortie standard")?;
                }
            }
            let isolates = if first_isolates {
                format!("{} premiers isolats, ", thousands(table.isolates))
            } else {
                String::new()
            };
            summary(
                "antibiogram",
                &data,
                &format!("{isolates}{} cellules", thousands(table.cells.len())),
                started,
            );
            // The process ends here: freeing a million rows would only take time.
            std::mem::forget(data);
        }
        AmrCommand::Generate {
            output,
            isolates,
            patients,
            seed,
        } => {
            if isolates == 0 || patients == 0 {
                return Err(user("--isolates et --patients doivent être positifs"));
            }
            let spec = cratb_amr::synth::Spec {
                isolates,
                patients,
                seed,
            };
            let bytes = cratb_amr::synth::generate(&spec);
            write_file(&output, &bytes)?;
            eprintln!(
                "cratb amr generate : {} isolats synthétiques, {} patients au plus, {} Mo, {} — graine {seed}",
                thousands(isolates),
                thousands(patients),
                thousands(bytes.len() / 1_000_000),
                seconds(started)
            );
        }
    }
    Ok(())
}

/// `keep`: the optional columns the command needs as text (none to write the file back, the
/// `--by` columns for an antibiogram).
fn read_options(
    args: &InterpretationArgs,
    skip_invalid: bool,
    keep: &[String],
) -> Result<ReadOptions> {
    let guideline = Options::parse_guideline(&args.guideline).ok_or_else(|| {
        user(format!(
            "référentiel inconnu « {} » (référentiels disponibles : {})",
            args.guideline,
            cratb_amr::reference::GUIDELINES.join(", ")
        ))
    })?;
    let uti = if args.uti {
        UtiMode::Always
    } else if args.uti_from_specimen {
        UtiMode::FromSpecimen
    } else {
        UtiMode::Never
    };
    Ok(ReadOptions {
        interpretation: Options {
            guideline,
            uti,
            add_intrinsic_resistance: args.add_intrinsic_resistance,
        },
        skip_invalid,
        progress: None,
        keep_optional: Some(keep.to_vec()),
    })
}

fn first_options(args: &FirstIsolateArgs) -> first_isolate::Options {
    let method = match args.method {
        MethodArg::Episode => Method::EpisodeBased,
        MethodArg::Patient => Method::PatientBased,
        MethodArg::Phenotype => Method::PhenotypeBased,
    };
    first_isolate::Options {
        method,
        episode_days: args.episode_days,
        ..Default::default()
    }
}

fn format_of(path: &Path) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Format::Json,
        Some("xlsx") => Format::Xlsx,
        Some("parquet") => Format::Parquet,
        _ => Format::Csv,
    }
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Xlsx => "xlsx",
        Format::Parquet => "parquet",
    }
}

fn text_columns(data: &Dataset) -> String {
    let names: Vec<&str> = data.text.iter().map(|c| c.name.as_str()).collect();
    if names.is_empty() {
        "aucune".to_string()
    } else {
        names.join(", ")
    }
}

/// Reads and interprets the file, with a progress bar on a terminal for a large file; prints
/// the problems (refused file) or what was skipped.
fn load(input: &Path, mut options: ReadOptions) -> Result<Dataset> {
    // The reference tables load while the file is read.
    std::thread::spawn(cratb_amr::Reference::get);
    let bytes = if input == Path::new("-") {
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .context("lecture de l'entrée standard")?;
        v
    } else {
        std::fs::read(input)
            .with_context(|| format!("impossible de lire « {} »", input.display()))?
    };
    let bar = (std::io::stderr().is_terminal() && bytes.len() as u64 > PROGRESS_FROM).then(|| {
        let bar = indicatif::ProgressBar::new(bytes.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} lecture {bar:40} {bytes}/{total_bytes} ({eta})",
            )
            .expect("a valid template"),
        );
        bar
    });
    if let Some(bar) = &bar {
        let bar = bar.clone();
        options.progress = Some(Arc::new(move |n| bar.inc(n)));
    }
    let skip = options.skip_invalid;
    let result = cratb_amr::read_owned(bytes, &options);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(data) => {
            if skip && data.skipped_total > 0 {
                eprintln!(
                    "{} problème{} ignoré{} (--skip-invalid) :",
                    thousands(data.skipped_total),
                    plural(data.skipped_total),
                    plural(data.skipped_total)
                );
                print_problems(&data.skipped, data.skipped_total);
            }
            Ok(data)
        }
        Err(invalid) => {
            eprintln!(
                "« {} » n'a pas été traité : {} problème{} (rien n'a été écrit ; --skip-invalid pour ignorer les lignes et valeurs en cause) :",
                input.display(),
                thousands(invalid.total),
                plural(invalid.total)
            );
            print_problems(&invalid.problems, invalid.total);
            Err(user(format!("fichier invalide : {}", input.display())))
        }
    }
}

fn print_problems(problems: &[Problem], total: usize) {
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        eprintln!("  {}", p.describe(cratb_domain::Lang::Fr));
    }
    let shown = problems.len().min(SHOWN_PROBLEMS);
    if total > shown {
        eprintln!(
            "  … et {} autre{}",
            thousands(total - shown),
            plural(total - shown)
        );
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .with_context(|| format!("impossible d'écrire « {} »", path.display()))
}

/// `cratb amr antibiogram : 1 000 000 lignes lues, 0 ignorée, 412 cellules, 0,84 s — EUCAST 2025 (règles AMR 3.0)`
fn summary(command: &str, data: &Dataset, what: &str, started: Instant) {
    let dropped = data.records.saturating_sub(data.len());
    let values = if data.skipped_total > dropped {
        format!(
            " ({} problème{} au total)",
            thousands(data.skipped_total),
            plural(data.skipped_total)
        )
    } else {
        String::new()
    };
    eprintln!(
        "cratb amr {command} : {} ligne{} lue{}, {} ignorée{}{values}, {what}, {} — {} ({RULES})",
        thousands(data.records),
        plural(data.records),
        plural(data.records),
        thousands(dropped),
        plural(dropped),
        seconds(started),
        data.options.guideline_name()
    );
}

/// French plural: 0 and 1 are singular.
fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

/// `1 000 000`
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `0,84 s`
fn seconds(started: Instant) -> String {
    format!("{:.2} s", started.elapsed().as_secs_f64()).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1 000");
        assert_eq!(thousands(1_000_000), "1 000 000");
        assert_eq!(plural(0), "");
        assert_eq!(plural(2), "s");
    }
}
