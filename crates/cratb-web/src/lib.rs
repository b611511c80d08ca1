//! The HTTP face of cratb: server-rendered HTML pages (askama + htmx), the JSON API under
//! `/api/v1/` described by OpenAPI 3.1, and the machinery around them — sessions, CSRF,
//! API tokens, access control, security headers, request ids.
//!
//! Request path: `tower-http` layers (request id, trace, body limit, security headers) →
//! [`input::refuse_unreadable_address`] (no NUL byte, only UTF-8 in the path and query) →
//! [`auth::authenticate`] (session cookie or API token, language, CSRF on unsafe methods) →
//! the per-route access check registered with the route in [`routes`] → the handler, whose
//! extractors ([`input::Query`], [`input::Path`], `HtmlForm`, `ApiJson`) parse parameters into
//! bounded types and refuse NUL bytes in bodies, and which reads and writes through
//! `cratb_store` with the user's region [`Scope`](cratb_domain::Scope). Handlers stay thin:
//! validation is in the domain types and [`input`], scoping in the store.

pub mod advice;
pub mod api;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod consumption;
pub mod error;
pub mod export;
pub mod i18n;
pub mod input;
pub mod mail;
pub mod pages;
pub mod resistance;
pub mod routes;
pub mod upload;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use cratb_store::Db;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (forms and JSON).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest request form with its attachments (`POST /advice/new`): one attachment's limit
/// plus the form around it, so that a slightly-too-large file gets the form's own message.
pub const ADVICE_FORM_LIMIT: usize = 12 * 1024 * 1024;
/// Largest susceptibility file accepted for upload (about 2 million isolates as CSV).
pub const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;
/// The routes that take a file to import, with their body limit; each runs within an import
/// slot ([`upload::within_import_slot`]).
pub const IMPORT_ROUTES: [(&str, usize); 6] = [
    ("/resistance/imports", UPLOAD_LIMIT),
    ("/api/v1/isolates/imports", UPLOAD_LIMIT),
    ("/consumption/imports", UPLOAD_LIMIT),
    ("/consumption/primary-care/imports", UPLOAD_LIMIT),
    // A directory spreadsheet: tens of thousands of rows.
    ("/directory/import", 32 * 1024 * 1024),
    // A WHO ATC/DDD index: a few thousand rows.
    ("/consumption/ddd", BODY_LIMIT),
];

/// How the server is deployed.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Served over HTTPS (directly or behind a TLS-terminating proxy): cookies get `Secure`, HSTS is sent.
    pub behind_tls: bool,
    /// Where e-mail goes (nowhere unless configured).
    pub mailer: mail::Mailer,
    /// The address people reach the application at (`https://cratb.example.org`), for links
    /// sent by e-mail; the request's host otherwise.
    pub public_url: Option<String>,
    /// How many imports may run at once, and how long a request waits for its turn.
    pub imports: upload::ImportSlots,
    /// A demonstration (`serve --demo`, and the tests' servers on demo data): synthetic data
    /// only, so trying the product stays simple — multi-factor authentication is optional for
    /// every role and e-mailed links may follow the request's host. Off everywhere else.
    pub demo: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`serve --trusted-proxy`): from
    /// one of them, the client is the rightmost address of the header that is not one of
    /// them; from anyone else the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The second factor left optional for every role outside a demonstration
    /// (`serve --mfa-optional`: an installation that authenticates otherwise, the binary's
    /// own end-to-end tests); off by default.
    pub mfa_optional: bool,
}

impl Config {
    /// Whether no role must use a second factor: a demonstration, or `--mfa-optional`.
    pub fn second_factor_optional(&self) -> bool {
        self.demo || self.mfa_optional
    }

    /// Whether e-mail (and links to pass on) may be sent: [`public_base`] has an address.
    pub fn may_send_links(&self) -> bool {
        self.public_url.is_some() || self.demo
    }
}

/// The address people reach the application at, for links sent away (e-mails, links handed
/// to a secretary to pass on): the configured public URL (`CRATB_PUBLIC_URL`). None without
/// one, except in a demonstration, which takes the request's scheme and host: elsewhere the
/// `Host` header is the caller's to choose, and links built from it would send their
/// recipients (and the secrets the links carry) wherever the caller wished.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> Option<String> {
    match &state.config.public_url {
        Some(u) => Some(u.trim_end_matches('/').to_string()),
        None if state.config.demo => Some(request_base(state, headers)),
        None => None,
    }
}

