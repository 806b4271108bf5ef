//! The operator's `smtp_url` (`MASTHEAD_SMTP_URL`), parsed into [`SmtpSettings`].
//!
//! We parse it ourselves rather than with lettre's `from_url`: lettre reads
//! `smtp://user:pass@host:587` as *plaintext* and would send the password in the clear
//! (checked in the research notes). Here `smtp://` means STARTTLS, required; `smtps://` means
//! TLS from the first byte; plaintext needs `?tls=none` and a loopback host (tests, a local
//! relay). The password never appears in `Debug`, `Display` or an error.

use percent_encoding::percent_decode_str;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain TCP, then STARTTLS before anything else; a server without STARTTLS is an error.
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Implicit,
    /// No TLS at all: only to a loopback host, and only when the URL says `?tls=none`.
    Plain,
}

/// How long each step of a session may take before the connection is given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// The TCP connect.
    pub connect: Duration,
    /// Each command and its reply: greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET.
    pub command: Duration,
    /// Writing the message and reading the server's end-of-data reply.
    pub data: Duration,
}

impl Default for Timeouts {
    /// 30 s to connect, 60 s per command, 5 min for the message (RFC 5321 allows 10).
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            command: Duration::from_secs(60),
            data: Duration::from_secs(300),
        }
    }
}

/// Where and how to reach the SMTP server. Parse it from the URL with [`SmtpSettings::parse`].
#[derive(Clone)]
pub struct SmtpSettings {
    /// Host name or IP address (an IPv6 address without brackets).
    pub host: String,
    /// TCP port: 587 for `smtp://` and 465 for `smtps://` unless the URL names one.
    pub port: u16,
    /// STARTTLS, implicit TLS, or (loopback only) none.
    pub security: Security,
    credentials: Option<(String, String)>,
    /// Per-step time limits.
    pub timeouts: Timeouts,
    root_certificate: Option<Vec<u8>>,
}

/// What must be %-escaped in the user part of a URL (and nothing more, so it stays readable).
const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b'@')
    .add(b':')
    .add(b'/')
    .add(b'?')
    .add(b'#');

const FORMS: &str = "write it as smtp://user:password@host:587 (STARTTLS) or \
                     smtps://user:password@host:465 (TLS from the start)";

impl SmtpSettings {
    /// Parses `smtp://user:pass@host[:587]` (STARTTLS required), `smtps://user:pass@host[:465]`
    /// (implicit TLS), or `smtp://host:port?tls=none` for a loopback host (127.0.0.0/8, ::1,
    /// localhost). The user and password are percent-decoded (`%40` for `@`). An error says
    /// what to change and never repeats the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let parsed =
            Url::parse(url).map_err(|e| format!("smtp_url is not a URL ({e}): {FORMS}"))?;
        let (mut security, default_port) = match parsed.scheme() {
            "smtp" => (Security::StartTls, 587),
            "smtps" => (Security::Implicit, 465),
            other => {
                return Err(format!(
                    "smtp_url has the scheme {other}:, not smtp: or smtps:: {FORMS}"
                ));
            }
        };
        let (host, loopback) = match parsed.host() {
            // smtp: is not a "special" scheme to the url crate, so an IPv4 address arrives
            // as an opaque host name.
            Some(Host::Domain(d)) if !d.is_empty() => match d.parse::<IpAddr>() {
                Ok(ip) => (ip.to_string(), ip.is_loopback()),
                Err(_) => (d.to_owned(), d.eq_ignore_ascii_case("localhost")),
            },
            Some(Host::Ipv4(ip)) => (ip.to_string(), IpAddr::V4(ip).is_loopback()),
            Some(Host::Ipv6(ip)) => (ip.to_string(), IpAddr::V6(ip).is_loopback()),
            _ => return Err(format!("smtp_url names no host: {FORMS}")),
        };
        if !matches!(parsed.path(), "" | "/") || parsed.fragment().is_some() {
            return Err(format!(
                "smtp_url has a path or #fragment, which means nothing here: {FORMS}"
            ));
        }
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "none") if security == Security::StartTls && loopback => {
                    security = Security::Plain
                }
                ("tls", "none") if security == Security::StartTls => {
                    return Err(format!(
                        "smtp_url asks for no TLS (?tls=none) to {host}, which is not this machine: \
                         mail and the password would cross the network in the clear; remove ?tls=none"
                    ));
                }
                ("tls", "none") => {
                    return Err(
                        "smtp_url says smtps:// and ?tls=none at once: remove ?tls=none".into(),
                    );
                }
                _ => {
                    return Err(format!(
                        "smtp_url has the query parameter {key}, which is not understood: \
                         the only one is tls=none (for a server on this machine)"
                    ));
                }
            }
        }
        let decode = |s: &str, what: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| {
                    format!(
                        "the {what} in smtp_url is not UTF-8 once %-decoded: check its %xx escapes"
                    )
                })
        };
        let user = decode(parsed.username(), "user")?;
        let password = decode(parsed.password().unwrap_or(""), "password")?;
        let credentials = match (user.is_empty(), password.is_empty()) {
            (true, true) => None,
            (false, false) => Some((user, password)),
            (true, false) => return Err(format!("smtp_url has a password but no user: {FORMS}")),
            (false, true) => {
                return Err(format!(
                    "smtp_url has the user {user} but no password: {FORMS}"
                ));
            }
        };
        Ok(SmtpSettings {
            host,
            port: parsed.port().unwrap_or(default_port),
            security,
            credentials,
            timeouts: Timeouts::default(),
            root_certificate: None,
        })
    }

    /// Trusts one more certificate authority (PEM) besides the platform's, for tests that run
    /// their own server with their own CA.
    pub fn with_root_certificate(mut self, pem: &[u8]) -> Result<Self, String> {
        let is_pem = pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----");
        if !is_pem || lettre::transport::smtp::client::Certificate::from_pem(pem).is_err() {
            return Err(
                "the root certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
                    .into(),
            );
        }
        self.root_certificate = Some(pem.to_vec());
        Ok(self)
    }

    /// Replaces the per-step time limits.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The user and password, when the URL has them.
    pub(crate) fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// The extra trusted CA, when one was given.
    pub(crate) fn root_certificate(&self) -> Option<&[u8]> {
        self.root_certificate.as_deref()
    }
}

impl fmt::Display for SmtpSettings {
    /// `smtp://user@host:port`: never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.security == Security::Implicit {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://")?;
        if let Some((user, _)) = &self.credentials {
            write!(
                f,
                "{}@",
                percent_encoding::utf8_percent_encode(user, USERINFO)
            )?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "{}:{}", self.host, self.port)?;
        }
        if self.security == Security::Plain {
            f.write_str("?tls=none")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("password", &self.credentials.as_ref().map(|_| "(hidden)"))
            .field("timeouts", &self.timeouts)
            .field("root_certificate", &self.root_certificate.is_some())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "settings_tests.rs"]
mod tests;
