//! Conventions between a team and an establishment or a CPTS: the list with the expiry
//! reminders, a convention's page with its signed PDF, the form (a multipart form, for the PDF).

use super::fmt_date;
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
use axum::http::header;
use axum::response::IntoResponse;
use cratb_app::AppError;
use cratb_domain::Lang;
use cratb_domain::{ConventionService, ConventionStatus, Permission, Scope, Sector};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::network::{
    self, Convention, ConventionInput, ConventionQuery, Document, NewConvention,
};
use cratb_store::{FieldError, PageRequest, StoreError, reference};
use serde::Deserialize;
use time::Date;

/// Conventions expiring within this many days are flagged.
pub const REMIND_WITHIN_DAYS: i64 = 90;

/// A convention with its labels resolved.
pub struct ConventionRow {
    pub c: Convention,
    pub status: &'static str,
    pub status_code: &'static str,
    pub services: String,
    pub signed: String,
    pub expires: String,
    /// Days left when it expires within [`REMIND_WITHIN_DAYS`].
    pub days_left: Option<i64>,
    pub size: String,
}

impl ConventionRow {
    fn new(c: Convention, today: Date, lang: Lang) -> ConventionRow {
        let status = c.effective_status(today);
        ConventionRow {
            status: status.label(lang),
            status_code: status.code(),
            services: ConventionService::parse_list(&c.scope)
                .unwrap_or_default()
                .iter()
                .map(|s| s.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            signed: c.signed_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
            expires: c.expires_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
            days_left: c.expires_within(today, REMIND_WITHIN_DAYS),
            size: c
                .document_size
                .map(|s| format!("{:.0} Ko", (s as f64 / 1024.0).ceil()))
                .unwrap_or_default(),
            c,
        }
    }
}

#[derive(Template)]
#[template(path = "network/conventions.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ConventionRow>,
    statuses: Vec<Opt>,
    teams: Vec<Opt>,
    expiring: bool,
    expiring_count: usize,
    can_edit: bool,
    reminded: Option<(usize, usize)>,
    mail_on: bool,
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
    let rows: Vec<ConventionRow> = network::list_conventions(&state.db, &scope, &query, today)
        .await
        .map_err(PageError::store(lang))?
        .into_iter()
        .map(|c| ConventionRow::new(c, today, lang))
        .collect();
    let soon = network::list_conventions(
        &state.db,
        &scope,
        &ConventionQuery {
            expiring_within: Some(REMIND_WITHIN_DAYS),
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(PageError::store(lang))?
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
    }))
}

