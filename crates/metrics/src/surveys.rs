//! Customer service dissatisfaction rate (SPEC §3): orders whose latest survey
//! answer is "not satisfied" ÷ orders with an answer, by the answer's date.

use sellerhealth_domain::{Instant, OrderRecord};

use crate::counters::Counter;
use crate::timeline::Tally;

/// Instants where the order's survey counters may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.surveys.iter().map(|s| s.responded_at));
}

/// Counts the order's latest answer by `t` on that answer's day.
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    // Later arrivals win ties, so `max_by_key` (last maximum) is the right pick.
    let Some(latest) = record.surveys.iter().filter(|s| s.responded_at <= t).max_by_key(|s| s.responded_at) else {
        return;
    };
    let day = tally.day_of(latest.responded_at);
    tally.count(Counter::SurveyResponses, day);
    if !latest.satisfied {
        tally.count(Counter::SurveysDissatisfied, day);
    }
}
