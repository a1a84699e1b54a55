//! Text from users and upstreams (provider, route, budget and agent names, model ids, error
//! messages) made safe to print on a terminal. A name holding ESC could recolour, retitle or
//! clear the terminal, and bidirectional controls could make it show something other than
//! what is stored, so every printer of such text goes through [`shown`] or [`shown_lines`].
//! JSON output is left exact: JSON escapes control characters itself.

use std::borrow::Cow;

use switchboard_engine::router::is_unsafe_char;

/// `text` for one line of a table or a message: control characters (line breaks included)
/// and bidirectional controls are written as visible escapes (`\x1b`, `\u{202e}`).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` that may span lines (an error message): like [`shown`], but line breaks and tabs
/// are kept.
pub(crate) fn shown_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe_char(c) && !(keep_layout && matches!(c, '\n' | '\t'));
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !unsafe_here(c) {
            out.push(c);
        } else if u32::from(c) < 0x100 {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_controls_become_visible() {
        assert_eq!(
            shown("evil\u{1b}]0;pwned\u{7}\u{1b}[2J"),
            "evil\\x1b]0;pwned\\x07\\x1b[2J"
        );
        assert_eq!(shown("abc\u{202e}cba"), "abc\\u{202e}cba");
        assert_eq!(shown("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(shown("c1\u{9b}31m"), "c1\\x9b31m");
        assert_eq!(shown("nul\u{0}"), "nul\\x00");
        assert_eq!(shown("two\nlines\ttab"), "two\\x0alines\\x09tab");
        assert_eq!(shown_lines("two\nlines\ttab\u{1b}"), "two\nlines\ttab\\x1b");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let name = "anthropic/claude-sonnet-4 — 日本語";
        assert!(matches!(shown(name), Cow::Borrowed(s) if s == name));
        assert_eq!(
            format!("{:<8}|", shown("ab")),
            "ab      |",
            "padding still works"
        );
    }
}
