//! Client keys through the engine against the loopback fake: a tool's key authenticates until
//! it is revoked, its budget refuses its requests and only its requests, spend by client sums
//! each tool exactly, and a routing rule can send one tool's requests elsewhere.

use switchboard_engine::core::{
    BudgetPeriod, BudgetScope, BuiltinProvider, ChatRequest, ErrorCode, Message, Role,
    SpendGrouping, Usd,
};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CancellationToken, Client, EngineError, RoutedOutcome};
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const KEY: &str = "sk-flows-clients-key-0000000001";
const MODEL: &str = "openai/gpt-3.5-turbo"; // $0.5/M in, $1.5/M out in the recorded catalogue
/// What each scripted answer costs (the provider's own figure), under the $0.0003015 each
/// request reserves (3 estimated prompt tokens + 200 output tokens).
const COST: &str = "0.000274";

/// A stream whose usage says it cost `COST`.
fn answer(n: usize) -> Reply {
    Reply::costed_sse(&format!("gen-client-{n}"), MODEL)
}

fn request() -> ChatRequest {
    let mut r = ChatRequest::new(MODEL, vec![Message::text(Role::User, "Hello there")]);
    r.max_tokens = Some(200); // worst case: 3 prompt tokens + 200 output = $0.0003015
    r
}

/// A request to `MODEL` on OpenRouter, from `client` (none: the app's own).
fn route_from(client: Option<&Client>) -> RouteRequest {
    let mut route = RouteRequest {
        provider: Some(BuiltinProvider::OpenRouter.id()),
        model: Some(MODEL.into()),
        ..RouteRequest::default()
    };
    if let Some(client) = client {
        client.attribute(&mut route);
    }
    route
}

async fn send(h: &Harness, client: Option<&Client>) -> Result<RoutedOutcome, EngineError> {
    h.engine
        .routing()
        .chat(
            route_from(client),
            request(),
            &CancellationToken::new(),
            |_| {},
        )
        .await
}

fn usd(text: &str) -> Usd {
    Usd::parse(text).unwrap()
}

#[tokio::test]
async fn a_clients_budget_refuses_only_its_requests_and_spend_sums_each_client_exactly() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap(); // prices for the worst-case reservation
    let switchboard_engine::CreatedClientKey {
        key: claude,
        secret: claude_secret,
    } = h
        .engine
        .clients()
        .create("claude-code", Some((usd("0.001"), BudgetPeriod::Day)))
        .await
        .unwrap();
    let switchboard_engine::CreatedClientKey {
        key: cursor,
        secret: cursor_secret,
    } = h.engine.clients().create("cursor", None).await.unwrap();
    assert_eq!(
        claude.masked,
        format!("sb-…{}", &claude_secret[claude_secret.len() - 4..])
    );

    // The gateway's step: a presented key becomes a client.
    let claude_code = h
        .engine
        .clients()
        .authenticate(&claude_secret)
        .await
        .unwrap()
        .expect("a new key authenticates");
    assert_eq!(
        claude_code,
        Client {
            id: claude.id.clone(),
            name: "claude-code".into()
        }
    );
    let cursor_client = h
        .engine
        .clients()
        .authenticate(&cursor_secret)
        .await
        .unwrap()
        .unwrap();
    let budget = &h.engine.spend().budgets().await.unwrap()[0].budget;
    assert_eq!(
        (budget.scope, budget.scope_value.as_deref(), budget.hard),
        (BudgetScope::Client, Some(claude.id.as_str()), true)
    );
    let mut alerts = h.engine.spend().budget_alerts();

    for n in 0..10 {
        fake.enqueue(answer(n));
    }
    // One at a time: $0.000274 settles under each $0.0003015 reservation, so three fit in
    // $0.001 and the fourth's worst case ($0.000822 + $0.0003015) does not.
    let mut served = 0;
    let refusal = loop {
        match send(&h, Some(&claude_code)).await {
            Ok(out) => {
                assert_eq!(out.outcome.unwrap().error, None);
                served += 1;
            }
            Err(e) => break e.info(),
        }
        assert!(
            served <= 3,
            "the client's budget keeps letting requests through"
        );
    };
    assert_eq!(served, 3);
    assert_eq!(refusal.code, ErrorCode::BudgetExceeded);
    assert!(
        refusal.message.contains(
            "Budget \"claude-code\" ($0.001 a day for client claude-code) would be exceeded"
        ),
        "{}",
        refusal.message
    );
    assert!(
        !refusal.message.contains(&claude.id),
        "the key is named, never its id: {}",
        refusal.message
    );
    assert_eq!(fake.queued(), 7, "nothing was sent for the refused request");

    // Another tool and the app itself are outside that budget.
    for _ in 0..2 {
        send(&h, Some(&cursor_client))
            .await
            .expect("cursor is served");
    }
    send(&h, None).await.expect("the app is served");
    assert!(
        send(&h, Some(&claude_code)).await.is_err(),
        "and claude-code is still refused"
    );

    let report = h
        .engine
        .spend()
        .report(SpendGrouping::Client, None, None)
        .await
        .unwrap();
    let rows: Vec<(&str, &str, Usd, u64)> = report
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.label.as_str(), r.cost, r.requests))
        .collect();
    assert_eq!(
        rows,
        [
            (claude.id.as_str(), "claude-code", usd(COST).times(3), 3),
            (cursor.id.as_str(), "cursor", usd(COST).times(2), 2),
            ("(none)", "Switchboard app & CLI", usd(COST), 1),
        ],
        "each client's exact total, costliest first"
    );
    assert_eq!(report.total, usd(COST).times(6));
    let status = &h.engine.spend().budgets().await.unwrap()[0];
    assert_eq!(
        (status.spent, status.reserved),
        (usd(COST).times(3), Usd::ZERO)
    );
    let mut fired = Vec::new();
    while let Ok(a) = alerts.try_recv() {
        fired.push((a.threshold, a.message));
    }
    assert!(
        fired
            .iter()
            .any(|(t, m)| *t == 80 && m.contains("for client claude-code")),
        "82% of the budget is spent: {fired:?}"
    );

    // Revoked: the key no longer authenticates, and its spend keeps its name.
    h.engine.clients().revoke("Claude-Code").await.unwrap();
    assert_eq!(
        h.engine
            .clients()
            .authenticate(&claude_secret)
            .await
            .unwrap(),
        None
    );
    assert!(
        h.engine
            .clients()
            .authenticate(&cursor_secret)
            .await
            .unwrap()
            .is_some(),
        "revoking one key leaves the others"
    );
    let report = h
        .engine
        .spend()
        .report(SpendGrouping::Client, None, None)
        .await
        .unwrap();
    assert_eq!(report.rows[0].label, "claude-code");
    let keys = h.engine.clients().list().await.unwrap();
    assert!(keys[0].revoked_ms.is_some() && keys[1].revoked_ms.is_none());
    assert!(
        keys.iter().all(|k| k.last_used_ms.is_some()),
        "authenticating notes when a key was used"
    );
}

