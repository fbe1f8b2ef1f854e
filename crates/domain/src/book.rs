//! A seller's facts folded by subject: the state metrics and ratings read.
//!
//! [`SellerBook::apply`] is where cross-fact rules of SPEC §1 live (unknown order,
//! a fact dated before its order, idempotent event ids, the feedback window); both
//! the stored path and the stateless evaluate path fold facts through it.

/// Maps keyed by the seller's ids: foldhash is several times faster than SipHash
/// on short keys and still seeded per process against crafted collisions.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A 128-bit fingerprint (XXH3) of `value`: the book keeps these of facts,
/// and of event ids ([`id_fingerprint`]), instead of copies, for
/// idempotence. Two different ids or facts share one with probability about
/// 2⁻¹²⁸ per pair; within one process only (`Hash` of strings and integers
/// is not a stable format), which is all a book needs.
///
/// `value`'s `Hash` writes its fields into a buffer of this thread, hashed in
/// one call: XXH3 fed a field at a time was 2% of a batch run.
fn fingerprint(value: &(impl Hash + ?Sized)) -> u128 {
    struct Bytes<'a>(&'a mut Vec<u8>);
    impl Hasher for Bytes<'_> {
        fn finish(&self) -> u64 {
            xxhash_rust::xxh3::xxh3_64(self.0)
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let digest = |buffer: &mut Vec<u8>| {
        buffer.clear();
        value.hash(&mut Bytes(buffer));
        xxhash_rust::xxh3::xxh3_128(buffer)
    };
    // The buffer is only borrowed here, and `hash` cannot reach this again; a
    // fresh one all the same if it were.
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => digest(&mut buffer),
        Err(_) => digest(&mut Vec::new()),
    })
}

/// [`fingerprint`] of an event id: its bytes hashed as they are, with no
/// buffer to fill (every event of a batch asks it).
fn id_fingerprint(event_id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(event_id.as_bytes())
}

mod order_ids;

/// Which of `keys` occur more than once, by position: for a caller that
/// sees every event of a book before folding one, with a key per event
/// that is equal for equal event ids (64 bits of a hash of the id), to fold
/// the events whose keys are unique with [`SellerBook::fold_distinct`] and
/// the others by id. Two ids that share a key only by chance are both
/// reported repeated: folded by id, as they would be anyway.
///
/// ```
/// assert_eq!(sellerhealth_domain::book::repeated_keys([7, 3, 7, 9]), [true, false, true, false]);
/// ```
///
/// The keys alone are sorted (with their positions they were twice the
/// bytes), dealt into buckets by their top bits and each bucket sorted
/// alone; the positions of the few repeated keys are then found in one
/// more pass.
pub fn repeated_keys(keys: impl IntoIterator<Item = u64>) -> Vec<bool> {
    let keys: Vec<u64> = keys.into_iter().collect();
    let sorted = sorted_by_top_bits(&keys);
    // From the sorted keys: sorted too, for the search below.
    let twice: Vec<u64> =
        sorted.chunk_by(|a, b| a == b).filter(|run| run.len() > 1).filter_map(|run| run.first().copied()).collect();
    if twice.is_empty() {
        return vec![false; keys.len()];
    }
    keys.iter().map(|key| twice.binary_search(key).is_ok()).collect()
}

/// About how many keys [`sorted_by_top_bits`] puts in one bucket: a few
/// keys are sorted by insertion, with no pass of partitioning (buckets of
/// about 1,024 took a third as many instructions off as buckets of 8).
const KEYS_PER_BUCKET: usize = 8;

/// `keys` sorted: dealt into buckets by their top bits, in one pass that
/// counts them and one that places them, and each bucket sorted alone. The
/// keys of a batch are hashes, spread evenly over the buckets. Sorted
/// whole, they took about 180 instructions a key, 3% of a batch run's; so,
/// about 80. Keys that share their top bits all land in one bucket, sorted
/// as they were before.
fn sorted_by_top_bits(keys: &[u64]) -> Vec<u64> {
    // Enough buckets for about KEYS_PER_BUCKET keys each, at most 2¹⁶.
    let bits = (keys.len() / KEYS_PER_BUCKET).checked_ilog2().unwrap_or(0).min(16);
    let bucket = |key: u64| key.checked_shr(64u32.saturating_sub(bits)).unwrap_or(0) as usize;
    let mut starts = vec![0usize; (1usize << bits).saturating_add(1)];
    for &key in keys {
        if let Some(count) = starts.get_mut(bucket(key).saturating_add(1)) {
            *count = count.saturating_add(1);
        }
    }
    let mut total = 0usize;
    for start in &mut starts {
        total = total.saturating_add(*start);
        *start = total;
    }
    // Each bucket's next free place, from its start on.
    let mut next = starts.clone();
    let mut sorted = vec![0u64; keys.len()];
    for &key in keys {
        if let Some(at) = next.get_mut(bucket(key))
            && let Some(slot) = sorted.get_mut(*at)
        {
            *slot = key;
            *at = at.saturating_add(1);
        }
    }
    for bounds in starts.windows(2) {
        if let [from, to] = *bounds
            && let Some(keys) = sorted.get_mut(from..to)
        {
            keys.sort_unstable();
        }
    }
    sorted
}

use std::hash::{Hash, Hasher};

use thin_vec::ThinVec;

use crate::error::DomainError;
use crate::facts::{
    AtozClaim, BuyerMessage, Cancellation, CarrierScan, Chargeback, CustomerServiceSurvey, Event, Fact, FeedbackUpdate,
    FulfillmentChannel, Id, Instant, Invoice, Order, PolicyViolation, ProductReview, ProductReviewRemoval, Refund,
    ReturnRequest, SellerFeedback, ShipmentConfirmed,
};
use crate::policy::Policy;
use crate::time::shift_days;
use crate::validate;
use order_ids::OrderIds;

