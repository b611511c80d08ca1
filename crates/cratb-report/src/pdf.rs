//! PDF reports: a title, a few lines of context, a table with coloured cells (repeated header
//! on every page), and a footer with the sources and page numbers. A4 landscape, in the PDF
//! standard Helvetica fonts, so nothing has to be embedded.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// A cell: its text and, optionally, its background (RGB, 0–1).
pub type Cell = (String, Option<[f32; 3]>);

pub struct TableReport {
    pub title: String,
    pub lines: Vec<String>,
    /// Column headers; the first column is wide (names), the others share the rest.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub footer: String,
    /// Box plots drawn under the table (on the last page).
    pub boxes: Vec<BoxRow>,
    /// Shares drawn as horizontal bars under the table (after the box plots).
    pub bars: Option<Bars>,
    /// A titled frame under everything, ruled, for handwritten or typed comments.
    pub comments: Option<String>,
}

/// Percentages as horizontal bars on a 0–100 scale, each with its interval and the others'
/// median and quartiles, under a line that says how to read them.
pub struct Bars {
    pub caption: String,
    pub rows: Vec<BarRow>,
}

/// One bar: its label, its value and interval, the participants' median and quartiles.
pub struct BarRow {
    pub label: String,
    pub value: Option<f64>,
    /// The value as written beside the bar, in the report's language.
    pub written: String,
    pub interval: Option<(f64, f64)>,
    pub median: Option<f64>,
    pub quartiles: Option<(f64, f64)>,
}

const BAR_ROW: f32 = 17.0;

/// A box plot line: a distribution and, optionally, a value marked on it.
pub struct BoxRow {
    pub label: String,
    pub position: cratb_consumption::cube::Position,
    pub marked: Option<f64>,
}

const BOX_ROW: f32 = 26.0;
const COMMENTS: f32 = 110.0;

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const MARGIN: f32 = 36.0;
const ROW: f32 = 14.0;

/// Text in the encoding of the standard fonts (WinAnsi); what it cannot show becomes `?`.
pub(crate) fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => out.push(c as u8),
            '’' | '‘' => out.push(b'\''),
            '“' | '”' => out.push(b'"'),
            '–' => out.push(0x96),
            '—' => out.push(0x97),
            '…' => out.push(0x85),
            '€' => out.push(0x80),
            '−' => out.push(b'-'),
            '≤' => out.extend_from_slice(b"<="),
            '≥' => out.extend_from_slice(b">="),
            '\u{202f}' | '\u{2009}' => out.push(b' '),
            _ => out.push(b'?'),
        }
    }
    out
}

/// Approximate width of Helvetica text (its advance widths, by kind of character): enough to
/// lay out columns and wrap lines.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            'M' | 'W' | 'm' => 0.86,
            'w' => 0.73,
            'I' | 'J' => 0.5,
            c if c.is_ascii_uppercase() => 0.7,
            '0'..='9' => 0.556,
            ' ' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' => 0.28,
            '(' | ')' | '/' | '-' | 'f' | 't' | 'r' | '[' | ']' => 0.34,
            '—' | '%' => 0.9,
            _ => 0.56,
        })
        .sum::<f32>()
        * size
}

