//! Seller rating (SPEC §5): every order of the last 365 days (by purchase date)
//! scores by its most severe problem; the rating is the average score.

use chrono::Duration;
use sellerhealth_domain::time::{shift, shift_days};
use sellerhealth_domain::{
    BuyerMessage, Calendar, Day, DayRange, FulfillmentChannel, Instant, OrderRecord, Policy, versions,
};

pub use crate::counters::ScoreClass;
use crate::counters::{Counter, CounterSource};
use crate::odr::{has_negative_feedback, has_open_claim, has_service_chargeback};
use crate::order_facts::{Shipping, is_business_day, scans, shipment_units};
use crate::refunds::refunded_by;
use crate::response::reply_deadline;
use crate::timeline::{Emitter, Tally, just_after};

/// Days of orders the rating averages.
pub const RATING_WINDOW_DAYS: u32 = 365;
/// An MFN order still unshipped this many days after its latest ship date is a severe problem.
pub const UNSHIPPED_SEVERE_DAYS: i64 = 30;
/// The bonus needs delivery within this many business days of the purchase.
pub const BONUS_BUSINESS_DAYS: i64 = 3;

/// Bands of the rounded rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingBand {
    /// 0–84.49.
    Fair,
    /// 84.50–96.49.
    Good,
    /// 96.50–98.49.
    VeryGood,
    /// 98.50–100.
    Excellent,
}

/// The seller rating as of an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerRating {
    /// Purchase days counted.
    pub days: DayRange,
    /// Orders scored.
    pub order_count: i64,
    /// Sum of scores ÷ orders, unclamped and unrounded; `None` without orders.
    pub raw_average: Option<f64>,
    /// The average clamped to 0–100, in hundredths, rounded half away from zero.
    pub rating_hundredths: Option<i64>,
    /// Band of the rounded rating.
    pub band: Option<RatingBand>,
    /// Orders per class, most severe first.
    pub classes: Vec<(ScoreClass, i64)>,
}

impl SellerRating {
    /// The rating shown, 0.00–100.00.
    pub fn rating(&self) -> Option<f64> {
        self.rating_hundredths.map(|h| h as f64 / 100.0)
    }
}

/// Whether a message on the order was unanswered for more than the SLA by `t`,
/// by each message's version standing at `t` (a reply sent later as a new
/// version of the message counts from its own instant). The tests' definition
/// of a class asks it; the [`Classifier`] groups the messages once instead.
#[cfg(test)]
pub(crate) fn message_overdue(messages: &[BuyerMessage], policy: &Policy, t: Instant) -> bool {
    versions::standing(messages, t).into_iter().any(|m| overdue(m, policy, t))
}

/// Whether `message` was unanswered for more than the SLA by `t`.
fn overdue(message: &BuyerMessage, policy: &Policy, t: Instant) -> bool {
    let deadline = reply_deadline(message, policy);
    t > deadline && message.first_replied_at.is_none_or(|r| r > deadline)
}

/// The instant an MFN order becomes "unshipped 30 days past its latest ship date".
pub(crate) fn unshipped_deadline(record: &OrderRecord) -> Instant {
    shift(record.order.latest_ship_at, Duration::days(UNSHIPPED_SEVERE_DAYS))
}

/// Business days (Monday–Friday) after `purchase`'s day up to and including
/// `delivered`'s, days of the marketplace's `calendar` (the tests' definition
/// of the bonus; the [`Classifier`] asks its tally's days).
#[cfg(test)]
pub(crate) fn business_days_to(calendar: Calendar, purchase: Instant, delivered: Instant) -> i64 {
    business_days_between(calendar.day_of(purchase), calendar.day_of(delivered))
}

/// Business days (Monday–Friday) after `from` up to and including `to`.
fn business_days_between(from: Day, to: Day) -> i64 {
    // Any seven consecutive days hold five business days: count whole weeks, then
    // look at the remaining days one by one (fast however far apart the days are).
    let days = to.signed_duration_since(from).num_days();
    if days <= 0 {
        return 0;
    }
    let (weeks, rest) = (days / 7, days % 7);
    let rest_business = (1..=rest).filter(|&n| is_business_day(shift_days(from, n))).count();
    weeks.saturating_mul(5).saturating_add(i64::try_from(rest_business).unwrap_or(0))
}

