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
/// without one, links are relative and no e-mail leaves (`crate::advice::send_letters`).
pub fn public_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    crate::public_base(state, headers).unwrap_or_default()
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
