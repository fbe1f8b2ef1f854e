//! The `sellerhealth.v1` gRPC contract as Rust: messages, tonic clients and
//! servers generated from `proto/`, and the encoded descriptor set that server
//! reflection serves. No logic lives here: link this crate alone to call a
//! sellerhealth server from Rust.
//!
//! ```
//! use sellerhealth_proto::v1::{Event, SellerFeedback, event::Fact};
//!
//! let event = Event {
//!     event_id: "fb-1".into(),
//!     seller_id: "seller-1".into(),
//!     fact: Some(Fact::SellerFeedback(SellerFeedback { order_id: "111-1".into(), stars: 5, ..Default::default() })),
//! };
//! assert_eq!(event.event_id, "fb-1");
//! assert!(!sellerhealth_proto::FILE_DESCRIPTOR_SET.is_empty());
//! ```

pub mod codec;

/// Version 1 of the contract (`package sellerhealth.v1`).
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod v1 {
    tonic::include_proto!("sellerhealth.v1");
}

impl v1::AccountHealthReport {
    /// Every rate metric the report carries, in the page's order (the two
    /// order defect rates first), so clients iterate instead of naming twelve
    /// fields.
    pub fn rates(&self) -> impl Iterator<Item = &v1::RateMetric> {
        let odr = [&self.order_defect_rate_mfn, &self.order_defect_rate_afn]
            .into_iter()
            .filter_map(|o| o.as_ref().and_then(|o| o.rate.as_ref()));
        let others = [
            &self.pre_fulfillment_cancel_rate,
            &self.late_shipment_rate_10d,
            &self.late_shipment_rate_30d,
            &self.valid_tracking_rate,
            &self.on_time_delivery_rate,
            &self.unit_on_time_delivery_rate,
            &self.return_dissatisfaction_rate,
            &self.refund_rate,
            &self.customer_service_dissatisfaction_rate,
            &self.invoice_defect_rate,
        ]
        .into_iter()
        .filter_map(Option::as_ref);
        odr.chain(others)
    }
}

/// The encoded `FileDescriptorSet` of every `sellerhealth.v1` file, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("sellerhealth_descriptor");
