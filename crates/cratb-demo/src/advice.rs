//! The demo advice service: every team of the region gets advice hours, a 4-hour target and a
//! weekly rota of the accounts tied to it; then a year and a half of synthetic, pseudonymised
//! requests (no name, no date of birth: an age, a sex and clinical facts from templates), with
//! the weekday and hour patterns of a real service, routed by the real routing, answered after
//! log-normal working times (some late, a few never), coded recommendations consistent with
//! the question, and day-7 follow-ups. A few requests wait in the demo EMA member's queue, one
//! of them past its due time.

use crate::DemoError;
use cratb_advice::answer::{NewAnswer, Recommended};
use cratb_advice::calendar::Hours;
use cratb_advice::request::{Antibiotic, NewRequest};
use cratb_advice::rota::{DutySlot, HalfDay};
use cratb_advice::{
    Adherence, Channel, EventKind, InfectionSite, Outcome, QuestionType, Recommendation, Route,
    Sex, Status, Urgency, routing,
};
use cratb_domain::{Profession, Scope, Sector, WardType, geo, paris};
use cratb_store::Db;
use cratb_store::advice::{self as store, Asker, NewEvent, Placement, TeamDesk};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime, Time};

/// How many requests a demo of `isolates` synthetic isolates gets: about 2,000 for the full
/// demo, 200 for the small one of the tests.
pub fn requests_for(isolates: usize) -> usize {
    (isolates / 30).clamp(200, 2_000)
}

/// What the advice demo added.
#[derive(Debug, Clone, Default)]
pub struct AdviceReport {
    pub requests: usize,
    /// Past their due time and still unanswered.
    pub overdue: usize,
}

/// Picks one of `items` by its weight.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0.0..total);
    for (v, w) in items {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

const SECTORS: &[(Sector, f64)] = &[
    (Sector::Ville, 55.0),
    (Sector::Ems, 20.0),
    (Sector::Es, 25.0),
];

fn profession(rng: &mut ChaCha8Rng, sector: Sector) -> Profession {
    match sector {
        Sector::Ville => weighted(
            rng,
            &[
                (Profession::Gp, 70.0),
                (Profession::Pharmacist, 11.0),
                (Profession::Nurse, 7.0),
                (Profession::Midwife, 6.0),
                (Profession::Dentist, 6.0),
            ],
        ),
        Sector::Ems => weighted(
            rng,
            &[
                (Profession::EhpadPhysician, 78.0),
                (Profession::Nurse, 14.0),
                (Profession::Gp, 8.0),
            ],
        ),
        Sector::Es => weighted(
            rng,
            &[
                (Profession::HospitalPhysician, 76.0),
                (Profession::Pharmacist, 14.0),
                (Profession::Midwife, 5.0),
                (Profession::Nurse, 5.0),
            ],
        ),
    }
}

const SITES: &[(InfectionSite, f64)] = &[
    (InfectionSite::Urinary, 30.0),
    (InfectionSite::RespiratoryLower, 14.0),
    (InfectionSite::RespiratoryUpper, 6.0),
    (InfectionSite::SkinSoftTissue, 10.0),
    (InfectionSite::BoneJoint, 6.0),
    (InfectionSite::IntraAbdominal, 6.0),
    (InfectionSite::Bloodstream, 6.0),
    (InfectionSite::Endocarditis, 2.0),
    (InfectionSite::Cns, 1.0),
    (InfectionSite::Ent, 5.0),
    (InfectionSite::Genital, 3.0),
    (InfectionSite::Device, 3.0),
    (InfectionSite::FebrileNeutropenia, 2.0),
    (InfectionSite::Other, 6.0),
];

const QUESTIONS: &[(QuestionType, f64)] = &[
    (QuestionType::Choice, 34.0),
    (QuestionType::Duration, 18.0),
    (QuestionType::AntibiogramReading, 10.0),
    (QuestionType::DeEscalation, 8.0),
    (QuestionType::IvToOral, 7.0),
    (QuestionType::Allergy, 6.0),
    (QuestionType::Dosing, 6.0),
    (QuestionType::Prophylaxis, 4.0),
    (QuestionType::Stop, 5.0),
    (QuestionType::Other, 2.0),
];

/// A site's case: what is described, the microbiology, the usual antibiotic (ATC, dose,
/// route) and the advice for a choice.
struct SiteText {
    case: &'static [&'static str],
    microbiology: &'static [&'static str],
    given: (&'static str, &'static str, Route),
    advice: &'static str,
    advised: (&'static str, &'static str, Route, u16),
}

