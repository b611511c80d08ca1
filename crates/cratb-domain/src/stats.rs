//! The statistics several capabilities share, one implementation each: the quantile R computes
//! by default (`quantile(x, type = 7)`), used for the advice service's answer times, the
//! consumption peers' quartiles and the audits' participants' distribution.

/// The `p` quantile of `sorted` (ascending) as R's `quantile(type = 7)` computes it: at
/// `h = (n - 1) p`, linear interpolation between the values at `floor(h)` and `ceil(h)` (0-based).
/// `p` is taken within 0–1; none for no value or a `p` that is not a number.
pub fn quantile7(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || p.is_nan() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (h.ceil() as usize).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {
            assert!(close($a, $b), "{:?} is not {}", $a, $b)
        };
    }

    #[test]
    fn quantiles_are_those_of_r_type_7() {
        let one_to_ten: Vec<f64> = (1..=10).map(f64::from).collect();
        // h = 9 × 0.9 = 8.1: 9 + 0.1 × (10 − 9).
        assert_close!(quantile7(&one_to_ten, 0.9), 9.1);
        // h = 4.5: 5 + 0.5 × 1.
        assert_close!(quantile7(&one_to_ten, 0.5), 5.5);
        assert_close!(quantile7(&one_to_ten, 0.0), 1.0);
        assert_close!(quantile7(&one_to_ten, 1.0), 10.0);
        // h = 9 × 0.25 = 2.25: 3 + 0.25 × 1.
        assert_close!(quantile7(&one_to_ten, 0.25), 3.25);

        let mut pi = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        pi.sort_by(f64::total_cmp);
        assert_eq!(pi, [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0]);
        // h = 7 × 0.5 = 3.5: 3 + 0.5 × (4 − 3).
        assert_close!(quantile7(&pi, 0.5), 3.5);
        // h = 7 × 0.9 = 6.3: 6 + 0.3 × (9 − 6) = 6.9, as R's quantile(x, 0.9) says.
        assert_close!(quantile7(&pi, 0.9), 6.9);

        assert_close!(quantile7(&[42.0], 0.9), 42.0);
        assert_eq!(quantile7(&[], 0.5), None);
        assert_eq!(quantile7(&[1.0, 2.0], f64::NAN), None);
        // p is taken within 0–1.
        assert_close!(quantile7(&[1.0, 2.0], 1.5), 2.0);
    }
}
