//! Each rule of SPEC §3, §4 and §6 on small fact sets, with the expected figures
//! worked out by hand in the comments.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::{
    AccountHealthReport, AccountStatus, ContributionSet, Counter, CounterSource, MetricStatus, RateMetric,
    contributions, evaluate_book,
};

const M: &str = "US";

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

/// A seller's facts, built up fact by fact.
struct Seller {
    book: SellerBook,
    next: usize,
}

impl Seller {
    fn new() -> Self {
        Seller { book: SellerBook::new("s"), next: 0 }
    }

    fn add(&mut self, fact: Fact) -> &mut Self {
        self.next += 1;
        let event = Event { event_id: format!("e{}", self.next), seller_id: "s".into(), fact };
        self.book.apply(&event, at(12, 31, 0), &Policy::amazon()).unwrap();
        self
    }

    /// An order bought at `purchased`, due to ship 2 days later, promised 5 days later.
    fn order(&mut self, id: &str, purchased: DateTime<Utc>, channel: FulfillmentChannel) -> &mut Self {
        self.add(Fact::Order(Order {
            order_id: id.into(),
            marketplace_id: M.into(),
            purchased_at: purchased,
            fulfillment_channel: channel,
            latest_ship_at: purchased + Duration::days(2),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: Some(purchased + Duration::days(5)),
            units: 2,
            business_order: id.starts_with('B'),
            shipping_unknown: false,
        }))
    }

    fn mfn(&mut self, id: &str, purchased: DateTime<Utc>) -> &mut Self {
        self.order(id, purchased, FulfillmentChannel::Mfn)
    }

    /// An order as `order` makes it, from a source that cannot tell when it shipped.
    fn unknown_shipping(&mut self, id: &str, purchased: DateTime<Utc>, channel: FulfillmentChannel) -> &mut Self {
        self.add(Fact::Order(Order {
            order_id: id.into(),
            marketplace_id: M.into(),
            purchased_at: purchased,
            fulfillment_channel: channel,
            latest_ship_at: purchased + Duration::days(2),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: Some(purchased + Duration::days(5)),
            units: 2,
            business_order: false,
            shipping_unknown: true,
        }))
    }

    fn ship(
        &mut self,
        id: &str,
        confirmed: DateTime<Utc>,
        scan: Option<DateTime<Utc>>,
        delivered: Option<DateTime<Utc>>,
    ) -> &mut Self {
        self.add(Fact::ShipmentConfirmed(ShipmentConfirmed {
            shipment_id: format!("S{id}").into(),
            order_id: id.into(),
            confirmed_at: confirmed,
            carrier: "UPS".into(),
            tracking_number: format!("T{id}").into(),
            units: 2,
            carrier_data_unknown: false,
            whole_order: false,
        }));
        if scan.is_some() || delivered.is_some() {
            self.add(Fact::CarrierScan(CarrierScan {
                tracking_number: format!("T{id}").into(),
                first_scan_at: scan,
                delivered_at: delivered,
            }));
        }
        self
    }

    fn cancel(&mut self, id: &str, when: DateTime<Utc>, initiator: CancellationInitiator) -> &mut Self {
        self.add(Fact::Cancellation(Cancellation {
            order_id: id.into(),
            cancelled_at: when,
            initiator,
            reason: String::new(),
        }))
    }

    fn feedback(&mut self, id: &str, when: DateTime<Utc>, stars: i32) -> &mut Self {
        self.add(Fact::SellerFeedback(SellerFeedback {
            order_id: id.into(),
            left_at: when,
            stars,
            comment: String::new(),
            fulfillment_related: false,
        }))
    }

    fn update(&mut self, id: &str, when: DateTime<Utc>, action: FeedbackAction) -> &mut Self {
        self.add(Fact::FeedbackUpdate(FeedbackUpdate {
            order_id: id.into(),
            updated_at: when,
            action,
            response_text: String::new(),
        }))
    }

    fn claim(
        &mut self,
        id: &str,
        filed: DateTime<Utc>,
        outcome: ClaimOutcome,
        decided: Option<DateTime<Utc>>,
    ) -> &mut Self {
        self.add(Fact::AtozClaim(AtozClaim {
            claim_id: format!("C{id}").into(),
            order_id: id.into(),
            filed_at: filed,
            outcome,
            decided_at: decided,
        }))
    }

    fn message(&mut self, id: &str, received: DateTime<Utc>, replied: Option<DateTime<Utc>>) -> &mut Self {
        self.add(Fact::BuyerMessage(BuyerMessage {
            message_id: id.into(),
            marketplace_id: M.into(),
            order_id: None,
            received_at: received,
            first_replied_at: replied,
        }))
    }

    fn report(&self, as_of: DateTime<Utc>) -> AccountHealthReport {
        evaluate_book(&self.book, &Policy::amazon(), M, as_of)
    }
}

fn counts(rate: &RateMetric) -> (i64, i64, MetricStatus) {
    (rate.numerator, rate.denominator, rate.status)
}

use MetricStatus::{Bad, Good, None as NoData};

#[test]
fn odr_window_boundaries_count_the_first_and_last_day_only() {
    // As of 06-30 12:00 the window is 04-18 ..= 06-16 (60 days ending 14 days back).
    let mut s = Seller::new();
    for (id, day) in
        [("before", at(4, 17, 23)), ("first", at(4, 18, 0)), ("last", at(6, 16, 23)), ("after", at(6, 17, 0))]
    {
        s.mfn(id, day).feedback(id, day + Duration::hours(1), 1);
    }
    let odr = &s.report(at(6, 30, 12)).order_defect_rate_mfn;
    assert_eq!(counts(&odr.rate), (2, 2, Bad));
    assert_eq!((odr.rate.days.start, odr.rate.days.end), (at(4, 18, 0).date_naive(), at(6, 16, 0).date_naive()));
}

