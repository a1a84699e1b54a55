//! Conformance tests for the native Anthropic adapter, on recorded Anthropic traffic (pydantic-ai
//! cassettes) and on synthesized data for what no recording shows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test should fail loudly on broken fixtures

pub(crate) mod body;
pub(crate) mod loopback;
pub(crate) mod request;
pub(crate) mod stream;

use bytes::Bytes;
use futures_util::StreamExt;
use switchboard_core::{Delta, ProviderError};
use switchboard_providers::anthropic::stream_from_bytes;

/// The text of a fixture under `tests/fixtures/anthropic/`.
macro_rules! fixture {
    ($name:literal) => {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../tests/fixtures/anthropic/",
            $name
        ))
        .expect(concat!("fixture ", $name, " is readable"))
    };
}
pub(crate) use fixture;

/// What a stream produced: the deltas, then the error that ended it, if any.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) deltas: Vec<Delta>,
    pub(crate) error: Option<ProviderError>,
}

/// Feeds `body` to the normalizer split into the given chunks and collects everything.
pub(crate) async fn run_chunks(chunks: Vec<Vec<u8>>) -> Outcome {
    let bytes = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, ProviderError>(Bytes::from(c))),
    );
    collect(stream_from_bytes(bytes)).await
}

/// Feeds `body` to the normalizer in one chunk.
pub(crate) async fn run(body: &str) -> Outcome {
    run_chunks(vec![body.as_bytes().to_vec()]).await
}

/// Collects a delta stream, checking that an error, if any, is the last item.
pub(crate) async fn collect(mut stream: switchboard_core::DeltaStream) -> Outcome {
    let mut deltas = Vec::new();
    let mut error = None;
    while let Some(item) = stream.next().await {
        assert!(
            error.is_none(),
            "an error must end the stream, but {item:?} followed {error:?}"
        );
        match item {
            Ok(delta) => deltas.push(delta),
            Err(err) => error = Some(err),
        }
    }
    Outcome { deltas, error }
}

/// All `Text` deltas joined.
pub(crate) fn text_of(deltas: &[Delta]) -> String {
    deltas
        .iter()
        .filter_map(|d| match d {
            Delta::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// All `Reasoning` deltas joined.
pub(crate) fn reasoning_of(deltas: &[Delta]) -> String {
    deltas
        .iter()
        .filter_map(|d| match d {
            Delta::Reasoning { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}
