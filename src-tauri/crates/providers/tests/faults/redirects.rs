//! D5: a key never follows a redirect to another origin.

use switchboard_core::{ErrorCode, ProviderError, ProviderKind};
use switchboard_providers::StreamLimits;
use switchboard_tests::{FakeUpstream, Reply};

use super::{KEY, ask, endpoint, run};

/// Whether `fake` received any request carrying the key, in any header.
fn saw_the_key(fake: &FakeUpstream) -> bool {
    fake.requests()
        .iter()
        .any(|r| r.headers.iter().any(|(_, v)| v.contains(KEY)))
}

#[tokio::test]
async fn anthropic_x_api_key_does_not_follow_a_redirect_to_another_origin() {
    let first = FakeUpstream::start(KEY);
    let second = FakeUpstream::start(KEY);
    let elsewhere = format!("{}/messages", second.anthropic_base());
    for status in [302, 307, 308] {
        first.enqueue(Reply::Redirect {
            status,
            location: elsewhere.clone(),
        });
        let api = endpoint(&first, ProviderKind::Anthropic, StreamLimits::default());
        let outcome = run(api, ask(true)).await;
        let err = outcome.error.expect("a refused redirect is an error");
        assert!(
            matches!(&err, ProviderError::BadRequest { status: s, message, .. }
                if *s == status && *message == elsewhere),
            "{status}: a bad request naming the Location: {err:?}"
        );
        assert_eq!(err.code(), ErrorCode::BadRequest, "{status}");
        assert!(
            !err.info().retryable,
            "{status}: the same call redirects again"
        );
        let text = err.to_string();
        assert!(
            text.contains("redirect") && text.contains(&elsewhere) && text.contains("not followed"),
            "{status}: the message says a redirect was refused, and where to: {text}"
        );
        assert!(
            text.starts_with(&format!(
                "Anthropic at {} answered {status} ",
                first.anthropic_base()
            )),
            "{status}: {text}"
        );
    }
    assert!(
        !saw_the_key(&second),
        "the other origin must never see the key: {:?}",
        second.requests()
    );
    assert!(second.requests().is_empty(), "nor any request at all");
}

#[tokio::test]
async fn a_bearer_key_does_not_follow_either() {
    let first = FakeUpstream::start(KEY);
    let second = FakeUpstream::start(KEY);
    first.enqueue(Reply::Redirect {
        status: 307,
        location: format!("{}/chat/completions", second.openai_base()),
    });
    let outcome = run(
        endpoint(&first, ProviderKind::OpenAi, StreamLimits::default()),
        ask(true),
    )
    .await;
    assert!(
        matches!(
            outcome.error,
            Some(ProviderError::BadRequest { status: 307, .. })
        ),
        "{:?}",
        outcome.error
    );
    assert!(second.requests().is_empty(), "{:?}", second.requests());
}

#[tokio::test]
async fn a_same_origin_307_is_followed_with_the_key() {
    let fake = FakeUpstream::start(KEY);
    // A self-hosted server may move a path within itself; the key stays on the same origin.
    fake.enqueue(Reply::Redirect {
        status: 307,
        location: format!("{}/messages", fake.anthropic_base()),
    });
    let outcome = run(
        endpoint(&fake, ProviderKind::Anthropic, StreamLimits::default()),
        ask(true),
    )
    .await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.text(), "Echo: hello", "the echo after the hop");
    assert_eq!(
        fake.requests().len(),
        2,
        "the first call and the followed one"
    );
}