fn site_text(site: InfectionSite) -> SiteText {
    use InfectionSite as S;
    match site {
        S::Urinary => SiteText {
            case: &[
                "Cystite simple récidivante, 3e épisode dans l'année.",
                "Cystite à risque de complication, pas de fièvre, pas de douleur lombaire.",
                "Pyélonéphrite aiguë sans signe de gravité, fièvre à 38,9 °C.",
                "Infection urinaire masculine fébrile, pas de rétention.",
                "Bactériurie asymptomatique découverte sur un ECBU systématique.",
            ],
            microbiology: &[
                "ECBU : E. coli BLSE sensible à la fosfomycine, à la nitrofurantoïne et à la témocilline.",
                "ECBU : E. coli multisensible, leucocyturie 10^5/mL.",
                "ECBU : Klebsiella pneumoniae résistante à l'amoxicilline-acide clavulanique, sensible au cotrimoxazole.",
                "ECBU : Proteus mirabilis sensible à l'amoxicilline.",
            ],
            given: ("J01DD13", "200 mg x 2/j", Route::Oral),
            advice: "Fosfomycine-trométamol 3 g dose unique, à renouveler à J3 si facteur de risque ; pas de contrôle d'ECBU si évolution favorable. Éviter les fluoroquinolones en première intention.",
            advised: ("J01XX01", "3 g dose unique", Route::Oral, 1),
        },
        S::RespiratoryLower => SiteText {
            case: &[
                "Pneumonie aiguë communautaire, fièvre à 39 °C, crépitants base droite, pas de signe de gravité.",
                "Exacerbation de BPCO avec expectoration purulente.",
                "Pneumopathie d'inhalation suspectée après fausse route.",
            ],
            microbiology: &[
                "Antigénurie pneumocoque positive, légionelle négative.",
                "ECBC : Haemophilus influenzae producteur de bêta-lactamase.",
                "Pas de prélèvement microbiologique.",
            ],
            given: ("J01CA04", "1 g x 3/j", Route::Oral),
            advice: "Amoxicilline 1 g x 3/j per os ; réévaluation à 48–72 h ; durée totale 5 jours si évolution favorable.",
            advised: ("J01CA04", "1 g x 3/j", Route::Oral, 5),
        },
        S::RespiratoryUpper => SiteText {
            case: &[
                "Angine érythémato-pultacée, TDR streptocoque positif.",
                "Sinusite maxillaire aiguë purulente unilatérale depuis 10 jours.",
            ],
            microbiology: &["TDR streptocoque A positif.", "Pas de prélèvement."],
            given: ("J01CA04", "1 g x 2/j", Route::Oral),
            advice: "Amoxicilline 1 g x 2/j pendant 6 jours ; en cas d'allergie vraie, une céphalosporine de 2e ou 3e génération orale selon le type d'allergie.",
            advised: ("J01CA04", "1 g x 2/j", Route::Oral, 6),
        },
        S::SkinSoftTissue => SiteText {
            case: &[
                "Dermohypodermite bactérienne non nécrosante de jambe, porte d'entrée intertrigo.",
                "Morsure de chien à la main datant de 12 h.",
                "Abcès cutané drainé, cellulite périphérique.",
            ],
            microbiology: &[
                "Pas de prélèvement.",
                "Pus : Staphylococcus aureus sensible à la méticilline.",
            ],
            given: ("J01CR02", "1 g x 3/j", Route::Oral),
            advice: "Amoxicilline 50 mg/kg/j en 3 prises pendant 7 jours ; traiter la porte d'entrée ; pas d'association à la clindamycine.",
            advised: ("J01CA04", "1 g x 3/j", Route::Oral, 7),
        },
        S::BoneJoint => SiteText {
            case: &[
                "Ostéite du pied diabétique, mal perforant plantaire en regard du 1er métatarsien.",
                "Arthrite septique du genou opérée (lavage).",
            ],
            microbiology: &[
                "Biopsie osseuse : Staphylococcus aureus sensible à la méticilline.",
                "Liquide articulaire : Streptococcus agalactiae.",
            ],
            given: ("J01DB04", "2 g x 3/j", Route::Iv),
            advice: "Relais par lévofloxacine 750 mg/j et rifampicine 10 mg/kg/j per os, durée totale 6 semaines ; surveillance hépatique.",
            advised: ("J01MA12", "750 mg x 1/j", Route::Oral, 42),
        },
        S::IntraAbdominal => SiteText {
            case: &[
                "Cholécystite aiguë opérée, évolution favorable à J3.",
                "Diverticulite sigmoïdienne non compliquée.",
                "Péritonite appendiculaire opérée.",
            ],
            microbiology: &[
                "Hémocultures négatives.",
                "Liquide péritonéal : E. coli et Bacteroides fragilis.",
            ],
            given: ("J01CR02", "1 g x 3/j", Route::Iv),
            advice: "Amoxicilline-acide clavulanique per os pour une durée totale de 4 jours après le contrôle de la source.",
            advised: ("J01CR02", "1 g x 3/j", Route::Oral, 4),
        },
        S::Bloodstream => SiteText {
            case: &[
                "Bactériémie sur cathéter central, cathéter retiré.",
                "Bactériémie d'origine urinaire, apyrexie à J2.",
            ],
            microbiology: &[
                "Hémocultures : Staphylococcus aureus sensible à la méticilline (2 flacons sur 2).",
                "Hémocultures : E. coli sensible au cotrimoxazole et aux fluoroquinolones.",
            ],
            given: ("J01DD04", "2 g x 1/j", Route::Iv),
            advice: "Céfazoline 2 g x 3/j IV ; hémocultures de contrôle à 48–72 h ; échographie cardiaque ; durée 14 jours à partir de la première hémoculture négative.",
            advised: ("J01DB04", "2 g x 3/j", Route::Iv, 14),
        },
        S::Endocarditis => SiteText {
            case: &[
                "Suspicion d'endocardite sur valve native, souffle mitral nouveau.",
                "Endocardite sur prothèse aortique, fièvre persistante.",
            ],
            microbiology: &[
                "Hémocultures : Streptococcus gallolyticus, CMI amoxicilline 0,125 mg/L.",
                "Hémocultures : Enterococcus faecalis.",
            ],
            given: ("J01CA04", "2 g x 6/j", Route::Iv),
            advice: "Avis de l'équipe d'endocardite de référence ; amoxicilline 200 mg/kg/j IV, durée à discuter en réunion pluridisciplinaire.",
            advised: ("J01CA04", "2 g x 6/j", Route::Iv, 28),
        },
        S::Cns => SiteText {
            case: &["Méningite bactérienne suspectée, LCR trouble."],
            microbiology: &["LCR : diplocoques à Gram positif à l'examen direct."],
            given: ("J01DD04", "4 g x 2/j", Route::Iv),
            advice: "Céfotaxime 300 mg/kg/j IV en 4 perfusions ; dexaméthasone avant ou avec la première dose ; adresser en réanimation.",
            advised: ("J01DD01", "3 g x 4/j", Route::Iv, 10),
        },
        S::Ent => SiteText {
            case: &[
                "Otite moyenne aiguë purulente de l'enfant de plus de 2 ans.",
                "Otite externe diffuse.",
            ],
            microbiology: &["Pas de prélèvement."],
            given: ("J01CA04", "80 mg/kg/j", Route::Oral),
            advice: "Amoxicilline 80–90 mg/kg/j en 2 prises pendant 5 jours ; traitement local seul pour une otite externe.",
            advised: ("J01CA04", "80 mg/kg/j en 2 prises", Route::Oral, 5),
        },
        S::Genital => SiteText {
            case: &[
                "Urétrite masculine, écoulement purulent.",
                "Infection génitale haute non compliquée.",
            ],
            microbiology: &["PCR Neisseria gonorrhoeae positive, Chlamydia négative."],
            given: ("J01DD04", "1 g dose unique", Route::Im),
            advice: "Ceftriaxone 1 g IM dose unique ; dépistage des autres IST et traitement du partenaire.",
            advised: ("J01DD04", "1 g dose unique", Route::Im, 1),
        },
        S::Device => SiteText {
            case: &[
                "Infection de prothèse de hanche précoce (3 semaines après la pose).",
                "Infection de chambre implantable.",
            ],
            microbiology: &["Ponction : Staphylococcus epidermidis résistant à la méticilline."],
            given: ("J01XA01", "15 mg/kg x 2/j", Route::Iv),
            advice: "Reprise chirurgicale (lavage, changement des pièces mobiles) puis daptomycine et rifampicine ; durée 12 semaines ; avis du centre de référence des infections ostéo-articulaires complexes.",
            advised: ("J01XX09", "10 mg/kg x 1/j", Route::Iv, 84),
        },
        S::FebrileNeutropenia => SiteText {
            case: &["Neutropénie fébrile post-chimiothérapie, PNN 0,3 G/L, hémodynamique stable."],
            microbiology: &["Hémocultures en cours."],
            given: ("J01CR05", "4 g x 4/j", Route::Iv),
            advice: "Pipéracilline-tazobactam 4 g x 4/j IV ; réévaluation à 48–72 h selon les hémocultures ; arrêt possible à l'apyrexie si pas de documentation.",
            advised: ("J01CR05", "4 g x 4/j", Route::Iv, 5),
        },
        S::Other => SiteText {
            case: &[
                "Fièvre au retour d'un voyage en zone tropicale, paludisme écarté.",
                "Maladie de Lyme : érythème migrant typique.",
            ],
            microbiology: &["Pas de prélèvement."],
            given: ("J01AA02", "100 mg x 2/j", Route::Oral),
            advice: "Doxycycline 100 mg x 2/j pendant 14 jours pour un érythème migrant ; pas de sérologie nécessaire.",
            advised: ("J01AA02", "100 mg x 2/j", Route::Oral, 14),
        },
    }
}

