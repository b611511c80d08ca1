//! `cratb`: the web app, JSON API and command-line tools of a regional antibiotic-stewardship
//! centre (CRAtb). A thin shell over the library crates: parse arguments, connect, dispatch.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use cratb_domain::Scope;
use cratb_domain::account::List;
use cratb_store::{Db, PageRequest, users};
use std::io::{IsTerminal, Read};

mod advice;
mod amr;
mod audit;
mod consumption;

const DEFAULT_DB: &str = "sqlite://cratb.db";

#[derive(Parser)]
#[command(
    name = "cratb",
    version,
    about = "cratb — plateforme des centres régionaux en antibiothérapie (CRAtb) / regional antibiotic-stewardship platform"
)]
struct Cli {
    /// Format des journaux / log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Lance l'application web et l'API JSON / run the web app and the JSON API.
    Serve {
        /// Adresse d'écoute / listen address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Base de données : sqlite://chemin ou postgres://… / database URL.
        #[arg(long, env = "CRATB_DATABASE_URL")]
        database: Option<String>,
        /// Démarre sur une base de démonstration neuve et affiche les comptes / start on a fresh demo database and print the accounts.
        #[arg(long)]
        demo: bool,
        /// Graine des données de démonstration / demo data seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Garde la base de démonstration à l'arrêt (supprimée sinon) / keep the demo database at exit (removed otherwise).
        #[arg(long, requires = "demo")]
        keep_demo: bool,
        /// Servi en HTTPS derrière un proxy : cookies Secure, HSTS / served over TLS behind a proxy.
        #[arg(long)]
        behind_tls_proxy: bool,
        /// Proxy de confiance (adresse ou CIDR, répétable) : l'adresse du client est lue dans son X-Forwarded-For, ignoré sinon / trusted reverse proxy (address or CIDR, repeatable): the client address is read from its X-Forwarded-For, ignored otherwise.
        #[arg(long = "trusted-proxy", env = "CRATB_TRUSTED_PROXY", value_delimiter = ',', value_parser = parse_proxy)]
        trusted_proxy: Vec<ipnet::IpNet>,
        /// Double authentification facultative pour tous les rôles (déconseillé : pour une installation qui authentifie autrement) / second factor optional for every role (not advised).
        #[arg(long)]
        mfa_optional: bool,
    },
    /// Applique les migrations / apply database migrations.
    Migrate {
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
    },
    /// Remplit une base vide de données de démonstration synthétiques / fill an empty database with synthetic demo data.
    Demo {
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        /// Graine (mêmes données pour la même graine) / seed (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Gère les comptes / manage accounts.
    User {
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = DEFAULT_DB, global = true)]
        database: String,
        #[command(subcommand)]
        action: UserAction,
    },
    /// Importe un fichier d'antibiogrammes dans la base (pseudonymisé, tout ou rien) / import a susceptibility file into the database.
    ImportIsolates {
        #[arg(long, env = "CRATB_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        /// Fichier CSV ou XLSX / CSV or XLSX file.
        file: std::path::PathBuf,
        /// Région (code INSEE) / region.
        #[arg(long)]
        region: String,
        /// Établissement (identifiant) de tout le fichier ; sinon la colonne establishment (FINESS) / establishment id of the whole file.
        #[arg(long)]
        establishment: Option<i64>,
        /// Référentiel / guideline.
        #[arg(long, default_value = cratb_amr::reference::DEFAULT_GUIDELINE)]
        guideline: String,
        /// Seuils urinaires pour les prélèvements urinaires / UTI breakpoints for urine specimens.
        #[arg(long)]
        uti_from_specimen: bool,
        /// Importe les lignes valides et signale les autres / import the valid rows, report the others.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Résistance aux antibiotiques : interprétation, premiers isolats, antibiogrammes / antimicrobial resistance files.
    Amr {
        #[command(subcommand)]
        command: amr::AmrCommand,
    },
    /// Consommation d'antibiotiques en DDD OMS, à partir de fichiers / antibiotic consumption in WHO DDD, from files.
    Consumption {
        #[command(subcommand)]
        command: consumption::ConsumptionCommand,
    },
    /// Avis en antibiothérapie : registre d'une équipe, statistiques / advice service: a team's past log, the figures.
    Advice {
        #[command(subcommand)]
        command: advice::AdviceCommand,
    },
    /// Audits de pertinence, à partir de fichiers : conformité par critère / appropriateness audits on files: conformity per criterion.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Crée un compte (mot de passe demandé au terminal) / create an account (password asked on the terminal).
    Add {
        #[arg(long)]
        email: String,
        /// national_admin, coordinator, data_manager, secretary, ema_member, referent, prescriber, lab, ars_reader.
        #[arg(long)]
        role: String,
        /// Code INSEE de la région (sauf rôle national) / INSEE region code (not for national roles).
        #[arg(long)]
        region: Option<String>,
        /// Nom affiché (par défaut l'e-mail) / display name (defaults to the e-mail).
        #[arg(long)]
        name: Option<String>,
        /// Établissement du compte (FINESS de sa région), répétable / the account's establishment (FINESS of its region), repeatable.
        #[arg(long = "establishment", value_name = "FINESS")]
        establishments: Vec<String>,
        /// Équipe d'EMA (identifiant) d'un membre d'EMA, répétable / an EMA member's team (id), repeatable.
        #[arg(long = "team", value_name = "ID")]
        teams: Vec<i64>,
        /// Lit le mot de passe sur l'entrée standard / read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Sans mot de passe : affiche un lien pour que la personne choisisse le sien / no password: print a link by which the person chooses theirs.
        #[arg(long, conflicts_with = "password_stdin")]
        invite: bool,
    },
    /// Modifie un compte (seuls les champs donnés changent) / change an account (only the fields given change).
    Edit {
        #[arg(long)]
        email: String,
        /// Nouvelle adresse e-mail / new e-mail address.
        #[arg(long)]
        new_email: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// Code INSEE de la région ; "" pour un rôle national / INSEE region code; "" for a national role.
        #[arg(long)]
        region: Option<String>,
        /// Établissements (remplacent les actuels), répétable / establishments (replace the current ones), repeatable.
        #[arg(long = "establishment", value_name = "FINESS")]
        establishments: Vec<String>,
        /// Retire tous les établissements / remove every establishment.
        #[arg(long, conflicts_with = "establishments")]
        no_establishments: bool,
        /// Équipes (remplacent les actuelles), répétable / teams (replace the current ones), repeatable.
        #[arg(long = "team", value_name = "ID")]
        teams: Vec<i64>,
        /// Nom affiché / display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Affiche un lien pour choisir un nouveau mot de passe (24 h, usage unique) / print a link to choose a new password (24 h, single use).
    ResetLink {
        #[arg(long)]
        email: String,
    },
    /// Crée un jeton d'API et l'affiche (une seule fois) / create an API token and print it (once).
    Token {
        #[arg(long)]
        email: String,
        /// Lecture seule (sinon lecture et écriture, pour envoyer des fichiers) / read-only (otherwise read and write, to send files).
        #[arg(long)]
        read_only: bool,
        /// Durée de validité en jours / validity in days.
        #[arg(long, default_value_t = cratb_store::tokens::DEFAULT_DAYS, value_parser = clap::value_parser!(u16).range(1..=cratb_store::tokens::MAX_DAYS as i64))]
        expires_in_days: u16,
        /// Nom du jeton / token name.
        #[arg(long, default_value = "ligne de commande")]
        name: String,
    },
    /// Liste les comptes / list accounts.
    List,
    /// Désactive un compte et ferme ses sessions / disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Réinitialise la double authentification d'un compte (téléphone perdu, plus de codes de
    /// secours) et ferme ses sessions / reset an account's two-factor authentication.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CRATB_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Connects and migrates, with a message that says what to do when it fails.
async fn open(url: &str) -> Result<Db> {
    let db = Db::connect(url).await.with_context(|| format!("impossible d'ouvrir la base « {} » (vérifiez l'URL et que le serveur est joignable) / cannot open the database", redact(url)))?;
    db.migrate().await.with_context(|| {
        format!(
            "les migrations de « {} » ont échoué / migrations failed",
            redact(url)
        )
    })?;
    Ok(db)
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn print_accounts(report: &cratb_demo::DemoReport) {
    println!("Comptes de démonstration / demo accounts:");
    for a in &report.accounts {
        println!(
            "  {:<36}  {:<15}  {:<3}  {}",
            a.email,
            a.role.code(),
            a.region.as_deref().unwrap_or("—"),
            a.password
        );
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Command::Amr { command } = cli.command {
        // Synchronous and CPU-bound: no runtime, no logs, its own exit codes.
        std::process::exit(amr::run(command));
    }
    if let Command::Audit { command } = cli.command {
        std::process::exit(audit::run(command));
    }
    let cli = match cli.command {
        Command::Consumption { command } if command.offline() => {
            std::process::exit(consumption::run(command))
        }
        Command::Consumption { command } => {
            init_logs(cli.log_format);
            let db = open(command.database().expect("offline commands exited above")).await?;
            let outcome = match command {
                c @ consumption::ConsumptionCommand::Reports { .. } => {
                    consumption::reports(&db, c).await
                }
                c @ consumption::ConsumptionCommand::Recompute { .. } => {
                    consumption::recompute(&db, c).await
                }
                c => consumption::import(&db, c).await,
            };
            if let Err(e) = &outcome {
                eprintln!("erreur : {e:#}");
                std::process::exit(consumption::exit_code(e));
            }
            return Ok(());
        }
        Command::Advice { command } => {
            init_logs(cli.log_format);
            let db = open(command.database()).await?;
            if let Err(e) = advice::run(&db, command).await {
                eprintln!("erreur : {e:#}");
                std::process::exit(advice::exit_code(&e));
            }
            return Ok(());
        }
        other => Cli {
            command: other,
            ..cli
        },
    };
    init_logs(cli.log_format);
    match cli.command {
        Command::Serve {
            addr,
            database,
            demo,
            seed,
            keep_demo,
            behind_tls_proxy,
            trusted_proxy,
            mfa_optional,
        } => {
            // Each demo has its own folder (database and e-mail): two demos on one machine
            // never share a database.
            let demo_dir = (demo && database.is_none()).then(|| {
                std::env::temp_dir().join(format!(
                    "cratb-demo-{}-{}",
                    std::process::id(),
                    cratb_store::random_token(4)
                ))
            });
            let url = match (&database, &demo_dir) {
                (Some(u), _) => u.clone(),
                (None, Some(dir)) => {
                    std::fs::create_dir_all(dir).with_context(|| {
                        format!("impossible de créer / cannot create {}", dir.display())
                    })?;
                    println!(
                        "Base de démonstration : {} ({})",
                        dir.display(),
                        if keep_demo {
                            "gardée à l'arrêt"
                        } else {
                            "supprimée à l'arrêt ; --keep-demo pour la garder"
                        }
                    );
                    format!("sqlite://{}", dir.join("cratb.db").display())
                }
                (None, None) => DEFAULT_DB.to_owned(),
            };
            let db = open(&url).await?;
            if demo {
                let report = cratb_demo::generate(&db, seed)
                    .await
                    .context("données de démonstration / demo data")?;
                println!("{}", demo_summary(&report, seed));
                print_accounts(&report);
            }
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| {
                    format!("impossible d'écouter sur {addr} / cannot listen on {addr}")
                })?;
            // The demo writes its e-mail (confirmation links) as files, unless told otherwise.
            let mut mailer = cratb_web::mail::Mailer::from_env().map_err(anyhow::Error::msg)?;
            if demo && !mailer.is_on() {
                let dir = demo_dir.as_ref().map_or_else(
                    || std::env::temp_dir().join("cratb-demo-mail"),
                    |d| d.join("mail"),
                );
                mailer = cratb_web::mail::Mailer::folder(dir, None).map_err(anyhow::Error::msg)?;
            }
            println!("cratb écoute sur http://{addr} (base : {})", redact(&url));
            println!("E-mails : {}", mailer.describe());
            if mfa_optional && !demo {
                println!(
                    "Attention : double authentification facultative pour tous les rôles (--mfa-optional) / warning: second factor optional for every role"
                );
            }
            let public_url = std::env::var("CRATB_PUBLIC_URL")
                .ok()
                .filter(|s| !s.is_empty());
            if public_url.is_none() && !demo {
                println!(
                    "CRATB_PUBLIC_URL n'est pas défini : aucun e-mail ne sera envoyé / \
                     CRATB_PUBLIC_URL is not set: no e-mail will be sent"
                );
            }
            let state = cratb_web::AppState::new(
                db,
                cratb_web::Config {
                    behind_tls: behind_tls_proxy,
                    mailer,
                    public_url,
                    demo,
                    trusted_proxies: trusted_proxy,
                    mfa_optional,
                    ..Default::default()
                },
            );
            let db = state.db.clone();
            cratb_web::serve(listener, state, shutdown_signal()).await?;
            db.close().await;
            if let (Some(dir), false) = (demo_dir, keep_demo) {
                match std::fs::remove_dir_all(&dir) {
                    Ok(()) => println!("Base de démonstration supprimée : {}", dir.display()),
                    Err(e) => eprintln!("impossible de supprimer {} : {e}", dir.display()),
                }
            }
        }
        Command::Migrate { database } => {
            open(&database).await?;
            println!(
                "Migrations appliquées / migrations applied: {}",
                redact(&database)
            );
        }
        Command::Demo { database, seed } => {
            let db = open(&database).await?;
            let report = cratb_demo::generate(&db, seed).await?;
            println!("{}", demo_summary(&report, seed));
            print_accounts(&report);
        }
        Command::User { database, action } => {
            let db = open(&database).await?;
            user_command(&db, action).await?;
        }
        Command::ImportIsolates {
            database,
            file,
            region,
            establishment,
            guideline,
            uti_from_specimen,
            skip_invalid,
        } => {
            let db = open(&database).await?;
            import_isolates(
                &db,
                file,
                region,
                establishment,
                &guideline,
                uti_from_specimen,
                skip_invalid,
            )
            .await?;
        }
        Command::Amr { .. }
        | Command::Consumption { .. }
        | Command::Advice { .. }
        | Command::Audit { .. } => {
            unreachable!("handled above")
        }
    }
    Ok(())
}

/// `cratb import-isolates`: the web upload's path (interpretation, pseudonymisation, one
/// transaction), for large backfills; audited as `cli`.
async fn import_isolates(
    db: &Db,
    file: std::path::PathBuf,
    region: String,
    establishment: Option<i64>,
    guideline: &str,
    uti_from_specimen: bool,
    skip_invalid: bool,
) -> Result<()> {
    use cratb_store::resistance::{ImportError, ImportRequest};
    let uti = if uti_from_specimen {
        "specimen"
    } else {
        "never"
    };
    let Ok(options) = cratb_amr::ReadOptions::named(guideline, uti, skip_invalid) else {
        bail!("référentiel inconnu « {guideline} » (attendu : EUCAST 2023, 2024 ou 2025)");
    };
    if cratb_domain::geo::region(&region).is_none() {
        bail!("région inconnue « {region} » (attendu : un code INSEE, p. ex. 84)");
    }
    let started = std::time::Instant::now();
    let bytes = std::fs::read(&file).with_context(|| format!("lecture de {}", file.display()))?;
    let request = ImportRequest {
        region_code: region.clone(),
        establishment_id: establishment,
        filename: file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        options,
        imported_by: None,
    };
    match cratb_app::resistance::import(db, &cratb_app::Actor::cli(), request, &|_| {}).await {
        Ok(o) => {
            let summary = format!(
                "{} : {} isolats importés, {} ignorés ({})",
                file.display(),
                o.rows_imported,
                o.rows_skipped,
                o.guideline
            );
            for p in &o.skipped {
                eprintln!(
                    "ignoré : ligne {}, colonne {} : {}",
                    p.line, p.column, p.message
                );
            }
            eprintln!("{summary}, {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Err(ImportError::Invalid { problems, total }) => {
            for p in problems.iter().take(20) {
                eprintln!("ligne {}, colonne {} : {}", p.line, p.column, p.message);
            }
            if total > 20 {
                eprintln!("… et {} autres", total - 20);
            }
            eprintln!(
                "rien n'a été importé ({total} problème(s)) ; --skip-invalid importe les lignes valides"
            );
            std::process::exit(2);
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The address links are built on: `CRATB_PUBLIC_URL`, else the default listen address.
fn public_url() -> String {
    std::env::var("CRATB_PUBLIC_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
        .trim_end_matches('/')
        .to_owned()
}

/// A use case's refusal, in French, for the terminal.
fn cli_error(e: cratb_app::AppError) -> anyhow::Error {
    match e {
        cratb_app::AppError::Invalid(fields) => anyhow::anyhow!(
            fields
                .iter()
                .map(|f| format!("{} : {}", f.field, f.message(cratb_domain::Lang::Fr)))
                .collect::<Vec<_>>()
                .join(" ; ")
        ),
        other => anyhow::anyhow!(other.to_string()),
    }
}

async fn account(db: &Db, email: &str) -> Result<cratb_domain::User> {
    users::find_by_email(db, email).await.map_err(|_| {
        anyhow::anyhow!("aucun compte avec l'adresse {email} / no account with this address")
    })
}

async fn user_command(db: &Db, action: UserAction) -> Result<()> {
    let cli = cratb_app::Actor::cli();
    match action {
        UserAction::Add {
            email,
            role,
            region,
            name,
            establishments,
            teams,
            password_stdin,
            invite,
        } => {
            let password = if invite {
                None
            } else if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                Some(s.trim_end_matches(['\n', '\r']).to_owned())
            } else {
                if !std::io::stdin().is_terminal() {
                    bail!(
                        "pas de terminal pour saisir le mot de passe : utilisez --password-stdin ou --invite / no terminal: use --password-stdin or --invite"
                    );
                }
                let p = rpassword::prompt_password("Mot de passe / password: ")?;
                let again = rpassword::prompt_password("Confirmez / confirm: ")?;
                if p != again {
                    bail!("les deux saisies diffèrent / the two entries differ");
                }
                Some(p)
            };
            let input = cratb_domain::UserInput {
                display_name: Some(name.unwrap_or_else(|| email.clone())),
                email: Some(email.clone()),
                role: Some(role),
                region,
                establishments: Some(List(establishments)),
                teams: Some(List(teams.iter().map(i64::to_string).collect())),
                password,
            };
            let opened = cratb_app::users::open(db, &cli, &input)
                .await
                .map_err(|e| match e {
                    cratb_app::AppError::Invalid(fields)
                        if fields.contains(&cratb_domain::account::email_taken()) =>
                    {
                        anyhow::anyhow!("un compte existe déjà avec l'adresse {email}")
                    }
                    other => cli_error(other),
                })?;
            println!(
                "Compte créé / account created: {} (id {})",
                opened.user.email, opened.user.id
            );
            if let Some(token) = opened.link {
                println!(
                    "Lien pour choisir le mot de passe (24 h, usage unique) / link to choose the password (24 h, once):\n{}/password/reset/{token}",
                    public_url()
                );
            }
        }
        UserAction::Edit {
            email,
            new_email,
            role,
            region,
            establishments,
            no_establishments,
            teams,
            name,
        } => {
            let u = account(db, &email).await?;
            let change = cratb_domain::UserChange {
                email: new_email,
                display_name: name,
                role,
                region,
                establishments: (no_establishments || !establishments.is_empty())
                    .then_some(List(establishments)),
                teams: (!teams.is_empty())
                    .then(|| List(teams.iter().map(i64::to_string).collect())),
            };
            let after = cratb_app::users::edit(db, &cli, u.id, &change)
                .await
                .map_err(cli_error)?;
            println!(
                "Compte modifié / account changed: {} ({}, région {}, {} établissement(s), {} équipe(s))",
                after.email,
                after.role,
                after.region_code.as_deref().unwrap_or("—"),
                after.establishment_ids.len(),
                after.team_ids.len()
            );
        }
        UserAction::ResetLink { email } => {
            let u = account(db, &email).await?;
            let (_, token) = cratb_app::users::reset_link(db, &cli, u.id)
                .await
                .map_err(cli_error)?;
            println!("{}/password/reset/{token}", public_url());
            eprintln!(
                "Valable 24 heures, une seule fois ; les liens précédents de ce compte ne fonctionnent plus / valid 24 hours, once; the account's earlier links no longer work."
            );
        }
        UserAction::Token {
            email,
            read_only,
            expires_in_days,
            name,
        } => {
            let u = account(db, &email).await?;
            let (_, secret) =
                cratb_app::sessions::create_token(db, &cli, &u, &name, !read_only, expires_in_days)
                    .await
                    .map_err(cli_error)?;
            println!("{secret}");
            let until = cratb_store::now() + time::Duration::days(expires_in_days.into());
            eprintln!(
                "Jeton {} valable jusqu'au {} (UTC) ; il ne sera plus affiché / {} token valid until {} (UTC); it will not be shown again.",
                if read_only {
                    "en lecture seule"
                } else {
                    "en lecture et écriture"
                },
                until.date(),
                if read_only { "read-only" } else { "read-write" },
                until.date()
            );
        }
        UserAction::List => {
            let page = users::list(
                db,
                &Scope::National,
                None,
                PageRequest {
                    page: 1,
                    per_page: 100_000,
                },
            )
            .await?;
            println!(
                "{:<6} {:<36} {:<15} {:<6} {:<6} établissements",
                "id", "email", "role", "region", "active"
            );
            for u in page.items {
                println!(
                    "{:<6} {:<36} {:<15} {:<6} {:<6} {}",
                    u.id,
                    u.email,
                    u.role,
                    u.region_code.as_deref().unwrap_or("—"),
                    if u.active { "oui" } else { "non" },
                    u.establishment_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                );
            }
        }
        UserAction::Disable { email } => {
            let u = account(db, &email).await?;
            cratb_app::users::set_active(db, &cli, u.id, false)
                .await
                .map_err(cli_error)?;
            println!("Compte désactivé, sessions fermées / account disabled: {email}");
        }
        UserAction::ResetMfa { email } => {
            let u = users::find_by_email(db, &email)
                .await
                .map_err(|_| anyhow::anyhow!("aucun compte avec l'adresse {email}"))?;
            cratb_app::mfa::reset(db, &cratb_app::Actor::cli(), u.id)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            println!(
                "Double authentification réinitialisée, sessions fermées / two-factor authentication reset: {email}"
            );
        }
    }
    Ok(())
}

/// What the demo generated, in one line.
fn demo_summary(r: &cratb_demo::DemoReport, seed: u64) -> String {
    format!(
        "Démo : {} établissements, {} territoires, {} professionnels, {} EMA, {} conventions, {} isolats, {} lignes de consommation hospitalière et {} de ville, {} demandes d'avis, {} campagnes d'audit ({} dossiers validés), {} plans d'action (graine {seed}).",
        r.establishments,
        r.territories,
        r.professionals,
        r.teams,
        r.conventions,
        r.isolates,
        r.consumption_rows,
        r.primary_care_rows,
        r.advice_requests,
        r.audit_campaigns,
        r.audit_cases,
        r.action_plans
    )
}

/// A trusted proxy as given to `serve --trusted-proxy`: a network (`10.0.0.0/8`) or one
/// address (`10.0.0.5`).
fn parse_proxy(s: &str) -> std::result::Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            format!(
                "« {s} » n'est ni une adresse IP ni un réseau CIDR (ex. 10.0.0.0/8) / not an IP address or CIDR network"
            )
        })
}

/// Ctrl-C or SIGTERM: the server stops taking requests, finishes those under way, and the
/// demo cleans up after itself.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        assert_eq!(
            parse_proxy("10.0.0.0/8").unwrap(),
            "10.0.0.0/8".parse().unwrap()
        );
        assert_eq!(
            parse_proxy(" 192.0.2.1 ").unwrap(),
            "192.0.2.1/32".parse().unwrap()
        );
        assert_eq!(parse_proxy("::1").unwrap(), "::1/128".parse().unwrap());
        assert!(
            parse_proxy("proxy.example.org")
                .unwrap_err()
                .contains("CIDR")
        );
        // Repeated, or comma-separated as in CRATB_TRUSTED_PROXY.
        let cli = Cli::try_parse_from([
            "cratb",
            "serve",
            "--trusted-proxy",
            "10.0.0.0/8,192.0.2.1",
            "--trusted-proxy",
            "::1",
        ])
        .unwrap();
        let Command::Serve { trusted_proxy, .. } = cli.command else {
            panic!("serve");
        };
        assert_eq!(trusted_proxy.len(), 3);
    }
}
