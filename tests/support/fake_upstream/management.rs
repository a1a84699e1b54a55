//! OpenRouter team mode at the fake: the key management API (`/keys`), activity
//! (`/activity`), and what happens when the team's keys are used for chat
//! (`docs/upstream-apis.md` §4, §6.4).
//!
//! A stateful key store: `POST /keys` mints `sk-or-v1-<64 hex>` with its SHA-256 as the 64-hex
//! `hash` and a `sk-or-v1-abc...wxyz` label, answers `{data: Key, key}` (the only time the key
//! is shown), and from then on the key is accepted on `/chat/completions`. Its usage grows with
//! what chat requests with it cost, plus what a test seeds ([`FakeUpstream::team_seed_usage`]),
//! and `GET /activity` reports it per UTC day and model for the 30 finished days before today.
//!
//! Only the management key may call these routes: none is 401 `No auth credentials found`,
//! an unknown key 401 `User not found.`, an inference key 403. On `/chat/completions`, the
//! management key is refused with 401, and a team key that is disabled, expired or over its
//! limit answers the way OpenRouter does (the limit with 402 as documented, or 403 as
//! observed). OpenRouter's page size for `/keys` is not documented; the fake's is small so
//! clients must follow `offset`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::account::iso8601;
use super::echo::unix_now;
use super::faults::error_body;
use super::routes::{bearer, is_management, json_response, key_ok, record};
use super::{Api, FakeUpstream, Generation, Shared, lock};

/// Keys per page of `GET /keys`.
const KEYS_PAGE: usize = 3;

/// How many finished UTC days `GET /activity` covers.
const ACTIVITY_DAYS: u64 = 30;

/// How a test makes a team key refuse chat requests, whatever its figures say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRefusal {
    /// Over its limit, answered with `status` (402 as documented, 403 as observed).
    OverLimit {
        /// The HTTP status.
        status: u16,
    },
    /// Disabled (also what `PATCH {disabled: true}` does).
    Disabled,
    /// Past its expiry.
    Expired,
}

/// Spend booked to a key: one chat request, or what a test seeded.
#[derive(Debug, Clone)]
struct Use {
    date: String,
    model: String,
    /// Billionths of a dollar, so sums are exact.
    nanos: i64,
    byok_nanos: i64,
    requests: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
}

/// One key in the store.
#[derive(Debug, Clone)]
pub(crate) struct TeamKeyEntry {
    pub(crate) secret: String,
    pub(crate) hash: String,
    label: String,
    name: String,
    disabled: bool,
    limit_nanos: Option<i64>,
    limit_reset: Option<String>,
    include_byok_in_limit: bool,
    expires_at: Option<String>,
    created_at: String,
    updated_at: Option<String>,
    forced: Option<TeamRefusal>,
    uses: Vec<Use>,
}

/// The team's keys and guardrails.
#[derive(Debug, Default)]
pub(crate) struct Team {
    pub(crate) keys: Vec<TeamKeyEntry>,
    pub(crate) guardrails: Vec<super::guardrails::GuardrailEntry>,
}

impl Team {
    fn find(&mut self, key: &str) -> Option<&mut TeamKeyEntry> {
        self.keys
            .iter_mut()
            .find(|k| k.secret == key || k.hash == key)
    }
}

/// `YYYY-MM-DD` of the UTC day `days_ago` days before today.
pub fn utc_day(days_ago: u64) -> String {
    iso8601(unix_now().saturating_sub(days_ago * 86_400))[..10].to_owned()
}

/// Billionths of a dollar in a decimal amount (`"0.000123"`); garbage is zero.
fn nanos(text: &str) -> i64 {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits: String = fraction
        .chars()
        .chain("000000000".chars())
        .take(9)
        .collect();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap_or(0);
    sign * (whole * 1_000_000_000 + digits.parse::<i64>().unwrap_or(0))
}

/// A JSON number for `nanos`: the division rounds correctly and prints its shortest form, so
/// the client reads the exact decimal.
fn money(nanos: i64) -> Value {
    json!(nanos as f64 / 1e9)
}

