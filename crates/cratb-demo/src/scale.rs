//! A national-scale network for benchmarks: thousands of establishments in every department,
//! one EMA per department with its members, conventions for most of its establishments, and
//! tens of thousands of professionals, all synthetic and written through the product's own
//! store functions (the professionals through the directory import).

use crate::DemoError;
use cratb_directory::network::{
    ConventionInput, MemberInput, NewConvention, NewMember, NewTeam, TeamInput,
};
use cratb_domain::{Category, Finess, RegionCode, Scope, geo};
use cratb_domain::{EstablishmentInput, NewEstablishment};
use cratb_store::directory::import;
use cratb_store::establishments;
use cratb_store::network;
use cratb_store::tabular::Table;
use cratb_store::{Db, reference};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What was generated.
#[derive(Debug, Default, Clone)]
pub struct ScaleReport {
    pub establishments: usize,
    pub professionals: usize,
    pub teams: usize,
    pub conventions: usize,
}

const CATEGORIES: &[(Category, u32)] = &[
    (Category::Ch, 8),
    (Category::Clinique, 6),
    (Category::Ssr, 6),
    (Category::Psy, 2),
    (Category::Had, 1),
    (Category::Ehpad, 40),
    (Category::Mas, 6),
    (Category::AutreEms, 6),
    (Category::Labo, 8),
    (Category::Pharmacie, 12),
    (Category::Cds, 5),
];

