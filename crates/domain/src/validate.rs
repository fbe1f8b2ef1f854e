//! Checks a single event can pass on its own (SPEC §1), before any state is consulted.
//!
//! Field paths are relative to the event (`seller_feedback.stars`); the caller adds
//! where the event sits in its request (`events[3].`).

use chrono::Duration;

use crate::error::DomainError;
use crate::facts::{ClaimOutcome, Event, Fact, FeedbackAction, Instant, ReturnOutcome};

/// Longest id accepted (event, seller, order, ... ids), in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Longest free text accepted (comments, reasons, review bodies), in bytes.
pub const MAX_TEXT_LEN: usize = 8192;
/// How far in the future a fact's time may lie, to absorb clock skew.
pub const MAX_FUTURE_SKEW_HOURS: i64 = 24;

/// An order's ship-by date and delivery promise lie ahead of the order by
/// nature, so they are exempt from the future bound that catches clock skew.
const PROMISES: [&str; 3] = ["latest_ship_at", "promised_delivery_earliest_at", "promised_delivery_latest_at"];

type Check = Result<(), DomainError>;

/// Checks everything about `event` that needs no other fact; `now` bounds future times.
pub fn check_event(event: &Event, now: Instant) -> Check {
    id("event_id", &event.event_id)?;
    id("seller_id", &event.seller_id)?;
    check_fact(&event.fact, latest_allowed(now))
}

/// The latest instant a fact arriving at `now` may carry (its promises
/// aside): [`MAX_FUTURE_SKEW_HOURS`] later, for clocks that run ahead.
pub fn latest_allowed(now: Instant) -> Instant {
    crate::time::shift(now, Duration::hours(MAX_FUTURE_SKEW_HOURS))
}

/// The checks of [`check_event`] on its fact alone, given the
/// [`latest_allowed`] instant (a book folding millions of facts with one
/// clock works it out once); an error names the fact's kind.
pub fn check_fact(fact: &Fact, latest_allowed: Instant) -> Check {
    let kind = fact.kind();
    check_fact_fields(fact, latest_allowed).map_err(|e| e.within(kind))
}

