//! Rate metrics as reported: window, counts, rate, target, status (SPEC §2, §8),
//! and the table that says which counters make each rate.

use std::collections::BTreeSet;

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Calendar, Day, DayRange, FulfillmentChannel, Instant, Policy, RateTarget, TargetCondition};

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

    /// The rate's (numerator, denominator) on each day of `from..=to`, each as
    /// of the end of its day or as of `now` if that is earlier: what
    /// [`counts`](Self::counts) gives day by day, in one pass over the changes
    /// (O(changes + days), not one window sum per day). A change known at `now`
    /// counts from the day its attribution day enters the window, or the day
    /// it takes effect if that is later, through the day its attribution day
    /// leaves the window: a difference array over the days, summed once.
    /// Days are `calendar`'s.
    pub fn daily_counts(
        &self,
        source: &impl CounterSource,
        calendar: Calendar,
        marketplace_id: &str,
        from: Day,
        to: Day,
        now: Instant,
    ) -> Vec<(i64, i64)> {
        let gap = |later: Day, earlier: Day| later.signed_duration_since(earlier).num_days();
        let days_from = |day: Day| gap(day, from);
        let last = days_from(to);
        let (first_window, last_window) = (self.days(from), self.days(to));
        // Days from a window's end, and from its start, to the evaluation day.
        let (enters, leaves) = (gap(from, first_window.end), gap(from, first_window.start));
        let uniform = gap(to, last_window.end) == enters && gap(to, last_window.start) == leaves;
        let Ok(length) = usize::try_from(last.saturating_add(1)) else { return Vec::new() };
        if !uniform {
            // Windows cut short at chrono's ends: day by day.
            let days = std::iter::successors(Some(from), Day::succ_opt).take_while(|d| *d <= to);
            return days
                .map(|day| self.counts(source, marketplace_id, self.days(day), calendar.end_of(day).min(now)))
                .collect();
        }
        let mut steps = vec![(0_i64, 0_i64); length.saturating_add(1)];
        for (counters, numerator) in [(&self.numerator, true), (&self.denominator, false)] {
            for &counter in counters {
                for (day, effective, delta) in source.changes(marketplace_id, counter, now) {
                    let day = days_from(day);
                    let start = day.saturating_add(enters).max(days_from(effective)).max(0);
                    let end = day.saturating_add(leaves).min(last);
                    let (Ok(start), Ok(after)) = (usize::try_from(start), usize::try_from(end.saturating_add(1)))
                    else {
                        continue;
                    };
                    if start < after {
                        for (index, delta) in [(start, delta), (after, delta.saturating_neg())] {
                            if let Some(step) = steps.get_mut(index) {
                                let side = if numerator { &mut step.0 } else { &mut step.1 };
                                *side = side.saturating_add(delta);
                            }
                        }
                    }
                }
            }
        }
        let mut running = (0_i64, 0_i64);
        steps
            .into_iter()
            .take(length)
            .map(|(numerator, denominator)| {
                running = (running.0.saturating_add(numerator), running.1.saturating_add(denominator));
                running
            })
            .collect()
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
    /// ([`recovery::evaluate`](crate::recovery::evaluate) adds them), its
    /// window of `calendar`'s days.
    pub fn evaluate_figures(
        &self,
        source: &impl CounterSource,
        calendar: Calendar,
        marketplace_id: &str,
        as_of: Instant,
    ) -> RateMetric {
        let days = self.days(calendar.day_of(as_of));
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::counters::{Contribution, ContributionSet};

    proptest! {
        /// The one pass equals a window sum per day, for every rate, with
        /// changes effective before, on and after their attribution day, and
        /// days after `now`.
        #[test]
        fn daily_counts_equal_a_window_sum_per_day(
            changes in proptest::collection::vec((0_i64..200, -30_i64..120, 0_i64..86_400, -2_i64..4, 0_usize..4), 0..60),
            now_offset in 0_i64..230,
            from_offset in 0_i64..200,
            length in 0_i64..60,
        ) {
            let policy = Policy::amazon();
            let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let specs = RateSpec::all(&policy);
            let counters: Vec<Counter> = specs.iter().flat_map(|s| s.numerator.iter().chain(&s.denominator)).copied().collect();
            let set = ContributionSet::new(changes.iter().map(|&(day, late, second, delta, which)| Contribution {
                marketplace_id: if which == 3 { "CA".into() } else { "US".into() },
                counter: counters[(usize::try_from(day).unwrap() + which) % counters.len()],
                day: (start + Duration::days(day)).date_naive(),
                at: start + Duration::days(day + late) + Duration::seconds(second),
                delta,
            }));
            let now = start + Duration::days(now_offset) + Duration::hours(13);
            let from = (start + Duration::days(from_offset)).date_naive();
            let to = shift_days(from, length);
            for spec in &specs {
                let one_pass = spec.daily_counts(&set, Calendar::UTC, "US", from, to, now);
                let per_day: Vec<(i64, i64)> = std::iter::successors(Some(from), Day::succ_opt)
                    .take_while(|d| *d <= to)
                    .map(|day| spec.counts(&set, "US", spec.days(day), Calendar::UTC.end_of(day).min(now)))
                    .collect();
                prop_assert_eq!(one_pass, per_day, "{:?}", spec.metric);
            }
        }
    }

    #[test]
    fn daily_counts_step_when_a_change_enters_takes_effect_and_leaves() {
        // ODR: 60 days ending 14 days before the evaluation day. An MFN order of
        // 1 March enters the window on 15 March (15 − 14) and leaves it on 14
        // May (the window of 13 May is 1 March to 29 April); its defect (a
        // claim) takes effect on 20 April.
        let policy = Policy::amazon();
        let spec = RateSpec::all(&policy).into_iter().find(|s| s.metric == Metric::OrderDefectRateMfn).unwrap();
        let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).unwrap();
        let contribution =
            |counter, at| Contribution { marketplace_id: "US".into(), counter, day: day(3, 1), at, delta: 1 };
        let set = ContributionSet::new([
            contribution(Counter::Orders(FulfillmentChannel::Mfn), at(3, 1)),
            contribution(Counter::DefectiveOrders(FulfillmentChannel::Mfn), at(4, 20)),
        ]);
        let counts = spec.daily_counts(&set, Calendar::UTC, "US", day(3, 1), day(6, 30), at(7, 1));
        assert_eq!(counts.len(), 122);
        let on = |d: Day| counts[usize::try_from(d.signed_duration_since(day(3, 1)).num_days()).unwrap()];
        assert_eq!(on(day(3, 14)), (0, 0));
        assert_eq!(on(day(3, 15)), (0, 1));
        assert_eq!(on(day(4, 19)), (0, 1));
        assert_eq!(on(day(4, 20)), (1, 1));
        assert_eq!(on(day(5, 13)), (1, 1));
        assert_eq!(on(day(5, 14)), (0, 0));
        // As of 20 April 11:00, the claim (at noon) is not known yet: the last day shows it out.
        let counts =
            spec.daily_counts(&set, Calendar::UTC, "US", day(4, 19), day(4, 21), at(4, 20) - Duration::hours(1));
        assert_eq!(counts, [(0, 1), (0, 1), (0, 1)]);
    }
}
