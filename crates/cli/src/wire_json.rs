//! The contract's messages in the protobuf JSON mapping (what grpcurl reads and
//! prints), through the descriptor set compiled into `sellerhealth-proto`.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor};
use sellerhealth_proto::v1 as pb;

fn pool() -> Result<&'static DescriptorPool, String> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(sellerhealth_proto::FILE_DESCRIPTOR_SET).map_err(|e| format!("descriptor set: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn descriptor(name: &str) -> Result<MessageDescriptor, String> {
    pool()?.get_message_by_name(name).ok_or_else(|| format!("no message {name} in the contract"))
}

/// Reads one `sellerhealth.v1.Event` from its JSON form.
pub fn event_from_json(json: &str) -> Result<pb::Event, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let message = DynamicMessage::deserialize(descriptor("sellerhealth.v1.Event")?, &mut deserializer)
        .map_err(|e| format!("not a contract Event: {e}"))?;
    deserializer.end().map_err(|e| format!("trailing text after the event: {e}"))?;
    message.transcode_to::<pb::Event>().map_err(|e| format!("not a contract Event: {e}"))
}

/// The JSON form of a contract message named `name` (e.g.
/// `sellerhealth.v1.AccountHealthReport`), fields in lowerCamelCase.
pub fn to_json<M: prost::Message>(message: &M, name: &str) -> Result<serde_json::Value, String> {
    let mut dynamic = DynamicMessage::new(descriptor(name)?);
    dynamic.transcode_from(message).map_err(|e| format!("{name}: {e}"))?;
    serde_json::to_value(&dynamic).map_err(|e| format!("{name}: {e}"))
}
