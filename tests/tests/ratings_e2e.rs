//! Seller rating, feedback and product reviews end to end on stored data, with
//! time travel; figures worked out by hand from SPEC §5 and §7.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Server, at, event, feedback, ts};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::event::Fact;
use sellerhealth_proto::v1::feedback_service_client::FeedbackServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use sellerhealth_proto::v1::review_service_client::ReviewServiceClient;
use tonic::transport::Channel;

const SELLER: &str = "seller-ratings";
const US: &str = "ATVPDKIKX0DER";

fn order(id: &str, channel: pb::FulfillmentChannel) -> pb::Event {
    // Monday 2026-05-04 10:00; ship by 05-06 10:00; promised by 05-08.
    let purchased = at(2026, 5, 4, 10);
    event(
        SELLER,
        format!("order:{id}"),
        Fact::Order(pb::Order {
            order_id: id.into(),
            marketplace_id: US.into(),
            purchased_at: Some(ts(purchased)),
            fulfillment_channel: channel as i32,
            latest_ship_at: Some(ts(purchased + Duration::days(2))),
            promised_delivery_latest_at: Some(ts(at(2026, 5, 8, 20))),
            units: 1,
            ..Default::default()
        }),
    )
}

fn shipped(
    id: &str,
    confirmed: DateTime<Utc>,
    scanned: Option<DateTime<Utc>>,
    delivered: Option<DateTime<Utc>>,
) -> Vec<pb::Event> {
    let tracking = format!("T-{id}");
    let mut events = vec![event(
        SELLER,
        format!("ship:{id}"),
        Fact::ShipmentConfirmed(pb::ShipmentConfirmed {
            shipment_id: format!("S-{id}"),
            order_id: id.into(),
            confirmed_at: Some(ts(confirmed)),
            carrier: "UPS".into(),
            tracking_number: tracking.clone(),
            units: 1,
            carrier_data_unknown: false,
            whole_order: false,
        }),
    )];
    if scanned.is_some() || delivered.is_some() {
        events.push(event(
            SELLER,
            format!("scan:{id}"),
            Fact::CarrierScan(pb::CarrierScan {
                tracking_number: tracking,
                first_scan_at: scanned.map(ts),
                delivered_at: delivered.map(ts),
            }),
        ));
    }
    events
}

fn update(order_id: &str, at: DateTime<Utc>, action: pb::FeedbackAction, text: &str) -> pb::Event {
    event(
        SELLER,
        format!("update:{order_id}:{}", at.timestamp()),
        Fact::FeedbackUpdate(pb::FeedbackUpdate {
            order_id: order_id.into(),
            updated_at: Some(ts(at)),
            action: action as i32,
            response_text: text.into(),
        }),
    )
}

fn review(id: &str, stars: i32, verified: bool, reviewed: DateTime<Utc>) -> pb::Event {
    event(
        SELLER,
        format!("review:{id}"),
        Fact::ProductReview(pb::ProductReview {
            review_id: id.into(),
            marketplace_id: US.into(),
            asin: "B0TEST".into(),
            reviewer_id: format!("buyer-{id}"),
            stars,
            reviewed_at: Some(ts(reviewed)),
            verified_purchase: verified,
            ..Default::default()
        }),
    )
}

