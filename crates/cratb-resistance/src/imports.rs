//! The records of isolate imports, as listed and as an import reports: what was read, kept and
//! skipped, and each problem of a file with its place and a message in both languages.

use serde::Serialize;
use time::OffsetDateTime;

/// An import, as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Import {
    pub id: i64,
    pub region_code: String,
    pub establishment_id: Option<i64>,
    pub establishment_name: Option<String>,
    pub filename: String,
    pub guideline: String,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_skipped: i64,
    pub imported_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A problem in an imported file, with its place and a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// Line in the file (1 = header; the spreadsheet row for XLSX).
    pub line: usize,
    /// Column as named in the file's header (empty for the whole line or file).
    pub column: String,
    pub value: String,
    pub message: String,
    pub message_en: String,
}

impl ImportProblem {
    /// A problem the reader found, with its message in both languages.
    pub fn of(p: &cratb_amr::Problem) -> ImportProblem {
        ImportProblem {
            line: p.line,
            column: p.column.clone(),
            value: p.value.clone(),
            message: p.message(cratb_domain::Lang::Fr),
            message_en: p.message(cratb_domain::Lang::En),
        }
    }
    pub fn message(&self, lang: cratb_domain::Lang) -> &str {
        lang.pick(&self.message, &self.message_en)
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub import_id: i64,
    pub rows_read: usize,
    pub rows_imported: usize,
    pub rows_skipped: usize,
    /// Exactly what was skipped (with `skip_invalid`), at most 1,000 listed.
    pub skipped: Vec<ImportProblem>,
    pub guideline: String,
}

/// An establishment of the region, as the planning of a file's rows needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    pub id: i64,
    pub finess: String,
    /// `ES`, `EMS` or `VILLE`: the sector of a row that names none.
    pub sector: String,
}

/// What was decided for one row of a file that goes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowPlan {
    /// The row in the dataset.
    pub row: u32,
    pub establishment_id: Option<i64>,
    /// `ES`, `EMS`, `VILLE`, or empty when unknown.
    pub sector: &'static str,
    pub age: Option<i64>,
}

/// A file's rows checked: which go in, with what was decided for each, and what was wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planned {
    pub plans: Vec<RowPlan>,
    /// The reader's skipped rows and the refusals below, by line.
    pub problems: Vec<ImportProblem>,
    /// All the problems, the reader's unlisted ones included.
    pub total: usize,
}

const SECTORS: [&str; 3] = ["ES", "EMS", "VILLE"];

