//! The stewardship network's screens: EMA teams, conventions, coverage, the centre's contact,
//! and the public "who do I ask?" search.

pub mod conventions;
pub mod coverage;
pub mod public;
pub mod teams;

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;

/// Whether the caller may change team `team_id` ([`cratb_app::policy::can_edit_team`]).
pub async fn can_edit_team(state: &AppState, auth: &Auth, team_id: i64) -> Result<bool, PageError> {
    match &auth.user {
        Some(u) => cratb_app::policy::can_edit_team(&state.db, u, team_id)
            .await
            .map_err(PageError::app(auth.lang)),
        None => Ok(false),
    }
}

/// Formats a date for display (`25/11/2026` in French, ISO in English).
pub use cratb_directory::network::fmt_date;

/// The section's entry: its first tab.
pub async fn home() -> axum::response::Response {
    crate::pages::login::redirect("/network/teams")
}
