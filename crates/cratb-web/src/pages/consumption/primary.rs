//! Primary care (ville): DDD per 1000 inhabitants per day and prescriptions per 1000
//! inhabitants per year for the region, its departments and its CPTS; the twelve ESAC-Net
//! quality indicators and the AWaRe shares of the territory chosen; the imports of
//! dispensations (cratb's layout or the open-data one) and of populations.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::{CsvParam, download};
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query, Year};
use crate::pages::{Layout, Opt, PageResult, options, render_status};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use cratb_consumption::hospital::Problem;
use cratb_consumption::primary::{esac_table, open_data_year};
use cratb_domain::{Lang, Permission, Role, geo};
use cratb_report::primary::{PrimaryCare, primary_care};
use cratb_store::primary_care::{self, OpenDataFile, PrimaryImportError};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrimaryQuery {
    region: Option<String>,
    year: Option<Year>,
    territory: Option<String>,
}

impl PrimaryQuery {
    fn year(&self) -> Option<i32> {
        self.year.map(|y| i32::from(y.get()))
    }
}

#[derive(Default)]
struct Notice {
    imported: Option<String>,
    problems: Vec<(&'static str, Problem)>,
    total: usize,
}

/// The page: its layout, filters and import form around the screen ([`primary_care`]), whose
/// fields the template reads as its own.
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
    v: PrimaryCare,
    can_import: bool,
    imported: Option<String>,
    problems: Vec<(&'static str, Problem)>,
    problems_total: usize,
}

impl std::ops::Deref for PrimaryPage {
    type Target = PrimaryCare;
    fn deref(&self) -> &PrimaryCare {
        &self.v
    }
}

/// Primary care is the region's: a referent, bound to an establishment, has no access.
fn refuse_referent(auth: &Auth) -> Result<(), PageError> {
    let (user, _) = auth.page_user()?;
    if user.role() == Role::Referent {
        return Err(PageError::Forbidden(auth.lang));
    }
    Ok(())
}

async fn page(
    state: &AppState,
    auth: &Auth,
    region: String,
    q: PrimaryQuery,
    notice: Notice,
) -> PageResult {
    refuse_referent(auth)?;
    let access = crate::pages::region_access(auth, &region)?;
    let data = primary_care::data(&state.db, &access)
        .await
        .map_err(PageError::store(auth.lang))?;
    let target = cratb_store::consumption::target(&state.db, &access, "VILLE", "J01")
        .await
        .map_err(PageError::store(auth.lang))?;
    let v = primary_care(&data, q.year(), q.territory.as_deref(), &target, auth.lang);
    let year = v.year.to_string();
    let query = serde_urlencoded::to_string([
        ("region", region.as_str()),
        ("year", &year),
        ("territory", v.territory.as_str()),
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
            v.data_years
                .iter()
                .rev()
                .map(|y| (y.to_string(), y.to_string())),
            &year,
        ),
        territories: options(
            data.names.iter().map(|(k, n)| (k.as_str(), n.as_str())),
            &v.territory,
        ),
        query,
        v,
        can_import: auth.can(Permission::ImportConsumption),
        imported: notice.imported,
        problems: notice.problems,
        problems_total: notice.total,
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
    Query(style): Query<CsvParam>,
) -> PageResult {
    refuse_referent(&auth)?;
    let region = super::asked_region(&state, &auth, q.region.as_deref()).await?;
    let data = primary_care::data(&state.db, &crate::pages::region_access(&auth, &region)?)
        .await
        .map_err(PageError::store(auth.lang))?;
    let year = q
        .year()
        .or(data.ddd.iter().map(|r| r.year).max())
        .unwrap_or(2025);
    download(
        &format!("ville-{region}-{year}"),
        &format,
        style,
        [esac_table(&data, year)],
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
        problems: problems
            .into_iter()
            .take(200)
            .map(|(file, p)| (file, p.in_lang(lang)))
            .collect(),
        ..Notice::default()
    };
    let Some((filename, bytes)) = file else {
        let p = Problem {
            line: 0,
            column: String::new(),
            value: String::new(),
            message: Lang::Fr.tr().con_primary_no_file.into(),
            message_en: Lang::En.tr().con_primary_no_file.into(),
        };
        return page(&state, &auth, region, q, refused(vec![("", p)])).await;
    };
    let actor = auth.actor(user, scope.clone());
    let outcome = if kind == "populations" {
        cratb_app::consumption::import_populations(&state.db, &actor, &region, &filename, &bytes)
            .await
    } else {
        let open_data = match open_data_year(&year, packs.is_some()) {
            Ok(year) => year
                .zip(packs.as_deref())
                .map(|(year, packs)| OpenDataFile { year, packs }),
            Err(p) => return page(&state, &auth, region, q, refused(vec![("", p)])).await,
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
