//! The layering of the workspace, read from `cargo metadata`: dependencies point down only.
//!
//! ```text
//! cratb (binary) → cratb-web → cratb-app → cratb-store → rule crates → cratb-sheet
//! ```
//! Rule crates (the domain and one per capability) know nothing of storage or HTTP; the store
//! knows nothing of HTTP; the web crate writes no SQL; tables are written (as spreadsheets
//! are opened) by `cratb-sheet` alone. Only what a crate builds with counts (normal and build
//! dependencies): tests may set up their world as they need, and only they may use
//! `cratb-testkit`.

use std::collections::BTreeSet;

/// Crates of pure rules: no I/O beyond reading what they are handed.
const RULE_CRATES: [&str; 9] = [
    "cratb-domain",
    "cratb-directory",
    "cratb-advice",
    "cratb-audit",
    "cratb-sheet",
    "cratb-amr",
    "cratb-consumption",
    "cratb-report",
    "cratb-resistance",
];
/// What sits above the rule crates, and the frameworks of the layers above them.
const ABOVE_RULES: [&str; 9] = [
    "cratb-store",
    "cratb-app",
    "cratb-web",
    "cratb",
    "cratb-demo",
    "sqlx",
    "axum",
    "utoipa",
    "tokio",
];

/// The libraries that write spreadsheets and table files: `cratb-sheet`'s alone, so that every
/// export is written the same way. (Its reader, calamine, is checked by
/// `crates/cratb-sheet/tests/one_reader.rs`.)
const TABLE_WRITERS: [&str; 2] = ["rust_xlsxwriter", "parquet"];

/// `optional`: the dependency is behind a feature of `krate`, off by default.
fn forbidden(krate: &str, dependency: &str, optional: bool) -> bool {
    // The tests' helpers are for tests only: a dev-dependency, never built into cratb.
    if dependency == "cratb-testkit" {
        return true;
    }
    if TABLE_WRITERS.contains(&dependency) {
        return krate != "cratb-sheet";
    }
    if RULE_CRATES.contains(&krate) {
        // A rule crate may describe its types to OpenAPI behind its `openapi` feature, which
        // only the web crate turns on; it never needs utoipa to build or to be tested.
        if dependency == "utoipa" && optional {
            return false;
        }
        return ABOVE_RULES.contains(&dependency)
            || (krate == "cratb-sheet" && dependency.starts_with("cratb"));
    }
    match krate {
        "cratb-store" => matches!(
            dependency,
            "cratb-app" | "cratb-web" | "cratb" | "cratb-demo" | "axum" | "utoipa"
        ),
        "cratb-app" => matches!(dependency, "cratb-web" | "cratb" | "axum" | "utoipa"),
        "cratb-demo" => matches!(dependency, "cratb-web" | "cratb" | "axum"),
        "cratb-web" => matches!(dependency, "sqlx" | "cratb"),
        _ => false,
    }
}

#[test]
fn dependencies_point_down_only() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut breaches = BTreeSet::new();
    let mut crates = BTreeSet::new();
    for package in metadata["packages"].as_array().unwrap() {
        let krate = package["name"].as_str().unwrap();
        crates.insert(krate.to_owned());
        for dependency in package["dependencies"].as_array().unwrap() {
            if dependency["kind"].as_str() == Some("dev") {
                continue;
            }
            let name = dependency["name"].as_str().unwrap();
            let optional = dependency["optional"].as_bool() == Some(true);
            if forbidden(krate, name, optional) {
                breaches.insert((krate.to_owned(), name.to_owned()));
            }
        }
    }
    for expected in [
        "cratb-domain",
        "cratb-sheet",
        "cratb-directory",
        "cratb-store",
        "cratb-app",
        "cratb-web",
    ] {
        assert!(crates.contains(expected), "{expected} not in the workspace");
    }
    assert!(
        breaches.is_empty(),
        "dependencies pointing up: {breaches:?}"
    );
}

/// The binary uses the web crate to serve and for nothing else: every command of the CLI goes
/// through the use cases and the capability crates, never through a page.
#[test]
fn the_command_line_uses_the_web_crate_only_to_serve() {
    const SERVING: [&str; 4] = [
        "cratb_web::AppState",
        "cratb_web::Config",
        "cratb_web::serve",
        "cratb_web::mail::Mailer",
    ];
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut uses = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("cratb_web::") {
            let path_used: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if !SERVING.iter().any(|s| path_used.starts_with(s)) {
                uses.push(format!("{}: {path_used}", path.display()));
            }
        }
    }
    assert!(
        uses.is_empty(),
        "the CLI reaches into the web crate: {uses:?}"
    );
}
