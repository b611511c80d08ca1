//! The advice service's figures for a region and a year (one team or all): tiles, requests by
//! month (a chart with its data folded under it), breakdowns by sector, profession,
//! department, site × question type and recommendation; CSV and XLSX downloads.

use super::minutes;
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::CsvParam;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::{Id, Query, Year};
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render};
use askama::Template;
use axum::extract::State;
use cratb_advice::stats::{AdviceStats, GroupRow};
use cratb_advice::{InfectionSite, QuestionType, Recommendation};
use cratb_domain::{Permission, Profession, Sector, User, geo};
use cratb_sheet::write::{Cell, Decimals, Table};
use serde::Deserialize;

/// The region a page looks at: the user's own; a national account picks one (the first region
/// by default).
pub fn region_of(auth: &Auth, user: &User, asked: Option<String>) -> Result<String, PageError> {
    match &user.region_code {
        Some(r) => Ok(r.clone()),
        None => match asked {
            Some(r) if geo::region(&r).is_some() => Ok(r),
            Some(_) => Err(PageError::NotFound(auth.lang)),
            None => Ok(geo::REGIONS
                .first()
                .map(|r| r.code.to_string())
                .unwrap_or_default()),
        },
    }
}

/// A breakdown line, for people.
pub struct Line {
    pub label: String,
    pub requests: u64,
    pub answered: u64,
    pub median: String,
    pub within: String,
    pub followed: String,
}

/// A table of the page: its title, its lines.
pub struct Breakdown {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "advice/stats.html")]
struct StatsPage {
    l: Layout,
    s: AdviceStats,
    year: i32,
    years: Vec<Opt>,
    teams: Vec<Opt>,
    regions: Vec<Opt>,
    median: String,
    p90: String,
    within: String,
    followed: String,
    chart: String,
    /// The departments shaded by their share of the requests, with the legend.
    map: Option<String>,
    legend: [(&'static str, &'static str); 6],
    breakdowns: Vec<Breakdown>,
    site_question: Vec<(&'static str, &'static str, u64)>,
    recommendations: Vec<(&'static str, u64)>,
    csv_href: String,
    csv_international_href: String,
    xlsx_href: String,
    can_ask: bool,
    can_answer: bool,
    can_stats: bool,
    can_rota: bool,
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    year: Option<Year>,
    team_id: Option<Id>,
    region: Option<String>,
    format: Option<String>,
    #[serde(flatten)]
    csv: CsvParam,
}

fn group_label(kind: &str, code: &str, lang: Lang) -> String {
    match kind {
        "sector" => Sector::parse(code).map_or(code.to_string(), |s| s.label(lang).to_string()),
        "profession" => Profession::parse(code).map_or_else(
            || match lang {
                Lang::Fr => "Non renseignée".to_string(),
                Lang::En => "Unknown".to_string(),
            },
            |p| p.label(lang).to_string(),
        ),
        "department" => {
            geo::department(code).map_or(code.to_string(), |d| format!("{code} — {}", d.name))
        }
        _ => InfectionSite::parse(code).map_or(code.to_string(), |s| s.label(lang).to_string()),
    }
}

fn lines(kind: &str, rows: &[GroupRow], lang: Lang) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            label: group_label(kind, &r.code, lang),
            requests: r.requests,
            answered: r.answered,
            median: minutes(r.median_minutes),
            within: percent(r.within_target, lang),
            followed: percent(r.followed_share, lang),
        })
        .collect()
}

/// A share (0–1) in percent, for people (`72,5 %`, `—`).
fn percent(x: Option<f64>, lang: Lang) -> String {
    cratb_report::format::percent(x.map(|v| v * 100.0), lang)
}

fn month_name(m: u8, lang: Lang) -> String {
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let i = usize::from(m.clamp(1, 12) - 1);
    match lang {
        Lang::Fr => FR[i].into(),
        Lang::En => EN[i].into(),
    }
}

fn number(x: Option<f64>, d: u8) -> Cell {
    x.map_or(Cell::Empty, |v| Cell::Number(v, Decimals::Fixed(d)))
}

