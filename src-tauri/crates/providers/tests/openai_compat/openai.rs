//! Conformance on real api.openai.com traffic (`tests/fixtures/openai/`): tool-call argument
//! deltas, `usage:null` on every chunk, the final `choices:[]` usage chunk, `obfuscation`.

use switchboard_core::{Delta, FinishReason, ProviderError, ToolCall, Usage};

use super::support::{Rng, bytewise, cut_at, fixtures, read, run_chunks, text_of, whole};

fn sse(name: &str) -> Vec<u8> {
    read(&fixtures().join("openai").join(name)).into_bytes()
}

fn chunking_independent(name: &str, bytes: &[u8]) -> super::support::Outcome {
    let reference = run_chunks(whole(bytes));
    assert_eq!(
        run_chunks(bytewise(bytes)),
        reference,
        "{name}: byte at a time"
    );
    let mut rng = Rng::new(0x0A_E4A1);
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

#[test]
fn the_streamed_tool_call_is_assembled_exactly() {
    let got = chunking_independent("1.sse", &sse("run_stream_sync_streams_real_model.1.sse"));
    assert_eq!(
        got,
        vec![
            Ok(Delta::Meta {
                generation_id: Some("chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl".into()),
                model: Some("gpt-4o-mini-2024-07-18".into()),
                served_by: None,
            }),
            Ok(Delta::ToolCall {
                call: ToolCall {
                    id: "call_ZR5UUuTt3pf61kjwAJIYdVMj".into(),
                    name: "get_capital".into(),
                    arguments: r#"{"country":"UK"}"#.into(),
                }
            }),
            Ok(Delta::Usage {
                usage: Usage {
                    prompt_tokens: 53,
                    completion_tokens: 15,
                    ..Usage::default()
                }
            }),
            Ok(Delta::Finish {
                reason: FinishReason::ToolCalls
            }),
        ],
        "one whole call, the usage from the choices:[] chunk, then the finish"
    );
}

#[test]
fn the_streamed_answer_after_the_tool_result_is_exact() {
    let got = chunking_independent("2.sse", &sse("run_stream_sync_streams_real_model.2.sse"));
    assert_eq!(
        text_of(&got),
        "The capital of the UK is London.",
        "the text"
    );
    assert_eq!(
        got[got.len() - 2..],
        [
            Ok(Delta::Usage {
                usage: Usage {
                    prompt_tokens: 78,
                    completion_tokens: 9,
                    ..Usage::default()
                }
            }),
            Ok(Delta::Finish {
                reason: FinishReason::Stop
            })
        ],
        "usage (no cost from OpenAI), then stop"
    );
}

#[test]
fn the_recorded_openai_error_is_a_bad_request() {
    let body = read(&fixtures().join("openai/o1_mini_system_role_system.400.json"));
    let err = ProviderError::from_response(400, None, &body);
    assert!(
        matches!(&err, ProviderError::BadRequest { status: 400, message, .. }
            if message == "Unsupported value: 'messages[0].role' does not support 'system' with this model."),
        "OpenAI's message is kept: {err:?}"
    );
}
