//! Client keys: the keys other tools on this machine (a coding agent, an editor, a script) send
//! to Switchboard's local API, one per tool, so that each tool's spend can be told apart, shown
//! and limited. Only a hash of each key is kept; what may be shown is its last four characters.

use serde::{Deserialize, Serialize};

/// How every client key starts, so people (and secret scanners) can tell one on sight.
pub const CLIENT_KEY_PREFIX: &str = "sb-";

/// A client key as it may be shown: never the key itself, which exists only once, when it is
/// created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClientKeyView {
    /// Its id (a UUID v7): what the ledger and budgets record.
    pub id: String,
    /// The tool's name, unique regardless of case (`claude-code`, `cursor`); what rules and
    /// spend reports show.
    pub name: String,
    /// `sb-…abcd`: the key's last four characters, to tell keys apart.
    pub masked: String,
    /// When it was created, Unix ms.
    pub created_ms: i64,
    /// When it was revoked, Unix ms; `None` while it is valid. A revoked key keeps its name,
    /// so spend made with it still reads as that tool.
    pub revoked_ms: Option<i64>,
    /// When a request last used it, Unix ms (to the minute); `None` if none has.
    pub last_used_ms: Option<i64>,
}

/// `sb-…abcd` for a key whose last four characters are `abcd`.
pub fn mask_client_key(last4: &str) -> String {
    format!("{CLIENT_KEY_PREFIX}…{last4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_key_shows_the_prefix_and_the_last_four_only() {
        assert_eq!(mask_client_key("a1B2"), "sb-…a1B2");
    }
}
