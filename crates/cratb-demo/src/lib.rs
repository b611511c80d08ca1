//! Synthetic demo data: one full region (Auvergne-Rhône-Alpes, its 12 departments, its GHTs,
//! about 300 establishments of every sector) plus a smaller one (Bretagne), and one account per
//! role. Everything is generated from a seed — same seed, same data — and no real person
//! appears: names of establishments are made from real town names and common patterns, FINESS
//! numbers are synthetic (valid format and key, not real establishments).

pub mod advice;
pub mod audits;
pub mod consumption;
pub mod laboratory;
mod network;
mod places;
pub mod resistance;
pub mod scale;

use cratb_domain::{Category, Email, Finess, RegionCode, Role};
use cratb_domain::{EstablishmentInput, NewEstablishment};
use cratb_store::establishments;
use cratb_store::{Db, StoreError, audit, reference, users};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A demo account and its password (printed by `cratb serve --demo`).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub region: Option<String>,
    pub password: String,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub territories: usize,
    pub establishments: usize,
    /// Synthetic isolates imported for the main region.
    pub isolates: usize,
    /// Directory entries, EMA teams and conventions.
    pub professionals: usize,
    pub teams: usize,
    pub conventions: usize,
    /// Hospital consumption rows (three years, monthly).
    pub consumption_rows: usize,
    pub primary_care_rows: usize,
    /// Requests of the advice service (the main region, a year and a half).
    pub advice_requests: usize,
    /// Appropriateness audits: campaigns, validated cases, action plans.
    pub audit_campaigns: usize,
    pub audit_cases: usize,
    pub action_plans: usize,
    pub accounts: Vec<DemoAccount>,
}

/// Why demo data could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "la base contient déjà des établissements ou des comptes ; les données de démonstration ne s'ajoutent qu'à une base vide"
    )]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("compte de démonstration : {0}")]
    Account(#[from] users::NewUserError),
    #[error("audits de démonstration : {0}")]
    Audits(String),
}

/// The demo regions: the full one first.
pub const MAIN_REGION: &str = "84";
pub const SECOND_REGION: &str = "53";

/// Synthetic isolates of the full demo: three years of a regional laboratory network.
pub const DEMO_ISOLATES: usize = 60_000;

/// Fills an empty, migrated database with demo data.
pub async fn generate(db: &Db, seed: u64) -> Result<DemoReport, DemoError> {
    let mut report = generate_with(db, seed, DEMO_ISOLATES).await?;
    report.consumption_rows = consumption::generate(db, MAIN_REGION, seed).await?;
    report.primary_care_rows = consumption::generate_primary(db, MAIN_REGION, seed).await?;
    Ok(report)
}

