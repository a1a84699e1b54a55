//! Which links from model output the app will hand to the user's browser.
//!
//! Answers are untrusted text, and a link in one leaves the app's sandbox: whatever the OS
//! launcher is given, it opens with the user's full rights (a `file:` URL runs a local file's
//! handler, a custom scheme starts whatever app claims it). So only web and email links pass,
//! checked here, away from Tauri, where it can be unit-tested; the desktop shell only opens
//! what this lets through, and it opens the normalized form, not the text it was given.

use crate::{ErrorCode, ErrorInfo};

/// Longer links are not something a person reads before confirming, and a launcher's
/// argument has limits of its own (128 KiB on Linux).
const MAX_LEN: usize = 32 * 1024;

/// `mailto:` fields a mail client only uses to prefill a draft. Others are refused: some
/// clients honour `attach=` (or similar) and would attach a local file to the draft.
const MAILTO_FIELDS: &[&str] = &["to", "cc", "bcc", "subject", "body"];

/// An absolute `http`/`https` or `mailto` URL, safe to give to the OS launcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink(String);

/// Why a link was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidLink {
    /// Control or invisible direction-changing characters: they can make the link read as
    /// something other than what it opens.
    #[error("it contains control or invisible characters")]
    HiddenCharacters,
    /// Longer than [`MAX_LEN`] bytes.
    #[error("it is too long")]
    TooLong,
    /// Not an absolute URL (a relative path, or no URL at all).
    #[error("it is not a complete web address")]
    NotAbsolute,
    /// Anything but `http`, `https` or `mailto`: `javascript:`, `data:`, `file:`, app schemes.
    #[error("only web (http, https) and email (mailto) links can be opened")]
    Scheme,
    /// An `http(s)` URL without a host.
    #[error("it names no website")]
    NoHost,
    /// `user:password@` before the host: a classic way to make a link read as another site.
    #[error("it carries a user name or password")]
    Credentials,
    /// A `mailto:` that is not a plain address with draft fields.
    #[error("it is not a plain email link")]
    Mailto,
}

impl ExternalLink {
    /// Checks `input` and normalizes it (WHATWG serialization: lower-case scheme and host,
    /// punycode for international hosts, percent-encoding) to what will actually be opened.
    pub fn parse(input: &str) -> Result<Self, InvalidLink> {
        if input.chars().any(hidden) {
            return Err(InvalidLink::HiddenCharacters);
        }
        let trimmed = input.trim();
        if trimmed.len() > MAX_LEN {
            return Err(InvalidLink::TooLong);
        }
        let parsed = url::Url::parse(trimmed).map_err(|_| InvalidLink::NotAbsolute)?;
        match parsed.scheme() {
            "http" | "https" => {
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(InvalidLink::NoHost);
                }
                if !parsed.username().is_empty() || parsed.password().is_some() {
                    return Err(InvalidLink::Credentials);
                }
            }
            "mailto" => {
                // `mailto://user@host` parses as a URL with credentials and a host; an email
                // link is an opaque address list.
                if !parsed.cannot_be_a_base() || parsed.path().is_empty() {
                    return Err(InvalidLink::Mailto);
                }
                let unknown = parsed.query_pairs().any(|(field, _)| {
                    !MAILTO_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(&field))
                });
                if unknown {
                    return Err(InvalidLink::Mailto);
                }
            }
            _ => return Err(InvalidLink::Scheme),
        }
        Ok(Self(parsed.into()))
    }

    /// The normalized URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// C0/C1 controls, and the zero-width and bidirectional formatting characters that reorder or
/// hide parts of what is shown.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl TryFrom<String> for ExternalLink {
    type Error = InvalidLink;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ExternalLink> for String {
    fn from(link: ExternalLink) -> Self {
        link.0
    }
}

