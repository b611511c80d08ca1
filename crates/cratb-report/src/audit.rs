//! The feedback of an appropriateness audit to an establishment: its conformity per criterion
//! against the participants' (a bar per criterion with its 95 % interval, the participants'
//! median and quartiles), the criteria most below the median, the change since its previous
//! campaign, the trend of a criterion over campaigns; shown on its page and sent as a PDF
//! report, one per establishment (a ZIP for a whole campaign). The participants are only ever
//! shown as a distribution, never by name.

use crate::charts::{self, Axis, Point, close, escape, exact, open_described};
use crate::format::{self, decimal, decimals, percent};
use crate::pdf::{BarRow, Bars, Cell, TableReport};
use cratb_audit::Grid;
use cratb_audit::benchmark::{Comparison, Distribution, Spread, TrendRow, compare, participants};
use cratb_audit::cases::Case;
use cratb_audit::results::{Row, results_by};
use cratb_domain::{Lang, geo};
use std::fmt::Write;
use time::Date;

/// What an establishment's feedback of one campaign is drawn from; the application fills it
/// from the stored cases (`results_by` per establishment, `benchmark::participants`).
#[derive(Debug, Clone)]
pub struct Feedback {
    /// The campaign's title.
    pub campaign: String,
    /// The grid version the campaign used: its title and its criteria's labels and order.
    pub grid: Grid,
    /// The campaign's first and last days.
    pub period: (Date, Date),
    /// The establishment's name.
    pub establishment: String,
    /// Its FINESS.
    pub finess: String,
    /// The establishment's rows (each criterion with a rule, then `all`).
    pub rows: Vec<Row>,
    /// The participants' distribution per criterion and `all` (`benchmark::participants`).
    pub participants: Vec<Spread>,
    /// The establishment's previous campaign with the same grid code, when it took part.
    pub previous: Option<Previous>,
}

/// A campaign's cases as read or stored, with what names them: the input of
/// [`campaign_feedbacks`].
pub struct CampaignCases<'a> {
    /// The campaign's title.
    pub title: &'a str,
    /// The grid version it used.
    pub grid: &'a Grid,
    pub cases: &'a [Case],
}

/// Every participating establishment's feedback of a campaign (those with cases, by FINESS),
/// against all the participants, and against the establishment's own rows in `previous` when
/// it took part in it; `name_of` names an establishment from its FINESS.
pub fn campaign_feedbacks(
    now: &CampaignCases,
    period: (Date, Date),
    previous: Option<&CampaignCases>,
    name_of: impl Fn(&str) -> String,
) -> Vec<Feedback> {
    let by_establishment = |c: &CampaignCases| {
        results_by(c.grid, c.cases, |case| {
            vec![case.establishment.as_str().to_string()]
        })
    };
    let rows = by_establishment(now);
    let before = previous.map(|p| (p.title, by_establishment(p)));
    let spread = participants(now.grid, &rows);
    let mut finesses: Vec<&str> = rows.iter().map(|r| r.group[0].as_str()).collect();
    finesses.dedup();
    finesses
        .into_iter()
        .map(|finess| {
            let own = |rows: &[Row]| -> Vec<Row> {
                rows.iter()
                    .filter(|r| r.group[0] == finess)
                    .cloned()
                    .collect()
            };
            Feedback {
                campaign: now.title.to_string(),
                grid: now.grid.clone(),
                period,
                establishment: name_of(finess),
                finess: finess.to_string(),
                rows: own(&rows),
                participants: spread.clone(),
                previous: before.as_ref().and_then(|(title, rows)| {
                    let rows = own(rows);
                    (!rows.is_empty()).then(|| Previous {
                        campaign: title.to_string(),
                        rows,
                    })
                }),
            }
        })
        .collect()
}

/// The establishment's results in its previous campaign of the same grid.
#[derive(Debug, Clone)]
pub struct Previous {
    /// That campaign's title.
    pub campaign: String,
    /// Its rows then (each criterion with a rule, then `all`).
    pub rows: Vec<Row>,
}

/// Where the establishment stands below the participants on a criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Below {
    pub criterion: String,
    /// The criterion's label in the language asked.
    pub label: String,
    /// The establishment's conformity, in percent.
    pub pct: f64,
    /// The participants' median, in percent.
    pub median: f64,
    /// How many points below the median.
    pub gap: f64,
}

/// The label of a criterion of `grid` (its code when unknown), or the words for `all`.
pub fn label(grid: &Grid, code: &str, lang: Lang) -> String {
    if code == "all" {
        return lang
            .pick(
                "Tous les critères (cas entièrement conformes)",
                "All criteria (fully conform cases)",
            )
            .to_string();
    }
    grid.criteria
        .iter()
        .find(|c| c.code == code)
        .map_or(code.to_string(), |c| {
            lang.pick(c.label_fr.clone(), c.label_en.clone())
        })
}

