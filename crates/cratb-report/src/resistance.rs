//! The cumulative antibiogram as people read it: a table coloured by % susceptible (on a page,
//! in its PDF, and as a file to download), its trend by year; the resistant organisms of concern
//! as listed.

use crate::charts::{self, Axis, Point};
use crate::format::{decimal, decimals, percent};
use cratb_amr::antibiogram::Antibiogram;
use cratb_domain::Lang;
use cratb_resistance::places::{Level, PlacedAlert};
use cratb_resistance::{Series, TrendPoint};
use cratb_sheet::write::{Cell, Table};
use cratb_sheet::write::{Csv, WriteError};

/// One cell of the antibiogram table.
pub struct CellView {
    pub text: String,
    /// What the cell is marked with, explained in the legend: `RN` (résistance naturelle,
    /// `IR` in English) or `PK/PD`.
    pub mark: Option<&'static str>,
    pub class: &'static str,
    pub title: String,
}

impl CellView {
    /// The cell's background in the PDF, as on screen.
    fn fill(&self) -> [f32; 3] {
        match self.class {
            "sus-90" => [0.80, 0.93, 0.81],
            "sus-80" => [0.90, 0.95, 0.76],
            "sus-60" => [0.99, 0.89, 0.69],
            "sus-low" => [0.97, 0.78, 0.76],
            "sus-intrinsic" => [0.85, 0.82, 0.90],
            _ => [0.93, 0.94, 0.95],
        }
    }

    /// The cell's text with its mark, as the PDF and the files write it.
    pub fn marked(&self) -> String {
        match self.mark {
            Some(mark) => format!("{} {mark}", self.text),
            None => self.text.clone(),
        }
    }
}

pub struct MatrixRow {
    pub organism: String,
    pub isolates: u32,
    pub cells: Vec<Option<CellView>>,
}

/// A column of the antibiogram: an antimicrobial, or the high-level aminoglycoside screen of
/// enterococci (gentamicin high-level, its own column).
pub struct Column {
    /// The antimicrobial's code (`GEN` for the high-level screen too).
    pub code: String,
    /// The column's heading: the code, `GEN HN` (`GEN HL`) for the high-level screen.
    pub label: String,
    /// The antimicrobial's name in the reader's language.
    pub name: String,
}

/// Organisms down, antimicrobials across.
pub struct Matrix {
    pub antimicrobials: Vec<Column>,
    pub rows: Vec<MatrixRow>,
    /// The legend's lines, in the reader's language: how a share is computed, then what the
    /// marks and special columns shown mean.
    pub legend: Vec<String>,
}

/// The mark of an expected resistant phenotype.
pub fn intrinsic_mark(lang: Lang) -> &'static str {
    lang.pick("RN", "IR")
}

/// The mark of a cell interpreted with PK/PD breakpoints.
pub const PK_PD_MARK: &str = "PK/PD";

/// An antimicrobial's name in `lang` for a cell of `organism` (the high-level screen for
/// enterococci × gentamicin), its code when unknown.
pub fn antimicrobial_label(organism: cratb_amr::reference::MoId, code: &str, lang: Lang) -> String {
    if cratb_amr::antibiogram::is_high_level_screen(organism, code) {
        return cratb_amr::names::gentamicin_high_level(lang).to_string();
    }
    cratb_amr::names::antimicrobial(code, lang).unwrap_or_else(|| code.to_string())
}

/// The legend's lines of an antibiogram: the share (`share`, from the caller's catalogue), then
/// each mark and special column the table shows.
pub fn legend(table: &Antibiogram, share: &str, lang: Lang) -> Vec<String> {
    let mut lines = vec![share.to_string()];
    let high_level = table
        .cells
        .iter()
        .any(|c| cratb_amr::antibiogram::is_high_level_screen(c.mo, &c.antimicrobial));
    if high_level {
        lines.push(lang.pick(
            "GEN HN\u{a0}: gentamicine haut niveau, dépistage de la résistance de haut niveau aux aminosides des entérocoques (S\u{a0}: pas de résistance de haut niveau, synergie conservée avec une bêtalactamine).",
            "GEN HL: gentamicin high-level, the screen for high-level aminoglycoside resistance of enterococci (S: no high-level resistance, synergy with a beta-lactam kept).",
        ).to_string());
    }
    match table.intrinsic {
        Some(true) if table.cells.iter().any(|c| c.intrinsic) => lines.push(match lang {
            Lang::Fr => format!(
                "R {}\u{a0}: résistance naturelle (phénotype de résistance attendu selon l'EUCAST)\u{a0}: R quel que soit le résultat du laboratoire, aucun pourcentage de sensibilité n'est calculé.",
                intrinsic_mark(lang)
            ),
            Lang::En => format!(
                "R {}: intrinsic resistance (EUCAST expected resistant phenotype): R whatever the laboratory result, no share susceptible is computed.",
                intrinsic_mark(lang)
            ),
        }),
        Some(false) => lines.push(lang.pick(
            "Résistances naturelles non appliquées\u{a0}: les résultats sont ceux du laboratoire, y compris pour les phénotypes de résistance attendus.",
            "Intrinsic resistance not applied: results are the laboratory's, expected resistant phenotypes included.",
        ).to_string()),
        _ => {}
    }
    if table.cells.iter().any(|c| c.pk_pd) {
        lines.push(match lang {
            Lang::Fr => format!("{PK_PD_MARK}\u{a0}: interprété selon les concentrations critiques PK/PD (non liées à l'espèce), faute de concentration critique EUCAST pour l'espèce."),
            Lang::En => format!("{PK_PD_MARK}: interpreted with PK/PD (non-species-related) breakpoints, EUCAST giving none for the species."),
        });
    }
    lines
}

