//! Keeps a valid certificate from an ACME server (RFC 8555) in the data directory: at start
//! the stored one is served if it covers the configured names; when there is none, or it
//! runs out within `renew_before`, a new one is ordered, validated by HTTP-01 (the plain
//! listener answers `/.well-known/acme-challenge/`) or TLS-ALPN-01 (RFC 8737: the TLS
//! listener answers `acme-tls/1` handshakes), stored, and swapped in without a restart.
//!
//! Files in `dir`: `account.json` (the ACME account's key and URL, owner-only), `cert.pem`
//! (the chain, leaf first), `key.pem` (owner-only). A failed order is retried with a backoff
//! from one minute, doubling up to `check_every`.

use crate::resolver::CertResolver;
use crate::store::{self, Loaded};
use crate::{Http01, TlsError};
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The production directory of Let's Encrypt, the default ACME server.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// How the ACME server checks that this server answers for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// A file at `http://NAME/.well-known/acme-challenge/TOKEN` (port 80).
    Http01,
    /// A special certificate in a TLS handshake on port 443 (`acme-tls/1`).
    TlsAlpn01,
}

impl Challenge {
    /// The name used in configuration and by ACME servers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Http01 => "http-01",
            Self::TlsAlpn01 => "tls-alpn-01",
        }
    }

    /// The port the ACME server connects to for this challenge.
    fn port(self) -> u16 {
        match self {
            Self::Http01 => 80,
            Self::TlsAlpn01 => 443,
        }
    }

    fn acme_type(self) -> ChallengeType {
        match self {
            Self::Http01 => ChallengeType::Http01,
            Self::TlsAlpn01 => ChallengeType::TlsAlpn01,
        }
    }
}

/// What ACME needs to know.
#[derive(Debug, Clone)]
pub struct AcmeSettings {
    /// The host names the certificate is for (the first is the site's).
    pub domains: Vec<String>,
    /// The contact address the ACME server writes to about expiry and problems.
    pub email: String,
    /// The ACME server's directory URL.
    pub directory: String,
    /// A PEM file of the certificate authority the ACME server's own HTTPS uses, when it is
    /// a private one (a company CA, a test server); empty trusts the usual public ones.
    pub ca_file: Option<PathBuf>,
    /// The challenge to answer.
    pub challenge: Challenge,
    /// Where the account, certificate and key are kept (`DATA_DIR/tls`).
    pub dir: PathBuf,
    /// Renew when the certificate runs out within this.
    pub renew_before: Duration,
    /// How often to look at the certificate (and the longest wait between retries).
    pub check_every: Duration,
}

pub(crate) struct Manager {
    settings: AcmeSettings,
    resolver: Arc<CertResolver>,
    http01: Http01,
    /// The serial of the certificate being served.
    serving: Option<String>,
}

impl Manager {
    pub(crate) fn new(
        settings: AcmeSettings,
        resolver: Arc<CertResolver>,
        http01: Http01,
    ) -> Result<Self, TlsError> {
        if settings.domains.is_empty() {
            return Err(TlsError::Acme(
                "tls = \"acme\" needs the site's host names: set tls_domains (or base_url)".into(),
            ));
        }
        std::fs::create_dir_all(&settings.dir).map_err(|e| {
            TlsError::Files(format!(
                "cannot create {} for the certificates: {e}",
                settings.dir.display()
            ))
        })?;
        let mut manager = Self {
            settings,
            resolver,
            http01,
            serving: None,
        };
        // Serve the stored certificate from the first handshake, before any network I/O.
        if let Some(stored) = manager.stored() {
            manager.serve(stored);
        }
        Ok(manager)
    }

