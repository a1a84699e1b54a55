//! Removing a key from text a server sent back.
//!
//! Some servers repeat the key they were given in their error text ("bad key sk-…"). That text
//! becomes an error message, which is logged, stored (a disabled key's reason, an agent run's
//! report) and shown, so every error leaves this crate with the key, and any long enough piece
//! of it, replaced.

use switchboard_core::ProviderError;

/// What replaces a key, or a piece of one.
pub(crate) const REDACTED: &str = "[redacted]";

/// The shortest prefix or suffix of a key that is redacted on its own: long enough that it
/// cannot be a word of ordinary text, short enough to catch the "sk-or-v1-ab…" forms servers
/// print.
const MIN_PIECE: usize = 8;

/// `error` with [`redact`] applied to every text it carries; unchanged when there is no key.
pub(crate) fn redact_error(error: ProviderError, secret: Option<&str>) -> ProviderError {
    match secret {
        Some(secret) if !secret.is_empty() => error.map_text(|text| redact(text, secret)),
        _ => error,
    }
}

/// `text` with `secret`, and every piece of it of [`MIN_PIECE`] or more characters that starts
/// or ends it, replaced by [`REDACTED`].
///
/// Keys travel in HTTP headers, so they are visible ASCII; a key that is not is only redacted
/// whole (piece boundaries could otherwise fall inside a character).
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let whole = text.replace(secret, REDACTED);
    if !secret.is_ascii() || secret.len() < MIN_PIECE {
        return whole;
    }
    let prefixes = redact_prefixes(&whole, secret);
    redact_suffixes(&prefixes, secret)
}

/// Replaces each run of text that matches the start of `secret` for at least `MIN_PIECE`
/// bytes. Linear: every search starts past the previous match.
fn redact_prefixes(text: &str, secret: &str) -> String {
    let head = &secret[..MIN_PIECE];
    let secret = secret.as_bytes();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(head) {
        let start = from + found;
        let mut end = start + MIN_PIECE;
        while end < bytes.len() && end - start < secret.len() && bytes[end] == secret[end - start] {
            end += 1;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces each run of text that matches the end of `secret` for at least `MIN_PIECE` bytes.
fn redact_suffixes(text: &str, secret: &str) -> String {
    let tail = &secret[secret.len() - MIN_PIECE..];
    let secret = secret.as_bytes();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(tail) {
        let end = from + found + MIN_PIECE;
        let mut start = end - MIN_PIECE;
        // Extend backwards while the text goes on matching the secret, but never into text
        // already copied out (which a previous match ended).
        while start > copied
            && end - start < secret.len()
            && bytes[start - 1] == secret[secret.len() - 1 - (end - start)]
        {
            start -= 1;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-or-v1-0123456789abcdef";

    #[test]
    fn the_whole_key_and_long_pieces_of_it_are_removed() {
        for (text, expected) in [
            (format!("bad key {KEY}."), "bad key [redacted]."),
            (format!("{KEY}{KEY}"), "[redacted][redacted]"),
            (
                "key sk-or-v1-0123 is wrong".into(),
                "key [redacted] is wrong",
            ),
            ("ends in …89abcdef".into(), "ends in …[redacted]"),
            ("ends in 789abcdef!".into(), "ends in [redacted]!"),
            (
                "sk-or-v1-0 and cdef and sk-or-".into(),
                "[redacted] and cdef and sk-or-",
            ),
            ("nothing here".into(), "nothing here"),
        ] {
            assert_eq!(redact(&text, KEY), expected, "{text}");
        }
    }

    #[test]
    fn no_fragment_of_eight_or_more_survives() {
        let noisy = format!("a{KEY}b {} c {} d", &KEY[..13], &KEY[7..]);
        let out = redact(&noisy, KEY);
        for len in MIN_PIECE..=KEY.len() {
            for start in [0, KEY.len() - len] {
                assert!(
                    !out.contains(&KEY[start..start + len]),
                    "{out} has {}",
                    &KEY[start..start + len]
                );
            }
        }
    }

    #[test]
    fn short_and_non_ascii_keys_are_redacted_whole() {
        assert_eq!(
            redact("ollama said ollama", "ollama"),
            "[redacted] said [redacted]"
        );
        assert_eq!(
            redact("clé-très-secrète!", "clé-très-secrète"),
            "[redacted]!"
        );
        assert_eq!(redact("text", ""), "text");
    }
}
