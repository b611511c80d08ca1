//! The library of grids: every version with its campaigns, a grid imported from its JSON file,
//! a grid's criteria in words (type, conformity rule, help and source), its JSON file to
//! download, and an edit saved as the grid's next version.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::{Catalogue as _, Lang};
use crate::input::Path;
use crate::pages::{HtmlForm, Layout, PageResult, form_status, render_status};
use askama::Template;
use axum::extract::{Multipart, State};
use cratb_app::AppError;
use cratb_audit::grid::{Criterion, Kind};
use cratb_domain::{FieldError, Permission};
use cratb_store::audits::GridRow;

/// A number as the page writes it (decimal comma in French).
fn number(x: f64, lang: Lang) -> String {
    let s = x.to_string();
    lang.pick(s.replace('.', ","), s)
}

/// A criterion's type in words.
pub fn kind_label(k: &Kind, lang: Lang) -> &'static str {
    match k {
        Kind::YesNo { .. } => lang.pick("Oui / Non", "Yes / No"),
        Kind::Number { .. } => lang.pick("Nombre", "Number"),
        Kind::Choice { .. } => lang.pick("Choix", "Choice"),
        Kind::Date => "Date",
        Kind::Text => lang.pick("Texte", "Text"),
    }
}

/// A criterion's conformity rule in words (`None`: recorded for context).
pub fn rule_words(k: &Kind, lang: Lang) -> Option<String> {
    match k {
        Kind::YesNo { conform: Some(y) } => Some(format!(
            "{} « {} »",
            lang.pick("Conforme si", "Conform if"),
            if *y {
                lang.pick("Oui", "Yes")
            } else {
                lang.pick("Non", "No")
            }
        )),
        Kind::Number {
            min,
            max,
            rule: true,
        } => Some(match (min, max) {
            (Some(a), Some(b)) => format!(
                "{} {} {} {}",
                lang.pick("Conforme entre", "Conform between"),
                number(*a, lang),
                lang.pick("et", "and"),
                number(*b, lang)
            ),
            (Some(a), None) => format!(
                "{} ≥ {}",
                lang.pick("Conforme si", "Conform if"),
                number(*a, lang)
            ),
            (None, Some(b)) => format!(
                "{} ≤ {}",
                lang.pick("Conforme si", "Conform if"),
                number(*b, lang)
            ),
            (None, None) => return None,
        }),
        Kind::Choice {
            conform: Some(list),
            ..
        } => Some(format!(
            "{} {}",
            lang.pick("Conforme si :", "Conform if:"),
            list.join(lang.pick(" ou ", " or "))
        )),
        _ => None,
    }
}

/// A criterion as the grid's page lists it.
pub struct CriterionItem {
    pub code: String,
    pub label: String,
    pub kind: &'static str,
    pub choices: String,
    pub rule: Option<String>,
    pub help: Option<String>,
}

impl CriterionItem {
    pub fn of(c: &Criterion, lang: Lang) -> CriterionItem {
        CriterionItem {
            code: c.code.clone(),
            label: lang.pick(&c.label_fr, &c.label_en).clone(),
            kind: kind_label(&c.kind, lang),
            choices: match &c.kind {
                Kind::Choice { choices, .. } => choices.join(" · "),
                _ => String::new(),
            },
            rule: rule_words(&c.kind, lang),
            help: lang
                .pick(c.help_fr.as_ref(), c.help_en.as_ref())
                .or(c.help_fr.as_ref())
                .cloned(),
        }
    }
}

#[derive(Template)]
#[template(path = "audits/grids.html")]
struct LibraryPage {
    l: Layout,
    grids: Vec<GridRow>,
    may_manage: bool,
    errors: Vec<FieldError>,
}

async fn library(state: &AppState, auth: &Auth, errors: Vec<FieldError>) -> PageResult {
    let lang = auth.lang;
    let grids = cratb_app::audits::grids(&state.db, cratb_store::now())
        .await
        .map_err(PageError::app(lang))?;
    let status = form_status(&errors);
    Ok(render_status(
        &LibraryPage {
            l: Layout::new(auth, lang.tr().au_grids),
            grids,
            may_manage: auth.can(Permission::RunAudits),
            errors,
        },
        status,
    ))
}

/// `GET /audits/grids`: the library.
pub async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    library(&state, &auth, Vec::new()).await
}

