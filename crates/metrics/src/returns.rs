//! Return dissatisfaction rate (SPEC §3): return requests with negative return
//! feedback, a response later than the policy's hours, or an invalid rejection
//! (counted once) ÷ return requests, by requested date.

use chrono::Duration;
use sellerhealth_domain::time::shift;
use sellerhealth_domain::{Instant, OrderRecord, Policy, ReturnOutcome, ReturnRequest, versions};

use crate::counters::Counter;
use crate::timeline::{Tally, just_after};

fn response_deadline(request: &ReturnRequest, policy: &Policy) -> Instant {
    shift(request.requested_at, Duration::hours(i64::from(policy.return_response_hours)))
}

/// Instants where the order's return counters may change.
pub(crate) fn times(record: &OrderRecord, policy: &Policy, out: &mut Vec<Instant>) {
    out.extend(versions::change_instants(&record.returns));
    out.extend(record.returns.iter().map(|r| just_after(response_deadline(r, policy))));
}

/// Whether the return is a dissatisfaction at `t`. Negative return feedback counts
/// from the response (or the request, if unanswered).
/// A return whose response time is unknown is never late, and its outcome
/// counts from the request.
pub fn is_dissatisfied(request: &ReturnRequest, policy: &Policy, t: Instant) -> bool {
    let deadline = response_deadline(request, policy);
    let answered_at = if request.response_time_unknown { Some(request.requested_at) } else { request.responded_at };
    let answered_in_time = request.response_time_unknown || request.responded_at.is_some_and(|r| r <= deadline);
    let late = t > deadline && !answered_in_time;
    let invalid = request.outcome == ReturnOutcome::RejectedInvalid && answered_at.is_some_and(|r| r <= t);
    let feedback_at = answered_at.unwrap_or(request.requested_at);
    let negative = request.negative_return_feedback && feedback_at <= t;
    late || invalid || negative
}

/// Counts each return request, and its dissatisfaction once there is one, by
/// the version of the request standing at `t` (facts with one `return_id` are
/// versions of one return: the answer added later); a return the marketplace
/// handled is not the seller's to answer and counts nowhere.
pub(crate) fn tally(record: &OrderRecord, policy: &Policy, t: Instant, tally: &mut Tally) {
    let standing = versions::standing(&record.returns, t);
    for request in standing.into_iter().filter(|r| r.requested_at <= t && !r.handled_by_marketplace) {
        let day = tally.day_of(request.requested_at);
        tally.count(Counter::ReturnRequests, day);
        if is_dissatisfied(request, policy, t) {
            tally.count(Counter::ReturnsDissatisfied, day);
        }
    }
}
