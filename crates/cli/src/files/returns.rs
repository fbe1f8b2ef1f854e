//! Seller Central's returns reports: the FBA customer returns report (Reports ›
//! Fulfillment › Customer Returns; `GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`)
//! and the seller-fulfilled returns report (Orders › Manage Returns › Return
//! reports; `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`). The header tells which.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use sellerhealth_domain::time::check_day;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

use super::{DelimitedRecord, END_OF_DAY, FileError, Header, Parsed, field, instant_or_day, read_table, timestamp};

/// Which returns report a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnsReport {
    /// Returns of orders Amazon fulfilled, received at its fulfilment centres.
    FbaCustomerReturns,
    /// Return requests the seller answers (seller-fulfilled orders).
    SellerFulfilledReturns,
}

impl fmt::Display for ReturnsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReturnsReport::FbaCustomerReturns => "the FBA customer returns report",
            ReturnsReport::SellerFulfilledReturns => "the seller-fulfilled returns report",
        })
    }
}

impl ReturnsReport {
    /// The report a header belongs to: FBA's has `detailed-disposition` and
    /// `fulfillment-center-id`, the seller-fulfilled one `Return request date`.
    fn of(header: &Header) -> Option<ReturnsReport> {
        if header.optional("detailed-disposition").is_some() || header.optional("fulfillment-center-id").is_some() {
            Some(ReturnsReport::FbaCustomerReturns)
        } else if header.optional("return request date").is_some() {
            Some(ReturnsReport::SellerFulfilledReturns)
        } else {
            None
        }
    }
}

/// Reads either returns report into `ReturnRequest` events, saying which it
/// was in the first note. What the reports cannot say is not invented:
///
/// - **FBA customer returns**: Amazon handled each of these returns (the seller
///   had no request to answer), so each is sent `handled_by_marketplace`,
///   authorised by Amazon at its `return-date` (the day the fulfilment centre
///   processed it, the only date the report has): it counts in no return
///   dissatisfaction figure, which measures the seller's answers. The order
///   must be an AFN order already imported. Return id: the row's
///   `license-plate-number`, else `{order-id}:{sku}:{return-date}`; event id
///   `fba-return:{return id}`.
/// - **Seller-fulfilled returns**: `Return request status` gives how the
///   request was settled but not when, so an answered one is sent
///   `response_time_unknown` (never judged late; its outcome counts from the
///   request). Pending (Pending, Pending Action, Requested, Open) stays
///   unanswered, and is late once 48 hours pass; Approved, Authorized, Closed,
///   Completed, Refunded or Received is AUTHORIZED; Rejected, Declined or Denied
///   is REJECTED_INVALID when `In policy` says yes (an in-policy return must not
///   be rejected) and REJECTED_VALID otherwise, noted when `In policy` is
///   empty. Return id: `Amazon RMA ID`; the rows of one RMA are one return.
///   Event id `return:{RMA}:{outcome}`, so a later download with a new status
///   adds the return's next state and re-importing the same file adds nothing.
///
/// Dates are ISO 8601 days or dates and times (`2026-05-03`,
/// `2026-05-03T10:00:00+00:00`) or Seller Central's `03-May-2026`; a bare day
/// counts as 23:59:59 UTC.
pub fn parse_returns_report(text: &str, seller_id: &str) -> Result<Parsed, FileError> {
    let mut parsed = Parsed::default();
    let (header, rows) = read_table(text)?;
    let report = ReturnsReport::of(&header).ok_or(FileError::NotAReturnsReport)?;
    parsed.notes.push(format!("read as {report}"));
    let requests = match report {
        ReturnsReport::FbaCustomerReturns => fba_returns(&header, &rows, &mut parsed)?,
        ReturnsReport::SellerFulfilledReturns => seller_fulfilled_returns(&header, &rows, &mut parsed)?,
    };
    for (line, event_id, request) in requests {
        let fact = Some(Fact::ReturnRequest(request));
        parsed.events.push((line, pb::Event { event_id, seller_id: seller_id.to_owned(), fact }));
    }
    Ok(parsed)
}

