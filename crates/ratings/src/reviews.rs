//! Product reviews (SPEC §7): per listing, never part of account health.

use sellerhealth_domain::{Instant, ProductReview, SellerBook, day_of};

use crate::rounding::{percent, to_steps};

/// Weight of an unverified review relative to a verified one.
pub const UNVERIFIED_WEIGHT: f64 = 0.5;
/// A review's weight halves every this many days.
pub const HALF_LIFE_DAYS: f64 = 365.0;

/// One review's weight as of `as_of`: (verified ? 1 : 0.5) × 0.5^(age_days / 365),
/// age in whole days from the review's day to `as_of`'s day.
pub fn weight(review: &ProductReview, as_of: Instant) -> f64 {
    let age_days = day_of(as_of).signed_duration_since(day_of(review.reviewed_at)).num_days().max(0) as f64;
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
pub fn summary(reviews: &[&ProductReview], as_of: Instant) -> ReviewSummary {
    let count = reviews.len() as i64;
    // Per star value 1 to 5 (a value outside counts as the nearest): (stars,
    // reviews, summed weight).
    let per_star: [(i32, i64, f64); 5] = [1, 2, 3, 4, 5].map(|stars| {
        let of_stars = reviews.iter().filter(|r| r.stars.clamp(1, 5) == stars);
        let n = of_stars.clone().count() as i64;
        (stars, n, of_stars.fold(0.0, |sum, r| sum + weight(r, as_of)))
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
