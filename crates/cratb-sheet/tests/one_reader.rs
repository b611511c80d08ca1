//! No crate but cratb-sheet reads spreadsheets itself: every import goes through its guarded
//! opening. A crate that depended on calamine could open a workbook unguarded.

#[test]
fn only_cratb_sheet_depends_on_the_spreadsheet_reader() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut readers = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        if text.lines().any(|l| l.trim_start().starts_with("calamine")) {
            readers.push(name);
        }
    }
    assert_eq!(readers, ["cratb-sheet"]);
}
