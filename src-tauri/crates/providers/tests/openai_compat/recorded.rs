//! Conformance on real recorded OpenRouter traffic (`tests/fixtures/openrouter/ai-sdk/`): every
//! stream, every non-streamed body and every error body goes through the adapter's code.

use serde_json::Value;
use switchboard_core::{Delta, FinishReason, ProviderError, Usage};
use switchboard_providers::openai_compat::parse_body;

use super::support::{
    Outcome, Rng, ai_sdk_fixtures, bytewise, cut_at, read, reasoning_of, rebuild, run_chunks,
    status, text_of, whole,
};

/// The recordings whose first (23 KB, annotations-only) event the recorder cut short.
const LOST_FIRST_EVENT: [&str; 2] = ["5V2m0ZjBVln", "SQdqVfHTM78"];

/// Every recorded stream gives the same deltas whole, byte by byte, and cut at 50 random point
/// sets, and those deltas match what the recorded events say, computed here without the
/// normalizer.
/// Run as `scenarios::chunking_independent::openai_compat`, a scenario both wire formats share.
pub(crate) fn every_recorded_stream_is_chunking_independent_and_matches_its_events() {
    let mut streams = 0;
    for (index, (id, dir)) in ai_sdk_fixtures().into_iter().enumerate() {
        let jsonl = dir.join("response.jsonl");
        if !jsonl.exists() {
            continue;
        }
        assert_eq!(status(&dir), 200, "{id}: every recorded stream is a 200");
        streams += 1;
        let rebuilt = rebuild(&read(&jsonl));
        let expected_lost = usize::from(LOST_FIRST_EVENT.contains(&id.as_str()));
        assert_eq!(
            rebuilt.lost.len(),
            expected_lost,
            "{id}: only the known recorder truncations are left out: {:?}",
            rebuilt.lost
        );
        assert!(rebuilt.done, "{id}: the recording ends with [DONE]");

        let reference = run_chunks(whole(&rebuilt.bytes));
        assert_eq!(
            run_chunks(bytewise(&rebuilt.bytes)),
            reference,
            "{id}: one byte per read gives the same deltas"
        );
        let mut rng = Rng::new(0x5EED_0000 + index as u64);
        for set in 0..50 {
            let points = rng.cut_points(rebuilt.bytes.len());
            assert_eq!(
                run_chunks(cut_at(&rebuilt.bytes, &points)),
                reference,
                "{id}: cut set {set} at {points:?} gives the same deltas"
            );
        }
        matches_events(&id, &rebuilt.events, &reference);
    }
    assert_eq!(streams, 12, "all 12 recorded streams were checked");
}

