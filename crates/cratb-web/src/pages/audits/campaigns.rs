//! A campaign: started from its form (title, grid, period, the participating establishments
//! of the grid's sectors by department, or a CPTS; the target per establishment), its page
//! (state, progress per establishment, entry links, close and reopen) and the sheet of paper
//! grids typed back (all or nothing, each refused cell with its line, column and value).

use super::{Progress, day};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::export::CsvParam;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::{
    Layout, ListForm, Opt, PageResult, field_error, form_status, non_empty, options, render_status,
};
use askama::Template;
use axum::extract::{Multipart, State};
use cratb_app::AppError;
use cratb_app::audits::{CampaignView, SheetRefusal};
use cratb_audit::campaign::{CampaignInput, Count, DEFAULT_TARGET, State as CampaignState};
use cratb_audit::cases::CellError;
use cratb_domain::{FieldError, Permission, RegionCode, Role, Scope};
use cratb_sheet::write::{Cell, Table};
use cratb_store::PageRequest;
use cratb_store::establishments::{self, EstablishmentQuery};
use serde::Deserialize;

/// An establishment offered to a new campaign.
pub struct PlaceBox {
    pub finess: String,
    pub name: String,
    pub ticked: bool,
}

/// A department's establishments, as the form groups them.
pub struct Department {
    pub code: String,
    pub places: Vec<PlaceBox>,
}

/// What was typed in the campaign form.
#[derive(Default)]
pub struct Typed {
    pub region: String,
    pub title: String,
    pub grid_id: String,
    pub starts_on: String,
    pub ends_on: String,
    pub establishments: Vec<String>,
    pub territory_id: String,
    pub target: String,
}

fn count_text(c: &Option<Count>) -> String {
    match c {
        Some(Count::Number(n)) => n.to_string(),
        Some(Count::Text(t)) => t.trim().to_string(),
        None => String::new(),
    }
}

impl Typed {
    fn of(i: &CampaignInput) -> Typed {
        Typed {
            region: i.region.clone().unwrap_or_default(),
            title: i.title.clone().unwrap_or_default(),
            grid_id: count_text(&i.grid_id),
            starts_on: i.starts_on.clone().unwrap_or_default(),
            ends_on: i.ends_on.clone().unwrap_or_default(),
            establishments: i.establishments.clone().map(|l| l.0).unwrap_or_default(),
            territory_id: count_text(&i.territory_id),
            target: count_text(&i.target),
        }
    }
}

#[derive(Template)]
#[template(path = "audits/campaign_new.html")]
struct NewPage {
    l: Layout,
    v: Typed,
    national: bool,
    grids: Vec<Opt>,
    departments: Vec<Department>,
    cpts: Vec<Opt>,
    grid_chosen: bool,
    errors: Vec<FieldError>,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    grid_id: Option<String>,
    region: Option<String>,
}

