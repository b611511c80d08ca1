//! Action plans' pages: the plans one follows (and one's overdue actions first), the region's
//! overdue actions, a plan written after a campaign (its grid's criteria proposed as aims) or
//! from an indicator, a plan's actions with their status changed in one click, added, edited
//! and removed. Every write goes through [`cratb_app::plans`], which writes the audit log.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Lang;
use crate::input::{Path, Query};
use crate::pages::advice::Fields;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, form_status, non_empty, options, render, render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_app::AppError;
use cratb_audit::campaign::Count;
use cratb_audit::grid::Grid;
use cratb_audit::plan::{ActionInput, ActionStatus, AimKind, PlanInput};
use cratb_directory::network::fmt_date;
use cratb_domain::{FieldError, Permission, paris};
use cratb_store::plans::{ActionRow, OpenAction};
use serde::Deserialize;
use time::Date;

/// A plan as the list shows it.
pub struct PlanLine {
    pub id: i64,
    pub establishment: String,
    pub title: String,
    pub campaign: Option<String>,
    pub done: i64,
    pub total: i64,
    pub overdue: i64,
}

/// An open action past its due date.
pub struct LateLine {
    pub plan_id: i64,
    pub establishment: String,
    pub plan_title: String,
    pub action: String,
    pub owner: String,
    pub due: String,
    pub days_late: i64,
}

pub fn late_lines(rows: Vec<OpenAction>, today: Date, lang: Lang) -> Vec<LateLine> {
    rows.into_iter()
        .map(|o| LateLine {
            plan_id: o.action.plan_id,
            establishment: o.establishment_name,
            plan_title: o.plan_title,
            owner: o.action.owner_name.clone().unwrap_or_default(),
            due: fmt_date(o.action.due_on, lang),
            days_late: (today - o.action.due_on).whole_days(),
            action: o.action.title,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "plans/list.html")]
struct ListPage {
    l: Layout,
    plans: Vec<PlanLine>,
    late: Vec<LateLine>,
    /// The whole region (the CRAtb staff, the agency), else one's establishments.
    region_wide: bool,
    can_edit: bool,
}

/// `GET /action-plans`: the plans the person follows, their overdue actions first.
pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let today = paris::today(now);
    let plans = cratb_app::plans::plans(&state.db, &actor, user, None, now)
        .await
        .map_err(PageError::app(lang))?;
    let late = cratb_app::plans::overdue_for(&state.db, &actor, user, now)
        .await
        .map_err(PageError::app(lang))?;
    let region_wide = cratb_app::audits::places(&state.db, user, today)
        .await
        .map_err(PageError::app(lang))?
        .is_none();
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.pick("Plans d'action", "Action plans")),
        plans: plans
            .into_iter()
            .map(|p| PlanLine {
                id: p.id,
                establishment: p.establishment_name,
                title: p.title,
                campaign: p.campaign_title,
                done: p.done,
                total: p.actions,
                overdue: p.overdue,
            })
            .collect(),
        late: late_lines(late, today, lang),
        region_wide,
        can_edit: auth.can(Permission::EditActionPlans),
    }))
}

#[derive(Template)]
#[template(path = "plans/overdue.html")]
struct OverduePage {
    l: Layout,
    late: Vec<LateLine>,
}

/// `GET /action-plans/overdue`: the open actions past their due date (the region's for the
/// CRAtb, one's establishments' for a referent or an EMA member).
pub async fn overdue(State(state): State<AppState>, auth: Auth) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let now = cratb_store::now();
    let late = cratb_app::plans::overdue_for(&state.db, &auth.actor(user, scope), user, now)
        .await
        .map_err(PageError::app(lang))?;
    Ok(render(&OverduePage {
        l: Layout::new(&auth, lang.pick("Actions en retard", "Overdue actions")),
        late: late_lines(late, paris::today(now), lang),
    }))
}

/// An action's fields as typed (kept when the form comes back with errors).
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub title: String,
    pub owner_id: String,
    pub due_on: String,
    pub status: String,
    pub aim_kind: String,
    pub aim: String,
    pub aim_criterion: String,
    pub notes: String,
}

impl Typed {
    /// The fields of `f` whose names start with `prefix`.
    fn read(f: &Fields, prefix: &str) -> Typed {
        let t = |n: &str| f.text(&format!("{prefix}{n}"));
        Typed {
            title: t("title"),
            owner_id: t("owner_id"),
            due_on: t("due_on"),
            status: t("status"),
            aim_kind: t("aim_kind"),
            aim: t("aim"),
            aim_criterion: t("aim_criterion"),
            notes: t("notes"),
        }
    }

