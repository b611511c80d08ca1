//! A grid: its code, version, titles, sectors and criteria, each with its type and its
//! conformity rule, read from (and written to) its JSON file with exactly the keys `code`,
//! `version`, `title_fr`, `title_en`, `sectors`, `criteria` (each `code`, `label_fr`,
//! `label_en`, optional `help_fr`/`help_en`, `type`, optional `choices`, and `conform` where the
//! type has one). An answer is read against its criterion: `yes`/`no` (`oui`/`non`, any case),
//! a number (decimal comma accepted), one of the choices, a date, a text; `na`, `NA` or empty
//! is "not applicable".

use cratb_domain::Sector;
use serde::{Deserialize, Serialize};
use time::Date;

/// The grid's file, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    code: String,
    version: u32,
    title_fr: String,
    title_en: String,
    sectors: Vec<String>,
    criteria: Vec<CriterionFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionFile {
    code: String,
    label_fr: String,
    label_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    help_fr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    help_en: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conform: Option<serde_json::Value>,
}

/// What a criterion asks, and when its answer is conform (`None`: recorded for context).
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    YesNo {
        conform: Option<bool>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        rule: bool,
    },
    Choice {
        choices: Vec<String>,
        conform: Option<Vec<String>>,
    },
    Date,
    Text,
}

/// A criterion of a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub help_fr: Option<String>,
    pub help_en: Option<String>,
    pub kind: Kind,
}

/// A checked grid. Build it with [`Grid::from_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub code: String,
    pub version: u32,
    pub title_fr: String,
    pub title_en: String,
    pub sectors: Vec<Sector>,
    pub criteria: Vec<Criterion>,
}

/// Why a grid's file was refused: where (a JSON path such as `criteria[2].conform`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridError {
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for GridError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} : {}", self.at, self.message)
        }
    }
}

fn err(at: impl Into<String>, message: impl Into<String>) -> GridError {
    GridError {
        at: at.into(),
        message: message.into(),
    }
}

