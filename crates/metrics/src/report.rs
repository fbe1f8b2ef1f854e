//! The account health report: every metric of one seller in one marketplace as of
//! an instant, from any [`CounterSource`].

use std::collections::HashMap;

use rayon::prelude::*;
use sellerhealth_domain::{
    BuyerMessage, Calendar, Day, FulfillmentChannel, Instant, OrderRecord, Policy, PolicyViolation, SellerBook, Subject,
};

use crate::counters::{Contribution, Counter, CounterSource};
use crate::day_counters::{DayCounters, DayCountersBuilder};
use crate::odr::OrderDefectRate;
use crate::order_facts::Shipping;
use crate::policy_compliance::{AccountHealthRating, PolicyCompliance};
use crate::rate::{Metric, RateMetric, RateSpec};
use crate::response::ContactResponseTime;
use crate::timeline::Emitter;
use crate::warnings::{AccountStatus, Warning};
use crate::{
    cancel, delivery, invoices, late_shipment, odr, policy_compliance, reach, recovery, refunds, response, returns,
    seller_rating, surveys, warnings,
};

/// Account health of one seller in one marketplace as of an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountHealthReport {
    /// Seller reported on.
    pub seller_id: String,
    /// Marketplace reported on.
    pub marketplace_id: String,
    /// Instant evaluated.
    pub as_of: Instant,
    /// Policy profile used.
    pub policy_name: String,
    /// Overall status.
    pub account_status: AccountStatus,
    /// A penalised metric BAD for more than the demotion days.
    pub demotion_risk: bool,
    /// ODR of seller-fulfilled orders.
    pub order_defect_rate_mfn: OrderDefectRate,
    /// ODR of marketplace-fulfilled orders.
    pub order_defect_rate_afn: OrderDefectRate,
    /// Pre-fulfilment cancel rate.
    pub pre_fulfillment_cancel_rate: RateMetric,
    /// Late shipment rate, 10 days.
    pub late_shipment_rate_10d: RateMetric,
    /// Late shipment rate, 30 days.
    pub late_shipment_rate_30d: RateMetric,
    /// Valid tracking rate.
    pub valid_tracking_rate: RateMetric,
    /// On-time delivery rate.
    pub on_time_delivery_rate: RateMetric,
    /// Unit on-time delivery rate.
    pub unit_on_time_delivery_rate: RateMetric,
    /// Contact response time per window.
    pub contact_response_times: Vec<ContactResponseTime>,
    /// Return dissatisfaction rate.
    pub return_dissatisfaction_rate: RateMetric,
    /// Refund rate.
    pub refund_rate: RateMetric,
    /// Customer service dissatisfaction rate.
    pub customer_service_dissatisfaction_rate: RateMetric,
    /// Invoice defect rate.
    pub invoice_defect_rate: RateMetric,
    /// Policy violations per category.
    pub policy_compliance: PolicyCompliance,
    /// Account Health Rating.
    pub account_health_rating: AccountHealthRating,
    /// Warnings of the lookback, open and closed.
    pub warnings: Vec<Warning>,
}

/// What a watcher is told about: the account status, demotion risk, the AHR band
/// and every metric's status. Two reports with equal signatures need not be sent twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSignature {
    account_status: AccountStatus,
    demotion_risk: bool,
    ahr_band: crate::policy_compliance::AhrBand,
    statuses: Vec<(Metric, crate::rate::MetricStatus)>,
    policy_statuses: Vec<crate::rate::MetricStatus>,
}

impl AccountHealthReport {
    /// Whether the report, evaluated from the days
    /// [`reach::report_first_day`] names, traced a warning back past its
    /// look-back: the start of that BAD run may lie before the days read, so
    /// the report must be evaluated again from every day. Rare: a metric BAD
    /// for over 120 days.
    pub fn traced_past_lookback(&self, policy: &Policy) -> bool {
        let lookback = warnings::lookback_start(self.as_of, policy.calendar(&self.marketplace_id));
        self.warnings.iter().any(|w| w.opened_on < lookback)
    }

    /// Every rate of the report, in the page's order (the two order defect
    /// rates first), for consumers that treat them alike: the list is written
    /// out here once.
    pub fn rates(&self) -> [&RateMetric; 12] {
        [
            &self.order_defect_rate_mfn.rate,
            &self.order_defect_rate_afn.rate,
            &self.pre_fulfillment_cancel_rate,
            &self.late_shipment_rate_10d,
            &self.late_shipment_rate_30d,
            &self.valid_tracking_rate,
            &self.on_time_delivery_rate,
            &self.unit_on_time_delivery_rate,
            &self.return_dissatisfaction_rate,
            &self.refund_rate,
            &self.customer_service_dissatisfaction_rate,
            &self.invoice_defect_rate,
        ]
    }

    /// The report's statuses, for change detection.
    pub fn status_signature(&self) -> StatusSignature {
        let statuses = self
            .rates()
            .iter()
            .map(|r| (r.metric, r.status))
            .chain(self.contact_response_times.iter().map(|c| (c.metric, c.status)))
            .collect();
        StatusSignature {
            account_status: self.account_status,
            demotion_risk: self.demotion_risk,
            ahr_band: self.account_health_rating.band,
            statuses,
            policy_statuses: self.policy_compliance.categories.iter().map(|c| c.status).collect(),
        }
    }
}

/// Computes the report from counters and the seller's policy violations. The
/// stored path and the stateless path both end here, so they cannot disagree.
pub fn evaluate(
    source: &impl CounterSource,
    violations: &[PolicyViolation],
    policy: &Policy,
    seller_id: &str,
    marketplace_id: &str,
    as_of: Instant,
) -> AccountHealthReport {
    let specs = RateSpec::all(policy);
    let calendar = policy.calendar(marketplace_id);
    let mut rates: HashMap<Metric, RateMetric> = specs
        .iter()
        .map(|spec| (spec.metric, recovery::evaluate(spec, source, calendar, marketplace_id, as_of)))
        .collect();
    let penalised_statuses: Vec<_> =
        specs.iter().filter(|s| s.target.penalised).filter_map(|s| rates.get(&s.metric)).map(|r| r.status).collect();
    let mut take = |metric| rates.remove(&metric).unwrap_or_else(|| unreachable_rate(metric, policy));
    let odr = |channel, rate| odr::with_components(source, marketplace_id, channel, rate, as_of);
    let order_defect_rate_mfn = odr(FulfillmentChannel::Mfn, take(Metric::OrderDefectRateMfn));
    let order_defect_rate_afn = odr(FulfillmentChannel::Afn, take(Metric::OrderDefectRateAfn));
    let account_health_rating =
        policy_compliance::account_health_rating(source, violations, policy, marketplace_id, as_of);
    let warnings = warnings::warnings(&specs, source, policy, marketplace_id, as_of);
    AccountHealthReport {
        seller_id: seller_id.to_owned(),
        marketplace_id: marketplace_id.to_owned(),
        as_of,
        policy_name: policy.name.clone(),
        account_status: warnings::account_status(penalised_statuses, &warnings, &account_health_rating),
        demotion_risk: warnings::demotion_risk(&warnings, policy),
        order_defect_rate_mfn,
        order_defect_rate_afn,
        pre_fulfillment_cancel_rate: take(Metric::PreFulfillmentCancelRate),
        late_shipment_rate_10d: take(Metric::LateShipmentRate10d),
        late_shipment_rate_30d: take(Metric::LateShipmentRate30d),
        valid_tracking_rate: take(Metric::ValidTrackingRate),
        on_time_delivery_rate: take(Metric::OnTimeDeliveryRate),
        unit_on_time_delivery_rate: take(Metric::UnitOnTimeDeliveryRate),
        contact_response_times: policy
            .contact_response
            .windows_days
            .iter()
            .map(|&window| response::evaluate(source, policy, marketplace_id, window, as_of))
            .collect(),
        return_dissatisfaction_rate: take(Metric::ReturnDissatisfactionRate),
        refund_rate: take(Metric::RefundRate),
        customer_service_dissatisfaction_rate: take(Metric::CustomerServiceDissatisfactionRate),
        invoice_defect_rate: take(Metric::InvoiceDefectRate),
        policy_compliance: policy_compliance::evaluate(source, policy, marketplace_id, as_of),
        account_health_rating,
        warnings,
    }
}

