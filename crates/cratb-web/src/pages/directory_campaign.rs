//! The yearly confirmation campaign: the secretary sends each professional a link to their own
//! entry, then approves or rejects the corrections that come back; the professional's side is
//! the public page the link opens.

use super::directory::profession_options;
use super::{
    HtmlForm, Layout, Opt, PageResult, field_error, form_status, options, render, render_status,
};
use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cratb_app::directory::AnswerError;
use cratb_directory::campaign::{self, Correction, LinkError, LinkForm, Outcome};
use cratb_domain::{Bilingual, FieldError, RegionAccess, Scope, geo};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "directory/campaign.html")]
struct CampaignPage {
    l: Layout,
    mailer: String,
    mail_on: bool,
    /// No public address is configured (`CRATB_PUBLIC_URL`): the campaign cannot start.
    no_public_url: bool,
    last: Option<String>,
    recipients: usize,
    pending: Vec<Correction>,
    sent: Option<(usize, Vec<String>)>,
    links: Vec<(String, String, String)>,
    regions: Vec<Opt>,
}

impl CampaignPage {
    fn when(&self, t: &time::OffsetDateTime) -> String {
        super::fmt_time(t, self.l.lang)
    }
}

#[derive(Deserialize)]
pub struct CampaignQuery {
    region: Option<String>,
}

async fn campaign_page(
    state: &AppState,
    auth: &Auth,
    access: &RegionAccess,
    sent: Option<(usize, Vec<String>)>,
    links: Vec<(String, String, String)>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let c = cratb_app::directory::campaign(&state.db, access)
        .await
        .map_err(PageError::app(lang))?;
    let last = c.last.map(|c| {
        let when = super::fmt_time(&c.started_at, lang);
        let n = lang.tr().camp_recipients;
        format!("{when} — {} ({} {n})", c.started_by, c.recipients)
    });
    let regions = geo::REGIONS.iter().map(|r| (r.code, r.name));
    Ok(render(&CampaignPage {
        l: Layout::new(auth, lang.tr().camp_title),
        mailer: state.config.mailer.describe(),
        mail_on: state.config.mailer.is_on(),
        no_public_url: !state.config.may_send_links(),
        last,
        recipients: c.recipients,
        pending: c.pending,
        sent,
        links,
        regions: match scope {
            Scope::National => options(regions, access.as_str()),
            Scope::Region(_) => Vec::new(),
        },
    }))
}

/// The region a campaign page is about: the caller's, or the one a national account asked for.
fn region_for(auth: &Auth, asked: Option<&str>) -> Result<RegionAccess, PageError> {
    let (_, scope) = auth.page_user()?;
    let region = scope.region_filter().or(asked).unwrap_or("84");
    super::region_access(auth, region)
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CampaignQuery>,
) -> PageResult {
    let access = region_for(&auth, q.region.as_deref())?;
    campaign_page(&state, &auth, &access, None, Vec::new()).await
}

#[derive(Deserialize)]
pub struct StartForm {
    region: Option<String>,
}

/// Starts the campaign: one link per professional with an e-mail address, sent if a transport
/// is configured, otherwise listed for the secretary to pass on.
pub async fn start(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    HtmlForm(f): HtmlForm<StartForm>,
) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let access = region_for(&auth, f.region.as_deref())?;
    // Links are written with the configured public address, never with the request's `Host`
    // (see `public_base`): without one, nothing starts and no earlier link is replaced.
    let Some(base) = crate::public_base(&state, &headers) else {
        let mut page = campaign_page(&state, &auth, &access, None, Vec::new()).await?;
        *page.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return Ok(page);
    };
    let actor = auth.actor(user, scope);
    let invitations = cratb_app::directory::start_campaign(&state.db, &actor, &access)
        .await
        .map_err(PageError::app(lang))?;
    let centre = format!("CRAtb {}", access.region().name());
    let mailer = &state.config.mailer;
    let (mut failures, mut links, mut sent) = (Vec::new(), Vec::new(), 0);
    for inv in &invitations {
        let p = &inv.professional;
        let link = format!("{base}/confirm/{}", inv.token);
        let email = p.email.clone().unwrap_or_default();
        if !mailer.is_on() {
            links.push((format!("{} {}", p.last_name, p.first_name), email, link));
            continue;
        }
        let until = campaign::day(inv.expires_at);
        let (subject, text) = campaign::letter(p, &centre, &link, &until);
        match mailer.send(&email, &subject, text).await {
            Ok(()) => sent += 1,
            Err(e) => failures.push(format!("{email} : {e}")),
        }
    }
    let summary = format!(
        "campagne de confirmation : {} liens, {sent} e-mails envoyés, {} échecs ({})",
        invitations.len(),
        failures.len(),
        mailer.describe()
    );
    let region = Some(access.as_str());
    actor
        .record(
            &state.db,
            "directory.campaign.mail",
            "professional",
            region,
            summary,
        )
        .await
        .map_err(PageError::app(lang))?;
    campaign_page(&state, &auth, &access, Some((sent, failures)), links).await
}