/// The address to write absolute URLs with in an answer to the request itself (the FHIR
/// bundles' `fullUrl`): the configured public URL, else the scheme and host the caller used,
/// which only the caller reads.
pub fn request_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.behind_tls {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Each region's isolates in memory, for the resistance pages.
    pub amr: Arc<cache::Cache<resistance::RegionData>>,
    /// Each region's establishment consumption in memory, for the consumption pages.
    pub consumption: Arc<cache::Cache<cratb_consumption::cube::Cube>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        AppState {
            db,
            config: Arc::new(config),
            amr: Arc::default(),
            consumption: Arc::default(),
        }
    }
}

/// The whole application: routes and layers.
pub fn app(state: AppState) -> Router {
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
               font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
               form-action 'self'; frame-ancestors 'none'";
    let x_request_id = HeaderName::from_static("x-request-id");
    let mut router = routes::build(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            upload::within_import_slot,
        ))
        // After authentication: an account that must use a second factor and has none is
        // sent to enrolment.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::mfa::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            input::refuse_unreadable_address,
        ))
        // The limits are ours (below), per route; axum's own 2 MB default would cut uploads.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    if state.config.behind_tls {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(api_no_store))
        .layer(axum::middleware::from_fn(refuse_unplain_request_id))
}

/// Whether a client's `X-Request-Id` may be kept: 1 to 64 of `A-Z a-z 0-9 . _ -`. The id is
/// written in the logs and in every audit entry (and so in the audit log's CSV export); any
/// other value (a formula, a line break, a page of text) is replaced by a generated one.
pub fn is_plain_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops a client's `X-Request-Id` that is not a plain token (see [`is_plain_request_id`]), so
/// that the request-id layer generates one instead.
async fn refuse_unplain_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let ids = req.headers().get_all("x-request-id");
    let plain = ids.iter().count() <= 1 && ids.iter().all(|v| is_plain_request_id(v.as_bytes()));
    if !plain {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

/// Answers of the API are never stored by a browser or a shared cache: they carry personal
/// and regional data, like the pages (whose `no-store` [`auth::authenticate`] adds).
async fn api_no_store(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/v1");
    let mut res = next.run(req).await;
    if api {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Refuses bodies over [`BODY_LIMIT`] (an import route's own, see [`IMPORT_ROUTES`]) with a
/// 413, whether or not they announce their length.
async fn body_limit(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let limit = if let Some((_, limit)) = IMPORT_ROUTES.iter().find(|(p, _)| *p == path) {
        *limit
    } else if path == "/advice/new" {
        // A request with its attachments: up to five files of 10 MB each would not fit; the
        // form takes about one file's worth plus the form around it (the API takes the rest).
        ADVICE_FORM_LIMIT
    } else if path.starts_with("/network/conventions") {
        // A convention's PDF: the document's own limit plus the form around it, so that a
        // slightly-too-large file still gets the form's specific message.
        cratb_directory::network::Document::MAX_BYTES + 2 * 1024 * 1024
    } else {
        BODY_LIMIT
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit) {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "requête trop volumineuse (au plus {} Mio)",
                limit / (1024 * 1024)
            ),
        )
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// Serves the application on `listener` until `shutdown` completes; purges expired sessions
/// hourly; writes the summaries of repeated login failures whose window closed every minute; loads the regions' isolates into memory in the background at start; runs the advice
/// service's sweep every five minutes when a public address is configured ([`advice`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.db.clone();
    let purge = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = cratb_store::sessions::purge_expired(&db).await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    // Repeated login failures are counted per source; once a source's window has closed, its
    // summarising entry is written even if that source never comes back.
    let db = state.db.clone();
    let bursts = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) =
                cratb_store::audit::flush_bursts(&db, cratb_store::audit::Flush::Closed).await
            {
                tracing::warn!(error = %e, "writing the counted login failures failed");
            }
        }
    });
    // Load the regions' isolates and consumption while the first users log in, not when they
    // open the page.
    let (cache, consumption, db) = (
        state.amr.clone(),
        state.consumption.clone(),
        state.db.clone(),
    );
    let warm = tokio::spawn(async move {
        let regions =
            cratb_store::resistance::regions_with_isolates(&db, &cratb_domain::Scope::National)
                .await;
        for region in regions.unwrap_or_default() {
            if let Err(e) = cache.region(&db, &region).await {
                tracing::warn!(error = %e, region, "loading the region's isolates failed");
            }
        }
        let regions = cratb_store::consumption::regions_with_data(&db).await;
        for region in regions.unwrap_or_default() {
            if let Err(e) = consumption.region(&db, &region).await {
                tracing::warn!(error = %e, region, "loading the region's consumption failed");
            }
        }
    });
    // The advice service's overdue and day-7 follow-up e-mails (only with a public address).
    let sweep = advice::spawn_sweep(state.clone());
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    purge.abort();
    bursts.abort();
    warm.abort();
    if let Some(s) = sweep {
        s.abort();
    }
    result
}
