//! The cases of a campaign: the person's list (draft or validated, deleted with a
//! confirmation), and the case form generated from the grid for a phone at the bedside (a large
//! choice per yes/no criterion, its help folded, each error in place under its criterion),
//! saved as a draft (by its button, or in the background by `app.js` a few seconds after a
//! change) or validated.

use super::grids::rule_words;
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::{Path, Query};
use crate::pages::advice::Fields;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, field_error, fmt_time, form_status, non_empty, options,
    render, render_status,
};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use cratb_app::AppError;
use cratb_app::audits::{CampaignView, Save};
use cratb_audit::campaign::Count;
use cratb_audit::entry::{CaseInput, Raw};
use cratb_audit::grid::{Criterion, Kind};
use cratb_domain::{FieldError, Sex, WardType};
use cratb_store::audits::CaseRow;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The header `app.js` sends with a draft saved in the background: the answer is JSON.
const AUTOSAVE: &str = "x-autosave";

/// A case as the list shows it.
pub struct CaseLine {
    pub id: i64,
    pub number: String,
    pub establishment: String,
    pub validated: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "audits/cases.html")]
struct ListPage {
    l: Layout,
    id: i64,
    campaign: String,
    cases: Vec<CaseLine>,
    may_enter: Vec<(String, String)>,
    validated: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    validated: Option<String>,
}

/// `GET /audits/campaigns/{id}/cases`: the person's cases.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let (view, rows) = cratb_app::audits::cases(&state.db, &actor, user, id, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    Ok(render(&ListPage {
        l: Layout::new(&auth, lang.tr().au_my_cases),
        id,
        campaign: view.campaign.title.clone(),
        cases: rows
            .iter()
            .map(|r| CaseLine {
                id: r.id,
                number: r.case_number.clone(),
                establishment: r.establishment_name.clone(),
                validated: r.validated,
                updated: fmt_time(&r.updated_at, lang),
            })
            .collect(),
        may_enter: view
            .may_enter
            .iter()
            .map(|p| (p.finess.clone(), p.name.clone()))
            .collect(),
        validated: non_empty(&q.validated).is_some(),
    }))
}

/// A criterion as the form asks it.
pub struct CriterionField {
    pub code: String,
    pub label: String,
    pub help: Option<String>,
    pub rule: Option<String>,
    /// `yes_no`, `number`, `choice`, `date` or `text`.
    pub kind: &'static str,
    /// What was typed (empty when not answered or not applicable).
    pub value: String,
    pub na: bool,
    /// The radio buttons of a yes/no or a choice (not applicable included).
    pub choices: Vec<Opt>,
    pub error: Option<String>,
}

/// Whether `v` says "not applicable".
fn is_na(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("na")
}

/// A yes/no answer as the radio buttons hold it.
fn yes_no(v: &str) -> &str {
    match v.trim().to_lowercase().as_str() {
        "yes" | "oui" | "o" | "y" | "true" => "yes",
        "no" | "non" | "n" | "false" => "no",
        _ if is_na(v) => "NA",
        _ => "",
    }
}

impl CriterionField {
    fn of(c: &Criterion, value: &str, errors: &[FieldError], lang: Lang) -> CriterionField {
        let tr = lang.tr();
        let na = is_na(value);
        let (kind, choices) = match &c.kind {
            Kind::YesNo { .. } => (
                "yes_no",
                options(
                    [("yes", tr.au_oui), ("no", tr.au_non), ("NA", tr.au_na)],
                    yes_no(value),
                ),
            ),
            Kind::Choice { choices, .. } => {
                let mut items: Vec<(String, String)> =
                    choices.iter().map(|x| (x.clone(), x.clone())).collect();
                items.push(("NA".into(), tr.au_na.into()));
                ("choice", options(items, value.trim()))
            }
            Kind::Number { .. } => ("number", Vec::new()),
            Kind::Date => ("date", Vec::new()),
            Kind::Text => ("text", Vec::new()),
        };
        CriterionField {
            code: c.code.clone(),
            label: lang.pick(&c.label_fr, &c.label_en).clone(),
            help: lang
                .pick(c.help_fr.as_ref(), c.help_en.as_ref())
                .or(c.help_fr.as_ref())
                .cloned(),
            rule: rule_words(&c.kind, lang),
            kind,
            value: if na { String::new() } else { value.to_string() },
            na,
            choices,
            error: errors
                .iter()
                .find(|e| e.field == "answers" && e.key.as_deref() == Some(c.code.as_str()))
                .map(|e| e.message(lang).to_string()),
        }
    }
}

/// What the case form holds: as typed, or as stored.
#[derive(Default)]
pub struct Typed {
    pub case_number: String,
    pub establishment: String,
    pub age: String,
    pub sex: String,
    pub ward_type: String,
    pub answers: BTreeMap<String, String>,
}

