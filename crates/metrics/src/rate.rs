//! Rate metrics as reported: window, counts, rate, target, status (SPEC §2, §8),
//! and the table that says which counters make each rate.

use std::collections::BTreeSet;

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Day, DayRange, FulfillmentChannel, Instant, Policy, RateTarget, TargetCondition, day_of};

use crate::counters::{Counter, CounterSource};

/// Which metric a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Order defect rate, seller-fulfilled.
    OrderDefectRateMfn,
    /// Order defect rate, fulfilled by the marketplace.
    OrderDefectRateAfn,
    /// Pre-fulfilment cancel rate.
    PreFulfillmentCancelRate,
    /// Late shipment rate, 10-day window.
    LateShipmentRate10d,
    /// Late shipment rate, 30-day window.
    LateShipmentRate30d,
    /// Valid tracking rate.
    ValidTrackingRate,
    /// On-time delivery rate.
    OnTimeDeliveryRate,
    /// Unit on-time delivery rate.
    UnitOnTimeDeliveryRate,
    /// Contact response time over a window of this many days.
    ContactResponseTime {
        /// Window length.
        window_days: u32,
    },
    /// Return dissatisfaction rate.
    ReturnDissatisfactionRate,
    /// Refund rate.
    RefundRate,
    /// Customer service dissatisfaction rate.
    CustomerServiceDissatisfactionRate,
    /// Invoice defect rate.
    InvoiceDefectRate,
    /// Account Health Rating.
    AccountHealthRating,
}

/// How a metric compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricStatus {
    /// Meets the target.
    Good,
    /// Misses the target.
    Bad,
    /// No data: the denominator is 0.
    None,
}

/// Which counters make a rate, its window and its target.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSpec {
    /// Which metric.
    pub metric: Metric,
    /// Window, lag, target, direction, penalised.
    pub target: RateTarget,
    /// Counters summed for the numerator (defects, or successes for GREATER_THAN).
    pub numerator: Vec<Counter>,
    /// Counters summed for the denominator.
    pub denominator: Vec<Counter>,
    /// Counters of the items the metric would count but cannot, for lack of data
    /// (orders whose shipping is unknown); empty for metrics that never lack it.
    pub without_data: Vec<Counter>,
    /// Counters of the shipments the metric would count but cannot, for lack of
    /// carrier data; empty for metrics that do not read carrier scans.
    pub without_carrier_data: Vec<Counter>,
}

impl RateSpec {
    /// Every rate metric of SPEC §2 under `policy`, ODR first.
    pub fn all(policy: &Policy) -> Vec<RateSpec> {
        use Counter as C;
        use FulfillmentChannel::{Afn, Mfn};
        let spec = |metric, target: RateTarget, numerator: &[Counter], denominator: &[Counter]| RateSpec {
            metric,
            target,
            numerator: numerator.to_vec(),
            denominator: denominator.to_vec(),
            without_data: Vec::new(),
            without_carrier_data: Vec::new(),
        };
        let lacking = |spec: RateSpec, orders: Counter, shipments: Option<Counter>| RateSpec {
            without_data: vec![orders],
            without_carrier_data: shipments.into_iter().collect(),
            ..spec
        };
        vec![
            spec(Metric::OrderDefectRateMfn, policy.order_defect_rate, &[C::DefectiveOrders(Mfn)], &[C::Orders(Mfn)]),
            spec(Metric::OrderDefectRateAfn, policy.order_defect_rate, &[C::DefectiveOrders(Afn)], &[C::Orders(Afn)]),
            spec(
                Metric::PreFulfillmentCancelRate,
                policy.pre_fulfillment_cancel_rate,
                &[C::SellerCancelledOrders],
                &[C::Orders(Mfn)],
            ),
            lacking(
                spec(
                    Metric::LateShipmentRate10d,
                    policy.late_shipment_rate_10d,
                    &[C::LateShipments],
                    &[C::ShipmentsDue],
                ),
                C::ShipmentDataMissing,
                None,
            ),
            lacking(
                spec(
                    Metric::LateShipmentRate30d,
                    policy.late_shipment_rate_30d,
                    &[C::LateShipments],
                    &[C::ShipmentsDue],
                ),
                C::ShipmentDataMissing,
                None,
            ),
            // Orders of unknown shipping have no confirmation day: counted by
            // their latest-ship day, the day they were due to be confirmed by.
            lacking(
                spec(
                    Metric::ValidTrackingRate,
                    policy.valid_tracking_rate,
                    &[C::ValidTracking],
                    &[C::ShipmentsConfirmed],
                ),
                C::ShipmentDataMissing,
                Some(C::CarrierDataMissing),
            ),
            lacking(
                spec(
                    Metric::OnTimeDeliveryRate,
                    policy.on_time_delivery_rate,
                    &[C::OnTimeDeliveries],
                    &[C::TrackedDeliveries],
                ),
                C::DeliveryDataMissing,
                Some(C::DeliveryCarrierDataMissing),
            ),
            lacking(
                spec(
                    Metric::UnitOnTimeDeliveryRate,
                    policy.unit_on_time_delivery_rate,
                    &[C::UnitsOnTime],
                    &[C::UnitsPromised],
                ),
                C::DeliveryDataMissing,
                Some(C::DeliveryCarrierDataMissing),
            ),
            spec(
                Metric::ReturnDissatisfactionRate,
                policy.return_dissatisfaction_rate,
                &[C::ReturnsDissatisfied],
                &[C::ReturnRequests],
            ),
            spec(
                Metric::RefundRate,
                policy.refund_rate,
                &[C::RefundedOrders(Mfn), C::RefundedOrders(Afn)],
                &[C::Orders(Mfn), C::Orders(Afn)],
            ),
            spec(
                Metric::CustomerServiceDissatisfactionRate,
                policy.customer_service_dissatisfaction_rate,
                &[C::SurveysDissatisfied],
                &[C::SurveyResponses],
            ),
            spec(Metric::InvoiceDefectRate, policy.invoice_defect_rate, &[C::InvoiceDefects], &[C::BusinessOrders]),
        ]
    }

