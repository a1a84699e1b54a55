//! OpenRouter's OAuth PKCE exchange, `POST /openrouter/api/v1/auth/keys`
//! (`docs/upstream-apis.md` §6.4): `{code, code_verifier, code_challenge_method}` in,
//! `{key, user_id}` out, for a code the test registered with [`FakeUpstream::oauth_code`].
//!
//! The fake checks the verifier against the registered challenge with its own S256
//! (`BASE64URL(SHA256(verifier))`), so a client that sends the wrong verifier, or hashes it
//! wrongly, is refused as OpenRouter refuses it: 403 `Invalid code or code_verifier`. A method
//! other than `S256` is a 400 `Invalid code_challenge_method`. A code works once.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::faults::error_body;
use super::{Api, FakeUpstream, Recorded, Shared, lock};

/// A code the fake will exchange once.
#[derive(Debug, Clone)]
pub(crate) struct OauthCode {
    code: String,
    challenge: String,
    key: String,
    used: bool,
}

/// The user id the fake issues keys to.
pub const OAUTH_USER_ID: &str = "user_fake_oauth";

impl FakeUpstream {
    /// Lets `POST /auth/keys` exchange `code` once for `issued_key`, when its `code_verifier`
    /// hashes (S256) to `challenge`: the challenge the test read from the sign-in URL.
    pub fn oauth_code(&self, code: &str, challenge: &str, issued_key: &str) {
        lock(&self.shared.oauth_codes).push(OauthCode {
            code: code.to_owned(),
            challenge: challenge.to_owned(),
            key: issued_key.to_owned(),
            used: false,
        });
    }
}

/// The route, merged into the fake's router.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/openrouter/api/v1/auth/keys", post(exchange))
}

async fn exchange(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&s.requests).push(Recorded {
        method: method.to_string(),
        path: uri.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into(),
                )
            })
            .collect(),
        body: body.to_vec(),
    });
    let refuse = |status: u16, message: &str| {
        let status =
            axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
        let body = error_body(Api::OpenRouter, status.as_u16(), Some(message));
        (status, [("content-type", "application/json")], body).into_response()
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refuse(400, "Invalid JSON body");
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    if text("code_challenge_method") != Some("S256") {
        return refuse(400, "Invalid code_challenge_method");
    }
    let (Some(code), Some(verifier)) = (text("code"), text("code_verifier")) else {
        return refuse(403, "Invalid code or code_verifier");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut codes = lock(&s.oauth_codes);
    let Some(entry) = codes
        .iter_mut()
        .find(|c| c.code == code && !c.used && c.challenge == challenge)
    else {
        return refuse(403, "Invalid code or code_verifier");
    };
    entry.used = true;
    axum::Json(json!({"key": entry.key, "user_id": OAUTH_USER_ID})).into_response()
}
