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
    /// Importe consommations et dénominateurs hospitaliers dans la base, tout ou rien / import hospital consumption and denominators into the database, all or nothing.
    Import {
        /// Consommations : establishment, period, ward_type, atc, route, grams.
        #[arg(long)]
        consumption: PathBuf,
        /// Dénominateurs : establishment, period, ward_type, patient_days, admissions.
        #[arg(long)]
        denominators: PathBuf,
        /// Région (code INSEE) des établissements / region of the establishments.
        #[arg(long)]
        region: String,
        #[arg(long, default_value_t = ddd::LATEST)]
        ddd_edition: u16,
        /// Importe même les périodes sans dénominateur (ou sans consommation), exclues des indicateurs / import even periods without denominator (or consumption), left out of the indicators.
        #[arg(long)]
        accept_partial: bool,
        /// Base de données / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = "sqlite://cratb.db")]
        database: String,
    },
    /// Recalcule les DDJ de la région avec une autre édition ATC/DDD / recompute a region's DDD under another edition.
    Recompute {
        /// Région (code INSEE) / region.
        #[arg(long)]
        region: String,
        /// Édition : année livrée (2025, 2026) ou nom d'une édition chargée / shipped year or loaded edition name.
        #[arg(long)]
        ddd_edition: String,
        /// Charge d'abord cette édition (CSV, TSV ou XLSX : atc, name, ddd, unit, route) sous le nom --ddd-edition / load this edition first.
        #[arg(long)]
        ddd_file: Option<PathBuf>,
        /// Base de données / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = "sqlite://cratb.db")]
        database: String,
    },
    /// Rapports de retour PDF de tous les établissements de la région pour une année / every establishment's feedback report (PDF) of a year.
    Reports {
        /// Région (code INSEE) / region.
        #[arg(long)]
        region: String,
        /// Année (sinon la dernière disponible) / year (else the latest).
        #[arg(long)]
        year: Option<i32>,
        /// Dossier où écrire les PDF (créé au besoin) / folder for the PDFs.
        #[arg(long)]
        out: PathBuf,
        /// Base de données / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = "sqlite://cratb.db")]
        database: String,
    },
}

impl ConsumptionCommand {
    /// The database the command works on (`None`: files only).
    pub fn database(&self) -> Option<&str> {
        match self {
            ConsumptionCommand::Import { database, .. }
            | ConsumptionCommand::Recompute { database, .. }
            | ConsumptionCommand::Reports { database, .. } => Some(database),
            ConsumptionCommand::Ddd { .. } => None,
        }
    }

    /// Whether the command works on files only (no database, no runtime).
    pub fn offline(&self) -> bool {
        matches!(self, ConsumptionCommand::Ddd { .. })
    }
}

