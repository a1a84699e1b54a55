//! MCP servers as the engine keeps them: the config in SQLite without secrets, and each
//! environment value (a `GITHUB_TOKEN`, typically) in the OS keychain under the account
//! `mcp:<server>:<VAR>`. Listings carry masked values only; the values leave the keychain only
//! to start a server.
//!
//! Configs saved before this stored values in the JSON, as `["NAME", "value"]` pairs; the first
//! load moves them to the keychain and rewrites the config without them. When the keychain
//! does not answer, they stay where they are (and are used from there) rather than be lost.

use serde_json::{Value, json as json_value};
use switchboard_agents::{McpEnv, McpServer};
use switchboard_core::mask_key;

use super::{json, parse};
use crate::{Engine, EngineError, Inner};

/// The keychain account of one server's variable.
fn account(server: &str, var: &str) -> String {
    format!("mcp:{server}:{var}")
}

/// A stored server: its config with variable names only, and any values the stored JSON still
/// held because the keychain could not take them yet.
struct Stored {
    server: McpServer,
    plaintext: Vec<(String, String)>,
}

impl Stored {
    fn plaintext(&self, var: &str) -> Option<&str> {
        self.plaintext
            .iter()
            .find(|(name, _)| name == var)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `var`: from the stored JSON when it is still there, else the keychain.
    fn secret(&self, inner: &Inner, var: &str) -> Result<Option<String>, EngineError> {
        match self.plaintext(var) {
            Some(value) => Ok(Some(value.to_owned())),
            None => Ok(inner
                .keychain
                .get_secret(&account(&self.server.name, var))?),
        }
    }
}

/// Takes the values out of a stored config's `env`, leaving `{"name": …}` entries.
fn take_values(config: &mut Value) -> Vec<(String, String)> {
    let Some(env) = config.get_mut("env").and_then(Value::as_array_mut) else {
        return Vec::new();
    };
    let mut taken = Vec::new();
    for var in env.iter_mut() {
        let (name, value) = match var {
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(name), Value::String(value)] => (name.clone(), Some(value.clone())),
                _ => continue,
            },
            Value::Object(fields) => match fields.get("name").and_then(Value::as_str) {
                Some(name) => {
                    let value = fields.get("value").and_then(Value::as_str);
                    (name.to_owned(), value.map(str::to_owned))
                }
                None => continue,
            },
            _ => continue,
        };
        *var = json_value!({ "name": name });
        if let Some(value) = value {
            taken.push((name, value));
        }
    }
    taken
}

/// Reads one stored config, moving values still in it to the keychain.
fn load(inner: &Inner, name: &str, config: &str) -> Result<Stored, EngineError> {
    let mut value: Value = parse("MCP server", config)?;
    let plaintext = take_values(&mut value);
    let server: McpServer = serde_json::from_value(value).map_err(|e| EngineError::Internal {
        context: format!("a stored MCP server does not parse: {e}"),
    })?;
    if plaintext.is_empty() {
        return Ok(Stored { server, plaintext });
    }
    let moved = plaintext
        .iter()
        .try_for_each(|(var, secret)| inner.keychain.set_secret(&account(name, var), secret));
    match moved {
        Ok(()) => {
            inner
                .store
                .put_mcp_server(name, &json("the MCP server", &server)?)?;
            tracing::info!(server = %name, "moved MCP environment values to the keychain");
            Ok(Stored {
                server,
                plaintext: Vec::new(),
            })
        }
        Err(error) => {
            tracing::warn!(server = %name, %error,
                "MCP environment values stay in the database until the keychain answers");
            Ok(Stored { server, plaintext })
        }
    }
}

fn load_all(inner: &Inner) -> Result<Vec<Stored>, EngineError> {
    inner
        .store
        .mcp_servers()?
        .iter()
        .map(|(name, config)| load(inner, name, config))
        .collect()
}

/// A listing's view: each variable's value masked, never the value.
fn masked(inner: &Inner, stored: &Stored) -> McpServer {
    let mut server = stored.server.clone();
    for var in &mut server.env {
        var.value = None;
        var.masked = match stored.secret(inner, &var.name) {
            Ok(secret) => secret.as_deref().map(mask_key),
            // Stored, as far as anyone knows; the keychain just did not answer.
            Err(error) => {
                tracing::warn!(%error, "could not read an MCP variable to mask it");
                Some(mask_key(""))
            }
        };
    }
    server
}

/// Environment names: a letter or `_`, then letters, digits and `_` (what shells accept, and
/// what keeps `mcp:<server>:<VAR>` unambiguous).
fn check_env(env: &[McpEnv]) -> Result<(), EngineError> {
    for (i, var) in env.iter().enumerate() {
        let mut chars = var.name.chars();
        let well_formed = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return Err(EngineError::invalid(format!(
                "\"{}\" is not a variable name; use letters, digits and _ (not starting with a \
                 digit), such as GITHUB_TOKEN",
                var.name
            )));
        }
        if env[..i].iter().any(|other| other.name == var.name) {
            return Err(EngineError::invalid(format!(
                "the variable {} is given twice",
                var.name
            )));
        }
        if var.value.as_deref().is_some_and(|v| v.contains('\0')) {
            return Err(EngineError::invalid(format!(
                "the value of {} contains a NUL character, which no program can receive",
                var.name
            )));
        }
    }
    Ok(())
}

impl Engine {
    /// Every configured MCP server with names only, for checking grants against.
    pub(super) async fn mcp_server_configs(&self) -> Result<Vec<McpServer>, EngineError> {
        self.blocking(|inner| Ok(load_all(inner)?.into_iter().map(|s| s.server).collect()))
            .await
    }