/// The errors of a grid's file as the form lists them, or the page's error.
fn refusal(e: AppError, lang: Lang) -> Result<Vec<FieldError>, PageError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(f) => Ok(vec![f]),
        e => Err(PageError::app(lang)(e)),
    }
}

/// `POST /audits/grids`: imports a grid from its JSON file.
pub async fn import(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let mut upload = crate::upload::Upload::read(form, &["file"])
        .await
        .map_err(|e| PageError::BadRequest(lang, e))?;
    let Some((_, bytes)) = upload.take_file("file", "grille") else {
        return library(
            &state,
            &auth,
            vec![FieldError::new(
                "file",
                lang.tr().au_no_file,
                lang.tr().au_no_file,
            )],
        )
        .await;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        let m = lang.pick(
            "Le fichier n'est pas du texte UTF-8 (un fichier JSON est attendu)",
            "The file is not UTF-8 text (a JSON file is expected)",
        );
        return library(&state, &auth, vec![FieldError::new("file", m, m)]).await;
    };
    let actor = auth.actor(user, scope);
    match cratb_app::audits::import_grid(&state.db, &actor, &text, cratb_store::now()).await {
        Ok(id) => Ok(crate::pages::login::redirect(&format!(
            "/audits/grids/{id}"
        ))),
        Err(e) => library(&state, &auth, refusal(e, lang)?).await,
    }
}

#[derive(Template)]
#[template(path = "audits/grid.html")]
struct GridPage {
    l: Layout,
    row: GridRow,
    grid_title: String,
    sectors: String,
    criteria: Vec<CriterionItem>,
    may_manage: bool,
}

/// `GET /audits/grids/{id}`: a grid's criteria; `/audits/grids/{id}.json`, its file.
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> PageResult {
    let lang = auth.lang;
    let (json, number) = match id.strip_suffix(".json") {
        Some(n) => (true, n),
        None => (false, id.as_str()),
    };
    let id: i64 = number.parse().map_err(|_| PageError::NotFound(lang))?;
    let (row, grid) = cratb_app::audits::grid(&state.db, id)
        .await
        .map_err(PageError::app(lang))?;
    if json {
        return Ok(crate::export::attachment(
            &format!("{}-v{}.json", grid.code, grid.version),
            "application/json; charset=utf-8",
            grid.to_json().into_bytes(),
        ));
    }
    Ok(render_status(
        &GridPage {
            l: Layout::new(&auth, &format!("{} v{}", grid.code, grid.version)),
            grid_title: lang.pick(&grid.title_fr, &grid.title_en).clone(),
            sectors: grid
                .sectors
                .iter()
                .map(|s| s.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            criteria: grid
                .criteria
                .iter()
                .map(|c| CriterionItem::of(c, lang))
                .collect(),
            row,
            may_manage: auth.can(Permission::RunAudits),
        },
        axum::http::StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "audits/grid_edit.html")]
struct EditPage {
    l: Layout,
    row: GridRow,
    definition: String,
    errors: Vec<FieldError>,
}

fn edit_page(auth: &Auth, row: GridRow, definition: String, errors: Vec<FieldError>) -> PageResult {
    let status = form_status(&errors);
    Ok(render_status(
        &EditPage {
            l: Layout::new(
                auth,
                &format!(
                    "{} v{} — {}",
                    row.code,
                    row.version,
                    auth.lang.tr().au_edit_grid
                ),
            ),
            row,
            definition,
            errors,
        },
        status,
    ))
}

/// `GET /audits/grids/{id}/edit`: the grid's file in a text area.
pub async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (row, grid) = cratb_app::audits::grid(&state.db, id)
        .await
        .map_err(PageError::app(auth.lang))?;
    edit_page(&auth, row, grid.to_json(), Vec::new())
}

#[derive(serde::Deserialize)]
pub struct EditForm {
    #[serde(default)]
    definition: String,
}

/// `POST /audits/grids/{id}/edit`: saves the edit as the grid's next version.
pub async fn edit_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    HtmlForm(form): HtmlForm<EditForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let (row, _) = cratb_app::audits::grid(&state.db, id)
        .await
        .map_err(PageError::app(lang))?;
    let actor = auth.actor(user, scope);
    match cratb_app::audits::edit_grid(&state.db, &actor, id, &form.definition, cratb_store::now())
        .await
    {
        Ok(new) => Ok(crate::pages::login::redirect(&format!(
            "/audits/grids/{new}"
        ))),
        Err(e) => edit_page(&auth, row, form.definition, refusal(e, lang)?),
    }
}
