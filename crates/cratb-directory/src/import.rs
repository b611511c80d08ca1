//! Importing the spreadsheets centres keep today: the columns are mapped to the directory's
//! fields (guessed from their names, corrected by the user), every row is classified as new,
//! update, duplicate or invalid with its reason, against the region's entries as they stand;
//! the store then writes the valid rows in one transaction — all of them or none.

use crate::professionals::{NewProfessional, Professional, ProfessionalInput, Snapshot};
use cratb_domain::geo::fold;
use cratb_domain::{Email, Finess, NetworkRole, Phone, Profession, RegionCode, Rpps};
use cratb_sheet::Table;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The most rows a directory sheet may hold (a national directory is about 50,000).
pub const MAX_ROWS: usize = 100_000;

/// What a directory sheet may hold: [`MAX_ROWS`] rows, and no more text than the upload's
/// 32 MiB, so that the table read from a small workbook stays small.
pub fn sheet_limits() -> cratb_sheet::Limits {
    cratb_sheet::Limits {
        max_rows: MAX_ROWS,
        max_text_bytes: 32 * 1024 * 1024,
        ..Default::default()
    }
}

/// Reads a directory sheet (CSV or XLSX) within [`sheet_limits`]; the message says why not.
pub fn read_sheet(bytes: &[u8]) -> Result<Table, String> {
    cratb_sheet::read_within(bytes, &sheet_limits())
}

/// A field an import can fill, with the column names people give it.
pub struct ImportField {
    pub name: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    pub aliases: &'static [&'static str],
}

impl ImportField {
    /// The field's name for people, in `lang`.
    pub fn label(&self, lang: cratb_domain::Lang) -> &'static str {
        lang.pick(self.fr, self.en)
    }
}

/// The fields, in the order of the mapping.
pub const FIELDS: [ImportField; 11] = [
    ImportField {
        name: "last_name",
        fr: "Nom",
        en: "Last name",
        aliases: &[
            "nom",
            "nom de famille",
            "nom d usage",
            "last name",
            "family name",
        ],
    },
    ImportField {
        name: "first_name",
        fr: "Prénom",
        en: "First name",
        aliases: &["prenom", "first name", "given name"],
    },
    ImportField {
        name: "profession",
        fr: "Profession",
        en: "Profession",
        aliases: &[
            "profession",
            "metier",
            "fonction",
            "specialite",
            "qualification",
        ],
    },
    ImportField {
        name: "rpps",
        fr: "RPPS",
        en: "RPPS",
        aliases: &[
            "rpps",
            "n rpps",
            "numero rpps",
            "no rpps",
            "rpps number",
            "idnps",
        ],
    },
    ImportField {
        name: "email",
        fr: "E-mail",
        en: "E-mail",
        aliases: &[
            "email",
            "e mail",
            "mail",
            "courriel",
            "adresse mail",
            "adresse e mail",
            "adresse electronique",
        ],
    },
    ImportField {
        name: "phone",
        fr: "Téléphone",
        en: "Phone",
        aliases: &[
            "telephone",
            "tel",
            "phone",
            "portable",
            "numero de telephone",
        ],
    },
    ImportField {
        name: "network_roles",
        fr: "Rôles dans le réseau",
        en: "Network roles",
        aliases: &["roles", "role", "network roles", "roles dans le reseau"],
    },
    ImportField {
        name: "establishments",
        fr: "Établissements (FINESS)",
        en: "Establishments (FINESS)",
        aliases: &[
            "finess",
            "etablissement",
            "etablissements",
            "establishments",
            "finess etablissement",
        ],
    },
    ImportField {
        name: "public_name",
        fr: "Nom public (oui/non)",
        en: "Public name (yes/no)",
        aliases: &["public name", "nom public", "consentement nom"],
    },
    ImportField {
        name: "public_email",
        fr: "E-mail public (oui/non)",
        en: "Public e-mail (yes/no)",
        aliases: &[
            "public email",
            "e mail public",
            "email public",
            "consentement e mail",
        ],
    },
    ImportField {
        name: "public_phone",
        fr: "Téléphone public (oui/non)",
        en: "Public phone (yes/no)",
        aliases: &["public phone", "telephone public", "consentement telephone"],
    },
];

