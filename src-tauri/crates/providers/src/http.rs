//! Sending a request and turning a non-success answer into a classified error that names the
//! call and never carries the key.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::RequestBuilder;
use switchboard_core::{ApiKey, ProviderError};
use tokio::time::Instant;

use crate::redact::redact_error;
use crate::{Endpoint, transport_error};

/// Sends `request` (built from `endpoint`); a non-2xx answer becomes the classified error built
/// from its body, naming the call, with the endpoint's key redacted from everything it carries.
///
/// A 3xx here is a redirect the client refused to follow (see [`crate::http_client`]); it
/// becomes a [`ProviderError::BadRequest`] naming the `Location`.
pub(crate) async fn send(
    endpoint: &Endpoint,
    request: RequestBuilder,
) -> Result<reqwest::Response, ProviderError> {
    send_by(endpoint, request, None).await
}

/// [`send`], failing with a [`ProviderError::Deadline`] if no answer head has arrived by
/// `deadline` (the first-event deadline of a stream, which also covers connecting).
pub(crate) async fn send_by(
    endpoint: &Endpoint,
    request: RequestBuilder,
    deadline: Option<Instant>,
) -> Result<reqwest::Response, ProviderError> {
    let secret = endpoint.key.as_ref().map(|k| k.expose());
    let (client, built) = request.build_split();
    let request = built.map_err(|e| redact_error(transport_error(&e), secret))?;
    let call = endpoint.call(request.method(), request.url());
    let sent = client.execute(request);
    let answered = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, sent).await {
            Ok(answered) => answered,
            Err(_) => {
                let waited = endpoint.limits.first_event_timeout;
                return Err(crate::sse::first_event_missed(waited).with_call(call));
            }
        },
        None => sent.await,
    };
    let response = answered.map_err(|e| redact_error(transport_error(&e), secret))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let error = if (300..400).contains(&status) {
        let location = header(reqwest::header::LOCATION)
            .unwrap_or_else(|| "an address it did not give".to_owned());
        ProviderError::BadRequest {
            status,
            message: location,
            call: None,
        }
        .with_call(call)
    } else {
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let body = response.text().await.unwrap_or_default();
        ProviderError::from_http(call, status, retry_after.as_deref(), &body)
    };
    Err(redact_error(error, secret))
}

/// The response body as a stream of chunks, transport errors classified.
pub(crate) fn body_stream(
    response: reqwest::Response,
) -> impl Stream<Item = Result<Bytes, ProviderError>> + Send {
    response
        .bytes_stream()
        .map(|chunk| chunk.map_err(|e| transport_error(&e)))
}

/// The media type of `response` (`text/event-stream`), lower-case and without parameters;
/// `None` when it sent none.
pub(crate) fn media_type(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get(reqwest::header::CONTENT_TYPE)?;
    let text = String::from_utf8_lossy(value.as_bytes());
    let media = text.split(';').next().unwrap_or_default().trim();
    Some(media.to_ascii_lowercase())
}

/// What a streamed request's answer turned out to be, by its content type.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StreamAnswer {
    /// `text/event-stream`, or no content type at all (some small local servers send none).
    Events,
    /// A JSON document: an error sent with 200, or a server that ignores `stream`.
    Json,
    /// Anything else, typically an HTML page from a proxy, captive portal or wrong base URL.
    Other(String),
}

impl StreamAnswer {
    /// Classifies `response`, the answer to a request that asked for a stream.
    pub(crate) fn of(response: &reqwest::Response) -> Self {
        match media_type(response) {
            None => Self::Events,
            Some(media) if media == "text/event-stream" => Self::Events,
            Some(media) if media == "application/json" || media.ends_with("+json") => Self::Json,
            Some(other) => Self::Other(other),
        }
    }
}

/// The most of an unexpected body read to show in the error: enough to recognize a login page
/// or a proxy's error, without reading an endless body.
const PEEK_BYTES: usize = 4096;

/// The error for a streamed request answered with `media` instead of `text/event-stream`, with
/// the start of the body as its raw text. A decode error, not a transport one: the same request
/// to the same address will get the same page, so it is not worth retrying.
pub(crate) async fn wrong_content_type(
    endpoint: &Endpoint,
    media: &str,
    response: reqwest::Response,
) -> ProviderError {
    let url = endpoint.call(&reqwest::Method::POST, response.url());
    let mut body = Vec::new();
    let mut chunks = std::pin::pin!(body_stream(response));
    while body.len() < PEEK_BYTES {
        match chunks.next().await {
            Some(Ok(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(PEEK_BYTES);
    let detail = format!(
        "{} at {} answered {} {} with content type {media} instead of an event stream \
         (text/event-stream); the base URL may point at a web page or a proxy rather than the \
         API",
        url.provider, url.base_url, url.method, url.path
    );
    let error = ProviderError::decode(detail, &String::from_utf8_lossy(&body));
    redact_error(error, endpoint.key.as_ref().map(|k| k.expose()))
}

/// `answer` with the key redacted from every error in it (a server may echo the key in an
/// error sent inside a 200 answer as well as in an error status).
pub(crate) fn redacted<S, T>(
    answer: S,
    key: Option<ApiKey>,
) -> impl Stream<Item = Result<T, ProviderError>> + Send
where
    S: Stream<Item = Result<T, ProviderError>> + Send,
{
    answer.map(move |item| item.map_err(|e| redact_error(e, key.as_ref().map(ApiKey::expose))))
}