/// What an order's class needs that does not depend on the instant asked:
/// worked out once per order, where the tally asks its class at every change
/// instant of the order (the shipments' scans were matched by tracking number
/// at each one, a tenth of a batch run).
pub(crate) struct Classifier<'a> {
    record: &'a OrderRecord,
    policy: &'a Policy,
    /// The marketplace's calendar: the bonus counts its days.
    calendar: Calendar,
    /// The order's shipping, worked out once.
    shipping: Shipping,
    /// The cancellation before shipment, if any: when, and whether the seller
    /// (or the system, for an order left unshipped) made it.
    cancelled: Option<(Instant, bool)>,
    /// After this instant an MFN order with known shipping is a severe
    /// defect: unshipped 30 days past its latest ship date (`None` if it was
    /// shipped or cancelled by then).
    unshipped_severe_after: Option<Instant>,
    /// For the bonus, each shipment: (confirmed, first scan, delivered,
    /// units); none when the order has no promised delivery date, which
    /// rules the bonus out.
    shipments: Vec<(Instant, Option<Instant>, Option<Instant>, u32)>,
    /// The last delivery the bonus's day rules were asked of, and their
    /// answer: the tally asks again at every later change instant of the
    /// order, and days are a lookup in the marketplace's time zone.
    delivered_in_time: std::cell::Cell<Option<(Instant, bool)>>,
    /// The order's buyer messages grouped by id, the versions of each in
    /// arrival order: grouped once, not at every instant asked.
    messages: Vec<Vec<&'a BuyerMessage>>,
}

