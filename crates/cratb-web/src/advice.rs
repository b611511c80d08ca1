//! The advice service's e-mail in the server: the letters a use case returns are sent with the
//! configured mailer, and the overdue and day-7 follow-up sweep runs in the background, with
//! the action plans' reminders (the same sender, the same rule for links).
//!
//! Links in the letters follow the rule of every e-mailed link ([`crate::public_base`]): the
//! configured public address (`CRATB_PUBLIC_URL`), or in a demonstration the address the
//! request came to. The background sweep has no request: it runs only when a public address is
//! configured. Without one it does nothing at all, so nothing is marked as told and the sweep
//! tells everyone due once an address is configured.

use crate::AppState;
use cratb_advice::letters::Letter;
use std::time::Duration;
use time::OffsetDateTime;

/// How often the background sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);
/// How long after the start the first sweep runs.
pub const FIRST_SWEEP_AFTER: Duration = Duration::from_secs(30);

/// Sends `letters` with the server's mailer; a letter that cannot leave is logged (the change
/// that called for it is kept). Without a public address, whose links the letters need
/// ([`crate::public_base`]), or without a mailer, none leaves. Returns how many were sent.
pub async fn send_letters(state: &AppState, letters: &[Letter]) -> usize {
    if letters.is_empty() {
        return 0;
    }
    if !state.config.may_send_links() || !state.config.mailer.is_on() {
        tracing::info!(
            count = letters.len(),
            "advice e-mails not sent: no public address (CRATB_PUBLIC_URL) or no mailer"
        );
        return 0;
    }
    let mut sent = 0;
    for l in letters {
        match state
            .config
            .mailer
            .send(&l.to, &l.subject, l.body.clone())
            .await
        {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(error = %e, subject = %l.subject, "advice e-mail not sent"),
        }
    }
    sent
}

/// Runs the advice sweep once at `now` ([`cratb_app::advice::sweep`]: requests newly past their
/// due time, follow-ups due) with links to `public_url`, and sends its letters; returns how
/// many letters were sent.
pub async fn run_advice_sweep(
    state: &AppState,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<usize, cratb_app::AppError> {
    let letters = cratb_app::advice::sweep(&state.db, now, public_url).await?;
    Ok(send_letters(state, &letters).await)
}

/// Sends the action plans' reminders due at `now` ([`cratb_app::plans::reminders`]: to each
/// open action's owner a week before its due date and once it has passed), with links to
/// `public_url`; returns how many letters were sent.
pub async fn run_plan_reminders(
    state: &AppState,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<usize, cratb_app::AppError> {
    let letters = cratb_app::plans::reminders(&state.db, public_url, now).await?;
    Ok(send_letters(state, &letters).await)
}

/// Starts the background sweep (the advice service's, then the action plans' reminders): first [`FIRST_SWEEP_AFTER`] after the start, then every
/// [`SWEEP_EVERY`]; `None` when no public address is configured (see the module's
/// documentation).
pub fn spawn_sweep(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let Some(base) = state
        .config
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
    else {
        tracing::info!(
            "advice sweep off: CRATB_PUBLIC_URL is not set (the overdue and follow-up e-mails need it for their links)"
        );
        return None;
    };
    Some(tokio::spawn(async move {
        tokio::time::sleep(FIRST_SWEEP_AFTER).await;
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            match run_advice_sweep(&state, &base, cratb_store::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "advice sweep: e-mails sent"),
                Err(e) => tracing::warn!(error = ?e, "advice sweep failed"),
            }
            match run_plan_reminders(&state, &base, cratb_store::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "action plans: reminders sent"),
                Err(e) => tracing::warn!(error = ?e, "action plans' reminders failed"),
            }
        }
    }))
}