fn check_fact_fields(fact: &Fact, latest_allowed: Instant) -> Check {
    for (field, at) in fact.instants() {
        crate::time::check_instant(field, at)?;
        if at > latest_allowed && !PROMISES.contains(&field) {
            return Err(DomainError::invalid(
                field,
                format!("{at} is more than {MAX_FUTURE_SKEW_HOURS} hours in the future"),
            ));
        }
    }
    match fact {
        Fact::Order(o) => {
            id("order_id", &o.order_id)?;
            id("marketplace_id", &o.marketplace_id)?;
            not_before("latest_ship_at", o.latest_ship_at, "purchased_at", o.purchased_at)?;
            if let Some(earliest) = o.promised_delivery_earliest_at {
                not_before("promised_delivery_earliest_at", earliest, "purchased_at", o.purchased_at)?;
            }
            if let Some(latest) = o.promised_delivery_latest_at {
                not_before("promised_delivery_latest_at", latest, "purchased_at", o.purchased_at)?;
                if let Some(earliest) = o.promised_delivery_earliest_at {
                    not_before("promised_delivery_latest_at", latest, "promised_delivery_earliest_at", earliest)?;
                }
            }
            if o.units == 0 {
                return Err(DomainError::invalid("units", "must be at least 1"));
            }
        }
        Fact::ShipmentConfirmed(s) => {
            id("shipment_id", &s.shipment_id)?;
            id("order_id", &s.order_id)?;
            id("tracking_number", &s.tracking_number)?;
            text("carrier", &s.carrier)?;
            match (s.whole_order, s.units) {
                (false, 0) => return Err(DomainError::invalid("units", "must be at least 1")),
                (true, 1..) => {
                    return Err(DomainError::invalid("units", "must be 0 for a whole_order shipment (uncounted)"));
                }
                _ => {}
            }
        }
        Fact::CarrierScan(c) => {
            id("tracking_number", &c.tracking_number)?;
            if c.first_scan_at.is_none() && c.delivered_at.is_none() {
                return Err(DomainError::invalid("first_scan_at", "a scan needs first_scan_at or delivered_at"));
            }
        }
        Fact::Cancellation(c) => {
            id("order_id", &c.order_id)?;
            text("reason", &c.reason)?;
        }
        Fact::SellerFeedback(f) => {
            id("order_id", &f.order_id)?;
            stars("stars", f.stars)?;
            text("comment", &f.comment)?;
        }
        Fact::FeedbackUpdate(u) => {
            id("order_id", &u.order_id)?;
            text("response_text", &u.response_text)?;
            if u.action == FeedbackAction::SellerResponse && u.response_text.trim().is_empty() {
                return Err(DomainError::invalid("response_text", "a seller response needs text"));
            }
        }
        Fact::AtozClaim(c) => {
            id("claim_id", &c.claim_id)?;
            id("order_id", &c.order_id)?;
            match (c.outcome, c.decided_at) {
                (ClaimOutcome::Pending, Some(_)) => {
                    return Err(DomainError::invalid("decided_at", "a pending claim has no decision time"));
                }
                (ClaimOutcome::Pending, None) => {}
                (_, None) => return Err(DomainError::invalid("decided_at", "required unless the claim is pending")),
                (_, Some(decided)) => not_before("decided_at", decided, "filed_at", c.filed_at)?,
            }
        }
        Fact::Chargeback(c) => {
            id("chargeback_id", &c.chargeback_id)?;
            id("order_id", &c.order_id)?;
        }
        Fact::BuyerMessage(m) => {
            id("message_id", &m.message_id)?;
            id("marketplace_id", &m.marketplace_id)?;
            if let Some(order_id) = &m.order_id {
                id("order_id", order_id)?;
            }
            if let Some(replied) = m.first_replied_at {
                not_before("first_replied_at", replied, "received_at", m.received_at)?;
            }
        }
        Fact::ReturnRequest(r) => {
            id("return_id", &r.return_id)?;
            id("order_id", &r.order_id)?;
            match (r.outcome, r.responded_at, r.response_time_unknown) {
                (ReturnOutcome::Pending, Some(_), _) => {
                    return Err(DomainError::invalid("outcome", "a return with responded_at needs an outcome"));
                }
                (ReturnOutcome::Pending, None, true) => {
                    return Err(DomainError::invalid(
                        "response_time_unknown",
                        "a pending return has no response whose time could be unknown",
                    ));
                }
                (ReturnOutcome::Pending, None, false) => {}
                (_, None, false) => {
                    return Err(DomainError::invalid("responded_at", "required once the return is answered"));
                }
                (_, None, true) => {}
                (_, Some(_), true) => {
                    return Err(DomainError::invalid("responded_at", "must be unset when response_time_unknown"));
                }
                (_, Some(at), false) => not_before("responded_at", at, "requested_at", r.requested_at)?,
            }
        }
        Fact::Refund(r) => {
            id("refund_id", &r.refund_id)?;
            id("order_id", &r.order_id)?;
            if let Some(amount) = &r.amount {
                if amount.currency_code.len() != 3 || !amount.currency_code.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(DomainError::invalid("amount.currency_code", "must be a 3-letter ISO 4217 code"));
                }
                if amount.units < 0 || amount.nanos < 0 || amount.nanos >= 1_000_000_000 {
                    return Err(DomainError::invalid("amount", "must be a non-negative amount"));
                }
            }
        }
        Fact::Invoice(i) => id("order_id", &i.order_id)?,
        Fact::CustomerServiceSurvey(s) => {
            id("survey_id", &s.survey_id)?;
            id("order_id", &s.order_id)?;
        }
        Fact::PolicyViolation(v) => {
            id("violation_id", &v.violation_id)?;
            id("marketplace_id", &v.marketplace_id)?;
            text("description", &v.description)?;
            if let Some(resolved) = v.resolved_at {
                not_before("resolved_at", resolved, "occurred_at", v.occurred_at)?;
            }
        }
        Fact::ProductReview(r) => {
            id("review_id", &r.review_id)?;
            id("marketplace_id", &r.marketplace_id)?;
            id("asin", &r.asin)?;
            id("reviewer_id", &r.reviewer_id)?;
            stars("stars", r.stars)?;
            text("title", &r.title)?;
            text("body", &r.body)?;
        }
        Fact::ProductReviewRemoval(r) => id("review_id", &r.review_id)?,
    }
    Ok(())
}

