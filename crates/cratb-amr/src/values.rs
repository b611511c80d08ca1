//! Test results as laboratories write them: S/I/R categories, MICs with an operator, disk zones.

use serde::Serialize;

/// An interpreted result. `Missing` is an empty cell or "no breakpoint applies".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[repr(u8)]
pub enum Sir {
    #[default]
    Missing = 0,
    S = 1,
    Sdd = 2,
    I = 3,
    R = 4,
    /// Non-interpretable: a capped MIC that cannot be placed on either side of a breakpoint.
    Ni = 5,
}

impl Sir {
    pub const ALL: [Sir; 5] = [Sir::S, Sir::Sdd, Sir::I, Sir::R, Sir::Ni];

    pub fn as_str(self) -> &'static str {
        match self {
            Sir::Missing => "",
            Sir::S => "S",
            Sir::Sdd => "SDD",
            Sir::I => "I",
            Sir::R => "R",
            Sir::Ni => "NI",
        }
    }

    /// Parses a category as written in a file (`S`, `SDD`, `I`, `R`, `NI`, case-insensitive,
    /// plus the French `Sensible`/`Intermédiaire`/`Résistant` spelled out).
    #[allow(clippy::result_unit_err)]
    pub fn parse(text: &str) -> Result<Sir, ()> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Sir::Missing);
        }
        Ok(match t.to_uppercase().as_str() {
            "S" | "SENSIBLE" | "SUSCEPTIBLE" => Sir::S,
            "SDD" => Sir::Sdd,
            "I" | "INTERMÉDIAIRE" | "INTERMEDIAIRE" | "INTERMEDIATE" => Sir::I,
            "R" | "RÉSISTANT" | "RESISTANT" => Sir::R,
            "NI" => Sir::Ni,
            _ => return Err(()),
        })
    }
}

/// The operator of an MIC: `<=0.25` means "0.25 or less", `>8` "more than 8".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A minimum inhibitory concentration in mg/L.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mic {
    pub op: Op,
    pub value: f64,
}

impl Mic {
    /// Parses `16`, `0.25`, `0,25`, `<=0.25`, `≤0.25`, `<0.5`, `>=32`, `>8`, `=4`, with an
    /// optional `mg/L` unit. `None` when it is not an MIC.
    pub fn parse(text: &str) -> Option<Mic> {
        let t = text.trim();
        let (op, rest) = if let Some(r) = t.strip_prefix("<=").or_else(|| t.strip_prefix('≤')) {
            (Op::Le, r)
        } else if let Some(r) = t.strip_prefix(">=").or_else(|| t.strip_prefix('≥')) {
            (Op::Ge, r)
        } else if let Some(r) = t.strip_prefix('<') {
            (Op::Lt, r)
        } else if let Some(r) = t.strip_prefix('>') {
            (Op::Gt, r)
        } else if let Some(r) = t.strip_prefix("==").or_else(|| t.strip_prefix('=')) {
            (Op::Eq, r)
        } else {
            (Op::Eq, t)
        };
        let rest = rest.trim();
        let rest = rest
            .strip_suffix("mg/L")
            .or_else(|| rest.strip_suffix("mg/l"))
            .unwrap_or(rest)
            .trim();
        let value: f64 = if rest.contains(',') {
            rest.replace(',', ".").parse().ok()?
        } else {
            rest.parse().ok()?
        };
        (value.is_finite() && value >= 0.0).then_some(Mic { op, value })
    }
}

/// Parses a disk zone diameter in mm: a whole number from 0 to 50, as the AMR package's
/// `as.disk()` accepts (decimals are rounded up, as it does).
pub fn parse_disk(text: &str) -> Option<u8> {
    let t = text.trim().trim_end_matches("mm").trim();
    let value: f64 = t.replace(',', ".").parse().ok()?;
    let value = value.ceil();
    (0.0..=50.0).contains(&value).then_some(value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mics() {
        assert_eq!(
            Mic::parse("<=0.25"),
            Some(Mic {
                op: Op::Le,
                value: 0.25
            })
        );
        assert_eq!(
            Mic::parse("≤0,25"),
            Some(Mic {
                op: Op::Le,
                value: 0.25
            })
        );
        assert_eq!(
            Mic::parse(" >8 "),
            Some(Mic {
                op: Op::Gt,
                value: 8.0
            })
        );
        assert_eq!(
            Mic::parse(">=32"),
            Some(Mic {
                op: Op::Ge,
                value: 32.0
            })
        );
        assert_eq!(
            Mic::parse("<0.5"),
            Some(Mic {
                op: Op::Lt,
                value: 0.5
            })
        );
        assert_eq!(
            Mic::parse("16 mg/L"),
            Some(Mic {
                op: Op::Eq,
                value: 16.0
            })
        );
        assert_eq!(Mic::parse("S"), None);
        assert_eq!(Mic::parse("-1"), None);
        assert_eq!(Mic::parse(""), None);
    }

    #[test]
    fn disks() {
        assert_eq!(parse_disk("22"), Some(22));
        assert_eq!(parse_disk("22 mm"), Some(22));
        assert_eq!(parse_disk("51"), None);
        assert_eq!(parse_disk("x"), None);
    }

    #[test]
    fn categories() {
        assert_eq!(Sir::parse("sdd"), Ok(Sir::Sdd));
        assert_eq!(Sir::parse("Résistant"), Ok(Sir::R));
        assert_eq!(Sir::parse(""), Ok(Sir::Missing));
        assert!(Sir::parse("X").is_err());
    }
}