/// The question asked, after the case.
fn question_line(q: QuestionType) -> &'static str {
    match q {
        QuestionType::Choice => "Quel antibiotique proposer en première intention ?",
        QuestionType::Duration => "Quelle durée de traitement ?",
        QuestionType::DeEscalation => "Peut-on désescalader au vu de l'antibiogramme ?",
        QuestionType::IvToOral => "Un relais per os est-il possible, avec quelle molécule ?",
        QuestionType::Prophylaxis => "Faut-il une antibioprophylaxie, et laquelle ?",
        QuestionType::AntibiogramReading => {
            "Pouvez-vous nous aider à lire l'antibiogramme et adapter le traitement ?"
        }
        QuestionType::Allergy => {
            "Allergie déclarée à la pénicilline (urticaire ancienne) : quelle alternative ?"
        }
        QuestionType::Dosing => "Quelle posologie compte tenu de la fonction rénale ?",
        QuestionType::Stop => "Peut-on arrêter l'antibiothérapie ?",
        QuestionType::Other => "Quelle conduite à tenir ?",
    }
}

/// The recommendations an answer to `q` gives, and the text that goes with them.
fn answer_of(
    rng: &mut ChaCha8Rng,
    q: QuestionType,
    t: &SiteText,
) -> (Vec<Recommendation>, String, bool) {
    use Recommendation as R;
    // (recommendations, text, whether the advised antibiotic is listed)
    let (recs, text, listed): (Vec<R>, String, bool) = match q {
        QuestionType::Choice => {
            if rng.random_bool(0.12) {
                (
                    vec![R::Stop],
                    "Pas d'indication à une antibiothérapie : surveillance clinique, réévaluation si aggravation.".into(),
                    false,
                )
            } else {
                (vec![R::Start], t.advice.into(), true)
            }
        }
        QuestionType::Duration => {
            if rng.random_bool(0.7) {
                (
                    vec![R::Shorten],
                    format!("Durée plus courte suffisante. {}", t.advice),
                    true,
                )
            } else {
                (
                    vec![R::NoChange],
                    "La durée prévue est adaptée ; pas de modification.".into(),
                    false,
                )
            }
        }
        QuestionType::DeEscalation => (
            vec![R::DeEscalate],
            format!("Désescalade possible au vu de l'antibiogramme. {}", t.advice),
            true,
        ),
        QuestionType::IvToOral => (
            vec![R::IvToOral],
            "Relais per os possible dès l'apyrexie et la reprise de l'alimentation, avec une molécule à bonne biodisponibilité.".into(),
            true,
        ),
        QuestionType::Prophylaxis => {
            if rng.random_bool(0.5) {
                (
                    vec![R::NoChange],
                    "Pas d'indication à une antibioprophylaxie dans cette situation.".into(),
                    false,
                )
            } else {
                (
                    vec![R::Start],
                    "Antibioprophylaxie par céfazoline 2 g IV en dose unique avant le geste."
                        .into(),
                    false,
                )
            }
        }
        QuestionType::AntibiogramReading => {
            let r = *[R::Switch, R::DeEscalate, R::NoChange]
                .choose(rng)
                .expect("non-empty");
            (
                vec![r],
                format!(
                    "Lecture de l'antibiogramme : le traitement en cours {}. {}",
                    if r == R::NoChange {
                        "est actif, à poursuivre"
                    } else {
                        "peut être remplacé par une molécule de spectre plus étroit"
                    },
                    t.advice
                ),
                r != R::NoChange,
            )
        }
        QuestionType::Allergy => (
            vec![R::Switch],
            format!(
                "Allergie non grave et ancienne : une céphalosporine est possible sans test préalable. {}",
                t.advice
            ),
            true,
        ),
        QuestionType::Dosing => (
            vec![R::Other],
            "Adapter la posologie au DFG estimé : espacer les prises, dosage du taux résiduel si aminoside ou glycopeptide.".into(),
            false,
        ),
        QuestionType::Stop => (
            vec![R::Stop],
            "Arrêt possible : durée déjà suffisante, évolution favorable.".into(),
            false,
        ),
        QuestionType::Other => {
            if rng.random_bool(0.5) {
                (
                    vec![R::Refer],
                    "Consultation spécialisée recommandée ; nous transmettons le dossier.".into(),
                    false,
                )
            } else {
                (vec![R::Other], t.advice.into(), false)
            }
        }
    };
    (recs, text, listed)
}

