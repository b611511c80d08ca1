//! The cumulative antibiogram as people read it: a table coloured by % susceptible (on a page
//! and in its PDF).

use cratb_amr::antibiogram::Antibiogram;
use cratb_domain::Lang;

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
            Some(p) if reportable => format!("{} ({n})", p.round()),
            _ => format!("({n})"),
        };
        let ci = c
            .wilson()
            .map(|(l, h)| format!(" · IC95 {:.1}–{:.1}", l, h))
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
}