/// How much a [`SellerBook`] will hold, so it is allocated once
/// ([`SellerBook::with_capacity`]); a book grows past it as it must.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookCapacity {
    /// Orders.
    pub orders: usize,
    /// Shipment confirmations.
    pub shipments: usize,
    /// Events folded by id ([`SellerBook::fold`], [`SellerBook::apply`]):
    /// the table of event ids holds those.
    pub events: usize,
}

/// Everything known about one order, facts in arrival order.
///
/// The lists are `ThinVec`s: one pointer each while empty, as most are (a
/// `Vec` is three), 208 bytes less per order than thirteen `Vec`s.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    /// The order itself.
    pub order: Order,
    /// Shipment confirmations.
    pub shipments: ThinVec<ShipmentConfirmed>,
    /// Carrier scans of this order's tracking numbers.
    pub scans: ThinVec<CarrierScan>,
    /// Cancellations.
    pub cancellations: ThinVec<Cancellation>,
    /// Feedback left (a newer one replaces an older one from its time on).
    pub feedback: ThinVec<SellerFeedback>,
    /// Responses, removals and strike-throughs of the order's feedback.
    pub feedback_updates: ThinVec<FeedbackUpdate>,
    /// A-to-z claim facts (several per claim id as outcomes change).
    pub claims: ThinVec<AtozClaim>,
    /// Chargebacks.
    pub chargebacks: ThinVec<Chargeback>,
    /// Return requests.
    pub returns: ThinVec<ReturnRequest>,
    /// Refunds and concessions.
    pub refunds: ThinVec<Refund>,
    /// Invoice uploads.
    pub invoices: ThinVec<Invoice>,
    /// Customer service survey answers.
    pub surveys: ThinVec<CustomerServiceSurvey>,
    /// Buyer messages about the order (a later one with the same id replaces it).
    pub messages: ThinVec<BuyerMessage>,
}

impl OrderRecord {
    fn new(order: Order) -> Self {
        OrderRecord {
            order,
            shipments: ThinVec::new(),
            scans: ThinVec::new(),
            cancellations: ThinVec::new(),
            feedback: ThinVec::new(),
            feedback_updates: ThinVec::new(),
            claims: ThinVec::new(),
            chargebacks: ThinVec::new(),
            returns: ThinVec::new(),
            refunds: ThinVec::new(),
            invoices: ThinVec::new(),
            surveys: ThinVec::new(),
            messages: ThinVec::new(),
        }
    }
}

/// Adds a fact to one of an order's lists, making room for it alone when
/// the list is empty: most lists of an order hold one fact at most, and a
/// `ThinVec`'s first push makes room for four (a shipment's list took 512
/// bytes for 120 of fact; the lists were most of a batch's page faults).
fn push_fact<T>(list: &mut ThinVec<T>, fact: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(fact);
}

/// A product review and its removal, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRecord {
    /// The review.
    pub review: ProductReview,
    /// When it was taken down.
    pub removal: Option<ProductReviewRemoval>,
}

/// The unit facts fold into and contributions are computed for: an order with
/// everything about it (its buyer messages included), a message about no order,
/// a policy violation, or a product review.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// An order and all its facts.
    Order(Id),
    /// A buyer message about no order.
    Message(Id),
    /// A policy violation.
    Violation(Id),
    /// A product review.
    Review(Id),
}

impl Subject {
    /// Stable storage key, e.g. `order:111-0000001`.
    pub fn key(&self) -> String {
        match self {
            Subject::Order(id) => format!("order:{id}"),
            Subject::Message(id) => format!("message:{id}"),
            Subject::Violation(id) => format!("violation:{id}"),
            Subject::Review(id) => format!("review:{id}"),
        }
    }
}

/// What applying one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The fact is new and now part of the book.
    Accepted,
    /// The same fact under the same event id was already there: nothing changed.
    Duplicate,
}

/// What [`SellerBook::admit`] found out that folding a fact in needs.
struct Admitted {
    /// The fingerprint of the event id.
    id: u128,
    /// The fingerprint of the fact.
    fact: u128,
    /// The index of the order the fact is about, if any (a scan: the order
    /// shipped under its tracking number, found once).
    order: Option<u32>,
}

/// All facts of one seller, folded by subject.
#[derive(Debug, Clone, Default)]
pub struct SellerBook {
    seller_id: String,
    /// Whether `seller_id` passes [`validate::id`]: an event of this
    /// seller needs its id checked no more.
    seller_id_valid: bool,
    /// The last clock facts were folded by and the latest instant it allows.
    clock: Option<(Instant, Instant)>,
    /// Fingerprint of each event id → fingerprint of its fact.
    events: HashMap<u128, u128>,
    /// How many events were folded in without their ids ([`SellerBook::fold_distinct`]).
    distinct_events: usize,
    /// Orders in arrival order; `ids` finds one by id or tracking number.
    orders: Vec<OrderRecord>,
    ids: OrderIds,
    /// Claim id → the index of its order in `orders`.
    order_by_claim: HashMap<Id, u32>,
    messages: Vec<BuyerMessage>,
    violations: Vec<PolicyViolation>,
    reviews: HashMap<Id, ReviewRecord>,
}

impl SellerBook {
    /// An empty book for `seller_id`.
    pub fn new(seller_id: impl Into<String>) -> Self {
        Self::with_capacity(seller_id, BookCapacity::default())
    }

