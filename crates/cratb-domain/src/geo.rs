//! French regions and departments (INSEE codes, 2024 official geography).
//!
//! The 18 regions (13 metropolitan, 5 overseas) and 101 departments, with the department →
//! region mapping. Names and codes match IGN Admin Express (`../shared/reference/*.geojson`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A French region, by its INSEE code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RegionDto, description = "A region."))]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub overseas: bool,
}

/// A French department, by its INSEE code (`01`…`95`, `2A`, `2B`, `971`…`976`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DepartmentDto, description = "A department."))]
pub struct Department {
    pub code: &'static str,
    pub name: &'static str,
    pub region: &'static str,
}

macro_rules! regions {
    ($( $code:literal $name:literal $overseas:literal ;)*) => {
        /// The 18 regions, metropolitan first, in INSEE code order.
        pub const REGIONS: &[Region] = &[ $( Region { code: $code, name: $name, overseas: $overseas } ),* ];
    };
}

regions! {
    "11" "Île-de-France" false;
    "24" "Centre-Val de Loire" false;
    "27" "Bourgogne-Franche-Comté" false;
    "28" "Normandie" false;
    "32" "Hauts-de-France" false;
    "44" "Grand Est" false;
    "52" "Pays de la Loire" false;
    "53" "Bretagne" false;
    "75" "Nouvelle-Aquitaine" false;
    "76" "Occitanie" false;
    "84" "Auvergne-Rhône-Alpes" false;
    "93" "Provence-Alpes-Côte d'Azur" false;
    "94" "Corse" false;
    "01" "Guadeloupe" true;
    "02" "Martinique" true;
    "03" "Guyane" true;
    "04" "La Réunion" true;
    "06" "Mayotte" true;
}

macro_rules! departments {
    ($( $code:literal $name:literal $region:literal ;)*) => {
        /// The 101 departments, in INSEE code order.
        pub const DEPARTMENTS: &[Department] = &[ $( Department { code: $code, name: $name, region: $region } ),* ];
    };
}

