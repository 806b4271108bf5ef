//! Signed links mailed to newsletter readers (confirm, preferences, unsubscribe): a token
//! names one record (a reader's id) and when it was issued, under the same HMAC-SHA-256
//! construction as the forms' tokens ([`crate::form_token`]) with a key of its own.
//!
//! A token is 32 bytes, base64url (43 characters): the subject's id and the issue time in
//! microseconds (8 bytes each, big-endian), then 16 bytes of tag over the scope and those.
//! The scope carries what else must hold for the link to be good (which list, the reader's
//! link epoch), so bumping the epoch revokes every link already mailed. How old a link may
//! be is the caller's choice: a confirmation for two days, an unsubscribe link for ever (it
//! only ever takes mail away).

use crate::form_token::{TAG, tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Altered, cut short, for another purpose, or revoked.
    Invalid,
    /// Older than the link may be.
    Expired,
}

/// A checked link: whom it names and when it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The subject's id (a reader).
    pub subject: i64,
    /// When the link was issued.
    pub issued_at: DateTime<Utc>,
}

const BODY: usize = 16;

/// A link token for `subject` under `scope`, issued at `now`.
pub fn issue(key: &[u8], scope: &str, subject: i64, now: DateTime<Utc>) -> String {
    let mut message = Vec::with_capacity(BODY + TAG);
    message.extend_from_slice(&subject.to_be_bytes());
    message.extend_from_slice(&now.timestamp_micros().to_be_bytes());
    let t = tag(key, scope, &message).unwrap_or([0; TAG]);
    message.extend_from_slice(&t);
    URL_SAFE_NO_PAD.encode(message)
}

/// The subject a token names, unverified: only for loading the record whose details go
/// into the scope [`check`] is then called with.
pub fn subject(token: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    let id: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    (bytes.len() == BODY + TAG).then(|| i64::from_be_bytes(id))
}

/// Checks `token` under `scope` at `now`; `max_age` of `None` never expires.
///
/// # Errors
///
/// [`LinkProblem::Invalid`] for anything not signed by `key` under `scope`,
/// [`LinkProblem::Expired`] for a good token older than `max_age`.
pub fn check(
    key: &[u8],
    scope: &str,
    token: &str,
    now: DateTime<Utc>,
    max_age: Option<Duration>,
) -> Result<Checked, LinkProblem> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| LinkProblem::Invalid)?;
    if bytes.len() != BODY + TAG {
        return Err(LinkProblem::Invalid);
    }
    let (message, given) = bytes.split_at(BODY);
    let expected = tag(key, scope, message).ok_or(LinkProblem::Invalid)?;
    if !crate::secret::constant_time_eq(&expected, given) {
        return Err(LinkProblem::Invalid);
    }
    let word = |at: usize| -> Result<i64, LinkProblem> {
        let b: [u8; 8] = message
            .get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .ok_or(LinkProblem::Invalid)?;
        Ok(i64::from_be_bytes(b))
    };
    let subject = word(0)?;
    let issued_at = DateTime::from_timestamp_micros(word(8)?).ok_or(LinkProblem::Invalid)?;
    if max_age.is_some_and(|age| now > issued_at + age) {
        return Err(LinkProblem::Expired);
    }
    Ok(Checked { subject, issued_at })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_link_names_its_subject_and_ages() {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let token = issue(KEY, "confirm:0", 42, t0);
        assert_eq!(token.len(), 43);
        assert_eq!(subject(&token), Some(42));
        let ok = check(KEY, "confirm:0", &token, t0, Some(Duration::hours(48))).unwrap();
        assert_eq!((ok.subject, ok.issued_at), (42, t0));
        let late = t0 + Duration::hours(49);
        assert_eq!(
            check(KEY, "confirm:0", &token, late, Some(Duration::hours(48))),
            Err(LinkProblem::Expired)
        );
        assert!(check(KEY, "confirm:0", &token, late + Duration::days(3650), None).is_ok());
    }

    #[test]
    fn altered_revoked_or_foreign_links_are_invalid() {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let token = issue(KEY, "unsub:3:0", 7, t0);
        // Another list, a bumped epoch, another key: all refused.
        for (key, scope) in [
            (KEY, "unsub:4:0"),
            (KEY, "unsub:3:1"),
            (&b"other"[..], "unsub:3:0"),
        ] {
            assert_eq!(
                check(key, scope, &token, t0, None),
                Err(LinkProblem::Invalid)
            );
        }
        // Another subject with the same tag: refused.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[7] ^= 1;
        let forged = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(subject(&forged), Some(6));
        assert_eq!(
            check(KEY, "unsub:3:0", &forged, t0, None),
            Err(LinkProblem::Invalid)
        );
        for junk in ["", "abc", "!!!!", &token[..40]] {
            assert_eq!(
                check(KEY, "unsub:3:0", junk, t0, None),
                Err(LinkProblem::Invalid)
            );
        }
    }
}
