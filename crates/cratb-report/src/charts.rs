//! Charts drawn as SVG on the server (no script, no inline style: colours are SVG attributes,
//! the rest is `app.css`): a line over time with reference lines, stacked bars, box plots.
//! Every mark carries a `<title>` with its exact figure, read by screen readers and on hover,
//! and every chart comes with its figures as a table ("Voir les données", folded under it),
//! built from the same data. The chart sits in a box of its own that scrolls sideways on a
//! screen too narrow to draw it with legible text (`app.css`: `.chart-scroll`, `svg.chart`).

use crate::format;
use cratb_consumption::cube::Position;
use cratb_domain::Lang;
use std::fmt::Write;

const W: f64 = 720.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;

/// A colour-blind-safe palette (Okabe & Ito), then greys.
pub const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#999999", "#BBBBBB",
];

/// An axis tick: whole above 100, one decimal below (a comma in French).
fn number(x: f64, lang: Lang) -> String {
    let s = if x.abs() >= 100.0 || x == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    lang.pick(s.replace('.', ","), s)
}

/// A figure as titles and the data table give it: one decimal.
pub(crate) fn exact(x: f64, lang: Lang) -> String {
    format::decimal(Some(x), lang)
}

/// A round upper bound for an axis.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let step = 10f64.powf(max.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * step >= max {
            return m * step;
        }
    }
    10.0 * step
}

/// Opens a chart `w` wide and `h` high with its title and a description of what it draws.
pub(crate) fn open_described(w: f64, h: f64, label: &str, desc: &str) -> String {
    format!(
        r#"<div class="chart-box"><div class="chart-scroll"><svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title><desc>{}</desc>"#,
        escape(label),
        escape(label),
        escape(desc)
    )
}

fn open(h: f64, label: &str) -> String {
    format!(
        r#"<div class="chart-box"><div class="chart-scroll"><svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(label),
        escape(label)
    )
}

