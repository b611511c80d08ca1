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
