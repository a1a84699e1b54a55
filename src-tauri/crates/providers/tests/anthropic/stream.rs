//! The streamed answer: the recorded thinking stream however it is cut, synthesized tool-use and
//! error streams, and broken input.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::json;
use switchboard_core::{Delta, ErrorCode, FinishReason, ProviderError, Usage};
use switchboard_providers::anthropic::{parse_body, stream_from_bytes};

use super::{Outcome, collect, fixture, reasoning_of, run, run_chunks, text_of};

/// The thinking text of the recording, read by eye from its 13 non-empty `thinking_delta`s.
const RECORDED_THINKING: &str = "This is a straightforward question about pedestrian safety. I \
    should provide clear, helpful advice about how to safely cross a street. This is basic safety \
    information that could help prevent accidents.";

/// The answer text of the recording, read by eye from its `text_delta`s.
const RECORDED_TEXT: &str = "Here are the basic steps for safely crossing the street:\n\n\
**At intersections with traffic lights:**\n\
- Wait for the pedestrian \"Walk\" signal\n\
- Look both ways before stepping into the street\n\
- Make eye contact with drivers when possible\n\
- Stay alert for turning vehicles\n\n\
**At intersections without signals:**\n\
- Use crosswalks when available\n\
- Stop at the curb and look left, right, then left again\n\
- Wait for a clear gap in traffic\n\
- Walk briskly but don't run\n\
- Keep looking for traffic as you cross\n\n\
**General safety tips:**\n\
- Put away phones and remove headphones\n\
- Wear bright or reflective clothing in low light\n\
- Never assume drivers see you\n\
- Avoid crossing between parked cars\n\
- Walk facing traffic when there's no sidewalk\n\n\
**In busy urban areas:**\n\
- Follow pedestrian signals strictly\n\
- Be extra cautious of cyclists in bike lanes\n\
- Watch for buses and large vehicles with blind spots\n\n\
The key is to be visible, alert, and predictable in your movements. Always prioritize safety \
over speed when crossing streets.";

/// The recorded signature's ends, copied from the `signature_delta`.
const SIGNATURE_START: &str = "EvMCCkYICxgCKkCHP2cSuEdcJK/0rFwqES/ecn+VurRpNTwI4XNyM0vnNfGsc9Om";
const SIGNATURE_END: &str = "hGxb7XsYeb1vgb7wwzDvP/UhjfQYAQ==";