async fn new_page(state: &AppState, auth: &Auth, v: Typed, errors: Vec<FieldError>) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let now = cratb_store::now();
    let library = cratb_app::audits::grids(&state.db, now)
        .await
        .map_err(PageError::app(lang))?;
    let grids = options(
        library.iter().map(|g| {
            (
                g.id.to_string(),
                format!("{} v{} — {}", g.code, g.version, g.title_fr),
            )
        }),
        &v.grid_id,
    );
    // The establishments of the region, of the sectors the chosen grid covers.
    let region_scope = match &scope {
        Scope::Region(r) => Some(Scope::Region(r.clone())),
        Scope::National => RegionCode::parse(v.region.trim()).ok().map(Scope::Region),
    };
    let grid = match v.grid_id.trim().parse::<i64>() {
        Ok(id) => cratb_app::audits::grid(&state.db, id).await.ok(),
        Err(_) => None,
    };
    let mut departments: Vec<Department> = Vec::new();
    let mut cpts = Vec::new();
    if let (Some(rs), Some((_, grid))) = (&region_scope, &grid) {
        let mut places = Vec::new();
        for sector in &grid.sectors {
            let mut page = 1;
            loop {
                let found = establishments::list(
                    &state.db,
                    rs,
                    &EstablishmentQuery {
                        sector: Some(sector.code().to_string()),
                        ..Default::default()
                    },
                    PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
                )
                .await
                .map_err(PageError::store(lang))?;
                let last = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
                places.extend(found.items);
                if last || page >= 40 {
                    break;
                }
                page += 1;
            }
        }
        places.sort_by(|a, b| (&a.department_code, &a.name).cmp(&(&b.department_code, &b.name)));
        for e in places {
            let place = PlaceBox {
                ticked: v.establishments.contains(&e.finess),
                finess: e.finess,
                name: e.name,
            };
            match departments.last_mut() {
                Some(d) if d.code == e.department_code => d.places.push(place),
                _ => departments.push(Department {
                    code: e.department_code,
                    places: vec![place],
                }),
            }
        }
    }
    if let Some(rs) = &region_scope {
        cpts = options(
            cratb_store::reference::list_territories(&state.db, rs, Some("CPTS"))
                .await
                .map_err(PageError::store(lang))?
                .into_iter()
                .map(|t| (t.id.to_string(), t.name)),
            &v.territory_id,
        );
    }
    let status = form_status(&errors);
    Ok(render_status(
        &NewPage {
            l: Layout::new(auth, lang.tr().au_new_campaign),
            national: matches!(scope, Scope::National),
            grid_chosen: grid.is_some(),
            v,
            grids,
            departments,
            cpts,
            errors,
        },
        status,
    ))
}

/// `GET /audits/campaigns/new`: the form (`?grid_id=` lists the grid's establishments).
pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let v = Typed {
        grid_id: non_empty(&q.grid_id).unwrap_or_default(),
        region: non_empty(&q.region).unwrap_or_default(),
        target: DEFAULT_TARGET.to_string(),
        ..Default::default()
    };
    new_page(&state, &auth, v, Vec::new()).await
}

/// `POST /audits/campaigns`: starts the campaign.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ListForm(input): ListForm<CampaignInput>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    match cratb_app::audits::start(&state.db, &actor, &input, cratb_store::now()).await {
        Ok(id) => Ok(crate::pages::login::redirect(&format!(
            "/audits/campaigns/{id}"
        ))),
        Err(AppError::Invalid(errors)) => new_page(&state, &auth, Typed::of(&input), errors).await,
        Err(AppError::Conflict(f)) => new_page(&state, &auth, Typed::of(&input), vec![f]).await,
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// A participant's line on the campaign's page.
pub struct ParticipantLine {
    pub finess: String,
    pub name: String,
    pub department: String,
    pub progress: Progress,
    pub may_enter: bool,
}

/// What a sheet upload came to.
pub enum SheetOutcome {
    Loaded(usize),
    Refused(Vec<CellError>),
    Other(String),
}

#[derive(Template)]
#[template(path = "audits/campaign.html")]
struct CampaignPage {
    l: Layout,
    id: i64,
    state: &'static str,
    state_code: &'static str,
    grid: String,
    grid_id: i64,
    period: String,
    territory: Option<String>,
    target: i32,
    participants: Vec<ParticipantLine>,
    total: Progress,
    may_manage: bool,
    may_enter: bool,
    may_read_cases: bool,
    closed: bool,
    sheet: Option<SheetOutcome>,
}

