//! Configuration: defaults, then `masthead.toml`, then `MASTHEAD_*` environment variables,
//! then command-line flags. Unknown keys in the file are an error; secrets are never printed.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting, after layering.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub addr: String,
    /// The data directory: the SQLite database and media files.
    pub data_dir: PathBuf,
    /// Where media files live: empty (the default) for files under `data_dir/media`, or
    /// `s3://BUCKET/PREFIX` for an S3-compatible bucket every app server shares.
    pub media_url: String,
    /// The object store's address for `s3://` media, e.g. `http://127.0.0.1:3900` (Garage)
    /// or `https://ACCOUNT.r2.cloudflarestorage.com`; empty means Amazon S3. Requests use
    /// path-style addresses (`ENDPOINT/BUCKET/KEY`).
    pub media_s3_endpoint: String,
    /// The region requests are signed for (Garage's `s3_region`, "auto" for R2).
    pub media_s3_region: String,
    /// The access key id; empty: `AWS_ACCESS_KEY_ID`. The secret is read from
    /// `MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY` or `AWS_SECRET_ACCESS_KEY`, or the file below.
    pub media_s3_access_key_id: String,
    /// A file holding the secret access key (when neither variable is set).
    pub media_s3_secret_access_key_file: Option<PathBuf>,
    /// The database URL; empty means SQLite at `data_dir/masthead.db`.
    pub database_url: String,
    /// PostgreSQL read replicas for anonymous public reads: one URL, a list, or (in the
    /// environment) URLs separated by commas or spaces. Empty (the default): none.
    pub database_read_url: ReadUrls,
    /// The public URL of the site, without a trailing slash.
    pub base_url: String,
    /// The site's name; empty means the demo's name with `--demo`, else "Local News".
    pub site_name: String,
    /// One line under the name.
    pub tagline: String,
    /// The IANA time zone dates are shown in.
    pub timezone: String,
    /// The site's language, a BCP 47 tag such as "en" or "es" (pages, feeds, the Google News
    /// sitemap).
    pub language: String,
    /// Stories per page in lists.
    pub page_size: u32,
    /// "on" or "off".
    pub page_cache: String,
    /// Seconds browsers may keep a public page or feed without asking again.
    pub cache_max_age: u32,
    /// Seconds a shared cache (a CDN in front) may keep one; unset leaves it to
    /// `cache_max_age`.
    pub cache_s_maxage: Option<u32>,
    /// Seconds a cache may serve a stale copy while it fetches a fresh one; 0 for none.
    pub cache_stale_while_revalidate: u32,
    /// A theme override directory.
    pub theme_dir: Option<PathBuf>,
    /// Whether a reverse proxy in front sets `X-Forwarded-For` (login limits then key on the
    /// address it names). Leave off when clients reach masthead directly: they could set it.
    pub trust_forwarded_for: bool,
    /// Seconds a client has to send a request's headers; also how long an idle kept-alive
    /// connection stays open.
    pub header_timeout: u64,
    /// Seconds from a request's headers to its response, reading the body included.
    pub request_timeout: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: u32,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    pub shutdown_timeout: u64,
    /// The meeting desk's optional prose helper: an OpenAI-compatible API's base address
    /// (e.g. `http://127.0.0.1:8081/v1`); empty (the default) leaves it off. Its key is
    /// read from `MASTHEAD_PROSE_KEY` only, so it is never written in a file here.
    pub prose_url: String,
    /// The model the prose helper asks for.
    pub prose_model: String,
    /// The newsletter's SMTP server: `smtp://user:password@host:587` (STARTTLS, required),
    /// `smtps://user:password@host:465` (TLS from the start), or `smtp://127.0.0.1:2525?tls=none`
    /// (plaintext, loopback only). Empty (the default): no newsletter mail is sent.
    pub smtp_url: String,
    /// The address newsletter mail comes from (and bounces return to).
    pub mail_from: String,
    /// Newsletter messages per minute, all app servers together.
    pub smtp_per_minute: u32,
    /// SMTP sessions each app server keeps open at once while a send goes out.
    pub smtp_connections: u32,
    /// A PEM file of an extra certificate authority to trust for the SMTP server (a private
    /// relay with its own CA); the system's authorities are always trusted.
    pub smtp_ca_file: Option<PathBuf>,
    /// The DKIM signing domain (`d=`); set with `dkim_selector` and `dkim_key_file`.
    pub dkim_domain: String,
    /// The DKIM selector (`s=`): the TXT record at `SELECTOR._domainkey.DOMAIN`.
    pub dkim_selector: String,
    /// The DKIM private key: RSA (PKCS#1 or PKCS#8 PEM) or Ed25519 (PKCS#8 PEM).
    pub dkim_key_file: Option<PathBuf>,
    /// Count clicks on the newsletter's stories, per send and story (never who clicked).
    pub newsletter_click_counts: bool,
    /// HTTPS: "off" (plain HTTP on `addr`, e.g. behind a proxy that does TLS), "acme"
    /// (certificates obtained and renewed automatically) or "files" (`tls_cert`, `tls_key`).
    pub tls: String,
    /// The host names HTTPS is for (`tls = "acme"`); empty means the host of `base_url`.
    pub tls_domains: Vec<String>,
    /// The address the ACME server writes to about the certificates.
    pub tls_email: String,
    /// The certificate chain, PEM, leaf first (`tls = "files"`).
    pub tls_cert: Option<PathBuf>,
    /// Its private key, PEM (`tls = "files"`).
    pub tls_key: Option<PathBuf>,
    /// The plain-HTTP listener beside HTTPS: redirects to HTTPS and answers ACME's HTTP-01
    /// challenges. Empty means "0.0.0.0:80" when `tls` is on; "off" for none.
    pub http_addr: String,
    /// The ACME server's directory URL; the default is Let's Encrypt.
    pub acme_directory: String,
    /// A PEM file of the certificate authority behind the ACME server's own HTTPS, for a
    /// private ACME server; the usual public authorities are trusted without it.
    pub acme_ca_file: Option<PathBuf>,
    /// "http-01" (port 80 must reach this server) or "tls-alpn-01" (port 443 must).
    pub acme_challenge: String,
    /// Days before a certificate runs out that it is renewed.
    pub acme_renew_before_days: u32,
    /// Seconds between looks at the certificate (also the longest wait between retries).
    pub acme_check_interval: u64,
    /// The bearer token `/metrics` asks for on the site's own address; empty (the default):
    /// no `/metrics` there. At least 16 characters (`openssl rand -hex 32` makes one).
    pub metrics_token: String,
    /// A separate address serving only `/metrics`, without a token (e.g. `127.0.0.1:9100`,
    /// reachable by the monitoring system only); empty (the default): none.
    pub metrics_addr: String,
}

