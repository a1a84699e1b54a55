//! What the SDKs see when Switchboard or the upstream says no: a bad or missing client key
//! (401), a foreign `Host` (421), a client's hard budget (402, never sent), an upstream rate
//! limit that outlasts Switchboard's own retries (429), an upstream error that repeats the
//! provider key (400, without the key), and a stream the upstream cuts.

use serde_json::{Value, json};
use switchboard_engine::router::Failover;
use switchboard_engine::{CostSource, Outcome};
use switchboard_tests::Reply;

use crate::harness::{CLIENT, Harness, usd};
use crate::sdk::{Sdk, raised, returned};
use crate::upstream::chunks;

fn bases(result: &Value) -> Vec<&str> {
    result["bases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[tokio::test]
async fn bad_keys_and_foreign_hosts_are_refused_at_the_door() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;

    let r = h
        .run(
            &sdk,
            &[],
            &[
                "invalid_key_openai",
                "invalid_key_anthropic",
                "missing_key",
                "foreign_host",
            ],
        )
        .await;

    let openai = raised(&r, "invalid_key_openai");
    assert_eq!(
        (&openai["raised"], &openai["status"]),
        (&json!("AuthenticationError"), &json!(401)),
        "{openai}"
    );
    assert_eq!(openai["body"]["code"], "invalid_api_key", "{openai}");
    let anthropic = raised(&r, "invalid_key_anthropic");
    assert_eq!(
        (&anthropic["raised"], &anthropic["status"]),
        (&json!("AuthenticationError"), &json!(401)),
        "{anthropic}"
    );
    assert_eq!(
        anthropic["body"]["error"]["type"], "authentication_error",
        "Anthropic's own error envelope: {anthropic}"
    );
    let missing = returned(&r, "missing_key");
    assert_eq!(missing["status"], 401);
    assert!(
        missing["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no client key"),
        "{missing}"
    );
    let foreign = returned(&r, "foreign_host");
    assert_eq!(
        foreign["status"], 421,
        "a rebound page's Host is misdirected: {foreign}"
    );
    assert!(
        foreign["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("attacker.example"),
        "{foreign}"
    );

    assert!(
        h.upstream_chats().is_empty(),
        "nothing refused went upstream"
    );
    assert!(h.ledger().await.is_empty(), "and nothing was recorded");
}

#[tokio::test]
async fn a_clients_hard_budget_is_a_402_that_is_never_sent_or_retried() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    let tight = h.client_key("tight", Some("0.000001")).await;

    let extra = [("SB_OTHER_KEY", tight)];
    let r = h
        .run(&sdk, &extra, &["budget_openai", "budget_anthropic"])
        .await;

    for case in ["budget_openai", "budget_anthropic"] {
        let refused = raised(&r, case);
        assert_eq!(refused["status"], 402, "{refused}");
        assert!(
            bases(refused).contains(&"APIStatusError")
                && !bases(refused).contains(&"RateLimitError"),
            "a status error the SDKs do not retry: {refused}"
        );
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("Budget \"tight\""),
            "the budget is named: {refused}"
        );
    }
    assert_eq!(raised(&r, "budget_openai")["raised"], "APIStatusError");
    assert_eq!(
        raised(&r, "budget_anthropic")["body"]["error"]["type"],
        "billing_error",
        "{}",
        raised(&r, "budget_anthropic")
    );
    assert!(
        h.upstream_chats().is_empty(),
        "a refused request is never sent"
    );
    assert!(h.ledger().await.is_empty(), "nor recorded as spend");
}

