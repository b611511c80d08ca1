//! Hospital indicators on small files computed by hand.

use cratb_consumption::hospital::{self, By, File, Files, Missing};
use cratb_consumption::{DddTable, to_csv, to_json};
use cratb_domain::WardType;

const CONSUMPTION: &str = "establishment,period,ward_type,atc,route,grams
380780080,2025-01,medicine,J01CA04,O,300
380780080,2025-01,medicine,J01CR02,P,90
380780080,2025-02,icu,J01DD04,P,40
380780080,2025-02,icu,J01XB01,P,10
380780080,2025-02,icu,P01AB01,R,4
690000000,2025,medicine,J01MA02,O,50
";

const DENOMINATORS: &str = "establishment;period;ward_type;patient_days;admissions
380780080;2025-01;medicine;1000;100
380780080;2025-02;icu;500;50
690000000;2025;medicine;0;0
";

fn files(consumption: &str, denominators: &str) -> Files {
    hospital::read_checked(consumption.as_bytes(), denominators.as_bytes())
        .unwrap_or_else(|p| panic!("{:?}", p.listed))
}

/// The problems of two files: (file, line, column).
fn problems(consumption: &str, denominators: &str) -> Vec<(File, usize, String)> {
    let (_, p) = hospital::read_files(consumption.as_bytes(), denominators.as_bytes());
    p.listed
        .into_iter()
        .map(|(f, p)| (f, p.line, p.column))
        .collect()
}

fn run(by: &[By], prefixes: &[&str]) -> (String, hospital::Outcome) {
    let table = DddTable::embedded(2026).unwrap();
    let files = files(CONSUMPTION, DENOMINATORS);
    let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
    let outcome = hospital::indicators(&files, by, &prefixes, &table).unwrap();
    (
        String::from_utf8(to_csv(by, &outcome.rows)).unwrap(),
        outcome,
    )
}

#[test]
fn ddd_per_establishment_and_year_by_hand() {
    let (csv, outcome) = run(&[By::Establishment, By::Year], &["J01", "J01C", "P01"]);
    // 300 g amoxicillin oral / 1.5 = 200; 90 g co-amoxiclav IV / 3 = 30; 40 g ceftriaxone / 2 = 20;
    // metronidazole rectal, its own DDD 2 g: 2; ciprofloxacin oral / 1 = 50.
    assert_eq!(
        csv,
        "establishment,year,atc_prefix,ddd,patient_days,ddd_per_1000_patient_days,admissions,ddd_per_100_admissions
380780080,2025,J01,250.00,1500,166.67,150,166.67
380780080,2025,J01C,230.00,1500,153.33,150,153.33
380780080,2025,P01,2.00,1500,1.33,150,1.33
690000000,2025,J01,50.00,0,,0,
690000000,2025,J01C,0.00,0,,0,
690000000,2025,P01,0.00,0,,0,
"
    );
    // Colistin's DDD is in million units: reported, not dropped silently.
    assert_eq!(outcome.unconverted.len(), 1);
    assert_eq!(outcome.unconverted[0].atc, "J01XB01");
    assert_eq!(outcome.unconverted[0].grams, 10.0);
}

#[test]
fn months_and_wards_group_the_denominators_the_same_way() {
    let table = DddTable::embedded(2026).unwrap();
    let mut files = files(CONSUMPTION, DENOMINATORS);
    let chu = files
        .establishments
        .iter()
        .position(|e| e == "380780080")
        .unwrap() as u32;
    files.consumption.retain(|r| r.establishment == chu);
    files.denominators.retain(|r| r.establishment == chu);
    let by = [By::Month, By::WardType];
    let out = hospital::indicators(&files, &by, &["J01".into()], &table).unwrap();
    let csv = String::from_utf8(to_csv(&by, &out.rows)).unwrap();
    assert_eq!(
        csv,
        "month,ward_type,atc_prefix,ddd,patient_days,ddd_per_1000_patient_days,admissions,ddd_per_100_admissions
2025-01,medicine,J01,230.00,1000,230.00,100,230.00
2025-02,icu,J01,20.00,500,40.00,50,40.00
"
    );
    let json = to_json(&by, &out.rows);
    assert_eq!(json[1]["ddd_per_1000_patient_days"], 40.0);
    assert_eq!(json[1]["month"], "2025-02");
}