/// `text` cut at a word to at most `max` characters, `…` marking the cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let cut: String = text.chars().take(keep).collect();
    // A cut that falls between two words keeps the last one whole.
    let at_word = if text.chars().nth(keep) == Some(' ') {
        cut.as_str()
    } else {
        match cut.rfind(' ') {
            Some(i) if i > max / 2 => &cut[..i],
            _ => cut.as_str(),
        }
    };
    format!("{}…", at_word.trim_end_matches([' ', ',', ';', ':']))
}

impl Feedback {
    /// The participants' distribution of `criterion`.
    pub fn spread(&self, criterion: &str) -> Option<&Distribution> {
        self.participants
            .iter()
            .find(|s| s.criterion == criterion)
            .and_then(|s| s.distribution.as_ref())
    }

    /// The establishment's row of `criterion`.
    pub fn row(&self, criterion: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.criterion == criterion)
    }

    /// The grid's title in `lang`, with its version.
    pub fn grid_title(&self, lang: Lang) -> String {
        format!(
            "{} (v{})",
            lang.pick(&self.grid.title_fr, &self.grid.title_en),
            self.grid.version
        )
    }

    /// The campaign's period in words.
    pub fn period_label(&self, lang: Lang) -> String {
        let (from, to) = self.period;
        let day = |d: Date| match lang {
            Lang::Fr => format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
            Lang::En => format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        };
        lang.pick(
            format!("du {} au {}", day(from), day(to)),
            format!("{} to {}", day(from), day(to)),
        )
    }

    /// The criteria (never `all`) where the establishment is furthest below the participants'
    /// median, at most three, the furthest first (ties in the grid's order).
    pub fn most_below(&self, lang: Lang) -> Vec<Below> {
        let mut below: Vec<Below> = self
            .rows
            .iter()
            .filter(|r| r.criterion != "all")
            .filter_map(|r| {
                let pct = r.pct()?;
                let median = self.spread(&r.criterion)?.median;
                (pct < median).then(|| Below {
                    criterion: r.criterion.clone(),
                    label: label(&self.grid, &r.criterion, lang),
                    pct,
                    median,
                    gap: median - pct,
                })
            })
            .collect();
        // A stable sort keeps the grid's order among equal gaps.
        below.sort_by(|a, b| b.gap.total_cmp(&a.gap));
        below.truncate(3);
        below
    }

    /// Each criterion against the previous campaign (none without one).
    pub fn comparisons(&self) -> Vec<Comparison> {
        self.previous
            .as_ref()
            .map_or_else(Vec::new, |p| compare(&p.rows, &self.rows))
    }
}

/// A signed figure in points with one decimal (`+25,0`, `−3,4`).
fn signed(x: f64, lang: Lang) -> String {
    let s = decimal(Some(x), lang);
    if x >= 0.0 && !s.starts_with('−') && s != "—" {
        format!("+{s}")
    } else {
        s
    }
}

/// A p value: three decimals, or `< 0,001`.
pub fn p_value(p: Option<f64>, lang: Lang) -> String {
    match p {
        Some(p) if p < 0.001 => lang.pick("< 0,001", "< 0.001").to_string(),
        p => decimals(p, 3, lang),
    }
}

/// A difference of shares (fractions) in points with its interval: `+25,0 (+7,7 à +40,3)`.
pub fn difference_label(c: &Comparison, lang: Lang) -> String {
    match &c.difference {
        None => "—".into(),
        Some(d) => format!(
            "{} ({} {} {})",
            signed(100.0 * d.difference, lang),
            signed(100.0 * d.interval.0, lang),
            lang.pick("à", "to"),
            signed(100.0 * d.interval.1, lang)
        ),
    }
}

/// `a – b` of two percentages, `—` without them.
fn range(r: Option<(f64, f64)>, lang: Lang) -> String {
    r.map_or("—".into(), |(a, b)| {
        format!("{} – {}", decimal(Some(a), lang), decimal(Some(b), lang))
    })
}

const WIDTH: f64 = 400.0;
const PAD: f64 = 8.0;
const ROW_H: f64 = 46.0;

