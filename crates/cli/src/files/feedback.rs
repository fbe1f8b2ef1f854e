//! Seller Central's feedback file (`GET_SELLER_FEEDBACK_DATA`).

use chrono::NaiveDate;
use sellerhealth_domain::time::check_day;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

use super::{END_OF_DAY, FileError, Parsed, field, read_table, timestamp};

/// How the day, month and year of a feedback date are ordered (Seller Central
/// writes dates in the marketplace's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// `MM/DD/YY` (amazon.com).
    Mdy,
    /// `DD/MM/YY` (Europe).
    Dmy,
    /// `YY/MM/DD` (Japan).
    Ymd,
}

/// A feedback date in `order`, read by chrono: a two-digit year (`05/06/26`)
/// is 20YY (chrono reads 00 to 69 so; 70 to 99 are 19YY, outside any feedback),
/// a four-digit year (`05/06/2026`) as written.
fn feedback_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let formats: [&str; 2] = match order {
        DateOrder::Mdy => ["%m/%d/%y", "%m/%d/%Y"],
        DateOrder::Dmy => ["%d/%m/%y", "%d/%m/%Y"],
        DateOrder::Ymd => ["%y/%m/%d", "%Y/%m/%d"],
    };
    formats.iter().find_map(|format| NaiveDate::parse_from_str(text.trim(), format).ok())
}

