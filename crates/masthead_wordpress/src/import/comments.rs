//! A post's WordPress comments as masthead's: readers' comments approved on the old site
//! shown, pending ones held for moderation; spam, trash, pingbacks and trackbacks left out
//! and counted. WordPress threads nest without end, masthead shows one level of replies
//! (as its own form does, a reply to a reply answers the comment at the top of its
//! thread), so each reply is filed under the top of its thread.

use crate::import::post::post_time;
use crate::import::report::{Report, reason};
use crate::import::text;
use crate::wxr::Comment;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use masthead_core::CommentStatus;
use std::collections::{HashMap, HashSet};

/// The longest comment kept, in characters (a longer one is cut, and noted).
const MAX_COMMENT_CHARS: usize = 20_000;

/// A comment to write: its WordPress id, the top of its thread (none for a top-level
/// comment), and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Its WordPress id.
    pub id: u64,
    /// The WordPress id of the comment at the top of its thread, for a reply.
    pub thread: Option<u64>,
    /// The name it was posted under.
    pub name: String,
    /// The email.
    pub email: String,
    /// The commenter's website.
    pub website: String,
    /// The address it came from.
    pub address: String,
    /// Its text.
    pub body: String,
    /// Shown or held.
    pub status: CommentStatus,
    /// When it was posted.
    pub at: DateTime<Utc>,
}

/// The comments of a post to keep, top-level comments first; the others noted in `report`
/// against `old` (the post's old address). `fallback` dates a comment without one.
pub fn keep(
    comments: &[Comment],
    tz: Tz,
    fallback: DateTime<Utc>,
    old: &str,
    report: &mut Report,
) -> Vec<Kept> {
    let mut kept_ids: HashSet<u64> = HashSet::new();
    let mut kept: Vec<Kept> = Vec::new();
    for c in comments {
        if matches!(c.kind.as_str(), "pingback" | "trackback") {
            report.note(reason::PINGBACK, old, c.author_url.clone());
            continue;
        }
        let status = match c.approved.as_str() {
            "1" | "approve" => CommentStatus::Approved,
            "0" | "hold" => CommentStatus::Pending,
            other => {
                report.note(
                    reason::SPAM_COMMENT,
                    old,
                    format!("comment {} ({other})", c.id),
                );
                continue;
            }
        };
        let mut body = text::comment(&c.content);
        if body.is_empty() {
            report.note(
                reason::REFUSED,
                old,
                format!("comment {} has no text", c.id),
            );
            continue;
        }
        if body.chars().count() > MAX_COMMENT_CHARS {
            body = body.chars().take(MAX_COMMENT_CHARS).collect();
            report.note(
                reason::NEEDS_WORK,
                old,
                format!("comment {} was cut to {MAX_COMMENT_CHARS} characters", c.id),
            );
        }
        let name = text::plain(&c.author);
        kept_ids.insert(c.id);
        kept.push(Kept {
            id: c.id,
            thread: None,
            name: if name.is_empty() {
                "Anonymous".to_owned()
            } else {
                name.chars().take(100).collect()
            },
            email: c.author_email.trim().to_lowercase(),
            website: c.author_url.trim().to_owned(),
            address: c.author_ip.trim().to_owned(),
            body,
            status,
            at: post_time(&c.date_gmt, &c.date, tz).unwrap_or(fallback),
        });
    }
    let parents: HashMap<u64, u64> = comments.iter().map(|c| (c.id, c.parent)).collect();
    for k in &mut kept {
        k.thread = thread_top(k.id, &parents, &kept_ids);
    }
    // Top-level comments first (they are written first: replies name them), each group in
    // the order posted.
    kept.sort_by_key(|k| (k.thread.is_some(), k.at, k.id));
    kept
}

/// The kept comment at the top of `id`'s thread, if `id` is a reply to one: parents are
/// followed up to the top (at most as many steps as there are comments, so a loop ends),
/// and the highest kept one is the thread's top.
fn thread_top(id: u64, parents: &HashMap<u64, u64>, kept: &HashSet<u64>) -> Option<u64> {
    let mut top = None;
    let mut at = id;
    for _ in 0..parents.len() {
        match parents.get(&at) {
            Some(&parent) if parent != 0 && parent != id => {
                if kept.contains(&parent) {
                    top = Some(parent);
                }
                at = parent;
            }
            _ => break,
        }
    }
    top
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn comment(id: u64, parent: u64, approved: &str, kind: &str) -> Comment {
        Comment {
            id,
            parent,
            approved: approved.into(),
            kind: kind.into(),
            author: "Reader".into(),
            content: format!("Comment {id}"),
            date_gmt: format!("2024-01-02 10:{id:02}:00"),
            ..Comment::default()
        }
    }

    #[test]
    fn deep_threads_answer_their_top_comment_and_left_out_comments_are_counted() {
        let comments = [
            comment(1, 0, "1", ""),
            comment(2, 1, "1", "comment"),
            comment(3, 2, "0", ""),
            comment(4, 0, "spam", ""),
            comment(5, 4, "1", ""),
            comment(6, 0, "1", "pingback"),
        ];
        let mut report = Report::default();
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let kept = keep(&comments, chrono_tz::UTC, at, "/p", &mut report);
        let shape: Vec<(u64, Option<u64>, CommentStatus)> =
            kept.iter().map(|k| (k.id, k.thread, k.status)).collect();
        assert_eq!(
            shape,
            [
                (1, None, CommentStatus::Approved),
                (5, None, CommentStatus::Approved),
                (2, Some(1), CommentStatus::Approved),
                (3, Some(1), CommentStatus::Pending),
            ]
        );
        assert_eq!(report.noted(reason::PINGBACK), 1);
        assert_eq!(report.noted(reason::SPAM_COMMENT), 1);
    }
}