/// For each of [`FIELDS`], the column of the sheet that fills it.
pub type Mapping = Vec<Option<usize>>;

/// A column name reduced to letters, digits and single spaces (`N° RPPS` = `n rpps`).
fn key(name: &str) -> String {
    fold(name)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns whose names match a field, each column used once: first the names that are
/// exactly a usual spelling (`Courriel`, `N° RPPS`), then the names that hold one among other
/// words (`Établissement (FINESS)`, `Téléphone portable`, `Adresse e-mail professionnelle`),
/// each such column going to the field whose spelling it holds is the longest.
pub fn guess(header: &[String]) -> Mapping {
    let folded: Vec<String> = header.iter().map(|h| key(h)).collect();
    let mut used = HashSet::new();
    let mut mapping: Mapping = FIELDS
        .iter()
        .map(|f| {
            let col = folded
                .iter()
                .enumerate()
                .find(|(i, h)| !used.contains(i) && f.aliases.contains(&h.as_str()))
                .map(|(i, _)| i);
            if let Some(i) = col {
                used.insert(i);
            }
            col
        })
        .collect();
    for (i, h) in folded.iter().enumerate() {
        if used.contains(&i) {
            continue;
        }
        let padded = format!(" {h} ");
        let best = FIELDS
            .iter()
            .enumerate()
            .flat_map(|(f, field)| field.aliases.iter().map(move |a| (f, a.len(), *a)))
            .filter(|(_, _, a)| padded.contains(&format!(" {a} ")))
            .max_by_key(|(_, len, _)| *len);
        if let Some((f, _, _)) = best
            && mapping[f].is_none()
        {
            mapping[f] = Some(i);
            used.insert(i);
        }
    }
    mapping
}

/// The columns of `header` that no field takes under `mapping`: left out of the import, and
/// said before it is committed.
pub fn ignored<'h>(header: &'h [String], mapping: &Mapping) -> Vec<&'h str> {
    header
        .iter()
        .enumerate()
        .filter(|(i, _)| !mapping.contains(&Some(*i)))
        .map(|(_, h)| h.as_str())
        .collect()
}

/// What a row would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    New,
    /// Changes entry `id`.
    Update {
        id: i64,
    },
    /// Repeats an earlier row or an existing entry: never written.
    Duplicate {
        reason: String,
    },
    Invalid {
        reasons: Vec<String>,
    },
}

/// A row and what it would do.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    #[serde(skip)]
    new: Option<NewProfessional>,
}

impl Verdict {
    /// The verdict's code (`new`, `update`, `duplicate`, `invalid`).
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::New => "new",
            Verdict::Update { .. } => "update",
            Verdict::Duplicate { .. } => "duplicate",
            Verdict::Invalid { .. } => "invalid",
        }
    }

    /// What the preview says beside it: the entry updated, or why the row is not written.
    pub fn detail(&self) -> String {
        match self {
            Verdict::New => String::new(),
            Verdict::Update { id } => format!("#{id}"),
            Verdict::Duplicate { reason } => reason.clone(),
            Verdict::Invalid { reasons } => reasons.join(" ; "),
        }
    }
}

/// Every row of a sheet with its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub rows: Vec<Planned>,
}

/// Counts of a plan: new, updates, duplicates, invalid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub new: usize,
    pub update: usize,
    pub duplicate: usize,
    pub invalid: usize,
}

impl Plan {
    /// The rows a preview lists, problems first (invalid, duplicates, updates, then new), at
    /// most `limit` of them; and how many are left out.
    pub fn listed(&self, limit: usize) -> (Vec<&Planned>, usize) {
        let mut rows: Vec<&Planned> = self.rows.iter().collect();
        rows.sort_by_key(|r| match r.verdict {
            Verdict::Invalid { .. } => 0,
            Verdict::Duplicate { .. } => 1,
            Verdict::Update { .. } => 2,
            Verdict::New => 3,
        });
        let hidden = rows.len().saturating_sub(limit);
        rows.truncate(limit);
        (rows, hidden)
    }

