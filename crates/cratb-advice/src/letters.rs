//! The e-mails of the advice service. They carry **no health data**: a reference and a link
//! only, so that an e-mail read on a shared screen or forwarded says nothing of a patient. The
//! case is read in the application, after signing in.

use cratb_domain::paris;
use time::OffsetDateTime;

pub use cratb_domain::Letter;

/// The link to a request in the application.
pub fn link(public_url: &str, id: i64) -> String {
    format!("{}/advice/{id}", public_url.trim_end_matches('/'))
}

const SIGNATURE: &str = "\n\nCe message ne contient aucune donnée de santé : le dossier se lit dans l'application, après connexion.\n\nService d'avis en antibiothérapie du CRAtb\n";

/// To the requester: the request is received, when to expect an answer, and the team's line
/// for an emergency.
pub fn received(
    to: &str,
    reference: &str,
    link: &str,
    expected_by: Option<OffsetDateTime>,
    team_phone: Option<&str>,
) -> Letter {
    let when = match expected_by {
        Some(t) => format!(
            "Une réponse vous sera donnée au plus tard le {}.",
            paris::moment(t, cratb_domain::Lang::Fr)
        ),
        None => "Une équipe du CRAtb vous répondra dès que possible.".to_string(),
    };
    let urgent = team_phone
        .map(|p| format!("\n\nEn cas d'urgence, appelez l'équipe au {p}."))
        .unwrap_or_default();
    Letter {
        to: to.into(),
        subject: format!("Demande d'avis {reference} reçue"),
        body: format!(
            "Bonjour,\n\nVotre demande d'avis {reference} est bien reçue. {when}{urgent}\n\nSuivre la demande : {link}{SIGNATURE}"
        ),
    }
}

/// To the member on duty (or the team): a new request to answer.
pub fn to_answer(to: &str, reference: &str, link: &str, today: bool) -> Letter {
    let urgency = if today {
        " (réponse attendue dans la journée)"
    } else {
        ""
    };
    Letter {
        to: to.into(),
        subject: format!("Nouvelle demande d'avis {reference}{urgency}"),
        body: format!(
            "Bonjour,\n\nUne demande d'avis vous est adressée{urgency} : {reference}.\n\nLa lire et y répondre : {link}{SIGNATURE}"
        ),
    }
}

/// To the requester: the team answered.
pub fn answered(to: &str, reference: &str, link: &str) -> Letter {
    Letter {
        to: to.into(),
        subject: format!("Réponse à votre demande d'avis {reference}"),
        body: format!(
            "Bonjour,\n\nL'équipe a répondu à votre demande d'avis {reference}.\n\nLire la réponse : {link}{SIGNATURE}"
        ),
    }
}

/// To the responder: the requester asked a follow-up question.
pub fn question(to: &str, reference: &str, link: &str) -> Letter {
    Letter {
        to: to.into(),
        subject: format!("Question complémentaire sur la demande {reference}"),
        body: format!(
            "Bonjour,\n\nLe demandeur a posé une question complémentaire sur la demande {reference}.\n\nLa lire : {link}{SIGNATURE}"
        ),
    }
}

/// To the team and the CRAtb coordinator: a request is past its answer target.
pub fn overdue(to: &str, reference: &str, link: &str, due_at: OffsetDateTime) -> Letter {
    Letter {
        to: to.into(),
        subject: format!("Demande d'avis {reference} en retard"),
        body: format!(
            "Bonjour,\n\nLa demande d'avis {reference} attend sa première réponse depuis le {} (délai cible dépassé).\n\nLa prendre en charge : {link}{SIGNATURE}",
            paris::moment(due_at, cratb_domain::Lang::Fr)
        ),
    }
}

/// To the requester: the day-7 follow-up, in one click.
pub fn follow_up(to: &str, reference: &str, link: &str) -> Letter {
    Letter {
        to: to.into(),
        subject: format!("Suivi de l'avis {reference} : en un clic"),
        body: format!(
            "Bonjour,\n\nL'avis {reference} a-t-il été suivi, et comment le patient a-t-il évolué ? Une réponse en un clic aide l'équipe et le CRAtb à améliorer le service.\n\nRépondre : {link}#suivi{SIGNATURE}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn letters_say_a_reference_and_a_link_only() {
        let l = received(
            "dr@example.org",
            "AV-2026-00042",
            &link("https://cratb.example.org/", 42),
            Some(datetime!(2026-11-30 15:00 UTC)),
            Some("04 72 00 00 00"),
        );
        assert!(l.body.contains("https://cratb.example.org/advice/42"));
        assert!(l.body.contains("30/11/2026 16:00"));
        assert!(l.body.contains("04 72 00 00 00"));
        assert!(l.subject.contains("AV-2026-00042"));
    }
}