/// `RateSpec::all` lists every rate the report names; this is never reached.
fn unreachable_rate(metric: Metric, policy: &Policy) -> RateMetric {
    let days = sellerhealth_domain::DayRange::ending_before(chrono::NaiveDate::MIN, 1, 0);
    RateMetric::new(metric, &policy.order_defect_rate, days, 0, 0)
}

/// The policy parameters counter contributions depend on: how facts are
/// classified (a reply late or on time, a return answered late), not the
/// targets and windows they are judged by. The store keeps this beside its
/// counters and refuses to serve them under a profile that classifies facts
/// differently, until they are rebuilt. Every policy field
/// [`subject_contributions`] reads must be named here (a test changes every
/// other number of the profile and checks that no contribution moves).
pub fn counter_parameters(policy: &Policy) -> String {
    let zones = &policy.time_zones;
    let listed: Vec<String> = zones.marketplaces.iter().map(|(id, zone)| format!("{id}:{}", zone.name())).collect();
    format!(
        "contact_response.sla_hours={} return_response_hours={} time_zones.default={} time_zones.marketplaces={}",
        policy.contact_response.sla_hours,
        policy.return_response_hours,
        zones.default.name(),
        listed.join(",")
    )
}

/// Every counter change of one order (its buyer messages aside), as
/// `out(marketplace, counter, attribution day, effective instant, delta)`.
pub fn order_changes(record: &OrderRecord, policy: &Policy, out: &mut impl FnMut(&str, Counter, Day, Instant, i64)) {
    let calendar = policy.calendar(&record.order.marketplace_id);
    order_changes_with(&mut Emitter::default(), record, policy, calendar, out);
}

/// [`order_changes`] with `emitter`'s buffers, the order's marketplace
/// counting days in `cal`. Each metric's tally is evaluated at its own
/// change instants only: a tally changes nowhere else, and the sum of the
/// metrics' changes is the order's. Inlined into the loop over orders: the
/// compiler's own choice there moved with every change to the loop (called,
/// a batch run took 0.7% more instructions).
#[inline(always)]
fn order_changes_with<'a>(
    emitter: &mut Emitter,
    record: &'a OrderRecord,
    policy: &Policy,
    cal: Calendar,
    out: &mut impl FnMut(&'a str, Counter, Day, Instant, i64),
) {
    let marketplace_id = record.order.marketplace_id.as_str();
    let out = &mut |counter, day, at, delta| out(marketplace_id, counter, day, at, delta);
    let shipping = Shipping::of(record);
    let (purchased, channel) = (record.order.purchased_at, record.order.fulfillment_channel);
    emitter.emit_fixed(
        cal,
        odr::counters(channel),
        purchased,
        |t| odr::times(record, t),
        |t, _| odr::amounts(record, t),
        out,
    );
    emitter.emit_fixed(
        cal,
        [Counter::SellerCancelledOrders],
        purchased,
        |t| cancel::times(record, t),
        |t, _| cancel::amounts(record, t),
        out,
    );
    emitter.emit_fixed(
        cal,
        late_shipment::COUNTERS,
        record.order.latest_ship_at,
        |t| late_shipment::shipping_times(record, &shipping, t),
        |t, _| late_shipment::amounts(record, &shipping, t),
        out,
    );
    delivery::Deliveries::new(record, shipping).changes(emitter, cal, out);
    emitter.emit_fixed(
        cal,
        [Counter::RefundedOrders(channel)],
        purchased,
        |t| refunds::times(record, t),
        |t, _| [i64::from(refunds::refunded_by(record, t))],
        out,
    );
    emitter.emit_fixed(
        cal,
        invoices::COUNTERS,
        purchased,
        |t| invoices::times(record, cal, t),
        |t, _| invoices::amounts(record, cal, t),
        out,
    );
    emitter.emit(cal, |t| returns::times(record, policy, t), |t, tally| returns::tally(record, policy, t, tally), out);
    emitter.emit(cal, |t| surveys::times(record, t), |t, tally| surveys::tally(record, t, tally), out);
    emitter.emit_fixed(
        cal,
        [Counter::FulfilledOrders],
        purchased,
        |t| policy_compliance::times(record, t),
        |t, _| [i64::from(policy_compliance::fulfilled(record, &shipping, t))],
        out,
    );
    seller_rating::Classifier::new(record, shipping, policy, cal).changes(emitter, out);
}

/// The counter contributions of one subject of the book (none for a review or
/// an unknown subject). The store applies the difference of these before and
/// after an event; summing them over every subject gives [`contributions`].
pub fn subject_contributions(book: &SellerBook, subject: &Subject, policy: &Policy) -> Vec<Contribution> {
    let mut out = Vec::new();
    let mut collect = |marketplace_id: &str, counter, day, at, delta| {
        out.push(Contribution { marketplace_id: marketplace_id.to_owned(), counter, day, at, delta });
    };
    match subject {
        Subject::Order(order_id) => {
            let Some(record) = book.order(order_id) else { return out };
            order_changes(record, policy, &mut collect);
            response::changes(&mut Emitter::default(), &record.messages, policy, &mut collect);
        }
        Subject::Message(message_id) => {
            let messages: Vec<BuyerMessage> =
                book.messages_without_order().iter().filter(|m| m.message_id == *message_id).cloned().collect();
            response::changes(&mut Emitter::default(), &messages, policy, &mut collect);
        }
        Subject::Violation(violation_id) => {
            let violations: Vec<PolicyViolation> =
                book.violations().iter().filter(|v| v.violation_id == *violation_id).cloned().collect();
            policy_compliance::changes(&violations, policy, &mut collect);
        }
        Subject::Review(_) => {}
    }
    out
}

