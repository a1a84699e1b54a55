//! Typed ids for the records a conversation and an agent run are made of.
//!
//! Each is a string on the wire and in SQLite (so the UI can key maps by it and old rows read
//! unchanged), but a distinct type in Rust, so a turn id can never be passed where a
//! conversation id is expected. Unlike [`crate::ProviderId`] they are opaque: new ones are
//! UUIDv7 text (time-ordered, so rows insert in index order), while ids read back from the
//! store or imported from another app's export keep whatever text they had. Whether an id names
//! an existing record is the store's question, not the parser's.

use serde::{Deserialize, Serialize};

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// The id as text (for SQL parameters, logs and file names).
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as owned text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        /// Text read back from the store, the wire or an import is taken as it is (see the
        /// module header for why ids are opaque).
        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

record_id! {
    /// A conversation (a row of the sidebar).
    ConversationId
}

record_id! {
    /// One prompt in a conversation and the answers it got.
    TurnId
}

record_id! {
    /// One column's answer to one turn.
    AnswerId
}

record_id! {
    /// A column of a side-by-side conversation (one model with its settings).
    ColumnId
}

record_id! {
    /// One run of an agent.
    RunId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_strings_on_the_wire() {
        let id = ConversationId::from("c-1");
        assert_eq!(serde_json::to_value(&id).unwrap(), serde_json::json!("c-1"));
        let back: ConversationId = serde_json::from_str("\"c-1\"").unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn new_ids_are_distinct_and_time_ordered() {
        let a = TurnId::new();
        let b = TurnId::new();
        assert_ne!(a, b);
        assert!(a < b, "UUIDv7 text sorts by creation time: {a} then {b}");
    }
}