    /// An empty book for `seller_id` with room for what `capacity` counts: a
    /// batch that knows what it will fold moves no order record and rehashes
    /// no map while folding (growing the table of tracking numbers read every
    /// one of them again from its record: 1.6% of a 10,000,000-order batch).
    pub fn with_capacity(seller_id: impl Into<String>, capacity: BookCapacity) -> Self {
        let BookCapacity { orders, shipments, events } = capacity;
        let seller_id = seller_id.into();
        SellerBook {
            seller_id_valid: validate::id("seller_id", &seller_id).is_ok(),
            seller_id,
            events: HashMap::with_capacity_and_hasher(events, Default::default()),
            orders: Vec::with_capacity(orders),
            ids: OrderIds::with_capacity(orders, shipments),
            ..SellerBook::default()
        }
    }

    /// The seller this book belongs to.
    pub fn seller_id(&self) -> &str {
        &self.seller_id
    }

    /// Number of distinct events folded in.
    pub fn event_count(&self) -> usize {
        self.events.len().saturating_add(self.distinct_events)
    }

    /// Orders in arrival order.
    pub fn orders(&self) -> &[OrderRecord] {
        &self.orders
    }

    /// One order by id.
    pub fn order(&self, order_id: &str) -> Option<&OrderRecord> {
        self.ids.order(&self.orders, order_id).and_then(|i| self.orders.get(i as usize))
    }

    fn order_mut(&mut self, order_id: &str) -> Option<&mut OrderRecord> {
        self.ids.order(&self.orders, order_id).and_then(|i| self.orders.get_mut(i as usize))
    }

    /// The order a tracking number or claim id was recorded for.
    fn order_at(&mut self, index: Option<u32>) -> Option<&mut OrderRecord> {
        index.and_then(|i| self.orders.get_mut(i as usize))
    }

    /// The position of the order whose shipment has `tracking_number`.
    fn order_shipped(&self, tracking_number: &str) -> Option<u32> {
        self.ids.order_shipped(&self.orders, tracking_number)
    }

    /// Buyer messages about no order, in arrival order (those about an order
    /// are in its [`OrderRecord`]).
    pub fn messages_without_order(&self) -> &[BuyerMessage] {
        &self.messages
    }

    /// Policy violations, in arrival order.
    pub fn violations(&self) -> &[PolicyViolation] {
        &self.violations
    }

    /// Product reviews by id.
    pub fn reviews(&self) -> impl Iterator<Item = &ReviewRecord> {
        self.reviews.values()
    }

    /// Whether an event id is already folded in (an event folded in by
    /// [`SellerBook::fold_distinct`] has no id the book knows).
    pub fn knows_event(&self, event_id: &str) -> bool {
        self.events.contains_key(&id_fingerprint(event_id))
    }

    /// Whether a tracking number belongs to a known shipment.
    pub fn knows_tracking(&self, tracking_number: &str) -> bool {
        self.order_shipped(tracking_number).is_some()
    }

    /// The subject a fact belongs to; `None` for a carrier scan of an unknown
    /// tracking number.
    pub fn subject_of(&self, fact: &Fact) -> Option<Subject> {
        match fact {
            Fact::CarrierScan(c) => self
                .order_shipped(&c.tracking_number)
                .and_then(|i| self.orders.get(i as usize))
                .map(|record| Subject::Order(record.order.order_id.clone())),
            Fact::BuyerMessage(m) => Some(match &m.order_id {
                Some(order_id) => Subject::Order(order_id.clone()),
                None => Subject::Message(m.message_id.clone()),
            }),
            Fact::PolicyViolation(v) => Some(Subject::Violation(v.violation_id.clone())),
            Fact::ProductReview(r) => Some(Subject::Review(r.review_id.clone())),
            Fact::ProductReviewRemoval(r) => Some(Subject::Review(r.review_id.clone())),
            other => other.order_id().map(|id| Subject::Order(Id::from(id))),
        }
    }

    /// Every subject in the book.
    pub fn subjects(&self) -> Vec<Subject> {
        let mut out: Vec<Subject> = self.orders.iter().map(|r| Subject::Order(r.order.order_id.clone())).collect();
        out.extend(self.messages.iter().map(|m| Subject::Message(m.message_id.clone())));
        out.extend(self.violations.iter().map(|v| Subject::Violation(v.violation_id.clone())));
        out.extend(self.reviews.keys().map(|id| Subject::Review(id.clone())));
        out.sort();
        out.dedup();
        out
    }

    /// Validates `event` against SPEC §1 and this book, and folds it in.
    ///
    /// On error nothing changed. `now` bounds how far in the future a time may be.
    pub fn apply(&mut self, event: &Event, now: Instant, policy: &Policy) -> Result<Applied, DomainError> {
        let latest_allowed = self.latest_allowed(now);
        let Some(admitted) = self.admit(&event.event_id, &event.seller_id, &event.fact, latest_allowed, policy)? else {
            return Ok(Applied::Duplicate);
        };
        self.insert(event.fact.clone(), admitted);
        Ok(Applied::Accepted)
    }

    /// [`SellerBook::apply`] of the event `event_id` of `seller_id` stating
    /// `fact`, given apart: the fact moves into the book instead of being
    /// copied, and the ids are only read (batch evaluation folds millions of
    /// rows, and building an `Event` of each allocated both ids).
    pub fn fold(
        &mut self,
        event_id: &str,
        seller_id: &str,
        fact: Fact,
        now: Instant,
        policy: &Policy,
    ) -> Result<Applied, DomainError> {
        let latest_allowed = self.latest_allowed(now);
        let Some(admitted) = self.admit(event_id, seller_id, &fact, latest_allowed, policy)? else {
            return Ok(Applied::Duplicate);
        };
        self.insert(fact, admitted);
        Ok(Applied::Accepted)
    }

