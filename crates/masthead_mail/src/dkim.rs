//! DKIM signing keys: loaded once at start from the operator's PEM, used for every message.
//!
//! lettre reads RSA keys only as PKCS#1 PEM and Ed25519 keys only as the base64 of the 32-byte
//! seed (research notes §2). OpenSSL 3 writes PKCS#8 for both (`BEGIN PRIVATE KEY`), so a
//! PKCS#8 RSA key is converted to PKCS#1 with the `rsa` crate and the Ed25519 seed is taken out
//! of its fixed 48-byte PKCS#8 wrapping. The signature covers the RFC 8058 list headers, which
//! receivers require before they offer one-click unsubscribe.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey, dkim_sign,
};
use lettre::message::header::HeaderName;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::DecodePrivateKey;
use std::fmt;

/// The headers we sign: RFC 8058 §4 requires List-Unsubscribe and List-Unsubscribe-Post among
/// them. A header a message lacks (a confirmation mail has no List-Id) is still named in `h=`,
/// so it cannot be added after signing.
const SIGNED: [&str; 8] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// What an Ed25519 PKCS#8 key's 48 DER bytes start with; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

const FORMATS: &str = "the DKIM key must be a PEM private key: RSA as PKCS#1 (-----BEGIN RSA PRIVATE KEY-----, \
                       `openssl genrsa -traditional 2048`) or PKCS#8 (-----BEGIN PRIVATE KEY-----, `openssl genrsa 2048`), \
                       or Ed25519 as PKCS#8 (`openssl genpkey -algorithm ed25519`)";

/// A DKIM signer for one domain and selector.
pub struct Dkim {
    config: DkimConfig,
    domain: String,
    selector: String,
    algorithm: &'static str,
}

impl Dkim {
    /// Reads `pem`: RSA PKCS#1, RSA PKCS#8 or Ed25519 PKCS#8. The DNS record to publish is
    /// `<selector>._domainkey.<domain>`. The error names the accepted formats.
    pub fn load(domain: &str, selector: &str, pem: &str) -> Result<Self, String> {
        for (what, value) in [("domain", domain), ("selector", selector)] {
            let ok = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !ok {
                return Err(format!(
                    "the DKIM {what} {value:?} is not a DNS name: use letters, digits, '.', '-' and '_'"
                ));
            }
        }
        let pem = pem.trim();
        let (key, algorithm) = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            (rsa_key(pem)?, "rsa-sha256")
        } else if pem.starts_with("-----BEGIN PRIVATE KEY-----") {
            let der = pem_body(pem)?;
            match der.strip_prefix(&ED25519_PKCS8_PREFIX[..]) {
                Some(seed) if seed.len() == 32 => {
                    let key =
                        DkimSigningKey::new(&STANDARD.encode(seed), DkimSigningAlgorithm::Ed25519)
                            .map_err(|e| {
                                format!("the Ed25519 DKIM key could not be read ({e:?}): {FORMATS}")
                            })?;
                    (key, "ed25519-sha256")
                }
                _ => {
                    let rsa = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| {
                        format!("the PKCS#8 DKIM key is neither RSA nor Ed25519 ({e}): {FORMATS}")
                    })?;
                    let pkcs1 = rsa.to_pkcs1_pem(LineEnding::LF).map_err(|e| {
                        format!(
                            "the RSA DKIM key could not be converted to PKCS#1 ({e}): {FORMATS}"
                        )
                    })?;
                    (rsa_key(&pkcs1)?, "rsa-sha256")
                }
            }
        } else {
            return Err(FORMATS.to_owned());
        };
        let headers = SIGNED
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect();
        let relaxed = DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        };
        let config = DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key,
            headers,
            relaxed,
        );
        Ok(Dkim {
            config,
            domain: domain.to_owned(),
            selector: selector.to_owned(),
            algorithm,
        })
    }

    /// "rsa-sha256" or "ed25519-sha256".
    pub fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    /// Adds the DKIM-Signature header.
    pub(crate) fn sign(&self, message: &mut Message) {
        dkim_sign(message, &self.config);
    }
}

fn rsa_key(pkcs1: &str) -> Result<DkimSigningKey, String> {
    DkimSigningKey::new(pkcs1, DkimSigningAlgorithm::Rsa)
        .map_err(|e| format!("the RSA DKIM key could not be read ({e:?}): {FORMATS}"))
}

/// The DER bytes inside a PEM block.
fn pem_body(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD
        .decode(body)
        .map_err(|e| format!("the DKIM key's PEM is not valid base64 ({e}): {FORMATS}"))
}

impl fmt::Debug for Dkim {
    /// Domain, selector and algorithm; never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dkim")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}
