//! The audit log page (filters, pagination) and its CSV export.

use super::{Layout, Opt, PageResult, fmt_time, options, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Day, PageNumber, Query, page_request};
use askama::Template;
use axum::extract::State;
use cratb_domain::AuditEntry;
use cratb_domain::audit::{self as audit_words, ENTITIES, EXPORT_HEADER};
use cratb_sheet::write::{Cell, Table};
use cratb_store::Page;
use cratb_store::audit::{self, AuditQuery};
use serde::Deserialize;

/// Most rows a CSV export holds.
pub const EXPORT_LIMIT: i64 = 100_000;

pub struct EntryRow {
    pub at: String,
    /// The action, the object and the region in words (the codes stay in the export).
    pub action: String,
    pub entity: String,
    pub region: Option<String>,
    pub e: AuditEntry,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    rows: Vec<EntryRow>,
    page: Page<()>,
    csv_href: String,
    csv_international_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    entities: Vec<Opt>,
}

/// The filters of the log and its export.
#[derive(Deserialize)]
pub struct AuditParams {
    user: Option<String>,
    entity: Option<String>,
    from: Option<Day>,
    to: Option<Day>,
    page: Option<PageNumber>,
}

impl AuditParams {
    fn query(&self) -> AuditQuery {
        AuditQuery {
            user: self.user.clone(),
            entity: self.entity.clone(),
            from: self.from.map(Day::date),
            to: self.to.map(Day::date),
        }
    }
    fn href(&self, base: &str, page: Option<i64>) -> String {
        let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let mut p = vec![
            ("user", self.user.clone().unwrap_or_default()),
            ("entity", self.entity.clone().unwrap_or_default()),
            ("from", day(self.from)),
            ("to", day(self.to)),
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
    let (items, page) = audit::list(&state.db, &scope, &q, page_request(p.page, None))
        .await
        .map_err(PageError::store(lang))?
        .split();
    let rows = items
        .into_iter()
        .map(|e| EntryRow {
            at: fmt_time(&e.at, lang),
            action: audit_words::action_label(&e.action, lang).to_owned(),
            entity: match &e.entity_id {
                Some(id) => format!(
                    "{} {}{id}",
                    audit_words::entity_label(&e.entity, lang),
                    lang.pick("n°\u{a0}", "#")
                ),
                None => audit_words::entity_label(&e.entity, lang),
            },
            region: e
                .region_code
                .as_deref()
                .map(|r| audit_words::region_label(r, lang)),
            e,
        })
        .collect();
    let (prev, next) = page.neighbours();
    let prev_href = prev.map(|n| p.href("/audit", Some(n)));
    let next_href = next.map(|n| p.href("/audit", Some(n)));
    Ok(render(&AuditPage {
        l: Layout::new(&auth, lang.tr().audit_title),
        csv_international_href: crate::export::international(&p.href("/audit.csv", None)),
        csv_href: p.href("/audit.csv", None),
        q,
        rows,
        page,
        prev_href,
        next_href,
        entities: options(
            ENTITIES.map(|e| (e, audit_words::entity_label(e, lang))),
            p.entity.as_deref().unwrap_or(""),
        ),
    }))
}

/// The filtered log as CSV (UTF-8 with BOM and `;` so that spreadsheet software opens it as is).
pub async fn csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AuditParams>,
    Query(style): Query<crate::export::CsvParam>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let entries = audit::export(&state.db, &scope, &p.query(), EXPORT_LIMIT)
        .await
        .map_err(PageError::store(lang))?;
    let rows = entries
        .iter()
        .map(|e| e.export_row().map(Cell::from).to_vec());
    let table = Table::new("audit", EXPORT_HEADER, rows.collect());
    crate::export::download("journal-audit-cratb", "csv", style, [table], lang)
}
