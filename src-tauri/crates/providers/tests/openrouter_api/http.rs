//! The fetch functions over real HTTP, against a local server that answers with the
//! synthesized bodies (and with the errors OpenRouter documents).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use switchboard_core::{ApiKey, Attribution, BaseUrl, ProviderError, ProviderKind};
use switchboard_providers::openrouter_api::{
    Price, fetch_credits, fetch_endpoints, fetch_generation, fetch_key, fetch_models,
};
use switchboard_providers::{Endpoint, http_client};

use super::{catalogue_2026, catalogue_fixture, usd};

const NORMAL_KEY: &str = "sk-or-v1-normal-key-for-tests";
const MANAGEMENT_KEY: &str = "sk-or-v1-management-key-for-tests";
const GENERATION_ID: &str = "gen-1767761758-xrHVZNWuYcIilpSLD1oj";

/// One request as the server saw it: what was asked, and the Authorization header.
type Request = (String, Option<String>);

/// Every request the server saw, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

impl Seen {
    fn record(&self, what: String, headers: &HeaderMap) {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.0.lock().unwrap().push((what, auth));
    }

    fn all(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({"error": {"message": message, "code": status.as_u16()}});
    json(status, body.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Starts the fake OpenRouter on 127.0.0.1:0; returns its origin and what it saw.
async fn start() -> (String, Seen) {
    let seen = Seen::default();
    let app = Router::new()
        .route(
            "/api/v1/models",
            get(|State(seen): State<Seen>, headers: HeaderMap| async move {
                seen.record("models".to_owned(), &headers);
                json(StatusCode::OK, catalogue_2026())
            }),
        )
        .route(
            "/api/v1/models/{author}/{slug}/endpoints",
            get(
                |State(seen): State<Seen>,
                 Path((author, slug)): Path<(String, String)>,
                 headers: HeaderMap| async move {
                    seen.record(format!("endpoints {author} {slug}"), &headers);
                    if (author.as_str(), slug.as_str()) == ("anthropic", "claude-sonnet-4") {
                        json(
                            StatusCode::OK,
                            catalogue_fixture(
                                "synthesized/endpoints_2026_anthropic-claude-sonnet-4.json",
                            ),
                        )
                    } else {
                        error(StatusCode::NOT_FOUND, "Model not found")
                    }
                },
            ),
        )
        .route(
            "/api/v1/key",
            get(|State(seen): State<Seen>, headers: HeaderMap| async move {
                seen.record("key".to_owned(), &headers);
                match bearer(&headers) {
                    Some(NORMAL_KEY | MANAGEMENT_KEY) => {
                        json(StatusCode::OK, catalogue_fixture("synthesized/key.json"))
                    }
                    _ => error(StatusCode::UNAUTHORIZED, "No auth credentials found"),
                }
            }),
        )
        .route(
            "/api/v1/credits",
            get(|State(seen): State<Seen>, headers: HeaderMap| async move {
                seen.record("credits".to_owned(), &headers);
                match bearer(&headers) {
                    Some(MANAGEMENT_KEY) => json(
                        StatusCode::OK,
                        catalogue_fixture("synthesized/credits.json"),
                    ),
                    // Worded so core would not recognise it as a key problem on its own.
                    Some(_) => error(StatusCode::FORBIDDEN, "Access denied"),
                    None => error(StatusCode::UNAUTHORIZED, "No auth credentials found"),
                }
            }),
        )
        .route(
            "/api/v1/generation",
            get(
                |State(seen): State<Seen>,
                 Query(query): Query<HashMap<String, String>>,
                 headers: HeaderMap| async move {
                    let id = query.get("id").cloned().unwrap_or_default();
                    seen.record(format!("generation {id}"), &headers);
                    let body = catalogue_fixture("synthesized/generation.json");
                    if id == GENERATION_ID {
                        json(StatusCode::OK, body)
                    } else if id.starts_with("gen-odd") {
                        // Echo the id as received, to prove it arrived intact.
                        let mut value: serde_json::Value = serde_json::from_str(&body).unwrap();
                        value["data"]["id"] = serde_json::Value::String(id);
                        json(StatusCode::OK, value.to_string())
                    } else {
                        error(StatusCode::NOT_FOUND, "Generation not found")
                    }
                },
            ),
        )
        // Anything else (the `/html` base) is a 200 that is not JSON, like a captive portal or
        // a maintenance page.
        .fallback(|| async {
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>Down for maintenance</body></html>",
            )
        })
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (origin, seen)
}

fn endpoint(base: &str, key: Option<&str>) -> Endpoint {
    Endpoint {
        kind: ProviderKind::OpenRouter,
        base_url: BaseUrl::parse(base).unwrap(),
        key: key.map(|k| ApiKey::parse(k).unwrap()),
        attribution: Attribution::default(),
        limits: Default::default(),
    }
}

#[tokio::test]
async fn fetch_models_gets_the_catalogue_with_the_key() {
    let (origin, seen) = start().await;
    let client = http_client().unwrap();
    let api = endpoint(&format!("{origin}/api/v1"), Some(NORMAL_KEY));
    let models = fetch_models(&client, &api).await.unwrap();
    assert_eq!(models.len(), 8, "8 well-formed models, 3 malformed skipped");
    assert_eq!(
        models[0].pricing.prompt,
        Price::Variable,
        "openrouter/auto first"
    );
    assert_eq!(
        seen.all(),
        [("models".to_owned(), Some(format!("Bearer {NORMAL_KEY}")))],
        "one GET /models with the key"
    );
}

#[tokio::test]
async fn fetch_endpoints_builds_the_path_and_refuses_bad_ids_without_sending() {
    let (origin, seen) = start().await;
    let client = http_client().unwrap();
    let api = endpoint(&format!("{origin}/api/v1"), Some(NORMAL_KEY));
    let list = fetch_endpoints(&client, &api, "anthropic/claude-sonnet-4")
        .await
        .unwrap();
    assert_eq!(list.id, "anthropic/claude-sonnet-4", "model id");
    assert_eq!(list.endpoints.len(), 2, "malformed endpoint skipped");
    assert_eq!(
        list.endpoints[0].pricing.completion,
        Price::Known(usd("0.000015")),
        "endpoint price"
    );
    for bad in ["claude-sonnet-4", "a/b/c", "anthropic/", "anthropic/.."] {
        let err = fetch_endpoints(&client, &api, bad).await.unwrap_err();
        assert!(
            matches!(err, ProviderError::BadRequest { status: 0, .. }),
            "{bad:?} refused locally: {err:?}"
        );
    }
    let missing = fetch_endpoints(&client, &api, "nobody/nothing")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, ProviderError::BadRequest { status: 404, .. }),
        "unknown model is the server's 404: {missing:?}"
    );
    let paths: Vec<String> = seen.all().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "endpoints anthropic claude-sonnet-4",
            "endpoints nobody nothing"
        ],
        "bad ids never reached the server"
    );
}