    /// The rows to write: the entry each updates (none for a new one) and its checked fields.
    pub fn writes(&self) -> Vec<(Option<i64>, &NewProfessional)> {
        self.rows
            .iter()
            .filter_map(|r| match (&r.verdict, &r.new) {
                (Verdict::New, Some(n)) => Some((None, n)),
                (Verdict::Update { id }, Some(n)) => Some((Some(*id), n)),
                _ => None,
            })
            .collect()
    }

    /// The number of invalid rows, when they forbid a commit in `mode`.
    pub fn refused(&self, mode: Mode) -> Option<usize> {
        let invalid = self.counts().invalid;
        (mode == Mode::AllOrNothing && invalid > 0).then_some(invalid)
    }

    /// What a commit of the plan does: entries created and updated, rows skipped and why.
    pub fn report(&self) -> Report {
        let mut report = Report::default();
        for r in &self.rows {
            match &r.verdict {
                Verdict::New => report.created += 1,
                Verdict::Update { .. } => report.updated += 1,
                Verdict::Duplicate { reason } => report.skipped.push((r.line, reason.clone())),
                Verdict::Invalid { reasons } => report.skipped.push((r.line, reasons.join(" ; "))),
            }
        }
        report
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            match r.verdict {
                Verdict::New => c.new += 1,
                Verdict::Update { .. } => c.update += 1,
                Verdict::Duplicate { .. } => c.duplicate += 1,
                Verdict::Invalid { .. } => c.invalid += 1,
            }
        }
        c
    }
}

/// A profession as spreadsheets write it: the code, the label, or a usual abbreviation.
fn profession(text: &str) -> String {
    let f = fold(text);
    if let Some(p) = Profession::ALL
        .iter()
        .find(|p| p.code() == f || fold(p.label_fr()) == f || fold(p.label_en()) == f)
    {
        return p.code().into();
    }
    let alias = match f.as_str() {
        "infirmiere" | "ide" | "infirmier e" | "infirmier hygieniste" => "nurse",
        "mg" | "medecin generaliste" | "generaliste" | "medecin traitant" => "gp",
        "pharmacienne" | "pharmacien hospitalier" | "pharmacien d officine" => "pharmacist",
        "biologiste" | "microbiologiste" | "biologiste medical" => "microbiologist",
        "infectiologue" | "medecin infectiologue" => "infectiologist",
        "hygieniste" | "praticien hygieniste" => "hygienist",
        "sage femme" => "midwife",
        "dentiste" | "chirurgien dentiste" => "dentist",
        "medecin coordonnateur" | "medecin coordonnateur d ehpad" | "medco" => "ehpad_physician",
        _ => return text.trim().to_string(),
    };
    alias.into()
}

/// Network roles as spreadsheets write them: codes or labels, separated by `,`, `;` or `/`.
fn roles(text: &str) -> Vec<String> {
    text.split([',', ';', '/', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let f = fold(s);
            NetworkRole::ALL
                .iter()
                .find(|r| r.code() == f || fold(r.label_fr()) == f || fold(r.label_en()) == f)
                .map_or(s.to_string(), |r| r.code().to_string())
        })
        .collect()
}

fn yes_no(text: &str) -> std::result::Result<Option<bool>, String> {
    match fold(text).as_str() {
        "" => Ok(None),
        "oui" | "o" | "yes" | "y" | "x" | "1" | "vrai" | "true" => Ok(Some(true)),
        "non" | "n" | "no" | "0" | "faux" | "false" => Ok(Some(false)),
        _ => Err(format!("« {text} » : oui ou non attendu")),
    }
}

fn identity(last: &str, first: &str, email: &str) -> String {
    format!(
        "{}|{}|{}",
        fold(last),
        fold(first),
        email.trim().to_lowercase()
    )
}

/// The mapping a form or a query gives (`map_<field>` = column index, empty or `-` = not
/// imported), the guessed one for the fields it does not name.
pub fn chosen_mapping<'a>(param: impl Fn(&str) -> Option<&'a str>, guessed: Mapping) -> Mapping {
    FIELDS
        .iter()
        .zip(guessed)
        // A field not imported is `-` in the preview's address (an empty parameter counts as
        // absent there) and empty in the commit form.
        .map(|(f, g)| match param(&format!("map_{}", f.name)) {
            Some(v) if v.is_empty() || v == "-" => None,
            Some(v) => v.parse().ok(),
            None => g,
        })
        .collect()
}

