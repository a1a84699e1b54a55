//! Money and keys hold across processes and faults (issue 14): a refused environment key is
//! never disabled for good, an invalid base URL never falls back to production, a request cut
//! short by a dying process leaves a ledger row, and rate limits are retried with backoff,
//! recorded as not billed and kept out of what the router learns.

use switchboard_engine::CancellationToken;
use switchboard_engine::core::{BuiltinProvider, ChatRequest, ErrorCode, Message, Role};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CostSource, Outcome};
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const GOOD: &str = "sk-or-v1-safety-good-key-0000000000000001";
const STALE: &str = "sk-or-v1-safety-stale-key-000000000000002";
const MODEL: &str = "openai/gpt-4o-mini";

fn routed() -> RouteRequest {
    RouteRequest {
        provider: Some(BuiltinProvider::OpenRouter.id()),
        model: Some(MODEL.into()),
        ..RouteRequest::default()
    }
}

fn hello() -> ChatRequest {
    ChatRequest::new(MODEL, vec![Message::text(Role::User, "Hello")])
}

fn posts(fake: &FakeUpstream) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

/// One 401 used to disable the environment key on disk: every later command, and a new
/// `OPENROUTER_API_KEY`, was refused without sending (findings D1).
#[tokio::test]
async fn a_refused_environment_key_is_retried_by_the_next_process_and_a_new_one_is_used() {
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::openrouter(&fake, STALE) else {
        return;
    };
    let out = h
        .engine
        .routing()
        .chat(routed(), hello(), &CancellationToken::new(), |_| {})
        .await
        .unwrap()
        .take_outcome()
        .unwrap();
    assert_eq!(out.error.unwrap().code, ErrorCode::Auth);
    assert_eq!(posts(&fake), 1);
    // In this process the refused key is set aside, so failover does not keep hitting it.
    assert!(
        h.engine
            .routing()
            .chat(routed(), hello(), &CancellationToken::new(), |_| {})
            .await
            .and_then(|mut r| r.take_outcome())
            .is_err()
    );
    assert_eq!(posts(&fake), 1, "not sent again by the same process");

    // The next process (the same stale value) tries again: nothing was disabled on disk.
    let base = fake.openrouter_base();
    let next = h.second_engine(&[
        ("OPENROUTER_BASE_URL", &base),
        ("OPENROUTER_API_KEY", STALE),
    ]);
    let _ = next
        .routing()
        .chat(routed(), hello(), &CancellationToken::new(), |_| {})
        .await;
    assert_eq!(
        posts(&fake),
        2,
        "a new process sends with the environment key again"
    );
    let overview = next.keys().overview().await.unwrap();
    let or = overview
        .providers
        .iter()
        .find(|p| p.id == BuiltinProvider::OpenRouter.id())
        .unwrap();
    assert!(
        or.key.disabled.is_some(),
        "it shows as refused in this process"
    );

    // A new value works at once.
    let fixed = h.second_engine(&[("OPENROUTER_BASE_URL", &base), ("OPENROUTER_API_KEY", GOOD)]);
    let out = fixed
        .routing()
        .chat(routed(), hello(), &CancellationToken::new(), |_| {})
        .await
        .unwrap()
        .take_outcome()
        .unwrap();
    assert_eq!(out.error, None, "the new key answers");
}

/// An invalid `OPENROUTER_BASE_URL` was ignored with a notice nobody saw, and the prompt and
/// the key went to the production endpoint (D6).
#[tokio::test]
async fn an_invalid_base_url_override_is_an_error_and_nothing_is_sent() {
    for bad in [
        "not a url",
        "ftp://127.0.0.1/api",
        "http://user:pw@127.0.0.1:9/api/v1",
    ] {
        let Some(h) = Harness::new(&[("OPENROUTER_BASE_URL", bad), ("OPENROUTER_API_KEY", GOOD)])
        else {
            return;
        };
        let err = h
            .engine
            .routing()
            .chat(routed(), hello(), &CancellationToken::new(), |_| {})
            .await
            .and_then(|mut r| r.take_outcome())
            .expect_err("refused before sending");
        let info = err.info();
        assert_eq!(info.code, ErrorCode::InvalidInput, "{bad}: {info:?}");
        assert!(
            info.message.contains("OPENROUTER_BASE_URL")
                && info.message.contains("Nothing was sent"),
            "{bad}: {}",
            info.message
        );
        assert!(
            h.engine
                .spend()
                .recent_requests(5)
                .await
                .unwrap()
                .is_empty(),
            "{bad}: no request was made"
        );
        // Settings still shows the provider, with the reason.
        let overview = h.engine.keys().overview().await.unwrap();
        assert!(overview.providers.iter().any(|p| {
            p.notice
                .as_deref()
                .is_some_and(|n| n.contains("OPENROUTER_BASE_URL"))
        }));
    }
}

