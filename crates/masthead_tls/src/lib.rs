//! HTTPS for masthead: the certificate a TLS handshake gets, from files the operator
//! provides ([`Tls::from_files`]) or obtained and renewed over ACME ([`Tls::acme`], RFC 8555,
//! with HTTP-01 or TLS-ALPN-01 challenges), stored in the data directory.
//!
//! The pieces: [`resolver`] picks the certificate for each handshake (the site's, or a
//! TLS-ALPN-01 challenge certificate while a validation runs); [`store`] reads and writes the
//! PEM files; [`acme`] is the loop that keeps a valid certificate there; [`Tls`] ties them
//! together for the server loop (`masthead_web::listen`).

mod acme;
mod resolver;
mod store;

pub use acme::{AcmeSettings, Challenge, LETS_ENCRYPT};

use resolver::CertResolver;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};
use tokio_rustls::TlsAcceptor;

/// The ALPN protocol of TLS-ALPN-01 validation connections (RFC 8737): never served HTTP.
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// Why TLS could not be set up, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file is missing, unreadable or not what it should be.
    #[error("{0}")]
    Files(String),
    /// The ACME server refused or failed a step.
    #[error("{0}")]
    Acme(String),
}

/// HTTPS for one server: the acceptor for the TLS listener and the HTTP-01 answers for the
/// plain one. Cheap to clone.
#[derive(Clone)]
pub struct Tls {
    resolver: Arc<CertResolver>,
    http01: Http01,
    acceptor: TlsAcceptor,
}

/// The key authorizations of HTTP-01 challenges under way, by token.
#[derive(Clone, Default)]
pub(crate) struct Http01(Arc<RwLock<HashMap<String, String>>>);

impl Http01 {
    pub(crate) fn set(&self, token: &str, key_authorization: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.to_owned(), key_authorization.to_owned());
    }

    pub(crate) fn clear(&self) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn get(&self, token: &str) -> Option<String> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned()
    }
}

impl Tls {
    fn new(resolver: Arc<CertResolver>) -> Result<Self, TlsError> {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Files(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
        // Returning visitors resume their session from a ticket (one round trip and no
        // signature), whatever the number of visitors: no per-session memory on the server.
        // The ticket keys rotate every six hours and never leave the process.
        config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
            .map_err(|e| TlsError::Files(format!("cannot set up TLS session tickets: {e}")))?;
        Ok(Self {
            resolver,
            http01: Http01::default(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// HTTPS with the certificate chain and key in these PEM files (`tls = "files"`). They
    /// are read again by [`Tls::reload_files`] (on SIGHUP), so a renewal made by another
    /// tool is taken without a restart.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let loaded = store::load(cert, key)?;
        let resolver = Arc::new(CertResolver::default());
        tracing::info!(
            certificate = %cert.display(),
            names = ?loaded.names,
            expires_in_days = loaded.seconds_left() / 86_400,
            "serving HTTPS with the certificate from files"
        );
        warn_if_ending(&loaded, cert);
        resolver.install(loaded.key);
        Self::new(resolver)
    }

    /// Reads the certificate files again; on error the one in use stays.
    pub fn reload_files(&self, cert: &Path, key: &Path) -> Result<(), TlsError> {
        let loaded = store::load(cert, key)?;
        warn_if_ending(&loaded, cert);
        self.resolver.install(loaded.key);
        Ok(())
    }

    /// HTTPS with a certificate kept by ACME: the stored one is served at once when there is
    /// one; the returned future obtains one when there is none and renews it before it runs
    /// out, for as long as it is polled (spawn it beside the server).
    pub fn acme(settings: AcmeSettings) -> Result<(Self, impl Future<Output = ()>), TlsError> {
        let tls = Self::new(Arc::new(CertResolver::default()))?;
        let manager = acme::Manager::new(settings, tls.resolver.clone(), tls.http01.clone())?;
        Ok((tls, manager.run()))
    }

    /// The acceptor for the TLS listener. A connection that negotiated [`ACME_TLS_ALPN`] is a
    /// validation: close it after the handshake.
    pub fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }

    /// Whether a certificate is being served yet (false until ACME obtained the first).
    pub fn has_certificate(&self) -> bool {
        self.resolver.has_certificate()
    }

    /// The key authorization for an HTTP-01 challenge token
    /// (`/.well-known/acme-challenge/{token}`), while that challenge is under way.
    pub fn http01_answer(&self, token: &str) -> Option<String> {
        self.http01.get(token)
    }
}

/// Warns when a certificate from files has run out or runs out within two weeks: nothing
/// renews it but the tool that wrote it.
fn warn_if_ending(loaded: &store::Loaded, cert: &Path) {
    let days = loaded.seconds_left() / 86_400;
    if loaded.seconds_left() <= 0 {
        tracing::error!(
            certificate = %cert.display(),
            "the certificate has run out: browsers refuse it; renew it and reload (SIGHUP)"
        );
    } else if days < 14 {
        tracing::warn!(
            certificate = %cert.display(),
            expires_in_days = days,
            "the certificate runs out soon; renew it and reload (SIGHUP)"
        );
    }
}
