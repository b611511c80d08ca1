//! Server-rendered pages. Each module holds the handlers of one screen; templates are in
//! `templates/` and checked at compile time by askama.

pub mod account;
pub mod advice;
pub mod audit;
pub mod audits;
pub mod consumption;
pub mod directory;
pub mod directory_campaign;
pub mod directory_import;
pub mod docs;
pub mod establishments;
pub mod health;
pub mod home;
pub mod login;
pub mod mfa;
pub mod network;
pub mod password;
pub mod plans;
pub mod resistance;
pub mod territories;
pub mod users;

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{FromRequest, Request};
use axum::response::{Html, IntoResponse, Response};
use cratb_domain::FieldError;
use cratb_domain::{Bilingual, Permission};
use serde::de::DeserializeOwned;

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the common layout needs: language, user, CSRF token, navigation.
pub struct Layout {
    pub lang: Lang,
    pub tr: &'static Tr,
    pub other_lang: Lang,
    pub title: String,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub path: String,
    pub css: String,
    pub js: String,
    pub htmx: String,
}

impl Layout {
    /// The layout of a page titled `title`, for the caller described by `auth`.
    pub fn new(auth: &Auth, title: &str) -> Layout {
        let tr = auth.lang.tr();
        let path = auth.path.split('?').next().unwrap_or("/").to_owned();
        let mut nav = Vec::new();
        if auth.user.is_some() {
            // The account and the logout are the header's, at its right (the user menu).
            // The advice service: the requests for those who ask or answer, the statistics
            // alone for the agency.
            let advice = if auth.can(Permission::AskAdvice) {
                ("/advice", tr.nav_advice, Some(Permission::AskAdvice))
            } else {
                (
                    "/advice/stats",
                    tr.nav_advice_stats,
                    Some(Permission::ViewAdviceStats),
                )
            };
            let items: [(&'static str, &'static str, Option<Permission>); 11] = [
                ("/", tr.nav_home, None),
                advice,
                (
                    "/establishments",
                    tr.nav_establishments,
                    Some(Permission::ViewEstablishments),
                ),
                (
                    "/territories",
                    tr.nav_territories,
                    Some(Permission::ViewEstablishments),
                ),
                (
                    "/directory",
                    tr.nav_directory,
                    Some(Permission::ViewDirectory),
                ),
                ("/network", tr.nav_network, Some(Permission::ViewDirectory)),
                (
                    "/resistance",
                    tr.nav_resistance,
                    Some(Permission::ViewResistance),
                ),
                (
                    "/consumption",
                    tr.nav_consumption,
                    Some(Permission::ViewConsumption),
                ),
                ("/audits", tr.nav_audits, Some(Permission::ViewAudits)),
                ("/users", tr.nav_users, Some(Permission::ViewUsers)),
                ("/audit", tr.nav_audit, Some(Permission::ViewAudit)),
            ];
            for (href, label, perm) in items {
                if perm.is_none_or(|p| auth.can(p)) {
                    // `/audit` (the log) is not current on `/audits` (the campaigns).
                    let current = if href == "/" {
                        path == "/"
                    } else {
                        path.strip_prefix(href)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                    };
                    nav.push(NavItem {
                        href,
                        label,
                        current,
                    });
                }
            }
        }
        Layout {
            lang: auth.lang,
            tr,
            other_lang: auth.lang.other(),
            title: title.to_owned(),
            user_name: auth.user.as_ref().map(|u| u.display_name.clone()),
            csrf: auth.csrf.clone(),
            nav,
            path: auth.path.clone(),
            css: crate::assets::url("app", "css"),
            js: crate::assets::url("app", "js"),
            htmx: crate::assets::url("htmx", "js"),
        }
    }
}

/// A count as templates hold it (a number, or a reference to one).
pub trait Count {
    fn get(&self) -> i64;
}

macro_rules! count_of {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn get(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
count_of!(i64, i32, u32, u64, usize);

impl<T: Count + ?Sized> Count for &T {
    fn get(&self) -> i64 {
        (**self).get()
    }
}

impl Layout {
    /// `n` with the singular or plural of `forms` (see [`crate::i18n::counted`]).
    pub fn count(&self, n: impl Count, forms: &str) -> String {
        crate::i18n::counted(n.get(), forms, self.lang)
    }
}

/// Renders a template into an HTML response (a rendering failure is our bug: 500, logged).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "erreur interne",
            )
                .into_response()
        }
    }
}

/// Renders a template with a status other than 200 (a rendering failure stays a 500).
pub fn render_status(t: &impl Template, status: axum::http::StatusCode) -> Response {
    let mut r = render(t);
    if r.status().is_success() {
        *r.status_mut() = status;
    }
    r
}

/// 422 for a form that comes back with errors, 200 otherwise.
pub fn form_status(errors: &[FieldError]) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The message of `field` among a form's errors, in `lang`.
pub fn field_error<'a>(errors: &'a [FieldError], field: &str, lang: Lang) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message(lang))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    message: String,
}

