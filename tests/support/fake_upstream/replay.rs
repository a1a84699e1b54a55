//! Rebuilding recorded provider responses from `tests/fixtures/openrouter/ai-sdk/<id>/`.
//!
//! A recording is `response.meta.json` (status, headers) plus either `response.json` (the exact
//! body text, leading whitespace included) or `response.jsonl`, the recorder's encoding of an
//! SSE body. This module turns the latter back into the chunks the recorder saw, so the fake
//! can write each one separately and a client really receives split events.
//!
//! `response.jsonl` records (see `tests/fixtures/README.md`):
//! - `{"json": {...}}`: one complete `data:` event, rebuilt as `data: <json>\n\n`, where
//!   `<json>` is the record's own text (not a re-serialisation, so key order and number
//!   spelling stay as recorded).
//! - `{"comment": ": ...\n\n"}`: a comment, written as-is.
//! - `{"text": "[DONE]"}`: `data: [DONE]\n\n`.
//! - `{"text": ...}` runs: pieces of one event split across network reads. The first piece had
//!   its `data: ` stripped by the recorder, so it gets it back; the last piece carries the
//!   `\n\n` (one is added when it does not). Each piece stays its own chunk.
//! - `{"delay_ms": n}`: the time before the next chunk, honoured only when timing is asked for.
//!
//! Recorder artifacts, repaired so every emitted event is valid SSE with JSON data:
//! - A piece that began with `:` was filed as a `comment` (`5V2m0ZjBVln`). While a split event
//!   is still open (no `\n\n` yet), a comment record is taken as its next piece.
//! - The recorder kept at most ~23 KB of one huge split event (`5V2m0ZjBVln`, `SQdqVfHTM78`,
//!   a web-search annotations chunk) and lost the rest, so the next event's first piece follows
//!   directly. When a run's data is not JSON but the run from a later piece starting with `{` is,
//!   the truncated head is dropped. A run cut short by a `json` record or `[DONE]` is dropped too.
//!
//! Each repair is listed in [`SseReplay::repairs`]; nothing else is changed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// The folder holding the test fixtures (`tests/fixtures`), fixed at build time so tests and
/// the `fake-upstream` binary find it from any working directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The folder of ai-sdk recording `id`.
pub fn ai_sdk_dir(id: &str) -> PathBuf {
    fixtures_dir().join("openrouter").join("ai-sdk").join(id)
}

