//! Certificates on disk: a chain and its key as PEM, read and checked ([`load`]), and written
//! so that a crash never leaves half a file ([`save`]: a temporary file, then a rename; the
//! key readable by its owner only).

use crate::TlsError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use x509_parser::extensions::GeneralName;

/// A certificate read from disk, ready to serve.
pub(crate) struct Loaded {
    pub(crate) key: Arc<CertifiedKey>,
    /// The DNS names the certificate is for.
    pub(crate) names: Vec<String>,
    /// When it runs out, in Unix seconds.
    pub(crate) not_after: i64,
    /// Its serial number, in hexadecimal.
    pub(crate) serial: String,
}

impl Loaded {
    /// Seconds until it runs out (negative once it has).
    pub(crate) fn seconds_left(&self) -> i64 {
        self.not_after - unix_now()
    }
}

/// The current time in Unix seconds. Certificates are checked against the machine's clock,
/// as every TLS client checks them.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Reads a chain (`cert`, leaf first) and its private key (`key`), and checks they belong
/// together.
pub(crate) fn load(cert: &Path, key: &Path) -> Result<Loaded, TlsError> {
    let chain_pem = std::fs::read(cert).map_err(|e| {
        TlsError::Files(format!(
            "cannot read the certificate {}: {e}",
            cert.display()
        ))
    })?;
    let key_pem = std::fs::read(key).map_err(|e| {
        TlsError::Files(format!(
            "cannot read the private key {}: {e}",
            key.display()
        ))
    })?;
    from_pem(&chain_pem, &key_pem)
        .map_err(|e| TlsError::Files(format!("{} and {}: {e}", cert.display(), key.display())))
}

/// A certificate from its chain and key as PEM text.
pub(crate) fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Loaded, String> {
    let chain = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the certificate file is not PEM: {e}"))?;
    let Some(leaf) = chain.first() else {
        return Err(
            "the certificate file holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)"
                .into(),
        );
    };
    let (_, parsed) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| format!("the first certificate cannot be read: {e}"))?;
    let not_after = parsed.validity().not_after.timestamp();
    let serial = parsed.raw_serial_as_string().replace(':', "");
    let names = match parsed.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("the key file holds no private key in PEM: {e}"))?;
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let key = CertifiedKey::from_der(chain, key, &provider)
        .map_err(|e| format!("the key does not fit the certificate: {e}"))?;
    Ok(Loaded {
        key: Arc::new(key),
        names,
        not_after,
        serial,
    })
}

/// Writes `contents` to `path` through a temporary file and a rename; `private` files are
/// created readable by their owner only.
pub(crate) fn save(path: &Path, contents: &[u8], private: bool) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself is durable once the directory is synced.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}