    /// [`SellerBook::fold`] of an event whose id the caller knows no other
    /// event of this book has or will have: the book neither looks the id up
    /// nor remembers it, which is all idempotence asks of an id seen once.
    /// Batch evaluation sees every row of a seller before it folds one, and
    /// folds the rows whose ids are unique so (a lookup in a table of every
    /// event id, and the fingerprint of each fact, were a tenth of a run).
    /// The checks are [`SellerBook::fold`]'s but the event id's own.
    pub fn fold_distinct(
        &mut self,
        seller_id: &str,
        fact: Fact,
        now: Instant,
        policy: &Policy,
    ) -> Result<(), DomainError> {
        let latest_allowed = self.latest_allowed(now);
        self.check_alone(seller_id, &fact, latest_allowed)?;
        let kind = fact.kind();
        let order = self.check_in_context(&fact, policy).map_err(|e| e.within(kind))?;
        self.insert_fact(fact, order);
        self.distinct_events = self.distinct_events.saturating_add(1);
        Ok(())
    }

    /// [`validate::latest_allowed`] of `now`, worked out again only when
    /// `now` changes (a batch folds every event with one clock).
    fn latest_allowed(&mut self, now: Instant) -> Instant {
        match self.clock {
            Some((known, latest)) if known == now => latest,
            _ => {
                let latest = validate::latest_allowed(now);
                self.clock = Some((now, latest));
                latest
            }
        }
    }

    /// Judges the event `event_id` of `seller_id` stating `fact`: `None` for
    /// a duplicate, or what folding it in needs when it may be. The checks
    /// of [`validate::check_event`], the seller id checked only when it is
    /// not the book's own (checked once).
    fn admit(
        &self,
        event_id: &str,
        seller_id: &str,
        fact: &Fact,
        latest_allowed: Instant,
        policy: &Policy,
    ) -> Result<Option<Admitted>, DomainError> {
        validate::id("event_id", event_id)?;
        self.check_alone(seller_id, fact, latest_allowed)?;
        let (id, fact_id) = (id_fingerprint(event_id), fingerprint(fact));
        if let Some(known) = self.events.get(&id) {
            return if *known == fact_id {
                Ok(None)
            } else {
                Err(DomainError::AlreadyExists(format!("event_id {event_id:?} was already used for a different fact")))
            };
        }
        let kind = fact.kind();
        let order = self.check_in_context(fact, policy).map_err(|e| e.within(kind))?;
        Ok(Some(Admitted { id, fact: fact_id, order }))
    }

    /// The checks of an event of `seller_id` stating `fact` that need no
    /// other fact: the seller id (checked only when it is not the book's
    /// own, checked once), the fact's fields, and that the seller is the book's.
    fn check_alone(&self, seller_id: &str, fact: &Fact, latest_allowed: Instant) -> Result<(), DomainError> {
        let own = seller_id == self.seller_id;
        if !(self.seller_id_valid && own) {
            validate::id("seller_id", seller_id)?;
        }
        validate::check_fact(fact, latest_allowed)?;
        if !own {
            return Err(DomainError::invalid(
                "seller_id",
                format!("event is for seller {:?}, not {:?}", seller_id, self.seller_id),
            ));
        }
        Ok(())
    }

    /// Folds in an event that was validated when it was first accepted (replay from
    /// the event log), without checking it again: a policy change must not make
    /// stored history unreadable.
    pub fn restore(&mut self, event_id: &str, fact: &Fact) {
        let order = match fact {
            Fact::CarrierScan(c) => self.order_shipped(&c.tracking_number),
            fact => fact.order_id().and_then(|id| self.ids.order(&self.orders, id)),
        };
        self.insert(fact.clone(), Admitted { id: id_fingerprint(event_id), fact: fingerprint(fact), order });
    }

    /// Takes back the most recent [`Applied::Accepted`] application of `event`, so a
    /// refused batch leaves the book as it was. Events must be undone newest first.
    pub fn undo(&mut self, event: &Event) {
        if self.events.remove(&id_fingerprint(&event.event_id)).is_none() {
            return;
        }
        match &event.fact {
            Fact::Order(o) => {
                let Some(index) = self.ids.remove_order(&self.orders, &o.order_id) else { return };
                if index as usize == self.orders.len().saturating_sub(1) {
                    // Undone newest first, an order taken back is the last one added.
                    self.orders.pop();
                } else if (index as usize) < self.orders.len() {
                    // Out of order: remove it, and renumber the orders after it.
                    self.orders.remove(index as usize);
                    self.ids.close_gap(index);
                    for i in self.order_by_claim.values_mut().filter(|i| **i > index) {
                        *i = i.saturating_sub(1);
                    }
                }
            }
            Fact::ShipmentConfirmed(s) => {
                // Forgotten while its record still holds it: the table reads its number there.
                self.ids.remove_shipment(&self.orders, &s.tracking_number);
                if let Some(rec) = self.order_mut(&s.order_id) {
                    rec.shipments.pop();
                }
            }
            Fact::CarrierScan(c) => {
                let index = self.order_shipped(&c.tracking_number);
                if let Some(rec) = self.order_at(index) {
                    rec.scans.pop();
                }
            }
            Fact::BuyerMessage(m) => match &m.order_id {
                Some(order_id) => drop(self.order_mut(order_id).and_then(|rec| rec.messages.pop())),
                None => drop(self.messages.pop()),
            },
            Fact::PolicyViolation(_) => {
                self.violations.pop();
            }
            Fact::ProductReview(r) => {
                self.reviews.remove(&r.review_id);
            }
            Fact::ProductReviewRemoval(r) => {
                if let Some(rec) = self.reviews.get_mut(&r.review_id) {
                    rec.removal = None;
                }
            }
            fact => {
                let Some(rec) = fact.order_id().and_then(|id| self.order_mut(id)) else { return };
                match fact {
                    Fact::Cancellation(_) => drop(rec.cancellations.pop()),
                    Fact::SellerFeedback(_) => drop(rec.feedback.pop()),
                    Fact::FeedbackUpdate(_) => drop(rec.feedback_updates.pop()),
                    Fact::AtozClaim(c) => {
                        rec.claims.pop();
                        if !rec.claims.iter().any(|k| k.claim_id == c.claim_id) {
                            self.order_by_claim.remove(&c.claim_id);
                        }
                    }
                    Fact::Chargeback(_) => drop(rec.chargebacks.pop()),
                    Fact::ReturnRequest(_) => drop(rec.returns.pop()),
                    Fact::Refund(_) => drop(rec.refunds.pop()),
                    Fact::Invoice(_) => drop(rec.invoices.pop()),
                    Fact::CustomerServiceSurvey(_) => drop(rec.surveys.pop()),
                    _ => {}
                }
            }
        }
    }

