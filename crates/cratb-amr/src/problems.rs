//! What can be wrong in a susceptibility file, said in French and English, with its place.

use cratb_domain::Lang;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ProblemKind {
    MissingColumn,
    DuplicateColumn,
    UnknownAntimicrobial,
    UnknownOrganism,
    EmptyPatient,
    BadDate,
    BadMic,
    BadDisk,
    BadSir,
    TooManyFields,
    Unreadable { detail: String },
}

/// One problem: the line (1 = header), the column as named in the file, the value found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub value: String,
    #[serde(flatten)]
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(line: usize, column: &str, value: &str, kind: ProblemKind) -> Problem {
        let mut value = value.to_string();
        if value.len() > 80 {
            let cut = (0..=80)
                .rev()
                .find(|i| value.is_char_boundary(*i))
                .unwrap_or(0);
            value.truncate(cut);
            value.push('…');
        }
        Problem {
            line,
            column: column.to_string(),
            value,
            kind,
        }
    }

    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let v = &self.value;
        match (&self.kind, lang) {
            (ProblemKind::MissingColumn, Lang::Fr) => {
                format!("colonne obligatoire absente : {}", self.column)
            }
            (ProblemKind::MissingColumn, Lang::En) => {
                format!("required column missing: {}", self.column)
            }
            (ProblemKind::DuplicateColumn, Lang::Fr) => {
                format!("colonne en double : {}", self.column)
            }
            (ProblemKind::DuplicateColumn, Lang::En) => {
                format!("duplicate column: {}", self.column)
            }
            (ProblemKind::UnknownAntimicrobial, Lang::Fr) => {
                format!(
                    "code d’antibiotique inconnu « {v} » (attendu : un code de antimicrobials.tsv, p. ex. AMX, CTX, CIP)"
                )
            }
            (ProblemKind::UnknownAntimicrobial, Lang::En) => {
                format!(
                    "unknown antimicrobial code \"{v}\" (expected a code of antimicrobials.tsv, e.g. AMX, CTX, CIP)"
                )
            }
            (ProblemKind::UnknownOrganism, Lang::Fr) => format!(
                "micro-organisme inconnu « {v} » (attendu : un nom scientifique, une abréviation comme E. coli ou un code comme B_ESCHR_COLI)"
            ),
            (ProblemKind::UnknownOrganism, Lang::En) => format!(
                "unknown organism \"{v}\" (expected a scientific name, an abbreviation such as E. coli or a code such as B_ESCHR_COLI)"
            ),
            (ProblemKind::EmptyPatient, Lang::Fr) => "identifiant patient vide".into(),
            (ProblemKind::EmptyPatient, Lang::En) => "empty patient identifier".into(),
            (ProblemKind::BadDate, Lang::Fr) => {
                format!("date invalide « {v} » (attendu : AAAA-MM-JJ ou JJ/MM/AAAA)")
            }
            (ProblemKind::BadDate, Lang::En) => {
                format!("invalid date \"{v}\" (expected YYYY-MM-DD or DD/MM/YYYY)")
            }
            (ProblemKind::BadMic, Lang::Fr) => {
                format!(
                    "CMI illisible « {v} » (attendu : un nombre en mg/L, éventuellement précédé de <=, <, >= ou >)"
                )
            }
            (ProblemKind::BadMic, Lang::En) => {
                format!(
                    "unreadable MIC \"{v}\" (expected a number in mg/L, optionally preceded by <=, <, >= or >)"
                )
            }
            (ProblemKind::BadDisk, Lang::Fr) => {
                format!(
                    "diamètre d’inhibition illisible « {v} » (attendu : un nombre entier de mm entre 0 et 50)"
                )
            }
            (ProblemKind::BadDisk, Lang::En) => {
                format!("unreadable zone diameter \"{v}\" (expected whole mm from 0 to 50)")
            }
            (ProblemKind::BadSir, Lang::Fr) => {
                format!("catégorie illisible « {v} » (attendu : S, SDD, I, R ou vide)")
            }
            (ProblemKind::BadSir, Lang::En) => {
                format!("unreadable category \"{v}\" (expected S, SDD, I, R or empty)")
            }
            (ProblemKind::TooManyFields, Lang::Fr) => {
                format!("la ligne a plus de champs que l’en-tête ({v})")
            }
            (ProblemKind::TooManyFields, Lang::En) => {
                format!("the line has more fields than the header ({v})")
            }
            (ProblemKind::Unreadable { detail }, Lang::Fr) => {
                format!("fichier illisible : {detail}")
            }
            (ProblemKind::Unreadable { detail }, Lang::En) => format!("unreadable file: {detail}"),
        }
    }

    /// `ligne 12, colonne CTX_mic : …` / `line 12, column CTX_mic: …`
    pub fn describe(&self, lang: Lang) -> String {
        let (line, column, colon) = lang.pick(("ligne", "colonne", " :"), ("line", "column", ":"));
        let place = if self.column.is_empty() {
            format!("{line} {}", self.line)
        } else {
            format!("{line} {}, {column} {}", self.line, self.column)
        };
        format!("{place}{colon} {}", self.message(lang))
    }

    /// Whether skipping concerns the whole row (rather than one value, or one column).
    pub fn drops_row(&self) -> bool {
        matches!(
            self.kind,
            ProblemKind::UnknownOrganism
                | ProblemKind::EmptyPatient
                | ProblemKind::BadDate
                | ProblemKind::TooManyFields
        )
    }
}

/// The file could not be read as a whole (wrong format, missing column) or has invalid values
/// and `skip_invalid` was not asked for. `problems` are sorted by line and capped; `total`
/// counts them all.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problème(s) dans le fichier, le premier : {}", .total, .problems.first().map(|p| p.describe(Lang::Fr)).unwrap_or_default())]
pub struct Invalid {
    pub problems: Vec<Problem>,
    pub total: usize,
}

/// Most problems reported with their place; the rest are counted.
pub const MAX_REPORTED: usize = 1000;

impl Invalid {
    pub fn from(mut problems: Vec<Problem>) -> Invalid {
        problems.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
        let total = problems.len();
        problems.truncate(MAX_REPORTED);
        Invalid { problems, total }
    }

    pub fn file(detail: impl Into<String>) -> Invalid {
        Invalid::from(vec![Problem::new(
            1,
            "",
            "",
            ProblemKind::Unreadable {
                detail: detail.into(),
            },
        )])
    }
}