/// A full error page (used by [`PageError`] and the CSRF check).
pub fn error_page(lang: Lang, title: &str, message: &str) -> Response {
    let auth = Auth {
        user: None,
        session_hash: None,
        csrf: String::new(),
        api: false,
        can_write: false,
        lang,
        ip: None,
        request_id: None,
        path: String::new(),
    };
    render(&ErrorPage {
        l: Layout::new(&auth, title),
        message: message.to_owned(),
    })
}

/// The fallback for unknown paths.
pub async fn not_found(req: Request) -> Response {
    match req.extensions().get::<Auth>() {
        Some(a) if a.api => crate::error::ApiError::not_found().into_response(),
        Some(a) => PageError::NotFound(a.lang).into_response(),
        None => PageError::NotFound(Lang::Fr).into_response(),
    }
}

/// A form body; a malformed one is a 400 page, never a 500. A NUL byte or invalid UTF-8 in
/// any field is refused; `KEEP_NUL` lets NUL bytes through in values, for the one form that
/// must record them rather than refuse them (the login, where it is a failed attempt).
pub struct HtmlForm<T, const KEEP_NUL: bool = false>(pub T);

impl<S: Send + Sync, T: DeserializeOwned, const KEEP_NUL: bool> FromRequest<S>
    for HtmlForm<T, KEEP_NUL>
{
    type Rejection = Response;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let lang = req.extensions().get::<Auth>().map_or(Lang::Fr, |a| a.lang);
        let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT)
            .await
            .map_err(|_| {
                PageError::BadRequest(lang, "formulaire trop volumineux".into()).into_response()
            })?;
        crate::input::check_urlencoded(&bytes, crate::input::Place::Field, KEEP_NUL).map_err(
            |refused| PageError::BadRequest(lang, refused.in_lang(lang)).into_response(),
        )?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        serde_path_to_error::deserialize(de)
            .map(HtmlForm)
            .map_err(|e| {
                PageError::BadRequest(lang, format!("champ « {} » : valeur illisible", e.path()))
                    .into_response()
            })
    }
}

/// A form whose fields may repeat (ticked boxes of one name): the values of a repeated field
/// arrive joined by commas, for a [`cratb_domain::account::List`]. Checked like [`HtmlForm`].
pub struct ListForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ListForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let lang = req.extensions().get::<Auth>().map_or(Lang::Fr, |a| a.lang);
        let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT)
            .await
            .map_err(|_| {
                PageError::BadRequest(lang, "formulaire trop volumineux".into()).into_response()
            })?;
        crate::input::check_urlencoded(&bytes, crate::input::Place::Field, false).map_err(
            |refused| PageError::BadRequest(lang, refused.in_lang(lang)).into_response(),
        )?;
        let mut fields: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(&bytes) {
            match fields.iter_mut().find(|(key, _)| *key == k) {
                Some((_, joined)) => {
                    joined.push(',');
                    joined.push_str(&v);
                }
                None => fields.push((k.into_owned(), v.into_owned())),
            }
        }
        let merged = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(merged.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ListForm)
            .map_err(|e| {
                PageError::BadRequest(lang, format!("champ « {} » : valeur illisible", e.path()))
                    .into_response()
            })
    }
}

/// An empty form value counts as absent.
pub fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The caller's access to `region`'s rows (404 when their scope does not reach it).
pub fn region_access(
    auth: &crate::auth::Auth,
    region: &str,
) -> Result<cratb_domain::RegionAccess, PageError> {
    let (_, scope) = auth.page_user()?;
    scope.access(region).ok_or(PageError::NotFound(auth.lang))
}

/// A moment for display, in Paris time (`30/11/2026 13:05` in French, `2026-11-30 13:05 CET`
/// in English, which names the zone): [`cratb_domain::paris::moment`].
pub fn fmt_time(t: &time::OffsetDateTime, lang: Lang) -> String {
    cratb_domain::paris::moment(*t, lang)
}

/// An `<option>` of a select: value, label, whether it is the current one.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options from `(value, label)` pairs, marking the one equal to `current`.
pub fn options<V: AsRef<str>, L: AsRef<str>>(
    items: impl IntoIterator<Item = (V, L)>,
    current: &str,
) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(v, l)| Opt {
            selected: v.as_ref().eq_ignore_ascii_case(current),
            value: v.as_ref().to_owned(),
            label: l.as_ref().to_owned(),
        })
        .collect()
}

/// Checkboxes from `(value, label)` pairs, ticking those in `ticked`.
pub fn checks<V: AsRef<str>, L: AsRef<str>>(
    items: impl IntoIterator<Item = (V, L)>,
    ticked: &[String],
) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(v, l)| Opt {
            selected: ticked.iter().any(|t| t == v.as_ref()),
            value: v.as_ref().to_owned(),
            label: l.as_ref().to_owned(),
        })
        .collect()
}

/// A text field of a form: name, label, value, input type.
pub type Field<'a> = (&'static str, &'static str, &'a str, &'static str);

/// A stored phone number (E.164) as people read it (`04 76 12 34 56`); empty when absent.
pub fn readable_phone(e164: Option<&str>) -> String {
    e164.map_or(String::new(), |x| {
        cratb_domain::Phone::parse(x).map_or(x.to_owned(), |p| p.to_string())
    })
}

/// What a page handler returns: the page, or the error page to show instead.
pub type PageResult = Result<Response, PageError>;

pub use crate::upload::Upload;
