//! The cumulative antibiogram as people read it: a table coloured by % susceptible (on a page,
//! in its PDF, and as a file to download), its trend by year; the resistant organisms of concern
//! as listed.

use crate::charts::{self, Axis, Point};
use crate::format::{decimal, decimals, percent};
use cratb_amr::antibiogram::Antibiogram;
use cratb_domain::Lang;
use cratb_resistance::TrendPoint;
use cratb_resistance::places::{Level, PlacedAlert};
use cratb_sheet::write::{Cell, Table};
use cratb_sheet::write::{Csv, WriteError};

/// One cell of the antibiogram table.
pub struct CellView {
    pub text: String,
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
            _ => [0.93, 0.94, 0.95],
        }
    }
}

pub struct MatrixRow {
    pub organism: String,
    pub isolates: u32,
    pub cells: Vec<Option<CellView>>,
}

/// Organisms down, antimicrobials across.
pub struct Matrix {
    pub antimicrobials: Vec<(String, String)>,
    pub rows: Vec<MatrixRow>,
}

/// The antibiogram as a table: organisms down, antimicrobials across, each cell its % susceptible,
/// its count, its colour class and what it says on hover.
pub fn matrix(table: &Antibiogram, lang: Lang) -> Matrix {
    let reference = cratb_amr::Reference::get();
    let mut codes: Vec<&str> = Vec::new();
    for c in &table.cells {
        if !codes.contains(&c.antimicrobial.as_str()) {
            codes.push(&c.antimicrobial);
        }
    }
    let antimicrobials = codes
        .iter()
        .map(|c| {
            let name = reference
                .antimicrobial(c)
                .map(|a| reference.antimicrobials[a as usize].name.to_string());
            (c.to_string(), name.unwrap_or_default())
        })
        .collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    for c in &table.cells {
        if rows.last().is_none_or(|r| r.organism != c.organism) {
            rows.push(MatrixRow {
                organism: c.organism.clone(),
                isolates: 0,
                cells: codes.iter().map(|_| None).collect(),
            });
        }
        let row = rows.last_mut().expect("pushed above");
        row.isolates = row.isolates.max(c.n_tested());
        let column = codes
            .iter()
            .position(|x| *x == c.antimicrobial)
            .expect("collected above");
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
        let n = c.n_categorised();
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
            "S {} · SDD {} · I {} · R {} · NI {}{}{}",
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
            }
        );
        row.cells[column] = Some(CellView { text, class, title });
    }
    Matrix {
        antimicrobials,
        rows,
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

/// The cumulative antibiogram as a PDF: the table coloured as on screen, what was counted
/// (`filters`: the filters in words), the antimicrobials' names, the sources and the day.
pub fn antibiogram_pdf(
    table: &Antibiogram,
    words: &Words,
    filters: &str,
    today: time::Date,
    lang: Lang,
) -> Vec<u8> {
    let m = matrix(table, lang);
    let mut columns = vec![words.organism.to_string(), "n".to_string()];
    columns.extend(m.antimicrobials.iter().map(|(code, _)| code.clone()));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![(r.organism.clone(), None), (r.isolates.to_string(), None)];
            cells.extend(r.cells.iter().map(|c| match c {
                Some(c) => (c.text.clone(), Some(c.fill())),
                None => (String::new(), None),
            }));
            cells
        })
        .collect();
    crate::pdf::TableReport {
        title: words.title.clone(),
        lines: vec![
            format!("{} : {} · {} {} · {filters}", words.interpretation, table.guideline, table.isolates, words.isolates_counted),
            words.legend.to_string(),
            m.antimicrobials.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(" · "),
        ],
        columns,
        rows,
        footer: format!(
            "cratb · {today} · EUCAST clinical breakpoints ({}) · taxonomy LPSN/MycoBank · AMR R package 3.0.0 rules",
            table.guideline
        ),
        boxes: Vec::new(),
        comments: None,
    }
    .render()
}

/// The formats an antibiogram is downloaded in.
pub const FORMATS: [&str; 4] = ["csv", "xlsx", "json", "pdf"];

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
        "csv" => ("text/csv; charset=utf-8", table.to_csv(csv)),
        "json" => ("application/json", table.to_json().to_string().into_bytes()),
        "pdf" => (
            "application/pdf",
            antibiogram_pdf(table, &words(), filters, today, lang),
        ),
        _ => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            table.to_xlsx()?,
        ),
    })
}