/// The antibiogram as a table: organisms down, antimicrobials across, each cell its % susceptible,
/// its count, its colour class and what it says on hover. `share` is the legend's first line.
pub fn matrix(table: &Antibiogram, share: &str, lang: Lang) -> Matrix {
    // Columns: each antimicrobial, and gentamicin high-level where enterococci were tested.
    let key = |c: &cratb_amr::antibiogram::Cell| {
        (
            c.antimicrobial.clone(),
            cratb_amr::antibiogram::is_high_level_screen(c.mo, &c.antimicrobial),
        )
    };
    let mut keys: Vec<(String, bool)> = Vec::new();
    for c in &table.cells {
        let k = key(c);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    // The high-level screen right after gentamicin.
    keys.sort_by_key(|(code, high)| {
        let first = table
            .cells
            .iter()
            .position(|c| &c.antimicrobial == code)
            .unwrap_or(usize::MAX);
        (first, *high)
    });
    let antimicrobials = keys
        .iter()
        .map(|(code, high)| Column {
            code: code.clone(),
            label: if *high {
                format!("{code} {}", lang.pick("HN", "HL"))
            } else {
                code.clone()
            },
            name: if *high {
                cratb_amr::names::gentamicin_high_level(lang).to_string()
            } else {
                cratb_amr::names::antimicrobial(code, lang).unwrap_or_default()
            },
        })
        .collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    for c in &table.cells {
        if rows.last().is_none_or(|r| r.organism != c.organism) {
            rows.push(MatrixRow {
                organism: c.organism.clone(),
                isolates: 0,
                cells: keys.iter().map(|_| None).collect(),
            });
        }
        let row = rows.last_mut().expect("pushed above");
        row.isolates = row.isolates.max(c.n_tested());
        let k = key(c);
        let column = keys.iter().position(|x| *x == k).expect("collected above");
        let n = c.n_categorised();
        if c.intrinsic {
            let title = match lang {
                Lang::Fr => format!(
                    "Résistance naturelle (EUCAST)\u{a0}: R · {n} isolat{} testé{}",
                    if n > 1 { "s" } else { "" },
                    if n > 1 { "s" } else { "" }
                ),
                Lang::En => format!(
                    "Intrinsic resistance (EUCAST): R · {n} isolate{} tested",
                    if n == 1 { "" } else { "s" }
                ),
            };
            row.cells[column] = Some(CellView {
                text: "R".to_string(),
                mark: Some(intrinsic_mark(lang)),
                class: "sus-intrinsic",
                title,
            });
            continue;
        }
        let reportable = c.reportable(table.min_isolates);
        let pct = c.pct_susceptible();
        let class = match pct {
            _ if !reportable => "sus-nr",
            Some(p) if p >= 90.0 => "sus-90",
            Some(p) if p >= 80.0 => "sus-80",
            Some(p) if p >= 60.0 => "sus-60",
            Some(_) => "sus-low",
            None => "sus-nr",
        };
        let text = match pct {
            Some(p) if reportable => format!("{} ({n})", decimals(Some(p), 0, lang)),
            _ => format!("({n})"),
        };
        let ci = c
            .wilson()
            .map(|(l, h)| {
                format!(
                    " · {} {}–{}",
                    lang.pick("IC95", "95% CI"),
                    decimal(Some(l), lang),
                    decimal(Some(h), lang)
                )
            })
            .unwrap_or_default();
        let title = format!(
            "S {} · SDD {} · I {} · R {} · NI {}{}{}{}",
            c.n_s,
            c.n_sdd,
            c.n_i,
            c.n_r,
            c.n_ni,
            ci,
            if reportable {
                ""
            } else {
                lang.pick(" · sous le seuil", " · below threshold")
            },
            if c.pk_pd {
                lang.pick(
                    " · concentrations critiques PK/PD (non liées à l'espèce)",
                    " · PK/PD (non-species-related) breakpoints",
                )
            } else {
                ""
            }
        );
        row.cells[column] = Some(CellView {
            text,
            mark: c.pk_pd.then_some(PK_PD_MARK),
            class,
            title,
        });
    }
    Matrix {
        antimicrobials,
        rows,
        legend: legend(table, share, lang),
    }
}

/// The words of the antibiogram's PDF, from the caller's catalogue.
pub struct Words {
    pub title: String,
    pub organism: &'static str,
    pub interpretation: &'static str,
    pub isolates_counted: &'static str,
    pub legend: &'static str,
}

/// The sources an antibiogram cites, in `lang`, under its guideline(s).
pub fn sources(guideline: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Concentrations critiques cliniques EUCAST ({guideline}) · taxonomie LPSN/MycoBank · règles du package R AMR 3.0.0 (Berends et al., 2022)"
        ),
        Lang::En => format!(
            "EUCAST clinical breakpoints ({guideline}) · taxonomy LPSN/MycoBank · AMR R package 3.0.0 rules (Berends et al., 2022)"
        ),
    }
}