/// A pseudonymised request: no name, an age, a sex and the facts of the case.
#[allow(clippy::too_many_arguments)]
fn case(
    rng: &mut ChaCha8Rng,
    sector: Sector,
    department: &'static str,
    site: InfectionSite,
    q: QuestionType,
    asked: OffsetDateTime,
    channel: Channel,
    urgency: Urgency,
) -> NewRequest {
    let t = site_text(site);
    let female = match site {
        InfectionSite::Urinary => rng.random_bool(0.75),
        _ => rng.random_bool(0.5),
    };
    let age: u8 = match (sector, site) {
        (_, InfectionSite::Ent) => rng.random_range(3..60),
        (Sector::Ems, _) => rng.random_range(72..99),
        (Sector::Es, _) => rng.random_range(25..95),
        _ => rng.random_range(18..92),
    };
    let pregnant = female
        && (18..=42).contains(&age)
        && matches!(site, InfectionSite::Urinary | InfectionSite::Genital)
        && rng.random_bool(0.15);
    let egfr = (age >= 70 || rng.random_bool(0.2)).then(|| f64::from(rng.random_range(25..95)));
    let allergy = q == QuestionType::Allergy || rng.random_bool(0.06);
    let started = paris::today(asked) - Duration::days(rng.random_range(1..6));
    let antibiotics = if q == QuestionType::Choice || q == QuestionType::Prophylaxis {
        Vec::new()
    } else {
        vec![Antibiotic {
            atc: t.given.0.into(),
            dose: t.given.1.into(),
            route: t.given.2,
            started_on: Some(started),
        }]
    };
    let who = format!(
        "{} {} ans{}.",
        if female { "Femme de" } else { "Homme de" },
        age,
        match (sector, female) {
            (Sector::Ems, true) => ", résidente d'EHPAD",
            (Sector::Ems, false) => ", résident d'EHPAD",
            (Sector::Es, true) => ", hospitalisée",
            (Sector::Es, false) => ", hospitalisé",
            (Sector::Ville, _) => "",
        }
    );
    let mut question = format!(
        "{who} {} {}",
        t.case.choose(rng).copied().unwrap_or(""),
        question_line(q)
    );
    if pregnant {
        question.push_str(" Grossesse en cours (2e trimestre).");
    }
    NewRequest {
        sector,
        establishment: None,
        department,
        ward_type: (sector == Sector::Es).then(|| {
            *[
                WardType::Medicine,
                WardType::Surgery,
                WardType::Geriatrics,
                WardType::Emergency,
                WardType::Icu,
                WardType::Ssr,
            ]
            .choose(rng)
            .expect("non-empty")
        }),
        age,
        sex: if female { Sex::Female } else { Sex::Male },
        weight_kg: rng
            .random_bool(0.4)
            .then(|| f64::from(rng.random_range(48..105))),
        pregnant,
        egfr,
        allergies: allergy.then(|| "Pénicilline : urticaire il y a plus de 10 ans".to_string()),
        beta_lactam_allergy: allergy,
        immunosuppressed: site == InfectionSite::FebrileNeutropenia || rng.random_bool(0.06),
        site,
        question_type: q,
        antibiotics,
        microbiology: t.microbiology.choose(rng).map(|m| m.to_string()),
        question,
        urgency,
        channel,
        caller: None,
    }
}

