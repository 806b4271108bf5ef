//! HTTPS from the configuration: checks the `tls*`, `http_addr` and `acme*` keys, and makes
//! what `masthead serve` listens with (see `masthead_tls` and `masthead_web::listen`).

use crate::config::Config;
use anyhow::{Context, bail};
use masthead_tls::{AcmeSettings, Challenge, Tls};
use std::path::Path;
use std::time::Duration;

/// HTTPS, ready to serve.
pub struct Https {
    /// The certificate in use, and the HTTP-01 answers.
    pub tls: Tls,
    /// Keeps an ACME certificate valid, for as long as it is polled (`tls = "acme"`).
    pub acme: Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>>,
    /// Where the plain-HTTP companion listens (redirects, HTTP-01), unless turned off.
    pub http_addr: Option<String>,
}

/// Checks the HTTPS keys (called by `Config::check`).
pub fn check(config: &Config) -> anyhow::Result<()> {
    match config.tls.as_str() {
        "off" => return Ok(()),
        "acme" => {
            if domains(config).is_empty() {
                bail!(
                    "tls = \"acme\" needs the site's host names: set base_url = \
                     \"https://news.example.org\" or tls_domains = [\"news.example.org\"]"
                );
            }
            for name in domains(config) {
                let valid = !name.is_empty()
                    && name.len() <= 253
                    && name.split('.').all(|l| {
                        !l.is_empty()
                            && l.len() <= 63
                            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    });
                if !valid {
                    bail!(
                        "tls_domains: {name:?} is not a host name (write names like \
                         \"news.example.org\", no scheme, port or path; IDNs in their xn-- form)"
                    );
                }
            }
            if challenge(config)? == Challenge::Http01 && config.http_addr == "off" {
                bail!(
                    "acme_challenge = \"http-01\" needs the plain-HTTP listener: set http_addr \
                     (e.g. \"0.0.0.0:80\") or acme_challenge = \"tls-alpn-01\""
                );
            }
            if !(1..=90).contains(&config.acme_renew_before_days) {
                bail!(
                    "acme_renew_before_days must be from 1 to 90, not {}",
                    config.acme_renew_before_days
                );
            }
            if !(1..=86_400).contains(&config.acme_check_interval) {
                bail!(
                    "acme_check_interval is in seconds, from 1 to 86400, not {}",
                    config.acme_check_interval
                );
            }
        }
        "files" => {
            if config.tls_cert.is_none() || config.tls_key.is_none() {
                bail!(
                    "tls = \"files\" needs tls_cert (the certificate chain, PEM) and tls_key \
                     (its private key, PEM)"
                );
            }
        }
        other => bail!("tls must be \"off\", \"acme\" or \"files\", not {other:?}"),
    }
    if config.base_url.starts_with("http://") {
        bail!(
            "tls is on but base_url starts with http://: make it https://{}",
            config.base_url.trim_start_matches("http://")
        );
    }
    Ok(())
}

/// HTTPS as configured, or `None` when `tls = "off"`. A certificate from files is read now;
/// ACME's stored one too, and the rest happens when [`Https::acme`] runs.
pub fn setup(config: &Config, data_dir: &Path) -> anyhow::Result<Option<Https>> {
    let http_addr = match config.http_addr.as_str() {
        "off" => None,
        "" => Some("0.0.0.0:80".to_owned()),
        addr => Some(addr.to_owned()),
    };
    let https = match config.tls.as_str() {
        "files" => {
            let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
                bail!("tls = \"files\" needs tls_cert and tls_key");
            };
            let tls = Tls::from_files(cert, key)?;
            Https {
                tls,
                acme: None,
                http_addr,
            }
        }
        "acme" => {
            let settings = AcmeSettings {
                domains: domains(config),
                email: config.tls_email.clone(),
                directory: config.acme_directory.clone(),
                ca_file: config.acme_ca_file.clone(),
                challenge: challenge(config)?,
                dir: data_dir.join("tls"),
                renew_before: Duration::from_secs(
                    u64::from(config.acme_renew_before_days) * 86_400,
                ),
                check_every: Duration::from_secs(config.acme_check_interval),
            };
            let (tls, acme) =
                Tls::acme(settings).with_context(|| "cannot set up HTTPS over ACME".to_owned())?;
            if !tls.has_certificate() {
                tracing::info!(
                    directory = %config.acme_directory,
                    "no certificate yet: obtaining one over ACME (HTTPS handshakes fail until it arrives)"
                );
            }
            Https {
                tls,
                acme: Some(Box::pin(acme)),
                http_addr,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(https))
}

/// The host names HTTPS is for: `tls_domains`, or the host of `base_url`.
pub fn domains(config: &Config) -> Vec<String> {
    if !config.tls_domains.is_empty() {
        return config
            .tls_domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .collect();
    }
    url_host(&config.base_url).into_iter().collect()
}

/// The host of an `http(s)://host[:port]/…` address, lower case.
fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn challenge(config: &Config) -> anyhow::Result<Challenge> {
    match config.acme_challenge.as_str() {
        "http-01" => Ok(Challenge::Http01),
        "tls-alpn-01" => Ok(Challenge::TlsAlpn01),
        other => bail!("acme_challenge must be \"http-01\" or \"tls-alpn-01\", not {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(change: impl FnOnce(&mut Config)) -> String {
        let mut config = Config::default();
        change(&mut config);
        match check(&config) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn https_settings_are_checked_with_the_fix_named() {
        assert_eq!(refusal(|_| {}), "", "tls is off by default");
        assert!(refusal(|c| c.tls = "on".into()).contains("\"off\", \"acme\" or \"files\""));
        assert!(refusal(|c| c.tls = "acme".into()).contains("set base_url"));
        let acme = |c: &mut Config| {
            c.tls = "acme".into();
            c.base_url = "https://news.example.org".into();
        };
        assert_eq!(refusal(acme), "");
        assert!(
            refusal(|c| {
                acme(c);
                c.tls_domains = vec!["https://news.example.org/".into()];
            })
            .contains("is not a host name")
        );
        assert!(
            refusal(|c| {
                acme(c);
                c.http_addr = "off".into();
            })
            .contains("tls-alpn-01")
        );
        assert_eq!(
            refusal(|c| {
                acme(c);
                c.http_addr = "off".into();
                c.acme_challenge = "tls-alpn-01".into();
            }),
            ""
        );
        assert!(
            refusal(|c| {
                acme(c);
                c.acme_renew_before_days = 365;
            })
            .contains("from 1 to 90")
        );
        assert!(
            refusal(|c| {
                acme(c);
                c.base_url = "http://news.example.org".into();
            })
            .contains("make it https://news.example.org")
        );
        assert!(refusal(|c| c.tls = "files".into()).contains("tls_cert"));
    }

    #[test]
    fn the_host_of_base_url_is_the_default_name() {
        assert_eq!(
            url_host("https://News.Example.org/"),
            Some("news.example.org".into())
        );
        assert_eq!(
            url_host("https://news.example.org:8443"),
            Some("news.example.org".into())
        );
        assert_eq!(url_host("news.example.org"), None);
    }
}