impl<'a> Classifier<'a> {
    /// The classifier of `record`, whose marketplace counts days in `calendar`.
    pub(crate) fn new(
        record: &'a OrderRecord,
        shipping: Shipping,
        policy: &'a Policy,
        calendar: Calendar,
    ) -> Classifier<'a> {
        let first_confirmation = shipping.first_confirmation;
        let cancelled = shipping.cancelled.map(|(at, initiator)| {
            let by_seller = matches!(
                initiator,
                sellerhealth_domain::CancellationInitiator::Seller
                    | sellerhealth_domain::CancellationInitiator::SystemUnshipped
            );
            (at, by_seller)
        });
        let deadline = unshipped_deadline(record);
        let unshipped =
            first_confirmation.is_none_or(|s| s > deadline) && cancelled.is_none_or(|(at, _)| at > deadline);
        let shipments = match record.order.promised_delivery_latest_at {
            Some(_) => record
                .shipments
                .iter()
                .map(|shipment| {
                    let (first_scan, delivered) = scans(record, shipment);
                    (shipment.confirmed_at, first_scan, delivered, shipment_units(record, shipment))
                })
                .collect(),
            None => Vec::new(),
        };
        Classifier {
            record,
            policy,
            calendar,
            shipping,
            cancelled,
            unshipped_severe_after: unshipped.then_some(deadline),
            shipments,
            delivered_in_time: std::cell::Cell::new(None),
            // Most orders have no message: nothing to group.
            messages: if record.messages.is_empty() { Vec::new() } else { versions::subjects(&record.messages) },
        }
    }

    /// The order's class at `t`: only its most severe problem counts.
    pub(crate) fn class_at(&self, t: Instant) -> ScoreClass {
        self.class_with_days(t, &|at| self.calendar.day_of(at))
    }

    /// [`Classifier::class_at`] with the marketplace's days of instants from
    /// `day_of` (a tally's, which remembers the order's).
    fn class_with_days(&self, t: Instant, day_of: &impl Fn(Instant) -> Day) -> ScoreClass {
        let record = self.record;
        // Shipping problems and the bonus need known shipping (SPEC §5 as in RULES.md).
        let known = self.shipping.known(t);
        let mfn = record.order.fulfillment_channel == FulfillmentChannel::Mfn && known;
        let unshipped_severe = mfn && self.unshipped_severe_after.is_some_and(|deadline| t > deadline);
        if has_open_claim(record, t)
            || has_negative_feedback(record, t)
            || has_service_chargeback(record, t)
            || unshipped_severe
        {
            return ScoreClass::SevereDefect;
        }
        let cancelled_by_t = self.cancelled.filter(|(at, _)| *at <= t);
        if cancelled_by_t.is_some_and(|(_, by_seller)| by_seller) {
            return ScoreClass::SellerCancelled;
        }
        let message_overdue = || {
            let mut standing = self.messages.iter().filter_map(|versions| versions::standing_of(versions, t));
            standing.any(|m| overdue(m, self.policy, t))
        };
        if (mfn && cancelled_by_t.is_none() && self.shipping.late(t)) || message_overdue() {
            return ScoreClass::ServiceProblem;
        }
        if known && self.bonus(t, day_of) { ScoreClass::PerfectWithBonus } else { ScoreClass::Perfect }
    }

    /// Whether every bonus condition holds at `t` (SPEC §5): every unit of
    /// the order delivered by `t` in shipments with valid tracking, within 3
    /// business days, by the promised day, and no refund. Only shipments
    /// confirmed by `t` count: one confirmed later has not happened yet at
    /// `t`. Days are the marketplace's.
    fn bonus(&self, t: Instant, day_of: &impl Fn(Instant) -> Day) -> bool {
        let order = &self.record.order;
        let Some(promised) = order.promised_delivery_latest_at else { return false };
        if refunded_by(self.record, t) {
            return false;
        }
        let mut last_delivery = None;
        let mut units_delivered: u32 = 0;
        for &(_, first_scan, delivered, units) in self.shipments.iter().filter(|s| s.0 <= t) {
            match (first_scan.filter(|s| *s <= t), delivered.filter(|d| *d <= t)) {
                (Some(_), Some(delivered)) => {
                    last_delivery = last_delivery.max(Some(delivered));
                    units_delivered = units_delivered.saturating_add(units);
                }
                _ => return false,
            }
        }
        // A partly shipped or partly delivered order gets no bonus. Days are
        // looked up last: the tally asks at every change instant, mostly
        // before the delivery.
        units_delivered >= order.units
            && last_delivery.is_some_and(|delivered| self.in_time(delivered, promised, day_of))
    }

    /// Whether an order last delivered at `delivered` was delivered by its
    /// `promised` day and within [`BONUS_BUSINESS_DAYS`] of its purchase.
    fn in_time(&self, delivered: Instant, promised: Instant, day_of: &impl Fn(Instant) -> Day) -> bool {
        if let Some((known, in_time)) = self.delivered_in_time.get()
            && known == delivered
        {
            return in_time;
        }
        let delivered_day = day_of(delivered);
        let in_time = delivered_day <= day_of(promised)
            && business_days_between(day_of(self.record.order.purchased_at), delivered_day) <= BONUS_BUSINESS_DAYS;
        self.delivered_in_time.set(Some((delivered, in_time)));
        in_time
    }

    /// The order in its class on its purchase day from its purchase on, by
    /// position in [`counters`]; `days` gives the marketplace's day of an
    /// instant.
    fn amounts(&self, t: Instant, days: &Tally) -> [i64; ScoreClass::ALL.len()] {
        let mut amounts = [0; ScoreClass::ALL.len()];
        if t >= self.record.order.purchased_at {
            let class = self.class_with_days(t, &|at| days.day_of(at));
            if let Some(amount) = ScoreClass::ALL.iter().position(|c| *c == class).and_then(|i| amounts.get_mut(i)) {
                *amount = 1;
            }
        }
        amounts
    }

    /// Instants where this order's class may change, each condition of
    /// [`Classifier::class_at`] read off the facts it depends on: the ODR's
    /// defects; the cancellation before shipment; the first confirmation
    /// (shipping becomes known); the latest ship date or the unshipped
    /// deadline passing, only if the order is still unshipped then; the
    /// buyer messages' versions and reply deadlines; the first refund; and,
    /// for the bonus, each shipment's confirmation and scans.
    fn times(&self, out: &mut Vec<Instant>) {
        let record = self.record;
        crate::odr::times(record, out);
        out.extend(self.cancelled.map(|(at, _)| at));
        let shipped = self.shipping.first_confirmation;
        out.extend(shipped);
        let order = &record.order;
        if order.fulfillment_channel == FulfillmentChannel::Mfn {
            if shipped.is_none_or(|s| s > order.latest_ship_at) {
                out.push(just_after(order.latest_ship_at));
            }
            out.extend(self.unshipped_severe_after.map(just_after));
        }
        if !record.messages.is_empty() {
            out.extend(versions::change_instants(&record.messages));
            out.extend(record.messages.iter().map(|message| just_after(reply_deadline(message, self.policy))));
        }
        out.extend(record.refunds.iter().map(|r| r.refunded_at).min());
        for &(confirmed, first_scan, delivered, _) in &self.shipments {
            out.push(confirmed);
            out.extend(first_scan);
            out.extend(delivered);
        }
    }

    /// Emits the order's class changes.
    pub(crate) fn changes(&self, emitter: &mut Emitter, out: &mut impl FnMut(Counter, Day, Instant, i64)) {
        emitter.emit_fixed(
            self.calendar,
            counters(),
            self.record.order.purchased_at,
            |t| self.times(t),
            |t, days| self.amounts(t, days),
            out,
        );
    }

    /// Counts the order in its class on its purchase day, as a tally.
    #[cfg(test)]
    pub(crate) fn tally(&self, t: Instant, tally: &mut Tally) {
        let amounts = self.amounts(t, tally);
        tally.add_each(counters(), self.record.order.purchased_at, amounts);
    }
}