fn assert_recorded_thinking_answer(outcome: &Outcome) {
    assert!(
        outcome.error.is_none(),
        "a complete recording ends cleanly, got {:?}",
        outcome.error
    );
    let d = &outcome.deltas;
    assert_eq!(
        d.first(),
        Some(&Delta::Meta {
            generation_id: Some("msg_01ALwQ87pTS7hH1PjSdC9wJD".into()),
            model: Some("claude-sonnet-4-20250514".into()),
            served_by: Some("Anthropic".into()),
        }),
        "message_start becomes Meta with the message id and served model"
    );
    assert_eq!(
        reasoning_of(d),
        RECORDED_THINKING,
        "thinking_delta text joined"
    );
    assert_eq!(text_of(d), RECORDED_TEXT, "text_delta text joined");
    let reasoning_count = d
        .iter()
        .filter(|x| matches!(x, Delta::Reasoning { .. }))
        .count();
    assert_eq!(
        reasoning_count, 13,
        "13 non-empty thinking deltas; the empty one is dropped"
    );
    let text_count = d.iter().filter(|x| matches!(x, Delta::Text { .. })).count();
    assert_eq!(text_count, 95, "95 text deltas in the recording");

    let details: Vec<_> = d
        .iter()
        .filter_map(|x| match x {
            Delta::ReasoningDetails { details } => Some(details),
            _ => None,
        })
        .collect();
    assert_eq!(details.len(), 1, "one thinking block, one ReasoningDetails");
    let detail = &details[0][..];
    assert_eq!(detail.len(), 1, "one value per thinking block");
    assert_eq!(detail[0]["type"], "reasoning.text", "detail type");
    assert_eq!(detail[0]["format"], "anthropic-claude-v1", "detail format");
    assert_eq!(
        detail[0]["text"], RECORDED_THINKING,
        "the whole thinking kept for replay"
    );
    let signature = detail[0]["signature"].as_str().expect("signature present");
    assert!(
        signature.starts_with(SIGNATURE_START) && signature.ends_with(SIGNATURE_END),
        "the signature_delta is kept whole: {signature}"
    );
    assert_eq!(
        signature.len(),
        504,
        "the recorded signature is 504 characters"
    );

    // Order: thinking (deltas then details) precedes the text; Usage then Finish end it.
    let details_at = d
        .iter()
        .position(|x| matches!(x, Delta::ReasoningDetails { .. }))
        .unwrap();
    let first_text = d
        .iter()
        .position(|x| matches!(x, Delta::Text { .. }))
        .unwrap();
    assert!(
        details_at < first_text,
        "the thinking block closes before the text block opens"
    );
    let n = d.len();
    assert_eq!(
        d[n - 2],
        Delta::Usage {
            usage: Usage {
                prompt_tokens: 43,
                completion_tokens: 282,
                cached_tokens: 0,
                cache_write_tokens: 0,
                reasoning_tokens: 0,
                cost: None,
                ..Usage::default()
            }
        },
        "usage from message_start input and message_delta's cumulative output"
    );
    assert_eq!(
        d[n - 1],
        Delta::Finish {
            reason: FinishReason::Stop
        },
        "end_turn is Stop, last"
    );
    let usage_count = d
        .iter()
        .filter(|x| matches!(x, Delta::Usage { .. }))
        .count();
    assert_eq!(usage_count, 1, "Usage is emitted once");
    assert_eq!(n, 1 + 13 + 1 + 95 + 2, "nothing else is emitted");
}

/// Run as `scenarios::recorded_reasoning_stream::anthropic`, a scenario both wire formats share.
pub(crate) async fn recorded_thinking_stream_normalizes_exactly() {
    let outcome = run(&fixture!("thinking_stream.response.sse")).await;
    assert_recorded_thinking_answer(&outcome);
}

#[tokio::test]
async fn recorded_thinking_stream_byte_by_byte_is_identical() {
    let body = fixture!("thinking_stream.response.sse");
    let whole = run(&body).await;
    let chunks = body.as_bytes().iter().map(|b| vec![*b]).collect();
    let bytewise = run_chunks(chunks).await;
    assert_recorded_thinking_answer(&bytewise);
    assert_eq!(
        bytewise.deltas, whole.deltas,
        "byte-by-byte reads give the same deltas"
    );
}

/// splitmix64: a tiny seeded generator, so a failing cut set can be reproduced from its seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn cut(body: &[u8], seed: u64) -> Vec<Vec<u8>> {
    let mut state = seed;
    let count = 1 + splitmix(&mut state) % 60;
    let len = body.len() as u64;
    let mut cuts: Vec<usize> = (0..count)
        .map(|_| (1 + splitmix(&mut state) % (len - 1)) as usize)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for at in cuts.into_iter().chain([body.len()]) {
        chunks.push(body[start..at].to_vec());
        start = at;
    }
    chunks
}

/// Run as `scenarios::chunking_independent::anthropic`, a scenario both wire formats share.
pub(crate) async fn recorded_thinking_stream_at_50_random_cut_sets_is_identical() {
    let body = fixture!("thinking_stream.response.sse");
    let whole = run(&body).await;
    for seed in 0..50u64 {
        let chunks = cut(body.as_bytes(), seed);
        let outcome = run_chunks(chunks).await;
        assert!(
            outcome.error.is_none(),
            "seed {seed}: no error, got {:?}",
            outcome.error
        );
        assert_eq!(
            outcome.deltas, whole.deltas,
            "seed {seed}: same deltas as the whole body"
        );
    }
}

