//! Seller feedback (SPEC §7): what buyers see of the seller, by received date.

use sellerhealth_domain::{
    Calendar, Day, DayRange, FeedbackAction, FulfillmentChannel, Instant, OrderRecord, SellerBook, SellerFeedback,
};

use crate::rounding::percent;

/// The note shown on feedback struck through because the marketplace fulfilled the order.
pub const AFN_STRIKE_NOTE: &str =
    "This item was fulfilled by Amazon, and we take responsibility for this fulfillment experience.";
/// The note shown on feedback struck through by the marketplace.
pub const STRIKE_NOTE: &str = "This feedback was struck through by the marketplace.";
/// The 12-month rating is shown to buyers only above this many feedbacks.
pub const DISPLAY_MIN_FEEDBACK: i64 = 10;

/// A summary period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The last `n` days by received date.
    Days(u32),
    /// Everything.
    Lifetime,
}

/// One feedback as it stands at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackEntry<'a> {
    /// The feedback.
    pub feedback: &'a SellerFeedback,
    /// The day it was received, in the marketplace's calendar.
    pub received_on: Day,
    /// The seller's latest public response by then, with its time.
    pub response: Option<(&'a str, Instant)>,
    /// The note when struck through (then it counts nowhere but stays listed).
    pub struck_through: Option<&'static str>,
}

/// Counts of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodSummary {
    /// Period.
    pub period: Period,
    /// 4–5 stars.
    pub positive: i64,
    /// 3 stars.
    pub neutral: i64,
    /// 1–2 stars.
    pub negative: i64,
}

impl PeriodSummary {
    /// All counted.
    pub fn total(&self) -> i64 {
        // Counts of feedback: saturating only matters for nonsense input.
        self.positive.saturating_add(self.neutral).saturating_add(self.negative)
    }
    /// Whole-number percentages (positive, neutral, negative), each rounded on its own.
    pub fn percents(&self) -> (i32, i32, i32) {
        let total = self.total();
        (percent(self.positive, total), percent(self.neutral, total), percent(self.negative, total))
    }
}

/// The feedback summary of a seller in a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackSummary {
    /// 30, 90, 365 days and lifetime.
    pub periods: Vec<PeriodSummary>,
    /// The period behind the rating shown to buyers.
    pub displayed: PeriodSummary,
}

impl FeedbackSummary {
    /// "% positive" shown to buyers.
    pub fn displayed_positive_percent(&self) -> i32 {
        self.displayed.percents().0
    }
}

fn current<'a>(record: &'a OrderRecord, calendar: Calendar, t: Instant) -> Option<FeedbackEntry<'a>> {
    // A newer feedback replaces the older; later arrivals win ties.
    let feedback = record.feedback.iter().filter(|f| f.left_at <= t).max_by_key(|f| f.left_at)?;
    let updates = || record.feedback_updates.iter().filter(|u| feedback.left_at <= u.updated_at && u.updated_at <= t);
    if updates().any(|u| u.action == FeedbackAction::Removed) {
        return None;
    }
    let struck_through = if record.order.fulfillment_channel == FulfillmentChannel::Afn && feedback.fulfillment_related
    {
        Some(AFN_STRIKE_NOTE)
    } else if updates().any(|u| u.action == FeedbackAction::StruckThrough) {
        Some(STRIKE_NOTE)
    } else {
        None
    };
    let response = updates()
        .filter(|u| u.action == FeedbackAction::SellerResponse)
        .max_by_key(|u| u.updated_at)
        .map(|u| (u.response_text.as_str(), u.updated_at));
    Some(FeedbackEntry { feedback, received_on: calendar.day_of(feedback.left_at), response, struck_through })
}

/// Every feedback listed in `marketplace_id` (whose days are `calendar`'s) as
/// of `as_of` (removed ones are not), newest first.
pub fn entries<'a>(
    book: &'a SellerBook,
    calendar: Calendar,
    marketplace_id: &str,
    as_of: Instant,
) -> Vec<FeedbackEntry<'a>> {
    let mut out: Vec<_> = book
        .orders()
        .iter()
        .filter(|r| r.order.marketplace_id == marketplace_id)
        .filter_map(|r| current(r, calendar, as_of))
        .collect();
    out.sort_by(|a, b| b.feedback.left_at.cmp(&a.feedback.left_at).then(a.feedback.order_id.cmp(&b.feedback.order_id)));
    out
}

/// The summary for 30, 90 and 365 days and lifetime, by received date; struck
/// through feedback counts nowhere. Days are the marketplace's `calendar`'s.
pub fn summary(entries: &[FeedbackEntry<'_>], calendar: Calendar, as_of: Instant) -> FeedbackSummary {
    let today = calendar.day_of(as_of);
    let count = |period: Period| {
        let range = match period {
            Period::Days(n) => Some(DayRange::ending_before(today, n, 0)),
            Period::Lifetime => None,
        };
        let mut summary = PeriodSummary { period, positive: 0, neutral: 0, negative: 0 };
        for entry in entries.iter().filter(|e| e.struck_through.is_none()) {
            if range.is_some_and(|r| !r.contains(entry.received_on)) {
                continue;
            }
            match entry.feedback.stars {
                4..=5 => summary.positive = summary.positive.saturating_add(1),
                3 => summary.neutral = summary.neutral.saturating_add(1),
                _ => summary.negative = summary.negative.saturating_add(1),
            }
        }
        summary
    };
    let [month, quarter, year, lifetime] =
        [Period::Days(30), Period::Days(90), Period::Days(365), Period::Lifetime].map(count);
    let displayed = if year.total() > DISPLAY_MIN_FEEDBACK { year } else { lifetime };
    FeedbackSummary { periods: vec![month, quarter, year, lifetime], displayed }
}

/// Filters of the feedback list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    /// Only these star values (empty: all).
    pub stars: Vec<i32>,
    /// Only feedback received on or after this day.
    pub from: Option<Day>,
    /// Only feedback received on or before this day.
    pub to: Option<Day>,
    /// Only with (true) or without (false) a seller response.
    pub has_response: Option<bool>,
}