/// The cumulative antibiogram as a PDF: the table coloured as on screen, what was counted
/// (`filters`: the filters in words), the legend, the antimicrobials' names, the sources and
/// the day. Wide tables fit the page: narrower type, then cells on two lines; the legend wraps.
pub fn antibiogram_pdf(
    table: &Antibiogram,
    words: &Words,
    filters: &str,
    today: time::Date,
    lang: Lang,
) -> Vec<u8> {
    let m = matrix(table, words.legend, lang);
    let mut columns = vec![words.organism.to_string(), "n".to_string()];
    columns.extend(m.antimicrobials.iter().map(|c| c.label.clone()));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![(r.organism.clone(), None), (r.isolates.to_string(), None)];
            cells.extend(r.cells.iter().map(|c| match c {
                Some(c) => (c.marked(), Some(c.fill())),
                None => (String::new(), None),
            }));
            cells
        })
        .collect();
    let mut lines = vec![format!(
        "{}\u{a0}: {} · {} {} · {filters}",
        words.interpretation, table.guideline, table.isolates, words.isolates_counted
    )];
    lines.extend(m.legend.iter().cloned());
    lines.push(
        m.antimicrobials
            .iter()
            .map(|c| format!("{} {}", c.label, c.name))
            .collect::<Vec<_>>()
            .join(" · "),
    );
    crate::pdf::TableReport {
        title: words.title.clone(),
        lines,
        columns,
        rows,
        footer: format!("cratb · {today} · {}", sources(&table.guideline, lang)),
        boxes: Vec::new(),
        bars: None,
        comments: None,
    }
    .render()
}

/// The formats an antibiogram is downloaded in.
pub const FORMATS: [&str; 4] = ["csv", "xlsx", "json", "pdf"];

/// The antibiogram as a table to download: the columns of `cratb amr antibiogram`, the
/// antimicrobial's name in `lang` after its code (gentamicin high-level for enterococci), and,
/// annotated, whether each cell is an expected resistant phenotype and whether it was
/// interpreted with PK/PD breakpoints.
pub fn antibiogram_table(table: &Antibiogram, lang: Lang) -> Table {
    table.table_named("Antibiogramme", |c| {
        antimicrobial_label(c.mo, &c.antimicrobial, lang)
    })
}

/// The antibiogram as JSON, as the API and the download give it ([`antibiogram_table`]'s rows).
pub fn antibiogram_json(table: &Antibiogram, lang: Lang) -> serde_json::Value {
    table.json_of(antibiogram_table(table, lang))
}

/// The antibiogram as a file in `format` (one of [`FORMATS`]): its media type and its bytes.
/// A CSV is written as `csv` says (French or international); the PDF says its title and
/// headings in `words` and what was counted in `filters`.
#[allow(clippy::too_many_arguments)]
pub fn antibiogram_file(
    table: &Antibiogram,
    format: &str,
    csv: Csv,
    words: impl FnOnce() -> Words,
    filters: &str,
    today: time::Date,
    lang: Lang,
) -> Result<(&'static str, Vec<u8>), WriteError> {
    Ok(match format {
        "csv" => (
            "text/csv; charset=utf-8",
            cratb_sheet::write::csv(&antibiogram_table(table, lang), csv),
        ),
        "json" => (
            "application/json",
            antibiogram_json(table, lang).to_string().into_bytes(),
        ),
        "pdf" => (
            "application/pdf",
            antibiogram_pdf(table, &words(), filters, today, lang),
        ),
        _ => {
            let words = words();
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                table.xlsx_of(
                    antibiogram_table(table, lang),
                    legend(table, words.legend, lang),
                )?,
            )
        }
    })
}

