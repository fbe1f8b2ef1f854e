//! The facts other systems push in (SPEC §1), one struct per kind.
//!
//! Field names follow the gRPC contract (`proto/sellerhealth/v1/facts.proto`), so a
//! validation error names the same path a client sent.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An instant in UTC; every time the service receives is one.
pub type Instant = DateTime<Utc>;

/// An id a fact names (an order, a shipment, a tracking number, a
/// marketplace): up to 24 bytes held inline, in the fact and then in the
/// book's record, longer ones on the heap. A batch reads tens of millions of
/// ids: as `String`s each was an allocation, and each comparison of an id
/// in the book a read of memory elsewhere. Compares, hashes and serialises
/// as its text.
pub type Id = compact_str::CompactString;

/// One fact about one seller, under the client-chosen id that makes resending safe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// Client-chosen id, unique per seller: the idempotency key.
    pub event_id: String,
    /// The seller the fact belongs to.
    pub seller_id: String,
    /// What happened.
    pub fact: Fact,
}

/// Every kind of fact of SPEC §1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fact {
    /// An order was placed.
    Order(Order),
    /// The seller confirmed a shipment.
    ShipmentConfirmed(ShipmentConfirmed),
    /// The carrier scanned or delivered a tracked parcel.
    CarrierScan(CarrierScan),
    /// An order was cancelled.
    Cancellation(Cancellation),
    /// A buyer rated the seller's service on an order.
    SellerFeedback(SellerFeedback),
    /// A seller response, removal or strike-through of an order's feedback.
    FeedbackUpdate(FeedbackUpdate),
    /// An A-to-z guarantee claim was filed or decided.
    AtozClaim(AtozClaim),
    /// A chargeback was received.
    Chargeback(Chargeback),
    /// A buyer wrote to the seller.
    BuyerMessage(BuyerMessage),
    /// A buyer asked to return an order.
    ReturnRequest(ReturnRequest),
    /// Money went back to the buyer.
    Refund(Refund),
    /// A business order's invoice was uploaded.
    Invoice(Invoice),
    /// A buyer answered the customer service survey.
    CustomerServiceSurvey(CustomerServiceSurvey),
    /// The marketplace recorded a policy violation.
    PolicyViolation(PolicyViolation),
    /// A customer reviewed a product listing.
    ProductReview(ProductReview),
    /// A product review was taken down.
    ProductReviewRemoval(ProductReviewRemoval),
}

/// The kinds of fact, each named once: the name is the fact's field in the
/// contract's `Event.fact` oneof, prefixes error paths (`seller_feedback.stars`),
/// and is what the store's event log records in its `kind` column, so it never
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactKind {
    /// [`Fact::Order`]
    Order,
    /// [`Fact::ShipmentConfirmed`]
    ShipmentConfirmed,
    /// [`Fact::CarrierScan`]
    CarrierScan,
    /// [`Fact::Cancellation`]
    Cancellation,
    /// [`Fact::SellerFeedback`]
    SellerFeedback,
    /// [`Fact::FeedbackUpdate`]
    FeedbackUpdate,
    /// [`Fact::AtozClaim`]
    AtozClaim,
    /// [`Fact::Chargeback`]
    Chargeback,
    /// [`Fact::BuyerMessage`]
    BuyerMessage,
    /// [`Fact::ReturnRequest`]
    ReturnRequest,
    /// [`Fact::Refund`]
    Refund,
    /// [`Fact::Invoice`]
    Invoice,
    /// [`Fact::CustomerServiceSurvey`]
    CustomerServiceSurvey,
    /// [`Fact::PolicyViolation`]
    PolicyViolation,
    /// [`Fact::ProductReview`]
    ProductReview,
    /// [`Fact::ProductReviewRemoval`]
    ProductReviewRemoval,
}

impl FactKind {
    /// Every kind, in the order of [`Fact`]'s variants.
    pub const ALL: [FactKind; 16] = [
        FactKind::Order,
        FactKind::ShipmentConfirmed,
        FactKind::CarrierScan,
        FactKind::Cancellation,
        FactKind::SellerFeedback,
        FactKind::FeedbackUpdate,
        FactKind::AtozClaim,
        FactKind::Chargeback,
        FactKind::BuyerMessage,
        FactKind::ReturnRequest,
        FactKind::Refund,
        FactKind::Invoice,
        FactKind::CustomerServiceSurvey,
        FactKind::PolicyViolation,
        FactKind::ProductReview,
        FactKind::ProductReviewRemoval,
    ];