    /// Checks `fact` against the book (SPEC §1); the index of the order it
    /// is about, if it names one (a scan: the order its tracking number was
    /// shipped with).
    fn check_in_context(&self, fact: &Fact, policy: &Policy) -> Result<Option<u32>, DomainError> {
        match fact {
            Fact::Order(o) => {
                if self.ids.has_order(&self.orders, &o.order_id) {
                    return Err(DomainError::AlreadyExists(format!(
                        "order {:?} was already recorded under another event id",
                        o.order_id
                    )));
                }
                return Ok(None);
            }
            Fact::CarrierScan(c) => {
                let Some(index) = self.order_shipped(&c.tracking_number) else {
                    return Err(DomainError::invalid(
                        "tracking_number",
                        format!("no confirmed shipment has tracking number {:?}", c.tracking_number),
                    ));
                };
                return Ok(Some(index));
            }
            Fact::ProductReviewRemoval(r) => {
                let Some(rec) = self.reviews.get(&r.review_id) else {
                    return Err(DomainError::invalid("review_id", format!("unknown review {:?}", r.review_id)));
                };
                if r.removed_at < rec.review.reviewed_at {
                    return Err(DomainError::invalid("removed_at", "is before the review was written"));
                }
                if rec.removal.is_some() {
                    return Err(DomainError::FailedPrecondition(format!(
                        "review {:?} was already removed",
                        r.review_id
                    )));
                }
                return Ok(None);
            }
            Fact::ProductReview(r) => {
                if self.reviews.contains_key(&r.review_id) {
                    return Err(DomainError::AlreadyExists(format!(
                        "review {:?} was already recorded under another event id",
                        r.review_id
                    )));
                }
                return Ok(None);
            }
            Fact::ShipmentConfirmed(s) if self.ids.has_tracking(&self.orders, &s.tracking_number) => {
                return Err(DomainError::AlreadyExists(format!(
                    "tracking number {:?} was already confirmed under another event id",
                    s.tracking_number
                )));
            }
            _ => {}
        }
        let Some(order_id) = fact.order_id() else { return Ok(None) };
        let index = self.ids.order(&self.orders, order_id);
        let Some(record) = index.and_then(|i| self.orders.get(i as usize)) else {
            return Err(DomainError::invalid("order_id", format!("unknown order {order_id:?}")));
        };
        let purchased_at = record.order.purchased_at;
        for (field, at) in fact.instants() {
            if at < purchased_at {
                return Err(DomainError::invalid(
                    field,
                    format!("{at} is before the order was purchased ({purchased_at})"),
                ));
            }
        }
        match fact {
            Fact::SellerFeedback(f) => {
                // By calendar day of the marketplace (SPEC §7): any time on day 90
                // after the purchase day is in time.
                let calendar = policy.calendar(&record.order.marketplace_id);
                let last_day = shift_days(calendar.day_of(purchased_at), i64::from(policy.feedback_eligibility_days));
                if calendar.day_of(f.left_at) > last_day {
                    return Err(DomainError::FailedPrecondition(format!(
                        "feedback on order {order_id:?} left {} more than {} days after purchase",
                        f.left_at, policy.feedback_eligibility_days
                    )));
                }
            }
            Fact::FeedbackUpdate(u) if !record.feedback.iter().any(|f| f.left_at <= u.updated_at) => {
                return Err(DomainError::FailedPrecondition(format!(
                    "order {order_id:?} has no feedback at {} to update",
                    u.updated_at
                )));
            }
            Fact::AtozClaim(c)
                if self
                    .order_by_claim
                    .get(&c.claim_id)
                    .and_then(|&i| self.orders.get(i as usize))
                    .is_some_and(|known| known.order.order_id != c.order_id) =>
            {
                return Err(DomainError::invalid("claim_id", "already used for another order"));
            }
            Fact::ReturnRequest(r)
                if r.handled_by_marketplace && record.order.fulfillment_channel != FulfillmentChannel::Afn =>
            {
                return Err(DomainError::invalid(
                    "handled_by_marketplace",
                    format!("order {order_id:?} is seller-fulfilled: the seller answers its returns"),
                ));
            }
            _ => {}
        }
        Ok(index)
    }

