//! The codec of every sellerhealth service: prost's, except that a message that
//! does not decode is the sender's mistake (INVALID_ARGUMENT), not the
//! receiver's failure (tonic-prost answers INTERNAL).

use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};

/// [`tonic_prost::ProstCodec`] with decode errors answered INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct ProstCodec<T, U> {
    inner: tonic_prost::ProstCodec<T, U>,
}

impl<T, U> Default for ProstCodec<T, U> {
    fn default() -> Self {
        ProstCodec { inner: tonic_prost::ProstCodec::default() }
    }
}

impl<T, U> Codec for ProstCodec<T, U>
where
    T: prost::Message + Send + 'static,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = tonic_prost::ProstEncoder<T>;
    type Decoder = ProstDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.inner.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder { inner: self.inner.decoder() }
    }
}

/// The decoder of [`ProstCodec`].
#[derive(Debug, Clone)]
pub struct ProstDecoder<U> {
    inner: tonic_prost::ProstDecoder<U>,
}

impl<U: prost::Message + Default> Decoder for ProstDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.inner.decode(buf).map_err(|status| {
            Status::invalid_argument(format!("the message is not a valid protobuf encoding: {}", status.message()))
        })
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.inner.buffer_settings()
    }
}