impl std::fmt::Display for ExternalLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<InvalidLink> for ErrorInfo {
    /// The URL itself stays out of the message: it may carry tokens, and the UI still has it.
    fn from(err: InvalidLink) -> Self {
        ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!("This link cannot be opened: {err}."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(input: &str) -> InvalidLink {
        ExternalLink::parse(input).expect_err(input)
    }

    #[test]
    fn web_and_email_links_pass_normalized() {
        for (input, opened) in [
            ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
            ("http://Example.COM", "http://example.com/"),
            ("  https://example.com/x  ", "https://example.com/x"),
            ("HTTPS://example.com/a b", "https://example.com/a%20b"),
            ("https://bücher.example/", "https://xn--bcher-kva.example/"),
            ("http://localhost:3000/", "http://localhost:3000/"),
            (
                "mailto:someone@example.com?subject=Hi&body=Hello",
                "mailto:someone@example.com?subject=Hi&body=Hello",
            ),
        ] {
            assert_eq!(
                ExternalLink::parse(input).map(String::from),
                Ok(opened.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        for input in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "ftp://example.com/",
            "ssh://example.com",
            "tauri://localhost/",
            "steam://run/1",
            "ms-settings:",
            "tel:+15551234567",
        ] {
            assert_eq!(rejected(input), InvalidLink::Scheme, "{input}");
        }
    }

    #[test]
    fn relative_and_empty_links_are_refused() {
        for input in [
            "",
            "   ",
            "/settings",
            "#top",
            "example.com",
            "//example.com/x",
        ] {
            assert_eq!(rejected(input), InvalidLink::NotAbsolute, "{input:?}");
        }
        assert_eq!(rejected("https://"), InvalidLink::NotAbsolute);
    }

    #[test]
    fn credentials_in_the_url_are_refused() {
        // Reads as "google.com" to a hurried eye; opens evil.example.
        assert_eq!(
            rejected("https://google.com@evil.example/"),
            InvalidLink::Credentials
        );
        assert_eq!(
            rejected("https://user:pass@example.com/"),
            InvalidLink::Credentials
        );
        assert_eq!(
            rejected("https://:pass@example.com/"),
            InvalidLink::Credentials
        );
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        // The URL parser would silently drop tabs and newlines; we refuse them instead.
        for input in [
            "java\tscript:alert(1)",
            "https://example.com/\n",
            "\u{0}https://example.com",
            "https://example.com/\u{7f}",
            "https://example.com/\u{85}",
            "https://exa\u{200B}mple.com/",
            "https://example.com/\u{202E}fdp.exe",
            "https://example.com/\u{2066}x",
            "\u{FEFF}https://example.com/",
        ] {
            assert_eq!(
                rejected(input),
                InvalidLink::HiddenCharacters,
                "{:?}",
                input
            );
        }
    }

    #[test]
    fn mailto_only_prefills_a_draft() {
        for input in [
            "mailto:a@example.com?attach=/home/me/.ssh/id_ed25519",
            "mailto:a@example.com?Attachment=x",
            "mailto://a@example.com",
            "mailto:",
        ] {
            assert_eq!(rejected(input), InvalidLink::Mailto, "{input}");
        }
        assert!(
            ExternalLink::parse("mailto:a@example.com?CC=b@example.com").is_ok(),
            "draft fields are case-insensitive"
        );
    }

    #[test]
    fn overlong_links_are_refused() {
        let long = format!("https://example.com/{}", "a".repeat(MAX_LEN));
        assert_eq!(rejected(&long), InvalidLink::TooLong);
    }

    #[test]
    fn a_refusal_crosses_ipc_as_invalid_input_without_the_url() {
        let info = ErrorInfo::from(rejected("javascript:secret-token"));
        assert_eq!(info.code, ErrorCode::InvalidInput);
        assert!(!info.retryable, "the same link is refused again");
        assert!(
            !info.message.contains("secret-token"),
            "the URL stays out of the message: {}",
            info.message
        );
    }
}
