//! Reader comments' rules, with no I/O: what a comment form must hold ([`NewComment`]), the
//! moderation policy and the other comment settings ([`CommentSettings`]), what decides a
//! comment's first status ([`first_status`]) and the content checks (links, blocked words).
//! The form's signed fill-time token is [`crate::form_token`]'s, scoped to the story by
//! [`form_scope`].

use crate::article::text_enum;
use crate::{CommentStatus, EmailAddress, InvalidInput, WebUrl};
use std::collections::BTreeMap;

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest comment accepted, in characters.
pub const MAX_BODY_CHARS: usize = 5_000;
/// The most links a comment may carry (its website field aside).
pub const MAX_LINKS: usize = 2;

text_enum!(
    /// Which new comments wait for a moderator.
    ModerationPolicy, "moderation policy" {
        /// Every comment waits.
        HoldAll = "hold_all",
        /// A comment waits unless its email already has an approved comment (the default).
        HoldFirst = "hold_first",
        /// Every comment that passes the spam checks is shown at once.
        Publish = "publish",
    }
);

/// The comment settings an admin keeps in the desk (stored as `comments_*` settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentSettings {
    /// Which comments wait for a moderator.
    pub policy: ModerationPolicy,
    /// Comments close this many days after a story is published; 0 never.
    pub close_after_days: u32,
    /// Words (or phrases) that send a comment to the spam folder, lowercase.
    pub blocklist: Vec<String>,
    /// Comments one address may post in ten minutes.
    pub per_address: u32,
    /// Comments one email may post in ten minutes.
    pub per_email: u32,
    /// Comments the whole site takes in a minute.
    pub site_per_minute: u32,
}

impl Default for CommentSettings {
    fn default() -> Self {
        Self {
            policy: ModerationPolicy::HoldFirst,
            close_after_days: 0,
            blocklist: Vec::new(),
            per_address: 5,
            per_email: 5,
            site_per_minute: 120,
        }
    }
}

impl CommentSettings {
    /// The settings among the site's stored name/value pairs; missing or unreadable ones
    /// keep their defaults (the desk refuses bad values before they are stored).
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Self {
        let mut s = Self::default();
        if let Some(p) = settings
            .get("comments_policy")
            .and_then(|v| ModerationPolicy::parse(v).ok())
        {
            s.policy = p;
        }
        if let Some(d) = settings
            .get("comments_close_days")
            .and_then(|v| v.parse().ok())
        {
            s.close_after_days = d;
        }
        let number = |name: &str| settings.get(name).and_then(|v| v.parse::<u32>().ok());
        if let Some(n) = number("comments_per_address").filter(|n| *n > 0) {
            s.per_address = n;
        }
        if let Some(n) = number("comments_per_email").filter(|n| *n > 0) {
            s.per_email = n;
        }
        if let Some(n) = number("comments_site_per_minute").filter(|n| *n > 0) {
            s.site_per_minute = n;
        }
        if let Some(words) = settings.get("comments_blocklist") {
            s.blocklist = blocklist(words);
        }
        s
    }

    /// Whether a story published at `published_us` still takes comments at `now_us` (both
    /// Unix microseconds), given its own switch.
    pub fn open(&self, article_open: bool, published_us: i64, now_us: i64) -> bool {
        article_open
            && (self.close_after_days == 0
                || now_us < published_us + i64::from(self.close_after_days) * 86_400_000_000)
    }

    /// The first blocked word `text` contains, if any (case-insensitive).
    pub fn blocked_word(&self, text: &str) -> Option<&str> {
        let text = text.to_lowercase();
        self.blocklist
            .iter()
            .find(|w| text.contains(w.as_str()))
            .map(String::as_str)
    }
}

/// The blocklist's words from the desk's text: one per line (or comma), trimmed, lowercase.
pub fn blocklist(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A comment as a reader's form sent it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// The name shown with it.
    pub name: String,
    /// The reader's email: kept for moderation, never shown.
    pub email: EmailAddress,
    /// The plain text.
    pub body: String,
    /// An optional website, linked from the name.
    pub website: Option<WebUrl>,
}

