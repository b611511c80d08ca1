//! The raw material of the demo: territories, towns, the mix of establishments, accounts.

use cratb_domain::{Category, Role};
use rand::Rng;
use rand::seq::IndexedRandom;

/// GHTs of the main demo region and the departments they cover.
pub const ARA_GHTS: &[(&str, &[&str])] = &[
    ("GHT Bresse Haut-Bugey", &["01"]),
    ("GHT Allier", &["03"]),
    ("GHT Sud Drôme-Ardèche", &["07", "26"]),
    ("GHT Cantal", &["15"]),
    ("GHT Alpes Dauphiné", &["38"]),
    ("GHT Loire", &["42"]),
    ("GHT Haute-Loire", &["43"]),
    ("GHT Territoires d'Auvergne", &["63"]),
    ("GHT Rhône Centre", &["69"]),
    ("GHT Rhône Nord Beaujolais Dombes", &["69", "01"]),
    ("GHT Savoie-Belley", &["73"]),
    ("GHT Léman Mont-Blanc", &["74"]),
];

/// GHTs of the second demo region.
pub const BRETAGNE_GHTS: &[(&str, &[&str])] = &[
    ("GHT d'Armor", &["22"]),
    ("GHT Brest-Carhaix-Morlaix", &["29"]),
    ("GHT Haute-Bretagne", &["35"]),
    ("GHT Brocéliande Atlantique", &["56"]),
];

/// Towns per department (the first is the prefecture).
pub const TOWNS: &[(&str, &[&str])] = &[
    (
        "01",
        &[
            "Bourg-en-Bresse",
            "Oyonnax",
            "Ambérieu-en-Bugey",
            "Belley",
            "Trévoux",
            "Gex",
        ],
    ),
    ("03", &["Moulins", "Montluçon", "Vichy", "Cusset", "Yzeure"]),
    (
        "07",
        &[
            "Privas",
            "Annonay",
            "Aubenas",
            "Tournon-sur-Rhône",
            "Le Teil",
        ],
    ),
    ("15", &["Aurillac", "Saint-Flour", "Mauriac", "Murat"]),
    (
        "26",
        &[
            "Valence",
            "Montélimar",
            "Romans-sur-Isère",
            "Die",
            "Crest",
            "Nyons",
        ],
    ),
    (
        "38",
        &[
            "Grenoble",
            "Vienne",
            "Voiron",
            "Bourgoin-Jallieu",
            "Échirolles",
            "La Mure",
            "Saint-Marcellin",
        ],
    ),
    (
        "42",
        &[
            "Saint-Étienne",
            "Roanne",
            "Montbrison",
            "Firminy",
            "Saint-Chamond",
            "Feurs",
        ],
    ),
    (
        "43",
        &[
            "Le Puy-en-Velay",
            "Yssingeaux",
            "Brioude",
            "Monistrol-sur-Loire",
        ],
    ),
    (
        "63",
        &[
            "Clermont-Ferrand",
            "Riom",
            "Thiers",
            "Issoire",
            "Ambert",
            "Cournon-d'Auvergne",
        ],
    ),
    (
        "69",
        &[
            "Lyon",
            "Villeurbanne",
            "Vénissieux",
            "Villefranche-sur-Saône",
            "Givors",
            "Tarare",
            "Bron",
        ],
    ),
    (
        "73",
        &[
            "Chambéry",
            "Aix-les-Bains",
            "Albertville",
            "Saint-Jean-de-Maurienne",
            "Bourg-Saint-Maurice",
        ],
    ),
    (
        "74",
        &[
            "Annecy",
            "Annemasse",
            "Thonon-les-Bains",
            "Sallanches",
            "Cluses",
            "Rumilly",
        ],
    ),
    (
        "22",
        &["Saint-Brieuc", "Lannion", "Dinan", "Guingamp", "Lamballe"],
    ),
    (
        "29",
        &[
            "Quimper",
            "Brest",
            "Morlaix",
            "Landerneau",
            "Carhaix-Plouguer",
            "Concarneau",
        ],
    ),
    (
        "35",
        &["Rennes", "Saint-Malo", "Fougères", "Vitré", "Redon"],
    ),
    ("56", &["Vannes", "Lorient", "Pontivy", "Ploërmel", "Auray"]),
];

