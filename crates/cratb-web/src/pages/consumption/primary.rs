//! Primary care (ville): DDD per 1000 inhabitants per day and prescriptions per 1000
//! inhabitants per year for the region, its departments and its CPTS; the twelve ESAC-Net
//! quality indicators and the AWaRe shares of the territory chosen; the imports of
//! dispensations (cratb's layout or the open-data one) and of populations.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::download;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query, Year};
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render_status};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_consumption::hospital::{Period, Problem};
use cratb_consumption::indicators::{self, AwareTable, EsacIndicators, MonthlyDdd};
use cratb_consumption::peers::change;
use cratb_consumption::primary::{self, population, rows_of, year_of};
use cratb_domain::Lang;
use cratb_domain::{Permission, geo};
use cratb_report::charts;
use cratb_report::format::{self, decimal};
use cratb_sheet::write::{Cell, Table};
use cratb_store::primary_care::{self, OpenDataFile, PrimaryImportError};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrimaryQuery {
    region: Option<String>,
    year: Option<Year>,
    territory: Option<String>,
}

pub struct TerritoryLine {
    pub key: String,
    pub name: String,
    pub population: String,
    pub did: String,
    pub prescriptions: String,
    pub vs_region: String,
}

pub struct EsacLine {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
}

fn esac_lines(e: &EsacIndicators, lang: Lang) -> Vec<EsacLine> {
    let did = lang.pick("DDJ/1000 habitants/jour", "DDD/1000 inhabitants/day");
    let l = |fr: &'static str, english: &'static str| lang.pick(fr, english);
    vec![
        EsacLine {
            label: l(
                "J01 — antibactériens (total)",
                "J01 — antibacterials (total)",
            ),
            value: decimal(e.j01_did, lang),
            unit: did,
        },
        EsacLine {
            label: l("J01C — pénicillines", "J01C — penicillins"),
            value: decimal(e.j01c_did, lang),
            unit: did,
        },
        EsacLine {
            label: l(
                "J01D — céphalosporines et autres bêta-lactamines",
                "J01D — cephalosporins and other beta-lactams",
            ),
            value: decimal(e.j01d_did, lang),
            unit: did,
        },
        EsacLine {
            label: l(
                "J01F — macrolides, lincosamides, streptogramines",
                "J01F — macrolides, lincosamides, streptogramins",
            ),
            value: decimal(e.j01f_did, lang),
            unit: did,
        },
        EsacLine {
            label: l("J01M — quinolones", "J01M — quinolones"),
            value: decimal(e.j01m_did, lang),
            unit: did,
        },
        EsacLine {
            label: l(
                "Part des pénicillines sensibles aux bêta-lactamases (J01CE)",
                "Share of beta-lactamase-sensitive penicillins (J01CE)",
            ),
            value: decimal(e.j01ce_pct, lang),
            unit: "%",
        },
        EsacLine {
            label: l(
                "Part des associations avec inhibiteur (J01CR)",
                "Share of combinations with inhibitors (J01CR)",
            ),
            value: decimal(e.j01cr_pct, lang),
            unit: "%",
        },
        EsacLine {
            label: l(
                "Part des céphalosporines de 3e et 4e génération (J01DD+J01DE)",
                "Share of 3rd and 4th generation cephalosporins (J01DD+J01DE)",
            ),
            value: decimal(e.j01dd_de_pct, lang),
            unit: "%",
        },
        EsacLine {
            label: l(
                "Part des fluoroquinolones (J01MA)",
                "Share of fluoroquinolones (J01MA)",
            ),
            value: decimal(e.j01ma_pct, lang),
            unit: "%",
        },
        EsacLine {
            label: l(
                "Rapport large / étroit spectre",
                "Broad / narrow spectrum ratio",
            ),
            value: decimal(e.broad_narrow_ratio, lang),
            unit: "",
        },
        EsacLine {
            label: l("Variation saisonnière J01", "Seasonal variation J01"),
            value: decimal(e.j01_seasonal_variation, lang),
            unit: "%",
        },
        EsacLine {
            label: l("Variation saisonnière J01M", "Seasonal variation J01M"),
            value: decimal(e.j01m_seasonal_variation, lang),
            unit: "%",
        },
    ]
}

