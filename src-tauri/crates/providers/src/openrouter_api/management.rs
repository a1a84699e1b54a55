//! OpenRouter's key management API (`docs/upstream-apis.md` §6.4): the keys a management key
//! lists, makes, changes and deletes. Every call here must carry a management key; an
//! inference key is refused by OpenRouter, and a management key cannot run models.
//!
//! - `GET /keys?include_disabled=true&offset=N` → `{"data": [Key…]}`, read page after page;
//! - `POST /keys` `{name, limit?, limit_reset?, include_byok_in_limit?, expires_at?}` →
//!   `{"data": Key, "key": "sk-or-v1-…"}`: the only time the key itself is shown;
//! - `GET|PATCH|DELETE /keys/{hash}` → `{"data": Key}` or `{"deleted": true}`.
//!
//! No recording of these answers exists; shapes follow the 2026 OpenAPI spec and its SDK
//! examples, and are read leniently (missing usage is zero, unknown fields are ignored), except
//! money: an amount that is present but garbled fails the answer.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use switchboard_core::{
    CreatedTeamKey, KeyUsage, LimitChange, LimitReset, ProviderError, ResetChange, TeamKey,
    TeamKeyChange, TeamKeyDraft, Usd,
};

use super::account::{decode, optional_amount};
use super::{WireAmount, get_text};
use crate::Endpoint;

/// No team has this many pages of keys; a server that keeps answering past it ignores
/// `offset`, and reading on would never end.
const MAX_PAGES: usize = 200;

/// Lists every key, disabled ones too, following `offset` until a page comes back empty.
pub async fn list_keys(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<TeamKey>, ProviderError> {
    let mut keys: Vec<TeamKey> = Vec::new();
    for _ in 0..MAX_PAGES {
        let offset = keys.len().to_string();
        let request = endpoint
            .get(client, "keys")
            .query(&[("include_disabled", "true"), ("offset", offset.as_str())]);
        let body = get_text(endpoint, request).await?;
        let page: Vec<WireKey> = decode(&body)?;
        let page = page
            .into_iter()
            .map(|k| k.into_team_key(&body))
            .collect::<Result<Vec<_>, _>>()?;
        // An empty page is the end; a page that repeats the first one means `offset` is
        // ignored, and everything has been read.
        let repeats =
            matches!((page.first(), keys.first()), (Some(a), Some(b)) if a.hash == b.hash);
        if page.is_empty() || repeats {
            return Ok(keys);
        }
        keys.extend(page);
    }
    Ok(keys)
}

/// One key by its hash.
pub async fn get_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    hash: &str,
) -> Result<TeamKey, ProviderError> {
    let path = format!("keys/{}", path_segment(hash)?);
    let body = get_text(endpoint, endpoint.get(client, &path)).await?;
    decode::<WireKey>(&body)?.into_team_key(&body)
}

/// Makes a key. The answer holds the new key itself, so a body that does not parse is not
/// kept in the error.
pub async fn create_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    draft: &TeamKeyDraft,
) -> Result<CreatedTeamKey, ProviderError> {
    let mut body = Map::new();
    body.insert("name".into(), json!(draft.name));
    if let Some(limit) = draft.limit {
        body.insert("limit".into(), usd_number(limit));
    }
    if let Some(reset) = draft.limit_reset {
        body.insert("limit_reset".into(), json!(reset.as_str()));
    }
    body.insert(
        "include_byok_in_limit".into(),
        json!(draft.include_byok_in_limit),
    );
    if let Some(expires_at) = &draft.expires_at {
        body.insert("expires_at".into(), json!(expires_at));
    }
    let request = endpoint.post(client, "keys").json(&Value::Object(body));
    let text = get_text(endpoint, request).await?;
    parse_created(&text)
}

