//! The same isolates written the ways laboratories write them — wide or long, CSV with `,` or
//! `;`, with a BOM, French dates, any header case, XLSX — read to the same results.

#[path = "../../cratb-sheet/tests/hostile/mod.rs"]
mod hostile;

use cratb_amr::{Dataset, ProblemKind, ReadOptions, Sir, read};

const WIDE: &str = "patient_id,date,organism,specimen,CTX_mic,CIP_disk,AMX\n\
                    P1,2025-01-03,E. coli,urine,0.5,,R\n\
                    P2,2025-01-04,Klebsiella pneumoniae,blood,>=64,12,\n\
                    P3,2025-02-10,S. aureus,pus,,,S\n";

fn results(data: &Dataset) -> Vec<(String, String, Sir)> {
    let mut out = Vec::new();
    for r in 0..data.len() {
        for a in &data.agents {
            if a.results[r] != Sir::Missing {
                out.push((
                    data.patients[data.patient[r] as usize].to_string(),
                    a.code.clone(),
                    a.results[r],
                ));
            }
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn read_ok(bytes: &[u8]) -> Dataset {
    read(bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{:?}", e.problems))
}

#[test]
fn separators_bom_dates_and_header_case_do_not_matter() {
    let reference = results(&read_ok(WIDE.as_bytes()));
    assert_eq!(reference.len(), 5, "{reference:?}");
    let french = "\u{feff}PATIENT_ID;Date;Organism;Specimen;ctx_MIC;Cip_Disk;amx\n\
                  P1;03/01/2025;E. coli;urine;0,5;;R\n\
                  P2;04/01/2025;Klebsiella pneumoniae;blood;>=64;12;\n\
                  P3;10/02/2025;S. aureus;pus;;;S\n";
    assert_eq!(results(&read_ok(french.as_bytes())), reference);
}

#[test]
fn a_long_file_is_pivoted_to_the_same_isolates() {
    let long = "isolate_id,patient_id,date,organism,specimen,antimicrobial,mic,disk,sir\n\
                I1,P1,2025-01-03,E. coli,urine,CTX,0.5,,\n\
                I1,P1,2025-01-03,E. coli,urine,AMX,,,R\n\
                I2,P2,2025-01-04,Klebsiella pneumoniae,blood,CTX,>=64,,\n\
                I2,P2,2025-01-04,Klebsiella pneumoniae,blood,CIP,,12,\n\
                I3,P3,2025-02-10,S. aureus,pus,AMX,,,S\n";
    let data = read_ok(long.as_bytes());
    assert_eq!(data.len(), 3);
    assert_eq!(
        data.records, 3,
        "rows are isolates, not the long file's lines"
    );
    assert_eq!(results(&data), results(&read_ok(WIDE.as_bytes())));
    // Problems name the line of the long file.
    let bad = long.replace(
        "I2,P2,2025-01-04,Klebsiella pneumoniae,blood,CIP,,12,",
        "I2,P2,2025-01-04,Klebsiella pneumoniae,blood,XYZ,,12,",
    );
    let invalid = read(bad.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(invalid.problems[0].line, 5);
    assert_eq!(invalid.problems[0].kind, ProblemKind::UnknownAntimicrobial);
}

#[test]
fn an_xlsx_sheet_reads_like_its_csv() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let rows: Vec<Vec<&str>> = WIDE.lines().map(|l| l.split(',').collect()).collect();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r > 0 && c == 1 {
                // Real spreadsheet dates, not text.
                let (y, m, d) = (
                    value[..4].parse().unwrap(),
                    value[5..7].parse().unwrap(),
                    value[8..].parse().unwrap(),
                );
                sheet
                    .write_datetime_with_format(
                        r,
                        c,
                        ExcelDateTime::from_ymd(y, m, d).unwrap(),
                        &date_format,
                    )
                    .unwrap();
            } else if let (true, Ok(n)) = (r > 0, value.parse::<f64>()) {
                sheet.write_number(r, c, n).unwrap();
            } else if !value.is_empty() {
                sheet.write_string(r, c, *value).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    assert_eq!(
        results(&read_ok(&bytes)),
        results(&read_ok(WIDE.as_bytes()))
    );
}

#[test]
fn a_file_that_is_not_a_table_says_so() {
    let invalid = read(b"", &ReadOptions::default()).unwrap_err();
    assert!(!invalid.problems.is_empty());
    let invalid = read(b"name,value\nx,1\n", &ReadOptions::default()).unwrap_err();
    assert_eq!(invalid.problems[0].kind, ProblemKind::MissingColumn);
    assert!(
        invalid.problems[0]
            .describe(cratb_domain::Lang::Fr)
            .contains("patient_id")
    );
    let invalid = read(b"PK\x03\x04not really a zip", &ReadOptions::default()).unwrap_err();
    assert!(
        invalid.problems[0]
            .describe(cratb_domain::Lang::Fr)
            .contains("XLSX")
    );
}

#[test]
fn a_file_without_rows_is_refused_rather_than_read_as_nothing() {
    for file in [
        "patient_id,date,organism,AMX\n".as_bytes().to_vec(),
        hostile::workbook(
            None,
            &["patient_id", "date", "organism", "AMX"]
                .iter()
                .enumerate()
                .map(|(c, h)| hostile::cell(0, c as u32, h))
                .collect::<String>(),
            None,
        ),
    ] {
        let invalid = read(&file, &ReadOptions::default()).unwrap_err();
        assert!(
            invalid.problems[0]
                .describe(cratb_domain::Lang::Fr)
                .contains("que sa ligne d'en-tête"),
            "{:?}",
            invalid.problems
        );
    }
}

#[test]
fn a_hostile_workbook_is_refused_before_it_is_read() {
    // The isolate reader opens its files through cratb-sheet: every hostile file is refused
    // with cratb-sheet's message (read whole, as CSV text).
    for f in hostile::all() {
        if f.name.starts_with("header-only") {
            continue;
        }
        let invalid = read(&f.bytes, &ReadOptions::default()).expect_err(f.name);
        let message = invalid.problems[0].describe(cratb_domain::Lang::Fr);
        assert!(message.contains(f.refused_with), "{}: {message}", f.name);
    }
}