#[tokio::test]
async fn upstream_errors_reach_the_sdk_after_switchboards_own_retries() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    // Two tries in all, with a short backoff between them: the test stays fast.
    let failover = Failover {
        max_attempts: 2,
        base_ms: 10,
        max_ms: 20,
        ..Failover::default()
    };
    h.add_route("limited", failover).await;
    h.fake.enqueue(Reply::status(429));
    h.fake.enqueue(Reply::status(429));
    // Then an upstream that repeats the key it was sent in its error, as some do.
    h.fake.enqueue(Reply::EchoKey { status: 400 });

    let extra = [("SB_OTHER_MODEL", "limited".to_owned())];
    let r = h.run(&sdk, &extra, &["rate_limited", "chat_plain"]).await;

    let limited = raised(&r, "rate_limited");
    assert_eq!(
        (&limited["raised"], &limited["status"]),
        (&json!("RateLimitError"), &json!(429)),
        "{limited}"
    );
    assert_eq!(limited["body"]["code"], "rate_limit_exceeded", "{limited}");
    let echoed = raised(&r, "chat_plain");
    assert_eq!(
        (&echoed["raised"], &echoed["status"]),
        (&json!("BadRequestError"), &json!(400)),
        "an upstream 400 is the client's 400: {echoed}"
    );
    // (`Harness::run` has checked that no part of the key reached the client.)
    assert_eq!(
        h.upstream_chats().len(),
        3,
        "Switchboard tried the limited route twice, as it says, and the 400 once"
    );
    assert_eq!(h.fake.queued(), 0);
    let mut rows = h.ledger().await;
    let refused = rows.pop().unwrap();
    assert_eq!(
        (refused.outcome, refused.error_code.as_deref()),
        (Outcome::Error, Some("bad_request"))
    );
    let seen: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.outcome,
                r.error_code.as_deref(),
                r.cost,
                r.attempt,
                r.route.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                Outcome::Error,
                Some("rate_limited"),
                Some(usd("0")),
                Some(1),
                Some("limited")
            ),
            (
                Outcome::Error,
                Some("rate_limited"),
                Some(usd("0")),
                Some(2),
                Some("limited")
            ),
        ],
        "each attempt is a row, not billed"
    );
    assert_eq!(
        rows[0].request_id, rows[1].request_id,
        "one request, two attempts"
    );
}

#[tokio::test]
async fn a_stream_cut_mid_answer_raises_in_the_sdk_and_keeps_its_row() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    let pieces = ["The first", " words", " never", " arrive"];
    h.fake
        .enqueue(Reply::Sse(chunks("gen-cut-1", &pieces, (12, 9), "0.00002")).cut_after(2));

    let r = h.run(&sdk, &[], &["chat_cut"]).await;

    let cut = returned(&r, "chat_cut");
    assert_eq!(
        cut["content"], "The first words",
        "what arrived before the cut reached the client: {cut}"
    );
    assert_eq!(
        cut["raised"], "APIError",
        "the stream's error chunk raises: {cut}"
    );
    let rows = h.ledger().await;
    assert_eq!(rows.len(), 1, "one request, one row: {rows:?}");
    let row = &rows[0];
    assert_eq!(row.outcome, Outcome::Error);
    assert_eq!(row.generation_id.as_deref(), Some("gen-cut-1"));
    assert!(row.ttft_ms.is_some(), "it had started answering: {row:?}");
    assert_eq!(row.served_by.as_deref(), Some("OpenAI"));
    assert_eq!(
        (row.cost, row.cost_source),
        (None, CostSource::Unknown),
        "the usage never arrived, so the cost is not known yet (never summed as zero)"
    );
    assert!(
        row.bound.is_some(),
        "its worst case stays held against budgets"
    );

    // OpenRouter's `/generation` knows what it billed; reconciling records it exactly.
    assert_eq!(h.engine.spend().reconcile_costs(10).await.unwrap(), 1);
    let row = &h.ledger().await[0];
    assert_eq!(
        (row.cost, row.cost_source),
        (Some(usd("0.00002")), CostSource::Provider)
    );
    assert_eq!(
        h.spend_by_client().await,
        [(CLIENT.to_owned(), usd("0.00002"), 1)]
    );
}
