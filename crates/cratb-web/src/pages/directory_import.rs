//! Importing a directory spreadsheet: upload, map the columns, read the preview (each row new,
//! update, duplicate or invalid with its reason), then commit all or only the valid rows.

use super::directory::own_region;
use super::{HtmlForm, Layout, Opt, PageResult, options, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_domain::{RegionCode, Scope, geo};
use cratb_store::directory::import::{self, FIELDS, Mapping, Mode, Plan, Report, Verdict};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "directory/import.html")]
struct UploadPage {
    l: Layout,
    action: String,
    regions: Vec<Opt>,
    error: Option<String>,
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
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(&page, status))
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
    let region = upload.text("region");
    let region = match own_region(&scope) {
        Some(r) => r,
        None => match RegionCode::parse(&region) {
            Ok(r) => r,
            Err(_) => return upload_page(&auth, &scope, Some(lang.tr().choose_region.into())),
        },
    };
    let Some((name, bytes)) = file else {
        return upload_page(&auth, &scope, Some(lang.tr().dir_import_no_file.into()));
    };
    // Read now to refuse a file that is not a sheet; kept as uploaded, read again at each step.
    if let Err(e) = import::read_sheet(&bytes) {
        return upload_page(&auth, &scope, Some(format!("{name} : {e}")));
    }
    let id = import::save_draft(&state.db, &region, user.id, &name, &bytes)
        .await
        .map_err(PageError::store(lang))?;
    Ok(super::login::redirect(&format!("/directory/import/{id}")))
}

/// A row of the preview.
pub struct PreviewRow {
    pub line: usize,
    pub name: String,
    pub kind: &'static str,
    pub label: &'static str,
    pub detail: String,
}

/// A select of the mapping step: field, its label, and the columns offered.
pub struct MappingField {
    pub name: &'static str,
    pub label: &'static str,
    pub columns: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "directory/import_preview.html")]
struct PreviewPage {
    l: Layout,
    id: i64,
    filename: String,
    fields: Vec<MappingField>,
    counts: import::Counts,
    rows: Vec<PreviewRow>,
    hidden: usize,
    error: Option<String>,
    report: Option<Report>,
}

/// The mapping in a query or form: `map_<field>` = column index, empty = not imported.
fn mapping_of(params: &HashMap<String, String>, guessed: Mapping) -> Mapping {
    FIELDS
        .iter()
        .zip(guessed)
        // A field not imported is `-` in the preview's address (an empty parameter counts as
        // absent there) and empty in the commit form.
        .map(|(f, g)| match params.get(&format!("map_{}", f.name)) {
            Some(v) if v.is_empty() || v == "-" => None,
            Some(v) => v.parse().ok(),
            None => g,
        })
        .collect()
}

/// At most this many rows are listed (problems first); the counts cover all.
const LISTED: usize = 300;

#[allow(clippy::too_many_arguments)]
fn preview_page(
    auth: &Auth,
    id: i64,
    filename: String,
    header: &[String],
    mapping: &Mapping,
    plan: &Plan,
    error: Option<String>,
    report: Option<Report>,
) -> PageResult {
    let lang = auth.lang;
    let tr = lang.tr();
    let mut rows: Vec<PreviewRow> = plan
        .rows
        .iter()
        .map(|r| {
            let (kind, label, detail) = match &r.verdict {
                Verdict::New => ("new", tr.dir_import_new, String::new()),
                Verdict::Update { id } => ("update", tr.dir_import_update, format!("#{id}")),
                Verdict::Duplicate { reason } => {
                    ("duplicate", tr.dir_import_duplicate, reason.clone())
                }
                Verdict::Invalid { reasons } => {
                    ("invalid", tr.dir_import_invalid, reasons.join(" ; "))
                }
            };
            PreviewRow {
                line: r.line,
                name: r.name.clone(),
                kind,
                label,
                detail,
            }
        })
        .collect();
    rows.sort_by_key(|r| match r.kind {
        "invalid" => 0,
        "duplicate" => 1,
        "update" => 2,
        _ => 3,
    });
    let hidden = rows.len().saturating_sub(LISTED);
    rows.truncate(LISTED);
    let page = PreviewPage {
        l: Layout::new(auth, tr.dir_import),
        id,
        filename,
        fields: FIELDS
            .iter()
            .zip(mapping)
            .map(|(f, m)| MappingField {
                name: f.name,
                label: lang.pick(f.fr, f.en),
                columns: header
                    .iter()
                    .enumerate()
                    .map(|(i, h)| Opt {
                        value: i.to_string(),
                        label: if h.is_empty() {
                            format!("({})", i + 1)
                        } else {
                            h.clone()
                        },
                        selected: *m == Some(i),
                    })
                    .collect(),
            })
            .collect(),
        counts: plan.counts(),
        rows,
        hidden,
        error,
        report,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(&page, status))
}

pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let (region, filename, table) = import::draft(&state.db, user.id, id)
        .await
        .map_err(PageError::store(lang))?;
    let mapping = mapping_of(&params, import::guess(&table.header));
    let plan = import::plan(&state.db, &region, &table, &mapping)
        .await
        .map_err(PageError::store(lang))?;
    preview_page(
        &auth,
        id,
        filename,
        &table.header,
        &mapping,
        &plan,
        None,
        None,
    )
}

/// Writes the rows: all of them (refused if any is invalid) or the valid ones only.
pub async fn commit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(params): HtmlForm<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let (region, filename, table) = import::draft(&state.db, user.id, id)
        .await
        .map_err(PageError::store(lang))?;
    let mapping = mapping_of(&params, import::guess(&table.header));
    let plan = import::plan(&state.db, &region, &table, &mapping)
        .await
        .map_err(PageError::store(lang))?;
    let mode = match params.get("mode").map(String::as_str) {
        Some("valid_only") => Mode::ValidOnly,
        _ => Mode::AllOrNothing,
    };
    match cratb_app::directory::import(
        &state.db,
        &auth.actor(user, scope.clone()),
        &region,
        &plan,
        mode,
        &filename,
    )
    .await
    {
        Ok(report) => {
            import::drop_draft(&state.db, id)
                .await
                .map_err(PageError::store(lang))?;
            preview_page(
                &auth,
                id,
                filename,
                &table.header,
                &mapping,
                &plan,
                None,
                Some(report),
            )
        }
        Err(import::CommitError::Invalid(n)) => {
            let message = format!("{n} {}", lang.tr().dir_import_refused);
            preview_page(
                &auth,
                id,
                filename,
                &table.header,
                &mapping,
                &plan,
                Some(message),
                None,
            )
        }
        Err(import::CommitError::Store(e)) => Err(PageError::store(lang)(e)),
    }
}