/// Every counter change of a seller's facts, subject by subject, as
/// `out(marketplace, counter, attribution day, effective instant, delta)`:
/// what [`subject_contributions`] gives for every subject, without collecting them.
pub fn book_changes(book: &SellerBook, policy: &Policy, out: &mut impl FnMut(&str, Counter, Day, Instant, i64)) {
    let _ = book_changes_settled(book, policy, None, out);
}

/// [`book_changes`], an order whose every change lies before `settled`
/// summed as one tally ([`Emitter::settle_before`]); and whether any was.
fn book_changes_settled(
    book: &SellerBook,
    policy: &Policy,
    settled: Option<Instant>,
    out: &mut impl FnMut(&str, Counter, Day, Instant, i64),
) -> bool {
    let settled_any = records_changes(book.orders(), policy, settled, out);
    seller_wide_changes(book, policy, out);
    settled_any
}

/// The changes of `records` (each order and its buyer messages): the part of
/// [`book_changes`] that may be summed in parts; an order whose every change
/// lies before `settled_before` as one tally ([`Emitter::settle_before`]),
/// and whether any was. Inlined where it is summed: called, the loop over an
/// order's changes cost more than the call saved.
#[inline(always)]
fn records_changes<'a>(
    records: &'a [OrderRecord],
    policy: &Policy,
    settled_before: Option<Instant>,
    out: &mut impl FnMut(&'a str, Counter, Day, Instant, i64),
) -> bool {
    let mut emitter = Emitter::default();
    // The last marketplace's calendar: a book's orders are mostly of one or
    // two marketplaces, and the policy finds a calendar by name.
    let mut last: Option<(&str, Calendar)> = None;
    for record in records {
        let marketplace_id = record.order.marketplace_id.as_str();
        let cal = match last {
            Some((known, cal)) if known == marketplace_id => cal,
            _ => policy.calendar(marketplace_id),
        };
        last = Some((marketplace_id, cal));
        // An order bought from then on is not tried: a fact about an order
        // is dated from its purchase on, and its deadlines after it. (Not
        // settling is exact all the same; settling is what saves.)
        emitter.settle_before(settled_before.filter(|settled| record.order.purchased_at < *settled));
        order_changes_with(&mut emitter, record, policy, cal, out);
        response::changes(&mut emitter, &record.messages, policy, out);
    }
    emitter.settled_any()
}

/// The changes of a seller's facts about no order: messages without one and
/// policy violations (the rest of [`book_changes`]).
fn seller_wide_changes(book: &SellerBook, policy: &Policy, out: &mut impl FnMut(&str, Counter, Day, Instant, i64)) {
    response::changes(&mut Emitter::default(), book.messages_without_order(), policy, out);
    policy_compliance::changes(book.violations(), policy, out);
}

/// Every counter contribution of a seller's facts.
pub fn contributions(book: &SellerBook, policy: &Policy) -> Vec<Contribution> {
    let mut out = Vec::new();
    book_changes(book, policy, &mut |marketplace_id, counter, day, at, delta| {
        out.push(Contribution { marketplace_id: marketplace_id.to_owned(), counter, day, at, delta });
    });
    out
}

/// Every report of a seller's facts, one per marketplace it has orders in
/// (sorted by marketplace id), with no store: what batch evaluation asks for.
/// The book's changes are computed once, summed straight into each
/// marketplace's [`DayCounters`]; a large book's orders are summed in parts
/// on rayon's threads (an order's changes depend on that order alone), so a
/// seller with most of a data set's orders does not leave cores idle. An
/// order whose every change lies before the first day any report reads is
/// summed as one tally ([`Emitter::settle_before`]), unless a report traces
/// a warning back past its look-back.
pub fn evaluate_seller(book: &SellerBook, policy: &Policy, as_of: Instant) -> Vec<AccountHealthReport> {
    let parts = rayon::current_num_threads().saturating_mul(2).max(1);
    let orders_per_part = book.orders().len().div_ceil(parts).max(MIN_ORDERS_PER_PART);
    evaluate_seller_in_parts(book, policy, as_of, orders_per_part)
}

/// [`evaluate_seller`], the orders summed `orders_per_part` at a time.
fn evaluate_seller_in_parts(
    book: &SellerBook,
    policy: &Policy,
    as_of: Instant,
    orders_per_part: usize,
) -> Vec<AccountHealthReport> {
    // A book's orders are of a few marketplaces: each order's is looked for
    // among those found, not every order's sorted.
    let mut marketplaces: Vec<&str> = Vec::new();
    for record in book.orders() {
        let marketplace_id = record.order.marketplace_id.as_str();
        if marketplaces.last() != Some(&marketplace_id) && !marketplaces.contains(&marketplace_id) {
            marketplaces.push(marketplace_id);
        }
    }
    marketplaces.sort_unstable();
    let settled = settled_before(policy, as_of, &marketplaces);
    let (reports, settled_any) = evaluate_seller_settled(book, policy, as_of, orders_per_part, &marketplaces, settled);
    if settled_any && reports.iter().any(|report| report.traced_past_lookback(policy)) {
        return evaluate_seller_settled(book, policy, as_of, orders_per_part, &marketplaces, None).0;
    }
    reports
}

/// Before which instant an order's changes may be summed as one tally
/// ([`Emitter::settle_before`]) for the reports of `marketplaces` as of
/// `as_of`: the start of the first day any of them reads
/// ([`reach::report_first_day`]). Every read of such a report is as of a
/// day from there on, so it counts all of those changes, whenever they took
/// effect; all but the report that traces a warning back past its look-back
/// ([`AccountHealthReport::traced_past_lookback`]), evaluated again with none settled.
fn settled_before(policy: &Policy, as_of: Instant, marketplaces: &[&str]) -> Option<Instant> {
    marketplaces
        .iter()
        .map(|marketplace_id| {
            policy.calendar(marketplace_id).start_of(reach::report_first_day(as_of, policy, marketplace_id))
        })
        .min()
}

/// [`evaluate_seller_in_parts`] of the book's `marketplaces` (sorted), an
/// order whose every change lies before `settled` summed as one tally; and
/// whether any order was.
fn evaluate_seller_settled(
    book: &SellerBook,
    policy: &Policy,
    as_of: Instant,
    orders_per_part: usize,
    marketplaces: &[&str],
    settled: Option<Instant>,
) -> (Vec<AccountHealthReport>, bool) {
    let empty = || -> Vec<DayCountersBuilder> {
        marketplaces.iter().map(|m| DayCounters::from_changes(m, policy.calendar(m), as_of)).collect()
    };
    let (mut counters, settled_any) = book
        .orders()
        .par_chunks(orders_per_part.max(1))
        .map(|records| {
            let mut counters = empty();
            let mut last = None;
            let settled_any =
                records_changes(records, policy, settled, &mut |marketplace_id, counter, day, at, delta| {
                    if let Some(builder) = LastMarketplace::builder(&mut last, &mut counters, marketplace_id) {
                        builder.add(counter, day, at, delta);
                    }
                });
            (counters, settled_any)
        })
        .reduce_with(|(mut left, left_settled), (right, right_settled)| {
            for (sum, part) in left.iter_mut().zip(right) {
                sum.merge(part);
            }
            (left, left_settled || right_settled)
        })
        .unwrap_or_else(|| (empty(), false));
    seller_wide_changes(book, policy, &mut |marketplace_id: &str, counter, day, at, delta| {
        sum_into(&mut counters, marketplace_id, counter, day, at, delta);
    });
    let reports = counters
        .into_iter()
        .map(|builder| {
            let marketplace_id = builder.marketplace_id().to_owned();
            evaluate(&builder.build(), book.violations(), policy, book.seller_id(), &marketplace_id, as_of)
        })
        .collect();
    (reports, settled_any)
}