/// Approves or rejects a correction.
async fn decide(state: AppState, auth: Auth, id: i64, approve: bool) -> PageResult {
    let (user, scope) = auth.page_user()?;
    let region = cratb_app::directory::decide(&state.db, &auth.actor(user, scope), id, approve)
        .await
        .map_err(PageError::app(auth.lang))?;
    Ok(super::login::redirect(&format!(
        "/directory/campaign?region={region}"
    )))
}

pub async fn approve(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    decide(state, auth, id, true).await
}

pub async fn reject(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    decide(state, auth, id, false).await
}

#[derive(Template)]
#[template(path = "directory/confirm.html")]
struct ConfirmPage {
    l: Layout,
    token: String,
    v: LinkForm,
    professions: Vec<Opt>,
    errors: Vec<FieldError>,
    /// The link cannot be used: why.
    refused: Option<String>,
    /// Done: what happened.
    done: Option<&'static str>,
}

impl ConfirmPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field, self.l.lang)
    }
    fn fields(&self) -> Vec<crate::pages::Field<'_>> {
        let tr = self.l.tr;
        vec![
            ("last_name", tr.last_name, &self.v.last_name, "text"),
            ("first_name", tr.first_name, &self.v.first_name, "text"),
            ("rpps", tr.rpps, &self.v.rpps, "text"),
            ("email", tr.email, &self.v.email, "email"),
            ("phone", tr.phone, &self.v.phone, "tel"),
            (
                "establishments",
                tr.workplaces,
                &self.v.establishments,
                "text",
            ),
        ]
    }
}

/// What the page the link opens shows: the form, its errors, or why it stops.
enum Shown {
    Form(Vec<FieldError>),
    Refused(LinkError),
    Done(Outcome),
}

fn confirm_page(auth: &Auth, token: &str, v: LinkForm, shown: Shown) -> PageResult {
    let lang = auth.lang;
    let (errors, refused, done) = match shown {
        Shown::Form(errors) => (errors, None, None),
        Shown::Refused(e) => (Vec::new(), Some(e.in_lang(lang)), None),
        Shown::Done(Outcome::Confirmed) => {
            (Vec::new(), None, Some(lang.tr().camp_thanks_confirmed))
        }
        Shown::Done(Outcome::Submitted) => {
            (Vec::new(), None, Some(lang.tr().camp_thanks_submitted))
        }
    };
    let status = match refused {
        Some(_) => StatusCode::GONE,
        None => form_status(&errors),
    };
    let page = ConfirmPage {
        l: Layout::new(auth, lang.tr().camp_confirm_title),
        token: token.to_string(),
        professions: profession_options(lang, &v.profession),
        v,
        errors,
        refused,
        done,
    };
    Ok(render_status(&page, status))
}

/// The entry the link opens, in a form.
pub async fn open(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> PageResult {
    let opened = cratb_app::directory::open_link(&state.db, &token)
        .await
        .map_err(PageError::store(auth.lang))?;
    match opened {
        Ok(p) => confirm_page(&auth, &token, LinkForm::of(&p), Shown::Form(Vec::new())),
        Err(e) => confirm_page(&auth, &token, LinkForm::default(), Shown::Refused(e)),
    }
}

/// The professional's answer: confirmed as is, or corrections for the secretary.
pub async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
    HtmlForm(v): HtmlForm<LinkForm>,
) -> PageResult {
    let origin = auth.origin();
    match cratb_app::directory::answer_link(&state.db, &origin, &token, &v).await {
        Ok(outcome) => confirm_page(&auth, &token, v, Shown::Done(outcome)),
        Err(AnswerError::Invalid(errors)) => confirm_page(&auth, &token, v, Shown::Form(errors)),
        Err(AnswerError::Link(e)) => {
            confirm_page(&auth, &token, LinkForm::default(), Shown::Refused(e))
        }
        Err(AnswerError::Store(e)) => Err(PageError::store(auth.lang)(e)),
    }
}
