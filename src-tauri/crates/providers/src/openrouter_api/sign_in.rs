//! Sign in with OpenRouter (OAuth PKCE, RFC 7636): the code verifier and its S256 challenge,
//! the page the person's browser is sent to, and the exchange of the code OpenRouter returns
//! for a key the person owns (`docs/upstream-apis.md` §6.4).
//!
//! 1. [`CodeVerifier::generate`] makes the secret; [`CodeVerifier::challenge`] its S256 hash.
//! 2. [`authorization_url`] builds `https://openrouter.ai/auth?callback_url=…&code_challenge=…
//!    &code_challenge_method=S256`; the browser comes back to `callback_url?code=…`.
//! 3. [`exchange_code`] posts `{code, code_verifier, code_challenge_method}` to `/auth/keys` and
//!    gets `{key, user_id}`.
//!
//! OpenRouter documents no `state` parameter on `/auth` (nor that it echoes one), so callers
//! keep their state in the callback URL itself. A spending limit for the new key is documented
//! only on `POST /auth/keys/code`, which needs a key the person does not have yet; the `limit`
//! query parameter sent here is a request OpenRouter may ignore, so callers read the key's
//! limit back (`GET /key`) rather than trust it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use switchboard_core::{ApiKey, BaseUrl, ProviderError, Usd};

use super::TIMEOUT;
use crate::Endpoint;

/// Where OpenRouter's own sign-in page is when the API is at its public address.
pub const AUTH_PAGE: &str = "https://openrouter.ai/auth";

/// The only challenge method sent: `plain` would put the secret itself in the browser's URL.
pub const CHALLENGE_METHOD: &str = "S256";

/// 32 random bytes: RFC 7636 §4.1's recommendation, 43 characters once encoded.
const VERIFIER_BYTES: usize = 32;

/// The PKCE secret: kept by the app, sent only to `/auth/keys`, never to the browser.
///
/// Its `Debug` hides it: it is as good as the key for as long as the code is valid.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier([REDACTED])")
    }
}

/// A verifier that RFC 7636 §4.1 does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a PKCE code verifier is 43 to 128 letters, digits, '-', '.', '_' or '~'")]
pub struct InvalidVerifier;

impl CodeVerifier {
    /// A new verifier from the operating system's random source (43 characters of base64url,
    /// which lies inside RFC 7636's unreserved set).
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0_u8; VERIFIER_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A verifier given as text (RFC 7636's test vector, a value kept elsewhere).
    pub fn parse(text: &str) -> Result<Self, InvalidVerifier> {
        let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        if (43..=128).contains(&text.len()) && text.chars().all(unreserved) {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidVerifier)
        }
    }

    /// The verifier itself, for the one place that needs it: the exchange's body.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `BASE64URL(SHA256(verifier))` without padding: the S256 challenge the browser carries.
    pub fn challenge(&self) -> String {
        s256_challenge(&self.0)
    }
}

/// The S256 challenge of `verifier` (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// OpenRouter's sign-in page for an API at `base_url`: `https://host/auth` when the base URL is
/// `https://host/api/v1` (the documented layout), else the public [`AUTH_PAGE`] (a proxy in
/// front of the API does not serve OpenRouter's login).
pub fn auth_page(base_url: &BaseUrl) -> Url {
    let public = || Url::parse(AUTH_PAGE).expect("AUTH_PAGE is a constant, valid URL");
    base_url
        .as_str()
        .strip_suffix("/api/v1")
        .and_then(|site| Url::parse(&format!("{site}/auth")).ok())
        .unwrap_or_else(public)
}

/// The URL to open in the person's browser: `auth_page` with the callback, the S256 challenge
/// and, when asked, a spending limit for the new key (see the module header: unconfirmed).
pub fn authorization_url(
    auth_page: &Url,
    callback_url: &str,
    challenge: &str,
    limit: Option<Usd>,
) -> Url {
    let mut url = auth_page.clone();
    {
        // `query_pairs_mut` percent-encodes each value, so the callback URL (with its own
        // path and port) arrives whole as one parameter.
        let mut query = url.query_pairs_mut();
        query
            .append_pair("callback_url", callback_url)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", CHALLENGE_METHOD);
        if let Some(limit) = limit {
            query.append_pair("limit", &limit.to_string());
        }
    }
    url
}

/// The key OpenRouter issued for the person.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The key (redacted in `Debug`).
    pub key: ApiKey,
    /// OpenRouter's id of the person, when it sends one.
    pub user_id: Option<String>,
}