#[tokio::test]
async fn keys_that_are_not_keys_never_authenticate() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let switchboard_engine::CreatedClientKey { secret, .. } =
        h.engine.clients().create("aider", None).await.unwrap();
    let mut wrong = secret.clone();
    wrong.pop();
    wrong.push(if secret.ends_with('A') { 'B' } else { 'A' });
    let long = format!("sb-{}", "a".repeat(10_000));
    for presented in ["", "sb-", KEY, wrong.as_str(), &secret[3..], long.as_str()] {
        assert_eq!(
            h.engine.clients().authenticate(presented).await.unwrap(),
            None,
            "{presented:.40}"
        );
    }
    assert!(
        h.engine
            .clients()
            .authenticate(&secret)
            .await
            .unwrap()
            .is_some(),
        "the key itself does"
    );
    assert!(
        h.files_containing(&secret).is_empty(),
        "only the key's hash is stored"
    );
}

/// A key revoked here is refused at once, though a moment ago it was known without asking the
/// database; revoked by another process (the CLI beside `switchboard serve`), within a second.
#[tokio::test]
async fn a_revoked_key_is_refused_at_once_here_and_soon_everywhere() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let switchboard_engine::CreatedClientKey { secret: here, .. } =
        h.engine.clients().create("zed", None).await.unwrap();
    let switchboard_engine::CreatedClientKey { secret: there, .. } =
        h.engine.clients().create("aider", None).await.unwrap();
    for secret in [&here, &there] {
        assert!(
            h.engine
                .clients()
                .authenticate(secret)
                .await
                .unwrap()
                .is_some()
        );
    }
    h.engine.clients().revoke("zed").await.unwrap();
    assert_eq!(h.engine.clients().authenticate(&here).await.unwrap(), None);
    assert!(
        h.engine
            .clients()
            .authenticate(&there)
            .await
            .unwrap()
            .is_some()
    );

    let cli = h.second_engine(&[("OPENROUTER_BASE_URL", &fake.openrouter_base())]);
    cli.clients().revoke("aider").await.unwrap();
    assert_eq!(cli.clients().authenticate(&there).await.unwrap(), None);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while h
        .engine
        .clients()
        .authenticate(&there)
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "a key revoked by another process is still accepted after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

const ROUTES: &str = r#"
[[routes]]
name = "cheap"
[[routes.targets]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[rules]]
name = "cursor to cheap"
when = { client = ["cursor"], model = ["openai/*"] }
then = { route = "cheap" }
"#;

#[tokio::test]
async fn a_rule_on_a_client_reroutes_that_clients_requests_only() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.routing().import(ROUTES).await.unwrap();
    let switchboard_engine::CreatedClientKey {
        secret: cursor_secret,
        ..
    } = h.engine.clients().create("Cursor", None).await.unwrap();
    let switchboard_engine::CreatedClientKey {
        secret: claude_secret,
        ..
    } = h
        .engine
        .clients()
        .create("claude-code", None)
        .await
        .unwrap();
    let cursor = h
        .engine
        .clients()
        .authenticate(&cursor_secret)
        .await
        .unwrap()
        .unwrap();
    let claude = h
        .engine
        .clients()
        .authenticate(&claude_secret)
        .await
        .unwrap()
        .unwrap();

    let sent_model = || -> String {
        let last = fake
            .requests()
            .into_iter()
            .rfind(|r| r.method == "POST")
            .unwrap();
        last.json().unwrap()["model"].as_str().unwrap().to_owned()
    };
    let rerouted = send(&h, Some(&cursor)).await.unwrap();
    assert_eq!(
        (rerouted.decision.rule.as_deref(), sent_model()),
        (Some("cursor to cheap"), "openai/gpt-4o-mini".to_owned()),
        "the rule matches the key's name regardless of case"
    );
    for client in [Some(&claude), None] {
        let direct = send(&h, client).await.unwrap();
        assert_eq!(
            (direct.decision.rule, sent_model()),
            (None, MODEL.to_owned()),
            "{client:?} is not cursor"
        );
    }
}
