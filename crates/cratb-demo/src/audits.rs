//! The demo audits: the shipped grids in the library; two surgical-prophylaxis campaigns a
//! year apart in the main region's surgical hospitals (CHU, CH, private clinics), the earlier
//! one closed, the later one open with cases still to enter (the demo referent's hospital among
//! them); a closed campaign of the nursing-home UTI grid in EHPADs; the action plans written
//! after the earlier campaign (actions at every status, some overdue, owners from the directory)
//! and one plan started from an indicator. Answers are drawn per establishment so that
//! conformity is what such audits find, and the later campaign improves on the criteria the
//! plans aimed at, not on the others. Cases go in through the store, one transaction per
//! campaign; every case is checked by the grid's own rules on its way.

use crate::DemoError;
use cratb_audit::Grid;
use cratb_audit::campaign::NewCampaign;
use cratb_audit::entry::{CaseInput, CheckedCase, Raw};
use cratb_audit::plan::{ActionStatus, AimKind, NewAction};
use cratb_domain::{Category, Scope, paris};
use cratb_store::audits::{self as store, Entered, Source};
use cratb_store::{Db, directory, establishments, plans, users};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, OffsetDateTime};

/// The surgical prophylaxis grid's code.
pub const SURGICAL: &str = "antibioprophylaxie-chirurgicale";
/// The nursing-home UTI grid's code.
pub const NURSING_HOME_UTI: &str = "infection-urinaire-ehpad";
/// The criteria of the surgical grid that the plans after the earlier campaign aim at.
pub const AIMED: &[&str] = &["delai_avant_incision_min", "duree_totale_heures"];
/// Cases asked of each establishment.
pub const TARGET: u32 = 30;

/// How many surgical hospitals take part in the earlier and the later campaign, and EHPADs in
/// the nursing-home one.
const SURGICAL_EARLIER: usize = 22;
const SURGICAL_LATER: usize = 24;
const NURSING_HOMES: usize = 16;
/// Validated cases of the demo referent's hospital in the open campaign, and its drafts.
pub const REFERENT_VALIDATED: usize = 12;
pub const REFERENT_DRAFTS: usize = 2;

/// What the audits demo added.
#[derive(Debug, Clone, Default)]
pub struct AuditsReport {
    pub campaigns: usize,
    /// Validated cases, in all campaigns.
    pub cases: usize,
    /// Drafts (in the open campaign only).
    pub drafts: usize,
    pub plans: usize,
    pub actions: usize,
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn yes_no(b: bool) -> &'static str {
    if b { "oui" } else { "non" }
}

