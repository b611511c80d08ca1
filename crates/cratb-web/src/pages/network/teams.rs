//! EMA teams: the list with the missing-discipline flags, a team's page with its members and
//! conventions, the team form, adding and removing members.

use super::can_edit_team;
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::directory::own_region;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, field_error, form_status, options, render, render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_app::AppError;
use cratb_directory::network::{
    MemberForm, MemberInput, MemberLabels, NewMember, TeamConvention, TeamForm, TeamLabels,
};
use cratb_domain::{FieldError, Permission, Profession, RegionCode, Scope, Sector, geo};
use cratb_store::network;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "network/teams.html")]
struct TeamsPage {
    l: Layout,
    rows: Vec<TeamLabels>,
    can_create: bool,
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let teams = network::list_teams(&state.db, &scope)
        .await
        .map_err(PageError::store(lang))?;
    Ok(render(&TeamsPage {
        l: Layout::new(&auth, lang.tr().net_teams),
        rows: teams
            .into_iter()
            .map(|v| TeamLabels::new(v, lang))
            .collect(),
        can_create: auth.can(Permission::EditDirectory),
    }))
}

#[derive(Template)]
#[template(path = "network/team.html")]
struct TeamPage {
    l: Layout,
    t: TeamLabels,
    members: Vec<MemberLabels>,
    conventions: Vec<TeamConvention>,
    can_edit: bool,
    candidates: Vec<Opt>,
    disciplines: Vec<Opt>,
    fte: String,
    errors: Vec<FieldError>,
    saved: bool,
}

impl TeamPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// The team's page; `member` holds what was typed in the add-member form when it came back
/// with errors.
async fn team_page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    id: i64,
    member: (MemberInput, Vec<FieldError>),
    saved: bool,
) -> PageResult {
    let lang = auth.lang;
    let can_edit = can_edit_team(state, auth, id).await?;
    let today = cratb_store::now().date();
    let sheet = cratb_app::network::team_sheet(&state.db, scope, id, can_edit, today)
        .await
        .map_err(PageError::app(lang))?;
    let page = TeamPage {
        l: Layout::new(auth, &sheet.team.team.name),
        members: (sheet.team.members.iter())
            .map(|m| MemberLabels::new(m, lang))
            .collect(),
        t: TeamLabels::new(sheet.team, lang),
        conventions: (sheet.conventions.iter())
            .map(|c| TeamConvention::new(c, today, lang))
            .collect(),
        can_edit,
        candidates: (sheet.candidates.iter())
            .map(|p| Opt {
                selected: member.0.professional_id == Some(p.id),
                label: p.label(lang),
                value: p.id.to_string(),
            })
            .collect(),
        disciplines: options(
            Profession::ALL.iter().map(|p| (p.code(), p.label(lang))),
            member.0.discipline.as_deref().unwrap_or(""),
        ),
        fte: member.0.fte.clone().unwrap_or_default(),
        errors: member.1,
        saved,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let (_, scope) = auth.page_user()?;
    team_page(
        &state,
        &auth,
        &scope,
        id,
        (MemberInput::default(), Vec::new()),
        q.saved.is_some(),
    )
    .await
}

/// Refuses a caller who may not change this team.
async fn require_edit(state: &AppState, auth: &Auth, id: i64) -> Result<(), PageError> {
    if can_edit_team(state, auth, id).await? {
        Ok(())
    } else {
        Err(PageError::Forbidden(auth.lang))
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(f): HtmlForm<MemberForm>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    network::get_team(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    require_edit(&state, &auth, id).await?;
    let input = f.input();
    let m = match NewMember::validate(&input) {
        Ok(m) => m,
        Err(errors) => return team_page(&state, &auth, &scope, id, (input, errors), false).await,
    };
    let user = auth.user.clone().ok_or(PageError::Forbidden(lang))?;
    match cratb_app::network::set_member(&state.db, &auth.actor(&user, scope.clone()), id, &m).await
    {
        Ok(()) => {}
        Err(AppError::Invalid(e)) => {
            return team_page(&state, &auth, &scope, id, (input, e), false).await;
        }
        Err(e) => return Err(PageError::app(lang)(e)),
    }
    Ok(crate::pages::login::redirect(&format!(
        "/network/teams/{id}?saved=1"
    )))
}

pub async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, member)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    // Another region's team is not found before anything is said of who may change it.
    network::get_team(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    require_edit(&state, &auth, id).await?;
    cratb_app::network::remove_member(&state.db, &auth.actor(user, scope), id, member)
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/network/teams/{id}?saved=1"
    )))
}