impl Default for Config {
    fn default() -> Self {
        let limits = masthead_web::listen::Limits::default();
        Self {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("masthead-data"),
            media_url: String::new(),
            media_s3_endpoint: String::new(),
            media_s3_region: "us-east-1".into(),
            media_s3_access_key_id: String::new(),
            media_s3_secret_access_key_file: None,
            database_url: String::new(),
            database_read_url: ReadUrls::default(),
            base_url: String::new(),
            site_name: String::new(),
            tagline: String::new(),
            timezone: "America/Chicago".into(),
            language: "en".into(),
            page_size: 20,
            page_cache: "on".into(),
            cache_max_age: 60,
            cache_s_maxage: None,
            cache_stale_while_revalidate: 0,
            theme_dir: None,
            trust_forwarded_for: false,
            header_timeout: limits.header_timeout.as_secs(),
            request_timeout: limits.request_timeout.as_secs(),
            max_connections: limits.max_connections as u32,
            shutdown_timeout: limits.shutdown_timeout.as_secs(),
            prose_url: String::new(),
            prose_model: String::new(),
            smtp_url: String::new(),
            mail_from: String::new(),
            smtp_per_minute: 600,
            smtp_connections: 2,
            smtp_ca_file: None,
            dkim_domain: String::new(),
            dkim_selector: String::new(),
            dkim_key_file: None,
            newsletter_click_counts: false,
            tls: "off".into(),
            tls_domains: Vec::new(),
            tls_email: String::new(),
            tls_cert: None,
            tls_key: None,
            http_addr: String::new(),
            acme_directory: masthead_tls::LETS_ENCRYPT.into(),
            acme_ca_file: None,
            acme_challenge: "http-01".into(),
            acme_renew_before_days: 30,
            acme_check_interval: 12 * 3600,
            metrics_token: String::new(),
            metrics_addr: String::new(),
        }
    }
}

/// Values given on the command line; `None` leaves the layers below in force.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_read_url: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cache: Option<String>,
}

