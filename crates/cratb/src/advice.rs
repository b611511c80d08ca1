//! `cratb advice …`: a team's past log of advice loaded into the database, and the advice
//! service's figures of a region and year.

use anyhow::{Context, Result, anyhow};
use clap::{Subcommand, ValueEnum};
use cratb_advice::stats::{AdviceStats, GroupRow};
use cratb_app::advice::LogRefused;
use cratb_sheet::write::{self, Cell, Csv, Decimals, Table};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest log file read (a log holds one short row per request: a team's years fit in a
/// few megabytes).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Subcommand)]
pub enum AdviceCommand {
    /// Charge le registre d'avis d'une équipe (CSV ou XLSX, une ligne par demande), tout ou rien / load a team's past log of advice, all or nothing.
    Import {
        /// Colonnes : asked_at, answered_at, channel, requester_profession, requester_sector, department, infection_site, question_type, recommendation, followed, team (facultative).
        file: PathBuf,
        /// Région (code INSEE) / region.
        #[arg(long)]
        region: String,
        /// Base de données / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = "sqlite://cratb.db")]
        database: String,
    },
    /// Les chiffres des avis d'une région pour une année / the advice figures of a region and year.
    Stats {
        /// Région (code INSEE) / region.
        #[arg(long)]
        region: String,
        /// Année (demandes reçues cette année-là, heure de Paris) / year.
        #[arg(long)]
        year: i32,
        /// json (l'objet des statistiques) ou csv (un tableau : total, mois, secteur, site) / output format.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Base de données / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = "sqlite://cratb.db")]
        database: String,
    },
}

impl AdviceCommand {
    /// The database the command works on.
    pub fn database(&self) -> &str {
        match self {
            AdviceCommand::Import { database, .. } | AdviceCommand::Stats { database, .. } => {
                database
            }
        }
    }
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

/// The exit code of a failed command: 2 for what the user gave, 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.is::<UserError>() { 2 } else { 1 }
}

/// The region given, or a user error naming it.
fn region(code: &str) -> Result<cratb_domain::RegionCode> {
    cratb_domain::RegionCode::parse(code.trim()).map_err(|_| {
        anyhow!(UserError(format!(
            "--region : région inconnue « {code} » (attendu : un code INSEE de région, p. ex. 84)"
        )))
    })
}

/// Reads a file of at most [`MAX_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("lecture de {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(anyhow!(UserError(format!(
            "{} : {} Mo, au-delà des {} Mo acceptés pour un registre d'avis",
            path.display(),
            size / 1_000_000,
            MAX_FILE_BYTES / 1024 / 1024
        ))));
    }
    std::fs::read(path).with_context(|| format!("lecture de {}", path.display()))
}

/// Runs a command on the database.
pub async fn run(db: &cratb_store::Db, command: AdviceCommand) -> Result<()> {
    match command {
        AdviceCommand::Import { file, region, .. } => import(db, &file, &region).await,
        AdviceCommand::Stats {
            region,
            year,
            format,
            ..
        } => stats(db, &region, year, format).await,
    }
}

/// `cratb advice import`: the whole file checked, then one transaction; every problem listed.
async fn import(db: &cratb_store::Db, file: &Path, code: &str) -> Result<()> {
    let region = region(code)?;
    let bytes = read_bounded(file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match cratb_app::advice::import_log(
        db,
        &cratb_app::Actor::cli(),
        region.as_str(),
        &name,
        &bytes,
    )
    .await
    {
        Ok(n) => {
            println!(
                "{} : {n} demande(s) d'avis chargée(s) dans la région {} ({})",
                file.display(),
                region.as_str(),
                region.name()
            );
            Ok(())
        }
        Err(LogRefused::Rows(errors)) => {
            let mut text = format!(
                "{} : {} problème(s), rien n'a été chargé",
                file.display(),
                errors.len()
            );
            for e in &errors {
                text.push_str(&format!("\n  {e}"));
            }
            Err(anyhow!(UserError(text)))
        }
        Err(LogRefused::App(cratb_app::AppError::NotFound)) => Err(anyhow!(UserError(format!(
            "--region : région inconnue « {code} »"
        )))),
        Err(LogRefused::App(cratb_app::AppError::Invalid(fields))) => Err(anyhow!(UserError(
            fields
                .iter()
                .map(|f| format!("{} : {}", f.field, f.message(cratb_domain::Lang::Fr)))
                .collect::<Vec<_>>()
                .join(" ; ")
        ))),
        Err(LogRefused::App(e)) => Err(anyhow!(e.to_string())),
    }
}

/// `cratb advice stats`: the figures as JSON (the API's object) or one CSV table.
async fn stats(db: &cratb_store::Db, code: &str, year: i32, format: Format) -> Result<()> {
    let region = region(code)?;
    if !(2000..=2100).contains(&year) {
        return Err(anyhow!(UserError(format!(
            "--year : {year} n'est pas une année plausible"
        ))));
    }
    // The command line acts for the whole country.
    let access = cratb_domain::Scope::National
        .access(region.as_str())
        .expect("a parsed region");
    let figures = cratb_app::advice::stats(db, &access, year, None)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    let bytes = match format {
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&figures)?;
            v.push(b'\n');
            v
        }
        Format::Csv => write::csv(&table(&figures), Csv::COMMA),
    };
    std::io::stdout().write_all(&bytes)?;
    Ok(())
}

/// The columns of `cratb advice stats --format csv`.
pub const CSV_HEADER: [&str; 7] = [
    "section",
    "code",
    "requests",
    "answered",
    "median_minutes",
    "within_target",
    "followed_share",
];

fn figure(x: Option<f64>, decimals: u8) -> Cell {
    x.map_or(Cell::Empty, |x| {
        Cell::Number(x, Decimals::UnlessWhole(decimals))
    })
}

fn count(n: u64) -> Cell {
    Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The figures as one table: the total, then each month, sector and infection site.
pub fn table(s: &AdviceStats) -> Table {
    let mut rows = vec![vec![
        Cell::Text("total".into()),
        Cell::Empty,
        count(s.requests),
        count(s.answered),
        figure(s.median_minutes, 1),
        figure(s.within_target, 4),
        figure(s.followed_share, 4),
    ]];
    for m in &s.by_month {
        rows.push(vec![
            Cell::Text("month".into()),
            Cell::Text(format!("{:02}", m.month)),
            count(m.requests),
            count(m.answered),
            figure(m.median_minutes, 1),
            figure(m.within_target, 4),
            Cell::Empty,
        ]);
    }
    let group = |section: &str, g: &GroupRow| {
        vec![
            Cell::Text(section.into()),
            Cell::Text(g.code.clone()),
            count(g.requests),
            count(g.answered),
            figure(g.median_minutes, 1),
            figure(g.within_target, 4),
            figure(g.followed_share, 4),
        ]
    };
    rows.extend(s.by_sector.iter().map(|g| group("sector", g)));
    rows.extend(
        s.by_infection_site
            .iter()
            .map(|g| group("infection_site", g)),
    );
    Table::new("advice", CSV_HEADER, rows)
}
