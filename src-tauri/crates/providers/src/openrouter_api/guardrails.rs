//! OpenRouter's guardrails API (announced 2026-05-29; management key required): what keys and
//! organization members may use and spend.
//!
//! - `GET /guardrails?offset=&limit=` → `{"data": [Guardrail…], "total_count"}`;
//! - `POST /guardrails`, `PATCH|GET|DELETE /guardrails/{id}` → `{"data": Guardrail}` or
//!   `{"deleted": true}`;
//! - `GET /guardrails/{id}/assignments/keys|members` → `{"data": [{key_hash | user_id…}],
//!   "total_count"}`;
//! - `POST /guardrails/{id}/assignments/keys[/remove]` `{"key_hashes": […]}` and
//!   `…/members[/remove]` `{"member_user_ids": […]}` → `{"assigned_count" | "unassigned_count"}`.
//!
//! Shapes follow OpenRouter's SDK references (no recorded traffic exists). A guardrail's
//! `enforce_zdr` is deprecated in favour of one flag per model group; when only the old flag
//! comes, it stands for every group.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use switchboard_core::{Guardrail, GuardrailDraft, LimitReset, ProviderError, ZdrRule};

use super::account::{decode, optional_amount};
use super::management::{confirm_deleted, path_segment, usd_number};
use super::{WireAmount, get_text};
use crate::Endpoint;

/// The largest page OpenRouter serves (its docs: "max 100").
const PAGE: usize = 100;

/// More assignments or guardrails than this is a server ignoring `offset`.
const MAX_PAGES: usize = 100;

/// Every guardrail, without its assignments (see [`guardrail_key_hashes`],
/// [`guardrail_member_ids`]).
pub async fn list_guardrails(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<Guardrail>, ProviderError> {
    let pages = paged::<WireGuardrail>(client, endpoint, "guardrails").await?;
    pages.into_iter().map(|(g, body)| g.read(&body)).collect()
}

/// Makes a guardrail.
pub async fn create_guardrail(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    draft: &GuardrailDraft,
) -> Result<Guardrail, ProviderError> {
    let request = endpoint.post(client, "guardrails").json(&draft_body(draft));
    let body = get_text(endpoint, request).await?;
    decode::<WireGuardrail>(&body)?.read(&body)
}

/// Replaces every setting of a guardrail with `draft`'s.
pub async fn update_guardrail(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
    draft: &GuardrailDraft,
) -> Result<Guardrail, ProviderError> {
    let path = format!("guardrails/{}", path_segment(id)?);
    let request = endpoint
        .request(client, Method::PATCH, &path)
        .json(&draft_body(draft));
    let body = get_text(endpoint, request).await?;
    decode::<WireGuardrail>(&body)?.read(&body)
}

/// Deletes a guardrail; the keys and members it bound are free of it.
pub async fn delete_guardrail(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
) -> Result<(), ProviderError> {
    let path = format!("guardrails/{}", path_segment(id)?);
    let request = endpoint.request(client, Method::DELETE, &path);
    let body = get_text(endpoint, request).await?;
    confirm_deleted(&body)
}

/// The hashes of the keys a guardrail is assigned to.
pub async fn guardrail_key_hashes(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
) -> Result<Vec<String>, ProviderError> {
    #[derive(Deserialize)]
    struct Assigned {
        key_hash: String,
    }
    let path = format!("guardrails/{}/assignments/keys", path_segment(id)?);
    let pages = paged::<Assigned>(client, endpoint, &path).await?;
    Ok(pages.into_iter().map(|(a, _)| a.key_hash).collect())
}

/// The user ids of the organization members a guardrail is assigned to.
pub async fn guardrail_member_ids(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
) -> Result<Vec<String>, ProviderError> {
    #[derive(Deserialize)]
    struct Assigned {
        user_id: String,
    }
    let path = format!("guardrails/{}/assignments/members", path_segment(id)?);
    let pages = paged::<Assigned>(client, endpoint, &path).await?;
    Ok(pages.into_iter().map(|(a, _)| a.user_id).collect())
}

/// Who to assign a guardrail to, or take it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    /// Keys, by hash.
    Keys,
    /// Organization members, by user id.
    Members,
}

