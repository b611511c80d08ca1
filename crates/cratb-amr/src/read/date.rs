//! Specimen dates: `YYYY-MM-DD` or `DD/MM/YYYY`, kept as days since 1970-01-01.

/// Days since 1970-01-01 of `YYYY-MM-DD` or `DD/MM/YYYY` (a time after the date is ignored).
pub fn parse_date(bytes: &[u8]) -> Option<i32> {
    let b = bytes.get(..10)?;
    let digits = |s: &[u8]| -> Option<i32> {
        s.iter().try_fold(0i32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = if b[4] == b'-' && b[7] == b'-' {
        (digits(&b[..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
    } else if b[2] == b'/' && b[5] == b'/' {
        (digits(&b[6..10])?, digits(&b[3..5])?, digits(&b[..2])?)
    } else {
        return None;
    };
    if bytes.len() > 10 && !matches!(bytes[10], b' ' | b'T') {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1900..=2200).contains(&y)
        || !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month[m as usize - 1]
    {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn format_date(z: i32) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"01/01/1970"), Some(0));
        assert_eq!(
            parse_date(b"2024-02-29"),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(parse_date(b"2023-02-29"), None);
        assert_eq!(parse_date(b"2023-13-01"), None);
        assert_eq!(parse_date(b"2023-1-01"), None);
        assert_eq!(parse_date(b"2024-03-01T10:00"), parse_date(b"2024-03-01"));
        assert_eq!(
            format_date(parse_date(b"2025-08-28").unwrap()),
            "2025-08-28"
        );
        for z in -1000..30000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m as i32, d as i32), z);
        }
    }
}