#[derive(Default)]
struct Notice {
    imported: Option<String>,
    problems: Vec<(&'static str, Problem)>,
    total: usize,
}

#[derive(Template)]
#[template(path = "consumption/primary.html")]
struct PrimaryPage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    years: Vec<Opt>,
    territories: Vec<Opt>,
    query: String,
    empty: bool,
    year: i32,
    territory_name: String,
    lines: Vec<TerritoryLine>,
    esac: Vec<EsacLine>,
    aware: Vec<(&'static str, String)>,
    trend: String,
    target_note: String,
    monthly: String,
    breakdown: Vec<(&'static str, Vec<(String, String)>)>,
    can_import: bool,
    imported: Option<String>,
    problems: Vec<(&'static str, Problem)>,
    problems_total: usize,
    editions: String,
    /// Said when the year's dispensations cover part of it only.
    coverage: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    region: String,
    q: PrimaryQuery,
    notice: Notice,
) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    // Primary care is the region's: a referent, bound to an establishment, has no access.
    if user.role() == cratb_domain::Role::Referent {
        return Err(PageError::Forbidden(auth.lang));
    }
    let data = primary_care::data(&state.db, &crate::pages::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?;
    let years: BTreeSet<i32> = data.ddd.iter().map(|r| r.year).collect();
    let year = q
        .year
        .map(|y| i32::from(y.get()))
        .filter(|y| years.contains(y))
        .or(years.last().copied())
        .unwrap_or(2025);
    let territory = non_empty(&q.territory)
        .filter(|t| data.names.contains_key(t))
        .unwrap_or_else(|| "region".into());
    let region_year = year_of(&data, "region", year);
    let region_did = region_year.as_ref().and_then(|t| t.did());
    let whole_year = indicators::days_covered([Period { year, month: None }], year);
    let coverage = region_year
        .as_ref()
        .filter(|t| t.days < whole_year)
        .map(|t| {
            let days = t.days;
            lang.pick(
                format!(
                    "{year} : les délivrances couvrent {days} jours de l'année ; les DDJ/1000 habitants/jour sont calculées sur ces jours."
                ),
                format!(
                    "{year}: the dispensations cover {days} days of the year; DDD per 1000 inhabitants per day are over those days."
                ),
            )
        });
    // The region first, then its departments and CPTS.
    let mut keys: Vec<(&String, &String)> = data.names.iter().collect();
    keys.sort_by_key(|(k, _)| *k != "region");
    let lines = keys
        .into_iter()
        .filter_map(|(key, name)| {
            let t = year_of(&data, key, year)?;
            Some(TerritoryLine {
                key: key.clone(),
                name: name.clone(),
                population: t
                    .population
                    .map_or("—".into(), |p| cratb_report::format::thousands(p, lang)),
                did: decimal(t.did(), lang),
                prescriptions: decimal(t.prescriptions_per_1000(), lang),
                vs_region: if key == "region" {
                    String::new()
                } else {
                    format::change(change(region_did, t.did()), lang)
                },
            })
        })
        .collect();
    let rows = rows_of(&data, &territory);
    let inhabitants = population(&data, &territory, year).unwrap_or(0.0);
    let esac = indicators::esac(&rows, inhabitants, year);
    let this_year: Vec<MonthlyDdd> = rows
        .iter()
        .filter(|r| r.period.year == year)
        .cloned()
        .collect();
    let aware_table = AwareTable::embedded();
    let shares = indicators::aware_shares(&this_year, &aware_table);
    let pct = |x: Option<f64>| x.map_or("—".into(), |v| format!("{} %", decimal(Some(v), lang)));
    let aware = vec![
        (lang.pick("Accès", "Access"), pct(shares.access)),
        ("Watch", pct(shares.watch)),
        (lang.pick("Réserve", "Reserve"), pct(shares.reserve)),
        (
            lang.pick("Non classés", "Unclassified"),
            pct(shares.unclassified),
        ),
    ];
    let target = cratb_store::consumption::target(
        &state.db,
        &crate::pages::region_access(auth, &region)?,
        "VILLE",
        "J01",
    )
    .await
    .map_err(PageError::store(auth.lang))?;
    let points: Vec<(i32, Option<f64>)> = years
        .iter()
        .map(|y| (*y, year_of(&data, &territory, *y).and_then(|t| t.did())))
        .collect();
    let unit = lang.pick("DDJ/1000 habitants/jour", "DDD/1000 inhabitants/day");
    let (trend, target_note) =
        cratb_report::consumption::trend_chart(&points, &target, lang, &format!("J01 — {unit}"));
    // Month by month, where months are given.
    let monthly_points: Vec<(String, Option<f64>)> = primary::monthly_did(&data, &territory)
        .into_iter()
        .map(|(y, m, did)| (format!("{m:02}/{}", y % 100), did))
        .collect();
    let monthly = if monthly_points.is_empty() {
        String::new()
    } else {
        charts::line(
            lang.pick("Mois par mois", "Month by month"),
            &monthly_points,
            &[],
        )
    };
    let mut breakdown = Vec::new();
    for (what, fr, english) in [
        ("age", "Âge", "Age"),
        ("sex", "Sexe", "Sex"),
        ("prescriber", "Prescripteur", "Prescriber"),
    ] {
        let rows: Vec<&(String, i32, &str, String, f64)> = data
            .breakdown
            .iter()
            .filter(|b| b.0 == territory && b.1 == year && b.2 == what)
            .collect();
        let total: f64 = rows.iter().map(|b| b.4).sum();
        if total > 0.0 {
            breakdown.push((
                lang.pick(fr, english),
                rows.iter()
                    .map(|b| {
                        (
                            b.3.clone(),
                            format!("{} %", decimal(Some(100.0 * b.4 / total), lang)),
                        )
                    })
                    .collect(),
            ));
        }
    }
    let q_string = serde_urlencoded::to_string([
        ("region", region.as_str()),
        ("year", &year.to_string()),
        ("territory", territory.as_str()),
    ])
    .unwrap_or_default();
    let status = if notice.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PrimaryPage {
        l: Layout::new(auth, auth.lang.tr().con_primary),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: super::region_options(auth, &region),
        years: options(
            years.iter().rev().map(|y| (y.to_string(), y.to_string())),
            &year.to_string(),
        ),
        territories: options(
            data.names.iter().map(|(k, n)| (k.as_str(), n.as_str())),
            &territory,
        ),
        query: q_string,
        empty: data.ddd.is_empty(),
        year,
        territory_name: data.names.get(&territory).cloned().unwrap_or_default(),
        lines,
        esac: esac_lines(&esac, lang),
        aware,
        trend,
        target_note,
        monthly,
        breakdown,
        can_import: auth.can(Permission::ImportConsumption),
        imported: notice.imported,
        problems: notice.problems,
        problems_total: notice.total,
        editions: format!(
            "ESAC-Net (Adriaenssens et al., BMJ Qual Saf 2011) · {}",
            aware_table.edition
        ),
        coverage,
        region,
    };
    Ok(render_status(&page, status))
}

pub async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PrimaryQuery>,
) -> PageResult {
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    page(&state, &auth, region, q, Notice::default()).await
}

/// The ESAC-Net indicators of every territory for the year, as CSV or XLSX.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(format): Path<String>,
    Query(q): Query<PrimaryQuery>,
) -> PageResult {
    let (user, _) = auth.page_user()?;
    if user.role() == cratb_domain::Role::Referent {
        return Err(PageError::Forbidden(auth.lang));
    }
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    let data = primary_care::data(&state.db, &crate::pages::region_access(&auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?;
    let year = q
        .year
        .map(|y| i32::from(y.get()))
        .or(data.ddd.iter().map(|r| r.year).max())
        .unwrap_or(2025);
    let mut rows = Vec::new();
    for (key, name) in &data.names {
        let Some(t) = year_of(&data, key, year) else {
            continue;
        };
        let e = indicators::esac(
            &rows_of(&data, key),
            population(&data, key, year).unwrap_or(0.0),
            year,
        );
        let mut row = vec![
            Cell::from(name.as_str()),
            Cell::Integer(year.into()),
            Cell::from(t.population),
            Cell::from(Some(t.ddd)),
            Cell::from(t.prescriptions_per_1000()),
        ];
        row.extend(
            [
                e.j01_did,
                e.j01c_did,
                e.j01d_did,
                e.j01f_did,
                e.j01m_did,
                e.j01ce_pct,
                e.j01cr_pct,
                e.j01dd_de_pct,
                e.j01ma_pct,
                e.broad_narrow_ratio,
                e.j01_seasonal_variation,
                e.j01m_seasonal_variation,
            ]
            .map(Cell::from),
        );
        rows.push(row);
    }
    let sheets = [Table::new(
        "Ville",
        [
            "territoire",
            "annee",
            "population",
            "ddj_j01",
            "prescriptions_1000_hab",
            "j01_did",
            "j01c_did",
            "j01d_did",
            "j01f_did",
            "j01m_did",
            "j01ce_pct",
            "j01cr_pct",
            "j01dd_de_pct",
            "j01ma_pct",
            "large_etroit",
            "saison_j01",
            "saison_j01m",
        ],
        rows,
    )];
    download(
        &format!("ville-{region}-{year}"),
        &format,
        sheets,
        auth.lang,
    )
}

/// A dispensation file (with, for the open-data layout, its year and DDD per pack), or a
/// population file.
pub async fn upload(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut u = crate::pages::Upload::read(form, &["file", "packs"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let (region, kind, year) = (u.text("region"), u.text("kind"), u.text("year"));
    let file = u.take_file("file", "fichier");
    let packs = u.take_file("packs", "").map(|(_, bytes)| bytes);
    let region = super::asked_region(&state, &auth, Some(&region)).await?;
    let q = PrimaryQuery {
        region: Some(region.clone()),
        ..PrimaryQuery::default()
    };
    let refused = |problems: Vec<(&'static str, Problem)>| Notice {
        total: problems.len(),
        problems: problems.into_iter().take(200).collect(),
        ..Notice::default()
    };
    let Some((filename, bytes)) = file else {
        let p = Problem {
            line: 0,
            column: String::new(),
            value: String::new(),
            message: lang.tr().con_primary_no_file.into(),
        };
        return page(&state, &auth, region, q, refused(vec![("", p)])).await;
    };
    let actor = auth.actor(user, scope.clone());
    let outcome = if kind == "populations" {
        cratb_app::consumption::import_populations(&state.db, &actor, &region, &filename, &bytes)
            .await
    } else {
        let open_data = match (year.trim(), &packs) {
            ("", None) => None,
            (y, Some(p)) => match y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)) {
                Some(y) => Some(OpenDataFile { year: y, packs: p }),
                None => {
                    let p = Problem {
                        line: 0,
                        column: "year".into(),
                        value: y.into(),
                        message: "année sur quatre chiffres attendue pour un fichier open data"
                            .into(),
                    };
                    return page(&state, &auth, region, q, refused(vec![("", p)])).await;
                }
            },
            (_, None) => {
                let p = Problem {
                    line: 0,
                    column: "packs".into(),
                    value: String::new(),
                    message: "table des DDJ par boîte attendue pour un fichier open data".into(),
                };
                return page(&state, &auth, region, q, refused(vec![("", p)])).await;
            }
        };
        cratb_app::consumption::import_dispensations(
            &state.db, &actor, &region, &filename, &bytes, open_data,
        )
        .await
        .map(|(_, summary)| summary)
    };
    match outcome {
        Ok(summary) => {
            let notice = Notice {
                imported: Some(summary),
                ..Notice::default()
            };
            page(&state, &auth, region, q, notice).await
        }
        Err(PrimaryImportError::Invalid(list)) => {
            page(&state, &auth, region, q, refused(list)).await
        }
        Err(PrimaryImportError::Store(e)) => Err(PageError::store(lang)(e)),
    }
}