/// The ids of every ai-sdk recording present, sorted (empty if the folder is missing).
pub fn ai_sdk_fixture_ids() -> Vec<String> {
    let dir = fixtures_dir().join("openrouter").join("ai-sdk");
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join("response.meta.json").is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Why a fixture could not be loaded.
#[derive(Debug)]
pub struct FixtureError {
    /// The file concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fixture {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for FixtureError {}

fn fixture_error(path: &Path, message: impl fmt::Display) -> FixtureError {
    FixtureError {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// One piece of a streamed body and the time the recorder waited before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedChunk {
    /// Wait before writing this chunk (only when replay timing is on).
    pub delay: Duration,
    /// The bytes to write.
    pub bytes: Vec<u8>,
}

/// A rebuilt SSE body.
#[derive(Debug, Clone, Default)]
pub struct SseReplay {
    /// The chunks, in order; their concatenation is the body.
    pub chunks: Vec<TimedChunk>,
    /// One line per recorder artifact repaired (see the module docs); empty for clean fixtures.
    pub repairs: Vec<String>,
}

impl SseReplay {
    /// The chunks' bytes without timing.
    pub fn chunk_bytes(&self) -> Vec<Vec<u8>> {
        self.chunks.iter().map(|c| c.bytes.clone()).collect()
    }
}

/// A recorded response, ready to replay.
#[derive(Debug, Clone)]
pub struct RecordedResponse {
    /// The recorded HTTP status.
    pub status: u16,
    /// The recorded headers worth replaying (hop-by-hop, encoding and date headers are left
    /// out: the stored body is already decoded, and the server sets its own date).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: RecordedBody,
}

/// The body of a [`RecordedResponse`].
#[derive(Debug, Clone)]
pub enum RecordedBody {
    /// An SSE stream rebuilt from `response.jsonl`.
    Sse(SseReplay),
    /// `response.json`, byte for byte.
    Bytes(Vec<u8>),
}

/// Headers not replayed: they describe the original transfer, not the response.
const SKIPPED_HEADERS: [&str; 6] = [
    "connection",
    "content-encoding",
    "content-length",
    "date",
    "keep-alive",
    "transfer-encoding",
];

/// Loads ai-sdk recording `id`: its status, headers and body.
pub fn load_ai_sdk(id: &str) -> Result<RecordedResponse, FixtureError> {
    let dir = ai_sdk_dir(id);
    let meta_path = dir.join("response.meta.json");
    let meta_text = read_text(&meta_path)?;
    let meta: Value = serde_json::from_str(&meta_text).map_err(|e| fixture_error(&meta_path, e))?;
    let status = meta
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .ok_or_else(|| fixture_error(&meta_path, "no numeric `status`"))?;
    let headers = meta
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .filter(|(name, _)| !SKIPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
                .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let jsonl = dir.join("response.jsonl");
    let body = if jsonl.is_file() {
        RecordedBody::Sse(load_sse_file(&jsonl)?)
    } else {
        let path = dir.join("response.json");
        RecordedBody::Bytes(std::fs::read(&path).map_err(|e| fixture_error(&path, e))?)
    };
    Ok(RecordedResponse {
        status,
        headers,
        body,
    })
}

/// Rebuilds the SSE body of ai-sdk recording `id` (it must have a `response.jsonl`).
pub fn load_ai_sdk_sse(id: &str) -> Result<SseReplay, FixtureError> {
    load_sse_file(&ai_sdk_dir(id).join("response.jsonl"))
}

fn load_sse_file(path: &Path) -> Result<SseReplay, FixtureError> {
    rebuild_sse(&read_text(path)?).map_err(|e| fixture_error(path, e))
}

fn read_text(path: &Path) -> Result<String, FixtureError> {
    std::fs::read_to_string(path).map_err(|e| fixture_error(path, e))
}

/// Rebuilds SSE chunks from the text of a `response.jsonl` (rules in the module docs).
pub fn rebuild_sse(jsonl: &str) -> Result<SseReplay, String> {
    let mut b = Builder::default();
    for (n, line) in jsonl.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let record: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        if let Some(ms) = record.get("delay_ms").and_then(Value::as_u64) {
            b.pending_delay += Duration::from_millis(ms);
        } else if let Some(json) = record.get("json") {
            b.close_open("cut short by a data event");
            let raw = raw_json_member(line, "json", json);
            b.push(format!("data: {raw}\n\n").into_bytes());
        } else if let Some(comment) = record.get("comment").and_then(Value::as_str) {
            if b.open.is_empty() {
                b.push(comment.as_bytes().to_vec());
            } else {
                // A piece of the open split event that happened to begin with `:`.
                b.add_piece(comment);
            }
        } else if let Some(text) = record.get("text").and_then(Value::as_str) {
            if text == "[DONE]" {
                b.close_open("cut short by [DONE]");
                b.push(b"data: [DONE]\n\n".to_vec());
            } else {
                b.add_piece(text);
            }
        } else {
            return Err(format!("line {}: unknown record {line}", n + 1));
        }
    }
    b.close_open("cut short by the end of the recording");
    Ok(SseReplay {
        chunks: b.chunks,
        repairs: b.repairs,
    })
}

/// The exact text of `{"<key>": <value>}`'s value in `line`, so replayed JSON keeps the
/// recorded spelling; falls back to re-serialising when the line has another layout.
fn raw_json_member(line: &str, key: &str, parsed: &Value) -> String {
    let prefix = format!("{{\"{key}\":");
    if let Some(raw) = line
        .strip_prefix(prefix.as_str())
        .and_then(|rest| rest.strip_suffix('}'))
        && serde_json::from_str::<Value>(raw).is_ok_and(|v| &v == parsed)
    {
        return raw.to_owned();
    }
    parsed.to_string()
}

#[derive(Default)]
struct Builder {
    chunks: Vec<TimedChunk>,
    /// Pieces of the split event being read (no `\n\n` seen yet), each with its delay.
    open: Vec<(Duration, String)>,
    pending_delay: Duration,
    repairs: Vec<String>,
}

impl Builder {
    fn push(&mut self, bytes: Vec<u8>) {
        let delay = std::mem::take(&mut self.pending_delay);
        self.chunks.push(TimedChunk { delay, bytes });
    }

    fn add_piece(&mut self, text: &str) {
        let delay = std::mem::take(&mut self.pending_delay);
        self.open.push((delay, text.to_owned()));
        if text.ends_with("\n\n") {
            self.finish_open();
        }
    }

    /// The open run ended without its `\n\n`: it is repaired if possible, dropped otherwise.
    fn close_open(&mut self, why: &str) {
        if !self.open.is_empty() {
            let n = self.open.len();
            if !self.finish(false) {
                self.repairs
                    .push(format!("dropped a split event of {n} pieces {why}"));
            }
        }
    }

    /// The open run ended with `\n\n`.
    fn finish_open(&mut self) {
        let n = self.open.len();
        if !self.finish(true) {
            self.repairs.push(format!(
                "dropped a split event of {n} pieces whose data is not JSON"
            ));
        }
    }

    /// Emits the open run if its data is (or can be repaired into) JSON; false if dropped.
    fn finish(&mut self, terminated: bool) -> bool {
        let pieces = std::mem::take(&mut self.open);
        // Time recorded after the run's last piece belongs to whatever comes next.
        let after = std::mem::take(&mut self.pending_delay);
        let data_from = |from: usize| {
            let mut data: String = pieces[from..].iter().map(|(_, t)| t.as_str()).collect();
            if terminated && let Some(stripped) = data.strip_suffix("\n\n") {
                data.truncate(stripped.len());
            }
            data
        };
        let is_json = |data: &str| serde_json::from_str::<Value>(data).is_ok();
        let from = if is_json(&data_from(0)) {
            Some(0)
        } else {
            let from =
                (1..pieces.len()).find(|&k| pieces[k].1.starts_with('{') && is_json(&data_from(k)));
            if let Some(from) = from {
                self.repairs.push(format!(
                    "dropped the truncated head of a split event ({from} pieces) before a new event"
                ));
            }
            from
        };
        // Dropped pieces keep their time, so the stream's timing stays as recorded.
        let kept = from.unwrap_or(pieces.len());
        self.pending_delay += pieces[..kept].iter().map(|(d, _)| *d).sum::<Duration>();
        let last = pieces.len().saturating_sub(1);
        for (i, (delay, text)) in pieces.into_iter().enumerate().skip(kept) {
            self.pending_delay += delay;
            let mut bytes = Vec::new();
            if i == kept {
                bytes.extend_from_slice(b"data: ");
            }
            bytes.extend_from_slice(text.as_bytes());
            if i == last && !text.ends_with("\n\n") {
                bytes.extend_from_slice(b"\n\n");
            }
            self.push(bytes);
        }
        self.pending_delay += after;
        from.is_some()
    }
}