/// What the rows of a region's sheet are compared with.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// The region's entries.
    pub entries: Vec<Professional>,
    /// The FINESS numbers of the region's establishments.
    pub finess: HashSet<String>,
    /// The RPPS numbers other regions' directories hold.
    pub rpps_elsewhere: HashSet<String>,
}

/// Classifies every row of `table` read through `mapping`, for `region`'s directory as `known`
/// holds it.
pub fn plan(region: &RegionCode, table: &Table, mapping: &Mapping, known: &Known) -> Plan {
    let existing = &known.entries;
    let by_rpps: HashMap<&str, &Professional> = existing
        .iter()
        .filter_map(|p| p.rpps.as_deref().map(|r| (r, p)))
        .collect();
    let by_id: HashMap<i64, &Professional> = existing.iter().map(|p| (p.id, p)).collect();
    let by_identity: HashMap<String, &Professional> = existing
        .iter()
        .filter_map(|p| {
            p.email
                .as_deref()
                .map(|e| (identity(&p.last_name, &p.first_name, e), p))
        })
        .collect();
    let column_name = |field: &str| -> String {
        let i = FIELDS.iter().position(|f| f.name == field).unwrap_or(0);
        mapping[i]
            .and_then(|c| table.header.get(c))
            .cloned()
            .unwrap_or_else(|| FIELDS[i].fr.to_string())
    };
    let mut seen_rpps: HashMap<String, usize> = HashMap::new();
    let mut seen_identity: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    for (r, cells) in table.rows.iter().enumerate() {
        if cells.is_empty() {
            continue;
        }
        let line = r + 2;
        let get = |field: &str| -> String {
            let i = FIELDS.iter().position(|f| f.name == field).unwrap_or(0);
            // The directory's own CSV export, read back: its formula-like texts (a name
            // `=…`) were written after a single quote.
            mapping[i].map_or(String::new(), |c| {
                cratb_sheet::write::restore_formula(table.cell(r, c)).to_string()
            })
        };
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        let mut reasons = Vec::new();
        let mut flag = |field: &str| {
            let v = get(field);
            yes_no(&v)
                .map_err(|e| reasons.push(format!("colonne « {} » : {e}", column_name(field))))
                .ok()
                .flatten()
        };
        let (public_name, public_email, public_phone) = (
            flag("public_name"),
            flag("public_email"),
            flag("public_phone"),
        );
        let input = ProfessionalInput {
            last_name: some(get("last_name")),
            first_name: some(get("first_name")),
            profession: some(profession(&get("profession"))),
            rpps: some(get("rpps")),
            email: some(get("email")),
            phone: some(get("phone")),
            region: None,
            network_roles: Some(roles(&get("network_roles"))),
            establishments: some(get("establishments")).map(|e| vec![e]),
            territory_id: None,
            public_name,
            public_email,
            public_phone,
        };
        let name = format!(
            "{} {}",
            input.first_name.as_deref().unwrap_or(""),
            input.last_name.as_deref().unwrap_or("")
        )
        .trim()
        .to_string();
        let new = match NewProfessional::validate(&input, Some(region)) {
            Ok(n) => Some(n),
            Err(errors) => {
                for e in errors {
                    reasons.push(format!(
                        "colonne « {} » : {}",
                        column_name(e.field),
                        e.message
                    ));
                }
                None
            }
        };
        // A professional has one entry in the country: an RPPS number another region's
        // directory holds is refused at its line (the number is public; the other entry is not
        // shown).
        if let Some(r) = new.as_ref().and_then(|n| n.rpps.as_ref())
            && known.rpps_elsewhere.contains(r.as_str())
        {
            reasons.push(format!(
                "colonne « {} » : le numéro RPPS {} figure déjà dans l'annuaire d'une autre région (un professionnel n'y a qu'une fiche)",
                column_name("rpps"),
                r.as_str()
            ));
        }
        if let Some(n) = &new {
            for f in &n.establishments {
                if !known.finess.contains(f.as_str()) {
                    reasons.push(format!(
                        "colonne « {} » : FINESS {f} : aucun établissement de la région ne porte ce numéro",
                        column_name("establishments")
                    ));
                }
            }
        }
        let mut new = new;
        let verdict = match (&mut new, reasons.is_empty()) {
            (Some(n), true) => match classify(
                n,
                line,
                &by_rpps,
                &by_identity,
                &mut seen_rpps,
                &mut seen_identity,
            ) {
                Verdict::Update { id } => {
                    let p = by_id[&id];
                    keep_unmapped(n, p, mapping);
                    if Snapshot::of(p) == n.snapshot() {
                        Verdict::Duplicate {
                            reason: format!(
                                "identique à la fiche existante de {} {}",
                                p.first_name, p.last_name
                            ),
                        }
                    } else {
                        Verdict::Update { id }
                    }
                }
                v => v,
            },
            _ => Verdict::Invalid { reasons },
        };
        rows.push(Planned {
            line,
            name,
            new: matches!(verdict, Verdict::New | Verdict::Update { .. })
                .then_some(new)
                .flatten(),
            verdict,
        });
    }
    Plan { rows }
}

