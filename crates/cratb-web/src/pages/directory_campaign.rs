//! The yearly confirmation campaign: the secretary sends each professional a link to their own
//! entry, then approves or rejects the corrections that come back; the professional's side is
//! the public page the link opens.

use super::directory::own_region;
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
use cratb_domain::Lang;
use cratb_domain::{Bilingual, Profession, RegionCode, Scope, geo};
use cratb_store::FieldError;
use cratb_store::directory::confirmation::{self, LinkError, Outcome};
use cratb_store::directory::{self, NewProfessional, ProfessionalInput, Snapshot};
use serde::Deserialize;

/// A correction waiting for approval, as listed.
pub struct PendingRow {
    pub id: i64,
    pub professional_id: i64,
    pub name: String,
    pub changes: Vec<(&'static str, String, String)>,
    pub submitted: String,
}

/// The fields that differ between the entry and the correction: label, before, after.
fn differences(
    before: &Snapshot,
    after: &Snapshot,
    lang: Lang,
) -> Vec<(&'static str, String, String)> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let yes = |b: bool| if b { "oui" } else { "non" }.to_string();
    let rows = [
        (
            lang.pick("Nom", "Last name"),
            before.last_name.clone(),
            after.last_name.clone(),
        ),
        (
            lang.pick("Prénom", "First name"),
            before.first_name.clone(),
            after.first_name.clone(),
        ),
        (
            "Profession",
            Profession::parse(&before.profession)
                .map_or(before.profession.clone(), |p| p.label(lang).into()),
            Profession::parse(&after.profession)
                .map_or(after.profession.clone(), |p| p.label(lang).into()),
        ),
        ("RPPS", opt(&before.rpps), opt(&after.rpps)),
        ("E-mail", opt(&before.email), opt(&after.email)),
        (
            lang.pick("Téléphone", "Phone"),
            opt(&before.phone),
            opt(&after.phone),
        ),
        (
            "FINESS",
            before.establishments.join(", "),
            after.establishments.join(", "),
        ),
        (
            lang.pick("Nom public", "Public name"),
            yes(before.public_name),
            yes(after.public_name),
        ),
        (
            lang.pick("E-mail public", "Public e-mail"),
            yes(before.public_email),
            yes(after.public_email),
        ),
        (
            lang.pick("Téléphone public", "Public phone"),
            yes(before.public_phone),
            yes(after.public_phone),
        ),
    ];
    rows.into_iter().filter(|(_, b, a)| b != a).collect()
}

#[derive(Template)]
#[template(path = "directory/campaign.html")]
struct CampaignPage {
    l: Layout,
    mailer: String,
    mail_on: bool,
    last: Option<String>,
    recipients: usize,
    pending: Vec<PendingRow>,
    sent: Option<(usize, Vec<String>)>,
    links: Vec<(String, String, String)>,
    regions: Vec<Opt>,
}

#[derive(Deserialize)]
pub struct CampaignQuery {
    region: Option<String>,
}

async fn campaign_page(
    state: &AppState,
    auth: &Auth,
    region: &RegionCode,
    sent: Option<(usize, Vec<String>)>,
    links: Vec<(String, String, String)>,
) -> PageResult {
    let lang = auth.lang;
    let (_, scope) = auth.page_user()?;
    let last = confirmation::last_campaign(&state.db, region.as_str())
        .await
        .map_err(PageError::store(lang))?
        .map(|c| {
            format!(
                "{} — {} ({} {})",
                super::fmt_time(&c.started_at, lang),
                c.started_by,
                c.recipients,
                lang.tr().camp_recipients
            )
        });
    let region_scope = Scope::Region(region.clone());
    let people = directory::all(&state.db, &region_scope)
        .await
        .map_err(PageError::store(lang))?;
    let mut pending = Vec::new();
    for c in confirmation::pending(&state.db, &region_scope)
        .await
        .map_err(PageError::store(lang))?
    {
        let Some(p) = people.iter().find(|p| p.id == c.professional_id) else {
            continue;
        };
        let before = Snapshot::of(p);
        let after = c.snapshot().unwrap_or_else(|| before.clone());
        pending.push(PendingRow {
            id: c.id,
            professional_id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            changes: differences(&before, &after, lang),
            submitted: super::fmt_time(&c.submitted_at, lang),
        });
    }
    Ok(render(&CampaignPage {
        l: Layout::new(auth, lang.tr().camp_title),
        mailer: state.config.mailer.describe(),
        mail_on: state.config.mailer.is_on(),
        last,
        recipients: people.iter().filter(|p| p.email.is_some()).count(),
        pending,
        sent,
        links,
        regions: match scope {
            Scope::National => options(
                geo::REGIONS.iter().map(|r| (r.code, r.name)),
                region.as_str(),
            ),
            Scope::Region(_) => Vec::new(),
        },
    }))
}

/// The region a campaign page is about.
fn region_for(auth: &Auth, asked: Option<&str>) -> Result<RegionCode, PageError> {
    let (_, scope) = auth.page_user()?;
    match own_region(&scope) {
        Some(r) => Ok(r),
        None => {
            RegionCode::parse(asked.unwrap_or("84")).map_err(|_| PageError::NotFound(auth.lang))
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CampaignQuery>,
) -> PageResult {
    let region = region_for(&auth, q.region.as_deref())?;
    campaign_page(&state, &auth, &region, None, Vec::new()).await
}

fn letter(name: &str, centre: &str, link: &str, until: &str) -> String {
    format!(
        "Bonjour {name},\n\n\
         Le {centre} tient à jour l'annuaire régional du réseau de bon usage des antibiotiques, \
         dans lequel vous figurez. Une fois par an, nous vous demandons de vérifier votre fiche.\n\n\
         Ouvrez ce lien pour la confirmer ou la corriger (valable jusqu'au {until}, une seule fois) :\n{link}\n\n\
         Sans changement, un clic sur « Confirmer » suffit. Vos corrections seront vérifiées par le \
         secrétariat avant publication. Vous choisissez aussi ce qui apparaît dans la recherche publique.\n\n\
         Merci de votre aide,\nLe secrétariat du {centre}\n"
    )
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
    let region = region_for(&auth, f.region.as_deref())?;
    let actor = auth.actor(user, scope);
    let invitations = cratb_app::directory::start_campaign(&state.db, &actor, &region)
        .await
        .map_err(PageError::app(lang))?;
    let base = crate::public_base(&state, &headers);
    let centre = format!("CRAtb {}", region.name());
    let mut failures = Vec::new();
    let mut links = Vec::new();
    let mut sent = 0;
    for inv in &invitations {
        let p = &inv.professional;
        let link = format!("{base}/confirm/{}", inv.token);
        let until = super::network::fmt_date(inv.expires_at.date(), Lang::Fr);
        let email = p.email.clone().unwrap_or_default();
        if state.config.mailer.is_on() {
            let name = format!("{} {}", p.first_name, p.last_name);
            match state
                .config
                .mailer
                .send(
                    &email,
                    &format!("{centre} : votre fiche de l'annuaire à vérifier"),
                    letter(&name, &centre, &link, &until),
                )
                .await
            {
                Ok(()) => sent += 1,
                Err(e) => failures.push(format!("{email} : {e}")),
            }
        } else {
            links.push((format!("{} {}", p.last_name, p.first_name), email, link));
        }
    }
    actor
        .record(
            &state.db,
            "directory.campaign.mail",
            "professional",
            Some(region.as_str()),
            format!(
                "campagne de confirmation : {} liens, {sent} e-mails envoyés, {} échecs ({})",
                invitations.len(),
                failures.len(),
                state.config.mailer.describe()
            ),
        )
        .await
        .map_err(PageError::app(lang))?;
    campaign_page(&state, &auth, &region, Some((sent, failures)), links).await
}

/// Approves or rejects a correction.
async fn decide(state: AppState, auth: Auth, id: i64, approve: bool) -> PageResult {
    let lang = auth.lang;
    let (user, scope) = auth.page_user()?;
    let region = cratb_app::directory::decide(&state.db, &auth.actor(user, scope), id, approve)
        .await
        .map_err(PageError::app(lang))?;
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

/// What the professional sees and types.
#[derive(Default, Deserialize)]
pub struct ConfirmValues {
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    rpps: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    establishments: String,
    #[serde(default)]
    public_name: Option<String>,
    #[serde(default)]
    public_email: Option<String>,
    #[serde(default)]
    public_phone: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/confirm.html")]
struct ConfirmPage {
    l: Layout,
    token: String,
    v: ConfirmValues,
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

fn confirm_page(
    auth: &Auth,
    token: &str,
    v: ConfirmValues,
    errors: Vec<FieldError>,
    refused: Option<String>,
    done: Option<&'static str>,
) -> PageResult {
    let lang = auth.lang;
    let page = ConfirmPage {
        l: Layout::new(auth, lang.tr().camp_confirm_title),
        token: token.to_string(),
        professions: options(
            Profession::ALL.iter().map(|p| (p.code(), p.label(lang))),
            &v.profession,
        ),
        v,
        errors,
        refused,
        done,
    };
    let status = if page.refused.is_some() {
        StatusCode::GONE
    } else {
        form_status(&page.errors)
    };
    Ok(render_status(&page, status))
}

/// The link's refusal, in the reader's language.
fn refusal(auth: &Auth, token: &str, e: LinkError) -> PageResult {
    confirm_page(
        auth,
        token,
        ConfirmValues::default(),
        Vec::new(),
        Some(e.in_lang(auth.lang)),
        None,
    )
}

/// The entry the link opens, in a form.
pub async fn open(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> PageResult {
    let lang = auth.lang;
    let p = match confirmation::open(&state.db, &token)
        .await
        .map_err(PageError::store(lang))?
    {
        Ok((_, p)) => p,
        Err(e) => return refusal(&auth, &token, e),
    };
    let v = ConfirmValues {
        phone: super::readable_phone(p.phone.as_deref()),
        last_name: p.last_name,
        first_name: p.first_name,
        profession: p.profession,
        rpps: p.rpps.unwrap_or_default(),
        email: p.email.unwrap_or_default(),
        establishments: p.establishments.replace(',', ", "),
        public_name: p.public_name.then(|| "on".into()),
        public_email: p.public_email.then(|| "on".into()),
        public_phone: p.public_phone.then(|| "on".into()),
    };
    confirm_page(&auth, &token, v, Vec::new(), None, None)
}

/// The professional's answer: confirmed as is, or corrections for the secretary.
pub async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
    HtmlForm(v): HtmlForm<ConfirmValues>,
) -> PageResult {
    let lang = auth.lang;
    let (link, p) = match confirmation::open(&state.db, &token)
        .await
        .map_err(PageError::store(lang))?
    {
        Ok(x) => x,
        Err(e) => return refusal(&auth, &token, e),
    };
    let region = RegionCode::parse(&p.region_code).map_err(|_| PageError::NotFound(lang))?;
    let input = ProfessionalInput {
        last_name: Some(v.last_name.clone()),
        first_name: Some(v.first_name.clone()),
        profession: Some(v.profession.clone()),
        rpps: Some(v.rpps.clone()),
        email: Some(v.email.clone()),
        phone: Some(v.phone.clone()),
        region: None,
        // Network roles are the CRAtb's classification: kept as they are.
        network_roles: Some(
            p.network_roles
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        ),
        establishments: Some(vec![v.establishments.clone()]),
        territory_id: p.territory_id,
        public_name: Some(v.public_name.is_some()),
        public_email: Some(v.public_email.is_some()),
        public_phone: Some(v.public_phone.is_some()),
    };
    let new = match NewProfessional::validate(&input, Some(&region)) {
        Ok(n) => n,
        Err(errors) => return confirm_page(&auth, &token, v, errors, None, None),
    };
    let unknown = directory::check_establishments(&state.db, &new)
        .await
        .map_err(PageError::store(lang))?;
    if !unknown.is_empty() {
        return confirm_page(&auth, &token, v, unknown, None, None);
    }
    let origin = auth.origin();
    let outcome = match cratb_app::directory::answer_link(&state.db, &origin, link, &p, &new).await
    {
        Ok(o) => o,
        // Used by a concurrent submission a moment ago.
        Err(cratb_store::StoreError::Conflict(_)) => {
            return refusal(&auth, &token, LinkError::Used(String::from("à l'instant")));
        }
        Err(e) => return Err(PageError::store(lang)(e)),
    };
    let done = match outcome {
        Outcome::Confirmed => lang.tr().camp_thanks_confirmed,
        Outcome::Submitted => lang.tr().camp_thanks_submitted,
    };
    confirm_page(&auth, &token, v, Vec::new(), None, Some(done))
}