fn campaign_page(auth: &Auth, view: CampaignView, sheet: Option<SheetOutcome>) -> PageResult {
    let lang = auth.lang;
    let c = &view.campaign;
    let mine: Vec<&str> = view.may_enter.iter().map(|p| p.finess.as_str()).collect();
    let participants: Vec<ParticipantLine> = view
        .participants
        .iter()
        .map(|p| ParticipantLine {
            finess: p.finess.clone(),
            name: p.name.clone(),
            department: p.department_code.clone(),
            progress: Progress::of(p, c.target),
            may_enter: mine.contains(&p.finess.as_str()),
        })
        .collect();
    let total = Progress::new(
        participants.iter().map(|p| p.progress.validated).sum(),
        participants.iter().map(|p| p.progress.target).sum(),
        participants.iter().map(|p| p.progress.drafts).sum(),
    );
    let role = auth.user.as_ref().map(|u| u.role());
    let status = match &sheet {
        Some(SheetOutcome::Refused(_) | SheetOutcome::Other(_)) => {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => axum::http::StatusCode::OK,
    };
    Ok(render_status(
        &CampaignPage {
            l: Layout::new(auth, &c.title),
            id: c.id,
            state: view.state.label(lang),
            state_code: view.state.code(),
            grid: format!("{} v{} — {}", c.grid_code, c.grid_version, c.grid_title),
            grid_id: c.grid_id,
            period: format!("{} – {}", day(c.starts_on, lang), day(c.ends_on, lang)),
            territory: c.territory_name.clone(),
            target: c.target,
            participants,
            total,
            may_manage: view.may_manage,
            may_enter: !view.may_enter.is_empty(),
            may_read_cases: auth.can(Permission::EnterAuditCases)
                && !matches!(role, Some(Role::ArsReader | Role::Secretary)),
            closed: view.state == CampaignState::Closed,
            sheet,
        },
        status,
    ))
}

/// `GET /audits/campaigns/{id}`: the campaign and its progress.
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let view = cratb_app::audits::campaign(&state.db, &actor, user, id, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    campaign_page(&auth, view, None)
}

async fn set_closed(state: &AppState, auth: &Auth, id: i64, closed: bool) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    cratb_app::audits::set_closed(&state.db, &actor, id, closed)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/audits/campaigns/{id}"
    )))
}

/// `POST /audits/campaigns/{id}/close`.
pub async fn close(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    set_closed(&state, &auth, id, true).await
}

/// `POST /audits/campaigns/{id}/reopen`.
pub async fn reopen(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    set_closed(&state, &auth, id, false).await
}

/// `POST /audits/campaigns/{id}/sheet`: loads a sheet of cases, all or nothing.
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let mut upload = crate::upload::Upload::read(form, &["file"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let outcome = match upload.take_file("file", "dossiers") {
        None => SheetOutcome::Other(lang.tr().au_no_file.into()),
        Some((_, bytes)) => {
            match cratb_app::audits::import_cases(&state.db, &actor, user, id, &bytes, now).await {
                Ok(n) => SheetOutcome::Loaded(n),
                Err(SheetRefusal::Cells(cells)) => SheetOutcome::Refused(cells),
                Err(SheetRefusal::App(AppError::Invalid(e))) => SheetOutcome::Other(
                    e.iter()
                        .map(|f| f.message(lang))
                        .collect::<Vec<_>>()
                        .join(" ; "),
                ),
                Err(SheetRefusal::App(e)) => return Err(PageError::app(lang)(e)),
            }
        }
    };
    let view = cratb_app::audits::campaign(&state.db, &actor, user, id, now)
        .await
        .map_err(PageError::app(lang))?;
    campaign_page(&auth, view, Some(outcome))
}

/// `GET /audits/campaigns/{id}/modele.csv`: the sheet to fill in (its header).
pub async fn template(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(style): Query<CsvParam>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let view = cratb_app::audits::campaign(&state.db, &actor, user, id, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    let mut header = vec!["case_id".to_string(), "establishment".to_string()];
    header.extend(view.grid.criteria.iter().map(|c| c.code.clone()));
    let rows: Vec<Vec<Cell>> = Vec::new();
    crate::export::download(
        &format!("modele-{}", view.grid.code),
        "csv",
        style,
        [Table::new("dossiers", header, rows)],
        lang,
    )
}