/// The fewest orders [`evaluate_seller`] sums as one part: fewer, and putting
/// the parts' sums together costs more than summing them on one thread.
const MIN_ORDERS_PER_PART: usize = 8_192;

/// The builder the last change was summed into, and the marketplace id it
/// named, borrowed from the book: every change of an order names the same
/// id, so an id at the same place (and so of the same text, the book being
/// borrowed all along) is not compared again. Comparing the text at every
/// change was 1% of a batch run's instructions.
struct LastMarketplace<'a> {
    id: &'a str,
    builder: usize,
}

impl<'a> LastMarketplace<'a> {
    /// The builder of `marketplace_id` among `counters`, if it is summed.
    fn builder<'c>(
        last: &mut Option<LastMarketplace<'a>>,
        counters: &'c mut [DayCountersBuilder],
        marketplace_id: &'a str,
    ) -> Option<&'c mut DayCountersBuilder> {
        let builder = match last {
            Some(last) if std::ptr::eq(last.id, marketplace_id) => last.builder,
            _ => {
                let builder = counters.iter().position(|b| b.marketplace_id() == marketplace_id)?;
                *last = Some(LastMarketplace { id: marketplace_id, builder });
                builder
            }
        };
        counters.get_mut(builder)
    }
}

/// Adds a change to the counters of its marketplace, if they are being summed.
fn sum_into(
    counters: &mut [DayCountersBuilder],
    marketplace_id: &str,
    counter: Counter,
    day: Day,
    at: Instant,
    delta: i64,
) {
    if let Some(builder) = counters.iter_mut().find(|b| b.marketplace_id() == marketplace_id) {
        builder.add(counter, day, at, delta);
    }
}

/// The counters of a seller's facts in `marketplace_id` as of `as_of`: what a
/// store holding those facts would read back.
pub fn book_counters(book: &SellerBook, policy: &Policy, marketplace_id: &str, as_of: Instant) -> DayCounters {
    book_counters_settled(book, policy, marketplace_id, as_of, None).0
}

/// [`book_counters`], an order whose every change lies before `settled`
/// summed as one tally ([`Emitter::settle_before`]); and whether any was.
fn book_counters_settled(
    book: &SellerBook,
    policy: &Policy,
    marketplace_id: &str,
    as_of: Instant,
    settled: Option<Instant>,
) -> (DayCounters, bool) {
    let mut counters = DayCounters::from_changes(marketplace_id, policy.calendar(marketplace_id), as_of);
    let settled_any = book_changes_settled(book, policy, settled, &mut |marketplace, counter, day, at, delta| {
        if marketplace == marketplace_id {
            counters.add(counter, day, at, delta);
        }
    });
    (counters.build(), settled_any)
}