/// A return's line, event id and fact.
type Request = (usize, String, pb::ReturnRequest);

/// A date of the returns reports: what [`instant_or_day`] reads, or `03-May-2026`.
fn return_date(column: &str, text: &str) -> Result<DateTime<Utc>, String> {
    match NaiveDate::parse_from_str(text, "%d-%b-%Y") {
        Ok(day) => check_day(column, day).map(|day| day.and_time(END_OF_DAY).and_utc()).map_err(|e| e.to_string()),
        Err(_) => instant_or_day(column, text, END_OF_DAY),
    }
}

fn fba_returns(header: &Header, rows: &[DelimitedRecord], parsed: &mut Parsed) -> Result<Vec<Request>, FileError> {
    let return_date_column = header.require("return-date")?;
    let order_id = header.require("order-id")?;
    let sku = header.optional("sku");
    let license_plate = header.optional("license-plate-number");
    let mut requests = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (number, row) in rows {
        let Some(record) = parsed.row(*number, row) else { continue };
        let (number, field) = (*number, |i: usize| field(record, i));
        let order = field(order_id);
        if order.is_empty() {
            parsed.reject(number, "order-id is empty");
            continue;
        }
        let date = field(return_date_column);
        let returned_at = match return_date("return-date", date) {
            Ok(at) => at,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let return_id = match license_plate.map(field).filter(|p| !p.is_empty()) {
            Some(plate) => plate.to_owned(),
            None => format!("{order}:{}:{date}", sku.map(field).unwrap_or_default()),
        };
        if let Some(first) = seen.get(&return_id) {
            parsed.reject(number, format!("return {return_id} is already on line {first}"));
            continue;
        }
        seen.insert(return_id.clone(), number);
        let request = pb::ReturnRequest {
            return_id: return_id.clone(),
            order_id: order.to_owned(),
            requested_at: Some(timestamp(returned_at)),
            responded_at: Some(timestamp(returned_at)),
            outcome: pb::ReturnOutcome::Authorized as i32,
            negative_return_feedback: false,
            handled_by_marketplace: true,
            response_time_unknown: false,
        };
        requests.push((number, format!("fba-return:{return_id}"), request));
    }
    parsed.note_count(
        requests.len(),
        "1 FBA return: Amazon handled it, so it counts in no return dissatisfaction figure (it measures the seller's \
         answers)",
        "{n} FBA returns: Amazon handled them, so they count in no return dissatisfaction figure (it measures the \
         seller's answers)",
    );
    Ok(requests)
}

/// The outcome a `Return request status` names, `in_policy` deciding a
/// rejection; `None` for a status this does not know.
fn outcome_of(status: &str, in_policy: Option<bool>) -> Option<pb::ReturnOutcome> {
    let status = status.trim().to_ascii_lowercase();
    Some(match status.as_str() {
        "pending" | "pending action" | "requested" | "open" => pb::ReturnOutcome::Pending,
        "approved" | "authorized" | "authorised" | "closed" | "completed" | "refunded" | "received" => {
            pb::ReturnOutcome::Authorized
        }
        "rejected" | "declined" | "denied" if in_policy == Some(true) => pb::ReturnOutcome::RejectedInvalid,
        "rejected" | "declined" | "denied" => pb::ReturnOutcome::RejectedValid,
        _ => return None,
    })
}

/// `In policy`: Y/Yes/True or N/No/False; `None` when empty or anything else.
fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" => Some(true),
        "n" | "no" | "false" => Some(false),
        _ => None,
    }
}

