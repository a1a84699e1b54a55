//! Shapes no public recording has (`tests/fixtures/openrouter/synthesized/`, each tied to a
//! section of the wire reference), and streams broken on purpose: cut short, failing transport,
//! garbage events.

use bytes::Bytes;
use switchboard_core::{Delta, FinishReason, ProviderError, Usage, Usd};
use switchboard_providers::openai_compat::{parse_body, stream_from_bytes};

use super::support::{
    Outcome, Rng, bytewise, cut_at, drain, fixtures, read, rebuild, run_chunks, text_of, whole,
};

fn synthesized(name: &str) -> Vec<u8> {
    read(&fixtures().join("openrouter/synthesized").join(name)).into_bytes()
}

fn all_chunkings(name: &str, bytes: &[u8]) -> Outcome {
    let reference = run_chunks(whole(bytes));
    assert_eq!(run_chunks(bytewise(bytes)), reference, "{name}: bytewise");
    let mut rng = Rng::new(0x51_7E);
    for set in 0..50 {
        let points = rng.cut_points(bytes.len());
        assert_eq!(
            run_chunks(cut_at(bytes, &points)),
            reference,
            "{name}: cut set {set} at {points:?}"
        );
    }
    reference
}

fn usd(text: &str) -> Option<Usd> {
    Some(Usd::parse(text).expect("a test amount"))
}

/// Run as `scenarios::tool_calls::openai_compat`, a scenario both wire formats share.
pub(crate) fn openrouter_tool_call_deltas_are_assembled_by_index() {
    let got = all_chunkings("tool_calls.sse", &synthesized("tool_calls.sse"));
    // Both calls whole at the finish, a missing arguments key as `{}`, the later usage kept.
    insta::assert_debug_snapshot!(&got[1..]);
}

/// Run as `scenarios::mid_stream_error_keeps_text::openai_compat`, a scenario both wire formats share.
pub(crate) fn the_observed_mid_stream_error_ends_the_stream_after_the_text_and_usage() {
    let got = all_chunkings("observed", &synthesized("mid_stream_error_observed.sse"));
    assert_eq!(
        text_of(&got),
        "The first part of the answer",
        "prior text kept"
    );
    let n = got.len();
    assert_eq!(
        got[n - 2],
        Ok(Delta::Usage {
            usage: Usage {
                prompt_tokens: 1000,
                completion_tokens: 3,
                cost: usd("0.000306"),
                ..Usage::default()
            }
        }),
        "the usage riding on the error chunk comes first"
    );
    let last = got[n - 1]
        .as_ref()
        .expect_err("the stream ends with the error");
    assert!(
        last.starts_with("BadRequest { status: 400, message: \"Token limit reached\""),
        "code 400 is a bad request with the provider's message: {last}"
    );
    assert!(
        !got.iter().any(|d| matches!(d, Ok(Delta::Finish { .. }))),
        "no finish: the answer failed"
    );
}

/// Run as `scenarios::mid_stream_error_classified::openai_compat`, a scenario both wire formats share.
pub(crate) fn the_documented_mid_stream_error_with_a_string_code_is_an_upstream_failure() {
    let got = all_chunkings(
        "documented",
        &synthesized("mid_stream_error_documented.sse"),
    );
    assert_eq!(text_of(&got), "Partial answer", "prior text kept");
    let last = got
        .last()
        .expect("items")
        .as_ref()
        .expect_err("ends with the error");
    assert!(
        last.starts_with(
            "Upstream { status: 500, provider: Some(\"openai\"), message: \"Provider disconnected unexpectedly\""
        ),
        "a string code is an upstream failure named after the chunk's provider: {last}"
    );
}

/// Run as `scenarios::usage_before_finish::openai_compat`, a scenario both wire formats share.
pub(crate) fn usage_on_the_finish_chunk_is_emitted_before_the_finish() {
    let got = all_chunkings("usage_on_finish", &synthesized("usage_on_finish_chunk.sse"));
    assert_eq!(text_of(&got), "Hello there.", "text");
    assert_eq!(
        got[got.len() - 2..],
        [
            Ok(Delta::Usage {
                usage: Usage {
                    prompt_tokens: 12,
                    completion_tokens: 3,
                    cost: usd("0.0000096"),
                    ..Usage::default()
                }
            }),
            Ok(Delta::Finish {
                reason: FinishReason::Stop
            })
        ],
        "usage then finish"
    );
}