#[test]
fn odr_counts_an_order_once_whatever_its_defects() {
    let mut s = Seller::new();
    for n in 0..99 {
        s.mfn(&format!("o{n}"), at(5, 1, 10));
    }
    s.feedback("o1", at(5, 3, 0), 2).claim("o1", at(5, 4, 0), ClaimOutcome::Granted, Some(at(5, 6, 0)));
    s.add(Fact::Chargeback(Chargeback {
        chargeback_id: "cb".into(),
        order_id: "o1".into(),
        received_at: at(5, 7, 0),
        service_related: true,
    }));
    // A fraud chargeback is no defect; neither is 3-star feedback.
    s.add(Fact::Chargeback(Chargeback {
        chargeback_id: "cb2".into(),
        order_id: "o2".into(),
        received_at: at(5, 7, 0),
        service_related: false,
    }));
    s.feedback("o3", at(5, 3, 0), 3);
    let odr = &s.report(at(6, 30, 0)).order_defect_rate_mfn;
    // 1 defective of 99 = 1.0101% ≥ 1%: BAD; components 1 each.
    assert_eq!(counts(&odr.rate), (1, 99, Bad));
    assert_eq!((odr.negative_feedback, odr.atoz_claims, odr.service_chargebacks), (1, 1, 1));
    // One more clean order: 1/100 is exactly 1%, still BAD (target is strictly below).
    s.mfn("o99", at(5, 1, 10));
    assert_eq!(counts(&s.report(at(6, 30, 0)).order_defect_rate_mfn.rate), (1, 100, Bad));
    // And one more: 1/101 < 1%: GOOD.
    s.mfn("o100", at(5, 1, 10));
    assert_eq!(counts(&s.report(at(6, 30, 0)).order_defect_rate_mfn.rate), (1, 101, Good));
}

#[test]
fn denied_claims_stop_counting_when_decided_withdrawn_ones_never_do() {
    let mut s = Seller::new();
    s.mfn("denied", at(5, 1, 10)).mfn("withdrawn", at(5, 1, 10));
    s.claim("denied", at(5, 5, 0), ClaimOutcome::Denied, Some(at(5, 20, 0)));
    s.claim("withdrawn", at(5, 5, 0), ClaimOutcome::Withdrawn, Some(at(5, 20, 0)));
    // 05-25: both orders are in the window [03-27, 05-11]; before 05-20 both
    // claims are pending defects.
    let pending = s.report(at(5, 19, 0));
    assert_eq!(pending.order_defect_rate_mfn.atoz_claims, 2);
    let decided = s.report(at(5, 25, 0));
    assert_eq!(counts(&decided.order_defect_rate_mfn.rate), (1, 2, Bad));
}

#[test]
fn removed_and_struck_feedback_stop_counting_from_their_time() {
    let mut s = Seller::new();
    s.mfn("removed", at(5, 1, 10)).mfn("struck", at(5, 1, 10)).mfn("replaced", at(5, 1, 10)).mfn("kept", at(5, 1, 10));
    s.order("afn", at(5, 1, 10), FulfillmentChannel::Afn);
    s.feedback("removed", at(5, 2, 0), 1).update("removed", at(5, 10, 0), FeedbackAction::Removed);
    s.feedback("struck", at(5, 2, 0), 1).update("struck", at(5, 10, 0), FeedbackAction::StruckThrough);
    s.feedback("replaced", at(5, 2, 0), 1).feedback("replaced", at(5, 10, 0), 5);
    s.feedback("kept", at(5, 2, 0), 2);
    s.add(Fact::SellerFeedback(SellerFeedback {
        order_id: "afn".into(),
        left_at: at(5, 2, 0),
        stars: 1,
        comment: String::new(),
        fulfillment_related: true,
    }));
    // With the 14-day lag the 05-01 orders enter the ODR window on 05-15, after the
    // 05-10 changes, so read the counters of purchase day 05-01 directly.
    let counters = ContributionSet::new(contributions(&s.book, &Policy::amazon()));
    let may1 = DayRange { start: at(5, 1, 0).date_naive(), end: at(5, 1, 0).date_naive() };
    let negative = |channel, as_of| counters.total(M, Counter::NegativeFeedback(channel), may1, as_of);
    // 05-09: all four MFN feedbacks are negative and count; the AFN fulfilment one
    // is struck through automatically.
    assert_eq!(negative(FulfillmentChannel::Mfn, at(5, 9, 0)), 4);
    assert_eq!(negative(FulfillmentChannel::Afn, at(5, 9, 0)), 0);
    // From 05-10 only "kept" counts.
    assert_eq!(negative(FulfillmentChannel::Mfn, at(5, 10, 0)), 1);
    // The report as of 05-20 (window 03-22..05-06): 1 defective of 4 MFN orders.
    let report = s.report(at(5, 20, 0));
    assert_eq!(counts(&report.order_defect_rate_mfn.rate), (1, 4, Bad));
    assert_eq!(counts(&report.order_defect_rate_afn.rate), (0, 1, Good));
}

#[test]
fn cancel_rate_excludes_buyer_requests_from_the_numerator_only() {
    let mut s = Seller::new();
    for id in ["seller", "system", "buyer", "kept", "after-ship"] {
        s.mfn(id, at(6, 25, 10));
    }
    s.cancel("seller", at(6, 25, 12), CancellationInitiator::Seller);
    s.cancel("system", at(6, 28, 12), CancellationInitiator::SystemUnshipped);
    s.cancel("buyer", at(6, 25, 12), CancellationInitiator::Buyer);
    s.ship("after-ship", at(6, 26, 9), None, None).cancel("after-ship", at(6, 27, 9), CancellationInitiator::Seller);
    s.order("afn", at(6, 25, 10), FulfillmentChannel::Afn).cancel("afn", at(6, 25, 12), CancellationInitiator::Seller);
    // 7 days ending 06-30: 5 MFN orders; seller + system = 2 → 40%, BAD.
    assert_eq!(counts(&s.report(at(6, 30, 12)).pre_fulfillment_cancel_rate), (2, 5, Bad));
    // Before the system cancellation (06-28 12:00) only 1 of 5.
    assert_eq!(counts(&s.report(at(6, 27, 12)).pre_fulfillment_cancel_rate), (1, 5, Bad));
}

