//! The audit log page (filters, pagination) and its CSV export.

use super::{Layout, Opt, PageResult, fmt_time, options, render_status};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use cratb_domain::Bilingual;
use cratb_store::audit::{self, AuditEntry, AuditQuery};
use cratb_store::{Page, PageRequest};
use serde::Deserialize;

/// Most rows a CSV export holds.
pub const EXPORT_LIMIT: i64 = 100_000;

pub struct EntryRow {
    pub at: String,
    pub e: AuditEntry,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    rows: Vec<EntryRow>,
    page: Page<()>,
    error: Option<String>,
    csv_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    entities: Vec<Opt>,
}

#[derive(Deserialize)]
pub struct AuditParams {
    user: Option<String>,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

impl AuditParams {
    fn query(&self) -> AuditQuery {
        AuditQuery {
            user: self.user.clone(),
            entity: self.entity.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
    fn href(&self, base: &str, page: Option<i64>) -> String {
        let mut p = vec![
            ("user", self.user.clone().unwrap_or_default()),
            ("entity", self.entity.clone().unwrap_or_default()),
            ("from", self.from.clone().unwrap_or_default()),
            ("to", self.to.clone().unwrap_or_default()),
        ];
        if let Some(n) = page {
            p.push(("page", n.to_string()));
        }
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(p).unwrap_or_default()
        )
    }
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AuditParams>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let q = p.query();
    let (rows, page, error) =
        match audit::list(&state.db, &scope, &q, PageRequest::new(p.page, Some(50))).await {
            Ok(Ok(page)) => {
                let (items, meta) = page.split();
                let rows = items
                    .into_iter()
                    .map(|e| EntryRow {
                        at: fmt_time(&e.at, lang.code()),
                        e,
                    })
                    .collect();
                (rows, meta, None)
            }
            Ok(Err(bad)) => (
                vec![],
                Page {
                    items: vec![],
                    total: 0,
                    page: 1,
                    per_page: 50,
                },
                Some(bad.in_lang(lang.code())),
            ),
            Err(e) => return Err(PageError::store(lang)(e)),
        };
    let (prev, next) = page.neighbours();
    let prev_href = prev.map(|n| p.href("/audit", Some(n)));
    let next_href = next.map(|n| p.href("/audit", Some(n)));
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(render_status(
        &AuditPage {
            l: Layout::new(&auth, lang.tr().audit_title),
            csv_href: p.href("/audit.csv", None),
            q,
            rows,
            page,
            error,
            prev_href,
            next_href,
            entities: options(
                ["session", "user", "establishment", "api_token", "region"].map(|e| (e, e)),
                p.entity.as_deref().unwrap_or(""),
            ),
        },
        status,
    ))
}

/// The filtered log as CSV (UTF-8 with BOM and `;` so that spreadsheet software opens it as is).
pub async fn csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AuditParams>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let entries = match audit::export(&state.db, &scope, &p.query(), EXPORT_LIMIT).await {
        Ok(Ok(e)) => e,
        Ok(Err(bad)) => return Err(PageError::BadRequest(lang, bad.in_lang(lang.code()))),
        Err(e) => return Err(PageError::store(lang)(e)),
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record([
        "id",
        "date",
        "acteur",
        "action",
        "objet",
        "identifiant",
        "region",
        "resume",
        "ip",
        "request_id",
    ]);
    for e in &entries {
        let at =
            e.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
        let _ = w.write_record([
            e.id.to_string().as_str(),
            &at,
            &e.actor,
            &e.action,
            &e.entity,
            e.entity_id.as_deref().unwrap_or(""),
            e.region_code.as_deref().unwrap_or(""),
            &e.summary,
            e.ip.as_deref().unwrap_or(""),
            e.request_id.as_deref().unwrap_or(""),
        ]);
    }
    let body = w.into_inner().unwrap_or_default();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"journal-audit-cratb.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
