//! The demo stewardship network: professionals with their roles, one EMA team per GHT hosted by
//! its main hospital, CPTS, conventions at every stage (signed, expiring, expired, draft), and
//! the regional centre's public contact. Names are drawn from common French first and last
//! names; RPPS numbers are synthetic (valid key, `8` prefix range unused by real ones is not
//! claimed: they are simply random), e-mail domains are `.demo` addresses.

use crate::DemoError;
use cratb_directory::network::{
    Centre, CentreInput, ConventionInput, Document, MemberInput, NewConvention, NewMember, NewTeam,
    TeamInput,
};
use cratb_directory::professionals::{NewProfessional, ProfessionalInput};
use cratb_domain::Establishment;
use cratb_domain::{Category, NetworkRole, Profession, RegionCode, Rpps, Scope, Sector, geo};
use cratb_store::directory;
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::network;
use cratb_store::{Db, PageRequest, reference};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, OffsetDateTime};

pub(crate) const FIRST: &[&str] = &[
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Claire",
    "Anne",
    "Sophie",
    "Marie",
    "Hélène",
    "Agathe",
    "Louise",
    "Thomas",
    "Nicolas",
    "Julien",
    "Antoine",
    "Maxime",
    "Pierre",
    "Hugo",
    "Lucas",
    "Mathieu",
    "Olivier",
    "Vincent",
    "Karim",
    "Yanis",
    "Bruno",
    "Étienne",
    "François",
    "Rémi",
];
pub(crate) const LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefort",
    "Mercier",
    "Blanc",
    "Guerin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Faure",
    "Andre",
    "Gauthier",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gaillard",
    "Brunet",
    "Barbier",
];

/// What the network demo added.
#[derive(Debug, Default, Clone)]
pub struct NetworkReport {
    pub professionals: usize,
    pub teams: usize,
    pub conventions: usize,
}

struct Person<'a> {
    profession: Profession,
    roles: &'a [NetworkRole],
    email: Option<String>,
    first_last: Option<(&'a str, &'a str)>,
    /// Where they work.
    works_at: Option<&'a Establishment>,
}

fn ascii(s: &str) -> String {
    geo::fold(s).replace(' ', "-")
}

async fn add_person(
    db: &Db,
    region: &RegionCode,
    p: Person<'_>,
    rng: &mut ChaCha8Rng,
    today: OffsetDateTime,
) -> Result<i64, DemoError> {
    let (first, last) = p.first_last.unwrap_or_else(|| {
        (
            FIRST.choose(rng).copied().unwrap_or("Camille"),
            LAST.choose(rng).copied().unwrap_or("Martin"),
        )
    });
    let rpps = Rpps::from_body(&format!("10{:08}", rng.random_range(0..100_000_000u32)))
        .filter(|_| p.profession != Profession::Other && rng.random_bool(0.85));
    let email = p.email.unwrap_or_else(|| {
        format!(
            "{}.{}{}@sante-{}.demo",
            ascii(first),
            ascii(last),
            rng.random_range(1..99),
            region.as_str()
        )
    });
    let phone = format!(
        "0{}{:08}",
        if region.as_str() == "84" { 4 } else { 2 },
        rng.random_range(10_000_000..99_999_999u32)
    );
    let consents = rng.random_bool(0.6);
    let input = ProfessionalInput {
        last_name: Some(last.to_string()),
        first_name: Some(first.to_string()),
        profession: Some(p.profession.code().into()),
        rpps: rpps.map(|r| r.to_string()),
        email: Some(email),
        phone: Some(phone),
        region: None,
        network_roles: Some(p.roles.iter().map(|r| r.code().to_string()).collect()),
        public_name: Some(consents),
        public_email: Some(consents && rng.random_bool(0.7)),
        public_phone: Some(consents && rng.random_bool(0.4)),
        establishments: p.works_at.map(|e| vec![e.finess.clone()]),
        territory_id: p.works_at.and_then(|e| e.ght_id),
    };
    let new = NewProfessional::validate(&input, Some(region)).expect("demo people are valid");
    let access = Scope::National.access(region.as_str()).expect("a region");
    let mut tx = db.begin().await?;
    let created = directory::create(&mut tx, &access, &new, "demo").await;
    let (mut tx, id) = match created {
        Ok(id) => (tx, id),
        // Two draws of the same RPPS: keep the person without the number.
        Err(cratb_store::StoreError::Conflict(_)) => {
            drop(tx);
            let mut tx = db.begin().await?;
            let new = NewProfessional { rpps: None, ..new };
            let id = directory::create(&mut tx, &access, &new, "demo").await?;
            (tx, id)
        }
        Err(e) => return Err(e.into()),
    };
    // About one entry in six has not been confirmed for more than a year.
    let months = if rng.random_bool(0.17) {
        rng.random_range(13..30)
    } else {
        rng.random_range(0..11)
    };
    directory::confirm(&mut tx, &access, id, today - Duration::days(30 * months)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Where a professional of the network works: GPs and dentists in town (none listed), lab
/// correspondents in a laboratory, EHPAD physicians in a nursing home, others at random in a
/// hospital.
fn where_<'a>(
    p: Profession,
    all: &'a [Establishment],
    rng: &mut ChaCha8Rng,
) -> Option<&'a Establishment> {
    let category = match p {
        Profession::Gp | Profession::Dentist => return None,
        Profession::Microbiologist => "LABO",
        Profession::EhpadPhysician => "EHPAD",
        _ => "CH",
    };
    let pool: Vec<&Establishment> = all.iter().filter(|e| e.category == category).collect();
    pool.choose(rng).copied()
}

