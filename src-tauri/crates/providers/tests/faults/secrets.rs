//! D7: a key a server echoes in its error text never leaves the adapters.

use switchboard_core::{ErrorCode, ProviderError, ProviderKind};
use switchboard_providers::StreamLimits;
use switchboard_tests::{FakeUpstream, Reply};

use super::{KEY, ask, endpoint, run};

/// Every piece of the key of 8 or more characters found in `text`.
fn key_pieces_in(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for len in 8..=KEY.len() {
        for start in 0..=KEY.len() - len {
            let piece = &KEY[start..start + len];
            if text.contains(piece) {
                found.push(piece);
            }
        }
    }
    found
}

/// Everything the error carries, as text: its fields (Debug), its message, and the envelope.
fn all_text(err: &ProviderError) -> String {
    format!("{err:?}\n{err}\n{:?}", err.info())
}

#[tokio::test]
async fn an_echoed_key_is_redacted_from_401_and_400_errors() {
    let fake = FakeUpstream::start(KEY);
    for (kind, status, code) in [
        (ProviderKind::OpenRouter, 401, ErrorCode::Auth),
        (ProviderKind::OpenAi, 401, ErrorCode::Auth),
        (ProviderKind::Anthropic, 401, ErrorCode::Auth),
        (ProviderKind::OpenRouter, 400, ErrorCode::BadRequest),
        (ProviderKind::Anthropic, 400, ErrorCode::BadRequest),
    ] {
        fake.enqueue(Reply::EchoKey { status });
        let outcome = run(endpoint(&fake, kind, StreamLimits::default()), ask(true)).await;
        let err = outcome.error.expect("an error");
        assert_eq!(err.code(), code, "{kind:?} {status}: classified as before");
        let text = all_text(&err);
        assert_eq!(
            key_pieces_in(&text),
            Vec::<&str>::new(),
            "{kind:?} {status}: no part of the key: {text}"
        );
        assert!(
            text.contains("bad key [redacted]"),
            "{kind:?} {status}: the server's words are kept around the hole: {text}"
        );
    }
    let sent = fake.requests();
    assert!(
        sent.iter()
            .all(|r| r.headers.iter().any(|(_, v)| v.contains(KEY))),
        "the key was really sent (and so really echoed)"
    );
}

#[tokio::test]
async fn an_echoed_key_is_redacted_from_body_and_in_stream_errors() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::EchoKey { status: 401 });
    let outcome = run(
        endpoint(&fake, ProviderKind::OpenRouter, StreamLimits::default()),
        ask(false),
    )
    .await;
    let err = outcome.error.expect("an error");
    assert_eq!(
        key_pieces_in(&all_text(&err)),
        Vec::<&str>::new(),
        "{err:?}"
    );

    // Errors sent inside a 200 answer go through the same redaction.
    let echoed = format!("data: {{\"error\":{{\"code\":401,\"message\":\"bad key {KEY}\"}}}}\n\n");
    fake.enqueue(Reply::Sse(vec![echoed.into_bytes()]));
    let outcome = run(
        endpoint(&fake, ProviderKind::OpenRouter, StreamLimits::default()),
        ask(true),
    )
    .await;
    let err = outcome.error.expect("the in-stream error");
    assert_eq!(err.code(), ErrorCode::Auth);
    assert_eq!(
        key_pieces_in(&all_text(&err)),
        Vec::<&str>::new(),
        "{err:?}"
    );
}
