//! Text a decision hands out that is mostly the same from one request to the next: a rule's
//! name, a reason that depends only on the configuration, "chosen", "fallback 2". A decision
//! carries a line for every rule and every target, so these are shared rather than copied:
//! cloning one bumps a count instead of allocating (issue 17: a decision of 50 rules and 20
//! targets made about 190 allocations, most of them copies of the same words).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Shared, immutable text. Reads as a `&str` (it derefs to one, compares with one, prints as
/// one) and is a plain string on the wire.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl Text {
    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Text {
    /// The empty text, shared: even an empty `Arc<str>` allocates its counts.
    fn default() -> Self {
        static EMPTY: LazyLock<Text> = LazyLock::new(|| Text(Arc::from("")));
        EMPTY.clone()
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(Arc::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(Arc::from(s))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// It reads, compares, prints and travels as the string it holds.
    #[test]
    fn it_behaves_as_its_string() {
        let t = Text::from("fallback 2");
        assert_eq!(t, "fallback 2");
        assert_eq!("fallback 2", t);
        assert_eq!(t, "fallback 2".to_owned());
        assert_eq!(t.as_str(), "fallback 2");
        assert!(t.starts_with("fallback"));
        assert_eq!(format!("{t} {t:?}"), "fallback 2 \"fallback 2\"");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"fallback 2\"");
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), t);
        assert_eq!(String::from(t.clone()), "fallback 2");
        assert_eq!(Text::default(), "");
    }
}
