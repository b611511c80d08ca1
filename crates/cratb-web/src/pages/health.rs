//! Liveness and readiness probes.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers and is migrated.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    match state.db.ready().await {
        Ok(()) => (StatusCode::OK, "ready".into()),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable".into(),
            )
        }
    }
}
