//! Every hostile file of `tests/hostile/` is refused, with its message, whichever way it is
//! read (row by row, or whole as CSV text for the isolate reader), before it can take memory.

mod hostile;

use cratb_sheet::{Limits, Sheet};

#[test]
fn every_hostile_file_is_refused_with_its_reason() {
    for f in hostile::all() {
        let rows = Sheet::open(&f.bytes, &Limits::default())
            .and_then(|s| s.for_each_row(|_, _| Ok(())))
            .expect_err(f.name)
            .to_string();
        assert!(
            rows.contains(f.refused_with),
            "{} ({}): « {rows} » lacks « {} »",
            f.name,
            f.what,
            f.refused_with
        );
        // Read whole (as the isolate reader does), a file without rows is the reader's to
        // refuse; every other is refused the same way.
        if f.name.starts_with("header-only") {
            continue;
        }
        let whole = Sheet::open(&f.bytes, &Limits::default())
            .and_then(|s| s.into_csv())
            .expect_err(f.name)
            .to_string();
        assert!(whole.contains(f.refused_with), "{}: « {whole} »", f.name);
    }
}

#[test]
fn the_hostile_workbooks_are_small() {
    // What makes them hostile is what they expand to, not their size: each fits in the 1 MiB
    // body of the smallest upload route.
    for f in hostile::all() {
        assert!(
            f.bytes.len() < 1 << 20,
            "{}: {} bytes",
            f.name,
            f.bytes.len()
        );
    }
}

#[test]
fn a_real_workbook_is_read_cell_by_cell() {
    use hostile::{cell, shared_cell, workbook};
    let rows = [
        cell(0, 0, "finess"),
        cell(0, 1, "atc"),
        cell(0, 3, "grammes"),
        shared_cell(1, 0, 0),
        cell(1, 1, "J01CA04"),
        "<row r=\"2\"><c r=\"D2\"><v>1250</v></c></row>".into(),
        // Row 3 is empty; row 4 has a number with decimals and a comma to quote.
        "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>a,b</t></is></c><c r=\"D4\"><v>0.5</v></c></row>".into(),
    ]
    .concat();
    let book = workbook(Some("A1:D4"), &rows, Some(&["630780989"]));
    let mut seen = Vec::new();
    Sheet::open(&book, &Limits::default())
        .unwrap()
        .for_each_row(|line, r| {
            seen.push((line, r.iter().collect::<Vec<_>>().join("|")));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        seen,
        [
            (1, "finess|atc||grammes".to_string()),
            (2, "630780989|J01CA04||1250".to_string()),
            (4, "a,b|||0.5".to_string()),
        ]
    );
    let csv = Sheet::open(&book, &Limits::default())
        .unwrap()
        .into_csv()
        .unwrap();
    assert_eq!(
        String::from_utf8(csv.into_owned()).unwrap(),
        "finess,atc,,grammes\n630780989,J01CA04,,1250\n\n\"a,b\",,,0.5\n"
    );
    // The table of a directory import, within its own limits.
    let table = cratb_sheet::read(&book).unwrap();
    assert_eq!(table.rows.len(), 3);
    assert_eq!(table.cell(2, 0), "a,b");
    let few = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    assert_eq!(
        cratb_sheet::read_within(&book, &few).unwrap_err(),
        "le fichier déclare 3 lignes de données : au plus 2 lignes de données"
    );
}

#[test]
fn a_bomb_under_a_lower_limit_is_refused_by_its_declared_size() {
    let limits = Limits {
        max_decompressed_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = Sheet::open(&hostile::sheet_bomb(8), &limits).err().unwrap();
    assert!(e.to_string().contains("au plus 4 Mio"), "{e}");
    // Within the limit, the same bomb is only empty rows: a sheet without a header.
    let e = Sheet::open(&hostile::sheet_bomb(2), &limits)
        .and_then(|s| s.for_each_row(|_, _| Ok(())))
        .unwrap_err();
    assert_eq!(e.to_string(), "le fichier est vide");
}

#[test]
fn entries_the_reader_does_not_parse_are_only_measured() {
    // A workbook with a large image: random bytes hold every XML construct by chance, but the
    // reader never parses them.
    let mut parts = vec![(
        "xl/worksheets/sheet1.xml",
        hostile::sheet_xml(
            None,
            &[hostile::cell(0, 0, "a"), hostile::cell(1, 0, "1")].concat(),
        ),
    )];
    parts.push(("xl/media/image1.png", hostile::random_bytes(4 << 20)));
    let book = hostile::workbook_parts(parts);
    assert_eq!(cratb_sheet::read(&book).unwrap().rows, [["1"]]);
}