#[test]
fn late_shipment_counts_late_and_unconfirmed_orders_past_their_ship_date() {
    let mut s = Seller::new();
    // Ship-by = purchase + 2 days = 06-22 10:00 for all.
    for id in ["on-time", "late", "never", "cancelled"] {
        s.mfn(id, at(6, 20, 10));
    }
    s.ship("on-time", at(6, 22, 9), None, None).ship("late", at(6, 23, 9), None, None);
    s.cancel("cancelled", at(6, 21, 0), CancellationInitiator::Buyer);
    // Before the ship-by date nothing is late; 3 due (the cancelled one left).
    let before = s.report(at(6, 22, 9));
    assert_eq!(counts(&before.late_shipment_rate_10d), (0, 3, Good));
    // After it: "late" (confirmed after) and "never" (unconfirmed) are late: 2/3.
    let after = s.report(at(6, 24, 0));
    assert_eq!(counts(&after.late_shipment_rate_10d), (2, 3, Bad));
    assert_eq!(counts(&after.late_shipment_rate_30d), (2, 3, Bad));
    // The 10-day window by ship-by day: 06-22 leaves it on 07-02, the 30-day on 07-22.
    assert_eq!(counts(&s.report(at(7, 2, 0)).late_shipment_rate_10d), (0, 0, NoData));
    assert_eq!(counts(&s.report(at(7, 2, 0)).late_shipment_rate_30d), (2, 3, Bad));
}

#[test]
fn orders_of_unknown_shipping_are_in_no_shipping_metric_and_counted_as_lacking_data() {
    // Issue 14. Every order bought Saturday 06-20 10:00: ship-by 06-22 10:00,
    // promised by 06-25 10:00, 2 units.
    use FulfillmentChannel::{Afn, Mfn};
    let mut s = Seller::new();
    for id in ["known-late", "known-ok", "known-cancelled", "seller-cancelled"] {
        s.mfn(id, at(6, 20, 10));
    }
    for id in ["unknown-1", "unknown-2", "unknown-3", "unknown-shipped", "unknown-cancelled"] {
        s.unknown_shipping(id, at(6, 20, 10), Mfn);
    }
    s.unknown_shipping("afn-unknown", at(6, 20, 10), Afn);
    // known-ok: confirmed in time, scanned, delivered Wednesday 06-24 (3 business days).
    s.ship("known-ok", at(6, 22, 9), Some(at(6, 22, 18)), Some(at(6, 24, 12)));
    // unknown-shipped: a real confirmation arrives, late (06-26 > 06-22 10:00) and
    // delivered after the promise (06-27 > 06-25).
    s.ship("unknown-shipped", at(6, 26, 9), Some(at(6, 26, 12)), Some(at(6, 27, 12)));
    s.cancel("known-cancelled", at(6, 21, 0), CancellationInitiator::Unknown);
    s.cancel("unknown-cancelled", at(6, 21, 0), CancellationInitiator::Unknown);
    s.cancel("seller-cancelled", at(6, 21, 0), CancellationInitiator::Seller);

    // 06-25 12:00, LSR windows 06-16.. / 05-27..06-25 hold ship-by day 06-22. Due:
    // known-late and known-ok (the three cancelled ones left before shipment, the
    // four of unknown shipping are in neither side); late: known-late. 1/2.
    let before = s.report(at(6, 25, 12));
    assert_eq!(counts(&before.late_shipment_rate_10d), (1, 2, Bad));
    assert_eq!(before.late_shipment_rate_10d.orders_without_shipment_data, 4);
    assert_eq!(before.late_shipment_rate_30d.orders_without_shipment_data, 4);
    // Cancel rate, 7 days 06-19..06-25: 9 MFN orders (afn-unknown is AFN); the
    // seller's cancellation only: the two of unknown initiator are not the seller's.
    assert_eq!(counts(&before.pre_fulfillment_cancel_rate), (1, 9, Bad));

    // 06-30 12:00: unknown-shipped is known from its confirmation on, and late:
    // due known-late, known-ok, unknown-shipped = 3; late known-late and
    // unknown-shipped = 2. Three orders still lack shipment data.
    let r = s.report(at(6, 30, 12));
    assert_eq!(counts(&r.late_shipment_rate_10d), (2, 3, Bad));
    assert_eq!(counts(&r.late_shipment_rate_30d), (2, 3, Bad));
    assert_eq!(r.late_shipment_rate_10d.orders_without_shipment_data, 3);
    assert_eq!(r.late_shipment_rate_30d.orders_without_shipment_data, 3);
    // Valid tracking (confirmation days 06-01..06-30): known-ok and unknown-shipped,
    // both scanned: 2/2; the 3 lacking data are counted by their ship-by day.
    assert_eq!(counts(&r.valid_tracking_rate), (2, 2, Good));
    assert_eq!(r.valid_tracking_rate.orders_without_shipment_data, 3);
    // On time (promised day 06-25): known-ok (06-24) of the 2 tracked: 1/2.
    assert_eq!(counts(&r.on_time_delivery_rate), (1, 2, Bad));
    assert_eq!(r.on_time_delivery_rate.orders_without_shipment_data, 3);
    // Units: known-late, known-ok, unknown-shipped promised 2 each = 6; on time:
    // known-ok's 2.
    assert_eq!(counts(&r.unit_on_time_delivery_rate), (2, 6, Bad));
    assert_eq!(r.unit_on_time_delivery_rate.orders_without_shipment_data, 3);
    // The other rates never lack shipment data.
    assert_eq!(r.order_defect_rate_mfn.rate.orders_without_shipment_data, 0);
    assert_eq!(r.pre_fulfillment_cancel_rate.orders_without_shipment_data, 0);

    // Seller rating as of 07-23 12:00, past 07-22 10:00 (ship-by + 30 days):
    // known-late is unshipped 30 days late (−500); unknown-1..3 are not (100 each);
    // seller-cancelled −100; unknown-shipped shipped late (0); known-ok has every
    // bonus condition (110); the cancellations of unknown initiator and
    // afn-unknown score 100. Total 110 over 10 orders.
    let counters = ContributionSet::new(contributions(&s.book, &Policy::amazon()));
    let rating = sellerhealth_metrics::seller_rating::evaluate(&counters, &Policy::amazon(), M, at(7, 23, 12));
    use sellerhealth_metrics::ScoreClass as K;
    assert_eq!(
        rating.classes,
        vec![
            (K::SevereDefect, 1),
            (K::SellerCancelled, 1),
            (K::ServiceProblem, 1),
            (K::Perfect, 6),
            (K::PerfectWithBonus, 1)
        ]
    );
    assert_eq!(rating.raw_average, Some(11.0));
    // By then ship-by day 06-22 has left the 30-day late shipment window (on 07-22).
    assert_eq!(s.report(at(7, 23, 12)).late_shipment_rate_30d.orders_without_shipment_data, 0);
}

