//! One SMTP session on lettre's low-level `AsyncSmtpConnection`, for many messages in a row.
//!
//! Not `AsyncSmtpTransport` (research notes §1): only the low-level connection shows *which*
//! step failed, the transport's timeout covers only the TCP connect, it never sets
//! TCP_NODELAY (40 ms a message), and it aborts the session on any refused recipient. Here
//! every step has its own `tokio::time::timeout`; a refused RCPT leaves the session usable
//! (call [`SmtpConnection::reset`]); after a timeout or a lost connection
//! [`SmtpConnection::is_broken`] says to drop it and open a new one. STARTTLS that the server
//! does not offer is an error: nothing is ever sent in the clear unless the URL said
//! `?tls=none` to a loopback host.

use crate::error::{SmtpError, Step};
use crate::implicit_tls::TlsOverTcp;
use crate::settings::{Security, SmtpSettings, Timeouts};
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::timeout;

/// An open, greeted, encrypted (unless loopback plaintext) and logged-in SMTP session.
pub struct SmtpConnection {
    inner: AsyncSmtpConnection,
    timeouts: Timeouts,
    broken: bool,
    /// The open transaction declared SMTPUTF8 (so the message may hold UTF-8 headers).
    eight_bit: bool,
}

impl std::fmt::Debug for SmtpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConnection")
            .field("server", &self.inner.server_info().name())
            .field("broken", &self.is_broken())
            .finish_non_exhaustive()
    }
}

