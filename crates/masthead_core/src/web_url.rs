//! `WebUrl`: an absolute `http` or `https` address, the only kind a reader may be sent to
//! from a link we print (a story's source, an event's link).
//!
//! The text is parsed the way a browser would (WHATWG URL rules, via the `url` crate), so
//! leading spaces, control characters and tabs or newlines inside the scheme cannot turn
//! `java\tscript:` into something our check missed and the browser then runs.

use crate::InvalidInput;
use std::fmt;

/// The longest address accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// An absolute http(s) address with a host, normalised as a browser would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(url::Url);

impl WebUrl {
    /// Parses `text` (trimmed) as an absolute http or https address.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `field` when the text is too long, not an absolute address, uses
    /// another scheme (`javascript:`, `data:`, `ftp:`…) or has no host.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidInput> {
        let text = text.trim();
        let refuse = || {
            InvalidInput::new(
                field,
                "use a full web address starting with https:// (or http://)",
            )
        };
        if text.len() > MAX_URL_LEN {
            return Err(InvalidInput::new(
                field,
                format!("the address is too long ({MAX_URL_LEN} characters at most)"),
            ));
        }
        let url = url::Url::parse(text).map_err(|_| refuse())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(refuse());
        }
        Ok(Self(url))
    }

    /// Parses an optional address: empty text is `None`.
    ///
    /// # Errors
    ///
    /// As [`WebUrl::parse`].
    pub fn parse_optional(field: &'static str, text: &str) -> Result<Option<Self>, InvalidInput> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(field, text).map(Some)
        }
    }

    /// Whether `text` is an address a link may point to; for text stored before this rule.
    pub fn is_web_url(text: &str) -> bool {
        Self::parse("link", text).is_ok()
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed address.
    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_addresses_are_kept() {
        let u = WebUrl::parse("link", "  https://example.org/a?b=1#c ").unwrap();
        assert_eq!(u.as_str(), "https://example.org/a?b=1#c");
        assert!(WebUrl::is_web_url("http://example.org"));
    }

    #[test]
    fn script_and_other_schemes_are_refused_however_disguised() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "ftp://example.org/file",
            "file:///etc/passwd",
            "//example.org/no-scheme",
            "/relative/path",
            "https://",
            "",
        ] {
            assert!(WebUrl::parse("link", bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn over_long_addresses_are_refused_with_the_limit() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        let err = WebUrl::parse("link", &long).unwrap_err();
        assert!(err.message.contains("2048"), "{err}");
    }

    #[test]
    fn empty_optional_addresses_are_none() {
        assert_eq!(WebUrl::parse_optional("link", "  ").unwrap(), None);
        assert!(WebUrl::parse_optional("link", "mailto:a@b").is_err());
    }
}
