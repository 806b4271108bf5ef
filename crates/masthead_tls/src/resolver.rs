//! Which certificate a handshake gets: the site's, or, when the client asks for the
//! `acme-tls/1` protocol, the TLS-ALPN-01 challenge certificate for the name it asks for.

use crate::ACME_TLS_ALPN;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// The certificates served; swapped in place when ACME renews, without a restart.
#[derive(Debug, Default)]
pub(crate) struct CertResolver {
    current: RwLock<Option<Arc<CertifiedKey>>>,
    challenges: RwLock<HashMap<String, Arc<CertifiedKey>>>,
}

impl CertResolver {
    /// Serves `key` from the next handshake on.
    pub(crate) fn install(&self, key: Arc<CertifiedKey>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
    }

    pub(crate) fn has_certificate(&self) -> bool {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Answers TLS-ALPN-01 validations of `name` with `key` until [`Self::clear_challenges`].
    pub(crate) fn set_challenge(&self, name: &str, key: Arc<CertifiedKey>) {
        self.challenges
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_ascii_lowercase(), key);
    }

    pub(crate) fn clear_challenges(&self) {
        self.challenges
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let validation = hello
            .alpn()
            .is_some_and(|mut offered| offered.any(|p| p == ACME_TLS_ALPN));
        if validation {
            let name = hello.server_name()?.to_ascii_lowercase();
            return self
                .challenges
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&name)
                .cloned();
        }
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
