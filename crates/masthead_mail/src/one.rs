//! One message in a session of its own: confirmation mails and the desk's test send.

use crate::connection::SmtpConnection;
use crate::error::SmtpError;
use crate::settings::SmtpSettings;

/// Opens a session, sends `message` from `envelope_from` to `to`, and says QUIT; the server's
/// reply to the message ("250 OK queued as …").
pub async fn send_one(
    settings: &SmtpSettings,
    hello_domain: &str,
    envelope_from: &str,
    to: &str,
    message: &[u8],
) -> Result<String, SmtpError> {
    let mut connection = SmtpConnection::open(settings, hello_domain).await?;
    let sent = match connection.envelope(envelope_from, to).await {
        Ok(()) => connection.data(message).await,
        Err(e) => Err(e),
    };
    connection.quit().await;
    sent
}
