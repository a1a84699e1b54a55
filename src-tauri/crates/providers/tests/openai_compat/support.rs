//! Shared helpers: fixture paths, rebuilding SSE bytes from the recorder's `response.jsonl`,
//! chunking, and running a delta stream to completion.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::Value;
use switchboard_core::{Delta, DeltaStream, ProviderError};
use switchboard_providers::openai_compat::stream_from_bytes;

/// The repository's `tests/fixtures`.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures"
    ))
    .to_path_buf()
}

/// Every recorded OpenRouter exchange: `(id, folder)`, sorted by id.
pub(crate) fn ai_sdk_fixtures() -> Vec<(String, PathBuf)> {
    let root = fixtures().join("openrouter/ai-sdk");
    let mut all: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .map(|entry| {
            let path = entry.expect("dir entry").path();
            let id = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (id, path)
        })
        .filter(|(_, path)| path.is_dir())
        .collect();
    all.sort();
    assert_eq!(all.len(), 28, "the 28 recorded exchanges are all there");
    all
}

/// The recorded HTTP status of an exchange.
pub(crate) fn status(dir: &Path) -> u16 {
    let meta: Value = serde_json::from_str(&read(&dir.join("response.meta.json"))).expect("meta");
    let status = meta["status"].as_u64().expect("status is a number");
    u16::try_from(status).expect("status fits")
}

/// A fixture file as text.
pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The SSE body rebuilt from a `response.jsonl`, with the events it carries.
pub(crate) struct Rebuilt {
    /// The exact bytes as they came over the wire.
    pub(crate) bytes: Vec<u8>,
    /// The JSON payload of every data event, in order (`[DONE]` excluded).
    pub(crate) events: Vec<Value>,
    /// Whether the body ends with `data: [DONE]`.
    pub(crate) done: bool,
    /// Split events the recorder did not capture whole (their tail is missing from the file), so
    /// they were left out of `bytes`: the start of each.
    pub(crate) lost: Vec<String>,
}

/// Rebuilds the SSE body per the fixtures README: a `json` record is `data: <json as
/// recorded>\n\n` (the record's own text, not a re-serialization), a `comment` is emitted as is,
/// and consecutive `text` records are the pieces of one split event, the first without its
/// `data: ` prefix, the last ending with the blank line.
///
/// Two recorder artifacts are undone rather than replayed, because they are not what the
/// server sent: a piece of an open split event that the recorder filed as a `comment` (one
/// starting with `:`, in `5V2m0ZjBVln`) belongs to that event, since a comment cannot occur
/// inside an event; and a split event whose pieces stop mid-string and are followed by the start
/// of the next event lost its tail in the recorder (the first 23 KB `annotations` event of
/// `5V2m0ZjBVln` and `SQdqVfHTM78`), so it is reported in [`Rebuilt::lost`] and left out.
pub(crate) fn rebuild(jsonl: &str) -> Rebuilt {
    let mut out = Rebuilt {
        bytes: Vec::new(),
        events: Vec::new(),
        done: false,
        lost: Vec::new(),
    };
    let mut open: Option<String> = None;
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).expect("a jsonl record is JSON");
        if record.get("json").is_some() {
            let raw = line
                .strip_prefix(r#"{"json":"#)
                .and_then(|r| r.strip_suffix('}'))
                .expect("a json record is {\"json\":<event>}");
            if let Some(run) = open.take() {
                out.lost.push(run.chars().take(60).collect());
            }
            push_event(&mut out, raw);
        } else if let Some(comment) = record.get("comment").and_then(Value::as_str) {
            match open.as_mut() {
                Some(run) => {
                    run.push_str(comment);
                    close_if_complete(&mut open, &mut out);
                }
                None => out.bytes.extend_from_slice(comment.as_bytes()),
            }
        } else if let Some(text) = record.get("text").and_then(Value::as_str) {
            match open.as_mut() {
                Some(run) if !text.starts_with("{\"") => run.push_str(text),
                _ => {
                    if let Some(run) = open.replace(text.to_owned()) {
                        out.lost.push(run.chars().take(60).collect());
                    }
                }
            }
            close_if_complete(&mut open, &mut out);
        } else {
            assert!(
                record.get("delay_ms").is_some(),
                "unknown record kind: {line}"
            );
        }
    }
    if let Some(run) = open.take() {
        push_event(&mut out, &run);
    }
    out
}

fn close_if_complete(open: &mut Option<String>, out: &mut Rebuilt) {
    if open.as_ref().is_some_and(|r| r.ends_with("\n\n"))
        && let Some(run) = open.take()
    {
        push_event(out, &run);
    }
}

fn push_event(out: &mut Rebuilt, data: &str) {
    out.bytes.extend_from_slice(b"data: ");
    out.bytes.extend_from_slice(data.as_bytes());
    if !data.ends_with("\n\n") {
        out.bytes.extend_from_slice(b"\n\n");
    }
    let payload = data.trim();
    if payload == "[DONE]" {
        out.done = true;
    } else {
        let value = serde_json::from_str(payload)
            .unwrap_or_else(|e| panic!("rebuilt event is not JSON ({e}): {payload:.200}"));
        out.events.push(value);
    }
}

/// A stream outcome that can be compared: errors by their debug text.
pub(crate) type Outcome = Vec<Result<Delta, String>>;

/// Runs the normalizer over `chunks` to the end.
pub(crate) fn run_chunks(chunks: Vec<Bytes>) -> Outcome {
    let stream = stream_from_bytes(futures_util::stream::iter(chunks.into_iter().map(Ok)));
    drain(stream)
}

/// Collects a delta stream on a fresh single-threaded runtime.
pub(crate) fn drain(stream: DeltaStream) -> Outcome {
    let items: Vec<Result<Delta, ProviderError>> = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(stream.collect());
    items
        .into_iter()
        .map(|r| r.map_err(|e| format!("{e:?}")))
        .collect()
}

/// `bytes` as one read.
pub(crate) fn whole(bytes: &[u8]) -> Vec<Bytes> {
    vec![Bytes::copy_from_slice(bytes)]
}

/// `bytes` one byte per read.
pub(crate) fn bytewise(bytes: &[u8]) -> Vec<Bytes> {
    bytes
        .iter()
        .map(|b| Bytes::copy_from_slice(&[*b]))
        .collect()
}

/// `bytes` cut at the given sorted, deduplicated points.
pub(crate) fn cut_at(bytes: &[u8], points: &[usize]) -> Vec<Bytes> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for &p in points {
        chunks.push(Bytes::copy_from_slice(&bytes[start..p]));
        start = p;
    }
    chunks.push(Bytes::copy_from_slice(&bytes[start..]));
    chunks
}

/// A small deterministic generator (SplitMix64), so chunkings are random but reproducible.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Sorted distinct cut points inside `0..len`, between 1 and 64 of them.
    pub(crate) fn cut_points(&mut self, len: usize) -> Vec<usize> {
        let count = 1 + self.below(64);
        let mut points: Vec<usize> = (0..count).map(|_| 1 + self.below(len.max(2) - 1)).collect();
        points.sort_unstable();
        points.dedup();
        points.retain(|&p| p < len);
        points
    }
}

/// The text of every `Text` delta, joined.
pub(crate) fn text_of(outcome: &Outcome) -> String {
    outcome
        .iter()
        .filter_map(|d| match d {
            Ok(Delta::Text { text }) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// The text of every `Reasoning` delta, joined.
pub(crate) fn reasoning_of(outcome: &Outcome) -> String {
    outcome
        .iter()
        .filter_map(|d| match d {
            Ok(Delta::Reasoning { text }) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}