/// Decides, for each row of a file read, its establishment, sector and age, and refuses the
/// rows whose FINESS (column `establishment`) is unknown in the region or is not the
/// establishment `chosen` for the import, whose sector is not `ES`, `EMS` or `VILLE`, or whose
/// age is not a number of years from 0 to 120. A row without a FINESS belongs to `chosen`; a
/// row without a sector takes its establishment's.
pub fn plan_rows(
    data: &cratb_amr::Dataset,
    establishments: &[Establishment],
    chosen: Option<&Establishment>,
) -> Planned {
    let (finess, sector, age) = (
        data.text_column("establishment"),
        data.text_column("sector"),
        data.text_column("age"),
    );
    let mut problems: Vec<ImportProblem> = data.skipped.iter().map(ImportProblem::of).collect();
    let mut extra = 0;
    let mut problem =
        |line: u32, column: &cratb_amr::read::TextColumn, value: &str, fr: String, en: String| {
            extra += 1;
            problems.push(ImportProblem {
                line: line as usize,
                column: column.name.clone(),
                value: value.to_string(),
                message: fr,
                message_en: en,
            });
        };
    let mut plans = Vec::with_capacity(data.len());
    for r in 0..data.len() {
        let line = data.line[r];
        let mut establishment = chosen;
        if let Some(c) = finess {
            let value = c.get(r);
            if !value.is_empty() {
                match establishments.iter().find(|e| e.finess == value) {
                    Some(e) if chosen.is_none_or(|c| c.id == e.id) => establishment = Some(e),
                    Some(_) => {
                        problem(
                            line,
                            c,
                            value,
                            "ce FINESS n’est pas celui de l’établissement choisi pour l’import"
                                .into(),
                            "this FINESS is not the establishment chosen for the import".into(),
                        );
                        continue;
                    }
                    None => {
                        problem(
                            line,
                            c,
                            value,
                            format!("établissement inconnu dans la région (FINESS « {value} »)"),
                            format!("unknown establishment in the region (FINESS \"{value}\")"),
                        );
                        continue;
                    }
                }
            }
        }
        let own_sector = || establishment.map(|e| e.sector.clone()).unwrap_or_default();
        let sector_value = match sector.map(|c| (c, c.get(r).to_ascii_uppercase())) {
            Some((_, s)) if s.is_empty() => own_sector(),
            Some((_, s)) if SECTORS.contains(&s.as_str()) => s,
            Some((c, s)) => {
                problem(
                    line,
                    c,
                    &s,
                    format!("secteur inconnu « {s} » (attendu : ES, EMS ou VILLE)"),
                    format!("unknown sector \"{s}\" (expected ES, EMS or VILLE)"),
                );
                continue;
            }
            None => own_sector(),
        };
        let age_value = match age.map(|c| (c, c.get(r))) {
            Some((_, "")) => None,
            Some((c, a)) => match a.parse::<i64>() {
                Ok(n) if (0..=120).contains(&n) => Some(n),
                _ => {
                    problem(
                        line,
                        c,
                        a,
                        format!(
                            "âge invalide « {a} » (attendu : un nombre d’années entre 0 et 120)"
                        ),
                        format!("invalid age \"{a}\" (expected whole years from 0 to 120)"),
                    );
                    continue;
                }
            },
            None => None,
        };
        plans.push(RowPlan {
            row: r as u32,
            establishment_id: establishment.map(|e| e.id),
            sector: SECTORS
                .into_iter()
                .find(|s| *s == sector_value)
                .unwrap_or(""),
            age: age_value,
        });
    }
    problems.sort_by_key(|p| p.line);
    let total = data.skipped_total + extra;
    Planned {
        plans,
        problems,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> Vec<Establishment> {
        [(1, "380000010", "ES"), (2, "380000020", "EMS")]
            .map(|(id, finess, sector)| Establishment {
                id,
                finess: finess.into(),
                sector: sector.into(),
            })
            .to_vec()
    }

    fn planned(rows: &str, chosen: Option<i64>) -> Planned {
        let file = format!("patient_id;date;organism;CIP;establishment;sector;age\n{rows}");
        let data = cratb_amr::read(file.as_bytes(), &Default::default()).unwrap();
        let establishments = region();
        let chosen = chosen.map(|id| establishments.iter().find(|e| e.id == id).unwrap());
        plan_rows(&data, &establishments, chosen)
    }

    /// The one refusal of a file of one good row then one bad one: (line, column, value, fr, en).
    fn refusal(bad: &str, chosen: Option<i64>) -> (usize, String, String, String, String) {
        let p = planned(
            &format!("P1;2025-01-03;E. coli;S;380000010;;40\n{bad}\n"),
            chosen,
        );
        assert_eq!(p.plans.len(), 1, "{p:?}");
        assert_eq!((p.problems.len(), p.total), (1, 1), "{p:?}");
        let q = p.problems.into_iter().next().unwrap();
        (q.line, q.column, q.value, q.message, q.message_en)
    }

    #[test]
    fn rows_take_their_establishment_its_sector_and_their_age() {
        let p = planned(
            "P1;2025-01-03;E. coli;S;380000010;;40\n\
             P2;2025-01-03;E. coli;S;380000020;ville;\n\
             P3;2025-01-03;E. coli;S;;;\n",
            Some(2),
        );
        assert_eq!(p.problems.len(), 1, "{p:?}");
        assert_eq!(
            p.plans,
            [
                RowPlan {
                    row: 1,
                    establishment_id: Some(2),
                    sector: "VILLE",
                    age: None
                },
                RowPlan {
                    row: 2,
                    establishment_id: Some(2),
                    sector: "EMS",
                    age: None
                },
            ],
            "the first row names another establishment than the chosen one"
        );
        let p = planned("P1;2025-01-03;E. coli;S;380000010;;40\n", None);
        assert_eq!(
            p.plans,
            [RowPlan {
                row: 0,
                establishment_id: Some(1),
                sector: "ES",
                age: Some(40)
            }]
        );
    }

    #[test]
    fn a_finess_of_another_establishment_than_the_chosen_one_is_refused() {
        assert_eq!(
            refusal("P2;2025-01-03;E. coli;S;380000020;;", Some(1)),
            (
                3,
                "establishment".into(),
                "380000020".into(),
                "ce FINESS n’est pas celui de l’établissement choisi pour l’import".into(),
                "this FINESS is not the establishment chosen for the import".into()
            )
        );
    }

    #[test]
    fn a_finess_unknown_in_the_region_is_refused() {
        assert_eq!(
            refusal("P2;2025-01-03;E. coli;S;290000010;;", None),
            (
                3,
                "establishment".into(),
                "290000010".into(),
                "établissement inconnu dans la région (FINESS « 290000010 »)".into(),
                "unknown establishment in the region (FINESS \"290000010\")".into()
            )
        );
    }

    #[test]
    fn a_sector_other_than_es_ems_or_ville_is_refused() {
        assert_eq!(
            refusal("P2;2025-01-03;E. coli;S;;hopital;", None),
            (
                3,
                "sector".into(),
                "HOPITAL".into(),
                "secteur inconnu « HOPITAL » (attendu : ES, EMS ou VILLE)".into(),
                "unknown sector \"HOPITAL\" (expected ES, EMS or VILLE)".into()
            )
        );
    }

    #[test]
    fn an_age_not_from_0_to_120_years_is_refused() {
        for age in ["121", "-1", "dix", "4.5"] {
            assert_eq!(
                refusal(&format!("P2;2025-01-03;E. coli;S;;;{age}"), None),
                (
                    3,
                    "age".into(),
                    age.into(),
                    format!("âge invalide « {age} » (attendu : un nombre d’années entre 0 et 120)"),
                    format!("invalid age \"{age}\" (expected whole years from 0 to 120)")
                )
            );
        }
    }
}