/// The downloads: by month first (the CSV), then every breakdown (the workbook).
fn sheets(s: &AdviceStats, lang: Lang) -> Vec<Table> {
    let fr = lang == Lang::Fr;
    let month_head = if fr {
        vec![
            "mois",
            "demandes",
            "repondues",
            "delai_median_min",
            "delai_p90_min",
            "part_dans_delai",
        ]
    } else {
        vec![
            "month",
            "requests",
            "answered",
            "median_minutes",
            "p90_minutes",
            "within_target",
        ]
    };
    let mut out = vec![Table::new(
        if fr { "par_mois" } else { "by_month" },
        month_head,
        s.by_month
            .iter()
            .map(|m| {
                vec![
                    Cell::Integer(i64::from(m.month)),
                    Cell::Integer(m.requests as i64),
                    Cell::Integer(m.answered as i64),
                    number(m.median_minutes, 0),
                    number(m.p90_minutes, 0),
                    number(m.within_target, 3),
                ]
            })
            .collect(),
    )];
    let group_head = if fr {
        vec![
            "code",
            "libelle",
            "demandes",
            "repondues",
            "delai_median_min",
            "part_dans_delai",
            "part_suivis",
        ]
    } else {
        vec![
            "code",
            "label",
            "requests",
            "answered",
            "median_minutes",
            "within_target",
            "followed_share",
        ]
    };
    for (name, kind, rows) in [
        ("secteur", "sector", &s.by_sector),
        ("profession", "profession", &s.by_profession),
        ("departement", "department", &s.by_department),
        ("site", "site", &s.by_infection_site),
    ] {
        out.push(Table::new(
            if fr { name } else { kind },
            group_head.clone(),
            rows.iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.code.clone()),
                        Cell::Text(group_label(kind, &r.code, lang)),
                        Cell::Integer(r.requests as i64),
                        Cell::Integer(r.answered as i64),
                        number(r.median_minutes, 0),
                        number(r.within_target, 3),
                        number(r.followed_share, 3),
                    ]
                })
                .collect(),
        ));
    }
    out.push(Table::new(
        "site_question",
        if fr {
            vec!["site", "question", "demandes"]
        } else {
            vec!["site", "question", "requests"]
        },
        s.by_site_question
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.site.clone()),
                    Cell::Text(r.question.clone()),
                    Cell::Integer(r.requests as i64),
                ]
            })
            .collect(),
    ));
    out.push(Table::new(
        if fr {
            "recommandation"
        } else {
            "recommendation"
        },
        if fr {
            vec!["recommandation", "demandes"]
        } else {
            vec!["recommendation", "requests"]
        },
        s.by_recommendation
            .iter()
            .map(|r| vec![Cell::Text(r.code.clone()), Cell::Integer(r.requests as i64)])
            .collect(),
    ));
    out
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let lang = auth.lang;
    let tr = lang.tr();
    let (user, _) = auth.page_user()?;
    let region = region_of(&auth, user, non_empty(&q.region))?;
    let access = crate::pages::region_access(&auth, &region)?;
    let this_year = cratb_domain::paris::today(cratb_store::now()).year();
    let year = q.year.map_or(this_year, |y| i32::from(y.get()));
    let teams = cratb_store::advice::team_names(&state.db, &access)
        .await
        .map_err(PageError::store(lang))?;
    let team_id = q.team_id.map(Id::get);
    if team_id.is_some_and(|t| !teams.iter().any(|(id, _)| *id == t)) {
        return Err(PageError::NotFound(lang));
    }
    let s = cratb_app::advice::stats(&state.db, &access, year, team_id)
        .await
        .map_err(PageError::app(lang))?;
    if let Some(format) = non_empty(&q.format) {
        return crate::export::download(
            &format!("avis-{region}-{year}"),
            &format,
            q.csv,
            sheets(&s, lang),
            lang,
        );
    }
    let mut years = cratb_store::advice::years(&state.db, &access)
        .await
        .map_err(PageError::store(lang))?;
    years.push(this_year);
    years.push(year);
    years.sort_unstable();
    years.dedup();
    years.reverse();
    let bars: Vec<String> = s
        .by_month
        .iter()
        .map(|m| month_name(m.month, lang))
        .collect();
    let chart = cratb_report::charts::stacked_bars(
        lang,
        tr.advice_by_month,
        &bars,
        &[
            cratb_report::charts::Stack {
                name: tr.advice_answered_n.to_string(),
                values: s.by_month.iter().map(|m| m.answered as f64).collect(),
            },
            cratb_report::charts::Stack {
                name: match lang {
                    Lang::Fr => "Sans réponse".to_string(),
                    Lang::En => "Unanswered".to_string(),
                },
                values: s
                    .by_month
                    .iter()
                    .map(|m| m.requests.saturating_sub(m.answered) as f64)
                    .collect(),
            },
        ],
    );
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("year", &year.to_string());
    if let Some(t) = team_id {
        query.append_pair("team_id", &t.to_string());
    }
    if user.region_code.is_none() {
        query.append_pair("region", &region);
    }
    let base = format!("/advice/stats?{}", query.finish());
    let shades: Vec<cratb_report::map::Shade> = geo::departments_of(&region)
        .map(|d| {
            let n = s
                .by_department
                .iter()
                .find(|r| r.code == d.code)
                .map_or(0, |r| r.requests);
            let share = (s.requests > 0).then(|| n as f64 * 100.0 / s.requests as f64);
            cratb_report::map::Shade {
                code: d.code.to_string(),
                title: format!(
                    "{} — {} : {}",
                    d.code,
                    d.name,
                    crate::i18n::counted(n as i64, tr.advice_found, lang)
                ),
                fill: cratb_report::map::share_colour(share),
                href: None,
            }
        })
        .collect();
    let map = cratb_report::map::departments_svg(&shades, 560.0, tr.advice_by_department);
    let breakdowns = vec![
        Breakdown {
            id: "by-sector",
            title: tr.advice_by_sector,
            lines: lines("sector", &s.by_sector, lang),
        },
        Breakdown {
            id: "by-profession",
            title: tr.advice_by_profession,
            lines: lines("profession", &s.by_profession, lang),
        },
        Breakdown {
            id: "by-department",
            title: tr.advice_by_department,
            lines: lines("department", &s.by_department, lang),
        },
        Breakdown {
            id: "by-site",
            title: tr.advice_site,
            lines: lines("site", &s.by_infection_site, lang),
        },
    ];
    let site_question = s
        .by_site_question
        .iter()
        .map(|r| {
            (
                InfectionSite::parse(&r.site).map_or("", |x| x.label(lang)),
                QuestionType::parse(&r.question).map_or("", |x| x.label(lang)),
                r.requests,
            )
        })
        .collect();
    let recommendations = s
        .by_recommendation
        .iter()
        .map(|r| {
            (
                Recommendation::parse(&r.code).map_or("", |x| x.label(lang)),
                r.requests,
            )
        })
        .collect();
    Ok(render(&StatsPage {
        l: Layout::new(&auth, tr.advice_stats),
        year,
        years: options(
            years.iter().map(|y| (y.to_string(), y.to_string())),
            &year.to_string(),
        ),
        teams: options(
            teams.iter().map(|(id, n)| (id.to_string(), n.clone())),
            &team_id.map(|t| t.to_string()).unwrap_or_default(),
        ),
        regions: if user.region_code.is_none() {
            options(
                geo::REGIONS.iter().map(|r| (r.code, r.name)),
                region.as_str(),
            )
        } else {
            Vec::new()
        },
        median: minutes(s.median_minutes),
        p90: minutes(s.p90_minutes),
        within: percent(s.within_target, lang),
        followed: percent(s.followed_share, lang),
        chart,
        map,
        legend: cratb_report::map::share_legend(),
        breakdowns,
        site_question,
        recommendations,
        csv_international_href: crate::export::international(&format!("{base}&format=csv")),
        csv_href: format!("{base}&format=csv"),
        xlsx_href: format!("{base}&format=xlsx"),
        s,
        can_ask: auth.can(Permission::AskAdvice),
        can_answer: auth.can(Permission::AnswerAdvice),
        can_stats: auth.can(Permission::ViewAdviceStats),
        can_rota: auth.can(Permission::EditTeam),
    }))
}
