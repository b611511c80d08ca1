//! The WHO ATC/DDD editions: those shipped, those a data manager loads (a newer index, as
//! CSV/TSV/XLSX in the reference columns), and the recomputation of a region's DDD under
//! another edition, after which every figure names it.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Query;
use crate::pages::{HtmlForm, Layout, Opt, PageResult, fmt_time, options, render_status};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_consumption::DddTable;
use cratb_domain::geo;
use cratb_store::StoreError;
use cratb_store::consumption::{self, Recomputed};
use serde::Deserialize;

pub struct EditionLine {
    pub edition: String,
    pub codes: i64,
    pub origin: String,
    pub in_use: bool,
}

#[derive(Default)]
struct Notice {
    loaded: Option<(String, usize)>,
    recomputed: Option<Recomputed>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "consumption/ddd.html")]
struct DddPage {
    l: Layout,
    region: String,
    region_name: String,
    regions: Vec<Opt>,
    in_use: Vec<String>,
    lines: Vec<EditionLine>,
    choices: Vec<Opt>,
    loaded: Option<(String, usize)>,
    recomputed: Option<Recomputed>,
    error: Option<String>,
}

async fn page(state: &AppState, auth: &Auth, region: String, notice: Notice) -> PageResult {
    let lang = auth.lang;
    let editions = consumption::editions(&state.db)
        .await
        .map_err(PageError::store(auth.lang))?;
    let mut in_use: Vec<String> =
        consumption::imports(&state.db, &crate::pages::region_access(auth, &region)?)
            .await
            .map_err(PageError::store(auth.lang))?
            .into_iter()
            .map(|i| i.ddd_edition)
            .collect();
    in_use.sort();
    in_use.dedup();
    let shipped = lang.pick("fournie avec cratb", "shipped with cratb");
    let lines = editions
        .iter()
        .map(|e| EditionLine {
            edition: e.edition.clone(),
            codes: e.codes,
            origin: match (&e.loaded_by, &e.loaded_at) {
                (Some(by), Some(at)) => format!("{by}, {}", fmt_time(at, lang)),
                _ => shipped.to_string(),
            },
            in_use: in_use.contains(&e.edition),
        })
        .collect();
    let status = if notice.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DddPage {
        l: Layout::new(auth, auth.lang.tr().con_ddd),
        region_name: geo::region(&region).map_or("", |g| g.name).to_string(),
        regions: super::region_options(auth, &region),
        region,
        choices: options(
            editions
                .iter()
                .map(|e| (e.edition.as_str(), e.edition.as_str())),
            editions.first().map_or("", |e| e.edition.as_str()),
        ),
        in_use,
        lines,
        loaded: notice.loaded,
        recomputed: notice.recomputed,
        error: notice.error,
    };
    Ok(render_status(&page, status))
}

#[derive(Deserialize)]
pub struct DddQuery {
    region: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DddQuery>,
) -> PageResult {
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    page(&state, &auth, region, Notice::default()).await
}

/// Loads a newer edition: its name and its file.
pub async fn load(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut u = crate::pages::Upload::read(form, &["file"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let edition = u.text("edition").trim().to_string();
    let file = u.take_file("file", "").map(|(_, bytes)| bytes);
    let region = u.text("region");
    let region = super::asked_region(&state, &auth, Some(&region)).await?;
    let fail = |error: String| Notice {
        error: Some(error),
        ..Notice::default()
    };
    if edition.is_empty() || edition.chars().count() > 80 {
        let e = fail(lang.tr().con_ddd_name_needed.into());
        return page(&state, &auth, region, e).await;
    }
    let Some(bytes) = file else {
        let e = fail(lang.tr().con_ddd_file_needed.into());
        return page(&state, &auth, region, e).await;
    };
    let (table, text) = match DddTable::from_sheet(&bytes, &edition) {
        Ok(t) => t,
        Err(e) => return page(&state, &auth, region, fail(e)).await,
    };
    match cratb_app::consumption::load_edition(&state.db, &auth.actor(user, scope), &table, &text)
        .await
    {
        Ok(()) => {}
        Err(cratb_app::AppError::Conflict(_)) => {
            let e = fail(format!("« {edition} » : {}", lang.tr().con_ddd_exists));
            return page(&state, &auth, region, e).await;
        }
        Err(e) => return Err(PageError::app(lang)(e)),
    }
    let notice = Notice {
        loaded: Some((edition, table.len())),
        ..Notice::default()
    };
    page(&state, &auth, region, notice).await
}

#[derive(Deserialize)]
pub struct RecomputeForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    edition: String,
}

/// Recomputes the region's DDD under the edition chosen.
pub async fn recompute(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(f): HtmlForm<RecomputeForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = super::asked_region(&state, &auth, Some(&f.region)).await?;
    let table = match consumption::ddd_table(&state.db, f.edition.trim()).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => {
            let notice = Notice {
                error: Some(format!(
                    "« {} » : {}",
                    f.edition.trim(),
                    lang.tr().con_ddd_unknown
                )),
                ..Notice::default()
            };
            return page(&state, &auth, region, notice).await;
        }
        Err(e) => return Err(PageError::store(lang)(e)),
    };
    let done =
        cratb_app::consumption::recompute(&state.db, &auth.actor(user, scope), &region, &table)
            .await
            .map_err(PageError::app(lang))?;
    state.consumption.refresh(&state.db, &region);
    let notice = Notice {
        recomputed: Some(done),
        ..Notice::default()
    };
    page(&state, &auth, region, notice).await
}
