//! The WHO ATC/DDD index: the defined daily dose of each substance by route, from the WHO
//! Collaborating Centre for Drug Statistics Methodology (WHOCC), as tabulated in
//! `shared/reference/who_atc_ddd_<year>.tsv` (columns `atc`, `name`, `ddd`, `unit`, `route`,
//! `note`). Every figure names the edition it used.

use std::collections::HashMap;
use std::io::Read;

/// An administration route as consumption files give it (WHO's letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// Oral.
    O,
    /// Parenteral.
    P,
    /// Rectal.
    R,
    /// Nasal.
    N,
    /// Inhalation, form not given: valid only where WHO has a single inhaled DDD.
    Inhal,
    /// Inhalation powder (WHO's `Inhal.powder`).
    InhalPowder,
    /// Inhalation solution (WHO's `Inhal.solution`).
    InhalSolution,
}

impl Route {
    /// Every route, in the order of their codes' storage.
    pub const ALL: [Route; 7] = [
        Route::O,
        Route::P,
        Route::R,
        Route::N,
        Route::Inhal,
        Route::InhalPowder,
        Route::InhalSolution,
    ];

    /// Parses `O`, `P`, `R`, `N`, WHO's `Inhal.powder` and `Inhal.solution`, or a plain
    /// `Inhal` (any case). WHO's two inhaled forms have different DDDs (tobramycin: 0.112 g
    /// powder, 0.3 g solution): they are kept apart, never folded into one.
    pub fn parse(text: &str) -> Option<Route> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "o" => Some(Route::O),
            "p" => Some(Route::P),
            "r" => Some(Route::R),
            "n" => Some(Route::N),
            "inhal" => Some(Route::Inhal),
            "inhal.powder" => Some(Route::InhalPowder),
            "inhal.solution" => Some(Route::InhalSolution),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Route::O => "O",
            Route::P => "P",
            Route::R => "R",
            Route::N => "N",
            Route::Inhal => "Inhal",
            Route::InhalPowder => "Inhal.powder",
            Route::InhalSolution => "Inhal.solution",
        }
    }

    /// Whether the route is inhaled (whatever its form).
    pub fn is_inhaled(self) -> bool {
        matches!(
            self,
            Route::Inhal | Route::InhalPowder | Route::InhalSolution
        )
    }
}

/// The unit a DDD is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Gram,
    Milligram,
    /// Million international units (e.g. colistin): not convertible from grams.
    MillionUnits,
}

/// One DDD of a substance: route as WHO writes it, amount and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ddd {
    pub route: String,
    pub amount: f64,
    pub unit: Unit,
}

/// Why an ATC code and route have no DDD in grams.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoDdd {
    /// The code is not in the index (or is a group, which has no DDD).
    Unknown,
    /// WHO gives no DDD for this route (and several for others).
    NoRoute(Route),
    /// The DDD is in million units: grams cannot be converted.
    NotInGrams,
    /// A plain `Inhal` where WHO gives one DDD for the powder and another for the solution.
    InhaledFormNeeded,
}

impl NoDdd {
    /// In French, for reports.
    pub fn message(&self) -> String {
        match self {
            NoDdd::Unknown => "code ATC absent de l'index OMS, ou groupe sans DDD".into(),
            NoDdd::NoRoute(r) => format!("pas de DDD OMS pour la voie {}", r.code()),
            NoDdd::NotInGrams => {
                "DDD exprimée en millions d'unités : une quantité en grammes ne s'y convertit pas"
                    .into()
            }
            NoDdd::InhaledFormNeeded => INHALED_FORM_FR.into(),
        }
    }

    /// In English.
    pub fn message_en(&self) -> String {
        match self {
            NoDdd::Unknown => "ATC code absent from the WHO index, or a group without a DDD".into(),
            NoDdd::NoRoute(r) => format!("no WHO DDD for the route {}", r.code()),
            NoDdd::NotInGrams => {
                "DDD given in million units: a quantity in grams does not convert to it".into()
            }
            NoDdd::InhaledFormNeeded => INHALED_FORM_EN.into(),
        }
    }
}