/// Checks an id (of a fact, or of a read request): not blank, at most
/// [`MAX_ID_LEN`] bytes, no control characters.
pub fn id(field: &str, value: &str) -> Check {
    // Ids are nearly always printable ASCII, where the only white space is a
    // space and nothing is a control character: judged by bytes, the same verdicts.
    let printable_ascii = printable_ascii(value.as_bytes());
    let blank = if printable_ascii { value.bytes().all(|b| b == b' ') } else { value.trim().is_empty() };
    if blank {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_ID_LEN {
        return Err(DomainError::invalid(field, format!("longer than {MAX_ID_LEN} bytes")));
    }
    if !printable_ascii && value.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Whether every byte is printable ASCII (space to `~`), eight bytes at a
/// time: every id of every event is checked, a byte at a time was 4% of a
/// batch run.
fn printable_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte, with every byte below 0x80 (so no carry crosses a byte): at
    // least 0x20 when adding 0x60 sets its high bit, at most 0x7e when
    // adding 1 leaves it clear.
    const TO_SPACE: u64 = 0x6060_6060_6060_6060;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let printable = |word: [u8; 8]| {
        let x = u64::from_le_bytes(word);
        x & HIGH == 0 && x.wrapping_add(TO_SPACE) & HIGH == HIGH && x.wrapping_add(ONES) & HIGH == 0
    };
    let mut words = bytes.chunks_exact(8);
    if !words.all(|word| <[u8; 8]>::try_from(word).is_ok_and(printable)) {
        return false;
    }
    // The last bytes as one more word: the final eight bytes when there are
    // that many (some judged twice), else the few padded with spaces.
    let rest = words.remainder();
    let mut last = [b' '; 8];
    match bytes.len().checked_sub(8) {
        Some(from) if !rest.is_empty() => last.copy_from_slice(bytes.get(from..).unwrap_or_default()),
        _ => last.get_mut(..rest.len()).unwrap_or_default().copy_from_slice(rest),
    }
    printable(last)
}

fn text(field: &str, value: &str) -> Check {
    if value.len() > MAX_TEXT_LEN {
        return Err(DomainError::invalid(field, format!("longer than {MAX_TEXT_LEN} bytes")));
    }
    Ok(())
}

fn stars(field: &str, value: i32) -> Check {
    if !(1..=5).contains(&value) {
        return Err(DomainError::invalid(field, format!("must be 1 to 5, got {value}")));
    }
    Ok(())
}

fn not_before(field: &str, at: Instant, other_field: &str, other: Instant) -> Check {
    if at < other {
        return Err(DomainError::invalid(field, format!("{at} is before {other_field} {other}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::facts::{FulfillmentChannel, Order};

    #[test]
    fn every_byte_is_judged_printable_or_not_wherever_it_stands() {
        // Seventeen bytes: two whole words and a remainder, the byte under
        // test at every position of each, among printable neighbours.
        for byte in 0..=u8::MAX {
            for at in 0..17 {
                let mut bytes = [b'a'; 17];
                bytes[at] = byte;
                let expected = (0x20..=0x7e).contains(&byte);
                assert_eq!(printable_ascii(&bytes), expected, "byte {byte:#04x} at {at}");
                // Every length, so the last bytes are a short remainder or a whole word.
                for len in at + 1..=17 {
                    assert_eq!(printable_ascii(&bytes[..len]), expected, "byte {byte:#04x} at {at} of {len}");
                }
            }
        }
        assert!(printable_ascii(b""));
        assert!(printable_ascii(b" ~ ~ ~ ~ ~ ~ ~ ~"));
    }

    #[test]
    fn ids_are_judged_the_same_in_ascii_and_beyond() {
        let verdict = |value: &str| id("order_id", value).err().map(|e| e.to_string());
        let empty = Some("order_id: must not be empty".to_owned());
        let control = Some("order_id: must not contain control characters".to_owned());
        assert_eq!(verdict(""), empty);
        assert_eq!(verdict("   "), empty);
        assert_eq!(verdict(" \t "), empty, "a tab is white space before it is a control character");
        assert_eq!(verdict("\u{3000}"), empty, "an ideographic space is white space");
        assert_eq!(verdict("a\tb"), control);
        assert_eq!(verdict("a\u{7f}"), control, "DEL is outside printable ASCII and a control character");
        assert_eq!(verdict("a\u{85}b"), control);
        assert_eq!(verdict(" 114-3941689-8772232 "), None);
        assert_eq!(verdict("commande-é"), None);
        assert_eq!(verdict(&"a".repeat(MAX_ID_LEN)), None);
        assert_eq!(verdict(&"a".repeat(MAX_ID_LEN + 1)), Some(format!("order_id: longer than {MAX_ID_LEN} bytes")));
    }

    fn order_placed(now: Instant, purchased_at: Instant) -> Check {
        let fact = Fact::Order(Order {
            order_id: "o1".into(),
            marketplace_id: "US".into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: purchased_at + Duration::days(2),
            promised_delivery_earliest_at: Some(purchased_at + Duration::days(3)),
            promised_delivery_latest_at: Some(purchased_at + Duration::days(6)),
            units: 1,
            business_order: false,
            shipping_unknown: false,
        });
        check_event(&Event { event_id: "e1".into(), seller_id: "s1".into(), fact }, now)
    }

    #[test]
    fn a_clock_at_the_end_of_chrono_bounds_the_future_without_overflow() {
        // The clock-skew bound is now + 24 h: it saturates instead of panicking.
        let purchased_at = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("date");
        assert_eq!(order_placed(DateTime::<Utc>::MAX_UTC, purchased_at), Ok(()));
        let error = order_placed(DateTime::<Utc>::MIN_UTC, purchased_at).expect_err("in the future of year -262143");
        assert!(error.to_string().contains("purchased_at"), "{error}");
    }

    #[test]
    fn promises_may_lie_ahead_but_the_purchase_may_not() {
        let now = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("date");
        assert_eq!(order_placed(now, now), Ok(()));
        let error = order_placed(now, now + Duration::hours(25)).expect_err("a purchase 25 h ahead");
        assert!(error.to_string().contains("purchased_at"), "{error}");
    }
}