/// The seller rating's counters: an order in each class, in the order of
/// [`ScoreClass::ALL`].
fn counters() -> [Counter; ScoreClass::ALL.len()] {
    ScoreClass::ALL.map(Counter::OrderScore)
}

/// The order's class at `t`: only its most severe problem counts.
pub fn score_class(record: &OrderRecord, policy: &Policy, t: Instant) -> ScoreClass {
    let calendar = policy.calendar(&record.order.marketplace_id);
    Classifier::new(record, Shipping::of(record), policy, calendar).class_at(t)
}

/// Instants where the order's class may change: those of the ODR, shipping,
/// delivery and refund metrics (its problems and bonus are theirs), the
/// unshipped deadline, and its buyer messages' replies and deadlines. A
/// superset of [`Classifier::times`], which leaves out the instants that
/// cannot change this order's class.
#[cfg(test)]
pub(crate) fn times(record: &OrderRecord, policy: &Policy, out: &mut Vec<Instant>) {
    crate::odr::times(record, out);
    crate::cancel::times(record, out);
    crate::late_shipment::times(record, out);
    crate::delivery::times(record, out);
    crate::refunds::times(record, out);
    out.push(just_after(unshipped_deadline(record)));
    out.extend(versions::change_instants(&record.messages));
    out.extend(record.messages.iter().map(|message| just_after(reply_deadline(message, policy))));
}

/// Counts the order in its class on its purchase day (a [`Classifier`] of
/// the order asked once: for tests that tally one instant).
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, policy: &Policy, t: Instant, tally: &mut Tally) {
    Classifier::new(record, Shipping::of(record), policy, tally.calendar()).tally(t, tally);
}

/// The average `total / order_count` (order_count > 0) clamped to 0..=100, in
/// hundredths rounded half away from zero, in integers.
fn rounded_hundredths(total: i64, order_count: i64) -> i64 {
    // In i128 no product or sum of i64 values below overflows: the saturating
    // operations never saturate.
    let (total, count) = (i128::from(total), i128::from(order_count));
    let hundredths = if total <= 0 {
        0
    } else if total >= count.saturating_mul(100) {
        10_000
    } else {
        // 0 < total < 100 * count, so count > 0.
        total.saturating_mul(200).saturating_add(count).checked_div(count.saturating_mul(2)).unwrap_or(0)
    };
    i64::try_from(hundredths).unwrap_or(0)
}

