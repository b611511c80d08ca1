//! Figures written for people: one decimal, a comma in French and a point in English; thin
//! spaces between thousands; a dash where there is no figure (never `NaN` or `inf`).

use cratb_domain::Lang;

/// A figure with one decimal (`12,3`; `12.3` in English); `—` when missing or not finite.
pub fn decimal(x: Option<f64>, lang: Lang) -> String {
    match x.filter(|v| v.is_finite()) {
        None => "—".into(),
        Some(v) => {
            let s = format!("{v:.1}");
            lang.pick(s.replace('.', ","), s)
        }
    }
}

/// A whole number with its thousands apart (`1 280 000`, `1,280,000` in English); `—` when
/// not finite.
pub fn thousands(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let digits = format!("{:.0}", x.abs());
    let sep = lang.pick('\u{202f}', ',');
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if x < 0.0 { format!("−{out}") } else { out }
}

/// A share as `64,3 %` (`—` where not computable).
pub fn percent(x: Option<f64>, lang: Lang) -> String {
    x.map_or("—".into(), |v| format!("{} %", decimal(Some(v), lang)))
}

/// A change as `+3,2 %` / `−4,0 %`.
pub fn change(x: Option<f64>, lang: Lang) -> String {
    match x.filter(|v| v.is_finite()) {
        None => "—".into(),
        Some(v) => {
            let s = format!("{:+.1} %", v).replace('-', "−");
            lang.pick(s.replace('.', ","), s)
        }
    }
}

/// A percentile as `75e` (`75th`).
pub fn percentile(p: Option<f64>, lang: Lang) -> String {
    p.map_or("—".into(), |p| {
        lang.pick(format!("{p:.0}e"), format!("{p:.0}th"))
    })
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
        assert_eq!(change(Some(-4.04), Lang::Fr), "−4,0 %");
        assert_eq!(change(Some(3.21), Lang::En), "+3.2 %");
        assert_eq!(percent(Some(64.26), Lang::Fr), "64,3 %");
        assert_eq!(percentile(Some(75.0), Lang::Fr), "75e");
        assert_eq!(percentile(Some(75.0), Lang::En), "75th");
    }
}