/// A one-page PDF standing for a scanned convention.
fn convention_pdf(team: &str, partner: &str, signed: Date) -> Vec<u8> {
    use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};
    let mut pdf = Pdf::new();
    let (catalog, tree, page, font, content) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    pdf.page(page)
        .parent(tree)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .contents(content)
        .resources()
        .fonts()
        .pair(Name(b"F1"), font);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let mut c = Content::new();
    let lines = [
        "Convention de partenariat - equipe multidisciplinaire en antibiotherapie".to_string(),
        format!("Equipe : {}", ascii_text(team)),
        format!("Partenaire : {}", ascii_text(partner)),
        format!("Signee le {signed}"),
        "Document de demonstration genere par cratb (aucune valeur contractuelle).".to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        c.begin_text()
            .set_font(Name(b"F1"), if i == 0 { 13.0 } else { 10.0 })
            .next_line(50.0, 780.0 - 22.0 * i as f32)
            .show(Str(l.as_bytes()))
            .end_text();
    }
    pdf.stream(content, &c.finish());
    pdf.finish()
}

fn ascii_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' => 'E',
            'à' | 'â' => 'a',
            'ô' => 'o',
            'î' | 'ï' => 'i',
            'ù' | 'û' => 'u',
            'ç' => 'c',
            '\'' | '’' => ' ',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .collect()
}

/// The establishments of a region.
async fn establishments_of(db: &Db, region: &RegionCode) -> Result<Vec<Establishment>, DemoError> {
    let scope = Scope::Region(region.clone());
    let mut all = Vec::new();
    for page in 1.. {
        let p = establishments::list(
            db,
            &scope,
            &EstablishmentQuery::default(),
            PageRequest::new(Some(page), Some(500)),
        )
        .await?;
        let done = p.items.len() < 500;
        all.extend(p.items);
        if done {
            break;
        }
    }
    Ok(all)
}