/// The seller rating of `marketplace_id` as of `as_of` (its 365 days are the
/// marketplace's calendar days under `policy`).
pub fn evaluate(source: &impl CounterSource, policy: &Policy, marketplace_id: &str, as_of: Instant) -> SellerRating {
    let days = DayRange::ending_before(policy.calendar(marketplace_id).day_of(as_of), RATING_WINDOW_DAYS, 0);
    let classes: Vec<(ScoreClass, i64)> = ScoreClass::ALL
        .iter()
        .map(|&class| (class, source.total(marketplace_id, Counter::OrderScore(class), days, as_of)))
        .collect();
    // Counts of orders and their scores: saturating only matters for nonsense input.
    let order_count: i64 = classes.iter().map(|(_, n)| *n).fold(0, i64::saturating_add);
    let total: i64 = classes.iter().map(|(class, n)| class.score().saturating_mul(*n)).fold(0, i64::saturating_add);
    if order_count <= 0 {
        return SellerRating { days, order_count: 0, raw_average: None, rating_hundredths: None, band: None, classes };
    }
    let hundredths = rounded_hundredths(total, order_count);
    let band = match hundredths {
        h if h < 8_450 => RatingBand::Fair,
        h if h < 9_650 => RatingBand::Good,
        h if h < 9_850 => RatingBand::VeryGood,
        _ => RatingBand::Excellent,
    };
    SellerRating {
        days,
        order_count,
        raw_average: Some(total as f64 / order_count as f64),
        rating_hundredths: Some(hundredths),
        band: Some(band),
        classes,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn business_days_count_monday_to_friday_after_the_purchase_day() {
        let at = |d| Utc.with_ymd_and_hms(2026, 5, d, 12, 0, 0).single().expect("instant");
        // Bought Thursday 05-07: Fri 08 (1), Mon 11 (2), Tue 12 (3), Wed 13 (4).
        assert_eq!(business_days_to(Calendar::UTC, at(7), at(12)), 3);
        assert_eq!(business_days_to(Calendar::UTC, at(7), at(13)), 4);
        // Bought Friday 05-08, delivered Sunday 05-10: no business day yet.
        assert_eq!(business_days_to(Calendar::UTC, at(8), at(10)), 0);
        assert_eq!(business_days_to(Calendar::UTC, at(10), at(8)), 0);
        // 400 Gregorian years are 20,871 whole weeks (Saturday 2000-01-01 to 2400-01-01).
        let (y2000, y2400) = (Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0), Utc.with_ymd_and_hms(2400, 1, 1, 0, 0, 0));
        assert_eq!(business_days_to(Calendar::UTC, y2000.unwrap(), y2400.unwrap()), 20_871 * 5);
    }

    #[test]
    fn the_closed_form_counts_the_same_days_as_walking_them() {
        let start = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).single().expect("instant");
        for from in 0..7 {
            for len in 0..40 {
                let (purchase, delivered) = (start + Duration::days(from), start + Duration::days(from + len));
                let walked =
                    (1..=len).filter(|n| is_business_day((purchase + Duration::days(*n)).date_naive())).count();
                assert_eq!(
                    business_days_to(Calendar::UTC, purchase, delivered),
                    walked as i64,
                    "{purchase} to {delivered}"
                );
            }
        }
    }

    #[test]
    fn the_rating_rounds_in_integers_without_overflow() {
        assert_eq!(rounded_hundredths(9_875, 100), 9_875);
        assert_eq!(rounded_hundredths(-500, 1), 0);
        // Averages of 1, 0.5 and 50 points, and above 100, with sums near i64::MAX.
        assert_eq!(rounded_hundredths(i64::MAX, i64::MAX), 100);
        assert_eq!(rounded_hundredths(i64::MAX - 1, i64::MAX), 100);
        assert_eq!(rounded_hundredths(i64::MAX / 2, i64::MAX), 50);
        assert_eq!(rounded_hundredths(i64::MAX, i64::MAX / 50), 5_000);
        assert_eq!(rounded_hundredths(i64::MAX, i64::MAX / 101), 10_000);
        assert_eq!(rounded_hundredths(1, i64::MAX), 0);
    }

    #[test]
    fn ratings_as_of_the_ends_of_chrono_have_no_orders() {
        let source = crate::counters::ContributionSet::default();
        let rating = evaluate(&source, &Policy::amazon(), "US", chrono::DateTime::<Utc>::MAX_UTC);
        assert_eq!((rating.order_count, rating.rating_hundredths, rating.band), (0, None, None));
        assert_eq!(rating.days.end, chrono::NaiveDate::MAX);
        assert_eq!(rating.days.len_days(), 365);
        let rating = evaluate(&source, &Policy::amazon(), "US", chrono::DateTime::<Utc>::MIN_UTC);
        assert_eq!(
            (rating.order_count, rating.days.start, rating.days.end),
            (0, chrono::NaiveDate::MIN, chrono::NaiveDate::MIN)
        );
    }
}

#[cfg(test)]
mod order_tests {
    use chrono::{TimeZone, Utc};
    use sellerhealth_domain::*;

    use super::*;

    fn at(d: u32, h: u32) -> Instant {
        Utc.with_ymd_and_hms(2026, 5, d, h, 0, 0).single().expect("instant")
    }