    /// The stable name: the contract's oneof field and the event log's `kind`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FactKind::Order => "order",
            FactKind::ShipmentConfirmed => "shipment_confirmed",
            FactKind::CarrierScan => "carrier_scan",
            FactKind::Cancellation => "cancellation",
            FactKind::SellerFeedback => "seller_feedback",
            FactKind::FeedbackUpdate => "feedback_update",
            FactKind::AtozClaim => "atoz_claim",
            FactKind::Chargeback => "chargeback",
            FactKind::BuyerMessage => "buyer_message",
            FactKind::ReturnRequest => "return_request",
            FactKind::Refund => "refund",
            FactKind::Invoice => "invoice",
            FactKind::CustomerServiceSurvey => "customer_service_survey",
            FactKind::PolicyViolation => "policy_violation",
            FactKind::ProductReview => "product_review",
            FactKind::ProductReviewRemoval => "product_review_removal",
        }
    }
}

impl AsRef<str> for FactKind {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for FactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Fact {
    /// The fact's kind ([`FactKind::as_str`] names it).
    pub fn kind(&self) -> FactKind {
        match self {
            Fact::Order(_) => FactKind::Order,
            Fact::ShipmentConfirmed(_) => FactKind::ShipmentConfirmed,
            Fact::CarrierScan(_) => FactKind::CarrierScan,
            Fact::Cancellation(_) => FactKind::Cancellation,
            Fact::SellerFeedback(_) => FactKind::SellerFeedback,
            Fact::FeedbackUpdate(_) => FactKind::FeedbackUpdate,
            Fact::AtozClaim(_) => FactKind::AtozClaim,
            Fact::Chargeback(_) => FactKind::Chargeback,
            Fact::BuyerMessage(_) => FactKind::BuyerMessage,
            Fact::ReturnRequest(_) => FactKind::ReturnRequest,
            Fact::Refund(_) => FactKind::Refund,
            Fact::Invoice(_) => FactKind::Invoice,
            Fact::CustomerServiceSurvey(_) => FactKind::CustomerServiceSurvey,
            Fact::PolicyViolation(_) => FactKind::PolicyViolation,
            Fact::ProductReview(_) => FactKind::ProductReview,
            Fact::ProductReviewRemoval(_) => FactKind::ProductReviewRemoval,
        }
    }

    /// The order the fact is about, when it is about one.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Fact::Order(f) => Some(&f.order_id),
            Fact::ShipmentConfirmed(f) => Some(&f.order_id),
            Fact::Cancellation(f) => Some(&f.order_id),
            Fact::SellerFeedback(f) => Some(&f.order_id),
            Fact::FeedbackUpdate(f) => Some(&f.order_id),
            Fact::AtozClaim(f) => Some(&f.order_id),
            Fact::Chargeback(f) => Some(&f.order_id),
            Fact::BuyerMessage(f) => f.order_id.as_deref(),
            Fact::ReturnRequest(f) => Some(&f.order_id),
            Fact::Refund(f) => Some(&f.order_id),
            Fact::Invoice(f) => Some(&f.order_id),
            Fact::CustomerServiceSurvey(f) => Some(&f.order_id),
            Fact::CarrierScan(_)
            | Fact::PolicyViolation(_)
            | Fact::ProductReview(_)
            | Fact::ProductReviewRemoval(_) => None,
        }
    }

    /// Every instant the fact carries, with its field name, for the range
    /// checks of SPEC §1. No allocation: every event folded asks twice.
    pub fn instants(&self) -> impl Iterator<Item = (&'static str, Instant)> + use<> {
        // No fact carries more than four instants.
        let mut out: [Option<(&'static str, Instant)>; 4] = [None; 4];
        let mut filled = out.iter_mut();
        let mut push = |name, at: Option<Instant>| {
            if let (Some(at), Some(slot)) = (at, filled.next()) {
                *slot = Some((name, at));
            }
        };
        match self {
            Fact::Order(f) => {
                push("purchased_at", Some(f.purchased_at));
                push("latest_ship_at", Some(f.latest_ship_at));
                push("promised_delivery_earliest_at", f.promised_delivery_earliest_at);
                push("promised_delivery_latest_at", f.promised_delivery_latest_at);
            }
            Fact::ShipmentConfirmed(f) => push("confirmed_at", Some(f.confirmed_at)),
            Fact::CarrierScan(f) => {
                push("first_scan_at", f.first_scan_at);
                push("delivered_at", f.delivered_at);
            }
            Fact::Cancellation(f) => push("cancelled_at", Some(f.cancelled_at)),
            Fact::SellerFeedback(f) => push("left_at", Some(f.left_at)),
            Fact::FeedbackUpdate(f) => push("updated_at", Some(f.updated_at)),
            Fact::AtozClaim(f) => {
                push("filed_at", Some(f.filed_at));
                push("decided_at", f.decided_at);
            }
            Fact::Chargeback(f) => push("received_at", Some(f.received_at)),
            Fact::BuyerMessage(f) => {
                push("received_at", Some(f.received_at));
                push("first_replied_at", f.first_replied_at);
            }
            Fact::ReturnRequest(f) => {
                push("requested_at", Some(f.requested_at));
                push("responded_at", f.responded_at);
            }
            Fact::Refund(f) => push("refunded_at", Some(f.refunded_at)),
            Fact::Invoice(f) => push("uploaded_at", Some(f.uploaded_at)),
            Fact::CustomerServiceSurvey(f) => push("responded_at", Some(f.responded_at)),
            Fact::PolicyViolation(f) => {
                push("occurred_at", Some(f.occurred_at));
                push("resolved_at", f.resolved_at);
            }
            Fact::ProductReview(f) => push("reviewed_at", Some(f.reviewed_at)),
            Fact::ProductReviewRemoval(f) => push("removed_at", Some(f.removed_at)),
        }
        out.into_iter().flatten()
    }
}

/// Who fulfils an order: the seller (MFN) or the marketplace (AFN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FulfillmentChannel {
    /// Merchant-fulfilled: the seller ships, and shipping metrics are the seller's.
    Mfn,
    /// Fulfilled by the marketplace: shipping is the marketplace's responsibility.
    Afn,
}

