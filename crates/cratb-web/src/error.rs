//! The one place where errors become HTTP responses: an HTML page for the browser, an
//! `application/problem+json` document (RFC 9457) for the API. A user error is a 4xx with a
//! message; only a fault of ours is a 500, and its detail goes to the log, not the client.

use crate::i18n::Catalogue as _;
use crate::i18n::Lang;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cratb_store::StoreError;
use serde::Serialize;

/// One invalid field of a request, with a JSON pointer to it (RFC 6901); for an uploaded file,
/// the line, column and value at fault.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct InvalidParam {
    /// JSON pointer to the field, e.g. `/finess`; for a file, `/file`.
    pub pointer: String,
    /// What is wrong, in French (or in the language asked for, for files).
    pub detail: String,
    /// Line of the uploaded file (1 = header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column of the uploaded file, as named in its header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The value found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InvalidParam>,
}

/// An API error, rendered as a problem document.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: Option<String>,
    pub errors: Vec<InvalidParam>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: Some(detail.into()),
            errors: vec![],
        }
    }
    /// 422 naming the invalid fields.
    pub fn invalid(errors: Vec<InvalidParam>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: Some("la requête contient des valeurs invalides".into()),
            errors,
        }
    }
    pub fn field(pointer: &str, detail: impl Into<String>) -> Self {
        Self::invalid(vec![InvalidParam {
            pointer: pointer.into(),
            detail: detail.into(),
            ..Default::default()
        }])
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "jeton d'API absent, inconnu ou révoqué (en-tête Authorization: Bearer cratb_…)",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "votre rôle ou votre jeton ne permet pas cette opération",
        )
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ressource introuvable ou hors de votre région",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(f) => ApiError {
                status: StatusCode::CONFLICT,
                detail: Some("cette valeur est déjà utilisée".into()),
                errors: vec![InvalidParam {
                    pointer: format!("/{f}"),
                    detail: "déjà utilisé".into(),
                    ..Default::default()
                }],
            },
            StoreError::Invalid(f) => ApiError::field(
                &format!("/{f}"),
                "valeur refusée (inconnue ou hors de votre région)",
            ),
            StoreError::CannotWrite(why) => {
                tracing::error!(error = %why, "the database cannot write (disk full or read-only)");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Lang::Fr.tr().cannot_write_text,
                )
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "erreur interne ; elle a été journalisée",
                )
            }
        }
    }
}

impl ApiError {
    /// A use case's refusal, with its messages in `lang`: the fields at fault (422), a value
    /// already taken (409), not found (404), or the store's error.
    pub fn app(lang: Lang) -> impl FnOnce(cratb_app::AppError) -> ApiError {
        move |e| {
            let param = |f: cratb_domain::FieldError| InvalidParam {
                pointer: f.pointer(),
                detail: f.message(lang).to_owned(),
                ..Default::default()
            };
            match e {
                cratb_app::AppError::NotFound => ApiError::not_found(),
                cratb_app::AppError::Forbidden => ApiError::forbidden(),
                cratb_app::AppError::Invalid(fields) => {
                    ApiError::invalid(fields.into_iter().map(param).collect())
                }
                cratb_app::AppError::Conflict(f) => ApiError {
                    status: StatusCode::CONFLICT,
                    detail: Some("cette valeur est déjà utilisée".into()),
                    errors: vec![param(f)],
                },
                cratb_app::AppError::Store(e) => e.into(),
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error").to_owned();
        let body = Problem {
            type_: "about:blank".into(),
            title,
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut res = (self.status, Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cratb\""),
            );
        }
        res
    }
}

/// A page error, rendered as an HTML page in the user's language.
#[derive(Debug)]
pub enum PageError {
    /// Not logged in: go to the login page and come back.
    Login {
        next: String,
    },
    Forbidden(Lang),
    /// Refused (403), with the reason said.
    Refused(Lang, String),
    NotFound(Lang),
    BadRequest(Lang, String),
    /// Every import slot is taken: try again in a moment (503).
    Busy(Lang),
    /// The database cannot write (disk full, read-only): 503, nothing changed.
    CannotWrite(Lang),
    Internal(Lang),
}

impl PageError {
    pub fn store(lang: Lang) -> impl FnOnce(StoreError) -> PageError {
        move |e| match e {
            StoreError::NotFound => PageError::NotFound(lang),
            StoreError::Conflict(f) | StoreError::Invalid(f) => {
                PageError::BadRequest(lang, format!("valeur refusée : {f}"))
            }
            StoreError::CannotWrite(why) => {
                tracing::error!(error = %why, "the database cannot write (disk full or read-only)");
                PageError::CannotWrite(lang)
            }
            other => {
                tracing::error!(error = %other, "store error");
                PageError::Internal(lang)
            }
        }
    }
}

impl PageError {
    /// A use case's refusal that the page has no form field for.
    pub fn app(lang: Lang) -> impl FnOnce(cratb_app::AppError) -> PageError {
        move |e| match e {
            cratb_app::AppError::NotFound => PageError::NotFound(lang),
            cratb_app::AppError::Forbidden => PageError::Forbidden(lang),
            cratb_app::AppError::Invalid(fields) => PageError::BadRequest(
                lang,
                fields
                    .iter()
                    .map(|f| f.message(lang))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            cratb_app::AppError::Conflict(f) => {
                PageError::BadRequest(lang, f.message(lang).to_owned())
            }
            cratb_app::AppError::Store(e) => PageError::store(lang)(e),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, lang, title, text) = match self {
            PageError::Login { next } => {
                let target = format!("/login?next={}", urlencode(&next));
                return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
            }
            PageError::Forbidden(l) => (
                StatusCode::FORBIDDEN,
                l,
                l.tr().forbidden_title,
                l.tr().forbidden_text.to_owned(),
            ),
            PageError::Refused(l, m) => (StatusCode::FORBIDDEN, l, l.tr().forbidden_title, m),
            PageError::NotFound(l) => (
                StatusCode::NOT_FOUND,
                l,
                l.tr().not_found_title,
                l.tr().not_found_text.to_owned(),
            ),
            PageError::BadRequest(l, m) => {
                (StatusCode::BAD_REQUEST, l, l.tr().bad_request_title, m)
            }
            PageError::Busy(l) => (
                StatusCode::SERVICE_UNAVAILABLE,
                l,
                l.tr().busy_title,
                l.tr().busy_text.to_owned(),
            ),
            PageError::CannotWrite(l) => (
                StatusCode::SERVICE_UNAVAILABLE,
                l,
                l.tr().cannot_write_title,
                l.tr().cannot_write_text.to_owned(),
            ),
            PageError::Internal(l) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                l,
                l.tr().error_title,
                l.tr().error_text.to_owned(),
            ),
        };
        (status, crate::pages::error_page(lang, title, &text)).into_response()
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}