#[test]
fn a_group_without_denominators_is_not_computable_rather_than_zero() {
    let table = DddTable::embedded(2026).unwrap();
    let files = files(
        CONSUMPTION,
        "establishment,period,ward_type,patient_days,admissions\n380000001,2025,medicine,10,1\n",
    );
    let by = [By::Establishment];
    let out = hospital::indicators(&files, &by, &["J01".into()], &table).unwrap();
    let csv = String::from_utf8(to_csv(&by, &out.rows)).unwrap();
    assert!(csv.contains("\n380780080,J01,250.00,,,,\n"), "{csv}");
    assert_eq!(out.left_out.len(), 4, "{:?}", out.left_out);
}

#[test]
fn a_yearly_row_cannot_be_split_into_months() {
    let table = DddTable::embedded(2026).unwrap();
    let files = files(CONSUMPTION, DENOMINATORS);
    let e = hospital::indicators(&files, &[By::Month], &["J01".into()], &table).unwrap_err();
    assert!(e.0.contains("ligne 7"), "{}", e.0);
}

#[test]
fn bad_rows_are_reported_with_line_column_and_value() {
    let bad = "establishment,period,ward_type,atc,route,grams
380780080,2025-13,medicine,J01CA04,O,300
380780080,2025-01,medicine,J01,X,-2
";
    let (_, p) = hospital::read_files(bad.as_bytes(), DENOMINATORS.as_bytes());
    let found: Vec<(usize, &str)> = p
        .listed
        .iter()
        .map(|(_, p)| (p.line, p.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [(2, "period"), (3, "atc"), (3, "route"), (3, "grams")]
    );
    assert!(p.listed[0].1.to_string().contains("« 2025-13 »"));
    let missing = problems(
        CONSUMPTION,
        "establishment,period,patient_days\n380780080,2025,10\n",
    );
    assert_eq!(
        missing,
        [
            (File::Denominators, 1, "ward_type".to_string()),
            (File::Denominators, 1, "admissions".to_string())
        ],
        "ward_type and admissions are missing"
    );
}

#[test]
fn every_problem_of_both_files_in_one_pass() {
    // Bad cells in both files, a repeated key and a missing column: all reported together, in
    // file then line order, rather than one round at a time.
    let consumption = "establishment,period,ward_type,atc,route,grams
380780080,2025-01,medicine,J01CA04,O,300
380780080,2025-01,medicine,J01CA04,O,300
380780080,2025-02,cardiologie,J01CA04,O,1
";
    let days = "establishment,period,ward_type,patient_days,admissions
380780080,2025-01,medicine,mille,100
";
    assert_eq!(
        problems(consumption, days),
        [
            (File::Consumption, 3, String::new()),
            (File::Consumption, 4, "ward_type".into()),
            (File::Denominators, 2, "patient_days".into()),
        ]
    );
}

#[test]
fn ward_types_are_a_closed_list_read_by_code_or_french_label() {
    // « Médecine » is medicine, not a new ward type splitting the hospital's figures.
    let consumption = "establishment,period,ward_type,atc,route,grams
380780080,2025-01,Médecine,J01CA04,O,300
380780080,2025-01,Réanimation,J01DD04,P,40
380780080,2025-01,,J01CA04,O,30
";
    let days = "establishment,period,ward_type,patient_days,admissions
380780080,2025-01,medicine,1000,100
380780080,2025-01,ICU,500,50
";
    let f = hospital::read_files(consumption.as_bytes(), days.as_bytes());
    let wards: Vec<WardType> = f.0.consumption.iter().map(|r| r.ward).collect();
    assert_eq!(wards, [WardType::Medicine, WardType::Icu, WardType::Whole]);
    // The empty ward type is the whole establishment, which cannot sit beside its wards.
    assert_eq!(f.1.total, 1);
    assert!(
        f.1.listed[0].1.message.contains("compté deux fois"),
        "{:?}",
        f.1
    );
    let p = hospital::read_files(
        "establishment,period,ward_type,atc,route,grams\n380780080,2025-01,Cardiologie,J01CA04,O,3\n"
            .as_bytes(),
        days.as_bytes(),
    )
    .1;
    let (file, problem) = &p.listed[0];
    assert_eq!(
        (*file, problem.line, problem.column.as_str()),
        (File::Consumption, 2, "ward_type")
    );
    assert!(
        problem.message.contains("medicine (Médecine)"),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains("icu (Réanimation)"),
        "{}",
        problem.message
    );
}

#[test]
fn repeated_keys_are_refused_line_by_line_not_summed() {
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    for _ in 0..4 {
        consumption.push_str("380780080,2025-01,medicine,J01CA04,O,300\n");
    }
    consumption.push_str("380780080,2025-01,medicine,J01CA04,P,10\n");
    let days = "establishment,period,ward_type,patient_days,admissions
380780080,2025-01,medicine,1000,100
380780080,2025-01,Médecine,1000,100
";
    let (files, p) = hospital::read_files(consumption.as_bytes(), days.as_bytes());
    let lines: Vec<(File, usize)> = p.listed.iter().map(|(f, p)| (*f, p.line)).collect();
    assert_eq!(
        lines,
        [
            (File::Consumption, 3),
            (File::Consumption, 4),
            (File::Consumption, 5),
            (File::Denominators, 3)
        ]
    );
    assert!(
        p.listed[0].1.message.contains("ligne 2"),
        "{}",
        p.listed[0].1.message
    );
    // The first of each key is kept for the other checks; the repeats are not.
    assert_eq!(files.consumption.len(), 2);
    assert_eq!(files.denominators.len(), 1);
}

#[test]
fn impossible_values_are_refused_with_their_bound() {
    let consumption = "establishment,period,ward_type,atc,route,grams,units,strength_g
380780080,2025-01,medicine,J01CA04,O,1e308,,
380780080,2025-01,medicine,J01CR02,O,inf,,
380780080,2025-01,medicine,J01DD04,P,NaN,,
380780080,2025-01,medicine,J01MA02,O,,10,500
380780080,2025-01,medicine,J01XA01,P,20000000,,
";
    let days = "establishment,period,ward_type,patient_days,admissions
380780080,2025-01,medicine,1e-300,100
380780080,2025-02,medicine,0.5,1
380780080,2025-03,medicine,1e12,1
";
    let (files, p) = hospital::read_files(consumption.as_bytes(), days.as_bytes());
    let at: Vec<(File, usize, &str)> = p
        .listed
        .iter()
        .map(|(f, p)| (*f, p.line, p.column.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (File::Consumption, 2, "grams"),
            (File::Consumption, 3, "grams"),
            (File::Consumption, 4, "grams"),
            (File::Consumption, 5, "strength_g"),
            (File::Consumption, 6, "grams"),
            (File::Denominators, 2, "patient_days"),
            (File::Denominators, 3, "patient_days"),
            (File::Denominators, 4, "patient_days"),
        ]
    );
    assert!(
        p.listed[0].1.message.contains("10\u{a0}000\u{a0}000"),
        "{}",
        p.listed[0].1.message
    );
    assert_eq!(
        p.listed[0].1.message_en,
        "quantity in grams: implausible value (at most 10\u{a0}000\u{a0}000)"
    );
    assert!(files.consumption.is_empty() && files.denominators.is_empty());
}

#[test]
fn the_problems_listed_are_capped_and_counted() {
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    for _ in 0..2500 {
        consumption.push_str("380780080,2025-01,medicine,J01CA04,O,x\n");
    }
    let (_, p) = hospital::read_files(consumption.as_bytes(), DENOMINATORS.as_bytes());
    assert_eq!(p.total, 2500);
    assert_eq!(p.listed.len(), hospital::Problems::LISTED);
}

#[test]
fn a_nursing_home_gives_resident_days_without_admissions() {
    let table = DddTable::embedded(2026).unwrap();
    let consumption = "establishment,period,ward_type,atc,route,grams\n\
                       380000001,2025-03,nursing_home,J01CA04,O,75\n";
    // 75 g amoxicillin oral / 1.5 g = 50 DDD over 2,500 resident-days: 20 per 1000.
    let days =
        "establishment,period,ward_type,resident_days\n380000001,2025-03,nursing_home,2500\n";
    let files = files(consumption, days);
    assert_eq!(files.denominators[0].patient_days, 2500.0);
    assert_eq!(files.denominators[0].admissions, 0.0);
    let out = hospital::indicators(&files, &[By::Year], &["J01".into()], &table).unwrap();
    assert_eq!(out.rows[0].per_1000_patient_days(), Some(20.0));
    assert_eq!(out.rows[0].per_100_admissions(), None);
}

#[test]
fn a_file_with_both_kinds_of_days_is_read_row_by_row() {
    // Before, the resident-days of such a file were silently dropped.
    let days = "establishment,period,ward_type,patient_days,resident_days,admissions
380780080,2025-01,medicine,1000,,100
380000001,2025-01,nursing_home,,2500,
380000001,2025-02,nursing_home,2400,2400,
380000001,2025-03,nursing_home,,,
";
    let (files, p) = hospital::read_files(
        b"establishment,period,ward_type,atc,route,grams\n380780080,2025-01,medicine,J01CA04,O,3\n",
        days.as_bytes(),
    );
    let days: Vec<f64> = files.denominators.iter().map(|d| d.patient_days).collect();
    assert_eq!(days, [1000.0, 2500.0]);
    let at: Vec<(usize, &str)> = p
        .listed
        .iter()
        .map(|(_, p)| (p.line, p.column.as_str()))
        .collect();
    assert_eq!(at, [(4, "resident_days"), (5, "patient_days")]);
    assert!(p.listed[0].1.message.contains("pas les deux"));
    // A file whose columns do not say which days it carries is refused with the reason.
    let p = problems(
        "establishment,period,ward_type,atc,route,grams\n380780080,2025-01,medicine,J01CA04,O,3\n",
        "establishment,period,ward_type,days\n380780080,2025-01,medicine,10\n",
    );
    assert_eq!(p, [(File::Denominators, 1, "patient_days".to_string())]);
}

#[test]
fn numerator_and_denominator_cover_the_same_months() {
    // Twelve months of consumption, six of patient-days: the indicator is computed over the
    // six matched months (not all the DDD over half the days), and the other six are named.
    let table = DddTable::embedded(2026).unwrap();
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    let mut days = String::from("establishment,period,ward_type,patient_days,admissions\n");
    for m in 1..=12 {
        consumption.push_str(&format!(
            "380780080,2025-{m:02},medicine,J01CA04,O,{}\n",
            150 * m
        ));
        if m <= 6 {
            days.push_str(&format!("380780080,2025-{m:02},medicine,1000,100\n"));
        }
    }
    days.push_str("380780080,2025-01,icu,300,30\n");
    let files = files(&consumption, &days);
    let out = hospital::indicators(&files, &[By::Year], &["J01".into()], &table).unwrap();
    // Months 1–6: 150 × 21 g / 1.5 g = 2,100 DDD over 6,000 patient-days = 350 per 1000.
    assert_eq!(out.rows[0].ddd, 2100.0);
    assert_eq!(out.rows[0].patient_days, Some(6000.0));
    assert_eq!(out.rows[0].per_1000_patient_days(), Some(350.0));
    let left: Vec<(Missing, String, String, usize)> = out
        .left_out
        .iter()
        .map(|u| {
            (
                u.missing,
                u.first.to_string(),
                u.last.to_string(),
                u.periods,
            )
        })
        .collect();
    assert_eq!(
        left,
        [
            (Missing::Consumption, "2025-01".into(), "2025-01".into(), 1),
            (Missing::Denominator, "2025-07".into(), "2025-12".into(), 6),
        ]
    );
    assert_eq!(
        out.left_out[1].message_fr(),
        "380780080, Médecine, 2025-07 à 2025-12 (6 périodes) : consommation sans journées \
         (dénominateur) (ligne 8 des consommations)"
    );
}

#[test]
fn units_times_strength_when_grams_are_not_given() {
    // 40 vials of ceftriaxone 1 g, and 12 tablets of amoxicillin 0.5 g beside a grams row.
    let file = "establishment;period;ward_type;atc;route;grams;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;;40;1\n\
                380780080;2025-01;medicine;J01CA04;O;;12;0,5\n\
                380780080;2025-01;medicine;J01CR02;O;3;;\n";
    let grams: Vec<f64> = files(file, DENOMINATORS)
        .consumption
        .iter()
        .map(|r| r.grams)
        .collect();
    assert_eq!(grams, [40.0, 6.0, 3.0]);
    // Without a grams column at all.
    let file = "establishment;period;ward_type;atc;route;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;10;2\n";
    assert_eq!(files(file, DENOMINATORS).consumption[0].grams, 20.0);
    // A strength missing: named.
    let file = "establishment;period;ward_type;atc;route;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;10;\n";
    assert_eq!(
        problems(file, DENOMINATORS),
        [(File::Consumption, 2, "strength_g".to_string())]
    );
    // Neither grams nor units: the grams column is required.
    let p = problems(
        "establishment;period;ward_type;atc;route\n1;2025;x;J01CA04;O\n",
        DENOMINATORS,
    );
    assert_eq!(p[0].2, "grams");
}

#[test]
fn a_finess_of_no_establishment_of_the_region_is_a_problem_once_per_file() {
    let files = files(CONSUMPTION, DENOMINATORS);
    let region: std::collections::HashMap<String, i64> = [("380780080".to_string(), 7)].into();
    let mut problems = hospital::Problems::default();
    let ids = hospital::resolve_establishments(&files, &region, &mut problems);
    let id = |finess: &str| {
        ids[files
            .establishments
            .iter()
            .position(|e| e == finess)
            .unwrap()]
    };
    assert_eq!((id("380780080"), id("690000000")), (Some(7), None));
    assert_eq!(
        problems
            .listed
            .iter()
            .map(|(f, p)| (
                *f,
                p.line,
                p.column.as_str(),
                p.value.as_str(),
                p.message.as_str()
            ))
            .collect::<Vec<_>>(),
        [
            (
                File::Consumption,
                7,
                "establishment",
                "690000000",
                "aucun établissement de la région ne porte ce numéro FINESS"
            ),
            (
                File::Denominators,
                4,
                "establishment",
                "690000000",
                "aucun établissement de la région ne porte ce numéro FINESS"
            ),
        ]
    );
    let region: std::collections::HashMap<String, i64> = [("690000000".to_string(), 8)].into();
    let mut problems = hospital::Problems::default();
    hospital::resolve_establishments(&files, &region, &mut problems);
    assert_eq!(
        problems.listed[0].1.message,
        "aucun établissement de la région ne porte ce numéro FINESS (5 lignes, la première ici)"
    );
    // Each problem says it in French and in English; the language asked for picks the one shown.
    let p = problems.listed[0].1.clone();
    assert_eq!(
        p.message_en,
        "no establishment of the region has this FINESS number (5 lines, the first one here)"
    );
    assert_eq!(p.clone().in_lang(cratb_domain::Lang::Fr).message, p.message);
    assert_eq!(
        p.clone().in_lang(cratb_domain::Lang::En).message,
        p.message_en
    );
    assert_eq!(
        serde_json::to_value(&p).unwrap()["message"],
        serde_json::json!(p.message),
        "the JSON shape is unchanged: no message_en"
    );
    assert!(
        serde_json::to_value(&p)
            .unwrap()
            .get("message_en")
            .is_none()
    );
    assert_eq!(
        (
            problems.listed[0].1.line,
            problems.listed[1].1.line,
            problems.total
        ),
        (2, 2, 2)
    );
}

#[test]
fn inhaled_forms_keep_their_ddd_and_a_plain_inhal_is_refused_where_who_has_two() {
    let table = DddTable::embedded(2026).unwrap();
    // 3 g of tobramycin solution (WHO 0.3 g) are 10 DDD; 1.12 g of powder (0.112 g) 10 more;
    // amikacin has a single inhaled DDD (0.59 g solution): a plain `Inhal` reads it.
    let consumption = "establishment,period,ward_type,atc,route,grams
380780080,2025-01,medicine,J01GB01,Inhal.solution,3
380780080,2025-01,medicine,J01GB01,Inhal.powder,1.12
380780080,2025-01,medicine,J01GB06,Inhal,5.9
";
    let denominators = "establishment,period,ward_type,patient_days,admissions
380780080,2025-01,medicine,1000,100
";
    let files = files(consumption, denominators);
    let mut problems = hospital::Problems::default();
    hospital::inhaled_forms(&files, &table, &mut problems);
    assert!(problems.is_empty(), "{:?}", problems.listed);
    let out = hospital::indicators(
        &files,
        &[By::Year],
        &["J01GB01".into(), "J01GB06".into()],
        &table,
    )
    .unwrap();
    let ddd: Vec<f64> = out.rows.iter().map(|r| r.ddd).collect();
    assert!((ddd[0] - 20.0).abs() < 1e-9, "{ddd:?}");
    assert!((ddd[1] - 10.0).abs() < 1e-9, "{ddd:?}");
    assert!(out.unconverted.is_empty());
    // A plain `Inhal` of tobramycin: refused at its line, the two forms named.
    let consumption = "establishment,period,ward_type,atc,route,grams
380780080,2025-01,medicine,J01GB01,Inhal,3
";
    let files = self::files(consumption, denominators);
    let mut problems = hospital::Problems::default();
    hospital::inhaled_forms(&files, &table, &mut problems);
    assert_eq!(problems.total, 1);
    let (file, p) = &problems.listed[0];
    assert_eq!(
        (*file, p.line, p.column.as_str()),
        (File::Consumption, 2, "route")
    );
    assert!(
        p.message.contains("Inhal.powder") && p.message.contains("Inhal.solution"),
        "{}",
        p.message
    );
    assert!(p.message_en.contains("Inhal.powder") && p.message_en.contains("Inhal.solution"));
    // WHO's spelling is read as it is; anything else is not a route.
    assert_eq!(
        problems_of("380780080,2025-01,medicine,J01GB01,Inhal.spray,3\n"),
        [(File::Consumption, 2, "route".to_string())]
    );
}

fn problems_of(rows: &str) -> Vec<(File, usize, String)> {
    problems(
        &format!("establishment,period,ward_type,atc,route,grams\n{rows}"),
        "establishment,period,ward_type,patient_days,admissions\n380780080,2025-01,medicine,1000,100\n",
    )
}
