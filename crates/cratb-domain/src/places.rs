//! The places of the network: establishments (hospitals, nursing homes, primary-care
//! structures) and territories (GHT hospital groups, CPTS primary-care communities), as they are
//! sent and received, with the checks their input goes through.

use crate::field::optional;
use crate::geo::{self, Department, Region};
use crate::{Category, FieldError, Finess, Lang, Scope, Sector};
use serde::{Deserialize, Serialize};

/// An establishment as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Establishment {
    pub id: i64,
    /// FINESS number (9 characters, check key verified).
    pub finess: String,
    pub name: String,
    /// `ES`, `EMS` or `VILLE`.
    pub sector: String,
    /// Category code (`CHU`, `CH`, `CLINIQUE`, `SSR`, `PSY`, `HAD`, `EHPAD`, `MAS_FAM`, `AUTRE_EMS`, `LABO`, `PHARMACIE`, `CDS`).
    pub category: String,
    pub department_code: String,
    pub region_code: String,
    pub ght_id: Option<i64>,
    pub ght_name: Option<String>,
    pub beds: Option<i64>,
    /// The town (commune) where it stands.
    pub commune: Option<String>,
}

impl Establishment {
    /// The label of its sector in `lang` (`?` for a code no longer known).
    pub fn sector_label(&self, lang: Lang) -> &'static str {
        Sector::parse(&self.sector).map_or("?", |s| s.label(lang))
    }
    /// The label of its category in `lang` (`?` for a code no longer known).
    pub fn category_label(&self, lang: Lang) -> &'static str {
        Category::parse(&self.category).map_or("?", |c| c.label(lang))
    }
    /// The name of its department.
    pub fn department_name(&self) -> &'static str {
        geo::department(&self.department_code).map_or("?", |d| d.name)
    }
    /// The name of its region.
    pub fn region_name(&self) -> &'static str {
        geo::region(&self.region_code).map_or("?", |r| r.name)
    }
}

/// Raw input, as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EstablishmentInput {
    pub finess: Option<String>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub ght_id: Option<i64>,
    pub beds: Option<i64>,
    /// The town (commune) where it stands.
    pub commune: Option<String>,
}

/// The fields of an establishment as typed in a form, every one as text (kept as typed, to
/// show the form again).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EstablishmentText {
    pub finess: String,
    pub name: String,
    pub category: String,
    pub department: String,
    pub ght_id: String,
    pub beds: String,
    pub commune: String,
}

impl EstablishmentText {
    /// The fields of a stored establishment, to edit them.
    pub fn of(e: &Establishment) -> EstablishmentText {
        EstablishmentText {
            finess: e.finess.clone(),
            name: e.name.clone(),
            category: e.category.clone(),
            department: e.department_code.clone(),
            ght_id: e.ght_id.map(|g| g.to_string()).unwrap_or_default(),
            beds: e.beds.map(|b| b.to_string()).unwrap_or_default(),
            commune: e.commune.clone().unwrap_or_default(),
        }
    }

    /// The input these texts make, and the numbers that could not be read.
    pub fn input(&self) -> (EstablishmentInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let text = |s: &str| optional(&Some(s.to_owned())).map(str::to_owned);
        let mut number = |field: &'static str, v: &str| {
            let s = v.trim();
            if s.is_empty() {
                return None;
            }
            s.replace([' ', '\u{a0}'], "")
                .parse::<i64>()
                .map_err(|_| {
                    errors.push(FieldError::new(
                        field,
                        format!("« {s} » n'est pas un nombre entier"),
                        format!("“{s}” is not a whole number"),
                    ))
                })
                .ok()
        };
        let ght_id = number("ght_id", &self.ght_id);
        let beds = number("beds", &self.beds);
        let input = EstablishmentInput {
            finess: text(&self.finess),
            name: text(&self.name),
            category: text(&self.category),
            department: text(&self.department),
            ght_id,
            beds,
            commune: text(&self.commune),
        };
        (input, errors)
    }
}

/// A validated establishment to create or update. Build it with [`NewEstablishment::validate`].
#[derive(Debug, Clone)]
pub struct NewEstablishment {
    pub finess: Finess,
    pub name: String,
    pub category: Category,
    pub department: String,
    pub ght_id: Option<i64>,
    pub beds: Option<i64>,
    pub commune: Option<String>,
}

