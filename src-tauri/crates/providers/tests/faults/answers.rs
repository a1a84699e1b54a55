//! D11, D19 and the wording of errors: a cost no request can have is not booked, an HTML page
//! is not a truncated stream, and a refusal names the call and what its status means.

use switchboard_core::{Delta, ErrorCode, ProviderError, ProviderKind};
use switchboard_providers::StreamLimits;
use switchboard_tests::{FakeUpstream, Reply};

use super::{KEY, ask, endpoint, run};

#[tokio::test]
async fn a_negative_string_or_absurd_cost_is_no_provider_cost() {
    let fake = FakeUpstream::start(KEY);
    for stream in [true, false] {
        for raw in ["-1", "\"0.5\"", "1e30", "-0.000001"] {
            fake.enqueue(Reply::UsageCost(raw.to_owned()));
            let api = endpoint(&fake, ProviderKind::OpenRouter, StreamLimits::default());
            let outcome = run(api, ask(stream)).await;
            assert!(outcome.error.is_none(), "{raw}: {:?}", outcome.error);
            let usage = outcome
                .deltas
                .iter()
                .find_map(|d| match d {
                    Delta::Usage { usage } => Some(usage.clone()),
                    _ => None,
                })
                .expect("the usage still arrives");
            assert_eq!(usage.cost, None, "{raw} (stream {stream}) is not booked");
            assert!(usage.prompt_tokens > 0, "{raw}: the token counts are kept");
        }
        // The control: a real cost is kept exactly.
        fake.enqueue(Reply::UsageCost("0.00042".into()));
        let api = endpoint(&fake, ProviderKind::OpenRouter, StreamLimits::default());
        let outcome = run(api, ask(stream)).await;
        let cost = outcome.deltas.iter().find_map(|d| match d {
            Delta::Usage { usage } => usage.cost,
            _ => None,
        });
        assert_eq!(cost.map(|c| c.to_string()).as_deref(), Some("0.00042"));
    }
}

#[tokio::test]
async fn an_html_page_answering_a_stream_is_a_decode_error_naming_its_content_type() {
    let fake = FakeUpstream::start(KEY);
    let page = "<html><body>Sign in to the Wi-Fi</body></html>";
    for kind in [
        ProviderKind::OpenRouter,
        ProviderKind::Custom,
        ProviderKind::Anthropic,
    ] {
        fake.enqueue(Reply::Html(page.into()));
        let outcome = run(endpoint(&fake, kind, StreamLimits::default()), ask(true)).await;
        assert!(outcome.deltas.is_empty(), "{kind:?}: {:?}", outcome.deltas);
        let err = outcome.error.expect("an error");
        assert_eq!(
            err.code(),
            ErrorCode::Decode,
            "{kind:?}: not a network error: {err:?}"
        );
        assert!(
            !err.info().retryable,
            "{kind:?}: not transient: the page comes again"
        );
        assert!(
            matches!(&err, ProviderError::Decode { raw, .. } if raw == page),
            "{kind:?}: the page is kept to diagnose: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("content type text/html") && text.contains("text/event-stream"),
            "{kind:?}: the message names the content type: {text}"
        );
    }
}

#[tokio::test]
async fn a_refusal_names_the_server_the_call_and_the_status_meaning() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::Status {
        status: 404,
        retry_after: None,
        body: Some(String::new()),
    });
    let outcome = run(
        endpoint(&fake, ProviderKind::Custom, StreamLimits::default()),
        ask(true),
    )
    .await;
    let err = outcome.error.expect("an error");
    assert!(
        matches!(err, ProviderError::BadRequest { status: 404, .. }),
        "classified as before: {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "OpenAI-compatible server at {} answered 404 Not Found for POST /chat/completions: \
             nothing was found there (check the base URL and the model name).",
            fake.custom_base()
        )
    );

    fake.enqueue(Reply::Status {
        status: 429,
        retry_after: Some(7),
        body: None,
    });
    let outcome = run(
        endpoint(&fake, ProviderKind::OpenRouter, StreamLimits::default()),
        ask(true),
    )
    .await;
    let err = outcome.error.expect("an error");
    assert!(
        matches!(&err, ProviderError::RateLimited { retry_after: Some(d), message, .. }
            if d.as_secs() == 7 && message == "Rate limit exceeded"),
        "classification and the provider's words kept: {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "OpenRouter at {} answered 429 Too Many Requests for POST /chat/completions: rate \
             limited; it asks to wait 7 s before trying again. It said: Rate limit exceeded.",
            fake.openrouter_base()
        )
    );
}
