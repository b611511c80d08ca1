//! Importing hospital and nursing-home consumption from the browser: the consumption file and
//! its denominators (CSV or XLSX), checked whole — every problem with its file, line, column and
//! value — then written in one transaction; the history of imports, each removable.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{Layout, Opt, PageResult, fmt_time, options, render_status};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_consumption::hospital::{Problem, Unconverted, Unmatched};
use cratb_domain::{RegionCode, geo};
use cratb_store::consumption::{self, HospitalFiles, HospitalImport, HospitalImportError};

/// A problem of one of the two files.
pub struct FileProblem {
    pub file: &'static str,
    pub p: Problem,
}

/// An import as listed.
pub struct ImportLine {
    pub id: i64,
    pub filename: String,
    pub ddd_edition: String,
    pub consumption_rows: i64,
    pub denominator_rows: i64,
    pub by: String,
    pub at: String,
}

#[derive(Default)]
struct Notice {
    done: Option<HospitalImport>,
    problems: Vec<FileProblem>,
    total: usize,
    /// The periods without denominator (or consumption), refused or accepted.
    unmatched: Vec<String>,
    removed: Option<(String, i64)>,
    form_error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "consumption/imports.html")]
struct ImportsPage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    editions: Vec<Opt>,
    history: Vec<ImportLine>,
    done: Option<HospitalImport>,
    unconverted: Vec<Unconverted>,
    problems: Vec<FileProblem>,
    problems_total: usize,
    /// Refused for periods without denominator (or the reverse): the list, to accept or fix.
    partial_refused: bool,
    unmatched: Vec<String>,
    removed: Option<(String, i64)>,
    form_error: Option<&'static str>,
}

/// Problems shown on the page; the rest are counted.
const SHOWN: usize = 200;

async fn page(state: &AppState, auth: &Auth, region: String, notice: Notice) -> PageResult {
    let lang = auth.lang;
    let history = consumption::imports(&state.db, &crate::pages::region_access(auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?
        .into_iter()
        .map(|r| ImportLine {
            id: r.id,
            filename: r.filename,
            ddd_edition: r.ddd_edition,
            consumption_rows: r.consumption_rows,
            denominator_rows: r.denominator_rows,
            by: r.imported_by,
            at: fmt_time(&r.created_at, lang),
        })
        .collect();
    let editions = consumption::editions(&state.db)
        .await
        .map_err(PageError::store(auth.lang))?;
    let latest = format!("WHOCC ATC/DDD Index {}", cratb_consumption::ddd::LATEST);
    let partial_refused = notice.done.is_none() && !notice.unmatched.is_empty();
    let status = if notice.problems.is_empty() && notice.form_error.is_none() && !partial_refused {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ImportsPage {
        l: Layout::new(auth, auth.lang.tr().con_import),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: super::region_options(auth, &region),
        region,
        editions: options(
            editions
                .iter()
                .map(|e| (e.edition.as_str(), e.edition.as_str())),
            &latest,
        ),
        history,
        unconverted: notice
            .done
            .as_ref()
            .map(|d| d.unconverted.clone())
            .unwrap_or_default(),
        done: notice.done,
        problems: notice.problems,
        problems_total: notice.total,
        partial_refused,
        unmatched: notice.unmatched,
        removed: notice.removed,
        form_error: notice.form_error,
    };
    Ok(render_status(&page, status))
}

#[derive(serde::Deserialize)]
pub struct ImportsQuery {
    region: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ImportsQuery>,
) -> PageResult {
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    page(&state, &auth, region, Notice::default()).await
}

pub async fn upload(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut u = crate::pages::Upload::read(form, &["consumption", "denominators"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let region = super::asked_region(&state, &auth, Some(&u.text("region"))).await?;
    let edition = u.text("ddd_edition");
    let (Some((filename, c)), Some((_, d))) = (
        u.take_file("consumption", "fichier"),
        u.take_file("denominators", "fichier"),
    ) else {
        let notice = Notice {
            form_error: Some(lang.tr().con_import_two_files),
            ..Notice::default()
        };
        return page(&state, &auth, region, notice).await;
    };
    let table = cratb_app::consumption::ddd_table(&state.db, &edition)
        .await
        .map_err(|_| PageError::BadRequest(lang, "édition ATC/DDD inconnue".into()))?;
    let code = RegionCode::parse(&region).map_err(|_| PageError::NotFound(lang))?;
    let files = HospitalFiles {
        filename: &filename,
        consumption: &c,
        denominators: &d,
        accept_partial: u.text("accept_partial") == "on",
    };
    let unmatched = |list: &[Unmatched]| list.iter().map(|u| u.message(lang)).collect();
    let actor = auth.actor(user, scope.clone());
    match cratb_app::consumption::import_hospital(&state.db, &actor, &code, files, &table).await {
        Ok(done) => {
            state.consumption.refresh(&state.db, &region);
            let notice = Notice {
                unmatched: unmatched(&done.left_out),
                done: Some(done),
                ..Notice::default()
            };
            page(&state, &auth, region, notice).await
        }
        Err(HospitalImportError::Partial(list)) => {
            let notice = Notice {
                unmatched: unmatched(&list),
                ..Notice::default()
            };
            page(&state, &auth, region, notice).await
        }
        Err(HospitalImportError::Invalid(list)) => {
            let total = list.total;
            let problems = list
                .listed
                .into_iter()
                .take(SHOWN)
                .map(|(file, p)| FileProblem {
                    file: file.label(lang),
                    p: p.in_lang(lang),
                })
                .collect();
            let notice = Notice {
                problems,
                total,
                ..Notice::default()
            };
            page(&state, &auth, region, notice).await
        }
        Err(HospitalImportError::Store(e)) => Err(PageError::store(lang)(e)),
    }
}

/// Removes an import and its rows, within the caller's region.
pub async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let removed = cratb_app::consumption::remove_import(&state.db, &auth.actor(user, scope), id)
        .await
        .map_err(PageError::app(lang))?;
    state.consumption.refresh(&state.db, &removed.region_code);
    let notice = Notice {
        removed: Some((removed.filename, removed.consumption_rows)),
        ..Notice::default()
    };
    page(&state, &auth, removed.region_code, notice).await
}