    /// An MFN order bought Monday 05-04 10:00, ship by 05-06 10:00, promised 05-08,
    /// confirmed at `confirmed`, scanned at 18:00 that day, delivered at `delivered`.
    fn record(confirmed: Instant, delivered: Instant) -> OrderRecord {
        let policy = Policy::amazon();
        let mut book = SellerBook::new("s");
        let facts = [
            Fact::Order(Order {
                order_id: "o".into(),
                marketplace_id: "US".into(),
                purchased_at: at(4, 10),
                fulfillment_channel: FulfillmentChannel::Mfn,
                latest_ship_at: at(6, 10),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: Some(at(8, 20)),
                units: 1,
                business_order: false,
                shipping_unknown: false,
            }),
            Fact::ShipmentConfirmed(ShipmentConfirmed {
                shipment_id: "s".into(),
                order_id: "o".into(),
                confirmed_at: confirmed,
                carrier: "UPS".into(),
                tracking_number: "T".into(),
                units: 1,
                carrier_data_unknown: false,
                whole_order: false,
            }),
            Fact::CarrierScan(CarrierScan {
                tracking_number: "T".into(),
                first_scan_at: Some(confirmed + Duration::hours(8)),
                delivered_at: Some(delivered),
            }),
        ];
        for (n, fact) in facts.into_iter().enumerate() {
            let event = Event { event_id: format!("e{n}"), seller_id: "s".into(), fact };
            book.apply(&event, at(31, 0), &policy).expect("valid");
        }
        book.order("o").expect("order").clone()
    }

    #[test]
    fn all_five_bonus_conditions_score_110_four_score_100() {
        let policy = Policy::amazon();
        // Delivered Thursday 05-07: 3rd business day, by the promise: 110.
        let bonus = record(at(5, 9), at(7, 15));
        assert_eq!(score_class(&bonus, &policy, at(20, 0)), ScoreClass::PerfectWithBonus);
        // Delivered Friday 05-08: by the promise, but the 4th business day: 100.
        let four_of_five = record(at(5, 9), at(8, 15));
        assert_eq!(score_class(&four_of_five, &policy, at(20, 0)), ScoreClass::Perfect);
        // Before delivery the bonus is not earned yet.
        assert_eq!(score_class(&bonus, &policy, at(6, 0)), ScoreClass::Perfect);
    }

    #[test]
    fn an_order_due_at_the_end_of_chrono_scores_without_overflow() {
        // Issue 13: latest_ship_at in year 262143 plus the 30 unshipped days panicked.
        let policy = Policy::amazon();
        let max = chrono::DateTime::<Utc>::MAX_UTC;
        let mut record = record(at(5, 9), at(7, 15));
        record.order.latest_ship_at = max;
        record.order.promised_delivery_latest_at = Some(max);
        assert_eq!(unshipped_deadline(&record), max);
        let mut instants = Vec::new();
        times(&record, &policy, &mut instants);
        // The unshipped deadline (and the ship-by instant) saturate at chrono's last instant.
        assert_eq!(instants.iter().max(), Some(&max));
        assert!(instants.contains(&record.order.purchased_at));
        // Delivered in business day 3, by the promise: the bonus, as before.
        assert_eq!(score_class(&record, &policy, at(20, 0)), ScoreClass::PerfectWithBonus);
        assert_eq!(score_class(&record, &policy, max), ScoreClass::PerfectWithBonus);
        // Never shipped, bought at chrono's first instant, as of its last one.
        let mut unshipped = record.clone();
        unshipped.shipments.clear();
        unshipped.order.purchased_at = chrono::DateTime::<Utc>::MIN_UTC;
        assert_eq!(score_class(&unshipped, &policy, max), ScoreClass::Perfect);
    }

    #[test]
    fn late_shipment_and_negative_feedback_count_as_minus_500_once() {
        let policy = Policy::amazon();
        let mut late = record(at(7, 9), at(8, 15));
        assert_eq!(score_class(&late, &policy, at(9, 0)), ScoreClass::ServiceProblem);
        late.feedback.push(SellerFeedback {
            order_id: "o".into(),
            left_at: at(10, 0),
            stars: 1,
            comment: String::new(),
            fulfillment_related: false,
        });
        assert_eq!(score_class(&late, &policy, at(11, 0)), ScoreClass::SevereDefect);
        assert_eq!(ScoreClass::SevereDefect.score(), -500);
    }
}
