//! A second OpenAI-compatible server, as vLLM answers and behind a key, for custom providers'
//! model lists: `GET /vllm/v1/models` lists two models with their context windows
//! (`max_model_len`, `null` for an adapter) and refuses a request without the fake's key with
//! OpenAI's 401. (`/custom/v1` is the keyless Ollama-like server, in `routes.rs`.)

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::faults::error_body;
use super::{Api, Recorded, Shared, lock};

/// The routes, merged into the fake's router.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/vllm/v1/models", get(vllm_models))
}

async fn vllm_models(
    axum::extract::State(s): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    lock(&s.requests).push(Recorded {
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: headers
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (n.as_str().to_owned(), value)
            })
            .collect(),
        body: Vec::new(),
    });
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let accepted = match (&s.accepted_key, key) {
        (_, None) => false,
        (None, Some(k)) => !k.is_empty(),
        (Some(want), Some(k)) => want == k,
    };
    if !accepted {
        let body = error_body(
            Api::OpenAi,
            401,
            Some("Unauthorized: give the server's key"),
        );
        return (
            axum::http::StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            body,
        )
            .into_response();
    }
    axum::Json(json!({"object": "list", "data": [
        {"id": "Qwen/Qwen2.5-7B-Instruct", "object": "model", "created": 1_735_142_223,
         "owned_by": "vllm", "root": "Qwen/Qwen2.5-7B-Instruct", "parent": null,
         "max_model_len": 32_768, "permission": []},
        {"id": "qwen-lora-sql", "object": "model", "created": 1_735_142_223, "owned_by": "vllm",
         "root": "/adapters/sql", "parent": "Qwen/Qwen2.5-7B-Instruct", "max_model_len": null,
         "permission": []}
    ]}))
    .into_response()
}
