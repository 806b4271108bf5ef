//! One newsletter message as raw bytes: multipart/alternative (text and HTML, UTF-8), the
//! RFC 8058 one-click unsubscribe headers, a Message-ID of ours, and a DKIM signature.
//!
//! Built with lettre's builder (research notes §3), which RFC 2047-encodes header words and
//! quoted-printable-encodes the parts, so a CR or LF in a subject cannot start a header. Display
//! names are the exception: a CR or LF there panics lettre, so names and the subject pass
//! through [`clean_display_name`] first, and the few values we write ourselves (Message-ID,
//! List-Id, List-Unsubscribe) are checked and refused, never passed on, when malformed.

use crate::dkim::Dkim;
use crate::names::clean_display_name;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

/// The RFC 8058 list headers of a newsletter message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListHeaders {
    /// `List-Id`: a name and an id in angle brackets, e.g. `Daily digest <daily.news.example.org>`.
    pub list_id: String,
    /// The unsubscribe URL, for `List-Unsubscribe` and (https only) the one-click POST target.
    pub unsubscribe_url: String,
}

/// Everything one message needs, per recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The sender's display name (the site's name); cleaned before use.
    pub from_name: String,
    /// The sender's address.
    pub from_address: String,
    /// The reader's display name, may be empty; cleaned before use.
    pub to_name: String,
    /// The reader's address.
    pub to_address: String,
    /// The subject; cleaned before use (one line, at most 100 characters).
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part (CSS already inlined).
    pub html: String,
    /// The Message-ID without angle brackets, e.g. `s3.i9.ab12@news.example.org`.
    pub message_id: String,
    /// The list headers; `None` for a confirmation mail or a test send.
    pub list: Option<ListHeaders>,
}

fn mailbox(name: &str, address: &str, what: &str) -> Result<Mailbox, String> {
    let address: Address = address.parse().map_err(|e| {
        format!("the {what} address {address:?} is not an email address ({e}): correct it")
    })?;
    let name = clean_display_name(name);
    Ok(Mailbox::new((!name.is_empty()).then_some(name), address))
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// `id-left@id-right` of printable ASCII without angle brackets or spaces.
fn check_message_id(id: &str) -> Result<(), String> {
    let printable = id
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>'));
    match id.split_once('@') {
        Some((left, right))
            if printable && !left.is_empty() && !right.is_empty() && id.len() <= 250 =>
        {
            Ok(())
        }
        _ => Err(format!(
            "the Message-ID {id:?} is not local@domain in printable ASCII without <>: build it as s1.i2.tag@host"
        )),
    }
}

/// `Name <list.id>`: the name cleaned like a display name, the id a dotted ASCII name.
fn list_id(value: &str) -> Result<String, String> {
    let refuse = || {
        format!(
            "the List-Id {value:?} is not `Name <id.example.org>` (the id in ASCII letters, digits, '.', '-')"
        )
    };
    let (name, rest) = value.rsplit_once('<').ok_or_else(refuse)?;
    let id = rest.strip_suffix('>').ok_or_else(refuse)?;
    let ok = id.contains('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !ok {
        return Err(refuse());
    }
    let name = clean_display_name(name);
    Ok(if name.is_empty() {
        format!("<{id}>")
    } else {
        format!("{name} <{id}>")
    })
}

/// An http(s) URL, as the url crate serialises it (no spaces, no angle brackets), and
/// whether it is https (only then may it be a one-click target, RFC 8058 §3.1). Control
/// characters and spaces are refused, not dropped as the url crate would quietly do.
fn unsubscribe_url(value: &str) -> Result<(String, bool), String> {
    let clean = !value.chars().any(|c| c.is_control() || c.is_whitespace());
    match url::Url::parse(value) {
        Ok(url) if clean && matches!(url.scheme(), "https" | "http") && url.has_host() => {
            Ok((url.as_str().to_owned(), url.scheme() == "https"))
        }
        _ => Err(format!(
            "the unsubscribe URL {value:?} is not an https:// URL (RFC 8058 requires one for \
             one-click unsubscribing)"
        )),
    }
}

/// Builds the message and returns its raw bytes (CRLF line ends), DKIM-signed when `dkim` is
/// given. An error names the field to correct; nothing here panics on any input.
pub fn build_message(m: &OutgoingMessage, dkim: Option<&Dkim>) -> Result<Vec<u8>, String> {
    check_message_id(&m.message_id)?;
    let mut builder = Message::builder()
        .from(mailbox(&m.from_name, &m.from_address, "from")?)
        .to(mailbox(&m.to_name, &m.to_address, "recipient's")?)
        .subject(clean_display_name(&m.subject))
        .message_id(Some(format!("<{}>", m.message_id)));
    if let Some(list) = &m.list {
        let (url, https) = unsubscribe_url(&list.unsubscribe_url)?;
        builder = builder
            .raw_header(header("List-Id", list_id(&list.list_id)?))
            .raw_header(header("List-Unsubscribe", format!("<{url}>")));
        // One click is for https only (a site still on http, in development, gets the
        // plain RFC 2369 link: the reader's client opens the page with its button).
        if https {
            builder = builder.raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_owned(),
            ));
        }
    }
    let mut message = builder
        .multipart(MultiPart::alternative_plain_html(
            m.text.clone(),
            m.html.clone(),
        ))
        .map_err(|e| format!("the message could not be built: {e}"))?;
    if let Some(dkim) = dkim {
        dkim.sign(&mut message);
    }
    Ok(message.formatted())
}
