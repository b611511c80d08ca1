//! Ward types: the activities a hospital's consumption and denominators are broken down by.
//!
//! A closed list, after the activity types of the French hospital surveillance of antibiotic
//! consumption (SPARES, formerly ATB-Raisin / ConsoRes): a file may name a ward type by its code
//! (`medicine`) or as people write it (`Médecine`, `Réa`, `SMR`, `USLD`…); anything else is
//! refused rather than becoming a new ward type that splits an establishment's figures. And the
//! patient's sex, which the pseudonymised records of a ward keep.

use crate::establishment::code_enum;

code_enum! {
    /// The type of a ward (activity) of an establishment.
    WardType {
        Whole = "whole", "Établissement entier (tous services)", "Whole establishment (all wards)";
        Medicine = "medicine", "Médecine", "Medicine";
        Surgery = "surgery", "Chirurgie", "Surgery";
        Icu = "icu", "Réanimation", "Intensive care";
        Paediatrics = "paediatrics", "Pédiatrie", "Paediatrics";
        Obstetrics = "obstetrics", "Gynécologie-obstétrique", "Obstetrics and gynaecology";
        Haematology = "haematology", "Hématologie", "Haematology";
        InfectiousDiseases = "infectious_diseases", "Maladies infectieuses", "Infectious diseases";
        Geriatrics = "geriatrics", "Gériatrie (court séjour)", "Geriatrics (acute)";
        Emergency = "emergency", "Urgences", "Emergency department";
        Ssr = "ssr", "Soins médicaux et de réadaptation (SMR, ex-SSR)", "Rehabilitation (SMR/SSR)";
        LongTermCare = "long_term_care", "Soins de longue durée (USLD)", "Long-term care";
        Psychiatry = "psychiatry", "Psychiatrie", "Psychiatry";
        NursingHome = "nursing_home", "Hébergement (EHPAD, EMS)", "Nursing home";
    }
}

/// Other names people give ward types in their files, after [`simplify`].
const ALIASES: &[(&str, WardType)] = &[
    ("etablissement", WardType::Whole),
    ("total", WardType::Whole),
    ("tous services", WardType::Whole),
    ("all", WardType::Whole),
    ("med", WardType::Medicine),
    ("medecine", WardType::Medicine),
    ("chir", WardType::Surgery),
    ("rea", WardType::Icu),
    ("reanimation", WardType::Icu),
    ("soins intensifs", WardType::Icu),
    ("usi", WardType::Icu),
    ("ped", WardType::Paediatrics),
    ("pediatrie", WardType::Paediatrics),
    ("pediatrics", WardType::Paediatrics),
    ("gyneco obstetrique", WardType::Obstetrics),
    ("gynecologie obstetrique", WardType::Obstetrics),
    ("obstetrique", WardType::Obstetrics),
    ("maternite", WardType::Obstetrics),
    ("hematologie", WardType::Haematology),
    ("hematology", WardType::Haematology),
    ("mi", WardType::InfectiousDiseases),
    ("geriatrie", WardType::Geriatrics),
    ("court sejour geriatrique", WardType::Geriatrics),
    ("urgences", WardType::Emergency),
    ("sau", WardType::Emergency),
    ("smr", WardType::Ssr),
    ("ssr", WardType::Ssr),
    ("soins medicaux et de readaptation", WardType::Ssr),
    ("soins de suite et de readaptation", WardType::Ssr),
    ("rehabilitation", WardType::Ssr),
    ("usld", WardType::LongTermCare),
    ("sld", WardType::LongTermCare),
    ("soins de longue duree", WardType::LongTermCare),
    ("psy", WardType::Psychiatry),
    ("ehpad", WardType::NursingHome),
    ("ems", WardType::NursingHome),
    ("hebergement", WardType::NursingHome),
];

/// Lower case, without accents, with `_`, `-`, `/` and repeated spaces read as one space.
fn simplify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '_' | '-' | '/' | '\'' | '’' | '.' => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().to_string()
}

impl WardType {
    /// Reads a ward type as written in a file: its code, its French or English label, or a
    /// usual abbreviation (`Réa`, `SMR`, `USLD`, `EHPAD`…), whatever the case and accents.
    pub fn read(text: &str) -> Option<WardType> {
        if let Some(w) = WardType::parse(text) {
            return Some(w);
        }
        let s = simplify(text);
        WardType::ALL
            .iter()
            .copied()
            .find(|w| {
                simplify(w.label_fr()) == s
                    || simplify(w.label_en()) == s
                    || simplify(w.code()) == s
            })
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == s).map(|(_, w)| *w))
    }

    /// The accepted values, as a message names them: `medicine (Médecine), surgery (Chirurgie)…`.
    pub fn accepted() -> String {
        WardType::ALL
            .iter()
            .map(|w| format!("{} ({})", w.code(), w.label_fr()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_labels_and_usual_names_are_read() {
        for w in WardType::ALL {
            assert_eq!(WardType::read(w.code()), Some(*w));
            assert_eq!(WardType::read(w.label_fr()), Some(*w));
            assert_eq!(WardType::read(w.label_en()), Some(*w));
        }
        assert_eq!(WardType::read("Médecine"), Some(WardType::Medicine));
        assert_eq!(WardType::read("  MEDECINE "), Some(WardType::Medicine));
        assert_eq!(WardType::read("Réa"), Some(WardType::Icu));
        assert_eq!(WardType::read("SMR"), Some(WardType::Ssr));
        assert_eq!(
            WardType::read("Gynéco-obstétrique"),
            Some(WardType::Obstetrics)
        );
        assert_eq!(
            WardType::read("long-term care"),
            Some(WardType::LongTermCare)
        );
        assert_eq!(WardType::read("EHPAD"), Some(WardType::NursingHome));
        assert_eq!(WardType::read("Cardiologie"), None);
        assert_eq!(WardType::read(""), None);
        assert!(WardType::accepted().contains("icu (Réanimation)"));
    }
}

code_enum! {
    /// A patient's sex, as a pseudonymised record keeps it (an advice's case, an audited case).
    Sex {
        Female = "F", "Femme", "Female";
        Male = "M", "Homme", "Male";
    }
}