    /// Checks the certificate, orders one when due, and sleeps until the next check; forever.
    pub(crate) async fn run(mut self) {
        let mut retry = Duration::from_secs(60);
        loop {
            let wait = match self.check().await {
                Ok(wait) => {
                    retry = Duration::from_secs(60);
                    wait
                }
                Err(e) => {
                    tracing::error!(
                        error = %e,
                        retry_in_s = retry.as_secs(),
                        "cannot obtain a certificate over ACME"
                    );
                    let wait = retry;
                    retry = (retry * 2).min(self.settings.check_every);
                    wait
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// One look: orders a certificate if due, and says how long to wait before the next.
    async fn check(&mut self) -> Result<Duration, TlsError> {
        let renew_before = secs(self.settings.renew_before);
        if let Some(stored) = self.stored() {
            let left = stored.seconds_left();
            if left > renew_before {
                self.serve(stored);
                let due_in = u64::try_from(left - renew_before).unwrap_or(0);
                return Ok(self
                    .settings
                    .check_every
                    .min(Duration::from_secs(due_in.max(1))));
            }
            tracing::info!(
                expires_in_s = left,
                "the certificate runs out soon; renewing it over ACME"
            );
        }
        let issued = self.order().await?;
        self.serve(issued);
        Ok(self.settings.check_every)
    }

    /// The stored certificate, if it can be read and covers every configured name.
    fn stored(&self) -> Option<Loaded> {
        let (cert, key) = (
            self.settings.dir.join("cert.pem"),
            self.settings.dir.join("key.pem"),
        );
        if !cert.exists() {
            return None;
        }
        match store::load(&cert, &key) {
            Ok(loaded) => {
                let missing: Vec<&String> = self
                    .settings
                    .domains
                    .iter()
                    .filter(|d| !loaded.names.contains(&d.to_ascii_lowercase()))
                    .collect();
                if missing.is_empty() {
                    Some(loaded)
                } else {
                    tracing::info!(
                        ?missing,
                        "the stored certificate lacks names; ordering a new one"
                    );
                    None
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot use the stored certificate; ordering a new one");
                None
            }
        }
    }

    fn serve(&mut self, loaded: Loaded) {
        if self.serving.as_deref() == Some(loaded.serial.as_str()) {
            return;
        }
        tracing::info!(
            serial = %loaded.serial,
            names = ?loaded.names,
            expires_in_days = loaded.seconds_left() / 86_400,
            "serving the certificate"
        );
        self.serving = Some(loaded.serial.clone());
        self.resolver.install(loaded.key);
    }

    /// Orders, validates and stores a certificate for the configured names.
    async fn order(&self) -> Result<Loaded, TlsError> {
        let account = self.account().await?;
        let identifiers: Vec<Identifier> = self
            .settings
            .domains
            .iter()
            .map(|d| Identifier::Dns(d.clone()))
            .collect();
        let mut order = account
            .new_order(&NewOrder::new(&identifiers))
            .await
            .map_err(|e| acme_error("the ACME server refused the order", e))?;
        let kind = self.settings.challenge;
        let mut authorizations = order.authorizations();
        while let Some(authz) = authorizations.next().await {
            let mut authz = authz.map_err(|e| acme_error("cannot read an authorization", e))?;
            match authz.status {
                AuthorizationStatus::Pending => {}
                AuthorizationStatus::Valid => continue,
                other => {
                    return Err(TlsError::Acme(format!(
                        "the ACME server says the authorization is {other:?}; check the names \
                         in tls_domains"
                    )));
                }
            }
            let mut challenge = authz.challenge(kind.acme_type()).ok_or_else(|| {
                TlsError::Acme(format!(
                    "the ACME server does not offer the {} challenge; set acme_challenge to \
                     the other one",
                    kind.name()
                ))
            })?;
            let key_authorization = challenge.key_authorization();
            let name = challenge.identifier().to_string();
            match kind {
                Challenge::Http01 => self
                    .http01
                    .set(&challenge.token, key_authorization.as_str()),
                Challenge::TlsAlpn01 => self.resolver.set_challenge(
                    &name,
                    alpn_certificate(&name, key_authorization.digest().as_ref())?,
                ),
            }
            tracing::info!(%name, challenge = kind.name(), "answering the ACME challenge");
            challenge
                .set_ready()
                .await
                .map_err(|e| acme_error("cannot tell the ACME server the challenge is ready", e))?;
        }
        let patience = RetryPolicy::new()
            .initial_delay(Duration::from_millis(500))
            .timeout(Duration::from_secs(120));
        let status = order.poll_ready(&patience).await;
        self.http01.clear();
        self.resolver.clear_challenges();
        let status = status.map_err(|e| {
            acme_error(
                &format!(
                    "the ACME server could not check that this server answers for {:?} \
                     ({}): make sure each name points at this server and that port {} reaches it",
                    self.settings.domains,
                    kind.name(),
                    kind.port()
                ),
                e,
            )
        })?;
        if status != OrderStatus::Ready {
            return Err(TlsError::Acme(format!(
                "the ACME server did not validate {:?} ({}): the order is {status:?}; make sure \
                 each name points at this server and that port {} reaches it",
                self.settings.domains,
                kind.name(),
                kind.port()
            )));
        }
        let key_pem = order
            .finalize()
            .await
            .map_err(|e| acme_error("the ACME server refused the certificate request", e))?;
        let chain_pem = order
            .poll_certificate(&patience)
            .await
            .map_err(|e| acme_error("the ACME server did not issue the certificate", e))?;
        let loaded = store::from_pem(chain_pem.as_bytes(), key_pem.as_bytes())
            .map_err(|e| TlsError::Acme(format!("the issued certificate cannot be used: {e}")))?;
        let dir = &self.settings.dir;
        store::save(&dir.join("key.pem.next"), key_pem.as_bytes(), true)
            .and_then(|()| store::save(&dir.join("cert.pem"), chain_pem.as_bytes(), false))
            .and_then(|()| std::fs::rename(dir.join("key.pem.next"), dir.join("key.pem")))
            .map_err(|e| {
                TlsError::Files(format!(
                    "cannot store the new certificate in {}: {e}",
                    dir.display()
                ))
            })?;
        tracing::info!(serial = %loaded.serial, "obtained a certificate over ACME");
        Ok(loaded)
    }

    /// The stored ACME account for this directory, or a new one (then stored).
    async fn account(&self) -> Result<Account, TlsError> {
        let builder = || {
            match &self.settings.ca_file {
                Some(ca) => Account::builder_with_root(ca),
                None => Account::builder(),
            }
            .map_err(|e| acme_error("cannot set up the ACME client", e))
        };
        let path = self.settings.dir.join("account.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let same_directory = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    v.get("directory")
                        .and_then(|d| d.as_str().map(str::to_owned))
                })
                .is_some_and(|d| d == self.settings.directory);
            if same_directory
                && let Ok(credentials) = serde_json::from_str::<AccountCredentials>(&text)
            {
                return builder()?
                    .from_credentials(credentials)
                    .await
                    .map_err(|e| acme_error("cannot reach the ACME server", e));
            }
        }
        let contact = format!("mailto:{}", self.settings.email);
        let contacts: Vec<&str> = if self.settings.email.is_empty() {
            Vec::new()
        } else {
            vec![contact.as_str()]
        };
        let (account, credentials) = builder()?
            .create(
                &NewAccount {
                    contact: &contacts,
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                },
                self.settings.directory.clone(),
                None,
            )
            .await
            .map_err(|e| acme_error("cannot create an account on the ACME server", e))?;
        let json = serde_json::to_vec_pretty(&credentials)
            .map_err(|e| TlsError::Acme(format!("cannot store the ACME account: {e}")))?;
        store::save(&path, &json, true).map_err(|e| {
            TlsError::Files(format!(
                "cannot store the ACME account in {}: {e}",
                path.display()
            ))
        })?;
        tracing::info!(directory = %self.settings.directory, "created an ACME account");
        Ok(account)
    }
}

/// The self-signed certificate that answers a TLS-ALPN-01 validation of `name` (RFC 8737):
/// the name as its only SAN and the key authorization's digest in `acmeIdentifier`.
fn alpn_certificate(
    name: &str,
    digest: &[u8],
) -> Result<Arc<rustls::sign::CertifiedKey>, TlsError> {
    let fail =
        |e: rcgen::Error| TlsError::Acme(format!("cannot make the TLS-ALPN-01 certificate: {e}"));
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).map_err(fail)?;
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    let key = rcgen::KeyPair::generate().map_err(fail)?;
    let cert = params.self_signed(&key).map_err(fail)?;
    // Not `CertifiedKey::from_der`: its check parses the certificate with webpki, which
    // refuses the critical acmeIdentifier extension this certificate exists to carry.
    let der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| TlsError::Acme(format!("cannot make the TLS-ALPN-01 certificate: {e}")))?;
    let signing = rustls::crypto::aws_lc_rs::default_provider()
        .key_provider
        .load_private_key(der)
        .map_err(|e| TlsError::Acme(format!("cannot make the TLS-ALPN-01 certificate: {e}")))?;
    Ok(Arc::new(rustls::sign::CertifiedKey::new(
        vec![cert.der().clone()],
        signing,
    )))
}

fn acme_error(what: &str, e: instant_acme::Error) -> TlsError {
    TlsError::Acme(format!("{what}: {e}"))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
