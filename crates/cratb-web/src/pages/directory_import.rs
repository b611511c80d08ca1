//! Importing a directory spreadsheet: upload, map the columns, read the preview (each row new,
//! update, duplicate or invalid with its reason), then commit all or only the valid rows.

use super::{HtmlForm, Layout, Opt, PageResult, options, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_app::directory::Draft;
use cratb_directory::import::{self, Counts, FIELDS, ImportField, Mode, Planned, Report, Verdict};
use cratb_domain::{Scope, geo};
use cratb_store::directory::import::{CommitError, save_draft};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "directory/import.html")]
struct UploadPage {
    l: Layout,
    action: String,
    regions: Vec<Opt>,
    error: Option<String>,
}

/// 422 for a page that shows an error, 200 otherwise.
fn status_of(error: &Option<String>) -> StatusCode {
    match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    }
}

fn upload_page(auth: &Auth, scope: &Scope, error: Option<String>) -> PageResult {
    let page = UploadPage {
        l: Layout::new(auth, auth.lang.tr().dir_import),
        action: format!(
            "/directory/import?csrf={}",
            crate::error::urlencode(&auth.csrf)
        ),
        regions: match scope {
            Scope::National => options(geo::REGIONS.iter().map(|r| (r.code, r.name)), ""),
            Scope::Region(_) => Vec::new(),
        },
        error,
    };
    Ok(render_status(&page, status_of(&page.error)))
}

pub async fn form(auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    upload_page(&auth, &scope, None)
}

/// Reads the sheet and keeps it as a draft; the next step maps its columns.
pub async fn upload(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut upload = super::Upload::read(form, &["file"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let file = upload.take_file("file", "annuaire");
    let asked = upload.text("region");
    let region = scope.region_filter().unwrap_or(&asked);
    let Some(access) = scope.access(region) else {
        return upload_page(&auth, &scope, Some(lang.tr().choose_region.into()));
    };
    let Some((name, bytes)) = file else {
        return upload_page(&auth, &scope, Some(lang.tr().dir_import_no_file.into()));
    };
    // Read now to refuse a file that is not a sheet; kept as uploaded, read again at each step.
    if let Err(e) = import::read_sheet(&bytes) {
        return upload_page(&auth, &scope, Some(format!("{name} : {e}")));
    }
    let id = save_draft(&state.db, &access, user.id, &name, &bytes)
        .await
        .map_err(PageError::store(lang))?;
    Ok(super::login::redirect(&format!("/directory/import/{id}")))
}

#[derive(Template)]
#[template(path = "directory/import_preview.html")]
struct PreviewPage<'a> {
    l: Layout,
    id: i64,
    filename: &'a str,
    header: &'a [String],
    /// Each field and the column that fills it.
    fields: Vec<(&'static ImportField, Option<usize>)>,
    /// The sheet's columns no field takes: left out of the import.
    ignored: Vec<&'a str>,
    counts: Counts,
    rows: Vec<&'a Planned>,
    hidden: usize,
    error: Option<String>,
    report: Option<Report>,
}

impl PreviewPage<'_> {
    /// The label of a verdict.
    fn label(&self, v: &Verdict) -> &'static str {
        let tr = self.l.tr;
        match v {
            Verdict::New => tr.dir_import_new,
            Verdict::Update { .. } => tr.dir_import_update,
            Verdict::Duplicate { .. } => tr.dir_import_duplicate,
            Verdict::Invalid { .. } => tr.dir_import_invalid,
        }
    }
}

/// At most this many rows are listed (problems first); the counts cover all.
const LISTED: usize = 300;

fn preview_page(
    auth: &Auth,
    id: i64,
    d: &Draft,
    error: Option<String>,
    report: Option<Report>,
) -> PageResult {
    let lang = auth.lang;
    let (rows, hidden) = d.plan.listed(LISTED);
    // A column beyond the sheet's (asked in the address) fills nothing.
    let mapped = |m: &Option<usize>| m.filter(|&i| i < d.table.header.len());
    let fields: Vec<_> = FIELDS
        .iter()
        .zip(&d.mapping)
        .map(|(f, m)| (f, mapped(m)))
        .collect();
    let mapping: Vec<Option<usize>> = fields.iter().map(|(_, m)| *m).collect();
    let page = PreviewPage {
        l: Layout::new(auth, lang.tr().dir_import),
        id,
        filename: &d.filename,
        header: &d.table.header,
        ignored: cratb_directory::import::ignored(&d.table.header, &mapping),
        fields,
        counts: d.plan.counts(),
        rows,
        hidden,
        error,
        report,
    };
    Ok(render_status(&page, status_of(&page.error)))
}

/// The draft the caller uploaded, mapped and planned.
async fn draft(
    state: &AppState,
    auth: &Auth,
    id: i64,
    params: &HashMap<String, String>,
) -> Result<(cratb_app::Actor, Draft), PageError> {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let d = cratb_app::directory::draft(&state.db, &actor, id, params)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok((actor, d))
}

pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    let (_, d) = draft(&state, &auth, id, &params).await?;
    preview_page(&auth, id, &d, None, None)
}

/// Writes the rows: all of them (refused if any is invalid) or the valid ones only.
pub async fn commit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(params): HtmlForm<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.lang;
    let (actor, d) = draft(&state, &auth, id, &params).await?;
    let mode = Mode::of(params.get("mode").map(String::as_str));
    match cratb_app::directory::import(&state.db, &actor, id, &d, mode).await {
        Ok(report) => preview_page(&auth, id, &d, None, Some(report)),
        Err(CommitError::Invalid(n)) => {
            let message = crate::i18n::counted(n as i64, lang.tr().dir_import_refused, lang);
            preview_page(&auth, id, &d, Some(message), None)
        }
        Err(CommitError::Store(e)) => Err(PageError::store(lang)(e)),
    }
}