    fn of(a: &ActionRow, grid: Option<&Grid>) -> Typed {
        let criterion = a.aim_kind == AimKind::Criterion
            && a.aim
                .as_deref()
                .is_some_and(|c| grid.is_some_and(|g| g.criterion(c).is_some()));
        Typed {
            title: a.title.clone(),
            owner_id: a.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            due_on: a.due_on.to_string(),
            status: a.status.code().to_string(),
            aim_kind: a.aim_kind.code().to_string(),
            aim: if criterion {
                String::new()
            } else {
                a.aim.clone().unwrap_or_default()
            },
            aim_criterion: if criterion {
                a.aim.clone().unwrap_or_default()
            } else {
                String::new()
            },
            notes: a.notes.clone().unwrap_or_default(),
        }
    }

    fn is_empty(&self) -> bool {
        self.title.is_empty()
            && self.owner_id.is_empty()
            && self.due_on.is_empty()
            && self.aim.is_empty()
            && self.aim_criterion.is_empty()
            && self.notes.is_empty()
    }

    /// The action as sent to the use case: a criterion chosen in the list is the aim.
    fn input(&self) -> ActionInput {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let (aim_kind, aim) = if self.aim_criterion.is_empty() {
            (some(&self.aim_kind), some(&self.aim))
        } else {
            (
                Some(AimKind::Criterion.code().to_string()),
                some(&self.aim_criterion),
            )
        };
        ActionInput {
            title: some(&self.title),
            owner_id: some(&self.owner_id).map(Count::Text),
            due_on: some(&self.due_on),
            status: some(&self.status),
            aim_kind,
            aim,
            notes: some(&self.notes),
        }
    }
}

/// The choices of an action's form.
pub struct ActionForm {
    pub typed: Typed,
    pub owners: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub aim_kinds: Vec<Opt>,
    /// The criteria of the campaign's grid (none without a campaign).
    pub criteria: Vec<Opt>,
}

/// The form of `typed`, its owners from the directory of `region` (those working in
/// `finess` first).
async fn action_form(
    state: &AppState,
    auth: &Auth,
    region: &str,
    finess: &str,
    grid: Option<&Grid>,
    typed: Typed,
) -> Result<ActionForm, PageError> {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut pros = cratb_app::plans::owners(&state.db, &auth.actor(user, scope), region)
        .await
        .map_err(PageError::app(lang))?;
    pros.sort_by_key(|p| !p.establishments.split(',').any(|f| f.trim() == finess));
    let owners = options(
        pros.iter().map(|p| {
            (
                p.id.to_string(),
                format!("{} {} — {}", p.last_name, p.first_name, p.profession),
            )
        }),
        &typed.owner_id,
    );
    let status = if typed.status.is_empty() {
        ActionStatus::Planned.code().to_string()
    } else {
        typed.status.clone()
    };
    let kind = if typed.aim_kind.is_empty() {
        AimKind::Other.code().to_string()
    } else {
        typed.aim_kind.clone()
    };
    Ok(ActionForm {
        owners,
        statuses: options(
            ActionStatus::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &status,
        ),
        aim_kinds: options(
            AimKind::ALL
                .iter()
                .filter(|k| grid.is_some() || **k != AimKind::Criterion)
                .map(|k| (k.code(), k.label(lang))),
            &kind,
        ),
        criteria: grid.map_or_else(Vec::new, |g| {
            options(
                g.criteria
                    .iter()
                    .filter(|c| c.has_rule())
                    .map(|c| (c.code.clone(), lang.pick(&c.label_fr, &c.label_en).clone())),
                &typed.aim_criterion,
            )
        }),
        typed,
    })
}

/// The message of an action's `field` among a form's errors: its own, or the first action's
/// in a new plan (`actions.0.title`).
pub fn action_error<'a>(errors: &'a [FieldError], field: &str, lang: Lang) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| {
            e.field == field
                || (e.field == "actions" && e.key.as_deref() == Some(&format!("0.{field}")))
        })
        .map(|e| e.message(lang))
}