/// Closes the chart opened by [`open`] and adds its figures as a table, folded under it: a
/// header row (`head`, the first cell over the row names) and rows (a name, then cells).
pub(crate) fn close(
    svg: &mut String,
    lang: Lang,
    label: &str,
    head: &[String],
    rows: &[Vec<String>],
) {
    let _ = write!(
        svg,
        r#"</svg></div><details class="chart-data"><summary>{}</summary><div class="table-scroll"><table class="compact"><caption class="visually-hidden">{}</caption><thead><tr>"#,
        lang.pick("Voir les données", "Show data"),
        escape(label)
    );
    for (i, h) in head.iter().enumerate() {
        let class = if i == 0 { "" } else { r#" class="num""# };
        let _ = write!(svg, r#"<th scope="col"{class}>{}</th>"#, escape(h));
    }
    svg.push_str("</tr></thead><tbody>");
    for row in rows {
        svg.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(svg, r#"<th scope="row">{}</th>"#, escape(cell));
            } else {
                let _ = write!(svg, r#"<td class="num">{}</td>"#, escape(cell));
            }
        }
        svg.push_str("</tr>");
    }
    svg.push_str("</tbody></table></div></details></div>");
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn y_axis(svg: &mut String, max: f64, y: &dyn Fn(f64) -> f64, axis: Axis, lang: Lang) {
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let tick = match axis {
            Axis::Auto => number(v, lang),
            Axis::Percent => format!("{} %", number(v, lang)),
        };
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{tick}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
}

/// A horizontal reference line (baseline, target, median…).
pub struct Reference {
    pub label: String,
    pub value: f64,
    /// `target`, `baseline` or `median` (CSS class).
    pub class: &'static str,
}

/// A point of a line: its label on the x axis, its value (`None`: not computable, a gap in
/// the line), an interval around it drawn as a band, and what its mark says on hover (the
/// label and the exact figure when not given).
#[derive(Debug, Clone, Default)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub band: Option<(f64, f64)>,
    pub title: Option<String>,
}

/// The y axis of a line: from zero to a round value above the data, or 0–100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Auto,
    Percent,
}

/// Values over time (`None`: not computable, a gap in the line), with reference lines.
pub fn line(
    lang: Lang,
    label: &str,
    points: &[(String, Option<f64>)],
    references: &[Reference],
) -> String {
    let points: Vec<Point> = points
        .iter()
        .map(|(label, value)| Point {
            label: label.clone(),
            value: *value,
            ..Point::default()
        })
        .collect();
    line_chart(lang, label, &points, references, Axis::Auto)
}

/// The one line chart: points over time with their bands, reference lines, on `axis`.
pub fn line_chart(
    lang: Lang,
    label: &str,
    points: &[Point],
    references: &[Reference],
    axis: Axis,
) -> String {
    // A value that is not finite is not a figure: a gap, never a coordinate.
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
    let references: Vec<&Reference> = references.iter().filter(|r| r.value.is_finite()).collect();
    let h = 240.0;
    let bottom = 34.0;
    let max = match axis {
        Axis::Percent => 100.0,
        Axis::Auto => nice_max(
            points
                .iter()
                .filter_map(|p| finite(p.value))
                .chain(references.iter().map(|r| r.value))
                .fold(0.0, f64::max),
        ),
    };
    let plot_h = h - TOP - bottom;
    let y = |v: f64| TOP + plot_h * (1.0 - v / max);
    let n = points.len().max(1);
    let x = |i: usize| {
        LEFT + if n > 1 {
            (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
        } else {
            (W - LEFT - RIGHT) / 2.0
        }
    };
    let mut svg = open(h, label);
    y_axis(&mut svg, max, &y, axis, lang);
    // The bands first, under the line.
    let banded: Vec<(usize, (f64, f64))> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.band
                .filter(|(l, h)| l.is_finite() && h.is_finite())
                .map(|b| (i, b))
        })
        .collect();
    if banded.len() > 1 {
        let upper = banded
            .iter()
            .map(|(i, (_, hi))| format!("{:.1},{:.1}", x(*i), y(*hi)));
        let lower = banded
            .iter()
            .rev()
            .map(|(i, (lo, _))| format!("{:.1},{:.1}", x(*i), y(*lo)));
        let _ = write!(
            svg,
            r#"<polygon class="band" points="{}"/>"#,
            upper.chain(lower).collect::<Vec<_>>().join(" ")
        );
    }
    for r in &references {
        let _ = write!(
            svg,
            r#"<line class="ref {}" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"><title>{}</title></line><text class="axis ref-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            r.class,
            W - RIGHT,
            escape(&format!("{} : {}", r.label, exact(r.value, lang))),
            W - RIGHT - 2.0,
            y(r.value) - 4.0,
            escape(&r.label),
            y = y(r.value)
        );
    }
    // Runs of computable points, each a polyline.
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, svg: &mut String| {
        if run.len() > 1 {
            let _ = write!(
                svg,
                r#"<polyline class="line" points="{}"/>"#,
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match finite(p.value) {
            Some(v) => run.push(format!("{:.1},{:.1}", x(i), y(v))),
            None => flush(&mut run, &mut svg),
        }
    }
    flush(&mut run, &mut svg);
    let every = (n / 12).max(1);
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = finite(p.value) {
            let title = p
                .title
                .clone()
                .unwrap_or_else(|| format!("{} : {}", p.label, exact(v, lang)));
            let _ = write!(
                svg,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3"><title>{}</title></circle>"#,
                x(i),
                y(v),
                escape(&title)
            );
        }
        if i % every == 0 || i == n - 1 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x(i),
                h - 12.0,
                escape(&p.label)
            );
        }
    }
    // The figures: a row per point (its interval where drawn), then the reference lines.
    let figure = |v: Option<f64>| match axis {
        Axis::Percent => format::percent(finite(v), lang),
        Axis::Auto => format::decimal(finite(v), lang),
    };
    let bands = points.iter().any(|p| p.band.is_some());
    let mut head = vec![
        lang.pick("Période", "Period").to_string(),
        lang.pick("Valeur", "Value").to_string(),
    ];
    if bands {
        head.push(lang.pick("Intervalle", "Interval").to_string());
    }
    let mut rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let mut row = vec![p.label.clone(), figure(p.value)];
            if bands {
                row.push(p.band.map_or("—".into(), |(lo, hi)| {
                    format!("{} – {}", figure(Some(lo)), figure(Some(hi)))
                }));
            }
            row
        })
        .collect();
    for r in &references {
        let mut row = vec![r.label.clone(), figure(Some(r.value))];
        if bands {
            row.push(String::new());
        }
        rows.push(row);
    }
    close(&mut svg, lang, label, &head, &rows);
    svg
}

/// A stacked series: its name and one value per bar.
pub struct Stack {
    pub name: String,
    pub values: Vec<f64>,
}

