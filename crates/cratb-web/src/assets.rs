//! Static assets (CSS, htmx, our small script), embedded in the binary and served with a
//! content hash in their name so they can be cached forever. No CDN.

use crate::AppState;
use crate::auth::request_lang;
use crate::error::PageError;
use crate::input::Path;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

struct Asset {
    stem: &'static str,
    ext: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        stem: "app",
        ext: "css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/app.css"),
    },
    Asset {
        stem: "app",
        ext: "js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/app.js"),
    },
    Asset {
        stem: "htmx",
        ext: "js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/htmx.min.js"),
    },
];

fn hashed_names() -> &'static Vec<String> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        use sha2::{Digest, Sha256};
        ASSETS
            .iter()
            .map(|a| {
                format!(
                    "{}.{}.{}",
                    a.stem,
                    &hex::encode(Sha256::digest(a.bytes))[..12],
                    a.ext
                )
            })
            .collect()
    })
}

/// The URL of an asset, e.g. `url("app", "css")` → `/static/app.1a2b3c4d5e6f.css`.
pub fn url(stem: &str, ext: &str) -> String {
    let i = ASSETS
        .iter()
        .position(|a| a.stem == stem && a.ext == ext)
        .expect("known asset");
    format!("/static/{}", hashed_names()[i])
}

/// Serves an asset by its hashed name.
pub async fn serve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    match hashed_names().iter().position(|n| *n == file) {
        Some(i) => {
            let a = &ASSETS[i];
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(a.mime)),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("public, max-age=31536000, immutable"),
                    ),
                ],
                a.bytes,
            )
                .into_response()
        }
        None => {
            let lang = request_lang(&headers, &state.config);
            PageError::NotFound(lang).into_response()
        }
    }
}
