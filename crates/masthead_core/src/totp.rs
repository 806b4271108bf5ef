//! Time-based one-time passwords (RFC 6238) for two-step login: HMAC-SHA-1, 6 digits,
//! 30-second steps, the settings every authenticator app understands.
//!
//! The arithmetic comes from `totp-rs`; this module owns the rules around it: a code is
//! accepted for the current step and one step either side (clock drift), and never for a
//! step at or before the last one accepted, so an observed code cannot be replayed. The
//! caller stores the step [`TotpSecret::verify`] returns.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use totp_rs::{Builder, Secret, Totp};

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u8 = 6;
/// Steps accepted either side of the current one.
const SKEW_STEPS: i64 = 1;
/// Bytes in a generated secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// RFC 4226 requires at least 128 bits.
const MIN_SECRET_BYTES: usize = 16;
/// Longer than any authenticator produces; bounds the work of decoding.
const MAX_SECRET_BYTES: usize = 64;

/// Characters escaped in the `otpauth://` label and query: everything but RFC 3986
/// unreserved characters.
const URI_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A stored TOTP secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Not base32 (RFC 4648: letters A-Z and digits 2-7).
    #[error(
        "The two-step secret is not valid base32 (letters A-Z and digits 2-7); set up two-step login again."
    )]
    NotBase32,
    /// Decoded to fewer than 16 or more than 64 bytes.
    #[error(
        "The two-step secret has {bytes} bytes; it must have 16 to 64. Set up two-step login again."
    )]
    BadLength {
        /// How many bytes it decoded to.
        bytes: usize,
    },
}

/// The secret shared with the user's authenticator app. `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Box<[u8]>);

impl TotpSecret {
    /// A new random 160-bit secret from the thread-local CSPRNG.
    pub fn generate() -> TotpSecret {
        TotpSecret(Box::new(rand::random::<[u8; SECRET_BYTES]>()))
    }

    /// The secret in base32 (RFC 4648, upper case, no padding), as stored and as shown for
    /// manual entry.
    pub fn to_base32(&self) -> String {
        Secret::new(self.0.clone()).to_base32()
    }

