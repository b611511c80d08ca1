//! The two languages of cratb: French, the default, and English.
//!
//! Every text a person reads is given in both, through [`Lang::pick`] or a catalogue keyed by
//! `Lang`, so that a missing translation does not compile.

/// A language of the interface and of every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The ISO 639-1 code: `fr` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr`, `en`, or a tag starting with them (`fr-FR`, `EN-gb`); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().get(..2).map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// The singular or the plural of `forms` (`"fiche créée|fiches créées"`) for a count of
    /// `n`, by the rule of this language: in French 0 and 1 take the singular, in English only 1.
    pub fn plural(self, n: i64, forms: &str) -> &str {
        let (one, many) = forms.split_once('|').unwrap_or((forms, forms));
        let singular = match self {
            Lang::Fr => n.abs() < 2,
            Lang::En => n.abs() == 1,
        };
        if singular { one } else { many }
    }

    /// `n` and the singular or plural of `forms` that agrees with it ("1 session fermée",
    /// "2 sessions fermées").
    pub fn count(self, n: i64, forms: &str) -> String {
        format!("{n} {}", self.plural(n, forms))
    }

    /// The version of a text in this language: both are required.
    pub fn pick<T>(self, fr: T, en: T) -> T {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_language_and_french_is_the_default() {
        assert_eq!(Lang::parse("fr-FR"), Some(Lang::Fr));
        assert_eq!(Lang::parse(" EN-gb"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::parse("e"), None);
        assert_eq!(Lang::default(), Lang::Fr);
        assert_eq!(Lang::En.pick("oui", "yes"), "yes");
        assert_eq!(Lang::Fr.other(), Lang::En);
    }
}