#[derive(Template)]
#[template(path = "network/convention.html")]
struct ShowPage {
    l: Layout,
    r: ConventionRow,
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
        r: ConventionRow::new(c, cratb_store::now().date(), lang),
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
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
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

/// What was typed in the form.
#[derive(Default)]
pub struct FormValues {
    pub team_id: String,
    /// `e:ID` for an establishment, `c:ID` for a CPTS.
    pub partner: String,
    pub services: Vec<String>,
    pub status: String,
    pub signed_on: String,
    pub expires_on: String,
    pub notes: String,
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
    v: FormValues,
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
    v: FormValues,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let teams = network::list_teams(&state.db, scope)
        .await
        .map_err(PageError::store(lang))?;
    let mut partners = Vec::new();
    for sector in [Sector::Es, Sector::Ems] {
        let list = establishments::list(
            &state.db,
            scope,
            &EstablishmentQuery {
                sector: Some(sector.code().into()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await
        .map_err(PageError::store(lang))?;
        partners.push(PartnerGroup {
            label: sector.label(lang),
            options: options(
                list.items.iter().map(|e| {
                    (
                        format!("e:{}", e.id),
                        format!("{} ({}, {})", e.name, e.department_code, e.finess),
                    )
                }),
                &v.partner,
            ),
        });
    }
    let cpts = reference::list_territories(&state.db, scope, Some("CPTS"))
        .await
        .map_err(PageError::store(lang))?;
    partners.push(PartnerGroup {
        label: "CPTS",
        options: options(
            cpts.iter().map(|c| (format!("c:{}", c.id), c.name.clone())),
            &v.partner,
        ),
    });
    let document = match id {
        Some(i) => {
            network::get_convention(&state.db, scope, i)
                .await
                .map_err(PageError::store(lang))?
                .document_name
        }
        None => None,
    };
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
        teams: options(
            teams
                .iter()
                .map(|t| (t.team.id.to_string(), t.team.name.clone())),
            &v.team_id,
        ),
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
        document,
        v,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    let v = FormValues {
        services: vec!["advice".into()],
        status: "draft".into(),
        ..Default::default()
    };
    form_page(&state, &auth, &scope, None, v, Vec::new()).await
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
    let v = FormValues {
        team_id: c.team_id.to_string(),
        partner: match (c.establishment_id, c.cpts_id) {
            (Some(e), _) => format!("e:{e}"),
            (_, Some(k)) => format!("c:{k}"),
            _ => String::new(),
        },
        services: c.scope.split(',').map(String::from).collect(),
        status: c.status,
        signed_on: c.signed_on.map(|d| d.to_string()).unwrap_or_default(),
        expires_on: c.expires_on.map(|d| d.to_string()).unwrap_or_default(),
        notes: c.notes,
    };
    form_page(&state, &auth, &scope, Some(id), v, Vec::new()).await
}

/// Reads the multipart form: the fields and the PDF, if one was chosen.
async fn read_form(form: Multipart) -> Result<(FormValues, Option<(String, Vec<u8>)>), String> {
    let mut u = crate::pages::Upload::read(form, &["document"]).await?;
    let v = FormValues {
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

/// The message for a store refusal on a convention.
fn store_error(e: StoreError) -> Result<FieldError, StoreError> {
    match e {
        StoreError::Invalid("team_id") => Ok(FieldError::new(
            "team_id",
            "cette équipe n'est pas une équipe de votre région",
            "this team is not one of your region's",
        )),
        StoreError::Invalid(_) => Ok(FieldError::new(
            "partner",
            "le partenaire doit être un ES, un EMS ou une CPTS de la région de l'équipe",
            "the partner must be an ES, an EMS or a CPTS of the team's region",
        )),
        other => Err(other),
    }
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
    let mut errors = Vec::new();
    let (establishment_id, cpts_id) = match v.partner.split_once(':') {
        Some(("e", n)) => (n.parse().ok(), None),
        Some(("c", n)) => (None, n.parse().ok()),
        _ => (None, None),
    };
    let input = ConventionInput {
        team_id: v.team_id.trim().parse().ok(),
        establishment_id,
        cpts_id,
        services: Some(v.services.clone()),
        status: Some(v.status.clone()),
        signed_on: Some(v.signed_on.clone()),
        expires_on: Some(v.expires_on.clone()),
        notes: Some(v.notes.clone()),
    };
    let checked = NewConvention::validate(&input).map_err(|mut e| {
        // The form has one partner select for the two store fields.
        for x in &mut e {
            if x.field == "establishment_id" || x.field == "cpts_id" {
                x.field = "partner";
            }
        }
        e
    });
    let doc = match file.map(|(name, bytes)| Document::check(&name, bytes)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    };
    let c = match checked {
        Ok(c) if errors.is_empty() => c,
        Ok(_) => return form_page(&state, &auth, &scope, id, v, errors).await,
        Err(mut e) => {
            e.extend(errors);
            return form_page(&state, &auth, &scope, id, v, e).await;
        }
    };
    let actor = auth.actor(user, scope.clone());
    match cratb_app::network::save_convention(&state.db, &actor, id, &c, doc.as_ref()).await {
        Ok(saved_id) => Ok(crate::pages::login::redirect(&format!(
            "/network/conventions/{saved_id}?saved=1"
        ))),
        Err(AppError::Store(e)) => match store_error(e) {
            Ok(fe) => form_page(&state, &auth, &scope, id, v, vec![fe]).await,
            Err(e) => Err(PageError::store(lang)(e)),
        },
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// E-mails each team the list of its conventions in force that expire within
/// [`REMIND_WITHIN_DAYS`], so that renewals are prepared in time.
pub async fn remind(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let today = cratb_store::now().date();
    let soon = network::list_conventions(
        &state.db,
        &scope,
        &ConventionQuery {
            expiring_within: Some(REMIND_WITHIN_DAYS),
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(PageError::store(lang))?;
    let teams = network::list_teams(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?;
    let (mut sent, mut without_address, mut failed) = (0, 0, 0);
    for t in &teams {
        let mine: Vec<&Convention> = soon.iter().filter(|c| c.team_id == t.team.id).collect();
        if mine.is_empty() {
            continue;
        }
        let Some(to) = &t.team.email else {
            without_address += 1;
            continue;
        };
        let lines: Vec<String> = mine
            .iter()
            .map(|c| {
                format!(
                    "- {} : échéance le {}",
                    c.partner_name,
                    c.expires_on
                        .map(|d| fmt_date(d, Lang::Fr))
                        .unwrap_or_default()
                )
            })
            .collect();
        let body = format!(
            "Bonjour,\n\nLes conventions suivantes de l'équipe {} arrivent à échéance dans les {REMIND_WITHIN_DAYS} jours :\n\n{}\n\n\
             Pensez à préparer leur renouvellement avec les établissements concernés.\n\nLe secrétariat du CRAtb\n",
            t.team.name,
            lines.join("\n")
        );
        match state
            .config
            .mailer
            .send(
                to,
                &format!("{} : conventions à renouveler", t.team.name),
                body,
            )
            .await
        {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::warn!(error = %e, team = t.team.id, "reminder not sent");
                failed += 1;
            }
        }
    }
    auth.actor(user, scope.clone())
        .record(
            &state.db,
            "convention.remind",
            "convention",
            scope.region_filter(),
            format!(
                "rappels d'échéance : {} conventions, {sent} équipes prévenues, {without_address} sans adresse, {failed} échecs ({})",
                soon.len(),
                state.config.mailer.describe()
            ),
        )
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/network/conventions?expiring=1&reminded={sent}&unreached={}",
        without_address + failed
    )))
}