#[test]
fn tracking_and_delivery_need_a_scan_before_delivery() {
    let mut s = Seller::new();
    for id in ["good", "late", "scan-after", "no-scan"] {
        s.mfn(id, at(6, 1, 10));
    }
    // Promised by 06-06 10:00 (purchase + 5 days), judged by day.
    s.ship("good", at(6, 2, 9), Some(at(6, 2, 18)), Some(at(6, 6, 20)));
    s.ship("late", at(6, 2, 9), Some(at(6, 2, 18)), Some(at(6, 7, 9)));
    s.ship("scan-after", at(6, 2, 9), Some(at(6, 6, 12)), Some(at(6, 5, 9)));
    s.ship("no-scan", at(6, 2, 9), None, None);
    let r = s.report(at(6, 20, 0));
    // Valid tracking: 3 scanned of 4 confirmed = 75%, BAD (> 95% needed).
    assert_eq!(counts(&r.valid_tracking_rate), (3, 4, Bad));
    // On time: of the 3 tracked, "good" only ("late" delivered 06-07, "scan-after"
    // first scanned after its delivery): 1/3.
    assert_eq!(counts(&r.on_time_delivery_rate), (1, 3, Bad));
    // Units: 2 per order, on time by the same rule (SPEC §3 since 2026-11-28: a
    // unit is on time when its shipment is): good's 2 of 8 = 25%.
    assert_eq!(counts(&r.unit_on_time_delivery_rate), (2, 8, Bad));
}

#[test]
fn contact_response_counts_late_and_pending_messages() {
    let mut s = Seller::new();
    s.message("fast", at(6, 20, 0), Some(at(6, 20, 2))); // 2 h
    s.message("slow", at(6, 20, 0), Some(at(6, 21, 6))); // 30 h: late
    s.message("ignored", at(6, 20, 0), None); // late once 24 h pass
    s.message("new", at(6, 28, 20), None); // pending at 06-29 12:00
    s.message("old", at(4, 1, 0), Some(at(4, 1, 1))); // only in the 90-day window
    let r = s.report(at(6, 29, 12));
    let [d7, d30, d90] = [&r.contact_response_times[0], &r.contact_response_times[1], &r.contact_response_times[2]];
    // 7 days (06-23..06-29): only "new", pending: no data.
    assert_eq!((d7.on_time, d7.late, d7.pending, d7.status), (0, 0, 1, NoData));
    // 30 days (05-31..06-29): fast on time; slow and ignored late; new pending: 1/3.
    assert_eq!((d30.on_time, d30.late, d30.pending, d30.status), (1, 2, 1, Bad));
    // Average of the answered (2 h and 30 h) = 16 h; p90 of {2, 30} is 30.
    assert_eq!((d30.average_response_hours, d30.p90_response_hours), (Some(16.0), Some(30)));
    // 90 days (04-01..06-29) adds "old" (1 h): 2 of 4 on time.
    assert_eq!((d90.on_time, d90.late, d90.pending), (2, 2, 1));
    assert_eq!(d90.p90_response_hours, Some(30));
}

#[test]
fn return_refund_survey_and_invoice_rates() {
    let mut s = Seller::new();
    for id in ["r-neg", "r-late", "r-invalid", "r-ok", "B-fri-mon", "B-fri-tue", "B-missing"] {
        s.mfn(id, at(6, 1, 10));
    }
    let ret = |id: &str, responded: Option<DateTime<Utc>>, outcome, negative| {
        Fact::ReturnRequest(ReturnRequest {
            return_id: format!("ret-{id}").into(),
            order_id: id.into(),
            requested_at: at(6, 10, 0),
            responded_at: responded,
            outcome,
            negative_return_feedback: negative,
            handled_by_marketplace: false,
            response_time_unknown: false,
        })
    };
    s.add(ret("r-neg", Some(at(6, 10, 5)), ReturnOutcome::Authorized, true));
    s.add(ret("r-late", Some(at(6, 12, 1)), ReturnOutcome::Authorized, false)); // 49 h
    s.add(ret("r-invalid", Some(at(6, 10, 5)), ReturnOutcome::RejectedInvalid, true)); // counted once
    s.add(ret("r-ok", Some(at(6, 11, 23)), ReturnOutcome::RejectedValid, false)); // 47 h
    s.add(Fact::Refund(Refund {
        refund_id: "f1".into(),
        order_id: "r-neg".into(),
        refunded_at: at(6, 12, 0),
        amount: None,
    }));
    for (n, (id, satisfied)) in [("r-neg", false), ("r-neg", true), ("r-ok", false)].into_iter().enumerate() {
        s.add(Fact::CustomerServiceSurvey(CustomerServiceSurvey {
            survey_id: format!("sv{n}").into(),
            order_id: id.into(),
            responded_at: at(6, 15, n as u32),
            satisfied,
        }));
    }
    // Business orders shipped Friday 06-05: deadline is the start of Tuesday 06-09.
    s.ship("B-fri-mon", at(6, 5, 9), None, None).ship("B-fri-tue", at(6, 5, 9), None, None).ship(
        "B-missing",
        at(6, 5, 9),
        None,
        None,
    );
    s.add(Fact::Invoice(Invoice { order_id: "B-fri-mon".into(), uploaded_at: at(6, 8, 23) }));
    s.add(Fact::Invoice(Invoice { order_id: "B-fri-tue".into(), uploaded_at: at(6, 9, 1) }));
    let r = s.report(at(6, 20, 0));
    // Returns: neg, late, invalid dissatisfied; ok answered within 48 h: 3/4.
    assert_eq!(counts(&r.return_dissatisfaction_rate), (3, 4, Bad));
    // Refunds (30 days by purchase): 1 of 7 orders.
    assert_eq!(counts(&r.refund_rate), (1, 7, Bad));
    // Surveys: the latest vote per order: r-neg satisfied, r-ok not: 1/2.
    assert_eq!(counts(&r.customer_service_dissatisfaction_rate), (1, 2, Bad));
    // Invoices, 7 days by purchase day: as of 06-07 (06-01..06-07) the 3 business
    // orders are in and their deadline (06-09) has not passed: 0/3.
    assert_eq!(counts(&s.report(at(6, 7, 0)).invoice_defect_rate), (0, 3, Good));
    // The window has moved past 06-01 before the deadline, so read the counters of
    // purchase day 06-01 as of 06-20: Monday's upload is on time, Tuesday's late,
    // the missing one a defect.
    let counters = ContributionSet::new(contributions(&s.book, &Policy::amazon()));
    let june1 = DayRange { start: at(6, 1, 0).date_naive(), end: at(6, 1, 0).date_naive() };
    let total = |counter| counters.total(M, counter, june1, at(6, 20, 0));
    assert_eq!(
        (total(Counter::InvoiceDefects), total(Counter::LateInvoices), total(Counter::MissingInvoices)),
        (2, 1, 1)
    );
    assert_eq!(counters.total(M, Counter::InvoiceDefects, june1, at(6, 8, 23)), 0);
}