/// The environment variables read, without the `MASTHEAD_` prefix.
const ENV_KEYS: &[&str] = &[
    "addr",
    "data_dir",
    "media_url",
    "media_s3_endpoint",
    "media_s3_region",
    "media_s3_access_key_id",
    "media_s3_secret_access_key_file",
    "database_url",
    "database_read_url",
    "base_url",
    "site_name",
    "tagline",
    "timezone",
    "language",
    "page_size",
    "page_cache",
    "cache_max_age",
    "cache_s_maxage",
    "cache_stale_while_revalidate",
    "theme_dir",
    "trust_forwarded_for",
    "header_timeout",
    "request_timeout",
    "max_connections",
    "shutdown_timeout",
    "prose_url",
    "prose_model",
    "smtp_url",
    "mail_from",
    "smtp_per_minute",
    "smtp_connections",
    "smtp_ca_file",
    "dkim_domain",
    "dkim_selector",
    "dkim_key_file",
    "newsletter_click_counts",
    "tls",
    "tls_domains",
    "tls_email",
    "tls_cert",
    "tls_key",
    "http_addr",
    "acme_directory",
    "acme_ca_file",
    "acme_challenge",
    "acme_renew_before_days",
    "acme_check_interval",
    "metrics_token",
    "metrics_addr",
];

impl Config {
    /// Layers the sources and checks the result.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let env_file = std::env::var_os("MASTHEAD_CONFIG").map(PathBuf::from);
        match file.map(Path::to_path_buf).or(env_file) {
            Some(path) => {
                if !path.exists() {
                    bail!("the configuration file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None if Path::new("masthead.toml").exists() => {
                figment = figment.merge(Toml::file_exact("masthead.toml"))
            }
            None => {}
        }
        let config: Config = figment
            .merge(Env::prefixed("MASTHEAD_").only(ENV_KEYS))
            .merge(Serialized::globals(overrides))
            .extract()
            .context("invalid configuration")?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !matches!(self.page_cache.as_str(), "on" | "off") {
            bail!(
                "page_cache must be \"on\" or \"off\", not {:?}",
                self.page_cache
            );
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            bail!(
                "timezone {:?} is not an IANA time zone name such as \"America/Chicago\"",
                self.timezone
            );
        }
        if !is_language_tag(&self.language) {
            bail!(
                "language must be a language tag such as \"en\", \"es\" or \"en-us\", not {:?}",
                self.language
            );
        }
        if !(1..=200).contains(&self.page_size) {
            bail!(
                "page_size must be between 1 and 200, not {}",
                self.page_size
            );
        }
        for (key, value, max) in [
            ("header_timeout", self.header_timeout, 3600),
            ("request_timeout", self.request_timeout, 86_400),
            (
                "max_connections",
                u64::from(self.max_connections),
                1_000_000,
            ),
            ("shutdown_timeout", self.shutdown_timeout, 86_400),
        ] {
            if !(1..=max).contains(&value) {
                bail!("{key} must be a whole number from 1 to {max}, not {value}");
            }
        }
        for (key, value) in [
            ("cache_max_age", Some(self.cache_max_age)),
            ("cache_s_maxage", self.cache_s_maxage),
            (
                "cache_stale_while_revalidate",
                Some(self.cache_stale_while_revalidate),
            ),
        ] {
            let max = 31_536_000;
            if value.is_some_and(|v| v > max) {
                bail!(
                    "{key} is in seconds, from 0 to {max} (a year), not {}",
                    value.unwrap_or_default()
                );
            }
        }
        if !(1..=1_000_000).contains(&self.smtp_per_minute) {
            bail!(
                "smtp_per_minute must be from 1 to 1000000, not {}",
                self.smtp_per_minute
            );
        }
        if !(1..=32).contains(&self.smtp_connections) {
            bail!(
                "smtp_connections must be from 1 to 32, not {}",
                self.smtp_connections
            );
        }
        let min = masthead_web::metrics::endpoint::MIN_TOKEN_LEN;
        let token = &self.metrics_token;
        if !token.is_empty() && (token.len() < min || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            bail!(
                "metrics_token must be at least {min} characters without spaces (make one with \
                 `openssl rand -hex 32`), or empty to have no /metrics on the site's address"
            );
        }
        let scheme_ok =
            self.base_url.starts_with("http://") || self.base_url.starts_with("https://");
        if !self.base_url.is_empty() && !scheme_ok {
            bail!(
                "base_url must start with http:// or https://, like \"https://news.example.org\""
            );
        }
        self.check_read_urls()?;
        crate::media_store::parse_url(&self.media_url)?;
        if crate::media_store::is_s3(self) && self.media_s3_region.trim().is_empty() {
            bail!(
                "media_s3_region must name the region the object store signs for (\"us-east-1\" \
                 for Amazon S3's default, Garage's s3_region, \"auto\" for R2)"
            );
        }
        crate::https::check(self)
    }

    /// Read replicas are PostgreSQL replicas of a PostgreSQL primary.
    fn check_read_urls(&self) -> anyhow::Result<()> {
        if self.database_read_url.0.is_empty() {
            return Ok(());
        }
        let postgres =
            |url: &str| url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !postgres(&self.database_url()) {
            bail!(
                "database_read_url is set, but read replicas need PostgreSQL and database_url is \
                 SQLite: remove database_read_url, or move the site to PostgreSQL first"
            );
        }
        for url in &self.database_read_url.0 {
            if !postgres(url) {
                bail!(
                    "database_read_url {} is not a PostgreSQL URL: read replicas need \
                     PostgreSQL (postgres://USER:PASSWORD@HOST:PORT/DB)",
                    masthead_store::redact_url(url)
                );
            }
        }
        Ok(())
    }

    /// The `Cache-Control` policy of public pages.
    pub fn http_caching(&self) -> masthead_web::HttpCaching {
        masthead_web::HttpCaching {
            max_age: self.cache_max_age,
            s_maxage: self.cache_s_maxage,
            stale_while_revalidate: self.cache_stale_while_revalidate,
        }
    }

    /// The database URL in effect: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("masthead.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The HTTP server's limits.
    pub fn limits(&self) -> masthead_web::listen::Limits {
        masthead_web::listen::Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            request_timeout: Duration::from_secs(self.request_timeout),
            max_connections: self.max_connections as usize,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
        }
    }