impl FulfillmentChannel {
    /// Both channels, in report order.
    pub const ALL: [FulfillmentChannel; 2] = [FulfillmentChannel::Mfn, FulfillmentChannel::Afn];
}

/// An order as placed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Order {
    /// The marketplace's order id.
    pub order_id: Id,
    /// Marketplace the order was placed on; reports are per marketplace.
    pub marketplace_id: Id,
    /// When the buyer placed the order; the ODR's attribution date.
    pub purchased_at: Instant,
    /// Who ships it.
    pub fulfillment_channel: FulfillmentChannel,
    /// Shipping confirmed after this is late.
    pub latest_ship_at: Instant,
    /// Start of the delivery promise shown to the buyer.
    pub promised_delivery_earliest_at: Option<Instant>,
    /// End of the delivery promise; on-time delivery is judged against it.
    pub promised_delivery_latest_at: Option<Instant>,
    /// Units ordered.
    pub units: u32,
    /// Business (B2B) orders need an invoice.
    pub business_order: bool,
    /// The order's source cannot tell when (or whether) it shipped (Seller
    /// Central's order report): the order counts in no shipping metric until a
    /// shipment confirmation for it arrives. `false` (the default, and every
    /// order stored before the field existed): shipment confirmations are
    /// expected, and an order without one is unshipped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shipping_unknown: bool,
}

/// A shipment confirmation for (part of) an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShipmentConfirmed {
    /// Seller's id for the shipment.
    pub shipment_id: Id,
    /// Order shipped.
    pub order_id: Id,
    /// When the seller confirmed it.
    pub confirmed_at: Instant,
    /// Carrier name.
    pub carrier: String,
    /// Tracking number; carrier scans refer to it.
    pub tracking_number: Id,
    /// Units in this shipment (0 with `whole_order`).
    pub units: u32,
    /// The source has no carrier data for the shipment (Seller Central's shipment
    /// confirmation file): until a carrier scan of its tracking number arrives it
    /// counts in neither valid tracking nor the delivery rates. `false` (the
    /// default, and every shipment stored before the field existed): scans are
    /// expected, and a shipment without one has invalid tracking.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carrier_data_unknown: bool,
    /// The shipment holds every unit of the order not in its shipments confirmed
    /// before it, uncounted by the source (the confirmation file's quantity left
    /// empty). Later shipments do not change it, so a fact dated after T never
    /// changes a figure as of T.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_order: bool,
}

/// What the carrier reported for a tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CarrierScan {
    /// Tracking number of a confirmed shipment.
    pub tracking_number: Id,
    /// First carrier scan: makes the tracking valid.
    pub first_scan_at: Option<Instant>,
    /// Delivery scan.
    pub delivered_at: Option<Instant>,
}

/// Who cancelled an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationInitiator {
    /// The seller cancelled: counts against the seller.
    Seller,
    /// The buyer asked for it: not counted against the seller.
    Buyer,
    /// Auto-cancelled because the shipment was never confirmed: the seller's fault.
    SystemUnshipped,
    /// The source cannot say who cancelled (Seller Central's order report): not
    /// counted against the seller, like a buyer's cancellation.
    Unknown,
}

