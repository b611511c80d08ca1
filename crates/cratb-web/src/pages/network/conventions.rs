//! Conventions between a team and an establishment or a CPTS: the list with the expiry
//! reminders, a convention's page with its signed PDF, the form (a multipart form, for the PDF).

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Bounded, Id, Path, Query};
use crate::pages::{
    Layout, Opt, PageResult, field_error, form_status, non_empty, options, render, render_status,
};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use cratb_app::AppError;
use cratb_app::network::Reminded;
use cratb_directory::network::{ConventionForm, ConventionLabels, Document};
use cratb_domain::{ConventionService, ConventionStatus, FieldError, Permission, Scope};
use cratb_store::network::{self, ConventionQuery};
use serde::Deserialize;

/// Conventions expiring within this many days are flagged.
pub use cratb_directory::network::REMIND_WITHIN_DAYS;

#[derive(Template)]
#[template(path = "network/conventions.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ConventionLabels>,
    statuses: Vec<Opt>,
    teams: Vec<Opt>,
    expiring: bool,
    expiring_count: usize,
    can_edit: bool,
    reminded: Option<(usize, usize)>,
    mail_on: bool,
    /// No public address is configured (`CRATB_PUBLIC_URL`): no reminder can be sent.
    no_public_url: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    team_id: Option<Id>,
    expiring: Option<String>,
    /// After reminders: teams told, teams not reached.
    reminded: Option<Bounded<0, 1_000_000>>,
    unreached: Option<Bounded<0, 1_000_000>>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let today = cratb_store::now().date();
    let expiring = non_empty(&q.expiring).is_some();
    let query = ConventionQuery {
        status: non_empty(&q.status),
        team_id: q.team_id.map(Id::get),
        expiring_within: expiring.then_some(REMIND_WITHIN_DAYS),
    };
    let rows: Vec<ConventionLabels> = network::list_conventions(&state.db, &scope, &query, today)
        .await
        .map_err(PageError::store(lang))?
        .into_iter()
        .map(|c| ConventionLabels::new(c, today, lang))
        .collect();
    let soon = cratb_app::network::expiring_conventions(&state.db, &scope, today)
        .await
        .map_err(PageError::app(lang))?
        .len();
    let teams = network::list_teams(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?;
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().net_conventions),
        rows,
        statuses: options(
            ConventionStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang))),
            query.status.as_deref().unwrap_or(""),
        ),
        teams: options(
            teams
                .iter()
                .map(|t| (t.team.id.to_string(), t.team.name.clone())),
            &query.team_id.map(|t| t.to_string()).unwrap_or_default(),
        ),
        expiring,
        expiring_count: soon,
        can_edit: auth.can(Permission::EditDirectory),
        reminded: q.reminded.map(|n| {
            (
                n.get() as usize,
                q.unreached.map_or(0, |u| u.get() as usize),
            )
        }),
        mail_on: state.config.mailer.is_on(),
        no_public_url: !state.config.may_send_links(),
    }))
}

