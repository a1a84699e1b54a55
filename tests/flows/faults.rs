//! A careless or hostile upstream, through the engine: the key does not follow a redirect and
//! never lands in a message, the database or a log when a server echoes it; a cost no request
//! can have is not booked; an HTML page is a clear, final decode error; one huge event streams
//! through. (Reliability findings D5, D7, D9, D11, D19; the provider-level tests of each, and
//! of the D10 deadlines, are in `switchboard-providers`' `tests/faults/`.)

use std::time::Duration;

use switchboard_engine::core::{BuiltinProvider, ErrorCode, Usd};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CancellationToken, CostSource};
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{ask, ask_openrouter, send_once};
use crate::keys::Harness;

const KEY: &str = "sk-or-v1-flows-faults-7f3a9c2e1d0b4a68";

/// Far longer than any of these requests takes; only a hang misses it.
const NO_HANG: Duration = Duration::from_secs(60);

/// The key whole, and the pieces an echoing server prints (see `Reply::EchoKey`).
fn key_pieces() -> [&'static str; 3] {
    [KEY, &KEY[..12], &KEY[KEY.len() - 10..]]
}

#[tokio::test]
async fn an_anthropic_key_does_not_follow_a_redirect_to_another_origin() {
    let first = FakeUpstream::start(KEY);
    let second = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[
        ("ANTHROPIC_BASE_URL", &first.anthropic_base()),
        ("ANTHROPIC_API_KEY", KEY),
    ]) else {
        return;
    };
    let elsewhere = format!("{}/messages", second.anthropic_base());
    first.enqueue(Reply::Redirect {
        status: 307,
        location: elsewhere.clone(),
    });
    let out = tokio::time::timeout(
        NO_HANG,
        send_once(
            &h.engine,
            BuiltinProvider::Anthropic.id(),
            ask("claude-sonnet-4-5"),
            |_| {},
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let error = out.error.expect("a refused redirect fails the request");
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    assert!(!error.retryable, "the same call would be redirected again");
    assert!(
        error.message.contains("redirect") && error.message.contains(&elsewhere),
        "the message says a redirect was refused, and where to: {}",
        error.message
    );
    assert!(
        second.requests().is_empty(),
        "the other origin received nothing, so no x-api-key: {:?}",
        second.requests()
    );
}

const SOLO: &str = r#"
[[routes]]
name = "solo"
[[routes.targets]]
provider = "openrouter"
model = "only/model"
"#;

#[tokio::test]
async fn a_key_echoed_by_the_upstream_is_in_no_message_row_or_file() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    // A 400 from one target, with no retry and no fallback; first, because the 401 below
    // sets the only key aside and nothing could be sent after it.
    fake.enqueue(Reply::EchoKey { status: 400 });
    let direct = ask_openrouter(&h.engine, "some/model").await;
    // A 401 through the router, which sets the key aside with the error as its reason.
    h.engine.routing().import(SOLO).await.unwrap();
    fake.enqueue(Reply::EchoKey { status: 401 });
    let route = RouteRequest {
        route: Some("solo".into()),
        ..RouteRequest::default()
    };
    let routed = tokio::time::timeout(
        NO_HANG,
        h.engine
            .routing()
            .chat(route, ask(""), &CancellationToken::new(), |_| {}),
    )
    .await
    .unwrap()
    .unwrap();
    let direct_error = direct.error.clone().expect("the 400 is an error");
    assert_eq!(direct_error.code, ErrorCode::BadRequest);
    assert!(
        direct_error.message.contains("bad key [redacted]"),
        "the server's words, with the key cut out: {}",
        direct_error.message
    );

    let overview = h.engine.keys().overview().await.unwrap();
    let everything = format!(
        "{routed:?}\n{direct:?}\n{}",
        serde_json::to_string(&overview).unwrap()
    );
    for piece in key_pieces() {
        assert!(
            !everything.contains(piece),
            "{piece:?} is in what the engine returned: {everything}"
        );
        assert_eq!(
            h.files_containing(piece),
            Vec::<std::path::PathBuf>::new(),
            "{piece:?} is in the database, its WAL or the logs"
        );
    }
    let sent = fake.requests();
    assert!(
        sent.iter()
            .filter(|r| r.method == "POST")
            .all(|r| r.header("authorization") == Some(&format!("Bearer {KEY}"))),
        "the key really went out, and so really came back"
    );
}

#[tokio::test]
async fn a_negative_string_or_absurd_cost_is_not_booked() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    for raw in ["-1", "\"0.5\"", "1e30"] {
        fake.enqueue(Reply::UsageCost(raw.to_owned()));
        let out = ask_openrouter(&h.engine, "some/model").await;
        assert_eq!(out.error, None, "{raw}: the answer itself is fine");
        assert_ne!(
            out.cost_source,
            CostSource::Provider,
            "{raw}: not booked as what the provider charged"
        );
        assert!(
            out.cost
                .is_none_or(|c| !c.is_negative() && c < Usd::parse("1000").unwrap()),
            "{raw}: {:?}",
            out.cost
        );
    }
    let (total, _unknown) = h.engine.spend().ledger_total().await.unwrap();
    assert!(!total.is_negative(), "no negative spend: {total}");
    assert!(total < Usd::parse("1").unwrap(), "no absurd spend: {total}");
}

#[tokio::test]
async fn an_html_page_is_a_final_decode_error_naming_its_content_type() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    fake.enqueue(Reply::Html(
        "<html><body>Sign in to the Wi-Fi</body></html>".into(),
    ));
    let out = ask_openrouter(&h.engine, "some/model").await;
    let error = out.error.expect("an HTML page is no answer");
    assert_eq!(
        error.code,
        ErrorCode::Decode,
        "not a network error: {error:?}"
    );
    assert!(!error.retryable, "not transient: the same page comes back");
    assert!(
        error.message.contains("text/html"),
        "the message names the content type: {}",
        error.message
    );
}

#[tokio::test]
async fn one_5_mib_event_streams_through() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    fake.enqueue(Reply::HugeEvent {
        bytes: 5 * 1024 * 1024,
    });
    let out = tokio::time::timeout(
        NO_HANG,
        send_once(
            &h.engine,
            BuiltinProvider::OpenRouter.id(),
            ask("some/model"),
            |_| {},
        ),
    )
    .await
    .expect("a huge event must not stall the request")
    .unwrap();
    assert_eq!(out.error, None);
    assert!(
        out.content.len() > 5 * 1024 * 1024 - 512,
        "the whole text: {} bytes",
        out.content.len()
    );
}
