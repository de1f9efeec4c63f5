//! A size cap on STS answers. aws-sdk-sts reads a whole answer into memory before parsing it; this
//! interceptor refuses a Content-Length over the cap and wraps the body so that reading stops there
//! (a chunked answer has no length to check up front).

use std::pin::Pin;
use std::task::{Context, Poll};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

/// An AssumeRoleWithWebIdentity answer is ~2 KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Marks the error so that it is reported as a bad answer, not as a network failure.
pub const TOO_LARGE: &str = "the answer is larger than 1024 KB";

#[derive(Debug)]
pub struct BodyCap;

impl Intercept for BodyCap {
    fn name(&self) -> &'static str {
        "idbridge-body-cap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let declared = response.headers().get("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(TOO_LARGE.into());
        }
        let inner = response.take_body();
        *response.body_mut() = SdkBody::from_body_1_x(Capped { inner, seen: 0 });
        Ok(())
    }
}

struct Capped {
    inner: SdkBody,
    seen: usize,
}

impl http_body::Body for Capped {
    type Data = bytes::Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.seen += frame.data_ref().map_or(0, |d| d.len());
                if this.seen > MAX_BODY_BYTES {
                    return Poll::Ready(Some(Err(TOO_LARGE.into())));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }
}
