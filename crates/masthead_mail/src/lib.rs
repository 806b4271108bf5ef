//! The newsletter's mail layer (issue 15): the operator's SMTP URL, SMTP sessions on lettre's
//! low-level connection with a timeout on every step and a [`Verdict`] on every failure,
//! messages built with lettre's builder (text and HTML, RFC 8058 one-click unsubscribe) and
//! signed with DKIM.
//!
//! The choices and what was checked behind them are in the research notes on the newsletter
//! (lettre 0.11.23, DKIM key formats, header injection) and in `docs/ARCHITECTURE.md`.

mod connection;
mod dkim;
mod error;
mod implicit_tls;
mod message;
mod names;
mod one;
mod settings;

pub use connection::SmtpConnection;
pub use dkim::Dkim;
pub use error::{SmtpError, Step, Verdict};
pub use message::{ListHeaders, OutgoingMessage, build_message};
pub use names::{MAX_NAME_CHARS, clean_display_name};
pub use one::send_one;
pub use settings::{Security, SmtpSettings, Timeouts};