/// The demo departments' populations: INSEE, populations légales millésimées 2021 (in force
/// from 1 January 2024), population municipale, rounded to the thousand. The Rhône counts the
/// Métropole de Lyon.
pub const POPULATIONS: &[(&str, u32)] = &[
    ("01", 665_000),
    ("03", 335_000),
    ("07", 329_000),
    ("15", 144_000),
    ("26", 519_000),
    ("38", 1_280_000),
    ("42", 767_000),
    ("43", 228_000),
    ("63", 665_000),
    ("69", 1_883_000),
    ("73", 439_000),
    ("74", 841_000),
    ("22", 602_000),
    ("29", 917_000),
    ("35", 1_107_000),
    ("56", 763_000),
];

/// A demo department's population ([`POPULATIONS`]).
pub fn population(department: &str) -> Option<u32> {
    POPULATIONS
        .iter()
        .find(|(d, _)| *d == department)
        .map(|(_, p)| *p)
}

/// Departments with a university hospital, and its town.
pub const CHU_TOWNS: &[(&str, &str)] = &[
    ("69", "Lyon"),
    ("38", "Grenoble"),
    ("42", "Saint-Étienne"),
    ("63", "Clermont-Ferrand"),
    ("29", "Brest"),
    ("35", "Rennes"),
];

/// Average number of establishments of each category per department (CHU: one where listed).
pub const MIX: &[(Category, f64)] = &[
    (Category::Chu, 1.0),
    (Category::Ch, 3.0),
    (Category::Clinique, 2.0),
    (Category::Ssr, 2.0),
    (Category::Psy, 1.0),
    (Category::Had, 0.6),
    (Category::Ehpad, 9.0),
    (Category::Mas, 1.0),
    (Category::AutreEms, 1.0),
    (Category::Labo, 2.0),
    (Category::Pharmacie, 2.0),
    (Category::Cds, 1.0),
];

/// One account per role (e-mail local part, role, region, fictional display name); each
/// region's coordinator has a name of their own.
pub const ACCOUNTS: &[(&str, Role, Option<&str>, &str)] = &[
    (
        "admin",
        Role::NationalAdmin,
        None,
        "Administration nationale (démo)",
    ),
    (
        "coordination",
        Role::Coordinator,
        Some("84"),
        "Dr Claire Vasseur (démo)",
    ),
    (
        "donnees",
        Role::DataManager,
        Some("84"),
        "Hugo Ferrand (démo)",
    ),
    (
        "secretariat",
        Role::Secretary,
        Some("84"),
        "Nadia Lemaire (démo)",
    ),
    (
        "ema",
        Role::EmaMember,
        Some("84"),
        "Dr Julien Perrin (démo)",
    ),
    (
        "referent",
        Role::Referent,
        Some("84"),
        "Dr Sophie Garnier (démo)",
    ),
    (
        "medecin",
        Role::Prescriber,
        Some("84"),
        "Dr Thomas Blanc (démo)",
    ),
    ("labo", Role::Lab, Some("84"), "Dr Inès Morel (démo)"),
    (
        "ars",
        Role::ArsReader,
        Some("84"),
        "Marc Rolland, ARS (démo)",
    ),
    (
        "coordination.bretagne",
        Role::Coordinator,
        Some("53"),
        "Dr Gwenaëlle Le Goff (démo)",
    ),
];

/// "de" before a town's name as French writes it: "d'Annecy", "du Teil", "des Avenières",
/// "de La Mure", "de Lyon".
pub fn of_town(town: &str) -> String {
    if let Some(rest) = town.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = town.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    let elided = town
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÀÂÉÈÊÎÔÛaeiouyéh".contains(c) || c == 'H');
    if elided {
        format!("d'{town}")
    } else {
        format!("de {town}")
    }
}

fn pick<'a>(rng: &mut impl Rng, xs: &[&'a str]) -> &'a str {
    xs.choose(rng).copied().unwrap_or(xs[0])
}

