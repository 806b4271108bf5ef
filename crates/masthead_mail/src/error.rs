//! What went wrong in an SMTP session, at which step, and what the sender should do about it.
//!
//! The policy: the *step* decides whose fault a refusal is. A 5xx at RCPT is about the reader's
//! address; the same 5xx at AUTH is about our login. lettre's `is_permanent()` alone would call a
//! refused login a hard bounce, so every error here carries its [`Step`], and [`SmtpError::verdict`]
//! turns step, reply code and what was already written into one of five [`Verdict`]s.

use std::fmt;

/// The step of the session that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// Resolving the host and opening TCP.
    Connect,
    /// The TLS handshake, or a server that does not offer STARTTLS.
    Tls,
    /// The server's greeting and our EHLO.
    Hello,
    /// Logging in (AUTH PLAIN or LOGIN).
    Auth,
    /// MAIL FROM (also RSET, which resets the same transaction).
    MailFrom,
    /// RCPT TO: the reader's address.
    Rcpt,
    /// DATA, the message, and the server's end-of-data reply.
    Data,
}

/// What the sender should do after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// A 4xx anywhere, or the connection refused, timed out or lost before the message was
    /// written: try again later, with backoff.
    Retry,
    /// The address is bad (RCPT 5xx with 5.1.x or 5.2.1, or a bare 550/551/553): stop mailing it.
    HardBounce,
    /// A 5xx about this message or recipient that is not a bad address (5.7.x policy at RCPT,
    /// 5xx at DATA, SMTPUTF8 unsupported): this message failed; the address stays.
    Refused,
    /// Not the reader's fault: connecting, TLS, greeting or login failed, or MAIL FROM was
    /// refused. The sender should pause and tell the desk.
    ServerProblem,
    /// The message was (perhaps) fully written but no reply was read: it may have been
    /// delivered. Never resend on its own.
    Uncertain,
}

/// One failed step of an SMTP session.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SmtpError {
    /// The step that failed.
    pub step: Step,
    /// The server's reply code, when it answered (550, 451, 535 …).
    pub code: Option<u16>,
    /// The enhanced status code at the start of the reply text, when there is one ("5.1.1").
    pub enhanced: Option<String>,
    /// The server's reply text, or what went wrong on our side.
    pub text: String,
    /// No reply came within the time limit.
    pub timed_out: bool,
    /// No reply could be read: the connection failed, closed or went silent. The connection is
    /// unusable afterwards.
    pub connection_lost: bool,
    /// The message body had begun to be written when the error happened (Step::Data only).
    pub body_written: bool,
}

impl SmtpError {
    /// An error from our side or the network, without a reply code.
    pub(crate) fn local(step: Step, text: impl Into<String>) -> Self {
        SmtpError {
            step,
            code: None,
            enhanced: None,
            text: text.into(),
            timed_out: false,
            connection_lost: false,
            body_written: false,
        }
    }

    /// The connection failed or closed without a reply.
    pub(crate) fn lost(step: Step, text: impl Into<String>) -> Self {
        SmtpError {
            connection_lost: true,
            ..Self::local(step, text)
        }
    }

    /// No reply within `limit`.
    pub(crate) fn timeout(step: Step, limit: std::time::Duration) -> Self {
        let text = format!("no reply within {} s", limit.as_secs_f32());
        SmtpError {
            timed_out: true,
            ..Self::lost(step, text)
        }
    }

    /// Converts lettre's error for `step`: a reply code when the server answered one, a lost
    /// connection otherwise (unless lettre refused on its own, before sending anything).
    pub(crate) fn from_lettre(step: Step, e: &lettre::transport::smtp::Error) -> Self {
        let text = match std::error::Error::source(e) {
            Some(source) if e.status().is_some() => source.to_string(),
            _ => e.to_string(),
        };
        match e.status() {
            Some(code) => {
                let enhanced = enhanced_code(&text);
                SmtpError {
                    code: Some(u16::from(code)),
                    enhanced,
                    ..Self::local(step, text)
                }
            }
            None if e.is_client() => Self::local(step, text),
            None => Self::lost(step, text),
        }
    }

    /// What the sender should do (see [`Verdict`]).
    pub fn verdict(&self) -> Verdict {
        let class = self.code.map(|c| c / 100);
        match (self.step, class) {
            (_, Some(4)) => Verdict::Retry,
            (Step::Rcpt, Some(5)) if self.bad_address() => Verdict::HardBounce,
            (Step::Rcpt | Step::Data, Some(5)) => Verdict::Refused,
            (_, Some(_)) => Verdict::ServerProblem,
            (Step::Data, None) if self.body_written => Verdict::Uncertain,
            (_, None) if self.connection_lost || self.timed_out => Verdict::Retry,
            (Step::Connect, None) => Verdict::Retry,
            (Step::Rcpt | Step::Data, None) => Verdict::Refused,
            (_, None) => Verdict::ServerProblem,
        }
    }

    fn bad_address(&self) -> bool {
        match &self.enhanced {
            Some(e) => e.starts_with("5.1.") || e == "5.2.1",
            None => matches!(self.code, Some(550 | 551 | 553)),
        }
    }
}

/// "5.1.1" from "5.1.1 no such user", when the text starts with an enhanced status code.
fn enhanced_code(text: &str) -> Option<String> {
    let word = text.split_whitespace().next()?;
    let mut parts = word.split('.');
    let class = parts.next()?;
    let ok = matches!(class, "2" | "4" | "5")
        && parts.clone().count() == 2
        && parts.all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| word.to_owned())
}

impl fmt::Display for SmtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match (self.step, self.body_written) {
            (Step::Connect, _) => "could not connect to the SMTP server",
            (Step::Tls, _) => "could not set up TLS with the SMTP server",
            (Step::Hello, _) => "the SMTP server refused our greeting",
            (Step::Auth, _) => "the SMTP server refused the login",
            (Step::MailFrom, _) => "the SMTP server refused the sender address",
            (Step::Rcpt, _) => "the SMTP server refused the recipient",
            (Step::Data, false) => "the SMTP server refused the message",
            (Step::Data, true) if self.code.is_some() => "the SMTP server refused the message",
            (Step::Data, true) => "the message was sent but the SMTP server never confirmed it",
        };
        match self.code {
            Some(code) => write!(f, "{what} ({code} {})", self.text)?,
            None => write!(f, "{what} ({})", self.text)?,
        }
        let advice = match (self.verdict(), self.step) {
            (Verdict::Retry, _) => "try again later",
            (Verdict::HardBounce, _) => "the address does not take mail",
            (Verdict::Refused, _) => "this message was not delivered to this address",
            (Verdict::Uncertain, _) => {
                "it may or may not have been delivered, so it is not sent again on its own"
            }
            (Verdict::ServerProblem, Step::Connect) => "check the host and port in smtp_url",
            (Verdict::ServerProblem, Step::Tls) => {
                "check that the server's certificate is valid for the host in smtp_url; \
                 use smtps:// if the server wants TLS from the start (port 465)"
            }
            (Verdict::ServerProblem, Step::Auth) => "check the user and password in smtp_url",
            (Verdict::ServerProblem, Step::MailFrom) => {
                "check that the newsletter's from address is one this server lets you send as"
            }
            (Verdict::ServerProblem, _) => "check smtp_url and the server's logs",
        };
        write!(f, ": {advice}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "error_tests.rs"]
mod tests;