/// The trend shown first: *E. coli* × cefotaxime (3rd-generation cephalosporin resistance of
/// the commonest pathogen).
pub const DEFAULT_TREND: (&str, &str) = ("Escherichia coli", "CTX");

/// What a trend is about: `organism × antimicrobial`, the antimicrobial by name (its code
/// when unknown).
pub fn trend_label(organism: &str, antimicrobial: &str, lang: Lang) -> String {
    let reference = cratb_amr::Reference::get();
    let name = match reference.organism(organism) {
        Some(mo) => antimicrobial_label(mo, antimicrobial, lang),
        None => cratb_amr::names::antimicrobial(antimicrobial, lang)
            .unwrap_or_else(|| antimicrobial.to_string()),
    };
    format!("{organism} × {name}")
}

/// The chart of % susceptible per year: the line, its points and the 95 % interval as a band.
pub fn trend_chart(points: &[TrendPoint], lang: Lang) -> String {
    let points: Vec<Point> = points
        .iter()
        .map(|p| Point {
            label: p.year.to_string(),
            value: Some(p.pct_susceptible),
            band: Some((p.ci_low, p.ci_high)),
            title: Some(format!(
                "{} : {} % (n = {}, IC95 {}–{})",
                p.year,
                decimal(Some(p.pct_susceptible), lang),
                p.n,
                decimal(Some(p.ci_low), lang),
                decimal(Some(p.ci_high), lang)
            )),
        })
        .collect();
    charts::line_chart(
        lang,
        lang.pick(
            "Pourcentage de sensibilité par année",
            "Share susceptible per year",
        ),
        &points,
        &[],
        Axis::Percent,
    )
}

/// A series' figure (blood cultures or every specimen) of a place, a year and an indicator.
pub struct AlertFigure {
    pub resistant: u32,
    pub tested: u32,
    /// The rate, or `—` under the reporting threshold.
    pub rate: String,
    /// `sus-nr` (greyed, as the antibiogram's cells under its threshold) when fewer than 30
    /// isolates were tested, else empty.
    pub class: &'static str,
    /// What the cell says on hover: the counts, and the caution when greyed.
    pub title: String,
    /// The spread of the rates of the establishments not named (`min – Q1 – médiane – Q3 – max`).
    pub distribution: String,
}

/// Resistant organisms of concern of a place, a year and an indicator, as listed: blood
/// cultures (comparable with EARS-Net and SPARES) beside every specimen.
pub struct AlertLine {
    /// The region, a department, a GHT, an establishment named, or the others together.
    pub place: String,
    pub year: i16,
    pub kind: &'static str,
    /// Its EARS-Net definition ("R à la céfotaxime, la ceftriaxone ou la ceftazidime").
    pub definition: &'static str,
    pub blood: Option<AlertFigure>,
    pub all: Option<AlertFigure>,
}

impl AlertLine {
    /// The two series in the order they are shown: blood cultures, then every specimen.
    pub fn figures(&self) -> [Option<&AlertFigure>; 2] {
        [self.blood.as_ref(), self.all.as_ref()]
    }
}

/// Who a row counts, for people (`without`: the isolates of no establishment).
fn place_label(a: &PlacedAlert, without: &str, lang: Lang) -> String {
    let place = a.place.as_deref().unwrap_or("");
    match a.level {
        Level::Region => lang.pick("Toute la région", "Whole region").to_string(),
        Level::Department => cratb_domain::geo::department(place)
            .map_or_else(|| place.to_string(), |d| format!("{} ({})", d.name, d.code)),
        Level::Territory => place.to_string(),
        Level::Establishment => place.to_string(),
        Level::OtherEstablishments => match lang {
            Lang::Fr => format!("Autres établissements ({}, anonymes)", a.establishments),
            Lang::En => format!("Other establishments ({}, anonymous)", a.establishments),
        },
        Level::NoEstablishment => without.to_string(),
    }
}

