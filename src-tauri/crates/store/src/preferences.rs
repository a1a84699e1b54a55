//! The `setting` table: small JSON documents keyed by name, starting with the preferences.

use rusqlite::OptionalExtension;
use switchboard_core::{ConversationId, Preferences};

use crate::{Store, StoreError, now_ms};

const PREFERENCES: &str = "preferences";
/// The conversation open in Chat, so the app reopens it after a restart.
const LAST_CONVERSATION: &str = "chat.last_conversation";

/// Preferences as loaded, with a note when the stored copy could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPreferences {
    /// What is in effect.
    pub preferences: Preferences,
    /// Set when the stored document was unreadable: it was kept under this setting key and
    /// defaults were used instead.
    pub quarantined_as: Option<String>,
}

impl Store {
    /// Loads the preferences, falling back to defaults when none were saved.
    ///
    /// A stored document that no longer parses (hand-edited, or written by a buggy build) is
    /// moved aside rather than overwritten, so the user's values can still be recovered.
    pub fn preferences(&self) -> Result<LoadedPreferences, StoreError> {
        let Some(raw) = self.setting(PREFERENCES)? else {
            return Ok(LoadedPreferences {
                preferences: Preferences::default(),
                quarantined_as: None,
            });
        };
        match parse_with_defaults(&raw) {
            Ok(preferences) => Ok(LoadedPreferences {
                preferences,
                quarantined_as: None,
            }),
            Err(err) => {
                let aside = self.quarantine_setting(PREFERENCES)?;
                tracing::warn!(%err, key = aside, "stored preferences unreadable; using defaults");
                Ok(LoadedPreferences {
                    preferences: Preferences::default(),
                    quarantined_as: Some(aside),
                })
            }
        }
    }

    /// Saves the preferences (already validated by the caller).
    pub fn save_preferences(&self, prefs: &Preferences) -> Result<(), StoreError> {
        let json = serde_json::to_string(prefs).map_err(|e| StoreError::Corrupt {
            detail: format!("preferences do not serialize: {e}"),
        })?;
        self.put_setting(PREFERENCES, &json)
    }
}

impl Store {
    /// The conversation that was open in Chat, if it still exists.
    pub fn last_conversation(&self) -> Result<Option<ConversationId>, StoreError> {
        let Some(raw) = self.setting(LAST_CONVERSATION)? else {
            return Ok(None);
        };
        // Stored as a JSON string like every setting; anything else is treated as unset,
        // which only costs the user the reopening.
        let Ok(id) = serde_json::from_str::<String>(&raw) else {
            return Ok(None);
        };
        let exists = self
            .conn()?
            .query_row(
                "SELECT 1 FROM conversation WHERE id = ?1",
                [&id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        Ok(exists.then(|| ConversationId::from(id)))
    }

    /// Remembers the conversation open in Chat (`None`: none is).
    pub fn set_last_conversation(&self, id: Option<&ConversationId>) -> Result<(), StoreError> {
        match id {
            Some(id) => {
                let json = serde_json::Value::String(id.to_string()).to_string();
                self.put_setting(LAST_CONVERSATION, &json)
            }
            None => {
                self.config_conn()?
                    .execute("DELETE FROM setting WHERE key = ?1", [LAST_CONVERSATION])?;
                Ok(())
            }
        }
    }
}

impl Store {
    /// A setting document by key (the router configuration lives under `router`).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()?
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Writes a setting document.
    pub fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.config_conn()?.execute(
            "INSERT INTO setting (key, value, updated_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
            rusqlite::params![key, value, now_ms()],
        )?;
        Ok(())
    }

    /// Moves an unreadable setting aside (never deleting what a person may want back) and
    /// returns the key it now has.
    pub fn quarantine_setting(&self, key: &str) -> Result<String, StoreError> {
        let aside = format!("{key}.unreadable.{}", now_ms());
        self.config_conn()?.execute(
            "UPDATE setting SET key = ?1 WHERE key = ?2",
            [aside.as_str(), key],
        )?;
        Ok(aside)
    }
}

/// Parses a stored document, taking any field it lacks (written by an older build, or a newer
/// field not yet saved) from the defaults. Unknown fields are ignored.
fn parse_with_defaults(raw: &str) -> Result<Preferences, serde_json::Error> {
    let stored: serde_json::Value = serde_json::from_str(raw)?;
    let mut merged = serde_json::to_value(Preferences::default())?;
    overlay(&mut merged, stored);
    serde_json::from_value(merged)
}

fn overlay(base: &mut serde_json::Value, top: serde_json::Value) {
    match (base, top) {
        (serde_json::Value::Object(base), serde_json::Value::Object(top)) => {
            for (key, value) in top {
                match base.get_mut(&key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::{Attribution, Theme};

    use super::*;

    #[test]
    fn partial_documents_fill_in_defaults() {
        let prefs =
            parse_with_defaults(r#"{"theme":"dark","attribution":{"title":"Mine"}}"#).unwrap();
        assert_eq!(prefs.theme, Theme::Dark);
        assert_eq!(prefs.attribution.title, "Mine");
        assert_eq!(prefs.attribution.referer, Attribution::default().referer);
        assert_eq!(prefs.base_urls, Default::default());
    }

    #[test]
    fn a_document_of_the_wrong_shape_is_an_error() {
        assert!(parse_with_defaults(r#"{"theme":"purple"}"#).is_err());
        assert!(parse_with_defaults("[1,2]").is_err());
    }
}