    /// Folds in an admitted fact, recording its fingerprints.
    fn insert(&mut self, fact: Fact, Admitted { id, fact: fingerprint, order }: Admitted) {
        self.events.insert(id, fingerprint);
        self.insert_fact(fact, order);
    }

    /// Folds in a checked fact about the order at `order`, if any.
    fn insert_fact(&mut self, fact: Fact, order: Option<u32>) {
        match fact {
            Fact::Order(o) => {
                // Orders are counted in u32: a book holds far fewer than 4 billion.
                let index = u32::try_from(self.orders.len()).unwrap_or(u32::MAX);
                self.orders.push(OrderRecord::new(o));
                self.ids.add_order(&self.orders, index);
            }
            Fact::CarrierScan(c) => {
                if let Some(rec) = self.order_at(order) {
                    push_fact(&mut rec.scans, c);
                }
            }
            Fact::BuyerMessage(m) if m.order_id.is_none() => self.messages.push(m),
            Fact::PolicyViolation(v) => self.violations.push(v),
            Fact::ProductReview(r) => {
                self.reviews.insert(r.review_id.clone(), ReviewRecord { review: r, removal: None });
            }
            Fact::ProductReviewRemoval(r) => {
                if let Some(rec) = self.reviews.get_mut(&r.review_id) {
                    rec.removal = Some(r);
                }
            }
            fact => {
                let Some(index) = order else { return };
                let Some(rec) = self.orders.get_mut(index as usize) else { return };
                match fact {
                    Fact::ShipmentConfirmed(s) => {
                        push_fact(&mut rec.shipments, s);
                        self.ids.add_shipment(&self.orders, index);
                    }
                    Fact::Cancellation(c) => push_fact(&mut rec.cancellations, c),
                    Fact::SellerFeedback(f) => push_fact(&mut rec.feedback, f),
                    Fact::FeedbackUpdate(u) => push_fact(&mut rec.feedback_updates, u),
                    Fact::AtozClaim(c) => {
                        self.order_by_claim.insert(c.claim_id.clone(), index);
                        push_fact(&mut rec.claims, c);
                    }
                    Fact::Chargeback(c) => push_fact(&mut rec.chargebacks, c),
                    Fact::ReturnRequest(r) => push_fact(&mut rec.returns, r),
                    Fact::Refund(r) => push_fact(&mut rec.refunds, r),
                    Fact::Invoice(i) => push_fact(&mut rec.invoices, i),
                    Fact::CustomerServiceSurvey(s) => push_fact(&mut rec.surveys, s),
                    Fact::BuyerMessage(m) => push_fact(&mut rec.messages, m),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::facts::{CarrierScan, Order};

    fn event(id: &str, fact: Fact) -> Event {
        Event { event_id: id.into(), seller_id: "s".into(), fact }
    }

    fn order(id: &str) -> Fact {
        let purchased_at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
        Fact::Order(Order {
            order_id: id.into(),
            marketplace_id: "US".into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: purchased_at + Duration::days(1),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        })
    }

    fn shipment(order_id: &str, tracking: &str) -> Fact {
        Fact::ShipmentConfirmed(ShipmentConfirmed {
            order_id: order_id.into(),
            shipment_id: format!("sh-{tracking}").into(),
            confirmed_at: Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap(),
            carrier: "UPS".into(),
            tracking_number: tracking.into(),
            units: 1,
            whole_order: false,
            carrier_data_unknown: false,
        })
    }

    /// Applies order `o{n}` (event `o{n}`) and, if `shipped`, its shipment
    /// with tracking number `T{n}` (event `s{n}`), each accepted.
    fn place_and_ship(book: &mut SellerBook, n: usize, now: Instant, policy: &Policy, shipped: bool) {
        let order_id = format!("o{n}");
        assert_eq!(book.apply(&event(&order_id, order(&order_id)), now, policy), Ok(Applied::Accepted));
        if shipped {
            let fact = shipment(&order_id, &format!("T{n}"));
            assert_eq!(book.apply(&event(&format!("s{n}"), fact), now, policy), Ok(Applied::Accepted));
        }
    }

    fn scan(tracking: &str) -> Fact {
        Fact::CarrierScan(CarrierScan {
            tracking_number: tracking.into(),
            first_scan_at: Some(Utc.with_ymd_and_hms(2026, 5, 1, 18, 0, 0).unwrap()),
            delivered_at: None,
        })
    }

    #[test]
    fn keys_dealt_into_buckets_sort_and_repeat_as_keys_sorted_whole() {
        // Hashes spread over every bucket, a seventh of them twice; keys
        // all of one bucket (small numbers), or of three, many repeated;
        // and sizes around a bucket's.
        let spread = |n: u64| -> Vec<u64> {
            (0..n).map(|i| xxhash_rust::xxh3::xxh3_64(&(i % (n - n / 7).max(1)).to_le_bytes())).collect()
        };
        let cases: Vec<Vec<u64>> = vec![
            Vec::new(),
            vec![u64::MAX, 0, u64::MAX],
            spread(1_023),
            spread(5_000),
            spread(300_000),
            (0..70_000).map(|i| i % 60_000).collect(),
            (0..4_096).map(|i| ((i % 3) << 62) | (i % 1_000)).collect(),
        ];
        for keys in cases {
            let mut whole = keys.clone();
            whole.sort_unstable();
            assert_eq!(sorted_by_top_bits(&keys), whole, "{} keys", keys.len());
            let count = |key: &u64| keys.iter().filter(|k| *k == key).count();
            if keys.len() <= 5_000 {
                let by_definition: Vec<bool> = keys.iter().map(|key| count(key) > 1).collect();
                assert_eq!(repeated_keys(keys.iter().copied()), by_definition);
            }
        }
        // A large set: a seventh of its keys repeated, each twice.
        let keys = spread(300_000);
        let repeated = repeated_keys(keys.iter().copied());
        assert_eq!(repeated.iter().filter(|r| **r).count(), 2 * (300_000 - (300_000 - 300_000 / 7)));
        assert_eq!(repeated.first(), Some(&true));
        assert_eq!(repeated.get(300_000 / 2), Some(&false));
    }

    #[test]
    fn an_undone_event_leaves_the_book_as_it_was_in_either_order() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let events = [event("e1", order("o1")), event("e2", order("o2")), event("e3", shipment("o2", "T2"))];
        let mut book = SellerBook::new("s");
        for e in &events {
            assert_eq!(book.apply(e, now, &policy), Ok(Applied::Accepted));
        }
        // Newest first: back to o1 alone.
        let mut newest_first = book.clone();
        newest_first.undo(&events[2]);
        newest_first.undo(&events[1]);
        let ids: Vec<&str> = newest_first.orders().iter().map(|r| r.order.order_id.as_str()).collect();
        assert_eq!(ids, ["o1"]);
        assert!(!newest_first.knows_tracking("T2") && !newest_first.knows_event("e2"));
        // o1 taken back while o2 stays: o2 keeps its shipment and its tracking number.
        book.undo(&events[0]);
        let ids: Vec<&str> = book.orders().iter().map(|r| r.order.order_id.as_str()).collect();
        assert_eq!(ids, ["o2"]);
        assert!(book.order("o1").is_none() && !book.knows_event("e1"));
        assert_eq!(book.order("o2").map(|r| r.shipments.len()), Some(1));
        assert_eq!(book.subject_of(&scan("T2")), Some(Subject::Order("o2".into())));
        assert_eq!(book.apply(&event("e4", scan("T2")), now, &policy), Ok(Applied::Accepted));
        assert_eq!(book.order("o2").map(|r| r.scans.len()), Some(1));
    }

    #[test]
    fn a_scan_lands_on_the_order_shipped_under_its_number_applied_or_restored() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let facts = [
            ("o1", order("o1")),
            ("o2", order("o2")),
            ("s2", shipment("o2", "T2")),
            ("s1", shipment("o1", "T1")),
            ("c1", scan("T1")),
        ];
        let (mut applied, mut restored) = (SellerBook::new("s"), SellerBook::new("s"));
        for (id, fact) in facts {
            assert_eq!(applied.apply(&event(id, fact.clone()), now, &policy), Ok(Applied::Accepted));
            restored.restore(id, &fact);
        }
        for book in [&applied, &restored] {
            let scans = |order_id| book.order(order_id).map(|record| record.scans.len());
            assert_eq!((scans("o1"), scans("o2")), (Some(1), Some(0)));
        }
    }

    #[test]
    fn orders_and_tracking_numbers_are_found_by_their_ids_after_the_tables_grew() {
        // The tables keep positions and hash the records' own ids again as
        // they grow: 3,000 orders and shipments take them through many sizes.
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let mut book = SellerBook::new("s");
        for n in 0..3_000 {
            place_and_ship(&mut book, n, now, &policy, true);
        }
        for n in [0, 1, 1_023, 1_024, 2_999] {
            assert_eq!(book.order(&format!("o{n}")).map(|r| r.order.order_id.as_str()), Some(format!("o{n}").as_str()));
            assert_eq!(book.subject_of(&scan(&format!("T{n}"))), Some(Subject::Order(format!("o{n}").into())));
        }
        assert!(book.order("o3000").is_none() && !book.knows_tracking("T3000") && !book.knows_tracking(""));
        // A number already confirmed is refused for another order; an order id too.
        let again = book.apply(&event("s-again", shipment("o5", "T7")), now, &policy);
        assert!(matches!(again, Err(DomainError::AlreadyExists(_))), "{again:?}");
        let again = book.apply(&event("o-again", order("o9")), now, &policy);
        assert!(matches!(again, Err(DomainError::AlreadyExists(_))), "{again:?}");
    }

    #[test]
    fn an_event_id_sent_again_is_a_duplicate_with_its_fact_and_refused_with_another() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let mut book = SellerBook::new("s");
        assert_eq!(book.apply(&event("e1", order("o1")), now, &policy), Ok(Applied::Accepted));
        assert_eq!(book.apply(&event("e1", order("o1")), now, &policy), Ok(Applied::Duplicate));
        assert!(matches!(book.apply(&event("e1", order("o2")), now, &policy), Err(DomainError::AlreadyExists(_))));
        // Folded (taken, not copied), the same.
        let mut folded = SellerBook::new("s");
        assert_eq!(folded.fold("e1", "s", order("o1"), now, &policy), Ok(Applied::Accepted));
        assert_eq!(folded.fold("e1", "s", order("o1"), now, &policy), Ok(Applied::Duplicate));
        assert!(matches!(folded.fold("e1", "s", order("o2"), now, &policy), Err(DomainError::AlreadyExists(_))));
        let other = folded.fold("e2", "t", order("o3"), now, &policy);
        assert!(matches!(&other, Err(DomainError::InvalidArgument { field, .. }) if field == "seller_id"), "{other:?}");
        assert_eq!(folded.order("o1"), book.order("o1"));
        // Restored from a log, a fact is known by its id too.
        let mut restored = SellerBook::new("s");
        restored.restore("e1", &order("o1"));
        assert_eq!(restored.apply(&event("e1", order("o1")), now, &policy), Ok(Applied::Duplicate));
        assert_eq!(restored.event_count(), 1);
    }

    #[test]
    fn an_event_is_refused_as_check_event_refuses_it_whether_the_books_own_seller_id_is_valid_or_not() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let reason = |result: Result<Applied, DomainError>| match result {
            Err(DomainError::InvalidArgument { field, reason }) => Some((field, reason)),
            _ => None,
        };
        let too_late = |mut fact: Fact| {
            if let Fact::Order(order) = &mut fact {
                order.purchased_at = now + chrono::Duration::hours(25);
                order.latest_ship_at = order.purchased_at;
            }
            fact
        };
        let seller_ids = ["s", "", "   ", "s\u{7}", "t"];
        for own in seller_ids {
            for seller_id in seller_ids {
                for fact in [order("o1"), too_late(order("o1"))] {
                    let event = Event { event_id: "e1".into(), seller_id: seller_id.into(), fact };
                    let checked = crate::validate::check_event(&event, now);
                    let mut book = SellerBook::new(own);
                    let folded = book.fold("e1", seller_id, event.fact.clone(), now, &policy);
                    // Twice, the second time with the clock the book remembers.
                    let again = book.apply(&event, now, &policy);
                    match checked {
                        Err(DomainError::InvalidArgument { field, reason: why }) => {
                            assert_eq!(reason(folded), Some((field.clone(), why.clone())), "{own:?} {seller_id:?}");
                            assert_eq!(reason(again), Some((field, why)), "{own:?} {seller_id:?}");
                        }
                        Err(other) => panic!("{other:?}"),
                        // Valid alone: folded by the seller's own book, refused by another's.
                        Ok(()) if own == seller_id => {
                            assert_eq!(folded, Ok(Applied::Accepted));
                            assert_eq!(again, Ok(Applied::Duplicate));
                        }
                        Ok(()) => assert_eq!(reason(folded).map(|(field, _)| field), Some("seller_id".into())),
                    }
                }
            }
        }
        // A later clock allows later facts: the remembered limit is the last clock's.
        let mut book = SellerBook::new("s");
        let ahead = too_late(order("o1"));
        assert!(book.fold("e1", "s", ahead.clone(), now, &policy).is_err());
        let later = now + chrono::Duration::hours(2);
        assert_eq!(book.fold("e1", "s", ahead, later, &policy), Ok(Applied::Accepted));
        assert!(reason(book.fold("e2", "s", too_late(order("o2")), now, &policy)).is_some());
    }