/// Bars (one per category, e.g. a year) stacked by series, with a legend.
pub fn stacked_bars(lang: Lang, label: &str, bars: &[String], stacks: &[Stack]) -> String {
    let legend_rows = stacks.len().div_ceil(4) as f64;
    let h = 250.0 + 18.0 * legend_rows;
    let bottom = 30.0 + 18.0 * legend_rows;
    // Only finite, positive parts are drawn (and summed).
    let part = |s: &Stack, i: usize| Some(s.values[i]).filter(|v| v.is_finite() && *v > 0.0);
    let totals: Vec<f64> = (0..bars.len())
        // Folded from +0: an empty sum of floats is −0, which would be written "-0".
        .map(|i| {
            stacks
                .iter()
                .filter_map(|s| part(s, i))
                .fold(0.0, |a, b| a + b)
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let plot_h = h - TOP - bottom;
    let y = |v: f64| TOP + plot_h * (1.0 - v / max);
    let slot = (W - LEFT - RIGHT) / bars.len().max(1) as f64;
    let bar = (slot * 0.6).min(90.0);
    let mut svg = open(h, label);
    y_axis(&mut svg, max, &y, Axis::Auto, lang);
    for (i, name) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut base = 0.0;
        for (k, s) in stacks.iter().enumerate() {
            let Some(v) = part(s, i) else {
                continue;
            };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{} — {} : {}</title></rect>"#,
                y(base + v),
                y(base) - y(base + v),
                PALETTE[k % PALETTE.len()],
                escape(name),
                escape(&s.name),
                exact(v, lang)
            );
            base += v;
        }
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + bar / 2.0,
            y(totals[i]) - 4.0,
            number(totals[i], lang),
            x + bar / 2.0,
            h - bottom + 16.0,
            escape(name)
        );
    }
    for (k, s) in stacks.iter().enumerate() {
        let (col, row) = (k % 4, k / 4);
        let (lx, ly) = (
            LEFT + col as f64 * (W - LEFT) / 4.0,
            h - bottom + 34.0 + row as f64 * 18.0,
        );
        let _ = write!(
            svg,
            r#"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text class="axis" x="{:.1}" y="{ly:.1}">{}</text>"#,
            ly - 10.0,
            PALETTE[k % PALETTE.len()],
            lx + 16.0,
            escape(&s.name)
        );
    }
    // The figures: a row per series, a column per bar, the totals last.
    let value = |v: Option<f64>| format::decimal(v.filter(|v| *v > 0.0), lang);
    let head: Vec<String> = std::iter::once(lang.pick("Série", "Series").to_string())
        .chain(bars.iter().cloned())
        .collect();
    let mut rows: Vec<Vec<String>> = stacks
        .iter()
        .map(|s| {
            std::iter::once(s.name.clone())
                .chain((0..bars.len()).map(|i| value(part(s, i))))
                .collect()
        })
        .collect();
    rows.push(
        std::iter::once(lang.pick("Total", "Total").to_string())
            .chain(totals.iter().map(|t| format::decimal(Some(*t), lang)))
            .collect(),
    );
    close(&mut svg, lang, label, &head, &rows);
    svg
}

/// One box of a box plot: a group's distribution and, optionally, a value marked on it.
pub struct Box {
    pub label: String,
    pub position: Position,
    pub marked: Option<(String, f64)>,
}