#[test]
fn account_health_rating_and_policy_compliance() {
    let mut s = Seller::new();
    // 450 AFN orders fulfilled in the window: 200 + 4 × 2 = 208.
    for n in 0..450 {
        s.order(&format!("o{n}"), at(3, 1, 10), FulfillmentChannel::Afn);
    }
    let violation = |id: &str, category, severity, occurred, resolved| {
        Fact::PolicyViolation(PolicyViolation {
            violation_id: id.into(),
            marketplace_id: M.into(),
            category,
            severity,
            occurred_at: occurred,
            resolved_at: resolved,
            description: String::new(),
        })
    };
    use PolicyCategory::{ListingPolicyViolations as Listing, ProductSafetyCustomerComplaints as Safety};
    use ViolationSeverity::{Critical, High, Low, Medium};
    s.add(violation("v1", Listing, Medium, at(4, 1, 0), Some(at(4, 2, 6)))); // resolved: 0, but rank 1
    s.add(violation("v2", Listing, Medium, at(4, 2, 0), None)); // rank 2: 50 × 1.5 = 75
    s.add(violation("v3", Listing, Low, at(4, 3, 0), None)); // rank 3: 20 × 2.25 = 45
    s.add(violation("v4", Safety, High, at(4, 4, 0), None)); // rank 1: 100
    let r = s.report(at(6, 1, 0));
    // 208 − 75 − 45 − 100 = −12 → 0: CRITICAL.
    assert_eq!(r.account_health_rating.score, 0);
    assert_eq!(r.account_status, AccountStatus::Critical);
    let listing = r.policy_compliance.categories.iter().find(|c| c.category == Listing).unwrap();
    assert_eq!((listing.count, listing.status), (3, Bad));
    // 04-02 12:00: v1 resolved, v2 open, v3 and v4 not yet: 208 − 75 = 133: AT_RISK (100–199).
    let earlier = s.report(at(4, 2, 12));
    assert_eq!(earlier.account_health_rating.score, 133);
    assert_eq!(earlier.account_status, AccountStatus::AtRisk);
    // 04-01 12:00: only v1, not yet resolved: 208 − 50 = 158.
    assert_eq!(s.report(at(4, 1, 12)).account_health_rating.score, 158);
    // 10-02: the window is 04-06..10-02; violations and the 03-01 orders have both
    // aged out: back to the base 200, HEALTHY.
    let later = s.report(at(10, 2, 0));
    assert_eq!(later.account_health_rating.score, 200);
    assert_eq!(later.account_status, AccountStatus::Healthy);
    // A critical violation alone: 200 − 200 = 0.
    s.add(violation("v5", Safety, Critical, at(10, 3, 0), None));
    assert_eq!(s.report(at(10, 4, 0)).account_health_rating.score, 0);
}

/// A shipment confirmation as the shipment confirmation file gives it, or as a
/// carrier integration does (`carrier_data_unknown` false).
fn confirm(s: &mut Seller, order: &str, tracking: &str, confirmed: DateTime<Utc>, units: u32, carrier_unknown: bool) {
    s.add(Fact::ShipmentConfirmed(ShipmentConfirmed {
        shipment_id: tracking.into(),
        order_id: order.into(),
        confirmed_at: confirmed,
        carrier: "UPS".into(),
        tracking_number: tracking.into(),
        units,
        carrier_data_unknown: carrier_unknown,
        whole_order: units == 0,
    }));
}

fn scan(s: &mut Seller, tracking: &str, first: DateTime<Utc>, delivered: DateTime<Utc>) {
    s.add(Fact::CarrierScan(CarrierScan {
        tracking_number: tracking.into(),
        first_scan_at: Some(first),
        delivered_at: Some(delivered),
    }));
}