/// Hours of the demo teams: most the default ones, some earlier or later, one with a Saturday
/// morning.
fn hours_of(i: usize) -> Hours {
    let t = |h: u8, m: u8| Time::from_hms(h, m, 0).expect("valid time");
    match i % 4 {
        1 => Hours::weekdays(t(8, 30), t(17, 30)),
        3 if i % 8 == 3 => {
            let mut days = [Some((t(9, 0), t(18, 0))); 7];
            days[5] = Some((t(9, 0), t(12, 0)));
            days[6] = None;
            Hours::new(days).expect("valid hours")
        }
        _ => Hours::default(),
    }
}

/// Sets up every team of `region` for advice (hours, target, the rota of the accounts tied to
/// it, such as the demo EMA member's) and files about `requests` requests, plus three in the
/// queue of the team that answers a GP of the Rhône (the demo prescriber's).
pub async fn generate(
    db: &Db,
    region: &str,
    requests: usize,
    rng: &mut ChaCha8Rng,
) -> Result<AdviceReport, DemoError> {
    let access = Scope::National.access(region).expect("demo region");
    let now = cratb_store::now();
    let today = paris::today(now);
    let teams = store::team_names(db, &access).await?;
    let mut members = HashMap::new();
    for (id, _) in &teams {
        members.insert(*id, store::rota_members(db, *id).await?);
    }

    let mut tx = db.begin().await?;
    // Hours, a 4-hour target, the rota of the accounts tied to each team (the members share
    // the half-days of the week in turn).
    for (i, (id, _)) in teams.iter().enumerate() {
        store::set_desk(&mut tx, &access, *id, &hours_of(i), 240, 7).await?;
        let who = &members[id];
        if who.is_empty() {
            continue;
        }
        let mut slots = Vec::new();
        for weekday in 1..=5u8 {
            for (k, half) in [HalfDay::Morning, HalfDay::Afternoon]
                .into_iter()
                .enumerate()
            {
                let n = (usize::from(weekday) * 2 + k) % who.len();
                slots.push(DutySlot {
                    weekday,
                    half,
                    user_id: who[n].0,
                });
            }
        }
        store::set_rota(&mut tx, &access, *id, &slots).await?;
    }

    let candidates = store::candidates(&mut tx, &access, today).await?;
    let mut desks: HashMap<i64, (TeamDesk, Vec<DutySlot>)> = HashMap::new();
    for (id, _) in &teams {
        desks.insert(
            *id,
            (
                store::desk(&mut tx, *id).await?,
                store::rota_in(&mut tx, *id).await?,
            ),
        );
    }
    let names: HashMap<i64, String> = members
        .values()
        .flatten()
        .map(|(id, n)| (*id, n.clone()))
        .collect();
    let departments: Vec<(&'static str, f64)> = geo::departments_of(region)
        .map(|d| {
            (
                d.code,
                f64::from(crate::places::population(d.code).unwrap_or(300_000)),
            )
        })
        .collect();
    let hours: Vec<(u8, f64)> = [
        (7, 1.0),
        (8, 4.0),
        (9, 8.0),
        (10, 10.0),
        (11, 10.0),
        (12, 5.0),
        (13, 5.0),
        (14, 9.0),
        (15, 9.0),
        (16, 8.0),
        (17, 7.0),
        (18, 4.0),
        (19, 2.0),
        (20, 1.0),
    ]
    .to_vec();

    let mut report = AdviceReport::default();
    // The trace, written at the end in a few statements.
    let mut events: Vec<NewEvent> = Vec::new();
    let span_days = 548;
    let mut filed = 0;
    while filed < requests {
        // The day: weekdays mostly, few on weekends and public holidays.
        let day = today - Duration::days(rng.random_range(0..span_days));
        let keep = match day.weekday().number_from_monday() {
            6 => 0.10,
            7 => 0.05,
            _ if cratb_advice::calendar::holiday(day, false).is_some() => 0.08,
            _ => 1.0,
        };
        if !rng.random_bool(keep) {
            continue;
        }
        let hour = weighted(rng, &hours);
        let asked = paris::from_local(
            day.with_hms(hour, rng.random_range(0..60), rng.random_range(0..60))
                .expect("valid time"),
        );
        // Not in the future, nor in the last hour (the queue's few are filed below).
        if asked > now - Duration::hours(1) {
            continue;
        }
        let sector = weighted(rng, SECTORS);
        let department = weighted(rng, &departments);
        let site = weighted(rng, SITES);
        let mut q = weighted(rng, QUESTIONS);
        if sector == Sector::Ville
            && matches!(q, QuestionType::IvToOral | QuestionType::DeEscalation)
        {
            q = QuestionType::Choice;
        }
        let channel = weighted(
            rng,
            &[
                (Channel::Web, 45.0),
                (Channel::Phone, 35.0),
                (Channel::Email, 10.0),
                (Channel::TeleExpertise, 10.0),
            ],
        );
        let urgency = if rng.random_bool(0.2) {
            Urgency::Today
        } else {
            Urgency::Routine
        };
        let r = case(rng, sector, department, site, q, asked, channel, urgency);
        let p = profession(rng, sector);
        // Answered after a log-normal working time (median 1.5 h); a few never.
        let minutes = (90.0 * (0.85 * normal(rng)).exp()).clamp(4.0, 3_000.0) as i64;
        let never = rng.random_bool(0.01);
        file(
            &mut tx,
            &access,
            rng,
            &candidates,
            &desks,
            &names,
            Filing {
                request: r,
                profession: p,
                asked,
                answer_after: (!never).then_some(minutes),
                now,
            },
            &mut report,
            &mut events,
        )
        .await?;
        filed += 1;
    }

    // The demo EMA member's queue: routed as a request of a GP of the Rhône would be, one past
    // its due time, one to answer today, one just in.
    let lyon = routing::route(&candidates, "69", Sector::Ville, None);
    if let Some((desk, slots)) = lyon.and_then(|t| desks.get(&t))
        && !slots.is_empty()
    {
        // Late: the latest working moment whose 4 hours ran out at least an hour ago.
        let mut late = paris::from_local(today.with_hms(10, 0, 0).expect("valid"));
        for _ in 0..30 {
            let due = desk
                .calendar
                .add_working_minutes(late, desk.target_minutes)
                .unwrap_or(late);
            if desk.calendar.is_open(late) && due < now - Duration::hours(1) {
                break;
            }
            late -= Duration::days(1);
        }
        for (asked, site, q, urgency) in [
            (
                late,
                InfectionSite::Urinary,
                QuestionType::Choice,
                Urgency::Routine,
            ),
            (
                now - Duration::minutes(25),
                InfectionSite::RespiratoryLower,
                QuestionType::Duration,
                Urgency::Today,
            ),
            (
                now - Duration::minutes(5),
                InfectionSite::SkinSoftTissue,
                QuestionType::Choice,
                Urgency::Routine,
            ),
        ] {
            let r = case(
                rng,
                Sector::Ville,
                "69",
                site,
                q,
                asked,
                Channel::Web,
                urgency,
            );
            file(
                &mut tx,
                &access,
                rng,
                &candidates,
                &desks,
                &names,
                Filing {
                    request: r,
                    profession: Profession::Gp,
                    asked,
                    answer_after: None,
                    now,
                },
                &mut report,
                &mut events,
            )
            .await?;
        }
    }
    store::events(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(report)
}

struct Filing {
    request: NewRequest,
    profession: Profession,
    asked: OffsetDateTime,
    /// Working minutes to the first answer; none: never answered.
    answer_after: Option<i64>,
    now: OffsetDateTime,
}

/// Files one request as the use case would (routing, due time, member on duty), then its
/// answer, follow-up and closing when they came before now.
#[allow(clippy::too_many_arguments)]
async fn file(
    tx: &mut cratb_store::Tx,
    access: &cratb_domain::RegionAccess,
    rng: &mut ChaCha8Rng,
    candidates: &[routing::Candidate],
    desks: &HashMap<i64, (TeamDesk, Vec<DutySlot>)>,
    names: &HashMap<i64, String>,
    f: Filing,
    report: &mut AdviceReport,
    events: &mut Vec<NewEvent>,
) -> Result<(), DemoError> {
    let r = &f.request;
    let team = routing::route(candidates, r.department, r.sector, None);
    let Some((desk, slots)) = team.and_then(|t| desks.get(&t)) else {
        return Ok(());
    };
    let opening = desk.calendar.next_opening(f.asked);
    let due = desk
        .calendar
        .add_working_minutes(f.asked, desk.target_minutes)
        .unwrap_or(f.asked + Duration::minutes(desk.target_minutes));
    let on_duty = cratb_advice::rota::on_duty(slots, opening.unwrap_or(f.asked));
    let assignee = on_duty.first().copied();
    let waiting = opening.is_none_or(|o| o > f.now);
    let asker = Asker {
        requester_id: None,
        name: format!(
            "{} — {}",
            f.profession.label_fr(),
            geo::department(r.department).map_or(r.department, |d| d.name)
        ),
        profession: Some(f.profession),
        professional_id: None,
        rpps: None,
        entered_by_id: None,
    };
    let placement = Placement {
        team_id: team,
        assignee_id: assignee,
        status: if waiting {
            Status::Queued
        } else {
            Status::Open
        },
        asked_at: f.asked,
        due_at: due,
    };
    let (id, _) = store::insert(tx, access, r, None, &asker, &placement).await?;
    report.requests += 1;
    events.push(NewEvent {
        request_id: id,
        at: f.asked,
        actor: "demo".to_string(),
        kind: EventKind::Created,
        detail: r.channel.label_fr().to_string(),
    });
    let routed = match assignee.and_then(|a| names.get(&a)) {
        Some(n) => format!("{} — {n}", desk.name),
        None => desk.name.clone(),
    };
    events.push(NewEvent {
        request_id: id,
        at: f.asked,
        actor: "cratb".to_string(),
        kind: EventKind::Routed,
        detail: routed,
    });
    let answered = f
        .answer_after
        .and_then(|m| desk.calendar.add_working_minutes(f.asked, m))
        .filter(|at| *at <= f.now);
    let Some(at) = answered else {
        if due < f.now {
            report.overdue += 1;
        }
        // Told when they fell due (the sweep's letters are for what happens from now on).
        if due < f.now {
            store::overdue_told(tx, id, due).await?;
        }
        return Ok(());
    };
    let t = site_text(r.site);
    let (recommendations, body, listed) = answer_of(rng, r.question_type, &t);
    let answer = NewAnswer {
        body,
        recommendations,
        antibiotics: if listed {
            vec![Recommended {
                atc: t.advised.0.into(),
                dose: t.advised.1.into(),
                route: t.advised.2,
                days: Some(t.advised.3),
            }]
        } else {
            Vec::new()
        },
        references: Vec::new(),
    };
    let author = assignee
        .and_then(|a| names.get(&a).cloned())
        .unwrap_or_else(|| desk.name.clone());
    let follow_up_on = paris::today(at) + Duration::days(desk.follow_up_days);
    store::answer(tx, id, assignee, &author, &answer, at, follow_up_on).await?;
    events.push(NewEvent {
        request_id: id,
        at,
        actor: author.clone(),
        kind: EventKind::Answered,
        detail: String::new(),
    });
    if let Some(late) = Some(due).filter(|d| *d < at) {
        store::overdue_told(tx, id, late).await?;
    }
    let follow_up_at = at + Duration::days(desk.follow_up_days);
    if follow_up_at <= f.now && rng.random_bool(0.6) {
        let adherence = weighted(
            rng,
            &[
                (Adherence::Followed, 75.0),
                (Adherence::Partly, 15.0),
                (Adherence::NotFollowed, 10.0),
            ],
        );
        let outcome = weighted(
            rng,
            &[
                (Outcome::Cured, 55.0),
                (Outcome::Improved, 29.0),
                (Outcome::Failed, 7.0),
                (Outcome::Died, 1.0),
                (Outcome::Unknown, 8.0),
            ],
        );
        store::follow_up(tx, id, adherence, outcome, follow_up_at).await?;
        events.push(NewEvent {
            request_id: id,
            at: follow_up_at,
            actor: "demo".to_string(),
            kind: EventKind::FollowUp,
            detail: adherence.label_fr().to_string(),
        });
    }
    let closed_at = at + Duration::days(rng.random_range(1..10));
    if closed_at <= f.now && rng.random_bool(0.85) {
        store::set_status(tx, id, Status::Closed, closed_at).await?;
        events.push(NewEvent {
            request_id: id,
            at: closed_at,
            actor: author.clone(),
            kind: EventKind::Closed,
            detail: String::new(),
        });
    }
    Ok(())
}
