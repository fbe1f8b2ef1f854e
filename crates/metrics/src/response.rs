//! Contact response time (SPEC §3): buyer messages first answered within the SLA ÷
//! messages answered or overdue, the average response time and its 90th percentile.

use chrono::Duration;
use sellerhealth_domain::time::shift;
use sellerhealth_domain::{BuyerMessage, Day, DayRange, Instant, Policy, TargetCondition, versions};

use crate::counters::{Counter, CounterSource};
use crate::rate::{Metric, MetricStatus};
use crate::timeline::{Emitter, Tally, just_after};

/// Response buckets above this many hours are pooled into it.
pub const MAX_RESPONSE_HOURS_BUCKET: u32 = 24 * 120;

/// Contact response time over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactResponseTime {
    /// Which window.
    pub metric: Metric,
    /// Days counted, by message received date.
    pub days: DayRange,
    /// Window length.
    pub window_days: u32,
    /// First answered within the SLA.
    pub on_time: i64,
    /// Answered after the SLA, or unanswered past it.
    pub late: i64,
    /// Unanswered and still inside the SLA: counted in neither.
    pub pending: i64,
    /// `on_time / (on_time + late)`.
    pub rate: Option<f64>,
    /// Mean first-response time of the answered messages, in hours.
    pub average_response_hours: Option<f64>,
    /// Smallest whole number of hours within which at least 90% were answered.
    pub p90_response_hours: Option<u32>,
    /// The SLA in hours.
    pub sla_hours: u32,
    /// Target share answered within the SLA.
    pub target: f64,
    /// Direction.
    pub condition: TargetCondition,
    /// Status against the target.
    pub status: MetricStatus,
}

/// The contributions of every buyer message. Facts with one `message_id` are
/// versions of one message (the reply added later): as of each instant the
/// version standing then counts (`sellerhealth_domain::versions`).
pub(crate) fn changes<'a>(
    emitter: &mut Emitter,
    messages: &'a [BuyerMessage],
    policy: &Policy,
    out: &mut impl FnMut(&'a str, Counter, Day, Instant, i64),
) {
    if messages.is_empty() {
        // Most orders have none: nothing to group.
        return;
    }
    let deadline = |message: &BuyerMessage| reply_deadline(message, policy);
    for message in versions::subjects(messages) {
        let Some(marketplace_id) = message.first().map(|m| m.marketplace_id.as_str()) else { continue };
        emitter.emit(
            policy.calendar(marketplace_id),
            |times| {
                times.extend(versions::change_instants(message.iter().copied()));
                times.extend(message.iter().map(|m| just_after(deadline(m))));
            },
            |t, into| {
                if let Some(m) = versions::standing_of(&message, t) {
                    tally(m, deadline(m), t, into);
                }
            },
            &mut |counter, day, at, delta| out(marketplace_id, counter, day, at, delta),
        );
    }
}

/// When a reply to `message` stops being on time: the policy's SLA after it came.
pub(crate) fn reply_deadline(message: &BuyerMessage, policy: &Policy) -> Instant {
    shift(message.received_at, Duration::hours(i64::from(policy.contact_response.sla_hours)))
}

fn tally(message: &BuyerMessage, deadline: Instant, t: Instant, tally: &mut Tally) {
    if t < message.received_at {
        return;
    }
    let day = tally.day_of(message.received_at);
    tally.count(Counter::MessagesReceived, day);
    match message.first_replied_at.filter(|r| *r <= t) {
        Some(replied) => {
            let seconds = replied.signed_duration_since(message.received_at).num_seconds();
            let hours =
                u32::try_from(seconds.saturating_add(3599) / 3600).unwrap_or(u32::MAX).min(MAX_RESPONSE_HOURS_BUCKET);
            tally.count(Counter::MessagesAnswered, day);
            tally.add(Counter::ResponseSeconds, day, seconds);
            tally.count(Counter::ResponseHours(hours), day);
            let on_time = replied <= deadline;
            tally.count(if on_time { Counter::MessagesOnTime } else { Counter::MessagesLate }, day);
        }
        None if t > deadline => tally.count(Counter::MessagesLate, day),
        None => {}
    }
}

/// Contact response time over the window of `window_days` ending on `as_of`'s day.
pub fn evaluate(
    source: &impl CounterSource,
    policy: &Policy,
    marketplace_id: &str,
    window_days: u32,
    as_of: Instant,
) -> ContactResponseTime {
    let days = DayRange::ending_before(policy.calendar(marketplace_id).day_of(as_of), window_days, 0);
    let total = |counter| source.total(marketplace_id, counter, days, as_of);
    let on_time = total(Counter::MessagesOnTime);
    let late = total(Counter::MessagesLate);
    let answered = total(Counter::MessagesAnswered);
    let received = total(Counter::MessagesReceived);
    let contact = &policy.contact_response;
    // Counter totals are sums of counts: saturating only matters for nonsense input.
    let rate = (on_time.saturating_add(late) > 0).then(|| on_time as f64 / on_time.saturating_add(late) as f64);
    let status = match rate {
        None => MetricStatus::None,
        Some(r) if contact.condition.is_met(r, contact.target) => MetricStatus::Good,
        Some(_) => MetricStatus::Bad,
    };
    let average_response_hours =
        (answered > 0).then(|| total(Counter::ResponseSeconds) as f64 / answered as f64 / 3600.0);
    ContactResponseTime {
        metric: Metric::ContactResponseTime { window_days },
        days,
        window_days,
        on_time,
        late,
        pending: received.saturating_sub(on_time).saturating_sub(late),
        rate,
        average_response_hours,
        p90_response_hours: p90(&source.response_hours(marketplace_id, days, as_of)),
        sla_hours: contact.sla_hours,
        target: contact.target,
        condition: contact.condition,
        status,
    }
}

/// The smallest `h` such that at least 90% of the answers took at most `h` hours.
fn p90(buckets: &[(u32, i64)]) -> Option<u32> {
    // Counts of answers: saturating only matters for nonsense input.
    let answered: i64 = buckets.iter().map(|(_, n)| *n).fold(0, i64::saturating_add);
    if answered <= 0 {
        return None;
    }
    let mut seen: i64 = 0;
    for &(hours, n) in buckets {
        seen = seen.saturating_add(n);
        // seen / answered >= 90%, in i128 where neither product can overflow.
        if i128::from(seen).saturating_mul(10) >= i128::from(answered).saturating_mul(9) {
            return Some(hours);
        }
    }
    buckets.last().map(|(h, _)| *h)
}

#[cfg(test)]
mod tests {
    use super::p90;

    #[test]
    fn p90_is_the_smallest_hour_covering_ninety_percent() {
        // 10 answers: 8 within 1 h, 1 within 3 h, 1 within 30 h: 9 of 10 within 3 h.
        assert_eq!(p90(&[(1, 8), (3, 1), (30, 1)]), Some(3));
        // 20 answers: 17 within 2 h is 85%; 18 within 5 h is 90%.
        assert_eq!(p90(&[(2, 17), (5, 1), (9, 2)]), Some(5));
        assert_eq!(p90(&[]), None);
    }
}