/// Run as `scenarios::cut_stream::anthropic`, a scenario both wire formats share.
pub(crate) async fn a_cut_stream_keeps_what_arrived_and_ends_with_a_network_error() {
    let body = fixture!("thinking_stream.response.sse");
    let stop_at = body.find("event: message_stop").unwrap();
    let mid_text = body.find("crossing the").unwrap();
    for (what, end) in [("before message_stop", stop_at), ("mid text", mid_text)] {
        let outcome = run(&body[..end]).await;
        match &outcome.error {
            Some(ProviderError::Cut { detail }) => assert_eq!(
                detail, "the stream ended before the answer was complete",
                "{what}: the detail says why"
            ),
            other => panic!("{what}: expected a Cut error, got {other:?}"),
        }
        assert!(
            matches!(outcome.deltas.first(), Some(Delta::Meta { .. })),
            "{what}: what arrived before the cut is kept"
        );
    }
    let before_stop = run(&body[..stop_at]).await;
    assert_eq!(
        before_stop.deltas.last(),
        Some(&Delta::Finish {
            reason: FinishReason::Stop
        }),
        "usage and finish from message_delta are kept though message_stop never came"
    );
    assert!(
        text_of(&run(&body[..mid_text]).await.deltas).ends_with("safely"),
        "text up to the last whole event is kept"
    );
}

/// Run as `scenarios::transport_error_mid_stream::anthropic`, a scenario both wire formats
/// share; the counterpart of the OpenAI-compatible test, added with the scenario table.
pub(crate) async fn a_transport_error_mid_stream_keeps_what_came_before() {
    let body = fixture!("thinking_stream.response.sse");
    let cut = body.find("crossing the").unwrap();
    let chunks = vec![
        Ok(Bytes::copy_from_slice(&body.as_bytes()[..cut])),
        Err(ProviderError::Network {
            detail: "connection reset".into(),
        }),
        Ok(Bytes::copy_from_slice(&body.as_bytes()[cut..])),
    ];
    let outcome = collect(stream_from_bytes(futures_util::stream::iter(chunks))).await;
    assert!(
        text_of(&outcome.deltas).ends_with("safely"),
        "text up to the last whole event before the reset is kept"
    );
    assert!(
        matches!(&outcome.error, Some(ProviderError::Network { detail }) if detail == "connection reset"),
        "the transport error is last; nothing after it is read, got {:?}",
        outcome.error
    );
}

/// Run as `scenarios::tool_calls::anthropic`, a scenario both wire formats share.
pub(crate) async fn tool_use_arrives_whole_from_input_json_fragments() {
    let outcome = run(&fixture!("synthesized/tool_use_stream.sse")).await;
    assert!(
        outcome.error.is_none(),
        "complete stream: {:?}",
        outcome.error
    );
    // Text, the joined tool calls, usage with cache counts (prompt tokens 472 + 100 cached + 50
    // written), no cost, and a tool_use finish.
    insta::assert_debug_snapshot!(outcome.deltas);
}

/// Run as `scenarios::mid_stream_error_keeps_text::anthropic`, a scenario both wire formats share.
pub(crate) async fn overloaded_error_mid_stream_keeps_the_text_and_is_retryable() {
    let outcome = run(&fixture!("synthesized/overloaded_mid_stream.sse")).await;
    assert_eq!(
        text_of(&outcome.deltas),
        "Hello, wor",
        "text before the error is kept"
    );
    assert_eq!(
        outcome.deltas.len(),
        3,
        "Meta and two texts: {:?}",
        outcome.deltas
    );
    let err = outcome.error.expect("the stream ends with an error");
    assert!(
        matches!(&err, ProviderError::Upstream { status: 529, message, .. } if message == "Overloaded"),
        "overloaded_error is Upstream 529 with Anthropic's message, got {err:?}"
    );
    assert_eq!(err.code(), ErrorCode::Upstream, "code");
    assert!(err.info().retryable, "an overload is worth retrying");
}

fn error_event(kind: &str) -> String {
    let start = r#"{"type":"message_start","message":{"id":"msg_x","model":"m","content":[],"usage":{"input_tokens":1}}}"#;
    format!(
        "event: message_start\ndata: {start}\n\nevent: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"{kind}\",\"message\":\"boom\"}}}}\n\n"
    )
}