/// Generates the network of one region.
pub async fn generate(
    db: &Db,
    region: &str,
    ghts: &[(i64, &[&str])],
    scale: f64,
    rng: &mut ChaCha8Rng,
) -> Result<NetworkReport, DemoError> {
    let region = RegionCode::parse(region).expect("demo region");
    let scope = Scope::Region(region.clone());
    let access = scope.access(region.as_str()).expect("demo region");
    let now = cratb_store::now();
    let today = now.date();
    let mut report = NetworkReport::default();
    let all = establishments_of(db, &region).await?;

    let mut tx = db.begin().await?;
    network::set_centre(
        &mut tx,
        &access,
        &Centre::validate(
            &region,
            &CentreInput {
                name: Some(format!("CRAtb {}", region.name())),
                phone: Some(format!(
                    "0{}{:08}",
                    if region.as_str() == "84" { 4 } else { 2 },
                    rng.random_range(10_000_000..99_999_999u32)
                )),
                email: Some(format!("contact@cratb-{}.demo", region.as_str())),
                website: Some(format!("https://cratb-{}.demo", region.as_str())),
                address: None,
            },
        )
        .expect("demo centre is valid"),
    )
    .await?;
    tx.commit().await?;

    // CRAtb staff, CPias contacts, GP ambassadors, referents, lab correspondents.
    for (profession, roles, n) in [
        (
            Profession::Infectiologist,
            &[NetworkRole::CratbStaff][..],
            2.0,
        ),
        (Profession::Pharmacist, &[NetworkRole::CratbStaff][..], 1.0),
        (Profession::Hygienist, &[NetworkRole::Cpias][..], 2.0),
        (Profession::Gp, &[NetworkRole::Ambassador][..], 40.0 * scale),
        (
            Profession::Microbiologist,
            &[NetworkRole::LabCorrespondent][..],
            8.0 * scale,
        ),
        (Profession::EhpadPhysician, &[][..], 12.0 * scale),
        (
            Profession::Dentist,
            &[NetworkRole::Ambassador][..],
            3.0 * scale,
        ),
    ] {
        for _ in 0..(n.round() as usize) {
            add_person(
                db,
                &region,
                Person {
                    profession,
                    roles,
                    email: None,
                    first_last: None,
                    works_at: where_(profession, &all, rng),
                },
                rng,
                now,
            )
            .await?;
            report.professionals += 1;
        }
    }
    for e in all.iter().filter(|e| e.sector == "ES") {
        if rng.random_bool(0.7) {
            let profession = *[
                Profession::Infectiologist,
                Profession::Pharmacist,
                Profession::Other,
            ]
            .choose(rng)
            .expect("non-empty");
            add_person(
                db,
                &region,
                Person {
                    profession,
                    roles: &[NetworkRole::Referent],
                    email: None,
                    first_last: None,
                    works_at: Some(e),
                },
                rng,
                now,
            )
            .await?;
            report.professionals += 1;
        }
    }

    // CPTS: one or two per department.
    let mut cpts: Vec<(i64, &'static str, String)> = Vec::new();
    for dep in geo::departments_of(region.as_str()) {
        let towns: Vec<&str> = all
            .iter()
            .filter(|e| e.department_code == dep.code)
            .filter_map(|e| e.commune.as_deref())
            .collect();
        let mut names: Vec<&str> = towns.clone();
        names.sort_unstable();
        names.dedup();
        for town in names.iter().take(rng.random_range(1..=2)) {
            let name = format!("CPTS du bassin {}", crate::places::of_town(town));
            let t = cratb_domain::NewTerritory::validate("CPTS", &name, &[dep.code])
                .expect("demo CPTS are valid");
            let mut tx = db.begin().await?;
            let id = reference::create_territory(&mut tx, &access, &t).await?;
            tx.commit().await?;
            cpts.push((id, dep.code, name));
        }
    }

    for (i, (ght, deps)) in ghts.iter().enumerate() {
        let host = all
            .iter()
            .filter(|e| e.ght_id == Some(*ght))
            .min_by_key(|e| match e.category.as_str() {
                "CHU" => 0,
                "CH" => 1,
                _ => 2,
            });
        let Some(host) = host else { continue };
        let ght_name = host.ght_name.clone().unwrap_or_default();
        let short = ght_name.trim_start_matches("GHT ").to_string();
        let town = host.commune.clone().unwrap_or_default();
        let input = TeamInput {
            name: Some(format!("EMA {short}")),
            ght_id: Some(*ght),
            host_establishment_id: Some(host.id),
            sectors: Some(if i % 3 == 0 {
                vec!["ES".into(), "EMS".into(), "VILLE".into()]
            } else {
                vec!["ES".into(), "EMS".into()]
            }),
            departments: Some(deps.iter().map(|d| d.to_string()).collect()),
            phone: Some(format!(
                "0{}{:08}",
                if region.as_str() == "84" { 4 } else { 2 },
                rng.random_range(10_000_000..99_999_999u32)
            )),
            hours: Some("du lundi au vendredi, 9 h – 17 h".into()),
            email: Some(format!("ema.{}@ght-{}.demo", ascii(&town), region.as_str())),
            teleexpertise: Some(format!(
                "ema.{}@ght-{}.mssante.demo",
                ascii(&town),
                region.as_str()
            )),
            region: None,
        };
        let team = NewTeam::validate(&input, Some(&region)).expect("demo teams are valid");
        let mut tx = db.begin().await?;
        let team_id = network::create_team(&mut tx, &access, &team).await?;
        tx.commit().await?;
        report.teams += 1;

        // Members: the four disciplines, except a few teams still recruiting their microbiologist.
        let mut disciplines = vec![
            (Profession::Infectiologist, 0.8),
            (Profession::Pharmacist, 0.5),
            (Profession::Microbiologist, 0.3),
            (Profession::Nurse, 1.0),
        ];
        if i % 5 == 3 {
            disciplines.retain(|(d, _)| *d != Profession::Microbiologist);
        }
        if rng.random_bool(0.5) {
            disciplines.push((Profession::Infectiologist, 0.4));
        }
        for (n, (discipline, fte)) in disciplines.into_iter().enumerate() {
            // The demo EMA account is the infectiologist of the Lyon team.
            let me = region.as_str() == "84" && deps.contains(&"69") && n == 0 && i == 8;
            let id = add_person(
                db,
                &region,
                Person {
                    profession: discipline,
                    roles: &[NetworkRole::EmaMember],
                    email: me.then(|| "ema@demo.cratb.fr".to_string()),
                    first_last: me.then_some(("Julien", "Perrin")),
                    works_at: Some(host),
                },
                rng,
                now,
            )
            .await?;
            report.professionals += 1;
            let m = NewMember::validate(&MemberInput {
                professional_id: Some(id),
                discipline: Some(discipline.code().into()),
                fte: Some(fte.to_string()),
            })
            .expect("demo members are valid");
            let mut tx = db.begin().await?;
            network::set_member(&mut tx, &access, team_id, &m).await?;
            tx.commit().await?;
        }

        // Conventions with the establishments and CPTS of the team's departments.
        let partners = all.iter().filter(|e| {
            e.id != host.id
                && deps.contains(&e.department_code.as_str())
                && Sector::parse(&e.sector) != Some(Sector::Ville)
                && e.category != Category::Chu.code()
        });
        let partners: Vec<(Option<i64>, Option<i64>, String)> = partners
            .map(|e| (Some(e.id), None, e.name.clone()))
            .chain(
                cpts.iter()
                    .filter(|(_, d, _)| deps.contains(d))
                    .map(|(id, _, name)| (None, Some(*id), name.clone())),
            )
            .collect();
        for (establishment_id, cpts_id, partner) in partners {
            let draw = rng.random_range(0..100);
            let (status, age_days) = match draw {
                0..=54 => ("signed", rng.random_range(30..1000)),
                55..=62 => ("signed", rng.random_range(1000..1150)), // expiring soon or expired
                63..=72 => ("draft", 0),
                73..=76 => ("terminated", rng.random_range(400..900)),
                _ => continue,
            };
            let signed_on = (status != "draft").then(|| today - Duration::days(age_days));
            let input = ConventionInput {
                team_id: Some(team_id),
                establishment_id,
                cpts_id,
                services: Some(
                    ["advice", "audits", "training"]
                        .iter()
                        .filter(|_| rng.random_bool(0.7))
                        .map(|s| s.to_string())
                        .chain(std::iter::once("advice".to_string()))
                        .collect(),
                ),
                status: Some(status.into()),
                signed_on: signed_on.map(|d| d.to_string()),
                expires_on: signed_on.map(|d| (d + Duration::days(3 * 365)).to_string()),
                notes: None,
            };
            let c = NewConvention::validate(&input).expect("demo conventions are valid");
            let doc = signed_on.filter(|_| rng.random_bool(0.75)).map(|d| {
                Document::check(
                    &format!("convention-{}.pdf", ascii(&partner)),
                    convention_pdf(&team.name, &partner, d),
                )
                .expect("the demo PDF is a PDF")
            });
            let mut tx = db.begin().await?;
            network::create_convention(&mut tx, &access, &c, doc.as_ref(), "demo").await?;
            tx.commit().await?;
            report.conventions += 1;
        }
    }
    Ok(report)
}
