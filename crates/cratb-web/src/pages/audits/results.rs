//! A campaign's results: per criterion with a rule, the cases it applies to, those conform,
//! the share and its 95 % interval, then `all`; for the region and for each participant (by
//! name, or anonymous but for one's own for a referent); as a page, a CSV or an XLSX file.
//! The page is laid out in sections, so that charts, the participants' spread and the reports
//! can be added beside the tables.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::CsvParam;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::{Path, Query};
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_app::audits::CampaignResults;
use cratb_audit::Grid;
use cratb_audit::results::Row;
use cratb_report::format;
use cratb_sheet::write::{Cell, Decimals, Table};

/// One criterion's (or `all`'s) figures, as the page writes them.
pub struct Line {
    pub code: String,
    pub label: String,
    pub applicable: u64,
    pub conform: u64,
    pub pct: String,
    pub ci: String,
    pub all: bool,
}

impl Line {
    fn of(r: &Row, grid: &Grid, lang: Lang) -> Line {
        let all = r.criterion == "all";
        let label = if all {
            lang.tr().au_all.to_string()
        } else {
            grid.criterion(&r.criterion)
                .map(|c| lang.pick(&c.label_fr, &c.label_en).clone())
                .unwrap_or_else(|| r.criterion.clone())
        };
        Line {
            code: r.criterion.clone(),
            label,
            applicable: r.n_applicable,
            conform: r.n_conform,
            pct: format::percent(r.pct(), lang),
            ci: r.interval().map_or("—".into(), |(a, b)| {
                format!(
                    "{} – {}",
                    format::decimal(Some(a), lang),
                    format::percent(Some(b), lang)
                )
            }),
            all,
        }
    }
}

/// A participant's section.
pub struct PlaceSection {
    pub label: String,
    pub finess: Option<String>,
    pub own: bool,
    /// Its feedback page, where this person may read it.
    pub href: Option<String>,
    pub lines: Vec<Line>,
}

/// A group's section (a category of establishments, a department).
pub struct GroupSection {
    pub label: String,
    pub lines: Vec<Line>,
}

