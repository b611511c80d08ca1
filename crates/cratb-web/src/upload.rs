//! Receiving files: multipart forms and raw request bodies read chunk by chunk into one
//! buffer each, and the import slots that keep large imports from running all at once.
//!
//! An import holds its file and what is read from it (at most about 1 GiB for the largest
//! accepted file); the slots bound how many do so together, and a request that finds them
//! taken waits a moment, then gets a 503 with `Retry-After` rather than an out-of-memory.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, PageError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cratb_domain::Bilingual;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The longest text field of a multipart form (a file's options, a CSRF token, an id).
pub const TEXT_FIELD_LIMIT: usize = 64 * 1024;

/// A multipart form as sent (an upload page): its text fields, and the files chosen. A file
/// input left empty is no file; a chosen file that is empty is an (empty) file. Read whole,
/// then asked for by name.
#[derive(Debug, Default)]
pub struct Upload {
    fields: Vec<(String, String)>,
    /// Field name, file name as sent, bytes.
    files: Vec<(String, Option<String>, Vec<u8>)>,
}

impl Upload {
    /// Reads every part, chunk by chunk: those named in `files` are files (each in one buffer;
    /// the request's body limit bounds them), the others text of at most
    /// [`TEXT_FIELD_LIMIT`] bytes. The message is the reason a part could not be read.
    pub async fn read(
        mut form: axum::extract::Multipart,
        files: &[&str],
    ) -> Result<Upload, String> {
        let mut upload = Upload::default();
        while let Some(mut field) = form.next_field().await.map_err(|e| e.body_text())? {
            let name = field.name().unwrap_or_default().to_string();
            let file = files.contains(&name.as_str());
            let filename = field.file_name().map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| e.body_text())? {
                if !file && bytes.len() + chunk.len() > TEXT_FIELD_LIMIT {
                    return Err(format!(
                        "le champ « {name} » dépasse {} Kio",
                        TEXT_FIELD_LIMIT / 1024
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            if file {
                // A browser sends an input left empty as a part without a file name.
                if !bytes.is_empty() || filename.as_deref().is_some_and(|f| !f.is_empty()) {
                    upload.files.push((name, filename, bytes));
                }
            } else {
                let text = String::from_utf8(bytes)
                    .map_err(|_| format!("le champ « {name} » n'est pas du texte UTF-8"))?;
                upload.fields.push((name, text));
            }
        }
        upload.refuse_nul()?;
        Ok(upload)
    }

    /// Refuses a form whose text fields or file names hold a NUL byte (with the reason in
    /// both languages: the reasons of [`Upload::read`] are plain text).
    fn refuse_nul(&self) -> Result<(), String> {
        let names = self
            .files
            .iter()
            .map(|(n, filename, _)| (n.as_str(), filename.as_deref().unwrap_or_default()));
        let texts = self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        crate::input::refuse_nul_in_parts(texts.chain(names))
            .map_err(|refused| format!("{refused} / {}", refused.en()))
    }

    /// The last value of a text field (empty when absent).
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of a repeated field (checkboxes), in order.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last file chosen in a file field: its name (`default` if none was sent) and bytes.
    pub fn take_file(&mut self, name: &str, default: &str) -> Option<(String, Vec<u8>)> {
        let i = self.files.iter().rposition(|(n, _, _)| n == name)?;
        let (_, filename, bytes) = self.files.swap_remove(i);
        Some((filename.unwrap_or_else(|| default.to_string()), bytes))
    }
}

/// Reads a request body (a file sent as is, to the API) into one buffer, sized from its
/// announced length, chunk by chunk: 413 past the route's body limit, 400 if it breaks off.
pub async fn read_body(body: Body, announced: Option<usize>) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut bytes = Vec::with_capacity(announced.unwrap_or(0).min(crate::UPLOAD_LIMIT));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = source {
                if s.is::<http_body_util::LengthLimitError>() {
                    return ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "requête trop volumineuse (au plus {} Mio)",
                            crate::UPLOAD_LIMIT / (1024 * 1024)
                        ),
                    );
                }
                source = s.source();
            }
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("corps de la requête illisible : {e}"),
            )
        })?;
        if let Ok(chunk) = frame.into_data() {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(bytes)
}

/// How many imports may run at once, and how long a request waits for its turn.
#[derive(Debug, Clone)]
pub struct ImportSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl ImportSlots {
    pub fn new(slots: usize, wait: Duration) -> Self {
        ImportSlots {
            slots: Arc::new(Semaphore::new(slots)),
            wait,
        }
    }

    /// A slot, once one is free within the wait; `None` when they stayed taken.
    pub async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// Seconds after which a client refused for lack of a slot may try again.
const RETRY_AFTER_SECONDS: u32 = 10;

/// Runs a request to an import route ([`crate::IMPORT_ROUTES`]) within an import slot,
/// taken before its body is read; answers 503 with `Retry-After` when none frees up in time.
/// Memory the import used is given back to the system once it is done.
pub async fn within_import_slot(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let is_import = req.method() == axum::http::Method::POST
        && crate::IMPORT_ROUTES
            .iter()
            .any(|(path, _)| *path == req.uri().path());
    // Anonymous requests are turned away by the route's access check without a slot.
    let auth = req.extensions().get::<Auth>().cloned();
    let Some(auth) = auth.filter(|a| is_import && a.user.is_some()) else {
        return next.run(req).await;
    };
    let Some(permit) = state.config.imports.acquire().await else {
        tracing::warn!(path = %req.uri().path(), "import refused: every import slot is taken");
        let mut res = if auth.api {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "import en cours, réessayez dans un instant",
            )
            .into_response()
        } else {
            PageError::Busy(auth.lang).into_response()
        };
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        return res;
    };
    let res = next.run(req).await;
    // The file and what was read from it are freed by now; without this, the allocator keeps
    // the pages for the next allocation and the process stays at its peak.
    let _ = tokio::task::spawn_blocking(release_memory).await;
    drop(permit);
    res
}

/// Gives the memory the allocator holds free back to the system.
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of glibc's arenas to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Default for ImportSlots {
    /// Two imports at once, a request waiting up to five seconds for its turn.
    fn default() -> Self {
        ImportSlots::new(2, Duration::from_secs(5))
    }
}