impl NewEstablishment {
    /// Checks every field of a form's texts: the numbers that cannot be read, then the rest,
    /// all at once.
    pub fn from_text(text: &EstablishmentText) -> Result<NewEstablishment, Vec<FieldError>> {
        let (input, mut errors) = text.input();
        match NewEstablishment::validate(&input) {
            Ok(e) if errors.is_empty() => Ok(e),
            Ok(_) => Err(errors),
            Err(mut more) => {
                errors.append(&mut more);
                Err(errors)
            }
        }
    }

    /// Checks every field, returning all the errors at once.
    pub fn validate(input: &EstablishmentInput) -> Result<NewEstablishment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |e: FieldError| errors.push(e);
        let finess = match input.finess.as_deref().map(Finess::parse) {
            None => {
                err(FieldError::new(
                    "finess",
                    "le numéro FINESS est obligatoire",
                    "the FINESS number is required",
                ));
                None
            }
            Some(Err(e)) => {
                err(FieldError::of("finess", &e));
                None
            }
            Some(Ok(f)) => Some(f),
        };
        let name = input.name.as_deref().map(str::trim).unwrap_or("");
        if name.is_empty() {
            err(FieldError::new(
                "name",
                "le nom est obligatoire",
                "the name is required",
            ));
        } else if name.chars().count() > 200 {
            err(FieldError::new(
                "name",
                "le nom ne peut dépasser 200 caractères",
                "the name cannot exceed 200 characters",
            ));
        }
        let category = match input.category.as_deref().map(Category::parse) {
            Some(Some(c)) => Some(c),
            _ => {
                err(FieldError::new(
                    "category",
                    "choisissez une catégorie dans la liste",
                    "choose a category from the list",
                ));
                None
            }
        };
        let department = input.department.as_deref().map(str::trim).unwrap_or("");
        let dep = geo::department(department);
        if department.is_empty() {
            err(FieldError::new(
                "department",
                "choisissez un département",
                "choose a department",
            ));
        } else if dep.is_none() {
            err(FieldError::new(
                "department",
                format!("« {department} » n'est pas un code de département (ex. 38, 2A, 974)"),
                format!("“{department}” is not a department code (e.g. 38, 2A, 974)"),
            ));
        }
        if let Some(b) = input.beds
            && !(0..=20_000).contains(&b)
        {
            err(FieldError::new(
                "beds",
                "le nombre de lits doit être compris entre 0 et 20 000",
                "the number of beds must be between 0 and 20,000",
            ));
        }
        let commune = optional(&input.commune);
        if commune.is_some_and(|c| c.chars().count() > 100) {
            err(FieldError::new(
                "commune",
                "la commune ne peut dépasser 100 caractères",
                "the town cannot exceed 100 characters",
            ));
        }
        if let (Some(f), Some(d)) = (&finess, dep)
            && f.department() != d.code
        {
            err(FieldError::new(
                "finess",
                format!(
                    "ce numéro FINESS est celui d'un établissement du département {}, pas du {}",
                    f.department(),
                    d.code
                ),
                format!(
                    "this FINESS number belongs to an establishment of department {}, not {}",
                    f.department(),
                    d.code
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewEstablishment {
            finess: finess.expect("checked"),
            name: name.to_owned(),
            category: category.expect("checked"),
            department: dep.expect("checked").code.to_owned(),
            ght_id: input.ght_id,
            beds: input.beds,
            commune: commune.map(str::to_owned),
        })
    }

    /// The region of its department.
    pub fn region(&self) -> &'static str {
        geo::department(&self.department)
            .map(|d| d.region)
            .unwrap_or("")
    }

    /// What its audit entry says of it: `name (FINESS, CATEGORY)`.
    pub fn summary(&self) -> String {
        format!("{} ({}, {})", self.name, self.finess, self.category.code())
    }
}

/// The error of an establishment whose FINESS another one already holds.
pub fn finess_taken() -> FieldError {
    FieldError::new(
        "finess",
        "un établissement porte déjà ce numéro",
        "an establishment already has this number",
    )
}

/// The error of a GHT that is not one of the establishment's region.
pub fn ght_elsewhere() -> FieldError {
    FieldError::new(
        "ght_id",
        "ce GHT n'existe pas dans la région de l'établissement",
        "this GHT does not exist in the establishment's region",
    )
}

/// The error of a department outside the region(s) one may write in.
pub fn department_elsewhere() -> FieldError {
    FieldError::new(
        "department",
        "ce département n'est pas dans votre région",
        "this department is not in your region",
    )
}

/// The departments a scope reaches, `(code, name)`, for filters and forms.
pub fn departments_in(scope: &Scope) -> Vec<(&'static str, &'static str)> {
    geo::DEPARTMENTS
        .iter()
        .filter(|d| scope.allows(d.region))
        .map(|d| (d.code, d.name))
        .collect()
}

/// The regions a scope reaches.
pub fn regions_in(scope: &Scope) -> impl Iterator<Item = &'static Region> + '_ {
    geo::REGIONS.iter().filter(|r| scope.allows(r.code))
}

/// A GHT or a CPTS.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Territory {
    pub id: i64,
    /// `GHT` or `CPTS`.
    pub kind: String,
    pub name: String,
    pub region_code: String,
    /// Department codes, comma-separated in storage order.
    pub departments: String,
}

