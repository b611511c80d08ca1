//! Figures written for people: one decimal, a comma in French and a point in English; thin
//! spaces between thousands; a dash where there is no figure (never `NaN` or `inf`). Every
//! figure is rounded by the one rule of the files too (`cratb_sheet::write::round`: half away
//! from zero on the value as written), so a page and its CSV agree (62.5 is the 63rd
//! percentile on both).

use cratb_domain::Lang;
use cratb_sheet::write::round::fixed;

/// A figure with `decimals` decimals (`12,35`; `12.35` in English); `—` when missing or not
/// finite.
pub fn decimals(x: Option<f64>, decimals: u8, lang: Lang) -> String {
    match x.and_then(|v| fixed(v, decimals)) {
        None => "—".into(),
        Some(s) => {
            let s = s.replace('-', "−");
            lang.pick(s.replace('.', ","), s)
        }
    }
}

/// A figure with one decimal (`12,3`; `12.3` in English); `—` when missing or not finite.
pub fn decimal(x: Option<f64>, lang: Lang) -> String {
    decimals(x, 1, lang)
}

/// A whole number with its thousands apart (`1 280 000`, `1,280,000` in English); `—` when
/// not finite.
pub fn thousands(x: f64, lang: Lang) -> String {
    let Some(digits) = fixed(x.abs(), 0) else {
        return "—".into();
    };
    let sep = lang.pick('\u{202f}', ',');
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if x < 0.0 && digits != "0" {
        format!("−{out}")
    } else {
        out
    }
}

/// A share as `64,3 %` (a non-breaking space before `%`; `—` where not computable).
pub fn percent(x: Option<f64>, lang: Lang) -> String {
    match x.filter(|v| v.is_finite()) {
        None => "—".into(),
        Some(v) => format!("{}\u{a0}%", decimal(Some(v), lang)),
    }
}

/// A change as `+3,2 %` / `−4,0 %`.
pub fn change(x: Option<f64>, lang: Lang) -> String {
    match x.and_then(|v| fixed(v, 1)) {
        None => "—".into(),
        Some(s) => {
            let s = match s.strip_prefix('-') {
                Some(v) => format!("−{v}\u{a0}%"),
                None => format!("+{s}\u{a0}%"),
            };
            lang.pick(s.replace('.', ","), s)
        }
    }
}

/// A percentile as `75e` (`75th`, `62nd`, `1st`), rounded by the one rule (62.5 is `63e`).
pub fn percentile(p: Option<f64>, lang: Lang) -> String {
    match p.and_then(|p| fixed(p, 0)) {
        None => "—".into(),
        Some(n) => match lang {
            Lang::Fr if n == "1" => "1er".into(),
            Lang::Fr => format!("{n}e"),
            Lang::En => {
                let suffix = match (
                    n.len() >= 2 && &n[n.len() - 2..n.len() - 1] == "1",
                    n.as_bytes()[n.len() - 1],
                ) {
                    (false, b'1') => "st",
                    (false, b'2') => "nd",
                    (false, b'3') => "rd",
                    _ => "th",
                };
                format!("{n}{suffix}")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_as_people_read_them() {
        assert_eq!(decimal(Some(72.46), Lang::Fr), "72,5");
        assert_eq!(decimal(Some(72.46), Lang::En), "72.5");
        assert_eq!(decimal(Some(f64::NAN), Lang::Fr), "—");
        assert_eq!(decimal(None, Lang::Fr), "—");
        assert_eq!(thousands(1_280_000.0, Lang::Fr), "1\u{202f}280\u{202f}000");
        assert_eq!(thousands(-1_280.0, Lang::En), "−1,280");
        assert_eq!(thousands(f64::INFINITY, Lang::En), "—");
        assert_eq!(change(Some(-4.04), Lang::Fr), "−4,0\u{a0}%");
        assert_eq!(change(Some(3.21), Lang::En), "+3.2\u{a0}%");
        assert_eq!(change(Some(-0.04), Lang::Fr), "+0,0\u{a0}%");
        assert_eq!(percent(Some(64.26), Lang::Fr), "64,3\u{a0}%");
        assert_eq!(percent(Some(16.666), Lang::Fr), "16,7\u{a0}%");
        assert_eq!(percent(Some(f64::NAN), Lang::Fr), "—");
        assert_eq!(percentile(Some(75.0), Lang::Fr), "75e");
        assert_eq!(percentile(Some(75.0), Lang::En), "75th");
        assert_eq!(percentile(Some(1.0), Lang::Fr), "1er");
        assert_eq!(percentile(Some(22.0), Lang::En), "22nd");
        assert_eq!(percentile(Some(12.0), Lang::En), "12th");
        assert_eq!(decimals(Some(-1.005), 2, Lang::Fr), "−1,01");
    }

    /// The page and the file round the same figure the same way: half away from zero on the
    /// value as written (ties to even, as `format!` does, would make 62.5 the 62nd).
    #[test]
    fn ties_are_rounded_as_in_the_files() {
        use cratb_sheet::write::{Cell, Csv, Decimals, Table, csv};
        assert_eq!(percentile(Some(62.5), Lang::Fr), "63e");
        assert_eq!(percentile(Some(62.5), Lang::En), "63rd");
        assert_eq!(percentile(Some(61.5), Lang::Fr), "62e");
        assert_eq!(decimal(Some(0.25), Lang::Fr), "0,3");
        assert_eq!(decimal(Some(16.65), Lang::Fr), "16,7");
        assert_eq!(decimals(Some(0.125), 2, Lang::En), "0.13");
        assert_eq!(thousands(2.5, Lang::Fr), "3");
        assert_eq!(thousands(1_280_500.5, Lang::Fr), "1\u{202f}280\u{202f}501");
        let file = csv(
            &Table::new(
                "T",
                ["p", "x"],
                vec![vec![
                    Cell::Number(62.5, Decimals::Fixed(0)),
                    Cell::Number(0.25, Decimals::Fixed(1)),
                ]],
            ),
            Csv::SPREADSHEET,
        );
        assert_eq!(file, "\u{feff}p;x\n63;0,3\n".as_bytes());
    }
}