/// An order cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cancellation {
    /// Order cancelled.
    pub order_id: Id,
    /// When.
    pub cancelled_at: Instant,
    /// Who asked for it.
    pub initiator: CancellationInitiator,
    /// Free-text reason.
    pub reason: String,
}

/// A buyer's rating of the seller's service on one order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SellerFeedback {
    /// Order rated.
    pub order_id: Id,
    /// When the buyer left it.
    pub left_at: Instant,
    /// 1 to 5; 1–2 negative, 3 neutral, 4–5 positive.
    pub stars: i32,
    /// Buyer's comment.
    pub comment: String,
    /// The comment is about fulfilment (struck automatically on AFN orders).
    pub fulfillment_related: bool,
}

/// What happened to an order's current feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FeedbackAction {
    /// The seller answered publicly.
    SellerResponse,
    /// Removed: counts nowhere from then on.
    Removed,
    /// Struck through: stays listed, counts neither in the rating nor in the ODR.
    StruckThrough,
}

/// A change to the feedback current on an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeedbackUpdate {
    /// Order whose feedback changes.
    pub order_id: Id,
    /// When the change happened.
    pub updated_at: Instant,
    /// What changed.
    pub action: FeedbackAction,
    /// The seller's response, for `SellerResponse`.
    pub response_text: String,
}

/// State of an A-to-z guarantee claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClaimOutcome {
    /// Filed, not decided.
    Pending,
    /// Decided for the buyer.
    Granted,
    /// Decided for the seller: the only outcome that is not a defect.
    Denied,
    /// Withdrawn by the buyer.
    Withdrawn,
}

/// An A-to-z guarantee claim, filed or decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AtozClaim {
    /// Claim id; later facts with the same id update its outcome.
    pub claim_id: Id,
    /// Order claimed on.
    pub order_id: Id,
    /// When the buyer filed it.
    pub filed_at: Instant,
    /// Outcome as of `decided_at` (or `Pending`).
    pub outcome: ClaimOutcome,
    /// When the outcome was reached; required unless pending.
    pub decided_at: Option<Instant>,
}

/// A chargeback on an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Chargeback {
    /// Chargeback id.
    pub chargeback_id: Id,
    /// Order charged back.
    pub order_id: Id,
    /// When it was received.
    pub received_at: Instant,
    /// Service chargebacks are defects; fraud ones are not.
    pub service_related: bool,
}

/// A buyer message and when the seller first answered it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BuyerMessage {
    /// Thread or message id.
    pub message_id: Id,
    /// Marketplace the message came through.
    pub marketplace_id: Id,
    /// Order the message is about, if any.
    pub order_id: Option<Id>,
    /// When the buyer sent it.
    pub received_at: Instant,
    /// When the seller first replied; `None` while unanswered.
    pub first_replied_at: Option<Instant>,
}

/// How the seller settled a return request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnOutcome {
    /// Not answered yet.
    Pending,
    /// Return authorised.
    Authorized,
    /// Rejected within policy.
    RejectedValid,
    /// Rejected against policy: a dissatisfaction.
    RejectedInvalid,
}

/// A buyer's return request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReturnRequest {
    /// Return id.
    pub return_id: Id,
    /// Order to return.
    pub order_id: Id,
    /// When the buyer asked.
    pub requested_at: Instant,
    /// When the seller answered.
    pub responded_at: Option<Instant>,
    /// The seller's answer.
    pub outcome: ReturnOutcome,
    /// The buyer left negative return feedback.
    pub negative_return_feedback: bool,
    /// The marketplace handled the return (Amazon, for the orders it fulfils):
    /// the seller had nothing to answer, so it is in no return dissatisfaction count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub handled_by_marketplace: bool,
    /// The source tells the outcome but not when it was reached (Seller Central's
    /// returns report): no `responded_at`, the outcome counts from the request,
    /// and the request is never judged late.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub response_time_unknown: bool,
}

/// An amount of money in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// ISO 4217 code.
    pub currency_code: String,
    /// Whole units.
    pub units: i64,
    /// Billionths of a unit, same sign as `units`.
    pub nanos: i32,
}

/// A refund or concession on an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Refund {
    /// Refund id.
    pub refund_id: Id,
    /// Order refunded.
    pub order_id: Id,
    /// When.
    pub refunded_at: Instant,
    /// How much.
    pub amount: Option<Money>,
}

