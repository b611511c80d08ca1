//! `cratb consumption ddd` on small files: the exact columns, the formats, the errors.

use std::process::Command;

/// The two small files, in a folder of the test's own: tests run in parallel and
/// must not rewrite each other's files while the binary reads them.
fn files(test: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "cratb-consumption-cli-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("consommation.csv");
    std::fs::write(
        &c,
        "establishment;period;ward_type;atc;route;grams\n\
         380780080;2025-01;medicine;J01CA04;O;300\n\
         380780080;2025-03;medicine;J01CR02;P;90\n\
         380780080;2024-12;icu;J01XB01;P;10\n",
    )
    .unwrap();
    let d = dir.join("denominateurs.csv");
    std::fs::write(
        &d,
        "establishment,period,ward_type,patient_days,admissions\n\
         380780080,2025-01,medicine,600,60\n\
         380780080,2025-03,medicine,400,40\n",
    )
    .unwrap();
    (dir, c, d)
}

fn cratb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cratb"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn ddd_prints_the_contracted_columns() {
    let (dir, c, d) = files("ddd_prints_the_contracted_columns");
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
        "--by",
        "establishment,year",
        "--atc-prefix",
        "J01,J01CR",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "establishment,year,atc_prefix,ddd,patient_days,ddd_per_1000_patient_days,admissions,ddd_per_100_admissions
380780080,2024,J01,0.00,,,,
380780080,2024,J01CR,0.00,,,,
380780080,2025,J01,230.00,1000,230.00,100,230.00
380780080,2025,J01CR,30.00,1000,30.00,100,30.00
"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("J01XB01") && err.contains("non comptés"),
        "{err}"
    );
    assert!(err.contains("WHOCC ATC/DDD Index 2026"), "{err}");

    // JSON and XLSX.
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[1]["ddd_per_100_admissions"], 230.0);
    let xlsx = dir.join("ddd.xlsx");
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
        "--format",
        "xlsx",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    // The 2025 edition can be chosen.
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
        "--ddd-edition",
        "2025",
    ]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("Index 2025")
    );
}

#[test]
fn bad_input_exits_with_2_and_says_where() {
    let (dir, c, d) = files("bad_input_exits_with_2_and_says_where");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "establishment,period,ward_type,atc,route,grams\n380780080,2025,icu,J01CA04,O,beaucoup\n",
    )
    .unwrap();
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        bad.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("ligne 2, colonne « grams », valeur « beaucoup »"),
        "{err}"
    );
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
        "--by",
        "service",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("« service » inconnu")
    );
}

#[test]
fn numerator_and_denominator_cover_the_same_months() {
    // Twelve months of consumption and six of patient-days: the figure is over the six
    // matched months, and the six others are named on stderr.
    let dir = std::env::temp_dir().join(format!(
        "cratb-consumption-cli-{}-matched",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (c, d) = (dir.join("conso.csv"), dir.join("jours.csv"));
    let mut consumption = String::from("establishment,period,ward_type,atc,route,grams\n");
    let mut days = String::from("establishment,period,ward_type,patient_days,admissions\n");
    for m in 1..=12 {
        consumption.push_str(&format!(
            "380780080,2025-{m:02},Médecine,J01CA04,O,{}\n",
            100 * m
        ));
        if m > 6 {
            days.push_str(&format!("380780080,2025-{m:02},medicine,1000,100\n"));
        }
    }
    std::fs::write(&c, consumption).unwrap();
    std::fs::write(&d, days).unwrap();
    let out = cratb(&[
        "consumption",
        "ddd",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Months 7–12: 100 × (7 + … + 12) g / 1.5 g = 3,800 DDD over 6,000 patient-days.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "establishment,year,atc_prefix,ddd,patient_days,ddd_per_1000_patient_days,admissions,ddd_per_100_admissions
380780080,2025,J01,3800.00,6000,633.33,600,633.33
"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "exclu des indicateurs : 380780080, Médecine, 2025-01 à 2025-06 (6 périodes) : \
             consommation sans journées"
        ),
        "{err}"
    );
}

#[test]
fn import_refuses_unknown_establishments_whole() {
    let (dir, c, d) = files("import_refuses_unknown_establishments_whole");
    let db = format!("sqlite://{}", dir.join("import.db").display());
    let out = cratb(&[
        "consumption",
        "import",
        "--database",
        &db,
        "--region",
        "84",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("rien n'a été importé"), "{err}");
    assert!(
        err.contains("consommation.csv : ligne 2, colonne « establishment », valeur « 380780080 »"),
        "{err}"
    );
    let out = cratb(&[
        "consumption",
        "import",
        "--database",
        &db,
        "--region",
        "99",
        "--consumption",
        c.to_str().unwrap(),
        "--denominators",
        d.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn recompute_and_reports_on_the_demo_database() {
    let dir =
        std::env::temp_dir().join(format!("cratb-consumption-cli-{}-demo", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let out = cratb(&["demo", "--database", &db]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Another shipped edition: every row recomputed, the edition named.
    let out = cratb(&[
        "consumption",
        "recompute",
        "--database",
        &db,
        "--region",
        "84",
        "--ddd-edition",
        "2025",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("lignes recalculées avec WHOCC ATC/DDD Index 2025"),
        "{said}"
    );
    let out = cratb(&[
        "consumption",
        "recompute",
        "--database",
        &db,
        "--region",
        "84",
        "--ddd-edition",
        "Index 1999",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("« Index 1999 » inconnue")
    );

    // One feedback report per establishment with data that year.
    let reports = dir.join("rapports");
    let out = cratb(&[
        "consumption",
        "reports",
        "--database",
        &db,
        "--region",
        "84",
        "--year",
        "2024",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    let files: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() > 100, "{}", files.len());
    assert!(
        said.starts_with(&format!("{} rapport(s) 2024", files.len())),
        "{said}"
    );
    for f in &files {
        assert!(std::fs::read(f).unwrap().starts_with(b"%PDF-"));
    }
    let out = cratb(&[
        "consumption",
        "reports",
        "--database",
        &db,
        "--region",
        "84",
        "--year",
        "2011",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("aucune donnée de consommation en 2011")
    );
}