departments! {
    "01" "Ain" "84"; "02" "Aisne" "32"; "03" "Allier" "84"; "04" "Alpes-de-Haute-Provence" "93";
    "05" "Hautes-Alpes" "93"; "06" "Alpes-Maritimes" "93"; "07" "Ardèche" "84"; "08" "Ardennes" "44";
    "09" "Ariège" "76"; "10" "Aube" "44"; "11" "Aude" "76"; "12" "Aveyron" "76";
    "13" "Bouches-du-Rhône" "93"; "14" "Calvados" "28"; "15" "Cantal" "84"; "16" "Charente" "75";
    "17" "Charente-Maritime" "75"; "18" "Cher" "24"; "19" "Corrèze" "75";
    "2A" "Corse-du-Sud" "94"; "2B" "Haute-Corse" "94";
    "21" "Côte-d'Or" "27"; "22" "Côtes-d'Armor" "53"; "23" "Creuse" "75"; "24" "Dordogne" "75";
    "25" "Doubs" "27"; "26" "Drôme" "84"; "27" "Eure" "28"; "28" "Eure-et-Loir" "24";
    "29" "Finistère" "53"; "30" "Gard" "76"; "31" "Haute-Garonne" "76"; "32" "Gers" "76";
    "33" "Gironde" "75"; "34" "Hérault" "76"; "35" "Ille-et-Vilaine" "53"; "36" "Indre" "24";
    "37" "Indre-et-Loire" "24"; "38" "Isère" "84"; "39" "Jura" "27"; "40" "Landes" "75";
    "41" "Loir-et-Cher" "24"; "42" "Loire" "84"; "43" "Haute-Loire" "84"; "44" "Loire-Atlantique" "52";
    "45" "Loiret" "24"; "46" "Lot" "76"; "47" "Lot-et-Garonne" "75"; "48" "Lozère" "76";
    "49" "Maine-et-Loire" "52"; "50" "Manche" "28"; "51" "Marne" "44"; "52" "Haute-Marne" "44";
    "53" "Mayenne" "52"; "54" "Meurthe-et-Moselle" "44"; "55" "Meuse" "44"; "56" "Morbihan" "53";
    "57" "Moselle" "44"; "58" "Nièvre" "27"; "59" "Nord" "32"; "60" "Oise" "32";
    "61" "Orne" "28"; "62" "Pas-de-Calais" "32"; "63" "Puy-de-Dôme" "84"; "64" "Pyrénées-Atlantiques" "75";
    "65" "Hautes-Pyrénées" "76"; "66" "Pyrénées-Orientales" "76"; "67" "Bas-Rhin" "44"; "68" "Haut-Rhin" "44";
    "69" "Rhône" "84"; "70" "Haute-Saône" "27"; "71" "Saône-et-Loire" "27"; "72" "Sarthe" "52";
    "73" "Savoie" "84"; "74" "Haute-Savoie" "84"; "75" "Paris" "11"; "76" "Seine-Maritime" "28";
    "77" "Seine-et-Marne" "11"; "78" "Yvelines" "11"; "79" "Deux-Sèvres" "75"; "80" "Somme" "32";
    "81" "Tarn" "76"; "82" "Tarn-et-Garonne" "76"; "83" "Var" "93"; "84" "Vaucluse" "93";
    "85" "Vendée" "52"; "86" "Vienne" "75"; "87" "Haute-Vienne" "75"; "88" "Vosges" "44";
    "89" "Yonne" "27"; "90" "Territoire de Belfort" "27"; "91" "Essonne" "11"; "92" "Hauts-de-Seine" "11";
    "93" "Seine-Saint-Denis" "11"; "94" "Val-de-Marne" "11"; "95" "Val-d'Oise" "11";
    "971" "Guadeloupe" "01"; "972" "Martinique" "02"; "973" "Guyane" "03"; "974" "La Réunion" "04";
    "976" "Mayotte" "06";
}

/// Looks up a department by INSEE code (case-insensitive for `2a`/`2b`).
pub fn department(code: &str) -> Option<&'static Department> {
    DEPARTMENTS
        .iter()
        .find(|d| d.code.eq_ignore_ascii_case(code.trim()))
}

/// Looks up a region by INSEE code.
pub fn region(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code.trim())
}

/// The departments of a region.
pub fn departments_of(region: &str) -> impl Iterator<Item = &'static Department> + '_ {
    DEPARTMENTS.iter().filter(move |d| d.region == region)
}

/// The department a French postcode belongs to, by La Poste's numbering: the first two digits
/// are the department (three for the overseas departments, `971`–`976`), and Corsica's `20`
/// splits into Corse-du-Sud (`200xx`–`201xx`) and Haute-Corse (`202xx`–`206xx`). A handful of
/// border communes are served by a neighbouring department's office; their postcode points there.
pub fn department_of_postcode(postcode: &str) -> Option<&'static Department> {
    let p = postcode.trim();
    if p.len() != 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match &p[..2] {
        "00" => None,
        "20" => department(if &p[..3] < "202" { "2A" } else { "2B" }),
        "97" => department(&p[..3]),
        two => department(two),
    }
}

/// Finds a department by code (`38`, `2A`), postcode (`38000`) or name (`Isère`, `isere`).
pub fn find_department(text: &str) -> Option<&'static Department> {
    let t = text.trim();
    department(t)
        .or_else(|| department_of_postcode(t))
        .or_else(|| {
            let folded = fold(t);
            DEPARTMENTS.iter().find(|d| fold(d.name) == folded)
        })
}

/// Lower case without accents, hyphens or apostrophes, for matching place names as people
/// type them (`Puy-de-Dôme` = `puy de dome`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            '-' | '\'' | '’' | '_' => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The INSEE code of an existing region. Constructing one checks the code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