/// Computes the report straight from a seller's facts, with no store. An
/// order whose every change lies before the first day the report reads is
/// summed as one tally ([`Emitter::settle_before`]), unless the report
/// traces a warning back past its look-back.
pub fn evaluate_book(book: &SellerBook, policy: &Policy, marketplace_id: &str, as_of: Instant) -> AccountHealthReport {
    let settled = settled_before(policy, as_of, &[marketplace_id]);
    let evaluate_from = |settled| {
        let (counters, settled_any) = book_counters_settled(book, policy, marketplace_id, as_of, settled);
        (evaluate(&counters, book.violations(), policy, book.seller_id(), marketplace_id, as_of), settled_any)
    };
    let (report, settled_any) = evaluate_from(settled);
    if settled_any && report.traced_past_lookback(policy) {
        return evaluate_from(None).0;
    }
    report
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use sellerhealth_domain::{Policy, SellerBook};

    use super::*;

    #[test]
    fn rates_lists_every_rate_of_the_policy_once() {
        let policy = Policy::amazon();
        let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap();
        let report = evaluate_book(&SellerBook::new("s"), &policy, "US", as_of);
        let listed: Vec<Metric> = report.rates().iter().map(|r| r.metric).collect();
        let mut specified: Vec<Metric> = RateSpec::all(&policy).iter().map(|s| s.metric).collect();
        let mut sorted = listed.clone();
        sorted.sort_by_key(|m| format!("{m:?}"));
        specified.sort_by_key(|m| format!("{m:?}"));
        assert_eq!(sorted, specified);
        assert_eq!(listed.first(), Some(&Metric::OrderDefectRateMfn));
        assert_eq!(listed.last(), Some(&Metric::InvoiceDefectRate));
    }

    /// A one-unit AFN order of `marketplace_id`, to ship within a day.
    fn afn_order(order_id: &str, marketplace_id: &str, purchased_at: Instant) -> sellerhealth_domain::Order {
        sellerhealth_domain::Order {
            order_id: order_id.into(),
            marketplace_id: marketplace_id.into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Afn,
            latest_ship_at: purchased_at + chrono::Duration::days(1),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        }
    }

    #[test]
    fn evaluate_seller_reports_each_marketplace_with_orders_as_evaluate_book_does() {
        let policy = Policy::amazon();
        let purchased_at = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap();
        let mut book = SellerBook::new("s");
        for (n, marketplace) in ["UK", "US", "UK"].into_iter().enumerate() {
            let order = afn_order(&format!("o{n}"), marketplace, purchased_at);
            let event = sellerhealth_domain::Event {
                event_id: format!("e{n}"),
                seller_id: "s".into(),
                fact: sellerhealth_domain::Fact::Order(order),
            };
            book.apply(&event, as_of, &policy).unwrap();
        }
        let reports = evaluate_seller(&book, &policy, as_of);
        let marketplaces: Vec<&str> = reports.iter().map(|r| r.marketplace_id.as_str()).collect();
        assert_eq!(marketplaces, ["UK", "US"]);
        assert_eq!(reports[0].order_defect_rate_afn.rate.denominator, 2);
        assert_eq!(reports[1].order_defect_rate_afn.rate.denominator, 1);
        for report in &reports {
            assert_eq!(*report, evaluate_book(&book, &policy, &report.marketplace_id, as_of));
        }
    }

    /// An order whose every change lies before the first day a report reads
    /// is one tally at its last change instant: an AFN order bought
    /// 2024-01-10 12:00 UTC, given one star on the 12th and the feedback
    /// removed on the 15th, counts towards the ODR on its purchase day as an
    /// order, a defect from the 12th, and no defect from the 15th; settled,
    /// it is an order from the 15th, with the same sums from then on.
    #[test]
    fn an_order_settled_before_the_first_day_read_is_one_tally_at_its_last_change() {
        use sellerhealth_domain::{Event, Fact, FeedbackAction, FeedbackUpdate, SellerFeedback};
        let policy = Policy::amazon();
        let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2024, 1, d, h, 0, 0).unwrap();
        let mut book = SellerBook::new("s");
        let facts = [
            Fact::Order(afn_order("o", "US", at(10, 12))),
            Fact::SellerFeedback(SellerFeedback {
                order_id: "o".into(),
                left_at: at(12, 9),
                stars: 1,
                comment: String::new(),
                fulfillment_related: false,
            }),
            Fact::FeedbackUpdate(FeedbackUpdate {
                order_id: "o".into(),
                updated_at: at(15, 9),
                action: FeedbackAction::Removed,
                response_text: String::new(),
            }),
        ];
        for (n, fact) in facts.into_iter().enumerate() {
            book.apply(&Event { event_id: format!("e{n}"), seller_id: "s".into(), fact }, at(20, 0), &policy).unwrap();
        }
        let odr = odr::counters(FulfillmentChannel::Afn);
        // The ODR's changes, and whether the order settled.
        let changes = |settled| {
            let mut changes = Vec::new();
            let settled_any = records_changes(book.orders(), &policy, settled, &mut |_, counter, day, at, delta| {
                if odr.contains(&counter) {
                    changes.push((counter, day, at, delta));
                }
            });
            (changes, settled_any)
        };
        // The purchase day: "US" is no marketplace of the policy's time zones, so its days are UTC's.
        let bought = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
        let (orders, negative, defective) = (odr[0], odr[1], odr[4]);
        let every_change = vec![
            (orders, bought, at(10, 12), 1),
            (negative, bought, at(12, 9), 1),
            (defective, bought, at(12, 9), 1),
            (negative, bought, at(15, 9), -1),
            (defective, bought, at(15, 9), -1),
        ];
        assert_eq!(changes(None), (every_change.clone(), false));
        // A change at the instant settled from, or after it: each change as it
        // came (the order's metrics whose changes all lie before it settle).
        assert_eq!(changes(Some(at(15, 9))), (every_change, true));
        assert_eq!(changes(Some(at(15, 10))), (vec![(orders, bought, at(15, 9), 1)], true));
        // Bought at the instant settled from: not tried.
        assert!(!changes(Some(at(10, 12))).1);
        // A report as of 2025-05-15 first reads 2024-01-16, 485 days before
        // (120 of warnings, 365 of the longest reach, the seller rating's),
        // which starts at midnight UTC: the order settles there ...
        let first_day = |as_of| reach::report_first_day(as_of, &policy, "US");
        let as_of = Utc.with_ymd_and_hms(2025, 5, 15, 12, 0, 0).unwrap();
        assert_eq!(first_day(as_of), chrono::NaiveDate::from_ymd_opt(2024, 1, 16).unwrap());
        assert_eq!(settled_before(&policy, as_of, &["US"]), Some(Utc.with_ymd_and_hms(2024, 1, 16, 0, 0, 0).unwrap()));
        // ... and its report is that of every change summed.
        let report = evaluate_book(&book, &policy, "US", as_of);
        let unsettled =
            evaluate(&book_counters(&book, &policy, "US", as_of), book.violations(), &policy, "s", "US", as_of);
        assert_eq!(report, unsettled);
    }

    /// A report that traces a warning back past its look-back reads days
    /// before the first it settles from, so it is evaluated again with no
    /// order settled. An AFN seller's orders, one every other day from
    /// 2024-01-01 on, each got one star the day after; the first three
    /// stars were removed on 2024-01-25. Its ODR (of the orders bought 14 to
    /// 73 days before, SPEC §3) has been BAD since 2024-01-15, when the first
    /// order, with its star, came into the window; with the first three
    /// orders settled (one tally at the removal: no defect), the run would
    /// seem to begin on 2024-01-21, with the fourth. The report as of
    /// 2025-06-01 is that of every change at its own instant.
    #[test]
    fn a_warning_traced_past_the_look_back_is_traced_with_no_order_settled() {
        use sellerhealth_domain::{Event, Fact, FeedbackAction, FeedbackUpdate, SellerFeedback};
        let policy = Policy::amazon();
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
        let removed = Utc.with_ymd_and_hms(2024, 1, 25, 12, 0, 0).unwrap();
        let as_of = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let mut book = SellerBook::new("s");
        let mut apply = |n: usize, fact: Fact| {
            book.apply(&Event { event_id: format!("e{n}"), seller_id: "s".into(), fact }, as_of, &policy).unwrap();
        };
        for n in 0..258 {
            let purchased_at = start + chrono::Duration::days(2 * i64::try_from(n).unwrap());
            let order_id = format!("o{n}");
            apply(3 * n, Fact::Order(afn_order(&order_id, "US", purchased_at)));
            apply(
                3 * n + 1,
                Fact::SellerFeedback(SellerFeedback {
                    order_id: order_id.clone().into(),
                    left_at: purchased_at + chrono::Duration::days(1),
                    stars: 1,
                    comment: String::new(),
                    fulfillment_related: false,
                }),
            );
            if n < 3 {
                let action = FeedbackAction::Removed;
                let update = FeedbackUpdate {
                    order_id: order_id.into(),
                    updated_at: removed,
                    action,
                    response_text: String::new(),
                };
                apply(3 * n + 2, Fact::FeedbackUpdate(update));
            }
        }
        let unsettled =
            evaluate(&book_counters(&book, &policy, "US", as_of), book.violations(), &policy, "s", "US", as_of);
        assert!(unsettled.traced_past_lookback(&policy));
        let opened: Vec<chrono::NaiveDate> = unsettled.warnings.iter().map(|w| w.opened_on).collect();
        assert_eq!(opened, [chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()]);
        // The orders before 2024-02-02, the first day the report reads, settle.
        assert_eq!(settled_before(&policy, as_of, &["US"]), Some(Utc.with_ymd_and_hms(2024, 2, 2, 0, 0, 0).unwrap()));
        assert_eq!(evaluate_book(&book, &policy, "US", as_of), unsettled);
        assert_eq!(evaluate_seller_in_parts(&book, &policy, as_of, 100), [unsettled]);
    }

    mod emission {
        //! Each metric's tally is evaluated at its own change instants only
        //! (`order_changes`); a metric whose tally changed at an instant it
        //! does not list would lose a change there. Here every order's changes
        //! are compared, summed as of every instant involved, with a tally
        //! of every metric evaluated at every instant any metric lists.
        use chrono::{DateTime, Duration, TimeZone, Utc};
        use proptest::prelude::*;
        use sellerhealth_domain::*;

        use super::super::*;
        use crate::timeline::Tally;

        /// The seller rating's class of `record` at `t` computed from the
        /// record alone, each rule of SPEC §5 asked directly: what
        /// `seller_rating::Classifier` must agree with.
        fn class_by_definition(record: &OrderRecord, policy: &Policy, t: Instant) -> seller_rating::ScoreClass {
            use crate::order_facts::{cancellation_before_shipment, cancelled_by, first_confirmation, scans};
            use crate::order_facts::{shipment_units, shipping_known};
            use crate::seller_rating::ScoreClass;
            let known = shipping_known(record, t);
            let mfn = record.order.fulfillment_channel == FulfillmentChannel::Mfn && known;
            let deadline = seller_rating::unshipped_deadline(record);
            let unshipped_severe = mfn
                && t > deadline
                && first_confirmation(record).is_none_or(|s| s > deadline)
                && !cancelled_by(record, deadline);
            if odr::has_open_claim(record, t)
                || odr::has_negative_feedback(record, t)
                || odr::has_service_chargeback(record, t)
                || unshipped_severe
            {
                return ScoreClass::SevereDefect;
            }
            let by_seller = |c: &Cancellation| {
                matches!(c.initiator, CancellationInitiator::Seller | CancellationInitiator::SystemUnshipped)
            };
            if cancellation_before_shipment(record).is_some_and(|c| c.cancelled_at <= t && by_seller(c)) {
                return ScoreClass::SellerCancelled;
            }
            if (mfn && !cancelled_by(record, t) && late_shipment::is_late(record, t))
                || seller_rating::message_overdue(&record.messages, policy, t)
            {
                return ScoreClass::ServiceProblem;
            }
            let order = &record.order;
            let bonus = || {
                if crate::refunds::refunded_by(record, t) {
                    return false;
                }
                let Some(promised) = order.promised_delivery_latest_at else { return false };
                let (mut last, mut delivered_units) = (None, 0);
                for shipment in record.shipments.iter().filter(|s| s.confirmed_at <= t) {
                    match scans(record, shipment) {
                        (Some(scan), Some(delivered)) if scan <= t && delivered <= t => {
                            last = last.max(Some(delivered));
                            delivered_units += shipment_units(record, shipment);
                        }
                        _ => return false,
                    }
                }
                let cal = Calendar::UTC;
                delivered_units >= order.units
                    && last.is_some_and(|d| {
                        cal.day_of(d) <= cal.day_of(promised)
                            && seller_rating::business_days_to(cal, order.purchased_at, d)
                                <= seller_rating::BONUS_BUSINESS_DAYS
                    })
            };
            if known && bonus() { ScoreClass::PerfectWithBonus } else { ScoreClass::Perfect }
        }

        /// Every metric's tally of `record` at `t`.
        fn tally_all(record: &OrderRecord, policy: &Policy, t: Instant, tally: &mut Tally) {
            // The metrics `order_changes` emits by position, as tallies.
            let (purchased, channel) = (record.order.purchased_at, record.order.fulfillment_channel);
            let shipping = Shipping::of(record);
            tally.add_each(odr::counters(channel), purchased, odr::amounts(record, t));
            tally.add_each([Counter::SellerCancelledOrders], purchased, cancel::amounts(record, t));
            let late = late_shipment::amounts(record, &shipping, t);
            tally.add_each(late_shipment::COUNTERS, record.order.latest_ship_at, late);
            delivery::tally(record, t, tally);
            tally.add_each([Counter::RefundedOrders(channel)], purchased, [i64::from(refunds::refunded_by(record, t))]);
            let invoice = invoices::amounts(record, tally.calendar(), t);
            tally.add_each(invoices::COUNTERS, purchased, invoice);
            returns::tally(record, policy, t, tally);
            surveys::tally(record, t, tally);
            let fulfilled = i64::from(policy_compliance::fulfilled(record, &shipping, t));
            tally.add_each([Counter::FulfilledOrders], purchased, [fulfilled]);
            seller_rating::tally(record, policy, t, tally);
        }

        fn base() -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2026, 3, 6, 22, 0, 0).unwrap()
        }

        fn at(hours: i64) -> DateTime<Utc> {
            base() + Duration::hours(hours)
        }

        #[derive(Debug, Clone)]
        enum Gen {
            Ship { hours: i64, tracking: u8, units: u32, whole: bool, unknown: bool },
            Scan { tracking: u8, first: Option<i64>, delivered: Option<i64> },
            Cancel { hours: i64, initiator: u8 },
            Feedback { hours: i64, stars: i32, fulfillment: bool },
            Update { hours: i64, action: u8 },
            Claim { id: u8, hours: i64, outcome: u8, decided: Option<i64> },
            Chargeback { hours: i64, service: bool },
            Return { id: u8, hours: i64, responded: Option<i64>, outcome: u8, negative: bool, unknown: bool },
            Refund { hours: i64 },
            Invoice { hours: i64 },
            Survey { hours: i64, satisfied: bool },
            Message { id: u8, hours: i64, reply: Option<i64> },
        }

        fn gen_fact() -> impl Strategy<Value = Gen> {
            let h = 0..1500i64;
            prop_oneof![
                (h.clone(), 0..3u8, 1..3u32, any::<bool>(), any::<bool>()).prop_map(
                    |(hours, tracking, units, whole, unknown)| Gen::Ship { hours, tracking, units, whole, unknown }
                ),
                (0..3u8, proptest::option::of(0..1500i64), proptest::option::of(0..1500i64))
                    .prop_map(|(tracking, first, delivered)| Gen::Scan { tracking, first, delivered }),
                (h.clone(), 0..4u8).prop_map(|(hours, initiator)| Gen::Cancel { hours, initiator }),
                (h.clone(), 1..=5i32, any::<bool>()).prop_map(|(hours, stars, fulfillment)| Gen::Feedback {
                    hours,
                    stars,
                    fulfillment
                }),
                (h.clone(), 0..3u8).prop_map(|(hours, action)| Gen::Update { hours, action }),
                (0..2u8, h.clone(), 0..4u8, proptest::option::of(0..1500i64))
                    .prop_map(|(id, hours, outcome, decided)| Gen::Claim { id, hours, outcome, decided }),
                (h.clone(), any::<bool>()).prop_map(|(hours, service)| Gen::Chargeback { hours, service }),
                (0..2u8, h.clone(), proptest::option::of(0..1500i64), 0..4u8, any::<bool>(), any::<bool>()).prop_map(
                    |(id, hours, responded, outcome, negative, unknown)| Gen::Return {
                        id,
                        hours,
                        responded,
                        outcome,
                        negative,
                        unknown
                    }
                ),
                h.clone().prop_map(|hours| Gen::Refund { hours }),
                h.clone().prop_map(|hours| Gen::Invoice { hours }),
                (h.clone(), any::<bool>()).prop_map(|(hours, satisfied)| Gen::Survey { hours, satisfied }),
                (0..2u8, h, proptest::option::of(0..200i64)).prop_map(|(id, hours, reply)| Gen::Message {
                    id,
                    hours,
                    reply
                }),
            ]
        }

        fn fact(g: &Gen) -> Fact {
            fact_of("o", g)
        }

        /// A book of order "o" (bought at `base()`, due to ship 40 hours
        /// later, promised `promised` hours later) and the facts `facts`
        /// describe about it, those the rules refuse left out, as any path
        /// leaves them out.
        fn book_of_order_o(
            afn: bool,
            business: bool,
            shipping_unknown: bool,
            units: u32,
            promised: Option<i64>,
            facts: &[Gen],
        ) -> SellerBook {
            let policy = Policy::amazon();
            let mut book = SellerBook::new("s");
            let order = Order {
                order_id: "o".into(),
                marketplace_id: "US".into(),
                purchased_at: base(),
                fulfillment_channel: if afn { FulfillmentChannel::Afn } else { FulfillmentChannel::Mfn },
                latest_ship_at: at(40),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: promised.map(at),
                units,
                business_order: business,
                shipping_unknown,
            };
            let now = at(3000);
            let event = |n: usize, fact: Fact| Event { event_id: format!("e{n}"), seller_id: "s".into(), fact };
            book.apply(&event(0, Fact::Order(order)), now, &policy).unwrap();
            for (n, g) in facts.iter().enumerate() {
                let _ = book.apply(&event(n + 1, fact(g)), now, &policy);
            }
            book
        }

        /// The fact `g` describes about order `order` (its other ids prefixed by the order's).
        fn fact_of(order: &str, g: &Gen) -> Fact {
            let order_id = || order.to_owned();
            match g.clone() {
                Gen::Ship { hours, tracking, units, whole, unknown } => Fact::ShipmentConfirmed(ShipmentConfirmed {
                    shipment_id: format!("{order}s{tracking}").into(),
                    order_id: order_id().into(),
                    confirmed_at: at(hours),
                    carrier: "UPS".into(),
                    tracking_number: format!("{order}T{tracking}").into(),
                    units,
                    carrier_data_unknown: unknown,
                    whole_order: whole,
                }),
                Gen::Scan { tracking, first, delivered } => Fact::CarrierScan(CarrierScan {
                    tracking_number: format!("{order}T{tracking}").into(),
                    first_scan_at: first.map(at),
                    delivered_at: delivered.map(at),
                }),
                Gen::Cancel { hours, initiator } => Fact::Cancellation(Cancellation {
                    order_id: order_id().into(),
                    cancelled_at: at(hours),
                    initiator: [
                        CancellationInitiator::Seller,
                        CancellationInitiator::Buyer,
                        CancellationInitiator::SystemUnshipped,
                        CancellationInitiator::Unknown,
                    ][usize::from(initiator)],
                    reason: String::new(),
                }),
                Gen::Feedback { hours, stars, fulfillment } => Fact::SellerFeedback(SellerFeedback {
                    order_id: order_id().into(),
                    left_at: at(hours),
                    stars,
                    comment: String::new(),
                    fulfillment_related: fulfillment,
                }),
                Gen::Update { hours, action } => Fact::FeedbackUpdate(FeedbackUpdate {
                    order_id: order_id().into(),
                    updated_at: at(hours),
                    action: [FeedbackAction::SellerResponse, FeedbackAction::Removed, FeedbackAction::StruckThrough]
                        [usize::from(action)],
                    response_text: String::new(),
                }),
                Gen::Claim { id, hours, outcome, decided } => Fact::AtozClaim(AtozClaim {
                    claim_id: format!("{order}c{id}").into(),
                    order_id: order_id().into(),
                    filed_at: at(hours),
                    outcome: [
                        ClaimOutcome::Pending,
                        ClaimOutcome::Granted,
                        ClaimOutcome::Denied,
                        ClaimOutcome::Withdrawn,
                    ][usize::from(outcome)],
                    decided_at: decided.map(|d| at(hours + d)),
                }),
                Gen::Chargeback { hours, service } => Fact::Chargeback(Chargeback {
                    chargeback_id: format!("{order}cb{hours}").into(),
                    order_id: order_id().into(),
                    received_at: at(hours),
                    service_related: service,
                }),
                Gen::Return { id, hours, responded, outcome, negative, unknown } => {
                    Fact::ReturnRequest(ReturnRequest {
                        return_id: format!("{order}r{id}").into(),
                        order_id: order_id().into(),
                        requested_at: at(hours),
                        responded_at: responded.map(|r| at(hours + r)),
                        outcome: [
                            ReturnOutcome::Pending,
                            ReturnOutcome::Authorized,
                            ReturnOutcome::RejectedValid,
                            ReturnOutcome::RejectedInvalid,
                        ][usize::from(outcome)],
                        negative_return_feedback: negative,
                        handled_by_marketplace: false,
                        response_time_unknown: unknown,
                    })
                }
                Gen::Refund { hours } => Fact::Refund(Refund {
                    refund_id: format!("{order}rf{hours}").into(),
                    order_id: order_id().into(),
                    refunded_at: at(hours),
                    amount: None,
                }),
                Gen::Invoice { hours } => {
                    Fact::Invoice(Invoice { order_id: order_id().into(), uploaded_at: at(hours) })
                }
                Gen::Survey { hours, satisfied } => Fact::CustomerServiceSurvey(CustomerServiceSurvey {
                    survey_id: format!("{order}sv{hours}").into(),
                    order_id: order_id().into(),
                    responded_at: at(hours),
                    satisfied,
                }),
                Gen::Message { id, hours, reply } => Fact::BuyerMessage(BuyerMessage {
                    message_id: format!("{order}m{id}").into(),
                    marketplace_id: "US".into(),
                    order_id: Some(order_id().into()),
                    received_at: at(hours),
                    first_replied_at: reply.map(|r| at(hours + r)),
                }),
            }
        }

        /// The non-zero totals of `changes` as of each of `instants`.
        fn totals(
            changes: &[(Instant, Counter, Day, i64)],
            instants: &std::collections::BTreeSet<Instant>,
        ) -> Vec<(Instant, Counter, Day, i64)> {
            let mut out = Vec::new();
            for &t in instants {
                let mut totals: std::collections::BTreeMap<(Counter, Day), i64> = Default::default();
                for &(_, counter, day, delta) in changes.iter().filter(|(at, ..)| *at <= t) {
                    *totals.entry((counter, day)).or_default() += delta;
                }
                out.extend(totals.into_iter().filter(|(_, v)| *v != 0).map(|((c, d), v)| (t, c, d, v)));
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

            #[test]
            fn each_metric_at_its_own_instants_changes_as_every_metric_at_every_instant(
                afn in any::<bool>(),
                business in any::<bool>(),
                shipping_unknown in any::<bool>(),
                units in 1..4u32,
                promised in proptest::option::of(24..400i64),
                facts in proptest::collection::vec(gen_fact(), 0..14),
            ) {
                let policy = Policy::amazon();
                let book = book_of_order_o(afn, business, shipping_unknown, units, promised, &facts);
                let record = book.order("o").unwrap();
                let mut own = Vec::new();
                order_changes(record, &policy, &mut |_, counter, day, at, delta| own.push((at, counter, day, delta)));
                let mut every = Vec::new();
                let mut times = Vec::new();
                for times_of in [
                    odr::times, cancel::times, late_shipment::times, delivery::times, refunds::times,
                    surveys::times, policy_compliance::times,
                ] {
                    times_of(record, &mut times);
                }
                invoices::times(record, Calendar::UTC, &mut times);
                returns::times(record, &policy, &mut times);
                seller_rating::times(record, &policy, &mut times);
                crate::timeline::emit(
                    Calendar::UTC,
                    times,
                    |t, tally| tally_all(record, &policy, t, tally),
                    &mut |counter, day, at, delta| every.push((at, counter, day, delta)),
                );
                let instants = own.iter().chain(&every).map(|(at, ..)| *at).collect();
                prop_assert_eq!(totals(&own, &instants), totals(&every, &instants));
            }

            /// The delivery counters, which match each shipment's scans once
            /// per order, count as the definition does, asked of the record
            /// at each instant (SPEC §3): shipments of unknown carrier data,
            /// whole-order shipments and orders of unknown shipping included.
            #[test]
            fn deliveries_count_as_the_definition_counts_at_every_instant(
                afn in any::<bool>(),
                shipping_unknown in any::<bool>(),
                units in 1..4u32,
                promised in proptest::option::of(24..400i64),
                facts in proptest::collection::vec(gen_fact(), 0..14),
            ) {
                let policy = Policy::amazon();
                let book = book_of_order_o(afn, false, shipping_unknown, units, promised, &facts);
                let record = book.order("o").unwrap();
                let mut times = Vec::new();
                delivery::times(record, &mut times);
                seller_rating::times(record, &policy, &mut times);
                times.extend([base(), at(41), at(800), at(2999)]);
                let changes = |tally_at: fn(&OrderRecord, Instant, &mut crate::timeline::Tally)| {
                    let mut changes = Vec::new();
                    crate::timeline::emit(
                        Calendar::UTC,
                        times.clone(),
                        |t, tally| tally_at(record, t, tally),
                        &mut |counter, day, at, delta| changes.push((at, counter, day, delta)),
                    );
                    changes
                };
                let (kept, defined) = (changes(delivery::tally), changes(delivery::tally_by_definition));
                let instants = times.iter().copied().collect();
                prop_assert_eq!(totals(&kept, &instants), totals(&defined, &instants));
            }

            /// The seller rating's classifier, which works out once per order
            /// what does not change with the instant, classes an order as the
            /// definition does, asked of the record at each instant (SPEC §5).
            #[test]
            fn an_order_is_classed_as_the_definition_classes_it_at_every_instant(
                afn in any::<bool>(),
                shipping_unknown in any::<bool>(),
                units in 1..4u32,
                promised in proptest::option::of(24..400i64),
                delivered_in_a_day in any::<bool>(),
                mut facts in proptest::collection::vec(gen_fact(), 0..14),
            ) {
                // Half the orders are shipped whole and delivered the next day
                // by the promised day (the bonus, until something takes it away).
                let promised = if delivered_in_a_day { Some(promised.unwrap_or(48)) } else { promised };
                if delivered_in_a_day {
                    let ship = Gen::Ship { hours: 2, tracking: 0, units, whole: false, unknown: false };
                    facts.splice(0..0, [ship, Gen::Scan { tracking: 0, first: Some(3), delivered: Some(20) }]);
                }
                let policy = Policy::amazon();
                let book = book_of_order_o(afn, false, shipping_unknown, units, promised, &facts);
                let record = book.order("o").unwrap();
                let shipping = crate::order_facts::Shipping::of(record);
                let classifier = seller_rating::Classifier::new(record, shipping, &policy, Calendar::UTC);
                let mut times = Vec::new();
                seller_rating::times(record, &policy, &mut times);
                times.extend([base(), at(41), at(800), at(2999)]);
                for t in times {
                    prop_assert_eq!(classifier.class_at(t), class_by_definition(record, &policy, t), "at {}", t);
                }
            }

            /// A seller's orders summed in parts (as a large seller's are, on
            /// several threads) give the reports of the book summed whole, in
            /// each marketplace: Los Angeles and London days, messages
            /// without an order and a policy violation included.
            #[test]
            fn a_seller_summed_in_parts_or_settled_is_the_seller_summed_whole(
                orders in proptest::collection::vec(
                    (any::<bool>(), any::<bool>(), proptest::collection::vec(gen_fact(), 0..6)),
                    1..12,
                ),
                orders_per_part in 1..5usize,
                // Within the facts' 1,500 hours, or about 485 days on, where
                // the first day a report reads (settling the orders whose
                // changes all lie before it) sweeps across them.
                as_of_hours in prop_oneof![0..1600i64, 10_500..14_500i64],
            ) {
                let policy = Policy::amazon();
                let mut book = SellerBook::new("s");
                let now = at(3000);
                let mut n = 0;
                let mut apply = |book: &mut SellerBook, fact: Fact| {
                    n += 1;
                    // Facts the rules refuse are left out, as any path leaves them out.
                    let _ = book.apply(&Event { event_id: format!("e{n}"), seller_id: "s".into(), fact }, now, &policy);
                };
                for (i, (london, afn, facts)) in orders.iter().enumerate() {
                    let order_id = format!("o{i}");
                    apply(&mut book, Fact::Order(Order {
                        order_id: order_id.clone().into(),
                        marketplace_id: if *london { "A1F83G8C2ARO7P" } else { "ATVPDKIKX0DER" }.into(),
                        purchased_at: at(i64::try_from(i).unwrap() * 7),
                        fulfillment_channel: if *afn { FulfillmentChannel::Afn } else { FulfillmentChannel::Mfn },
                        latest_ship_at: at(40),
                        promised_delivery_earliest_at: None,
                        promised_delivery_latest_at: Some(at(200)),
                        units: 1,
                        business_order: false,
                        shipping_unknown: false,
                    }));
                    for g in facts {
                        apply(&mut book, fact_of(&order_id, g));
                    }
                }
                apply(&mut book, Fact::BuyerMessage(BuyerMessage {
                    message_id: "loose".into(),
                    marketplace_id: "ATVPDKIKX0DER".into(),
                    order_id: None,
                    received_at: at(30),
                    first_replied_at: Some(at(90)),
                }));
                apply(&mut book, Fact::PolicyViolation(PolicyViolation {
                    violation_id: "v".into(),
                    marketplace_id: "A1F83G8C2ARO7P".into(),
                    category: PolicyCategory::ListingPolicyViolations,
                    severity: ViolationSeverity::High,
                    occurred_at: at(50),
                    resolved_at: None,
                    description: String::new(),
                }));
                let as_of = at(as_of_hours);
                let parts = evaluate_seller_in_parts(&book, &policy, as_of, orders_per_part);
                let whole: Vec<AccountHealthReport> = parts
                    .iter()
                    .map(|report| evaluate_book(&book, &policy, &report.marketplace_id, as_of))
                    .collect();
                prop_assert_eq!(&parts, &whole);
                // Every order's tally at each of its change instants, none settled.
                let marketplaces: Vec<&str> = parts.iter().map(|r| r.marketplace_id.as_str()).collect();
                let unsettled = evaluate_seller_settled(&book, &policy, as_of, orders_per_part, &marketplaces, None).0;
                prop_assert_eq!(&parts, &unsettled);
            }
        }
    }
}
