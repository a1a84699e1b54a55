//! Sending a request and turning a non-success answer into a classified error.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::RequestBuilder;
use switchboard_core::ProviderError;

use crate::transport_error;

/// Sends `request`; a non-2xx answer becomes the classified error built from its body.
pub(crate) async fn send(request: RequestBuilder) -> Result<reqwest::Response, ProviderError> {
    let response = request.send().await.map_err(|e| transport_error(&e))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    Err(ProviderError::from_response(
        status,
        retry_after.as_deref(),
        &body,
    ))
}

/// The response body as a stream of chunks, transport errors classified.
pub(crate) fn body_stream(
    response: reqwest::Response,
) -> impl Stream<Item = Result<Bytes, ProviderError>> + Send {
    response
        .bytes_stream()
        .map(|chunk| chunk.map_err(|e| transport_error(&e)))
}