/// Run as `scenarios::mid_stream_error_classified::anthropic`, a scenario both wire formats share.
pub(crate) async fn mid_stream_error_types_are_classified() {
    let rate = run(&error_event("rate_limit_error")).await.error;
    assert!(
        matches!(rate, Some(ProviderError::RateLimited { ref message, .. }) if message == "boom"),
        "rate_limit_error is RateLimited, got {rate:?}"
    );
    let api = run(&error_event("api_error")).await.error;
    assert!(
        matches!(api, Some(ProviderError::Upstream { status: 500, .. })),
        "api_error is Upstream 500, got {api:?}"
    );
    let invalid = run(&error_event("invalid_request_error")).await.error;
    assert!(
        matches!(invalid, Some(ProviderError::BadRequest { status: 400, .. })),
        "invalid_request_error is BadRequest 400, got {invalid:?}"
    );
    let unknown = run(&error_event("brand_new_error")).await.error;
    assert_eq!(
        unknown.map(|e| e.code()),
        Some(ErrorCode::Upstream),
        "an unknown type mid-answer is the server failing"
    );
}

#[tokio::test]
async fn redacted_thinking_is_kept_opaque_for_replay() {
    let outcome = run(&fixture!("synthesized/redacted_thinking_stream.sse")).await;
    assert!(outcome.error.is_none(), "complete: {:?}", outcome.error);
    assert_eq!(
        outcome.deltas[1],
        Delta::ReasoningDetails {
            details: vec![json!({
                "type": "reasoning.encrypted",
                "format": "anthropic-claude-v1",
                "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN3kY8qvNnmrbKQ",
            })]
        },
        "redacted_thinking becomes reasoning.encrypted"
    );
    assert_eq!(
        reasoning_of(&outcome.deltas),
        "",
        "no readable reasoning is invented"
    );
    assert_eq!(text_of(&outcome.deltas), "Done.", "the text follows");
}

/// Run as `scenarios::garbage_event::anthropic`, a scenario both wire formats share.
pub(crate) async fn bad_data_is_a_decode_error_after_what_came_before() {
    let body = format!(
        "{}event: content_block_delta\ndata: {{not json\n\n",
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n"
    );
    let outcome = run(&body).await;
    assert!(
        matches!(outcome.deltas[..], [Delta::Meta { .. }]),
        "Meta came first: {:?}",
        outcome.deltas
    );
    assert!(
        matches!(&outcome.error, Some(ProviderError::Decode { raw, .. }) if raw == "{not json"),
        "non-JSON data is Decode with the raw data, got {:?}",
        outcome.error
    );
    let stray = run("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n").await;
    assert_eq!(
        stray.error.map(|e| e.code()),
        Some(ErrorCode::Decode),
        "a delta for a block that never started is a protocol error"
    );
}

#[tokio::test]
async fn unknown_events_are_skipped_and_pause_turn_is_other() {
    let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"m\",\"usage\":{\"input_tokens\":5}}}\n\n\
        event: something_new\ndata: {\"type\":\"something_new\",\"x\":1}\n\n\
        event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"pause_turn\"},\"usage\":{\"output_tokens\":3}}\n\n\
        event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n\
        event: content_block_delta\ndata: not even json\n\n";
    let outcome = run(body).await;
    assert!(
        outcome.error.is_none(),
        "reading stops at message_stop, so trailing junk is never parsed: {:?}",
        outcome.error
    );
    assert_eq!(
        outcome.deltas.last(),
        Some(&Delta::Finish {
            reason: FinishReason::Other("pause_turn".into())
        }),
        "pause_turn is passed on as Other"
    );
    assert!(
        matches!(&outcome.deltas[1], Delta::Usage { usage } if usage.prompt_tokens == 5 && usage.completion_tokens == 3),
        "usage merged: {:?}",
        outcome.deltas
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let prefix = "event: content_block_start\ndata: ".as_bytes().to_vec();
        let outcome = runtime.block_on(run_chunks(vec![prefix, bytes.clone()]));
        prop_assert!(outcome.error.is_some(), "garbage never completes an answer");
        let _ = parse_body(&String::from_utf8_lossy(&bytes));
    }
}