/// Horizontal box plots on one scale: whiskers from min to max, the box from the first to the
/// third quartile, the median, and the marked value as a diamond.
pub fn box_plot(lang: Lang, label: &str, boxes: &[Box]) -> String {
    let row = 44.0;
    let left = 270.0;
    let h = TOP + row * boxes.len() as f64 + 30.0;
    let max = nice_max(
        boxes
            .iter()
            .map(|b| {
                let marked = b.marked.as_ref().map_or(0.0, |m| m.1);
                b.position
                    .max
                    .max(if marked.is_finite() { marked } else { 0.0 })
            })
            .fold(0.0, f64::max),
    );
    let x = |v: f64| left + (W - left - RIGHT) * v / max;
    let mut svg = open(h, label);
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}"/><text class="axis" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            h - 26.0,
            h - 10.0,
            number(v, lang),
            x = x(v)
        );
    }
    for (i, b) in boxes.iter().enumerate() {
        let p = &b.position;
        let cy = TOP + row * i as f64 + row / 2.0;
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{} (n = {})</text>"#,
            left - 8.0,
            cy + 4.0,
            escape(&b.label),
            p.peers
        );
        let _ = write!(
            svg,
            r#"<g class="box"><title>{} — min {} · Q1 {} · {} {} · Q3 {} · max {}</title><line class="whisker" x1="{:.1}" x2="{:.1}" y1="{cy:.1}" y2="{cy:.1}"/><rect class="iqr" x="{:.1}" y="{:.1}" width="{:.1}" height="20"/><line class="median" x1="{m:.1}" x2="{m:.1}" y1="{:.1}" y2="{:.1}"/></g>"#,
            escape(&b.label),
            exact(p.min, lang),
            exact(p.q1, lang),
            lang.pick("médiane", "median"),
            exact(p.median, lang),
            exact(p.q3, lang),
            exact(p.max, lang),
            x(p.min),
            x(p.max),
            x(p.q1),
            cy - 10.0,
            (x(p.q3) - x(p.q1)).max(1.0),
            cy - 10.0,
            cy + 10.0,
            m = x(p.median)
        );
        if let Some((name, v)) = b.marked.as_ref().filter(|m| m.1.is_finite()) {
            let (mx, s) = (x(*v), 7.0);
            let _ = write!(
                svg,
                r#"<polygon class="marked" points="{:.1},{:.1} {:.1},{cy:.1} {:.1},{:.1} {:.1},{cy:.1}"><title>{} : {}</title></polygon>"#,
                mx,
                cy - s,
                mx + s,
                mx,
                cy + s,
                mx - s,
                escape(name),
                exact(*v, lang)
            );
        }
    }
    // The figures: a row per box, its marked value last where one is.
    let marked = boxes.iter().any(|b| b.marked.is_some());
    let mut head: Vec<String> = [
        lang.pick("Groupe", "Group"),
        "n",
        "min",
        "Q1",
        lang.pick("médiane", "median"),
        "Q3",
        "max",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if marked {
        head.push(lang.pick("Repère", "Marked").to_string());
    }
    let rows: Vec<Vec<String>> = boxes
        .iter()
        .map(|b| {
            let p = &b.position;
            let mut row = vec![b.label.clone(), p.peers.to_string()];
            row.extend([p.min, p.q1, p.median, p.q3, p.max].map(|v| exact(v, lang)));
            if marked {
                row.push(b.marked.as_ref().map_or(String::new(), |(name, v)| {
                    let v = exact(*v, lang);
                    lang.pick(format!("{name}\u{a0}: {v}"), format!("{name}: {v}"))
                }));
            }
            row
        })
        .collect();
    close(&mut svg, lang, label, &head, &rows);
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_figures() {
        assert_eq!(nice_max(437.0), 500.0);
        assert_eq!(nice_max(101.0), 120.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(9.0), 10.0);
    }

    #[test]
    fn a_gap_splits_the_line_and_titles_carry_figures() {
        let svg = line(
            Lang::Fr,
            "DDD",
            &[
                ("2023".into(), Some(400.0)),
                ("2024".into(), Some(420.5)),
                ("2025".into(), None),
                ("2026".into(), Some(380.0)),
            ],
            &[Reference {
                label: "Objectif".into(),
                value: 300.0,
                class: "target",
            }],
        );
        // One run of two points; the lone last point is a circle only.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("2024 : 420,5"));
        assert!(svg.contains("Objectif : 300,0"));
    }

    #[test]
    fn a_share_over_time_with_its_interval() {
        let points: Vec<Point> = [(2024, 80.0, (75.0, 84.0)), (2025, 70.0, (64.0, 75.5))]
            .into_iter()
            .map(|(year, v, band)| Point {
                label: year.to_string(),
                value: Some(v),
                band: Some(band),
                title: Some(format!("{year} : {v} %")),
            })
            .collect();
        let svg = line_chart(Lang::Fr, "Sensibilité", &points, &[], Axis::Percent);
        assert!(
            svg.contains(">100 %</text>"),
            "a percent axis ends at 100 %"
        );
        assert!(
            svg.contains(r#"<polygon class="band" points="56.0,"#),
            "{svg}"
        );
        assert!(svg.contains("<title>2025 : 70 %</title>"));
        // One point has no band to draw.
        let lone = line_chart(Lang::Fr, "x", &points[..1], &[], Axis::Percent);
        assert!(!lone.contains("polygon"));
    }

    #[test]
    fn boxes_and_stacks() {
        let p = cratb_consumption::cube::position(&[1.0, 2.0, 3.0, 4.0], Some(2.0)).unwrap();
        let svg = box_plot(
            Lang::Fr,
            "Pairs",
            &[Box {
                label: "CH".into(),
                position: p,
                marked: Some(("Ici".into(), 2.0)),
            }],
        );
        assert!(svg.contains("médiane 2,5") && svg.contains("Ici : 2,0"));
        let svg = stacked_bars(
            Lang::Fr,
            "Classes",
            &["2024".into(), "2025".into()],
            &[
                Stack {
                    name: "Pénicillines".into(),
                    values: vec![10.0, 0.0],
                },
                Stack {
                    name: "Quinolones".into(),
                    values: vec![5.0, 5.0],
                },
            ],
        );
        // A zero value draws nothing; totals are written above each bar.
        assert_eq!(svg.matches("<rect x=").count(), 3 + 2);
        assert!(svg.contains(">15,0<"));
    }

    #[test]
    fn every_chart_offers_its_figures_as_a_table_in_the_page_language() {
        let refs = [Reference {
            label: "Objectif".into(),
            value: 300.0,
            class: "target",
        }];
        let points = [("2024".to_string(), Some(420.5)), ("2025".into(), None)];
        let fr = line(Lang::Fr, "DDD", &points, &refs);
        assert!(
            fr.starts_with(
                r#"<div class="chart-box"><div class="chart-scroll"><svg class="chart""#
            )
        );
        assert!(fr.contains("<summary>Voir les données</summary>"), "{fr}");
        assert!(
            fr.contains(r#"<th scope="row">2024</th><td class="num">420,5</td>"#),
            "{fr}"
        );
        assert!(
            fr.contains(r#"<th scope="row">2025</th><td class="num">—</td>"#),
            "{fr}"
        );
        assert!(fr.contains(r#"<th scope="row">Objectif</th><td class="num">300,0</td>"#));
        let en = line(Lang::En, "DDD", &points, &refs);
        assert!(en.contains("<summary>Show data</summary>"));
        assert!(en.contains(r#"<td class="num">420.5</td>"#), "{en}");
        // Axis ticks follow the language too (a point in English).
        let small = line(Lang::En, "x", &[("2024".into(), Some(1.2))], &[]);
        assert!(
            small.contains(">0.6</text>") && !small.contains(">0,6<"),
            "{small}"
        );

        let percent: Vec<Point> = vec![Point {
            label: "2025".into(),
            value: Some(70.0),
            band: Some((64.0, 75.5)),
            title: None,
        }];
        let svg = line_chart(Lang::Fr, "S", &percent, &[], Axis::Percent);
        assert!(
            svg.contains(
                "<td class=\"num\">70,0\u{a0}%</td><td class=\"num\">64,0\u{a0}% – 75,5\u{a0}%</td>"
            ),
            "{svg}"
        );

        let bars = stacked_bars(
            Lang::Fr,
            "Classes",
            &["2024".into(), "2025".into()],
            &[Stack {
                name: "Pénicillines".into(),
                values: vec![10.0, 0.0],
            }],
        );
        assert!(
            bars.contains(r#"<th scope="col">Série</th><th scope="col" class="num">2024</th>"#),
            "{bars}"
        );
        assert!(bars.contains(r#"<th scope="row">Pénicillines</th><td class="num">10,0</td><td class="num">—</td>"#), "{bars}");
        assert!(
            bars.contains(
                r#"<th scope="row">Total</th><td class="num">10,0</td><td class="num">0,0</td>"#
            ),
            "{bars}"
        );

        let p = cratb_consumption::cube::position(&[1.0, 2.0, 3.0, 4.0], Some(2.0)).unwrap();
        let boxes = box_plot(
            Lang::En,
            "Peers",
            &[Box {
                label: "CH".into(),
                position: p,
                marked: Some(("Here".into(), 2.0)),
            }],
        );
        assert!(boxes.contains("median 2.5"), "{boxes}");
        assert!(
            boxes.contains(
                r#"<th scope="row">CH</th><td class="num">4</td><td class="num">1.0</td>"#
            ),
            "{boxes}"
        );
        assert!(
            boxes.contains(r#"<td class="num">Here: 2.0</td>"#),
            "{boxes}"
        );
        for chart in [fr, en, svg, bars, boxes] {
            assert!(chart.ends_with("</table></div></details></div>"));
        }
    }

    #[test]
    fn a_figure_that_is_not_finite_is_never_a_coordinate() {
        let svg = line(
            Lang::Fr,
            "DDD",
            &[
                ("2024".into(), Some(f64::INFINITY)),
                ("2025".into(), Some(f64::NAN)),
                ("2026".into(), Some(380.0)),
            ],
            &[Reference {
                label: "Objectif".into(),
                value: f64::NEG_INFINITY,
                class: "target",
            }],
        );
        let p = cratb_consumption::cube::position(&[1.0, 2.0], None).unwrap();
        let boxes = box_plot(
            Lang::Fr,
            "Pairs",
            &[Box {
                label: "CH".into(),
                position: p,
                marked: Some(("Ici".into(), f64::INFINITY)),
            }],
        );
        let bars = stacked_bars(
            Lang::Fr,
            "Classes",
            &["2025".into()],
            &[Stack {
                name: "J01".into(),
                values: vec![f64::INFINITY],
            }],
        );
        for svg in [svg, boxes, bars] {
            assert!(!svg.contains("inf") && !svg.contains("NaN"), "{svg}");
        }
    }
}