    /// The window this rate covers when evaluated on `day`'s figures.
    pub fn days(&self, day: Day) -> DayRange {
        DayRange::ending_before(day, self.target.window_days, self.target.lag_days)
    }

    /// Numerator and denominator over `days` with the facts known at `as_of`.
    pub fn counts(
        &self,
        source: &impl CounterSource,
        marketplace_id: &str,
        days: DayRange,
        as_of: Instant,
    ) -> (i64, i64) {
        let sum = |counters: &[Counter]| sum(source, marketplace_id, counters, days, as_of);
        (sum(&self.numerator), sum(&self.denominator))
    }

    /// The days on which the rate's figures may change, given the facts in
    /// `source`: each attribution day entering the window (the day plus the lag)
    /// and leaving it (plus lag and window), and each day a change becomes
    /// effective. Between two of them the figures of a day stay the same, so
    /// searches over days step through these (as many as the facts, whatever
    /// dates they carry).
    pub fn change_days(&self, source: &impl CounterSource, marketplace_id: &str) -> BTreeSet<Day> {
        let lag = i64::from(self.target.lag_days);
        let leaves = lag.saturating_add(i64::from(self.target.window_days));
        let mut days = BTreeSet::new();
        for &counter in self.numerator.iter().chain(&self.denominator) {
            for (day, effective) in source.change_days(marketplace_id, counter) {
                days.extend([shift_days(day, lag), shift_days(day, leaves), effective]);
            }
        }
        days
    }

    /// The status of `numerator / denominator` against the target.
    pub fn status(&self, numerator: i64, denominator: i64) -> MetricStatus {
        status(&self.target, numerator, denominator)
    }

    /// The metric as of `as_of`, without recovery figures
    /// ([`recovery::evaluate`](crate::recovery::evaluate) adds them).
    pub fn evaluate_figures(&self, source: &impl CounterSource, marketplace_id: &str, as_of: Instant) -> RateMetric {
        let days = self.days(day_of(as_of));
        let (numerator, denominator) = self.counts(source, marketplace_id, days, as_of);
        let mut metric = RateMetric::new(self.metric, &self.target, days, numerator, denominator);
        let sum = |counters: &[Counter]| sum(source, marketplace_id, counters, days, as_of);
        metric.orders_without_shipment_data = sum(&self.without_data);
        metric.shipments_without_carrier_data = sum(&self.without_carrier_data);
        metric
    }
}

/// The sum of `counters` over `days` as of `as_of`; saturating only matters for
/// nonsense input.
fn sum(source: &impl CounterSource, marketplace_id: &str, counters: &[Counter], days: DayRange, as_of: Instant) -> i64 {
    counters.iter().map(|&c| source.total(marketplace_id, c, days, as_of)).fold(0, i64::saturating_add)
}

fn status(target: &RateTarget, numerator: i64, denominator: i64) -> MetricStatus {
    if denominator <= 0 {
        return MetricStatus::None;
    }
    if target.condition.is_met(numerator as f64 / denominator as f64, target.target) {
        MetricStatus::Good
    } else {
        MetricStatus::Bad
    }
}

/// How a BAD rate gets back within target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovery {
    /// Defect-free orders (good units counted by the metric) that would bring the
    /// rate within target now; `None` when no number would (e.g. a target of 0).
    pub additional_defect_free_orders: Option<i64>,
    /// The first future day on which the rate is back within target (or has no
    /// data) as the known facts move through the window, if no new facts arrive;
    /// `None` only if no day would be (facts dated to the end of time).
    pub back_within_target_on: Option<Day>,
}

/// One rate metric over its reporting window.
#[derive(Debug, Clone, PartialEq)]
pub struct RateMetric {
    /// Which metric.
    pub metric: Metric,
    /// Days counted.
    pub days: DayRange,
    /// Window length in days.
    pub window_days: u32,
    /// Days between the evaluation day and the window's end.
    pub lag_days: u32,
    /// Defects (or successes, for GREATER_THAN metrics).
    pub numerator: i64,
    /// Everything counted.
    pub denominator: i64,
    /// `numerator / denominator`; `None` when the denominator is 0.
    pub rate: Option<f64>,
    /// Target ratio.
    pub target: f64,
    /// Direction of the comparison.
    pub condition: TargetCondition,
    /// Status against the target.
    pub status: MetricStatus,
    /// How to get back within target, when BAD.
    pub recovery: Option<Recovery>,
    /// Shipping metrics: orders of the window left out for lack of shipment data
    /// (their shipping is unknown); 0 for the other metrics.
    pub orders_without_shipment_data: i64,
    /// Valid tracking and delivery rates: shipments of the window left out for
    /// lack of carrier data (no carrier scan from their source); 0 for the others.
    pub shipments_without_carrier_data: i64,
}

impl RateMetric {
    /// The metric for `numerator / denominator` under `target`.
    pub fn new(metric: Metric, target: &RateTarget, days: DayRange, numerator: i64, denominator: i64) -> Self {
        RateMetric {
            metric,
            days,
            window_days: target.window_days,
            lag_days: target.lag_days,
            numerator,
            denominator,
            rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
            target: target.target,
            condition: target.condition,
            status: status(target, numerator, denominator),
            recovery: None,
            orders_without_shipment_data: 0,
            shipments_without_carrier_data: 0,
        }
    }
}