/// An update keeps what the sheet does not say: the fields whose column is not mapped take the
/// entry's current values (an empty cell in a mapped column does clear the field).
fn keep_unmapped(n: &mut NewProfessional, p: &Professional, mapping: &Mapping) {
    let unmapped = |field: &str| {
        FIELDS
            .iter()
            .position(|f| f.name == field)
            .is_some_and(|i| mapping[i].is_none())
    };
    if unmapped("rpps") {
        n.rpps = p.rpps.as_deref().and_then(|r| Rpps::parse(r).ok());
    }
    if unmapped("email") {
        n.email = p.email.as_deref().and_then(|e| Email::parse(e).ok());
    }
    if unmapped("phone") {
        n.phone = p.phone.as_deref().and_then(|x| Phone::parse(x).ok());
    }
    if unmapped("network_roles") {
        n.network_roles = NetworkRole::parse_list(&p.network_roles).unwrap_or_default();
    }
    if unmapped("establishments") {
        n.establishments = p
            .establishments
            .split(',')
            .filter_map(|f| Finess::parse(f).ok())
            .collect();
    }
    // The sheet has no territory column.
    n.territory_id = p.territory_id;
    if unmapped("public_name") {
        n.public_name = p.public_name;
    }
    if unmapped("public_email") {
        n.public_email = p.public_email;
    }
    if unmapped("public_phone") {
        n.public_phone = p.public_phone;
    }
}

/// New, update or duplicate, for a valid row.
fn classify(
    n: &NewProfessional,
    line: usize,
    by_rpps: &HashMap<&str, &Professional>,
    by_identity: &HashMap<String, &Professional>,
    seen_rpps: &mut HashMap<String, usize>,
    seen_identity: &mut HashMap<String, usize>,
) -> Verdict {
    let rpps = n.rpps.as_ref().map(Rpps::as_str);
    let id = n
        .email
        .as_ref()
        .map(|e| identity(&n.last_name, &n.first_name, &Email::to_string(e)));
    if let Some(earlier) = rpps.and_then(|r| seen_rpps.get(r)) {
        return Verdict::Duplicate {
            reason: format!("même RPPS que la ligne {earlier}"),
        };
    }
    if let Some(earlier) = id.as_ref().and_then(|i| seen_identity.get(i)) {
        return Verdict::Duplicate {
            reason: format!("même nom et même e-mail que la ligne {earlier}"),
        };
    }
    if let Some(r) = rpps {
        seen_rpps.insert(r.to_string(), line);
    }
    if let Some(i) = &id {
        seen_identity.insert(i.clone(), line);
    }
    let matched = rpps
        .and_then(|r| by_rpps.get(r))
        .or_else(|| id.as_ref().and_then(|i| by_identity.get(i)));
    match matched {
        Some(p) => {
            if let Some(other) = rpps.and_then(|r| by_rpps.get(r)).filter(|o| o.id != p.id) {
                return Verdict::Invalid {
                    reasons: vec![format!(
                        "le RPPS {} est celui d'une autre fiche ({} {})",
                        rpps.unwrap_or(""),
                        other.first_name,
                        other.last_name
                    )],
                };
            }
            if p.rpps.is_some() && rpps.is_some() && p.rpps.as_deref() != rpps {
                Verdict::Invalid {
                    reasons: vec![format!(
                        "même nom et e-mail que la fiche de {} {}, mais un autre RPPS",
                        p.first_name, p.last_name
                    )],
                }
            } else {
                Verdict::Update { id: p.id }
            }
        }
        None => Verdict::New,
    }
}

