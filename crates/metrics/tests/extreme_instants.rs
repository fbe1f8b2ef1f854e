//! Issue 13: no pure function of the metrics and ratings panics, whatever the
//! instants of the facts and of the evaluation, across chrono's whole range and
//! under any policy that passes validation. The facts bypass validation (as if
//! restored from a log written under other rules): the functions must be robust
//! on their own, not only behind the edge check.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::*;
use sellerhealth_metrics::{ContributionSet, contributions, evaluate_book, history, history_metrics, seller_rating};
use sellerhealth_ratings::{feedback, reviews};

const MIN: Instant = DateTime::<Utc>::MIN_UTC;
const MAX: Instant = DateTime::<Utc>::MAX_UTC;

/// An instant anywhere in chrono's range, often at or near either end.
fn instant() -> impl Strategy<Value = Instant> {
    let near = 1_000 * 86_400_i64;
    prop_oneof![
        Just(MIN),
        Just(MAX),
        (MIN.timestamp()..=MAX.timestamp(), 0..1_000_000_000_u32)
            .prop_map(|(seconds, nanos)| DateTime::from_timestamp(seconds, nanos).unwrap_or(MAX)),
        (0..near).prop_map(|s| MIN + Duration::seconds(s)),
        (0..near).prop_map(|s| MAX - Duration::seconds(s)),
        (1_577_836_800..1_893_456_000_i64).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or(MAX)),
    ]
}

fn rate(window_days: u32, lag_days: u32, target: RateTarget) -> RateTarget {
    RateTarget { window_days, lag_days, ..target }
}

/// A policy that passes validation, with windows, lags, deadlines and hours drawn
/// from their whole allowed ranges.
fn policy() -> impl Strategy<Value = Policy> {
    let windows = prop::collection::vec((1..=730_u32, 0..=365_u32), 11);
    let contact = prop::collection::vec(1..=730_u32, 1..=3);
    let hours = (1..=1_000_000_u32, 1..=3650_u32);
    let days = prop::array::uniform4(1..=3650_u32);
    (windows, contact, hours, days).prop_map(|(windows, contact_windows, (sla_hours, return_hours), days)| {
        let mut policy = Policy::amazon();
        let rates = [
            &mut policy.order_defect_rate,
            &mut policy.pre_fulfillment_cancel_rate,
            &mut policy.late_shipment_rate_10d,
            &mut policy.late_shipment_rate_30d,
            &mut policy.valid_tracking_rate,
            &mut policy.on_time_delivery_rate,
            &mut policy.unit_on_time_delivery_rate,
            &mut policy.return_dissatisfaction_rate,
            &mut policy.refund_rate,
            &mut policy.customer_service_dissatisfaction_rate,
            &mut policy.invoice_defect_rate,
        ];
        for (target, (window, lag)) in rates.into_iter().zip(windows) {
            *target = rate(window, lag, *target);
        }
        policy.contact_response.windows_days = contact_windows;
        policy.contact_response.sla_hours = sla_hours;
        policy.return_response_hours = return_hours;
        let [policy_window, warning_deadline, demotion, feedback_eligibility] = days;
        policy.policy_window_days = policy_window;
        policy.warning_deadline_days = warning_deadline;
        policy.demotion_after_days = demotion;
        policy.feedback_eligibility_days = feedback_eligibility;
        policy
    })
}