/// Assigns (`remove` false) or unassigns a guardrail; returns how many OpenRouter changed.
pub async fn assign_guardrail(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
    who: Assignee,
    ids: &[String],
    remove: bool,
) -> Result<u64, ProviderError> {
    let (segment, field) = match who {
        Assignee::Keys => ("keys", "key_hashes"),
        Assignee::Members => ("members", "member_user_ids"),
    };
    let suffix = if remove { "/remove" } else { "" };
    let path = format!(
        "guardrails/{}/assignments/{segment}{suffix}",
        path_segment(id)?
    );
    let mut body = serde_json::Map::new();
    body.insert(field.to_owned(), json!(ids));
    let request = endpoint.post(client, &path).json(&Value::Object(body));
    let body = get_text(endpoint, request).await?;
    let answer: Value =
        serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, &body))?;
    let count = ["assigned_count", "unassigned_count"]
        .iter()
        .find_map(|k| answer.get(k).and_then(Value::as_u64));
    Ok(count.unwrap_or(0))
}

/// Reads `path` page by page (`offset`, `limit`) until `total_count` items, an empty page, or
/// a page that repeats the first; each item comes with the body it was read from.
async fn paged<T: for<'de> Deserialize<'de>>(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    path: &str,
) -> Result<Vec<(T, String)>, ProviderError> {
    #[derive(Deserialize)]
    struct Page {
        data: Vec<Value>,
        total_count: Option<u64>,
    }
    let mut items = Vec::new();
    let mut first: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let offset = items.len().to_string();
        let limit = PAGE.to_string();
        let request = endpoint
            .get(client, path)
            .query(&[("offset", offset.as_str()), ("limit", limit.as_str())]);
        let body = get_text(endpoint, request).await?;
        let page: Page =
            serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, &body))?;
        if page.data.is_empty() || (first.is_some() && first.as_ref() == page.data.first()) {
            break;
        }
        first = first.or_else(|| page.data.first().cloned());
        for value in page.data {
            let item = T::deserialize(value).map_err(|e| ProviderError::decode(e, &body))?;
            items.push((item, body.clone()));
        }
        let read = u64::try_from(items.len()).unwrap_or(u64::MAX);
        if page.total_count.is_some_and(|total| read >= total) {
            break;
        }
    }
    Ok(items)
}

/// The body of a create or a full update. Empty lists are sent as `null`: "no restriction".
fn draft_body(draft: &GuardrailDraft) -> Value {
    let list = |items: &[String]| {
        if items.is_empty() {
            Value::Null
        } else {
            json!(items)
        }
    };
    json!({
        "name": draft.name,
        "description": draft.description,
        "limit_usd": draft.budget.map_or(Value::Null, usd_number),
        "reset_interval": draft.budget_reset.map(LimitReset::as_str),
        "include_byok_in_budgets": draft.include_byok_in_budget,
        "allowed_models": list(&draft.allowed_models),
        "allowed_providers": list(&draft.allowed_providers),
        "enforce_zdr_anthropic": draft.zdr.anthropic,
        "enforce_zdr_openai": draft.zdr.openai,
        "enforce_zdr_google": draft.zdr.google,
        "enforce_zdr_other": draft.zdr.other,
    })
}

#[derive(Deserialize)]
struct WireGuardrail {
    id: String,
    name: Option<String>,
    description: Option<String>,
    limit_usd: Option<WireAmount>,
    reset_interval: Option<String>,
    include_byok_in_budgets: Option<bool>,
    allowed_models: Option<Vec<String>>,
    allowed_providers: Option<Vec<String>>,
    enforce_zdr: Option<bool>,
    enforce_zdr_anthropic: Option<bool>,
    enforce_zdr_openai: Option<bool>,
    enforce_zdr_google: Option<bool>,
    enforce_zdr_other: Option<bool>,
    created_at: Option<String>,
}

