//! What a request may carry, checked at the edge before any handler sees it.
//!
//! - Text is UTF-8 without NUL bytes: [`refuse_unreadable_address`] checks the path and the
//!   query string of every request; [`check_urlencoded`] form bodies, [`refuse_nul_in_json`]
//!   JSON bodies, [`refuse_nul_in_parts`] the text fields and file names of multipart forms.
//!   PostgreSQL cannot store a NUL byte in text, and nothing a person types contains one.
//! - Query and path parameters are parsed into bounded types by the one [`Query`] and [`Path`]
//!   extractors: [`Day`] (a date between 1900 and 2100), [`Year`], [`Bounded`] integers
//!   ([`PageNumber`], [`PerPage`], [`Id`]…), so that no value past a calendar or an integer
//!   reaches a query or an addition.
//!
//! A refusal is a 400: the error page in the user's language, or under `/api/v1` a problem
//! document naming the parameter, the value and what was expected.

use crate::AppState;
use crate::auth::{Auth, request_lang};
use crate::error::{ApiError, InvalidParam, PageError};
use crate::i18n::Lang;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cratb_domain::Bilingual;
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use time::Date;
use time::macros::date;

/// The first day a date parameter may name.
pub const FIRST_DAY: Date = date!(1900 - 01 - 01);
/// The last day a date parameter may name.
pub const LAST_DAY: Date = date!(2100 - 12 - 31);

/// Why a text of the request cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// A NUL byte (`%00`, `\u0000`).
    Nul,
    /// Bytes that are not UTF-8 (`%FF`).
    InvalidUtf8,
    /// A `%` not followed by two hexadecimal digits.
    BadEscape,
}

/// Where an unreadable text was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The path of the address.
    Path,
    /// A query parameter (its name, if readable).
    Parameter(String),
    /// A field of a form or a JSON body.
    Field(String),
}

/// An unreadable text and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableText {
    pub place: Place,
    pub problem: Unreadable,
}

impl fmt::Display for UnreadableText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match &self.place {
            Place::Path => "L'adresse demandée".to_owned(),
            Place::Parameter(n) => format!("Le paramètre « {} »", shown(n)),
            Place::Field(n) => format!("Le champ « {} »", shown(n)),
        };
        match self.problem {
            Unreadable::Nul => write!(
                f,
                "{place} contient un caractère nul (octet 0), qui n'est jamais accepté : retirez-le."
            ),
            Unreadable::InvalidUtf8 => {
                write!(
                    f,
                    "{place} contient des caractères illisibles (UTF-8 invalide)."
                )
            }
            Unreadable::BadEscape => write!(
                f,
                "{place} contient un « % » qui n'est pas suivi de deux chiffres hexadécimaux."
            ),
        }
    }
}

impl Bilingual for UnreadableText {
    fn en(&self) -> String {
        let place = match &self.place {
            Place::Path => "The address".to_owned(),
            Place::Parameter(n) => format!("Parameter “{}”", shown(n)),
            Place::Field(n) => format!("Field “{}”", shown(n)),
        };
        match self.problem {
            Unreadable::Nul => {
                format!(
                    "{place} contains a NUL character (byte 0), which is never accepted: remove it."
                )
            }
            Unreadable::InvalidUtf8 => {
                format!("{place} contains unreadable characters (invalid UTF-8).")
            }
            Unreadable::BadEscape => {
                format!("{place} contains a “%” not followed by two hexadecimal digits.")
            }
        }
    }
}