/// A region code that is not one of the 18.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un code de région INSEE (ex. 84 pour Auvergne-Rhône-Alpes)")]
pub struct UnknownRegion(pub String);

impl crate::Bilingual for UnknownRegion {
    fn en(&self) -> String {
        format!(
            "“{}” is not an INSEE region code (e.g. 84 for Auvergne-Rhône-Alpes)",
            self.0
        )
    }
}

impl RegionCode {
    /// Parses an INSEE region code (`84`, `01`…).
    pub fn parse(s: &str) -> Result<Self, UnknownRegion> {
        region(s)
            .map(|r| RegionCode(r.code.to_owned()))
            .ok_or_else(|| UnknownRegion(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The region's name.
    pub fn name(&self) -> &'static str {
        region(&self.0).map(|r| r.name).unwrap_or("?")
    }
}

impl TryFrom<String> for RegionCode {
    type Error = UnknownRegion;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(r: RegionCode) -> String {
        r.0
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn postcodes_name_their_department() {
        let dep = |p| super::department_of_postcode(p).map(|d| d.code);
        assert_eq!(dep("38000"), Some("38"));
        assert_eq!(dep("01000"), Some("01"));
        assert_eq!(dep("20000"), Some("2A"));
        assert_eq!(dep("20137"), Some("2A"));
        assert_eq!(dep("20200"), Some("2B"));
        assert_eq!(dep("97400"), Some("974"));
        assert_eq!(dep("97500"), None);
        assert_eq!(dep("98000"), None);
        assert_eq!(dep("3800"), None);
        assert_eq!(dep("38 000"), None);
        assert_eq!(dep("00100"), None);
    }

    #[test]
    fn departments_are_found_as_typed() {
        let find = |t| super::find_department(t).map(|d| d.code);
        assert_eq!(find("puy de dome"), Some("63"));
        assert_eq!(find("Puy-de-Dôme"), Some("63"));
        assert_eq!(find(" 2a "), Some("2A"));
        assert_eq!(find("63000"), Some("63"));
        assert_eq!(find("Côtes-d'Armor"), Some("22"));
        assert_eq!(find("Atlantis"), None);
    }

    use super::*;
    use std::collections::HashSet;

    #[test]
    fn counts_and_mapping() {
        assert_eq!(REGIONS.len(), 18);
        assert_eq!(REGIONS.iter().filter(|r| r.overseas).count(), 5);
        assert_eq!(DEPARTMENTS.len(), 101);
        let codes: HashSet<_> = DEPARTMENTS.iter().map(|d| d.code).collect();
        assert_eq!(codes.len(), 101, "department codes are unique");
        for d in DEPARTMENTS {
            assert!(
                region(d.region).is_some(),
                "{} maps to a real region",
                d.code
            );
        }
        for r in REGIONS {
            assert!(
                departments_of(r.code).count() >= 1,
                "{} has departments",
                r.code
            );
        }
        assert_eq!(departments_of("84").count(), 12);
        assert_eq!(
            departments_of("94").map(|d| d.code).collect::<Vec<_>>(),
            ["2A", "2B"]
        );
        assert_eq!(department("2a").unwrap().name, "Corse-du-Sud");
        assert_eq!(department("976").unwrap().region, "06");
    }

    #[test]
    fn region_code_parses() {
        assert_eq!(
            RegionCode::parse("84").unwrap().name(),
            "Auvergne-Rhône-Alpes"
        );
        assert!(RegionCode::parse("99").is_err());
    }

    /// The names match IGN Admin Express, when the shared reference folder is beside the repo.
    #[test]
    fn names_match_reference_geojson() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/reference/departements-avec-outre-mer.geojson"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let features = json["features"].as_array().unwrap();
        assert_eq!(features.len(), DEPARTMENTS.len());
        for f in features {
            let code = f["properties"]["code"].as_str().unwrap();
            let d = department(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(d.name, f["properties"]["nom"].as_str().unwrap());
        }
    }
}