impl Territory {
    /// Its departments spelled out: `Isère (38), Savoie (73)`.
    pub fn department_names(&self) -> String {
        self.departments
            .split(',')
            .filter_map(geo::department)
            .map(|d| format!("{} ({})", d.name, d.code))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The kind of territory a text names (`GHT`, `CPTS`, in any case).
pub fn territory_kind(kind: &str) -> Option<&'static str> {
    match kind.to_uppercase().as_str() {
        "GHT" => Some("GHT"),
        "CPTS" => Some("CPTS"),
        _ => None,
    }
}

/// A new GHT or CPTS.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerritoryInput {
    /// `GHT` or `CPTS`.
    pub kind: Option<String>,
    pub name: Option<String>,
    /// INSEE codes of its departments, all in one region (the caller's).
    pub departments: Option<Vec<String>>,
}

impl TerritoryInput {
    /// The input of a form's fields (`kind`, `name`, and `departments` repeated).
    pub fn from_fields(fields: &[(String, String)]) -> TerritoryInput {
        let value = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let departments = fields.iter().filter(|(k, _)| k == "departments");
        TerritoryInput {
            kind: Some(value("kind").unwrap_or_default()),
            name: Some(value("name").unwrap_or_default()),
            departments: Some(departments.map(|(_, d)| d.clone()).collect()),
        }
    }

    /// Whether department `code` is among those chosen.
    pub fn has_department(&self, code: &str) -> bool {
        self.departments
            .iter()
            .flatten()
            .any(|d| d.eq_ignore_ascii_case(code))
    }
}

/// A validated territory to create. Build it with [`NewTerritory::validate`].
#[derive(Debug, Clone)]
pub struct NewTerritory {
    pub kind: &'static str,
    pub name: String,
    /// The region of its departments.
    pub region: &'static str,
    pub departments: Vec<&'static str>,
}

impl NewTerritory {
    /// Checks an input as [`NewTerritory::validate`] does (absent fields count as empty).
    pub fn from_input(input: &TerritoryInput) -> Result<NewTerritory, Vec<FieldError>> {
        let deps = input.departments.iter().flatten().map(String::as_str);
        NewTerritory::validate(
            input.kind.as_deref().unwrap_or(""),
            input.name.as_deref().unwrap_or(""),
            &deps.collect::<Vec<_>>(),
        )
    }