#[test]
fn shipments_without_carrier_data_are_in_no_tracking_or_delivery_metric_until_scanned() {
    // Issue 14. Five MFN orders bought Monday 06-01 10:00: ship-by 06-03 10:00,
    // promised by 06-06, 2 units each.
    let mut s = Seller::new();
    for id in ["scanned", "file-1", "file-2", "whole", "split"] {
        s.mfn(id, at(6, 1, 10));
    }
    let end_of = |d: u32| at(6, d, 23) + Duration::seconds(59 * 60 + 59);
    confirm(&mut s, "scanned", "T-scanned", at(6, 2, 9), 2, false);
    scan(&mut s, "T-scanned", at(6, 2, 18), at(6, 4, 12));
    // From the confirmation file: no carrier data. file-2 was confirmed after its
    // ship-by time (late), and a scan of it arrives on 06-06 09:00 after all.
    confirm(&mut s, "file-1", "T-file-1", end_of(2), 2, true);
    confirm(&mut s, "file-2", "T-file-2", end_of(3), 2, true);
    scan(&mut s, "T-file-2", at(6, 6, 9), at(6, 6, 15));
    // Whole-order shipments (quantity left empty): all 2 units, and the 2 − 1
    // units not in split's earlier shipment.
    confirm(&mut s, "whole", "T-whole", at(6, 2, 12), 0, false);
    scan(&mut s, "T-whole", at(6, 2, 20), at(6, 5, 10));
    confirm(&mut s, "split", "T-split-a", at(6, 2, 8), 1, false);
    scan(&mut s, "T-split-a", at(6, 2, 12), at(6, 3, 15));
    confirm(&mut s, "split", "T-split-b", at(6, 2, 16), 0, false);
    scan(&mut s, "T-split-b", at(6, 2, 20), at(6, 8, 10));

    // 06-06 08:00, before file-2's scan. Valid tracking (confirmed 05-08..06-06):
    // scanned, whole, split-a, split-b, all scanned: 4/4; file-1 and file-2 lack
    // carrier data.
    let r = s.report(at(6, 6, 8));
    assert_eq!(counts(&r.valid_tracking_rate), (4, 4, Good));
    assert_eq!(r.valid_tracking_rate.shipments_without_carrier_data, 2);
    assert_eq!(r.valid_tracking_rate.orders_without_shipment_data, 0);
    // On time (promised 06-06): the same four tracked; delivered by the promise:
    // scanned, whole, split-a (split-b not yet): 3/4.
    assert_eq!(counts(&r.on_time_delivery_rate), (3, 4, Bad));
    assert_eq!(r.on_time_delivery_rate.shipments_without_carrier_data, 2);
    // Units: scanned, whole and split, 2 each (file-1 and file-2 left out); on
    // time 2 + 2 + split-a's 1: 5/6.
    assert_eq!(counts(&r.unit_on_time_delivery_rate), (5, 6, Bad));
    assert_eq!(r.unit_on_time_delivery_rate.shipments_without_carrier_data, 2);
    // The file's confirmation dates still judge shipping: file-2 is late.
    assert_eq!(counts(&r.late_shipment_rate_10d), (1, 5, Bad));
    assert_eq!(r.late_shipment_rate_10d.shipments_without_carrier_data, 0);

    // 06-10 12:00. file-2 is known from its scan on: valid tracking 5/5, file-1
    // still lacking. On time: all but split-b (delivered 06-08): 4/5. Units:
    // scanned 2, file-2 2, whole 2, split 1 (split-b's 1 unit came late) of 8.
    let r = s.report(at(6, 10, 12));
    assert_eq!(counts(&r.valid_tracking_rate), (5, 5, Good));
    assert_eq!(r.valid_tracking_rate.shipments_without_carrier_data, 1);
    assert_eq!(counts(&r.on_time_delivery_rate), (4, 5, Bad));
    assert_eq!(r.on_time_delivery_rate.shipments_without_carrier_data, 1);
    assert_eq!(counts(&r.unit_on_time_delivery_rate), (7, 8, Bad));
    assert_eq!(r.unit_on_time_delivery_rate.shipments_without_carrier_data, 1);
    assert_eq!(r.order_defect_rate_mfn.rate.shipments_without_carrier_data, 0);

    // A whole-order shipment carries no count of its own; a counted one needs one.
    let mut invalid = Seller::new();
    invalid.mfn("o", at(6, 1, 10));
    let shipment = |units, whole_order| Event {
        event_id: format!("ship-{units}-{whole_order}"),
        seller_id: "s".into(),
        fact: Fact::ShipmentConfirmed(ShipmentConfirmed {
            shipment_id: "S".into(),
            order_id: "o".into(),
            confirmed_at: at(6, 2, 0),
            carrier: "UPS".into(),
            tracking_number: "T".into(),
            units,
            carrier_data_unknown: true,
            whole_order,
        }),
    };
    let refused = |event: Event| invalid.book.clone().apply(&event, at(12, 31, 0), &Policy::amazon()).unwrap_err();
    assert_eq!(refused(shipment(0, false)).to_string(), "shipment_confirmed.units: must be at least 1");
    assert_eq!(
        refused(shipment(2, true)).to_string(),
        "shipment_confirmed.units: must be 0 for a whole_order shipment (uncounted)"
    );
}

fn return_request(order: &str, requested: DateTime<Utc>, outcome: ReturnOutcome) -> ReturnRequest {
    ReturnRequest {
        return_id: format!("R-{order}").into(),
        order_id: order.into(),
        requested_at: requested,
        responded_at: None,
        outcome,
        negative_return_feedback: false,
        handled_by_marketplace: false,
        response_time_unknown: false,
    }
}

#[test]
fn returns_handled_by_amazon_count_nowhere_and_answers_of_unknown_time_are_never_late() {
    // Issue 14. Every return requested Friday 06-05 10:00; the 48-hour answer
    // deadline is 06-07 10:00.
    use ReturnOutcome::{Authorized, RejectedInvalid};
    let mut s = Seller::new();
    s.order("fba", at(6, 1, 10), FulfillmentChannel::Afn);
    for id in ["late", "ok", "unknown-authorized", "unknown-invalid"] {
        s.mfn(id, at(6, 1, 10));
    }
    let requested = at(6, 5, 10);
    // The FBA customer returns report: Amazon handled it.
    s.add(Fact::ReturnRequest(ReturnRequest {
        responded_at: Some(requested),
        handled_by_marketplace: true,
        ..return_request("fba", requested, Authorized)
    }));
    s.add(Fact::ReturnRequest(ReturnRequest {
        responded_at: Some(at(6, 8, 10)),
        ..return_request("late", requested, Authorized)
    }));
    s.add(Fact::ReturnRequest(ReturnRequest {
        responded_at: Some(at(6, 6, 10)),
        ..return_request("ok", requested, Authorized)
    }));
    // The returns report: how each was settled, not when.
    for (id, outcome) in [("unknown-authorized", Authorized), ("unknown-invalid", RejectedInvalid)] {
        s.add(Fact::ReturnRequest(ReturnRequest {
            response_time_unknown: true,
            ..return_request(id, requested, outcome)
        }));
    }
    // 06-05 12:00: four requests (fba is Amazon's); the invalid rejection counts
    // from the request, nothing is late yet: 1/4.
    assert_eq!(counts(&s.report(at(6, 5, 12)).return_dissatisfaction_rate), (1, 4, Bad));
    // 06-10 12:00: "late" was answered after 72 hours; unknown-authorized is never
    // late: 2/4.
    assert_eq!(counts(&s.report(at(6, 10, 12)).return_dissatisfaction_rate), (2, 4, Bad));

    let refused = |request: ReturnRequest| {
        let event = Event { event_id: "x".into(), seller_id: "s".into(), fact: Fact::ReturnRequest(request) };
        s.book.clone().apply(&event, at(12, 31, 0), &Policy::amazon()).unwrap_err().to_string()
    };
    assert_eq!(
        refused(ReturnRequest { handled_by_marketplace: true, ..return_request("ok", requested, Authorized) }),
        "return_request.responded_at: required once the return is answered"
    );
    assert_eq!(
        refused(ReturnRequest {
            responded_at: Some(requested),
            handled_by_marketplace: true,
            ..return_request("ok", requested, Authorized)
        }),
        "return_request.handled_by_marketplace: order \"ok\" is seller-fulfilled: the seller answers its returns"
    );
    assert_eq!(
        refused(ReturnRequest {
            responded_at: Some(requested),
            response_time_unknown: true,
            ..return_request("ok", requested, Authorized)
        }),
        "return_request.responded_at: must be unset when response_time_unknown"
    );
    assert_eq!(
        refused(ReturnRequest {
            response_time_unknown: true,
            ..return_request("ok", requested, ReturnOutcome::Pending)
        }),
        "return_request.response_time_unknown: a pending return has no response whose time could be unknown"
    );
}

