//! An establishment's feedback of a campaign (`/audits/campaigns/{id}/feedback/{e}`): its
//! conformity per criterion against the participants' median and quartiles (a chart and its
//! table), the criteria most below the median, the change since its previous campaign of the
//! grid, the re-audit of the actions its plan aimed at a criterion; its PDF report, and every
//! participant's report of a campaign in a ZIP for those who see them by name.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::attachment;
use crate::input::Path;
use crate::pages::{Layout, PageResult, render};
use askama::Template;
use axum::extract::State;
use cratb_app::audits::EstablishmentResults;
use cratb_audit::benchmark::Comparison;
use cratb_domain::{Lang, Permission};
use cratb_report::audit::{self as report, difference_label, label, p_value};
use cratb_report::format;

/// A criterion of the establishment against the participants.
pub struct Line {
    pub code: String,
    pub label: String,
    pub applicable: u64,
    pub pct: String,
    pub ci: String,
    pub median: String,
    pub quartiles: String,
    pub participants: String,
    pub all: bool,
}

/// A criterion then and now.
pub struct Change {
    pub label: String,
    pub before: String,
    pub after: String,
    pub difference: String,
    pub p: String,
}

impl Change {
    pub fn of(c: &Comparison, grid: &cratb_audit::Grid, lang: Lang) -> Change {
        let share = |(k, n): (u64, u64)| {
            if n == 0 {
                "—".to_string()
            } else {
                format!(
                    "{} ({k}/{n})",
                    format::percent(Some(100.0 * k as f64 / n as f64), lang)
                )
            }
        };
        Change {
            label: label(grid, &c.criterion, lang),
            before: share(c.before),
            after: share(c.after),
            difference: difference_label(c, lang),
            p: p_value(c.difference.as_ref().and_then(|d| d.p_value), lang),
        }
    }
}

/// An action of the previous plan and its criterion before and after.
pub struct Reaudit {
    pub plan_id: i64,
    pub action: String,
    pub status: &'static str,
    pub change: Option<Change>,
}

#[derive(Template)]
#[template(path = "audits/feedback.html")]
struct FeedbackPage {
    l: Layout,
    id: i64,
    establishment_id: i64,
    establishment: String,
    finess: String,
    period: String,
    chart: String,
    lines: Vec<Line>,
    below: Vec<(String, String, String)>,
    previous: Option<String>,
    changes: Vec<Change>,
    reaudit: Vec<Reaudit>,
    may_plan: bool,
    empty: bool,
    t: Words,
}

/// The page's own words.
pub struct Words {
    pub against: &'static str,
    pub criterion: &'static str,
    pub applicable: &'static str,
    pub pct: &'static str,
    pub ci: &'static str,
    pub median: &'static str,
    pub quartiles: &'static str,
    pub participants: &'static str,
    pub below: &'static str,
    pub none_below: &'static str,
    pub since: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub difference: &'static str,
    pub reaudit: &'static str,
    pub reaudit_help: &'static str,
    pub action: &'static str,
    pub report: &'static str,
    pub plan: &'static str,
    pub results: &'static str,
    pub empty: &'static str,
    pub points_below: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        let p = |fr, en| lang.pick(fr, en);
        Words {
            against: p(
                "Vos résultats face aux établissements participants (médiane et quartiles des établissements ayant au moins 10 dossiers concernés).",
                "Your results against the participating establishments (median and quartiles of those with at least 10 applicable cases).",
            ),
            criterion: p("Critère", "Criterion"),
            applicable: p("Dossiers concernés", "Applicable"),
            pct: p("% conforme", "% conform"),
            ci: p("IC 95 %", "95 % CI"),
            median: p("Médiane des participants", "Participants' median"),
            quartiles: p("Quartiles", "Quartiles"),
            participants: p("Établissements", "Establishments"),
            below: p(
                "Les critères les plus en dessous de la médiane",
                "The criteria furthest below the median",
            ),
            none_below: p(
                "Aucun critère en dessous de la médiane des participants.",
                "No criterion below the participants' median.",
            ),
            since: p(
                "Depuis la campagne précédente",
                "Since the previous campaign",
            ),
            before: p("Avant", "Before"),
            after: p("Après", "After"),
            difference: p("Écart (points, IC 95 %)", "Difference (points, 95 % CI)"),
            reaudit: p(
                "Réaudit des actions du plan",
                "Re-audit of the plan's actions",
            ),
            reaudit_help: p(
                "Chaque action du plan qui a suivi la campagne précédente, et le critère qu'elle visait avant et après.",
                "Each action of the plan that followed the previous campaign, and the criterion it aimed at before and after.",
            ),
            action: p("Action", "Action"),
            report: p("Rapport PDF", "PDF report"),
            plan: p("Écrire le plan d'action", "Write the action plan"),
            results: p("Résultats de la campagne", "Campaign results"),
            empty: p(
                "Aucun dossier validé pour cet établissement dans cette campagne.",
                "No validated case for this establishment in this campaign.",
            ),
            points_below: p("points sous la médiane", "points below the median"),
        }
    }
}

