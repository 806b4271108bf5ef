//! Signed fill-time tokens for the public forms (event submissions, comments): a token says
//! when the form was served and carries a random nonce, under an HMAC-SHA-256 of the site's
//! form key and the form's scope (which form it is, e.g. the story a comment is for), so a
//! token served for one form is refused by every other.
//! A form sent back sooner than [`MIN_FILL`] after it was served is a robot; one older than
//! [`MAX_AGE`] is refused so the nonces to remember stay few; the nonce is remembered by the
//! store once used, so a replayed form is refused. The key lives in the database, so every
//! app server checks every other's tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The least time a person takes to fill in a form.
pub const MIN_FILL: Duration = Duration::seconds(3);
/// How long a served form stays good.
pub const MAX_AGE: Duration = Duration::hours(3);

const NONCE: usize = 16;
pub(crate) const TAG: usize = 16;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Missing, altered or not ours.
    Invalid,
    /// Sent back faster than a person could.
    TooQuick,
    /// Served too long ago.
    Expired,
}

/// A checked token: its nonce (to be remembered as used) and when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The nonce, base64url.
    pub nonce: String,
    /// When the form was served.
    pub issued_at: DateTime<Utc>,
}

/// The first [`TAG`] bytes of HMAC-SHA-256 over the scope's length, the scope and `message`
/// under `key` (also the tag of [`crate::link_token`]).
pub(crate) fn tag(key: &[u8], scope: &str, message: &[u8]) -> Option<[u8; TAG]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    // The scope's length first, so no scope and message pair reads as another.
    mac.update(&(scope.len() as u64).to_be_bytes());
    mac.update(scope.as_bytes());
    mac.update(message);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG];
    out.copy_from_slice(full.get(..TAG)?);
    Some(out)
}

/// A new token for the form `scope`, served at `now`.
pub fn issue(key: &[u8], scope: &str, now: DateTime<Utc>) -> String {
    let mut message = Vec::with_capacity(8 + NONCE + TAG);
    message.extend_from_slice(&now.timestamp_micros().to_be_bytes());
    message.extend_from_slice(&rand::random::<[u8; NONCE]>());
    let t = tag(key, scope, &message).unwrap_or([0; TAG]);
    message.extend_from_slice(&t);
    URL_SAFE_NO_PAD.encode(message)
}

/// Checks a token sent back with the form `scope` at `now`.
///
/// # Errors
///
/// What is wrong with it: not ours or for another form, too quick, or too old.
pub fn check(
    key: &[u8],
    scope: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Checked, TokenProblem> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| TokenProblem::Invalid)?;
    if bytes.len() != 8 + NONCE + TAG {
        return Err(TokenProblem::Invalid);
    }
    let (message, given) = bytes.split_at(8 + NONCE);
    let expected = tag(key, scope, message).ok_or(TokenProblem::Invalid)?;
    if !crate::secret::constant_time_eq(&expected, given) {
        return Err(TokenProblem::Invalid);
    }
    let mut micros = [0u8; 8];
    micros.copy_from_slice(&message[..8]);
    let issued_at =
        DateTime::from_timestamp_micros(i64::from_be_bytes(micros)).ok_or(TokenProblem::Invalid)?;
    if now < issued_at + MIN_FILL {
        return Err(TokenProblem::TooQuick);
    }
    if now > issued_at + MAX_AGE {
        return Err(TokenProblem::Expired);
    }
    Ok(Checked {
        nonce: URL_SAFE_NO_PAD.encode(&message[8..]),
        issued_at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tokens_check_their_age_and_signature() {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let key = b"0123456789abcdef0123456789abcdef";
        let token = issue(key, "event", t0);
        assert_eq!(check(key, "event", &token, t0), Err(TokenProblem::TooQuick));
        let ok = check(key, "event", &token, t0 + Duration::seconds(10)).unwrap();
        assert_eq!(ok.issued_at, t0);
        assert_eq!(
            check(key, "event", &token, t0 + Duration::hours(4)),
            Err(TokenProblem::Expired)
        );
        assert_eq!(
            check(b"another key", "event", &token, t0 + Duration::seconds(10)),
            Err(TokenProblem::Invalid)
        );
        let mut forged = token.into_bytes();
        forged[3] = if forged[3] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(
            check(key, "event", &forged, t0 + Duration::seconds(10)),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(check(key, "event", "", t0), Err(TokenProblem::Invalid));
        assert_ne!(issue(key, "event", t0), issue(key, "event", t0));
    }

    #[test]
    fn a_token_is_good_only_for_the_form_it_was_served_with() {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let later = t0 + Duration::seconds(10);
        let key = b"0123456789abcdef0123456789abcdef";
        let token = issue(key, "comment:7", t0);
        assert!(check(key, "comment:7", &token, later).is_ok());
        assert_eq!(
            check(key, "comment:8", &token, later),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(
            check(key, "event", &token, later),
            Err(TokenProblem::Invalid)
        );
    }
}