    #[test]
    fn orders_are_found_by_id_and_tracking_number_whichever_order_they_are_asked_in() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let mut book = SellerBook::new("s");
        // Every third order shipped, so searches from the last one found meet gaps.
        for n in 0..20 {
            place_and_ship(&mut book, n, now, &policy, n % 3 == 0);
        }
        let by_id = |n: usize| book.orders().iter().position(|r| r.order.order_id == format!("o{n}"));
        let shipped = |n: usize| {
            book.orders().iter().position(|r| r.shipments.iter().any(|s| s.tracking_number == format!("T{n}")))
        };
        let ahead: Vec<usize> = (0..20).collect();
        let asked = [ahead.clone(), ahead.iter().rev().copied().collect(), [7, 19, 0, 3, 4, 18, 2, 11].into()];
        for ns in asked {
            for n in ns.into_iter().chain([20, 25]) {
                let expected = by_id(n).and_then(|i| u32::try_from(i).ok());
                assert_eq!(book.ids.order(&book.orders, &format!("o{n}")), expected, "o{n}");
                let expected = shipped(n).and_then(|i| u32::try_from(i).ok());
                assert_eq!(book.order_shipped(&format!("T{n}")), expected, "T{n}");
            }
        }
        // Past the last order: no id, not even the empty one, is found there.
        assert_eq!(book.ids.order(&book.orders, ""), None);
        assert_eq!(book.order_shipped(""), None);
    }

    #[test]
    fn events_folded_as_distinct_make_the_book_and_the_refusals_folding_them_by_id_makes() {
        let (policy, now) = (Policy::amazon(), Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        let events = [
            ("s", order("o1")),
            ("s", scan("T1")), // no shipment has T1 yet: refused
            ("s", shipment("o1", "T1")),
            ("s", scan("T1")),
            ("s", shipment("o2", "T2")), // unknown order: refused
            ("s", order("o1")),          // the same order again under another id: refused
            ("t", order("o3")),          // another seller's: refused
            ("s", order("o2")),
            ("s", shipment("o2", "T1")), // T1 was confirmed already: refused
            ("s", shipment("o2", "T2")),
        ];
        let (mut by_id, mut distinct) = (SellerBook::new("s"), SellerBook::new("s"));
        for (n, (seller_id, fact)) in events.into_iter().enumerate() {
            let folded = by_id.fold(&format!("e{n}"), seller_id, fact.clone(), now, &policy);
            let folded_distinct = distinct.fold_distinct(seller_id, fact, now, &policy);
            assert_eq!(folded.map(|applied| assert_eq!(applied, Applied::Accepted)), folded_distinct, "event {n}");
        }
        assert_eq!(distinct.orders(), by_id.orders());
        assert_eq!(
            distinct.orders().iter().map(|r| (r.shipments.len(), r.scans.len())).collect::<Vec<_>>(),
            [(1, 1), (1, 0)]
        );
        assert_eq!((distinct.event_count(), by_id.event_count()), (5, 5));
        // The ids of events folded as distinct are not known: the caller vouched for them.
        assert!(by_id.knows_event("e0") && !distinct.knows_event("e0"));
    }
}
