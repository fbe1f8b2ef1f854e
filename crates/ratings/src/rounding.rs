//! Roundings of SPEC: half away from zero, in integers so ties are exact.

/// `part / whole` as a whole-number percentage, rounded half away from zero; 0 when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> i32 {
    if whole <= 0 {
        return 0;
    }
    // In i128 no product or sum of i64 values below overflows (the saturating
    // operations never saturate), and whole > 0.
    let (part, whole) = (i128::from(part), i128::from(whole));
    let rounded = part.saturating_abs().saturating_mul(200).saturating_add(whole).checked_div(whole.saturating_mul(2));
    i32::try_from(rounded.unwrap_or(0).saturating_mul(part.signum())).unwrap_or(i32::MAX)
}

/// `value` rounded to `1 / steps` (10 for one decimal, 2 for half stars), half away from zero.
pub fn to_steps(value: f64, steps: f64) -> f64 {
    // Nudge by a relative epsilon so 4.25 stored as 4.2499999… still rounds up.
    let scaled = value * steps;
    (scaled + scaled.signum() * scaled.abs() * 1e-12).round() / steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_round_away_from_zero() {
        assert_eq!(percent(1, 8), 13); // 12.5%
        assert_eq!(percent(3, 8), 38); // 37.5%
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(to_steps(4.25, 10.0), 4.3);
        assert_eq!(to_steps(4.35, 10.0), 4.4);
        assert_eq!(to_steps(4.24, 2.0), 4.0);
        assert_eq!(to_steps(4.25, 2.0), 4.5);
        assert_eq!(to_steps(4.74, 2.0), 4.5);
        assert_eq!(to_steps(4.75, 2.0), 5.0);
    }
}