/// The establishment's conformity per criterion (then `all`) as horizontal bars: each bar with
/// its 95 % Wilson interval as a whisker, the participants' median as a mark and their
/// quartiles as a light band; labels above the bars so that it reads on a phone; the figures
/// as a table folded under it.
pub fn results_chart(fb: &Feedback, lang: Lang) -> String {
    let title = format!(
        "{} — {}",
        lang.pick("Conformité par critère", "Conformity by criterion"),
        fb.establishment
    );
    let desc = lang.pick(
        "Une barre par critère : la conformité de l'établissement, son intervalle de confiance à 95 % (trait), la médiane des établissements participants (repère orange) et leurs premier et troisième quartiles (bande grise).",
        "One bar per criterion: the establishment's conformity, its 95 % confidence interval (whisker), the participating establishments' median (orange mark) and their first and third quartiles (grey band).",
    );
    let h = 16.0 + ROW_H * fb.rows.len() as f64 + 44.0;
    let x = |v: f64| PAD + (WIDTH - 2.0 * PAD) * v.clamp(0.0, 100.0) / 100.0;
    let mut svg = open_described(WIDTH, h, &title, desc).replacen(
        r#"class="chart""#,
        r#"class="chart narrow""#,
        1,
    );
    let bottom = 8.0 + ROW_H * fb.rows.len() as f64;
    for i in 0..=4 {
        let v = 25.0 * i as f64;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="8" y2="{bottom:.1}"/><text class="axis" x="{x:.1}" y="{:.1}" text-anchor="{}">{} %</text>"#,
            bottom + 14.0,
            match i {
                0 => "start",
                4 => "end",
                _ => "middle",
            },
            v,
            x = x(v)
        );
    }
    for (i, r) in fb.rows.iter().enumerate() {
        let top = 8.0 + ROW_H * i as f64;
        let full = label(&fb.grid, &r.criterion, lang);
        let spread = fb.spread(&r.criterion);
        let value = percent(r.pct(), lang);
        let _ = write!(
            svg,
            r#"<g class="criterion"><title>{}</title><text x="{PAD}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" font-weight="bold">{}</text>"#,
            escape(&format!(
                "{full} : {value} ({} / {}), IC 95 % {}",
                r.n_conform,
                r.n_applicable,
                range(r.interval(), lang)
            )),
            top + 14.0,
            escape(&shorten(&full, 48)),
            WIDTH - PAD,
            top + 14.0,
            escape(&value)
        );
        let cy = top + 30.0;
        if let Some(d) = spread {
            let _ = write!(
                svg,
                r##"<rect class="quartiles" x="{:.1}" y="{:.1}" width="{:.1}" height="20" fill="#BBBBBB" fill-opacity="0.45"><title>{} : Q1 {} – Q3 {}</title></rect>"##,
                x(d.q1),
                cy - 10.0,
                (x(d.q3) - x(d.q1)).max(1.0),
                lang.pick("Participants", "Participants"),
                exact(d.q1, lang),
                exact(d.q3, lang)
            );
        }
        if let Some(v) = r.pct() {
            let _ = write!(
                svg,
                r##"<rect class="bar" x="{PAD}" y="{:.1}" width="{:.1}" height="12" fill="#0072B2"/>"##,
                cy - 6.0,
                (x(v) - PAD).max(0.5)
            );
        }
        if let Some((lo, hi)) = r.interval() {
            let (a, b) = (x(lo), x(hi));
            let _ = write!(
                svg,
                r##"<path class="ci" d="M{a:.1} {:.1}V{:.1}M{a:.1} {cy:.1}H{b:.1}M{b:.1} {:.1}V{:.1}" stroke="#000000" stroke-width="1.5" fill="none"/>"##,
                cy - 4.0,
                cy + 4.0,
                cy - 4.0,
                cy + 4.0
            );
        }
        if let Some(d) = spread {
            let m = x(d.median);
            let _ = write!(
                svg,
                r##"<line class="median" x1="{m:.1}" x2="{m:.1}" y1="{:.1}" y2="{:.1}" stroke="#D55E00" stroke-width="3"><title>{} : {} ({} {})</title></line>"##,
                cy - 11.0,
                cy + 11.0,
                lang.pick("Médiane des participants", "Participants' median"),
                percent(Some(d.median), lang),
                d.establishments,
                lang.pick("établissements", "establishments")
            );
        }
        svg.push_str("</g>");
    }
    // The legend, under the scale.
    let ly = bottom + 34.0;
    let _ = write!(
        svg,
        r##"<rect x="{PAD}" y="{:.1}" width="12" height="8" fill="#0072B2"/><text class="axis" x="{:.1}" y="{ly:.1}">{}</text><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#D55E00" stroke-width="3"/><text class="axis" x="{:.1}" y="{ly:.1}">{}</text><rect x="{:.1}" y="{:.1}" width="14" height="10" fill="#BBBBBB" fill-opacity="0.45"/><text class="axis" x="{:.1}" y="{ly:.1}">Q1 – Q3</text>"##,
        ly - 8.0,
        PAD + 16.0,
        // A region drawn against its participants has no FINESS.
        if fb.finess.is_empty() {
            lang.pick("Région", "Region")
        } else {
            lang.pick("Établissement", "Establishment")
        },
        170.0,
        170.0,
        ly - 10.0,
        ly + 1.0,
        176.0,
        lang.pick("Médiane", "Median"),
        270.0,
        ly - 9.0,
        288.0
    );
    let head: Vec<String> = [
        lang.pick("Critère", "Criterion"),
        lang.pick("Cas applicables", "Applicable cases"),
        lang.pick("Conformes", "Conform"),
        lang.pick("Conformité", "Conformity"),
        lang.pick("IC 95 %", "95 % CI"),
        lang.pick("Médiane", "Median"),
        "Q1 – Q3",
        lang.pick("Établissements", "Establishments"),
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = fb
        .rows
        .iter()
        .map(|r| {
            let d = fb.spread(&r.criterion);
            vec![
                label(&fb.grid, &r.criterion, lang),
                r.n_applicable.to_string(),
                r.n_conform.to_string(),
                percent(r.pct(), lang),
                range(r.interval(), lang),
                format::decimal(d.map(|d| d.median), lang),
                range(d.map(|d| (d.q1, d.q3)), lang),
                d.map_or("0".into(), |d| d.establishments.to_string()),
            ]
        })
        .collect();
    close(&mut svg, lang, &title, &head, &rows);
    svg
}