/// A value as echoed in a message: readable, and short.
fn shown(v: &str) -> String {
    let clean: String = v
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    match clean.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`), refusing malformed
/// escapes, invalid UTF-8 and NUL bytes.
fn percent_decode(raw: &[u8], plus_is_space: bool) -> Result<Cow<'_, str>, Unreadable> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes: Cow<[u8]> = if raw
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'))
    {
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                b'%' => {
                    let (Some(h), Some(l)) = (
                        raw.get(i + 1).copied().and_then(hex),
                        raw.get(i + 2).copied().and_then(hex),
                    ) else {
                        return Err(Unreadable::BadEscape);
                    };
                    out.push(h * 16 + l);
                    i += 3;
                }
                b'+' if plus_is_space => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    if bytes.contains(&0) {
        return Err(Unreadable::Nul);
    }
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b)
            .map(Cow::Borrowed)
            .map_err(|_| Unreadable::InvalidUtf8),
        Cow::Owned(b) => String::from_utf8(b)
            .map(Cow::Owned)
            .map_err(|_| Unreadable::InvalidUtf8),
    }
}

/// Checks a query string or a form body (`application/x-www-form-urlencoded`): every name
/// and value decodes to UTF-8 without NUL bytes. `nul_allowed` lets NUL bytes through in
/// values (the login form, which records them as a failed login).
pub fn check_urlencoded(
    raw: &[u8],
    place: fn(String) -> Place,
    nul_allowed: bool,
) -> Result<(), UnreadableText> {
    for pair in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = halves.next().unwrap_or_default();
        let value = halves.next().unwrap_or_default();
        let decoded_name = percent_decode(name, true);
        let name_shown = match &decoded_name {
            Ok(n) => n.to_string(),
            Err(_) => String::from_utf8_lossy(name).into_owned(),
        };
        let refusal = |problem| UnreadableText {
            place: place(name_shown.clone()),
            problem,
        };
        decoded_name.map_err(refusal)?;
        match percent_decode(value, true) {
            Err(Unreadable::Nul) if nul_allowed => {}
            Err(problem) => return Err(refusal(problem)),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// The first string (or key) of a JSON document holding a NUL character, as a JSON pointer.
pub fn refuse_nul_in_json(v: &serde_json::Value) -> Result<(), UnreadableText> {
    fn walk(v: &serde_json::Value, at: &mut String) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                let found = walk(item, at);
                if !found {
                    at.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(map) => map.iter().any(|(k, item)| {
                let len = at.len();
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                let found = k.contains('\0') || walk(item, at);
                if !found {
                    at.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut at = String::new();
    if walk(v, &mut at) {
        return Err(UnreadableText {
            place: Place::Field(at),
            problem: Unreadable::Nul,
        });
    }
    Ok(())
}

/// The first text field or file name of a multipart form holding a NUL byte.
pub fn refuse_nul_in_parts<'a>(
    texts: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), UnreadableText> {
    for (name, text) in texts {
        if name.contains('\0') || text.contains('\0') {
            return Err(UnreadableText {
                place: Place::Field(name.to_owned()),
                problem: Unreadable::Nul,
            });
        }
    }
    Ok(())
}

/// Whether a request is answered with problem documents (the API) rather than pages, as
/// [`crate::auth::authenticate`] decides.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/v1")
}

/// Refuses, with a 400, a request whose path or query string is not UTF-8 or holds a NUL
/// byte: no handler, extractor or query ever sees one.
pub async fn refuse_unreadable_address(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let uri = req.uri();
    let refusal = percent_decode(uri.path().as_bytes(), false)
        .err()
        .map(|problem| UnreadableText {
            place: Place::Path,
            problem,
        })
        .or_else(|| {
            uri.query()
                .and_then(|q| check_urlencoded(q.as_bytes(), Place::Parameter, false).err())
        });
    let Some(refusal) = refusal else {
        return next.run(req).await;
    };
    let lang = request_lang(req.headers(), &state.config);
    let pointer = match &refusal.place {
        Place::Parameter(n) => Some(format!("/{n}")),
        _ => None,
    };
    Refusal {
        lang,
        api: is_api(uri.path()),
        message: refusal.in_lang(lang),
        pointer,
        value: None,
    }
    .into_response()
}

/// A refused parameter or address, answered in the caller's language and form.
#[derive(Debug)]
pub struct Refusal {
    lang: Lang,
    api: bool,
    /// The whole message, in `lang`.
    message: String,
    /// JSON pointer to the parameter (`/to`), when one is named.
    pointer: Option<String>,
    /// The value refused.
    value: Option<String>,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        if !self.api {
            return PageError::BadRequest(self.lang, self.message).into_response();
        }
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, self.message.clone());
        if let Some(pointer) = self.pointer {
            e.errors.push(InvalidParam {
                pointer,
                detail: self.message,
                value: self.value,
                ..Default::default()
            });
        }
        e.into_response()
    }
}

/// The caller's language, and whether it expects problem documents.
fn caller(parts: &Parts) -> (Lang, bool) {
    match parts.extensions.get::<Auth>() {
        Some(a) => (a.lang, a.api),
        // Before authentication (static assets, health probes): the language it negotiated.
        None => (
            parts
                .extensions
                .get::<Lang>()
                .copied()
                .unwrap_or_else(|| crate::i18n::negotiate(None, &parts.headers)),
            is_api(parts.uri.path()),
        ),
    }
}

/// What a parameter should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expected {
    /// A date `YYYY-MM-DD` from [`FIRST_DAY`] to [`LAST_DAY`].
    Day,
    /// A year from [`Year::FIRST`] to [`Year::LAST`].
    Year,
    /// A whole number within bounds.
    Integer { min: i64, max: i64 },
}

impl Expected {
    fn fr(self) -> String {
        match self {
            Expected::Day => "une date AAAA-MM-JJ entre le 01/01/1900 et le 31/12/2100".into(),
            Expected::Year => format!("une année entre {} et {}", Year::FIRST, Year::LAST),
            Expected::Integer { min, max: i64::MAX } => {
                format!("un nombre entier à partir de {min}")
            }
            Expected::Integer { min, max } => format!("un nombre entier entre {min} et {max}"),
        }
    }
    fn en(self) -> String {
        match self {
            Expected::Day => "a YYYY-MM-DD date between 1900-01-01 and 2100-12-31".into(),
            Expected::Year => format!("a year between {} and {}", Year::FIRST, Year::LAST),
            Expected::Integer { min, max: i64::MAX } => format!("a whole number from {min}"),
            Expected::Integer { min, max } => format!("a whole number between {min} and {max}"),
        }
    }
    /// The error a typed parameter's `Deserialize` returns. Serde carries only a message, so
    /// the expectation travels as JSON, for [`Query`] to say it in the caller's language.
    fn refuse<E: serde::de::Error>(self) -> E {
        E::custom(serde_json::to_string(&self).unwrap_or_default())
    }
}

/// A query parameter that could not be read into its type.
#[derive(Debug, Clone)]
pub struct BadParam {
    pub name: String,
    pub value: Option<String>,
    /// What was expected, when the type is one of ours.
    pub expected: Option<Expected>,
    /// Serde's own words otherwise.
    pub detail: String,
}

impl fmt::Display for BadParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Paramètre « {} »", shown(&self.name))?;
        if let Some(v) = &self.value {
            write!(f, " : « {} » refusé", shown(v))?;
        }
        match self.expected {
            Some(e) => write!(f, " ; attendu : {}.", e.fr()),
            None => write!(f, " : valeur illisible ({}).", self.detail),
        }
    }
}

impl Bilingual for BadParam {
    fn en(&self) -> String {
        let mut s = format!("Parameter “{}”", shown(&self.name));
        if let Some(v) = &self.value {
            s.push_str(&format!(": “{}” refused", shown(v)));
        }
        match self.expected {
            Some(e) => s.push_str(&format!("; expected: {}.", e.en())),
            None => s.push_str(&format!(": unreadable value ({}).", self.detail)),
        }
        s
    }
}

/// Query parameters read into `T`, whose fields are typed and bounded; an empty value counts
/// as absent (forms send their empty fields). A value that does not fit its type is a 400
/// naming the parameter, the value and what was expected.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Refusal;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let given: Vec<(Cow<str>, Cow<str>)> = form_urlencoded::parse(raw.as_bytes())
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let kept = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&given)
            .finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(kept.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let (lang, api) = caller(parts);
                let name = e.path().to_string();
                let detail = e.inner().to_string();
                let value = given
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string());
                let bad = BadParam {
                    expected: serde_json::from_str(&detail).ok(),
                    detail,
                    value: value.clone(),
                    name: name.clone(),
                };
                Refusal {
                    lang,
                    api,
                    message: bad.in_lang(lang),
                    pointer: Some(format!("/{name}")),
                    value,
                }
            })
    }
}

/// Path parameters read into `T`; a segment that does not fit is a 400 in the caller's
/// language and form (axum's own answer is plain text).
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Refusal;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(rejection) => {
                let (lang, api) = caller(parts);
                let value = match &rejection {
                    PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                        ErrorKind::ParseErrorAtKey { value, .. }
                        | ErrorKind::ParseErrorAtIndex { value, .. }
                        | ErrorKind::ParseError { value, .. } => Some(value.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let segment = value.as_deref().map(shown).unwrap_or_default();
                let message = match lang {
                    Lang::Fr => format!(
                        "L'adresse contient « {segment} » là où un identifiant numérique est attendu."
                    ),
                    Lang::En => format!(
                        "The address holds “{segment}” where a numeric identifier is expected."
                    ),
                };
                Err(Refusal {
                    lang,
                    api,
                    message,
                    pointer: None,
                    value,
                })
            }
        }
    }
}

/// Deserializes a typed parameter from its text.
fn from_text<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = Expected>,
{
    let text = Cow::<str>::deserialize(d)?;
    text.trim().parse().map_err(Expected::refuse)
}

/// A calendar day given as a parameter, `YYYY-MM-DD`, from 1900-01-01 to 2100-12-31: wide
/// enough for any record, narrow enough that the day before and the day after still exist in
/// both databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    /// The date.
    pub fn date(self) -> Date {
        self.0
    }
}

impl FromStr for Day {
    type Err = Expected;
    fn from_str(s: &str) -> Result<Day, Expected> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(s, &fmt)
            .ok()
            .filter(|d| (FIRST_DAY..=LAST_DAY).contains(d))
            .map(Day)
            .ok_or(Expected::Day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d)
    }
}

/// A year given as a parameter, from 1900 to 2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(i16);

impl Year {
    /// The first year a parameter may name.
    pub const FIRST: i16 = 1900;
    /// The last year a parameter may name.
    pub const LAST: i16 = 2100;
    /// The year.
    pub fn get(self) -> i16 {
        self.0
    }
}

impl FromStr for Year {
    type Err = Expected;
    fn from_str(s: &str) -> Result<Year, Expected> {
        s.parse()
            .ok()
            .filter(|y| (Year::FIRST..=Year::LAST).contains(y))
            .map(Year)
            .ok_or(Expected::Year)
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Year {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d)
    }
}

/// A whole number given as a parameter, from `MIN` to `MAX` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Bounded<MIN, MAX> {
    /// The number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<const MIN: i64, const MAX: i64> FromStr for Bounded<MIN, MAX> {
    type Err = Expected;
    fn from_str(s: &str) -> Result<Self, Expected> {
        s.parse()
            .ok()
            .filter(|n| (MIN..=MAX).contains(n))
            .map(Bounded)
            .ok_or(Expected::Integer { min: MIN, max: MAX })
    }
}

impl<const MIN: i64, const MAX: i64> fmt::Display for Bounded<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d)
    }
}

/// A page number of a list.
pub type PageNumber = Bounded<1, { cratb_store::PageRequest::MAX_PAGE }>;
/// Items per page of a list.
pub type PerPage = Bounded<1, { cratb_store::PageRequest::MAX_PER_PAGE }>;
/// The id of a row.
pub type Id = Bounded<1, { i64::MAX }>;

/// The page asked for, from typed parameters.
pub fn page_request(
    page: Option<PageNumber>,
    per_page: Option<PerPage>,
) -> cratb_store::PageRequest {
    cratb_store::PageRequest::new(page.map(PageNumber::get), per_page.map(PerPage::get))
}

/// The OpenAPI schema of a bounded integer parameter.
fn integer_schema(min: i64, max: i64) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(min as f64))
        .maximum(Some(max as f64))
        .into()
}

impl<const MIN: i64, const MAX: i64> utoipa::PartialSchema for Bounded<MIN, MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        integer_schema(MIN, MAX)
    }
}

impl utoipa::PartialSchema for Year {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        integer_schema(Year::FIRST.into(), Year::LAST.into())
    }
}

impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .description(Some("YYYY-MM-DD, 1900-01-01 to 2100-12-31"))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_bounded() {
        assert_eq!(
            "2026-03-01".parse::<Day>().unwrap().to_string(),
            "2026-03-01"
        );
        for bad in [
            "9999-12-31",
            "-0001-01-01",
            "0000-00-00",
            "2024-02-30",
            "1899-12-31",
            "2101-01-01",
            "31/12/2026",
            "",
        ] {
            assert_eq!(bad.parse::<Day>(), Err(Expected::Day), "{bad}");
        }
        assert!(LAST_DAY.next_day().is_some() && FIRST_DAY.previous_day().is_some());
    }

    #[test]
    fn integers_are_bounded() {
        assert_eq!("500".parse::<PerPage>().unwrap().get(), 500);
        for bad in [
            "501",
            "0",
            "-1",
            "9223372036854775807",
            "99999999999999999999",
            "1e309",
            "NaN",
            "1.5",
        ] {
            assert!(bad.parse::<PerPage>().is_err(), "{bad}");
        }
        assert_eq!("9223372036854775807".parse::<Id>().unwrap().get(), i64::MAX);
        assert!("2101".parse::<Year>().is_err() && "2025".parse::<Year>().is_ok());
    }

    #[test]
    fn the_expectation_survives_serde() {
        #[derive(Deserialize, Debug)]
        struct Q {
            #[allow(dead_code)]
            to: Option<Day>,
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(b"to=9999-12-31"));
        let e = serde_path_to_error::deserialize::<_, Q>(de).unwrap_err();
        assert_eq!(e.path().to_string(), "to");
        assert_eq!(
            serde_json::from_str::<Expected>(&e.inner().to_string()).unwrap(),
            Expected::Day
        );
    }

    #[test]
    fn text_is_utf8_without_nul() {
        let check = |s: &str| {
            check_urlencoded(s.as_bytes(), Place::Parameter, false).map_err(|e| e.problem)
        };
        assert_eq!(check("q=a%00b"), Err(Unreadable::Nul));
        assert_eq!(check("q=%FF%FE"), Err(Unreadable::InvalidUtf8));
        assert_eq!(check("q=%C3"), Err(Unreadable::InvalidUtf8));
        assert_eq!(check("q=%ZZ"), Err(Unreadable::BadEscape));
        assert_eq!(check("q=%C3%A9t%C3%A9+2026&x="), Ok(()));
        // A literal replacement character is text like any other.
        assert_eq!(check("q=%EF%BF%BD"), Ok(()));
        assert_eq!(
            check_urlencoded(b"email=a%00b", Place::Field, true),
            Ok(()),
            "the login form lets NUL through to record the failure"
        );
        assert_eq!(
            check_urlencoded(b"a%00=1", Place::Field, true).map_err(|e| e.problem),
            Err(Unreadable::Nul),
            "never in a name"
        );
        let v = serde_json::json!({"a": [1, {"b/c": "x\u{0}"}]});
        assert_eq!(
            refuse_nul_in_json(&v).unwrap_err().place,
            Place::Field("/a/1/b~1c".into())
        );
    }
}
