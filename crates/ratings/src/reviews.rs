//! Product reviews (SPEC §7): per listing, never part of account health.

use sellerhealth_domain::{Calendar, Instant, ProductReview, SellerBook};

use crate::rounding::{percent, to_steps};

/// Weight of an unverified review relative to a verified one.
pub const UNVERIFIED_WEIGHT: f64 = 0.5;
/// A review's weight halves every this many days.
pub const HALF_LIFE_DAYS: f64 = 365.0;

/// One review's weight as of `as_of`: (verified ? 1 : 0.5) × 0.5^(age_days / 365),
/// age in whole days from the review's day to `as_of`'s day, days of the
/// listing's marketplace's `calendar`.
pub fn weight(review: &ProductReview, calendar: Calendar, as_of: Instant) -> f64 {
    let (today, written) = (calendar.day_of(as_of), calendar.day_of(review.reviewed_at));
    let age_days = today.signed_duration_since(written).num_days().max(0) as f64;
    let verified = if review.verified_purchase { 1.0 } else { UNVERIFIED_WEIGHT };
    verified * 0.5_f64.powf(age_days / HALF_LIFE_DAYS)
}

/// Reviews of one star value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StarShare {
    /// 1 to 5.
    pub stars: i32,
    /// Reviews with that value.
    pub count: i64,
    /// Their summed weight (the count, in the plain histogram).
    pub weight: f64,
    /// Whole-number percentage of the total (count, or weight).
    pub percent: i32,
}

/// A listing's review summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSummary {
    /// Reviews counted.
    pub count: i64,
    /// Plain mean; `None` without reviews.
    pub mean: Option<f64>,
    /// Mean to one decimal ("4.3 out of 5").
    pub display_mean: Option<f64>,
    /// Mean to the nearest half star.
    pub display_stars: Option<f64>,
    /// Per star, 5 down to 1.
    pub histogram: Vec<StarShare>,
    /// Mean weighted by verification and recency.
    pub weighted_mean: Option<f64>,
    /// Weighted share per star, 5 down to 1.
    pub weighted_histogram: Vec<StarShare>,
}

/// The reviews of `asin` in `marketplace_id` visible at `as_of` (written by then,
/// not removed by then), newest first.
pub fn visible<'a>(book: &'a SellerBook, marketplace_id: &str, asin: &str, as_of: Instant) -> Vec<&'a ProductReview> {
    let mut out: Vec<&ProductReview> = book
        .reviews()
        .filter(|r| r.review.marketplace_id == marketplace_id && r.review.asin == asin)
        .filter(|r| r.review.reviewed_at <= as_of && r.removal.as_ref().is_none_or(|x| x.removed_at > as_of))
        .map(|r| &r.review)
        .collect();
    out.sort_by(|a, b| b.reviewed_at.cmp(&a.reviewed_at).then(a.review_id.cmp(&b.review_id)));
    out
}

/// Count, means and histograms of `reviews` as of `as_of`.
pub fn summary(reviews: &[&ProductReview], calendar: Calendar, as_of: Instant) -> ReviewSummary {
    let count = reviews.len() as i64;
    // Per star value 1 to 5 (a value outside counts as the nearest): (stars,
    // reviews, summed weight).
    let per_star: [(i32, i64, f64); 5] = [1, 2, 3, 4, 5].map(|stars| {
        let of_stars = reviews.iter().filter(|r| r.stars.clamp(1, 5) == stars);
        let n = of_stars.clone().count() as i64;
        (stars, n, of_stars.fold(0.0, |sum, r| sum + weight(r, calendar, as_of)))
    });
    // At most five i32 values per review and a few billion reviews: saturating
    // never applies.
    let star_sum: i64 = reviews.iter().map(|r| i64::from(r.stars)).fold(0, i64::saturating_add);
    let total_weight: f64 = per_star.iter().map(|(_, _, w)| w).sum();
    let mean = (count > 0).then(|| star_sum as f64 / count as f64);
    let weighted_mean = (total_weight > 0.0)
        .then(|| per_star.iter().map(|&(stars, _, w)| f64::from(stars) * w).sum::<f64>() / total_weight);
    let histogram = per_star
        .iter()
        .rev()
        .map(|&(stars, n, _)| StarShare { stars, count: n, weight: n as f64, percent: percent(n, count) })
        .collect();
    let weighted_histogram = per_star
        .iter()
        .rev()
        .map(|&(stars, n, w)| {
            let share = if total_weight > 0.0 { w / total_weight * 100.0 } else { 0.0 };
            StarShare { stars, count: n, weight: w, percent: to_steps(share, 1.0) as i32 }
        })
        .collect();
    ReviewSummary {
        count,
        mean,
        display_mean: mean.map(|m| to_steps(m, 10.0)),
        display_stars: mean.map(|m| to_steps(m, 2.0)),
        histogram,
        weighted_mean,
        weighted_histogram,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn a_reviews_age_counts_days_of_the_marketplaces_calendar() {
        // Written 2026-01-01 16:00 UTC (2 January 01:00 in Tokyo), weighed as of
        // 2027-01-01 14:00 UTC (1 January 23:00 in Tokyo): 365 UTC days, 364 Tokyo days.
        let review = ProductReview {
            review_id: "r".into(),
            marketplace_id: "A1VC38T7YXB528".into(),
            asin: "B0".into(),
            reviewer_id: "b".into(),
            stars: 5,
            reviewed_at: Utc.with_ymd_and_hms(2026, 1, 1, 16, 0, 0).single().expect("instant"),
            verified_purchase: true,
            helpful_votes: 0,
            title: String::new(),
            body: String::new(),
        };
        let as_of = Utc.with_ymd_and_hms(2027, 1, 1, 14, 0, 0).single().expect("instant");
        assert_eq!(weight(&review, Calendar::UTC, as_of), 0.5);
        let tokyo = Calendar::named("Asia/Tokyo").expect("zone");
        assert_eq!(weight(&review, tokyo, as_of), 0.5_f64.powf(364.0 / 365.0));
    }
}