    /// Checks the kind (`GHT`, `CPTS`), the name and the departments, which must exist and
    /// all lie in one region; returns every error at once.
    pub fn validate(
        kind: &str,
        name: &str,
        departments: &[&str],
    ) -> Result<NewTerritory, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = territory_kind(kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "choisissez GHT ou CPTS",
                "choose GHT or CPTS",
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new(
                "name",
                "le nom est obligatoire (200 caractères au plus)",
                "the name is required (200 characters at most)",
            ));
        }
        let mut deps = Vec::new();
        for d in departments {
            match geo::department(d) {
                Some(dep) if !deps.contains(&dep.code) => deps.push(dep.code),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "departments",
                    format!("« {d} » n'est pas un code de département"),
                    format!("“{d}” is not a department code"),
                )),
            }
        }
        let regions: Vec<&str> = deps
            .iter()
            .filter_map(|d| geo::department(d))
            .map(|d| d.region)
            .collect();
        if deps.is_empty() && !errors.iter().any(|e| e.field == "departments") {
            errors.push(FieldError::new(
                "departments",
                "choisissez au moins un département",
                "choose at least one department",
            ));
        } else if regions.windows(2).any(|w| w[0] != w[1]) {
            errors.push(FieldError::new(
                "departments",
                "les départements d'un territoire sont dans une même région",
                "the departments of a territory are in one region",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewTerritory {
            kind: kind.expect("checked"),
            name: name.to_owned(),
            region: regions[0],
            departments: deps,
        })
    }

    /// What its audit entry says of it: `GHT créé : name (38, 73)`.
    pub fn summary(&self) -> String {
        let deps = self.departments.join(", ");
        format!("{} créé : {} ({deps})", self.kind, self.name)
    }
}

/// The error of a territory whose name another of its kind already holds in the region.
pub fn territory_name_taken() -> FieldError {
    FieldError::new(
        "name",
        "un territoire de ce type porte déjà ce nom dans la région",
        "a territory of this kind already has this name in the region",
    )
}

/// The error of departments outside the region(s) one may write in.
pub fn departments_elsewhere() -> FieldError {
    FieldError::new(
        "departments",
        "ces départements ne sont pas dans votre région",
        "these departments are not in your region",
    )
}

/// A region of a scope with its departments and its territories, as the territories are
/// listed.
pub struct RegionTerritories {
    pub code: &'static str,
    pub name: &'static str,
    pub departments: Vec<&'static Department>,
    /// Its GHTs and CPTS.
    pub territories: Vec<Territory>,
}

/// The regions of `scope`, each with its departments and its territories among `territories`.
pub fn by_region(scope: &Scope, territories: &[Territory]) -> Vec<RegionTerritories> {
    regions_in(scope)
        .map(|r| RegionTerritories {
            code: r.code,
            name: r.name,
            departments: geo::departments_of(r.code).collect(),
            territories: territories
                .iter()
                .filter(|t| t.region_code == r.code)
                .cloned()
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_validation() {
        let t = NewTerritory::validate("ght", " GHT Isère Nord ", &["38", "38"]).unwrap();
        assert_eq!(
            (t.kind, t.name.as_str(), t.region, t.departments.as_slice()),
            ("GHT", "GHT Isère Nord", "84", &["38"][..])
        );
        let t = NewTerritory::validate("CPTS", "CPTS du Pays Voironnais", &["2a", "2B"]).unwrap();
        assert_eq!(
            (t.region, t.departments.as_slice()),
            ("94", &["2A", "2B"][..])
        );
        let fields = |r: Result<NewTerritory, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(NewTerritory::validate("GHU", "", &[])),
            ["kind", "name", "departments"]
        );
        assert_eq!(
            fields(NewTerritory::validate("GHT", "x", &["38", "35"])),
            ["departments"]
        );
        assert_eq!(
            fields(NewTerritory::validate("GHT", "x", &["99"])),
            ["departments"]
        );
    }

    #[test]
    fn a_form_reports_unreadable_numbers_before_the_rest() {
        let text = EstablishmentText {
            finess: " 380780080 ".into(),
            name: "CHU".into(),
            category: "CHU".into(),
            department: "38".into(),
            beds: "1 200".into(),
            ght_id: "deux".into(),
            ..Default::default()
        };
        let (input, errors) = text.input();
        assert_eq!(input.beds, Some(1200));
        assert_eq!(input.finess.as_deref(), Some("380780080"));
        assert_eq!(errors[0].message, "« deux » n'est pas un nombre entier");
        let fields: Vec<_> = NewEstablishment::from_text(&EstablishmentText {
            name: String::new(),
            ..text
        })
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
        assert_eq!(fields, ["ght_id", "name"]);
    }
}