/// A business order's invoice upload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Invoice {
    /// Business order invoiced.
    pub order_id: Id,
    /// When the invoice was uploaded.
    pub uploaded_at: Instant,
}

/// A buyer's answer to "were you satisfied with the seller's service?".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerServiceSurvey {
    /// Survey response id.
    pub survey_id: Id,
    /// Order the contact was about.
    pub order_id: Id,
    /// When the buyer answered; the latest answer per order counts.
    pub responded_at: Instant,
    /// Satisfied or not.
    pub satisfied: bool,
}

/// The eleven policy categories of the SP-API account health report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyCategory {
    /// listingPolicyViolations
    ListingPolicyViolations,
    /// productAuthenticityCustomerComplaints
    ProductAuthenticityCustomerComplaints,
    /// productConditionCustomerComplaints
    ProductConditionCustomerComplaints,
    /// productSafetyCustomerComplaints
    ProductSafetyCustomerComplaints,
    /// receivedIntellectualPropertyComplaints
    ReceivedIntellectualPropertyComplaints,
    /// restrictedProductPolicyViolations
    RestrictedProductPolicyViolations,
    /// suspectedIntellectualPropertyViolations
    SuspectedIntellectualPropertyViolations,
    /// foodAndProductSafetyIssues
    FoodAndProductSafetyIssues,
    /// customerProductReviewsPolicyViolations
    CustomerProductReviewsPolicyViolations,
    /// otherPolicyViolations
    OtherPolicyViolations,
    /// documentRequests
    DocumentRequests,
}

impl PolicyCategory {
    /// Every category, in the SP-API report's order (also their numbers in
    /// stored counters: append only).
    pub const ALL: [PolicyCategory; 11] = [
        PolicyCategory::ListingPolicyViolations,
        PolicyCategory::ProductAuthenticityCustomerComplaints,
        PolicyCategory::ProductConditionCustomerComplaints,
        PolicyCategory::ProductSafetyCustomerComplaints,
        PolicyCategory::ReceivedIntellectualPropertyComplaints,
        PolicyCategory::RestrictedProductPolicyViolations,
        PolicyCategory::SuspectedIntellectualPropertyViolations,
        PolicyCategory::FoodAndProductSafetyIssues,
        PolicyCategory::CustomerProductReviewsPolicyViolations,
        PolicyCategory::OtherPolicyViolations,
        PolicyCategory::DocumentRequests,
    ];
}

/// How serious a policy violation is; sets its AHR deduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ViolationSeverity {
    /// Minor.
    Low,
    /// Moderate.
    Medium,
    /// Serious.
    High,
    /// Account-threatening.
    Critical,
}

/// A policy violation recorded against the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PolicyViolation {
    /// Violation id.
    pub violation_id: Id,
    /// Marketplace it was recorded on.
    pub marketplace_id: Id,
    /// SP-API category.
    pub category: PolicyCategory,
    /// Severity.
    pub severity: ViolationSeverity,
    /// When it happened.
    pub occurred_at: Instant,
    /// When it was resolved, if it was.
    pub resolved_at: Option<Instant>,
    /// What it was about.
    pub description: String,
}

/// A customer's review of a product listing (never touches account health).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductReview {
    /// Review id.
    pub review_id: Id,
    /// Marketplace the listing is on.
    pub marketplace_id: Id,
    /// Listing reviewed.
    pub asin: Id,
    /// Reviewer's public id.
    pub reviewer_id: Id,
    /// 1 to 5.
    pub stars: i32,
    /// When.
    pub reviewed_at: Instant,
    /// The reviewer bought the item.
    pub verified_purchase: bool,
    /// "Helpful" votes.
    pub helpful_votes: u32,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

/// A product review taken down.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductReviewRemoval {
    /// Review removed.
    pub review_id: Id,
    /// When.
    pub removed_at: Instant,
}

#[cfg(test)]
mod tests {
    use super::FactKind;

    /// The event log stores these names: changing one would orphan stored events.
    #[test]
    fn fact_kinds_keep_their_stored_names() {
        let names: Vec<&str> = FactKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "order",
                "shipment_confirmed",
                "carrier_scan",
                "cancellation",
                "seller_feedback",
                "feedback_update",
                "atoz_claim",
                "chargeback",
                "buyer_message",
                "return_request",
                "refund",
                "invoice",
                "customer_service_survey",
                "policy_violation",
                "product_review",
                "product_review_removal",
            ]
        );
        assert_eq!(FactKind::AtozClaim.to_string(), "atoz_claim");
    }
}