/// One establishment's habits: its probability of conformity per criterion.
#[derive(Debug, Clone)]
struct Habits(HashMap<&'static str, f64>);

impl Habits {
    /// Draws an establishment's habits around the region's `base` rates: a shared effect (some
    /// teams do better at everything) and one per criterion.
    fn draw(rng: &mut ChaCha8Rng, base: &[(&'static str, f64)]) -> Habits {
        let shared = normal(rng) * 0.07;
        Habits(
            base.iter()
                .map(|(c, p)| (*c, (p + shared + normal(rng) * 0.06).clamp(0.12, 0.97)))
                .collect(),
        )
    }

    fn p(&self, code: &str) -> f64 {
        self.0.get(code).copied().unwrap_or(0.5)
    }

    /// The habits a year later: better on the criteria the establishment's plan aimed at, by
    /// how far its actions went; the same elsewhere.
    fn after(&self, aims: &HashMap<String, f64>) -> Habits {
        Habits(
            self.0
                .iter()
                .map(|(c, p)| (*c, (p + aims.get(*c).copied().unwrap_or(0.0)).min(0.97)))
                .collect(),
        )
    }
}

/// The region's usual conformity of the surgical grid's criteria.
const SURGICAL_BASE: &[(&str, f64)] = &[
    ("indication_selon_sfar", 0.91),
    ("antibioprophylaxie_administree", 0.95),
    ("molecule", 0.92),
    ("delai_avant_incision_min", 0.70),
    ("reinjection_peroperatoire", 0.50),
    ("duree_totale_heures", 0.60),
];

/// The region's usual conformity of the nursing-home UTI grid's criteria.
const UTI_BASE: &[(&str, f64)] = &[
    ("pas_de_traitement_colonisation", 0.55),
    ("bandelette_usage_adapte", 0.62),
    ("ecbu_avant_traitement", 0.58),
    ("molecule_cystite", 0.68),
    ("fluoroquinolone_evitee_cystite", 0.85),
    ("duree_conforme", 0.52),
];

const SURGERIES: &[(&str, f64)] = &[
    ("orthopedie_traumatologie", 28.0),
    ("digestive", 14.0),
    ("colorectale", 8.0),
    ("urologie", 12.0),
    ("gynecologie_obstetrique", 12.0),
    ("cardiaque_thoracique", 4.0),
    ("vasculaire", 5.0),
    ("neurochirurgie", 3.0),
    ("orl_cervico_faciale", 5.0),
    ("plastique", 3.0),
    ("ophtalmologie", 3.0),
    ("radiologie_interventionnelle", 2.0),
    ("endoscopie", 1.0),
];

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

/// A surgical case's answers as the auditor types them.
fn surgical_answers(
    rng: &mut ChaCha8Rng,
    h: &Habits,
    from: Date,
    to: Date,
) -> BTreeMap<String, Raw> {
    let mut a = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        a.insert(k.to_string(), Raw::Text(v));
    };
    let days = (to - from).whole_days().max(0);
    let day = from + Duration::days(rng.random_range(0..=days));
    put("date_intervention", day.to_string());
    let surgery = weighted(rng, SURGERIES);
    put("type_chirurgie", surgery.into());
    let indicated = rng.random_bool(h.p("indication_selon_sfar"));
    put("indication_selon_sfar", yes_no(indicated).into());
    // Without an indication, prophylaxis is still given now and then: the second criterion
    // counts it as given, the first shows it was not indicated.
    let given = if indicated {
        rng.random_bool(h.p("antibioprophylaxie_administree"))
    } else {
        rng.random_bool(0.35)
    };
    put("antibioprophylaxie_administree", yes_no(given).into());
    if !given {
        for k in [
            "molecule",
            "molecule_detail",
            "delai_avant_incision_min",
            "reinjection_peroperatoire",
            "duree_totale_heures",
        ] {
            put(k, "NA".into());
        }
        return a;
    }
    let allergic = rng.random_bool(0.07);
    let (drug, detail) = if !rng.random_bool(h.p("molecule")) {
        ("autre", "Ceftriaxone 1 g IVD")
    } else if allergic {
        *[
            (
                "clindamycine",
                "Clindamycine 900 mg IVL (allergie pénicilline)",
            ),
            (
                "vancomycine",
                "Vancomycine 30 mg/kg IVL (allergie documentée)",
            ),
        ]
        .choose(rng)
        .expect("not empty")
    } else if surgery == "colorectale" {
        (
            "cefazoline_metronidazole",
            "Céfazoline 2 g + métronidazole 1 g IV",
        )
    } else if surgery == "orl_cervico_faciale" {
        (
            "amoxicilline_acide_clavulanique",
            "Amoxicilline-acide clavulanique 2 g IV",
        )
    } else if rng.random_bool(0.88) {
        ("cefazoline", "Céfazoline 2 g IVD")
    } else {
        ("cefuroxime", "Céfuroxime 1,5 g IVD")
    };
    put("molecule", drug.into());
    put("molecule_detail", detail.into());
    let on_time = rng.random_bool(h.p("delai_avant_incision_min"));
    let minutes: i64 = if on_time {
        rng.random_range(10..=60)
    } else if drug == "vancomycine" {
        // Vancomycin started early is right; the grid's simple rule still counts it late.
        rng.random_range(70..=120)
    } else if rng.random_bool(0.2) {
        // Given after the incision.
        -rng.random_range(5..=20)
    } else {
        rng.random_range(65..=150)
    };
    put("delai_avant_incision_min", minutes.to_string());
    // Re-dosing applies to the long operations only.
    let long = rng.random_bool(match surgery {
        "cardiaque_thoracique" | "neurochirurgie" | "colorectale" | "vasculaire" => 0.45,
        _ => 0.12,
    });
    put(
        "reinjection_peroperatoire",
        if long {
            yes_no(rng.random_bool(h.p("reinjection_peroperatoire"))).into()
        } else {
            "NA".into()
        },
    );
    let hours: u32 = if rng.random_bool(h.p("duree_totale_heures")) {
        if rng.random_bool(0.7) {
            0
        } else {
            *[12, 24].choose(rng).expect("not empty")
        }
    } else {
        *[36, 48, 48, 72, 120].choose(rng).expect("not empty")
    };
    put("duree_totale_heures", hours.to_string());
    a
}

/// A nursing-home UTI case's answers.
fn uti_answers(rng: &mut ChaCha8Rng, h: &Habits) -> BTreeMap<String, Raw> {
    let mut a = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        a.insert(k.to_string(), Raw::Text(v));
    };
    let kind = weighted(
        rng,
        &[
            ("cystite_simple", 10.0),
            ("cystite_a_risque_de_complication", 34.0),
            ("pyelonephrite", 12.0),
            ("iu_masculine", 18.0),
            ("bacteriurie_asymptomatique", 26.0),
        ],
    );
    put("type_infection", kind.into());
    put(
        "pas_de_traitement_colonisation",
        if kind == "bacteriurie_asymptomatique" {
            yes_no(rng.random_bool(h.p("pas_de_traitement_colonisation"))).into()
        } else {
            "NA".into()
        },
    );
    put(
        "bandelette_usage_adapte",
        yes_no(rng.random_bool(h.p("bandelette_usage_adapte"))).into(),
    );
    put(
        "ecbu_avant_traitement",
        if kind == "cystite_simple" {
            "NA".into()
        } else {
            yes_no(rng.random_bool(h.p("ecbu_avant_traitement"))).into()
        },
    );
    let cystitis = kind.starts_with("cystite");
    if cystitis {
        let drug = if rng.random_bool(h.p("molecule_cystite")) {
            *["fosfomycine_trometamol", "pivmecillinam", "nitrofurantoine"]
                .choose(rng)
                .expect("not empty")
        } else if !rng.random_bool(h.p("fluoroquinolone_evitee_cystite")) {
            "fluoroquinolone"
        } else {
            *[
                "cefixime",
                "amoxicilline_acide_clavulanique",
                "amoxicilline",
                "cotrimoxazole",
            ]
            .choose(rng)
            .expect("not empty")
        };
        put("molecule_cystite", drug.into());
        put(
            "fluoroquinolone_evitee_cystite",
            yes_no(drug != "fluoroquinolone").into(),
        );
    } else {
        put("molecule_cystite", "NA".into());
        put("fluoroquinolone_evitee_cystite", "NA".into());
    }
    let right = rng.random_bool(h.p("duree_conforme"));
    let days = match (kind, right) {
        ("cystite_simple", true) => 1,
        ("cystite_a_risque_de_complication", true) => 7,
        ("pyelonephrite", true) => 10,
        ("iu_masculine", true) => 14,
        ("bacteriurie_asymptomatique", _) => *[5, 7, 10].choose(rng).expect("not empty"),
        (_, false) => *[3, 5, 10, 15, 21].choose(rng).expect("not empty"),
        _ => 7,
    };
    put("duree_prescrite_jours", days.to_string());
    put("duree_conforme", yes_no(right).into());
    a
}

/// A case as the form would send it, checked by the grid's rules (a draft leaves its last
/// answers blank).
#[allow(clippy::too_many_arguments)]
fn case(
    rng: &mut ChaCha8Rng,
    grid: &Grid,
    finess: &str,
    number: String,
    ages: (u8, u8),
    answers: BTreeMap<String, Raw>,
    validated: bool,
) -> CheckedCase {
    let mut answers = answers;
    if !validated {
        let keep = rng.random_range(2..grid.criteria.len() - 1);
        for c in grid.criteria.iter().skip(keep) {
            answers.remove(&c.code);
        }
    }
    let input = CaseInput {
        case_number: Some(number),
        establishment: Some(finess.to_string()),
        age: Some(cratb_audit::campaign::Count::Number(i64::from(
            rng.random_range(ages.0..=ages.1),
        ))),
        sex: Some(if rng.random_bool(0.5) { "F" } else { "M" }.into()),
        ward_type: None,
        answers,
    };
    input
        .check(grid, validated)
        .expect("the demo's answers follow the grid")
}

/// The day of surgery of a surgical case's answers.
fn day_of(a: &BTreeMap<String, Raw>) -> Date {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    a.get("date_intervention")
        .and_then(|r| match r {
            Raw::Text(t) => Date::parse(t, iso).ok(),
            _ => None,
        })
        .expect("every surgical case has its day, in ISO")
}

/// A hospital taking part, with its habits.
struct Place {
    id: i64,
    finess: String,
    habits: Habits,
}

/// The first day of the month `months` before `today`'s.
fn month_start(today: Date, months: i32) -> Date {
    let m = today.year() * 12 + today.month() as i32 - 1 - months;
    Date::from_calendar_date(
        m.div_euclid(12),
        time::Month::try_from((m.rem_euclid(12) + 1) as u8).expect("a month"),
        1,
    )
    .expect("a day")
}

fn year_before(d: Date) -> Date {
    d.replace_year(d.year() - 1)
        .unwrap_or(d - Duration::days(365))
}

/// A case to insert: its establishment, the case, whether validated, who entered it (the demo
/// referent's account for their hospital), when.
type Entry = (
    i64,
    CheckedCase,
    bool,
    Option<(i64, String)>,
    OffsetDateTime,
);

/// When a case about `day` was typed in: a few days after, in the afternoon, never after now.
fn entered(rng: &mut ChaCha8Rng, day: Date, now: OffsetDateTime) -> OffsetDateTime {
    let d = day + Duration::days(rng.random_range(1..=12));
    let t =
        time::Time::from_hms(rng.random_range(13..18), rng.random_range(0..60), 0).expect("a time");
    paris::from_local(d.with_time(t)).min(now - Duration::minutes(30))
}

/// When a campaign was started: three weeks before its first day, in the morning.
fn started(starts_on: Date) -> OffsetDateTime {
    paris::from_local(
        (starts_on - Duration::days(21))
            .with_hms(9, 30, 0)
            .expect("a time"),
    )
}

/// Inserts a campaign and its cases in one transaction; returns its id.
#[allow(clippy::too_many_arguments)]
async fn insert_campaign(
    db: &Db,
    access: &cratb_domain::RegionAccess,
    grid_id: i64,
    title: &str,
    starts_on: Date,
    ends_on: Date,
    closed: bool,
    cases: &[Entry],
    participants: &[i64],
    at: OffsetDateTime,
) -> Result<i64, DemoError> {
    let c = NewCampaign {
        title: title.into(),
        grid_id,
        starts_on,
        ends_on,
        establishments: Vec::new(),
        territory_id: None,
        target: TARGET,
    };
    let mut tx = db.begin().await?;
    let id = store::insert_campaign(
        &mut tx,
        access,
        &c,
        participants,
        "coordination@demo.cratb.fr",
        at,
    )
    .await?;
    for (place, k, validated, by, entered) in cases {
        let who = Entered {
            by_id: by.as_ref().map(|b| b.0),
            by: by.as_ref().map_or("démo", |b| b.1.as_str()),
            source: Source::Demo,
            at: *entered,
        };
        store::insert_case(&mut tx, id, *place, k, *validated, &who).await?;
    }
    if closed {
        store::set_closed(&mut tx, id, true).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// An action of a plan after the surgical campaign, and the criterion it aims at.
const ACTIONS: &[(&str, Option<&str>)] = &[
    (
        "Injection de l'antibioprophylaxie à l'arrivée en salle, cochée sur la check-list HAS",
        Some("delai_avant_incision_min"),
    ),
    (
        "Heure d'injection et heure d'incision côte à côte dans la feuille d'anesthésie informatisée",
        Some("delai_avant_incision_min"),
    ),
    (
        "Arrêt automatique de l'antibioprophylaxie à 24 h dans le logiciel de prescription",
        Some("duree_totale_heures"),
    ),
    (
        "Retour d'audit aux chirurgiens orthopédistes sur les prolongations postopératoires",
        Some("duree_totale_heures"),
    ),
    (
        "Présentation des résultats de l'audit en CME et au conseil de bloc",
        None,
    ),
    (
        "Formation des IADE nouvellement arrivés au protocole d'antibioprophylaxie",
        None,
    ),
];

const STATUSES: &[(ActionStatus, f64)] = &[
    (ActionStatus::Planned, 25.0),
    (ActionStatus::InProgress, 30.0),
    (ActionStatus::Done, 35.0),
    (ActionStatus::Abandoned, 10.0),
];

/// The status of a plan's main action.
const FIRST_STATUSES: &[(ActionStatus, f64)] = &[
    (ActionStatus::Planned, 10.0),
    (ActionStatus::InProgress, 35.0),
    (ActionStatus::Done, 47.0),
    (ActionStatus::Abandoned, 8.0),
];

/// How much a year of an action at `status` improves the conformity it aims at.
fn gain(status: ActionStatus) -> f64 {
    match status {
        ActionStatus::Done => 0.30,
        ActionStatus::InProgress => 0.22,
        ActionStatus::Planned => 0.10,
        ActionStatus::Abandoned => 0.0,
    }
}

/// Fills the main region's audits: grids, campaigns, cases, plans.
pub async fn generate(
    db: &Db,
    region: &str,
    rng: &mut ChaCha8Rng,
) -> Result<AuditsReport, DemoError> {
    let now = cratb_store::now();
    let today = paris::today(now);
    let scope = Scope::National;
    let access = scope.access(region).expect("demo region");
    let mut report = AuditsReport::default();

    // The library: the shipped grids, loaded by their use case.
    cratb_app::audits::load_shipped_grids(db, now)
        .await
        .map_err(|e| DemoError::Audits(e.to_string()))?;
    let rows = store::grids(db).await?;
    let grid_of = |code: &str| rows.iter().find(|g| g.code == code).map(|g| g.id);
    let (surgical_id, uti_id) = (
        grid_of(SURGICAL).expect("shipped grid"),
        grid_of(NURSING_HOME_UTI).expect("shipped grid"),
    );
    let (_, surgical) = store::grid(db, surgical_id).await?;
    let (_, uti) = store::grid(db, uti_id).await?;

    let referent = users::find_by_email(db, "referent@demo.cratb.fr").await?;
    let referent_place = referent.establishment_ids.first().copied();
    let all = establishments::all(db, &scope).await?;
    let mut hospitals: Vec<_> = all
        .iter()
        .filter(|e| {
            e.region_code == region
                && [Category::Chu, Category::Ch, Category::Clinique]
                    .iter()
                    .any(|c| c.code() == e.category)
        })
        .collect();
    hospitals.sort_by_key(|e| e.id);
    hospitals.shuffle(rng);
    // The referent's hospital first: it takes part in both campaigns.
    if let Some(r) = referent_place
        && let Some(i) = hospitals.iter().position(|e| e.id == r)
    {
        let h = hospitals.remove(i);
        hospitals.insert(0, h);
    }
    let later: Vec<Place> = hospitals
        .iter()
        .take(SURGICAL_LATER)
        .map(|e| Place {
            id: e.id,
            finess: e.finess.clone(),
            habits: Habits::draw(rng, SURGICAL_BASE),
        })
        .collect();
    // Two hospitals join for the later campaign only.
    let earlier = &later[..SURGICAL_EARLIER.min(later.len())];

    // The earlier campaign: a year before the open one, closed, most hospitals complete.
    let starts = month_start(today, 2);
    let ends = month_start(today, -2) - Duration::days(1);
    let (e_starts, e_ends) = (year_before(starts), year_before(ends));
    let mut cases = Vec::new();
    for p in earlier {
        let n = if rng.random_bool(0.7) {
            TARGET as usize
        } else {
            rng.random_range(18..TARGET as usize)
        };
        for i in 0..n {
            let a = surgical_answers(rng, &p.habits, e_starts, e_ends);
            let number = format!("APC{}-{:03}", e_starts.year() % 100, i + 1);
            let at = entered(rng, day_of(&a), now);
            let k = case(rng, &surgical, &p.finess, number, (18, 92), a, true);
            cases.push((p.id, k, true, None, at));
        }
    }
    let ids: Vec<i64> = earlier.iter().map(|p| p.id).collect();
    let earlier_id = insert_campaign(
        db,
        &access,
        surgical_id,
        &format!("Antibioprophylaxie chirurgicale {}", e_starts.year()),
        e_starts,
        e_ends,
        true,
        &cases,
        &ids,
        started(e_starts),
    )
    .await?;
    report.campaigns += 1;
    report.cases += cases.len();

    // The plans after it: most hospitals, each with its actions; what they aimed at, and how
    // far they went, improves the later campaign.
    let owners = directory::in_region(db, &access).await?;
    let mut tx = db.begin().await?;
    let mut aims: HashMap<i64, HashMap<String, f64>> = HashMap::new();
    let planned_at = paris::from_local(
        (e_ends + Duration::days(40))
            .with_hms(10, 0, 0)
            .expect("a time"),
    );
    for (i, p) in earlier.iter().enumerate() {
        // The referent's hospital has one; a few others have not written theirs.
        if i > 0 && rng.random_bool(0.2) {
            continue;
        }
        let here: Vec<_> = owners
            .iter()
            .filter(|o| o.establishments.split(',').any(|f| f.trim() == p.finess))
            .collect();
        let pool: Vec<_> = if here.is_empty() {
            owners.iter().collect()
        } else {
            here
        };
        let plan = plans::insert_plan(
            &mut tx,
            &access,
            p.id,
            Some(earlier_id),
            &format!("Plan d'action antibioprophylaxie {}", e_starts.year()),
            "coordination@demo.cratb.fr",
            planned_at,
        )
        .await?;
        report.plans += 1;
        // The audit's feedback pointed at timing and duration: each plan has an action on
        // each, the hospital's weakest first, then one or two of the other kinds.
        let mut aimed: Vec<&str> = AIMED.to_vec();
        aimed.sort_by(|x, y| p.habits.p(x).total_cmp(&p.habits.p(y)));
        let mut picked: Vec<usize> = aimed
            .iter()
            .filter_map(|c| {
                let of: Vec<usize> = (0..ACTIONS.len())
                    .filter(|k| ACTIONS[*k].1 == Some(*c))
                    .collect();
                of.choose(rng).copied()
            })
            .collect();
        let mut others: Vec<usize> = (0..ACTIONS.len())
            .filter(|k| ACTIONS[*k].1.is_none())
            .collect();
        others.shuffle(rng);
        picked.extend(others);
        let n = rng.random_range(AIMED.len()..=AIMED.len() + 2);
        for (j, k) in picked.into_iter().take(n).enumerate() {
            let (title, aim) = ACTIONS[k];
            let due_on = e_ends + Duration::days(rng.random_range(90..=560));
            // The main action is the one most often carried through.
            let mut status = weighted(rng, if j == 0 { FIRST_STATUSES } else { STATUSES });
            // Work due long ago is seldom still only planned.
            if status == ActionStatus::Planned && due_on < today - Duration::days(120) {
                status = ActionStatus::InProgress;
            }
            if let Some(c) = aim {
                let g = aims
                    .entry(p.id)
                    .or_default()
                    .entry(c.to_string())
                    .or_default();
                *g = g.max(gain(status));
            }
            let a = NewAction {
                title: title.into(),
                owner_id: pool.choose(rng).map(|o| o.id),
                due_on,
                status,
                aim_kind: if aim.is_some() {
                    AimKind::Criterion
                } else {
                    AimKind::Other
                },
                aim: aim.map(str::to_string),
                notes: match status {
                    ActionStatus::Abandoned => Some(
                        "Abandonnée : le logiciel ne le permet pas avant sa prochaine version."
                            .into(),
                    ),
                    ActionStatus::Done => Some("Fait ; à vérifier au prochain audit.".into()),
                    _ => None,
                },
            };
            plans::insert_action(&mut tx, plan, &a, "coordination@demo.cratb.fr", planned_at)
                .await?;
            report.actions += 1;
        }
    }
    // A plan started from an indicator rather than a campaign: a hospital whose fluoroquinolone
    // use and E. coli resistance to third-generation cephalosporins stand out.
    if let Some(p) = later.last() {
        let plan = plans::insert_plan(
            &mut tx,
            &access,
            p.id,
            None,
            "Fluoroquinolones et E. coli résistant aux C3G",
            "coordination@demo.cratb.fr",
            now - Duration::days(150),
        )
        .await?;
        report.plans += 1;
        for (title, kind, aim, days, status) in [
            (
                "Réévaluation à 48-72 h de toute prescription de fluoroquinolone par l'EMA",
                AimKind::Consumption,
                "J01MA",
                -20,
                ActionStatus::InProgress,
            ),
            (
                "Retrait des fluoroquinolones de la dotation des services de médecine",
                AimKind::Consumption,
                "J01MA",
                60,
                ActionStatus::Planned,
            ),
            (
                "Suivi trimestriel de la résistance d'E. coli aux C3G avec le laboratoire",
                AimKind::Resistance,
                "E. coli / C3G",
                -90,
                ActionStatus::Done,
            ),
        ] {
            let a = NewAction {
                title: title.into(),
                owner_id: owners.choose(rng).map(|o| o.id),
                due_on: today + Duration::days(days),
                status,
                aim_kind: kind,
                aim: Some(aim.into()),
                notes: None,
            };
            plans::insert_action(
                &mut tx,
                plan,
                &a,
                "coordination@demo.cratb.fr",
                now - Duration::days(150),
            )
            .await?;
            report.actions += 1;
        }
    }
    tx.commit().await?;

    // The open campaign: cases still coming in; the referent's hospital is behind.
    let mut cases = Vec::new();
    let entered_until = today.min(ends);
    for (i, p) in later.iter().enumerate() {
        let habits = aims
            .get(&p.id)
            .map_or_else(|| p.habits.clone(), |a| p.habits.after(a));
        let (n, drafts) = if i == 0 && referent_place == Some(p.id) {
            (REFERENT_VALIDATED, REFERENT_DRAFTS)
        } else if rng.random_bool(0.35) {
            (TARGET as usize, 0)
        } else {
            (
                rng.random_range(6..TARGET as usize),
                rng.random_range(0..=2),
            )
        };
        let by = (referent_place == Some(p.id)).then(|| (referent.id, referent.email.clone()));
        for k in 0..n + drafts {
            let validated = k < n;
            let a = surgical_answers(rng, &habits, starts, entered_until);
            let number = format!("APC{}-{:03}", starts.year() % 100, k + 1);
            let at = entered(rng, day_of(&a), now);
            let c = case(rng, &surgical, &p.finess, number, (18, 92), a, validated);
            cases.push((p.id, c, validated, by.clone(), at));
        }
    }
    let ids: Vec<i64> = later.iter().map(|p| p.id).collect();
    insert_campaign(
        db,
        &access,
        surgical_id,
        &format!("Antibioprophylaxie chirurgicale {}", starts.year()),
        starts,
        ends,
        false,
        &cases,
        &ids,
        started(starts),
    )
    .await?;
    report.campaigns += 1;
    report.cases += cases.iter().filter(|c| c.2).count();
    report.drafts += cases.iter().filter(|c| !c.2).count();

    // The nursing homes' campaign, closed.
    let mut homes: Vec<_> = all
        .iter()
        .filter(|e| e.region_code == region && e.category == Category::Ehpad.code())
        .collect();
    homes.sort_by_key(|e| e.id);
    homes.shuffle(rng);
    homes.truncate(NURSING_HOMES);
    let u_starts = month_start(today, 9);
    let u_ends = month_start(today, 6) - Duration::days(1);
    let mut cases = Vec::new();
    for e in &homes {
        let habits = Habits::draw(rng, UTI_BASE);
        let n = if rng.random_bool(0.5) {
            TARGET as usize
        } else {
            rng.random_range(14..TARGET as usize)
        };
        for k in 0..n {
            let a = uti_answers(rng, &habits);
            let number = format!("IU{}-{:02}", u_starts.year() % 100, k + 1);
            let day =
                u_starts + Duration::days(rng.random_range(0..(u_ends - u_starts).whole_days()));
            let at = entered(rng, day, now);
            let c = case(rng, &uti, &e.finess, number, (68, 101), a, true);
            cases.push((e.id, c, true, None, at));
        }
    }
    let ids: Vec<i64> = homes.iter().map(|e| e.id).collect();
    insert_campaign(
        db,
        &access,
        uti_id,
        &format!("Infections urinaires en EHPAD {}", u_starts.year()),
        u_starts,
        u_ends,
        true,
        &cases,
        &ids,
        started(u_starts),
    )
    .await?;
    report.campaigns += 1;
    report.cases += cases.len();
    Ok(report)
}