/// The decimal text of `nanos`, for tests comparing with exact amounts.
fn decimal(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let text = format!("{sign}{}.{:09}", n / 1_000_000_000, n % 1_000_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl FakeUpstream {
    /// Books `usd` (a decimal) of spend on `model` on UTC day `date` to the team key `key`
    /// (its secret or hash), as if made from another machine.
    ///
    /// # Panics
    /// If the fake made no such key: the test is wrong, and booking nothing would hide it.
    pub fn team_seed_usage(&self, key: &str, date: &str, model: &str, usd: &str, requests: u64) {
        let mut team = lock(&self.shared.team);
        let entry = team.find(key).expect("a team key the fake made");
        entry.uses.push(Use {
            date: date.to_owned(),
            model: model.to_owned(),
            nanos: nanos(usd),
            byok_nanos: 0,
            requests,
            prompt_tokens: 10 * requests,
            completion_tokens: 20 * requests,
        });
    }

    /// Makes the team key `key` refuse chat requests as `refusal` says (`None` lifts it).
    ///
    /// # Panics
    /// If the fake made no such key.
    pub fn team_refuse(&self, key: &str, refusal: Option<TeamRefusal>) {
        let mut team = lock(&self.shared.team);
        team.find(key).expect("a team key the fake made").forced = refusal;
    }

    /// What the fake booked to team key `key` from `since` to `until` (UTC days, included), as
    /// an exact decimal: the figure the client should report.
    ///
    /// # Panics
    /// If the fake made no such key.
    pub fn team_usage(&self, key: &str, since: &str, until: &str) -> String {
        let mut team = lock(&self.shared.team);
        let entry = team.find(key).expect("a team key the fake made");
        let sum = entry
            .uses
            .iter()
            .filter(|u| u.date.as_str() >= since && u.date.as_str() <= until)
            .map(|u| u.nanos)
            .sum();
        decimal(sum)
    }

    /// How many team keys the fake holds.
    pub fn team_key_count(&self) -> usize {
        lock(&self.shared.team).keys.len()
    }
}

/// The routes, merged into the fake's router.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/openrouter/api/v1/keys", get(list).post(create))
        .route(
            "/openrouter/api/v1/keys/{hash}",
            get(get_one).patch(update).delete(delete),
        )
        .route("/openrouter/api/v1/activity", get(activity))
        .merge(super::guardrails::routes())
}

/// Whether a request may use the management API; the refusal if not.
pub(crate) fn management_only(s: &Shared, headers: &HeaderMap) -> Option<Response> {
    let key = bearer(headers);
    if is_management(s, key) {
        return None;
    }
    let known = key_ok(s, key) || key.is_some_and(|k| lock(&s.team).find(k).is_some());
    let (status, message) = match key {
        None => (401, "No auth credentials found"),
        Some(_) if known => (403, "Only management keys can perform this operation"),
        Some(_) => (401, "User not found."),
    };
    Some(json_response(
        status,
        error_body(Api::OpenRouter, status, Some(message)),
    ))
}

/// Whether `key` is a key the fake minted (for chat auth).
pub(crate) fn is_team_key(s: &Shared, key: Option<&str>) -> bool {
    key.is_some_and(|k| lock(&s.team).find(k).is_some())
}

/// The refusal of a chat request with `key` for `model`, if any: the management key, or a
/// team key that is disabled, expired, over its limit or held to a guardrail's models.
pub(crate) fn refuse_chat(s: &Shared, key: Option<&str>, model: Option<&str>) -> Option<Response> {
    let key = key?;
    if is_management(s, Some(key)) {
        let message = "Management keys cannot be used for inference. Use a regular API key.";
        return Some(json_response(
            401,
            error_body(Api::OpenRouter, 401, Some(message)),
        ));
    }
    let mut team = lock(&s.team);
    let entry = team.find(key)?.clone();
    let now = iso8601(unix_now());
    let refusal = entry.forced.or_else(|| {
        if entry.disabled {
            Some(TeamRefusal::Disabled)
        } else if entry
            .expires_at
            .as_deref()
            .is_some_and(|at| at <= now.as_str())
        {
            Some(TeamRefusal::Expired)
        } else if remaining(&entry).is_some_and(|left| left <= 0) {
            Some(TeamRefusal::OverLimit { status: 402 })
        } else {
            None
        }
    });
    let refused = |status: u16, message: &str| {
        json_response(status, error_body(Api::OpenRouter, status, Some(message)))
    };
    match refusal {
        Some(TeamRefusal::Disabled) => return Some(refused(401, "This API key is disabled")),
        Some(TeamRefusal::Expired) => return Some(refused(401, "This API key has expired")),
        Some(TeamRefusal::OverLimit { status }) => {
            let period = entry.limit_reset.as_deref().unwrap_or("total");
            let message = format!(
                "Key limit exceeded ({period} limit). Manage it using https://openrouter.ai/settings/keys"
            );
            return Some(refused(status, &message));
        }
        None => {}
    }
    let blocked = super::guardrails::blocked_model(&team, &entry.hash, model?)?;
    Some(refused(403, &blocked))
}

/// Books a served generation's cost to the team key that asked for it.
pub(crate) fn charge(s: &Shared, key: Option<&str>, served: Option<&Generation>) {
    let (Some(key), Some(g)) = (key, served) else {
        return;
    };
    let mut team = lock(&s.team);
    let Some(entry) = team.find(key) else {
        return;
    };
    entry.uses.push(Use {
        date: utc_day(0),
        model: g.model.clone().unwrap_or_else(|| "openrouter/auto".into()),
        nanos: g.cost.map_or(0, |c| (c * 1e9).round() as i64),
        byok_nanos: 0,
        requests: 1,
        prompt_tokens: g.tokens_prompt.unwrap_or(0),
        completion_tokens: g.tokens_completion.unwrap_or(0),
    });
}

/// Spend in the period the key's limit counts (`None` reset: all time), in nanos.
fn period_usage(entry: &TeamKeyEntry, reset: Option<&str>) -> i64 {
    let today = utc_day(0);
    let from = match reset {
        Some("daily") => today,
        Some("weekly") => {
            let days = unix_now() / 86_400;
            utc_day((days + 3) % 7) // 1970-01-01 was a Thursday: Monday is 0
        }
        Some("monthly") => format!("{}-01", &today[..7]),
        _ => String::new(),
    };
    entry
        .uses
        .iter()
        .filter(|u| u.date >= from)
        .map(|u| {
            u.nanos
                + if entry.include_byok_in_limit {
                    u.byok_nanos
                } else {
                    0
                }
        })
        .sum()
}

fn remaining(entry: &TeamKeyEntry) -> Option<i64> {
    let limit = entry.limit_nanos?;
    Some(limit - period_usage(entry, entry.limit_reset.as_deref()))
}

/// `Key` in the management API's shape.
fn key_json(entry: &TeamKeyEntry) -> Value {
    let sum = |from: &str, byok: bool| -> i64 {
        entry
            .uses
            .iter()
            .filter(|u| u.date.as_str() >= from)
            .map(|u| if byok { u.byok_nanos } else { u.nanos })
            .sum()
    };
    let today = utc_day(0);
    let week = utc_day((unix_now() / 86_400 + 3) % 7);
    let month = format!("{}-01", &today[..7]);
    json!({
        "hash": entry.hash, "name": entry.name, "label": entry.label,
        "disabled": entry.disabled || entry.forced == Some(TeamRefusal::Disabled),
        "limit": entry.limit_nanos.map(money),
        "limit_remaining": remaining(entry).map(|r| money(r.max(0))),
        "limit_reset": entry.limit_reset, "include_byok_in_limit": entry.include_byok_in_limit,
        "usage": money(sum("", false)), "usage_daily": money(sum(&today, false)),
        "usage_weekly": money(sum(&week, false)), "usage_monthly": money(sum(&month, false)),
        "byok_usage": money(sum("", true)), "byok_usage_daily": money(sum(&today, true)),
        "byok_usage_weekly": money(sum(&week, true)),
        "byok_usage_monthly": money(sum(&month, true)),
        "created_at": entry.created_at, "updated_at": entry.updated_at,
        "expires_at": entry.expires_at, "creator_user_id": super::OAUTH_USER_ID,
        "workspace_id": null,
    })
}

fn not_found(what: &str) -> Response {
    let message = format!("{what} not found");
    json_response(404, error_body(Api::OpenRouter, 404, Some(&message)))
}

fn bad(message: &str) -> Response {
    json_response(400, error_body(Api::OpenRouter, 400, Some(message)))
}

async fn list(
    State(s): State<Arc<Shared>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let with_disabled = q.get("include_disabled").is_some_and(|v| v == "true");
    let team = lock(&s.team);
    let page: Vec<Value> = team
        .keys
        .iter()
        .filter(|k| with_disabled || !k.disabled)
        .skip(offset)
        .take(KEYS_PAGE)
        .map(key_json)
        .collect();
    axum::Json(json!({ "data": page })).into_response()
}

async fn get_one(
    State(s): State<Arc<Shared>>,
    Path(hash): Path<String>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let mut team = lock(&s.team);
    match team.keys.iter_mut().find(|k| k.hash == hash) {
        Some(entry) => axum::Json(json!({ "data": key_json(entry) })).into_response(),
        None => not_found("API key"),
    }
}

async fn create(
    State(s): State<Arc<Shared>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    record(&s, &m, &u, &h, &b);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&b) else {
        return bad("Invalid JSON body");
    };
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return bad("name is required");
    };
    let random = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let secret = format!("sk-or-v1-{random}");
    let hash: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let entry = TeamKeyEntry {
        label: format!(
            "sk-or-v1-{}...{}",
            &random[..3],
            &random[random.len() - 4..]
        ),
        secret: secret.clone(),
        hash,
        name: name.to_owned(),
        disabled: false,
        limit_nanos: body
            .get("limit")
            .and_then(Value::as_f64)
            .map(|l| (l * 1e9).round() as i64),
        limit_reset: body
            .get("limit_reset")
            .and_then(Value::as_str)
            .map(str::to_owned),
        include_byok_in_limit: body.get("include_byok_in_limit").and_then(Value::as_bool)
            == Some(true),
        expires_at: body
            .get("expires_at")
            .and_then(Value::as_str)
            .map(str::to_owned),
        created_at: iso8601(unix_now()),
        updated_at: None,
        forced: None,
        uses: Vec::new(),
    };
    let data = key_json(&entry);
    lock(&s.team).keys.push(entry);
    let status = axum::http::StatusCode::CREATED;
    (status, axum::Json(json!({ "data": data, "key": secret }))).into_response()
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(hash): Path<String>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    record(&s, &m, &u, &h, &b);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&b) else {
        return bad("Invalid JSON body");
    };
    let mut team = lock(&s.team);
    let Some(entry) = team.keys.iter_mut().find(|k| k.hash == hash) else {
        return not_found("API key");
    };
    for (field, value) in &body {
        match field.as_str() {
            "name" => entry.name = value.as_str().unwrap_or_default().to_owned(),
            "disabled" => {
                entry.disabled = value.as_bool() == Some(true);
                if !entry.disabled && entry.forced == Some(TeamRefusal::Disabled) {
                    entry.forced = None;
                }
            }
            "limit" => entry.limit_nanos = value.as_f64().map(|l| (l * 1e9).round() as i64),
            "limit_reset" => entry.limit_reset = value.as_str().map(str::to_owned),
            "include_byok_in_limit" => entry.include_byok_in_limit = value.as_bool() == Some(true),
            other => return bad(&format!("Unknown field: {other}")),
        }
    }
    entry.updated_at = Some(iso8601(unix_now()));
    axum::Json(json!({ "data": key_json(entry) })).into_response()
}