/// [`generate`] with a chosen number of synthetic isolates (tests use few) and without the
/// consumption data (tests that need it call [`consumption::generate`]).
pub async fn generate_with(db: &Db, seed: u64, isolates: usize) -> Result<DemoReport, DemoError> {
    let scope = cratb_domain::Scope::National;
    let existing = establishments::sector_summary(db, &scope)
        .await?
        .iter()
        .map(|s| s.total)
        .sum::<i64>()
        + users::count_by_role(db, &scope)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>();
    if existing > 0 {
        return Err(DemoError::NotEmpty);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut report = DemoReport::default();
    let mut sequence: u32 = rng.random_range(1_000..9_000);
    let mut referent_establishment: Option<i64> = None;
    // The demo prescriber works in a health centre (centre de santé) of the main region, in the
    // Rhône, where the demo EMA member's team answers their requests for advice.
    let mut prescriber_establishment: Option<i64> = None;
    let mut any_health_centre: Option<i64> = None;

    for (region, ghts, scale) in [
        (MAIN_REGION, places::ARA_GHTS, 1.0),
        (SECOND_REGION, places::BRETAGNE_GHTS, 0.45),
    ] {
        let access = scope.access(region).expect("demo region");
        let mut ght_ids: Vec<(i64, &[&str])> = Vec::new();
        for (name, deps) in ghts {
            let t = cratb_domain::NewTerritory::validate("GHT", name, deps)
                .expect("demo GHTs are valid");
            debug_assert_eq!(t.region, region);
            let mut tx = db.begin().await?;
            let id = reference::create_territory(&mut tx, &access, &t).await?;
            tx.commit().await?;
            ght_ids.push((id, deps));
            report.territories += 1;
        }
        for (dep, towns) in places::TOWNS
            .iter()
            .filter(|(d, _)| cratb_domain::geo::department(d).is_some_and(|d| d.region == region))
        {
            let ght = ght_ids
                .iter()
                .find(|(_, deps)| deps.contains(dep))
                .map(|(id, _)| *id);
            for (category, per_dep) in places::MIX {
                let n = (*per_dep * scale * rng.random_range(0.6..1.4)).round() as usize;
                let n = if *category == Category::Chu {
                    usize::from(places::CHU_TOWNS.iter().any(|(d, _)| d == dep))
                } else {
                    n
                };
                for i in 0..n {
                    let town = if *category == Category::Chu {
                        places::CHU_TOWNS
                            .iter()
                            .find(|(d, _)| d == dep)
                            .map(|(_, t)| *t)
                            .unwrap_or(towns[0])
                    } else if i == 0 && *category == Category::Ch {
                        towns[0]
                    } else {
                        towns.choose(&mut rng).copied().unwrap_or(towns[0])
                    };
                    sequence += rng.random_range(1..400);
                    let finess = Finess::from_parts(Finess::prefix_for_department(dep), sequence)
                        .expect("demo departments are valid");
                    let name = places::establishment_name(*category, town, &mut rng);
                    // A few records are left incomplete, as in any real directory: the home page lists them.
                    let beds = places::beds(*category, &mut rng).filter(|_| rng.random_bool(0.96));
                    let ght = ght.filter(|_| rng.random_bool(0.95));
                    let input = EstablishmentInput {
                        finess: Some(finess.to_string()),
                        name: Some(name),
                        category: Some(category.code().to_owned()),
                        department: Some((*dep).to_owned()),
                        ght_id: if category.sector() == cratb_domain::Sector::Es {
                            ght
                        } else {
                            None
                        },
                        beds,
                        commune: Some(town.to_owned()),
                    };
                    let e =
                        NewEstablishment::validate(&input).expect("demo establishments are valid");
                    let mut tx = db.begin().await?;
                    let id = establishments::create(&mut tx, &access, &e).await?;
                    tx.commit().await?;
                    // The demo referent works in the main region's first general hospital.
                    if region == MAIN_REGION && *category == Category::Ch {
                        referent_establishment.get_or_insert(id);
                    }
                    if region == MAIN_REGION && *category == Category::Cds {
                        any_health_centre.get_or_insert(id);
                        if *dep == "69" {
                            prescriber_establishment.get_or_insert(id);
                        }
                    }
                    report.establishments += 1;
                }
            }
        }
        let net = network::generate(db, region, &ght_ids, scale, &mut rng).await?;
        report.professionals += net.professionals;
        report.teams += net.teams;
        report.conventions += net.conventions;
    }

    let prescriber_establishment = prescriber_establishment.or(any_health_centre);
    for (local, role, region, name) in places::ACCOUNTS {
        let password = demo_password(&mut rng);
        let email = Email::parse(&format!("{local}@demo.cratb.fr")).expect("valid demo e-mail");
        let region_code = region.map(|r| RegionCode::parse(r).expect("valid demo region"));
        let mut tx = db.begin().await?;
        users::create(
            &mut tx,
            &cratb_domain::NewUser {
                email: email.clone(),
                display_name: (*name).to_owned(),
                role: *role,
                region: region_code,
                // The referent and the laboratory work in the same hospital.
                establishments: match role {
                    cratb_domain::Role::Referent | cratb_domain::Role::Lab => {
                        referent_establishment.into_iter().collect()
                    }
                    cratb_domain::Role::Prescriber => {
                        prescriber_establishment.into_iter().collect()
                    }
                    _ => Vec::new(),
                },
                // The EMA member's account is tied to the team they are a member of (by their
                // directory entry's e-mail), so that they take its advice rota.
                teams: if *role == Role::EmaMember {
                    cratb_store::network::teams_of_email(db, email.as_str()).await?
                } else {
                    Vec::new()
                },
                password: Some(password.clone()),
                must_change_password: false,
            },
        )
        .await?;
        tx.commit().await?;
        report.accounts.push(DemoAccount {
            email: email.to_string(),
            role: *role,
            region: region.map(str::to_owned),
            password,
        });
    }

    // The advice service: hours and rota of every team, a year and a half of requests.
    let started = std::time::Instant::now();
    let advice =
        advice::generate(db, MAIN_REGION, advice::requests_for(isolates), &mut rng).await?;
    report.advice_requests = advice.requests;
    tracing::debug!(
        requests = advice.requests,
        overdue = advice.overdue,
        ms = started.elapsed().as_millis() as u64,
        "demo advice requests"
    );

    // Appropriateness audits: the grids, three campaigns, the plans that followed.
    let audits = audits::generate(db, MAIN_REGION, &mut rng).await?;
    report.audit_campaigns = audits.campaigns;
    report.audit_cases = audits.cases;
    report.action_plans = audits.plans;

    if isolates > 0 {
        report.isolates = resistance::import_isolates(db, MAIN_REGION, isolates, seed).await?;
    }

    for region in [MAIN_REGION, SECOND_REGION] {
        audit::append(
            db,
            &audit::NewEntry {
                actor: "cli".into(),
                action: "demo.generate".into(),
                entity: "region".into(),
                entity_id: Some(region.into()),
                region_code: Some(region.into()),
                summary: format!("Données de démonstration générées (graine {seed})"),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(report)
}

/// A memorable demo password that passes the policy: three words and a number.
fn demo_password(rng: &mut ChaCha8Rng) -> String {
    const WORDS: &[&str] = &[
        "tilleul",
        "amoxicilline",
        "gentiane",
        "myrtille",
        "volcan",
        "glacier",
        "lavande",
        "rivière",
        "noisette",
        "sapin",
        "bruyère",
        "chamois",
    ];
    let w: Vec<&str> = WORDS.choose_multiple(rng, 3).copied().collect();
    format!("{}-{}-{}-{}", w[0], w[1], w[2], rng.random_range(10..99))
}
