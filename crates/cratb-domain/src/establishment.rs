//! Establishments: their care sector (ES / EMS / ville) and category.

/// An enum of stable codes with French and English labels (`code`, `parse`, `label`, `ALL`);
/// the capability crates declare their codes with it too (they depend on `serde`).
#[macro_export]
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $( $variant:ident = $code:literal, $fr:literal, $en:literal ;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $( #[serde(rename = $code)] $variant ),* }
        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The stable code stored and exchanged (CSV, API).
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),* } }
            /// Parses the stable code (case-insensitive).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $( if s.eq_ignore_ascii_case($code) { return Some($name::$variant); } )*
                None
            }
            /// French label.
            pub fn label_fr(self) -> &'static str { match self { $($name::$variant => $fr),* } }
            /// English label.
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),* } }
            /// Label in the given language.
            pub fn label(self, lang: $crate::Lang) -> &'static str { lang.pick(self.label_fr(), self.label_en()) }
        }
    };
}
pub use code_enum;

code_enum! {
    /// The three care sectors.
    Sector {
        Es = "ES", "Établissement de santé", "Hospital / clinic";
        Ems = "EMS", "Établissement médico-social", "Nursing home / social care";
        Ville = "VILLE", "Soins de ville", "Primary care";
    }
}

code_enum! {
    /// What kind of establishment it is; each belongs to one sector.
    Category {
        Chu = "CHU", "Centre hospitalier universitaire", "University hospital";
        Ch = "CH", "Centre hospitalier", "General hospital";
        Clinique = "CLINIQUE", "Clinique privée", "Private clinic";
        Ssr = "SSR", "Soins médicaux et de réadaptation", "Rehabilitation (SSR/SMR)";
        Psy = "PSY", "Établissement psychiatrique", "Psychiatric hospital";
        Had = "HAD", "Hospitalisation à domicile", "Hospital at home";
        Ehpad = "EHPAD", "EHPAD", "Nursing home (EHPAD)";
        Mas = "MAS_FAM", "MAS / FAM (handicap)", "Disability care home";
        AutreEms = "AUTRE_EMS", "Autre établissement médico-social", "Other social-care home";
        Labo = "LABO", "Laboratoire de biologie médicale", "Medical laboratory";
        Pharmacie = "PHARMACIE", "Pharmacie d'officine", "Community pharmacy";
        Cds = "CDS", "Centre / maison de santé", "Primary-care centre";
    }
}

impl Category {
    /// The sector this category belongs to.
    pub fn sector(self) -> Sector {
        use Category::*;
        match self {
            Chu | Ch | Clinique | Ssr | Psy | Had => Sector::Es,
            Ehpad | Mas | AutreEms => Sector::Ems,
            Labo | Pharmacie | Cds => Sector::Ville,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.code()), Some(*c));
        }
        assert_eq!(Sector::parse("ville"), Some(Sector::Ville));
        assert_eq!(Category::Ehpad.sector(), Sector::Ems);
    }
}