impl WireGuardrail {
    fn read(self, body: &str) -> Result<Guardrail, ProviderError> {
        let all = self.enforce_zdr.unwrap_or(false);
        let group = |flag: Option<bool>| flag.unwrap_or(all);
        Ok(Guardrail {
            budget: optional_amount("limit_usd", self.limit_usd.as_ref(), body)?,
            budget_reset: self.reset_interval.as_deref().and_then(LimitReset::parse),
            include_byok_in_budget: self.include_byok_in_budgets.unwrap_or(false),
            allowed_models: self.allowed_models.unwrap_or_default(),
            allowed_providers: self.allowed_providers.unwrap_or_default(),
            zdr: ZdrRule {
                anthropic: group(self.enforce_zdr_anthropic),
                openai: group(self.enforce_zdr_openai),
                google: group(self.enforce_zdr_google),
                other: group(self.enforce_zdr_other),
            },
            key_hashes: Vec::new(),
            member_user_ids: Vec::new(),
            name: self.name.unwrap_or_default(),
            description: self.description,
            created_at: self.created_at,
            id: self.id,
        })
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::Usd;

    use super::*;

    #[test]
    fn the_sdks_guardrail_reads_with_per_group_zdr() {
        let body = json!({"data": {"allowed_models": null,
            "allowed_providers": ["openai", "anthropic", "google"],
            "created_at": "2025-08-24T10:30:00Z", "description": "Guardrail for production",
            "enforce_zdr": null, "enforce_zdr_anthropic": true, "enforce_zdr_google": false,
            "enforce_zdr_openai": true, "enforce_zdr_other": false,
            "id": "550e8400-e29b-41d4-a716-446655440000", "limit_usd": 100,
            "name": "Production Guardrail", "reset_interval": "monthly",
            "workspace_id": "0df9e665-d932-5740-b2c7-b52af166bc11"}})
        .to_string();
        let g = decode::<WireGuardrail>(&body).unwrap().read(&body).unwrap();
        assert_eq!(g.budget, Some(Usd::parse("100").unwrap()));
        assert_eq!(g.budget_reset, Some(LimitReset::Monthly));
        assert!(g.allowed_models.is_empty(), "null allows every model");
        assert_eq!(g.allowed_providers, ["openai", "anthropic", "google"]);
        assert_eq!(
            g.zdr,
            ZdrRule {
                anthropic: true,
                openai: true,
                google: false,
                other: false
            }
        );
    }

    #[test]
    fn the_deprecated_zdr_flag_stands_for_every_group() {
        let body = json!({"data": {"id": "g1", "enforce_zdr": true}}).to_string();
        let g = decode::<WireGuardrail>(&body).unwrap().read(&body).unwrap();
        assert!(g.zdr.anthropic && g.zdr.openai && g.zdr.google && g.zdr.other);
    }

    #[test]
    fn a_draft_sends_every_setting_and_empty_lists_as_null() {
        let draft = GuardrailDraft {
            name: "Interns".into(),
            budget: Some(Usd::parse("5").unwrap()),
            budget_reset: Some(LimitReset::Daily),
            allowed_models: vec!["openai/gpt-4o-mini".into()],
            zdr: ZdrRule {
                anthropic: true,
                ..ZdrRule::default()
            },
            ..GuardrailDraft::default()
        };
        let body = draft_body(&draft);
        assert_eq!(body["limit_usd"], json!(5.0));
        assert_eq!(body["reset_interval"], "daily");
        assert_eq!(body["allowed_models"], json!(["openai/gpt-4o-mini"]));
        assert_eq!(body["allowed_providers"], Value::Null);
        assert_eq!(body["enforce_zdr_anthropic"], true);
        assert_eq!(body["enforce_zdr_other"], false);
    }
}