async fn load(
    state: &AppState,
    auth: &Auth,
    id: i64,
    establishment: i64,
) -> Result<EstablishmentResults, PageError> {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    cratb_app::audits::establishment_results(
        &state.db,
        &actor,
        user,
        id,
        establishment,
        cratb_store::now(),
    )
    .await
    .map_err(PageError::app(auth.lang))
}

/// `GET /audits/campaigns/{id}/feedback/{establishment}`.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, establishment)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let r = load(&state, &auth, id, establishment).await?;
    let fb = &r.feedback;
    let grid = &fb.grid;
    let lines = fb
        .rows
        .iter()
        .map(|row| {
            let d = fb
                .participants
                .iter()
                .find(|s| s.criterion == row.criterion)
                .and_then(|s| s.distribution.as_ref());
            Line {
                code: row.criterion.clone(),
                label: label(grid, &row.criterion, lang),
                applicable: row.n_applicable,
                pct: format::percent(row.pct(), lang),
                ci: row.interval().map_or("—".into(), |(a, b)| {
                    format!(
                        "{} – {}",
                        format::decimal(Some(a), lang),
                        format::percent(Some(b), lang)
                    )
                }),
                median: format::percent(d.map(|d| d.median), lang),
                quartiles: d.map_or("—".into(), |d| {
                    format!(
                        "{} – {}",
                        format::decimal(Some(d.q1), lang),
                        format::percent(Some(d.q3), lang)
                    )
                }),
                participants: d.map_or("—".into(), |d| d.establishments.to_string()),
                all: row.criterion == "all",
            }
        })
        .collect();
    let t = Words::of(lang);
    let below = fb
        .most_below(lang)
        .into_iter()
        .map(|b| {
            (
                b.label,
                format!(
                    "{} / {}",
                    format::percent(Some(b.pct), lang),
                    format::percent(Some(b.median), lang)
                ),
                format!("{} {}", format::decimal(Some(b.gap), lang), t.points_below),
            )
        })
        .collect();
    let comparisons = fb.comparisons();
    Ok(render(&FeedbackPage {
        l: Layout::new(
            &auth,
            &format!("{} — {}", fb.establishment, r.view.campaign.title),
        ),
        id,
        establishment_id: establishment,
        establishment: fb.establishment.clone(),
        finess: fb.finess.clone(),
        period: fb.period_label(lang),
        chart: if fb.rows.is_empty() {
            String::new()
        } else {
            report::results_chart(fb, lang)
        },
        empty: fb.rows.is_empty(),
        lines,
        below,
        previous: r.previous.as_ref().map(|c| c.title.clone()),
        changes: comparisons
            .iter()
            .map(|c| Change::of(c, grid, lang))
            .collect(),
        reaudit: r
            .reaudit
            .iter()
            .map(|a| Reaudit {
                plan_id: a.plan_id,
                action: a.action.title.clone(),
                status: a.action.status.label(lang),
                change: a.comparison.as_ref().map(|c| Change::of(c, grid, lang)),
            })
            .collect(),
        may_plan: auth.can(Permission::EditActionPlans),
        t,
    }))
}

/// `GET /audits/campaigns/{id}/feedback/{establishment}/rapport.pdf`.
pub async fn pdf(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, establishment)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let r = load(&state, &auth, id, establishment).await?;
    if r.feedback.rows.is_empty() {
        return Err(PageError::NotFound(lang));
    }
    let fb = r.feedback;
    let body = tokio::task::spawn_blocking(move || {
        let bytes = report::report_pdf(&fb, lang);
        (report::file_name(&fb), bytes)
    })
    .await
    .map_err(|_| PageError::Internal(lang))?;
    Ok(attachment(&body.0, "application/pdf", body.1))
}

/// `GET /audits/campaigns/{id}/rapports.zip`: every participant's report, for those who see
/// the participants by name.
pub async fn zip(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let body =
        cratb_app::audits::reports_zip(&state.db, &actor, user, id, lang, cratb_store::now())
            .await
            .map_err(PageError::app(lang))?;
    Ok(attachment(
        &format!("retours-audit-campagne-{id}.zip"),
        "application/zip",
        body,
    ))
}
