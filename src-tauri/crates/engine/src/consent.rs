//! Changes the user must confirm outside the page.
//!
//! Every IPC command can be called by script in the webview, so the Markdown sanitizer and
//! the CSP are all that stands between model output and the commands. For the few changes an
//! attacker would want most, a second barrier: the engine says what the change would do, and
//! the desktop shell asks the user in a native dialog the page cannot see or answer. Those
//! changes are starting a program (an MCP server, or letting its tools run unasked) and
//! sending a stored key somewhere new (re-pointing a provider's base URL).

use switchboard_agents::McpServer;
use switchboard_core::{BaseUrl, BuiltinProvider, KeySource, Preferences, ProviderId};

use crate::EngineError;
use crate::providers::{effective_key, find_custom};

/// What a change would do, for a person to allow or refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The dialog's title.
    pub title: String,
    /// What will happen, in full (the command line, the new address).
    pub message: String,
}

impl crate::Settings<'_> {
    /// What saving `next` would do that needs the user's consent: a built-in provider that
    /// holds a key pointed at a new base URL (the key and every prompt would go there).
    pub async fn consent_for_preferences(
        &self,
        next: &Preferences,
    ) -> Result<Option<Consent>, EngineError> {
        let next = next.base_urls.clone();
        self.blocking(move |inner| {
            let now = inner.store.preferences()?.preferences.base_urls;
            let mut moved = Vec::new();
            for b in BuiltinProvider::ALL {
                let (before, after) = (now.get(b), next.get(b));
                let Some(after) = after else { continue };
                if before == Some(after) || !has_key(inner, &b.id())? {
                    continue;
                }
                moved.push(format!("{}: {}", b.display_name(), after.as_str()));
            }
            Ok((!moved.is_empty()).then(|| Consent {
                title: "Send your API key to a new address?".to_owned(),
                message: format!(
                    "Switchboard will send your key and every prompt for these providers to \
                     the address given:\n\n{}\n\nAllow only if you changed this yourself.",
                    moved.join("\n")
                ),
            }))
        })
        .await
    }
}

impl crate::Keys<'_> {
    /// What re-pointing custom provider `id` at `base_url` would do that needs consent: its
    /// stored key going to a new address.
    pub async fn consent_for_custom_url(
        &self,
        id: ProviderId,
        base_url: String,
    ) -> Result<Option<Consent>, EngineError> {
        self.blocking(move |inner| {
            let Some(custom) = find_custom(inner, &id)? else {
                return Ok(None);
            };
            let Ok(next) = BaseUrl::parse(&base_url) else {
                return Ok(None); // the update itself refuses it
            };
            if next == custom.base_url || !has_key(inner, &id)? {
                return Ok(None);
            }
            Ok(Some(Consent {
                title: "Send your API key to a new address?".to_owned(),
                message: format!(
                    "Switchboard will send the key of \"{}\" and every prompt to it to\n\n{}\n\n\
                     instead of {}. Allow only if you changed this yourself.",
                    custom.name,
                    next.as_str(),
                    custom.base_url.as_str()
                ),
            }))
        })
        .await
    }
}

impl crate::Agents<'_> {
    /// What saving `server` would do that needs consent: a new program to start (a new
    /// server, or a changed command line), or tools newly allowed to run without asking.
    pub async fn consent_for_mcp_server(
        &self,
        server: &McpServer,
    ) -> Result<Option<Consent>, EngineError> {
        let known = self.mcp_servers().await?;
        let before = known.iter().find(|s| s.name == server.name);
        let mut parts = Vec::new();
        let launch = |s: &McpServer| (s.command.clone(), s.args.clone());
        if before.is_none_or(|b| launch(b) != launch(server)) {
            let line = std::iter::once(server.command.as_str())
                .chain(server.args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            parts.push(format!(
                "start this program with your user's rights whenever an agent uses it:\n\n{line}"
            ));
        }
        let newly_trusted: Vec<&str> = server
            .trusted_tools
            .iter()
            .filter(|t| before.is_none_or(|b| !b.trusted_tools.contains(t)))
            .map(String::as_str)
            .collect();
        if !newly_trusted.is_empty() {
            parts.push(format!(
                "let these tools run without asking: {}",
                newly_trusted.join(", ")
            ));
        }
        Ok((!parts.is_empty()).then(|| Consent {
            title: format!("Allow the MCP server \"{}\"?", server.name),
            message: format!(
                "Switchboard will {}.\n\nAllow only if you set this up yourself.",
                parts.join("; and ")
            ),
        }))
    }
}

fn has_key(inner: &crate::Inner, id: &ProviderId) -> Result<bool, EngineError> {
    let keychain_up = inner.keychain.status().available;
    Ok(effective_key(inner, id, keychain_up)?.status.source != KeySource::None)
}
