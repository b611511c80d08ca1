//! Hospital indicators on small files computed by hand.

use cratb_consumption::hospital::{self, By};
use cratb_consumption::{DddTable, to_csv, to_json};

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

fn run(by: &[By], prefixes: &[&str]) -> (String, hospital::Outcome) {
    let table = DddTable::embedded(2026).unwrap();
    let rows = hospital::read_consumption(CONSUMPTION.as_bytes()).unwrap();
    let days = hospital::read_denominators(DENOMINATORS.as_bytes()).unwrap();
    let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
    let outcome = hospital::indicators(&rows, &days, by, &prefixes, &table).unwrap();
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
    let rows: Vec<_> = hospital::read_consumption(CONSUMPTION.as_bytes())
        .unwrap()
        .into_iter()
        .filter(|r| r.establishment == "380780080")
        .collect();
    let days = hospital::read_denominators(DENOMINATORS.as_bytes()).unwrap();
    let by = [By::Month, By::WardType];
    let out = hospital::indicators(&rows, &days, &by, &["J01".into()], &table).unwrap();
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
    let rows = hospital::read_consumption(CONSUMPTION.as_bytes()).unwrap();
    let by = [By::Establishment];
    let out = hospital::indicators(&rows, &[], &by, &["J01".into()], &table).unwrap();
    let csv = String::from_utf8(to_csv(&by, &out.rows)).unwrap();
    assert!(csv.contains("\n380780080,J01,250.00,,,,\n"), "{csv}");
}

#[test]
fn a_yearly_row_cannot_be_split_into_months() {
    let table = DddTable::embedded(2026).unwrap();
    let rows = hospital::read_consumption(CONSUMPTION.as_bytes()).unwrap();
    let e = hospital::indicators(&rows, &[], &[By::Month], &["J01".into()], &table).unwrap_err();
    assert!(e.0.contains("ligne 7"), "{}", e.0);
}

#[test]
fn bad_rows_are_reported_with_line_column_and_value() {
    let bad = "establishment,period,ward_type,atc,route,grams
380780080,2025-13,medicine,J01CA04,O,300
380780080,2025-01,medicine,J01,X,-2
";
    let problems = hospital::read_consumption(bad.as_bytes()).unwrap_err();
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [(2, "period"), (3, "atc"), (3, "route"), (3, "grams")]
    );
    assert!(problems[0].to_string().contains("« 2025-13 »"));
    let missing =
        hospital::read_denominators(b"establishment,period,patient_days\n380780080,2025,10\n")
            .unwrap_err();
    assert_eq!(missing.len(), 2, "ward_type and admissions are missing");
}

#[test]
fn a_nursing_home_gives_resident_days_without_admissions() {
    let table = DddTable::embedded(2026).unwrap();
    let consumption = "establishment,period,ward_type,atc,route,grams\n\
                       380000001,2025-03,nursing_home,J01CA04,O,75\n";
    // 75 g amoxicillin oral / 1.5 g = 50 DDD over 2,500 resident-days: 20 per 1000.
    let days =
        "establishment,period,ward_type,resident_days\n380000001,2025-03,nursing_home,2500\n";
    let rows = hospital::read_consumption(consumption.as_bytes()).unwrap();
    let days = hospital::read_denominators(days.as_bytes()).unwrap();
    assert_eq!(days[0].patient_days, 2500.0);
    assert_eq!(days[0].admissions, 0.0);
    let out = hospital::indicators(&rows, &days, &[By::Year], &["J01".into()], &table).unwrap();
    assert_eq!(out.rows[0].per_1000_patient_days(), Some(20.0));
    assert_eq!(out.rows[0].per_100_admissions(), None);
}

#[test]
fn units_times_strength_when_grams_are_not_given() {
    // 40 vials of ceftriaxone 1 g, and 12 tablets of amoxicillin 0.5 g beside a grams row.
    let file = "establishment;period;ward_type;atc;route;grams;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;;40;1\n\
                380780080;2025-01;medicine;J01CA04;O;;12;0,5\n\
                380780080;2025-01;medicine;J01CA04;O;3;;\n";
    let rows = hospital::read_consumption(file.as_bytes()).unwrap();
    let grams: Vec<f64> = rows.iter().map(|r| r.grams).collect();
    assert_eq!(grams, [40.0, 6.0, 3.0]);
    // Without a grams column at all.
    let file = "establishment;period;ward_type;atc;route;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;10;2\n";
    assert_eq!(
        hospital::read_consumption(file.as_bytes()).unwrap()[0].grams,
        20.0
    );
    // A strength missing: named.
    let file = "establishment;period;ward_type;atc;route;units;strength_g\n\
                380780080;2025-01;icu;J01DD04;P;10;\n";
    let p = hospital::read_consumption(file.as_bytes()).unwrap_err();
    assert_eq!((p[0].line, p[0].column.as_str()), (2, "strength_g"));
    // Neither grams nor units: the grams column is required.
    let p = hospital::read_consumption(
        b"establishment;period;ward_type;atc;route\n1;2025;x;J01CA04;O\n",
    )
    .unwrap_err();
    assert_eq!(p[0].column, "grams");
}