/// Runs one step under `limit`, converting lettre's error or the timeout into ours.
async fn within<T>(
    step: Step,
    limit: Duration,
    fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, SmtpError> {
    match timeout(limit, fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(SmtpError::from_lettre(step, &e)),
        Err(_) => Err(SmtpError::timeout(step, limit)),
    }
}

/// A failed handshake is about the server's certificate or TLS setup far more often than a
/// network fault, so it is the operator's to look at (ServerProblem), not a silent retry.
fn handshake_failed(e: SmtpError) -> SmtpError {
    if e.code.is_none() && !e.timed_out {
        SmtpError {
            connection_lost: false,
            ..e
        }
    } else {
        e
    }
}

fn tls_parameters(settings: &SmtpSettings) -> Result<TlsParameters, SmtpError> {
    let mut builder = TlsParameters::builder(settings.host.clone());
    if let Some(pem) = settings.root_certificate() {
        let cert = Certificate::from_pem(pem)
            .map_err(|e| SmtpError::local(Step::Tls, format!("the extra root certificate: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| SmtpError::local(Step::Tls, e.to_string()))
}

fn reply_text(response: &Response) -> String {
    let lines: Vec<&str> = response.message().collect();
    format!("{} {}", u16::from(response.code()), lines.join(" "))
}

impl SmtpConnection {
    /// Connects, reads the greeting, says EHLO as `hello_domain` (the site's host), upgrades
    /// with STARTTLS (or speaks TLS from the start for `smtps://`), and logs in with AUTH PLAIN
    /// or LOGIN when the URL has a user.
    pub async fn open(settings: &SmtpSettings, hello_domain: &str) -> Result<Self, SmtpError> {
        let t = settings.timeouts;
        let hello = ClientId::Domain(hello_domain.to_owned());
        let target = format!("{}:{}", settings.host, settings.port);
        let tcp = match timeout(
            t.connect,
            TcpStream::connect((settings.host.as_str(), settings.port)),
        )
        .await
        {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(e)) => return Err(SmtpError::lost(Step::Connect, format!("{target}: {e}"))),
            Err(_) => return Err(SmtpError::timeout(Step::Connect, t.connect)),
        };
        // lettre writes the body and the final "." separately; without NODELAY, Nagle holds
        // the dot until the server's delayed ACK: 40 ms a message (13.4 s against 0.37 s for 300).
        tcp.set_nodelay(true)
            .map_err(|e| SmtpError::lost(Step::Connect, format!("{target}: TCP_NODELAY: {e}")))?;
        let stream: Box<dyn AsyncTokioStream> = match settings.security {
            Security::Implicit => {
                let tls = tls_parameters(settings)?;
                Box::new(
                    within(Step::Tls, t.command, TlsOverTcp::handshake(tcp, tls))
                        .await
                        .map_err(handshake_failed)?,
                )
            }
            Security::StartTls | Security::Plain => Box::new(tcp),
        };
        let mut inner = within(
            Step::Hello,
            t.command,
            AsyncSmtpConnection::connect_with_transport(stream, &hello),
        )
        .await?;
        if settings.security == Security::StartTls {
            if !inner.server_info().supports_feature(Extension::StartTls) {
                let _ = timeout(t.command, inner.quit()).await;
                return Err(SmtpError::local(
                    Step::Tls,
                    format!(
                        "{target} does not offer STARTTLS, and masthead never sends mail or a password in the clear"
                    ),
                ));
            }
            let tls = tls_parameters(settings)?;
            within(Step::Tls, t.command, inner.starttls(tls, &hello))
                .await
                .map_err(handshake_failed)?;
        }
        if let Some((user, password)) = settings.credentials() {
            let credentials = Credentials::new(user.to_owned(), password.to_owned());
            within(
                Step::Auth,
                t.command,
                inner.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await?;
        }
        Ok(SmtpConnection {
            inner,
            timeouts: t,
            broken: false,
            eight_bit: false,
        })
    }

    /// Marks the connection broken when `result` lost it (timeout, network error).
    fn check<T>(&mut self, result: Result<T, SmtpError>) -> Result<T, SmtpError> {
        if let Err(e) = &result
            && (e.connection_lost || e.timed_out)
        {
            self.broken = true;
        }
        result
    }

    /// MAIL FROM `from` and RCPT TO `to`, one recipient. A non-ASCII address adds SMTPUTF8
    /// (and BODY=8BITMIME when offered), or fails when the server lacks SMTPUTF8. After any
    /// refusal the session is still usable: call [`reset`](Self::reset) before the next message.
    pub async fn envelope(&mut self, from: &str, to: &str) -> Result<(), SmtpError> {
        self.eight_bit = false;
        let sender: Address = from.parse().map_err(|e| {
            SmtpError::local(
                Step::MailFrom,
                format!("{from:?} is not an email address ({e})"),
            )
        })?;
        let recipient: Address = to.parse().map_err(|e| {
            SmtpError::local(Step::Rcpt, format!("{to:?} is not an email address ({e})"))
        })?;
        let mut params = Vec::new();
        if !from.is_ascii() || !to.is_ascii() {
            let info = self.inner.server_info();
            if !info.supports_feature(Extension::SmtpUtfEight) {
                let step = if to.is_ascii() {
                    Step::MailFrom
                } else {
                    Step::Rcpt
                };
                let text = "the address has non-ASCII characters and the SMTP server does not support SMTPUTF8";
                return Err(SmtpError::local(step, text));
            }
            params.push(MailParameter::SmtpUtfEight);
            if info.supports_feature(Extension::EightBitMime) {
                params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
            }
            self.eight_bit = true;
        }
        let limit = self.timeouts.command;
        let result = within(
            Step::MailFrom,
            limit,
            self.inner.command(Mail::new(Some(sender), params)),
        )
        .await;
        self.check(result)?;
        let result = within(
            Step::Rcpt,
            limit,
            self.inner.command(Rcpt::new(recipient, Vec::new())),
        )
        .await;
        self.check(result).map(drop)
    }

    /// DATA and the message (raw bytes with CRLF line ends, as [`build_message`](crate::build_message)
    /// returns them); the server's reply, e.g. "250 OK queued as 4XyZ". A failure once the body
    /// has begun is `Step::Data` with `body_written`, [`Verdict::Uncertain`](crate::Verdict::Uncertain)
    /// unless the server answered a code.
    pub async fn data(&mut self, message: &[u8]) -> Result<String, SmtpError> {
        if !message.is_ascii() && !self.eight_bit {
            let text = "the message has 8-bit bytes but its envelope declared no SMTPUTF8: build it with build_message";
            return Err(SmtpError::local(Step::Data, text));
        }
        let result = within(Step::Data, self.timeouts.command, self.inner.command(Data)).await;
        self.check(result)?;
        let result = within(Step::Data, self.timeouts.data, self.inner.message(message)).await;
        self.eight_bit = false;
        let result = result.map_err(|e| SmtpError {
            body_written: true,
            ..e
        });
        self.check(result).map(|response| reply_text(&response))
    }

    /// RSET: ends a transaction whose recipient or message was refused.
    pub async fn reset(&mut self) -> Result<(), SmtpError> {
        self.eight_bit = false;
        let result = within(
            Step::MailFrom,
            self.timeouts.command,
            self.inner.command(Rset),
        )
        .await;
        self.check(result).map(drop)
    }

    /// QUIT, ignoring any error; the connection closes either way.
    pub async fn quit(mut self) {
        if !self.is_broken() {
            let _ = timeout(self.timeouts.command, self.inner.quit()).await;
        }
    }

    /// True after a timeout or a lost connection: drop this one and open a new one.
    pub fn is_broken(&self) -> bool {
        self.broken || self.inner.has_broken()
    }
}