/// One 429 without Retry-After on a model chosen by name was retried four times ~100 ms
/// apart, each written to the ledger as "unknown cost" (issue 13, item 5).
#[tokio::test]
async fn a_rate_limit_is_retried_with_backoff_and_recorded_as_not_billed() {
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::openrouter(&fake, GOOD) else {
        return;
    };
    fake.enqueue(Reply::status(429));
    fake.enqueue(Reply::status(429));
    let started = std::time::Instant::now();
    let mut routed_out = h
        .engine
        .routing()
        .chat(routed(), hello(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let waited = started.elapsed();
    let out = routed_out.take_outcome().unwrap();
    assert_eq!(out.error, None, "the third attempt answers");
    assert_eq!(routed_out.attempts.len(), 3);
    // Backoff from 500 ms doubling, with jitter: at least 0.5 s + 1 s between the three.
    assert!(
        waited >= std::time::Duration::from_millis(1_500),
        "waited only {waited:?} between rate-limited attempts"
    );
    let rows = h.engine.spend().recent_requests(5).await.unwrap();
    let limited: Vec<_> = rows.iter().filter(|r| r.error_code.is_some()).collect();
    assert_eq!(limited.len(), 2);
    for r in limited {
        assert_eq!(
            (r.cost_source, r.cost.map(|c| c.to_string())),
            (CostSource::NotBilled, Some("0".to_owned())),
            "a refused request with no usage cost nothing: {r:?}"
        );
        assert_eq!(r.outcome, Outcome::Error);
    }
    let health = h.engine.routing().health();
    let target = health
        .targets
        .iter()
        .find(|t| t.model == MODEL)
        .expect("the target's figures");
    assert_eq!(
        target.circuit.state,
        switchboard_engine::router::CircuitState::Closed,
        "rate limits without Retry-After do not open the circuit"
    );
    // A rate limit says nothing of the model's quality: the smart strategy learns only from
    // the answer.
    let learned = h.engine.routing().learned_preferences().await;
    let model = learned
        .iter()
        .flat_map(|t| &t.models)
        .find(|m| m.model == MODEL)
        .unwrap_or_else(|| panic!("the answer was learned from: {learned:?}"));
    assert_eq!(model.bad, 0.0, "the two 429s taught nothing: {learned:?}");
    assert!(model.good > 0.0, "{learned:?}");
}

/// Any IPC command can be called by page script; the few an attacker wants most ask the user
/// in a native dialog first. These are the engine's answers to "does this need asking?".
#[tokio::test]
async fn changes_that_start_programs_or_move_a_key_ask_for_consent() {
    use switchboard_engine::agent::{McpEnv, McpServer};
    use switchboard_engine::core::BaseUrl;
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::openrouter(&fake, GOOD) else {
        return;
    };
    // A built-in with a key, re-pointed: asked, naming the new address.
    let mut prefs = h.engine.settings().preferences().await.unwrap();
    prefs.base_urls.openrouter = Some(BaseUrl::parse("https://collector.example/api/v1").unwrap());
    let consent = h
        .engine
        .settings()
        .consent_for_preferences(&prefs)
        .await
        .unwrap()
        .expect("moving a key is asked");
    assert!(
        consent.message.contains("https://collector.example/api/v1"),
        "{consent:?}"
    );
    // One without a key (Anthropic here): nothing to steal, nothing asked.
    let mut prefs = h.engine.settings().preferences().await.unwrap();
    prefs.base_urls.anthropic = Some(BaseUrl::parse("http://127.0.0.1:9/v1").unwrap());
    assert_eq!(
        h.engine
            .settings()
            .consent_for_preferences(&prefs)
            .await
            .unwrap(),
        None
    );

    // A custom provider holding a key, re-pointed: asked; renamed only: not.
    let overview = h
        .engine
        .keys()
        .add_custom_provider(switchboard_engine::NewCustomProvider {
            name: "Proxy".into(),
            base_url: fake.custom_base(),
            api_key: Some("sk-proxy-key-000000000000".into()),
        })
        .await
        .unwrap();
    let proxy = overview
        .providers
        .iter()
        .find(|p| p.name == "Proxy")
        .unwrap()
        .id
        .clone();
    assert!(
        h.engine
            .keys()
            .consent_for_custom_url(proxy.clone(), "https://collector.example/v1".into())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        h.engine
            .keys()
            .consent_for_custom_url(proxy, fake.custom_base())
            .await
            .unwrap(),
        None
    );

    // An MCP server: new (a program to start) is asked; saved unchanged is not; a changed
    // command line or newly trusted tools are asked again.
    let server = McpServer {
        name: "files".into(),
        command: "npx".into(),
        args: vec!["-y".into(), "@example/mcp-files".into()],
        env: vec![McpEnv::new("TOKEN", "t")],
        trusted_tools: vec![],
        call_timeout_secs: None,
    };
    let consent = h
        .engine
        .agents()
        .consent_for_mcp_server(&server)
        .await
        .unwrap()
        .expect("a new program is asked");
    assert!(
        consent.message.contains("npx -y @example/mcp-files"),
        "{consent:?}"
    );
    h.engine
        .agents()
        .save_mcp_server(server.clone())
        .await
        .unwrap();
    assert_eq!(
        h.engine
            .agents()
            .consent_for_mcp_server(&server)
            .await
            .unwrap(),
        None
    );
    let trusting = McpServer {
        trusted_tools: vec!["delete_file".into()],
        ..server.clone()
    };
    let consent = h
        .engine
        .agents()
        .consent_for_mcp_server(&trusting)
        .await
        .unwrap()
        .expect("newly trusted tools are asked");
    assert!(consent.message.contains("delete_file"));
    let changed = McpServer {
        command: "sh".into(),
        ..server
    };
    assert!(
        h.engine
            .agents()
            .consent_for_mcp_server(&changed)
            .await
            .unwrap()
            .is_some()
    );
}