impl FeedbackFilter {
    /// Whether `entry` passes.
    pub fn admits(&self, entry: &FeedbackEntry<'_>) -> bool {
        (self.stars.is_empty() || self.stars.contains(&entry.feedback.stars))
            && self.from.is_none_or(|d| entry.received_on >= d)
            && self.to.is_none_or(|d| entry.received_on <= d)
            && self.has_response.is_none_or(|want| entry.response.is_some() == want)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use sellerhealth_domain::*;

    use super::*;

    /// `n` orders with one feedback each, `stars[i]` stars, 10 days before `as_of`.
    fn book(stars: &[i32], as_of: Instant) -> SellerBook {
        let policy = Policy::amazon();
        let mut book = SellerBook::new("s");
        for (n, &stars) in stars.iter().enumerate() {
            let purchased_at = as_of - Duration::days(20);
            let order = Order {
                order_id: format!("o{n}").into(),
                marketplace_id: "US".into(),
                purchased_at,
                fulfillment_channel: FulfillmentChannel::Mfn,
                latest_ship_at: purchased_at,
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: 1,
                business_order: false,
                shipping_unknown: false,
            };
            let feedback = SellerFeedback {
                order_id: format!("o{n}").into(),
                left_at: as_of - Duration::days(10),
                stars,
                comment: String::new(),
                fulfillment_related: false,
            };
            for (id, fact) in [(format!("o{n}"), Fact::Order(order)), (format!("f{n}"), Fact::SellerFeedback(feedback))]
            {
                book.apply(&Event { event_id: id, seller_id: "s".into(), fact }, as_of, &policy).expect("valid");
            }
        }
        book
    }

    #[test]
    fn buyers_see_twelve_months_only_above_ten_feedbacks() {
        let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).single().expect("instant");
        // Ten feedbacks: 8 positive, 1 neutral, 1 negative: lifetime shown.
        let ten = book(&[5, 5, 5, 5, 4, 4, 4, 4, 3, 1], as_of);
        let shown = summary(&entries(&ten, Calendar::UTC, "US", as_of), Calendar::UTC, as_of);
        assert_eq!(shown.displayed.period, Period::Lifetime);
        assert_eq!((shown.displayed.total(), shown.displayed_positive_percent()), (10, 80));
        // Eleven: the 12-month figure, 9/11 = 81.8% → 82.
        let eleven = book(&[5, 5, 5, 5, 4, 4, 4, 4, 3, 1, 5], as_of);
        let shown = summary(&entries(&eleven, Calendar::UTC, "US", as_of), Calendar::UTC, as_of);
        assert_eq!(shown.displayed.period, Period::Days(365));
        assert_eq!((shown.displayed.total(), shown.displayed_positive_percent()), (11, 82));
        // 1/11 = 9.09% → 9 neutral and negative each: 82 + 9 + 9 = 100.
        assert_eq!(shown.displayed.percents(), (82, 9, 9));
    }

    #[test]
    fn percentages_round_each_on_their_own() {
        // 8 feedbacks: 7 positive (87.5% → 88), 1 negative (12.5% → 13): 101 in all.
        let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).single().expect("instant");
        let eight = book(&[5, 5, 5, 5, 5, 5, 5, 1], as_of);
        let shown = summary(&entries(&eight, Calendar::UTC, "US", as_of), Calendar::UTC, as_of);
        assert_eq!(shown.periods[0].percents(), (88, 0, 13));
    }

    #[test]
    fn periods_are_days_of_the_marketplaces_calendar() {
        // One feedback at 2026-06-01 03:00 UTC: still 31 May in Los Angeles.
        // As of 2026-06-30 23:00 UTC (16:00 on 30 June there) the 30 days are
        // 1–30 June either way, so it is in the UTC month and not the local one.
        let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).single().expect("instant");
        let left_at = Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).single().expect("instant");
        let mut book = SellerBook::new("s");
        let policy = Policy::amazon();
        let order = Order {
            order_id: "o".into(),
            marketplace_id: "US".into(),
            purchased_at: left_at - Duration::days(2),
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: left_at,
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        };
        let feedback = SellerFeedback {
            order_id: "o".into(),
            left_at,
            stars: 5,
            comment: String::new(),
            fulfillment_related: false,
        };
        for (id, fact) in [("e1", Fact::Order(order)), ("e2", Fact::SellerFeedback(feedback))] {
            book.apply(&Event { event_id: id.into(), seller_id: "s".into(), fact }, as_of, &policy).expect("valid");
        }
        let la = Calendar::named("America/Los_Angeles").expect("zone");
        let month = |calendar| {
            let listed = entries(&book, calendar, "US", as_of);
            (listed[0].received_on.to_string(), summary(&listed, calendar, as_of).periods[0].positive)
        };
        assert_eq!(month(Calendar::UTC), ("2026-06-01".to_owned(), 1));
        assert_eq!(month(la), ("2026-05-31".to_owned(), 0));
    }
}
