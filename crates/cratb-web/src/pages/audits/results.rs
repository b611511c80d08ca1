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
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "audits/results.html")]
struct ResultsPage {
    l: Layout,
    id: i64,
    grid: String,
    cases: usize,
    region: Vec<Line>,
    places: Vec<PlaceSection>,
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
    Ok(render(&ResultsPage {
        l: Layout::new(
            &auth,
            &format!("{} — {}", lang.tr().au_results, r.view.campaign.title),
        ),
        id,
        grid: format!("{} v{}", grid.code, grid.version),
        cases: r.cases,
        region: r.region.iter().map(|x| Line::of(x, grid, lang)).collect(),
        places: r
            .places
            .iter()
            .map(|p| PlaceSection {
                label: p.label.clone(),
                finess: p.finess.clone(),
                own: p.own,
                lines: p.rows.iter().map(|x| Line::of(x, grid, lang)).collect(),
            })
            .collect(),
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
