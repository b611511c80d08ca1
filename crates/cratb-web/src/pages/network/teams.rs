//! EMA teams: the list with the missing-discipline flags, a team's page with its members and
//! conventions, the team form, adding and removing members.

use super::{can_edit_team, fmt_date};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use crate::pages::directory::own_region;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, field_error, form_status, non_empty, options, render,
    render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_app::AppError;
use cratb_domain::Lang;
use cratb_domain::{Permission, Profession, RegionCode, Scope, Sector, geo};
use cratb_store::directory::{self, DirectoryQuery};
use cratb_store::establishments::{self, EstablishmentQuery};
use cratb_store::network::{self, MemberInput, NewMember, NewTeam, TeamInput, TeamView};
use cratb_store::{FieldError, PageRequest, StoreError, reference};
use serde::Deserialize;

/// A team with its labels resolved for display.
pub struct TeamRow {
    pub v: TeamView,
    pub departments: String,
    pub sectors: String,
    pub missing: String,
    pub fte: String,
    pub phone: String,
}

impl TeamRow {
    fn new(v: TeamView, lang: Lang) -> TeamRow {
        TeamRow {
            departments: v
                .departments
                .iter()
                .map(|d| {
                    geo::department(d).map_or(d.clone(), |x| format!("{} ({})", x.name, x.code))
                })
                .collect::<Vec<_>>()
                .join(", "),
            sectors: v
                .team
                .sectors
                .split(',')
                .filter_map(Sector::parse)
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join(", "),
            missing: v
                .missing_disciplines
                .iter()
                .filter_map(|d| Profession::parse(d))
                .map(|d| d.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            fte: format_fte(v.fte(), lang),
            phone: crate::pages::readable_phone(v.team.phone.as_deref()),
            v,
        }
    }
}

/// `1,5` in French, `1.5` in English.
fn format_fte(fte: f64, lang: Lang) -> String {
    let s = format!("{fte:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    lang.pick(s.replace('.', ","), s)
}

#[derive(Template)]
#[template(path = "network/teams.html")]
struct TeamsPage {
    l: Layout,
    rows: Vec<TeamRow>,
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
        rows: teams.into_iter().map(|v| TeamRow::new(v, lang)).collect(),
        can_create: auth.can(Permission::EditDirectory),
    }))
}

/// A member as shown on the team's page.
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub discipline: &'static str,
    pub fte: String,
}

/// A convention as listed on the team's page.
pub struct TeamConvention {
    pub id: i64,
    pub partner: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "network/team.html")]