async fn delete(
    State(s): State<Arc<Shared>>,
    Path(hash): Path<String>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let mut team = lock(&s.team);
    let before = team.keys.len();
    team.keys.retain(|k| k.hash != hash);
    if team.keys.len() == before {
        return not_found("API key");
    }
    for guardrail in &mut team.guardrails {
        guardrail.keys.retain(|k| *k != hash);
    }
    axum::Json(json!({ "deleted": true })).into_response()
}

/// `GET /activity`: per day and model, finished days only, the last 30 of them.
async fn activity(
    State(s): State<Arc<Shared>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(refused) = management_only(&s, &h) {
        return refused;
    }
    let (today, first) = (utc_day(0), utc_day(ACTIVITY_DAYS));
    let team = lock(&s.team);
    let mut rows: std::collections::BTreeMap<(String, String), Use> = Default::default();
    let keys = team
        .keys
        .iter()
        .filter(|k| q.get("api_key_hash").is_none_or(|h| *h == k.hash));
    for use_ in keys.flat_map(|k| k.uses.iter()) {
        let day = use_.date.as_str();
        if day < first.as_str() || day >= today.as_str() || q.get("date").is_some_and(|d| d != day)
        {
            continue;
        }
        let row = rows
            .entry((use_.date.clone(), use_.model.clone()))
            .or_insert_with(|| Use {
                nanos: 0,
                byok_nanos: 0,
                requests: 0,
                prompt_tokens: 0,
                completion_tokens: 0,
                ..use_.clone()
            });
        row.nanos += use_.nanos;
        row.byok_nanos += use_.byok_nanos;
        row.requests += use_.requests;
        row.prompt_tokens += use_.prompt_tokens;
        row.completion_tokens += use_.completion_tokens;
    }
    let data: Vec<Value> = rows
        .into_values()
        .map(|r| {
            json!({"date": r.date, "model": r.model, "model_permaslug": r.model,
                "endpoint_id": "00000000-0000-4000-8000-00000000fa4e", "provider_name": "FakeUpstream",
                "usage": money(r.nanos), "byok_usage_inference": money(r.byok_nanos),
                "requests": r.requests, "prompt_tokens": r.prompt_tokens,
                "completion_tokens": r.completion_tokens, "reasoning_tokens": 0})
        })
        .collect();
    axum::Json(json!({ "data": data })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_billionths() {
        assert_eq!(nanos("0.000123"), 123_000);
        assert_eq!(nanos("2"), 2_000_000_000);
        assert_eq!(nanos("-0.5"), -500_000_000);
        assert_eq!(decimal(1_800_003_000), "1.800003");
        assert_eq!(decimal(0), "0");
        assert_eq!(money(123_000).to_string(), "0.000123");
    }
}