#[tokio::test]
async fn fetch_key_reads_exact_amounts() {
    let (origin, _) = start().await;
    let client = http_client().unwrap();
    let api = endpoint(&format!("{origin}/api/v1"), Some(NORMAL_KEY));
    let key = fetch_key(&client, &api).await.unwrap();
    assert_eq!(key.label.as_deref(), Some("sk-or-v1-au7...890"), "label");
    assert_eq!(key.usage, usd("7.5"), "usage");
    assert_eq!(key.limit, Some(usd("25")), "limit");
    assert_eq!(key.limit_remaining, Some(usd("17.5")), "remaining");
    assert_eq!(key.limit_reset.as_deref(), Some("monthly"), "reset");
    assert_eq!(key.usage_daily, Some(usd("0.00813")), "daily, exact");
    assert_eq!(key.usage_weekly, Some(usd("1.25")), "weekly");
    assert_eq!(key.usage_monthly, Some(usd("7.5")), "monthly");
    assert!(!key.is_free_tier, "paid account");
    assert!(!key.is_management_key, "normal key");
    let rate = key
        .rate_limit
        .expect("the deprecated rate limit is still sent");
    assert_eq!(
        (rate.requests, rate.interval.as_str()),
        (-1, "10s"),
        "rate limit"
    );

    let anonymous = endpoint(&format!("{origin}/api/v1"), None);
    let err = fetch_key(&client, &anonymous).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth { status: 401, .. }),
        "no key: {err:?}"
    );
}

