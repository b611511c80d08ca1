//! The regional stewardship network's directory: who the professionals are.

use crate::establishment::code_enum;

code_enum! {
    /// A professional's profession, as the directory lists it.
    Profession {
        Infectiologist = "infectiologist", "Infectiologue", "Infectious-disease specialist";
        Pharmacist = "pharmacist", "Pharmacien", "Pharmacist";
        Microbiologist = "microbiologist", "Microbiologiste", "Microbiologist";
        Nurse = "nurse", "Infirmier", "Nurse";
        Gp = "gp", "Médecin généraliste", "General practitioner";
        Hygienist = "hygienist", "Hygiéniste", "Infection-control practitioner";
        EhpadPhysician = "ehpad_physician", "Médecin coordonnateur d'EHPAD", "Nursing-home coordinating physician";
        Dentist = "dentist", "Chirurgien-dentiste", "Dentist";
        Midwife = "midwife", "Sage-femme", "Midwife";
        HospitalPhysician = "hospital_physician", "Médecin hospitalier", "Hospital physician";
        Other = "other", "Autre", "Other";
    }
}

code_enum! {
    /// What a professional does in the stewardship network (several at once).
    NetworkRole {
        EmaMember = "ema_member", "Membre d'une équipe multidisciplinaire (EMA)", "Antibiotic team (EMA) member";
        Referent = "referent", "Référent antibiotique d'établissement", "Hospital antibiotic referent";
        Ambassador = "ambassador", "Médecin généraliste ambassadeur", "GP ambassador";
        Cpias = "cpias", "Contact CPias", "Infection-control centre (CPias) contact";
        LabCorrespondent = "lab_correspondent", "Correspondant de laboratoire", "Laboratory correspondent";
        CratbStaff = "cratb_staff", "Équipe du CRAtb", "CRAtb staff";
    }
}

code_enum! {
    /// Where a convention stands. A signed convention past its expiry date counts as expired
    /// whatever its recorded status ([`ConventionStatus::effective`]).
    ConventionStatus {
        Draft = "draft", "En projet", "Draft";
        Signed = "signed", "Signée", "Signed";
        Expired = "expired", "Expirée", "Expired";
        Terminated = "terminated", "Résiliée", "Terminated";
    }
}

impl ConventionStatus {
    /// The status on `today`: signed and past its expiry means expired.
    pub fn effective(self, expires_on: Option<time::Date>, today: time::Date) -> ConventionStatus {
        match (self, expires_on) {
            (ConventionStatus::Signed, Some(end)) if end < today => ConventionStatus::Expired,
            (s, _) => s,
        }
    }
}

code_enum! {
    /// What an EMA provides under a convention (several at once).
    ConventionService {
        Advice = "advice", "Conseil et avis", "Advice";
        Audits = "audits", "Audits de prescription", "Prescription audits";
        Training = "training", "Formation", "Training";
    }
}

/// The disciplines every EMA must bring together (instruction DGOS/PF2/DGS/2020 on the
/// organisation of antibiotic stewardship: infectiologist, pharmacist, microbiologist, nurse).
pub const REQUIRED_DISCIPLINES: [Profession; 4] = [
    Profession::Infectiologist,
    Profession::Pharmacist,
    Profession::Microbiologist,
    Profession::Nurse,
];

/// The required disciplines absent from a team's members.
pub fn missing_disciplines(present: &[Profession]) -> Vec<Profession> {
    REQUIRED_DISCIPLINES
        .into_iter()
        .filter(|d| !present.contains(d))
        .collect()
}

/// Parses a comma-separated list of codes of a [`code_enum!`] type without duplicates, in
/// the type's order; the unknown codes come back as the error.
macro_rules! impl_code_list {
    ($t:ty) => {
        impl $t {
            pub fn parse_list(text: &str) -> Result<Vec<$t>, Vec<String>> {
                let mut unknown = Vec::new();
                let mut found = Vec::new();
                for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    match <$t>::parse(code) {
                        Some(r) if !found.contains(&r) => found.push(r),
                        Some(_) => {}
                        None => unknown.push(code.to_string()),
                    }
                }
                if !unknown.is_empty() {
                    return Err(unknown);
                }
                found.sort_by_key(|r| <$t>::ALL.iter().position(|x| x == r));
                Ok(found)
            }

            /// The codes of a list, comma-separated, as stored.
            pub fn join(list: &[$t]) -> String {
                list.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
            }
        }
    };
}

impl_code_list!(NetworkRole);
impl_code_list!(ConventionService);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists() {
        assert_eq!(
            NetworkRole::parse_list(" cratb_staff, ema_member,ema_member "),
            Ok(vec![NetworkRole::EmaMember, NetworkRole::CratbStaff])
        );
        assert_eq!(NetworkRole::parse_list(""), Ok(vec![]));
        assert_eq!(
            NetworkRole::parse_list("referent,chef"),
            Err(vec!["chef".to_string()])
        );
        assert_eq!(
            NetworkRole::join(&[NetworkRole::Referent, NetworkRole::Cpias]),
            "referent,cpias"
        );
    }

    #[test]
    fn teams_missing_disciplines() {
        use Profession::*;
        assert_eq!(
            missing_disciplines(&[Pharmacist, Nurse, Gp]),
            vec![Infectiologist, Microbiologist]
        );
        assert!(
            missing_disciplines(&[Nurse, Microbiologist, Pharmacist, Infectiologist]).is_empty()
        );
    }

    #[test]
    fn signed_conventions_expire_by_date() {
        let d =
            |s| time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE).unwrap();
        let today = d("2026-11-25");
        let s = ConventionStatus::Signed;
        assert_eq!(
            s.effective(Some(d("2026-11-24")), today),
            ConventionStatus::Expired
        );
        assert_eq!(
            s.effective(Some(d("2026-11-25")), today),
            ConventionStatus::Signed
        );
        assert_eq!(s.effective(None, today), ConventionStatus::Signed);
        assert_eq!(
            ConventionStatus::Draft.effective(Some(d("2020-01-01")), today),
            ConventionStatus::Draft
        );
    }
}
