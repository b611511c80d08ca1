//! The one rounding rule of every figure cratb shows or writes: half away from zero, on the
//! decimal value as written (the shortest text that reads back as the same `f64`, which is how
//! the figure was typed or computed to be), never on its binary approximation. So 0.125 is
//! 0.13, 62.5 is 63, 1.005 is 1.01 (its binary value is 1.00499…) and −2.5 is −3.
//!
//! Pages and PDFs (`cratb_report::format`) and every file written here (CSV, JSON, Parquet,
//! the number format of an XLSX cell) round through [`fixed`], so that a figure reads the same
//! on a screen and in its download.

/// `x` with exactly `decimals` decimals after a point (`"0.13"`, `"63"`, `"-3"`), rounded half
/// away from zero on its decimal value as written; `None` when `x` is not a figure (infinite,
/// NaN). Never `-0`: a value that rounds to zero is written without a sign.
pub fn fixed(x: f64, decimals: u8) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    // Rust writes a finite f64 as the shortest decimal that reads back as it, without an
    // exponent (`1e-7` as `0.0000001`).
    let written = format!("{}", x.abs());
    let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
    let d = usize::from(decimals);
    let mut digits: Vec<u8> = whole.bytes().collect();
    let kept = fraction.as_bytes().get(..d).unwrap_or(fraction.as_bytes());
    digits.extend_from_slice(kept);
    digits.resize(whole.len() + d, b'0');
    if fraction.as_bytes().get(d).is_some_and(|&next| next >= b'5') {
        // Up by one in the last kept place, carrying.
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - d;
    let mut out = String::with_capacity(digits.len() + 2);
    if x < 0.0 && digits.iter().any(|&b| b != b'0') {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[..split]).expect("ASCII digits"));
    if d > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(&digits[split..]).expect("ASCII digits"));
    }
    Some(out)
}

/// `x` rounded to `decimals` by the rule of [`fixed`] (the value its text shows); `x` itself
/// when it is not a figure.
pub fn rounded(x: f64, decimals: u8) -> f64 {
    fixed(x, decimals).map_or(x, |s| s.parse().expect("a decimal number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64, d: u8) -> String {
        fixed(x, d).unwrap()
    }

    #[test]
    fn ties_go_away_from_zero_on_the_value_as_written() {
        assert_eq!(f(0.125, 2), "0.13");
        assert_eq!(f(62.5, 0), "63");
        assert_eq!(f(61.5, 0), "62");
        assert_eq!(f(0.5, 0), "1");
        assert_eq!(f(2.5, 0), "3");
        assert_eq!(f(-2.5, 0), "-3");
        assert_eq!(f(-0.125, 2), "-0.13");
        // Binary values just under the tie: rounded as written, not as stored.
        assert_eq!(f(1.005, 2), "1.01");
        assert_eq!(f(2.675, 2), "2.68");
        assert_eq!(f(0.15, 1), "0.2");
        assert_eq!(f(16.65, 1), "16.7");
        assert_eq!(f(72.45, 1), "72.5");
    }

    #[test]
    fn other_values() {
        assert_eq!(f(72.46, 1), "72.5");
        assert_eq!(f(72.44, 1), "72.4");
        assert_eq!(f(0.923, 1), "0.9");
        assert_eq!(f(99.96, 1), "100.0");
        assert_eq!(f(9.999, 2), "10.00");
        assert_eq!(f(999.5, 0), "1000");
        assert_eq!(f(72.0, 1), "72.0");
        assert_eq!(f(7.0, 0), "7");
        assert_eq!(f(0.0, 2), "0.00");
        assert_eq!(f(-0.0, 1), "0.0");
        assert_eq!(f(-0.04, 1), "0.0");
        assert_eq!(f(-0.05, 1), "-0.1");
        assert_eq!(f(1e-7, 3), "0.000");
        assert_eq!(f(1_280_000.0, 0), "1280000");
        assert_eq!(f(1.0 / 3.0, 3), "0.333");
        assert_eq!(fixed(f64::NAN, 1), None);
        assert_eq!(fixed(f64::INFINITY, 1), None);
        assert_eq!(rounded(0.125, 2), 0.13);
        assert_eq!(rounded(62.5, 0), 63.0);
        assert!(rounded(f64::NAN, 1).is_nan());
    }
}