/// Reads Seller Central's feedback file (GET_SELLER_FEEDBACK_DATA: `Date`,
/// `Rating`, `Comments`, `Response`, `Order ID`, `Rater Email`, tab-separated)
/// into `SellerFeedback` events, plus a `FeedbackUpdate` for each public
/// response. The file has dates only: feedback counts as left at 23:59:59 UTC
/// of its date. The rater's e-mail is personal data and is never read.
pub fn parse_feedback_file(text: &str, seller_id: &str, order: DateOrder) -> Result<Parsed, FileError> {
    let mut parsed = Parsed::default();
    let (header, rows) = read_table(text)?;
    let date = header.require("date")?;
    let rating = header.require("rating")?;
    let comments = header.require("comments")?;
    let response = header.optional("response");
    let order_id = header.require("order id")?;

    for (number, row) in &rows {
        let Some(record) = parsed.row(*number, row) else { continue };
        let (number, field) = (*number, |i: usize| field(record, i));
        let Some(day) = feedback_date(field(date), order) else {
            let shape = match order {
                DateOrder::Mdy => "MM/DD/YY",
                DateOrder::Dmy => "DD/MM/YY",
                DateOrder::Ymd => "YY/MM/DD",
            };
            parsed.reject(number, format!("Date {:?} is not a {shape} date", field(date)));
            continue;
        };
        let left_at = match check_day("Date", day) {
            Ok(day) => day.and_time(END_OF_DAY).and_utc(),
            Err(error) => {
                parsed.reject(number, error.to_string());
                continue;
            }
        };
        let stars = match field(rating).parse::<i32>() {
            Ok(stars @ 1..=5) => stars,
            _ => {
                parsed.reject(number, format!("Rating {:?} is not 1 to 5", field(rating)));
                continue;
            }
        };
        let id = field(order_id);
        if id.is_empty() {
            parsed.reject(number, "Order ID is empty");
            continue;
        }
        parsed.events.push((
            number,
            pb::Event {
                event_id: format!("feedback:{id}"),
                seller_id: seller_id.to_owned(),
                fact: Some(Fact::SellerFeedback(pb::SellerFeedback {
                    order_id: id.to_owned(),
                    left_at: Some(timestamp(left_at)),
                    stars,
                    comment: field(comments).to_owned(),
                    fulfillment_related: false,
                })),
            },
        ));
        if let Some(text) = response.map(field).filter(|r| !r.is_empty()) {
            parsed.events.push((
                number,
                pb::Event {
                    event_id: format!("feedback-response:{id}"),
                    seller_id: seller_id.to_owned(),
                    fact: Some(Fact::FeedbackUpdate(pb::FeedbackUpdate {
                        order_id: id.to_owned(),
                        updated_at: Some(timestamp(left_at)),
                        action: pb::FeedbackAction::SellerResponse as i32,
                        response_text: text.to_owned(),
                    })),
                },
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;
    use crate::files::testing::*;

    #[test]
    fn feedback_dates_outside_the_range_are_refused_by_line() {
        let report = format!(
            "{FEEDBACK_HEADER}12/31/1969\t5\tok\t\t111-1\tx\n12/31/2199\t5\tok\t\t111-2\tx\n\
             01/01/2200\t5\tok\t\t111-3\tx\n-1/+1/26\t5\tok\t\t111-4\tx\n01/01/026\t5\tok\t\t111-5\tx\n"
        );
        let parsed = parse_feedback_file(&report, "s", DateOrder::Mdy).unwrap();
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(
            reasons(&parsed),
            [
                (2, format!("Date: 1969-12-31 is outside the supported range {RANGE}").as_str()),
                (4, format!("Date: 2200-01-01 is outside the supported range {RANGE}").as_str()),
                (5, "Date \"-1/+1/26\" is not a MM/DD/YY date"),
                // chrono reads a three-digit year as written.
                (6, format!("Date: 0026-01-01 is outside the supported range {RANGE}").as_str()),
            ]
        );
    }

    /// Issue 14: the feedback file as a spreadsheet saves it (commas, quoted
    /// fields with commas and line breaks, CRLF, `Date` capitalised) reads like
    /// Seller Central's tab-separated download.
    #[test]
    fn the_comma_separated_spreadsheet_copy_of_the_feedback_file_is_read() {
        let csv = "Date,Rating,Comments,Response,Order ID,Rater Email\r\n\
                   05/06/26,1,\"Arrived broken, box crushed\nand late\",,111-1,b1@example.com\r\n\
                   05/07/26,5,Great mug,\"Thank you, come again!\",111-2,b2@example.com\r\n\
                   \r\n\
                   05/08/26,7,Too good,,111-3,b3@example.com\r\n\
                   05/09/26,4,\"never closed\r\n";
        let parsed = parse_feedback_file(csv, "s", DateOrder::Mdy).unwrap();
        // Records start on lines 2, 4, 6 and 7: the first spans two lines, line 5 is blank.
        assert_eq!(parsed.rows, 4);
        assert_eq!(reasons(&parsed), [(6, "Rating \"7\" is not 1 to 5"), (7, "expected 6 columns, found 3")]);
        let ids: Vec<(usize, &str)> = parsed.events.iter().map(|(line, e)| (*line, e.event_id.as_str())).collect();
        assert_eq!(ids, [(2, "feedback:111-1"), (4, "feedback:111-2"), (4, "feedback-response:111-2")]);
        let Some(Fact::SellerFeedback(first)) = &parsed.events[0].1.fact else { panic!() };
        assert_eq!((first.stars, first.comment.as_str()), (1, "Arrived broken, box crushed\nand late"));
        let Some(Fact::FeedbackUpdate(reply)) = &parsed.events[2].1.fact else { panic!() };
        assert_eq!(reply.response_text, "Thank you, come again!");

        // The same rows as Seller Central writes them, tab-separated, give the same events.
        let tsv = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n\
                   05/06/26\t1\tArrived broken\t\t111-1\tb1@example.com\n\
                   05/07/26\t5\tGreat mug\tThank you, come again!\t111-2\tb2@example.com\n";
        let from_tsv = parse_feedback_file(tsv, "s", DateOrder::Mdy).unwrap();
        let tsv_ids: Vec<&str> = from_tsv.events.iter().map(|(_, e)| e.event_id.as_str()).collect();
        assert_eq!(tsv_ids, ["feedback:111-1", "feedback:111-2", "feedback-response:111-2"]);
        assert_eq!(from_tsv.events[1].1, parsed.events[1].1);
    }

    #[test]
    fn dates_follow_the_marketplace_order() {
        assert_eq!(feedback_date("05/03/26", DateOrder::Mdy), NaiveDate::from_ymd_opt(2026, 5, 3));
        assert_eq!(feedback_date("05/03/26", DateOrder::Dmy), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(feedback_date("2026/03/05", DateOrder::Ymd), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(feedback_date("13/01/26", DateOrder::Mdy), None);
        assert_eq!(feedback_date("2026-01-13", DateOrder::Mdy), None);
    }
}