/// Compatible servers that report usage on every chunk (vLLM's `continuous_usage_stats`) and
/// repeat a finish reason: one usage, the last, just before the first finish reason.
#[test]
fn only_the_last_usage_and_the_first_finish_reason_are_emitted() {
    let chunk = |content: &str, finish: &str, completion: u32| {
        format!(
            "data: {{\"id\":\"cmpl-1\",\"model\":\"qwen\",\"choices\":[{{\"index\":0,\
             \"delta\":{{\"content\":\"{content}\"}},\"finish_reason\":{finish}}}],\
             \"usage\":{{\"prompt_tokens\":7,\"completion_tokens\":{completion}}}}}\n\n"
        )
    };
    let body = [
        chunk("a", "null", 1),
        chunk("b", "null", 2),
        chunk("", "\"length\"", 3),
        chunk("", "\"stop\"", 4),
        chunk("", "null", 5),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let got = all_chunkings("continuous usage", body.as_bytes());
    // The texts, the last usage once, the first finish reason once.
    insta::assert_debug_snapshot!(&got[1..]);
}

fn recorded_stream(id: &str) -> Vec<u8> {
    let path = fixtures()
        .join("openrouter/ai-sdk")
        .join(id)
        .join("response.jsonl");
    rebuild(&read(&path)).bytes
}

const TRUNCATED: &str = "Cut { detail: \"the stream ended before the answer was complete\" }";

/// Run as `scenarios::cut_stream::openai_compat`, a scenario both wire formats share.
pub(crate) fn a_stream_cut_before_the_finish_is_a_cut_error_after_the_text() {
    let bytes = recorded_stream("7DnrB604rYW");
    let finish_at = find(&bytes, b"\"finish_reason\":\"stop\"");
    let event_start = bytes[..finish_at]
        .windows(6)
        .rposition(|w| w == b"data: ")
        .expect("the finish event starts somewhere");
    for cut in [event_start, finish_at] {
        let got = run_chunks(whole(&bytes[..cut]));
        let full = run_chunks(whole(&bytes));
        assert_eq!(
            text_of(&got),
            text_of(&full),
            "cut at {cut}: the text before the cut is all there"
        );
        assert_eq!(
            got.last(),
            Some(&Err(TRUNCATED.to_owned())),
            "cut at {cut}: ends with the truncation error"
        );
    }
    let in_text = find(&bytes, b"\"content\":\"600\"");
    let got = run_chunks(whole(&bytes[..in_text]));
    assert_eq!(
        text_of(&got),
        "You used 3,",
        "cut inside an event: the events before it are kept"
    );
    assert_eq!(
        got.last(),
        Some(&Err(TRUNCATED.to_owned())),
        "and it is an error"
    );
}

#[test]
fn a_stream_that_ends_after_its_finish_without_done_is_complete() {
    let bytes = recorded_stream("7DnrB604rYW");
    let done = find(&bytes, b"data: [DONE]");
    let got = run_chunks(whole(&bytes[..done]));
    assert_eq!(got, run_chunks(whole(&bytes)), "same as with [DONE]");
}

/// Run as `scenarios::transport_error_mid_stream::openai_compat`, a scenario both wire formats share.
pub(crate) fn a_transport_error_mid_stream_keeps_what_came_before() {
    let bytes = recorded_stream("7DnrB604rYW");
    let cut = find(&bytes, b"\"content\":\"600\"");
    let chunks = vec![
        Ok(Bytes::copy_from_slice(&bytes[..cut])),
        Err(ProviderError::Network {
            detail: "connection reset".into(),
        }),
        Ok(Bytes::copy_from_slice(&bytes[cut..])),
    ];
    let got = drain(stream_from_bytes(futures_util::stream::iter(chunks)));
    assert_eq!(text_of(&got), "You used 3,", "text before the reset");
    assert_eq!(
        got.last(),
        Some(&Err("Network { detail: \"connection reset\" }".to_owned())),
        "the transport error is last; nothing after it is read"
    );
}

/// Run as `scenarios::garbage_event::openai_compat`, a scenario both wire formats share.
pub(crate) fn a_garbage_event_is_a_decode_error_that_keeps_the_raw_text() {
    let mut bytes = recorded_stream("7DnrB604rYW");
    let done = find(&bytes, b"data: [DONE]");
    bytes.splice(
        done..done,
        b"data: <html>502 Bad Gateway</html>\n\n".iter().copied(),
    );
    let got = run_chunks(whole(&bytes));
    let last = got.last().expect("items").as_ref().expect_err("an error");
    assert!(
        last.starts_with("Decode {") && last.contains("raw: \"<html>502 Bad Gateway</html>\""),
        "decode error with the raw event: {last}"
    );
}

/// The first event of `SQdqVfHTM78` as the recorder kept it (its tail lost) followed by the
/// rest of the stream: what a server sending broken JSON looks like. It must fail cleanly.
#[test]
fn a_truncated_event_as_recorded_is_a_decode_error_not_a_panic() {
    let path = fixtures().join("openrouter/ai-sdk/SQdqVfHTM78/response.jsonl");
    let mut raw = b"data: ".to_vec();
    for line in read(&path).lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        match (record.get("text"), record.get("json")) {
            (Some(text), _) if raw.len() < 30_000 => {
                raw.extend_from_slice(text.as_str().expect("text").as_bytes());
            }
            (_, Some(json)) => {
                raw.extend_from_slice(format!("\n\ndata: {json}").as_bytes());
                break;
            }
            _ => {}
        }
    }
    raw.extend_from_slice(b"\n\n");
    let got = run_chunks(whole(&raw));
    assert!(
        matches!(got.as_slice(), [Err(e)] if e.starts_with("Decode {")),
        "one decode error: {got:?}"
    );
}

#[test]
fn a_non_streamed_error_after_partial_output_is_an_error() {
    let body = read(&fixtures().join("openrouter/synthesized/nonstream_choice_error.json"));
    let err = parse_body(&body).expect_err("an error body");
    assert!(
        matches!(&err, ProviderError::Upstream { status: 502, provider: Some(p), message, .. }
            if p == "Anthropic" && message == "Provider returned error"),
        "choices[0].error is classified by its code: {err:?}"
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{} is in the stream", String::from_utf8_lossy(needle)))
}
