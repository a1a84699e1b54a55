//! Fixtures, a small SSE reader, and the upstream normalizers run to completion.

use std::path::PathBuf;

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::Value;
use switchboard_core::{Delta, ProviderError};
use switchboard_gateway::dialect::{NamedEvent, StreamMeta};

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("the fixture exists")
}

pub(crate) fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("the fixture is JSON")
}

/// One SSE event as recorded: its `event:` name (if any) and its `data:` text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recorded {
    pub(crate) event: Option<String>,
    pub(crate) data: String,
}

/// The events of an SSE body (comments skipped, multi-line data joined).
pub(crate) fn sse(body: &str) -> Vec<Recorded> {
    let mut out = Vec::new();
    for block in body.split("\n\n") {
        let mut event = None;
        let mut data = Vec::new();
        for line in block.lines() {
            if let Some(name) = line.strip_prefix("event:") {
                event = Some(name.trim().to_owned());
            } else if let Some(text) = line.strip_prefix("data:") {
                data.push(text.trim_start().to_owned());
            }
        }
        if !data.is_empty() {
            out.push(Recorded {
                event,
                data: data.join("\n"),
            });
        }
    }
    out
}

/// The deltas Switchboard's Anthropic adapter makes of a recorded `/v1/messages` stream.
pub(crate) fn anthropic_deltas(body: &str) -> Vec<Delta> {
    collect(switchboard_providers::anthropic::stream_from_bytes(once(
        body,
    )))
}

/// The deltas Switchboard's OpenAI-compatible adapter makes of a recorded chat stream.
pub(crate) fn openai_deltas(body: &str) -> Vec<Delta> {
    collect(switchboard_providers::openai_compat::stream_from_bytes(
        once(body),
    ))
}

fn once(
    body: &str,
) -> futures_util::stream::Iter<std::vec::IntoIter<Result<Bytes, ProviderError>>> {
    futures_util::stream::iter(vec![Ok(Bytes::from(body.to_owned()))])
}

fn collect(stream: switchboard_core::DeltaStream) -> Vec<Delta> {
    let items: Vec<Result<Delta, ProviderError>> = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a test runtime")
        .block_on(stream.collect());
    items
        .into_iter()
        .map(|d| d.expect("the recording normalizes without error"))
        .collect()
}

pub(crate) fn meta(id: &str, include_usage: bool) -> StreamMeta {
    StreamMeta {
        id: id.into(),
        model: "claude-sonnet-4-0".into(),
        created_unix: 1_767_225_600,
        include_usage,
        prompt_tokens_estimate: 40,
    }
}

/// Named events as `{"event": name, "data": json}` for snapshots, checking on the way that
/// each event's name is its data's `type` (both Anthropic and Responses clients rely on it).
pub(crate) fn named(events: &[NamedEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|(name, data)| {
            let data: Value = serde_json::from_str(data).expect("event data is JSON");
            assert_eq!(
                data["type"], *name,
                "the event name equals the data's type: {data}"
            );
            serde_json::json!({"event": name, "data": data})
        })
        .collect()
}

/// Chunks as JSON values.
pub(crate) fn chunks(payloads: &[String]) -> Vec<Value> {
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).expect("a chunk is JSON"))
        .collect()
}

/// Snapshot settings: sorted keys, so key order never depends on serde_json's features.
pub(crate) fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_sort_maps(true);
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Asserts a JSON snapshot under the sorted-keys settings.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        crate::support::settings().bind(|| insta::assert_json_snapshot!($name, $value));
    };
}
pub(crate) use snapshot;