/// Why a plain `Inhal` is refused where WHO gives two inhaled DDDs, in French.
pub const INHALED_FORM_FR: &str = "l'OMS donne une DDD pour la poudre (Inhal.powder) et une autre \
     pour la solution (Inhal.solution) : préciser la forme inhalée, Inhal.powder ou Inhal.solution";
/// The same in English.
pub const INHALED_FORM_EN: &str = "WHO gives one DDD for the powder (Inhal.powder) and another \
     for the solution (Inhal.solution): give the inhaled form, Inhal.powder or Inhal.solution";

/// A WHO ATC/DDD index edition.
#[derive(Debug, Clone)]
pub struct DddTable {
    /// `WHOCC ATC/DDD Index 2026`.
    pub edition: String,
    entries: HashMap<String, Vec<Ddd>>,
    names: HashMap<String, String>,
}

const EMBEDDED: [(u16, &[u8]); 2] = [
    (2025, include_bytes!("../data/who_atc_ddd_2025.tsv.gz")),
    (2026, include_bytes!("../data/who_atc_ddd_2026.tsv.gz")),
];

/// The newest edition shipped.
pub const LATEST: u16 = 2026;

impl DddTable {
    /// An edition shipped with the application (2025 or 2026).
    pub fn embedded(year: u16) -> Option<DddTable> {
        let (_, gz) = EMBEDDED.iter().find(|(y, _)| *y == year)?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(*gz)
            .read_to_string(&mut text)
            .ok()?;
        DddTable::parse(&text, &format!("WHOCC ATC/DDD Index {year}")).ok()
    }

    /// The years shipped.
    pub fn editions() -> Vec<u16> {
        EMBEDDED.iter().map(|(y, _)| *y).collect()
    }

