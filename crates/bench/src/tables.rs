//! A data set written out for other engines: one CSV file per kind of fact,
//! instants as whole seconds since the Unix epoch, flags as 0/1, an absent
//! value as an empty field. Also our own JSON-lines events, which
//! `sellerhealth import events` reads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sellerhealth_domain::{Event, Fact, Instant};
use sellerhealth_proto::v1 as pb;

/// Each table with its header, in the order [`Tables::write`] fills them.
pub const TABLES: [(&str, &str); 12] = [
    (
        "orders",
        "seller_id,order_id,marketplace_id,purchased_at,channel,latest_ship_at,promised_latest_at,units,business_order",
    ),
    ("shipments", "seller_id,order_id,shipment_id,confirmed_at,tracking_number,units"),
    ("scans", "seller_id,tracking_number,first_scan_at,delivered_at"),
    ("cancellations", "seller_id,order_id,cancelled_at,initiator"),
    ("feedback", "seller_id,order_id,left_at,stars,fulfillment_related"),
    ("feedback_updates", "seller_id,order_id,updated_at,action"),
    ("claims", "seller_id,order_id,claim_id,filed_at,outcome,decided_at"),
    ("chargebacks", "seller_id,order_id,chargeback_id,received_at,service_related"),
    ("refunds", "seller_id,order_id,refund_id,refunded_at"),
    ("returns", "seller_id,order_id,return_id,requested_at,responded_at,outcome,negative_feedback"),
    ("messages", "seller_id,message_id,marketplace_id,order_id,received_at,first_replied_at"),
    ("reviews", "seller_id,review_id,marketplace_id,asin,reviewer_id,stars,reviewed_at,verified,helpful_votes"),
];

/// Open CSV files of a data set, and optionally its JSON-lines events.
pub struct Tables {
    files: Vec<BufWriter<File>>,
    jsonl: Option<BufWriter<File>>,
    /// Rows written per table.
    pub rows: [u64; 12],
}

fn secs(at: Instant) -> String {
    at.timestamp().to_string()
}

fn maybe(at: Option<Instant>) -> String {
    at.map(secs).unwrap_or_default()
}

/// An enum's name as the domain serialises it (`MFN`, `SYSTEM_UNSHIPPED`, …).
fn name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

fn flag(value: bool) -> &'static str {
    if value { "1" } else { "0" }
}

impl Tables {
    /// Creates the CSV files (and `events.jsonl` when `jsonl`) in `dir`.
    pub fn create(dir: &Path, jsonl: bool) -> anyhow::Result<Tables> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let create = |path: PathBuf| -> anyhow::Result<BufWriter<File>> {
            let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
            Ok(BufWriter::with_capacity(1 << 20, file))
        };
        let mut files = Vec::new();
        for (name, header) in TABLES {
            let mut file = create(dir.join(format!("{name}.csv")))?;
            writeln!(file, "{header}")?;
            files.push(file);
        }
        let jsonl = if jsonl { Some(create(dir.join("events.jsonl"))?) } else { None };
        Ok(Tables { files, jsonl, rows: [0; 12] })
    }

    /// Writes one event's row, and the event itself to the JSON lines.
    pub fn write(&mut self, event: &Event, wire: &pb::Event) -> anyhow::Result<()> {
        if let Some(jsonl) = &mut self.jsonl {
            let json =
                sellerhealth_cli::wire_json::to_json(wire, "sellerhealth.v1.Event").map_err(anyhow::Error::msg)?;
            writeln!(jsonl, "{json}")?;
        }
        let seller = &event.seller_id;
        let (table, row) = match &event.fact {
            Fact::Order(o) => (
                0,
                format!(
                    "{seller},{},{},{},{},{},{},{},{}",
                    o.order_id,
                    o.marketplace_id,
                    secs(o.purchased_at),
                    name(&o.fulfillment_channel),
                    secs(o.latest_ship_at),
                    maybe(o.promised_delivery_latest_at),
                    o.units,
                    flag(o.business_order)
                ),
            ),
            Fact::ShipmentConfirmed(s) => (
                1,
                format!(
                    "{seller},{},{},{},{},{}",
                    s.order_id,
                    s.shipment_id,
                    secs(s.confirmed_at),
                    s.tracking_number,
                    s.units
                ),
            ),
            Fact::CarrierScan(c) => {
                (2, format!("{seller},{},{},{}", c.tracking_number, maybe(c.first_scan_at), maybe(c.delivered_at)))
            }
            Fact::Cancellation(c) => {
                (3, format!("{seller},{},{},{}", c.order_id, secs(c.cancelled_at), name(&c.initiator)))
            }
            Fact::SellerFeedback(f) => {
                (4, format!("{seller},{},{},{},{}", f.order_id, secs(f.left_at), f.stars, flag(f.fulfillment_related)))
            }
            Fact::FeedbackUpdate(u) => {
                (5, format!("{seller},{},{},{}", u.order_id, secs(u.updated_at), name(&u.action)))
            }
            Fact::AtozClaim(c) => (
                6,
                format!(
                    "{seller},{},{},{},{},{}",
                    c.order_id,
                    c.claim_id,
                    secs(c.filed_at),
                    name(&c.outcome),
                    maybe(c.decided_at)
                ),
            ),
            Fact::Chargeback(c) => (
                7,
                format!(
                    "{seller},{},{},{},{}",
                    c.order_id,
                    c.chargeback_id,
                    secs(c.received_at),
                    flag(c.service_related)
                ),
            ),
            Fact::Refund(r) => (8, format!("{seller},{},{},{}", r.order_id, r.refund_id, secs(r.refunded_at))),
            Fact::ReturnRequest(r) => (
                9,
                format!(
                    "{seller},{},{},{},{},{},{}",
                    r.order_id,
                    r.return_id,
                    secs(r.requested_at),
                    maybe(r.responded_at),
                    name(&r.outcome),
                    flag(r.negative_return_feedback)
                ),
            ),
            Fact::BuyerMessage(m) => (
                10,
                format!(
                    "{seller},{},{},{},{},{}",
                    m.message_id,
                    m.marketplace_id,
                    m.order_id.as_deref().unwrap_or_default(),
                    secs(m.received_at),
                    maybe(m.first_replied_at)
                ),
            ),
            Fact::ProductReview(r) => (
                11,
                format!(
                    "{seller},{},{},{},{},{},{},{},{}",
                    r.review_id,
                    r.marketplace_id,
                    r.asin,
                    r.reviewer_id,
                    r.stars,
                    secs(r.reviewed_at),
                    flag(r.verified_purchase),
                    r.helpful_votes
                ),
            ),
            other => anyhow::bail!("the data set has no {} table", other.kind()),
        };
        let (Some(file), Some(rows)) = (self.files.get_mut(table), self.rows.get_mut(table)) else {
            anyhow::bail!("no table {table}");
        };
        writeln!(file, "{row}")?;
        *rows += 1;
        Ok(())
    }

    /// Flushes every file.
    pub fn finish(mut self) -> anyhow::Result<[u64; 12]> {
        for file in self.files.iter_mut().chain(self.jsonl.iter_mut()) {
            file.flush()?;
        }
        Ok(self.rows)
    }
}