/// A directory sheet of `rows` synthetic professionals, as a centre would upload it.
pub fn directory_sheet(rows: usize, seed: u64, finess: &[String]) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let header = [
        "Nom",
        "Prénom",
        "Profession",
        "E-mail",
        "Téléphone",
        "Rôles",
        "FINESS",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let professions = [
        "Pharmacien",
        "Infirmier",
        "Médecin généraliste",
        "Infectiologue",
        "Microbiologiste",
        "Hygiéniste",
    ];
    let roles = [
        "",
        "",
        "referent",
        "ambassador",
        "ema_member",
        "lab_correspondent",
    ];
    let rows = (0..rows)
        .map(|i| {
            let last = crate::network::LAST
                .choose(&mut rng)
                .copied()
                .unwrap_or("Martin");
            let first = crate::network::FIRST
                .choose(&mut rng)
                .copied()
                .unwrap_or("Claire");
            vec![
                last.to_string(),
                first.to_string(),
                professions
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("Pharmacien")
                    .to_string(),
                format!("p{seed}-{i}@sante.demo"),
                format!(
                    "0{}{:08}",
                    rng.random_range(1..6),
                    rng.random_range(10_000_000..99_999_999u32)
                ),
                roles.choose(&mut rng).copied().unwrap_or("").to_string(),
                finess
                    .choose(&mut rng)
                    .cloned()
                    .filter(|_| rng.random_bool(0.5))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Table { header, rows }
}

/// Fills an empty, migrated database with `establishments` establishments spread over every
/// department and `professionals` professionals spread over the regions.
pub async fn generate(
    db: &Db,
    establishments: usize,
    professionals: usize,
    seed: u64,
) -> Result<ScaleReport, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let national = Scope::National;
    let mut report = ScaleReport::default();
    let deps = geo::DEPARTMENTS;
    let per_dep = establishments.div_ceil(deps.len());
    let total_weight: u32 = CATEGORIES.iter().map(|(_, w)| w).sum();
    let mut sequence = 1000u32;
    let mut by_region: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for dep in deps {
        let access = national
            .access(dep.region)
            .expect("a region of the country");
        let mut tx = db.begin().await?;
        let ght = reference::create_territory(
            &mut tx,
            &access,
            &cratb_domain::NewTerritory::validate("GHT", &format!("GHT {}", dep.name), &[dep.code])
                .expect("valid GHT"),
        )
        .await?;
        let cpts = reference::create_territory(
            &mut tx,
            &access,
            &cratb_domain::NewTerritory::validate(
                "CPTS",
                &format!("CPTS {}", dep.name),
                &[dep.code],
            )
            .expect("valid CPTS"),
        )
        .await?;
        tx.commit().await?;
        let mut ids = Vec::new();
        for i in 0..per_dep {
            if report.establishments >= establishments {
                break;
            }
            let category = if i == 0 {
                Category::Chu
            } else {
                let mut pick = rng.random_range(0..total_weight);
                CATEGORIES
                    .iter()
                    .find(|(_, w)| {
                        if pick < *w {
                            true
                        } else {
                            pick -= w;
                            false
                        }
                    })
                    .map_or(Category::Ehpad, |(c, _)| *c)
            };
            sequence += 1;
            let finess = Finess::from_parts(Finess::prefix_for_department(dep.code), sequence)
                .expect("valid FINESS");
            let input = EstablishmentInput {
                finess: Some(finess.to_string()),
                name: Some(format!("{} {} n° {i}", category.label_fr(), dep.name)),
                category: Some(category.code().into()),
                department: Some(dep.code.into()),
                ght_id: (category.sector() == cratb_domain::Sector::Es).then_some(ght),
                beds: Some(rng.random_range(20..400)),
                commune: Some(format!("Commune {} {}", dep.code, i % 40)),
            };
            let e = NewEstablishment::validate(&input).expect("valid establishment");
            let mut tx = db.begin().await?;
            let id = establishments::create(&mut tx, &access, &e).await?;
            tx.commit().await?;
            by_region
                .entry(dep.region)
                .or_default()
                .push(finess.to_string());
            ids.push((id, category));
            report.establishments += 1;
        }
        let Some(&(host, _)) = ids.first() else {
            continue;
        };
        let region = RegionCode::parse(dep.region).expect("valid region");
        let access = Scope::Region(region.clone())
            .access(region.as_str())
            .expect("its own region");
        let team = NewTeam::validate(
            &TeamInput {
                name: Some(format!("EMA {}", dep.name)),
                ght_id: Some(ght),
                host_establishment_id: Some(host),
                sectors: Some(vec!["ES".into(), "EMS".into(), "VILLE".into()]),
                departments: Some(vec![dep.code.into()]),
                phone: Some("04 72 00 00 00".into()),
                hours: Some("9 h – 17 h".into()),
                email: Some(format!("ema-{}@sante.demo", dep.code)),
                teleexpertise: None,
                region: None,
            },
            Some(&region),
        )
        .expect("valid team");
        let mut tx = db.begin().await?;
        let team_id = network::create_team(&mut tx, &access, &team).await?;
        tx.commit().await?;
        report.teams += 1;
        for (id, category) in ids.iter().skip(1) {
            if category.sector() == cratb_domain::Sector::Ville || !rng.random_bool(0.6) {
                continue;
            }
            let signed =
                cratb_store::now().date() - time::Duration::days(rng.random_range(10..1000));
            let c = NewConvention::validate(&ConventionInput {
                team_id: Some(team_id),
                establishment_id: Some(*id),
                cpts_id: None,
                services: Some(vec!["advice".into()]),
                status: Some("signed".into()),
                signed_on: Some(signed.to_string()),
                expires_on: Some((signed + time::Duration::days(1095)).to_string()),
                notes: None,
            })
            .expect("valid convention");
            let mut tx = db.begin().await?;
            network::create_convention(&mut tx, &access, &c, None, "bench").await?;
            tx.commit().await?;
            report.conventions += 1;
        }
        if rng.random_bool(0.5) {
            let c = NewConvention::validate(&ConventionInput {
                team_id: Some(team_id),
                establishment_id: None,
                cpts_id: Some(cpts),
                services: Some(vec!["training".into()]),
                status: Some("signed".into()),
                signed_on: Some("2025-01-15".into()),
                expires_on: None,
                notes: None,
            })
            .expect("valid convention");
            let mut tx = db.begin().await?;
            network::create_convention(&mut tx, &access, &c, None, "bench").await?;
            tx.commit().await?;
            report.conventions += 1;
        }
    }
    // Professionals, through the directory import, region by region in proportion to their
    // establishments.
    let total: usize = by_region.values().map(Vec::len).sum();
    for (i, (region, finess)) in by_region.iter().enumerate() {
        let n = professionals * finess.len() / total.max(1);
        let region = RegionCode::parse(region).expect("valid region");
        let table = directory_sheet(n, seed + i as u64, finess);
        let access = Scope::National.access(region.as_str()).expect("a region");
        let mapping = cratb_directory::import::guess(&table.header);
        let plan = import::plan(db, &access, &table, &mapping).await?;
        let r = match import::commit(
            db,
            &access,
            &plan,
            cratb_directory::import::Mode::ValidOnly,
            "bench",
            "bench.csv",
            None,
        )
        .await
        {
            Ok(r) => r,
            Err(import::CommitError::Store(e)) => return Err(e.into()),
            Err(import::CommitError::Invalid(_)) => {
                unreachable!("a valid-only commit never refuses")
            }
        };
        report.professionals += r.created;
        // Members of the region's teams.
        let scope = Scope::Region(region.clone());
        let access = scope.access(region.as_str()).expect("its own region");
        let teams = network::list_teams(db, &scope).await?;
        let people = cratb_store::directory::in_region(db, &access).await?;
        for (t, chunk) in teams.iter().zip(people.chunks(4)) {
            for (p, d) in
                chunk
                    .iter()
                    .zip(["infectiologist", "pharmacist", "microbiologist", "nurse"])
            {
                let m = NewMember::validate(&MemberInput {
                    professional_id: Some(p.id),
                    discipline: Some(d.into()),
                    fte: Some("0.5".into()),
                })
                .expect("valid member");
                let mut tx = db.begin().await?;
                network::set_member(&mut tx, &access, t.team.id, &m).await?;
                tx.commit().await?;
            }
        }
    }
    Ok(report)
}