/// Changes a key; only what `change` names is sent.
pub async fn update_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    hash: &str,
    change: &TeamKeyChange,
) -> Result<TeamKey, ProviderError> {
    let path = format!("keys/{}", path_segment(hash)?);
    let request = endpoint
        .request(client, Method::PATCH, &path)
        .json(&patch_body(change));
    let body = get_text(endpoint, request).await?;
    decode::<WireKey>(&body)?.into_team_key(&body)
}

/// Deletes a key for good: requests with it fail from now on.
pub async fn delete_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    hash: &str,
) -> Result<(), ProviderError> {
    let path = format!("keys/{}", path_segment(hash)?);
    let request = endpoint.request(client, Method::DELETE, &path);
    let body = get_text(endpoint, request).await?;
    confirm_deleted(&body)
}

/// `{"deleted": true}`; an empty 2xx is taken as done too, but an explicit `false` is not.
pub(super) fn confirm_deleted(body: &str) -> Result<(), ProviderError> {
    #[derive(Deserialize)]
    struct Deleted {
        deleted: Option<bool>,
    }
    if body.trim().is_empty() {
        return Ok(());
    }
    match serde_json::from_str::<Deleted>(body.trim()) {
        Ok(Deleted {
            deleted: Some(false),
        }) => Err(ProviderError::decode(
            "OpenRouter answered that nothing was deleted",
            body,
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(ProviderError::decode(e, body)),
    }
}

/// The PATCH body for `change`: `null` clears a limit or its reset.
fn patch_body(change: &TeamKeyChange) -> Value {
    let mut body = Map::new();
    if let Some(name) = &change.name {
        body.insert("name".into(), json!(name));
    }
    if let Some(disabled) = change.disabled {
        body.insert("disabled".into(), json!(disabled));
    }
    match change.limit {
        LimitChange::Keep => {}
        LimitChange::NoLimit => {
            body.insert("limit".into(), Value::Null);
        }
        LimitChange::Amount { usd } => {
            body.insert("limit".into(), usd_number(usd));
        }
    }
    match change.limit_reset {
        ResetChange::Keep => {}
        ResetChange::Never => {
            body.insert("limit_reset".into(), Value::Null);
        }
        ResetChange::Every { period } => {
            body.insert("limit_reset".into(), json!(period.as_str()));
        }
    }
    if let Some(include) = change.include_byok_in_limit {
        body.insert("include_byok_in_limit".into(), json!(include));
    }
    Value::Object(body)
}

/// An amount as the JSON number OpenRouter takes. Going through the decimal text rather than a
/// float conversion keeps it exact: Rust's parse rounds correctly and serde_json prints the
/// shortest form back, so an amount of up to 15 significant digits (every real limit) is sent
/// as written.
pub(super) fn usd_number(usd: Usd) -> Value {
    usd.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// An id (a key's hash, a guardrail's id) as one path segment: letters, digits, `-` and `_`
/// only, so no id can reach another path or add a query.
pub(super) fn path_segment(id: &str) -> Result<&str, ProviderError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id)
    } else {
        Err(ProviderError::BadRequest {
            status: 0,
            message: format!("\"{id}\" is not an OpenRouter id"),
            call: None,
        })
    }
}

/// Reads `POST /keys`'s answer without ever putting its text in an error: it holds the key.
pub(super) fn parse_created(body: &str) -> Result<CreatedTeamKey, ProviderError> {
    #[derive(Deserialize)]
    struct Created {
        data: WireKey,
        key: String,
    }
    let withheld = "(withheld: the answer holds the new key)";
    let created: Created = serde_json::from_str(body.trim()).map_err(|e| {
        let detail = format!(
            "the new key's answer does not parse at line {} column {}",
            e.line(),
            e.column()
        );
        ProviderError::decode(detail, withheld)
    })?;
    let secret = created.key.trim().to_owned();
    if secret.is_empty() || secret.chars().any(char::is_whitespace) {
        return Err(ProviderError::decode(
            "the new key is empty or has spaces in it",
            withheld,
        ));
    }
    // A garbled amount names its field and value, never the answer (which holds the key).
    let key = created.data.into_team_key(withheld)?;
    Ok(CreatedTeamKey { key, secret })
}

