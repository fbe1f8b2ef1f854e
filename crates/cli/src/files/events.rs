//! JSON lines of contract events, for the facts no Seller Central file carries.

use super::Parsed;

/// Lines of a text file without a UTF-8 byte order mark, numbered from 1;
/// `\r\n` endings are accepted.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.strip_prefix('\u{feff}').unwrap_or(text).lines().enumerate().map(|(i, line)| (i.saturating_add(1), line))
}

/// Reads JSON lines, one contract `Event` each in the protobuf JSON mapping (as
/// grpcurl prints it: `{"eventId": …, "sellerId": …, "order": {…}}`).
pub fn parse_event_lines(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (number, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        parsed.count_row();
        match crate::wire_json::event_from_json(line) {
            Ok(event) => parsed.events.push((number, event)),
            Err(error) => parsed.reject(number, error),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;
    use crate::files::testing::*;

    #[test]
    fn event_timestamps_outside_the_range_are_refused_by_line() {
        let parsed = parse_event_lines(
            "{\"eventId\":\"c\",\"sellerId\":\"s\",\"cancellation\":{\"orderId\":\"1\",\"cancelledAt\":\"1969-12-31T23:59:59Z\"}}\n\
             {\"eventId\":\"o\",\"sellerId\":\"s\",\"order\":{\"orderId\":\"1\",\"purchasedAt\":\"2199-12-31T23:59:59Z\"}}\n",
        );
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(
            reasons(&parsed),
            [(
                1,
                format!("cancellation.cancelled_at: 1969-12-31 23:59:59 UTC is outside the supported range {RANGE}")
                    .as_str()
            )]
        );
    }
}
