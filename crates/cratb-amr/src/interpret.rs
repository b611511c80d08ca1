//! EUCAST interpretation of MICs and disk zones, as `as.sir()` of the AMR package does with its
//! defaults: the most specific breakpoint row for the organism, PK/PD rows as a last resort, no
//! screening rows, standard handling of capped MICs.

use crate::reference::{AbId, Breakpoint, Method, MoId, Reference};
use crate::values::{Mic, Op, Sir};

/// Which breakpoints apply to urinary isolates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UtiMode {
    /// General breakpoints (the package's `uti = FALSE`).
    #[default]
    Never,
    /// Uncomplicated-UTI breakpoints for every isolate (`--uti`).
    Always,
    /// UTI breakpoints for urine specimens only (`--uti-from-specimen`).
    FromSpecimen,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Index in [`crate::reference::GUIDELINES`].
    pub guideline: u8,
    pub uti: UtiMode,
    pub add_intrinsic_resistance: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            guideline: 2,
            uti: UtiMode::Never,
            add_intrinsic_resistance: false,
        }
    }
}

impl Options {
    pub fn guideline_name(&self) -> &'static str {
        crate::reference::GUIDELINES[self.guideline as usize]
    }

    /// Parses "EUCAST 2025" (or "2025", case-insensitive).
    pub fn parse_guideline(text: &str) -> Option<u8> {
        let t = text.trim().to_ascii_uppercase();
        crate::reference::GUIDELINES
            .iter()
            .position(|g| *g == t || g.ends_with(&format!(" {t}")))
            .map(|i| i as u8)
    }
}

/// The breakpoints that apply to one organism × antimicrobial, resolved once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rule {
    pub mic: Option<&'static Breakpoint>,
    pub disk: Option<&'static Breakpoint>,
    pub intrinsic_r: bool,
}

/// Chooses the breakpoint row among the rows of the guideline and method for this
/// antimicrobial whose organism code is in the organism's lineage (or `UNKNOWN`, PK/PD).
///
/// Without UTI, as `as.sir(uti = FALSE)`: the first such row in table order (UTI or not).
/// With UTI, following EUCAST rather than the package (which then keeps UTI rows only): the
/// most specific UTI row (lowest `rank_index`, then table order), else the most specific
/// general row.
pub fn select(
    reference: &'static Reference,
    mo: MoId,
    ab: AbId,
    method: Method,
    guideline: u8,
    uti: bool,
) -> Option<&'static Breakpoint> {
    let lineage = &reference.organism_named(mo).lineage;
    let candidates = || {
        reference.breakpoints_of(ab).filter(move |b| {
            b.guideline == guideline
                && b.method == method
                && !b.is_screening()
                && (&*b.mo == "UNKNOWN" || lineage.iter().any(|c| **c == *b.mo))
        })
    };
    let best = |rows: &mut dyn Iterator<Item = &'static Breakpoint>| {
        rows.fold(None::<&'static Breakpoint>, |best, b| match best {
            Some(x) if x.rank_index <= b.rank_index => Some(x),
            _ => Some(b),
        })
    };
    if uti {
        // EUCAST: the UTI breakpoint where one exists, else the general one.
        best(&mut candidates().filter(|b| b.uti))
            .or_else(|| best(&mut candidates().filter(|b| !b.uti)))
    } else {
        // The package, given `uti = FALSE`, takes the first matching row in table order.
        candidates().next()
    }
}

/// The antimicrobial whose rows apply: as the package, amoxicillin takes ampicillin's rows
/// when the guideline has none of its own for the method (EUCAST gives no amoxicillin disk
/// breakpoints: amoxicillin zones are read with ampicillin's).
pub fn table_agent(reference: &'static Reference, ab: AbId, method: Method, guideline: u8) -> AbId {
    let has_rows = |a: AbId| {
        reference
            .breakpoints_of(a)
            .any(|b| b.guideline == guideline && b.method == method)
    };
    match (
        reference.antimicrobial("AMX"),
        reference.antimicrobial("AMP"),
    ) {
        (Some(amx), Some(amp)) if ab == amx && !has_rows(amx) => amp,
        _ => ab,
    }
}

impl Rule {
    pub fn resolve(
        reference: &'static Reference,
        mo: MoId,
        ab: AbId,
        options: &Options,
        uti: bool,
    ) -> Rule {
        let ab_for = |method| table_agent(reference, ab, method, options.guideline);
        Rule {
            mic: select(
                reference,
                mo,
                ab_for(Method::Mic),
                Method::Mic,
                options.guideline,
                uti,
            ),
            disk: select(
                reference,
                mo,
                ab_for(Method::Disk),
                Method::Disk,
                options.guideline,
                uti,
            ),
            intrinsic_r: options.add_intrinsic_resistance
                && reference.is_intrinsically_resistant(mo, ab),
        }
    }
}

fn intermediate(b: &Breakpoint) -> Sir {
    if b.sdd { Sir::Sdd } else { Sir::I }
}

/// Interprets an MIC against a breakpoint row: S if MIC ≤ S, R if MIC > R, else I (or SDD).
///
/// Capped values follow the package's `capped_mic_handling = "standard"`: `<=` and `>=` are
/// non-interpretable (`NI`) strictly between the two breakpoints, and so are `<=` at the R
/// breakpoint and `>=` at the S breakpoint; otherwise `<=`/`>=` are read as the bare value,
/// `<x` as just below x and `>x` as just above it.
pub fn interpret_mic(mic: Mic, b: &Breakpoint) -> Sir {
    let v = mic.value;
    let capped_inclusive = matches!(mic.op, Op::Le | Op::Ge);
    if capped_inclusive && v > b.s && v < b.r
        || mic.op == Op::Le && v == b.r
        || mic.op == Op::Ge && v == b.s
    {
        return Sir::Ni;
    }
    // In comparisons the package reads `<x` as just below x and `>x` as just above it
    // (`Ops.mic`), so `>8` is R against an R breakpoint of 8 while `>=8` is not.
    let v = match mic.op {
        Op::Lt => v - 0.000_001,
        Op::Gt => v + 0.000_001,
        _ => v,
    };
    if v <= b.s {
        Sir::S
    } else if v > b.r {
        Sir::R
    } else if b.s.is_nan() || b.r.is_nan() {
        Sir::Missing
    } else {
        intermediate(b)
    }
}

/// Interprets a zone diameter (mm): S if zone ≥ S, R if zone < R, else I or SDD.
pub fn interpret_disk(zone: u8, b: &Breakpoint) -> Sir {
    let z = f64::from(zone);
    if z >= b.s {
        Sir::S
    } else if z < b.r {
        Sir::R
    } else {
        intermediate(b)
    }
}
