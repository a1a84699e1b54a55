//! OpenRouter's guardrails at the fake (management key only): `GET|POST /guardrails`,
//! `PATCH|DELETE /guardrails/{id}`, and the key and member assignments under
//! `/guardrails/{id}/assignments/{keys|members}[/remove]`. A key or member holds one guardrail
//! at most; assigning moves it. A key held to a guardrail with allowed models is refused other
//! models on `/chat/completions` with a 403 that names the guardrail.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::{Map, Value, json};

use super::account::iso8601;
use super::echo::unix_now;
use super::faults::error_body;
use super::management::{Team, management_only};
use super::routes::{json_response, record};
use super::{Api, Shared, lock};

/// One guardrail: its settings as sent, and who it is assigned to.
#[derive(Debug, Clone)]
pub(crate) struct GuardrailEntry {
    id: String,
    settings: Map<String, Value>,
    created_at: String,
    pub(crate) keys: Vec<String>,
    members: Vec<String>,
}

impl GuardrailEntry {
    fn json(&self) -> Value {
        let mut out = self.settings.clone();
        out.insert("id".into(), json!(self.id));
        out.insert("created_at".into(), json!(self.created_at));
        out.insert("updated_at".into(), Value::Null);
        Value::Object(out)
    }
}

/// Why a request with key `hash` for `model` is refused by its guardrail, if it is.
pub(crate) fn blocked_model(team: &Team, hash: &str, model: &str) -> Option<String> {
    let guardrail = team
        .guardrails
        .iter()
        .find(|g| g.keys.iter().any(|k| k == hash))?;
    let allowed = guardrail.settings.get("allowed_models")?.as_array()?;
    if allowed.is_empty() || allowed.iter().any(|m| m.as_str() == Some(model)) {
        return None;
    }
    let name = guardrail
        .settings
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("a guardrail");
    Some(format!(
        "Request blocked by guardrail \"{name}\": model {model} is not in its allowed models"
    ))
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/openrouter/api/v1/guardrails", get(list).post(create))
        .route(
            "/openrouter/api/v1/guardrails/{id}",
            patch(update).delete(delete),
        )
        .route(
            "/openrouter/api/v1/guardrails/{id}/assignments/{who}",
            get(assignments).post(assign),
        )
        .route(
            "/openrouter/api/v1/guardrails/{id}/assignments/{who}/remove",
            post(unassign),
        )
}

fn refused(status: u16, message: &str) -> Response {
    json_response(status, error_body(Api::OpenRouter, status, Some(message)))
}

/// `items[offset..offset+limit]` with the total, the way the guardrail lists page.
fn page(items: Vec<Value>, q: &HashMap<String, String>) -> Response {
    let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let limit: usize = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50)
        .min(100);
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    axum::Json(json!({ "data": data, "total_count": total })).into_response()
}

async fn list(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let items = lock(&s.team)
        .guardrails
        .iter()
        .map(GuardrailEntry::json)
        .collect();
    page(items, &q)
}

async fn create(
    State(s): State<Arc<Shared>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    record(&s, &m, &u, &h, &b);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let Ok(Value::Object(settings)) = serde_json::from_slice::<Value>(&b) else {
        return refused(400, "Invalid JSON body");
    };
    if settings
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return refused(400, "name is required");
    }
    let entry = GuardrailEntry {
        id: uuid::Uuid::new_v4().to_string(),
        settings,
        created_at: iso8601(unix_now()),
        keys: Vec::new(),
        members: Vec::new(),
    };
    let data = entry.json();
    lock(&s.team).guardrails.push(entry);
    (
        axum::http::StatusCode::CREATED,
        axum::Json(json!({ "data": data })),
    )
        .into_response()
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    record(&s, &m, &u, &h, &b);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let Ok(Value::Object(changes)) = serde_json::from_slice::<Value>(&b) else {
        return refused(400, "Invalid JSON body");
    };
    let mut team = lock(&s.team);
    let Some(entry) = team.guardrails.iter_mut().find(|g| g.id == id) else {
        return refused(404, "Guardrail not found");
    };
    entry.settings.extend(changes);
    axum::Json(json!({ "data": entry.json() })).into_response()
}

async fn delete(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let mut team = lock(&s.team);
    let before = team.guardrails.len();
    team.guardrails.retain(|g| g.id != id);
    if team.guardrails.len() == before {
        return refused(404, "Guardrail not found");
    }
    axum::Json(json!({ "deleted": true })).into_response()
}

async fn assignments(
    State(s): State<Arc<Shared>>,
    Path((id, who)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let team = lock(&s.team);
    let Some(entry) = team.guardrails.iter().find(|g| g.id == id) else {
        return refused(404, "Guardrail not found");
    };
    let items = match who.as_str() {
        "keys" => entry
            .keys
            .iter()
            .map(|hash| {
                let key = team.keys.iter().find(|k| k.hash == *hash);
                json!({"id": uuid::Uuid::new_v4().to_string(), "key_hash": hash,
                    "guardrail_id": id, "key_name": key.map(|_| "team key"),
                    "key_label": null, "assigned_by": super::OAUTH_USER_ID,
                    "created_at": entry.created_at})
            })
            .collect(),
        "members" => entry
            .members
            .iter()
            .map(|user| {
                json!({"id": uuid::Uuid::new_v4().to_string(), "user_id": user,
                    "organization_id": "org_fake", "guardrail_id": id,
                    "assigned_by": super::OAUTH_USER_ID, "created_at": entry.created_at})
            })
            .collect(),
        _ => return refused(404, "Not found"),
    };
    page(items, &q)
}

async fn assign(
    State(s): State<Arc<Shared>>,
    Path((id, who)): Path<(String, String)>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    change(s, id, who, m, u, h, b, false)
}

async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((id, who)): Path<(String, String)>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    change(s, id, who, m, u, h, b, true)
}

#[allow(
    clippy::too_many_arguments,
    reason = "the handler's extractors, passed on as they are"
)]
fn change(
    s: Arc<Shared>,
    id: String,
    who: String,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
    remove: bool,
) -> Response {
    record(&s, &m, &u, &h, &b);
    if let Some(no) = management_only(&s, &h) {
        return no;
    }
    let field = match who.as_str() {
        "keys" => "key_hashes",
        "members" => "member_user_ids",
        _ => return refused(404, "Not found"),
    };
    let Ok(body) = serde_json::from_slice::<Value>(&b) else {
        return refused(400, "Invalid JSON body");
    };
    let ids: Vec<String> = body
        .get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut team = lock(&s.team);
    if !team.guardrails.iter().any(|g| g.id == id) {
        return refused(404, "Guardrail not found");
    }
    let mut count = 0_u64;
    for guardrail in &mut team.guardrails {
        let list = if who == "keys" {
            &mut guardrail.keys
        } else {
            &mut guardrail.members
        };
        if guardrail.id == id && !remove {
            for item in &ids {
                if !list.contains(item) {
                    list.push(item.clone());
                    count += 1;
                }
            }
        } else if guardrail.id == id || !remove {
            // Removing from this one, or moving away from every other (one guardrail each).
            let before = list.len();
            list.retain(|item| !ids.contains(item));
            if guardrail.id == id {
                count += (before - list.len()) as u64;
            }
        }
    }
    let answer = if remove {
        json!({ "unassigned_count": count })
    } else {
        json!({ "assigned_count": count })
    };
    axum::Json(answer).into_response()
}