/// `Key` as the management API sends it.
#[derive(Deserialize)]
struct WireKey {
    hash: String,
    name: Option<String>,
    label: Option<String>,
    disabled: Option<bool>,
    limit: Option<WireAmount>,
    limit_remaining: Option<WireAmount>,
    limit_reset: Option<String>,
    include_byok_in_limit: Option<bool>,
    usage: Option<WireAmount>,
    usage_daily: Option<WireAmount>,
    usage_weekly: Option<WireAmount>,
    usage_monthly: Option<WireAmount>,
    byok_usage: Option<WireAmount>,
    byok_usage_daily: Option<WireAmount>,
    byok_usage_weekly: Option<WireAmount>,
    byok_usage_monthly: Option<WireAmount>,
    created_at: Option<String>,
    expires_at: Option<String>,
}

impl WireKey {
    fn into_team_key(self, body: &str) -> Result<TeamKey, ProviderError> {
        let amount = |name: &str, v: Option<&WireAmount>| optional_amount(name, v, body);
        let usage = |d, w, m, t| -> Result<KeyUsage, ProviderError> {
            Ok(KeyUsage {
                today: amount("usage_daily", d)?.unwrap_or(Usd::ZERO),
                week: amount("usage_weekly", w)?.unwrap_or(Usd::ZERO),
                month: amount("usage_monthly", m)?.unwrap_or(Usd::ZERO),
                total: amount("usage", t)?.unwrap_or(Usd::ZERO),
            })
        };
        Ok(TeamKey {
            usage: usage(
                self.usage_daily.as_ref(),
                self.usage_weekly.as_ref(),
                self.usage_monthly.as_ref(),
                self.usage.as_ref(),
            )?,
            byok_usage: usage(
                self.byok_usage_daily.as_ref(),
                self.byok_usage_weekly.as_ref(),
                self.byok_usage_monthly.as_ref(),
                self.byok_usage.as_ref(),
            )?,
            limit: amount("limit", self.limit.as_ref())?,
            limit_remaining: amount("limit_remaining", self.limit_remaining.as_ref())?,
            limit_reset: self.limit_reset.as_deref().and_then(LimitReset::parse),
            include_byok_in_limit: self.include_byok_in_limit.unwrap_or(false),
            name: self.name.unwrap_or_default(),
            label: self.label.unwrap_or_default(),
            disabled: self.disabled.unwrap_or(false),
            created_at: self.created_at,
            expires_at: self.expires_at,
            hash: self.hash,
            on_this_machine: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";

    /// The 2026 spec's example key (`CreateKeysResponse`), as the wire has it.
    fn spec_key() -> Value {
        json!({"hash": HASH, "name": "My Production Key", "label": "sk-or-v1-0e6...1c96",
            "disabled": false, "limit": 100, "limit_remaining": 74.5, "limit_reset": "monthly",
            "include_byok_in_limit": false, "usage": 25.5, "usage_daily": 25.5,
            "usage_weekly": 25.5, "usage_monthly": 25.5, "byok_usage": 17.38,
            "byok_usage_daily": 17.38, "byok_usage_weekly": 17.38, "byok_usage_monthly": 17.38,
            "created_at": "2025-08-24T10:30:00Z", "updated_at": "2025-08-24T15:45:00Z",
            "expires_at": "2027-12-31T23:59:59Z", "creator_user_id": "user_2dHF",
            "workspace_id": "0df9e665-d932-5740-b2c7-b52af166bc11"})
    }

    #[test]
    fn the_specs_key_reads_exactly() {
        let body = json!({"data": spec_key()}).to_string();
        let key = decode::<WireKey>(&body)
            .unwrap()
            .into_team_key(&body)
            .unwrap();
        assert_eq!(key.hash, HASH);
        assert_eq!(key.limit, Some(Usd::parse("100").unwrap()));
        assert_eq!(key.limit_remaining, Some(Usd::parse("74.5").unwrap()));
        assert_eq!(key.limit_reset, Some(LimitReset::Monthly));
        assert_eq!(
            key.byok_usage.total,
            Usd::parse("17.38").unwrap(),
            "no drift"
        );
        assert_eq!(key.expires_at.as_deref(), Some("2027-12-31T23:59:59Z"));
        assert!(!key.on_this_machine, "the engine decides that");
    }

    #[test]
    fn a_garbled_amount_fails_but_missing_usage_is_zero() {
        let mut wire = spec_key();
        wire["limit"] = json!("lots");
        let body = json!({"data": wire}).to_string();
        let err = decode::<WireKey>(&body)
            .unwrap()
            .into_team_key(&body)
            .unwrap_err();
        assert!(
            matches!(err, ProviderError::Decode { ref detail, .. } if detail.contains("limit"))
        );
        let body = json!({"data": {"hash": HASH}}).to_string();
        let bare = decode::<WireKey>(&body)
            .unwrap()
            .into_team_key(&body)
            .unwrap();
        assert_eq!(bare.usage.total, Usd::ZERO);
        assert_eq!(bare.limit, None);
    }

    #[test]
    fn the_created_key_is_read_and_never_kept_in_an_error() {
        let body = json!({"data": spec_key(), "key": "sk-or-v1-d3558566a246d5"}).to_string();
        let created = parse_created(&body).unwrap();
        assert_eq!(created.secret, "sk-or-v1-d3558566a246d5");
        assert_eq!(created.key.name, "My Production Key");
        for broken in [
            json!({"data": spec_key()}).to_string(),
            json!({"data": {"hash": HASH, "limit": "x"}, "key": "sk-or-v1-secret-1"}).to_string(),
            json!({"data": spec_key(), "key": "sk-or v1 secret"}).to_string(),
            r#"{"data":{"hash":"h"},"key":"sk-or-v1-secret-2"#.to_owned(),
        ] {
            let err = parse_created(&broken).unwrap_err();
            assert!(
                !format!("{err:?}{err}").contains("secret"),
                "no text of the answer: {err:?}"
            );
        }
    }

    #[test]
    fn a_patch_sends_only_what_changes_and_null_clears() {
        let keep = patch_body(&TeamKeyChange::default());
        assert_eq!(keep, json!({}));
        let change = TeamKeyChange {
            disabled: Some(true),
            limit: LimitChange::NoLimit,
            limit_reset: ResetChange::Every {
                period: LimitReset::Daily,
            },
            ..TeamKeyChange::default()
        };
        assert_eq!(
            patch_body(&change),
            json!({"disabled": true, "limit": null, "limit_reset": "daily"})
        );
        let set = TeamKeyChange {
            limit: LimitChange::Amount {
                usd: Usd::parse("0.1").unwrap(),
            },
            ..TeamKeyChange::default()
        };
        assert_eq!(
            patch_body(&set).to_string(),
            r#"{"limit":0.1}"#,
            "as written"
        );
    }

    #[test]
    fn ids_cannot_leave_their_path_segment() {
        assert!(path_segment(HASH).is_ok());
        assert!(path_segment("550e8400-e29b-41d4-a716-446655440000").is_ok());
        for bad in ["", "../credits", "a?b=c", "a/b", "a b", &"a".repeat(129)] {
            assert!(path_segment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deletion_must_not_be_denied() {
        assert!(confirm_deleted(r#"{"deleted":true}"#).is_ok());
        assert!(confirm_deleted("").is_ok());
        assert!(confirm_deleted(r#"{"deleted":false}"#).is_err());
        assert!(confirm_deleted("<html>").is_err());
    }
}
