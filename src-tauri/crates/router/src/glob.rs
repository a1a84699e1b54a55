//! A rule's `*` pattern (a model id or a client key name), compiled once when the configuration
//! changes.
//!
//! `wildmatch` defines what a pattern means (`*` any run of characters, `?` any one). Nearly
//! every pattern people write is a literal or has one or two `*` at fixed places
//! (`anthropic/*`, `*-mini`, `*sonnet*`, `claude-*-4`); those are decided here with plain string
//! comparisons, which skip `wildmatch`'s character-by-character walk on each request. Every other
//! pattern goes to `wildmatch`, and so does case-insensitive matching of non-ASCII text, where
//! Unicode case folding applies (the Kelvin sign matches `k`). The property test below holds the
//! two to the same answers.

use wildmatch::WildMatch;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    shape: Shape,
    /// The pattern as `wildmatch` reads it: for [`Shape::General`], and for case-insensitive
    /// text that is not all ASCII.
    wild: WildMatch,
    /// Case is ignored (client key names).
    fold: bool,
}

/// What a pattern reduces to once runs of `*` are collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// No wildcard: the whole text.
    Exact(String),
    /// Only `*`: anything, even nothing.
    Any,
    /// `head*`.
    Prefix(String),
    /// `*tail`.
    Suffix(String),
    /// `*part*` (case-sensitive only).
    Contains(String),
    /// `head*tail`.
    Ends(String, String),
    /// Anything else: `wildmatch` decides.
    General,
}

impl Glob {
    /// A pattern that matches case exactly.
    pub(crate) fn new(pattern: &str) -> Self {
        Self {
            shape: Shape::of(pattern, false),
            wild: WildMatch::new(pattern),
            fold: false,
        }
    }

    /// A pattern that matches regardless of case.
    pub(crate) fn case_insensitive(pattern: &str) -> Self {
        Self {
            shape: Shape::of(pattern, true),
            wild: WildMatch::new_case_insensitive(pattern),
            fold: true,
        }
    }

    /// Whether `text` matches, exactly as `wildmatch` would say.
    pub(crate) fn matches(&self, text: &str) -> bool {
        if self.fold && !text.is_ascii() {
            return self.wild.matches(text);
        }
        let same = |a: &[u8], b: &[u8]| {
            if self.fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let t = text.as_bytes();
        let starts = |head: &str| t.len() >= head.len() && same(&t[..head.len()], head.as_bytes());
        let ends =
            |tail: &str| t.len() >= tail.len() && same(&t[t.len() - tail.len()..], tail.as_bytes());
        match &self.shape {
            Shape::Exact(whole) => same(t, whole.as_bytes()),
            Shape::Any => true,
            Shape::Prefix(head) => starts(head),
            Shape::Suffix(tail) => ends(tail),
            Shape::Contains(part) => text.contains(part.as_str()),
            Shape::Ends(head, tail) => {
                t.len() >= head.len() + tail.len() && starts(head) && ends(tail)
            }
            Shape::General => self.wild.matches(text),
        }
    }
}

impl Shape {
    fn of(pattern: &str, fold: bool) -> Self {
        // A case-insensitive pattern with non-ASCII letters needs Unicode case folding, and a
        // `?` needs a walk by characters: both are `wildmatch`'s.
        if pattern.contains('?') || (fold && !pattern.is_ascii()) {
            return Self::General;
        }
        let parts: Vec<&str> = pattern.split('*').filter(|p| !p.is_empty()).collect();
        let lead = pattern.starts_with('*');
        let trail = pattern.ends_with('*');
        match (parts.as_slice(), lead, trail) {
            ([], true, _) => Self::Any,
            ([], false, _) => Self::Exact(String::new()),
            ([whole], false, false) => Self::Exact((*whole).to_owned()),
            ([head], false, true) => Self::Prefix((*head).to_owned()),
            ([tail], true, false) => Self::Suffix((*tail).to_owned()),
            ([part], true, true) if !fold => Self::Contains((*part).to_owned()),
            ([head, tail], false, false) => Self::Ends((*head).to_owned(), (*tail).to_owned()),
            _ => Self::General,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn common_patterns_take_a_shortcut() {
        let shape = |p: &str| Shape::of(p, false);
        assert_eq!(shape("gpt-4o"), Shape::Exact("gpt-4o".into()));
        assert_eq!(shape(""), Shape::Exact(String::new()));
        assert_eq!(shape("**"), Shape::Any);
        assert_eq!(shape("anthropic/*"), Shape::Prefix("anthropic/".into()));
        assert_eq!(shape("anthropic/**"), Shape::Prefix("anthropic/".into()));
        assert_eq!(shape("*-mini"), Shape::Suffix("-mini".into()));
        assert_eq!(shape("*sonnet*"), Shape::Contains("sonnet".into()));
        assert_eq!(
            shape("claude-*-4"),
            Shape::Ends("claude-".into(), "-4".into())
        );
        assert_eq!(shape("a*b*c"), Shape::General);
        assert_eq!(shape("gpt-?o"), Shape::General);
        assert_eq!(Shape::of("*code*", true), Shape::General);
        assert_eq!(Shape::of("ćlaude-*", true), Shape::General);
        assert_eq!(Shape::of("claude-*", true), Shape::Prefix("claude-".into()));
    }

    #[test]
    fn case_folding_of_non_ascii_text_is_wildmatchs() {
        // The Kelvin sign folds to an ASCII `k`: a shortcut comparing bytes would miss it.
        assert!(Glob::case_insensitive("k*").matches("\u{212A}x"));
        assert!(!Glob::new("k*").matches("\u{212A}x"));
        assert!(Glob::case_insensitive("Claude-*").matches("claude-code"));
        assert!(Glob::case_insensitive("кот*").matches("КОТ-1"));
    }

    #[test]
    fn overlapping_ends_do_not_match() {
        let g = Glob::new("ab*ba");
        assert!(!g.matches("aba"), "head and tail may not share characters");
        assert!(g.matches("abba"));
        assert!(g.matches("ab-ba"));
    }

    /// Text and patterns over a small alphabet, so wildcards, repeats, case and multi-byte
    /// characters meet often.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                'a', 'b', 'A', 'B', '/', '-', 'é', 'É', '\u{212A}', 'k',
            ]),
            0..8,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn pattern() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec!['a', 'b', 'A', '/', 'é', 'k', 'K', '*', '*', '?']),
            0..7,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        #[test]
        fn matches_exactly_what_wildmatch_matches(p in pattern(), t in text()) {
            prop_assert_eq!(Glob::new(&p).matches(&t), WildMatch::new(&p).matches(&t));
            prop_assert_eq!(
                Glob::case_insensitive(&p).matches(&t),
                WildMatch::new_case_insensitive(&p).matches(&t)
            );
        }

        /// The shortcuts' own shapes, written out, so they are tested on texts built to match.
        #[test]
        fn shortcut_shapes_agree_on_texts_built_to_match(
            head in text(),
            tail in text(),
            middle in text(),
        ) {
            for p in [
                format!("{head}*"),
                format!("*{tail}"),
                format!("*{middle}*"),
                format!("{head}*{tail}"),
                head.clone(),
            ] {
                for t in [
                    format!("{head}{middle}{tail}"),
                    format!("{head}{tail}"),
                    middle.clone(),
                ] {
                    prop_assert_eq!(Glob::new(&p).matches(&t), WildMatch::new(&p).matches(&t));
                    prop_assert_eq!(
                        Glob::case_insensitive(&p).matches(&t),
                        WildMatch::new_case_insensitive(&p).matches(&t)
                    );
                }
            }
        }
    }
}
