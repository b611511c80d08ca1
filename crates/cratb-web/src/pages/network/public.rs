//! "Who do I ask?": the public search (no login) from a postcode, a commune or a department to
//! the EMA teams serving it and the regional centre, with public contact channels only; and the
//! form where the centre keeps its own public contact.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Query;
use crate::pages::{
    HtmlForm, Layout, Opt, PageResult, field_error, form_status, non_empty, options, render,
    render_status,
};
use askama::Template;
use axum::extract::State;
use cratb_directory::network::{CentreForm, PublicAnswer};
use cratb_domain::{FieldError, Profession, RegionCode, Scope, geo};
use cratb_store::network;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "network/public.html")]
struct SearchPage {
    l: Layout,
    q: String,
    answers: Vec<PublicAnswer>,
    searched: bool,
}

impl SearchPage {
    fn phone(&self, e164: &str) -> String {
        super::super::readable_phone(Some(e164))
    }
    fn discipline(&self, code: &str) -> &'static str {
        Profession::parse(code).map_or("", |p| p.label(self.l.lang))
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let lang = auth.lang;
    let text = non_empty(&q.q).unwrap_or_default();
    let answers = if text.is_empty() {
        Vec::new()
    } else {
        cratb_app::network::public_lookup(&state.db, &text)
            .await
            .map_err(PageError::app(lang))?
    };
    Ok(render(&SearchPage {
        l: Layout::new(&auth, lang.tr().net_public_title),
        searched: !text.is_empty(),
        q: text,
        answers,
    }))
}

#[derive(Template)]
#[template(path = "network/centre_form.html")]
struct CentrePage {
    l: Layout,
    v: CentreForm,
    regions: Vec<Opt>,
    errors: Vec<FieldError>,
    saved: bool,
}

impl CentrePage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    fn fields(&self) -> Vec<crate::pages::Field<'_>> {
        let tr = self.l.tr;
        vec![
            ("name", tr.name, &self.v.name, "text"),
            ("phone", tr.phone, &self.v.phone, "tel"),
            ("email", tr.email, &self.v.email, "email"),
            ("website", tr.net_website, &self.v.website, "url"),
            ("address", tr.net_address, &self.v.address, "text"),
        ]
    }
}

fn centre_page(
    auth: &Auth,
    scope: &Scope,
    v: CentreForm,
    errors: Vec<FieldError>,
    saved: bool,
) -> PageResult {
    let page = CentrePage {
        l: Layout::new(auth, auth.lang.tr().net_centre),
        regions: match scope {
            Scope::National => options(geo::REGIONS.iter().map(|r| (r.code, r.name)), &v.region),
            Scope::Region(_) => Vec::new(),
        },
        v,
        errors,
        saved,
    };
    let status = form_status(&page.errors);
    Ok(render_status(&page, status))
}

#[derive(Deserialize)]
pub struct CentreQuery {
    region: Option<String>,
    saved: Option<String>,
}

pub async fn centre_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CentreQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let region = match &scope {
        Scope::Region(r) => r.as_str().to_owned(),
        Scope::National => non_empty(&q.region).unwrap_or_default(),
    };
    // A national account that chose no region yet sees an empty form.
    let current = match scope.access(&region) {
        Some(access) => network::centre(&state.db, &access)
            .await
            .map_err(PageError::store(lang))?,
        None => None,
    };
    let v = CentreForm::of(region, current);
    centre_page(&auth, &scope, v, Vec::new(), q.saved.is_some())
}

pub async fn save_centre(
    State(state): State<AppState>,
    auth: Auth,
    HtmlForm(v): HtmlForm<CentreForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = match &scope {
        Scope::Region(r) => Ok(r.clone()),
        Scope::National => RegionCode::parse(&v.region),
    };
    let region = match region {
        Ok(r) => r,
        Err(e) => return centre_page(&auth, &scope, v, vec![FieldError::of("region", &e)], false),
    };
    let centre = match v.validate(&region) {
        Ok(c) => c,
        Err(errors) => return centre_page(&auth, &scope, v, errors, false),
    };
    cratb_app::network::set_centre(&state.db, &auth.actor(user, scope.clone()), &centre)
        .await
        .map_err(PageError::app(lang))?;
    Ok(crate::pages::login::redirect(&format!(
        "/network/centre?region={region}&saved=1"
    )))
}
