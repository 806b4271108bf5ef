//! `EmailAddress`: a staff member's login address, one rule for the CLI, the desk and the
//! store.
//!
//! The check is deliberately modest (one `@`, something before it, a dotted domain after
//! it, no spaces or control characters, at most 254 bytes): whether mail reaches it is up to
//! whoever types it. Addresses are compared trimmed and lowercased, so `Jane@Example.org `
//! and `jane@example.org` are one account.

use crate::InvalidInput;
use std::fmt;

/// The longest address accepted, in bytes (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// A normalised (trimmed, lowercased) email address that looks like one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks and normalises `text`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for "Email", saying what an address looks like.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let email = Self::normalize(text);
        let refuse = || {
            InvalidInput::new(
                "Email",
                format!("{email:?} is not an email address like jane@example.org"),
            )
        };
        if email.len() > MAX_EMAIL_LEN {
            return Err(InvalidInput::new(
                "Email",
                format!("the address is too long ({MAX_EMAIL_LEN} characters at most)"),
            ));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(refuse());
        };
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty()
            || !domain_ok
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refuse());
        }
        Ok(Self(email))
    }

    /// The form addresses are stored and compared in: trimmed and lowercased. For looking
    /// up what someone typed at login, where a malformed address simply matches nobody.
    pub fn normalize(text: &str) -> String {
        text.trim().to_lowercase()
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        assert_eq!(
            EmailAddress::parse("  Jane.Doe@Example.ORG ")
                .unwrap()
                .as_str(),
            "jane.doe@example.org"
        );
    }

    #[test]
    fn things_that_are_not_addresses_are_refused_with_an_example() {
        for bad in [
            "",
            "jane",
            "@example.org",
            "jane@",
            "jane@localhost",
            "jane@example..org",
            "jane@@example.org",
            "ja ne@example.org",
            "jane@exa\tmple.org",
            "jane@example.org\u{0}",
        ] {
            let err = EmailAddress::parse(bad).unwrap_err();
            assert!(err.message.contains("jane@example.org"), "{bad:?}: {err}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(
            EmailAddress::parse(&long)
                .unwrap_err()
                .message
                .contains("254")
        );
    }
}