impl Typed {
    fn of_row(r: &CaseRow) -> Typed {
        Typed {
            case_number: r.case_number.clone(),
            establishment: r.finess.clone(),
            age: r.age.map(|a| a.to_string()).unwrap_or_default(),
            sex: r.sex.map(|s| s.code().to_string()).unwrap_or_default(),
            ward_type: r
                .ward_type
                .map(|w| w.code().to_string())
                .unwrap_or_default(),
            answers: r.answers.clone(),
        }
    }

    /// The form as sent: each criterion's field `a_<code>`, its box `na_<code>`.
    fn of_form(f: &Fields, view: &CampaignView) -> Typed {
        let mut answers = BTreeMap::new();
        for c in &view.grid.criteria {
            let value = if f.opt(&format!("na_{}", c.code)).is_some() {
                "NA".to_string()
            } else {
                f.text(&format!("a_{}", c.code))
            };
            if !value.is_empty() {
                answers.insert(c.code.clone(), value);
            }
        }
        Typed {
            case_number: f.text("case_number"),
            establishment: f.text("establishment"),
            age: f.text("age"),
            sex: f.text("sex"),
            ward_type: f.text("ward_type"),
            answers,
        }
    }

    fn input(&self) -> CaseInput {
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        CaseInput {
            case_number: opt(&self.case_number),
            establishment: opt(&self.establishment),
            age: opt(&self.age).map(Count::Text),
            sex: opt(&self.sex),
            ward_type: opt(&self.ward_type),
            answers: self
                .answers
                .iter()
                .map(|(k, v)| (k.clone(), Raw::Text(v.clone())))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "audits/case.html")]
struct CasePage {
    l: Layout,
    id: i64,
    campaign: String,
    /// The stored case, once saved.
    case_id: Option<i64>,
    validated: bool,
    editable: bool,
    v: Typed,
    places: Vec<Opt>,
    sexes: Vec<Opt>,
    wards: Vec<Opt>,
    criteria: Vec<CriterionField>,
    errors: Vec<FieldError>,
    saved_at: Option<String>,
}

impl CasePage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }

    /// Every error, with where it is shown (the anchor of its field or criterion; empty for
    /// those no field shows: the campaign closed…), for the list at the top of the form.
    fn summary(&self) -> Vec<(String, String)> {
        let lang = self.l.lang;
        self.errors
            .iter()
            .map(|e| match (e.field, &e.key) {
                ("answers", Some(code)) => {
                    let at = self.criteria.iter().position(|c| &c.code == code);
                    (
                        format!("criterion-{code}"),
                        match at {
                            Some(i) => format!(
                                "{}. {} : {}",
                                i + 1,
                                self.criteria[i].label,
                                e.message(lang)
                            ),
                            None => e.message(lang).to_string(),
                        },
                    )
                }
                (f @ ("case_number" | "establishment" | "age" | "sex" | "ward_type"), _) => {
                    (f.to_string(), e.message(lang).to_string())
                }
                _ => (String::new(), e.message(lang).to_string()),
            })
            .collect()
    }

    fn action(&self) -> String {
        match self.case_id {
            Some(k) => format!("/audits/campaigns/{}/cases/{k}", self.id),
            None => format!("/audits/campaigns/{}/cases", self.id),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn case_page(
    auth: &Auth,
    view: &CampaignView,
    case_id: Option<i64>,
    validated: bool,
    v: Typed,
    errors: Vec<FieldError>,
    saved_at: Option<String>,
) -> PageResult {
    let lang = auth.lang;
    let editable = !view.may_enter.is_empty();
    let places = options(
        view.may_enter
            .iter()
            .map(|p| (p.finess.clone(), format!("{} ({})", p.name, p.finess))),
        &v.establishment,
    );
    let criteria = view
        .grid
        .criteria
        .iter()
        .map(|c| {
            CriterionField::of(
                c,
                v.answers.get(&c.code).map(String::as_str).unwrap_or(""),
                &errors,
                lang,
            )
        })
        .collect();
    let title = match case_id {
        Some(_) => format!("{} {}", lang.tr().au_case, v.case_number),
        None => lang.tr().au_case_new.to_string(),
    };
    let status = form_status(&errors);
    Ok(render_status(
        &CasePage {
            l: Layout::new(auth, &title),
            id: view.campaign.id,
            campaign: view.campaign.title.clone(),
            case_id,
            validated,
            editable,
            places,
            sexes: options(Sex::ALL.iter().map(|s| (s.code(), s.label(lang))), &v.sex),
            wards: options(
                WardType::ALL.iter().map(|w| (w.code(), w.label(lang))),
                &v.ward_type,
            ),
            criteria,
            v,
            errors,
            saved_at,
        },
        status,
    ))
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    establishment: Option<String>,
}

/// `GET /audits/campaigns/{id}/cases/new?establishment=FINESS`: a new case.
pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let view = cratb_app::audits::campaign(&state.db, &actor, user, id, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    let asked = non_empty(&q.establishment).unwrap_or_default();
    let establishment = match view.may_enter.as_slice() {
        [] => {
            return Err(PageError::Refused(
                lang,
                lang.pick(
                    "Pas de saisie : la campagne n'est pas en cours, ou aucun de vos établissements n'y participe.",
                    "No entry: the campaign is not under way, or none of your establishments takes part.",
                )
                .into(),
            ));
        }
        [only] => only.finess.clone(),
        many if many.iter().any(|p| p.finess == asked) => asked,
        _ => String::new(),
    };
    let v = Typed {
        establishment,
        ..Default::default()
    };
    case_page(&auth, &view, None, false, v, Vec::new(), None)
}

/// `GET /audits/campaigns/{id}/cases/{case}`: a stored case in its form.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, case_id)): Path<(i64, i64)>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let (view, row) =
        cratb_app::audits::case(&state.db, &actor, user, id, case_id, cratb_store::now())
            .await
            .map_err(PageError::app(lang))?;
    let saved_at = non_empty(&q.saved).map(|_| clock_of(row.updated_at));
    case_page(
        &auth,
        &view,
        Some(case_id),
        row.validated,
        Typed::of_row(&row),
        Vec::new(),
        saved_at,
    )
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The time a case was saved, as the form says it (`10:42`, Paris time).
fn clock_of(t: time::OffsetDateTime) -> String {
    let moment = cratb_domain::paris::moment(t, Lang::Fr);
    moment
        .rsplit(' ')
        .next()
        .map(str::to_string)
        .unwrap_or(moment)
}

/// Saves the form as a draft or a validated case: a page (redirect, or the form with its
/// errors in place), or JSON for a draft saved in the background.
async fn save(
    state: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    id: i64,
    case_id: Option<i64>,
    form: Vec<(String, String)>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    let now = cratb_store::now();
    let background = headers.contains_key(AUTOSAVE);
    let view = cratb_app::audits::campaign(&state.db, &actor, user, id, now)
        .await
        .map_err(PageError::app(lang))?;
    let f = Fields(form);
    let how = if !background && f.text("save") == "validate" {
        Save::Validate
    } else {
        Save::Draft
    };
    let typed = Typed::of_form(&f, &view);
    let result = cratb_app::audits::save_case(
        &state.db,
        &actor,
        user,
        id,
        case_id,
        &typed.input(),
        how,
        now,
    )
    .await;
    match result {
        Ok(k) => {
            let url = format!("/audits/campaigns/{id}/cases/{k}");
            if background {
                return Ok(axum::Json(serde_json::json!({
                    "id": k,
                    "url": url,
                    "at": clock_of(now),
                }))
                .into_response());
            }
            Ok(crate::pages::login::redirect(&match how {
                Save::Validate => format!("/audits/campaigns/{id}/cases?validated=1"),
                Save::Draft => format!("{url}?saved=1"),
            }))
        }
        Err(AppError::Invalid(errors)) => {
            answer_errors(auth, &view, case_id, typed, errors, background)
        }
        Err(AppError::Conflict(e)) => {
            answer_errors(auth, &view, case_id, typed, vec![e], background)
        }
        Err(e) => Err(PageError::app(lang)(e)),
    }
}

fn answer_errors(
    auth: &Auth,
    view: &CampaignView,
    case_id: Option<i64>,
    typed: Typed,
    errors: Vec<FieldError>,
    background: bool,
) -> PageResult {
    if background {
        let messages: Vec<&str> = errors.iter().map(|e| e.message(auth.lang)).collect();
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({ "errors": messages })),
        )
            .into_response());
    }
    case_page(auth, view, case_id, false, typed, errors, None)
}

/// `POST /audits/campaigns/{id}/cases`: a new case, draft or validated.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &auth, &headers, id, None, form).await
}

/// `POST /audits/campaigns/{id}/cases/{case}`: the case rewritten, draft or validated.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path((id, case_id)): Path<(i64, i64)>,
    HtmlForm(form): HtmlForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &auth, &headers, id, Some(case_id), form).await
}

/// `POST /audits/campaigns/{id}/cases/{case}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, case_id)): Path<(i64, i64)>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let actor = auth.actor(user, scope);
    cratb_app::audits::delete_case(&state.db, &actor, user, id, case_id, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/audits/campaigns/{id}/cases"
    )))
}
