//! The adapters against the shared loopback fake upstream's faults (`switchboard-tests`): what a
//! careless or hostile server can do, and what the adapters must make of it. Each test here
//! failed before the fix it guards (reliability findings D5, D7, D9, D10, D11, D19).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test should fail loudly

mod answers;
mod limits;
mod redirects;
mod secrets;

use std::time::Duration;

use futures_util::StreamExt;
use switchboard_core::{
    ApiKey, Attribution, BaseUrl, ChatProvider, ChatRequest, Delta, Message, ProviderError,
    ProviderKind, Role,
};
use switchboard_providers::anthropic::Anthropic;
use switchboard_providers::openai_compat::OpenAiCompat;
use switchboard_providers::{Endpoint, StreamLimits, http_client};
use switchboard_tests::FakeUpstream;

/// The key the fakes accept.
const KEY: &str = "sk-or-v1-faults-0123456789abcdef0123";

/// Generous: long enough that only a hang (or the quadratic decoding these tests guard
/// against) misses it, even in a debug build on a busy machine.
const NO_HANG: Duration = Duration::from_secs(30);

/// The endpoint of `kind` on `fake`, with `limits`.
fn endpoint(fake: &FakeUpstream, kind: ProviderKind, limits: StreamLimits) -> Endpoint {
    let base = match kind {
        ProviderKind::OpenRouter => fake.openrouter_base(),
        ProviderKind::OpenAi => fake.openai_base(),
        ProviderKind::Anthropic => fake.anthropic_base(),
        ProviderKind::Custom => fake.custom_base(),
    };
    Endpoint {
        limits,
        ..Endpoint::new(
            kind,
            BaseUrl::parse(&base).unwrap(),
            Some(ApiKey::parse(KEY).unwrap()),
            Attribution::default(),
        )
    }
}

/// The adapter for `endpoint`'s kind.
fn adapter(endpoint: Endpoint) -> Box<dyn ChatProvider> {
    let client = http_client().unwrap();
    match endpoint.kind {
        ProviderKind::Anthropic => Box::new(Anthropic::new(client, endpoint)),
        _ => Box::new(OpenAiCompat::new(client, endpoint)),
    }
}

fn ask(stream: bool) -> ChatRequest {
    let mut request = ChatRequest::new("test/model", vec![Message::text(Role::User, "hello")]);
    request.stream = stream;
    request.max_tokens = Some(64);
    request
}

/// What one chat produced: its deltas and the error that ended it, if any.
struct Outcome {
    deltas: Vec<Delta>,
    error: Option<ProviderError>,
}

impl Outcome {
    fn text(&self) -> String {
        self.deltas
            .iter()
            .filter_map(|d| match d {
                Delta::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Runs `request` on `endpoint` to its end, failing the test if that takes [`NO_HANG`].
async fn run(endpoint: Endpoint, request: ChatRequest) -> Outcome {
    let items: Vec<_> = tokio::time::timeout(NO_HANG, adapter(endpoint).chat(request).collect())
        .await
        .expect("the answer (or its error) must come, not hang");
    let mut outcome = Outcome {
        deltas: Vec::new(),
        error: None,
    };
    for item in items {
        match item {
            Ok(delta) => outcome.deltas.push(delta),
            Err(err) => {
                assert!(outcome.error.is_none(), "one error, the last item: {err:?}");
                outcome.error = Some(err);
            }
        }
    }
    outcome
}