/// One order of each channel with every kind of fact about it, a message about
/// no order, a policy violation and a review, at the drawn instants.
fn book(t: [Instant; 24], stars: i32) -> SellerBook {
    let [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18, t19, t20, t21, t22, t23] =
        t;
    let mut facts = Vec::new();
    for (id, channel) in [("mfn", FulfillmentChannel::Mfn), ("afn", FulfillmentChannel::Afn)] {
        let order_id = || id.to_owned();
        let tracking = format!("T-{id}");
        facts.extend([
            Fact::Order(Order {
                order_id: order_id().into(),
                marketplace_id: "US".into(),
                purchased_at: t0,
                fulfillment_channel: channel,
                latest_ship_at: t1,
                promised_delivery_earliest_at: Some(t2),
                promised_delivery_latest_at: Some(t3),
                units: 2,
                business_order: false,
                shipping_unknown: false,
            }),
            Fact::ShipmentConfirmed(ShipmentConfirmed {
                shipment_id: format!("s-{id}").into(),
                order_id: order_id().into(),
                confirmed_at: t4,
                carrier: "UPS".into(),
                tracking_number: tracking.clone().into(),
                units: 2,
                carrier_data_unknown: false,
                whole_order: false,
            }),
            Fact::CarrierScan(CarrierScan {
                tracking_number: tracking.into(),
                first_scan_at: Some(t5),
                delivered_at: Some(t6),
            }),
            Fact::Cancellation(Cancellation {
                order_id: order_id().into(),
                cancelled_at: t7,
                initiator: CancellationInitiator::Seller,
                reason: String::new(),
            }),
            Fact::SellerFeedback(SellerFeedback {
                order_id: order_id().into(),
                left_at: t8,
                stars,
                comment: String::new(),
                fulfillment_related: true,
            }),
            Fact::FeedbackUpdate(FeedbackUpdate {
                order_id: order_id().into(),
                updated_at: t9,
                action: FeedbackAction::SellerResponse,
                response_text: "sorry".into(),
            }),
            Fact::FeedbackUpdate(FeedbackUpdate {
                order_id: order_id().into(),
                updated_at: t10,
                action: FeedbackAction::StruckThrough,
                response_text: String::new(),
            }),
            Fact::AtozClaim(AtozClaim {
                claim_id: format!("c-{id}").into(),
                order_id: order_id().into(),
                filed_at: t11,
                outcome: ClaimOutcome::Granted,
                decided_at: Some(t12),
            }),
            Fact::Chargeback(Chargeback {
                chargeback_id: format!("cb-{id}").into(),
                order_id: order_id().into(),
                received_at: t13,
                service_related: true,
            }),
            Fact::BuyerMessage(BuyerMessage {
                message_id: format!("m-{id}").into(),
                marketplace_id: "US".into(),
                order_id: Some(order_id().into()),
                received_at: t14,
                first_replied_at: Some(t15),
            }),
            Fact::ReturnRequest(ReturnRequest {
                return_id: format!("r-{id}").into(),
                order_id: order_id().into(),
                requested_at: t16,
                responded_at: Some(t17),
                outcome: ReturnOutcome::RejectedInvalid,
                negative_return_feedback: true,
                handled_by_marketplace: false,
                response_time_unknown: false,
            }),
            Fact::Refund(Refund {
                refund_id: format!("rf-{id}").into(),
                order_id: order_id().into(),
                refunded_at: t18,
                amount: None,
            }),
            Fact::Invoice(Invoice { order_id: order_id().into(), uploaded_at: t19 }),
            Fact::CustomerServiceSurvey(CustomerServiceSurvey {
                survey_id: format!("cs-{id}").into(),
                order_id: order_id().into(),
                responded_at: t20,
                satisfied: false,
            }),
        ]);
    }
    facts.extend([
        Fact::BuyerMessage(BuyerMessage {
            message_id: "m-none".into(),
            marketplace_id: "US".into(),
            order_id: None,
            received_at: t21,
            first_replied_at: None,
        }),
        Fact::PolicyViolation(PolicyViolation {
            violation_id: "v".into(),
            marketplace_id: "US".into(),
            category: PolicyCategory::ListingPolicyViolations,
            severity: ViolationSeverity::High,
            occurred_at: t22,
            resolved_at: Some(t23),
            description: String::new(),
        }),
        Fact::ProductReview(ProductReview {
            review_id: "pr".into(),
            marketplace_id: "US".into(),
            asin: "B000TEST".into(),
            reviewer_id: "buyer".into(),
            stars,
            reviewed_at: t0,
            verified_purchase: true,
            helpful_votes: 1,
            title: String::new(),
            body: String::new(),
        }),
        Fact::ProductReviewRemoval(ProductReviewRemoval { review_id: "pr".into(), removed_at: t23 }),
    ]);
    let mut book = SellerBook::new("s");
    for (n, fact) in facts.into_iter().enumerate() {
        book.restore(&format!("e{n}"), &fact);
    }
    book
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn nothing_panics_at_any_instant_chrono_can_represent(
        instants in prop::array::uniform24(instant()),
        stars in 0..=6_i32,
        as_of in instant(),
        now in instant(),
        history_days in -2..=6_i64,
        policy in policy(),
    ) {
        prop_assert_eq!(policy.validate(), Ok(()));
        let book = book(instants, stars);
        prop_assert_eq!(book.event_count(), 32);

        let report = evaluate_book(&book, &policy, "US", as_of);
        prop_assert_eq!(report.as_of, as_of);

        let source = ContributionSet::new(contributions(&book, &policy));
        let rating = seller_rating::evaluate(&source, &policy, "US", as_of);
        prop_assert!(rating.days.start <= rating.days.end);
        prop_assert!(rating.rating_hundredths.is_none_or(|h| (0..=10_000).contains(&h)));

        let from = day_of(as_of);
        let to = shift_days(from, history_days);
        for metric in history_metrics(&policy) {
            let days = history(&source, &policy, "US", metric, from, to, now).expect("a daily metric");
            let expected = if to < from { 0 } else { DayRange { start: from, end: to }.len_days() };
            prop_assert_eq!(days.len() as i64, expected);
        }

        let calendar = policy.calendar("US");
        let entries = feedback::entries(&book, calendar, "US", as_of);
        let summary = feedback::summary(&entries, calendar, as_of);
        prop_assert_eq!(summary.periods.len(), 4);
        let filter = feedback::FeedbackFilter { from: Some(from), to: Some(to), ..Default::default() };
        let _ = entries.iter().filter(|e| filter.admits(e)).count();

        let visible = reviews::visible(&book, "US", "B000TEST", as_of);
        let shown = reviews::summary(&visible, calendar, as_of);
        prop_assert_eq!(shown.count, visible.len() as i64);
        prop_assert_eq!(shown.histogram.len(), 5);
    }
}