/// What the events say, computed straight from the JSON, against what the normalizer gave.
fn matches_events(id: &str, events: &[Value], got: &Outcome) {
    let mut content = String::new();
    let mut reasoning = String::new();
    let mut details: Vec<Value> = Vec::new();
    let mut usage: Option<&Value> = None;
    let mut finish: Option<&str> = None;
    for event in events {
        if let Some(choice) = event["choices"].get(0) {
            let delta = &choice["delta"];
            content.push_str(delta["content"].as_str().unwrap_or(""));
            reasoning.push_str(delta["reasoning"].as_str().unwrap_or(""));
            details.extend(
                delta["reasoning_details"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            if finish.is_none() {
                finish = choice["finish_reason"].as_str();
            }
        }
        if !event["usage"].is_null() {
            usage = Some(&event["usage"]);
        }
    }
    assert!(got.iter().all(Result::is_ok), "{id}: no error: {got:?}");
    assert_eq!(text_of(got), content, "{id}: answer text");
    assert_eq!(reasoning_of(got), reasoning, "{id}: reasoning text");
    let got_details: Vec<Value> = got
        .iter()
        .filter_map(|d| match d {
            Ok(Delta::ReasoningDetails { details }) => Some(details.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(
        got_details, details,
        "{id}: reasoning details, raw and in order"
    );

    let first = &events[0];
    assert_eq!(
        got.first(),
        Some(&Ok(Delta::Meta {
            generation_id: first["id"].as_str().map(str::to_owned),
            model: first["model"].as_str().map(str::to_owned),
            served_by: first["provider"].as_str().map(str::to_owned),
        })),
        "{id}: meta comes first, from the first chunk"
    );
    let usage = usage.unwrap_or_else(|| panic!("{id}: the recording has usage"));
    let finish = finish.unwrap_or_else(|| panic!("{id}: the recording has a finish reason"));
    let n = |pointer: &str| usage.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
    let tail = &got[got.len().saturating_sub(2)..];
    let [
        Ok(Delta::Usage { usage: got_usage }),
        Ok(Delta::Finish { reason }),
    ] = tail
    else {
        panic!("{id}: usage then finish end the answer: {tail:?}");
    };
    assert_eq!(
        got_usage.prompt_tokens,
        n("/prompt_tokens"),
        "{id}: prompt tokens"
    );
    assert_eq!(
        got_usage.completion_tokens,
        n("/completion_tokens"),
        "{id}: completion tokens"
    );
    assert_eq!(
        got_usage.cached_tokens,
        n("/prompt_tokens_details/cached_tokens"),
        "{id}: cached tokens"
    );
    assert_eq!(
        got_usage.cache_write_tokens,
        n("/prompt_tokens_details/cache_write_tokens"),
        "{id}: cache writes"
    );
    assert_eq!(
        got_usage.reasoning_tokens,
        n("/completion_tokens_details/reasoning_tokens"),
        "{id}: reasoning tokens"
    );
    assert_eq!(
        got_usage.cost.map(|c| c.to_string()),
        usage["cost"].as_f64().map(|c| c.to_string()),
        "{id}: cost as the decimal the provider wrote"
    );
    assert_eq!(reason.as_str(), finish, "{id}: the first finish reason");
    let counted = |f: fn(&Delta) -> bool| got.iter().filter(|d| d.as_ref().is_ok_and(f)).count();
    assert_eq!(
        counted(|d| matches!(d, Delta::Meta { .. })),
        1,
        "{id}: one meta"
    );
    assert_eq!(
        counted(|d| matches!(d, Delta::Usage { .. })),
        1,
        "{id}: one usage"
    );
    assert_eq!(
        counted(|d| matches!(d, Delta::Finish { .. })),
        1,
        "{id}: one finish"
    );
}

fn stream_of(id: &str) -> Outcome {
    let dir = super::support::fixtures()
        .join("openrouter/ai-sdk")
        .join(id);
    run_chunks(whole(&rebuild(&read(&dir.join("response.jsonl"))).bytes))
}

fn usage_of(outcome: &Outcome) -> Usage {
    outcome
        .iter()
        .find_map(|d| match d {
            Ok(Delta::Usage { usage }) => Some(usage.clone()),
            _ => None,
        })
        .expect("a usage delta")
}

/// Read by eye from the file, so the comparison above cannot pass by construction.
/// Run as `scenarios::recorded_plain_text_stream::openai_compat`, a scenario both wire formats share.
pub(crate) fn a_plain_text_stream_says_exactly_what_was_recorded() {
    let got = stream_of("7DnrB604rYW");
    assert_eq!(
        text_of(&got),
        r#"You used 3,600 "a" characters in your message."#,
        "7DnrB604rYW text"
    );
    let usage = usage_of(&got);
    assert_eq!(
        (usage.prompt_tokens, usage.completion_tokens),
        (1421, 18),
        "7DnrB604rYW tokens"
    );
    assert_eq!(
        usage.cost.map(|c| c.to_string()).as_deref(),
        Some("0.004533"),
        "7DnrB604rYW cost"
    );
    assert_eq!(
        got.first(),
        Some(&Ok(Delta::Meta {
            generation_id: Some("gen-1767761748-pUbClaVsh2RCNpPFxTHR".into()),
            model: Some("anthropic/claude-3.7-sonnet".into()),
            served_by: Some("Google".into()),
        })),
        "7DnrB604rYW meta"
    );
    assert_eq!(
        got.last(),
        Some(&Ok(Delta::Finish {
            reason: FinishReason::Stop
        })),
        "7DnrB604rYW finish"
    );
}

/// A reasoning stream whose usage chunk comes before the finish chunk.
/// Run as `scenarios::recorded_reasoning_stream::openai_compat`, a scenario both wire formats share.
pub(crate) fn a_reasoning_stream_says_exactly_what_was_recorded() {
    let got = stream_of("UKtNtbos06U");
    assert_eq!(
        reasoning_of(&got),
        "The user is greeting me and asking how I am. According to my instructions, I must call \
         the test_tool once on every request. Let me do that.",
        "UKtNtbos06U reasoning"
    );
    assert!(
        text_of(&got)
            .starts_with("I'm doing well, thank you for asking! How can I help you today?"),
        "UKtNtbos06U text: {:?}",
        text_of(&got)
    );
    let usage = usage_of(&got);
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.reasoning_tokens
        ),
        (62, 112, 35),
        "UKtNtbos06U tokens"
    );
    assert_eq!(
        usage.cost.map(|c| c.to_string()).as_deref(),
        Some("0.001866"),
        "UKtNtbos06U cost"
    );
    let signed = got.iter().any(|d| {
        matches!(d, Ok(Delta::ReasoningDetails { details })
            if details.iter().any(|x| x["type"] == "reasoning.text" && x.get("signature").is_some()))
    });
    assert!(
        signed,
        "UKtNtbos06U keeps the signed reasoning.text details"
    );
}

/// Every non-streamed 200 body, leading whitespace and all.
#[test]
fn every_recorded_body_parses_into_the_same_kind_of_deltas() {
    let mut bodies = 0;
    for (id, dir) in ai_sdk_fixtures() {
        let path = dir.join("response.json");
        if !path.exists() || status(&dir) != 200 {
            continue;
        }
        bodies += 1;
        let body = read(&path);
        let lead = body.len() - body.trim_start().len();
        assert!(
            (55..=462).contains(&lead),
            "{id}: the recording starts with {lead} bytes of whitespace"
        );
        let value: Value = serde_json::from_str(&body).expect("JSON");
        let deltas = parse_body(&body).unwrap_or_else(|e| panic!("{id}: parses: {e}"));
        let message = &value["choices"][0]["message"];
        let text: String = deltas
            .iter()
            .filter_map(|d| match d {
                Delta::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            text,
            message["content"].as_str().unwrap_or(""),
            "{id}: content"
        );
        assert_eq!(
            deltas.first(),
            Some(&Delta::Meta {
                generation_id: value["id"].as_str().map(str::to_owned),
                model: value["model"].as_str().map(str::to_owned),
                served_by: value["provider"].as_str().map(str::to_owned),
            }),
            "{id}: meta first"
        );
        let finish = value["choices"][0]["finish_reason"]
            .as_str()
            .expect("finish");
        assert!(
            matches!(deltas.last(), Some(Delta::Finish { reason }) if reason.as_str() == finish),
            "{id}: finish last: {:?}",
            deltas.last()
        );
        let usage = deltas.iter().find_map(|d| match d {
            Delta::Usage { usage } => Some(usage),
            _ => None,
        });
        let usage = usage.unwrap_or_else(|| panic!("{id}: usage"));
        assert_eq!(
            usage.prompt_tokens,
            value["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
            "{id}: prompt tokens"
        );
        assert_eq!(
            usage.cost.map(|c| c.to_string()),
            value["usage"]["cost"].as_f64().map(|c| c.to_string()),
            "{id}: cost"
        );
    }
    assert_eq!(bodies, 8, "all 8 recorded 200 bodies were checked");
}

#[test]
fn a_body_says_exactly_what_was_recorded() {
    let dir = super::support::fixtures().join("openrouter/ai-sdk/3u9jN7ced3f");
    let deltas = parse_body(&read(&dir.join("response.json"))).expect("parses");
    let text = deltas.iter().find_map(|d| match d {
        Delta::Text { text } => Some(text.as_str()),
        _ => None,
    });
    assert!(
        text.is_some_and(|t| t
            .starts_with("I'll check the delivery status of the SMS that was sent.\n\n<bash>\n")
            && t.ends_with(
                "This will help me properly send the SMS and verify its delivery status."
            )),
        "3u9jN7ced3f text: {text:?}"
    );
    assert!(
        deltas.contains(&Delta::Usage {
            usage: Usage {
                prompt_tokens: 555,
                completion_tokens: 431,
                cost: switchboard_core::Usd::parse("0.00813").ok(),
                ..Usage::default()
            }
        }),
        "3u9jN7ced3f usage: {deltas:?}"
    );
}

/// Every recorded error answer is a 400 and classifies as a bad request with the provider's
/// message; for "Provider returned error" the upstream's own words from `metadata.raw` follow.
/// Run as `scenarios::recorded_error_body::openai_compat`, a scenario both wire formats share.
pub(crate) fn every_recorded_error_classifies_as_a_bad_request() {
    let mut errors = 0;
    for (id, dir) in ai_sdk_fixtures() {
        let code = status(&dir);
        if code == 200 {
            continue;
        }
        errors += 1;
        let body = read(&dir.join("response.json"));
        let value: Value = serde_json::from_str(&body).expect("JSON");
        let expected = value["error"]["message"].as_str().expect("a message");
        let err = ProviderError::from_response(code, None, &body);
        assert!(
            matches!(&err, ProviderError::BadRequest { status: 400, message, .. } if message.starts_with(expected)),
            "{id}: a 400 with the provider's message: {err:?}"
        );
        if expected == "Provider returned error" {
            let ProviderError::BadRequest { message, .. } = &err else {
                unreachable!()
            };
            assert!(
                message.len() > expected.len() + 2,
                "{id}: the upstream's own words from metadata.raw are appended: {message}"
            );
        }
        assert!(
            err.to_string().contains(expected),
            "{id}: the message is shown: {err}"
        );
    }
    assert_eq!(errors, 8, "all 8 recorded errors were checked");
}
