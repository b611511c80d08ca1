//! The commands that read a spreadsheet of the advice service and of the audits (`cratb advice
//! import`, `cratb audit results`) refuse every hostile file of `cratb-sheet/tests/hostile/`
//! with exit code 2 and a message, never a crash, and store nothing.

#[path = "../../cratb-sheet/tests/hostile/mod.rs"]
mod hostile;

mod common;

use common::{cratb, fresh_database};
use std::process::Command;

const GRID: &str = r#"{"code": "g", "version": 1, "title_fr": "G", "title_en": "G", "sectors": ["ES"],
  "criteria": [{"code": "ok", "label_fr": "OK", "label_en": "OK", "type": "yes_no", "conform": "yes"}]}"#;

#[tokio::test]
async fn the_advice_and_audit_commands_refuse_every_hostile_file() {
    let database = fresh_database().await;
    cratb(&["migrate", "--database", &database]);
    let dir = std::env::temp_dir().join(format!(
        "cratb-hostile-cli-{}",
        cratb_store::random_token(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let grid = dir.join("grid.json");
    std::fs::write(&grid, GRID).unwrap();
    for f in hostile::all() {
        let path = dir.join(f.name);
        std::fs::write(&path, &f.bytes).unwrap();
        for args in [
            vec![
                "advice",
                "import",
                path.to_str().unwrap(),
                "--region",
                "84",
                "--database",
                &database,
            ],
            vec![
                "audit",
                "results",
                "--grid",
                grid.to_str().unwrap(),
                "--cases",
                path.to_str().unwrap(),
            ],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_cratb"))
                .args(&args)
                .env("CRATB_LOG", "warn")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{} ({}) with {}: {stderr}",
                f.name,
                f.what,
                args[0]
            );
            assert!(!stderr.trim().is_empty(), "{}: a message", f.name);
        }
    }
    let db = cratb_store::Db::connect(&database).await.unwrap();
    let n: i64 = cratb_testkit::scalar(&db, "SELECT COUNT(*) FROM advice_requests").await;
    assert_eq!(n, 0, "nothing stored");
    std::fs::remove_dir_all(&dir).ok();
}
