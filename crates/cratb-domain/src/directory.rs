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

impl NetworkRole {
    /// Parses a comma-separated list of codes, in the order of [`NetworkRole::ALL`], without
    /// duplicates; the unknown codes come back as the error.
    pub fn parse_list(text: &str) -> Result<Vec<NetworkRole>, Vec<String>> {
        let mut unknown = Vec::new();
        let mut found = Vec::new();
        for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match NetworkRole::parse(code) {
                Some(r) if !found.contains(&r) => found.push(r),
                Some(_) => {}
                None => unknown.push(code.to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(unknown);
        }
        found.sort_by_key(|r| NetworkRole::ALL.iter().position(|x| x == r));
        Ok(found)
    }

    /// The codes of a list, comma-separated, as stored.
    pub fn join(roles: &[NetworkRole]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

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
}