/// Five MFN orders bought Monday 05-04 10:00, one problem each, and 75 AFN orders
/// with no problem (100 each; no tracking facts, so no bonus):
/// R1 shipped 05-05, scanned, delivered Thu 05-07 (3rd business day), by the
/// promise: 110. R2 the same but delivered Fri 05-08 (4th business day): four of
/// five bonus conditions, 100. R3 shipped 05-07, after its 05-06 ship-by (late,
/// 0) and 1★ feedback on 05-10: −500 once. R4 cancelled by the seller: −100.
/// R5 shipped on time, a message of 05-05 08:00 answered after 28 h: 0.
fn rating_scenario() -> Vec<pb::Event> {
    use pb::FulfillmentChannel::{Afn, Mfn};
    let mut events: Vec<pb::Event> = ["R1", "R2", "R3", "R4", "R5"].iter().map(|id| order(id, Mfn)).collect();
    events.extend((0..75).map(|n| order(&format!("A{n}"), Afn)));
    events.extend(shipped("R1", at(2026, 5, 5, 9), Some(at(2026, 5, 5, 18)), Some(at(2026, 5, 7, 15))));
    events.extend(shipped("R2", at(2026, 5, 5, 9), Some(at(2026, 5, 5, 18)), Some(at(2026, 5, 8, 15))));
    events.extend(shipped("R3", at(2026, 5, 7, 9), None, None));
    events.extend(shipped("R5", at(2026, 5, 5, 9), None, None));
    events.push(feedback(SELLER, "R3", at(2026, 5, 10, 12), 1, false));
    events.push(event(
        SELLER,
        "cancel:R4",
        Fact::Cancellation(pb::Cancellation {
            order_id: "R4".into(),
            cancelled_at: Some(ts(at(2026, 5, 4, 12))),
            initiator: pb::CancellationInitiator::Seller as i32,
            reason: "out of stock".into(),
        }),
    ));
    events.push(event(
        SELLER,
        "message:R5",
        Fact::BuyerMessage(pb::BuyerMessage {
            message_id: "M-R5".into(),
            marketplace_id: US.into(),
            order_id: "R5".into(),
            received_at: Some(ts(at(2026, 5, 5, 8))),
            first_replied_at: Some(ts(at(2026, 5, 6, 12))),
        }),
    ));
    events
}

async fn rating(channel: &Channel, as_of: DateTime<Utc>) -> pb::GetSellerRatingResponse {
    let mut client = AccountHealthServiceClient::new(channel.clone());
    let request =
        pb::GetSellerRatingRequest { seller_id: SELLER.into(), marketplace_id: US.into(), as_of: Some(ts(as_of)) };
    client.get_seller_rating(request).await.unwrap().into_inner()
}

fn classes(rating: &pb::GetSellerRatingResponse) -> Vec<(i32, i64)> {
    rating.score_classes.iter().map(|c| (c.score, c.orders)).collect()
}

async fn summary(channel: &Channel) -> pb::GetFeedbackSummaryResponse {
    let mut client = FeedbackServiceClient::new(channel.clone());
    let request = pb::GetFeedbackSummaryRequest {
        seller_id: SELLER.into(),
        marketplace_id: US.into(),
        as_of: Some(ts(at(2026, 6, 30, 12))),
    };
    client.get_feedback_summary(request).await.unwrap().into_inner()
}

fn period(summary: &pb::GetFeedbackSummaryResponse, period: pb::FeedbackPeriod) -> (i64, i64, i64, i32, i32, i32) {
    let p = summary.periods.iter().find(|p| p.period == period as i32).unwrap();
    (p.positive_count, p.neutral_count, p.negative_count, p.positive_percent, p.neutral_percent, p.negative_percent)
}