#[tokio::test]
async fn fetch_credits_needs_a_management_key() {
    let (origin, _) = start().await;
    let client = http_client().unwrap();
    let base = format!("{origin}/api/v1");
    let credits = fetch_credits(&client, &endpoint(&base, Some(MANAGEMENT_KEY)))
        .await
        .unwrap();
    assert_eq!(credits.total_credits, usd("100.5"), "credits");
    assert_eq!(credits.total_usage, usd("42.00813"), "usage");
    assert_eq!(credits.remaining(), usd("58.49187"), "exact balance");

    let err = fetch_credits(&client, &endpoint(&base, Some(NORMAL_KEY)))
        .await
        .unwrap_err();
    let ProviderError::Auth {
        status, message, ..
    } = &err
    else {
        panic!("a normal key's 403 must be Auth, got {err:?}");
    };
    assert_eq!(*status, 403, "status kept");
    assert!(
        message.contains("management key"),
        "says what is needed: {message}"
    );
    assert!(
        message.contains("Access denied"),
        "keeps OpenRouter's words: {message}"
    );

    let err = fetch_credits(&client, &endpoint(&base, None))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Auth { status: 401, message, .. } if message.contains("management key")),
        "a 401 says so too: {err:?}"
    );
}

#[tokio::test]
async fn fetch_generation_encodes_the_id_and_classifies_a_404() {
    let (origin, seen) = start().await;
    let client = http_client().unwrap();
    let api = endpoint(&format!("{origin}/api/v1"), Some(NORMAL_KEY));
    let generation = fetch_generation(&client, &api, GENERATION_ID)
        .await
        .unwrap();
    assert_eq!(generation.id, GENERATION_ID, "id");
    assert_eq!(generation.total_cost, Some(usd("0.00813")), "exact cost");
    assert_eq!(
        generation.model.as_deref(),
        Some("anthropic/claude-sonnet-4"),
        "model"
    );
    assert_eq!(
        generation.provider_name.as_deref(),
        Some("Google"),
        "provider"
    );
    assert_eq!(
        (generation.tokens_prompt, generation.tokens_completion),
        (Some(555), Some(431)),
        "tokens"
    );
    assert_eq!(generation.native_tokens_reasoning, Some(0), "reasoning");
    assert_eq!(generation.native_tokens_cached, Some(0), "cached");
    assert_eq!(generation.latency_ms, Some(1375), "latency");
    assert_eq!(generation.generation_time_ms, Some(9630), "generation time");
    assert_eq!(generation.finish_reason.as_deref(), Some("stop"), "finish");
    assert_eq!(generation.cancelled, Some(false), "not cancelled");

    let odd = "gen-odd &id=other#frag+é";
    let echoed = fetch_generation(&client, &api, odd).await.unwrap();
    assert_eq!(
        echoed.id, odd,
        "the id arrives whole, not split into parameters"
    );

    let err = fetch_generation(&client, &api, "gen-not-yet-written")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::BadRequest { status: 404, message, .. } if message == "Generation not found"),
        "a 404 is classified with OpenRouter's message: {err:?}"
    );
    let err = fetch_generation(&client, &api, " ").await.unwrap_err();
    assert!(
        matches!(err, ProviderError::BadRequest { status: 0, .. }),
        "empty id: {err:?}"
    );
    assert_eq!(seen.all().len(), 3, "the empty id was not sent");
}

#[tokio::test]
async fn a_non_json_200_is_a_decode_error_keeping_the_body() {
    let (origin, _) = start().await;
    let client = http_client().unwrap();
    let api = endpoint(&format!("{origin}/html"), Some(MANAGEMENT_KEY));
    let page = "<html><body>Down for maintenance</body></html>";
    let results = [
        fetch_models(&client, &api).await.map(|_| ()),
        fetch_endpoints(&client, &api, "a/b").await.map(|_| ()),
        fetch_key(&client, &api).await.map(|_| ()),
        fetch_credits(&client, &api).await.map(|_| ()),
        fetch_generation(&client, &api, GENERATION_ID)
            .await
            .map(|_| ()),
    ];
    for (i, result) in results.into_iter().enumerate() {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, ProviderError::Decode { raw, .. } if raw == page),
            "call {i}: {err:?}"
        );
    }
}

#[tokio::test]
async fn nobody_listening_is_a_network_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = http_client().unwrap();
    let err = fetch_models(&client, &endpoint(&origin, None))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Network { .. }), "{err:?}");
}
