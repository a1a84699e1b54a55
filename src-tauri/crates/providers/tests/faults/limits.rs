//! D9 and D10: one huge event decodes in linear time and is capped; an endless keep-alive, a
//! stalled stream and a slow first byte end in a timeout.

use std::time::{Duration, Instant};

use switchboard_core::{ErrorCode, ProviderError, ProviderKind};
use switchboard_providers::StreamLimits;
use switchboard_tests::{FakeUpstream, Reply};

use super::{KEY, ask, endpoint, run};

const MIB: usize = 1024 * 1024;

/// Short deadlines, so the tests take under a second each.
fn short() -> StreamLimits {
    StreamLimits {
        idle_timeout: Duration::from_millis(300),
        first_event_timeout: Duration::from_millis(300),
        ..StreamLimits::default()
    }
}

#[tokio::test]
async fn a_5_mib_single_event_decodes_without_stalling() {
    let fake = FakeUpstream::start(KEY);
    for kind in [ProviderKind::OpenRouter, ProviderKind::Anthropic] {
        fake.enqueue(Reply::HugeEvent { bytes: 5 * MIB });
        let started = Instant::now();
        let outcome = run(endpoint(&fake, kind, StreamLimits::default()), ask(true)).await;
        let took = started.elapsed();
        assert!(outcome.error.is_none(), "{kind:?}: {:?}", outcome.error);
        let text = outcome.text();
        assert!(
            text.len() > 5 * MIB - 512 && text.bytes().all(|b| b == b'x'),
            "{kind:?}: the whole text, {} bytes",
            text.len()
        );
        // Quadratic decoding took minutes for this in a debug build; linear takes well under a
        // second. The bound is generous: it catches a hang, not a slow machine.
        assert!(took < Duration::from_secs(10), "{kind:?}: {took:?}");
    }
}

#[tokio::test]
async fn an_event_over_the_cap_fails_the_request_with_a_decode_error() {
    let fake = FakeUpstream::start(KEY);
    let limits = StreamLimits {
        max_event_bytes: MIB,
        ..StreamLimits::default()
    };
    for kind in [ProviderKind::OpenRouter, ProviderKind::Anthropic] {
        fake.enqueue(Reply::HugeEvent { bytes: 3 * MIB });
        let outcome = run(endpoint(&fake, kind, limits), ask(true)).await;
        let err = outcome.error.expect("an over-cap event is an error");
        assert_eq!(err.code(), ErrorCode::Decode, "{kind:?}: {err:?}");
        assert!(!err.info().retryable, "the same answer would be as large");
        assert!(
            err.to_string().contains("larger than 1 MiB"),
            "{kind:?}: the message says the event was too large: {err}"
        );
    }
}

#[tokio::test]
async fn an_endless_keep_alive_times_out_at_the_first_event_deadline() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::EndlessKeepAlive);
    let started = Instant::now();
    let outcome = run(
        endpoint(&fake, ProviderKind::OpenRouter, short()),
        ask(true),
    )
    .await;
    let took = started.elapsed();
    let err = outcome
        .error
        .expect("keep-alive comments alone must time out");
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    assert!(err.info().retryable, "a timeout may pass on a retry");
    assert!(matches!(err, ProviderError::Deadline { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("within 0.3 s") && text.contains("first-event timeout"),
        "the message says which deadline passed: {text}"
    );
    assert!(
        text.starts_with(&format!("OpenRouter at {} ", fake.openrouter_base()))
            && text.contains("POST /chat/completions"),
        "and where: {text}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_stream_that_goes_quiet_times_out_at_the_idle_deadline() {
    let fake = FakeUpstream::start(KEY);
    let first = b"data: {\"id\":\"gen-1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
    fake.enqueue(Reply::SseThenStall(vec![first.to_vec()]));
    let started = Instant::now();
    let outcome = run(
        endpoint(&fake, ProviderKind::OpenRouter, short()),
        ask(true),
    )
    .await;
    assert_eq!(outcome.text(), "Hel", "what arrived is delivered first");
    let err = outcome.error.expect("a stalled stream must time out");
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    assert!(
        err.to_string().contains("idle timeout"),
        "the message says which deadline passed: {err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_slow_first_byte_times_out_at_the_first_event_deadline() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::Echo.slow_first_byte(Duration::from_secs(20)));
    let started = Instant::now();
    let outcome = run(endpoint(&fake, ProviderKind::Anthropic, short()), ask(true)).await;
    let err = outcome.error.expect("no answer head in time");
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    assert!(err.to_string().contains("first-event timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_normal_stream_is_untouched_by_short_limits() {
    let fake = FakeUpstream::start(KEY);
    for kind in [
        ProviderKind::OpenRouter,
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
    ] {
        let outcome = run(endpoint(&fake, kind, short()), ask(true)).await;
        assert!(outcome.error.is_none(), "{kind:?}: {:?}", outcome.error);
        assert_eq!(outcome.text(), "Echo: hello", "{kind:?}");
    }
}
