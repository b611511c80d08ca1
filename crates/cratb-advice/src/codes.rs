//! The codes of an advice, as stored, exchanged in files and the API, and said in French or
//! English on the pages: infection sites, question types, recommendations, follow-up and
//! outcome, channels, urgency, the patient's sex, a request's status.

use cratb_domain::code_enum;

code_enum! {
    /// The site of the infection the question is about.
    InfectionSite {
        Urinary = "urinary", "Infection urinaire", "Urinary tract infection";
        RespiratoryUpper = "respiratory_upper", "Infection respiratoire haute", "Upper respiratory tract infection";
        RespiratoryLower = "respiratory_lower", "Infection respiratoire basse", "Lower respiratory tract infection";
        SkinSoftTissue = "skin_soft_tissue", "Peau et tissus mous", "Skin and soft tissue";
        BoneJoint = "bone_joint", "Infection ostéo-articulaire", "Bone and joint infection";
        IntraAbdominal = "intra_abdominal", "Infection intra-abdominale", "Intra-abdominal infection";
        Bloodstream = "bloodstream", "Bactériémie", "Bloodstream infection";
        Endocarditis = "endocarditis", "Endocardite", "Endocarditis";
        Cns = "cns", "Système nerveux central", "Central nervous system";
        Ent = "ent", "ORL", "Ear, nose and throat";
        Genital = "genital", "Infection génitale", "Genital infection";
        Device = "device", "Infection sur matériel", "Device-related infection";
        FebrileNeutropenia = "febrile_neutropenia", "Neutropénie fébrile", "Febrile neutropenia";
        Other = "other", "Autre", "Other";
    }
}

code_enum! {
    /// What the requester asks.
    QuestionType {
        Choice = "choice", "Choix de l'antibiotique", "Choice of antibiotic";
        Duration = "duration", "Durée de traitement", "Duration of treatment";
        DeEscalation = "de_escalation", "Désescalade", "De-escalation";
        IvToOral = "iv_to_oral", "Relais per os", "IV-to-oral switch";
        Prophylaxis = "prophylaxis", "Antibioprophylaxie", "Prophylaxis";
        AntibiogramReading = "antibiogram_reading", "Lecture d'antibiogramme", "Reading an antibiogram";
        Allergy = "allergy", "Allergie", "Allergy";
        Dosing = "dosing", "Posologie", "Dosing";
        Stop = "stop", "Arrêt du traitement", "Stopping treatment";
        Other = "other", "Autre", "Other";
    }
}

code_enum! {
    /// What an answer recommends (one or more).
    Recommendation {
        Start = "start", "Débuter", "Start";
        Stop = "stop", "Arrêter", "Stop";
        Switch = "switch", "Changer de molécule", "Switch";
        DeEscalate = "de_escalate", "Désescalader", "De-escalate";
        Shorten = "shorten", "Raccourcir", "Shorten";
        IvToOral = "iv_to_oral", "Relais per os", "IV-to-oral switch";
        NoChange = "no_change", "Pas de modification", "No change";
        Refer = "refer", "Adresser (consultation, hospitalisation)", "Refer";
        Other = "other", "Autre", "Other";
    }
}

code_enum! {
    /// Whether the requester followed the advice (the day-7 follow-up).
    Adherence {
        Followed = "followed", "Suivi", "Followed";
        Partly = "partly", "Suivi en partie", "Partly followed";
        NotFollowed = "not_followed", "Non suivi", "Not followed";
    }
}

code_enum! {
    /// How the patient fared (the day-7 follow-up).
    Outcome {
        Cured = "cured", "Guérison", "Cured";
        Improved = "improved", "Amélioration", "Improved";
        Failed = "failed", "Échec", "Failed";
        Died = "died", "Décès", "Died";
        Unknown = "unknown", "Inconnue", "Unknown";
    }
}

code_enum! {
    /// How the request reached the team.
    Channel {
        Web = "web", "Formulaire en ligne", "Web form";
        Phone = "phone", "Téléphone", "Telephone";
        Email = "email", "Messagerie", "E-mail";
        TeleExpertise = "tele_expertise", "Plateforme de télé-expertise", "Tele-expertise platform";
    }
}

code_enum! {
    /// How soon an answer is needed.
    Urgency {
        Routine = "routine", "Habituelle", "Routine";
        Today = "today", "Dans la journée", "Today";
    }
}

pub use cratb_domain::Sex;

code_enum! {
    /// Where a request stands.
    Status {
        Queued = "queued", "En attente d'ouverture", "Waiting for opening hours";
        Open = "open", "À traiter", "To answer";
        Answered = "answered", "Répondu", "Answered";
        Closed = "closed", "Clos", "Closed";
    }
}

code_enum! {
    /// The route of an antibiotic.
    Route {
        Oral = "oral", "Per os", "Oral";
        Iv = "iv", "Intraveineuse", "Intravenous";
        Im = "im", "Intramusculaire", "Intramuscular";
        Sc = "sc", "Sous-cutanée", "Subcutaneous";
        Inhaled = "inhaled", "Inhalée", "Inhaled";
        Topical = "topical", "Locale", "Topical";
    }
}

code_enum! {
    /// What happened to a request, in its trace (besides the messages of its thread).
    EventKind {
        Created = "created", "Demande reçue", "Request received";
        Routed = "routed", "Adressée à l'équipe", "Routed to the team";
        Taken = "taken", "Prise en charge", "Taken";
        HandedOver = "handed_over", "Confiée à un collègue", "Handed over to a colleague";
        Forwarded = "forwarded", "Transférée à une autre équipe", "Forwarded to another team";
        Answered = "answered", "Réponse donnée", "Answered";
        Question = "question", "Question complémentaire", "Follow-up question";
        FollowUp = "follow_up", "Suivi à J7 renseigné", "Day-7 follow-up given";
        Overdue = "overdue", "Délai de réponse dépassé", "Past its answer target";
        Closed = "closed", "Close", "Closed";
        Reopened = "reopened", "Rouverte", "Reopened";
    }
}

/// Parses a `|`-separated list of codes (`switch|shorten`) without duplicates, in the order
/// given; the first code that is not one is returned as the error.
pub fn parse_list<T: Copy + PartialEq>(
    s: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for part in s.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let v = parse(part).ok_or_else(|| part.to_string())?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// A list of codes written back as `switch|shorten`.
pub fn join_codes<T>(values: &[T], code: impl Fn(&T) -> &'static str) -> String {
    values.iter().map(code).collect::<Vec<_>>().join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_those_of_the_files_and_the_api() {
        let sites: Vec<_> = InfectionSite::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(sites.len(), 14);
        assert!(sites.contains(&"febrile_neutropenia"));
        assert_eq!(QuestionType::ALL.len(), 10);
        assert_eq!(Recommendation::ALL.len(), 9);
        assert_eq!(
            Channel::parse("TELE_EXPERTISE"),
            Some(Channel::TeleExpertise)
        );
        assert_eq!(
            parse_list("switch | shorten|switch", Recommendation::parse),
            Ok(vec![Recommendation::Switch, Recommendation::Shorten])
        );
        assert_eq!(
            parse_list("switch|stopp", Recommendation::parse),
            Err("stopp".to_string())
        );
        assert_eq!(
            join_codes(&[Recommendation::Stop, Recommendation::Refer], |r| r.code()),
            "stop|refer"
        );
    }
}