/// Why the code was not exchanged for a key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// OpenRouter refused the code: 400 (`Invalid code_challenge_method`), 403 (`Invalid code
    /// or code_verifier`: wrong verifier, a code already used or expired) or another 4xx.
    /// Trying the same code again cannot help.
    #[error("OpenRouter refused the sign-in code ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// OpenRouter's message.
        message: String,
    },
    /// No usable answer: the network, a timeout, a 5xx, a rate limit.
    #[error(transparent)]
    Provider(ProviderError),
    /// A 2xx whose body is not `{key, user_id}` with a usable key. The body is not kept: it
    /// may hold the key.
    #[error("OpenRouter's answer to the sign-in is not the expected key ({detail})")]
    Decode {
        /// What is wrong, without any of the body's text.
        detail: String,
    },
}

/// `POST /auth/keys`'s answer.
#[derive(Deserialize)]
struct Exchanged {
    key: String,
    #[serde(default)]
    user_id: Option<serde_json::Value>,
}

/// Exchanges `code` for a key (`POST {base}/auth/keys`, 30 s deadline).
///
/// The endpoint's key, if any, is not sent: the exchange is authenticated by the verifier, and
/// OpenRouter's guide sends no `Authorization` header.
pub async fn exchange_code(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    code: &str,
    verifier: &CodeVerifier,
) -> Result<IssuedKey, ExchangeError> {
    let keyless = Endpoint {
        key: None,
        ..endpoint.clone()
    };
    let body = serde_json::json!({
        "code": code,
        "code_verifier": verifier.expose(),
        "code_challenge_method": CHALLENGE_METHOD,
    });
    let request = keyless
        .post(client, "auth/keys")
        .json(&body)
        .timeout(TIMEOUT);
    let response = crate::http::send(&keyless, request)
        .await
        .map_err(refusal)?;
    let text = response
        .text()
        .await
        .map_err(|e| ExchangeError::Provider(crate::transport_error(&e)))?;
    parse_issued_key(&text)
}

/// Reads `POST /auth/keys`'s 2xx body.
pub fn parse_issued_key(body: &str) -> Result<IssuedKey, ExchangeError> {
    // serde's messages can quote the body's values (the key among them), so only the kind of
    // fault and its position are kept.
    let exchanged: Exchanged =
        serde_json::from_str(body.trim()).map_err(|e| ExchangeError::Decode {
            detail: format!(
                "{} at line {} column {}",
                match e.classify() {
                    serde_json::error::Category::Io | serde_json::error::Category::Eof =>
                        "it ends early",
                    serde_json::error::Category::Syntax => "it is not JSON",
                    serde_json::error::Category::Data => "it has no key as text",
                },
                e.line(),
                e.column()
            ),
        })?;
    let key = ApiKey::parse(&exchanged.key).map_err(|_| ExchangeError::Decode {
        detail: "its key is empty, too long or has spaces in it".to_owned(),
    })?;
    let user_id = match exchanged.user_id {
        Some(serde_json::Value::String(id)) if !id.is_empty() => Some(id),
        Some(serde_json::Value::Number(id)) => Some(id.to_string()),
        _ => None,
    };
    Ok(IssuedKey { key, user_id })
}

