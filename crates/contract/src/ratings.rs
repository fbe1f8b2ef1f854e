//! Feedback and review summaries and entries as wire messages.

use sellerhealth_domain::{Calendar, Instant, ProductReview};
use sellerhealth_proto::v1 as pb;
use sellerhealth_ratings::feedback::{FeedbackEntry, FeedbackSummary, Period, PeriodSummary};
use sellerhealth_ratings::reviews::{self, ReviewSummary, StarShare};

use crate::time::timestamp;

fn period(period: Period) -> pb::FeedbackPeriod {
    match period {
        Period::Days(30) => pb::FeedbackPeriod::Days30,
        Period::Days(90) => pb::FeedbackPeriod::Days90,
        Period::Days(365) => pb::FeedbackPeriod::Days365,
        Period::Days(_) => pb::FeedbackPeriod::Unspecified,
        Period::Lifetime => pb::FeedbackPeriod::Lifetime,
    }
}

fn period_summary(summary: &PeriodSummary) -> pb::FeedbackPeriodSummary {
    let (positive_percent, neutral_percent, negative_percent) = summary.percents();
    pb::FeedbackPeriodSummary {
        period: period(summary.period) as i32,
        positive_count: summary.positive,
        neutral_count: summary.neutral,
        negative_count: summary.negative,
        total_count: summary.total(),
        positive_percent,
        neutral_percent,
        negative_percent,
    }
}

/// The wire form of a feedback summary (the answer of both summary calls).
pub fn feedback_summary(summary: &FeedbackSummary) -> pb::GetFeedbackSummaryResponse {
    pb::GetFeedbackSummaryResponse {
        periods: summary.periods.iter().map(period_summary).collect(),
        displayed_positive_percent: summary.displayed_positive_percent(),
        displayed_period: period(summary.displayed.period) as i32,
        displayed_count: summary.displayed.total(),
    }
}

/// The wire form of one feedback as it stands.
pub fn feedback_entry(entry: &FeedbackEntry<'_>) -> pb::FeedbackEntry {
    pb::FeedbackEntry {
        order_id: entry.feedback.order_id.to_string(),
        left_at: Some(timestamp(entry.feedback.left_at)),
        stars: entry.feedback.stars,
        comment: entry.feedback.comment.clone(),
        fulfillment_related: entry.feedback.fulfillment_related,
        seller_response: entry.response.map(|(text, _)| text.to_owned()).unwrap_or_default(),
        responded_at: entry.response.map(|(_, at)| timestamp(at)),
        struck_through: entry.struck_through.is_some(),
        struck_through_note: entry.struck_through.unwrap_or_default().to_owned(),
    }
}

fn shares(shares: &[StarShare]) -> Vec<pb::StarShare> {
    shares
        .iter()
        .map(|s| pb::StarShare { stars: s.stars, count: s.count, weight: s.weight, percent: s.percent })
        .collect()
}

/// The wire form of a listing's review summary (the answer of both summary calls).
pub fn review_summary(asin: &str, summary: &ReviewSummary) -> pb::GetReviewSummaryResponse {
    pb::GetReviewSummaryResponse {
        asin: asin.to_owned(),
        review_count: summary.count,
        mean_stars: summary.mean,
        display_mean: summary.display_mean,
        display_stars: summary.display_stars,
        histogram: shares(&summary.histogram),
        weighted_mean: summary.weighted_mean,
        weighted_histogram: shares(&summary.weighted_histogram),
    }
}

/// The wire form of one review, with its weight as of `as_of` (ages counted in
/// `calendar`'s days: the review's marketplace's).
pub fn review_entry(review: &ProductReview, calendar: Calendar, as_of: Instant) -> pb::ReviewEntry {
    pb::ReviewEntry {
        review_id: review.review_id.to_string(),
        reviewer_id: review.reviewer_id.to_string(),
        stars: review.stars,
        reviewed_at: Some(timestamp(review.reviewed_at)),
        verified_purchase: review.verified_purchase,
        helpful_votes: i32::try_from(review.helpful_votes).unwrap_or(i32::MAX),
        title: review.title.clone(),
        body: review.body.clone(),
        weight: reviews::weight(review, calendar, as_of),
    }
}