/// `cratb consumption import`: both files checked whole, then one transaction.
pub async fn import(db: &cratb_store::Db, command: ConsumptionCommand) -> Result<()> {
    let ConsumptionCommand::Import {
        consumption,
        denominators,
        region,
        ddd_edition,
        accept_partial,
        ..
    } = command
    else {
        unreachable!("only the import reaches the database")
    };
    let region =
        cratb_domain::RegionCode::parse(&region).map_err(|e| anyhow!(UserError(e.to_string())))?;
    let table = DddTable::embedded(ddd_edition).ok_or_else(|| {
        anyhow!(UserError(format!(
            "--ddd-edition : {ddd_edition} non disponible (éditions : {:?})",
            DddTable::editions()
        )))
    })?;
    let (c, d) = (read(&consumption)?, read(&denominators)?);
    let name = consumption
        .file_name()
        .map_or("consommation".into(), |n| n.to_string_lossy().to_string());
    let started = std::time::Instant::now();
    // Millions of rows take tens of seconds: a spinner with the time elapsed, on a terminal.
    let spinner = indicatif::ProgressBar::new_spinner();
    if std::io::stderr().is_terminal() {
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            spinner.set_style(style);
        }
        spinner.set_message(format!(
            "{} : lecture, vérification et écriture ({} Mo)…",
            name,
            (c.len() + d.len()) / 1_000_000
        ));
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    } else {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let files = cratb_store::consumption::HospitalFiles {
        filename: &name,
        consumption: &c,
        denominators: &d,
        accept_partial,
    };
    match cratb_app::consumption::import_hospital(
        db,
        &cratb_app::Actor::cli(),
        &region,
        files,
        &table,
    )
    .await
    {
        Ok(done) => {
            spinner.finish_and_clear();
            for u in &done.unconverted {
                eprintln!(
                    "attention : {} (voie {}) — {} ; {:.2} g sur {} ligne(s) sans DDD",
                    u.atc, u.route, u.reason, u.grams, u.rows
                );
            }
            for u in &done.left_out {
                eprintln!("exclu des indicateurs : {}", u.message_fr());
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "import {} : {} lignes de consommation, {} de dénominateurs en {:.2} s ({:.0} lignes/s) — référentiel : {}",
                done.import_id,
                done.consumption_rows,
                done.denominator_rows,
                secs,
                (done.consumption_rows + done.denominator_rows) as f64 / secs.max(1e-9),
                done.ddd_edition
            );
            Ok(())
        }
        Err(cratb_store::consumption::HospitalImportError::Invalid(list)) => {
            spinner.finish_and_clear();
            Err(problems(&list, [&consumption, &denominators], "importé"))
        }
        Err(cratb_store::consumption::HospitalImportError::Partial(list)) => {
            spinner.finish_and_clear();
            let mut text = format!(
                "{} période(s) où consommation et dénominateurs ne se rejoignent pas, rien n'a \
                 été importé (complétez les fichiers, ou --accept-partial pour les exclure des \
                 indicateurs) :",
                list.len()
            );
            for u in list.iter().take(20) {
                text.push_str(&format!("\n  {}", u.message_fr()));
            }
            if list.len() > 20 {
                text.push_str(&format!("\n  … et {} autres", list.len() - 20));
            }
            Err(anyhow!(UserError(text)))
        }
        Err(cratb_store::consumption::HospitalImportError::Store(e)) => {
            spinner.finish_and_clear();
            Err(e.into())
        }
    }
}

