//! Random bearer tokens (session ids, API tokens, password-reset and invitation links) and
//! the hash under which they are stored.
//!
//! A token is shown to its holder once and only its SHA-256 is kept, so a leaked database
//! or backup grants no access. A plain fast hash is right here, unlike for passwords: the
//! token carries 256 random bits, so there is nothing to guess. Looking a token up by its
//! hash also means the database comparison never touches the secret itself.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;

/// A new random token: `prefix` followed by 32 bytes from the thread-local CSPRNG in
/// base64url without padding (43 characters), e.g. `mh_q3V...`.
///
/// The prefix says what the token is for when it turns up in a log, a bug report or a
/// secret scanner; it adds no secrecy. Tokens are safe in URLs, headers and cookies.
pub fn new_token(prefix: &str) -> String {
    let bytes: [u8; TOKEN_BYTES] = rand::random();
    let mut token = String::with_capacity(prefix.len() + 43);
    token.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(bytes, &mut token);
    token
}

/// The SHA-256 of `token` (prefix included) in lower-case hex, 64 characters: what the
/// database stores and what a presented token is looked up by.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Compares two secrets in time that depends only on their lengths, not on where they
/// first differ, for when a secret must be compared directly (a CSRF token from a form
/// against the session's) rather than looked up by hash.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_prefixed_url_safe_and_distinct() {
        let tokens: HashSet<String> = (0..100).map(|_| new_token("mh_")).collect();
        assert_eq!(tokens.len(), 100);
        for t in &tokens {
            assert_eq!(t.len(), 3 + 43, "{t}");
            let body = t.strip_prefix("mh_").unwrap();
            assert!(
                body.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{t}"
            );
            let decoded = URL_SAFE_NO_PAD.decode(body).unwrap();
            assert_eq!(decoded.len(), TOKEN_BYTES);
        }
        assert_eq!(new_token("").len(), 43);
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        // FIPS 180-2 test vector.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = new_token("mh_");
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), token_hash(&new_token("mh_")));
        assert_eq!(token_hash(&t).len(), 64);
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"same token", b"same token"));
        assert!(!constant_time_eq(b"same token", b"same tokeN"));
        assert!(!constant_time_eq(b"same", b"same token"));
        assert!(constant_time_eq(b"", b""));
    }
}