/// A code: letters, digits, `_` and `-`, 1 to 64 characters.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Grid {
    /// Reads and checks a grid's JSON file; every problem is returned at once.
    pub fn from_json(text: &str) -> Result<Grid, Vec<GridError>> {
        let file: GridFile = serde_json::from_str(text)
            .map_err(|e| vec![err("", format!("fichier de grille illisible : {e}"))])?;
        let mut errors = Vec::new();
        if !is_code(&file.code) {
            errors.push(err(
                "code",
                "un code de lettres, chiffres, _ ou - (64 au plus)",
            ));
        }
        if file.version == 0 {
            errors.push(err("version", "une version à partir de 1"));
        }
        for (k, v) in [("title_fr", &file.title_fr), ("title_en", &file.title_en)] {
            if v.trim().is_empty() {
                errors.push(err(k, "titre obligatoire"));
            }
        }
        let mut sectors = Vec::new();
        for (i, s) in file.sectors.iter().enumerate() {
            match Sector::parse(s) {
                Some(x) if !sectors.contains(&x) => sectors.push(x),
                Some(_) => errors.push(err(format!("sectors[{i}]"), format!("« {s} » en double"))),
                None => errors.push(err(
                    format!("sectors[{i}]"),
                    format!("« {s} » n'est pas un secteur (ES, EMS ou VILLE)"),
                )),
            }
        }
        if sectors.is_empty() && file.sectors.is_empty() {
            errors.push(err("sectors", "au moins un secteur (ES, EMS ou VILLE)"));
        }
        if file.criteria.is_empty() {
            errors.push(err("criteria", "au moins un critère"));
        }
        let mut criteria = Vec::new();
        for (i, c) in file.criteria.iter().enumerate() {
            let at = |k: &str| format!("criteria[{i}].{k}");
            if !is_code(&c.code) {
                errors.push(err(
                    at("code"),
                    "un code de lettres, chiffres, _ ou - (64 au plus)",
                ));
            } else if c.code == "case_id" || c.code == "establishment" || c.code == "all" {
                errors.push(err(at("code"), format!("« {} » est réservé", c.code)));
            } else if file.criteria[..i].iter().any(|p| p.code == c.code) {
                errors.push(err(at("code"), format!("« {} » en double", c.code)));
            }
            if c.label_fr.trim().is_empty() || c.label_en.trim().is_empty() {
                errors.push(err(
                    at("label_fr"),
                    "libellés français et anglais obligatoires",
                ));
            }
            match criterion_kind(c) {
                Ok(kind) => criteria.push(Criterion {
                    code: c.code.clone(),
                    label_fr: c.label_fr.clone(),
                    label_en: c.label_en.clone(),
                    help_fr: c.help_fr.clone(),
                    help_en: c.help_en.clone(),
                    kind,
                }),
                Err((k, m)) => errors.push(err(at(k), m)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Grid {
            code: file.code,
            version: file.version,
            title_fr: file.title_fr,
            title_en: file.title_en,
            sectors,
            criteria,
        })
    }

    /// The grid's JSON file (what [`Grid::from_json`] reads back).
    pub fn to_json(&self) -> String {
        let file = GridFile {
            code: self.code.clone(),
            version: self.version,
            title_fr: self.title_fr.clone(),
            title_en: self.title_en.clone(),
            sectors: self.sectors.iter().map(|s| s.code().to_string()).collect(),
            criteria: self
                .criteria
                .iter()
                .map(|c| {
                    let (kind, choices, conform) = match &c.kind {
                        Kind::YesNo { conform } => (
                            "yes_no",
                            None,
                            conform.map(|y| serde_json::json!(if y { "yes" } else { "no" })),
                        ),
                        Kind::Number { min, max, rule } => {
                            let mut o = serde_json::Map::new();
                            if let Some(m) = min {
                                o.insert("min".into(), serde_json::json!(m));
                            }
                            if let Some(m) = max {
                                o.insert("max".into(), serde_json::json!(m));
                            }
                            ("number", None, rule.then_some(serde_json::Value::Object(o)))
                        }
                        Kind::Choice { choices, conform } => (
                            "choice",
                            Some(choices.clone()),
                            conform.as_ref().map(|c| serde_json::json!(c)),
                        ),
                        Kind::Date => ("date", None, None),
                        Kind::Text => ("text", None, None),
                    };
                    CriterionFile {
                        code: c.code.clone(),
                        label_fr: c.label_fr.clone(),
                        label_en: c.label_en.clone(),
                        help_fr: c.help_fr.clone(),
                        help_en: c.help_en.clone(),
                        kind: kind.to_string(),
                        choices,
                        conform,
                    }
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// The criterion of a code.
    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.code == code)
    }
}

fn criterion_kind(c: &CriterionFile) -> Result<Kind, (&'static str, String)> {
    let no_choices = |k: &str| {
        if c.choices.is_some() {
            Err(("choices", format!("un critère « {k} » n'a pas de choix")))
        } else {
            Ok(())
        }
    };
    match c.kind.as_str() {
        "yes_no" => {
            no_choices("yes_no")?;
            let conform = match &c.conform {
                None => None,
                Some(serde_json::Value::String(s)) if s == "yes" => Some(true),
                Some(serde_json::Value::String(s)) if s == "no" => Some(false),
                Some(v) => return Err(("conform", format!("attendu \"yes\" ou \"no\", pas {v}"))),
            };
            Ok(Kind::YesNo { conform })
        }
        "number" => {
            no_choices("number")?;
            let (min, max, rule) = match &c.conform {
                None => (None, None, false),
                Some(serde_json::Value::Object(o)) => {
                    if let Some(k) = o.keys().find(|k| *k != "min" && *k != "max") {
                        return Err(("conform", format!("clé « {k} » inconnue (min, max)")));
                    }
                    let num = |k: &str| -> Result<Option<f64>, (&'static str, String)> {
                        match o.get(k) {
                            None => Ok(None),
                            Some(v) => v
                                .as_f64()
                                .map(Some)
                                .ok_or(("conform", format!("{k} : un nombre, pas {v}"))),
                        }
                    };
                    let (min, max) = (num("min")?, num("max")?);
                    if min.is_none() && max.is_none() {
                        return Err(("conform", "min, max ou les deux".into()));
                    }
                    if let (Some(a), Some(b)) = (min, max)
                        && a > b
                    {
                        return Err(("conform", format!("min ({a}) au-dessus de max ({b})")));
                    }
                    (min, max, true)
                }
                Some(v) => {
                    return Err((
                        "conform",
                        format!("attendu {{\"min\": …, \"max\": …}}, pas {v}"),
                    ));
                }
            };
            Ok(Kind::Number { min, max, rule })
        }
        "choice" => {
            let Some(choices) = c.choices.clone().filter(|c| !c.is_empty()) else {
                return Err(("choices", "un critère « choice » liste ses choix".into()));
            };
            for (i, x) in choices.iter().enumerate() {
                if x.trim().is_empty() || choices[..i].contains(x) {
                    return Err(("choices", format!("choix « {x} » vide ou en double")));
                }
                if is_not_applicable(x) {
                    return Err(("choices", format!("« {x} » veut dire « non applicable »")));
                }
            }
            let conform = match &c.conform {
                None => None,
                Some(serde_json::Value::Array(list)) => {
                    let mut out = Vec::new();
                    for v in list {
                        match v.as_str() {
                            Some(s) if choices.iter().any(|c| c == s) => out.push(s.to_string()),
                            _ => return Err(("conform", format!("{v} n'est pas l'un des choix"))),
                        }
                    }
                    if out.is_empty() {
                        return Err(("conform", "au moins un choix conforme".into()));
                    }
                    Some(out)
                }
                Some(v) => return Err(("conform", format!("attendu une liste de choix, pas {v}"))),
            };
            Ok(Kind::Choice { choices, conform })
        }
        "date" | "text" => {
            no_choices(&c.kind)?;
            if c.conform.is_some() {
                return Err((
                    "conform",
                    format!("un critère « {} » n'a pas de règle", c.kind),
                ));
            }
            Ok(if c.kind == "date" {
                Kind::Date
            } else {
                Kind::Text
            })
        }
        other => Err((
            "type",
            format!("« {other} » n'est pas un type (yes_no, number, choice, date, text)"),
        )),
    }
}

/// An answer to a criterion, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    NotApplicable,
    Yes,
    No,
    Number(f64),
    Choice(String),
    Date(Date),
    Text(String),
}

/// `na`, `NA` or empty: the criterion does not apply to the case.
fn is_not_applicable(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s.eq_ignore_ascii_case("na")
}

impl Criterion {
    /// Reads `raw` as an answer to this criterion, or says what was expected.
    pub fn read(&self, raw: &str) -> Result<Answer, String> {
        let v = raw.trim();
        if is_not_applicable(v) {
            return Ok(Answer::NotApplicable);
        }
        match &self.kind {
            Kind::YesNo { .. } => match v.to_lowercase().as_str() {
                "yes" | "oui" => Ok(Answer::Yes),
                "no" | "non" => Ok(Answer::No),
                _ => Err("attendu oui/non (yes/no) ou NA".into()),
            },
            Kind::Number { .. } => v
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Answer::Number)
                .ok_or_else(|| "attendu un nombre (virgule décimale acceptée) ou NA".into()),
            Kind::Choice { choices, .. } => choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(v))
                .map(|c| Answer::Choice(c.clone()))
                .ok_or_else(|| format!("attendu l'un de : {}, ou NA", choices.join(", "))),
            Kind::Date => {
                let iso = time::macros::format_description!("[year]-[month]-[day]");
                let fr = time::macros::format_description!("[day]/[month]/[year]");
                Date::parse(v, iso)
                    .or_else(|_| Date::parse(v, fr))
                    .map(Answer::Date)
                    .map_err(|_| "attendu une date (AAAA-MM-JJ ou JJ/MM/AAAA) ou NA".into())
            }
            Kind::Text => {
                if v.chars().count() > 2000 {
                    Err("2 000 caractères au plus".into())
                } else {
                    Ok(Answer::Text(v.to_string()))
                }
            }
        }
    }

    /// Whether the criterion has a conformity rule.
    pub fn has_rule(&self) -> bool {
        match &self.kind {
            Kind::YesNo { conform } => conform.is_some(),
            Kind::Number { rule, .. } => *rule,
            Kind::Choice { conform, .. } => conform.is_some(),
            Kind::Date | Kind::Text => false,
        }
    }

    /// Whether `answer` is conform: `None` when the criterion has no rule or does not apply.
    pub fn conform(&self, answer: &Answer) -> Option<bool> {
        match (&self.kind, answer) {
            (_, Answer::NotApplicable) => None,
            (
                Kind::YesNo {
                    conform: Some(want),
                },
                Answer::Yes,
            ) => Some(*want),
            (
                Kind::YesNo {
                    conform: Some(want),
                },
                Answer::No,
            ) => Some(!*want),
            (
                Kind::Number {
                    min,
                    max,
                    rule: true,
                },
                Answer::Number(n),
            ) => Some(min.is_none_or(|m| *n >= m) && max.is_none_or(|m| *n <= m)),
            (
                Kind::Choice {
                    conform: Some(ok), ..
                },
                Answer::Choice(c),
            ) => Some(ok.contains(c)),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const GRID: &str = r#"{
      "code": "atbp", "version": 2, "title_fr": "Antibioprophylaxie", "title_en": "Prophylaxis",
      "sectors": ["ES"],
      "criteria": [
        {"code": "indication", "label_fr": "Indication", "label_en": "Indication", "type": "yes_no", "conform": "yes"},
        {"code": "delay", "label_fr": "Délai (min)", "label_en": "Delay (min)", "type": "number", "conform": {"min": 0, "max": 60}},
        {"code": "molecule", "label_fr": "Molécule", "label_en": "Drug", "type": "choice",
         "choices": ["cefazoline", "clindamycine", "autre"], "conform": ["cefazoline", "clindamycine"]},
        {"code": "surgery_on", "label_fr": "Date", "label_en": "Date", "type": "date"},
        {"code": "note", "label_fr": "Note", "label_en": "Note", "help_fr": "libre", "type": "text"}
      ]
    }"#;

    #[test]
    fn a_grid_reads_and_writes_itself_back() {
        let g = Grid::from_json(GRID).unwrap();
        assert_eq!(g.criteria.len(), 5);
        assert_eq!(Grid::from_json(&g.to_json()).unwrap(), g);
        let delay = g.criterion("delay").unwrap();
        assert_eq!(delay.read("45,5"), Ok(Answer::Number(45.5)));
        assert_eq!(delay.conform(&Answer::Number(60.0)), Some(true));
        assert_eq!(delay.conform(&Answer::Number(61.0)), Some(false));
        let ind = g.criterion("indication").unwrap();
        assert_eq!(ind.read("OUI"), Ok(Answer::Yes));
        assert_eq!(ind.read(" na "), Ok(Answer::NotApplicable));
        assert_eq!(ind.conform(&Answer::No), Some(false));
        assert!(ind.read("peut-être").is_err());
        let m = g.criterion("molecule").unwrap();
        assert_eq!(
            m.read("Cefazoline"),
            Ok(Answer::Choice("cefazoline".into()))
        );
        assert_eq!(m.conform(&Answer::Choice("autre".into())), Some(false));
        assert!(m.read("vancomycine").unwrap_err().contains("cefazoline"));
        let d = g.criterion("surgery_on").unwrap();
        assert!(d.read("31/02/2026").is_err());
        assert_eq!(d.conform(&d.read("2026-03-01").unwrap()), None);
        assert!(!d.has_rule());
    }

    #[test]
    fn a_bad_grid_is_refused_with_every_problem() {
        let bad = r#"{"code": "a b", "version": 0, "title_fr": "", "title_en": "x", "sectors": ["HOPITAL"],
          "criteria": [
            {"code": "x", "label_fr": "X", "label_en": "X", "type": "yes_no", "conform": "oui"},
            {"code": "x", "label_fr": "X", "label_en": "X", "type": "number", "conform": {"min": 5, "max": 1}},
            {"code": "y", "label_fr": "Y", "label_en": "Y", "type": "choice", "choices": ["a"], "conform": ["b"]},
            {"code": "z", "label_fr": "Z", "label_en": "Z", "type": "date", "conform": "yes"},
            {"code": "w", "label_fr": "W", "label_en": "W", "type": "boolean"}
          ]}"#;
        let e = Grid::from_json(bad).unwrap_err();
        let at: Vec<&str> = e.iter().map(|e| e.at.as_str()).collect();
        for want in [
            "code",
            "version",
            "title_fr",
            "sectors[0]",
            "criteria[0].conform",
            "criteria[1].code",
            "criteria[1].conform",
            "criteria[2].conform",
            "criteria[3].conform",
            "criteria[4].type",
        ] {
            assert!(at.contains(&want), "{want} missing from {at:?}");
        }
        // Exactly the file's keys: another one is refused.
        let extra = GRID.replacen("\"version\": 2,", "\"version\": 2, \"source\": \"x\",", 1);
        assert!(
            Grid::from_json(&extra).unwrap_err()[0]
                .message
                .contains("source")
        );
    }
}