/// A refusal of the code (any 4xx but 402, 408 and 429) told apart from failures worth trying
/// again. Core would call a 403 whose message does not mention keys "moderation"; here it can
/// only be the code or the verifier.
fn refusal(error: ProviderError) -> ExchangeError {
    match error {
        ProviderError::Auth {
            status, message, ..
        } => ExchangeError::Refused { status, message },
        ProviderError::Moderation { message, .. } => ExchangeError::Refused {
            status: 403,
            message,
        },
        ProviderError::BadRequest {
            status: status @ 400..=499,
            message,
            ..
        } => ExchangeError::Refused { status, message },
        other => ExchangeError::Provider(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        let verifier = CodeVerifier::parse(RFC_VERIFIER).unwrap();
        assert_eq!(verifier.challenge(), RFC_CHALLENGE);
    }

    #[test]
    fn generated_verifiers_are_43_unreserved_characters_and_differ() {
        let a = CodeVerifier::generate().unwrap();
        let b = CodeVerifier::generate().unwrap();
        assert_eq!(a.expose().len(), 43, "32 bytes, base64url, unpadded");
        assert!(
            CodeVerifier::parse(a.expose()).is_ok(),
            "inside RFC 7636's unreserved set: {}",
            a.expose()
        );
        assert_ne!(a, b, "from a random source");
        assert!(
            !format!("{a:?}").contains(a.expose()),
            "Debug never shows the secret"
        );
        assert_eq!(a.challenge().len(), 43, "a SHA-256, base64url, unpadded");
    }

    #[test]
    fn verifiers_outside_the_rfc_are_refused() {
        for bad in ["short", &"a".repeat(129), &format!("{}+", "a".repeat(42))] {
            assert_eq!(CodeVerifier::parse(bad), Err(InvalidVerifier), "{bad}");
        }
        assert!(
            CodeVerifier::parse(&"~._-".repeat(32)).is_ok(),
            "128 is allowed"
        );
    }

    #[test]
    fn the_auth_page_follows_the_api_and_falls_back_to_openrouter() {
        let page = |base: &str| auth_page(&BaseUrl::parse(base).unwrap()).to_string();
        assert_eq!(page("https://openrouter.ai/api/v1"), AUTH_PAGE);
        assert_eq!(
            page("http://127.0.0.1:9/openrouter/api/v1"),
            "http://127.0.0.1:9/openrouter/auth"
        );
        assert_eq!(page("https://proxy.example/v1"), AUTH_PAGE, "a proxy");
    }

    #[test]
    fn the_authorization_url_carries_the_callback_whole_and_the_s256_challenge() {
        let page = Url::parse(AUTH_PAGE).unwrap();
        let callback = "http://127.0.0.1:51423/callback/st4te?x=1&y=2";
        let url = authorization_url(&page, callback, RFC_CHALLENGE, None);
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("callback_url".into(), callback.into()),
                ("code_challenge".into(), RFC_CHALLENGE.into()),
                ("code_challenge_method".into(), "S256".into()),
            ]
        );
        assert!(url.as_str().starts_with("https://openrouter.ai/auth?"));
        assert!(
            !url.as_str().contains("&x=1"),
            "the callback's own query cannot add parameters: {url}"
        );

        let limited = authorization_url(&page, callback, RFC_CHALLENGE, Usd::parse("2.5").ok());
        assert!(
            limited
                .query_pairs()
                .any(|(k, v)| k == "limit" && v == "2.5")
        );
    }

    #[test]
    fn an_issued_key_is_read_and_garbage_is_a_decode_error_without_the_body() {
        let issued =
            parse_issued_key(r#"{"key":"sk-or-v1-issued-0123456789","user_id":"user_2x"}"#)
                .unwrap();
        assert_eq!(issued.key.expose(), "sk-or-v1-issued-0123456789");
        assert_eq!(issued.user_id.as_deref(), Some("user_2x"));
        let without_user = parse_issued_key(r#"{"key":"sk-or-v1-k-0123456789"}"#).unwrap();
        assert_eq!(without_user.user_id, None);

        for garbage in [
            "<html>Sign in</html>",
            r#"{"key":"#,
            r#"{"user_id":"user_2x"}"#,
            r#""sk-or-v1-secret-in-a-bare-string""#,
            r#"{"key":["sk-or-v1-secret-in-a-list"]}"#,
            r#"{"key":"sk-or v1 spaces"}"#,
            r#"{"key":""}"#,
        ] {
            let err = parse_issued_key(garbage).unwrap_err();
            assert!(
                matches!(err, ExchangeError::Decode { .. }),
                "{garbage}: {err:?}"
            );
            assert!(
                !err.to_string().contains("secret") && !err.to_string().contains("sk-or"),
                "no text of the body in the error: {err}"
            );
        }
    }

    #[test]
    fn refusals_of_the_code_are_told_apart_from_transient_failures() {
        let from = |status, body: &str| refusal(ProviderError::from_response(status, None, body));
        let body = |message: &str| format!(r#"{{"error":{{"code":403,"message":"{message}"}}}}"#);
        for status in [400, 401, 403, 404, 405] {
            assert!(
                matches!(
                    from(status, &body("Invalid code or code_verifier")),
                    ExchangeError::Refused { status: s, ref message }
                        if s == status && message == "Invalid code or code_verifier"
                ),
                "{status} is a refusal"
            );
        }
        for status in [402, 408, 429, 500, 503] {
            assert!(
                matches!(from(status, &body("try later")), ExchangeError::Provider(_)),
                "{status} is not a refusal of the code"
            );
        }
    }
}