impl NewComment {
    /// Checks the four fields. Every problem is named at once, each with its fix.
    ///
    /// # Errors
    ///
    /// Every field that is missing, too long, or not what it should be.
    pub fn parse(
        name: &str,
        email: &str,
        body: &str,
        website: &str,
    ) -> Result<Self, Vec<InvalidInput>> {
        let mut problems = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            problems.push(InvalidInput::new(
                "Name",
                "write the name to show with your comment",
            ));
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(InvalidInput::new(
                "Name",
                format!("shorten the name to {MAX_NAME_CHARS} characters"),
            ));
        } else if name.chars().any(char::is_control) {
            problems.push(InvalidInput::new("Name", "write the name on one line"));
        }
        let email = match email.trim() {
            "" => {
                problems.push(InvalidInput::new(
                    "Email",
                    "write your email address (it is never shown)",
                ));
                None
            }
            e => EmailAddress::parse(e).map_err(|e| problems.push(e)).ok(),
        };
        let body = body.replace("\r\n", "\n");
        let body = body.trim();
        let chars = body.chars().count();
        if body.is_empty() {
            problems.push(InvalidInput::new("Comment", "write your comment"));
        } else if chars > MAX_BODY_CHARS {
            problems.push(InvalidInput::new(
                "Comment",
                format!("shorten the comment to {MAX_BODY_CHARS} characters (it has {chars})"),
            ));
        } else if body
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            problems.push(InvalidInput::new(
                "Comment",
                "remove the control characters from the comment",
            ));
        } else if link_count(body) > MAX_LINKS {
            problems.push(InvalidInput::new(
                "Comment",
                format!("a comment may carry at most {MAX_LINKS} links; remove some"),
            ));
        }
        let website = WebUrl::parse_optional("Website", website)
            .map_err(|e| problems.push(e))
            .ok()
            .flatten();
        match email {
            Some(email) if problems.is_empty() => Ok(Self {
                name: name.to_owned(),
                email,
                body: body.to_owned(),
                website,
            }),
            _ => Err(problems),
        }
    }

    /// A hash of the text, whitespace and case folded, for finding the same comment twice.
    pub fn body_hash(&self) -> String {
        let folded: Vec<String> = self
            .body
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        crate::secret::token_hash(&folded.join(" "))
    }
}

/// How many web addresses `text` holds (anything starting `http://`, `https://` or `www.`).
pub fn link_count(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()
        - lower.matches("://www.").count()
}

/// What is known about a comment's author when it is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Their email has an approved comment already.
    pub approved_before: bool,
    /// The text holds a blocked word.
    pub blocked_word: bool,
}

/// The status a new comment starts in under `policy`: spam with a blocked word, else as the
/// policy says.
pub fn first_status(policy: ModerationPolicy, standing: Standing) -> CommentStatus {
    if standing.blocked_word {
        return CommentStatus::Spam;
    }
    match policy {
        ModerationPolicy::HoldAll => CommentStatus::Pending,
        ModerationPolicy::HoldFirst if !standing.approved_before => CommentStatus::Pending,
        _ => CommentStatus::Approved,
    }
}

/// The scope of a comment form's token: the story it is for, so a form served for one story
/// cannot post under another.
pub fn form_scope(article: i64) -> String {
    format!("comment:{article}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_form_names_every_problem() {
        let e = NewComment::parse("", "nope", "", "javascript:alert(1)").unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["Name", "Email", "Comment", "Website"]);
        let links = "see http://a.example https://b.example www.c.example";
        assert_eq!(link_count(links), 3);
        assert_eq!(link_count("https://www.a.example"), 1);
        assert!(NewComment::parse("Pat", "pat@example.org", links, "").is_err());
        let ok = NewComment::parse(" Pat ", "Pat@Example.org", "Hi\r\nthere", "").unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.email.as_str()),
            ("Pat", "pat@example.org")
        );
        assert_eq!(ok.body, "Hi\nthere");
    }

    #[test]
    fn policy_and_blocklist_decide_the_first_status() {
        let s = Standing {
            approved_before: false,
            blocked_word: false,
        };
        assert_eq!(
            first_status(ModerationPolicy::HoldFirst, s),
            CommentStatus::Pending
        );
        let known = Standing {
            approved_before: true,
            ..s
        };
        assert_eq!(
            first_status(ModerationPolicy::HoldFirst, known),
            CommentStatus::Approved
        );
        assert_eq!(
            first_status(ModerationPolicy::HoldAll, known),
            CommentStatus::Pending
        );
        assert_eq!(
            first_status(ModerationPolicy::Publish, s),
            CommentStatus::Approved
        );
        let blocked = Standing {
            blocked_word: true,
            ..known
        };
        assert_eq!(
            first_status(ModerationPolicy::Publish, blocked),
            CommentStatus::Spam
        );
        let mut map = BTreeMap::new();
        map.insert(
            "comments_blocklist".to_owned(),
            "Casino\n cheap pills ,".to_owned(),
        );
        let settings = CommentSettings::from_settings(&map);
        assert_eq!(settings.policy, ModerationPolicy::HoldFirst);
        assert_eq!(settings.blocked_word("Best CASINO here"), Some("casino"));
        assert_eq!(settings.blocked_word("Fine text"), None);
    }
}