#[derive(Template)]
#[template(path = "network/team_form.html")]
struct TeamFormPage {
    l: Layout,
    action: String,
    cancel: String,
    v: TeamForm,
    ghts: Vec<Opt>,
    hosts: Vec<Opt>,
    sectors: Vec<Opt>,
    departments: Vec<Opt>,
    regions: Vec<Opt>,
    errors: Vec<FieldError>,
}

impl TeamFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    fn contacts(&self) -> Vec<crate::pages::Field<'_>> {
        let tr = self.l.tr;
        vec![
            ("phone", tr.net_team_phone, &self.v.phone, "tel"),
            ("hours", tr.net_hours, &self.v.hours, "text"),
            ("email", tr.email, &self.v.email, "email"),
            (
                "teleexpertise",
                tr.net_teleexpertise,
                &self.v.teleexpertise,
                "text",
            ),
        ]
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    scope: &Scope,
    id: Option<i64>,
    v: TeamForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    // The region's lists: the team's own, or the caller's; a national account creating a team
    // sees every region's (the store checks they agree).
    let region = RegionCode::parse(&v.region)
        .ok()
        .or_else(|| own_region(scope));
    let (ghts, hosts) = cratb_app::network::team_choices(&state.db, region.as_ref())
        .await
        .map_err(PageError::app(lang))?;
    let page = TeamFormPage {
        l: Layout::new(
            auth,
            if id.is_some() {
                lang.tr().edit
            } else {
                lang.tr().net_new_team
            },
        ),
        action: id.map_or("/network/teams".into(), |i| format!("/network/teams/{i}")),
        cancel: id.map_or("/network/teams".into(), |i| format!("/network/teams/{i}")),
        ghts: options(ghts, &v.ght_id),
        hosts: options(hosts, &v.host),
        sectors: crate::pages::checks(
            Sector::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &v.sectors,
        ),
        departments: crate::pages::checks(
            geo::DEPARTMENTS
                .iter()
                .filter(|d| region.as_ref().is_none_or(|r| r.as_str() == d.region))
                .map(|d| (d.code, format!("{} ({})", d.name, d.code))),
            &v.departments,
        ),
        regions: match (scope, id) {
            (Scope::National, None) => {
                options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &v.region)
            }
            _ => Vec::new(),
        },
        v,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let (_, scope) = auth.page_user()?;
    form_page(&state, &auth, &scope, None, TeamForm::blank(), Vec::new()).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let t = network::get_team(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    require_edit(&state, &auth, id).await?;
    form_page(&state, &auth, &scope, Some(id), TeamForm::of(t), Vec::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, None, TeamForm::from_pairs(fields)).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, Some(id), TeamForm::from_pairs(fields)).await
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, v: TeamForm) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let region = match id {
        Some(i) => {
            let t = network::get_team(&state.db, &scope, i)
                .await
                .map_err(PageError::store(lang))?;
            require_edit(&state, &auth, i).await?;
            RegionCode::parse(&t.team.region_code).ok()
        }
        None => {
            if !auth.can(Permission::EditDirectory) {
                return Err(PageError::Forbidden(lang));
            }
            own_region(&scope)
        }
    };
    let team = match v.validate(region.as_ref()) {
        Ok(t) => t,
        Err(e) => return form_page(&state, &auth, &scope, id, v, e).await,
    };
    let user = auth.user.clone().ok_or(PageError::Forbidden(lang))?;
    let actor = auth.actor(&user, scope.clone());
    let saved = match id {
        Some(i) => cratb_app::network::update_team(&state.db, &actor, i, &team)
            .await
            .map(|_| i),
        None => cratb_app::network::create_team(&state.db, &actor, &team).await,
    };
    match saved {
        Ok(saved_id) => Ok(crate::pages::login::redirect(&format!(
            "/network/teams/{saved_id}?saved=1"
        ))),
        Err(AppError::Invalid(e)) => form_page(&state, &auth, &scope, id, v, e).await,
        Err(AppError::Conflict(fe)) => form_page(&state, &auth, &scope, id, v, vec![fe]).await,
        Err(e) => Err(PageError::app(lang)(e)),
    }
}
