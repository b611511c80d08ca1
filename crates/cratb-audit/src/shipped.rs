//! The grids cratb ships (`grids/`), each with the recommendations it checks cited in the help
//! of its criteria: surgical antibiotic prophylaxis (SFAR), the reassessment at 48–72 h (HAS),
//! urinary tract infection in nursing homes (SPILF, HAS), the durations of common infections
//! (HAS), documented indication and planned duration (HAS, ECDC).

use crate::Grid;

/// The shipped grids' files, by code.
pub const FILES: [(&str, &str); 5] = [
    (
        "antibioprophylaxie-chirurgicale",
        include_str!("../grids/antibioprophylaxie-chirurgicale.json"),
    ),
    (
        "reevaluation-48-72h",
        include_str!("../grids/reevaluation-48-72h.json"),
    ),
    (
        "infection-urinaire-ehpad",
        include_str!("../grids/infection-urinaire-ehpad.json"),
    ),
    (
        "durees-infections-courantes",
        include_str!("../grids/durees-infections-courantes.json"),
    ),
    (
        "indication-et-duree-dans-le-dossier",
        include_str!("../grids/indication-et-duree-dans-le-dossier.json"),
    ),
];

/// The shipped grids, read.
pub fn grids() -> Vec<Grid> {
    FILES
        .iter()
        .filter_map(|(_, text)| Grid::from_json(text).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_grid_loads_and_cites_its_sources() {
        for (code, text) in FILES {
            let g = Grid::from_json(text).unwrap_or_else(|e| panic!("{code}: {e:?}"));
            assert_eq!(g.code, code);
            assert!(!g.sectors.is_empty());
            assert!(
                g.criteria.iter().filter(|c| c.has_rule()).count() >= 2,
                "{code}"
            );
            for c in g.criteria.iter().filter(|c| c.has_rule()) {
                let help = c.help_fr.as_deref().unwrap_or("");
                assert!(
                    [
                        "SFAR",
                        "HAS",
                        "SPILF",
                        "DGS",
                        "ECDC",
                        "ANSM",
                        "Santé publique France"
                    ]
                    .iter()
                    .any(|s| help.contains(s)),
                    "{code}.{}: no source cited in « {help} »",
                    c.code
                );
                assert!(c.help_en.is_some(), "{code}.{}", c.code);
            }
            // What is written is read back the same.
            assert_eq!(Grid::from_json(&g.to_json()).unwrap(), g);
        }
        assert_eq!(grids().len(), 5);
    }
}
