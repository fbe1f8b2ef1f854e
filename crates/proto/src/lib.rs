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

/// The encoded `FileDescriptorSet` of every `sellerhealth.v1` file, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("sellerhealth_descriptor");