fn seller_fulfilled_returns(
    header: &Header,
    rows: &[DelimitedRecord],
    parsed: &mut Parsed,
) -> Result<Vec<Request>, FileError> {
    let order_id = header.require("order id")?;
    let requested = header.require("return request date")?;
    let status = header.require("return request status")?;
    let rma = header.require("amazon rma id")?;
    let in_policy = header.optional("in policy");
    let mut requests: Vec<Request> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut unknown_time, mut rejected_unknown_policy) = (0_usize, 0_usize);
    for (number, row) in rows {
        let Some(record) = parsed.row(*number, row) else { continue };
        let (number, field) = (*number, |i: usize| field(record, i));
        let order = field(order_id);
        if order.is_empty() {
            parsed.reject(number, "Order ID is empty");
            continue;
        }
        let return_id = field(rma);
        if return_id.is_empty() {
            parsed.reject(number, "Amazon RMA ID is empty");
            continue;
        }
        let requested_at = match return_date("Return request date", field(requested)) {
            Ok(at) => at,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let policy = in_policy.map(field).and_then(yes_no);
        let Some(outcome) = outcome_of(field(status), policy) else {
            parsed.reject(
                number,
                format!(
                    "Return request status {:?} is none of Pending, Approved, Authorized, Closed, Completed, Refunded, \
                     Received, Rejected",
                    field(status)
                ),
            );
            continue;
        };
        if let Some(&at) = seen.get(return_id) {
            // Another item of the same return: the same request, once.
            let same = requests.get(at).is_some_and(|(_, _, known)| {
                known.outcome == outcome as i32 && known.requested_at == Some(timestamp(requested_at))
            });
            if !same {
                let first = requests.get(at).map_or(0, |(line, ..)| *line);
                parsed.reject(
                    number,
                    format!(
                        "return {return_id} differs from line {first} in Return request date or Return request status"
                    ),
                );
            }
            continue;
        }
        let answered = outcome != pb::ReturnOutcome::Pending;
        if answered {
            unknown_time = unknown_time.saturating_add(1);
        }
        if outcome == pb::ReturnOutcome::RejectedValid && policy.is_none() {
            rejected_unknown_policy = rejected_unknown_policy.saturating_add(1);
        }
        seen.insert(return_id.to_owned(), requests.len());
        let word = outcome.as_str_name().trim_start_matches("RETURN_OUTCOME_").to_ascii_lowercase();
        let request = pb::ReturnRequest {
            return_id: return_id.to_owned(),
            order_id: order.to_owned(),
            requested_at: Some(timestamp(requested_at)),
            responded_at: None,
            outcome: outcome as i32,
            negative_return_feedback: false,
            handled_by_marketplace: false,
            response_time_unknown: answered,
        };
        requests.push((number, format!("return:{return_id}:{word}"), request));
    }
    parsed.note_count(
        unknown_time,
        "1 return settled at a time the report does not give: it does not count as a late answer",
        "{n} returns settled at a time the report does not give: none counts as a late answer",
    );
    parsed.note_count(
        rejected_unknown_policy,
        "1 rejected return without In policy: it counts as a valid rejection",
        "{n} rejected returns without In policy: they count as valid rejections",
    );
    Ok(requests)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::files::testing::*;

    /// (event id, return id, outcome, responded, handled by marketplace, time unknown).
    fn requests(parsed: &Parsed) -> Vec<(&str, &str, &str, bool, bool, bool)> {
        parsed
            .events
            .iter()
            .map(|(_, e)| {
                let Some(Fact::ReturnRequest(r)) = &e.fact else { panic!("{e:?}") };
                let outcome = pb::ReturnOutcome::try_from(r.outcome).unwrap().as_str_name();
                let outcome = outcome.trim_start_matches("RETURN_OUTCOME_");
                let responded = r.responded_at.is_some();
                (
                    e.event_id.as_str(),
                    r.return_id.as_str(),
                    outcome,
                    responded,
                    r.handled_by_marketplace,
                    r.response_time_unknown,
                )
            })
            .collect()
    }

    #[test]
    fn the_seller_fulfilled_report_gives_outcomes_without_answer_times() {
        let file = "Order ID\tReturn request date\tReturn request status\tAmazon RMA ID\tIn policy\tReturn quantity\n\
                    111-1\t14-May-2026\tApproved\tR1\tY\t1\n\
                    111-2\t2026-05-16\tRejected\tR2\tY\t1\n\
                    111-3\t2026-05-16T08:00:00+00:00\tRejected\tR3\tN\t1\n\
                    111-4\t2026-05-17\tDeclined\tR4\t\t1\n\
                    111-5\t2026-05-18\tPending Action\tR5\tY\t1\n\
                    111-5\t2026-05-18\tPending Action\tR5\tY\t2\n\
                    111-5\t2026-05-18\tClosed\tR5\tY\t1\n\
                    111-6\t2026-05-18\tLost in space\tR6\tY\t1\n\
                    111-7\t2026-05-18\tApproved\t\tY\t1\n\
                    111-8\t18/05/2026\tApproved\tR8\tY\t1\n";
        let parsed = parse_returns_report(file, "s").unwrap();
        assert_eq!(parsed.rows, 10);
        assert_eq!(
            requests(&parsed),
            [
                ("return:R1:authorized", "R1", "AUTHORIZED", false, false, true),
                // An in-policy return must not be rejected.
                ("return:R2:rejected_invalid", "R2", "REJECTED_INVALID", false, false, true),
                ("return:R3:rejected_valid", "R3", "REJECTED_VALID", false, false, true),
                ("return:R4:rejected_valid", "R4", "REJECTED_VALID", false, false, true),
                // Unanswered: late once 48 hours pass.
                ("return:R5:pending", "R5", "PENDING", false, false, false),
            ]
        );
        assert_eq!(
            reasons(&parsed),
            [
                (8, "return R5 differs from line 6 in Return request date or Return request status"),
                (
                    9,
                    "Return request status \"Lost in space\" is none of Pending, Approved, Authorized, Closed, Completed, \
                     Refunded, Received, Rejected"
                ),
                (10, "Amazon RMA ID is empty"),
                (
                    11,
                    "Return request date \"18/05/2026\" is not a date (2026-05-01) or a date and time \
                     (2026-05-01T09:12:00+00:00)"
                ),
            ]
        );
        assert_eq!(
            parsed.notes,
            [
                "read as the seller-fulfilled returns report",
                "4 returns settled at a time the report does not give: none counts as a late answer",
                "1 rejected return without In policy: it counts as a valid rejection",
            ]
        );
    }

    #[test]
    fn fba_returns_are_amazons_and_other_headers_are_refused() {
        let file = "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t\
                    detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n\
                    2026-05-20T15:00:00+00:00\t111-1\tMUG\tB01\tX01\tMug\t1\tMIA1\tSELLABLE\tUNWANTED_ITEM\t\
                    Unit returned to inventory\tLPN1\t\n\
                    2026-05-21\t111-2\tMUG\tB01\tX01\tMug\t1\tMIA1\tDEFECTIVE\tDEFECTIVE\tReimbursed\t\tBroken\n\
                    2026-05-22\t111-3\tMUG\tB01\tX01\tMug\t1\tMIA1\tSELLABLE\tUNWANTED_ITEM\t\tLPN1\t\n";
        let parsed = parse_returns_report(file, "s").unwrap();
        assert_eq!(
            requests(&parsed),
            [
                ("fba-return:LPN1", "LPN1", "AUTHORIZED", true, true, false),
                ("fba-return:111-2:MUG:2026-05-21", "111-2:MUG:2026-05-21", "AUTHORIZED", true, true, false),
            ]
        );
        assert_eq!(reasons(&parsed), [(4, "return LPN1 is already on line 2")]);
        assert_eq!(
            parsed.notes,
            [
                "read as the FBA customer returns report",
                "2 FBA returns: Amazon handled them, so they count in no return dissatisfaction figure (it measures \
                 the seller's answers)",
            ]
        );
        assert_eq!(
            parse_returns_report("Order ID\tStatus\n111-1\tApproved\n", "s").unwrap_err(),
            FileError::NotAReturnsReport
        );
    }
}
