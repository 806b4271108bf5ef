//! The newsletter's web side: the reader's pages (signing up, confirming, preferences,
//! leaving in one click, their data), the mails' composition and signed links, and the
//! worker that sends, on every app server, from the queue in the database.
//!
//! Nothing is sent unless the operator configured an SMTP server ([`Mail`], given to
//! [`crate::AppState::with_mail`]); without one the signup form is not shown and the desk
//! says how to set it up.

pub mod compose;
pub mod links;
pub(crate) mod public;
pub mod worker;

use masthead_mail::{Dkim, SmtpSettings};

/// The operator's mail settings.
pub struct Mail {
    /// Where and how to hand mail over.
    pub smtp: SmtpSettings,
    /// The sender's address (`news@example.org`), also the envelope sender bounces go to.
    pub from_address: String,
    /// Signs every mail when set.
    pub dkim: Option<Dkim>,
    /// Messages per minute all app servers together may hand over.
    pub per_minute: i64,
    /// SMTP sessions this server keeps open at once while a send goes out.
    pub connections: usize,
    /// Whether stories' links go through `/newsletter/go/…`, which counts clicks per send
    /// and story (never who clicked). Off unless the operator turns it on.
    pub click_counts: bool,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("smtp", &self.smtp.to_string())
            .field("from_address", &self.from_address)
            .field("dkim", &self.dkim.as_ref().map(Dkim::algorithm))
            .field("per_minute", &self.per_minute)
            .field("connections", &self.connections)
            .field("click_counts", &self.click_counts)
            .finish()
    }
}
