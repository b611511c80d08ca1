//! The cases of a campaign as a sheet (paper grids typed back, CSV or XLSX): one row per case
//! with `case_id`, `establishment` (FINESS), then one column per criterion code. Read all or
//! nothing: every problem is named with its line (the header is line 1), column and value.

use crate::grid::{Answer, Grid};
use cratb_domain::Finess;

/// A case as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The file's line.
    pub line: usize,
    /// The establishment's own case number.
    pub case_id: String,
    pub establishment: Finess,
    /// One answer per criterion, in the grid's order.
    pub answers: Vec<Answer>,
}

/// A problem of the sheet: line (0 for the file as a whole), column, value, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub line: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "ligne {}, ", self.line)?;
        }
        if !self.column.is_empty() {
            write!(f, "colonne {}, ", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, "« {} » : ", self.value)?;
        }
        f.write_str(&self.message)
    }
}

/// The most problems listed; the last says how many more there were.
pub const MAX_ERRORS: usize = 200;

fn limits() -> cratb_sheet::Limits {
    cratb_sheet::Limits {
        max_rows: 200_000,
        max_columns: 300,
        ..Default::default()
    }
}

/// Reads the cases of `grid` from a CSV or XLSX sheet, all or nothing.
pub fn read(bytes: &[u8], grid: &Grid) -> Result<Vec<Case>, Vec<CellError>> {
    let mut errors: Vec<CellError> = Vec::new();
    let mut more = 0usize;
    let mut push = |errors: &mut Vec<CellError>, e: CellError| {
        if errors.len() < MAX_ERRORS {
            errors.push(e);
        } else {
            more += 1;
        }
    };
    let mut columns: Option<(usize, usize, Vec<usize>)> = None;
    let mut cases: Vec<Case> = Vec::new();
    let mut seen: std::collections::HashSet<(String, String)> = Default::default();
    let sheet = cratb_sheet::Sheet::open(bytes, &limits()).and_then(|sheet| {
        sheet.for_each_row(|line, record| {
            let cells: Vec<&str> = record.iter().collect();
            if line == 1 {
                let header: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
                let find = |name: &str| header.iter().position(|h| h == name);
                let mut missing = Vec::new();
                let case_col = find("case_id");
                let est_col = find("establishment");
                for (name, col) in [("case_id", case_col), ("establishment", est_col)] {
                    if col.is_none() {
                        missing.push(name.to_string());
                    }
                }
                let mut crit = Vec::new();
                for c in &grid.criteria {
                    match find(&c.code.to_lowercase()) {
                        Some(i) => crit.push(i),
                        None => missing.push(c.code.clone()),
                    }
                }
                for m in missing {
                    push(&mut errors, CellError {
                        line: 1,
                        column: m,
                        value: String::new(),
                        message: "colonne manquante".into(),
                    });
                }
                for (i, h) in header.iter().enumerate() {
                    let known = h == "case_id"
                        || h == "establishment"
                        || grid.criteria.iter().any(|c| c.code.to_lowercase() == *h);
                    if !h.is_empty() && !known {
                        push(&mut errors, CellError {
                            line: 1,
                            column: cells[i].trim().to_string(),
                            value: String::new(),
                            message: format!("colonne inconnue : ni case_id, ni establishment, ni un critère de la grille {}", grid.code),
                        });
                    } else if !h.is_empty() && header[..i].contains(h) {
                        push(&mut errors, CellError {
                            line: 1,
                            column: cells[i].trim().to_string(),
                            value: String::new(),
                            message: "colonne en double".into(),
                        });
                    }
                }
                if !errors.is_empty() {
                    return Err(String::new());
                }
                columns = Some((case_col.unwrap_or(0), est_col.unwrap_or(0), crit));
                return Ok(());
            }
            let Some((case_col, est_col, crit)) = &columns else {
                return Err(String::new());
            };
            let cell = |i: usize| cells.get(i).copied().unwrap_or("").trim();
            let case_id = cell(*case_col).to_string();
            if case_id.is_empty() || case_id.chars().count() > 64 {
                push(&mut errors, CellError {
                    line,
                    column: "case_id".into(),
                    value: case_id.clone(),
                    message: "le numéro du cas est obligatoire (64 caractères au plus)".into(),
                });
            }
            let establishment = match Finess::parse(cell(*est_col)) {
                Ok(f) => Some(f),
                Err(e) => {
                    push(&mut errors, CellError {
                        line,
                        column: "establishment".into(),
                        value: cell(*est_col).to_string(),
                        message: e.to_string(),
                    });
                    None
                }
            };
            if let Some(f) = &establishment
                && !case_id.is_empty()
                && !seen.insert((f.as_str().to_string(), case_id.clone()))
            {
                push(&mut errors, CellError {
                    line,
                    column: "case_id".into(),
                    value: case_id.clone(),
                    message: "ce cas figure déjà pour cet établissement".into(),
                });
            }
            let mut answers = Vec::with_capacity(crit.len());
            for (c, &i) in grid.criteria.iter().zip(crit) {
                match c.read(cell(i)) {
                    Ok(a) => answers.push(a),
                    Err(m) => push(&mut errors, CellError {
                        line,
                        column: c.code.clone(),
                        value: cell(i).to_string(),
                        message: m,
                    }),
                }
            }
            if errors.is_empty()
                && let Some(establishment) = establishment
            {
                cases.push(Case {
                    line,
                    case_id,
                    establishment,
                    answers,
                });
            }
            Ok(())
        })
    });
    match sheet {
        Ok(()) => {}
        Err(cratb_sheet::SheetError::Stopped(_)) => {}
        Err(e) => errors.push(CellError {
            line: 0,
            column: String::new(),
            value: String::new(),
            message: e.to_string(),
        }),
    }
    if more > 0 {
        errors.push(CellError {
            line: 0,
            column: String::new(),
            value: String::new(),
            message: format!("et {more} autres problèmes non listés"),
        });
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::from_json(crate::grid::tests::GRID).unwrap()
    }

    #[test]
    fn cases_are_read_with_their_answers() {
        let csv = "case_id;establishment;indication;delay;molecule;surgery_on;note\n\
                   A1;380780080;oui;30;cefazoline;2026-03-01;\n\
                   A2;380780080;NA;75,5;Autre;01/03/2026;ras\n";
        let cases = read(csv.as_bytes(), &grid()).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[1].answers[0], Answer::NotApplicable);
        assert_eq!(cases[1].answers[1], Answer::Number(75.5));
        assert_eq!(cases[1].line, 3);
    }

    #[test]
    fn every_bad_cell_is_named() {
        let csv = "case_id;establishment;indication;delay;molecule;surgery_on;note\n\
                   A1;380780080;peut-être;30;cefazoline;2026-03-01;\n\
                   A1;380780080;oui;trente;vancomycine;2026-02-30;\n\
                   ;12;oui;1;autre;;\n";
        let e = read(csv.as_bytes(), &grid()).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "indication"),
                (3, "case_id"),
                (3, "delay"),
                (3, "molecule"),
                (3, "surgery_on"),
                (4, "case_id"),
                (4, "establishment"),
            ]
        );
        assert_eq!(e[0].value, "peut-être");
        assert!(
            e[0].to_string()
                .starts_with("ligne 2, colonne indication, « peut-être » : ")
        );
    }

    #[test]
    fn the_header_names_every_criterion_once() {
        let csv = "case_id;establishment;indication;delay;molecule;surgery_on;remarque;delay\n";
        let e = read(csv.as_bytes(), &grid()).unwrap_err();
        let cols: Vec<&str> = e.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["note", "remarque", "delay"]);
    }
}