/// How to treat a plan with invalid rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing is written if any row is invalid.
    AllOrNothing,
    /// The valid rows are written; the others are reported.
    ValidOnly,
}

impl Mode {
    /// The mode a form chose (`valid_only`; anything else is all or nothing).
    pub fn of(choice: Option<&str>) -> Mode {
        match choice {
            Some("valid_only") => Mode::ValidOnly,
            _ => Mode::AllOrNothing,
        }
    }
}

/// What a commit did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    /// Rows not written: line and reason.
    pub skipped: Vec<(usize, String)>,
}

/// The history's note of the versions an import writes.
pub fn version_note(filename: &str) -> String {
    format!("import « {filename} »")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_recognised_by_their_usual_names() {
        let header: Vec<String> = [
            "NOM",
            "Prénom",
            "Métier",
            "N° RPPS",
            "Courriel",
            "Tél.",
            "Établissement",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = guess(&header);
        assert_eq!(
            &m[..8],
            &[
                Some(0),
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                None,
                Some(6)
            ]
        );
        assert_eq!(m[8], None);
    }

    #[test]
    fn columns_named_with_more_words_are_recognised_and_the_others_said_ignored() {
        let header: Vec<String> = [
            "Nom d'exercice",
            "Prénom",
            "Établissement (FINESS)",
            "Téléphone portable",
            "Adresse e-mail professionnelle",
            "Nom public",
            "Commentaire",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = guess(&header);
        let field = |name: &str| m[FIELDS.iter().position(|f| f.name == name).unwrap()];
        assert_eq!(field("last_name"), Some(0));
        assert_eq!(field("first_name"), Some(1));
        assert_eq!(field("establishments"), Some(2));
        assert_eq!(field("phone"), Some(3));
        assert_eq!(field("email"), Some(4));
        assert_eq!(field("public_name"), Some(5));
        assert_eq!(ignored(&header, &m), vec!["Commentaire"]);
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever the order, case and accents of the usual column names, and whatever
        /// unrelated columns sit between them, each field finds its own column.
        #[test]
        fn mapping_finds_each_column_wherever_it_is(
            order in proptest::sample::subsequence((0..FIELDS.len()).collect::<Vec<_>>(), 1..=FIELDS.len())
                .prop_shuffle(),
            upper in proptest::bool::ANY,
            noise in 0usize..3,
        ) {
            let mut header = Vec::new();
            let mut expected = vec![None; FIELDS.len()];
            for &f in &order {
                for n in 0..noise {
                    header.push(format!("commentaire {n}"));
                }
                expected[f] = Some(header.len());
                let name = FIELDS[f].aliases[0];
                header.push(if upper { name.to_uppercase() } else { name.to_string() });
            }
            prop_assert_eq!(guess(&header), expected);
        }
    }

    #[test]
    fn professions_and_roles_as_people_write_them() {
        assert_eq!(profession("Infirmière"), "nurse");
        assert_eq!(profession("Médecin généraliste"), "gp");
        assert_eq!(profession("pharmacist"), "pharmacist");
        assert_eq!(profession("Sage-femme"), "midwife");
        assert_eq!(profession("astronaute"), "astronaute");
        assert_eq!(
            roles("Référent antibiotique d'établissement; cpias"),
            ["referent", "cpias"]
        );
        assert_eq!(yes_no("Oui"), Ok(Some(true)));
        assert!(yes_no("peut-être").is_err());
    }
}