    /// Reads a base32 secret. Spaces, dashes, `=` padding and lower case are accepted, as
    /// apps display it in groups.
    pub fn from_base32(s: &str) -> Result<TotpSecret, TotpError> {
        if s.len() > MAX_SECRET_BYTES * 2 * 2 {
            return Err(TotpError::BadLength {
                bytes: s.len() * 5 / 8,
            });
        }
        let cleaned: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !cleaned
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        {
            return Err(TotpError::NotBase32);
        }
        let secret = Secret::try_from_base32(&cleaned).map_err(|_| TotpError::NotBase32)?;
        let bytes = secret.as_bytes();
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&bytes.len()) {
            return Err(TotpError::BadLength { bytes: bytes.len() });
        }
        Ok(TotpSecret(bytes.into()))
    }

    /// The `otpauth://totp/...` URI an authenticator app reads (usually from a QR code):
    /// `issuer` is the site's name, `account` the user's email.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(issuer, URI_ESCAPE);
        let account = utf8_percent_encode(account, URI_ESCAPE);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            secret = self.to_base32(),
        )
    }

    /// Checks a code the user typed at `now_unix_secs` and returns the step it matched.
    ///
    /// Accepts the current step and one either side; spaces in the code are ignored. A
    /// step at or before `last_used_step` is refused, so the caller must store the
    /// returned step and pass it next time.
    pub fn verify(
        &self,
        code: &str,
        now_unix_secs: i64,
        last_used_step: Option<i64>,
    ) -> Option<i64> {
        if code.len() > 64 || now_unix_secs < 0 {
            return None;
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = self.totp(DIGITS)?;
        let current = now_unix_secs / STEP_SECS;
        (current - SKEW_STEPS..=current + SKEW_STEPS)
            .filter(|step| *step >= 0)
            .filter(|step| last_used_step.is_none_or(|last| *step > last))
            .find(|step| {
                u64::try_from(step * STEP_SECS).is_ok_and(|time| totp.check(&code, time).is_some())
            })
    }

    /// The code for `now_unix_secs`, as the user's app would show it. For tests and
    /// command-line tools; a server never needs to display codes.
    pub fn code_at(&self, now_unix_secs: i64) -> Option<String> {
        code_with_digits(&self.0, DIGITS, now_unix_secs)
    }

    /// A checker fixed to one step (skew 0), so [`Self::verify`] decides which steps count.
    fn totp(&self, digits: u8) -> Option<Totp> {
        totp_for(&self.0, digits)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

fn totp_for(secret: &[u8], digits: u8) -> Option<Totp> {
    Builder::new()
        .with_secret(Secret::new(secret.into()))
        .with_digits(digits)
        .with_skew(0)
        .with_step_duration(STEP_SECS.unsigned_abs())
        .build()
        .ok()
}

/// The code with `digits` digits (6 to 8) at `unix_secs`; the RFC's test vectors use 8.
fn code_with_digits(secret: &[u8], digits: u8, unix_secs: i64) -> Option<String> {
    let time = u64::try_from(unix_secs).ok()?;
    Some(totp_for(secret, digits)?.generate(time).to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The RFC 6238 appendix B key for SHA-1.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    fn rfc_secret() -> TotpSecret {
        TotpSecret(RFC_KEY.into())
    }

    #[test]
    fn rfc6238_sha1_test_vectors() {
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_with_digits(RFC_KEY, 8, time).as_deref(),
                Some(code),
                "t={time}"
            );
            // The 6-digit code is the low six digits of the same value.
            assert_eq!(rfc_secret().code_at(time).as_deref(), Some(&code[2..]));
        }
    }

    #[test]
    fn accepts_current_and_adjacent_steps_and_returns_the_step() {
        let s = rfc_secret();
        let now = 1_234_567_890; // step 41152263
        let step = now / STEP_SECS;
        let code = s.code_at(now).unwrap();
        assert_eq!(s.verify(&code, now, None), Some(step));
        // The user's clock is one step behind or ahead of ours.
        assert_eq!(s.verify(&code, now + STEP_SECS, None), Some(step));
        assert_eq!(s.verify(&code, now - STEP_SECS, None), Some(step));
        // Two steps away is too far.
        assert_eq!(s.verify(&code, now + 2 * STEP_SECS, None), None);
        assert_eq!(s.verify(&code, now - 2 * STEP_SECS, None), None);
    }

    #[test]
    fn refuses_replay_of_the_last_step_or_earlier() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let code = s.code_at(now).unwrap();
        let step = s.verify(&code, now, None).unwrap();
        assert_eq!(s.verify(&code, now, Some(step)), None);
        assert_eq!(s.verify(&code, now + 10, Some(step + 1)), None);
        // The previous step's code, still in the window, is refused once a later step was used.
        let earlier = s.code_at(now - STEP_SECS).unwrap();
        assert_eq!(s.verify(&earlier, now, Some(step)), None);
        // The next step's code is still fine.
        let next = s.code_at(now + STEP_SECS).unwrap();
        assert_eq!(s.verify(&next, now, Some(step)), Some(step + 1));
    }

    #[test]
    fn code_input_tolerates_spaces_and_refuses_junk() {
        let s = rfc_secret();
        let now = 1_111_111_111;
        let code = s.code_at(now).unwrap();
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert!(s.verify(&spaced, now, None).is_some());
        for junk in ["", "12345", "1234567", "abcdef", "+12345", "１２３４５６"] {
            assert_eq!(s.verify(junk, now, None), None, "{junk:?}");
        }
        assert_eq!(s.verify(&code, -1, None), None);
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(s.verify(&wrong, now, None), None);
    }

    #[test]
    fn near_the_epoch_no_negative_steps() {
        let s = rfc_secret();
        let code = s.code_at(0).unwrap();
        assert_eq!(s.verify(&code, 5, None), Some(0));
    }

    #[test]
    fn base32_round_trip_and_lenient_input() {
        let s = TotpSecret::generate();
        let b32 = s.to_base32();
        assert_eq!(b32.len(), 32);
        assert_eq!(TotpSecret::from_base32(&b32), Ok(s.clone()));
        let grouped: String = b32
            .to_ascii_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(TotpSecret::from_base32(&grouped), Ok(s));
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_ne!(TotpSecret::generate(), TotpSecret::generate());
    }

    #[test]
    fn base32_refusals() {
        assert_eq!(
            TotpSecret::from_base32("not base32!"),
            Err(TotpError::NotBase32)
        );
        assert_eq!(TotpSecret::from_base32("18"), Err(TotpError::NotBase32));
        assert!(matches!(
            TotpSecret::from_base32("GEZDGNBV"),
            Err(TotpError::BadLength { bytes: 5 })
        ));
        assert!(matches!(
            TotpSecret::from_base32(&"A".repeat(1000)),
            Err(TotpError::BadLength { .. })
        ));
    }

    #[test]
    fn otpauth_uri_escapes_label_and_issuer() {
        let uri = rfc_secret().otpauth_uri("Riverdale Gazette", "jane+news@example.org");
        assert_eq!(
            uri,
            "otpauth://totp/Riverdale%20Gazette:jane%2Bnews%40example.org\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Riverdale%20Gazette\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(<redacted>)");
    }
}