/// The words of the sections added around the tables.
pub struct Words {
    pub chart: &'static str,
    pub median: &'static str,
    pub feedback: &'static str,
    pub zip: &'static str,
    pub by_category: &'static str,
    pub by_department: &'static str,
    pub since: &'static str,
    pub trend: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        let p = |fr, en| lang.pick(fr, en);
        Words {
            chart: p(
                "La région par critère : le pourcentage conforme et son intervalle de confiance à 95 %, la médiane des établissements participants (ayant au moins 10 dossiers concernés) et leurs quartiles.",
                "The region per criterion: the share conform with its 95 % confidence interval, the median of the participating establishments (with at least 10 applicable cases) and their quartiles.",
            ),
            median: p("Médiane des établissements", "Establishments' median"),
            feedback: p("Retour détaillé", "Detailed feedback"),
            zip: p("Tous les rapports (ZIP)", "Every report (ZIP)"),
            by_category: p(
                "Par catégorie d'établissement",
                "By category of establishment",
            ),
            by_department: p("Par département", "By department"),
            since: p(
                "Depuis la campagne précédente",
                "Since the previous campaign",
            ),
            trend: p(
                "Dossiers entièrement conformes, campagne après campagne",
                "Cases conform on every criterion, campaign after campaign",
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "audits/results.html")]
struct ResultsPage {
    l: Layout,
    id: i64,
    grid: String,
    cases: usize,
    /// Each line of the region with the participants' median.
    region: Vec<(Line, String)>,
    chart: String,
    zip: bool,
    places: Vec<PlaceSection>,
    groups: Vec<(&'static str, Vec<GroupSection>)>,
    since: Option<(String, Vec<super::feedback::Change>)>,
    trend: String,
    t: Words,
}

async fn load(state: &AppState, auth: &Auth, id: i64) -> Result<CampaignResults, PageError> {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    cratb_app::audits::results(&state.db, &actor, user, id, cratb_store::now())
        .await
        .map_err(PageError::app(auth.lang))
}

/// `GET /audits/campaigns/{id}/results`.
pub async fn page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let lang = auth.lang;
    let r = load(&state, &auth, id).await?;
    let grid = &r.view.grid;
    let lines = |rows: &[Row]| rows.iter().map(|x| Line::of(x, grid, lang)).collect();
    // The region drawn as an establishment is: its bars against the participants' spread.
    let region_fb = cratb_report::audit::Feedback {
        campaign: r.view.campaign.title.clone(),
        grid: grid.clone(),
        period: (r.view.campaign.starts_on, r.view.campaign.ends_on),
        establishment: lang.tr().au_region_results.to_string(),
        finess: String::new(),
        rows: r.region.clone(),
        participants: r.spread.clone(),
        previous: None,
    };
    let region = r
        .region
        .iter()
        .map(|row| {
            let median = format::percent(
                r.spread
                    .iter()
                    .find(|s| s.criterion == row.criterion)
                    .and_then(|s| s.distribution.as_ref())
                    .map(|d| d.median),
                lang,
            );
            (Line::of(row, grid, lang), median)
        })
        .collect();
    let group = |rows: &[Row], name: &dyn Fn(&str) -> String| -> Vec<GroupSection> {
        let mut keys: Vec<&str> = rows.iter().map(|x| x.group[0].as_str()).collect();
        keys.dedup();
        keys.into_iter()
            .map(|k| GroupSection {
                label: name(k),
                lines: lines(
                    &rows
                        .iter()
                        .filter(|x| x.group[0] == k)
                        .cloned()
                        .collect::<Vec<_>>(),
                ),
            })
            .collect()
    };
    let t = Words::of(lang);
    let trend = if r.trend.iter().filter(|x| x.criterion == "all").count() > 1 {
        let all: Vec<_> = r
            .trend
            .iter()
            .filter(|x| x.criterion == "all")
            .cloned()
            .collect();
        cratb_report::audit::trend_chart(grid, "all", &all, lang)
    } else {
        String::new()
    };
    Ok(render(&ResultsPage {
        l: Layout::new(
            &auth,
            &format!("{} — {}", lang.tr().au_results, r.view.campaign.title),
        ),
        id,
        grid: format!("{} v{}", grid.code, grid.version),
        cases: r.cases,
        region,
        chart: if r.cases == 0 {
            String::new()
        } else {
            cratb_report::audit::results_chart(&region_fb, lang)
        },
        zip: r.names_shown && r.cases > 0,
        places: r
            .places
            .iter()
            .map(|p| PlaceSection {
                label: p.label.clone(),
                finess: p.finess.clone(),
                own: p.own,
                href: (p.finess.is_some() && !p.rows.is_empty())
                    .then(|| format!("/audits/campaigns/{id}/feedback/{}", p.establishment_id)),
                lines: lines(&p.rows),
            })
            .collect(),
        groups: vec![
            (
                t.by_category,
                group(&r.by_category, &|k| {
                    cratb_domain::Category::parse(k).map_or(k.to_string(), |c| c.label(lang).into())
                }),
            ),
            (
                t.by_department,
                group(&r.by_department, &|k| {
                    cratb_domain::geo::department(k)
                        .map_or(k.to_string(), |d| format!("{k} — {}", d.name))
                }),
            ),
        ]
        .into_iter()
        .filter(|(_, g)| g.len() > 1)
        .collect(),
        since: r.since.as_ref().map(|s| {
            (
                s.campaign.title.clone(),
                s.region
                    .iter()
                    .map(|c| super::feedback::Change::of(c, grid, lang))
                    .collect(),
            )
        }),
        trend,
        t,
    }))
}

/// The results as one table: the region's rows, then each participant's.
fn table(r: &CampaignResults) -> Table {
    let pct = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v, Decimals::Fixed(2)));
    let line = |who: &str, finess: &str, row: &Row| {
        let ci = row.interval();
        vec![
            Cell::Text(who.to_string()),
            Cell::Text(finess.to_string()),
            Cell::Text(row.criterion.clone()),
            Cell::Integer(row.n_applicable as i64),
            Cell::Integer(row.n_conform as i64),
            pct(row.pct()),
            pct(ci.map(|c| c.0)),
            pct(ci.map(|c| c.1)),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = r.region.iter().map(|x| line("region", "", x)).collect();
    for p in &r.places {
        let finess = p.finess.clone().unwrap_or_default();
        rows.extend(p.rows.iter().map(|x| line(&p.label, &finess, x)));
    }
    Table::new(
        "resultats",
        [
            "participant",
            "finess",
            "criterion",
            "n_applicable",
            "n_conform",
            "pct_conform",
            "ci_low",
            "ci_high",
        ],
        rows,
    )
}

/// `GET /audits/campaigns/{id}/results.csv` and `.xlsx`.
async fn download(
    state: &AppState,
    auth: &Auth,
    id: i64,
    format: &str,
    style: CsvParam,
) -> PageResult {
    let r = load(state, auth, id).await?;
    crate::export::download(
        &format!("audit-{}-resultats", r.view.grid.code),
        format,
        style,
        [table(&r)],
        auth.lang,
    )
}

/// `GET /audits/campaigns/{id}/results.csv`.
pub async fn csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(style): Query<CsvParam>,
) -> PageResult {
    download(&state, &auth, id, "csv", style).await
}

/// `GET /audits/campaigns/{id}/results.xlsx`.
pub async fn xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(style): Query<CsvParam>,
) -> PageResult {
    download(&state, &auth, id, "xlsx", style).await
}