/// The trend of `criterion` over successive campaigns (`rows` of one group, oldest first): its
/// percentage and 95 % interval per campaign, on the line chart.
pub fn trend_chart(grid: &Grid, criterion: &str, rows: &[TrendRow], lang: Lang) -> String {
    let name = label(grid, criterion, lang);
    let points: Vec<Point> = rows
        .iter()
        .filter(|r| r.criterion == criterion)
        .map(|r| Point {
            label: r.campaign.clone(),
            value: r.pct,
            band: r.interval,
            title: Some(format!(
                "{} : {} ({} / {}), IC 95 % {}",
                r.campaign,
                percent(r.pct, lang),
                r.n_conform,
                r.n_applicable,
                range(r.interval, lang)
            )),
        })
        .collect();
    charts::line_chart(
        lang,
        &format!("{} — {}", lang.pick("Évolution", "Trend"), name),
        &points,
        &[],
        Axis::Percent,
    )
}

/// The feedback report as a PDF, in `lang`: the establishment's results against the
/// participants per criterion (and the change since its previous campaign when there is one),
/// its `all` figure, the criteria most below the median, the bars, and a ruled frame for the
/// EMA's comments and proposed actions.
pub fn report_pdf(fb: &Feedback, lang: Lang) -> Vec<u8> {
    let comparisons = fb.comparisons();
    let mut columns: Vec<String> = [
        lang.pick("Critère", "Criterion"),
        lang.pick("Cas applicables", "Applicable cases"),
        lang.pick("Conformes", "Conform"),
        lang.pick("Conformité", "Conformity"),
        lang.pick("IC 95 %", "95 % CI"),
        lang.pick("Médiane participants", "Participants' median"),
        lang.pick("Q1 – Q3 participants", "Participants' Q1 – Q3"),
        lang.pick("Établissements (≥ 10 cas)", "Establishments (≥ 10 cases)"),
    ]
    .map(String::from)
    .to_vec();
    if fb.previous.is_some() {
        columns.extend(
            [
                lang.pick("Campagne précédente", "Previous campaign"),
                lang.pick("Écart en points (IC 95 %)", "Change in points (95 % CI)"),
                "p",
            ]
            .map(String::from),
        );
    }
    let below: Vec<String> = fb
        .most_below(lang)
        .iter()
        .map(|b| b.criterion.clone())
        .collect();
    let warm = Some([0.99, 0.89, 0.69]);
    let rows: Vec<Vec<Cell>> = fb
        .rows
        .iter()
        .map(|r| {
            let d = fb.spread(&r.criterion);
            let mut cells: Vec<Cell> = vec![
                (label(&fb.grid, &r.criterion, lang), None),
                (r.n_applicable.to_string(), None),
                (r.n_conform.to_string(), None),
                (
                    percent(r.pct(), lang),
                    below.contains(&r.criterion).then_some(warm).flatten(),
                ),
                (range(r.interval(), lang), None),
                (format::percent(d.map(|d| d.median), lang), None),
                (range(d.map(|d| (d.q1, d.q3)), lang), None),
                (d.map_or("0".into(), |d| d.establishments.to_string()), None),
            ];
            if fb.previous.is_some() {
                let c = comparisons.iter().find(|c| c.criterion == r.criterion);
                let before = c.and_then(|c| {
                    (c.before.1 > 0).then(|| 100.0 * c.before.0 as f64 / c.before.1 as f64)
                });
                cells.push((percent(before, lang), None));
                cells.push((c.map_or("—".into(), |c| difference_label(c, lang)), None));
                cells.push((
                    p_value(c.and_then(|c| c.difference.and_then(|d| d.p_value)), lang),
                    None,
                ));
            }
            cells
        })
        .collect();
    let mut lines = vec![format!(
        "{} {} · {} · {}",
        "FINESS",
        fb.finess,
        fb.grid_title(lang),
        fb.period_label(lang)
    )];
    if let Some(all) = fb.row("all") {
        let d = fb.spread("all");
        lines.push(lang.pick(
            format!(
                "Cas entièrement conformes : {} ({} sur {} cas ; IC 95 % {}) ; médiane des participants {}{}.",
                percent(all.pct(), lang),
                all.n_conform,
                all.n_applicable,
                range(all.interval(), lang),
                percent(d.map(|d| d.median), lang),
                d.map_or(String::new(), |d| format!(", {} établissements", d.establishments)),
            ),
            format!(
                "Fully conform cases: {} ({} of {} cases; 95 % CI {}); participants' median {}{}.",
                percent(all.pct(), lang),
                all.n_conform,
                all.n_applicable,
                range(all.interval(), lang),
                percent(d.map(|d| d.median), lang),
                d.map_or(String::new(), |d| format!(", {} establishments", d.establishments)),
            ),
        ));
    }
    let below = fb.most_below(lang);
    lines.push(if below.is_empty() {
        lang.pick(
            "Aucun critère sous la médiane des participants.",
            "No criterion below the participants' median.",
        )
        .to_string()
    } else {
        let list: Vec<String> = below
            .iter()
            .map(|b| {
                format!(
                    "{} ({}{} {} {} {})",
                    shorten(&b.label, 70),
                    percent(Some(b.pct), lang),
                    lang.pick(" ;", ";"),
                    decimal(Some(b.gap), lang),
                    lang.pick("points sous la médiane", "points below the median"),
                    percent(Some(b.median), lang)
                )
            })
            .collect();
        format!(
            "{} {}",
            lang.pick(
                "Critères les plus en dessous de la médiane des participants :",
                "Criteria furthest below the participants' median:"
            ),
            list.join(" · ")
        )
    });
    if let Some(p) = &fb.previous {
        lines.push(lang.pick(
            format!(
                "Comparaison avec la campagne « {} » : écart de conformité en points (après − avant), intervalle de Newcombe, test de deux proportions.",
                p.campaign
            ),
            format!(
                "Compared with the campaign “{}”: change in conformity in points (after − before), Newcombe interval, two-proportion test.",
                p.campaign
            ),
        ));
    }
    let bars = Bars {
        caption: lang
            .pick(
                "Barre bleue : conformité de l'établissement · trait noir : IC 95 % · repère orange : médiane des participants · zone grise : Q1 – Q3.",
                "Blue bar: the establishment's conformity · black whisker: 95 % CI · orange mark: participants' median · grey band: Q1 – Q3.",
            )
            .to_string(),
        rows: fb
            .rows
            .iter()
            .map(|r| {
                let d = fb.spread(&r.criterion);
                BarRow {
                    label: shorten(&label(&fb.grid, &r.criterion, lang), 60),
                    value: r.pct(),
                    written: percent(r.pct(), lang),
                    interval: r.interval(),
                    median: d.map(|d| d.median),
                    quartiles: d.map(|d| (d.q1, d.q3)),
                }
            })
            .collect(),
    };
    TableReport {
        title: format!(
            "{} — {}",
            lang.pick("Audit de pertinence", "Appropriateness audit"),
            fb.establishment
        ),
        lines: std::iter::once(format!("{} · {}", lang.pick("Campagne", "Campaign"), fb.campaign))
            .chain(lines)
            .collect(),
        columns,
        rows,
        footer: lang
            .pick(
                "Conformité et IC 95 % de Wilson ; participants : établissements ayant au moins 10 cas applicables au critère (médiane et quartiles, type 7) · retour d'information CRAtb",
                "Conformity and 95 % Wilson CI; participants: establishments with at least 10 cases the criterion applies to (median and quartiles, type 7) · CRAtb feedback",
            )
            .to_string(),
        boxes: Vec::new(),
        bars: Some(bars),
        comments: Some(
            lang.pick(
                "Commentaires de l'EMA et actions proposées",
                "The EMA's comments and proposed actions",
            )
            .to_string(),
        ),
    }
    .render()
}