// Issue 20: each disagreement with SPEC, on its minimal case.

fn rating_classes(s: &Seller, as_of: DateTime<Utc>) -> Vec<(sellerhealth_metrics::ScoreClass, i64)> {
    let counters = ContributionSet::new(contributions(&s.book, &Policy::amazon()));
    sellerhealth_metrics::seller_rating::evaluate(&counters, &Policy::amazon(), M, as_of)
        .classes
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn a_reply_sent_as_a_later_version_of_the_message_counts_from_its_own_instant() {
    // Item 1. An MFN order bought Monday 03-02 10:00, shipped in time (no scans:
    // no bonus, 100); a message at 11:00, the same message_id again with its reply
    // at 12:00. As of 03-05 10:00 the message was answered within 24 h: 100.
    use sellerhealth_metrics::ScoreClass as K;
    let mut s = Seller::new();
    s.mfn("o", at(3, 2, 10)).ship("o", at(3, 3, 9), None, None);
    s.add(Fact::BuyerMessage(BuyerMessage {
        message_id: "m".into(),
        marketplace_id: M.into(),
        order_id: Some("o".into()),
        received_at: at(3, 2, 11),
        first_replied_at: None,
    }));
    s.add(Fact::BuyerMessage(BuyerMessage {
        message_id: "m".into(),
        marketplace_id: M.into(),
        order_id: Some("o".into()),
        received_at: at(3, 2, 11),
        first_replied_at: Some(at(3, 2, 12)),
    }));
    assert_eq!(rating_classes(&s, at(3, 5, 10)), [(K::Perfect, 1)]);
    // The contact response rate sees one message answered in an hour, not two.
    let report = s.report(at(3, 5, 10));
    let d7 = &report.contact_response_times[0];
    assert_eq!((d7.on_time, d7.late, d7.pending), (1, 0, 0));
}

#[test]
fn a_later_answer_never_rewrites_an_earlier_report() {
    // Item 2. A pending return with negative return feedback, requested 05-05
    // 10:00: as of 22:00 that day the RDR is 1/1. The answer arrives as a later
    // version (authorised at 05-06 06:00, no negative feedback): the report as of
    // 05-05 22:00 stays 1/1, and from 05-06 06:00 it is 0/1.
    let mut s = Seller::new();
    s.mfn("o", at(5, 1, 10));
    let request =
        ReturnRequest { negative_return_feedback: true, ..return_request("o", at(5, 5, 10), ReturnOutcome::Pending) };
    s.add(Fact::ReturnRequest(request.clone()));
    let before = counts(&s.report(at(5, 5, 22)).return_dissatisfaction_rate);
    assert_eq!(before, (1, 1, Bad));
    s.add(Fact::ReturnRequest(ReturnRequest {
        responded_at: Some(at(5, 6, 6)),
        outcome: ReturnOutcome::Authorized,
        negative_return_feedback: false,
        ..request
    }));
    assert_eq!(counts(&s.report(at(5, 5, 22)).return_dissatisfaction_rate), before);
    assert_eq!(counts(&s.report(at(5, 6, 12)).return_dissatisfaction_rate), (0, 1, Good));
}

#[test]
fn a_violation_resolved_later_is_one_violation_resolved_from_then_on() {
    // Item 3. A HIGH listing violation on 03-01, sent again with resolved_at 03-21.
    let mut s = Seller::new();
    let violation = PolicyViolation {
        violation_id: "v".into(),
        marketplace_id: M.into(),
        category: PolicyCategory::ListingPolicyViolations,
        severity: ViolationSeverity::High,
        occurred_at: at(3, 1, 0),
        resolved_at: None,
        description: String::new(),
    };
    s.add(Fact::PolicyViolation(violation.clone()));
    s.add(Fact::PolicyViolation(PolicyViolation { resolved_at: Some(at(3, 21, 0)), ..violation }));
    let count = |r: &AccountHealthReport| r.policy_compliance.categories.iter().map(|c| c.count).sum::<i64>();
    // 03-02: one violation, unresolved: 200 − 100.
    let next_day = s.report(at(3, 2, 0));
    assert_eq!((count(&next_day), next_day.account_health_rating.score), (1, 100));
    // 03-31: resolved on 03-21: it still counts in its category, deducts nothing.
    let later = s.report(at(3, 31, 0));
    assert_eq!((count(&later), later.account_health_rating.score), (1, 200));
}

#[test]
fn the_bonus_needs_every_unit_delivered_by_shipments_confirmed_by_then() {
    // Items 4 and 5. 2-unit MFN orders bought Monday 03-09 10:00, promised by 03-14.
    // "two": one unit shipped that day (scanned, delivered Tuesday 03-10), the
    // other confirmed Wednesday 03-11 09:00 (delivered Thursday 03-12).
    // "partly": one unit delivered 03-10, the other never shipped.
    use sellerhealth_metrics::ScoreClass as K;
    let mut s = Seller::new();
    let mut without_second = Seller::new();
    for seller in [&mut s, &mut without_second] {
        seller.mfn("two", at(3, 9, 10)).mfn("partly", at(3, 9, 10));
        confirm(seller, "two", "T-two-a", at(3, 9, 16), 1, false);
        scan(seller, "T-two-a", at(3, 9, 18), at(3, 10, 12));
        confirm(seller, "partly", "T-partly", at(3, 9, 16), 1, false);
        scan(seller, "T-partly", at(3, 9, 18), at(3, 10, 12));
    }
    confirm(&mut s, "two", "T-two-b", at(3, 11, 9), 1, false);
    scan(&mut s, "T-two-b", at(3, 11, 12), at(3, 12, 12));
    // 03-10 20:00: one unit of two delivered on each: 100 both, whether or not the
    // shipment confirmed on 03-11 is stored.
    assert_eq!(rating_classes(&s, at(3, 10, 20)), [(K::Perfect, 2)]);
    assert_eq!(rating_classes(&without_second, at(3, 10, 20)), [(K::Perfect, 2)]);
    // 03-13: "two" has both units delivered by Thursday, the third business day
    // after Monday, by the promise: 110; "partly" still 100.
    assert_eq!(rating_classes(&s, at(3, 13, 12)), [(K::Perfect, 1), (K::PerfectWithBonus, 1)]);
}

#[test]
fn a_unit_first_scanned_after_its_delivery_is_not_on_time() {
    // Item 6. Bought 03-01 10:00 (promised 03-06), 2 units in one shipment
    // confirmed 03-02, delivered 03-04 07:00, first scanned 08:00.
    let mut s = Seller::new();
    s.mfn("o", at(3, 1, 10)).ship("o", at(3, 2, 9), Some(at(3, 4, 8)), Some(at(3, 4, 7)));
    let r = s.report(at(3, 10, 12));
    assert_eq!(counts(&r.on_time_delivery_rate), (0, 1, Bad));
    assert_eq!(counts(&r.unit_on_time_delivery_rate), (0, 2, Bad));
}

#[test]
fn recovery_follows_facts_dated_beyond_one_window() {
    // Item 7. "late": bought 03-01 10:00, promised 03-06, delivered 03-08 (late).
    // "ahead": bought 03-09 10:00, promised 03-17 23:00, shipped and scanned
    // 03-09, not delivered.
    let mut s = Seller::new();
    s.mfn("late", at(3, 1, 10)).ship("late", at(3, 2, 9), Some(at(3, 2, 12)), Some(at(3, 8, 12)));
    s.add(Fact::Order(Order {
        order_id: "ahead".into(),
        marketplace_id: M.into(),
        purchased_at: at(3, 9, 10),
        fulfillment_channel: FulfillmentChannel::Mfn,
        latest_ship_at: at(3, 11, 10),
        promised_delivery_earliest_at: None,
        promised_delivery_latest_at: Some(at(3, 17, 23)),
        units: 1,
        business_order: false,
        shipping_unknown: false,
    }));
    confirm(&mut s, "ahead", "T-ahead", at(3, 9, 16), 1, false);
    s.add(Fact::CarrierScan(CarrierScan {
        tracking_number: "T-ahead".into(),
        first_scan_at: Some(at(3, 9, 18)),
        delivered_at: None,
    }));
    // 03-10 12:00, promised days 02-09..03-10: "late" only, 0/1. (0+n)/(1+n) > 0.97
    // needs n = 33. Ahead: "ahead" enters on 03-17 (0/2), "late" leaves on 04-05
    // (0/1), "ahead" leaves on 04-16, when the window (03-18..04-16) is empty.
    let otdr = s.report(at(3, 10, 12)).on_time_delivery_rate;
    assert_eq!(counts(&otdr), (0, 1, Bad));
    let recovery = otdr.recovery.unwrap();
    assert_eq!(recovery.additional_defect_free_orders, Some(33));
    assert_eq!(recovery.back_within_target_on, NaiveDate::from_ymd_opt(2026, 4, 16));
}

#[test]
fn a_warning_opens_on_the_first_day_of_its_bad_run_however_long_ago() {
    // Item 8. MFN orders bought 2025-12-01, 2026-01-25 and 2026-03-20, each with a
    // pending claim the next day. ODR window: purchase days d−73..d−14. The first
    // enters on 2025-12-15 (1/1) and leaves on 02-13, when the second (in since
    // 02-08) holds it; the second leaves on 04-09, the third is in from 04-03.
    let mut s = Seller::new();
    let bought = [(2025, 12, 1), (2026, 1, 25), (2026, 3, 20)];
    for (n, (y, m, d)) in bought.into_iter().enumerate() {
        let id = format!("o{n}");
        let purchased = Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap();
        s.mfn(&id, purchased).claim(&id, purchased + Duration::days(1), ClaimOutcome::Pending, None);
    }
    let r = s.report(at(5, 1, 12));
    let warning = r.warnings.iter().find(|w| w.metric == sellerhealth_metrics::Metric::OrderDefectRateMfn).unwrap();
    assert_eq!(warning.opened_on, NaiveDate::from_ymd_opt(2025, 12, 15).unwrap());
    assert_eq!(warning.deadline, NaiveDate::from_ymd_opt(2026, 2, 13).unwrap());
    // 2025-12-15 ..= 2026-05-01: 17 + 31 + 28 + 31 + 30 + 1 days.
    assert_eq!((warning.open, warning.past_deadline, warning.days_bad), (true, true, 138));
    assert_eq!(r.account_status, AccountStatus::Critical);
}

#[test]
fn feedback_may_be_left_any_time_on_the_ninetieth_day() {
    // Item 9. Bought 2026-01-01 20:00: 2026-04-01 is day 90.
    let policy = Policy::amazon();
    let mut book = SellerBook::new("s");
    let event = |id: &str, fact| Event { event_id: id.into(), seller_id: "s".into(), fact };
    book.apply(
        &event(
            "o",
            Fact::Order(Order {
                order_id: "o".into(),
                marketplace_id: M.into(),
                purchased_at: at(1, 1, 20),
                fulfillment_channel: FulfillmentChannel::Mfn,
                latest_ship_at: at(1, 3, 20),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: 1,
                business_order: false,
                shipping_unknown: false,
            }),
        ),
        at(12, 31, 0),
        &policy,
    )
    .unwrap();
    let feedback = |left_at| {
        Fact::SellerFeedback(SellerFeedback {
            order_id: "o".into(),
            left_at,
            stars: 5,
            comment: String::new(),
            fulfillment_related: false,
        })
    };
    let refused = book.clone().apply(&event("late", feedback(at(4, 2, 0))), at(12, 31, 0), &policy).unwrap_err();
    assert!(matches!(refused, DomainError::FailedPrecondition(_)), "{refused}");
    assert_eq!(book.apply(&event("f", feedback(at(4, 1, 21))), at(12, 31, 0), &policy), Ok(Applied::Accepted));
}