#[derive(Template)]
#[template(path = "network/convention.html")]
struct ShowPage {
    l: Layout,
    r: ConventionLabels,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let c = network::get_convention(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let title = format!("{} — {}", c.team_name, c.partner_name);
    Ok(render(&ShowPage {
        l: Layout::new(&auth, &title),
        r: ConventionLabels::new(c, cratb_store::now().date(), lang),
        can_edit: auth.can(Permission::EditDirectory),
        saved: q.saved.is_some(),
    }))
}

/// The signed PDF, as stored.
pub async fn document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let (name, bytes) = network::document(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let ascii = Document::ascii_name(&name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::error::urlencode(&name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A group of partners in the select.
pub struct PartnerGroup {
    pub label: &'static str,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "network/convention_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    cancel: String,
    v: ConventionForm,
    teams: Vec<Opt>,
    partners: Vec<PartnerGroup>,
    services: Vec<Opt>,
    statuses: Vec<Opt>,
    document: Option<String>,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    id: Option<i64>,
    v: ConventionForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let choices = cratb_app::network::convention_choices(&state.db, scope, id)
        .await
        .map_err(PageError::app(lang))?;
    let mut partners: Vec<PartnerGroup> = (choices.establishments.into_iter())
        .map(|(sector, list)| PartnerGroup {
            label: sector.label(lang),
            options: options(list, &v.partner),
        })
        .collect();
    partners.push(PartnerGroup {
        label: "CPTS",
        options: options(choices.cpts, &v.partner),
    });
    let page = FormPage {
        l: Layout::new(
            auth,
            if id.is_some() {
                lang.tr().edit
            } else {
                lang.tr().net_new_convention
            },
        ),
        action: format!(
            "{}?csrf={}",
            id.map_or("/network/conventions".into(), |i| format!(
                "/network/conventions/{i}"
            )),
            crate::error::urlencode(&auth.csrf)
        ),
        cancel: id.map_or("/network/conventions".into(), |i| {
            format!("/network/conventions/{i}")
        }),
        teams: options(choices.teams, &v.team_id),
        partners,
        services: crate::pages::checks(
            ConventionService::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang))),
            &v.services,
        ),
        statuses: options(
            ConventionStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang))),
            &v.status,
        ),
        document: choices.document,
        v,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    form_page(
        &state,
        &auth,
        &scope,
        None,
        ConventionForm::blank(),
        Vec::new(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let c = network::get_convention(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let v = ConventionForm::of(c);
    form_page(&state, &auth, &scope, Some(id), v, Vec::new()).await
}

/// Reads the multipart form: the fields and the PDF, if one was chosen.
async fn read_form(form: Multipart) -> Result<(ConventionForm, Option<(String, Vec<u8>)>), String> {
    let mut u = crate::pages::Upload::read(form, &["document"]).await?;
    let v = ConventionForm {
        team_id: u.text("team_id"),
        partner: u.text("partner"),
        services: u.texts("services"),
        status: u.text("status"),
        signed_on: u.text("signed_on"),
        expires_on: u.text("expires_on"),
        notes: u.text("notes"),
    };
    Ok((v, u.take_file("document", "convention.pdf")))
}

pub async fn create(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    save(state, auth, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    save(state, auth, Some(id), form).await
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    if let Some(i) = id {
        network::get_convention(&state.db, &scope, i)
            .await
            .map_err(PageError::store(lang))?;
    }
    let (v, file) = read_form(form)
        .await
        .map_err(|m| PageError::BadRequest(lang, m))?;
    let checked = v.validate();
    let doc = file.map(|(name, bytes)| Document::check(&name, bytes));
    let (c, doc) = match (checked, doc.transpose()) {
        (Ok(c), Ok(doc)) => (c, doc),
        (Ok(_), Err(e)) => return form_page(&state, &auth, &scope, id, v, vec![e]).await,
        (Err(mut e), doc) => {
            e.extend(doc.err());
            return form_page(&state, &auth, &scope, id, v, e).await;
        }
    };
    let actor = auth.actor(user, scope.clone());
    match cratb_app::network::save_convention(&state.db, &actor, id, &c, doc.as_ref()).await {
        Ok(saved_id) => Ok(crate::pages::login::redirect(&format!(
            "/network/conventions/{saved_id}?saved=1"
        ))),
        Err(AppError::Invalid(e)) => form_page(&state, &auth, &scope, id, v, e).await,
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// E-mails each team the list of its conventions in force that expire within
/// [`REMIND_WITHIN_DAYS`], so that renewals are prepared in time.
pub async fn remind(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    if !state.config.may_send_links() {
        // No mail leaves without the configured public address (see `public_base`).
        let tr = lang.tr();
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            crate::pages::error_page(lang, tr.mail_no_public_url_title, tr.mail_no_public_url),
        )
            .into_response());
    }
    let today = cratb_store::now().date();
    let (conventions, reminders) = cratb_app::network::expiry_reminders(&state.db, &scope, today)
        .await
        .map_err(PageError::app(lang))?;
    let mut r = Reminded {
        conventions,
        ..Default::default()
    };
    for m in reminders {
        let Some(to) = &m.to else {
            r.without_address += 1;
            continue;
        };
        match state.config.mailer.send(to, &m.subject, m.body).await {
            Ok(()) => r.sent += 1,
            Err(e) => {
                tracing::warn!(error = %e, team = m.team_id, "reminder not sent");
                r.failed += 1;
            }
        }
    }
    let describe = state.config.mailer.describe();
    cratb_app::network::record_reminders(&state.db, &auth.actor(user, scope), r, &describe)
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/network/conventions?expiring=1&reminded={}&unreached={}",
        r.sent,
        r.without_address + r.failed
    )))
}