    /// The servers named in `wanted`, with their values, to start them. A variable whose value
    /// is gone stays without one, and the start says which to enter again.
    pub(super) async fn mcp_servers_to_start(
        &self,
        wanted: Vec<String>,
    ) -> Result<Vec<McpServer>, EngineError> {
        self.blocking(move |inner| {
            let mut servers = Vec::new();
            for stored in load_all(inner)? {
                if !wanted.contains(&stored.server.name) {
                    continue;
                }
                let mut server = stored.server.clone();
                for var in &mut server.env {
                    var.value = stored.secret(inner, &var.name)?;
                }
                servers.push(server);
            }
            Ok(servers)
        })
        .await
    }
}

impl crate::Agents<'_> {
    /// Every configured MCP server, as Settings lists them: variable names with masked
    /// values, never the values themselves.
    pub async fn mcp_servers(&self) -> Result<Vec<McpServer>, EngineError> {
        self.blocking(|inner| {
            Ok(load_all(inner)?
                .iter()
                .map(|stored| masked(inner, stored))
                .collect())
        })
        .await
    }

    /// Adds or replaces an MCP server. A variable with a value stores it in the keychain; one
    /// without keeps the value already stored; variables no longer listed are forgotten.
    pub async fn save_mcp_server(&self, server: McpServer) -> Result<(), EngineError> {
        let name = server.name.trim().to_owned();
        if name.is_empty() || name != server.name || server.command.trim().is_empty() {
            return Err(EngineError::invalid(
                "an MCP server needs a name (without spaces at either end) and a command",
            ));
        }
        if let Some(secs) = server.call_timeout_secs
            && !(1..=McpServer::MAX_CALL_TIMEOUT_SECS).contains(&secs)
        {
            return Err(EngineError::invalid(format!(
                "an MCP server's call timeout is 1 to {} seconds, not {secs}",
                McpServer::MAX_CALL_TIMEOUT_SECS
            )));
        }
        check_env(&server.env)?;
        self.blocking(move |inner| {
            let previous = inner
                .store
                .mcp_servers()?
                .iter()
                .find(|(stored, _)| *stored == name)
                .map(|(_, config)| load(inner, &name, config))
                .transpose()?;
            for var in &server.env {
                let kept = previous
                    .as_ref()
                    .and_then(|p| p.server.env.iter().any(|v| v.name == var.name).then_some(p));
                let value = match (&var.value, kept) {
                    (Some(value), _) => value.as_str(),
                    (None, Some(previous)) => match previous.plaintext(&var.name) {
                        // Still in the database: now is the time to move it.
                        Some(value) => value,
                        None => continue,
                    },
                    (None, None) => {
                        return Err(EngineError::invalid(format!(
                            "give {} a value: it is new to this server",
                            var.name
                        )));
                    }
                };
                inner
                    .keychain
                    .set_secret(&account(&name, &var.name), value)?;
            }
            if let Some(previous) = &previous {
                for old in &previous.server.env {
                    if !server.env.iter().any(|v| v.name == old.name) {
                        inner.keychain.delete_account(&account(&name, &old.name))?;
                    }
                }
            }
            let mut stored = server;
            for var in &mut stored.env {
                var.value = None;
                var.masked = None;
            }
            inner
                .store
                .put_mcp_server(&name, &json("the MCP server", &stored)?)?;
            Ok(())
        })
        .await
    }

    /// Forgets an MCP server and its stored values; agents that use it are refused until it
    /// is back or removed.
    pub async fn delete_mcp_server(&self, name: String) -> Result<(), EngineError> {
        self.blocking(move |inner| {
            let stored = inner.store.mcp_servers()?;
            if let Some((_, config)) = stored.iter().find(|(n, _)| *n == name) {
                let mut value: Value = parse("MCP server", config)?;
                take_values(&mut value);
                let names = value
                    .get("env")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.get("name").and_then(Value::as_str));
                for var in names {
                    inner.keychain.delete_account(&account(&name, var))?;
                }
            }
            Ok(inner.store.delete_mcp_server(&name)?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_are_taken_out_of_old_and_new_configs() {
        let mut old = json_value!({
            "name": "gh", "command": "npx",
            "env": [["GITHUB_TOKEN", "ghp_secret"], ["MODE", "fast"]]
        });
        assert_eq!(
            take_values(&mut old),
            [
                ("GITHUB_TOKEN".to_owned(), "ghp_secret".to_owned()),
                ("MODE".to_owned(), "fast".to_owned())
            ]
        );
        assert_eq!(
            old["env"],
            json_value!([{ "name": "GITHUB_TOKEN" }, { "name": "MODE" }])
        );
        assert!(!old.to_string().contains("ghp_secret"));
        let server: McpServer = serde_json::from_value(old).unwrap();
        assert_eq!(server.env[0].name, "GITHUB_TOKEN");
        assert_eq!(server.env[0].value, None);

        let mut new = json_value!({ "env": [{ "name": "A", "masked": "••••" }] });
        assert!(take_values(&mut new).is_empty());
        assert_eq!(new["env"], json_value!([{ "name": "A" }]));
    }

    #[test]
    fn variable_names_must_be_usable() {
        let var = |name: &str| McpEnv::new(name, "v");
        assert!(check_env(&[var("GITHUB_TOKEN"), var("_x1")]).is_ok());
        for bad in ["", "1ABC", "A-B", "A=B", "mcp:x"] {
            assert!(check_env(&[var(bad)]).is_err(), "{bad:?}");
        }
        assert!(check_env(&[var("A"), var("A")]).is_err());
        assert!(check_env(&[McpEnv::new("A", "a\0b")]).is_err());
    }
}