    /// The public URL in effect: the configured one, or the listen address.
    pub fn base_url(&self) -> String {
        if self.base_url.is_empty() {
            format!("http://{}", self.addr)
        } else {
            self.base_url.trim_end_matches('/').to_owned()
        }
    }

    /// Creates the data directory and its media folder, with a message that says what to fix.
    pub fn prepare_data_dir(&self) -> anyhow::Result<PathBuf> {
        let media = self.data_dir.join("media");
        std::fs::create_dir_all(&media).with_context(|| {
            format!(
                "cannot create the data directory {}: check that its parent exists and is writable, \
                 or choose another with --data-dir",
                media.display()
            )
        })?;
        let probe = self.data_dir.join(".write-test");
        std::fs::write(&probe, b"ok")
            .and_then(|()| std::fs::remove_file(&probe))
            .with_context(|| {
                format!(
                    "the data directory {} is not writable",
                    self.data_dir.display()
                )
            })?;
        Ok(media)
    }
}

/// `database_read_url`: one URL or a list. A single string is split at commas and spaces,
/// so the environment can name several.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct ReadUrls(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for ReadUrls {
    fn from(value: OneOrMany) -> Self {
        let all = match value {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        };
        Self(
            all.iter()
                .flat_map(|s| s.split([',', ' ', '\n', '\t']))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

/// A language tag as feeds and the Google News sitemap accept it: a 2- or 3-letter ISO 639
/// code in lower case, optionally followed by subtags of letters and digits ("en", "zh-cn").
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Config, Overrides, ReadUrls, is_language_tag};

    fn load(toml: &str) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("masthead.toml");
        std::fs::write(&file, toml)?;
        Config::load(Some(&file), Overrides::default())
    }

    #[test]
    fn database_read_url_is_one_url_a_list_or_urls_separated_by_commas() {
        let one = "postgres://r@a/news";
        let both = vec![
            "postgres://r@a/news".to_owned(),
            "postgres://r@b/news".to_owned(),
        ];
        let primary = "database_url = \"postgres://w@p/news\"\n";
        let config = load(&format!("{primary}database_read_url = \"{one}\"")).unwrap();
        assert_eq!(config.database_read_url, ReadUrls(vec![one.to_owned()]));
        let list = format!(
            "{primary}database_read_url = [\"{}\", \"{}\"]",
            both[0], both[1]
        );
        assert_eq!(
            load(&list).unwrap().database_read_url,
            ReadUrls(both.clone())
        );
        // The environment's form: one string.
        let joined = format!("{primary}database_read_url = \"{}, {}\"", both[0], both[1]);
        assert_eq!(load(&joined).unwrap().database_read_url, ReadUrls(both));
        assert!(load(primary).unwrap().database_read_url.0.is_empty());
    }

    #[test]
    fn read_replicas_need_postgresql() {
        let sqlite = load("database_read_url = \"postgres://r@a/news\"").unwrap_err();
        assert!(
            format!("{sqlite:#}").contains("read replicas need PostgreSQL"),
            "{sqlite:#}"
        );
        let mixed =
            load("database_url = \"postgres://w@p/news\"\ndatabase_read_url = \"sqlite://x.db\"")
                .unwrap_err();
        assert!(
            format!("{mixed:#}").contains("is not a PostgreSQL URL"),
            "{mixed:#}"
        );
    }

    #[test]
    fn language_tags_are_iso_639_codes_with_optional_subtags() {
        for ok in ["en", "es", "haw", "en-us", "zh-cn", "sr-latn-rs"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "e",
            "EN",
            "english",
            "en_US",
            "en-",
            "en-toolongsubtag",
            "<en>",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