fn fit(text: &str, width: f32, size: f32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` broken at spaces into lines no wider than `width` (a word wider than it stands
/// alone on its line).
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let longer = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&longer, size) <= width || line.is_empty() {
            line = longer;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// How a table fits the page's width: its type size and each column's width. The columns take
/// the width of their longest text at the largest size that fits (8 pt down to 5.5 pt); when
/// even that does not fit, each column keeps its longest word and cells wrap.
fn layout(columns: &[String], rows: &[Vec<Cell>], available: f32) -> (f32, Vec<f32>) {
    let pad = 7.0;
    let n = columns.len().max(1);
    let widest = |size: f32, words: bool| -> Vec<f32> {
        (0..n)
            .map(|col| {
                let header = columns.get(col).map(String::as_str).unwrap_or("");
                std::iter::once(header)
                    .chain(rows.iter().filter_map(|r| r.get(col).map(|c| c.0.as_str())))
                    .flat_map(|t| {
                        if words {
                            t.split(' ').collect::<Vec<_>>()
                        } else {
                            vec![t]
                        }
                    })
                    .map(|t| text_width(t, size) + pad)
                    .fold(pad, f32::max)
            })
            .collect()
    };
    // The first column (names) is at most 170 pt wide: longer names wrap.
    let cap = |mut w: Vec<f32>| {
        if let Some(first) = w.first_mut() {
            *first = first.min(170.0);
        }
        w
    };
    let spread = |w: Vec<f32>| {
        let total: f32 = w.iter().sum();
        let extra = (available - total).max(0.0) / w.len() as f32;
        w.into_iter().map(|x| x + extra).collect::<Vec<_>>()
    };
    for size in [8.0, 7.0, 6.5, 6.0, 5.5] {
        let w = cap(widest(size, false));
        if w.iter().sum::<f32>() <= available {
            return (size, spread(w));
        }
    }
    let size = 5.5;
    let min = cap(widest(size, true));
    let natural = cap(widest(size, false));
    let room = (available - min.iter().sum::<f32>()).max(0.0);
    let want: f32 = natural.iter().zip(&min).map(|(n, m)| n - m).sum();
    let w = min
        .iter()
        .zip(&natural)
        .map(|(m, n)| {
            m + if want > 0.0 {
                room * (n - m) / want
            } else {
                0.0
            }
        })
        .collect();
    (size, w)
}

fn text(content: &mut Content, font: &[u8], size: f32, x: f32, y: f32, s: &str) {
    content
        .begin_text()
        .set_font(Name(font), size)
        .next_line(x, y)
        .show(Str(&win_ansi(s)))
        .end_text();
}

/// The bars, from `y` down; returns where they end.
fn draw_bars(c: &mut Content, bars: &Bars, mut y: f32) -> f32 {
    let (left, right) = (MARGIN + 250.0, WIDTH - MARGIN - 70.0);
    let x = |v: f64| left + (right - left) * (v.clamp(0.0, 100.0) as f32) / 100.0;
    let ink = |c: &mut Content| {
        c.set_fill_rgb(0.1, 0.14, 0.19);
    };
    y -= 14.0;
    ink(c);
    text(
        c,
        b"F1",
        7.5,
        MARGIN,
        y,
        &fit(&bars.caption, WIDTH - 2.0 * MARGIN, 7.5),
    );
    y -= 12.0;
    // The scale: 0, 25, 50, 75, 100 %.
    c.set_stroke_rgb(0.85, 0.87, 0.9).set_line_width(0.5);
    let bottom = y - BAR_ROW * bars.rows.len() as f32;
    for i in 0..=4 {
        let v = 25.0 * i as f64;
        c.move_to(x(v), y).line_to(x(v), bottom).stroke();
        ink(c);
        text(
            c,
            b"F1",
            6.5,
            x(v) - 6.0,
            bottom - 9.0,
            &format!("{v:.0} %"),
        );
    }
    for row in &bars.rows {
        let cy = y - BAR_ROW / 2.0;
        ink(c);
        text(
            c,
            b"F1",
            7.5,
            MARGIN,
            cy - 2.5,
            &fit(&row.label, 245.0, 7.5),
        );
        if let Some((q1, q3)) = row.quartiles {
            c.set_fill_rgb(0.86, 0.88, 0.91)
                .rect(x(q1), cy - 7.0, (x(q3) - x(q1)).max(1.0), 14.0)
                .fill_nonzero();
        }
        if let Some(v) = row.value {
            c.set_fill_rgb(0.0, 0.447, 0.698)
                .rect(left, cy - 4.0, (x(v) - left).max(0.5), 8.0)
                .fill_nonzero();
        }
        if let Some((lo, hi)) = row.interval {
            c.set_stroke_rgb(0.1, 0.14, 0.19).set_line_width(0.8);
            c.move_to(x(lo), cy).line_to(x(hi), cy).stroke();
            for v in [lo, hi] {
                c.move_to(x(v), cy - 3.0).line_to(x(v), cy + 3.0).stroke();
            }
        }
        if let Some(m) = row.median {
            c.set_stroke_rgb(0.835, 0.369, 0.0).set_line_width(2.2);
            c.move_to(x(m), cy - 7.0).line_to(x(m), cy + 7.0).stroke();
        }
        ink(c);
        text(c, b"F2", 7.5, right + 8.0, cy - 2.5, &row.written);
        y -= BAR_ROW;
    }
    bottom - 14.0
}

impl TableReport {
    /// The box plots, the bars and the comments frame, from `y` down.
    fn draw_extras(&self, c: &mut Content, mut y: f32) {
        let (left, right) = (MARGIN + 200.0, WIDTH - MARGIN - 20.0);
        let max = self
            .boxes
            .iter()
            .map(|b| b.position.max.max(b.marked.unwrap_or(0.0)))
            .fold(0.0_f32, |m, v| m.max(v as f32))
            .max(1.0)
            * 1.05;
        let x = |v: f64| left + (right - left) * v as f32 / max;
        for b in &self.boxes {
            y -= BOX_ROW;
            let p = &b.position;
            let cy = y + BOX_ROW / 2.0;
            c.set_fill_rgb(0.1, 0.14, 0.19);
            text(c, b"F1", 8.0, MARGIN, cy - 3.0, &fit(&b.label, 190.0, 8.0));
            c.set_stroke_rgb(0.29, 0.33, 0.39).set_line_width(1.0);
            c.move_to(x(p.min), cy).line_to(x(p.max), cy).stroke();
            c.set_fill_rgb(0.80, 0.88, 0.96)
                .rect(x(p.q1), cy - 7.0, (x(p.q3) - x(p.q1)).max(1.0), 14.0)
                .fill_nonzero();
            c.set_stroke_rgb(0.043, 0.325, 0.58).set_line_width(2.0);
            c.move_to(x(p.median), cy - 7.0)
                .line_to(x(p.median), cy + 7.0)
                .stroke();
            c.set_fill_rgb(0.1, 0.14, 0.19);
            text(c, b"F1", 6.5, x(p.min), cy - 16.0, &format!("{:.0}", p.min));
            text(c, b"F1", 6.5, x(p.max), cy - 16.0, &format!("{:.0}", p.max));
            if let Some(v) = b.marked {
                let (mx, s) = (x(v), 6.0);
                c.set_fill_rgb(0.84, 0.37, 0.0)
                    .move_to(mx, cy + s)
                    .line_to(mx + s, cy)
                    .line_to(mx, cy - s)
                    .line_to(mx - s, cy)
                    .close_path()
                    .fill_nonzero();
                c.set_fill_rgb(0.1, 0.14, 0.19);
                text(
                    c,
                    b"F2",
                    7.0,
                    mx + 8.0,
                    cy + 6.0,
                    &format!("{v:.1}").replace('.', ","),
                );
            }
        }
        if let Some(bars) = &self.bars {
            y = draw_bars(c, bars, y);
        }
        if let Some(title) = &self.comments {
            y -= 16.0;
            c.set_fill_rgb(0.1, 0.14, 0.19);
            text(c, b"F2", 9.0, MARGIN, y, title);
            c.set_stroke_rgb(0.6, 0.64, 0.7).set_line_width(0.8);
            let bottom = y - 6.0 - COMMENTS + 16.0;
            c.rect(MARGIN, bottom, WIDTH - 2.0 * MARGIN, COMMENTS - 16.0)
                .stroke();
            // Lines to write on.
            c.set_stroke_rgb(0.82, 0.84, 0.87).set_line_width(0.5);
            let mut line = bottom + 18.0;
            while line < y - 6.0 - 8.0 {
                c.move_to(MARGIN + 8.0, line)
                    .line_to(WIDTH - MARGIN - 8.0, line)
                    .stroke();
                line += 18.0;
            }
        }
    }

    /// The height the box plots, the bars and the comments take under the table.
    fn extras_height(&self) -> f32 {
        let boxes = if self.boxes.is_empty() {
            0.0
        } else {
            BOX_ROW * self.boxes.len() as f32 + 16.0
        };
        let bars = self
            .bars
            .as_ref()
            .map_or(0.0, |b| BAR_ROW * b.rows.len() as f32 + 40.0);
        let comments = if self.comments.is_some() {
            COMMENTS + 12.0
        } else {
            0.0
        };
        boxes + bars + comments
    }

    pub fn render(&self) -> Vec<u8> {
        let columns = self.columns.len().max(1);
        let available = WIDTH - 2.0 * MARGIN;
        let (size, widths) = layout(&self.columns, &self.rows, available);
        let line_height = size + 2.0;
        let top = HEIGHT - MARGIN;
        // The lines under the title wrap to the page's width.
        let lines: Vec<String> = self
            .lines
            .iter()
            .flat_map(|l| wrap(l, available, 9.0))
            .collect();
        // Each cell's lines, and each row's height.
        let cell_lines = |row: &Vec<Cell>| -> Vec<Vec<String>> {
            row.iter()
                .take(columns)
                .enumerate()
                .map(|(col, (value, _))| wrap(value, widths[col] - 7.0, size))
                .collect()
        };
        let height_of = |cells: &[Vec<String>]| {
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            ROW + line_height * (n - 1) as f32
        };
        let header_lines: Vec<Vec<String>> = self
            .columns
            .iter()
            .enumerate()
            .map(|(col, h)| wrap(h, widths[col] - 7.0, size))
            .collect();
        let header_height = height_of(&header_lines);
        let table_top = top - 24.0 - 12.0 * lines.len() as f32 - 8.0;
        // The extras go under the table on its last page, or on a page of their own when
        // the rows left for it would not leave them room.
        let reserved = self.extras_height();
        let room = (table_top - MARGIN - 24.0 - header_height).max(ROW);
        let laid: Vec<(Vec<Vec<String>>, f32)> = self
            .rows
            .iter()
            .map(|r| {
                let cells = cell_lines(r);
                let h = height_of(&cells);
                (cells, h)
            })
            .collect();
        let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut start, mut used) = (0, 0.0);
        for (i, (_, h)) in laid.iter().enumerate() {
            if used + h > room && i > start {
                pages.push(start..i);
                (start, used) = (i, 0.0);
            }
            used += h;
        }
        pages.push(start..laid.len());
        if reserved > 0.0 && used > 0.0 && used + 12.0 + reserved > room {
            pages.push(laid.len()..laid.len());
        }

        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let page_ids: Vec<Ref> = (0..pages.len())
            .map(|i| Ref::new(5 + 2 * i as i32))
            .collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(pages.len() as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        for (n, range) in pages.iter().enumerate() {
            let content_id = Ref::new(6 + 2 * n as i32);
            let mut page = pdf.page(page_ids[n]);
            page.parent(tree)
                .media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
                .contents(content_id);
            page.resources()
                .fonts()
                .pair(Name(b"F1"), regular)
                .pair(Name(b"F2"), bold);
            page.finish();

            let mut c = Content::new();
            text(&mut c, b"F2", 15.0, MARGIN, top - 12.0, &self.title);
            for (i, line) in lines.iter().enumerate() {
                text(
                    &mut c,
                    b"F1",
                    9.0,
                    MARGIN,
                    top - 30.0 - 12.0 * i as f32,
                    line,
                );
            }
            let x_of = |col: usize| MARGIN + widths[..col].iter().sum::<f32>();
            // Header row, but on a page of extras only.
            let extras_only = n > 0 && range.is_empty();
            let mut y = table_top - header_height;
            if extras_only {
                y = table_top + 12.0;
            } else {
                c.set_fill_rgb(0.043, 0.325, 0.58)
                    .rect(MARGIN, y, WIDTH - 2.0 * MARGIN, header_height)
                    .fill_nonzero();
                c.set_fill_rgb(1.0, 1.0, 1.0);
                for (col, h) in header_lines.iter().enumerate() {
                    for (k, line) in h.iter().enumerate() {
                        let base = y + header_height - ROW + 4.0 - line_height * k as f32;
                        text(&mut c, b"F2", size, x_of(col) + 2.0, base, line);
                    }
                }
            }
            for (row, (cells, h)) in self.rows[range.clone()].iter().zip(&laid[range.clone()]) {
                y -= h;
                for (col, (_, fill)) in row.iter().enumerate().take(columns) {
                    if let Some([r, g, b]) = fill {
                        c.set_fill_rgb(*r, *g, *b)
                            .rect(x_of(col), y, widths[col], *h)
                            .fill_nonzero();
                    }
                    c.set_fill_rgb(0.1, 0.14, 0.19);
                    for (k, line) in cells[col].iter().enumerate() {
                        let base = y + h - ROW + 4.0 - line_height * k as f32;
                        text(&mut c, b"F1", size, x_of(col) + 2.0, base, line);
                    }
                }
                c.set_stroke_rgb(0.85, 0.87, 0.9).set_line_width(0.5);
                c.move_to(MARGIN, y).line_to(WIDTH - MARGIN, y).stroke();
            }
            if n + 1 == pages.len() {
                self.draw_extras(&mut c, y - 12.0);
            }
            c.set_fill_rgb(0.29, 0.33, 0.39);
            text(
                &mut c,
                b"F1",
                7.0,
                MARGIN,
                MARGIN - 14.0,
                &fit(&self.footer, WIDTH - 2.0 * MARGIN - 60.0, 7.0),
            );
            text(
                &mut c,
                b"F1",
                7.0,
                WIDTH - MARGIN - 40.0,
                MARGIN - 14.0,
                &format!("{} / {}", n + 1, pages.len()),
            );
            pdf.stream(content_id, &c.finish());
        }
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_a_pdf_with_one_page_per_chunk_of_rows() {
        let report = TableReport {
            title: "Antibiogramme cumulé — Auvergne-Rhône-Alpes".into(),
            lines: vec!["EUCAST 2025 · premiers isolats".into()],
            columns: vec!["Micro-organisme".into(), "n".into(), "AMX".into()],
            rows: (0..80)
                .map(|i| {
                    vec![
                        (format!("Espèce {i}"), None),
                        ("42".into(), None),
                        ("87 (42)".into(), Some([0.8, 0.9, 0.8])),
                    ]
                })
                .collect(),
            footer: "Sources : EUCAST".into(),
            boxes: Vec::new(),
            bars: None,
            comments: None,
        };
        let bytes = report.render();
        assert!(bytes.starts_with(b"%PDF-"));
        let pages = bytes.windows(10).filter(|w| w == b"/Type /Pag").count();
        // The page tree (/Type /Pages) plus each page (/Type /Page).
        assert!(pages >= 3, "80 rows take more than one page");
        assert_eq!(win_ansi("é–≤−"), vec![0xE9, 0x96, b'<', b'=', b'-']);
    }

    #[test]
    fn bars_and_comments_go_under_the_table_or_on_a_page_of_their_own() {
        let report = |rows: usize| {
            TableReport {
                title: "Audit".into(),
                lines: Vec::new(),
                columns: vec!["Critère".into(), "%".into()],
                rows: (0..rows)
                    .map(|i| vec![(format!("Critère {i}"), None), ("50,0 %".into(), None)])
                    .collect(),
                footer: String::new(),
                boxes: Vec::new(),
                bars: Some(Bars {
                    caption: "Barres".into(),
                    rows: (0..7)
                        .map(|i| BarRow {
                            label: format!("Critère {i}"),
                            value: Some(50.0),
                            written: "50,0 %".into(),
                            interval: Some((40.0, 60.0)),
                            median: Some(70.0),
                            quartiles: Some((60.0, 80.0)),
                        })
                        .collect(),
                }),
                comments: Some("Commentaires".into()),
            }
            .render()
        };
        let pages = |pdf: &[u8]| pdf.windows(11).filter(|w| w == b"/Type /Page").count() - 1;
        assert_eq!(pages(&report(3)), 1, "three rows leave room for the extras");
        // 20 rows fill most of the page: the bars and the frame go on a second one, whole.
        let long = report(20);
        assert_eq!(pages(&long), 2);
        assert_eq!(
            long.windows(14).filter(|w| w == b"(Commentaires)").count(),
            1
        );
    }
}