/// What a row counts, as a word (for the file).
fn level_label(level: Level, lang: Lang) -> &'static str {
    match level {
        Level::Region => lang.pick("région", "region"),
        Level::Department => lang.pick("département", "department"),
        Level::Territory => "GHT",
        Level::Establishment => lang.pick("établissement", "establishment"),
        Level::OtherEstablishments => lang.pick("autres établissements", "other establishments"),
        Level::NoEstablishment => lang.pick("sans établissement", "no establishment"),
    }
}

/// The caution of a figure over fewer than 30 isolates, in the antibiogram's words.
pub fn few_isolates_caution(lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "moins de {} isolats testés : effectif sous le seuil, pourcentage non interprétable",
            cratb_resistance::CAUTION_BELOW
        ),
        Lang::En => format!(
            "fewer than {} isolates tested: below threshold, percentage not interpretable",
            cratb_resistance::CAUTION_BELOW
        ),
    }
}

fn figure(a: &PlacedAlert, lang: Lang) -> AlertFigure {
    let counts = match lang {
        Lang::Fr => format!("{} résistants sur {} testés", a.resistant, a.tested),
        Lang::En => format!("{} resistant of {} tested", a.resistant, a.tested),
    };
    AlertFigure {
        resistant: a.resistant,
        tested: a.tested,
        rate: percent(a.rate, lang),
        class: if a.few_isolates { "sus-nr" } else { "" },
        title: if a.few_isolates {
            format!("{counts} · {}", few_isolates_caution(lang))
        } else {
            counts
        },
        distribution: a.distribution.as_ref().map_or_else(String::new, |d| {
            [d.min, d.q1, d.median, d.q3, d.max]
                .map(|x| decimal(Some(x), lang))
                .join(" – ")
        }),
    }
}

/// The rows as listed: one line per place, year and indicator, its two series side by side.
pub fn alert_lines(rows: &[PlacedAlert], without: &str, lang: Lang) -> Vec<AlertLine> {
    type Key = (
        Level,
        Option<String>,
        Option<i64>,
        i16,
        cratb_resistance::AlertKind,
    );
    let mut lines: std::collections::BTreeMap<Key, AlertLine> = Default::default();
    for a in rows {
        let line = lines
            .entry((a.level, a.place.clone(), a.establishment_id, a.year, a.kind))
            .or_insert_with(|| AlertLine {
                place: place_label(a, without, lang),
                year: a.year,
                kind: a.kind.label(lang),
                definition: a.kind.definition(lang),
                blood: None,
                all: None,
            });
        let slot = match a.series {
            Series::Blood => &mut line.blood,
            Series::All => &mut line.all,
        };
        *slot = Some(figure(a, lang));
    }
    lines.into_values().collect()
}