struct TeamPage {
    l: Layout,
    t: TeamRow,
    members: Vec<MemberRow>,
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
    let v = network::get_team(&state.db, scope, id)
        .await
        .map_err(PageError::store(lang))?;
    let can_edit = can_edit_team(state, auth, id).await?;
    let today = cratb_store::now().date();
    let conventions = network::list_conventions(
        &state.db,
        scope,
        &network::ConventionQuery {
            team_id: Some(id),
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(PageError::store(lang))?
    .into_iter()
    .map(|c| {
        let status = c.effective_status(today);
        TeamConvention {
            id: c.id,
            partner: c.partner_name.clone(),
            status: status.label(lang),
            status_code: status.code(),
            expires: c.expires_on.map(|d| fmt_date(d, lang)).unwrap_or_default(),
        }
    })
    .collect();
    let region = Scope::Region(
        RegionCode::parse(&v.team.region_code).map_err(|_| PageError::NotFound(lang))?,
    );
    let candidates = if can_edit {
        let members: Vec<i64> = v.members.iter().map(|m| m.professional_id).collect();
        directory::list(
            &state.db,
            &region,
            &DirectoryQuery {
                role: Some("ema_member".into()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await
        .map_err(PageError::store(lang))?
        .items
        .into_iter()
        .filter(|p| !members.contains(&p.id))
        .map(|p| Opt {
            selected: member.0.professional_id == Some(p.id),
            label: format!(
                "{} {} — {}",
                p.last_name,
                p.first_name,
                Profession::parse(&p.profession).map_or("?", |x| x.label(lang))
            ),
            value: p.id.to_string(),
        })
        .collect()
    } else {
        Vec::new()
    };
    let members = v
        .members
        .iter()
        .map(|m| MemberRow {
            id: m.professional_id,
            name: format!("{} {}", m.last_name, m.first_name),
            discipline: Profession::parse(&m.discipline).map_or("?", |p| p.label(lang)),
            fte: format_fte(m.fte, lang),
        })
        .collect();
    let page = TeamPage {
        l: Layout::new(auth, &v.team.name),
        t: TeamRow::new(v, lang),
        members,
        conventions,
        can_edit,
        candidates,
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

#[derive(Deserialize)]
pub struct MemberForm {
    professional_id: Option<String>,
    discipline: Option<String>,
    fte: Option<String>,
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
    let input = MemberInput {
        professional_id: non_empty(&f.professional_id).and_then(|p| p.parse().ok()),
        discipline: f.discipline,
        fte: f.fte,
    };
    let m = match NewMember::validate(&input) {
        Ok(m) => m,
        Err(errors) => return team_page(&state, &auth, &scope, id, (input, errors), false).await,
    };
    let user = auth.user.clone().ok_or(PageError::Forbidden(lang))?;
    match cratb_app::network::set_member(&state.db, &auth.actor(&user, scope.clone()), id, &m).await
    {
        Ok(()) => {}
        Err(AppError::Store(StoreError::Invalid(_))) => {
            let e = FieldError::new(
                "professional_id",
                "ce professionnel n'est pas dans l'annuaire de la région",
                "this professional is not in the region's directory",
            );
            return team_page(&state, &auth, &scope, id, (input, vec![e]), false).await;
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

/// What was typed in the team form.
#[derive(Default)]
pub struct TeamValues {
    pub name: String,
    pub ght_id: String,
    pub host: String,
    pub sectors: Vec<String>,
    pub departments: Vec<String>,
    pub phone: String,
    pub hours: String,
    pub email: String,
    pub teleexpertise: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "network/team_form.html")]
struct TeamFormPage {
    l: Layout,
    action: String,
    cancel: String,
    v: TeamValues,
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
    v: TeamValues,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    // The region's lists: the team's own, or the caller's; a national account creating a team
    // sees every region's (the store checks they agree).
    let region = RegionCode::parse(&v.region)
        .ok()
        .or_else(|| own_region(scope));
    let lists = match &region {
        Some(r) => Scope::Region(r.clone()),
        None => Scope::National,
    };
    let ghts = reference::list_territories(&state.db, &lists, Some("GHT"))
        .await
        .map_err(PageError::store(lang))?;
    let hosts = establishments::list(
        &state.db,
        &lists,
        &EstablishmentQuery {
            sector: Some("ES".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(500)),
    )
    .await
    .map_err(PageError::store(lang))?
    .items;
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
        ghts: options(
            ghts.iter().map(|g| (g.id.to_string(), g.name.clone())),
            &v.ght_id,
        ),
        hosts: options(
            hosts
                .iter()
                .map(|e| (e.id.to_string(), format!("{} ({})", e.name, e.finess))),
            &v.host,
        ),
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
    let v = TeamValues {
        sectors: vec!["ES".into(), "EMS".into()],
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
    let t = network::get_team(&state.db, &scope, id)
        .await
        .map_err(PageError::store(lang))?;
    require_edit(&state, &auth, id).await?;
    let v = TeamValues {
        name: t.team.name,
        ght_id: t.team.ght_id.map(|g| g.to_string()).unwrap_or_default(),
        host: t.team.host_establishment_id.to_string(),
        sectors: t.team.sectors.split(',').map(String::from).collect(),
        departments: t.departments,
        phone: crate::pages::readable_phone(t.team.phone.as_deref()),
        hours: t.team.hours.unwrap_or_default(),
        email: t.team.email.unwrap_or_default(),
        teleexpertise: t.team.teleexpertise.unwrap_or_default(),
        region: t.team.region_code,
    };
    form_page(&state, &auth, &scope, Some(id), v, Vec::new()).await
}

/// The form's fields (`sectors` and `departments` repeat).
fn read_form(fields: Vec<(String, String)>) -> TeamValues {
    let mut v = TeamValues::default();
    for (key, value) in fields {
        let slot = match key.as_str() {
            "sectors" => {
                v.sectors.push(value);
                continue;
            }
            "departments" => {
                v.departments.push(value);
                continue;
            }
            "name" => &mut v.name,
            "ght_id" => &mut v.ght_id,
            "host_establishment_id" => &mut v.host,
            "phone" => &mut v.phone,
            "hours" => &mut v.hours,
            "email" => &mut v.email,
            "teleexpertise" => &mut v.teleexpertise,
            "region" => &mut v.region,
            _ => continue,
        };
        *slot = value;
    }
    v
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, None, read_form(fields)).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(fields): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(state, auth, Some(id), read_form(fields)).await
}

/// The message for a store refusal on a team.
pub fn team_store_error(e: StoreError) -> Result<FieldError, StoreError> {
    match e {
        StoreError::Conflict(_) => Ok(FieldError::new(
            "name",
            "une équipe de la région porte déjà ce nom",
            "a team of the region already has this name",
        )),
        StoreError::Invalid("host_establishment_id") => Ok(FieldError::new(
            "host_establishment_id",
            "cet établissement n'est pas un établissement de la région",
            "this establishment is not one of the region's",
        )),
        StoreError::Invalid("ght_id") => Ok(FieldError::new(
            "ght_id",
            "ce GHT n'est pas un GHT de la région",
            "this GHT is not one of the region's",
        )),
        StoreError::Invalid(f) => Ok(FieldError::new(
            f,
            "cette région n'est pas la vôtre",
            "this region is not yours",
        )),
        other => Err(other),
    }
}

async fn save(state: AppState, auth: Auth, id: Option<i64>, v: TeamValues) -> PageResult {
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
    let mut errors = Vec::new();
    let mut number = |field: &'static str, text: &str| -> Option<i64> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        t.parse()
            .map_err(|_| {
                errors.push(FieldError::new(
                    field,
                    "choisissez dans la liste",
                    "choose from the list",
                ))
            })
            .ok()
    };
    let input = TeamInput {
        name: Some(v.name.clone()),
        ght_id: number("ght_id", &v.ght_id),
        host_establishment_id: number("host_establishment_id", &v.host),
        sectors: Some(v.sectors.clone()),
        departments: Some(v.departments.clone()),
        phone: Some(v.phone.clone()),
        hours: Some(v.hours.clone()),
        email: Some(v.email.clone()),
        teleexpertise: Some(v.teleexpertise.clone()),
        region: Some(v.region.clone()),
    };
    let team = match (
        NewTeam::validate(&input, region.as_ref()),
        errors.is_empty(),
    ) {
        (Ok(t), true) => t,
        (Ok(_), false) => return form_page(&state, &auth, &scope, id, v, errors).await,
        (Err(mut e), _) => {
            e.extend(errors);
            return form_page(&state, &auth, &scope, id, v, e).await;
        }
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
        Err(AppError::NotFound) => Err(PageError::NotFound(lang)),
        Err(AppError::Store(e)) => match team_store_error(e) {
            Ok(fe) => form_page(&state, &auth, &scope, id, v, vec![fe]).await,
            Err(e) => Err(PageError::store(lang)(e)),
        },
        Err(e) => Err(PageError::app(lang)(e)),
    }
}