/// `cratb consumption reports`: one PDF per establishment with data for the year, with a
/// progress bar.
pub async fn reports(db: &cratb_store::Db, command: ConsumptionCommand) -> Result<()> {
    let ConsumptionCommand::Reports {
        region, year, out, ..
    } = command
    else {
        unreachable!("called for reports only")
    };
    let region =
        cratb_domain::RegionCode::parse(&region).map_err(|e| anyhow!(UserError(e.to_string())))?;
    // The command line acts for the whole country.
    let access = cratb_domain::Scope::National
        .access(region.as_str())
        .expect("a parsed region");
    let cube = cratb_store::consumption::cube(
        db,
        &access,
        &cratb_consumption::indicators::AwareTable::embedded(),
    )
    .await?;
    let year = match year.or(cube.years.last().copied()) {
        Some(y) if cube.years.contains(&y) => y,
        Some(y) => bail!(UserError(format!(
            "--year : aucune donnée de consommation en {y} pour la région {} (années : {:?})",
            region.as_str(),
            cube.years
        ))),
        None => bail!(UserError(format!(
            "aucune donnée de consommation pour la région {}",
            region.as_str()
        ))),
    };
    std::fs::create_dir_all(&out).with_context(|| format!("création de {}", out.display()))?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let written = cratb_report::consumption::each_report(
        &cube,
        region.as_str(),
        year,
        |done, total, name, pdf| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            std::fs::write(out.join(&name), pdf).with_context(|| format!("écriture de {name}"))
        },
    )?;
    bar.finish_and_clear();
    println!(
        "{written} rapport(s) {year} écrits dans {} en {:.2} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cratb consumption recompute`: every DDD of the region under the edition named (loaded from
/// a file first if one is given).
pub async fn recompute(db: &cratb_store::Db, command: ConsumptionCommand) -> Result<()> {
    let ConsumptionCommand::Recompute {
        region,
        ddd_edition,
        ddd_file,
        ..
    } = command
    else {
        unreachable!("called for recompute only")
    };
    let region =
        cratb_domain::RegionCode::parse(&region).map_err(|e| anyhow!(UserError(e.to_string())))?;
    let name = match ddd_edition.trim().parse::<u16>() {
        Ok(year) => format!("WHOCC ATC/DDD Index {year}"),
        Err(_) => ddd_edition.trim().to_string(),
    };
    if let Some(file) = ddd_file {
        let (table, text) = DddTable::from_sheet(&read(&file)?, &name)
            .map_err(|e| anyhow!(UserError(format!("{} : {e}", file.display()))))?;
        match cratb_app::consumption::load_edition(db, &cratb_app::Actor::cli(), &table, &text)
            .await
        {
            Ok(()) => eprintln!("édition « {name} » chargée : {} codes ATC", table.len()),
            Err(cratb_app::AppError::Conflict(_)) => bail!(UserError(format!(
                "une édition « {name} » existe déjà (un nom n'est jamais réutilisé)"
            ))),
            Err(e) => return Err(anyhow!(e.to_string())),
        }
    }
    let table = match cratb_store::consumption::ddd_table(db, &name).await {
        Ok(t) => t,
        Err(cratb_store::StoreError::NotFound) => bail!(UserError(format!(
            "--ddd-edition : « {name} » inconnue (années livrées : {:?}, ou le nom d'une édition chargée)",
            DddTable::editions()
        ))),
        Err(e) => return Err(e.into()),
    };
    let done =
        cratb_app::consumption::recompute(db, &cratb_app::Actor::cli(), region.as_str(), &table)
            .await
            .map_err(|e| anyhow!(e.to_string()))?;
    for (atc, route, why) in &done.unconverted {
        eprintln!("attention : {atc} (voie {route}) — {why} ; lignes sans DDD");
    }
    println!("{} lignes recalculées avec {}", done.rows, done.edition);
    Ok(())
}

/// The exit code of an import's error: 2 for the user's, 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.is::<UserError>() { 2 } else { 1 }
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
/// The problems of a consumption file and its denominators file, as an error naming each
/// file, line and column (the first 20, then how many more).
fn problems(list: &hospital::Problems, paths: [&Path; 2], not_done: &str) -> anyhow::Error {
    let mut text = format!("{} problème(s), rien n'a été {not_done}", list.total);
    for (file, p) in list.listed.iter().take(20) {
        let path = paths[usize::from(*file == hospital::File::Denominators)];
        text.push_str(&format!("\n  {} : {p}", path.display()));
    }
    if list.total > 20 {
        text.push_str(&format!("\n  … et {} autres", list.total - 20));
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
    } = command
    else {
        unreachable!("the import runs with the database")
    };
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
    let files = hospital::read_checked(&read(&consumption)?, &read(&denominators)?)
        .map_err(|p| problems(&p, [&consumption, &denominators], "calculé"))?;
    let outcome = hospital::indicators(&files, &by, &prefixes, &table)
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
    // Numerator and denominator cover the same cells: what was left out is said.
    for u in outcome.left_out.iter().take(50) {
        eprintln!("exclu des indicateurs : {}", u.message_fr());
    }
    if outcome.left_out.len() > 50 {
        eprintln!(
            "exclu des indicateurs : … et {} autres",
            outcome.left_out.len() - 50
        );
    }
    eprintln!(
        "{} lignes de consommation, {} groupes × {} préfixe(s) ATC — référentiel : {}",
        files.consumption.len(),
        outcome.rows.len() / prefixes.len().max(1),
        prefixes.len(),
        table.edition
    );
    Ok(())
}
