//! The advice service's screens (tele-expertise in antibiotic therapy): the requests (mine, or
//! my team's queue), the request form, a case with its thread and the responder's actions, the
//! duty rota with the team's hours and closures, the statistics, the knowledge base of closed
//! cases. Every page calls the use cases of `cratb_app::advice`.

pub mod knowledge;
pub mod requests;
pub mod rota;
pub mod stats;

use crate::AppState;
use crate::i18n::Lang;
use cratb_advice::letters::Letter;

/// The fields of a form as sent, repeated ones kept (ticked boxes, multiple selects).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The last value of `name`, trimmed (empty when absent).
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every non-empty value of `name`, in order.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The value of `name`, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|s| !s.is_empty())
    }
}

/// The address links in e-mails start with: the public address ([`crate::public_base`]);
/// without one, links are relative and no e-mail leaves (see [`send`]).
pub fn public_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    crate::public_base(state, headers).unwrap_or_default()
}

/// Sends the e-mails a change calls for; a failure is logged, never fatal (the request is
/// saved and shown in the app whatever the mail does). Without a public address, whose links
/// the e-mails need, none is sent.
pub async fn send(state: &AppState, letters: Vec<Letter>) {
    if !letters.is_empty() && !state.config.may_send_links() {
        tracing::warn!(
            count = letters.len(),
            "advice e-mails not sent: no public address (CRATB_PUBLIC_URL)"
        );
        return;
    }
    for l in letters {
        if let Err(e) = state.config.mailer.send(&l.to, &l.subject, l.body).await {
            tracing::warn!(error = %e, "advice e-mail not sent");
        }
    }
}

/// An antibiotic for people: its French name and its ATC code (`amoxicilline (J01CA04)`).
pub fn antibiotic_name(atc: &str, lang: Lang) -> String {
    match cratb_amr::names::french_by_atc(atc) {
        Some(n) if lang == Lang::Fr => format!("{} ({atc})", cratb_amr::names::capitalised(n)),
        Some(n) => format!("{n} ({atc})"),
        None => atc.to_string(),
    }
}

/// The list the antibiotic inputs offer (`<datalist>`): ATC code, French name.
pub fn atc_options() -> Vec<(&'static str, String)> {
    cratb_amr::names::atc_list()
        .into_iter()
        .map(|(a, n)| (a, cratb_amr::names::capitalised(n)))
        .collect()
}

/// A duration in minutes as people read it: `3 h 05`, `45 min`, `—`.
pub fn minutes(m: Option<f64>) -> String {
    match m {
        None => "—".into(),
        Some(m) => {
            let m = m.round() as i64;
            if m < 60 {
                format!("{m} min")
            } else {
                format!("{} h {:02}", m / 60, m % 60)
            }
        }
    }
}