    /// Reads a table in the reference layout (a newer edition a data manager loads); the error
    /// names the line at fault.
    pub fn parse(tsv: &str, edition: &str) -> Result<DddTable, String> {
        let mut lines = tsv.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| format!("colonne « {name} » absente de l'en-tête"))
        };
        let (atc, name, ddd, unit, route) = (
            col("atc")?,
            col("name")?,
            col("ddd")?,
            col("unit")?,
            col("route")?,
        );
        let mut entries: HashMap<String, Vec<Ddd>> = HashMap::new();
        let mut names = HashMap::new();
        for (i, line) in lines.enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |c: usize| f.get(c).map_or("", |s| s.trim());
            let code = get(atc).to_ascii_uppercase();
            if code.is_empty() {
                continue;
            }
            names
                .entry(code.clone())
                .or_insert_with(|| get(name).to_string());
            if get(ddd).is_empty() {
                continue;
            }
            let amount: f64 = get(ddd)
                .replace(',', ".")
                .parse()
                .map_err(|_| format!("ligne {} : DDD « {} » illisible", i + 2, get(ddd)))?;
            let unit = match get(unit) {
                "g" => Unit::Gram,
                "mg" => Unit::Milligram,
                "MU" => Unit::MillionUnits,
                other => return Err(format!("ligne {} : unité « {other} » inconnue", i + 2)),
            };
            entries.entry(code).or_default().push(Ddd {
                route: get(route).to_string(),
                amount,
                unit,
            });
        }
        Ok(DddTable {
            edition: edition.to_string(),
            entries,
            names,
        })
    }

    /// Reads a table a data manager loads, as CSV, TSV or XLSX with the reference columns
    /// (`atc`, `name`, `ddd`, `unit`, `route`); returns the table and its text in the reference
    /// layout (what is stored).
    pub fn from_sheet(bytes: &[u8], edition: &str) -> Result<(DddTable, String), String> {
        let sheet = cratb_sheet::read(bytes)?;
        let clean = |c: &str| c.replace(['\t', '\n', '\r'], " ").trim().to_string();
        let mut text = sheet
            .header
            .iter()
            .map(|h| clean(h).to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join("\t");
        text.push('\n');
        for row in &sheet.rows {
            text.push_str(&row.iter().map(|c| clean(c)).collect::<Vec<_>>().join("\t"));
            text.push('\n');
        }
        let table = DddTable::parse(&text, edition)?;
        if table.entries.is_empty() {
            return Err("aucune DDD dans le fichier".into());
        }
        Ok((table, text))
    }

    /// The ATC codes with at least one DDD, sorted.
    pub fn codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = self.entries.keys().map(String::as_str).collect();
        codes.sort_unstable();
        codes
    }

    /// The number of ATC codes with at least one DDD.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds no DDD.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The substance's name (`amoxicillin`), if the code is known.
    pub fn name(&self, atc: &str) -> Option<&str> {
        self.names.get(atc).map(String::as_str)
    }

    /// The DDD chosen for a route: WHO's own value for that route where it gives one (each
    /// inhaled form its own); a plain `Inhal` where WHO gives a single inhaled DDD, that one
    /// (refused where it gives one per form); else the oral DDD for rectal and nasal use; else,
    /// where WHO gives a single DDD, that one.
    pub fn ddd(&self, atc: &str, route: Route) -> Result<&Ddd, NoDdd> {
        let list = self.entries.get(atc).ok_or(NoDdd::Unknown)?;
        if route == Route::Inhal {
            let inhaled: Vec<&Ddd> = list
                .iter()
                .filter(|d| Route::parse(&d.route).is_some_and(Route::is_inhaled))
                .collect();
            match inhaled[..] {
                [one] => return Ok(one),
                [first, ..]
                    if inhaled
                        .iter()
                        .any(|d| d.amount != first.amount || d.unit != first.unit) =>
                {
                    return Err(NoDdd::InhaledFormNeeded);
                }
                // Two forms with the same DDD (colistin 3 MU): either.
                [first, ..] => return Ok(first),
                [] => {}
            }
        }
        let exact = list.iter().find(|d| Route::parse(&d.route) == Some(route));
        let oral = || {
            matches!(route, Route::R | Route::N)
                .then(|| list.iter().find(|d| d.route == "O"))
                .flatten()
        };
        exact
            .or_else(oral)
            .or_else(|| (list.len() == 1).then(|| &list[0]))
            .ok_or(NoDdd::NoRoute(route))
    }

    /// The DDD in grams for a route.
    pub fn grams(&self, atc: &str, route: Route) -> Result<f64, NoDdd> {
        let d = self.ddd(atc, route)?;
        match d.unit {
            Unit::Gram => Ok(d.amount),
            Unit::Milligram => Ok(d.amount / 1000.0),
            Unit::MillionUnits => Err(NoDdd::NotInGrams),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_specific_values_win_then_oral_then_the_only_one() {
        let t = DddTable::embedded(2026).unwrap();
        assert_eq!(t.edition, "WHOCC ATC/DDD Index 2026");
        // Amoxicillin/clavulanate: 1.5 g oral, 3 g parenteral (amoxicillin only).
        assert_eq!(t.grams("J01CR02", Route::O), Ok(1.5));
        assert_eq!(t.grams("J01CR02", Route::P), Ok(3.0));
        // Metronidazole P01AB01: its own rectal DDD.
        assert_eq!(t.grams("P01AB01", Route::R), Ok(2.0));
        // Rectal without its own value: the oral one.
        assert_eq!(t.grams("J01CR02", Route::R), Ok(1.5));
        // Colistin is in million units.
        assert_eq!(t.grams("J01XB01", Route::P), Err(NoDdd::NotInGrams));
        assert_eq!(t.grams("J01XX99", Route::O), Err(NoDdd::Unknown));
        assert_eq!(
            t.grams("J01C", Route::O),
            Err(NoDdd::Unknown),
            "a group has no DDD"
        );
        assert_eq!(
            t.grams("J01CR02", Route::Inhal),
            Err(NoDdd::NoRoute(Route::Inhal))
        );
    }

    #[test]
    fn inhaled_forms_keep_their_own_ddd() {
        for year in DddTable::editions() {
            let t = DddTable::embedded(year).unwrap();
            // Tobramycin J01GB01: WHO gives 0.112 g powder, 0.3 g solution. 3 g of solution
            // are 10 DDD, not 26.79.
            assert_eq!(t.grams("J01GB01", Route::InhalSolution), Ok(0.3));
            assert_eq!(t.grams("J01GB01", Route::InhalPowder), Ok(0.112));
            assert!((3.0 / t.grams("J01GB01", Route::InhalSolution).unwrap() - 10.0).abs() < 1e-12);
            // A plain `Inhal` is refused where the two forms differ, naming both.
            assert_eq!(
                t.grams("J01GB01", Route::Inhal),
                Err(NoDdd::InhaledFormNeeded)
            );
            let why = NoDdd::InhaledFormNeeded.message();
            assert!(
                why.contains("Inhal.powder") && why.contains("Inhal.solution"),
                "{why}"
            );
            // Aztreonam, amikacin, levofloxacin: a single inhaled DDD (solution), so `Inhal`
            // is that one.
            assert_eq!(t.grams("J01DF01", Route::Inhal), Ok(0.225));
            assert_eq!(t.grams("J01GB06", Route::Inhal), Ok(0.59));
            assert_eq!(t.grams("J01MA12", Route::Inhal), Ok(0.24));
            // A form WHO does not give for a substance inhaled in the other: refused.
            assert_eq!(
                t.grams("J01DF01", Route::InhalPowder),
                Err(NoDdd::NoRoute(Route::InhalPowder))
            );
            // Colistin: 3 MU in both forms, in million units anyway.
            assert_eq!(t.grams("J01XB01", Route::Inhal), Err(NoDdd::NotInGrams));
        }
        for r in Route::ALL {
            assert_eq!(Route::parse(r.code()), Some(r));
            assert_eq!(Route::parse(&r.code().to_ascii_uppercase()), Some(r));
        }
        assert_eq!(Route::parse("Inhal.spray"), None);
    }

    #[test]
    fn editions_differ_where_who_changed_them() {
        let (old, new) = (
            DddTable::embedded(2025).unwrap(),
            DddTable::embedded(2026).unwrap(),
        );
        assert!(old.grams("J01DF51", Route::P).is_err());
        assert_eq!(new.grams("J01DF51", Route::P), Ok(6.0));
        assert_eq!(DddTable::editions(), [2025, 2026]);
    }

    #[test]
    fn a_newer_table_is_read_from_a_spreadsheet() {
        let csv =
            "ATC;Name;DDD;Unit;Route\nJ01CA04;amoxicillin;1,5;g;O\nJ01CA04;amoxicillin;3;g;P\n";
        let (t, text) = DddTable::from_sheet(csv.as_bytes(), "WHOCC ATC/DDD Index 2027").unwrap();
        assert_eq!(t.grams("J01CA04", Route::P), Ok(3.0));
        assert_eq!(t.len(), 1);
        assert!(text.starts_with("atc\tname\tddd\tunit\troute\n"));
        let again = DddTable::parse(&text, "x").unwrap();
        assert_eq!(again.grams("J01CA04", Route::O), Ok(1.5));
        assert!(DddTable::from_sheet(b"atc;name;ddd;unit;route\n", "x").is_err());
    }

    #[test]
    fn a_table_with_a_bad_line_is_refused_with_its_line() {
        let e = DddTable::parse(
            "atc\tname\tddd\tunit\troute\nJ01AA02\tdoxycycline\tdeux\tg\tO\n",
            "x",
        )
        .unwrap_err();
        assert!(e.contains("ligne 2"), "{e}");
    }
}