/// The rows as a table to download (CSV or XLSX), the blood series first.
pub fn alerts_table(rows: &[PlacedAlert], without: &str, lang: Lang) -> Table {
    let mut rows: Vec<&PlacedAlert> = rows.iter().collect();
    rows.sort_by_key(|a| (a.series, a.level, a.place.clone(), a.year, a.kind));
    let body = rows
        .iter()
        .map(|a| {
            let d = a.distribution.as_ref();
            vec![
                Cell::from(a.series.label(lang)),
                Cell::from(level_label(a.level, lang)),
                Cell::from(place_label(a, without, lang)),
                Cell::Integer(a.year.into()),
                Cell::from(a.kind.label(lang)),
                Cell::from(a.kind.definition(lang)),
                Cell::Integer(a.resistant.into()),
                Cell::Integer(a.tested.into()),
                Cell::from(a.rate),
                Cell::Bool(a.few_isolates),
                Cell::Integer(a.establishments.into()),
                Cell::from(d.map(|d| d.q1)),
                Cell::from(d.map(|d| d.median)),
                Cell::from(d.map(|d| d.q3)),
            ]
        })
        .collect();
    Table::new(
        lang.pick("BMR", "Resistant organisms"),
        [
            "serie",
            "niveau",
            "lieu",
            "annee",
            "resistance",
            "definition_ears_net",
            "resistants",
            "testes",
            "taux_pct",
            "moins_de_30_isolats",
            "etablissements",
            "q1_etablissements",
            "mediane_etablissements",
            "q3_etablissements",
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_say_their_share_their_count_and_whether_it_may_be_read() {
        let file = "patient_id;date;organism;CIP\n\
                    P1;2025-01-03;E. coli;S\n\
                    P2;2025-01-04;E. coli;S\n\
                    P3;2025-01-05;E. coli;R\n\
                    P4;2025-01-06;K. pneumoniae;S\n";
        let data = cratb_amr::read(file.as_bytes(), &Default::default()).unwrap();
        let table = cratb_amr::antibiogram::antibiogram(&data, None, &[], 3).unwrap();
        let m = matrix(&table, "% sensible", Lang::Fr);
        assert_eq!(m.antimicrobials[0].code, "CIP");
        assert_eq!(m.antimicrobials[0].name, "Ciprofloxacine");
        let coli = m
            .rows
            .iter()
            .find(|r| r.organism == "Escherichia coli")
            .unwrap();
        let cell = coli.cells[0].as_ref().unwrap();
        assert_eq!((cell.text.as_str(), cell.class), ("67 (3)", "sus-60"));
        // One isolate is under the threshold of three: its count, no share, said on hover.
        let kleb = m
            .rows
            .iter()
            .find(|r| r.organism != "Escherichia coli")
            .unwrap();
        let cell = kleb.cells[0].as_ref().unwrap();
        assert_eq!((cell.text.as_str(), cell.class), ("(1)", "sus-nr"));
        assert!(cell.title.ends_with("sous le seuil"), "{}", cell.title);
        let words = Words {
            title: "Antibiogramme cumulé".into(),
            organism: "Micro-organisme",
            interpretation: "Interprétation",
            isolates_counted: "isolats comptés",
            legend: "% sensible",
        };
        let pdf = antibiogram_pdf(
            &table,
            &words,
            "tous isolats",
            time::macros::date!(2026 - 11 - 30),
            Lang::Fr,
        );
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn trends_and_alerts_are_written_for_people() {
        let points = [TrendPoint {
            year: 2025,
            n: 120,
            pct_susceptible: 84.2,
            ci_low: 76.5,
            ci_high: 89.7,
        }];
        let svg = trend_chart(&points, Lang::Fr);
        assert!(
            svg.contains("2025 : 84,2 % (n = 120, IC95 76,5–89,7)"),
            "{svg}"
        );
        assert_eq!(
            trend_label("Escherichia coli", "CTX", Lang::En),
            "Escherichia coli × Cefotaxime"
        );
        assert_eq!(
            trend_label("Escherichia coli", "CTX", Lang::Fr),
            "Escherichia coli × Céfotaxime"
        );
        assert_eq!(
            trend_label("Enterococcus faecalis", "GEN", Lang::Fr),
            "Enterococcus faecalis × Gentamicine haut niveau"
        );
        assert_eq!(
            trend_label("Escherichia coli", "ZZZ", Lang::Fr),
            "Escherichia coli × ZZZ"
        );
        let row = |series, resistant, tested| cratb_resistance::AlertRow {
            establishment_id: Some(7),
            year: 2025,
            series,
            kind: cratb_resistance::AlertKind::Mrsa,
            resistant,
            tested,
            rate: 100.0 * f64::from(resistant) / f64::from(tested),
        };
        let rows = [row(Series::All, 3, 40), row(Series::Blood, 2, 20)];
        let places = [cratb_resistance::places::Place {
            id: 7,
            name: "CH de Vienne".into(),
            department: "38".into(),
            territory: None,
        }];
        let named = cratb_resistance::places::placed_alerts(
            &rows,
            &places,
            &cratb_domain::Visibility::All,
            10,
        );
        let lines = alert_lines(&named, "Sans établissement", Lang::En);
        let names: Vec<&str> = lines.iter().map(|l| l.place.as_str()).collect();
        assert_eq!(names, ["Whole region", "CH de Vienne"]);
        // One line per place, year and indicator, its two series side by side.
        let (blood, all) = (
            lines[1].blood.as_ref().unwrap(),
            lines[1].all.as_ref().unwrap(),
        );
        assert_eq!(
            (all.rate.as_str(), all.class, lines[1].kind),
            ("7.5\u{a0}%", "", "MRSA (methicillin-resistant S. aureus)")
        );
        // Twenty blood cultures: rated (over the threshold of 10), greyed as the antibiogram's
        // cells under 30, and said on hover.
        assert_eq!(
            (blood.rate.as_str(), blood.class),
            ("10.0\u{a0}%", "sus-nr")
        );
        assert!(blood.title.contains("below threshold"), "{}", blood.title);
        let hidden = cratb_resistance::places::placed_alerts(
            &rows,
            &places,
            &cratb_domain::Visibility::Aggregates,
            50,
        );
        let lines = alert_lines(&hidden, "Sans établissement", Lang::Fr);
        let names: Vec<&str> = lines.iter().map(|l| l.place.as_str()).collect();
        assert_eq!(names, ["Toute la région", "Isère (38)"]);
        assert_eq!(lines[1].all.as_ref().unwrap().rate, "—");
        assert_eq!(
            lines[1].definition,
            "R à la céfoxitine ou à l'oxacilline (ou flucloxacilline, cloxacilline, méticilline)"
        );
        let table = alerts_table(&hidden, "Sans établissement", Lang::Fr);
        let csv = String::from_utf8(cratb_sheet::write::csv(&table, Csv::SPREADSHEET)).unwrap();
        assert!(!csv.contains("Vienne"), "{csv}");
        // The blood series first, each row saying its series and whether under 30 isolates.
        let first = csv.lines().nth(1).unwrap();
        assert!(first.starts_with("Hémocultures"), "{csv}");
        assert!(csv.lines().next().unwrap().contains("moins_de_30_isolats"));
    }

    /// A demo-size antibiogram: the synthetic laboratory file the demo imports, first isolates,
    /// annotated as the web shows it.
    fn demo_antibiogram() -> Antibiogram {
        let file = cratb_amr::synth::generate(&cratb_amr::synth::Spec {
            isolates: 30_000,
            patients: 10_000,
            ..Default::default()
        });
        let data = cratb_amr::read(&file, &Default::default()).unwrap();
        let order = cratb_amr::first_isolate::Order::of(&data);
        let first =
            cratb_amr::first_isolate::first_isolates_in(&data, &order, None, &Default::default());
        let mut table = cratb_amr::antibiogram::antibiogram(&data, Some(&first), &[], 30).unwrap();
        table.annotate(true, 2);
        table
    }

    fn words() -> Words {
        Words {
            title: "Antibiogramme cumulé — Auvergne-Rhône-Alpes".into(),
            organism: "Micro-organisme",
            interpretation: "Interprétation",
            isolates_counted: "isolats comptés",
            legend: "% sensible = (S + SDD + I) / (S + SDD + I + R), avec l'effectif entre parenthèses. Cases grisées : effectif sous le seuil de publication, pourcentage non interprétable.",
        }
    }

    #[test]
    fn the_demo_antibiogram_reads_as_a_microbiologist_expects() {
        let table = demo_antibiogram();
        let m = matrix(&table, "% sensible", Lang::Fr);
        let cell = |organism: &str, label: &str| {
            let row = m.rows.iter().find(|r| r.organism == organism).unwrap();
            let column = m.antimicrobials.iter().position(|c| c.label == label);
            column.and_then(|c| row.cells[c].as_ref())
        };
        for (organism, code) in [
            ("Klebsiella pneumoniae", "AMX"),
            ("Enterobacter cloacae", "AMX"),
            ("Enterobacter cloacae", "AMC"),
        ] {
            let c = cell(organism, code).unwrap_or_else(|| panic!("{organism} × {code}"));
            assert_eq!(
                (c.text.as_str(), c.mark, c.class),
                ("R", Some("RN"), "sus-intrinsic"),
                "{organism} × {code}"
            );
        }
        let e = cell("Escherichia coli", "AMX").unwrap();
        assert!(e.mark.is_none() && e.text.contains('('), "{}", e.text);
        // Enterococci × gentamicin: the high-level screen, its own column.
        assert!(cell("Enterococcus faecalis", "GEN").is_none());
        let hn = cell("Enterococcus faecalis", "GEN HN").unwrap();
        assert!(hn.mark.is_none() && hn.text.contains('('), "{}", hn.text);
        let hn = m
            .antimicrobials
            .iter()
            .find(|c| c.label == "GEN HN")
            .unwrap();
        assert_eq!(hn.name, "Gentamicine haut niveau");
        let p = cell("Pseudomonas aeruginosa", "GEN").unwrap();
        assert_eq!(p.mark, Some(PK_PD_MARK));
        assert!(p.title.contains("PK/PD"), "{}", p.title);
        // French names, and the legend says what each mark means.
        let amc = m.antimicrobials.iter().find(|c| c.code == "AMC").unwrap();
        assert_eq!(amc.name, "Amoxicilline-acide clavulanique");
        let legend = m.legend.join("\n");
        for words in [
            "GEN HN",
            "résistance naturelle",
            "concentrations critiques PK/PD (non liées à l'espèce)",
        ] {
            assert!(legend.contains(words), "{legend}");
        }
        // The files say the same: the name, whether intrinsic, whether PK/PD.
        let csv = String::from_utf8(
            antibiogram_file(
                &table,
                "csv",
                Csv::SPREADSHEET,
                words,
                "",
                time::macros::date!(2026 - 11 - 30),
                Lang::Fr,
            )
            .unwrap()
            .1,
        )
        .unwrap();
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with("reportable;intrinsic_resistance;pk_pd_breakpoint"),
            "{header}"
        );
        assert!(
            header.contains("antimicrobial;antimicrobial_name;"),
            "{header}"
        );
        assert!(
            csv.lines()
                .any(|l| l.starts_with("Klebsiella pneumoniae;AMX;Amoxicilline;")
                    && l.ends_with(";true;false")),
            "{csv}"
        );
        assert!(
            csv.lines()
                .any(|l| l.starts_with("Enterococcus faecalis;GEN;Gentamicine haut niveau;")),
            "{csv}"
        );
        assert!(
            csv.lines()
                .any(|l| l.starts_with("Pseudomonas aeruginosa;GEN;Gentamicine;")
                    && l.ends_with(";false;true")),
            "{csv}"
        );
    }

    /// The demo-size antibiogram's PDF, read back with `pdftotext -layout`: every count and the
    /// whole legend are there, nothing cut.
    #[test]
    fn the_antibiogram_pdf_cuts_nothing() {
        let pdftotext = std::path::Path::new("/usr/bin/pdftotext");
        assert!(
            pdftotext.exists(),
            "this test reads the PDF back with pdftotext: install poppler-utils (apt-get install poppler-utils)"
        );
        let table = demo_antibiogram();
        let today = time::macros::date!(2026 - 11 - 30);
        let pdf = antibiogram_pdf(&table, &words(), "premiers isolats", today, Lang::Fr);
        let dir = std::env::temp_dir().join(format!("cratb-abg-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("antibiogramme.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new(pdftotext)
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).ok();
        // Kept to be looked at, beside the browser walks' screenshots.
        let kept =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        if std::fs::create_dir_all(&kept).is_ok() {
            std::fs::write(kept.join("antibiogram-demo.pdf"), &pdf).ok();
        }
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('…'), "something cut:\n{text}");
        let words_of = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = words_of(&text);
        // Every count, in brackets, as many times as the table has it.
        let m = matrix(&table, words().legend, Lang::Fr);
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let mut wanted: std::collections::HashMap<String, usize> = Default::default();
        for r in &m.rows {
            for c in r.cells.iter().flatten() {
                if let Some(count) = c.text.split_whitespace().find(|w| w.starts_with('(')) {
                    *wanted.entry(count.to_string()).or_default() += 1;
                }
            }
        }
        assert!(wanted.len() > 20, "{wanted:?}");
        for (count, n) in wanted {
            let found = tokens.iter().filter(|t| **t == count).count();
            assert!(
                found >= n,
                "{count}: {n} in the table, {found} in the PDF:\n{text}"
            );
        }
        for r in &m.rows {
            assert!(flat.contains(&r.organism), "{}:\n{text}", r.organism);
        }
        // The whole legend, each line (wrapped as it may be), and the names of the columns.
        for line in &m.legend {
            assert!(
                flat.contains(&words_of(line)),
                "legend line missing: {line}\n{text}"
            );
        }
        for c in &m.antimicrobials {
            assert!(
                flat.contains(&words_of(&format!("{} {}", c.label, c.name))),
                "{}",
                c.label
            );
        }
    }

    #[test]
    fn an_antibiogram_is_downloaded_in_each_format() {
        let file = "patient_id;date;organism;CIP\nP1;2025-01-03;E. coli;S\n";
        let data = cratb_amr::read(file.as_bytes(), &Default::default()).unwrap();
        let table = cratb_amr::antibiogram::antibiogram(&data, None, &[], 3).unwrap();
        let words = || Words {
            title: "Antibiogramme cumulé".into(),
            organism: "Micro-organisme",
            interpretation: "Interprétation",
            isolates_counted: "isolats comptés",
            legend: "% sensible",
        };
        let today = time::macros::date!(2026 - 11 - 30);
        for format in FORMATS {
            let (media, bytes) =
                antibiogram_file(&table, format, Csv::SPREADSHEET, words, "", today, Lang::Fr)
                    .unwrap();
            assert!(!bytes.is_empty(), "{format}");
            assert_eq!(media.contains("sheet"), format == "xlsx", "{format}");
        }
        let csv = |style| {
            let (_, bytes) =
                antibiogram_file(&table, "csv", style, words, "", today, Lang::Fr).unwrap();
            String::from_utf8(bytes).unwrap()
        };
        let french = csv(Csv::SPREADSHEET);
        assert!(
            french.starts_with('\u{feff}') && french.contains(";100,0;"),
            "{french}"
        );
        let international = csv(Csv::INTERNATIONAL);
        assert!(!international.starts_with('\u{feff}'), "{international}");
        assert!(international.contains(",100.0,"), "{international}");
    }
}