#[derive(Template)]
#[template(path = "plans/new.html")]
struct NewPage {
    l: Layout,
    establishment: String,
    campaign_id: String,
    campaign_title: Option<String>,
    title: String,
    form: ActionForm,
    errors: Vec<FieldError>,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&str> {
        action_error(&self.errors, field, self.l.lang)
    }
    fn plan_error(&self, field: &str) -> Option<&str> {
        crate::pages::field_error(&self.errors, field, self.l.lang)
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    establishment: Option<String>,
    campaign: Option<String>,
}

/// The campaign `id` as `auth`'s user sees it: its title and grid (404 outside their reach).
async fn campaign_of(
    state: &AppState,
    auth: &Auth,
    id: &str,
) -> Result<Option<(i64, String, String, Grid)>, PageError> {
    let lang = auth.lang;
    if id.is_empty() {
        return Ok(None);
    }
    let id: i64 = id.parse().map_err(|_| PageError::NotFound(lang))?;
    let (user, scope) = auth.page_user()?;
    let v = cratb_app::audits::campaign(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        cratb_store::now(),
    )
    .await
    .map_err(PageError::app(lang))?;
    Ok(Some((id, v.campaign.title, v.campaign.region_code, v.grid)))
}

/// The region of `auth`'s user (a national account: none; the use case refuses).
fn region_of(auth: &Auth) -> String {
    auth.user
        .as_ref()
        .and_then(|u| u.region_code.clone())
        .unwrap_or_default()
}

async fn new_page(
    state: &AppState,
    auth: &Auth,
    establishment: String,
    campaign: String,
    title: String,
    typed: Typed,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let found = campaign_of(state, auth, &campaign).await?;
    let region = found
        .as_ref()
        .map_or_else(|| region_of(auth), |c| c.2.clone());
    let form = action_form(
        state,
        auth,
        &region,
        &establishment,
        found.as_ref().map(|c| &c.3),
        typed,
    )
    .await?;
    let page = NewPage {
        l: Layout::new(auth, lang.pick("Nouveau plan d'action", "New action plan")),
        establishment,
        campaign_id: found.as_ref().map(|c| c.0.to_string()).unwrap_or_default(),
        campaign_title: found.map(|c| c.1),
        title,
        form,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

/// `GET /action-plans/new?establishment=FINESS&campaign=ID`: a plan and its first action.
pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let (user, _) = auth.page_user()?;
    let mut establishment = non_empty(&q.establishment).unwrap_or_default();
    if establishment.is_empty()
        && let Some(id) = user.establishment_ids.first()
        && let Ok(e) =
            cratb_store::establishments::get(&state.db, &cratb_domain::Scope::National, *id).await
    {
        establishment = e.finess;
    }
    new_page(
        &state,
        &auth,
        establishment,
        non_empty(&q.campaign).unwrap_or_default(),
        String::new(),
        Typed::default(),
        Vec::new(),
    )
    .await
}

/// `POST /action-plans/new`: writes the plan and its first action (if one is typed).
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let typed = Typed::read(&f, "a_");
    let (establishment, campaign, title) = (
        f.text("establishment"),
        f.text("campaign_id"),
        f.text("title"),
    );
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let input = PlanInput {
        establishment: some(&establishment),
        campaign_id: some(&campaign).map(Count::Text),
        title: some(&title),
        actions: if typed.is_empty() {
            Vec::new()
        } else {
            vec![typed.input()]
        },
    };
    match cratb_app::plans::create(
        &state.db,
        &auth.actor(user, scope),
        user,
        &input,
        cratb_store::now(),
    )
    .await
    {
        Ok(id) => Ok(crate::pages::login::redirect(&format!(
            "/action-plans/{id}?saved=1"
        ))),
        Err(AppError::Invalid(errors)) => {
            new_page(&state, &auth, establishment, campaign, title, typed, errors).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// An action as the plan's page shows it.
pub struct ActionLine {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub overdue: bool,
    /// What it aims at, in words.
    pub aim: String,
    pub notes: String,
    /// The other statuses, for the one-click change.
    pub next: Vec<(&'static str, &'static str)>,
}

fn aim_in_words(a: &ActionRow, grid: Option<&Grid>, lang: Lang) -> String {
    let aim = a.aim.clone().unwrap_or_default();
    match a.aim_kind {
        AimKind::Criterion => match grid.and_then(|g| g.criterion(&aim)) {
            Some(c) => lang.pick(&c.label_fr, &c.label_en).clone(),
            None => format!("{} {aim}", a.aim_kind.label(lang)),
        },
        AimKind::Other if aim.is_empty() => String::new(),
        k => format!("{} : {aim}", k.label(lang)),
    }
}

#[derive(Template)]
#[template(path = "plans/show.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    establishment: String,
    finess: String,
    campaign: Option<(i64, String)>,
    created: String,
    actions: Vec<ActionLine>,
    may_edit: bool,
    saved: bool,
    /// The action being edited (none: a new one).
    editing: Option<i64>,
    form: Option<ActionForm>,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn error(&self, field: &str) -> Option<&str> {
        action_error(&self.errors, field, self.l.lang)
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
    edit: Option<String>,
}

async fn show_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    saved: bool,
    editing: Option<i64>,
    typed: Option<Typed>,
    errors: Vec<FieldError>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let today = paris::today(now);
    let v = cratb_app::plans::plan(&state.db, &actor, user, id, now)
        .await
        .map_err(PageError::app(lang))?;
    let grid = match v.plan.campaign_id {
        Some(c) => cratb_app::audits::campaign(&state.db, &actor, user, c, now)
            .await
            .ok()
            .map(|c| c.grid),
        None => None,
    };
    let editing = editing.filter(|e| v.actions.iter().any(|a| a.id == *e));
    let may_edit = v.may_edit;
    let form = if may_edit {
        let typed = typed.unwrap_or_else(|| {
            editing
                .and_then(|e| v.actions.iter().find(|a| a.id == e))
                .map(|a| Typed::of(a, grid.as_ref()))
                .unwrap_or_default()
        });
        Some(
            action_form(
                state,
                auth,
                &v.plan.region_code,
                &v.plan.finess,
                grid.as_ref(),
                typed,
            )
            .await?,
        )
    } else {
        None
    };
    let actions = v
        .actions
        .iter()
        .map(|a| ActionLine {
            id: a.id,
            title: a.title.clone(),
            owner: a.owner_name.clone().unwrap_or_default(),
            due: fmt_date(a.due_on, lang),
            status: a.status.code(),
            status_label: a.status.label(lang),
            overdue: a.status.is_open() && a.due_on < today,
            aim: aim_in_words(a, grid.as_ref(), lang),
            notes: a.notes.clone().unwrap_or_default(),
            next: ActionStatus::ALL
                .iter()
                .filter(|s| **s != a.status)
                .map(|s| (s.code(), s.label(lang)))
                .collect(),
        })
        .collect();
    let page = ShowPage {
        l: Layout::new(auth, &v.plan.title),
        id,
        establishment: v.plan.establishment_name.clone(),
        finess: v.plan.finess.clone(),
        campaign: v.plan.campaign_id.zip(v.plan.campaign_title.clone()),
        created: format!(
            "{} — {}",
            crate::pages::fmt_time(&v.plan.created_at, lang),
            v.plan.created_by
        ),
        actions,
        may_edit,
        saved,
        editing,
        form,
        errors,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

/// `GET /action-plans/{id}`: the plan, its actions, the forms of those who edit it.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let editing = non_empty(&q.edit).and_then(|e| e.parse().ok());
    show_page(
        &state,
        &auth,
        id,
        non_empty(&q.saved).is_some(),
        editing,
        None,
        Vec::new(),
    )
    .await
}

/// `POST /action-plans/{id}/actions`: adds an action, or rewrites the one named by `action`.
pub async fn save_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let f = Fields(form);
    let action = match f.text("action") {
        a if a.is_empty() => None,
        a => Some(a.parse::<i64>().map_err(|_| PageError::NotFound(lang))?),
    };
    let typed = Typed::read(&f, "");
    match cratb_app::plans::save_action(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        action,
        &typed.input(),
        cratb_store::now(),
    )
    .await
    {
        Ok(a) => Ok(crate::pages::login::redirect(&format!(
            "/action-plans/{id}?saved=1#action-{a}"
        ))),
        Err(AppError::Invalid(errors)) => {
            show_page(&state, &auth, id, false, action, Some(typed), errors).await
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

/// `POST /action-plans/{id}/actions/{action}/status`: the one-click status change.
pub async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(i64, i64)>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let status = Fields(form).text("status");
    let status = ActionStatus::parse(&status).ok_or_else(|| {
        PageError::BadRequest(
            lang,
            lang.pick(
                "statut inconnu : planned, in_progress, done ou abandoned",
                "unknown status: planned, in_progress, done or abandoned",
            )
            .into(),
        )
    })?;
    let v = cratb_app::plans::plan(&state.db, &actor, user, id, now)
        .await
        .map_err(PageError::app(lang))?;
    let a = v
        .actions
        .iter()
        .find(|a| a.id == action)
        .ok_or(PageError::NotFound(lang))?;
    let mut typed = Typed::of(a, None);
    typed.status = status.code().to_string();
    cratb_app::plans::save_action(
        &state.db,
        &actor,
        user,
        id,
        Some(action),
        &typed.input(),
        now,
    )
    .await
    .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/action-plans/{id}?saved=1#action-{action}"
    )))
}

/// `POST /action-plans/{id}/actions/{action}/delete`: removes an action (after the browser's
/// confirmation).
pub async fn delete_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(i64, i64)>,
    HtmlForm(_form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    cratb_app::plans::delete_action(
        &state.db,
        &auth.actor(user, scope),
        user,
        id,
        action,
        cratb_store::now(),
    )
    .await
    .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/action-plans/{id}?saved=1#actions"
    )))
}