#[tokio::test]
async fn seller_rating_feedback_and_reviews_on_stored_data() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let channel = server.channel().await;
    let mut ingest = IngestServiceClient::new(channel.clone());
    ingest.ingest_events(pb::IngestEventsRequest { events: rating_scenario() }).await.unwrap();

    // 06-30: (110 + 100 − 500 − 100 + 0 + 75 × 100) / 80 = 7110 / 80 = 88.875 →
    // 88.88 (half away from zero): GOOD (84.50–96.49).
    let june = rating(&channel, at(2026, 6, 30, 12)).await;
    assert_eq!((june.rating, june.raw_average, june.order_count), (Some(88.88), Some(88.875), 80));
    assert_eq!(june.band, pb::SellerRatingBand::Good as i32);
    assert_eq!(classes(&june), vec![(-500, 1), (-100, 1), (0, 1), (100, 76), (110, 1)]);
    // 05-09 12:00, before R3's feedback: R3 is only late (0):
    // (110 + 100 + 0 − 100 + 0 + 7500) / 80 = 7610 / 80 = 95.125 → 95.13.
    let may9 = rating(&channel, at(2026, 5, 9, 12)).await;
    assert_eq!((may9.rating, may9.raw_average), (Some(95.13), Some(95.125)));
    assert_eq!(classes(&may9), vec![(-500, 0), (-100, 1), (0, 2), (100, 76), (110, 1)]);

    // Feedback, counted by received date as of 06-30 12:00 (30 days: 06-01..06-30,
    // 90 days: 04-02..06-30): 5★ on A0..A6 (06-10), 2★ on A9 (06-12), 3★ on A8
    // (05-20), R3's 1★ (05-10) with a response; A11's fulfilment 1★ on an AFN order
    // is struck through; A12's 2★ was removed.
    let mut events: Vec<pb::Event> =
        (0..7).map(|n| feedback(SELLER, &format!("A{n}"), at(2026, 6, 10, 9), 5, false)).collect();
    events.push(feedback(SELLER, "A9", at(2026, 6, 12, 9), 2, false));
    events.push(feedback(SELLER, "A8", at(2026, 5, 20, 9), 3, false));
    events.push(update("R3", at(2026, 5, 11, 9), pb::FeedbackAction::SellerResponse, "Sorry, refunded."));
    events.push(feedback(SELLER, "A11", at(2026, 6, 11, 9), 1, true));
    events.push(feedback(SELLER, "A12", at(2026, 6, 11, 9), 2, false));
    events.push(update("A12", at(2026, 6, 13, 9), pb::FeedbackAction::Removed, ""));
    ingest.ingest_events(pb::IngestEventsRequest { events }).await.unwrap();

    // 30 days: 7 positive, 1 negative: 87.5% → 88 and 12.5% → 13 (sum 101).
    // 90 and 365 days: + neutral A8 and negative R3: 7/10, 1/10, 2/10.
    // Exactly 10 in 12 months is not more than 10: buyers see the lifetime figure.
    let s = summary(&channel).await;
    assert_eq!(period(&s, pb::FeedbackPeriod::Days30), (7, 0, 1, 88, 0, 13));
    assert_eq!(period(&s, pb::FeedbackPeriod::Days90), (7, 1, 2, 70, 10, 20));
    assert_eq!(period(&s, pb::FeedbackPeriod::Days365), (7, 1, 2, 70, 10, 20));
    assert_eq!(period(&s, pb::FeedbackPeriod::Lifetime), (7, 1, 2, 70, 10, 20));
    assert_eq!(
        (s.displayed_period, s.displayed_count, s.displayed_positive_percent),
        (pb::FeedbackPeriod::Lifetime as i32, 10, 70)
    );

    // An 11th in 12 months: buyers now see the 12-month figure, 8/11 = 72.7% → 73.
    let eleventh = vec![feedback(SELLER, "A10", at(2026, 6, 20, 9), 5, false)];
    ingest.ingest_events(pb::IngestEventsRequest { events: eleventh }).await.unwrap();
    let s = summary(&channel).await;
    assert_eq!(period(&s, pb::FeedbackPeriod::Days30), (8, 0, 1, 89, 0, 11));
    assert_eq!(period(&s, pb::FeedbackPeriod::Days365), (8, 1, 2, 73, 9, 18));
    assert_eq!(
        (s.displayed_period, s.displayed_count, s.displayed_positive_percent),
        (pb::FeedbackPeriod::Days365 as i32, 11, 73)
    );

    // The list: 1–2 stars, newest first: A9 (06-12), A11 (06-11, struck), R3 (05-10).
    let mut feedback_client = FeedbackServiceClient::new(channel.clone());
    let list = |page_token: &str, has_response: Option<bool>| pb::ListFeedbackRequest {
        seller_id: SELLER.into(),
        marketplace_id: US.into(),
        as_of: Some(ts(at(2026, 6, 30, 12))),
        page_size: 2,
        page_token: page_token.into(),
        stars: vec![1, 2],
        has_response,
        ..Default::default()
    };
    let first = feedback_client.list_feedback(list("", None)).await.unwrap().into_inner();
    let ids: Vec<_> = first.feedback.iter().map(|f| f.order_id.as_str()).collect();
    assert_eq!(ids, ["A9", "A11"]);
    assert!(first.feedback[1].struck_through);
    assert_eq!(
        first.feedback[1].struck_through_note,
        "This item was fulfilled by Amazon, and we take responsibility for this fulfillment experience."
    );
    let second = feedback_client.list_feedback(list(&first.next_page_token, None)).await.unwrap().into_inner();
    assert_eq!(second.feedback.iter().map(|f| f.order_id.as_str()).collect::<Vec<_>>(), ["R3"]);
    assert_eq!(second.next_page_token, "");
    let answered = feedback_client.list_feedback(list("", Some(true))).await.unwrap().into_inner();
    assert_eq!(answered.feedback.len(), 1);
    assert_eq!(answered.feedback[0].seller_response, "Sorry, refunded.");
    let err = feedback_client.list_feedback(list("bogus", None)).await.unwrap_err();
    assert_eq!(err.message(), "page_token: not a token from a previous response");

    // Reviews never change account health: the report is the same before and after.
    let mut health = AccountHealthServiceClient::new(channel.clone());
    let report_request = pb::GetAccountHealthRequest {
        seller_id: SELLER.into(),
        marketplace_id: US.into(),
        as_of: Some(ts(at(2026, 6, 30, 12))),
    };
    let before = health.get_account_health(report_request.clone()).await.unwrap().into_inner();
    let reviews = vec![
        review("r1", 5, true, at(2026, 6, 30, 8)),
        review("r2", 4, false, at(2025, 6, 30, 8)),
        review("r3", 2, true, at(2026, 6, 30, 9)),
        review("r4", 3, true, at(2026, 6, 1, 8)),
        event(
            SELLER,
            "review-removal:r4",
            Fact::ProductReviewRemoval(pb::ProductReviewRemoval {
                review_id: "r4".into(),
                removed_at: Some(ts(at(2026, 6, 15, 8))),
            }),
        ),
    ];
    ingest.ingest_events(pb::IngestEventsRequest { events: reviews }).await.unwrap();
    let after = health.get_account_health(report_request).await.unwrap().into_inner();
    assert_eq!(before, after);

    // As of 06-30: r1 (5★, verified, today: weight 1), r2 (4★, unverified, 365 days
    // old: 0.5 × 0.5 = 0.25), r3 (2★, verified, today: 1); r4 was removed on 06-15.
    // Mean 11/3 = 3.667: "3.7 out of 5", 3.5 stars. Plain shares 1/3 each → 33%.
    // Weighted: (5 + 1 + 2) / 2.25 = 3.556; shares 1/2.25 = 44%, 0.25/2.25 = 11%.
    let mut review_client = ReviewServiceClient::new(channel.clone());
    let summary_at = |as_of| pb::GetReviewSummaryRequest {
        seller_id: SELLER.into(),
        marketplace_id: US.into(),
        asin: "B0TEST".into(),
        as_of: Some(ts(as_of)),
    };
    let r = review_client.get_review_summary(summary_at(at(2026, 6, 30, 12))).await.unwrap().into_inner();
    assert_eq!((r.review_count, r.display_mean, r.display_stars), (3, Some(3.7), Some(3.5)));
    assert!((r.mean_stars.unwrap() - 11.0 / 3.0).abs() < 1e-12);
    assert!((r.weighted_mean.unwrap() - 8.0 / 2.25).abs() < 1e-12);
    let plain: Vec<_> = r.histogram.iter().map(|s| (s.stars, s.count, s.percent)).collect();
    assert_eq!(plain, [(5, 1, 33), (4, 1, 33), (3, 0, 0), (2, 1, 33), (1, 0, 0)]);
    let weighted: Vec<_> = r.weighted_histogram.iter().map(|s| (s.stars, s.weight, s.percent)).collect();
    assert_eq!(weighted, [(5, 1.0, 44), (4, 0.25, 11), (3, 0.0, 0), (2, 1.0, 44), (1, 0.0, 0)]);
    // As of 06-10 r4 (3★) is still up and r1, r3 not written: r2 and r4, mean 3.5.
    let earlier = review_client.get_review_summary(summary_at(at(2026, 6, 10, 12))).await.unwrap().into_inner();
    assert_eq!((earlier.review_count, earlier.mean_stars, earlier.display_stars), (2, Some(3.5), Some(3.5)));
    let listed = review_client
        .list_reviews(pb::ListReviewsRequest {
            seller_id: SELLER.into(),
            marketplace_id: US.into(),
            asin: "B0TEST".into(),
            as_of: Some(ts(at(2026, 6, 30, 12))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<_> = listed.reviews.iter().map(|r| (r.review_id.as_str(), r.weight)).collect();
    assert_eq!(ids, [("r3", 1.0), ("r1", 1.0), ("r2", 0.25)]);
}

/// Issue 20: the seller rating, the feedback summary and a review summary over
/// facts sent inline answer exactly as the stored calls do on the same facts,
/// and take hypothetical facts (what-if) without storing anything.
#[tokio::test]
async fn what_if_calls_answer_as_the_stored_calls_would() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let channel = server.channel().await;
    let mut facts = rating_scenario();
    facts.push(review("r1", 5, true, at(2026, 6, 30, 8)));
    facts.push(review("r2", 4, false, at(2025, 6, 30, 8)));
    let mut ingest = IngestServiceClient::new(channel.clone());
    ingest.ingest_events(pb::IngestEventsRequest { events: facts.clone() }).await.unwrap();
    let as_of = at(2026, 6, 30, 12);
    let inline = |events: Vec<pb::Event>| {
        Some(pb::InlineFacts {
            seller_id: SELLER.into(),
            marketplace_id: US.into(),
            as_of: Some(ts(as_of)),
            // Inline facts may leave the seller implicit.
            events: events.into_iter().map(|e| pb::Event { seller_id: String::new(), ..e }).collect(),
        })
    };
    let mut health = AccountHealthServiceClient::new(channel.clone());
    let feedback_client = FeedbackServiceClient::new(channel.clone());
    let mut reviews = ReviewServiceClient::new(channel.clone());
    let what_if_rating = |events| {
        let mut health = health.clone();
        let request = pb::EvaluateSellerRatingRequest { facts: inline(events) };
        async move { health.evaluate_seller_rating(request).await.unwrap().into_inner().rating.unwrap() }
    };
    let what_if_feedback = |events| {
        let mut client = feedback_client.clone();
        let request = pb::EvaluateFeedbackSummaryRequest { facts: inline(events) };
        async move { client.evaluate_feedback_summary(request).await.unwrap().into_inner().summary.unwrap() }
    };

    // The same facts: the same answers as the stored calls.
    assert_eq!(what_if_rating(facts.clone()).await, rating(&channel, as_of).await);
    let stored_summary = summary(&channel).await;
    assert_eq!(what_if_feedback(facts.clone()).await, stored_summary);
    let review_request = pb::GetReviewSummaryRequest {
        seller_id: SELLER.into(),
        marketplace_id: US.into(),
        asin: "B0TEST".into(),
        as_of: Some(ts(as_of)),
    };
    let stored_reviews = reviews.get_review_summary(review_request).await.unwrap().into_inner();
    let evaluated = reviews
        .evaluate_review_summary(pb::EvaluateReviewSummaryRequest {
            facts: inline(facts.clone()),
            asin: "B0TEST".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .summary
        .unwrap();
    assert_eq!(evaluated, stored_reviews);
    assert_eq!(evaluated.review_count, 2);

    // What if R1 (110 today) got a 1-star feedback on 05-12? It turns −500:
    // (7110 − 110 − 500) / 80 = 81.25, FAIR; the 90-day feedback has 2 negatives.
    let mut hypothetical = facts.clone();
    hypothetical.push(feedback(SELLER, "R1", at(2026, 5, 12, 9), 1, false));
    let rating_if = what_if_rating(hypothetical.clone()).await;
    assert_eq!((rating_if.rating, rating_if.band), (Some(81.25), pb::SellerRatingBand::Fair as i32));
    assert_eq!(classes(&rating_if), vec![(-500, 2), (-100, 1), (0, 1), (100, 76), (110, 0)]);
    let feedback_if = what_if_feedback(hypothetical).await;
    assert_eq!(period(&stored_summary, pb::FeedbackPeriod::Days90), (0, 0, 1, 0, 0, 100));
    assert_eq!(period(&feedback_if, pb::FeedbackPeriod::Days90), (0, 0, 2, 0, 0, 100));
    // Nothing was stored: the stored rating is unchanged.
    assert_eq!(rating(&channel, as_of).await.rating, Some(88.88));

    // A bad inline fact refuses the call, naming it inside `facts`.
    let mut bad = facts;
    bad.push(feedback(SELLER, "nope", at(2026, 5, 12, 9), 1, false));
    let index = bad.len() - 1;
    let request = pb::EvaluateSellerRatingRequest { facts: inline(bad) };
    let error = health.evaluate_seller_rating(request).await.unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument);
    assert_eq!(error.message(), format!("facts.events[{index}].seller_feedback.order_id: unknown order \"nope\""));
    let error = health.evaluate_seller_rating(pb::EvaluateSellerRatingRequest { facts: None }).await.unwrap_err();
    assert_eq!((error.code(), error.message()), (tonic::Code::InvalidArgument, "facts.seller_id: must not be empty"));
}