/// The trend shown first: *E. coli* × cefotaxime (3rd-generation cephalosporin resistance of
/// the commonest pathogen).
pub const DEFAULT_TREND: (&str, &str) = ("Escherichia coli", "CTX");

/// What a trend is about: `organism × antimicrobial`, the antimicrobial by name (its code
/// when unknown).
pub fn trend_label(organism: &str, antimicrobial: &str) -> String {
    let reference = cratb_amr::Reference::get();
    let name = reference
        .antimicrobial(antimicrobial)
        .map(|a| reference.antimicrobials[a as usize].name.to_string());
    format!(
        "{organism} × {}",
        name.unwrap_or_else(|| antimicrobial.to_string())
    )
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
        lang.pick(
            "Pourcentage de sensibilité par année",
            "Share susceptible per year",
        ),
        &points,
        &[],
        Axis::Percent,
    )
}

/// Resistant organisms of concern of a place and a year, as listed.
pub struct AlertLine {
    /// The region, a department, a GHT, an establishment named, or the others together.
    pub place: String,
    pub year: i16,
    pub kind: &'static str,
    pub resistant: u32,
    pub tested: u32,
    /// The rate, or `—` under the reporting threshold.
    pub rate: String,
    /// The spread of the rates of the establishments not named (`min – Q1 – médiane – Q3 – max`).
    pub distribution: String,
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

/// The rows as listed.
pub fn alert_lines(rows: &[PlacedAlert], without: &str, lang: Lang) -> Vec<AlertLine> {
    rows.iter()
        .map(|a| AlertLine {
            place: place_label(a, without, lang),
            year: a.year,
            kind: a.kind.label(lang),
            resistant: a.resistant,
            tested: a.tested,
            rate: percent(a.rate, lang),
            distribution: a.distribution.as_ref().map_or_else(String::new, |d| {
                [d.min, d.q1, d.median, d.q3, d.max]
                    .map(|x| decimal(Some(x), lang))
                    .join(" – ")
            }),
        })
        .collect()
}

/// The rows as a table to download (CSV or XLSX).
pub fn alerts_table(rows: &[PlacedAlert], without: &str, lang: Lang) -> Table {
    let body = rows
        .iter()
        .map(|a| {
            let d = a.distribution.as_ref();
            vec![
                Cell::from(level_label(a.level, lang)),
                Cell::from(place_label(a, without, lang)),
                Cell::Integer(a.year.into()),
                Cell::from(a.kind.label(lang)),
                Cell::Integer(a.resistant.into()),
                Cell::Integer(a.tested.into()),
                Cell::from(a.rate),
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
            "niveau",
            "lieu",
            "annee",
            "resistance",
            "resistants",
            "testes",
            "taux_pct",
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
        let m = matrix(&table, Lang::Fr);
        assert_eq!(m.antimicrobials[0].0, "CIP");
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
            trend_label("Escherichia coli", "CTX"),
            "Escherichia coli × Cefotaxime"
        );
        assert_eq!(
            trend_label("Escherichia coli", "ZZZ"),
            "Escherichia coli × ZZZ"
        );
        let rows = [cratb_resistance::AlertRow {
            establishment_id: Some(7),
            year: 2025,
            kind: cratb_resistance::AlertKind::Mrsa,
            resistant: 3,
            tested: 40,
            rate: 7.5,
        }];
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
            30,
        );
        let lines = alert_lines(&named, "Sans établissement", Lang::En);
        let names: Vec<&str> = lines.iter().map(|l| l.place.as_str()).collect();
        assert_eq!(names, ["Whole region", "CH de Vienne"]);
        assert_eq!(
            (lines[1].rate.as_str(), lines[1].kind),
            ("7.5\u{a0}%", "MRSA (methicillin-resistant S. aureus)")
        );
        let hidden = cratb_resistance::places::placed_alerts(
            &rows,
            &places,
            &cratb_domain::Visibility::Aggregates,
            50,
        );
        let lines = alert_lines(&hidden, "Sans établissement", Lang::Fr);
        let names: Vec<&str> = lines.iter().map(|l| l.place.as_str()).collect();
        assert_eq!(names, ["Toute la région", "Isère (38)"]);
        assert_eq!(lines[1].rate, "—");
        let table = alerts_table(&hidden, "Sans établissement", Lang::Fr);
        let csv = String::from_utf8(cratb_sheet::write::csv(&table, Csv::SPREADSHEET)).unwrap();
        assert!(!csv.contains("Vienne"), "{csv}");
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
