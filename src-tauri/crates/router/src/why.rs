//! A candidate's reason, as the explain views read it: "chosen", "fallback 2", why it was
//! excluded, or for the smart strategy its place and the scores that put it there.
//!
//! The smart strategy's sentence ("quality ~0.78 (drawn 0.81; …) − 0.30 × cost …") is spelled
//! out only when someone reads it. Writing it for twenty targets on every decision was most of
//! what the smart strategy cost over the others (issue 17: p99 13 µs against a 10 µs goal),
//! and only the explain view and `switchboard route explain` ever read it; a request being
//! sent reads the decision's order and summary.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::smart::{Evidence, Scored};
use crate::text::Text;

/// Why a candidate was excluded or where it ranks. Prints, compares and travels as its
/// sentence: a plain string on the wire.
#[derive(Clone, Default)]
pub struct Why {
    /// The reason, or for the smart strategy the place it prefixes.
    head: Text,
    /// The smart strategy's scores, spelled out after the place on reading.
    smart: Option<SmartScore>,
}

/// What the smart strategy weighed for one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SmartScore {
    scored: Scored,
    evidence: Evidence,
    cost_weight: f64,
}

impl Why {
    /// A smart-strategy candidate at `place` ("chosen", "fallback 2"), scored as `scored`.
    pub(crate) fn smart(place: Text, scored: Scored, evidence: Evidence, cost_weight: f64) -> Self {
        Self {
            head: place,
            smart: Some(SmartScore {
                scored,
                evidence,
                cost_weight,
            }),
        }
    }

    /// The sentence.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write_into(&mut out);
        out
    }

    /// Whether the sentence contains `part`.
    pub fn contains(&self, part: &str) -> bool {
        match self.smart {
            None => self.head.contains(part),
            Some(_) => self.text().contains(part),
        }
    }

    fn write_into(&self, out: &mut String) {
        out.push_str(&self.head);
        if let Some(s) = &self.smart {
            out.push_str(": ");
            s.scored.explain_into(out, &s.evidence, s.cost_weight);
        }
    }
}

impl From<Text> for Why {
    fn from(head: Text) -> Self {
        Self { head, smart: None }
    }
}

impl From<&str> for Why {
    fn from(s: &str) -> Self {
        Text::from(s).into()
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.smart {
            None => f.write_str(&self.head),
            Some(_) => f.write_str(&self.text()),
        }
    }
}

impl fmt::Debug for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text(), f)
    }
}

/// Two reasons are equal when they read the same.
impl PartialEq for Why {
    fn eq(&self, other: &Self) -> bool {
        match (&self.smart, &other.smart) {
            (None, None) => self.head == other.head,
            _ => self.text() == other.text(),
        }
    }
}

impl PartialEq<str> for Why {
    fn eq(&self, other: &str) -> bool {
        match self.smart {
            None => self.head == *other,
            Some(_) => self.text() == other,
        }
    }
}

impl PartialEq<&str> for Why {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl Serialize for Why {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.smart {
            None => s.serialize_str(&self.head),
            Some(_) => s.serialize_str(&self.text()),
        }
    }
}

impl<'de> Deserialize<'de> for Why {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Text::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored() -> (Scored, Evidence) {
        let s = Scored {
            prior: 0.62,
            mean: 0.78,
            draw: 0.81,
            relative_cost: 0.15,
            score: 0.765,
        };
        (
            s,
            Evidence {
                good: 6.3,
                bad: 1.0,
            },
        )
    }

    /// A smart reason reads, compares and travels as the sentence the router used to write on
    /// every decision.
    #[test]
    fn a_smart_reason_is_its_sentence() {
        let (s, e) = scored();
        let why = Why::smart(Text::from("fallback 2"), s, e, 0.3);
        let sentence = format!("fallback 2: {}", s.explain(&e, 0.3));
        assert_eq!(why.text(), sentence);
        assert_eq!(why.to_string(), sentence);
        assert_eq!(why, sentence.as_str());
        assert!(why.contains("6.3 good, 1.0 bad seen"));
        assert_eq!(format!("{why:?}"), format!("{sentence:?}"));
        let json = serde_json::to_string(&why).unwrap();
        assert_eq!(json, serde_json::to_string(&sentence).unwrap());
        let back: Why = serde_json::from_str(&json).unwrap();
        assert_eq!(back, why);
    }

    #[test]
    fn a_plain_reason_is_its_text() {
        let why = Why::from("chosen");
        assert_eq!(why, "chosen");
        assert!(why.contains("hose"));
        assert_eq!(serde_json::to_string(&why).unwrap(), "\"chosen\"");
        assert_eq!(why.text(), "chosen");
    }
}