/// The report's file name: the FINESS and a slug of the establishment's name.
pub fn file_name(fb: &Feedback) -> String {
    let slug: String = geo::fold(&fb.establishment)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut slug = slug.trim_matches('-').to_string();
    while slug.contains("--") {
        slug = slug.replace("--", "-");
    }
    format!("retour-audit-{}-{}.pdf", fb.finess, slug)
}

/// Every establishment's report of a campaign in one ZIP, one PDF each.
pub fn reports_zip(feedbacks: &[Feedback], lang: Lang) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for fb in feedbacks {
        zip.start_file(file_name(fb), opts)?;
        zip.write_all(&report_pdf(fb, lang))?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_audit::benchmark::trend;
    use time::macros::date;

    fn row(group: &str, criterion: &str, n_applicable: u64, n_conform: u64) -> Row {
        Row {
            group: vec![group.to_string()],
            criterion: criterion.to_string(),
            n_applicable,
            n_conform,
        }
    }

    fn grid() -> Grid {
        Grid::from_json(cratb_audit::shipped::FILES[0].1).unwrap()
    }

    /// Five hospitals with the prophylaxis grid; `380780080` is the one reported on. Its rows,
    /// and the others', make the participants' distribution.
    fn sample(name: &str, finess: &str, previous: bool) -> Feedback {
        let grid = grid();
        let ruled: Vec<String> = grid
            .criteria
            .iter()
            .filter(|c| c.has_rule())
            .map(|c| c.code.clone())
            .chain(["all".to_string()])
            .collect();
        assert_eq!(ruled.len(), 7, "six criteria with a rule, then all");
        // Conform cases out of 40 per criterion, per establishment.
        let conform: [(&str, [u64; 7]); 5] = [
            (finess, [38, 20, 36, 12, 30, 10, 6]),
            ("690781810", [39, 36, 38, 30, 34, 28, 22]),
            ("010780054", [40, 34, 37, 32, 33, 30, 24]),
            ("420784878", [36, 30, 35, 28, 31, 26, 18]),
            ("260000021", [37, 38, 39, 36, 38, 35, 30]),
        ];
        let all_rows: Vec<Row> = conform
            .iter()
            .flat_map(|(f, ks)| {
                ruled
                    .iter()
                    .zip(ks)
                    .map(|(c, k)| row(f, c, 40, *k))
                    .collect::<Vec<_>>()
            })
            .collect();
        let spread = participants(&grid, &all_rows);
        let rows: Vec<Row> = all_rows
            .iter()
            .filter(|r| r.group == [finess])
            .cloned()
            .collect();
        let before: Vec<Row> = ruled
            .iter()
            .zip([30, 12, 30, 8, 25, 6, 3])
            .map(|(c, k)| row(finess, c, 40, k))
            .collect();
        Feedback {
            campaign: "Antibioprophylaxie 2026".into(),
            grid,
            period: (date!(2026 - 03 - 01), date!(2026 - 05 - 31)),
            establishment: name.into(),
            finess: finess.into(),
            rows,
            participants: spread,
            previous: previous.then(|| Previous {
                campaign: "Antibioprophylaxie 2025".into(),
                rows: before,
            }),
        }
    }

    #[test]
    fn one_bar_per_criterion_with_the_participants_median() {
        let fb = sample("CH de Voiron", "380780080", false);
        let svg = results_chart(&fb, Lang::Fr);
        assert_eq!(svg.matches(r#"<rect class="bar""#).count(), 7, "{svg}");
        assert_eq!(svg.matches(r#"<line class="median""#).count(), 7);
        assert_eq!(svg.matches(r#"<path class="ci""#).count(), 7);
        assert_eq!(svg.matches(r#"<rect class="quartiles""#).count(), 7);
        assert!(svg.contains("<title>Conformité par critère — CH de Voiron</title><desc>"));
        assert!(svg.contains(r#"viewBox="0 0 400 "#) && !svg.contains("width=\"400\""));
        // Its first criterion: 38 of 40, 95,0 %; the participants' 36, 37, 38, 39, 40 of 40:
        // median 38/40 = 95 %, Q1 37/40 = 92,5 %, Q3 39/40 = 97,5 %.
        assert!(
            svg.contains("Médiane des participants : 95,0\u{a0}% (5 établissements)"),
            "{svg}"
        );
        assert!(svg.contains(
            "<th scope=\"row\">L'acte figure dans la liste des indications d'antibioprophylaxie</th><td class=\"num\">40</td><td class=\"num\">38</td><td class=\"num\">95,0\u{a0}%</td>"
        ), "{svg}");
        assert!(
            svg.contains(
                r#"<td class="num">95,0</td><td class="num">92,5 – 97,5</td><td class="num">5</td>"#
            ),
            "{svg}"
        );
        // Long labels are shortened on the chart, whole in its title and table.
        assert!(
            svg.contains(">Réinjection faite si la durée de l'intervention…</text>"),
            "{svg}"
        );
        assert!(svg.contains(
            "<title>Réinjection faite si la durée de l'intervention dépasse 2 demi-vies : 75,0"
        ));
        let en = results_chart(&fb, Lang::En);
        assert!(en.contains("Participants' median : 95.0\u{a0}%"), "{en}");
        assert!(en.contains("<summary>Show data</summary>"));
    }

    #[test]
    fn the_criteria_most_below_the_median() {
        let fb = sample("CH de Voiron", "380780080", false);
        let below = fb.most_below(Lang::Fr);
        let got: Vec<(&str, f64)> = below
            .iter()
            .map(|b| (b.criterion.as_str(), b.gap))
            .collect();
        // Below the median: antibioprophylaxie_administree 20 vs median 34 of 40 (35 points),
        // delai 12 vs 30 (45 points), reinjection 30 vs 33 (7,5 points),
        // duree 10 vs 28 (45 points); molecule 36 vs 37 (2,5). The two 45s in the grid's order.
        assert_eq!(
            got,
            [
                ("delai_avant_incision_min", 45.0),
                ("duree_totale_heures", 45.0),
                ("antibioprophylaxie_administree", 35.0)
            ]
        );
    }

    #[test]
    fn the_report_is_a_pdf_with_the_establishment_and_its_comparison() {
        let fb = sample("CH de Voiron", "380780080", true);
        let pdf = report_pdf(&fb, Lang::Fr);
        assert!(pdf.starts_with(b"%PDF-"));
        let has = |t: &str| shows(&pdf, t);
        assert!(has("Audit de pertinence — CH de Voiron"));
        assert!(has("FINESS 380780080"));
        assert!(has("Commentaires de l'EMA et actions proposées"));
        assert!(has("du 01/03/2026 au 31/05/2026"));
        // The indication: 38/40 after 30/40, +20,0 points; pooled p = 68/80 = 0.85,
        // se = √(0.85 × 0.15 × 2/40) = 0.0798436, z = 0.2/0.0798436 = 2.5049, p = 0.0122.
        assert!(
            has("+20,0 (+4,2 à +35,6)"),
            "the difference in points with its interval"
        );
        assert!(has("(0,012)"));
        assert!(has("Campagne précédente"));
        assert!(has("Cas entièrement conformes : 15,0"));
        assert!(has(
            "Critères les plus en dessous de la médiane des participants"
        ));
        let en = report_pdf(&fb, Lang::En);
        assert!(shows(&en, "The EMA's comments and proposed actions"));
        assert!(shows(&en, "+20.0 (+4.2 to +35.6)"));
        // The bars' figures too are written in the report's language.
        assert!(!shows(&en, "95,0"));
        // Without a previous campaign, no comparison column.
        let alone = report_pdf(&sample("CH de Voiron", "380780080", false), Lang::Fr);
        assert!(shows(&alone, "Audit de pertinence — CH de Voiron"));
        assert!(!shows(&alone, "Campagne précédente"));
    }

    /// Whether the PDF's content shows `text` (pdf-writer writes ASCII strings as they are,
    /// the others in hexadecimal).
    fn shows(pdf: &[u8], text: &str) -> bool {
        let bytes = crate::pdf::win_ansi(text);
        let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        let find = |n: &[u8]| pdf.windows(n.len()).any(|w| w == n);
        find(&bytes) || find(hex.as_bytes())
    }

    #[test]
    fn differences_and_p_values_are_written_for_people() {
        let c = compare(&[row("A", "x", 60, 30)], &[row("A", "x", 60, 45)]);
        // 45/60 − 30/60: +25,0 points, Newcombe 7,7 to 40,3 (see cratb-audit's benchmark).
        assert_eq!(difference_label(&c[0], Lang::Fr), "+25,0 (+7,7 à +40,3)");
        assert_eq!(difference_label(&c[0], Lang::En), "+25.0 (+7.7 to +40.3)");
        assert_eq!(p_value(c[0].difference.unwrap().p_value, Lang::Fr), "0,005");
        assert_eq!(p_value(Some(0.0004), Lang::Fr), "< 0,001");
        assert_eq!(p_value(None, Lang::Fr), "—");
        let down = compare(&[row("A", "x", 60, 45)], &[row("A", "x", 60, 30)]);
        assert_eq!(difference_label(&down[0], Lang::Fr), "−25,0 (−40,3 à −7,7)");
    }

    #[test]
    fn a_trend_of_one_criterion() {
        let g = grid();
        let t = trend(&[
            ("2025".into(), vec![row("A", "all", 60, 30)]),
            ("2026".into(), vec![row("A", "all", 60, 45)]),
        ]);
        let svg = trend_chart(&g, "all", &t, Lang::Fr);
        assert!(svg.contains("Évolution — Tous les critères (cas entièrement conformes)"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(r#"<polygon class="band""#));
        assert!(
            svg.contains("2026 : 75,0\u{a0}% (45 / 60), IC 95 % 62,8 – 84,2"),
            "{svg}"
        );
    }

    #[test]
    fn a_campaign_s_reports_in_one_zip() {
        let all = vec![
            sample("CH de Voiron", "380780080", true),
            sample("Hôpital Privé « Les Cèdres »", "690781810", false),
        ];
        assert_eq!(
            file_name(&all[1]),
            "retour-audit-690781810-hopital-prive-les-cedres.pdf"
        );
        let bytes = reports_zip(&all, Lang::Fr).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 2);
        let mut names: Vec<String> = zip
            .file_names()
            .map(|n| n.map(String::from))
            .collect::<Result<_, _>>()
            .unwrap();
        names.sort();
        assert_eq!(
            names,
            [
                "retour-audit-380780080-ch-de-voiron.pdf",
                "retour-audit-690781810-hopital-prive-les-cedres.pdf"
            ]
        );
        let mut first = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_index(0).unwrap(), &mut first).unwrap();
        assert!(first.starts_with(b"%PDF-"));
    }

    #[test]
    fn every_establishment_s_feedback_from_the_cases() {
        let g = grid();
        let header = g
            .criteria
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>()
            .join(";");
        // Answers: date, type, indication, given, molecule, detail, delay, re-dosing, duration.
        let line = |id: usize, finess: &str, delay: u32| {
            format!(
                "{id};{finess};2026-03-02;orthopedie_traumatologie;oui;oui;cefazoline;;{delay};NA;24"
            )
        };
        let sheet =
            |lines: Vec<String>| format!("case_id;establishment;{header}\n{}\n", lines.join("\n"));
        let mut now: Vec<String> = (0..12).map(|i| line(i, "380780080", 30)).collect();
        now.extend((12..24).map(|i| line(i, "690781810", if i < 18 { 30 } else { 90 })));
        let now = cratb_audit::cases::read(sheet(now).as_bytes(), &g).unwrap();
        let before = cratb_audit::cases::read(
            sheet((0..10).map(|i| line(i, "380780080", 90)).collect()).as_bytes(),
            &g,
        )
        .unwrap();
        let all = campaign_feedbacks(
            &CampaignCases {
                title: "2026",
                grid: &g,
                cases: &now,
            },
            (date!(2026 - 03 - 01), date!(2026 - 05 - 31)),
            Some(&CampaignCases {
                title: "2025",
                grid: &g,
                cases: &before,
            }),
            |f| format!("Établissement {f}"),
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].establishment, "Établissement 380780080");
        let delay = all[0].row("delai_avant_incision_min").unwrap();
        assert_eq!((delay.n_applicable, delay.n_conform), (12, 12));
        // The participants: 100 % and 50 % on the delay, median 75 %.
        assert_eq!(
            all[1].spread("delai_avant_incision_min").unwrap().median,
            75.0
        );
        // Only the first took part before: 0 of 10 on time then.
        let previous = all[0].previous.as_ref().unwrap();
        assert_eq!(previous.campaign, "2025");
        let c = all[0].comparisons();
        let d = c
            .iter()
            .find(|c| c.criterion == "delai_avant_incision_min")
            .unwrap();
        assert_eq!((d.before, d.after), ((0, 10), (12, 12)));
        assert!(all[1].previous.is_none());
    }

    #[test]
    fn labels_are_shortened_at_a_word() {
        assert_eq!(shorten("court", 10), "court");
        assert_eq!(
            shorten(
                "Réinjection faite si la durée de l'intervention dépasse",
                30
            ),
            "Réinjection faite si la durée…"
        );
        assert_eq!(
            label(&grid(), "all", Lang::En),
            "All criteria (fully conform cases)"
        );
        assert_eq!(label(&grid(), "unknown", Lang::Fr), "unknown");
    }
}
