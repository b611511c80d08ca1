//! Antimicrobials by name, for people: the French INN (DCI) from `data/antimicrobials_fr.tsv`
//! (its source in its header), by the AMR package's code or by WHO ATC code; the English name
//! from the reference table (antimicrobials) or the WHO index (ATC).

use std::collections::HashMap;
use std::sync::OnceLock;

use cratb_domain::Lang;

struct Names {
    by_code: HashMap<&'static str, &'static str>,
    by_atc: HashMap<&'static str, &'static str>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let text = include_str!("../data/antimicrobials_fr.tsv");
        let mut names = Names {
            by_code: HashMap::new(),
            by_atc: HashMap::new(),
        };
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .skip(1)
        {
            let mut fields = line.split('\t');
            let (Some(code), Some(atc), Some(name)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if !code.is_empty() {
                names.by_code.entry(code).or_insert(name);
            }
            for atc in atc.split(',').filter(|a| !a.is_empty()) {
                names.by_atc.entry(atc).or_insert(name);
            }
        }
        names
    })
}

/// The French INN of an antimicrobial by its code (`AMC` → `amoxicilline-acide clavulanique`),
/// in lower case as in running text.
pub fn french(code: &str) -> Option<&'static str> {
    names()
        .by_code
        .get(code.trim().to_ascii_uppercase().as_str())
        .copied()
}

/// The French INN of a substance by its WHO ATC code (`J01CR02` → `amoxicilline-acide
/// clavulanique`), for the consumption screens.
pub fn french_by_atc(atc: &str) -> Option<&'static str> {
    names()
        .by_atc
        .get(atc.trim().to_ascii_uppercase().as_str())
        .copied()
}

/// Every systemic anti-infective (ATC `J`, and `P01AB` nitroimidazoles) with its French INN,
/// by code, for a list to pick from (the advice form's datalist).
pub fn atc_list() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&'static str, &'static str)> = names()
        .by_atc
        .iter()
        .filter(|(a, _)| a.starts_with('J') || a.starts_with("P01AB"))
        .map(|(a, n)| (*a, *n))
        .collect();
    all.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
    all
}

/// A substance named by ATC code in `lang`: French from this table, the WHO index's `english`
/// name otherwise (or when the code is not in the table).
pub fn atc_name(atc: &str, english: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => french_by_atc(atc).unwrap_or(english).to_string(),
        Lang::En => english.to_string(),
    }
}

/// An antimicrobial's name in `lang`, its first letter a capital (a table's heading): French
/// from this table, English from the reference; `None` for an unknown code.
pub fn antimicrobial(code: &str, lang: Lang) -> Option<String> {
    let name = match lang {
        Lang::Fr => french(code).map(str::to_string),
        Lang::En => None,
    }
    .or_else(|| {
        let reference = crate::Reference::get();
        reference
            .antimicrobial(code)
            .map(|a| reference.antimicrobials[a as usize].name.to_string())
    })?;
    Some(capitalised(&name))
}

/// `name` with its first letter a capital.
pub fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The name of the high-level aminoglycoside screen of enterococci for gentamicin.
pub fn gentamicin_high_level(lang: Lang) -> &'static str {
    lang.pick("Gentamicine haut niveau", "Gentamicin high-level")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn french_names_are_the_french_inn() {
        for (code, name) in [
            ("CZO", "céfazoline"),
            ("AMC", "amoxicilline-acide clavulanique"),
            ("TZP", "pipéracilline-tazobactam"),
            ("SXT", "triméthoprime-sulfaméthoxazole (cotrimoxazole)"),
            ("gen", "gentamicine"),
        ] {
            assert_eq!(french(code), Some(name), "{code}");
        }
        assert_eq!(french_by_atc("J01CR02"), french("AMC"));
        assert_eq!(french_by_atc("J01DH51"), Some("imipénem-cilastatine"));
        assert_eq!(
            antimicrobial("AMX", Lang::Fr).as_deref(),
            Some("Amoxicilline")
        );
        assert_eq!(
            antimicrobial("AMX", Lang::En).as_deref(),
            Some("Amoxicillin")
        );
        assert_eq!(atc_name("J01CA04", "amoxicillin", Lang::En), "amoxicillin");
        assert_eq!(atc_name("J01CA04", "amoxicillin", Lang::Fr), "amoxicilline");
        assert_eq!(antimicrobial("ZZZ", Lang::Fr), None);
    }

    /// Every code the product uses has a French name: the antimicrobials of the breakpoint table,
    /// of the synthetic (demo) laboratory files, and every J01, J02, J04 and P01AB substance of
    /// the WHO ATC/DDD editions the consumption screens ship.
    #[test]
    fn every_code_used_has_a_french_name() {
        let reference = crate::Reference::get();
        let mut missing: Vec<String> = Vec::new();
        for b in &reference.breakpoints {
            let code = &reference.antimicrobials[b.ab as usize].code;
            if french(code).is_none() && !missing.contains(&code.to_string()) {
                missing.push(code.to_string());
            }
        }
        let file = crate::synth::generate(&crate::synth::Spec {
            isolates: 2_000,
            patients: 700,
            ..Default::default()
        });
        let data = crate::read(&file, &Default::default()).expect("a synthetic file reads");
        for agent in &data.agents {
            if french(&agent.code).is_none() {
                missing.push(agent.code.clone());
            }
        }
        assert!(missing.is_empty(), "no French name for {missing:?}");
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cratb-consumption/data");
        let mut checked = 0;
        for edition in ["who_atc_ddd_2025.tsv.gz", "who_atc_ddd_2026.tsv.gz"] {
            let gz = std::fs::read(dir.join(edition)).expect("the WHO index the product ships");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut text)
                .unwrap();
            for atc in text.lines().skip(1).filter_map(|l| l.split('\t').next()) {
                let substance = atc.len() == 7
                    && ["J01", "J02", "J04", "P01AB"]
                        .iter()
                        .any(|p| atc.starts_with(p));
                if substance {
                    checked += 1;
                    if french_by_atc(atc).is_none() {
                        missing.push(atc.to_string());
                    }
                }
            }
        }
        assert!(checked > 600, "{checked} ATC codes read");
        assert!(missing.is_empty(), "no French name for {missing:?}");
    }

    #[test]
    fn names_are_written_once_in_lower_case() {
        let text = include_str!("../data/antimicrobials_fr.tsv");
        for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let name = line.split('\t').nth(2).unwrap_or_default();
            assert!(!name.is_empty(), "{line}");
            assert_eq!(name.trim(), name, "{line}");
            assert!(
                name.chars().next().is_some_and(char::is_lowercase),
                "{line}"
            );
            assert!(!name.contains("Céph") && !name.contains("céph"), "{line}");
        }
    }
}