/// A plausible establishment name for a category and town.
pub fn establishment_name(category: Category, town: &str, rng: &mut impl Rng) -> String {
    use Category::*;
    match category {
        Chu => format!("CHU {}", of_town(town)),
        Ch => format!(
            "{} {}",
            pick(
                rng,
                &[
                    "Centre hospitalier",
                    "Centre hospitalier intercommunal",
                    "Hôpital de proximité"
                ]
            ),
            of_town(town)
        ),
        Clinique => format!(
            "{} ({town})",
            pick(
                rng,
                &[
                    "Clinique du Parc",
                    "Clinique des Cèdres",
                    "Clinique Sainte-Marie",
                    "Clinique du Lac",
                    "Polyclinique du Val",
                    "Clinique des Portes du Sud"
                ]
            )
        ),
        Ssr => format!(
            "Centre de SMR {} ({town})",
            pick(
                rng,
                &[
                    "Les Peupliers",
                    "Le Belvédère",
                    "Les Sorbiers",
                    "Le Clos Saint-Jean",
                    "La Chênaie"
                ]
            )
        ),
        Psy => format!("Centre hospitalier spécialisé {}", of_town(town)),
        Had => format!("HAD {town} et agglomération"),
        Ehpad => format!(
            "EHPAD {} ({town})",
            pick(
                rng,
                &[
                    "Les Tilleuls",
                    "Les Glycines",
                    "La Roseraie",
                    "Le Clos Fleuri",
                    "Les Magnolias",
                    "Résidence du Parc",
                    "Les Jardins d'Automne",
                    "La Source",
                    "Les Hortensias",
                    "Le Val Fleuri",
                    "Les Balcons du Lac",
                    "Les Myosotis"
                ]
            )
        ),
        Mas => format!(
            "{} ({town})",
            pick(
                rng,
                &["MAS Les Écureuils", "FAM Le Chêne", "MAS La Passerelle"]
            )
        ),
        AutreEms => format!(
            "Résidence autonomie {} ({town})",
            pick(rng, &["Les Lilas", "Les Marronniers", "Le Bois Joli"])
        ),
        Labo => format!(
            "Laboratoire {} – {town}",
            pick(
                rng,
                &[
                    "Biosanté",
                    "Bio-Alpes",
                    "LBM du Centre",
                    "Synerbio",
                    "Biolabo"
                ]
            )
        ),
        Pharmacie => format!(
            "Pharmacie {} ({town})",
            pick(
                rng,
                &[
                    "de la Gare",
                    "du Centre",
                    "de la Mairie",
                    "des Halles",
                    "du Marché",
                    "de l'Église"
                ]
            )
        ),
        Cds => format!("Maison de santé pluriprofessionnelle {}", of_town(town)),
    }
}

/// Beds or places, where the category has them.
pub fn beds(category: Category, rng: &mut impl Rng) -> Option<i64> {
    use Category::*;
    let range = match category {
        Chu => 1_200..2_600,
        Ch => 120..900,
        Clinique => 60..320,
        Ssr => 40..160,
        Psy => 90..420,
        Had => 25..90,
        Ehpad => 45..130,
        Mas => 25..65,
        AutreEms => 20..70,
        Labo | Pharmacie | Cds => return None,
    };
    Some(rng.random_range(range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_elide_as_french_does() {
        assert_eq!(of_town("Annecy"), "d'Annecy");
        assert_eq!(of_town("Issoire"), "d'Issoire");
        assert_eq!(of_town("Échirolles"), "d'Échirolles");
        assert_eq!(of_town("Yssingeaux"), "d'Yssingeaux");
        assert_eq!(of_town("Le Puy-en-Velay"), "du Puy-en-Velay");
        assert_eq!(of_town("La Mure"), "de La Mure");
        assert_eq!(of_town("Lyon"), "de Lyon");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for (_, towns) in TOWNS {
            for town in *towns {
                for category in [Category::Chu, Category::Ch, Category::Psy, Category::Cds] {
                    let name = establishment_name(category, town, &mut rng);
                    for wrong in [
                        " de A", " de E", " de É", " de I", " de O", " de U", " de Y", " de Le ",
                        " de Les ",
                    ] {
                        assert!(!name.contains(wrong), "{name}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_demo_department_has_its_insee_population() {
        for (d, _) in TOWNS {
            assert!(population(d).is_some(), "{d}");
        }
        assert_eq!(population("03"), Some(335_000));
        assert_eq!(population("38"), Some(1_280_000));
    }

    #[test]
    fn each_coordinator_has_a_name_of_their_own() {
        let names: Vec<&str> = ACCOUNTS
            .iter()
            .filter(|a| a.1 == Role::Coordinator)
            .map(|a| a.3)
            .collect();
        assert_eq!(names.len(), 2);
        assert_ne!(names[0], names[1]);
    }
}
