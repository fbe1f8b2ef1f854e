//! The contract's messages in the protobuf JSON mapping (what grpcurl reads and
//! prints), through the descriptor set compiled into `sellerhealth-proto`.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage, Value};
use sellerhealth_domain::time::{RANGE_TEXT, check_instant};
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

/// Reads one `sellerhealth.v1.Event` from its JSON form. Every timestamp in it
/// must lie in the supported range (`sellerhealth_domain::time`), else the error
/// names the field (`order.purchased_at: …`).
pub fn event_from_json(json: &str) -> Result<pb::Event, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let message = DynamicMessage::deserialize(descriptor("sellerhealth.v1.Event")?, &mut deserializer)
        .map_err(|e| format!("not a contract Event: {e}"))?;
    deserializer.end().map_err(|e| format!("trailing text after the event: {e}"))?;
    check_times(&message, "")?;
    message.transcode_to::<pb::Event>().map_err(|e| format!("not a contract Event: {e}"))
}

/// Checks every `google.protobuf.Timestamp` inside `message` against the
/// supported range; `path` is where `message` sits (empty at the top).
fn check_times(message: &DynamicMessage, path: &str) -> Result<(), String> {
    if message.descriptor().full_name() == "google.protobuf.Timestamp" {
        let part = |name: &str| message.get_field_by_name(name).and_then(|v| v.as_i64().or(v.as_i32().map(i64::from)));
        let seconds = part("seconds").unwrap_or(0);
        let nanos = part("nanos").and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        let Some(at) = chrono::DateTime::from_timestamp(seconds, nanos) else {
            return Err(format!("{path}: {seconds} s is outside the supported range {RANGE_TEXT}"));
        };
        return check_instant(path, at).map(|_| ()).map_err(|e| e.to_string());
    }
    for (field, value) in message.fields() {
        let path = if path.is_empty() { field.name().to_owned() } else { format!("{path}.{}", field.name()) };
        match value {
            Value::Message(inner) => check_times(inner, &path)?,
            Value::List(values) => {
                for value in values {
                    if let Value::Message(inner) = value {
                        check_times(inner, &path)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The JSON form of a contract message named `name` (e.g.
/// `sellerhealth.v1.AccountHealthReport`), fields in lowerCamelCase.
pub fn to_json<M: prost::Message>(message: &M, name: &str) -> Result<serde_json::Value, String> {
    let mut dynamic = DynamicMessage::new(descriptor(name)?);
    dynamic.transcode_from(message).map_err(|e| format!("{name}: {e}"))?;
    serde_json::to_value(&dynamic).map_err(|e| format!("{name}: {e}"))
}
